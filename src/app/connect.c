/* connect — from the settings (or the demo) to a running session: the
 * server, the account and the token, the state and cache paths of that
 * account, the provider over HTTP, the session on the loop's timers, and
 * the last known inbox for an instant start. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "loop.h"
#include "token.h"
#include "twoway/cache.h"
#include "twoway/chatwoot.h"
#include "twoway/http.h"
#include "twoway/log.h"
#include "twoway/options.h"
#include "twoway/paths.h"
#include "twoway/session.h"
#include "twoway/xmalloc.h"

static uint64_t loop_at(void *ud, int64_t when, void (*cb)(void *), void *cbud)
{
    return loop_timer(ud, when, cb, cbud);
}

static void loop_cancel_ud(void *ud, uint64_t id)
{
    loop_cancel(ud, id);
}

/* "https://chat.example.com:8443" + account 3 → "chat.example.com-8443-3":
 * state of different servers and accounts never mixes. */
static char *state_key(const char *url, int64_t account)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    char *key = xasprintf("%s-%lld", p, (long long)account);
    for (char *s = key; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
            *s = '-';
    return key;
}

static char *resolve_token(struct app *a, char **err)
{
    const char *env = getenv("TWOWAY_TOKEN");
    if (env && *env)
        return xstrdup(env);
    const char *cmd = options_get(a->opts, "token_command");
    if (cmd && *cmd)
        return token_from_command(cmd, err);
    const char *t = options_get(a->opts, "token");
    if (t && *t)
        return xstrdup(t);
    *err = xstrdup("no API token: set TWOWAY_TOKEN, or `set token_command = \"...\"` in the "
                   "config (or try twoway --demo)");
    return NULL;
}

int connect_open(struct app *a, char **err)
{
    const char *url = getenv("TWOWAY_URL");
    if (!url || !*url)
        url = options_get(a->opts, "url");
    int64_t account = 0;
    const char *acc = getenv("TWOWAY_ACCOUNT");
    if (acc && *acc) {
        char *end;
        account = strtoll(acc, &end, 10);
        if (*end || account <= 0) {
            *err = xasprintf("TWOWAY_ACCOUNT must be a positive account id, not \"%s\"", acc);
            return -1;
        }
    } else {
        account = options_int(a->opts, "account");
    }
    if (account <= 0)
        account = 1; /* Chatwoot's first account */
    char *token = NULL;
    if (a->demo_on) {
        url = a->demo.url;
        account = a->demo.account;
        token = xstrdup(a->demo.token);
    }
    if (!url || !*url) {
        *err = xstrdup("no server: set url in the config or TWOWAY_URL (or try twoway --demo)");
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        *err = xasprintf("url must start with https:// (or http://): %s", url);
        return -1;
    }
    if (!token && !(token = resolve_token(a, err)))
        return -1;

    struct http_opts ho = {.ca_file = options_get(a->opts, "ca_file")};
    if (ho.ca_file && !*ho.ca_file)
        ho.ca_file = NULL;
    a->http = http_new(&ho);
    struct provider *p = chatwoot_new(a->http, url, account, token);
    memset(token, 0, strlen(token));
    free(token);

    if (a->demo_on) {
        /* The demo's outbox, drafts and history go with its database:
         * into its temporary directory, removed at exit. */
        a->state_dir = xasprintf("%s/state", a->demo.dir);
        a->cache_path = xasprintf("%s/inbox.json", a->demo.dir);
    } else {
        char *base = paths_dir(PATHS_STATE);
        char *key = state_key(url, account);
        a->state_dir = xasprintf("%s/%s", base, key);
        free(base);
        base = paths_dir(PATHS_CACHE);
        a->cache_path = xasprintf("%s/%s/inbox.json", base, key);
        free(base);
        free(key);
    }
    if (paths_mkdir_p(a->state_dir, 0700, err) < 0)
        return -1;

    struct session_opts so = {
        .poll_ms = (int)options_int(a->opts, "poll_interval") * 1000,
        .state_dir = a->state_dir,
        .keep_unread = !options_bool(a->opts, "mark_read"),
        .no_live = !options_bool(a->opts, "live"),
    };
    a->ss = session_new(p, a->st, &so);
    a->env.ss = a->ss;
    a->loop = loop_new(a->http);
    /* Every deadline of the session (polls, retries, sends) is a timer of
     * the loop. */
    struct session_sched sched = {.at = loop_at, .cancel = loop_cancel_ud, .ud = a->loop};
    session_set_sched(a->ss, &sched);
    a->account_label = xstrdup(url);
    /* On a screen, the last known inbox shows at once; the first sync
     * replaces it. Scripts always want the server's answer. */
    if (!a->args->batch && !a->demo_on) {
        struct conv_query q;
        view_query(&a->view, 1, &q);
        char *cerr = NULL;
        if (cache_load(a->cache_path, a->st, &q, &cerr) < 0 && errno != ENOENT)
            log_info("%s", cerr);
        free(cerr);
    }
    /* The view's query first: the start then asks for its list once,
     * after who we are. */
    session_follow_view(a->ss, &a->view);
    session_start(a->ss);
    return 0;
}

/* ---- the start-up cache ---- */

void connect_save_cache(struct app *a)
{
    /* Only what a real sync brought is worth showing next time. */
    if (!a->ss || !session_ready(a->ss) || a->demo_on)
        return;
    struct conv_query q;
    view_query(&a->view, 1, &q);
    char *err = NULL;
    if (cache_save(a->cache_path, a->st, &q, &err) < 0) {
        log_warn("%s", err);
        free(err);
    }
}
