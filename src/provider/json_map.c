/* json_map — Chatwoot JSON → model records: contacts, messages and
 * conversations.
 *
 * Every getter accepts any json_object (or NULL) and falls back to a
 * neutral value when the type is wrong, so a hostile or merely different
 * server can only produce odd records, never a crash. Every string is
 * copied through text_sanitize(); every array walk stops at MAX_ITEMS. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_map_priv.h"
#include "twoway/buf.h"
#include "json_map.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* ---- contact ---- */

static void contact_init(struct contact *c)
{
    memset(c, 0, sizeof *c);
    c->name = xstrdup("");
    c->phone = xstrdup("");
    c->email = xstrdup("");
    c->identifier = xstrdup("");
}

int json_map_contact(json_object *o, struct contact *out, char **err)
{
    contact_init(out);
    if (!json_object_is_type(o, json_type_object))
        return json_map_fail(err, "contact is not an object");
    out->id = json_map_get_int(o, "id");
    if (out->id <= 0) {
        out->id = 0;
        return json_map_fail(err, "contact without an id");
    }
    json_map_replace(&out->name, json_map_get_text(o, "name", TEXT_SINGLE_LINE));
    json_map_replace(&out->phone, json_map_get_text(o, "phone_number", TEXT_SINGLE_LINE));
    json_map_replace(&out->email, json_map_get_text(o, "email", TEXT_SINGLE_LINE));
    json_map_replace(&out->identifier, json_map_get_text(o, "identifier", TEXT_SINGLE_LINE));
    json_object *ca = json_map_get_obj(o, "custom_attributes");
    out->opted_out = json_map_as_bool(json_map_get(ca, "sms_opt_out"));
    out->opted_out_at = json_map_get_time(ca, "sms_opt_out_at");
    json_map_attrs(ca, &out->attrs, &out->nattrs);
    return 0;
}

/* ---- message ---- */

static void message_init(struct message *m)
{
    memset(m, 0, sizeof *m);
    m->type = MSG_ACTIVITY;
    m->status = MSGST_SENT;
    m->sender_name = xstrdup("");
    m->content = xstrdup("");
    m->external_error = xstrdup("");
    m->echo_id = xstrdup("");
}

/* Unknown kinds are shown as system lines: they must neither look like the
 * customer waiting nor like our reply. */
static enum msg_type map_msg_type(json_object *v)
{
    static const char *const names[] = {"incoming", "outgoing", "activity", "template"};
    int64_t t = -1;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        for (int i = 0; i < 4; i++)
            if (strcmp(s, names[i]) == 0)
                return (enum msg_type)i;
        if (json_map_parse_int_str(s, &t) < 0)
            return MSG_ACTIVITY;
    } else if (json_object_is_type(v, json_type_int)) {
        t = json_object_get_int64(v);
    }
    return t >= 0 && t <= 3 ? (enum msg_type)t : MSG_ACTIVITY;
}

static enum msg_status map_msg_status(const char *s)
{
    if (!s)
        return MSGST_SENT;
    if (strcmp(s, "delivered") == 0)
        return MSGST_DELIVERED;
    if (strcmp(s, "read") == 0)
        return MSGST_READ;
    if (strcmp(s, "failed") == 0)
        return MSGST_FAILED;
    return MSGST_SENT;
}

static enum sender_kind kind_of(const char *type)
{
    if (!type)
        return SENDER_NONE;
    if (strcasecmp(type, "user") == 0)
        return SENDER_AGENT;
    if (strcasecmp(type, "contact") == 0)
        return SENDER_CONTACT;
    if (strcasecmp(type, "agent_bot") == 0 || strcmp(type, "AgentBot") == 0 ||
        strcasecmp(type, "captain_assistant") == 0 || strcmp(type, "Captain::Assistant") == 0)
        return SENDER_BOT;
    return SENDER_NONE;
}

