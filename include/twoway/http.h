/* http — HTTP requests over the libcurl multi interface, driven by the
 * application's own poll() loop: nothing here ever blocks.
 *
 * TLS verification is always on (a CA file may be given); proxies come from
 * the usual environment variables (https_proxy, ALL_PROXY=socks5h://…,
 * NO_PROXY), which libcurl reads itself. Response bodies are capped. */
#ifndef TWOWAY_HTTP_H
#define TWOWAY_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http;

struct http_opts {
    const char *ca_file;     /* NULL: the system's CA store */
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* whole request; 0: 30 s */
    size_t max_body;         /* 0: 16 MiB */
    const char *user_agent;  /* NULL: "twoway/VERSION" */
};

struct http_response {
    int status; /* HTTP status, 0 if no response */
    char *body; /* NUL-terminated, may be "" (owned by http; steal by setting NULL) */
    size_t body_len;
    long retry_after; /* seconds from Retry-After, -1 if absent */
    int curl_code;    /* CURLcode, 0 = OK */
    char *error;      /* human-readable transport error, or NULL */
    /* True when the request may have reached the server although no
     * usable answer came back (a timeout or drop after the body was sent,
     * or an answer that began and then broke, could not be decoded or was
     * too big): a non-idempotent request must not be blindly retried. */
    bool maybe_delivered;
};

typedef void (*http_cb)(void *ud, struct http_response *resp);

struct http *http_new(const struct http_opts *opts);
/* Cancels everything in flight (callbacks are not called). */
void http_free(struct http **h);

/* Start a request. headers: NULL-terminated "Name: value" strings (copied).
 * body: NULL or a NUL-terminated string (copied). The callback runs from
 * http_perform(), exactly once, unless the request is cancelled. Returns a
 * non-zero request id. */
uint64_t http_request(struct http *h, const char *method, const char *url,
                      const char *const *headers, const char *body, http_cb cb, void *ud);
void http_cancel(struct http *h, uint64_t id);
size_t http_in_flight(const struct http *h);

/* Loop integration: fill up to max pollfds curl wants watched; returns the
 * count. */
int http_pollfds(struct http *h, struct pollfd *fds, int max);
/* Milliseconds until http_perform() must run even without fd activity;
 * -1 if nothing is pending. */
long http_timeout_ms(struct http *h);
/* Drive transfers after poll() (fds as returned by poll, or NULL/0 on a
 * timeout) and run the callbacks of finished requests. */
void http_perform(struct http *h, const struct pollfd *fds, int n);

/* Percent-encode for a URL query or path segment. Owned. */
char *http_escape(const char *s);

/* Added (prov): a pseudo-request without any I/O. Its callback runs from
 * the next http_perform() (http_timeout_ms() returns 0 until then) with an
 * empty response (status 0, curl_code 0, error NULL), so a caller that
 * must fail an operation before sending anything still reports it from
 * the loop and never re-entrantly. Counts as in flight; http_cancel() and
 * http_free() drop it like any request. Returns its id. */
uint64_t http_defer(struct http *h, http_cb cb, void *ud);

/* Added (push): another poll source driven through the same three loop
 * calls, so the loop needs to know of nothing else. http_pollfds() appends
 * its fds after curl's (each source sees the whole array in perform and
 * picks its own fds), http_timeout_ms() takes the earliest, and
 * http_perform() runs each source after curl's transfers. A source may be
 * removed from inside its own perform. */
struct http_source {
    int (*pollfds)(void *ud, struct pollfd *fds, int max);
    long (*timeout_ms)(void *ud); /* -1: nothing pending */
    void (*perform)(void *ud, const struct pollfd *fds, int n);
};
/* The CA file given at http_new (NULL: the system's). Borrowed. */
const char *http_ca_file(const struct http *h);
void http_add_source(struct http *h, const struct http_source *src, void *ud);
/* Added (push): poll()'s answer for the sockets of a libcurl multi handle
 * (a CURLM *; ours(ud, fd) picks its fds), and its timer when due: what
 * http_perform does for its own multi, for another one (ws.c's). */
void http_multi_pump(void *multi, const struct pollfd *fds, int n, bool (*ours)(void *ud, int fd),
                     void *ud, int64_t *timer_at);
void http_remove_source(struct http *h, void *ud);
/* Why a transfer failed, fit to show a person: code is the CURLcode of
 * easy (a CURL *), errbuf its CURLOPT_ERRORBUFFER (may be NULL or empty).
 * The words before the first ": " say what in few (the status line shows
 * only them when the whole does not fit); a certificate that is not
 * trusted says why and, for an unknown CA, names ca_file. Owned. */
char *http_error_text(void *easy, int code, const char *errbuf);

#endif
