/* cmd_conf — the commands a config file is made of: options, key
 * bindings, colours, local templates, `source`; and help and quit. */
#include "twoway/codec.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/keymap.h"
#include "twoway/options.h"
#include "twoway/palette.h"
#include "twoway/roles.h"
#include "twoway/xmalloc.h"

/* Where the help text starts in `help` output. */
#define HELP_COLUMN 32

/* ---- set / unset ---- */

static const char *shown_value(const struct opt_def *d, const char *v)
{
    if (d->flags & OPT_SECRET)
        return *v ? "(set)" : "";
    return v;
}

static void show_option(struct cmd_call *call, const struct opt_def *d)
{
    struct cmd_env *env = call->env;
    const char *v = shown_value(d, options_get(env->opts, d->name));
    char *means = env->explain_setting ? env->explain_setting(env->explain_ud, d->name, v) : NULL;
    if (cmd_json_mode(call)) {
        struct codec_val *o = codec_object();
        codec_set_str(o, "name", d->name);
        codec_set_str(o, "value", v);
        codec_set_str(o, "default", d->dflt);
        codec_set_str(o, "help", d->help);
        if (means)
            codec_set_str(o, "here", means);
        cmd_emit(call, o);
    } else if (means) {
        cmd_info(call, "%s = %s (here: %s)", d->name, v, means);
    } else {
        cmd_info(call, "%s = %s", d->name, v);
    }
    free(means);
}

/* "unknown option 'x' (did you mean y?)" */
static void unknown_option(struct cmd_call *call, const char *name)
{
    size_t n;
    const struct opt_def *t = options_table(&n);
    const char **names = xcalloc(n, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = t[i].name;
    char *near = cmd_resolve_near(name, names, n);
    free(names);
    if (near)
        cmd_error(call, "unknown option '%s' (did you mean %s?)", name, near);
    else
        cmd_error(call, "unknown option '%s' (see `set`)", name);
    free(near);
}

/* Every setting takes effect when it is set, but those read when twoway
 * connects: after that, say so. */
static void said_when(struct cmd_call *call, const struct opt_def *d)
{
    if ((d->flags & OPT_RESTART) && call->env->ss)
        cmd_info(call, "%s takes effect when twoway starts again", d->name);
}

enum cmd_status cmd_conf_set(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    if (call->argc == 1) {
        size_t n;
        const struct opt_def *t = options_table(&n);
        for (size_t i = 0; i < n; i++)
            show_option(call, &t[i]);
        return CMD_OK;
    }
    /* set NAME, set NAME VALUE, set NAME = VALUE, set NAME=VALUE */
    char *name = xstrdup(call->argv[1]);
    char *value = NULL;
    char *eq = strchr(name, '=');
    int rest = 2;
    if (eq) {
        *eq = '\0';
        if (eq[1]) {
            value = xstrdup(eq + 1);
        }
    } else if (call->argc > 2 && strcmp(call->argv[2], "=") == 0) {
        rest = 3;
    }
    if (!value && (eq || rest == 3 || call->argc > rest))
        value = cmd_join_args(call, rest);
    const struct opt_def *d = options_find(name);
    enum cmd_status rc = CMD_OK;
    if (!d) {
        unknown_option(call, name);
        rc = CMD_FAIL;
    } else if (!value) {
        show_option(call, d);
    } else {
        char *err = NULL;
        bool priv = call->src && call->src->file && call->src->private_file;
        if (options_set(env->opts, d->name, value, priv, &err) < 0) {
            cmd_error(call, "%s", err);
            rc = CMD_FAIL;
        } else {
            said_when(call, d);
        }
        free(err);
    }
    free(name);
    free(value);
    return rc;
}

enum cmd_status cmd_conf_unset(struct cmd_call *call)
{
    if (!options_find(call->argv[1])) {
        unknown_option(call, call->argv[1]);
        return CMD_FAIL;
    }
    char *err = NULL;
    if (options_reset(call->env->opts, call->argv[1], &err) < 0) {
        cmd_error(call, "%s", err);
        free(err);
        return CMD_FAIL;
    }
    said_when(call, options_find(call->argv[1]));
    return CMD_OK;
}

/* ---- bind / unbind ---- */

/* Words back into one command line, quoting what needs it. */
static char *requote(char **argv, int argc)
{
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (i)
            buf_addc(&b, ' ');
        if (*w && !strpbrk(w, " \t\n\"'\\#;")) {
            buf_adds(&b, w);
            continue;
        }
        buf_addc(&b, '"');
        for (const char *p = w; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_addc(&b, '\\');
            if (*p == '\n')
                buf_adds(&b, "\\n");
            else
                buf_addc(&b, *p);
        }
        buf_addc(&b, '"');
    }
    return buf_detach(&b);
}

