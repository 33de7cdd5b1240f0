/* changes — notes of a transaction, delivered after its commit. */
#include "store/changes.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "store/db.h"
#include "twoway/xmalloc.h"

/* A transaction that notes more than this reports only the first ones (a
 * bulk change: clients catch up over the API when they see it). */
#define CHANGES_MAX 4096

struct batch {
    struct change *v;
    size_t n, cap;
};

static _Atomic(changes_sink) sink_fn;
static void *sink_ud;

/* The batch of the transaction (or of the request's scope in it, when
 * dbpool commits requests together) open on this thread: valid while the
 * writer's db_scope is still current_scope. The batch may be freed on
 * another thread (the one that commits), so it is never looked at unless
 * the scope matches. */
static _Thread_local struct batch *current;
static _Thread_local uint64_t current_scope;

void changes_set_sink(changes_sink fn, void *ud)
{
    sink_ud = ud;
    atomic_store(&sink_fn, fn);
}

static void deliver(void *arg)
{
    struct batch *b = arg;
    changes_sink fn = atomic_load(&sink_fn);
    if (fn && b->n)
        fn(sink_ud, b->v, b->n);
}

static void batch_free(void *arg)
{
    struct batch *b = arg;
    if (current == b)
        current = NULL;
    free(b->v);
    free(b);
}

void changes_note(struct db *db, enum change_kind kind, int64_t id, int64_t actor, bool flag)
{
    if (!atomic_load(&sink_fn))
        return;
    struct batch *b = current;
    if (!b || current_scope != db_scope(db)) {
        b = xcalloc(1, sizeof *b);
        current = b;
        current_scope = db_scope(db);
        db_after_commit(db, deliver, b, batch_free);
    }
    if (b->n >= CHANGES_MAX)
        return;
    for (size_t i = 0; i < b->n; i++) {
        const struct change *o = &b->v[i];
        if (o->kind == kind && o->id == id && o->actor == actor && o->flag == flag)
            return;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->v = xreallocarray(b->v, b->cap, sizeof *b->v);
    }
    b->v[b->n++] = (struct change){.kind = kind, .id = id, .actor = actor, .flag = flag};
}
