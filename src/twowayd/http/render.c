/* render — twowayd's rows as Chatwoot's JSON objects. */
#include "http/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/attach.h"
#include "store/db.h"
#include "twoway/xmalloc.h"

json_object *render_epoch(double t)
{
    return json_object_new_int64(t > 0 ? (int64_t)floor(t) : 0);
}

json_object *render_iso(double t)
{
    if (t <= 0)
        return NULL;
    time_t s = (time_t)floor(t);
    int ms = (int)((t - floor(t)) * 1000);
    struct tm tm;
    char b[48], out[64];
    gmtime_r(&s, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, sizeof out, "%s.%03dZ", b, ms);
    return json_object_new_string(out);
}

json_object *render_json_text(const char *text)
{
    /* Most attribute columns hold "{}": no parser needed for those. */
    if (!text || strcmp(text, "{}") == 0)
        return json_object_new_object();
    json_object *o = json_tokener_parse(text);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return json_object_new_object();
    }
    return o;
}

/* Column helpers: text or JSON null. */
static json_object *col_str(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return t ? json_object_new_string((const char *)t) : NULL;
}

static json_object *col_str_or_empty(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return json_object_new_string(t ? (const char *)t : "");
}

static double col_time(sqlite3_stmt *st, int c)
{
    return sqlite3_column_type(st, c) == SQLITE_NULL ? 0 : sqlite3_column_double(st, c);
}

/* The columns each row helper reads, from the table aliased p, in order.
 * A query selects them where the helper's column c says. */
#define CONTACT_COLS(p)                                                                            \
    p ".id, " p ".name, " p ".email, " p ".phone_number, " p ".identifier, " p ".blocked, " p      \
      ".custom_attributes, " p ".additional_attributes, " p ".created_at, " p ".last_activity_at"
#define AGENT_COLS(p)                                                                              \
    p ".id, " p ".account_id, " p ".name, " p ".email, " p ".role, " p ".availability"
/* The last column: is the agent bound to the query's viewer parameter a
 * member? */
#define TEAM_COLS(p, viewer)                                                                       \
    p ".id, " p ".name, " p ".description, " p ".allow_auto_assign, " p ".account_id, "            \
      "EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = " p                                \
      ".id AND tm.agent_id = " viewer ")"

/* The slim contact from CONTACT_COLS at column c; NULL if its id is NULL. */
static json_object *contact_row(sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return NULL;
    json_object *o = json_object_new_object();
    ADD(o, "additional_attributes", render_json_text((const char *)sqlite3_column_text(st, c + 7)));
    ADD(o, "availability_status", json_object_new_string("offline"));
    ADD(o, "email", col_str(st, c + 2));
    ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, c)));
    ADD(o, "name", col_str_or_empty(st, c + 1));
    ADD(o, "phone_number", col_str(st, c + 3));
    ADD(o, "blocked", json_object_new_boolean(sqlite3_column_int(st, c + 5)));
    ADD(o, "identifier", col_str(st, c + 4));
    ADD(o, "thumbnail", json_object_new_string(""));
    ADD(o, "custom_attributes", render_json_text((const char *)sqlite3_column_text(st, c + 6)));
    ADD(o, "last_activity_at", render_epoch(col_time(st, c + 9)));
    ADD(o, "created_at", render_epoch(col_time(st, c + 8)));
    return o;
}

json_object *render_contact_slim(struct db *db, int64_t contact_id)
{
    sqlite3_stmt *st =
        db_prepare(db, "SELECT " CONTACT_COLS("c") " FROM contacts c WHERE c.id = ?");
    db_bindv(st, "i", contact_id);
    json_object *o = sqlite3_step(st) == SQLITE_ROW ? contact_row(st, 0) : NULL;
    db_done(db, st);
    return o;
}

