/* text — untrusted text made display-safe, and measured in terminal cells.
 *
 * Decoding and grapheme boundaries come from utf8proc; widths come from the
 * C library's wcwidth(), because that is what ncursesw uses to place
 * characters. The caller's LC_CTYPE must be UTF-8 (otherwise every non-ASCII
 * character measures as unprintable and becomes U+FFFD). */
#include "twoway/text.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "twoway/buf.h"
#include "twoway/xmalloc.h"

#define CP_REPLACEMENT 0xFFFD
#define CP_DOTTED_CIRCLE 0x25CC
#define CP_ZWJ 0x200D
#define CP_CONTROL_PICTURES 0x2400
#define CP_SYMBOL_FOR_DELETE 0x2421

#define ELLIPSIS "\xe2\x80\xa6"

/* --- decoding ----------------------------------------------------------- */

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Bytes of the maximal ill-formed subpart at s (Unicode "best practice",
 * §3.9): a lead byte and those continuation bytes that could still have
 * completed it become one U+FFFD. */
static size_t invalid_span(const unsigned char *s, size_t len)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;
    unsigned char c = s[0];

    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c == 0xE0) {
        need = 2;
        lo = 0xA0;
    } else if (c == 0xED) {
        need = 2;
        hi = 0x9F;
    } else if (c >= 0xE1 && c <= 0xEF) {
        need = 2;
    } else if (c == 0xF0) {
        need = 3;
        lo = 0x90;
    } else if (c == 0xF4) {
        need = 3;
        hi = 0x8F;
    } else if (c >= 0xF1 && c <= 0xF3) {
        need = 3;
    } else {
        return 1;
    }
    size_t n = 1;
    while (n <= need && n < len && s[n] >= lo && s[n] <= hi) {
        lo = 0x80;
        hi = 0xBF;
        n++;
    }
    return n;
}

/* Decode one character of s[0..len), len > 0. Returns the bytes it covers;
 * *cp is -1 for an ill-formed sequence (overlong, surrogate, > U+10FFFF,
 * truncated, stray continuation byte). Never reads past a byte that cannot
 * continue the sequence, so a NUL terminator is never overrun. */
static size_t decode(const unsigned char *s, size_t len, int32_t *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)(len > 4 ? 4 : len), &c);
    if (n > 0) {
        *cp = c;
        return (size_t)n;
    }
    *cp = -1;
    return invalid_span(s, len);
}

/* decode() at s + pos for a NUL-terminated s; 0 at the terminator. */
static size_t decode_z(const char *s, size_t pos, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s + pos;
    if (*u == '\0') {
        *cp = 0;
        return 0;
    }
    return decode(u, 4, cp);
}

/* The code point as the grapheme rules see it. */
static int32_t break_cp(int32_t cp)
{
    return cp < 0 ? CP_REPLACEMENT : cp;
}

static int bound_class(int32_t cp)
{
    return utf8proc_get_property(break_cp(cp))->boundclass;
}

/* Start of the character that ends at pos (pos > 0), as a forward decode of
 * the whole string would have split it; its code point in *cp. */
static size_t char_before(const char *s, size_t pos, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t b = pos - 1;
    for (int k = 0; k < 3 && b > 0 && is_cont(u[b]); k++)
        b--;
    if (!is_cont(u[b])) {
        int32_t c;
        size_t n = decode(u + b, pos - b, &c);
        if (b + n == pos) {
            *cp = c;
            return b;
        }
    }
    /* A stray continuation byte, decoded on its own. */
    *cp = -1;
    return pos - 1;
}

/* --- grapheme state ----------------------------------------------------- */

/* The rules that look back further than one character (GB9c Indic
 * conjuncts, GB11 ZWJ emoji, GB12/13 regional indicator pairs) look back only
 * through Extend, ZWJ and regional indicators. Any other character is an
 * anchor: segmentation after it does not depend on what came before it. */
static bool is_anchor(int32_t cp)
{
    int bc = bound_class(cp);
    return bc != UTF8PROC_BOUNDCLASS_EXTEND && bc != UTF8PROC_BOUNDCLASS_ZWJ &&
           bc != UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR;
}

/* How far back (in characters) to look for context. Walking back is what
 * lets text_cell_next() and the grapheme steps take any position, but a
 * hostile run of thousands of regional indicators would make every step walk
 * the whole run. Past this, only the pairing inside such a run can come out
 * differently from a walk from the start of the string. */
