/* session_fetch — what commands read from the server: one conversation,
 * a page of a thread, a conversation's labels, contacts (the directory,
 * and what comes in pages, are session_page.c's). Every answer is classified the way polling's are
 * (and tells the connection state), and what came back goes into the store first. */
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/log.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

/* ---- commands' requests ---- */

struct req_ctx *session_cmd_req(struct session *s, session_cb cb, void *ud, void *job,
                                void (*free_job)(void *))
{
    struct req_ctx *r = session_req_new(s, REQ_COMMAND);
    r->cb = cb;
    r->cb_ud = ud;
    r->job = job;
    r->free_job = free_job;
    return r;
}

void session_cmd_answer(struct req_ctx *r, const struct session_answer *a)
{
    r->cb(r->cb_ud, a);
    session_req_done(r);
}

void session_cmd_fail(struct req_ctx *r, const struct prov_result *res, const char *fallback)
{
    struct session_answer a = {
        .outcome = session_outcome_of(res->err),
        .why = res->message && *res->message ? res->message
               : fallback                    ? fallback
                                             : session_why(res),
    };
    if (a.outcome == SESSION_OK) /* a success without what was asked for */
        a.outcome = SESSION_REFUSED;
    session_cmd_answer(r, &a);
}

bool session_cmd_usable(struct req_ctx *r, const struct prov_result *res, const char *fallback)
{
    if (session_note_result(r->s, res))
        return true;
    session_cmd_fail(r, res, fallback);
    return false;
}

void session_cmd_now(session_cb cb, void *ud, enum session_outcome o, const char *why)
{
    struct session_answer a = {.outcome = o, .why = o == SESSION_OK ? NULL : why};
    cb(ud, &a);
}

/* ---- "slow down": wait and ask again ---- */

void session_cmd_ask(struct req_ctx *r, void (*ask)(struct req_ctx *r), prov_cb answer)
{
    r->ask = ask;
    r->answer = answer;
    ask(r);
}

void session_cmd_relay(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (res->err != PROV_ERR_RATE || r->slowed >= SESSION_SLOWED_MAX) {
        r->answer(r, res);
        return;
    }
    /* The connection state shows the wait ("retrying in 20s"); the
     * command goes on by itself when it is over. */
    session_note_result(s, res);
    r->slowed++;
    int64_t now = session_mono(s);
    int64_t wait = session_backoff_ms(r->slowed, res->retry_after);
    r->again_at = s->retry_at > now + wait ? s->retry_at : now + wait;
    session_resched(s);
    log_info("the server asked us to slow down (%s); asking again in %lld ms",
             res->message ? res->message : "429", (long long)(r->again_at - now));
}

int64_t session_cmd_next_ms(const struct session *s)
{
    int64_t t = -1;
    for (const struct req_ctx *r = s->reqs; r; r = r->next)
        if (r->again_at && (t < 0 || r->again_at < t))
            t = r->again_at;
    return t;
}

void session_cmd_tick(struct session *s, int64_t now)
{
    /* Asking may answer (and free) requests: one per pass, from the top. */
    bool again = true;
    while (again) {
        again = false;
        for (struct req_ctx *r = s->reqs; r; r = r->next) {
            if (r->again_at && now >= r->again_at) {
                r->again_at = 0;
                r->ask(r);
                again = true;
                break;
            }
        }
    }
}

bool session_cmd_missing(const void *op, session_cb cb, void *ud)
{
    if (op)
        return false;
    session_cmd_now(cb, ud, SESSION_REFUSED, "the server cannot do that");
    return true;
}

/* ---- one conversation ---- */

static void on_conv(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    bool ok = session_note_result(s, res);
    if (ok && res->has_conv) {
        session_merge_conv(s, &res->conv);
        res->has_conv = false;
        session_cmd_answer(r, &(struct session_answer){.conv = r->conv});
    } else if (res->err == PROV_ERR_NOT_FOUND) {
        char *why = xasprintf("no conversation #%lld", (long long)r->conv);
        session_cmd_answer(r, &(struct session_answer){.outcome = SESSION_NOT_FOUND, .why = why});
        free(why);
    } else if (session_outcome_of(res->err) == SESSION_OFFLINE && store_conv(s->st, r->conv)) {
        session_cmd_answer(r, &(struct session_answer){.conv = r->conv});
    } else {
        session_cmd_fail(r, res, "the server did not send the conversation");
    }
}

static void ask_conv(struct req_ctx *r)
{
    r->s->p->ops->get_conversation(r->s->p, r->conv, session_cmd_relay, r);
}

void session_get_conv(struct session *s, int64_t conv, bool fresh, session_cb cb, void *ud)
{
    bool known = store_conv(s->st, conv) != NULL;
    /* Known to be offline: waiting for a timeout would only hold up a reply
     * the outbox can keep. */
    if (known && s->state == CONN_RETRYING)
        fresh = false;
    if (known && !fresh) {
        cb(ud, &(struct session_answer){.conv = conv});
        return;
    }
    struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
    r->conv = conv;
    session_cmd_ask(r, ask_conv, on_conv);
}

/* ---- a page of a thread, a conversation's labels ---- */

