/* fake_provider — an in-memory struct provider for tests of the sync layer.
 *
 * Every operation records the call (with copies of its arguments) and
 * queues its callback; nothing is answered until the test says so with
 * fake_provider_answer_next() or fake_provider_answer(). So the test
 * decides the order of answers, their errors and their timing, and a
 * callback never runs from inside the operation that asked for it. */
#ifndef TWOWAY_FAKE_PROVIDER_H
#define TWOWAY_FAKE_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"
#include "twoway/provider.h"

enum fake_op {
    FAKE_PROFILE,
    FAKE_LIST_CONVERSATIONS,
    FAKE_CONVERSATION_COUNTS,
    FAKE_SEARCH_CONVERSATIONS,
    FAKE_GET_CONVERSATION,
    FAKE_LIST_MESSAGES,
    FAKE_SEND_MESSAGE,
    FAKE_CREATE_CONVERSATION,
    FAKE_SET_STATUS,
    FAKE_SET_PRIORITY,
    FAKE_ASSIGN_AGENT,
    FAKE_ASSIGN_TEAM,
    FAKE_GET_LABELS,
    FAKE_SET_LABELS,
    FAKE_MARK_READ,
    FAKE_MARK_UNREAD,
    FAKE_TYPING,
    FAKE_LIST_AGENTS, /* list_dir, one op per kind in enum dir_kind's order */
    FAKE_LIST_TEAMS,
    FAKE_LIST_LABELS,
    FAKE_LIST_INBOXES,
    FAKE_LIST_TEMPLATES,
    FAKE_SEARCH_CONTACTS,
    FAKE_GET_CONTACT,
    FAKE_CONTACT_CONVERSATIONS,
    FAKE_CREATE_CONTACT,
    FAKE_OP_COUNT,
};

/* One recorded call. Strings are the fake's copies (never NULL unless the
 * caller passed NULL for an optional one: q.label, q.q, q.sort_by). */
struct fake_call {
    enum fake_op op;
    size_t seq; /* position among all calls, from 0 */
    bool answered;
    int64_t conv;               /* conversation id, where the op has one */
    int64_t id;                 /* inbox, contact, agent or team id; set_status's status */
    int64_t before, after;      /* list_messages */
    struct conv_query q;        /* list_conversations, conversation_counts */
    struct conv_filter *filter; /* q.filter's copy (q.filter is it), or NULL */
    char *text;                 /* message content, search text */
    bool is_private;            /* send_message, typing */
    char *echo_id;              /* send_message; create_conversation's source_id */
    int64_t arg; /* snoozed_until, priority, typing on, search page, create contact */
    prov_cb cb;
    void *ud;
};

struct fake_provider;

/* Called synchronously inside each operation, after it is recorded (to look
 * at the world at the moment the request goes out). May be NULL. */
typedef void (*fake_call_hook)(void *ud, const struct fake_call *c);

/* The fake and the provider it is: hand fake_provider_base() to the code
 * under test, which frees it through provider_free() (the pending
 * callbacks are then dropped, as a real provider does). */
struct fake_provider *fake_provider_new(void);
struct provider *fake_provider_base(struct fake_provider *fp);
void fake_provider_set_hook(struct fake_provider *fp, fake_call_hook hook, void *ud);

/* Calls of op ever made / not answered yet. */
size_t fake_provider_count(const struct fake_provider *fp, enum fake_op op);
size_t fake_provider_pending(const struct fake_provider *fp, enum fake_op op);
size_t fake_provider_pending_total(const struct fake_provider *fp);
/* The i-th call of op ever made (NULL past the end). Borrowed until the
 * next call is recorded. */
const struct fake_call *fake_provider_call(const struct fake_provider *fp, enum fake_op op,
                                           size_t i);
/* The last call of op, the oldest unanswered one; NULL if none. */
const struct fake_call *fake_provider_last(const struct fake_provider *fp, enum fake_op op);
const struct fake_call *fake_provider_next(const struct fake_provider *fp, enum fake_op op);

/* Deliver *res to the oldest unanswered call of op (returns -1 if there is
 * none): its callback runs now, then what it left in *res is freed. */
int fake_provider_answer_next(struct fake_provider *fp, enum fake_op op, struct prov_result *res);
/* Answer the call with this seq. */
int fake_provider_answer(struct fake_provider *fp, size_t seq, struct prov_result *res);
/* Answer every unanswered call of op with an empty success (as many times
 * as it takes, including calls made by those callbacks). Returns how many. */
size_t fake_provider_answer_all_ok(struct fake_provider *fp, enum fake_op op);

/* ---- builders of results and records (all owned by the caller) ---- */

/* err PROV_OK: a success with nothing in it; else a failure whose message
 * is why (or the error's name). retry_after -1. */
struct prov_result fake_result(enum prov_err err, const char *why);
/* A network failure that may or may not have reached the server. */
struct prov_result fake_network(bool maybe_delivered);

struct message fake_message(int64_t id, int64_t conv, enum msg_type type, int64_t sender_id,
                            const char *content, int64_t created_at);
/* An open conversation whose newest message is last (taken). */
struct conversation fake_conv(int64_t id, struct message last);

/* Append a copy taken from the record (the record is zeroed). */
void fake_result_add_conv(struct prov_result *r, struct conversation *c);
void fake_result_add_msg(struct prov_result *r, struct message *m);
void fake_result_set_profile(struct prov_result *r, int64_t id, const char *name);

#endif
