/* ui_panes — the panes: filter tabs, the conversation list, the contact
 * header, the thread and the status line; each redrawn only when what it
 * shows changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "theme.h"
#include "twoway/buf.h"
#include "twoway/drafts.h"
#include "twoway/options.h"
#include "twoway/palette.h"
#include "twoway/pattern.h"
#include "twoway/session.h"
#include "twoway/smsseg.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

struct ui_panes {
    /* Generations last drawn, to notice what changed. */
    uint64_t seen_list_gen, seen_view_gen, seen_thread_gen, seen_dir_gen, seen_opts_gen;
    uint64_t seen_palette_gen;
    uint64_t seen_conv_gen;
    uint64_t seen_compose_gen; /* the composer's conversation (typing, replies) */
    int64_t seen_thread_conv;
    int64_t seen_minute;
    /* The screen's clock: the time the ages on it are counted to. It turns
     * once a minute (the first draw in a new minute), so a keypress between
     * never redraws an age, and the ages change together at the turn. */
    int64_t clock;
    int seen_conn_state;
    uint64_t seen_state_gen; /* session_state_gen: the state or its reason */
    size_t seen_outbox;
    size_t seen_sendable;   /* replies twoway still sends (the rows mark them) */
    size_t seen_unsure;     /* replies that may have been sent */
    char *seen_limit;       /* the limit the rows shown were built with */
    int seen_focus;         /* -1 until the first draw */
    bool syncing;           /* "syncing…" is in the status line */
    int64_t busy_since;     /* monotonic ms a sync began, 0 while none runs */
    uint64_t syncing_timer; /* shows "syncing…" if the sync is still running */

    /* The list: rows shown after the limit, and the scroll position. */
    int64_t *shown;
    size_t nshown, cshown;
    size_t list_top;  /* first shown row at the top of the pane */
    size_t sel_index; /* index of the selection in shown[] */
    size_t drawn_sel; /* ... when the list was last drawn (a step or a jump?) */
    int unread;       /* unread messages over the whole list */

    /* The thread: formatted lines for the open conversation, cached. */
    struct fmt_line *tlines;
    size_t ntlines;
    int tlines_width;
    uint64_t tlines_gen;
    int64_t tlines_conv;
    size_t thread_from_bottom; /* lines scrolled up from the newest */
};

struct ui_panes *ui_panes_new(void)
{
    struct ui_panes *p = xcalloc(1, sizeof *p);
    p->seen_focus = -1;
    p->tlines_width = -1;
    return p;
}

void ui_panes_free(struct ui *ui)
{
    struct ui_panes *p = ui->panes;
    if (!p)
        return;
    if (p->syncing_timer && ui->deps.cancel)
        ui->deps.cancel(ui->deps.loop_ud, p->syncing_timer);
    fmt_lines_free(p->tlines, p->ntlines);
    free(p->shown);
    free(p->seen_limit);
    free(p);
    ui->panes = NULL;
}

void ui_panes_forget_lines(struct ui *ui)
{
    ui->panes->tlines_width = -1;
}

void ui_panes_settings_seen(struct ui *ui)
{
    ui->panes->seen_opts_gen = options_gen(ui->env->opts);
    if (ui->env->palette)
        ui->panes->seen_palette_gen = palette_gen(ui->env->palette);
}

int64_t ui_panes_drawn_conv(const struct ui *ui)
{
    return ui->panes->seen_thread_conv;
}

int64_t ui_panes_clock(const struct ui *ui)
{
    return ui->panes->clock ? ui->panes->clock : timeutil_now();
}

/* ---- the list ---- */

int ui_list_rows(const struct ui *ui)
{
    int rows = ui->lay.list.h / FMT_LIST_ROW_LINES;
    return rows > 0 ? rows : 1;
}

int64_t ui_selected(const struct ui *ui)
{
    return ui->panes->nshown ? ui->panes->shown[ui->panes->sel_index] : 0;
}

/* Rebuild the rows shown (the list under the local limit) and keep the
 * selection on the same conversation, whatever the new order. */
void ui_list_refresh(struct ui *ui)
{
    const struct store *st = ui->env->st;
    struct view *v = ui->env->view;
    size_t n = store_list_len(st);
    if (ui->panes->cshown < n + 1) {
        ui->panes->cshown = n + 1;
        ui->panes->shown =
            xreallocarray(ui->panes->shown, ui->panes->cshown, sizeof *ui->panes->shown);
    }
    struct pattern_ctx pc = {.me = ui->env->ss ? session_me(ui->env->ss) : 0,
                             .now = timeutil_now()};
    ui->panes->nshown = 0;
    ui->panes->unread = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t id = store_list_at(st, i);
        const struct conversation *c = store_conv(st, id);
        if (c)
            ui->panes->unread += c->unread;
        /* The open conversation stays in view even when reading it made it
         * stop matching (~u): rows do not vanish under the agent. */
        if (!c || (v->limit && id != v->open_conv && !pattern_match(v->limit, c, &pc)))
            continue;
        ui->panes->shown[ui->panes->nshown++] = id;
    }
    ui_list_select(ui);
}

