/* cmd — the dispatcher: finding a command, splitting a line into words,
 * checking a command's preconditions (so handlers do not), running it once
 * or once per marked conversation, and reporting how it ended. */
#include "twoway/cmd.h"

#include <ctype.h>
#include "twoway/codec.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/paths.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

/* Failures a bulk summary names before "and N more". */
#define BULK_REASONS 5

struct bulk;

/* A running command: the public call plus what only the dispatcher needs. */
struct call_box {
    struct cmd_call call; /* first: handlers only see this part */
    void (*done)(void *ud, bool ok);
    void *ud;
    struct cmd_source src; /* a copy: the caller's may be gone when we finish */
    bool config;
    struct bulk *bulk; /* set on one part of a bulk command */
    bool in_exec;      /* the handler has not returned yet */
    bool finished;     /* cmd_finish came (maybe while in_exec) */
    bool ok;
    bool counted; /* in env->pending */
    bool nested;  /* run by `marked`, which is counted itself */
    int outcome;  /* enum session_outcome of the server's last answer */
};

struct bulk {
    struct call_box *parent;
    int64_t *ids;
    size_t n, next, ok;
    struct buf why;
    size_t nwhy;        /* parts that failed */
    bool part_reported; /* the running part has said why it failed */
    bool running, again;
};

static struct call_box *box_of(struct cmd_call *call)
{
    return (struct call_box *)call;
}

static const struct call_box *cbox_of(const struct cmd_call *call)
{
    return (const struct call_box *)call;
}

/* ---- output ---- */

static const char *name_of(const struct call_box *b)
{
    return b->call.def ? b->call.def->name : b->call.argv && b->call.argc ? b->call.argv[0] : "";
}

static void report_error(struct cmd_env *env, const struct cmd_source *src, bool config,
                         const char *cmd, const char *msg)
{
    if (!env->out.error)
        return;
    /* A line of a config file or of a script says where it is. */
    if ((config || env->batch) && src && src->file) {
        char *where = *cmd ? xasprintf("%s:%d: %s", src->file, src->line, cmd)
                           : xasprintf("%s:%d", src->file, src->line);
        env->out.error(env->out.ud, where, msg);
        free(where);
        return;
    }
    env->out.error(env->out.ud, cmd, msg);
}

static void bulk_failed(struct bulk *b, int64_t conv, const char *msg);

static void call_error(struct cmd_call *call, const char *msg)
{
    struct call_box *b = box_of(call);
    if (b->bulk) {
        bulk_failed(b->bulk, call->conv, msg);
        return;
    }
    report_error(call->env, &b->src, b->config, name_of(b), msg);
}

static void call_info(struct cmd_call *call, const char *msg)
{
    struct call_box *b = box_of(call);
    struct cmd_env *env = call->env;
    /* A bulk command reports once for all; --json output is records only. */
    if (b->bulk || env->out.json || !env->out.info)
        return;
    env->out.info(env->out.ud, msg);
}

void cmd_info(struct cmd_call *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    call_info(call, msg);
    free(msg);
}

void cmd_error(struct cmd_call *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    call_error(call, msg);
    free(msg);
}

bool cmd_json_mode(const struct cmd_call *call)
{
    return call->env->out.json != NULL;
}

void cmd_emit(struct cmd_call *call, struct codec_val *obj)
{
    if (call->env->out.json)
        call->env->out.json(call->env->out.ud, obj);
    else
        codec_free(&obj);
}

void cmd_report_action(struct cmd_call *call, struct codec_val *extra, const char *fmt, ...)
{
    if (cmd_json_mode(call)) {
        struct codec_val *o = codec_object();
        codec_set(o, "ok", codec_bool(1));
        codec_set_str(o, "command", call->def->name);
        if (call->conv)
            codec_set_int(o, "conversation", call->conv);
        codec_merge(o, extra);
        cmd_emit(call, o);
        return;
    }
    codec_free(&extra);
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    call_info(call, msg);
    free(msg);
}

bool cmd_in_bulk(const struct cmd_call *call)
{
    return cbox_of(call)->bulk != NULL;
}

bool cmd_in_config(const struct cmd_call *call)
{
    return cbox_of(call)->config;
}

