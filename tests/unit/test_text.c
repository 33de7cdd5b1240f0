/* Unit tests for text: sanitizing, cells and widths, cutting and wrapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Samples, spelled out so the tests do not depend on how an editor or a
 * compiler treats them. */
#define E_ACUTE_DECOMPOSED "e\xcc\x81"             /* e + U+0301 */
#define CJK_ZHONG "\xe4\xb8\xad"                   /* 中 */
#define CJK_WEN "\xe6\x96\x87"                     /* 文 */
#define GRINNING "\xf0\x9f\x98\x80"                /* 😀 U+1F600 */
#define RI_F "\xf0\x9f\x87\xab"                    /* regional indicator F */
#define RI_R "\xf0\x9f\x87\xb7"                    /* regional indicator R */
#define FLAG_FR RI_F RI_R                          /* 🇫🇷 */
#define FLAG_DE "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa" /* 🇩🇪 */
#define THUMBS_UP "\xf0\x9f\x91\x8d"               /* 👍 */
#define SKIN_MEDIUM "\xf0\x9f\x8f\xbd"             /* U+1F3FD */
#define THUMBS_UP_MEDIUM THUMBS_UP SKIN_MEDIUM     /* 👍🏽 */
#define ZWJ "\xe2\x80\x8d"                         /* U+200D */
#define MAN "\xf0\x9f\x91\xa8"                     /* 👨 */
#define WOMAN "\xf0\x9f\x91\xa9"                   /* 👩 */
#define GIRL "\xf0\x9f\x91\xa7"                    /* 👧 */
#define FAMILY MAN ZWJ WOMAN ZWJ GIRL              /* 👨‍👩‍👧 */
#define HEART "\xe2\x9d\xa4"                       /* ❤ U+2764 */
#define VS16 "\xef\xb8\x8f"                        /* U+FE0F */
#define RED_HEART HEART VS16                       /* ❤️ */
#define ZWSP "\xe2\x80\x8b"                        /* U+200B */
#define RLO "\xe2\x80\xae"                         /* U+202E */
#define FFFD "\xef\xbf\xbd"                        /* U+FFFD */
#define ELLIPSIS "\xe2\x80\xa6"                    /* … */
#define SYM_ESC "\xe2\x90\x9b"                     /* ␛ */
#define SYM_BEL "\xe2\x90\x87"                     /* ␇ */

