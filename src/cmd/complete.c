/* complete — Tab completion for the `:` line, from the command table and
 * the store: command names, then what each argument is (agents, teams,
 * labels, templates, conversation ids, options, statuses…). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_priv.h"
#include "twoway/keymap.h"
#include "twoway/options.h"
#include "twoway/roles.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

/* Candidates offered at most (a huge list helps nobody). */
#define COMPLETE_MAX 500

struct cands {
    char **v;
    size_t n;
    const char *word;
    size_t len;
};

static void add(struct cands *c, const char *s)
{
    if (!s || !*s || c->n >= COMPLETE_MAX || strncasecmp(s, c->word, c->len) != 0)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i], s) == 0)
            return;
    c->v = xreallocarray(c->v, c->n + 2, sizeof *c->v);
    c->v[c->n++] = xstrdup(s);
    c->v[c->n] = NULL;
}

static void add_prefixed(struct cands *c, char prefix, const char *s)
{
    char *w = xasprintf("%c%s", prefix, s);
    add(c, w);
    free(w);
}

static void add_list(struct cands *c, const char *const *v)
{
    for (; *v; v++)
        add(c, *v);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- sources ---- */

static void commands(struct cands *c)
{
    size_t n;
    const struct cmd_def *t = cmd_table(&n);
    for (size_t i = 0; i < n; i++) {
        add(c, t[i].name);
        for (const char *a = t[i].aliases; a && *a;) {
            size_t k = strcspn(a, " ");
            char *one = xstrndup(a, k);
            add(c, one);
            free(one);
            a += k;
            while (*a == ' ')
                a++;
        }
    }
}

static void agents(struct cands *c, const struct store *st)
{
    size_t n;
    const struct agent *a = store_agents(st, &n);
    /* Who is online (the live channel knows) comes first. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            if ((store_agent_online(st, a[i].id) == 1) != (pass == 0))
                continue;
            char *first = model_first_name(a[i].name);
            add(c, first);
            free(first);
        }
    }
    add(c, "me");
    add(c, "none");
}

static void files(struct cands *c)
{
    const char *slash = strrchr(c->word, '/');
    char *dir = slash ? xstrndup(c->word, (size_t)(slash - c->word) + 1) : xstrdup("");
    const char *base = slash ? slash + 1 : c->word;
    DIR *d = opendir(*dir ? dir : ".");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && c->n < COMPLETE_MAX) {
            if (e->d_name[0] == '.' && base[0] != '.')
                continue;
            if (strncmp(e->d_name, base, strlen(base)) != 0)
                continue;
            char *full = xasprintf("%s%s%s", dir, e->d_name, e->d_type == DT_DIR ? "/" : "");
            add(c, full);
            free(full);
        }
        closedir(d);
    }
    free(dir);
}

static void option_values(struct cands *c, const char *name)
{
    const struct opt_def *d = options_find(name);
    if (!d)
        return;
    if (d->type == OPT_BOOL) {
        add(c, "yes");
        add(c, "no");
        return;
    }
    if (!d->choices)
        return;
    for (const char *p = d->choices; *p;) {
        size_t k = strcspn(p, "|");
        char *one = xstrndup(p, k);
        add(c, one);
        free(one);
        p += k;
        if (*p)
            p++;
    }
}

static void by_kind(struct cands *c, struct cmd_env *env, const struct cmd_def *def,
                    enum cmd_complete kind)
{
    const struct store *st = env->st;
    size_t n;
    static const char *const statuses[] = {"open", "pending", "resolved", "snoozed", "all", NULL};
    static const char *const priorities[] = {"urgent", "high", "medium", "low", "none", NULL};
    static const char *const filters[] = {"mine", "unassigned", "all", NULL};
    static const char *const ctxs[] = {"global", "list", "thread", NULL};
    static const char *const whens[] = {"next-reply", "30m", "1h", "2h",       "4h",
                                        "1d",         "3d",  "1w", "tomorrow", NULL};
    static const char *const focuses[] = {"list", "thread", "toggle", NULL};
    bool filter_cmd = strstr(def->name, "filter") || strcmp(def->name, "inbox") == 0;
    switch (kind) {
    case COMPLETE_NONE:
        break;
    case COMPLETE_COMMAND:
        commands(c);
        break;
    case COMPLETE_OPTION: {
        const struct opt_def *t = options_table(&n);
        for (size_t i = 0; i < n; i++)
            add(c, t[i].name);
        break;
    }
    case COMPLETE_AGENT:
        agents(c, st);
        break;
    case COMPLETE_TEAM: {
        const struct team *t = store_teams(st, &n);
        for (size_t i = 0; i < n; i++)
            add(c, t[i].name);
        add(c, filter_cmd ? "all" : "none");
        break;
    }
    case COMPLETE_LABEL:
    case COMPLETE_TAG: {
        const struct label *l = store_labels(st, &n);
        char sign = kind == COMPLETE_TAG && (*c->word == '+' || *c->word == '-') ? *c->word : 0;
        for (size_t i = 0; i < n; i++) {
            if (sign)
                add_prefixed(c, sign, l[i].title);
            else
                add(c, l[i].title);
        }
        if (kind == COMPLETE_LABEL && filter_cmd)
            add(c, "none");
        break;
    }
    case COMPLETE_TEMPLATE: {
        const struct template *t = store_templates(st, &n);
        for (size_t i = 0; i < n; i++)
            add(c, t[i].short_code);
        for (size_t i = 0; i < env->nlocal_templates; i++)
            add(c, env->local_templates[i].short_code);
        break;
    }
    case COMPLETE_CONV:
        for (size_t i = 0; i < store_list_len(st); i++) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)store_list_at(st, i));
            add(c, id);
        }
        break;
    case COMPLETE_STATUS:
        add_list(c, statuses);
        break;
    case COMPLETE_PRIORITY:
        add_list(c, priorities);
        break;
    case COMPLETE_FILTER:
        add_list(c, filters);
        break;
    case COMPLETE_INBOX: {
        const struct inbox *in = store_inboxes(st, &n);
        for (size_t i = 0; i < n; i++)
            add(c, in[i].name);
        add(c, "all");
        break;
    }
    case COMPLETE_KEYCTX:
        add_list(c, ctxs);
        break;
    case COMPLETE_ROLE:
        for (int i = 0; i < ROLE__COUNT; i++)
            add(c, roles_name((enum fmt_role)i));
        break;
    case COMPLETE_FILE:
        files(c);
        break;
    case COMPLETE_WHEN:
        add_list(c, whens);
        break;
    case COMPLETE_FOCUS:
        add_list(c, focuses);
        break;
    }
}

/* words[0..n) are complete; the word being typed is c->word. */
static void complete_words(struct cands *c, struct cmd_env *env, char **words, int n, int depth)
{
    if (n == 0) {
        commands(c);
        return;
    }
    const struct cmd_def *def = cmd_find(words[0], NULL);
    if (!def || depth > 4)
        return;
    if (strcmp(def->name, "marked") == 0) {
        complete_words(c, env, words + 1, n - 1, depth + 1);
        return;
    }
    if (strcmp(def->name, "bind") == 0 && n >= 3) {
        complete_words(c, env, words + 3, n - 3, depth + 1);
        return;
    }
    if (strcmp(def->name, "set") == 0 && n >= 2) {
        bool eq = n >= 3 && strcmp(words[2], "=") == 0;
        if (n == 2 || (n == 3 && eq))
            option_values(c, words[1]);
        return;
    }
    by_kind(c, env, def, def->complete[n == 1 ? 0 : 1]);
}

char **cmd_complete(struct cmd_env *env, const char *line, size_t point)
{
    size_t len = line ? strlen(line) : 0;
    char *head = xstrndup(line ? line : "", point < len ? point : len);
    int argc = 0;
    char **argv = cmd_split(head, &argc, NULL);
    if (!argv) { /* an open quote: the word being typed is inside it */
        const char *dq = strrchr(head, '"'), *sq = strrchr(head, '\'');
        char quote = dq && (!sq || dq > sq) ? '"' : '\'';
        char *closed = xasprintf("%s%c", head, quote);
        argv = cmd_split(closed, &argc, NULL);
        free(closed);
    }
    size_t hl = strlen(head);
    bool at_new_word = hl == 0 || head[hl - 1] == ' ' || head[hl - 1] == '\t';
    struct cands c = {.v = xcalloc(1, sizeof(char *))};
    if (argv) {
        int done_words = at_new_word ? argc : argc - 1;
        c.word = at_new_word || argc == 0 ? "" : argv[argc - 1];
        c.len = strlen(c.word);
        complete_words(&c, env, argv, done_words < 0 ? 0 : done_words, 0);
    }
    qsort(c.v, c.n, sizeof *c.v, by_name);
    cmd_argv_free(argv, argc);
    free(head);
    return c.v;
}
