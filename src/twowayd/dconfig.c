/* dconfig — twowayd's options. */
#include "dconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/paths.h"
#include "twoway/xmalloc.h"

enum opt_type { OPT_STRING, OPT_INT, OPT_DOUBLE, OPT_BOOL };

struct opt_def {
    const char *name;
    enum opt_type type;
    const char *dflt;
    const char *help;
};

/* The one list of twowayd options; --help and man/twowayd.8 follow it. */
static const struct opt_def opt_defs[] = {
    {"listen", OPT_STRING, "127.0.0.1:8080",
     "address and port to serve on (port 0: any free port)"},
    {"db", OPT_STRING, "twowayd.db", "SQLite database file"},
    {"public_url", OPT_STRING, "",
     "URL Twilio uses to reach twowayd (for webhook signatures and status callbacks); "
     "default http://LISTEN"},
    {"twilio_account_sid", OPT_STRING, "", "Twilio Account SID"},
    {"twilio_auth_token", OPT_STRING, "",
     "Twilio auth token (signs webhooks, authenticates sends)"},
    {"twilio_base_url", OPT_STRING, "https://api.twilio.com", "Twilio REST API base URL"},
    {"send_timeout", OPT_INT, "15", "seconds to wait for Twilio when sending"},
    {"send_max_attempts", OPT_INT, "6", "attempts before an unsendable reply is marked failed"},
    {"send_retry_delay", OPT_DOUBLE, "1",
     "seconds before the first retry of a send; doubles with each retry, up to 300"},
    {"send_workers", OPT_INT, "4",
     "replies sent to Twilio at once (1 to 32); replies to one number keep their order"},
    {"max_body", OPT_INT, "1048576", "largest request body accepted, in bytes"},
    {"max_upload", OPT_INT, "5242880",
     "largest multipart/form-data message create (a message with its attachments), in bytes; "
     "Twilio takes 5 MB of media per message"},
    {"attachment_url_ttl", OPT_INT, "86400",
     "seconds a signed attachment URL stays valid at most (at least half of it)"},
    {"request_timeout", OPT_INT, "10",
     "seconds a connection has to send a whole request (headers and body), counted from when "
     "it opens or its previous answer went out; also how long an idle connection stays open"},
    {"max_connections", OPT_INT, "1000", "connections open at once, in all"},
    {"max_connections_per_address", OPT_INT, "100",
     "connections open at once from one address (0: no limit; behind a reverse proxy every "
     "client has the proxy's address)"},
    {"stop_reply", OPT_STRING,
     "You have successfully been unsubscribed. You will not receive any more messages from "
     "this number. Reply START to resubscribe.",
     "reply to STOP-family keywords (empty: no reply)"},
    {"start_reply", OPT_STRING,
     "You have successfully been re-subscribed to messages from this number. Reply HELP for "
     "help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
     "reply to START, YES, UNSTOP (empty: no reply)"},
    {"help_reply", OPT_STRING, "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
     "reply to HELP, INFO (empty: no reply)"},
    {"business_hours", OPT_STRING, "",
     "when agents answer, e.g. \"mon-fri 09:00-17:00, sat 10:00-14:00\" (empty: always)"},
    {"timezone", OPT_STRING, "UTC", "time zone of business_hours (e.g. America/New_York)"},
    {"away_message", OPT_STRING, "",
     "sent once per conversation to a customer who writes outside business hours (empty: none)"},
    {"sim_interval", OPT_INT, "60", "--simulate: mean seconds between new customer texts"},
    {"sim_reply_chance", OPT_DOUBLE, "0.5", "--simulate: chance a customer answers a reply"},
    {"sim_fail_chance", OPT_DOUBLE, "0.08", "--simulate: chance an outbound SMS fails"},
    {"sim_delivery_delay", OPT_DOUBLE, "1.5", "--simulate: seconds until an SMS is delivered"},
    {"cable_ping", OPT_DOUBLE, "3",
     "seconds between ActionCable pings on /cable (clients take silence as a dead link)"},
    {"cable_presence", OPT_DOUBLE, "20",
     "seconds an agent stays online on /cable after its last update_presence (Chatwoot: 20)"},
    {"cable_queue", OPT_INT, "1048576",
     "bytes of events waiting for one /cable client before it is dropped as too slow"},
    {"log", OPT_STRING, "-", "log file (- for standard error)"},
    {"log_level", OPT_STRING, "info", "error, warn, info or debug"},
};

#define NOPTS (sizeof opt_defs / sizeof opt_defs[0])

struct dconfig {
    char *values[NOPTS];
};

static int find(const char *name)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strcmp(opt_defs[i].name, name) == 0)
            return (int)i;
    return -1;
}