static void map_sender(json_object *o, struct message *m)
{
    json_object *s = json_map_get_obj(o, "sender");
    if (s) {
        m->sender_kind = kind_of(json_map_raw_str(s, "type"));
        if (m->sender_kind == SENDER_NONE)
            m->sender_kind = kind_of(json_map_raw_str(o, "sender_type"));
        m->sender_id = json_map_get_int(s, "id");
        /* Agents show their available_name; contacts have only a name. */
        json_map_replace(&m->sender_name, m->sender_kind == SENDER_CONTACT
                                              ? json_map_get_text(s, "name", TEXT_SINGLE_LINE)
                                              : json_map_get_name2(s, "available_name", "name"));
        return;
    }
    /* Websocket copies and search items carry flat columns instead. */
    m->sender_kind = kind_of(json_map_raw_str(o, "sender_type"));
    if (m->sender_kind != SENDER_NONE)
        m->sender_id = json_map_get_int(o, "sender_id");
    json_map_replace(&m->sender_name, json_map_get_text(o, "sender_name", TEXT_SINGLE_LINE));
}

static const char *file_type_name(json_object *v)
{
    /* Older servers sent the Rails enum index. */
    static const char *const names[] = {"image", "audio", "video", "file", "location", "fallback"};
    if (json_object_is_type(v, json_type_int)) {
        int64_t i = json_object_get_int64(v);
        return i >= 0 && i < 6 ? names[i] : "file";
    }
    return NULL;
}

static void map_attachments(json_object *a, struct message *m)
{
    size_t len = json_map_arr_len(a);
    if (len == 0)
        return;
    m->attachments = xcalloc(len, sizeof *m->attachments);
    for (size_t i = 0; i < len; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        if (!json_object_is_type(o, json_type_object))
            continue;
        struct attachment *at = &m->attachments[m->nattachments++];
        const char *ft = file_type_name(json_map_get(o, "file_type"));
        at->file_type = ft ? xstrdup(ft) : json_map_get_text(o, "file_type", TEXT_SINGLE_LINE);
        at->url = json_map_get_text(o, "data_url", TEXT_SINGLE_LINE);
        at->extension = json_map_get_text(o, "extension", TEXT_SINGLE_LINE);
        at->size = json_map_get_int(o, "file_size");
        if (at->size < 0)
            at->size = 0;
    }
    if (m->nattachments == 0) {
        free(m->attachments);
        m->attachments = NULL;
    }
}

int json_map_message(json_object *o, struct message *out, char **err)
{
    message_init(out);
    if (!json_object_is_type(o, json_type_object))
        return json_map_fail(err, "message is not an object");
    out->id = json_map_get_int(o, "id");
    if (out->id <= 0) {
        out->id = 0;
        return json_map_fail(err, "message without an id");
    }
    out->conv_id = json_map_get_int(o, "conversation_id");
    out->type = map_msg_type(json_map_get(o, "message_type"));
    out->is_private = json_map_get_bool(o, "private", false);
    out->status = map_msg_status(json_map_raw_str(o, "status"));
    map_sender(o, out);
    json_map_replace(&out->content, json_map_get_text(o, "content", TEXT_MULTI_LINE));
    json_object *ca = json_map_get_obj(o, "content_attributes");
    json_map_replace(&out->external_error,
                     json_map_get_text(ca, "external_error", TEXT_SINGLE_LINE));
    out->deleted = json_map_as_bool(json_map_get(ca, "deleted"));
    json_map_replace(&out->echo_id, json_map_get_text(o, "echo_id", TEXT_SINGLE_LINE));
    out->created_at = json_map_get_time(o, "created_at");
    map_attachments(json_map_get(o, "attachments"), out);
    return 0;
}

