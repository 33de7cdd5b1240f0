/* chatwoot — the provider for Chatwoot's Application API v1 (and twowayd).
 *
 * Each operation is one HTTP request (doc/api.md) whose answer is
 * classified (HTTP status → prov_err) and, on success, mapped into the
 * result by json_map. A pending operation is a `struct cw_call`; its
 * callback only ever runs from http_perform(), also when the operation
 * fails before anything is sent (http_defer). The token is kept in one
 * header string and never logged. */
#include "twoway/chatwoot.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "twoway/buf.h"
#include "twoway/http.h"
#include "json_map.h"
#include "twoway/provider.h"
#include "twoway/xmalloc.h"

#include "live.h"

/* More labels than this on one conversation is a caller's bug. */
#define MAX_SET_LABELS 1000

/* What a successful answer carries. */
enum body_kind {
    BODY_NONE,         /* nothing we need (toggle_priority, update_last_seen…) */
    BODY_JSON,         /* a JSON document, required */
    BODY_JSON_OR_NULL, /* a JSON document, or null / nothing (assignments) */
};

struct cw_call;
/* Fill res from a parsed answer (root is NULL for BODY_JSON_OR_NULL's
 * null). 0, or -1 with *err. */
typedef int (*cw_mapper)(json_object *root, struct prov_result *res, const struct cw_call *c,
                         char **err);

struct cw_call {
    struct cw *cw;
    uint64_t req;
    prov_cb cb;
    void *ud;
    cw_mapper map;
    enum body_kind body;
    int64_t conv;          /* the conversation the op is about, or 0 */
    enum conv_status want; /* set_status: what was asked */
    int64_t want_until;    /* set_status: snoozed_until asked */
    enum dir_kind kind;    /* list_dir: the kind asked for */
    enum prov_err pre_err; /* failed before sending (PROV_OK = sent) */
    char *pre_msg;
    bool account_wide; /* a collection of the account: a 404 means no account */
    struct cw_call *prev, *next;
};

struct cw {
    struct provider base; /* first: a struct provider * is a struct cw * */
    struct http *http;
    char *base_url;
    int64_t account;
    char *auth_header; /* "api_access_token: TOKEN", or NULL if unusable */
    struct cw_call *calls;
    struct cw_live *live; /* the ActionCable channel, once subscribed */
};

/* ---- calls ---- */

static struct cw_call *call_new(struct cw *cw, cw_mapper map, enum body_kind body, prov_cb cb,
                                void *ud)
{
    struct cw_call *c = xcalloc(1, sizeof *c);
    c->cw = cw;
    c->map = map;
    c->body = body;
    c->cb = cb;
    c->ud = ud;
    c->next = cw->calls;
    if (cw->calls)
        cw->calls->prev = c;
    cw->calls = c;
    return c;
}

static void call_unlink(struct cw_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        c->cw->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void call_free(struct cw_call *c)
{
    free(c->pre_msg);
    free(c);
}

static void on_http(void *ud, struct http_response *resp);

/* Fail from the loop, without sending anything. */
static void call_fail(struct cw_call *c, enum prov_err e, const char *msg)
{
    c->pre_err = e;
    c->pre_msg = xstrdup(msg);
    c->req = http_defer(c->cw->http, on_http, c);
}

/* Send the request; url and body are consumed. */
static void call_send(struct cw_call *c, const char *method, char *url, json_object *body)
{
    struct cw *cw = c->cw;
    if (!cw->auth_header) {
        call_fail(c, PROV_ERR_AUTH, "the access token is empty or not a single line");
        goto out;
    }
    const char *headers[4] = {cw->auth_header, "Accept: application/json", NULL, NULL};
    const char *text = NULL;
    if (body) {
        headers[2] = "Content-Type: application/json";
        text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE);
    }
    c->req = http_request(cw->http, method, url, headers, text, on_http, c);
out:
    free(url);
    json_object_put(body);
}

/* ---- URLs ---- */

