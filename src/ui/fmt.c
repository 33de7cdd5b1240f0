/* fmt — the line builder and helpers every formatter shares, and the small
 * one-line formatters: filter tabs, status line, contact header, sizes.
 * The list rows are in fmt_list.c, the thread in fmt_thread.c. */
#include "twoway/fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt_priv.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* --- lines -------------------------------------------------------------- */

void fmt_line_free(struct fmt_line *l)
{
    if (!l)
        return;
    free(l->text);
    free(l->spans);
    free(l->link);
    memset(l, 0, sizeof *l);
}

void fmt_lines_free(struct fmt_line *lines, size_t n)
{
    if (!lines)
        return;
    for (size_t i = 0; i < n; i++)
        fmt_line_free(&lines[i]);
    free(lines);
}

static void span_push(struct fmt_span **spans, size_t *n, size_t *cap, size_t start, size_t end,
                      enum fmt_role role)
{
    if (start >= end)
        return;
    if (*n > 0 && (*spans)[*n - 1].end == start && (*spans)[*n - 1].role == role) {
        (*spans)[*n - 1].end = end;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *spans = xreallocarray(*spans, *cap, sizeof **spans);
    }
    (*spans)[(*n)++] = (struct fmt_span){start, end, role};
}

/* Gives the text no span covers the role base, so a bar (tabs, status line)
 * is one colour from edge to edge. */
static void line_fill_gaps(struct fmt_line *l, enum fmt_role base)
{
    struct fmt_span *spans = NULL;
    size_t n = 0, cap = 0, at = 0, len = strlen(l->text);
    for (size_t i = 0; i < l->nspans; i++) {
        span_push(&spans, &n, &cap, at, l->spans[i].start, base);
        span_push(&spans, &n, &cap, l->spans[i].start, l->spans[i].end, l->spans[i].role);
        at = l->spans[i].end;
    }
    span_push(&spans, &n, &cap, at, len, base);
    free(l->spans);
    l->spans = spans;
    l->nspans = n;
}

/* --- the line builder --------------------------------------------------- */

void fmt_lb_init(struct fmt_lb *lb)
{
    memset(lb, 0, sizeof *lb);
    buf_init(&lb->b);
}

#define DOTTED_CIRCLE "\xe2\x97\x8c"

/* A piece that starts with a combining mark would join the last cell of
 * the piece before it in the line, but be drawn on a base of its own by a
 * renderer that draws span by span. Giving it that base here (the one
 * text_cell_next() would give it) makes both agree: pieces then measure the
 * same alone and together. */
static bool starts_with_lone_mark(const char *s)
{
    struct text_cell c;
    size_t pos = 0;
    return text_cell_next(s, &pos, &c) && c.wc[0] == 0x25CC &&
           strncmp(s, DOTTED_CIRCLE, strlen(DOTTED_CIRCLE)) != 0;
}

void fmt_lb_add(struct fmt_lb *lb, const char *s, enum fmt_role role)
{
    size_t start = lb->b.len;
    if (!s || !*s)
        return;
    if (starts_with_lone_mark(s))
        buf_adds(&lb->b, DOTTED_CIRCLE);
    buf_adds(&lb->b, s);
    lb->width += text_width(s);
    if (role != ROLE_NORMAL)
        span_push(&lb->spans, &lb->nspans, &lb->cap, start, lb->b.len, role);
}

void fmt_lb_spaces(struct fmt_lb *lb, int n, enum fmt_role role)
{
    size_t start = lb->b.len;
    if (n <= 0)
        return;
    for (int i = 0; i < n; i++)
        buf_addc(&lb->b, ' ');
    lb->width += n;
    if (role != ROLE_NORMAL)
        span_push(&lb->spans, &lb->nspans, &lb->cap, start, lb->b.len, role);
}

bool fmt_lb_add_fit(struct fmt_lb *lb, const struct fmt_ctx *ctx, const char *s, enum fmt_role role,
                    int cols)
{
    char *cut = fmt_cut(ctx, s, cols - lb->width);
    bool any = *cut != '\0';
    fmt_lb_add(lb, cut, role);
    free(cut);
    return any;
}