/* Keep the selection on the same conversation in the rows shown (after a
 * move, or after the rows changed). */
void ui_list_select(struct ui *ui)
{
    struct view *v = ui->env->view;
    size_t old = ui->panes->sel_index;
    bool found = false;
    /* `bottom` over rows not loaded: the last row, as they come. */
    if (v->select_end && ui->panes->nshown) {
        ui->panes->sel_index = ui->panes->nshown - 1;
        v->selected = ui->panes->shown[ui->panes->sel_index];
        if (ui->env->ss && !session_list_loading_all(ui->env->ss))
            v->select_end = false;
        return;
    }
    for (size_t i = 0; i < ui->panes->nshown && v->selected; i++) {
        if (ui->panes->shown[i] == v->selected) {
            ui->panes->sel_index = i;
            found = true;
            break;
        }
    }
    if (!found && !v->selected) {
        /* Nothing chosen yet, or a new limit or search: the first row. */
        ui->panes->sel_index = 0;
        v->selected = ui->panes->nshown ? ui->panes->shown[0] : 0;
    } else if (!found) {
        /* The selected conversation left the list: stay at the same place,
         * on the row that moved up into it (which the agent has not seen
         * selected: `w` looks at it first). */
        struct ui_panes *p = ui->panes;
        p->sel_index = p->nshown ? (old < p->nshown ? old : p->nshown - 1) : 0;
        int64_t now = p->nshown ? p->shown[p->sel_index] : 0;
        if (v->selected && now != v->selected)
            v->selected_moved = true;
        v->selected = now;
    }
}

/* Keep the selection in view. A step of one row past the edge (j, k)
 * moves the list one row and the terminal scrolls it (curses finds the
 * shifted lines), unless a thread is open beside it: the list's lines
 * share the screen's lines with the thread, the terminal cannot scroll
 * them alone, and each step would redraw the whole list; there, and for
 * longer moves (page-down, G), the list turns whole pages. */
static void list_follow_selection(struct ui *ui)
{
    size_t rows = (size_t)ui_list_rows(ui), n = ui->panes->nshown;
    size_t sel = ui->panes->sel_index, top = ui->panes->list_top, was = ui->panes->drawn_sel;
    bool beside = ui->lay.split && ui->env->view->open_conv && ui->w_thread;
    ui->panes->drawn_sel = sel;
    if (sel < top) {
        if (!beside && sel + 1 == top && was == top)
            top = sel;
        else
            while (sel < top)
                top = top > rows ? top - rows : 0;
    } else if (sel >= top + rows) {
        if (!beside && sel == top + rows && was + 1 == sel) {
            top = sel - rows + 1;
        } else {
            while (sel >= top + rows)
                top += rows;
            if (top + rows > n) /* the last page is a full one */
                top = n > rows ? n - rows : 0;
        }
    }
    ui->panes->list_top = top;
}

/* What the row of conv marks besides its record: a reply that did not go
 * out (the outbox), a draft kept (on disk). */
static unsigned row_marks(const struct ui *ui, int64_t conv)
{
    unsigned m = 0;
    switch (ui->env->ss ? session_unsent_of(ui->env->ss, conv) : SESSION_UNSENT_NONE) {
    case SESSION_UNSENT_FAILED:
        m |= FMT_ROW_FAILED;
        break;
    case SESSION_UNSENT_UNSURE:
        m |= FMT_ROW_UNSURE;
        break;
    case SESSION_UNSENT_PENDING:
        m |= FMT_ROW_UNSENT;
        break;
    case SESSION_UNSENT_NONE:
        break;
    }
    if (ui->deps.state_dir && drafts_exist(ui->deps.state_dir, conv))
        m |= FMT_ROW_DRAFT;
    return m;
}

