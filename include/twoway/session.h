/* session — a live connection to one account: it keeps the store in step
 * with the server (polling the list page(s) and counts, the open thread
 * with after=<last id>, the directory), tracks the connection state with
 * backoff, and owns the outbox, so a reply is on disk before it is sent and
 * is never sent twice. No curses, no blocking: everything runs on the
 * provider's callbacks and on session_tick(). */
#ifndef TWOWAY_SESSION_H
#define TWOWAY_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "twoway/model.h"

struct provider;
struct store;
struct session;

enum conn_state {
    CONN_CONNECTING,  /* first contact not done yet */
    CONN_ONLINE,      /* the last request succeeded */
    CONN_RETRYING,    /* a request failed; retrying at retry_at */
    CONN_AUTH_FAILED, /* the token was rejected; nothing more is tried */
};

struct session_opts {
    int poll_ms;           /* poll interval (the poll_interval setting; > 0) */
    const char *state_dir; /* where the outbox lives (mode 0700 dir) */
    bool keep_unread;      /* opening a thread does not mark it read */
    bool no_live;          /* never subscribe to the live channel: poll */
};

/* What the session tells its owner. Every callback may be NULL. */
struct session_listener {
    /* A new message from someone else arrived in conversation c: an
     * incoming one, or a colleague's private note (which may mention us);
     * never for what the first sync found. m is the message. */
    void (*inbound)(void *ud, const struct conversation *c, const struct message *m);
    /* The connection state changed (draw the status line). */
    void (*state)(void *ud);
    /* A reply finished: ok, or not with why, a sentence that starts with
     * what became of it ("not sent: …", "may have been sent (…) — …");
     * either way it is still kept for retry or discard. */
    void (*sent)(void *ud, int64_t conv, const char *echo_id, bool ok, const char *why);
    /* The server answered that it will not take this reply (a 4xx: the
     * contact opted out, too long, not allowed...): it was not stored.
     * Called after sent; the reply is still in the outbox, failed, for the
     * owner to take back (session_discard) or leave for retry. */
    void (*refused)(void *ud, int64_t conv, const char *echo_id, const char *why);
    void *ud;
};

/* Takes the provider; borrows the store. */
struct session *session_new(struct provider *p, struct store *st, const struct session_opts *o);
void session_free(struct session **s);
void session_set_listener(struct session *s, const struct session_listener *l);

/* The loop's one-shot timers (monotonic ms), the one scheduler of every
 * deadline: the session keeps one armed at session_next_ms() and runs
 * session_tick() from it. Without it (tests), the owner calls
 * session_tick() itself. */
struct session_sched {
    uint64_t (*at)(void *ud, int64_t when_ms, void (*cb)(void *cbud), void *cbud);
    void (*cancel)(void *ud, uint64_t id);
    void *ud;
};
void session_set_sched(struct session *s, const struct session_sched *sc);

/* First sync: profile, directory, list and counts; then the outbox is
 * loaded and anything unsent is verified and sent. */
void session_start(struct session *s);
/* Monotonic ms at which session_tick() must run next (-1: nothing due). */
int64_t session_next_ms(const struct session *s);
void session_tick(struct session *s, int64_t now_ms);

/* Follow the view: its filter becomes the polled query (refetched when it
 * changes), its open conversation the polled thread (session_open). Cheap
 * when nothing changed; call after anything may have changed the view. */
struct view;
void session_follow_view(struct session *s, const struct view *v);

/* Settings, changed while running: the poll interval (ms, > 0; a shorter
 * one brings the next poll forward) and whether opening a thread marks it
 * read. */
void session_set_poll_ms(struct session *s, int poll_ms);
void session_set_keep_unread(struct session *s, bool keep_unread);

enum conn_state session_state(const struct session *s);
/* Why the last request failed ("" if it did not). Borrowed. */
const char *session_state_reason(const struct session *s);
/* Counts changes of the state or its reason: a screen that shows them
 * draws again only when this moves. */
uint64_t session_state_gen(const struct session *s);
/* Monotonic ms of the next retry (CONN_RETRYING). */
int64_t session_retry_at(const struct session *s);
/* Requests in flight (for a "syncing" indicator). */
int session_busy(const struct session *s);
/* The first sync has finished (list and profile known). */
bool session_ready(const struct session *s);

