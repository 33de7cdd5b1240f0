/* Unit tests for session: the first sync, polling, the list and threads,
 * the inbound listener, connection states with backoff, and above all
 * sending: a reply is on disk before it goes out, a retry never sends it
 * twice, and nothing typed is lost across failures and restarts.
 *
 * The provider is fake_provider (the test delivers every answer), the
 * store is the real one, the clock is a variable (session_set_clock), and
 * the outbox lives in a temporary directory per test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_provider.h"
#include "twoway/outbox.h"
#include "twoway/paths.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

#define ME 7
#define OTHER_AGENT 8
#define POLL_MS 5000
#define CONV 1

static int64_t clock_ms = 1000000;

static int64_t fake_clock(void)
{
    return clock_ms;
}

#define MAX_SEEN 32

struct fx {
    char dir[64];
    char *outbox_path;
    struct store *st;
    struct fake_provider *fp;
    struct session *s;

    int ninbound;
    int64_t inbound_conv[MAX_SEEN], inbound_msg[MAX_SEEN];
    int nstate;
    int nsent_ok, nsent_fail;
    char last_why[256];
    char last_echo[64];
    int64_t last_sent_conv;

    /* What the outbox file held when each send_message went out. */
    int nsends_seen;
    char *file_at_send[MAX_SEEN];

    /* session_send_notify() */
    int nnotify;
    bool notify_ok;
    int64_t notify_id;
    char notify_why[256];
};

/* ---- listener and hook ---- */

static void l_inbound(void *ud, const struct conversation *c, const struct message *m)
{
    struct fx *fx = ud;
    if (fx->ninbound < MAX_SEEN) {
        fx->inbound_conv[fx->ninbound] = c->id;
        fx->inbound_msg[fx->ninbound] = m ? m->id : 0;
    }
    fx->ninbound++;
}

static void l_state(void *ud)
{
    struct fx *fx = ud;
    fx->nstate++;
}

static void l_sent(void *ud, int64_t conv, const char *echo_id, bool ok, const char *why)
{
    struct fx *fx = ud;
    if (ok)
        fx->nsent_ok++;
    else
        fx->nsent_fail++;
    snprintf(fx->last_why, sizeof fx->last_why, "%s", why ? why : "");
    snprintf(fx->last_echo, sizeof fx->last_echo, "%s", echo_id);
    fx->last_sent_conv = conv;
}

static void on_call(void *ud, const struct fake_call *c)
{
    struct fx *fx = ud;
    if (c->op != FAKE_SEND_MESSAGE || fx->nsends_seen >= MAX_SEEN)
        return;
    char *text = NULL, *err = NULL;
    if (paths_read_file(fx->outbox_path, 1 << 20, &text, NULL, &err) < 0) {
        free(err);
        text = xstrdup("");
    }
    fx->file_at_send[fx->nsends_seen++] = text;
}

static void on_notify(void *ud, bool ok, int64_t message_id, const char *why)
{
    struct fx *fx = ud;
    fx->nnotify++;
    fx->notify_ok = ok;
    fx->notify_id = message_id;
    snprintf(fx->notify_why, sizeof fx->notify_why, "%s", why ? why : "");
}

/* ---- fixture ---- */

static void open_session_at(struct fx *fx, const char *state_dir)
{
    fx->st = store_new();
    fx->fp = fake_provider_new();
    fake_provider_set_hook(fx->fp, on_call, fx);
    struct session_opts o = {.poll_ms = POLL_MS, .state_dir = state_dir};
    fx->s = session_new(fake_provider_base(fx->fp), fx->st, &o);
    session_set_clock(fx->s, fake_clock);
    struct session_listener l = {.inbound = l_inbound, .state = l_state, .sent = l_sent, .ud = fx};
    session_set_listener(fx->s, &l);
}

static void open_session(struct fx *fx)
{
    open_session_at(fx, fx->dir);
}

/* Drop the session and its store as a process that dies would (the
 * provider goes with it; no callback runs). */
static void close_session(struct fx *fx)
{
    session_free(&fx->s);
    assert_null(fx->s);
    store_free(&fx->st);
    fx->fp = NULL;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *fx = xcalloc(1, sizeof *fx);
    strcpy(fx->dir, "/tmp/tw-session-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->outbox_path = xasprintf("%s/outbox.jsonl", fx->dir);
    clock_ms = 1000000;
    open_session(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    if (fx->s)
        close_session(fx);
    for (int i = 0; i < fx->nsends_seen; i++)
        free(fx->file_at_send[i]);
    nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(fx->outbox_path);
    free(fx);
    return 0;
}

/* ---- driving ---- */

static void advance(struct fx *fx, int64_t ms)
{
    clock_ms += ms;
    session_tick(fx->s, clock_ms);
}

static size_t count(struct fx *fx, enum fake_op op)
{
    return fake_provider_count(fx->fp, op);
}

static size_t pending(struct fx *fx, enum fake_op op)
{
    return fake_provider_pending(fx->fp, op);
}

static void answer(struct fx *fx, enum fake_op op, struct prov_result r)
{
    if (fake_provider_answer_next(fx->fp, op, &r) < 0)
        fail_msg("no call of op %d is waiting", (int)op);
}

static void answer_err(struct fx *fx, enum fake_op op, enum prov_err err, const char *why)
{
    answer(fx, op, fake_result(err, why));
}

static void answer_profile(struct fx *fx)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    fake_result_set_profile(&r, ME, "Ben Agent");
    answer(fx, FAKE_PROFILE, r);
}

static void answer_directory(struct fx *fx)
{
    static const enum fake_op dir[] = {FAKE_LIST_AGENTS, FAKE_LIST_TEAMS, FAKE_LIST_LABELS,
                                       FAKE_LIST_INBOXES, FAKE_LIST_TEMPLATES};
    for (size_t i = 0; i < sizeof dir / sizeof *dir; i++)
        fake_provider_answer_all_ok(fx->fp, dir[i]);
}

/* A page of conversations whose newest messages are old incoming ones
 * (id conv*100), as a first sync would find them. */
static struct prov_result list_result(const int64_t *ids, size_t n)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    int64_t old = timeutil_now() - 3600;
    for (size_t i = 0; i < n; i++) {
        struct conversation c =
            fake_conv(ids[i], fake_message(ids[i] * 100, ids[i], MSG_INCOMING, 0, "hello", old));
        c.unread = 2;
        fake_result_add_conv(&r, &c);
    }
    return r;
}

static void answer_list(struct fx *fx, const int64_t *ids, size_t n)
{
    answer(fx, FAKE_LIST_CONVERSATIONS, list_result(ids, n));
}

static void first_sync(struct fx *fx)
{
    static const int64_t ids[] = {1, 2, 3};
    session_start(fx->s);
    answer_profile(fx);
    answer_directory(fx);
    answer_list(fx, ids, 3);
    assert_true(session_ready(fx->s));
    assert_int_equal(session_state(fx->s), CONN_ONLINE);
}

/* The thread of CONV as if it had been read: messages 101..105. */
static void prime_thread(struct fx *fx)
{
    struct message m[5];
    int64_t at = timeutil_now() - 600;
    for (int i = 0; i < 5; i++)
        m[i] = fake_message(101 + i, CONV, MSG_INCOMING, 0, "customer text", at + i);
    store_thread_merge(fx->st, CONV, m, 5);
    assert_int_equal(store_thread_last_id(fx->st, CONV), 105);
}

static char *send_ok(struct fx *fx, int64_t conv, const char *text, bool is_private)
{
    char *err = NULL;
    char *echo = session_send(fx->s, conv, text, is_private, &err);
    if (!echo)
        fail_msg("session_send: %s", err);
    return echo;
}

/* The server's answer to a create: the message as stored, with echo_id. */
static struct prov_result sent_result(int64_t id, int64_t conv, const char *text, const char *echo)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    r.msg = fake_message(id, conv, MSG_OUTGOING, ME, text, timeutil_now());
    free(r.msg.echo_id);
    r.msg.echo_id = xstrdup(echo);
    r.has_msg = true;
    return r;
}

/* A message list as Chatwoot gives it: my earlier reply without echo_id. */
static struct prov_result messages_result(int64_t id, int64_t conv, int64_t sender,
                                          const char *text, bool is_private, const char *echo)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    struct message m = fake_message(id, conv, MSG_OUTGOING, sender, text, timeutil_now());
    m.is_private = is_private;
    free(m.echo_id);
    m.echo_id = xstrdup(echo ? echo : "");
    fake_result_add_msg(&r, &m);
    return r;
}

static const struct message *local_msg(struct fx *fx, int64_t conv, const char *echo)
{
    const struct message *m = store_thread_find_echo(fx->st, conv, echo);
    return m && m->id == 0 ? m : NULL;
}

static size_t outbox_on_disk(struct fx *fx)
{
    char *err = NULL;
    struct outbox *o = outbox_open(fx->outbox_path, &err);
    assert_non_null(o);
    free(err);
    size_t n = outbox_len(o);
    outbox_free(&o);
    return n;
}

/* ---- the first sync ---- */

static void test_session__start_asks_profile_directory_and_list(void **state)
{
    struct fx *fx = *state;
    assert_int_equal(session_state(fx->s), CONN_CONNECTING);
    assert_int_equal(fake_provider_pending_total(fx->fp), 0); /* nothing before start */
    session_start(fx->s);
    assert_int_equal(count(fx, FAKE_PROFILE), 1);
    assert_int_equal(count(fx, FAKE_LIST_AGENTS), 1);
    assert_int_equal(count(fx, FAKE_LIST_TEAMS), 1);
    assert_int_equal(count(fx, FAKE_LIST_LABELS), 1);
    assert_int_equal(count(fx, FAKE_LIST_INBOXES), 1);
    assert_int_equal(count(fx, FAKE_LIST_TEMPLATES), 1);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 1);
    const struct fake_call *c = fake_provider_last(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_int_equal(c->q.page, 1);
    assert_int_equal(c->q.assignee, ASSIGNEE_ALL);
    assert_int_equal(c->q.status, CONV_OPEN);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_true(session_busy(fx->s) >= 7);
    assert_false(session_ready(fx->s));
}

static void test_session__ready_after_profile_then_list(void **state)
{
    struct fx *fx = *state;
    static const int64_t ids[] = {4};
    session_start(fx->s);
    answer_directory(fx);
    answer_profile(fx);
    assert_false(session_ready(fx->s));
    assert_int_equal(session_me(fx->s), ME);
    assert_non_null(store_profile(fx->st));
    answer_list(fx, ids, 1);
    assert_true(session_ready(fx->s));
    assert_int_equal(session_busy(fx->s), 0);
}

