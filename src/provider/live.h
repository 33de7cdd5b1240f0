/* live — the ActionCable client for Chatwoot's RoomChannel, inside the
 * provider layer (JSON never leaves it): connect (ws), wait for welcome,
 * subscribe with the pubsub_token, stay live while pings come, and go back
 * to connecting with jittered backoff whenever anything fails.
 *
 * States and timers (doc: research notes on push):
 *   BACKOFF     0.5 s * 2^n, at most 30 s, 50–100 % of it (jitter)
 *   CONNECTING  curl's own 10 s connect timeout, 10 s for the upgrade
 *   WELCOME     10 s for {"type":"welcome"}
 *   CONFIRM     10 s for confirm_subscription; reject_subscription waits
 *               the longest backoff (a wrong token does not heal by itself)
 *   LIVE        no frame for 10 s (three missed pings) is a dead link;
 *               update_presence every 10 s (Chatwoot keeps an agent
 *               online for 20 s after each)
 * A server that says {"type":"disconnect","reconnect":false} is not asked
 * again. Callbacks run from the loop (http_perform), never re-entrantly. */
#ifndef TWOWAY_LIVE_H
#define TWOWAY_LIVE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct http;
struct live;

struct live_callbacks {
    /* Up (subscribed) or down, with why (for the status line). */
    void (*state)(void *ud, bool up, const char *why);
    /* One event of the channel: its name and data (borrowed). */
    void (*event)(void *ud, const char *name, json_object *data);
    void *ud;
};

/* http is borrowed: the connection is driven as one of its sources. */
struct live *live_new(struct http *h, const struct live_callbacks *cb);
void live_free(struct live **l);

/* Connect to base_url + "/cable" and subscribe as this agent. Replaces
 * whatever was going on. */
void live_start(struct live *l, const char *base_url, const char *pubsub_token, int64_t account_id,
                int64_t user_id);
/* Disconnect and stay down (no state callback). */
void live_stop(struct live *l);

/* For tests: the clock (monotonic ms) and the jitter's
 * random byte live reads, and the connection's bytes (ws_set_io). NULL
 * fields keep the real ones. */
struct ws_io;
struct live_hooks {
    int64_t (*now_ms)(void *ud);
    unsigned (*random_byte)(void *ud);
    const struct ws_io *io;
    void *ud;
};
void live_set_hooks(struct live *l, const struct live_hooks *hk);

/* chatwoot_live.c: the Chatwoot driver's channel — live's events mapped
 * to model records and handed to the provider's prov_events. */
struct prov_events;
struct prov_live_id;
struct cw_live;
struct cw_live *cw_live_new(struct http *h, const char *base_url);
void cw_live_free(struct cw_live **cl);
/* NULL ev stops. */
void cw_live_subscribe(struct cw_live *cl, const struct prov_live_id *id,
                       const struct prov_events *ev);

#endif
