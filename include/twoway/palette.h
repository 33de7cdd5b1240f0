/* palette — what `color ROLE FG [BG] [ATTRS]` lines say each screen role
 * (roles.h) looks like. These are settings, like options: kept whether or
 * not a screen is up (the config file is read before it is), and followed
 * by the ui through palette_gen(), so a colour takes effect when it is set,
 * from the config file, the `:` line and -e alike. */
#ifndef TWOWAY_PALETTE_H
#define TWOWAY_PALETTE_H

#include <stdbool.h>
#include <stdint.h>

#include "twoway/roles.h"

enum palette_attr {
    PAL_BOLD = 1 << 0,
    PAL_DIM = 1 << 1,
    PAL_UNDERLINE = 1 << 2,
    PAL_REVERSE = 1 << 3,
    PAL_ITALIC = 1 << 4,
    PAL_BLINK = 1 << 5,
};

struct palette_style {
    bool set;       /* a `color` line named this role */
    short fg, bg;   /* -1: the terminal's default; 0-255 */
    unsigned attrs; /* enum palette_attr bits */
};

struct palette;

struct palette *palette_new(void);
void palette_free(struct palette **p);

/* A colour word: default, black … white, brightblack … brightwhite,
 * color0 … color255 (any case). 0, or -1 if it is none. */
int palette_color(const char *word, short *out);
/* An attribute word: bold dim underline reverse italic blink none. 0 or -1. */
int palette_attr(const char *word, unsigned *out);

void palette_set(struct palette *p, enum fmt_role role, short fg, short bg, unsigned attrs);
/* Borrowed; never NULL for a role of roles.h. */
const struct palette_style *palette_style(const struct palette *p, enum fmt_role role);
/* Moves at every change. */
uint64_t palette_gen(const struct palette *p);

#endif
