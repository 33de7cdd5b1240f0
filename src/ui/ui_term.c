/* ui_term — the terminal's modes: taking the terminal, lending it out
 * (Ctrl-Z, SIGTSTP, $EDITOR) and taking it back.
 *
 * Everything twoway sets on the terminal is set by ui_term_enter() and
 * undone by ui_term_leave(); start-up and every way back to the screen (fg
 * after a stop, the editor's exit, SIGCONT after someone else stopped us)
 * go through the same function, so they cannot drift apart. A shell that
 * ran in between has usually turned bracketed paste off (bash does before
 * each command), so without this a paste after `fg` arrives as keys.
 *
 * While the terminal is lent out, twoway neither reads it (the fd leaves
 * the loop's poll set) nor writes to it (drawing, the title, notification
 * escapes): the keys are the editor's or the shell's. */
#include <curses.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "twoway/options.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

/* Focus reporting (CSI ? 1004 h) and bracketed paste (CSI ? 2004 h), and
 * the title stack (push; XTWINOPS 22/23): ignored by terminals that do not
 * know them. */
#define MODES_ON "\033[?1004h\033[?2004h"
#define MODES_OFF "\033[?1004l\033[?2004l"
#define TITLE_PUSH "\033[22;0t"
#define TITLE_POP "\033[23;0t"

static void tty_write(struct ui *ui, const char *s)
{
    if (ui->tty_out) {
        fputs(s, ui->tty_out);
        fflush(ui->tty_out);
    }
}

static void set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* The terminal's cursor and keypad keys in their normal mode (rmkx), as
 * the key decoder and readline expect them, whatever a program before us
 * left behind. */
static void keypad_normal(struct ui *ui)
{
    const char *rmkx = tigetstr("rmkx");
    if (rmkx && rmkx != (char *)-1)
        tty_write(ui, rmkx);
}

static void emit_title(struct ui *ui)
{
    if (!ui->title)
        return;
    fprintf(ui->tty_out, "\033]2;%s\007", ui->title);
    fflush(ui->tty_out);
}

/* The one way to the screen's modes: at start (nothing to undo), and
 * after ui_term_leave() (lent: curses' raw modes come back first, so that
 * nothing typed from here on is cooked, echoed or turned into a signal). */
void ui_term_enter(struct ui *ui)
{
    set_nonblock(ui->tty_fd, true); /* ui_input() reads until it would block */
    if (ui->lent) {
        reset_prog_mode();
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
            (ws.ws_row != LINES || ws.ws_col != COLS))
            resizeterm(ws.ws_row, ws.ws_col);
        ui_relayout(ui);
        clearok(curscr, TRUE);
        doupdate(); /* the alternate screen and the cursor as curses had them */
        /* A question is shown anew: what was typed while the screen was
         * away is no answer to it. */
        if (ui->mode == MODE_CONFIRM)
            ui->answer_from = UINT64_MAX;
    }
    ui->lent = false;
    keypad_normal(ui);
    tty_write(ui, MODES_ON TITLE_PUSH);
    emit_title(ui);
    if (ui->deps.tty_watch)
        ui->deps.tty_watch(ui->deps.loop_ud, ui->tty_fd, true);
    ui_damage(ui, DMG_ALL);
}

void ui_term_leave(struct ui *ui)
{
    if (ui->lent)
        return;
    ui->lent = true;
    if (ui->deps.tty_watch)
        ui->deps.tty_watch(ui->deps.loop_ud, ui->tty_fd, false);
    if (ui->esc_timer) {
        ui->deps.cancel(ui->deps.loop_ud, ui->esc_timer);
        ui->esc_timer = 0;
        ui->esc_expired = false;
    }
    /* Bytes already read were typed for what comes next (the editor, the
     * shell); run as twoway keys after it, they would be a surprise. */
    buf_reset(&ui->inq);
    ui->paste_rest = false;
    tty_write(ui, MODES_OFF TITLE_POP);
    if (ui->title)
        tty_write(ui, "\033]2;\007"); /* for terminals without a title stack */
    def_prog_mode();
    endwin();
    set_nonblock(ui->tty_fd, false); /* the shell shares the open file */
}

bool ui_lent(const struct ui *ui)
{
    return ui->started && ui->lent;
}

/* Stop as SIGTSTP would, though it is caught (to get here): with the
 * default action for the moment of the stop. */
static void stop_self(void)
{
    struct sigaction dfl, old;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &old);
    sigset_t unblock, was;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &unblock, &was);
    kill(getpid(), SIGTSTP);
    /* continued (SIGCONT) */
    sigprocmask(SIG_SETMASK, &was, NULL);
    sigaction(SIGTSTP, &old, NULL);
}

void ui_suspend(struct ui *ui)
{
    if (!ui->started || ui->lent) {
        /* The editor has the terminal and stopped its process group
         * (vi's Ctrl-Z): stop with it; it redraws itself after fg. */
        stop_self();
        return;
    }
    ui_drafts_save_now(ui);
    ui_term_leave(ui);
    stop_self();
    ui_term_enter(ui);
    ui->resumed = true; /* the SIGCONT that woke us finds it done */
}

void ui_continued(struct ui *ui)
{
    if (ui->resumed) {
        ui->resumed = false;
        return;
    }
    /* Stopped by someone else (SIGSTOP) and continued: whatever ran
     * meanwhile may have changed any mode (bash turns bracketed paste off
     * before `fg`) and written over the screen. Undone and done again by
     * the same two functions as every other return. */
    if (ui->started && !ui->lent) {
        ui_term_leave(ui);
        ui_term_enter(ui);
    }
}

/* ---- raw output ---- */

void ui_write_raw(struct ui *ui, const char *bytes, size_t n)
{
    if (!ui->started || ui->lent || !ui->tty_out)
        return;
    fwrite(bytes, 1, n, ui->tty_out);
    fflush(ui->tty_out);
}

void ui_title_follow(struct ui *ui)
{
    if (options_bool(ui->env->opts, "title")) {
        ui->seen_unread = -1; /* the next draw sets it */
        return;
    }
    if (!ui->title)
        return;
    /* Turned off: the terminal's own title back (pop), kept for the end
     * (push), and ours forgotten. */
    xfree_null(&ui->title);
    if (ui->started && !ui->lent)
        tty_write(ui, TITLE_POP "\033]2;\007" TITLE_PUSH);
}

void ui_set_title(struct ui *ui, const char *title)
{
    if (!ui->started || !options_bool(ui->env->opts, "title"))
        return;
    /* The title is ours, but a contact name may end up in it one day:
     * nothing below 0x20 or ESC may pass (sanitize turned them visible). */
    free(ui->title);
    ui->title = text_sanitize_str(title ? title : "", TEXT_SINGLE_LINE);
    if (!ui->lent)
        emit_title(ui);
}
