/* server — HTTP on libmicrohttpd. */
#include "http/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cable/cable.h"
#include "dconfig.h"
#include "http/compress.h"
#include "http/deadline.h"
#include "http/multipart.h"
#include "http/req.h"
#include "http/router.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

/* A connection thread's stack: json-c, SQLite and our handlers need far
 * less; sanitizers need more. */
#if defined(__SANITIZE_ADDRESS__)
#define THREAD_STACK (8 * 1024 * 1024)
#else
#define THREAD_STACK (1024 * 1024)
#endif

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

struct server {
    struct MHD_Daemon *mhd;
    struct twd *twd;
    size_t max_body;
    size_t max_upload; /* a multipart/form-data body (a message with files) */
    int port;
    char *host;
    /* Requests whose headers have arrived and whose answer is not yet
     * sent (server_drain waits for none). */
    pthread_mutex_t mu;
    pthread_cond_t idle;
    int active;
    atomic_bool draining; /* answers say Connection: close */
    struct deadlines *deadlines;
};

/* Per-request state between MHD's calls. */
struct conn_state {
    bool counted; /* in srv->active until answered (or upgraded) */
    struct buf body;
    size_t limit; /* the most body this request may have */
    bool too_large;
    char *raw_uri; /* path and query exactly as received (Twilio signs it) */
};

/* Per-connection state, from accept to close (MHD always reports both):
 * the raw URI of the request being read, which MHD only shows to the URI
 * callback, before any per-request state exists. */
struct sock_state {
    char *raw_uri;
    struct deadline *deadline; /* for the request being read */
};

static struct sock_state *sock_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The request on conn has arrived (or is answered early): no clock. */
static void arrived(struct server *srv, struct MHD_Connection *conn)
{
    struct sock_state *ss = sock_of(conn);
    if (ss)
        deadlines_pause(srv->deadlines, ss->deadline);
}

static const char *header_lookup(void *cls, const char *name)
{
    return MHD_lookup_connection_value(cls, MHD_HEADER_KIND, name);
}

static MHD_RESULT collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    struct req *r = cls;
    (void)kind;
    if (r->nargs >= REQ_MAX_ARGS) {
        r->args_truncated = true;
        return MHD_NO;
    }
    r->args[r->nargs].key = xstrdup(key);
    r->args[r->nargs].value = xstrdup(value ? value : "");
    r->nargs++;
    return MHD_YES;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* application/x-www-form-urlencoded: '+' is a space, %XX a byte. */
static char *form_decode(const char *s, size_t n)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            buf_addc(&b, ' ');
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            buf_addc(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            buf_addc(&b, s[i]);
        }
    }
    return buf_detach(&b);
}

static void parse_form(struct req *r)
{
    const char *s = r->body, *end = r->body + r->body_len;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(stop - s));
        if (stop > s) {
            if (r->nform >= REQ_MAX_ARGS) {
                r->form_truncated = true;
                break;
            }
            const char *kend = eq ? eq : stop;
            r->form[r->nform].key = form_decode(s, (size_t)(kend - s));
            r->form[r->nform].value =
                eq ? form_decode(eq + 1, (size_t)(stop - eq - 1)) : xstrdup("");
            r->nform++;
        }
        s = stop + 1;
    }
}

/* A file's bytes as they are, with how a browser should take them. */
struct file_reply {
    size_t len;
    const char *disposition; /* NULL: none */
};

