/* api_messages — a conversation's messages (doc/api.md §4): the
 * paginated history with its meta, an agent's reply or private note, and
 * deleting a message.
 *
 * A reply goes through ops_message_add, which queues public replies for
 * SMS; the sender is then woken so it goes out at once. Replies to a
 * contact who texted STOP are refused here, before anything is queued:
 * carriers block them anyway, and the agent should know why. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api.h"
#include "http/multipart.h"
#include "store/attach.h"
#include "store/changes.h"
#include "store/db.h"
#include "store/ops.h"
#include "http/render.h"
#include "http/req.h"
#include "twilio/sender.h"
#include "twd.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Page sizes of Chatwoot's MessageFinder. */
#define PAGE_LATEST 20
#define PAGE_AFTER 100
#define PAGE_BETWEEN 1000
/* CONVERSATION_MESSAGE_PER_MINUTE_LIMIT */
#define FLOOD_PER_MINUTE 200
#define MAX_ECHO_ID 255
#define DELETED_TEXT "This message was deleted"

static const char *const content_types[] = {
    "text",       "input_text", "input_textarea", "input_email", "input_select", "cards",
    "form",       "article",    "incoming_email", "input_csat",  "integrations", "sticker",
    "voice_call", NULL,
};

/* The conversation named by the path, or 0 after answering 404. */
static int64_t path_conv(struct req *r)
{
    int64_t id = ops_conv_for_agent(r->db, &r->agent, r->params[0]);
    if (!id)
        req_not_found(r);
    return id;
}

/* A message id from the query: absent (or "") → -1 and true; not a number
 * → false. "0" is present, as in Rails: after=0 is the oldest page. */
static bool query_id(const struct req *r, const char *key, int64_t *out)
{
    const char *v = req_arg(r, key);
    *out = -1;
    if (!v || !*v)
        return true;
    if (!isdigit((unsigned char)*v))
        return false;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end)
        return false;
    *out = n;
    return true;
}

/* ---- list ----------------------------------------------------------------- */

/* Here the read times are ISO strings (epoch integers on the conversation). */
static json_object *col_iso(sqlite3_stmt *st, int c)
{
    return render_iso(sqlite3_column_type(st, c) == SQLITE_NULL ? 0 : sqlite3_column_double(st, c));
}

static json_object *list_meta(struct db *db, int64_t conv)
{
    json_object *meta = json_object_new_object();
    sqlite3_stmt *st = db_prepare(db, "SELECT additional_attributes, contact_id, assignee_id, "
                                      "agent_last_seen_at, assignee_last_seen_at "
                                      "FROM conversations WHERE id = ?");
    db_bindv(st, "i", conv);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ADD(meta, "labels", render_labels(db, conv));
        ADD(meta, "additional_attributes",
            render_json_text((const char *)sqlite3_column_text(st, 0)));
        json_object *contact = render_contact(db, sqlite3_column_int64(st, 1));
        ADD(meta, "contact", contact ? contact : json_object_new_object());
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            json_object *a = render_agent(db, sqlite3_column_int64(st, 2));
            if (a)
                ADD(meta, "assignee", a);
        }
        ADD(meta, "agent_last_seen_at", col_iso(st, 3));
        ADD(meta, "assignee_last_seen_at", col_iso(st, 4));
    }
    db_done(db, st);
    return meta;
}

