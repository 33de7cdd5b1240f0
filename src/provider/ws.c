/* ws — a WebSocket client over a libcurl CONNECT_ONLY connection. */
#include "twoway/ws.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wslay/wslay.h>

#include "twoway/buf.h"
#include "twoway/http.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/wskey.h"
#include "twoway/xmalloc.h"

#ifndef TWOWAY_VERSION
#define TWOWAY_VERSION "dev"
#endif

#define WS_OUT_MAX (64 * 1024)       /* the fixed outbound buffer */
#define WS_HEAD_MAX (16 * 1024)      /* the server's answer to the upgrade */
#define WS_MSG_MAX (8 * 1024 * 1024) /* one message from the server */
#define WS_CONNECT_MS 10000L
#define WS_HANDSHAKE_MS 10000

enum ws_state { WS_IDLE, WS_CONNECTING, WS_HANDSHAKE, WS_OPEN };

struct ws_sock {
    curl_socket_t fd;
    int what;
};

struct ws {
    char *ca_file;
    struct ws_callbacks cb;
    enum ws_state st;
    CURLM *multi;
    CURL *easy;
    struct ws_sock socks[4]; /* what curl watches while connecting */
    int nsocks;
    int64_t timer_at; /* curl's timer while connecting; -1 none */
    int64_t deadline; /* the handshake's; 0 none */
    curl_socket_t fd; /* curl's, once connected */
    char key[WSKEY_KEY_SIZE];
    char *request;   /* the upgrade request until it is queued */
    char *protocol;  /* what the server chose */
    struct buf head; /* the answer to the upgrade, then leftover bytes */
    size_t head_off;
    unsigned char out[WS_OUT_MAX];
    size_t out_len, out_off;
    wslay_event_context_ptr ctx;
    char *fail;      /* why, noticed inside a pump; reported after it */
    char *closing;   /* the closing handshake: why, once our close frame is out */
    struct ws_io io; /* bytes through these, not curl (tests) */
    bool has_io;
    char errbuf[CURL_ERROR_SIZE]; /* libcurl's detail while connecting */
};

/* The connection's bytes: curl's, or the test's io. */
static CURLcode io_send(struct ws *w, const void *buf, size_t len, size_t *n)
{
    if (!w->has_io)
        return curl_easy_send(w->easy, buf, len, n);
    int rc = w->io.send(w->io.ud, buf, len, n);
    return rc == 0 ? CURLE_OK : rc > 0 ? CURLE_AGAIN : CURLE_SEND_ERROR;
}

static CURLcode io_recv(struct ws *w, void *buf, size_t len, size_t *n)
{
    if (!w->has_io)
        return curl_easy_recv(w->easy, buf, len, n);
    int rc = w->io.recv(w->io.ud, buf, len, n);
    return rc == 0 ? CURLE_OK : rc > 0 ? CURLE_AGAIN : CURLE_RECV_ERROR;
}

/* ---- curl while connecting ---- */

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct ws *w = userp;
    (void)easy;
    (void)socketp;
    int i = 0;
    while (i < w->nsocks && w->socks[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < w->nsocks)
            w->socks[i] = w->socks[--w->nsocks];
        return 0;
    }
    if (i == w->nsocks) {
        if (w->nsocks == (int)(sizeof w->socks / sizeof w->socks[0]))
            return -1;
        w->nsocks++;
    }
    w->socks[i] = (struct ws_sock){fd, what};
    return 0;
}

static int on_timer(CURLM *multi, long ms, void *userp)
{
    struct ws *w = userp;
    (void)multi;
    w->timer_at = ms < 0 ? -1 : timeutil_mono_ms() + ms;
    return 0;
}

/* ---- state ---- */

static void fail(struct ws *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct ws *w, const char *fmt, ...)
{
    if (w->fail)
        return; /* the first reason is the one that counts */
    va_list ap;
    va_start(ap, fmt);
    struct buf b;
    buf_init(&b);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    w->fail = buf_detach(&b);
}

