/* theme — screen roles (roles.h) to curses attributes: a colour theme, a
 * monochrome fallback (bold/dim/reverse/underline only) for terminals
 * without colour or when NO_COLOR is set, and the looks `color` lines
 * set (palette.h). */
#ifndef TWOWAY_THEME_H
#define TWOWAY_THEME_H

#include <stdbool.h>

#include "twoway/palette.h"
#include "twoway/roles.h"

/* After start_color(): choose colour or monochrome and build the pairs.
 * use_color: false forces monochrome. */
void theme_init(bool use_color);
bool theme_has_color(void);
/* The curses attribute (A_* | COLOR_PAIR) of a role. */
int theme_attr(enum fmt_role role);
/* Does a space in this role look like a plain one (no background,
 * reverse, underline...)? Then a few spaces between two styled parts can
 * take a neighbour's attributes, and the terminal is not told to switch
 * attributes off and on again around them. */
bool theme_blank_plain(enum fmt_role role);
/* Take the looks the palette's `color` lines set (before theme_init too:
 * applied then). Call again when palette_gen() moves. */
void theme_follow(const struct palette *p);

#endif