/* base + "/api/v1/accounts/{id}" + the formatted path. Owned buf. */
static void acc_url(struct cw *cw, struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void acc_url(struct cw *cw, struct buf *b, const char *fmt, ...)
{
    va_list ap;
    buf_init(b);
    buf_addf(b, "%s/api/v1/accounts/%lld", cw->base_url, (long long)cw->account);
    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

/* Append one query parameter (value escaped). */
static void param(struct buf *b, const char *key, const char *value)
{
    char *v = http_escape(value);
    buf_addc(b, strchr(b->data, '?') ? '&' : '?');
    buf_adds(b, key);
    buf_addc(b, '=');
    buf_adds(b, v);
    free(v);
}

static void param_int(struct buf *b, const char *key, long long value)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", value);
    param(b, key, num);
}

/* ---- answers ---- */

/* 401 has three meanings: a bad token; a token whose user is no member of
 * the account (Chatwoot's ensure_current_account, and a suspended account),
 * so that nothing of the account will work; or a token that may not do
 * this one thing. The first two are PROV_ERR_AUTH: asking again is no use. */
enum auth_fail { AUTH_FAIL_NONE, AUTH_FAIL_TOKEN, AUTH_FAIL_ACCOUNT };

static enum auth_fail says_auth_failure(const char *s)
{
    if (!s)
        return AUTH_FAIL_NONE;
    if (strcasecmp(s, "Invalid Access Token") == 0 ||
        strncasecmp(s, "You need to sign in", 19) == 0)
        return AUTH_FAIL_TOKEN;
    if (strcasecmp(s, "You are not authorized to access this account") == 0 ||
        strcasecmp(s, "Account is suspended") == 0)
        return AUTH_FAIL_ACCOUNT;
    return AUTH_FAIL_NONE;
}

static enum auth_fail auth_failure(const char *body, size_t len)
{
    json_object *root = json_map_parse(body, len, NULL);
    enum auth_fail f = AUTH_FAIL_NONE;
    json_object *v;
    if (json_object_object_get_ex(root, "error", &v) && json_object_is_type(v, json_type_string))
        f = says_auth_failure(json_object_get_string(v));
    if (!f && json_object_object_get_ex(root, "errors", &v) &&
        json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n && i < 20 && !f; i++)
            f = says_auth_failure(json_object_get_string(json_object_array_get_idx(v, i)));
    }
    json_object_put(root);
    return f;
}

static enum prov_err err_of_status(const struct cw_call *c, const struct http_response *resp,
                                   enum auth_fail *why)
{
    int st = resp->status;
    *why = AUTH_FAIL_NONE;
    /* The account's own lists always exist: not found, it is the account
     * that is not there (Chatwoot's Account.find). */
    if (st == 404 && c->account_wide) {
        *why = AUTH_FAIL_ACCOUNT;
        return PROV_ERR_AUTH;
    }
    if (st == 401) {
        *why = auth_failure(resp->body, resp->body_len);
        return *why ? PROV_ERR_AUTH : PROV_ERR_DENIED;
    }
    if (st == 403)
        return PROV_ERR_DENIED;
    if (st == 404)
        return PROV_ERR_NOT_FOUND;
    if (st == 429)
        return PROV_ERR_RATE;
    if (st >= 500)
        return PROV_ERR_SERVER;
    if (st >= 400)
        return PROV_ERR_INVALID;
    return PROV_ERR_PROTOCOL; /* 1xx/3xx: we follow no redirects */
}

/* The server's reason for an auth failure, in words that say what to
 * change. Takes msg. */
static char *auth_text(const struct cw_call *c, enum auth_fail why, int status, char *msg)
{
    char *m = why == AUTH_FAIL_ACCOUNT
                  ? xasprintf("account %lld: %s (check the account: set account, TWOWAY_ACCOUNT)",
                              (long long)c->cw->account, status == 404 ? "no such account" : msg)
                  : xasprintf("the server rejected the token (%s)", msg);
    free(msg);
    return m;
}

/* "", whitespace or "null": an answer that says nothing. */
static bool body_is_null(const char *body, size_t len)
{
    size_t i = 0, end = len;
    while (i < end && isspace((unsigned char)body[i]))
        i++;
    while (end > i && isspace((unsigned char)body[end - 1]))
        end--;
    return end == i || (end - i == 4 && memcmp(body + i, "null", 4) == 0);
}

