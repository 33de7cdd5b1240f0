/* api_conv_actions — what an agent does to one conversation: status and
 * snooze, priority, read state, typing, assignment, labels (doc/api.md
 * §3.8–3.13). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/api_conv_priv.h"
#include "store/changes.h"
#include "store/db.h"
#include "store/ops.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

#define MAX_LABELS 100

/* ---- actions ------------------------------------------------------------- */

/* snoozed_until as Chatwoot parses it (strptime "%s"): whole epoch seconds,
 * as a JSON integer or a string of digits. 0 if absent or null; -1 after a
 * 422. */
static double body_snooze(struct req *r, json_object *body)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "snoozed_until", &v);
    if (!v)
        return 0;
    int64_t t = -1;
    if (json_object_is_type(v, json_type_int))
        t = json_object_get_int64(v);
    else if (json_object_is_type(v, json_type_string) &&
             !api_conv_parse_id(json_object_get_string(v), &t))
        t = -1;
    if (t <= 0 || t > MAX_EPOCH) {
        req_reply_error(r, 422,
                        "snoozed_until must be a time in whole epoch seconds "
                        "(e.g. 1767225600)");
        return -1;
    }
    return (double)t;
}

/* The status asked for; no status flips open ↔ resolved (anything else
 * opens). NULL after a 422. */
static const char *body_status(struct req *r, json_object *body, int64_t conv)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "status", &v);
    if (v && !json_object_is_type(v, json_type_string)) {
        req_reply_error(r, 422, "status must be one of open, resolved, pending, snoozed");
        return NULL;
    }
    if (!v || json_object_get_string_len(v) == 0) {
        return db_int(r->db, 0, "SELECT status = 'open' FROM conversations WHERE id = ?", "i", conv)
                   ? "resolved"
                   : "open";
    }
    const char *s = api_conv_in_set(api_conv_statuses, json_object_get_string(v));
    if (!s)
        req_reply_error(r, 422, "status must be one of open, resolved, pending, snoozed");
    return s;
}

void api_conversations_toggle_status(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    struct db *db = r->db;
    const char *status = body_status(r, body, conv);
    if (!status)
        return;
    /* Checked whatever the status, as Chatwoot parses it before saving. */
    double until = body_snooze(r, body);
    if (until < 0)
        return;
    ops_set_status(db, conv, status, until, r->agent.id);

    json_object *payload = json_object_new_object();
    sqlite3_stmt *st = db_prepare(db, "SELECT status, snoozed_until, display_id "
                                      "FROM conversations WHERE id = ?");
    db_bindv(st, "i", conv);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ADD(payload, "success", json_object_new_boolean(1));
        ADD(payload, "conversation_id", json_object_new_int64(sqlite3_column_int64(st, 2)));
        ADD(payload, "current_status",
            json_object_new_string((const char *)sqlite3_column_text(st, 0)));
        ADD(payload, "snoozed_until",
            render_iso(sqlite3_column_type(st, 1) == SQLITE_NULL ? 0
                                                                 : sqlite3_column_double(st, 1)));
    }
    db_done(db, st);
    json_object *o = json_object_new_object();
    ADD(o, "meta", json_object_new_object());
    ADD(o, "payload", payload);
    req_reply_json(r, 200, o);
}

void api_conversations_toggle_priority(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    const char *priority;
    if (!body || !api_conv_body_priority(r, body, &priority))
        return;
    ops_set_priority(r->db, conv, priority, r->agent.id);
    req_reply_empty(r, 200);
}

/* Read state: agent_last_seen_at, and the assignee's too when the agent is
 * the assignee (t = 0: never seen). */
static void set_last_seen(struct req *r, int64_t conv, double t)
{
    db_exec(r->db,
            "UPDATE conversations SET agent_last_seen_at = NULLIF(?1, 0), "
            "assignee_last_seen_at = CASE WHEN assignee_id = ?2 THEN NULLIF(?1, 0) "
            "ELSE assignee_last_seen_at END, updated_at = ?3 WHERE id = ?4",
            "didi", t, r->agent.id, db_now(), conv);
    changes_note(r->db, CHANGE_CONV_READ, conv, 0, false);
}

void api_conversations_update_last_seen(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    if (!conv)
        return;
    set_last_seen(r, conv, db_now());
    req_reply_empty(r, 200);
}

void api_conversations_unread(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    if (!conv)
        return;
    /* As Chatwoot: a second before the newest incoming message, so that
     * message (at least) counts as unread again. */
    sqlite3_stmt *st = db_prepare(r->db, "SELECT MAX(created_at) FROM messages "
                                         "WHERE conversation_id = ? AND message_type = 0");
    db_bindv(st, "i", conv);
    double t = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        t = sqlite3_column_double(st, 0) - 1.0;
    db_done(r->db, st);
    set_last_seen(r, conv, t > 0 ? t : 0);
    req_reply_empty(r, 200);
}

