/* seed — the demo account for --demo. */
#include "sim/seed.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "twilio/keywords.h"
#include "store/ops.h"
#include "twoway/xmalloc.h"

/* A scripted message: who speaks, how many minutes before now, and what.
 * who: C = the customer (media: a picture, text may be NULL), A = the
 * assignee (Ann when unassigned), '1'..'3' = that agent, N = a private note
 * by the assignee or by agent `by`, T = twowayd's own answer to a STOP,
 * START or HELP (as twilio_in writes it), X = an activity line. error marks
 * an outbound message the carrier refused (status failed,
 * content_attributes.external_error). */
struct seed_msg {
    char who;
    int minutes_ago;
    const char *text;
    const char *error;
    const char *media;
    int by;
};

struct seed_conv {
    const char *name; /* contact name; NULL = unknown (named by phone) */
    const char *phone;
    const char *email;
    const char *status;   /* open, pending, resolved, snoozed */
    const char *priority; /* NULL, low, medium, high, urgent */
    int assignee;         /* 0 = none, else agent index 1..3 */
    int team;             /* 0 = none, else team index 1..2 */
    const char *labels;   /* comma-separated */
    bool read;            /* agent has seen the newest message */
    struct seed_msg msgs[10];
    const char *attrs; /* the contact's custom_attributes (JSON object), or NULL */
    bool opted_out;    /* the contact texted STOP */
};

#define SEED_MAX_MSGS ((int)(sizeof((struct seed_conv *)0)->msgs / sizeof(struct seed_msg)))

/* The script leaves out what a message or a conversation does not have
 * (no error, no picture, no attributes): zero is "none" there. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "sim/seed_data.h"
#pragma GCC diagnostic pop

/* An agent with a new token; the token goes into tokens under the agent's
 * id, the only place it is ever kept in full. */