/* ---- helpers for handlers ---- */

int64_t cmd_default_conv(const struct cmd_env *env)
{
    if (env->batch && env->batch_conv)
        return env->batch_conv;
    if (env->view && env->view->open_conv)
        return env->view->open_conv;
    return env->view ? env->view->selected : 0;
}

int64_t cmd_me(const struct cmd_env *env)
{
    int64_t me = env->ss ? session_me(env->ss) : 0;
    const struct profile *p = me ? NULL : store_profile(env->st);
    return me ? me : p ? p->id : 0;
}

char *cmd_join_args(const struct cmd_call *call, int from)
{
    struct buf b;
    buf_init(&b);
    for (int i = from; i < call->argc; i++)
        buf_addf(&b, "%s%s", i > from ? " " : "", call->argv[i]);
    return buf_detach(&b);
}

int cmd_parse_opts(struct cmd_call *call, struct cmd_opt *opts, size_t nopts, int *first)
{
    int i = 1;
    while (i < call->argc) {
        const char *a = call->argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strncmp(a, "--", 2) != 0)
            break;
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        struct cmd_opt *o = NULL;
        for (size_t k = 0; k < nopts && !o; k++)
            if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
                o = &opts[k];
        if (!o) {
            cmd_error(call, "unknown option %.*s", (int)(len + 2), a);
            return -1;
        }
        o->seen = true;
        if (o->has_arg) {
            if (eq) {
                o->value = eq + 1;
            } else if (i + 1 < call->argc) {
                o->value = call->argv[++i];
            } else {
                cmd_error(call, "--%s needs a value", o->name);
                return -1;
            }
        } else if (eq) {
            cmd_error(call, "--%s takes no value", o->name);
            return -1;
        }
        i++;
    }
    *first = i;
    return 0;
}

/* "12" or "#12" → 12; 0 if not an id. */
static int64_t parse_conv_id(const char *s)
{
    if (*s == '#')
        s++;
    if (!isdigit((unsigned char)*s))
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    return *end || v <= 0 ? 0 : v;
}

/* Take "--conversation ID" out of argv (before any "--"). 1 if found, 0 if
 * not, -1 on a bad value. */
static int take_conv_opt(struct cmd_call *call, int64_t *conv)
{
    for (int i = 1; i < call->argc; i++) {
        const char *a = call->argv[i];
        if (strcmp(a, "--") == 0)
            return 0;
        bool inline_v = strncmp(a, "--conversation=", 15) == 0;
        if (!inline_v && strcmp(a, "--conversation") != 0)
            continue;
        const char *v = inline_v ? a + 15 : i + 1 < call->argc ? call->argv[i + 1] : "";
        *conv = parse_conv_id(v);
        if (!*conv)
            return -1;
        int drop = inline_v ? 1 : 2;
        for (int k = 0; k < drop; k++)
            free(call->argv[i + k]);
        memmove(&call->argv[i], &call->argv[i + drop],
                (size_t)(call->argc - i - drop + 1) * sizeof *call->argv);
        call->argc -= drop;
        return 1;
    }
    return 0;
}

/* ---- running ---- */

static struct call_box *box_new(struct cmd_env *env, char **argv, int argc,
                                const struct cmd_source *src, bool config,
                                void (*done)(void *, bool), void *ud)
{
    struct call_box *b = xcalloc(1, sizeof *b);
    b->call.env = env;
    b->call.argv = argv;
    b->call.argc = argc;
    b->call.src = &b->src;
    b->done = done;
    b->ud = ud;
    b->config = config;
    if (src) {
        b->src = *src;
        b->src.file = src->file ? xstrdup(src->file) : NULL;
    }
    return b;
}

static void box_free(struct call_box *b)
{
    cmd_argv_free(b->call.argv, b->call.argc);
    free((char *)b->src.file);
    free(b);
}

void cmd_note_outcome(struct cmd_call *call, int outcome)
{
    box_of(call)->outcome = outcome;
}

