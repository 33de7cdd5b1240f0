/* ui — the curses screen: lifecycle, layout and the redraw of what
 * changed. Panes are drawn in ui_panes.c, input in ui_input.c and ui_rl.c. */
#include "twoway/ui.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "theme.h"
#include "twoway/log.h"
#include "twoway/options.h"
#include "twoway/palette.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

static void clear_output(struct ui *ui);

/* ---- hooks for commands ---- */

static void hook_compose(void *ud, int64_t conv, bool is_private, bool force, const char *text)
{
    struct ui *ui = ud;
    ui_compose_open(ui, conv, is_private, text);
    ui->compose_force = force && !is_private;
    if (ui->compose_force) {
        /* What refused the text before is what --force passes over. */
        xfree_null(&ui->compose_note);
        ui_damage(ui, DMG_STATUS);
    }
}

static void hook_command_line(void *ud, const char *text)
{
    struct ui *ui = ud;
    /* Under the `;` prefix the line runs on the marked conversations. */
    ui_rl_begin(ui, MODE_COMMAND, ui->env->prefix_marked ? "marked:" : ":", text ? text : "");
}

static void hook_insert(void *ud, const char *text)
{
    struct ui *ui = ud;
    if (ui->mode == MODE_COMPOSE)
        ui_rl_insert(ui, text);
    else if (ui->env->view->open_conv)
        ui_compose_add(ui, ui->env->view->open_conv, text);
}

static void hook_pick(void *ud)
{
    ui_picker_open(ud);
}

static void hook_help(void *ud, const char *topic)
{
    ui_help_open(ud, topic);
}

static void hook_confirm(void *ud, const char *q, void (*answer)(void *, bool), void *cbud)
{
    ui_confirm(ud, q, answer, cbud);
}

static void hook_refused(void *ud, int64_t conv, bool is_private, const char *text, const char *why)
{
    ui_give_back(ud, conv, is_private, text, why);
}

static void hook_edit(void *ud, int64_t conv, bool is_private, const char *text)
{
    ui_editor_start(ud, conv, is_private, text);
}

static void hook_scroll(void *ud, int lines, int pages)
{
    ui_thread_scroll(ud, lines, pages);
}

static int hook_list_rows(void *ud)
{
    return ui_list_rows(ud);
}

static void hook_redraw(void *ud)
{
    struct ui *ui = ud;
    if (ui->started)
        clearok(curscr, TRUE);
    ui_damage(ui, DMG_ALL);
}

static void hook_copy(void *ud, const char *text)
{
    ui_open_copy(ud, text);
}

static bool hook_run_in_terminal(void *ud, char **argv, char **err)
{
    return ui_open_in_terminal(ud, argv, err);
}

static void hook_quit(void *ud)
{
    struct ui *ui = ud;
    ui->env->quit = true;
}

/* ---- lifecycle ---- */

struct ui *ui_new(const struct ui_deps *deps)
{
    struct ui *ui = xcalloc(1, sizeof *ui);
    ui->deps = *deps;
    ui->env = deps->env;
    ui->tty_fd = STDIN_FILENO;
    ui->focused = true;
    ui->seen_unread = -1;
    ui->status_rows = 1;
    ui->panes = ui_panes_new();
    ui->editor_pid = -1;
    ui->opener_pid = -1;
    buf_init(&ui->inq);
    ui->hooks = (struct cmd_ui){
        .compose = hook_compose,
        .command_line = hook_command_line,
        .insert = hook_insert,
        .pick_template = hook_pick,
        .help = hook_help,
        .confirm = hook_confirm,
        .edit = hook_edit,
        .refused = hook_refused,
        .scroll = hook_scroll,
        .list_rows = hook_list_rows,
        .redraw = hook_redraw,
        .quit = hook_quit,
        .copy = hook_copy,
        .run_in_terminal = hook_run_in_terminal,
        .ud = ui,
    };
    return ui;
}

static bool want_color(struct ui *ui)
{
    const char *c = options_get(ui->env->opts, "color");
    if (c && strcmp(c, "no") == 0)
        return false;
    if (c && strcmp(c, "yes") == 0)
        return true;
    const char *nc = getenv("NO_COLOR");
    return !(nc && *nc);
}

void ui_follow_settings(struct ui *ui)
{
    const char *cs = nl_langinfo(CODESET);
    ui->utf8 = cs && strcmp(cs, "UTF-8") == 0 && !options_has(ui->env->opts, "ascii", "yes");
    theme_init(want_color(ui));
    if (ui->env->palette)
        theme_follow(ui->env->palette);
    ui_title_follow(ui);
    ui_damage(ui, DMG_ALL);
}

