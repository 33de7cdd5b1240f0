/* cache — the last known inbox on disk, for an instant start. */
#include "twoway/cache.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/paths.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

#define CACHE_VERSION 1
#define CACHE_MAX_BYTES (16 * 1024 * 1024)
#define CACHE_MAX_ITEMS 5000

/* ---- writing ---- */

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static json_object *str(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *kvs(const struct kv *kv, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *p = json_object_new_array();
        json_object_array_add(p, str(kv[i].key));
        json_object_array_add(p, str(kv[i].value));
        json_object_array_add(a, p);
    }
    return a;
}

static json_object *contact_json(const struct contact *c)
{
    json_object *o = json_object_new_object();
    ADD(o, "id", json_object_new_int64(c->id));
    ADD(o, "name", str(c->name));
    ADD(o, "phone", str(c->phone));
    ADD(o, "email", str(c->email));
    ADD(o, "identifier", str(c->identifier));
    ADD(o, "opted_out", json_object_new_boolean(c->opted_out));
    ADD(o, "opted_out_at", json_object_new_int64(c->opted_out_at));
    ADD(o, "attrs", kvs(c->attrs, c->nattrs));
    return o;
}

static json_object *message_json(const struct message *m)
{
    json_object *o = json_object_new_object();
    ADD(o, "id", json_object_new_int64(m->id));
    ADD(o, "type", json_object_new_int(m->type));
    ADD(o, "private", json_object_new_boolean(m->is_private));
    ADD(o, "status", json_object_new_int(m->status));
    ADD(o, "sender_kind", json_object_new_int(m->sender_kind));
    ADD(o, "sender_id", json_object_new_int64(m->sender_id));
    ADD(o, "sender_name", str(m->sender_name));
    ADD(o, "content", str(m->content));
    ADD(o, "external_error", str(m->external_error));
    ADD(o, "deleted", json_object_new_boolean(m->deleted));
    ADD(o, "created_at", json_object_new_int64(m->created_at));
    json_object *att = json_object_new_array();
    for (size_t i = 0; i < m->nattachments; i++) {
        json_object *a = json_object_new_object();
        ADD(a, "file_type", str(m->attachments[i].file_type));
        ADD(a, "url", str(m->attachments[i].url));
        ADD(a, "extension", str(m->attachments[i].extension));
        ADD(a, "size", json_object_new_int64(m->attachments[i].size));
        json_object_array_add(att, a);
    }
    ADD(o, "attachments", att);
    return o;
}

static json_object *conv_json(const struct conversation *c)
{
    json_object *o = json_object_new_object();
    ADD(o, "id", json_object_new_int64(c->id));
    ADD(o, "account_id", json_object_new_int64(c->account_id));
    ADD(o, "inbox_id", json_object_new_int64(c->inbox_id));
    ADD(o, "status", json_object_new_int(c->status));
    ADD(o, "priority", json_object_new_int(c->priority));
    ADD(o, "contact", contact_json(&c->contact));
    ADD(o, "assignee_id", json_object_new_int64(c->assignee_id));
    ADD(o, "assignee_name", str(c->assignee_name));
    ADD(o, "team_id", json_object_new_int64(c->team_id));
    ADD(o, "team_name", str(c->team_name));
    json_object *labels = json_object_new_array();
    for (size_t i = 0; i < c->nlabels; i++)
        json_object_array_add(labels, str(c->labels[i]));
    ADD(o, "labels", labels);
    ADD(o, "unread", json_object_new_int(c->unread));
    ADD(o, "muted", json_object_new_boolean(c->muted));
    ADD(o, "can_reply", json_object_new_boolean(c->can_reply));
    ADD(o, "channel", str(c->channel));
    ADD(o, "created_at", json_object_new_int64(c->created_at));
    ADD(o, "last_activity_at", json_object_new_int64(c->last_activity_at));
    ADD(o, "waiting_since", json_object_new_int64(c->waiting_since));
    ADD(o, "agent_last_seen_at", json_object_new_int64(c->agent_last_seen_at));
    ADD(o, "snoozed_until", json_object_new_int64(c->snoozed_until));
    /* updated_at is left out: the server's first answer must never look
     * older than what the cache says and be dropped as stale. */
    if (c->has_last)
        ADD(o, "last", message_json(&c->last));
    ADD(o, "attrs", kvs(c->attrs, c->nattrs));
    return o;
}

