/* loop — the client's single event loop. */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twoway/http.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define MAX_HTTP_FDS 64

struct watch {
    int fd;
    short events;
    loop_fd_cb cb;
    void *ud;
};

struct timer {
    uint64_t id;
    int64_t when;
    loop_timer_cb cb;
    void *ud;
};

struct loop {
    struct http *http;
    struct watch *watches;
    size_t nwatches;
    struct timer *timers;
    size_t ntimers, ctimers;
    uint64_t next_id;
    loop_signal_cb sig_cb;
    void *sig_ud;
};

/* The self-pipe: handlers only write the signal number. */
static int sig_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (sig_pipe[1] >= 0)
        (void)!write(sig_pipe[1], &b, 1);
    errno = saved;
}

struct loop *loop_new(struct http *http)
{
    struct loop *l = xcalloc(1, sizeof *l);
    l->http = http;
    l->next_id = 1;
    return l;
}

void loop_free(struct loop **pl)
{
    struct loop *l = *pl;
    if (!l)
        return;
    if (sig_pipe[0] >= 0) {
        close(sig_pipe[0]);
        close(sig_pipe[1]);
        sig_pipe[0] = sig_pipe[1] = -1;
    }
    free(l->watches);
    free(l->timers);
    free(l);
    *pl = NULL;
}

void loop_watch(struct loop *l, int fd, short events, loop_fd_cb cb, void *ud)
{
    for (size_t i = 0; i < l->nwatches; i++) {
        if (l->watches[i].fd == fd) {
            l->watches[i] = (struct watch){fd, events, cb, ud};
            return;
        }
    }
    l->watches = xreallocarray(l->watches, l->nwatches + 1, sizeof *l->watches);
    l->watches[l->nwatches++] = (struct watch){fd, events, cb, ud};
}

void loop_unwatch(struct loop *l, int fd)
{
    for (size_t i = 0; i < l->nwatches; i++) {
        if (l->watches[i].fd == fd) {
            l->watches[i] = l->watches[--l->nwatches];
            return;
        }
    }
}

uint64_t loop_timer(struct loop *l, int64_t when, loop_timer_cb cb, void *ud)
{
    if (l->ntimers == l->ctimers) {
        l->ctimers = l->ctimers ? l->ctimers * 2 : 8;
        l->timers = xreallocarray(l->timers, l->ctimers, sizeof *l->timers);
    }
    uint64_t id = l->next_id++;
    l->timers[l->ntimers++] = (struct timer){id, when, cb, ud};
    return id;
}

void loop_cancel(struct loop *l, uint64_t id)
{
    for (size_t i = 0; i < l->ntimers; i++) {
        if (l->timers[i].id == id) {
            l->timers[i] = l->timers[--l->ntimers];
            return;
        }
    }
}

int loop_signal_add(struct loop *l, int signo)
{
    (void)l;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(signo, &sa, NULL);
}

int loop_signals(struct loop *l, loop_signal_cb cb, void *ud)
{
    l->sig_cb = cb;
    l->sig_ud = ud;
    if (sig_pipe[0] < 0) {
        if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
            return -1;
    }
    int sigs[] = {SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGCHLD, SIGCONT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        loop_signal_add(l, sigs[i]);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static int64_t earliest(struct loop *l)
{
    int64_t t = -1;
    for (size_t i = 0; i < l->ntimers; i++)
        if (t < 0 || l->timers[i].when < t)
            t = l->timers[i].when;
    return t;
}

static void run_timers(struct loop *l)
{
    int64_t now = timeutil_mono_ms();
    /* A callback may add or cancel timers: take one due timer at a time. */
    for (;;) {
        size_t due = l->ntimers;
        for (size_t i = 0; i < l->ntimers; i++)
            if (l->timers[i].when <= now &&
                (due == l->ntimers || l->timers[i].when < l->timers[due].when))
                due = i;
        if (due == l->ntimers)
            break;
        struct timer t = l->timers[due];
        l->timers[due] = l->timers[--l->ntimers];
        t.cb(t.ud);
    }
}

static void drain_signals(struct loop *l)
{
    unsigned char buf[64];
    ssize_t n;
    while ((n = read(sig_pipe[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            if (l->sig_cb)
                l->sig_cb(l->sig_ud, buf[i]);
}

void loop_once(struct loop *l, int max_ms)
{
    struct pollfd fds[MAX_HTTP_FDS + 64];
    int n = 0;
    int nwatch = (int)(l->nwatches < 62 ? l->nwatches : 62);
    for (int i = 0; i < nwatch; i++)
        fds[n++] = (struct pollfd){.fd = l->watches[i].fd, .events = l->watches[i].events};
    int sig_index = -1;
    if (sig_pipe[0] >= 0) {
        sig_index = n;
        fds[n++] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};
    }
    int http_first = n;
    if (l->http)
        n += http_pollfds(l->http, fds + n, MAX_HTTP_FDS);

    int64_t now = timeutil_mono_ms();
    int64_t wait = max_ms;
    int64_t t = earliest(l);
    if (t >= 0) {
        int64_t d = t > now ? t - now : 0;
        if (wait < 0 || d < wait)
            wait = d;
    }
    if (l->http) {
        long h = http_timeout_ms(l->http);
        if (h >= 0 && (wait < 0 || h < wait))
            wait = h;
    }
    if (wait > 60000)
        wait = 60000;
    int rc = poll(fds, (nfds_t)n, (int)wait);
    if (rc < 0 && errno != EINTR)
        return;

    if (sig_index >= 0 && rc > 0 && (fds[sig_index].revents & POLLIN))
        drain_signals(l);
    if (l->http)
        http_perform(l->http, fds + http_first, n - http_first);
    /* Watches may be removed by callbacks: look each one up again. */
    for (int i = 0; i < nwatch && rc > 0; i++) {
        if (!fds[i].revents)
            continue;
        for (size_t j = 0; j < l->nwatches; j++) {
            if (l->watches[j].fd == fds[i].fd) {
                struct watch w = l->watches[j];
                w.cb(w.ud, w.fd, fds[i].revents);
                break;
            }
        }
    }
    run_timers(l);
}
