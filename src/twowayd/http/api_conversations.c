/* api_conversations — the conversation endpoints (doc/api.md §3), one
 * conversation: show, create, update; and the helpers the list and the
 * actions (api_conv_list.c, api_conv_actions.c) share.
 *
 * Every conversation named in a path goes through ops_conv_for_agent, so an
 * agent never learns of a conversation outside their inboxes (404). State
 * changes go through ops (activity lines, updated_at), JSON through render.
 * Bad input answers 422 where Chatwoot would raise and answer 500. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/api_conv_priv.h"
#include "store/changes.h"
#include "store/db.h"
#include "store/ops.h"
#include "http/render.h"
#include "http/req.h"
#include "twilio/sender.h"
#include "twd.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

const char *const api_conv_statuses[] = {"open", "resolved", "pending", "snoozed", NULL};
const char *const api_conv_priorities[] = {"low", "medium", "high", "urgent", NULL};

/* The element of set equal to s (static storage), or NULL. */
const char *api_conv_in_set(const char *const *set, const char *s)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(set[i], s) == 0)
            return set[i];
    return NULL;
}

/* A query argument, with "" taken as absent (as Rails' .present?). */
const char *api_conv_arg(const struct req *r, const char *key)
{
    const char *v = req_arg(r, key);
    return v && *v ? v : NULL;
}

