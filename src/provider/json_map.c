/* json_map — Chatwoot JSON → model records.
 *
 * Every getter here accepts any json_object (or NULL) and falls back to a
 * neutral value when the type is wrong, so a hostile or merely different
 * server can only produce odd records, never a crash. Every string is
 * copied through text_sanitize(); every array walk stops at MAX_ITEMS. */
#include "twoway/json_map.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* No Chatwoot list comes near this; a bigger one is an attack or a bug. */
#define MAX_ITEMS 10000
#define MAX_DEPTH 64
/* 9999-12-31T23:59:59Z: later "times" are garbage (or milliseconds). */
#define MAX_EPOCH 253402300799LL
/* Longest error text shown to a person, in bytes. */
#define ERROR_BYTES 300

/* ---- typed access that never trusts the type ---- */

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static json_object *get_obj(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    return json_object_is_type(v, json_type_object) ? v : NULL;
}

static json_object *get_arr(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    return json_object_is_type(v, json_type_array) ? v : NULL;
}

static size_t arr_len(json_object *a)
{
    if (!json_object_is_type(a, json_type_array))
        return 0;
    size_t n = json_object_array_length(a);
    return n > MAX_ITEMS ? MAX_ITEMS : n;
}

/* "42", " 42 " → 42; anything else fails. */
static int parse_int_str(const char *s, int64_t *out)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* An integer from an int, a finite double or a numeric string; else 0. */
static int64_t as_int(json_object *v)
{
    int64_t out = 0;
    switch (json_object_get_type(v)) {
    case json_type_int:
        return json_object_get_int64(v);
    case json_type_double: {
        double d = json_object_get_double(v);
        if (!isfinite(d) || d >= 9.2e18 || d <= -9.2e18)
            return 0;
        return (int64_t)d;
    }
    case json_type_string:
        if (parse_int_str(json_object_get_string(v), &out) < 0)
            return 0;
        return out;
    case json_type_boolean:
        return json_object_get_boolean(v) ? 1 : 0;
    default:
        return 0;
    }
}

static int64_t get_int(json_object *o, const char *key)
{
    return as_int(get(o, key));
}

static bool as_bool(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        return json_object_get_boolean(v);
    case json_type_int:
        return json_object_get_int64(v) != 0;
    case json_type_string:
        return strcasecmp(json_object_get_string(v), "true") == 0 ||
               strcmp(json_object_get_string(v), "1") == 0;
    default:
        return false;
    }
}

static bool get_bool(json_object *o, const char *key, bool dflt)
{
    json_object *v = get(o, key);
    return v ? as_bool(v) : dflt;
}

/* A string value as sanitized text; numbers and booleans as their JSON
 * spelling (a phone number sent as a number is still a phone number);
 * null, objects and arrays as "". Owned. */
static char *as_text(json_object *v, unsigned flags)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        /* The length, not strlen: a \u0000 inside must become U+FFFD, not
         * cut the string short. */
        return text_sanitize(json_object_get_string(v), (size_t)json_object_get_string_len(v),
                             flags);
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
        return text_sanitize_str(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), flags);
    default:
        return xstrdup("");
    }
}

static char *get_text(json_object *o, const char *key, unsigned flags)
{
    return as_text(get(o, key), flags);
}

/* Borrowed raw string of a string value, or NULL. For comparisons only. */
static const char *raw_str(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The first of two keys that holds a non-empty string (Chatwoot's
 * available_name before name), sanitized single-line. */
static char *get_name2(json_object *o, const char *k1, const char *k2)
{
    const char *s = raw_str(o, k1);
    if (s && *s)
        return get_text(o, k1, TEXT_SINGLE_LINE);
    return get_text(o, k2, TEXT_SINGLE_LINE);
}

static void replace(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

static int fail(char **err, const char *what)
{
    if (err)
        *err = xstrdup(what);
    return -1;
}

/* ---- parse ---- */

json_object *json_map_parse(const char *text, size_t len, char **err)
{
    if (!text || len == 0)
        return fail(err, "empty answer"), NULL;
    if (len > INT_MAX)
        return fail(err, "answer too large"), NULL;
    struct json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok)
        return fail(err, "out of memory"), NULL;
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* A bare top-level number only ends at a delimiter: give it one.
         * Everything was consumed, so nothing trails. */
        o = json_tokener_parse_ex(tok, " ", 1);
        jerr = json_tokener_get_error(tok);
        used = len;
    }
    json_tokener_free(tok);
    if (jerr == json_tokener_continue) {
        json_object_put(o);
        return fail(err, "truncated JSON"), NULL;
    }
    if (jerr != json_tokener_success) {
        json_object_put(o);
        if (err)
            *err = xasprintf("invalid JSON: %s", json_tokener_error_desc(jerr));
        return NULL;
    }
    for (size_t i = used; i < len; i++) {
        if (!isspace((unsigned char)text[i])) {
            json_object_put(o);
            return fail(err, "invalid JSON: text after the value"), NULL;
        }
    }
    if (!o)
        return fail(err, "the answer is null"), NULL;
    return o;
}

