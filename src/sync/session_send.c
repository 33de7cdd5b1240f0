/* session_send — replies: the outbox on disk, sending them one at a time
 * in order, never twice (verify before resending whatever may have
 * arrived), held replies waiting for a confirmation. */
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/log.h"
#include "twoway/outbox.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

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
    int64_t wait = session_backoff_ms(s->send_fails, res->retry_after);
    s->send_next_ms = session_mono(s) + wait;
    free(e->error);
    e->error = xasprintf("not sent yet: %s; retrying in %llds", session_why(res),
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
        if (res->maybe_delivered || res->err == PROV_ERR_SERVER || res->err == PROV_ERR_PROTOCOL) {
            /* A 5xx (a proxy's 502/504 too) or an answer we could not read
             * may hide a stored message: look before sending it again. */
            e->verify = true;
            retry_later(s, e, res);
        } else if (session_outcome_of(res->err) == SESSION_OFFLINE ||
                   session_outcome_of(res->err) == SESSION_AUTH) {
            retry_later(s, e, res);
        } else {
            /* Refused for good: keep it, say why, let the agent decide. */
            e->state = OUTBOX_FAILED;
            free(e->error);
            e->error = xstrdup(session_why(res));
            save_outbox(s);
            show_local(s, e);
            finished(s, r->conv, r->echo_id, false, e->error);
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
    if (!session_note_result(s, res) || !e) {
        if (e)
            retry_later(s, e, res);
        session_req_done(r);
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
        session_merge_messages(s, r->conv, res->msgs, res->nmsgs);
        res->nmsgs = 0;
        delivered(s, r->echo_id, r->conv, server_id);
        session_req_done(r);
        session_send_next(s);
        return;
    }
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
        struct req_ctx *r = session_req_new(s, REQ_VERIFY);
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
    /* A refused reply did not arrive; one that timed out might have. */
    free(e->error);
    e->error = xstrdup("");
    s->send_next_ms = 0;
    s->send_fails = 0;
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
