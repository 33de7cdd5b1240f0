/* json_map_dir — Chatwoot JSON → the directory (agents, teams, labels,
 * inboxes, canned responses), contacts, the profile, and error texts. */
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
    out->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || out->id <= 0) {
        out->id = 0;
        return json_map_fail(err, "agent without an id");
    }
    out->account_id = json_map_get_int(o, "account_id");
    json_map_replace(&out->name, json_map_get_name2(o, "available_name", "name"));
    json_map_replace(&out->email, json_map_get_text(o, "email", TEXT_SINGLE_LINE));
    json_map_replace(&out->role, json_map_get_text(o, "role", TEXT_SINGLE_LINE));
    const char *av =
        json_map_raw_str(o, "availability_status") ? "availability_status" : "availability";
    json_map_replace(&out->availability, json_map_get_text(o, av, TEXT_SINGLE_LINE));
    return 0;
}

static int map_agent_item(json_object *o, void *out, char **err)
{
    return json_map_agent(o, out, err);
}

int json_map_team(json_object *o, struct team *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup("");
    out->description = xstrdup("");
    out->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || out->id <= 0) {
        out->id = 0;
        return json_map_fail(err, "team without an id");
    }
    json_map_replace(&out->name, json_map_get_text(o, "name", TEXT_SINGLE_LINE));
    json_map_replace(&out->description, json_map_get_text(o, "description", TEXT_SINGLE_LINE));
    out->is_member = json_map_get_bool(o, "is_member", false);
    return 0;
}

static int map_team_item(json_object *o, void *out, char **err)
{
    return json_map_team(o, out, err);
}

static int map_label_item(json_object *o, void *rec, char **err)
{
    struct label *l = rec;
    memset(l, 0, sizeof *l);
    l->title = xstrdup("");
    l->description = xstrdup("");
    l->color = xstrdup("");
    l->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || l->id <= 0) {
        l->id = 0;
        return json_map_fail(err, "label without an id");
    }
    json_map_replace(&l->title, json_map_get_text(o, "title", TEXT_SINGLE_LINE));
    json_map_replace(&l->description, json_map_get_text(o, "description", TEXT_SINGLE_LINE));
    json_map_replace(&l->color, json_map_get_text(o, "color", TEXT_SINGLE_LINE));
    return 0;
}

int json_map_titles(json_object *root, char ***out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    json_object *a = json_map_list_of(root, "payload");
    if (!a)
        return json_map_fail(err, "no label titles in the answer");
    json_map_strings(a, out, n);
    return 0;
}

/* §10: Bandwidth-style SMS, or Twilio with the sms medium. A Twilio inbox
 * without a medium predates WhatsApp support, so it is SMS. */
static bool inbox_is_sms(json_object *o)
{
    const char *type = json_map_raw_str(o, "channel_type");
    const char *medium = json_map_raw_str(o, "medium");
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
    i->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || i->id <= 0) {
        i->id = 0;
        return json_map_fail(err, "inbox without an id");
    }
    json_map_replace(&i->name, json_map_get_text(o, "name", TEXT_SINGLE_LINE));
    json_map_replace(&i->channel_type, json_map_get_text(o, "channel_type", TEXT_SINGLE_LINE));
    json_map_replace(&i->phone, json_map_get_text(o, "phone_number", TEXT_SINGLE_LINE));
    i->is_sms = inbox_is_sms(o);
    return 0;
}

static int map_template_item(json_object *o, void *rec, char **err)
{
    struct template *t = rec;
    memset(t, 0, sizeof *t);
    t->short_code = xstrdup("");
    t->content = xstrdup("");
    t->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || t->id <= 0) {
        t->id = 0;
        return json_map_fail(err, "canned response without an id");
    }
    json_map_replace(&t->short_code, json_map_get_text(o, "short_code", TEXT_SINGLE_LINE));
    json_map_replace(&t->content, json_map_get_text(o, "content", TEXT_MULTI_LINE));
    return 0;
}

/* Each kind's item mapper, and what is missing when the answer has no
 * list: the one place a new kind of the directory meets JSON. */
static const struct {
    json_map_item_fn map;
    const char *what;
} dir_mappers[DIR__COUNT] = {
    [DIR_AGENTS] = {map_agent_item, "agent list"},
    [DIR_TEAMS] = {map_team_item, "team list"},
    [DIR_LABELS] = {map_label_item, "label list"},
    [DIR_INBOXES] = {map_inbox_item, "inbox list"},
    [DIR_TEMPLATES] = {map_template_item, "canned responses"},
};