/* ---- time ---- */

static int64_t epoch_ok(double t)
{
    if (!isfinite(t) || t <= 0 || t > (double)MAX_EPOCH)
        return 0;
    return (int64_t)t;
}

/* "1732700000" or "1732700000.25" → epoch; else -1. */
static int numeric_time(const char *s, double *out)
{
    const char *p = s;
    bool digit = false;
    while (isdigit((unsigned char)*p)) {
        p++;
        digit = true;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!digit || *p)
        return -1;
    *out = strtod(s, NULL);
    return 0;
}

int64_t json_map_time(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_int: {
        int64_t t = json_object_get_int64(v);
        return t > 0 && t <= MAX_EPOCH ? t : 0;
    }
    case json_type_double:
        return epoch_ok(json_object_get_double(v));
    case json_type_string: {
        const char *s = json_object_get_string(v);
        double d;
        int64_t t;
        if (numeric_time(s, &d) == 0)
            return epoch_ok(d);
        if (timeutil_parse_iso8601(s, &t) == 0)
            return t > 0 && t <= MAX_EPOCH ? t : 0;
        return 0;
    }
    default:
        return 0;
    }
}

static int64_t get_time(json_object *o, const char *key)
{
    return json_map_time(get(o, key));
}

/* Float epochs (updated_at) keep their fraction: they order updates. */
static double get_ftime(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    double d = 0;
    if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
        d = json_object_get_double(v);
    else if (json_object_is_type(v, json_type_string) &&
             numeric_time(json_object_get_string(v), &d) < 0)
        d = (double)json_map_time(v);
    return isfinite(d) && d > 0 && d <= (double)MAX_EPOCH ? d : 0;
}

/* ---- small shared pieces ---- */

/* custom_attributes → kv pairs in server order; values as text. */
static void map_attrs(json_object *o, struct kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_object_is_type(o, json_type_object))
        return;
    size_t cap = (size_t)json_object_object_length(o);
    if (cap == 0)
        return;
    if (cap > MAX_ITEMS)
        cap = MAX_ITEMS;
    *out = xcalloc(cap, sizeof **out);
    json_object_object_foreach(o, key, val)
    {
        if (*n >= cap)
            break;
        struct kv *kv = &(*out)[(*n)++];
        kv->key = text_sanitize_str(key, TEXT_SINGLE_LINE);
        if (json_object_is_type(val, json_type_object) || json_object_is_type(val, json_type_array))
            kv->value = text_sanitize_str(
                json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN), TEXT_MULTI_LINE);
        else
            kv->value = as_text(val, TEXT_MULTI_LINE);
    }
}

/* An array of strings (labels, titles); other items are skipped. */
static void map_strings(json_object *a, char ***out, size_t *n)
{
    size_t len = arr_len(a);
    *out = NULL;
    *n = 0;
    if (len == 0)
        return;
    *out = xcalloc(len, sizeof **out);
    for (size_t i = 0; i < len; i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (json_object_is_type(v, json_type_string))
            (*out)[(*n)++] = as_text(v, TEXT_SINGLE_LINE);
    }
}

/* The one list in a body: a bare array, or root[key] (payload). */
static json_object *list_of(json_object *root, const char *key)
{
    if (json_object_is_type(root, json_type_array))
        return root;
    return get_arr(root, key);
}

/* Map each item of a list with one record mapper into a new array of
 * records; failing items are skipped. */
typedef int (*item_mapper)(json_object *o, void *out, char **err);
typedef void (*item_freer)(void *rec);