static void set_protocol_error(struct prov_result *res, const char *why)
{
    provider_result_free(res);
    res->err = PROV_ERR_PROTOCOL;
    res->message = xasprintf("the server's answer could not be read: %s", why);
}

static void map_success(const struct cw_call *c, const struct http_response *resp,
                        struct prov_result *res)
{
    json_object *root = NULL;
    char *err = NULL;
    if (c->body == BODY_NONE || !c->map)
        return;
    if (c->body == BODY_JSON || !body_is_null(resp->body, resp->body_len)) {
        root = json_map_parse(resp->body, resp->body_len, &err);
        if (!root)
            goto fail;
    }
    if (c->map(root, res, c, &err) < 0)
        goto fail;
    json_object_put(root);
    return;
fail:
    set_protocol_error(res, err ? err : "unexpected content");
    free(err);
    json_object_put(root);
}

static void classify(const struct cw_call *c, const struct http_response *resp,
                     struct prov_result *res)
{
    res->http_status = resp->status;
    res->retry_after = resp->retry_after;
    if (c->pre_err != PROV_OK) {
        res->err = c->pre_err;
        res->message = xstrdup(c->pre_msg);
        return;
    }
    if (resp->curl_code != 0 || resp->status == 0) {
        res->err = PROV_ERR_NETWORK;
        res->message = xstrdup(resp->error ? resp->error : "no answer from the server");
        res->maybe_delivered = resp->maybe_delivered;
        return;
    }
    if (resp->status >= 200 && resp->status < 300) {
        map_success(c, resp, res);
        return;
    }
    enum auth_fail why;
    res->err = err_of_status(c, resp, &why);
    res->message = json_map_error_text(resp->body, resp->body_len, resp->status);
    if (why)
        res->message = auth_text(c, why, resp->status, res->message);
}

static void on_http(void *ud, struct http_response *resp)
{
    struct cw_call *c = ud;
    struct prov_result res = {.err = PROV_OK, .retry_after = -1};
    call_unlink(c);
    classify(c, resp, &res);
    prov_cb cb = c->cb;
    void *cb_ud = c->ud;
    call_free(c);
    /* The callback may free the provider: nothing of it is touched after. */
    if (cb)
        cb(cb_ud, &res);
    provider_result_free(&res);
}

/* ---- mappers ---- */

static int map_profile(json_object *root, struct prov_result *res, const struct cw_call *c,
                       char **err)
{
    (void)c;
    if (json_map_profile(root, &res->profile, err) < 0) {
        model_profile_free(&res->profile);
        return -1;
    }
    res->has_profile = true;
    return 0;
}

static json_object *meta_of(json_object *root)
{
    json_object *data = NULL, *meta = NULL;
    if (json_object_object_get_ex(root, "data", &data) &&
        json_object_is_type(data, json_type_object))
        root = data;
    if (json_object_object_get_ex(root, "meta", &meta) &&
        json_object_is_type(meta, json_type_object))
        return meta;
    return NULL;
}

static int map_conv_list(json_object *root, struct prov_result *res, const struct cw_call *c,
                         char **err)
{
    (void)c;
    if (json_map_conversation_list(root, &res->convs, &res->nconvs, &res->counts, NULL, err) < 0)
        return -1;
    res->has_counts = json_map_counts(meta_of(root), &res->counts, NULL) == 0;
    return 0;
}

static int map_counts(json_object *root, struct prov_result *res, const struct cw_call *c,
                      char **err)
{
    (void)c;
    if (json_map_counts(root, &res->counts, err) < 0)
        return -1;
    res->has_counts = true;
    return 0;
}

static int map_search(json_object *root, struct prov_result *res, const struct cw_call *c,
                      char **err)
{
    (void)c;
    if (json_map_search_list(root, &res->convs, &res->nconvs, err) < 0)
        return -1;
    res->has_counts = json_map_counts(meta_of(root), &res->counts, NULL) == 0;
    return 0;
}

