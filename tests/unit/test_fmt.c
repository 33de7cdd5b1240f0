/* Unit tests for fmt: list rows, thread, contact header, tabs, status line
 * and sizes. Every produced line is checked for exact width, valid UTF-8,
 * well-formed spans and (in ASCII mode) pure ASCII, over many widths and
 * scripts; then each field and role is checked where it should appear. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/fmt.h"
#include "twoway/model.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Samples, spelled out so the tests do not depend on an editor. */
#define E_ACUTE "e\xcc\x81"                              /* e + U+0301 */
#define N_TILDE "n\xcc\x83"                              /* n + U+0303 */
#define CJK_NAME "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"  /* 王小明 */
#define THUMBS_MEDIUM "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" /* 👍🏽 */
#define ZWJ "\xe2\x80\x8d"
#define FAMILY                                                                                     \
    "\xf0\x9f\x91\xa8" ZWJ "\xf0\x9f\x91\xa9" ZWJ "\xf0\x9f\x91\xa7"       /* 👨‍👩‍👧 */
#define FLAG_FR "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"                         /* 🇫🇷 */
#define FLAG_DE "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa"                         /* 🇩🇪 */
#define ARABIC "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a" /* محمد علي */
#define HEBREW "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"                          /* שלום */
#define ELLIPSIS "\xe2\x80\xa6"
#define HOURGLASS "\xe2\x8f\xb3"
#define DOUBLE_BANG "\xe2\x80\xbc"
#define DOT "\xe2\x97\x8f"
#define CHECK "\xe2\x9c\x93"
#define CROSS "\xe2\x9c\x97"
#define BAR "\xe2\x94\x82"
#define MIDDOT "\xc2\xb7"
#define DOTTED_CIRCLE "\xe2\x97\x8c"
#define LEFT_ARROW "\xe2\x97\x80"
#define RIGHT_ARROW "\xe2\x96\xb6"

/* 2026-11-27 12:00:00 UTC, a Friday. */
#define NOW 1795780800LL
#define MIN 60
#define HOUR 3600
#define DAY 86400
#define ME 5

static const char *const names[] = {
    "Maria Gonzalez",
    "Jos" E_ACUTE " Nu" N_TILDE "ez Garc" E_ACUTE "a de la Pe" N_TILDE "a",
    CJK_NAME " " CJK_NAME CJK_NAME CJK_NAME,
    "Ana " THUMBS_MEDIUM THUMBS_MEDIUM " Sousa " THUMBS_MEDIUM,
    FAMILY FAMILY " the Smith family " FAMILY,
    FLAG_FR FLAG_DE FLAG_FR " Pierre " FLAG_DE FLAG_FR,
    ARABIC " " ARABIC,
    HEBREW " " HEBREW " " HEBREW,
    ("\xcc\x81"
     "Accent first"),
    "+15551230000",
    "",
};
#define NNAMES (sizeof names / sizeof names[0])

static const char *const bodies[] = {
    "Hi, is my order on its way?",
    "Caf" E_ACUTE " ma" N_TILDE "ana?\nSecond line\n\nafter a blank",
    CJK_NAME CJK_NAME CJK_NAME CJK_NAME CJK_NAME CJK_NAME CJK_NAME CJK_NAME,
    THUMBS_MEDIUM " " FAMILY " " FLAG_FR FLAG_DE " ok " FAMILY FAMILY FAMILY FAMILY,
    ARABIC " " HEBREW " mixed RTL " ARABIC,
    "\xcc\x88"
    "mark first\n\xcc\x81"
    "and after a newline",
    "",
};
#define NBODIES (sizeof bodies / sizeof bodies[0])

/* The widths the exhaustive tests walk: every one up to 60, where cutting
 * decisions crowd, then a sample up to 200. */
static int next_cols(int cols)
{
    return cols < 60 ? cols + 1 : cols + 7;
}

static struct fmt_ctx ctx_make(bool ascii)
{
    struct fmt_ctx ctx = {
        .now = NOW,
        .me = ME,
        .ascii = ascii,
        .preview = true,
        .time_format = "%H:%M",
    };
    return ctx;
}

/* --- records ------------------------------------------------------------ */

static void msg_init(struct message *m, enum msg_type type, const char *content, int64_t at)
{
    memset(m, 0, sizeof *m);
    m->id = 100;
    m->conv_id = 7;
    m->type = type;
    m->status = MSGST_SENT;
    m->sender_kind = type == MSG_INCOMING ? SENDER_CONTACT : SENDER_AGENT;
    m->sender_id = type == MSG_INCOMING ? 900 : ME;
    m->sender_name = xstrdup(type == MSG_INCOMING ? "Maria Gonzalez" : "Ben Ortiz");
    m->content = xstrdup(content);
    m->external_error = xstrdup("");
    m->echo_id = xstrdup("");
    m->created_at = at;
}

static void msg_set_sender(struct message *m, enum sender_kind kind, int64_t id, const char *name)
{
    m->sender_kind = kind;
    m->sender_id = id;
    free(m->sender_name);
    m->sender_name = xstrdup(name);
}

static void msg_add_attachment(struct message *m, const char *type, const char *url, int64_t size)
{
    m->attachments = xreallocarray(m->attachments, m->nattachments + 1, sizeof *m->attachments);
    struct attachment *a = &m->attachments[m->nattachments++];
    a->file_type = xstrdup(type);
    a->url = xstrdup(url);
    a->extension = xstrdup("");
    a->size = size;
}

static void conv_init(struct conversation *c, const char *name, const char *body)
{
    memset(c, 0, sizeof *c);
    c->id = 7;
    c->account_id = 1;
    c->inbox_id = 1;
    c->status = CONV_OPEN;
    c->contact.id = 900;
    c->contact.name = xstrdup(name);
    c->contact.phone = xstrdup("+15551230000");
    c->contact.email = xstrdup("");
    c->contact.identifier = xstrdup("");
    c->assignee_name = xstrdup("");
    c->team_name = xstrdup("");
    c->channel = xstrdup("Channel::TwilioSms");
    c->can_reply = true;
    c->created_at = NOW - 3 * DAY;
    c->last_activity_at = NOW - 2 * HOUR;
    c->has_last = true;
    msg_init(&c->last, MSG_INCOMING, body, NOW - 12 * MIN);
}

static void conv_add_label(struct conversation *c, const char *label)
{
    c->labels = xreallocarray(c->labels, c->nlabels + 1, sizeof *c->labels);
    c->labels[c->nlabels++] = xstrdup(label);
}

static void conv_assign(struct conversation *c, int64_t id, const char *name)
{
    c->assignee_id = id;
    free(c->assignee_name);
    c->assignee_name = xstrdup(name);
}

static void kv_add(struct kv **kv, size_t *n, const char *key, const char *value)
{
    *kv = xreallocarray(*kv, *n + 1, sizeof **kv);
    (*kv)[*n].key = xstrdup(key);
    (*kv)[*n].value = xstrdup(value);
    (*n)++;
}

/* A conversation with every list field set. */
static void conv_full(struct conversation *c, const char *name)
{
    conv_init(c, name, "Where is my parcel?");
    c->unread = 3;
    c->priority = PRIORITY_URGENT;
    c->status = CONV_PENDING;
    c->waiting_since = NOW - 12 * MIN;
    conv_assign(c, ME, "Ben Ortiz");
    conv_add_label(c, "billing");
    conv_add_label(c, "vip");
}

/* --- checks ------------------------------------------------------------- */

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static bool all_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* Width of s[start..end) measured on its own. */
static int piece_width(const char *s, size_t start, size_t end)
{
    char *p = xstrndup(s + start, end - start);
    int w = text_width(p);
    free(p);
    return w;
}

/* The promises every produced line keeps. A renderer draws span by span
 * (and gap by gap), so the pieces must add up to the line's width too. */
static void check_line(const struct fmt_line *l, int cols, bool ascii)
{
    assert_non_null(l->text);
    size_t len = strlen(l->text);
    assert_true(text_valid_utf8(l->text, len));
    if (text_width(l->text) != cols || l->width != cols)
        fail_msg("width %d (says %d), want %d: \"%s\"", text_width(l->text), l->width, cols,
                 l->text);
    assert_null(strchr(l->text, '\n'));
    if (ascii && !all_ascii(l->text))
        fail_msg("not ASCII: \"%s\"", l->text);
    size_t at = 0;
    for (size_t i = 0; i < l->nspans; i++) {
        const struct fmt_span *sp = &l->spans[i];
        assert_true(sp->start >= at);
        assert_true(sp->start < sp->end);
        assert_true(sp->end <= len);
        assert_false(is_cont((unsigned char)l->text[sp->start]));
        assert_false(sp->end < len && is_cont((unsigned char)l->text[sp->end]));
        assert_true(sp->role < ROLE__COUNT);
        at = sp->end;
    }
    int sum = 0;
    at = 0;
    for (size_t i = 0; i < l->nspans; i++) {
        sum += piece_width(l->text, at, l->spans[i].start);
        sum += piece_width(l->text, l->spans[i].start, l->spans[i].end);
        at = l->spans[i].end;
    }
    sum += piece_width(l->text, at, len);
    if (sum != cols)
        fail_msg("pieces add up to %d, want %d: \"%s\"", sum, cols, l->text);
}

static void check_lines(const struct fmt_line *l, size_t n, int cols, bool ascii)
{
    for (size_t i = 0; i < n; i++)
        check_line(&l[i], cols, ascii);
}

