/* ui_priv — the screen's shared state, for the files of the ui module
 * (ui.c, ui_input.c, ui_rl.c, ui_panes.c, ui_overlay.c). */
#ifndef TWOWAY_UI_PRIV_H
#define TWOWAY_UI_PRIV_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "twoway/buf.h"
#include "twoway/cmd.h"
#include "twoway/fmt.h"
#include "twoway/keymap.h"
#include "twoway/layout.h"
#include "twoway/ui.h"

/* What the input line is doing. */
enum ui_mode {
    MODE_NORMAL,  /* keys run their bindings */
    MODE_COMMAND, /* the `:` line (readline) */
    MODE_COMPOSE, /* writing a reply or note (readline) */
    MODE_CONFIRM, /* a y/n question */
};

enum ui_overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_PICKER, OVERLAY_OUTPUT };

/* Damage: what must be drawn at the next ui_draw(). */
enum ui_damage {
    DMG_TABS = 1 << 0,
    DMG_LIST = 1 << 1,
    DMG_HEADER = 1 << 2,
    DMG_THREAD = 1 << 3,
    DMG_STATUS = 1 << 4,
    DMG_INPUT = 1 << 5,
    DMG_OVERLAY = 1 << 6,
    DMG_ALL = 0x7f,
};

struct ui {
    struct ui_deps deps;
    struct cmd_env *env;
    struct cmd_ui hooks;
    bool started;
    bool utf8;  /* the locale can show UTF-8 */
    int tty_fd; /* input */
    FILE *tty_out;

    /* Panes. */
    int rows, cols;
    struct layout lay;
    int status_rows; /* rows the status line asks of the layout (ui_status_rows) */
    WINDOW *w_tabs, *w_list, *w_div, *w_header, *w_thread, *w_status, *w_input;
    unsigned damage;

    /* What the panes drew last and hold (ui_panes.c's own). */
    struct ui_panes *panes;
    int64_t settle_conv;  /* opened, its messages on their way: not drawn yet */
    int64_t settle_until; /* ... until then (monotonic ms) */
    uint64_t settle_timer;
    int seen_unread; /* in the terminal title */

    /* Input. */
    enum ui_mode mode;
    struct buf inq;     /* bytes read from the terminal, not yet used */
    uint64_t in_read;   /* bytes read from the terminal in all: inq holds the last of them */
    uint64_t esc_timer; /* a lone ESC waits for the rest of a sequence */
    bool esc_expired;
    bool paste_rest; /* a paste longer than twoway takes goes on: dropped up to its end */
    bool rl_active;
    char *prompt;         /* shown before the line */
    int64_t compose_conv; /* the composer's target (never changes under the agent) */
    bool compose_private;
    int64_t compose_since; /* newest message id when the composer opened */
    bool compose_force;    /* Enter sends with --force (the composer came from it) */
    char *quiet_note;      /* the composer's quiet-hours warning (ui_quiet.c), or NULL */
    int64_t quiet_conv;    /* ... for this conversation */
    int64_t quiet_minute;  /* ... worked out in this minute */
    uint64_t quiet_gen;    /* ... with this thread and these settings */
    uint64_t draft_timer;
    char *compose_note;    /* why the text in the composer was refused, or NULL */
    struct ui_note *notes; /* reasons waiting with drafts (ui_refusal.c) */
    size_t nnotes;
    char *message; /* status message */
    bool message_error;
    bool prefix_pending; /* `;` was pressed: the next binding runs on marked rows */

    /* Confirmation. Only a key read after the update that put the
     * question on the terminal answers it: answer_from is in_read once that
     * update is done (ui_confirm_shown), UINT64_MAX until then. */
    char *question;
    void (*answer)(void *cbud, bool yes);
    void *answer_ud;
    uint64_t answer_from;

    /* Overlays. */
    enum ui_overlay overlay;
    WINDOW *w_overlay;
    struct fmt_line *olines;
    size_t nolines;
    size_t otop, osel;
    char *ofilter; /* picker: typed filter */
    char *otopic;  /* help: the command shown, "" for all (built anew on a resize) */

    /* Output of commands run from the screen (kept for the pager). */
    char **out;
    size_t nout;

