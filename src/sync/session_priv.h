/* session_priv — what session.c (the sync) and session_send.c (the
 * outbox and sending) share: the session itself and its request
 * bookkeeping. Nothing outside src/sync includes this. */
#ifndef TWOWAY_SESSION_PRIV_H
#define TWOWAY_SESSION_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "twoway/provider.h"
#include "twoway/session.h"

/* Agents, teams, labels change rarely and are not pushed: re-read them this
 * often (and whenever asked). */
#define DIRECTORY_EVERY_MS (30 * 60 * 1000)
#define BACKOFF_MAX_MS 60000

enum req_kind {
    REQ_PROFILE,
    REQ_DIRECTORY,
    REQ_LIST,
    REQ_FEED,
    REQ_THREAD_NEW,
    REQ_THREAD_OLDER,
    REQ_CONV,
    REQ_VERIFY,
    REQ_SEND,
    REQ_MARK_READ,
    REQ_COMMAND, /* a command's read or action (session_fetch.c, session_act.c) */
    REQ_TYPING,
};

/* The context of one request in flight. Kept on a list so that the
 * session can free them all if it goes away first. */
struct req_ctx {
    struct session *s;
    enum req_kind kind;
    uint64_t epoch; /* list/thread generation the answer belongs to */
    int page;
    enum dir_kind dir_kind;
    int64_t conv;
    int64_t after; /* REQ_VERIFY: the page asked for messages after this id */
    char *echo_id;
    /* REQ_COMMAND: the command's callback, and the request's own state
     * (freed with it by free_job, if set). */
    session_cb cb;
    void *cb_ud;
    void *job;
    void (*free_job)(void *job);
    /* REQ_COMMAND asked through session_cmd_ask(): how to ask (again), who
     * reads the answer, and the wait after a "slow down" (429). */
    void (*ask)(struct req_ctx *r);
    prov_cb answer;
    int slowed;       /* 429s so far */
    int64_t again_at; /* monotonic ms of the next ask; 0: not waiting */
    struct req_ctx *next, *prev;
};

/* A reply of ours the server stored, as message id in conversation conv. */
struct claimed_id {
    int64_t conv, id;
};

/* Someone waiting for the fate of one reply (session_send_notify). */
struct send_watch {
    char *echo_id;
    int64_t conv;
    session_send_cb cb;
    void *ud;
    struct send_watch *next;
};

struct session {
    struct provider *p;
    struct store *st;
    int poll_ms;
    char *state_dir;
    bool keep_unread;
    struct session_listener l;

    enum conn_state state;
    char *reason;
    uint64_t state_gen; /* changes of state or reason */
    int64_t retry_at;
    int fails;
    int busy;
    bool ready;
    int64_t ready_wall; /* wall time when the first sync finished */
    int64_t me;

    /* The list query and its own copies of the strings. */
    struct conv_query q;
    char *q_label, *q_q, *q_sort;
    bool query_set; /* session_set_query was called */
    bool started;   /* session_start was called */
    uint64_t list_epoch;

    /* The list as loaded (session_list.c): ids in the server's order, the
     * pages loaded from the top, and what is in flight. */
    int64_t *list_ids;
    size_t nlist, caplist;
    int list_pages;
    bool list_complete;
    bool list_loading;     /* a page of the list (first or next) in flight */
    bool list_load_all;    /* keep loading pages until the last */
    bool list_ok;          /* a list answer has arrived at least once */
    bool changes_pending;  /* a catch-up in flight */
    bool changes_again;    /* another was asked for meanwhile */
    int64_t changes_since; /* wall s: what changed since then is known */
    int64_t changes_asked; /* wall s when the catch-up in flight left */
    int changes_window;    /* its updated_within */
    int updated_within_ok; /* -1 not known, 0 the server ignores it, 1 works */
    /* The server's part of the limit (session_set_filter), and the whole
     * filter asked for: the query's own fields as conditions, then it. */
    struct conv_filter limit_filter;
    struct conv_filter list_filter;
    bool filter_on;
    int64_t filter_total;  /* what passes it, all pages (-1 not known) */
    int list_first;        /* the first page of the loaded window (1: the top) */
    int load_budget;       /* pages left to load by themselves (limit not said) */
    int64_t *changes_seen; /* ids the catch-up in flight has had, its pages */
    size_t nchanges_seen, capchanges_seen;
    int64_t *refresh_ids; /* the page-1 refresh (without updated_within) */
    size_t nrefresh;
    struct conv_counts counts;
    bool counts_ok;
    bool counts_pending;

