/* options — the typed option table and the current values.
 *
 * Values are kept as canonical text ("yes", "42", "desktop,bell"): what
 * `set` shows is exactly what the typed getters read, and every value went
 * through the same validation whether it came from the config file, the
 * `:` line or -e. */
#include "twoway/options.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "twoway/buf.h"
#include "twoway/quiet.h"
#include "twoway/xmalloc.h"

static int check_quiet_hours(const char *v, char **err)
{
    struct quiet_hours q;
    return quiet_parse(v, &q, err);
}

/* Strings with a form of their own, checked when set: 0, or -1 with *err. */
static const struct {
    const char *name;
    int (*check)(const char *value, char **err);
} string_checks[] = {
    {"quiet_hours", check_quiet_hours},
};

/* Strings go to the terminal, a command line or a URL: no option needs more,
 * and a control character in one is always a mistake (or an attack). */
#define OPT_STRING_MAX 4096

static const struct opt_def table[] = {
    {"url", OPT_STRING, "", 0, 0, NULL, OPT_RESTART,
     "server base URL, e.g. https://chat.example.com"},
    {"account", OPT_INT, "0", 0, 2147483647L, NULL, OPT_RESTART,
     "Chatwoot account id (0 = the account of your profile)"},
    {"token", OPT_STRING, "", 0, 0, NULL, OPT_SECRET | OPT_RESTART,
     "API access token; prefer TWOWAY_TOKEN or token_command"},
    {"token_command", OPT_STRING, "", 0, 0, NULL, OPT_RESTART,
     "command that prints the token; split into words like a config line, run without a shell"},
    {"ca_file", OPT_STRING, "", 0, 0, NULL, OPT_RESTART,
     "extra CA bundle (PEM) to trust for TLS, besides the system's"},
    {"poll_interval", OPT_INT, "5", 1, 3600, NULL, 0,
     "seconds between checks for new conversations and messages"},
    {"live", OPT_BOOL, "yes", 0, 0, NULL, OPT_RESTART,
     "use the server's live channel (changes pushed as they happen); no: always poll"},
    {"notify", OPT_LIST, "auto", 0, 0, "auto|desktop|terminal|bell|command|none", 0,
     "how to notify, comma-separated: desktop, terminal, bell, command; auto picks; none"},
    {"notify_on", OPT_LIST, "mine,unassigned,mentions", 0, 0, "mine|unassigned|mentions|all", 0,
     "what deserves a notification: mine, unassigned, mentions (of you), or all"},
    {"notify_command", OPT_STRING, "", 0, 0, NULL, 0,
     "command run for each notification when notify includes command"},
    {"notify_preview", OPT_BOOL, "yes", 0, 0, NULL, 0,
     "show the message text in notifications (no: only who wrote)"},
    {"notify_coalesce", OPT_INT, "3", 0, 60, NULL, 0,
     "seconds: messages arriving within this window make one notification"},
    {"confirm_foreign_reply", OPT_BOOL, "yes", 0, 0, NULL, 0,
     "ask before replying in a conversation assigned to another agent"},
    {"confirm_newer_message", OPT_BOOL, "yes", 0, 0, NULL, 0,
     "ask before sending if a newer message arrived since the composer opened"},
    {"max_segments", OPT_INT, "10", 1, 100, NULL, 0,
     "longest reply in SMS segments; a longer one is refused before it is sent"},
    {"quiet_hours", OPT_STRING, "21:00-08:00", 0, 0, NULL, 0,
     "when texts the customer did not ask for wait, in their time: a new conversation, or a "
     "reply to someone silent for 24 hours (START-END, or none); --force sends anyway"},
    {"editor", OPT_STRING, "", 0, 0, NULL, 0,
     "editor for long replies (empty: $VISUAL, then $EDITOR, then vi)"},
    {"hyperlinks", OPT_ENUM, "auto", 0, 0, "auto|yes|no", 0,
     "show attachment links as terminal hyperlinks (OSC 8); auto: when the terminal has them"},
    {"opener", OPT_STRING, "xdg-open", 0, 0, NULL, 0,
     "program that open-link runs with the link after its words (split like a config line, "
     "no shell)"},
    {"opener_terminal", OPT_BOOL, "no", 0, 0, NULL, 0,
     "the opener is a terminal program: it gets the terminal until it exits (no: it runs "
     "detached)"},
    {"time_format", OPT_STRING, "%H:%M", 0, 0, NULL, 0, "strftime(3) format of message times"},
    {"list_width", OPT_INT, "42", 20, 200, NULL, 0,
     "columns of the conversation list when it is beside the thread"},
    {"list_share", OPT_INT, "30", 0, 50, NULL, 0,
     "percent of a wide terminal the list takes when that is more than list_width (0: off)"},
    {"split_min", OPT_INT, "70", 20, 1000, NULL, 0,
     "narrowest terminal (columns) that shows the list and the thread side by side"},
    {"sort", OPT_ENUM, "last_activity", 0, 0, "last_activity|created|priority|waiting", 0,
     "order of the conversation list"},
    {"mark_read", OPT_BOOL, "yes", 0, 0, NULL, 0, "mark a conversation read when it is opened"},
    {"title", OPT_BOOL, "yes", 0, 0, NULL, 0, "show the unread count in the terminal title"},
    {"ascii", OPT_ENUM, "auto", 0, 0, "auto|yes|no", 0,
     "draw only ASCII (auto: when the locale is not UTF-8)"},
    {"color", OPT_ENUM, "auto", 0, 0, "auto|yes|no", 0,
     "use colours (auto: when the terminal has them and NO_COLOR is not set)"},
    {"history_size", OPT_INT, "1000", 0, 100000, NULL, 0,
     "command-line history entries kept (0 = none)"},
    {"batch_wait", OPT_INT, "30", 1, 3600, NULL, 0,
     "seconds a script waits for the server to answer at start (then exit status 3)"},
};

