/* Unit tests for http: a tiny HTTP server forked on 127.0.0.1 answers by
 * path, and the test drives http_* from its own poll() loop, the way the
 * application does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twoway/buf.h"
#include "twoway/http.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* One generous deadline for every wait: running out of it means the test
 * failed, never that the machine was busy. */
#define DEADLINE_MS 60000

/* ---- the server (child processes) ---- */

static pid_t server_pid;
static int server_port;

/* Shared with the server's processes (MAP_SHARED): what they counted. */
struct counts {
    int acted;    /* requests to /act the server carried out */
    int accepted; /* connections accepted */
};
static struct counts *counts;

static void write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t w = write(fd, s, len);
        if (w <= 0)
            return;
        s += w;
        len -= (size_t)w;
    }
}

static void reply(int fd, int status, const char *headers, const char *body)
{
    char head[512];
    snprintf(head, sizeof head,
             "HTTP/1.1 %d Test\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
             strlen(body), headers);
    write_all(fd, head, strlen(head));
    write_all(fd, body, strlen(body));
}

/* Read one request; returns its length (head + body) or -1. */
static ssize_t read_request(int fd, char *buf, size_t cap, size_t *head_len)
{
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        if (len + 1 >= cap)
            return -1;
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    *head_len = (size_t)(end + 4 - buf);
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t want = *head_len + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
    while (len < want && len + 1 < cap) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
    }
    buf[len] = '\0';
    return (ssize_t)len;
}

static void serve(int fd)
{
    static char req[1 << 16];
    size_t head_len;
    if (read_request(fd, req, sizeof req, &head_len) < 0)
        return;
    char path[256] = "";
    sscanf(req, "%*s %255s", path);
    if (strcmp(path, "/ok") == 0) {
        reply(fd, 200, "", "hello");
    } else if (strncmp(path, "/path/", 6) == 0) {
        reply(fd, 200, "", path);
    } else if (strcmp(path, "/404") == 0) {
        reply(fd, 404, "Content-Type: application/json\r\n", "{\"error\":\"nope\"}");
    } else if (strcmp(path, "/retry") == 0) {
        reply(fd, 429, "Retry-After: 7\r\n", "Retry later");
    } else if (strcmp(path, "/retry-date") == 0) {
        reply(fd, 503, "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", "down");
    } else if (strcmp(path, "/redirect") == 0) {
        reply(fd, 302, "Location: file:///etc/passwd\r\n", "");
    } else if (strcmp(path, "/big") == 0) {
        char *body = xmalloc(64 * 1024 + 1);
        memset(body, 'x', 64 * 1024);
        body[64 * 1024] = '\0';
        reply(fd, 200, "", body);
        free(body);
    } else if (strcmp(path, "/big-chunked") == 0) {
        static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                   "Connection: close\r\n\r\n";
        write_all(fd, head, sizeof head - 1);
        char chunk[1024 + 16];
        int n = snprintf(chunk, sizeof chunk, "400\r\n");
        memset(chunk + n, 'y', 1024);
        memcpy(chunk + n + 1024, "\r\n", 2);
        for (int i = 0; i < 64; i++)
            write_all(fd, chunk, (size_t)n + 1024 + 2);
        write_all(fd, "0\r\n\r\n", 5);
    } else if (strcmp(path, "/echo") == 0) {
        /* The request itself, so the test can read what was sent. */
        reply(fd, 200, "", req);
    } else if (strcmp(path, "/hang") == 0) {
        char c;
        while (read(fd, &c, 1) > 0) /* until the client gives up */
            ;
    } else if (strcmp(path, "/drop") == 0) {
        shutdown(fd, SHUT_RDWR);
    } else if (strcmp(path, "/bad-gzip") == 0) {
        /* Carried out; the answer says gzip and is not. */
        reply(fd, 200, "Content-Encoding: gzip\r\n", "this is not gzip at all");
    } else if (strcmp(path, "/keep") == 0) {
        /* Kept alive: the next request may come on this connection. */
        static const char ka[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nkept";
        write_all(fd, ka, sizeof ka - 1);
        serve(fd);
    } else if (strcmp(path, "/act") == 0) {
        /* Carried out, and the connection closes before the answer. */
        __atomic_add_fetch(&counts->acted, 1, __ATOMIC_SEQ_CST);
        shutdown(fd, SHUT_RDWR);
    } else {
        reply(fd, 400, "", "unknown path");
    }
}

static void server_loop(int lfd)
{
    signal(SIGCHLD, SIG_IGN); /* connection children reap themselves */
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        __atomic_add_fetch(&counts->accepted, 1, __ATOMIC_SEQ_CST);
        pid_t pid = fork();
        if (pid == 0) {
            close(lfd);
            alarm(2 * DEADLINE_MS / 1000); /* a hanging connection never outlives the test */
            serve(fd);
            close(fd);
            _exit(0);
        }
        close(fd);
    }
}

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 128) < 0)
        return -1;
    getsockname(fd, (struct sockaddr *)&a, &alen);
    *port = ntohs(a.sin_port);
    return fd;
}

