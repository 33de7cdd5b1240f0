/* admin_out — the results of `twowayd admin` commands: JSON objects built
 * from the render module's Chatwoot shapes, printed once the command's
 * transaction has committed, as JSON lines or as text. */
#include <stdio.h>
#include <string.h>

#include "admin/admin_priv.h"
#include "store/db.h"
#include "http/render.h"

/* {"type": type, ...o}: every result line says what it is, first. */
static json_object *typed(const char *type, json_object *o)
{
    json_object *t = json_object_new_object();
    json_object_object_add(t, "type", json_object_new_string(type));
    json_object_object_foreach(o, key, val)
    {
        json_object_object_add(t, key, json_object_get(val));
    }
    json_object_put(o);
    return t;
}

/* The first column of each row of sql (bound to id) as an array. */
static json_object *id_list(struct db *db, const char *sql, int64_t id)
{
    json_object *arr = json_object_new_array();
    sqlite3_stmt *st = db_prepare(db, sql);
    db_bindv(st, "i", id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_array_add(arr, json_object_new_int64(sqlite3_column_int64(st, 0)));
    db_done(db, st);
    return arr;
}

/* The text in the first column of sql's row (bound to id) as JSON, or null. */
static json_object *text_of(struct db *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    db_bindv(st, "i", id);
    json_object *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = json_object_new_string((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    return v;
}

void admin_out_account(struct admin *ad, int64_t id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("account"));
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "name",
                           text_of(ad->db, "SELECT name FROM accounts WHERE id = ?", id));
    json_object_array_add(ad->out, o);
}

void admin_out_agent(struct admin *ad, int64_t id, const char *token)
{
    json_object *o = typed("agent", render_agent(ad->db, id));
    json_object_object_add(o, "inbox_ids",
                           id_list(ad->db,
                                   "SELECT inbox_id FROM inbox_members WHERE agent_id = ? "
                                   "ORDER BY inbox_id",
                                   id));
    if (token)
        json_object_object_add(o, "token", json_object_new_string(token));
    json_object_array_add(ad->out, o);
}

void admin_out_inbox(struct admin *ad, int64_t id)
{
    json_object *o = typed("inbox", render_inbox(ad->db, id));
    json_object_object_add(o, "account_id",
                           json_object_new_int64(db_int(
                               ad->db, 0, "SELECT account_id FROM inboxes WHERE id = ?", "i", id)));
    json_object_object_add(o, "member_ids",
                           id_list(ad->db,
                                   "SELECT agent_id FROM inbox_members WHERE inbox_id = ? "
                                   "ORDER BY agent_id",
                                   id));
    json_object_array_add(ad->out, o);
}

void admin_out_label(struct admin *ad, int64_t id)
{
    json_object *o = typed("label", render_label(ad->db, id));
    json_object_object_add(o, "account_id",
                           json_object_new_int64(db_int(
                               ad->db, 0, "SELECT account_id FROM labels WHERE id = ?", "i", id)));
    json_object_array_add(ad->out, o);
}

void admin_out_team(struct admin *ad, int64_t id)
{
    json_object *o = typed("team", render_team(ad->db, id, 0));
    json_object_object_del(o, "is_member"); /* nobody is asking */
    json_object_object_add(o, "member_ids",
                           id_list(ad->db,
                                   "SELECT agent_id FROM team_members WHERE team_id = ? "
                                   "ORDER BY agent_id",
                                   id));
    json_object_array_add(ad->out, o);
}

void admin_out_token(struct admin *ad, int64_t agent_id, const char *email, const char *token,
                     bool rotated)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("token"));
    json_object_object_add(o, "agent_id", json_object_new_int64(agent_id));
    json_object_object_add(o, "email", json_object_new_string(email));
    json_object_object_add(o, "token", json_object_new_string(token));
    json_object_object_add(o, "rotated", json_object_new_boolean(rotated));
    json_object_array_add(ad->out, o);
}

void admin_out_import(struct admin *ad, int64_t account, int64_t conversations, int64_t messages,
                      int64_t contacts)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("import"));
    json_object_object_add(o, "account_id", json_object_new_int64(account));
    json_object_object_add(o, "conversations", json_object_new_int64(conversations));
    json_object_object_add(o, "messages", json_object_new_int64(messages));
    json_object_object_add(o, "new_contacts", json_object_new_int64(contacts));
    json_object_array_add(ad->out, o);
}