/* The role of the text at needle's first occurrence; fails if needle is
 * missing or only part of it carries that role. */
static enum fmt_role role_of(const struct fmt_line *l, const char *needle)
{
    const char *p = strstr(l->text, needle);
    if (!p)
        fail_msg("\"%s\" not in \"%s\"", needle, l->text);
    size_t start = (size_t)(p - l->text), end = start + strlen(needle);
    for (size_t i = 0; i < l->nspans; i++) {
        if (l->spans[i].start <= start && start < l->spans[i].end) {
            assert_true(end <= l->spans[i].end);
            return l->spans[i].role;
        }
        assert_false(l->spans[i].start > start && l->spans[i].start < end);
    }
    return ROLE_NORMAL;
}

static bool has(const struct fmt_line *l, const char *needle)
{
    return strstr(l->text, needle) != NULL;
}

/* True if pos is a grapheme cluster boundary of s. */
static bool is_boundary(const char *s, size_t pos)
{
    size_t p = 0;
    while (p < pos)
        p = text_next_grapheme(s, p);
    return p == pos;
}

/* "   " + name in a read, unmarked row: what the row shows of the name is
 * all of it, or a prefix ending on a cluster boundary, then the ellipsis. */
static void check_name_cut(const struct fmt_line *l, const char *name)
{
    const char *shown = l->text + 3;
    /* A name that starts with a combining mark is shown on the base a
     * renderer would give it anyway. */
    if ((unsigned char)name[0] == 0xCC && strncmp(shown, DOTTED_CIRCLE, 3) == 0)
        shown += 3;
    const char *ell = strstr(shown, ELLIPSIS);
    if (!ell) {
        if (strncmp(shown, name, strlen(name)) != 0)
            fail_msg("name lost: \"%s\" for \"%s\"", l->text, name);
        return;
    }
    size_t n = (size_t)(ell - shown);
    assert_true(n <= strlen(name));
    assert_memory_equal(shown, name, n);
    if (!is_boundary(name, n))
        fail_msg("cut inside a cluster at byte %zu of \"%s\"", n, name);
}

static void free_row(struct fmt_line row[FMT_LIST_ROW_LINES])
{
    for (int i = 0; i < FMT_LIST_ROW_LINES; i++)
        fmt_line_free(&row[i]);
}

/* --- list rows ---------------------------------------------------------- */

static void test_fmt__list_row_every_line_exactly_cols(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (size_t ni = 0; ni < NNAMES; ni++)
            for (size_t bi = ni % 3; bi < NBODIES; bi += 3) {
                struct conversation c;
                conv_full(&c, names[ni]);
                free(c.last.content);
                c.last.content = xstrdup(bodies[bi]);
                conv_add_label(&c, names[(ni + 1) % NNAMES]);
                conv_assign(&c, 77, names[(ni + 3) % NNAMES]);
                for (int cols = 1; cols <= 200; cols++) {
                    struct fmt_line row[FMT_LIST_ROW_LINES];
                    fmt_list_row(&c, &ctx, cols, (enum fmt_sel)(cols % 3), cols % 2 == 0, row);
                    check_lines(row, FMT_LIST_ROW_LINES, cols, ascii);
                    free_row(row);
                }
                model_conversation_free(&c);
            }
    }
}

static void test_fmt__list_row_zero_cols_is_empty(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Maria");
    fmt_list_row(&c, &ctx, 0, FMT_SEL_ACTIVE, true, row);
    check_lines(row, FMT_LIST_ROW_LINES, 0, false);
    free_row(row);
    fmt_list_row(&c, &ctx, -4, FMT_SEL_NONE, false, row);
    check_lines(row, FMT_LIST_ROW_LINES, 0, false);
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_name_cut_at_cluster_boundary(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    for (size_t ni = 0; ni < NNAMES; ni++) {
        struct conversation c;
        conv_init(&c, names[ni], "hello");
        for (int cols = 4; cols <= 80; cols++) {
            struct fmt_line row[FMT_LIST_ROW_LINES];
            fmt_list_row(&c, &ctx, cols, FMT_SEL_NONE, false, row);
            check_name_cut(&row[0], model_contact_label(&c.contact));
            free_row(row);
        }
        model_conversation_free(&c);
    }
}

static void test_fmt__list_row_line1_fields_and_roles(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Maria Gonzalez");
    fmt_list_row(&c, &ctx, 100, FMT_SEL_NONE, false, row);
    check_lines(row, 2, 100, false);
    const struct fmt_line *l = &row[0];

    assert_memory_equal(l->text, " " DOT " Maria Gonzalez", strlen(" " DOT " Maria Gonzalez"));
    assert_int_equal(role_of(l, DOT), ROLE_UNREAD);
    assert_int_equal(role_of(l, "Maria Gonzalez"), ROLE_UNREAD);
    assert_int_equal(role_of(l, HOURGLASS "12m"), ROLE_WAITING);
    assert_int_equal(role_of(l, DOUBLE_BANG), ROLE_URGENT);
    assert_int_equal(role_of(l, "(3)"), ROLE_UNREAD);
    assert_int_equal(role_of(l, "2h"), ROLE_DIM);
    /* Right-aligned, in this order, the age last. */
    const char *tail = HOURGLASS "12m " DOUBLE_BANG " (3) 2h";
    size_t tl = strlen(tail), len = strlen(l->text);
    assert_string_equal(l->text + len - tl, tail);
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_line2_fields_and_roles(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Maria Gonzalez");
    fmt_list_row(&c, &ctx, 100, FMT_SEL_NONE, false, row);
    const struct fmt_line *l = &row[1];

    assert_memory_equal(l->text, "  Where is my parcel?", strlen("  Where is my parcel?"));
    assert_int_equal(role_of(l, "Where is my parcel?"), ROLE_DIM);
    assert_int_equal(role_of(l, "you"), ROLE_ASSIGNEE);
    assert_int_equal(role_of(l, "#billing"), ROLE_LABEL);
    assert_int_equal(role_of(l, "#vip"), ROLE_LABEL);
    assert_int_equal(role_of(l, "pending"), ROLE_DIM);
    const char *tail = "you #billing #vip pending";
    size_t tl = strlen(tail), len = strlen(l->text);
    assert_string_equal(l->text + len - tl, tail);
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_read_open_conversation_is_quiet(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria Gonzalez", "thanks!");
    msg_set_sender(&c.last, SENDER_AGENT, 77, "Ann Lee");
    c.last.type = MSG_OUTGOING;
    c.priority = PRIORITY_MEDIUM;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    check_lines(row, 2, 60, false);
    /* No dot, no waiting, no count, no priority; just the name and age. */
    assert_memory_equal(row[0].text, "   Maria Gonzalez ", 18);
    assert_false(has(&row[0], HOURGLASS));
    assert_false(has(&row[0], "("));
    assert_false(has(&row[0], "!"));
    assert_false(has(&row[0], DOUBLE_BANG));
    assert_int_equal(role_of(&row[0], "Maria"), ROLE_NORMAL);
    assert_true(has(&row[0], " 2h"));
    /* Another agent's reply is previewed under their first name; an open,
     * unassigned conversation shows nothing on the right. */
    assert_memory_equal(row[1].text, "  Ann: thanks!", 14);
    assert_int_equal(text_width(row[1].text + 14), 60 - 14);
    for (const char *p = row[1].text + 14; *p; p++)
        assert_int_equal(*p, ' ');
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_unread_count_capped(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    c.unread = 10;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], "(10+)"));
    free_row(row);
    c.unread = 57;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], "(10+)"));
    free_row(row);
    c.unread = 9;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], "(9)"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_priority_glyphs(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    c.priority = PRIORITY_HIGH;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[0], "!"), ROLE_URGENT);
    assert_false(has(&row[0], DOUBLE_BANG));
    free_row(row);
    c.priority = PRIORITY_LOW;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_false(has(&row[0], "!"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_waiting_from_last_incoming_message(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    c.last.created_at = NOW - 3 * HOUR; /* no waiting_since: the message counts */
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[0], HOURGLASS "3h"), ROLE_WAITING);
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_age_left_out_when_the_wait_says_it(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    /* The customer wrote last, 2h ago: "⏳2h", not "⏳2h 2h". */
    c.last.created_at = c.last_activity_at;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], HOURGLASS "2h"));
    assert_false(has(&row[0], "2h 2h"));
    assert_int_equal(row[0].text[strlen(row[0].text) - 1], 'h');
    free_row(row);
    /* Waiting since 12m, active 2h ago (a note since): both say something. */
    c.waiting_since = NOW - 12 * MIN;
    c.last.created_at = NOW - 3 * HOUR;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], HOURGLASS "12m 2h"));
    free_row(row);
    model_conversation_free(&c);
}

/* The list's ages are minutes (the screen turns its clock once a
 * minute): under a minute is "now", never a count of seconds that would
 * stand still until the next turn. */
static void test_fmt__list_row_ages_in_minutes(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    c.last.created_at = c.last_activity_at = NOW - 42;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], HOURGLASS "now"));
    assert_false(has(&row[0], "42s"));
    free_row(row);
    /* Sent after the clock last turned (a clock behind the message). */
    c.last.created_at = c.last_activity_at = NOW + 20;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], HOURGLASS "now"));
    free_row(row);
    c.last.created_at = c.last_activity_at = NOW - 60;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], HOURGLASS "1m"));
    free_row(row);
    model_conversation_free(&c);
}

