/* req — one HTTP request as handlers see it, and its answer.
 *
 * The server (MHD) fills a req, the router matches it, a handler reads it
 * and sets the reply with req_reply_*(). Handlers never touch MHD, so they
 * can be tested and reasoned about as plain functions. */
#ifndef TWOWAYD_REQ_H
#define TWOWAYD_REQ_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/buf.h"

struct db;
struct twd;

/* The authenticated agent (filled by the router for /api routes). */
struct req_agent {
    int64_t id;
    int64_t account_id;
    bool admin;
    const char *token; /* as presented (borrowed from the request) */
};

#define REQ_MAX_PARAMS 4
#define REQ_MAX_ARGS 64

struct req_kv {
    char *key;
    char *value;
};

/* One part of a multipart/form-data body. */
struct req_part {
    char *name;
    char *filename;     /* NULL for a plain field */
    char *content_type; /* NULL when the part gave none */
    struct buf data;    /* its bytes (data.data may be NULL when empty) */
};
#define REQ_MAX_PARTS 32

struct req {
    struct twd *twd; /* daemon context (config, sender) */
    struct db *db;   /* this request's connection, inside its transaction */
    const char *method;
    const char *path; /* without query string */
    const char *url;  /* path + "?" + raw query, as received */
    const char *body; /* NUL-terminated; may contain NULs before body_len */
    size_t body_len;
    const char *content_type; /* may be NULL */

    /* Path captures, in pattern order (":name" segments parsed as ints). */
    int64_t params[REQ_MAX_PARAMS];
    int nparams;

    /* Query arguments (and form fields for urlencoded POSTs), decoded, in
     * arrival order; repeated keys (labels[]) appear repeatedly. */
    struct req_kv args[REQ_MAX_ARGS];
    int nargs;
    bool args_truncated;

    /* Form fields of an application/x-www-form-urlencoded body, decoded, in
     * arrival order (kept apart from the query: Twilio signs them apart). */
    struct req_kv form[REQ_MAX_ARGS];
    int nform;
    bool form_truncated;

    /* The parts of a multipart/form-data body, in arrival order. */
    struct req_part *parts;
    size_t nparts;

    /* Request headers lookup (case-insensitive), provided by the server. */
    const char *(*header)(void *cls, const char *name);
    void *header_cls;

    struct req_agent agent;

    /* Parsed JSON body (lazily, by req_json). */
    json_object *json;
    bool json_parsed;

    /* The reply. */
    int status;
    char *reply; /* owned */
    const char *reply_type;
    size_t reply_len;        /* bytes of reply; 0: up to its NUL */
    bool reply_binary;       /* sent as it is (no compression) */
    char *reply_disposition; /* Content-Disposition (owned), or NULL */
    char *reply_type_owned;  /* a reply_type made for this answer */
};

/* First value of a query/form argument, or NULL. Borrowed. */
const char *req_arg(const struct req *r, const char *key);
const char *req_header(const struct req *r, const char *name);
/* First value of a form field, or NULL. Borrowed. */
const char *req_form(const struct req *r, const char *key);
/* The first multipart part named name, or NULL. Borrowed. */
const struct req_part *req_part(const struct req *r, const char *name);

/* The body as a JSON object. On bad JSON or a non-object, replies 400 with
 * a JSON error and returns NULL. An empty body is {}. Borrowed. */
json_object *req_json(struct req *r);

/* Typed reads from a JSON object with Chatwoot-like tolerance:
 * req_json_int accepts integers and integer strings ("12"); returns false
 * if the key is absent. *is_null is set when the value is JSON null. */
bool req_json_int(json_object *o, const char *key, int64_t *out, bool *is_null);
/* A string value (borrowed), or NULL if absent, null or not a string. */
const char *req_json_str(json_object *o, const char *key);
bool req_json_has(json_object *o, const char *key);
/* The object under key as JSON text (owned; absent → "{}"), or NULL after
 * a 422 (not an object, not valid UTF-8). For custom_attributes and the
 * like. */
char *req_json_object_text(struct req *r, json_object *body, const char *key);

/* Replies. req_reply_json takes ownership of obj (may be NULL → "null"). */
void req_reply_json(struct req *r, int status, json_object *obj);
/* {"error": msg} */
void req_reply_error(struct req *r, int status, const char *msg);
void req_reply_errorf(struct req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Empty body (Chatwoot answers some actions with 200 and no JSON). */
void req_reply_empty(struct req *r, int status);
void req_reply_text(struct req *r, int status, const char *type, const char *text);
/* Bytes as they are (a file): copied, and so are type and disposition
 * (NULL: no Content-Disposition). */
void req_reply_bytes(struct req *r, int status, const char *type, const void *data, size_t len,
                     const char *disposition);

/* Chatwoot's standard errors. */
void req_not_found(struct req *r);    /* 404 Resource could not be found */
void req_unauthorized(struct req *r); /* 401 You are not authorized to do this action */

void req_clear(struct req *r);

#endif