static size_t map_items(json_object *a, size_t size, item_mapper map, item_freer release,
                        void **out, size_t *skipped)
{
    size_t len = arr_len(a), n = 0;
    char *base = len ? xcalloc(len, size) : NULL;
    for (size_t i = 0; i < len; i++) {
        char *rec = base + n * size;
        if (map(json_object_array_get_idx(a, i), rec, NULL) == 0) {
            n++;
        } else {
            release(rec);
            memset(rec, 0, size);
            if (skipped)
                (*skipped)++;
        }
    }
    if (n == 0) {
        free(base);
        base = NULL;
    }
    *out = base;
    return n;
}

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
        return fail(err, "contact is not an object");
    out->id = get_int(o, "id");
    if (out->id <= 0) {
        out->id = 0;
        return fail(err, "contact without an id");
    }
    replace(&out->name, get_text(o, "name", TEXT_SINGLE_LINE));
    replace(&out->phone, get_text(o, "phone_number", TEXT_SINGLE_LINE));
    replace(&out->email, get_text(o, "email", TEXT_SINGLE_LINE));
    replace(&out->identifier, get_text(o, "identifier", TEXT_SINGLE_LINE));
    json_object *ca = get_obj(o, "custom_attributes");
    out->opted_out = as_bool(get(ca, "sms_opt_out"));
    out->opted_out_at = get_time(ca, "sms_opt_out_at");
    map_attrs(ca, &out->attrs, &out->nattrs);
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
        if (parse_int_str(s, &t) < 0)
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
    json_object *s = get_obj(o, "sender");
    if (s) {
        m->sender_kind = kind_of(raw_str(s, "type"));
        if (m->sender_kind == SENDER_NONE)
            m->sender_kind = kind_of(raw_str(o, "sender_type"));
        m->sender_id = get_int(s, "id");
        /* Agents show their available_name; contacts have only a name. */
        replace(&m->sender_name, m->sender_kind == SENDER_CONTACT
                                     ? get_text(s, "name", TEXT_SINGLE_LINE)
                                     : get_name2(s, "available_name", "name"));
        return;
    }
    /* Websocket copies and search items carry flat columns instead. */
    m->sender_kind = kind_of(raw_str(o, "sender_type"));
    if (m->sender_kind != SENDER_NONE)
        m->sender_id = get_int(o, "sender_id");
    replace(&m->sender_name, get_text(o, "sender_name", TEXT_SINGLE_LINE));
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
    size_t len = arr_len(a);
    if (len == 0)
        return;
    m->attachments = xcalloc(len, sizeof *m->attachments);
    for (size_t i = 0; i < len; i++) {
        json_object *o = json_object_array_get_idx(a, i);
        if (!json_object_is_type(o, json_type_object))
            continue;
        struct attachment *at = &m->attachments[m->nattachments++];
        const char *ft = file_type_name(get(o, "file_type"));
        at->file_type = ft ? xstrdup(ft) : get_text(o, "file_type", TEXT_SINGLE_LINE);
        at->url = get_text(o, "data_url", TEXT_SINGLE_LINE);
        at->extension = get_text(o, "extension", TEXT_SINGLE_LINE);
        at->size = get_int(o, "file_size");
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
        return fail(err, "message is not an object");
    out->id = get_int(o, "id");
    if (out->id <= 0) {
        out->id = 0;
        return fail(err, "message without an id");
    }
    out->conv_id = get_int(o, "conversation_id");
    out->type = map_msg_type(get(o, "message_type"));
    out->is_private = get_bool(o, "private", false);
    out->status = map_msg_status(raw_str(o, "status"));
    map_sender(o, out);
    replace(&out->content, get_text(o, "content", TEXT_MULTI_LINE));
    json_object *ca = get_obj(o, "content_attributes");
    replace(&out->external_error, get_text(ca, "external_error", TEXT_SINGLE_LINE));
    out->deleted = as_bool(get(ca, "deleted"));
    replace(&out->echo_id, get_text(o, "echo_id", TEXT_SINGLE_LINE));
    out->created_at = get_time(o, "created_at");
    map_attachments(get(o, "attachments"), out);
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

int json_map_messages(json_object *root, struct message **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no message list in the answer");
    *n = map_items(a, sizeof **out, map_message_item, free_message_item, (void **)out, NULL);
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
    json_object *m = get_obj(o, "last_non_activity_message");
    if (!m) {
        json_object *msgs = get_arr(o, "messages");
        if (arr_len(msgs) > 0)
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
    json_object *sender = get_obj(meta, "sender");
    if (sender) {
        model_contact_free(&c->contact);
        if (json_map_contact(sender, &c->contact, NULL) < 0) {
            model_contact_free(&c->contact);
            contact_init(&c->contact);
        }
    }
    replace(&c->channel, get_text(meta, "channel", TEXT_SINGLE_LINE));
    json_object *a = get_obj(meta, "assignee");
    if (a && get_int(a, "id") > 0) {
        c->assignee_id = get_int(a, "id");
        replace(&c->assignee_name, get_name2(a, "available_name", "name"));
    }
    json_object *t = get_obj(meta, "team");
    if (t && get_int(t, "id") > 0) {
        c->team_id = get_int(t, "id");
        replace(&c->team_name, get_text(t, "name", TEXT_SINGLE_LINE));
    }
}

int json_map_conversation(json_object *o, struct conversation *out, char **err)
{
    conversation_init(out);
    if (!json_object_is_type(o, json_type_object))
        return fail(err, "conversation is not an object");
    out->id = get_int(o, "id");
    if (out->id <= 0) {
        out->id = 0;
        return fail(err, "conversation without an id");
    }
    out->account_id = get_int(o, "account_id");
    out->inbox_id = get_int(o, "inbox_id");
    out->status = map_status(raw_str(o, "status"));
    out->priority = map_priority(raw_str(o, "priority"));
    map_conv_meta(get_obj(o, "meta"), out);
    map_strings(get(o, "labels"), &out->labels, &out->nlabels);
    int64_t unread = get_int(o, "unread_count");
    out->unread = unread < 0 ? 0 : unread > INT_MAX ? INT_MAX : (int)unread;
    out->muted = get_bool(o, "muted", false);
    out->can_reply = get_bool(o, "can_reply", true);
    out->created_at = get_time(o, "created_at");
    out->last_activity_at = get_time(o, "last_activity_at");
    if (!out->last_activity_at)
        out->last_activity_at = get_time(o, "timestamp");
    out->waiting_since = get_time(o, "waiting_since");
    out->agent_last_seen_at = get_time(o, "agent_last_seen_at");
    out->snoozed_until = get_time(o, "snoozed_until");
    out->updated_at = get_ftime(o, "updated_at");
    out->has_last = map_last(o, &out->last);
    if (out->has_last && out->last.conv_id == 0)
        out->last.conv_id = out->id;
    map_attrs(get_obj(o, "custom_attributes"), &out->attrs, &out->nattrs);
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
    return get(meta, "mine_count") || get(meta, "unassigned_count") || get(meta, "all_count") ||
           get(meta, "assigned_count");
}

static void map_counts(json_object *meta, struct conv_counts *out)
{
    out->mine = get_int(meta, "mine_count");
    out->unassigned = get_int(meta, "unassigned_count");
    out->all = get_int(meta, "all_count");
    if (get(meta, "assigned_count"))
        out->assigned = get_int(meta, "assigned_count");
    /* Older servers: derive it (from non-negative counts, so it cannot
     * overflow on a hostile all_count). */
    else if (out->unassigned >= 0 && out->all >= out->unassigned)
        out->assigned = out->all - out->unassigned;
}

int json_map_counts(json_object *root, struct conv_counts *out, char **err)
{
    memset(out, 0, sizeof *out);
    json_object *data = get_obj(root, "data");
    json_object *meta = get_obj(data ? data : root, "meta");
    if (!meta && has_count_keys(root))
        meta = root;
    if (!meta || !has_count_keys(meta))
        return fail(err, "no conversation counts in the answer");
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
    json_object *data = get_obj(root, "data");
    json_object *body = data ? data : root;
    json_object *a = list_of(body, "payload");
    if (!a)
        return fail(err, "no conversation list in the answer");
    if (counts)
        map_counts(get_obj(body, "meta"), counts);
    *n = map_items(a, sizeof **out, map_conv_item, free_conv_item, (void **)out, skipped);
    return 0;
}

/* Search items (§3.4) carry a contact, an inbox and matching messages. */
static int map_search_item(json_object *o, void *rec, char **err)
{
    struct conversation *c = rec;
    conversation_init(c);
    c->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || c->id <= 0) {
        c->id = 0;
        return fail(err, "search result without an id");
    }
    c->account_id = get_int(o, "account_id");
    c->created_at = get_time(o, "created_at");
    json_object *contact = get_obj(o, "contact");
    model_contact_free(&c->contact);
    contact_init(&c->contact);
    c->contact.id = get_int(contact, "id");
    replace(&c->contact.name, get_text(contact, "name", TEXT_SINGLE_LINE));
    json_object *inbox = get_obj(o, "inbox");
    c->inbox_id = get_int(inbox, "id");
    if (!c->inbox_id)
        c->inbox_id = get_int(o, "inbox_id");
    replace(&c->channel, get_text(inbox, "channel_type", TEXT_SINGLE_LINE));
    /* The newest of the messages that came with it. */
    json_object *msgs = get_arr(o, "messages");
    size_t len = arr_len(msgs);
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
    json_object *data = get_obj(root, "data");
    json_object *a = list_of(data ? data : root, "payload");
    if (!a)
        return fail(err, "no search results in the answer");
    *n = map_items(a, sizeof **out, map_search_item, free_conv_item, (void **)out, NULL);
    return 0;
}

/* ---- agents, teams, labels, inboxes, templates ---- */

static void agent_init(struct agent *a)
{
    memset(a, 0, sizeof *a);
    a->name = xstrdup("");
    a->email = xstrdup("");
    a->role = xstrdup("");
    a->availability = xstrdup("");
}

int json_map_agent(json_object *o, struct agent *out, char **err)
{
    agent_init(out);
    out->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || out->id <= 0) {
        out->id = 0;
        return fail(err, "agent without an id");
    }
    out->account_id = get_int(o, "account_id");
    replace(&out->name, get_name2(o, "available_name", "name"));
    replace(&out->email, get_text(o, "email", TEXT_SINGLE_LINE));
    replace(&out->role, get_text(o, "role", TEXT_SINGLE_LINE));
    const char *av = raw_str(o, "availability_status") ? "availability_status" : "availability";
    replace(&out->availability, get_text(o, av, TEXT_SINGLE_LINE));
    return 0;
}

