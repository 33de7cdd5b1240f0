/* cable — Chatwoot's ActionCable at /cable: live events for twoway and any
 * Chatwoot client.
 *
 * The HTTP server checks the WebSocket opening handshake (cable_handshake)
 * and hands each upgraded socket to the hub (cable_adopt). The hub is one
 * thread with one poll() over every cable socket: it frames with wslay,
 * speaks ActionCable (welcome, ping every few seconds, RoomChannel
 * subscriptions by pubsub_token, update_presence), and delivers the
 * database's committed changes (store/db.h notes, through cable_on_commit)
 * as Chatwoot's events to the agents of the account who may see them. No
 * writer ever waits for a cable client: a client whose queue outgrows its
 * bound is dropped and catches up over REST when it reconnects. */
#ifndef TWOWAYD_CABLE_H
#define TWOWAYD_CABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/changes.h"
#include "twoway/wskey.h"

struct twd;
struct cable;

struct cable_opts {
    double ping;      /* seconds between pings (ActionCable: 3) */
    size_t queue_max; /* bytes queued for one client before it is dropped */
    /* An agent is online while its last subscribe or update_presence is at
     * most this many seconds old (Chatwoot's PRESENCE_DURATION: 20). */
    double presence;
};

/* Start the hub thread. NULL with *err (owned). */
struct cable *cable_start(struct twd *twd, const struct cable_opts *o, char **err);
/* Close every client and stop the thread; later sockets are closed at once
 * and later changes dropped. The hub stays valid until cable_free. */
void cable_stop(struct cable *c);
/* After every writer and the HTTP server stopped. */
void cable_free(struct cable **c);

/* Check a GET /cable's upgrade headers (any may be NULL). NULL when the
 * handshake is good: accept is filled and *proto says whether to answer
 * with Sec-WebSocket-Protocol: actioncable-v1-json. Else why not (static,
 * for a 400). */
const char *cable_handshake(const char *upgrade, const char *connection, const char *version,
                            const char *key, const char *protocols, char accept[WSKEY_ACCEPT_SIZE],
                            bool *proto);

/* Take an upgraded socket (from the HTTP server's thread). extra: bytes the
 * server read past the request (copied). close_fn(close_ud) closes the
 * socket; the hub calls it exactly once, from any thread. */
void cable_adopt(struct cable *c, int fd, const char *extra, size_t n, void (*close_fn)(void *),
                 void *close_ud);

/* Is the agent online (it subscribed or sent update_presence within the
 * presence window)? Any thread. */
bool cable_agent_present(struct cable *c, int64_t account_id, int64_t agent_id);

/* changes_sink: queue committed changes for the hub (any thread). */
void cable_on_commit(void *ud, const struct change *changes, size_t n);

#endif
