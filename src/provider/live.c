/* live — ActionCable over ws. */
#include "live.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/http.h"
#include "json_map.h"
#include "twoway/log.h"
#include "twoway/timeutil.h"
#include "twoway/ws.h"
#include "twoway/xmalloc.h"

#define BACKOFF_BASE_MS 500
#define BACKOFF_MAX_MS 30000
#define STEP_MS 10000     /* welcome, confirm */
#define WATCHDOG_MS 10000 /* silence that means a dead link */
#define PRESENCE_MS                                                                                \
    10000 /* update_presence while live (Chatwoot's dashboard: 10 s; the window is 20 s) */
#define PROTOCOLS "actioncable-v1-json, actioncable-unsupported"

enum live_state { L_OFF, L_BACKOFF, L_CONNECTING, L_WELCOME, L_CONFIRM, L_LIVE };

struct live {
    struct http *h;
    struct ws *ws;
    struct live_callbacks cb;
    char *url;
    char *identifier;
    enum live_state st;
    int64_t deadline; /* of the current state; 0 none */
    int64_t last_rx;
    int64_t next_presence;
    int fails;
    bool up;    /* the owner was last told "up" */
    bool told;  /* the owner was told anything since live_start */
    char *drop; /* a reason to drop the connection, noticed in a callback */
    bool stop_for_good;
    struct live_hooks hk;
};

/* The one live whose clock is being read (live is driven from one loop). */
static const struct live *clock_of;

static int64_t now_ms(void)
{
    if (clock_of && clock_of->hk.now_ms)
        return clock_of->hk.now_ms(clock_of->hk.ud);
    return timeutil_mono_ms();
}

static void tell(struct live *l, bool up, const char *why)
{
    if (l->told && l->up == up && up)
        return;
    if (l->told && !l->up && !up)
        return; /* still down: the first reason stands */
    l->told = true;
    l->up = up;
    log_info("cable: %s%s%s", up ? "live" : "down", why && *why ? ": " : "", why ? why : "");
    if (l->cb.state)
        l->cb.state(l->cb.ud, up, why);
}