#define LOOKBACK_MAX 256

/* Regional indicators by their bytes (F0 9F 87 A6..BF): the one long run
 * worth a fast path when walking back. */
static bool is_ri_at(const unsigned char *u)
{
    return u[0] == 0xF0 && u[1] == 0x9F && u[2] == 0x87 && u[3] >= 0xA6 && u[3] <= 0xBF;
}

/* Where a replay must start for the grapheme state at pos to come out as a
 * walk from the start of s would have left it: the nearest anchor at or
 * before pos. */
static size_t replay_start(const char *s, size_t pos)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t q = pos;
    for (int k = 0; q > 0 && k < LOOKBACK_MAX; k++) {
        int32_t cp;
        if (q >= 4 && is_ri_at(u + q) && is_ri_at(u + q - 4)) {
            q -= 4;
            continue;
        }
        if (u[q] != '\0' && !is_cont(u[q])) {
            decode_z(s, q, &cp);
            if (is_anchor(cp))
                return q;
        }
        q = char_before(s, q, &cp);
    }
    return q;
}

/* True if q is a grapheme cluster boundary whatever came before q - 1.
 * Conservative: "false" only costs a longer walk. */
static bool certain_boundary(const char *s, size_t q)
{
    const unsigned char *u = (const unsigned char *)s;
    if (q == 0 || u[q] == '\0')
        return true;
    if (is_cont(u[q]))
        return false;
    int32_t before, at;
    char_before(s, q, &before);
    decode_z(s, q, &at);
    int bb = bound_class(before), ba = bound_class(at);

    if (bb == UTF8PROC_BOUNDCLASS_CR && ba == UTF8PROC_BOUNDCLASS_LF)
        return false;
    if (bb == UTF8PROC_BOUNDCLASS_CONTROL || bb == UTF8PROC_BOUNDCLASS_CR ||
        bb == UTF8PROC_BOUNDCLASS_LF || ba == UTF8PROC_BOUNDCLASS_CONTROL ||
        ba == UTF8PROC_BOUNDCLASS_CR || ba == UTF8PROC_BOUNDCLASS_LF)
        return true;
    if (bb == UTF8PROC_BOUNDCLASS_PREPEND)
        return false;
    switch (ba) {
    case UTF8PROC_BOUNDCLASS_OTHER:
        /* Not after Extend or ZWJ: a consonant may end an Indic conjunct. */
        return bb != UTF8PROC_BOUNDCLASS_EXTEND && bb != UTF8PROC_BOUNDCLASS_ZWJ;
    case UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC:
        return bb != UTF8PROC_BOUNDCLASS_ZWJ;
    case UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR:
        return bb != UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR;
    case UTF8PROC_BOUNDCLASS_L:
    case UTF8PROC_BOUNDCLASS_V:
    case UTF8PROC_BOUNDCLASS_T:
    case UTF8PROC_BOUNDCLASS_LV:
    case UTF8PROC_BOUNDCLASS_LVT:
        return bb != UTF8PROC_BOUNDCLASS_L && bb != UTF8PROC_BOUNDCLASS_V &&
               bb != UTF8PROC_BOUNDCLASS_T && bb != UTF8PROC_BOUNDCLASS_LV &&
               bb != UTF8PROC_BOUNDCLASS_LVT;
    default:
        return false;
    }
}

/* The nearest certain boundary at or before pos (bounded by LOOKBACK_MAX;
 * a cluster longer than that is only ever hostile). */
static size_t boundary_start(const char *s, size_t pos)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t q = pos;
    for (int k = 0; k < LOOKBACK_MAX && !certain_boundary(s, q); k++) {
        int32_t cp;
        if (q >= 4 && is_ri_at(u + q) && is_ri_at(u + q - 4))
            q -= 4;
        else
            q = char_before(s, q, &cp);
    }
    return q;
}

/* --- cells -------------------------------------------------------------- */

/* A cell iterator. Between cells it holds the grapheme state after the
 * character before pos (prev, or -1 at a fresh start), so a whole-string
 * walk costs one pass. */
struct iter {
    const char *s;
    size_t pos;
    int32_t prev;
    utf8proc_int32_t state;
    bool newline_cells; /* '\n' yields a one-column space cell */
};

static void iter_init(struct iter *it, const char *s, size_t pos, bool newline_cells)
{
    it->s = s;
    it->pos = pos;
    it->prev = -1;
    it->state = 0;
    it->newline_cells = newline_cells;
}

