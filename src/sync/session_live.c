/* session_live — the live channel: changes the server pushes merge into
 * the store like polled ones (the same put, the same news for the
 * notifications), polling stops while the channel is up, and every time it
 * comes up the open views catch up with one request each.
 *
 * A message event updates the thread (when it is loaded) and its row in
 * place; the list's order and membership come from the catch-up of the
 * list's recent changes, asked for once per burst of events. */
#include <stdlib.h>
#include <string.h>

#include "twoway/log.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

#include "session_priv.h"

/* How long a colleague shows as typing after the last "on" (Chatwoot's
 * own client clears it after 30 s). */
#define TYPING_MS 30000

static void set_live(struct session *s, bool up, const char *why)
{
    s->live = up;
    free(s->live_why);
    s->live_why = xstrdup(up ? "" : why ? why : "");
    int64_t now = session_mono(s);
    if (up) {
        /* Nothing was pushed while we were away: catch up once, then let
         * the channel speak. */
        session_request_list(s);
        session_request_thread_new(s);
        session_set_next_poll(s, INT64_MAX);
    } else if (s->next_poll == INT64_MAX || s->next_poll > now + s->poll_ms) {
        /* Back to polling, starting now: what happened meanwhile shows. */
        session_set_next_poll(s, now);
    }
    if (s->l.state)
        s->l.state(s->l.ud);
}

static void on_live(void *ud, bool up, const char *why)
{
    set_live(ud, up, why);
}

/* The row shows the newest message: a pushed one updates it in place. */
static void update_row(struct session *s, const struct message *m)
{
    struct conversation *c = store_conv_edit(s->st, m->conv_id);
    if (!c)
        return;
    bool newer = !c->has_last || m->created_at > c->last.created_at ||
                 (m->created_at == c->last.created_at && m->id > c->last.id);
    if (!newer && !(c->has_last && c->last.id == m->id))
        return;
    model_message_free(&c->last);
    model_message_copy(&c->last, m);
    c->has_last = true;
    if (m->type != MSG_ACTIVITY && m->created_at > c->last_activity_at)
        c->last_activity_at = m->created_at;
    if (newer && m->type == MSG_INCOMING && s->open_conv != m->conv_id)
        c->unread++;
    store_conv_touched(s->st, m->conv_id);
    const struct conversation *now = store_conv(s->st, m->conv_id);
    if (newer && now)
        session_merge_news(s, now, &now->last);
}

static void on_message(void *ud, struct message *m, bool created)
{
    struct session *s = ud;
    int64_t conv = m->conv_id;
    size_t n = 0;
    store_thread(s->st, conv, &n);
    bool known = store_conv(s->st, conv) != NULL;
    if (known)
        update_row(s, m);
    if (n || s->open_conv == conv) {
        bool incoming = m->type == MSG_INCOMING && created;
        session_merge_messages(s, conv, m, 1); /* takes *m */
        /* The agent is looking at it: what arrives is read. */
        if (incoming && s->open_conv == conv)
            session_mark_read(s, conv);
    }
    if (!known)
        session_fetch_conv(s, conv); /* a conversation we never saw */
    else if (created)
        session_list_pushed(s, conv, true); /* its place in the list moved */
}

static void on_conversation(void *ud, struct conversation *c)
{
    struct session *s = ud;
    int64_t id = c->id;
    bool listed = store_list_index(s->st, id) >= 0;
    unsigned r = session_merge_conv(s, c);
    /* A new one, or one that may have moved in or out of the list. */
    if (!listed || (r & (STORE_PUT_NEW | STORE_PUT_CHANGED | STORE_PUT_NEW_MESSAGE)))
        session_list_pushed(s, id, (r & (STORE_PUT_NEW | STORE_PUT_NEW_MESSAGE)) != 0);
}

static void on_typing(void *ud, int64_t conv, int64_t agent, const char *who, bool on,
                      bool is_private)
{
    struct session *s = ud;
    (void)is_private;
    if (agent == s->me)
        return;
    int64_t until = on ? session_mono(s) + TYPING_MS : 0;
    store_set_typing(s->st, conv, agent, who, until);
    if (on && (!s->typing_next || until < s->typing_next)) {
        s->typing_next = until;
        session_resched(s);
    }
}

