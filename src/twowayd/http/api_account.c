/* api_account — the account's people and furniture: agents, teams, inboxes,
 * inbox members and labels (doc/api.md §6, §7, §8, §10).
 *
 * Lists are read-only here. An id that is not of the asking agent's account,
 * or an inbox the agent is not a member of, answers 404: the rows exist, but
 * not for this agent. */
#include <stdbool.h>

#include "cable/cable.h"
#include "http/api.h"
#include "store/db.h"
#include "store/ops.h"
#include "http/render.h"
#include "http/req.h"
#include "twd.h"

/* Run st (bound already) and render each first-column id; NULL renders are
 * skipped. Finalizes st. */
static json_object *render_ids(struct db *db, sqlite3_stmt *st,
                               json_object *(*render)(struct db *, int64_t))
{
    json_object *arr = json_object_new_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *o = render(db, sqlite3_column_int64(st, 0));
        if (o)
            json_object_array_add(arr, o);
    }
    db_done(db, st);
    return arr;
}

/* As Chatwoot's AvailabilityStatusable with auto_offline (twowayd's
 * agents all have it): an agent's availability_status is what it chose
 * while it is online on /cable, and "offline" otherwise. */
static json_object *with_presence(struct req *r, json_object *agents)
{
    for (size_t i = 0; i < json_object_array_length(agents); i++) {
        json_object *a = json_object_array_get_idx(agents, i), *id;
        if (json_object_object_get_ex(a, "id", &id) &&
            !cable_agent_present(r->twd->cable, r->agent.account_id, json_object_get_int64(id)))
            json_object_object_add(a, "availability_status", json_object_new_string("offline"));
    }
    return agents;
}

static json_object *payload(json_object *v)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "payload", v);
    return o;
}

void api_account_agents(struct req *r)
{
    struct db *db = r->db;
    sqlite3_stmt *st = db_prepare(db, "SELECT id FROM agents WHERE account_id = ? ORDER BY id");
    db_bindv(st, "i", r->agent.account_id);
    req_reply_json(r, 200, with_presence(r, render_ids(db, st, render_agent)));
}

void api_account_teams(struct req *r)
{
    struct db *db = r->db;
    json_object *arr = json_object_new_array();
    sqlite3_stmt *st = db_prepare(db, "SELECT id FROM teams WHERE account_id = ? ORDER BY id");
    db_bindv(st, "i", r->agent.account_id);
    /* is_member depends on who asks, so render_ids' one-argument form won't do. */
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *t = render_team(db, sqlite3_column_int64(st, 0), r->agent.id);
        if (t)
            json_object_array_add(arr, t);
    }
    db_done(db, st);
    req_reply_json(r, 200, arr);
}

void api_account_team_show(struct req *r)
{
    struct db *db = r->db;
    int64_t id = r->params[0];
    if (db_int(db, 0, "SELECT 1 FROM teams WHERE id = ? AND account_id = ?", "ii", id,
               r->agent.account_id) != 1) {
        req_not_found(r);
        return;
    }
    req_reply_json(r, 200, render_team(db, id, r->agent.id));
}

void api_account_inboxes(struct req *r)
{
    struct db *db = r->db;
    /* Administrators see every inbox of the account, agents their own. */
    sqlite3_stmt *st = db_prepare(db, "SELECT i.id FROM inboxes i WHERE i.account_id = ? AND "
                                      "(? OR EXISTS (SELECT 1 FROM inbox_members m "
                                      "WHERE m.inbox_id = i.id AND m.agent_id = ?)) "
                                      "ORDER BY i.id");
    db_bindv(st, "iii", r->agent.account_id, (int64_t)r->agent.admin, r->agent.id);
    req_reply_json(r, 200, payload(render_ids(db, st, render_inbox)));
}

void api_account_inbox_show(struct req *r)
{
    struct db *db = r->db;
    if (!ops_agent_sees_inbox(db, &r->agent, r->params[0])) {
        req_not_found(r);
        return;
    }
    req_reply_json(r, 200, render_inbox(db, r->params[0]));
}

void api_account_inbox_members(struct req *r)
{
    struct db *db = r->db;
    if (!ops_agent_sees_inbox(db, &r->agent, r->params[0])) {
        req_not_found(r);
        return;
    }
    sqlite3_stmt *st = db_prepare(db, "SELECT a.id FROM inbox_members m "
                                      "JOIN agents a ON a.id = m.agent_id "
                                      "WHERE m.inbox_id = ? AND a.account_id = ? ORDER BY a.id");
    db_bindv(st, "ii", r->params[0], r->agent.account_id);
    req_reply_json(r, 200, payload(with_presence(r, render_ids(db, st, render_agent))));
}

void api_account_labels(struct req *r)
{
    struct db *db = r->db;
    sqlite3_stmt *st =
        db_prepare(db, "SELECT id FROM labels WHERE account_id = ? ORDER BY title, id");
    db_bindv(st, "i", r->agent.account_id);
    req_reply_json(r, 200, payload(render_ids(db, st, render_label)));
}
