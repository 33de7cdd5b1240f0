/* api_profile — GET /api/v1/profile: the agent behind the token. */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/auth.h"
#include "store/db.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"

void api_profile_show(struct req *r)
{
    struct db *db = r->db;
    sqlite3_stmt *st = db_prepare(
        db, "SELECT a.id, a.name, a.email, NULL, a.account_id, a.role, a.message_signature, "
            "a.availability, ac.name, a.created_at FROM agents a "
            "JOIN accounts ac ON ac.id = a.account_id WHERE a.id = ?");
    db_bindv(st, "i", r->agent.id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(db, st);
        req_reply_error(r, 401, "Invalid Access Token");
        return;
    }
    json_object *o = json_object_new_object();
    const char *name = (const char *)sqlite3_column_text(st, 1);
    ADD(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
    ADD(o, "name", json_object_new_string(name));
    ADD(o, "available_name", json_object_new_string(name));
    ADD(o, "display_name", json_object_new_string(name));
    ADD(o, "email", json_object_new_string((const char *)sqlite3_column_text(st, 2)));
    ADD(o, "uid", json_object_new_string((const char *)sqlite3_column_text(st, 2)));
    ADD(o, "provider", json_object_new_string("email"));
    ADD(o, "avatar_url", json_object_new_string(""));
    /* Only the token's digest is stored: the token is the one presented. */
    ADD(o, "access_token", json_object_new_string(r->agent.token ? r->agent.token : ""));
    char *pubsub = auth_pubsub_token(db, r->agent.id);
    ADD(o, "pubsub_token", json_object_new_string(pubsub ? pubsub : ""));
    free(pubsub);
    ADD(o, "account_id", json_object_new_int64(sqlite3_column_int64(st, 4)));
    ADD(o, "role", json_object_new_string((const char *)sqlite3_column_text(st, 5)));
    const unsigned char *sig = sqlite3_column_text(st, 6);
    ADD(o, "message_signature", sig ? json_object_new_string((const char *)sig) : NULL);
    ADD(o, "confirmed", json_object_new_boolean(1));
    ADD(o, "type", NULL);
    ADD(o, "ui_settings", json_object_new_object());
    ADD(o, "custom_attributes", json_object_new_object());
    json_object *accounts = json_object_new_array();
    json_object *acc = json_object_new_object();
    ADD(acc, "id", json_object_new_int64(sqlite3_column_int64(st, 4)));
    ADD(acc, "name", json_object_new_string((const char *)sqlite3_column_text(st, 8)));
    ADD(acc, "status", json_object_new_string("active"));
    ADD(acc, "active_at", render_iso(sqlite3_column_double(st, 9)));
    ADD(acc, "role", json_object_new_string((const char *)sqlite3_column_text(st, 5)));
    ADD(acc, "availability", json_object_new_string((const char *)sqlite3_column_text(st, 7)));
    ADD(acc, "availability_status",
        json_object_new_string((const char *)sqlite3_column_text(st, 7)));
    ADD(acc, "auto_offline", json_object_new_boolean(1));
    json_object_array_add(accounts, acc);
    ADD(o, "accounts", accounts);
    db_done(db, st);
    req_reply_json(r, 200, o);
}
