/* fake_provider — an in-memory provider whose answers the test delivers. */
#include "fake_provider.h"

#include <stdlib.h>
#include <string.h>

#include "twoway/xmalloc.h"

struct fake_provider {
    struct provider base; /* first: the provider pointer is the fake's */
    struct fake_call *calls;
    size_t n, cap;
    fake_call_hook hook;
    void *hook_ud;
};

static void call_free(struct fake_call *c)
{
    free((char *)c->q.label);
    free((char *)c->q.q);
    free((char *)c->q.sort_by);
    if (c->filter)
        model_conv_filter_free(c->filter);
    free(c->filter);
    free(c->text);
    free(c->echo_id);
}

static void fake_free(struct provider *p)
{
    struct fake_provider *fp = (struct fake_provider *)p;
    for (size_t i = 0; i < fp->n; i++)
        call_free(&fp->calls[i]);
    free(fp->calls);
    free(fp);
}

/* Record a call; the op fills in its arguments through the pointer, then
 * finish() runs the hook. */
static struct fake_call *record(struct provider *p, enum fake_op op, prov_cb cb, void *ud)
{
    struct fake_provider *fp = (struct fake_provider *)p;
    if (fp->n == fp->cap) {
        fp->cap = fp->cap ? fp->cap * 2 : 16;
        fp->calls = xreallocarray(fp->calls, fp->cap, sizeof *fp->calls);
    }
    struct fake_call *c = &fp->calls[fp->n];
    memset(c, 0, sizeof *c);
    c->op = op;
    c->seq = fp->n++;
    c->cb = cb;
    c->ud = ud;
    return c;
}

static void finish(struct provider *p, const struct fake_call *c)
{
    struct fake_provider *fp = (struct fake_provider *)p;
    if (fp->hook)
        fp->hook(fp->hook_ud, c);
}

static void copy_query(struct fake_call *c, const struct conv_query *q)
{
    c->q = *q;
    c->q.label = xstrdup_or_null(q->label);
    c->q.q = xstrdup_or_null(q->q);
    c->q.sort_by = xstrdup_or_null(q->sort_by);
    if (q->filter) {
        c->filter = xcalloc(1, sizeof *c->filter);
        model_conv_filter_copy(c->filter, q->filter);
        c->q.filter = c->filter;
    }
}

/* ---- the operations ---- */

static void op_simple(struct provider *p, enum fake_op op, int64_t conv, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, op, cb, ud);
    c->conv = conv;
    finish(p, c);
}

static void f_profile(struct provider *p, prov_cb cb, void *ud)
{
    op_simple(p, FAKE_PROFILE, 0, cb, ud);
}

static void f_list_conversations(struct provider *p, const struct conv_query *q, prov_cb cb,
                                 void *ud)
{
    struct fake_call *c = record(p, FAKE_LIST_CONVERSATIONS, cb, ud);
    copy_query(c, q);
    finish(p, c);
}

static void f_conversation_counts(struct provider *p, const struct conv_query *q, prov_cb cb,
                                  void *ud)
{
    struct fake_call *c = record(p, FAKE_CONVERSATION_COUNTS, cb, ud);
    copy_query(c, q);
    finish(p, c);
}

static void f_search_conversations(struct provider *p, const char *q, int page, prov_cb cb,
                                   void *ud)
{
    struct fake_call *c = record(p, FAKE_SEARCH_CONVERSATIONS, cb, ud);
    c->text = xstrdup_or_null(q);
    c->arg = page;
    finish(p, c);
}

static void f_get_conversation(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    op_simple(p, FAKE_GET_CONVERSATION, conv, cb, ud);
}

static void f_list_messages(struct provider *p, int64_t conv, int64_t before, int64_t after,
                            prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_LIST_MESSAGES, cb, ud);
    c->conv = conv;
    c->before = before;
    c->after = after;
    finish(p, c);
}

