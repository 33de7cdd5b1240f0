/* api_conversations — the conversation endpoints (API-SUBSET.md §3): the
 * filtered list with its badge counts, search, show, create, update, and
 * the actions on one conversation (status, priority, read state, typing,
 * assignment, labels).
 *
 * Every conversation named in a path goes through ops_conv_for_agent, so an
 * agent never learns of a conversation outside their inboxes (404). State
 * changes go through ops (activity lines, updated_at), JSON through render.
 * Bad input answers 422 where Chatwoot would raise and answer 500. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "ops.h"
#include "render.h"
#include "req.h"
#include "sender.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

/* CONVERSATION_RESULTS_PER_PAGE in Chatwoot. */
#define PER_PAGE 25
/* Past this, pages are empty anyway; keeps the offset arithmetic small. */
#define MAX_PAGE 1000000000LL
#define MAX_LABELS 100
#define MAX_LABEL_CHARS 255
/* 9999-12-31T23:59:59Z: later times do not print as ISO-8601. */
#define MAX_EPOCH 253402300799LL

static const char *const statuses[] = {"open", "resolved", "pending", "snoozed", NULL};
static const char *const priorities[] = {"low", "medium", "high", "urgent", NULL};

/* The element of set equal to s (static storage), or NULL. */
static const char *in_set(const char *const *set, const char *s)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(set[i], s) == 0)
            return set[i];
    return NULL;
}

/* A query argument, with "" taken as absent (as Rails' .present?). */
static const char *arg(const struct req *r, const char *key)
{
    const char *v = req_arg(r, key);
    return v && *v ? v : NULL;
}

/* A non-negative decimal id, nothing else (no sign, no spaces). */
static bool parse_id(const char *s, int64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* The conversation named by the path, or 0 after answering 404. */
static int64_t path_conv(struct req *r)
{
    int64_t id = ops_conv_for_agent(r->twd->db, &r->agent, r->params[0]);
    if (!id)
        req_not_found(r);
    return id;
}

/* An optional id in a JSON body. */
enum field { FIELD_ABSENT, FIELD_NULL, FIELD_SET, FIELD_BAD };

static enum field body_id(json_object *body, const char *key, int64_t *out)
{
    bool is_null = false;
    if (!req_json_has(body, key))
        return FIELD_ABSENT;
    if (!req_json_int(body, key, out, &is_null) || (!is_null && *out < 0))
        return FIELD_BAD;
    return is_null ? FIELD_NULL : FIELD_SET;
}

/* ---- the list, its counts, search ---------------------------------------- */

struct bind {
    bool is_text;
    int64_t i;
    const char *t; /* borrowed from the request or filter.owned */
};

#define MAX_BINDS (REQ_MAX_ARGS + 8)

/* The WHERE clause the list, meta and search share: SQL text built from
 * constants only, every value bound. */
struct filter {
    struct buf where; /* " AND …" conditions over conversations c */
    struct bind binds[MAX_BINDS];
    int nbinds;
    char *owned[REQ_MAX_ARGS]; /* lower-cased label titles */
    int nowned;
    const char *assignee; /* " AND …" for assignee_type; counts leave it out */
    bool assignee_me;     /* assignee binds the agent id */
    const char *order;
    int64_t page;
};

#define PRIORITY_RANK                                                                              \
    "CASE c.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 "                \
    "WHEN 'low' THEN 1 ELSE 0 END"
/* Chatwoot sorts a conversation nobody waits on as if waiting since now. */
#define WAITING "COALESCE(c.waiting_since, 9e18)"

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
    const char *v = arg(r, "assignee_type");
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
    const char *v = arg(r, "status");
    if (v && strcmp(v, "all") == 0)
        return true;
    const char *s = v ? in_set(statuses, v) : "open";
    if (!s) {
        req_reply_error(r, 422, "status must be one of open, pending, snoozed, resolved, all");
        return false;
    }
    where_text(f, " AND c.status = ?", s);
    return true;
}

