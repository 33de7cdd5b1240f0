/* Unit tests for options: the table, defaults, each type's parsing and
 * canonical form, ranges and choices in errors, secrets, and gen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/options.h"
#include "twoway/palette.h"
#include "twoway/xmalloc.h"

static struct options *opts;

static int setup(void **state)
{
    opts = options_new();
    return 0;
}

static int teardown(void **state)
{
    options_free(&opts);
    assert_null(opts);
    return 0;
}

static void set_ok(const char *name, const char *value, const char *want)
{
    char *err = (char *)"untouched";
    if (options_set(opts, name, value, false, &err) != 0)
        fail_msg("set %s '%s' failed: %s", name, value, err);
    assert_null(err);
    assert_string_equal(options_get(opts, name), want);
}

/* The set must fail with an error containing each of the wanted pieces,
 * and leave the value as it was. */
static void set_fails(const char *name, const char *value, const char *want1, const char *want2)
{
    const char *before = options_get(opts, name);
    char *was = before ? xstrdup(before) : NULL;
    char *err = NULL;
    if (options_set(opts, name, value, false, &err) == 0)
        fail_msg("set %s '%s' succeeded but should fail", name, value);
    assert_non_null(err);
    if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
        fail_msg("set %s '%s': error '%s' lacks '%s' / '%s'", name, value, err, want1,
                 want2 ? want2 : "");
    free(err);
    if (was)
        assert_string_equal(options_get(opts, name), was);
    free(was);
}

/* ---- the table ---- */

static void test_options__table_lists_every_option_in_help_order(void **state)
{
    static const char *const names[] = {
        "url",
        "account",
        "token",
        "token_command",
        "ca_file",
        "poll_interval",
        "live",
        "notify",
        "notify_on",
        "notify_command",
        "notify_preview",
        "notify_coalesce",
        "confirm_foreign_reply",
        "confirm_newer_message",
        "max_segments",
        "quiet_hours",
        "editor",
        "hyperlinks",
        "opener",
        "opener_terminal",
        "time_format",
        "list_width",
        "list_share",
        "split_min",
        "sort",
        "mark_read",
        "title",
        "ascii",
        "color",
        "history_size",
        "batch_wait",
    };
    size_t n = 0;
    const struct opt_def *t = options_table(&n);
    assert_int_equal(n, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(t[i].name, names[i]);
        assert_ptr_equal(options_find(names[i]), &t[i]);
        assert_non_null(t[i].help);
        assert_true(strlen(t[i].help) > 10);
        assert_null(strchr(t[i].help, '\n')); /* one line each */
        assert_non_null(t[i].dflt);
    }
    assert_null(options_find("nope"));
    assert_null(options_find(NULL));
    assert_null(options_find("URL")); /* names are exact */
}

static void test_options__defaults(void **state)
{
    assert_string_equal(options_get(opts, "url"), "");
    assert_int_equal(options_int(opts, "account"), 0);
    assert_string_equal(options_get(opts, "token"), "");
    assert_int_equal(options_int(opts, "poll_interval"), 5);
    assert_string_equal(options_get(opts, "notify"), "auto");
    assert_string_equal(options_get(opts, "notify_on"), "mine,unassigned,mentions");
    assert_true(options_bool(opts, "notify_preview"));
    assert_int_equal(options_int(opts, "notify_coalesce"), 3);
    assert_true(options_bool(opts, "confirm_foreign_reply"));
    assert_true(options_bool(opts, "confirm_newer_message"));
    assert_string_equal(options_get(opts, "editor"), "");
    assert_string_equal(options_get(opts, "time_format"), "%H:%M");
    assert_int_equal(options_int(opts, "list_width"), 42);
    assert_int_equal(options_int(opts, "split_min"), 70);
    assert_string_equal(options_get(opts, "sort"), "last_activity");
    assert_true(options_bool(opts, "mark_read"));
    assert_true(options_bool(opts, "title"));
    assert_string_equal(options_get(opts, "ascii"), "auto");
    assert_string_equal(options_get(opts, "color"), "auto");
    assert_int_equal(options_int(opts, "history_size"), 1000);
}

