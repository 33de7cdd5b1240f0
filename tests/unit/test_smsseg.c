/* Unit tests for smsseg: encodings, units and segment packing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/smsseg.h"
#include "twoway/xmalloc.h"

/* n copies of the UTF-8 string unit, then tail. Owned. */
static char *rep(const char *unit, size_t n, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = xmalloc(ul * n + tl + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * n, tail, tl + 1);
    return s;
}

static struct smsseg_info measure(const char *text)
{
    struct smsseg_info info;
    smsseg_measure(text, &info);
    return info;
}

static void test_smsseg__empty_text_is_zero_segments(void **state)
{
    struct smsseg_info i = measure("");
    assert_int_equal(i.encoding, SMSSEG_GSM7);
    assert_int_equal(i.units, 0);
    assert_int_equal(i.segments, 0);
    assert_int_equal(i.per_segment, 160);
    assert_int_equal(i.used_in_last, 0);
    assert_int_equal(i.remaining, 160);
    assert_int_equal(i.forced_by, 0);
}

static void test_smsseg__null_text_is_empty(void **state)
{
    struct smsseg_info i = measure(NULL);
    assert_int_equal(i.segments, 0);
    assert_int_equal(i.units, 0);
}

static void test_smsseg__160_gsm_chars_fit_one_segment(void **state)
{
    char *s = rep("a", 160, "");
    struct smsseg_info i = measure(s);
    assert_int_equal(i.encoding, SMSSEG_GSM7);
    assert_int_equal(i.units, 160);
    assert_int_equal(i.segments, 1);
    assert_int_equal(i.per_segment, 160);
    assert_int_equal(i.used_in_last, 160);
    assert_int_equal(i.remaining, 0);
    free(s);
}

static void test_smsseg__161_gsm_chars_need_two_segments(void **state)
{
    char *s = rep("a", 161, "");
    struct smsseg_info i = measure(s);
    assert_int_equal(i.segments, 2);
    assert_int_equal(i.per_segment, 153);
    assert_int_equal(i.used_in_last, 8);
    assert_int_equal(i.remaining, 145);
    free(s);
}

static void test_smsseg__306_gsm_chars_fill_two_parts(void **state)
{
    char *s = rep("a", 306, "");
    struct smsseg_info i = measure(s);
    assert_int_equal(i.segments, 2);
    assert_int_equal(i.used_in_last, 153);
    assert_int_equal(i.remaining, 0);
    free(s);
}

static void test_smsseg__307_gsm_chars_need_three_parts(void **state)
{
    char *s = rep("a", 307, "");
    struct smsseg_info i = measure(s);
    assert_int_equal(i.segments, 3);
    assert_int_equal(i.used_in_last, 1);
    free(s);
}

static void test_smsseg__euro_sign_counts_two(void **state)
{
    struct smsseg_info i = measure("\xe2\x82\xac"); /* € */
    assert_int_equal(i.encoding, SMSSEG_GSM7);
    assert_int_equal(i.units, 2);
    assert_int_equal(i.segments, 1);
    assert_int_equal(smsseg_gsm_units(0x20AC), 2);
}

static void test_smsseg__every_extension_char_counts_two(void **state)
{
    struct smsseg_info i = measure("^{}\\[~]|\f\xe2\x82\xac");
    assert_int_equal(i.encoding, SMSSEG_GSM7);
    assert_int_equal(i.units, 20);
}

static void test_smsseg__basic_set_letters_count_one(void **state)
{
    /* @ £ $ ¥ è é ù ì ò Ç Ø ø Å å Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ Æ æ ß É ¤ ¡ Ä Ö Ñ Ü
     * § ¿ ä ö ñ ü à, LF, CR, space: 45 characters. */
    const char *s = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r ";
    struct smsseg_info i = measure(s);
    assert_int_equal(i.encoding, SMSSEG_GSM7);
    assert_int_equal(i.forced_by, 0);
    assert_int_equal(i.units, 45);
}

static void test_smsseg__ascii_printables_are_gsm_except_backtick(void **state)
{
    for (uint32_t c = 0x20; c < 0x7F; c++) {
        int want = strchr("^{}\\[~]|", (int)c) ? 2 : c == '`' ? 0 : 1;
        assert_int_equal(smsseg_gsm_units(c), want);
    }
}

