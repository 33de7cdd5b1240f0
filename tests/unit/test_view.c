/* Unit tests for view: defaults, the provider query, setters and gen, the
 * local limit, and marks (sorted, fast at 100k). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/pattern.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

static void assert_marks_sorted_unique(const struct view *v)
{
    for (size_t i = 1; i < v->nmarks; i++)
        if (v->marks[i - 1] >= v->marks[i])
            fail_msg("marks out of order at %zu: %lld then %lld", i, (long long)v->marks[i - 1],
                     (long long)v->marks[i]);
}

/* A fixed permutation of 1..n, so the test is the same every run. */
static int64_t *shuffled_ids(size_t n)
{
    int64_t *ids = xreallocarray(NULL, n, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int64_t)i + 1;
    uint64_t x = 88172645463325252ULL;
    for (size_t i = n - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = (size_t)(x % (i + 1));
        int64_t t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    return ids;
}

/* ---- defaults and query ---- */

static void test_view__opens_on_my_open_conversations(void **state)
{
    struct view v;
    memset(&v, 0xAA, sizeof v); /* init must not depend on what was there */
    view_init(&v);
    assert_int_equal(v.assignee, ASSIGNEE_MINE);
    assert_int_equal(v.status, CONV_OPEN);
    assert_null(v.label);
    assert_null(v.search);
    assert_null(v.limit_text);
    assert_null(v.limit);
    assert_int_equal(v.inbox_id, 0);
    assert_int_equal(v.team_id, 0);
    assert_int_equal(v.open_conv, 0);
    assert_int_equal(v.selected, 0);
    assert_int_equal(v.focus, VIEW_FOCUS_LIST);
    assert_null(v.marks);
    assert_int_equal(v.nmarks, 0);
    view_free(&v);
}

static void test_view__query_carries_the_filter_and_borrows_strings(void **state)
{
    struct view v;
    view_init(&v);
    v.assignee = ASSIGNEE_UNASSIGNED;
    v.status = -1;
    v.inbox_id = 4;
    v.team_id = 2;
    view_set_label(&v, "billing");
    view_set_search(&v, "maria");
    struct conv_query q;
    memset(&q, 0x55, sizeof q);
    view_query(&v, 3, &q);
    assert_int_equal(q.assignee, ASSIGNEE_UNASSIGNED);
    assert_int_equal(q.status, -1);
    assert_int_equal(q.inbox_id, 4);
    assert_int_equal(q.team_id, 2);
    assert_ptr_equal(q.label, v.label);
    assert_string_equal(q.label, "billing");
    assert_ptr_equal(q.q, v.search);
    assert_int_equal(q.page, 3);
    assert_null(q.sort_by);
    view_free(&v);
}

static void test_view__query_without_filters_has_nulls_and_page_one_at_least(void **state)
{
    struct view v;
    view_init(&v);
    struct conv_query q;
    view_query(&v, 0, &q);
    assert_null(q.label);
    assert_null(q.q);
    assert_int_equal(q.page, 1);
    assert_int_equal(q.status, CONV_OPEN);
    view_free(&v);
}

/* ---- setters ---- */

static void test_view__set_label_copies_and_bumps_gen(void **state)
{
    struct view v;
    view_init(&v);
    char label[] = "billing";
    uint64_t g = v.gen;
    view_set_label(&v, label);
    label[0] = 'X'; /* the view kept its own copy */
    assert_string_equal(v.label, "billing");
    assert_true(v.gen > g);
    view_free(&v);
}

static void test_view__setting_the_same_value_is_not_a_change(void **state)
{
    struct view v;
    view_init(&v);
    view_set_search(&v, "maria");
    uint64_t g = v.gen;
    view_set_search(&v, "maria");
    assert_int_equal(v.gen, g);
    view_set_label(&v, NULL);
    assert_int_equal(v.gen, g);
    view_free(&v);
}

static void test_view__null_or_empty_clears_label_and_search(void **state)
{
    struct view v;
    view_init(&v);
    view_set_label(&v, "vip");
    view_set_search(&v, "555");
    uint64_t g = v.gen;
    view_set_label(&v, NULL);
    view_set_search(&v, "");
    assert_null(v.label);
    assert_null(v.search);
    assert_int_equal(v.gen, g + 2);
    view_free(&v);
}

static void test_view__touch_bumps_gen(void **state)
{
    struct view v;
    view_init(&v);
    uint64_t g = v.gen;
    v.selected = 12;
    view_touch(&v);
    assert_int_equal(v.gen, g + 1);
    view_free(&v);
}

/* ---- limit ---- */

static void test_view__set_limit_compiles_the_pattern(void **state)
{
    struct view v;
    view_init(&v);
    char *err = NULL;
    uint64_t g = v.gen;
    assert_int_equal(view_set_limit(&v, "~u", &err), 0);
    assert_null(err);
    assert_string_equal(v.limit_text, "~u");
    assert_non_null(v.limit);
    assert_true(v.gen > g);

    struct conversation c = {0};
    c.contact.name = c.contact.phone = c.contact.email = "";
    struct pattern_ctx ctx = {0};
    c.unread = 1;
    assert_true(pattern_match(v.limit, &c, &ctx));
    c.unread = 0;
    assert_false(pattern_match(v.limit, &c, &ctx));
    view_free(&v);
}

static void test_view__a_bad_limit_keeps_the_old_one(void **state)
{
    struct view v;
    view_init(&v);
    char *err = NULL;
    assert_int_equal(view_set_limit(&v, "~u", &err), 0);
    struct pattern *old = v.limit;
    uint64_t g = v.gen;
    assert_int_equal(view_set_limit(&v, "~x", &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, "~x: unknown pattern operator"));
    free(err);
    assert_ptr_equal(v.limit, old);
    assert_string_equal(v.limit_text, "~u");
    assert_int_equal(v.gen, g);
    view_free(&v);
}

static void test_view__empty_limit_clears_it(void **state)
{
    struct view v;
    view_init(&v);
    char *err = NULL;
    assert_int_equal(view_set_limit(&v, "maria", &err), 0);
    uint64_t g = v.gen;
    assert_int_equal(view_set_limit(&v, "", &err), 0);
    assert_null(err);
    assert_null(v.limit);
    assert_null(v.limit_text);
    assert_true(v.gen > g);
    g = v.gen;
    assert_int_equal(view_set_limit(&v, NULL, &err), 0); /* already clear: no change */
    assert_int_equal(v.gen, g);
    assert_int_equal(view_set_limit(&v, "~u", &err), 0);
    assert_int_equal(view_set_limit(&v, "  ", &err), 0); /* blank clears too */
    assert_null(err);
    assert_null(v.limit);
    view_free(&v);
}

/* ---- marks ---- */

static void test_view__marks_stay_sorted_and_unique(void **state)
{
    struct view v;
    view_init(&v);
    const int64_t ids[] = {50, 3, 99, 3, -4, 7, 50, INT64_MAX, 0};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        view_mark(&v, ids[i], true);
    assert_int_equal(v.nmarks, 7);
    const int64_t want[] = {-4, 0, 3, 7, 50, 99, INT64_MAX};
    assert_memory_equal(v.marks, want, sizeof want);
    for (size_t i = 0; i < 7; i++)
        assert_true(view_marked(&v, want[i]));
    assert_false(view_marked(&v, 4));
    assert_false(view_marked(&v, 100));
    assert_false(view_marked(&v, -5));
    view_free(&v);
}

static void test_view__unmark_removes_only_that_id(void **state)
{
    struct view v;
    view_init(&v);
    for (int64_t id = 1; id <= 5; id++)
        view_mark(&v, id, true);
    view_mark(&v, 3, false);
    view_mark(&v, 1, false);
    view_mark(&v, 5, false);
    assert_int_equal(v.nmarks, 2);
    assert_int_equal(v.marks[0], 2);
    assert_int_equal(v.marks[1], 4);
    assert_false(view_marked(&v, 3));
    view_mark(&v, 2, false);
    view_mark(&v, 4, false);
    assert_int_equal(v.nmarks, 0);
    assert_null(v.marks);
    assert_false(view_marked(&v, 2));
    view_free(&v);
}

static void test_view__marks_bump_gen_only_on_change(void **state)
{
    struct view v;
    view_init(&v);
    uint64_t g = v.gen;
    view_mark(&v, 8, true);
    assert_int_equal(v.gen, g + 1);
    view_mark(&v, 8, true);  /* already marked */
    view_mark(&v, 9, false); /* not marked */
    assert_int_equal(v.gen, g + 1);
    view_clear_marks(&v);
    assert_int_equal(v.gen, g + 2);
    view_clear_marks(&v); /* nothing to clear */
    assert_int_equal(v.gen, g + 2);
    assert_int_equal(v.nmarks, 0);
    assert_null(v.marks);
    view_free(&v);
}

static void test_view__mark_many_merges_and_removes(void **state)
{
    struct view v;
    view_init(&v);
    view_mark(&v, 10, true);
    view_mark(&v, 30, true);
    const int64_t add[] = {20, 10, 40, 20, 5};
    uint64_t g = v.gen;
    view_mark_many(&v, add, 5, true);
    const int64_t want[] = {5, 10, 20, 30, 40};
    assert_int_equal(v.nmarks, 5);
    assert_memory_equal(v.marks, want, sizeof want);
    assert_true(v.gen > g);

    g = v.gen;
    view_mark_many(&v, add, 5, true); /* all there already */
    assert_int_equal(v.gen, g);

    const int64_t del[] = {30, 99, 5};
    view_mark_many(&v, del, 3, false);
    const int64_t left[] = {10, 20, 40};
    assert_int_equal(v.nmarks, 3);
    assert_memory_equal(v.marks, left, sizeof left);
    assert_true(v.gen > g);

    g = v.gen;
    view_mark_many(&v, del, 3, false); /* none there */
    view_mark_many(&v, NULL, 0, true);
    assert_int_equal(v.gen, g);
    view_mark_many(&v, left, 3, false);
    assert_int_equal(v.nmarks, 0);
    assert_null(v.marks);
    view_free(&v);
}

/* 100k marks built in bulk (view_mark_many: one sort and merge), then
 * single toggles among them. Correctness only: speed is for bench/. */
static void test_view__marking_100k_ids_in_bulk_and_singly(void **state)
{
    enum { N = 100000, TOGGLES = 2000 };
    struct view v;
    view_init(&v);
    int64_t *ids = shuffled_ids(N);
    for (size_t i = 0; i < N; i++)
        ids[i] *= 2; /* even ids: odd ones are free to toggle */
    view_mark_many(&v, ids, N, true);
    assert_int_equal(v.nmarks, N);
    assert_marks_sorted_unique(&v);

    for (size_t i = 0; i < TOGGLES; i++) {
        int64_t odd = ids[i] - 1;
        view_mark(&v, odd, true);
        assert_true(view_marked(&v, odd));
        view_mark(&v, ids[i], false);
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(view_marked(&v, ids[i]), i >= TOGGLES);
    assert_int_equal(v.nmarks, N);
    assert_marks_sorted_unique(&v);

    /* A walk in id order appends: no memmove at all. */
    view_clear_marks(&v);
    for (int64_t id = 1; id <= N; id++)
        view_mark(&v, id, true);
    assert_int_equal(v.nmarks, N);
    assert_marks_sorted_unique(&v);

    view_mark_many(&v, ids, N, false); /* no even id below 2N is left */
    assert_int_equal(v.nmarks, N / 2);
    assert_true(view_marked(&v, 1));
    assert_false(view_marked(&v, 2));
    free(ids);
    view_free(&v);
}

static void test_view__free_twice_is_harmless(void **state)
{
    struct view v;
    view_init(&v);
    char *err;
    view_set_label(&v, "a");
    view_set_search(&v, "b");
    assert_int_equal(view_set_limit(&v, "~u", &err), 0);
    view_mark(&v, 1, true);
    view_free(&v);
    assert_null(v.label);
    assert_null(v.limit);
    assert_null(v.marks);
    view_free(&v);
    view_free(NULL);
}

static void test_view__sort_setting_names_the_servers_order(void **state)
{
    (void)state;
    struct view v;
    view_init(&v);
    struct conv_query q;
    view_query(&v, 1, &q);
    assert_null(q.sort_by); /* last_activity: the server's default */
    uint64_t gen = v.gen;
    view_set_sort(&v, "priority");
    assert_true(v.gen > gen);
    view_query(&v, 1, &q);
    assert_string_equal(q.sort_by, "priority_desc");
    view_set_sort(&v, "waiting");
    view_query(&v, 1, &q);
    assert_string_equal(q.sort_by, "waiting_since_asc");
    view_set_sort(&v, "created");
    view_query(&v, 1, &q);
    assert_string_equal(q.sort_by, "created_at_desc");
    gen = v.gen;
    view_set_sort(&v, "created"); /* the same again: no change */
    assert_int_equal(v.gen, gen);
    view_set_sort(&v, "last_activity");
    view_query(&v, 1, &q);
    assert_null(q.sort_by);
    view_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view__opens_on_my_open_conversations),
        cmocka_unit_test(test_view__sort_setting_names_the_servers_order),
        cmocka_unit_test(test_view__query_carries_the_filter_and_borrows_strings),
        cmocka_unit_test(test_view__query_without_filters_has_nulls_and_page_one_at_least),
        cmocka_unit_test(test_view__set_label_copies_and_bumps_gen),
        cmocka_unit_test(test_view__setting_the_same_value_is_not_a_change),
        cmocka_unit_test(test_view__null_or_empty_clears_label_and_search),
        cmocka_unit_test(test_view__touch_bumps_gen),
        cmocka_unit_test(test_view__set_limit_compiles_the_pattern),
        cmocka_unit_test(test_view__a_bad_limit_keeps_the_old_one),
        cmocka_unit_test(test_view__empty_limit_clears_it),
        cmocka_unit_test(test_view__marks_stay_sorted_and_unique),
        cmocka_unit_test(test_view__unmark_removes_only_that_id),
        cmocka_unit_test(test_view__marks_bump_gen_only_on_change),
        cmocka_unit_test(test_view__mark_many_merges_and_removes),
        cmocka_unit_test(test_view__marking_100k_ids_in_bulk_and_singly),
        cmocka_unit_test(test_view__free_twice_is_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