static void teardown(struct ws *w)
{
    if (w->ctx)
        wslay_event_context_free(w->ctx);
    w->ctx = NULL;
    if (w->easy) {
        curl_multi_remove_handle(w->multi, w->easy);
        curl_easy_cleanup(w->easy);
    }
    w->easy = NULL;
    w->nsocks = 0;
    w->timer_at = -1;
    w->deadline = 0;
    w->fd = CURL_SOCKET_BAD;
    free(w->request);
    w->request = NULL;
    free(w->protocol);
    w->protocol = NULL;
    buf_reset(&w->head);
    w->head_off = 0;
    w->out_len = w->out_off = 0;
    w->st = WS_IDLE;
}

/* ---- bytes ---- */

/* Append to the fixed outbound buffer (whole or nothing). */
static bool out_add(struct ws *w, const void *data, size_t len)
{
    if (w->out_off == w->out_len)
        w->out_off = w->out_len = 0; /* nothing pending: start over at the front */
    if (len > WS_OUT_MAX - w->out_len)
        return false;
    memcpy(w->out + w->out_len, data, len);
    w->out_len += len;
    return true;
}

/* Send what is pending; stops at CURLE_AGAIN. */
static void flush(struct ws *w)
{
    while (!w->fail && w->out_off < w->out_len) {
        size_t sent = 0;
        CURLcode rc = io_send(w, w->out + w->out_off, w->out_len - w->out_off, &sent);
        if (rc == CURLE_AGAIN)
            return;
        if (rc != CURLE_OK) {
            fail(w, "connection lost while sending: %s", curl_easy_strerror(rc));
            return;
        }
        w->out_off += sent;
    }
}

static ssize_t on_wslay_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                             void *ud)
{
    struct ws *w = ud;
    (void)flags;
    if (w->head_off < w->head.len) { /* bytes that came with the 101 */
        size_t n = w->head.len - w->head_off;
        if (n > len)
            n = len;
        memcpy(buf, w->head.data + w->head_off, n);
        w->head_off += n;
        return (ssize_t)n;
    }
    size_t got = 0;
    CURLcode rc = io_recv(w, buf, len, &got);
    if (rc == CURLE_AGAIN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (rc != CURLE_OK || got == 0) {
        if (rc != CURLE_OK)
            fail(w, "connection lost: %s", curl_easy_strerror(rc));
        else
            fail(w, "the server closed the connection");
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return (ssize_t)got;
}

/* wslay masks into a stack buffer: copy into ours and report it sent; the
 * flush sends from our buffer, which never moves while a send waits. */
static ssize_t on_wslay_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
                             int flags, void *ud)
{
    struct ws *w = ud;
    (void)flags;
    if (!out_add(w, data, len)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    return (ssize_t)len;
}

static int on_wslay_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *ud)
{
    (void)ctx;
    (void)ud;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* End after our closing frame has gone out (the first reason stands). */
static void closing(struct ws *w, char *why)
{
    if (w->closing)
        free(why);
    else
        w->closing = why;
}

static void on_wslay_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                         void *ud)
{
    struct ws *w = ud;
    if (w->fail || w->closing)
        return;
    if (arg->opcode == WSLAY_TEXT_FRAME) {
        /* RFC 6455 8.1: text that is not UTF-8 fails the connection (1007). */
        if (!text_valid_utf8((const char *)arg->msg, arg->msg_length)) {
            wslay_event_queue_close(ctx, WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA, NULL, 0);
            closing(w, xstrdup("the server sent text that is not UTF-8"));
        } else if (w->cb.text) {
            w->cb.text(w->cb.ud, (const char *)arg->msg, arg->msg_length);
        }
    } else if (arg->opcode == WSLAY_CONNECTION_CLOSE) {
        /* wslay answers with its own close frame: it leaves before we go. */
        closing(w, xasprintf("the server closed the connection (%u)", (unsigned)arg->status_code));
    }
}

/* ---- the upgrade ---- */

/* A header's value in the answer (case-insensitive name), or NULL. */
static char *header_value(const char *head, const char *name)
{
    size_t nl = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            v += strspn(v, " \t");
            size_t n = strcspn(v, "\r\n");
            while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            return xstrndup(v, n);
        }
    }
    return NULL;
}

