/* codec — JSON values over json-c, behind an opaque type: a struct
 * codec_val * is a json_object *, and only this file and codec_model.c
 * know it. */
#include "twoway/codec.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>

#include "codec_priv.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* Deeper JSON than this is no document of ours. */
#define MAX_DEPTH 64

json_object *codec_json(const struct codec_val *v)
{
    return (json_object *)v;
}

struct codec_val *codec_wrap(json_object *o)
{
    return (struct codec_val *)o;
}

/* ---- building ---- */

struct codec_val *codec_object(void)
{
    return codec_wrap(json_object_new_object());
}

struct codec_val *codec_array(void)
{
    return codec_wrap(json_object_new_array());
}

struct codec_val *codec_str(const char *s)
{
    return s ? codec_wrap(json_object_new_string(s)) : NULL;
}

struct codec_val *codec_int(int64_t v)
{
    return codec_wrap(json_object_new_int64(v));
}

struct codec_val *codec_bool(bool v)
{
    return codec_wrap(json_object_new_boolean(v));
}

struct codec_val *codec_time(int64_t epoch)
{
    if (epoch <= 0)
        return NULL;
    char *iso = timeutil_iso8601(epoch);
    struct codec_val *v = codec_str(iso);
    free(iso);
    return v;
}

void codec_set(struct codec_val *obj, const char *key, struct codec_val *v)
{
    json_object_object_add(codec_json(obj), key, codec_json(v));
}

void codec_set_str(struct codec_val *obj, const char *key, const char *s)
{
    codec_set(obj, key, codec_str(s ? s : ""));
}

void codec_set_int(struct codec_val *obj, const char *key, int64_t v)
{
    codec_set(obj, key, codec_int(v));
}

void codec_set_bool(struct codec_val *obj, const char *key, bool v)
{
    codec_set(obj, key, codec_bool(v));
}

void codec_push(struct codec_val *arr, struct codec_val *v)
{
    json_object_array_add(codec_json(arr), codec_json(v));
}

void codec_merge(struct codec_val *obj, struct codec_val *from)
{
    if (!from)
        return;
    json_object_object_foreach(codec_json(from), k, v)
        json_object_object_add(codec_json(obj), k, json_object_get(v));
    codec_free(&from);
}

char *codec_text(const struct codec_val *v)
{
    return xstrdup(json_object_to_json_string_ext(
        codec_json(v), JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

void codec_free(struct codec_val **v)
{
    if (!v)
        return;
    json_object_put(codec_json(*v));
    *v = NULL;
}

/* ---- reading ---- */

struct codec_val *codec_parse(const char *text, size_t len, char **err)
{
    if (len > INT_MAX) {
        if (err)
            *err = xstrdup("too long to be JSON of ours");
        return NULL;
    }
    json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (!o || e != json_tokener_success) {
        json_object_put(o);
        if (err)
            *err = xasprintf("not JSON: %s", json_tokener_error_desc(e));
        return NULL;
    }
    return codec_wrap(o);
}

const struct codec_val *codec_get(const struct codec_val *obj, const char *key)
{
    json_object *v = NULL;
    json_object *o = codec_json(obj);
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return codec_wrap(v);
}

size_t codec_len(const struct codec_val *arr)
{
    json_object *a = codec_json(arr);
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

const struct codec_val *codec_at(const struct codec_val *arr, size_t i)
{
    if (i >= codec_len(arr))
        return NULL;
    return codec_wrap(json_object_array_get_idx(codec_json(arr), i));
}

const char *codec_as_str(const struct codec_val *v)
{
    json_object *o = codec_json(v);
    return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

int64_t codec_as_int(const struct codec_val *v)
{
    json_object *o = codec_json(v);
    if (o && (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_boolean)))
        return json_object_get_int64(o);
    return 0;
}

const char *codec_get_str(const struct codec_val *obj, const char *key)
{
    return codec_as_str(codec_get(obj, key));
}

int64_t codec_get_int(const struct codec_val *obj, const char *key)
{
    return codec_as_int(codec_get(obj, key));
}
