/* cmd_json — the records `--json` prints, one object per item, so scripts
 * can pipe them into jq. Times are ISO-8601 UTC strings (null for none). */
#include <json-c/json.h>
#include <stdlib.h>

#include "cmd_priv.h"
#include "twoway/timeutil.h"

static void add_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
    json_object_object_add(o, k, json_object_new_int64(v));
}

/* A string, or null when empty. */
static json_object *str_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

json_object *cmd_json_time(int64_t epoch)
{
    if (epoch <= 0)
        return NULL;
    char *iso = timeutil_iso8601(epoch);
    json_object *o = json_object_new_string(iso);
    free(iso);
    return o;
}

json_object *cmd_json_ref(int64_t id, const char *name)
{
    if (!id)
        return NULL;
    json_object *o = json_object_new_object();
    add_int(o, "id", id);
    add_str(o, "name", name);
    return o;
}

const char *cmd_json_direction(const struct message *m)
{
    switch (m->type) {
    case MSG_INCOMING:
        return "incoming";
    case MSG_OUTGOING:
        return m->is_private ? "note" : "outgoing";
    case MSG_ACTIVITY:
        return "activity";
    case MSG_TEMPLATE:
        return "template";
    }
    return "outgoing";
}

static const char *sender_kind_name(enum sender_kind k)
{
    switch (k) {
    case SENDER_CONTACT:
        return "contact";
    case SENDER_AGENT:
        return "agent";
    case SENDER_BOT:
        return "bot";
    case SENDER_NONE:
        break;
    }
    return "system";
}

static json_object *kv_object(const struct kv *kv, size_t n)
{
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < n; i++)
        add_str(o, kv[i].key, kv[i].value);
    return o;
}

json_object *cmd_json_message(const struct message *m)
{
    json_object *o = json_object_new_object();
    add_int(o, "id", m->id);
    add_int(o, "conversation", m->conv_id);
    add_str(o, "direction", cmd_json_direction(m));
    if (m->sender_kind == SENDER_NONE && !m->sender_id) {
        json_object_object_add(o, "sender", NULL);
    } else {
        json_object *s = json_object_new_object();
        add_str(s, "kind", sender_kind_name(m->sender_kind));
        add_int(s, "id", m->sender_id);
        add_str(s, "name", m->sender_name);
        json_object_object_add(o, "sender", s);
    }
    add_str(o, "status", model_msg_status_name(m->status));
    json_object_object_add(o, "error", str_or_null(m->external_error));
    add_str(o, "content", m->content);
    json_object_object_add(o, "created_at", cmd_json_time(m->created_at));
    if (m->echo_id && *m->echo_id)
        add_str(o, "echo_id", m->echo_id);
    json_object *att = json_object_new_array();
    for (size_t i = 0; i < m->nattachments; i++) {
        const struct attachment *a = &m->attachments[i];
        json_object *x = json_object_new_object();
        add_str(x, "file_type", a->file_type);
        add_str(x, "url", a->url);
        add_str(x, "extension", a->extension);
        add_int(x, "size", a->size);
        json_object_array_add(att, x);
    }
    json_object_object_add(o, "attachments", att);
    return o;
}

json_object *cmd_json_conversation(const struct conversation *c)
{
    json_object *o = json_object_new_object();
    add_int(o, "id", c->id);
    json_object *ct = json_object_new_object();
    add_int(ct, "id", c->contact.id);
    add_str(ct, "name", c->contact.name);
    add_str(ct, "phone", c->contact.phone);
    json_object_object_add(o, "contact", ct);
    add_str(o, "status", model_status_name(c->status));
    json_object_object_add(o, "priority",
                           c->priority == PRIORITY_NONE
                               ? NULL
                               : json_object_new_string(model_priority_name(c->priority)));
    json_object_object_add(o, "assignee", cmd_json_ref(c->assignee_id, c->assignee_name));
    json_object_object_add(o, "team", cmd_json_ref(c->team_id, c->team_name));
    json_object *labels = json_object_new_array();
    for (size_t i = 0; i < c->nlabels; i++)
        json_object_array_add(labels, json_object_new_string(c->labels[i]));
    json_object_object_add(o, "labels", labels);
    add_int(o, "unread", c->unread);
    json_object_object_add(o, "waiting_since", cmd_json_time(c->waiting_since));
    json_object_object_add(o, "last_activity_at", cmd_json_time(c->last_activity_at));
    if (c->status == CONV_SNOOZED)
        json_object_object_add(o, "snoozed_until", cmd_json_time(c->snoozed_until));
    if (c->has_last) {
        json_object *m = json_object_new_object();
        add_int(m, "id", c->last.id);
        add_str(m, "direction", cmd_json_direction(&c->last));
        add_str(m, "content", c->last.content);
        json_object_object_add(m, "created_at", cmd_json_time(c->last.created_at));
        json_object_object_add(o, "last_message", m);
    } else {
        json_object_object_add(o, "last_message", NULL);
    }
    return o;
}

json_object *cmd_json_contact(const struct contact *c)
{
    json_object *o = json_object_new_object();
    add_int(o, "id", c->id);
    add_str(o, "name", c->name);
    add_str(o, "phone", c->phone);
    add_str(o, "email", c->email);
    add_str(o, "identifier", c->identifier);
    json_object_object_add(o, "opted_out", json_object_new_boolean(c->opted_out));
    json_object_object_add(o, "opted_out_at", cmd_json_time(c->opted_out_at));
    json_object_object_add(o, "attributes", kv_object(c->attrs, c->nattrs));
    return o;
}

json_object *cmd_json_agent(const struct agent *a)
{
    json_object *o = json_object_new_object();
    add_int(o, "id", a->id);
    add_str(o, "name", a->name);
    add_str(o, "email", a->email);
    add_str(o, "role", a->role);
    add_str(o, "availability", a->availability);
    return o;
}

json_object *cmd_json_team(const struct team *t)
{
    json_object *o = json_object_new_object();
    add_int(o, "id", t->id);
    add_str(o, "name", t->name);
    add_str(o, "description", t->description);
    json_object_object_add(o, "is_member", json_object_new_boolean(t->is_member));
    return o;
}

json_object *cmd_json_label(const struct label *l)
{
    json_object *o = json_object_new_object();
    add_int(o, "id", l->id);
    add_str(o, "title", l->title);
    add_str(o, "description", l->description);
    add_str(o, "color", l->color);
    return o;
}

json_object *cmd_json_template(const struct template *t)
{
    json_object *o = json_object_new_object();
    if (t->id)
        add_int(o, "id", t->id);
    add_str(o, "short_code", t->short_code);
    add_str(o, "content", t->content);
    add_str(o, "source", t->local ? "local" : "server");
    return o;
}

json_object *cmd_json_dir(enum dir_kind k, const void *rec)
{
    switch (k) {
    case DIR_AGENTS:
        return cmd_json_agent(rec);
    case DIR_TEAMS:
        return cmd_json_team(rec);
    case DIR_LABELS:
        return cmd_json_label(rec);
    case DIR_TEMPLATES:
        return cmd_json_template(rec);
    default:
        return json_object_new_object();
    }
}
