/* store — owns every record the client knows, by id, and the order of the
 * conversation list. Single-threaded; no I/O, no curses.
 *
 * Damage is tracked with generation counters: each change to the list, a
 * conversation row, a thread, the counts or the directory (agents, teams,
 * labels, inboxes, templates) bumps a counter; a pane remembers the
 * generation it drew and redraws only when it moved. */
#ifndef TWOWAY_STORE_H
#define TWOWAY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

struct store;

struct store *store_new(void);
void store_free(struct store **s);

/* ---- conversations ---- */

enum store_put_result {
    STORE_PUT_SAME = 0,
    STORE_PUT_NEW = 1 << 0,         /* not known before */
    STORE_PUT_CHANGED = 1 << 1,     /* some shown field changed */
    STORE_PUT_NEW_MESSAGE = 1 << 2, /* its newest message is newer than before */
    STORE_PUT_STALE = 1 << 3,       /* dropped: older updated_at than ours */
};

/* Merge a conversation from the server. Takes what *c owns (c is zeroed).
 * Returns store_put_result bits. */
unsigned store_put_conv(struct store *s, struct conversation *c);
/* Borrowed; NULL if unknown. */
const struct conversation *store_conv(const struct store *s, int64_t id);
/* Change a field locally (optimistic UI): returns a mutable record to edit,
 * after which store_conv_touched() must be called. NULL if unknown. */
struct conversation *store_conv_edit(struct store *s, int64_t id);
void store_conv_touched(struct store *s, int64_t id);
size_t store_conv_count(const struct store *s);

/* ---- the conversation list (the current filter, in display order) ---- */

/* Replace the list with these ids (all must have been put). */
void store_list_set(struct store *s, const int64_t *ids, size_t n);
size_t store_list_len(const struct store *s);
int64_t store_list_at(const struct store *s, size_t i);
/* Index of id in the list, or -1. O(1). */
long store_list_index(const struct store *s, int64_t id);
/* Drop an id from the list (e.g. it left the filter after a local change). */
void store_list_remove(struct store *s, int64_t id);
uint64_t store_list_gen(const struct store *s);

void store_set_counts(struct store *s, const struct conv_counts *c);
const struct conv_counts *store_counts(const struct store *s);

/* ---- threads ---- */

/* Messages of a conversation, ascending by time (then id). Borrowed; valid
 * until the next change of that thread. *n = 0 and NULL if none loaded. */
const struct message *store_thread(const struct store *s, int64_t conv, size_t *n);
/* Merge messages from the server (takes what msgs[] own; the array itself
 * stays the caller's). Known ids are updated in place; a server message
 * whose echo_id matches a local "sending" message replaces it. Returns the
 * number of messages that were not known before. */
size_t store_thread_merge(struct store *s, int64_t conv, struct message *msgs, size_t n);
/* Add or update a local message (status MSGST_SENDING or a failed local
 * one), keyed by its echo_id. Takes what *m owns. */
void store_thread_put_local(struct store *s, int64_t conv, struct message *m);
/* Mark a local message (by echo_id) failed with a reason. */
void store_thread_local_failed(struct store *s, int64_t conv, const char *echo_id,
                               const char *reason);
void store_thread_remove_local(struct store *s, int64_t conv, const char *echo_id);
/* Smallest and largest server message id loaded (0 if none). */
int64_t store_thread_first_id(const struct store *s, int64_t conv);
int64_t store_thread_last_id(const struct store *s, int64_t conv);
/* Whether the oldest message has been loaded (no more history). */
bool store_thread_complete(const struct store *s, int64_t conv);
void store_thread_set_complete(struct store *s, int64_t conv, bool complete);
uint64_t store_thread_gen(const struct store *s, int64_t conv);

/* ---- the directory ---- */

/* Replace the list of kind k: takes the array of n records of that kind
 * (model.h) and what they own. */
void store_set_dir(struct store *s, enum dir_kind k, void *items, size_t n);
/* The list of kind k (borrowed; *n records), and one record by id (NULL if
 * unknown). */
const void *store_dir(const struct store *s, enum dir_kind k, size_t *n);
const void *store_dir_find(const struct store *s, enum dir_kind k, int64_t id);

/* The same, typed, one pair per kind of MODEL_DIRECTORY: store_set_agents(),
 * store_agents(), store_agent() … store_set_templates(), store_templates(),
 * store_template(). Server canned responses are the templates; local ones
 * are kept apart (config). */
