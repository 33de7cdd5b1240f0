/* db — twowayd's SQLite store: schema, migrations, and the one lock. */
#include "store/db.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/schema.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

struct db {
    sqlite3 *h;
    pthread_mutex_t lock;
};

static int exec_plain(sqlite3 *h, const char *sql, char **err)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (err)
            *err = xasprintf("%s", msg ? msg : sqlite3_errmsg(h));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int migrate(sqlite3 *h, char **err)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (version > SCHEMA_VERSION) {
        *err = xasprintf("database schema version %d is newer than this twowayd (%d)", version,
                         SCHEMA_VERSION);
        return -1;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        char *e = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (exec_plain(h, "BEGIN IMMEDIATE", &e) < 0 ||
            exec_plain(h, schema_migrations[v], &e) < 0 || exec_plain(h, pragma, &e) < 0 ||
            exec_plain(h, "COMMIT", &e) < 0) {
            *err = xasprintf("migration to schema %d failed: %s", v + 1, e);
            free(e);
            exec_plain(h, "ROLLBACK", NULL);
            return -1;
        }
        log_info("database migrated to schema %d", v + 1);
    }
    return 0;
}

struct db *db_open(const char *path, char **err)
{
    sqlite3 *h = NULL;
    char *e = NULL;
    if (sqlite3_open_v2(path, &h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        *err = xasprintf("cannot open database %s: %s", path, h ? sqlite3_errmsg(h) : "no memory");
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 5000);
    if (exec_plain(h,
                   "PRAGMA journal_mode = WAL;"
                   "PRAGMA synchronous = FULL;"
                   "PRAGMA foreign_keys = ON;",
                   &e) < 0 ||
        migrate(h, &e) < 0) {
        *err = xasprintf("database %s: %s", path, e);
        free(e);
        sqlite3_close(h);
        return NULL;
    }
    struct db *db = xcalloc(1, sizeof *db);
    db->h = h;
    pthread_mutex_init(&db->lock, NULL);
    return db;
}

void db_free(struct db **pdb)
{
    struct db *db = *pdb;
    if (!db)
        return;
    sqlite3_close_v2(db->h);
    pthread_mutex_destroy(&db->lock);
    free(db);
    *pdb = NULL;
}

sqlite3 *db_handle(struct db *db)
{
    return db->h;
}

void db_lock(struct db *db)
{
    pthread_mutex_lock(&db->lock);
}

void db_unlock(struct db *db)
{
    pthread_mutex_unlock(&db->lock);
}

void db_begin(struct db *db)
{
    db_lock(db);
    char *e = NULL;
    if (exec_plain(db->h, "BEGIN IMMEDIATE", &e) < 0) {
        log_error("BEGIN failed: %s", e);
        free(e);
    }
}

int db_end(struct db *db, bool ok)
{
    char *e = NULL;
    int rc = 0;
    if (exec_plain(db->h, ok ? "COMMIT" : "ROLLBACK", &e) < 0) {
        log_error("%s failed: %s", ok ? "COMMIT" : "ROLLBACK", e);
        free(e);
        exec_plain(db->h, "ROLLBACK", NULL);
        rc = -1;
    }
    db_unlock(db);
    return rc;
}

int db_schema_version(struct db *db)
{
    return (int)db_int(db, 0, "PRAGMA user_version", "");
}

sqlite3_stmt *db_prepare(struct db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        log_error("bad SQL (%s): %s", sqlite3_errmsg(db->h), sql);
        abort();
    }
    return st;
}

static void bind_va(sqlite3_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types[i]; i++) {
        int idx = i + 1;
        switch (types[i]) {
        case 'i':
            sqlite3_bind_int64(st, idx, va_arg(ap, int64_t));
            break;
        case 't': {
            const char *s = va_arg(ap, const char *);
            if (s)
                sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, idx);
            break;
        }
        case 'd':
            sqlite3_bind_double(st, idx, va_arg(ap, double));
            break;
        case 'n':
            sqlite3_bind_null(st, idx);
            break;
        default:
            log_error("bad bind type '%c'", types[i]);
            abort();
        }
    }
}

void db_bindv(sqlite3_stmt *st, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    bind_va(st, types, ap);
    va_end(ap);
}

int db_exec(struct db *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    va_list ap;
    va_start(ap, types);
    bind_va(st, types, ap);
    va_end(ap);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        log_error("SQL failed (%s): %s", sqlite3_errmsg(db->h), sql);
    sqlite3_finalize(st);
    return rc;
}

int64_t db_int(struct db *db, int64_t dflt, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    va_list ap;
    va_start(ap, types);
    bind_va(st, types, ap);
    va_end(ap);
    int64_t v = dflt;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int64_t db_last_id(struct db *db)
{
    return sqlite3_last_insert_rowid(db->h);
}

int db_changes(struct db *db)
{
    return sqlite3_changes(db->h);
}

double db_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

char *db_get_setting(struct db *db, const char *key)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT value FROM settings WHERE key = ?");
    db_bindv(st, "t", key);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

void db_set_setting(struct db *db, const char *key, const char *value)
{
    db_exec(db,
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            "tt", key, value);
}