    /* The terminal (ui_term.c). */
    bool focused;
    char *title;  /* the title we set (sanitized), sent again on resume */
    bool lent;    /* an editor or the shell has the terminal: no reading, no drawing */
    bool resumed; /* ui_suspend() took the terminal back before SIGCONT was seen */

    /* Links the thread pane drew last, for OSC 8 after the update
     * (ui_links.c). */
    struct ui_link *links;
    size_t nlinks, caplinks;
    bool links_drawn; /* the thread pane was drawn in this update */

    /* An opener that is a terminal program, running with the terminal
     * (ui_open.c). */
    pid_t opener_pid;

    /* $EDITOR child. */
    pid_t editor_pid;
    char *editor_file;
    int64_t editor_conv;
    bool editor_private;
    size_t editor_dropped; /* keys typed for it that could not be passed on */
};

/* ui.c */
void ui_damage(struct ui *ui, unsigned what);
void ui_draw_line(WINDOW *w, int y, const struct fmt_line *l);
void ui_draw_text(WINDOW *w, const char *text, size_t len, int attr);
struct fmt_ctx ui_fmt_ctx(const struct ui *ui);
void ui_run_line(struct ui *ui, const char *line);
void ui_relayout(struct ui *ui);
/* The status line asks for rows rows (a message longer than one): the
 * panes give them up (ui_relayout without a full repaint). */
void ui_status_rows(struct ui *ui, int rows);
char *ui_text(const struct ui *ui, const char *s);
/* The settings that change how the screen looks (ascii, color, `color`
 * lines, title), read at start and again whenever options_gen() or
 * palette_gen() moves, whatever changed them. */
void ui_follow_settings(struct ui *ui);

/* ui_panes.c — the panes' own state (what they drew last, the list's rows,
 * the thread's formatted lines), opaque to the other files. */
struct ui_panes *ui_panes_new(void);
void ui_panes_free(struct ui *ui);
/* The thread's lines are made anew (the width changed). */
void ui_panes_forget_lines(struct ui *ui);
/* The settings as they are now are the ones drawn (at start). */
void ui_panes_settings_seen(struct ui *ui);
/* The conversation the thread pane drew last (0: none). */
int64_t ui_panes_drawn_conv(const struct ui *ui);
/* The time the screen's ages are counted to (epoch seconds): it turns once
 * a minute, at the first draw in the new minute. */
int64_t ui_panes_clock(const struct ui *ui);
void ui_panes_draw(struct ui *ui);
void ui_list_refresh(struct ui *ui);
void ui_list_select(struct ui *ui);
int64_t ui_selected(const struct ui *ui);
void ui_thread_scroll(struct ui *ui, int lines, int pages);
int ui_list_rows(const struct ui *ui);

/* ui_input.c */
/* Whatever the terminal has for us into inq (counted in in_read); nothing
 * is handled. */
void ui_input_read(struct ui *ui);
void ui_input_keys(struct ui *ui);
void ui_confirm(struct ui *ui, const char *question, void (*answer)(void *, bool), void *ud);
/* After an update: if it was the first to show the question, keys typed
 * until now are read and turned down, and from now on a key may answer.
 * true if that turned keys down (there is something to draw). */
bool ui_confirm_shown(struct ui *ui);
/* The input queue starts with a bracketed paste. */
bool ui_paste_pending(const struct ui *ui);

/* ui_rl.c — readline on the input line */
void ui_rl_init(struct ui *ui);
void ui_rl_done(struct ui *ui);
void ui_rl_begin(struct ui *ui, enum ui_mode mode, const char *prompt, const char *text);
void ui_rl_end(struct ui *ui);
void ui_rl_feed_bytes(struct ui *ui, size_t n);
void ui_rl_insert(struct ui *ui, const char *text);
/* Is readline in vi editing mode (set editing-mode vi)? */
bool ui_rl_vi_mode(void);
void ui_rl_draw(struct ui *ui);
/* The question is too long for the input line: its end shows there, the
 * whole of it in the status line. */
bool ui_question_cut(const struct ui *ui);
void ui_compose_open(struct ui *ui, int64_t conv, bool is_private, const char *text);
/* The reply composer on conv with text added at the end of what was kept
 * as its draft (a template picked before the composer was open goes after
 * what was typed, never over it). */