static int setup_server(void **state)
{
    (void)state;
    counts = mmap(NULL, sizeof *counts, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counts == MAP_FAILED)
        return -1;
    int lfd = listen_any(&server_port);
    if (lfd < 0)
        return -1;
    server_pid = fork();
    if (server_pid == 0)
        server_loop(lfd);
    close(lfd);
    return server_pid > 0 ? 0 : -1;
}

static int teardown_server(void **state)
{
    (void)state;
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    return 0;
}

static char *url(const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", server_port, path);
}

/* ---- the client side ---- */

struct got {
    int calls;
    int status;
    char *body;
    long retry_after;
    int curl_code;
    char *error;
    bool maybe_delivered;
};

static void got_free(struct got *g)
{
    free(g->body);
    free(g->error);
    memset(g, 0, sizeof *g);
}

static void record(void *ud, struct http_response *resp)
{
    struct got *g = ud;
    g->calls++;
    g->status = resp->status;
    free(g->body);
    g->body = resp->body; /* stolen */
    resp->body = NULL;
    g->retry_after = resp->retry_after;
    g->curl_code = resp->curl_code;
    free(g->error);
    g->error = xstrdup_or_null(resp->error);
    g->maybe_delivered = resp->maybe_delivered;
}

/* The application's loop, until *done becomes true or ms pass. */
static void run_until(struct http *h, const int *done, int target, long ms)
{
    int64_t deadline = timeutil_mono_ms() + ms;
    while (*done < target && timeutil_mono_ms() < deadline) {
        struct pollfd fds[256];
        int n = http_pollfds(h, fds, 256);
        long t = http_timeout_ms(h);
        if (t < 0 || t > 100)
            t = 100;
        int r = poll(fds, (nfds_t)n, (int)t);
        http_perform(h, r > 0 ? fds : NULL, r > 0 ? n : 0);
    }
}

static struct http *client(long timeout_ms, size_t max_body)
{
    struct http_opts o = {.timeout_ms = timeout_ms, .max_body = max_body};
    struct http *h = http_new(&o);
    assert_non_null(h);
    return h;
}

static void get(struct http *h, const char *path, struct got *g)
{
    char *u = url(path);
    assert_true(http_request(h, "GET", u, NULL, NULL, record, g) != 0);
    free(u);
}

static void test_http__ok_body_arrives_from_perform_only(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    get(h, "/ok", &g);
    assert_int_equal(g.calls, 0); /* never from http_request itself */
    assert_int_equal(http_in_flight(h), 1);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, 200);
    assert_string_equal(g.body, "hello");
    assert_int_equal(g.curl_code, 0);
    assert_null(g.error);
    assert_int_equal(g.retry_after, -1);
    assert_false(g.maybe_delivered);
    assert_int_equal(http_in_flight(h), 0);
    assert_int_equal(http_timeout_ms(h), -1);
    got_free(&g);
    http_free(&h);
    assert_null(h);
}

static void test_http__404_is_a_status_not_an_error(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    get(h, "/404", &g);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.status, 404);
    assert_string_equal(g.body, "{\"error\":\"nope\"}");
    assert_int_equal(g.curl_code, 0);
    assert_null(g.error);
    got_free(&g);
    http_free(&h);
}

static void test_http__retry_after_seconds_parsed_dates_ignored(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got a = {0}, b = {0};
    get(h, "/retry", &a);
    get(h, "/retry-date", &b);
    run_until(h, &b.calls, 1, DEADLINE_MS);
    run_until(h, &a.calls, 1, DEADLINE_MS);
    assert_int_equal(a.status, 429);
    assert_int_equal(a.retry_after, 7);
    assert_string_equal(a.body, "Retry later");
    assert_int_equal(b.status, 503);
    assert_int_equal(b.retry_after, -1);
    got_free(&a);
    got_free(&b);
    http_free(&h);
}