void fmt_lb_finish(struct fmt_lb *lb, int cols, struct fmt_line *out)
{
    if (cols < 0)
        cols = 0;
    int w = text_width(lb->b.data);
    if (w > cols) {
        size_t cut = text_fit_bytes(lb->b.data, cols, &w);
        lb->b.len = cut;
        lb->b.data[cut] = '\0';
        size_t n = 0;
        for (size_t i = 0; i < lb->nspans && lb->spans[i].start < cut; i++, n++)
            if (lb->spans[i].end > cut)
                lb->spans[i].end = cut;
        lb->nspans = n;
    }
    /* A space always starts a cell of its own, so padding adds exactly
     * its own width. */
    for (; w < cols; w++)
        buf_addc(&lb->b, ' ');
    out->text = buf_detach(&lb->b);
    buf_free(&lb->b);
    out->spans = lb->spans;
    out->nspans = lb->nspans;
    out->width = w;
    out->link = NULL;
    out->link_start = out->link_end = 0;
    lb->spans = NULL;
    lb->nspans = lb->cap = 0;
}

/* --- text --------------------------------------------------------------- */

char *fmt_text(const struct fmt_ctx *ctx, const char *s)
{
    char *t = xstrdup(s ? s : "");
    for (char *p = t; (p = strchr(p, '\n')) != NULL; p++)
        *p = ' ';
    if (ctx->ascii) {
        char *a = text_ascii(t);
        free(t);
        t = a;
    }
    return t;
}

char *fmt_head(const char *s, int width)
{
    if (!s)
        return xstrdup("");
    if (width < 0)
        width = 0;
    size_t n = text_fit_bytes(s, width + 1, NULL);
    /* One more cluster, so that a cut is still seen when the next cluster
     * alone is wider than the room (a ZWJ family is six columns). */
    if (s[n] != '\0')
        n = text_next_grapheme(s, n);
    return xstrndup(s, n);
}

char *fmt_cut(const struct fmt_ctx *ctx, const char *s, int width)
{
    if (!s || width <= 0)
        return xstrdup("");
    if (text_width(s) <= width)
        return text_truncate(s, width, false);
    if (!ctx->ascii)
        return text_truncate(s, width, true);
    char *t = text_truncate(s, width - 1, false);
    char *r = xasprintf("%s~", t);
    free(t);
    return r;
}

char *fmt_strftime(const struct fmt_ctx *ctx, const char *format, int64_t t)
{
    char b[128];
    struct tm tm;
    time_t tt = (time_t)t;
    size_t n = 0;
    if (format && localtime_r(&tt, &tm)) {
        /* The format is the user's time_format option, not remote text. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        n = strftime(b, sizeof b, format, &tm);
#pragma GCC diagnostic pop
    }
    b[n < sizeof b ? n : 0] = '\0';
    /* Locale data need not be UTF-8, so it is treated like any input. */
    char *safe = text_sanitize_str(b, TEXT_SINGLE_LINE);
    char *r = fmt_text(ctx, safe);
    free(safe);
    return r;
}

/* --- line arrays -------------------------------------------------------- */

struct fmt_line *fmt_vec_push(struct fmt_vec *vec)
{
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 16;
        vec->v = xreallocarray(vec->v, vec->cap, sizeof *vec->v);
    }
    struct fmt_line *l = &vec->v[vec->n++];
    memset(l, 0, sizeof *l);
    return l;
}

void fmt_vec_add(struct fmt_vec *vec, int cols, const char *prefix, enum fmt_role prefix_role,
                 const char *s, enum fmt_role role)
{
    struct fmt_lb lb;
    fmt_lb_init(&lb);
    fmt_lb_add(&lb, prefix, prefix_role);
    fmt_lb_add(&lb, s, role);
    fmt_lb_finish(&lb, cols, fmt_vec_push(vec));
}

/* --- right-aligned parts ------------------------------------------------ */

void fmt_parts_add(struct fmt_parts *ps, char *text, int rank, enum fmt_role role)
{
    if (!text || !*text || ps->n == FMT_PARTS_MAX) {
        free(text);
        return;
    }
    ps->p[ps->n++] = (struct fmt_part){text, text_width(text), rank, role, true};
}