static bool parse_scope(struct req *r, struct filter *f)
{
    int64_t id;
    const char *v = arg(r, "inbox_id");
    if (v) {
        if (!parse_id(v, &id)) {
            req_reply_error(r, 422, "inbox_id must be an integer");
            return false;
        }
        where_int(f, " AND c.inbox_id = ?", id);
    }
    v = arg(r, "team_id");
    if (v) {
        if (!parse_id(v, &id)) {
            req_reply_error(r, 422, "team_id must be an integer");
            return false;
        }
        /* Chatwoot finds the team first: an unknown one is a 404. */
        if (!db_int(r->twd->db, 0, "SELECT 1 FROM teams WHERE id = ? AND account_id = ?", "ii", id,
                    r->agent.account_id)) {
            req_not_found(r);
            return false;
        }
        where_int(f, " AND c.team_id = ?", id);
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
        char *t = xstrdup(v);
        for (char *p = t; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        f->owned[f->nowned++] = t;
    }
    if (!f->nowned)
        return true;
    buf_adds(&f->where, " AND EXISTS (SELECT 1 FROM conversation_labels l "
                        "WHERE l.conversation_id = c.id AND l.title IN (");
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
    /* instr, not LIKE: % and _ in q are plain characters. */
    where_text(f,
               " AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
               "AND m.message_type IN (0, 1) AND instr(lower(m.content), lower(?)) > 0)",
               q);
    return true;
}

static bool parse_order(struct req *r, struct filter *f)
{
    const char *v = arg(r, "sort_by");
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
    if (!parse_id(arg(r, "page"), &p) || p < 1)
        return 1;
    return p > MAX_PAGE ? MAX_PAGE : p;
}

/* Read the list filters; false after answering 4xx. search: the status
 * filter never applies and a blank q finds nothing. */
static bool filter_parse(struct req *r, struct filter *f, bool search)
{
    where_int(f, " AND c.account_id = ?", r->agent.account_id);
    buf_adds(&f->where, " AND ");
    where_int(f, ops_visible_sql(&r->agent), r->agent.id);
    const char *q = arg(r, "q");
    if (search && !q)
        buf_adds(&f->where, " AND 0");
    if (!parse_assignee(r, f) || (!search && !q && !parse_status(r, f)) || !parse_scope(r, f) ||
        !parse_labels(r, f) || (q && !parse_query(r, f, q)) || !parse_order(r, f))
        return false;
    f->page = parse_page(r);
    return true;
}

struct counts {
    int64_t mine, unassigned, all;
};

/* The badges: every filter but assignee_type, over all pages. */
static struct counts filter_counts(struct req *r, const struct filter *f)
{
    struct counts c = {0, 0, 0};
    char *sql = xasprintf("SELECT COALESCE(SUM(c.assignee_id = ?), 0), "
                          "COALESCE(SUM(c.assignee_id IS NULL), 0), COUNT(*) "
                          "FROM conversations c WHERE 1%s",
                          f->where.data);
    sqlite3_stmt *st = db_prepare(r->twd->db, sql);
    free(sql);
    sqlite3_bind_int64(st, 1, r->agent.id);
    filter_bind(st, f, 2);
    if (sqlite3_step(st) == SQLITE_ROW) {
        c.mine = sqlite3_column_int64(st, 0);
        c.unassigned = sqlite3_column_int64(st, 1);
        c.all = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return c;
}

/* The requested page, rendered full or as slim search items. */
static json_object *filter_page(struct req *r, const struct filter *f, bool search)
{
    struct db *db = r->twd->db;
    char *sql = xasprintf("SELECT c.id FROM conversations c WHERE 1%s%s ORDER BY %s "
                          "LIMIT %d OFFSET ?",
                          f->where.data, f->assignee, f->order, PER_PAGE);
    sqlite3_stmt *st = db_prepare(db, sql);
    free(sql);
    int idx = filter_bind(st, f, 1);
    if (f->assignee_me)
        sqlite3_bind_int64(st, idx++, r->agent.id);
    sqlite3_bind_int64(st, idx, (f->page - 1) * PER_PAGE);
    json_object *payload = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        json_object *o =
            search ? render_conversation_search(db, id) : render_conversation(db, id, r->agent.id);
        if (o)
            json_object_array_add(payload, o);
    }
    sqlite3_finalize(st);
    return payload;
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

/* ---- one conversation ---------------------------------------------------- */

static void reply_conversation(struct req *r, int64_t conv)
{
    json_object *o = render_conversation(r->twd->db, conv, r->agent.id);
    if (o)
        req_reply_json(r, 200, o);
    else
        req_not_found(r);
}

void api_conversations_show(struct req *r)
{
    int64_t conv = path_conv(r);
    if (conv)
        reply_conversation(r, conv);
}

/* Is agent_id an agent of this account who belongs to the inbox? */
static bool assignable(struct req *r, int64_t agent_id, int64_t inbox_id)
{
    return db_int(r->twd->db, 0,
                  "SELECT 1 FROM agents a JOIN inbox_members m ON m.agent_id = a.id "
                  "WHERE a.id = ? AND a.account_id = ? AND m.inbox_id = ?",
                  "iii", agent_id, r->agent.account_id, inbox_id) == 1;
}

static bool team_of_account(struct req *r, int64_t team_id)
{
    return db_int(r->twd->db, 0, "SELECT 1 FROM teams WHERE id = ? AND account_id = ?", "ii",
                  team_id, r->agent.account_id) == 1;
}

/* custom_attributes from a body as JSON text (owned; null → "{}"), or NULL
 * after a 422. */
static char *body_attributes(struct req *r, json_object *body, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, key, &v);
    if (!v)
        return xstrdup("{}");
    if (!json_object_is_type(v, json_type_object)) {
        req_reply_errorf(r, 422, "%s must be an object", key);
        return NULL;
    }
    const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    if (!text_valid_utf8(text, strlen(text))) {
        req_reply_errorf(r, 422, "%s must be valid UTF-8", key);
        return NULL;
    }
    return xstrdup(text);
}

/* What POST conversations asks for, checked before anything is written. */
struct new_conv {
    int64_t inbox, contact, assignee, team;
    const char *status;
    const char *content; /* first message, or NULL */
    char *attributes;    /* owned JSON text, or NULL */
};

/* The contact: contact_id in this account, else the inbox's source_id. */
static bool create_contact(struct req *r, json_object *body, struct new_conv *nc)
{
    struct db *db = r->twd->db;
    int64_t id = 0;
    enum field f = body_id(body, "contact_id", &id);
    if (f == FIELD_BAD) {
        req_reply_error(r, 422, "contact_id must be an integer");
        return false;
    }
    if (f == FIELD_SET) {
        nc->contact = db_int(db, 0, "SELECT id FROM contacts WHERE id = ? AND account_id = ?", "ii",
                             id, r->agent.account_id);
    } else if (req_json_str(body, "source_id")) {
        nc->contact =
            db_int(db, 0,
                   "SELECT ct.id FROM contact_inboxes ci JOIN contacts ct "
                   "ON ct.id = ci.contact_id WHERE ci.inbox_id = ? AND ci.source_id = ? "
                   "AND ct.account_id = ?",
                   "iti", nc->inbox, req_json_str(body, "source_id"), r->agent.account_id);
    } else {
        req_reply_error(r, 422, "contact_id (or source_id) is required");
        return false;
    }
    if (!nc->contact) {
        req_not_found(r);
        return false;
    }
    /* Every inbox here is SMS: the phone number is where replies go. */
    if (!db_int(db, 0, "SELECT 1 FROM contacts WHERE id = ? AND COALESCE(phone_number, '') != ''",
                "i", nc->contact)) {
        req_reply_error(r, 422, "param is missing or the value is empty: contact phone number");
        return false;
    }
    return true;
}

static bool create_people(struct req *r, json_object *body, struct new_conv *nc)
{
    enum field f = body_id(body, "assignee_id", &nc->assignee);
    if (f == FIELD_BAD ||
        (f == FIELD_SET && nc->assignee && !assignable(r, nc->assignee, nc->inbox))) {
        req_reply_error(r, 422,
                        "assignee_id must be an agent of this account who is a member "
                        "of the conversation's inbox");
        return false;
    }
    if (f != FIELD_SET)
        nc->assignee = 0;
    f = body_id(body, "team_id", &nc->team);
    if (f == FIELD_BAD || (f == FIELD_SET && nc->team && !team_of_account(r, nc->team))) {
        req_reply_error(r, 422, "team_id must be a team of this account");
        return false;
    }
    if (f != FIELD_SET)
        nc->team = 0;
    return true;
}

static bool create_message(struct req *r, json_object *body, struct new_conv *nc)
{
    json_object *m = NULL, *c = NULL;
    json_object_object_get_ex(body, "message", &m);
    if (!m)
        return true;
    if (!json_object_is_type(m, json_type_object)) {
        req_reply_error(r, 422, "message must be an object with a content string");
        return false;
    }
    json_object_object_get_ex(m, "content", &c);
    if (!c)
        return true;
    if (!json_object_is_type(c, json_type_string)) {
        req_reply_error(r, 422, "message.content must be a string");
        return false;
    }
    const char *why =
        ops_content_problem(json_object_get_string(c), (size_t)json_object_get_string_len(c));
    if (why) {
        req_reply_errorf(r, 422, "message.%s", why);
        return false;
    }
    if (json_object_get_string_len(c) == 0)
        return true;
    nc->content = json_object_get_string(c);
    char *unreachable = ops_contact_unreachable(r->twd->db, nc->contact);
    if (unreachable) {
        req_reply_error(r, 422, unreachable);
        free(unreachable);
        return false;
    }
    return true;
}

static bool create_parse(struct req *r, json_object *body, struct new_conv *nc)
{
    int64_t inbox = 0;
    if (body_id(body, "inbox_id", &inbox) != FIELD_SET) {
        req_reply_error(r, 422, "inbox_id is required and must be an integer");
        return false;
    }
    if (!ops_agent_sees_inbox(r->twd->db, &r->agent, inbox)) {
        req_not_found(r);
        return false;
    }
    nc->inbox = inbox;
    if (!create_contact(r, body, nc) || !create_people(r, body, nc))
        return false;
    nc->status = "open";
    json_object *sv = NULL;
    json_object_object_get_ex(body, "status", &sv);
    if (sv) {
        const char *s = req_json_str(body, "status");
        if (!s || !(nc->status = in_set(statuses, s))) {
            req_reply_error(r, 422, "status must be one of open, resolved, pending, snoozed");
            return false;
        }
    }
    if (!(nc->attributes = body_attributes(r, body, "custom_attributes")))
        return false;
    return create_message(r, body, nc);
}

void api_conversations_create(struct req *r)
{
    json_object *body = req_json(r);
    if (!body)
        return;
    struct db *db = r->twd->db;
    struct new_conv nc = {0};
    if (!create_parse(r, body, &nc)) {
        free(nc.attributes);
        return;
    }
    int64_t conv = ops_conv_create(db, nc.inbox, nc.contact, nc.status);
    db_exec(db, "UPDATE conversations SET custom_attributes = ? WHERE id = ?", "ti", nc.attributes,
            conv);
    free(nc.attributes);
    if (nc.assignee)
        ops_set_assignee(db, conv, nc.assignee, r->agent.id);
    if (nc.team)
        ops_set_team(db, conv, nc.team, r->agent.id);
    if (nc.content) {
        struct ops_message m = {
            .conv_id = conv,
            .content = nc.content,
            .type = OPS_OUTGOING,
            .sender_type = "User",
            .sender_id = r->agent.id,
        };
        if (!ops_message_add(db, &m)) {
            req_reply_error(r, 422, "the message could not be stored");
            return;
        }
        if (r->twd->sender)
            sender_wake(r->twd->sender);
    }
    reply_conversation(r, conv);
}

/* The priority a body asks for (NULL = none); false after a 422. */
static bool body_priority(struct req *r, json_object *body, const char **out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(body, "priority", &v)) {
        req_reply_error(r, 422,
                        "priority is required: low, medium, high, urgent, or null to "
                        "remove it");
        return false;
    }
    *out = NULL;
    if (!v || (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0))
        return true;
    if (json_object_is_type(v, json_type_string) &&
        (*out = in_set(priorities, json_object_get_string(v))))
        return true;
    req_reply_error(r, 422, "priority must be low, medium, high, urgent, or null to remove it");
    return false;
}