static int map_agent_item(json_object *o, void *out, char **err)
{
    return json_map_agent(o, out, err);
}

static void free_agent_item(void *rec)
{
    model_agent_free(rec);
}

int json_map_agents(json_object *root, struct agent **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no agent list in the answer");
    *n = map_items(a, sizeof **out, map_agent_item, free_agent_item, (void **)out, NULL);
    return 0;
}

int json_map_team(json_object *o, struct team *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup("");
    out->description = xstrdup("");
    out->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || out->id <= 0) {
        out->id = 0;
        return fail(err, "team without an id");
    }
    replace(&out->name, get_text(o, "name", TEXT_SINGLE_LINE));
    replace(&out->description, get_text(o, "description", TEXT_SINGLE_LINE));
    out->is_member = get_bool(o, "is_member", false);
    return 0;
}

static int map_team_item(json_object *o, void *out, char **err)
{
    return json_map_team(o, out, err);
}

static void free_team_item(void *rec)
{
    model_team_free(rec);
}

int json_map_teams(json_object *root, struct team **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no team list in the answer");
    *n = map_items(a, sizeof **out, map_team_item, free_team_item, (void **)out, NULL);
    return 0;
}

static int map_label_item(json_object *o, void *rec, char **err)
{
    struct label *l = rec;
    memset(l, 0, sizeof *l);
    l->title = xstrdup("");
    l->description = xstrdup("");
    l->color = xstrdup("");
    l->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || l->id <= 0) {
        l->id = 0;
        return fail(err, "label without an id");
    }
    replace(&l->title, get_text(o, "title", TEXT_SINGLE_LINE));
    replace(&l->description, get_text(o, "description", TEXT_SINGLE_LINE));
    replace(&l->color, get_text(o, "color", TEXT_SINGLE_LINE));
    return 0;
}