static void draw_list(struct ui *ui)
{
    WINDOW *w = ui->w_list;
    if (!w)
        return;
    werase(w);
    list_follow_selection(ui);
    int rows = ui_list_rows(ui);
    if (ui->panes->nshown == 0) {
        struct session *ss = ui->env->ss;
        /* The server refused us: say why, not "Loading…" forever. */
        bool refused = ss && session_state(ss) == CONN_AUTH_FAILED;
        /* Nothing loaded yet and the server out of reach: the whole
         * reason here, where the agent looks (the status line has room
         * only for its head). */
        char *unreachable = NULL;
        if (ss && !session_ready(ss) && session_state(ss) == CONN_RETRYING)
            unreachable = xasprintf("Cannot reach the server: %s", session_state_reason(ss));
        /* A limit over part of the list: the rest may hold matches. */
        bool partial = ss && !session_list_complete(ss);
        const char *msg = refused                    ? session_state_reason(ss)
                          : unreachable              ? unreachable
                          : ss && !session_ready(ss) ? "Loading…"
                          : ui->env->view->limit && partial && session_list_loading_all(ss)
                              ? "No match among the conversations loaded so far; loading the rest…"
                          : ui->env->view->limit && partial
                              ? "No match among the conversations loaded; G looks further"
                          : ui->env->view->limit ? "No conversation matches the limit"
                                                 : "No conversations here";
        char *t = ui_text(ui, msg);
        bool failed = refused || unreachable;
        free(unreachable);
        wattrset(w, theme_attr(failed ? ROLE_FAILED : ROLE_DIM));
        if (failed) { /* a reason wider than the pane goes on over the next lines */
            char **lines;
            size_t n = text_wrap(t, getmaxx(w) - 2, &lines);
            for (size_t i = 0; i < n && (int)i < rows; i++)
                mvwaddstr(w, (int)i, 1, lines[i]);
            text_lines_free(lines, n);
        } else {
            mvwaddstr(w, 0, 1, t);
        }
        free(t);
        wattrset(w, theme_attr(ROLE_NORMAL));
        wnoutrefresh(w);
        return;
    }
    struct fmt_ctx ctx = ui_fmt_ctx(ui);
    ctx.every_status = ui->env->view->search != NULL;
    /* With the thread focused beside it, the bar is dim: the solid one
     * shows where j/k go. */
    bool active = !ui->lay.split || ui->env->view->focus != VIEW_FOCUS_THREAD;
    for (int r = 0; r < rows; r++) {
        size_t i = ui->panes->list_top + (size_t)r;
        if (i >= ui->panes->nshown)
            break;
        const struct conversation *c = store_conv(ui->env->st, ui->panes->shown[i]);
        if (!c)
            continue;
        struct fmt_line lines[FMT_LIST_ROW_LINES];
        enum fmt_sel sel = i != ui->panes->sel_index ? FMT_SEL_NONE
                           : active                  ? FMT_SEL_ACTIVE
                                                     : FMT_SEL_INACTIVE;
        ctx.typing = store_typing(ui->env->st, c->id, NULL);
        ctx.row_marks = row_marks(ui, c->id);
        fmt_list_row(c, &ctx, ui->lay.list.w, sel, view_marked(ui->env->view, c->id), lines);
        for (int k = 0; k < FMT_LIST_ROW_LINES; k++) {
            ui_draw_line(w, r * FMT_LIST_ROW_LINES + k, &lines[k]);
            fmt_line_free(&lines[k]);
        }
    }
    wnoutrefresh(w);
    /* At the end of what is loaded: fetch the next page; at the top of a
     * window below the list's first page, the one above. */
    if (ui->env->ss && ui->panes->sel_index + 1 >= ui->panes->nshown &&
        !session_list_complete(ui->env->ss))
        session_load_more(ui->env->ss);
    if (ui->env->ss && ui->panes->sel_index == 0 && session_list_offset(ui->env->ss))
        session_load_before(ui->env->ss);
}

static void draw_divider(struct ui *ui)
{
    WINDOW *w = ui->w_div;
    if (!w)
        return;
    wattrset(w, theme_attr(ROLE_DIM));
    for (int y = 0; y < ui->lay.divider.h; y++)
        mvwaddstr(w, y, 0, ui->utf8 ? "│" : "|");
    wattrset(w, theme_attr(ROLE_NORMAL));
    wnoutrefresh(w);
}

/* ---- the thread ---- */

static void rebuild_thread(struct ui *ui, int64_t conv)
{
    fmt_lines_free(ui->panes->tlines, ui->panes->ntlines);
    ui->panes->tlines = NULL;
    ui->panes->ntlines = 0;
    size_t n = 0;
    const struct message *msgs = store_thread(ui->env->st, conv, &n);
    struct fmt_ctx ctx = ui_fmt_ctx(ui);
    /* The thread is the one place message text always shows. */
    ctx.preview = true;
    const struct conversation *c = store_conv(ui->env->st, conv);
    ctx.contact = c ? model_contact_label(&c->contact) : NULL;
    if (n)
        ui->panes->ntlines = fmt_thread(msgs, n, &ctx, ui->lay.thread.w, &ui->panes->tlines);
    ui->panes->tlines_conv = conv;
    ui->panes->tlines_gen = store_thread_gen(ui->env->st, conv);
    ui->panes->tlines_width = ui->lay.thread.w;
}

/* Lines above the first message: the "older messages" line while there is
 * older history. It scrolls with the messages, so the page that comes in
 * when it shows goes above it and nothing on screen moves. */
static size_t thread_extra(const struct ui *ui, int64_t conv)
{
    return conv && !store_thread_complete(ui->env->st, conv) ? 1 : 0;
}