void api_conversations_update(struct req *r)
{
    int64_t conv = path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    struct db *db = r->twd->db;
    const char *priority = NULL;
    bool set_priority = req_json_has(body, "priority");
    if (set_priority && !body_priority(r, body, &priority))
        return;
    char *attributes = NULL;
    if (req_json_has(body, "custom_attributes") &&
        !(attributes = body_attributes(r, body, "custom_attributes")))
        return;
    if (set_priority)
        ops_set_priority(db, conv, priority, r->agent.id);
    if (attributes) {
        db_exec(db, "UPDATE conversations SET custom_attributes = ? WHERE id = ?", "ti", attributes,
                conv);
        ops_touch(db, conv);
        free(attributes);
    }
    reply_conversation(r, conv);
}

/* ---- actions ------------------------------------------------------------- */

/* snoozed_until as Chatwoot parses it (strptime "%s"): whole epoch seconds,
 * as a JSON integer or a string of digits. 0 if absent or null; -1 after a
 * 422. */
static double body_snooze(struct req *r, json_object *body)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "snoozed_until", &v);
    if (!v)
        return 0;
    int64_t t = -1;
    if (json_object_is_type(v, json_type_int))
        t = json_object_get_int64(v);
    else if (json_object_is_type(v, json_type_string) && !parse_id(json_object_get_string(v), &t))
        t = -1;
    if (t <= 0 || t > MAX_EPOCH) {
        req_reply_error(r, 422,
                        "snoozed_until must be a time in whole epoch seconds "
                        "(e.g. 1767225600)");
        return -1;
    }
    return (double)t;
}