int fmt_parts_fit(struct fmt_parts *ps, int avail, int min_left)
{
    int total = 0;
    for (size_t i = 0; i < ps->n; i++) {
        ps->p[i].kept = true;
        total += ps->p[i].width + 1;
    }
    while (total > 0 && total + min_left > avail) {
        size_t drop = ps->n;
        for (size_t i = 0; i < ps->n; i++)
            if (ps->p[i].kept && (drop == ps->n || ps->p[i].rank <= ps->p[drop].rank))
                drop = i;
        ps->p[drop].kept = false;
        total -= ps->p[drop].width + 1;
    }
    return total;
}

void fmt_parts_emit(const struct fmt_parts *ps, struct fmt_lb *lb)
{
    for (size_t i = 0; i < ps->n; i++) {
        if (!ps->p[i].kept)
            continue;
        fmt_lb_spaces(lb, 1, ROLE_NORMAL);
        fmt_lb_add(lb, ps->p[i].text, ps->p[i].role);
    }
}

void fmt_parts_free(struct fmt_parts *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->p[i].text);
    ps->n = 0;
}

void fmt_lb_left_right(struct fmt_lb *lb, const struct fmt_ctx *ctx, int cols, const char *left,
                       enum fmt_role left_role, int min_left, int min_show, struct fmt_parts *ps)
{
    int avail = cols - lb->width;
    int right = fmt_parts_fit(ps, avail, min_left);
    int room = avail - right;
    char *cut = fmt_cut(ctx, left, room < min_show ? 0 : room);
    fmt_lb_add(lb, cut, left_role);
    fmt_lb_spaces(lb, avail - right - text_width(cut), ROLE_NORMAL);
    free(cut);
    fmt_parts_emit(ps, lb);
    fmt_parts_free(ps);
}

/* --- sizes -------------------------------------------------------------- */

/* --- filter tabs -------------------------------------------------------- */

static char *tab_text(const char *name, int64_t count)
{
    if (count < 0)
        return xasprintf(" %s ", name);
    return xasprintf(" %s %lld ", name, (long long)count);
}

void fmt_tabs_line(const struct fmt_tabs *t, const struct fmt_ctx *ctx, int cols,
                   struct fmt_line *out)
{
    static const char *const full[3] = {"Mine", "Unassigned", "All"};
    static const char *const brief[3] = {"Mine", "Unasg", "All"};
    const int64_t counts[3] = {t->mine, t->unassigned, t->all};
    char *tabs[3];
    int width = 0;
    struct fmt_lb lb;

    for (int i = 0; i < 3; i++) {
        tabs[i] = tab_text(full[i], counts[i]);
        width += text_width(tabs[i]);
    }
    if (width > cols) {
        for (int i = 0; i < 3; i++) {
            free(tabs[i]);
            tabs[i] = tab_text(brief[i], counts[i]);
        }
    }
    fmt_lb_init(&lb);
    for (int i = 0; i < 3; i++) {
        fmt_lb_add_fit(&lb, ctx, tabs[i], i == t->active ? ROLE_TAB_ACTIVE : ROLE_NORMAL, cols);
        free(tabs[i]);
    }
    const char *keys[] = {"status", "label", "inbox", "team", "limit", "search"};
    const char *vals[] = {t->status, t->label, t->inbox, t->team, t->limit, t->search};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!vals[i] || !*vals[i])
            continue;
        char *v = fmt_head(vals[i], cols);
        char *raw = xasprintf(" %s:%s", keys[i], v);
        char *piece = fmt_text(ctx, raw);
        bool fit = fmt_lb_add_fit(&lb, ctx, piece, ROLE_NORMAL, cols);
        free(v);
        free(raw);
        free(piece);
        if (!fit)
            break;
    }
    if (t->total) {
        char pos[48];
        snprintf(pos, sizeof pos, "%zu/%zu %s%s", t->pos, t->total, t->more ? t->more : "",
                 t->more ? " " : "");
        int w = text_width(pos);
        if (lb.width + 1 + w <= cols) {
            fmt_lb_spaces(&lb, cols - lb.width - w, ROLE_NORMAL);
            fmt_lb_add(&lb, pos, ROLE_NORMAL);
        }
    }
    fmt_lb_finish(&lb, cols, out);
    line_fill_gaps(out, ROLE_TAB);
}