static void list_bindings(struct cmd_call *call, enum keymap_ctx ctx)
{
    size_t pos = 0;
    int key;
    const char *line;
    while (keymap_iter(call->env->keys, ctx, &pos, &key, &line)) {
        const char *kname = keymap_key_name(key);
        if (cmd_json_mode(call)) {
            struct codec_val *o = codec_object();
            codec_set_str(o, "context", keymap_ctx_name(ctx));
            codec_set_str(o, "key", kname);
            codec_set_str(o, "command", line);
            cmd_emit(call, o);
        } else {
            cmd_info(call, "bind %s %s %s", keymap_ctx_name(ctx), kname, line);
        }
    }
}

static int parse_ctx(struct cmd_call *call, const char *name)
{
    int ctx = keymap_parse_ctx(name);
    if (ctx < 0)
        cmd_error(call, "unknown key context \"%s\" (global, list, thread)", name);
    return ctx;
}

enum cmd_status cmd_conf_bind(struct cmd_call *call)
{
    if (call->argc == 1) {
        for (int c = 0; c < KEYCTX__COUNT; c++)
            list_bindings(call, (enum keymap_ctx)c);
        return CMD_OK;
    }
    int ctx = parse_ctx(call, call->argv[1]);
    if (ctx < 0)
        return CMD_FAIL;
    if (call->argc == 2) {
        list_bindings(call, (enum keymap_ctx)ctx);
        return CMD_OK;
    }
    if (call->argc == 3) {
        cmd_error(call, "usage: %s", call->def->usage);
        return CMD_FAIL;
    }
    /* A binding to nothing runnable is a mistake better told now. */
    char *err = NULL;
    const char *first = call->argv[3];
    if (*first == ';' && first[1])
        first++;
    if (!cmd_find(first, &err)) {
        cmd_error(call, "%s: %s", call->argv[3], err);
        free(err);
        return CMD_FAIL;
    }
    char *line = requote(call->argv + 3, call->argc - 3);
    int rc = keymap_bind(call->env->keys, (enum keymap_ctx)ctx, call->argv[2], line, &err);
    free(line);
    if (rc < 0) {
        cmd_error(call, "%s", err);
        free(err);
        return CMD_FAIL;
    }
    return CMD_OK;
}

enum cmd_status cmd_conf_unbind(struct cmd_call *call)
{
    int ctx = parse_ctx(call, call->argv[1]);
    if (ctx < 0)
        return CMD_FAIL;
    char *err = NULL;
    if (keymap_unbind(call->env->keys, (enum keymap_ctx)ctx, call->argv[2], &err) < 0) {
        cmd_error(call, "%s", err);
        free(err);
        return CMD_FAIL;
    }
    return CMD_OK;
}

/* ---- color ---- */

enum cmd_status cmd_conf_color(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    int role = roles_parse(call->argv[1]);
    if (role < 0) {
        const char *names[ROLE__COUNT];
        for (int i = 0; i < ROLE__COUNT; i++)
            names[i] = roles_name((enum fmt_role)i);
        char *near = cmd_resolve_near(call->argv[1], names, ROLE__COUNT);
        cmd_error(call, "unknown role \"%s\"%s%s%s", call->argv[1], near ? " (did you mean " : "",
                  near ? near : "", near ? "?)" : "");
        free(near);
        return CMD_FAIL;
    }
    short fg, bg = -1;
    unsigned attrs = 0;
    if (palette_color(call->argv[2], &fg) < 0) {
        cmd_error(call,
                  "unknown colour \"%s\" (default, black, red, green, yellow, blue, "
                  "magenta, cyan, white, brightred..., color0...color255)",
                  call->argv[2]);
        return CMD_FAIL;
    }
    int i = 3;
    if (i < call->argc && palette_color(call->argv[i], &bg) == 0)
        i++;
    for (; i < call->argc; i++) {
        unsigned a;
        if (palette_attr(call->argv[i], &a) < 0) {
            cmd_error(call,
                      "unknown colour or attribute \"%s\" (bold, dim, underline, reverse, "
                      "italic, blink, none)",
                      call->argv[i]);
            return CMD_FAIL;
        }
        attrs |= a;
    }
    /* Kept whether or not a screen is up: the screen follows the palette. */
    if (env->palette)
        palette_set(env->palette, (enum fmt_role)role, fg, bg, attrs);
    return CMD_OK;
}

