/* gen_completion — writes the bash or zsh completion script at build time.
 *
 *   gen_completion bash|zsh twoway|twowayd TEMPLATE TWOWAY_HELP TWOWAYD_HELP ADMIN_HELP OUT
 *
 * The words come from where the programs themselves take them, so the
 * script cannot drift from them: the commands, their aliases and what
 * their arguments complete to from the command table and cmd_complete()
 * (the `:` line's completion, run on an empty store), the option names
 * and values after `set` from the option table, and the command-line
 * options and `twowayd admin` commands from the programs' own --help and
 * `admin help` output (captured by meson). The template's @DATA@ line is
 * replaced by shell variables and @PROGRAM@ by the program the script is
 * for; the rest of the template is the logic. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/cmd.h"
#include "twoway/options.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

enum shell { BASH, ZSH };

struct entry {
    char *k, *v;
};

struct wordmap {
    struct entry *v;
    size_t n;
};

static void map_set(struct wordmap *m, const char *k, const char *v)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->v[i].k, k) == 0) {
            free(m->v[i].v);
            m->v[i].v = xstrdup(v);
            return;
        }
    }
    m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
    m->v[m->n].k = xstrdup(k);
    m->v[m->n].v = xstrdup(v);
    m->n++;
}

static const char *map_get(const struct wordmap *m, const char *k)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].k, k) == 0)
            return m->v[i].v;
    return NULL;
}

static void map_free(struct wordmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].k);
        free(m->v[i].v);
    }
    free(m->v);
    m->v = NULL;
    m->n = 0;
}

/* Append word to a space-separated list, once. */
static void words_add(struct buf *b, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = b->data; (p = strstr(p, w)); p += n)
        if ((p == b->data || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return;
    if (b->len)
        buf_addc(b, ' ');
    buf_adds(b, w);
}

/* ---- shell output ---- */

static void quote(struct buf *out, const char *s)
{
    buf_addc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            buf_adds(out, "'\\''");
        else
            buf_addc(out, *s);
    }
    buf_addc(out, '\'');
}

static void emit_scalar(struct buf *out, enum shell sh, const char *name, const char *value)
{
    buf_addf(out, "%s%s=", sh == ZSH ? "typeset -g " : "", name);
    quote(out, value);
    buf_addc(out, '\n');
}

static void emit_map(struct buf *out, enum shell sh, const char *name, const struct wordmap *m)
{
    if (sh == BASH)
        buf_addf(out, "declare -gA %s=(\n", name);
    else
        buf_addf(out, "typeset -gA %s\n%s=(\n", name, name);
    for (size_t i = 0; i < m->n; i++) {
        buf_adds(out, "    ");
        if (sh == BASH) {
            buf_addc(out, '[');
            quote(out, m->v[i].k);
            buf_adds(out, "]=");
        } else {
            quote(out, m->v[i].k);
            buf_addc(out, ' ');
        }
        quote(out, m->v[i].v);
        buf_addc(out, '\n');
    }
    buf_adds(out, ")\n");
}

/* zsh only: an array (of _arguments specs). */
static void emit_array(struct buf *out, const char *name, char **v, size_t n)
{
    buf_addf(out, "typeset -ga %s\n%s=(\n", name, name);
    for (size_t i = 0; i < n; i++) {
        buf_adds(out, "    ");
        quote(out, v[i]);
        buf_addc(out, '\n');
    }
    buf_adds(out, ")\n");
}

/* ---- the command language, from the tables ---- */

static bool plain_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return false;
    return true;
}

/* What cmd_complete offers after line (nothing is typed of the word). */
static char *completions_after(struct cmd_env *env, const char *line)
{
    char **c = cmd_complete(env, line, strlen(line));
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; c[i]; i++) {
        words_add(&b, c[i]);
        free(c[i]);
    }
    free(c);
    return buf_detach(&b);
}

/* A command's argument: files and command lines are marked for the
 * script; the rest is what the `:` line offers with nothing loaded. */
static char *argument_words(struct cmd_env *env, const struct cmd_def *d, int which)
{
    switch (d->complete[which]) {
    case COMPLETE_FILE:
        return xstrdup("@file");
    case COMPLETE_COMMAND:
        return xstrdup("@command");
    case COMPLETE_NONE:
        return xstrdup("");
    default: {
        char *line = xasprintf(which == 0 ? "%s " : "%s x ", d->name);
        char *w = completions_after(env, line);
        free(line);
        return w;
    }
    }
}