static void box_complete(struct call_box *b, bool ok)
{
    if (b->counted)
        b->call.env->pending--;
    if (!ok && b->outcome == SESSION_AUTH)
        b->call.env->failed_auth++;
    else if (!ok && b->outcome == SESSION_OFFLINE)
        b->call.env->failed_offline++;
    void (*done)(void *, bool) = b->done;
    void *ud = b->ud;
    box_free(b);
    if (done)
        done(ud, ok);
}

void cmd_finish(struct cmd_call *call, bool ok, const char *msg)
{
    struct call_box *b = box_of(call);
    if (msg) {
        if (ok)
            call_info(call, msg);
        else
            call_error(call, msg);
    }
    if (b->in_exec) {
        b->finished = true;
        b->ok = ok;
        return;
    }
    box_complete(b, ok);
}

/* Run the handler; the box is finished and freed here or later by
 * cmd_finish. */
static void box_exec(struct call_box *b)
{
    b->in_exec = true;
    enum cmd_status st = b->call.def->exec(&b->call);
    b->in_exec = false;
    if (b->finished) {
        box_complete(b, b->ok);
        return;
    }
    if (st == CMD_PENDING) {
        /* A bulk command counts once, not once per part. */
        b->counted = !b->bulk;
        if (b->bulk)
            return;
        b->call.env->pending++;
        return;
    }
    box_complete(b, st == CMD_OK);
}

int cmd_pending(const struct cmd_env *env)
{
    return env->pending;
}

/* ---- bulk: one command on every marked conversation ---- */

static void bulk_next(struct bulk *b);

/* The first reason a part gives is the one the summary names. */
static void bulk_failed(struct bulk *b, int64_t conv, const char *msg)
{
    if (b->part_reported)
        return;
    b->part_reported = true;
    if (b->nwhy++ < BULK_REASONS)
        buf_addf(&b->why, "; #%lld: %s", (long long)conv, msg);
}

static void bulk_part_done(void *ud, bool ok)
{
    struct bulk *b = ud;
    if (ok)
        b->ok++;
    else
        bulk_failed(b, b->ids[b->next - 1], "failed");
    bulk_next(b);
}

static void bulk_end(struct bulk *b)
{
    struct call_box *p = b->parent;
    const char *name = p->call.def->name;
    bool ok = b->ok == b->n;
    if (ok) {
        cmd_info(&p->call, "%s: %zu of %zu done", name, b->ok, b->n);
    } else {
        if (b->nwhy > BULK_REASONS)
            buf_addf(&b->why, "; and %zu more", b->nwhy - BULK_REASONS);
        char *msg = xasprintf("%zu of %zu done%s", b->ok, b->n, b->why.data);
        report_error(p->call.env, &p->src, p->config, name, msg);
        free(msg);
    }
    buf_free(&b->why);
    free(b->ids);
    free(b);
    cmd_finish(&p->call, ok, NULL);
}

/* One part after the other; a part that ends at once loops here instead
 * of recursing. */
static void bulk_next(struct bulk *b)
{
    if (b->running) {
        b->again = true;
        return;
    }
    b->running = true;
    do {
        b->again = false;
        if (b->next == b->n) {
            b->running = false;
            bulk_end(b);
            return;
        }
        struct call_box *p = b->parent;
        char **argv = xcalloc((size_t)p->call.argc + 1, sizeof *argv);
        for (int i = 0; i < p->call.argc; i++)
            argv[i] = xstrdup(p->call.argv[i]);
        struct call_box *part =
            box_new(p->call.env, argv, p->call.argc, &p->src, p->config, bulk_part_done, b);
        part->call.def = p->call.def;
        part->call.conv = b->ids[b->next++];
        part->bulk = b;
        b->part_reported = false;
        box_exec(part);
    } while (b->again);
    b->running = false;
}

static void bulk_start(struct call_box *p)
{
    const struct view *v = p->call.env->view;
    struct bulk *b = xcalloc(1, sizeof *b);
    b->parent = p;
    b->n = v->nmarks;
    b->ids = xcalloc(b->n, sizeof *b->ids);
    memcpy(b->ids, v->marks, b->n * sizeof *b->ids);
    buf_init(&b->why);
    p->counted = !p->nested;
    if (p->counted)
        p->call.env->pending++;
    bulk_next(b);
}