static MHD_RESULT send_reply_ex(struct server *srv, struct MHD_Connection *conn, int status,
                                const char *type, const char *body, const struct file_reply *file)
{
    size_t len = file ? file->len : strlen(body), zlen = 0;
    char *gz = NULL;
    if (!file && len >= COMPRESS_MIN_BYTES &&
        compress_accepts_gzip(
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING)))
        gz = compress_gzip(body, len, &zlen);
    struct MHD_Response *resp =
        gz ? MHD_create_response_from_buffer(zlen, gz, MHD_RESPMEM_MUST_FREE)
           : MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp) {
        free(gz);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    /* Whether an answer is compressed depends on the request's header. */
    if (!file && len >= COMPRESS_MIN_BYTES)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (file) {
        /* A customer's or an agent's file: never run as a page of ours. */
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(resp, "Content-Security-Policy", "sandbox");
        if (file->disposition)
            MHD_add_response_header(resp, "Content-Disposition", file->disposition);
    }
    if (gz)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (atomic_load(&srv->draining))
        MHD_add_response_header(resp, "Connection", "close");
    MHD_RESULT ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static MHD_RESULT send_reply(struct server *srv, struct MHD_Connection *conn, int status,
                             const char *type, const char *body)
{
    return send_reply_ex(srv, conn, status, type, body, NULL);
}

/* ---- /cable: the WebSocket upgrade, then the socket is the hub's ---- */

static void close_upgraded(void *urh)
{
    MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
                       size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    struct server *srv = cls;
    (void)conn;
    (void)con_cls;
    int fl = fcntl(sock, F_GETFL);
    if (fl < 0 || fcntl(sock, F_SETFL, fl | O_NONBLOCK) < 0) {
        close_upgraded(urh);
        return;
    }
    cable_adopt(srv->twd->cable, sock, extra_in, extra_in_size, close_upgraded, urh);
}

/* A request that became a WebSocket is answered: server_drain does not
 * wait for it (the hub closes its sockets itself), though MHD reports it
 * complete only once the socket is gone. */
static void upgraded(struct server *srv, struct conn_state *cs)
{
    pthread_mutex_lock(&srv->mu);
    if (cs->counted && --srv->active == 0)
        pthread_cond_broadcast(&srv->idle);
    cs->counted = false;
    pthread_mutex_unlock(&srv->mu);
}

static MHD_RESULT cable_request(struct server *srv, struct MHD_Connection *conn, const char *method,
                                struct conn_state *cs)
{
    if (strcmp(method, "GET") != 0)
        return send_reply(srv, conn, 405, "application/json", "{\"error\":\"Method not allowed\"}");
    char accept[WSKEY_ACCEPT_SIZE];
    bool proto = false;
#define H(name) MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name)
    const char *why =
        cable_handshake(H("Upgrade"), H("Connection"), H("Sec-WebSocket-Version"),
                        H("Sec-WebSocket-Key"), H("Sec-WebSocket-Protocol"), accept, &proto);
#undef H
    if (why) {
        log_debug("GET /cable -> 400 (%s)", why);
        char *m = xasprintf("{\"error\":\"%s\"}", why);
        MHD_RESULT ret = send_reply(srv, conn, 400, "application/json; charset=utf-8", m);
        free(m);
        return ret;
    }
    struct MHD_Response *resp = MHD_create_response_for_upgrade(on_upgrade, srv);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Upgrade", "websocket");
    MHD_add_response_header(resp, "Sec-WebSocket-Accept", accept);
    if (proto)
        MHD_add_response_header(resp, "Sec-WebSocket-Protocol", "actioncable-v1-json");
    MHD_RESULT ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
    MHD_destroy_response(resp);
    struct sock_state *ss = sock_of(conn);
    if (ss)
        deadlines_exempt(srv->deadlines, ss->deadline);
    if (ret == MHD_YES)
        upgraded(srv, cs);
    log_debug("GET /cable -> 101");
    return ret;
}

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls)
{
    struct server *srv = cls;
    struct conn_state *cs = *con_cls;
    (void)version;

    if (!cs) {
        cs = xcalloc(1, sizeof *cs);
        buf_init(&cs->body);
        *con_cls = cs;
        pthread_mutex_lock(&srv->mu);
        srv->active++;
        cs->counted = true;
        pthread_mutex_unlock(&srv->mu);
        struct sock_state *ss = sock_of(conn);
        if (ss && ss->raw_uri) {
            cs->raw_uri = ss->raw_uri;
            ss->raw_uri = NULL;
        }
        /* A NUL hidden in the path would cut it short after decoding and
         * reach another route: no such resource. */
        const char *q = cs->raw_uri ? strchr(cs->raw_uri, '?') : NULL;
        size_t plen = cs->raw_uri ? (q ? (size_t)(q - cs->raw_uri) : strlen(cs->raw_uri)) : 0;
        for (size_t i = 0; i + 2 < plen; i++) {
            if (cs->raw_uri[i] == '%' && cs->raw_uri[i + 1] == '0' && cs->raw_uri[i + 2] == '0') {
                cs->too_large = true; /* answered below; nothing else runs */
                arrived(srv, conn);
                return send_reply(srv, conn, 404, "application/json; charset=utf-8",
                                  "{\"error\":\"Resource could not be found\"}");
            }
        }
        /* A message with its files may be larger than any other body. */
        cs->limit = multipart_is(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"))
                        ? srv->max_upload
                        : srv->max_body;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > cs->limit) {
            cs->too_large = true;
            arrived(srv, conn);
            char *m = xasprintf("{\"error\":\"request body larger than %zu bytes\"}", cs->limit);
            MHD_RESULT ret = send_reply(srv, conn, 413, "application/json; charset=utf-8", m);
            free(m);
            return ret;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cs->too_large)
            return MHD_NO;
        if (cs->body.len + *upload_data_size > cs->limit) {
            /* chunked body beyond the limit: drop the connection */
            log_warn("%s %s: body over %zu bytes, closing", method, url, cs->limit);
            cs->too_large = true;
            return MHD_NO;
        }
        buf_add(&cs->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (cs->too_large)
        return MHD_YES;
    /* Headers and body are in: what is left is ours to do. */
    arrived(srv, conn);
    if (srv->twd->cable && strcmp(url, "/cable") == 0)
        return cable_request(srv, conn, method, cs);

    struct req r = {0};
    r.twd = srv->twd;
    r.method = method;
    r.path = url;
    r.body = cs->body.data;
    r.body_len = cs->body.len;
    r.header = header_lookup;
    r.header_cls = conn;
    r.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &r);

    r.url = cs->raw_uri ? cs->raw_uri : url;

    if (r.content_type && strncasecmp(r.content_type, "application/x-www-form-urlencoded", 33) == 0)
        parse_form(&r);
    const char *bad_form = NULL;
    if (multipart_is(r.content_type) && strcmp(method, "POST") == 0)
        multipart_parse(conn, &r, r.body, r.body_len, &bad_form);

    if (r.args_truncated) {
        req_reply_error(&r, 400, "too many query parameters");
    } else if (bad_form) {
        req_reply_error(&r, 400, bad_form);
    } else {
        router_dispatch(&r);
    }
    struct file_reply file = {r.reply_len, r.reply_disposition};
    MHD_RESULT ret =
        send_reply_ex(srv, conn, r.status, r.reply_type ? r.reply_type : "application/json",
                      r.reply ? r.reply : "", r.reply_binary ? &file : NULL);
    req_clear(&r);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct conn_state *cs = *con_cls;
    (void)toe;
    /* The answer is out: the next request on this connection has its own
     * time to arrive. */
    struct sock_state *ss = sock_of(conn);
    if (ss)
        deadlines_restart(srv->deadlines, ss->deadline);
    if (cs) {
        pthread_mutex_lock(&srv->mu);
        if (cs->counted && --srv->active == 0)
            pthread_cond_broadcast(&srv->idle);
        pthread_mutex_unlock(&srv->mu);
        buf_free(&cs->body);
        free(cs->raw_uri);
        free(cs);
        *con_cls = NULL;
    }
}

/* MHD calls this first for every request, with the URI before unescaping.
 * It is kept on the connection until the request handler takes it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct sock_state *ss = sock_of(conn);
    if (ss) {
        free(ss->raw_uri);
        ss->raw_uri = xstrndup(uri, 8192);
    }
    return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct sock_state *ss = xcalloc(1, sizeof *ss);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        ss->deadline = deadlines_add(srv->deadlines, ci ? ci->connect_fd : -1);
        *socket_context = ss;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        /* MHD closes the socket after this: the watcher lets go first. */
        struct sock_state *ss = *socket_context;
        deadlines_remove(srv->deadlines, &ss->deadline);
        free(ss->raw_uri);
        free(ss);
        *socket_context = NULL;
    }
}

