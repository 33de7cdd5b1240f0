/* keymap — key bindings as data: per context, a key maps to a command line
 * (tmux, tig). The defaults are `bind` lines compiled in and run through
 * the same parser as the config file.
 *
 * Keys are named as in config files: "j", "G", "C-d", "M-x", "Enter",
 * "Tab", "BTab", "Space", "Esc", "Up", "Down", "Left", "Right", "PageUp",
 * "PageDown", "Home", "End", "Delete", "Backspace", "F1".."F12", and
 * two-key sequences like "g g" or "; a" are not supported (the `;` prefix
 * is a command of its own). */
#ifndef TWOWAY_KEYMAP_H
#define TWOWAY_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

enum keymap_ctx {
    KEYCTX_GLOBAL, /* everywhere except the input line */
    KEYCTX_LIST,   /* the conversation list has focus */
    KEYCTX_THREAD, /* the thread has focus */
    KEYCTX__COUNT
};

/* Internal key codes: plain characters are their Unicode value; special
 * keys live above the Unicode range. */
enum {
    KEY_TW_BASE = 0x110000,
    KEY_TW_UP = KEY_TW_BASE,
    KEY_TW_DOWN,
    KEY_TW_LEFT,
    KEY_TW_RIGHT,
    KEY_TW_PGUP,
    KEY_TW_PGDN,
    KEY_TW_HOME,
    KEY_TW_END,
    KEY_TW_ENTER,
    KEY_TW_TAB,
    KEY_TW_BTAB,
    KEY_TW_ESC,
    KEY_TW_BACKSPACE,
    KEY_TW_DELETE,
    KEY_TW_INSERT,
    KEY_TW_F1,
    KEY_TW_F12 = KEY_TW_F1 + 11,
    KEY_TW_CTRL = 1 << 22, /* flag: Ctrl with a letter (C-a) */
    KEY_TW_META = 1 << 23, /* flag: Alt/Meta (M-x) */
};

struct keymap;

struct keymap *keymap_new(void);
void keymap_free(struct keymap **k);

/* Parse a key name ("C-d", "PageDown", "j"); -1 if unknown. */
int keymap_parse_key(const char *name);
/* The key's config name (static buffer; not reentrant). */
const char *keymap_key_name(int key);
/* "global", "list", "thread" → ctx; -1 if unknown. */
int keymap_parse_ctx(const char *name);
const char *keymap_ctx_name(enum keymap_ctx ctx);

/* Bind (replacing) / unbind. 0 or -1 with *err. */
int keymap_bind(struct keymap *k, enum keymap_ctx ctx, const char *key, const char *cmdline,
                char **err);
int keymap_unbind(struct keymap *k, enum keymap_ctx ctx, const char *key, char **err);
/* The command line bound to key in ctx, falling back to global; NULL. */
const char *keymap_lookup(const struct keymap *k, enum keymap_ctx ctx, int key);

/* Walk bindings of a context in key order (for help): returns false at end. */
bool keymap_iter(const struct keymap *k, enum keymap_ctx ctx, size_t *pos, int *key,
                 const char **cmdline);

/* Notes (added with the implementation):
 * - Named keys ignore case ("enter"), and take the aliases Escape, Return,
 *   PgUp, PgDn, PPage, NPage, BSpace, Del, Ins (Insert) and S-Tab (BTab);
 *   keymap_key_name() prints the canonical name. Single characters are
 *   case-sensitive and may be any printable UTF-8 character.
 * - C- goes with letters (C-D is C-d), Space and the named keys; C-i and
 *   C-m are the bytes Tab and Enter send, so they parse as Tab and Enter.
 *   M- goes with anything; both print as "C-M-x".
 * - keymap_key_name() of a code that is no key gives "Unknown".
 * - keymap_iter() walks in ascending key code: characters, then the named
 *   keys, then C-, then M- combinations. */

#endif