/* An iterator at any pos, with the state a walk from the start would have
 * had: replay from the nearest anchor. The first character's own break
 * decision is never needed (a cell's first character starts it whatever the
 * break), only the state after it. */
static void iter_prime(struct iter *it, const char *s, size_t pos, bool newline_cells)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t p = replay_start(s, pos);
    iter_init(it, s, pos, newline_cells);
    while (p < pos) {
        int32_t cp;
        if (is_ri_at(u + p) &&
            (it->prev < 0 || bound_class(it->prev) != UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR)) {
            /* p starts a run of regional indicators: whole pairs before pos
             * change nothing, so restart after them. */
            size_t k = 0;
            while (p + 4 * (k + 1) <= pos && is_ri_at(u + p + 4 * k))
                k++;
            if (k >= 2) {
                p += 8 * (k / 2);
                it->prev = -1;
                it->state = 0;
                continue;
            }
        }
        size_t n = decode_z(s, p, &cp);
        if (n == 0 || p + n > pos)
            break;
        cp = break_cp(cp);
        if (it->prev >= 0)
            utf8proc_grapheme_break_stateful(it->prev, cp, &it->state);
        it->prev = cp;
        p += n;
    }
}

enum cp_kind {
    KIND_SPACING, /* starts a cell */
    KIND_MARK,    /* zero width, joins the cell before it */
    KIND_DROP,    /* zero width, not drawn at all */
};

/* How a code point is drawn: the wide character and its width. */
static enum cp_kind classify(int32_t cp, wchar_t *wc, int *width)
{
    *wc = (wchar_t)cp;
    *width = 0;
    /* Terminals disagree on whether ZWJ joins and whether VS16 widens, so
     * neither is passed on: the parts and the default width are drawn. */
    if (cp == CP_ZWJ || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF))
        return KIND_DROP;
    int w = cp < 0 ? -1 : wcwidth((wchar_t)cp);
    if (w < 0) {
        *wc = CP_REPLACEMENT;
        *width = 1;
        return KIND_SPACING;
    }
    if (w == 0) {
        /* Zero-width format characters (ZWSP, BOM, word joiner, tags...)
         * would be attached to the previous cell by ncurses; drop them. */
        if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CF)
            return KIND_DROP;
        return KIND_MARK;
    }
    *width = w > 2 ? 2 : w;
    return KIND_SPACING;
}

/* The next cell: a spacing character with the marks and dropped characters
 * that follow it. Returns false at the end, or at a '\n' unless
 * newline_cells; it->pos is then on the '\n' (or the terminator). */
static bool iter_next(struct iter *it, struct text_cell *cell)
{
    const char *s = it->s;
    size_t p = it->pos;
    int nwc = 0;
    bool have_base = false;

    memset(cell, 0, sizeof *cell);
    cell->offset = p;
    cell->cluster_end = true;
    for (;;) {
        int32_t cp;
        size_t n = decode_z(s, p, &cp);
        if (n == 0)
            break;
        if (cp == '\n' && (have_base || !it->newline_cells))
            break;
        int32_t bcp = break_cp(cp);
        utf8proc_int32_t state = it->state;
        bool brk = it->prev < 0 || utf8proc_grapheme_break_stateful(it->prev, bcp, &state);

        if (cp == '\n') {
            cell->wc[nwc++] = L' ';
            cell->width = 1;
            have_base = true;
        } else {
            wchar_t wc;
            int w;
            enum cp_kind kind = classify(cp, &wc, &w);
            if (kind == KIND_SPACING) {
                if (have_base) {
                    cell->cluster_end = brk;
                    break;
                }
                cell->wc[nwc++] = wc;
                cell->width = w;
                have_base = true;
            } else if (kind == KIND_MARK) {
                if (have_base && brk)
                    break; /* a mark after a control: its own cluster */
                if (!have_base) {
                    cell->wc[nwc++] = CP_DOTTED_CIRCLE;
                    cell->width = 1;
                    have_base = true;
                }
                if (nwc < TEXT_CELL_MAX)
                    cell->wc[nwc++] = wc;
            }
        }
        it->state = state;
        it->prev = bcp;
        p += n;
        if (cp == '\n')
            break;
    }
    cell->wc[nwc] = L'\0';
    cell->len = p - cell->offset;
    it->pos = p;
    return have_base;
}

