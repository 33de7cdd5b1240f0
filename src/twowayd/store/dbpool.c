/* dbpool — one writer behind a lock, committing writes together; readers
 * lent out one per read. */
#include "store/dbpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/db.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

/* Readers open at most: twice the cores, 4 to 16. More reads at once only
 * queue in the CPU (and drag out one another's answers), and each
 * connection keeps caches of its own. */
#define READERS_MAX 16
#define READERS_MIN 4
#define TURNS 64

/* Writes committed together at most: a batch waits for its last member. */
#define BATCH_MAX 16
/* Outcomes of the last batches, for members that wake late. */
#define OUTCOMES 64

struct dbpool {
    char *path;
    struct db *writer;
    pthread_mutex_t write_mu;
    atomic_int waiting; /* threads waiting for write_mu to write */
    pthread_cond_t committed;
    bool open;             /* a batch's transaction is open */
    int members;           /* writes in it so far */
    uint64_t batch;        /* the number of the open (or next) batch */
    uint64_t done;         /* batches committed (or failed) so far */
    int outcome[OUTCOMES]; /* COMMIT's result of batch n at n % OUTCOMES */
    pthread_mutex_t readers_mu;
    /* Reads wait their turn in arrival order (a read that just arrived
     * does not take a reader from one that has waited): turn n waits on
     * turn_cv[n % TURNS]. */
    pthread_cond_t turn_cv[TURNS];
    uint64_t next_turn, serving;
    struct db *readers[READERS_MAX]; /* every reader opened, closed with the pool */
    size_t nreaders;
    size_t readers_max;
    size_t nopening;              /* being opened, outside the lock */
    struct db *idle[READERS_MAX]; /* those not lent out */
    size_t nidle;
};

