/* api_conv_list — the filtered conversation list with its badge counts,
 * the meta endpoint and search (doc/api.md §3.1, 3.3, 3.4). All SQL is
 * built from constants; every value is bound. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api.h"
#include "http/api_conv_priv.h"
#include "store/db.h"
#include "store/ops.h"
#include "store/schema.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* CONVERSATION_RESULTS_PER_PAGE in Chatwoot. */
#define PER_PAGE 25
/* Messages matching q that a search looks at, newest first. */
#define SEARCH_MATCHES "10000"
/* Past this, pages are empty anyway; keeps the offset arithmetic small. */
#define MAX_PAGE 1000000000LL
/* The most an updated_within answer carries; page=2… gives the rest (a
 * client that sees a full answer asks for the next). */
#define CHANGED_MAX 1000

/* ---- the list, its counts, search ---------------------------------------- */

struct bind {
    bool is_text;
    int64_t i;
    const char *t; /* borrowed from the request or filter.owned */
};

/* POST …/filter: conditions in a body, values in a condition. */
#define FILTER_MAX_CONDS 16
#define FILTER_MAX_VALUES 50
#define MAX_BINDS (REQ_MAX_ARGS + 8 + FILTER_MAX_CONDS * FILTER_MAX_VALUES)
#define MAX_OWNED (REQ_MAX_ARGS + 1 + FILTER_MAX_CONDS * FILTER_MAX_VALUES)

/* The WHERE clause the list, meta and search share: SQL text built from
 * constants only, every value bound. */
struct filter {
    struct buf where; /* " AND …" conditions over conversations c */
    struct bind binds[MAX_BINDS];
    int nbinds;
    char *owned[MAX_OWNED]; /* case-folded label titles, then q as a phrase */
    int nowned;
    bool by_row;          /* labels or q: counts need the rows, not conversation_counts */
    bool nothing;         /* a search without q: no query at all */
    const char *assignee; /* " AND …" for assignee_type; counts leave it out */
    bool assignee_me;     /* assignee binds the agent id */
    const char *order;
    int64_t page;
    bool unpaged; /* updated_within: CHANGED_MAX matches a page, not PER_PAGE */
};

/* The sort keys, written as the indexes that serve them are (schema.h). */
#define PRIORITY_RANK SCHEMA_PRIORITY_RANK
#define WAITING SCHEMA_WAITING

static const struct {
    const char *name, *order;
} sorts[] = {
    {"last_activity_at_desc", "c.last_activity_at DESC, c.id DESC"},
    {"last_activity_at_asc", "c.last_activity_at ASC, c.id ASC"},
    {"created_at_desc", "c.created_at DESC, c.id DESC"},
    {"created_at_asc", "c.created_at ASC, c.id ASC"},
    {"priority_desc", PRIORITY_RANK " DESC, c.last_activity_at DESC, c.id DESC"},
    {"priority_asc", PRIORITY_RANK " ASC, c.last_activity_at ASC, c.id ASC"},
    {"waiting_since_desc", WAITING " DESC, c.created_at DESC, c.id DESC"},
    {"waiting_since_asc", WAITING " ASC, c.created_at ASC, c.id ASC"},
    /* the older names */
    {"latest", "c.last_activity_at DESC, c.id DESC"},
    {"sort_on_created_at", "c.created_at ASC, c.id ASC"},
    {"sort_on_priority", PRIORITY_RANK " DESC, c.last_activity_at DESC, c.id DESC"},
    {"sort_on_waiting_since", WAITING " ASC, c.created_at ASC, c.id ASC"},
};

static void filter_init(struct filter *f)
{
    memset(f, 0, sizeof *f);
    buf_init(&f->where);
    f->assignee = "";
    f->order = sorts[0].order;
    f->page = 1;
}

static void filter_free(struct filter *f)
{
    buf_free(&f->where);
    for (int i = 0; i < f->nowned; i++)
        free(f->owned[i]);
}

static void where_int(struct filter *f, const char *sql, int64_t v)
{
    buf_adds(&f->where, sql);
    f->binds[f->nbinds++] = (struct bind){.i = v};
}

