/* session_send — replies: the outbox on disk, sending them one at a time
 * in order, never twice, held replies waiting for a confirmation.
 *
 * Never twice: once a reply has been sent, whatever went wrong, it is sent
 * again only after a look at the thread has shown it is not there. The
 * look reads every message after the point where the reply was queued,
 * page by page, and knows the reply by its echo_id or, where the server
 * does not keep echo_id (Chatwoot), by author, kind, text and time. A look
 * that gets no answer is tried again later; one whose answer cannot be
 * read ends in "may have been sent", and then only the agent decides:
 * `retry` (look again, send if absent) or `discard`. */
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/drafts.h"
#include "twoway/log.h"
#include "twoway/outbox.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* A look reads at most this many pages (of AFTER_PAGE messages) after the
 * point where the reply was queued; beyond that it cannot say. */
#define VERIFY_MAX_PAGES 100
/* A reply matched by its text may be this much older than the clock that
 * queued it says (clocks differ). */
#define MATCH_SKEW_S 300
/* Server ids of replies this session saw delivered (for the text match). */
#define CLAIMED_MAX 1024

#define UNSURE_HINT "check the thread, then `retry` or `discard`"

/* ---- public: sending ---- */

static void show_local(struct session *s, const struct outbox_entry *e)
{
    struct message m = {0};
    m.conv_id = e->conv;
    m.type = MSG_OUTGOING;
    m.is_private = e->is_private;
    m.status = e->state == OUTBOX_FAILED   ? MSGST_FAILED
               : e->state == OUTBOX_UNSURE ? MSGST_UNSURE
                                           : MSGST_SENDING;
    m.sender_kind = SENDER_AGENT;
    m.sender_id = s->me;
    m.sender_name = xstrdup("");
    m.content = text_sanitize_str(e->content, TEXT_MULTI_LINE);
    m.external_error = xstrdup(e->error ? e->error : "");
    m.echo_id = xstrdup(e->echo_id);
    m.created_at = e->created_at;
    store_thread_put_local(s->st, e->conv, &m);
}

/* The composer keeps what it sent as the draft until the outbox has it;
 * twoway stopped in between, both hold the text. The outbox's copy stays
 * (retry sends it, discard gives it back): the draft goes, if it is that
 * text and nothing more, so that it cannot be sent a second time. */
static void drop_copy_in_draft(struct session *s, const struct outbox_entry *e)
{
    char *draft = s->state_dir ? drafts_load(s->state_dir, e->conv, e->is_private) : NULL;
    char *err = NULL;
    if (draft && strcmp(draft, e->content) == 0 &&
        drafts_save(s->state_dir, e->conv, e->is_private, "", &err) < 0) {
        log_error("%s", err);
        free(err);
    }
    free(draft);
}

void session_outbox_show_locals(struct session *s)
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
            e->error = xstrdup("twoway stopped before it was confirmed; "
                               "retry sends it, discard edits it");
            drop_copy_in_draft(s, e);
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

/* Tell the one waiting for this reply, if any (once); server_id: the
 * message the server stored it as, 0 if unknown. */
static void watch_fire(struct session *s, int64_t conv, const char *echo, bool ok,
                       int64_t server_id, const char *why)
{
    for (struct send_watch **pp = &s->watches; *pp; pp = &(*pp)->next) {
        struct send_watch *w = *pp;
        if (strcmp(w->echo_id, echo) != 0)
            continue;
        *pp = w->next;
        /* Where the server's lists do not carry echo_id (Chatwoot), only
         * the id the look found says which message it is. */
        const struct message *m =
            ok && !server_id ? store_thread_find_echo(s->st, conv, echo) : NULL;
        w->cb(w->ud, ok, m ? m->id : server_id, why);
        free(w->echo_id);
        free(w);
        return;
    }
}

static void finished(struct session *s, int64_t conv, const char *echo, bool ok, int64_t server_id,
                     const char *why)
{
    watch_fire(s, conv, echo, ok, server_id, why);
    if (s->l.sent)
        s->l.sent(s->l.ud, conv, echo, ok, why);
}

/* The server has it (as message server_id, 0 if unknown): take it off the
 * outbox. */