/* A reply that did not go out, and a draft: marks that stay when the
 * line is tight (the age and counts go first). */
static void test_fmt__list_row_marks_failed_unsent_and_draft(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Maria Gonzalez");
    ctx.row_marks = FMT_ROW_FAILED | FMT_ROW_UNSENT | FMT_ROW_DRAFT;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[0], CROSS), ROLE_FAILED); /* failed wins over unsent */
    assert_false(has(&row[0], "\xe2\x86\x91"));
    assert_int_equal(role_of(&row[0], "\xe2\x9c\x8e"), ROLE_DIM);
    free_row(row);
    ctx.row_marks = FMT_ROW_UNSENT;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[0], "\xe2\x86\x91"), ROLE_SENDING);
    assert_false(has(&row[0], CROSS));
    free_row(row);
    ctx.row_marks = FMT_ROW_UNSURE;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[0], "?"), ROLE_FAILED);
    free_row(row);
    /* Tight: the waiting time and the rest give way, the marks stay. */
    ctx.row_marks = FMT_ROW_FAILED | FMT_ROW_DRAFT;
    fmt_list_row(&c, &ctx, 16, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], CROSS));
    assert_true(has(&row[0], "\xe2\x9c\x8e"));
    assert_false(has(&row[0], HOURGLASS));
    free_row(row);
    /* The carrier failed the last reply: the record says so by itself. */
    ctx.row_marks = 0;
    c.last.type = MSG_OUTGOING;
    c.last.status = MSGST_FAILED;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[0], CROSS), ROLE_FAILED);
    free_row(row);
    /* ASCII */
    ctx = ctx_make(true);
    ctx.row_marks = FMT_ROW_UNSENT | FMT_ROW_DRAFT;
    c.last.status = MSGST_SENT;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], "^ ~"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_assignee_first_name_or_you(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    conv_assign(&c, 77, "Ann Lee");
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[1], "Ann"), ROLE_ASSIGNEE);
    assert_false(has(&row[1], "Lee"));
    free_row(row);
    conv_assign(&c, ME, "Ben Ortiz");
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_int_equal(role_of(&row[1], "you"), ROLE_ASSIGNEE);
    assert_false(has(&row[1], "Ben"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_status_names(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    const enum conv_status st[] = {CONV_PENDING, CONV_SNOOZED, CONV_RESOLVED};
    const char *const want[] = {"pending", "snoozed", "resolved"};
    for (size_t i = 0; i < 3; i++) {
        struct conversation c;
        struct fmt_line row[FMT_LIST_ROW_LINES];
        conv_init(&c, "Maria", "hi");
        c.status = st[i];
        fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
        assert_true(has(&row[1], want[i]));
        free_row(row);
        model_conversation_free(&c);
    }
}

static void test_fmt__list_row_preview_prefixes(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];

    conv_init(&c, "Maria", "on my way\nsee you");
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  on my way see you")); /* newline → space */
    free_row(row);

    c.last.type = MSG_OUTGOING;
    msg_set_sender(&c.last, SENDER_AGENT, ME, "Ben Ortiz");
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  you: on my way"));
    free_row(row);

    c.last.is_private = true;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  note: on my way"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_attachment_only_and_deleted(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "");
    msg_add_attachment(&c.last, "image", "https://example.com/a.jpg", 1000);
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  [image]"));
    assert_false(has(&row[1], "https"));
    free_row(row);
    c.last.deleted = true;
    fmt_list_row(&c, &ctx, 60, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  (deleted)"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_preview_off_hides_text(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    ctx.preview = false;
    conv_init(&c, "Maria", "my card number is 4111");
    fmt_list_row(&c, &ctx, 80, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "(message hidden)"));
    assert_false(has(&row[1], "4111"));
    assert_false(has(&row[1], "card"));
    free_row(row);
    free(c.last.content);
    c.last.content = xstrdup("");
    msg_add_attachment(&c.last, "image", "https://example.com/a.jpg", 1000);
    fmt_list_row(&c, &ctx, 80, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "(message hidden)"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_no_last_message(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "", "");
    model_message_free(&c.last);
    c.has_last = false;
    free(c.contact.phone);
    c.contact.phone = xstrdup("");
    fmt_list_row(&c, &ctx, 40, FMT_SEL_NONE, false, row);
    check_lines(row, 2, 40, false);
    assert_true(has(&row[0], "#900")); /* no name, no phone: the id */
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_line1_gives_way_age_count_priority_waiting(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Maria Gonzalez");
    /* prefix 3 + name kept at 8 + " ⏳12m ‼ (3) 2h" (15) = 26 */
    fmt_list_row(&c, &ctx, 26, FMT_SEL_NONE, false, row);
    assert_true(has(&row[0], " 2h"));
    assert_true(has(&row[0], "Maria G" ELLIPSIS));
    free_row(row);

    fmt_list_row(&c, &ctx, 25, FMT_SEL_NONE, false, row);
    assert_false(has(&row[0], " 2h"));
    assert_true(has(&row[0], "(3)"));
    free_row(row);

    fmt_list_row(&c, &ctx, 21, FMT_SEL_NONE, false, row);
    assert_false(has(&row[0], "(3)"));
    assert_true(has(&row[0], DOUBLE_BANG));
    free_row(row);

    fmt_list_row(&c, &ctx, 17, FMT_SEL_NONE, false, row);
    assert_false(has(&row[0], DOUBLE_BANG));
    assert_true(has(&row[0], HOURGLASS "12m"));
    assert_true(has(&row[0], "Maria G" ELLIPSIS));
    free_row(row);

    /* The name keeps its 8 columns before the waiting time goes. */
    fmt_list_row(&c, &ctx, 16, FMT_SEL_NONE, false, row);
    assert_false(has(&row[0], HOURGLASS));
    assert_true(has(&row[0], "Maria Gonzal" ELLIPSIS));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_line2_gives_way_labels_assignee_then_preview(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Maria");
    /* indent 2 + " you #billing #vip pending" (26) = 28, and the preview */
    fmt_list_row(&c, &ctx, 40, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  Where is"));
    assert_true(has(&row[1], "you #billing #vip pending"));
    free_row(row);

    /* The preview keeps a third of the line: the last label goes first. */
    fmt_list_row(&c, &ctx, 34, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  Where is"));
    assert_false(has(&row[1], "#vip"));
    assert_true(has(&row[1], "you #billing pending"));
    free_row(row);

    fmt_list_row(&c, &ctx, 28, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  Where"));
    assert_false(has(&row[1], "#"));
    assert_true(has(&row[1], "you pending"));
    free_row(row);

    fmt_list_row(&c, &ctx, 20, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  Where"));
    assert_true(has(&row[1], "you pending"));
    free_row(row);

    fmt_list_row(&c, &ctx, 16, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  Where"));
    assert_false(has(&row[1], "you"));
    assert_true(has(&row[1], "pending"));
    free_row(row);

    /* Too narrow for a third to say anything: the status alone. */
    fmt_list_row(&c, &ctx, 12, FMT_SEL_NONE, false, row);
    assert_false(has(&row[1], "Where"));
    assert_true(has(&row[1], "pending"));
    free_row(row);
    model_conversation_free(&c);
}

/* Four labels at the default width: the preview stays. */
static void test_fmt__list_row_labels_never_push_the_preview_out(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Grace Whitman");
    const char *labels[] = {"appointment", "follow-up", "vip", "complaint"};
    for (size_t i = 0; i < c.nlabels; i++)
        free(c.labels[i]);
    free(c.labels);
    c.nlabels = 4;
    c.labels = xcalloc(4, sizeof *c.labels);
    for (size_t i = 0; i < 4; i++)
        c.labels[i] = xstrdup(labels[i]);
    fmt_list_row(&c, &ctx, 42, FMT_SEL_NONE, false, row);
    assert_true(has(&row[1], "  Where is my"));
    assert_true(has(&row[1], "#appointment"));
    assert_true(has(&row[1], "pending"));
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_selection_is_a_bar_in_the_first_column(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (size_t ni = 0; ni < NNAMES; ni++) {
            struct conversation c;
            conv_full(&c, names[ni]);
            for (int cols = 1; cols <= 120; cols += 7) {
                struct fmt_line plain[FMT_LIST_ROW_LINES], active[FMT_LIST_ROW_LINES],
                    inactive[FMT_LIST_ROW_LINES];
                fmt_list_row(&c, &ctx, cols, FMT_SEL_NONE, true, plain);
                fmt_list_row(&c, &ctx, cols, FMT_SEL_ACTIVE, true, active);
                fmt_list_row(&c, &ctx, cols, FMT_SEL_INACTIVE, true, inactive);
                for (int i = 0; i < FMT_LIST_ROW_LINES; i++) {
                    check_line(&active[i], cols, ascii);
                    check_line(&inactive[i], cols, ascii);
                    assert_int_equal(plain[i].text[0], ' ');
                    assert_int_equal(active[i].text[0], ' ');
                    assert_int_equal(active[i].spans[0].start, 0);
                    assert_int_equal(active[i].spans[0].end, 1);
                    assert_int_equal(active[i].spans[0].role, ROLE_SELECTED);
                    assert_int_equal(inactive[i].spans[0].start, 0);
                    assert_int_equal(inactive[i].spans[0].role, ROLE_DIM);
                    if (ascii)
                        assert_int_equal(inactive[i].text[0], '|');
                    /* Everything after the bar is the same in all three. */
                    size_t bar = inactive[i].spans[0].end;
                    assert_string_equal(plain[i].text + 1, active[i].text + 1);
                    assert_string_equal(plain[i].text + 1, inactive[i].text + bar);
                    assert_int_equal(plain[i].nspans + 1, active[i].nspans);
                    assert_int_equal(plain[i].nspans + 1, inactive[i].nspans);
                }
                free_row(plain);
                free_row(active);
                free_row(inactive);
            }
            model_conversation_free(&c);
        }
    }
}

static void test_fmt__list_row_mark_in_second_column(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c, "Maria", "hi");
    c.unread = 2;
    fmt_list_row(&c, &ctx, 40, FMT_SEL_NONE, true, row);
    assert_int_equal(row[0].text[1], '*');
    assert_int_equal(row[0].spans[0].start, 1);
    assert_int_equal(row[0].spans[0].end, 2);
    assert_int_equal(row[0].spans[0].role, ROLE_MARK);
    free_row(row);
    /* Not marked: the unread dot. */
    fmt_list_row(&c, &ctx, 40, FMT_SEL_NONE, false, row);
    assert_memory_equal(row[0].text, " \xe2\x97\x8f ", 5);
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_leading_mark_gets_its_own_base(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_init(&c,
              "\xcc\x81"
              "Ana",
              "hi");
    c.unread = 1;
    fmt_list_row(&c, &ctx, 30, FMT_SEL_NONE, false, row);
    check_lines(row, 2, 30, false);
    /* Drawn alone (its own span) or after the dot, the mark sits on the
     * same dotted circle, so the row is 30 columns either way. */
    assert_int_equal(role_of(&row[0], DOTTED_CIRCLE "\xcc\x81"
                                                    "Ana"),
                     ROLE_UNREAD);
    free_row(row);
    model_conversation_free(&c);
}

static void test_fmt__list_row_ascii_glyphs(void **state)
{
    struct fmt_ctx ctx = ctx_make(true);
    struct conversation c;
    struct fmt_line row[FMT_LIST_ROW_LINES];
    conv_full(&c, "Jos" E_ACUTE " " CJK_NAME " " FAMILY);
    fmt_list_row(&c, &ctx, 100, FMT_SEL_NONE, false, row);
    check_lines(row, 2, 100, true);
    assert_memory_equal(row[0].text, " N Jose ?????? ", 15);
    assert_true(has(&row[0], "W12m !! (3) 2h"));
    free_row(row);
    /* Cut with '~' in place of the ellipsis. */
    fmt_list_row(&c, &ctx, 18, FMT_SEL_NONE, false, row);
    check_lines(row, 2, 18, true);
    assert_true(has(&row[0], "~"));
    free_row(row);
    model_conversation_free(&c);
}

/* --- thread ------------------------------------------------------------- */

struct msgs {
    struct message v[16];
    size_t n;
};

static struct message *msgs_add(struct msgs *ms, enum msg_type type, const char *content,
                                int64_t at)
{
    assert_true(ms->n < 16);
    struct message *m = &ms->v[ms->n++];
    msg_init(m, type, content, at);
    return m;
}

static void msgs_free(struct msgs *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        model_message_free(&ms->v[i]);
    ms->n = 0;
}

/* The index of the first line containing needle at or after from; fails
 * if there is none. */
static size_t find_line(const struct fmt_line *l, size_t n, size_t from, const char *needle)
{
    for (size_t i = from; i < n; i++)
        if (has(&l[i], needle))
            return i;
    fail_msg("no line with \"%s\"", needle);
    return n;
}

static bool any_line(const struct fmt_line *l, size_t n, const char *needle)
{
    for (size_t i = 0; i < n; i++)
        if (has(&l[i], needle))
            return true;
    return false;
}

/* A thread with one of everything. */
static void thread_sample(struct msgs *ms, const char *name, const char *body)
{
    struct message *m;
    msgs_add(ms, MSG_INCOMING, body, NOW - DAY - 2 * HOUR);
    m = msgs_add(ms, MSG_OUTGOING, body, NOW - DAY - HOUR);
    m->status = MSGST_READ;
    m = msgs_add(ms, MSG_OUTGOING, "checking", NOW - 3 * HOUR);
    m->is_private = true;
    msg_set_sender(m, SENDER_AGENT, 77, name);
    msgs_add(ms, MSG_ACTIVITY, "Conversation was resolved by Ann", NOW - 2 * HOUR);
    m = msgs_add(ms, MSG_OUTGOING, body, NOW - HOUR);
    m->status = MSGST_FAILED;
    free(m->external_error);
    m->external_error = xstrdup(body);
    m = msgs_add(ms, MSG_INCOMING, "", NOW - 50 * MIN);
    msg_add_attachment(m, "image", "https://example.com/uploads/" FLAG_FR "/a.jpg", 235520);
    msg_add_attachment(m, "file", "https://example.com/b.pdf", 0);
    msg_add_attachment(m, CJK_NAME, "https://example.com/\n" CJK_NAME CJK_NAME CJK_NAME, 7);
    m = msgs_add(ms, MSG_TEMPLATE, "We are closed", NOW - 40 * MIN);
    msg_set_sender(m, SENDER_NONE, 0, "");
    m = msgs_add(ms, MSG_OUTGOING, body, NOW - 30 * MIN);
    m->deleted = true;
    m = msgs_add(ms, MSG_OUTGOING, body, 0);
    m->status = MSGST_SENDING;
}

/* Every symbol the list and the thread draw is in the help's legend
 * (UTF-8 and ASCII alike): what is drawn here cannot drift from it. */
static void assert_in_legend(const struct fmt_line *l, bool ascii)
{
    size_t n;
    const struct fmt_symbol *sym = fmt_legend(&n);
    const unsigned char *p = (const unsigned char *)l->text;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
        bool symbol = len == 3 && (p[0] == 0xe2); /* U+2000..U+2FFF: arrows, shapes, dingbats */
        bool ascii_mark = ascii && strchr("|*!^~?<>+", (int)*p);
        if (symbol || ascii_mark) {
            char one[5] = {0};
            memcpy(one, p, len);
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                found = strstr(ascii ? sym[i].ascii : sym[i].glyph, one) != NULL;
            /* The ellipsis of a cut and the separator of a day are no symbols. */
            if (!found && strcmp(one, ELLIPSIS) != 0 && strcmp(one, "\xe2\x94\x80") != 0)
                fail_msg("\"%s\" in \"%s\" is not in the legend", one, l->text);
        }
        p += len;
    }
}

static void test_fmt__every_symbol_drawn_is_in_the_legend(void **state)
{
    (void)state;
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        struct conversation c;
        struct fmt_line row[FMT_LIST_ROW_LINES];
        conv_full(&c, "Maria Gonzalez");
        ctx.row_marks = FMT_ROW_FAILED | FMT_ROW_DRAFT;
        for (int sel = FMT_SEL_NONE; sel <= FMT_SEL_INACTIVE; sel++) {
            fmt_list_row(&c, &ctx, 100, (enum fmt_sel)sel, sel == FMT_SEL_NONE, row);
            for (int k = 0; k < FMT_LIST_ROW_LINES; k++)
                assert_in_legend(&row[k], ascii);
            free_row(row);
        }
        c.priority = PRIORITY_HIGH;
        ctx.typing = "Ann";
        for (unsigned m = FMT_ROW_UNSENT; m <= FMT_ROW_UNSURE; m <<= 1) {
            ctx.row_marks = m;
            fmt_list_row(&c, &ctx, 100, FMT_SEL_NONE, false, row);
            for (int k = 0; k < FMT_LIST_ROW_LINES; k++)
                assert_in_legend(&row[k], ascii);
            free_row(row);
        }
        ctx.typing = NULL;
        model_conversation_free(&c);
        struct msgs ms = {.n = 0};
        thread_sample(&ms, "Ann", "hello");
        struct message *m = msgs_add(&ms, MSG_OUTGOING, "b", NOW);
        m->status = MSGST_SENT;
        m = msgs_add(&ms, MSG_OUTGOING, "c", NOW);
        m->status = MSGST_DELIVERED;
        struct fmt_line *lines;
        size_t n = fmt_thread(ms.v, ms.n, &ctx, 100, &lines);
        for (size_t i = 0; i < n; i++)
            assert_in_legend(&lines[i], ascii);
        fmt_lines_free(lines, n);
        msgs_free(&ms);
    }
}

/* Chatwoot passes Twilio's own terse text; the agent gets plain words,
 * once (twowayd's text already has them). */
static void test_fmt__thread_failure_code_explained_in_words(void **state)
{
    (void)state;
    struct fmt_ctx ctx = ctx_make(0);
    struct msgs ms = {.n = 0};
    struct message *m = msgs_add(&ms, MSG_OUTGOING, "hi", NOW);
    m->status = MSGST_FAILED;
    free(m->external_error);
    m->external_error = xstrdup("30003 - Unreachable destination handset");
    m = msgs_add(&ms, MSG_OUTGOING, "again", NOW + 1);
    m->status = MSGST_FAILED;
    free(m->external_error);
    m->external_error =
        xstrdup("30003 - Phone unreachable (off or no signal); often temporary, retry later");
    struct fmt_line *lines;
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 200, &lines);
    assert_true(
        any_line(lines, n, "Unreachable destination handset \xe2\x80\x94 Phone unreachable"));
    size_t said = 0;
    for (size_t i = 0; i < n; i++)
        said += has(&lines[i], "Phone unreachable (off");
    assert_int_equal(said, 2); /* once each: not repeated on twowayd's own text */
    fmt_lines_free(lines, n);
    msgs_free(&ms);
}

static void test_fmt__thread_mentions_shown_as_names(void **state)
{
    (void)state;
    struct fmt_ctx ctx = ctx_make(0);
    struct msgs ms = {.n = 0};
    struct message *m = msgs_add(
        &ms, MSG_OUTGOING, "Hi [@Chloe Park](mention://user/3/Chloe%20Park), and [@broken", NOW);
    m->is_private = true;
    struct fmt_line *lines;
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 80, &lines);
    assert_true(any_line(lines, n, "Hi @Chloe Park, and [@broken"));
    assert_false(any_line(lines, n, "mention://"));
    fmt_lines_free(lines, n);
    msgs_free(&ms);
}

static void test_fmt__thread_every_line_exactly_cols(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (size_t ni = 0; ni < NNAMES; ni++) {
            struct msgs ms = {.n = 0};
            thread_sample(&ms, names[ni], bodies[ni % NBODIES]);
            ctx.contact = names[ni];
            for (int cols = 1; cols <= 200; cols = next_cols(cols)) {
                struct fmt_line *lines;
                size_t n = fmt_thread(ms.v, ms.n, &ctx, cols, &lines);
                assert_true(n >= ms.n);
                check_lines(lines, n, cols, ascii);
                fmt_lines_free(lines, n);
            }
            msgs_free(&ms);
        }
    }
}

static void test_fmt__thread_first_lines_name_and_direction(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    msgs_add(&ms, MSG_INCOMING, "hello", NOW - 2 * HOUR + 5 * MIN);
    struct message *m = msgs_add(&ms, MSG_OUTGOING, "hi there", NOW - HOUR);
    m->status = MSGST_DELIVERED;
    m = msgs_add(&ms, MSG_OUTGOING, "from Ann", NOW - HOUR);
    msg_set_sender(m, SENDER_AGENT, 77, "Ann Lee");
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 60, &l);
    check_lines(l, n, 60, false);

    size_t i = find_line(l, n, 0, "10:05 " LEFT_ARROW " Maria Gonzalez");
    assert_memory_equal(l[i].text, "10:05 ", 6);
    assert_int_equal(role_of(&l[i], "10:05"), ROLE_DIM);
    assert_int_equal(role_of(&l[i], "Maria Gonzalez"), ROLE_INCOMING);
    assert_memory_equal(l[i + 1].text, "  hello ", 8);
    i = find_line(l, n, i, "11:00 " RIGHT_ARROW " you");
    assert_int_equal(role_of(&l[i], "you"), ROLE_OUTGOING);
    assert_int_equal(role_of(&l[i], CHECK CHECK), ROLE_DELIVERED);
    /* The status sits at the right edge. */
    assert_string_equal(l[i].text + strlen(l[i].text) - strlen(CHECK CHECK), CHECK CHECK);
    find_line(l, n, i, RIGHT_ARROW " Ann Lee");
    fmt_lines_free(l, n);

    /* The contact's label names incoming messages when the caller gives it. */
    ctx.contact = "+15551230000";
    n = fmt_thread(ms.v, ms.n, &ctx, 60, &l);
    find_line(l, n, 0, LEFT_ARROW " +15551230000");
    assert_false(any_line(l, n, "Maria"));
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_delivery_status_glyphs(void **state)
{
    const enum msg_status st[] = {MSGST_SENDING, MSGST_SENT, MSGST_DELIVERED, MSGST_READ,
                                  MSGST_FAILED};
    const char *const utf[] = {"sending" ELLIPSIS, " " CHECK, CHECK CHECK, CHECK CHECK " read",
                               CROSS " failed"};
    const char *const asc[] = {"sending...", " +", "++", "++ read", "x failed"};
    const enum fmt_role roles[] = {ROLE_SENDING, ROLE_DELIVERED, ROLE_DELIVERED, ROLE_DELIVERED,
                                   ROLE_FAILED};
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (size_t k = 0; k < 5; k++) {
            struct msgs ms = {.n = 0};
            struct fmt_line *l;
            msgs_add(&ms, MSG_OUTGOING, "hi", NOW)->status = st[k];
            size_t n = fmt_thread(ms.v, ms.n, &ctx, 50, &l);
            check_lines(l, n, 50, ascii);
            const char *want = ascii ? asc[k] : utf[k];
            const struct fmt_line *first = &l[1];
            assert_string_equal(first->text + strlen(first->text) - strlen(want), want);
            assert_int_equal(role_of(first, want + (want[0] == ' ')), roles[k]);
            assert_memory_equal(first->text, "12:00 ", 6);
            fmt_lines_free(l, n);
            msgs_free(&ms);

            /* Not yet on the server: no time, but the arrow lines up. */
            msgs_add(&ms, MSG_OUTGOING, "hi", 0)->status = st[k];
            n = fmt_thread(ms.v, ms.n, &ctx, 50, &l);
            assert_int_equal(n, st[k] == MSGST_FAILED ? 3 : 2);
            assert_memory_equal(l[0].text, "      ", 6);
            assert_true(has(&l[0], ascii ? "> you" : RIGHT_ARROW " you"));
            fmt_lines_free(l, n);
            msgs_free(&ms);
        }
    }
}

static void test_fmt__thread_failed_message_says_why(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    struct message *m = msgs_add(&ms, MSG_OUTGOING, "are you there?", NOW);
    m->status = MSGST_FAILED;
    free(m->external_error);
    m->external_error = xstrdup("30007: Carrier violation");
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 60, &l);
    check_lines(l, n, 60, false);
    size_t i = find_line(l, n, 0, CROSS " failed");
    i = find_line(l, n, i, "are you there?");
    i = find_line(l, n, i, "  failed: 30007: Carrier violation");
    assert_int_equal(role_of(&l[i], "failed: 30007: Carrier violation"), ROLE_FAILED);
    fmt_lines_free(l, n);

    free(m->external_error);
    m->external_error = xstrdup("");
    n = fmt_thread(ms.v, ms.n, &ctx, 60, &l);
    find_line(l, n, 0, "  failed: no reason given");
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_reply_that_may_have_been_sent_says_so_and_what_to_do(void **state)
{
    static const char why[] = "may have been sent (the look in the thread failed: "
                              "garbage) \xe2\x80\x94 check the thread, then `retry` or `discard`";
    for (int note = 0; note < 2; note++) {
        struct fmt_ctx ctx = ctx_make(false);
        struct msgs ms = {.n = 0};
        struct fmt_line *l;
        struct message *m = msgs_add(&ms, MSG_OUTGOING, "see you at 3", 0);
        m->status = MSGST_UNSURE;
        m->is_private = note;
        free(m->external_error);
        m->external_error = xstrdup(why);
        size_t n = fmt_thread(ms.v, ms.n, &ctx, 60, &l);
        check_lines(l, n, 60, false);
        size_t i = find_line(l, n, 0, "? may have been sent");
        assert_int_equal(role_of(&l[i], "? may have been sent"), ROLE_FAILED);
        i = find_line(l, n, i, "see you at 3");
        i = find_line(l, n, i, "  may have been sent (the look in the thread");
        assert_false(any_line(l, n, "  failed: "));
        assert_true(any_line(l, n, "check the thread, then"));
        assert_true(any_line(l, n, "`discard`"));
        fmt_lines_free(l, n);
        msgs_free(&ms);
    }
}

static void test_fmt__thread_day_separator_when_day_changes(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    msgs_add(&ms, MSG_INCOMING, "a", NOW - DAY);
    msgs_add(&ms, MSG_INCOMING, "b", NOW - DAY + 60);
    msgs_add(&ms, MSG_INCOMING, "c", NOW);
    msgs_add(&ms, MSG_INCOMING, "d", NOW + 60);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 40, &l);
    check_lines(l, n, 40, false);
    assert_int_equal(n, 2 + 4 * 2);
    assert_true(has(&l[0], " Thu 26 Nov "));
    assert_true(has(&l[5], " Fri 27 Nov "));
    /* A short rule each side, in the middle: "   ─── Fri 27 Nov ───   ". */
    assert_true(has(&l[5], "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80 Fri 27 Nov "
                           "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"));
    assert_memory_equal(l[5].text, "           \xe2\x94\x80", 14);
    assert_int_equal(l[5].nspans, 1);
    assert_int_equal(l[5].spans[0].role, ROLE_DAY);
    assert_int_equal(l[5].spans[0].start, 11);
    fmt_lines_free(l, n);
    msgs_free(&ms);

    /* Another year says which. */
    msgs_add(&ms, MSG_INCOMING, "old", 1767173400LL); /* 2025-12-31 09:30 UTC */
    n = fmt_thread(ms.v, ms.n, &ctx, 40, &l);
    assert_true(has(&l[0], "Wed 31 Dec 2025"));
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_body_wraps_under_indent(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    msgs_add(&ms, MSG_INCOMING,
             "The quick brown fox jumps over the lazy dog and keeps running far away", NOW);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 22, &l);
    check_lines(l, n, 22, false);
    assert_true(n > 4);
    for (size_t i = 2; i < n; i++)
        assert_memory_equal(l[i].text, "  ", 2);
    assert_string_equal(l[2].text, "  The quick brown fox ");
    assert_string_equal(l[n - 1].text, "  running far away    ");
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_huge_unbroken_body_is_bounded(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    char *big = xmalloc(10001);
    memset(big, 'x', 10000);
    big[10000] = '\0';
    msgs_add(&ms, MSG_INCOMING, big, NOW);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 80, &l);
    check_lines(l, n, 80, false);
    /* 10000 columns in 78-column lines: 129 body lines. */
    assert_int_equal(n, 2 + (10000 + 77) / 78);
    fmt_lines_free(l, n);
    msgs_free(&ms);
    free(big);

    /* A 64 KB body in a narrow pane stops at a bound and says so. */
    big = xmalloc(TEXT_MAX_INPUT + 1);
    memset(big, 'y', TEXT_MAX_INPUT);
    big[TEXT_MAX_INPUT] = '\0';
    msgs_add(&ms, MSG_INCOMING, big, NOW);
    n = fmt_thread(ms.v, ms.n, &ctx, 20, &l);
    check_lines(l, n, 20, false);
    assert_true(n <= 1100);
    assert_true(has(&l[n - 1], "more lines"));
    fmt_lines_free(l, n);
    msgs_free(&ms);
    free(big);
}

static void test_fmt__thread_note_has_bar_and_note_role(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    struct message *m = msgs_add(&ms, MSG_OUTGOING, "customer is a VIP\nbe nice", NOW);
    m->is_private = true;
    msg_set_sender(m, SENDER_AGENT, 77, "Ben");
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 40, &l);
    check_lines(l, n, 40, false);
    assert_int_equal(n, 4);
    assert_int_equal(role_of(&l[1], "Ben (note)"), ROLE_NOTE);
    assert_false(has(&l[1], CHECK)); /* notes are not delivered */
    assert_memory_equal(l[2].text, "  " BAR " customer is a VIP",
                        strlen("  " BAR " customer is a VIP"));
    assert_memory_equal(l[3].text, "  " BAR " be nice", strlen("  " BAR " be nice"));
    assert_int_equal(role_of(&l[2], BAR " customer is a VIP"), ROLE_NOTE);
    fmt_lines_free(l, n);

    ctx.ascii = true;
    n = fmt_thread(ms.v, ms.n, &ctx, 40, &l);
    assert_memory_equal(l[2].text, "  | customer", 12);
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_activity_is_one_dim_line(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    msgs_add(&ms, MSG_ACTIVITY, "Conversation was resolved by Ann", NOW);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 50, &l);
    check_lines(l, n, 50, false);
    assert_int_equal(n, 2);
    assert_memory_equal(l[1].text, MIDDOT " Conversation was resolved by Ann",
                        strlen(MIDDOT " Conversation was resolved by Ann"));
    assert_int_equal(role_of(&l[1], MIDDOT " Conversation was resolved by Ann"), ROLE_ACTIVITY);
    fmt_lines_free(l, n);
    n = fmt_thread(ms.v, ms.n, &ctx, 20, &l);
    assert_int_equal(n, 2);
    assert_true(has(&l[1], ELLIPSIS));
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_template_and_deleted(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    struct message *m = msgs_add(&ms, MSG_TEMPLATE, "We are closed until 9:00", NOW);
    msg_set_sender(m, SENDER_NONE, 0, "");
    m = msgs_add(&ms, MSG_INCOMING, "secret stuff", NOW);
    m->deleted = true;
    msg_add_attachment(m, "image", "https://example.com/x.jpg", 100);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 50, &l);
    check_lines(l, n, 50, false);
    size_t i = find_line(l, n, 0, RIGHT_ARROW " auto");
    assert_int_equal(role_of(&l[i], "auto"), ROLE_OUTGOING);
    find_line(l, n, i, "We are closed until 9:00");
    i = find_line(l, n, i, "  (deleted)");
    assert_int_equal(role_of(&l[i], "(deleted)"), ROLE_DIM);
    assert_false(any_line(l, n, "secret"));
    assert_false(any_line(l, n, "x.jpg"));
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_attachment_lines(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    struct message *m = msgs_add(&ms, MSG_INCOMING, "see photo", NOW);
    msg_add_attachment(m, "image", "https://example.com/a.jpg", 235520);
    msg_add_attachment(m, "file", "https://example.com/b.pdf", 0);
    msg_add_attachment(m, "", "", 0);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 60, &l);
    check_lines(l, n, 60, false);
    size_t i = find_line(l, n, 0, "  [image 230 KB] https://example.com/a.jpg");
    assert_int_equal(role_of(&l[i], "[image 230 KB] https://example.com/a.jpg"), ROLE_LINK);
    i = find_line(l, n, i, "  [file] https://example.com/b.pdf");
    find_line(l, n, i, "  [file]  ");
    fmt_lines_free(l, n);

    /* A long URL starts beside its tag and runs on below, whole. */
    n = fmt_thread(ms.v, ms.n, &ctx, 30, &l);
    check_lines(l, n, 30, false);
    i = find_line(l, n, 0, "  [image 230 KB] https://examp");
    assert_string_equal(l[i + 1].text, "  le.com/a.jpg                ");
    assert_int_equal(role_of(&l[i + 1], "le.com/a.jpg"), ROLE_LINK);
    i = find_line(l, n, i, "  [file] https://example.com/b");
    assert_string_equal(l[i + 1].text, "  .pdf                        ");
    fmt_lines_free(l, n);

    /* Each piece of a URL is marked as a link to the whole of it. */
    n = fmt_thread(ms.v, ms.n, &ctx, 30, &l);
    i = find_line(l, n, 0, "  [image 230 KB] https://examp");
    assert_string_equal(l[i].link, "https://example.com/a.jpg");
    assert_int_equal(l[i].link_end - l[i].link_start, strlen("https://examp"));
    assert_memory_equal(l[i].text + l[i].link_start, "https://examp", 13);
    assert_string_equal(l[i + 1].link, "https://example.com/a.jpg");
    assert_memory_equal(l[i + 1].text + l[i + 1].link_start, "le.com/a.jpg", 12);
    assert_int_equal(l[i + 1].link_end - l[i + 1].link_start, 12);
    fmt_lines_free(l, n);

    /* Too narrow beside the tag: the URL gets lines of its own. */
    n = fmt_thread(ms.v, ms.n, &ctx, 20, &l);
    check_lines(l, n, 20, false);
    i = find_line(l, n, 0, "  [file]            ");
    assert_true(i + 2 < n);
    assert_string_equal(l[i + 1].text, "  https://example.co");
    assert_string_equal(l[i + 2].text, "  m/b.pdf           ");
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

/* Only a plain http(s) URL of printable ASCII is a link: anything else is
 * text on the screen and nothing more. */
static void test_fmt__thread_only_plain_urls_are_links(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    struct message *m = msgs_add(&ms, MSG_INCOMING, "files", NOW);
    static const char *const no[] = {
        "javascript:alert(1)", "file:///etc/passwd", "https://ex.com/\xe2\x90\x9b]8;;x",
        "https://ex.com/a b",  "ftp://ex.com/a",     "https://"};
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
        msg_add_attachment(m, "file", no[k], 0);
    msg_add_attachment(m, "image", "HTTPS://EX.COM/a?b=1&c=$(x)", 0);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 80, &l);
    size_t linked = 0;
    for (size_t i = 0; i < n; i++)
        if (l[i].link) {
            linked++;
            assert_string_equal(l[i].link, "HTTPS://EX.COM/a?b=1&c=$(x)");
        }
    assert_int_equal(linked, 1);
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_ascii_is_pure_ascii(void **state)
{
    struct fmt_ctx ctx = ctx_make(true);
    struct msgs ms = {.n = 0};
    struct fmt_line *l;
    thread_sample(&ms, names[3], bodies[3]);
    size_t n = fmt_thread(ms.v, ms.n, &ctx, 70, &l);
    check_lines(l, n, 70, true);
    find_line(l, n, 0, "-- Thu 26 Nov --");
    find_line(l, n, 0, "< Maria Gonzalez");
    find_line(l, n, 0, "> you");
    find_line(l, n, 0, "++ read");
    find_line(l, n, 0, "x failed");
    find_line(l, n, 0, "- Conversation was resolved by Ann");
    find_line(l, n, 0, "  | checking");
    find_line(l, n, 0, "sending...");
    fmt_lines_free(l, n);
    msgs_free(&ms);
}

static void test_fmt__thread_empty_and_zero_width(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct msgs ms = {.n = 0};
    struct fmt_line *l = (struct fmt_line *)&ms;
    assert_int_equal(fmt_thread(NULL, 0, &ctx, 80, &l), 0);
    assert_null(l);
    msgs_add(&ms, MSG_INCOMING, "hi", NOW);
    assert_int_equal(fmt_thread(ms.v, ms.n, &ctx, 0, &l), 0);
    assert_null(l);
    msgs_free(&ms);
}

/* --- contact header ----------------------------------------------------- */

static void test_fmt__header_identity_optout_and_attributes(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line *l;
    conv_init(&c, "Maria Gonzalez", "hi");
    free(c.contact.email);
    c.contact.email = xstrdup("maria@example.com");
    c.contact.opted_out = true;
    c.contact.opted_out_at = NOW;
    kv_add(&c.contact.attrs, &c.contact.nattrs, "sms_opt_out", "true");
    kv_add(&c.contact.attrs, &c.contact.nattrs, "plan", "gold");
    kv_add(&c.contact.attrs, &c.contact.nattrs, "city", "Lyon");
    kv_add(&c.attrs, &c.nattrs, "order", "A-1234");
    size_t n = fmt_contact_header(&c, &ctx, 80, 3, &l);
    check_lines(l, n, 80, false);
    assert_int_equal(n, 3);
    assert_memory_equal(
        l[0].text, "Maria Gonzalez " MIDDOT " +15551230000 " MIDDOT " maria@example.com",
        strlen("Maria Gonzalez " MIDDOT " +15551230000 " MIDDOT " maria@example.com"));
    assert_int_equal(role_of(&l[0], "Maria Gonzalez"), ROLE_HEADER);
    assert_memory_equal(l[1].text, "OPTED OUT (STOP) since 2026-11-27", 33);
    assert_int_equal(role_of(&l[1], "OPTED OUT (STOP) since 2026-11-27"), ROLE_OPTOUT);
    assert_memory_equal(l[2].text, "plan: gold  city: Lyon  order: A-1234", 37);
    assert_int_equal(role_of(&l[2], "plan:"), ROLE_DIM);
    assert_int_equal(role_of(&l[2], "gold"), ROLE_HEADER);
    assert_false(has(&l[2], "sms_opt_out"));
    fmt_lines_free(l, n);

    /* Narrow: attributes wrap onto the lines left, and stop at max_lines. */
    n = fmt_contact_header(&c, &ctx, 24, 4, &l);
    check_lines(l, n, 24, false);
    assert_int_equal(n, 4);
    assert_string_equal(l[2].text, "plan: gold  city: Lyon  ");
    assert_string_equal(l[3].text, "order: A-1234           ");
    fmt_lines_free(l, n);
    n = fmt_contact_header(&c, &ctx, 24, 3, &l);
    assert_int_equal(n, 3);
    assert_false(any_line(l, n, "order"));
    fmt_lines_free(l, n);

    /* One line: the opt-out still shows, first. */
    n = fmt_contact_header(&c, &ctx, 80, 1, &l);
    assert_int_equal(n, 1);
    assert_memory_equal(l[0].text, "OPTED OUT " MIDDOT " Maria",
                        strlen("OPTED OUT " MIDDOT " Maria"));
    assert_int_equal(role_of(&l[0], "OPTED OUT"), ROLE_OPTOUT);
    fmt_lines_free(l, n);

    /* No date known. */
    c.contact.opted_out_at = 0;
    n = fmt_contact_header(&c, &ctx, 80, 2, &l);
    assert_true(has(&l[1], "OPTED OUT (STOP)"));
    assert_false(has(&l[1], "since"));
    fmt_lines_free(l, n);
    model_conversation_free(&c);
}

static void test_fmt__header_skips_empty_fields(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct conversation c;
    struct fmt_line *l;
    conv_init(&c, "", "hi");
    size_t n = fmt_contact_header(&c, &ctx, 40, 3, &l);
    check_lines(l, n, 40, false);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].text, "+15551230000                            ");
    fmt_lines_free(l, n);
    assert_int_equal(fmt_contact_header(&c, &ctx, 40, 0, &l), 0);
    assert_null(l);
    model_conversation_free(&c);
}