void ui_thread_scroll(struct ui *ui, int lines, int pages)
{
    int h = ui->lay.thread.h > 0 ? ui->lay.thread.h : 1;
    long delta = lines + (long)pages * (h > 2 ? h - 2 : 1);
    int64_t conv = ui->env->view->open_conv;
    /* Positive scrolls down (towards the newest). */
    long from_bottom = (long)ui->panes->thread_from_bottom - delta;
    long max = (long)(ui->panes->ntlines + thread_extra(ui, conv)) - h;
    if (max < 0)
        max = 0;
    if (from_bottom >= max) {
        from_bottom = max;
        /* At the top: older messages, if there are any. */
        if (ui->env->ss && conv && delta < 0)
            session_load_older(ui->env->ss, conv);
    }
    if (from_bottom < 0)
        from_bottom = 0;
    ui->panes->thread_from_bottom = (size_t)from_bottom;
    ui_damage(ui, DMG_THREAD);
}

static void draw_thread(struct ui *ui)
{
    WINDOW *w = ui->w_thread;
    if (!w)
        return;
    werase(w);
    ui_links_begin(ui);
    int64_t conv = ui->env->view->open_conv;
    int h = ui->lay.thread.h;
    if (!conv) {
        /* On the last line: the lines above stay blank beside the list,
         * so the terminal can scroll the list's lines whole. */
        wattrset(w, theme_attr(ROLE_DIM));
        mvwaddstr(w, h - 1, 2, "Enter opens the selected conversation; ? shows the keys");
        wattrset(w, theme_attr(ROLE_NORMAL));
        wnoutrefresh(w);
        return;
    }
    if (ui->panes->tlines_conv != conv || ui->panes->tlines_width != ui->lay.thread.w ||
        ui->panes->tlines_gen != store_thread_gen(ui->env->st, conv))
        rebuild_thread(ui, conv);
    /* A colleague typing here: the bottom line says so. */
    const char *typist = store_typing(ui->env->st, conv, NULL);
    if (typist && h > 1) {
        char *raw =
            xasprintf("%s is typing%s", *typist ? typist : "someone", ui->utf8 ? "…" : "...");
        char *t = ui_text(ui, raw);
        wattrset(w, theme_attr(ROLE_DIM));
        mvwaddstr(w, h - 1, 1, t);
        wattrset(w, theme_attr(ROLE_NORMAL));
        free(t);
        free(raw);
        h--;
    }
    size_t extra = thread_extra(ui, conv);
    size_t total = ui->panes->ntlines + extra;
    size_t max_from_bottom = total > (size_t)h ? total - (size_t)h : 0;
    if (ui->panes->thread_from_bottom > max_from_bottom)
        ui->panes->thread_from_bottom = max_from_bottom;
    size_t end = total - ui->panes->thread_from_bottom;
    size_t start = end > (size_t)h ? end - (size_t)h : 0;
    int y = 0;
    bool loading = ui->env->ss && session_loading_older(ui->env->ss, conv);
    for (size_t i = start; i < end && y < h; i++, y++) {
        if (i >= extra) {
            ui_draw_line(w, y, &ui->panes->tlines[i - extra]);
            ui_links_add(ui, ui->lay.thread.y + y, ui->lay.thread.x, &ui->panes->tlines[i - extra]);
            continue;
        }
        wattrset(w, theme_attr(ROLE_DIM));
        char *t = ui_text(ui, loading ? "loading older messages…" : "older messages: scroll up");
        mvwaddstr(w, y, 1, t);
        free(t);
        wattrset(w, theme_attr(ROLE_NORMAL));
        /* A short thread fills the pane with history by itself. */
        if (!loading && ui->env->ss && total < (size_t)h)
            session_load_older(ui->env->ss, conv);
    }
    if (ui->panes->ntlines == 0 && !loading && y < h) {
        wattrset(w, theme_attr(ROLE_DIM));
        char *t = ui_text(ui, "Loading…");
        mvwaddstr(w, y, 1, t);
        free(t);
        wattrset(w, theme_attr(ROLE_NORMAL));
    }
    wnoutrefresh(w);
}

static void draw_header(struct ui *ui)
{
    WINDOW *w = ui->w_header;
    if (!w)
        return;
    werase(w);
    const struct conversation *c =
        ui->env->view->open_conv ? store_conv(ui->env->st, ui->env->view->open_conv) : NULL;
    if (c) {
        struct fmt_ctx ctx = ui_fmt_ctx(ui);
        struct fmt_line *lines = NULL;
        size_t n = fmt_contact_header(c, &ctx, ui->lay.header.w, ui->lay.header.h, &lines);
        for (size_t i = 0; i < n && (int)i < ui->lay.header.h; i++)
            ui_draw_line(w, (int)i, &lines[i]);
        fmt_lines_free(lines, n);
    }
    wnoutrefresh(w);
}

/* ---- tabs and status ---- */