/* MessageFinder: ids choose the window, the page is always oldest first. */
void api_messages_list(struct req *r)
{
    int64_t conv = path_conv(r);
    if (!conv)
        return;
    int64_t before, after;
    if (!query_id(r, "before", &before) || !query_id(r, "after", &after)) {
        req_reply_error(r, 422, "before and after must be message ids");
        return;
    }
    const char *internal = req_arg(r, "filter_internal_messages");
    const char *hide = internal && *internal ? " AND m.private = 0 AND m.message_type != 2" : "";
    /* ?2 after, ?3 before, ?4 the page size. The window is read in the
     * order of the messages_time index, newest first where the page ends
     * at the newest, and handed out oldest first. */
    const char *window;
    int limit = PAGE_LATEST;
    bool newest_first = true;
    if (before >= 0 && after >= 0) {
        window = " AND m.id >= ?2 AND m.id < ?3 ORDER BY m.created_at ASC, m.id ASC";
        limit = PAGE_BETWEEN;
        newest_first = false;
    } else if (before >= 0) {
        window = " AND m.id < ?3 ORDER BY m.created_at DESC, m.id DESC";
    } else if (after >= 0) {
        window = " AND m.id > ?2 ORDER BY m.created_at ASC, m.id ASC";
        limit = PAGE_AFTER;
        newest_first = false;
    } else {
        window = " ORDER BY m.created_at DESC, m.id DESC";
    }
    char *sql = xasprintf("SELECT m.id FROM messages m WHERE m.conversation_id = ?1%s%s LIMIT ?4",
                          hide, window);
    struct db *db = r->db;
    sqlite3_stmt *st = db_prepare(db, sql);
    free(sql);
    /* ?2 and ?3 are bound even where the window does not use them. */
    db_bindv(st, "iiii", conv, after, before, (int64_t)limit);
    json_object *payload = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *m = render_message(db, sqlite3_column_int64(st, 0));
        if (m)
            json_object_array_add(payload, m);
    }
    db_done(db, st);
    if (newest_first) {
        size_t n = json_object_array_length(payload);
        json_object *oldest_first = json_object_new_array_ext((int)n);
        for (size_t i = n; i-- > 0;)
            json_object_array_add(oldest_first,
                                  json_object_get(json_object_array_get_idx(payload, i)));
        json_object_put(payload);
        payload = oldest_first;
    }
    json_object *o = json_object_new_object();
    ADD(o, "meta", list_meta(db, conv));
    ADD(o, "payload", payload);
    req_reply_json(r, 200, o);
}

/* ---- create --------------------------------------------------------------- */

/* Twilio sends at most 10 media with one message. */
#define FILES_MAX 10

/* What a POST asks for, checked before anything is written. */
struct reply {
    const char *content; /* NULL: none (files only) */
    bool is_private;
    const char *content_type;
    char *attributes; /* owned JSON text, or NULL */
    const char *echo_id;
    const struct req_part *files[FILES_MAX]; /* multipart: attachments[] */
    size_t nfiles;
};

static bool parse_content(struct req *r, json_object *body, struct reply *rp)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "content", &v);
    /* With files, the text may be left out (Chatwoot stores null). */
    if (rp->nfiles &&
        (!v || (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0)))
        return true;
    if (!v || !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
        req_reply_error(r, 422,
                        "content is required and must be a string (or send attachments as "
                        "multipart/form-data)");
        return false;
    }
    const char *why =
        ops_content_problem(json_object_get_string(v), (size_t)json_object_get_string_len(v));
    if (why) {
        req_reply_error(r, 422, why);
        return false;
    }
    rp->content = json_object_get_string(v);
    return true;
}

static bool parse_kind(struct req *r, json_object *body, struct reply *rp)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "private", &v);
    if (v && !json_object_is_type(v, json_type_boolean)) {
        req_reply_error(r, 422, "private must be true or false");
        return false;
    }
    rp->is_private = v && json_object_get_boolean(v);

    v = NULL;
    json_object_object_get_ex(body, "message_type", &v);
    const char *type =
        v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (v && (!type || strcmp(type, "outgoing") != 0)) {
        req_reply_error(r, 422,
                        type && strcmp(type, "incoming") == 0
                            ? "message_type incoming is only allowed on API inboxes"
                            : "message_type must be \"outgoing\"");
        return false;
    }

    v = NULL;
    json_object_object_get_ex(body, "content_type", &v);
    rp->content_type = "text";
    if (v) {
        const char *ct = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        rp->content_type = NULL;
        for (int i = 0; content_types[i] && !rp->content_type; i++)
            if (strcmp(content_types[i], ct) == 0)
                rp->content_type = content_types[i];
        if (!rp->content_type) {
            req_reply_error(r, 422, "content_type is not one Chatwoot knows (e.g. \"text\")");
            return false;
        }
    }
    return true;
}

/* content_attributes: only in_reply_to is the client's to set (deleted and
 * external_error are the server's), and it must name a message of this
 * conversation. */