/* The list: the query to poll (copied). Refetches at once. */
void session_set_query(struct session *s, const struct conv_query *q);
/* Load one more page of the list (when the agent scrolls to the end). */
void session_load_more(struct session *s);
bool session_list_complete(const struct session *s);
/* Added (push): load every page that is left, one after another (`bottom`
 * and a limit over a list the server has more of); the list grows as they
 * come. session_list_loading_all says it is under way. */
void session_load_all(struct session *s);
bool session_list_loading_all(const struct session *s);

/* Added (push2): the list over conversations not loaded yet, with the
 * server's help.
 *
 * session_set_filter: the part of a limit the server can filter by
 * (pattern_filter; NULL or empty: none; copied). When it can be used (no
 * text search, the newest activity first), the list is the server's
 * filtered list (POST …/conversations/filter, the query's own fields
 * carried as conditions), reloaded from its first page, paged as it is
 * scrolled, and kept by the same rules when changes come. Else the limit
 * stays local.
 * session_filter_exact: a filter is in use and says all the limit says:
 * the list is the limit's matches, session_list_total their number.
 * session_list_total: conversations of the list on the server, all pages
 * (with a filter, those that pass it), from the server's count; -1 not
 * known yet.
 * session_load_pages: load up to n more pages by themselves (a limit the
 * server cannot say all of: its matches further down, a few pages at a
 * time, never the whole inbox).
 * session_list_end: the end of the list (`bottom`): the last pages by the
 * server's count in place of the loaded ones, never every page between.
 * session_list_offset: rows of the list above the loaded window (0 unless
 * the end was asked for); session_load_before loads the page above it
 * (scrolling up), session_list_top the list from its first page again.
 * session_list_partial: rows of the list are not loaded (below or above). */
void session_set_filter(struct session *s, const struct conv_filter *f);
bool session_filter_exact(const struct session *s);
int64_t session_list_total(const struct session *s);
void session_load_pages(struct session *s, int n);
void session_list_end(struct session *s);
size_t session_list_offset(const struct session *s);
void session_load_before(struct session *s);
void session_list_top(struct session *s);
bool session_list_partial(const struct session *s);
/* Poll everything now. */
void session_refresh(struct session *s);

/* The thread in view: polled with after=<last id>; opening it loads the
 * newest messages and marks it read (update_last_seen). 0 closes. */
void session_open(struct session *s, int64_t conv);
/* Fetch older messages (before=<first id>); no-op if complete or loading. */
void session_load_older(struct session *s, int64_t conv);
bool session_loading_older(const struct session *s, int64_t conv);
/* Re-read one conversation (after an action changed it). */
void session_fetch_conv(struct session *s, int64_t conv);

/* Queue a reply or private note: written to the outbox (fsync) first, shown
 * at once as "sending", then sent with an echo_id. Returns the echo_id
 * (owned), or NULL with *err. */
char *session_send(struct session *s, int64_t conv, const char *text, bool is_private, char **err);
/* Queue a reply that must not go out yet: it is on disk and shows as
 * "sending" at once, but waits for session_release() (the agent confirmed,
 * or nothing needed asking) or session_discard() (the agent declined). If
 * twoway stops first, it comes back failed, never sent unconfirmed. */
char *session_send_held(struct session *s, int64_t conv, const char *text, bool is_private,
                        char **err);
int session_release(struct session *s, const char *echo_id, char **err);
/* Send a failed or "may have been sent" reply again: one that was sent
 * before is first looked for in the thread (every message after the point
 * where it was queued) and sent only if it is not there. */
int session_retry(struct session *s, int64_t conv, const char *echo_id, char **err);
/* Drop a failed reply from the outbox; returns its text (owned) for editing,
 * or NULL if unknown or on its way to the server at this moment (a send or
 * its verification in flight: the server may store it). */
char *session_discard(struct session *s, int64_t conv, const char *echo_id);
/* Replies still in the outbox (pending, failed or unsure). */
int session_outbox_count(const struct session *s);
/* Of those, the ones that may have been sent (waiting for retry or
 * discard), and the ones twoway will still send by itself. */
int session_outbox_unsure(const struct session *s);
/* Is nothing more going to happen to this reply without the agent: on the
 * server (or gone), refused, may have been sent, or held? false while
 * twoway still tries it by itself. */
bool session_reply_settled(const struct session *s, const char *echo_id);
int session_outbox_sendable(const struct session *s);

/* How the replies of one conversation stand in the outbox: the worst of
 * them (the list marks the row, `unsent` lists them). */
