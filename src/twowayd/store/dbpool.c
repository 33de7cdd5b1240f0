/* dbpool — one writer behind a lock, a reader per thread. */
#include "store/dbpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "store/db.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

struct dbpool {
    char *path;
    struct db *writer;
    pthread_mutex_t write_mu;
    pthread_key_t reader_key; /* this thread's reader */
    pthread_mutex_t readers_mu;
    struct db **readers; /* every reader opened, closed with the pool */
    size_t nreaders;
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
    pthread_mutex_init(&pool->readers_mu, NULL);
    pthread_key_create(&pool->reader_key, NULL);
    return pool;
}

void dbpool_free(struct dbpool **ppool)
{
    struct dbpool *pool = *ppool;
    if (!pool)
        return;
    for (size_t i = 0; i < pool->nreaders; i++)
        db_free(&pool->readers[i]);
    free(pool->readers);
    db_free(&pool->writer);
    pthread_key_delete(pool->reader_key);
    pthread_mutex_destroy(&pool->readers_mu);
    pthread_mutex_destroy(&pool->write_mu);
    free(pool->path);
    free(pool);
    *ppool = NULL;
}

struct db *dbpool_read(struct dbpool *pool)
{
    struct db *db = pthread_getspecific(pool->reader_key);
    if (!db) {
        char *err = NULL;
        if (!(db = db_open_reader(pool->path, &err))) {
            log_error("%s", err);
            free(err);
            return NULL;
        }
        pthread_setspecific(pool->reader_key, db);
        pthread_mutex_lock(&pool->readers_mu);
        pool->readers = xreallocarray(pool->readers, pool->nreaders + 1, sizeof *pool->readers);
        pool->readers[pool->nreaders++] = db;
        pthread_mutex_unlock(&pool->readers_mu);
    }
    if (db_begin(db) < 0)
        return NULL;
    return db;
}

void dbpool_read_end(struct dbpool *pool, struct db *db)
{
    (void)pool;
    if (db)
        db_end(db, true);
}

struct db *dbpool_write(struct dbpool *pool)
{
    pthread_mutex_lock(&pool->write_mu);
    if (db_begin(pool->writer) < 0) {
        pthread_mutex_unlock(&pool->write_mu);
        return NULL;
    }
    return pool->writer;
}

int dbpool_write_end(struct dbpool *pool, struct db *db, bool ok)
{
    /* Commit with the hooks set aside: they run after the unlock, so that
     * nothing they do lengthens the time others wait to write. */
    struct db_hooks *hooks = db_take_hooks(db);
    int rc = db_end(db, ok);
    pthread_mutex_unlock(&pool->write_mu);
    db_hooks_run(&hooks, ok && rc == 0);
    return rc;
}