static void f_send_message(struct provider *p, int64_t conv, const char *content, bool is_private,
                           const char *echo_id, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_SEND_MESSAGE, cb, ud);
    c->conv = conv;
    c->text = xstrdup_or_null(content);
    c->is_private = is_private;
    c->echo_id = xstrdup_or_null(echo_id);
    finish(p, c);
}

static void f_create_conversation(struct provider *p, int64_t inbox_id, int64_t contact_id,
                                  const char *source_id, const char *content, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_CREATE_CONVERSATION, cb, ud);
    c->id = inbox_id;
    c->arg = contact_id;
    c->text = xstrdup_or_null(content);
    c->echo_id = xstrdup_or_null(source_id);
    finish(p, c);
}

static void f_create_contact(struct provider *p, int64_t inbox_id, const char *phone, prov_cb cb,
                             void *ud)
{
    struct fake_call *c = record(p, FAKE_CREATE_CONTACT, cb, ud);
    c->id = inbox_id;
    c->text = xstrdup_or_null(phone);
    finish(p, c);
}

static void f_set_status(struct provider *p, int64_t conv, enum conv_status st,
                         int64_t snoozed_until, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_SET_STATUS, cb, ud);
    c->conv = conv;
    c->id = st;
    c->arg = snoozed_until;
    finish(p, c);
}

static void f_set_priority(struct provider *p, int64_t conv, enum conv_priority pr, prov_cb cb,
                           void *ud)
{
    struct fake_call *c = record(p, FAKE_SET_PRIORITY, cb, ud);
    c->conv = conv;
    c->arg = pr;
    finish(p, c);
}

static void f_assign_agent(struct provider *p, int64_t conv, int64_t agent_id, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_ASSIGN_AGENT, cb, ud);
    c->conv = conv;
    c->id = agent_id;
    finish(p, c);
}

static void f_assign_team(struct provider *p, int64_t conv, int64_t team_id, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_ASSIGN_TEAM, cb, ud);
    c->conv = conv;
    c->id = team_id;
    finish(p, c);
}

static void f_get_labels(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    op_simple(p, FAKE_GET_LABELS, conv, cb, ud);
}

static void f_set_labels(struct provider *p, int64_t conv, const char *const *titles, size_t n,
                         prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_SET_LABELS, cb, ud);
    c->conv = conv;
    c->arg = (int64_t)n;
    /* The titles joined by commas are enough for a test to compare. */
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(titles[i]) + 1;
    c->text = xcalloc(1, len);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(c->text, ",");
        strcat(c->text, titles[i]);
    }
    finish(p, c);
}

static void f_mark_read(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    op_simple(p, FAKE_MARK_READ, conv, cb, ud);
}

static void f_mark_unread(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    op_simple(p, FAKE_MARK_UNREAD, conv, cb, ud);
}

static void f_typing(struct provider *p, int64_t conv, bool on, bool is_private, prov_cb cb,
                     void *ud)
{
    struct fake_call *c = record(p, FAKE_TYPING, cb, ud);
    c->conv = conv;
    c->arg = on;
    c->is_private = is_private;
    finish(p, c);
}

/* The directory's calls keep their own ops (FAKE_LIST_AGENTS…), in the
 * order of the kinds. */
_Static_assert(FAKE_LIST_TEMPLATES - FAKE_LIST_AGENTS == DIR_TEMPLATES, "one op per kind");

static void f_list_dir(struct provider *p, enum dir_kind k, prov_cb cb, void *ud)
{
    op_simple(p, (enum fake_op)(FAKE_LIST_AGENTS + (int)k), 0, cb, ud);
}

static void f_search_contacts(struct provider *p, const char *q, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_SEARCH_CONTACTS, cb, ud);
    c->text = xstrdup_or_null(q);
    finish(p, c);
}

static void f_get_contact(struct provider *p, int64_t contact_id, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_GET_CONTACT, cb, ud);
    c->id = contact_id;
    finish(p, c);
}

