/* Unit tests for phone (E.164, the country table) and quiet (quiet hours in
 * the customer's time, outreach): every time is a fixed epoch, so nothing
 * here depends on when it runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/phone.h"
#include "twoway/quiet.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* 2026-01-15T00:00:00Z, winter: New York is UTC-5, London UTC+0. */
#define JAN15 1768435200
#define HOUR 3600

static void e164_ok(const char *typed, const char *want)
{
    char *why = NULL;
    char *got = phone_e164(typed, &why);
    assert_non_null(got);
    assert_null(why);
    assert_string_equal(got, want);
    free(got);
}

static void e164_bad(const char *typed, const char *reason)
{
    char *why = NULL;
    assert_null(phone_e164(typed, &why));
    assert_non_null(why);
    if (!strstr(why, reason))
        fail_msg("%s: %s (wanted %s)", typed, why, reason);
    free(why);
}

static void test_phone__e164_takes_the_usual_ways_of_writing_a_number(void **state)
{
    e164_ok("+15550101041", "+15550101041");
    e164_ok("+1 (555) 010-1041", "+15550101041");
    e164_ok("  +44 7700.900.123 ", "+447700900123");
    e164_ok("0044 7700 900123", "+447700900123");
    e164_ok("+4930123", "+4930123");
}

static void test_phone__e164_refuses_with_the_reason(void **state)
{
    e164_bad("5550101041", "international form");
    e164_bad("", "international form");
    e164_bad("+", "too short");
    e164_bad("+1555", "too short");
    e164_bad("+0447700900123", "never starts with 0");
    e164_bad("+1555010104199999", "15 digits");
    e164_bad("+1555abc1041", "only digits");
    e164_bad("+1555\x1b[2J", "only digits");
}

static void test_phone__a_refusal_shows_the_number_safely(void **state)
{
    char *why = NULL;
    assert_null(phone_e164("+1\x1b]0;x\a", &why));
    for (const char *p = why; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    free(why);
}

static void test_phone__country_by_calling_code(void **state)
{
    assert_string_equal(phone_country("+15550101041")->code, "1");
    assert_string_equal(phone_country("+447700900123")->zones[0], "Europe/London");
    assert_string_equal(phone_country("+35312345678")->code, "353");
    assert_null(phone_country("+99912345678"));
    assert_null(phone_country("15550101041"));
    assert_null(phone_country(NULL));
}

static void test_phone__every_zone_of_the_table_is_known(void **state)
{
    size_t n;
    const struct phone_country *t = phone_countries(&n);
    assert_true(n > 40);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].zones[0]);
        for (size_t z = 0; t[i].zones[z]; z++)
            if (!timeutil_zone_known(t[i].zones[z]))
                fail_msg("+%s: unknown zone %s", t[i].code, t[i].zones[z]);
        /* Calling codes are prefix-free: no row shadows another. */
        for (size_t j = 0; j < n; j++)
            if (i != j && strncmp(t[i].code, t[j].code, strlen(t[i].code)) == 0)
                fail_msg("+%s is a prefix of +%s", t[i].code, t[j].code);
    }
}

static struct quiet_hours hours(const char *s)
{
    struct quiet_hours q;
    char *err = NULL;
    assert_int_equal(quiet_parse(s, &q, &err), 0);
    return q;
}

static void test_quiet__parse(void **state)
{
    struct quiet_hours q = hours("21:00-08:00");
    assert_int_equal(q.start, 21 * 60);
    assert_int_equal(q.end, 8 * 60);
    q = hours("22-7");
    assert_int_equal(q.start, 22 * 60);
    assert_int_equal(q.end, 7 * 60);
    q = hours("none");
    assert_int_equal(q.start, q.end);
    q = hours("00:00-24:00"); /* all day */
    assert_int_equal(q.start, 0);
    assert_int_equal(q.end, 24 * 60);
    static const char *const bad[] = {"9pm-8am",      "21:00",  "21:60-08:00", "25:00-08:00",
                                      "21:00-08:00x", "-08:00", "21:0-8:00",   "24:30-01:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err = NULL;
        struct quiet_hours x;
        if (quiet_parse(bad[i], &x, &err) == 0)
            fail_msg("%s was taken", bad[i]);
        assert_non_null(strstr(err, "is not START-END"));
        free(err);
    }
}

