/* Unit tests for store: merging conversations, the list and its
 * generations, threads (order, dedupe, local messages), the directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/store.h"
#include "twoway/xmalloc.h"

/* ---- builders ---- */

static struct message msg(int64_t id, int64_t at, const char *content, const char *echo)
{
    struct message m = {0};
    m.id = id;
    m.type = MSG_OUTGOING;
    m.status = MSGST_SENT;
    m.sender_kind = SENDER_AGENT;
    m.sender_name = xstrdup("Ben");
    m.content = xstrdup(content);
    m.external_error = xstrdup("");
    m.echo_id = xstrdup(echo ? echo : "");
    m.created_at = at;
    return m;
}

static struct conversation conv(int64_t id)
{
    struct conversation c = {0};
    c.id = id;
    c.account_id = 1;
    c.inbox_id = 1;
    c.status = CONV_OPEN;
    c.contact.id = id + 1000;
    c.contact.name = xasprintf("Customer %lld", (long long)id);
    c.contact.phone = xasprintf("+1555%07lld", (long long)id);
    c.contact.email = xstrdup("");
    c.contact.identifier = xstrdup("");
    c.assignee_name = xstrdup("");
    c.team_name = xstrdup("");
    c.nlabels = 1;
    c.labels = xcalloc(1, sizeof *c.labels);
    c.labels[0] = xstrdup("billing");
    c.channel = xstrdup("Channel::TwilioSms");
    c.last_activity_at = 1700000000 + id;
    c.has_last = true;
    c.last = msg(id * 10, c.last_activity_at, "hi", NULL);
    c.last.type = MSG_INCOMING;
    return c;
}

static unsigned put(struct store *s, struct conversation c)
{
    return store_put_conv(s, &c);
}

/* The ids of a thread, in order, as "1,2,0" (0 = local). */
static char *thread_ids(const struct store *s, int64_t id)
{
    size_t n;
    const struct message *m = store_thread(s, id, &n);
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%lld", out, i ? "," : "", (long long)m[i].id);
        free(out);
        out = next;
    }
    return out;
}

#define assert_thread(s, id, want)                                                                 \
    do {                                                                                           \
        char *got_ = thread_ids((s), (id));                                                        \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

static int setup(void **state)
{
    *state = store_new();
    return 0;
}

static int teardown(void **state)
{
    struct store *s = *state;
    store_free(&s);
    assert_null(s);
    return 0;
}

/* ---- conversations ---- */

static void test_store__put_then_get(void **state)
{
    struct store *s = *state;
    struct conversation c = conv(7);
    assert_int_equal(store_put_conv(s, &c), STORE_PUT_NEW);
    assert_null(c.contact.name); /* taken */
    assert_int_equal(c.id, 0);
    const struct conversation *got = store_conv(s, 7);
    assert_non_null(got);
    assert_int_equal(got->id, 7);
    assert_string_equal(got->contact.name, "Customer 7");
    assert_string_equal(got->labels[0], "billing");
    assert_null(store_conv(s, 8));
    assert_int_equal(store_conv_count(s), 1);
}

static void test_store__same_record_again_is_same(void **state)
{
    struct store *s = *state;
    put(s, conv(7));
    uint64_t gen = store_conv_gen(s, 7);
    assert_int_not_equal(gen, 0);
    assert_int_equal(put(s, conv(7)), STORE_PUT_SAME);
    assert_int_equal(store_conv_gen(s, 7), gen);
    assert_int_equal(store_conv_count(s), 1);
}

static void test_store__hidden_field_change_is_same_but_kept(void **state)
{
    struct store *s = *state;
    put(s, conv(7));
    struct conversation c = conv(7);
    c.agent_last_seen_at = 12345;
    c.updated_at = 10.0;
    assert_int_equal(store_put_conv(s, &c), STORE_PUT_SAME);
    assert_int_equal(store_conv(s, 7)->agent_last_seen_at, 12345);
    assert_true(store_conv(s, 7)->updated_at == 10.0);
}

typedef void (*mutate_fn)(struct conversation *c);

#define MUTATOR(name, body)                                                                        \
    static void name(struct conversation *c)                                                       \
    {                                                                                              \
        body;                                                                                      \
    }

MUTATOR(mut_status, c->status = CONV_RESOLVED)
MUTATOR(mut_priority, c->priority = PRIORITY_URGENT)
MUTATOR(mut_assignee, c->assignee_id = 3)
MUTATOR(mut_assignee_name, (free(c->assignee_name), c->assignee_name = xstrdup("Ann")))
MUTATOR(mut_team, c->team_id = 2)
MUTATOR(mut_label_text, (free(c->labels[0]), c->labels[0] = xstrdup("vip")))
MUTATOR(mut_label_gone, (free(c->labels[0]), c->nlabels = 0))
MUTATOR(mut_unread, c->unread = 4)
MUTATOR(mut_last_content, (free(c->last.content), c->last.content = xstrdup("hi!")))
MUTATOR(mut_last_status, c->last.status = MSGST_FAILED)
MUTATOR(mut_contact_name, (free(c->contact.name), c->contact.name = xstrdup("Ann")))
MUTATOR(mut_contact_phone, (free(c->contact.phone), c->contact.phone = xstrdup("+44")))
MUTATOR(mut_opt_out, c->contact.opted_out = true)
MUTATOR(mut_waiting, c->waiting_since = 99)
MUTATOR(mut_activity, c->last_activity_at += 5)
MUTATOR(mut_snooze, c->snoozed_until = 1800000000)
MUTATOR(mut_no_last, (model_message_free(&c->last), c->has_last = false))
MUTATOR(mut_attrs, (c->attrs = xcalloc(1, sizeof *c->attrs), c->nattrs = 1,
                    c->attrs[0].key = xstrdup("plan"), c->attrs[0].value = xstrdup("gold")))
MUTATOR(mut_contact_attrs, (c->contact.attrs = xcalloc(1, sizeof *c->attrs), c->contact.nattrs = 1,
                            c->contact.attrs[0].key = xstrdup("sms_opt_out"),
                            c->contact.attrs[0].value = xstrdup("1")))

static void test_store__each_shown_field_reports_changed(void **state)
{
    struct store *s = *state;
    const mutate_fn muts[] = {
        mut_status,       mut_priority,      mut_assignee, mut_assignee_name, mut_team,
        mut_label_text,   mut_label_gone,    mut_unread,   mut_last_content,  mut_last_status,
        mut_contact_name, mut_contact_phone, mut_opt_out,  mut_waiting,       mut_activity,
        mut_snooze,       mut_no_last,       mut_attrs,    mut_contact_attrs,
    };
    for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++) {
        int64_t id = 100 + (int64_t)i;
        put(s, conv(id));
        uint64_t gen = store_conv_gen(s, id);
        struct conversation c = conv(id);
        muts[i](&c);
        unsigned r = store_put_conv(s, &c);
        if (r != STORE_PUT_CHANGED)
            fail_msg("mutator %zu gave %u", i, r);
        assert_true(store_conv_gen(s, id) > gen);
        /* and putting the changed record again is the same */
        c = conv(id);
        muts[i](&c);
        assert_int_equal(store_put_conv(s, &c), STORE_PUT_SAME);
    }
}