enum session_unsent {
    SESSION_UNSENT_NONE,
    SESSION_UNSENT_PENDING, /* twoway still sends it by itself (or it waits for a yes) */
    SESSION_UNSENT_UNSURE,  /* may have been sent: retry or discard */
    SESSION_UNSENT_FAILED,  /* refused: retry, edit or discard */
};
enum session_unsent session_unsent_of(const struct session *s, int64_t conv);
/* Reply i of the outbox (i < session_outbox_count()); strings borrowed
 * until the outbox changes. */
struct session_unsent_reply {
    int64_t conv;
    const char *echo_id;
    const char *content;
    const char *error; /* why it failed, "" if none */
    bool is_private;
    int64_t created_at;
    enum session_unsent state;
};
void session_outbox_reply(const struct session *s, size_t i, struct session_unsent_reply *out);
/* Keep text that could not be queued as the draft of conv (after the
 * draft already there, if any). The draft's path (owned), or NULL with
 * *err. */
char *session_keep_draft(struct session *s, int64_t conv, bool is_private, const char *text,
                         char **err);

struct store *session_store(struct session *s);
/* My agent id (0 until the profile is known). */
int64_t session_me(const struct session *s);

/* Added (for commands that must report how a reply ended, e.g. in batch
 * mode): session_send(), and cb runs exactly once when the reply's fate is
 * known — the server has it (ok; message_id when known, else 0), it was
 * refused for good, the first attempt failed for a reason that will be
 * retried later (ok false, why; the reply stays in the outbox), or it was
 * discarded. Never from inside this call; not at all if the session is
 * freed first. */
typedef void (*session_send_cb)(void *ud, bool ok, int64_t message_id, const char *why);
char *session_send_notify(struct session *s, int64_t conv, const char *text, bool is_private,
                          session_send_cb cb, void *ud, char **err);
/* The same for a reply already in the outbox (after session_retry): cb
 * runs once, as above. 0, or -1 if the outbox has no such reply. */
int session_watch(struct session *s, const char *echo_id, session_send_cb cb, void *ud);

/* ---- what commands ask the server (session_fetch.c, session_act.c) ----
 *
 * Commands never talk to the provider: they ask the session, which reads
 * or acts, classifies the outcome once (the same way its own polling
 * does), and merges what came back into the store before the callback runs
 * (so the screen and the next command see it). Each callback runs exactly
 * once; it may run before the call returns when nothing needs asking (the
 * store has it); never at all if the session is freed first. */

enum session_outcome {
    SESSION_OK,
    SESSION_OFFLINE,   /* no answer, a server error or "slow down": try again later */
    SESSION_AUTH,      /* the token was rejected */
    SESSION_NOT_FOUND, /* no such record on the server */
    SESSION_REFUSED,   /* the server said no, or answered what we cannot read */
};

/* What changed in one conversation: an action's result as the server
 * reports it, or a change pushed by the server. Only the fields named in
 * `fields` mean anything. Strings are borrowed. */
enum conv_change_field {
    CHANGE_STATUS = 1 << 0,   /* status, snoozed_until */
    CHANGE_PRIORITY = 1 << 1, /* priority */
    CHANGE_ASSIGNEE = 1 << 2, /* assignee_id, assignee_name */
    CHANGE_TEAM = 1 << 3,     /* team_id, team_name */
    CHANGE_LABELS = 1 << 4,   /* labels */
    CHANGE_READ = 1 << 5,     /* unread: 0 read; else marked unread */
};

struct conv_change {
    int64_t conv;
    unsigned fields;
    enum conv_status status;
    int64_t snoozed_until; /* CONV_SNOOZED: 0 = until the next reply */
    enum conv_priority priority;
    int64_t assignee_id; /* 0 = nobody */
    const char *assignee_name;
    int64_t team_id; /* 0 = none */
    const char *team_name;
    char *const *labels;
    size_t nlabels;
    int unread;
};

/* How a request ended and what came back (borrowed, valid during the
 * callback); which fields are set depends on the request. */
struct session_answer {
    enum session_outcome outcome;
    const char *why;    /* NULL when OK; else fit to show a person */
    const int64_t *ids; /* conversations (in the store), in the server's order */
    size_t nids;
    const struct message *msgs; /* ascending */
    size_t nmsgs;
    const struct contact *contacts;
    size_t ncontacts;
    char *const *titles; /* a conversation's labels */
    size_t ntitles;
    const struct conv_change *change; /* an action: what the server did */
    int64_t conv;                     /* session_create_conv: the new conversation */
    const char *source_id; /* session_create_contact: its address in the inbox, or NULL */
};

typedef void (*session_cb)(void *ud, const struct session_answer *a);

