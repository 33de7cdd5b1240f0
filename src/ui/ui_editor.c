/* ui_editor — composing a long reply in $EDITOR. The editor runs as a
 * child with the terminal; the loop keeps running (the network does not
 * stop) but the screen and the keyboard are the editor's until it exits.
 * ui_lend_exec is how any child gets the terminal (the editor, an opener
 * that is a terminal program). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "twoway/drafts.h"
#include "twoway/options.h"
#include "twoway/paths.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

static const char *editor_command(const struct ui *ui)
{
    const char *e = options_get(ui->env->opts, "editor");
    if (e && *e)
        return e;
    e = getenv("VISUAL");
    if (e && *e)
        return e;
    e = getenv("EDITOR");
    if (e && *e)
        return e;
    return "vi";
}

/* Keys typed right after the one that opens the editor come in the same
 * read as it (a fast typist, a slow link): they were typed for the editor,
 * not for the composer. They go back into the terminal's input, in order,
 * while it is still raw (TIOCSTI), for the editor to read first. Where the
 * kernel does not allow that (dev.tty.legacy_tiocsti = 0) they are
 * dropped, and counted for a word afterwards. */
static size_t give_back_typeahead(struct ui *ui)
{
    /* What came meanwhile goes after what was read before. */
    ui_input_read(ui);
    size_t given = 0;
    while (given < ui->inq.len && ioctl(ui->tty_fd, TIOCSTI, ui->inq.data + given) == 0)
        given++;
    size_t dropped = ui->inq.len - given;
    buf_reset(&ui->inq);
    return dropped;
}

pid_t ui_lend_exec(struct ui *ui, char **argv)
{
    /* From here until it exits the terminal is the child's: twoway does
     * not read it (every key typed goes to the child) nor draw. */
    ui_term_leave(ui);
    pid_t pid = fork();
    if (pid == 0) {
        int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCHLD, SIGCONT, SIGTSTP, SIGPIPE};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0)
        ui_term_enter(ui);
    return pid;
}

void ui_editor_start(struct ui *ui, int64_t conv, bool is_private, const char *text)
{
    if (ui->editor_pid > 0)
        return;
    if (!conv) {
        ui_message(ui, "open a conversation first", true);
        return;
    }
    /* Start from what the composer holds, if it is this conversation. */
    char *initial = NULL;
    if (ui->mode == MODE_COMPOSE && ui->compose_conv == conv) {
        ui_rl_stop_search(ui);
        initial = xstrdup(ui_rl_text());
        ui_rl_end(ui);
    } else if (text && *text) {
        initial = xstrdup(text);
    } else {
        /* What was typed before, kept as a draft, is where to go on. */
        initial = drafts_load(ui->deps.state_dir, conv, is_private);
        if (!initial)
            initial = xstrdup("");
    }
    free(ui->editor_file);
    ui->editor_file = xasprintf("%s/compose-%lld.txt", ui->deps.state_dir, (long long)conv);
    char *err = NULL;
    if (paths_write_atomic(ui->editor_file, initial, strlen(initial), 0600, &err) < 0) {
        ui_message(ui, err, true);
        free(err);
        free(initial);
        return;
    }
    free(initial);
    int argc = 0;
    char **argv = cmd_split(editor_command(ui), &argc, &err);
    if (!argv || argc == 0) {
        ui_message(ui, err ? err : "editor is empty", true);
        free(err);
        cmd_argv_free(argv, argc);
        return;
    }
    argv = xreallocarray(argv, (size_t)argc + 2, sizeof *argv);
    argv[argc] = xstrdup(ui->editor_file);
    argv[argc + 1] = NULL;
    ui->editor_dropped = give_back_typeahead(ui);
    pid_t pid = ui_lend_exec(ui, argv);
    cmd_argv_free(argv, argc + 1);
    if (pid < 0) {
        ui_message(ui, "cannot start the editor", true);
        return;
    }
    ui->editor_pid = pid;
    ui->editor_conv = conv;
    ui->editor_private = is_private;
}

pid_t ui_lend_reap(struct ui *ui, pid_t *pid, int *status)
{
    if (*pid <= 0)
        return 0;
    pid_t r = waitpid(*pid, status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return 0;
    *pid = -1;
    ui_term_enter(ui);
    return r;
}

void ui_editor_check(struct ui *ui)
{
    int status;
    pid_t r = ui_lend_reap(ui, &ui->editor_pid, &status);
    if (r == 0)
        return;
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (paths_read_file(ui->editor_file, 1 << 20, &text, &len, &err) < 0) {
        ui_message(ui, err, true);
        free(err);
        return;
    }
    /* Trailing newlines are the editor's, not the agent's. */
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ui_compose_open(ui, ui->editor_conv, ui->editor_private, text);
        if (ui->editor_dropped) {
            char *m = xasprintf("%zu bytes of keys typed as the editor opened were dropped (the "
                                "system does not let twoway pass them on); Enter sends",
                                ui->editor_dropped);
            ui_message(ui, m, true);
            free(m);
        } else {
            ui_message(ui, "Enter sends; Esc keeps it as a draft", false);
        }
        unlink(ui->editor_file);
    } else {
        ui_message(ui, "the editor failed; the text is kept in the file", true);
    }
    free(text);
}

/* Ends a child that has the terminal and waits for it: asked (SIGTERM,
 * and SIGCONT should it be stopped), then, after LEND_END_MS, killed. */
#define LEND_END_MS 3000

static void end_child(pid_t pid)
{
    kill(pid, SIGTERM);
    kill(pid, SIGCONT);
    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(pid, NULL, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return;
        if (waited == LEND_END_MS)
            kill(pid, SIGKILL);
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
}

void ui_lend_end(struct ui *ui)
{
    if (ui->editor_pid <= 0 && ui->opener_pid <= 0)
        return;
    /* twoway is leaving while a child has the terminal (a signal ended
     * it). Left running, the child would be orphaned behind the shell,
     * unable to read the terminal, and its raw modes would stay. It ends
     * with us; the terminal gets back the modes the shell had; what the
     * editor holds becomes the draft. */
    if (ui->opener_pid > 0)
        end_child(ui->opener_pid);
    ui->opener_pid = -1;
    if (ui->editor_pid > 0) {
        end_child(ui->editor_pid);
        ui->editor_pid = -1;
        char *text = NULL, *err = NULL;
        size_t len = 0;
        if (paths_read_file(ui->editor_file, 1 << 20, &text, &len, &err) >= 0) {
            while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                text[--len] = '\0';
            if (*text && drafts_save(ui->deps.state_dir, ui->editor_conv, ui->editor_private, text,
                                     &err) == 0)
                unlink(ui->editor_file);
        }
        free(err);
        free(text);
    }
    reset_shell_mode();
}