static int64_t insert_agent(struct db *db, int64_t account, const char *name, const char *email,
                            const char *role, json_object *tokens)
{
    char hash[65];
    char *token = auth_new_token(hash);
    db_exec(db,
            "INSERT INTO agents(account_id, name, email, role, token_sha256, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            "ittttd", account, name, email, role, hash, db_now());
    int64_t id = db_last_id(db);
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    json_object_object_add(tokens, key, json_object_new_string(token));
    free(token);
    return id;
}

/* A Twilio-looking SID that is the same on every seeding (splitmix64 of
 * where the message sits in the script), so the demo data is reproducible
 * apart from tokens and clock. */
static void seed_sid(char out[35], const char *prefix, uint64_t key)
{
    uint64_t h[2];
    for (int i = 0; i < 2; i++) {
        uint64_t z = (key += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        h[i] = z ^ (z >> 31);
    }
    snprintf(out, 35, "%.2s%016llx%016llx", prefix, (unsigned long long)h[0],
             (unsigned long long)h[1]);
}

/* content_attributes of a scripted message (owned), or NULL for {}. */
static char *message_attributes(const struct seed_msg *m)
{
    const char *key = NULL, *value = NULL;
    if (m->error) {
        key = "external_error";
        value = m->error;
    } else if (m->who == 'T') {
        key = KEYWORDS_REPLY_ATTR;
        value = strcmp(m->text, SEED_STOP_REPLY) == 0    ? "STOP"
                : strcmp(m->text, SEED_START_REPLY) == 0 ? "START"
                                                         : "HELP";
    }
    if (!key)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, key, json_object_new_string(value));
    char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

struct seed_ctx {
    struct db *db;
    const int64_t *agents; /* [4], index 0 unused */
    const int64_t *teams;  /* [3], index 0 unused */
    double now;
};

static void seed_message(const struct seed_ctx *x, const struct seed_conv *sc, int64_t conv,
                         int64_t contact, const struct seed_msg *m, double at, uint64_t key)
{
    char sid[35];
    seed_sid(sid, m->media ? "MM" : "SM", key);
    char *attrs = message_attributes(m);
    struct ops_message om = {
        .conv_id = conv,
        .content = m->text,
        .created_at = at,
        .content_attributes = attrs,
    };
    if (m->who == 'C') {
        om.type = OPS_INCOMING;
        om.sender_type = "Contact";
        om.sender_id = contact;
        om.source_id = sid;
    } else if (m->who == 'T') {
        om.type = OPS_OUTGOING; /* from nobody: the system */
    } else if (m->who == 'X') {
        om.type = OPS_ACTIVITY;
    } else {
        int idx = m->who == 'A'   ? sc->assignee
                  : m->who == 'N' ? (m->by ? m->by : sc->assignee)
                                  : m->who - '0';
        om.type = OPS_OUTGOING;
        om.sender_type = "User";
        om.sender_id = x->agents[idx >= 1 && idx <= 3 ? idx : 1];
        om.is_private = m->who == 'N';
    }
    int64_t mid = ops_message_add(x->db, &om);
    free(attrs);
    /* The system's answer to STOP or HELP ends the wait, as twilio_in does. */
    if (m->who == 'T' && strcmp(m->text, SEED_START_REPLY) != 0)
        db_exec(x->db, "UPDATE conversations SET waiting_since = NULL WHERE id = ?", "i", conv);
    /* History is history: settled at the carrier and out of the outbound
     * queue. */
    db_exec(x->db, "DELETE FROM outbox WHERE message_id = ?", "i", mid);
    if (om.type == OPS_OUTGOING && !om.is_private)
        db_exec(x->db, "UPDATE messages SET status = ?, source_id = ? WHERE id = ?", "tti",
                m->error ? "failed" : "delivered", sid, mid);
    if (m->media)
        db_exec(x->db,
                "INSERT INTO attachments(message_id, file_type, content_type, extension, "
                "data_url, file_size) VALUES (?, 'image', 'image/jpeg', 'jpg', ?, ?)",
                "iti", mid, m->media, (int64_t)184320);
}

static void seed_contact(const struct seed_ctx *x, int64_t contact, const struct seed_conv *sc,
                         double first)
{
    if (sc->name)
        db_exec(x->db, "UPDATE contacts SET name = ?, email = ? WHERE id = ?", "tti", sc->name,
                sc->email, contact);
    if (sc->attrs)
        db_exec(x->db, "UPDATE contacts SET custom_attributes = json(?) WHERE id = ?", "ti",
                sc->attrs, contact);
    db_exec(x->db, "UPDATE contacts SET created_at = ? WHERE id = ?", "di", first - 3600.0,
            contact);
}

/* Status, people, labels and read state, set as they would stand after the
 * scripted exchange. */
static void seed_conv_state(const struct seed_ctx *x, const struct seed_conv *sc, int64_t conv,
                            double last, double last_ours)
{
    struct db *db = x->db;
    if (sc->assignee)
        db_exec(db, "UPDATE conversations SET assignee_id = ? WHERE id = ?", "ii",
                x->agents[sc->assignee], conv);
    if (sc->team)
        db_exec(db, "UPDATE conversations SET team_id = ? WHERE id = ?", "ii", x->teams[sc->team],
                conv);
    db_exec(db, "UPDATE conversations SET status = ?, priority = ? WHERE id = ?", "tti", sc->status,
            sc->priority, conv);
    bool resolved = strcmp(sc->status, "resolved") == 0;
    bool snoozed = strcmp(sc->status, "snoozed") == 0;
    if (snoozed)
        db_exec(db, "UPDATE conversations SET snoozed_until = ? WHERE id = ?", "di",
                x->now + 86400.0, conv);
    if (resolved || snoozed) {
        char *who = ops_agent_name(db, x->agents[sc->assignee ? sc->assignee : 1]);
        char *text =
            xasprintf("Conversation was %s by %s", resolved ? "marked resolved" : "snoozed", who);
        struct ops_message om = {.conv_id = conv,
                                 .content = text,
                                 .type = OPS_ACTIVITY,
                                 .created_at = fmin(last + 60.0, x->now)};
        ops_message_add(db, &om);
        free(text);
        free(who);
    }
    if (sc->labels && *sc->labels) {
        char *copy = xstrdup(sc->labels), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            db_exec(db,
                    "INSERT OR IGNORE INTO conversation_labels(conversation_id, title) "
                    "VALUES (?, ?)",
                    "it", conv, t);
        free(copy);
    }
    /* Read: seen just now. Unread: seen when we last wrote, so only what
     * the customer sent since counts. */
    double seen = sc->read ? x->now : last_ours;
    if (seen > 0)
        db_exec(db,
                "UPDATE conversations SET agent_last_seen_at = ?, assignee_last_seen_at = ? "
                "WHERE id = ?",
                "ddi", seen, sc->assignee ? seen : 0.0, conv);
    db_exec(db,
            "UPDATE conversations SET assignee_last_seen_at = NULL "
            "WHERE id = ? AND assignee_last_seen_at = 0",
            "i", conv);
    if (resolved)
        db_exec(db, "UPDATE conversations SET waiting_since = NULL WHERE id = ?", "i", conv);
    db_exec(db, "UPDATE conversations SET updated_at = last_activity_at WHERE id = ?", "i", conv);
}

static void seed_conversation(const struct seed_ctx *x, int64_t account, int64_t inbox, int index,
                              const struct seed_conv *sc)
{
    struct db *db = x->db;
    int64_t contact = ops_contact_for_phone(db, account, sc->phone);
    int64_t conv = ops_conv_create(db, inbox, contact, "open");
    int n = 0;
    double first = x->now;
    while (n < SEED_MAX_MSGS && sc->msgs[n].who) {
        if (x->now - sc->msgs[n].minutes_ago * 60.0 < first)
            first = x->now - sc->msgs[n].minutes_ago * 60.0;
        n++;
    }
    seed_contact(x, contact, sc, first);
    db_exec(db, "UPDATE conversations SET created_at = ?, last_activity_at = ? WHERE id = ?", "ddi",
            first - 30, first - 30, conv);

    double last = first, last_ours = 0;
    for (int i = 0; i < n; i++) {
        const struct seed_msg *m = &sc->msgs[i];
        /* A second apart keeps the order of messages written in one minute. */
        double at = x->now - m->minutes_ago * 60.0 + i;
        uint64_t key = ((uint64_t)account << 40) | ((uint64_t)index << 16) | (uint64_t)i;
        seed_message(x, sc, conv, contact, m, at, key);
        last = at;
        if (strchr("A123", m->who)) /* an agent wrote to the customer */
            last_ours = at;
    }
    if (sc->opted_out)
        ops_contact_set_opt_out(db, contact, true);
    seed_conv_state(x, sc, conv, last, last_ours);
}

int seed_demo(struct dbpool *pool, const char *inbox_phone, json_object *tokens, char **err)
{
    struct db *db = dbpool_write(pool);
    if (!db) {
        *err = xstrdup("cannot write the database");
        return -1;
    }
    if (db_int(db, 0, "SELECT COUNT(*) FROM accounts", "") > 0) {
        dbpool_write_end(pool, db, true);
        return 0;
    }
    double now = db_now();

    /* Account 1: the demo business. */
    db_exec(db, "INSERT INTO accounts(id, name, created_at) VALUES (1, ?, ?)", "td",
            SEED_ACCOUNT_NAME, now);
    int64_t agents[4] = {0};
    for (int i = 1; i <= 3; i++)
        agents[i] = insert_agent(db, 1, seed_agents[i - 1].name, seed_agents[i - 1].email,
                                 seed_agents[i - 1].role, tokens);
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
    struct seed_ctx x = {.db = db, .agents = agents, .teams = teams, .now = now};
    for (size_t i = 0; i < sizeof seed_convs / sizeof seed_convs[0]; i++)
        seed_conversation(&x, 1, inbox, (int)i, &seed_convs[i]);

    /* Account 2: another business on the same server, so that tests (and
     * curious people) can see accounts kept apart. */
    db_exec(db, "INSERT INTO accounts(id, name, created_at) VALUES (2, ?, ?)", "td", "Harbor Bikes",
            now);
    int64_t other =
        insert_agent(db, 2, "Dana Okafor", "dana@harborbikes.example", "administrator", tokens);
    db_exec(db,
            "INSERT INTO inboxes(account_id, name, channel_type, medium, provider, phone_number, "
            "timezone, created_at) VALUES (2, 'Harbor Bikes SMS', 'Channel::TwilioSms', 'sms', "
            "'twilio', '+15550100200', 'UTC', ?)",
            "d", now);
    int64_t inbox2 = db_last_id(db);
    db_exec(db, "INSERT INTO inbox_members(inbox_id, agent_id) VALUES (?, ?)", "ii", inbox2, other);
    db_exec(db,
            "INSERT INTO labels(account_id, title, description, color) "
            "VALUES (2, 'repair', 'Repairs', '#ff8800')",
            "");
    db_exec(db,
            "INSERT INTO canned_responses(account_id, short_code, content, created_at, "
            "updated_at) VALUES (2, 'ready', 'Your bike is ready for pickup.', ?, ?)",
            "dd", now, now);
    int64_t agents2[4] = {0, other, other, other};
    int64_t teams2[3] = {0, 0, 0};
    struct seed_ctx x2 = {.db = db, .agents = agents2, .teams = teams2, .now = now};
    for (size_t i = 0; i < sizeof seed_convs_other / sizeof seed_convs_other[0]; i++)
        seed_conversation(&x2, 2, inbox2, (int)i, &seed_convs_other[i]);

    if (dbpool_write_end(pool, db, true) < 0) {
        *err = xstrdup("could not commit the demo data");
        return -1;
    }
    return 1;
}