static void test_store__newer_last_message_reports_new_message(void **state)
{
    struct store *s = *state;
    put(s, conv(7));
    struct conversation c = conv(7);
    c.last.id = 71;
    assert_int_equal(put(s, c), STORE_PUT_CHANGED | STORE_PUT_NEW_MESSAGE);
    c = conv(7);
    c.last.id = 69; /* an older one (server without updated_at): change, not news */
    assert_int_equal(put(s, c), STORE_PUT_CHANGED);
}

static void test_store__first_message_ever_is_new_message(void **state)
{
    struct store *s = *state;
    struct conversation c = conv(7);
    model_message_free(&c.last);
    c.has_last = false;
    put(s, c);
    assert_int_equal(put(s, conv(7)), STORE_PUT_CHANGED | STORE_PUT_NEW_MESSAGE);
}

static void test_store__older_updated_at_is_dropped(void **state)
{
    struct store *s = *state;
    struct conversation c = conv(7);
    c.updated_at = 1700000100.5;
    c.status = CONV_RESOLVED;
    put(s, c);
    uint64_t gen = store_conv_gen(s, 7);
    c = conv(7);
    c.updated_at = 1700000100.25; /* an answer that left earlier */
    c.status = CONV_OPEN;
    assert_int_equal(store_put_conv(s, &c), STORE_PUT_STALE);
    assert_null(c.contact.name); /* freed and zeroed */
    assert_int_equal(store_conv(s, 7)->status, CONV_RESOLVED);
    assert_int_equal(store_conv_gen(s, 7), gen);
}

static void test_store__equal_or_newer_updated_at_merges(void **state)
{
    struct store *s = *state;
    struct conversation c = conv(7);
    c.updated_at = 100.5;
    put(s, c);
    c = conv(7);
    c.updated_at = 100.5;
    c.unread = 2;
    assert_int_equal(put(s, c), STORE_PUT_CHANGED);
    c = conv(7);
    c.updated_at = 101;
    c.unread = 3;
    assert_int_equal(put(s, c), STORE_PUT_CHANGED);
    assert_int_equal(store_conv(s, 7)->unread, 3);
}

static void test_store__zero_updated_at_merges_and_keeps_guard(void **state)
{
    struct store *s = *state;
    struct conversation c = conv(7);
    c.updated_at = 100;
    put(s, c);
    c = conv(7);
    c.status = CONV_PENDING; /* a server that does not send updated_at */
    assert_int_equal(put(s, c), STORE_PUT_CHANGED);
    assert_true(store_conv(s, 7)->updated_at == 100);
    c = conv(7);
    c.updated_at = 50;
    assert_int_equal(put(s, c), STORE_PUT_STALE);
    assert_int_equal(store_conv(s, 7)->status, CONV_PENDING);
}