int ui_start(struct ui *ui, char **err)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        *err = xstrdup("standard input and output must be a terminal (use --batch for scripts)");
        return -1;
    }
    ui->tty_out = stdout;
    if (!initscr()) {
        *err = xstrdup("cannot start the screen (is TERM set?)");
        return -1;
    }
    ui->started = true;
    raw();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, FALSE); /* keys are decoded by ui_input.c */
    curs_set(0);
    ui_follow_settings(ui);
    ui_panes_settings_seen(ui);
    /* Until a program's first endwin(), ncurses (6.4, and still today)
     * flushes its output after every cursor move of an update: a keypress
     * left in 15 write()s, each a packet over SSH. After one endwin() the
     * next doupdate() takes the screen back and from then on an update
     * leaves in one write(). A fully buffered stdout does not help: ncurses
     * writes to the descriptor itself (test_ncurses_flush shows both). So
     * the screen starts as it comes back after fg: lent, then taken. */
    def_prog_mode();
    endwin();
    ui->lent = true;
    ui_rl_init(ui);
    ui_relayout(ui);
    ui_term_enter(ui);
    return 0;
}

void ui_stop(struct ui *ui)
{
    if (!ui->started)
        return;
    ui_overlay_close(ui);
    ui_rl_done(ui);
    ui_term_leave(ui);
    ui_lend_end(ui); /* lent to the editor or the opener when a signal ended twoway */
    ui->started = false;
}

static void free_windows(struct ui *ui)
{
    WINDOW **ws[] = {&ui->w_tabs,   &ui->w_list,   &ui->w_div,  &ui->w_header,
                     &ui->w_thread, &ui->w_status, &ui->w_input};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
        if (*ws[i])
            delwin(*ws[i]);
        *ws[i] = NULL;
    }
}

void ui_free(struct ui **pui)
{
    struct ui *ui = *pui;
    if (!ui)
        return;
    ui_stop(ui);
    ui_panes_free(ui);
    if (ui->settle_timer && ui->deps.cancel)
        ui->deps.cancel(ui->deps.loop_ud, ui->settle_timer);
    free_windows(ui);
    fmt_lines_free(ui->olines, ui->nolines);
    free(ui->prompt);
    free(ui->message);
    free(ui->question);
    free(ui->ofilter);
    free(ui->otopic);
    free(ui->editor_file);
    free(ui->title);
    free(ui->compose_note);
    free(ui->quiet_note);
    ui_notes_free(ui);
    ui_links_free(ui);
    clear_output(ui);
    free(ui->out);
    buf_free(&ui->inq);
    free(ui);
    *pui = NULL;
}

const struct cmd_ui *ui_cmd_hooks(struct ui *ui)
{
    return &ui->hooks;
}

/* ---- layout ---- */

static WINDOW *mkwin(const struct rect *r)
{
    if (r->h <= 0 || r->w <= 0)
        return NULL;
    WINDOW *w = newwin(r->h, r->w, r->y, r->x);
    if (w)
        leaveok(w, TRUE);
    return w;
}

/* New windows where the layout puts them now; everything is drawn again. */
static void place_windows(struct ui *ui)
{
    free_windows(ui);
    getmaxyx(stdscr, ui->rows, ui->cols);
    struct layout_opts lo = {
        .list_width = (int)options_int(ui->env->opts, "list_width"),
        .list_share = (int)options_int(ui->env->opts, "list_share"),
        .split_min = (int)options_int(ui->env->opts, "split_min"),
        .header_lines = 3,
        .focus =
            ui->env->view->focus == VIEW_FOCUS_THREAD ? LAYOUT_FOCUS_THREAD : LAYOUT_FOCUS_LIST,
        .status_lines = ui->status_rows,
    };
    layout_compute(ui->rows, ui->cols, &lo, &ui->lay);
    ui->w_tabs = mkwin(&ui->lay.tabs);
    ui->w_list = mkwin(&ui->lay.list);
    ui->w_div = mkwin(&ui->lay.divider);
    ui->w_header = mkwin(&ui->lay.header);
    ui->w_thread = mkwin(&ui->lay.thread);
    ui->w_status = mkwin(&ui->lay.status);
    ui->w_input = mkwin(&ui->lay.input);
    if (ui->w_input)
        leaveok(ui->w_input, FALSE);
    ui_overlay_relayout(ui);
    ui_damage(ui, DMG_ALL);
}

void ui_relayout(struct ui *ui)
{
    place_windows(ui);
    ui_panes_forget_lines(ui); /* thread lines depend on the width */
    clearok(curscr, TRUE);
}