static void delivered(struct session *s, const char *echo_id, int64_t conv, int64_t server_id)
{
    char *err = NULL;
    char *echo = xstrdup(echo_id);
    /* Replies go out one at a time, in order, so every reply of this
     * conversation not sent yet reaches the server after this one: a later
     * look for it must not look at or before server_id, where a reply with
     * the same text ("ok" twice) would be taken for it and never sent. One
     * sent already (its fate unknown, or refused) may be stored before
     * server_id: its point stays. Saved with the removal below. */
    for (size_t i = 0; i < outbox_len(s->outbox); i++) {
        struct outbox_entry *o = outbox_at(s->outbox, i);
        if (o->conv == conv && o->attempts == 0 && o->after_id < server_id)
            o->after_id = server_id;
    }
    if (server_id > 0) {
        if (s->nclaimed == CLAIMED_MAX) {
            memmove(s->claimed, s->claimed + 1, (CLAIMED_MAX - 1) * sizeof *s->claimed);
            s->nclaimed--;
        }
        if (!s->claimed)
            s->claimed = xcalloc(CLAIMED_MAX, sizeof *s->claimed);
        s->claimed[s->nclaimed++] = (struct claimed_id){conv, server_id};
    }
    store_thread_remove_local(s->st, conv, echo);
    if (outbox_remove(s->outbox, echo, &err) < 0) {
        log_error("%s", err);
        free(err);
    }
    s->send_fails = 0;
    finished(s, conv, echo, true, server_id, NULL);
    free(echo);
}

/* Is a send of this reply, or a look for it, waiting for its answer? */
static bool in_flight(const struct session *s, const char *echo_id)
{
    for (const struct req_ctx *r = s->reqs; r; r = r->next)
        if ((r->kind == REQ_SEND || r->kind == REQ_VERIFY) && strcmp(r->echo_id, echo_id) == 0)
            return true;
    return false;
}