struct presence_pair {
    int64_t id;
    const char *availability;
};

static int cmp_pair(const void *a, const void *b)
{
    int64_t x = ((const struct presence_pair *)a)->id, y = ((const struct presence_pair *)b)->id;
    return x < y ? -1 : x > y;
}

static void on_presence(void *ud, const int64_t *online, const char *const *availability, size_t n)
{
    struct session *s = ud;
    struct presence_pair *p = xcalloc(n ? n : 1, sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (struct presence_pair){online[i], availability[i]};
    qsort(p, n, sizeof *p, cmp_pair);
    int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    const char **av = xcalloc(n ? n : 1, sizeof *av);
    for (size_t i = 0; i < n; i++) {
        ids[i] = p[i].id;
        av[i] = p[i].availability;
    }
    store_set_online(s->st, ids, av, n);
    free(ids);
    free(av);
    free(p);
}

void session_live_start(struct session *s)
{
    const struct profile *p = store_profile(s->st);
    if (s->no_live || s->live_started || !s->p->ops->subscribe || !p || !p->pubsub_token ||
        !*p->pubsub_token)
        return;
    s->live_started = true;
    struct prov_live_id id = {p->pubsub_token, p->account_id, p->id};
    struct prov_events ev = {
        .live = on_live,
        .message = on_message,
        .conversation = on_conversation,
        .typing = on_typing,
        .presence = on_presence,
        .ud = s,
    };
    log_info("subscribing to live changes");
    s->p->ops->subscribe(s->p, &id, &ev);
}

int64_t session_live_expire(struct session *s, int64_t now)
{
    if (!s->typing_next || now < s->typing_next)
        return s->typing_next ? s->typing_next : -1;
    int64_t next = store_typing_expire(s->st, now);
    s->typing_next = next < 0 ? 0 : next;
    session_resched(s);
    return next;
}

/* ---- our own typing ---- */

/* "on" is repeated this often while we type (colleagues drop it after
 * 30 s), and "off" follows this long after the last keystroke. */
#define TYPING_REPEAT_MS 10000
#define TYPING_IDLE_MS 6000

static void on_typing_sent(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    /* Typing is a courtesy: its failure says nothing about the connection
     * that the next real request will not say better. */
    (void)res;
    session_req_done(r);
}

static void send_typing(struct session *s, int64_t conv, bool on, bool is_private)
{
    if (!s->p->ops->typing || s->state == CONN_AUTH_FAILED)
        return;
    struct req_ctx *r = session_req_new(s, REQ_TYPING);
    r->conv = conv;
    s->p->ops->typing(s->p, conv, on, is_private, on_typing_sent, r);
}

void session_typing(struct session *s, int64_t conv, bool on, bool is_private)
{
    int64_t now = session_mono(s);
    if (!on || (s->my_typing_conv && s->my_typing_conv != conv)) {
        if (s->my_typing_conv)
            send_typing(s, s->my_typing_conv, false, s->my_typing_private);
        s->my_typing_conv = 0;
        if (!on)
            return;
    }
    s->my_typing_idle_at = now + TYPING_IDLE_MS;
    session_resched(s);
    if (s->my_typing_conv == conv && s->my_typing_private == is_private &&
        now - s->my_typing_sent < TYPING_REPEAT_MS)
        return;
    s->my_typing_conv = conv;
    s->my_typing_private = is_private;
    s->my_typing_sent = now;
    send_typing(s, conv, true, is_private);
}

/* ---- public ---- */

bool session_live(const struct session *s)
{
    return s->live;
}

bool session_live_tried(const struct session *s)
{
    return s->live_started;
}

const char *session_live_reason(const struct session *s)
{
    return s->live_started ? s->live_why ? s->live_why : ""
           : s->no_live    ? "live = no"
                           : "no live channel";
}