/* The longest a command's list or thread read goes. */
#define SESSION_LIST_MAX 1000
#define SESSION_THREAD_MAX 5000

/* conv into the store: fresh from the server if fresh, else only when the
 * store does not know it. Offline (or a network failure), a record the
 * store has is good enough. Unknown: SESSION_NOT_FOUND, "no conversation
 * #N". */
void session_get_conv(struct session *s, int64_t conv, bool fresh, session_cb cb, void *ud);
/* A kind of the directory into the store: always when force, else only if
 * the store's list is empty. A failure with a list known is no failure. */
void session_get_dir(struct session *s, enum dir_kind k, bool force, session_cb cb, void *ud);
/* Every page of a conversation list (up to SESSION_LIST_MAX) into the
 * store: ids in the server's order. */
void session_list_all(struct session *s, const struct conv_query *q, session_cb cb, void *ud);
/* A whole thread (up to SESSION_THREAD_MAX messages, ascending) in msgs;
 * not kept in the store. */
void session_thread_all(struct session *s, int64_t conv, session_cb cb, void *ud);
/* One page of a thread, merged into the store and in msgs: the newest
 * (after 0) or those after message `after`. */
void session_read_messages(struct session *s, int64_t conv, int64_t after, session_cb cb, void *ud);
/* A conversation's labels, in titles. */
void session_read_labels(struct session *s, int64_t conv, session_cb cb, void *ud);
/* Contacts matching text (name, email, phone digits), in contacts. */
void session_find_contacts(struct session *s, const char *text, session_cb cb, void *ud);
/* One contact, in contacts[0]. */
void session_get_contact(struct session *s, int64_t contact, session_cb cb, void *ud);
/* A contact's conversations (into the store), newest activity first. */
void session_contact_convs(struct session *s, int64_t contact, session_cb cb, void *ud);

/* An action on one conversation. Its result (what the server says it did)
 * is merged into the store the way a pushed change is, then the
 * conversation is read again; answer.change says what it became. */
enum session_act_kind {
    ACT_STATUS,   /* status, snoozed_until */
    ACT_PRIORITY, /* priority */
    ACT_ASSIGN,   /* id: an agent, 0 = nobody */
    ACT_TEAM,     /* id: a team, 0 = none */
    ACT_LABELS,   /* labels: the whole new set */
    ACT_READ,
    ACT_UNREAD,
};

struct session_act {
    enum session_act_kind kind;
    int64_t conv;
    enum conv_status status;
    int64_t snoozed_until; /* CONV_SNOOZED: epoch seconds, 0 = until the next reply */
    enum conv_priority priority;
    int64_t id;
    const char *const *labels;
    size_t nlabels;
};

void session_act(struct session *s, const struct session_act *a, session_cb cb, void *ud);
/* A new outbound conversation to a contact with a first message; it goes
 * into the store and answer.conv names it. source_id (NULL: none) is the
 * contact's address in the inbox, as session_create_contact gave it. */
void session_create_conv(struct session *s, int64_t inbox, int64_t contact, const char *source_id,
                         const char *text, session_cb cb, void *ud);
/* A new contact with this phone number (E.164), reachable in inbox: in
 * contacts[0], with its address there in source_id. A number another
 * contact has already is SESSION_REFUSED (the server says so). */
void session_create_contact(struct session *s, int64_t inbox, const char *phone, session_cb cb,
                            void *ud);
/* Added (push): the live channel. When the provider has one, the session
 * subscribes once it knows who we are; while it is up nothing is polled
 * (changes are pushed), and each time it comes up the list and the open
 * thread catch up with one request each. session_live_reason says why it
 * is down ("no live channel" for a provider without one). */
bool session_live(const struct session *s);
/* The live channel was tried (the provider has one and live is on): when
 * it is not up, twoway polls instead of it. */
bool session_live_tried(const struct session *s);
const char *session_live_reason(const struct session *s);
/* The agent types in the composer of conv (on: there is text), or stopped
 * (sent, emptied, left). Colleagues are told at most every few seconds,
 * and "stopped" follows by itself after a pause in typing. */
void session_typing(struct session *s, int64_t conv, bool on, bool is_private);

/* Added (for tests): the monotonic clock, in ms, that the session reads for
 * its timers, backoff and retry_at (default, and with NULL:
 * timeutil_mono_ms). session_tick()'s now_ms must come from the same clock. */
void session_set_clock(struct session *s, int64_t (*now_ms)(void));

#endif
