/* fmt_thread — the messages of one conversation as lines of the thread pane.
 *
 * A message is a first line "13:05 ◀ Maria" (or "▶ you" with the delivery
 * status on the right), then its body wrapped under an indent, its
 * attachments, and for a failed message the reason. Notes carry a bar down
 * their left side; activity is one dimmed line. A day separator comes first
 * and wherever the local day changes. */
#include "twoway/fmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt_priv.h"
#include "twoway/text.h"
#include "twoway/smserr.h"
#include "twoway/termseq.h"
#include "twoway/xmalloc.h"

/* A body longer than this many lines is cut, with a line saying so: the
 * sanitizer allows 64 KB, which at one column would be 64K lines. */
#define BODY_MAX_LINES 1000
#define REASON_MAX_LINES 20
/* Below this width there is no room for an indent. */
#define INDENT_MIN_COLS 12
#define NAME_MIN 6
#define TIME_MAX 20

struct thread {
    const struct fmt_ctx *ctx;
    int cols;
    struct fmt_vec vec;
    const char *indent; /* before body lines */
    const char *bar;    /* before note body lines, after the indent */
};

/* --- day separator ------------------------------------------------------ */

static long day_key(int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!localtime_r(&tt, &tm))
        return -1;
    return (long)tm.tm_year * 400 + tm.tm_yday;
}

static int year_of(int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    return localtime_r(&tt, &tm) ? tm.tm_year : -1;
}

/* Dashes on each side of the day: a short rule in the middle of the pane
 * reads as well as one from edge to edge, at a tenth of the bytes (each
 * "─" is three, the spaces around cost a cursor move). */
#define DAY_RULE 3

static void day_line(struct thread *th, int64_t t)
{
    const struct fmt_ctx *ctx = th->ctx;
    const char *dash = FMT_GLYPH(ctx, "\xe2\x94\x80", "-");
    bool this_year = year_of(t) == year_of(ctx->now);
    char *label = fmt_strftime(ctx, this_year ? "%a %d %b" : "%a %d %b %Y", t);
    int lw = text_width(label) + 2;
    struct fmt_lb lb;

    fmt_lb_init(&lb);
    if (th->cols < lw + 2 * DAY_RULE) {
        fmt_lb_add_fit(&lb, ctx, label, ROLE_DAY, th->cols);
    } else {
        fmt_lb_spaces(&lb, (th->cols - lw) / 2 - DAY_RULE, ROLE_NORMAL);
        for (int i = 0; i < DAY_RULE; i++)
            fmt_lb_add(&lb, dash, ROLE_DAY);
        fmt_lb_spaces(&lb, 1, ROLE_DAY);
        fmt_lb_add(&lb, label, ROLE_DAY);
        fmt_lb_spaces(&lb, 1, ROLE_DAY);
        for (int i = 0; i < DAY_RULE; i++)
            fmt_lb_add(&lb, dash, ROLE_DAY);
    }
    fmt_lb_finish(&lb, th->cols, fmt_vec_push(&th->vec));
    free(label);
}

/* --- the first line of a message ---------------------------------------- */

static bool is_outgoing(const struct message *m)
{
    return m->type == MSG_OUTGOING || m->type == MSG_TEMPLATE;
}

static enum fmt_role author_role(const struct message *m)
{
    if (m->is_private)
        return ROLE_NOTE;
    return is_outgoing(m) ? ROLE_OUTGOING : ROLE_INCOMING;
}

/* Who wrote m, as the reader says it. Not yet measurable (see author()). */
static const char *author_name(const struct message *m, const struct fmt_ctx *ctx)
{
    if (!is_outgoing(m))
        return ctx->contact && *ctx->contact ? ctx->contact
               : *m->sender_name             ? m->sender_name
                                             : "customer";
    if (m->sender_kind == SENDER_AGENT && m->sender_id == ctx->me)
        return "you";
    if (m->type == MSG_TEMPLATE)
        return "auto";
    if (*m->sender_name)
        return m->sender_name;
    return m->sender_kind == SENDER_BOT ? "bot" : "auto";
}

static char *author(const struct message *m, const struct thread *th)
{
    char *h = fmt_head(author_name(m, th->ctx), th->cols);
    char *raw = m->is_private ? xasprintf("%s (note)", h) : xstrdup(h);
    char *t = fmt_text(th->ctx, raw);
    free(h);
    free(raw);
    return t;
}

static void add_status(const struct message *m, const struct fmt_ctx *ctx, struct fmt_parts *ps)
{
    if (!is_outgoing(m) || (m->is_private && m->status != MSGST_UNSURE))
        return;
    switch (m->status) {
    case MSGST_SENDING:
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "sending\xe2\x80\xa6", "sending...")), 1,
                      ROLE_SENDING);
        break;
    case MSGST_SENT:
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x9c\x93", "+")), 1, ROLE_DELIVERED);
        break;
    case MSGST_DELIVERED:
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x9c\x93\xe2\x9c\x93", "++")), 1,
                      ROLE_DELIVERED);
        break;
    case MSGST_READ:
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x9c\x93\xe2\x9c\x93 read", "++ read")), 1,
                      ROLE_DELIVERED);
        break;
    case MSGST_FAILED:
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x9c\x97 failed", "x failed")), 1,
                      ROLE_FAILED);
        break;
    case MSGST_UNSURE:
        fmt_parts_add(ps, xstrdup("? may have been sent"), 1, ROLE_FAILED);
        break;
    }
}