static void where_text(struct filter *f, const char *sql, const char *v)
{
    buf_adds(&f->where, sql);
    f->binds[f->nbinds++] = (struct bind){.is_text = true, .t = v};
}

/* Bind the filter's values from index idx; returns the next index. */
static int filter_bind(sqlite3_stmt *st, const struct filter *f, int idx)
{
    for (int i = 0; i < f->nbinds; i++, idx++) {
        if (f->binds[i].is_text)
            sqlite3_bind_text(st, idx, f->binds[i].t, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, idx, f->binds[i].i);
    }
    return idx;
}

static bool parse_assignee(struct req *r, struct filter *f)
{
    const char *v = api_conv_arg(r, "assignee_type");
    if (!v || strcmp(v, "all") == 0)
        return true;
    if (strcmp(v, "me") == 0) {
        f->assignee = " AND c.assignee_id = ?";
        f->assignee_me = true;
    } else if (strcmp(v, "unassigned") == 0) {
        f->assignee = " AND c.assignee_id IS NULL";
    } else if (strcmp(v, "assigned") == 0) {
        f->assignee = " AND c.assignee_id IS NOT NULL";
    } else {
        req_reply_error(r, 422, "assignee_type must be one of me, unassigned, assigned, all");
        return false;
    }
    return true;
}

static bool parse_status(struct req *r, struct filter *f)
{
    const char *v = api_conv_arg(r, "status");
    if (v && strcmp(v, "all") == 0)
        return true;
    const char *s = v ? api_conv_in_set(api_conv_statuses, v) : "open";
    if (!s) {
        req_reply_error(r, 422, "status must be one of open, pending, snoozed, resolved, all");
        return false;
    }
    where_text(f, f->by_row ? " AND +c.status = ?" : " AND c.status = ?", s);
    return true;
}

static bool parse_scope(struct req *r, struct filter *f)
{
    int64_t id;
    const char *v = api_conv_arg(r, "inbox_id");
    if (v) {
        if (!api_conv_parse_id(v, &id)) {
            req_reply_error(r, 422, "inbox_id must be an integer");
            return false;
        }
        where_int(f, f->by_row ? " AND +c.inbox_id = ?" : " AND c.inbox_id = ?", id);
    }
    v = api_conv_arg(r, "team_id");
    if (v) {
        if (!api_conv_parse_id(v, &id)) {
            req_reply_error(r, 422, "team_id must be an integer");
            return false;
        }
        /* Chatwoot finds the team first: an unknown one is a 404. */
        if (!db_int(r->db, 0, "SELECT 1 FROM teams WHERE id = ? AND account_id = ?", "ii", id,
                    r->agent.account_id)) {
            req_not_found(r);
            return false;
        }
        where_int(f, f->by_row ? " AND +c.team_id = ?" : " AND c.team_id = ?", id);
    }
    return true;
}

/* labels[]=a&labels[]=b: conversations with ANY of them. */
static bool parse_labels(struct req *r, struct filter *f)
{
    for (int i = 0; i < r->nargs; i++) {
        const char *k = r->args[i].key, *v = r->args[i].value;
        if ((strcmp(k, "labels[]") != 0 && strcmp(k, "labels") != 0) || !*v)
            continue;
        if (!text_valid_utf8(v, strlen(v))) {
            req_reply_error(r, 422, "labels must be valid UTF-8");
            return false;
        }
        /* Stored titles are folded: so is what the agent typed. A title
         * that could never be stored still filters (to nothing). */
        char *t = ops_label_title(v, strlen(v));
        f->owned[f->nowned++] = t ? t : text_casefold(v);
    }
    if (!f->nowned)
        return true;
    /* The conversations tagged so, found through the title index. */
    f->by_row = true;
    buf_adds(&f->where, " AND c.id IN (SELECT l.conversation_id FROM conversation_labels l "
                        "WHERE l.title IN (");
    for (int i = 0; i < f->nowned; i++)
        where_text(f, i ? ", ?" : "?", f->owned[i]);
    buf_adds(&f->where, "))");
    return true;
}