static bool parse_attributes(struct req *r, json_object *body, int64_t conv, struct reply *rp)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "content_attributes", &v);
    if (!v)
        return true;
    if (!json_object_is_type(v, json_type_object)) {
        req_reply_error(r, 422, "content_attributes must be an object");
        return false;
    }
    int64_t to = 0;
    bool is_null = false;
    if (!req_json_has(v, "in_reply_to"))
        return true;
    if (!req_json_int(v, "in_reply_to", &to, &is_null) ||
        (!is_null &&
         !db_int(r->db, 0, "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?", "ii", to,
                 conv))) {
        req_reply_error(r, 422,
                        "content_attributes.in_reply_to must be the id of a message "
                        "in this conversation");
        return false;
    }
    if (!is_null)
        rp->attributes = xasprintf("{\"in_reply_to\":%lld}", (long long)to);
    return true;
}

static bool parse_echo(struct req *r, json_object *body, struct reply *rp)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "echo_id", &v);
    if (!v)
        return true;
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    size_t len = s ? (size_t)json_object_get_string_len(v) : 0;
    if (!s || len > MAX_ECHO_ID || strlen(s) != len || !text_valid_utf8(s, len)) {
        req_reply_errorf(r, 422, "echo_id must be a string of at most %d bytes", MAX_ECHO_ID);
        return false;
    }
    rp->echo_id = len ? s : NULL; /* "" names nothing */
    return true;
}

/* The message this conversation already holds under echo_id, or 0. A
 * client that lost our answer sends its create again with the same
 * echo_id; it gets what was stored the first time, and nothing more is
 * queued for SMS. The handler's transaction (and the unique index) make
 * two racing copies one. */
static int64_t stored_echo(struct db *db, int64_t conv, const char *echo_id)
{
    if (!echo_id)
        return 0;
    return db_int(db, 0, "SELECT id FROM messages WHERE conversation_id = ? AND echo_id = ?", "it",
                  conv, echo_id);
}

/* Why this reply may not be added now (an owned sentence), or NULL. */
static char *refusal(struct req *r, int64_t conv, const struct reply *rp)
{
    struct db *db = r->db;
    if (db_int(db, 0, "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND created_at > ?",
               "id", conv, db_now() - 60.0) >= FLOOD_PER_MINUTE)
        return xasprintf("Too many messages in this conversation: at most %d a minute",
                         FLOOD_PER_MINUTE);
    if (rp->is_private)
        return NULL;
    int64_t contact = db_int(db, 0, "SELECT contact_id FROM conversations WHERE id = ?", "i", conv);
    return ops_contact_unreachable(db, contact);
}

/* ---- multipart/form-data: a message with files ------------------------------ */

static bool text_part(const struct req_part *p)
{
    const char *s = p->data.data ? p->data.data : "";
    return strlen(s) == p->data.len && text_valid_utf8(s, p->data.len);
}

static bool is_file_part(const struct req_part *p)
{
    return strcmp(p->name, "attachments[]") == 0 || strcmp(p->name, "attachments") == 0;
}

/* The form's fields as the JSON body would have them (Rails reads both
 * alike): text fields as strings, private as a boolean,
 * content_attributes as the JSON it holds; the files into rp. NULL after a
 * 422. Owned. */
static json_object *form_body(struct req *r, struct reply *rp)
{
    static const char *const fields[] = {"content",      "private",      "echo_id",
                                         "message_type", "content_type", "content_attributes"};
    json_object *body = json_object_new_object();
    for (size_t i = 0; i < r->nparts; i++) {
        const struct req_part *p = &r->parts[i];
        if (is_file_part(p)) {
            if (rp->nfiles == FILES_MAX) {
                req_reply_errorf(r, 422, "at most %d attachments go with one message", FILES_MAX);
                goto fail;
            }
            if (p->data.len == 0) {
                req_reply_errorf(r, 422, "attachment %zu is empty", rp->nfiles + 1);
                goto fail;
            }
            rp->files[rp->nfiles++] = p;
            continue;
        }
        const char *known = NULL;
        for (size_t f = 0; f < sizeof fields / sizeof fields[0] && !known; f++)
            if (strcmp(p->name, fields[f]) == 0)
                known = fields[f];
        if (!known || json_object_object_get_ex(body, known, NULL))
            continue; /* Rails permits what it knows; the first value counts */
        if (!text_part(p)) {
            req_reply_errorf(r, 422, "%s must be text (valid UTF-8, no NUL)", known);
            goto fail;
        }
        const char *v = p->data.data ? p->data.data : "";
        json_object *val;
        if (strcmp(known, "private") == 0) {
            bool yes = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
            if (!yes && strcmp(v, "false") != 0 && strcmp(v, "0") != 0 && *v) {
                req_reply_error(r, 422, "private must be true or false");
                goto fail;
            }
            val = json_object_new_boolean(yes);
        } else if (strcmp(known, "content_attributes") == 0) {
            val = json_tokener_parse(v);
            if (!val) {
                req_reply_error(r, 422, "content_attributes must be an object");
                goto fail;
            }
        } else {
            val = json_object_new_string_len(v, (int)p->data.len);
        }
        json_object_object_add(body, known, val);
    }
    return body;
fail:
    json_object_put(body);
    return NULL;
}

