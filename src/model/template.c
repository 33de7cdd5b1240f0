/* template — {{variable}} expansion for replies (template.h).
 *
 * One left-to-right pass. A "{{" opens a variable only if a "}}" follows
 * before the next "{{"; otherwise the braces are text, so "{{{x}}}" is a
 * brace around x, and a lone "{{" passes through. Inside, a variable name,
 * then optionally Chatwoot's fallback `|| 'text'`. The scan remembers where
 * the next "}}" is, so hostile input ("{{{{{{…") stays linear. */
#include "twoway/template.h"

#include "twoway/store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Longest {{…}} shown whole in an error message. */
#define SHOWN_MAX 60

struct var {
    const char *name;
    size_t name_len;
    bool has_fallback;
    const char *fallback;
    size_t fallback_len;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static const char *skip_space(const char *s, const char *end)
{
    while (s < end && is_space(*s))
        s++;
    return s;
}

/* Read `name [|| 'fallback']` filling [s, end) exactly; false if it is
 * anything else. */
static bool parse_var(const char *s, const char *end, struct var *v)
{
    memset(v, 0, sizeof *v);
    s = skip_space(s, end);
    v->name = s;
    while (s < end && is_name_char(*s))
        s++;
    v->name_len = (size_t)(s - v->name);
    if (v->name_len == 0)
        return false;
    s = skip_space(s, end);
    if (end - s >= 2 && s[0] == '|' && s[1] == '|') {
        s = skip_space(s + 2, end);
        if (s == end || (*s != '\'' && *s != '"'))
            return false;
        char quote = *s++;
        const char *close = memchr(s, quote, (size_t)(end - s));
        if (!close)
            return false;
        v->has_fallback = true;
        v->fallback = s;
        v->fallback_len = (size_t)(close - s);
        s = skip_space(close + 1, end);
    }
    return s == end;
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    while (is_space(*s))
        s++;
    return *s == '\0';
}

/* Borrowed string or NULL → owned copy (NULL stays NULL). */
static char *dup(const char *s)
{
    return xstrdup_or_null(s);
}

static char *id_text(int64_t id)
{
    return id ? xasprintf("%" PRId64, id) : NULL;
}

static bool field_is(const char *field, const char *want)
{
    return strcmp(field, want) == 0;
}

/* A person's name, or a part of it, as the dashboard fills it in:
 * capitalised word by word. part: 0 whole, 1 first, 2 last. Owned. */
static char *name_part(const char *name, int part)
{
    char *cap = text_capitalize_words(name ? name : "");
    char *out = part == 1 ? model_first_name(cap) : part == 2 ? model_last_name(cap) : NULL;
    if (!out)
        return cap;
    free(cap);
    return out;
}

/* A contact.* field; false if the name is not one. A contact named by its
 * phone number has no name. */
static bool contact_field(const char *f, const struct contact *ct, char **val)
{
    const char *name = ct && !model_name_is_phone(ct->name) ? ct->name : "";
    if (field_is(f, "name"))
        *val = ct ? name_part(name, 0) : NULL;
    else if (field_is(f, "first_name"))
        *val = ct ? name_part(name, 1) : NULL;
    else if (field_is(f, "last_name"))
        *val = ct ? name_part(name, 2) : NULL;
    else if (field_is(f, "email"))
        *val = ct ? dup(ct->email) : NULL;
    else if (field_is(f, "phone"))
        *val = ct ? dup(ct->phone) : NULL;
    else if (field_is(f, "id"))
        *val = ct ? id_text(ct->id) : NULL;
    else
        return false;
    return true;
}

static bool agent_field(const char *f, const struct agent *a, char **val)
{
    if (field_is(f, "name"))
        *val = a ? name_part(a->name, 0) : NULL;
    else if (field_is(f, "first_name"))
        *val = a ? name_part(a->name, 1) : NULL;
    else if (field_is(f, "last_name"))
        *val = a ? name_part(a->name, 2) : NULL;
    else if (field_is(f, "email"))
        *val = a ? dup(a->email) : NULL;
    else
        return false;
    return true;
}

static const char *after_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* Look name up. false: no such variable. true: *val is the owned value or
 * NULL, and *why says (after the variable) why it would be empty. */
static bool lookup(const char *name, const struct template_vars *vars, char **val, const char **why)
{
    const struct conversation *c = vars ? vars->conv : NULL;
    const struct agent *a = vars ? vars->agent : NULL;
    const char *rest;
    *val = NULL;
    *why = c ? "is empty for this contact" : "is empty: no conversation is open";
    if ((rest = after_prefix(name, "contact.custom_attribute."))) {
        if (!*rest)
            return false;
        *val = c ? dup(model_kv_get(c->contact.attrs, c->contact.nattrs, rest)) : NULL;
        return true;
    }
    if ((rest = after_prefix(name, "contact.")))
        return contact_field(rest, c ? &c->contact : NULL, val);
    if (c)
        *why = "is empty for this conversation";
    if ((rest = after_prefix(name, "conversation.custom_attribute."))) {
        if (!*rest)
            return false;
        *val = c ? dup(model_kv_get(c->attrs, c->nattrs, rest)) : NULL;
        return true;
    }
    if (strcmp(name, "conversation.id") == 0) {
        *val = c ? id_text(c->id) : NULL;
        return true;
    }
    if ((rest = after_prefix(name, "agent."))) {
        *why = a ? "is empty for this agent" : "is empty: the conversation has no assignee";
        return agent_field(rest, a, val);
    }
    return false;
}

/* The {{…}} text for an error message, trimmed and cut to SHOWN_MAX bytes
 * at a character boundary. */
static char *shown(const char *s, const char *end)
{
    s = skip_space(s, end);
    while (end > s && is_space(end[-1]))
        end--;
    size_t n = (size_t)(end - s);
    if (n <= SHOWN_MAX)
        return xasprintf("{{%.*s}}", (int)n, s);
    n = SHOWN_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return xasprintf("{{%.*s…}}", (int)n, s);
}

/* First "cc" at or after s, or NULL. A plain loop: each call stops at its
 * match (strstr() in sanitizer builds measures the whole rest first, which
 * turns a long template quadratic). */
static const char *find_pair(const char *s, char c)
{
    for (; *s; s++)
        if (s[0] == c && s[1] == c)
            return s;
    return NULL;
}

static bool add_bounded(struct buf *out, const char *s, size_t n, char **err)
{
    if (out->len + n > TEMPLATE_MAX_OUTPUT) {
        *err = xasprintf("the expanded text is too long (over %d bytes)", TEMPLATE_MAX_OUTPUT);
        return false;
    }
    buf_add(out, s, n);
    return true;
}

/* Expand the variable between "{{" (at s) and "}}" (at end). */
static bool expand_one(const char *s, const char *end, const struct template_vars *vars,
                       struct buf *out, char **err)
{
    struct var v;
    if (!parse_var(s, end, &v)) {
        char *what = shown(s, end);
        *err = xasprintf("unknown variable %s", what);
        free(what);
        return false;
    }
    char *name = xstrndup(v.name, v.name_len);
    char *val = NULL;
    const char *why;
    bool ok = false;
    if (!lookup(name, vars, &val, &why)) {
        *err = xasprintf("unknown variable {{%s}}", name);
    } else if (!blank(val)) {
        ok = add_bounded(out, val, strlen(val), err);
    } else if (v.has_fallback) {
        ok = add_bounded(out, v.fallback, v.fallback_len, err);
    } else {
        *err = xasprintf("{{%s}} %s", name, why);
    }
    free(val);
    free(name);
    return ok;
}

char *template_expand(const char *text, const struct template_vars *vars, char **err)
{
    *err = NULL;
    if (!text)
        text = "";
    struct buf out;
    buf_init(&out);
    const char *p = text, *close = NULL;
    bool closes_left = true;
    while (*p) {
        const char *open = find_pair(p, '{');
        if (!open)
            open = p + strlen(p);
        if (!add_bounded(&out, p, (size_t)(open - p), err))
            goto fail;
        if (!*open)
            break;
        if (closes_left && (!close || close < open + 2)) {
            close = find_pair(open + 2, '}');
            closes_left = close != NULL;
        }
        if (!closes_left) { /* no "}}" anywhere after: the rest is text */
            if (!add_bounded(&out, open, strlen(open), err))
                goto fail;
            break;
        }
        const char *inner = memmem(open + 1, (size_t)(close - open - 1), "{{", 2);
        if (inner) { /* a later "{{" is the one "}}" closes */
            if (!add_bounded(&out, open, (size_t)(inner - open), err))
                goto fail;
            p = inner;
            continue;
        }
        if (!expand_one(open + 2, close, vars, &out, err))
            goto fail;
        p = close + 2;
    }
    return buf_detach(&out);
fail:
    buf_free(&out);
    return NULL;
}

bool template_has_vars(const char *text)
{
    const char *open = text ? find_pair(text, '{') : NULL;
    return open && find_pair(open + 2, '}') != NULL;
}

bool template_uses_agent(const char *text)
{
    for (const char *p = text ? find_pair(text, '{') : NULL; p; p = find_pair(p + 2, '{')) {
        const char *s = p + 2;
        while (is_space(*s))
            s++;
        if (strncmp(s, "agent.", 6) == 0)
            return true;
    }
    return false;
}

char *template_expand_for(const char *text, const struct store *st, int64_t conv, char **err)
{
    const struct conversation *c = conv ? store_conv(st, conv) : NULL;
    const struct profile *me = store_profile(st);
    /* Nobody has it: the one replying signs (the directory's record, or
     * what the profile says). */
    int64_t who = c && c->assignee_id ? c->assignee_id : me ? me->id : 0;
    const struct agent *a = who ? store_agent(st, who) : NULL;
    struct agent mine = {0};
    if (!a && me && who == me->id) {
        mine = (struct agent){.id = me->id, .name = me->name, .email = me->email};
        a = &mine;
    }
    struct template_vars vars = {.conv = c, .agent = c ? a : NULL};
    return template_expand(text, &vars, err);
}
