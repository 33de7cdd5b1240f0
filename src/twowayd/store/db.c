/* db — one SQLite connection of twowayd. */
#include "store/db.h"

#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/schema.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Statements kept prepared per connection. The server runs a few dozen
 * distinct texts; the list filters make more, which take turns. */
#define CACHE_SLOTS 192

struct slot {
    uint64_t hash;
    char *sql;
    const char *asked; /* the caller's pointer last time (a literal's is stable) */
    sqlite3_stmt *st;
    bool busy;
};

/* Slots by the address of the text asked for: a constant's address finds
 * its statement without hashing the text (which is still compared). */
#define BY_ADDRESS 512

struct hook {
    void (*fn)(void *arg);
    void (*free_fn)(void *arg);
    void *arg;
    struct hook *next;
};

struct db_hooks {
    struct hook *first, **last;
};

struct db {
    sqlite3 *h;
    bool reader;
    struct slot cache[CACHE_SLOTS];
    int nslots;
    int hand;                       /* the next slot to evict */
    int16_t by_address[BY_ADDRESS]; /* slot + 1, 0 for none */
    struct db_hooks *hooks;
    uint64_t generation;
    int64_t data_version;   /* as last read (readers) */
    uint64_t scope;         /* see db_scope */
    struct db_hooks *outer; /* the transaction's work, set aside during a scope */
    void *memo;
    void (*memo_free)(void *memo);
};

/* ---- recording statement texts (TWOWAYD_SQL_RECORD) ---- */

static _Atomic uint64_t scopes; /* the last scope number handed out */

static pthread_once_t record_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t record_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *record_file;

static void record_open(void)
{
    const char *path = getenv("TWOWAYD_SQL_RECORD");
    if (path && *path && !(record_file = fopen(path, "a")))
        log_error("TWOWAYD_SQL_RECORD: cannot open %s", path);
}

/* One statement per line: line breaks inside one become spaces. */
static void record(const char *sql)
{
    pthread_once(&record_once, record_open);
    if (!record_file)
        return;
    pthread_mutex_lock(&record_mu);
    for (const char *p = sql; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, record_file);
    fputc('\n', record_file);
    fflush(record_file);
    pthread_mutex_unlock(&record_mu);
}

/* ---- opening ---- */

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

static int user_version(sqlite3 *h)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return version;
}

static int migrate(sqlite3 *h, char **err)
{
    int version = user_version(h);
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
    /* What a migration replaced (tokens in plain text, before schema 2)
     * must not linger in the main file until some later checkpoint. */
    if (version < SCHEMA_VERSION && exec_plain(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL) < 0)
        log_warn("could not checkpoint the database after migrating it");
    return 0;
}

/* ---- SQL functions of our own (the migrations use them) ---- */

/* sha256_hex(text): the SHA-256 digest of text, 64 lower-case hex digits. */
static void fn_sha256_hex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    char hex[65];
    db_sha256_hex((const char *)sqlite3_value_text(argv[0]), hex);
    sqlite3_result_text(ctx, hex, 64, SQLITE_TRANSIENT);
}

/* casefold(text): text_casefold; text that is not valid UTF-8 is kept. */
static void fn_casefold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char *folded = s ? text_casefold(s) : NULL;
    if (folded)
        sqlite3_result_text(ctx, folded, -1, free);
    else
        sqlite3_result_value(ctx, argv[0]);
}