static void test_store__edit_then_touched_moves_gens(void **state)
{
    struct store *s = *state;
    put(s, conv(7));
    put(s, conv(8));
    int64_t ids[] = {7};
    store_list_set(s, ids, 1);
    uint64_t cg = store_conv_gen(s, 7), lg = store_list_gen(s);
    struct conversation *e = store_conv_edit(s, 7);
    assert_non_null(e);
    e->status = CONV_RESOLVED;
    store_conv_touched(s, 7);
    assert_int_equal(store_conv(s, 7)->status, CONV_RESOLVED);
    assert_true(store_conv_gen(s, 7) > cg);
    assert_true(store_list_gen(s) > lg);
    /* a record outside the list leaves the list alone */
    lg = store_list_gen(s);
    store_conv_touched(s, 8);
    assert_int_equal(store_list_gen(s), lg);
    assert_null(store_conv_edit(s, 9));
    store_conv_touched(s, 9); /* unknown: harmless */
    assert_int_equal(store_conv_gen(s, 9), 0);
}

static void test_store__borrowed_record_keeps_its_address(void **state)
{
    struct store *s = *state;
    put(s, conv(1));
    const struct conversation *first = store_conv(s, 1);
    for (int64_t id = 2; id < 5000; id++)
        put(s, conv(id));
    assert_ptr_equal(store_conv(s, 1), first);
    assert_int_equal(first->id, 1);
}

/* ---- the list ---- */

static void test_store__list_set_index_and_at(void **state)
{
    struct store *s = *state;
    for (int64_t id = 1; id <= 5; id++)
        put(s, conv(id));
    int64_t ids[] = {5, 3, 1, 4};
    store_list_set(s, ids, 4);
    assert_int_equal(store_list_len(s), 4);
    assert_int_equal(store_list_at(s, 0), 5);
    assert_int_equal(store_list_at(s, 3), 4);
    assert_int_equal(store_list_at(s, 4), 0);
    assert_int_equal(store_list_index(s, 5), 0);
    assert_int_equal(store_list_index(s, 1), 2);
    assert_int_equal(store_list_index(s, 2), -1);
    assert_int_equal(store_list_index(s, 99), -1);
    assert_ptr_equal(store_list_conv(s, 1), store_conv(s, 3));
    assert_null(store_list_conv(s, 4));
}

static void test_store__list_set_same_ids_keeps_gen(void **state)
{
    struct store *s = *state;
    for (int64_t id = 1; id <= 3; id++)
        put(s, conv(id));
    uint64_t g0 = store_list_gen(s);
    int64_t ids[] = {1, 2, 3};
    store_list_set(s, ids, 3);
    uint64_t g1 = store_list_gen(s);
    assert_true(g1 > g0);
    store_list_set(s, ids, 3);
    assert_int_equal(store_list_gen(s), g1);
    int64_t swapped[] = {2, 1, 3};
    store_list_set(s, swapped, 3);
    assert_true(store_list_gen(s) > g1);
    assert_int_equal(store_list_index(s, 2), 0);
    uint64_t g2 = store_list_gen(s);
    store_list_set(s, NULL, 0);
    assert_true(store_list_gen(s) > g2);
    assert_int_equal(store_list_len(s), 0);
    assert_int_equal(store_list_index(s, 2), -1);
}

static void test_store__list_set_drops_unknown_and_repeated_ids(void **state)
{
    struct store *s = *state;
    for (int64_t id = 1; id <= 3; id++)
        put(s, conv(id));
    store_thread_set_complete(s, 50, true); /* a thread alone is not a conversation */
    int64_t ids[] = {3, 42, 1, 3, 50, 2, 1};
    store_list_set(s, ids, 7);
    assert_int_equal(store_list_len(s), 3);
    assert_int_equal(store_list_at(s, 0), 3);
    assert_int_equal(store_list_at(s, 1), 1);
    assert_int_equal(store_list_at(s, 2), 2);
    assert_int_equal(store_list_index(s, 2), 2);
    assert_int_equal(store_list_index(s, 42), -1);
    assert_int_equal(store_list_index(s, 50), -1);
}

static void test_store__list_remove_shifts_indexes(void **state)
{
    struct store *s = *state;
    for (int64_t id = 1; id <= 4; id++)
        put(s, conv(id));
    int64_t ids[] = {4, 3, 2, 1};
    store_list_set(s, ids, 4);
    uint64_t g = store_list_gen(s);
    store_list_remove(s, 3);
    assert_true(store_list_gen(s) > g);
    assert_int_equal(store_list_len(s), 3);
    assert_int_equal(store_list_index(s, 3), -1);
    assert_int_equal(store_list_index(s, 4), 0);
    assert_int_equal(store_list_index(s, 2), 1);
    assert_int_equal(store_list_index(s, 1), 2);
    assert_int_equal(store_list_at(s, 1), 2);
    g = store_list_gen(s);
    store_list_remove(s, 3); /* not there any more */
    store_list_remove(s, 77);
    assert_int_equal(store_list_gen(s), g);
    store_list_remove(s, 1); /* the last one */
    assert_int_equal(store_list_len(s), 2);
    assert_int_equal(store_conv(s, 3)->id, 3); /* the record stays */
}

