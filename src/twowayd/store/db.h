/* db — twowayd's SQLite store: schema, migrations, and the one lock.
 *
 * One connection, one mutex. Every API request runs as one transaction
 * under the lock (db_begin/db_commit), committed before the answer is sent,
 * so a SIGKILL can never lose an acknowledged write. WAL with
 * synchronous=FULL survives power loss too. */
#ifndef TWOWAYD_DB_H
#define TWOWAYD_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* Open (creating if needed) and migrate to the newest schema. NULL with
 * *err (owned) on failure. */
struct db *db_open(const char *path, char **err);
void db_free(struct db **db);

/* The raw handle, valid only while the lock is held. */
sqlite3 *db_handle(struct db *db);

void db_lock(struct db *db);
void db_unlock(struct db *db);
/* Lock + BEGIN IMMEDIATE. */
void db_begin(struct db *db);
/* COMMIT (or ROLLBACK if !ok) + unlock. Returns 0, -1 if COMMIT failed. */
int db_end(struct db *db, bool ok);

/* Schema version after migrations (PRAGMA user_version). */
int db_schema_version(struct db *db);

/* Prepared-statement helpers. All SQL goes through bound parameters.
 * db_prepare aborts on a programming error (bad SQL) after logging it. */
sqlite3_stmt *db_prepare(struct db *db, const char *sql);
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

/* Current time as float epoch seconds (timestamps are stored as REAL). */
double db_now(void);

/* Key/value settings stored in the database (simulator state etc.). */
char *db_get_setting(struct db *db, const char *key); /* owned or NULL */
void db_set_setting(struct db *db, const char *key, const char *value);

#endif
