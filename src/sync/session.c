/* session — a live connection to one account. */
#include "twoway/session.h"

#include <stdlib.h>
#include <string.h>

#include "twoway/log.h"
#include "twoway/outbox.h"
#include "twoway/paths.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define PAGE_SIZE 25
#define MSG_PAGE 20
#define AFTER_PAGE 100
#define MAX_PAGES 40        /* the list never polls more than this many pages */
#define DIRECTORY_EVERY 12  /* re-read agents, labels… every this many polls */
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
    int dir_part;
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
    bool poll_scheduled_now;

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

static int64_t mono(const struct session *s)
{
    return s->clock();
}

/* ---- request bookkeeping ---- */

static struct req_ctx *req_new(struct session *s, enum req_kind kind)
{
    struct req_ctx *r = xcalloc(1, sizeof *r);
    r->s = s;
    r->kind = kind;
    r->next = s->reqs;
    if (s->reqs)
        s->reqs->prev = r;
    s->reqs = r;
    s->busy++;
    return r;
}

static void req_done(struct req_ctx *r)
{
    struct session *s = r->s;
    if (r->prev)
        r->prev->next = r->next;
    else
        s->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    s->busy--;
    free(r->echo_id);
    free(r);
}

/* ---- connection state ---- */

static void set_state(struct session *s, enum conn_state st, const char *reason)
{
    bool changed = s->state != st || strcmp(s->reason, reason ? reason : "") != 0;
    s->state = st;
    free(s->reason);
    s->reason = xstrdup(reason ? reason : "");
    if (changed && s->l.state)
        s->l.state(s->l.ud);
}