void ui_status_rows(struct ui *ui, int rows)
{
    ui->status_rows = rows;
    place_windows(ui); /* the same width: only what moved goes out */
}

void ui_resize(struct ui *ui)
{
    if (!ui->started || ui->lent)
        return; /* ui_term_enter() asks for the size when it is back */
    /* Our own SIGWINCH handler runs instead of ncurses', so ncurses never
     * sees KEY_RESIZE: ask the kernel and tell curses ourselves. */
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    ui_relayout(ui);
}

void ui_damage(struct ui *ui, unsigned what)
{
    ui->damage |= what;
}

/* ---- drawing helpers ---- */

void ui_draw_text(WINDOW *w, const char *text, size_t len, int attr)
{
    char *copy = xstrndup(text, len);
    size_t pos = 0;
    struct text_cell cell;
    attr_t a = (attr_t)attr & ~A_COLOR;
    short pair = (short)PAIR_NUMBER(attr);
    while (text_cell_next(copy, &pos, &cell)) {
        cchar_t cc;
        if (setcchar(&cc, cell.wc, a, pair, NULL) == OK)
            wadd_wch(w, &cc);
    }
    free(copy);
}

/* Spaces between two styled parts, this many or fewer, are drawn in a
 * neighbour's attributes when that looks the same: each switch back to
 * normal and out again is some 15 bytes to the terminal. */
#define GAP_BORROW_MAX 4

static bool only_spaces(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ')
            return false;
    return n > 0;
}

/* The role to draw the unstyled text after span prev in: prev's own, to
 * go on without a switch. Only after a plain-looking span: the text around
 * a cell that changes look (the list's selection column) must not change
 * with it, or a move would rewrite it too. */
static enum fmt_role gap_role(const char *text, size_t n, const struct fmt_span *prev)
{
    if (prev && n <= GAP_BORROW_MAX && only_spaces(text, n) && theme_blank_plain(prev->role))
        return prev->role;
    return ROLE_NORMAL;
}

void ui_draw_line(WINDOW *w, int y, const struct fmt_line *l)
{
    if (!w)
        return;
    wmove(w, y, 0);
    size_t at = 0, len = strlen(l->text);
    for (size_t i = 0; i < l->nspans; i++) {
        const struct fmt_span *s = &l->spans[i];
        if (s->start > at) {
            enum fmt_role r = gap_role(l->text + at, s->start - at, i ? &l->spans[i - 1] : NULL);
            ui_draw_text(w, l->text + at, s->start - at, theme_attr(r));
        }
        if (s->end > s->start && s->end <= len)
            ui_draw_text(w, l->text + s->start, s->end - s->start, theme_attr(s->role));
        at = s->end > at ? s->end : at;
    }
    if (at < len)
        ui_draw_text(w, l->text + at, len - at, theme_attr(ROLE_NORMAL));
    wattrset(w, theme_attr(ROLE_NORMAL));
    wclrtoeol(w);
}

struct fmt_ctx ui_fmt_ctx(const struct ui *ui)
{
    struct fmt_ctx c = {
        .now = ui_panes_clock(ui),
        .me = ui->env->ss ? session_me(ui->env->ss) : 0,
        .ascii = !ui->utf8,
        .preview = options_bool(ui->env->opts, "notify_preview"),
        .time_format = options_get(ui->env->opts, "time_format"),
    };
    return c;
}

/* Our own words for the screen; in a non-UTF-8 locale the few glyphs they
 * use become ASCII look-alikes, and anything else '?'. Owned. */
char *ui_text(const struct ui *ui, const char *s)
{
    if (ui->utf8)
        return xstrdup(s);
    static const struct {
        const char *from, *to;
    } map[] = {{"…", "..."}, {"·", "-"}, {"›", ">"}, {"—", "-"}, {"│", "|"}};
    struct buf b;
    buf_init(&b);
    for (const char *p = s; *p;) {
        size_t i;
        for (i = 0; i < sizeof map / sizeof map[0]; i++) {
            size_t n = strlen(map[i].from);
            if (strncmp(p, map[i].from, n) == 0) {
                buf_adds(&b, map[i].to);
                p += n;
                break;
            }
        }
        if (i == sizeof map / sizeof map[0])
            buf_addc(&b, *p++);
    }
    char *a = text_ascii(b.data);
    buf_free(&b);
    return a;
}

/* ---- messages, title, focus, raw output ---- */

void ui_message(struct ui *ui, const char *text, bool error)
{
    free(ui->message);
    ui->message = text ? text_sanitize_str(text, TEXT_SINGLE_LINE) : NULL;
    ui->message_error = error;
    ui_damage(ui, DMG_STATUS);
}

