/* Unit tests for timeutil: durations, ISO-8601 times, the times a person
 * types ("tomorrow 17:30"), compact ages and Chatwoot's time format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* 2026-11-27T13:00:00Z, a Friday. */
#define NOW 1795784400
#define MIDNIGHT_27 1795737600
#define DAY 86400

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static int64_t dur(const char *s)
{
    int64_t v = -12345;
    assert_int_equal(timeutil_parse_duration(s, &v), 0);
    return v;
}

static void dur_bad(const char *s)
{
    int64_t v = -12345;
    assert_int_equal(timeutil_parse_duration(s, &v), -1);
    assert_int_equal(v, -12345); /* untouched on failure */
}

static int64_t iso(const char *s)
{
    int64_t v = -1;
    assert_int_equal(timeutil_parse_iso8601(s, &v), 0);
    return v;
}

static void iso_bad(const char *s)
{
    int64_t v = -12345;
    if (timeutil_parse_iso8601(s, &v) != -1)
        fail_msg("\"%s\" was accepted as %lld", s ? s : "(null)", (long long)v);
    assert_int_equal(v, -12345);
}

static int64_t when(const char *s)
{
    int64_t v = -1;
    if (timeutil_parse_when(s, NOW, &v) != 0)
        fail_msg("\"%s\" was refused", s);
    return v;
}

static void when_bad(const char *s)
{
    int64_t v = -12345;
    if (timeutil_parse_when(s, NOW, &v) != -1)
        fail_msg("\"%s\" was accepted as %lld", s ? s : "(null)", (long long)v);
}

/* ---- durations ---- */

static void test_timeutil__duration_units(void **state)
{
    (void)state;
    assert_int_equal(dur("90s"), 90);
    assert_int_equal(dur("15m"), 15 * 60);
    assert_int_equal(dur("2h"), 2 * 3600);
    assert_int_equal(dur("1d"), DAY);
    assert_int_equal(dur("1w"), 7 * DAY);
    assert_int_equal(dur("0s"), 0);
}

static void test_timeutil__duration_combinations_add_up(void **state)
{
    (void)state;
    assert_int_equal(dur("1h30m"), 5400);
    assert_int_equal(dur("1d2h3m4s"), DAY + 2 * 3600 + 3 * 60 + 4);
    assert_int_equal(dur("1h 30m"), 5400);
    assert_int_equal(dur("  2h  "), 7200);
}

static void test_timeutil__duration_bare_number_is_seconds(void **state)
{
    (void)state;
    assert_int_equal(dur("45"), 45);
    assert_int_equal(dur("3600"), 3600);
    assert_int_equal(dur("1m30"), 90);
}

static void test_timeutil__duration_garbage_is_refused(void **state)
{
    (void)state;
    dur_bad(NULL);
    dur_bad("");
    dur_bad("   ");
    dur_bad("h");
    dur_bad("abc");
    dur_bad("5x");
    dur_bad("-5m");
    dur_bad("+5m");
    dur_bad("1.5h");
    dur_bad("1hh");
    dur_bad("2h!");
    dur_bad("1 h");
    dur_bad("1H");
}

static void test_timeutil__duration_overflow_is_refused(void **state)
{
    (void)state;
    dur_bad("99999999999999999999");
    dur_bad("99999999999999999999s");
    dur_bad("100000001w");
    /* Many huge parts: the sum must not wrap around (UBSan watches). */
    size_t parts = 200000;
    char *s = xmalloc(parts * 9 + 1);
    for (size_t i = 0; i < parts; i++)
        memcpy(s + i * 9, "99999999w", 9);
    s[parts * 9] = '\0';
    dur_bad(s);
    free(s);
}

/* ---- ISO-8601 ---- */

static void test_timeutil__iso8601_utc_forms(void **state)
{
    (void)state;
    assert_int_equal(iso("2026-11-27T13:00:00Z"), NOW);
    assert_int_equal(iso("2026-11-27t13:00:00z"), NOW);
    assert_int_equal(iso("2026-11-27T13:00Z"), NOW);
    assert_int_equal(iso("2026-11-27T13:00:00"), NOW); /* no zone: UTC */
    assert_int_equal(iso("2026-11-27 13:00:00"), NOW);
    assert_int_equal(iso("2026-11-27 13:00:00 UTC"), NOW);
    assert_int_equal(iso("2026-11-27T13:00:00+00:00"), NOW);
    assert_int_equal(iso("1999-12-31T23:59:59Z"), 946684799);
    assert_int_equal(iso("1970-01-01T00:00:00Z"), 0);
}