static void test_http__body_over_max_body_fails(void **state)
{
    (void)state;
    struct http *h = client(0, 1024);
    struct got a = {0}, b = {0};
    get(h, "/big", &a);         /* Content-Length says so up front */
    get(h, "/big-chunked", &b); /* only the write callback can tell */
    run_until(h, &a.calls, 1, DEADLINE_MS);
    run_until(h, &b.calls, 1, DEADLINE_MS);
    for (struct got *g = &a; g; g = g == &a ? &b : NULL) {
        assert_int_equal(g->calls, 1);
        assert_int_not_equal(g->curl_code, 0);
        assert_non_null(g->error);
        assert_non_null(strstr(g->error, "larger than 1024 bytes"));
        /* The server answered: it had the request (were it a POST, it may
         * have acted on it). */
        assert_true(g->maybe_delivered);
        assert_true(strlen(g->body) <= 1024);
    }
    got_free(&a);
    got_free(&b);
    http_free(&h);
}

static void test_http__connection_refused_is_not_maybe_delivered(void **state)
{
    (void)state;
    int port;
    int fd = listen_any(&port);
    close(fd); /* nobody listens there now */
    struct http *h = client(0, 0);
    struct got g = {0};
    char *u = xasprintf("http://127.0.0.1:%d/x", port);
    http_request(h, "POST", u, NULL, "{\"content\":\"hi\"}", record, &g);
    free(u);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, 0);
    assert_int_equal(g.curl_code, CURLE_COULDNT_CONNECT);
    assert_non_null(g.error);
    assert_false(g.maybe_delivered);
    got_free(&g);
    http_free(&h);
}

/* The server never answers /hang; the timeout (long enough for the
 * requests to be written on any machine) ends them. Only a lower bound is
 * checked: the timeout never fires early. How late it fires depends on how
 * busy the machine is, so that is not asserted. */
static void test_http__timeout_after_sending_is_maybe_delivered(void **state)
{
    (void)state;
    enum { TIMEOUT_MS = 1500 };
    struct http *h = client(TIMEOUT_MS, 0);
    struct got a = {0}, b = {0};
    int64_t t0 = timeutil_mono_ms();
    get(h, "/hang", &a);
    char *u = url("/hang");
    http_request(h, "POST", u, NULL, "{\"content\":\"hi\"}", record, &b);
    free(u);
    run_until(h, &a.calls, 1, DEADLINE_MS);
    run_until(h, &b.calls, 1, DEADLINE_MS);
    int64_t took = timeutil_mono_ms() - t0;
    if (took < TIMEOUT_MS)
        fail_msg("the requests ended after %lld ms, before their %d ms timeout", (long long)took,
                 TIMEOUT_MS);
    for (struct got *g = &a; g; g = g == &a ? &b : NULL) {
        assert_int_equal(g->calls, 1);
        assert_int_equal(g->curl_code, CURLE_OPERATION_TIMEDOUT);
        assert_non_null(g->error);
        assert_true(g->maybe_delivered);
    }
    got_free(&a);
    got_free(&b);
    http_free(&h);
}

static void test_http__dropped_after_request_is_maybe_delivered(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    char *u = url("/drop");
    http_request(h, "POST", u, NULL, "{}", record, &g);
    free(u);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.calls, 1);
    assert_int_not_equal(g.curl_code, 0);
    assert_true(g.maybe_delivered);
    got_free(&g);
    http_free(&h);
}

/* A kept-alive connection that the server closes after carrying out the
 * request it brought: libcurl would send that request again on a fresh
 * connection by itself ("Connection died, retrying a fresh connect"). A
 * request that changes state must reach the server once and come back as
 * maybe delivered, for the caller to check. */
static void test_http__state_change_is_never_resent_by_curl(void **state)
{
    (void)state;
    static const char *const methods[] = {"POST", "PATCH", "PUT", "DELETE"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        struct http *h = client(0, 0);
        struct got g = {0};
        get(h, "/keep", &g);
        run_until(h, &g.calls, 1, DEADLINE_MS);
        assert_int_equal(g.status, 200);
        got_free(&g);
        __atomic_store_n(&counts->acted, 0, __ATOMIC_SEQ_CST);
        char *u = url("/act");
        http_request(h, methods[i], u, NULL, "{\"content\":\"hi\"}", record, &g);
        free(u);
        run_until(h, &g.calls, 1, DEADLINE_MS);
        assert_int_equal(g.calls, 1);
        assert_int_not_equal(g.curl_code, 0);
        assert_true(g.maybe_delivered);
        assert_int_equal(__atomic_load_n(&counts->acted, __ATOMIC_SEQ_CST), 1);
        got_free(&g);
        http_free(&h);
    }
}