static bool parse_query(struct req *r, struct filter *f, const char *q)
{
    if (!text_valid_utf8(q, strlen(q))) {
        req_reply_error(r, 422, "q must be valid UTF-8");
        return false;
    }
    f->by_row = true;
    if (ops_text_indexable(q)) {
        /* The trigram index finds the messages holding q, in any case: the
         * newest SEARCH_MATCHES of them, so that a word in every other
         * message costs no more than a rarer one. */
        f->owned[f->nowned++] = ops_text_phrase(q);
        where_text(f,
                   " AND c.id IN (SELECT m.conversation_id FROM messages m WHERE m.id IN "
                   "(SELECT rowid FROM messages_text WHERE messages_text MATCH ? "
                   "ORDER BY rowid DESC LIMIT " SEARCH_MATCHES "))",
                   f->owned[f->nowned - 1]);
        return true;
    }
    /* One or two characters are below what a trigram can find: read the
     * messages themselves. instr, not LIKE: % and _ in q are plain
     * characters. */
    where_text(f,
               " AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
               "AND m.message_type IN (0, 1) AND instr(lower(m.content), lower(?)) > 0)",
               q);
    return true;
}

static bool parse_order(struct req *r, struct filter *f)
{
    const char *v = api_conv_arg(r, "sort_by");
    if (!v)
        return true;
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++) {
        if (strcmp(sorts[i].name, v) == 0) {
            f->order = sorts[i].order;
            return true;
        }
    }
    req_reply_error(r, 422,
                    "sort_by must be one of last_activity_at_desc, last_activity_at_asc, "
                    "created_at_asc, created_at_desc, priority_asc, priority_desc, "
                    "waiting_since_asc, waiting_since_desc, latest, sort_on_created_at, "
                    "sort_on_priority, sort_on_waiting_since");
    return false;
}

/* As Kaminari: a page that is not a positive number is page 1. */
static int64_t parse_page(const struct req *r)
{
    int64_t p;
    if (!api_conv_parse_id(api_conv_arg(r, "page"), &p) || p < 1)
        return 1;
    return p > MAX_PAGE ? MAX_PAGE : p;
}

/* Read the list filters; false after answering 4xx. search: the status
 * filter never applies and a blank q finds nothing. */
static bool filter_parse(struct req *r, struct filter *f, bool search)
{
    const char *q = api_conv_arg(r, "q");
    f->nothing = search && !q;
    /* Labels and q first: when they are given, the rows they find are the
     * few to look at, and the other conditions are written with "+" so
     * that SQLite does not walk an index of the whole account instead. */
    if (!parse_labels(r, f) || (q && !parse_query(r, f, q)))
        return false;
    where_int(f, f->by_row ? " AND +c.account_id = ?" : " AND c.account_id = ?",
              r->agent.account_id);
    buf_adds(&f->where, " AND ");
    where_int(f, ops_visible_sql(&r->agent), r->agent.id);
    if (!parse_assignee(r, f) || (!search && !q && !parse_status(r, f)) || !parse_scope(r, f) ||
        !parse_order(r, f))
        return false;
    f->page = parse_page(r);
    /* Chatwoot's updated_within=SECONDS: every match that changed in that
     * window (a client catching up), CHANGED_MAX at a time: page 2 is the
     * next CHANGED_MAX. In the list's order (newest activity first), what
     * changes between two pages only moves ahead, so the later pages lose
     * nothing; Chatwoot sends them all at once and ignores page. */
    const char *uw = api_conv_arg(r, "updated_within");
    if (uw) {
        int64_t secs;
        if (!api_conv_parse_id(uw, &secs) || secs < 1) {
            req_reply_error(r, 422, "updated_within must be a positive number of seconds");
            return false;
        }
        if (secs > 100LL * 365 * 86400)
            secs = 100LL * 365 * 86400;
        where_int(f, " AND c.updated_at > ?", (int64_t)db_now() - secs);
        f->unpaged = true;
        f->by_row = true; /* the kept counts know nothing of time */
    }
    return true;
}

struct counts {
    int64_t mine, unassigned, all;
};

/* The badges: every filter but assignee_type, over all pages. Without
 * labels or q they are sums over conversation_counts, whose columns have
 * the names the filter uses (an assignee of 0 is none); else the matching
 * rows are counted. */
