/* provider — what twoway needs from an inbox service, as asynchronous
 * operations with completion callbacks (DESIGN.md "provider").
 *
 * The Chatwoot driver (chatwoot.h) is the first implementation; twowayd
 * speaks the same API. Results arrive as model records, sanitized; JSON
 * never leaves the driver. Every operation calls its callback exactly once
 * (from the event loop, never re-entrantly from the call itself), unless
 * the provider is freed first. */
#ifndef TWOWAY_PROVIDER_H
#define TWOWAY_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

enum prov_err {
    PROV_OK = 0,
    PROV_ERR_NETWORK,   /* no connection, DNS, TLS, timeout */
    PROV_ERR_AUTH,      /* the token was rejected (401 Invalid Access Token) */
    PROV_ERR_DENIED,    /* not allowed (401/403 for this action or account) */
    PROV_ERR_NOT_FOUND, /* 404 */
    PROV_ERR_INVALID,   /* 400/422: the server refused the request, message says why */
    PROV_ERR_RATE,      /* 429 */
    PROV_ERR_SERVER,    /* 5xx */
    PROV_ERR_PROTOCOL,  /* an answer we could not understand */
};

/* One result; fields used depend on the operation (see each op). The
 * callback may steal owned fields (take the pointer and set it to NULL /
 * the count to 0); the rest is freed after the callback returns. */
struct prov_result {
    enum prov_err err;
    int http_status;
    char *message;        /* why it failed, fit to show a person; NULL on success */
    bool maybe_delivered; /* the request may have been carried out though no answer came */
    long retry_after;     /* seconds the server asked us to wait, -1 if none */

    struct conversation *convs; /* list, search, contact conversations */
    size_t nconvs;
    struct conv_counts counts; /* list and counts */
    bool has_counts;
    struct conversation conv; /* get, create */
    bool has_conv;
    struct message *msgs; /* list_messages */
    size_t nmsgs;
    bool partial;       /* list_messages: some messages could not be read and are missing */
    struct message msg; /* send_message */
    bool has_msg;
    /* list_dir fills its kind; assign_agent gives one agent (or none),
     * assign_team one team (or none). */
    struct directory dir;
    struct contact *contacts; /* search_contacts, get_contact (one) */
    size_t ncontacts;
    char **titles; /* get/set conversation labels */
    size_t ntitles;
    struct profile profile;
    bool has_profile;
    enum conv_status status; /* set_status: the status the server reports */
    int64_t snoozed_until;
    char *source_id; /* create_contact: the contact's address in the inbox, NULL if none */
};

typedef void (*prov_cb)(void *ud, struct prov_result *res);

/* list_messages: every message from the oldest on. */
#define PROV_FROM_OLDEST ((int64_t)-1)

/* Who to subscribe as on a live channel (from the profile). */
struct prov_live_id {
    const char *pubsub_token;
    int64_t account_id;
    int64_t user_id;
};

/* Pushed changes (for a provider with a live channel; polling providers
 * never call these). Every callback runs from the loop. */
struct prov_events {
    /* The channel is up (subscribed: changes will come) or down (why). */
    void (*live)(void *ud, bool up, const char *why);
    /* A message was created (created) or changed: delivery, deletion. */
    void (*message)(void *ud, struct message *m, bool created); /* takes *m */
    /* A conversation as it is now (any change, or a new one). */
    void (*conversation)(void *ud, struct conversation *c); /* takes *c */
    /* An agent started or stopped typing in a conversation (display id). */
    void (*typing)(void *ud, int64_t conv, int64_t agent_id, const char *who, bool on,
                   bool is_private);
    /* The agents online now (ids), each with the availability it chose
     * ("online", "busy", "offline": Chatwoot lists every agent who said
     * it is here within its window, whatever it chose). */
    void (*presence)(void *ud, const int64_t *online, const char *const *availability, size_t n);
    void *ud;
};

struct provider;

