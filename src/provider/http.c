/* http — requests over the libcurl multi interface, driven by the
 * application's poll() loop.
 *
 * curl tells us which sockets it wants watched (socket callback) and when
 * it must be called even without activity (timer callback); http_pollfds()
 * and http_timeout_ms() hand both to the loop, http_perform() feeds the
 * results back with curl_multi_socket_action().
 *
 * A finished request is first moved from the active list to a queue of
 * completions and only then reported, one by one: a callback may start
 * requests or cancel any other one (even one already finished but not yet
 * reported) without disturbing the walk. Headers are never logged: the
 * API token travels in one. */
#include "twoway/http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/x509_vfy.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#ifndef TWOWAY_VERSION
#define TWOWAY_VERSION "dev"
#endif

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_BODY ((size_t)16 << 20)

struct http_req {
    struct http *h;
    uint64_t id;
    CURL *easy; /* NULL for a deferred pseudo-request */
    struct curl_slist *headers;
    char *body; /* the request body (curl reads it in place) */
    size_t body_len;
    struct buf resp;
    bool too_big;
    long retry_after;
    http_cb cb;
    void *ud;
    struct http_response out; /* filled when the transfer ends */
    uint64_t turn;            /* h->turn when it joined the done queue */
    char errbuf[CURL_ERROR_SIZE];
    struct http_req *prev, *next;
};

/* A socket curl wants watched, and for what (CURL_POLL_IN/OUT/INOUT). */
struct http_sock {
    curl_socket_t fd;
    int what;
};

struct req_list {
    struct http_req *head, *tail;
    size_t n;
};

struct http {
    CURLM *multi;
    char *ca_file;
    char *user_agent;
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_body;
    uint64_t next_id;
    uint64_t turn;          /* counts report_done() runs */
    struct req_list active; /* with curl */
    struct req_list done;   /* finished, callback not yet run */
    struct http_sock *socks;
    size_t nsocks, capsocks;
    int64_t timer_at; /* monotonic ms when curl wants a timeout call; -1 none */
    bool in_perform;
    struct {
        const struct http_source *src;
        void *ud;
    } * sources;
    size_t nsources;
};

/* ---- lists ---- */

static void list_append(struct req_list *l, struct http_req *r)
{
    r->turn = r->h->turn;
    r->prev = l->tail;
    r->next = NULL;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->n++;
}

static void list_remove(struct req_list *l, struct http_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        l->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        l->tail = r->prev;
    r->prev = r->next = NULL;
    l->n--;
}

static void req_free(struct http_req *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body);
    buf_free(&r->resp);
    free(r->out.body);
    free(r->out.error);
    free(r);
}

/* ---- curl's socket and timer callbacks ---- */

static struct http_sock *sock_find(struct http *h, curl_socket_t fd)
{
    for (size_t i = 0; i < h->nsocks; i++)
        if (h->socks[i].fd == fd)
            return &h->socks[i];
    return NULL;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    struct http *h = userp;
    struct http_sock *s = sock_find(h, fd);
    if (what == CURL_POLL_REMOVE) {
        if (s)
            *s = h->socks[--h->nsocks];
        return 0;
    }
    if (!s) {
        if (h->nsocks == h->capsocks) {
            h->capsocks = h->capsocks ? h->capsocks * 2 : 8;
            h->socks = xreallocarray(h->socks, h->capsocks, sizeof *h->socks);
        }
        s = &h->socks[h->nsocks++];
        s->fd = fd;
    }
    s->what = what;
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct http *h = userp;
    h->timer_at = timeout_ms < 0 ? -1 : timeutil_mono_ms() + timeout_ms;
    return 0;
}

/* ---- per-transfer callbacks ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct http_req *r = userp;
    size_t n = size * nmemb;
    if (r->resp.len + n > r->h->max_body) {
        r->too_big = true;
        return 0; /* anything but n aborts the transfer */
    }
    buf_add(&r->resp, data, n);
    return n;
}

/* Retry-After in its delta-seconds form; an HTTP-date is ignored. */
static long parse_retry_after(const char *v, size_t len)
{
    size_t i = 0;
    long secs = 0;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (i == len || !isdigit((unsigned char)v[i]))
        return -1;
    while (i < len && isdigit((unsigned char)v[i])) {
        if (secs < 100000000)
            secs = secs * 10 + (v[i] - '0');
        i++;
    }
    while (i < len && isspace((unsigned char)v[i]))
        i++;
    return i == len ? secs : -1;
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userp)
{
    struct http_req *r = userp;
    size_t n = size * nitems;
    static const char name[] = "retry-after:";
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        r->retry_after = -1; /* a new response (after 100 Continue) */
    } else if (n > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        r->retry_after = parse_retry_after(data + sizeof name - 1, n - (sizeof name - 1));
    }
    return n;
}