static void free_label_item(void *rec)
{
    model_label_free(rec);
}

int json_map_labels(json_object *root, struct label **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no label list in the answer");
    *n = map_items(a, sizeof **out, map_label_item, free_label_item, (void **)out, NULL);
    return 0;
}

int json_map_titles(json_object *root, char ***out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no label titles in the answer");
    map_strings(a, out, n);
    return 0;
}

/* §10: Bandwidth-style SMS, or Twilio with the sms medium. A Twilio inbox
 * without a medium predates WhatsApp support, so it is SMS. */
static bool inbox_is_sms(json_object *o)
{
    const char *type = raw_str(o, "channel_type");
    const char *medium = raw_str(o, "medium");
    if (!type)
        return false;
    if (strcmp(type, "Channel::Sms") == 0)
        return true;
    return strcmp(type, "Channel::TwilioSms") == 0 && (!medium || strcmp(medium, "sms") == 0);
}

static int map_inbox_item(json_object *o, void *rec, char **err)
{
    struct inbox *i = rec;
    memset(i, 0, sizeof *i);
    i->name = xstrdup("");
    i->channel_type = xstrdup("");
    i->phone = xstrdup("");
    i->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || i->id <= 0) {
        i->id = 0;
        return fail(err, "inbox without an id");
    }
    replace(&i->name, get_text(o, "name", TEXT_SINGLE_LINE));
    replace(&i->channel_type, get_text(o, "channel_type", TEXT_SINGLE_LINE));
    replace(&i->phone, get_text(o, "phone_number", TEXT_SINGLE_LINE));
    i->is_sms = inbox_is_sms(o);
    return 0;
}

