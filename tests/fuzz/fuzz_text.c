/* fuzz_text — the sanitizer, then measuring and cutting its output.
 *
 * The input is untrusted bytes (a message body off the network). Both
 * sanitizer modes run on it; then every measuring and cutting function
 * runs on the result, which is what the model holds. Properties:
 * - the output is display-safe (fuzz_display_safe), bounded in size, and
 *   sanitizing it again changes nothing;
 * - the cells text_cell_next() yields tile the text, each one or two
 *   columns wide, and their widths add up to text_width();
 * - text_truncate() and text_pad() fit their width (pad exactly), cut only
 *   at the end, and keep a text that fits whole;
 * - no text_wrap() line is wider than the width or holds a newline, and
 *   wrapping loses nothing but spaces;
 * - grapheme steps move, stay on character starts, and forward and
 *   backward walks agree on short texts;
 * - text_ascii() is ASCII and keeps the column count. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "twoway/text.h"

static const int widths[] = {1, 2, 3, 5, 13, 40, 80};
#define NWIDTHS (sizeof widths / sizeof widths[0])

static bool is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static void check_sanitized(size_t size, const char *s, unsigned flags)
{
    bool multi = flags & TEXT_MULTI_LINE;
    fuzz_check_text(multi ? "multi-line text" : "single-line text", s, multi);
    size_t in = size < TEXT_MAX_INPUT ? size : TEXT_MAX_INPUT;
    /* One byte becomes at most three (U+FFFD, a control picture), plus "…". */
    FUZZ_CHECK(strlen(s) <= 3 * in + 3, "%zu bytes out of %zu", strlen(s), size);
    if (strlen(s) <= TEXT_MAX_INPUT) {
        char *again = text_sanitize(s, strlen(s), flags);
        FUZZ_CHECK(strcmp(again, s) == 0, "sanitizing twice changed the text");
        free(again);
    }
}

/* Walks the cells; returns the total width (a '\n' counts one column). */
static long check_cells(const char *s)
{
    size_t len = strlen(s), pos = 0;
    long total = 0;
    while (pos < len) {
        struct text_cell c;
        size_t before = pos;
        if (!text_cell_next(s, &pos, &c)) {
            FUZZ_CHECK(s[pos] == '\n' || s[pos] == '\0', "cells stopped inside the text at %zu",
                       pos);
            if (s[pos] == '\n') {
                total++;
                pos++;
                continue;
            }
            /* Only zero-width characters that are dropped may end a text. */
            break;
        }
        FUZZ_CHECK(c.offset == before, "cell at %zu claims offset %zu", before, c.offset);
        FUZZ_CHECK(c.len > 0 && pos == before + c.len, "cell at %zu: len %zu, pos now %zu", before,
                   c.len, pos);
        FUZZ_CHECK(c.width == 1 || c.width == 2, "cell at %zu has width %d", before, c.width);
        FUZZ_CHECK(c.wc[0] != 0, "cell at %zu draws nothing", before);
        size_t nwc = 0;
        while (nwc <= TEXT_CELL_MAX && c.wc[nwc])
            nwc++;
        FUZZ_CHECK(nwc <= TEXT_CELL_MAX, "cell at %zu is not terminated", before);
        total += c.width;
    }
    return total;
}

static char *flatten(const char *s)
{
    char *f = strdup(s);
    for (char *p = f; (p = strchr(p, '\n')) != NULL; p++)
        *p = ' ';
    return f;
}

/* Is k a grapheme cluster boundary of s? Only asked of short texts, where
 * the walk's look-back limit cannot matter. */
static bool at_boundary(const char *s, size_t k)
{
    size_t p = 0;
    while (p < k && s[p])
        p = text_next_grapheme(s, p);
    return p == k;
}

static void check_truncate_pad(const char *s)
{
    char *f = flatten(s);
    int fw = text_width(f);
    bool short_text = strlen(f) < 256;
    for (size_t i = 0; i < NWIDTHS; i++) {
        int w = widths[i];
        for (int ell = 0; ell < 2; ell++) {
            char *t = text_truncate(s, w, ell);
            fuzz_check_text("truncated", t, false);
            int tw = text_width(t);
            FUZZ_CHECK(tw <= w, "truncated to %d columns for %d", tw, w);
            size_t kept = strlen(t);
            if (fw <= w) {
                FUZZ_CHECK(strcmp(t, f) == 0, "a text of %d columns was cut at %d", fw, w);
            } else {
                if (ell) {
                    FUZZ_CHECK(kept >= 3 && strcmp(t + kept - 3, "\xe2\x80\xa6") == 0,
                               "cut without an ellipsis");
                    kept -= 3;
                }
                FUZZ_CHECK(strncmp(t, f, kept) == 0, "truncated text is not a prefix");
                FUZZ_CHECK(!short_text || at_boundary(f, kept),
                           "cut at %zu, inside a grapheme cluster", kept);
            }
            free(t);
        }
        char *p = text_pad(s, w);
        FUZZ_CHECK(text_width(p) == w, "padded to %d columns for %d", text_width(p), w);
        free(p);
    }
    free(f);
}

