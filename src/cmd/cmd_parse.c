/* cmd_parse — finding a command by name, alias or unique prefix, and
 * splitting a line into words (quotes, backslashes, comments). */
#include "twoway/cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/xmalloc.h"

/* Longest line the splitter takes (a reply is at most 1,600 characters at
 * Twilio; this only stops runaway input). */
#define LINE_MAX_BYTES (256 * 1024)

/* ---- finding commands ---- */

static bool has_alias(const struct cmd_def *d, const char *name, size_t len, bool prefix)
{
    for (const char *a = d->aliases; a && *a;) {
        while (*a == ' ')
            a++;
        size_t n = strcspn(a, " ");
        if (n && (prefix ? n >= len : n == len) && strncmp(a, name, len) == 0)
            return true;
        a += n;
    }
    return false;
}

const struct cmd_def *cmd_find(const char *name, char **err)
{
    size_t n, len = name ? strlen(name) : 0;
    const struct cmd_def *t = cmd_table(&n);
    if (err)
        *err = NULL;
    if (!len) {
        if (err)
            *err = xstrdup("no command given");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0 || has_alias(&t[i], name, len, false))
            return &t[i];
    const struct cmd_def *hit = NULL;
    struct buf all;
    buf_init(&all);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(t[i].name, name, len) != 0 && !has_alias(&t[i], name, len, true))
            continue;
        buf_addf(&all, "%s%s", hits ? ", " : "", t[i].name);
        hit = &t[i];
        hits++;
    }
    if (hits == 1) {
        buf_free(&all);
        return hit;
    }
    if (err)
        *err = hits ? xasprintf("ambiguous command: %s", all.data) : xstrdup("unknown command");
    buf_free(&all);
    return NULL;
}

/* ---- splitting ---- */

static void push_word(char ***v, int *n, size_t *cap, struct buf *w)
{
    if ((size_t)*n + 2 > *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *v = xreallocarray(*v, *cap, sizeof **v);
    }
    (*v)[(*n)++] = buf_detach(w);
    (*v)[*n] = NULL;
    buf_init(w);
}

/* A '#' starts a comment at the start of the line, or at the start of a
 * word when a blank or the end follows it ("# note", "x # note"), so
 * "reply Order #123 shipped" keeps its number. Quotes group only where a
 * word starts (or after '=', as in name="a b"), so the apostrophe of
 * "reply I'm on it" typed on the `:` line is a letter. */
static bool comment_at(const char *line, const char *p)
{
    if (*p != '#')
        return false;
    const char *s = line;
    while (s < p && (*s == ' ' || *s == '\t'))
        s++;
    if (s == p)
        return true;
    return (p[-1] == ' ' || p[-1] == '\t') &&
           (p[1] == '\0' || p[1] == ' ' || p[1] == '\t' || p[1] == '\n' || p[1] == '\r');
}

char **cmd_split(const char *line, int *argc, char **err)
{
    char **v = NULL;
    size_t cap = 0;
    int n = 0;
    struct buf w;
    bool in_word = false;
    *argc = 0;
    if (err)
        *err = NULL;
    if (!line)
        line = "";
    if (strlen(line) > LINE_MAX_BYTES) {
        if (err)
            *err = xasprintf("the line is too long (over %d bytes)", LINE_MAX_BYTES);
        return NULL;
    }
    buf_init(&w);
    for (const char *p = line; *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            if (in_word)
                push_word(&v, &n, &cap, &w);
            in_word = false;
            p++;
        } else if (!in_word && comment_at(line, p)) {
            break;
        } else if ((*p == '"' || *p == '\'') && (!in_word || (w.len && w.data[w.len - 1] == '='))) {
            char q = *p++;
            in_word = true;
            while (*p && *p != q) {
                if (q == '"' && *p == '\\' && p[1]) {
                    p++;
                    char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                    if (strchr("\"\\nt", *p) == NULL)
                        buf_addc(&w, '\\');
                    buf_addc(&w, c);
                } else {
                    buf_addc(&w, *p);
                }
                p++;
            }
            if (!*p) {
                buf_free(&w);
                cmd_argv_free(v, n);
                if (err)
                    *err = xasprintf("unterminated %s quote", q == '"' ? "double" : "single");
                return NULL;
            }
            p++;
        } else if (*p == '\\' && p[1]) {
            buf_addc(&w, p[1]);
            in_word = true;
            p += 2;
        } else {
            buf_addc(&w, *p++);
            in_word = true;
        }
    }
    if (in_word)
        push_word(&v, &n, &cap, &w);
    buf_free(&w);
    if (!v)
        v = xcalloc(1, sizeof *v);
    *argc = n;
    return v;
}

void cmd_argv_free(char **argv, int argc)
{
    if (!argv)
        return;
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}
