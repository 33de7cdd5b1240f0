/* ops — the domain operations behind the API, webhooks, seed and simulator. */
#include "store/ops.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/auth.h"
#include "store/changes.h"
#include "store/db.h"
#include "http/req.h"
#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

int64_t ops_conv_by_display(struct db *db, int64_t account_id, int64_t display_id)
{
    return db_int(db, 0, "SELECT id FROM conversations WHERE account_id = ? AND display_id = ?",
                  "ii", account_id, display_id);
}

bool ops_agent_sees_inbox(struct db *db, const struct req_agent *a, int64_t inbox_id)
{
    if (a->admin)
        return db_int(db, 0, "SELECT 1 FROM inboxes WHERE id = ? AND account_id = ?", "ii",
                      inbox_id, a->account_id) == 1;
    return db_int(db, 0,
                  "SELECT 1 FROM inbox_members m JOIN inboxes i ON i.id = m.inbox_id "
                  "WHERE m.inbox_id = ? AND m.agent_id = ? AND i.account_id = ?",
                  "iii", inbox_id, a->id, a->account_id) == 1;
}

bool ops_agent_sees_conv(struct db *db, const struct req_agent *a, int64_t conv_id)
{
    int64_t inbox =
        db_int(db, 0, "SELECT inbox_id FROM conversations WHERE id = ? AND account_id = ?", "ii",
               conv_id, a->account_id);
    return inbox && ops_agent_sees_inbox(db, a, inbox);
}

const char *ops_visible_sql(const struct req_agent *a)
{
    /* Administrators: every inbox of the account. The "?" is then bound to
     * the agent id anyway and matches trivially, so callers bind the same
     * way in both cases. */
    if (a->admin)
        return "(? IS NOT NULL)";
    return "(c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = ?))";
}

int64_t ops_contact_for_phone(struct db *db, int64_t account_id, const char *phone)
{
    int64_t id = db_int(db, 0, "SELECT id FROM contacts WHERE account_id = ? AND phone_number = ?",
                        "it", account_id, phone);
    if (id)
        return id;
    double now = db_now();
    db_exec(db,
            "INSERT INTO contacts(account_id, name, phone_number, created_at, last_activity_at) "
            "VALUES (?, ?, ?, ?, ?)",
            "ittdd", account_id, phone, phone, now, now);
    return db_last_id(db);
}

int64_t ops_contact_inbox(struct db *db, int64_t contact_id, int64_t inbox_id,
                          const char *source_id)
{
    int64_t id =
        db_int(db, 0, "SELECT id FROM contact_inboxes WHERE contact_id = ? AND inbox_id = ?", "ii",
               contact_id, inbox_id);
    if (id)
        return id;
    db_exec(db, "INSERT INTO contact_inboxes(contact_id, inbox_id, source_id) VALUES (?, ?, ?)",
            "iit", contact_id, inbox_id, source_id);
    return db_last_id(db);
}

