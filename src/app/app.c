/* app — wiring: options, config, connection, session, loop, and the ui or
 * the batch runner. */
#include "app.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo.h"
#include "loop.h"
#include "token.h"
#include "twoway/cache.h"
#include "twoway/chatwoot.h"
#include "twoway/cmd.h"
#include "twoway/codec.h"
#include "twoway/http.h"
#include "twoway/keymap.h"
#include "twoway/log.h"
#include "twoway/notify.h"
#include "twoway/options.h"
#include "twoway/paths.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/ui.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

/* How long q waits for commands still talking to the server. */
#define QUIT_GRACE_MS 3000
/* Longest a batch run waits for the first sync. */
#define BATCH_CONNECT_MS 30000

struct app {
    const struct app_args *args;
    struct options *opts;
    struct keymap *keys;
    struct store *st;
    struct view view;
    struct cmd_env env;
    struct http *http;
    struct session *ss;
    struct loop *loop;
    struct ui *ui;
    struct notify *notify; /* while the ui runs */
    uint64_t notify_gen;   /* options_gen() it was configured at */
    struct demo demo;
    bool demo_on;
    char *state_dir;
    char *cache_path; /* $XDG_CACHE_HOME/twoway/<server>-<account>/inbox.json */
    char *account_label;
    bool quit;
    int exit_code;

    /* What the session was last told, to notice view changes. */
    struct conv_query applied;
    char *applied_label, *applied_search;
    bool applied_once;
    int64_t applied_open;

    /* Batch: the command being waited for. */
    bool cmd_done, cmd_ok;
};

/* ---- output sinks ---- */

static void out_info_stdout(void *ud, const char *text)
{
    (void)ud;
    printf("%s\n", text);
    fflush(stdout);
}