/* The status asked for; no status flips open ↔ resolved (anything else
 * opens). NULL after a 422. */
static const char *body_status(struct req *r, json_object *body, int64_t conv)
{
    json_object *v = NULL;
    json_object_object_get_ex(body, "status", &v);
    if (v && !json_object_is_type(v, json_type_string)) {
        req_reply_error(r, 422, "status must be one of open, resolved, pending, snoozed");
        return NULL;
    }
    if (!v || json_object_get_string_len(v) == 0) {
        return db_int(r->twd->db, 0, "SELECT status = 'open' FROM conversations WHERE id = ?", "i",
                      conv)
                   ? "resolved"
                   : "open";
    }
    const char *s = in_set(statuses, json_object_get_string(v));
    if (!s)
        req_reply_error(r, 422, "status must be one of open, resolved, pending, snoozed");
    return s;
}

void api_conversations_toggle_status(struct req *r)
{
    int64_t conv = path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    struct db *db = r->twd->db;
    const char *status = body_status(r, body, conv);
    if (!status)
        return;
    /* Checked whatever the status, as Chatwoot parses it before saving. */
    double until = body_snooze(r, body);
    if (until < 0)
        return;
    ops_set_status(db, conv, status, until, r->agent.id);

    json_object *payload = json_object_new_object();
    sqlite3_stmt *st = db_prepare(db, "SELECT status, snoozed_until, display_id "
                                      "FROM conversations WHERE id = ?");
    db_bindv(st, "i", conv);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ADD(payload, "success", json_object_new_boolean(1));
        ADD(payload, "conversation_id", json_object_new_int64(sqlite3_column_int64(st, 2)));
        ADD(payload, "current_status",
            json_object_new_string((const char *)sqlite3_column_text(st, 0)));
        ADD(payload, "snoozed_until",
            render_iso(sqlite3_column_type(st, 1) == SQLITE_NULL ? 0
                                                                 : sqlite3_column_double(st, 1)));
    }
    sqlite3_finalize(st);
    json_object *o = json_object_new_object();
    ADD(o, "meta", json_object_new_object());
    ADD(o, "payload", payload);
    req_reply_json(r, 200, o);
}