static void f_contact_conversations(struct provider *p, int64_t contact_id, prov_cb cb, void *ud)
{
    struct fake_call *c = record(p, FAKE_CONTACT_CONVERSATIONS, cb, ud);
    c->id = contact_id;
    finish(p, c);
}

static const struct provider_ops fake_ops = {
    .name = "fake",
    .free = fake_free,
    .subscribe = NULL,
    .profile = f_profile,
    .list_conversations = f_list_conversations,
    .conversation_counts = f_conversation_counts,
    .search_conversations = f_search_conversations,
    .get_conversation = f_get_conversation,
    .list_messages = f_list_messages,
    .send_message = f_send_message,
    .create_conversation = f_create_conversation,
    .set_status = f_set_status,
    .set_priority = f_set_priority,
    .assign_agent = f_assign_agent,
    .assign_team = f_assign_team,
    .get_labels = f_get_labels,
    .set_labels = f_set_labels,
    .mark_read = f_mark_read,
    .mark_unread = f_mark_unread,
    .typing = f_typing,
    .list_dir = f_list_dir,
    .search_contacts = f_search_contacts,
    .get_contact = f_get_contact,
    .contact_conversations = f_contact_conversations,
    .create_contact = f_create_contact,
};

/* ---- the test's side ---- */

struct fake_provider *fake_provider_new(void)
{
    struct fake_provider *fp = xcalloc(1, sizeof *fp);
    fp->base.ops = &fake_ops;
    return fp;
}

struct provider *fake_provider_base(struct fake_provider *fp)
{
    return &fp->base;
}

void fake_provider_set_hook(struct fake_provider *fp, fake_call_hook hook, void *ud)
{
    fp->hook = hook;
    fp->hook_ud = ud;
}

size_t fake_provider_count(const struct fake_provider *fp, enum fake_op op)
{
    size_t k = 0;
    for (size_t i = 0; i < fp->n; i++)
        k += fp->calls[i].op == op;
    return k;
}

size_t fake_provider_pending(const struct fake_provider *fp, enum fake_op op)
{
    size_t k = 0;
    for (size_t i = 0; i < fp->n; i++)
        k += fp->calls[i].op == op && !fp->calls[i].answered;
    return k;
}

size_t fake_provider_pending_total(const struct fake_provider *fp)
{
    size_t k = 0;
    for (size_t i = 0; i < fp->n; i++)
        k += !fp->calls[i].answered;
    return k;
}

const struct fake_call *fake_provider_call(const struct fake_provider *fp, enum fake_op op,
                                           size_t i)
{
    for (size_t j = 0; j < fp->n; j++)
        if (fp->calls[j].op == op && i-- == 0)
            return &fp->calls[j];
    return NULL;
}

const struct fake_call *fake_provider_last(const struct fake_provider *fp, enum fake_op op)
{
    for (size_t j = fp->n; j-- > 0;)
        if (fp->calls[j].op == op)
            return &fp->calls[j];
    return NULL;
}

const struct fake_call *fake_provider_next(const struct fake_provider *fp, enum fake_op op)
{
    for (size_t j = 0; j < fp->n; j++)
        if (fp->calls[j].op == op && !fp->calls[j].answered)
            return &fp->calls[j];
    return NULL;
}

int fake_provider_answer(struct fake_provider *fp, size_t seq, struct prov_result *res)
{
    if (seq >= fp->n || fp->calls[seq].answered)
        return -1;
    /* The callback may record new calls (and move the array): take what
     * is needed first. */
    fp->calls[seq].answered = true;
    prov_cb cb = fp->calls[seq].cb;
    void *ud = fp->calls[seq].ud;
    if (cb)
        cb(ud, res);
    provider_result_free(res);
    return 0;
}

int fake_provider_answer_next(struct fake_provider *fp, enum fake_op op, struct prov_result *res)
{
    const struct fake_call *c = fake_provider_next(fp, op);
    if (!c) {
        provider_result_free(res);
        return -1;
    }
    return fake_provider_answer(fp, c->seq, res);
}