    bool feed_pending;
    int polls;
    int64_t next_poll;
    int64_t next_directory;

    int64_t open_conv;
    uint64_t thread_epoch;
    bool thread_pending;
    /* The open thread's last read failed: the next poll reads it again,
     * whether or not the list says it changed. */
    bool thread_retry;
    bool older_pending;

    struct outbox *outbox;
    bool send_pending;
    int64_t send_next_ms; /* earliest next send attempt (backoff) */
    int send_fails;
    /* Replies delivered in this session (oldest first), so a look for a
     * later reply with the same text does not take one of them for it. */
    struct claimed_id *claimed;
    size_t nclaimed;

    /* What session_follow_view() saw last (the query itself is q). */
    bool followed;
    uint64_t view_gen;

    /* The loop's timer that runs session_tick() at session_next_ms(). */
    struct session_sched sched;
    uint64_t timer;
    int64_t timer_at;

    /* The live channel (session_live.c). */
    bool no_live;           /* the agent said live = no */
    bool live_started;      /* subscribed (the provider has a channel) */
    bool live;              /* up: changes are pushed, polling stops */
    char *live_why;         /* why it is down ("" if up or never tried) */
    int64_t typing_next;    /* monotonic ms of the next typing lapse; 0 none */
    int64_t my_typing_conv; /* where we told colleagues we type; 0 none */
    bool my_typing_private;
    int64_t my_typing_sent;    /* when "on" last went out */
    int64_t my_typing_idle_at; /* "off" goes out then, unless we type on */

    struct req_ctx *reqs;
    struct send_watch *watches; /* session_send_notify() callers waiting */
    int64_t (*clock)(void);     /* monotonic ms (a seam for tests) */
};

/* ---- pages (session_page.c): how big a page is and where a read ends
 * (doc/api.md §3.1, §4.1) ---- */

#define LIST_PAGE 25   /* conversations in a page of a list */
#define THREAD_PAGE 20 /* messages in the newest or an older page */
#define AFTER_PAGE 100 /* the most messages after= brings */

/* Is this page of a list the last? Shorter than a full page, empty, or
 * with nothing that earlier pages did not have. */
bool session_page_list_last(size_t got, size_t added);
/* Is this page of older messages (or the newest page) the start of the
 * thread? Shorter than a full page, or not reaching further back. */
bool session_page_thread_start(size_t got, bool progress);
/* Every kind of the directory, into the store (a poll's). */
void session_page_request_directory(struct session *s);

/* ---- the one store writer (session_merge.c): everything from the server,
 * polled, answered to a command, or pushed, goes into the store here ---- */

/* A conversation (takes what *c owns); tells the listener of a new
 * message from someone else. Returns store_put_result bits. */
unsigned session_merge_conv(struct session *s, struct conversation *c);
/* Tell the listener of message m of conversation c if it is news (from
 * someone else, since the first sync): polled and pushed alike. */
void session_merge_news(struct session *s, const struct conversation *c, const struct message *m);
/* Messages of a thread (takes what they own; the array stays the
 * caller's); returns how many were new. */
size_t session_merge_messages(struct session *s, int64_t conv, struct message *msgs, size_t n);
/* A kind of the directory, whole (takes the result's list of that kind). */
void session_merge_dir(struct session *s, enum dir_kind k, struct directory *d);
/* A change to one conversation (an action's result or a push): applied to
 * the stored record at once, then the record is read again. */
void session_merge_change(struct session *s, const struct conv_change *ch);

/* ---- commands' requests (session_fetch.c, session_act.c) ---- */

/* A request on behalf of a command: cb(ud) gets the answer. job (freed
 * with free_job when the request is done) is the request's own state. */
