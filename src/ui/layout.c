/* layout — where each pane goes, as a pure function of the terminal size
 * and a few options.
 *
 * Rows are given away in order of need on a short screen: the input line
 * first (every command goes through it), then the status line, then the
 * panes, then the tabs. A status message longer than its row takes more
 * rows while the rows above keep at least half of theirs. Columns: the
 * list keeps its preferred width (or its share of a wide terminal, if
 * more) within [LIST_MIN, cols / 2]; below split_min columns one pane has
 * the screen. */
#include "twoway/layout.h"

#include <string.h>

#define LIST_WIDTH_DEFAULT 42
#define LIST_MIN 28
#define SPLIT_MIN_DEFAULT 70
#define HEADER_LINES_DEFAULT 3
/* The contact header takes at most a quarter of the pane height: the thread
 * is what the agent reads. */
#define HEADER_SHARE 4

static const struct layout_opts default_opts = {
    .list_width = LIST_WIDTH_DEFAULT,
    .split_min = SPLIT_MIN_DEFAULT,
    .header_lines = HEADER_LINES_DEFAULT,
    .focus = LAYOUT_FOCUS_LIST,
};

static struct rect rect_make(int y, int x, int h, int w)
{
    struct rect r = {0, 0, 0, 0};
    if (h > 0 && w > 0) {
        r.y = y;
        r.x = x;
        r.h = h;
        r.w = w;
    }
    return r;
}

/* v within [lo, hi]; hi wins when they cross (half a narrow screen is less
 * than LIST_MIN). */
static int clamp(int v, int lo, int hi)
{
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return v;
}

/* The thread column (header over thread) at x, width w, rows y..y+h. */
static void place_thread(struct layout *out, const struct layout_opts *o, int y, int x, int h,
                         int w)
{
    int header = o->header_lines > 0 ? o->header_lines : 0;
    if (header > h / HEADER_SHARE)
        header = h / HEADER_SHARE;
    out->header = rect_make(y, x, header, w);
    out->thread = rect_make(y + header, x, h - header, w);
}

static void place_panes(struct layout *out, const struct layout_opts *o, int y, int h, int cols)
{
    int split_min = o->split_min > 0 ? o->split_min : SPLIT_MIN_DEFAULT;
    /* Splitting needs a column for each pane and one for the divider. */
    if (cols >= split_min && cols >= 3) {
        int want = o->list_width > 0 ? o->list_width : LIST_WIDTH_DEFAULT;
        /* A wide terminal gives the list its share: at 250 columns the
         * names and previews get room, not only the thread. */
        if (o->list_share > 0 && cols * o->list_share / 100 > want)
            want = cols * o->list_share / 100;
        int lw = clamp(want, LIST_MIN, cols / 2);
        if (lw < 1)
            lw = 1;
        out->split = true;
        out->list = rect_make(y, 0, h, lw);
        out->divider = rect_make(y, lw, h, 1);
        place_thread(out, o, y, lw + 1, h, cols - lw - 1);
    } else if (o->focus == LAYOUT_FOCUS_THREAD) {
        place_thread(out, o, y, 0, h, cols);
    } else {
        out->list = rect_make(y, 0, h, cols);
    }
}

void layout_compute(int rows, int cols, const struct layout_opts *opts, struct layout *out)
{
    const struct layout_opts *o = opts ? opts : &default_opts;
    memset(out, 0, sizeof *out);
    if (rows <= 0 || cols <= 0)
        return;

    int bottom = rows; /* first row below the panes */
    out->input = rect_make(--bottom, 0, 1, cols);
    if (bottom >= 1) {
        int extra = o->status_lines - 1;
        if (extra > (bottom - 1) / 2)
            extra = (bottom - 1) / 2;
        if (extra < 0)
            extra = 0;
        bottom -= 1 + extra;
        out->status = rect_make(bottom, 0, 1 + extra, cols);
    }
    /* The tabs come after the panes: with three rows a pane row is worth
     * more than the filter summary. */
    int top = 0;
    if (bottom >= 2)
        out->tabs = rect_make(top++, 0, 1, cols);
    if (bottom > top)
        place_panes(out, o, top, bottom - top, cols);
}