static void draw_tabs(struct ui *ui)
{
    if (!ui->w_tabs)
        return;
    const struct view *v = ui->env->view;
    const struct conv_counts *cc = store_counts(ui->env->st);
    struct fmt_tabs t = {
        .active = v->assignee == ASSIGNEE_MINE         ? 0
                  : v->assignee == ASSIGNEE_UNASSIGNED ? 1
                                                       : 2,
        .mine = cc ? cc->mine : 0,
        .unassigned = cc ? cc->unassigned : 0,
        .all = cc ? cc->all : 0,
        /* A search finds every status (Chatwoot's and twowayd's alike). */
        .status = v->search       ? "any"
                  : v->status < 0 ? "all"
                                  : model_status_name((enum conv_status)v->status),
        .label = v->label,
        .limit = v->limit_text,
        .search = v->search,
        .inbox = NULL,
        .pos = ui->panes->nshown ? ui->panes->sel_index + 1 : 0,
        .total = ui->panes->nshown,
        /* A partial list says so: the server has more than is loaded. */
        .more = !ui->env->ss || session_list_complete(ui->env->ss) ? NULL
                : session_list_loading_all(ui->env->ss)            ? "loading more…"
                                                                   : "+more",
    };
    /* Over rows not loaded: the place and the count are the whole list's
     * (the server's count, of the limit's matches when it filters for all
     * of it); a limit it cannot count says its count is partial. */
    const struct session *ss = ui->env->ss;
    if (ss && session_list_partial(ss) && ui->panes->nshown) {
        size_t off = session_list_offset(ss);
        int64_t total = session_list_total(ss);
        t.pos += off;
        if (total >= 0 && (!v->limit || session_filter_exact(ss))) {
            t.total = (size_t)total > t.pos ? (size_t)total : t.pos;
            t.more = session_list_loading_all(ss) ? "loading more…" : NULL;
        } else {
            t.total = off + ui->panes->nshown;
            t.more = session_list_loading_all(ss) ? "loading more…" : "+more (count partial)";
        }
    }
    const struct inbox *in = v->inbox_id ? store_inbox(ui->env->st, v->inbox_id) : NULL;
    if (in)
        t.inbox = in->name;
    const struct team *tm = v->team_id ? store_team(ui->env->st, v->team_id) : NULL;
    if (tm)
        t.team = tm->name;
    struct fmt_ctx ctx = ui_fmt_ctx(ui);
    struct fmt_line l;
    fmt_tabs_line(&t, &ctx, ui->lay.tabs.w, &l);
    ui_draw_line(ui->w_tabs, 0, &l);
    fmt_line_free(&l);
    wnoutrefresh(ui->w_tabs);
}

/* Counted once per rebuild of the rows (ui_list_refresh), not per draw. */
static int unread_total(const struct ui *ui)
{
    return ui->panes->unread;
}

/* The reason for being offline, short enough that "retrying in Ns" and the
 * unsent count after it stay on the status line: libcurl's messages repeat
 * themselves ("Couldn't connect to server: Failed to connect to … port …
 * after 0 ms: Couldn't connect to server"), so the part before the first
 * ": " is preferred to a cut in the middle. */
static char *short_reason(const struct ui *ui, const char *reason)
{
    int budget = ui->lay.status.w - 70;
    if (budget < 16)
        budget = 16;
    if (budget > 60)
        budget = 60;
    if (text_width(reason) <= budget)
        return xstrdup(reason);
    const char *colon = strstr(reason, ": ");
    if (colon) {
        char *head = xstrndup(reason, (size_t)(colon - reason));
        if (text_width(head) <= budget)
            return head;
        free(head);
    }
    return text_truncate(reason, budget, true);
}

static char *connection_text(const struct ui *ui, bool *alert)
{
    struct session *ss = ui->env->ss;
    *alert = false;
    if (!ss)
        return xstrdup("not connected");
    switch (session_state(ss)) {
    case CONN_CONNECTING:
        return xstrdup("connecting…");
    case CONN_ONLINE:
        if (ui->panes->syncing)
            return xstrdup("syncing…");
        /* Online, and how: live (changes are pushed), polling (the live
         * channel is not to be had just now: asked for every
         * poll_interval), or plain online (polling by choice, live = no, or
         * a server without a channel). */
        return xstrdup(session_live(ss) ? "live" : session_live_tried(ss) ? "polling" : "online");
    case CONN_RETRYING: {
        *alert = true;
        int64_t left = (session_retry_at(ss) - timeutil_mono_ms() + 999) / 1000;
        if (left < 0)
            left = 0;
        char *why = short_reason(ui, session_state_reason(ss));
        char *text = xasprintf("offline (%s), retrying in %llds", why, (long long)left);
        free(why);
        return text;
    }
    case CONN_AUTH_FAILED:
        *alert = true;
        return xasprintf("not signed in: %s", session_state_reason(ss));
    }
    return xstrdup("");
}

/* Which conversations the outbox's replies are for: " in #12 Maria
 * Gonzalez" for one, " in #12, #15" for a few, then "and N more"; `unsent`
 * lists them. Owned. */
