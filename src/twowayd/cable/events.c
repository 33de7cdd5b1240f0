/* events — committed changes as Chatwoot's ActionCable events. The data
 * objects are the REST shapes (render.c) with what Chatwoot's
 * push_event_data adds: account_id everywhere, and on a message the slim
 * conversation the dashboard reads its last activity from. */
#include <stdlib.h>
#include <string.h>

#include "cable/cable_priv.h"
#include "http/render.h"
#include "store/db.h"
#include "twoway/xmalloc.h"

static const char *const event_names[] = {
    [CHANGE_MESSAGE_CREATED] = "message.created",
    [CHANGE_MESSAGE_UPDATED] = "message.updated",
    [CHANGE_CONV_CREATED] = "conversation.created",
    [CHANGE_CONV_STATUS] = "conversation.status_changed",
    [CHANGE_CONV_UPDATED] = "conversation.updated",
    [CHANGE_CONV_ASSIGNEE] = "assignee.changed",
    [CHANGE_CONV_TEAM] = "team.changed",
    [CHANGE_CONV_READ] = "conversation.read",
    [CHANGE_TYPING_ON] = "conversation.typing_on",
    [CHANGE_TYPING_OFF] = "conversation.typing_off",
    [CHANGE_CONTACT_UPDATED] = "contact.updated",
    [CHANGE_CONTACT_CREATED] = "contact.created",
};

/* Who may see a conversation: the members of its inbox and the
 * administrators of its account (as ops_agent_sees_conv). */
static bool conv_audience(struct db *db, int64_t conv_id, struct cable_event *ev)
{
    sqlite3_stmt *st =
        db_prepare(db, "SELECT account_id, inbox_id FROM conversations WHERE id = ?");
    db_bindv(st, "i", conv_id);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    int64_t inbox = 0;
    if (found) {
        ev->account_id = sqlite3_column_int64(st, 0);
        inbox = sqlite3_column_int64(st, 1);
    }
    db_done(db, st);
    if (!found)
        return false;
    st = db_prepare(db, "SELECT agent_id FROM inbox_members WHERE inbox_id = ? UNION "
                        "SELECT id FROM agents WHERE account_id = ? AND role = 'administrator'");
    db_bindv(st, "ii", inbox, ev->account_id);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ev->nagents == cap) {
            cap = cap ? cap * 2 : 8;
            ev->agents = xreallocarray(ev->agents, cap, sizeof *ev->agents);
        }
        ev->agents[ev->nagents++] = sqlite3_column_int64(st, 0);
    }
    db_done(db, st);
    return true;
}

/* What Chatwoot's message push_event_data carries of its conversation. */
static json_object *message_conversation(struct db *db, int64_t conv_id)
{
    sqlite3_stmt *st = db_prepare(
        db, "SELECT c.assignee_id, c.last_activity_at, ci.source_id, "
            "(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
            "  AND m.message_type = 0 AND m.created_at > COALESCE(c.agent_last_seen_at, 0) "
            "  LIMIT 10)) "
            "FROM conversations c LEFT JOIN contact_inboxes ci ON ci.id = c.contact_inbox_id "
            "WHERE c.id = ?");
    db_bindv(st, "i", conv_id);
    json_object *o = json_object_new_object();
    if (sqlite3_step(st) == SQLITE_ROW) {
        ADD(o, "assignee_id",
            sqlite3_column_type(st, 0) == SQLITE_NULL
                ? NULL
                : json_object_new_int64(sqlite3_column_int64(st, 0)));
        ADD(o, "unread_count", json_object_new_int(sqlite3_column_int(st, 3)));
        ADD(o, "last_activity_at", render_epoch(sqlite3_column_double(st, 1)));
        json_object *ci = json_object_new_object();
        const unsigned char *src = sqlite3_column_text(st, 2);
        ADD(ci, "source_id", src ? json_object_new_string((const char *)src) : NULL);
        ADD(o, "contact_inbox", ci);
    }
    db_done(db, st);
    return o;
}

static json_object *message_data(struct db *db, int64_t message_id, struct cable_event *ev)
{
    int64_t conv =
        db_int(db, 0, "SELECT conversation_id FROM messages WHERE id = ?", "i", message_id);
    if (!conv || !conv_audience(db, conv, ev))
        return NULL;
    json_object *o = render_message(db, message_id);
    if (o)
        ADD(o, "conversation", message_conversation(db, conv));
    return o;
}

static json_object *typing_data(struct db *db, const struct change *c, struct cable_event *ev)
{
    if (!conv_audience(db, c->id, ev))
        return NULL;
    json_object *conv = render_conversation(db, c->id, 0);
    json_object *user = render_agent_sender(db, c->actor);
    if (!conv || !user) {
        json_object_put(conv);
        json_object_put(user);
        return NULL;
    }
    json_object *o = json_object_new_object();
    ADD(o, "conversation", conv);
    ADD(o, "user", user);
    ADD(o, "is_private", json_object_new_boolean(c->flag));
    ev->except = c->actor;
    return o;
}

static json_object *contact_data(struct db *db, int64_t contact_id, struct cable_event *ev)
{
    ev->account_id = db_int(db, 0, "SELECT account_id FROM contacts WHERE id = ?", "i", contact_id);
    json_object *o = ev->account_id ? render_contact_slim(db, contact_id) : NULL;
    if (o)
        ADD(o, "type", json_object_new_string("contact"));
    ev->whole_account = true;
    return o;
}

bool cable_event_render(struct db *db, const struct change *c, struct cable_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if ((size_t)c->kind >= sizeof event_names / sizeof event_names[0])
        return false;
    ev->name = event_names[c->kind];
    json_object *data = NULL;
    switch (c->kind) {
    case CHANGE_MESSAGE_CREATED:
    case CHANGE_MESSAGE_UPDATED:
        data = message_data(db, c->id, ev);
        break;
    case CHANGE_TYPING_ON:
    case CHANGE_TYPING_OFF:
        data = typing_data(db, c, ev);
        break;
    case CHANGE_CONTACT_UPDATED:
    case CHANGE_CONTACT_CREATED:
        data = contact_data(db, c->id, ev);
        break;
    default: /* the conversation events */
        if (conv_audience(db, c->id, ev))
            data = render_conversation(db, c->id, 0);
        break;
    }
    if (!data) {
        cable_event_clear(ev);
        return false;
    }
    ADD(data, "account_id", json_object_new_int64(ev->account_id));
    json_object *msg = json_object_new_object();
    ADD(msg, "event", json_object_new_string(ev->name));
    ADD(msg, "data", data);
    ev->message = xstrdup(json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(msg);
    return true;
}

void cable_event_clear(struct cable_event *ev)
{
    free(ev->message);
    free(ev->agents);
    memset(ev, 0, sizeof *ev);
}

bool cable_event_for(const struct cable_event *ev, const struct req_agent *a)
{
    if (a->account_id != ev->account_id || a->id == ev->except)
        return false;
    if (ev->whole_account)
        return true;
    for (size_t i = 0; i < ev->nagents; i++)
        if (ev->agents[i] == a->id)
            return true;
    return false;
}
