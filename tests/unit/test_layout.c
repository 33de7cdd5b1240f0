/* Unit tests for layout: pane rectangles at every size from 1x1 to 300x100,
 * split and single-pane modes, clamping, shrinking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "twoway/layout.h"

static const struct layout_opts defaults = {
    .list_width = 42,
    .split_min = 70,
    .header_lines = 3,
    .focus = LAYOUT_FOCUS_LIST,
};

static void assert_rect(struct rect r, int y, int x, int h, int w)
{
    assert_int_equal(r.y, y);
    assert_int_equal(r.x, x);
    assert_int_equal(r.h, h);
    assert_int_equal(r.w, w);
}

static bool shown(struct rect r)
{
    return r.h > 0 && r.w > 0;
}

static bool overlap(struct rect a, struct rect b)
{
    return a.y < b.y + b.h && b.y < a.y + a.h && a.x < b.x + b.w && b.x < a.x + a.w;
}

/* Every invariant the header promises, and that the panes tile the screen
 * exactly (nothing left undrawn, so no stale cells after a resize). */
static void check_layout(int rows, int cols, const struct layout *l)
{
    const struct rect all[] = {l->tabs,   l->list,   l->divider, l->header,
                               l->thread, l->status, l->input};
    const size_t n = sizeof all / sizeof all[0];
    long area = 0;
    char where[64];
    snprintf(where, sizeof where, "%dx%d", cols, rows);

    for (size_t i = 0; i < n; i++) {
        struct rect r = all[i];
        assert_true(r.h >= 0 && r.w >= 0);
        if (!shown(r)) {
            /* An empty rect is all zero, so nobody draws at its corner. */
            assert_true(r.y == 0 && r.x == 0 && r.h == 0 && r.w == 0);
            continue;
        }
        if (r.y < 0 || r.x < 0 || r.y + r.h > rows || r.x + r.w > cols)
            fail_msg("rect %zu outside the screen at %s", i, where);
        area += (long)r.h * r.w;
        for (size_t j = i + 1; j < n; j++)
            if (shown(all[j]) && overlap(r, all[j]))
                fail_msg("rects %zu and %zu overlap at %s", i, j, where);
    }
    if (area != (long)rows * cols)
        fail_msg("panes cover %ld of %ld cells at %s", area, (long)rows * cols, where);
    if (rows >= 5 && cols >= 20 && l->list.h < 1 && l->thread.h < 1)
        fail_msg("neither list nor thread shown at %s", where);
    if (shown(l->divider))
        assert_int_equal(l->divider.w, 1);
    assert_int_equal(l->split, shown(l->list) && shown(l->thread));
}

static void test_layout__80x24_is_split_with_defaults(void **state)
{
    struct layout l;
    layout_compute(24, 80, &defaults, &l);
    assert_true(l.split);
    assert_rect(l.tabs, 0, 0, 1, 80);
    assert_rect(l.list, 1, 0, 21, 40); /* 42 clamped to half of 80 */
    assert_rect(l.divider, 1, 40, 21, 1);
    assert_rect(l.header, 1, 41, 3, 39);
    assert_rect(l.thread, 4, 41, 18, 39);
    assert_rect(l.status, 22, 0, 1, 80);
    assert_rect(l.input, 23, 0, 1, 80);
    check_layout(24, 80, &l);
}

static void test_layout__120x40_keeps_preferred_list_width(void **state)
{
    struct layout l;
    layout_compute(40, 120, &defaults, &l);
    assert_true(l.split);
    assert_rect(l.list, 1, 0, 37, 42);
    assert_rect(l.divider, 1, 42, 37, 1);
    assert_rect(l.header, 1, 43, 3, 77);
    assert_rect(l.thread, 4, 43, 34, 77);
    assert_rect(l.input, 39, 0, 1, 120);
    check_layout(40, 120, &l);
}

static void test_layout__null_opts_means_defaults(void **state)
{
    struct layout a, b;
    layout_compute(40, 120, NULL, &a);
    layout_compute(40, 120, &defaults, &b);
    assert_memory_equal(&a, &b, sizeof a);
}

static void test_layout__60x20_single_pane_list_focus(void **state)
{
    struct layout l;
    layout_compute(20, 60, &defaults, &l);
    assert_false(l.split);
    assert_rect(l.list, 1, 0, 17, 60);
    assert_rect(l.thread, 0, 0, 0, 0);
    assert_rect(l.header, 0, 0, 0, 0);
    assert_rect(l.divider, 0, 0, 0, 0);
    check_layout(20, 60, &l);
}