/* ---- life cycle ---- */

struct http *http_new(const struct http_opts *opts)
{
    static const struct http_opts none = {0};
    if (!opts)
        opts = &none;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    struct http *h = xcalloc(1, sizeof *h);
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        curl_global_cleanup();
        return NULL;
    }
    h->ca_file = xstrdup_or_null(opts->ca_file);
    h->user_agent = xstrdup(opts->user_agent ? opts->user_agent : "twoway/" TWOWAY_VERSION);
    h->connect_timeout_ms =
        opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : DEFAULT_CONNECT_MS;
    h->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    h->max_body = opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
    h->next_id = 1;
    h->timer_at = -1;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

static void drop(struct http *h, struct req_list *l, struct http_req *r)
{
    if (l == &h->active && r->easy)
        curl_multi_remove_handle(h->multi, r->easy);
    list_remove(l, r);
    req_free(r);
}

void http_free(struct http **hp)
{
    struct http *h = hp ? *hp : NULL;
    if (!h)
        return;
    while (h->active.head)
        drop(h, &h->active, h->active.head);
    while (h->done.head)
        drop(h, &h->done, h->done.head);
    curl_multi_cleanup(h->multi);
    free(h->socks);
    free(h->ca_file);
    free(h->user_agent);
    free(h->sources);
    free(h);
    curl_global_cleanup();
    *hp = NULL;
}

/* ---- requests ---- */

static void set_method(CURL *e, const char *method, struct http_req *r)
{
    if (strcmp(method, "GET") == 0 && !r->body) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        return;
    }
    /* A request that changes state goes on a connection of its own, used
     * once. On a reused keep-alive connection that dies before any answer,
     * libcurl sends the request again by itself on a fresh one; the server
     * may have carried out the first copy. Alone on a fresh connection, a
     * lost answer comes back to the caller as maybe delivered instead. */
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (strcmp(method, "POST") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (r->body || strcmp(method, "POST") == 0) {
        /* An empty POST still sends Content-Length: 0. */
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    }
}

static void set_options(struct http *h, struct http_req *r, const char *url)
{
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
    /* No file://, no scp://, and no redirects at all: an API answer that
     * redirects is reported, not followed. Proxies stay as libcurl reads
     * them from the environment (CURLOPT_PROXY is never set). */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, h->user_agent);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
}

static struct http_req *req_new(struct http *h, http_cb cb, void *ud)
{
    struct http_req *r = xcalloc(1, sizeof *r);
    r->h = h;
    r->id = h->next_id++;
    r->cb = cb;
    r->ud = ud;
    r->retry_after = -1;
    buf_init(&r->resp);
    return r;
}

uint64_t http_request(struct http *h, const char *method, const char *url,
                      const char *const *headers, const char *body, http_cb cb, void *ud)
{
    struct http_req *r = req_new(h, cb, ud);
    r->easy = curl_easy_init();
    if (!r->easy)
        abort(); /* only fails on out-of-memory, like xmalloc */
    for (size_t i = 0; headers && headers[i]; i++) {
        if (strpbrk(headers[i], "\r\n"))
            continue; /* would smuggle a header (or a request) in */
        r->headers = curl_slist_append(r->headers, headers[i]);
    }
    /* curl would wait for "100 Continue" before sending larger bodies. */
    r->headers = curl_slist_append(r->headers, "Expect:");
    if (body) {
        r->body = xstrdup(body);
        r->body_len = strlen(body);
    }
    set_options(h, r, url);
    set_method(r->easy, method, r);
    list_append(&h->active, r);
    CURLMcode mc = curl_multi_add_handle(h->multi, r->easy);
    if (mc != CURLM_OK) {
        /* Report it from http_perform like any other failure. */
        list_remove(&h->active, r);
        r->out.curl_code = CURLE_FAILED_INIT;
        r->out.error = xasprintf("could not start the request: %s", curl_multi_strerror(mc));
        r->out.body = xstrdup("");
        r->out.retry_after = -1;
        list_append(&h->done, r);
    }
    log_debug("%s %s (#%llu)", method, url, (unsigned long long)r->id);
    return r->id;
}