static void first_line(struct thread *th, const struct message *m)
{
    const struct fmt_ctx *ctx = th->ctx;
    enum fmt_role role = author_role(m);
    struct fmt_parts ps = {0};
    struct fmt_lb lb;

    fmt_lb_init(&lb);
    /* A message not yet on the server has no time; its arrow still lines
     * up with the others. */
    int64_t at = m->created_at ? m->created_at : ctx->now;
    char *t = fmt_strftime(ctx, ctx->time_format ? ctx->time_format : "%H:%M", at);
    if (*t) {
        if (m->created_at)
            fmt_lb_add_fit(&lb, ctx, t, ROLE_DIM, TIME_MAX);
        else
            fmt_lb_spaces(&lb, text_width(t) < TIME_MAX ? text_width(t) : TIME_MAX, ROLE_NORMAL);
        fmt_lb_spaces(&lb, 1, ROLE_NORMAL);
    }
    free(t);
    fmt_lb_add(&lb,
               is_outgoing(m) ? FMT_GLYPH(ctx, "\xe2\x96\xb6", ">")
                              : FMT_GLYPH(ctx, "\xe2\x97\x80", "<"),
               role);
    fmt_lb_spaces(&lb, 1, ROLE_NORMAL);
    char *name = author(m, th);
    int wn = text_width(name);
    add_status(m, ctx, &ps);
    fmt_lb_left_right(&lb, ctx, th->cols, name, role, wn < NAME_MIN ? wn : NAME_MIN, 1, &ps);
    fmt_lb_finish(&lb, th->cols, fmt_vec_push(&th->vec));
    free(name);
}

/* --- bodies ------------------------------------------------------------- */

/* s (multi-line) wrapped under prefix, at most max lines and then a line
 * saying how many were left out. */
static void add_wrapped(struct thread *th, const char *prefix, enum fmt_role prefix_role,
                        const char *s, enum fmt_role role, size_t max)
{
    const struct fmt_ctx *ctx = th->ctx;
    char *t = ctx->ascii ? text_ascii(s) : xstrdup(s);
    size_t len = strlen(t);
    char **lines;

    /* Trailing blank lines would only push the next message down. */
    while (len > 0 && (t[len - 1] == '\n' || t[len - 1] == ' '))
        t[--len] = '\0';
    size_t n = text_wrap(t, th->cols - text_width(prefix), &lines);
    for (size_t i = 0; i < n && i < max; i++)
        fmt_vec_add(&th->vec, th->cols, prefix, prefix_role, lines[i], role);
    if (n > max) {
        char *more = xasprintf("%s %zu more lines", FMT_GLYPH(ctx, "\xe2\x80\xa6", "..."), n - max);
        fmt_vec_add(&th->vec, th->cols, prefix, prefix_role, more, ROLE_DIM);
        free(more);
    }
    text_lines_free(lines, n);
    free(t);
}

static void body_lines(struct thread *th, const struct message *m)
{
    if (m->deleted) {
        fmt_vec_add(&th->vec, th->cols, th->indent, ROLE_NORMAL, "(deleted)", ROLE_DIM);
        return;
    }
    if (!*m->content)
        return;
    char *body = fmt_mentions(m->content);
    if (m->is_private) {
        char *prefix = xasprintf("%s%s", th->indent, th->bar);
        add_wrapped(th, prefix, ROLE_NOTE, body, ROLE_NOTE, BODY_MAX_LINES);
        free(prefix);
    } else {
        add_wrapped(th, th->indent, ROLE_NORMAL, body, ROLE_NORMAL, BODY_MAX_LINES);
    }
    free(body);
}

/* Columns a URL must have beside its tag to start there rather than on a
 * line of its own. */
#define URL_BESIDE_MIN 12

/* The newest line shows url in its last len bytes before the padding. */
static void mark_link(struct thread *th, const char *url, size_t len)
{
    struct fmt_line *l = &th->vec.v[th->vec.n - 1];
    size_t end = strlen(l->text);
    while (end > 0 && l->text[end - 1] == ' ')
        end--;
    if (len == 0 || len > end)
        return;
    l->link = xstrdup(url);
    l->link_start = end - len;
    l->link_end = end;
}

/* A URL a terminal may link (plain ASCII): the rest of it in pieces as
 * wide as the lines below, each piece marked. */