static void test_layout__60x20_single_pane_thread_focus(void **state)
{
    struct layout_opts o = defaults;
    struct layout l;
    o.focus = LAYOUT_FOCUS_THREAD;
    layout_compute(20, 60, &o, &l);
    assert_false(l.split);
    assert_rect(l.list, 0, 0, 0, 0);
    assert_rect(l.divider, 0, 0, 0, 0);
    assert_rect(l.header, 1, 0, 3, 60);
    assert_rect(l.thread, 4, 0, 14, 60);
    check_layout(20, 60, &l);
}

static void test_layout__focus_ignored_when_split(void **state)
{
    struct layout_opts o = defaults;
    struct layout a, b;
    o.focus = LAYOUT_FOCUS_THREAD;
    layout_compute(30, 100, &defaults, &a);
    layout_compute(30, 100, &o, &b);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.split);
}

static void test_layout__split_starts_at_split_min(void **state)
{
    struct layout l;
    layout_compute(24, 69, &defaults, &l);
    assert_false(l.split);
    layout_compute(24, 70, &defaults, &l);
    assert_true(l.split);
    assert_int_equal(l.list.w, 35);
}

static void test_layout__list_width_clamped(void **state)
{
    struct layout_opts o = defaults;
    struct layout l;

    o.list_width = 10; /* too narrow: at least 28 */
    layout_compute(40, 120, &o, &l);
    assert_int_equal(l.list.w, 28);
    assert_int_equal(l.thread.x, 29);
    assert_int_equal(l.thread.w, 91);

    o.list_width = 100; /* too wide: at most half */
    layout_compute(40, 120, &o, &l);
    assert_int_equal(l.list.w, 60);
    assert_int_equal(l.thread.w, 59);

    o.list_width = 0; /* unset: the default */
    layout_compute(40, 200, &o, &l);
    assert_int_equal(l.list.w, 42);

    /* A share of a wide terminal, when it is more than list_width. */
    o.list_width = 42;
    o.list_share = 30;
    layout_compute(40, 250, &o, &l);
    assert_int_equal(l.list.w, 75);
    check_layout(40, 250, &l);
    layout_compute(40, 120, &o, &l); /* 36 < 42: list_width */
    assert_int_equal(l.list.w, 42);
    o.list_share = 50;
    layout_compute(40, 250, &o, &l);
    assert_int_equal(l.list.w, 125); /* at most half */
    o.list_share = 0;

    /* A low split_min on a narrow screen: half wins over the minimum. */
    o.list_width = 42;
    o.split_min = 40;
    layout_compute(24, 50, &o, &l);
    assert_true(l.split);
    assert_int_equal(l.list.w, 25);
    assert_int_equal(l.thread.w, 24);
    check_layout(24, 50, &l);
}

static void test_layout__header_shrinks_on_short_screens(void **state)
{
    struct layout l;
    layout_compute(24, 100, &defaults, &l);
    assert_int_equal(l.header.h, 3);
    layout_compute(12, 100, &defaults, &l); /* 9 pane rows */
    assert_int_equal(l.header.h, 2);
    assert_int_equal(l.thread.h, 7);
    layout_compute(8, 100, &defaults, &l); /* 5 pane rows */
    assert_int_equal(l.header.h, 1);
    assert_int_equal(l.thread.h, 4);
    layout_compute(6, 100, &defaults, &l); /* 3 pane rows: thread only */
    assert_int_equal(l.header.h, 0);
    assert_int_equal(l.thread.h, 3);
    assert_rect(l.header, 0, 0, 0, 0);
}

static void test_layout__header_lines_zero_means_no_header(void **state)
{
    struct layout_opts o = defaults;
    struct layout l;
    o.header_lines = 0;
    layout_compute(40, 120, &o, &l);
    assert_rect(l.header, 0, 0, 0, 0);
    assert_rect(l.thread, 1, 43, 37, 77);
    o.header_lines = -5;
    layout_compute(40, 120, &o, &l);
    assert_rect(l.header, 0, 0, 0, 0);
}

static void test_layout__tiny_screens_keep_input_first(void **state)
{
    struct layout l;

    layout_compute(1, 1, &defaults, &l);
    assert_rect(l.input, 0, 0, 1, 1);
    assert_rect(l.status, 0, 0, 0, 0);
    assert_rect(l.list, 0, 0, 0, 0);
    check_layout(1, 1, &l);

    layout_compute(2, 10, &defaults, &l);
    assert_rect(l.status, 0, 0, 1, 10);
    assert_rect(l.input, 1, 0, 1, 10);
    assert_rect(l.tabs, 0, 0, 0, 0);
    check_layout(2, 10, &l);

    /* Three rows: a pane row beats the tabs. */
    layout_compute(3, 10, &defaults, &l);
    assert_rect(l.tabs, 0, 0, 0, 0);
    assert_rect(l.list, 0, 0, 1, 10);
    check_layout(3, 10, &l);

    layout_compute(5, 20, &defaults, &l);
    assert_rect(l.tabs, 0, 0, 1, 20);
    assert_rect(l.list, 1, 0, 2, 20);
    check_layout(5, 20, &l);
}