/* --- status line -------------------------------------------------------- */

/* One status row: left from the margin, right (if any) at the end. */
static void status_row(const char *left, const char *right, bool alert, int margin, int inner,
                       int cols, struct fmt_line *out)
{
    struct fmt_lb lb;
    fmt_lb_init(&lb);
    fmt_lb_spaces(&lb, margin, ROLE_NORMAL);
    fmt_lb_add(&lb, left, ROLE_NORMAL);
    fmt_lb_spaces(&lb, inner - text_width(left) - text_width(right), ROLE_NORMAL);
    fmt_lb_add(&lb, right, alert ? ROLE_STATUS_ALERT : ROLE_NORMAL);
    fmt_lb_finish(&lb, cols, out);
    line_fill_gaps(out, ROLE_STATUS);
}

int fmt_status_lines(const char *left, const char *right, bool alert, const struct fmt_ctx *ctx,
                     int cols, int rows, struct fmt_line *out)
{
    int margin = cols >= 20 ? 1 : 0;
    int inner = cols - 2 * margin;
    if (rows < 1)
        rows = 1;
    char *lh = fmt_head(left, cols * FMT_STATUS_ROWS_MAX), *rh = fmt_head(right, cols);
    char *l = fmt_text(ctx, lh), *r = fmt_text(ctx, rh);
    /* The right part (connection state) is what must not be missed: it
     * keeps its place at the end of the last row. */
    char *rc = fmt_cut(ctx, r, inner);
    int wr = text_width(rc);
    int room = inner - wr - (wr > 0 ? 1 : 0); /* beside it */
    /* The left part over as many rows as it takes, the last of them
     * beside the right part if there is room, else above it. */
    char **lines = NULL;
    size_t n = 0;
    int need = 1;
    if (*l && text_width(l) > room && inner > 0) {
        n = text_wrap(l, inner, &lines);
        need = (int)n + (n && text_width(lines[n - 1]) > room);
        if (need > FMT_STATUS_ROWS_MAX)
            need = FMT_STATUS_ROWS_MAX;
    }
    /* Too few rows: what is left for the last one is cut there (from its
     * end: the middle of the line). More rows than needed: the top ones
     * stay empty. */
    int skip = rows > need ? rows - need : 0;
    for (int i = 0; i < rows; i++) {
        int k = i - skip; /* the left part's line on this row */
        bool last = i == rows - 1;
        char *text;
        if (k < 0 || (!n && !last))
            text = xstrdup("");
        else if (!last)
            text = xstrdup((size_t)k < n ? lines[k] : "");
        else if (k == 0)
            text = fmt_cut(ctx, l, room);
        else {
            struct buf rest;
            buf_init(&rest);
            for (size_t j = (size_t)k; j < n; j++)
                buf_addf(&rest, "%s%s", j > (size_t)k ? " " : "", lines[j]);
            text = fmt_cut(ctx, rest.data ? rest.data : "", room);
            buf_free(&rest);
        }
        status_row(text, last ? rc : "", alert, margin, inner, cols, &out[i]);
        free(text);
    }
    text_lines_free(lines, n);
    free(lh);
    free(rh);
    free(l);
    free(r);
    free(rc);
    return need;
}

void fmt_status_line(const char *left, const char *right, bool alert, const struct fmt_ctx *ctx,
                     int cols, struct fmt_line *out)
{
    fmt_status_lines(left, right, alert, ctx, cols, 1, out);
}

/* --- contact header ----------------------------------------------------- */

/* Appends remote text, bounded to the line and made measurable. */
static bool add_remote(struct fmt_lb *lb, const struct fmt_ctx *ctx, const char *s,
                       enum fmt_role role, int cols)
{
    char *h = fmt_head(s, cols);
    char *t = fmt_text(ctx, h);
    bool fit = fmt_lb_add_fit(lb, ctx, t, role, cols);
    free(h);
    free(t);
    return fit;
}