static void link_lines(struct thread *th, const char *url, const char *rest)
{
    int room = th->cols - text_width(th->indent);
    for (size_t lines = 0; *rest && room > 0 && lines < BODY_MAX_LINES; lines++) {
        size_t n = text_fit_bytes(rest, room, NULL);
        if (n == 0)
            break;
        char *piece = xstrndup(rest, n);
        fmt_vec_add(&th->vec, th->cols, th->indent, ROLE_NORMAL, piece, ROLE_LINK);
        mark_link(th, url, n);
        free(piece);
        rest += n;
    }
}

/* "[image 230 KB] https://…": the URL starts beside the tag and runs on,
 * cut anywhere (it has no spaces to break at) over the lines below. */
static void attachment_line(struct thread *th, const struct attachment *a)
{
    const char *type = a->file_type && *a->file_type ? a->file_type : "file";
    const char *url = a->url ? a->url : "";
    char size[16] = "";
    if (a->size > 0) {
        size[0] = ' ';
        text_size(a->size, size + 1, sizeof size - 1);
    }
    char *th_type = fmt_head(type, th->cols);
    char *raw = xasprintf("[%s%s]", th_type, size);
    char *tag = fmt_text(th->ctx, raw);
    int room = th->cols - text_width(th->indent) - text_width(tag) - 1;
    size_t beside = 0;
    if (*url && room >= URL_BESIDE_MIN)
        beside = text_fit_bytes(url, room, NULL);
    char *head = xstrndup(url, beside);
    char *first = xasprintf("%s%s%s", tag, beside ? " " : "", head);
    char *line = fmt_text(th->ctx, first);

    fmt_vec_add(&th->vec, th->cols, th->indent, ROLE_NORMAL, line, ROLE_LINK);
    bool linked = termseq_url_ok(url);
    if (linked)
        mark_link(th, url, beside);
    if (url[beside] && linked)
        link_lines(th, url, url + beside);
    else if (url[beside])
        add_wrapped(th, th->indent, ROLE_NORMAL, url + beside, ROLE_LINK, BODY_MAX_LINES);
    free(th_type);
    free(raw);
    free(tag);
    free(head);
    free(first);
    free(line);
}

static void attachment_lines(struct thread *th, const struct message *m)
{
    if (m->deleted)
        return;
    for (size_t i = 0; i < m->nattachments; i++)
        attachment_line(th, &m->attachments[i]);
}

static void failed_lines(struct thread *th, const struct message *m)
{
    if (is_outgoing(m) && m->status == MSGST_UNSURE) {
        /* The session's sentence says what happened and what to do. */
        add_wrapped(th, th->indent, ROLE_NORMAL,
                    m->external_error && *m->external_error ? m->external_error
                                                            : "may have been sent",
                    ROLE_FAILED, REASON_MAX_LINES);
        return;
    }
    if (!is_outgoing(m) || m->is_private || m->status != MSGST_FAILED)
        return;
    const char *why =
        m->external_error && *m->external_error ? m->external_error : "no reason given";
    /* A server that reports only Twilio's terse text ("30003 -
     * Unreachable destination handset") gets the plain words too. */
    const char *words = smserr_words(smserr_code(why));
    char *line =
        words && !strstr(why, words)
            ? xasprintf("failed: %s %s %s", why, FMT_GLYPH(th->ctx, "\xe2\x80\x94", "-"), words)
            : xasprintf("failed: %s", why);
    add_wrapped(th, th->indent, ROLE_NORMAL, line, ROLE_FAILED, REASON_MAX_LINES);
    free(line);
}

static void activity_line(struct thread *th, const struct message *m)
{
    char *h = fmt_head(m->content, th->cols);
    char *raw = xasprintf("%s %s", FMT_GLYPH(th->ctx, "\xc2\xb7", "-"), h);
    char *t = fmt_text(th->ctx, raw);
    struct fmt_lb lb;

    fmt_lb_init(&lb);
    fmt_lb_add_fit(&lb, th->ctx, t, ROLE_ACTIVITY, th->cols);
    fmt_lb_finish(&lb, th->cols, fmt_vec_push(&th->vec));
    free(h);
    free(raw);
    free(t);
}

size_t fmt_thread(const struct message *msgs, size_t n, const struct fmt_ctx *ctx, int cols,
                  struct fmt_line **out)
{
    bool roomy = cols >= INDENT_MIN_COLS;
    struct thread th = {
        .ctx = ctx,
        .cols = cols,
        .indent = roomy ? "  " : "",
        .bar = FMT_GLYPH(ctx, roomy ? "\xe2\x94\x82 " : "\xe2\x94\x82", roomy ? "| " : "|"),
    };
    long day = -1;

    *out = NULL;
    if (cols <= 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct message *m = &msgs[i];
        long d = m->created_at ? day_key(m->created_at) : day;
        if (d != day) {
            day_line(&th, m->created_at);
            day = d;
        }
        if (m->type == MSG_ACTIVITY) {
            activity_line(&th, m);
            continue;
        }
        first_line(&th, m);
        body_lines(&th, m);
        attachment_lines(&th, m);
        failed_lines(&th, m);
    }
    *out = th.vec.v;
    return th.vec.n;
}
