/* json_map_get — typed access to untrusted JSON, times, bounded array
 * walks: the pieces every mapper is built from. */
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

/* ---- typed access that never trusts the type ---- */

json_object *json_map_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

json_object *json_map_get_obj(json_object *o, const char *key)
{
    json_object *v = json_map_get(o, key);
    return json_object_is_type(v, json_type_object) ? v : NULL;
}

json_object *json_map_get_arr(json_object *o, const char *key)
{
    json_object *v = json_map_get(o, key);
    return json_object_is_type(v, json_type_array) ? v : NULL;
}

size_t json_map_arr_len(json_object *a)
{
    if (!json_object_is_type(a, json_type_array))
        return 0;
    size_t n = json_object_array_length(a);
    return n > MAX_ITEMS ? MAX_ITEMS : n;
}

/* "42", " 42 " → 42; anything else fails. */
int json_map_parse_int_str(const char *s, int64_t *out)
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
int64_t json_map_as_int(json_object *v)
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
        if (json_map_parse_int_str(json_object_get_string(v), &out) < 0)
            return 0;
        return out;
    case json_type_boolean:
        return json_object_get_boolean(v) ? 1 : 0;
    default:
        return 0;
    }
}

int64_t json_map_get_int(json_object *o, const char *key)
{
    return json_map_as_int(json_map_get(o, key));
}

bool json_map_as_bool(json_object *v)
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

bool json_map_get_bool(json_object *o, const char *key, bool dflt)
{
    json_object *v = json_map_get(o, key);
    return v ? json_map_as_bool(v) : dflt;
}

/* A string value as sanitized text; numbers and booleans as their JSON
 * spelling (a phone number sent as a number is still a phone number);
 * null, objects and arrays as "". Owned. */
char *json_map_as_text(json_object *v, unsigned flags)
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

char *json_map_get_text(json_object *o, const char *key, unsigned flags)
{
    return json_map_as_text(json_map_get(o, key), flags);
}

/* Borrowed raw string of a string value, or NULL. For comparisons only. */
const char *json_map_raw_str(json_object *o, const char *key)
{
    json_object *v = json_map_get(o, key);
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The first of two keys that holds a non-empty string (Chatwoot's
 * available_name before name), sanitized single-line. */
char *json_map_get_name2(json_object *o, const char *k1, const char *k2)
{
    const char *s = json_map_raw_str(o, k1);
    if (s && *s)
        return json_map_get_text(o, k1, TEXT_SINGLE_LINE);
    return json_map_get_text(o, k2, TEXT_SINGLE_LINE);
}

void json_map_replace(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

int json_map_fail(char **err, const char *what)
{
    if (err)
        *err = xstrdup(what);
    return -1;
}

/* ---- parse ---- */

json_object *json_map_parse(const char *text, size_t len, char **err)
{
    if (!text || len == 0)
        return json_map_fail(err, "empty answer"), NULL;
    if (len > INT_MAX)
        return json_map_fail(err, "answer too large"), NULL;
    struct json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok)
        return json_map_fail(err, "out of memory"), NULL;
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
        return json_map_fail(err, "truncated JSON"), NULL;
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
            return json_map_fail(err, "invalid JSON: text after the value"), NULL;
        }
    }
    if (!o)
        return json_map_fail(err, "the answer is null"), NULL;
    return o;
}

/* ---- time ---- */

int64_t json_map_epoch_ok(double t)
{
    if (!isfinite(t) || t <= 0 || t > (double)MAX_EPOCH)
        return 0;
    return (int64_t)t;
}

/* "1732700000" or "1732700000.25" → epoch; else -1. */
int json_map_numeric_time(const char *s, double *out)
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
        return json_map_epoch_ok(json_object_get_double(v));
    case json_type_string: {
        const char *s = json_object_get_string(v);
        double d;
        int64_t t;
        if (json_map_numeric_time(s, &d) == 0)
            return json_map_epoch_ok(d);
        if (timeutil_parse_iso8601(s, &t) == 0)
            return t > 0 && t <= MAX_EPOCH ? t : 0;
        return 0;
    }
    default:
        return 0;
    }
}

int64_t json_map_get_time(json_object *o, const char *key)
{
    return json_map_time(json_map_get(o, key));
}

/* Float epochs (updated_at) keep their fraction: they order updates. */
double json_map_get_ftime(json_object *o, const char *key)
{
    json_object *v = json_map_get(o, key);
    double d = 0;
    if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
        d = json_object_get_double(v);
    else if (json_object_is_type(v, json_type_string) &&
             json_map_numeric_time(json_object_get_string(v), &d) < 0)
        d = (double)json_map_time(v);
    return isfinite(d) && d > 0 && d <= (double)MAX_EPOCH ? d : 0;
}

/* ---- small shared pieces ---- */

/* custom_attributes → kv pairs in server order; values as text. */
void json_map_attrs(json_object *o, struct kv **out, size_t *n)
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
            kv->value = json_map_as_text(val, TEXT_MULTI_LINE);
    }
}

/* An array of strings (labels, titles); other items are skipped. */
void json_map_strings(json_object *a, char ***out, size_t *n)
{
    size_t len = json_map_arr_len(a);
    *out = NULL;
    *n = 0;
    if (len == 0)
        return;
    *out = xcalloc(len, sizeof **out);
    for (size_t i = 0; i < len; i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (json_object_is_type(v, json_type_string))
            (*out)[(*n)++] = json_map_as_text(v, TEXT_SINGLE_LINE);
    }
}

/* The one list in a body: a bare array, or root[key] (payload). */
json_object *json_map_list_of(json_object *root, const char *key)
{
    if (json_object_is_type(root, json_type_array))
        return root;
    return json_map_get_arr(root, key);
}

/* Map each item of a list with one record mapper into a new array of
 * records; failing items are skipped. */

size_t json_map_items(json_object *a, size_t size, json_map_item_fn map, json_map_free_fn release,
                      void **out, size_t *skipped)
{
    size_t len = json_map_arr_len(a), n = 0;
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