uint64_t http_defer(struct http *h, http_cb cb, void *ud)
{
    struct http_req *r = req_new(h, cb, ud);
    r->out.body = xstrdup("");
    r->out.retry_after = -1;
    list_append(&h->done, r);
    return r->id;
}

void http_cancel(struct http *h, uint64_t id)
{
    for (struct http_req *r = h->active.head; r; r = r->next) {
        if (r->id == id) {
            drop(h, &h->active, r);
            return;
        }
    }
    for (struct http_req *r = h->done.head; r; r = r->next) {
        if (r->id == id) {
            drop(h, &h->done, r);
            return;
        }
    }
}

size_t http_in_flight(const struct http *h)
{
    return h->active.n + h->done.n;
}

/* ---- loop integration ---- */

const char *http_ca_file(const struct http *h)
{
    return h->ca_file;
}

void http_add_source(struct http *h, const struct http_source *src, void *ud)
{
    h->sources = xreallocarray(h->sources, h->nsources + 1, sizeof *h->sources);
    h->sources[h->nsources].src = src;
    h->sources[h->nsources].ud = ud;
    h->nsources++;
}

void http_remove_source(struct http *h, void *ud)
{
    for (size_t i = 0; i < h->nsources; i++) {
        if (h->sources[i].ud == ud) {
            memmove(&h->sources[i], &h->sources[i + 1], (h->nsources - i - 1) * sizeof *h->sources);
            h->nsources--;
            return;
        }
    }
}

static int curl_pollfds(struct http *h, struct pollfd *fds, int max);

int http_pollfds(struct http *h, struct pollfd *fds, int max)
{
    int n = curl_pollfds(h, fds, max);
    for (size_t i = 0; i < h->nsources && n < max; i++)
        n += h->sources[i].src->pollfds(h->sources[i].ud, fds + n, max - n);
    return n;
}

static int curl_pollfds(struct http *h, struct pollfd *fds, int max)
{
    int n = 0;
    for (size_t i = 0; i < h->nsocks && n < max; i++) {
        short ev = 0;
        if (h->socks[i].what & CURL_POLL_IN)
            ev |= POLLIN;
        if (h->socks[i].what & CURL_POLL_OUT)
            ev |= POLLOUT;
        if (!ev)
            continue;
        fds[n].fd = h->socks[i].fd;
        fds[n].events = ev;
        fds[n].revents = 0;
        n++;
    }
    return n;
}

long http_timeout_ms(struct http *h)
{
    if (h->done.n)
        return 0; /* completions wait to be reported */
    long t = -1;
    if (h->timer_at >= 0) {
        int64_t left = h->timer_at - timeutil_mono_ms();
        t = left < 0 ? 0 : (long)left;
    }
    for (size_t i = 0; i < h->nsources; i++) {
        long s = h->sources[i].src->timeout_ms(h->sources[i].ud);
        if (s >= 0 && (t < 0 || s < t))
            t = s;
    }
    return t;
}

/* Could the server have acted on a request that got no answer? Only if
 * the whole request went out (its header bytes are counted, all of its
 * body uploaded) and the failure came while waiting for or reading the
 * answer. Refused connections, DNS and TLS failures, and timeouts before
 * the request was written are safe to retry. (PRETRANSFER_TIME is not
 * enough: it is set once connected, before anything is written.) */
static bool maybe_delivered(struct http_req *r, CURLcode code)
{
    /* An answer began (a status line came back, then the body broke, could
     * not be decoded or was too big): the server had the whole request. */
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status > 0)
        return true;
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        break;
    default:
        return false;
    }
    curl_off_t uploaded = 0;
    long request_size = 0;
    curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(r->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    return request_size > 0 && (size_t)uploaded >= r->body_len;
}

/* libcurl's words for a refused certificate speak of SSH keys ("SSL peer
 * certificate or SSH remote key was not OK"); the person needs to know the
 * server was not trusted, why, and, for a CA we do not know, the setting
 * that names one. */
static char *untrusted(CURL *e, const char *errbuf)
{
    long v = X509_V_OK;
    curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &v);
    bool unknown_ca = v == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                      v == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
                      v == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
                      v == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
                      v == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
    /* The verification's own words, else libcurl's: a host name that
     * does not match is checked by libcurl after the chain was verified,
     * and it reports that as X509_V_ERR_UNSPECIFIED ("unspecified
     * certificate verification error"), its own words in errbuf. */
    bool chain = v != X509_V_OK && v != X509_V_ERR_UNSPECIFIED;
    const char *why = chain               ? X509_verify_cert_error_string(v)
                      : errbuf && *errbuf ? errbuf
                                          : "verification failed";
    return xasprintf("server certificate not trusted: %s%s", why,
                     unknown_ca ? "; name its CA with ca_file" : "");
}

