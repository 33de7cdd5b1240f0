/* deadline — a watcher thread cuts connections whose request is late. */
#include "http/deadline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "twoway/log.h"
#include "twoway/xmalloc.h"

struct deadline {
    int fd;
    double due; /* CLOCK_MONOTONIC seconds; 0 while paused */
    bool exempt, cut;
    struct deadline *prev, *next;
};

struct deadlines {
    double seconds;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    bool stop;
    struct deadline *head;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Look again this often: a late request is cut at most this much late. */
static double tick(const struct deadlines *ds)
{
    double t = ds->seconds / 8;
    return t < 0.05 ? 0.05 : t > 0.5 ? 0.5 : t;
}

static void *watch(void *arg)
{
    struct deadlines *ds = arg;
    pthread_mutex_lock(&ds->mu);
    while (!ds->stop) {
        double t = now();
        int cut = 0;
        for (struct deadline *d = ds->head; d; d = d->next) {
            if (d->due > 0 && t >= d->due && !d->cut && !d->exempt) {
                /* The socket stays open until the server's own clean-up
                 * (deadlines_remove comes first), so fd is still this
                 * connection's. */
                shutdown(d->fd, SHUT_RDWR);
                d->cut = true;
                cut++;
            }
        }
        if (cut)
            log_info("closed %d connection(s) whose request did not arrive within %g s", cut,
                     ds->seconds);
        double until = now() + tick(ds);
        struct timespec ts = {(time_t)until, (long)((until - (double)(time_t)until) * 1e9)};
        pthread_cond_timedwait(&ds->cv, &ds->mu, &ts);
    }
    pthread_mutex_unlock(&ds->mu);
    return NULL;
}

struct deadlines *deadlines_start(double seconds)
{
    struct deadlines *ds = xcalloc(1, sizeof *ds);
    ds->seconds = seconds;
    pthread_mutex_init(&ds->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ds->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&ds->thread, NULL, watch, ds);
    if (rc != 0) {
        log_error("cannot start the request deadline watcher (error %d): slow clients are not "
                  "cut off",
                  rc);
        pthread_cond_destroy(&ds->cv);
        pthread_mutex_destroy(&ds->mu);
        free(ds);
        return NULL;
    }
    return ds;
}

void deadlines_stop(struct deadlines **pds)
{
    struct deadlines *ds = *pds;
    if (!ds)
        return;
    pthread_mutex_lock(&ds->mu);
    ds->stop = true;
    pthread_cond_signal(&ds->cv);
    pthread_mutex_unlock(&ds->mu);
    pthread_join(ds->thread, NULL);
    while (ds->head) {
        struct deadline *d = ds->head;
        ds->head = d->next;
        free(d);
    }
    pthread_cond_destroy(&ds->cv);
    pthread_mutex_destroy(&ds->mu);
    free(ds);
    *pds = NULL;
}

struct deadline *deadlines_add(struct deadlines *ds, int fd)
{
    if (!ds || fd < 0)
        return NULL;
    struct deadline *d = xcalloc(1, sizeof *d);
    d->fd = fd;
    pthread_mutex_lock(&ds->mu);
    d->due = now() + ds->seconds;
    d->next = ds->head;
    if (ds->head)
        ds->head->prev = d;
    ds->head = d;
    pthread_mutex_unlock(&ds->mu);
    return d;
}

void deadlines_remove(struct deadlines *ds, struct deadline **pd)
{
    struct deadline *d = *pd;
    if (!ds || !d)
        return;
    pthread_mutex_lock(&ds->mu);
    if (d->prev)
        d->prev->next = d->next;
    else
        ds->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    pthread_mutex_unlock(&ds->mu);
    free(d);
    *pd = NULL;
}

static void set_due(struct deadlines *ds, struct deadline *d, bool running, bool exempt)
{
    if (!ds || !d)
        return;
    pthread_mutex_lock(&ds->mu);
    d->exempt = d->exempt || exempt;
    d->due = running && !d->exempt ? now() + ds->seconds : 0;
    pthread_mutex_unlock(&ds->mu);
}

void deadlines_pause(struct deadlines *ds, struct deadline *d)
{
    set_due(ds, d, false, false);
}

void deadlines_restart(struct deadlines *ds, struct deadline *d)
{
    set_due(ds, d, true, false);
}

void deadlines_exempt(struct deadlines *ds, struct deadline *d)
{
    set_due(ds, d, false, true);
}
