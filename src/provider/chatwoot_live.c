/* chatwoot_live — Chatwoot's ActionCable events as model records.
 *
 * The data of every event is the API's own JSON (a message, a
 * conversation), so the mappers that read REST answers read these too:
 * whatever arrives is sanitized at the same boundary. */
#include <stdlib.h>
#include <string.h>

#include "json_map_priv.h"
#include "live.h"
#include "json_map.h"
#include "twoway/text.h"
#include "twoway/log.h"
#include "twoway/provider.h"
#include "twoway/xmalloc.h"

/* A presence list longer than this is not an account's agents. */
#define PRESENCE_MAX 4096

struct cw_live {
    struct live *live;
    char *base_url;
    struct prov_events ev;
    bool has_ev;
};

static void on_state(void *ud, bool up, const char *why)
{
    struct cw_live *cl = ud;
    if (cl->has_ev && cl->ev.live)
        cl->ev.live(cl->ev.ud, up, why);
}

static void message_event(struct cw_live *cl, json_object *data, bool created)
{
    struct message m;
    char *err = NULL;
    if (json_map_message(data, &m, &err) < 0) {
        log_debug("cable: message event dropped: %s", err ? err : "?");
        free(err);
        model_message_free(&m);
        return;
    }
    if (cl->ev.message)
        cl->ev.message(cl->ev.ud, &m, created);
    model_message_free(&m);
}

static void conversation_event(struct cw_live *cl, json_object *data)
{
    struct conversation c;
    char *err = NULL;
    if (json_map_conversation(data, &c, &err) < 0) {
        log_debug("cable: conversation event dropped: %s", err ? err : "?");
        free(err);
        model_conversation_free(&c);
        return;
    }
    if (cl->ev.conversation)
        cl->ev.conversation(cl->ev.ud, &c);
    model_conversation_free(&c);
}

static void typing_event(struct cw_live *cl, json_object *data, bool on)
{
    json_object *conv = json_map_get_obj(data, "conversation");
    json_object *user = json_map_get_obj(data, "user");
    int64_t id = json_map_get_int(conv, "id");
    int64_t agent = json_map_get_int(user, "id");
    if (id <= 0 || agent <= 0 || !cl->ev.typing)
        return;
    /* Contacts type too on web widgets; an SMS contact never does. */
    char *type = json_map_get_text(user, "type", TEXT_SINGLE_LINE);
    bool is_agent = !*type || strcmp(type, "user") == 0;
    free(type);
    if (!is_agent)
        return;
    char *who = json_map_get_name2(user, "available_name", "name");
    cl->ev.typing(cl->ev.ud, id, agent, who, on, json_map_get_bool(data, "is_private", false));
    free(who);
}

static void presence_event(struct cw_live *cl, json_object *data)
{
    json_object *users = json_map_get_obj(data, "users");
    if (!users || !cl->ev.presence)
        return;
    int64_t *ids = NULL;
    const char **avail = NULL;
    size_t n = 0;
    json_object_object_foreach(users, key, val)
    {
        if (n >= PRESENCE_MAX)
            break;
        char *end;
        long long id = strtoll(key, &end, 10);
        if (*end || id <= 0)
            continue;
        /* Chatwoot lists the agents who said they are here within its
         * window (OnlineStatusTracker), each with the availability it
         * chose; anything but busy and offline reads as online. */
        const char *a =
            json_object_is_type(val, json_type_string) ? json_object_get_string(val) : "";
        ids = xreallocarray(ids, n + 1, sizeof *ids);
        avail = xreallocarray(avail, n + 1, sizeof *avail);
        ids[n] = id;
        avail[n++] = strcmp(a, "busy") == 0      ? "busy"
                     : strcmp(a, "offline") == 0 ? "offline"
                                                 : "online";
    }
    cl->ev.presence(cl->ev.ud, ids, avail, n);
    free(ids);
    free(avail);
}

static void on_event(void *ud, const char *name, json_object *data)
{
    struct cw_live *cl = ud;
    if (!cl->has_ev)
        return;
    if (strcmp(name, "message.created") == 0)
        message_event(cl, data, true);
    else if (strcmp(name, "message.updated") == 0)
        message_event(cl, data, false);
    else if (strcmp(name, "conversation.created") == 0 ||
             strcmp(name, "conversation.status_changed") == 0 ||
             strcmp(name, "conversation.updated") == 0 || strcmp(name, "conversation.read") == 0 ||
             strcmp(name, "assignee.changed") == 0 || strcmp(name, "team.changed") == 0 ||
             strcmp(name, "conversation.contact_changed") == 0)
        conversation_event(cl, data);
    else if (strcmp(name, "conversation.typing_on") == 0)
        typing_event(cl, data, true);
    else if (strcmp(name, "conversation.typing_off") == 0)
        typing_event(cl, data, false);
    else if (strcmp(name, "presence.update") == 0)
        presence_event(cl, data);
    else
        log_debug("cable: event %s not used", name);
}

struct cw_live *cw_live_new(struct http *h, const char *base_url)
{
    struct cw_live *cl = xcalloc(1, sizeof *cl);
    cl->base_url = xstrdup(base_url);
    struct live_callbacks cb = {.state = on_state, .event = on_event, .ud = cl};
    cl->live = live_new(h, &cb);
    return cl;
}

void cw_live_free(struct cw_live **pcl)
{
    struct cw_live *cl = *pcl;
    if (!cl)
        return;
    live_free(&cl->live);
    free(cl->base_url);
    free(cl);
    *pcl = NULL;
}

void cw_live_subscribe(struct cw_live *cl, const struct prov_live_id *id,
                       const struct prov_events *ev)
{
    if (!ev || !id || !id->pubsub_token || !*id->pubsub_token) {
        cl->has_ev = false;
        live_stop(cl->live);
        return;
    }
    cl->ev = *ev;
    cl->has_ev = true;
    live_start(cl->live, cl->base_url, id->pubsub_token, id->account_id, id->user_id);
}