/* The attribute tells clang the format comes from MHD (-Wformat-nonliteral). */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = '\0';
    log_info("microhttpd: %s", line);
}

/* "host:port", "[v6]:port", ":port". */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len, char **host,
                      int *port, char **err)
{
    const char *colon;
    char *h;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') {
            *err = xasprintf("bad listen address %s (expected [ADDR]:PORT)", addr);
            return -1;
        }
        h = xstrndup(addr + 1, (size_t)(close - addr - 1));
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon) {
            *err = xasprintf("bad listen address %s (expected ADDR:PORT)", addr);
            return -1;
        }
        h = colon == addr ? xstrdup("127.0.0.1") : xstrndup(addr, (size_t)(colon - addr));
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535 || end == colon + 1) {
        *err = xasprintf("bad port in listen address %s", addr);
        free(h);
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)p);
        *len = sizeof *in4;
    } else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)p);
        *len = sizeof *in6;
    } else {
        *err = xasprintf("listen address must be a numeric IP address: %s", h);
        free(h);
        return -1;
    }
    *host = h;
    *port = (int)p;
    return 0;
}

/* Each connection is a file descriptor: raise the soft limit as far as the
 * hard one allows (systemd's default soft limit is 1024), and take fewer
 * connections than asked if even that is not enough. */
