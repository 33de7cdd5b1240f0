/* view — what the agent is looking at, independent of curses: the list
 * filter (the server query) and the local limit, the open conversation,
 * the selection, marks and which pane has focus. Commands change it; the
 * ui draws it. Selection and marks are by conversation id, so a re-sorted
 * list never moves them to another customer. */
#ifndef TWOWAY_VIEW_H
#define TWOWAY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

struct pattern;

enum view_focus { VIEW_FOCUS_LIST, VIEW_FOCUS_THREAD };

struct view {
    /* The server-side filter (tabs): assignee, status, label, inbox, team,
     * search text. Strings owned (view_set_*). */
    enum assignee_type assignee;
    int status;       /* enum conv_status or -1 = all */
    char *label;      /* NULL = any */
    int64_t inbox_id; /* 0 = any */
    int64_t team_id;  /* 0 = any */
    char *search;     /* NULL = none (server search q=) */
    char *sort_by;    /* the server's order (doc/api.md §3.1), NULL = its default */

    /* The local limit (neomutt-like pattern) over the loaded list. */
    char *limit_text; /* NULL = none */
    struct pattern *limit;

    int64_t open_conv; /* conversation in the thread pane, 0 = none */
    int64_t selected;  /* selected list row, 0 = none */
    enum view_focus focus;
    /* The selected conversation left the list (resolved, reassigned) and
     * the selection went by itself to the row that took its place: the
     * agent has not passed that row yet, so `next-waiting` and
     * `next-unread` look at it first. Any move or open clears it. */
    bool selected_moved;
    /* Added (push2): `bottom` asked the server for the list's end: the
     * last row shown is selected as the rows come. Any move clears it. */
    bool select_end;

    int64_t *marks; /* marked conversation ids (sorted) */
    size_t nmarks;

    uint64_t gen; /* bumps on every change */
};

void view_init(struct view *v);
void view_free(struct view *v);

/* The query for the provider (borrows v's strings). */
void view_query(const struct view *v, int page, struct conv_query *q);

void view_set_label(struct view *v, const char *label); /* NULL clears */
void view_set_search(struct view *v, const char *text); /* NULL clears */
/* The list's order by the `sort` setting's name: last_activity (the
 * server's default), created, priority or waiting (longest first). */
void view_set_sort(struct view *v, const char *sort);
/* Compile and set the local limit; NULL or "" clears. 0 or -1 with *err. */
int view_set_limit(struct view *v, const char *text, char **err);

bool view_marked(const struct view *v, int64_t id);
void view_mark(struct view *v, int64_t id, bool on);
void view_clear_marks(struct view *v);
void view_touch(struct view *v); /* bump gen after direct field edits */

/* Added: mark (on) or unmark many ids in one sorted merge, O((n + nmarks)
 * log n). view_mark() is O(nmarks) per call (an insertion into the sorted
 * array), so bulk actions ("mark all in the limit") should use this. */
void view_mark_many(struct view *v, const int64_t *ids, size_t n, bool on);

#endif