static int64_t backoff_ms(const struct live *l, int fails)
{
    int64_t ms = BACKOFF_BASE_MS;
    for (int i = 1; i < fails && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    if (ms > BACKOFF_MAX_MS)
        ms = BACKOFF_MAX_MS;
    unsigned char r = 0;
    if (l->hk.random_byte)
        r = (unsigned char)l->hk.random_byte(l->hk.ud);
    else
        RAND_bytes(&r, 1);
    return ms / 2 + ms * r / 512; /* 50–100 % */
}

static void go_down(struct live *l, const char *why, bool give_up_a_while)
{
    ws_close(l->ws);
    l->fails++;
    l->st = L_BACKOFF;
    l->deadline = now_ms() + (give_up_a_while ? BACKOFF_MAX_MS : backoff_ms(l, l->fails));
    tell(l, false, why);
}

static void send_json(struct live *l, json_object *o)
{
    if (ws_send(l->ws, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0 && !l->drop)
        l->drop = xstrdup("could not send to the server");
    json_object_put(o);
}

static void send_command(struct live *l, const char *command, const char *data)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "command", json_object_new_string(command));
    json_object_object_add(o, "identifier", json_object_new_string(l->identifier));
    if (data)
        json_object_object_add(o, "data", json_object_new_string(data));
    send_json(l, o);
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* ---- ws callbacks (inside ws_perform: never close ws here) ---- */

static void on_open(void *ud, const char *protocol)
{
    struct live *l = ud;
    if (*protocol && strcmp(protocol, "actioncable-v1-json") != 0) {
        l->drop = xasprintf("the server speaks %s, not ActionCable", protocol);
        return;
    }
    l->st = L_WELCOME;
    l->deadline = now_ms() + STEP_MS;
    l->last_rx = now_ms();
}

static void on_message(struct live *l, json_object *o)
{
    const char *type = str_of(o, "type");
    const char *ident = str_of(o, "identifier");
    if (type && strcmp(type, "welcome") == 0) {
        if (l->st == L_WELCOME) {
            send_command(l, "subscribe", NULL);
            l->st = L_CONFIRM;
            l->deadline = now_ms() + STEP_MS;
        }
    } else if (type && strcmp(type, "ping") == 0) {
        /* last_rx is enough */
    } else if (type && strcmp(type, "confirm_subscription") == 0) {
        if (l->st == L_CONFIRM && ident && strcmp(ident, l->identifier) == 0) {
            l->st = L_LIVE;
            l->fails = 0;
            l->deadline = 0;
            l->next_presence = now_ms() + PRESENCE_MS;
            tell(l, true, "");
        }
    } else if (type && strcmp(type, "reject_subscription") == 0) {
        if (!l->drop)
            l->drop = xstrdup("the server rejected the live subscription (pubsub token)");
    } else if (type && strcmp(type, "disconnect") == 0) {
        json_object *rc = NULL;
        json_object_object_get_ex(o, "reconnect", &rc);
        const char *reason = str_of(o, "reason");
        if (!l->drop)
            l->drop = xasprintf("the server ended the live connection (%s)",
                                reason ? reason : "no reason given");
        if (rc && json_object_is_type(rc, json_type_boolean) && !json_object_get_boolean(rc))
            l->stop_for_good = true;
    } else if (!type && ident && strcmp(ident, l->identifier) == 0 && l->st == L_LIVE) {
        json_object *msg, *data;
        const char *event;
        if (json_object_object_get_ex(o, "message", &msg) &&
            json_object_is_type(msg, json_type_object) && (event = str_of(msg, "event")) &&
            json_object_object_get_ex(msg, "data", &data) &&
            json_object_is_type(data, json_type_object) && l->cb.event)
            l->cb.event(l->cb.ud, event, data);
    }
}

static void on_text(void *ud, const char *data, size_t len)
{
    struct live *l = ud;
    l->last_rx = now_ms();
    char *err = NULL;
    json_object *o = json_map_parse(data, len, &err);
    if (!o || !json_object_is_type(o, json_type_object)) {
        log_debug("cable: a message that is not a JSON object (%s)", err ? err : "?");
    } else {
        on_message(l, o);
    }
    free(err);
    json_object_put(o);
}

static void on_closed(void *ud, const char *why)
{
    struct live *l = ud;
    if (!l->drop)
        l->drop = xstrdup(why);
}

/* ---- the http source ---- */

static int src_pollfds(void *ud, struct pollfd *fds, int max)
{
    struct live *l = ud;
    return ws_pollfds(l->ws, fds, max);
}

static long src_timeout(void *ud)
{
    struct live *l = ud;
    clock_of = l;
    long t = ws_timeout_ms(l->ws);
    int64_t at = l->deadline;
    if (l->st == L_LIVE) {
        at = l->last_rx + WATCHDOG_MS;
        if (l->next_presence < at)
            at = l->next_presence;
    }
    if (at > 0) {
        int64_t left = at - now_ms();
        long ms = left < 0 ? 0 : (long)left;
        if (t < 0 || ms < t)
            t = ms;
    }
    return t;
}

static void src_perform(void *ud, const struct pollfd *fds, int n)
{
    struct live *l = ud;
    clock_of = l;
    if (l->st == L_OFF)
        return;
    ws_perform(l->ws, fds, n);
    int64_t now = now_ms();
    if (l->drop) {
        char *why = l->drop;
        l->drop = NULL;
        bool rejected = strstr(why, "rejected") != NULL;
        go_down(l, why, rejected);
        if (l->stop_for_good) {
            l->st = L_OFF;
            l->deadline = 0;
        }
        free(why);
        return;
    }
    switch (l->st) {
    case L_BACKOFF:
        if (now >= l->deadline) {
            l->st = L_CONNECTING;
            l->deadline = 0;
            ws_connect(l->ws, l->url, PROTOCOLS);
        }
        break;
    case L_WELCOME:
    case L_CONFIRM:
        if (now >= l->deadline)
            go_down(l,
                    l->st == L_WELCOME ? "no welcome from the server"
                                       : "no answer to the live subscription (pubsub token?)",
                    false);
        break;
    case L_LIVE:
        if (now - l->last_rx >= WATCHDOG_MS) {
            go_down(l, "no ping from the server for 10 s", false);
        } else if (now >= l->next_presence) {
            send_command(l, "message", "{\"action\":\"update_presence\"}");
            l->next_presence = now + PRESENCE_MS;
        }
        break;
    default:
        break;
    }
}

static const struct http_source live_source = {src_pollfds, src_timeout, src_perform};

/* ---- public ---- */

struct live *live_new(struct http *h, const struct live_callbacks *cb)
{
    struct live *l = xcalloc(1, sizeof *l);
    l->h = h;
    l->cb = *cb;
    struct ws_callbacks wcb = {.open = on_open, .text = on_text, .closed = on_closed, .ud = l};
    l->ws = ws_new(h, &wcb);
    http_add_source(h, &live_source, l);
    return l;
}

void live_free(struct live **pl)
{
    struct live *l = *pl;
    if (!l)
        return;
    http_remove_source(l->h, l);
    if (clock_of == l)
        clock_of = NULL;
    ws_free(&l->ws);
    free(l->url);
    free(l->identifier);
    free(l->drop);
    free(l);
    *pl = NULL;
}

void live_start(struct live *l, const char *base_url, const char *pubsub_token, int64_t account_id,
                int64_t user_id)
{
    clock_of = l;
    free(l->url);
    free(l->identifier);
    l->url = xasprintf("%s/cable", base_url);
    json_object *id = json_object_new_object();
    json_object_object_add(id, "channel", json_object_new_string("RoomChannel"));
    json_object_object_add(id, "pubsub_token", json_object_new_string(pubsub_token));
    json_object_object_add(id, "account_id", json_object_new_int64(account_id));
    json_object_object_add(id, "user_id", json_object_new_int64(user_id));
    l->identifier = xstrdup(json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
    json_object_put(id);
    ws_close(l->ws);
    free(l->drop);
    l->drop = NULL;
    l->stop_for_good = false;
    l->fails = 0;
    l->told = false;
    l->up = false;
    l->st = L_CONNECTING;
    l->deadline = 0;
    ws_connect(l->ws, l->url, PROTOCOLS);
}

void live_set_hooks(struct live *l, const struct live_hooks *hk)
{
    l->hk = *hk;
    ws_set_io(l->ws, hk->io);
}

void live_stop(struct live *l)
{
    ws_close(l->ws);
    l->st = L_OFF;
    l->deadline = 0;
}