static void on_messages(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_cmd_usable(r, res, "the server did not send the messages"))
        return;
    /* Answered from a copy: the store takes the records. */
    struct message *copy = xcalloc(res->nmsgs ? res->nmsgs : 1, sizeof *copy);
    for (size_t i = 0; i < res->nmsgs; i++)
        model_message_copy(&copy[i], &res->msgs[i]);
    session_merge_messages(r->s, r->conv, res->msgs, res->nmsgs);
    session_cmd_answer(r, &(struct session_answer){.msgs = copy, .nmsgs = res->nmsgs});
    for (size_t i = 0; i < res->nmsgs; i++)
        model_message_free(&copy[i]);
    free(copy);
}

static void ask_messages(struct req_ctx *r)
{
    r->s->p->ops->list_messages(r->s->p, r->conv, 0, *(int64_t *)r->job, session_cmd_relay, r);
}

void session_read_messages(struct session *s, int64_t conv, int64_t after, session_cb cb, void *ud)
{
    if (session_cmd_missing(s->p->ops->list_messages, cb, ud))
        return;
    int64_t *at = xcalloc(1, sizeof *at);
    *at = after;
    struct req_ctx *r = session_cmd_req(s, cb, ud, at, free);
    r->conv = conv;
    session_cmd_ask(r, ask_messages, on_messages);
}

static void on_labels(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_cmd_usable(r, res, NULL))
        return;
    session_cmd_answer(r, &(struct session_answer){.titles = res->titles, .ntitles = res->ntitles});
}

static void ask_labels(struct req_ctx *r)
{
    r->s->p->ops->get_labels(r->s->p, r->conv, session_cmd_relay, r);
}

void session_read_labels(struct session *s, int64_t conv, session_cb cb, void *ud)
{
    if (session_cmd_missing(s->p->ops->get_labels, cb, ud))
        return;
    struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
    r->conv = conv;
    session_cmd_ask(r, ask_labels, on_labels);
}

/* ---- contacts ---- */

static void on_contacts(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_cmd_usable(r, res, "the server did not answer"))
        return;
    session_cmd_answer(
        r, &(struct session_answer){.contacts = res->contacts, .ncontacts = res->ncontacts});
}

static void ask_search(struct req_ctx *r)
{
    r->s->p->ops->search_contacts(r->s->p, r->job, session_cmd_relay, r);
}

void session_find_contacts(struct session *s, const char *text, session_cb cb, void *ud)
{
    if (session_cmd_missing(s->p->ops->search_contacts, cb, ud))
        return;
    session_cmd_ask(session_cmd_req(s, cb, ud, xstrdup(text), free), ask_search, on_contacts);
}

static void ask_contact(struct req_ctx *r)
{
    r->s->p->ops->get_contact(r->s->p, r->conv, session_cmd_relay, r);
}

void session_get_contact(struct session *s, int64_t contact, session_cb cb, void *ud)
{
    if (session_cmd_missing(s->p->ops->get_contact, cb, ud))
        return;
    struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
    r->conv = contact; /* the contact's id, in the one id field */
    session_cmd_ask(r, ask_contact, on_contacts);
}

/* The contact's conversations: the provider's own list, or (a provider
 * that cannot) every conversation of the account, kept if the contact's. */
static void on_contact_convs(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_cmd_usable(r, res, "the server did not answer"))
        return;
    int64_t *ids = xcalloc(res->nconvs ? res->nconvs : 1, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < res->nconvs; i++) {
        ids[n++] = res->convs[i].id;
        session_merge_conv(r->s, &res->convs[i]);
    }
    session_cmd_answer(r, &(struct session_answer){.ids = ids, .nids = n});
    free(ids);
}

/* The fallback's request (r->job is the contact's id). */
static void on_all_convs(void *ud, const struct session_answer *a)
{
    struct req_ctx *r = ud;
    int64_t contact = *(int64_t *)r->job;
    struct session_answer mine = *a;
    int64_t *ids = xcalloc(a->nids ? a->nids : 1, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < a->nids; i++) {
        const struct conversation *c = store_conv(r->s->st, a->ids[i]);
        if (c && c->contact.id == contact)
            ids[n++] = c->id;
    }
    mine.ids = ids;
    mine.nids = n;
    session_cmd_answer(r, &mine);
    free(ids);
}

static void ask_contact_convs(struct req_ctx *r)
{
    r->s->p->ops->contact_conversations(r->s->p, r->conv, session_cmd_relay, r);
}

void session_contact_convs(struct session *s, int64_t contact, session_cb cb, void *ud)
{
    if (s->p->ops->contact_conversations) {
        struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
        r->conv = contact; /* the contact's id, in the one id field */
        session_cmd_ask(r, ask_contact_convs, on_contact_convs);
        return;
    }
    int64_t *id = xcalloc(1, sizeof *id);
    *id = contact;
    struct req_ctx *r = session_cmd_req(s, cb, ud, id, free);
    struct conv_query q = {.assignee = ASSIGNEE_ALL, .status = -1, .page = 1};
    session_list_all(s, &q, on_all_convs, r);
}