static void test_session__ready_after_list_then_profile(void **state)
{
    struct fx *fx = *state;
    static const int64_t ids[] = {4};
    session_start(fx->s);
    answer_list(fx, ids, 1);
    assert_false(session_ready(fx->s));
    answer_profile(fx);
    assert_true(session_ready(fx->s));
}

static void test_session__not_ready_while_the_list_fails(void **state)
{
    struct fx *fx = *state;
    static const int64_t ids[] = {4, 5};
    session_start(fx->s);
    answer_profile(fx);
    answer(fx, FAKE_LIST_CONVERSATIONS, fake_network(false));
    assert_false(session_ready(fx->s));
    assert_int_equal(session_state(fx->s), CONN_RETRYING);
    advance(fx, 1000);
    answer_list(fx, ids, 2);
    assert_true(session_ready(fx->s));
    /* What the first successful list found is not news. */
    assert_int_equal(fx->ninbound, 0);
}

static void test_session__list_is_stored_in_page_order_with_counts(void **state)
{
    struct fx *fx = *state;
    static const int64_t ids[] = {9, 3, 27, 5};
    session_start(fx->s);
    answer_profile(fx);
    struct prov_result r = list_result(ids, 4);
    r.has_counts = true;
    r.counts = (struct conv_counts){.mine = 2, .unassigned = 3, .assigned = 1, .all = 4};
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    assert_int_equal(store_list_len(fx->st), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(store_list_at(fx->st, i), ids[i]);
    assert_int_equal(store_conv(fx->st, 27)->last.id, 2700);
    const struct conv_counts *c = store_counts(fx->st);
    assert_int_equal(c->mine, 2);
    assert_int_equal(c->unassigned, 3);
    assert_int_equal(c->assigned, 1);
    assert_int_equal(c->all, 4);
    assert_true(session_list_complete(fx->s)); /* fewer than a page */
}

static void test_session__directory_is_stored(void **state)
{
    struct fx *fx = *state;
    session_start(fx->s);
    struct prov_result r = fake_result(PROV_OK, NULL);
    r.dir.agents = xcalloc(1, sizeof *r.dir.agents);
    r.dir.agents[0] = (struct agent){.id = OTHER_AGENT,
                                     .account_id = 1,
                                     .name = xstrdup("Ana"),
                                     .email = xstrdup("ana@example.com"),
                                     .role = xstrdup("agent"),
                                     .availability = xstrdup("online")};
    r.dir.nagents = 1;
    answer(fx, FAKE_LIST_AGENTS, r);
    const struct agent *a = store_agent(fx->st, OTHER_AGENT);
    assert_non_null(a);
    assert_string_equal(a->name, "Ana");
}

/* ---- polling ---- */

static void test_session__polls_again_after_poll_ms(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    assert_int_equal(session_next_ms(fx->s), clock_ms + POLL_MS);
    advance(fx, POLL_MS - 1);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 1);
    advance(fx, 1);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 2);
    /* Nothing more until this cycle's answer is in. */
    assert_int_equal(session_next_ms(fx->s), -1);
    advance(fx, 3 * POLL_MS);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 2);
    static const int64_t ids[] = {1, 2, 3};
    answer_list(fx, ids, 3);
    assert_int_equal(session_next_ms(fx->s), clock_ms + POLL_MS);
    advance(fx, POLL_MS);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 3);
}

static void test_session__refresh_polls_now(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_refresh(fx->s);
    assert_int_equal(pending(fx, FAKE_LIST_CONVERSATIONS), 1);
    assert_int_equal(pending(fx, FAKE_LIST_AGENTS), 1);
}

static void test_session__set_query_discards_answers_of_the_old_query(void **state)
{
    struct fx *fx = *state;
    static const int64_t old_ids[] = {1, 2}, new_ids[] = {40, 41, 42};
    session_start(fx->s);
    answer_profile(fx);
    const struct fake_call *first = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    size_t old_seq = first->seq;
    struct conv_query q = {
        .assignee = ASSIGNEE_MINE, .status = CONV_PENDING, .label = "vip", .page = 7};
    session_set_query(fx->s, &q);
    const struct fake_call *c = fake_provider_last(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_int_not_equal(c->seq, old_seq);
    assert_int_equal(c->q.assignee, ASSIGNEE_MINE);
    assert_int_equal(c->q.status, CONV_PENDING);
    assert_string_equal(c->q.label, "vip");
    assert_int_equal(c->q.page, 1);
    /* The old query's answer comes late: ignored. */
    struct prov_result r = list_result(old_ids, 2);
    assert_int_equal(fake_provider_answer(fx->fp, old_seq, &r), 0);
    assert_int_equal(store_list_len(fx->st), 0);
    assert_false(session_ready(fx->s));
    answer_list(fx, new_ids, 3);
    assert_int_equal(store_list_len(fx->st), 3);
    assert_int_equal(store_list_at(fx->st, 0), 40);
    assert_true(session_ready(fx->s));
    /* The next poll asks what changed, for every conversation the agent
     * sees (the query is applied here): a new customer message is noticed
     * whatever the list shows. */
    size_t before = count(fx, FAKE_LIST_CONVERSATIONS);
    advance(fx, POLL_MS);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), before + 1);
    c = fake_provider_call(fx->fp, FAKE_LIST_CONVERSATIONS, before);
    assert_int_equal(c->q.assignee, ASSIGNEE_ALL);
    assert_int_equal(c->q.status, -1);
    assert_null(c->q.label);
    assert_true(c->q.updated_within > 0);
}

static void test_session__load_more_asks_page_two(void **state)
{
    struct fx *fx = *state;
    int64_t ids[25], more[3] = {100, 101, 102};
    for (int i = 0; i < 25; i++)
        ids[i] = 50 - i;
    session_start(fx->s);
    answer_profile(fx);
    answer_list(fx, ids, 25);
    assert_false(session_list_complete(fx->s)); /* a full page: maybe more */
    session_load_more(fx->s);
    const struct fake_call *c = fake_provider_last(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_int_equal(c->q.page, 2);
    session_load_more(fx->s); /* while it loads: nothing more */
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 2);
    answer_list(fx, more, 3);
    assert_int_equal(store_list_len(fx->st), 28);
    assert_int_equal(store_list_at(fx->st, 0), 50);
    assert_int_equal(store_list_at(fx->st, 24), 26);
    assert_int_equal(store_list_at(fx->st, 25), 100);
    assert_int_equal(store_list_at(fx->st, 27), 102);
    assert_true(session_list_complete(fx->s));
    session_load_more(fx->s);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 2);
    /* The next poll never fetches the loaded pages again: one request for
     * what changed, however far the list was scrolled. */
    advance(fx, POLL_MS);
    assert_int_equal(pending(fx, FAKE_LIST_CONVERSATIONS), 1);
    assert_true(fake_provider_call(fx->fp, FAKE_LIST_CONVERSATIONS, 2)->q.updated_within > 0);
}

/* ---- threads ---- */

/* The recent changes of one poll, as the server answers them: these
 * conversations with a newer incoming message (updated now). */
static struct prov_result changed(const int64_t *ids, size_t n, int64_t at)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    for (size_t i = 0; i < n; i++) {
        struct conversation c =
            fake_conv(ids[i], fake_message(ids[i] * 100 + 50, ids[i], MSG_INCOMING, 0, "new", at));
        c.updated_at = (double)timeutil_now();
        fake_result_add_conv(&r, &c);
    }
    return r;
}

static void test_session__changes_move_rows_and_take_out_what_left_the_query(void **state)
{
    struct fx *fx = *state;
    first_sync(fx); /* 1, 2, 3 (open), all an hour old */
    advance(fx, POLL_MS);
    /* 3 got a message now (moves to the top), 9 is new, 2 was resolved. */
    static const int64_t moved[] = {3, 9, 2};
    struct prov_result r = changed(moved, 3, timeutil_now());
    r.convs[1].last_activity_at -= 10; /* 9 just before 3 */
    r.convs[2].status = CONV_RESOLVED;
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    assert_int_equal(store_list_len(fx->st), 3);
    assert_int_equal(store_list_at(fx->st, 0), 3);
    assert_int_equal(store_list_at(fx->st, 1), 9);
    assert_int_equal(store_list_at(fx->st, 2), 1);
    /* Something changed: the tabs' counts are asked for. */
    assert_int_equal(pending(fx, FAKE_CONVERSATION_COUNTS), 1);
    /* New messages are news, as from any poll. */
    assert_true(fx->ninbound >= 1);
}

static void test_session__a_server_that_ignores_updated_within_is_asked_for_pages(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    advance(fx, POLL_MS);
    /* An older server answers with page 1, updated long ago. */
    static const int64_t ids[] = {1, 2, 3};
    struct prov_result r = changed(ids, 3, timeutil_now() - 7200);
    for (size_t i = 0; i < r.nconvs; i++)
        r.convs[i].updated_at = (double)(timeutil_now() - 7200);
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.updated_within, 0);
    assert_int_equal(c->q.page, 1);
    assert_int_equal(c->q.status, CONV_OPEN);
}

/* n changed conversations from first on, newest activity first. */
static struct prov_result changed_run(int64_t first, size_t n)
{
    int64_t *ids = xcalloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = first + (int64_t)i;
    struct prov_result r = changed(ids, n, timeutil_now());
    for (size_t i = 0; i < n; i++)
        r.convs[i].last_activity_at -= (int64_t)i; /* in the server's order */
    free(ids);
    return r;
}

static void test_session__a_full_catch_up_asks_the_next_page_until_all_came(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    fx->ninbound = 0;
    advance(fx, POLL_MS);
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    int window = c->q.updated_within;
    assert_int_equal(c->q.page, 1);
    /* 2,345 conversations changed: 1,000 a page, as twowayd gives them. */
    answer(fx, FAKE_LIST_CONVERSATIONS, changed_run(1000, 1000));
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 2);
    assert_true(c->q.updated_within >= window); /* the same start, not a later one */
    assert_int_equal(c->q.status, -1);
    answer(fx, FAKE_LIST_CONVERSATIONS, changed_run(2000, 1000));
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 3);
    answer(fx, FAKE_LIST_CONVERSATIONS, changed_run(3000, 345));
    /* Every one of them came: each is in the store and its news told. */
    assert_null(fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS));
    assert_non_null(store_conv(fx->st, 1000));
    assert_non_null(store_conv(fx->st, 2999));
    assert_non_null(store_conv(fx->st, 3344));
    assert_int_equal(fx->ninbound, 2345);
    assert_int_equal(pending(fx, FAKE_CONVERSATION_COUNTS), 1);
    /* The next catch-up starts where this one did: nothing in between is
     * asked for twice, and nothing is left out. */
    advance(fx, POLL_MS);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 1);
    assert_true(c->q.updated_within <= POLL_MS / 1000 + 4);
}