static json_object *directory_json(const struct store *st)
{
    json_object *d = json_object_new_object();
    size_t n;
    json_object *a = json_object_new_array();
    const struct agent *ag = store_agents(st, &n);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(ag[i].id));
        ADD(o, "account_id", json_object_new_int64(ag[i].account_id));
        ADD(o, "name", str(ag[i].name));
        ADD(o, "email", str(ag[i].email));
        ADD(o, "role", str(ag[i].role));
        ADD(o, "availability", str(ag[i].availability));
        json_object_array_add(a, o);
    }
    ADD(d, "agents", a);
    a = json_object_new_array();
    const struct team *tm = store_teams(st, &n);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(tm[i].id));
        ADD(o, "name", str(tm[i].name));
        ADD(o, "description", str(tm[i].description));
        ADD(o, "is_member", json_object_new_boolean(tm[i].is_member));
        json_object_array_add(a, o);
    }
    ADD(d, "teams", a);
    a = json_object_new_array();
    const struct label *lb = store_labels(st, &n);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(lb[i].id));
        ADD(o, "title", str(lb[i].title));
        ADD(o, "description", str(lb[i].description));
        ADD(o, "color", str(lb[i].color));
        json_object_array_add(a, o);
    }
    ADD(d, "labels", a);
    a = json_object_new_array();
    const struct inbox *ib = store_inboxes(st, &n);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(ib[i].id));
        ADD(o, "name", str(ib[i].name));
        ADD(o, "channel_type", str(ib[i].channel_type));
        ADD(o, "phone", str(ib[i].phone));
        ADD(o, "is_sms", json_object_new_boolean(ib[i].is_sms));
        json_object_array_add(a, o);
    }
    ADD(d, "inboxes", a);
    a = json_object_new_array();
    const struct template *tp = store_templates(st, &n);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        ADD(o, "id", json_object_new_int64(tp[i].id));
        ADD(o, "short_code", str(tp[i].short_code));
        ADD(o, "content", str(tp[i].content));
        json_object_array_add(a, o);
    }
    ADD(d, "templates", a);
    return d;
}

int cache_save(const char *path, const struct store *st, const struct conv_query *q, char **err)
{
    const struct profile *p = store_profile(st);
    if (!p)
        return 0; /* never connected: nothing worth keeping */
    json_object *root = json_object_new_object();
    ADD(root, "version", json_object_new_int(CACHE_VERSION));
    json_object *po = json_object_new_object();
    ADD(po, "id", json_object_new_int64(p->id));
    ADD(po, "account_id", json_object_new_int64(p->account_id));
    ADD(po, "name", str(p->name));
    ADD(po, "email", str(p->email));
    ADD(po, "role", str(p->role));
    ADD(po, "account_name", str(p->account_name));
    ADD(root, "profile", po);
    ADD(root, "directory", directory_json(st));
    const struct conv_counts *cc = store_counts(st);
    json_object *co = json_object_new_object();
    ADD(co, "mine", json_object_new_int64(cc ? cc->mine : 0));
    ADD(co, "unassigned", json_object_new_int64(cc ? cc->unassigned : 0));
    ADD(co, "assigned", json_object_new_int64(cc ? cc->assigned : 0));
    ADD(co, "all", json_object_new_int64(cc ? cc->all : 0));
    ADD(root, "counts", co);
    ADD(root, "assignee", json_object_new_int(q->assignee));
    ADD(root, "status", json_object_new_int(q->status));
    json_object *list = json_object_new_array();
    size_t n = store_list_len(st);
    for (size_t i = 0; i < n && i < CACHE_MAX_CONVS; i++)
        json_object_array_add(list, conv_json(store_list_conv(st, i)));
    ADD(root, "list", list);

    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int rc = paths_mkdir_p(dir, 0700, err);
    if (rc == 0)
        rc = paths_write_atomic(path, text, strlen(text), 0600, err);
    free(dir);
    json_object_put(root);
    return rc;
}

/* ---- reading ---- */

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &v))
        return NULL;
    return v;
}

static int64_t num(json_object *o, const char *k)
{
    json_object *v = get(o, k);
    return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_boolean))
               ? json_object_get_int64(v)
               : 0;
}

/* A string from the file, made display-safe again. Owned. */
static char *text(json_object *o, const char *k, unsigned flags)
{
    json_object *v = get(o, k);
    return text_sanitize_str(
        v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "", flags);
}

static size_t items(json_object *a)
{
    if (!a || !json_object_is_type(a, json_type_array))
        return 0;
    size_t n = json_object_array_length(a);
    return n > CACHE_MAX_ITEMS ? CACHE_MAX_ITEMS : n;
}