/* s without spaces and newlines. */
static char *squeeze(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (; *s; s++)
        if (*s != ' ' && *s != '\n')
            *o++ = *s;
    *o = '\0';
    return out;
}

static void check_wrap(const char *s)
{
    size_t newlines = 0;
    for (const char *p = s; *p; p++)
        newlines += *p == '\n';
    char *want = squeeze(s);
    for (size_t i = 0; i < NWIDTHS; i++) {
        int w = widths[i];
        char **lines;
        size_t n = text_wrap(s, w, &lines);
        FUZZ_CHECK(n >= newlines + 1, "%zu lines for %zu newlines", n, newlines);
        size_t total = 0;
        for (size_t k = 0; k < n; k++) {
            FUZZ_CHECK(strchr(lines[k], '\n') == NULL, "line %zu holds a newline", k);
            int lw = text_width(lines[k]);
            FUZZ_CHECK(lw <= w, "line %zu is %d columns wide for %d", k, lw, w);
            fuzz_check_text("wrapped line", lines[k], false);
            total += strlen(lines[k]);
        }
        /* Only spaces are dropped at breaks; in a one-column line a
         * double-width cell becomes "?". */
        if (w >= 2) {
            char *joined = malloc(total + 1), *j = joined;
            for (size_t k = 0; k < n; k++) {
                size_t l = strlen(lines[k]);
                memcpy(j, lines[k], l);
                j += l;
            }
            *j = '\0';
            char *got = squeeze(joined);
            FUZZ_CHECK(strcmp(got, want) == 0, "wrapping at %d lost or added text", w);
            free(got);
            free(joined);
        }
        text_lines_free(lines, n);
    }
    free(want);
}

static void check_graphemes(const char *s)
{
    size_t len = strlen(s);
    size_t *fwd = malloc((len + 1) * sizeof *fwd);
    size_t nf = 0;
    for (size_t p = 0; p < len;) {
        size_t q = text_next_grapheme(s, p);
        FUZZ_CHECK(q > p && q <= len, "next grapheme from %zu is %zu", p, q);
        FUZZ_CHECK(q == len || !is_cont(s[q]), "boundary %zu inside a character", q);
        fwd[nf++] = p;
        p = q;
    }
    /* Backward; compared with the forward walk where no look-back limit
     * (hundreds of characters) can come into play. */
    size_t k = nf;
    for (size_t p = len; p > 0;) {
        size_t q = text_prev_grapheme(s, p);
        FUZZ_CHECK(q < p, "previous grapheme from %zu is %zu", p, q);
        FUZZ_CHECK(!is_cont(s[q]), "boundary %zu inside a character", q);
        if (len < 256) {
            FUZZ_CHECK(k > 0 && fwd[k - 1] == q, "backward boundary %zu, forward %zu", q,
                       k > 0 ? fwd[k - 1] : (size_t)-1);
            k--;
        }
        p = q;
    }
    free(fwd);
}

static void check_ascii(const char *s, int width)
{
    char *a = text_ascii(s);
    for (const char *p = a; *p; p++)
        FUZZ_CHECK((*p >= 0x20 && *p < 0x7F) || *p == '\n', "text_ascii gave byte %02x",
                   (unsigned char)*p);
    FUZZ_CHECK(text_width(a) == width, "text_ascii: %d columns, was %d", text_width(a), width);
    free(a);
}

static void check_one(const uint8_t *data, size_t size, unsigned flags)
{
    char *sanitized = text_sanitize((const char *)data, size, flags);
    check_sanitized(size, sanitized, flags);
    /* An exact-size copy: buf leaves slack after the NUL, where a read past
     * the terminator would go unnoticed. */
    char *s = strdup(sanitized);
    free(sanitized);
    int width = text_width(s);
    FUZZ_CHECK(check_cells(s) == width, "cells add up to %ld, text_width says %d", check_cells(s),
               width);
    check_truncate_pad(s);
    check_wrap(s);
    check_graphemes(s);
    check_ascii(s, width);
    FUZZ_CHECK(text_icontains(s, s) && text_icontains(s, ""), "text_icontains(s, s)");
    free(s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setlocale(LC_CTYPE, "C.UTF-8");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_one(data, size, TEXT_SINGLE_LINE);
    check_one(data, size, TEXT_MULTI_LINE);
    /* The raw bytes as a C string: must be measured safely, not trusted. */
    char *raw = fuzz_cstr(data, size);
    FUZZ_CHECK(text_valid_utf8(raw, size) == fuzz_utf8_ok(raw, strlen(raw)),
               "text_valid_utf8 disagrees with a strict decoder");
    (void)text_width(raw);
    free(raw);
    return 0;
}
