/* cmd_priv — what the files of the cmd module share: the dispatcher's
 * helpers for handlers, the fetch helpers, the JSON record builders and
 * the handlers the table points at. */
#ifndef TWOWAY_CMD_PRIV_H
#define TWOWAY_CMD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/cmd.h"
#include "twoway/model.h"

struct codec_val;

/* Flag bits of the dispatcher's own, above the public enum cmd_flags. */
#define CMDP_CONV_OPT (1u << 16) /* takes --conversation ID (what the composer sends) */

/* ---- cmd.c: for handlers ---- */

/* --json is on: records go to env->out.json instead of text lines. */
bool cmd_json_mode(const struct cmd_call *call);
/* Emit one JSON record (takes obj). */
void cmd_emit(struct cmd_call *call, struct codec_val *obj);
/* A successful action: in --json one object {"ok":true,"command":…,
 * "conversation":…} plus the fields of extra (taken, may be NULL); else
 * the text as information. */
void cmd_report_action(struct cmd_call *call, struct codec_val *extra, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The conversation commands act on when none is named: batch → the one
 * `open` chose, else the open one, else the selected row (0: none). */
int64_t cmd_default_conv(const struct cmd_env *env);
/* My agent id (0 without a session). */
int64_t cmd_me(const struct cmd_env *env);
/* Arguments from argv[from] on, joined with spaces (owned; "" if none). */
char *cmd_join_args(const struct cmd_call *call, int from);
/* Run a command line given as words on every marked conversation
 * (`marked`); done as for cmd_run. */
void cmd_run_marked(struct cmd_env *env, char **argv, int argc, const struct cmd_source *src,
                    void (*done)(void *ud, bool ok), void *ud);
/* Is this call one part of a bulk command? */
bool cmd_in_bulk(const struct cmd_call *call);
/* Is this call a line of a config file? */
bool cmd_in_config(const struct cmd_call *call);

/* Parse the --options of a command (argv[1]…): stops at "--" (skipped),
 * at the first word not starting with "--", or at the end. *first is the
 * index of the first remaining argument. An unknown --option is an error
 * (reported; -1). */
struct cmd_opt {
    const char *name; /* without the dashes */
    bool has_arg;
    bool seen;
    const char *value; /* borrowed from argv */
};
int cmd_parse_opts(struct cmd_call *call, struct cmd_opt *opts, size_t nopts, int *first);

/* The last answer the server gave the command (cmd_fetch.c notes each):
 * a command that fails after the server refused us or could not be
 * reached counts in env->failed_auth or env->failed_offline. */
void cmd_note_outcome(struct cmd_call *call, int outcome);

/* ---- cmd_fetch.c: asking the server through the session ----
 * next runs exactly once, possibly before the call returns (when the store
 * already has what is needed); a->why is NULL on success. The requests are
 * session.h's, of the same names. */

struct session_act;
struct session_answer;
typedef void (*cmd_next)(struct cmd_call *call, const struct session_answer *a);

/* conv into the store: fresh from the server if fresh, else only if the
 * store does not know it. Without a connection, or offline, a record the
 * store has is good enough. */
void cmd_fetch_conv(struct cmd_call *call, int64_t conv, bool fresh, cmd_next next);
/* A kind of the directory into the store: always when force, else only if
 * the store's is empty. */
void cmd_fetch_dir(struct cmd_call *call, enum dir_kind k, bool force, cmd_next next);
/* Every page of a conversation list, in the store: a->ids in order. */
void cmd_fetch_list(struct cmd_call *call, const struct conv_query *q, cmd_next next);
/* A whole thread, ascending, in a->msgs. */
void cmd_fetch_thread(struct cmd_call *call, int64_t conv, cmd_next next);
/* A page of a thread (the newest, or after a message), into the store and
 * a->msgs. */
void cmd_fetch_messages(struct cmd_call *call, int64_t conv, int64_t after, cmd_next next);
/* A conversation's labels in a->titles. */
void cmd_fetch_labels(struct cmd_call *call, int64_t conv, cmd_next next);
/* Contacts matching text, or one contact, in a->contacts. */
void cmd_fetch_contacts(struct cmd_call *call, const char *text, cmd_next next);
void cmd_fetch_contact(struct cmd_call *call, int64_t contact, cmd_next next);
/* A contact's conversations, in the store: a->ids. */
void cmd_fetch_contact_convs(struct cmd_call *call, int64_t contact, cmd_next next);
/* An action; a->change is what the server did (already in the store). */
void cmd_fetch_act(struct cmd_call *call, const struct session_act *a, cmd_next next);
/* A new conversation (a->conv), in the store; source_id may be NULL. */
void cmd_fetch_create(struct cmd_call *call, int64_t inbox, int64_t contact, const char *source_id,
                      const char *text, cmd_next next);
/* A new contact with this phone number in inbox: a->contacts[0] and its
 * a->source_id. */
void cmd_fetch_create_contact(struct cmd_call *call, int64_t inbox, const char *phone,
                              cmd_next next);

/* ---- cmd_resolve.c (besides what cmd.h exports) ---- */

/* A template by name: local ones first, then the server's short codes.
 * Borrowed; NULL if unknown. */
/* Digits of a phone number ("+1 (555) 010-1001" → "15550101001"). Owned. */
char *cmd_resolve_digits(const char *phone);
/* The first name of a person for messages ("Maria"), else the label. Owned. */
char *cmd_resolve_first(const struct contact *c);

/* ---- handlers ---- */

/* cmd_nav.c */
enum cmd_status cmd_nav_open(struct cmd_call *call);
enum cmd_status cmd_nav_move(struct cmd_call *call); /* next prev top bottom page-* */
enum cmd_status cmd_nav_next_unread(struct cmd_call *call);
enum cmd_status cmd_nav_next_waiting(struct cmd_call *call);
enum cmd_status cmd_nav_focus(struct cmd_call *call);
enum cmd_status cmd_nav_scroll(struct cmd_call *call); /* thread-* */
enum cmd_status cmd_nav_filter(struct cmd_call *call);
enum cmd_status cmd_nav_status_filter(struct cmd_call *call);
enum cmd_status cmd_nav_label_filter(struct cmd_call *call);
enum cmd_status cmd_nav_inbox(struct cmd_call *call);
enum cmd_status cmd_nav_team_filter(struct cmd_call *call);
enum cmd_status cmd_nav_search(struct cmd_call *call);
enum cmd_status cmd_nav_limit(struct cmd_call *call);
enum cmd_status cmd_nav_mark(struct cmd_call *call);
enum cmd_status cmd_nav_mark_all(struct cmd_call *call);
enum cmd_status cmd_nav_unmark_all(struct cmd_call *call);
enum cmd_status cmd_nav_marked(struct cmd_call *call);
enum cmd_status cmd_nav_prefix(struct cmd_call *call);
enum cmd_status cmd_nav_load_more(struct cmd_call *call);
enum cmd_status cmd_nav_command_line(struct cmd_call *call);
/* The conversations shown under the limit, in list order (owned). */
int64_t *cmd_nav_shown(const struct cmd_env *env, size_t *n);
/* Make id the conversation commands act on: in a script the one `open`
 * chose; on a screen the one in the thread, selected, with the focus. */
void cmd_nav_open_conv(struct cmd_call *call, int64_t id);
/* fn(call, ids, n, ud) with the conversations shown under the limit, in
 * list order: on a screen the rows loaded (at once); a script, which has
 * no screen that loaded them as it went, reads every page of the list
 * from the server first (as `list` does; a failure finishes the call). */
typedef void (*cmd_shown_fn)(struct cmd_call *call, const int64_t *ids, size_t n, void *ud);
void cmd_nav_with_shown(struct cmd_call *call, cmd_shown_fn fn, void *ud);

/* cmd_flow.c */
enum cmd_status cmd_flow_done(struct cmd_call *call);
enum cmd_status cmd_flow_unsent(struct cmd_call *call);
/* Among ids, the conversation (other than except) waiting longest for an
 * answer, or 0. */
int64_t cmd_flow_longest_waiting(const struct cmd_env *env, const int64_t *ids, size_t n,
                                 int64_t except);

/* cmd_read.c */
enum cmd_status cmd_read_list(struct cmd_call *call);
enum cmd_status cmd_read_show(struct cmd_call *call);
enum cmd_status cmd_read_agents(struct cmd_call *call);
enum cmd_status cmd_read_teams(struct cmd_call *call);
enum cmd_status cmd_read_labels(struct cmd_call *call);
enum cmd_status cmd_read_templates(struct cmd_call *call);
enum cmd_status cmd_read_whoami(struct cmd_call *call);
enum cmd_status cmd_read_contact(struct cmd_call *call);

/* cmd_reply.c */
enum cmd_status cmd_reply_reply(struct cmd_call *call);
enum cmd_status cmd_reply_note(struct cmd_call *call);
enum cmd_status cmd_reply_retry(struct cmd_call *call);
enum cmd_status cmd_reply_discard(struct cmd_call *call);
enum cmd_status cmd_reply_edit(struct cmd_call *call);
enum cmd_status cmd_reply_template(struct cmd_call *call);

/* cmd_link.c */
enum cmd_status cmd_link_copy(struct cmd_call *call);
enum cmd_status cmd_link_open(struct cmd_call *call);

/* cmd_new.c */
enum cmd_status cmd_new_new(struct cmd_call *call);

/* cmd_quiet.c: quiet hours (quiet.h) as the commands apply them. Why a
 * text to contact c now would break quiet hours, or NULL when it may go
 * (quiet_hours none, or daytime for them): a sentence naming them, what
 * makes it outreach (`what`, e.g. "they have not written for 24 hours";
 * NULL: none) and how to send anyway (`how`, e.g. "new --force"). Owned. */
char *cmd_quiet_refusal(const struct cmd_env *env, const struct contact *c, const char *what,
                        const char *how);

/* cmd_act.c */
enum cmd_status cmd_act_assign(struct cmd_call *call);
enum cmd_status cmd_act_team(struct cmd_call *call);
enum cmd_status cmd_act_tag(struct cmd_call *call);
enum cmd_status cmd_act_status(struct cmd_call *call); /* resolve reopen pending */
enum cmd_status cmd_act_snooze(struct cmd_call *call);
enum cmd_status cmd_act_priority(struct cmd_call *call);
enum cmd_status cmd_act_read(struct cmd_call *call); /* mark-read mark-unread */
enum cmd_status cmd_act_refresh(struct cmd_call *call);

/* cmd_conf.c */
enum cmd_status cmd_conf_set(struct cmd_call *call);
enum cmd_status cmd_conf_unset(struct cmd_call *call);
enum cmd_status cmd_conf_bind(struct cmd_call *call);
enum cmd_status cmd_conf_unbind(struct cmd_call *call);
enum cmd_status cmd_conf_color(struct cmd_call *call);
enum cmd_status cmd_conf_source(struct cmd_call *call);
enum cmd_status cmd_conf_help(struct cmd_call *call);
enum cmd_status cmd_conf_quit(struct cmd_call *call);
enum cmd_status cmd_conf_redraw(struct cmd_call *call);
/* Define (or replace) a local template. */
void cmd_conf_add_template(struct cmd_env *env, const char *name, const char *text);

/* cmd.c: run one line; config says it comes from a config file (the
 * checks differ). cmd_source.c reads files through it. */
void cmd_run_line(struct cmd_env *env, const char *line, const struct cmd_source *src, bool config,
                  void (*done)(void *ud, bool ok), void *ud);

#endif
