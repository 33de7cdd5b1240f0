/* batch — --batch: no screen. Waits for the first sync, runs the -e
 * commands and then the lines of the file (or standard input) one after
 * another, each to its end, and gives the replies the script queued their
 * chance to go out. Exits 0 only if every command succeeded. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "twoway/session.h"
#include "twoway/timeutil.h"

/* Longest a batch run waits for the first sync (and for its replies). */
#define BATCH_CONNECT_MS 30000

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
        app_turn(a, (int)(left < 1000 ? left : 1000));
    }
    return !a->quit;
}

int batch_run(struct app *a)
{
    if (!wait_ready(a))
        return 1;
    bool ok = true;
    struct cmd_source src = {.file = NULL};
    for (int i = 0; i < a->args->nexec && !a->quit && !a->env.quit; i++)
        ok = app_run_and_wait(a, a->args->exec[i], &src) && ok;
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
            ok = app_run_and_wait(a, s, &fsrc) && ok;
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
        app_turn(a, 500);
    int left = session_outbox_sendable(a->ss);
    if (left > 0)
        fprintf(stderr,
                "twoway: %d repl%s not sent yet; kept in the outbox (%s/outbox.jsonl), to go "
                "out at the next start\n",
                left, left == 1 ? "y is" : "ies are", a->state_dir);
    return ok && !a->quit ? 0 : 1;
}