static void test_session__a_server_that_gives_every_change_at_once_is_asked_once_more(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    advance(fx, POLL_MS);
    /* Chatwoot gives all 1,200 at once and ignores page: page 2 repeats
     * them, and the catch-up ends there. */
    answer(fx, FAKE_LIST_CONVERSATIONS, changed_run(1000, 1200));
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 2);
    answer(fx, FAKE_LIST_CONVERSATIONS, changed_run(1000, 1200));
    assert_null(fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS));
    assert_non_null(store_conv(fx->st, 2199));
    advance(fx, POLL_MS);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 1);
}

static void test_session__a_catch_up_too_big_to_page_loads_the_list_afresh(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    advance(fx, POLL_MS);
    const struct fake_call *c = NULL;
    for (int page = 1; page <= 20; page++) {
        c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
        assert_non_null(c);
        assert_int_equal(c->q.page, page);
        assert_true(c->q.updated_within > 0);
        answer(fx, FAKE_LIST_CONVERSATIONS, changed_run(10000 + page * 1000, 1000));
    }
    /* After 20,000: the query's first page, as at the start. */
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.updated_within, 0);
    assert_int_equal(c->q.page, 1);
    assert_int_equal(c->q.status, CONV_OPEN);
}

/* ---- the list over rows not loaded ---- */

static const struct conv_filter_cond *cond_of(const struct conv_query *q, enum conv_filter_key k)
{
    for (size_t i = 0; q->filter && i < q->filter->nconds; i++)
        if (q->filter->conds[i].key == k)
            return &q->filter->conds[i];
    return NULL;
}

static void test_session__a_limit_the_server_can_say_is_asked_of_it_and_counted_by_it(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    struct conv_filter f = {.exact = true};
    const char *vip = "vip";
    model_conv_filter_add(&f, CF_LABELS, false, false, &vip, 1);
    session_set_filter(fx->s, &f);
    model_conv_filter_free(&f);
    /* The list again, from the server's filter: the query's own status and
     * the limit's label, as Chatwoot's conditions. */
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 1);
    assert_non_null(c->q.filter);
    const struct conv_filter_cond *st = cond_of(&c->q, CF_STATUS);
    assert_non_null(st);
    assert_string_equal(st->values[0], "open");
    assert_string_equal(cond_of(&c->q, CF_LABELS)->values[0], "vip");
    assert_int_equal(session_list_total(fx->s), -1);
    int64_t ids[25];
    for (int i = 0; i < 25; i++)
        ids[i] = 900 - i;
    struct prov_result r = list_result(ids, 25);
    r.has_counts = true;
    r.counts = (struct conv_counts){.mine = 3, .unassigned = 40, .all = 5000};
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    /* 5,000 match over the whole inbox, of which 25 are here: the count is
     * the server's and whole, and nothing else is loaded by itself. */
    assert_true(session_filter_exact(fx->s));
    assert_int_equal(session_list_total(fx->s), 5000);
    assert_true(session_list_partial(fx->s));
    assert_null(fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS));
    /* The tabs' badges stay the query's (asked apart, without the filter). */
    const struct fake_call *m = fake_provider_next(fx->fp, FAKE_CONVERSATION_COUNTS);
    assert_non_null(m);
    assert_null(m->q.filter);
    /* Scrolling on asks the filter's next page. */
    session_load_more(fx->s);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_int_equal(c->q.page, 2);
    assert_non_null(c->q.filter);
    answer_list(fx, ids, 0);
    /* No limit: the plain list again. */
    session_set_filter(fx->s, NULL);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_null(c->q.filter);
    assert_int_equal(c->q.page, 1);
}

static void test_session__bottom_of_a_hundred_thousand_asks_the_last_pages_only(void **state)
{
    struct fx *fx = *state;
    session_start(fx->s);
    answer_profile(fx);
    answer_directory(fx);
    int64_t ids[25];
    for (int i = 0; i < 25; i++)
        ids[i] = 200000 - i;
    struct prov_result r = list_result(ids, 25);
    r.has_counts = true;
    r.counts = (struct conv_counts){.mine = 10, .unassigned = 50000, .all = 100000};
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    assert_int_equal(session_list_total(fx->s), 100000);
    size_t asked = count(fx, FAKE_LIST_CONVERSATIONS);
    session_list_end(fx->s);
    /* 100,000 is 4,000 pages: the last two, not the 3,998 between. */
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 3999);
    for (int i = 0; i < 25; i++)
        ids[i] = 1000 + 50 - i;
    answer_list(fx, ids, 25);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 4000);
    for (int i = 0; i < 25; i++)
        ids[i] = 1000 + 25 - i;
    answer_list(fx, ids, 25);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c); /* a full last page: one more look, empty */
    assert_int_equal(c->q.page, 4001);
    answer_list(fx, ids, 0);
    assert_null(fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS));
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), asked + 3);
    assert_int_equal(store_list_len(fx->st), 50);
    assert_int_equal(store_list_at(fx->st, 49), 1001);
    assert_int_equal(session_list_offset(fx->s), 3998 * 25);
    assert_true(session_list_complete(fx->s));
    /* Scrolling up from there: the page above, put above. */
    session_load_before(fx->s);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_int_equal(c->q.page, 3998);
    for (int i = 0; i < 25; i++)
        ids[i] = 1000 + 75 - i;
    answer_list(fx, ids, 25);
    assert_int_equal(store_list_at(fx->st, 0), 1075);
    assert_int_equal(session_list_offset(fx->s), 3997 * 25);
    /* The top again is the list's first page. */
    session_list_top(fx->s);
    c = fake_provider_next(fx->fp, FAKE_LIST_CONVERSATIONS);
    assert_int_equal(c->q.page, 1);
}

static struct prov_result thread_page(int64_t first_id, int n)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    int64_t at = timeutil_now() - 86400;
    for (int i = 0; i < n; i++) {
        struct message m =
            fake_message(first_id + i, CONV, MSG_INCOMING, 0, "text", at + first_id + i);
        fake_result_add_msg(&r, &m);
    }
    return r;
}

static void test_session__open_loads_newest_and_marks_read(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    assert_int_equal(store_conv(fx->st, CONV)->unread, 2);
    uint64_t gen = store_conv_gen(fx->st, CONV);
    session_open(fx->s, CONV);
    assert_int_equal(store_conv(fx->st, CONV)->unread, 0); /* at once, locally */
    assert_true(store_conv_gen(fx->st, CONV) > gen);
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_non_null(c);
    assert_int_equal(c->conv, CONV);
    assert_int_equal(c->before, 0);
    assert_int_equal(c->after, 0);
    assert_int_equal(pending(fx, FAKE_MARK_READ), 1);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_MARK_READ)->conv, CONV);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(101, 20));
    fake_provider_answer_all_ok(fx->fp, FAKE_MARK_READ);
    size_t n;
    store_thread(fx->st, CONV, &n);
    assert_int_equal(n, 20);
    assert_false(store_thread_complete(fx->st, CONV)); /* a full page: maybe older */
    /* Opening it again changes nothing. */
    session_open(fx->s, CONV);
    assert_int_equal(count(fx, FAKE_MARK_READ), 1);
}

static void test_session__open_short_thread_is_complete(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_open(fx->s, CONV);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(101, 4));
    assert_true(store_thread_complete(fx->st, CONV));
}

static void test_session__open_thread_is_polled_after_its_last_id(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_open(fx->s, CONV);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(101, 20));
    size_t lists = count(fx, FAKE_LIST_CONVERSATIONS);
    advance(fx, POLL_MS);
    /* A poll that finds nothing changed asks nothing more. */
    answer(fx, FAKE_LIST_CONVERSATIONS, fake_result(PROV_OK, NULL));
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), lists + 1);
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 0);
    assert_int_equal(count(fx, FAKE_CONVERSATION_COUNTS), 0);
    /* The next finds the open conversation changed: its thread is read. */
    advance(fx, POLL_MS);
    static const int64_t open[] = {CONV};
    answer(fx, FAKE_LIST_CONVERSATIONS, changed(open, 1, timeutil_now()));
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_non_null(c);
    assert_int_equal(c->conv, CONV);
    assert_int_equal(c->after, 120);
    assert_int_equal(c->before, 0);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(121, 2));
    assert_int_equal(store_thread_last_id(fx->st, CONV), 122);
    /* Closing stops the thread polls. */
    session_open(fx->s, 0);
    advance(fx, POLL_MS);
    answer(fx, FAKE_LIST_CONVERSATIONS, changed(open, 1, timeutil_now()));
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 0);
}

static void test_session__late_thread_answer_of_another_conv_is_ignored(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_open(fx->s, 1);
    size_t seq1 = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->seq;
    session_open(fx->s, 2);
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 2);
    struct prov_result r = thread_page(101, 3);
    assert_int_equal(fake_provider_answer(fx->fp, seq1, &r), 0);
    /* Conversation 2's request is still out: a poll must not ask again. */
    static const int64_t ids[] = {1, 2, 3};
    advance(fx, POLL_MS);
    answer_list(fx, ids, 3);
    advance(fx, POLL_MS);
    size_t for2 = 0;
    for (size_t i = 0; i < count(fx, FAKE_LIST_MESSAGES); i++) {
        const struct fake_call *c = fake_provider_call(fx->fp, FAKE_LIST_MESSAGES, i);
        for2 += c->conv == 2 && !c->answered;
    }
    assert_int_equal(for2, 1);
}

