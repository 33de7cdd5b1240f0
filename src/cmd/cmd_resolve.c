/* cmd_resolve — turning what people type into records: agents by name
 * prefix, email or id; teams; labels with "did you mean"; templates;
 * phone numbers. Pure lookups in the store, so they are tested alone. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Typed names longer than this are not names (keeps the edit distance cheap). */
#define NAME_MAX_LEN 128

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool iprefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- agents ---- */

static bool first_name_is(const char *name, const char *want, bool prefix)
{
    size_t n = strcspn(name, " ");
    size_t w = strlen(want);
    if (prefix)
        return w <= n && strncasecmp(name, want, w) == 0;
    return w == n && strncasecmp(name, want, n) == 0;
}

/* Agents whose (first) name matches spec exactly (exact) or by prefix. */
static size_t agents_matching(const struct agent *a, size_t n, const char *spec, bool exact,
                              size_t *hits)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool m = exact ? strcasecmp(a[i].name, spec) == 0 || first_name_is(a[i].name, spec, false)
                       : iprefix(a[i].name, spec) || first_name_is(a[i].name, spec, true);
        if (m)
            hits[k++] = i;
    }
    return k;
}

int cmd_resolve_agent(const struct store *st, int64_t me, const char *spec, int64_t *id, char **err)
{
    size_t n;
    const struct agent *a = store_agents(st, &n);
    *err = NULL;
    if (!spec || !*spec) {
        *err = xstrdup("which agent? (a name, an email, an id, me or none)");
        return -1;
    }
    if (strcasecmp(spec, "none") == 0 || strcasecmp(spec, "nobody") == 0) {
        *id = 0;
        return 0;
    }
    if (strcasecmp(spec, "me") == 0) {
        if (!me) {
            *err = xstrdup("who you are is not known yet (the profile has not loaded)");
            return -1;
        }
        *id = me;
        return 0;
    }
    if (all_digits(spec)) {
        int64_t want = strtoll(spec, NULL, 10);
        if (!store_agent(st, want)) {
            *err = xasprintf("no agent with id %s", spec);
            return -1;
        }
        *id = want;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(a[i].email, spec) == 0) {
            *id = a[i].id;
            return 0;
        }
    }
    size_t *hits = xcalloc(n ? n : 1, sizeof *hits);
    size_t k = agents_matching(a, n, spec, true, hits);
    if (k != 1)
        k = k ? k : agents_matching(a, n, spec, false, hits);
    int rc = -1;
    if (k == 1) {
        *id = a[hits[0]].id;
        rc = 0;
    } else if (k == 0) {
        *err = xasprintf("no agent matching \"%s\"", spec);
    } else {
        struct buf b;
        buf_init(&b);
        for (size_t i = 0; i < k; i++)
            buf_addf(&b, "%s%s", i ? ", " : "", a[hits[i]].name);
        *err = xasprintf("ambiguous agent \"%s\": %s", spec, b.data);
        buf_free(&b);
    }
    free(hits);
    return rc;
}

/* ---- teams ---- */

int cmd_resolve_team(const struct store *st, const char *spec, int64_t *id, char **err)
{
    size_t n;
    const struct team *t = store_teams(st, &n);
    *err = NULL;
    if (!spec || !*spec) {
        *err = xstrdup("which team?");
        return -1;
    }
    if (strcasecmp(spec, "none") == 0) {
        *id = 0;
        return 0;
    }
    if (all_digits(spec)) {
        int64_t want = strtoll(spec, NULL, 10);
        if (!store_team(st, want)) {
            *err = xasprintf("no team with id %s", spec);
            return -1;
        }
        *id = want;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(t[i].name, spec) == 0) {
            *id = t[i].id;
            return 0;
        }
    }
    size_t k = 0, hit = 0;
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (iprefix(t[i].name, spec)) {
            buf_addf(&b, "%s%s", k ? ", " : "", t[i].name);
            hit = i;
            k++;
        }
    }
    int rc = -1;
    if (k == 1) {
        *id = t[hit].id;
        rc = 0;
    } else if (k == 0) {
        *err = xasprintf("no team matching \"%s\"", spec);
    } else {
        *err = xasprintf("ambiguous team \"%s\": %s", spec, b.data);
    }
    buf_free(&b);
    return rc;
}

/* ---- labels and near matches ---- */

