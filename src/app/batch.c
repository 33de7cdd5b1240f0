/* batch — --batch: no screen. Waits for the first sync, runs the -e
 * commands and then the lines of the file (or standard input) one after
 * another, each to its end, and gives the replies the script queued their
 * chance to go out. Exits 0 only if every command succeeded; else with the
 * status of enum app_exit that says why. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "twoway/options.h"
#include "twoway/session.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* Longest a batch run waits for its replies to go out at the end. */
#define BATCH_SEND_MS 30000

/* The first sync: 0, or the exit status after saying why not. */
static int wait_ready(struct app *a)
{
    int64_t deadline = timeutil_mono_ms() + options_int(a->opts, "batch_wait") * 1000;
    while (!session_ready(a->ss) && !a->quit) {
        if (session_state(a->ss) == CONN_AUTH_FAILED) {
            app_error(NULL, session_state_reason(a->ss));
            return APP_EXIT_AUTH;
        }
        int64_t left = deadline - timeutil_mono_ms();
        if (left <= 0) {
            const char *why = session_state_reason(a->ss);
            char *m = xasprintf("cannot reach the server%s%s", *why ? ": " : "", why);
            app_error(NULL, m);
            free(m);
            return APP_EXIT_NETWORK;
        }
        app_turn(a, (int)(left < 1000 ? left : 1000));
    }
    return a->quit ? (a->exit_code ? a->exit_code : APP_EXIT_FAIL) : APP_EXIT_OK;
}

/* Not empty and not a comment. */
static bool is_command_line(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s && *s != '#';
}

/* A quit that left commands unrun is a mistake worth a word (and a
 * failure): a stray `q` must not end a script silently. */
static void report_early_quit(const char *where, size_t left)
{
    char *m = xasprintf("the script stops here; %zu more command%s not run", left,
                        left == 1 ? " was" : "s were");
    app_error(where, m);
    free(m);
}

/* Run a script's lines from in; false if any failed. A line holding a NUL
 * byte is refused with its number, not cut short at the NUL. */
static bool run_lines(struct app *a, FILE *in, const char *name)
{
    bool ok = true;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    struct cmd_source src = {.file = name};
    while (!a->quit && !a->env.quit && (len = getline(&line, &cap, in)) >= 0) {
        src.line++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (memchr(line, '\0', (size_t)len)) {
            char *where = xasprintf("%s:%d", name, src.line);
            app_error(where, "the line holds a NUL byte; it was not run");
            free(where);
            ok = false;
            continue;
        }
        if (!is_command_line(line))
            continue;
        ok = app_run_and_wait(a, line, &src) && ok;
        if (a->env.quit) {
            size_t left = 0;
            while (getline(&line, &cap, in) >= 0)
                left += is_command_line(line);
            if (left) {
                char *where = xasprintf("%s:%d: quit", name, src.line);
                report_early_quit(where, left);
                free(where);
                ok = false;
            }
        }
    }
    free(line);
    return ok;
}

/* Why a script failed, as the exit status: a command failed because the
 * server refused us, or could not be reached; else a command's failure. */
static int batch_failure(const struct app *a)
{
    if (a->env.failed_auth || session_state(a->ss) == CONN_AUTH_FAILED)
        return APP_EXIT_AUTH;
    if (a->env.failed_offline)
        return APP_EXIT_NETWORK;
    return APP_EXIT_FAIL;
}

int batch_run(struct app *a)
{
    int rc = wait_ready(a);
    if (rc != APP_EXIT_OK)
        return rc;
    bool ok = true;
    struct cmd_source src = {.file = NULL};
    const char *file = a->args->batch_file;
    bool has_file = file || a->args->nexec == 0;
    int i;
    for (i = 0; i < a->args->nexec && !a->quit && !a->env.quit; i++)
        ok = app_run_and_wait(a, a->args->exec[i], &src) && ok;
    if (a->env.quit && (i < a->args->nexec || has_file)) {
        /* The lines of a file are not counted: they were never read. */
        size_t left = (size_t)(a->args->nexec - i);
        char *where = xasprintf("-e %d: quit", i);
        if (left)
            report_early_quit(where, left);
        else
            app_error(where, "the script stops here; the file was not read");
        free(where);
        ok = false;
    }
    if (!a->env.quit && !a->quit && has_file) {
        FILE *in = file && strcmp(file, "-") != 0 ? fopen(file, "r") : stdin;
        if (!in) {
            fprintf(stderr, "twoway: %s: %s\n", file, strerror(errno));
            return APP_EXIT_FAIL;
        }
        ok = run_lines(a, in, file && strcmp(file, "-") ? file : "(stdin)") && ok;
        if (in != stdin)
            fclose(in);
    }
    /* Replies queued by the script, and any the outbox still had from
     * before, go out before we leave (twoway's own retries included). */
    int64_t deadline = timeutil_mono_ms() + BATCH_SEND_MS;
    while (!a->quit && (cmd_pending(&a->env) > 0 || session_outbox_sendable(a->ss) > 0) &&
           timeutil_mono_ms() < deadline)
        app_turn(a, 500);
    int left = session_outbox_sendable(a->ss);
    if (left > 0)
        fprintf(stderr,
                "twoway: %d repl%s not sent yet; kept in the outbox (%s/outbox.jsonl), to go "
                "out at the next start\n",
                left, left == 1 ? "y is" : "ies are", a->state_dir);
    if (a->quit)
        return a->exit_code ? a->exit_code : APP_EXIT_FAIL;
    return ok ? APP_EXIT_OK : batch_failure(a);
}
