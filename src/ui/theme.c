/* theme — screen roles to curses attributes. */
#include "theme.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct style {
    short fg, bg; /* -1 = terminal default */
    int attrs;    /* A_BOLD… */
    bool set;     /* from a `color` line */
};

/* The default theme; fg/bg -1 mean "terminal default". */
static struct style styles[ROLE__COUNT] = {
    [ROLE_NORMAL] = {-1, -1, 0, false},
    [ROLE_DIM] = {-1, -1, A_DIM, false},
    [ROLE_SELECTED] = {-1, -1, A_REVERSE, false},
    [ROLE_UNREAD] = {-1, -1, A_BOLD, false},
    [ROLE_WAITING] = {COLOR_YELLOW, -1, A_BOLD, false},
    [ROLE_URGENT] = {COLOR_RED, -1, A_BOLD, false},
    [ROLE_MARK] = {COLOR_MAGENTA, -1, A_BOLD, false},
    [ROLE_LABEL] = {COLOR_CYAN, -1, 0, false},
    [ROLE_ASSIGNEE] = {COLOR_BLUE, -1, 0, false},
    [ROLE_INCOMING] = {COLOR_GREEN, -1, A_BOLD, false},
    [ROLE_OUTGOING] = {COLOR_BLUE, -1, A_BOLD, false},
    [ROLE_NOTE] = {COLOR_YELLOW, -1, 0, false},
    [ROLE_ACTIVITY] = {-1, -1, A_DIM, false},
    [ROLE_SENDING] = {COLOR_YELLOW, -1, 0, false},
    [ROLE_DELIVERED] = {COLOR_GREEN, -1, 0, false},
    [ROLE_FAILED] = {COLOR_RED, -1, A_BOLD, false},
    [ROLE_HEADER] = {-1, -1, A_BOLD, false},
    [ROLE_OPTOUT] = {COLOR_WHITE, COLOR_RED, A_BOLD, false},
    [ROLE_TAB] = {-1, -1, 0, false},
    [ROLE_TAB_ACTIVE] = {-1, -1, A_REVERSE | A_BOLD, false},
    [ROLE_STATUS] = {COLOR_BLACK, COLOR_CYAN, 0, false},
    [ROLE_STATUS_ALERT] = {COLOR_WHITE, COLOR_RED, A_BOLD, false},
    [ROLE_DAY] = {-1, -1, A_DIM, false},
    [ROLE_LINK] = {COLOR_CYAN, -1, A_UNDERLINE, false},
};

/* Without colour, roles that only differ by colour still need to be told
 * apart: this is the monochrome look. */
static const int mono[ROLE__COUNT] = {
    [ROLE_DIM] = A_DIM,
    [ROLE_SELECTED] = A_REVERSE,
    [ROLE_UNREAD] = A_BOLD,
    [ROLE_WAITING] = A_BOLD,
    [ROLE_URGENT] = A_BOLD | A_UNDERLINE,
    [ROLE_MARK] = A_BOLD,
    [ROLE_INCOMING] = A_BOLD,
    [ROLE_OUTGOING] = A_BOLD,
    [ROLE_NOTE] = A_UNDERLINE,
    [ROLE_ACTIVITY] = A_DIM,
    [ROLE_FAILED] = A_BOLD | A_REVERSE,
    [ROLE_HEADER] = A_BOLD,
    [ROLE_OPTOUT] = A_REVERSE | A_BOLD,
    [ROLE_TAB_ACTIVE] = A_REVERSE | A_BOLD,
    [ROLE_STATUS] = A_REVERSE,
    [ROLE_STATUS_ALERT] = A_REVERSE | A_BOLD,
    [ROLE_DAY] = A_DIM,
    [ROLE_LINK] = A_UNDERLINE,
};

static bool color_on;
static bool initialised;

static void apply(int role)
{
    if (!initialised || !color_on)
        return;
    init_pair((short)(role + 1), styles[role].fg, styles[role].bg);
}

void theme_init(bool use_color)
{
    initialised = true;
    color_on = use_color && has_colors() && start_color() == OK;
    if (!color_on)
        return;
    use_default_colors();
    for (int r = 0; r < ROLE__COUNT; r++)
        apply(r);
}

bool theme_has_color(void)
{
    return color_on;
}

int theme_attr(enum fmt_role role)
{
    if ((unsigned)role >= ROLE__COUNT)
        role = ROLE_NORMAL;
    if (!color_on)
        return styles[role].set ? styles[role].attrs : mono[role];
    return styles[role].attrs | COLOR_PAIR(role + 1);
}

bool theme_blank_plain(enum fmt_role role)
{
    if ((unsigned)role >= ROLE__COUNT)
        return false;
    if (theme_attr(role) & (A_REVERSE | A_STANDOUT | A_UNDERLINE | A_BLINK | A_INVIS))
        return false;
    return !color_on || styles[role].bg == styles[ROLE_NORMAL].bg;
}

/* The palette's looks over the default theme (a role no `color` line
 * named keeps its own). */
void theme_follow(const struct palette *p)
{
    static const struct {
        unsigned pal;
        int curses;
    } attr_map[] = {
        {PAL_BOLD, A_BOLD},       {PAL_DIM, A_DIM},       {PAL_UNDERLINE, A_UNDERLINE},
        {PAL_REVERSE, A_REVERSE}, {PAL_ITALIC, A_ITALIC}, {PAL_BLINK, A_BLINK},
    };
    for (int r = 0; r < ROLE__COUNT; r++) {
        const struct palette_style *ps = palette_style(p, (enum fmt_role)r);
        if (!ps->set)
            continue;
        int a = 0;
        for (size_t i = 0; i < sizeof attr_map / sizeof *attr_map; i++)
            if (ps->attrs & attr_map[i].pal)
                a |= attr_map[i].curses;
        styles[r] = (struct style){ps->fg, ps->bg, a, true};
        apply(r);
    }
}