static void test_fmt__header_every_line_exactly_cols(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (size_t ni = 0; ni < NNAMES; ni++) {
            struct conversation c;
            conv_init(&c, names[ni], "hi");
            free(c.contact.email);
            c.contact.email = xstrdup(names[(ni + 2) % NNAMES]);
            c.contact.opted_out = ni % 2 == 0;
            c.contact.opted_out_at = NOW;
            kv_add(&c.contact.attrs, &c.contact.nattrs, names[(ni + 1) % NNAMES],
                   bodies[ni % NBODIES]);
            kv_add(&c.contact.attrs, &c.contact.nattrs, "city", names[(ni + 4) % NNAMES]);
            for (int cols = 1; cols <= 200; cols = next_cols(cols))
                for (int max = 1; max <= 4; max++) {
                    struct fmt_line *l;
                    size_t n = fmt_contact_header(&c, &ctx, cols, max, &l);
                    assert_true(n >= 1 && n <= (size_t)max);
                    check_lines(l, n, cols, ascii);
                    fmt_lines_free(l, n);
                }
            model_conversation_free(&c);
        }
    }
}

/* --- tabs and status line ----------------------------------------------- */

static void test_fmt__tabs_counts_and_active(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct fmt_tabs t = {.active = 1,
                         .mine = 5,
                         .unassigned = 12,
                         .all = 44,
                         .status = "open",
                         .label = "billing",
                         .inbox = "",
                         .team = "Billing",
                         .search = NULL};
    struct fmt_line l;
    fmt_tabs_line(&t, &ctx, 100, &l);
    check_line(&l, 100, false);
    assert_true(has(&l, " Mine 5  Unassigned 12  All 44 "));
    assert_true(has(&l, "team:Billing"));
    assert_int_equal(role_of(&l, "Unassigned 12"), ROLE_TAB_ACTIVE);
    assert_int_equal(role_of(&l, "Mine 5"), ROLE_TAB);
    assert_int_equal(role_of(&l, "All 44"), ROLE_TAB);
    assert_true(has(&l, "status:open label:billing"));
    assert_false(has(&l, "inbox"));
    /* The bar is one colour edge to edge: no gaps. */
    assert_int_equal(l.spans[0].start, 0);
    assert_int_equal(l.spans[l.nspans - 1].end, strlen(l.text));
    for (size_t i = 1; i < l.nspans; i++)
        assert_int_equal(l.spans[i].start, l.spans[i - 1].end);
    fmt_line_free(&l);

    fmt_tabs_line(&t, &ctx, 26, &l);
    check_line(&l, 26, false);
    assert_true(has(&l, "Unasg 12"));
    fmt_line_free(&l);
}

