/* ws — one WebSocket client connection (RFC 6455) for the ActionCable
 * channel: libcurl connects (CONNECT_ONLY, so TLS verification, CA file,
 * https_proxy, ALL_PROXY=socks5h:// and NO_PROXY work exactly as for the
 * REST calls), we write the HTTP/1.1 upgrade ourselves, and wslay frames.
 * Its owner drives it from the application's one poll() loop with
 * ws_pollfds / ws_timeout_ms / ws_perform; nothing here blocks.
 *
 * Rules the code keeps (each a trap found in libcurl 7.88 or OpenSSL):
 * the easy handle stays in a multi of its own for the whole connection
 * (leaving a multi closes it); HTTP/1.1 is forced (ALPN h2 would rewrite
 * the upgrade) and proxies tunnel; outbound bytes sit in one fixed buffer
 * that never moves while a send is pending (OpenSSL retries need the same
 * pointer); every wake-up reads until curl says "again" (TLS holds decoded
 * bytes); the fd is curl's and never read directly. */
#ifndef TWOWAY_WS_H
#define TWOWAY_WS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct http;
struct ws;

struct ws_callbacks {
    /* The upgrade succeeded (protocol: the subprotocol the server chose,
     * "" if none). */
    void (*open)(void *ud, const char *protocol);
    /* One whole text message (not NUL-terminated). */
    void (*text)(void *ud, const char *data, size_t len);
    /* The connection failed or ended; why, fit for a person. After this,
     * ws_connect may be called again. */
    void (*closed)(void *ud, const char *why);
    void *ud;
};

/* http is borrowed (for its CA file). */
struct ws *ws_new(struct http *h, const struct ws_callbacks *cb);
/* Frees without calling back; never from inside a callback. */
void ws_free(struct ws **w);

/* Connect to url (http://, https://, ws:// or wss://), offering protocols
 * (a Sec-WebSocket-Protocol value, or NULL). Any current connection is
 * dropped first (without a callback). Failures arrive through closed. */
void ws_connect(struct ws *w, const char *url, const char *protocols);
/* Queue a text message; -1 if not open or the outbound buffer is full (a
 * peer that cannot take 64 KiB is as good as gone). */
int ws_send(struct ws *w, const char *text);
/* Drop the connection now (no callback). */
void ws_close(struct ws *w);
bool ws_is_open(const struct ws *w);

/* Added (push2), for tests: the connection's bytes go through io instead
 * of libcurl (copied; NULL: libcurl again). Connecting is then at once, no
 * fds are watched, and ws_perform reads and writes whenever it runs. Each
 * function returns 0 with *n bytes (a recv of 0 bytes is the end of the
 * stream), 1 for "again later", or -1 for a broken connection. */
struct ws_io {
    int (*send)(void *ud, const void *buf, size_t len, size_t *n);
    int (*recv)(void *ud, void *buf, size_t len, size_t *n);
    void *ud;
};
void ws_set_io(struct ws *w, const struct ws_io *io);

/* Loop integration (as http.h's): fds to watch, ms until ws_perform must
 * run anyway (-1: never), and the pump after poll(). Callbacks run from
 * ws_perform only. */
int ws_pollfds(struct ws *w, struct pollfd *fds, int max);
long ws_timeout_ms(struct ws *w);
void ws_perform(struct ws *w, const struct pollfd *fds, int n);

#endif
