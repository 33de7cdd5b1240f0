/* ops — the domain operations behind the API, the webhooks, the seed and
 * the simulator: one place where a message is added, a conversation
 * changes state, and the activity lines Chatwoot writes are written.
 *
 * All functions run inside the caller's transaction (the writer's, for those
 * that change something).
 * Ids named conv_id are conversations.id (global); display ids only appear
 * at the API boundary (ops_conv_by_display). */
#ifndef TWOWAYD_OPS_H
#define TWOWAYD_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct req_agent;

enum ops_msg_type {
    OPS_INCOMING = 0,
    OPS_OUTGOING = 1,
    OPS_ACTIVITY = 2,
    OPS_TEMPLATE = 3,
};

/* conversations.id for (account, display id), or 0. */
int64_t ops_conv_by_display(struct db *db, int64_t account_id, int64_t display_id);
/* Agents see conversations of inboxes they are members of; administrators
 * see every conversation of their account. */
bool ops_agent_sees_conv(struct db *db, const struct req_agent *a, int64_t conv_id);
bool ops_agent_sees_inbox(struct db *db, const struct req_agent *a, int64_t inbox_id);
/* SQL condition (over a table aliased c) that limits conversations to what
 * the agent sees; bind the agent id once where "?" appears (it appears once). */
const char *ops_visible_sql(const struct req_agent *a);

/* The contact with this E.164 phone in the account, created (named after
 * the phone, as Chatwoot's Twilio channel does) if missing. */
int64_t ops_contact_for_phone(struct db *db, int64_t account_id, const char *phone);
/* The contact_inboxes row for (contact, inbox), created with source_id if
 * missing. */
int64_t ops_contact_inbox(struct db *db, int64_t contact_id, int64_t inbox_id,
                          const char *source_id);

/* A new conversation with the next display id of the account. */
int64_t ops_conv_create(struct db *db, int64_t inbox_id, int64_t contact_id, const char *status);
/* The conversation an inbound text from this contact on this inbox belongs
 * to: the newest one not resolved, else a new open one (as Chatwoot). */
int64_t ops_conv_for_inbound(struct db *db, int64_t inbox_id, int64_t contact_id);

struct ops_message {
    int64_t conv_id;
    const char *content; /* may be NULL (attachment-only) */
    enum ops_msg_type type;
    bool is_private;
    const char *content_type;       /* NULL = "text" */
    const char *content_attributes; /* JSON object text, NULL = {} */
    const char *sender_type;        /* "User", "Contact" or NULL (system) */
    int64_t sender_id;
    const char *echo_id;   /* NULL if none */
    const char *source_id; /* Twilio SID of an inbound message, or NULL */
    double created_at;     /* 0 = now */
};

/* Add a message and do what Chatwoot does around it: the conversation's
 * last activity, waiting_since (set by the first unanswered incoming
 * message, cleared by an agent's reply), first_reply_created_at, reopening
 * a resolved or snoozed conversation on an incoming message; and queue
 * outgoing public messages (agent replies and template/system texts) for
 * SMS delivery. Returns messages.id, or 0 if source_id was already stored
 * (a retried webhook): nothing is changed then. */
int64_t ops_message_add(struct db *db, const struct ops_message *m);

/* An activity line (message_type 2), e.g. "Conversation was resolved by Ann". */
void ops_activity(struct db *db, int64_t conv_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Name of an agent (owned), "" if unknown. */
char *ops_agent_name(struct db *db, int64_t agent_id);

/* State changes; each writes its activity line naming actor_id (0 = the
 * system, e.g. an incoming message) and bumps updated_at. */
void ops_set_status(struct db *db, int64_t conv_id, const char *status, double snoozed_until,
                    int64_t actor_id);
void ops_set_priority(struct db *db, int64_t conv_id, const char *priority /* NULL = none */,
                      int64_t actor_id);
void ops_set_assignee(struct db *db, int64_t conv_id, int64_t agent_id /* 0 = none */,
                      int64_t actor_id);
void ops_set_team(struct db *db, int64_t conv_id, int64_t team_id /* 0 = none */, int64_t actor_id);
/* Replace the label set (titles must exist as account labels; the caller
 * checks). */
void ops_set_labels(struct db *db, int64_t conv_id, const char *const *titles, int n,
                    int64_t actor_id);
void ops_touch(struct db *db, int64_t conv_id);

/* Opt-out state of a contact (custom_attributes.sms_opt_out). */
bool ops_contact_opted_out(struct db *db, int64_t contact_id);
void ops_contact_set_opt_out(struct db *db, int64_t contact_id, bool opted_out);

/* conversations.id of a display id in the agent's account that the agent
 * may see, or 0 (unknown, or an inbox the agent is not a member of). */
int64_t ops_conv_for_agent(struct db *db, const struct req_agent *a, int64_t display_id);

/* Substring search through a trigram index (messages_text, contacts_text)
 * finds text of three characters or more; shorter text is searched by
 * reading the rows. */
bool ops_text_indexable(const char *q);
/* q as an FTS5 phrase that matches it as a substring: quoted, its quotes
 * doubled. Owned. */
char *ops_text_phrase(const char *q);

/* Longest label title, in characters. */
#define OPS_LABEL_MAX 255
/* A label title as stored and compared (owned): trimmed, Unicode case
 * folded and composed ("ÉLITE " and "élite" are one label), or NULL if s
 * cannot be a title: not valid UTF-8, a NUL, a control character, empty,
 * or longer than OPS_LABEL_MAX characters. */
char *ops_label_title(const char *s, size_t len);

/* Longest message text Chatwoot stores, in characters. */
#define OPS_CONTENT_MAX 150000
/* Why this text cannot be a message (a sentence fit for a 422), or NULL if
 * it can: valid UTF-8, no NUL byte, at most OPS_CONTENT_MAX characters. */
const char *ops_content_problem(const char *s, size_t len);

/* Why an agent's public message cannot go to this contact (owned sentence
 * naming the contact), or NULL if it can. Today: the contact opted out. */
char *ops_contact_unreachable(struct db *db, int64_t contact_id);

/* Set a message's delivery status (sent, delivered, read, failed) and, when
 * external_error is not NULL, content_attributes.external_error (why it
 * failed, for the agent); bumps the message's and the conversation's
 * updated_at. */
void ops_message_set_status(struct db *db, int64_t message_id, const char *status,
                            const char *external_error);

#endif