static void test_store__change_in_list_moves_list_gen(void **state)
{
    struct store *s = *state;
    put(s, conv(1));
    put(s, conv(2));
    int64_t ids[] = {1};
    store_list_set(s, ids, 1);
    uint64_t g = store_list_gen(s);
    put(s, conv(1)); /* same */
    assert_int_equal(store_list_gen(s), g);
    struct conversation c = conv(2);
    c.unread = 5; /* not in the list */
    put(s, c);
    assert_int_equal(store_list_gen(s), g);
    c = conv(1);
    c.unread = 5;
    put(s, c);
    assert_true(store_list_gen(s) > g);
}

static void test_store__counts_and_their_gen(void **state)
{
    struct store *s = *state;
    const struct conv_counts *got = store_counts(s);
    assert_non_null(got);
    assert_int_equal(got->all, 0);
    struct conv_counts c = {.mine = 3, .unassigned = 4, .assigned = 5, .all = 9};
    uint64_t g = store_counts_gen(s);
    store_set_counts(s, &c);
    assert_true(store_counts_gen(s) > g);
    assert_int_equal(store_counts(s)->mine, 3);
    assert_int_equal(store_counts(s)->all, 9);
    g = store_counts_gen(s);
    store_set_counts(s, &c);
    assert_int_equal(store_counts_gen(s), g);
}

/* ---- threads ---- */

static void merge(struct store *s, int64_t conv_id, struct message *m, size_t n, size_t want_new)
{
    assert_int_equal(store_thread_merge(s, conv_id, m, n), want_new);
    for (size_t i = 0; i < n; i++)
        assert_null(m[i].content); /* taken */
}

static void test_store__thread_unknown_is_empty(void **state)
{
    struct store *s = *state;
    size_t n = 99;
    assert_null(store_thread(s, 7, &n));
    assert_int_equal(n, 0);
    assert_int_equal(store_thread_gen(s, 7), 0);
    assert_int_equal(store_thread_first_id(s, 7), 0);
    assert_int_equal(store_thread_last_id(s, 7), 0);
    assert_false(store_thread_complete(s, 7));
    assert_null(store_thread_find_echo(s, 7, "x"));
}

static void test_store__thread_sorts_out_of_order_input(void **state)
{
    struct store *s = *state;
    struct message m[] = {
        msg(5, 300, "e", NULL), msg(2, 100, "b", NULL), msg(9, 200, "d", NULL),
        msg(1, 100, "a", NULL), msg(4, 200, "c", NULL), /* equal times order by id */
    };
    merge(s, 7, m, 5, 5);
    assert_thread(s, 7, "1,2,4,9,5");
    assert_int_equal(store_thread_first_id(s, 7), 1);
    assert_int_equal(store_thread_last_id(s, 7), 9);
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_string_equal(t[0].content, "a");
    assert_int_equal(t[0].conv_id, 7);
    assert_null(store_conv(s, 7)); /* a thread does not make a conversation */
    assert_int_equal(store_conv_count(s), 0);
}

static void test_store__thread_merge_dedupes(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 100, "a", NULL), msg(2, 200, "b", NULL)};
    merge(s, 7, a, 2, 2);
    uint64_t g = store_thread_gen(s, 7);
    struct message again[] = {msg(2, 200, "b", NULL), msg(1, 100, "a", NULL)};
    merge(s, 7, again, 2, 0);
    assert_int_equal(store_thread_gen(s, 7), g); /* nothing changed */
    assert_thread(s, 7, "1,2");
    struct message edited[] = {msg(2, 200, "b (edited)", NULL)};
    edited[0].status = MSGST_DELIVERED;
    merge(s, 7, edited, 1, 0);
    assert_true(store_thread_gen(s, 7) > g);
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_int_equal(n, 2);
    assert_string_equal(t[1].content, "b (edited)");
    assert_int_equal(t[1].status, MSGST_DELIVERED);
}

static void test_store__thread_repeat_in_one_batch_counts_once(void **state)
{
    struct store *s = *state;
    struct message m[] = {msg(3, 100, "old", NULL), msg(4, 110, "x", NULL),
                          msg(3, 100, "new", NULL)};
    merge(s, 7, m, 3, 2);
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_int_equal(n, 2);
    assert_string_equal(t[0].content, "new");
}