static int clamp_enum(int64_t v, int max)
{
    return v >= 0 && v <= max ? (int)v : 0;
}

static void kvs_load(json_object *a, struct kv **out, size_t *n)
{
    *n = items(a);
    *out = *n ? xcalloc(*n, sizeof **out) : NULL;
    for (size_t i = 0; i < *n; i++) {
        json_object *p = json_object_array_get_idx(a, i);
        json_object *k = json_object_array_get_idx(p, 0), *v = json_object_array_get_idx(p, 1);
        (*out)[i].key = text_sanitize_str(k ? json_object_get_string(k) : "", TEXT_SINGLE_LINE);
        (*out)[i].value = text_sanitize_str(v ? json_object_get_string(v) : "", TEXT_MULTI_LINE);
    }
}

static void contact_load(json_object *o, struct contact *c)
{
    c->id = num(o, "id");
    c->name = text(o, "name", TEXT_SINGLE_LINE);
    c->phone = text(o, "phone", TEXT_SINGLE_LINE);
    c->email = text(o, "email", TEXT_SINGLE_LINE);
    c->identifier = text(o, "identifier", TEXT_SINGLE_LINE);
    c->opted_out = num(o, "opted_out");
    c->opted_out_at = num(o, "opted_out_at");
    kvs_load(get(o, "attrs"), &c->attrs, &c->nattrs);
}

static void message_load(json_object *o, int64_t conv, struct message *m)
{
    m->id = num(o, "id");
    m->conv_id = conv;
    m->type = (enum msg_type)clamp_enum(num(o, "type"), MSG_TEMPLATE);
    m->is_private = num(o, "private");
    m->status = (enum msg_status)clamp_enum(num(o, "status"), MSGST_FAILED);
    m->sender_kind = (enum sender_kind)clamp_enum(num(o, "sender_kind"), SENDER_BOT);
    m->sender_id = num(o, "sender_id");
    m->sender_name = text(o, "sender_name", TEXT_SINGLE_LINE);
    m->content = text(o, "content", TEXT_MULTI_LINE);
    m->external_error = text(o, "external_error", TEXT_SINGLE_LINE);
    m->echo_id = xstrdup("");
    m->deleted = num(o, "deleted");
    m->created_at = num(o, "created_at");
    json_object *att = get(o, "attachments");
    m->nattachments = items(att);
    m->attachments = m->nattachments ? xcalloc(m->nattachments, sizeof *m->attachments) : NULL;
    for (size_t i = 0; i < m->nattachments; i++) {
        json_object *a = json_object_array_get_idx(att, i);
        m->attachments[i].file_type = text(a, "file_type", TEXT_SINGLE_LINE);
        m->attachments[i].url = text(a, "url", TEXT_SINGLE_LINE);
        m->attachments[i].extension = text(a, "extension", TEXT_SINGLE_LINE);
        m->attachments[i].size = num(a, "size");
    }
}

static bool conv_load(json_object *o, struct conversation *c)
{
    memset(c, 0, sizeof *c);
    c->id = num(o, "id");
    if (c->id <= 0)
        return false;
    c->account_id = num(o, "account_id");
    c->inbox_id = num(o, "inbox_id");
    c->status = (enum conv_status)clamp_enum(num(o, "status"), CONV_SNOOZED);
    c->priority = (enum conv_priority)clamp_enum(num(o, "priority"), PRIORITY_URGENT);
    contact_load(get(o, "contact"), &c->contact);
    c->assignee_id = num(o, "assignee_id");
    c->assignee_name = text(o, "assignee_name", TEXT_SINGLE_LINE);
    c->team_id = num(o, "team_id");
    c->team_name = text(o, "team_name", TEXT_SINGLE_LINE);
    json_object *labels = get(o, "labels");
    c->nlabels = items(labels);
    c->labels = c->nlabels ? xcalloc(c->nlabels, sizeof *c->labels) : NULL;
    for (size_t i = 0; i < c->nlabels; i++) {
        json_object *l = json_object_array_get_idx(labels, i);
        c->labels[i] = text_sanitize_str(l ? json_object_get_string(l) : "", TEXT_SINGLE_LINE);
    }
    c->unread = (int)num(o, "unread");
    c->muted = num(o, "muted");
    c->can_reply = num(o, "can_reply");
    c->channel = text(o, "channel", TEXT_SINGLE_LINE);
    c->created_at = num(o, "created_at");
    c->last_activity_at = num(o, "last_activity_at");
    c->waiting_since = num(o, "waiting_since");
    c->agent_last_seen_at = num(o, "agent_last_seen_at");
    c->snoozed_until = num(o, "snoozed_until");
    json_object *last = get(o, "last");
    if (last) {
        c->has_last = true;
        message_load(last, c->id, &c->last);
    }
    kvs_load(get(o, "attrs"), &c->attrs, &c->nattrs);
    return true;
}

