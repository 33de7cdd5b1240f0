/* hub — the cable thread: one poll() over every cable socket and a wake-up
 * eventfd; wslay frames each connection; committed changes become events
 * here, rendered once and sent to each subscription that may see them. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cable/cable_priv.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "twd.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

/* Largest command a client may send (ActionCable's are a few hundred bytes). */
#define CABLE_MAX_RECV (64 * 1024)
/* Changes waiting for the hub before it gives up and makes everyone
 * resync (a hub that far behind is stuck, not slow). */
#define CABLE_MAX_PENDING 65536

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wake(struct cable *hub)
{
    uint64_t one = 1;
    ssize_t n = write(hub->wake_fd, &one, sizeof one);
    (void)n; /* a full counter is still a wake-up */
}

/* ---- wslay glue ------------------------------------------------------------ */

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud)
{
    struct cable_client *cl = ud;
    (void)flags;
    if (cl->extra_off < cl->nextra) {
        size_t n = cl->nextra - cl->extra_off;
        if (n > len)
            n = len;
        memcpy(buf, cl->extra + cl->extra_off, n);
        cl->extra_off += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do
        n = recv(cl->fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (n <= 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return n;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *ud)
{
    struct cable_client *cl = ud;
    (void)flags;
    ssize_t n;
    do
        n = send(cl->fd, data, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        wslay_event_set_error(ctx, errno == EAGAIN || errno == EWOULDBLOCK
                                       ? WSLAY_ERR_WOULDBLOCK
                                       : WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return n;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                   void *ud)
{
    struct cable_client *cl = ud;
    (void)ctx;
    if (arg->opcode == WSLAY_TEXT_FRAME)
        cable_channel_command(cl, (const char *)arg->msg, arg->msg_length);
    /* Binary frames mean nothing in ActionCable; pings, pongs and the
     * closing handshake are wslay's. */
}

void cable_send(struct cable_client *cl, const char *text)
{
    if (cl->dead || cl->linger_until)
        return;
    size_t len = strlen(text);
    size_t queued = wslay_event_get_queued_msg_length(cl->ws);
    /* One event larger than the bound still goes to a client that keeps up. */
    if (queued > 0 && queued + len > cl->hub->opts.queue_max) {
        log_warn("cable #%lu: more than %zu bytes waiting for a slow client: dropped", cl->serial,
                 cl->hub->opts.queue_max);
        cl->dead = true;
        return;
    }
    struct wslay_event_msg m = {WSLAY_TEXT_FRAME, (const uint8_t *)text, len};
    if (wslay_event_queue_msg(cl->ws, &m) != 0)
        cl->dead = true;
}

/* ---- clients ------------------------------------------------------------- */

static void client_add(struct cable *hub, const struct cable_newcomer *nc)
{
    static const struct wslay_event_callbacks cbs = {
        .recv_callback = on_recv,
        .send_callback = on_send,
        .on_msg_recv_callback = on_msg,
    };
    struct cable_client *cl = xcalloc(1, sizeof *cl);
    cl->hub = hub;
    cl->fd = nc->fd;
    cl->close_fn = nc->close_fn;
    cl->close_ud = nc->close_ud;
    cl->extra = nc->extra;
    cl->nextra = nc->nextra;
    cl->serial = ++hub->serial;
    if (wslay_event_context_server_init(&cl->ws, &cbs, cl) != 0) {
        cl->close_fn(cl->close_ud);
        free(cl->extra);
        free(cl);
        return;
    }
    wslay_event_config_set_max_recv_msg_length(cl->ws, CABLE_MAX_RECV);
    if (hub->nclients == hub->capclients) {
        hub->capclients = hub->capclients ? hub->capclients * 2 : 16;
        hub->clients = xreallocarray(hub->clients, hub->capclients, sizeof *hub->clients);
    }
    hub->clients[hub->nclients++] = cl;
    log_debug("cable #%lu: connected", cl->serial);
    cable_send(cl, "{\"type\":\"welcome\"}");
    /* Bytes the client sent right behind its request wake no poll(). */
    if (cl->nextra && wslay_event_recv(cl->ws) != 0)
        cl->dead = true;
}

/* Remove client i. Its agents stay online until their presence lapses,
 * as in Chatwoot (a reconnect within the window is not a going). */
static void client_close(struct cable *hub, size_t i)
{
    struct cable_client *cl = hub->clients[i];
    hub->clients[i] = hub->clients[--hub->nclients];
    log_debug("cable #%lu: closed", cl->serial);
    for (int s = 0; s < cl->nsubs; s++) {
        atomic_fetch_sub(&hub->nsubs, 1);
        free(cl->subs[s].identifier);
    }
    wslay_event_context_free(cl->ws);
    cl->close_fn(cl->close_ud);
    free(cl->extra);
    free(cl);
}

/* Read and drop what a lingering client still sends; true once it is done
 * (closed its side, or broke). */
static bool linger_drain(struct cable_client *cl)
{
    char scratch[4096];
    for (;;) {
        ssize_t n = recv(cl->fd, scratch, sizeof scratch, 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    }
}

/* End of a turn for client i: close it, start lingering, or keep it.
 * Returns true if it was removed. */
static bool client_settle(struct cable *hub, size_t i, double now)
{
    struct cable_client *cl = hub->clients[i];
    if (cl->linger_until) {
        if (cl->dead || now >= cl->linger_until) {
            client_close(hub, i);
            return true;
        }
        return false;
    }
    if (!cl->dead && (wslay_event_want_read(cl->ws) || wslay_event_want_write(cl->ws)))
        return false;
    /* wslay queued a closing frame (protocol error, message too big): let
     * it leave, then linger. */
    if (wslay_event_want_write(cl->ws))
        wslay_event_send(cl->ws);
    if (wslay_event_get_close_sent(cl->ws) && !wslay_event_get_close_received(cl->ws) &&
        !wslay_event_want_write(cl->ws) && shutdown(cl->fd, SHUT_WR) == 0) {
        cl->dead = false;
        cl->linger_until = now + 2.0;
        return false;
    }
    client_close(hub, i);
    return true;
}

/* ---- presence ---------------------------------------------------------------- */

void cable_presence_touch(struct cable *hub, const struct req_agent *agent)
{
    double now = now_mono();
    pthread_mutex_lock(&hub->presence_lock);
    size_t i = 0;
    while (i < hub->npresence) {
        struct cable_presence *p = &hub->presence[i];
        if (p->account_id == agent->account_id && p->agent_id == agent->id) {
            p->at = now;
            pthread_mutex_unlock(&hub->presence_lock);
            return;
        }
        /* Lapsed long ago: forget it, so the table stays as small as the
         * agents who come by. */
        if (now - p->at > 10 * hub->opts.presence) {
            *p = hub->presence[--hub->npresence];
            continue;
        }
        i++;
    }
    if (hub->npresence == hub->cappresence) {
        hub->cappresence = hub->cappresence ? hub->cappresence * 2 : 16;
        hub->presence = xreallocarray(hub->presence, hub->cappresence, sizeof *hub->presence);
    }
    hub->presence[hub->npresence++] = (struct cable_presence){agent->account_id, agent->id, now};
    pthread_mutex_unlock(&hub->presence_lock);
}

static bool present(struct cable *hub, int64_t account_id, int64_t agent_id, double now)
{
    bool yes = false;
    pthread_mutex_lock(&hub->presence_lock);
    for (size_t i = 0; i < hub->npresence; i++) {
        const struct cable_presence *p = &hub->presence[i];
        if (p->account_id == account_id && p->agent_id == agent_id) {
            yes = now - p->at <= hub->opts.presence;
            break;
        }
    }
    pthread_mutex_unlock(&hub->presence_lock);
    return yes;
}

bool cable_agent_present(struct cable *hub, int64_t account_id, int64_t agent_id)
{
    return hub && present(hub, account_id, agent_id, now_mono());
}

json_object *cable_presence_users(struct cable *hub, int64_t account_id)
{
    json_object *users = json_object_new_object();
    struct db *db = dbpool_read(hub->twd->pool);
    if (!db)
        return users;
    double now = now_mono();
    sqlite3_stmt *st =
        db_prepare(db, "SELECT id, availability FROM agents WHERE account_id = ? ORDER BY id");
    db_bindv(st, "i", account_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (!present(hub, account_id, id, now))
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        const unsigned char *a = sqlite3_column_text(st, 1);
        json_object_object_add(users, key, json_object_new_string(a ? (const char *)a : "online"));
    }
    db_done(db, st);
    dbpool_read_end(hub->twd->pool, db);
    return users;
}

void cable_send_presence(struct cable *hub, const struct req_agent *agent)
{
    json_object *msg = json_object_new_object();
    json_object *data = json_object_new_object();
    json_object_object_add(data, "account_id", json_object_new_int64(agent->account_id));
    json_object_object_add(data, "users", cable_presence_users(hub, agent->account_id));
    json_object_object_add(data, "contacts", json_object_new_object());
    json_object_object_add(msg, "event", json_object_new_string("presence.update"));
    json_object_object_add(msg, "data", data);
    const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    for (size_t i = 0; i < hub->nclients; i++) {
        struct cable_client *cl = hub->clients[i];
        for (int s = 0; s < cl->nsubs; s++) {
            const struct cable_sub *sub = &cl->subs[s];
            if (sub->agent.id != agent->id || sub->agent.account_id != agent->account_id)
                continue;
            char *frame = cable_channel_frame(sub, text);
            cable_send(cl, frame);
            free(frame);
        }
    }
    json_object_put(msg);
}

/* ---- events ---------------------------------------------------------------- */

static void deliver(struct cable *hub, const struct change *changes, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (atomic_load(&hub->nsubs) == 0)
            return;
        struct cable_event ev;
        struct db *db = dbpool_read(hub->twd->pool);
        if (!db)
            return;
        bool ok = cable_event_render(db, &changes[k], &ev);
        dbpool_read_end(hub->twd->pool, db);
        if (!ok)
            continue;
        for (size_t i = 0; i < hub->nclients; i++) {
            struct cable_client *cl = hub->clients[i];
            for (int s = 0; s < cl->nsubs; s++) {
                if (!cable_event_for(&ev, &cl->subs[s].agent))
                    continue;
                char *frame = cable_channel_frame(&cl->subs[s], ev.message);
                cable_send(cl, frame);
                free(frame);
            }
        }
        cable_event_clear(&ev);
    }
}

static void ping_all(struct cable *hub)
{
    char text[64];
    snprintf(text, sizeof text, "{\"type\":\"ping\",\"message\":%lld}", (long long)time(NULL));
    for (size_t i = 0; i < hub->nclients; i++)
        cable_send(hub->clients[i], text);
}

/* ---- the thread ---------------------------------------------------------- */

/* Take what other threads queued. Returns false when stopping. */
static bool intake(struct cable *hub)
{
    pthread_mutex_lock(&hub->lock);
    bool stopping = hub->stopping;
    struct cable_newcomer *nc = hub->newcomers;
    size_t nnew = hub->nnew;
    struct change *ch = hub->changes;
    size_t nch = hub->nchanges;
    bool overflow = hub->overflow;
    hub->newcomers = NULL;
    hub->nnew = hub->capnew = 0;
    hub->changes = NULL;
    hub->nchanges = hub->capchanges = 0;
    hub->overflow = false;
    pthread_mutex_unlock(&hub->lock);

    for (size_t i = 0; i < nnew; i++) {
        if (stopping) {
            nc[i].close_fn(nc[i].close_ud);
            free(nc[i].extra);
        } else {
            client_add(hub, &nc[i]);
        }
    }
    free(nc);
    if (overflow) {
        log_warn("cable: %d changes waiting; dropping every client so they resync",
                 CABLE_MAX_PENDING);
        for (size_t i = 0; i < hub->nclients; i++)
            hub->clients[i]->dead = true;
    } else if (!stopping) {
        deliver(hub, ch, nch);
    }
    free(ch);
    return !stopping;
}

static void *hub_main(void *arg)
{
    struct cable *hub = arg;
    struct pollfd *pfds = NULL;
    size_t cap = 0;
    double next_ping = now_mono() + hub->opts.ping;
    for (;;) {
        if (cap < hub->nclients + 1) {
            cap = (hub->nclients + 1) * 2;
            pfds = xreallocarray(pfds, cap, sizeof *pfds);
        }
        pfds[0] = (struct pollfd){.fd = hub->wake_fd, .events = POLLIN};
        double next_wake = next_ping;
        size_t n = hub->nclients;
        for (size_t i = 0; i < n; i++) {
            struct cable_client *cl = hub->clients[i];
            short ev = 0;
            if (cl->linger_until || wslay_event_want_read(cl->ws))
                ev |= POLLIN;
            if (!cl->linger_until && wslay_event_want_write(cl->ws))
                ev |= POLLOUT;
            if (cl->linger_until && cl->linger_until < next_wake)
                next_wake = cl->linger_until;
            pfds[i + 1] = (struct pollfd){.fd = cl->fd, .events = ev};
        }
        double wait = next_wake - now_mono();
        int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
        int rc = poll(pfds, n + 1, ms);
        if (rc < 0 && errno != EINTR) {
            log_error("cable: poll: %s", strerror(errno));
            break;
        }
        /* Sockets first: the array may change below. */
        for (size_t i = 0; rc > 0 && i < n; i++) {
            struct cable_client *cl = hub->clients[i];
            short re = pfds[i + 1].revents;
            if (cl->linger_until) {
                if (re && linger_drain(cl))
                    cl->dead = true;
            } else if (re & (POLLIN | POLLHUP | POLLERR)) {
                if (wslay_event_recv(cl->ws) != 0)
                    cl->dead = true;
            }
        }
        if (pfds[0].revents & POLLIN) {
            uint64_t v;
            ssize_t r = read(hub->wake_fd, &v, sizeof v);
            (void)r;
            if (!intake(hub))
                break;
        }
        if (now_mono() >= next_ping) {
            ping_all(hub);
            next_ping = now_mono() + hub->opts.ping;
        }
        for (size_t i = 0; i < hub->nclients; i++) {
            struct cable_client *cl = hub->clients[i];
            if (!cl->dead && !cl->linger_until && wslay_event_want_write(cl->ws) &&
                wslay_event_send(cl->ws) != 0)
                cl->dead = true;
        }
        double now = now_mono();
        for (size_t i = hub->nclients; i-- > 0;)
            client_settle(hub, i, now);
    }
    while (hub->nclients)
        client_close(hub, hub->nclients - 1);
    free(pfds);
    return NULL;
}

/* ---- the API for the rest of twowayd --------------------------------------- */

struct cable *cable_start(struct twd *twd, const struct cable_opts *o, char **err)
{
    struct cable *hub = xcalloc(1, sizeof *hub);
    hub->twd = twd;
    hub->opts = *o;
    /* A ping interval of 0 would spin; a tiny queue would drop everyone. */
    if (!(hub->opts.ping >= 0.05))
        hub->opts.ping = 0.05;
    if (!(hub->opts.presence >= 0.05))
        hub->opts.presence = 0.05;
    if (hub->opts.queue_max < 4096)
        hub->opts.queue_max = 4096;
    hub->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (hub->wake_fd < 0) {
        *err = xasprintf("cable: eventfd: %s", strerror(errno));
        free(hub);
        return NULL;
    }
    pthread_mutex_init(&hub->lock, NULL);
    pthread_mutex_init(&hub->presence_lock, NULL);
    atomic_init(&hub->nsubs, 0);
    if (pthread_create(&hub->thread, NULL, hub_main, hub) != 0) {
        *err = xasprintf("cable: cannot start its thread");
        close(hub->wake_fd);
        pthread_mutex_destroy(&hub->lock);
        pthread_mutex_destroy(&hub->presence_lock);
        free(hub);
        return NULL;
    }
    return hub;
}

void cable_stop(struct cable *hub)
{
    if (!hub)
        return;
    pthread_mutex_lock(&hub->lock);
    bool was = hub->stopping;
    hub->stopping = true;
    pthread_mutex_unlock(&hub->lock);
    if (was)
        return;
    wake(hub);
    pthread_join(hub->thread, NULL);
}

void cable_free(struct cable **phub)
{
    struct cable *hub = *phub;
    if (!hub)
        return;
    cable_stop(hub);
    for (size_t i = 0; i < hub->nnew; i++) {
        hub->newcomers[i].close_fn(hub->newcomers[i].close_ud);
        free(hub->newcomers[i].extra);
    }
    free(hub->newcomers);
    free(hub->changes);
    free(hub->clients);
    free(hub->presence);
    close(hub->wake_fd);
    pthread_mutex_destroy(&hub->lock);
    free(hub);
    *phub = NULL;
}

void cable_adopt(struct cable *hub, int fd, const char *extra, size_t n, void (*close_fn)(void *),
                 void *close_ud)
{
    pthread_mutex_lock(&hub->lock);
    if (hub->stopping) {
        pthread_mutex_unlock(&hub->lock);
        close_fn(close_ud);
        return;
    }
    if (hub->nnew == hub->capnew) {
        hub->capnew = hub->capnew ? hub->capnew * 2 : 8;
        hub->newcomers = xreallocarray(hub->newcomers, hub->capnew, sizeof *hub->newcomers);
    }
    struct cable_newcomer *nc = &hub->newcomers[hub->nnew++];
    nc->fd = fd;
    nc->extra = NULL;
    if (n) {
        nc->extra = xmalloc(n);
        memcpy(nc->extra, extra, n);
    }
    nc->nextra = n;
    nc->close_fn = close_fn;
    nc->close_ud = close_ud;
    pthread_mutex_unlock(&hub->lock);
    wake(hub);
}

void cable_on_commit(void *ud, const struct change *changes, size_t n)
{
    struct cable *hub = ud;
    /* Nobody listening: nothing to render later (typing needs a listener
     * now, and a later subscriber resyncs over REST anyway). */
    if (atomic_load(&hub->nsubs) == 0)
        return;
    pthread_mutex_lock(&hub->lock);
    if (hub->stopping) {
        pthread_mutex_unlock(&hub->lock);
        return;
    }
    if (hub->nchanges + n > CABLE_MAX_PENDING) {
        hub->overflow = true;
    } else {
        if (hub->nchanges + n > hub->capchanges) {
            hub->capchanges = (hub->nchanges + n) * 2;
            hub->changes = xreallocarray(hub->changes, hub->capchanges, sizeof *hub->changes);
        }
        memcpy(hub->changes + hub->nchanges, changes, n * sizeof *changes);
        hub->nchanges += n;
    }
    pthread_mutex_unlock(&hub->lock);
    wake(hub);
}