static void test_store__thread_older_and_newer_pages(void **state)
{
    struct store *s = *state;
    struct message mid[] = {msg(20, 2000, "", NULL), msg(21, 2100, "", NULL)};
    merge(s, 7, mid, 2, 2);
    struct message newer[] = {msg(22, 2200, "", NULL), msg(23, 2300, "", NULL)};
    merge(s, 7, newer, 2, 2); /* after= */
    struct message older[] = {msg(18, 1800, "", NULL), msg(19, 1900, "", NULL)};
    merge(s, 7, older, 2, 2); /* before= */
    struct message overlap[] = {msg(19, 1900, "", NULL), msg(20, 2000, "", NULL),
                                msg(24, 2400, "", NULL)};
    merge(s, 7, overlap, 3, 1);
    assert_thread(s, 7, "18,19,20,21,22,23,24");
    assert_int_equal(store_thread_first_id(s, 7), 18);
    assert_int_equal(store_thread_last_id(s, 7), 24);
}

static void test_store__thread_interleaved_page_merges(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 10, "", NULL), msg(3, 30, "", NULL), msg(5, 50, "", NULL)};
    merge(s, 7, a, 3, 3);
    struct message b[] = {msg(6, 60, "", NULL), msg(2, 20, "", NULL), msg(4, 40, "", NULL),
                          msg(0, 45, "no id", NULL), msg(-3, 45, "bad id", NULL)};
    merge(s, 7, b, 5, 3); /* ids <= 0 are not server messages */
    assert_thread(s, 7, "1,2,3,4,5,6");
}

static void test_store__thread_message_whose_time_moved_is_resorted(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 10, "", NULL), msg(2, 20, "", NULL), msg(3, 30, "", NULL)};
    merge(s, 7, a, 3, 3);
    struct message b[] = {msg(1, 40, "", NULL)};
    merge(s, 7, b, 1, 0);
    assert_thread(s, 7, "2,3,1");
}

static void test_store__local_message_sits_after_server_messages(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 100, "", NULL)};
    merge(s, 7, a, 1, 1);
    struct message l = msg(0, 150, "sending…", "echo-1");
    l.status = MSGST_SENDING;
    uint64_t g = store_thread_gen(s, 7);
    store_thread_put_local(s, 7, &l);
    assert_null(l.content);
    assert_true(store_thread_gen(s, 7) > g);
    /* the customer wrote meanwhile, with a later server time */
    struct message b[] = {msg(2, 200, "", NULL), msg(3, 150, "", NULL)};
    merge(s, 7, b, 2, 2);
    assert_thread(s, 7, "1,3,2,0");
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_string_equal(t[3].echo_id, "echo-1");
    assert_int_equal(t[3].status, MSGST_SENDING);
    /* first/last id count server messages only */
    assert_int_equal(store_thread_first_id(s, 7), 1);
    assert_int_equal(store_thread_last_id(s, 7), 3);
    /* a local message stamped before the newest server one (our clock is
     * behind) still goes after it */
    l = msg(0, 120, "late clock", "echo-2");
    store_thread_put_local(s, 7, &l);
    assert_thread(s, 7, "1,3,2,0,0");
    t = store_thread(s, 7, &n);
    assert_string_equal(t[3].echo_id, "echo-2");
    assert_string_equal(t[4].echo_id, "echo-1");
}

static void test_store__locals_order_by_time(void **state)
{
    struct store *s = *state;
    struct message l2 = msg(0, 200, "second", "e2");
    struct message l1 = msg(0, 100, "first", "e1");
    struct message l3 = msg(0, 300, "third", "e3");
    store_thread_put_local(s, 7, &l2);
    store_thread_put_local(s, 7, &l1);
    store_thread_put_local(s, 7, &l3);
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_int_equal(n, 3);
    assert_string_equal(t[0].content, "first");
    assert_string_equal(t[1].content, "second");
    assert_string_equal(t[2].content, "third");
}

static void test_store__server_echo_replaces_local(void **state)
{
    struct store *s = *state;
    struct message l = msg(0, 150, "hello", "echo-1");
    l.status = MSGST_SENDING;
    store_thread_put_local(s, 7, &l);
    struct message other = msg(0, 160, "other", "echo-2");
    store_thread_put_local(s, 7, &other);
    uint64_t g = store_thread_gen(s, 7);
    struct message created[] = {msg(10, 151, "hello", "echo-1")};
    merge(s, 7, created, 1, 1);
    assert_true(store_thread_gen(s, 7) > g);
    assert_thread(s, 7, "10,0");
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_string_equal(t[0].echo_id, "echo-1");
    assert_int_equal(t[0].status, MSGST_SENT);
    assert_string_equal(t[1].echo_id, "echo-2");
    const struct message *f = store_thread_find_echo(s, 7, "echo-1");
    assert_non_null(f);
    assert_int_equal(f->id, 10);
}

static void test_store__put_local_same_echo_replaces(void **state)
{
    struct store *s = *state;
    struct message l = msg(0, 100, "draft one", "e1");
    store_thread_put_local(s, 7, &l);
    l = msg(0, 100, "draft two", "e1");
    store_thread_put_local(s, 7, &l);
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].content, "draft two");
}