int64_t ops_conv_create(struct db *db, int64_t inbox_id, int64_t contact_id, const char *status)
{
    int64_t account = db_int(db, 0, "SELECT account_id FROM inboxes WHERE id = ?", "i", inbox_id);
    int64_t display = db_int(db, 0,
                             "SELECT display_id FROM conversations WHERE account_id = ? "
                             "ORDER BY display_id DESC LIMIT 1",
                             "i", account) +
                      1;
    char *source = NULL;
    sqlite3_stmt *st = db_prepare(db, "SELECT phone_number FROM contacts WHERE id = ?");
    db_bindv(st, "i", contact_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        source = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    int64_t ci = ops_contact_inbox(db, contact_id, inbox_id, source ? source : "");
    free(source);
    char *uuid = auth_uuid();
    double now = db_now();
    db_exec(db,
            "INSERT INTO conversations(account_id, display_id, uuid, inbox_id, contact_id, "
            "contact_inbox_id, status, created_at, updated_at, last_activity_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "iitiiitddd", account, display, uuid, inbox_id, contact_id, ci,
            status ? status : "open", now, now, now);
    free(uuid);
    int64_t id = db_last_id(db);
    changes_note(db, CHANGE_CONV_CREATED, id, 0, false);
    return id;
}

int64_t ops_conv_for_inbound(struct db *db, int64_t inbox_id, int64_t contact_id)
{
    int64_t id = db_int(db, 0,
                        "SELECT id FROM conversations WHERE inbox_id = ? AND contact_id = ? "
                        "AND status != 'resolved' ORDER BY id DESC LIMIT 1",
                        "ii", inbox_id, contact_id);
    return id ? id : ops_conv_create(db, inbox_id, contact_id, "open");
}

void ops_touch(struct db *db, int64_t conv_id)
{
    db_exec(db, "UPDATE conversations SET updated_at = ? WHERE id = ?", "di", db_now(), conv_id);
}

/* Is this inbox one whose outgoing messages go out as SMS? */
static bool inbox_sends_sms(struct db *db, int64_t inbox_id)
{
    return db_int(db, 0,
                  "SELECT 1 FROM inboxes WHERE id = ? AND (channel_type = 'Channel::Sms' OR "
                  "(channel_type = 'Channel::TwilioSms' AND COALESCE(medium, 'sms') = 'sms'))",
                  "i", inbox_id) == 1;
}

int64_t ops_message_add(struct db *db, const struct ops_message *m)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT account_id, inbox_id, status FROM conversations "
                                      "WHERE id = ?");
    db_bindv(st, "i", m->conv_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(db, st);
        log_error("no conversation %lld", (long long)m->conv_id);
        return 0;
    }
    int64_t account = sqlite3_column_int64(st, 0);
    int64_t inbox = sqlite3_column_int64(st, 1);
    char *status = xstrdup((const char *)sqlite3_column_text(st, 2));
    db_done(db, st);

    if (m->source_id &&
        db_int(db, 0, "SELECT id FROM messages WHERE inbox_id = ? AND source_id = ?", "it", inbox,
               m->source_id)) {
        free(status);
        return 0;
    }

    double now = m->created_at > 0 ? m->created_at : db_now();
    st = db_prepare(db, "INSERT INTO messages(account_id, conversation_id, inbox_id, content, "
                        "message_type, content_type, private, source_id, content_attributes, "
                        "sender_type, sender_id, echo_id, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    db_bindv(st, "iiitititttitdd", account, m->conv_id, inbox, m->content, (int64_t)m->type,
             m->content_type ? m->content_type : "text", (int64_t)m->is_private, m->source_id,
             m->content_attributes ? m->content_attributes : "{}", m->sender_type, m->sender_id,
             m->echo_id, now, now);
    if (!m->sender_type)
        sqlite3_bind_null(st, 11);
    int rc = sqlite3_step(st);
    db_done(db, st);
    if (rc != SQLITE_DONE) {
        log_error("message insert failed: %s", sqlite3_errmsg(db_handle(db)));
        free(status);
        return 0;
    }
    int64_t id = db_last_id(db);
    changes_note(db, CHANGE_MESSAGE_CREATED, id, 0, false);

    if (m->type == OPS_INCOMING) {
        db_exec(db,
                "UPDATE conversations SET last_activity_at = ?, updated_at = ?, "
                "waiting_since = COALESCE(waiting_since, ?), contact_last_seen_at = ? WHERE id = ?",
                "ddddi", now, now, now, now, m->conv_id);
        db_exec(db,
                "UPDATE contacts SET last_activity_at = ? WHERE id = "
                "(SELECT contact_id FROM conversations WHERE id = ?)",
                "di", now, m->conv_id);
        /* An incoming message reopens a resolved or snoozed conversation. */
        if (strcmp(status, "resolved") == 0 || strcmp(status, "snoozed") == 0)
            ops_set_status(db, m->conv_id, "open", 0, 0);
    } else if (m->type == OPS_OUTGOING || m->type == OPS_TEMPLATE) {
        db_exec(db, "UPDATE conversations SET last_activity_at = ?, updated_at = ? WHERE id = ?",
                "ddi", now, now, m->conv_id);
        if (m->type == OPS_OUTGOING && !m->is_private && m->sender_type &&
            strcmp(m->sender_type, "User") == 0) {
            /* A human answer: the customer is no longer waiting. */
            db_exec(db,
                    "UPDATE conversations SET waiting_since = NULL, "
                    "first_reply_created_at = COALESCE(first_reply_created_at, ?) WHERE id = ?",
                    "di", now, m->conv_id);
        }
        if (!m->is_private && inbox_sends_sms(db, inbox)) {
            /* The number it goes to, as the sender will read it: sends to
             * one number keep their order. */
            db_exec(db,
                    "INSERT INTO outbox(message_id, state, next_attempt_at, created_at, "
                    "destination) SELECT ?, 'pending', ?, ?, CASE WHEN ci.source_id LIKE '+%' "
                    "THEN ci.source_id ELSE ct.phone_number END FROM conversations c "
                    "JOIN contacts ct ON ct.id = c.contact_id "
                    "LEFT JOIN contact_inboxes ci ON ci.id = c.contact_inbox_id WHERE c.id = ?",
                    "iddi", id, now, now, m->conv_id);
        }
    } else {
        db_exec(db, "UPDATE conversations SET updated_at = ? WHERE id = ?", "di", now, m->conv_id);
    }
    free(status);
    return id;
}