static void test_smsseg__gsm_units_of_edge_characters(void **state)
{
    assert_int_equal(smsseg_gsm_units('\n'), 1);
    assert_int_equal(smsseg_gsm_units('\r'), 1);
    assert_int_equal(smsseg_gsm_units('\f'), 2);
    assert_int_equal(smsseg_gsm_units('\t'), 0);
    assert_int_equal(smsseg_gsm_units(0x7F), 0);
    assert_int_equal(smsseg_gsm_units(0x00), 0);
    assert_int_equal(smsseg_gsm_units(0x0394), 1); /* Δ */
    assert_int_equal(smsseg_gsm_units(0x00C7), 1); /* Ç is in the set... */
    assert_int_equal(smsseg_gsm_units(0x00E7), 0); /* ...but ç is not */
    assert_int_equal(smsseg_gsm_units(0x00E1), 0); /* á */
    assert_int_equal(smsseg_gsm_units(0x2019), 0); /* ’ */
    assert_int_equal(smsseg_gsm_units(0x1F600), 0);
}

static void test_smsseg__escape_pair_moves_whole_to_next_part(void **state)
{
    /* 152 + 2 + 152 = 306 septets, which would be exactly two parts, but the
     * € cannot be split after the 152nd septet: part 2 is € + 151 'a', and
     * the last 'a' needs a third part. */
    char *head = rep("a", 152, "\xe2\x82\xac");
    char *tail = rep("a", 152, "");
    char *s = xasprintf("%s%s", head, tail);
    struct smsseg_info i = measure(s);
    assert_int_equal(i.encoding, SMSSEG_GSM7);
    assert_int_equal(i.units, 306);
    assert_int_equal(i.segments, 3);
    assert_int_equal(i.used_in_last, 1);
    free(head);
    free(tail);
    free(s);
}

static void test_smsseg__escape_pair_at_part_boundary_starts_part_two(void **state)
{
    char *s = rep("a", 152,
                  "\xe2\x82\xac"
                  "aaaaaaaaaa");
    struct smsseg_info i = measure(s);
    assert_int_equal(i.units, 164);
    assert_int_equal(i.segments, 2);
    assert_int_equal(i.used_in_last, 12); /* € (2) + 10 */
    free(s);
}

static void test_smsseg__escape_pair_that_fits_stays_in_single_segment(void **state)
{
    char *s = rep("a", 158, "\xe2\x82\xac");
    struct smsseg_info i = measure(s);
    assert_int_equal(i.units, 160);
    assert_int_equal(i.segments, 1);
    free(s);
}

/* A UCS-2 text of n units: ’ forces the encoding, then BMP letters. */
static char *ucs2_text(size_t n)
{
    return rep("\xc5\x9b", n - 1, "\xe2\x80\x99"); /* ś... then ’ */
}

static void test_smsseg__ucs2_70_units_fit_one_segment(void **state)
{
    char *s = ucs2_text(70);
    struct smsseg_info i = measure(s);
    assert_int_equal(i.encoding, SMSSEG_UCS2);
    assert_int_equal(i.units, 70);
    assert_int_equal(i.segments, 1);
    assert_int_equal(i.per_segment, 70);
    assert_int_equal(i.remaining, 0);
    free(s);
}

static void test_smsseg__ucs2_71_units_need_two_segments(void **state)
{
    char *s = ucs2_text(71);
    struct smsseg_info i = measure(s);
    assert_int_equal(i.segments, 2);
    assert_int_equal(i.per_segment, 67);
    assert_int_equal(i.used_in_last, 4);
    free(s);
}

static void test_smsseg__ucs2_134_units_fill_two_parts(void **state)
{
    char *s = ucs2_text(134);
    struct smsseg_info i = measure(s);
    assert_int_equal(i.segments, 2);
    assert_int_equal(i.used_in_last, 67);
    free(s);
}

static void test_smsseg__ucs2_135_units_need_three_parts(void **state)
{
    char *s = ucs2_text(135);
    struct smsseg_info i = measure(s);
    assert_int_equal(i.segments, 3);
    assert_int_equal(i.used_in_last, 1);
    free(s);
}

static void test_smsseg__emoji_counts_two_units(void **state)
{
    struct smsseg_info i = measure("\xf0\x9f\x98\x80"); /* 😀 */
    assert_int_equal(i.encoding, SMSSEG_UCS2);
    assert_int_equal(i.units, 2);
    assert_int_equal(i.forced_by, 0x1F600);
    assert_int_equal(i.forced_offset, 0);
}