static void test_store__put_local_is_ignored_once_delivered_or_without_echo(void **state)
{
    struct store *s = *state;
    struct message created[] = {msg(10, 100, "hello", "e1")};
    merge(s, 7, created, 1, 1);
    uint64_t g = store_thread_gen(s, 7);
    struct message l = msg(0, 100, "hello", "e1");
    store_thread_put_local(s, 7, &l);
    assert_null(l.content); /* taken and freed */
    struct message noecho = msg(0, 100, "hello", NULL);
    store_thread_put_local(s, 7, &noecho);
    assert_null(noecho.content);
    assert_thread(s, 7, "10");
    assert_int_equal(store_thread_gen(s, 7), g);
}

static void test_store__local_failed_sets_status_and_reason(void **state)
{
    struct store *s = *state;
    struct message l = msg(0, 100, "hello", "e1");
    l.status = MSGST_SENDING;
    store_thread_put_local(s, 7, &l);
    uint64_t g = store_thread_gen(s, 7);
    store_thread_local_failed(s, 7, "e1", "Number opted out");
    assert_true(store_thread_gen(s, 7) > g);
    const struct message *m = store_thread_find_echo(s, 7, "e1");
    assert_non_null(m);
    assert_int_equal(m->status, MSGST_FAILED);
    assert_string_equal(m->external_error, "Number opted out");
    g = store_thread_gen(s, 7);
    store_thread_local_failed(s, 7, "nope", "x");
    store_thread_local_failed(s, 8, "e1", "x");
    assert_int_equal(store_thread_gen(s, 7), g);
    store_thread_local_failed(s, 7, "e1", NULL);
    assert_string_equal(m->external_error, "");
}

static void test_store__remove_local(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 100, "", NULL)};
    merge(s, 7, a, 1, 1);
    struct message l = msg(0, 100, "x", "e1");
    store_thread_put_local(s, 7, &l);
    uint64_t g = store_thread_gen(s, 7);
    store_thread_remove_local(s, 7, "e2");
    assert_int_equal(store_thread_gen(s, 7), g);
    store_thread_remove_local(s, 7, "e1");
    assert_true(store_thread_gen(s, 7) > g);
    assert_thread(s, 7, "1");
    assert_null(store_thread_find_echo(s, 7, "e1"));
    /* a server message is not "local", whatever its echo id */
    struct message b[] = {msg(2, 200, "", "e9")};
    merge(s, 7, b, 1, 1);
    store_thread_remove_local(s, 7, "e9");
    assert_thread(s, 7, "1,2");
}

static void test_store__find_echo_ignores_empty(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 100, "", NULL)};
    merge(s, 7, a, 1, 1);
    assert_null(store_thread_find_echo(s, 7, ""));
    assert_null(store_thread_find_echo(s, 7, NULL));
}

static void test_store__thread_complete_flag(void **state)
{
    struct store *s = *state;
    assert_false(store_thread_complete(s, 7));
    store_thread_set_complete(s, 7, true);
    assert_true(store_thread_complete(s, 7));
    uint64_t g = store_thread_gen(s, 7);
    assert_int_not_equal(g, 0);
    store_thread_set_complete(s, 7, true);
    assert_int_equal(store_thread_gen(s, 7), g);
    store_thread_set_complete(s, 7, false);
    assert_true(store_thread_gen(s, 7) > g);
    size_t n;
    assert_null(store_thread(s, 7, &n)); /* known but empty */
    assert_int_equal(n, 0);
}

static void test_store__thread_of_put_conversation(void **state)
{
    struct store *s = *state;
    struct message a[] = {msg(1, 100, "", NULL)};
    merge(s, 7, a, 1, 1); /* the thread came first */
    assert_int_equal(put(s, conv(7)), STORE_PUT_NEW);
    assert_int_equal(store_conv_count(s), 1);
    assert_thread(s, 7, "1");
}

static void test_store__long_thread_in_pages(void **state)
{
    struct store *s = *state;
    /* newest page first, then older pages, as a client scrolls up */
    for (int page = 49; page >= 0; page--) {
        struct message m[20];
        for (int i = 0; i < 20; i++) {
            int64_t id = page * 20 + i + 1;
            m[i] = msg(id, 1000 + id, "", NULL);
        }
        merge(s, 7, m, 20, 20);
    }
    size_t n;
    const struct message *t = store_thread(s, 7, &n);
    assert_int_equal(n, 1000);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(t[i].id, (int64_t)i + 1);
    assert_int_equal(store_thread_first_id(s, 7), 1);
    assert_int_equal(store_thread_last_id(s, 7), 1000);
}

/* ---- the directory ---- */

static struct agent *agents(size_t n)
{
    struct agent *a = xcalloc(n, sizeof *a);
    for (size_t i = 0; i < n; i++) {
        a[i].id = 10 + (int64_t)i;
        a[i].name = xasprintf("Agent %zu", i);
        a[i].email = xstrdup("a@x");
        a[i].role = xstrdup("agent");
        a[i].availability = xstrdup("online");
    }
    return a;
}