/* Reads still share one connection. */
static void test_http__reads_reuse_the_connection(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    int before = __atomic_load_n(&counts->accepted, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 3; i++) {
        get(h, "/keep", &g);
        run_until(h, &g.calls, 1, DEADLINE_MS);
        assert_int_equal(g.status, 200);
        got_free(&g);
    }
    assert_int_equal(__atomic_load_n(&counts->accepted, __ATOMIC_SEQ_CST) - before, 1);
    http_free(&h);
}

/* Is the non-blocking socket fd connected (its handshake done)? Waits up
 * to ms for it. */
static bool connected_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, ms) != 1)
        return false;
    int err = 1;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

/* Any failure after an answer began means the server had the request. */
static void test_http__answer_that_cannot_be_decoded_is_maybe_delivered(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    char *u = url("/bad-gzip");
    http_request(h, "POST", u, NULL, "{}", record, &g);
    free(u);
    run_until(h, &g.calls, 1, 5000);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.curl_code, CURLE_BAD_CONTENT_ENCODING);
    assert_true(g.maybe_delivered);
    got_free(&g);
    http_free(&h);
}

static void test_http__connect_timeout_is_not_maybe_delivered(void **state)
{
    (void)state;
    /* A listener with a backlog of 0 that never accepts: one connection
     * fills its queue, and the kernel drops the SYNs of any after it, so
     * connecting hangs until the timeout. The test waits until the queue
     * is seen full (the first filler connected, the second not) instead of
     * giving the handshakes a fixed time. */
    int port;
    int lfd = listen_any(&port);
    listen(lfd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fill[2];
    for (int i = 0; i < 2; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
        if (i == 0 && !connected_within(fill[0], DEADLINE_MS))
            fail_msg("the first connection to the listener never completed");
    }
    /* The second one's SYN was dropped: still connecting. */
    if (connected_within(fill[1], 0))
        fail_msg("the listen queue did not fill: a second connection went through");
    struct http_opts o = {.connect_timeout_ms = 300, .timeout_ms = 2000};
    struct http *h = http_new(&o);
    struct got g = {0};
    char *u = xasprintf("http://127.0.0.1:%d/x", port);
    /* Without a body: only "was the request sent" can tell. */
    http_request(h, "POST", u, NULL, NULL, record, &g);
    free(u);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.curl_code, CURLE_OPERATION_TIMEDOUT);
    assert_false(g.maybe_delivered);
    got_free(&g);
    http_free(&h);
    for (int i = 0; i < 2; i++)
        close(fill[i]);
    close(lfd);
}

struct many {
    int done;
    int bad;
};

struct many_one {
    struct many *m;
    int i;
};

static void many_cb(void *ud, struct http_response *resp)
{
    struct many_one *one = ud;
    char want[64];
    snprintf(want, sizeof want, "/path/%d", one->i);
    if (resp->status != 200 || strcmp(resp->body, want) != 0)
        one->m->bad++;
    one->m->done++;
}

static void test_http__many_concurrent_requests_all_complete(void **state)
{
    (void)state;
    enum { N = 60 };
    struct http *h = client(0, 0);
    struct many m = {0};
    struct many_one ones[N];
    for (int i = 0; i < N; i++) {
        ones[i] = (struct many_one){&m, i};
        char path[64];
        snprintf(path, sizeof path, "/path/%d", i);
        char *u = url(path);
        http_request(h, "GET", u, NULL, NULL, many_cb, &ones[i]);
        free(u);
    }
    assert_int_equal(http_in_flight(h), N);
    run_until(h, &m.done, N, DEADLINE_MS);
    assert_int_equal(m.done, N);
    assert_int_equal(m.bad, 0);
    assert_int_equal(http_in_flight(h), 0);
    http_free(&h);
}

static void test_http__cancel_prevents_the_callback(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got cancelled = {0}, other = {0};
    char *u = url("/ok");
    uint64_t id = http_request(h, "GET", u, NULL, NULL, record, &cancelled);
    http_request(h, "GET", u, NULL, NULL, record, &other);
    free(u);
    http_cancel(h, id);
    assert_int_equal(http_in_flight(h), 1);
    run_until(h, &other.calls, 1, DEADLINE_MS);
    /* Nothing is left that could call back. */
    assert_int_equal(http_in_flight(h), 0);
    assert_int_equal(http_timeout_ms(h), -1);
    http_perform(h, NULL, 0);
    assert_int_equal(other.calls, 1);
    assert_int_equal(cancelled.calls, 0);
    http_cancel(h, id);  /* twice is harmless */
    http_cancel(h, 999); /* unknown too */
    got_free(&other);
    http_free(&h);
}

