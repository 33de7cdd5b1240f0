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

#include "session_priv.h"

int64_t session_mono(const struct session *s)
{
    return s->clock();
}

/* ---- the one timer ---- */

static void on_timer(void *ud)
{
    struct session *s = ud;
    s->timer = 0;
    session_tick(s, session_mono(s));
}

void session_resched(struct session *s)
{
    if (!s->sched.at)
        return;
    int64_t t = session_next_ms(s);
    if (t == s->timer_at && (s->timer || t < 0))
        return;
    if (s->timer)
        s->sched.cancel(s->sched.ud, s->timer);
    s->timer = 0;
    s->timer_at = t;
    if (t >= 0)
        s->timer = s->sched.at(s->sched.ud, t, on_timer, s);
}

void session_set_next_poll(struct session *s, int64_t when)
{
    s->next_poll = when;
    session_resched(s);
}

void session_set_send_next(struct session *s, int64_t when)
{
    s->send_next_ms = when;
    session_resched(s);
}

void session_set_sched(struct session *s, const struct session_sched *sc)
{
    if (s->timer && s->sched.cancel)
        s->sched.cancel(s->sched.ud, s->timer);
    s->timer = 0;
    s->timer_at = -1;
    s->sched = sc ? *sc : (struct session_sched){0};
    session_resched(s);
}

/* ---- request bookkeeping ---- */

struct req_ctx *session_req_new(struct session *s, enum req_kind kind)
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

void session_req_done(struct req_ctx *r)
{
    struct session *s = r->s;
    if (r->prev)
        r->prev->next = r->next;
    else
        s->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    s->busy--;
    session_req_free(r);
}

void session_req_free(struct req_ctx *r)
{
    if (r->free_job)
        r->free_job(r->job);
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
    if (changed)
        s->state_gen++;
    session_resched(s);
    if (changed && s->l.state)
        s->l.state(s->l.ud);
}

int64_t session_backoff_ms(int fails, long retry_after)
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

enum session_outcome session_outcome_of(enum prov_err e)
{
    switch (e) {
    case PROV_OK:
        return SESSION_OK;
    case PROV_ERR_NETWORK:
    case PROV_ERR_SERVER:
    case PROV_ERR_RATE:
        return SESSION_OFFLINE;
    case PROV_ERR_AUTH:
        return SESSION_AUTH;
    case PROV_ERR_NOT_FOUND:
        return SESSION_NOT_FOUND;
    case PROV_ERR_DENIED:
    case PROV_ERR_INVALID:
    case PROV_ERR_PROTOCOL:
        break;
    }
    return SESSION_REFUSED;
}

const char *session_why(const struct prov_result *res)
{
    return res->message && *res->message ? res->message : provider_err_name(res->err);
}

/* Every answer passes through here: it decides the connection state.
 * Returns true if the result is usable. */
bool session_note_result(struct session *s, const struct prov_result *res)
{
    switch (session_outcome_of(res->err)) {
    case SESSION_OK:
        if (s->state != CONN_ONLINE || s->fails) {
            s->fails = 0;
            set_state(s, CONN_ONLINE, "");
        }
        return true;
    case SESSION_AUTH:
        set_state(s, CONN_AUTH_FAILED, res->message ? res->message : "token rejected");
        return false;
    case SESSION_OFFLINE: {
        /* Requests sent together fail together: that is one failed round,
         * not one step of backoff per request (a start without network
         * would otherwise wait a minute before its first retry). */
        int64_t now = session_mono(s);
        if (s->state != CONN_RETRYING || now >= s->retry_at) {
            s->fails++;
            s->retry_at = now + session_backoff_ms(s->fails, res->retry_after);
        } else if (res->retry_after > 0) {
            int64_t at = now + session_backoff_ms(s->fails, res->retry_after);
            if (at > s->retry_at)
                s->retry_at = at;
        }
        int64_t wait = s->retry_at - now;
        if (s->next_poll < s->retry_at)
            session_set_next_poll(s, s->retry_at);
        log_info("request failed (%s); retrying in %lld ms", res->message ? res->message : "?",
                 (long long)wait);
        set_state(s, CONN_RETRYING, session_why(res));
        return false;
    }
    case SESSION_NOT_FOUND:
    case SESSION_REFUSED:
        break;
    }
    /* The server answered: the connection is fine, this request was not. */
    return false;
}

/* ---- the poll cycle ---- */