bool text_cell_next(const char *s, size_t *pos, struct text_cell *cell)
{
    struct iter it;
    if (!s || !pos || !cell)
        return false;
    iter_prime(&it, s, *pos, false);
    bool ok = iter_next(&it, cell);
    *pos = it.pos;
    return ok;
}

/* --- sanitizing --------------------------------------------------------- */

static char *buf_finish(struct buf *b)
{
    char *s = buf_detach(b);
    buf_free(b);
    return s;
}

static void buf_add_cp(struct buf *b, int32_t cp)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
    buf_add(b, tmp, (size_t)n);
}

static bool is_bidi_control(int32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

char *text_sanitize(const char *s, size_t len, unsigned flags)
{
    struct buf b;
    buf_init(&b);
    if (!s)
        return buf_finish(&b);

    const unsigned char *u = (const unsigned char *)s;
    char newline = (flags & TEXT_MULTI_LINE) ? '\n' : ' ';
    size_t i = 0;
    buf_reserve(&b, len < TEXT_MAX_INPUT ? len : TEXT_MAX_INPUT);
    while (i < len) {
        int32_t cp;
        size_t n = decode(u + i, len - i, &cp);
        if (i + n > TEXT_MAX_INPUT)
            break;
        if (cp == '\r' && i + 2 <= len && i + 2 <= TEXT_MAX_INPUT && u[i + 1] == '\n')
            n = 2;
        const unsigned char *src = u + i;
        i += n;

        if (cp <= 0 || (cp >= 0x80 && cp <= 0x9F))
            buf_add_cp(&b, CP_REPLACEMENT);
        else if (cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029)
            buf_addc(&b, newline);
        else if (cp == '\t')
            buf_addc(&b, ' ');
        else if (cp < 0x20)
            buf_add_cp(&b, CP_CONTROL_PICTURES + cp);
        else if (cp == 0x7F)
            buf_add_cp(&b, CP_SYMBOL_FOR_DELETE);
        else if (!is_bidi_control(cp))
            buf_add(&b, src, n);
    }
    if (i < len) {
        /* The limit may have fallen inside a cluster (between the two
         * halves of a flag, say): drop the last cluster whole. */
        b.len = text_prev_grapheme(b.data, b.len);
        b.data[b.len] = '\0';
        buf_adds(&b, ELLIPSIS);
    }
    return buf_finish(&b);
}

char *text_sanitize_str(const char *s, unsigned flags)
{
    if (!s)
        return xstrdup("");
    /* Past the limit only the fact that there is more matters; the slack
     * lets the last character before the limit decode whole. */
    return text_sanitize(s, strnlen(s, TEXT_MAX_INPUT + 4), flags);
}

bool text_valid_utf8(const char *s, size_t len)
{
    if (!s)
        return false;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && u[i] != '\0') {
        int32_t cp;
        i += decode(u + i, len - i, &cp);
        if (cp < 0)
            return false;
    }
    return true;
}

/* --- measuring and cutting ---------------------------------------------- */

int text_width(const char *s)
{
    struct iter it;
    struct text_cell c;
    long total = 0;
    if (!s)
        return 0;
    iter_init(&it, s, 0, true);
    while (iter_next(&it, &c) && total < INT_MAX)
        total += c.width;
    return total > INT_MAX ? INT_MAX : (int)total;
}

size_t text_fit_bytes(const char *s, int width, int *used)
{
    struct iter it;
    struct text_cell c;
    size_t fit = 0;
    int col = 0, fit_col = 0;

    if (s && width > 0) {
        iter_init(&it, s, 0, true);
        for (;;) {
            if (!iter_next(&it, &c)) {
                /* Everything fits, with any trailing zero-width bytes. */
                fit = it.pos;
                fit_col = col;
                break;
            }
            if (c.width > width - col)
                break;
            col += c.width;
            if (c.cluster_end) {
                fit = it.pos;
                fit_col = col;
            }
        }
    }
    if (used)
        *used = fit_col;
    return fit;
}

/* s with each '\n' made a space, measured as it will be drawn (a mark after
 * a newline joins the space). Owned. */
static char *flatten(const char *s)
{
    char *f = xstrdup(s);
    for (char *p = f; (p = strchr(p, '\n')) != NULL; p++)
        *p = ' ';
    return f;
}

