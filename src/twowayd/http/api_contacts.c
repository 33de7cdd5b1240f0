/* api_contacts — show, search and a contact's conversations (doc/api.md
 * §9).
 *
 * Contacts belong to the account, so every agent of the account sees every
 * contact; their conversations are limited to the inboxes the agent sees.
 * Search matches a substring of name, email, phone number or identifier,
 * ignoring case, 15 per page (through a trigram index from three
 * characters on); `sort` picks from a fixed table (a
 * leading '-' for descending) and an unknown key is ignored, as Chatwoot's
 * Sift does, leaving the default order by id. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "store/db.h"
#include "store/ops.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"
#include "twoway/xmalloc.h"

#define SEARCH_PER_PAGE 15
#define CONTACT_CONVERSATIONS_MAX 20
/* Beyond this page there is nothing to find, and offsets stay far from
 * int64 overflow. */
#define SEARCH_PAGE_MAX 1000000000LL

static bool contact_in_account(struct req *r, int64_t id)
{
    return db_int(r->db, 0, "SELECT 1 FROM contacts WHERE id = ? AND account_id = ?", "ii", id,
                  r->agent.account_id) == 1;
}

void api_contacts_show(struct req *r)
{
    struct db *db = r->db;
    if (!contact_in_account(r, r->params[0])) {
        req_not_found(r);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "payload", render_contact(db, r->params[0]));
    req_reply_json(r, 200, o);
}

/* A JSON attribute of additional_attributes, NULL when absent or when the
 * stored text is not JSON (json_extract would raise on it). */
#define ADDITIONAL(key)                                                                            \
    "(CASE WHEN json_valid(additional_attributes) THEN "                                           \
    "lower(json_extract(additional_attributes, '$." key "')) END)"

/* Sort keys: rows without a value come last in both directions, in id order
 * (a contact named after its phone number has no real name), the others by
 * value, then id. */
static const struct {
    const char *key;
    const char *missing; /* SQL: 1 when the row has no value to sort by */
    const char *value;
} sorts[] = {
    {"name", "(name = '' OR name GLOB '+[0-9]*')", "lower(name)"},
    {"email", "(email IS NULL OR email = '')", "lower(email)"},
    {"phone_number", "(phone_number IS NULL OR phone_number = '')", "phone_number"},
    {"last_activity_at", "(last_activity_at IS NULL)", "last_activity_at"},
    {"created_at", "(created_at IS NULL)", "created_at"},
    {"company", "(" ADDITIONAL("company_name") " IS NULL)", ADDITIONAL("company_name")},
    {"city", "(" ADDITIONAL("city") " IS NULL)", ADDITIONAL("city")},
    {"country", "(" ADDITIONAL("country") " IS NULL)", ADDITIONAL("country")},
};

/* The ORDER BY clause for a sort argument (owned); fixed SQL only. */
static char *order_by(const char *sort)
{
    bool desc = sort && sort[0] == '-';
    const char *key = sort ? sort + (desc ? 1 : 0) : "";
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
        if (strcmp(sorts[i].key, key) == 0)
            return xasprintf("ORDER BY %s, CASE WHEN %s THEN NULL ELSE %s END %s, id",
                             sorts[i].missing, sorts[i].missing, sorts[i].value,
                             desc ? "DESC" : "ASC");
    return xstrdup("ORDER BY id");
}

static int64_t page_arg(const struct req *r)
{
    const char *p = req_arg(r, "page");
    if (!p)
        return 1;
    char *end;
    errno = 0;
    long long n = strtoll(p, &end, 10);
    if (end == p || *end)
        return 1;
    if (errno == ERANGE || n > SEARCH_PAGE_MAX)
        return n < 0 ? 1 : SEARCH_PAGE_MAX;
    return n < 1 ? 1 : n;
}

/* q without surrounding whitespace (owned), or NULL if blank. */
static char *query_arg(const struct req *r)
{
    const char *q = req_arg(r, "q");
    if (!q)
        return NULL;
    while (isspace((unsigned char)*q))
        q++;
    size_t n = strlen(q);
    while (n && isspace((unsigned char)q[n - 1]))
        n--;
    return n ? xstrndup(q, n) : NULL;
}

/* ?1 the account, ?2 q: as a phrase of the trigram index when it is long
 * enough (the index finds the rows: "+" keeps the account's index out of
 * it), else read from the rows. */
#define SEARCH_INDEXED                                                                             \
    "WHERE +account_id = ?1 AND id IN (SELECT rowid FROM contacts_text WHERE contacts_text "       \
    "MATCH ?2) "
#define SEARCH_SCAN                                                                                \
    "WHERE account_id = ?1 AND (instr(lower(name), lower(?2)) > 0 "                                \
    "OR instr(lower(COALESCE(email, '')), lower(?2)) > 0 "                                         \
    "OR instr(lower(COALESCE(phone_number, '')), lower(?2)) > 0 "                                  \
    "OR instr(lower(COALESCE(identifier, '')), lower(?2)) > 0) "

void api_contacts_search(struct req *r)
{
    struct db *db = r->db;
    char *q = query_arg(r);
    if (!q) {
        req_reply_error(r, 422, "Specify search string with parameter q");
        return;
    }
    int64_t page = page_arg(r);
    bool indexed = ops_text_indexable(q);
    if (indexed) {
        char *phrase = ops_text_phrase(q);
        free(q);
        q = phrase;
    }
    const char *where = indexed ? SEARCH_INDEXED : SEARCH_SCAN;
    char *sql = xasprintf("SELECT COUNT(*) FROM contacts %s", where);
    int64_t count = db_int(db, 0, sql, "it", r->agent.account_id, q);
    free(sql);
    char *order = order_by(req_arg(r, "sort"));
    sql = xasprintf("SELECT id FROM contacts %s%s LIMIT ?3 OFFSET ?4", where, order);
    sqlite3_stmt *st = db_prepare(db, sql);
    db_bindv(st, "itii", r->agent.account_id, q, (int64_t)SEARCH_PER_PAGE,
             (page - 1) * SEARCH_PER_PAGE);
    json_object *arr = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *c = render_contact(db, sqlite3_column_int64(st, 0));
        if (c)
            json_object_array_add(arr, c);
    }
    db_done(db, st);
    free(sql);
    free(order);
    free(q);

    json_object *meta = json_object_new_object();
    json_object_object_add(meta, "count", json_object_new_int64(count));
    json_object_object_add(meta, "current_page", json_object_new_int64(page));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "meta", meta);
    json_object_object_add(o, "payload", arr);
    req_reply_json(r, 200, o);
}

void api_contacts_conversations(struct req *r)
{
    struct db *db = r->db;
    int64_t contact = r->params[0];
    if (!contact_in_account(r, contact)) {
        req_not_found(r);
        return;
    }
    char *sql = xasprintf("SELECT c.id FROM conversations c WHERE c.contact_id = ? "
                          "AND c.account_id = ? AND %s "
                          "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT %d",
                          ops_visible_sql(&r->agent), CONTACT_CONVERSATIONS_MAX);
    sqlite3_stmt *st = db_prepare(db, sql);
    free(sql);
    db_bindv(st, "iii", contact, r->agent.account_id, r->agent.id);
    json_object *arr = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *c = render_conversation(db, sqlite3_column_int64(st, 0), r->agent.id);
        if (c)
            json_object_array_add(arr, c);
    }
    db_done(db, st);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "payload", arr);
    req_reply_json(r, 200, o);
}
