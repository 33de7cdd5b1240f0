/* fmt internals shared by fmt.c, fmt_list.c and fmt_thread.c: a line
 * builder that keeps spans and display width together, a growable array of
 * lines, and the right-aligned "parts" that give way when a line is tight. */
#ifndef TWOWAY_FMT_PRIV_H
#define TWOWAY_FMT_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "twoway/buf.h"
#include "twoway/fmt.h"

/* A glyph in UTF-8 or its ASCII stand-in, as ctx says. */
#define FMT_GLYPH(ctx, u8, a7) ((ctx)->ascii ? (a7) : (u8))

/* A line being built. width is the sum of the pieces' widths; the finished
 * line is measured again as a whole, so a piece that joins the one before
 * it (a leading combining mark) cannot make the line the wrong width. */
struct fmt_lb {
    struct buf b;
    struct fmt_span *spans;
    size_t nspans, cap;
    int width;
};

void fmt_lb_init(struct fmt_lb *lb);
/* Appends s (display-safe, one line) in role; ROLE_NORMAL adds no span. */
void fmt_lb_add(struct fmt_lb *lb, const char *s, enum fmt_role role);
/* Appends n spaces (n <= 0: nothing). */
void fmt_lb_spaces(struct fmt_lb *lb, int n, enum fmt_role role);
/* Appends s cut (with an ellipsis) to what is left of cols. False if nothing
 * of s fit. */
bool fmt_lb_add_fit(struct fmt_lb *lb, const struct fmt_ctx *ctx, const char *s, enum fmt_role role,
                    int cols);
/* Hands the line to out, cut or padded to exactly cols columns (cols < 0
 * taken as 0); lb is released. */
void fmt_lb_finish(struct fmt_lb *lb, int cols, struct fmt_line *out);

/* s made ready for measuring: newlines become spaces, and in ASCII mode
 * every non-ASCII cell becomes '?'. NULL → "". Owned. */
char *fmt_text(const struct fmt_ctx *ctx, const char *s);
/* The first bytes of s that can matter in width columns: bounds the work
 * on a 64 KB body shown in one row. NULL → "". Owned. */
char *fmt_head(const char *s, int width);
/* s cut to at most width columns, the last one an ellipsis ("~" in ASCII)
 * when anything was cut. Owned. */
char *fmt_cut(const struct fmt_ctx *ctx, const char *s, int width);

/* Chatwoot's mention markup "[@Jane Doe](mention://user/7/Jane%20Doe)" (and
 * mention://team/…) shown as "@Jane Doe". Owned. */
char *fmt_mentions(const char *s);

/* A local time through strftime, sanitized (and ASCII in ASCII mode); ""
 * when the format gives nothing. Owned. */
char *fmt_strftime(const struct fmt_ctx *ctx, const char *format, int64_t t);

/* Lines being collected. */
struct fmt_vec {
    struct fmt_line *v;
    size_t n, cap;
};
/* A new zeroed line at the end of vec, to be filled. */
struct fmt_line *fmt_vec_push(struct fmt_vec *vec);
/* Appends one line of width cols: prefix in prefix_role, then s in role. */
void fmt_vec_add(struct fmt_vec *vec, int cols, const char *prefix, enum fmt_role prefix_role,
                 const char *s, enum fmt_role role);

/* A right-aligned piece of a line (each drawn with a space before it).
 * When the line is tight, parts go lowest rank first, the rightmost of
 * equal ranks first. */
struct fmt_part {
    char *text; /* owned, measured */
    int width;
    int rank;
    enum fmt_role role;
    bool kept;
};
#define FMT_PARTS_MAX 24

struct fmt_parts {
    struct fmt_part p[FMT_PARTS_MAX];
    size_t n;
};

/* Takes text (owned); ignored when empty or the parts are full. */
void fmt_parts_add(struct fmt_parts *ps, char *text, int rank, enum fmt_role role);
/* Drops parts until they fit in avail columns with at least min_left
 * columns to spare. Returns the columns the kept parts take. */
int fmt_parts_fit(struct fmt_parts *ps, int avail, int min_left);
/* Appends the kept parts, each after a space. */
void fmt_parts_emit(const struct fmt_parts *ps, struct fmt_lb *lb);
void fmt_parts_free(struct fmt_parts *ps);

/* Text left and parts right-aligned after what lb already holds, up to
 * cols: left is cut to what the parts leave (they give way so that it keeps
 * min_left columns when it can) and left out when fewer than min_show
 * columns remain, where a lone "…" would say nothing. Frees the parts. */
void fmt_lb_left_right(struct fmt_lb *lb, const struct fmt_ctx *ctx, int cols, const char *left,
                       enum fmt_role left_role, int min_left, int min_show, struct fmt_parts *ps);

#endif
