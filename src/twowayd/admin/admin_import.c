/* admin_import — `twowayd admin import`: conversations with their contacts
 * and messages from JSON lines, the fast way to bring history in (from
 * another system, or a benchmark's generated inbox).
 *
 * One line is one conversation:
 *   {"contact": {"phone": "+15551230001", "name": "Ann Lee", "email": "…"},
 *    "inbox": "+15550100100", "status": "open", "priority": "high",
 *    "assignee": "ben@acme.example", "team": "Billing", "labels": ["vip"],
 *    "seen_at": 1700000300,
 *    "messages": [{"type": "incoming", "content": "Hi", "created_at": 1700000000},
 *                 {"type": "outgoing", "content": "Hello!", "created_at": 1700000060,
 *                  "agent": "ben@acme.example", "status": "delivered"},
 *                 {"type": "note", "content": "VIP", "agent": "ben@acme.example"}]}
 * Only contact.phone is required. Imported messages are history: nothing is
 * sent. The whole file is one transaction (admin.c): a bad line names its
 * number and nothing is kept. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_priv.h"
#include "store/db.h"
#include "store/ops.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* A line longer than this is refused (a conversation of ~100 long texts). */
#define LINE_MAX_BYTES (16 * 1024 * 1024)
#define MAX_IMPORT_LABELS 100

struct import {
    struct admin *ad;
    int64_t account;
    int64_t default_inbox; /* the account's first inbox, when a line names none */
    long line;
    int64_t conversations, messages, contacts;
};

static int line_error(const struct import *im, char **err, const char *what)
{
    *err = xasprintf("line %ld: %s", im->line, what);
    return -1;
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* Present but not a string: a mistake worth naming. */
static bool wrong_type(json_object *o, const char *key, json_type want)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v && !json_object_is_type(v, want);
}

/* A short printable text field (names, emails): NULL is absent. */
static int check_short(const struct import *im, const char *what, const char *s, char **err)
{
    char *e = NULL;
    if (s && admin_check_text(what, s, ADMIN_TEXT_MAX, true, &e) < 0) {
        int rc = line_error(im, err, e + 2); /* without the "--" */
        free(e);
        return rc;
    }
    return 0;
}

static int64_t agent_of(struct import *im, const char *email, char **err)
{
    int64_t id = db_int(im->ad->db, 0,
                        "SELECT id FROM agents WHERE account_id = ? AND lower(email) = lower(?)",
                        "it", im->account, email);
    if (!id) {
        char *m = xasprintf("no agent of the account has the email %s", email);
        line_error(im, err, m);
        free(m);
    }
    return id;
}

static int64_t contact_of(struct import *im, json_object *conv, char **err)
{
    json_object *c = NULL;
    if (!json_object_object_get_ex(conv, "contact", &c) ||
        !json_object_is_type(c, json_type_object))
        return line_error(im, err, "contact must be an object with a phone"), 0;
    const char *phone = str_of(c, "phone"), *name = str_of(c, "name"), *email = str_of(c, "email");
    char *e = NULL;
    if (!phone || admin_check_phone("phone", phone, &e) < 0) {
        line_error(im, err, e ? e + 2 : "contact.phone is required");
        free(e);
        return 0;
    }
    if (wrong_type(c, "name", json_type_string) || wrong_type(c, "email", json_type_string))
        return line_error(im, err, "contact.name and contact.email must be strings"), 0;
    if (check_short(im, "contact.name", name, err) < 0 ||
        check_short(im, "contact.email", email, err) < 0)
        return 0;
    struct db *db = im->ad->db;
    bool known = db_int(db, 0, "SELECT 1 FROM contacts WHERE account_id = ? AND phone_number = ?",
                        "it", im->account, phone) == 1;
    int64_t id = ops_contact_for_phone(db, im->account, phone);
    if (!known)
        im->contacts++;
    if (name && *name)
        db_exec(db, "UPDATE contacts SET name = ? WHERE id = ?", "ti", name, id);
    if (email && *email)
        db_exec(db, "UPDATE contacts SET email = ? WHERE id = ?", "ti", email, id);
    return id;
}

static int64_t inbox_of(struct import *im, json_object *conv, char **err)
{
    if (wrong_type(conv, "inbox", json_type_string))
        return line_error(im, err, "inbox must be the inbox's phone number"), 0;
    const char *phone = str_of(conv, "inbox");
    if (!phone) {
        if (!im->default_inbox)
            line_error(im, err, "the account has no inbox");
        return im->default_inbox;
    }
    int64_t id =
        db_int(im->ad->db, 0, "SELECT id FROM inboxes WHERE account_id = ? AND phone_number = ?",
               "it", im->account, phone);
    if (!id) {
        char *m = xasprintf("the account has no inbox with the number %s", phone);
        line_error(im, err, m);
        free(m);
    }
    return id;
}