static void test_session__load_older_pages_back_until_a_short_page(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_load_older(fx->s, CONV); /* nothing loaded yet: no-op */
    assert_int_equal(count(fx, FAKE_LIST_MESSAGES), 0);
    session_open(fx->s, CONV);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(101, 20));
    session_load_older(fx->s, CONV);
    const struct fake_call *c = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_int_equal(c->before, 101);
    assert_int_equal(c->after, 0);
    assert_true(session_loading_older(fx->s, CONV));
    session_load_older(fx->s, CONV); /* already loading */
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 1);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(81, 20));
    assert_false(session_loading_older(fx->s, CONV));
    assert_false(store_thread_complete(fx->st, CONV));
    assert_int_equal(store_thread_first_id(fx->st, CONV), 81);
    session_load_older(fx->s, CONV);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->before, 81);
    answer(fx, FAKE_LIST_MESSAGES, thread_page(70, 11));
    assert_true(store_thread_complete(fx->st, CONV));
    size_t n;
    store_thread(fx->st, CONV, &n);
    assert_int_equal(n, 51);
    session_load_older(fx->s, CONV); /* complete: no more */
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 0);
}

static void test_session__fetch_conv_updates_the_record(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_fetch_conv(fx->s, 2);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_GET_CONVERSATION)->conv, 2);
    struct prov_result r = fake_result(PROV_OK, NULL);
    r.conv = fake_conv(2, fake_message(200, 2, MSG_INCOMING, 0, "hello", timeutil_now() - 3600));
    r.conv.status = CONV_RESOLVED;
    r.has_conv = true;
    answer(fx, FAKE_GET_CONVERSATION, r);
    assert_int_equal(store_conv(fx->st, 2)->status, CONV_RESOLVED);
}

/* ---- the inbound listener ---- */

/* Poll once and answer the list with conversation id whose newest message
 * is (msg_id, type, sender), created now. */
static void poll_with_last_ex(struct fx *fx, int64_t id, int64_t msg_id, enum msg_type type,
                              int64_t sender, bool is_private);

static void poll_with_last(struct fx *fx, int64_t id, int64_t msg_id, enum msg_type type,
                           int64_t sender)
{
    poll_with_last_ex(fx, id, msg_id, type, sender, false);
}

static void poll_with_last_ex(struct fx *fx, int64_t id, int64_t msg_id, enum msg_type type,
                              int64_t sender, bool is_private)
{
    static const int64_t ids[] = {1, 2, 3};
    advance(fx, POLL_MS);
    struct prov_result r = list_result(ids, 3);
    struct conversation *c = NULL;
    for (size_t i = 0; i < r.nconvs; i++)
        if (r.convs[i].id == id)
            c = &r.convs[i];
    if (!c) {
        struct conversation nc = fake_conv(id, fake_message(0, id, type, 0, "", 0));
        fake_result_add_conv(&r, &nc);
        c = &r.convs[r.nconvs - 1];
    }
    model_message_free(&c->last);
    c->last = fake_message(msg_id, id, type, sender, "new text", timeutil_now());
    c->last.is_private = is_private;
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
}

static void test_session__inbound_not_called_for_the_first_sync(void **state)
{
    struct fx *fx = *state;
    session_start(fx->s);
    answer_profile(fx);
    /* Even a message from a second ago is part of what we found. */
    struct prov_result r = fake_result(PROV_OK, NULL);
    struct conversation c =
        fake_conv(5, fake_message(500, 5, MSG_INCOMING, 0, "just now", timeutil_now()));
    fake_result_add_conv(&r, &c);
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    assert_true(session_ready(fx->s));
    assert_int_equal(fx->ninbound, 0);
}

static void test_session__inbound_called_once_when_an_incoming_message_arrives(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    assert_int_equal(fx->ninbound, 0);
    poll_with_last(fx, 2, 201, MSG_INCOMING, 0);
    assert_int_equal(fx->ninbound, 1);
    assert_int_equal(fx->inbound_conv[0], 2);
    assert_int_equal(fx->inbound_msg[0], 201);
    /* The same state again is not news. */
    poll_with_last(fx, 2, 201, MSG_INCOMING, 0);
    assert_int_equal(fx->ninbound, 1);
    /* A further one is. */
    poll_with_last(fx, 2, 202, MSG_INCOMING, 0);
    assert_int_equal(fx->ninbound, 2);
}

static void test_session__inbound_called_for_a_new_conversation(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    poll_with_last(fx, 77, 7701, MSG_INCOMING, 0);
    assert_int_equal(fx->ninbound, 1);
    assert_int_equal(fx->inbound_conv[0], 77);
}

static void test_session__inbound_not_called_for_replies_and_activity(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    poll_with_last(fx, 1, 101, MSG_OUTGOING, ME);          /* my own reply */
    poll_with_last(fx, 2, 201, MSG_OUTGOING, OTHER_AGENT); /* a colleague's reply */
    poll_with_last(fx, 3, 301, MSG_ACTIVITY, 0);           /* "resolved by Ana" */
    assert_int_equal(fx->ninbound, 0);
}

/* A colleague's private note may mention us: the listener hears of it and
 * the app's policy decides. Our own notes stay quiet. */
static void test_session__inbound_called_for_a_colleagues_note(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    poll_with_last_ex(fx, 1, 101, MSG_OUTGOING, ME, true);
    assert_int_equal(fx->ninbound, 0);
    poll_with_last_ex(fx, 2, 201, MSG_OUTGOING, OTHER_AGENT, true);
    assert_int_equal(fx->ninbound, 1);
}

/* ---- connection states ---- */

static void fail_next_poll(struct fx *fx, struct prov_result r)
{
    int64_t due = session_next_ms(fx->s);
    assert_true(due >= clock_ms);
    advance(fx, due - clock_ms);
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
}

static void test_session__network_errors_back_off_1_2_4_seconds_capped(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    int states = fx->nstate;
    uint64_t gen = session_state_gen(fx->s);
    static const int64_t want[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        size_t asked = count(fx, FAKE_LIST_CONVERSATIONS);
        fail_next_poll(fx, fake_network(false));
        assert_int_equal(session_state(fx->s), CONN_RETRYING);
        assert_string_equal(session_state_reason(fx->s), "Couldn't connect");
        /* The state's generation moves once, going offline; the same
         * failure again changes nothing a screen shows. */
        assert_int_equal(session_state_gen(fx->s), gen + 1);
        assert_int_equal(session_retry_at(fx->s), clock_ms + want[i]);
        assert_int_equal(session_next_ms(fx->s), clock_ms + want[i]);
        /* Not a moment before. */
        advance(fx, want[i] - 1);
        assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), asked + 1);
    }
    assert_true(fx->nstate > states);
    /* Success: online again, polling at the normal pace. */
    static const int64_t ids[] = {1, 2, 3};
    advance(fx, session_next_ms(fx->s) - clock_ms);
    answer_list(fx, ids, 3);
    assert_int_equal(session_state(fx->s), CONN_ONLINE);
    assert_string_equal(session_state_reason(fx->s), "");
    assert_int_equal(session_next_ms(fx->s), clock_ms + POLL_MS);
    assert_int_equal(session_state_gen(fx->s), gen + 2);
    /* And the next failure starts again at one second. */
    fail_next_poll(fx, fake_result(PROV_ERR_SERVER, "502 Bad Gateway"));
    assert_int_equal(session_state_gen(fx->s), gen + 3);
    assert_int_equal(session_retry_at(fx->s), clock_ms + 1000);
}

static void test_session__failures_of_one_round_count_once(void **state)
{
    struct fx *fx = *state;
    /* No network at start: profile, directory and list all fail at once.
     * That is one failed attempt, not seven. */
    session_start(fx->s);
    answer(fx, FAKE_PROFILE, fake_network(false));
    static const enum fake_op dir[] = {FAKE_LIST_AGENTS, FAKE_LIST_TEAMS, FAKE_LIST_LABELS,
                                       FAKE_LIST_INBOXES, FAKE_LIST_TEMPLATES};
    for (size_t i = 0; i < 5; i++)
        answer(fx, dir[i], fake_network(false));
    answer(fx, FAKE_LIST_CONVERSATIONS, fake_network(false));
    assert_int_equal(session_state(fx->s), CONN_RETRYING);
    assert_int_equal(session_retry_at(fx->s), clock_ms + 1000);
    assert_int_equal(session_next_ms(fx->s), clock_ms + 1000);
    advance(fx, 1000);
    /* Who we are is asked again along with the list. */
    assert_int_equal(pending(fx, FAKE_PROFILE), 1);
    assert_int_equal(pending(fx, FAKE_LIST_CONVERSATIONS), 1);
    answer_profile(fx);
    static const int64_t ids[] = {1};
    answer_list(fx, ids, 1);
    assert_true(session_ready(fx->s));
    assert_int_equal(session_state(fx->s), CONN_ONLINE);
}

static void test_session__retry_after_is_honoured(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    struct prov_result r = fake_result(PROV_ERR_RATE, "Too many requests");
    r.retry_after = 30;
    fail_next_poll(fx, r);
    assert_int_equal(session_state(fx->s), CONN_RETRYING);
    assert_int_equal(session_retry_at(fx->s), clock_ms + 30000);
    size_t asked = count(fx, FAKE_LIST_CONVERSATIONS);
    advance(fx, 29999);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), asked);
    advance(fx, 1);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), asked + 1);
    /* A Retry-After shorter than the backoff does not shorten it. */
    r = fake_result(PROV_ERR_RATE, "Too many requests");
    r.retry_after = 1;
    answer(fx, FAKE_LIST_CONVERSATIONS, r);
    assert_int_equal(session_retry_at(fx->s), clock_ms + 2000);
}

static void test_session__auth_failure_stops_all_requests(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    int states = fx->nstate;
    fail_next_poll(fx, fake_result(PROV_ERR_AUTH, "Invalid Access Token"));
    assert_int_equal(session_state(fx->s), CONN_AUTH_FAILED);
    assert_string_equal(session_state_reason(fx->s), "Invalid Access Token");
    assert_int_equal(fx->nstate, states + 1);
    /* Nothing is due any more: a deadline in the past would spin the
     * event loop. */
    assert_int_equal(session_next_ms(fx->s), -1);
    size_t calls = fake_provider_pending_total(fx->fp) + count(fx, FAKE_LIST_CONVERSATIONS);
    for (int i = 0; i < 100; i++)
        advance(fx, 10000);
    session_refresh(fx->s);
    char *echo = send_ok(fx, CONV, "still typed", false); /* kept, not sent */
    assert_int_equal(fake_provider_pending_total(fx->fp) + count(fx, FAKE_LIST_CONVERSATIONS),
                     calls);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(session_outbox_count(fx->s), 1);
    assert_int_equal(outbox_on_disk(fx), 1);
    assert_int_equal(session_next_ms(fx->s), -1);
    free(echo);
}