/* Two requests whose callbacks cancel each other: whichever is reported
 * first cancels the other, finished or not, so exactly one runs. */
struct canceller {
    struct http *h;
    uint64_t other;
    int *calls;
};

static void cancel_cb(void *ud, struct http_response *resp)
{
    (void)resp;
    struct canceller *c = ud;
    (*c->calls)++;
    http_cancel(c->h, c->other);
}

static void test_http__callback_may_cancel_a_finished_request(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        struct http *h = client(0, 0);
        int calls = 0;
        struct canceller a = {.h = h, .calls = &calls}, b = {.h = h, .calls = &calls};
        char *u = url("/ok");
        b.other = http_request(h, "GET", u, NULL, NULL, cancel_cb, &a);
        a.other = http_request(h, "GET", u, NULL, NULL, cancel_cb, &b);
        free(u);
        /* Drive until both requests are sent and wait for their answers,
         * then wait (without reading) until both answers have arrived, so
         * that one perform reads them both: the first callback then
         * cancels a request that is already finished. */
        int64_t deadline = timeutil_mono_ms() + DEADLINE_MS;
        struct pollfd fds[16];
        int n = 0, waiting = 0;
        while (!calls && timeutil_mono_ms() < deadline) {
            n = http_pollfds(h, fds, 16);
            waiting = 0;
            for (int i = 0; i < n; i++)
                waiting += fds[i].events == POLLIN;
            if (waiting == 2)
                break;
            int r = poll(fds, (nfds_t)n, 10);
            http_perform(h, r > 0 ? fds : NULL, r > 0 ? n : 0);
        }
        if (waiting != 2)
            fail_msg("round %d: the two requests were never both waiting for their answers "
                     "(%d callback(s) so far)",
                     round, calls);
        int readable = 0;
        while (readable < 2 && timeutil_mono_ms() < deadline) {
            if (poll(fds, (nfds_t)n, 50) < 0)
                continue;
            readable = 0;
            for (int i = 0; i < n; i++)
                readable += (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
        }
        if (readable < 2)
            fail_msg("round %d: only %d of the two answers arrived", round, readable);
        http_perform(h, fds, n);
        /* Both are over now: nothing is left that could call back. */
        assert_int_equal(http_in_flight(h), 0);
        assert_int_equal(http_timeout_ms(h), -1);
        http_perform(h, NULL, 0);
        assert_int_equal(calls, 1);
        http_free(&h);
    }
}

struct chain {
    struct http *h;
    struct got second;
    int first_calls;
};

static void chain_first(void *ud, struct http_response *resp)
{
    struct chain *c = ud;
    c->first_calls++;
    if (resp->status == 200) {
        char *u = url("/path/second");
        http_request(c->h, "GET", u, NULL, NULL, record, &c->second);
        free(u);
    }
}

static void test_http__callback_may_start_a_request(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct chain c = {.h = h};
    char *u = url("/ok");
    http_request(h, "GET", u, NULL, NULL, chain_first, &c);
    free(u);
    run_until(h, &c.second.calls, 1, DEADLINE_MS);
    assert_int_equal(c.first_calls, 1);
    assert_int_equal(c.second.calls, 1);
    assert_string_equal(c.second.body, "/path/second");
    got_free(&c.second);
    http_free(&h);
}

static void test_http__free_cancels_without_callbacks(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got a = {0}, b = {0}, d = {0};
    get(h, "/hang", &a);
    get(h, "/ok", &b);
    http_defer(h, record, &d);
    struct pollfd fds[16];
    int n = http_pollfds(h, fds, 16);
    poll(fds, (nfds_t)n, 50); /* pacing only: requests in any state will do */
    http_free(&h);
    assert_int_equal(a.calls + b.calls + d.calls, 0);
}