void db_sha256_hex(const char *text, char out[65])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)text, strlen(text), d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* SQLite counts its memory under one global mutex by default; every
 * thread allocating for its queries would wait on it. */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void config_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static struct db *open_conn(const char *path, bool reader, char **err)
{
    pthread_once(&config_once, config_sqlite);
    sqlite3 *h = NULL;
    char *e = NULL;
    /* Each connection is used by one thread at a time (dbpool's rule), so
     * SQLite's own per-connection mutex is not needed. */
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        *err = xasprintf("cannot open database %s: %s", path, h ? sqlite3_errmsg(h) : "no memory");
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 5000);
    int fl = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    sqlite3_create_function(h, "sha256_hex", 1, fl, NULL, fn_sha256_hex, NULL, NULL);
    sqlite3_create_function(h, "casefold", 1, fl, NULL, fn_casefold, NULL, NULL);
    /* Readers map the file: pages come from the page cache every thread
     * shares, not from a private cache per connection. */
    /* secure_delete: what is deleted or overwritten (a deleted message, a
     * replaced token digest) is zeroed, not left in free space. */
    if (exec_plain(h,
                   "PRAGMA journal_mode = WAL;"
                   "PRAGMA synchronous = FULL;"
                   "PRAGMA foreign_keys = ON;"
                   "PRAGMA secure_delete = ON;"
                   "PRAGMA mmap_size = 268435456;",
                   &e) < 0 ||
        (!reader && migrate(h, &e) < 0) ||
        (reader && exec_plain(h, "PRAGMA query_only = 1", &e) < 0)) {
        *err = xasprintf("database %s: %s", path, e);
        free(e);
        sqlite3_close(h);
        return NULL;
    }
    struct db *db = xcalloc(1, sizeof *db);
    db->h = h;
    db->reader = reader;
    return db;
}

struct db *db_open(const char *path, char **err)
{
    return open_conn(path, false, err);
}

struct db *db_open_reader(const char *path, char **err)
{
    return open_conn(path, true, err);
}

void db_free(struct db **pdb)
{
    struct db *db = *pdb;
    if (!db)
        return;
    for (int i = 0; i < db->nslots; i++) {
        sqlite3_finalize(db->cache[i].st);
        free(db->cache[i].sql);
    }
    db_hooks_run(&db->hooks, false);
    db_set_memo(db, NULL, NULL);
    sqlite3_close_v2(db->h);
    free(db);
    *pdb = NULL;
}

sqlite3 *db_handle(struct db *db)
{
    return db->h;
}

/* ---- transactions and what waits for them ---- */

int db_begin(struct db *db)
{
    db->scope = ++scopes;
    char *e = NULL;
    if (exec_plain(db->h, db->reader ? "BEGIN" : "BEGIN IMMEDIATE", &e) < 0) {
        log_error("BEGIN failed: %s", e);
        free(e);
        return -1;
    }
    if (!db->reader) {
        db->generation++;
        return 0;
    }
    /* This also starts the read snapshot: what is kept from here on
     * matches the version read. */
    int64_t v = db_int(db, -1, "PRAGMA data_version", "");
    if (v != db->data_version) {
        db->data_version = v;
        db->generation++;
    }
    return 0;
}

int db_end(struct db *db, bool ok)
{
    db->scope = ++scopes;
    char *e = NULL;
    int rc = 0;
    if (exec_plain(db->h, ok ? "COMMIT" : "ROLLBACK", &e) < 0) {
        log_error("%s failed: %s", ok ? "COMMIT" : "ROLLBACK", e);
        free(e);
        exec_plain(db->h, "ROLLBACK", NULL);
        rc = -1;
    }
    struct db_hooks *hooks = db_take_hooks(db);
    db_hooks_run(&hooks, ok && rc == 0);
    return rc;
}

int db_scope_begin(struct db *db)
{
    if (db_exec(db, "SAVEPOINT request", "") != SQLITE_DONE)
        return -1;
    db->outer = db_take_hooks(db);
    db->scope = ++scopes;
    return 0;
}

int db_scope_end(struct db *db, bool keep)
{
    int rc = 0;
    if (!keep && db_exec(db, "ROLLBACK TO request", "") != SQLITE_DONE)
        rc = -1;
    if (db_exec(db, "RELEASE request", "") != SQLITE_DONE)
        rc = -1;
    struct db_hooks *mine = db_take_hooks(db);
    db->hooks = db->outer;
    db->outer = NULL;
    if (keep && rc == 0) {
        if (mine && db->hooks) {
            *db->hooks->last = mine->first;
            db->hooks->last = mine->last;
            free(mine);
        } else if (mine) {
            db->hooks = mine;
        }
    } else {
        db_hooks_run(&mine, false);
    }
    db->scope = ++scopes;
    return rc;
}

uint64_t db_scope(const struct db *db)
{
    return db->scope;
}