static void check_answer(struct ws *w, size_t head_len)
{
    char *head = xstrndup(w->head.data, head_len);
    char accept[WSKEY_ACCEPT_SIZE];
    wskey_accept(w->key, accept);
    int status = 0;
    if (strncmp(head, "HTTP/1.1 ", 9) == 0 || strncmp(head, "HTTP/1.0 ", 9) == 0)
        status = atoi(head + 9);
    char *upgrade = header_value(head, "Upgrade");
    char *acc = header_value(head, "Sec-WebSocket-Accept");
    w->protocol = header_value(head, "Sec-WebSocket-Protocol");
    if (status != 101)
        fail(w, "the server refused the upgrade (HTTP %d)", status);
    else if (!upgrade || strcasecmp(upgrade, "websocket") != 0)
        fail(w, "the server did not switch to WebSocket");
    else if (!acc || strcmp(acc, accept) != 0)
        fail(w, "the server's Sec-WebSocket-Accept is wrong");
    free(upgrade);
    free(acc);
    free(head);
    if (w->fail)
        return;
    static const struct wslay_event_callbacks cbs = {
        .recv_callback = on_wslay_recv,
        .send_callback = on_wslay_send,
        .genmask_callback = on_wslay_genmask,
        .on_msg_recv_callback = on_wslay_msg,
    };
    if (wslay_event_context_client_init(&w->ctx, &cbs, w) != 0) {
        fail(w, "out of memory");
        return;
    }
    wslay_event_config_set_max_recv_msg_length(w->ctx, WS_MSG_MAX);
    w->head_off = head_len; /* what follows belongs to wslay */
    w->st = WS_OPEN;
    w->deadline = 0;
    if (w->cb.open)
        w->cb.open(w->cb.ud, w->protocol ? w->protocol : "");
}

/* Read the answer to the upgrade; everything after its blank line stays
 * in w->head for wslay. */
static void read_answer(struct ws *w)
{
    while (!w->fail && w->st == WS_HANDSHAKE) {
        char chunk[4096];
        size_t got = 0;
        CURLcode rc = io_recv(w, chunk, sizeof chunk, &got);
        if (rc == CURLE_AGAIN)
            return;
        if (rc != CURLE_OK || got == 0) {
            fail(w, "no answer to the WebSocket upgrade%s%s", rc ? ": " : "",
                 rc ? curl_easy_strerror(rc) : "");
            return;
        }
        buf_add(&w->head, chunk, got);
        char *end = strstr(w->head.data, "\r\n\r\n");
        if (end) {
            check_answer(w, (size_t)(end - w->head.data) + 4);
        } else if (w->head.len > WS_HEAD_MAX) {
            fail(w, "the answer to the WebSocket upgrade is too long");
        }
    }
}