#define NOPTS (sizeof table / sizeof table[0])

struct options {
    char *values[NOPTS];
    uint64_t gen;
    void (*listener)(void *ud, const struct opt_def *d);
    void *listener_ud;
};

const struct opt_def *options_table(size_t *n)
{
    if (n)
        *n = NOPTS;
    return table;
}

static int index_of(const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < NOPTS; i++)
        if (strcmp(table[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct opt_def *options_find(const char *name)
{
    int i = index_of(name);
    return i < 0 ? NULL : &table[i];
}

struct options *options_new(void)
{
    struct options *o = xcalloc(1, sizeof *o);
    for (size_t i = 0; i < NOPTS; i++)
        o->values[i] = xstrdup(table[i].dflt);
    return o;
}

void options_free(struct options **o)
{
    if (!o || !*o)
        return;
    for (size_t i = 0; i < NOPTS; i++)
        free((*o)->values[i]);
    xfree_null(o);
}

/* ---- validation: each returns the canonical text, or NULL with *err ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_space(s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* "a|b|c" → "a, b, c" for messages. */
static char *choice_list(const char *choices)
{
    struct buf b;
    buf_init(&b);
    for (const char *c = choices; *c; c++) {
        if (*c == '|')
            buf_adds(&b, ", ");
        else
            buf_addc(&b, *c);
    }
    return buf_detach(&b);
}

static char *canon_bool(const struct opt_def *d, const char *v, char **err)
{
    static const char *const yes[] = {"yes", "on", "true", "1"};
    static const char *const no[] = {"no", "off", "false", "0"};
    char *t = trimmed(v, strlen(v));
    const char *out = NULL;
    for (size_t i = 0; i < 4 && !out; i++) {
        if (strcasecmp(t, yes[i]) == 0)
            out = "yes";
        else if (strcasecmp(t, no[i]) == 0)
            out = "no";
    }
    if (!out)
        *err = xasprintf("%s: '%s' is not yes or no (on/off, true/false and 1/0 work too)", d->name,
                         t);
    free(t);
    return out ? xstrdup(out) : NULL;
}

/* Decimal only: "0x10", "1e3" or "5s" are mistakes worth hearing about. */
static char *canon_int(const struct opt_def *d, const char *v, char **err)
{
    char *t = trimmed(v, strlen(v));
    const char *digits = t + (t[0] == '-' || t[0] == '+');
    bool numeric = *digits != '\0';
    for (const char *c = digits; *c && numeric; c++)
        numeric = *c >= '0' && *c <= '9';
    char *out = NULL;
    if (!numeric) {
        *err = xasprintf("%s: '%s' is not a whole number (%ld..%ld)", d->name, t, d->min, d->max);
        goto out;
    }
    errno = 0;
    long n = strtol(t, NULL, 10);
    if (errno == ERANGE || n < d->min || n > d->max) {
        *err = xasprintf("%s: %s is out of range (%ld..%ld)", d->name, t, d->min, d->max);
        goto out;
    }
    out = xasprintf("%ld", n);
out:
    free(t);
    return out;
}

static char *canon_string(const struct opt_def *d, const char *v, char **err)
{
    size_t n = strlen(v);
    if (n > OPT_STRING_MAX) {
        *err = xasprintf("%s: the value is too long (over %d bytes)", d->name, OPT_STRING_MAX);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f) {
            *err = xasprintf("%s: the value contains a control character", d->name);
            return NULL;
        }
    }
    for (size_t i = 0; i < sizeof string_checks / sizeof string_checks[0]; i++)
        if (strcmp(string_checks[i].name, d->name) == 0 && string_checks[i].check(v, err) < 0)
            return NULL;
    return xstrdup(v);
}

/* The choice (as the table spells it) matching word, case-insensitively. */
static char *find_choice(const char *choices, const char *word)
{
    size_t wn = strlen(word);
    const char *c = choices;
    while (*c) {
        size_t n = strcspn(c, "|");
        if (n == wn && strncasecmp(c, word, n) == 0)
            return xstrndup(c, n);
        c += n + (c[n] == '|');
    }
    return NULL;
}

static char *canon_enum(const struct opt_def *d, const char *v, char **err)
{
    char *t = trimmed(v, strlen(v));
    char *out = find_choice(d->choices, t);
    if (!out) {
        char *list = choice_list(d->choices);
        *err = xasprintf("%s: '%s' is not one of %s", d->name, t, list);
        free(list);
    }
    free(t);
    return out;
}

static bool list_contains(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *c = list; *c;) {
        size_t len = strcspn(c, ",");
        if (len == n && strncmp(c, item, n) == 0)
            return true;
        c += len + (c[len] == ',');
    }
    return false;
}

/* Items trimmed, checked, deduplicated, in the order given; "none" only
 * on its own (none with something else means nothing). */
static char *canon_list(const struct opt_def *d, const char *v, char **err)
{
    struct buf out;
    buf_init(&out);
    bool none = false;
    size_t count = 0;
    for (const char *c = v;;) {
        size_t len = strcspn(c, ",");
        char *item = trimmed(c, len);
        if (*item) {
            char *choice = find_choice(d->choices, item);
            if (!choice) {
                char *list = choice_list(d->choices);
                *err = xasprintf("%s: '%s' is not one of %s", d->name, item, list);
                free(list);
                free(item);
                goto fail;
            }
            if (!list_contains(out.data, choice)) {
                if (out.len)
                    buf_addc(&out, ',');
                buf_adds(&out, choice);
                none = none || strcmp(choice, "none") == 0;
                count++;
            }
            free(choice);
        }
        free(item);
        if (c[len] == '\0')
            break;
        c += len + 1;
    }
    if (count == 0) {
        char *list = choice_list(d->choices);
        *err = xasprintf("%s needs at least one of %s", d->name, list);
        free(list);
        goto fail;
    }
    if (none && count > 1) {
        *err = xasprintf("%s: none cannot be combined with anything else", d->name);
        goto fail;
    }
    return buf_detach(&out);
fail:
    buf_free(&out);
    return NULL;
}

static char *canonical(const struct opt_def *d, const char *v, char **err)
{
    switch (d->type) {
    case OPT_BOOL:
        return canon_bool(d, v, err);
    case OPT_INT:
        return canon_int(d, v, err);
    case OPT_STRING:
        return canon_string(d, v, err);
    case OPT_ENUM:
        return canon_enum(d, v, err);
    case OPT_LIST:
        return canon_list(d, v, err);
    }
    *err = xasprintf("%s: unknown option type", d->name);
    return NULL;
}

/* ---- setting ---- */

static void replace_value(struct options *o, int i, char *canon)
{
    if (strcmp(o->values[i], canon) == 0) {
        free(canon);
        return;
    }
    free(o->values[i]);
    o->values[i] = canon;
    o->gen++;
    if (o->listener)
        o->listener(o->listener_ud, &table[i]);
}

static char *unknown_option(const char *name)
{
    return xasprintf("unknown option '%s'", name ? name : "");
}

int options_set(struct options *o, const char *name, const char *value, bool from_private_file,
                char **err)
{
    *err = NULL;
    int i = index_of(name);
    if (i < 0) {
        *err = unknown_option(name);
        return -1;
    }
    const struct opt_def *d = &table[i];
    /* A secret typed on the `:` line lands in history and on screen; one in a
     * readable file is readable by others. */
    if ((d->flags & OPT_SECRET) && !from_private_file) {
        if (strcmp(d->name, "token") == 0)
            *err = xstrdup("the token can only come from TWOWAY_TOKEN, token_command, or a "
                           "config file only you can read (chmod 600)");
        else
            *err = xasprintf("%s can only be set in a config file only you can read (chmod 600)",
                             d->name);
        return -1;
    }
    if (!value) {
        *err = xasprintf("%s needs a value", d->name);
        return -1;
    }
    char *canon = canonical(d, value, err);
    if (!canon)
        return -1;
    replace_value(o, i, canon);
    return 0;
}

int options_reset(struct options *o, const char *name, char **err)
{
    *err = NULL;
    int i = index_of(name);
    if (i < 0) {
        *err = unknown_option(name);
        return -1;
    }
    replace_value(o, i, xstrdup(table[i].dflt));
    return 0;
}

/* ---- reading ---- */

/* Secrets are returned as they are: the caller needs the token to connect.
 * Anything that displays values must check OPT_SECRET and mask them. */
const char *options_get(const struct options *o, const char *name)
{
    int i = index_of(name);
    return i < 0 ? NULL : o->values[i];
}

bool options_bool(const struct options *o, const char *name)
{
    int i = index_of(name);
    return i >= 0 && table[i].type == OPT_BOOL && strcmp(o->values[i], "yes") == 0;
}

long options_int(const struct options *o, const char *name)
{
    int i = index_of(name);
    if (i < 0 || table[i].type != OPT_INT)
        return 0;
    return strtol(o->values[i], NULL, 10);
}

bool options_has(const struct options *o, const char *name, const char *choice)
{
    int i = index_of(name);
    if (i < 0 || !choice || (table[i].type != OPT_LIST && table[i].type != OPT_ENUM))
        return false;
    return list_contains(o->values[i], choice);
}

uint64_t options_gen(const struct options *o)
{
    return o->gen;
}

void options_set_listener(struct options *o, void (*fn)(void *ud, const struct opt_def *d),
                          void *ud)
{
    o->listener = fn;
    o->listener_ud = ud;
}