static void test_session__auth_failure_of_a_send_stops_the_retries(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "kept for later", false);
    answer_err(fx, FAKE_SEND_MESSAGE, PROV_ERR_AUTH, "Invalid Access Token");
    assert_int_equal(session_state(fx->s), CONN_AUTH_FAILED);
    assert_int_equal(session_next_ms(fx->s), -1);
    for (int i = 0; i < 20; i++)
        advance(fx, 30000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(outbox_on_disk(fx), 1); /* nothing typed is lost */
    free(echo);
}

/* ---- sending ---- */

static void test_session__send_writes_the_outbox_before_the_provider_is_called(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "Your parcel left the depot today", false);
    /* Shown at once as a local "sending" message. */
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_SENDING);
    assert_int_equal(m->type, MSG_OUTGOING);
    assert_string_equal(m->content, "Your parcel left the depot today");
    /* The request went out, and at that moment the reply was on disk. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    const struct fake_call *c = fake_provider_last(fx->fp, FAKE_SEND_MESSAGE);
    assert_int_equal(c->conv, CONV);
    assert_string_equal(c->text, "Your parcel left the depot today");
    assert_string_equal(c->echo_id, echo);
    assert_false(c->is_private);
    assert_int_equal(fx->nsends_seen, 1);
    assert_non_null(strstr(fx->file_at_send[0], echo));
    assert_non_null(strstr(fx->file_at_send[0], "Your parcel left the depot today"));
    /* ... and marked as attempted, so a restart looks before resending. */
    assert_non_null(strstr(fx->file_at_send[0], "\"attempts\":1"));
    assert_int_equal(session_outbox_count(fx->s), 1);
    free(echo);
}

static void test_session__empty_text_is_not_queued(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *err = NULL;
    assert_null(session_send(fx->s, CONV, "", false, &err));
    assert_non_null(err);
    free(err);
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
}

static void test_session__success_removes_it_and_shows_the_server_message(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "On its way", false);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(500, CONV, "On its way", echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(outbox_on_disk(fx), 0);
    assert_null(local_msg(fx, CONV, echo));
    size_t n;
    const struct message *t = store_thread(fx->st, CONV, &n);
    assert_int_equal(n, 6);
    assert_int_equal(t[5].id, 500);
    assert_string_equal(t[5].content, "On its way");
    assert_int_equal(fx->nsent_ok, 1);
    assert_int_equal(fx->nsent_fail, 0);
    assert_string_equal(fx->last_echo, echo);
    assert_int_equal(fx->last_sent_conv, CONV);
    assert_int_equal(session_state(fx->s), CONN_ONLINE);
    free(echo);
}

static void test_session__network_error_before_delivery_looks_then_resends_once(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "Hello again", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(false));
    /* Still queued, shown, on disk; nothing sent until the backoff ends. */
    assert_int_equal(session_outbox_count(fx->s), 1);
    assert_int_equal(outbox_on_disk(fx), 1);
    assert_non_null(local_msg(fx, CONV, echo));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(session_next_ms(fx->s), clock_ms + 1000);
    advance(fx, 999);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    advance(fx, 1);
    /* Every resend is looked for first, even after a refused connection. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->after, 105);
    answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, echo);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(500, CONV, "Hello again", echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    for (int i = 0; i < 20; i++)
        advance(fx, 1000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    free(echo);
}

static void test_session__timeout_after_send_verifies_before_resending(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "Refund approved", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    /* Look first: list_messages after the id known when it was queued. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    const struct fake_call *v = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_non_null(v);
    assert_int_equal(v->conv, CONV);
    assert_int_equal(v->after, 105);
    assert_int_equal(v->before, 0);
    /* twowayd keeps echo_id in lists: found by it. */
    answer(fx, FAKE_LIST_MESSAGES, messages_result(501, CONV, ME, "Refund approved", false, echo));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1); /* NOT sent again */
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(outbox_on_disk(fx), 0);
    assert_null(local_msg(fx, CONV, echo));
    assert_int_equal(store_thread_last_id(fx->st, CONV), 501);
    assert_int_equal(fx->nsent_ok, 1);
    for (int i = 0; i < 10; i++)
        advance(fx, 1000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    free(echo);
}

static void test_session__verify_recognises_chatwoot_lists_without_echo_id(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "Internal: refund done", true);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    /* By me, same text, same private flag: it is ours. */
    answer(fx, FAKE_LIST_MESSAGES,
           messages_result(501, CONV, ME, "Internal: refund done", true, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_null(local_msg(fx, CONV, echo));
    free(echo);
}

static void test_session__verify_not_found_sends_again(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "Refund approved", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    /* Look-alikes that are not it: a colleague's, a note, other text. */
    struct prov_result r = messages_result(501, CONV, OTHER_AGENT, "Refund approved", false, NULL);
    struct message m = fake_message(502, CONV, MSG_OUTGOING, ME, "Refund approved", timeutil_now());
    m.is_private = true;
    fake_result_add_msg(&r, &m);
    m = fake_message(503, CONV, MSG_OUTGOING, ME, "Refund approved!", timeutil_now());
    fake_result_add_msg(&r, &m);
    m = fake_message(504, CONV, MSG_INCOMING, 0, "Refund approved", timeutil_now());
    fake_result_add_msg(&r, &m);
    answer(fx, FAKE_LIST_MESSAGES, r);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, echo);
    assert_int_equal(session_outbox_count(fx->s), 1);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(505, CONV, "Refund approved", echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(echo);
}

/* A server that does not know `after` (an older Chatwoot) answers the look
 * with its newest messages, as if asked for the thread: some at or before
 * the point where the reply was queued. Its absence from them proves
 * nothing (it may be older than the newest 20): the fate stays open. */
static void test_session__a_look_answered_with_older_messages_cannot_tell(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "See you at 3", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    assert_int_equal(fake_provider_last(fx->fp, FAKE_LIST_MESSAGES)->after, 105);
    struct prov_result r = messages_result(104, CONV, 0, "customer text", false, NULL);
    struct message m = fake_message(106, CONV, MSG_INCOMING, 0, "are you there?", timeutil_now());
    fake_result_add_msg(&r, &m);
    answer(fx, FAKE_LIST_MESSAGES, r);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    advance(fx, 120000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    free(echo);
}

static void test_session__failed_verify_keeps_verifying(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "Refund approved", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    answer(fx, FAKE_LIST_MESSAGES, fake_network(false));
    advance(fx, 60000);
    /* The look did not happen: look again, never send blind. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 1);
    answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    free(echo);
}

/* A server error or an unreadable answer to a create may hide a message
 * that was stored: look before sending it again. */
static void check_unclear_failure_verifies(struct fx *fx, struct prov_result r)
{
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, "Your code is 4411", false);
    answer(fx, FAKE_SEND_MESSAGE, r);
    assert_int_equal(session_outbox_count(fx->s), 1);
    advance(fx, 60000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 1);
    answer(fx, FAKE_LIST_MESSAGES,
           messages_result(501, CONV, ME, "Your code is 4411", false, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(echo);
}

static void test_session__server_error_on_send_verifies_before_resending(void **state)
{
    check_unclear_failure_verifies(*state, fake_result(PROV_ERR_SERVER, "504 Gateway Timeout"));
}

static void test_session__unreadable_answer_to_send_verifies_before_resending(void **state)
{
    check_unclear_failure_verifies(*state,
                                   fake_result(PROV_ERR_PROTOCOL, "the answer could not be read"));
}

static void test_session__a_look_alike_of_an_earlier_reply_is_not_taken_for_it(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    /* The agent answers "ok" twice; both are queued while the first goes. */
    char *e1 = send_ok(fx, CONV, "ok", false);
    char *e2 = send_ok(fx, CONV, "ok", false);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(500, CONV, "ok", e1));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    /* The server answers what it has after the id asked for: message 500
     * is the first "ok", which must not be taken for the second. */
    const struct fake_call *v = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_non_null(v);
    struct prov_result r = fake_result(PROV_OK, NULL);
    if (v->after < 500) {
        struct message m = fake_message(500, CONV, MSG_OUTGOING, ME, "ok", timeutil_now());
        fake_result_add_msg(&r, &m);
    }
    answer(fx, FAKE_LIST_MESSAGES, r);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 3);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, e2);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(501, CONV, "ok", e2));
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(e1);
    free(e2);
}

static void test_session__invalid_is_failed_kept_and_not_resent_until_retry(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "STOP? no, START", false);
    answer_err(fx, FAKE_SEND_MESSAGE, PROV_ERR_INVALID,
               "Message could not be sent: the contact has opted out");
    assert_int_equal(fx->nsent_fail, 1);
    assert_string_equal(fx->last_why,
                        "not sent: Message could not be sent: the contact has opted out");
    /* Kept, with the reason, on disk and on screen. */
    assert_int_equal(session_outbox_count(fx->s), 1);
    char *err = NULL;
    struct outbox *o = outbox_open(fx->outbox_path, &err);
    assert_non_null(o);
    assert_int_equal(outbox_len(o), 1);
    assert_int_equal(outbox_at(o, 0)->state, OUTBOX_FAILED);
    assert_string_equal(outbox_at(o, 0)->error,
                        "Message could not be sent: the contact has opted out");
    outbox_free(&o);
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_FAILED);
    assert_string_equal(m->external_error, "Message could not be sent: the contact has opted out");
    /* The connection is fine: the server answered. */
    assert_int_equal(session_state(fx->s), CONN_ONLINE);
    /* Time passes, polls come and go: it is not sent again by itself. */
    static const int64_t ids[] = {1, 2, 3};
    for (int i = 0; i < 5; i++) {
        advance(fx, POLL_MS);
        answer_list(fx, ids, 3);
    }
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    /* Until the agent says so: looked for, then sent. */
    assert_int_equal(session_retry(fx->s, CONV, echo, &err), 0);
    assert_int_equal(local_msg(fx, CONV, echo)->status, MSGST_SENDING);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(600, CONV, "STOP? no, START", echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(fx->nsent_ok, 1);
    free(echo);
}

static void test_session__retry_of_unknown_reply_is_an_error(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *err = NULL;
    assert_int_equal(session_retry(fx->s, CONV, "tw-unknown", &err), -1);
    assert_non_null(err);
    free(err);
}

