/* keymap — key names and per-context bindings (keymap.h).
 *
 * Each context holds a small array sorted by key code: lookups are a binary
 * search, and walking it in order is the help screen's order. */
#include "twoway/keymap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "twoway/xmalloc.h"

/* A bound command is one config line; more is a mistake. */
#define KEYMAP_CMD_MAX 4096

#define MODS (KEY_TW_CTRL | KEY_TW_META)

struct binding {
    int key;
    char *cmdline;
};

struct bindings {
    struct binding *v;
    size_t n;
};

struct keymap {
    struct bindings ctx[KEYCTX__COUNT];
};

/* Canonical names first: keymap_key_name() prints the first match. The
 * aliases after them are the spellings tmux and curses users reach for. */
static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"Up", KEY_TW_UP},
    {"Down", KEY_TW_DOWN},
    {"Left", KEY_TW_LEFT},
    {"Right", KEY_TW_RIGHT},
    {"PageUp", KEY_TW_PGUP},
    {"PageDown", KEY_TW_PGDN},
    {"Home", KEY_TW_HOME},
    {"End", KEY_TW_END},
    {"Enter", KEY_TW_ENTER},
    {"Tab", KEY_TW_TAB},
    {"BTab", KEY_TW_BTAB},
    {"Esc", KEY_TW_ESC},
    {"Backspace", KEY_TW_BACKSPACE},
    {"Delete", KEY_TW_DELETE},
    {"Insert", KEY_TW_INSERT},
    {"Space", ' '},
    /* aliases */
    {"Escape", KEY_TW_ESC},
    {"Return", KEY_TW_ENTER},
    {"PgUp", KEY_TW_PGUP},
    {"PgDn", KEY_TW_PGDN},
    {"PPage", KEY_TW_PGUP},
    {"NPage", KEY_TW_PGDN},
    {"BSpace", KEY_TW_BACKSPACE},
    {"Del", KEY_TW_DELETE},
    {"Ins", KEY_TW_INSERT},
    {"S-Tab", KEY_TW_BTAB},
};

#define NKEY_NAMES (sizeof key_names / sizeof key_names[0])

struct keymap *keymap_new(void)
{
    return xcalloc(1, sizeof(struct keymap));
}

void keymap_free(struct keymap **k)
{
    if (!k || !*k)
        return;
    for (int c = 0; c < KEYCTX__COUNT; c++) {
        struct bindings *b = &(*k)->ctx[c];
        for (size_t i = 0; i < b->n; i++)
            free(b->v[i].cmdline);
        free(b->v);
    }
    xfree_null(k);
}

/* ---- key names ---- */

/* Exactly one UTF-8 encoded code point, or -1. */
static int32_t decode_one(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    int32_t cp;
    size_t len;
    if (u[0] < 0x80) {
        cp = u[0];
        len = 1;
    } else if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        cp = u[0] & 0x1F;
        len = 2;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        cp = u[0] & 0x0F;
        len = 3;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        cp = u[0] & 0x07;
        len = 4;
    } else {
        return -1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    static const int32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (u[len] != '\0' || cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    return cp;
}

/* A character that can stand for itself in a config file: not a control. */
static bool printable_char(int32_t cp)
{
    return cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F) && cp <= 0x10FFFF &&
           !(cp >= 0xD800 && cp <= 0xDFFF);
}

static bool is_special(int key)
{
    return key >= KEY_TW_BASE && key <= KEY_TW_F12;
}

static int parse_base(const char *s)
{
    if ((s[0] == 'F' || s[0] == 'f') && s[1] >= '1' && s[1] <= '9') {
        int n = s[1] - '0';
        if (s[2] >= '0' && s[2] <= '9' && s[3] == '\0')
            n = n * 10 + (s[2] - '0');
        else if (s[2] != '\0')
            n = 0;
        if (n >= 1 && n <= 12)
            return KEY_TW_F1 + n - 1;
    }
    if (s[0] && s[1]) { /* named keys are case-insensitive; single characters are not */
        for (size_t i = 0; i < NKEY_NAMES; i++)
            if (strcasecmp(key_names[i].name, s) == 0)
                return key_names[i].key;
    }
    int32_t cp = decode_one(s);
    return cp >= 0 && printable_char(cp) ? (int)cp : -1;
}

/* Ctrl exists for letters (case does not matter to a terminal), Space and
 * the special keys. C-i and C-m are the bytes Tab and Enter send, so they
 * become those keys: a binding for them must be able to fire. */
static int with_ctrl(int base)
{
    if (base >= 'A' && base <= 'Z')
        base += 'a' - 'A';
    if (base == 'i')
        return KEY_TW_TAB;
    if (base == 'm')
        return KEY_TW_ENTER;
    if ((base >= 'a' && base <= 'z') || base == ' ' || is_special(base))
        return base | KEY_TW_CTRL;
    return -1;
}

int keymap_parse_key(const char *name)
{
    if (!name || !*name)
        return -1;
    int mods = 0;
    const char *s = name;
    while ((s[0] == 'C' || s[0] == 'M') && s[1] == '-' && s[2] != '\0') {
        int m = s[0] == 'C' ? KEY_TW_CTRL : KEY_TW_META;
        if (mods & m)
            return -1;
        mods |= m;
        s += 2;
    }
    int key = parse_base(s);
    if (key < 0)
        return -1;
    if (mods & KEY_TW_CTRL)
        key = with_ctrl(key);
    if (key < 0)
        return -1;
    return key | (mods & KEY_TW_META);
}