void session_outbox_seen(struct session *s, int64_t conv)
{
    for (size_t i = 0; i < outbox_len(s->outbox);) {
        const struct outbox_entry *e = outbox_at(s->outbox, i);
        const struct message *m = e->conv == conv && e->attempts > 0 && !e->held
                                      ? store_thread_find_echo(s->st, conv, e->echo_id)
                                      : NULL;
        if (!m || m->id <= 0 || in_flight(s, e->echo_id)) {
            i++;
            continue;
        }
        /* The thread has it by its echo_id: the server stored it. */
        log_info("reply %s is in the thread as message %lld: it reached the server", e->echo_id,
                 (long long)m->id);
        delivered(s, e->echo_id, conv, m->id); /* entry i is gone */
    }
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

/* The reply's fate is now "may have been sent": it is kept, shown, and
 * never sent again until the agent says retry (which looks first). */
static void unsure(struct session *s, struct outbox_entry *e, const char *why)
{
    e->state = OUTBOX_UNSURE;
    e->verify = true;
    free(e->error);
    e->error = xasprintf("may have been sent (%s) \xe2\x80\x94 " UNSURE_HINT, why);
    log_warn("reply %s to #%lld: %s", e->echo_id, (long long)e->conv, e->error);
    save_outbox(s);
    show_local(s, e);
    finished(s, e->conv, e->echo_id, false, 0, e->error);
}

/* Nothing settled: try again after the backoff. A reply that was sent is
 * looked for first (e->verify), whatever went wrong. */
static void retry_later(struct session *s, struct outbox_entry *e, const struct prov_result *res)
{
    s->send_fails++;
    int64_t wait = session_backoff_ms(s->send_fails, res->retry_after);
    session_set_send_next(s, session_mono(s) + wait);
    const char *why = session_why(res);
    long long secs = (long long)(wait + 999) / 1000;
    /* Refused connections, DNS, TLS, 429, a rejected token: it did not
     * arrive. Anything else after the request left may have stored it. */
    bool clear = (res->err == PROV_ERR_NETWORK && !res->maybe_delivered) ||
                 res->err == PROV_ERR_RATE || res->err == PROV_ERR_AUTH;
    free(e->error);
    e->error = clear ? xasprintf("not sent yet: %s; trying again in %llds", why, secs)
                     : xasprintf("not confirmed yet: %s; in %llds twoway looks for it in the "
                                 "thread and sends it again only if it is not there",
                                 why, secs);
    save_outbox(s);
    show_local(s, e);
    /* "Slow down" is no failure: whoever waits for this reply (a script)
     * goes on waiting while the server lets it through, a few times. */
    if (res->err != PROV_ERR_RATE || e->attempts >= SESSION_SLOWED_MAX)
        watch_fire(s, e->conv, e->echo_id, false, 0, e->error);
}

static void on_send(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->send_pending = false;
    bool ok = session_note_result(s, res);
    struct outbox_entry *e = outbox_find(s->outbox, r->echo_id);
    char *refused = NULL; /* why the server will not take it, for l.refused */
    if (ok) {
        int64_t server_id = res->has_msg ? res->msg.id : 0;
        if (res->has_msg) {
            /* The answer carries our echo_id (Chatwoot returns it from
             * create); make sure the merge can match it. */
            free(res->msg.echo_id);
            res->msg.echo_id = xstrdup(r->echo_id);
            session_merge_messages(s, r->conv, &res->msg, 1);
            res->has_msg = false;
        }
        if (e)
            delivered(s, r->echo_id, r->conv, server_id);
    } else if (e) {
        /* From here on it is only sent again after a look at the thread
         * (a 5xx, a proxy's 502/504, an unreadable answer or a lost one may
         * all hide a stored message). */
        e->verify = true;
        enum session_outcome o = session_outcome_of(res->err);
        if (o == SESSION_OFFLINE || o == SESSION_AUTH || res->err == PROV_ERR_PROTOCOL) {
            retry_later(s, e, res);
        } else {
            /* Refused for good: keep it, say why, let the agent decide. */
            e->state = OUTBOX_FAILED;
            free(e->error);
            e->error = xstrdup(session_why(res));
            save_outbox(s);
            show_local(s, e);
            char *why = xasprintf("not sent: %s", e->error);
            finished(s, r->conv, r->echo_id, false, 0, why);
            free(why);
            refused = xstrdup(e->error);
        }
    }
    int64_t conv = r->conv;
    char *echo = xstrdup(r->echo_id);
    session_req_done(r);
    /* Told once the request is done, so the reply can be taken back. */
    if (refused && s->l.refused)
        s->l.refused(s->l.ud, conv, echo, refused);
    free(refused);
    free(echo);
    if (!s->send_next_ms)
        session_send_next(s);
}

static void do_send(struct session *s, struct outbox_entry *e)
{
    e->attempts++;
    /* From here on the server may get it: a restart must verify first. */
    save_outbox(s);
    struct req_ctx *r = session_req_new(s, REQ_SEND);
    r->conv = e->conv;
    r->echo_id = xstrdup(e->echo_id);
    s->send_pending = true;
    s->p->ops->send_message(s->p, e->conv, e->content, e->is_private, e->echo_id, on_send, r);
}

static bool claimed(const struct session *s, int64_t conv, int64_t id)
{
    for (size_t i = 0; i < s->nclaimed; i++)
        if (s->claimed[i].id == id && s->claimed[i].conv == conv)
            return true;
    return false;
}

/* Is m the reply e (sent earlier, answer lost)? By echo_id when the server
 * keeps it (twowayd), else by author, kind, text and time (Chatwoot only
 * returns echo_id from the create call), never a message already known to
 * be another reply of ours. */
static bool is_our_reply(const struct session *s, const struct outbox_entry *e,
                         const struct message *m)
{
    if (m->echo_id && *m->echo_id)
        return strcmp(m->echo_id, e->echo_id) == 0;
    if (m->type != MSG_OUTGOING || m->sender_kind != SENDER_AGENT || m->sender_id != s->me ||
        m->is_private != e->is_private || claimed(s, e->conv, m->id))
        return false;
    if (m->created_at && e->created_at && m->created_at < e->created_at - MATCH_SKEW_S)
        return false;
    char *want = text_sanitize_str(e->content, TEXT_MULTI_LINE);
    bool same = strcmp(want, m->content) == 0;
    free(want);
    return same;
}

static void on_verify(void *ud, struct prov_result *res);

/* Ask for one page of the look: the messages after `after`. */
static void verify_page(struct session *s, const struct outbox_entry *e, int64_t after, int page)
{
    struct req_ctx *r = session_req_new(s, REQ_VERIFY);
    r->conv = e->conv;
    r->echo_id = xstrdup(e->echo_id);
    r->page = page;
    r->after = after;
    s->send_pending = true;
    s->p->ops->list_messages(s->p, e->conv, 0, after > 0 ? after : PROV_FROM_OLDEST, on_verify, r);
}

static void on_verify(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->send_pending = false;
    bool ok = session_note_result(s, res);
    struct outbox_entry *e = outbox_find(s->outbox, r->echo_id);
    if (!e) {
        session_req_done(r);
        session_send_next(s);
        return;
    }
    if (!ok) {
        /* No answer (the network, a 5xx, 429, the token): nothing was
         * learnt; look again later. An answer that is not the list
         * (unreadable, empty, refused) leaves the reply's fate open. */
        enum session_outcome o = session_outcome_of(res->err);
        if (o == SESSION_OFFLINE || o == SESSION_AUTH) {
            retry_later(s, e, res);
        } else {
            char *why = xasprintf("the look in the thread failed: %s", session_why(res));
            unsure(s, e, why);
            free(why);
        }
        session_req_done(r);
        if (e->state == OUTBOX_UNSURE)
            session_send_next(s);
        return;
    }
    if (res->partial) {
        unsure(s, e, "the look in the thread could not read every message");
        session_req_done(r);
        session_send_next(s);
        return;
    }
    bool found = false, older = false;
    int64_t server_id = 0, last = r->after;
    for (size_t i = 0; i < res->nmsgs; i++) {
        const struct message *m = &res->msgs[i];
        if (m->id > last)
            last = m->id;
        older |= m->id <= r->after;
        if (!found && is_our_reply(s, e, m)) {
            found = true;
            server_id = m->id;
        }
    }
    if (found) {
        log_info("reply %s had reached the server; not sending it again", e->echo_id);
        session_merge_messages(s, r->conv, res->msgs, res->nmsgs);
        res->nmsgs = 0;
        delivered(s, r->echo_id, r->conv, server_id);
        session_req_done(r);
        session_send_next(s);
        return;
    }
    if (older) {
        /* Asked for what came after a message, the server gave some from
         * before it: it does not know `after` (an older Chatwoot gives its
         * newest messages instead). What is missing there proves nothing. */
        unsure(s, e,
               "the server's answer to the look was not what came after the reply was queued");
        session_req_done(r);
        session_send_next(s);
        return;
    }
    if (res->nmsgs >= AFTER_PAGE) {
        /* A full page: there may be more after it. */
        int page = r->page;
        int64_t from = r->after;
        session_req_done(r);
        if (last <= from) {
            unsure(s, e, "the server's pages of messages did not move on");
        } else if (page >= VERIFY_MAX_PAGES) {
            char *why = xasprintf("more than %d messages came after it; the look stops there",
                                  VERIFY_MAX_PAGES * AFTER_PAGE);
            unsure(s, e, why);
            free(why);
        } else {
            verify_page(s, e, last, page + 1);
            return;
        }
        session_send_next(s);
        return;
    }
    /* Every message since it was queued, and it is not there. */
    e->verify = false;
    session_req_done(r);
    do_send(s, e);
}

void session_send_next(struct session *s)
{
    if (s->send_pending || !s->ready || s->state == CONN_AUTH_FAILED)
        return;
    if (s->send_next_ms && session_mono(s) < s->send_next_ms)
        return;
    struct outbox_entry *e = next_pending(s);
    if (!e)
        return;
    if (e->verify) {
        verify_page(s, e, e->after_id, 1);
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
    /* The point after which the reply can only be: the newest message
     * known, from the thread or the conversation's last message. */
    e.after_id = store_thread_last_id(s->st, conv);
    const struct conversation *c = store_conv(s->st, conv);
    if (c && c->last.id > e.after_id)
        e.after_id = c->last.id;
    e.state = OUTBOX_PENDING;
    e.held = held;
    e.error = (char *)"";
    if (outbox_add(s->outbox, &e, err) < 0) {
        free(e.echo_id);
        return NULL;
    }
    show_local(s, outbox_find(s->outbox, e.echo_id));
    session_send_next(s);
    return e.echo_id;
}

char *session_send(struct session *s, int64_t conv, const char *text, bool is_private, char **err)
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
    session_send_next(s);
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
    /* Sent before: looked for first, and sent only if it is not there. */
    if (e->attempts > 0)
        e->verify = true;
    free(e->error);
    e->error = xstrdup("");
    s->send_fails = 0;
    session_set_send_next(s, 0);
    save_outbox(s);
    show_local(s, e);
    session_send_next(s);
    return 0;
}

char *session_discard(struct session *s, int64_t conv, const char *echo_id)
{
    struct outbox_entry *e = outbox_find(s->outbox, echo_id);
    if (!e || e->conv != conv)
        return NULL;
    /* On its way (sent, or being looked for): the server may store it, and
     * the text handed back for editing would become a second copy. */
    if (in_flight(s, echo_id))
        return NULL;
    char *text = xstrdup(e->content);
    char *err = NULL;
    watch_fire(s, conv, echo_id, false, 0, "discarded");
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

bool session_reply_settled(const struct session *s, const char *echo_id)
{
    const struct outbox_entry *e = outbox_find(s->outbox, echo_id);
    return !e || e->state != OUTBOX_PENDING || e->held;
}

int session_outbox_unsure(const struct session *s)
{
    int n = 0;
    for (size_t i = 0; i < outbox_len(s->outbox); i++)
        n += outbox_at(s->outbox, i)->state == OUTBOX_UNSURE;
    return n;
}

int session_outbox_sendable(const struct session *s)
{
    int n = 0;
    for (size_t i = 0; i < outbox_len(s->outbox); i++) {
        const struct outbox_entry *e = outbox_at(s->outbox, i);
        n += e->state == OUTBOX_PENDING && !e->held;
    }
    return n;
}

static enum session_unsent unsent_state(const struct outbox_entry *e)
{
    switch (e->state) {
    case OUTBOX_FAILED:
        return SESSION_UNSENT_FAILED;
    case OUTBOX_UNSURE:
        return SESSION_UNSENT_UNSURE;
    case OUTBOX_PENDING:
        break;
    }
    return SESSION_UNSENT_PENDING;
}

enum session_unsent session_unsent_of(const struct session *s, int64_t conv)
{
    enum session_unsent worst = SESSION_UNSENT_NONE;
    for (size_t i = 0; i < outbox_len(s->outbox); i++) {
        const struct outbox_entry *e = outbox_at(s->outbox, i);
        if (e->conv == conv && unsent_state(e) > worst)
            worst = unsent_state(e);
    }
    return worst;
}

void session_outbox_reply(const struct session *s, size_t i, struct session_unsent_reply *out)
{
    const struct outbox_entry *e = outbox_at(s->outbox, i);
    *out = (struct session_unsent_reply){
        .conv = e->conv,
        .echo_id = e->echo_id,
        .content = e->content,
        .error = e->error ? e->error : "",
        .is_private = e->is_private,
        .created_at = e->created_at,
        .state = unsent_state(e),
    };
}

char *session_keep_draft(struct session *s, int64_t conv, bool is_private, const char *text,
                         char **err)
{
    char *old = drafts_load(s->state_dir, conv, is_private);
    char *all;
    if (!old || strstr(old, text))
        all = old ? xstrdup(old) : xstrdup(text);
    else /* an earlier draft stays, above */
        all = xasprintf("%s\n\n%s", old, text);
    free(old);
    char *path = NULL;
    if (drafts_save(s->state_dir, conv, is_private, all, err) == 0)
        path = drafts_path(s->state_dir, conv, is_private);
    free(all);
    return path;
}

int session_watch(struct session *s, const char *echo_id, session_send_cb cb, void *ud)
{
    const struct outbox_entry *e = outbox_find(s->outbox, echo_id);
    if (!e || !cb)
        return -1;
    struct send_watch *w = xcalloc(1, sizeof *w);
    w->echo_id = xstrdup(echo_id);
    w->conv = e->conv;
    w->cb = cb;
    w->ud = ud;
    w->next = s->watches;
    s->watches = w;
    return 0;
}

char *session_send_notify(struct session *s, int64_t conv, const char *text, bool is_private,
                          session_send_cb cb, void *ud, char **err)
{
    char *echo = session_send(s, conv, text, is_private, err);
    if (echo && cb)
        session_watch(s, echo, cb, ud);
    return echo;
}