static void test_session__a_refused_reply_does_not_hold_up_the_next(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *e1 = send_ok(fx, CONV, "first", false);
    char *e2 = send_ok(fx, 2, "second", false);
    answer_err(fx, FAKE_SEND_MESSAGE, PROV_ERR_INVALID, "refused");
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, e2);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(700, 2, "second", e2));
    assert_int_equal(session_outbox_count(fx->s), 1);
    free(e1);
    free(e2);
}

static void test_session__discard_returns_the_text_and_removes_it(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "Typo-ridden reply", false);
    answer_err(fx, FAKE_SEND_MESSAGE, PROV_ERR_INVALID, "refused");
    assert_null(session_discard(fx->s, 2, echo)); /* wrong conversation */
    assert_null(session_discard(fx->s, CONV, "tw-unknown"));
    char *text = session_discard(fx->s, CONV, echo);
    assert_non_null(text);
    assert_string_equal(text, "Typo-ridden reply");
    free(text);
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(outbox_on_disk(fx), 0);
    assert_null(local_msg(fx, CONV, echo));
    assert_null(session_discard(fx->s, CONV, echo));
    char *err = NULL;
    assert_int_equal(session_retry(fx->s, CONV, echo, &err), -1);
    free(err);
    free(echo);
}

static void test_session__a_reply_on_its_way_cannot_be_discarded(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "in flight", false);
    /* The server may be storing it right now: handing the text back for
     * editing would make a second copy. */
    assert_null(session_discard(fx->s, CONV, echo));
    assert_int_equal(session_outbox_count(fx->s), 1);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(500, CONV, "in flight", echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(echo);
}

static void test_session__replies_go_out_in_queue_order_one_at_a_time(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    const char *texts[] = {"one", "two", "three", "four"};
    const int64_t convs[] = {1, 2, 1, 3};
    char *echo[4];
    for (int i = 0; i < 4; i++)
        echo[i] = send_ok(fx, convs[i], texts[i], false);
    assert_int_equal(session_outbox_count(fx->s), 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pending(fx, FAKE_SEND_MESSAGE), 1);
        const struct fake_call *c = fake_provider_next(fx->fp, FAKE_SEND_MESSAGE);
        assert_string_equal(c->text, texts[i]);
        assert_int_equal(c->conv, convs[i]);
        assert_string_equal(c->echo_id, echo[i]);
        answer(fx, FAKE_SEND_MESSAGE, sent_result(800 + i, convs[i], texts[i], echo[i]));
    }
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 4);
    assert_int_equal(session_outbox_count(fx->s), 0);
    for (int i = 0; i < 4; i++)
        free(echo[i]);
}

static void test_session__a_reply_typed_before_the_first_sync_waits_for_it(void **state)
{
    struct fx *fx = *state;
    session_start(fx->s);
    char *echo = send_ok(fx, CONV, "early bird", false);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_non_null(local_msg(fx, CONV, echo));
    assert_int_equal(outbox_on_disk(fx), 1);
    answer_profile(fx);
    static const int64_t ids[] = {1};
    answer_list(fx, ids, 1);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    free(echo);
}

static void test_session__restart_shows_unsent_replies_and_verifies_before_sending(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *a = send_ok(fx, CONV, "first reply", false); /* attempted */
    char *b = send_ok(fx, CONV, "second reply", true); /* still queued */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    /* Crash: no answer ever comes. */
    close_session(fx);

    open_session(fx);
    assert_int_equal(session_outbox_count(fx->s), 2);
    const struct message *la = local_msg(fx, CONV, a), *lb = local_msg(fx, CONV, b);
    assert_non_null(la);
    assert_non_null(lb);
    assert_int_equal(la->status, MSGST_SENDING);
    assert_string_equal(la->content, "first reply");
    assert_string_equal(lb->content, "second reply");
    assert_true(lb->is_private);
    first_sync(fx);
    /* The attempted one may have arrived: look first, send nothing yet. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    const struct fake_call *v = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_non_null(v);
    assert_int_equal(v->conv, CONV);
    assert_int_equal(v->after, 105);
    answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, a);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(501, CONV, "first reply", a));
    /* The second was never attempted: sent without looking. */
    assert_int_equal(count(fx, FAKE_LIST_MESSAGES), 1);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    const struct fake_call *c = fake_provider_last(fx->fp, FAKE_SEND_MESSAGE);
    assert_string_equal(c->echo_id, b);
    assert_true(c->is_private);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(502, CONV, "second reply", b));
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(outbox_on_disk(fx), 0);
    free(a);
    free(b);
}

static void test_session__restart_does_not_resend_a_reply_that_arrived(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *a = send_ok(fx, CONV, "arrived before the crash", false);
    close_session(fx);
    open_session(fx);
    first_sync(fx);
    answer(fx, FAKE_LIST_MESSAGES,
           messages_result(501, CONV, ME, "arrived before the crash", false, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(outbox_on_disk(fx), 0);
    assert_null(local_msg(fx, CONV, a));
    free(a);
}

/* A held reply is on disk and on screen at once, but goes out only when
 * released; declined, it is taken back whole. */
static void test_session__held_reply_waits_for_release(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *err = NULL;
    char *echo = session_send_held(fx->s, CONV, "checked first", false, &err);
    assert_non_null(echo);
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_SENDING);
    assert_int_equal(outbox_on_disk(fx), 1);
    advance(fx, 60000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(session_release(fx->s, echo, &err), 0);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, echo);
    /* Released once: a second release is an error, not a second send. */
    assert_int_equal(session_release(fx->s, echo, &err), -1);
    free(err);
    free(echo);
}

static void test_session__held_reply_declined_is_taken_back(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *err = NULL;
    char *echo = session_send_held(fx->s, CONV, "maybe not", false, &err);
    char *text = session_discard(fx->s, CONV, echo);
    assert_string_equal(text, "maybe not");
    assert_null(local_msg(fx, CONV, echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    advance(fx, 60000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    free(text);
    free(echo);
}

/* twoway stopped before the agent answered: the reply comes back failed,
 * kept for a retry, and is never sent on its own. */
static void test_session__held_reply_after_restart_is_failed_not_sent(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *err = NULL;
    char *echo = session_send_held(fx->s, CONV, "unconfirmed", false, &err);
    close_session(fx);
    open_session(fx);
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_FAILED);
    assert_non_null(strstr(m->external_error, "confirmed"));
    first_sync(fx);
    advance(fx, 60000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(session_retry(fx->s, CONV, echo, &err), 0);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    free(echo);
}

static void test_session__restart_keeps_a_refused_reply_until_retry(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "refused before", false);
    answer_err(fx, FAKE_SEND_MESSAGE, PROV_ERR_INVALID, "opted out");
    close_session(fx);
    open_session(fx);
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_FAILED);
    assert_string_equal(m->external_error, "opted out");
    first_sync(fx);
    advance(fx, 60000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(count(fx, FAKE_LIST_MESSAGES), 0);
    char *err = NULL;
    assert_int_equal(session_retry(fx->s, CONV, echo, &err), 0);
    answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    free(echo);
}

static void test_session__unreadable_outbox_is_set_aside(void **state)
{
    struct fx *fx = *state;
    close_session(fx);
    /* Something that cannot be read where the outbox should be. */
    assert_int_equal(mkdir(fx->outbox_path, 0700), 0);
    char *inside = xasprintf("%s/keep", fx->outbox_path);
    FILE *f = fopen(inside, "w");
    assert_non_null(f);
    fclose(f);
    open_session(fx);
    char *aside = xasprintf("%s.unreadable/keep", fx->outbox_path);
    assert_int_equal(access(aside, F_OK), 0); /* kept, not overwritten */
    first_sync(fx);
    char *echo = send_ok(fx, CONV, "new outbox", false);
    assert_int_equal(outbox_on_disk(fx), 1);
    free(echo);
    free(aside);
    free(inside);
}

static void test_session__unusable_state_dir_refuses_to_send(void **state)
{
    struct fx *fx = *state;
    close_session(fx);
    char *file = xasprintf("%s/plain-file", fx->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    open_session_at(fx, file);
    first_sync(fx); /* reading works */
    char *err = NULL;
    assert_null(session_send(fx->s, CONV, "cannot be kept", false, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, file));
    free(err);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(file);
}

static void test_session__send_notify_reports_the_fate_once(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    char *err = NULL;
    char *echo = session_send_notify(fx->s, CONV, "notify me", false, on_notify, fx, &err);
    assert_non_null(echo);
    assert_int_equal(fx->nnotify, 0); /* never from inside the call */
    answer(fx, FAKE_SEND_MESSAGE, sent_result(900, CONV, "notify me", echo));
    assert_int_equal(fx->nnotify, 1);
    assert_true(fx->notify_ok);
    assert_int_equal(fx->notify_id, 900);
    free(echo);

    echo = session_send_notify(fx->s, CONV, "refused", false, on_notify, fx, &err);
    answer_err(fx, FAKE_SEND_MESSAGE, PROV_ERR_INVALID, "no");
    assert_int_equal(fx->nnotify, 2);
    assert_false(fx->notify_ok);
    assert_string_equal(fx->notify_why, "not sent: no");
    session_retry(fx->s, CONV, echo, &err);
    answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    answer(fx, FAKE_SEND_MESSAGE, sent_result(901, CONV, "refused", echo));
    assert_int_equal(fx->nnotify, 2); /* once only */
    free(echo);
}

/* ---- the look before a resend: every page, and "may have been sent" ---- */

/* A page of n messages from customers, ids first..first+n-1. */
static struct prov_result page_of(int64_t first, size_t n)
{
    struct prov_result r = fake_result(PROV_OK, NULL);
    for (size_t i = 0; i < n; i++) {
        struct message m = fake_message(first + (int64_t)i, CONV, MSG_INCOMING, 0, "busy customer",
                                        timeutil_now());
        fake_result_add_msg(&r, &m);
    }
    return r;
}

/* A reply sent once whose answer was lost; the look is asked for. */
static char *lost_once(struct fx *fx, const char *text)
{
    first_sync(fx);
    prime_thread(fx);
    char *echo = send_ok(fx, CONV, text, false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 1);
    return echo;
}

static void test_session__look_finds_a_reply_behind_a_hundred_newer_messages(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Behind the crowd");
    /* 100 customer messages came after the point where it was queued. */
    answer(fx, FAKE_LIST_MESSAGES, page_of(106, 100));
    const struct fake_call *v = fake_provider_next(fx->fp, FAKE_LIST_MESSAGES);
    assert_non_null(v);
    assert_int_equal(v->after, 205);
    assert_int_equal(v->before, 0);
    struct prov_result r = page_of(206, 3);
    struct message m =
        fake_message(209, CONV, MSG_OUTGOING, ME, "Behind the crowd", timeutil_now());
    fake_result_add_msg(&r, &m);
    answer(fx, FAKE_LIST_MESSAGES, r);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1); /* NOT sent again */
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(fx->nsent_ok, 1);
    free(echo);
}

static void test_session__look_reads_every_page_before_sending_again(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Not there");
    answer(fx, FAKE_LIST_MESSAGES, page_of(106, 100));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    answer(fx, FAKE_LIST_MESSAGES, page_of(206, 100));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->after, 305);
    answer(fx, FAKE_LIST_MESSAGES, page_of(306, 0));
    /* Every message since it was queued, and it is not among them. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, echo);
    free(echo);
}

/* What each kind of unreadable look leaves: the reply kept, shown as "may
 * have been sent", never sent again by itself. */
static void check_unsure(struct fx *fx, const char *echo)
{
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(session_outbox_count(fx->s), 1);
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    assert_int_equal(session_outbox_sendable(fx->s), 0);
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_UNSURE);
    assert_true(strncmp(m->external_error, "may have been sent (", 20) == 0);
    assert_non_null(strstr(m->external_error, "check the thread, then `retry` or `discard`"));
    assert_int_equal(fx->nsent_fail, 1);
    assert_string_equal(fx->last_why, m->external_error);
    char *err = NULL;
    struct outbox *o = outbox_open(fx->outbox_path, &err);
    assert_non_null(o);
    assert_int_equal(outbox_at(o, 0)->state, OUTBOX_UNSURE);
    outbox_free(&o);
    /* Time passes, polls come and go: nothing is sent or looked for. */
    size_t looks = count(fx, FAKE_LIST_MESSAGES);
    static const int64_t ids[] = {1, 2, 3};
    for (int i = 0; i < 20; i++) {
        advance(fx, 30000);
        if (pending(fx, FAKE_LIST_CONVERSATIONS))
            answer_list(fx, ids, 3);
        fake_provider_answer_all_ok(fx->fp, FAKE_CONVERSATION_COUNTS);
    }
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(count(fx, FAKE_LIST_MESSAGES), looks);
}

static void test_session__unreadable_look_is_unsure_not_absent(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Unreadable");
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL,
               "the server's answer could not be read: empty answer");
    check_unsure(fx, echo);
    assert_non_null(strstr(fx->last_why, "empty answer"));
    free(echo);
}

static void test_session__look_with_unreadable_messages_is_unsure(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Partly read");
    struct prov_result r = page_of(106, 2);
    r.partial = true;
    answer(fx, FAKE_LIST_MESSAGES, r);
    check_unsure(fx, echo);
    free(echo);
}

static void test_session__unreadable_second_page_is_unsure(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Second page lost");
    answer(fx, FAKE_LIST_MESSAGES, page_of(106, 100));
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "truncated JSON");
    check_unsure(fx, echo);
    free(echo);
}