static void header_identity(const struct contact *k, const struct fmt_ctx *ctx, int cols,
                            bool badge, struct fmt_line *out)
{
    const char *sep = FMT_GLYPH(ctx, " \xc2\xb7 ", " - ");
    const char *fields[] = {k->name, k->phone, k->email};
    bool first = true;
    struct fmt_lb lb;

    fmt_lb_init(&lb);
    /* With one line only, the one thing that must show is that texts to
     * this contact will not be delivered. */
    if (badge) {
        fmt_lb_add_fit(&lb, ctx, "OPTED OUT", ROLE_OPTOUT, cols);
        first = false;
    }
    bool any = false;
    for (size_t i = 0; i < 3; i++)
        any |= fields[i] && *fields[i];
    if (!any)
        fields[0] = model_contact_label(k);
    for (size_t i = 0; i < 3; i++) {
        if (!fields[i] || !*fields[i])
            continue;
        /* A contact first seen by SMS is named after its number. */
        if (i == 1 && fields[0] && strcmp(fields[0], fields[1]) == 0)
            continue;
        if (!first && !fmt_lb_add_fit(&lb, ctx, sep, ROLE_DIM, cols))
            break;
        first = false;
        if (!add_remote(&lb, ctx, fields[i], ROLE_HEADER, cols))
            break;
    }
    fmt_lb_finish(&lb, cols, out);
}

static void header_optout(const struct contact *k, const struct fmt_ctx *ctx, int cols,
                          struct fmt_line *out)
{
    struct fmt_lb lb;
    char *since = k->opted_out_at ? fmt_strftime(ctx, "%Y-%m-%d", k->opted_out_at) : NULL;
    char *badge = since && *since ? xasprintf("OPTED OUT (STOP) since %s", since)
                                  : xstrdup("OPTED OUT (STOP)");
    fmt_lb_init(&lb);
    fmt_lb_add_fit(&lb, ctx, badge, ROLE_OPTOUT, cols);
    fmt_lb_finish(&lb, cols, out);
    free(since);
    free(badge);
}

/* Attributes the header already shows as the badge. */
static bool attr_shown_elsewhere(const char *key)
{
    return strcmp(key, "sms_opt_out") == 0 || strcmp(key, "sms_opt_out_at") == 0;
}

/* "key: value" items packed greedily onto lines, two spaces apart; an item
 * wider than a line is cut. Stops when the lines run out. */
struct attr_packer {
    struct fmt_vec *vec;
    const struct fmt_ctx *ctx;
    int cols;
    size_t max_lines;
    struct fmt_lb lb;
    bool open; /* lb holds a line in progress */
};

static bool pack_attr(struct attr_packer *pk, const struct kv *kv)
{
    char *kh = fmt_head(kv->key, pk->cols), *vh = fmt_head(kv->value, pk->cols);
    char *key = fmt_text(pk->ctx, kh), *val = fmt_text(pk->ctx, vh);
    char *k2 = xasprintf("%s:", key), *v2 = xasprintf(" %s", val);
    int w = text_width(k2) + text_width(v2);
    bool room = true;

    if (pk->open && pk->lb.width + 2 + w > pk->cols) {
        fmt_lb_finish(&pk->lb, pk->cols, fmt_vec_push(pk->vec));
        pk->open = false;
    }
    if (!pk->open && pk->vec->n >= pk->max_lines) {
        room = false;
    } else {
        if (!pk->open) {
            fmt_lb_init(&pk->lb);
            pk->open = true;
        } else {
            fmt_lb_spaces(&pk->lb, 2, ROLE_NORMAL);
        }
        if (fmt_lb_add_fit(&pk->lb, pk->ctx, k2, ROLE_DIM, pk->cols))
            fmt_lb_add_fit(&pk->lb, pk->ctx, v2, ROLE_HEADER, pk->cols);
    }
    free(kh);
    free(vh);
    free(key);
    free(val);
    free(k2);
    free(v2);
    return room;
}

