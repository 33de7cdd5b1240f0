/* The WebSocket client (ws.c) and the ActionCable channel (live.c) against
 * a fake transport (ws_io: the bytes each way are buffers here), a fake
 * clock and a fixed random byte: framing edge cases, the closing
 * handshake, untrusted text, and the channel's states, timers and
 * backoff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "twoway/buf.h"
#include "twoway/http.h"
#include "twoway/wskey.h"
#include "twoway/ws.h"
#include "twoway/xmalloc.h"

/* ---- the fake transport ---- */

struct wire {
    struct buf in; /* server → client, not read yet from in_off */
    size_t in_off;
    struct buf out; /* client → server */
    bool eof, broken;
    size_t chunk;    /* the most one recv gives (0: all) */
    int connections; /* upgrade requests seen */
};

static int wire_send(void *ud, const void *buf, size_t len, size_t *n)
{
    struct wire *w = ud;
    if (w->broken)
        return -1;
    buf_add(&w->out, buf, len);
    *n = len;
    return 0;
}

static int wire_recv(void *ud, void *buf, size_t len, size_t *n)
{
    struct wire *w = ud;
    if (w->broken)
        return -1;
    size_t left = w->in.len - w->in_off;
    if (!left) {
        *n = 0;
        return w->eof ? 0 : 1;
    }
    if (w->chunk && len > w->chunk)
        len = w->chunk;
    if (len > left)
        len = left;
    memcpy(buf, w->in.data + w->in_off, len);
    w->in_off += len;
    *n = len;
    return 0;
}

/* A frame from the server: masked only when asked (a server must not). */
static void frame(struct wire *w, bool fin, int opcode, const void *payload, size_t len, bool mask)
{
    unsigned char h[14];
    size_t hl = 0;
    h[hl++] = (unsigned char)((fin ? 0x80 : 0) | opcode);
    unsigned char m = mask ? 0x80 : 0;
    if (len < 126) {
        h[hl++] = (unsigned char)(m | len);
    } else if (len < 65536) {
        h[hl++] = m | 126;
        h[hl++] = (unsigned char)(len >> 8);
        h[hl++] = (unsigned char)len;
    } else {
        h[hl++] = m | 127;
        for (int i = 7; i >= 0; i--)
            h[hl++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    static const unsigned char key[4] = {1, 2, 3, 4};
    if (mask) {
        memcpy(h + hl, key, 4);
        hl += 4;
    }
    buf_add(&w->in, h, hl);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = ((const unsigned char *)payload)[i];
        buf_addc(&w->in, (char)(mask ? c ^ key[i % 4] : c));
    }
}

static void text(struct wire *w, const char *s)
{
    frame(w, true, 1, s, strlen(s), false);
}

/* The client's frames so far (they must be masked), taken off the wire:
 * opcode and unmasked payload of each; returns how many. */
struct cframe {
    int opcode;
    char *data;
    size_t len;
};

static size_t client_frames(struct wire *w, struct cframe *out, size_t max)
{
    size_t n = 0, off = 0;
    const unsigned char *p = (const unsigned char *)w->out.data;
    while (off + 2 <= w->out.len && n < max) {
        int op = p[off] & 0x0f;
        assert_true(p[off + 1] & 0x80); /* RFC 6455 5.1: clients mask */
        size_t len = p[off + 1] & 0x7f, hl = 2;
        if (len == 126) {
            len = (size_t)p[off + 2] << 8 | p[off + 3];
            hl = 4;
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++)
                len = len << 8 | p[off + 2 + i];
            hl = 10;
        }
        const unsigned char *key = p + off + hl;
        assert_true(off + hl + 4 + len <= w->out.len);
        out[n].opcode = op;
        out[n].len = len;
        out[n].data = xcalloc(1, len + 1);
        for (size_t i = 0; i < len; i++)
            out[n].data[i] = (char)(key[4 + i] ^ key[i % 4]);
        n++;
        off += hl + 4 + len;
    }
    buf_reset(&w->out);
    return n;
}

static void cframes_free(struct cframe *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i].data);
}

/* Answer the upgrade request on the wire as a server would (accept from
 * its key), with extra bytes right behind the 101 if given. */