static void test_smsseg__surrogate_pair_moves_whole_to_next_part(void **state)
{
    /* 66 + 2 + 66 = 134 units, exactly two parts if the pair could be split;
     * it cannot, so part 2 is 😀 + 65 ś and a third part holds the last. */
    char *head = rep("\xc5\x9b", 66, "\xf0\x9f\x98\x80");
    char *tail = rep("\xc5\x9b", 66, "");
    char *s = xasprintf("%s%s", head, tail);
    struct smsseg_info i = measure(s);
    assert_int_equal(i.encoding, SMSSEG_UCS2);
    assert_int_equal(i.units, 134);
    assert_int_equal(i.segments, 3);
    assert_int_equal(i.used_in_last, 1);
    free(head);
    free(tail);
    free(s);
}

static void test_smsseg__backtick_forces_ucs2(void **state)
{
    struct smsseg_info i = measure("a`b");
    assert_int_equal(i.encoding, SMSSEG_UCS2);
    assert_int_equal(i.forced_by, '`');
    assert_int_equal(i.forced_offset, 1);
    assert_int_equal(i.units, 3);
    assert_int_equal(i.per_segment, 70);
}

static void test_smsseg__curly_quote_forces_ucs2_and_is_reported(void **state)
{
    struct smsseg_info i = measure("it\xe2\x80\x99s");
    assert_int_equal(i.encoding, SMSSEG_UCS2);
    assert_int_equal(i.forced_by, 0x2019);
    assert_int_equal(i.forced_offset, 2);
    assert_int_equal(i.units, 4);
}

static void test_smsseg__forced_by_is_the_first_non_gsm_char(void **state)
{
    struct smsseg_info i = measure("\xe2\x82\xac x \xe2\x80\x99 \xf0\x9f\x98\x80");
    assert_int_equal(i.forced_by, 0x2019);
    assert_int_equal(i.forced_offset, 6);
}

static void test_smsseg__extension_chars_count_one_unit_in_ucs2(void **state)
{
    struct smsseg_info i = measure("\xe2\x82\xac{\xe2\x80\x99");
    assert_int_equal(i.encoding, SMSSEG_UCS2);
    assert_int_equal(i.units, 3);
}

static void test_smsseg__describe_gsm(void **state)
{
    struct smsseg_info i = measure("hello");
    char *d = smsseg_describe(&i, 0);
    assert_string_equal(d, "GSM-7 5/160 \xc2\xb7 1 SMS");
    free(d);
}

static void test_smsseg__describe_multipart_shows_last_part(void **state)
{
    char *s = rep("a", 161, "");
    struct smsseg_info i = measure(s);
    char *d = smsseg_describe(&i, 0);
    assert_string_equal(d, "GSM-7 8/153 \xc2\xb7 2 SMS");
    free(d);
    free(s);
}

static void test_smsseg__describe_ucs2_names_forcing_char(void **state)
{
    struct smsseg_info i = measure("it\xe2\x80\x99s ok");
    char *d = smsseg_describe(&i, 0);
    assert_string_equal(d, "UCS-2 7/70 \xc2\xb7 1 SMS \xc2\xb7 \xe2\x80\x99 forced UCS-2");
    free(d);
}

static void test_smsseg__describe_shows_invisible_forcing_char_as_code_point(void **state)
{
    struct smsseg_info i = measure("a\xe2\x80\x8b"
                                   "b"); /* ZWSP */
    char *d = smsseg_describe(&i, 0);
    assert_non_null(strstr(d, "UCS-2"));
    assert_non_null(strstr(d, "U+200B forced UCS-2"));
    free(d);

    i = measure("a\tb");
    d = smsseg_describe(&i, 0);
    assert_non_null(strstr(d, "U+0009 forced UCS-2"));
    free(d);

    i = measure("a\xc2\xa0"
                "b"); /* no-break space */
    d = smsseg_describe(&i, 0);
    assert_non_null(strstr(d, "U+00A0 forced UCS-2"));
    free(d);
}

static void test_smsseg__describe_empty(void **state)
{
    struct smsseg_info i = measure("");
    char *d = smsseg_describe(&i, 0);
    assert_string_equal(d, "GSM-7 0/160 \xc2\xb7 0 SMS");
    free(d);
}

static void test_smsseg__describe_shows_the_segment_limit(void **state)
{
    char *s = rep("a", 161, "");
    struct smsseg_info i = measure(s);
    char *d = smsseg_describe(&i, 10);
    assert_string_equal(d, "GSM-7 8/153 \xc2\xb7 2/10 SMS");
    free(d);
    free(s);
}

