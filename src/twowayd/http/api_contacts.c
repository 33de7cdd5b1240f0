/* api_contacts — show, search and a contact's conversations (doc/api.md
 * §9).
 *
 * Contacts belong to the account, so every agent of the account sees every
 * contact; their conversations are limited to the inboxes the agent sees.
 * Search matches a substring of name, email, phone number or identifier,
 * ignoring case, 15 per page (through a trigram index from three
 * characters on); `sort` picks from a fixed table (a
 * leading '-' for descending) and an unknown key is ignored, as Chatwoot's
 * Sift does, leaving the default order by id. Create makes a contact and its
 * contact inbox, refusing what Chatwoot's validations refuse, in its words. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/auth.h"
#include "store/changes.h"
#include "store/db.h"
#include "store/ops.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/text.h"
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

/* ---- create --------------------------------------------------------------- */

/* Longest name, email and identifier, in characters. */
#define FIELD_MAX 255

/* A contact to create, checked before anything is written. Strings are
 * borrowed from the body; NULL for absent or blank. */
struct new_contact {
    int64_t inbox; /* 0: none */
    const char *name, *phone, *identifier;
    char *email;      /* owned, lower case */
    char *attributes; /* owned JSON text */
    char *additional; /* owned JSON text */
};

/* Rails' validation errors, gathered: "Phone number has already been
 * taken, Email Invalid email", and the attributes they name. */
struct invalid {
    struct buf message;
    json_object *attributes;
};

static void invalid_add(struct invalid *v, const char *attribute, const char *message)
{
    if (v->message.len)
        buf_adds(&v->message, ", ");
    buf_adds(&v->message, message);
    if (!v->attributes)
        v->attributes = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(v->attributes); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(v->attributes, i)),
                   attribute) == 0)
            return;
    json_object_array_add(v->attributes, json_object_new_string(attribute));
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* A string field: NULL when absent, null or blank (as allow_blank), false
 * after a 422 when it is not a string or not text. */
static bool text_field(struct req *r, json_object *body, const char *key, const char **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(body, key, &v) || !v)
        return true;
    if (!json_object_is_type(v, json_type_string)) {
        req_reply_errorf(r, 422, "%s must be a string", key);
        return false;
    }
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (strlen(s) != len || !text_valid_utf8(s, len) || text_has_control(s, len, NULL)) {
        req_reply_errorf(r, 422, "%s must be text without control characters", key);
        return false;
    }
    while (*s == ' ')
        s++;
    if (*s)
        *out = s;
    return true;
}

/* Chatwoot's contact validations, in its words and in its order. */
static void validate(struct req *r, struct new_contact *nc, struct invalid *v)
{
    struct db *db = r->db;
    int64_t account = r->agent.account_id;
    if (nc->name && utf8_chars(nc->name) > FIELD_MAX)
        invalid_add(v, "name", "Name is too long (maximum is 255 characters)");
    if (nc->email) {
        /* Devise's email_regexp: something, one "@", something; no spaces. */
        const char *at = strchr(nc->email, '@');
        if (!at || at == nc->email || !at[1] || strchr(at + 1, '@') || strpbrk(nc->email, " \t") ||
            utf8_chars(nc->email) > FIELD_MAX)
            invalid_add(v, "email", "Email Invalid email");
        else if (db_int(db, 0, "SELECT 1 FROM contacts WHERE account_id = ? AND lower(email) = ?",
                        "it", account, nc->email))
            invalid_add(v, "email", "Email has already been taken");
    }
    if (nc->identifier) {
        if (utf8_chars(nc->identifier) > FIELD_MAX)
            invalid_add(v, "identifier", "Identifier is too long (maximum is 255 characters)");
        else if (db_int(db, 0, "SELECT 1 FROM contacts WHERE account_id = ? AND identifier = ?",
                        "it", account, nc->identifier))
            invalid_add(v, "identifier", "Identifier has already been taken");
    }
    if (nc->phone) {
        /* E.164: "+", a first digit that is not 0, at most 15 digits. */
        const char *d = nc->phone + 1;
        size_t n = strspn(d, "0123456789");
        if (nc->phone[0] != '+' || d[0] < '1' || d[0] > '9' || n < 2 || n > 15 || d[n])
            invalid_add(v, "phone_number", "Phone number should be in e164 format");
        else if (db_int(db, 0, "SELECT 1 FROM contacts WHERE account_id = ? AND phone_number = ?",
                        "it", account, nc->phone))
            invalid_add(v, "phone_number", "Phone number has already been taken");
    }
}