static const char *const msg_types[] = {"incoming", "outgoing", "activity", "note", NULL};
static const char *const msg_statuses[] = {"sent", "delivered", "read", "failed", NULL};
static const char *const conv_statuses[] = {"open", "pending", "snoozed", "resolved", NULL};
static const char *const priorities[] = {"low", "medium", "high", "urgent", NULL};

static int index_in(const char *const *set, const char *s)
{
    for (int i = 0; s && set[i]; i++)
        if (strcmp(set[i], s) == 0)
            return i;
    return -1;
}

static double number_of(json_object *o, const char *key, double dflt)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) ||
        !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
        return dflt;
    return json_object_get_double(v);
}

/* What the messages leave on the conversation, as live traffic would. */
struct history {
    double first, last_activity, last_incoming, waiting_since, first_reply;
};

static int import_message(struct import *im, int64_t conv, int64_t inbox, int64_t contact,
                          json_object *m, double now, struct history *h, char **err)
{
    if (!json_object_is_type(m, json_type_object))
        return line_error(im, err, "each message must be an object");
    int type = index_in(msg_types, str_of(m, "type"));
    if (type < 0)
        return line_error(im, err, "message type must be incoming, outgoing, note or activity");
    const char *content = str_of(m, "content");
    if (!content || !*content)
        return line_error(im, err, "message content must be a non-empty string");
    json_object *cv = NULL;
    json_object_object_get_ex(m, "content", &cv);
    const char *why = ops_content_problem(content, (size_t)json_object_get_string_len(cv));
    if (why)
        return line_error(im, err, why);
    const char *status = str_of(m, "status");
    if (wrong_type(m, "status", json_type_string) || (status && index_in(msg_statuses, status) < 0))
        return line_error(im, err, "message status must be sent, delivered, read or failed");
    double at = number_of(m, "created_at", now);
    if (at <= 0 || at > 253402300799.0)
        return line_error(im, err, "message created_at must be epoch seconds");
    bool note = type == 3;
    int64_t agent = 0;
    const char *email = str_of(m, "agent");
    if (email && (type == 0 || type == 2))
        return line_error(im, err, "only outgoing messages and notes have an agent");
    if (email && !(agent = agent_of(im, email, err)))
        return -1;
    const char *sender_type = type == 0 ? "Contact" : agent ? "User" : NULL;
    int64_t sender = type == 0 ? contact : agent;
    struct db *db = im->ad->db;
    sqlite3_stmt *st = db_prepare(db, "INSERT INTO messages(account_id, conversation_id, "
                                      "inbox_id, content, message_type, private, status, "
                                      "sender_type, sender_id, created_at, updated_at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    db_bindv(st, "iiitiittidd", im->account, conv, inbox, content, (int64_t)(note ? 1 : type),
             (int64_t)note, status ? status : "sent", sender_type, sender, at, at);
    if (!sender_type)
        sqlite3_bind_null(st, 9);
    int rc = sqlite3_step(st);
    db_done(db, st);
    if (rc != SQLITE_DONE)
        return line_error(im, err, sqlite3_errmsg(db_handle(db)));
    im->messages++;
    if (h->first == 0 || at < h->first)
        h->first = at;
    if (type == 0 || (type == 1 && !note)) {
        if (at > h->last_activity)
            h->last_activity = at;
    }
    if (type == 0) {
        h->last_incoming = at > h->last_incoming ? at : h->last_incoming;
        if (h->waiting_since == 0)
            h->waiting_since = at;
    } else if (type == 1 && !note && agent) {
        h->waiting_since = 0;
        if (h->first_reply == 0)
            h->first_reply = at;
    }
    return 0;
}

static int import_labels(struct import *im, int64_t conv, json_object *labels, char **err)
{
    if (!labels)
        return 0;
    if (!json_object_is_type(labels, json_type_array) ||
        json_object_array_length(labels) > MAX_IMPORT_LABELS)
        return line_error(im, err, "labels must be an array of at most 100 titles");
    for (size_t i = 0; i < json_object_array_length(labels); i++) {
        json_object *v = json_object_array_get_idx(labels, i);
        char *title =
            json_object_is_type(v, json_type_string)
                ? ops_label_title(json_object_get_string(v), (size_t)json_object_get_string_len(v))
                : NULL;
        if (!title)
            return line_error(im, err,
                              "a label title is empty, too long or has control "
                              "characters");
        db_exec(im->ad->db,
                "INSERT OR IGNORE INTO conversation_labels(conversation_id, title) VALUES (?, ?)",
                "it", conv, title);
        free(title);
    }
    return 0;
}