static void test_layout__zero_or_negative_size_is_empty(void **state)
{
    struct layout l, zero;
    memset(&zero, 0, sizeof zero);
    layout_compute(0, 80, &defaults, &l);
    assert_memory_equal(&l, &zero, sizeof l);
    layout_compute(24, 0, &defaults, &l);
    assert_memory_equal(&l, &zero, sizeof l);
    layout_compute(-3, -7, &defaults, &l);
    assert_memory_equal(&l, &zero, sizeof l);
}

static void test_layout__a_long_status_takes_rows_from_the_panes(void **state)
{
    struct layout_opts o = defaults;
    struct layout l;
    o.status_lines = 3;
    layout_compute(24, 80, &o, &l);
    assert_rect(l.status, 20, 0, 3, 80);
    assert_rect(l.input, 23, 0, 1, 80);
    assert_rect(l.list, 1, 0, 19, 40);
    assert_rect(l.thread, 4, 41, 16, 39);
    check_layout(24, 80, &l);
    /* The rows above it keep at least half of theirs (22: 11). */
    o.status_lines = 50;
    layout_compute(24, 80, &o, &l);
    assert_rect(l.status, 11, 0, 12, 80);
    assert_rect(l.tabs, 0, 0, 1, 80);
    assert_rect(l.list, 1, 0, 10, 40);
    check_layout(24, 80, &l);
    layout_compute(5, 20, &o, &l);
    assert_rect(l.status, 2, 0, 2, 20);
    assert_int_equal(l.list.h, 1);
    check_layout(5, 20, &l);
    /* 0, 1 or less: one row. */
    for (int want = -1; want <= 1; want++) {
        o.status_lines = want;
        layout_compute(24, 80, &o, &l);
        assert_rect(l.status, 22, 0, 1, 80);
    }
}

static void test_layout__every_size_tiles_the_screen(void **state)
{
    struct layout_opts opts[] = {defaults, defaults, defaults, defaults, defaults};
    opts[1].focus = LAYOUT_FOCUS_THREAD;
    opts[2].split_min = 1;
    opts[2].list_width = 1000;
    opts[3].split_min = 1;
    opts[3].header_lines = 1000;
    opts[3].focus = LAYOUT_FOCUS_THREAD;
    opts[4].status_lines = 6;
    for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++)
        for (int rows = 1; rows <= 100; rows++)
            for (int cols = 1; cols <= 300; cols++) {
                struct layout l;
                layout_compute(rows, cols, &opts[o], &l);
                check_layout(rows, cols, &l);
            }
}

static void test_layout__single_pane_follows_focus_at_all_sizes(void **state)
{
    struct layout_opts thread = defaults;
    thread.focus = LAYOUT_FOCUS_THREAD;
    for (int rows = 4; rows <= 60; rows++)
        for (int cols = 1; cols < 70; cols++) {
            struct layout a, b;
            layout_compute(rows, cols, &defaults, &a);
            layout_compute(rows, cols, &thread, &b);
            assert_false(a.split);
            assert_int_equal(a.list.w, cols);
            assert_int_equal(a.thread.w, 0);
            assert_int_equal(b.list.w, 0);
            assert_int_equal(b.thread.w, cols);
            assert_int_equal(b.thread.h + b.header.h, a.list.h);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout__80x24_is_split_with_defaults),
        cmocka_unit_test(test_layout__120x40_keeps_preferred_list_width),
        cmocka_unit_test(test_layout__null_opts_means_defaults),
        cmocka_unit_test(test_layout__60x20_single_pane_list_focus),
        cmocka_unit_test(test_layout__60x20_single_pane_thread_focus),
        cmocka_unit_test(test_layout__focus_ignored_when_split),
        cmocka_unit_test(test_layout__split_starts_at_split_min),
        cmocka_unit_test(test_layout__list_width_clamped),
        cmocka_unit_test(test_layout__header_shrinks_on_short_screens),
        cmocka_unit_test(test_layout__header_lines_zero_means_no_header),
        cmocka_unit_test(test_layout__tiny_screens_keep_input_first),
        cmocka_unit_test(test_layout__zero_or_negative_size_is_empty),
        cmocka_unit_test(test_layout__a_long_status_takes_rows_from_the_panes),
        cmocka_unit_test(test_layout__every_size_tiles_the_screen),
        cmocka_unit_test(test_layout__single_pane_follows_focus_at_all_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