static unsigned room_for_connections(unsigned want)
{
    const rlim_t spare = 64; /* the database, logs, Twilio, the listening socket */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return want;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + spare) {
        rlim_t need = want + spare;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + spare) {
        unsigned room = rl.rlim_cur > spare ? (unsigned)(rl.rlim_cur - spare) : 1;
        log_warn("max_connections %u is more than the open-file limit allows (%llu): taking %u",
                 want, (unsigned long long)rl.rlim_cur, room);
        return room;
    }
    return want;
}

struct server *server_start(struct twd *twd, const char *addr, size_t max_body, char **err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    char *host = NULL;
    int port;
    if (parse_addr(addr, &ss, &sslen, &host, &port, err) < 0)
        return NULL;
    struct server *s = xcalloc(1, sizeof *s);
    s->twd = twd;
    s->max_body = max_body;
    s->max_upload = (size_t)dconfig_get_int(twd->cfg, "max_upload");
    s->host = host;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->idle, &ca);
    pthread_condattr_destroy(&ca);
    unsigned max_conns = (unsigned)dconfig_get_int(twd->cfg, "max_connections");
    unsigned per_address = (unsigned)dconfig_get_int(twd->cfg, "max_connections_per_address");
    int64_t timeout = dconfig_get_int(twd->cfg, "request_timeout");
    max_conns = room_for_connections(max_conns);
    s->deadlines = deadlines_start((double)timeout);
    /* ITC lets server_drain stop listening while the pool still runs. */
    /* A thread for each connection: the kernel shares the CPU between them,
     * so a short write is not queued behind the list pages other clients
     * asked for, and a connection that only waits (a slow client, a
     * WebSocket) costs a sleeping thread and a small stack. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_UPGRADE;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->mhd = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_STACK_SIZE,
        (size_t)THREAD_STACK,
        /* MHD's own timeout is for idleness: a connection waiting for its
         * next request, or an answer nobody reads. */
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout, MHD_OPTION_CONNECTION_LIMIT, max_conns,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        /* room for many query parameters, which
         * then get a 400 of ours, not a dropped
         * connection */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_END);
    if (!s->mhd) {
        *err = xasprintf("cannot listen on %s (address in use or not available)", addr);
        deadlines_stop(&s->deadlines);
        pthread_cond_destroy(&s->idle);
        pthread_mutex_destroy(&s->mu);
        free(s->host);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

int server_port(const struct server *s)
{
    return s->port;
}

const char *server_host(const struct server *s)
{
    return s->host;
}

void server_drain(struct server *s, int timeout_ms)
{
    if (!s)
        return;
    atomic_store(&s->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(s->mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    if (s->active > 0)
        log_info("answering %d request(s) before stopping", s->active);
    while (s->active > 0)
        if (pthread_cond_timedwait(&s->idle, &s->mu, &until) == ETIMEDOUT)
            break;
    if (s->active > 0)
        log_warn("%d request(s) still unanswered after %d ms; closing them", s->active, timeout_ms);
    pthread_mutex_unlock(&s->mu);
}

void server_stop(struct server **ps)
{
    struct server *s = *ps;
    if (!s)
        return;
    MHD_stop_daemon(s->mhd);
    deadlines_stop(&s->deadlines);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    free(s->host);
    free(s);
    *ps = NULL;
}
