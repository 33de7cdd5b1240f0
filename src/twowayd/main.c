/* twowayd — a single-machine SMS inbox provider speaking the Chatwoot
 * Application API subset twoway uses. main: options, start-up, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "cable/cable.h"
#include "store/attach.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "store/schema.h"
#include "dconfig.h"
#include "twilio/hours.h"
#include "sim/seed.h"
#include "twilio/sender.h"
#include "http/auth.h"
#include "http/server.h"
#include "sim/sim.h"
#include "twd.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

/* The inbox number the demo account texts from. */
#define DEMO_PHONE "+15550100100"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: twowayd [--listen ADDR:PORT] [--db PATH] [--config FILE] [--demo] [--simulate]\n"
        "               [--log FILE] [-v] [--help] [--version]\n"
        "       twowayd [--db PATH] [--config FILE] admin COMMAND [OPTIONS] [--json]\n"
        "\n"
        "Serves the Chatwoot Application API subset used by twoway, from SQLite;\n"
        "takes inbound SMS from Twilio webhooks and sends replies through Twilio.\n"
        "\n"
        "  --listen ADDR:PORT  address to serve on (default 127.0.0.1:8080; port 0 = any)\n"
        "  --db PATH           SQLite database (default twowayd.db)\n"
        "  --config FILE       read options from FILE (name = value lines)\n"
        "  --demo              seed an empty database with a demo account and print\n"
        "                      the base URL and each agent's token as JSON lines\n"
        "  --simulate          play the carrier and the customers instead of Twilio\n"
        "  --log FILE          log to FILE instead of standard error\n"
        "  -v, --verbose       log debug detail\n"
        "  -h, --help          show this help\n"
        "  -V, --version       show the version\n"
        "\n"
        "Options (config file `name = value`, environment TWOWAYD_NAME):\n");
    dconfig_print_help(out);
}

static void print_json_line(json_object *o)
{
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

/* One JSON line for the server, one per agent (--demo), then "ready":
 * for scripts and tests. An auth token made at start is in the server's
 * line (whoever wants to sign a webhook needs it); a configured one never
 * is. An agent's line has its API token when the token was made just now
 * (tokens holds them by agent id): a database seeded before keeps only
 * digests. */
static void print_demo_info(struct twd *twd, bool agents, bool token_made, json_object *tokens)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("server"));
    json_object_object_add(o, "base_url", json_object_new_string(twd->base_url));
    json_object_object_add(o, "public_url", json_object_new_string(twd->public_url));
    json_object_object_add(o, "version", json_object_new_string(TWOWAY_VERSION));
    if (token_made) {
        json_object_object_add(o, "twilio_auth_token",
                               json_object_new_string(dconfig_get(twd->cfg, "twilio_auth_token")));
        json_object_object_add(o, "twilio_account_sid",
                               json_object_new_string(dconfig_get(twd->cfg, "twilio_account_sid")));
    }
    print_json_line(o);
    if (agents) {
        struct db *db = dbpool_read(twd->pool);
        sqlite3_stmt *st =
            db_prepare(db, "SELECT id, account_id, name, email, role FROM agents ORDER BY id");
        while (sqlite3_step(st) == SQLITE_ROW) {
            o = json_object_new_object();
            json_object_object_add(o, "type", json_object_new_string("agent"));
            json_object_object_add(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
            json_object_object_add(o, "account_id",
                                   json_object_new_int64(sqlite3_column_int64(st, 1)));
            for (int c = 2; c <= 4; c++)
                json_object_object_add(
                    o, sqlite3_column_name(st, c),
                    json_object_new_string((const char *)sqlite3_column_text(st, c)));
            json_object *token = NULL;
            if (json_object_object_get_ex(tokens, (const char *)sqlite3_column_text(st, 0), &token))
                json_object_object_add(o, "token", json_object_get(token));
            print_json_line(o);
        }
        db_done(db, st);
        dbpool_read_end(twd->pool, db);
    }
    o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("ready"));
    print_json_line(o);
    fflush(stdout);
}

/* The key that signs attachment URLs, from the database (made there the
 * first time), and how long they last. */
static int setup_attachments(struct twd *twd, char **err)
{
    struct db *db = dbpool_write(twd->pool);
    if (!db) {
        *err = xstrdup("the database is not available");
        return -1;
    }
    int rc = attach_setup(db, dconfig_get_int(twd->cfg, "attachment_url_ttl"), err);
    if (dbpool_write_end(twd->pool, db, rc == 0) < 0 && rc == 0) {
        *err = xstrdup("could not save the attachment key");
        rc = -1;
    }
    return rc;
}

static enum log_level parse_level(const char *s)
{
    if (!strcmp(s, "error"))
        return LOG_ERROR;
    if (!strcmp(s, "warn"))
        return LOG_WARN;
    if (!strcmp(s, "debug"))
        return LOG_DEBUG;
    return LOG_INFO;
}