static void answer_upgrade(struct wire *w, const char *accept_override, const char *extra)
{
    buf_addc(&w->out, '\0');
    const char *req = w->out.data;
    assert_non_null(strstr(req, "GET /cable HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "Sec-WebSocket-Protocol: actioncable-v1-json"));
    const char *k = strstr(req, "Sec-WebSocket-Key: ");
    assert_non_null(k);
    char key[WSKEY_KEY_SIZE];
    memcpy(key, k + 19, WSKEY_KEY_SIZE - 1);
    key[WSKEY_KEY_SIZE - 1] = '\0';
    char accept[WSKEY_ACCEPT_SIZE];
    wskey_accept(key, accept);
    buf_reset(&w->out);
    w->connections++;
    buf_addf(&w->in,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: actioncable-v1-json\r\n\r\n%s",
             accept_override ? accept_override : accept, extra ? extra : "");
}

/* ---- ws alone ---- */

struct wfx {
    struct http *h;
    struct ws *ws;
    struct wire wire;
    int opened;
    struct buf got[8]; /* text messages */
    int ngot;
    char *closed;
};

static void w_open(void *ud, const char *protocol)
{
    struct wfx *f = ud;
    assert_string_equal(protocol, "actioncable-v1-json");
    f->opened++;
}

static void w_text(void *ud, const char *data, size_t len)
{
    struct wfx *f = ud;
    assert_true(f->ngot < 8);
    buf_init(&f->got[f->ngot]);
    buf_add(&f->got[f->ngot++], data, len);
}

static void w_closed(void *ud, const char *why)
{
    struct wfx *f = ud;
    free(f->closed);
    f->closed = xstrdup(why);
}

static int wsetup(void **state)
{
    struct wfx *f = xcalloc(1, sizeof *f);
    struct http_opts o = {0};
    f->h = http_new(&o);
    struct ws_callbacks cb = {w_open, w_text, w_closed, f};
    f->ws = ws_new(f->h, &cb);
    buf_init(&f->wire.in);
    buf_init(&f->wire.out);
    struct ws_io io = {wire_send, wire_recv, &f->wire};
    ws_set_io(f->ws, &io);
    *state = f;
    return 0;
}

static int wteardown(void **state)
{
    struct wfx *f = *state;
    ws_free(&f->ws);
    http_free(&f->h);
    for (int i = 0; i < f->ngot; i++)
        buf_free(&f->got[i]);
    buf_free(&f->wire.in);
    buf_free(&f->wire.out);
    free(f->closed);
    free(f);
    return 0;
}

static void pump(struct wfx *f)
{
    for (int i = 0; i < 64; i++)
        ws_perform(f->ws, NULL, 0);
}

static void open_ws(struct wfx *f, const char *extra)
{
    ws_connect(f->ws, "http://chat.example/cable", "actioncable-v1-json, actioncable-unsupported");
    pump(f);
    answer_upgrade(&f->wire, NULL, extra);
    pump(f);
    assert_int_equal(f->opened, 1);
    assert_null(f->closed);
}

static void test_ws__frames_that_came_with_the_101_are_read_at_once(void **state)
{
    struct wfx *f = *state;
    ws_connect(f->ws, "http://chat.example/cable", "actioncable-v1-json");
    pump(f);
    answer_upgrade(&f->wire, NULL, "\x81\x12{\"type\":\"welcome\"}");
    f->wire.chunk = 1; /* and every byte in a read of its own */
    pump(f);
    assert_int_equal(f->opened, 1);
    assert_int_equal(f->ngot, 1);
    assert_string_equal(f->got[0].data, "{\"type\":\"welcome\"}");
}

static void test_ws__a_wrong_accept_or_no_101_is_refused(void **state)
{
    struct wfx *f = *state;
    ws_connect(f->ws, "http://chat.example/cable", "actioncable-v1-json");
    pump(f);
    answer_upgrade(&f->wire, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL);
    pump(f);
    assert_int_equal(f->opened, 0);
    assert_non_null(f->closed);
    assert_non_null(strstr(f->closed, "Sec-WebSocket-Accept"));
    free(f->closed);
    f->closed = NULL;
    buf_reset(&f->wire.in);
    f->wire.in_off = 0;
    ws_connect(f->ws, "http://chat.example/cable", "actioncable-v1-json");
    pump(f);
    buf_adds(&f->wire.in, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    pump(f);
    assert_int_equal(f->opened, 0);
    assert_non_null(strstr(f->closed, "HTTP 403"));
}

static void test_ws__fragments_with_a_ping_between_are_one_message(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    frame(&f->wire, false, 1, "{\"a\":", 5, false);
    frame(&f->wire, true, 9, "hi", 2, false); /* ping between fragments */
    frame(&f->wire, false, 0, "\"sp", 3, false);
    frame(&f->wire, true, 0, "lit\"}", 5, false);
    pump(f);
    assert_int_equal(f->ngot, 1);
    assert_string_equal(f->got[0].data, "{\"a\":\"split\"}");
    struct cframe cf[4];
    size_t n = client_frames(&f->wire, cf, 4);
    assert_int_equal(n, 1);
    assert_int_equal(cf[0].opcode, 10); /* the pong, with the ping's data */
    assert_memory_equal(cf[0].data, "hi", 2);
    cframes_free(cf, n);
    assert_null(f->closed);
}

static void test_ws__a_large_message_with_a_64_bit_length_comes_whole(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    size_t len = 3 * 1024 * 1024;
    char *big = xcalloc(1, len + 1);
    memset(big, 'x', len);
    big[0] = '"';
    big[len - 1] = '"';
    frame(&f->wire, true, 1, big, len, false);
    f->wire.chunk = 7000;
    for (int i = 0; i < 2000 && f->ngot == 0; i++)
        ws_perform(f->ws, NULL, 0);
    assert_int_equal(f->ngot, 1);
    assert_int_equal(f->got[0].len, len);
    assert_memory_equal(f->got[0].data, big, len);
    free(big);
}

static void test_ws__an_oversize_message_closes_with_1009(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    /* A header that announces 9 MiB is enough: nothing of it is kept. */
    static const unsigned char h[] = {0x81, 127, 0, 0, 0, 0, 0, 0x90, 0, 0};
    buf_add(&f->wire.in, h, sizeof h);
    for (int i = 0; i < 4096; i++)
        buf_addc(&f->wire.in, 'x');
    pump(f);
    assert_non_null(f->closed);
    assert_non_null(strstr(f->closed, "too big"));
    assert_int_equal(f->ngot, 0);
}

static void test_ws__a_masked_frame_from_the_server_is_a_protocol_error(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    frame(&f->wire, true, 1, "{}", 2, true);
    pump(f);
    assert_int_equal(f->ngot, 0);
    assert_non_null(f->closed);
}

static void test_ws__text_that_is_not_utf8_fails_with_1007(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    frame(&f->wire, true, 1, "{\"x\":\"\xc3\x28\"}", 10, false);
    pump(f);
    assert_int_equal(f->ngot, 0);
    assert_non_null(f->closed);
    assert_non_null(strstr(f->closed, "UTF-8"));
}

static void test_ws__the_servers_close_is_answered_before_we_go(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    buf_reset(&f->wire.out);
    static const unsigned char bye[] = {0x03, 0xe9, 'b', 'y', 'e'}; /* 1001 */
    frame(&f->wire, true, 8, bye, sizeof bye, false);
    pump(f);
    assert_non_null(f->closed);
    assert_non_null(strstr(f->closed, "1001"));
    struct cframe cf[2];
    size_t n = client_frames(&f->wire, cf, 2);
    assert_int_equal(n, 1);
    assert_int_equal(cf[0].opcode, 8); /* our close, echoing the code */
    assert_true(cf[0].len >= 2);
    assert_int_equal(((unsigned char)cf[0].data[0] << 8) | (unsigned char)cf[0].data[1], 1001);
    cframes_free(cf, n);
}

static void test_ws__garbage_and_the_end_of_the_stream_close(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    static const unsigned char junk[] = {0x83, 0x01, 'z'}; /* a reserved opcode */
    buf_add(&f->wire.in, junk, sizeof junk);
    pump(f);
    assert_non_null(f->closed);
    free(f->closed);
    f->closed = NULL;
    buf_reset(&f->wire.in);
    buf_reset(&f->wire.out);
    f->wire.in_off = 0;
    f->opened = 0;
    open_ws(f, NULL);
    f->wire.eof = true;
    pump(f);
    assert_non_null(f->closed);
    assert_non_null(strstr(f->closed, "closed the connection"));
}

static void test_ws__send_is_one_masked_text_frame(void **state)
{
    struct wfx *f = *state;
    open_ws(f, NULL);
    buf_reset(&f->wire.out);
    assert_int_equal(ws_send(f->ws, "{\"command\":\"subscribe\"}"), 0);
    pump(f);
    struct cframe cf[2];
    size_t n = client_frames(&f->wire, cf, 2);
    assert_int_equal(n, 1);
    assert_int_equal(cf[0].opcode, 1);
    assert_string_equal(cf[0].data, "{\"command\":\"subscribe\"}");
    cframes_free(cf, n);
    /* A broken connection says so, and sends fail after it. */
    f->wire.broken = true;
    assert_int_equal(ws_send(f->ws, "x"), 0);
    pump(f);
    assert_non_null(f->closed);
    assert_int_equal(ws_send(f->ws, "y"), -1);
}

/* ---- the channel ---- */

struct lfx {
    struct http *h;
    struct live *l;
    struct wire wire;
    int64_t now;
    unsigned rnd;
    int ups, downs;
    char *why;
    int events;
    char *last_event;
};

static int64_t l_now(void *ud)
{
    return ((struct lfx *)ud)->now;
}

static unsigned l_rand(void *ud)
{
    return ((struct lfx *)ud)->rnd;
}

static void l_state(void *ud, bool up, const char *why)
{
    struct lfx *f = ud;
    if (up)
        f->ups++;
    else
        f->downs++;
    free(f->why);
    f->why = xstrdup(why ? why : "");
}

static void l_event(void *ud, const char *name, json_object *data)
{
    struct lfx *f = ud;
    assert_true(json_object_is_type(data, json_type_object));
    f->events++;
    free(f->last_event);
    f->last_event = xstrdup(name);
}

#define IDENT_RE                                                                                   \
    "{\"channel\":\"RoomChannel\",\"pubsub_token\":\"tok\",\"account_id\":1,\"user_id\":7}"

static int lsetup(void **state)
{
    struct lfx *f = xcalloc(1, sizeof *f);
    struct http_opts o = {0};
    f->h = http_new(&o);
    f->now = 1000000;
    f->rnd = 0;
    buf_init(&f->wire.in);
    buf_init(&f->wire.out);
    struct live_callbacks cb = {l_state, l_event, f};
    f->l = live_new(f->h, &cb);
    struct ws_io io = {wire_send, wire_recv, &f->wire};
    struct live_hooks hk = {l_now, l_rand, &io, f};
    live_set_hooks(f->l, &hk);
    *state = f;
    return 0;
}

static int lteardown(void **state)
{
    struct lfx *f = *state;
    live_free(&f->l);
    http_free(&f->h);
    buf_free(&f->wire.in);
    buf_free(&f->wire.out);
    free(f->why);
    free(f->last_event);
    free(f);
    return 0;
}

static void lpump(struct lfx *f)
{
    for (int i = 0; i < 32; i++)
        http_perform(f->h, NULL, 0);
}

static void advance(struct lfx *f, int64_t ms)
{
    f->now += ms;
    lpump(f);
}

/* The client's commands since the last look, parsed. */
static size_t commands(struct lfx *f, json_object **out, size_t max)
{
    struct cframe cf[16];
    size_t n = client_frames(&f->wire, cf, 16), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (cf[i].opcode == 1 && k < max)
            out[k++] = json_tokener_parse(cf[i].data);
    }
    cframes_free(cf, n);
    return k;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* Connect, welcome, subscribe, confirm: live. */
static void go_live(struct lfx *f)
{
    lpump(f);
    answer_upgrade(&f->wire, NULL, NULL);
    lpump(f);
    json_object *cmd[4];
    assert_int_equal(commands(f, cmd, 4), 0); /* nothing before welcome */
    text(&f->wire, "{\"type\":\"welcome\"}");
    lpump(f);
    assert_int_equal(commands(f, cmd, 4), 1);
    assert_string_equal(str(cmd[0], "command"), "subscribe");
    assert_string_equal(str(cmd[0], "identifier"), IDENT_RE);
    json_object_put(cmd[0]);
    int ups = f->ups;
    text(&f->wire, "{\"identifier\":\"" IDENT_RE "\",\"type\":\"confirm_subscription\"}");
    /* The identifier must match byte for byte: json-escape it. */
    buf_reset(&f->wire.in);
    f->wire.in_off = 0;
    json_object *c = json_object_new_object();
    json_object_object_add(c, "identifier", json_object_new_string(IDENT_RE));
    json_object_object_add(c, "type", json_object_new_string("confirm_subscription"));
    text(&f->wire, json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN));
    json_object_put(c);
    lpump(f);
    assert_int_equal(f->ups, ups + 1);
}

static void start(struct lfx *f)
{
    live_start(f->l, "http://chat.example", "tok", 1, 7);
}

static void event(struct lfx *f, const char *name, const char *data)
{
    json_object *m = json_object_new_object();
    json_object_object_add(m, "identifier", json_object_new_string(IDENT_RE));
    json_object *msg = json_object_new_object();
    json_object_object_add(msg, "event", json_object_new_string(name));
    json_object_object_add(msg, "data", json_tokener_parse(data));
    json_object_object_add(m, "message", msg);
    text(&f->wire, json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
    json_object_put(m);
}

static void test_live__subscribes_after_welcome_and_hands_on_events(void **state)
{
    struct lfx *f = *state;
    start(f);
    go_live(f);
    event(f, "message.created", "{\"id\":5}");
    lpump(f);
    assert_int_equal(f->events, 1);
    assert_string_equal(f->last_event, "message.created");
    /* Garbage, other types, unknown events and other identifiers pass by. */
    text(&f->wire, "{not json");
    text(&f->wire, "[1,2]");
    text(&f->wire, "{\"type\":\"teleport\"}");
    text(&f->wire, "{\"identifier\":\"{}\",\"message\":{\"event\":\"x\",\"data\":{}}}");
    text(&f->wire, "{\"identifier\":\"" IDENT_RE "\",\"message\":\"no object\"}");
    event(f, "conversation.exploded", "{\"id\":1}");
    event(f, "message.created", "[]");
    lpump(f);
    assert_int_equal(f->events, 2); /* the unknown event, the valid one only */
    assert_int_equal(f->downs, 0);
}

static void test_live__presence_every_ten_seconds_and_a_silent_link_is_dropped(void **state)
{
    struct lfx *f = *state;
    start(f);
    go_live(f);
    json_object *cmd[4];
    for (int i = 0; i < 3; i++) {
        advance(f, 5000);
        text(&f->wire, "{\"type\":\"ping\",\"message\":1}");
        advance(f, 5000);
        size_t n = commands(f, cmd, 4);
        assert_int_equal(n, 1);
        assert_string_equal(str(cmd[0], "command"), "message");
        assert_non_null(strstr(str(cmd[0], "data"), "update_presence"));
        json_object_put(cmd[0]);
    }
    assert_int_equal(f->downs, 0);
    /* No frame for 10 s: a dead link. */
    advance(f, 10000);
    assert_int_equal(f->downs, 1);
    assert_non_null(strstr(f->why, "no ping"));
}

static void test_live__backoff_doubles_to_thirty_seconds_with_jitter(void **state)
{
    struct lfx *f = *state;
    start(f);
    lpump(f);
    /* Every attempt fails at once: the waits are 0.5, 1, 2 … 30 s times
     * the jitter (rnd 0: half; 255: all but a little). */
    static const int64_t base[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        f->rnd = i % 2 ? 255 : 0;
        int before = f->wire.connections;
        f->wire.broken = true;
        lpump(f); /* the upgrade request cannot go: down */
        f->wire.broken = false;
        buf_reset(&f->wire.out);
        int64_t lo = base[i] / 2 + base[i] * f->rnd / 512;
        advance(f, lo - 1);
        buf_addc(&f->wire.out, '\0');
        bool asked = strstr(f->wire.out.data, "GET /cable") != NULL;
        assert_false(asked); /* not before the wait is over */
        buf_reset(&f->wire.out);
        advance(f, 1);
        buf_addc(&f->wire.out, '\0');
        asked = strstr(f->wire.out.data, "GET /cable") != NULL;
        assert_true(asked);
        (void)before;
    }
    assert_int_equal(f->ups, 0);
}

static void test_live__reconnects_and_comes_up_again_after_a_drop(void **state)
{
    struct lfx *f = *state;
    start(f);
    go_live(f);
    f->wire.eof = true;
    lpump(f);
    assert_int_equal(f->downs, 1);
    f->wire.eof = false;
    buf_reset(&f->wire.in);
    f->wire.in_off = 0;
    buf_reset(&f->wire.out);
    advance(f, 500); /* the first wait, at most */
    go_live(f);
    assert_int_equal(f->ups, 2);
    assert_int_equal(f->wire.connections, 2);
}

static void test_live__reject_waits_longest_and_disconnect_for_good_stays_down(void **state)
{
    struct lfx *f = *state;
    start(f);
    lpump(f);
    answer_upgrade(&f->wire, NULL, "\x81\x12{\"type\":\"welcome\"}");
    lpump(f);
    json_object *cmd[2];
    size_t n = commands(f, cmd, 2);
    for (size_t i = 0; i < n; i++)
        json_object_put(cmd[i]);
    text(&f->wire, "{\"identifier\":\"x\",\"type\":\"reject_subscription\"}");
    lpump(f);
    assert_int_equal(f->downs, 1);
    assert_non_null(strstr(f->why, "rejected"));
    buf_reset(&f->wire.in);
    f->wire.in_off = 0;
    buf_reset(&f->wire.out);
    advance(f, 29999);
    assert_int_equal(f->wire.out.len, 0); /* a wrong token does not heal soon */
    advance(f, 1);
    assert_true(f->wire.out.len > 0);
    /* The server says never again: never again. */
    answer_upgrade(&f->wire, NULL, "\x81\x12{\"type\":\"welcome\"}");
    lpump(f);
    buf_reset(&f->wire.out);
    text(&f->wire, "{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}");
    lpump(f);
    buf_reset(&f->wire.out);
    advance(f, 120000);
    assert_int_equal(f->wire.out.len, 0);
}

static void test_live__no_confirm_in_ten_seconds_is_a_failure(void **state)
{
    struct lfx *f = *state;
    start(f);
    lpump(f);
    answer_upgrade(&f->wire, NULL, "\x81\x12{\"type\":\"welcome\"}");
    lpump(f);
    advance(f, 9999);
    assert_int_equal(f->downs, 0);
    advance(f, 1);
    assert_int_equal(f->downs, 1);
    assert_non_null(strstr(f->why, "pubsub token"));
}

int main(void)
{
#define W(t) cmocka_unit_test_setup_teardown(t, wsetup, wteardown)
#define L(t) cmocka_unit_test_setup_teardown(t, lsetup, lteardown)
    const struct CMUnitTest tests[] = {
        W(test_ws__frames_that_came_with_the_101_are_read_at_once),
        W(test_ws__a_wrong_accept_or_no_101_is_refused),
        W(test_ws__fragments_with_a_ping_between_are_one_message),
        W(test_ws__a_large_message_with_a_64_bit_length_comes_whole),
        W(test_ws__an_oversize_message_closes_with_1009),
        W(test_ws__a_masked_frame_from_the_server_is_a_protocol_error),
        W(test_ws__text_that_is_not_utf8_fails_with_1007),
        W(test_ws__the_servers_close_is_answered_before_we_go),
        W(test_ws__garbage_and_the_end_of_the_stream_close),
        W(test_ws__send_is_one_masked_text_frame),
        L(test_live__subscribes_after_welcome_and_hands_on_events),
        L(test_live__presence_every_ten_seconds_and_a_silent_link_is_dropped),
        L(test_live__backoff_doubles_to_thirty_seconds_with_jitter),
        L(test_live__reconnects_and_comes_up_again_after_a_drop),
        L(test_live__reject_waits_longest_and_disconnect_for_good_stays_down),
        L(test_live__no_confirm_in_ten_seconds_is_a_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
