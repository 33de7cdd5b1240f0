/* ui_open — what the link commands need of the screen: the clipboard
 * through the terminal (OSC 52, which reaches the agent's own machine over
 * SSH), and an opener that is a terminal program (a text browser, an image
 * viewer for the terminal), which gets the terminal until it exits, as the
 * editor does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "twoway/termseq.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

void ui_open_copy(struct ui *ui, const char *text)
{
    /* tmux when $TMUX is set (it wins over a screen outside it), else
     * screen when $STY is set and $TERM says screen: as notifications. */
    const char *term = getenv("TERM");
    bool tmux = env_set("TMUX");
    bool screen = !tmux && env_set("STY") && term && strncmp(term, "screen", 6) == 0;
    char *seq = termseq_osc52(text, tmux, screen);
    ui_write_raw(ui, seq, strlen(seq));
    free(seq);
}

bool ui_open_in_terminal(struct ui *ui, char **argv, char **err)
{
    if (ui->opener_pid > 0 || ui->editor_pid > 0) {
        *err = xstrdup("something else has the terminal");
        return false;
    }
    pid_t pid = ui_lend_exec(ui, argv);
    if (pid < 0) {
        *err = xasprintf("cannot start %s: %s", argv[0], strerror(errno));
        return false;
    }
    ui->opener_pid = pid;
    return true;
}

void ui_open_check(struct ui *ui)
{
    int status;
    pid_t r = ui_lend_reap(ui, &ui->opener_pid, &status);
    if (r == 0)
        return;
    if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
        ui_message(ui, "the opener could not be run (see the opener setting)", true);
    else if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        ui_message(ui, "the opener failed", true);
}