char *http_error_text(void *easy, int code, const char *errbuf)
{
    if (code == CURLE_PEER_FAILED_VERIFICATION)
        return untrusted(easy, errbuf);
    const char *what = curl_easy_strerror((CURLcode)code);
    if (code == CURLE_SSL_CACERT_BADFILE)
        return xasprintf("cannot read ca_file: %s", errbuf && *errbuf ? errbuf : what);
    if (errbuf && errbuf[0] && strcmp(errbuf, what) != 0)
        return xasprintf("%s: %s", what, errbuf);
    return xstrdup(what);
}

static char *transport_error(struct http_req *r, CURLcode code)
{
    if (r->too_big || code == CURLE_FILESIZE_EXCEEDED)
        return xasprintf("the answer is larger than %zu bytes", r->h->max_body);
    return http_error_text(r->easy, code, r->errbuf);
}

/* Fill r->out from the finished transfer. */
static void finish(struct http_req *r, CURLcode code)
{
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    r->out.status = (int)status;
    r->out.curl_code = (int)code;
    r->out.retry_after = r->retry_after;
    if (code != CURLE_OK || r->too_big) {
        r->out.error = transport_error(r, code);
        r->out.maybe_delivered = maybe_delivered(r, code);
    }
    r->out.body_len = r->resp.len;
    r->out.body = buf_detach(&r->resp);
    buf_init(&r->resp);
}

static void collect_done(struct http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        CURLcode code = msg->data.result;
        CURL *e = msg->easy_handle;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
        struct http_req *r = (struct http_req *)priv;
        finish(r, code);
        curl_multi_remove_handle(h->multi, e);
        list_remove(&h->active, r);
        list_append(&h->done, r);
    }
}

/* Run callbacks one at a time; each request leaves the queue before its
 * callback, so a callback may cancel or start anything. What a callback
 * queues waits for the next turn, so a chain of deferred requests cannot
 * hold the loop. */
static void report_done(struct http *h)
{
    struct http_req *r;
    uint64_t turn = ++h->turn;
    while ((r = h->done.head) && r->turn < turn) {
        list_remove(&h->done, r);
        if (r->cb)
            r->cb(r->ud, &r->out);
        req_free(r);
    }
}

void http_multi_pump(void *multi, const struct pollfd *fds, int n, bool (*ours)(void *ud, int fd),
                     void *ud, int64_t *timer_at)
{
    int running = 0;
    for (int i = 0; fds && i < n; i++) {
        if (!fds[i].revents || !ours(ud, fds[i].fd))
            continue;
        int mask = 0;
        if (fds[i].revents & (POLLIN | POLLHUP))
            mask |= CURL_CSELECT_IN;
        if (fds[i].revents & POLLOUT)
            mask |= CURL_CSELECT_OUT;
        if (fds[i].revents & (POLLERR | POLLNVAL))
            mask |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi, fds[i].fd, mask, &running);
    }
    if (*timer_at >= 0 && *timer_at <= timeutil_mono_ms()) {
        *timer_at = -1;
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
}

static bool is_curls(void *ud, int fd)
{
    return sock_find(ud, fd) != NULL;
}

void http_perform(struct http *h, const struct pollfd *fds, int n)
{
    if (h->in_perform)
        return;
    h->in_perform = true;
    http_multi_pump(h->multi, fds, n, is_curls, h, &h->timer_at);
    collect_done(h);
    report_done(h);
    /* A source may go away in its perform: walk by what it was. */
    for (size_t i = 0; i < h->nsources; i++) {
        void *ud = h->sources[i].ud;
        h->sources[i].src->perform(ud, fds, n);
        if (i < h->nsources && h->sources[i].ud != ud)
            i--;
    }
    h->in_perform = false;
}

char *http_escape(const char *s)
{
    if (!s || !*s)
        return xstrdup("");
    char *e = curl_easy_escape(NULL, s, (int)strnlen(s, 1 << 20));
    if (!e)
        abort(); /* out of memory */
    char *out = xstrdup(e);
    curl_free(e);
    return out;
}