static char *unsent_where(const struct ui *ui)
{
    struct session *ss = ui->env->ss;
    int64_t convs[3];
    size_t n = 0, more = 0;
    for (size_t i = 0; i < (size_t)session_outbox_count(ss); i++) {
        struct session_unsent_reply r;
        session_outbox_reply(ss, i, &r);
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = convs[k] == r.conv;
        if (!seen && n < sizeof convs / sizeof convs[0])
            convs[n++] = r.conv;
        else if (!seen)
            more++; /* may count one twice: "more" is a hint, `unsent` is exact */
    }
    if (n == 1) {
        const struct conversation *c = store_conv(ui->env->st, convs[0]);
        return xasprintf(" in #%lld%s%s", (long long)convs[0], c ? " " : "",
                         c ? model_contact_label(&c->contact) : "");
    }
    struct buf b;
    buf_init(&b);
    for (size_t k = 0; k < n; k++)
        buf_addf(&b, "%s#%lld", k ? ", " : " in ", (long long)convs[k]);
    if (more)
        buf_addf(&b, " and more (:unsent)");
    return buf_detach(&b);
}

/* A question asked while a line is open waits for it to close (ui_confirm). */
static char *question_waiting(const struct ui *ui)
{
    if (!ui->answer || ui->mode == MODE_CONFIRM)
        return NULL;
    return xasprintf("once this line closes (Enter or Esc), a question: %s", ui->question);
}

/* The rows the status line has now (at least one: fmt_status_lines
 * fills one). */
static int status_height(const struct ui *ui)
{
    int h = ui->lay.status.h < FMT_STATUS_ROWS_MAX ? ui->lay.status.h : FMT_STATUS_ROWS_MAX;
    return h > 1 ? h : 1;
}

static void free_rows(struct fmt_line *rows, int n)
{
    for (int i = 0; i < n; i++)
        fmt_line_free(&rows[i]);
}

/* The status line; a message longer than its row takes more rows from the
 * panes (a new layout, where everything is drawn again), and gives them
 * back when it goes. */
static void draw_status(struct ui *ui)
{
    if (!ui->w_status)
        return;
    bool alert = false;
    char *left = NULL, *right = NULL;
    char *asked = question_waiting(ui);
    if (ui->mode == MODE_COMPOSE) {
        const struct conversation *c = store_conv(ui->env->st, ui->compose_conv);
        /* What was just said (a completion, a key that is off) until the
         * next key; else a question waiting; else why the text was
         * refused, next to it until it is sent; else that the customer
         * cannot get a reply; else whom the composer writes to. */
        if (ui->message) {
            left = xstrdup(ui->message);
            alert = ui->message_error;
        } else if (asked) {
            left = asked;
            asked = NULL;
            alert = true;
        } else if (ui->compose_note) {
            left = xstrdup(ui->compose_note);
            alert = true;
        } else if (!ui->compose_private && c && c->contact.opted_out) {
            left = xasprintf("%s opted out of SMS (STOP): a reply will be refused; n writes a "
                             "private note",
                             model_contact_label(&c->contact));
            alert = true;
        } else if (!ui->compose_private && !ui->compose_force && ui_quiet_note(ui)) {
            left = xstrdup(ui_quiet_note(ui));
            alert = true;
        } else {
            /* A colleague typing here or who just replied: said before
             * Enter sends. */
            char *clash = ui_compose_collision(ui);
            left = xasprintf("%s #%lld %s%s%s%s", ui->compose_private ? "Note on" : "Reply to",
                             (long long)ui->compose_conv, c ? model_contact_label(&c->contact) : "",
                             ui->compose_force ? " (--force: sent without the checks)" : "",
                             clash ? " · " : "", clash ? clash : "");
            alert = clash != NULL;
            free(clash);
        }
        struct smsseg_info si;
        smsseg_measure(rl_line_buffer ? rl_line_buffer : "", &si);
        size_t max = (size_t)options_int(ui->env->opts, "max_segments");
        right = ui->compose_private ? xstrdup("private note: not sent to the customer")
                                    : smsseg_describe(&si, max);
        char *over = ui->compose_private ? NULL : smsseg_over_limit(&si, max);
        alert = alert || over; /* Enter would be refused: say so while typing */
        free(over);
    } else {
        if (ui_question_cut(ui)) { /* all of it here, and what was said since */
            left = ui->message ? xasprintf("%s · %s", ui->question, ui->message)
                               : xstrdup(ui->question);
            alert = true;
        } else if (ui->message) {
            left = xstrdup(ui->message);
            alert = ui->message_error;
        } else if (asked) {
            left = asked;
            asked = NULL;
            alert = true;
        } else {
            const char *acct = ui->deps.account_label ? ui->deps.account_label : "";
            const struct profile *p = store_profile(ui->env->st);
            left = xasprintf("%s%s%s", p ? p->account_name : acct, p && *p->name ? " · " : "",
                             p ? p->name : "");
        }
        bool calert;
        char *conn = connection_text(ui, &calert);
        int unread = unread_total(ui);
        int unsent = ui->env->ss ? session_outbox_count(ui->env->ss) : 0;
        int unsure = ui->env->ss ? session_outbox_unsure(ui->env->ss) : 0;
        char *where = unsent ? unsent_where(ui) : xstrdup("");
        char extra[96] = "";
        if (unsure)
            snprintf(extra, sizeof extra, " · %d may have been sent", unsure);
        if (unsent > unsure)
            snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " · %d unsent",
                     unsent - unsure);
        alert = alert || unsure > 0;
        right = xasprintf("%s · %d unread%s%s", conn, unread, extra, where);
        free(where);
        alert = alert || calert;
        free(conn);
    }
    struct fmt_ctx ctx = ui_fmt_ctx(ui);
    char *la = ui_text(ui, left), *ra = ui_text(ui, right);
    free(left);
    free(right);
    left = la;
    right = ra;
    struct fmt_line rows[FMT_STATUS_ROWS_MAX];
    int h = status_height(ui);
    int need = fmt_status_lines(left, right, alert, &ctx, ui->lay.status.w, h, rows);
    if (need != ui->status_rows) {
        ui_status_rows(ui, need);
        if (status_height(ui) != h) {
            free_rows(rows, h);
            h = status_height(ui);
            fmt_status_lines(left, right, alert, &ctx, ui->lay.status.w, h, rows);
        }
    }
    for (int y = 0; y < h; y++)
        ui_draw_line(ui->w_status, y, &rows[y]);
    free_rows(rows, h);
    if (ui->w_status)
        wnoutrefresh(ui->w_status);
    free(left);
    free(right);
    free(asked);
}