struct provider_ops {
    const char *name;
    void (*free)(struct provider *p);
    /* Start the live channel as this agent (NULL ev: stop it). May be NULL
     * in a provider without one. */
    void (*subscribe)(struct provider *p, const struct prov_live_id *id,
                      const struct prov_events *ev);

    void (*profile)(struct provider *p, prov_cb cb, void *ud);
    void (*list_conversations)(struct provider *p, const struct conv_query *q, prov_cb cb,
                               void *ud);
    void (*conversation_counts)(struct provider *p, const struct conv_query *q, prov_cb cb,
                                void *ud);
    void (*search_conversations)(struct provider *p, const char *q, int page, prov_cb cb, void *ud);
    void (*get_conversation)(struct provider *p, int64_t conv, prov_cb cb, void *ud);
    /* before/after: 0 = unset (see doc/api.md §4.1); after
     * PROV_FROM_OLDEST asks for the oldest page (after=0 on the wire). */
    void (*list_messages)(struct provider *p, int64_t conv, int64_t before, int64_t after,
                          prov_cb cb, void *ud);
    void (*send_message)(struct provider *p, int64_t conv, const char *content, bool is_private,
                         const char *echo_id, prov_cb cb, void *ud);
    /* A new outbound conversation to a contact with a first message;
     * source_id (NULL: none) is the contact's address in the inbox, as
     * create_contact gave it. */
    void (*create_conversation)(struct provider *p, int64_t inbox_id, int64_t contact_id,
                                const char *source_id, const char *content, prov_cb cb, void *ud);
    /* snoozed_until: epoch seconds for CONV_SNOOZED, 0 = until the next reply */
    void (*set_status)(struct provider *p, int64_t conv, enum conv_status st, int64_t snoozed_until,
                       prov_cb cb, void *ud);
    void (*set_priority)(struct provider *p, int64_t conv, enum conv_priority pr, prov_cb cb,
                         void *ud);
    void (*assign_agent)(struct provider *p, int64_t conv, int64_t agent_id /* 0 = none */,
                         prov_cb cb, void *ud);
    void (*assign_team)(struct provider *p, int64_t conv, int64_t team_id /* 0 = none */,
                        prov_cb cb, void *ud);
    void (*get_labels)(struct provider *p, int64_t conv, prov_cb cb, void *ud);
    /* Replaces the whole set. */
    void (*set_labels)(struct provider *p, int64_t conv, const char *const *titles, size_t n,
                       prov_cb cb, void *ud);
    void (*mark_read)(struct provider *p, int64_t conv, prov_cb cb, void *ud);
    void (*mark_unread)(struct provider *p, int64_t conv, prov_cb cb, void *ud);
    void (*typing)(struct provider *p, int64_t conv, bool on, bool is_private, prov_cb cb,
                   void *ud);
    /* One kind of the directory, whole, in res->dir. */
    void (*list_dir)(struct provider *p, enum dir_kind k, prov_cb cb, void *ud);
    void (*search_contacts)(struct provider *p, const char *q, prov_cb cb, void *ud);
    void (*get_contact)(struct provider *p, int64_t contact_id, prov_cb cb, void *ud);
    /* A contact's conversations (at most 20, newest activity first) in
     * res->convs. May be NULL in a provider that cannot. */
    void (*contact_conversations)(struct provider *p, int64_t contact_id, prov_cb cb, void *ud);
    /* A new contact with this phone number (E.164), reachable in inbox_id:
     * res->contacts[0], and its address there in res->source_id. May be
     * NULL in a provider that cannot. */
    void (*create_contact)(struct provider *p, int64_t inbox_id, const char *phone, prov_cb cb,
                           void *ud);
};

struct provider {
    const struct provider_ops *ops;
};

/* Free a result's owned fields (what the callback did not steal). */
void provider_result_free(struct prov_result *r);
/* Free the provider through its ops and NULL the pointer. */
void provider_free(struct provider **p);
const char *provider_err_name(enum prov_err e); /* "network", "auth", … */

#endif