static void test_session__pages_that_do_not_move_on_are_unsure(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Stuck pages");
    answer(fx, FAKE_LIST_MESSAGES, page_of(6, 100)); /* all at or before 105 */
    check_unsure(fx, echo);
    free(echo);
}

static void test_session__refused_look_is_unsure(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Look refused");
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_NOT_FOUND, "Resource could not be found");
    check_unsure(fx, echo);
    free(echo);
}

static void test_session__retry_of_unsure_looks_again_and_sends_only_if_absent(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Decide for me");
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    check_unsure(fx, echo);
    char *err = NULL;
    /* Found: not sent again. */
    assert_int_equal(session_retry(fx->s, CONV, echo, &err), 0);
    assert_int_equal(local_msg(fx, CONV, echo)->status, MSGST_SENDING);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->after, 105);
    answer(fx, FAKE_LIST_MESSAGES, messages_result(300, CONV, ME, "Decide for me", false, echo));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(echo);

    /* Absent: sent. */
    echo = send_ok(fx, CONV, "Second thought", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 60000);
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    assert_int_equal(session_retry(fx->s, CONV, echo, &err), 0);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    answer(fx, FAKE_LIST_MESSAGES, page_of(301, 0));
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 3);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(302, CONV, "Second thought", echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    free(echo);
}

static void test_session__discard_of_unsure_gives_the_text_back(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Take it back");
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    char *text = session_discard(fx->s, CONV, echo);
    assert_non_null(text);
    assert_string_equal(text, "Take it back");
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_null(local_msg(fx, CONV, echo));
    assert_int_equal(outbox_on_disk(fx), 0);
    free(text);
    free(echo);
}

static void test_session__unsure_stays_unsure_after_a_restart(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Across a restart");
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    close_session(fx);
    open_session(fx);
    first_sync(fx);
    const struct message *m = local_msg(fx, CONV, echo);
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_UNSURE);
    advance(fx, 60000);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 0);
    assert_int_equal(count(fx, FAKE_LIST_MESSAGES), 0);
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    free(echo);
}

static void test_session__an_unsure_reply_keeps_its_point_while_others_go(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    prime_thread(fx);
    char *a = send_ok(fx, CONV, "ok", false);
    char *b = send_ok(fx, CONV, "ok", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    /* The next reply does not wait for the agent's decision. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 2);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, b);
    answer(fx, FAKE_SEND_MESSAGE, sent_result(400, CONV, "ok", b));
    /* The first "ok" was stored as 300 after all; the look on retry starts
     * where it was queued, and 400 (the second "ok") is not taken for it. */
    char *err = NULL;
    assert_int_equal(session_retry(fx->s, CONV, a, &err), 0);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->after, 105);
    struct prov_result r = fake_result(PROV_OK, NULL);
    struct message m = fake_message(400, CONV, MSG_OUTGOING, ME, "ok", timeutil_now());
    fake_result_add_msg(&r, &m);
    answer(fx, FAKE_LIST_MESSAGES, r);
    /* Only the second "ok" is there: the first is absent and goes now. */
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 3);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_SEND_MESSAGE)->echo_id, a);
    free(a);
    free(b);
}

static void test_session__unsure_reply_seen_in_the_thread_by_echo_id_is_settled(void **state)
{
    struct fx *fx = *state;
    char *echo = lost_once(fx, "Seen later");
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    int ok_before = fx->nsent_ok;
    /* The thread's own poll brings it, echo_id and all: it is there. */
    session_open(fx->s, CONV);
    answer(fx, FAKE_LIST_MESSAGES, messages_result(300, CONV, ME, "Seen later", false, echo));
    assert_int_equal(session_outbox_count(fx->s), 0);
    assert_int_equal(outbox_on_disk(fx), 0);
    assert_null(local_msg(fx, CONV, echo));
    assert_int_equal(fx->nsent_ok, ok_before + 1);
    assert_int_equal(count(fx, FAKE_SEND_MESSAGE), 1);
    /* A text match alone (a server without echo_id) settles nothing. */
    free(echo);
    echo = send_ok(fx, CONV, "Seen by text only", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 60000);
    while (pending(fx, FAKE_LIST_MESSAGES) > 1)
        answer(fx, FAKE_LIST_MESSAGES, fake_result(PROV_OK, NULL));
    answer_err(fx, FAKE_LIST_MESSAGES, PROV_ERR_PROTOCOL, "garbage");
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    session_refresh(fx->s);
    assert_int_equal(pending(fx, FAKE_LIST_MESSAGES), 1);
    answer(fx, FAKE_LIST_MESSAGES,
           messages_result(301, CONV, ME, "Seen by text only", false, NULL));
    assert_int_equal(session_outbox_unsure(fx->s), 1);
    free(echo);
}

static void test_session__look_without_a_known_point_reads_from_the_oldest(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    /* The thread is not loaded (a script): the look starts after the
     * conversation's last message, as the list had it. */
    const struct conversation *c = store_conv(fx->st, 2);
    assert_non_null(c);
    int64_t last = c->last.id;
    assert_true(last > 0);
    char *echo = send_ok(fx, 2, "Cold reply", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->after, last);
    answer(fx, FAKE_LIST_MESSAGES, messages_result(last + 1, 2, ME, "Cold reply", false, echo));
    free(echo);
    /* Nothing known at all: from the oldest message. */
    echo = send_ok(fx, 9, "Colder reply", false);
    answer(fx, FAKE_SEND_MESSAGE, fake_network(true));
    advance(fx, 1000);
    assert_int_equal(fake_provider_next(fx->fp, FAKE_LIST_MESSAGES)->after, PROV_FROM_OLDEST);
    free(echo);
}

/* A reply whose session goes away before it is answered: nothing leaks and
 * the callback does not run (ASan checks the first). */
static void test_session__free_with_requests_in_flight(void **state)
{
    struct fx *fx = *state;
    session_start(fx->s);
    answer_profile(fx);
    char *err = NULL;
    char *echo = session_send_notify(fx->s, CONV, "bye", false, on_notify, fx, &err);
    session_open(fx->s, CONV);
    close_session(fx);
    assert_int_equal(fx->nnotify, 0);
    free(echo);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* ---- the one scheduler, settings while running ---- */

/* A scheduler of one timer, as the loop's: the test fires it. */
struct one_timer {
    int64_t when;
    void (*cb)(void *);
    void *cbud;
    uint64_t id;
    int armed, cancelled;
};

static uint64_t t_at(void *ud, int64_t when, void (*cb)(void *), void *cbud)
{
    struct one_timer *t = ud;
    t->when = when;
    t->cb = cb;
    t->cbud = cbud;
    t->armed++;
    return ++t->id;
}

static void t_cancel(void *ud, uint64_t id)
{
    struct one_timer *t = ud;
    if (id == t->id)
        t->cb = NULL;
    t->cancelled++;
}

static void t_fire(struct one_timer *t)
{
    void (*cb)(void *) = t->cb;
    assert_non_null(cb);
    t->cb = NULL;
    clock_ms = t->when;
    cb(t->cbud);
}

static void test_session__keeps_a_loop_timer_at_its_next_deadline(void **state)
{
    struct fx *fx = *state;
    struct one_timer t = {0};
    struct session_sched sc = {.at = t_at, .cancel = t_cancel, .ud = &t};
    session_set_sched(fx->s, &sc);
    first_sync(fx);
    /* Armed at the next poll, without anyone calling session_tick(). */
    assert_non_null(t.cb);
    assert_int_equal(t.when, clock_ms + POLL_MS);
    t_fire(&t);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 2);
    /* A poll in flight has no deadline; its answer sets the next one. */
    assert_null(t.cb);
    static const int64_t ids[] = {1, 2, 3};
    answer_list(fx, ids, 3);
    assert_non_null(t.cb);
    assert_int_equal(t.when, clock_ms + POLL_MS);
    session_free(&fx->s); /* the timer goes with it */
    assert_null(t.cb);
    store_free(&fx->st);
}