/* n copies of unit. Owned. */
static char *rep(const char *unit, size_t n)
{
    size_t ul = strlen(unit);
    char *s = xmalloc(ul * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    s[ul * n] = '\0';
    return s;
}

static void assert_sanitized(const char *in, size_t len, unsigned flags, const char *want)
{
    char *out = text_sanitize(in, len, flags);
    assert_string_equal(out, want);
    free(out);
}

#define SANITIZE(lit, want) assert_sanitized((lit), sizeof(lit) - 1, TEXT_SINGLE_LINE, (want))

/* Nothing in s that a terminal would act on: no C0 but (optionally) '\n',
 * no DEL, no C1, no bidi controls, and valid UTF-8. */
static void assert_display_safe(const char *s, bool allow_newline)
{
    const unsigned char *u = (const unsigned char *)s;
    assert_true(text_valid_utf8(s, strlen(s)));
    for (size_t i = 0; u[i]; i++) {
        if (u[i] < 0x20)
            assert_true(allow_newline && u[i] == '\n');
        assert_true(u[i] != 0x7F);
        if (u[i] == 0xC2)
            assert_false(u[i + 1] >= 0x80 && u[i + 1] <= 0x9F);
        if (u[i] == 0xE2 && u[i + 1] == 0x80) {
            assert_false(u[i + 2] >= 0xAA && u[i + 2] <= 0xAE);
            assert_false(u[i + 2] == 0x8E || u[i + 2] == 0x8F);
        }
        if (u[i] == 0xE2 && u[i + 1] == 0x81)
            assert_false(u[i + 2] >= 0xA6 && u[i + 2] <= 0xA9);
        if (u[i] == 0xD8)
            assert_false(u[i + 1] == 0x9C);
    }
}

/* A tiny deterministic PRNG, so failures reproduce. */
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* --- sanitize ----------------------------------------------------------- */

static void test_text__sanitize_neutralises_osc_title_sequence(void **state)
{
    SANITIZE("\x1b]0;title\x07", SYM_ESC "]0;title" SYM_BEL);
}

static void test_text__sanitize_neutralises_clear_screen(void **state)
{
    SANITIZE("\x1b[2J", SYM_ESC "[2J");
}

static void test_text__sanitize_neutralises_cursor_motion(void **state)
{
    SANITIZE("a\x1b[10;10Hb", "a" SYM_ESC "[10;10Hb");
}

static void test_text__sanitize_replaces_c1_csi(void **state)
{
    SANITIZE("a\xc2\x9b"
             "2J",
             "a" FFFD "2J");
    SANITIZE("\xc2\x80\xc2\x9f", FFFD FFFD);
}

static void test_text__sanitize_replaces_raw_c1_byte(void **state)
{
    SANITIZE("a\x9b"
             "2J",
             "a" FFFD "2J");
}

static void test_text__sanitize_shows_c0_controls_as_pictures(void **state)
{
    SANITIZE("\x01\x08\x7f", "\xe2\x90\x81\xe2\x90\x88\xe2\x90\xa1");
}

static void test_text__sanitize_removes_bidi_override(void **state)
{
    SANITIZE("abc" RLO "def", "abcdef");
}

static void test_text__sanitize_removes_all_bidi_controls(void **state)
{
    SANITIZE("a\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae"
             "b\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"
             "c\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"
             "d",
             "abcd");
}

static void test_text__sanitize_replaces_invalid_utf8(void **state)
{
    SANITIZE("a\xff"
             "b",
             "a" FFFD "b");
    SANITIZE("a\xfe\xfe"
             "b",
             "a" FFFD FFFD "b");
    /* A truncated sequence is one replacement, and the next character
     * survives. */
    SANITIZE("a\xe2\x82"
             "b",
             "a" FFFD "b");
    SANITIZE("\xe2\x82", FFFD);
    SANITIZE("\xf0\x9f\x98", FFFD);
    SANITIZE("\x80\xbf", FFFD FFFD);
}

static void test_text__sanitize_replaces_overlongs(void **state)
{
    SANITIZE("\xc0\xaf", FFFD FFFD);          /* '/' in two bytes */
    SANITIZE("\xe0\x80\xaf", FFFD FFFD FFFD); /* '/' in three bytes */
    SANITIZE("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
    SANITIZE("\xc1\x9b", FFFD FFFD); /* ESC in two bytes */
}

static void test_text__sanitize_replaces_utf8_encoded_surrogates(void **state)
{
    SANITIZE("\xed\xa0\x80", FFFD FFFD FFFD);
    SANITIZE("\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD); /* CESU-8 😀 */
}

static void test_text__sanitize_replaces_code_points_above_max(void **state)
{
    SANITIZE("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
    SANITIZE("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
}

static void test_text__sanitize_replaces_embedded_nul(void **state)
{
    assert_sanitized("a\0b", 3, TEXT_SINGLE_LINE, "a" FFFD "b");
    assert_sanitized("\0\0", 2, TEXT_MULTI_LINE, FFFD FFFD);
}

static void test_text__sanitize_single_line_flattens_newlines_and_tabs(void **state)
{
    SANITIZE("a\nb\tc\r\nd\re", "a b c d e");
}

static void test_text__sanitize_multi_line_keeps_newlines(void **state)
{
    const char in[] = "a\r\nb\rc\nd\te\n\n";
    assert_sanitized(in, sizeof in - 1, TEXT_MULTI_LINE, "a\nb\nc\nd e\n\n");
}

static void test_text__sanitize_line_and_paragraph_separators(void **state)
{
    const char in[] = "a\xe2\x80\xa8"
                      "b\xe2\x80\xa9"
                      "c";
    assert_sanitized(in, sizeof in - 1, TEXT_MULTI_LINE, "a\nb\nc");
    assert_sanitized(in, sizeof in - 1, TEXT_SINGLE_LINE, "a b c");
}

static void test_text__sanitize_keeps_ordinary_text(void **state)
{
    const char in[] = "h\xc3\xa9llo " CJK_ZHONG CJK_WEN " " THUMBS_UP_MEDIUM " " FLAG_FR " " FAMILY
                      " " RED_HEART " " E_ACUTE_DECOMPOSED " \xe2\x80\x99";
    SANITIZE(in, in);
}

static void test_text__sanitize_null_gives_empty_string(void **state)
{
    char *s = text_sanitize(NULL, 10, TEXT_MULTI_LINE);
    assert_string_equal(s, "");
    free(s);
    s = text_sanitize_str(NULL, TEXT_SINGLE_LINE);
    assert_string_equal(s, "");
    free(s);
}

static void test_text__sanitize_str_stops_at_nul(void **state)
{
    char *s = text_sanitize_str("a\x1b"
                                "b",
                                TEXT_SINGLE_LINE);
    assert_string_equal(s, "a" SYM_ESC "b");
    free(s);
}

static void test_text__sanitize_cuts_100k_characters_with_ellipsis(void **state)
{
    char *in = rep("\xc3\xa9", 100000); /* 200 000 bytes of é */
    char *out = text_sanitize(in, strlen(in), TEXT_MULTI_LINE);
    size_t n = strlen(out);
    assert_true(n <= TEXT_MAX_INPUT + strlen(ELLIPSIS));
    assert_true(n > TEXT_MAX_INPUT - 16);
    assert_string_equal(out + n - strlen(ELLIPSIS), ELLIPSIS);
    assert_true(text_valid_utf8(out, n));
    free(out);
    free(in);
}

static void test_text__sanitize_cuts_10mb_input(void **state)
{
    size_t len = 10u * 1024 * 1024;
    char *in = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        in[i] = (char)(i % 7 == 0 ? 0x1b : i % 11 == 0 ? '\0' : 'x');
    in[len] = '\0';
    char *out = text_sanitize(in, len, TEXT_SINGLE_LINE);
    size_t n = strlen(out);
    /* ESC and NUL each become three bytes, so the output can grow up to
     * three times the kept input, but no further. */
    assert_true(n <= 3 * TEXT_MAX_INPUT + strlen(ELLIPSIS));
    assert_string_equal(out + n - strlen(ELLIPSIS), ELLIPSIS);
    assert_display_safe(out, false);
    free(out);

    memset(in, 'y', len);
    out = text_sanitize_str(in, TEXT_SINGLE_LINE);
    n = strlen(out);
    assert_int_equal(n, TEXT_MAX_INPUT - 1 + strlen(ELLIPSIS));
    free(out);
    free(in);
}

static void test_text__sanitize_cut_never_splits_a_cluster(void **state)
{
    /* The limit falls between the two regional indicators of a flag. */
    char *pad = rep("a", TEXT_MAX_INPUT - 4);
    char *in = xasprintf("%s" FLAG_FR "tail", pad);
    char *out = text_sanitize(in, strlen(in), TEXT_SINGLE_LINE);
    assert_null(strstr(out, "\xf0\x9f\x87"));
    assert_string_equal(out + strlen(out) - strlen("a" ELLIPSIS), "a" ELLIPSIS);
    free(out);
    free(in);
    free(pad);

    /* ...or inside a character: it is not kept half. */
    pad = rep("a", TEXT_MAX_INPUT - 1);
    in = xasprintf("%s" CJK_ZHONG "tail", pad);
    out = text_sanitize(in, strlen(in), TEXT_SINGLE_LINE);
    assert_true(text_valid_utf8(out, strlen(out)));
    assert_null(strstr(out, CJK_ZHONG));
    free(out);
    free(in);
    free(pad);
}

static void test_text__sanitize_random_bytes_are_display_safe(void **state)
{
    static const char *frags[] = {
        "\x1b",     "\x00",     "\x07",     "\x7f",         "\x80",     "\x9b", "\xbf",
        "\xc0",     "\xc2",     "\xc2\x9b", "\xe0",         "\xe0\x80", "\xed", "\xed\xa0",
        "\xf0",     "\xf0\x9f", "\xf4\x90", "\xff",         "a",        " ",    "\n",
        "\r",       "\t",       RLO,        "\xe2\x81\xa6", "\xd8\x9c", ZWJ,    VS16,
        "\xcc\x81", RI_F,       CJK_ZHONG,  "\xe2\x80\xa8", "[",        "]0;",
    };
    size_t nfrags = sizeof frags / sizeof frags[0];
    char in[256];
    for (int round = 0; round < 5000; round++) {
        size_t len = 0;
        int parts = (int)(rng() % 40);
        for (int p = 0; p < parts; p++) {
            const char *f = frags[rng() % nfrags];
            size_t fl = f[0] ? strlen(f) : 1;
            memcpy(in + len, f, fl);
            len += fl;
        }
        unsigned flags = round % 2 ? TEXT_MULTI_LINE : TEXT_SINGLE_LINE;
        char *out = text_sanitize(in, len, flags);
        assert_display_safe(out, flags == TEXT_MULTI_LINE);
        free(out);
    }
}

static void test_text__valid_utf8(void **state)
{
    assert_true(text_valid_utf8("", 0));
    assert_true(text_valid_utf8("h\xc3\xa9" GRINNING, 9));
    assert_false(text_valid_utf8("\xc3", 1));
    assert_false(text_valid_utf8("\xc0\xaf", 2));
    assert_false(text_valid_utf8("\xed\xa0\x80", 3));
    assert_false(text_valid_utf8("\xf4\x90\x80\x80", 4));
    assert_false(text_valid_utf8(NULL, 0));
    /* Only len bytes are looked at. */
    assert_true(text_valid_utf8("ab\xff", 2));
}

/* --- cells and widths --------------------------------------------------- */

/* All cells of s up to the first '\n'. */
static size_t cells_of(const char *s, struct text_cell *cells, size_t max)
{
    size_t pos = 0, n = 0;
    while (n < max && text_cell_next(s, &pos, &cells[n]))
        n++;
    return n;
}

static void test_text__width_of_ascii(void **state)
{
    assert_int_equal(text_width("hello"), 5);
    assert_int_equal(text_width(""), 0);
    assert_int_equal(text_width(NULL), 0);
}

static void test_text__width_of_cjk_is_two_per_char(void **state)
{
    assert_int_equal(text_width(CJK_ZHONG CJK_WEN), 4);
}

static void test_text__width_of_emoji_is_two(void **state)
{
    assert_int_equal(text_width(GRINNING), 2);
}

static void test_text__combining_accent_joins_its_letter(void **state)
{
    struct text_cell c[4];
    assert_int_equal(text_width(E_ACUTE_DECOMPOSED), 1);
    assert_int_equal(cells_of(E_ACUTE_DECOMPOSED "x", c, 4), 2);
    assert_int_equal(c[0].wc[0], L'e');
    assert_int_equal(c[0].wc[1], 0x301);
    assert_int_equal(c[0].wc[2], 0);
    assert_int_equal(c[0].width, 1);
    assert_int_equal(c[0].offset, 0);
    assert_int_equal(c[0].len, 3);
    assert_true(c[0].cluster_end);
    assert_int_equal(c[1].offset, 3);
}

static void test_text__flag_is_two_cells_in_one_cluster(void **state)
{
    struct text_cell c[4];
    assert_int_equal(text_width(FLAG_FR), 2);
    assert_int_equal(cells_of(FLAG_FR, c, 4), 2);
    assert_int_equal(c[0].width, 1);
    assert_int_equal(c[1].width, 1);
    assert_false(c[0].cluster_end);
    assert_true(c[1].cluster_end);
}

static void test_text__flags_pair_up_when_iterating(void **state)
{
    /* Five regional indicators: two flags and a lone one. Each call starts
     * afresh from *pos, so the pairing must be recovered every time. */
    const char *s = "\xf0\x9f\x87\xa6\xf0\x9f\x87\xa7\xf0\x9f\x87\xa8\xf0\x9f\x87\xa9"
                    "\xf0\x9f\x87\xaa";
    struct text_cell c[8];
    assert_int_equal(cells_of(s, c, 8), 5);
    assert_false(c[0].cluster_end);
    assert_true(c[1].cluster_end);
    assert_false(c[2].cluster_end);
    assert_true(c[3].cluster_end);
    assert_true(c[4].cluster_end);
}

static void test_text__skin_tone_emoji_is_one_cluster_of_width_four(void **state)
{
    struct text_cell c[4];
    /* glibc gives the modifier its own two columns, and ncurses places it
     * there; the cluster is kept whole but measured as drawn. */
    assert_int_equal(text_width(THUMBS_UP_MEDIUM), 4);
    assert_int_equal(cells_of(THUMBS_UP_MEDIUM, c, 4), 2);
    assert_false(c[0].cluster_end);
    assert_true(c[1].cluster_end);
}

static void test_text__zwj_family_is_drawn_as_its_parts(void **state)
{
    struct text_cell c[8];
    assert_int_equal(text_width(FAMILY), 6);
    assert_int_equal(cells_of(FAMILY, c, 8), 3);
    assert_int_equal(c[0].wc[0], 0x1F468);
    assert_int_equal(c[0].wc[1], 0); /* the ZWJ is not drawn... */
    assert_int_equal(c[0].len, 7);   /* ...but is covered */
    assert_int_equal(c[1].wc[0], 0x1F469);
    assert_int_equal(c[1].offset, 7);
    assert_int_equal(c[2].wc[0], 0x1F467);
    for (int i = 0; i < 3; i++)
        assert_int_equal(c[i].width, 2);
    assert_false(c[0].cluster_end);
    assert_false(c[1].cluster_end);
    assert_true(c[2].cluster_end);
}

static void test_text__vs16_heart_keeps_default_width(void **state)
{
    struct text_cell c[2];
    assert_int_equal(text_width(RED_HEART), 1);
    assert_int_equal(cells_of(RED_HEART, c, 2), 1);
    assert_int_equal(c[0].wc[0], 0x2764);
    assert_int_equal(c[0].wc[1], 0);
    assert_int_equal(c[0].len, 6);
}

static void test_text__lone_combining_mark_gets_dotted_circle(void **state)
{
    struct text_cell c[2];
    assert_int_equal(cells_of("\xcc\x81", c, 2), 1);
    assert_int_equal(c[0].wc[0], 0x25CC);
    assert_int_equal(c[0].wc[1], 0x301);
    assert_int_equal(c[0].width, 1);
    assert_int_equal(text_width("\xcc\x81"), 1);
}

static void test_text__extra_combining_marks_are_dropped(void **state)
{
    char *marks = rep("\xcc\x81", 20);
    char *s = xasprintf("a%sb", marks);
    struct text_cell c[4];
    assert_int_equal(cells_of(s, c, 4), 2);
    assert_int_equal(c[0].wc[0], L'a');
    for (int i = 1; i < TEXT_CELL_MAX; i++)
        assert_int_equal(c[0].wc[i], 0x301);
    assert_int_equal(c[0].wc[TEXT_CELL_MAX], 0);
    assert_int_equal(c[0].len, 41);
    assert_int_equal(c[0].width, 1);
    assert_int_equal(c[1].wc[0], L'b');
    free(s);
    free(marks);
}

static void test_text__unprintable_becomes_replacement_char(void **state)
{
    struct text_cell c[4];
    /* Unsanitized controls, an unassigned code point, ill-formed bytes. */
    assert_int_equal(cells_of("\x01\t\xcd\xb8\xff", c, 4), 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c[i].wc[0], 0xFFFD);
        assert_int_equal(c[i].width, 1);
    }
}

static void test_text__zero_width_format_chars_are_dropped(void **state)
{
    struct text_cell c[4];
    assert_int_equal(text_width("a" ZWSP "b"), 2);
    assert_int_equal(cells_of("a" ZWSP "b", c, 4), 2);
    assert_int_equal(c[0].wc[1], 0);
    assert_int_equal(c[0].len, 4);
}

static void test_text__cells_stop_at_newline(void **state)
{
    struct text_cell c;
    size_t pos = 0;
    const char *s = "ab\ncd";
    assert_true(text_cell_next(s, &pos, &c));
    assert_true(text_cell_next(s, &pos, &c));
    assert_false(text_cell_next(s, &pos, &c));
    assert_int_equal(pos, 2);
    pos++;
    assert_true(text_cell_next(s, &pos, &c));
    assert_int_equal(c.wc[0], L'c');
    assert_int_equal(c.offset, 3);
    assert_true(text_cell_next(s, &pos, &c));
    assert_false(text_cell_next(s, &pos, &c));
    assert_int_equal(pos, 5);
}

static void test_text__width_counts_newline_as_one_column(void **state)
{
    assert_int_equal(text_width("a\nb"), 3);
}

/* --- fit, truncate, pad ------------------------------------------------- */

static void test_text__fit_bytes_stops_before_a_wide_char(void **state)
{
    int used = -1;
    assert_int_equal(text_fit_bytes("a" CJK_ZHONG, 2, &used), 1);
    assert_int_equal(used, 1);
    assert_int_equal(text_fit_bytes("a" CJK_ZHONG, 3, &used), 4);
    assert_int_equal(used, 3);
    assert_int_equal(text_fit_bytes("abc", 0, &used), 0);
    assert_int_equal(used, 0);
}

static void test_text__fit_bytes_never_splits_a_flag(void **state)
{
    int used;
    assert_int_equal(text_fit_bytes(FLAG_FR, 1, &used), 0);
    assert_int_equal(text_fit_bytes("x" FLAG_FR FLAG_DE, 4, &used), 9);
    assert_int_equal(used, 3);
}

static void test_text__fit_bytes_never_splits_skin_tone(void **state)
{
    int used;
    assert_int_equal(text_fit_bytes("a" THUMBS_UP_MEDIUM, 4, &used), 1);
    assert_int_equal(used, 1);
    assert_int_equal(text_fit_bytes("a" THUMBS_UP_MEDIUM, 5, &used), 9);
}

static void test_text__fit_bytes_keeps_combining_marks(void **state)
{
    int used;
    assert_int_equal(text_fit_bytes(E_ACUTE_DECOMPOSED "x", 1, &used), 3);
    assert_int_equal(used, 1);
}

static void test_text__truncate_adds_ellipsis(void **state)
{
    char *s = text_truncate("hello world", 8, true);
    assert_string_equal(s, "hello w" ELLIPSIS);
    free(s);
}

static void test_text__truncate_leaves_short_text_alone(void **state)
{
    char *s = text_truncate("hi", 5, true);
    assert_string_equal(s, "hi");
    free(s);
    s = text_truncate("hello", 5, true);
    assert_string_equal(s, "hello");
    free(s);
}

static void test_text__truncate_without_ellipsis(void **state)
{
    char *s = text_truncate("hello world", 8, false);
    assert_string_equal(s, "hello wo");
    free(s);
}

static void test_text__truncate_never_splits_an_accent(void **state)
{
    char *s = text_truncate("caf" E_ACUTE_DECOMPOSED "s", 4, false);
    assert_string_equal(s, "caf" E_ACUTE_DECOMPOSED);
    free(s);
    s = text_truncate("caf" E_ACUTE_DECOMPOSED "s!", 5, true);
    assert_string_equal(s, "caf" E_ACUTE_DECOMPOSED ELLIPSIS);
    free(s);
}

static void test_text__truncate_leaves_a_gap_rather_than_half_a_wide_char(void **state)
{
    char *s = text_truncate("ab" CJK_ZHONG CJK_WEN, 4, true);
    assert_string_equal(s, "ab" ELLIPSIS);
    assert_int_equal(text_width(s), 3);
    free(s);
}

static void test_text__truncate_keeps_zwj_family_whole(void **state)
{
    char *s = text_truncate("x" FAMILY, 5, true);
    assert_string_equal(s, "x" ELLIPSIS);
    free(s);
    s = text_truncate("x" FAMILY "y", 7, false);
    assert_string_equal(s, "x" FAMILY);
    free(s);
}

static void test_text__truncate_to_zero_or_one_column(void **state)
{
    char *s = text_truncate("hello", 0, true);
    assert_string_equal(s, "");
    free(s);
    s = text_truncate("hello", 1, true);
    assert_string_equal(s, ELLIPSIS);
    free(s);
    s = text_truncate("hello", -3, false);
    assert_string_equal(s, "");
    free(s);
}

static void test_text__truncate_turns_newlines_into_spaces(void **state)
{
    char *s = text_truncate("a\nb\nc", 10, true);
    assert_string_equal(s, "a b c");
    free(s);
}

static void test_text__pad_fills_with_spaces(void **state)
{
    char *s = text_pad("ab", 4);
    assert_string_equal(s, "ab  ");
    free(s);
}

static void test_text__pad_cuts_long_text(void **state)
{
    char *s = text_pad("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
}

static void test_text__pad_fills_gap_left_by_a_wide_char(void **state)
{
    char *s = text_pad("a" CJK_ZHONG CJK_WEN, 4);
    assert_string_equal(s, "a" CJK_ZHONG " ");
    assert_int_equal(text_width(s), 4);
    free(s);
}

static void test_text__pad_with_null_or_zero_width(void **state)
{
    char *s = text_pad(NULL, 2);
    assert_string_equal(s, "  ");
    free(s);
    s = text_pad("abc", 0);
    assert_string_equal(s, "");
    free(s);
}

/* Random text from fragments that stress the rules. Owned. */
static char *random_text(size_t max_parts)
{
    static const char *frags[] = {
        "a",
        "bc",
        "word",
        " ",
        " ",
        "  ",
        "\n",
        CJK_ZHONG,
        FAMILY,
        FLAG_FR,
        RI_F,
        GRINNING,
        THUMBS_UP_MEDIUM,
        RED_HEART,
        E_ACUTE_DECOMPOSED,
        "\xcc\x81",
        ZWSP,
        ZWJ,
        "\xe1\x84\x80\xe1\x85\xa1", /* Hangul L + V */
        "x\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86\xcc\x87",
    };
    size_t nfrags = sizeof frags / sizeof frags[0];
    size_t parts = rng() % (max_parts + 1);
    char *s = xstrdup("");
    for (size_t i = 0; i < parts; i++) {
        char *t = xasprintf("%s%s", s, frags[rng() % nfrags]);
        free(s);
        s = t;
    }
    return s;
}

/* Byte offsets of every grapheme boundary of s, as 1s in a bitmap. */
static unsigned char *boundaries(const char *s)
{
    size_t len = strlen(s);
    unsigned char *b = xcalloc(len + 1, 1);
    size_t pos = 0;
    b[0] = 1;
    while (pos < len) {
        size_t next = text_next_grapheme(s, pos);
        assert_true(next > pos);
        b[next] = 1;
        pos = next;
    }
    return b;
}

static void test_text__truncate_and_pad_respect_width_and_clusters(void **state)
{
    for (int round = 0; round < 2000; round++) {
        char *s = random_text(12);
        unsigned char *bound = boundaries(s);
        int width = (int)(rng() % 20);
        int used;
        size_t n = text_fit_bytes(s, width, &used);
        assert_true(used <= width);
        assert_true(bound[n]);

        char *t = text_truncate(s, width, round % 2);
        assert_true(text_width(t) <= width);
        free(t);

        char *p = text_pad(s, width);
        assert_int_equal(text_width(p), width);
        free(p);

        free(bound);
        free(s);
    }
}

/* --- wrap --------------------------------------------------------------- */

static void assert_wrap(const char *s, int width, const char **want, size_t nwant)
{
    char **lines;
    size_t n = text_wrap(s, width, &lines);
    for (size_t i = 0; i < n && i < nwant; i++)
        assert_string_equal(lines[i], want[i]);
    assert_int_equal(n, nwant);
    text_lines_free(lines, n);
}

#define WRAP(s, width, ...)                                                                        \
    do {                                                                                           \
        const char *want_[] = {__VA_ARGS__};                                                       \
        assert_wrap((s), (width), want_, sizeof want_ / sizeof want_[0]);                          \
    } while (0)

static void test_text__wrap_breaks_at_spaces(void **state)
{
    WRAP("the quick brown fox", 10, "the quick", "brown fox");
    WRAP("hello world", 5, "hello", "world");
}

static void test_text__wrap_drops_spaces_at_soft_breaks(void **state)
{
    WRAP("aaa   bbb", 4, "aaa", "bbb");
    WRAP("hello ", 5, "hello");
}

static void test_text__wrap_honours_newlines(void **state)
{
    WRAP("a\nb", 10, "a", "b");
    WRAP("a\n\nb", 10, "a", "", "b");
    WRAP("a\n", 10, "a", "");
}

static void test_text__wrap_empty_and_null(void **state)
{
    char **lines = (char **)1;
    WRAP("", 10, "");
    assert_int_equal(text_wrap(NULL, 10, &lines), 0);
    assert_null(lines);
}

static void test_text__wrap_breaks_long_words_at_graphemes(void **state)
{
    WRAP("abcdefghij", 4, "abcd", "efgh", "ij");
    WRAP("hi abcdefghij", 4, "hi", "abcd", "efgh", "ij");
}

static void test_text__wrap_never_splits_an_accent(void **state)
{
    WRAP(E_ACUTE_DECOMPOSED E_ACUTE_DECOMPOSED E_ACUTE_DECOMPOSED, 2,
         E_ACUTE_DECOMPOSED E_ACUTE_DECOMPOSED, E_ACUTE_DECOMPOSED);
}

static void test_text__wrap_never_splits_a_flag(void **state)
{
    WRAP(FLAG_FR FLAG_DE, 3, FLAG_FR, FLAG_DE);
}

static void test_text__wrap_wide_chars_fit_their_width(void **state)
{
    WRAP(CJK_ZHONG CJK_WEN CJK_ZHONG, 3, CJK_ZHONG, CJK_WEN, CJK_ZHONG);
}

static void test_text__wrap_width_one_replaces_wide_char(void **state)
{
    WRAP(CJK_ZHONG "a", 1, "?", "a");
}

static void test_text__wrap_width_zero_still_terminates(void **state)
{
    WRAP("abc", 0, "a", "b", "c");
    WRAP(CJK_ZHONG, -5, "?");
}

static void test_text__wrap_splits_oversize_zwj_cluster_between_cells(void **state)
{
    WRAP(FAMILY, 4, MAN ZWJ WOMAN ZWJ, GIRL);
}

static void test_text__wrap_lines_fit_and_keep_every_character(void **state)
{
    for (int round = 0; round < 2000; round++) {
        char *s = random_text(16);
        int width = 1 + (int)(rng() % 14);
        char **lines;
        size_t n = text_wrap(s, width, &lines);
        assert_true(n >= 1);

        /* With width >= 2 nothing is replaced: all but spaces and newlines
         * comes out, in order. */
        char *joined = xstrdup("");
        for (size_t i = 0; i < n; i++) {
            assert_true(text_width(lines[i]) <= width);
            assert_null(strchr(lines[i], '\n'));
            char *t = xasprintf("%s%s", joined, lines[i]);
            free(joined);
            joined = t;
        }
        if (width >= 2) {
            char *a = xstrdup(s), *b = joined;
            size_t ai = 0, bi = 0;
            for (size_t i = 0; a[i]; i++)
                if (a[i] != ' ' && a[i] != '\n')
                    a[ai++] = a[i];
            a[ai] = '\0';
            for (size_t i = 0; b[i]; i++)
                if (b[i] != ' ')
                    b[bi++] = b[i];
            b[bi] = '\0';
            assert_string_equal(a, b);
            free(a);
        }
        free(joined);
        text_lines_free(lines, n);
        free(s);
    }
}

static void test_text__long_flag_run_pairs_up_when_iterating(void **state)
{
    char *ris = rep(RI_F, 41);
    char *s = xasprintf("x%sy", ris);
    struct text_cell c[64];
    assert_int_equal(cells_of(s, c, 64), 43);
    for (int i = 1; i <= 41; i++)
        assert_true(c[i].cluster_end == (i % 2 == 0 || i == 41));
    free(s);
    free(ris);
}

static void test_text__cells_end_exactly_at_cluster_boundaries(void **state)
{
    /* text_cell_next() rebuilds its context at every call, the grapheme
     * steps walk forward: they must agree. */
    for (int round = 0; round < 2000; round++) {
        char *s = random_text(16);
        unsigned char *bound = boundaries(s);
        size_t pos = 0, len = strlen(s);
        struct text_cell c;
        for (;;) {
            while (text_cell_next(s, &pos, &c)) {
                assert_int_equal(c.offset + c.len, pos);
                assert_true(c.width == 1 || c.width == 2);
                assert_int_equal(bound[pos], c.cluster_end);
            }
            if (pos >= len)
                break;
            assert_int_equal(s[pos], '\n');
            assert_true(bound[pos]);
            pos++;
        }
        free(bound);
        free(s);
    }
}

static void test_text__measuring_tolerates_invalid_utf8(void **state)
{
    /* Unsanitized input must not be read past its terminator (run under
     * ASan: the copies sit on the heap with nothing after them). */
    static const char *nasty[] = {
        "\xf0\x9f\x98", "a\xe2\x82",     "\xcc",     "\x80\x80\x80\x80\x80",
        "\xf0\x9f\x87", RI_F "\xf0\x9f", ZWJ "\xed", "\xcc\x81\xf4\x8f\xbf",
    };
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        char *s = xstrdup(nasty[i]);
        size_t len = strlen(s), pos = 0, cells = 0;
        struct text_cell c;
        while (text_cell_next(s, &pos, &c))
            cells++;
        assert_int_equal(pos, len);
        assert_true(cells >= 1);
        assert_int_equal(text_width(s), (int)cells);
        for (size_t p = 0; p < len; p = text_next_grapheme(s, p))
            ;
        for (size_t p = len; p > 0; p = text_prev_grapheme(s, p))
            ;
        char **lines;
        size_t n = text_wrap(s, 1, &lines);
        text_lines_free(lines, n);
        free(text_truncate(s, 1, true));
        free(text_ascii(s));
        free(s);
    }
}

/* --- graphemes, ascii, icontains ---------------------------------------- */

static void test_text__next_grapheme_skips_whole_clusters(void **state)
{
    const char *s = "a" E_ACUTE_DECOMPOSED FLAG_FR FAMILY THUMBS_UP_MEDIUM "z";
    size_t want[] = {1, 4, 12, 30, 38, 39};
    size_t pos = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        pos = text_next_grapheme(s, pos);
        assert_int_equal(pos, want[i]);
    }
    assert_int_equal(text_next_grapheme(s, pos), pos);
}

static void test_text__prev_grapheme_steps_back_whole_clusters(void **state)
{
    const char *s = "a" E_ACUTE_DECOMPOSED FLAG_FR FAMILY THUMBS_UP_MEDIUM "z";
    size_t want[] = {38, 30, 12, 4, 1, 0};
    size_t pos = 39;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        pos = text_prev_grapheme(s, pos);
        assert_int_equal(pos, want[i]);
    }
    assert_int_equal(text_prev_grapheme(s, 0), 0);
}

static void test_text__grapheme_steps_pair_regional_indicators(void **state)
{
    const char *s = FLAG_FR FLAG_DE RI_F;
    assert_int_equal(text_next_grapheme(s, 0), 8);
    assert_int_equal(text_next_grapheme(s, 8), 16);
    assert_int_equal(text_next_grapheme(s, 16), 20);
    assert_int_equal(text_prev_grapheme(s, 20), 16);
    assert_int_equal(text_prev_grapheme(s, 16), 8);
    assert_int_equal(text_prev_grapheme(s, 8), 0);
}

static void test_text__ascii_replaces_non_ascii_keeping_columns(void **state)
{
    char *s = text_ascii("h\xc3\xa9llo " CJK_ZHONG " " E_ACUTE_DECOMPOSED "\n" FAMILY "\x1b");
    assert_string_equal(s, "h?llo ?? e\n???????");
    free(s);
}

static void test_text__icontains_ignores_ascii_case(void **state)
{
    assert_true(text_icontains("Hello World", "wORLD"));
    assert_true(text_icontains("Hello", ""));
    assert_true(text_icontains("abc", "ABC"));
    assert_false(text_icontains("abc", "abd"));
    assert_false(text_icontains("ab", "abc"));
    assert_false(text_icontains(NULL, "a"));
    assert_false(text_icontains("a", NULL));
}

static void check_fold(const char *in, const char *want)
{
    char *got = text_casefold(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_text__casefold_folds_unicode_case(void **state)
{
    check_fold("\xc3\x89LITE", "\xc3\xa9lite");  /* ÉLITE → élite */
    check_fold("\xc3\x89lite", "\xc3\xa9lite");  /* Élite → élite */
    check_fold("E\xcc\x81LITE", "\xc3\xa9lite"); /* E + combining acute, composed */
    check_fold("\xce\xa3\xce\x9f\xce\xa6", "\xcf\x83\xce\xbf\xcf\x86"); /* ΣΟΦ → σοφ */
    check_fold("Stra\xc3\x9f"
               "e",
               "strasse"); /* ß folds to ss */
    check_fold("VIP", "vip");
    check_fold("", "");
    assert_null(text_casefold("\xc3\x28"));
}

static bool has_control(const char *s, const char *allowed)
{
    return text_has_control(s, strlen(s), allowed);
}

static void test_text__has_control_finds_c0_del_and_c1(void **state)
{
    assert_false(has_control("plain text \xc3\xa9", NULL));
    assert_true(has_control("a\x1b[31m", NULL));
    assert_true(has_control("bell\a", NULL));
    assert_true(has_control("del\x7f", NULL));
    assert_true(has_control("c1\xc2\x9b", NULL));    /* U+009B CSI */
    assert_false(has_control("nbsp\xc2\xa0", NULL)); /* U+00A0 is not C1 */
    assert_true(has_control("two\nlines", NULL));
    assert_false(has_control("two\nlines\tand a tab", "\n\t"));
    assert_true(text_has_control("nul\0inside", 11, "\n\t"));
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text__sanitize_neutralises_osc_title_sequence),
        cmocka_unit_test(test_text__sanitize_neutralises_clear_screen),
        cmocka_unit_test(test_text__sanitize_neutralises_cursor_motion),
        cmocka_unit_test(test_text__sanitize_replaces_c1_csi),
        cmocka_unit_test(test_text__sanitize_replaces_raw_c1_byte),
        cmocka_unit_test(test_text__sanitize_shows_c0_controls_as_pictures),
        cmocka_unit_test(test_text__sanitize_removes_bidi_override),
        cmocka_unit_test(test_text__sanitize_removes_all_bidi_controls),
        cmocka_unit_test(test_text__sanitize_replaces_invalid_utf8),
        cmocka_unit_test(test_text__sanitize_replaces_overlongs),
        cmocka_unit_test(test_text__sanitize_replaces_utf8_encoded_surrogates),
        cmocka_unit_test(test_text__sanitize_replaces_code_points_above_max),
        cmocka_unit_test(test_text__sanitize_replaces_embedded_nul),
        cmocka_unit_test(test_text__sanitize_single_line_flattens_newlines_and_tabs),
        cmocka_unit_test(test_text__sanitize_multi_line_keeps_newlines),
        cmocka_unit_test(test_text__sanitize_line_and_paragraph_separators),
        cmocka_unit_test(test_text__sanitize_keeps_ordinary_text),
        cmocka_unit_test(test_text__sanitize_null_gives_empty_string),
        cmocka_unit_test(test_text__sanitize_str_stops_at_nul),
        cmocka_unit_test(test_text__sanitize_cuts_100k_characters_with_ellipsis),
        cmocka_unit_test(test_text__sanitize_cuts_10mb_input),
        cmocka_unit_test(test_text__sanitize_cut_never_splits_a_cluster),
        cmocka_unit_test(test_text__sanitize_random_bytes_are_display_safe),
        cmocka_unit_test(test_text__valid_utf8),
        cmocka_unit_test(test_text__width_of_ascii),
        cmocka_unit_test(test_text__width_of_cjk_is_two_per_char),
        cmocka_unit_test(test_text__width_of_emoji_is_two),
        cmocka_unit_test(test_text__combining_accent_joins_its_letter),
        cmocka_unit_test(test_text__flag_is_two_cells_in_one_cluster),
        cmocka_unit_test(test_text__flags_pair_up_when_iterating),
        cmocka_unit_test(test_text__skin_tone_emoji_is_one_cluster_of_width_four),
        cmocka_unit_test(test_text__zwj_family_is_drawn_as_its_parts),
        cmocka_unit_test(test_text__vs16_heart_keeps_default_width),
        cmocka_unit_test(test_text__lone_combining_mark_gets_dotted_circle),
        cmocka_unit_test(test_text__extra_combining_marks_are_dropped),
        cmocka_unit_test(test_text__unprintable_becomes_replacement_char),
        cmocka_unit_test(test_text__zero_width_format_chars_are_dropped),
        cmocka_unit_test(test_text__cells_stop_at_newline),
        cmocka_unit_test(test_text__width_counts_newline_as_one_column),
        cmocka_unit_test(test_text__fit_bytes_stops_before_a_wide_char),
        cmocka_unit_test(test_text__fit_bytes_never_splits_a_flag),
        cmocka_unit_test(test_text__fit_bytes_never_splits_skin_tone),
        cmocka_unit_test(test_text__fit_bytes_keeps_combining_marks),
        cmocka_unit_test(test_text__truncate_adds_ellipsis),
        cmocka_unit_test(test_text__truncate_leaves_short_text_alone),
        cmocka_unit_test(test_text__truncate_without_ellipsis),
        cmocka_unit_test(test_text__truncate_never_splits_an_accent),
        cmocka_unit_test(test_text__truncate_leaves_a_gap_rather_than_half_a_wide_char),
        cmocka_unit_test(test_text__truncate_keeps_zwj_family_whole),
        cmocka_unit_test(test_text__truncate_to_zero_or_one_column),
        cmocka_unit_test(test_text__truncate_turns_newlines_into_spaces),
        cmocka_unit_test(test_text__pad_fills_with_spaces),
        cmocka_unit_test(test_text__pad_cuts_long_text),
        cmocka_unit_test(test_text__pad_fills_gap_left_by_a_wide_char),
        cmocka_unit_test(test_text__pad_with_null_or_zero_width),
        cmocka_unit_test(test_text__truncate_and_pad_respect_width_and_clusters),
        cmocka_unit_test(test_text__wrap_breaks_at_spaces),
        cmocka_unit_test(test_text__wrap_drops_spaces_at_soft_breaks),
        cmocka_unit_test(test_text__wrap_honours_newlines),
        cmocka_unit_test(test_text__wrap_empty_and_null),
        cmocka_unit_test(test_text__wrap_breaks_long_words_at_graphemes),
        cmocka_unit_test(test_text__wrap_never_splits_an_accent),
        cmocka_unit_test(test_text__wrap_never_splits_a_flag),
        cmocka_unit_test(test_text__wrap_wide_chars_fit_their_width),
        cmocka_unit_test(test_text__wrap_width_one_replaces_wide_char),
        cmocka_unit_test(test_text__wrap_width_zero_still_terminates),
        cmocka_unit_test(test_text__wrap_splits_oversize_zwj_cluster_between_cells),
        cmocka_unit_test(test_text__wrap_lines_fit_and_keep_every_character),
        cmocka_unit_test(test_text__long_flag_run_pairs_up_when_iterating),
        cmocka_unit_test(test_text__cells_end_exactly_at_cluster_boundaries),
        cmocka_unit_test(test_text__measuring_tolerates_invalid_utf8),
        cmocka_unit_test(test_text__next_grapheme_skips_whole_clusters),
        cmocka_unit_test(test_text__prev_grapheme_steps_back_whole_clusters),
        cmocka_unit_test(test_text__grapheme_steps_pair_regional_indicators),
        cmocka_unit_test(test_text__ascii_replaces_non_ascii_keeping_columns),
        cmocka_unit_test(test_text__icontains_ignores_ascii_case),
        cmocka_unit_test(test_text__casefold_folds_unicode_case),
        cmocka_unit_test(test_text__has_control_finds_c0_del_and_c1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