/* ---- what changed ---- */

/* A sync shorter than this leaves the status line alone: every poll would
 * otherwise flash "syncing…" and write to the terminal twice. */
#define SYNCING_SHOW_MS 1000

static void syncing_due(void *ud)
{
    struct ui *ui = ud;
    ui->panes->syncing_timer = 0;
    ui_damage(ui, DMG_STATUS); /* find_damage() decides */
}

/* "syncing…" shows once a sync has run for SYNCING_SHOW_MS; a timer wakes
 * the loop then, and only while a sync runs. */
static void follow_sync(struct ui *ui)
{
    bool busy = session_busy(ui->env->ss) > 0;
    int64_t now = timeutil_mono_ms();
    if (busy && !ui->panes->busy_since) {
        ui->panes->busy_since = now;
        if (ui->deps.timer && !ui->panes->syncing_timer)
            ui->panes->syncing_timer =
                ui->deps.timer(ui->deps.loop_ud, now + SYNCING_SHOW_MS, syncing_due, ui);
    } else if (!busy && ui->panes->busy_since) {
        ui->panes->busy_since = 0;
        if (ui->panes->syncing_timer && ui->deps.cancel)
            ui->deps.cancel(ui->deps.loop_ud, ui->panes->syncing_timer);
        ui->panes->syncing_timer = 0;
    }
    bool syncing = busy && now - ui->panes->busy_since >= SYNCING_SHOW_MS;
    if (syncing != ui->panes->syncing)
        ui_damage(ui, DMG_STATUS);
    ui->panes->syncing = syncing;
}