struct dconfig *dconfig_new(void)
{
    struct dconfig *cfg = xcalloc(1, sizeof *cfg);
    for (size_t i = 0; i < NOPTS; i++)
        cfg->values[i] = xstrdup(opt_defs[i].dflt);
    return cfg;
}

void dconfig_free(struct dconfig **pcfg)
{
    struct dconfig *cfg = *pcfg;
    if (!cfg)
        return;
    for (size_t i = 0; i < NOPTS; i++)
        free(cfg->values[i]);
    free(cfg);
    *pcfg = NULL;
}

static int check_value(const struct opt_def *d, const char *v, char **err)
{
    char *end;
    switch (d->type) {
    case OPT_STRING:
        return 0;
    case OPT_INT:
        errno = 0;
        (void)strtoll(v, &end, 10);
        if (errno || end == v || *end) {
            *err = xasprintf("%s: not a whole number: %s", d->name, v);
            return -1;
        }
        return 0;
    case OPT_DOUBLE:
        errno = 0;
        (void)strtod(v, &end);
        if (errno || end == v || *end) {
            *err = xasprintf("%s: not a number: %s", d->name, v);
            return -1;
        }
        return 0;
    case OPT_BOOL:
        if (strcmp(v, "yes") && strcmp(v, "no") && strcmp(v, "true") && strcmp(v, "false") &&
            strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "on") && strcmp(v, "off")) {
            *err = xasprintf("%s: expected yes or no: %s", d->name, v);
            return -1;
        }
        return 0;
    }
    return 0;
}

int dconfig_set(struct dconfig *cfg, const char *name, const char *value, char **err)
{
    int i = find(name);
    if (i < 0) {
        *err = xasprintf("unknown option: %s", name);
        return -1;
    }
    if (check_value(&opt_defs[i], value, err) < 0)
        return -1;
    free(cfg->values[i]);
    cfg->values[i] = xstrdup(value);
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Parse a value: "quoted with escapes" or bare up to a # comment. */
static int parse_value(char *s, struct buf *out, char **err)
{
    s = trim(s);
    if (*s != '"') {
        char *hash = strchr(s, '#');
        if (hash)
            *hash = '\0';
        buf_adds(out, trim(s));
        return 0;
    }
    for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            buf_addc(out, *s == 'n' ? '\n' : *s);
        } else {
            buf_addc(out, *s);
        }
    }
    if (*s != '"') {
        *err = xstrdup("unterminated quoted value");
        return -1;
    }
    s = trim(s + 1);
    if (*s && *s != '#') {
        *err = xasprintf("unexpected text after quoted value: %s", s);
        return -1;
    }
    return 0;
}

int dconfig_load_file(struct dconfig *cfg, const char *path, char **err)
{
    char *text = NULL, *e = NULL;
    if (paths_read_file(path, 1 << 20, &text, NULL, err) < 0)
        return -1;
    int lineno = 0, rc = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *l = trim(line);
        if (!*l || *l == '#')
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            *err = xasprintf("%s:%d: expected name = value", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *name = trim(l);
        struct buf v;
        buf_init(&v);
        if (parse_value(eq + 1, &v, &e) < 0 || dconfig_set(cfg, name, v.data, &e) < 0) {
            *err = xasprintf("%s:%d: %s", path, lineno, e);
            free(e);
            buf_free(&v);
            rc = -1;
            break;
        }
        buf_free(&v);
    }
    free(text);
    return rc;
}

int dconfig_load_env(struct dconfig *cfg, char **err)
{
    for (size_t i = 0; i < NOPTS; i++) {
        char env[64] = "TWOWAYD_";
        size_t n = strlen(env);
        for (const char *p = opt_defs[i].name; *p && n < sizeof env - 1; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        char *e = NULL;
        if (v && dconfig_set(cfg, opt_defs[i].name, v, &e) < 0) {
            *err = xasprintf("%s: %s", env, e);
            free(e);
            return -1;
        }
    }
    return 0;
}

const char *dconfig_get(const struct dconfig *cfg, const char *name)
{
    int i = find(name);
    if (i < 0)
        abort(); /* a programming error: every caller names a known option */
    return cfg->values[i];
}

int64_t dconfig_get_int(const struct dconfig *cfg, const char *name)
{
    return strtoll(dconfig_get(cfg, name), NULL, 10);
}

double dconfig_get_double(const struct dconfig *cfg, const char *name)
{
    return strtod(dconfig_get(cfg, name), NULL);
}

bool dconfig_get_bool(const struct dconfig *cfg, const char *name)
{
    const char *v = dconfig_get(cfg, name);
    return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on");
}

void dconfig_print_help(FILE *out)
{
    for (size_t i = 0; i < NOPTS; i++)
        fprintf(out, "  %-20s %s\n", opt_defs[i].name, opt_defs[i].help);
}