void api_conversations_toggle_priority(struct req *r)
{
    int64_t conv = path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    const char *priority;
    if (!body || !body_priority(r, body, &priority))
        return;
    ops_set_priority(r->twd->db, conv, priority, r->agent.id);
    req_reply_empty(r, 200);
}

/* Read state: agent_last_seen_at, and the assignee's too when the agent is
 * the assignee (t = 0: never seen). */
static void set_last_seen(struct req *r, int64_t conv, double t)
{
    db_exec(r->twd->db,
            "UPDATE conversations SET agent_last_seen_at = NULLIF(?1, 0), "
            "assignee_last_seen_at = CASE WHEN assignee_id = ?2 THEN NULLIF(?1, 0) "
            "ELSE assignee_last_seen_at END, updated_at = ?3 WHERE id = ?4",
            "didi", t, r->agent.id, db_now(), conv);
}

void api_conversations_update_last_seen(struct req *r)
{
    int64_t conv = path_conv(r);
    if (!conv)
        return;
    set_last_seen(r, conv, db_now());
    req_reply_empty(r, 200);
}

void api_conversations_unread(struct req *r)
{
    int64_t conv = path_conv(r);
    if (!conv)
        return;
    /* As Chatwoot: a second before the newest incoming message, so that
     * message (at least) counts as unread again. */
    sqlite3_stmt *st = db_prepare(r->twd->db, "SELECT MAX(created_at) FROM messages "
                                              "WHERE conversation_id = ? AND message_type = 0");
    db_bindv(st, "i", conv);
    double t = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        t = sqlite3_column_double(st, 0) - 1.0;
    sqlite3_finalize(st);
    set_last_seen(r, conv, t > 0 ? t : 0);
    req_reply_empty(r, 200);
}

