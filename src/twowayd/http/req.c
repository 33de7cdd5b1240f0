/* req — one HTTP request as handlers see it, and its answer. */
#include "http/req.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "twoway/text.h"
#include "twoway/xmalloc.h"

const char *req_arg(const struct req *r, const char *key)
{
    for (int i = 0; i < r->nargs; i++)
        if (strcmp(r->args[i].key, key) == 0)
            return r->args[i].value;
    return NULL;
}

const char *req_form(const struct req *r, const char *key)
{
    for (int i = 0; i < r->nform; i++)
        if (strcmp(r->form[i].key, key) == 0)
            return r->form[i].value;
    return NULL;
}

const struct req_part *req_part(const struct req *r, const char *name)
{
    for (size_t i = 0; i < r->nparts; i++)
        if (strcmp(r->parts[i].name, name) == 0)
            return &r->parts[i];
    return NULL;
}

const char *req_header(const struct req *r, const char *name)
{
    return r->header ? r->header(r->header_cls, name) : NULL;
}

json_object *req_json(struct req *r)
{
    if (r->json_parsed)
        return r->json;
    r->json_parsed = true;
    if (r->body_len == 0) {
        r->json = json_object_new_object();
        return r->json;
    }
    if (strlen(r->body) != r->body_len) {
        req_reply_error(r, 400, "request body contains a NUL byte");
        return NULL;
    }
    /* json-c lets overlong and surrogate encodings through; so no. */
    if (!text_valid_utf8(r->body, r->body_len)) {
        req_reply_error(r, 400, "request body is not valid UTF-8");
        return NULL;
    }
    json_tokener *tok = json_tokener_new_ex(64);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *o = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (o && jerr == json_tokener_success && tok->char_offset < (int)r->body_len) {
        /* trailing garbage after a complete value */
        const char *rest = r->body + tok->char_offset;
        while (*rest == ' ' || *rest == '\n' || *rest == '\r' || *rest == '\t')
            rest++;
        if (*rest) {
            json_object_put(o);
            o = NULL;
        }
    }
    json_tokener_free(tok);
    if (!o || jerr != json_tokener_success) {
        json_object_put(o);
        req_reply_error(r, 400, "request body is not valid JSON");
        return NULL;
    }
    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        req_reply_error(r, 400, "request body must be a JSON object");
        return NULL;
    }
    r->json = o;
    return o;
}

bool req_json_has(json_object *o, const char *key)
{
    return o && json_object_object_get_ex(o, key, NULL);
}

bool req_json_int(json_object *o, const char *key, int64_t *out, bool *is_null)
{
    json_object *v;
    if (is_null)
        *is_null = false;
    if (!o || !json_object_object_get_ex(o, key, &v))
        return false;
    if (!v) {
        if (is_null)
            *is_null = true;
        return true;
    }
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_get_int64(v);
        return true;
    }
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        if (*s && !*end && !errno) {
            *out = n;
            return true;
        }
        if (!*s && is_null) {
            *is_null = true;
            return true;
        }
    }
    return false;
}

const char *req_json_str(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

char *req_json_object_text(struct req *r, json_object *body, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, key, &v);
    if (!v)
        return xstrdup("{}");
    if (!json_object_is_type(v, json_type_object)) {
        req_reply_errorf(r, 422, "%s must be an object", key);
        return NULL;
    }
    const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    if (!text_valid_utf8(text, strlen(text))) {
        req_reply_errorf(r, 422, "%s must be valid UTF-8", key);
        return NULL;
    }
    return xstrdup(text);
}

static void set_reply(struct req *r, int status, const char *type, char *body)
{
    free(r->reply);
    r->status = status;
    r->reply_type = type;
    r->reply = body;
    r->reply_len = 0;
    r->reply_binary = false;
    xfree_null(&r->reply_disposition);
    xfree_null(&r->reply_type_owned);
}

void req_reply_bytes(struct req *r, int status, const char *type, const void *data, size_t len,
                     const char *disposition)
{
    char *copy = xmalloc(len + 1);
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    set_reply(r, status, NULL, copy);
    r->reply_type = r->reply_type_owned = xstrdup(type);
    r->reply_len = len;
    r->reply_binary = true;
    r->reply_disposition = disposition ? xstrdup(disposition) : NULL;
}

void req_reply_json(struct req *r, int status, json_object *obj)
{
    const char *s = obj ? json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE)
                        : "null";
    set_reply(r, status, "application/json; charset=utf-8", xstrdup(s));
    json_object_put(obj);
}

void req_reply_error(struct req *r, int status, const char *msg)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(msg));
    req_reply_json(r, status, o);
}

void req_reply_errorf(struct req *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    req_reply_error(r, status, m);
    free(m);
}

void req_reply_empty(struct req *r, int status)
{
    set_reply(r, status, "application/json; charset=utf-8", xstrdup(""));
}

void req_reply_text(struct req *r, int status, const char *type, const char *text)
{
    set_reply(r, status, type, xstrdup(text));
}

void req_not_found(struct req *r)
{
    req_reply_error(r, 404, "Resource could not be found");
}

void req_unauthorized(struct req *r)
{
    req_reply_error(r, 401, "You are not authorized to do this action");
}

void req_clear(struct req *r)
{
    for (int i = 0; i < r->nargs; i++) {
        free(r->args[i].key);
        free(r->args[i].value);
    }
    r->nargs = 0;
    for (int i = 0; i < r->nform; i++) {
        free(r->form[i].key);
        free(r->form[i].value);
    }
    r->nform = 0;
    for (size_t i = 0; i < r->nparts; i++) {
        free(r->parts[i].name);
        free(r->parts[i].filename);
        free(r->parts[i].content_type);
        buf_free(&r->parts[i].data);
    }
    free(r->parts);
    r->parts = NULL;
    r->nparts = 0;
    json_object_put(r->json);
    r->json = NULL;
    free(r->reply);
    r->reply = NULL;
    xfree_null(&r->reply_disposition);
    xfree_null(&r->reply_type_owned);
}
