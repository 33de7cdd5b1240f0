/* ui_rlkeys — which readline bindings the composer and the `:` line keep.
 *
 * ~/.inputrc applies (emacs or vi editing, the agent's own keys), but a
 * binding that changes how the line behaves without a word is turned off:
 * switching the editing mode (readline binds Meta-Enter, which most
 * terminals send for Alt-Enter, to vi-editing-mode; from then on Esc no
 * longer leaves the composer) and insert-comment (it prefixes the line with
 * "#" and sends it). A binding the agent asked for under `$if twoway` stays.
 *
 * To tell the two apart the init file is read twice: once under another
 * application name (readline's defaults and the global part of the file),
 * then as twoway. A risky binding found the first time was not asked for
 * by twoway's section.
 *
 * A control key readline would insert as a character (in vi insert mode
 * most of C-a to C-z are self-insert) types nothing: an SMS cannot carry
 * one, and it would force UCS-2 and reach the customer as garbage. */
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/log.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

/* Deep enough for any key sequence a terminal sends. */
#define SEQ_MAX 8

static const struct {
    rl_command_func_t *fn;
    const char *name;
} risky_fns[] = {
    {rl_vi_editing_mode, "vi-editing-mode"},
    {rl_emacs_editing_mode, "emacs-editing-mode"},
    {rl_insert_comment, "insert-comment"},
};

struct risky {
    int root; /* index in roots() */
    unsigned char seq[SEQ_MAX];
    int len;
    rl_command_func_t *fn;
};

struct risky_set {
    struct risky *v;
    size_t n;
};

/* A binding turned off: its key, for the message when it is pressed. */
struct off {
    Keymap map;
    int key;
    const char *name;
};

static struct off *offs;
static size_t noffs;
static struct ui *keys_ui;

static Keymap root_map(int i)
{
    switch (i) {
    case 0:
        return emacs_standard_keymap;
    case 1:
        return vi_insertion_keymap;
    default:
        return vi_movement_keymap;
    }
}
#define NROOTS 3

static const char *risky_name(rl_command_func_t *fn)
{
    for (size_t i = 0; i < sizeof risky_fns / sizeof risky_fns[0]; i++)
        if (risky_fns[i].fn == fn)
            return risky_fns[i].name;
    return NULL;
}

typedef void (*visit_fn)(void *ud, int root, Keymap map, int key, const unsigned char *seq,
                         int len);

/* Every risky binding reachable from root, with its key sequence. */
static void walk(int root, Keymap map, unsigned char *seq, int depth, visit_fn visit, void *ud)
{
    for (int k = 0; k < KEYMAP_SIZE; k++) {
        seq[depth] = (unsigned char)k;
        if (map[k].type == ISKMAP && map[k].function && depth + 1 < SEQ_MAX)
            walk(root, (Keymap)map[k].function, seq, depth + 1, visit, ud);
        else if (map[k].type == ISFUNC && map[k].function && risky_name(map[k].function))
            visit(ud, root, map, k, seq, depth + 1);
    }
}

static void walk_all(visit_fn visit, void *ud)
{
    unsigned char seq[SEQ_MAX];
    for (int r = 0; r < NROOTS; r++)
        walk(r, root_map(r), seq, 0, visit, ud);
}

static void collect(void *ud, int root, Keymap map, int key, const unsigned char *seq, int len)
{
    struct risky_set *set = ud;
    set->v = xreallocarray(set->v, set->n + 1, sizeof *set->v);
    struct risky *r = &set->v[set->n++];
    r->root = root;
    memcpy(r->seq, seq, (size_t)len);
    r->len = len;
    r->fn = map[key].function;
}

static int refused_hook(int count, int key)
{
    (void)count;
    const char *name = "that key";
    for (size_t i = 0; i < noffs; i++)
        if (offs[i].map == rl_executing_keymap && offs[i].key == key)
            name = offs[i].name;
    if (keys_ui) {
        char *m = xasprintf("%s is off in twoway (bind it under $if twoway in ~/.inputrc to "
                            "have it)",
                            name);
        ui_message(keys_ui, m, false);
        free(m);
    }
    return 0;
}

static void neutralise(void *ud, int root, Keymap map, int key, const unsigned char *seq, int len)
{
    const struct risky_set *before = ud;
    rl_command_func_t *fn = map[key].function;
    for (size_t i = 0; i < before->n; i++) {
        const struct risky *r = &before->v[i];
        if (r->root == root && r->len == len && r->fn == fn &&
            memcmp(r->seq, seq, (size_t)len) == 0) {
            offs = xreallocarray(offs, noffs + 1, sizeof *offs);
            offs[noffs++] = (struct off){map, key, risky_name(fn)};
            log_debug("%s: %s off (key %d in keymap %d)", __func__, risky_name(fn), key, root);
            map[key].function = refused_hook; /* also ANYOTHERKEY, which rl_bind_key refuses */
            return;
        }
    }
    log_info("readline: %s kept, bound under $if twoway", risky_name(fn));
}

static int control_hook(int count, int key)
{
    (void)count;
    if (keys_ui) {
        char *m = xasprintf("C-%c types nothing here: a text message cannot carry control "
                            "characters",
                            key >= 1 && key <= 26 ? key + '`' : (key & 0x1f) + '@');
        ui_message(keys_ui, m, false);
        free(m);
    }
    return 0;
}

/* Control keys bound to self-insert in the maps that insert text. */
static void controls_off(void)
{
    Keymap maps[] = {emacs_standard_keymap, vi_insertion_keymap};
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++)
        for (int k = 0; k < 0x20; k++)
            if (maps[m][k].type == ISFUNC && maps[m][k].function == rl_insert)
                maps[m][k].function = control_hook;
}

void ui_rlkeys_init(struct ui *ui)
{
    keys_ui = ui;
    /* First readline's defaults and the init file's global part: no
     * application has this name. */
    rl_readline_name = "twoway (global part)";
    rl_initialize();
    struct risky_set before = {0};
    walk_all(collect, &before);
    /* Then the file as twoway, `$if twoway` sections included. */
    rl_readline_name = "twoway";
    rl_re_read_init_file(0, 0);
    walk_all(neutralise, &before);
    free(before.v);
    controls_off();
}

void ui_rlkeys_done(void)
{
    free(offs);
    offs = NULL;
    noffs = 0;
    keys_ui = NULL;
}

const char *ui_rlkeys_mode(void)
{
    if (rl_editing_mode != 0) /* readline's emacs_mode */
        return NULL;
    return rl_get_keymap() == vi_movement_keymap ? "vi command" : "vi insert";
}
