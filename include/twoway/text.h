/* text — untrusted text made display-safe, and measured in terminal cells.
 *
 * Everything that arrives from the network, a cache file or a notification
 * path goes through text_sanitize() once, where it enters the model. The
 * result is valid UTF-8 with no terminal controls in it, so nothing later
 * can move the cursor, set colours or a title, or reorder a line.
 *
 * Measuring and cutting work on "cells": a grapheme cluster (utf8proc) is
 * never split, and its width is what ncursesw (glibc wcwidth) will draw.
 * Sequences terminals disagree on are flattened on purpose so the screen
 * cannot drift: a zero-width joiner is dropped, so an emoji ZWJ sequence is
 * drawn as its parts side by side, and variation selectors are dropped, so a
 * character keeps its default width. text_cell_next() yields exactly what a
 * renderer should draw. All functions take NUL-terminated UTF-8. */
#ifndef TWOWAY_TEXT_H
#define TWOWAY_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

enum text_flags {
    TEXT_SINGLE_LINE = 0,     /* newlines and tabs become spaces */
    TEXT_MULTI_LINE = 1 << 0, /* keep \n (CR LF and lone CR become \n); tabs become spaces */
};

/* Longest input text_sanitize() keeps, in bytes; the rest is cut (at a
 * character boundary) and "…" appended. Protects the UI from 10 MB bodies. */
#define TEXT_MAX_INPUT (64 * 1024)

/* Untrusted bytes (len bytes, may contain NULs) → display-safe UTF-8, owned.
 * - invalid UTF-8, overlongs, surrogates, NUL → U+FFFD
 * - C0 controls and DEL → their Control Pictures (U+2400+c, U+2421), ESC → ␛
 * - C1 controls (U+0080..U+009F) → U+FFFD
 * - bidi embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069)
 *   and U+200E, U+200F, U+061C are removed
 * - U+2028/U+2029 → \n (multi-line) or space
 * NULL in → "" out. */
char *text_sanitize(const char *s, size_t len, unsigned flags);

/* Same as text_sanitize(s, strlen(s), flags). NULL → "". */
char *text_sanitize_str(const char *s, unsigned flags);

/* True if the first len bytes of s (or fewer, up to a NUL) are valid UTF-8:
 * no overlongs, surrogates or code points above U+10FFFF. NULL → false. */
bool text_valid_utf8(const char *s, size_t len);

/* One drawable cell group: a spacing character plus the combining marks that
 * belong to it, as wide characters (NUL-terminated), and its width (1 or 2).
 * Width 0 never comes out: lone combining marks are given a base (U+25CC)
 * and unprintable characters become U+FFFD. */
#define TEXT_CELL_MAX 6
struct text_cell {
    wchar_t wc[TEXT_CELL_MAX + 1];
    int width;
    size_t offset;    /* byte offset in the source where this cell starts */
    size_t len;       /* bytes of the source this cell covers (incl. dropped ZWJ/VS) */
    bool cluster_end; /* true if a grapheme cluster boundary follows this cell */
};

/* Iterate cells: start with *pos = 0; returns false at the end (or at '\n',
 * which the caller handles; *pos is then left on the '\n'). A cell is a
 * spacing character plus the zero-width characters after it; ZWJ, variation
 * selectors and zero-width format characters (ZWSP, BOM, ...) are dropped
 * but counted in len. An over-long combining sequence keeps TEXT_CELL_MAX
 * wide characters. Any *pos on a character boundary may be given: the
 * grapheme context is rebuilt by looking back a bounded distance, so a walk
 * over s costs one pass (pairing inside a hostile run of hundreds of
 * regional indicators may then differ from a walk from the start). */
bool text_cell_next(const char *s, size_t *pos, struct text_cell *cell);

/* Display width of s, the sum of its cells' widths. A '\n' counts as one
 * column, as text_truncate() and text_pad() draw it as a space. NULL → 0. */
int text_width(const char *s);

/* Bytes of s that fit in width columns without splitting a grapheme
 * cluster; *used gets the columns those bytes take. */
size_t text_fit_bytes(const char *s, int width, int *used);

/* s cut to at most width columns at a grapheme boundary; if cut and
 * ellipsis, the last column is "…". Newlines become spaces. Owned. */
char *text_truncate(const char *s, int width, bool ellipsis);

/* s cut or padded with spaces to exactly width columns. Owned. */
char *text_pad(const char *s, int width);

/* Word-wrap s into lines of at most width columns (breaking at spaces when
 * possible, otherwise at grapheme boundaries; honouring \n). Returns the
 * number of lines; *lines is an owned array of owned strings. Every '\n'
 * starts a line, so "" gives one empty line and NULL gives none (*lines
 * NULL). Spaces at a soft break are dropped. Last resorts, so that no line
 * is ever wider than width: a single grapheme cluster wider than the line
 * is broken between its cells, and a double-width cell in a one-column line
 * becomes "?". width < 1 is taken as 1. */
size_t text_wrap(const char *s, int width, char ***lines);
void text_lines_free(char **lines, size_t n);

/* Grapheme cluster boundaries: byte offset of the cluster after pos (pos
 * itself at the end of s). */
size_t text_next_grapheme(const char *s, size_t pos);
/* Byte offset of the cluster start before pos (0 if none). */
size_t text_prev_grapheme(const char *s, size_t pos);

/* For a non-UTF-8 terminal: every non-ASCII character becomes '?', wide
 * ones "??"; keeps column counts (an ASCII letter keeps its place and loses
 * its combining marks). '\n' is kept. Owned. */
char *text_ascii(const char *s);

/* Case-insensitive (ASCII) substring test, for local filters. */
bool text_icontains(const char *haystack, const char *needle);

/* s (valid UTF-8) with Unicode case folding and in NFC, so that two
 * spellings differing only in case (and in composition) become the same:
 * "ÉLITE" and "Élite" both give "élite". Owned; NULL if s is not valid
 * UTF-8. */
char *text_casefold(const char *s);

/* Each word of s with its first letter in capitals, the rest as it is
 * ("o'brien mary-jane" → "O'Brien Mary-Jane"), as Chatwoot's dashboard
 * fills a name into a template: a word is a run of letters, digits and
 * '_', and these are Unicode's ("élise" → "Élise"). Owned; invalid UTF-8
 * comes back unchanged. */
char *text_capitalize_words(const char *s);

/* Does s[0..len) hold a control character: C0 (below U+0020), DEL or C1
 * (U+0080..U+009F)? Characters in `allowed` (ASCII, e.g. "\n\t") are
 * not counted. s is valid UTF-8. */
bool text_has_control(const char *s, size_t len, const char *allowed);

/* A size for people: "230 KB", "1.2 MB", "512 B". out >= 16. */
void text_size(int64_t bytes, char *out, size_t outsz);

/* Is s NULL, empty, or only spaces, tabs and line breaks? */
bool text_blank(const char *s);

#endif
