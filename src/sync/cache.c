/* cache — the last known inbox on disk, for an instant start. */
#include "twoway/cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/codec.h"
#include "twoway/paths.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

/* 2: the records in the codec's keys, the same as --json's. */
#define CACHE_VERSION 2
#define CACHE_MAX_BYTES (16 * 1024 * 1024)
#define CACHE_MAX_ITEMS 5000

/* ---- writing ---- */

static struct codec_val *directory_json(const struct store *st)
{
    struct codec_val *d = codec_object();
    for (int k = 0; k < DIR__COUNT; k++) {
        size_t n;
        const char *items = store_dir(st, (enum dir_kind)k, &n);
        struct codec_val *a = codec_array();
        for (size_t i = 0; i < n; i++)
            codec_push(a, codec_dir_record((enum dir_kind)k, items + i * model_dir_size(k)));
        codec_set(d, model_dir_name((enum dir_kind)k), a);
    }
    return d;
}

int cache_save(const char *path, const struct store *st, const struct conv_query *q, char **err)
{
    const struct profile *p = store_profile(st);
    if (!p)
        return 0; /* never connected: nothing worth keeping */
    struct codec_val *root = codec_object();
    codec_set_int(root, "version", CACHE_VERSION);
    codec_set(root, "profile", codec_profile(p));
    codec_set(root, "directory", directory_json(st));
    const struct conv_counts none = {0};
    const struct conv_counts *cc = store_counts(st);
    codec_set(root, "counts", codec_counts(cc ? cc : &none));
    codec_set_int(root, "assignee", q->assignee);
    codec_set_int(root, "status", q->status);
    struct codec_val *list = codec_array();
    size_t n = store_list_len(st);
    for (size_t i = 0; i < n && i < CACHE_MAX_CONVS; i++)
        codec_push(list, codec_conversation(store_list_conv(st, i)));
    codec_set(root, "list", list);

    char *text = codec_text(root);
    codec_free(&root);
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int rc = paths_mkdir_p(dir, 0700, err);
    if (rc == 0)
        rc = paths_write_atomic(path, text, strlen(text), 0600, err);
    free(dir);
    free(text);
    return rc;
}

/* ---- reading ---- */

static size_t items(const struct codec_val *a)
{
    size_t n = codec_len(a);
    return n > CACHE_MAX_ITEMS ? CACHE_MAX_ITEMS : n;
}

static void directory_load(const struct codec_val *d, struct store *st)
{
    for (int k = 0; k < DIR__COUNT; k++) {
        const struct codec_val *a = codec_get(d, model_dir_name((enum dir_kind)k));
        size_t n = items(a), size = model_dir_size((enum dir_kind)k), got = 0;
        char *recs = n ? xcalloc(n, size) : NULL;
        for (size_t i = 0; i < n; i++) {
            char *rec = recs + got * size;
            if (codec_read_dir_record(codec_at(a, i), (enum dir_kind)k, rec) == 0)
                got++;
            else
                model_dir_record_free((enum dir_kind)k, rec);
        }
        store_set_dir(st, (enum dir_kind)k, recs, got);
    }
}

static void list_load(const struct codec_val *list, struct store *st)
{
    size_t n = items(list);
    if (n > CACHE_MAX_CONVS)
        n = CACHE_MAX_CONVS;
    int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct conversation c;
        if (codec_read_conversation(codec_at(list, i), &c) < 0) {
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
    struct codec_val *root = codec_parse(body, len, NULL);
    free(body);
    if (!root || codec_get_int(root, "version") != CACHE_VERSION) {
        codec_free(&root);
        *err = xasprintf("%s: not a cache of this twoway; ignored", path);
        errno = EINVAL;
        return -1;
    }
    struct profile p;
    codec_read_profile(codec_get(root, "profile"), &p);
    store_set_profile(st, &p);
    directory_load(codec_get(root, "directory"), st);
    if (codec_get_int(root, "assignee") == q->assignee &&
        codec_get_int(root, "status") == q->status) {
        struct conv_counts cc;
        codec_read_counts(codec_get(root, "counts"), &cc);
        store_set_counts(st, &cc);
        list_load(codec_get(root, "list"), st);
    }
    codec_free(&root);
    return 0;
}