void api_conversations_toggle_typing(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    const char *s = req_json_str(body, "typing_status");
    if (!s || (strcmp(s, "on") != 0 && strcmp(s, "off") != 0)) {
        req_reply_error(r, 422, "typing_status must be \"on\" or \"off\"");
        return;
    }
    json_object *p = NULL;
    json_object_object_get_ex(body, "is_private", &p);
    if (p && !json_object_is_type(p, json_type_boolean)) {
        req_reply_error(r, 422, "is_private must be true or false");
        return;
    }
    /* Nothing is stored: the note only travels to the other agents'
     * ActionCable connections, once this request's transaction ends. */
    changes_note(r->db, strcmp(s, "on") == 0 ? CHANGE_TYPING_ON : CHANGE_TYPING_OFF, conv,
                 r->agent.id, p && json_object_get_boolean(p));
    req_reply_empty(r, 200);
}

static void assign_agent(struct req *r, json_object *body, int64_t conv)
{
    struct db *db = r->db;
    int64_t id = 0;
    enum field f = api_conv_body_id(body, "assignee_id", &id);
    if (f == FIELD_BAD) {
        req_reply_error(r, 422, "assignee_id must be an integer or null");
        return;
    }
    if (f == FIELD_NULL || id == 0) {
        ops_set_assignee(db, conv, 0, r->agent.id);
        req_reply_json(r, 200, NULL);
        return;
    }
    int64_t inbox = db_int(db, 0, "SELECT inbox_id FROM conversations WHERE id = ?", "i", conv);
    if (!api_conv_assignable(r, id, inbox)) {
        req_reply_error(r, 422,
                        "assignee_id must be an agent of this account who is a member "
                        "of the conversation's inbox");
        return;
    }
    ops_set_assignee(db, conv, id, r->agent.id);
    req_reply_json(r, 200, render_agent(db, id));
}

static void assign_team(struct req *r, json_object *body, int64_t conv)
{
    struct db *db = r->db;
    int64_t id = 0;
    enum field f = api_conv_body_id(body, "team_id", &id);
    if (f == FIELD_BAD) {
        req_reply_error(r, 422, "team_id must be an integer or null");
        return;
    }
    if (f == FIELD_NULL || id == 0) {
        ops_set_team(db, conv, 0, r->agent.id);
        req_reply_json(r, 200, NULL);
        return;
    }
    if (!api_conv_team_of_account(r, id)) {
        req_reply_error(r, 422, "team_id must be a team of this account");
        return;
    }
    ops_set_team(db, conv, id, r->agent.id);
    req_reply_json(r, 200, render_team(db, id, r->agent.id));
}

void api_conversations_assignments(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    /* With assignee_id present, team_id is ignored (as Chatwoot). */
    if (req_json_has(body, "assignee_id"))
        assign_agent(r, body, conv);
    else if (req_json_has(body, "team_id"))
        assign_team(r, body, conv);
    else
        req_reply_error(r, 422, "assignee_id or team_id is required");
}

static void reply_labels(struct req *r, int64_t conv)
{
    json_object *o = json_object_new_object();
    ADD(o, "payload", render_labels(r->db, conv));
    req_reply_json(r, 200, o);
}

void api_conversations_labels_list(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    if (conv)
        reply_labels(r, conv);
}

/* A label title as stored (owned), or NULL. Chatwoot tags freely, so
 * titles that are not account labels are fine. */
static char *label_title(json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return NULL;
    return ops_label_title(json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

void api_conversations_labels_set(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    json_object *arr = NULL;
    json_object_object_get_ex(body, "labels", &arr);
    if (!arr || !json_object_is_type(arr, json_type_array)) {
        req_reply_error(r, 422, "labels must be an array of label titles");
        return;
    }
    size_t n = json_object_array_length(arr);
    if (n > MAX_LABELS) {
        req_reply_errorf(r, 422, "too many labels (at most %d)", MAX_LABELS);
        return;
    }
    char **titles = xcalloc(n ? n : 1, sizeof *titles);
    size_t got = 0;
    for (; got < n; got++) {
        if (!(titles[got] = label_title(json_object_array_get_idx(arr, got))))
            break;
    }
    if (got == n) {
        ops_set_labels(r->db, conv, (const char *const *)titles, (int)n, r->agent.id);
        reply_labels(r, conv);
    } else {
        req_reply_errorf(r, 422,
                         "labels[%zu] must be a non-empty string of at most %d "
                         "characters without control characters",
                         got, OPS_LABEL_MAX);
    }
    for (size_t i = 0; i < got; i++)
        free(titles[i]);
    free(titles);
}