/* Levenshtein distance, case-insensitive, both strings at most
 * NAME_MAX_LEN bytes. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[NAME_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static bool near(const char *word, const char *cand)
{
    if (!*word || strlen(word) > NAME_MAX_LEN || strlen(cand) > NAME_MAX_LEN)
        return false;
    if (iprefix(cand, word) || strcasestr(cand, word))
        return true;
    return distance(word, cand) <= 2;
}

char *cmd_resolve_near(const char *word, const char *const *cands, size_t n)
{
    struct buf b;
    buf_init(&b);
    size_t k = 0;
    for (size_t i = 0; i < n && k < 8; i++) {
        if (near(word, cands[i])) {
            buf_addf(&b, "%s%s", k ? ", " : "", cands[i]);
            k++;
        }
    }
    if (!k) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

int cmd_resolve_label(const struct store *st, const char *word, const char **title, char **err)
{
    size_t n;
    const struct label *l = store_labels(st, &n);
    *err = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(l[i].title, word) == 0) {
            *title = l[i].title;
            return 0;
        }
    }
    const char **titles = xcalloc(n ? n : 1, sizeof *titles);
    for (size_t i = 0; i < n; i++)
        titles[i] = l[i].title;
    char *near_ones = cmd_resolve_near(word, titles, n);
    free(titles);
    if (near_ones)
        *err = xasprintf("unknown label \"%s\" (did you mean %s?)", word, near_ones);
    else
        *err = xasprintf("unknown label \"%s\" (see `labels`)", word);
    free(near_ones);
    return -1;
}

/* ---- templates, phones, names ---- */

const struct template *cmd_resolve_template(const struct cmd_env *env, const char *name)
{
    for (size_t i = 0; i < env->nlocal_templates; i++)
        if (strcmp(env->local_templates[i].short_code, name) == 0)
            return &env->local_templates[i];
    size_t n;
    const struct template *t = store_templates(env->st, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].short_code, name) == 0)
            return &t[i];
    return NULL;
}

/* Does the short code start with typed (ASCII case ignored)? */
static bool code_starts(const char *code, const char *typed)
{
    return strncasecmp(code, typed, strlen(typed)) == 0;
}

const struct template **cmd_templates_matching(const struct cmd_env *env, const char *typed,
                                               size_t *n)
{
    size_t ns = 0;
    const struct template *server = store_templates(env->st, &ns);
    size_t total = ns + env->nlocal_templates;
    const struct template **out = xcalloc(total ? total : 1, sizeof *out);
    bool *taken = xcalloc(total ? total : 1, sizeof *taken);
    const char *f = typed && *typed == '/' ? typed + 1 : typed ? typed : "";
    size_t k = 0;
    /* Pass 0: short codes that start with it; pass 1: anything holding it. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < total; i++) {
            const struct template *t = i < env->nlocal_templates
                                           ? &env->local_templates[i]
                                           : &server[i - env->nlocal_templates];
            bool hit = pass == 0
                           ? code_starts(t->short_code, f)
                           : text_icontains(t->short_code, f) || text_icontains(t->content, f);
            if (hit && !taken[i]) {
                taken[i] = true;
                out[k++] = t;
            }
        }
    }
    free(taken);
    *n = k;
    return out;
}

const struct template *cmd_resolve_template_prefix(const struct cmd_env *env, const char *prefix,
                                                   size_t *hits)
{
    const struct template *t = cmd_resolve_template(env, prefix);
    *hits = t ? 1 : 0;
    if (t)
        return t;
    size_t n;
    const struct template **all = cmd_templates_matching(env, prefix, &n);
    /* The short codes that start so, if any; else those holding it. */
    size_t by_code = 0;
    while (by_code < n && code_starts(all[by_code]->short_code, prefix))
        by_code++;
    *hits = by_code ? by_code : n;
    t = *hits == 1 ? all[0] : NULL;
    free(all);
    return t;
}

char *cmd_resolve_digits(const char *phone)
{
    char *out = xmalloc(strlen(phone) + 1);
    size_t k = 0;
    for (const char *p = phone; *p; p++)
        if (isdigit((unsigned char)*p))
            out[k++] = *p;
    out[k] = '\0';
    return out;
}

char *cmd_resolve_first(const struct contact *c)
{
    if (c->name && *c->name)
        return model_first_name(c->name);
    return xstrdup(model_contact_label(c));
}