static void out_error_stderr(void *ud, const char *cmd, const char *msg)
{
    (void)ud;
    if (cmd && *cmd)
        fprintf(stderr, "twoway: %s: %s\n", cmd, msg);
    else
        fprintf(stderr, "twoway: %s\n", msg);
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

static void out_info_ui(void *ud, const char *text)
{
    struct app *a = ud;
    if (a->ui)
        ui_output(a->ui, text);
}

static void out_error_ui(void *ud, const char *cmd, const char *msg)
{
    struct app *a = ud;
    if (!a->ui) {
        out_error_stderr(NULL, cmd, msg);
        return;
    }
    char *m = cmd && *cmd ? xasprintf("%s: %s", cmd, msg) : xstrdup(msg);
    ui_message(a->ui, m, true);
    free(m);
}

/* ---- keeping the session in step with the view ---- */

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void sync_view(struct app *a)
{
    if (!a->ss)
        return;
    struct conv_query q;
    view_query(&a->view, 1, &q);
    if (!a->applied_once || q.assignee != a->applied.assignee || q.status != a->applied.status ||
        q.inbox_id != a->applied.inbox_id || q.team_id != a->applied.team_id ||
        !str_eq(q.label, a->applied_label) || !str_eq(q.q, a->applied_search)) {
        a->applied = q;
        free(a->applied_label);
        free(a->applied_search);
        a->applied_label = q.label ? xstrdup(q.label) : NULL;
        a->applied_search = q.q ? xstrdup(q.q) : NULL;
        a->applied_once = true;
        session_set_query(a->ss, &q);
    }
    if (a->view.open_conv != a->applied_open) {
        a->applied_open = a->view.open_conv;
        session_open(a->ss, a->view.open_conv);
    }
}

/* ---- session events ---- */

/* Does this message concern me (notify_on)? A customer's message in a
 * conversation assigned to me or to nobody, or a private note that
 * @mentions me; never my own messages, other agents' replies, or notes
 * that do not name me. ("all": every customer message, and mentions.) */
static bool notify_concerns_me(struct app *a, const struct conversation *c, const struct message *m)
{
    int64_t me = session_me(a->ss);
    if (m->sender_kind == SENDER_AGENT && me && m->sender_id == me)
        return false;
    bool all = options_has(a->opts, "notify_on", "all");
    if (m->type == MSG_INCOMING && !m->is_private) {
        if (all)
            return true;
        if (c->assignee_id == 0)
            return options_has(a->opts, "notify_on", "unassigned");
        return me && c->assignee_id == me && options_has(a->opts, "notify_on", "mine");
    }
    if (m->is_private && me && (all || options_has(a->opts, "notify_on", "mentions"))) {
        char tag[48];
        snprintf(tag, sizeof tag, "mention://user/%lld/", (long long)me);
        return strstr(m->content, tag) != NULL;
    }
    return false;
}

static void on_inbound(void *ud, const struct conversation *c, const struct message *m)
{
    struct app *a = ud;
    if (!a->notify || !m || !notify_concerns_me(a, c, m)) {
        log_info("new message in #%lld: no notification (not for me)", (long long)c->id);
        return;
    }
    /* The agent is reading this very conversation. */
    if (a->ui && a->view.open_conv == c->id && ui_focused(a->ui)) {
        log_info("new message in #%lld: no notification (open, terminal focused)",
                 (long long)c->id);
        return;
    }
    log_info("new message in #%lld: notification", (long long)c->id);
    struct notify_event e = {
        .conv = c->id,
        .contact = model_contact_label(&c->contact),
        .phone = c->contact.phone,
        .preview = m->content,
        .priority = c->priority,
    };
    notify_post(a->notify, &e);
}

static void on_state(void *ud)
{
    (void)ud; /* the status line reads the state at the next draw */
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

static void on_refused(void *ud, int64_t conv, const char *echo_id, const char *why)
{
    struct app *a = ud;
    if (a->ui)
        ui_reply_refused(a->ui, conv, echo_id, why);
}

static int64_t session_deadline(void *ud)
{
    struct app *a = ud;
    return a->ss ? session_next_ms(a->ss) : -1;
}

static void turn(struct app *a, int max_ms)
{
    loop_once(a->loop, max_ms);
    if (a->ss)
        session_tick(a->ss, timeutil_mono_ms());
    sync_view(a);
}

/* ---- connection ---- */

/* "https://chat.example.com:8443" + account 3 → "chat.example.com-8443-3":
 * state of different servers and accounts never mixes. */
static char *state_key(const char *url, int64_t account)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    char *key = xasprintf("%s-%lld", p, (long long)account);
    for (char *s = key; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
            *s = '-';
    return key;
}

static char *resolve_token(struct app *a, char **err)
{
    const char *env = getenv("TWOWAY_TOKEN");
    if (env && *env)
        return xstrdup(env);
    const char *cmd = options_get(a->opts, "token_command");
    if (cmd && *cmd)
        return token_from_command(cmd, err);
    const char *t = options_get(a->opts, "token");
    if (t && *t)
        return xstrdup(t);
    *err = xstrdup("no API token: set TWOWAY_TOKEN, or `set token_command = \"...\"` in the "
                   "config (or try twoway --demo)");
    return NULL;
}

static int connect_session(struct app *a, char **err)
{
    const char *url = getenv("TWOWAY_URL");
    if (!url || !*url)
        url = options_get(a->opts, "url");
    int64_t account = 0;
    const char *acc = getenv("TWOWAY_ACCOUNT");
    if (acc && *acc) {
        char *end;
        account = strtoll(acc, &end, 10);
        if (*end || account <= 0) {
            *err = xasprintf("TWOWAY_ACCOUNT must be a positive account id, not \"%s\"", acc);
            return -1;
        }
    } else {
        account = options_int(a->opts, "account");
    }
    if (account <= 0)
        account = 1; /* Chatwoot's first account */
    char *token = NULL;
    if (a->demo_on) {
        url = a->demo.url;
        account = a->demo.account;
        token = xstrdup(a->demo.token);
    }
    if (!url || !*url) {
        *err = xstrdup("no server: set url in the config or TWOWAY_URL (or try twoway --demo)");
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        *err = xasprintf("url must start with https:// (or http://): %s", url);
        return -1;
    }
    if (!token && !(token = resolve_token(a, err)))
        return -1;

    struct http_opts ho = {.ca_file = options_get(a->opts, "ca_file")};
    if (ho.ca_file && !*ho.ca_file)
        ho.ca_file = NULL;
    a->http = http_new(&ho);
    struct provider *p = chatwoot_new(a->http, url, account, token);
    memset(token, 0, strlen(token));
    free(token);

    char *base = paths_dir(PATHS_STATE);
    char *key = state_key(url, account);
    a->state_dir = xasprintf("%s/%s", base, key);
    free(base);
    base = paths_dir(PATHS_CACHE);
    a->cache_path = xasprintf("%s/%s/inbox.json", base, key);
    free(base);
    free(key);
    if (paths_mkdir_p(a->state_dir, 0700, err) < 0)
        return -1;

    struct session_opts so = {
        .poll_ms = (int)options_int(a->opts, "poll_interval") * 1000,
        .state_dir = a->state_dir,
        .keep_unread = !options_bool(a->opts, "mark_read"),
    };
    a->ss = session_new(p, a->st, &so);
    struct session_listener l = {
        .inbound = on_inbound,
        .state = on_state,
        .sent = on_sent,
        .refused = on_refused,
        .ud = a,
    };
    session_set_listener(a->ss, &l);
    a->env.ss = a->ss;
    a->loop = loop_new(a->http);
    loop_set_deadline_fn(a->loop, session_deadline, a);
    a->account_label = xstrdup(url);
    /* On a screen, the last known inbox shows at once; the first sync
     * replaces it. Scripts always want the server's answer. */
    if (!a->args->batch && !a->demo_on) {
        struct conv_query q;
        view_query(&a->view, 1, &q);
        char *cerr = NULL;
        if (cache_load(a->cache_path, a->st, &q, &cerr) < 0 && errno != ENOENT)
            log_info("%s", cerr);
        free(cerr);
    }
    session_start(a->ss);
    sync_view(a);
    return 0;
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

static void cmd_done(void *ud, bool ok)
{
    struct app *a = ud;
    a->cmd_done = true;
    a->cmd_ok = ok;
}

/* Run one line and wait for it (batch and start-up). */
static bool run_and_wait(struct app *a, const char *line, const struct cmd_source *src)
{
    a->cmd_done = false;
    cmd_run(&a->env, line, src, cmd_done, a);
    while (!a->cmd_done && !a->quit && a->loop)
        turn(a, -1);
    sync_view(a);
    return a->cmd_done && a->cmd_ok;
}

static int load_config(struct app *a)
{
    int errors = 0;
    struct cmd_source def = {.file = "(defaults)"};
    for (int i = 0; cmd_default_rc[i]; i++) {
        def.line = i + 1;
        a->cmd_done = false;
        cmd_run(&a->env, cmd_default_rc[i], &def, cmd_done, a);
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

/* ---- batch ---- */

static bool wait_ready(struct app *a)
{
    int64_t deadline = timeutil_mono_ms() + BATCH_CONNECT_MS;
    while (!session_ready(a->ss) && !a->quit) {
        if (session_state(a->ss) == CONN_AUTH_FAILED) {
            fprintf(stderr, "twoway: the server rejected the token: %s\n",
                    session_state_reason(a->ss));
            return false;
        }
        int64_t left = deadline - timeutil_mono_ms();
        if (left <= 0) {
            const char *why = session_state_reason(a->ss);
            fprintf(stderr, "twoway: cannot reach the server%s%s\n", *why ? ": " : "", why);
            return false;
        }
        turn(a, (int)(left < 1000 ? left : 1000));
    }
    return !a->quit;
}

static int run_batch(struct app *a)
{
    if (!wait_ready(a))
        return 1;
    bool ok = true;
    struct cmd_source src = {.file = NULL};
    for (int i = 0; i < a->args->nexec && !a->quit && !a->env.quit; i++)
        ok = run_and_wait(a, a->args->exec[i], &src) && ok;
    FILE *in = NULL;
    const char *file = a->args->batch_file;
    if (file && strcmp(file, "-") != 0) {
        in = fopen(file, "r");
        if (!in) {
            fprintf(stderr, "twoway: %s: %s\n", file, strerror(errno));
            return 1;
        }
    } else if (file || a->args->nexec == 0) {
        in = stdin;
    }
    if (in) {
        char *line = NULL;
        size_t cap = 0;
        int lineno = 0;
        struct cmd_source fsrc = {.file = file && strcmp(file, "-") ? file : "(stdin)"};
        while (!a->quit && !a->env.quit && getline(&line, &cap, in) >= 0) {
            lineno++;
            fsrc.line = lineno;
            line[strcspn(line, "\r\n")] = '\0';
            const char *s = line;
            while (isspace((unsigned char)*s))
                s++;
            if (!*s || *s == '#')
                continue;
            ok = run_and_wait(a, s, &fsrc) && ok;
        }
        free(line);
        if (in != stdin)
            fclose(in);
    }
    /* Replies queued by the script, and any the outbox still had from
     * before, go out before we leave (twoway's own retries included). */
    int64_t deadline = timeutil_mono_ms() + BATCH_CONNECT_MS;
    while (!a->quit && (cmd_pending(&a->env) > 0 || session_outbox_sendable(a->ss) > 0) &&
           timeutil_mono_ms() < deadline)
        turn(a, 500);
    int left = session_outbox_sendable(a->ss);
    if (left > 0)
        fprintf(stderr,
                "twoway: %d repl%s not sent yet; kept in the outbox (%s/outbox.jsonl), to go "
                "out at the next start\n",
                left, left == 1 ? "y is" : "ies are", a->state_dir);
    return ok && !a->quit ? 0 : 1;
}

/* ---- the start-up cache ---- */

static void save_cache(struct app *a)
{
    /* Only what a real sync brought is worth showing next time. */
    if (!a->ss || !session_ready(a->ss) || a->demo_on)
        return;
    struct conv_query q;
    view_query(&a->view, 1, &q);
    char *err = NULL;
    if (cache_save(a->cache_path, a->st, &q, &err) < 0) {
        log_warn("%s", err);
        free(err);
    }
}

/* ---- ui ---- */

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

static void notify_read_options(struct app *a, struct notify_opts *o)
{
    o->backends = options_get(a->opts, "notify");
    o->command = options_get(a->opts, "notify_command");
    o->preview = options_bool(a->opts, "notify_preview");
    o->coalesce_ms = (int)options_int(a->opts, "notify_coalesce") * 1000;
    a->notify_gen = options_gen(a->opts);
}

static void notify_start(struct app *a)
{
    struct notify_opts o;
    notify_read_options(a, &o);
    struct notify_hooks h = {
        .write = notify_write,
        .timer = ui_timer,
        .cancel = ui_cancel,
        .status = notify_status,
        .ud = a,
    };
    a->notify = notify_new(&o, &h);
}

static void notify_follow_options(struct app *a)
{
    if (!a->notify || options_gen(a->opts) == a->notify_gen)
        return;
    struct notify_opts o;
    notify_read_options(a, &o);
    notify_configure(a->notify, &o);
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

static int run_ui(struct app *a)
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
            cmd_run(&a->env, a->args->exec[next_exec++], &src, cmd_done, a);
            exec_waiting = !a->cmd_done;
            sync_view(a);
        }
        /* A script that ends in quit leaves now, not at the next event. */
        if (a->env.quit)
            break;
        turn(a, -1);
        if (exec_waiting && a->cmd_done)
            exec_waiting = false;
        notify_follow_options(a);
        ui_draw(a->ui);
    }
    /* A reply sent just before q still has its checks to finish: give
     * what is in flight a moment (the screen stays up meanwhile). */
    int64_t until = timeutil_mono_ms() + QUIT_GRACE_MS;
    while (!a->quit && cmd_pending(&a->env) > 0 && timeutil_mono_ms() < until) {
        turn(a, 100);
        ui_draw(a->ui);
    }
    notify_free(&a->notify);
    ui_save_drafts(a->ui);
    save_cache(a);
    ui_stop(a->ui);
    ui_free(&a->ui);
    a->env.ui = NULL;
    return a->exit_code;
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
    a.st = store_new();
    view_init(&a.view);
    a.env.st = a.st;
    a.env.view = &a.view;
    a.env.opts = a.opts;
    a.env.keys = a.keys;
    a.env.batch = args->batch;
    a.env.out.info = out_info_stdout;
    a.env.out.error = out_error_stderr;
    a.env.out.json = args->json ? out_json_stdout : NULL;
    a.env.out.ud = &a;

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
    if (connect_session(&a, &err) < 0) {
        fprintf(stderr, "twoway: %s\n", err);
        goto out;
    }
    loop_signals(a.loop, on_signal, &a);
    rc = args->batch ? run_batch(&a) : run_ui(&a);
    if (rc == 0 && cfg_errors)
        rc = 0; /* config errors were shown; the UI still ran */
out:
    free(err);
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
    options_free(&a.opts);
    free(a.state_dir);
    free(a.cache_path);
    free(a.account_label);
    free(a.applied_label);
    free(a.applied_search);
    log_close();
    return rc;
}
