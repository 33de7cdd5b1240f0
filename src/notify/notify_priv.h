/* notify internals shared by the backends: the composed notification, the
 * terminal text cleaner, the desktop helper child and the command child. */
#ifndef TWOWAY_NOTIFY_PRIV_H
#define TWOWAY_NOTIFY_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "twoway/model.h"

/* A desktop helper (show or probe) that has not finished by then is killed
 * and counted as a hung notification server. */
#define NOTIFY_DESKTOP_LIMIT_MS 5000

/* One notification after coalescing: what every backend shows. All strings
 * owned, never NULL. */
struct notify_msg {
    char *title; /* contact, or "twoway" for a burst */
    char *body;  /* preview, "New reply", or "3 new replies from …" */
    /* The newest message of the burst, for the command's environment. */
    int64_t conv;
    char *contact;
    char *phone;
    char *preview;               /* "" when notify_preview is off */
    int count;                   /* messages coalesced */
    enum conv_priority priority; /* the highest in the burst */
};

void notify_msg_clear(struct notify_msg *m);

struct notify;
/* Helpers and commands started and not yet reaped: once it is 0 after
 * notify_reap(), nothing more can be said about them (for tests). */
int notify_children(const struct notify *n);

/* Put a fresh child in a clean state: default signal dispositions, empty
 * mask, stdin/stdout/stderr on /dev/null, every other descriptor closed
 * except keep_fd (-1: none), which ends up as descriptor 3. */
void notify_child_setup(int keep_fd);

/* ---- terminal (notify_term.c) ---- */

/* s without control characters (C0, DEL, C1, invalid UTF-8) and ';', with
 * newlines and tabs as spaces, cut to max_bytes at a character boundary.
 * Owned. */
char *notify_term_clean(const char *s, size_t max_bytes);

/* ---- desktop (notify_desktop.c) ---- */

enum notify_desktop_result {
    NOTIFY_DESKTOP_OK,
    NOTIFY_DESKTOP_NO_BUS,
    NOTIFY_DESKTOP_NO_SERVER,
    NOTIFY_DESKTOP_TIMEOUT,
    NOTIFY_DESKTOP_FAILED,
};

/* A session bus address is known: $DBUS_SESSION_BUS_ADDRESS, or the
 * socket $XDG_RUNTIME_DIR/bus. */
bool notify_desktop_bus_reachable(void);
/* Start a helper child: show m (m != NULL) or only ask the server who it is
 * (m == NULL, a probe). *errfd gets the read end of the pipe the child
 * reports a failure on (non-blocking). -1 if fork failed. */
pid_t notify_desktop_spawn(const struct notify_msg *m, int *errfd);
/* Read what a finished helper said; *detail (owned) is the D-Bus error
 * text for the log, or NULL. */
enum notify_desktop_result notify_desktop_result(int wstatus, int errfd, char **detail);
/* "no session bus"…, for the status line. */
const char *notify_desktop_reason(enum notify_desktop_result r);

/* ---- the core (notify.c) ---- */

struct notify;
/* The notify_on bits notify_configure() read. */
unsigned notify_on_of(const struct notify *n);

/* ---- command (notify_cmd.c) ---- */

/* Split a command line into words the way config lines are split (see
 * notify.c for the rules). NULL-terminated, owned; NULL with *err. */
char **notify_cmd_split(const char *line, int *argc, char **err);
void notify_cmd_argv_free(char **argv);
/* Run argv without a shell, the notification in TWOWAY_* variables.
 * Returns the pid or -1 (*err owned). */
pid_t notify_cmd_spawn(char *const *argv, const struct notify_msg *m, char **err);

#endif