/* The type a file is stored and sent as: what its part says, when that
 * is a media type. */
static const char *file_type_of(const struct req_part *p)
{
    return attach_type_ok(p->content_type) ? p->content_type : "application/octet-stream";
}

void api_messages_create(struct req *r)
{
    int64_t conv = path_conv(r);
    if (!conv)
        return;
    struct reply rp = {0};
    json_object *form = NULL, *body;
    if (multipart_is(r->content_type)) {
        if (!(body = form = form_body(r, &rp)))
            return;
    } else if (!(body = req_json(r))) {
        return;
    }
    char *why = NULL;
    if (!parse_content(r, body, &rp) || !parse_kind(r, body, &rp) ||
        !parse_attributes(r, body, conv, &rp) || !parse_echo(r, body, &rp))
        goto out;
    /* Before the refusals: a reply stored before the contact opted out is
     * still the stored reply. */
    int64_t again = stored_echo(r->db, conv, rp.echo_id);
    if (again) {
        log_info("message create with echo_id already stored as %lld in conversation %lld: "
                 "answered with it, nothing sent again",
                 (long long)again, (long long)conv);
        req_reply_json(r, 200, render_message(r->db, again));
        goto out;
    }
    if ((why = refusal(r, conv, &rp))) {
        req_reply_error(r, 422, why);
        goto out;
    }
    struct ops_message m = {
        .conv_id = conv,
        .content = rp.content,
        .type = OPS_OUTGOING,
        .is_private = rp.is_private,
        .content_type = rp.content_type,
        .content_attributes = rp.attributes,
        .sender_type = "User",
        .sender_id = r->agent.id,
        .echo_id = rp.echo_id,
    };
    int64_t id = ops_message_add(r->db, &m);
    if (!id) {
        req_reply_error(r, 422, "the message could not be stored");
        goto out;
    }
    for (size_t i = 0; i < rp.nfiles; i++)
        attach_store(r->db, id, rp.files[i]->filename, file_type_of(rp.files[i]),
                     rp.files[i]->data.data, rp.files[i]->data.len);
    if (!rp.is_private && r->twd->sender)
        sender_wake(r->twd->sender);
    req_reply_json(r, 200, render_message(r->db, id));
out:
    free(why);
    free(rp.attributes);
    json_object_put(form);
}

/* ---- delete --------------------------------------------------------------- */

void api_messages_delete(struct req *r)
{
    int64_t conv = path_conv(r);
    if (!conv)
        return;
    struct db *db = r->db;
    int64_t id = r->params[1];
    if (!db_int(db, 0, "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?", "ii", id,
                conv)) {
        req_not_found(r);
        return;
    }
    db_exec(db,
            "UPDATE messages SET content = ?, content_attributes = json_set(CASE WHEN "
            "json_valid(content_attributes) THEN content_attributes ELSE '{}' END, "
            "'$.deleted', json('true')), updated_at = ? WHERE id = ?",
            "tdi", DELETED_TEXT, db_now(), id);
    changes_note(db, CHANGE_MESSAGE_UPDATED, id, 0, false);
    /* A reply still in the outbox stays there: the sender sees the deleted
     * flag and drops it rather than texting "This message was deleted". */
    ops_touch(db, conv);
    req_reply_json(r, 200, render_message(db, id));
}
