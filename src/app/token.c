/* token — the API token from a command. */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twoway/buf.h"
#include "twoway/cmd.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

char *token_from_command(const char *cmdline, char **err)
{
    int argc = 0;
    char **argv = cmd_split(cmdline, &argc, err);
    if (!argv)
        return NULL;
    if (argc == 0) {
        cmd_argv_free(argv, argc);
        *err = xstrdup("token_command is empty");
        return NULL;
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        *err = xasprintf("pipe: %s", strerror(errno));
        cmd_argv_free(argv, argc);
        return NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    char *name = xstrdup(argv[0]);
    cmd_argv_free(argv, argc);
    if (pid < 0) {
        *err = xasprintf("cannot run token_command: %s", strerror(errno));
        close(out[0]);
        free(name);
        return NULL;
    }
    struct buf b;
    buf_init(&b);
    int64_t deadline = timeutil_mono_ms() + 10000;
    bool timed_out = false;
    for (;;) {
        int64_t left = deadline - timeutil_mono_ms();
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
            timed_out = true;
            break;
        }
        char chunk[1024];
        ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n <= 0)
            break;
        if (b.len < 8192)
            buf_add(&b, chunk, (size_t)n);
    }
    close(out[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    char *tok = NULL;
    if (timed_out) {
        *err = xasprintf("token_command (%s) did not finish within 10 seconds", name);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *err = xasprintf("token_command (%s) failed with status %d", name,
                         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    } else {
        char *nl = strchr(b.data, '\n');
        if (nl)
            *nl = '\0';
        char *s = b.data;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
            s[--n] = '\0';
        if (!*s)
            *err = xasprintf("token_command (%s) printed no token", name);
        else
            tok = xstrdup(s);
    }
    /* The buffer held the token: wipe it before freeing. */
    memset(b.data, 0, b.cap);
    buf_free(&b);
    free(name);
    return tok;
}
