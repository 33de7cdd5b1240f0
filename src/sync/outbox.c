/* outbox — replies that the server does not have yet, on disk. */
#include "twoway/outbox.h"

#include <errno.h>
#include <json-c/json.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/paths.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* An outbox bigger than this is not ours to read. */
#define OUTBOX_MAX_BYTES (32 * 1024 * 1024)

struct outbox {
    char *path;
    struct outbox_entry *v;
    size_t n, cap;
};

void outbox_entry_free(struct outbox_entry *e)
{
    free(e->echo_id);
    free(e->content);
    free(e->error);
    memset(e, 0, sizeof *e);
}

static void entry_copy(struct outbox_entry *dst, const struct outbox_entry *src)
{
    *dst = *src;
    dst->echo_id = xstrdup(src->echo_id);
    dst->content = xstrdup(src->content ? src->content : "");
    dst->error = xstrdup(src->error ? src->error : "");
}

static const char *jstr(json_object *o, const char *k)
{
    json_object *v;
    if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *k)
{
    json_object *v;
    if (!json_object_object_get_ex(o, k, &v))
        return 0;
    return json_object_get_int64(v);
}

static int parse_line(const char *line, struct outbox_entry *e)
{
    json_object *o = json_tokener_parse(line);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return -1;
    }
    const char *echo = jstr(o, "echo_id"), *content = jstr(o, "content");
    int64_t conv = jint(o, "conv");
    if (!echo || !*echo || !content || conv <= 0) {
        json_object_put(o);
        return -1;
    }
    memset(e, 0, sizeof *e);
    e->echo_id = xstrdup(echo);
    /* The file is ours, but it is still a file: keep the text valid. */
    e->content = text_valid_utf8(content, strlen(content)) ? xstrdup(content)
                                                           : text_sanitize_str(content, 1);
    e->conv = conv;
    e->is_private = jint(o, "private") != 0;
    e->created_at = jint(o, "created_at");
    e->after_id = jint(o, "after_id");
    const char *st = jstr(o, "state");
    e->state = st && strcmp(st, "failed") == 0 ? OUTBOX_FAILED : OUTBOX_PENDING;
    e->verify = jint(o, "verify") != 0;
    e->held = jint(o, "held") != 0;
    e->attempts = (int)jint(o, "attempts");
    const char *err = jstr(o, "error");
    e->error = err ? text_sanitize_str(err, 0) : xstrdup("");
    json_object_put(o);
    return 0;
}

struct outbox *outbox_new(const char *path)
{
    struct outbox *o = xcalloc(1, sizeof *o);
    o->path = xstrdup(path);
    return o;
}

struct outbox *outbox_open(const char *path, char **err)
{
    struct outbox *o = outbox_new(path);
    char *text = NULL, *e = NULL;
    if (paths_read_file(path, OUTBOX_MAX_BYTES, &text, NULL, &e) < 0) {
        if (errno == ENOENT) {
            free(e);
            return o;
        }
        *err = e;
        outbox_free(&o);
        return NULL;
    }
    int bad = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct outbox_entry ent;
        if (parse_line(line, &ent) < 0) {
            bad++;
            continue;
        }
        if (o->n == o->cap) {
            o->cap = o->cap ? o->cap * 2 : 8;
            o->v = xreallocarray(o->v, o->cap, sizeof *o->v);
        }
        o->v[o->n++] = ent;
    }
    free(text);
    if (bad)
        *err = xasprintf("%s: skipped %d unreadable line%s", path, bad, bad == 1 ? "" : "s");
    return o;
}

void outbox_free(struct outbox **po)
{
    struct outbox *o = *po;
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        outbox_entry_free(&o->v[i]);
    free(o->v);
    free(o->path);
    free(o);
    *po = NULL;
}

size_t outbox_len(const struct outbox *o)
{
    return o->n;
}

struct outbox_entry *outbox_at(struct outbox *o, size_t i)
{
    return i < o->n ? &o->v[i] : NULL;
}

struct outbox_entry *outbox_find(struct outbox *o, const char *echo_id)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].echo_id, echo_id) == 0)
            return &o->v[i];
    return NULL;
}

int outbox_save(struct outbox *o, char **err)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < o->n; i++) {
        const struct outbox_entry *e = &o->v[i];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "echo_id", json_object_new_string(e->echo_id));
        json_object_object_add(j, "conv", json_object_new_int64(e->conv));
        json_object_object_add(j, "content", json_object_new_string(e->content));
        json_object_object_add(j, "private", json_object_new_int(e->is_private));
        json_object_object_add(j, "created_at", json_object_new_int64(e->created_at));
        json_object_object_add(j, "after_id", json_object_new_int64(e->after_id));
        json_object_object_add(
            j, "state", json_object_new_string(e->state == OUTBOX_FAILED ? "failed" : "pending"));
        json_object_object_add(j, "verify", json_object_new_int(e->verify));
        json_object_object_add(j, "held", json_object_new_int(e->held));
        json_object_object_add(j, "attempts", json_object_new_int(e->attempts));
        json_object_object_add(j, "error", json_object_new_string(e->error ? e->error : ""));
        buf_adds(&b, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
        buf_addc(&b, '\n');
        json_object_put(j);
    }
    int rc = paths_write_atomic(o->path, b.data, b.len, 0600, err);
    buf_free(&b);
    return rc;
}

int outbox_add(struct outbox *o, const struct outbox_entry *e, char **err)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->v = xreallocarray(o->v, o->cap, sizeof *o->v);
    }
    entry_copy(&o->v[o->n++], e);
    if (outbox_save(o, err) < 0) {
        outbox_entry_free(&o->v[--o->n]);
        return -1;
    }
    return 0;
}

int outbox_remove(struct outbox *o, const char *echo_id, char **err)
{
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->v[i].echo_id, echo_id) != 0)
            continue;
        outbox_entry_free(&o->v[i]);
        memmove(&o->v[i], &o->v[i + 1], (o->n - i - 1) * sizeof *o->v);
        o->n--;
        return outbox_save(o, err);
    }
    return 0;
}

char *outbox_new_echo_id(void)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        abort(); /* no randomness means no safe dedupe: do not guess */
    char *s = xmalloc(sizeof raw * 2 + 4);
    memcpy(s, "tw-", 3);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(s + 3 + i * 2, 3, "%02x", raw[i]);
    return s;
}