static int map_conv(json_object *root, struct prov_result *res, const struct cw_call *c, char **err)
{
    (void)c;
    if (json_map_conversation(root, &res->conv, err) < 0) {
        model_conversation_free(&res->conv);
        return -1;
    }
    res->has_conv = true;
    return 0;
}

static int map_messages(json_object *root, struct prov_result *res, const struct cw_call *c,
                        char **err)
{
    size_t skipped = 0;
    if (json_map_messages(root, &res->msgs, &res->nmsgs, &skipped, err) < 0)
        return -1;
    res->partial = skipped > 0;
    for (size_t i = 0; i < res->nmsgs; i++)
        if (!res->msgs[i].conv_id)
            res->msgs[i].conv_id = c->conv;
    return 0;
}

static int map_message(json_object *root, struct prov_result *res, const struct cw_call *c,
                       char **err)
{
    if (json_map_message(root, &res->msg, err) < 0) {
        model_message_free(&res->msg);
        return -1;
    }
    if (!res->msg.conv_id)
        res->msg.conv_id = c->conv;
    res->has_msg = true;
    return 0;
}

/* {"payload":{"current_status":"snoozed","snoozed_until":"<ISO>|null"}};
 * an answer without it means the server did what was asked. */
static int map_status(json_object *root, struct prov_result *res, const struct cw_call *c,
                      char **err)
{
    (void)err;
    json_object *payload = NULL, *v = NULL;
    res->status = c->want;
    res->snoozed_until = c->want == CONV_SNOOZED ? c->want_until : 0;
    if (!json_object_object_get_ex(root, "payload", &payload) ||
        !json_object_is_type(payload, json_type_object))
        return 0;
    if (json_object_object_get_ex(payload, "current_status", &v) &&
        json_object_is_type(v, json_type_string)) {
        enum conv_status st;
        if (model_status_parse(json_object_get_string(v), &st) == 0)
            res->status = st;
    }
    if (json_object_object_get_ex(payload, "snoozed_until", &v))
        res->snoozed_until = json_map_time(v);
    return 0;
}

/* The assignee (an agent) or the team, or nothing when cleared. */
static int map_assigned(json_object *root, struct prov_result *res, const struct cw_call *c,
                        char **err)
{
    if (!root)
        return 0;
    void *rec = xcalloc(1, model_dir_size(c->kind));
    if (json_map_dir_record(root, c->kind, rec, err) < 0) {
        model_dir_list_free(c->kind, rec, 1);
        return -1;
    }
    model_directory_put(&res->dir, c->kind, rec, 1);
    return 0;
}

static int map_titles(json_object *root, struct prov_result *res, const struct cw_call *c,
                      char **err)
{
    (void)c;
    return json_map_titles(root, &res->titles, &res->ntitles, err);
}

static int map_dir(json_object *root, struct prov_result *res, const struct cw_call *c, char **err)
{
    return json_map_dir(root, c->kind, &res->dir, err);
}

static int map_contacts(json_object *root, struct prov_result *res, const struct cw_call *c,
                        char **err)
{
    (void)c;
    return json_map_contacts(root, &res->contacts, &res->ncontacts, err);
}

/* {"payload":{"contact":{…},"contact_inbox":{"inbox":…,"source_id":"+1…"}}}
 * (doc/api.md §9). */
static int map_created_contact(json_object *root, struct prov_result *res, const struct cw_call *c,
                               char **err)
{
    (void)c;
    struct contact *one = xcalloc(1, sizeof *one);
    if (json_map_created_contact(root, one, &res->source_id, err) < 0) {
        model_contact_free(one);
        free(one);
        return -1;
    }
    res->contacts = one;
    res->ncontacts = 1;
    return 0;
}

/* ---- operations ---- */

static struct cw *cw_of(struct provider *p)
{
    return (struct cw *)p;
}

/* POST to a conversation's sub-path. */
static void conv_post(struct provider *p, int64_t conv, const char *what, json_object *body,
                      cw_mapper map, enum body_kind kind, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/conversations/%lld/%s", (long long)conv, what);
    struct cw_call *c = call_new(cw, map, kind, cb, ud);
    c->conv = conv;
    call_send(c, "POST", buf_detach(&url), body);
}