/* A non-negative decimal id, nothing else (no sign, no spaces). */
bool api_conv_parse_id(const char *s, int64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* The conversation named by the path, or 0 after answering 404. */
int64_t api_conv_path_conv(struct req *r)
{
    int64_t id = ops_conv_for_agent(r->db, &r->agent, r->params[0]);
    if (!id)
        req_not_found(r);
    return id;
}

/* An optional id in a JSON body. */

enum field api_conv_body_id(json_object *body, const char *key, int64_t *out)
{
    bool is_null = false;
    if (!req_json_has(body, key))
        return FIELD_ABSENT;
    if (!req_json_int(body, key, out, &is_null) || (!is_null && *out < 0))
        return FIELD_BAD;
    return is_null ? FIELD_NULL : FIELD_SET;
}

/* ---- one conversation ---------------------------------------------------- */

static void reply_conversation(struct req *r, int64_t conv)
{
    json_object *o = render_conversation(r->db, conv, r->agent.id);
    if (o)
        req_reply_json(r, 200, o);
    else
        req_not_found(r);
}

void api_conversations_show(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    if (conv)
        reply_conversation(r, conv);
}

/* Is agent_id an agent of this account who belongs to the inbox? */
bool api_conv_assignable(struct req *r, int64_t agent_id, int64_t inbox_id)
{
    return db_int(r->db, 0,
                  "SELECT 1 FROM agents a JOIN inbox_members m ON m.agent_id = a.id "
                  "WHERE a.id = ? AND a.account_id = ? AND m.inbox_id = ?",
                  "iii", agent_id, r->agent.account_id, inbox_id) == 1;
}

bool api_conv_team_of_account(struct req *r, int64_t team_id)
{
    return db_int(r->db, 0, "SELECT 1 FROM teams WHERE id = ? AND account_id = ?", "ii", team_id,
                  r->agent.account_id) == 1;
}

/* What POST conversations asks for, checked before anything is written. */
struct new_conv {
    int64_t inbox, contact, assignee, team;
    const char *status;
    const char *content; /* first message, or NULL */
    char *attributes;    /* owned JSON text, or NULL */
};

/* The contact: contact_id in this account, else the inbox's source_id. */
static bool create_contact(struct req *r, json_object *body, struct new_conv *nc)
{
    struct db *db = r->db;
    int64_t id = 0;
    enum field f = api_conv_body_id(body, "contact_id", &id);
    if (f == FIELD_BAD) {
        req_reply_error(r, 422, "contact_id must be an integer");
        return false;
    }
    if (f == FIELD_SET) {
        nc->contact = db_int(db, 0, "SELECT id FROM contacts WHERE id = ? AND account_id = ?", "ii",
                             id, r->agent.account_id);
    } else if (req_json_str(body, "source_id")) {
        nc->contact =
            db_int(db, 0,
                   "SELECT ct.id FROM contact_inboxes ci JOIN contacts ct "
                   "ON ct.id = ci.contact_id WHERE ci.inbox_id = ? AND ci.source_id = ? "
                   "AND ct.account_id = ?",
                   "iti", nc->inbox, req_json_str(body, "source_id"), r->agent.account_id);
    } else {
        req_reply_error(r, 422, "contact_id (or source_id) is required");
        return false;
    }
    if (!nc->contact) {
        req_not_found(r);
        return false;
    }
    /* Every inbox here is SMS: the phone number is where replies go. */
    if (!db_int(db, 0, "SELECT 1 FROM contacts WHERE id = ? AND COALESCE(phone_number, '') != ''",
                "i", nc->contact)) {
        req_reply_error(r, 422, "param is missing or the value is empty: contact phone number");
        return false;
    }
    return true;
}

static bool create_people(struct req *r, json_object *body, struct new_conv *nc)
{
    enum field f = api_conv_body_id(body, "assignee_id", &nc->assignee);
    if (f == FIELD_BAD ||
        (f == FIELD_SET && nc->assignee && !api_conv_assignable(r, nc->assignee, nc->inbox))) {
        req_reply_error(r, 422,
                        "assignee_id must be an agent of this account who is a member "
                        "of the conversation's inbox");
        return false;
    }
    if (f != FIELD_SET)
        nc->assignee = 0;
    f = api_conv_body_id(body, "team_id", &nc->team);
    if (f == FIELD_BAD || (f == FIELD_SET && nc->team && !api_conv_team_of_account(r, nc->team))) {
        req_reply_error(r, 422, "team_id must be a team of this account");
        return false;
    }
    if (f != FIELD_SET)
        nc->team = 0;
    return true;
}

static bool create_message(struct req *r, json_object *body, struct new_conv *nc)
{
    json_object *m = NULL, *c = NULL;
    json_object_object_get_ex(body, "message", &m);
    if (!m)
        return true;
    if (!json_object_is_type(m, json_type_object)) {
        req_reply_error(r, 422, "message must be an object with a content string");
        return false;
    }
    json_object_object_get_ex(m, "content", &c);
    if (!c)
        return true;
    if (!json_object_is_type(c, json_type_string)) {
        req_reply_error(r, 422, "message.content must be a string");
        return false;
    }
    const char *why =
        ops_content_problem(json_object_get_string(c), (size_t)json_object_get_string_len(c));
    if (why) {
        req_reply_errorf(r, 422, "message.%s", why);
        return false;
    }
    if (json_object_get_string_len(c) == 0)
        return true;
    nc->content = json_object_get_string(c);
    char *unreachable = ops_contact_unreachable(r->db, nc->contact);
    if (unreachable) {
        req_reply_error(r, 422, unreachable);
        free(unreachable);
        return false;
    }
    return true;
}

static bool create_parse(struct req *r, json_object *body, struct new_conv *nc)
{
    int64_t inbox = 0;
    if (api_conv_body_id(body, "inbox_id", &inbox) != FIELD_SET) {
        req_reply_error(r, 422, "inbox_id is required and must be an integer");
        return false;
    }
    if (!ops_agent_sees_inbox(r->db, &r->agent, inbox)) {
        req_not_found(r);
        return false;
    }
    nc->inbox = inbox;
    if (!create_contact(r, body, nc) || !create_people(r, body, nc))
        return false;
    nc->status = "open";
    json_object *sv = NULL;
    json_object_object_get_ex(body, "status", &sv);
    if (sv) {
        const char *s = req_json_str(body, "status");
        if (!s || !(nc->status = api_conv_in_set(api_conv_statuses, s))) {
            req_reply_error(r, 422, "status must be one of open, resolved, pending, snoozed");
            return false;
        }
    }
    if (!(nc->attributes = req_json_object_text(r, body, "custom_attributes")))
        return false;
    return create_message(r, body, nc);
}

void api_conversations_create(struct req *r)
{
    json_object *body = req_json(r);
    if (!body)
        return;
    struct db *db = r->db;
    struct new_conv nc = {0};
    if (!create_parse(r, body, &nc)) {
        free(nc.attributes);
        return;
    }
    int64_t conv = ops_conv_create(db, nc.inbox, nc.contact, nc.status);
    db_exec(db, "UPDATE conversations SET custom_attributes = ? WHERE id = ?", "ti", nc.attributes,
            conv);
    free(nc.attributes);
    if (nc.assignee)
        ops_set_assignee(db, conv, nc.assignee, r->agent.id);
    if (nc.team)
        ops_set_team(db, conv, nc.team, r->agent.id);
    if (nc.content) {
        struct ops_message m = {
            .conv_id = conv,
            .content = nc.content,
            .type = OPS_OUTGOING,
            .sender_type = "User",
            .sender_id = r->agent.id,
        };
        if (!ops_message_add(db, &m)) {
            req_reply_error(r, 422, "the message could not be stored");
            return;
        }
        if (r->twd->sender)
            sender_wake(r->twd->sender);
    }
    reply_conversation(r, conv);
}

/* The priority a body asks for (NULL = none); false after a 422. */
bool api_conv_body_priority(struct req *r, json_object *body, const char **out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(body, "priority", &v)) {
        req_reply_error(r, 422,
                        "priority is required: low, medium, high, urgent, or null to "
                        "remove it");
        return false;
    }
    *out = NULL;
    if (!v || (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0))
        return true;
    if (json_object_is_type(v, json_type_string) &&
        (*out = api_conv_in_set(api_conv_priorities, json_object_get_string(v))))
        return true;
    req_reply_error(r, 422, "priority must be low, medium, high, urgent, or null to remove it");
    return false;
}

void api_conversations_update(struct req *r)
{
    int64_t conv = api_conv_path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    struct db *db = r->db;
    const char *priority = NULL;
    bool set_priority = req_json_has(body, "priority");
    if (set_priority && !api_conv_body_priority(r, body, &priority))
        return;
    char *attributes = NULL;
    if (req_json_has(body, "custom_attributes") &&
        !(attributes = req_json_object_text(r, body, "custom_attributes")))
        return;
    if (set_priority)
        ops_set_priority(db, conv, priority, r->agent.id);
    if (attributes) {
        db_exec(db, "UPDATE conversations SET custom_attributes = ? WHERE id = ?", "ti", attributes,
                conv);
        ops_touch(db, conv);
        changes_note(db, CHANGE_CONV_UPDATED, conv, 0, false);
        free(attributes);
    }
    reply_conversation(r, conv);
}
