/* dbpool — how the server's threads share the database.
 *
 * Reads run in parallel: each read borrows a read-only connection of its
 * own for one read transaction (WAL lets readers see the last commit while
 * the writer works), so a GET never waits for a write and never takes the
 * write lock. Up to twice as many readers as cores are opened (4 to 16),
 * as reads come; a read beyond that waits for one to be given back, in
 * the order the reads came (a fair queue keeps the slowest answers close
 * to the others under load).
 *
 * Writes go through the one writer connection under a lock, each in a
 * scope (SAVEPOINT) of a short transaction: BEGIN IMMEDIATE ... COMMIT
 * with synchronous=FULL. When another write is waiting as one finishes,
 * the transaction stays open for it and the last write in commits for all
 * (group commit: one fsync for several writes, at most 16); each caller of
 * dbpool_write_end returns only once its write is committed, and the answer
 * is sent only after that, so an acknowledged write survives a SIGKILL or a
 * power cut. A write that fails is undone alone (ROLLBACK TO). Work queued
 * with db_after_commit runs after the commit, once the lock is released:
 * that is where the world hears of a change. */
#ifndef TWOWAYD_DBPOOL_H
#define TWOWAYD_DBPOOL_H

#include <stdbool.h>

struct db;
struct dbpool;

/* Open the database (creating and migrating it). NULL with *err (owned). */
struct dbpool *dbpool_open(const char *path, char **err);
/* Every thread that used the pool must have stopped. */
void dbpool_free(struct dbpool **pool);

/* A reader, inside a read transaction (borrowed until dbpool_read_end, by
 * this thread alone). NULL (logged) if no connection could be opened. */
struct db *dbpool_read(struct dbpool *pool);
void dbpool_read_end(struct dbpool *pool, struct db *db);

/* The writer, locked, inside a scope of the open transaction (borrowed
 * until dbpool_write_end). NULL (logged, lock released) if BEGIN failed. */
struct db *dbpool_write(struct dbpool *pool);
/* Keep the write (or undo it if !ok), then wait for the COMMIT that makes
 * it durable, or make it; then what waited for the commit runs. Returns 0,
 * or -1 if the COMMIT failed (nothing of the batch was kept). */
int dbpool_write_end(struct dbpool *pool, struct db *db, bool ok);

#endif