static void find_damage(struct ui *ui)
{
    const struct store *st = ui->env->st;
    const struct view *v = ui->env->view;
    uint64_t lg = store_list_gen(st), vg = v->gen, dg = store_dir_gen(st);
    uint64_t og = options_gen(ui->env->opts);
    uint64_t pg = ui->env->palette ? palette_gen(ui->env->palette) : 0;
    /* A setting changed (the config file, `set`, -e, `color`): the looks,
     * then the layout (widths) and every pane (time format) anew. */
    bool settings = og != ui->panes->seen_opts_gen || pg != ui->panes->seen_palette_gen;
    if (settings) {
        ui_follow_settings(ui);
        ui_relayout(ui);
    }
    int64_t conv = v->open_conv;
    uint64_t tg = conv ? store_thread_gen(st, conv) : 0;
    uint64_t cg = conv ? store_conv_gen(st, conv) : 0;
    int64_t now = timeutil_now(), minute = now / 60;
    if (minute != ui->panes->seen_minute)
        ui->panes->clock = now;
    /* The rows shown depend on the list, the options, the limit (and, with
     * a limit, the open conversation and the clock); a move of the
     * selection or a mark only redraws. With a limit over a big inbox the
     * rebuild is the costly part, so it is not done per keypress. */
    const char *limit = v->limit_text ? v->limit_text : "";
    bool rebuild =
        lg != ui->panes->seen_list_gen || settings ||
        strcmp(limit, ui->panes->seen_limit ? ui->panes->seen_limit : "") != 0 ||
        (v->limit && (conv != ui->panes->seen_thread_conv || minute != ui->panes->seen_minute));
    if (rebuild) {
        ui_list_refresh(ui);
        free(ui->panes->seen_limit);
        ui->panes->seen_limit = xstrdup(limit);
    } else if (vg != ui->panes->seen_view_gen) {
        ui_list_select(ui);
    }
    if (rebuild || vg != ui->panes->seen_view_gen)
        ui_damage(ui, DMG_LIST | DMG_TABS | DMG_STATUS);
    /* One pane at a time: the focus decides which; only its change needs
     * new windows. */
    if ((int)v->focus != ui->panes->seen_focus) {
        if (ui->panes->seen_focus >= 0 && !ui->lay.split)
            ui_relayout(ui);
        ui->panes->seen_focus = (int)v->focus;
    }
    if (conv != ui->panes->seen_thread_conv) {
        ui->panes->thread_from_bottom = 0;
        ui_damage(ui, DMG_THREAD | DMG_HEADER);
    }
    if (tg != ui->panes->seen_thread_gen)
        ui_damage(ui, DMG_THREAD | DMG_STATUS);
    if (cg != ui->panes->seen_conv_gen || dg != ui->panes->seen_dir_gen)
        ui_damage(ui, DMG_HEADER | DMG_TABS);
    /* Rows say "you" for my own and the status line names me: once the
     * profile (the directory's) is known, they are drawn again. */
    if (dg != ui->panes->seen_dir_gen)
        ui_damage(ui, DMG_LIST | DMG_STATUS);
    /* The composer says when a colleague types or replies there. */
    if (ui->mode == MODE_COMPOSE) {
        uint64_t kg = store_conv_gen(st, ui->compose_conv) + store_thread_gen(st, ui->compose_conv);
        if (kg != ui->panes->seen_compose_gen)
            ui_damage(ui, DMG_STATUS);
        ui->panes->seen_compose_gen = kg;
    }
    if (minute != ui->panes->seen_minute)
        ui_damage(ui, DMG_LIST | DMG_THREAD);
    if (ui->env->ss) {
        /* The connection state and whether it is live (the status says). */
        int cs = (int)session_state(ui->env->ss) * 4 + session_live(ui->env->ss) * 2 +
                 session_live_tried(ui->env->ss);
        size_t ob = (size_t)session_outbox_count(ui->env->ss);
        size_t unsure = (size_t)session_outbox_unsure(ui->env->ss);
        if (cs != ui->panes->seen_conn_state || ob != ui->panes->seen_outbox ||
            unsure != ui->panes->seen_unsure || cs / 4 == CONN_RETRYING)
            ui_damage(ui, DMG_STATUS);
        /* The rows mark their replies that did not go out; an empty list
         * says why it is empty (loading, the server refused us, or why it
         * is out of reach): drawn again when the state or its reason
         * changes, not with every second of the countdown. */
        size_t sendable = (size_t)session_outbox_sendable(ui->env->ss);
        uint64_t sg = session_state_gen(ui->env->ss);
        if (ob != ui->panes->seen_outbox || unsure != ui->panes->seen_unsure ||
            sendable != ui->panes->seen_sendable ||
            ((cs != ui->panes->seen_conn_state || sg != ui->panes->seen_state_gen) &&
             ui->panes->nshown == 0))
            ui_damage(ui, DMG_LIST);
        ui->panes->seen_sendable = sendable;
        ui->panes->seen_conn_state = cs;
        ui->panes->seen_state_gen = sg;
        ui->panes->seen_outbox = ob;
        ui->panes->seen_unsure = unsure;
        follow_sync(ui);
    }
    ui->panes->seen_list_gen = lg;
    ui->panes->seen_view_gen = vg;
    ui->panes->seen_opts_gen = og;
    ui->panes->seen_palette_gen = pg;
    ui->panes->seen_dir_gen = dg;
    ui->panes->seen_thread_conv = conv;
    ui->panes->seen_thread_gen = tg;
    ui->panes->seen_conv_gen = cg;
    ui->panes->seen_minute = minute;
}

static void update_title(struct ui *ui)
{
    int unread = unread_total(ui);
    if (unread == ui->seen_unread)
        return;
    ui->seen_unread = unread;
    char title[64];
    if (unread)
        snprintf(title, sizeof title, "twoway (%d)", unread);
    else
        snprintf(title, sizeof title, "twoway");
    ui_set_title(ui, title);
}

void ui_panes_draw(struct ui *ui)
{
    find_damage(ui);
    /* First: it may take rows from the panes, or give them back. */
    if (ui->damage & (DMG_STATUS | DMG_INPUT))
        draw_status(ui);
    unsigned d = ui->damage;
    ui->damage = 0;
    if (d & DMG_TABS)
        draw_tabs(ui);
    if (d & DMG_LIST) {
        draw_list(ui);
        update_title(ui);
    }
    if (d & (DMG_LIST | DMG_THREAD))
        draw_divider(ui);
    if (d & DMG_HEADER)
        draw_header(ui);
    if (d & DMG_THREAD)
        draw_thread(ui);
}
