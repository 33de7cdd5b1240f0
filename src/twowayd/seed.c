/* seed — the demo account for --demo. */
#include "seed.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "ops.h"
#include "twoway/xmalloc.h"

/* A scripted message: who speaks (C = customer, A = the assigned agent, or
 * the agent named by index a1/a2/a3, N = a private note by the assignee),
 * how many minutes before now, and what. */
struct seed_msg {
    char who;
    int minutes_ago;
    const char *text;
};

struct seed_conv {
    const char *name;  /* contact name; NULL = unknown (named by phone) */
    const char *phone;
    const char *email;
    const char *status;   /* open, pending, resolved, snoozed */
    const char *priority; /* NULL, low, medium, high, urgent */
    int assignee;         /* 0 = none, else agent index 1..3 */
    int team;             /* 0 = none, else team index 1..2 */
    const char *labels;   /* comma-separated */
    bool read;            /* agent has seen the newest message */
    struct seed_msg msgs[10];
};

#include "seed_data.h"

static int64_t insert_agent(struct db *db, int64_t account, const char *name, const char *email,
                            const char *role)
{
    char *token = auth_new_token();
    db_exec(db,
            "INSERT INTO agents(account_id, name, email, role, token, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            "ittttd", account, name, email, role, token, db_now());
    free(token);
    return db_last_id(db);
}

static void seed_conversation(struct db *db, int64_t account, int64_t inbox,
                              const int64_t agents[4], const int64_t teams[3],
                              const struct seed_conv *sc)
{
    double now = db_now();
    int64_t contact = ops_contact_for_phone(db, account, sc->phone);
    if (sc->name)
        db_exec(db, "UPDATE contacts SET name = ?, email = ? WHERE id = ?", "tti", sc->name,
                sc->email, contact);
    int64_t conv = ops_conv_create(db, inbox, contact, "open");
    double first = now;
    for (int i = 0; i < 10 && sc->msgs[i].text; i++)
        if (now - sc->msgs[i].minutes_ago * 60.0 < first)
            first = now - sc->msgs[i].minutes_ago * 60.0;
    db_exec(db, "UPDATE conversations SET created_at = ?, last_activity_at = ? WHERE id = ?",
            "ddi", first - 30, first - 30, conv);

    int64_t assignee = sc->assignee ? agents[sc->assignee] : 0;
    for (int i = 0; i < 10 && sc->msgs[i].text; i++) {
        const struct seed_msg *m = &sc->msgs[i];
        struct ops_message om = {
            .conv_id = conv,
            .content = m->text,
            .created_at = now - m->minutes_ago * 60.0,
        };
        if (m->who == 'C') {
            om.type = OPS_INCOMING;
            om.sender_type = "Contact";
            om.sender_id = contact;
        } else {
            int idx = m->who == 'A' || m->who == 'N' ? sc->assignee : m->who - '0';
            om.type = OPS_OUTGOING;
            om.sender_type = "User";
            om.sender_id = agents[idx ? idx : 1];
            om.is_private = m->who == 'N';
        }
        int64_t mid = ops_message_add(db, &om);
        /* History is history: mark it delivered and keep it out of the
         * outbound queue. */
        db_exec(db, "DELETE FROM outbox WHERE message_id = ?", "i", mid);
        if (m->who != 'C')
            db_exec(db, "UPDATE messages SET status = 'delivered', source_id = ? WHERE id = ?",
                    "ti", NULL, mid);
    }
    if (assignee)
        db_exec(db, "UPDATE conversations SET assignee_id = ? WHERE id = ?", "ii", assignee, conv);
    if (sc->team)
        db_exec(db, "UPDATE conversations SET team_id = ? WHERE id = ?", "ii", teams[sc->team],
                conv);
    db_exec(db, "UPDATE conversations SET status = ?, priority = ? WHERE id = ?", "tti",
            sc->status, sc->priority, conv);
    if (strcmp(sc->status, "snoozed") == 0)
        db_exec(db, "UPDATE conversations SET snoozed_until = ? WHERE id = ?", "di",
                now + 86400.0, conv);
    if (sc->labels && *sc->labels) {
        char *copy = xstrdup(sc->labels), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            db_exec(db, "INSERT OR IGNORE INTO conversation_labels(conversation_id, title) "
                        "VALUES (?, ?)",
                    "it", conv, t);
        free(copy);
    }
    if (sc->read)
        db_exec(db, "UPDATE conversations SET agent_last_seen_at = ?, "
                    "assignee_last_seen_at = ? WHERE id = ?",
                "ddi", now, now, conv);
    if (strcmp(sc->status, "resolved") == 0)
        db_exec(db, "UPDATE conversations SET waiting_since = NULL WHERE id = ?", "i", conv);
    db_exec(db, "UPDATE conversations SET updated_at = last_activity_at WHERE id = ?", "i", conv);
}

int seed_demo(struct db *db, const char *inbox_phone, char **err)
{
    db_begin(db);
    if (db_int(db, 0, "SELECT COUNT(*) FROM accounts", "") > 0) {
        db_end(db, true);
        return 0;
    }
    double now = db_now();

    /* Account 1: the demo business. */
    db_exec(db, "INSERT INTO accounts(id, name, created_at) VALUES (1, ?, ?)", "td",
            SEED_ACCOUNT_NAME, now);
    int64_t agents[4] = {0};
    for (int i = 1; i <= 3; i++)
        agents[i] = insert_agent(db, 1, seed_agents[i - 1].name, seed_agents[i - 1].email,
                                 seed_agents[i - 1].role);
    int64_t teams[3] = {0};
    for (int i = 1; i <= 2; i++) {
        db_exec(db, "INSERT INTO teams(account_id, name, description) VALUES (1, ?, ?)", "tt",
                seed_teams[i - 1].name, seed_teams[i - 1].description);
        teams[i] = db_last_id(db);
    }
    /* Ann (admin) and Ben in Front desk; Ben and Chloe in Billing. */
    db_exec(db, "INSERT INTO team_members VALUES (?, ?), (?, ?), (?, ?), (?, ?)", "iiiiiiii",
            teams[1], agents[1], teams[1], agents[2], teams[2], agents[2], teams[2], agents[3]);
    db_exec(db,
            "INSERT INTO inboxes(account_id, name, channel_type, medium, provider, phone_number, "
            "timezone, created_at) VALUES (1, ?, 'Channel::TwilioSms', 'sms', 'twilio', ?, ?, ?)",
            "tttd", SEED_INBOX_NAME, inbox_phone, "America/New_York", now);
    int64_t inbox = db_last_id(db);
    for (int i = 1; i <= 3; i++)
        db_exec(db, "INSERT INTO inbox_members(inbox_id, agent_id) VALUES (?, ?)", "ii", inbox,
                agents[i]);
    for (size_t i = 0; i < sizeof seed_labels / sizeof seed_labels[0]; i++)
        db_exec(db, "INSERT INTO labels(account_id, title, description, color) VALUES (1, ?, ?, ?)",
                "ttt", seed_labels[i].title, seed_labels[i].description, seed_labels[i].color);
    for (size_t i = 0; i < sizeof seed_canned / sizeof seed_canned[0]; i++)
        db_exec(db,
                "INSERT INTO canned_responses(account_id, short_code, content, created_at, "
                "updated_at) VALUES (1, ?, ?, ?, ?)",
                "ttdd", seed_canned[i].short_code, seed_canned[i].content, now, now);
    for (size_t i = 0; i < sizeof seed_convs / sizeof seed_convs[0]; i++)
        seed_conversation(db, 1, inbox, agents, teams, &seed_convs[i]);

    /* Account 2: another business on the same server, so that tests (and
     * curious people) can see accounts kept apart. */
    db_exec(db, "INSERT INTO accounts(id, name, created_at) VALUES (2, ?, ?)", "td",
            "Harbor Bikes", now);
    int64_t other = insert_agent(db, 2, "Dana Okafor", "dana@harborbikes.example", "administrator");
    db_exec(db,
            "INSERT INTO inboxes(account_id, name, channel_type, medium, provider, phone_number, "
            "timezone, created_at) VALUES (2, 'Harbor Bikes SMS', 'Channel::TwilioSms', 'sms', "
            "'twilio', '+15550100200', 'UTC', ?)",
            "d", now);
    int64_t inbox2 = db_last_id(db);
    db_exec(db, "INSERT INTO inbox_members(inbox_id, agent_id) VALUES (?, ?)", "ii", inbox2, other);
    db_exec(db, "INSERT INTO labels(account_id, title, description, color) "
                "VALUES (2, 'repair', 'Repairs', '#ff8800')",
            "");
    db_exec(db, "INSERT INTO canned_responses(account_id, short_code, content, created_at, "
                "updated_at) VALUES (2, 'ready', 'Your bike is ready for pickup.', ?, ?)",
            "dd", now, now);
    int64_t agents2[4] = {0, other, other, other};
    int64_t teams2[3] = {0, 0, 0};
    for (size_t i = 0; i < sizeof seed_convs_other / sizeof seed_convs_other[0]; i++)
        seed_conversation(db, 2, inbox2, agents2, teams2, &seed_convs_other[i]);

    if (db_end(db, true) < 0) {
        *err = xstrdup("could not commit the demo data");
        return -1;
    }
    return 1;
}
