/* api_canned — the account's canned responses (doc/api.md §5).
 *
 * Every agent of the account may list, create, change and delete them, as
 * in Chatwoot. Invalid fields answer 422 in Rails' validation shape,
 * {"message": "A, B", "attributes": [...]}, content's errors before
 * short_code's as Chatwoot's model declares them. */
#include <ctype.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "http/api.h"
#include "store/db.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/text.h"

#define SHORT_CODE_MAX 255
#define CONTENT_MAX 10000

void api_canned_list(struct req *r)
{
    struct db *db = r->db;
    const char *search = req_arg(r, "search");
    if (search && !*search)
        search = NULL;
    /* Hits rank as Chatwoot's order_by_search: short_code prefix, then
     * short_code substring, then content; id breaks ties. instr() rather
     * than LIKE so that % and _ in the search are plain characters. */
    sqlite3_stmt *st = db_prepare(
        db, "SELECT id FROM canned_responses WHERE account_id = ?1 AND (?2 IS NULL "
            "  OR instr(lower(short_code), lower(?2)) > 0 OR instr(lower(content), lower(?2)) > 0) "
            "ORDER BY CASE WHEN ?2 IS NULL THEN 0 "
            "  WHEN substr(lower(short_code), 1, length(?2)) = lower(?2) THEN 0 "
            "  WHEN instr(lower(short_code), lower(?2)) > 0 THEN 1 ELSE 2 END, id");
    db_bindv(st, "it", r->agent.account_id, search);
    json_object *arr = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *o = render_canned(db, sqlite3_column_int64(st, 0));
        if (o)
            json_object_array_add(arr, o);
    }
    db_done(db, st);
    req_reply_json(r, 200, arr);
}

/* Validation errors collected in Rails' full_messages order. */
struct verrs {
    struct buf msg;
    json_object *attrs;
};

static void verr(struct verrs *v, const char *attr, const char *label, const char *what)
{
    buf_addf(&v->msg, "%s%s %s", v->msg.len ? ", " : "", label, what);
    size_t n = json_object_array_length(v->attrs);
    for (size_t i = 0; i < n; i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(v->attrs, i)), attr) == 0)
            return;
    json_object_array_add(v->attrs, json_object_new_string(attr));
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* Check one string field of the request. Absent (present=false) is fine
 * when updating; *out is the accepted value or NULL. With `lines`, control
 * characters other than those are refused, as in label titles: text that
 * an agent's terminal shows must not be able to drive it. */
static void check_field(struct verrs *v, json_object *params, const char *attr, const char *label,
                        size_t max, bool required, const char *lines, const char **out)
{
    json_object *val = NULL;
    bool present = json_object_object_get_ex(params, attr, &val);
    *out = NULL;
    if (!present) {
        if (required)
            verr(v, attr, label, "can't be blank");
        return;
    }
    if (!val) {
        verr(v, attr, label, "can't be blank");
        return;
    }
    if (!json_object_is_type(val, json_type_string)) {
        verr(v, attr, label, "must be a string");
        return;
    }
    const char *s = json_object_get_string(val);
    size_t len = (size_t)json_object_get_string_len(val);
    if (strlen(s) != len) {
        verr(v, attr, label, "can't contain NUL characters");
        return;
    }
    if (!text_valid_utf8(s, len)) {
        verr(v, attr, label, "is not valid UTF-8");
        return;
    }
    if (blank(s)) {
        verr(v, attr, label, "can't be blank");
        return;
    }
    if (lines && text_has_control(s, len, lines)) {
        verr(v, attr, label, "can't contain control characters other than line breaks and tabs");
        return;
    }
    if (utf8_chars(s, len) > max) {
        char what[64];
        snprintf(what, sizeof what, "is too long (maximum is %zu characters)", max);
        verr(v, attr, label, what);
        return;
    }
    *out = s;
}

/* The fields, from {"canned_response": {...}} or, as Rails' wrap_parameters
 * allows, from the top level. NULL after replying 4xx. */
