/* ui — the curses screen: panes, the input line (GNU readline in callback
 * mode), key bindings, help, pickers and prompts. The app owns the loop;
 * the ui reads the terminal when the loop says it is readable and redraws
 * only what changed when ui_draw() is called after each turn. */
#ifndef TWOWAY_UI_H
#define TWOWAY_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmd_env;
struct cmd_ui;
struct ui;

struct ui_deps {
    struct cmd_env *env;   /* commands, view, store, session, options, keys */
    const char *state_dir; /* drafts and history live here ($XDG_STATE_HOME/twoway/…) */
    /* Timers from the app's loop (monotonic ms). */
    uint64_t (*timer)(void *ud, int64_t when, void (*cb)(void *cbud), void *cbud);
    void (*cancel)(void *ud, uint64_t id);
    /* Watch fd (the terminal) for input, or stop: the terminal is not
     * read while it is lent to an editor or the shell. */
    void (*tty_watch)(void *ud, int fd, bool on);
    void *loop_ud;
    /* The account as shown in the status line ("Bayside Dental"). */
    const char *account_label;
};

struct ui *ui_new(const struct ui_deps *deps);
void ui_free(struct ui **ui);

/* Take the terminal (curses, readline). 0 or -1 with *err. */
int ui_start(struct ui *ui, char **err);
/* Give the terminal back exactly as it was (also after a signal). */
void ui_stop(struct ui *ui);

/* Input is ready: read it all, run keys and readline. */
void ui_input(struct ui *ui);
/* SIGTSTP (or Ctrl-Z): give the terminal back as it was, stop, and on
 * SIGCONT take it again with every mode twoway set. */
void ui_suspend(struct ui *ui);
/* SIGCONT: after a stop ui_suspend() did not do (SIGSTOP), set every mode
 * again and redraw. */
void ui_continued(struct ui *ui);
/* The terminal is lent to another program ($EDITOR): keys are its own
 * (a SIGINT is for it, not for twoway). */
bool ui_lent(const struct ui *ui);
/* The terminal changed size (SIGWINCH). */
void ui_resize(struct ui *ui);
/* Redraw what changed since the last call; one doupdate(). */
void ui_draw(struct ui *ui);
/* A one-line message in the status area (errors stay until a key). */
void ui_message(struct ui *ui, const char *text, bool error);
/* A line of a command's output: shown in the status line and kept, so
 * that a command that says more than one line (list, show, agents…)
 * opens it in a pager when it finishes. */
void ui_output(struct ui *ui, const char *text);
/* The hooks commands use (compose, confirm, help…). */
const struct cmd_ui *ui_cmd_hooks(struct ui *ui);
/* The server refused reply echo_id of conv for good (a 4xx): it comes out
 * of the outbox and back to the agent, into the composer or its draft,
 * with why next to it. */
void ui_reply_refused(struct ui *ui, int64_t conv, const char *echo_id, const char *why);
/* Save the drafts being typed (on exit and on signals). */
void ui_save_drafts(struct ui *ui);

/* Does the terminal have focus (focus reporting, CSI ? 1004 h)? true when
 * the terminal does not report focus. */
bool ui_focused(const struct ui *ui);
/* Write bytes straight to the terminal (notification escapes), outside
 * curses' screen model; flushed at once. */
void ui_write_raw(struct ui *ui, const char *bytes, size_t n);
/* Set the terminal title (restored at ui_stop); NULL restores. */
void ui_set_title(struct ui *ui, const char *title);

#endif