static void emit_commands(struct buf *out, enum shell sh)
{
    struct cmd_env env = {0};
    env.st = store_new();
    struct buf names;
    buf_init(&names);
    struct wordmap alias = {0}, arg1 = {0}, argn = {0}, setval = {0};
    size_t n;
    const struct cmd_def *t = cmd_table(&n);
    for (size_t i = 0; i < n; i++) {
        words_add(&names, t[i].name);
        for (const char *a = t[i].aliases; a && *a;) {
            size_t k = strcspn(a, " ");
            char *one = xstrndup(a, k);
            map_set(&alias, one, t[i].name);
            if (plain_word(one))
                words_add(&names, one);
            free(one);
            a += k;
            a += strspn(a, " ");
        }
        for (int which = 0; which < 2; which++) {
            char *w = argument_words(&env, &t[i], which);
            map_set(which == 0 ? &arg1 : &argn, t[i].name, w);
            free(w);
        }
    }
    const struct opt_def *o = options_table(&n);
    for (size_t i = 0; i < n; i++) {
        char *line = xasprintf("set %s ", o[i].name);
        char *w = completions_after(&env, line);
        map_set(&setval, o[i].name, w);
        free(w);
        free(line);
    }
    emit_scalar(out, sh, "_twoway_commands", names.data);
    emit_map(out, sh, "_twoway_alias", &alias);
    emit_map(out, sh, "_twoway_arg1", &arg1);
    emit_map(out, sh, "_twoway_argn", &argn);
    emit_map(out, sh, "_twoway_setval", &setval);
    buf_free(&names);
    map_free(&alias);
    map_free(&arg1);
    map_free(&argn);
    map_free(&setval);
    store_free(&env.st);
}

/* ---- command-line options, from --help ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "gen_completion: cannot read %s\n", path);
        exit(1);
    }
    struct buf b;
    buf_init(&b);
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, k);
    fclose(f);
    return buf_detach(&b);
}

/* What an option's argument is, from its name in the help. */
static const char *arg_kind(const char *metavar)
{
    if (!strcmp(metavar, "FILE") || !strcmp(metavar, "PATH"))
        return "@file";
    if (!strcmp(metavar, "COMMAND"))
        return "@command";
    return "@value";
}

/* zsh's _arguments wants [ ] and : escaped in descriptions and messages. */
static void zsh_escape(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '[' || s[i] == ']' || s[i] == ':' || s[i] == '\\')
            buf_addc(b, '\\');
        buf_addc(b, s[i]);
    }
}

/* Option lines of a --help: "  -F, --config FILE   text" (the options,
 * an optional upper-case argument name, two spaces, the description). */