static int64_t backoff_ms(int fails, long retry_after)
{
    int64_t ms = 1000;
    for (int i = 1; i < fails && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    if (ms > BACKOFF_MAX_MS)
        ms = BACKOFF_MAX_MS;
    if (retry_after > 0 && retry_after * 1000 > ms)
        ms = retry_after * 1000 > 600000 ? 600000 : retry_after * 1000;
    return ms;
}

/* Every answer passes through here: it decides the connection state.
 * Returns true if the result is usable. */
static bool note_result(struct session *s, const struct prov_result *res)
{
    switch (res->err) {
    case PROV_OK:
        if (s->state != CONN_ONLINE || s->fails) {
            s->fails = 0;
            set_state(s, CONN_ONLINE, "");
        }
        return true;
    case PROV_ERR_AUTH:
        set_state(s, CONN_AUTH_FAILED, res->message ? res->message : "token rejected");
        return false;
    case PROV_ERR_NETWORK:
    case PROV_ERR_SERVER:
    case PROV_ERR_RATE: {
        /* Requests sent together fail together: that is one failed round,
         * not one step of backoff per request (a start without network
         * would otherwise wait a minute before its first retry). */
        int64_t now = mono(s);
        if (s->state != CONN_RETRYING || now >= s->retry_at) {
            s->fails++;
            s->retry_at = now + backoff_ms(s->fails, res->retry_after);
        } else if (res->retry_after > 0) {
            int64_t at = now + backoff_ms(s->fails, res->retry_after);
            if (at > s->retry_at)
                s->retry_at = at;
        }
        int64_t wait = s->retry_at - now;
        if (s->next_poll < s->retry_at)
            s->next_poll = s->retry_at;
        log_info("request failed (%s); retrying in %lld ms", res->message ? res->message : "?",
                 (long long)wait);
        set_state(s, CONN_RETRYING, res->message ? res->message : provider_err_name(res->err));
        return false;
    }
    default:
        /* The server answered: the connection is fine, this request was not. */
        return false;
    }
}

/* ---- conversations ---- */

/* Put a conversation and tell the listener about a new message from the
 * customer (never for what the first sync finds). */
static void put_conv(struct session *s, struct conversation *c)
{
    int64_t id = c->id;
    unsigned r = store_put_conv(s->st, c);
    if (!(r & (STORE_PUT_NEW | STORE_PUT_NEW_MESSAGE)) || !s->ready || !s->l.inbound)
        return;
    const struct conversation *now = store_conv(s->st, id);
    if (!now || !now->has_last)
        return;
    const struct message *m = &now->last;
    /* Old conversations showing up through paging are not news. */
    if (m->created_at < s->ready_wall - 5)
        return;
    /* The customer's messages, and colleagues' private notes (they may
     * mention us); never activity, our own, or a colleague's reply. */
    bool note_by_other = m->type == MSG_OUTGOING && m->is_private &&
                         !(m->sender_kind == SENDER_AGENT && m->sender_id == s->me);
    if (m->type != MSG_INCOMING && !note_by_other)
        return;
    s->l.inbound(s->l.ud, now, m);
}

/* ---- the poll cycle ---- */

static void poll_done_maybe(struct session *s)
{
    if (s->pages_pending || s->feed_pending || s->thread_pending)
        return;
    int64_t next = mono(s) + s->poll_ms;
    if (s->state == CONN_RETRYING && s->retry_at > mono(s))
        next = s->retry_at;
    s->next_poll = next;
}

static void finish_list(struct session *s)
{
    size_t total = 0;
    for (int i = 0; i < s->pages_wanted; i++)
        total += s->pages[i].n;
    int64_t *ids = xcalloc(total ? total : 1, sizeof *ids);
    size_t n = 0;
    for (int i = 0; i < s->pages_wanted; i++) {
        for (size_t j = 0; j < s->pages[i].n; j++) {
            int64_t id = s->pages[i].ids[j];
            bool dup = false;
            /* Pages can overlap while the list moves under us. */
            for (size_t k = n; k-- > 0 && !dup;)
                dup = ids[k] == id;
            if (!dup)
                ids[n++] = id;
        }
    }
    store_list_set(s->st, ids, n);
    free(ids);
    if (s->counts_ok)
        store_set_counts(s->st, &s->counts);
}

static void clear_pages(struct session *s)
{
    for (int i = 0; i < MAX_PAGES; i++) {
        free(s->pages[i].ids);
        s->pages[i].ids = NULL;
        s->pages[i].n = 0;
        s->pages[i].done = false;
    }
}

static void check_ready(struct session *s);

static void on_list(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (r->epoch != s->list_epoch) { /* the query changed meanwhile */
        req_done(r);
        return;
    }
    s->pages_pending--;
    if (note_result(s, res)) {
        struct page_result *pg = &s->pages[r->page - 1];
        free(pg->ids);
        pg->ids = xcalloc(res->nconvs ? res->nconvs : 1, sizeof *pg->ids);
        pg->n = 0;
        for (size_t i = 0; i < res->nconvs; i++) {
            pg->ids[pg->n++] = res->convs[i].id;
            put_conv(s, &res->convs[i]);
        }
        pg->done = true;
        s->list_ok = true;
        if (r->page == s->pages_wanted)
            s->list_complete = res->nconvs < PAGE_SIZE;
        if (r->page == 1 && res->has_counts) {
            s->counts = res->counts;
            s->counts_ok = true;
        }
    }
    if (s->pages_pending == 0) {
        bool all = true;
        for (int i = 0; i < s->pages_wanted; i++)
            all = all && s->pages[i].done;
        if (all)
            finish_list(s);
        check_ready(s);
    }
    req_done(r);
    poll_done_maybe(s);
}

static void request_list(struct session *s)
{
    if (s->pages_pending)
        return; /* a cycle is in flight; its answer comes soon */
    for (int i = 0; i < s->pages_wanted; i++)
        s->pages[i].done = false;
    for (int page = 1; page <= s->pages_wanted; page++) {
        struct req_ctx *r = req_new(s, REQ_LIST);
        r->epoch = s->list_epoch;
        r->page = page;
        struct conv_query q = s->q;
        q.page = page;
        s->pages_pending++;
        s->p->ops->list_conversations(s->p, &q, on_list, r);
    }
}

/* The feed: the newest open conversations of every assignee, so that a
 * customer who writes in is noticed whatever the list shows. */
static void on_feed(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->feed_pending = false;
    if (note_result(s, res))
        for (size_t i = 0; i < res->nconvs; i++)
            put_conv(s, &res->convs[i]);
    req_done(r);
    poll_done_maybe(s);
}

static bool query_is_feed(const struct conv_query *q)
{
    return q->assignee == ASSIGNEE_ALL && q->status == CONV_OPEN && !q->inbox_id && !q->team_id &&
           !q->label && !q->q;
}

static void request_feed(struct session *s)
{
    if (s->feed_pending || query_is_feed(&s->q))
        return;
    struct conv_query q = {.assignee = ASSIGNEE_ALL, .status = CONV_OPEN, .page = 1};
    struct req_ctx *r = req_new(s, REQ_FEED);
    s->feed_pending = true;
    s->p->ops->list_conversations(s->p, &q, on_feed, r);
}

static void request_thread_new(struct session *s);
static void mark_read(struct session *s, int64_t conv);

/* How long a reply may stay "sent" before we stop asking about it. */
#define SETTLE_SECS (6 * 3600)

/* The oldest public reply of ours in the thread that is sent but not yet
 * delivered or failed (0 if none). */
static int64_t oldest_unsettled(struct session *s, int64_t conv)
{
    size_t n = 0;
    const struct message *m = store_thread(s->st, conv, &n);
    int64_t since = timeutil_now() - SETTLE_SECS;
    for (size_t i = 0; i < n; i++)
        if (m[i].id > 0 && m[i].type == MSG_OUTGOING && !m[i].is_private &&
            m[i].status == MSGST_SENT && m[i].created_at >= since)
            return m[i].id;
    return 0;
}

static void on_thread_new(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    bool more = false;
    if (r->epoch == s->thread_epoch)
        s->thread_pending = false; /* else it belongs to the thread opened since */
    if (r->epoch == s->thread_epoch && note_result(s, res)) {
        int64_t last = store_thread_last_id(s->st, r->conv);
        bool first = last == 0;
        bool news = false;
        for (size_t i = 0; i < res->nmsgs; i++)
            news = news || (res->msgs[i].type == MSG_INCOMING && res->msgs[i].id > last);
        store_thread_merge(s->st, r->conv, res->msgs, res->nmsgs);
        /* The agent is looking at it: what arrives is read. */
        if (news && !first)
            mark_read(s, r->conv);
        if (first && res->nmsgs < MSG_PAGE)
            store_thread_set_complete(s->st, r->conv, true);
        /* A burst of more than a page: keep reading. */
        more = !first && res->nmsgs >= AFTER_PAGE;
    }
    req_done(r);
    if (more)
        request_thread_new(s);
    poll_done_maybe(s);
}

static void request_thread_new(struct session *s)
{
    if (!s->open_conv || s->thread_pending)
        return;
    struct req_ctx *r = req_new(s, REQ_THREAD_NEW);
    r->conv = s->open_conv;
    r->epoch = s->thread_epoch;
    s->thread_pending = true;
    int64_t last = store_thread_last_id(s->st, s->open_conv);
    /* Our replies still on their way are read again, so that delivered
     * or failed shows. */
    int64_t unsettled = oldest_unsettled(s, s->open_conv);
    if (unsettled && unsettled - 1 < last)
        last = unsettled - 1;
    s->p->ops->list_messages(s->p, s->open_conv, 0, last, on_thread_new, r);
}

static void on_directory(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (note_result(s, res)) {
        switch (r->dir_part) {
        case 0:
            store_set_agents(s->st, res->agents, res->nagents);
            res->agents = NULL;
            res->nagents = 0;
            break;
        case 1:
            store_set_teams(s->st, res->teams, res->nteams);
            res->teams = NULL;
            res->nteams = 0;
            break;
        case 2:
            store_set_labels(s->st, res->labels, res->nlabels);
            res->labels = NULL;
            res->nlabels = 0;
            break;
        case 3:
            store_set_inboxes(s->st, res->inboxes, res->ninboxes);
            res->inboxes = NULL;
            res->ninboxes = 0;
            break;
        case 4:
            store_set_templates(s->st, res->templates, res->ntemplates);
            res->templates = NULL;
            res->ntemplates = 0;
            break;
        }
    }
    req_done(r);
}

static void request_directory(struct session *s)
{
    for (int part = 0; part < 5; part++) {
        struct req_ctx *r = req_new(s, REQ_DIRECTORY);
        r->dir_part = part;
        const struct provider_ops *o = s->p->ops;
        void (*fn[])(struct provider *, prov_cb, void *) = {
            o->list_agents, o->list_teams, o->list_labels, o->list_inboxes, o->list_templates,
        };
        fn[part](s->p, on_directory, r);
    }
}

static void poll_now(struct session *s)
{
    if (s->state == CONN_AUTH_FAILED)
        return;
    s->polls++;
    s->next_poll = INT64_MAX; /* until this cycle's answers are in */
    request_list(s);
    request_feed(s);
    request_thread_new(s);
    if (s->polls % DIRECTORY_EVERY == 0)
        request_directory(s);
    poll_done_maybe(s);
}

/* ---- profile and readiness ---- */

static void send_next(struct session *s);
static void outbox_show_locals(struct session *s);

static void check_ready(struct session *s)
{
    if (s->ready || !s->me || s->pages_pending || !s->list_ok)
        return;
    s->ready = true;
    s->ready_wall = timeutil_now();
    if (s->l.state)
        s->l.state(s->l.ud);
    send_next(s);
}

static void on_profile(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (note_result(s, res) && res->has_profile) {
        s->me = res->profile.id;
        store_set_profile(s->st, &res->profile);
        res->has_profile = false;
        check_ready(s);
    } else if (s->state != CONN_AUTH_FAILED) {
        /* Without knowing who we are nothing else makes sense: ask again
         * at the next poll. */
        s->me = 0;
    }
    req_done(r);
}

static void request_profile(struct session *s)
{
    struct req_ctx *r = req_new(s, REQ_PROFILE);
    s->p->ops->profile(s->p, on_profile, r);
}

/* ---- public: lifecycle ---- */

struct session *session_new(struct provider *p, struct store *st, const struct session_opts *o)
{
    struct session *s = xcalloc(1, sizeof *s);
    s->p = p;
    s->st = st;
    s->poll_ms = o->poll_ms > 0 ? o->poll_ms : 5000;
    s->state_dir = xstrdup(o->state_dir);
    s->keep_unread = o->keep_unread;
    s->reason = xstrdup("");
    s->state = CONN_CONNECTING;
    s->q.assignee = ASSIGNEE_ALL;
    s->q.status = CONV_OPEN;
    s->q.page = 1;
    s->pages_wanted = 1;
    s->next_poll = INT64_MAX;
    s->clock = timeutil_mono_ms;

    char *err = NULL;
    paths_mkdir_p(s->state_dir, 0700, NULL);
    char *path = xasprintf("%s/outbox.jsonl", s->state_dir);
    s->outbox = outbox_open(path, &err);
    if (!s->outbox) {
        /* Unreadable outbox: keep it aside rather than overwrite it. */
        log_error("%s", err);
        free(err);
        err = NULL;
        char *aside = xasprintf("%s.unreadable", path);
        rename(path, aside);
        free(aside);
        s->outbox = outbox_open(path, &err);
        if (!s->outbox) /* the directory itself is unusable: sends say why */
            s->outbox = outbox_new(path);
    }
    if (err) {
        log_warn("%s", err);
        free(err);
    }
    free(path);
    outbox_show_locals(s);
    return s;
}

void session_free(struct session **ps)
{
    struct session *s = *ps;
    if (!s)
        return;
    /* The provider cancels what is in flight without calling back. */
    provider_free(&s->p);
    while (s->reqs) {
        struct req_ctx *r = s->reqs;
        s->reqs = r->next;
        free(r->echo_id);
        free(r);
    }
    clear_pages(s);
    outbox_free(&s->outbox);
    while (s->watches) {
        struct send_watch *w = s->watches;
        s->watches = w->next;
        free(w->echo_id);
        free(w);
    }
    free(s->q_label);
    free(s->q_q);
    free(s->q_sort);
    free(s->reason);
    free(s->state_dir);
    free(s);
    *ps = NULL;
}

void session_set_listener(struct session *s, const struct session_listener *l)
{
    s->l = *l;
}

void session_set_clock(struct session *s, int64_t (*now_ms)(void))
{
    s->clock = now_ms ? now_ms : timeutil_mono_ms;
}

void session_start(struct session *s)
{
    request_profile(s);
    request_directory(s);
    poll_now(s);
}

int64_t session_next_ms(const struct session *s)
{
    /* session_tick() does nothing any more: a deadline would spin the loop. */
    if (s->state == CONN_AUTH_FAILED)
        return -1;
    int64_t t = s->next_poll;
    if (s->outbox && !s->send_pending && s->send_next_ms && s->send_next_ms < t)
        t = s->send_next_ms;
    return t == INT64_MAX ? -1 : t;
}

void session_tick(struct session *s, int64_t now)
{
    if (s->state == CONN_AUTH_FAILED)
        return;
    if (now >= s->next_poll) {
        if (!s->me)
            request_profile(s);
        poll_now(s);
    }
    if (s->send_next_ms && now >= s->send_next_ms) {
        s->send_next_ms = 0;
        send_next(s);
    }
}

enum conn_state session_state(const struct session *s)
{
    return s->state;
}

const char *session_state_reason(const struct session *s)
{
    return s->reason;
}

int64_t session_retry_at(const struct session *s)
{
    return s->retry_at;
}

int session_busy(const struct session *s)
{
    return s->busy;
}

bool session_ready(const struct session *s)
{
    return s->ready;
}

struct provider *session_provider(struct session *s)
{
    return s->p;
}

struct store *session_store(struct session *s)
{
    return s->st;
}

int64_t session_me(const struct session *s)
{
    return s->me;
}

/* ---- public: the list ---- */

void session_set_query(struct session *s, const struct conv_query *q)
{
    free(s->q_label);
    free(s->q_q);
    free(s->q_sort);
    s->q = *q;
    s->q_label = q->label ? xstrdup(q->label) : NULL;
    s->q_q = q->q ? xstrdup(q->q) : NULL;
    s->q_sort = q->sort_by ? xstrdup(q->sort_by) : NULL;
    s->q.label = s->q_label;
    s->q.q = s->q_q;
    s->q.sort_by = s->q_sort;
    s->q.page = 1;
    s->list_epoch++;
    s->pages_pending = 0;
    s->pages_wanted = 1;
    s->list_complete = false;
    s->counts_ok = false;
    clear_pages(s);
    request_list(s);
}

void session_load_more(struct session *s)
{
    if (s->list_complete || s->pages_pending || s->pages_wanted >= MAX_PAGES)
        return;
    s->pages_wanted++;
    /* Fetch only the new page now; the next poll refreshes all of them. */
    struct req_ctx *r = req_new(s, REQ_LIST);
    r->epoch = s->list_epoch;
    r->page = s->pages_wanted;
    for (int i = 0; i < s->pages_wanted - 1; i++)
        s->pages[i].done = true;
    struct conv_query q = s->q;
    q.page = r->page;
    s->pages_pending++;
    s->p->ops->list_conversations(s->p, &q, on_list, r);
}

bool session_list_complete(const struct session *s)
{
    return s->list_complete;
}

void session_refresh(struct session *s)
{
    if (s->state == CONN_AUTH_FAILED)
        return;
    if (!s->me)
        request_profile(s);
    request_directory(s);
    poll_now(s);
}

/* ---- public: threads ---- */

static void on_mark_read(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    note_result(r->s, res);
    req_done(r);
}

void session_open(struct session *s, int64_t conv)
{
    if (s->open_conv == conv)
        return;
    s->open_conv = conv;
    s->thread_epoch++;
    s->thread_pending = false;
    s->older_pending = false;
    if (!conv)
        return;
    request_thread_new(s);
    mark_read(s, conv);
}

static void mark_read(struct session *s, int64_t conv)
{
    if (s->keep_unread)
        return;
    struct req_ctx *r = req_new(s, REQ_MARK_READ);
    s->p->ops->mark_read(s->p, conv, on_mark_read, r);
    struct conversation *c = store_conv_edit(s->st, conv);
    if (c && c->unread) {
        c->unread = 0;
        store_conv_touched(s->st, conv);
    }
}

static void on_thread_older(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (r->epoch == s->thread_epoch)
        s->older_pending = false;
    if (note_result(s, res)) {
        store_thread_merge(s->st, r->conv, res->msgs, res->nmsgs);
        if (res->nmsgs < MSG_PAGE)
            store_thread_set_complete(s->st, r->conv, true);
    }
    req_done(r);
}

void session_load_older(struct session *s, int64_t conv)
{
    if (s->older_pending || store_thread_complete(s->st, conv))
        return;
    int64_t first = store_thread_first_id(s->st, conv);
    if (!first)
        return; /* the newest page is still on its way */
    struct req_ctx *r = req_new(s, REQ_THREAD_OLDER);
    r->conv = conv;
    r->epoch = s->thread_epoch;
    s->older_pending = true;
    s->p->ops->list_messages(s->p, conv, first, 0, on_thread_older, r);
}

bool session_loading_older(const struct session *s, int64_t conv)
{
    return s->older_pending && s->open_conv == conv;
}

static void on_conv(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (note_result(r->s, res) && res->has_conv) {
        put_conv(r->s, &res->conv);
        res->has_conv = false;
    }
    req_done(r);
}

void session_fetch_conv(struct session *s, int64_t conv)
{
    struct req_ctx *r = req_new(s, REQ_CONV);
    r->conv = conv;
    s->p->ops->get_conversation(s->p, conv, on_conv, r);
}

/* ---- public: sending ---- */

static void show_local(struct session *s, const struct outbox_entry *e)
{
    struct message m = {0};
    m.conv_id = e->conv;
    m.type = MSG_OUTGOING;
    m.is_private = e->is_private;
    m.status = e->state == OUTBOX_FAILED ? MSGST_FAILED : MSGST_SENDING;
    m.sender_kind = SENDER_AGENT;
    m.sender_id = s->me;
    m.sender_name = xstrdup("");
    m.content = text_sanitize_str(e->content, TEXT_MULTI_LINE);
    m.external_error = xstrdup(e->error ? e->error : "");
    m.echo_id = xstrdup(e->echo_id);
    m.created_at = e->created_at;
    store_thread_put_local(s->st, e->conv, &m);
}

static void outbox_show_locals(struct session *s)
{
    for (size_t i = 0; i < outbox_len(s->outbox); i++) {
        struct outbox_entry *e = outbox_at(s->outbox, i);
        /* Sent before a crash or not, we cannot know: look first. */
        if (e->attempts > 0 && e->state == OUTBOX_PENDING)
            e->verify = true;
        /* Nobody said yes before twoway stopped: keep it, do not send it. */
        if (e->held) {
            e->held = false;
            e->state = OUTBOX_FAILED;
            free(e->error);
            e->error = xstrdup("not sent: twoway stopped before it was confirmed; "
                               "retry sends it, discard edits it");
        }
        show_local(s, e);
    }
}

static void save_outbox(struct session *s)
{
    char *err = NULL;
    if (outbox_save(s->outbox, &err) < 0) {
        log_error("%s", err);
        free(err);
    }
}

/* Tell the one waiting for this reply, if any (once). */
static void watch_fire(struct session *s, int64_t conv, const char *echo, bool ok, const char *why)
{
    for (struct send_watch **pp = &s->watches; *pp; pp = &(*pp)->next) {
        struct send_watch *w = *pp;
        if (strcmp(w->echo_id, echo) != 0)
            continue;
        *pp = w->next;
        const struct message *m = ok ? store_thread_find_echo(s->st, conv, echo) : NULL;
        w->cb(w->ud, ok, m ? m->id : 0, why);
        free(w->echo_id);
        free(w);
        return;
    }
}

static void finished(struct session *s, int64_t conv, const char *echo, bool ok, const char *why)
{
    watch_fire(s, conv, echo, ok, why);
    if (s->l.sent)
        s->l.sent(s->l.ud, conv, echo, ok, why);
}

/* The server has it (as message server_id, 0 if unknown): take it off the
 * outbox. */
static void delivered(struct session *s, const char *echo_id, int64_t conv, int64_t server_id)
{
    char *err = NULL;
    char *echo = xstrdup(echo_id);
    /* Replies go out one at a time, in order, so every other reply of this
     * conversation still queued reaches the server after this one: a later
     * verify must not look at or before server_id, where a reply with the
     * same text ("ok" twice) would be taken for it and never sent. Saved
     * with the removal below. */
    for (size_t i = 0; i < outbox_len(s->outbox); i++) {
        struct outbox_entry *o = outbox_at(s->outbox, i);
        if (o->conv == conv && o->after_id < server_id)
            o->after_id = server_id;
    }
    store_thread_remove_local(s->st, conv, echo);
    if (outbox_remove(s->outbox, echo, &err) < 0) {
        log_error("%s", err);
        free(err);
    }
    s->send_fails = 0;
    finished(s, conv, echo, true, NULL);
    free(echo);
}

static struct outbox_entry *next_pending(struct session *s)
{
    for (size_t i = 0; i < outbox_len(s->outbox); i++) {
        struct outbox_entry *e = outbox_at(s->outbox, i);
        if (e->state == OUTBOX_PENDING && !e->held)
            return e;
    }
    return NULL;
}

static void retry_later(struct session *s, struct outbox_entry *e, const struct prov_result *res)
{
    s->send_fails++;
    int64_t wait = backoff_ms(s->send_fails, res->retry_after);
    s->send_next_ms = mono(s) + wait;
    free(e->error);
    e->error = xasprintf("not sent yet: %s; retrying in %llds",
                         res->message ? res->message : provider_err_name(res->err),
                         (long long)(wait + 999) / 1000);
    save_outbox(s);
    show_local(s, e);
    watch_fire(s, e->conv, e->echo_id, false, e->error);
}

static void on_send(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->send_pending = false;
    bool ok = note_result(s, res);
    struct outbox_entry *e = outbox_find(s->outbox, r->echo_id);
    if (ok) {
        int64_t server_id = res->has_msg ? res->msg.id : 0;
        if (res->has_msg) {
            /* The answer carries our echo_id (Chatwoot returns it from
             * create); make sure the merge can match it. */
            free(res->msg.echo_id);
            res->msg.echo_id = xstrdup(r->echo_id);
            store_thread_merge(s->st, r->conv, &res->msg, 1);
            res->has_msg = false;
        }
        if (e)
            delivered(s, r->echo_id, r->conv, server_id);
    } else if (e) {
        if (res->maybe_delivered || res->err == PROV_ERR_SERVER || res->err == PROV_ERR_PROTOCOL) {
            /* A 5xx (a proxy's 502/504 too) or an answer we could not read
             * may hide a stored message: look before sending it again. */
            e->verify = true;
            retry_later(s, e, res);
        } else if (res->err == PROV_ERR_NETWORK || res->err == PROV_ERR_SERVER ||
                   res->err == PROV_ERR_RATE || res->err == PROV_ERR_AUTH) {
            retry_later(s, e, res);
        } else {
            /* Refused for good: keep it, say why, let the agent decide. */
            e->state = OUTBOX_FAILED;
            free(e->error);
            e->error = xstrdup(res->message ? res->message : provider_err_name(res->err));
            save_outbox(s);
            show_local(s, e);
            finished(s, r->conv, r->echo_id, false, e->error);
        }
    }
    req_done(r);
    if (!s->send_next_ms)
        send_next(s);
}

static void do_send(struct session *s, struct outbox_entry *e)
{
    e->attempts++;
    /* From here on the server may get it: a restart must verify first. */
    save_outbox(s);
    struct req_ctx *r = req_new(s, REQ_SEND);
    r->conv = e->conv;
    r->echo_id = xstrdup(e->echo_id);
    s->send_pending = true;
    s->p->ops->send_message(s->p, e->conv, e->content, e->is_private, e->echo_id, on_send, r);
}

/* Is m the reply e (sent earlier, answer lost)? By echo_id when the server
 * keeps it (twowayd), else by author, kind, text and time (Chatwoot only
 * returns echo_id from the create call). */
static bool is_our_reply(const struct session *s, const struct outbox_entry *e,
                         const struct message *m)
{
    if (m->echo_id && *m->echo_id)
        return strcmp(m->echo_id, e->echo_id) == 0;
    if (m->sender_kind != SENDER_AGENT || m->sender_id != s->me || m->is_private != e->is_private)
        return false;
    if (m->created_at && e->created_at && m->created_at < e->created_at - 300)
        return false;
    char *want = text_sanitize_str(e->content, TEXT_MULTI_LINE);
    bool same = strcmp(want, m->content) == 0;
    free(want);
    return same;
}

static void on_verify(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->send_pending = false;
    struct outbox_entry *e = outbox_find(s->outbox, r->echo_id);
    if (!note_result(s, res) || !e) {
        if (e)
            retry_later(s, e, res);
        req_done(r);
        return;
    }
    bool found = false;
    int64_t server_id = 0;
    for (size_t i = 0; i < res->nmsgs && !found; i++) {
        found = is_our_reply(s, e, &res->msgs[i]);
        server_id = res->msgs[i].id;
    }
    if (found) {
        log_info("reply %s had reached the server; not sending it again", e->echo_id);
        store_thread_merge(s->st, r->conv, res->msgs, res->nmsgs);
        res->nmsgs = 0;
        delivered(s, r->echo_id, r->conv, server_id);
        req_done(r);
        send_next(s);
        return;
    }
    e->verify = false;
    req_done(r);
    do_send(s, e);
}

static void send_next(struct session *s)
{
    if (s->send_pending || !s->ready || s->state == CONN_AUTH_FAILED)
        return;
    if (s->send_next_ms && mono(s) < s->send_next_ms)
        return;
    struct outbox_entry *e = next_pending(s);
    if (!e)
        return;
    if (e->verify) {
        struct req_ctx *r = req_new(s, REQ_VERIFY);
        r->conv = e->conv;
        r->echo_id = xstrdup(e->echo_id);
        s->send_pending = true;
        s->p->ops->list_messages(s->p, e->conv, 0, e->after_id, on_verify, r);
        return;
    }
    do_send(s, e);
}

static char *queue_reply(struct session *s, int64_t conv, const char *text, bool is_private,
                         bool held, char **err)
{
    if (!text || !*text) {
        *err = xstrdup("nothing to send");
        return NULL;
    }
    struct outbox_entry e = {0};
    e.echo_id = outbox_new_echo_id();
    e.conv = conv;
    e.content = (char *)text;
    e.is_private = is_private;
    e.created_at = timeutil_now();
    e.after_id = store_thread_last_id(s->st, conv);
    e.state = OUTBOX_PENDING;
    e.held = held;
    e.error = (char *)"";
    if (outbox_add(s->outbox, &e, err) < 0) {
        free(e.echo_id);
        return NULL;
    }
    show_local(s, outbox_find(s->outbox, e.echo_id));
    send_next(s);
    return e.echo_id;
}

char *session_send(struct session *s, int64_t conv, const char *text, bool is_private,
                   char **err)
{
    return queue_reply(s, conv, text, is_private, false, err);
}

char *session_send_held(struct session *s, int64_t conv, const char *text, bool is_private,
                        char **err)
{
    return queue_reply(s, conv, text, is_private, true, err);
}

int session_release(struct session *s, const char *echo_id, char **err)
{
    struct outbox_entry *e = outbox_find(s->outbox, echo_id);
    if (!e || !e->held) {
        *err = xstrdup("no such reply waiting to be confirmed");
        return -1;
    }
    e->held = false;
    save_outbox(s);
    send_next(s);
    return 0;
}

int session_retry(struct session *s, int64_t conv, const char *echo_id, char **err)
{
    struct outbox_entry *e = outbox_find(s->outbox, echo_id);
    if (!e || e->conv != conv) {
        *err = xstrdup("no such unsent reply");
        return -1;
    }
    e->state = OUTBOX_PENDING;
    /* A refused reply did not arrive; one that timed out might have. */
    free(e->error);
    e->error = xstrdup("");
    s->send_next_ms = 0;
    s->send_fails = 0;
    save_outbox(s);
    show_local(s, e);
    send_next(s);
    return 0;
}

char *session_discard(struct session *s, int64_t conv, const char *echo_id)
{
    struct outbox_entry *e = outbox_find(s->outbox, echo_id);
    if (!e || e->conv != conv)
        return NULL;
    /* On its way (sent, or being looked for): the server may store it, and
     * the text handed back for editing would become a second copy. */
    for (const struct req_ctx *r = s->reqs; r; r = r->next)
        if ((r->kind == REQ_SEND || r->kind == REQ_VERIFY) && strcmp(r->echo_id, echo_id) == 0)
            return NULL;
    char *text = xstrdup(e->content);
    char *err = NULL;
    watch_fire(s, conv, echo_id, false, "discarded");
    store_thread_remove_local(s->st, conv, echo_id);
    if (outbox_remove(s->outbox, echo_id, &err) < 0) {
        log_error("%s", err);
        free(err);
    }
    return text;
}

int session_outbox_count(const struct session *s)
{
    return (int)outbox_len(s->outbox);
}

char *session_send_notify(struct session *s, int64_t conv, const char *text, bool is_private,
                          session_send_cb cb, void *ud, char **err)
{
    char *echo = session_send(s, conv, text, is_private, err);
    if (!echo || !cb)
        return echo;
    struct send_watch *w = xcalloc(1, sizeof *w);
    w->echo_id = xstrdup(echo);
    w->conv = conv;
    w->cb = cb;
    w->ud = ud;
    w->next = s->watches;
    s->watches = w;
    return echo;
}