json_object *render_inbox(struct db *db, int64_t inbox_id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, name, channel_type, medium, provider, "
                                      "phone_number, timezone FROM inboxes WHERE id = ?");
    db_bindv(st, "i", inbox_id);
    json_object *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "avatar_url", json_object_new_string(""));
        ADD(o, "channel_id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "name", col_str_or_empty(st, 1));
        ADD(o, "channel_type", col_str_or_empty(st, 2));
        ADD(o, "greeting_enabled", json_object_new_boolean(0));
        ADD(o, "greeting_message", NULL);
        ADD(o, "working_hours_enabled", json_object_new_boolean(0));
        ADD(o, "enable_email_collect", json_object_new_boolean(0));
        ADD(o, "csat_survey_enabled", json_object_new_boolean(0));
        ADD(o, "enable_auto_assignment", json_object_new_boolean(0));
        ADD(o, "out_of_office_message", NULL);
        ADD(o, "working_hours", json_object_new_array());
        ADD(o, "timezone", col_str_or_empty(st, 6));
        ADD(o, "allow_messages_after_resolved", json_object_new_boolean(1));
        ADD(o, "lock_to_single_conversation", json_object_new_boolean(0));
        ADD(o, "phone_number", col_str(st, 5));
        ADD(o, "medium", col_str(st, 3));
        ADD(o, "provider", col_str(st, 4));
        ADD(o, "messaging_service_sid", NULL);
    }
    db_done(db, st);
    return o;
}

json_object *render_contact(struct db *db, int64_t contact_id)
{
    json_object *o = render_contact_slim(db, contact_id);
    if (!o)
        return NULL;
    json_object *inboxes = json_object_new_array();
    sqlite3_stmt *st = db_prepare(db, "SELECT source_id, inbox_id FROM contact_inboxes "
                                      "WHERE contact_id = ? ORDER BY id");
    db_bindv(st, "i", contact_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *ci = json_object_new_object();
        ADD(ci, "source_id", col_str_or_empty(st, 0));
        json_object *inbox = render_inbox(db, sqlite3_column_int64(st, 1));
        ADD(ci, "inbox", inbox ? inbox : json_object_new_object());
        json_object_array_add(inboxes, ci);
    }
    db_done(db, st);
    ADD(o, "contact_inboxes", inboxes);
    return o;
}

/* The agent from AGENT_COLS at column c (as a message's sender, or in
 * full); NULL if its id is NULL. */
static json_object *agent_row(sqlite3_stmt *st, int c, bool sender)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return NULL;
    json_object *o = json_object_new_object();
    ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, c)));
    if (!sender)
        ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, c + 1)));
    ADD(o, "name", col_str_or_empty(st, c + 2));
    ADD(o, "available_name", col_str_or_empty(st, c + 2));
    if (!sender) {
        ADD(o, "email", col_str_or_empty(st, c + 3));
        ADD(o, "role", col_str_or_empty(st, c + 4));
        ADD(o, "confirmed", json_object_new_boolean(1));
        ADD(o, "auto_offline", json_object_new_boolean(1));
    } else {
        ADD(o, "avatar_url", json_object_new_string(""));
        ADD(o, "type", json_object_new_string("user"));
    }
    ADD(o, "availability_status", col_str_or_empty(st, c + 5));
    ADD(o, "thumbnail", json_object_new_string(""));
    return o;
}

json_object *render_agent(struct db *db, int64_t agent_id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT " AGENT_COLS("a") " FROM agents a WHERE a.id = ?");
    db_bindv(st, "i", agent_id);
    json_object *o = sqlite3_step(st) == SQLITE_ROW ? agent_row(st, 0, false) : NULL;
    db_done(db, st);
    return o;
}

json_object *render_agent_sender(struct db *db, int64_t agent_id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT " AGENT_COLS("a") " FROM agents a WHERE a.id = ?");
    db_bindv(st, "i", agent_id);
    json_object *o = sqlite3_step(st) == SQLITE_ROW ? agent_row(st, 0, true) : NULL;
    db_done(db, st);
    return o;
}

