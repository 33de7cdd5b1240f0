/* notify — telling the agent about new replies: on the desktop (libnotify),
 * through the terminal itself (OSC 777 and OSC 9, wrapped for tmux and GNU
 * screen, so it survives SSH), with the bell, or by running a command.
 *
 * What deserves a notification is the notify_on setting's (notify_policy.c:
 * mine, unassigned, mentions); whether the agent is looking at the
 * conversation, and the start-up backlog, are the caller's to know. Nothing
 * here ever blocks the loop:
 * desktop notifications are shown by a short-lived child process with a
 * time limit, commands run as children, and children are reaped by
 * notify_reap(). Bursts within the coalescing window become one
 * notification ("3 new replies from 2 customers"). */
#ifndef TWOWAY_NOTIFY_H
#define TWOWAY_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

enum notify_backend {
    NOTIFY_DESKTOP = 1 << 0,
    NOTIFY_TERMINAL = 1 << 1,
    NOTIFY_BELL = 1 << 2,
    NOTIFY_COMMAND = 1 << 3,
};

struct notify_event {
    int64_t conv;
    const char *contact; /* name or phone as shown (sanitized) */
    const char *phone;   /* "" if none */
    const char *preview; /* message text (sanitized); ignored when !preview */
    enum conv_priority priority;
};

struct notify_hooks {
    /* Write bytes to the terminal (escape sequences, the bell). */
    void (*write)(void *ud, const char *bytes, size_t n);
    /* One-shot timer (monotonic ms) and its cancel. */
    uint64_t (*timer)(void *ud, int64_t when, void (*cb)(void *cbud), void *cbud);
    void (*cancel)(void *ud, uint64_t id);
    /* Say something once in the status line (e.g. why desktop
     * notifications stopped). */
    void (*status)(void *ud, const char *text);
    void *ud;
};

struct notify_opts {
    const char *backends; /* the notify option: "auto", "desktop,bell", "none"… */
    const char *command;  /* notify_command (a command line, no shell) */
    bool preview;         /* notify_preview */
    int coalesce_ms;      /* burst window (0 = none) */
    const char *on;       /* notify_on: "mine,unassigned,mentions"… */
};

struct notify;

struct notify *notify_new(const struct notify_opts *o, const struct notify_hooks *h);
void notify_free(struct notify **n);
/* Options changed (set notify = …). */
void notify_configure(struct notify *n, const struct notify_opts *o);

/* The backends "auto" picks here: desktop when a session bus is reachable
 * and the session is not over SSH; terminal + bell otherwise. */
unsigned notify_auto_backends(void);
/* Backends in words: "terminal, bell" ("none" for no bits). Owned. */
char *notify_describe(unsigned bits);
/* Parse a notify value into backends; -1 with *err on a bad value. */
int notify_parse_backends(const char *value, unsigned *out, char **err);

/* A new reply worth telling (after the policy). */
void notify_post(struct notify *n, const struct notify_event *e);

/* ---- the policy (notify_policy.c) ---- */

enum notify_on {
    NOTIFY_ON_MINE = 1 << 0,
    NOTIFY_ON_UNASSIGNED = 1 << 1,
    NOTIFY_ON_MENTIONS = 1 << 2,
    NOTIFY_ON_ALL = 1 << 3,
};
/* A notify_on value ("mine,unassigned,mentions") as bits; the options
 * table checked the words. */
unsigned notify_on_parse(const char *value);
/* Does message m of conversation c concern agent me (0: unknown yet)? */
bool notify_concerns(unsigned on, int64_t me, const struct conversation *c,
                     const struct message *m);
/* The same with the notify_on this notify was configured with. */
bool notify_concerns_me(const struct notify *n, int64_t me, const struct conversation *c,
                        const struct message *m);
/* Tell of message m of conversation c (after the policy above). */
void notify_message(struct notify *n, const struct conversation *c, const struct message *m);
/* Reap finished children (call on SIGCHLD). */
void notify_reap(struct notify *n);

/* The terminal escape sequences for a notification, wrapped for tmux
 * ($TMUX) or screen ($STY) as the environment says: title and body have
 * every control character and ';' removed. Owned. Exposed for tests. */
char *notify_osc(const char *title, const char *body, bool tmux, bool screen);

#endif