static void test_http__sends_method_headers_body_and_user_agent(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    const char *headers[] = {"api_access_token: tok123", "Content-Type: application/json",
                             "X-Evil: a\r\nX-Injected: 1", NULL};
    char *u = url("/echo");
    http_request(h, "PATCH", u, headers, "{\"priority\":null}", record, &g);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.status, 200);
    assert_true(strncmp(g.body, "PATCH /echo HTTP/1.1\r\n", 22) == 0);
    assert_non_null(strstr(g.body, "\r\napi_access_token: tok123\r\n"));
    assert_non_null(strstr(g.body, "\r\nUser-Agent: twoway/"));
    assert_non_null(strstr(g.body, "\r\nAccept-Encoding: "));
    assert_null(strstr(g.body, "X-Injected"));
    assert_null(strstr(g.body, "Expect:"));
    assert_non_null(strstr(g.body, "\r\n\r\n{\"priority\":null}"));
    got_free(&g);

    /* An empty POST still says Content-Length: 0. */
    http_request(h, "POST", u, NULL, NULL, record, &g);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_true(strncmp(g.body, "POST /echo", 10) == 0);
    assert_non_null(strstr(g.body, "Content-Length: 0\r\n"));
    got_free(&g);
    free(u);
    http_free(&h);
}

static void test_http__redirects_are_reported_not_followed(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    get(h, "/redirect", &g);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.status, 302);
    assert_int_equal(g.curl_code, 0);
    got_free(&g);

    /* Only http and https at all. */
    http_request(h, "GET", "file:///etc/passwd", NULL, NULL, record, &g);
    run_until(h, &g.calls, 1, DEADLINE_MS);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.curl_code, CURLE_UNSUPPORTED_PROTOCOL);
    assert_int_equal(g.status, 0);
    got_free(&g);
    http_free(&h);
}

static void test_http__defer_reports_from_the_loop(void **state)
{
    (void)state;
    struct http *h = client(0, 0);
    struct got g = {0};
    assert_int_equal(http_timeout_ms(h), -1);
    assert_true(http_defer(h, record, &g) != 0);
    assert_int_equal(g.calls, 0);
    assert_int_equal(http_timeout_ms(h), 0);
    assert_int_equal(http_in_flight(h), 1);
    http_perform(h, NULL, 0);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, 0);
    assert_string_equal(g.body, "");
    assert_null(g.error);
    got_free(&g);
    uint64_t id = http_defer(h, record, &g);
    http_cancel(h, id);
    http_perform(h, NULL, 0);
    assert_int_equal(g.calls, 0);
    http_free(&h);
}

static void test_http__escape(void **state)
{
    (void)state;
    char *e = http_escape("a b&c=d/\xc3\xa9?#[]");
    assert_string_equal(e, "a%20b%26c%3Dd%2F%C3%A9%3F%23%5B%5D");
    free(e);
    e = http_escape("");
    assert_string_equal(e, "");
    free(e);
    e = http_escape("Safe-._~09");
    assert_string_equal(e, "Safe-._~09");
    free(e);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    /* The server is local: a proxy from the environment must not see it. */
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http__ok_body_arrives_from_perform_only),
        cmocka_unit_test(test_http__404_is_a_status_not_an_error),
        cmocka_unit_test(test_http__retry_after_seconds_parsed_dates_ignored),
        cmocka_unit_test(test_http__body_over_max_body_fails),
        cmocka_unit_test(test_http__connection_refused_is_not_maybe_delivered),
        cmocka_unit_test(test_http__timeout_after_sending_is_maybe_delivered),
        cmocka_unit_test(test_http__dropped_after_request_is_maybe_delivered),
        cmocka_unit_test(test_http__connect_timeout_is_not_maybe_delivered),
        cmocka_unit_test(test_http__state_change_is_never_resent_by_curl),
        cmocka_unit_test(test_http__answer_that_cannot_be_decoded_is_maybe_delivered),
        cmocka_unit_test(test_http__reads_reuse_the_connection),
        cmocka_unit_test(test_http__many_concurrent_requests_all_complete),
        cmocka_unit_test(test_http__cancel_prevents_the_callback),
        cmocka_unit_test(test_http__callback_may_cancel_a_finished_request),
        cmocka_unit_test(test_http__callback_may_start_a_request),
        cmocka_unit_test(test_http__free_cancels_without_callbacks),
        cmocka_unit_test(test_http__sends_method_headers_body_and_user_agent),
        cmocka_unit_test(test_http__redirects_are_reported_not_followed),
        cmocka_unit_test(test_http__defer_reports_from_the_loop),
        cmocka_unit_test(test_http__escape),
    };
    return cmocka_run_group_tests(tests, setup_server, teardown_server);
}
