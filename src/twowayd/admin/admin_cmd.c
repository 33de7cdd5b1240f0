/* admin_cmd — the `twowayd admin` commands: each runs inside the
 * transaction admin.c opened, checks its input, writes, and queues its
 * results with admin_out_*(). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_priv.h"
#include "http/auth.h"
#include "store/db.h"
#include "dconfig.h"
#include "twoway/xmalloc.h"

/* Highest agent id ever removed: ids are never handed out twice, because
 * messages and conversations name their agent by id and a new agent must
 * not inherit a removed one's history. */
#define RETIRED_AGENT_KEY "admin.retired_agent_id"

/* ---- looking things up ---- */

/* --account ID, else the only account there is. */
int admin_pick_account(struct admin *ad, int64_t *account, char **err)
{
    if (ad->opt[OPT_ACCOUNT]) {
        if (admin_check_id("account", ad->opt[OPT_ACCOUNT], account, err) < 0)
            return -1;
        if (!db_int(ad->db, 0, "SELECT 1 FROM accounts WHERE id = ?", "i", *account)) {
            *err = xasprintf("there is no account %lld", (long long)*account);
            return -1;
        }
        return 0;
    }
    int64_t n = db_int(ad->db, 0, "SELECT COUNT(*) FROM accounts", "");
    if (n == 0) {
        *err = xstrdup("the database has no account yet: run `twowayd admin init` first");
        return -1;
    }
    if (n > 1) {
        *err = xstrdup("the database has several accounts: choose one with --account ID");
        return -1;
    }
    *account = db_int(ad->db, 0, "SELECT id FROM accounts", "");
    return 0;
}

/* The --account filter of a list: 0 for every account. */
static int list_account(struct admin *ad, int64_t *account, char **err)
{
    *account = 0;
    return ad->opt[OPT_ACCOUNT] ? admin_pick_account(ad, account, err) : 0;
}

static int64_t agent_by_email(struct admin *ad, char *email, char **err)
{
    if (admin_check_email(ad->opt[OPT_EMAIL], email, err) < 0)
        return 0;
    int64_t id = db_int(ad->db, 0, "SELECT id FROM agents WHERE lower(email) = ?", "t", email);
    if (!id)
        *err = xasprintf("there is no agent with email %s", email);
    return id;
}

static int email_unused(struct db *db, const char *email, char **err)
{
    int64_t id = db_int(db, 0, "SELECT id FROM agents WHERE lower(email) = ?", "t", email);
    if (id) {
        *err = xasprintf("agent %lld already has the email %s", (long long)id, email);
        return -1;
    }
    return 0;
}

static int phone_unused(struct db *db, const char *phone, char **err)
{
    int64_t id = db_int(db, 0, "SELECT id FROM inboxes WHERE phone_number = ?", "t", phone);
    if (id) {
        *err = xasprintf("inbox %lld already has the number %s", (long long)id, phone);
        return -1;
    }
    return 0;
}

/* ---- writing ---- */

/* The new row's id, or 0 if the insert (rc) failed. */
static int64_t inserted(struct db *db, int rc)
{
    return rc == SQLITE_DONE ? db_last_id(db) : 0;
}

/* For a statement that should not fail: say what the database said. */
static int sql_failed(struct admin *ad, char **err)
{
    *err = xasprintf("the database refused the change: %s", sqlite3_errmsg(db_handle(ad->db)));
    return -1;
}

static int64_t add_account(struct db *db, const char *name)
{
    return inserted(db, db_exec(db, "INSERT INTO accounts(name, created_at) VALUES (?, ?)", "td",
                                name, db_now()));
}

/* A Twilio SMS inbox; every agent of the account becomes a member. */
static int64_t add_inbox(struct db *db, int64_t account, const char *name, const char *phone,
                         const char *tz)
{
    int64_t id = inserted(
        db, db_exec(db,
                    "INSERT INTO inboxes(account_id, name, channel_type, medium, provider, "
                    "phone_number, timezone, created_at) "
                    "VALUES (?, ?, 'Channel::TwilioSms', 'sms', 'twilio', ?, ?, ?)",
                    "itttd", account, name, phone, tz, db_now()));
    if (id && db_exec(db,
                      "INSERT INTO inbox_members(inbox_id, agent_id) SELECT ?, id FROM agents "
                      "WHERE account_id = ?",
                      "ii", id, account) != SQLITE_DONE)
        return 0;
    return id;
}