static void test_fmt__tabs_position_at_the_right_end(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct fmt_tabs t = {.active = 0, .mine = 5, .status = "open", .pos = 3, .total = 44};
    struct fmt_line l;
    fmt_tabs_line(&t, &ctx, 60, &l);
    check_line(&l, 60, false);
    assert_string_equal(l.text + 60 - 5, "3/44 ");
    assert_int_equal(role_of(&l, "3/44"), ROLE_TAB);
    fmt_line_free(&l);
    /* No room: the tabs and filters stay, the position goes. */
    fmt_tabs_line(&t, &ctx, 45, &l);
    check_line(&l, 45, false);
    assert_false(has(&l, "/44"));
    assert_true(has(&l, "status:open"));
    fmt_line_free(&l);
    /* An empty list has no position. */
    t.total = 0;
    fmt_tabs_line(&t, &ctx, 60, &l);
    assert_false(has(&l, "/"));
    fmt_line_free(&l);
}

static void test_fmt__tabs_every_width(void **state)
{
    struct fmt_tabs t = {.active = 2,
                         .mine = 123456,
                         .unassigned = 0,
                         .all = 9999999,
                         .status = "all",
                         .label = CJK_NAME FAMILY,
                         .inbox = "SMS " FLAG_FR,
                         .limit = "50",
                         .search = "Jos" E_ACUTE,
                         .pos = 123456,
                         .total = 9999999};
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (int cols = 0; cols <= 200; cols++) {
            struct fmt_line l;
            fmt_tabs_line(&t, &ctx, cols, &l);
            check_line(&l, cols, ascii);
            fmt_line_free(&l);
        }
    }
}