struct req_ctx *session_cmd_req(struct session *s, session_cb cb, void *ud, void *job,
                                void (*free_job)(void *));
/* Answer the command and end the request. */
void session_cmd_answer(struct req_ctx *r, const struct session_answer *a);
/* Answer with the outcome of a failed result; why is its message, else
 * fallback, else the error's name. */
void session_cmd_fail(struct req_ctx *r, const struct prov_result *res, const char *fallback);
/* Is the result usable (after it told the connection state)? If not, the
 * command is answered with why (session_cmd_fail) and false. */
bool session_cmd_usable(struct req_ctx *r, const struct prov_result *res, const char *fallback);
/* A provider that cannot do this at all (op is NULL): answered at once,
 * true. */
bool session_cmd_missing(const void *op, session_cb cb, void *ud);
/* Answer at once, without asking anything (OK, or the outcome and why). */
void session_cmd_now(session_cb cb, void *ud, enum session_outcome o, const char *why);
/* Ask: ask(r) calls the provider with session_cmd_relay as the callback,
 * which hands the answer to answer(r, res) -- unless the server said "slow
 * down" (429, Retry-After or not, JSON or plain text such as Chatwoot's
 * "Retry later"): then the request waits as long as the server asked
 * (else the backoff) and asks again, up to SESSION_SLOWED_MAX times. The
 * server did not act on a 429, so this is for reads and for actions that
 * set a state (asking twice sets it once); a message or a new
 * conversation never comes this way (the outbox verifies before it sends
 * again). */
#define SESSION_SLOWED_MAX 6
void session_cmd_ask(struct req_ctx *r, void (*ask)(struct req_ctx *r), prov_cb answer);
void session_cmd_relay(void *ud, struct prov_result *res);
/* The earliest ask due again (-1: none); ask those due by now. */
int64_t session_cmd_next_ms(const struct session *s);
void session_cmd_tick(struct session *s, int64_t now);

/* session.c */
int64_t session_mono(const struct session *s);
/* The next deadline changed (a poll, a retry, a send): the timer follows. */
void session_resched(struct session *s);
void session_set_send_next(struct session *s, int64_t when);
/* The one classification of a provider error: what it means for a caller. */
enum session_outcome session_outcome_of(enum prov_err e);
/* Why a result failed, fit to show (its message, or the error's name). */
const char *session_why(const struct prov_result *res);
struct req_ctx *session_req_new(struct session *s, enum req_kind kind);
void session_req_done(struct req_ctx *r);
/* Free a request (its job too) without touching the session's list. */
void session_req_free(struct req_ctx *r);
/* Every answer passes through here: it decides the connection state;
 * true if the result is usable. */
bool session_note_result(struct session *s, const struct prov_result *res);
int64_t session_backoff_ms(int fails, long retry_after);

/* The list's recent changes (one request; the open thread too when it
 * changed). */
void session_request_list(struct session *s);
/* session_list.c: the first page of the query (a new query, or none yet). */
void session_list_load(struct session *s);
/* A pushed change of conversation id: placed in the list at once (newest:
 * its activity is the latest there is). */
void session_list_pushed(struct session *s, int64_t id, bool newest);
void session_poll_done_maybe(struct session *s);
/* When the next poll is due (INT64_MAX: none); the timer follows. */
void session_set_next_poll(struct session *s, int64_t when);
void session_check_ready(struct session *s);
void session_request_thread_new(struct session *s);
void session_mark_read(struct session *s, int64_t conv);

/* session_live.c */
/* Subscribe to the live channel once the profile is known (no-op without
 * one, or when already subscribed). */
void session_live_start(struct session *s);
/* Drop typing marks that lapsed; the next lapse (-1 none). */
int64_t session_live_expire(struct session *s, int64_t now);

/* session_send.c */
void session_send_next(struct session *s);
/* Show the outbox's replies as local messages (at start). */
void session_outbox_show_locals(struct session *s);
/* Messages of conv were merged: a reply of the outbox whose fate was open
 * (sent before, no answer in flight) and that the thread now holds by its
 * echo_id reached the server; it leaves the outbox, as delivered. */
void session_outbox_seen(struct session *s, int64_t conv);

#endif