static void connected(struct ws *w)
{
    curl_socket_t fd = CURL_SOCKET_BAD;
    if (!w->has_io && (curl_easy_getinfo(w->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
                       fd == CURL_SOCKET_BAD)) {
        fail(w, "no connection to the server");
        return;
    }
    w->fd = fd;
    w->st = WS_HANDSHAKE;
    w->deadline = timeutil_mono_ms() + WS_HANDSHAKE_MS;
    if (!out_add(w, w->request, strlen(w->request)))
        fail(w, "the upgrade request is too long");
    free(w->request);
    w->request = NULL;
}

/* ---- public ---- */

struct ws *ws_new(struct http *h, const struct ws_callbacks *cb)
{
    struct ws *w = xcalloc(1, sizeof *w);
    const char *ca = http_ca_file(h);
    w->ca_file = ca ? xstrdup(ca) : NULL;
    w->cb = *cb;
    w->fd = CURL_SOCKET_BAD;
    w->timer_at = -1;
    buf_init(&w->head);
    w->multi = curl_multi_init();
    if (!w->multi)
        abort(); /* out of memory */
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    return w;
}

void ws_free(struct ws **pw)
{
    struct ws *w = *pw;
    if (!w)
        return;
    teardown(w);
    curl_multi_cleanup(w->multi);
    buf_free(&w->head);
    free(w->fail);
    free(w->closing);
    free(w->ca_file);
    free(w);
    *pw = NULL;
}

void ws_set_io(struct ws *w, const struct ws_io *io)
{
    w->has_io = io != NULL;
    if (io)
        w->io = *io;
}

void ws_close(struct ws *w)
{
    teardown(w);
    free(w->fail);
    w->fail = NULL;
    free(w->closing);
    w->closing = NULL;
}

bool ws_is_open(const struct ws *w)
{
    return w->st == WS_OPEN;
}

/* The request line's target and the Host header from the URL. */
static int split_url(const char *url, char **connect_url, char **host, char **path)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *port = NULL, *p = NULL, *q = NULL;
    int rc = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
        goto out;
    curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given */
    curl_url_get(u, CURLUPART_QUERY, &q, 0);
    bool tls = strcmp(scheme, "https") == 0 || strcmp(scheme, "wss") == 0;
    if (!tls && strcmp(scheme, "http") != 0 && strcmp(scheme, "ws") != 0)
        goto out;
    *host = port ? xasprintf("%s:%s", h, port) : xstrdup(h);
    *path = q ? xasprintf("%s?%s", p, q) : xstrdup(p);
    *connect_url = xasprintf("%s://%s/", tls ? "https" : "http", *host);
    rc = 0;
out:
    curl_free(scheme);
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return rc;
}

void ws_connect(struct ws *w, const char *url, const char *protocols)
{
    ws_close(w);
    char *curl_url_s = NULL, *host = NULL, *path = NULL;
    if (split_url(url, &curl_url_s, &host, &path) < 0) {
        fail(w, "not a WebSocket URL: %s", url);
        w->st = WS_CONNECTING; /* reported from the next perform */
        w->timer_at = timeutil_mono_ms();
        return;
    }
    wskey_new(w->key);
    struct buf b;
    buf_init(&b);
    buf_addf(&b,
             "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
             "User-Agent: twoway/" TWOWAY_VERSION "\r\n",
             path, host, w->key);
    if (protocols)
        buf_addf(&b, "Sec-WebSocket-Protocol: %s\r\n", protocols);
    buf_adds(&b, "\r\n");
    w->request = buf_detach(&b);
    if (w->has_io) { /* the test's connection is there at once */
        log_debug("cable: connecting to %s%s (test io)", host, path);
        connected(w);
        free(curl_url_s);
        free(host);
        free(path);
        return;
    }

    CURL *e = curl_easy_init();
    if (!e)
        abort(); /* out of memory */
    curl_easy_setopt(e, CURLOPT_URL, curl_url_s);
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_HTTPPROXYTUNNEL, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    w->errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, w->errbuf);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, WS_CONNECT_MS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (w->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, w->ca_file);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "twoway/" TWOWAY_VERSION);
    w->easy = e;
    w->st = WS_CONNECTING;
    if (curl_multi_add_handle(w->multi, e) != CURLM_OK)
        fail(w, "could not start connecting");
    log_debug("cable: connecting to %s%s", host, path);
    free(curl_url_s);
    free(host);
    free(path);
}

int ws_send(struct ws *w, const char *text)
{
    if (w->st != WS_OPEN || w->fail)
        return -1;
    struct wslay_event_msg m = {WSLAY_TEXT_FRAME, (const uint8_t *)text, strlen(text)};
    if (wslay_event_queue_msg(w->ctx, &m) != 0)
        return -1;
    /* Frame it into our buffer now; ws_perform sends it. */
    if (wslay_event_send(w->ctx) != 0 && !w->fail)
        fail(w, "could not send");
    return w->fail ? -1 : 0;
}