static void directory_load(json_object *d, struct store *st)
{
    json_object *a = get(d, "agents");
    size_t n = items(a);
    struct agent *ag = n ? xcalloc(n, sizeof *ag) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        ag[i] = (struct agent){num(o, "id"),
                               num(o, "account_id"),
                               text(o, "name", TEXT_SINGLE_LINE),
                               text(o, "email", TEXT_SINGLE_LINE),
                               text(o, "role", TEXT_SINGLE_LINE),
                               text(o, "availability", TEXT_SINGLE_LINE)};
    }
    store_set_agents(st, ag, n);
    a = get(d, "teams");
    n = items(a);
    struct team *tm = n ? xcalloc(n, sizeof *tm) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        tm[i] = (struct team){num(o, "id"), text(o, "name", TEXT_SINGLE_LINE),
                              text(o, "description", TEXT_SINGLE_LINE), num(o, "is_member")};
    }
    store_set_teams(st, tm, n);
    a = get(d, "labels");
    n = items(a);
    struct label *lb = n ? xcalloc(n, sizeof *lb) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        lb[i] = (struct label){num(o, "id"), text(o, "title", TEXT_SINGLE_LINE),
                               text(o, "description", TEXT_SINGLE_LINE),
                               text(o, "color", TEXT_SINGLE_LINE)};
    }
    store_set_labels(st, lb, n);
    a = get(d, "inboxes");
    n = items(a);
    struct inbox *ib = n ? xcalloc(n, sizeof *ib) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        ib[i] = (struct inbox){num(o, "id"), text(o, "name", TEXT_SINGLE_LINE),
                               text(o, "channel_type", TEXT_SINGLE_LINE),
                               text(o, "phone", TEXT_SINGLE_LINE), num(o, "is_sms")};
    }
    store_set_inboxes(st, ib, n);
    a = get(d, "templates");
    n = items(a);
    struct template *tp = n ? xcalloc(n, sizeof *tp) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        tp[i] = (struct template){num(o, "id"), text(o, "short_code", TEXT_SINGLE_LINE),
                                  text(o, "content", TEXT_MULTI_LINE), false};
    }
    store_set_templates(st, tp, n);
}

static void list_load(json_object *list, struct store *st)
{
    size_t n = items(list);
    if (n > CACHE_MAX_CONVS)
        n = CACHE_MAX_CONVS;
    int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct conversation c;
        if (!conv_load(json_object_array_get_idx(list, i), &c)) {
            model_conversation_free(&c);
            continue;
        }
        ids[k++] = c.id;
        store_put_conv(st, &c);
    }
    store_list_set(st, ids, k);
    free(ids);
}

int cache_load(const char *path, struct store *st, const struct conv_query *q, char **err)
{
    char *body = NULL;
    size_t len = 0;
    if (paths_read_file(path, CACHE_MAX_BYTES, &body, &len, err) < 0)
        return -1;
    json_tokener *tok = json_tokener_new_ex(32);
    json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    json_tokener_free(tok);
    free(body);
    if (!root || num(root, "version") != CACHE_VERSION) {
        json_object_put(root);
        *err = xasprintf("%s: not a cache of this twoway; ignored", path);
        errno = EINVAL;
        return -1;
    }
    json_object *po = get(root, "profile");
    struct profile p = {num(po, "id"),
                        num(po, "account_id"),
                        text(po, "name", TEXT_SINGLE_LINE),
                        text(po, "email", TEXT_SINGLE_LINE),
                        text(po, "role", TEXT_SINGLE_LINE),
                        text(po, "account_name", TEXT_SINGLE_LINE)};
    store_set_profile(st, &p);
    directory_load(get(root, "directory"), st);
    if (num(root, "assignee") == q->assignee && num(root, "status") == q->status) {
        json_object *co = get(root, "counts");
        struct conv_counts cc = {num(co, "mine"), num(co, "unassigned"), num(co, "assigned"),
                                 num(co, "all")};
        store_set_counts(st, &cc);
        list_load(get(root, "list"), st);
    }
    json_object_put(root);
    return 0;
}