int main(int argc, char **argv)
{
    enum { OPT_LISTEN = 256, OPT_DB, OPT_CONFIG, OPT_DEMO, OPT_SIMULATE, OPT_LOG };
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"db", required_argument, NULL, OPT_DB},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"demo", no_argument, NULL, OPT_DEMO},
        {"simulate", no_argument, NULL, OPT_SIMULATE},
        {"log", required_argument, NULL, OPT_LOG},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *listen = NULL, *dbpath = NULL, *config = NULL, *logpath = NULL;
    bool demo = false, simulate = false, verbose = false;
    int c;
    /* "+": stop at the first word, so `admin`'s own options reach it. */
    while ((c = getopt_long(argc, argv, "+vhV", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            listen = optarg;
            break;
        case OPT_DB:
            dbpath = optarg;
            break;
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_DEMO:
            demo = true;
            break;
        case OPT_SIMULATE:
            simulate = true;
            break;
        case OPT_LOG:
            logpath = optarg;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("twowayd %s\n", TWOWAY_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc && strcmp(argv[optind], "admin") == 0)
        return admin_main(argc - optind, argv + optind, dbpath, config);
    if (optind < argc) {
        fprintf(stderr, "twowayd: unexpected argument: %s\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    struct dconfig *cfg = dconfig_new();
    char *err = NULL;
    int rc = 1;
    struct twd twd = {0};
    struct server *srv = NULL;
    json_object *tokens = json_object_new_object(); /* the demo agents' */

    if ((config && dconfig_load_file(cfg, config, &err) < 0) || dconfig_load_env(cfg, &err) < 0 ||
        (listen && dconfig_set(cfg, "listen", listen, &err) < 0) ||
        (dbpath && dconfig_set(cfg, "db", dbpath, &err) < 0) ||
        (logpath && dconfig_set(cfg, "log", logpath, &err) < 0)) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }
    if (hours_check_config(cfg, &err) < 0) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }
    if (verbose)
        dconfig_set(cfg, "log_level", "debug", &err);
    if (log_open(dconfig_get(cfg, "log"), parse_level(dconfig_get(cfg, "log_level")), &err) < 0) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }
    /* A simulated or demo carrier needs a signing secret of its own: a
     * fresh random one, never a constant anyone could sign webhooks with. */
    bool token_made = false;
    if ((demo || simulate) && !*dconfig_get(cfg, "twilio_auth_token")) {
        char *token = auth_random_hex(16);
        dconfig_set(cfg, "twilio_auth_token", token, &err);
        free(token);
        token_made = true;
        if (!*dconfig_get(cfg, "twilio_account_sid"))
            dconfig_set(cfg, "twilio_account_sid", "AC00000000000000000000000000000000", &err);
    }

    twd.cfg = cfg;
    twd.simulate = simulate;
    twd.pool = dbpool_open(dconfig_get(cfg, "db"), &err);
    if (!twd.pool) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }
    if (demo && seed_demo(twd.pool, DEMO_PHONE, tokens, &err) < 0) {
        fprintf(stderr, "twowayd: seeding the demo account failed: %s\n", err);
        goto out;
    }
    if (setup_attachments(&twd, &err) < 0) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }

    /* Block the signals we wait for before any thread starts, so only
     * sigwait() below sees them. */
    sigset_t waitset;
    sigemptyset(&waitset);
    sigaddset(&waitset, SIGINT);
    sigaddset(&waitset, SIGTERM);
    sigaddset(&waitset, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &waitset, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* After the signals are blocked: the hub is a thread. */
    struct cable_opts co = {.ping = dconfig_get_double(cfg, "cable_ping"),
                            .queue_max = (size_t)dconfig_get_int(cfg, "cable_queue"),
                            .presence = dconfig_get_double(cfg, "cable_presence")};
    twd.cable = cable_start(&twd, &co, &err);
    if (!twd.cable) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }
    changes_set_sink(cable_on_commit, twd.cable);

    srv = server_start(&twd, dconfig_get(cfg, "listen"), (size_t)dconfig_get_int(cfg, "max_body"),
                       &err);
    if (!srv) {
        fprintf(stderr, "twowayd: %s\n", err);
        goto out;
    }
    const char *host = server_host(srv);
    twd.base_url = strchr(host, ':') ? xasprintf("http://[%s]:%d", host, server_port(srv))
                                     : xasprintf("http://%s:%d", host, server_port(srv));
    const char *pub = dconfig_get(cfg, "public_url");
    twd.public_url = xstrdup(*pub ? pub : twd.base_url);
    size_t pl = strlen(twd.public_url);
    while (pl > 0 && twd.public_url[pl - 1] == '/')
        twd.public_url[--pl] = '\0';
    attach_set_public_url(twd.public_url);
    if (simulate) {
        char *fake = xasprintf("%s/sim", twd.base_url);
        dconfig_set(cfg, "twilio_base_url", fake, &err);
        free(fake);
    }

    twd.sender = sender_start(&twd);
    if (simulate)
        twd.sim = sim_start(&twd);
    log_info("twowayd %s serving %s (schema %d)%s", TWOWAY_VERSION, twd.base_url, SCHEMA_VERSION,
             simulate ? ", simulating the carrier" : "");
    print_demo_info(&twd, demo, token_made, tokens);

    int sig = 0;
    sigwait(&waitset, &sig);
    log_info("signal %d: shutting down", sig);
    rc = 0;
out:
    /* The simulator first (its webhooks to us are answered), then the
     * requests already read are answered while no new ones are taken; the
     * sender goes last, after its send in flight is recorded: handlers
     * wake it, and whatever is still queued waits in the database. */
    sim_stop(&twd.sim);
    /* Upgraded (/cable) sockets close first: they are not requests to
     * answer. The hub outlives every writer that could still report a
     * change. */
    cable_stop(twd.cable);
    server_drain(srv, 10000);
    server_stop(&srv);
    sender_stop(&twd.sender);
    changes_set_sink(NULL, NULL);
    cable_free(&twd.cable);
    attach_teardown();
    dbpool_free(&twd.pool);
    free(twd.base_url);
    free(twd.public_url);
    free(err);
    dconfig_free(&cfg);
    json_object_put(tokens);
    log_close();
    return rc;
}