void admin_out_agent_removed(struct admin *ad, int64_t id)
{
    json_object_array_add(ad->out, typed("agent_removed", render_agent(ad->db, id)));
}

void admin_out_team_member(struct admin *ad, int64_t team_id, int64_t agent_id, const char *email,
                           bool added)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("team_member"));
    json_object_object_add(o, "team_id", json_object_new_int64(team_id));
    json_object_object_add(o, "team",
                           text_of(ad->db, "SELECT name FROM teams WHERE id = ?", team_id));
    json_object_object_add(o, "agent_id", json_object_new_int64(agent_id));
    json_object_object_add(o, "email", json_object_new_string(email));
    json_object_object_add(o, "added", json_object_new_boolean(added));
    json_object_array_add(ad->out, o);
}

/* Every id sql (bound to account, 0 = all) yields, through out(). */
void admin_out_each(struct admin *ad, const char *sql, int64_t account,
                    void (*out)(struct admin *, int64_t))
{
    sqlite3_stmt *st = db_prepare(ad->db, sql);
    db_bindv(st, "ii", account, account);
    while (sqlite3_step(st) == SQLITE_ROW)
        out(ad, sqlite3_column_int64(st, 0));
    db_done(ad->db, st);
}

/* ---- printing ---- */

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

static long long num(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

/* ", label 1 2 3" or ", no label" for an id array. */
static void print_ids(json_object *o, const char *key, const char *label)
{
    json_object *arr = NULL;
    json_object_object_get_ex(o, key, &arr);
    size_t n = arr ? json_object_array_length(arr) : 0;
    printf(", %s%s", n ? "" : "no ", label);
    for (size_t i = 0; i < n; i++)
        printf(" %lld", (long long)json_object_get_int64(json_object_array_get_idx(arr, i)));
}

/* One result as a line (or two) a person reads. */
static void print_text(json_object *o)
{
    const char *type = str(o, "type");
    long long id = num(o, "id");
    if (strcmp(type, "account") == 0) {
        printf("account %lld: %s\n", id, str(o, "name"));
    } else if (strcmp(type, "inbox") == 0) {
        printf("inbox %lld: %s, %s, %s, account %lld", id, str(o, "name"), str(o, "phone_number"),
               str(o, "timezone"), num(o, "account_id"));
        print_ids(o, "member_ids", "members");
        printf("\n");
    } else if (strcmp(type, "agent") == 0) {
        printf("agent %lld: %s <%s>, %s, account %lld", id, str(o, "name"), str(o, "email"),
               str(o, "role"), num(o, "account_id"));
        print_ids(o, "inbox_ids", "inboxes");
        printf("\n");
        if (*str(o, "token"))
            printf("token: %s\n", str(o, "token"));
    } else if (strcmp(type, "label") == 0) {
        printf("label %lld: %s, %s, account %lld%s%s\n", id, str(o, "title"), str(o, "color"),
               num(o, "account_id"), *str(o, "description") ? ", " : "", str(o, "description"));
    } else if (strcmp(type, "team") == 0) {
        printf("team %lld: %s, account %lld", id, str(o, "name"), num(o, "account_id"));
        print_ids(o, "member_ids", "members");
        printf("%s%s\n", *str(o, "description") ? ", " : "", str(o, "description"));
    } else if (strcmp(type, "token") == 0) {
        printf("%s\n", str(o, "token"));
    } else if (strcmp(type, "import") == 0) {
        printf("imported %lld conversations, %lld messages and %lld new contacts into account "
               "%lld\n",
               num(o, "conversations"), num(o, "messages"), num(o, "new_contacts"),
               num(o, "account_id"));
    } else if (strcmp(type, "agent_removed") == 0) {
        printf("removed agent %lld: %s <%s>\n", id, str(o, "name"), str(o, "email"));
    } else if (strcmp(type, "team_member") == 0) {
        json_object *added = NULL;
        json_object_object_get_ex(o, "added", &added);
        printf("agent %lld <%s> %s a member of team %lld (%s)\n", num(o, "agent_id"),
               str(o, "email"), json_object_get_boolean(added) ? "is now" : "was already",
               num(o, "team_id"), str(o, "team"));
    }
}

void admin_out_print(const struct admin *ad, const char *empty)
{
    size_t n = json_object_array_length(ad->out);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(ad->out, i);
        if (ad->opt[OPT_JSON])
            printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        else
            print_text(o);
    }
    if (n == 0 && empty && !ad->opt[OPT_JSON])
        printf("%s\n", empty);
    fflush(stdout);
}