/* The team from TEAM_COLS at column c; NULL if its id is NULL. */
static json_object *team_row(sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return NULL;
    json_object *o = json_object_new_object();
    ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, c)));
    ADD(o, "name", col_str_or_empty(st, c + 1));
    ADD(o, "description", col_str_or_empty(st, c + 2));
    ADD(o, "allow_auto_assign", json_object_new_boolean(sqlite3_column_int(st, c + 3)));
    ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, c + 4)));
    ADD(o, "is_member", json_object_new_boolean(sqlite3_column_int(st, c + 5)));
    return o;
}

json_object *render_team(struct db *db, int64_t team_id, int64_t viewer_id)
{
    sqlite3_stmt *st =
        db_prepare(db, "SELECT " TEAM_COLS("t", "?1") " FROM teams t WHERE t.id = ?2");
    db_bindv(st, "ii", viewer_id, team_id);
    json_object *o = sqlite3_step(st) == SQLITE_ROW ? team_row(st, 0) : NULL;
    db_done(db, st);
    return o;
}

json_object *render_label(struct db *db, int64_t label_id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, title, description, color, show_on_sidebar "
                                      "FROM labels WHERE id = ?");
    db_bindv(st, "i", label_id);
    json_object *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "title", col_str_or_empty(st, 1));
        ADD(o, "description", col_str_or_empty(st, 2));
        ADD(o, "color", col_str_or_empty(st, 3));
        ADD(o, "show_on_sidebar", json_object_new_boolean(sqlite3_column_int(st, 4)));
    }
    db_done(db, st);
    return o;
}

static json_object *attachments_of(struct db *db, int64_t message_id)
{
    json_object *arr = NULL;
    sqlite3_stmt *st =
        db_prepare(db, "SELECT id, file_type, extension, data_url, file_size, file_name, "
                       "data IS NOT NULL FROM attachments WHERE message_id = ? ORDER BY id");
    db_bindv(st, "i", message_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (!arr)
            arr = json_object_new_array();
        json_object *a = json_object_new_object();
        ADD(a, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(a, "message_id", json_object_new_int64(message_id));
        ADD(a, "file_type", col_str_or_empty(st, 1));
        ADD(a, "account_id", NULL);
        ADD(a, "extension", col_str(st, 2));
        /* A file an agent sent is ours to serve, at a signed URL made now;
         * one that came by MMS is where the carrier keeps it. */
        if (sqlite3_column_int(st, 6)) {
            char *url =
                attach_url(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 5));
            ADD(a, "data_url", json_object_new_string(url));
            free(url);
        } else {
            ADD(a, "data_url", col_str_or_empty(st, 3));
        }
        ADD(a, "thumb_url", json_object_new_string(""));
        ADD(a, "file_size", json_object_new_int64(sqlite3_column_int64(st, 4)));
        ADD(a, "width", NULL);
        ADD(a, "height", NULL);
        json_object_array_add(arr, a);
    }
    db_done(db, st);
    return arr;
}