static struct counts filter_counts(struct req *r, const struct filter *f)
{
    struct counts c = {0, 0, 0};
    if (f->nothing)
        return c;
    char *sql = f->by_row
                    ? xasprintf("SELECT COALESCE(SUM(c.assignee_id = ?), 0), "
                                "COALESCE(SUM(c.assignee_id IS NULL), 0), COUNT(*) "
                                "FROM conversations c WHERE 1%s",
                                f->where.data)
                    : xasprintf("SELECT COALESCE(SUM(CASE WHEN c.assignee_id = ? THEN n END), "
                                "0), COALESCE(SUM(CASE WHEN c.assignee_id = 0 THEN n END), "
                                "0), COALESCE(SUM(n), 0) "
                                "FROM conversation_counts c WHERE 1%s",
                                f->where.data);
    sqlite3_stmt *st = db_prepare(r->db, sql);
    free(sql);
    sqlite3_bind_int64(st, 1, r->agent.id);
    filter_bind(st, f, 2);
    if (sqlite3_step(st) == SQLITE_ROW) {
        c.mine = sqlite3_column_int64(st, 0);
        c.unassigned = sqlite3_column_int64(st, 1);
        c.all = sqlite3_column_int64(st, 2);
    }
    db_done(r->db, st);
    return c;
}

/* The requested page, rendered full or as slim search items. */
static json_object *filter_page(struct req *r, const struct filter *f, bool search)
{
    struct db *db = r->db;
    if (f->nothing)
        return json_object_new_array();
    char *sql =
        xasprintf("SELECT c.id FROM conversations c WHERE 1%s%s ORDER BY %s "
                  "LIMIT %d OFFSET ?",
                  f->where.data, f->assignee, f->order, f->unpaged ? CHANGED_MAX : PER_PAGE);
    sqlite3_stmt *st = db_prepare(db, sql);
    free(sql);
    int idx = filter_bind(st, f, 1);
    if (f->assignee_me)
        sqlite3_bind_int64(st, idx++, r->agent.id);
    sqlite3_bind_int64(st, idx, (f->page - 1) * (f->unpaged ? CHANGED_MAX : PER_PAGE));
    json_object *payload = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        json_object *o = search ? render_conversation_search(db, id)
                                : render_conversation_cached(db, id, r->agent.id);
        if (o)
            json_object_array_add(payload, o);
    }
    db_done(db, st);
    return payload;
}

/* ---- POST …/conversations/filter (§3.5) ------------------------------------ */

/* Chatwoot's conversation filter keys that twowayd keeps, with the
 * operators lib/filters/filter_keys.yml allows each. */
enum fkey { FK_STATUS, FK_ASSIGNEE, FK_INBOX, FK_TEAM, FK_PRIORITY, FK_LABELS };

static const struct {
    const char *name;
    bool presence; /* is_present / is_not_present allowed */
    const char *column;
} fkeys[] = {
    [FK_STATUS] = {"status", false, "c.status"},
    [FK_ASSIGNEE] = {"assignee_id", true, "c.assignee_id"},
    [FK_INBOX] = {"inbox_id", true, "c.inbox_id"},
    [FK_TEAM] = {"team_id", true, "c.team_id"},
    [FK_PRIORITY] = {"priority", false, "c.priority"},
    [FK_LABELS] = {"labels", true, NULL},
};

