/* session_priv — what session.c (the sync) and session_send.c (the
 * outbox and sending) share: the session itself and its request
 * bookkeeping. Nothing outside src/sync includes this. */
#ifndef TWOWAY_SESSION_PRIV_H
#define TWOWAY_SESSION_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "twoway/provider.h"
#include "twoway/session.h"

#define PAGE_SIZE 25
#define MSG_PAGE 20
#define AFTER_PAGE 100
#define MAX_PAGES 40       /* the list never polls more than this many pages */
#define DIRECTORY_EVERY 12 /* re-read agents, labels… every this many polls */
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
    char *echo_id;
    struct req_ctx *next, *prev;
};

/* Someone waiting for the fate of one reply (session_send_notify). */
struct send_watch {
    char *echo_id;
    int64_t conv;
    session_send_cb cb;
    void *ud;
    struct send_watch *next;
};

/* One page of the list as it arrived, until the whole cycle is in. */
struct page_result {
    int64_t *ids;
    size_t n;
    bool done;
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
    int64_t retry_at;
    int fails;
    int busy;
    bool ready;
    int64_t ready_wall; /* wall time when the first sync finished */
    int64_t me;

    /* The list query and its own copies of the strings. */
    struct conv_query q;
    char *q_label, *q_q, *q_sort;
    uint64_t list_epoch;
    int pages_wanted;
    bool list_complete;
    struct page_result pages[MAX_PAGES];
    int pages_pending;
    struct conv_counts counts;
    bool counts_ok;
    bool list_ok; /* a list answer has arrived at least once */

    bool feed_pending;
    int polls;
    int64_t next_poll;

    int64_t open_conv;
    uint64_t thread_epoch;
    bool thread_pending;
    bool older_pending;

    struct outbox *outbox;
    bool send_pending;
    int64_t send_next_ms; /* earliest next send attempt (backoff) */
    int send_fails;

    struct req_ctx *reqs;
    struct send_watch *watches; /* session_send_notify() callers waiting */
    int64_t (*clock)(void);     /* monotonic ms (a seam for tests) */
};

/* session.c */
int64_t session_mono(const struct session *s);
struct req_ctx *session_req_new(struct session *s, enum req_kind kind);
void session_req_done(struct req_ctx *r);
/* Every answer passes through here: it decides the connection state;
 * true if the result is usable. */
bool session_note_result(struct session *s, const struct prov_result *res);
int64_t session_backoff_ms(int fails, long retry_after);

/* session_send.c */
void session_send_next(struct session *s);
/* Show the outbox's replies as local messages (at start). */
void session_outbox_show_locals(struct session *s);

#endif