void ui_compose_add(struct ui *ui, int64_t conv, const char *text);
/* Why sending from the composer now may clash with a colleague: they type
 * in this conversation, or replied since the composer opened (or in the
 * last two minutes). Owned, or NULL. */
char *ui_compose_collision(const struct ui *ui);
void ui_drafts_save_now(struct ui *ui);

/* ui_rlkeys.c — ~/.inputrc, with the bindings that would switch the
 * editing mode or send the line as a comment turned off (unless bound
 * under $if twoway) */
void ui_rlkeys_init(struct ui *ui);
void ui_rlkeys_done(void);
/* "vi insert" or "vi command" in vi editing mode; NULL in emacs mode. */
const char *ui_rlkeys_mode(void);

/* The composer's text (borrowed; "" when closed). */
const char *ui_rl_text(void);
/* Ends a history search readline is in (as its C-g does): the line from
 * before it comes back. */
void ui_rl_stop_search(struct ui *ui);
/* Put text at the start of the composer, a line break after it. */
void ui_rl_put_first(struct ui *ui, const char *text);

/* ui_refusal.c — text that did not go out, back to the agent with why
 * (NULL: keep a reason given already) */
void ui_give_back(struct ui *ui, int64_t conv, bool is_private, const char *text, const char *why);
void ui_note_put(struct ui *ui, int64_t conv, bool is_private, const char *why);
char *ui_note_take(struct ui *ui, int64_t conv, bool is_private);
void ui_notes_free(struct ui *ui);

/* ui_overlay.c — help and the template picker */
void ui_help_open(struct ui *ui, const char *topic);
void ui_picker_open(struct ui *ui);
void ui_overlay_key(struct ui *ui, int key);
void ui_overlay_draw(struct ui *ui);
void ui_overlay_close(struct ui *ui);
void ui_overlay_relayout(struct ui *ui);
/* A pager over lines [first, nout) of the output. */
void ui_output_open(struct ui *ui, size_t first);

/* ui_term.c — the terminal's modes, set by one function at start and at
 * every return to the screen, undone by one when it is lent out */
void ui_term_enter(struct ui *ui);
void ui_term_leave(struct ui *ui);
/* The title setting changed: on, the next draw sets ours; off, the
 * terminal's own comes back. */
void ui_title_follow(struct ui *ui);

/* ui_editor.c */
void ui_editor_start(struct ui *ui, int64_t conv, bool is_private, const char *text);
void ui_editor_check(struct ui *ui);
/* Run argv with the terminal lent to it (ui_term_leave); its pid, or -1
 * (the terminal taken back) if it could not be started. */
pid_t ui_lend_exec(struct ui *ui, char **argv);
/* Has the child *pid lent the terminal to exited? 0 while it runs (or if
 * there is none); else what waitpid said (with *status), *pid is -1 and
 * the terminal is taken back. */
pid_t ui_lend_reap(struct ui *ui, pid_t *pid, int *status);
/* At exit: ends a child that has the terminal, and keeps the editor's text. */
void ui_lend_end(struct ui *ui);

/* ui_links.c: hyperlinks (OSC 8) over the links the thread pane drew. */
void ui_links_begin(struct ui *ui); /* the thread pane is being drawn */
/* Line l drawn at screen row y, its first column at x0. */
void ui_links_add(struct ui *ui, int y, int x0, const struct fmt_line *l);
/* After doupdate(): the links drawn in this update, as hyperlinks. */
void ui_links_emit(struct ui *ui);
void ui_links_free(struct ui *ui);
/* The hyperlinks setting as it applies here (auto: from the terminal). */
bool ui_hyperlinks(const struct ui *ui);

/* ui_open.c: the clipboard (OSC 52, wrapped for tmux or screen), and an
 * opener that has the terminal until it exits (ui_open_check takes it
 * back). */
void ui_open_copy(struct ui *ui, const char *text);
bool ui_open_in_terminal(struct ui *ui, char **argv, char **err);
void ui_open_check(struct ui *ui);

/* ui_quiet.c: the composer's warning that Enter would be refused for
 * quiet hours, or NULL. Borrowed until the next call. */
const char *ui_quiet_note(struct ui *ui);

#endif