void session_poll_done_maybe(struct session *s)
{
    if (s->list_loading || s->changes_pending || s->feed_pending || s->thread_pending)
        return;
    if (s->next_poll == INT64_MAX)
        log_debug("poll %d done", s->polls);
    int64_t next = session_mono(s) + s->poll_ms;
    if (s->state == CONN_RETRYING && s->retry_at > session_mono(s))
        next = s->retry_at;
    /* While the live channel is up, changes come to us. */
    if (s->live)
        next = INT64_MAX;
    session_set_next_poll(s, next);
}

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
    bool ok = r->epoch == s->thread_epoch && session_note_result(s, res);
    if (r->epoch == s->thread_epoch)
        s->thread_retry = !ok;
    if (ok) {
        int64_t last = store_thread_last_id(s->st, r->conv);
        bool first = last == 0;
        bool news = false;
        for (size_t i = 0; i < res->nmsgs; i++)
            news = news || (res->msgs[i].type == MSG_INCOMING && res->msgs[i].id > last);
        session_merge_messages(s, r->conv, res->msgs, res->nmsgs);
        /* The agent is looking at it: what arrives is read. */
        if (news && !first)
            session_mark_read(s, r->conv);
        if (first && session_page_thread_start(res->nmsgs, true))
            store_thread_set_complete(s->st, r->conv, true);
        /* A burst of more than a page: keep reading. */
        more = !first && res->nmsgs >= AFTER_PAGE;
    }
    session_req_done(r);
    if (more)
        session_request_thread_new(s);
    session_poll_done_maybe(s);
}

void session_request_thread_new(struct session *s)
{
    if (!s->open_conv || s->thread_pending)
        return;
    struct req_ctx *r = session_req_new(s, REQ_THREAD_NEW);
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

static void poll_now(struct session *s)
{
    if (s->state == CONN_AUTH_FAILED)
        return;
    s->polls++;
    session_set_next_poll(s, INT64_MAX); /* until this cycle's answers are in */
    /* The tests wait for "started" then "done" to know that everything the
     * server held before the start has been seen. */
    log_debug("poll %d started%s", s->polls,
              s->list_loading || s->changes_pending || s->feed_pending || s->thread_pending
                  ? " (an earlier request is still on its way)"
                  : "");
    /* What changed in the list (and, knowing that, whether the open thread
     * needs reading); the directory now and then. */
    session_request_list(s);
    if (s->thread_retry)
        session_request_thread_new(s);
    if (session_mono(s) >= s->next_directory) {
        s->next_directory = session_mono(s) + DIRECTORY_EVERY_MS;
        session_page_request_directory(s);
    }
    session_poll_done_maybe(s);
}

/* ---- profile and readiness ---- */

void session_check_ready(struct session *s)
{
    if (s->ready || !s->me || s->list_loading || !s->list_ok)
        return;
    s->ready = true;
    s->ready_wall = timeutil_now();
    if (s->l.state)
        s->l.state(s->l.ud);
    session_send_next(s);
}

static void on_profile(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (session_note_result(s, res) && res->has_profile) {
        s->me = res->profile.id;
        store_set_profile(s->st, &res->profile);
        res->has_profile = false;
        session_live_start(s);
        session_check_ready(s);
    } else if (s->state != CONN_AUTH_FAILED) {
        /* Without knowing who we are nothing else makes sense: ask again
         * at the next poll. */
        s->me = 0;
    }
    session_req_done(r);
}

static void request_profile(struct session *s)
{
    struct req_ctx *r = session_req_new(s, REQ_PROFILE);
    s->p->ops->profile(s->p, on_profile, r);
}

/* ---- public: lifecycle ---- */

struct session *session_new(struct provider *p, struct store *st, const struct session_opts *o)
{
    struct session *s = xcalloc(1, sizeof *s);
    s->p = p;
    s->st = st;
    s->poll_ms = o->poll_ms; /* the setting's default is options.c's alone */
    s->state_dir = xstrdup(o->state_dir);
    s->keep_unread = o->keep_unread;
    s->no_live = o->no_live;
    s->reason = xstrdup("");
    s->state = CONN_CONNECTING;
    s->q.assignee = ASSIGNEE_ALL;
    s->q.status = CONV_OPEN;
    s->q.page = 1;
    s->list_first = 1;
    s->filter_total = -1;
    s->next_poll = INT64_MAX;
    s->timer_at = -1;
    s->updated_within_ok = -1; /* not known until a server answers */
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
    session_outbox_show_locals(s);
    return s;
}

void session_free(struct session **ps)
{
    struct session *s = *ps;
    if (!s)
        return;
    if (s->timer && s->sched.cancel)
        s->sched.cancel(s->sched.ud, s->timer);
    /* The provider cancels what is in flight without calling back. */
    provider_free(&s->p);
    while (s->reqs) {
        struct req_ctx *r = s->reqs;
        s->reqs = r->next;
        session_req_free(r);
    }
    free(s->list_ids);
    free(s->refresh_ids);
    free(s->changes_seen);
    model_conv_filter_free(&s->limit_filter);
    model_conv_filter_free(&s->list_filter);
    outbox_free(&s->outbox);
    free(s->claimed);
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
    free(s->live_why);
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
    s->started = true;
    request_profile(s);
    session_page_request_directory(s);
    s->next_directory = session_mono(s) + DIRECTORY_EVERY_MS;
    /* The query set before the start (or the default): its first page,
     * once, after who we are and the directory. */
    if (!s->list_loading && !s->list_ok)
        session_list_load(s);
    session_set_next_poll(s, session_mono(s) + s->poll_ms);
}

int64_t session_next_ms(const struct session *s)
{
    /* session_tick() does nothing any more: a deadline would spin the loop. */
    if (s->state == CONN_AUTH_FAILED)
        return -1;
    int64_t t = s->next_poll;
    if (s->outbox && !s->send_pending && s->send_next_ms && s->send_next_ms < t)
        t = s->send_next_ms;
    int64_t again = session_cmd_next_ms(s);
    if (again >= 0 && again < t)
        t = again;
    if (s->typing_next && s->typing_next < t)
        t = s->typing_next;
    if (s->my_typing_conv && s->my_typing_idle_at < t)
        t = s->my_typing_idle_at;
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
        session_set_send_next(s, 0);
        session_send_next(s);
    }
    session_cmd_tick(s, now);
    session_live_expire(s, now);
    if (s->my_typing_conv && now >= s->my_typing_idle_at)
        session_typing(s, s->my_typing_conv, false, s->my_typing_private);
    session_resched(s); /* also when it ran early and nothing was due */
}

