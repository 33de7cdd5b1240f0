/* layout — where each pane goes, as a pure function of the terminal size
 * and a few options. No curses: unit-tested at many sizes. */
#ifndef TWOWAY_LAYOUT_H
#define TWOWAY_LAYOUT_H

#include <stdbool.h>

struct rect {
    int y, x, h, w; /* h or w 0: not shown */
};

enum layout_focus { LAYOUT_FOCUS_LIST, LAYOUT_FOCUS_THREAD };

struct layout_opts {
    int list_width;          /* preferred list width in columns (e.g. 42); clamped */
    int list_share;          /* percent of a wide terminal the list takes when that is
                              * more than list_width (e.g. 30); 0: list_width alone */
    int split_min;           /* below this many columns: one pane at a time (e.g. 70) */
    int header_lines;        /* contact header height wanted (e.g. 3); shrinks on short screens */
    enum layout_focus focus; /* which pane is shown when there is only one */
    int status_lines;        /* rows the status line wants (a long message); it gets
                              * them while the rows above keep half of theirs; <= 1: one */
};

struct layout {
    struct rect tabs;    /* filter tabs, top row */
    struct rect list;    /* conversation list */
    struct rect divider; /* vertical line between list and thread (w = 1) */
    struct rect header;  /* contact header above the thread */
    struct rect thread;  /* messages */
    struct rect status;  /* status line (more than one row for a long message) */
    struct rect input;   /* command / composer line, bottom row */
    bool split;          /* both panes side by side */
};

/* rows x cols terminal → panes. Every rect lies inside the screen, rects
 * never overlap, and with rows >= 5 and cols >= 20 the list or thread gets
 * at least one row. Tiny terminals get what fits (possibly empty rects). */
void layout_compute(int rows, int cols, const struct layout_opts *opts, struct layout *out);

#endif