static void test_store__directory_lookups(void **state)
{
    struct store *s = *state;
    uint64_t g = store_dir_gen(s);
    store_set_agents(s, agents(3), 3);
    assert_true(store_dir_gen(s) > g);
    size_t n;
    const struct agent *all = store_agents(s, &n);
    assert_int_equal(n, 3);
    assert_string_equal(all[2].name, "Agent 2");
    assert_string_equal(store_agent(s, 11)->name, "Agent 1");
    assert_null(store_agent(s, 9));

    struct team *t = xcalloc(2, sizeof *t);
    t[0] = (struct team){5, xstrdup("Billing"), xstrdup(""), true};
    t[1] = (struct team){6, xstrdup("Support"), xstrdup(""), false};
    store_set_teams(s, t, 2);
    assert_string_equal(store_team(s, 6)->name, "Support");
    assert_null(store_team(s, 7));

    struct inbox *ib = xcalloc(1, sizeof *ib);
    ib[0] = (struct inbox){3, xstrdup("SMS"), xstrdup("Channel::TwilioSms"), xstrdup("+1"), true};
    store_set_inboxes(s, ib, 1);
    assert_true(store_inbox(s, 3)->is_sms);
    assert_null(store_inbox(s, 4));

    struct label *l = xcalloc(2, sizeof *l);
    l[0] = (struct label){1, xstrdup("billing"), xstrdup(""), xstrdup("#ff0000")};
    l[1] = (struct label){2, xstrdup("vip"), xstrdup(""), xstrdup("")};
    store_set_labels(s, l, 2);
    assert_string_equal(store_labels(s, &n)[1].title, "vip");
    assert_int_equal(n, 2);

    struct template *tp = xcalloc(1, sizeof *tp);
    tp[0] = (struct template){8, xstrdup("hi"), xstrdup("Hello!"), false};
    g = store_dir_gen(s);
    store_set_templates(s, tp, 1);
    assert_true(store_dir_gen(s) > g);
    assert_string_equal(store_templates(s, &n)[0].short_code, "hi");
    assert_int_equal(n, 1);
}

static void test_store__directory_replace_and_clear(void **state)
{
    struct store *s = *state;
    store_set_agents(s, agents(3), 3);
    store_set_agents(s, agents(1), 1); /* the old array is freed (ASan) */
    size_t n;
    store_agents(s, &n);
    assert_int_equal(n, 1);
    assert_null(store_agent(s, 11));
    assert_non_null(store_agent(s, 10));
    store_set_agents(s, NULL, 0);
    assert_null(store_agents(s, &n));
    assert_int_equal(n, 0);
    assert_null(store_agent(s, 10));
    store_teams(s, &n);
    assert_int_equal(n, 0);
    assert_null(store_team(s, 1));
}

static void test_store__directory_repeated_id_keeps_first(void **state)
{
    struct store *s = *state;
    struct agent *a = agents(2);
    a[1].id = a[0].id;
    store_set_agents(s, a, 2);
    assert_string_equal(store_agent(s, 10)->name, "Agent 0");
}

static void test_store__profile(void **state)
{
    struct store *s = *state;
    assert_null(store_profile(s));
    struct profile p = {
        1, 1, xstrdup("Ann"), xstrdup("ann@x"), xstrdup("administrator"), xstrdup("Acme"), NULL};
    uint64_t g = store_dir_gen(s);
    store_set_profile(s, &p);
    assert_null(p.name);
    assert_true(store_dir_gen(s) > g);
    assert_string_equal(store_profile(s)->name, "Ann");
    assert_string_equal(store_profile(s)->account_name, "Acme");
    p = (struct profile){
        1, 1, xstrdup("Ann B"), xstrdup("ann@x"), xstrdup("agent"), xstrdup("Acme"), NULL};
    store_set_profile(s, &p);
    assert_string_equal(store_profile(s)->name, "Ann B");
}

/* ---- scale and teardown ---- */

#define MANY 100000

static void test_store__hundred_thousand_conversations(void **state)
{
    struct store *s = *state;
    for (int64_t id = 1; id <= MANY; id++)
        assert_int_equal(put(s, conv(id * 7)), STORE_PUT_NEW);
    assert_int_equal(store_conv_count(s), MANY);
    int64_t *ids = xcalloc(MANY, sizeof *ids);
    for (int64_t i = 0; i < MANY; i++)
        ids[i] = (MANY - i) * 7;
    store_list_set(s, ids, MANY);
    assert_int_equal(store_list_len(s), MANY);
    for (int64_t i = 0; i < MANY; i++) {
        const struct conversation *c = store_conv(s, ids[i]);
        if (!c || c->id != ids[i] || store_list_index(s, ids[i]) != i ||
            store_list_at(s, (size_t)i) != ids[i])
            fail_msg("id %lld", (long long)ids[i]);
    }
    assert_null(store_conv(s, 8));
    assert_int_equal(store_list_index(s, 8), -1);
    uint64_t g = store_list_gen(s);
    for (int64_t id = 1; id <= MANY; id += 997)
        assert_int_equal(put(s, conv(id * 7)), STORE_PUT_SAME);
    store_list_set(s, ids, MANY);
    assert_int_equal(store_list_gen(s), g);
    store_list_remove(s, ids[0]);
    assert_int_equal(store_list_index(s, ids[1]), 0);
    assert_int_equal(store_list_index(s, ids[MANY - 1]), MANY - 2);
    free(ids);
}