static void emit_options(struct buf *out, enum shell sh, const char *prog, const char *help)
{
    struct buf all;
    buf_init(&all);
    struct wordmap optarg = {0};
    char **specs = NULL;
    size_t nspecs = 0;
    for (const char *line = help; *line;) {
        size_t len = strcspn(line, "\n");
        const char *p = line, *end = line + len;
        while (p < end && *p == ' ')
            p++;
        if (p - line >= 2 && p < end && *p == '-') {
            char *names[2] = {NULL, NULL};
            int nn = 0;
            while (p < end && *p == '-' && nn < 2) {
                size_t k = strcspn(p, " ,\n");
                names[nn++] = xstrndup(p, k);
                p += k;
                if (*p == ',')
                    p++;
                while (p < end && *p == ' ' && p[1] == '-')
                    p++;
            }
            char *metavar = NULL;
            if (p + 1 < end && p[0] == ' ' && isupper((unsigned char)p[1])) {
                size_t k = strcspn(p + 1, " \n");
                metavar = xstrndup(p + 1, k);
                p += 1 + k;
            }
            while (p < end && *p == ' ')
                p++;
            /* The description, with its continuation lines (deeper
             * indented, not an option). */
            struct buf d;
            buf_init(&d);
            buf_add(&d, p, (size_t)(end - p));
            while (*end == '\n' && strncmp(end + 1, "        ", 8) == 0 &&
                   end[1 + strspn(end + 1, " ")] != '-') {
                const char *next = end + 1 + strspn(end + 1, " ");
                end = next + strcspn(next, "\n");
                buf_addc(&d, ' ');
                buf_add(&d, next, (size_t)(end - next));
            }
            const char *desc = d.data;
            size_t desclen = d.len;
            for (int i = 0; i < nn; i++) {
                words_add(&all, names[i]);
                if (metavar)
                    map_set(&optarg, names[i], arg_kind(metavar));
            }
            if (sh == ZSH) {
                bool repeat = memmem(desc, desclen, "repeatable", 10) != NULL;
                for (int i = 0; i < nn; i++) {
                    struct buf s;
                    buf_init(&s);
                    if (repeat) {
                        buf_addc(&s, '*');
                    } else {
                        buf_addc(&s, '(');
                        for (int j = 0; j < nn; j++)
                            buf_addf(&s, "%s%s", j ? " " : "", names[j]);
                        buf_addc(&s, ')');
                    }
                    buf_adds(&s, names[i]);
                    if (metavar)
                        buf_adds(&s, names[i][1] == '-' ? "=" : "+");
                    buf_addc(&s, '[');
                    zsh_escape(&s, desc, desclen);
                    buf_addc(&s, ']');
                    if (metavar) {
                        const char *kind = arg_kind(metavar);
                        buf_addc(&s, ':');
                        for (const char *m = metavar; *m; m++) {
                            if (*m == ':')
                                buf_addc(&s, '\\');
                            buf_addc(&s, (char)tolower((unsigned char)*m));
                        }
                        buf_adds(&s, !strcmp(kind, "@file")      ? ":_files"
                                     : !strcmp(kind, "@command") ? ":_twoway_exec_line"
                                                                 : ": ");
                    }
                    specs = xreallocarray(specs, nspecs + 1, sizeof *specs);
                    specs[nspecs++] = buf_detach(&s);
                }
            }
            buf_free(&d);
            free(metavar);
            for (int i = 0; i < nn; i++)
                free(names[i]);
        }
        line = *end ? end + 1 : end;
    }
    char *name = xasprintf("_%s_opts", prog);
    emit_scalar(out, sh, name, all.data);
    free(name);
    name = xasprintf("_%s_optarg", prog);
    emit_map(out, sh, name, &optarg);
    free(name);
    if (sh == ZSH) {
        name = xasprintf("_%s_specs", prog);
        emit_array(out, name, specs, nspecs);
        free(name);
    }
    for (size_t i = 0; i < nspecs; i++)
        free(specs[i]);
    free(specs);
    buf_free(&all);
    map_free(&optarg);
}

/* ---- `twowayd admin`, from `twowayd admin help` ---- */

/* The words of a help line: spaces separate, "double quotes" group. */
static char **split_words(const char *s, int *argc)
{
    char **v = xcalloc(1, sizeof *v);
    int n = 0;
    for (;;) {
        s += strspn(s, " ");
        if (!*s)
            break;
        size_t k = *s == '"' && strchr(s + 1, '"') ? (size_t)(strchr(s + 1, '"') - s) + 1
                                                   : strcspn(s, " ");
        v = xreallocarray(v, (size_t)n + 2, sizeof *v);
        v[n++] = xstrndup(s, k);
        v[n] = NULL;
        s += k;
    }
    *argc = n;
    return v;
}

/* Lines "  agent add --name NAME [--role agent|administrator] ..." each
 * followed by an indented description; the usage line names the options
 * every command takes. */