bool ui_focused(const struct ui *ui)
{
    return ui->focused;
}

void ui_save_drafts(struct ui *ui)
{
    ui_drafts_save_now(ui);
}

/* ---- commands from the screen ---- */

/* Output beyond this many lines is not kept (the pager shows the rest
 * of a command's output up to here). */
#define OUTPUT_MAX 20000

void ui_output(struct ui *ui, const char *text)
{
    ui_message(ui, text, false);
    if (ui->nout >= OUTPUT_MAX)
        return;
    ui->out = xreallocarray(ui->out, ui->nout + 1, sizeof *ui->out);
    ui->out[ui->nout++] = text_sanitize_str(text, TEXT_MULTI_LINE);
}

static void clear_output(struct ui *ui)
{
    for (size_t i = 0; i < ui->nout; i++)
        free(ui->out[i]);
    ui->nout = 0;
}

/* A command run from the screen: what it said, once it is done. */
struct run {
    struct ui *ui;
};

static void line_done(void *ud, bool ok)
{
    struct run *r = ud;
    struct ui *ui = r->ui;
    (void)ok;
    /* One line fits the status line; more deserve a pager. */
    if (ui->started && ui->nout > 1)
        ui_output_open(ui, 0);
    free(r);
}

void ui_run_line(struct ui *ui, const char *line)
{
    struct cmd_source src = {.file = NULL};
    bool prefixed = ui->prefix_pending;
    if (prefixed) {
        ui->env->prefix_marked = true;
        ui->prefix_pending = false;
    }
    bool before = ui->env->prefix_marked;
    struct run *r = xcalloc(1, sizeof *r);
    r->ui = ui;
    clear_output(ui);
    cmd_run(ui->env, line, &src, line_done, r);
    /* `prefix` itself arms the mark prefix for the next command; `;` then
     * `:` keeps it for the line typed there (`;` `:assign Ben`). */
    ui->prefix_pending =
        (ui->env->prefix_marked && !before) || (prefixed && ui->mode == MODE_COMMAND);
    ui->env->prefix_marked = false;
    if (ui->prefix_pending && !prefixed) {
        size_t n = ui->env->view->nmarks;
        char *m = n ? xasprintf("; the next command applies to the %zu marked conversation%s", n,
                                n == 1 ? "" : "s")
                    : xstrdup("; no conversation is marked (Space marks one)");
        ui_message(ui, m, !n);
        free(m);
    }
    ui_damage(ui, DMG_ALL);
}

/* ---- the redraw ---- */

/* A conversation just opened whose messages are on their way is drawn when
 * they come (usually within milliseconds), not first as "Loading…" and
 * then again: one update instead of two. After OPEN_SETTLE_MS it is drawn
 * as it is. */
#define OPEN_SETTLE_MS 100

static void settle_due(void *ud)
{
    struct ui *ui = ud;
    ui->settle_timer = 0; /* the loop draws after a timer */
}

static bool open_settling(struct ui *ui)
{
    int64_t conv = ui->env->view->open_conv;
    size_t n = 0;
    const struct conversation *c = conv ? store_conv(ui->env->st, conv) : NULL;
    if (!c || !c->has_last || conv == ui_panes_drawn_conv(ui) ||
        (store_thread(ui->env->st, conv, &n), n > 0)) {
        ui->settle_conv = 0;
        if (ui->settle_timer && ui->deps.cancel)
            ui->deps.cancel(ui->deps.loop_ud, ui->settle_timer);
        ui->settle_timer = 0;
        return false;
    }
    int64_t now = timeutil_mono_ms();
    if (ui->settle_conv != conv) {
        ui->settle_conv = conv;
        ui->settle_until = now + OPEN_SETTLE_MS;
        if (ui->deps.timer && !ui->settle_timer)
            ui->settle_timer = ui->deps.timer(ui->deps.loop_ud, ui->settle_until, settle_due, ui);
    }
    return now < ui->settle_until;
}

/* What changed, to the terminal. */
static void update(struct ui *ui)
{
    ui_panes_draw(ui);
    if (ui->overlay != OVERLAY_NONE)
        ui_overlay_draw(ui);
    ui_rl_draw(ui);
    doupdate();
    ui_links_emit(ui);
}

void ui_draw(struct ui *ui)
{
    ui_editor_check(ui);
    ui_open_check(ui);
    if (!ui->started || ui->lent)
        return; /* the terminal is someone else's */
    if (open_settling(ui))
        return;
    update(ui);
    /* A question just shown turns down what was typed before it. */
    if (ui_confirm_shown(ui) && ui->started && !ui->lent)
        update(ui);
}