static void test_store__free_with_everything_populated(void **state)
{
    /* its own store, so teardown is not what frees it; ASan checks leaks */
    struct store *s = store_new();
    for (int64_t id = 1; id <= 50; id++) {
        struct conversation c = conv(id);
        c.attrs = xcalloc(1, sizeof *c.attrs);
        c.nattrs = 1;
        c.attrs[0].key = xstrdup("k");
        c.attrs[0].value = xstrdup("v");
        c.last.nattachments = 1;
        c.last.attachments = xcalloc(1, sizeof *c.last.attachments);
        c.last.attachments[0].url = xstrdup("https://x/a.png");
        store_put_conv(s, &c);
        struct message m[] = {msg(id * 100, 1, "a", NULL), msg(id * 100 + 1, 2, "b", "e")};
        store_thread_merge(s, id, m, 2);
        struct message l = msg(0, 3, "c", "local");
        store_thread_put_local(s, id, &l);
    }
    int64_t ids[] = {3, 2, 1};
    store_list_set(s, ids, 3);
    struct conv_counts cc = {1, 2, 3, 4};
    store_set_counts(s, &cc);
    store_set_agents(s, agents(4), 4);
    struct team *t = xcalloc(1, sizeof *t);
    t[0] = (struct team){5, xstrdup("Billing"), xstrdup("d"), true};
    store_set_teams(s, t, 1);
    struct label *l = xcalloc(1, sizeof *l);
    l[0] = (struct label){1, xstrdup("billing"), xstrdup("d"), xstrdup("#fff")};
    store_set_labels(s, l, 1);
    struct inbox *ib = xcalloc(1, sizeof *ib);
    ib[0] = (struct inbox){3, xstrdup("SMS"), xstrdup("c"), xstrdup("+1"), true};
    store_set_inboxes(s, ib, 1);
    struct template *tp = xcalloc(1, sizeof *tp);
    tp[0] = (struct template){8, xstrdup("hi"), xstrdup("Hello!"), false};
    store_set_templates(s, tp, 1);
    struct profile p = {1, 1, xstrdup("Ann"), xstrdup("a"), xstrdup("r"), xstrdup("Acme"), NULL};
    store_set_profile(s, &p);
    store_free(&s);
    assert_null(s);
    store_free(&s); /* NULL is fine */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        T(test_store__put_then_get),
        T(test_store__same_record_again_is_same),
        T(test_store__hidden_field_change_is_same_but_kept),
        T(test_store__each_shown_field_reports_changed),
        T(test_store__newer_last_message_reports_new_message),
        T(test_store__first_message_ever_is_new_message),
        T(test_store__older_updated_at_is_dropped),
        T(test_store__equal_or_newer_updated_at_merges),
        T(test_store__zero_updated_at_merges_and_keeps_guard),
        T(test_store__edit_then_touched_moves_gens),
        T(test_store__borrowed_record_keeps_its_address),
        T(test_store__list_set_index_and_at),
        T(test_store__list_set_same_ids_keeps_gen),
        T(test_store__list_set_drops_unknown_and_repeated_ids),
        T(test_store__list_remove_shifts_indexes),
        T(test_store__change_in_list_moves_list_gen),
        T(test_store__counts_and_their_gen),
        T(test_store__thread_unknown_is_empty),
        T(test_store__thread_sorts_out_of_order_input),
        T(test_store__thread_merge_dedupes),
        T(test_store__thread_repeat_in_one_batch_counts_once),
        T(test_store__thread_older_and_newer_pages),
        T(test_store__thread_interleaved_page_merges),
        T(test_store__thread_message_whose_time_moved_is_resorted),
        T(test_store__local_message_sits_after_server_messages),
        T(test_store__locals_order_by_time),
        T(test_store__server_echo_replaces_local),
        T(test_store__put_local_same_echo_replaces),
        T(test_store__put_local_is_ignored_once_delivered_or_without_echo),
        T(test_store__local_failed_sets_status_and_reason),
        T(test_store__remove_local),
        T(test_store__find_echo_ignores_empty),
        T(test_store__thread_complete_flag),
        T(test_store__thread_of_put_conversation),
        T(test_store__long_thread_in_pages),
        T(test_store__directory_lookups),
        T(test_store__directory_replace_and_clear),
        T(test_store__directory_repeated_id_keeps_first),
        T(test_store__profile),
        T(test_store__hundred_thousand_conversations),
        T(test_store__free_with_everything_populated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