static void test_timeutil__iso8601_offsets_with_and_without_colon(void **state)
{
    (void)state;
    assert_int_equal(iso("2026-11-27T14:00:00+01:00"), NOW);
    assert_int_equal(iso("2026-11-27T14:00:00+0100"), NOW);
    assert_int_equal(iso("2026-11-27T07:30:00-05:30"), NOW);
    assert_int_equal(iso("2026-11-27T07:30:00-0530"), NOW);
    assert_int_equal(iso("2026-11-27T15:00:00+02"), NOW);
    /* An offset that crosses midnight moves the date. */
    assert_int_equal(iso("2026-11-28T00:30:00+11:30"), NOW);
}

static void test_timeutil__iso8601_fractions_are_ignored(void **state)
{
    (void)state;
    assert_int_equal(iso("2026-11-27T13:00:00.123Z"), NOW);
    assert_int_equal(iso("2026-11-27T13:00:00.999999999Z"), NOW);
    assert_int_equal(iso("2026-11-27T14:00:00.5+01:00"), NOW);
    assert_int_equal(iso("2026-11-27T13:00:00,25Z"), NOW);
}

static void test_timeutil__iso8601_date_only_is_midnight_utc(void **state)
{
    (void)state;
    assert_int_equal(iso("2026-11-27"), MIDNIGHT_27);
    assert_int_equal(iso("2024-02-29"), 1709164800);
    assert_int_equal(iso("2000-02-29"), 951782400);
}

static void test_timeutil__iso8601_invalid_dates_are_refused(void **state)
{
    (void)state;
    iso_bad("2026-02-30");
    iso_bad("2026-02-29"); /* not a leap year */
    iso_bad("2100-02-29"); /* a century that is not a leap year */
    iso_bad("2026-04-31");
    iso_bad("2026-13-01");
    iso_bad("2026-00-10");
    iso_bad("2026-11-00");
    iso_bad("2026-11-32");
    iso_bad("2026-11-27T24:00:00Z");
    iso_bad("2026-11-27T13:60:00Z");
    iso_bad("2026-11-27T13:00:61Z");
    iso_bad("2026-11-27T13:00:00+24:00");
    iso_bad("2026-11-27T13:00:00+01:60");
}

static void test_timeutil__iso8601_garbage_is_refused(void **state)
{
    (void)state;
    iso_bad(NULL);
    iso_bad("");
    iso_bad("yesterday");
    iso_bad("2026");
    iso_bad("2026-11");
    iso_bad("2026-11-2");
    iso_bad("26-11-27");
    iso_bad("2026/11/27");
    iso_bad("2026-11-27T");
    iso_bad("2026-11-27T13");
    iso_bad("2026-11-27T1:00Z");
    iso_bad("2026-11-27T13:00:00Zjunk");
    iso_bad("2026-11-27T13:00:00+");
    iso_bad("2026-11-27T13:00:00 PST");
    iso_bad("1795784400");
}

/* ---- when (TZ fixed by each test) ---- */

static void test_timeutil__when_durations_are_from_now(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(when("2h"), NOW + 7200);
    assert_int_equal(when("90m"), NOW + 5400);
    assert_int_equal(when("1h30m"), NOW + 5400);
    assert_int_equal(when("3d"), NOW + 3 * DAY);
    assert_int_equal(when("1w"), NOW + 7 * DAY);
}

static void test_timeutil__when_tomorrow_is_nine_or_the_given_time(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(when("tomorrow"), 1795856400);
    assert_int_equal(when("tomorrow 17:30"), 1795887000);
    assert_int_equal(when("  tomorrow 9"), 1795856400);
}

static void test_timeutil__when_date_and_date_time(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(when("2026-12-01"), 1796115600);
    assert_int_equal(when("2026-12-01 09:00"), 1796115600);
    assert_int_equal(when("2026-12-01T09:00"), 1796115600);
    assert_int_equal(when("2026-12-01 17:45"), 1796115600 + 8 * 3600 + 45 * 60);
    /* Months roll over: the day after Nov 30 is Dec 1. */
    assert_int_equal(when("2026-11-30 09:00"), 1796115600 - DAY);
}

static void test_timeutil__when_time_is_today_even_when_passed(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(when("17:30"), 1795800600);                       /* later today */
    assert_int_equal(when("09:15"), MIDNIGHT_27 + 9 * 3600 + 15 * 60); /* gone: still today */
    assert_int_equal(when("13:00"), NOW);                              /* now */
    assert_int_equal(when("13:01"), NOW + 60);
}

static void test_timeutil__when_uses_the_local_zone(void **state)
{
    (void)state;
    set_tz("XYZ-2"); /* POSIX: two hours east of UTC, no DST */
    assert_int_equal(when("2026-12-01 09:00"), 1796115600 - 2 * 3600);
    /* It is 15:00 there: 17:30 is later today, 14:00 an hour ago. */
    assert_int_equal(when("17:30"), NOW + 2 * 3600 + 30 * 60);
    assert_int_equal(when("14:00"), NOW - 3600);
    assert_int_equal(when("tomorrow"), MIDNIGHT_27 + DAY + 7 * 3600);
    set_tz("UTC");
}