void session_set_poll_ms(struct session *s, int poll_ms)
{
    if (poll_ms <= 0 || poll_ms == s->poll_ms)
        return;
    s->poll_ms = poll_ms;
    /* Waiting for the old interval's poll: the new one may come sooner.
     * (A poll in flight, or a retry's wait, keeps its time.) */
    int64_t soon = session_mono(s) + poll_ms;
    if (s->next_poll != INT64_MAX && s->state != CONN_RETRYING && soon < s->next_poll)
        session_set_next_poll(s, soon);
}

void session_set_keep_unread(struct session *s, bool keep_unread)
{
    s->keep_unread = keep_unread;
}

enum conn_state session_state(const struct session *s)
{
    return s->state;
}

const char *session_state_reason(const struct session *s)
{
    return s->reason;
}

uint64_t session_state_gen(const struct session *s)
{
    return s->state_gen;
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

struct store *session_store(struct session *s)
{
    return s->st;
}

int64_t session_me(const struct session *s)
{
    return s->me;
}

/* ---- public: the list ---- */

void session_refresh(struct session *s)
{
    if (s->state == CONN_AUTH_FAILED)
        return;
    if (!s->me)
        request_profile(s);
    session_page_request_directory(s);
    s->next_directory = session_mono(s) + DIRECTORY_EVERY_MS;
    poll_now(s);
    /* Asked for: the open thread too, changed or not. */
    session_request_thread_new(s);
}

/* ---- public: threads ---- */

static void on_mark_read(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    session_note_result(r->s, res);
    session_req_done(r);
}

void session_open(struct session *s, int64_t conv)
{
    if (s->open_conv == conv)
        return;
    s->open_conv = conv;
    s->thread_epoch++;
    s->thread_pending = false;
    s->thread_retry = false;
    s->older_pending = false;
    if (!conv)
        return;
    session_request_thread_new(s);
    session_mark_read(s, conv);
}

void session_mark_read(struct session *s, int64_t conv)
{
    if (s->keep_unread)
        return;
    struct req_ctx *r = session_req_new(s, REQ_MARK_READ);
    s->p->ops->mark_read(s->p, conv, on_mark_read, r);
    struct conversation *c = store_conv_edit(s->st, conv);
    if (c && c->unread) {
        c->unread = 0;
        store_conv_touched(s->st, conv);
    }
}

static void on_conv(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (session_note_result(r->s, res) && res->has_conv) {
        session_merge_conv(r->s, &res->conv);
        res->has_conv = false;
    }
    session_req_done(r);
}

void session_fetch_conv(struct session *s, int64_t conv)
{
    struct req_ctx *r = session_req_new(s, REQ_CONV);
    r->conv = conv;
    s->p->ops->get_conversation(s->p, conv, on_conv, r);
}