/* What json_map_items frees a failed item with, one per kind. */
#define X(kind, field, rec)                                                                        \
    static void release_##field(void *r)                                                           \
    {                                                                                              \
        model_##rec##_free(r);                                                                     \
    }
MODEL_DIRECTORY(X)
#undef X
static const json_map_free_fn dir_release[DIR__COUNT] = {
#define X(kind, field, rec) [kind] = release_##field,
    MODEL_DIRECTORY(X)
#undef X
};

int json_map_dir_record(json_object *o, enum dir_kind k, void *out, char **err)
{
    return dir_mappers[k].map(o, out, err);
}

int json_map_dir(json_object *root, enum dir_kind k, struct directory *out, char **err)
{
    void *old;
    size_t nold;
    model_directory_take(out, k, &old, &nold);
    model_dir_list_free(k, old, nold);
    json_object *a = json_map_list_of(root, "payload");
    if (!a) {
        if (err)
            *err = xasprintf("no %s in the answer", dir_mappers[k].what);
        return -1;
    }
    void *items = NULL;
    size_t n =
        json_map_items(a, model_dir_size(k), dir_mappers[k].map, dir_release[k], &items, NULL);
    model_directory_put(out, k, items, n);
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
    json_object *one = json_map_get_obj(root, "payload");
    if (!one && json_object_is_type(root, json_type_object) && !json_map_get(root, "payload") &&
        json_map_get(root, "id"))
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
    json_object *a = json_map_list_of(root, "payload");
    if (!a)
        return json_map_fail(err, "no contacts in the answer");
    *n = json_map_items(a, sizeof **out, map_contact_item, free_contact_item, (void **)out, NULL);
    return 0;
}

int json_map_created_contact(json_object *root, struct contact *out, char **source_id, char **err)
{
    *source_id = NULL;
    json_object *payload = json_map_get_obj(root, "payload");
    json_object *contact = payload ? json_map_get_obj(payload, "contact") : NULL;
    if (!contact)
        return json_map_fail(err, "no contact in the answer");
    if (json_map_contact(contact, out, err) < 0)
        return -1;
    json_object *ci = json_map_get_obj(payload, "contact_inbox");
    char *sid = ci ? json_map_get_text(ci, "source_id", TEXT_SINGLE_LINE) : NULL;
    if (sid && *sid)
        *source_id = sid;
    else
        free(sid);
    return 0;
}

int json_map_profile(json_object *o, struct profile *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup("");
    out->email = xstrdup("");
    out->role = xstrdup("");
    out->account_name = xstrdup("");
    out->pubsub_token = xstrdup("");
    out->id = json_map_get_int(o, "id");
    if (!json_object_is_type(o, json_type_object) || out->id <= 0) {
        out->id = 0;
        return json_map_fail(err, "profile without an id");
    }
    out->account_id = json_map_get_int(o, "account_id");
    json_map_replace(&out->name, json_map_get_name2(o, "available_name", "name"));
    json_map_replace(&out->email, json_map_get_text(o, "email", TEXT_SINGLE_LINE));
    json_map_replace(&out->role, json_map_get_text(o, "role", TEXT_SINGLE_LINE));
    json_map_replace(&out->pubsub_token, json_map_get_text(o, "pubsub_token", TEXT_SINGLE_LINE));
    json_object *accounts = json_map_get_arr(o, "accounts");
    size_t len = json_map_arr_len(accounts);
    for (size_t i = 0; i < len; i++) {
        json_object *acc = json_object_array_get_idx(accounts, i);
        if (json_map_get_int(acc, "id") != out->account_id || out->account_id == 0)
            continue;
        json_map_replace(&out->account_name, json_map_get_text(acc, "name", TEXT_SINGLE_LINE));
        if (!*out->role)
            json_map_replace(&out->role, json_map_get_text(acc, "role", TEXT_SINGLE_LINE));
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
        size_t n = json_map_arr_len(v);
        for (size_t i = 0; i < n && i < 20; i++)
            collect_error(json_object_array_get_idx(v, i), b, depth + 1);
        return;
    }
    case json_type_object:
        break;
    default:
        return;
    }
    json_object *m = json_map_get(v, "message");
    if (!m)
        m = json_map_get(v, "error");
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
        collect_error(json_map_get(root, keys[i]), b, 0);
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
