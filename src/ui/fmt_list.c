/* fmt_list — a conversation as two rows of the list.
 *
 * Column 0 of both lines: the selection bar. Line 1: mark or unread dot,
 * contact, and right-aligned a reply that did not go out and a draft (see
 * fmt_row_mark), the waiting time, priority, unread count and age. Line 2:
 * the last message and, right-aligned, assignee, labels and status.
 *
 * The selection is a bar, not a reversed row: a move rewrites one column
 * of two rows (a few dozen bytes) instead of four whole lines, which over
 * a slow link is the difference between instant and not.
 *
 * Choices: medium and low priority show nothing (only what needs attention
 * stands out); an unassigned conversation shows no assignee; another
 * agent's reply is previewed as "Ann: text". When a line is tight the
 * contact keeps ~8 columns and the right side gives way: age, then unread
 * count, then priority, then the waiting time (the SLA clock goes last;
 * the reply and draft marks stay); on line 2 the preview keeps a third of
 * the line, then labels give way, then the assignee, then the status, and
 * only then the rest of the preview. */
#include "twoway/fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_priv.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define NAME_MIN 8
/* A preview cut to fewer columns than this is left out: "W…" says nothing. */
#define PREVIEW_MIN 4
/* The preview keeps 1/PREVIEW_SHARE of line 2 before the labels. */
#define PREVIEW_SHARE 3
#define INDENT 2
/* Longest assignee or label shown, so one long name cannot push out the rest. */
#define PART_MAX 16

/* A right-hand part from remote text: bounded, measurable, cut. Owned. */
static char *part_text(const struct fmt_ctx *ctx, const char *prefix, const char *s)
{
    char *h = fmt_head(s, PART_MAX);
    char *raw = xasprintf("%s%s", prefix, h);
    char *t = fmt_text(ctx, raw);
    char *cut = fmt_cut(ctx, t, PART_MAX);
    free(h);
    free(raw);
    free(t);
    return cut;
}

/* The list counts ages in minutes: the screen draws them again once a
 * minute (its clock turns then), so seconds would stand still; under a
 * minute is "now". */
static char *ago(int64_t now, int64_t then)
{
    char b[16];
    int64_t secs = now - then;
    timeutil_format_ago(secs < 60 ? 0 : secs, b, sizeof b);
    return xstrdup(b);
}

/* The reply that did not go out and the draft: never dropped for space. */
static void mark_parts(const struct conversation *c, const struct fmt_ctx *ctx,
                       struct fmt_parts *ps)
{
    unsigned m = ctx->row_marks;
    const struct message *l = &c->last;
    if (c->has_last && l->type == MSG_OUTGOING && !l->is_private && l->status == MSGST_FAILED)
        m |= FMT_ROW_FAILED;
    if (m & FMT_ROW_FAILED)
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x9c\x97", "X")), 6, ROLE_FAILED);
    else if (m & FMT_ROW_UNSURE)
        fmt_parts_add(ps, xstrdup("?"), 6, ROLE_FAILED);
    else if (m & FMT_ROW_UNSENT)
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x86\x91", "^")), 6, ROLE_SENDING);
    if (m & FMT_ROW_DRAFT)
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x9c\x8e", "~")), 5, ROLE_DIM);
}

static void line1_parts(const struct conversation *c, const struct fmt_ctx *ctx,
                        struct fmt_parts *ps)
{
    char *dur = NULL;
    mark_parts(c, ctx, ps);
    if (model_conversation_waiting(c)) {
        int64_t since = model_conversation_waiting_since(c);
        dur = since ? ago(ctx->now, since) : xstrdup("");
        fmt_parts_add(ps, xasprintf("%s%s", FMT_GLYPH(ctx, "\xe2\x8f\xb3", "W"), dur), 4,
                      ROLE_WAITING);
    }
    if (c->priority == PRIORITY_URGENT)
        fmt_parts_add(ps, xstrdup(FMT_GLYPH(ctx, "\xe2\x80\xbc", "!!")), 3, ROLE_URGENT);
    else if (c->priority == PRIORITY_HIGH)
        fmt_parts_add(ps, xstrdup("!"), 3, ROLE_URGENT);
    if (c->unread >= 10)
        fmt_parts_add(ps, xstrdup("(10+)"), 2, ROLE_UNREAD);
    else if (c->unread > 0)
        fmt_parts_add(ps, xasprintf("(%d)", c->unread), 2, ROLE_UNREAD);
    /* The age, unless the waiting time just said the same (the customer
     * wrote last): the same words twice are bytes for nothing. */
    char *age = c->last_activity_at ? ago(ctx->now, c->last_activity_at) : NULL;
    if (age && (!dur || strcmp(age, dur) != 0))
        fmt_parts_add(ps, age, 1, ROLE_DIM);
    else
        free(age);
    free(dur);
}

static void sel_bar(struct fmt_lb *lb, const struct fmt_ctx *ctx, enum fmt_sel sel)
{
    if (sel == FMT_SEL_ACTIVE)
        fmt_lb_add(lb, " ", ROLE_SELECTED);
    else if (sel == FMT_SEL_INACTIVE)
        fmt_lb_add(lb, FMT_GLYPH(ctx, "\xe2\x96\x8c", "|"), ROLE_DIM);
    else
        fmt_lb_spaces(lb, 1, ROLE_NORMAL);
}