void ops_activity(struct db *db, int64_t conv_id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    struct ops_message m = {
        .conv_id = conv_id,
        .content = text,
        .type = OPS_ACTIVITY,
    };
    ops_message_add(db, &m);
    free(text);
}

char *ops_agent_name(struct db *db, int64_t agent_id)
{
    char *name = NULL;
    sqlite3_stmt *st = db_prepare(db, "SELECT name FROM agents WHERE id = ?");
    db_bindv(st, "i", agent_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        name = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    return name ? name : xstrdup("");
}

static char *team_name(struct db *db, int64_t team_id)
{
    char *name = NULL;
    sqlite3_stmt *st = db_prepare(db, "SELECT name FROM teams WHERE id = ?");
    db_bindv(st, "i", team_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        name = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    return name ? name : xstrdup("");
}

static char *conv_text(struct db *db, int64_t conv_id, const char *column)
{
    char *sql = xasprintf("SELECT %s FROM conversations WHERE id = ?", column);
    sqlite3_stmt *st = db_prepare(db, sql);
    free(sql);
    db_bindv(st, "i", conv_id);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    return v;
}

void ops_set_status(struct db *db, int64_t conv_id, const char *status, double snoozed_until,
                    int64_t actor_id)
{
    char *old = conv_text(db, conv_id, "status");
    bool snooze = strcmp(status, "snoozed") == 0;
    if (snooze && snoozed_until > 0)
        db_exec(db,
                "UPDATE conversations SET status = ?, snoozed_until = ?, updated_at = ? "
                "WHERE id = ?",
                "tddi", status, snoozed_until, db_now(), conv_id);
    else
        db_exec(db,
                "UPDATE conversations SET status = ?, snoozed_until = NULL, updated_at = ? "
                "WHERE id = ?",
                "tdi", status, db_now(), conv_id);
    if (old && strcmp(old, status) == 0 && !snooze) {
        free(old);
        return;
    }
    changes_note(db, CHANGE_CONV_STATUS, conv_id, 0, false);
    char *who = actor_id ? ops_agent_name(db, actor_id) : NULL;
    if (strcmp(status, "resolved") == 0)
        ops_activity(db, conv_id, "Conversation was marked resolved by %s", who ? who : "system");
    else if (strcmp(status, "open") == 0)
        ops_activity(db, conv_id, who ? "Conversation was reopened by %s" : "%s",
                     who ? who : "Conversation was reopened");
    else if (strcmp(status, "pending") == 0)
        ops_activity(db, conv_id, "Conversation was marked pending by %s", who ? who : "system");
    else if (snooze)
        ops_activity(db, conv_id, "Conversation was snoozed by %s", who ? who : "system");
    free(who);
    free(old);
}

void ops_set_priority(struct db *db, int64_t conv_id, const char *priority, int64_t actor_id)
{
    char *old = conv_text(db, conv_id, "priority");
    if ((!old && !priority) || (old && priority && strcmp(old, priority) == 0)) {
        free(old);
        return;
    }
    db_exec(db, "UPDATE conversations SET priority = ?, updated_at = ? WHERE id = ?", "tdi",
            priority, db_now(), conv_id);
    changes_note(db, CHANGE_CONV_UPDATED, conv_id, 0, false);
    char *who = actor_id ? ops_agent_name(db, actor_id) : xstrdup("system");
    if (priority)
        ops_activity(db, conv_id, "%s set the priority to %s", who, priority);
    else
        ops_activity(db, conv_id, "%s removed the priority", who);
    free(who);
    free(old);
}

void ops_set_assignee(struct db *db, int64_t conv_id, int64_t agent_id, int64_t actor_id)
{
    int64_t old = db_int(db, 0, "SELECT assignee_id FROM conversations WHERE id = ?", "i", conv_id);
    if (old == agent_id)
        return;
    changes_note(db, CHANGE_CONV_ASSIGNEE, conv_id, 0, false);
    if (agent_id)
        db_exec(db, "UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE id = ?", "idi",
                agent_id, db_now(), conv_id);
    else
        db_exec(db, "UPDATE conversations SET assignee_id = NULL, updated_at = ? WHERE id = ?",
                "di", db_now(), conv_id);
    char *who = actor_id ? ops_agent_name(db, actor_id) : xstrdup("system");
    if (agent_id) {
        char *to = ops_agent_name(db, agent_id);
        if (agent_id == actor_id)
            ops_activity(db, conv_id, "%s self-assigned this conversation", who);
        else
            ops_activity(db, conv_id, "Assigned to %s by %s", to, who);
        free(to);
    } else {
        ops_activity(db, conv_id, "Conversation unassigned by %s", who);
    }
    free(who);
}

void ops_set_team(struct db *db, int64_t conv_id, int64_t team_id, int64_t actor_id)
{
    int64_t old = db_int(db, 0, "SELECT team_id FROM conversations WHERE id = ?", "i", conv_id);
    if (old == team_id)
        return;
    changes_note(db, CHANGE_CONV_TEAM, conv_id, 0, false);
    if (team_id)
        db_exec(db, "UPDATE conversations SET team_id = ?, updated_at = ? WHERE id = ?", "idi",
                team_id, db_now(), conv_id);
    else
        db_exec(db, "UPDATE conversations SET team_id = NULL, updated_at = ? WHERE id = ?", "di",
                db_now(), conv_id);
    char *who = actor_id ? ops_agent_name(db, actor_id) : xstrdup("system");
    if (team_id) {
        char *t = team_name(db, team_id);
        ops_activity(db, conv_id, "Assigned to %s team by %s", t, who);
        free(t);
    } else {
        ops_activity(db, conv_id, "Unassigned from team by %s", who);
    }
    free(who);
}

static bool in_list(const char *const *list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

void ops_set_labels(struct db *db, int64_t conv_id, const char *const *titles, int n,
                    int64_t actor_id)
{
    /* Old set, to name what was added and removed in the activity line. */
    char **old = NULL;
    int nold = 0;
    sqlite3_stmt *st = db_prepare(db, "SELECT title FROM conversation_labels "
                                      "WHERE conversation_id = ? ORDER BY title");
    db_bindv(st, "i", conv_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        old = xreallocarray(old, (size_t)nold + 1, sizeof *old);
        old[nold++] = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    db_done(db, st);

    db_exec(db, "DELETE FROM conversation_labels WHERE conversation_id = ?", "i", conv_id);
    for (int i = 0; i < n; i++)
        db_exec(db,
                "INSERT OR IGNORE INTO conversation_labels(conversation_id, title) "
                "VALUES (?, ?)",
                "it", conv_id, titles[i]);

    struct buf added, removed;
    buf_init(&added);
    buf_init(&removed);
    for (int i = 0; i < n; i++)
        if (!in_list((const char *const *)old, nold, titles[i]) && !in_list(titles, i, titles[i]))
            buf_addf(&added, "%s%s", added.len ? ", " : "", titles[i]);
    for (int i = 0; i < nold; i++)
        if (!in_list(titles, n, old[i]))
            buf_addf(&removed, "%s%s", removed.len ? ", " : "", old[i]);
    if (added.len || removed.len) {
        char *who = actor_id ? ops_agent_name(db, actor_id) : xstrdup("system");
        if (added.len)
            ops_activity(db, conv_id, "%s added %s", who, added.data);
        if (removed.len)
            ops_activity(db, conv_id, "%s removed %s", who, removed.data);
        free(who);
        ops_touch(db, conv_id);
        changes_note(db, CHANGE_CONV_UPDATED, conv_id, 0, false);
    }
    buf_free(&added);
    buf_free(&removed);
    for (int i = 0; i < nold; i++)
        free(old[i]);
    free(old);
}

bool ops_contact_opted_out(struct db *db, int64_t contact_id)
{
    return db_int(db, 0,
                  "SELECT json_extract(custom_attributes, '$.sms_opt_out') FROM contacts "
                  "WHERE id = ?",
                  "i", contact_id) == 1;
}

void ops_contact_set_opt_out(struct db *db, int64_t contact_id, bool opted_out)
{
    time_t t = (time_t)db_now();
    struct tm tm;
    char when[40];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* custom_attributes may hold anything a client put there; json_set keeps
     * the rest and fixes the two keys. An invalid stored value is reset. */
    db_exec(db,
            "UPDATE contacts SET custom_attributes = json_set("
            "CASE WHEN json_valid(custom_attributes) THEN custom_attributes ELSE '{}' END, "
            "'$.sms_opt_out', json(?), '$.sms_opt_out_at', ?) WHERE id = ?",
            "tti", opted_out ? "true" : "false", when, contact_id);
    changes_note(db, CHANGE_CONTACT_UPDATED, contact_id, 0, false);
}

int64_t ops_conv_for_agent(struct db *db, const struct req_agent *a, int64_t display_id)
{
    int64_t id = ops_conv_by_display(db, a->account_id, display_id);
    return id && ops_agent_sees_conv(db, a, id) ? id : 0;
}

bool ops_text_indexable(const char *q)
{
    size_t chars = 0;
    for (; *q && chars < 3; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            chars++;
    return chars >= 3;
}

char *ops_text_phrase(const char *q)
{
    struct buf b;
    buf_init(&b);
    buf_addc(&b, '"');
    for (; *q; q++) {
        if (*q == '"')
            buf_addc(&b, '"');
        buf_addc(&b, *q);
    }
    buf_addc(&b, '"');
    return buf_detach(&b);
}

char *ops_label_title(const char *s, size_t len)
{
    if (strlen(s) != len || !text_valid_utf8(s, len))
        return NULL;
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || text_has_control(s, len, NULL))
        return NULL;
    char *trimmed = xstrndup(s, len);
    char *title = text_casefold(trimmed);
    free(trimmed);
    size_t chars = 0;
    for (const char *p = title; p && *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            chars++;
    if (!title || chars > OPS_LABEL_MAX) {
        free(title);
        return NULL;
    }
    return title;
}

const char *ops_content_problem(const char *s, size_t len)
{
    if (strlen(s) != len)
        return "content must not contain a NUL character";
    if (!text_valid_utf8(s, len))
        return "content is not valid UTF-8";
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            chars++;
    if (chars > OPS_CONTENT_MAX)
        return "content is too long (maximum is 150000 characters)";
    return NULL;
}

char *ops_contact_unreachable(struct db *db, int64_t contact_id)
{
    if (!ops_contact_opted_out(db, contact_id))
        return NULL;
    char *who = NULL;
    sqlite3_stmt *st =
        db_prepare(db, "SELECT COALESCE(NULLIF(name, ''), phone_number, 'The contact') "
                       "FROM contacts WHERE id = ?");
    db_bindv(st, "i", contact_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        who = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    char *why = xasprintf("%s replied STOP and has opted out of SMS from this number; they must "
                          "text START to opt back in before you can message them",
                          who ? who : "The contact");
    free(who);
    return why;
}

void ops_message_set_status(struct db *db, int64_t message_id, const char *status,
                            const char *external_error)
{
    double now = db_now();
    if (external_error)
        db_exec(db,
                "UPDATE messages SET status = ?, updated_at = ?, content_attributes = json_set("
                "CASE WHEN json_valid(content_attributes) THEN content_attributes ELSE '{}' END, "
                "'$.external_error', ?) WHERE id = ?",
                "tdti", status, now, external_error, message_id);
    else
        db_exec(db, "UPDATE messages SET status = ?, updated_at = ? WHERE id = ?", "tdi", status,
                now, message_id);
    db_exec(db,
            "UPDATE conversations SET updated_at = ? WHERE id = "
            "(SELECT conversation_id FROM messages WHERE id = ?)",
            "di", now, message_id);
    changes_note(db, CHANGE_MESSAGE_UPDATED, message_id, 0, false);
}
