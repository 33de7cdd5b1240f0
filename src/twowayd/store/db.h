/* db — one SQLite connection of twowayd: opening and migrating the schema,
 * prepared statements (cached per connection), the small helpers every
 * query uses, and the work that waits for a commit.
 *
 * A connection is used by one thread at a time. The server shares its
 * connections through dbpool (store/dbpool.h): a read-only one per thread
 * for GETs, and the one writer behind a lock. `twowayd admin` opens a
 * single connection and uses db_begin/db_end directly. */
#ifndef TWOWAYD_DB_H
#define TWOWAYD_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* Open (creating if needed) and migrate to the newest schema. NULL with
 * *err (owned) on failure. */
struct db *db_open(const char *path, char **err);
/* Open a connection that may only read (PRAGMA query_only): a write through
 * it fails. The schema must be migrated already. */
struct db *db_open_reader(const char *path, char **err);
void db_free(struct db **db);

/* The raw handle, for error messages. */
sqlite3 *db_handle(struct db *db);

/* BEGIN (IMMEDIATE on a writing connection) and COMMIT or ROLLBACK. db_end
 * returns 0, or -1 if the COMMIT failed (then nothing was kept). Work
 * queued with db_after_commit runs in db_end after a commit. */
int db_begin(struct db *db);
int db_end(struct db *db, bool ok);

/* A scope inside the writer's transaction: one request's work, kept or
 * undone on its own (SAVEPOINT), with the work queued by db_after_commit
 * inside it kept or dropped with it. Several scopes share one transaction
 * when dbpool commits writes together. 0, or -1 (logged). */
int db_scope_begin(struct db *db);
int db_scope_end(struct db *db, bool keep);
/* Changes whenever a transaction or a scope begins or ends: what belongs
 * to the current one (changes.c keeps its notes by it). Unique across
 * connections. */
uint64_t db_scope(const struct db *db);

/* Run fn(arg) once the current transaction has committed, outside any
 * lock; never if it rolls back. free_fn(arg), when not NULL, runs in both
 * cases afterwards. This is the one place where the world outside the
 * database hears of a change (the sender's wake-up, pushed events). */
void db_after_commit(struct db *db, void (*fn)(void *arg), void *arg, void (*free_fn)(void *arg));

/* The work queued by db_after_commit, taken off the connection so that it
 * can run after a lock is released (dbpool). */
struct db_hooks;
struct db_hooks *db_take_hooks(struct db *db);
void db_hooks_run(struct db_hooks **hooks, bool committed);

/* What a reader may keep between its read transactions (render.c keeps
 * rendered conversations): valid while db_generation stays the same.
 * A reader's generation moves when the database changed since its previous
 * read transaction, whoever changed it (another process too: PRAGMA
 * data_version); the writer's moves with every transaction it begins. */
uint64_t db_generation(const struct db *db);
bool db_is_reader(const struct db *db);
/* The connection's memo (NULL at first); set_memo frees the old one with
 * the free function it came with. */
void *db_memo(struct db *db);
void db_set_memo(struct db *db, void *memo, void (*free_fn)(void *memo));

/* Schema version after migrations (PRAGMA user_version). */
int db_schema_version(struct db *db);

/* Prepared statements. All SQL goes through bound parameters.
 * db_prepare hands out a statement from the connection's cache (or a new
 * one when the same text is in use already); give it back with db_done,
 * never sqlite3_finalize. db_prepare aborts on a programming error (bad
 * SQL) after logging it.
 *
 * With TWOWAYD_SQL_RECORD=FILE in the environment, the text of every
 * statement prepared is appended to FILE (one per line): the query-plan
 * test collects them there. */
sqlite3_stmt *db_prepare(struct db *db, const char *sql);
void db_done(struct db *db, sqlite3_stmt *st);
/* Run a statement with no result rows; binds "i" int64 (pass int64_t: cast
 * literals and ints, e.g. (int64_t)id, or the varargs read garbage), "t" text (NULL ok),
 * "d" double, "n" null, per char of types. Returns sqlite result code
 * (SQLITE_DONE on success). */
int db_exec(struct db *db, const char *sql, const char *types, ...);
/* First column of the first row as int64, or dflt if no row/NULL. */
int64_t db_int(struct db *db, int64_t dflt, const char *sql, const char *types, ...);
/* Bind the same type string to an already prepared statement. */
void db_bindv(sqlite3_stmt *st, const char *types, ...);
int64_t db_last_id(struct db *db);
int db_changes(struct db *db);

/* The SHA-256 digest of text as 64 lower-case hex digits (and a NUL): how
 * API tokens are stored. SQL has it as sha256_hex(). */
void db_sha256_hex(const char *text, char out[65]);

/* Current time as float epoch seconds (timestamps are stored as REAL). */
double db_now(void);

#endif
