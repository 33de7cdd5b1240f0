/* router — the route table. */
#include "http/router.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/auth.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "http/req.h"
#include "sim/sim.h"
#include "twd.h"
#include "twilio/twilio_in.h"
#include "twoway/log.h"

enum route_flags {
    ROUTE_AGENT = 1 << 0, /* needs an agent's api_access_token */
    ROUTE_READS = 1 << 1, /* a POST that only reads (no write lock) */
};

struct route {
    const char *method;
    /* Segments: literal, ":account" (the agent's account id), ":id" (an
     * integer captured into params[]), "*" (any one segment). */
    const char *pattern;
    unsigned flags;
    void (*handler)(struct req *r);
};

#define ACC "/api/v1/accounts/:account"
#define CONV ACC "/conversations/:id"

static const struct route routes[] = {
    {"GET", "/api/v1/profile", ROUTE_AGENT, api_profile_show},

    {"GET", ACC "/conversations", ROUTE_AGENT, api_conversations_list},
    {"POST", ACC "/conversations", ROUTE_AGENT, api_conversations_create},
    {"GET", ACC "/conversations/meta", ROUTE_AGENT, api_conversations_meta},
    {"GET", ACC "/conversations/search", ROUTE_AGENT, api_conversations_search},
    {"POST", ACC "/conversations/filter", ROUTE_AGENT, api_conversations_filter},
    {"GET", CONV, ROUTE_AGENT, api_conversations_show},
    {"PATCH", CONV, ROUTE_AGENT, api_conversations_update},
    {"POST", CONV "/toggle_status", ROUTE_AGENT, api_conversations_toggle_status},
    {"POST", CONV "/toggle_priority", ROUTE_AGENT, api_conversations_toggle_priority},
    {"POST", CONV "/update_last_seen", ROUTE_AGENT, api_conversations_update_last_seen},
    {"POST", CONV "/unread", ROUTE_AGENT, api_conversations_unread},
    {"POST", CONV "/toggle_typing_status", ROUTE_AGENT, api_conversations_toggle_typing},
    {"POST", CONV "/assignments", ROUTE_AGENT, api_conversations_assignments},
    {"GET", CONV "/labels", ROUTE_AGENT, api_conversations_labels_list},
    {"POST", CONV "/labels", ROUTE_AGENT, api_conversations_labels_set},
    {"GET", CONV "/messages", ROUTE_AGENT, api_messages_list},
    {"POST", CONV "/messages", ROUTE_AGENT, api_messages_create},
    {"DELETE", CONV "/messages/:id", ROUTE_AGENT, api_messages_delete},

    {"GET", ACC "/agents", ROUTE_AGENT, api_account_agents},
    {"GET", ACC "/teams", ROUTE_AGENT, api_account_teams},
    {"GET", ACC "/teams/:id", ROUTE_AGENT, api_account_team_show},
    {"GET", ACC "/inboxes", ROUTE_AGENT, api_account_inboxes},
    {"GET", ACC "/inboxes/:id", ROUTE_AGENT, api_account_inbox_show},
    {"GET", ACC "/inbox_members/:id", ROUTE_AGENT, api_account_inbox_members},
    {"GET", ACC "/labels", ROUTE_AGENT, api_account_labels},

    {"GET", ACC "/canned_responses", ROUTE_AGENT, api_canned_list},
    {"POST", ACC "/canned_responses", ROUTE_AGENT, api_canned_create},
    {"PATCH", ACC "/canned_responses/:id", ROUTE_AGENT, api_canned_update},
    {"PUT", ACC "/canned_responses/:id", ROUTE_AGENT, api_canned_update},
    {"DELETE", ACC "/canned_responses/:id", ROUTE_AGENT, api_canned_delete},

    {"POST", ACC "/contacts", ROUTE_AGENT, api_contacts_create},
    {"GET", ACC "/contacts/search", ROUTE_AGENT, api_contacts_search},
    {"GET", ACC "/contacts/:id", ROUTE_AGENT, api_contacts_show},
    {"GET", ACC "/contacts/:id/conversations", ROUTE_AGENT, api_contacts_conversations},

    /* An attachment's URL is signed: the handler checks it. */
    {"GET", "/attachments/:id/*", 0, api_attachments_show},

    /* Twilio's webhooks authenticate by signature, in the handler. */
    {"POST", "/twilio/sms", 0, twilio_in_sms},
    {"POST", "/twilio/status", 0, twilio_in_status},
    /* The simulator's stand-in for Twilio's Messages API (--simulate). */
    {"POST", "/sim/2010-04-01/Accounts/*/Messages.json", ROUTE_READS, sim_fake_twilio},
};

