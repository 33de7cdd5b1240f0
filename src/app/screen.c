/* screen — the screen runner: the ui on the terminal, notifications
 * while it is up, the -e commands once the first sync is in, and at q a
 * moment for what is still talking to the server. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_priv.h"
#include "loop.h"
#include "twoway/log.h"
#include "twoway/notify.h"
#include "twoway/options.h"
#include "twoway/session.h"
#include "twoway/timeutil.h"
#include "twoway/ui.h"
#include "twoway/xmalloc.h"

/* How long q waits for commands still talking to the server. */
#define QUIT_GRACE_MS 3000

/* ---- where commands say things on a screen ---- */

static void out_info_ui(void *ud, const char *text)
{
    struct app *a = ud;
    if (a->ui)
        ui_output(a->ui, text);
}

static void out_error_ui(void *ud, const char *cmd, const char *msg)
{
    struct app *a = ud;
    char *m = cmd && *cmd ? xasprintf("%s: %s", cmd, msg) : xstrdup(msg);
    if (a->ui)
        ui_message(a->ui, m, true);
    else
        fprintf(stderr, "twoway: %s\n", m);
    free(m);
}

/* ---- the loop's timers, for the ui and notifications ---- */

static uint64_t ui_timer(void *ud, int64_t when, void (*cb)(void *), void *cbud)
{
    struct app *a = ud;
    return loop_timer(a->loop, when, cb, cbud);
}

static void ui_cancel(void *ud, uint64_t id)
{
    struct app *a = ud;
    loop_cancel(a->loop, id);
}

/* ---- notifications (while the ui runs) ---- */

static void notify_write(void *ud, const char *bytes, size_t n)
{
    struct app *a = ud;
    if (a->ui)
        ui_write_raw(a->ui, bytes, n);
}

static void notify_status(void *ud, const char *text)
{
    struct app *a = ud;
    if (a->ui)
        ui_message(a->ui, text, true);
}

/* The notify settings, as they are now. */
static void notify_opts_of(struct app *a, struct notify_opts *o)
{
    o->backends = options_get(a->opts, "notify");
    o->command = options_get(a->opts, "notify_command");
    o->preview = options_bool(a->opts, "notify_preview");
    o->coalesce_ms = (int)options_int(a->opts, "notify_coalesce") * 1000;
    o->on = options_get(a->opts, "notify_on");
}

void screen_notify_follow(struct app *a)
{
    if (!a->notify)
        return;
    struct notify_opts o;
    notify_opts_of(a, &o);
    notify_configure(a->notify, &o);
}

static void notify_start(struct app *a)
{
    struct notify_opts o;
    notify_opts_of(a, &o);
    struct notify_hooks h = {
        .write = notify_write,
        .timer = ui_timer,
        .cancel = ui_cancel,
        .status = notify_status,
        .ud = a,
    };
    a->notify = notify_new(&o, &h);
}

static void on_tty(void *ud, int fd, short revents);

static void tty_watch(void *ud, int fd, bool on)
{
    struct app *a = ud;
    if (on)
        loop_watch(a->loop, fd, POLLIN, on_tty, a);
    else
        loop_unwatch(a->loop, fd);
}

static void on_tty(void *ud, int fd, short revents)
{
    struct app *a = ud;
    (void)fd;
    if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
        /* The terminal went away (SSH dropped): keep what was typed. */
        ui_save_drafts(a->ui);
        a->quit = true;
        return;
    }
    ui_input(a->ui);
}

/* $TWOWAY_READY_FILE: once the server's inbox is on the screen, its
 * CLOCK_MONOTONIC time in ms goes to that file, for timing the start from
 * outside (bench/). Returns true (done, or nothing to do). */
static bool mark_ready(void)
{
    const char *path = getenv("TWOWAY_READY_FILE");
    if (!path || !*path)
        return true;
    char line[32];
    int n = snprintf(line, sizeof line, "%lld\n", (long long)timeutil_mono_ms());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, line, (size_t)n) != n)
        log_warn("TWOWAY_READY_FILE %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return true;
}

int screen_run(struct app *a)
{
    struct ui_deps deps = {
        .env = &a->env,
        .state_dir = a->state_dir,
        .timer = ui_timer,
        .cancel = ui_cancel,
        .tty_watch = tty_watch,
        .loop_ud = a,
        .account_label = a->account_label,
    };
    a->ui = ui_new(&deps);
    char *err = NULL;
    if (ui_start(a->ui, &err) < 0) {
        fprintf(stderr, "twoway: %s\n", err);
        free(err);
        ui_free(&a->ui);
        return 1;
    }
    a->env.ui = ui_cmd_hooks(a->ui);
    a->env.out.info = out_info_ui;
    a->env.out.error = out_error_ui;
    a->env.out.ud = a;
    /* Ctrl-Z arrives as a key; a SIGTSTP from elsewhere must give the
     * terminal back before twoway stops, too. */
    loop_signal_add(a->loop, SIGTSTP);
    notify_start(a);

    /* -e commands run once the first sync is in (they may name ids). */
    int next_exec = 0;
    bool exec_waiting = false;
    struct cmd_source src = {.file = NULL};
    bool marked = false;
    ui_draw(a->ui);
    while (!a->quit && !a->env.quit) {
        if (!marked && session_ready(a->ss))
            marked = mark_ready();
        /* In order, each after the one before has finished. */
        while (next_exec < a->args->nexec && !exec_waiting && session_ready(a->ss) &&
               !a->env.quit) {
            a->cmd_done = false;
            cmd_run(&a->env, a->args->exec[next_exec++], &src, app_cmd_done, a);
            exec_waiting = !a->cmd_done;
            session_follow_view(a->ss, &a->view);
        }
        /* A script that ends in quit leaves now, not at the next event. */
        if (a->env.quit)
            break;
        app_turn(a, -1);
        if (exec_waiting && a->cmd_done)
            exec_waiting = false;
        ui_draw(a->ui);
    }
    /* A reply sent just before q still has its checks to finish: give
     * what is in flight a moment (the screen stays up meanwhile). */
    int64_t until = timeutil_mono_ms() + QUIT_GRACE_MS;
    while (!a->quit && cmd_pending(&a->env) > 0 && timeutil_mono_ms() < until) {
        app_turn(a, 100);
        ui_draw(a->ui);
    }
    notify_free(&a->notify);
    ui_save_drafts(a->ui);
    connect_save_cache(a);
    ui_stop(a->ui);
    ui_free(&a->ui);
    a->env.ui = NULL;
    /* The server refused us: the screen said so; the status says it too. */
    if (!a->exit_code && session_state(a->ss) == CONN_AUTH_FAILED)
        return APP_EXIT_AUTH;
    return a->exit_code;
}