static void free_inbox_item(void *rec)
{
    model_inbox_free(rec);
}

int json_map_inboxes(json_object *root, struct inbox **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no inbox list in the answer");
    *n = map_items(a, sizeof **out, map_inbox_item, free_inbox_item, (void **)out, NULL);
    return 0;
}

static int map_template_item(json_object *o, void *rec, char **err)
{
    struct template *t = rec;
    memset(t, 0, sizeof *t);
    t->short_code = xstrdup("");
    t->content = xstrdup("");
    t->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || t->id <= 0) {
        t->id = 0;
        return fail(err, "canned response without an id");
    }
    replace(&t->short_code, get_text(o, "short_code", TEXT_SINGLE_LINE));
    replace(&t->content, get_text(o, "content", TEXT_MULTI_LINE));
    return 0;
}

static void free_template_item(void *rec)
{
    model_template_free(rec);
}

int json_map_templates(json_object *root, struct template **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no canned responses in the answer");
    *n = map_items(a, sizeof **out, map_template_item, free_template_item, (void **)out, NULL);
    return 0;
}

/* ---- contacts, profile ---- */

static int map_contact_item(json_object *o, void *out, char **err)
{
    return json_map_contact(o, out, err);
}

static void free_contact_item(void *rec)
{
    model_contact_free(rec);
}

int json_map_contacts(json_object *root, struct contact **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *one = get_obj(root, "payload");
    if (!one && json_object_is_type(root, json_type_object) && !get(root, "payload") &&
        get(root, "id"))
        one = root; /* a bare contact */
    if (one) {
        struct contact *c = xcalloc(1, sizeof *c);
        if (json_map_contact(one, c, err) < 0) {
            model_contact_free(c);
            free(c);
            return -1;
        }
        *out = c;
        *n = 1;
        return 0;
    }
    json_object *a = list_of(root, "payload");
    if (!a)
        return fail(err, "no contacts in the answer");
    *n = map_items(a, sizeof **out, map_contact_item, free_contact_item, (void **)out, NULL);
    return 0;
}

int json_map_profile(json_object *o, struct profile *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup("");
    out->email = xstrdup("");
    out->role = xstrdup("");
    out->account_name = xstrdup("");
    out->id = get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || out->id <= 0) {
        out->id = 0;
        return fail(err, "profile without an id");
    }
    out->account_id = get_int(o, "account_id");
    replace(&out->name, get_name2(o, "available_name", "name"));
    replace(&out->email, get_text(o, "email", TEXT_SINGLE_LINE));
    replace(&out->role, get_text(o, "role", TEXT_SINGLE_LINE));
    json_object *accounts = get_arr(o, "accounts");
    size_t len = arr_len(accounts);
    for (size_t i = 0; i < len; i++) {
        json_object *acc = json_object_array_get_idx(accounts, i);
        if (get_int(acc, "id") != out->account_id || out->account_id == 0)
            continue;
        replace(&out->account_name, get_text(acc, "name", TEXT_SINGLE_LINE));
        if (!*out->role)
            replace(&out->role, get_text(acc, "role", TEXT_SINGLE_LINE));
        break;
    }
    return 0;
}

/* ---- error bodies ---- */