struct dbpool *dbpool_open(const char *path, char **err)
{
    struct db *writer = db_open(path, err);
    if (!writer)
        return NULL;
    struct dbpool *pool = xcalloc(1, sizeof *pool);
    pool->path = xstrdup(path);
    pool->writer = writer;
    pthread_mutex_init(&pool->write_mu, NULL);
    pthread_cond_init(&pool->committed, NULL);
    pthread_mutex_init(&pool->readers_mu, NULL);
    for (int i = 0; i < TURNS; i++)
        pthread_cond_init(&pool->turn_cv[i], NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    pool->readers_max = cores > 0 ? (size_t)cores * 2 : READERS_MIN;
    if (pool->readers_max < READERS_MIN)
        pool->readers_max = READERS_MIN;
    if (pool->readers_max > READERS_MAX)
        pool->readers_max = READERS_MAX;
    return pool;
}

void dbpool_free(struct dbpool **ppool)
{
    struct dbpool *pool = *ppool;
    if (!pool)
        return;
    for (size_t i = 0; i < pool->nreaders; i++)
        db_free(&pool->readers[i]);
    db_free(&pool->writer);
    for (int i = 0; i < TURNS; i++)
        pthread_cond_destroy(&pool->turn_cv[i]);
    pthread_mutex_destroy(&pool->readers_mu);
    pthread_cond_destroy(&pool->committed);
    pthread_mutex_destroy(&pool->write_mu);
    free(pool->path);
    free(pool);
    *ppool = NULL;
}

/* An idle reader, a new one while there are fewer than readers_max, else
 * wait for one to come back. */
static bool reader_at_hand(const struct dbpool *pool)
{
    return pool->nidle > 0 || pool->nreaders + pool->nopening < pool->readers_max;
}

/* The next turn may go if it can have a reader (readers_mu held). */
static void wake_next(struct dbpool *pool)
{
    if (pool->serving < pool->next_turn && reader_at_hand(pool))
        pthread_cond_signal(&pool->turn_cv[pool->serving % TURNS]);
}

static struct db *borrow(struct dbpool *pool)
{
    pthread_mutex_lock(&pool->readers_mu);
    uint64_t turn = pool->next_turn++;
    while (turn != pool->serving || !reader_at_hand(pool))
        pthread_cond_wait(&pool->turn_cv[turn % TURNS], &pool->readers_mu);
    pool->serving++;
    struct db *db = NULL;
    if (pool->nidle > 0) {
        db = pool->idle[--pool->nidle];
        wake_next(pool);
        pthread_mutex_unlock(&pool->readers_mu);
        return db;
    }
    pool->nopening++;
    wake_next(pool);
    pthread_mutex_unlock(&pool->readers_mu);
    char *err = NULL;
    db = db_open_reader(pool->path, &err);
    pthread_mutex_lock(&pool->readers_mu);
    pool->nopening--;
    if (db)
        pool->readers[pool->nreaders++] = db;
    wake_next(pool);
    pthread_mutex_unlock(&pool->readers_mu);
    if (!db) {
        log_error("%s", err);
        free(err);
    }
    return db;
}

static void give_back(struct dbpool *pool, struct db *db)
{
    pthread_mutex_lock(&pool->readers_mu);
    pool->idle[pool->nidle++] = db;
    wake_next(pool);
    pthread_mutex_unlock(&pool->readers_mu);
}

struct db *dbpool_read(struct dbpool *pool)
{
    struct db *db = borrow(pool);
    if (db && db_begin(db) < 0) {
        give_back(pool, db);
        return NULL;
    }
    return db;
}

void dbpool_read_end(struct dbpool *pool, struct db *db)
{
    if (!db)
        return;
    db_end(db, true);
    give_back(pool, db);
}

/* Commit the open batch (write_mu held; released here), tell its members,
 * then run what waited for the commit. */
static int commit_batch(struct dbpool *pool)
{
    /* The batch's work is set aside and runs after the unlock, so that
     * nothing it does lengthens the time others wait to write. */
    struct db_hooks *hooks = db_take_hooks(pool->writer);
    int rc = db_end(pool->writer, true);
    uint64_t n = pool->batch;
    pool->open = false;
    pool->outcome[n % OUTCOMES] = rc;
    pool->batch++;
    pool->done = pool->batch;
    pthread_cond_broadcast(&pool->committed);
    pthread_mutex_unlock(&pool->write_mu);
    db_hooks_run(&hooks, rc == 0);
    return rc;
}

struct db *dbpool_write(struct dbpool *pool)
{
    atomic_fetch_add(&pool->waiting, 1);
    pthread_mutex_lock(&pool->write_mu);
    atomic_fetch_sub(&pool->waiting, 1);
    if (!pool->open) {
        if (db_begin(pool->writer) < 0) {
            pthread_mutex_unlock(&pool->write_mu);
            return NULL;
        }
        pool->open = true;
        pool->members = 0;
    }
    if (db_scope_begin(pool->writer) < 0) {
        /* Nothing of this write happened; those it was to follow still
         * need their commit. */
        if (pool->members > 0) {
            commit_batch(pool);
        } else {
            db_end(pool->writer, false);
            pool->open = false;
            pthread_mutex_unlock(&pool->write_mu);
        }
        return NULL;
    }
    pool->members++;
    return pool->writer;
}

int dbpool_write_end(struct dbpool *pool, struct db *db, bool ok)
{
    if (db_scope_end(db, ok) < 0)
        log_error("could not close a write's savepoint");
    uint64_t mine = pool->batch;
    if (atomic_load(&pool->waiting) > 0 && pool->members < BATCH_MAX) {
        /* Another write is at the door: it joins this transaction, and
         * the last one in commits for all. Until then this one is not
         * durable, so its caller waits. */
        while (pool->done <= mine)
            pthread_cond_wait(&pool->committed, &pool->write_mu);
        int rc = pool->outcome[mine % OUTCOMES];
        pthread_mutex_unlock(&pool->write_mu);
        return rc;
    }
    return commit_batch(pool);
}
