/* cmd_link — the links of a thread's attachments: copy-link puts one on
 * the clipboard of the agent's terminal (OSC 52, through the screen) or
 * prints it (in a script); open-link runs the opener with it.
 *
 * N counts attachments from the newest of the thread (1, the default, is
 * the newest). On a screen the thread as loaded is looked at; a script
 * reads the whole thread. Only a plain http(s) URL is copied or opened
 * (termseq_url_ok): nothing else a server sends reaches a program or the
 * terminal. The opener is run without a shell, the URL one argument after
 * the opener's own words. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd_priv.h"
#include "twoway/codec.h"
#include "twoway/options.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/termseq.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

enum link_action { LINK_COPY, LINK_OPEN };

/* The n-th attachment from the newest in msgs (ascending), and its
 * message; NULL if there are fewer. */
static const struct attachment *nth_newest(const struct message *msgs, size_t nmsgs, long n,
                                           const struct message **from)
{
    for (size_t i = nmsgs; i-- > 0;) {
        const struct message *m = &msgs[i];
        if (m->deleted)
            continue;
        for (size_t k = m->nattachments; k-- > 0;)
            if (--n == 0) {
                *from = m;
                return &m->attachments[k];
            }
    }
    return NULL;
}

/* "image 230 KB", as the thread shows it. Owned. */
static char *describe(const struct attachment *a)
{
    const char *type = a->file_type && *a->file_type ? a->file_type : "file";
    if (a->size <= 0)
        return xstrdup(type);
    char size[16];
    text_size(a->size, size, sizeof size);
    return xasprintf("%s %s", type, size);
}

/* The opener's words, then the URL. NULL with *err. */
static char **opener_argv(const struct cmd_env *env, const char *url, int *argc, char **err)
{
    char **argv = cmd_split(options_get(env->opts, "opener"), argc, err);
    if (!argv || *argc == 0) {
        if (!*err)
            *err = xstrdup("the opener setting is empty");
        cmd_argv_free(argv, *argc);
        return NULL;
    }
    argv = xreallocarray(argv, (size_t)*argc + 2, sizeof *argv);
    argv[(*argc)++] = xstrdup(url);
    argv[*argc] = NULL;
    return argv;
}

/* Start argv on its own, in a session of its own, reading and writing
 * nothing of ours (its output would land on the screen): it outlives
 * twoway if it likes and is never waited for. 0, or -1 with *err when it
 * could not be run (the exec's errno comes back through a pipe). */
static int spawn_detached(char **argv, char **err)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        *err = xasprintf("cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        setsid();
        int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCHLD, SIGCONT, SIGTSTP, SIGPIPE};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL);
        /* The grandchild is adopted by init: nobody has to reap it. */
        pid_t inner = fork();
        if (inner != 0)
            _exit(inner < 0 ? 1 : 0);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(pipefd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        *err = xasprintf("cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* The exec closes the pipe; a failed one writes its errno first. */
    int e = 0;
    ssize_t r;
    while ((r = read(pipefd[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(pipefd[0]);
    if (r == (ssize_t)sizeof e) {
        *err = xasprintf("cannot run %s: %s", argv[0], strerror(e));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *err = xasprintf("cannot run %s", argv[0]);
        return -1;
    }
    return 0;
}

static void open_url(struct cmd_call *call, const char *url, const char *what)
{
    struct cmd_env *env = call->env;
    int argc = 0;
    char *err = NULL;
    char **argv = opener_argv(env, url, &argc, &err);
    if (!argv) {
        cmd_finish(call, false, err);
        free(err);
        return;
    }
    bool terminal =
        options_bool(env->opts, "opener_terminal") && env->ui && env->ui->run_in_terminal;
    bool ok = terminal ? env->ui->run_in_terminal(env->ui->ud, argv, &err)
                       : spawn_detached(argv, &err) == 0;
    if (ok) {
        struct codec_val *extra = codec_object();
        codec_set_str(extra, "url", url);
        codec_set_str(extra, "opener", argv[0]);
        cmd_report_action(call, extra, "opening %s with %s", what, argv[0]);
    }
    cmd_argv_free(argv, argc);
    cmd_finish(call, ok, ok ? NULL : err);
    free(err);
}

static void act(struct cmd_call *call, const struct message *msgs, size_t n)
{
    long want = (long)(intptr_t)call->priv;
    enum link_action action = want < 0 ? LINK_OPEN : LINK_COPY;
    long nth = want < 0 ? -want : want;
    const struct message *m = NULL;
    const struct attachment *a = nth_newest(msgs, n, nth, &m);
    if (!a) {
        char *msg = nth == 1 ? xasprintf("no attachment in #%lld", (long long)call->conv)
                             : xasprintf("no attachment %ld in #%lld (they count from the "
                                         "newest)",
                                         nth, (long long)call->conv);
        cmd_finish(call, false, msg);
        free(msg);
        return;
    }
    if (!termseq_url_ok(a->url)) {
        cmd_finish(call, false, "that attachment's link is not a plain http(s) URL: not used");
        return;
    }
    char *what = describe(a);
    const struct cmd_ui *ui = call->env->ui;
    if (action == LINK_OPEN) {
        open_url(call, a->url, what);
    } else if (ui && ui->copy) {
        ui->copy(ui->ud, a->url);
        struct codec_val *extra = codec_object();
        codec_set_str(extra, "url", a->url);
        cmd_report_action(call, extra, "copied the link of the %s (message %lld)", what,
                          (long long)m->id);
        cmd_finish(call, true, NULL);
    } else {
        /* A script: the link itself is the output. */
        if (cmd_json_mode(call)) {
            struct codec_val *o = codec_object();
            codec_set_int(o, "conversation", call->conv);
            codec_set_int(o, "message_id", m->id);
            codec_set_str(o, "url", a->url);
            codec_set_str(o, "file_type", a->file_type);
            codec_set_int(o, "size", a->size);
            cmd_emit(call, o);
        } else {
            cmd_info(call, "%s", a->url);
        }
        cmd_finish(call, true, NULL);
    }
    free(what);
}

static void got_thread(struct cmd_call *call, const struct session_answer *a)
{
    if (a->why) {
        cmd_finish(call, false, a->why);
        return;
    }
    act(call, a->msgs, a->nmsgs);
}

static void got_page(struct cmd_call *call, const struct session_answer *a)
{
    const char *why = a->why;
    (void)why; /* what the store has is looked at either way */
    size_t n;
    const struct message *m = store_thread(call->env->st, call->conv, &n);
    act(call, m, n);
}

static enum cmd_status start(struct cmd_call *call, enum link_action action)
{
    long nth = 1;
    if (call->argc > 1) {
        char *end;
        nth = strtol(call->argv[1], &end, 10);
        if (*end || nth < 1 || nth > 10000) {
            cmd_error(call, "\"%s\" is not an attachment number (1 is the newest)", call->argv[1]);
            return CMD_FAIL;
        }
    }
    call->priv = (void *)(intptr_t)(action == LINK_OPEN ? -nth : nth);
    size_t n = 0;
    const struct message *m = store_thread(call->env->st, call->conv, &n);
    if (call->env->batch || !call->env->ui)
        cmd_fetch_thread(call, call->conv, got_thread);
    else if (n == 0)
        cmd_fetch_messages(call, call->conv, 0, got_page);
    else
        act(call, m, n);
    return CMD_PENDING;
}

enum cmd_status cmd_link_copy(struct cmd_call *call)
{
    return start(call, LINK_COPY);
}

enum cmd_status cmd_link_open(struct cmd_call *call)
{
    return start(call, LINK_OPEN);
}