/* ---- source ---- */

/* ~/x is under $HOME; a relative path in a config file is relative to it. */
static char *source_path(const struct cmd_call *call, const char *arg)
{
    if (arg[0] == '~' && arg[1] == '/') {
        const char *home = getenv("HOME");
        return xasprintf("%s%s", home ? home : "", arg + 1);
    }
    if (arg[0] != '/' && call->src && call->src->file && cmd_in_config(call)) {
        const char *slash = strrchr(call->src->file, '/');
        if (slash)
            return xasprintf("%.*s/%s", (int)(slash - call->src->file), call->src->file, arg);
    }
    return xstrdup(arg);
}

enum cmd_status cmd_conf_source(struct cmd_call *call)
{
    char *path = source_path(call, call->argv[1]);
    char *err = NULL;
    int errors = cmd_source_file(call->env, path, &err);
    free(path);
    if (err) {
        cmd_error(call, "%s", err);
        free(err);
        return CMD_FAIL;
    }
    if (errors) {
        cmd_error(call, "%d error%s in %s", errors, errors == 1 ? "" : "s", call->argv[1]);
        return CMD_FAIL;
    }
    return CMD_OK;
}

/* ---- local templates ---- */

void cmd_conf_add_template(struct cmd_env *env, const char *name, const char *text)
{
    for (size_t i = 0; i < env->nlocal_templates; i++) {
        struct template *t = &env->local_templates[i];
        if (strcmp(t->short_code, name) == 0) {
            free(t->content);
            t->content = xstrdup(text);
            return;
        }
    }
    env->local_templates = xreallocarray(env->local_templates, env->nlocal_templates + 1,
                                         sizeof *env->local_templates);
    struct template *t = &env->local_templates[env->nlocal_templates++];
    memset(t, 0, sizeof *t);
    t->short_code = xstrdup(name);
    t->content = xstrdup(text);
    t->local = true;
}

/* ---- help, quit, redraw ---- */

static void help_one(struct cmd_call *call, const struct cmd_def *d)
{
    if (cmd_json_mode(call)) {
        struct codec_val *o = codec_object();
        codec_set_str(o, "command", d->name);
        codec_set_str(o, "aliases", d->aliases ? d->aliases : "");
        codec_set_str(o, "usage", d->usage);
        codec_set_str(o, "help", d->help);
        cmd_emit(call, o);
        return;
    }
    /* A long usage gets a line of its own, so the help column stays put. */
    if (strlen(d->usage) > HELP_COLUMN)
        cmd_info(call, "%s\n%-*s %s", d->usage, HELP_COLUMN, "", d->help);
    else
        cmd_info(call, "%-*s %s", HELP_COLUMN, d->usage, d->help);
}

enum cmd_status cmd_conf_help(struct cmd_call *call)
{
    const struct cmd_ui *ui = call->env->ui;
    const char *topic = call->argc > 1 ? call->argv[1] : NULL;
    const struct cmd_def *one = NULL;
    if (topic) {
        char *err = NULL;
        one = cmd_find(topic, &err);
        if (!one) {
            cmd_error(call, "%s: %s", topic, err);
            free(err);
            return CMD_FAIL;
        }
    }
    if (ui && ui->help) {
        ui->help(ui->ud, one ? one->name : NULL);
        return CMD_OK;
    }
    if (one) {
        help_one(call, one);
        return CMD_OK;
    }
    size_t n;
    const struct cmd_def *t = cmd_table(&n);
    for (size_t i = 0; i < n; i++)
        help_one(call, &t[i]);
    return CMD_OK;
}

enum cmd_status cmd_conf_quit(struct cmd_call *call)
{
    const struct cmd_ui *ui = call->env->ui;
    call->env->quit = true;
    if (ui && ui->quit)
        ui->quit(ui->ud);
    return CMD_OK;
}

enum cmd_status cmd_conf_redraw(struct cmd_call *call)
{
    const struct cmd_ui *ui = call->env->ui;
    if (ui->redraw)
        ui->redraw(ui->ud);
    return CMD_OK;
}