/* ---- the checks, then the run ---- */

static bool check(struct call_box *b, bool bulk)
{
    struct cmd_call *call = &b->call;
    struct cmd_env *env = call->env;
    const struct cmd_def *d = call->def;
    if (d->flags & CMDP_CONV_OPT) {
        int r = take_conv_opt(call, &call->conv);
        if (r < 0) {
            call_error(call, "--conversation needs a conversation id");
            return false;
        }
    }
    int nargs = call->argc - 1;
    if (nargs < d->min_args || (d->max_args >= 0 && nargs > d->max_args)) {
        cmd_error(call, "usage: %s", d->usage);
        return false;
    }
    if ((d->flags & CMD_NEEDS_CONN) && !env->ss) {
        call_error(call, "not connected to a server");
        return false;
    }
    if (bulk) {
        if (!env->view || env->view->nmarks == 0) {
            call_error(call, "no conversations are marked");
            return false;
        }
        return true;
    }
    if ((d->flags & CMD_NEEDS_CONV) && !call->conv) {
        call->conv = cmd_default_conv(env);
        if (!call->conv) {
            call_error(call, "no conversation open");
            return false;
        }
    }
    return true;
}

/* Takes argv. */
static void run_argv(struct cmd_env *env, char **argv, int argc, const struct cmd_source *src,
                     bool config, bool force_bulk, bool nested, void (*done)(void *, bool),
                     void *ud)
{
    struct call_box *b = box_new(env, argv, argc, src, config, done, ud);
    b->nested = nested;
    if (argc == 0) {
        box_complete(b, true);
        return;
    }
    char *err = NULL;
    b->call.def = cmd_find(argv[0], &err);
    if (!b->call.def) {
        report_error(env, &b->src, config, argv[0], err);
        free(err);
        box_complete(b, false);
        return;
    }
    const struct cmd_def *d = b->call.def;
    if (config && !(d->flags & CMD_CONFIG)) {
        call_error(&b->call, "not allowed in a config file");
        box_complete(b, false);
        return;
    }
    if ((d->flags & CMD_UI) && !env->ui) {
        box_complete(b, true); /* only a screen can do it: nothing to do here */
        return;
    }
    bool bulk = force_bulk || (env->prefix_marked && !config && strcmp(d->name, "prefix") != 0);
    if (bulk && !(d->flags & CMD_BULK)) {
        if (force_bulk || (d->flags & CMD_NEEDS_CONV)) {
            call_error(&b->call, "cannot be applied to marked conversations");
            box_complete(b, false);
            return;
        }
        bulk = false; /* moving, reading…: the prefix means nothing to it */
    }
    if (!check(b, bulk)) {
        box_complete(b, false);
        return;
    }
    if (bulk) {
        bulk_start(b);
        return;
    }
    box_exec(b);
}

void cmd_run_line(struct cmd_env *env, const char *line, const struct cmd_source *src, bool config,
                  void (*done)(void *, bool), void *ud)
{
    int argc = 0;
    char *err = NULL;
    const char *s = line ? line : "";
    while (*s == ' ' || *s == '\t')
        s++;
    /* ";assign me" is "marked assign me", as the ; key is in neomutt. */
    bool marked = *s == ';' && s[1] && s[1] != ' ';
    char **argv = cmd_split(marked ? s + 1 : s, &argc, &err);
    if (!argv) {
        report_error(env, src, config, "", err);
        free(err);
        if (done)
            done(ud, false);
        return;
    }
    run_argv(env, argv, argc, src, config, marked && !config, false, done, ud);
}

void cmd_run(struct cmd_env *env, const char *line, const struct cmd_source *src,
             void (*done)(void *ud, bool ok), void *ud)
{
    cmd_run_line(env, line, src, false, done, ud);
}

void cmd_run_marked(struct cmd_env *env, char **argv, int argc, const struct cmd_source *src,
                    void (*done)(void *ud, bool ok), void *ud)
{
    char **copy = xcalloc((size_t)argc + 1, sizeof *copy);
    for (int i = 0; i < argc; i++)
        copy[i] = xstrdup(argv[i]);
    run_argv(env, copy, argc, src, false, true, true, done, ud);
}
