/* notify_cmd — the user's notify_command, run as a child without a shell.
 *
 * The command line is split into words here with the quoting rules of
 * config lines (cmd_split lives in a higher layer, so notify has its own
 * small splitter): spaces and tabs separate words; 'single quotes' keep
 * everything literally; "double quotes" group, and a backslash in them
 * takes the next character literally; outside quotes a backslash takes
 * the next character literally; '#' at the start of a word outside quotes
 * begins a comment. An unterminated quote is an error.
 *
 * The child gets stdin, stdout and stderr on /dev/null, no other
 * descriptors, a session of its own (so keys typed in twoway never signal
 * it), and the environment of twoway less TWOWAY_TOKEN, plus:
 *   TWOWAY_CONTACT       the newest message's contact (name or phone)
 *   TWOWAY_PHONE         its phone number ("" if none)
 *   TWOWAY_CONVERSATION  its conversation id
 *   TWOWAY_PREVIEW       its text as previewed ("" when notify_preview = no)
 *   TWOWAY_COUNT         messages coalesced into this notification
 *   TWOWAY_TITLE, TWOWAY_BODY  exactly what the other backends show */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify_priv.h"
#include "twoway/buf.h"
#include "twoway/xmalloc.h"

#define LINE_MAX_BYTES 4096
#define ARGS_MAX 64

extern char **environ;

void notify_cmd_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

static char **split_fail(char **argv, int n, struct buf *w, char **err, const char *why)
{
    argv[n] = NULL;
    notify_cmd_argv_free(argv);
    buf_free(w);
    *err = xstrdup(why);
    return NULL;
}

char **notify_cmd_split(const char *line, int *argc, char **err)
{
    if (strlen(line) > LINE_MAX_BYTES) {
        *err = xstrdup("notify_command is too long");
        return NULL;
    }
    char **argv = xcalloc(ARGS_MAX + 1, sizeof *argv);
    int n = 0;
    struct buf w;
    buf_init(&w);
    const char *s = line;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            break;
        if (n == ARGS_MAX)
            return split_fail(argv, n, &w, err, "notify_command has too many words");
        buf_reset(&w);
        char quote = 0;
        while (*s && (quote || (*s != ' ' && *s != '\t'))) {
            char c = *s++;
            if (quote == '\'') {
                if (c == '\'')
                    quote = 0;
                else
                    buf_addc(&w, c);
            } else if (c == '\\' && *s) {
                buf_addc(&w, *s++);
            } else if (quote == '"' && c == '"') {
                quote = 0;
            } else if (!quote && (c == '"' || c == '\'')) {
                quote = c;
            } else {
                buf_addc(&w, c);
            }
        }
        if (quote)
            return split_fail(argv, n, &w, err, "notify_command has an unterminated quote");
        argv[n++] = xstrndup(w.data, w.len);
    }
    buf_free(&w);
    argv[n] = NULL;
    *argc = n;
    return argv;
}

static bool ours(const char *entry)
{
    static const char *const names[] = {"TWOWAY_TOKEN",        "TWOWAY_CONTACT", "TWOWAY_PHONE",
                                        "TWOWAY_CONVERSATION", "TWOWAY_PREVIEW", "TWOWAY_COUNT",
                                        "TWOWAY_TITLE",        "TWOWAY_BODY"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = strlen(names[i]);
        if (strncmp(entry, names[i], len) == 0 && entry[len] == '=')
            return true;
    }
    return false;
}

/* Built before fork: the child only execs. */
static char **child_env(const struct notify_msg *m)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    char **env = xcalloc(n + 8, sizeof *env);
    size_t k = 0;
    for (char **e = environ; e && *e; e++)
        if (!ours(*e))
            env[k++] = xstrdup(*e);
    env[k++] = xasprintf("TWOWAY_CONTACT=%s", m->contact);
    env[k++] = xasprintf("TWOWAY_PHONE=%s", m->phone);
    env[k++] = xasprintf("TWOWAY_CONVERSATION=%lld", (long long)m->conv);
    env[k++] = xasprintf("TWOWAY_PREVIEW=%s", m->preview);
    env[k++] = xasprintf("TWOWAY_COUNT=%d", m->count);
    env[k++] = xasprintf("TWOWAY_TITLE=%s", m->title);
    env[k++] = xasprintf("TWOWAY_BODY=%s", m->body);
    env[k] = NULL;
    return env;
}

pid_t notify_cmd_spawn(char *const *argv, const struct notify_msg *m, char **err)
{
    char **env = child_env(m);
    pid_t pid = fork();
    if (pid == 0) {
        notify_child_setup(-1);
        setsid();
        execvpe(argv[0], argv, env);
        _exit(127);
    }
    int saved = errno;
    notify_cmd_argv_free(env);
    if (pid < 0)
        *err = xasprintf("cannot run %s: %s", argv[0], strerror(saved));
    return pid;
}