static void op_profile(struct provider *p, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    char *url = xasprintf("%s/api/v1/profile", cw->base_url);
    call_send(call_new(cw, map_profile, BODY_JSON, cb, ud), "GET", url, NULL);
}

static const char *assignee_name(enum assignee_type a)
{
    switch (a) {
    case ASSIGNEE_MINE:
        return "me";
    case ASSIGNEE_UNASSIGNED:
        return "unassigned";
    case ASSIGNEE_ASSIGNED:
        return "assigned";
    case ASSIGNEE_ALL:
        break;
    }
    return "all";
}

/* The filters shared by the list and its counts (§3.1, §3.3). */
static void add_filters(struct buf *url, const struct conv_query *q)
{
    param(url, "assignee_type", assignee_name(q->assignee));
    bool known = q->status >= CONV_OPEN && q->status <= CONV_SNOOZED;
    param(url, "status", known ? model_status_name((enum conv_status)q->status) : "all");
    if (q->inbox_id > 0)
        param_int(url, "inbox_id", q->inbox_id);
    if (q->team_id > 0)
        param_int(url, "team_id", q->team_id);
    if (q->label && *q->label)
        param(url, "labels%5B%5D", q->label);
    if (q->q && *q->q)
        param(url, "q", q->q);
}

/* GET of the list (with a page) or of its counts alone (§3.1, §3.3). */
static void list_get(struct provider *p, const char *path, const struct conv_query *q, bool paged,
                     cw_mapper map, prov_cb cb, void *ud)
{
    static const struct conv_query dflt = {.assignee = ASSIGNEE_ALL, .status = CONV_OPEN};
    struct cw *cw = cw_of(p);
    struct buf url;
    if (!q)
        q = &dflt;
    acc_url(cw, &url, "%s", path);
    add_filters(&url, q);
    if (paged)
        param_int(&url, "page", q->page > 0 ? q->page : 1);
    if (paged && q->sort_by && *q->sort_by)
        param(&url, "sort_by", q->sort_by);
    if (paged && q->updated_within > 0)
        param_int(&url, "updated_within", q->updated_within);
    struct cw_call *c = call_new(cw, map, BODY_JSON, cb, ud);
    c->account_wide = true;
    call_send(c, "GET", buf_detach(&url), NULL);
}

/* POST …/conversations/filter (§3.5): the conditions as Chatwoot takes
 * them, all joined by AND; the answer is the list's, unwrapped. */
static void list_filter(struct provider *p, const struct conv_query *q, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    json_object *payload = json_object_new_array();
    const struct conv_filter *f = q->filter;
    for (size_t i = 0; i < f->nconds; i++) {
        const struct conv_filter_cond *c = &f->conds[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "attribute_key",
                               json_object_new_string(model_conv_filter_key_name(c->key)));
        json_object_object_add(o, "filter_operator",
                               json_object_new_string(c->present
                                                          ? c->neg ? "is_not_present" : "is_present"
                                                      : c->neg ? "not_equal_to"
                                                               : "equal_to"));
        json_object *vals = json_object_new_array();
        for (size_t k = 0; k < c->nvalues; k++)
            json_object_array_add(vals, json_object_new_string(c->values[k]));
        json_object_object_add(o, "values", vals);
        json_object_object_add(o, "query_operator",
                               i + 1 < f->nconds ? json_object_new_string("and") : NULL);
        json_object_array_add(payload, o);
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "payload", payload);
    struct buf url;
    acc_url(cw, &url, "/conversations/filter");
    param_int(&url, "page", q->page > 0 ? q->page : 1);
    struct cw_call *c = call_new(cw, map_conv_list, BODY_JSON, cb, ud);
    c->account_wide = true;
    call_send(c, "POST", buf_detach(&url), body);
}

static void op_list_conversations(struct provider *p, const struct conv_query *q, prov_cb cb,
                                  void *ud)
{
    if (q && q->filter && q->filter->nconds && q->updated_within <= 0)
        list_filter(p, q, cb, ud);
    else
        list_get(p, "/conversations", q, true, map_conv_list, cb, ud);
}