void api_conversations_toggle_typing(struct req *r)
{
    int64_t conv = path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    const char *s = req_json_str(body, "typing_status");
    if (!s || (strcmp(s, "on") != 0 && strcmp(s, "off") != 0)) {
        req_reply_error(r, 422, "typing_status must be \"on\" or \"off\"");
        return;
    }
    json_object *p = NULL;
    json_object_object_get_ex(body, "is_private", &p);
    if (p && !json_object_is_type(p, json_type_boolean)) {
        req_reply_error(r, 422, "is_private must be true or false");
        return;
    }
    /* Nothing to tell yet: there is no push channel to carry it. */
    req_reply_empty(r, 200);
}

static void assign_agent(struct req *r, json_object *body, int64_t conv)
{
    struct db *db = r->twd->db;
    int64_t id = 0;
    enum field f = body_id(body, "assignee_id", &id);
    if (f == FIELD_BAD) {
        req_reply_error(r, 422, "assignee_id must be an integer or null");
        return;
    }
    if (f == FIELD_NULL || id == 0) {
        ops_set_assignee(db, conv, 0, r->agent.id);
        req_reply_json(r, 200, NULL);
        return;
    }
    int64_t inbox = db_int(db, 0, "SELECT inbox_id FROM conversations WHERE id = ?", "i", conv);
    if (!assignable(r, id, inbox)) {
        req_reply_error(r, 422,
                        "assignee_id must be an agent of this account who is a member "
                        "of the conversation's inbox");
        return;
    }
    ops_set_assignee(db, conv, id, r->agent.id);
    req_reply_json(r, 200, render_agent(db, id));
}