static void test_session__a_shorter_poll_interval_brings_the_next_poll_forward(void **state)
{
    struct fx *fx = *state;
    struct one_timer t = {0};
    struct session_sched sc = {.at = t_at, .cancel = t_cancel, .ud = &t};
    session_set_sched(fx->s, &sc);
    first_sync(fx);
    session_set_poll_ms(fx->s, 60 * POLL_MS);
    assert_int_equal(session_next_ms(fx->s), clock_ms + POLL_MS); /* longer: not later */
    session_set_poll_ms(fx->s, 1000);
    assert_int_equal(session_next_ms(fx->s), clock_ms + 1000);
    assert_int_equal(t.when, clock_ms + 1000);
    t_fire(&t);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), 2);
    static const int64_t ids[] = {1, 2, 3};
    answer_list(fx, ids, 3);
    assert_int_equal(t.when, clock_ms + 1000); /* and the new interval from then on */
}

static void test_session__keep_unread_follows_its_setting(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    session_set_keep_unread(fx->s, true);
    session_open(fx->s, 1);
    assert_int_equal(count(fx, FAKE_MARK_READ), 0);
    session_set_keep_unread(fx->s, false);
    session_open(fx->s, 2);
    assert_int_equal(count(fx, FAKE_MARK_READ), 1);
}

static void test_session__follows_the_view_only_when_it_changes(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    struct view v;
    view_init(&v);
    v.assignee = ASSIGNEE_ALL;
    v.status = CONV_OPEN;
    size_t lists = count(fx, FAKE_LIST_CONVERSATIONS);
    session_follow_view(fx->s, &v); /* the same query as the session's own */
    session_follow_view(fx->s, &v);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), lists);
    view_set_sort(&v, "priority");
    session_follow_view(fx->s, &v);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), lists + 1);
    assert_string_equal(fake_provider_last(fx->fp, FAKE_LIST_CONVERSATIONS)->q.sort_by,
                        "priority_desc");
    v.open_conv = 2;
    view_touch(&v);
    session_follow_view(fx->s, &v);
    assert_int_equal(count(fx, FAKE_LIST_CONVERSATIONS), lists + 1);
    assert_int_equal(fake_provider_last(fx->fp, FAKE_LIST_MESSAGES)->conv, 2);
    view_free(&v);
}

/* An action's answer lands in the store the way a pushed change would,
 * and the command hears what it became. */
static struct session_answer last_answer;
static struct conv_change last_change;
static char last_why[128];
static int answers;

/* What the answer borrows is gone after the callback: keep copies. */
static void on_answer(void *ud, const struct session_answer *a)
{
    (void)ud;
    answers++;
    last_answer = *a;
    snprintf(last_why, sizeof last_why, "%s", a->why ? a->why : "");
    last_answer.why = last_why;
    if (a->change)
        last_change = *a->change;
}

static void test_session__an_action_merges_what_the_server_did(void **state)
{
    struct fx *fx = *state;
    first_sync(fx);
    answers = 0;
    struct session_act act = {.kind = ACT_STATUS, .conv = 2, .status = CONV_SNOOZED};
    session_act(fx->s, &act, on_answer, NULL);
    assert_int_equal(answers, 0);
    struct prov_result r = fake_result(PROV_OK, NULL);
    r.status = CONV_SNOOZED;
    r.snoozed_until = 1800000000;
    fake_provider_answer_next(fx->fp, FAKE_SET_STATUS, &r);
    assert_int_equal(answers, 1);
    assert_int_equal(last_answer.outcome, SESSION_OK);
    assert_int_equal(last_change.status, CONV_SNOOZED);
    assert_int_equal(last_change.snoozed_until, 1800000000);
    assert_int_equal(store_conv(fx->st, 2)->status, CONV_SNOOZED);
    assert_int_equal(store_conv(fx->st, 2)->snoozed_until, 1800000000);
    /* ...and the conversation is read again. */
    assert_int_equal(fake_provider_last(fx->fp, FAKE_GET_CONVERSATION)->conv, 2);

    /* Refused: said once, in the one classification, the store untouched. */
    act.status = CONV_RESOLVED;
    session_act(fx->s, &act, on_answer, NULL);
    r = fake_result(PROV_ERR_DENIED, "You are not authorized to do this action");
    fake_provider_answer_next(fx->fp, FAKE_SET_STATUS, &r);
    assert_int_equal(answers, 2);
    assert_int_equal(last_answer.outcome, SESSION_REFUSED);
    assert_string_equal(last_answer.why, "You are not authorized to do this action");
    assert_int_equal(store_conv(fx->st, 2)->status, CONV_SNOOZED);
    assert_int_equal(session_state(fx->s), CONN_ONLINE);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        T(test_session__start_asks_profile_directory_and_list),
        T(test_session__ready_after_profile_then_list),
        T(test_session__ready_after_list_then_profile),
        T(test_session__not_ready_while_the_list_fails),
        T(test_session__list_is_stored_in_page_order_with_counts),
        T(test_session__directory_is_stored),
        T(test_session__polls_again_after_poll_ms),
        T(test_session__keeps_a_loop_timer_at_its_next_deadline),
        T(test_session__a_shorter_poll_interval_brings_the_next_poll_forward),
        T(test_session__keep_unread_follows_its_setting),
        T(test_session__follows_the_view_only_when_it_changes),
        T(test_session__an_action_merges_what_the_server_did),
        T(test_session__refresh_polls_now),
        T(test_session__set_query_discards_answers_of_the_old_query),
        T(test_session__load_more_asks_page_two),
        T(test_session__changes_move_rows_and_take_out_what_left_the_query),
        T(test_session__a_server_that_ignores_updated_within_is_asked_for_pages),
        T(test_session__a_full_catch_up_asks_the_next_page_until_all_came),
        T(test_session__a_server_that_gives_every_change_at_once_is_asked_once_more),
        T(test_session__a_catch_up_too_big_to_page_loads_the_list_afresh),
        T(test_session__a_limit_the_server_can_say_is_asked_of_it_and_counted_by_it),
        T(test_session__bottom_of_a_hundred_thousand_asks_the_last_pages_only),
        T(test_session__open_loads_newest_and_marks_read),
        T(test_session__open_short_thread_is_complete),
        T(test_session__open_thread_is_polled_after_its_last_id),
        T(test_session__late_thread_answer_of_another_conv_is_ignored),
        T(test_session__load_older_pages_back_until_a_short_page),
        T(test_session__fetch_conv_updates_the_record),
        T(test_session__inbound_not_called_for_the_first_sync),
        T(test_session__inbound_called_once_when_an_incoming_message_arrives),
        T(test_session__inbound_called_for_a_new_conversation),
        T(test_session__inbound_not_called_for_replies_and_activity),
        T(test_session__inbound_called_for_a_colleagues_note),
        T(test_session__network_errors_back_off_1_2_4_seconds_capped),
        T(test_session__failures_of_one_round_count_once),
        T(test_session__retry_after_is_honoured),
        T(test_session__auth_failure_stops_all_requests),
        T(test_session__auth_failure_of_a_send_stops_the_retries),
        T(test_session__send_writes_the_outbox_before_the_provider_is_called),
        T(test_session__empty_text_is_not_queued),
        T(test_session__success_removes_it_and_shows_the_server_message),
        T(test_session__network_error_before_delivery_looks_then_resends_once),
        T(test_session__timeout_after_send_verifies_before_resending),
        T(test_session__verify_recognises_chatwoot_lists_without_echo_id),
        T(test_session__verify_not_found_sends_again),
        T(test_session__a_look_answered_with_older_messages_cannot_tell),
        T(test_session__failed_verify_keeps_verifying),
        T(test_session__server_error_on_send_verifies_before_resending),
        T(test_session__unreadable_answer_to_send_verifies_before_resending),
        T(test_session__a_look_alike_of_an_earlier_reply_is_not_taken_for_it),
        T(test_session__invalid_is_failed_kept_and_not_resent_until_retry),
        T(test_session__retry_of_unknown_reply_is_an_error),
        T(test_session__a_refused_reply_does_not_hold_up_the_next),
        T(test_session__discard_returns_the_text_and_removes_it),
        T(test_session__a_reply_on_its_way_cannot_be_discarded),
        T(test_session__replies_go_out_in_queue_order_one_at_a_time),
        T(test_session__a_reply_typed_before_the_first_sync_waits_for_it),
        T(test_session__restart_shows_unsent_replies_and_verifies_before_sending),
        T(test_session__restart_does_not_resend_a_reply_that_arrived),
        T(test_session__restart_keeps_a_refused_reply_until_retry),
        T(test_session__held_reply_waits_for_release),
        T(test_session__held_reply_declined_is_taken_back),
        T(test_session__held_reply_after_restart_is_failed_not_sent),
        T(test_session__unreadable_outbox_is_set_aside),
        T(test_session__unusable_state_dir_refuses_to_send),
        T(test_session__send_notify_reports_the_fate_once),
        T(test_session__look_finds_a_reply_behind_a_hundred_newer_messages),
        T(test_session__look_reads_every_page_before_sending_again),
        T(test_session__unreadable_look_is_unsure_not_absent),
        T(test_session__look_with_unreadable_messages_is_unsure),
        T(test_session__unreadable_second_page_is_unsure),
        T(test_session__pages_that_do_not_move_on_are_unsure),
        T(test_session__refused_look_is_unsure),
        T(test_session__retry_of_unsure_looks_again_and_sends_only_if_absent),
        T(test_session__discard_of_unsure_gives_the_text_back),
        T(test_session__unsure_stays_unsure_after_a_restart),
        T(test_session__an_unsure_reply_keeps_its_point_while_others_go),
        T(test_session__unsure_reply_seen_in_the_thread_by_echo_id_is_settled),
        T(test_session__look_without_a_known_point_reads_from_the_oldest),
        T(test_session__free_with_requests_in_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