static void free_rows(struct fmt_line *rows, int n)
{
    for (int i = 0; i < n; i++)
        fmt_line_free(&rows[i]);
}

static void test_fmt__status_line_cuts_middle_first(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct fmt_line l;
    fmt_status_line("acme  mine/open  5/44", "offline (retry in 8s)", true, &ctx, 80, &l);
    check_line(&l, 80, false);
    assert_memory_equal(l.text, " acme  mine/open  5/44 ", 23);
    assert_string_equal(l.text + 80 - 22, "offline (retry in 8s) ");
    assert_int_equal(role_of(&l, "offline (retry in 8s)"), ROLE_STATUS_ALERT);
    assert_int_equal(role_of(&l, "acme"), ROLE_STATUS);
    fmt_line_free(&l);

    fmt_status_line("acme  mine/open  5/44", "offline (retry in 8s)", false, &ctx, 34, &l);
    check_line(&l, 34, false);
    assert_true(has(&l, "offline (retry in 8s)"));
    assert_true(has(&l, "acme  min" ELLIPSIS));
    assert_int_equal(role_of(&l, "offline"), ROLE_STATUS);
    fmt_line_free(&l);
}

static void test_fmt__status_line_every_width(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (int cols = 0; cols <= 200; cols++) {
            struct fmt_line l;
            fmt_status_line(names[cols % NNAMES], names[(cols + 3) % NNAMES], cols % 2, &ctx, cols,
                            &l);
            check_line(&l, cols, ascii);
            fmt_line_free(&l);
        }
    }
}

