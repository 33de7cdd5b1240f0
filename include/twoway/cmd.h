/* cmd — the one command language. Every action is a command in one table
 * (name, aliases, arguments, preconditions, completion, help, handler);
 * keys are bindings to command lines, the `:` line runs them, the config
 * file is a list of them, and scripts (-e, --batch) run them. Help,
 * completion and the man page's command list come from the table.
 *
 * No curses here: what only a screen can do (open the composer, ask a
 * question, show help) goes through struct cmd_ui, which is NULL in batch
 * mode. Output goes to struct cmd_out: the status line, stdout, JSON lines
 * or a test buffer. */
#ifndef TWOWAY_CMD_H
#define TWOWAY_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

struct codec_val;
struct keymap;
struct options;
struct palette;
struct session;
struct store;
struct view;
struct cmd_call;

enum cmd_status { CMD_OK, CMD_FAIL, CMD_PENDING };

enum cmd_flags {
    CMD_NEEDS_CONV = 1 << 0, /* acts on a conversation (open one, or the marked ones) */
    CMD_NEEDS_CONN = 1 << 1, /* needs the server (a session) */
    CMD_BULK = 1 << 2,       /* may run once per marked conversation (the ; prefix) */
    CMD_UI = 1 << 3,         /* only means something on a screen; a no-op in batch */
    CMD_CONFIG = 1 << 4,     /* allowed in config files (before any connection) */
};

/* What an argument completes to (readline Tab). */
enum cmd_complete {
    COMPLETE_NONE,
    COMPLETE_COMMAND,
    COMPLETE_OPTION,
    COMPLETE_AGENT, /* names, "me", "none" */
    COMPLETE_TEAM,
    COMPLETE_LABEL,
    COMPLETE_TAG,      /* +label / -label */
    COMPLETE_TEMPLATE, /* short codes */
    COMPLETE_CONV,     /* conversation ids (and phones) */
    COMPLETE_STATUS,
    COMPLETE_PRIORITY,
    COMPLETE_FILTER, /* mine unassigned all */
    COMPLETE_INBOX,
    COMPLETE_KEYCTX,
    COMPLETE_ROLE,
    COMPLETE_FILE,
    COMPLETE_WHEN,  /* snooze: next-reply, durations, tomorrow */
    COMPLETE_FOCUS, /* list thread toggle */
};

struct cmd_def {
    const char *name;
    const char *aliases; /* space-separated, or NULL */
    int min_args;
    int max_args; /* -1: the rest of the line is one argument list */
    unsigned flags;
    const char *usage;             /* "assign AGENT|me|none" */
    const char *help;              /* one sentence */
    enum cmd_complete complete[2]; /* first argument, later arguments */
    enum cmd_status (*exec)(struct cmd_call *call);
};

/* Where output goes. */
struct cmd_out {
    /* A line of information (status line or stdout). */
    void (*info)(void *ud, const char *text);
    /* An error from the command named cmd ("twoway: cmd: reason" in batch). */
    void (*error)(void *ud, const char *cmd, const char *msg);
    /* One record of output in --json mode (takes the object); NULL when
     * the output is text. */
    void (*json)(void *ud, struct codec_val *obj);
    void *ud;
};

/* What only a screen can do (NULL in batch mode). */
struct cmd_ui {
    /* Open the composer on conv (reply or note), pre-filled with text;
     * force: what it sends skips the checks (`reply --force`). */
    void (*compose)(void *ud, int64_t conv, bool is_private, bool force, const char *text);
    /* Open the `:` command line, pre-filled with text (may be ""). */
    void (*command_line)(void *ud, const char *text);
    /* Insert text at the composer's cursor (templates). */
    void (*insert)(void *ud, const char *text);
    /* Template picker over the templates (inserts the chosen one). */
    void (*pick_template)(void *ud);
    /* Show help (NULL: the key and command overview). */
    void (*help)(void *ud, const char *topic);
    /* Ask a yes/no question; answer(cbud, yes) runs later. */
    void (*confirm)(void *ud, const char *question, void (*answer)(void *cbud, bool yes),
                    void *cbud);
    /* A reply or note was refused or declined before it went out: its
     * text (as written, variables unfilled) back to the agent with why. */
    void (*refused)(void *ud, int64_t conv, bool is_private, const char *text, const char *why);
    /* Compose in $EDITOR (conv, private, initial text). */
    void (*edit)(void *ud, int64_t conv, bool is_private, const char *text);
    /* Scroll the thread by lines (negative: up) or pages (page != 0). */
    void (*scroll)(void *ud, int lines, int pages);
    /* Rows of the list pane, for page moves. */
    int (*list_rows)(void *ud);
    void (*redraw)(void *ud);
    void (*quit)(void *ud);
    /* Put text on the clipboard of the agent's terminal (OSC 52). */
    void (*copy)(void *ud, const char *text);
    /* Run argv (a terminal program) with the terminal until it exits.
     * false with *err (owned) if it could not start. */
    bool (*run_in_terminal)(void *ud, char **argv, char **err);
    void *ud;
};