static void header_attrs(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                         size_t max_lines, struct fmt_vec *vec)
{
    struct attr_packer pk = {.vec = vec, .ctx = ctx, .cols = cols, .max_lines = max_lines};
    const struct kv *lists[2] = {c->contact.attrs, c->attrs};
    size_t counts[2] = {c->contact.nattrs, c->nattrs};
    bool room = vec->n < max_lines;

    for (size_t l = 0; l < 2 && room; l++)
        for (size_t i = 0; i < counts[l] && room; i++)
            if (lists[l][i].key && !attr_shown_elsewhere(lists[l][i].key))
                room = pack_attr(&pk, &lists[l][i]);
    if (pk.open)
        fmt_lb_finish(&pk.lb, cols, fmt_vec_push(vec));
}

size_t fmt_contact_header(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                          int max_lines, struct fmt_line **out)
{
    struct fmt_vec vec = {0};
    const struct contact *k = &c->contact;
    *out = NULL;
    if (cols <= 0 || max_lines <= 0)
        return 0;

    header_identity(k, ctx, cols, k->opted_out && max_lines == 1, fmt_vec_push(&vec));
    if (k->opted_out && max_lines > 1)
        header_optout(k, ctx, cols, fmt_vec_push(&vec));
    header_attrs(c, ctx, cols, (size_t)max_lines, &vec);
    *out = vec.v;
    return vec.n;
}

char *fmt_mentions(const char *s)
{
    struct buf b;
    buf_init(&b);
    const char *p = s ? s : "";
    for (;;) {
        const char *open = strstr(p, "[@");
        if (!open) {
            buf_adds(&b, p);
            break;
        }
        const char *close = strstr(open, "](mention://");
        const char *end = close ? strchr(close, ')') : NULL;
        /* Only a well-formed mention on one line is rewritten. */
        if (!close || !end || memchr(open, '\n', (size_t)(end - open))) {
            buf_add(&b, p, (size_t)(open - p) + 2);
            p = open + 2;
            continue;
        }
        buf_add(&b, p, (size_t)(open - p));
        buf_add(&b, open + 1, (size_t)(close - open - 1));
        p = end + 1;
    }
    return buf_detach(&b);
}

/* --- the legend --------------------------------------------------------- */

static const struct fmt_symbol legend[] = {
    {"\xe2\x96\x8c", "|", "the selection (solid: the list has the keys; dim: the thread)"},
    {"*", "*", "a marked conversation (Space; ; applies a command to them)"},
    {"\xe2\x97\x8f (3)", "N (3)", "unread messages, and how many (10+ past ten)"},
    {"\xe2\x8f\xb3 5m", "W 5m", "the customer waits for an answer, for so long"},
    {"\xe2\x80\xbc  !", "!!  !", "urgent, high priority"},
    {"\xe2\x9c\x97", "X", "a reply failed (the server or the carrier refused it)"},
    {"?", "?", "a reply may have been sent: look, then retry or discard"},
    {"\xe2\x86\x91", "^", "a reply not sent yet: twoway is still sending it"},
    {"\xe2\x9c\x8e", "~", "a draft is kept for the conversation"},
    {"\xe2\x9c\x8e Ann is typing\xe2\x80\xa6", "... Ann is typing...",
     "a colleague typing (in place of the preview)"},
    {"#label  you  Ben", "#label  you  Ben", "labels, and the assignee (you, or a first name)"},
    {"\xe2\x97\x80  \xe2\x96\xb6", "<  >", "in the thread: from the customer, from us"},
    {"sending\xe2\x80\xa6", "sending...", "the reply is on its way to the server"},
    {"\xe2\x9c\x93  \xe2\x9c\x93\xe2\x9c\x93  \xe2\x9c\x93\xe2\x9c\x93 read", "+  ++  ++ read",
     "sent, delivered, read"},
    {"\xe2\x9c\x97 failed", "x failed", "not delivered: the reason follows on the next line"},
    {"\xe2\x94\x82 (note)", "| (note)", "a private note, seen by agents only"},
    {"\xc2\xb7", "-", "an activity line: assigned, labelled, resolved..."},
    {"\xe2\x86\xb5", "\\n", "a line break in the composer (Alt-Enter)"},
};

const struct fmt_symbol *fmt_legend(size_t *n)
{
    *n = sizeof legend / sizeof legend[0];
    return legend;
}