static void op_conversation_counts(struct provider *p, const struct conv_query *q, prov_cb cb,
                                   void *ud)
{
    list_get(p, "/conversations/meta", q, false, map_counts, cb, ud);
}

static void op_search_conversations(struct provider *p, const char *q, int page, prov_cb cb,
                                    void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/conversations/search");
    param(&url, "q", q ? q : "");
    param_int(&url, "page", page > 0 ? page : 1);
    call_send(call_new(cw, map_search, BODY_JSON, cb, ud), "GET", buf_detach(&url), NULL);
}

static void op_get_conversation(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/conversations/%lld", (long long)conv);
    struct cw_call *c = call_new(cw, map_conv, BODY_JSON, cb, ud);
    c->conv = conv;
    call_send(c, "GET", buf_detach(&url), NULL);
}

static void op_list_messages(struct provider *p, int64_t conv, int64_t before, int64_t after,
                             prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/conversations/%lld/messages", (long long)conv);
    if (before > 0)
        param_int(&url, "before", before);
    if (after > 0 || after == PROV_FROM_OLDEST)
        param_int(&url, "after", after > 0 ? after : 0);
    struct cw_call *c = call_new(cw, map_messages, BODY_JSON, cb, ud);
    c->conv = conv;
    call_send(c, "GET", buf_detach(&url), NULL);
}

static void op_send_message(struct provider *p, int64_t conv, const char *content, bool is_private,
                            const char *echo_id, prov_cb cb, void *ud)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "content", json_object_new_string(content ? content : ""));
    json_object_object_add(body, "private", json_object_new_boolean(is_private));
    json_object_object_add(body, "message_type", json_object_new_string("outgoing"));
    if (echo_id && *echo_id)
        json_object_object_add(body, "echo_id", json_object_new_string(echo_id));
    conv_post(p, conv, "messages", body, map_message, BODY_JSON, cb, ud);
}

static void op_create_conversation(struct provider *p, int64_t inbox_id, int64_t contact_id,
                                   const char *source_id, const char *content, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "inbox_id", json_object_new_int64(inbox_id));
    json_object_object_add(body, "contact_id", json_object_new_int64(contact_id));
    if (source_id && *source_id)
        json_object_object_add(body, "source_id", json_object_new_string(source_id));
    if (content && *content) {
        json_object *msg = json_object_new_object();
        json_object_object_add(msg, "content", json_object_new_string(content));
        json_object_object_add(body, "message", msg);
    }
    acc_url(cw, &url, "/conversations");
    call_send(call_new(cw, map_conv, BODY_JSON, cb, ud), "POST", buf_detach(&url), body);
}

static void op_set_status(struct provider *p, int64_t conv, enum conv_status st,
                          int64_t snoozed_until, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    if (st < CONV_OPEN || st > CONV_SNOOZED) {
        struct cw_call *c = call_new(cw, map_status, BODY_JSON_OR_NULL, cb, ud);
        call_fail(c, PROV_ERR_INVALID, "unknown conversation status");
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string(model_status_name(st)));
    /* Without snoozed_until a snooze lasts until the contact's next message;
     * the server parses it with %s, so it must be whole epoch seconds. */
    if (st == CONV_SNOOZED && snoozed_until > 0)
        json_object_object_add(body, "snoozed_until", json_object_new_int64(snoozed_until));
    struct buf url;
    acc_url(cw, &url, "/conversations/%lld/toggle_status", (long long)conv);
    struct cw_call *c = call_new(cw, map_status, BODY_JSON_OR_NULL, cb, ud);
    c->conv = conv;
    c->want = st;
    c->want_until = snoozed_until;
    call_send(c, "POST", buf_detach(&url), body);
}

static void op_set_priority(struct provider *p, int64_t conv, enum conv_priority pr, prov_cb cb,
                            void *ud)
{
    if (pr < PRIORITY_NONE || pr > PRIORITY_URGENT) {
        call_fail(call_new(cw_of(p), NULL, BODY_NONE, cb, ud), PROV_ERR_INVALID,
                  "unknown priority");
        return;
    }
    json_object *body = json_object_new_object();
    /* "none" is not a priority the server knows: clearing is null. */
    json_object_object_add(body, "priority",
                           pr == PRIORITY_NONE ? NULL
                                               : json_object_new_string(model_priority_name(pr)));
    conv_post(p, conv, "toggle_priority", body, NULL, BODY_NONE, cb, ud);
}