void db_after_commit(struct db *db, void (*fn)(void *arg), void *arg, void (*free_fn)(void *arg))
{
    if (!db->hooks) {
        db->hooks = xcalloc(1, sizeof *db->hooks);
        db->hooks->last = &db->hooks->first;
    }
    struct hook *h = xcalloc(1, sizeof *h);
    h->fn = fn;
    h->free_fn = free_fn;
    h->arg = arg;
    *db->hooks->last = h;
    db->hooks->last = &h->next;
}

struct db_hooks *db_take_hooks(struct db *db)
{
    struct db_hooks *h = db->hooks;
    db->hooks = NULL;
    return h;
}

void db_hooks_run(struct db_hooks **phooks, bool committed)
{
    struct db_hooks *hooks = *phooks;
    if (!hooks)
        return;
    for (struct hook *h = hooks->first, *next; h; h = next) {
        next = h->next;
        if (committed && h->fn)
            h->fn(h->arg);
        if (h->free_fn)
            h->free_fn(h->arg);
        free(h);
    }
    free(hooks);
    *phooks = NULL;
}

uint64_t db_generation(const struct db *db)
{
    return db->generation;
}

bool db_is_reader(const struct db *db)
{
    return db->reader;
}

void *db_memo(struct db *db)
{
    return db->memo;
}

void db_set_memo(struct db *db, void *memo, void (*free_fn)(void *memo))
{
    if (db->memo && db->memo_free)
        db->memo_free(db->memo);
    db->memo = memo;
    db->memo_free = free_fn;
}

int db_schema_version(struct db *db)
{
    return (int)db_int(db, 0, "PRAGMA user_version", "");
}

/* ---- statements ---- */

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static sqlite3_stmt *prepare_new(struct db *db, const char *sql, unsigned flags)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db->h, sql, -1, flags, &st, NULL) != SQLITE_OK) {
        log_error("bad SQL (%s): %s", sqlite3_errmsg(db->h), sql);
        abort();
    }
    record(sql);
    return st;
}

/* A slot to fill: a free one, else the next idle one round the clock
 * (its statement is finalized), else none (-1). */
static int slot_to_fill(struct db *db)
{
    if (db->nslots < CACHE_SLOTS)
        return db->nslots++;
    for (int n = 0; n < CACHE_SLOTS; n++) {
        int i = db->hand;
        db->hand = (db->hand + 1) % CACHE_SLOTS;
        if (!db->cache[i].busy) {
            sqlite3_finalize(db->cache[i].st);
            free(db->cache[i].sql);
            return i;
        }
    }
    return -1;
}

static unsigned address_key(const char *p)
{
    uintptr_t a = (uintptr_t)p;
    return (unsigned)((a >> 3) ^ (a >> 12)) % BY_ADDRESS;
}

sqlite3_stmt *db_prepare(struct db *db, const char *sql)
{
    unsigned k = address_key(sql);
    int known = db->by_address[k] - 1;
    if (known >= 0) {
        struct slot *s = &db->cache[known];
        if (s->asked == sql && !s->busy && strcmp(s->sql, sql) == 0) {
            s->busy = true;
            return s->st;
        }
    }
    uint64_t h = hash_text(sql);
    bool in_use = false;
    for (int i = 0; i < db->nslots; i++) {
        struct slot *s = &db->cache[i];
        if (s->hash != h || strcmp(s->sql, sql) != 0)
            continue;
        if (!s->busy) {
            s->busy = true;
            s->asked = sql;
            db->by_address[k] = (int16_t)(i + 1);
            return s->st;
        }
        in_use = true;
    }
    /* The same text twice at once (a nested query): the second is a
     * statement of its own, finalized by db_done. */
    if (in_use)
        return prepare_new(db, sql, 0);
    int i = slot_to_fill(db);
    if (i < 0)
        return prepare_new(db, sql, 0);
    struct slot *s = &db->cache[i];
    s->st = prepare_new(db, sql, SQLITE_PREPARE_PERSISTENT);
    s->sql = xstrdup(sql);
    s->hash = h;
    s->busy = true;
    s->asked = sql;
    db->by_address[k] = (int16_t)(i + 1);
    return s->st;
}

void db_done(struct db *db, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < db->nslots; i++) {
        if (db->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            db->cache[i].busy = false;
            return;
        }
    }
    sqlite3_finalize(st);
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
    db_done(db, st);
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
    db_done(db, st);
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
