/* channel — ActionCable's commands over one connection, for RoomChannel as
 * Chatwoot's dashboard uses it: subscribe with {channel, pubsub_token,
 * account_id, user_id}, the update_presence action, unsubscribe.
 *
 * Chatwoot answers a bad token with silence; twowayd says
 * reject_subscription, which Rails' clients understand. The identifier is
 * kept as the client wrote it, since clients match replies by its bytes. */
#include <stdlib.h>
#include <string.h>

#include "cable/cable_priv.h"
#include "http/auth.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

/* ActionCable commands are small; a deeper document is not one. */
#define COMMAND_DEPTH 8

static json_object *parse(const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new_ex(COMMAND_DEPTH);
    if (!tok)
        return NULL;
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    if (json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* An id as Chatwoot's clients send it: a number or a string of digits. */
static bool id_of(json_object *o, const char *key, int64_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return false;
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_get_int64(v);
        return *out > 0;
    }
    if (!json_object_is_type(v, json_type_string))
        return false;
    const char *s = json_object_get_string(v);
    if (!*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
        return false;
    *out = strtoll(s, NULL, 10);
    return *out > 0;
}

static void reply_type(struct cable_client *cl, const char *identifier, const char *type)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "identifier", json_object_new_string(identifier));
    json_object_object_add(o, "type", json_object_new_string(type));
    cable_send(cl, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static struct cable_sub *find_sub(struct cable_client *cl, const char *identifier)
{
    for (int i = 0; i < cl->nsubs; i++)
        if (strcmp(cl->subs[i].identifier, identifier) == 0)
            return &cl->subs[i];
    return NULL;
}

/* The agent behind a RoomChannel identifier, if its token is good. */
static bool authorize(struct cable *hub, const char *identifier, struct req_agent *agent)
{
    json_object *id = parse(identifier, strlen(identifier));
    const char *channel = id ? str_of(id, "channel") : NULL;
    const char *token = id ? str_of(id, "pubsub_token") : NULL;
    int64_t account = 0, user = 0;
    bool ok = channel && strcmp(channel, "RoomChannel") == 0 && token &&
              id_of(id, "account_id", &account) && id_of(id, "user_id", &user);
    if (ok) {
        struct db *db = dbpool_read(hub->twd->pool);
        ok = db && auth_pubsub_check(db, user, account, token, agent);
        if (db)
            dbpool_read_end(hub->twd->pool, db);
    }
    json_object_put(id);
    return ok;
}

static void subscribe(struct cable_client *cl, const char *identifier)
{
    struct cable *hub = cl->hub;
    if (find_sub(cl, identifier)) {
        reply_type(cl, identifier, "confirm_subscription");
        return;
    }
    struct req_agent agent = {0};
    if (cl->nsubs >= CABLE_MAX_SUBS || !authorize(hub, identifier, &agent)) {
        log_info("cable #%lu: subscription rejected", cl->serial);
        reply_type(cl, identifier, "reject_subscription");
        return;
    }
    struct cable_sub *sub = &cl->subs[cl->nsubs++];
    sub->identifier = xstrdup(identifier);
    sub->agent = agent;
    atomic_fetch_add(&hub->nsubs, 1);
    log_info("cable #%lu: agent %lld subscribed (account %lld)", cl->serial, (long long)agent.id,
             (long long)agent.account_id);
    reply_type(cl, identifier, "confirm_subscription");
    /* As Chatwoot: subscribing counts as being here, and the agent's own
     * stream hears who is online. */
    cable_presence_touch(hub, &agent);
    cable_send_presence(hub, &agent);
}

static void unsubscribe(struct cable_client *cl, const char *identifier)
{
    struct cable_sub *sub = find_sub(cl, identifier);
    if (!sub)
        return;
    free(sub->identifier);
    *sub = cl->subs[--cl->nsubs];
    atomic_fetch_sub(&cl->hub->nsubs, 1);
}

static void perform(struct cable_client *cl, const char *identifier, const char *data)
{
    struct cable_sub *sub = find_sub(cl, identifier);
    json_object *d = sub && data ? parse(data, strlen(data)) : NULL;
    const char *action = d ? str_of(d, "action") : NULL;
    if (action && strcmp(action, "update_presence") == 0) {
        cable_presence_touch(cl->hub, &sub->agent);
        cable_send_presence(cl->hub, &sub->agent);
    }
    json_object_put(d);
}

void cable_channel_command(struct cable_client *cl, const char *text, size_t len)
{
    json_object *o = parse(text, len);
    const char *command = o ? str_of(o, "command") : NULL;
    const char *identifier = o ? str_of(o, "identifier") : NULL;
    if (!command || !identifier) {
        log_debug("cable #%lu: not a command", cl->serial);
    } else if (strcmp(command, "subscribe") == 0) {
        subscribe(cl, identifier);
    } else if (strcmp(command, "unsubscribe") == 0) {
        unsubscribe(cl, identifier);
    } else if (strcmp(command, "message") == 0) {
        perform(cl, identifier, str_of(o, "data"));
    }
    json_object_put(o);
}

char *cable_channel_frame(const struct cable_sub *sub, const char *message_json)
{
    json_object *id = json_object_new_string(sub->identifier);
    struct buf b;
    buf_init(&b);
    buf_addf(
        &b, "{\"identifier\":%s,\"message\":%s}",
        json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        message_json);
    json_object_put(id);
    return buf_detach(&b);
}