char *text_truncate(const char *s, int width, bool ellipsis)
{
    struct buf b;
    int used;
    buf_init(&b);
    if (!s || width <= 0)
        return buf_finish(&b);
    char *f = flatten(s);
    size_t n = text_fit_bytes(f, width, &used);
    if (f[n] != '\0' && ellipsis) {
        buf_add(&b, f, text_fit_bytes(f, width - 1, &used));
        buf_adds(&b, ELLIPSIS);
    } else {
        buf_add(&b, f, n);
    }
    free(f);
    return buf_finish(&b);
}

char *text_pad(const char *s, int width)
{
    struct buf b;
    int used;
    buf_init(&b);
    if (width <= 0)
        return buf_finish(&b);
    char *f = flatten(s ? s : "");
    size_t n = text_fit_bytes(f, width, &used);
    buf_add(&b, f, n);
    free(f);
    for (int i = used; i < width; i++)
        buf_addc(&b, ' ');
    return buf_finish(&b);
}

/* --- wrapping ----------------------------------------------------------- */

struct lines {
    char **v;
    size_t n, cap;
};

static void lines_add(struct lines *l, char *line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = line;
}

/* A plain space: a place to break. A space carrying a mark or an invisible
 * character is content, and is never dropped at a break. */
static bool is_space_cell(const struct text_cell *c)
{
    return c->len == 1 && c->wc[0] == L' ' && c->cluster_end;
}

/* Greedy wrap of the paragraph at start (up to '\n' or the end) into l.
 * Returns where the paragraph ends. Every pass of the loop either consumes
 * a cell or restarts from a snapshot strictly after the line start, so it
 * terminates for any width >= 1. */
static size_t wrap_paragraph(const char *s, size_t start, int width, struct lines *l)
{
    struct iter it, before, brk_it, cl_it;
    struct text_cell c;
    size_t line = start, brk_end = start;
    size_t emitted = 0;
    int col = 0;
    bool soft = false; /* line follows a break at spaces */
    bool have_brk = false, have_cl = false, prev_space = false;

    iter_init(&it, s, start, false);
    brk_it = cl_it = it;
    for (;;) {
        before = it;
        if (!iter_next(&it, &c))
            break;
        if (is_space_cell(&c)) {
            if (col == 0 && soft) {
                line = it.pos; /* no leading spaces after a soft break */
                continue;
            }
            if (col >= width) {
                size_t end = prev_space && brk_end > line ? brk_end : c.offset;
                lines_add(l, xstrndup(s + line, end - line));
                emitted++;
                line = it.pos;
                col = 0;
                soft = true;
                have_brk = have_cl = prev_space = false;
                continue;
            }
            if (!prev_space)
                brk_end = c.offset;
            prev_space = true;
            col++;
            if (brk_end > line) {
                have_brk = true;
                brk_it = it;
            }
            have_cl = true;
            cl_it = it;
            continue;
        }
        prev_space = false;
        if (c.width > width - col) {
            if (have_brk) {
                lines_add(l, xstrndup(s + line, brk_end - line));
                it = brk_it;
                soft = true;
            } else if (have_cl) {
                lines_add(l, xstrndup(s + line, cl_it.pos - line));
                it = cl_it;
                soft = false;
            } else if (col > 0) {
                /* One cluster wider than the whole line (a long ZWJ
                 * sequence): the only way to show it is cell by cell. */
                lines_add(l, xstrndup(s + line, c.offset - line));
                it = before;
                soft = false;
            } else {
                /* A double-width cell in a one-column line. */
                lines_add(l, xstrdup("?"));
                soft = false;
            }
            emitted++;
            line = it.pos;
            col = 0;
            have_brk = have_cl = false;
            continue;
        }
        col += c.width;
        if (c.cluster_end) {
            have_cl = true;
            cl_it = it;
        }
    }
    if (it.pos > line || emitted == 0)
        lines_add(l, xstrndup(s + line, it.pos - line));
    return it.pos;
}

size_t text_wrap(const char *s, int width, char ***lines)
{
    struct lines l = {0};
    *lines = NULL;
    if (!s)
        return 0;
    if (width < 1)
        width = 1;
    size_t pos = 0;
    for (;;) {
        pos = wrap_paragraph(s, pos, width, &l);
        if (s[pos] != '\n')
            break;
        pos++;
    }
    *lines = l.v;
    return l.n;
}