size_t fake_provider_answer_all_ok(struct fake_provider *fp, enum fake_op op)
{
    size_t k = 0;
    for (;;) {
        struct prov_result r = fake_result(PROV_OK, NULL);
        if (fake_provider_answer_next(fp, op, &r) < 0)
            return k;
        k++;
    }
}

/* ---- builders ---- */

struct prov_result fake_result(enum prov_err err, const char *why)
{
    struct prov_result r = {0};
    r.err = err;
    r.retry_after = -1;
    if (err != PROV_OK) {
        r.message = xstrdup(why ? why : provider_err_name(err));
        r.http_status = err == PROV_ERR_AUTH      ? 401
                        : err == PROV_ERR_INVALID ? 422
                        : err == PROV_ERR_RATE    ? 429
                        : err == PROV_ERR_SERVER  ? 500
                                                  : 0;
    } else {
        r.http_status = 200;
    }
    return r;
}

struct prov_result fake_network(bool maybe_delivered)
{
    struct prov_result r =
        fake_result(PROV_ERR_NETWORK, maybe_delivered ? "Timeout was reached" : "Couldn't connect");
    r.maybe_delivered = maybe_delivered;
    return r;
}

struct message fake_message(int64_t id, int64_t conv, enum msg_type type, int64_t sender_id,
                            const char *content, int64_t created_at)
{
    struct message m = {0};
    m.id = id;
    m.conv_id = conv;
    m.type = type;
    m.status = MSGST_SENT;
    m.sender_kind = type == MSG_INCOMING   ? SENDER_CONTACT
                    : type == MSG_OUTGOING ? SENDER_AGENT
                                           : SENDER_NONE;
    m.sender_id = sender_id;
    m.sender_name = xasprintf("sender %lld", (long long)sender_id);
    m.content = xstrdup(content);
    m.external_error = xstrdup("");
    m.echo_id = xstrdup("");
    m.created_at = created_at;
    return m;
}

struct conversation fake_conv(int64_t id, struct message last)
{
    struct conversation c = {0};
    c.id = id;
    c.account_id = 1;
    c.inbox_id = 1;
    c.status = CONV_OPEN;
    c.contact.id = 1000 + id;
    c.contact.name = xasprintf("Customer %lld", (long long)id);
    c.contact.phone = xasprintf("+1555%07lld", (long long)id);
    c.contact.email = xstrdup("");
    c.contact.identifier = xstrdup("");
    c.assignee_name = xstrdup("");
    c.team_name = xstrdup("");
    c.channel = xstrdup("Channel::TwilioSms");
    c.can_reply = true;
    c.created_at = last.created_at;
    c.last_activity_at = last.created_at;
    c.has_last = true;
    c.last = last;
    c.last.conv_id = id;
    return c;
}

void fake_result_add_conv(struct prov_result *r, struct conversation *c)
{
    r->convs = xreallocarray(r->convs, r->nconvs + 1, sizeof *r->convs);
    r->convs[r->nconvs++] = *c;
    memset(c, 0, sizeof *c);
}

void fake_result_add_msg(struct prov_result *r, struct message *m)
{
    r->msgs = xreallocarray(r->msgs, r->nmsgs + 1, sizeof *r->msgs);
    r->msgs[r->nmsgs++] = *m;
    memset(m, 0, sizeof *m);
}

void fake_result_set_profile(struct prov_result *r, int64_t id, const char *name)
{
    if (r->has_profile)
        model_profile_free(&r->profile);
    r->profile.id = id;
    r->profile.account_id = 1;
    r->profile.name = xstrdup(name);
    r->profile.email = xstrdup("agent@example.com");
    r->profile.role = xstrdup("agent");
    r->profile.account_name = xstrdup("Acme");
    r->has_profile = true;
}