static int msg_cmp(const void *a, const void *b)
{
    const struct message *x = a, *y = b;
    if (x->created_at != y->created_at)
        return x->created_at < y->created_at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int map_message_item(json_object *o, void *out, char **err)
{
    return json_map_message(o, out, err);
}

static void free_message_item(void *rec)
{
    model_message_free(rec);
}

int json_map_messages(json_object *root, struct message **out, size_t *n, size_t *skipped,
                      char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = json_map_list_of(root, "payload");
    if (!a)
        return json_map_fail(err, "no message list in the answer");
    *n =
        json_map_items(a, sizeof **out, map_message_item, free_message_item, (void **)out, skipped);
    /* Servers promise ascending order; the UI relies on it, so make sure. */
    for (size_t i = 1; i < *n; i++) {
        if (msg_cmp(&(*out)[i - 1], &(*out)[i]) > 0) {
            qsort(*out, *n, sizeof **out, msg_cmp);
            break;
        }
    }
    return 0;
}

/* ---- conversation ---- */

static void conversation_init(struct conversation *c)
{
    memset(c, 0, sizeof *c);
    contact_init(&c->contact);
    message_init(&c->last);
    c->assignee_name = xstrdup("");
    c->team_name = xstrdup("");
    c->channel = xstrdup("");
    c->can_reply = true;
}

static enum conv_status map_status(const char *s)
{
    enum conv_status st = CONV_OPEN;
    if (s && model_status_parse(s, &st) == 0)
        return st;
    return CONV_OPEN;
}

static enum conv_priority map_priority(const char *s)
{
    enum conv_priority p = PRIORITY_NONE;
    if (s && *s && model_priority_parse(s, &p) == 0)
        return p;
    return PRIORITY_NONE;
}

/* The newest message a list row shows. Returns true if one was mapped. */
static bool map_last(json_object *o, struct message *last)
{
    json_object *m = json_map_get_obj(o, "last_non_activity_message");
    if (!m) {
        json_object *msgs = json_map_get_arr(o, "messages");
        if (json_map_arr_len(msgs) > 0)
            m = json_object_array_get_idx(msgs, 0);
    }
    if (!m)
        return false;
    model_message_free(last);
    if (json_map_message(m, last, NULL) == 0)
        return true;
    model_message_free(last);
    message_init(last);
    return false;
}

static void map_conv_meta(json_object *meta, struct conversation *c)
{
    json_object *sender = json_map_get_obj(meta, "sender");
    if (sender) {
        model_contact_free(&c->contact);
        if (json_map_contact(sender, &c->contact, NULL) < 0) {
            model_contact_free(&c->contact);
            contact_init(&c->contact);
        }
    }
    json_map_replace(&c->channel, json_map_get_text(meta, "channel", TEXT_SINGLE_LINE));
    json_object *a = json_map_get_obj(meta, "assignee");
    if (a && json_map_get_int(a, "id") > 0) {
        c->assignee_id = json_map_get_int(a, "id");
        json_map_replace(&c->assignee_name, json_map_get_name2(a, "available_name", "name"));
    }
    json_object *t = json_map_get_obj(meta, "team");
    if (t && json_map_get_int(t, "id") > 0) {
        c->team_id = json_map_get_int(t, "id");
        json_map_replace(&c->team_name, json_map_get_text(t, "name", TEXT_SINGLE_LINE));
    }
}

int json_map_conversation(json_object *o, struct conversation *out, char **err)
{
    conversation_init(out);
    if (!json_object_is_type(o, json_type_object))
        return json_map_fail(err, "conversation is not an object");
    out->id = json_map_get_int(o, "id");
    if (out->id <= 0) {
        out->id = 0;
        return json_map_fail(err, "conversation without an id");
    }
    out->account_id = json_map_get_int(o, "account_id");
    out->inbox_id = json_map_get_int(o, "inbox_id");
    out->status = map_status(json_map_raw_str(o, "status"));
    out->priority = map_priority(json_map_raw_str(o, "priority"));
    map_conv_meta(json_map_get_obj(o, "meta"), out);
    json_map_strings(json_map_get(o, "labels"), &out->labels, &out->nlabels);
    int64_t unread = json_map_get_int(o, "unread_count");
    out->unread = unread < 0 ? 0 : unread > INT_MAX ? INT_MAX : (int)unread;
    out->muted = json_map_get_bool(o, "muted", false);
    out->can_reply = json_map_get_bool(o, "can_reply", true);
    out->created_at = json_map_get_time(o, "created_at");
    out->last_activity_at = json_map_get_time(o, "last_activity_at");
    if (!out->last_activity_at)
        out->last_activity_at = json_map_get_time(o, "timestamp");
    out->waiting_since = json_map_get_time(o, "waiting_since");
    out->agent_last_seen_at = json_map_get_time(o, "agent_last_seen_at");
    out->snoozed_until = json_map_get_time(o, "snoozed_until");
    out->updated_at = json_map_get_ftime(o, "updated_at");
    out->has_last = map_last(o, &out->last);
    if (out->has_last && out->last.conv_id == 0)
        out->last.conv_id = out->id;
    json_map_attrs(json_map_get_obj(o, "custom_attributes"), &out->attrs, &out->nattrs);
    return 0;
}

static int map_conv_item(json_object *o, void *out, char **err)
{
    return json_map_conversation(o, out, err);
}

static void free_conv_item(void *rec)
{
    model_conversation_free(rec);
}

static bool has_count_keys(json_object *meta)
{
    return json_map_get(meta, "mine_count") || json_map_get(meta, "unassigned_count") ||
           json_map_get(meta, "all_count") || json_map_get(meta, "assigned_count");
}

static void map_counts(json_object *meta, struct conv_counts *out)
{
    out->mine = json_map_get_int(meta, "mine_count");
    out->unassigned = json_map_get_int(meta, "unassigned_count");
    out->all = json_map_get_int(meta, "all_count");
    if (json_map_get(meta, "assigned_count"))
        out->assigned = json_map_get_int(meta, "assigned_count");
    /* Older servers: derive it (from non-negative counts, so it cannot
     * overflow on a hostile all_count). */
    else if (out->unassigned >= 0 && out->all >= out->unassigned)
        out->assigned = out->all - out->unassigned;
}

int json_map_counts(json_object *root, struct conv_counts *out, char **err)
{
    memset(out, 0, sizeof *out);
    json_object *data = json_map_get_obj(root, "data");
    json_object *meta = json_map_get_obj(data ? data : root, "meta");
    if (!meta && has_count_keys(root))
        meta = root;
    if (!meta || !has_count_keys(meta))
        return json_map_fail(err, "no conversation counts in the answer");
    map_counts(meta, out);
    return 0;
}

int json_map_conversation_list(json_object *root, struct conversation **out, size_t *n,
                               struct conv_counts *counts, size_t *skipped, char **err)
{
    *out = NULL;
    *n = 0;
    if (counts)
        memset(counts, 0, sizeof *counts);
    if (skipped)
        *skipped = 0;
    json_object *data = json_map_get_obj(root, "data");
    json_object *body = data ? data : root;
    json_object *a = json_map_list_of(body, "payload");
    if (!a)
        return json_map_fail(err, "no conversation list in the answer");
    if (counts)
        map_counts(json_map_get_obj(body, "meta"), counts);
    *n = json_map_items(a, sizeof **out, map_conv_item, free_conv_item, (void **)out, skipped);
    return 0;
}

/* Search items (§3.4) carry a contact, an inbox and matching messages. */
static int map_search_item(json_object *o, void *rec, char **err)
{
    struct conversation *c = rec;
    conversation_init(c);
    c->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || c->id <= 0) {
        c->id = 0;
        return json_map_fail(err, "search result without an id");
    }
    c->account_id = json_map_get_int(o, "account_id");
    c->created_at = json_map_get_time(o, "created_at");
    json_object *contact = json_map_get_obj(o, "contact");
    model_contact_free(&c->contact);
    contact_init(&c->contact);
    c->contact.id = json_map_get_int(contact, "id");
    json_map_replace(&c->contact.name, json_map_get_text(contact, "name", TEXT_SINGLE_LINE));
    json_object *inbox = json_map_get_obj(o, "inbox");
    c->inbox_id = json_map_get_int(inbox, "id");
    if (!c->inbox_id)
        c->inbox_id = json_map_get_int(o, "inbox_id");
    json_map_replace(&c->channel, json_map_get_text(inbox, "channel_type", TEXT_SINGLE_LINE));
    /* The newest of the messages that came with it. */
    json_object *msgs = json_map_get_arr(o, "messages");
    size_t len = json_map_arr_len(msgs);
    for (size_t i = 0; i < len; i++) {
        struct message m;
        if (json_map_message(json_object_array_get_idx(msgs, i), &m, NULL) < 0 ||
            (c->has_last && msg_cmp(&m, &c->last) < 0)) {
            model_message_free(&m);
            continue;
        }
        model_message_free(&c->last);
        c->last = m;
        c->has_last = true;
    }
    if (c->has_last) {
        if (!c->last.conv_id)
            c->last.conv_id = c->id;
        c->last_activity_at = c->last.created_at;
    }
    if (!c->last_activity_at)
        c->last_activity_at = c->created_at;
    return 0;
}

int json_map_search_list(json_object *root, struct conversation **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *data = json_map_get_obj(root, "data");
    json_object *a = json_map_list_of(data ? data : root, "payload");
    if (!a)
        return json_map_fail(err, "no search results in the answer");
    *n = json_map_items(a, sizeof **out, map_search_item, free_conv_item, (void **)out, NULL);
    return 0;
}
