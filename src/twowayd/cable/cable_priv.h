/* cable_priv — what the hub (hub.c), the ActionCable channel (channel.c)
 * and the event renderer (events.c) share. Everything here belongs to the
 * hub thread unless it says otherwise. */
#ifndef TWOWAYD_CABLE_PRIV_H
#define TWOWAYD_CABLE_PRIV_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <wslay/wslay.h>

#include "cable/cable.h"
#include "http/req.h"

/* Subscriptions one connection may hold (Chatwoot's dashboard uses one). */
#define CABLE_MAX_SUBS 4

struct cable_sub {
    char *identifier; /* as the client sent it: echoed byte for byte */
    struct req_agent agent;
};

struct cable_client {
    struct cable *hub;
    int fd;
    void (*close_fn)(void *);
    void *close_ud;
    wslay_event_context_ptr ws;
    char *extra; /* bytes read before the upgrade, fed to wslay first */
    size_t nextra, extra_off;
    struct cable_sub subs[CABLE_MAX_SUBS];
    int nsubs;
    bool dead; /* close at the end of this turn */
    /* After our closing frame: read and drop until the peer closes or this
     * (monotonic) time passes, so its unread bytes never reset the
     * connection before it has read why it was closed. 0 = not lingering. */
    double linger_until;
    unsigned long serial; /* for the log */
};

struct cable_newcomer {
    int fd;
    char *extra;
    size_t nextra;
    void (*close_fn)(void *);
    void *close_ud;
};

/* Chatwoot's OnlineStatusTracker: the (monotonic) time an agent of an
 * account last subscribed or sent update_presence. */
struct cable_presence {
    int64_t account_id, agent_id;
    double at;
};

struct cable {
    struct twd *twd;
    struct cable_opts opts;
    pthread_t thread;
    int wake_fd; /* eventfd: intake or stop */

    pthread_mutex_t lock; /* guards the intake below */
    bool stopping;
    struct cable_newcomer *newcomers;
    size_t nnew, capnew;
    struct change *changes;
    size_t nchanges, capchanges;
    bool overflow; /* changes were dropped: every client must resync */

    /* Subscriptions open now; writers skip noting work when it is 0. */
    atomic_int nsubs;

    /* When each agent last said it is here: written by the hub thread,
     * read by any (the agents list). */
    pthread_mutex_t presence_lock;
    struct cable_presence *presence;
    size_t npresence, cappresence;

    /* Hub thread only. */
    struct cable_client **clients;
    size_t nclients, capclients;
    unsigned long serial;
};

/* hub.c: queue one text frame (a NUL-terminated JSON text) for a client;
 * a client whose queue would pass the bound is marked dead. */
void cable_send(struct cable_client *cl, const char *text);
/* The agent says it is here (a subscribe or update_presence). */
void cable_presence_touch(struct cable *hub, const struct req_agent *agent);
/* The agents of the account who said so within the presence window, as a
 * presence "users" object {"<id>": availability}. Owned. */
json_object *cable_presence_users(struct cable *hub, int64_t account_id);
/* As Chatwoot's RoomChannel: who is online, to every subscription of this
 * agent (its own stream), never to the others of the account. */
void cable_send_presence(struct cable *hub, const struct req_agent *agent);

/* channel.c: one text message from a client (a command). */
void cable_channel_command(struct cable_client *cl, const char *text, size_t len);
/* A subscription's event frame: {"identifier":…,"message":message}. Owned. */
char *cable_channel_frame(const struct cable_sub *sub, const char *message_json);

/* events.c: a committed change as Chatwoot's event, with who gets it. */
struct cable_event {
    const char *name; /* "message.created", … */
    int64_t account_id;
    char *message;      /* {"event":name,"data":{…}} as JSON text, owned */
    bool whole_account; /* every agent of the account, else agents[] */
    int64_t *agents;    /* who may see the conversation */
    size_t nagents;
    int64_t except; /* an agent who does not get it (the typist), or 0 */
};
/* With the db lock held. false if the row is gone (nothing to tell). */
bool cable_event_render(struct db *db, const struct change *c, struct cable_event *ev);
void cable_event_clear(struct cable_event *ev);
bool cable_event_for(const struct cable_event *ev, const struct req_agent *a);

#endif