json_object *render_message(struct db *db, int64_t message_id)
{
    sqlite3_stmt *st = db_prepare(
        db, "SELECT m.id, m.content, m.account_id, m.inbox_id, c.display_id, m.message_type, "
            "m.created_at, m.updated_at, m.private, m.status, m.source_id, m.content_type, "
            "m.content_attributes, m.sender_type, m.sender_id, m.echo_id, "
            "EXISTS (SELECT 1 FROM attachments x WHERE x.message_id = m.id), " AGENT_COLS(
                "a") ", " CONTACT_COLS("ct") " "
                                             "FROM messages m JOIN conversations c ON c.id = "
                                             "m.conversation_id "
                                             "LEFT JOIN agents a ON m.sender_type = 'User' AND "
                                             "a.id = m.sender_id "
                                             "LEFT JOIN contacts ct ON m.sender_type = 'Contact' "
                                             "AND ct.id = m.sender_id "
                                             "WHERE m.id = ?");
    enum { COL_AGENT = 17, COL_CONTACT = COL_AGENT + 6 };
    db_bindv(st, "i", message_id);
    json_object *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "content", col_str(st, 1));
        ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, 2)));
        ADD(o, "inbox_id", json_object_new_int64(sqlite3_column_int64(st, 3)));
        ADD(o, "conversation_id", json_object_new_int64(sqlite3_column_int64(st, 4)));
        ADD(o, "message_type", json_object_new_int(sqlite3_column_int(st, 5)));
        ADD(o, "created_at", render_epoch(col_time(st, 6)));
        ADD(o, "updated_at", render_epoch(col_time(st, 7)));
        ADD(o, "private", json_object_new_boolean(sqlite3_column_int(st, 8)));
        ADD(o, "status", col_str_or_empty(st, 9));
        ADD(o, "source_id", col_str(st, 10));
        ADD(o, "content_type", col_str_or_empty(st, 11));
        ADD(o, "content_attributes", render_json_text((const char *)sqlite3_column_text(st, 12)));
        const char *stype = (const char *)sqlite3_column_text(st, 13);
        ADD(o, "sender_type", stype ? json_object_new_string(stype) : NULL);
        ADD(o, "sender_id", stype ? json_object_new_int64(sqlite3_column_int64(st, 14)) : NULL);
        ADD(o, "external_source_ids", json_object_new_object());
        ADD(o, "additional_attributes", json_object_new_object());
        ADD(o, "processed_message_content", col_str(st, 1));
        ADD(o, "sentiment", json_object_new_object());
        if (sqlite3_column_type(st, 15) != SQLITE_NULL)
            ADD(o, "echo_id", col_str(st, 15));
        if (sqlite3_column_int(st, 16)) {
            json_object *att = attachments_of(db, message_id);
            if (att)
                ADD(o, "attachments", att);
        }
        json_object *sender = agent_row(st, COL_AGENT, true);
        if (!sender && (sender = contact_row(st, COL_CONTACT)))
            ADD(sender, "type", json_object_new_string("contact"));
        if (sender)
            ADD(o, "sender", sender);
    }
    db_done(db, st);
    return o;
}

