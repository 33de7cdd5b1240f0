/* outbox — replies that the server does not have yet, on disk. */
#include "twoway/outbox.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/codec.h"
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

static int parse_line(const char *line, struct outbox_entry *e)
{
    struct codec_val *o = codec_parse(line, strlen(line), NULL);
    const char *echo = codec_get_str(o, "echo_id"), *content = codec_get_str(o, "content");
    int64_t conv = codec_get_int(o, "conv");
    if (!echo || !*echo || !content || conv <= 0) {
        codec_free(&o);
        return -1;
    }
    memset(e, 0, sizeof *e);
    e->echo_id = xstrdup(echo);
    /* The file is ours, but it is still a file: keep the text valid. */
    e->content = text_valid_utf8(content, strlen(content)) ? xstrdup(content)
                                                           : text_sanitize_str(content, 1);
    e->conv = conv;
    e->is_private = codec_get_int(o, "private") != 0;
    e->created_at = codec_get_int(o, "created_at");
    e->after_id = codec_get_int(o, "after_id");
    const char *st = codec_get_str(o, "state");
    e->state = !st                         ? OUTBOX_PENDING
               : strcmp(st, "failed") == 0 ? OUTBOX_FAILED
               : strcmp(st, "unsure") == 0 ? OUTBOX_UNSURE
                                           : OUTBOX_PENDING;
    e->verify = codec_get_int(o, "verify") != 0;
    e->held = codec_get_int(o, "held") != 0;
    e->attempts = (int)codec_get_int(o, "attempts");
    const char *err = codec_get_str(o, "error");
    e->error = err ? text_sanitize_str(err, 0) : xstrdup("");
    codec_free(&o);
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
        static const char *const states[] = {
            [OUTBOX_PENDING] = "pending",
            [OUTBOX_FAILED] = "failed",
            [OUTBOX_UNSURE] = "unsure",
        };
        struct codec_val *j = codec_object();
        codec_set_str(j, "echo_id", e->echo_id);
        codec_set_int(j, "conv", e->conv);
        codec_set_str(j, "content", e->content);
        codec_set_int(j, "private", e->is_private);
        codec_set_int(j, "created_at", e->created_at);
        codec_set_int(j, "after_id", e->after_id);
        codec_set_str(j, "state", states[e->state]);
        codec_set_int(j, "verify", e->verify);
        codec_set_int(j, "held", e->held);
        codec_set_int(j, "attempts", e->attempts);
        codec_set_str(j, "error", e->error);
        char *line = codec_text(j);
        buf_adds(&b, line);
        buf_addc(&b, '\n');
        free(line);
        codec_free(&j);
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
