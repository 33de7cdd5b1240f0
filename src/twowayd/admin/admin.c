/* admin — `twowayd admin`: the command table, the command line, and each
 * command run as one transaction. */
#include "admin/admin.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/admin_priv.h"
#include "store/db.h"
#include "dconfig.h"
#include "twoway/xmalloc.h"

static const struct {
    const char *name;
    bool flag; /* takes no value */
} opt_defs[OPT_COUNT] = {
    [OPT_ACCOUNT] = {"account", false},
    [OPT_INBOX_NAME] = {"inbox-name", false},
    [OPT_INBOX_PHONE] = {"inbox-phone", false},
    [OPT_TIMEZONE] = {"timezone", false},
    [OPT_AGENT] = {"agent", false},
    [OPT_EMAIL] = {"email", false},
    [OPT_NAME] = {"name", false},
    [OPT_ROLE] = {"role", false},
    [OPT_PHONE] = {"phone", false},
    [OPT_TITLE] = {"title", false},
    [OPT_COLOR] = {"color", false},
    [OPT_DESCRIPTION] = {"description", false},
    [OPT_TEAM] = {"team", false},
    [OPT_ROTATE] = {"rotate", true},
    [OPT_FILE] = {"file", false},
    [OPT_JSON] = {"json", true},
    [OPT_DB] = {"db", false},
    [OPT_CONFIG] = {"config", false},
};

#define O(x) (1u << OPT_##x)
/* Every command takes these. */
#define COMMON_OPTS (O(JSON) | O(DB) | O(CONFIG))

/* ---- the command table ---- */

struct admin_cmd {
    const char *noun, *verb; /* verb NULL: a one-word command */
    unsigned required, optional;
    bool creates_db;   /* may run on a database that does not exist yet */
    const char *empty; /* what a list says when it has nothing (text output) */
    const char *usage; /* options, after the command's words */
    const char *help;
    int (*exec)(struct admin *ad, char **err);
};

static const struct admin_cmd commands[] = {
    {"init", NULL, O(ACCOUNT) | O(INBOX_NAME) | O(INBOX_PHONE) | O(AGENT) | O(EMAIL), O(TIMEZONE),
     true, NULL,
     "--account NAME --inbox-name NAME --inbox-phone +E164 [--timezone TZ] "
     "--agent \"FULL NAME\" --email EMAIL",
     "set up an empty database: an account, its SMS inbox and its first administrator",
     admin_cmd_init},
    {"agent", "add", O(NAME) | O(EMAIL), O(ROLE) | O(ACCOUNT), false, NULL,
     "--name NAME --email EMAIL [--role agent|administrator] [--account ID]",
     "add an agent to every inbox of the account and print their token", admin_cmd_agent_add},
    {"agent", "list", 0, O(ACCOUNT), false, "no agents", "[--account ID]",
     "list agents (tokens are not shown)", admin_cmd_agent_list},
    {"agent", "token", O(EMAIL), O(ROTATE), false, NULL, "--email EMAIL --rotate",
     "replace an agent's API token with a new one and print it (tokens are shown only when "
     "made)",
     admin_cmd_agent_token},
    {"agent", "remove", O(EMAIL), 0, false, NULL, "--email EMAIL",
     "remove an agent (their conversations become unassigned)", admin_cmd_agent_remove},
    {"inbox", "add", O(NAME) | O(PHONE), O(TIMEZONE) | O(ACCOUNT), false, NULL,
     "--name NAME --phone +E164 [--timezone TZ] [--account ID]",
     "add an SMS inbox for a Twilio number; every agent of the account joins it",
     admin_cmd_inbox_add},
    {"inbox", "list", 0, O(ACCOUNT), false, "no inboxes", "[--account ID]", "list inboxes",
     admin_cmd_inbox_list},
    {"label", "add", O(TITLE), O(COLOR) | O(DESCRIPTION) | O(ACCOUNT), false, NULL,
     "--title TITLE [--color #rrggbb] [--description TEXT] [--account ID]", "add a label",
     admin_cmd_label_add},
    {"label", "list", 0, O(ACCOUNT), false, "no labels", "[--account ID]", "list labels",
     admin_cmd_label_list},
    {"team", "add", O(NAME), O(DESCRIPTION) | O(ACCOUNT), false, NULL,
     "--name NAME [--description TEXT] [--account ID]", "add a team", admin_cmd_team_add},
    {"team", "list", 0, O(ACCOUNT), false, "no teams", "[--account ID]",
     "list teams and their members", admin_cmd_team_list},
    {"team", "member", O(TEAM) | O(EMAIL), 0, false, NULL, "--team NAME --email EMAIL",
     "make an agent a member of a team", admin_cmd_team_member},
    {"import", NULL, O(FILE), O(ACCOUNT), false, NULL, "--file FILE [--account ID]",
     "add conversations, their contacts and messages from JSON lines (one conversation a line, "
     "- for standard input; see twowayd(8)), all or nothing",
     admin_cmd_import},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out, "usage: twowayd [--db PATH] [--config FILE] admin COMMAND [OPTIONS] [--json]\n\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct admin_cmd *c = &commands[i];
        fprintf(out, "  %s%s%s %s\n      %s\n", c->noun, c->verb ? " " : "", c->verb ? c->verb : "",
                c->usage, c->help);
    }
    fprintf(out, "\n  --json prints one JSON object per line; --db and --config may also follow\n"
                 "  the command. See twowayd(8).\n");
}

/* ---- parsing the command line ---- */

/* "agent add" into out[64]. */
static const char *cmd_name(const struct admin_cmd *c, char *out)
{
    snprintf(out, 64, "%s%s%s", c->noun, c->verb ? " " : "", c->verb ? c->verb : "");
    return out;
}