#define X(kind, field, rec)                                                                        \
    static inline void store_set_##field(struct store *s, struct rec *items, size_t n)             \
    {                                                                                              \
        store_set_dir(s, kind, items, n);                                                          \
    }                                                                                              \
    static inline const struct rec *store_##field(const struct store *s, size_t *n)                \
    {                                                                                              \
        return store_dir(s, kind, n);                                                              \
    }                                                                                              \
    static inline const struct rec *store_##rec(const struct store *s, int64_t id)                 \
    {                                                                                              \
        return store_dir_find(s, kind, id);                                                        \
    }
MODEL_DIRECTORY(X)
#undef X
uint64_t store_dir_gen(const struct store *s);

void store_set_profile(struct store *s, struct profile *p); /* takes *p */
const struct profile *store_profile(const struct store *s); /* NULL until known */

/* ---- added by the store implementation ---- */

/* Notes on the calls above, as implemented:
 * - store_put_conv(): a record whose updated_at is older than the stored
 *   one is dropped (STALE), so an out-of-order answer cannot roll state
 *   back; an updated_at of 0 keeps the stored one. A conversation seen for
 *   the first time reports NEW only (not NEW_MESSAGE). NEW_MESSAGE comes
 *   with CHANGED. A record in the list that changes also moves the list
 *   generation, so the list pane redraws its rows.
 * - store_list_set(): ids that were never put, and repeats (pages that
 *   overlapped while the server's order shifted), are left out; the
 *   generation moves only if the resulting list differs.
 * - Threads: server messages ascending by (created_at, id), then the local
 *   ones (id 0) ascending by created_at, so a reply still being sent stays
 *   at the bottom even if the server's clock is ahead of ours.
 *   store_thread_merge() ignores messages with id <= 0.
 *   store_thread_put_local() ignores a message without an echo_id, and one
 *   whose echo_id a server message of the thread already carries.
 * - store_set_profile() moves the directory generation. */

/* Generation of one conversation's record: moves when store_put_conv()
 * reports NEW, CHANGED or NEW_MESSAGE, and on store_conv_touched(). 0 if
 * unknown. */
uint64_t store_conv_gen(const struct store *s, int64_t id);

/* The message of the thread (local ones first, then server ones, newest
 * first) that carries this echo_id; NULL if none or echo_id is "". Borrowed.
 * Chatwoot returns echo_id only from the create call, not in message lists,
 * so the store can replace a local message by itself only when the created
 * message is merged; the sync layer resolves the other cases (it knows which
 * server id its create call got) with this and store_thread_remove_local(). */
const struct message *store_thread_find_echo(const struct store *s, int64_t conv,
                                             const char *echo_id);

/* Generation of the counts: moves when store_set_counts() changes them. */
uint64_t store_counts_gen(const struct store *s);

/* The record at list position i (NULL past the end), without a lookup by
 * id: what a pane drawing rows or a filter walking the list wants.
 * Borrowed, like store_conv(). */
const struct conversation *store_list_conv(const struct store *s, size_t i);

/* Added (push): colleagues typing, and who is online (live channel).
 * store_set_typing: agent_id types in conv until `until` (monotonic ms;
 * 0 = stopped). Starting and stopping move the conversation's generation
 * and its thread's (the row and the thread show it); a renewal does not.
 * store_typing: the name of someone typing in conv (borrowed), or NULL.
 * store_typing_expire: drops what lapsed by now; returns the next lapse
 * (-1 none). */
void store_set_typing(struct store *s, int64_t conv, int64_t agent_id, const char *name,
                      int64_t until);
const char *store_typing(const struct store *s, int64_t conv, int64_t *agent_id);
int64_t store_typing_expire(struct store *s, int64_t now);
/* The agents online now (ids sorted, copied), each with the availability
 * it chose ("online", "busy" or "offline"); moves the directory generation
 * when the set changes. store_agent_presence: "online", "busy" or
 * "offline" (not here, or here and chose offline); NULL when not known (no
 * live channel). store_agent_online: 1 online or busy, 0 not, -1 not
 * known. */
void store_set_online(struct store *s, const int64_t *ids, const char *const *availability,
                      size_t n);
const char *store_agent_presence(const struct store *s, int64_t id);
int store_agent_online(const struct store *s, int64_t id);

#endif