static const char *reason_of(int status)
{
    switch (status) {
    case 400:
        return "bad request";
    case 401:
        return "not authorized";
    case 403:
        return "forbidden";
    case 404:
        return "not found";
    case 405:
        return "method not allowed";
    case 408:
        return "request timeout";
    case 409:
        return "conflict";
    case 413:
        return "request too large";
    case 422:
        return "the server refused the request";
    case 429:
        return "too many requests";
    case 500:
        return "internal server error";
    case 501:
        return "not implemented";
    case 502:
        return "bad gateway";
    case 503:
        return "service unavailable";
    case 504:
        return "gateway timeout";
    default:
        return status >= 500 ? "server error" : "request failed";
    }
}

/* Text out of a JSON error value: a string, the strings of an array
 * ("; "-joined), an object's message/error, or Rails' {"field":["msg"]} as
 * "field msg". Bounded in depth and size. */
static void collect_error(json_object *v, struct buf *b, int depth)
{
    if (depth > 4 || b->len > 1000)
        return;
    switch (json_object_get_type(v)) {
    case json_type_string:
        if (json_object_get_string_len(v) == 0)
            return;
        if (b->len)
            buf_adds(b, "; ");
        buf_add(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return;
    case json_type_array: {
        size_t n = arr_len(v);
        for (size_t i = 0; i < n && i < 20; i++)
            collect_error(json_object_array_get_idx(v, i), b, depth + 1);
        return;
    }
    case json_type_object:
        break;
    default:
        return;
    }
    json_object *m = get(v, "message");
    if (!m)
        m = get(v, "error");
    if (m) {
        collect_error(m, b, depth + 1);
        return;
    }
    int k = 0;
    json_object_object_foreach(v, key, val)
    {
        if (k++ >= 20)
            break;
        struct buf part;
        buf_init(&part);
        collect_error(val, &part, depth + 1);
        if (part.len) {
            if (b->len)
                buf_adds(b, "; ");
            buf_addf(b, "%s ", key);
            buf_add(b, part.data, part.len);
        }
        buf_free(&part);
    }
}

/* Error text of a parsed body into b (empty if it has none). */
static void error_from_json(json_object *root, struct buf *b)
{
    static const char *const keys[] = {"error", "message", "errors", "description"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && b->len == 0; i++)
        collect_error(get(root, keys[i]), b, 0);
    if (json_object_is_type(root, json_type_string) || json_object_is_type(root, json_type_array))
        collect_error(root, b, 0);
}

/* Plain-text bodies: the first line, unless it is HTML (a proxy's page). */
static void error_from_text(const char *body, size_t len, struct buf *b)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    if (i == len || body[i] == '<')
        return;
    size_t end = i;
    while (end < len && body[end] != '\n' && body[end] != '\r' && end - i < 1000)
        end++;
    while (end > i && isspace((unsigned char)body[end - 1]))
        end--;
    buf_add(b, body + i, end - i);
}

/* Cut valid UTF-8 to at most max bytes at a character boundary, with "…". */
static void cut_utf8(char *s, size_t max)
{
    size_t len = strlen(s);
    if (len <= max)
        return;
    size_t end = max - 3;
    while (end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
        end--;
    memcpy(s + end, "\xE2\x80\xA6", 4);
}

/* Does single-line text s draw anything but blanks? */
static bool visible(const char *s)
{
    struct text_cell c;
    size_t pos = 0;
    while (text_cell_next(s, &pos, &c))
        if (c.wc[0] != L' ' || c.wc[1] != L'\0')
            return true;
    return false;
}

char *json_map_error_text(const char *body, size_t len, int http_status)
{
    struct buf b;
    buf_init(&b);
    if (body && len) {
        json_object *root = json_map_parse(body, len, NULL);
        if (root)
            error_from_json(root, &b);
        else
            error_from_text(body, len, &b);
        json_object_put(root);
    }
    /* Messages go to a one-line status bar. */
    char *clean = text_sanitize(b.data, b.len, TEXT_SINGLE_LINE);
    buf_free(&b);
    if (!visible(clean)) {
        /* No text, or none that shows (bidi marks, separators, ZWSP). */
        free(clean);
        clean = http_status > 0 ? xasprintf("HTTP %d: %s", http_status, reason_of(http_status))
                                : xstrdup("no answer from the server");
    }
    cut_utf8(clean, ERROR_BYTES);
    return clean;
}