/* An agent with a new token (*token, owned), member of every inbox of the
 * account. */
static int64_t add_agent(struct db *db, int64_t account, const char *name, const char *email,
                         const char *role, char **token)
{
    int64_t next = db_int(db, 1,
                          "SELECT MAX(COALESCE((SELECT MAX(id) FROM agents), 0), "
                          "COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?), "
                          "0)) + 1",
                          "t", RETIRED_AGENT_KEY);
    char hash[65];
    *token = auth_new_token(hash);
    int64_t id = inserted(db, db_exec(db,
                                      "INSERT INTO agents(id, account_id, name, email, role, "
                                      "token_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                      "iittttd", next, account, name, email, role, hash, db_now()));
    if (id && db_exec(db,
                      "INSERT INTO inbox_members(inbox_id, agent_id) SELECT id, ? FROM inboxes "
                      "WHERE account_id = ?",
                      "ii", id, account) != SQLITE_DONE)
        return 0;
    return id;
}

/* ---- the commands ---- */

int admin_cmd_init(struct admin *ad, char **err)
{
    const char **o = ad->opt;
    const char *tz = o[OPT_TIMEZONE] ? o[OPT_TIMEZONE] : dconfig_get(ad->cfg, "timezone");
    char email[ADMIN_TEXT_MAX + 1];
    if (admin_check_text("account", o[OPT_ACCOUNT], ADMIN_TEXT_MAX, false, err) < 0 ||
        admin_check_text("inbox-name", o[OPT_INBOX_NAME], ADMIN_TEXT_MAX, false, err) < 0 ||
        admin_check_phone("inbox-phone", o[OPT_INBOX_PHONE], err) < 0 ||
        admin_check_timezone(tz, o[OPT_TIMEZONE] != NULL, err) < 0 ||
        admin_check_text("agent", o[OPT_AGENT], ADMIN_TEXT_MAX, false, err) < 0 ||
        admin_check_email(o[OPT_EMAIL], email, err) < 0)
        return -1;
    if (db_int(ad->db, 0, "SELECT COUNT(*) FROM accounts", "") > 0) {
        *err = xstrdup("the database already has an account; add to it with `twowayd admin "
                       "agent add` and `twowayd admin inbox add`");
        return -1;
    }
    if (email_unused(ad->db, email, err) < 0 || phone_unused(ad->db, o[OPT_INBOX_PHONE], err) < 0)
        return -1;
    /* The agent first, so that the new inbox takes them as a member. */
    char *token = NULL;
    int64_t account = add_account(ad->db, o[OPT_ACCOUNT]);
    int64_t agent =
        account ? add_agent(ad->db, account, o[OPT_AGENT], email, "administrator", &token) : 0;
    int64_t inbox =
        agent ? add_inbox(ad->db, account, o[OPT_INBOX_NAME], o[OPT_INBOX_PHONE], tz) : 0;
    int rc = inbox ? 0 : sql_failed(ad, err);
    if (rc == 0) {
        admin_out_account(ad, account);
        admin_out_inbox(ad, inbox);
        admin_out_agent(ad, agent, token);
    }
    free(token);
    return rc;
}

int admin_cmd_agent_add(struct admin *ad, char **err)
{
    const char **o = ad->opt;
    const char *role = o[OPT_ROLE] ? o[OPT_ROLE] : "agent";
    char email[ADMIN_TEXT_MAX + 1];
    int64_t account;
    if (admin_check_text("name", o[OPT_NAME], ADMIN_TEXT_MAX, false, err) < 0 ||
        admin_check_email(o[OPT_EMAIL], email, err) < 0 || admin_check_role(role, err) < 0 ||
        admin_pick_account(ad, &account, err) < 0 || email_unused(ad->db, email, err) < 0)
        return -1;
    char *token = NULL;
    int64_t id = add_agent(ad->db, account, o[OPT_NAME], email, role, &token);
    if (id)
        admin_out_agent(ad, id, token);
    free(token);
    return id ? 0 : sql_failed(ad, err);
}

static void out_agent_listed(struct admin *ad, int64_t id)
{
    admin_out_agent(ad, id, NULL);
}

int admin_cmd_agent_list(struct admin *ad, char **err)
{
    int64_t account;
    if (list_account(ad, &account, err) < 0)
        return -1;
    admin_out_each(ad, "SELECT id FROM agents WHERE ? = 0 OR account_id = ? ORDER BY id", account,
                   out_agent_listed);
    return 0;
}

/* A new token in place of the agent's (--rotate): the old one stops
 * working at once, even in a running server. Only digests are stored, so
 * a token can be shown when it is made and never again. */
int admin_cmd_agent_token(struct admin *ad, char **err)
{
    char email[ADMIN_TEXT_MAX + 1];
    int64_t id = agent_by_email(ad, email, err);
    if (!id)
        return -1;
    if (!ad->opt[OPT_ROTATE]) {
        *err = xasprintf("tokens are stored only as digests and cannot be shown again; "
                         "`agent token --email %s --rotate` makes a new one (the old one then "
                         "stops working)",
                         email);
        return -1;
    }
    char hash[65];
    char *token = auth_new_token(hash);
    if (db_exec(ad->db, "UPDATE agents SET token_sha256 = ? WHERE id = ?", "ti", hash, id) !=
        SQLITE_DONE) {
        free(token);
        return sql_failed(ad, err);
    }
    admin_out_token(ad, id, email, token, true);
    free(token);
    return 0;
}

/* Remove an agent; their conversations become unassigned, their messages
 * stay. The last administrator of an account stays. */
int admin_cmd_agent_remove(struct admin *ad, char **err)
{
    char email[ADMIN_TEXT_MAX + 1];
    int64_t id = agent_by_email(ad, email, err);
    if (!id)
        return -1;
    if (db_int(ad->db, 0,
               "SELECT a.role = 'administrator' AND (SELECT COUNT(*) FROM agents b "
               "WHERE b.account_id = a.account_id AND b.role = 'administrator') = 1 "
               "FROM agents a WHERE a.id = ?",
               "i", id)) {
        *err = xasprintf("%s is the only administrator of the account; add another one "
                         "(agent add --role administrator) before removing them",
                         email);
        return -1;
    }
    admin_out_agent_removed(ad, id);
    if (db_exec(ad->db, "DELETE FROM agents WHERE id = ?", "i", id) != SQLITE_DONE ||
        db_exec(ad->db,
                "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                "SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                "ti", RETIRED_AGENT_KEY, id) != SQLITE_DONE)
        return sql_failed(ad, err);
    return 0;
}

int admin_cmd_inbox_add(struct admin *ad, char **err)
{
    const char **o = ad->opt;
    const char *tz = o[OPT_TIMEZONE] ? o[OPT_TIMEZONE] : dconfig_get(ad->cfg, "timezone");
    int64_t account;
    if (admin_check_text("name", o[OPT_NAME], ADMIN_TEXT_MAX, false, err) < 0 ||
        admin_check_phone("phone", o[OPT_PHONE], err) < 0 ||
        admin_check_timezone(tz, o[OPT_TIMEZONE] != NULL, err) < 0 ||
        admin_pick_account(ad, &account, err) < 0 || phone_unused(ad->db, o[OPT_PHONE], err) < 0)
        return -1;
    int64_t id = add_inbox(ad->db, account, o[OPT_NAME], o[OPT_PHONE], tz);
    if (!id)
        return sql_failed(ad, err);
    admin_out_inbox(ad, id);
    return 0;
}

int admin_cmd_inbox_list(struct admin *ad, char **err)
{
    int64_t account;
    if (list_account(ad, &account, err) < 0)
        return -1;
    admin_out_each(ad, "SELECT id FROM inboxes WHERE ? = 0 OR account_id = ? ORDER BY id", account,
                   admin_out_inbox);
    return 0;
}

int admin_cmd_label_add(struct admin *ad, char **err)
{
    const char **o = ad->opt;
    const char *color = o[OPT_COLOR] ? o[OPT_COLOR] : "#1f93ff";
    const char *description = o[OPT_DESCRIPTION] ? o[OPT_DESCRIPTION] : "";
    char title[ADMIN_TEXT_MAX + 1];
    int64_t account;
    if (admin_check_title(o[OPT_TITLE], title, err) < 0 || admin_check_color(color, err) < 0 ||
        admin_check_text("description", description, ADMIN_DESCRIPTION_MAX, true, err) < 0 ||
        admin_pick_account(ad, &account, err) < 0)
        return -1;
    if (db_int(ad->db, 0, "SELECT 1 FROM labels WHERE account_id = ? AND title = ?", "it", account,
               title)) {
        *err = xasprintf("account %lld already has a label %s", (long long)account, title);
        return -1;
    }
    int64_t id = inserted(ad->db, db_exec(ad->db,
                                          "INSERT INTO labels(account_id, title, description, "
                                          "color) VALUES (?, ?, ?, ?)",
                                          "ittt", account, title, description, color));
    if (!id)
        return sql_failed(ad, err);
    admin_out_label(ad, id);
    return 0;
}

int admin_cmd_label_list(struct admin *ad, char **err)
{
    int64_t account;
    if (list_account(ad, &account, err) < 0)
        return -1;
    admin_out_each(ad,
                   "SELECT id FROM labels WHERE ? = 0 OR account_id = ? ORDER BY account_id, title",
                   account, admin_out_label);
    return 0;
}

int admin_cmd_team_add(struct admin *ad, char **err)
{
    const char **o = ad->opt;
    const char *description = o[OPT_DESCRIPTION] ? o[OPT_DESCRIPTION] : "";
    int64_t account;
    if (admin_check_text("name", o[OPT_NAME], ADMIN_TEXT_MAX, false, err) < 0 ||
        admin_check_text("description", description, ADMIN_DESCRIPTION_MAX, true, err) < 0 ||
        admin_pick_account(ad, &account, err) < 0)
        return -1;
    if (db_int(ad->db, 0, "SELECT 1 FROM teams WHERE account_id = ? AND lower(name) = lower(?)",
               "it", account, o[OPT_NAME])) {
        *err = xasprintf("account %lld already has a team %s", (long long)account, o[OPT_NAME]);
        return -1;
    }
    int64_t id = inserted(
        ad->db, db_exec(ad->db, "INSERT INTO teams(account_id, name, description) VALUES (?, ?, ?)",
                        "itt", account, o[OPT_NAME], description));
    if (!id)
        return sql_failed(ad, err);
    admin_out_team(ad, id);
    return 0;
}

int admin_cmd_team_list(struct admin *ad, char **err)
{
    int64_t account;
    if (list_account(ad, &account, err) < 0)
        return -1;
    admin_out_each(ad, "SELECT id FROM teams WHERE ? = 0 OR account_id = ? ORDER BY id", account,
                   admin_out_team);
    return 0;
}

/* The team of the account called name (any case), else with that id. */
static int64_t team_of(struct db *db, int64_t account, const char *name)
{
    int64_t id =
        db_int(db, 0, "SELECT id FROM teams WHERE account_id = ? AND lower(name) = lower(?)", "it",
               account, name);
    char *end = NULL;
    long long n = isdigit((unsigned char)name[0]) ? strtoll(name, &end, 10) : 0;
    if (!id && n > 0 && end && !*end)
        id = db_int(db, 0, "SELECT id FROM teams WHERE account_id = ? AND id = ?", "ii", account,
                    (int64_t)n);
    return id;
}

int admin_cmd_team_member(struct admin *ad, char **err)
{
    char email[ADMIN_TEXT_MAX + 1];
    int64_t agent = agent_by_email(ad, email, err);
    if (!agent)
        return -1;
    int64_t account = db_int(ad->db, 0, "SELECT account_id FROM agents WHERE id = ?", "i", agent);
    int64_t team = team_of(ad->db, account, ad->opt[OPT_TEAM]);
    if (!team) {
        *err = xasprintf("account %lld (of %s) has no team %s", (long long)account, email,
                         ad->opt[OPT_TEAM]);
        return -1;
    }
    if (db_exec(ad->db, "INSERT OR IGNORE INTO team_members(team_id, agent_id) VALUES (?, ?)", "ii",
                team, agent) != SQLITE_DONE)
        return sql_failed(ad, err);
    bool added = db_changes(ad->db) > 0;
    admin_out_team_member(ad, team, agent, email, added);
    return 0;
}