static void assign_team(struct req *r, json_object *body, int64_t conv)
{
    struct db *db = r->twd->db;
    int64_t id = 0;
    enum field f = body_id(body, "team_id", &id);
    if (f == FIELD_BAD) {
        req_reply_error(r, 422, "team_id must be an integer or null");
        return;
    }
    if (f == FIELD_NULL || id == 0) {
        ops_set_team(db, conv, 0, r->agent.id);
        req_reply_json(r, 200, NULL);
        return;
    }
    if (!team_of_account(r, id)) {
        req_reply_error(r, 422, "team_id must be a team of this account");
        return;
    }
    ops_set_team(db, conv, id, r->agent.id);
    req_reply_json(r, 200, render_team(db, id, r->agent.id));
}

void api_conversations_assignments(struct req *r)
{
    int64_t conv = path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    /* With assignee_id present, team_id is ignored (as Chatwoot). */
    if (req_json_has(body, "assignee_id"))
        assign_agent(r, body, conv);
    else if (req_json_has(body, "team_id"))
        assign_team(r, body, conv);
    else
        req_reply_error(r, 422, "assignee_id or team_id is required");
}

static void reply_labels(struct req *r, int64_t conv)
{
    json_object *o = json_object_new_object();
    ADD(o, "payload", render_labels(r->twd->db, conv));
    req_reply_json(r, 200, o);
}

void api_conversations_labels_list(struct req *r)
{
    int64_t conv = path_conv(r);
    if (conv)
        reply_labels(r, conv);
}

/* A label title as stored: trimmed and lower-cased (owned), or NULL if it
 * is not a usable title. Chatwoot tags freely, so unknown titles are fine. */
static char *label_title(json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (strlen(s) != len || !text_valid_utf8(s, len))
        return NULL;
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        /* C0, DEL, and C1 (U+0080..U+009F, encoded C2 80..C2 9F) */
        if (c < 0x20 || c == 0x7f || (c == 0xC2 && (unsigned char)s[i + 1] < 0xA0))
            return NULL;
        if ((c & 0xC0) != 0x80)
            chars++;
    }
    if (chars == 0 || chars > MAX_LABEL_CHARS)
        return NULL;
    char *t = xstrndup(s, len);
    for (char *p = t; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return t;
}

void api_conversations_labels_set(struct req *r)
{
    int64_t conv = path_conv(r);
    json_object *body = conv ? req_json(r) : NULL;
    if (!body)
        return;
    json_object *arr = NULL;
    json_object_object_get_ex(body, "labels", &arr);
    if (!arr || !json_object_is_type(arr, json_type_array)) {
        req_reply_error(r, 422, "labels must be an array of label titles");
        return;
    }
    size_t n = json_object_array_length(arr);
    if (n > MAX_LABELS) {
        req_reply_errorf(r, 422, "too many labels (at most %d)", MAX_LABELS);
        return;
    }
    char **titles = xcalloc(n ? n : 1, sizeof *titles);
    size_t got = 0;
    for (; got < n; got++) {
        if (!(titles[got] = label_title(json_object_array_get_idx(arr, got))))
            break;
    }
    if (got == n) {
        ops_set_labels(r->twd->db, conv, (const char *const *)titles, (int)n, r->agent.id);
        reply_labels(r, conv);
    } else {
        req_reply_errorf(r, 422,
                         "labels[%zu] must be a non-empty string of at most %d "
                         "characters without control characters",
                         got, MAX_LABEL_CHARS);
    }
    for (size_t i = 0; i < got; i++)
        free(titles[i]);
    free(titles);
}