static void test_timeutil__when_garbage_is_refused(void **state)
{
    (void)state;
    set_tz("UTC");
    when_bad(NULL);
    when_bad("");
    when_bad("soon");
    when_bad("90"); /* a bare number: seconds or a time? neither */
    when_bad("0m");
    when_bad("25:00");
    when_bad("17:60");
    when_bad("17:3");
    when_bad("tomorrowish");
    when_bad("tomorrow 25:00");
    when_bad("2026-13-01");
    when_bad("2026-02-30");
    when_bad("2026-12-01 9am");
    when_bad("2026-12-01x");
}

/* ---- formatting ---- */

static void ago_is(int64_t secs, const char *want)
{
    char b[16];
    timeutil_format_ago(secs, b, sizeof b);
    if (strcmp(b, want) != 0)
        fail_msg("%lld s: got \"%s\", want \"%s\"", (long long)secs, b, want);
}

static void test_timeutil__format_ago_buckets(void **state)
{
    (void)state;
    ago_is(-5, "now");
    ago_is(0, "now");
    ago_is(9, "now");
    ago_is(10, "10s");
    ago_is(59, "59s");
    ago_is(60, "1m");
    ago_is(3599, "59m");
    ago_is(3600, "1h");
    ago_is(DAY - 1, "23h");
    ago_is(DAY, "1d");
    ago_is(14 * DAY - 1, "13d");
    ago_is(14 * DAY, "2w");
    ago_is(364 * DAY, "52w");
    ago_is(365 * DAY, "1y");
    ago_is(10 * 365 * DAY, "10y");
}

static void test_timeutil__format_ago_fits_a_small_buffer(void **state)
{
    (void)state;
    char b[8];
    memset(b, 'x', sizeof b);
    timeutil_format_ago(INT64_MAX, b, sizeof b);
    assert_non_null(memchr(b, '\0', sizeof b));
    assert_int_equal(strlen(b), 7);
}

static void test_timeutil__iso8601_format_is_chatwoots(void **state)
{
    (void)state;
    char *s = timeutil_iso8601(0);
    assert_string_equal(s, "1970-01-01T00:00:00.000Z");
    free(s);
    s = timeutil_iso8601(NOW);
    assert_string_equal(s, "2026-11-27T13:00:00.000Z");
    assert_int_equal(iso(s), NOW);
    free(s);
    s = timeutil_iso8601(1709164800 + 3600 + 61);
    assert_string_equal(s, "2024-02-29T01:01:01.000Z");
    free(s);
}

static void test_timeutil__clocks_move_forward(void **state)
{
    (void)state;
    int64_t m1 = timeutil_mono_ms(), w = timeutil_now();
    assert_true(w > NOW - 10 * 365 * DAY); /* a sane wall clock */
    int64_t m2 = timeutil_mono_ms();
    assert_true(m2 >= m1);
}

int main(void)
{
    set_tz("UTC");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeutil__duration_units),
        cmocka_unit_test(test_timeutil__duration_combinations_add_up),
        cmocka_unit_test(test_timeutil__duration_bare_number_is_seconds),
        cmocka_unit_test(test_timeutil__duration_garbage_is_refused),
        cmocka_unit_test(test_timeutil__duration_overflow_is_refused),
        cmocka_unit_test(test_timeutil__iso8601_utc_forms),
        cmocka_unit_test(test_timeutil__iso8601_offsets_with_and_without_colon),
        cmocka_unit_test(test_timeutil__iso8601_fractions_are_ignored),
        cmocka_unit_test(test_timeutil__iso8601_date_only_is_midnight_utc),
        cmocka_unit_test(test_timeutil__iso8601_invalid_dates_are_refused),
        cmocka_unit_test(test_timeutil__iso8601_garbage_is_refused),
        cmocka_unit_test(test_timeutil__when_durations_are_from_now),
        cmocka_unit_test(test_timeutil__when_tomorrow_is_nine_or_the_given_time),
        cmocka_unit_test(test_timeutil__when_date_and_date_time),
        cmocka_unit_test(test_timeutil__when_time_is_today_even_when_passed),
        cmocka_unit_test(test_timeutil__when_uses_the_local_zone),
        cmocka_unit_test(test_timeutil__when_garbage_is_refused),
        cmocka_unit_test(test_timeutil__format_ago_buckets),
        cmocka_unit_test(test_timeutil__format_ago_fits_a_small_buffer),
        cmocka_unit_test(test_timeutil__iso8601_format_is_chatwoots),
        cmocka_unit_test(test_timeutil__clocks_move_forward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
