/* app — wiring only: the settings, the store and the view, the command
 * environment, the connection and its session on the loop, and who
 * follows whom; then one of the two runners (batch.c, screen.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_priv.h"
#include "loop.h"
#include "twoway/codec.h"
#include "twoway/http.h"
#include "twoway/keymap.h"
#include "twoway/log.h"
#include "twoway/notify.h"
#include "twoway/options.h"
#include "twoway/palette.h"
#include "twoway/paths.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/ui.h"
#include "twoway/xmalloc.h"

/* ---- output sinks ---- */

static void out_info_stdout(void *ud, const char *text)
{
    (void)ud;
    printf("%s\n", text);
    fflush(stdout);
}

/* What a script typed comes back in errors (a command's name, a label):
 * control bytes as their pictures (U+2400…), never to the terminal raw. */
void app_error(const char *where, const char *msg)
{
    char *w = text_sanitize_str(where, TEXT_SINGLE_LINE);
    char *m = text_sanitize_str(msg, TEXT_SINGLE_LINE);
    if (*w)
        fprintf(stderr, "twoway: %s: %s\n", w, m);
    else
        fprintf(stderr, "twoway: %s\n", m);
    free(w);
    free(m);
}

static void out_error_stderr(void *ud, const char *cmd, const char *msg)
{
    (void)ud;
    app_error(cmd, msg);
}

static void out_json_stdout(void *ud, struct codec_val *obj)
{
    (void)ud;
    char *line = codec_text(obj);
    printf("%s\n", line);
    fflush(stdout);
    free(line);
    codec_free(&obj);
}

/* ---- who follows whom ---- */

/* A setting changed (config file, `set`, -e alike): it goes to whoever
 * follows it. The ui follows options_gen() and the palette itself; those
 * read when connecting (OPT_RESTART) wait for the next start, and `set`
 * says so. */
static void on_setting(void *ud, const struct opt_def *d)
{
    struct app *a = ud;
    const char *n = d->name;
    if (strcmp(n, "sort") == 0)
        view_set_sort(&a->view, options_get(a->opts, n));
    else if (a->ss && strcmp(n, "poll_interval") == 0)
        session_set_poll_ms(a->ss, (int)options_int(a->opts, n) * 1000);
    else if (a->ss && strcmp(n, "mark_read") == 0)
        session_set_keep_unread(a->ss, !options_bool(a->opts, n));
    else if (strncmp(n, "notify", 6) == 0)
        screen_notify_follow(a);
}

/* `set notify` with auto in it says what auto picks here. */
static char *explain_setting(void *ud, const char *name, const char *value)
{
    (void)ud;
    if (strcmp(name, "notify") != 0 || !strstr(value, "auto"))
        return NULL;
    unsigned bits = 0;
    char *err = NULL;
    if (notify_parse_backends(value, &bits, &err) < 0) {
        free(err);
        return NULL;
    }
    return notify_describe(bits);
}

/* A new message from someone else: notifications decide whether it
 * concerns me, unless I am reading that very conversation. */
static void on_inbound(void *ud, const struct conversation *c, const struct message *m)
{
    struct app *a = ud;
    long long id = (long long)c->id;
    if (!a->notify || !m || !notify_concerns_me(a->notify, session_me(a->ss), c, m)) {
        log_info("new message in #%lld: no notification (not for me)", id);
        return;
    }
    if (a->ui && a->view.open_conv == c->id && ui_focused(a->ui)) {
        log_info("new message in #%lld: no notification (open, terminal focused)", id);
        return;
    }
    log_info("new message in #%lld: notification", id);
    notify_message(a->notify, c, m);
}

static void on_sent(void *ud, int64_t conv, const char *echo_id, bool ok, const char *why)
{
    struct app *a = ud;
    (void)echo_id;
    if (!ok) {
        char *m = xasprintf("reply to #%lld %s", (long long)conv, why ? why : "not sent");
        if (a->ui)
            ui_message(a->ui, m, true);
        log_warn("%s", m);
        free(m);
    }
}

/* A reply the server will not take: back to the composer, with why. */
static void on_refused(void *ud, int64_t conv, const char *echo_id, const char *why)
{
    struct app *a = ud;
    if (a->ui)
        ui_reply_refused(a->ui, conv, echo_id, why);
}

void app_turn(struct app *a, int max_ms)
{
    loop_once(a->loop, max_ms);
    session_follow_view(a->ss, &a->view);
}