/* {"assignee_id": N} answers the agent, {"team_id": N} the team; null
 * clears and answers null (doc/api.md §3.11). */
static void assign(struct provider *p, int64_t conv, enum dir_kind k, const char *key, int64_t id,
                   prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    json_object *body = json_object_new_object();
    json_object_object_add(body, key, id > 0 ? json_object_new_int64(id) : NULL);
    struct buf url;
    acc_url(cw, &url, "/conversations/%lld/assignments", (long long)conv);
    struct cw_call *c = call_new(cw, map_assigned, BODY_JSON_OR_NULL, cb, ud);
    c->conv = conv;
    c->kind = k;
    call_send(c, "POST", buf_detach(&url), body);
}

static void op_assign_agent(struct provider *p, int64_t conv, int64_t agent_id, prov_cb cb,
                            void *ud)
{
    assign(p, conv, DIR_AGENTS, "assignee_id", agent_id, cb, ud);
}

static void op_assign_team(struct provider *p, int64_t conv, int64_t team_id, prov_cb cb, void *ud)
{
    assign(p, conv, DIR_TEAMS, "team_id", team_id, cb, ud);
}

static void op_get_labels(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/conversations/%lld/labels", (long long)conv);
    struct cw_call *c = call_new(cw, map_titles, BODY_JSON, cb, ud);
    c->conv = conv;
    call_send(c, "GET", buf_detach(&url), NULL);
}

static void op_set_labels(struct provider *p, int64_t conv, const char *const *titles, size_t n,
                          prov_cb cb, void *ud)
{
    if (n > MAX_SET_LABELS || (n && !titles)) {
        call_fail(call_new(cw_of(p), map_titles, BODY_JSON, cb, ud), PROV_ERR_INVALID,
                  "too many labels");
        return;
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        if (titles[i])
            json_object_array_add(arr, json_object_new_string(titles[i]));
    json_object *body = json_object_new_object();
    json_object_object_add(body, "labels", arr);
    conv_post(p, conv, "labels", body, map_titles, BODY_JSON, cb, ud);
}

static void op_mark_read(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    conv_post(p, conv, "update_last_seen", NULL, NULL, BODY_NONE, cb, ud);
}

static void op_mark_unread(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    conv_post(p, conv, "unread", NULL, NULL, BODY_NONE, cb, ud);
}

static void op_typing(struct provider *p, int64_t conv, bool on, bool is_private, prov_cb cb,
                      void *ud)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "typing_status", json_object_new_string(on ? "on" : "off"));
    json_object_object_add(body, "is_private", json_object_new_boolean(is_private));
    conv_post(p, conv, "toggle_typing_status", body, NULL, BODY_NONE, cb, ud);
}

/* Where each kind of the directory is read (doc/api.md §5–§8, §10). */
static const char *const dir_paths[DIR__COUNT] = {
    [DIR_AGENTS] = "/agents",
    [DIR_TEAMS] = "/teams",
    [DIR_LABELS] = "/labels",
    [DIR_INBOXES] = "/inboxes",
    [DIR_TEMPLATES] = "/canned_responses",
};

static void op_list_dir(struct provider *p, enum dir_kind k, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct cw_call *c = call_new(cw, map_dir, BODY_JSON, cb, ud);
    if ((unsigned)k >= DIR__COUNT) {
        call_fail(c, PROV_ERR_INVALID, "unknown kind of directory");
        return;
    }
    c->kind = k;
    c->account_wide = true;
    struct buf url;
    acc_url(cw, &url, "%s", dir_paths[k]);
    call_send(c, "GET", buf_detach(&url), NULL);
}

static void op_search_contacts(struct provider *p, const char *q, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/contacts/search");
    param(&url, "q", q ? q : "");
    call_send(call_new(cw, map_contacts, BODY_JSON, cb, ud), "GET", buf_detach(&url), NULL);
}