static void list_line1(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                       enum fmt_sel sel, bool marked, struct fmt_line *out)
{
    struct fmt_lb lb;
    struct fmt_parts ps = {0};
    bool unread = c->unread > 0;

    fmt_lb_init(&lb);
    sel_bar(&lb, ctx, sel);
    /* A marked row shows the mark; its name and count still say unread. */
    if (marked)
        fmt_lb_add(&lb, "*", ROLE_MARK);
    else if (unread)
        fmt_lb_add(&lb, FMT_GLYPH(ctx, "\xe2\x97\x8f", "N"), ROLE_UNREAD);
    else
        fmt_lb_spaces(&lb, 1, ROLE_NORMAL);
    fmt_lb_spaces(&lb, 1, ROLE_NORMAL);

    char *h = fmt_head(model_contact_label(&c->contact), cols);
    char *name = fmt_text(ctx, h);
    int wn = text_width(name);
    line1_parts(c, ctx, &ps);
    fmt_lb_left_right(&lb, ctx, cols, name, unread ? ROLE_UNREAD : ROLE_NORMAL,
                      wn < NAME_MIN ? wn : NAME_MIN, 1, &ps);
    fmt_lb_finish(&lb, cols, out);
    free(h);
    free(name);
}

/* Who wrote the last message, as a preview prefix ("" for the customer). */
static char *preview_prefix(const struct message *m, const struct fmt_ctx *ctx)
{
    if (m->is_private)
        return xstrdup("note: ");
    if (m->type != MSG_OUTGOING && m->type != MSG_TEMPLATE)
        return xstrdup("");
    if (m->sender_kind == SENDER_AGENT && m->sender_id == ctx->me)
        return xstrdup("you: ");
    if (m->sender_kind != SENDER_AGENT || !*m->sender_name)
        return xstrdup("");
    char *first = model_first_name(m->sender_name);
    char *h = fmt_head(first, PART_MAX);
    char *p = xasprintf("%s: ", h);
    free(first);
    free(h);
    return p;
}

/* The body of the last message as one line, bounded to cols. Owned. */
static char *preview_body(const struct message *m, const struct fmt_ctx *ctx, int cols)
{
    if (m->deleted)
        return xstrdup("(deleted)");
    if (!ctx->preview)
        return xstrdup("(message hidden)");
    if (*m->content) {
        char *plain = fmt_mentions(m->content);
        char *h = fmt_head(plain, cols);
        free(plain);
        return h;
    }
    if (m->nattachments > 0) {
        const char *type = m->attachments[0].file_type;
        char *h = fmt_head(type && *type ? type : "file", PART_MAX);
        char *r = xasprintf("[%s]", h);
        free(h);
        return r;
    }
    return xstrdup("");
}

static char *preview(const struct conversation *c, const struct fmt_ctx *ctx, int cols)
{
    if (!c->has_last)
        return xstrdup("");
    char *prefix = preview_prefix(&c->last, ctx);
    char *body = preview_body(&c->last, ctx, cols);
    char *raw = xasprintf("%s%s", prefix, body);
    char *t = fmt_text(ctx, raw);
    free(prefix);
    free(body);
    free(raw);
    return t;
}

static void line2_parts(const struct conversation *c, const struct fmt_ctx *ctx,
                        struct fmt_parts *ps)
{
    if (c->assignee_id != 0 && c->assignee_id == ctx->me) {
        fmt_parts_add(ps, xstrdup("you"), 3, ROLE_ASSIGNEE);
    } else if (c->assignee_id != 0 && *c->assignee_name) {
        char *first = model_first_name(c->assignee_name);
        fmt_parts_add(ps, part_text(ctx, "", first), 3, ROLE_ASSIGNEE);
        free(first);
    }
    for (size_t i = 0; i < c->nlabels && ps->n < FMT_PARTS_MAX - 1; i++)
        fmt_parts_add(ps, part_text(ctx, "#", c->labels[i]), 2, ROLE_LABEL);
    if (c->status != CONV_OPEN || ctx->every_status)
        fmt_parts_add(ps, xstrdup(model_status_name(c->status)), 4, ROLE_DIM);
}

static void list_line2(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                       enum fmt_sel sel, struct fmt_line *out)
{
    struct fmt_lb lb;
    struct fmt_parts ps = {0};
    char *text;
    if (ctx->typing) {
        char *raw = xasprintf("%s %s is typing%s", ctx->ascii ? "..." : "✎",
                              *ctx->typing ? ctx->typing : "someone", ctx->ascii ? "..." : "…");
        text = fmt_text(ctx, raw);
        free(raw);
    } else {
        text = preview(c, ctx, cols);
    }

    fmt_lb_init(&lb);
    sel_bar(&lb, ctx, sel);
    fmt_lb_spaces(&lb, INDENT - 1, ROLE_NORMAL);
    line2_parts(c, ctx, &ps);
    /* The preview keeps a third of the line: labels, then the assignee,
     * give way before it goes (four labels must not push it out). */
    int keep = (cols - INDENT) / PREVIEW_SHARE, tw = text_width(text);
    if (keep > tw)
        keep = tw;
    if (keep < PREVIEW_MIN)
        keep = 0;
    fmt_lb_left_right(&lb, ctx, cols, text, ROLE_DIM, keep, PREVIEW_MIN, &ps);
    fmt_lb_finish(&lb, cols, out);
    free(text);
}

void fmt_list_row(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                  enum fmt_sel sel, bool marked, struct fmt_line out[FMT_LIST_ROW_LINES])
{
    list_line1(c, ctx, cols, sel, marked, &out[0]);
    list_line2(c, ctx, cols, sel, &out[1]);
}