/* Match path against pattern; fill params and the account id. */
static bool match(const char *pattern, const char *path, struct req *r, int64_t *account,
                  bool *has_account)
{
    const char *p = pattern, *s = path;
    int np = 0;
    *has_account = false;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pe = strchr(p, '/');
        const char *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t sl = se ? (size_t)(se - s) : strlen(s);
        if (sl == 0)
            return false;
        if (*p == ':') {
            char *end;
            errno = 0;
            /* digits only: strtoll would also take " 5", "+5", "-5" */
            if (s[0] < '0' || s[0] > '9')
                return false;
            long long v = strtoll(s, &end, 10);
            if (errno || end != s + sl)
                return false;
            if (pl == 8 && strncmp(p, ":account", 8) == 0) {
                *account = v;
                *has_account = true;
            } else {
                if (np >= REQ_MAX_PARAMS)
                    return false;
                r->params[np++] = v;
            }
        } else if (!(pl == 1 && *p == '*')) {
            if (pl != sl || strncmp(p, s, pl) != 0)
                return false;
        }
        p += pl;
        s += sl;
    }
    /* Rails tolerates one trailing slash. */
    if (*s == '/' && s[1] == '\0')
        s++;
    if (*p || *s)
        return false;
    r->nparams = np;
    return true;
}

static const char *token_of(const struct req *r)
{
    const char *t = req_header(r, "api_access_token");
    if (!t)
        t = req_header(r, "Api-Access-Token");
    return t;
}

void router_dispatch(struct req *r)
{
    const struct route *found = NULL;
    int64_t account = 0;
    bool has_account = false, path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(routes[i].pattern, r->path, r, &account, &has_account))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, r->method) == 0) {
            found = &routes[i];
            break;
        }
    }
    if (!found) {
        if (path_known)
            req_reply_error(r, 405, "Method not allowed");
        else
            req_not_found(r);
        return;
    }

    /* A GET reads on this thread's own connection and never waits for a
     * writer; everything else is one write transaction. */
    struct dbpool *pool = r->twd->pool;
    bool writes = strcmp(found->method, "GET") != 0 && !(found->flags & ROUTE_READS);
    r->db = writes ? dbpool_write(pool) : dbpool_read(pool);
    if (!r->db) {
        req_reply_error(r, 503, "the database is not available; try again");
        return;
    }
    if (found->flags & ROUTE_AGENT) {
        const char *token = token_of(r);
        if (!token) {
            req_reply_error(r, 401, "You need to sign in or sign up before continuing.");
            goto done;
        }
        if (!auth_check(r->db, token, &r->agent)) {
            req_reply_error(r, 401, "Invalid Access Token");
            goto done;
        }
        if (has_account && account != r->agent.account_id) {
            req_reply_error(r, 401, "You are not authorized to access this account");
            goto done;
        }
    }
    found->handler(r);
    if (!r->reply) {
        log_error("%s %s: handler set no reply", r->method, found->pattern);
        req_reply_error(r, 500, "Internal server error");
    }
done:
    if (!writes)
        dbpool_read_end(pool, r->db);
    else if (dbpool_write_end(pool, r->db, r->status < 400) < 0)
        req_reply_error(r, 500, "could not save the change");
    r->db = NULL;
    log_debug("%s %s -> %d", r->method, r->path, r->status);
}