/* The whole of left, word by word, over the rows (joined with spaces). */
static bool rows_hold(const struct fmt_line *rows, int n, const char *left)
{
    char all[2048] = "";
    for (int i = 0; i < n; i++) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", rows[i].text);
        for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", *all ? " " : "", w);
    }
    return strstr(all, left) != NULL;
}

static void test_fmt__status_lines_wrap_a_long_message(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct fmt_line rows[FMT_STATUS_ROWS_MAX];
    const char *why = "the server refused it: Maria asked us not to text her after 6 pm, "
                      "call her at the shop instead";
    const char *meter = "GSM-7 41/160 · 1/10 SMS";
    /* One row cuts it, as fmt_status_line does, and says it needs two. */
    assert_int_equal(fmt_status_lines(why, meter, true, &ctx, 80, 1, rows), 2);
    check_line(&rows[0], 80, false);
    assert_true(has(&rows[0], ELLIPSIS));
    assert_string_equal(rows[0].text + strlen(rows[0].text) - strlen(meter) - 1,
                        "GSM-7 41/160 · 1/10 SMS ");
    fmt_line_free(&rows[0]);
    /* Two rows: all of it, the meter at the end of the last. */
    assert_int_equal(fmt_status_lines(why, meter, true, &ctx, 80, 2, rows), 2);
    check_lines(rows, 2, 80, false);
    assert_true(rows_hold(rows, 2, why));
    assert_false(has(&rows[0], ELLIPSIS) || has(&rows[1], ELLIPSIS));
    assert_true(has(&rows[1], meter));
    assert_int_equal(role_of(&rows[1], meter), ROLE_STATUS_ALERT);
    free_rows(rows, 2);
    /* More rows than it needs: the top one stays empty. */
    assert_int_equal(fmt_status_lines(why, meter, true, &ctx, 80, 3, rows), 2);
    check_lines(rows, 3, 80, false);
    assert_string_equal(rows[0].text, "                                        "
                                      "                                        ");
    assert_true(rows_hold(rows + 1, 2, why));
    free_rows(rows, 3);
    /* A last line that leaves no room: the meter on a row of its own. */
    const char *fills =
        "the server refused it: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xx and then there is this line which is long enough to fill";
    int need = fmt_status_lines(fills, meter, false, &ctx, 80, 1, rows);
    fmt_line_free(&rows[0]);
    assert_int_equal(need, 3);
    assert_int_equal(fmt_status_lines(fills, meter, false, &ctx, 80, 3, rows), 3);
    assert_true(rows_hold(rows, 2, fills));
    assert_false(has(&rows[1], meter));
    assert_true(has(&rows[2], meter));
    free_rows(rows, 3);
    /* Short: one row, as before. */
    assert_int_equal(fmt_status_lines("draft restored", meter, false, &ctx, 80, 1, rows), 1);
    assert_true(has(&rows[0], " draft restored "));
    fmt_line_free(&rows[0]);
}