static json_object *canned_params(struct req *r)
{
    json_object *body = req_json(r);
    if (!body)
        return NULL;
    json_object *wrapped;
    if (json_object_object_get_ex(body, "canned_response", &wrapped)) {
        if (!json_object_is_type(wrapped, json_type_object)) {
            req_reply_error(r, 422, "canned_response must be an object");
            return NULL;
        }
        body = wrapped;
    }
    if (!req_json_has(body, "short_code") && !req_json_has(body, "content")) {
        req_reply_error(r, 422, "param is missing or the value is empty: canned_response");
        return NULL;
    }
    return body;
}

/* Validate; on success fill short_code/content (NULL = unchanged) and return
 * true, else reply 422. self is the row being updated (0 when creating). */
static bool canned_validate(struct req *r, json_object *params, int64_t self,
                            const char **short_code, const char **content)
{
    struct verrs v;
    buf_init(&v.msg);
    v.attrs = json_object_new_array();
    bool creating = self == 0;
    check_field(&v, params, "content", "Content", CONTENT_MAX, creating, "\r\n\t", content);
    check_field(&v, params, "short_code", "Short code", SHORT_CODE_MAX, creating, NULL, short_code);
    if (*short_code) {
        const char *s = *short_code;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s) {
            verr(&v, "short_code", "Short code", "can't contain spaces");
        } else if (text_has_control(*short_code, strlen(*short_code), NULL)) {
            verr(&v, "short_code", "Short code", "can't contain control characters");
        } else if (db_int(r->db, 0,
                          "SELECT 1 FROM canned_responses WHERE account_id = ? "
                          "AND short_code = ? AND id != ?",
                          "iti", r->agent.account_id, *short_code, self) == 1) {
            verr(&v, "short_code", "Short code", "has already been taken");
        }
    }
    bool ok = v.msg.len == 0;
    if (!ok) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "message", json_object_new_string(v.msg.data));
        json_object_object_add(o, "attributes", v.attrs);
        v.attrs = NULL;
        req_reply_json(r, 422, o);
    }
    json_object_put(v.attrs);
    buf_free(&v.msg);
    return ok;
}

void api_canned_create(struct req *r)
{
    struct db *db = r->db;
    json_object *params = canned_params(r);
    const char *short_code, *content;
    if (!params || !canned_validate(r, params, 0, &short_code, &content))
        return;
    double now = db_now();
    db_exec(db,
            "INSERT INTO canned_responses(account_id, short_code, content, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?)",
            "ittdd", r->agent.account_id, short_code, content, now, now);
    req_reply_json(r, 200, render_canned(db, db_last_id(db)));
}

static bool canned_exists(struct req *r)
{
    return db_int(r->db, 0, "SELECT 1 FROM canned_responses WHERE id = ? AND account_id = ?", "ii",
                  r->params[0], r->agent.account_id) == 1;
}

void api_canned_update(struct req *r)
{
    struct db *db = r->db;
    int64_t id = r->params[0];
    /* As Chatwoot's before_action: an unknown id is 404 whatever the body. */
    if (!canned_exists(r)) {
        req_not_found(r);
        return;
    }
    json_object *params = canned_params(r);
    const char *short_code, *content;
    if (!params || !canned_validate(r, params, id, &short_code, &content))
        return;
    db_exec(db,
            "UPDATE canned_responses SET short_code = COALESCE(?, short_code), "
            "content = COALESCE(?, content), updated_at = ? WHERE id = ?",
            "ttdi", short_code, content, db_now(), id);
    req_reply_json(r, 200, render_canned(db, id));
}

void api_canned_delete(struct req *r)
{
    if (!canned_exists(r)) {
        req_not_found(r);
        return;
    }
    db_exec(r->db, "DELETE FROM canned_responses WHERE id = ?", "i", r->params[0]);
    req_reply_empty(r, 200);
}
