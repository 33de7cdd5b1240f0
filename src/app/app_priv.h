/* app_priv — what the rooms of the app share: the wired parts of one run.
 * app.c wires them and runs one of the two runners (batch.c for scripts,
 * screen.c for the screen); connect.c makes the connection. */
#ifndef TWOWAY_APP_PRIV_H
#define TWOWAY_APP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "demo.h"
#include "twoway/cmd.h"
#include "twoway/view.h"

struct app {
    const struct app_args *args;
    struct options *opts;
    struct keymap *keys;
    struct palette *palette;
    struct store *st;
    struct view view;
    struct cmd_env env;
    struct http *http;
    struct session *ss;
    struct loop *loop;
    struct ui *ui;         /* while the screen runs */
    struct notify *notify; /* while the screen runs */
    struct demo demo;
    bool demo_on;
    char *state_dir;
    char *cache_path; /* $XDG_CACHE_HOME/twoway/<server>-<account>/inbox.json */
    char *account_label;
    bool quit;
    int exit_code;
    /* The command being waited for (app_run_and_wait). */
    bool cmd_done, cmd_ok;
};

/* app.c */
/* One turn of the loop; the session then follows the view. */
void app_turn(struct app *a, int max_ms);
/* cmd_run's done callback: sets cmd_done and cmd_ok. */
void app_cmd_done(void *ud, bool ok);
/* Run one line and wait for it to finish. */
bool app_run_and_wait(struct app *a, const char *line, const struct cmd_source *src);
/* "twoway: WHERE: MSG" (or "twoway: MSG" when where is NULL or "") on
 * standard error, control characters as their pictures. */
void app_error(const char *where, const char *msg);

/* connect.c */
/* The server, the account and the token from the settings (or the demo),
 * the session on the loop, the start-up cache on a screen. 0 or -1 with
 * *err. */
int connect_open(struct app *a, char **err);
/* The inbox for the next start, when a real sync brought it. */
void connect_save_cache(struct app *a);

/* batch.c: --batch. The exit status. */
int batch_run(struct app *a);

/* screen.c: the screen, until quit. The exit status. */
int screen_run(struct app *a);
/* The notify settings changed: notifications follow. */
void screen_notify_follow(struct app *a);

#endif