int ws_pollfds(struct ws *w, struct pollfd *fds, int max)
{
    int n = 0;
    if (w->st == WS_CONNECTING) {
        for (int i = 0; i < w->nsocks && n < max; i++) {
            short ev = 0;
            if (w->socks[i].what & CURL_POLL_IN)
                ev |= POLLIN;
            if (w->socks[i].what & CURL_POLL_OUT)
                ev |= POLLOUT;
            if (ev)
                fds[n++] = (struct pollfd){.fd = w->socks[i].fd, .events = ev};
        }
    } else if ((w->st == WS_HANDSHAKE || w->st == WS_OPEN) && max > 0 && !w->has_io) {
        short ev = POLLIN;
        if (w->out_off < w->out_len || (w->ctx && wslay_event_want_write(w->ctx)))
            ev |= POLLOUT;
        fds[n++] = (struct pollfd){.fd = w->fd, .events = ev};
    }
    return n;
}

long ws_timeout_ms(struct ws *w)
{
    if (w->fail && w->st != WS_IDLE)
        return 0;
    int64_t at = -1;
    if (w->st == WS_CONNECTING)
        at = w->timer_at;
    if (w->deadline && (at < 0 || w->deadline < at))
        at = w->deadline;
    if (at < 0)
        return -1;
    int64_t left = at - timeutil_mono_ms();
    return left < 0 ? 0 : (long)left;
}

static bool is_ours(void *ud, int fd)
{
    struct ws *w = ud;
    for (int k = 0; k < w->nsocks; k++)
        if (w->socks[k].fd == fd)
            return true;
    return false;
}

static void pump_connecting(struct ws *w, const struct pollfd *fds, int n)
{
    http_multi_pump(w->multi, fds, n, is_ours, w, &w->timer_at);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left))) {
        if (m->msg != CURLMSG_DONE || m->easy_handle != w->easy)
            continue;
        if (m->data.result != CURLE_OK) {
            char *why = http_error_text(w->easy, m->data.result, w->errbuf);
            fail(w, "cannot connect: %s", why);
            free(why);
        } else {
            connected(w);
        }
    }
}

void ws_perform(struct ws *w, const struct pollfd *fds, int n)
{
    if (w->st == WS_IDLE)
        return;
    if (w->st == WS_CONNECTING && !w->fail)
        pump_connecting(w, fds, n);
    bool ready = w->has_io;
    for (int i = 0; fds && i < n; i++)
        ready = ready || (fds[i].fd == w->fd && fds[i].revents);
    if (!w->fail && (w->st == WS_HANDSHAKE || w->st == WS_OPEN)) {
        flush(w);
        /* Read on every wake-up (TLS may hold bytes no poll() shows) and
         * at once after the upgrade (frames may have come with the 101). */
        if (w->st == WS_HANDSHAKE && (ready || w->out_off == w->out_len))
            read_answer(w);
        if (w->st == WS_OPEN && !w->fail) {
            if (wslay_event_recv(w->ctx) != 0 && !w->fail && !w->closing)
                closing(w, xstrdup("the server broke the WebSocket protocol"));
            if (!w->fail && wslay_event_want_write(w->ctx) && wslay_event_send(w->ctx) != 0 &&
                !w->closing)
                fail(w, "could not send");
            flush(w);
            /* wslay answers a bad frame with its own close (1002 protocol,
             * 1007 not UTF-8, 1009 too big) and reads no more: once it is
             * out, the connection is over. */
            if (!w->fail && !w->closing && wslay_event_get_close_sent(w->ctx)) {
                unsigned code = wslay_event_get_status_code_sent(w->ctx);
                closing(w, code == WSLAY_CODE_MESSAGE_TOO_BIG
                               ? xstrdup("the server sent a message too big to take (1009)")
                           : code == WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA
                               ? xstrdup("the server sent text that is not UTF-8 (1007)")
                               : xasprintf("the server broke the WebSocket protocol (%u)", code));
            }
        }
    }
    if (w->closing && !w->fail) {
        char *why = w->closing;
        w->closing = NULL;
        fail(w, "%s", why);
        free(why);
    }
    if (!w->fail && w->deadline && timeutil_mono_ms() >= w->deadline)
        fail(w, "no answer to the WebSocket upgrade in %d s", WS_HANDSHAKE_MS / 1000);
    if (w->fail) {
        char *why = w->fail;
        w->fail = NULL;
        teardown(w);
        log_info("cable: %s", why);
        if (w->cb.closed)
            w->cb.closed(w->cb.ud, why);
        free(why);
    }
}