/* The world commands act on; wired by the app. */
struct cmd_env {
    struct session *ss; /* NULL until connected */
    struct store *st;
    struct view *view;
    struct options *opts;
    struct keymap *keys;
    const struct cmd_ui *ui; /* NULL in batch mode */
    struct cmd_out out;
    /* Local templates (config `template` lines), owned by the env. */
    struct template *local_templates;
    size_t nlocal_templates;
    /* Batch mode: the conversation `open` chose. */
    int64_t batch_conv;
    bool batch;
    /* Set by `quit`. */
    bool quit;
    /* Mark-prefix state: the next command runs on all marked conversations. */
    bool prefix_marked;
    /* What `color` lines set (the screen follows it). */
    struct palette *palette;
    /* What a setting's value comes to here when it is chosen at run time
     * (`set notify` says "auto, here: terminal, bell"); NULL, or a NULL
     * answer: nothing to add. Owned result. Set by the app. */
    char *(*explain_setting)(void *ud, const char *name, const char *value);
    void *explain_ud;

    /* Added: the dispatcher's own bookkeeping (cmd.c); zero it with the
     * rest of the struct and leave it alone. */
    int pending;      /* commands waiting for the server (cmd_pending) */
    int source_depth; /* config files being read, for the nesting limit */
    /* Commands that failed because the server refused the token or the
     * account, or could not be reached (a script's exit status says so). */
    int failed_auth, failed_offline;
};

/* Where a line came from, for error messages ("config:12: …"). */
struct cmd_source {
    const char *file; /* NULL for interactive lines and -e */
    int line;
    bool private_file; /* the file is readable by its owner only */
};

/* The table, in help order. */
const struct cmd_def *cmd_table(size_t *n);
/* By exact name, alias, or unique prefix; NULL with *err (ambiguity lists
 * the candidates). */
const struct cmd_def *cmd_find(const char *name, char **err);

/* Split a line into words: spaces separate, "double" and 'single' quotes
 * group, backslash escapes; # starts a comment outside quotes. NULL with
 * *err on an unterminated quote. */
char **cmd_split(const char *line, int *argc, char **err);
void cmd_argv_free(char **argv, int argc);

/* Run one command line. done(ud, ok) is called exactly once, when the
 * command (and all its bulk parts and server calls) has finished — maybe
 * before cmd_run returns. Errors are reported through env->out. */
void cmd_run(struct cmd_env *env, const char *line, const struct cmd_source *src,
             void (*done)(void *ud, bool ok), void *ud);
/* Commands still waiting for the server. */
int cmd_pending(const struct cmd_env *env);

/* Run a config file (commands, `source` nested up to 10 deep). Unknown
 * commands and bad lines are reported with file:line and skipped; returns
 * the number of errors. A file that others can read and that sets a token
 * is refused as a whole (with the reason). */
int cmd_source_file(struct cmd_env *env, const char *path, char **err);

/* ---- for command handlers ---- */

struct cmd_call {
    struct cmd_env *env;
    const struct cmd_def *def;
    int argc;
    char **argv;  /* argv[0] is the command name as typed */
    int64_t conv; /* the target for CMD_NEEDS_CONV */
    const struct cmd_source *src;
    void *priv; /* handler's own state across CMD_PENDING */
};

/* Finish a command that returned CMD_PENDING. msg (may be NULL) is shown
 * as info on success, as the error on failure. */
void cmd_finish(struct cmd_call *call, bool ok, const char *msg);
void cmd_info(struct cmd_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_error(struct cmd_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Completion candidates for the word at the end of a partial line (for
 * readline). Returns an owned NULL-terminated array of owned strings. */
char **cmd_complete(struct cmd_env *env, const char *line, size_t point);

/* A template by short code (local ones first, then the server's), or
 * NULL. Borrowed. */
const struct template *cmd_resolve_template(const struct cmd_env *env, const char *name);
/* The same, else the one template whose short code starts with prefix,
 * else (no short code does) the one whose short code or text holds it
 * ("th" finds thanks; "insurance card" finds the template that asks for
 * one); *hits tells how many matched (NULL unless exactly one). */
const struct template *cmd_resolve_template_prefix(const struct cmd_env *env, const char *prefix,
                                                   size_t *hits);
/* The templates matching what was typed, best first (the picker's order):
 * those whose short code starts with it, then those whose short code or
 * text holds it, ASCII case ignored, a leading '/' ignored, "" matching
 * all; local ones before the server's within each group. An owned array
 * of *n borrowed templates. */
const struct template **cmd_templates_matching(const struct cmd_env *env, const char *typed,
                                               size_t *n);

/* Default key bindings and settings, as config lines (run at start). */
extern const char *const cmd_default_rc[];

/* ---- added: resolving what people type (cmd_resolve.c) ----
 * Used by the commands and their completion; public so they can be tested
 * against a store filled by hand. Each returns 0, or -1 with *err (owned,
 * fit to show). */

/* An agent: numeric id, "me" (my id), "none" (0), an exact email, or a
 * case-insensitive name: an exact full or first name wins, else a unique
 * prefix of the name or of the first name. Ambiguity lists the matches:
 * `ambiguous agent "b": Ben Ortiz, Beth Ray`. */
int cmd_resolve_agent(const struct store *st, int64_t me, const char *spec, int64_t *id,
                      char **err);
/* A team: numeric id, "none" (0), exact name, or unique name prefix. */
int cmd_resolve_team(const struct store *st, const char *spec, int64_t *id, char **err);
/* An account label by title (case-insensitive); *title is the store's
 * spelling (borrowed). Unknown: the error names near matches (prefix,
 * substring, edit distance <= 2): `unknown label "billng" (did you mean
 * billing?)`. */
int cmd_resolve_label(const struct store *st, const char *word, const char **title, char **err);
/* Names from cands near word (as above), ", "-separated; NULL if none. */
char *cmd_resolve_near(const char *word, const char *const *cands, size_t n);

#endif