/* Status, priority, assignee and team of the conversation. */
static int import_state(struct import *im, int64_t conv, json_object *o, char **err)
{
    struct db *db = im->ad->db;
    const char *status = str_of(o, "status"), *priority = str_of(o, "priority");
    if (wrong_type(o, "status", json_type_string) ||
        (status && index_in(conv_statuses, status) < 0))
        return line_error(im, err, "status must be open, pending, snoozed or resolved");
    if (wrong_type(o, "priority", json_type_string) ||
        (priority && index_in(priorities, priority) < 0))
        return line_error(im, err, "priority must be low, medium, high or urgent");
    const char *assignee = str_of(o, "assignee"), *team = str_of(o, "team");
    int64_t agent = 0, team_id = 0;
    if (assignee && !(agent = agent_of(im, assignee, err)))
        return -1;
    if (team && !(team_id = db_int(
                      db, 0, "SELECT id FROM teams WHERE account_id = ? AND lower(name) = lower(?)",
                      "it", im->account, team)))
        return line_error(im, err, "the account has no such team");
    double snoozed = number_of(o, "snoozed_until", 0);
    db_exec(db,
            "UPDATE conversations SET status = COALESCE(?, status), priority = ?, "
            "assignee_id = NULLIF(?, 0), team_id = NULLIF(?, 0), "
            "snoozed_until = CASE WHEN ? > 0 THEN ? END WHERE id = ?",
            "ttiiddi", status, priority, agent, team_id, snoozed, snoozed, conv);
    return 0;
}

static int import_conversation(struct import *im, json_object *o, char **err)
{
    if (!json_object_is_type(o, json_type_object))
        return line_error(im, err, "a line must be a JSON object (one conversation)");
    int64_t contact = contact_of(im, o, err);
    int64_t inbox = contact ? inbox_of(im, o, err) : 0;
    if (!inbox)
        return -1;
    struct db *db = im->ad->db;
    int64_t conv = ops_conv_create(db, inbox, contact, "open");
    im->conversations++;
    json_object *labels = NULL, *msgs = NULL;
    json_object_object_get_ex(o, "labels", &labels);
    json_object_object_get_ex(o, "messages", &msgs);
    if (import_state(im, conv, o, err) < 0 || import_labels(im, conv, labels, err) < 0)
        return -1;
    if (msgs && !json_object_is_type(msgs, json_type_array))
        return line_error(im, err, "messages must be an array");
    double now = db_now();
    struct history h = {0};
    for (size_t i = 0; msgs && i < json_object_array_length(msgs); i++)
        if (import_message(im, conv, inbox, contact, json_object_array_get_idx(msgs, i), now, &h,
                           err) < 0)
            return -1;
    double first = h.first > 0 ? h.first : now;
    double last = h.last_activity > 0 ? h.last_activity : first;
    double seen = number_of(o, "seen_at", 0);
    db_exec(db,
            "UPDATE conversations SET created_at = ?, updated_at = ?, last_activity_at = ?, "
            "waiting_since = NULLIF(?, 0), first_reply_created_at = NULLIF(?, 0), "
            "contact_last_seen_at = NULLIF(?, 0), agent_last_seen_at = NULLIF(?, 0) "
            "WHERE id = ?",
            "dddddddi", first, last, last, h.waiting_since, h.first_reply, h.last_incoming, seen,
            conv);
    if (h.last_incoming > 0)
        db_exec(db,
                "UPDATE contacts SET last_activity_at = MAX(COALESCE(last_activity_at, 0), ?) "
                "WHERE id = ?",
                "di", h.last_incoming, contact);
    return 0;
}

int admin_cmd_import(struct admin *ad, char **err)
{
    struct import im = {.ad = ad};
    if (admin_pick_account(ad, &im.account, err) < 0)
        return -1;
    im.default_inbox =
        db_int(ad->db, 0, "SELECT MIN(id) FROM inboxes WHERE account_id = ?", "i", im.account);
    const char *path = ad->opt[OPT_FILE];
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        *err = xasprintf("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        im.line++;
        if (n > LINE_MAX_BYTES) {
            rc = line_error(&im, err, "longer than 16 MiB");
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (strlen(line) != (size_t)n || !text_valid_utf8(line, (size_t)n)) {
            rc = line_error(&im, err, "not valid UTF-8 text");
            break;
        }
        json_object *o = json_tokener_parse(line);
        if (!o) {
            rc = line_error(&im, err, "not valid JSON");
            break;
        }
        rc = import_conversation(&im, o, err);
        json_object_put(o);
    }
    if (rc == 0 && ferror(f)) {
        *err = xasprintf("cannot read %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (rc == 0)
        admin_out_import(ad, im.account, im.conversations, im.messages, im.contacts);
    return rc;
}