static void on_signal(void *ud, int signo)
{
    struct app *a = ud;
    switch (signo) {
    case SIGWINCH:
        if (a->ui)
            ui_resize(a->ui);
        break;
    case SIGCHLD:
        if (a->notify)
            notify_reap(a->notify);
        break;
    case SIGTSTP:
        if (a->ui)
            ui_suspend(a->ui);
        break;
    case SIGCONT:
        if (a->ui)
            ui_continued(a->ui);
        break;
    case SIGINT:
        if (a->ui && ui_lent(a->ui))
            break; /* a Ctrl-C in the editor is the editor's */
        /* fall through */
    case SIGTERM:
    case SIGHUP:
        log_info("signal %d: leaving", signo);
        if (a->ui)
            ui_save_drafts(a->ui);
        a->quit = true;
        if (signo != SIGINT || !a->ui)
            a->exit_code = a->exit_code ? a->exit_code : 128 + signo;
        break;
    default:
        break;
    }
}

/* ---- commands ---- */

void app_cmd_done(void *ud, bool ok)
{
    struct app *a = ud;
    a->cmd_done = true;
    a->cmd_ok = ok;
}

bool app_run_and_wait(struct app *a, const char *line, const struct cmd_source *src)
{
    a->cmd_done = false;
    cmd_run(&a->env, line, src, app_cmd_done, a);
    while (!a->cmd_done && !a->quit && a->loop)
        app_turn(a, -1);
    session_follow_view(a->ss, &a->view);
    return a->cmd_done && a->cmd_ok;
}

static int load_config(struct app *a)
{
    int errors = 0;
    struct cmd_source def = {.file = "(defaults)"};
    for (int i = 0; cmd_default_rc[i]; i++) {
        def.line = i + 1;
        a->cmd_done = false;
        cmd_run(&a->env, cmd_default_rc[i], &def, app_cmd_done, a);
    }
    char *path = NULL;
    if (a->args->config) {
        path = xstrdup(a->args->config);
    } else {
        char *dir = paths_dir(PATHS_CONFIG);
        path = xasprintf("%s/config", dir);
        free(dir);
        if (access(path, F_OK) != 0) {
            free(path);
            return 0;
        }
    }
    char *err = NULL;
    errors = cmd_source_file(&a->env, path, &err);
    if (err) {
        a->env.out.error(a->env.out.ud, NULL, err);
        free(err);
        errors = errors ? errors : 1;
    }
    free(path);
    return errors;
}

/* ---- the whole run ---- */

int app_run(const struct app_args *args)
{
    struct app a = {0};
    a.args = args;
    int rc = 1;
    char *err = NULL;

    if (args->log) {
        if (log_open(args->log, args->verbose ? LOG_DEBUG : LOG_INFO, &err) < 0) {
            fprintf(stderr, "twoway: %s\n", err);
            free(err);
            return 1;
        }
    }
    a.opts = options_new();
    a.keys = keymap_new();
    a.palette = palette_new();
    a.st = store_new();
    view_init(&a.view);
    a.env.st = a.st;
    a.env.view = &a.view;
    a.env.opts = a.opts;
    a.env.keys = a.keys;
    a.env.palette = a.palette;
    a.env.batch = args->batch;
    a.env.out.info = out_info_stdout;
    a.env.out.error = out_error_stderr;
    a.env.out.json = args->json ? out_json_stdout : NULL;
    a.env.out.ud = &a;

    /* Settings take effect when set, from the config file on. */
    options_set_listener(a.opts, on_setting, &a);
    a.env.explain_setting = explain_setting;
    a.env.explain_ud = &a;
    int cfg_errors = load_config(&a);
    if (cfg_errors && args->batch) {
        rc = 1;
        goto out;
    }

    if (args->demo) {
        if (demo_start(&a.demo, &err) < 0) {
            fprintf(stderr, "twoway: demo: %s\n", err);
            goto out;
        }
        a.demo_on = true;
    }
    if (connect_open(&a, &err) < 0) {
        fprintf(stderr, "twoway: %s\n", err);
        goto out;
    }
    struct session_listener l = {
        .inbound = on_inbound,
        .sent = on_sent,
        .refused = on_refused,
        .ud = &a,
    };
    session_set_listener(a.ss, &l);
    loop_signals(a.loop, on_signal, &a);
    rc = args->batch ? batch_run(&a) : screen_run(&a);
    if (rc == 0 && cfg_errors)
        rc = 0; /* config errors were shown; the UI still ran */
out:
    free(err);
    options_set_listener(a.opts, NULL, NULL);
    session_free(&a.ss);
    http_free(&a.http);
    loop_free(&a.loop);
    if (a.demo_on)
        demo_stop(&a.demo);
    view_free(&a.view);
    for (size_t i = 0; i < a.env.nlocal_templates; i++)
        model_template_free(&a.env.local_templates[i]);
    free(a.env.local_templates);
    store_free(&a.st);
    keymap_free(&a.keys);
    palette_free(&a.palette);
    options_free(&a.opts);
    free(a.state_dir);
    free(a.cache_path);
    free(a.account_label);
    log_close();
    return rc;
}