static void op_get_contact(struct provider *p, int64_t contact_id, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/contacts/%lld", (long long)contact_id);
    call_send(call_new(cw, map_contacts, BODY_JSON, cb, ud), "GET", buf_detach(&url), NULL);
}

static void op_create_contact(struct provider *p, int64_t inbox_id, const char *phone, prov_cb cb,
                              void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "inbox_id", json_object_new_int64(inbox_id));
    json_object_object_add(body, "phone_number", json_object_new_string(phone ? phone : ""));
    acc_url(cw, &url, "/contacts");
    call_send(call_new(cw, map_created_contact, BODY_JSON, cb, ud), "POST", buf_detach(&url), body);
}

static void op_contact_conversations(struct provider *p, int64_t contact_id, prov_cb cb, void *ud)
{
    struct cw *cw = cw_of(p);
    struct buf url;
    acc_url(cw, &url, "/contacts/%lld/conversations", (long long)contact_id);
    call_send(call_new(cw, map_conv_list, BODY_JSON, cb, ud), "GET", buf_detach(&url), NULL);
}

/* ---- life cycle ---- */

static void op_subscribe(struct provider *p, const struct prov_live_id *id,
                         const struct prov_events *ev)
{
    struct cw *cw = cw_of(p);
    if (!cw->live && ev)
        cw->live = cw_live_new(cw->http, cw->base_url);
    if (cw->live)
        cw_live_subscribe(cw->live, id, ev);
}

static void op_free(struct provider *p)
{
    struct cw *cw = cw_of(p);
    cw_live_free(&cw->live);
    while (cw->calls) {
        struct cw_call *c = cw->calls;
        http_cancel(cw->http, c->req);
        call_unlink(c);
        call_free(c);
    }
    if (cw->auth_header) {
        explicit_bzero(cw->auth_header, strlen(cw->auth_header));
        free(cw->auth_header);
    }
    free(cw->base_url);
    free(cw);
}

static const struct provider_ops chatwoot_ops = {
    .name = "chatwoot",
    .free = op_free,
    .subscribe = op_subscribe,
    .profile = op_profile,
    .list_conversations = op_list_conversations,
    .conversation_counts = op_conversation_counts,
    .search_conversations = op_search_conversations,
    .get_conversation = op_get_conversation,
    .list_messages = op_list_messages,
    .send_message = op_send_message,
    .create_conversation = op_create_conversation,
    .set_status = op_set_status,
    .set_priority = op_set_priority,
    .assign_agent = op_assign_agent,
    .assign_team = op_assign_team,
    .get_labels = op_get_labels,
    .set_labels = op_set_labels,
    .mark_read = op_mark_read,
    .mark_unread = op_mark_unread,
    .typing = op_typing,
    .list_dir = op_list_dir,
    .search_contacts = op_search_contacts,
    .get_contact = op_get_contact,
    .create_contact = op_create_contact,
    .contact_conversations = op_contact_conversations,
};

/* The header line, or NULL when the token cannot be one: empty, or with
 * a control character that would end the header. Surrounding whitespace
 * (a token_command's newline) is dropped. */
static char *auth_header_of(const char *token)
{
    if (!token)
        return NULL;
    while (isspace((unsigned char)*token))
        token++;
    size_t len = strlen(token);
    while (len && isspace((unsigned char)token[len - 1]))
        len--;
    if (len == 0)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)token[i] < 0x20 || token[i] == 0x7f)
            return NULL;
    return xasprintf("api_access_token: %.*s", (int)len, token);
}

struct provider *chatwoot_new(struct http *http, const char *base_url, int64_t account_id,
                              const char *token)
{
    struct cw *cw = xcalloc(1, sizeof *cw);
    cw->base.ops = &chatwoot_ops;
    cw->http = http;
    cw->base_url = xstrdup(base_url ? base_url : "");
    size_t len = strlen(cw->base_url);
    while (len && cw->base_url[len - 1] == '/')
        cw->base_url[--len] = '\0';
    cw->account = account_id;
    cw->auth_header = auth_header_of(token);
    return &cw->base;
}
