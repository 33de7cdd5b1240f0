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
    struct db *db;
    struct change *v;
    size_t n, cap;
};

static _Atomic(changes_sink) sink_fn;
static void *sink_ud;

/* The batch of the transaction open on this thread. A connection is used
 * by one thread at a time and a transaction ends on the thread that began
 * it; the batch's free function clears this when it ends either way. */
static _Thread_local struct batch *current;

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
    if (!b || b->db != db) {
        b = xcalloc(1, sizeof *b);
        b->db = db;
        current = b;
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