static void emit_admin(struct buf *out, enum shell sh, const char *help)
{
    struct buf cmds, common;
    buf_init(&cmds);
    buf_init(&common);
    struct wordmap sub = {0}, opts = {0}, optarg = {0}, desc = {0};
    char *key = NULL;
    for (const char *line = help; *line;) {
        size_t len = strcspn(line, "\n");
        char *l = xstrndup(line, len);
        line += len + (line[len] == '\n');
        /* A command's line is followed by its description. */
        bool described = strncmp(line, "      ", 6) == 0;
        int argc = 0;
        char **argv = split_words(l, &argc);
        if (argc > 0 && strcmp(argv[0], "usage:") == 0) {
            for (int i = 1; i < argc; i++) {
                char *w = argv[i] + (argv[i][0] == '[');
                w[strcspn(w, "]")] = '\0';
                if (strncmp(w, "--", 2) == 0) {
                    words_add(&common, w);
                    if (i + 1 < argc && isupper((unsigned char)argv[i + 1][0])) {
                        argv[i + 1][strcspn(argv[i + 1], "]")] = '\0';
                        map_set(&optarg, w, arg_kind(argv[i + 1]));
                    }
                }
            }
        } else if (strncmp(l, "      ", 6) == 0 && key && argc > 0) {
            map_set(&desc, key, l + strspn(l, " "));
        } else if (described && strncmp(l, "  ", 2) == 0 && islower((unsigned char)l[2])) {
            int i = 0;
            struct buf k;
            buf_init(&k);
            for (; i < argc && islower((unsigned char)argv[i][0]); i++) {
                if (i == 0)
                    words_add(&cmds, argv[0]);
                else {
                    const char *have = map_get(&sub, argv[0]);
                    struct buf v;
                    buf_init(&v);
                    buf_adds(&v, have ? have : "");
                    words_add(&v, argv[i]);
                    map_set(&sub, argv[0], v.data);
                    buf_free(&v);
                }
                buf_addf(&k, "%s%s", i ? " " : "", argv[i]);
            }
            free(key);
            key = buf_detach(&k);
            struct buf o;
            buf_init(&o);
            for (; i < argc; i++) {
                char *w = argv[i] + (argv[i][0] == '[');
                w[strcspn(w, "]")] = '\0';
                if (strncmp(w, "--", 2) != 0)
                    continue;
                words_add(&o, w);
                if (i + 1 < argc && argv[i + 1][0] != '[' && argv[i + 1][0] != '-') {
                    char *val = argv[i + 1];
                    val[strcspn(val, "]")] = '\0';
                    char *okey = xasprintf("%s %s", key, w);
                    if (strchr(val, '|') && islower((unsigned char)val[0])) {
                        for (char *bar = val; (bar = strchr(bar, '|'));)
                            *bar = ' ';
                        map_set(&optarg, okey, val);
                    } else {
                        map_set(&optarg, okey, arg_kind(val));
                    }
                    free(okey);
                }
            }
            map_set(&opts, key, o.data);
            buf_free(&o);
        }
        for (int i = 0; i < argc; i++)
            free(argv[i]);
        free(argv);
        free(l);
    }
    words_add(&cmds, "help");
    map_set(&desc, "help", "list the commands");
    emit_scalar(out, sh, "_twowayd_admin_cmds", cmds.data);
    emit_scalar(out, sh, "_twowayd_admin_common", common.data);
    emit_map(out, sh, "_twowayd_admin_sub", &sub);
    emit_map(out, sh, "_twowayd_admin_opts", &opts);
    emit_map(out, sh, "_twowayd_admin_optarg", &optarg);
    if (sh == ZSH)
        emit_map(out, sh, "_twowayd_admin_desc", &desc);
    free(key);
    buf_free(&cmds);
    buf_free(&common);
    map_free(&sub);
    map_free(&opts);
    map_free(&optarg);
    map_free(&desc);
}

/* The template with @DATA@ (a line) and @PROGRAM@ replaced. */
static int write_script(const char *path, const char *tmpl, const char *data, const char *prog)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_completion: cannot write %s\n", path);
        return 1;
    }
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "@DATA@\n", 7) == 0 && (p == tmpl || p[-1] == '\n')) {
            fputs(data, f);
            p += 7;
        } else if (strncmp(p, "@PROGRAM@", 9) == 0) {
            fputs(prog, f);
            p += 9;
        } else {
            fputc(*p++, f);
        }
    }
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 8 || (strcmp(argv[1], "bash") && strcmp(argv[1], "zsh")) ||
        (strcmp(argv[2], "twoway") && strcmp(argv[2], "twowayd"))) {
        fprintf(stderr, "usage: gen_completion bash|zsh twoway|twowayd TEMPLATE TWOWAY_HELP "
                        "TWOWAYD_HELP ADMIN_HELP OUT\n");
        return 2;
    }
    enum shell sh = strcmp(argv[1], "bash") == 0 ? BASH : ZSH;
    char *tmpl = read_file(argv[3]);
    if (!strstr(tmpl, "@DATA@\n")) {
        fprintf(stderr, "gen_completion: %s has no @DATA@ line\n", argv[3]);
        return 1;
    }
    char *help[3];
    for (int i = 0; i < 3; i++)
        help[i] = read_file(argv[4 + i]);

    /* Each program's script holds the words of both (they share the
     * logic) and registers its own program only. */
    struct buf data;
    buf_init(&data);
    emit_commands(&data, sh);
    emit_options(&data, sh, "twoway", help[0]);
    emit_options(&data, sh, "twowayd", help[1]);
    emit_admin(&data, sh, help[2]);
    int rc = write_script(argv[7], tmpl, data.data, argv[2]);

    buf_free(&data);
    for (int i = 0; i < 3; i++)
        free(help[i]);
    free(tmpl);
    return rc;
}