/* The command argv[1] (and argv[2]) names; *words = how many. */
static const struct admin_cmd *find_command(int argc, char **argv, int *words, char **err)
{
    if (argc < 2) {
        *err = xstrdup("no command given (`twowayd admin help` lists them)");
        return NULL;
    }
    bool noun_known = false;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct admin_cmd *c = &commands[i];
        if (strcmp(c->noun, argv[1]) != 0)
            continue;
        noun_known = true;
        *words = c->verb ? 3 : 2;
        if (!c->verb || (argc > 2 && strcmp(c->verb, argv[2]) == 0))
            return c;
    }
    if (!noun_known)
        *err = xasprintf("unknown command: %s (`twowayd admin help` lists them)", argv[1]);
    else if (argc > 2 && strncmp(argv[2], "--", 2) != 0)
        *err =
            xasprintf("unknown command: %s %s (`twowayd admin help` lists them)", argv[1], argv[2]);
    else
        *err = xasprintf("%s: say what to do (`twowayd admin help` lists the commands)", argv[1]);
    return NULL;
}

static int find_opt(const char *name, size_t len)
{
    for (int k = 0; k < OPT_COUNT; k++)
        if (strlen(opt_defs[k].name) == len && strncmp(opt_defs[k].name, name, len) == 0)
            return k;
    return -1;
}

/* One "--name value", "--name=value" or "--flag" at argv[*i]. */
static int parse_one(const struct admin_cmd *c, int argc, char **argv, int *i, const char **opt,
                     char **err)
{
    char cn[64];
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) != 0 || !a[2]) {
        *err = xasprintf("%s: unexpected argument: %s", cmd_name(c, cn), a);
        return -1;
    }
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int k = find_opt(name, len);
    if (k < 0 || !((c->required | c->optional | COMMON_OPTS) & (1u << k))) {
        *err = xasprintf("%s: unknown option --%.*s (usage: twowayd admin %s %s)", cmd_name(c, cn),
                         (int)len, name, cn, c->usage);
        return -1;
    }
    if (opt[k]) {
        *err = xasprintf("--%s is given twice", opt_defs[k].name);
        return -1;
    }
    if (opt_defs[k].flag) {
        if (eq) {
            *err = xasprintf("--%s takes no value", opt_defs[k].name);
            return -1;
        }
        opt[k] = "";
    } else if (eq) {
        opt[k] = eq + 1;
    } else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
        opt[k] = argv[++*i];
    } else {
        *err = xasprintf("--%s needs a value", opt_defs[k].name);
        return -1;
    }
    return 0;
}

static int parse_options(const struct admin_cmd *c, int argc, char **argv, int first,
                         const char **opt, char **err)
{
    for (int i = first; i < argc; i++)
        if (parse_one(c, argc, argv, &i, opt, err) < 0)
            return -1;
    char cn[64];
    for (int k = 0; k < OPT_COUNT; k++)
        if ((c->required & (1u << k)) && !opt[k]) {
            *err = xasprintf("%s: --%s is required (usage: twowayd admin %s %s)", cmd_name(c, cn),
                             opt_defs[k].name, cn, c->usage);
            return -1;
        }
    return 0;
}

/* ---- running ---- */

/* The options as the server reads them, then the database they name. */
static int open_db(struct admin *ad, const struct admin_cmd *c, const char *dbpath,
                   const char *config, char **err)
{
    if (ad->opt[OPT_CONFIG])
        config = ad->opt[OPT_CONFIG];
    if (ad->opt[OPT_DB])
        dbpath = ad->opt[OPT_DB];
    ad->cfg = dconfig_new();
    if ((config && dconfig_load_file(ad->cfg, config, err) < 0) ||
        dconfig_load_env(ad->cfg, err) < 0 ||
        (dbpath && dconfig_set(ad->cfg, "db", dbpath, err) < 0))
        return -1;
    const char *path = dconfig_get(ad->cfg, "db");
    /* Only init may create a database: a mistyped path should not. */
    if (!c->creates_db && access(path, F_OK) != 0) {
        *err = xasprintf("there is no database at %s (run `twowayd admin init` to create one, "
                         "or give --db PATH)",
                         path);
        return -1;
    }
    ad->db = db_open(path, err);
    return ad->db ? 0 : -1;
}

/* The command as one transaction. */
static int run(struct admin *ad, const struct admin_cmd *c, char **err)
{
    /* BEGIN fails on a read-only or long-locked database; without the
     * transaction nothing may be written. */
    if (db_begin(ad->db) < 0) {
        *err = xasprintf("cannot write the database: %s", sqlite3_errmsg(db_handle(ad->db)));
        return -1;
    }
    int rc = c->exec(ad, err);
    if (db_end(ad->db, rc == 0) < 0 && rc == 0) {
        *err = xstrdup("could not save the change");
        rc = -1;
    }
    return rc;
}

static bool wants_help(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "help") == 0)
        return true;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

int admin_main(int argc, char **argv, const char *dbpath, const char *config)
{
    if (wants_help(argc, argv)) {
        print_help(stdout);
        return 0;
    }
    struct admin ad = {.out = json_object_new_array()};
    char *err = NULL;
    int words = 0, rc = 1;
    const struct admin_cmd *c = find_command(argc, argv, &words, &err);
    if (!c || parse_options(c, argc, argv, words, ad.opt, &err) < 0 ||
        open_db(&ad, c, dbpath, config, &err) < 0 || run(&ad, c, &err) < 0)
        goto out;
    admin_out_print(&ad, c->empty);
    rc = 0;
out:
    if (err)
        fprintf(stderr, "twowayd: admin: %s\n", err);
    free(err);
    json_object_put(ad.out);
    db_free(&ad.db);
    dconfig_free(&ad.cfg);
    return rc;
}