static void test_fmt__status_lines_no_more_than_the_most(void **state)
{
    struct fmt_ctx ctx = ctx_make(false);
    struct fmt_line rows[FMT_STATUS_ROWS_MAX];
    char huge[8192];
    for (size_t i = 0; i + 1 < sizeof huge; i++)
        huge[i] = i % 7 == 6 ? ' ' : 'a' + (char)(i % 26);
    huge[sizeof huge - 1] = '\0';
    int need = fmt_status_lines(huge, "online", false, &ctx, 80, FMT_STATUS_ROWS_MAX, rows);
    assert_int_equal(need, FMT_STATUS_ROWS_MAX);
    check_lines(rows, FMT_STATUS_ROWS_MAX, 80, false);
    assert_true(has(&rows[FMT_STATUS_ROWS_MAX - 1], ELLIPSIS " online "));
    free_rows(rows, FMT_STATUS_ROWS_MAX);
}

static void test_fmt__status_lines_every_width_and_height(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        struct fmt_ctx ctx = ctx_make(ascii);
        for (int cols = 0; cols <= 120; cols++)
            for (int h = 1; h <= FMT_STATUS_ROWS_MAX; h++) {
                struct fmt_line rows[FMT_STATUS_ROWS_MAX];
                char left[600] = "";
                for (size_t i = 0; i < 4; i++)
                    snprintf(left + strlen(left), sizeof left - strlen(left), "%s ",
                             names[(cols + i) % NNAMES]);
                int need = fmt_status_lines(left, names[(cols + 3) % NNAMES], cols % 2, &ctx, cols,
                                            h, rows);
                assert_true(need >= 1 && need <= FMT_STATUS_ROWS_MAX);
                check_lines(rows, (size_t)h, cols, ascii);
                free_rows(rows, h);
            }
    }
}

/* --- sizes -------------------------------------------------------------- */

static void assert_size(int64_t bytes, const char *want)
{
    char b[16];
    text_size(bytes, b, sizeof b);
    assert_string_equal(b, want);
}

static void test_fmt__size_units(void **state)
{
    assert_size(0, "0 B");
    assert_size(-5, "0 B");
    assert_size(512, "512 B");
    assert_size(1023, "1023 B");
    assert_size(1024, "1.0 KB");
    assert_size(1536, "1.5 KB");
    assert_size(235520, "230 KB");
    assert_size(1048575, "1.0 MB");
    assert_size(1258291, "1.2 MB");
    assert_size(50LL * 1024 * 1024, "50 MB");
    assert_size(3LL * 1024 * 1024 * 1024, "3.0 GB");
    assert_size(INT64_MAX, "8388608 TB");
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt__list_row_every_line_exactly_cols),
        cmocka_unit_test(test_fmt__list_row_zero_cols_is_empty),
        cmocka_unit_test(test_fmt__list_row_name_cut_at_cluster_boundary),
        cmocka_unit_test(test_fmt__list_row_line1_fields_and_roles),
        cmocka_unit_test(test_fmt__list_row_line2_fields_and_roles),
        cmocka_unit_test(test_fmt__list_row_read_open_conversation_is_quiet),
        cmocka_unit_test(test_fmt__list_row_unread_count_capped),
        cmocka_unit_test(test_fmt__list_row_priority_glyphs),
        cmocka_unit_test(test_fmt__list_row_waiting_from_last_incoming_message),
        cmocka_unit_test(test_fmt__list_row_age_left_out_when_the_wait_says_it),
        cmocka_unit_test(test_fmt__list_row_ages_in_minutes),
        cmocka_unit_test(test_fmt__list_row_marks_failed_unsent_and_draft),
        cmocka_unit_test(test_fmt__every_symbol_drawn_is_in_the_legend),
        cmocka_unit_test(test_fmt__list_row_assignee_first_name_or_you),
        cmocka_unit_test(test_fmt__list_row_status_names),
        cmocka_unit_test(test_fmt__list_row_preview_prefixes),
        cmocka_unit_test(test_fmt__list_row_attachment_only_and_deleted),
        cmocka_unit_test(test_fmt__list_row_preview_off_hides_text),
        cmocka_unit_test(test_fmt__list_row_no_last_message),
        cmocka_unit_test(test_fmt__list_row_line1_gives_way_age_count_priority_waiting),
        cmocka_unit_test(test_fmt__list_row_line2_gives_way_labels_assignee_then_preview),
        cmocka_unit_test(test_fmt__list_row_labels_never_push_the_preview_out),
        cmocka_unit_test(test_fmt__list_row_selection_is_a_bar_in_the_first_column),
        cmocka_unit_test(test_fmt__list_row_mark_in_second_column),
        cmocka_unit_test(test_fmt__list_row_leading_mark_gets_its_own_base),
        cmocka_unit_test(test_fmt__list_row_ascii_glyphs),
        cmocka_unit_test(test_fmt__thread_every_line_exactly_cols),
        cmocka_unit_test(test_fmt__thread_mentions_shown_as_names),
        cmocka_unit_test(test_fmt__thread_failure_code_explained_in_words),
        cmocka_unit_test(test_fmt__thread_first_lines_name_and_direction),
        cmocka_unit_test(test_fmt__thread_delivery_status_glyphs),
        cmocka_unit_test(test_fmt__thread_failed_message_says_why),
        cmocka_unit_test(test_fmt__thread_reply_that_may_have_been_sent_says_so_and_what_to_do),
        cmocka_unit_test(test_fmt__thread_day_separator_when_day_changes),
        cmocka_unit_test(test_fmt__thread_body_wraps_under_indent),
        cmocka_unit_test(test_fmt__thread_huge_unbroken_body_is_bounded),
        cmocka_unit_test(test_fmt__thread_note_has_bar_and_note_role),
        cmocka_unit_test(test_fmt__thread_activity_is_one_dim_line),
        cmocka_unit_test(test_fmt__thread_template_and_deleted),
        cmocka_unit_test(test_fmt__thread_attachment_lines),
        cmocka_unit_test(test_fmt__thread_only_plain_urls_are_links),
        cmocka_unit_test(test_fmt__thread_ascii_is_pure_ascii),
        cmocka_unit_test(test_fmt__thread_empty_and_zero_width),
        cmocka_unit_test(test_fmt__header_identity_optout_and_attributes),
        cmocka_unit_test(test_fmt__header_skips_empty_fields),
        cmocka_unit_test(test_fmt__header_every_line_exactly_cols),
        cmocka_unit_test(test_fmt__tabs_counts_and_active),
        cmocka_unit_test(test_fmt__tabs_position_at_the_right_end),
        cmocka_unit_test(test_fmt__tabs_every_width),
        cmocka_unit_test(test_fmt__status_line_cuts_middle_first),
        cmocka_unit_test(test_fmt__status_line_every_width),
        cmocka_unit_test(test_fmt__status_lines_wrap_a_long_message),
        cmocka_unit_test(test_fmt__status_lines_no_more_than_the_most),
        cmocka_unit_test(test_fmt__status_lines_every_width_and_height),
        cmocka_unit_test(test_fmt__size_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