static bool filter_fail(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool filter_fail(struct req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    req_reply_error(r, 422, msg);
    free(msg);
    return false;
}

/* One value of a condition, checked and bound; false after answering. */
static bool filter_value(struct req *r, struct filter *f, enum fkey k, json_object *v, bool first)
{
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    int64_t id;
    buf_adds(&f->where, first ? "?" : ", ?");
    switch (k) {
    case FK_STATUS:
    case FK_PRIORITY: {
        const char *known =
            s ? api_conv_in_set(k == FK_STATUS ? api_conv_statuses : api_conv_priorities, s) : NULL;
        if (!known)
            return filter_fail(r, "Invalid value. The values provided for %s are invalid",
                               fkeys[k].name);
        f->binds[f->nbinds++] = (struct bind){.is_text = true, .t = known};
        return true;
    }
    case FK_LABELS: {
        if (!s || !text_valid_utf8(s, strlen(s)))
            return filter_fail(r, "Invalid value. The values provided for %s are invalid",
                               fkeys[k].name);
        char *t = ops_label_title(s, strlen(s));
        f->owned[f->nowned++] = t ? t : text_casefold(s);
        f->binds[f->nbinds++] = (struct bind){.is_text = true, .t = f->owned[f->nowned - 1]};
        return true;
    }
    default:
        if (json_object_is_type(v, json_type_int))
            id = json_object_get_int64(v);
        else if (!s || !api_conv_parse_id(s, &id))
            return filter_fail(r, "Invalid value. The values provided for %s are invalid",
                               fkeys[k].name);
        f->binds[f->nbinds++] = (struct bind){.i = id};
        return true;
    }
}

/* One {attribute_key, filter_operator, values} as SQL over c. */
static bool filter_cond(struct req *r, struct filter *f, json_object *cond)
{
    const char *key =
        json_object_is_type(cond, json_type_object) ? req_json_str(cond, "attribute_key") : NULL;
    const char *op = key ? req_json_str(cond, "filter_operator") : NULL;
    size_t k = 0;
    while (key && k < sizeof fkeys / sizeof fkeys[0] && strcmp(fkeys[k].name, key) != 0)
        k++;
    if (!key || k == sizeof fkeys / sizeof fkeys[0])
        return filter_fail(r, "Invalid attribute key - [%s] for [Conversation]", key ? key : "");
    bool eq = op && strcmp(op, "equal_to") == 0, ne = op && strcmp(op, "not_equal_to") == 0;
    bool present = op && strcmp(op, "is_present") == 0;
    bool absent = op && strcmp(op, "is_not_present") == 0;
    if (!(eq || ne || ((present || absent) && fkeys[k].presence)))
        return filter_fail(r,
                           fkeys[k].presence ? "Invalid operator. The allowed operators for %s "
                                               "are [equal_to, not_equal_to, is_present, "
                                               "is_not_present]."
                                             : "Invalid operator. The allowed operators for %s "
                                               "are [equal_to, not_equal_to].",
                           key);
    if (present || absent) {
        if (k == FK_LABELS)
            buf_addf(&f->where, "c.id %s (SELECT l.conversation_id FROM conversation_labels l)",
                     present ? "IN" : "NOT IN");
        else
            buf_addf(&f->where, "%s IS %s", fkeys[k].column, present ? "NOT NULL" : "NULL");
        return true;
    }
    json_object *values;
    if (!json_object_object_get_ex(cond, "values", &values) ||
        !json_object_is_type(values, json_type_array) || json_object_array_length(values) == 0 ||
        json_object_array_length(values) > FILTER_MAX_VALUES)
        return filter_fail(r, "Invalid value. The values provided for %s are invalid", key);
    size_t n = json_object_array_length(values);
    /* status "all" is every status, as Chatwoot reads it. */
    if (k == FK_STATUS)
        for (size_t i = 0; i < n; i++) {
            json_object *v = json_object_array_get_idx(values, i);
            if (json_object_is_type(v, json_type_string) &&
                strcmp(json_object_get_string(v), "all") == 0) {
                buf_adds(&f->where, eq ? "1" : "0");
                return true;
            }
        }
    /* As Chatwoot's SQL: NOT IN leaves out what has no value at all. */
    if (k == FK_LABELS)
        buf_addf(&f->where,
                 "c.id %s (SELECT l.conversation_id FROM conversation_labels l "
                 "WHERE l.title IN (",
                 eq ? "IN" : "NOT IN");
    else
        buf_addf(&f->where, "%s %s (", fkeys[k].column, eq ? "IN" : "NOT IN");
    for (size_t i = 0; i < n; i++)
        if (!filter_value(r, f, (enum fkey)k, json_object_array_get_idx(values, i), i == 0))
            return false;
    buf_adds(&f->where, k == FK_LABELS ? "))" : ")");
    return true;
}

/* The body's conditions, joined by their query_operator as Chatwoot joins
 * them (one SQL expression: AND binds before OR); false after answering. */
static bool filter_body(struct req *r, struct filter *f)
{
    json_object *body = req_json(r), *payload;
    if (!body)
        return false;
    if (!json_object_object_get_ex(body, "payload", &payload) ||
        !json_object_is_type(payload, json_type_array) || json_object_array_length(payload) == 0)
        return filter_fail(r, "%s", "payload must be a list of conditions");
    size_t n = json_object_array_length(payload);
    if (n > FILTER_MAX_CONDS)
        return filter_fail(r, "%s", "too many conditions");
    f->by_row = true;
    buf_adds(&f->where, " AND (");
    for (size_t i = 0; i < n; i++) {
        json_object *cond = json_object_array_get_idx(payload, i);
        if (!filter_cond(r, f, cond))
            return false;
        if (i + 1 == n)
            break;
        const char *qop = req_json_str(cond, "query_operator");
        if (qop && strcasecmp(qop, "or") == 0)
            buf_adds(&f->where, " OR ");
        else if (!qop || strcasecmp(qop, "and") == 0)
            buf_adds(&f->where, " AND ");
        else
            return filter_fail(r, "%s", "Invalid query operator. Allowed values are AND, OR");
    }
    buf_adds(&f->where, ")");
    int64_t page;
    if (req_json_int(body, "page", &page, NULL) && page >= 1)
        f->page = page > MAX_PAGE ? MAX_PAGE : page;
    return true;
}

void api_conversations_filter(struct req *r)
{
    struct filter f;
    filter_init(&f);
    where_int(&f, " AND +c.account_id = ?", r->agent.account_id);
    buf_adds(&f.where, " AND ");
    where_int(&f, ops_visible_sql(&r->agent), r->agent.id);
    f.page = parse_page(r);
    if (!filter_body(r, &f)) {
        filter_free(&f);
        return;
    }
    struct counts c = filter_counts(r, &f);
    json_object *meta = json_object_new_object(), *o = json_object_new_object();
    ADD(meta, "mine_count", json_object_new_int64(c.mine));
    ADD(meta, "assigned_count", json_object_new_int64(c.all - c.unassigned));
    ADD(meta, "unassigned_count", json_object_new_int64(c.unassigned));
    ADD(meta, "all_count", json_object_new_int64(c.all));
    ADD(o, "meta", meta);
    ADD(o, "payload", filter_page(r, &f, false));
    filter_free(&f);
    req_reply_json(r, 200, o); /* not wrapped in data, as Chatwoot's */
}

/* The three answers the filters feed (§3.1, §3.3, §3.4). */
enum listing { LISTING_LIST, LISTING_META, LISTING_SEARCH };

static void reply_listing(struct req *r, enum listing kind)
{
    struct filter f;
    filter_init(&f);
    if (!filter_parse(r, &f, kind == LISTING_SEARCH)) {
        filter_free(&f);
        return;
    }
    struct counts c = filter_counts(r, &f);
    json_object *meta = json_object_new_object(), *o = json_object_new_object();
    ADD(meta, "mine_count", json_object_new_int64(c.mine));
    if (kind != LISTING_SEARCH)
        ADD(meta, "assigned_count", json_object_new_int64(c.all - c.unassigned));
    ADD(meta, "unassigned_count", json_object_new_int64(c.unassigned));
    ADD(meta, "all_count", json_object_new_int64(c.all));
    ADD(o, "meta", meta);
    if (kind != LISTING_META)
        ADD(o, "payload", filter_page(r, &f, kind == LISTING_SEARCH));
    filter_free(&f);
    if (kind == LISTING_LIST) { /* the list alone is wrapped twice */
        json_object *data = o;
        o = json_object_new_object();
        ADD(o, "data", data);
    }
    req_reply_json(r, 200, o);
}

void api_conversations_list(struct req *r)
{
    reply_listing(r, LISTING_LIST);
}

void api_conversations_meta(struct req *r)
{
    reply_listing(r, LISTING_META);
}

void api_conversations_search(struct req *r)
{
    reply_listing(r, LISTING_SEARCH);
}