static struct contact person(const char *phone, const char *zone)
{
    struct contact c = {.name = "Ana", .phone = (char *)phone, .email = "", .identifier = ""};
    static struct kv attr;
    if (zone) {
        attr.key = "timezone";
        attr.value = (char *)zone;
        c.attrs = &attr;
        c.nattrs = 1;
    }
    return c;
}

static void test_quiet__by_the_country_of_the_number(void **state)
{
    struct quiet_hours q = hours("21:00-08:00");
    struct quiet_verdict v;
    struct contact uk = person("+447700900123", NULL);
    /* 00:30 in London */
    assert_true(quiet_now(&uk, &q, JAN15 + HOUR / 2, &v));
    assert_string_equal(v.zone, "Europe/London");
    assert_string_equal(v.local, "00:30");
    assert_string_equal(v.from, "from their number: the United Kingdom");
    /* 12:00 in London */
    assert_false(quiet_now(&uk, &q, JAN15 + 12 * HOUR, &v));
    assert_string_equal(v.local, "12:00");
}

static void test_quiet__a_country_of_several_zones_is_quiet_when_any_is(void **state)
{
    struct quiet_hours q = hours("21:00-08:00");
    struct quiet_verdict v;
    struct contact us = person("+15550101041", NULL);
    /* 15:00Z: 10:00 in New York, 07:00 in Los Angeles */
    assert_true(quiet_now(&us, &q, JAN15 + 15 * HOUR, &v));
    assert_string_equal(v.zone, "America/Los_Angeles");
    assert_string_equal(v.local, "07:00");
    /* 17:00Z: 09:00 in Los Angeles, 12:00 in New York */
    assert_false(quiet_now(&us, &q, JAN15 + 17 * HOUR, &v));
    assert_string_equal(v.zone, "America/New_York"); /* the first looked at */
    /* 02:30Z: 21:30 in New York */
    assert_true(quiet_now(&us, &q, JAN15 + 2 * HOUR + HOUR / 2, &v));
    assert_string_equal(v.zone, "America/New_York");
    assert_string_equal(v.local, "21:30");
}

static void test_quiet__the_contact_attribute_wins_when_it_names_a_zone(void **state)
{
    struct quiet_hours q = hours("21:00-08:00");
    struct quiet_verdict v;
    /* 00:00Z: 09:00 in Tokyo, whatever the number says */
    struct contact c = person("+447700900123", "Asia/Tokyo");
    assert_false(quiet_now(&c, &q, JAN15, &v));
    assert_string_equal(v.zone, "Asia/Tokyo");
    assert_string_equal(v.local, "09:00");
    assert_string_equal(v.from, "their time zone");
    /* Not a zone: the number decides. */
    c = person("+447700900123", "Mars/Olympus_Mons");
    assert_true(quiet_now(&c, &q, JAN15, &v));
    assert_string_equal(v.zone, "Europe/London");
    c = person("+447700900123", "../../etc/passwd");
    assert_true(quiet_now(&c, &q, JAN15, &v));
    assert_string_equal(v.zone, "Europe/London");
}

static void test_quiet__an_unknown_country_is_judged_in_the_local_zone(void **state)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct quiet_hours q = hours("21:00-08:00");
    struct quiet_verdict v;
    struct contact c = person("+99912345678", NULL);
    assert_true(quiet_now(&c, &q, JAN15 + 23 * HOUR, &v));
    assert_string_equal(v.zone, "");
    assert_string_equal(v.local, "23:00");
    assert_false(quiet_now(&c, &q, JAN15 + 10 * HOUR, &v));
}