void text_lines_free(char **lines, size_t n)
{
    if (!lines)
        return;
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* --- grapheme navigation ------------------------------------------------ */

size_t text_next_grapheme(const char *s, size_t pos)
{
    struct iter it;
    int32_t cp;
    if (!s)
        return 0;
    size_t n = decode_z(s, pos, &cp);
    if (n == 0)
        return pos;
    iter_prime(&it, s, pos, false);
    int32_t prev = break_cp(cp);
    if (it.prev >= 0)
        utf8proc_grapheme_break_stateful(it.prev, prev, &it.state);
    size_t p = pos + n;
    for (;;) {
        n = decode_z(s, p, &cp);
        if (n == 0)
            return p;
        cp = break_cp(cp);
        if (utf8proc_grapheme_break_stateful(prev, cp, &it.state))
            return p;
        prev = cp;
        p += n;
    }
}

size_t text_prev_grapheme(const char *s, size_t pos)
{
    int32_t cp, prev = -1;
    utf8proc_int32_t state = 0;
    if (!s || pos == 0)
        return 0;
    size_t p = boundary_start(s, char_before(s, pos, &cp));
    size_t last = p;
    while (p < pos) {
        size_t n = decode_z(s, p, &cp);
        if (n == 0)
            break;
        cp = break_cp(cp);
        if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state))
            last = p;
        prev = cp;
        p += n;
    }
    return last;
}

/* --- other -------------------------------------------------------------- */

char *text_ascii(const char *s)
{
    struct buf b;
    struct iter it;
    struct text_cell c;
    buf_init(&b);
    if (!s)
        return buf_finish(&b);
    iter_init(&it, s, 0, false);
    for (;;) {
        while (iter_next(&it, &c)) {
            /* Keep an ASCII base and drop its marks: "e\u0301" reads as e. */
            if (c.wc[0] >= 0x20 && c.wc[0] < 0x7F)
                buf_addc(&b, (char)c.wc[0]);
            else
                for (int i = 0; i < c.width; i++)
                    buf_addc(&b, '?');
        }
        if (s[it.pos] != '\n')
            break;
        buf_addc(&b, '\n');
        iter_init(&it, s, it.pos + 1, false);
    }
    return buf_finish(&b);
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool text_icontains(const char *haystack, const char *needle)
{
    if (!haystack || !needle)
        return false;
    const unsigned char *h = (const unsigned char *)haystack;
    const unsigned char *n = (const unsigned char *)needle;
    for (;; h++) {
        size_t i = 0;
        while (n[i] && ascii_lower(h[i]) == ascii_lower(n[i]))
            i++;
        if (!n[i])
            return true;
        if (!*h)
            return false;
    }
}

char *text_casefold(const char *s)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (n < 0)
        return NULL;
    /* utf8proc allocates with malloc; hand out memory of our own family. */
    char *folded = xstrdup((const char *)out);
    free(out);
    return folded;
}

bool text_has_control(const char *s, size_t len, const char *allowed)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 || c == 0x7f) && !(c && allowed && strchr(allowed, c)))
            return true;
        /* U+0080..U+009F are C2 80..C2 9F */
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0)
            return true;
    }
    return false;
}

static bool word_char(utf8proc_int32_t c)
{
    if (c == '_')
        return true;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: /* an accent belongs to its letter's word */
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

char *text_capitalize_words(const char *s)
{
    if (!s)
        return xstrdup("");
    struct buf b;
    buf_init(&b);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    bool in_word = false;
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        if (n <= 0) { /* not UTF-8: leave it all alone */
            buf_free(&b);
            return xstrdup(s);
        }
        bool w = word_char(c);
        if (w && !in_word)
            c = utf8proc_toupper(c);
        in_word = w;
        utf8proc_uint8_t enc[4];
        buf_add(&b, (const char *)enc, (size_t)utf8proc_encode_char(c, enc));
        p += n;
    }
    return buf_detach(&b);
}

bool text_blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

void text_size(int64_t bytes, char *out, size_t outsz)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    const int last = (int)(sizeof units / sizeof units[0]) - 1;
    if (bytes < 1024) {
        snprintf(out, outsz, "%lld B", (long long)(bytes < 0 ? 0 : bytes));
        return;
    }
    double v = (double)bytes;
    int u = 0;
    while (u < last && v >= 1024) {
        v /= 1024;
        u++;
    }
    /* "1023.7 KB" would round up to "1024 KB": say "1.0 MB" instead. */
    if (v >= 1023.5 && u < last) {
        v /= 1024;
        u++;
    }
    if (v < 9.95)
        snprintf(out, outsz, "%.1f %s", v, units[u]);
    else
        snprintf(out, outsz, "%.0f %s", v, units[u]);
}
