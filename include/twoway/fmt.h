/* fmt — turning records into lines of styled text for the panes, measured
 * in display columns (text.h). Pure: no curses, unit-tested. The ui layer
 * draws a fmt_line by mapping each span's role to the theme's attributes.
 *
 * Every produced line fits the width it was made for exactly (padded with
 * spaces where the pane should be filled), never splits a grapheme cluster,
 * and holds only sanitized text. With ascii set (non-UTF-8 locale) every
 * glyph and all text are ASCII. */
#ifndef TWOWAY_FMT_H
#define TWOWAY_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"
#include "twoway/roles.h"

struct fmt_span {
    size_t start, end; /* byte offsets into text, end exclusive */
    enum fmt_role role;
};

struct fmt_line {
    char *text;             /* owned */
    struct fmt_span *spans; /* owned; cover text in order, may leave gaps (ROLE_NORMAL) */
    size_t nspans;
    int width; /* display columns of text */
    /* A URL the bytes text[link_start, link_end) show (ASCII, checked by
     * termseq_url_ok), for a terminal that makes it a hyperlink; NULL:
     * none. Owned. */
    char *link;
    size_t link_start, link_end;
};

void fmt_line_free(struct fmt_line *l);
void fmt_lines_free(struct fmt_line *lines, size_t n);

/* What the formatters need to know beyond the record. */
struct fmt_ctx {
    int64_t now;             /* epoch seconds, for ages */
    int64_t me;              /* my agent id, to say "you"/"me" */
    bool ascii;              /* ASCII-only output */
    bool preview;            /* show message text outside the thread (notify_preview) */
    const char *time_format; /* strftime for message times, e.g. "%H:%M" */
    /* Added by fmt: the contact's label (model_contact_label) that
     * fmt_thread names incoming messages by; NULL or "": each message's
     * sender_name. Borrowed. */
    const char *contact;
    /* Added (push): a colleague typing in this row's conversation (their
     * name), shown instead of the preview; NULL: nobody. Borrowed. */
    const char *typing;
    /* For fmt_list_row: what the list knows of the row beyond the record
     * (enum fmt_row_mark bits); and whether rows say "open" too (search
     * results, which mix statuses). */
    unsigned row_marks;
    bool every_status;
};

/* A list row's marks beyond the record, before the waiting time:
 * ✗ a reply failed (the outbox's, or the carrier's: the last message),
 * ? one may have been sent, ↑ one is still to go out, ✎ a draft is kept
 * (ASCII: X ? ^ ~). */
enum fmt_row_mark {
    FMT_ROW_UNSENT = 1 << 0,
    FMT_ROW_UNSURE = 1 << 1,
    FMT_ROW_FAILED = 1 << 2,
    FMT_ROW_DRAFT = 1 << 3,
};

/* How a list row shows the selection. */
enum fmt_sel {
    FMT_SEL_NONE,
    FMT_SEL_ACTIVE,   /* the list has the keys */
    FMT_SEL_INACTIVE, /* the thread beside it has them */
};

/* A conversation row in the list: FMT_LIST_ROW_LINES lines of width cols.
 * Column 0 of both lines is the selection bar: ROLE_SELECTED on a space
 * (a solid bar with the default reverse) when active, a dim half block
 * ("|" in ASCII) when inactive, else a space. Moving the selection changes
 * only this column of two rows: a few bytes to the terminal.
 * Line 1: the mark ("*") or else the unread dot, contact label (name or
 * phone), then right-aligned: waiting mark with duration (when the customer
 * waits), priority, unread count, age of the last activity.
 * Line 2: the preview of the last message (or "(attachment)") and, right-
 * aligned, assignee, labels (#billing), status when not open.
 * Returns the lines in out[0..FMT_LIST_ROW_LINES). */
#define FMT_LIST_ROW_LINES 2
void fmt_list_row(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                  enum fmt_sel sel, bool marked, struct fmt_line out[FMT_LIST_ROW_LINES]);

/* The thread of one conversation as lines of width cols: a day separator
 * when the day changes; per message a first line "HH:MM ◀ Name" / "▶ Name"
 * (agent) with the delivery status on the right (sending…, ✓ sent,
 * ✓✓ delivered, ✗ failed), then the body word-wrapped with an indent;
 * a failed message adds a line with the reason; attachments as
 * "[image 230 KB] URL" lines, the URL's bytes marked as a link (a URL that
 * is not plain http(s) ASCII is shown, not linked); private notes marked "note" and styled
 * ROLE_NOTE with a distinct indent bar; activity lines as one dimmed line
 * "· text". Returns the number of lines; *out owned (fmt_lines_free). */
size_t fmt_thread(const struct message *msgs, size_t n, const struct fmt_ctx *ctx, int cols,
                  struct fmt_line **out);

/* The contact header: name, phone, email; custom attributes as key: value;
 * the opted-out badge with its date; at most max_lines lines of width cols. */
size_t fmt_contact_header(const struct conversation *c, const struct fmt_ctx *ctx, int cols,
                          int max_lines, struct fmt_line **out);

/* Filter tabs: "Mine 5  Unassigned 12  All 44" with the active one in
 * ROLE_TAB_ACTIVE, then the other filters (status, label, inbox, limit) as
 * compact text, cut to cols. */
struct fmt_tabs {
    int active; /* 0 mine, 1 unassigned, 2 all */
    int64_t mine, unassigned, all;
    const char *status; /* "open", "all", … */
    const char *label;  /* NULL or "" = none */
    const char *inbox;  /* NULL or "" = none */
    const char *team;   /* NULL or "" = none */
    const char *limit;  /* NULL or "" = none */
    const char *search; /* NULL or "" = none */
    size_t pos, total;  /* the selection's place in the list, "5/44" at the
                         * right end (total 0: none); it changes at every
                         * move, so it sits where it costs a few bytes */
    const char *more;   /* after it when the server has more than is loaded
                         * ("+more", "loading more…"), or NULL */
};
void fmt_tabs_line(const struct fmt_tabs *t, const struct fmt_ctx *ctx, int cols,
                   struct fmt_line *out);

/* The status line: left part (account, agent, messages), right part
 * (connection state, unread total); the middle is cut first. */
void fmt_status_line(const char *left, const char *right, bool alert, const struct fmt_ctx *ctx,
                     int cols, struct fmt_line *out);

/* The most rows the status line asks for. */
#define FMT_STATUS_ROWS_MAX 6
/* The status line over rows rows (out holds that many lines): the left
 * part word-wrapped over as many as it takes, the right part at the end of
 * the last (on a row of its own when the last line of the left part leaves
 * no room). Too few rows: the left part is cut at the end of the last row,
 * as fmt_status_line cuts it; more than needed: the top ones are empty.
 * Returns the rows the whole of it takes (at most FMT_STATUS_ROWS_MAX). */
int fmt_status_lines(const char *left, const char *right, bool alert, const struct fmt_ctx *ctx,
                     int cols, int rows, struct fmt_line *out);

/* What each symbol the formatters draw means, for the help screen's
 * legend: the glyph in UTF-8 and in ASCII, and its meaning. Static. */
struct fmt_symbol {
    const char *glyph, *ascii, *meaning;
};
const struct fmt_symbol *fmt_legend(size_t *n);

#endif
