/* admin_priv — what the files of the admin module share: the parsed
 * command line, the input checks (admin_check.c), the commands
 * (admin_cmd.c) and their results (admin_out.c). admin.c owns the command
 * table, parses the command line and runs a command as one transaction. */
#ifndef TWOWAYD_ADMIN_PRIV_H
#define TWOWAYD_ADMIN_PRIV_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct dconfig;

/* Longest name, title or email accepted, in bytes; email and title
 * buffers are ADMIN_TEXT_MAX + 1. */
#define ADMIN_TEXT_MAX 255
#define ADMIN_DESCRIPTION_MAX 1000

enum admin_opt {
    OPT_ACCOUNT,
    OPT_INBOX_NAME,
    OPT_INBOX_PHONE,
    OPT_TIMEZONE,
    OPT_AGENT,
    OPT_EMAIL,
    OPT_NAME,
    OPT_ROLE,
    OPT_PHONE,
    OPT_TITLE,
    OPT_COLOR,
    OPT_DESCRIPTION,
    OPT_TEAM,
    OPT_ROTATE,
    OPT_FILE,
    OPT_JSON,
    OPT_DB,
    OPT_CONFIG,
    OPT_COUNT
};

struct admin {
    struct db *db;              /* borrowed by the commands, inside their transaction */
    struct dconfig *cfg;        /* the server's options (default timezone) */
    const char *opt[OPT_COUNT]; /* borrowed from argv, NULL if not given; a flag given is "" */
    json_object *out;           /* result objects, printed once committed */
};

/* Checks: 0, or -1 with *err (owned) naming the option. */
int admin_check_text(const char *opt, const char *s, size_t max, bool may_be_empty, char **err);
/* Also copies the address, lower-cased, into out[ADMIN_TEXT_MAX + 1]. */
int admin_check_email(const char *s, char *out, char **err);
int admin_check_phone(const char *opt, const char *s, char **err);
int admin_check_color(const char *s, char **err);
int admin_check_role(const char *s, char **err);
/* from_option: tz came from --timezone (else from the timezone option). */
int admin_check_timezone(const char *tz, bool from_option, char **err);
/* Also copies the title, case folded, into out[ADMIN_TEXT_MAX + 1]. */
int admin_check_title(const char *s, char *out, char **err);
int admin_check_id(const char *opt, const char *s, int64_t *out, char **err);

/* --account ID, else the only account there is: 0, or -1 with *err. */
int admin_pick_account(struct admin *ad, int64_t *account, char **err);

/* Commands: 0, or -1 with *err (owned); the caller rolls back on -1. */
int admin_cmd_init(struct admin *ad, char **err);
int admin_cmd_agent_add(struct admin *ad, char **err);
int admin_cmd_agent_list(struct admin *ad, char **err);
int admin_cmd_agent_token(struct admin *ad, char **err);
int admin_cmd_agent_remove(struct admin *ad, char **err);
int admin_cmd_inbox_add(struct admin *ad, char **err);
int admin_cmd_inbox_list(struct admin *ad, char **err);
int admin_cmd_label_add(struct admin *ad, char **err);
int admin_cmd_label_list(struct admin *ad, char **err);
int admin_cmd_team_add(struct admin *ad, char **err);
int admin_cmd_team_list(struct admin *ad, char **err);
int admin_cmd_team_member(struct admin *ad, char **err);
/* admin_import.c */
int admin_cmd_import(struct admin *ad, char **err);

/* Results, queued on ad->out; each object's "type" comes first. The agent
 * object carries token only when it is not NULL. */
void admin_out_account(struct admin *ad, int64_t id);
void admin_out_agent(struct admin *ad, int64_t id, const char *token);
void admin_out_inbox(struct admin *ad, int64_t id);
void admin_out_label(struct admin *ad, int64_t id);
void admin_out_team(struct admin *ad, int64_t id);
void admin_out_token(struct admin *ad, int64_t agent_id, const char *email, const char *token,
                     bool rotated);
void admin_out_import(struct admin *ad, int64_t account, int64_t conversations, int64_t messages,
                      int64_t contacts);
/* Call before the row goes. */
void admin_out_agent_removed(struct admin *ad, int64_t id);
void admin_out_team_member(struct admin *ad, int64_t team_id, int64_t agent_id, const char *email,
                           bool added);
/* Every id sql yields (its two parameters bound to account; 0 = all),
 * through out(). */
void admin_out_each(struct admin *ad, const char *sql, int64_t account,
                    void (*out)(struct admin *, int64_t));
/* Print the queued results (JSON lines with --json, else text); empty is
 * the text for a list with nothing in it, or NULL. */
void admin_out_print(const struct admin *ad, const char *empty);

#endif