static void test_quiet__windows_within_a_day_and_none(void **state)
{
    struct quiet_verdict v;
    struct contact uk = person("+447700900123", NULL);
    struct quiet_hours lunch = hours("12:00-13:00");
    assert_true(quiet_now(&uk, &lunch, JAN15 + 12 * HOUR, &v));
    assert_false(quiet_now(&uk, &lunch, JAN15 + 13 * HOUR, &v)); /* the end is open */
    struct quiet_hours none = hours("none");
    assert_false(quiet_now(&uk, &none, JAN15, &v));
    struct quiet_hours always = hours("0-24");
    assert_true(quiet_now(&uk, &always, JAN15 + 23 * HOUR + 59 * 60, &v));
}

static void test_quiet__describe(void **state)
{
    struct quiet_hours q = hours("21:00-08:00");
    struct quiet_verdict v;
    struct contact uk = person("+447700900123", NULL);
    quiet_now(&uk, &q, JAN15 + HOUR / 2, &v);
    char *s = quiet_describe(&v, &q);
    assert_string_equal(s, "it is 00:30 for them (Europe/London, from their number: the United "
                           "Kingdom), and texts go 08:00-21:00 their time");
    free(s);
}

static struct message msg(enum msg_type t, int64_t at)
{
    return (struct message){.type = t, .created_at = at};
}

static void test_quiet__outreach(void **state)
{
    int64_t now = JAN15;
    struct message m[3];
    /* They wrote an hour ago (then we answered): not outreach. */
    m[0] = msg(MSG_INCOMING, now - HOUR);
    m[1] = msg(MSG_OUTGOING, now - HOUR / 2);
    assert_int_equal(quiet_outreach(m, 2, false, now), 0);
    /* Two days ago: outreach. */
    m[0] = msg(MSG_INCOMING, now - 48 * HOUR);
    assert_int_equal(quiet_outreach(m, 2, false, now), 1);
    /* Never, in the whole thread: outreach. */
    m[0] = msg(MSG_OUTGOING, now - HOUR);
    assert_int_equal(quiet_outreach(m, 1, true, now), 1);
    assert_int_equal(quiet_outreach(NULL, 0, true, now), 1);
    /* Not in a part of the thread that reaches back a day: cannot tell. */
    assert_int_equal(quiet_outreach(m, 1, false, now), -1);
    assert_int_equal(quiet_outreach(NULL, 0, false, now), -1);
    /* ... that reaches back more than a day: older still, so outreach. */
    m[0] = msg(MSG_OUTGOING, now - 30 * HOUR);
    assert_int_equal(quiet_outreach(m, 1, false, now), 1);
    /* Activity lines and notes are not the customer. */
    m[0] = msg(MSG_INCOMING, now - 30 * HOUR);
    m[1] = msg(MSG_ACTIVITY, now - HOUR);
    m[2] = msg(MSG_OUTGOING, now - HOUR);
    assert_int_equal(quiet_outreach(m, 3, false, now), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone__e164_takes_the_usual_ways_of_writing_a_number),
        cmocka_unit_test(test_phone__e164_refuses_with_the_reason),
        cmocka_unit_test(test_phone__a_refusal_shows_the_number_safely),
        cmocka_unit_test(test_phone__country_by_calling_code),
        cmocka_unit_test(test_phone__every_zone_of_the_table_is_known),
        cmocka_unit_test(test_quiet__parse),
        cmocka_unit_test(test_quiet__by_the_country_of_the_number),
        cmocka_unit_test(test_quiet__a_country_of_several_zones_is_quiet_when_any_is),
        cmocka_unit_test(test_quiet__the_contact_attribute_wins_when_it_names_a_zone),
        cmocka_unit_test(test_quiet__an_unknown_country_is_judged_in_the_local_zone),
        cmocka_unit_test(test_quiet__windows_within_a_day_and_none),
        cmocka_unit_test(test_quiet__describe),
        cmocka_unit_test(test_quiet__outreach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