static void test_smsseg__limit_is_segments_then_twilios_1600(void **state)
{
    /* 10 segments of GSM-7 hold 1530 septets: one more is an eleventh. */
    char *ten = rep("a", 1530, ""), *eleven = rep("a", 1531, "");
    struct smsseg_info i = measure(ten);
    assert_null(smsseg_over_limit(&i, 10));
    i = measure(eleven);
    char *why = smsseg_over_limit(&i, 10);
    assert_string_equal(why, "11 SMS segments; max_segments allows 10");
    free(why);
    char *d = smsseg_describe(&i, 10);
    assert_string_equal(d, "GSM-7 1/153 \xc2\xb7 11/10 SMS \xc2\xb7 too long");
    free(d);
    assert_null(smsseg_over_limit(&i, 0));
    free(ten);
    free(eleven);

    /* Past 1,600 characters no max_segments helps; euro signs count two. */
    char *big = rep("a", 1599, "\xe2\x82\xac");
    i = measure(big);
    assert_int_equal(i.units, 1601);
    why = smsseg_over_limit(&i, 100);
    assert_string_equal(why, "1601 characters as SMS (GSM-7); the SMS provider takes at most 1600");
    free(why);
    d = smsseg_describe(&i, 100);
    assert_non_null(strstr(d, "11/100 SMS \xc2\xb7 too long: over 1600 characters"));
    free(d);
    free(big);

    /* UCS-2: 10 segments are 670 units. */
    char *u = rep("\xe2\x80\x99", 671, "");
    i = measure(u);
    why = smsseg_over_limit(&i, 10);
    assert_string_equal(why, "11 SMS segments; max_segments allows 10");
    free(why);
    free(u);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smsseg__empty_text_is_zero_segments),
        cmocka_unit_test(test_smsseg__null_text_is_empty),
        cmocka_unit_test(test_smsseg__160_gsm_chars_fit_one_segment),
        cmocka_unit_test(test_smsseg__161_gsm_chars_need_two_segments),
        cmocka_unit_test(test_smsseg__306_gsm_chars_fill_two_parts),
        cmocka_unit_test(test_smsseg__307_gsm_chars_need_three_parts),
        cmocka_unit_test(test_smsseg__euro_sign_counts_two),
        cmocka_unit_test(test_smsseg__every_extension_char_counts_two),
        cmocka_unit_test(test_smsseg__basic_set_letters_count_one),
        cmocka_unit_test(test_smsseg__ascii_printables_are_gsm_except_backtick),
        cmocka_unit_test(test_smsseg__gsm_units_of_edge_characters),
        cmocka_unit_test(test_smsseg__escape_pair_moves_whole_to_next_part),
        cmocka_unit_test(test_smsseg__escape_pair_at_part_boundary_starts_part_two),
        cmocka_unit_test(test_smsseg__escape_pair_that_fits_stays_in_single_segment),
        cmocka_unit_test(test_smsseg__ucs2_70_units_fit_one_segment),
        cmocka_unit_test(test_smsseg__ucs2_71_units_need_two_segments),
        cmocka_unit_test(test_smsseg__ucs2_134_units_fill_two_parts),
        cmocka_unit_test(test_smsseg__ucs2_135_units_need_three_parts),
        cmocka_unit_test(test_smsseg__emoji_counts_two_units),
        cmocka_unit_test(test_smsseg__surrogate_pair_moves_whole_to_next_part),
        cmocka_unit_test(test_smsseg__backtick_forces_ucs2),
        cmocka_unit_test(test_smsseg__curly_quote_forces_ucs2_and_is_reported),
        cmocka_unit_test(test_smsseg__forced_by_is_the_first_non_gsm_char),
        cmocka_unit_test(test_smsseg__extension_chars_count_one_unit_in_ucs2),
        cmocka_unit_test(test_smsseg__describe_gsm),
        cmocka_unit_test(test_smsseg__describe_multipart_shows_last_part),
        cmocka_unit_test(test_smsseg__describe_ucs2_names_forcing_char),
        cmocka_unit_test(test_smsseg__describe_shows_invisible_forcing_char_as_code_point),
        cmocka_unit_test(test_smsseg__describe_empty),
        cmocka_unit_test(test_smsseg__describe_shows_the_segment_limit),
        cmocka_unit_test(test_smsseg__limit_is_segments_then_twilios_1600),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