static size_t encode_utf8(int32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

const char *keymap_key_name(int key)
{
    static char out[32];
    int base = key & ~MODS;
    if (key < 0 || (!is_special(base) && !printable_char(base))) {
        snprintf(out, sizeof out, "Unknown");
        return out;
    }
    size_t n = 0;
    if (key & KEY_TW_CTRL) {
        memcpy(out + n, "C-", 2);
        n += 2;
    }
    if (key & KEY_TW_META) {
        memcpy(out + n, "M-", 2);
        n += 2;
    }
    const char *named = NULL;
    for (size_t i = 0; i < NKEY_NAMES && !named; i++)
        if (key_names[i].key == base)
            named = key_names[i].name;
    if (named)
        snprintf(out + n, sizeof out - n, "%s", named);
    else if (base >= KEY_TW_F1 && base <= KEY_TW_F12)
        snprintf(out + n, sizeof out - n, "F%d", base - KEY_TW_F1 + 1);
    else
        out[n + encode_utf8(base, out + n)] = '\0';
    return out;
}

static const char *const ctx_names[KEYCTX__COUNT] = {
    [KEYCTX_GLOBAL] = "global",
    [KEYCTX_LIST] = "list",
    [KEYCTX_THREAD] = "thread",
};

int keymap_parse_ctx(const char *name)
{
    for (int c = 0; name && c < KEYCTX__COUNT; c++)
        if (strcasecmp(ctx_names[c], name) == 0)
            return c;
    return -1;
}

const char *keymap_ctx_name(enum keymap_ctx ctx)
{
    if ((int)ctx < 0 || ctx >= KEYCTX__COUNT)
        return "unknown";
    return ctx_names[ctx];
}

/* ---- bindings ---- */

/* Index of the first binding with key >= key. */
static size_t lower_bound(const struct bindings *b, int key)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->v[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct binding *find(const struct bindings *b, int key)
{
    size_t i = lower_bound(b, key);
    return i < b->n && b->v[i].key == key ? &b->v[i] : NULL;
}

static bool valid_ctx(enum keymap_ctx ctx)
{
    return (int)ctx >= 0 && ctx < KEYCTX__COUNT;
}

/* The key code for name, or -1 with *err naming it. */
static int key_or_error(enum keymap_ctx ctx, const char *name, char **err)
{
    if (!valid_ctx(ctx)) {
        *err = xstrdup("unknown key context (use global, list or thread)");
        return -1;
    }
    int key = keymap_parse_key(name);
    if (key < 0)
        *err = xasprintf("unknown key '%s' (keys look like j, G, C-d, M-x, Enter, PageDown, F5)",
                         name ? name : "");
    return key;
}

static bool blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

int keymap_bind(struct keymap *k, enum keymap_ctx ctx, const char *key, const char *cmdline,
                char **err)
{
    *err = NULL;
    int code = key_or_error(ctx, key, err);
    if (code < 0)
        return -1;
    if (!cmdline || blank(cmdline)) {
        *err = xasprintf("bind %s: no command given", keymap_key_name(code));
        return -1;
    }
    if (strlen(cmdline) > KEYMAP_CMD_MAX) {
        *err = xasprintf("bind %s: the command is too long (over %d bytes)", keymap_key_name(code),
                         KEYMAP_CMD_MAX);
        return -1;
    }
    struct bindings *b = &k->ctx[ctx];
    size_t i = lower_bound(b, code);
    if (i < b->n && b->v[i].key == code) {
        free(b->v[i].cmdline);
        b->v[i].cmdline = xstrdup(cmdline);
        return 0;
    }
    b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
    memmove(b->v + i + 1, b->v + i, (b->n - i) * sizeof *b->v);
    b->v[i].key = code;
    b->v[i].cmdline = xstrdup(cmdline);
    b->n++;
    return 0;
}

int keymap_unbind(struct keymap *k, enum keymap_ctx ctx, const char *key, char **err)
{
    *err = NULL;
    int code = key_or_error(ctx, key, err);
    if (code < 0)
        return -1;
    struct bindings *b = &k->ctx[ctx];
    size_t i = lower_bound(b, code);
    if (i == b->n || b->v[i].key != code) {
        *err = xasprintf("%s is not bound in the %s context", keymap_key_name(code),
                         keymap_ctx_name(ctx));
        return -1;
    }
    free(b->v[i].cmdline);
    memmove(b->v + i, b->v + i + 1, (b->n - i - 1) * sizeof *b->v);
    if (--b->n == 0)
        xfree_null(&b->v);
    return 0;
}

const char *keymap_lookup(const struct keymap *k, enum keymap_ctx ctx, int key)
{
    if (!valid_ctx(ctx))
        return NULL;
    const struct binding *hit = find(&k->ctx[ctx], key);
    if (!hit && ctx != KEYCTX_GLOBAL)
        hit = find(&k->ctx[KEYCTX_GLOBAL], key);
    return hit ? hit->cmdline : NULL;
}

bool keymap_iter(const struct keymap *k, enum keymap_ctx ctx, size_t *pos, int *key,
                 const char **cmdline)
{
    if (!valid_ctx(ctx) || *pos >= k->ctx[ctx].n)
        return false;
    const struct binding *b = &k->ctx[ctx].v[*pos];
    *key = b->key;
    *cmdline = b->cmdline;
    (*pos)++;
    return true;
}