/* Every default must pass its own validation unchanged, or `reset` and
 * `set x <default>` would disagree. */
static void test_options__every_default_is_valid_and_canonical(void **state)
{
    size_t n;
    const struct opt_def *t = options_table(&n);
    for (size_t i = 0; i < n; i++) {
        char *err = NULL;
        if (options_set(opts, t[i].name, t[i].dflt, true, &err) != 0)
            fail_msg("default of %s is invalid: %s", t[i].name, err);
        assert_string_equal(options_get(opts, t[i].name), t[i].dflt);
        if (t[i].type == OPT_INT)
            assert_true(t[i].min <= t[i].max);
        if (t[i].type == OPT_ENUM || t[i].type == OPT_LIST)
            assert_non_null(t[i].choices);
    }
}

static void test_options__types_and_ranges_are_as_specified(void **state)
{
    const struct opt_def *d;
    d = options_find("account");
    assert_int_equal(d->type, OPT_INT);
    assert_int_equal(d->min, 0);
    assert_int_equal(d->max, 2147483647L);
    d = options_find("poll_interval");
    assert_int_equal(d->min, 1);
    assert_int_equal(d->max, 3600);
    d = options_find("notify_coalesce");
    assert_int_equal(d->min, 0);
    assert_int_equal(d->max, 60);
    d = options_find("list_width");
    assert_int_equal(d->min, 20);
    assert_int_equal(d->max, 200);
    d = options_find("split_min");
    assert_int_equal(d->min, 20);
    assert_int_equal(d->max, 1000);
    d = options_find("history_size");
    assert_int_equal(d->min, 0);
    assert_int_equal(d->max, 100000);
    assert_true(options_find("token")->flags & OPT_SECRET);
    assert_int_equal(options_find("notify")->type, OPT_LIST);
    assert_int_equal(options_find("notify_on")->type, OPT_LIST);
    assert_int_equal(options_find("sort")->type, OPT_ENUM);
    assert_int_equal(options_find("ascii")->type, OPT_ENUM);
    assert_int_equal(options_find("color")->type, OPT_ENUM);
    assert_int_equal(options_find("mark_read")->type, OPT_BOOL);
    /* only the token is secret */
    size_t n;
    const struct opt_def *t = options_table(&n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal((t[i].flags & OPT_SECRET) != 0, strcmp(t[i].name, "token") == 0);
}

/* ---- bool ---- */

static void test_options__bool_accepts_the_usual_spellings(void **state)
{
    static const char *const yes[] = {"yes", "YES", "on", "On", "true", "TRUE", "1", " yes "};
    static const char *const no[] = {"no", "No", "off", "OFF", "false", "False", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        set_ok("title", "no", "no");
        set_ok("title", yes[i], "yes");
        assert_true(options_bool(opts, "title"));
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        set_ok("title", "yes", "yes");
        set_ok("title", no[i], "no");
        assert_false(options_bool(opts, "title"));
    }
}

static void test_options__bool_rejects_anything_else(void **state)
{
    set_fails("mark_read", "maybe", "mark_read: 'maybe' is not yes or no", NULL);
    set_fails("mark_read", "", "not yes or no", NULL);
    set_fails("mark_read", "2", "not yes or no", NULL);
    set_fails("mark_read", "y", "not yes or no", NULL);
}

/* ---- int ---- */

static void test_options__int_is_decimal_and_canonical(void **state)
{
    set_ok("poll_interval", "30", "30");
    assert_int_equal(options_int(opts, "poll_interval"), 30);
    set_ok("poll_interval", " 007 ", "7");
    set_ok("poll_interval", "+9", "9");
    set_ok("account", "2147483647", "2147483647");
    assert_int_equal(options_int(opts, "account"), 2147483647L);
}

static void test_options__int_out_of_range_names_the_range(void **state)
{
    set_fails("poll_interval", "0", "poll_interval: 0 is out of range (1..3600)", NULL);
    set_fails("poll_interval", "3601", "out of range (1..3600)", NULL);
    set_fails("notify_coalesce", "-1", "out of range (0..60)", NULL);
    set_fails("list_width", "19", "(20..200)", NULL);
    set_fails("list_width", "201", "(20..200)", NULL);
    set_fails("split_min", "1001", "(20..1000)", NULL);
    set_fails("history_size", "100001", "(0..100000)", NULL);
    set_fails("account", "2147483648", "out of range", NULL);
    set_fails("account", "99999999999999999999999", "out of range", NULL);
    set_ok("notify_coalesce", "0", "0");
    set_ok("notify_coalesce", "60", "60");
    set_ok("history_size", "0", "0");
}

static void test_options__int_rejects_what_is_not_a_decimal_number(void **state)
{
    set_fails("poll_interval", "abc", "poll_interval: 'abc' is not a whole number", "(1..3600)");
    set_fails("poll_interval", "0x10", "not a whole number", NULL);
    set_fails("poll_interval", "1e3", "not a whole number", NULL);
    set_fails("poll_interval", "5s", "not a whole number", NULL);
    set_fails("poll_interval", "2.5", "not a whole number", NULL);
    set_fails("poll_interval", "", "not a whole number", NULL);
    set_fails("poll_interval", "-", "not a whole number", NULL);
    set_fails("poll_interval", "1 2", "not a whole number", NULL);
}

/* ---- string ---- */

static void test_options__strings_are_kept_as_given(void **state)
{
    set_ok("url", "https://chat.example.com", "https://chat.example.com");
    set_ok("time_format", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M");
    set_ok("editor", "vim -c 'set tw=72'", "vim -c 'set tw=72'");
    set_ok("editor", "", "");
}

static void test_options__strings_refuse_control_characters_and_huge_values(void **state)
{
    set_fails("time_format", "%H\n%M", "time_format: the value contains a control character", NULL);
    set_fails("notify_command", "x\x1b[2J", "control character", NULL);
    char *big = xmalloc(5000);
    memset(big, 'a', 4999);
    big[4999] = '\0';
    set_fails("url", big, "url: the value is too long", NULL);
    free(big);
}

/* ---- enum ---- */

static void test_options__enum_takes_one_choice_case_insensitively(void **state)
{
    set_ok("sort", "created", "created");
    set_ok("sort", "Priority", "priority");
    set_ok("sort", " waiting ", "waiting");
    set_ok("ascii", "yes", "yes");
    set_ok("color", "NO", "no");
    assert_true(options_has(opts, "sort", "waiting"));
    assert_false(options_has(opts, "sort", "created"));
}

static void test_options__unknown_enum_choice_lists_the_valid_ones(void **state)
{
    set_fails("sort", "name",
              "sort: 'name' is not one of last_activity, created, priority, waiting", NULL);
    set_fails("color", "always", "is not one of auto, yes, no", NULL);
    set_fails("sort", "created,priority", "is not one of", NULL);
}

/* ---- list ---- */

static void test_options__list_is_trimmed_deduplicated_in_given_order(void **state)
{
    set_ok("notify", "bell", "bell");
    set_ok("notify", " terminal , desktop,terminal ,, ", "terminal,desktop");
    set_ok("notify", "Desktop,BELL", "desktop,bell");
    assert_true(options_has(opts, "notify", "desktop"));
    assert_true(options_has(opts, "notify", "bell"));
    assert_false(options_has(opts, "notify", "terminal"));
    assert_false(options_has(opts, "notify", "desk"));
    set_ok("notify_on", "mentions,mine", "mentions,mine");
    assert_true(options_has(opts, "notify_on", "mine"));
    assert_false(options_has(opts, "notify_on", "unassigned"));
    set_ok("notify_on", "all", "all");
}

static void test_options__unknown_list_item_lists_the_valid_ones(void **state)
{
    set_fails("notify", "desktop,popup", "notify: 'popup' is not one of",
              "auto, desktop, terminal, bell, command, none");
    set_fails("notify_on", "everything", "is not one of mine, unassigned, mentions, all", NULL);
}

static void test_options__none_must_be_alone(void **state)
{
    set_ok("notify", "none", "none");
    set_ok("notify", "none, none", "none");
    set_fails("notify", "none,bell", "notify: none cannot be combined", NULL);
    set_fails("notify", "desktop,none", "none cannot be combined", NULL);
}

static void test_options__empty_list_is_refused(void **state)
{
    set_fails("notify_on", "", "notify_on needs at least one of mine, unassigned, mentions, all",
              NULL);
    set_fails("notify", " , ", "needs at least one of", NULL);
}

/* ---- secrets ---- */

static void test_options__token_only_from_a_private_file(void **state)
{
    char *err = NULL;
    assert_int_equal(options_set(opts, "token", "abc123", false, &err), -1);
    assert_string_equal(err, "the token can only come from TWOWAY_TOKEN, token_command, or a "
                             "config file only you can read (chmod 600)");
    free(err);
    assert_string_equal(options_get(opts, "token"), "");
    assert_int_equal(options_set(opts, "token", "abc123", true, &err), 0);
    assert_null(err);
    /* returned as is: the caller needs it to connect; display code masks it */
    assert_string_equal(options_get(opts, "token"), "abc123");
    assert_int_equal(options_reset(opts, "token", &err), 0);
    assert_string_equal(options_get(opts, "token"), "");
}

static void test_options__token_command_is_not_secret(void **state)
{
    set_ok("token_command", "pass show chatwoot/token", "pass show chatwoot/token");
}

/* ---- names, reset, getters ---- */

static void test_options__unknown_option_is_named(void **state)
{
    char *err = NULL;
    assert_int_equal(options_set(opts, "pol_interval", "5", true, &err), -1);
    assert_string_equal(err, "unknown option 'pol_interval'");
    free(err);
    assert_int_equal(options_reset(opts, "nope", &err), -1);
    assert_string_equal(err, "unknown option 'nope'");
    free(err);
    assert_null(options_get(opts, "nope"));
    assert_false(options_bool(opts, "nope"));
    assert_int_equal(options_int(opts, "nope"), 0);
    assert_false(options_has(opts, "nope", "x"));
}

static void test_options__missing_value_is_an_error(void **state)
{
    char *err = NULL;
    assert_int_equal(options_set(opts, "sort", NULL, true, &err), -1);
    assert_string_equal(err, "sort needs a value");
    free(err);
}

static void test_options__reset_restores_the_default(void **state)
{
    set_ok("list_width", "100", "100");
    set_ok("notify", "bell", "bell");
    char *err = NULL;
    assert_int_equal(options_reset(opts, "list_width", &err), 0);
    assert_null(err);
    assert_int_equal(options_reset(opts, "notify", &err), 0);
    assert_int_equal(options_int(opts, "list_width"), 42);
    assert_string_equal(options_get(opts, "notify"), "auto");
}

static void test_options__getters_of_the_wrong_type_are_neutral(void **state)
{
    assert_false(options_bool(opts, "list_width"));
    assert_int_equal(options_int(opts, "mark_read"), 0);
    assert_false(options_has(opts, "mark_read", "yes"));
    assert_false(options_has(opts, "notify", NULL));
}

static void test_options__gen_counts_real_changes_only(void **state)
{
    uint64_t g = options_gen(opts);
    set_ok("list_width", "50", "50");
    assert_int_equal(options_gen(opts), g + 1);
    set_ok("list_width", "050", "50"); /* same canonical value */
    assert_int_equal(options_gen(opts), g + 1);
    set_fails("list_width", "5", "out of range", NULL);
    assert_int_equal(options_gen(opts), g + 1);
    char *err;
    assert_int_equal(options_reset(opts, "list_width", &err), 0);
    assert_int_equal(options_gen(opts), g + 2);
    assert_int_equal(options_reset(opts, "list_width", &err), 0);
    assert_int_equal(options_gen(opts), g + 2);
}

static void test_options__instances_are_independent(void **state)
{
    struct options *other = options_new();
    set_ok("sort", "created", "created");
    assert_string_equal(options_get(other, "sort"), "last_activity");
    options_free(&other);
    options_free(&other); /* NULL already */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* A listener hears every real change, and only those. */
static int heard;
static char heard_name[64];

static void on_change(void *ud, const struct opt_def *d)
{
    (void)ud;
    heard++;
    snprintf(heard_name, sizeof heard_name, "%s", d->name);
}

static void test_options__listener_hears_every_real_change(void **state)
{
    (void)state;
    struct options *o = options_new();
    char *err = NULL;
    heard = 0;
    options_set_listener(o, on_change, NULL);
    assert_int_equal(options_set(o, "poll_interval", "5", false, &err), 0);
    assert_int_equal(heard, 0); /* the default again: no change */
    assert_int_equal(options_set(o, "poll_interval", "1", false, &err), 0);
    assert_int_equal(heard, 1);
    assert_string_equal(heard_name, "poll_interval");
    assert_int_equal(options_set(o, "poll_interval", "x", false, &err), -1);
    free(err);
    assert_int_equal(heard, 1);
    assert_int_equal(options_reset(o, "poll_interval", &err), 0);
    assert_int_equal(heard, 2);
    options_set_listener(o, NULL, NULL);
    assert_int_equal(options_set(o, "mark_read", "no", false, &err), 0);
    assert_int_equal(heard, 2);
    options_free(&o);
}

/* `color` words: one parser for the command and the screen. */
static void test_options__palette_reads_colours_and_attributes(void **state)
{
    (void)state;
    short c;
    unsigned a;
    assert_int_equal(palette_color("default", &c), 0);
    assert_int_equal(c, -1);
    assert_int_equal(palette_color("Blue", &c), 0);
    assert_int_equal(c, 4);
    assert_int_equal(palette_color("brightred", &c), 0);
    assert_int_equal(c, 9);
    assert_int_equal(palette_color("color255", &c), 0);
    assert_int_equal(c, 255);
    assert_int_equal(palette_color("color256", &c), -1);
    assert_int_equal(palette_color("teal", &c), -1);
    assert_int_equal(palette_attr("underline", &a), 0);
    assert_int_equal(a, PAL_UNDERLINE);
    assert_int_equal(palette_attr("none", &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(palette_attr("sparkly", &a), -1);
    struct palette *p = palette_new();
    uint64_t g = palette_gen(p);
    assert_false(palette_style(p, ROLE_STATUS)->set);
    palette_set(p, ROLE_STATUS, 7, 4, PAL_BOLD);
    assert_true(palette_gen(p) > g);
    const struct palette_style *ps = palette_style(p, ROLE_STATUS);
    assert_true(ps->set);
    assert_int_equal(ps->fg, 7);
    assert_int_equal(ps->bg, 4);
    assert_int_equal(ps->attrs, PAL_BOLD);
    palette_free(&p);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_options__table_lists_every_option_in_help_order),
        T(test_options__defaults),
        T(test_options__listener_hears_every_real_change),
        T(test_options__palette_reads_colours_and_attributes),
        T(test_options__every_default_is_valid_and_canonical),
        T(test_options__types_and_ranges_are_as_specified),
        T(test_options__bool_accepts_the_usual_spellings),
        T(test_options__bool_rejects_anything_else),
        T(test_options__int_is_decimal_and_canonical),
        T(test_options__int_out_of_range_names_the_range),
        T(test_options__int_rejects_what_is_not_a_decimal_number),
        T(test_options__strings_are_kept_as_given),
        T(test_options__strings_refuse_control_characters_and_huge_values),
        T(test_options__enum_takes_one_choice_case_insensitively),
        T(test_options__unknown_enum_choice_lists_the_valid_ones),
        T(test_options__list_is_trimmed_deduplicated_in_given_order),
        T(test_options__unknown_list_item_lists_the_valid_ones),
        T(test_options__none_must_be_alone),
        T(test_options__empty_list_is_refused),
        T(test_options__token_only_from_a_private_file),
        T(test_options__token_command_is_not_secret),
        T(test_options__unknown_option_is_named),
        T(test_options__missing_value_is_an_error),
        T(test_options__reset_restores_the_default),
        T(test_options__getters_of_the_wrong_type_are_neutral),
        T(test_options__gen_counts_real_changes_only),
        T(test_options__instances_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