static json_object *labels_of(struct db *db, int64_t conv_id)
{
    json_object *arr = json_object_new_array();
    sqlite3_stmt *st = db_prepare(db, "SELECT title FROM conversation_labels "
                                      "WHERE conversation_id = ? ORDER BY title");
    db_bindv(st, "i", conv_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_array_add(arr, col_str_or_empty(st, 0));
    db_done(db, st);
    return arr;
}

/* Titles joined by US (0x1f: titles never hold control characters) into a
 * sorted array. */
static json_object *labels_from(const char *joined)
{
    json_object *arr = json_object_new_array();
    for (const char *p = joined; p && *p;) {
        const char *end = strchr(p, 0x1f);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        json_object_array_add(arr, json_object_new_string_len(p, (int)n));
        p += n + (end ? 1 : 0);
    }
    return arr;
}

/* The contact, assignee and team of a conversation, in render_conversation's
 * row from COL_CONTACT on. */
#define CONV_JOINED_COLS CONTACT_COLS("ct") ", " AGENT_COLS("a") ", " TEAM_COLS("t", "?2")

json_object *render_conversation(struct db *db, int64_t conv_id, int64_t viewer_id)
{
    /* One row holds the conversation and what hangs on it, so that a page
     * of them is one query each (and the messages). */
    sqlite3_stmt *st = db_prepare(
        db, "SELECT c.display_id, c.account_id, c.inbox_id, c.uuid, c.status, c.priority, "
            "c.muted, c.custom_attributes, c.additional_attributes, c.contact_id, c.assignee_id, "
            "c.team_id, c.created_at, c.updated_at, c.last_activity_at, c.agent_last_seen_at, "
            "c.assignee_last_seen_at, c.contact_last_seen_at, c.first_reply_created_at, "
            "c.waiting_since, c.snoozed_until, i.channel_type, "
            /* unread: incoming messages after the agent last looked, at most 10 */
            "(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
            "  AND m.message_type = 0 AND m.created_at > COALESCE(c.agent_last_seen_at, 0) "
            "  LIMIT 10)), "
            "(SELECT MAX(id) FROM messages m WHERE m.conversation_id = c.id), "
            "(SELECT m.id FROM messages m WHERE m.conversation_id = c.id "
            "  AND m.message_type != 2 ORDER BY m.id DESC LIMIT 1), "
            "(SELECT group_concat(title, char(31)) FROM (SELECT l.title FROM conversation_labels l "
            "  WHERE l.conversation_id = c.id ORDER BY l.title)), " CONV_JOINED_COLS " "
            "FROM conversations c JOIN inboxes i ON i.id = c.inbox_id "
            "LEFT JOIN contacts ct ON ct.id = c.contact_id "
            "LEFT JOIN agents a ON a.id = c.assignee_id LEFT JOIN teams t ON t.id = c.team_id "
            "WHERE c.id = ?1");
    enum { COL_LABELS = 25, COL_CONTACT, COL_AGENT = COL_CONTACT + 10, COL_TEAM = COL_AGENT + 6 };
    db_bindv(st, "ii", conv_id, viewer_id);
    json_object *o = NULL;
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(db, st);
        return NULL;
    }
    o = json_object_new_object();
    json_object *meta = json_object_new_object();
    json_object *sender = contact_row(st, COL_CONTACT);
    if (sender)
        ADD(sender, "type", json_object_new_string("contact"));
    ADD(meta, "sender", sender ? sender : json_object_new_object());
    ADD(meta, "channel", col_str_or_empty(st, 21));
    json_object *a = agent_row(st, COL_AGENT, false);
    if (a)
        ADD(meta, "assignee", a);
    json_object *t = team_row(st, COL_TEAM);
    if (t)
        ADD(meta, "team", t);
    ADD(meta, "hmac_verified", json_object_new_boolean(0));
    ADD(o, "meta", meta);

    ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
    json_object *msgs = json_object_new_array();
    json_object *newest = NULL;
    if (sqlite3_column_type(st, 23) != SQLITE_NULL) {
        newest = render_message(db, sqlite3_column_int64(st, 23));
        if (newest)
            json_object_array_add(msgs, newest);
    }
    ADD(o, "messages", msgs);
    ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, 1)));
    ADD(o, "uuid", col_str_or_empty(st, 3));
    ADD(o, "additional_attributes", render_json_text((const char *)sqlite3_column_text(st, 8)));
    ADD(o, "agent_last_seen_at", render_epoch(col_time(st, 15)));
    ADD(o, "assignee_last_seen_at", render_epoch(col_time(st, 16)));
    ADD(o, "can_reply", json_object_new_boolean(1));
    ADD(o, "contact_last_seen_at", render_epoch(col_time(st, 17)));
    ADD(o, "custom_attributes", render_json_text((const char *)sqlite3_column_text(st, 7)));
    ADD(o, "inbox_id", json_object_new_int64(sqlite3_column_int64(st, 2)));
    ADD(o, "labels", labels_from((const char *)sqlite3_column_text(st, COL_LABELS)));
    ADD(o, "muted", json_object_new_boolean(sqlite3_column_int(st, 6)));
    ADD(o, "snoozed_until", render_iso(col_time(st, 20)));
    ADD(o, "status", col_str_or_empty(st, 4));
    ADD(o, "created_at", render_epoch(col_time(st, 12)));
    ADD(o, "updated_at", json_object_new_double(col_time(st, 13)));
    ADD(o, "timestamp", render_epoch(col_time(st, 14)));
    ADD(o, "first_reply_created_at", render_epoch(col_time(st, 18)));
    ADD(o, "unread_count", json_object_new_int(sqlite3_column_int(st, 22)));
    json_object *last = NULL;
    if (sqlite3_column_type(st, 24) != SQLITE_NULL) {
        /* Usually the newest message is that one too: shared, not made twice. */
        int64_t id = sqlite3_column_int64(st, 24);
        last = newest && sqlite3_column_int64(st, 23) == id ? json_object_get(newest)
                                                            : render_message(db, id);
    }
    ADD(o, "last_non_activity_message", last);
    ADD(o, "last_activity_at", render_epoch(col_time(st, 14)));
    ADD(o, "priority", col_str(st, 5));
    ADD(o, "waiting_since", render_epoch(col_time(st, 19)));
    ADD(o, "sla_policy_id", NULL);
    db_done(db, st);
    return o;
}

