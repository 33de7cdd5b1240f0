/* loop — the client's single event loop: poll() over the terminal, the
 * HTTP transfers, a self-pipe for signals, and timers on CLOCK_MONOTONIC.
 * An idle twoway sleeps until its next timer. */
#ifndef TWOWAY_LOOP_H
#define TWOWAY_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct http;
struct loop;

typedef void (*loop_fd_cb)(void *ud, int fd, short revents);
typedef void (*loop_timer_cb)(void *ud);
typedef void (*loop_signal_cb)(void *ud, int signo);

struct loop *loop_new(struct http *http);
void loop_free(struct loop **l);

/* Watch fd for events (POLLIN…). One callback per fd. */
void loop_watch(struct loop *l, int fd, short events, loop_fd_cb cb, void *ud);
void loop_unwatch(struct loop *l, int fd);

/* A one-shot timer at monotonic ms `when`. Returns an id (never 0). */
uint64_t loop_timer(struct loop *l, int64_t when, loop_timer_cb cb, void *ud);
void loop_cancel(struct loop *l, uint64_t id);

/* Signals delivered through the self-pipe, on the loop, never in a
 * handler: SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGCHLD, SIGCONT. */
int loop_signals(struct loop *l, loop_signal_cb cb, void *ud);
/* One more signal through the self-pipe (after loop_signals): SIGTSTP
 * while the screen is up, so that twoway gives the terminal back before it
 * stops. 0 or -1. */
int loop_signal_add(struct loop *l, int signo);

/* One turn: wait (at most max_ms, -1 = until something happens), then run
 * what is ready: fd callbacks, HTTP completions, due timers, signals. */
void loop_once(struct loop *l, int max_ms);

#endif