static bool create_parse(struct req *r, json_object *body, struct new_contact *nc)
{
    const char *email = NULL;
    if (!text_field(r, body, "name", &nc->name) ||
        !text_field(r, body, "phone_number", &nc->phone) || !text_field(r, body, "email", &email) ||
        !text_field(r, body, "identifier", &nc->identifier))
        return false;
    if (email)
        nc->email = text_casefold(email); /* valid UTF-8: never NULL */
    if (!(nc->attributes = req_json_object_text(r, body, "custom_attributes")) ||
        !(nc->additional = req_json_object_text(r, body, "additional_attributes")))
        return false;
    json_object *v = NULL;
    if (json_object_object_get_ex(body, "inbox_id", &v) && v) {
        bool is_null = false;
        if (!req_json_int(body, "inbox_id", &nc->inbox, &is_null)) {
            req_reply_error(r, 422, "inbox_id must be an integer");
            return false;
        }
        /* Current.account.inboxes.find: any inbox of the account. */
        if (!is_null && !db_int(r->db, 0, "SELECT 1 FROM inboxes WHERE id = ? AND account_id = ?",
                                "ii", nc->inbox, r->agent.account_id)) {
            req_not_found(r);
            return false;
        }
    }
    return true;
}

/* The contact inbox's source_id: the phone number on an SMS inbox (NULL
 * after the 422 Chatwoot gives without one), a fresh uuid elsewhere.
 * Owned. */
static char *source_id_for(struct req *r, const struct new_contact *nc)
{
    if (!db_int(r->db, 0,
                "SELECT 1 FROM inboxes WHERE id = ? AND channel_type IN "
                "('Channel::Sms', 'Channel::TwilioSms', 'Channel::Whatsapp')",
                "i", nc->inbox))
        return auth_uuid();
    if (!nc->phone) {
        req_reply_error(r, 422, "param is missing or the value is empty: contact phone number");
        return NULL;
    }
    return xstrdup(nc->phone);
}

/* POST …/contacts: a contact and, with inbox_id, its contact inbox (the
 * address conversations in that inbox use), in one transaction, as
 * Chatwoot's ContactsController#create and ContactInboxBuilder do. */
void api_contacts_create(struct req *r)
{
    json_object *body = req_json(r);
    if (!body)
        return;
    struct db *db = r->db;
    struct new_contact nc = {0};
    struct invalid v = {.attributes = NULL};
    buf_init(&v.message);
    char *source = NULL;
    if (!create_parse(r, body, &nc))
        goto out;
    validate(r, &nc, &v);
    if (v.message.len) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "message", json_object_new_string(v.message.data));
        json_object_object_add(o, "attributes", json_object_get(v.attributes));
        req_reply_json(r, 422, o);
        goto out;
    }
    if (nc.inbox && !(source = source_id_for(r, &nc)))
        goto out;
    double now = db_now();
    db_exec(db,
            "INSERT INTO contacts(account_id, name, email, phone_number, identifier, "
            "custom_attributes, additional_attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            "ittttttd", r->agent.account_id, nc.name ? nc.name : "", nc.email, nc.phone,
            nc.identifier, nc.attributes, nc.additional, now);
    int64_t contact = db_last_id(db);
    changes_note(db, CHANGE_CONTACT_CREATED, contact, 0, false);
    json_object *ci = json_object_new_object();
    if (nc.inbox) {
        ops_contact_inbox(db, contact, nc.inbox, source);
        json_object_object_add(ci, "inbox", render_inbox(db, nc.inbox));
        json_object_object_add(ci, "source_id", json_object_new_string(source));
    } else {
        json_object_object_add(ci, "inbox", NULL);
        json_object_object_add(ci, "source_id", NULL);
    }
    json_object *payload = json_object_new_object();
    json_object_object_add(payload, "contact", render_contact(db, contact));
    json_object_object_add(payload, "contact_inbox", ci);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "payload", payload);
    req_reply_json(r, 200, o);
out:
    free(source);
    free(nc.email);
    free(nc.attributes);
    free(nc.additional);
    json_object_put(v.attributes);
    buf_free(&v.message);
}