json_object *render_conversation_search(struct db *db, int64_t conv_id)
{
    sqlite3_stmt *st = db_prepare(
        db, "SELECT c.display_id, c.created_at, c.account_id, ct.id, ct.name, i.id, i.name, "
            "i.channel_type FROM conversations c JOIN contacts ct ON ct.id = c.contact_id "
            "JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = ?");
    db_bindv(st, "i", conv_id);
    json_object *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "created_at", render_epoch(col_time(st, 1)));
        ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, 2)));
        json_object *c = json_object_new_object();
        ADD(c, "id", json_object_new_int64(sqlite3_column_int64(st, 3)));
        ADD(c, "name", col_str_or_empty(st, 4));
        ADD(o, "contact", c);
        json_object *i = json_object_new_object();
        ADD(i, "id", json_object_new_int64(sqlite3_column_int64(st, 5)));
        ADD(i, "name", col_str_or_empty(st, 6));
        ADD(i, "channel_type", col_str_or_empty(st, 7));
        ADD(o, "inbox", i);
        json_object *msgs = json_object_new_array();
        sqlite3_stmt *ms = db_prepare(
            db,
            "SELECT m.id, m.content, m.message_type, m.created_at, "
            "CASE m.sender_type WHEN 'User' THEN (SELECT name FROM agents WHERE id = m.sender_id) "
            "WHEN 'Contact' THEN (SELECT name FROM contacts WHERE id = m.sender_id) END "
            "FROM messages m WHERE m.conversation_id = ? AND m.message_type != 2 "
            "ORDER BY m.id DESC LIMIT 1");
        db_bindv(ms, "i", conv_id);
        while (sqlite3_step(ms) == SQLITE_ROW) {
            json_object *m = json_object_new_object();
            ADD(m, "id", json_object_new_int64(sqlite3_column_int64(ms, 0)));
            ADD(m, "content", col_str(ms, 1));
            ADD(m, "sender_name", col_str(ms, 4));
            ADD(m, "message_type", json_object_new_int(sqlite3_column_int(ms, 2)));
            ADD(m, "created_at", render_epoch(col_time(ms, 3)));
            json_object_array_add(msgs, m);
        }
        db_done(db, ms);
        ADD(o, "messages", msgs);
    }
    db_done(db, st);
    return o;
}

json_object *render_canned(struct db *db, int64_t canned_id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, account_id, short_code, content, created_at, "
                                      "updated_at FROM canned_responses WHERE id = ?");
    db_bindv(st, "i", canned_id);
    json_object *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, 1)));
        ADD(o, "short_code", col_str_or_empty(st, 2));
        ADD(o, "content", col_str_or_empty(st, 3));
        ADD(o, "created_at", render_iso(col_time(st, 4)));
        ADD(o, "updated_at", render_iso(col_time(st, 5)));
    }
    db_done(db, st);
    return o;
}

json_object *render_labels(struct db *db, int64_t conv_id)
{
    return labels_of(db, conv_id);
}
