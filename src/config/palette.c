/* palette — the `color` settings, by role. */
#include "twoway/palette.h"

#include <stdlib.h>
#include <strings.h>

#include "twoway/xmalloc.h"

struct palette {
    struct palette_style styles[ROLE__COUNT];
    uint64_t gen;
};

struct palette *palette_new(void)
{
    return xcalloc(1, sizeof(struct palette));
}

void palette_free(struct palette **p)
{
    xfree_null(p);
}

int palette_color(const char *word, short *out)
{
    static const char *const names[] = {"black", "red",     "green", "yellow",
                                        "blue",  "magenta", "cyan",  "white"};
    if (!strcasecmp(word, "default")) {
        *out = -1;
        return 0;
    }
    for (int i = 0; i < 8; i++) {
        if (!strcasecmp(word, names[i])) {
            *out = (short)i;
            return 0;
        }
        if (!strncasecmp(word, "bright", 6) && !strcasecmp(word + 6, names[i])) {
            *out = (short)(i + 8);
            return 0;
        }
    }
    if (!strncasecmp(word, "color", 5) && word[5]) {
        char *end;
        long n = strtol(word + 5, &end, 10);
        if (!*end && n >= 0 && n <= 255) {
            *out = (short)n;
            return 0;
        }
    }
    return -1;
}

int palette_attr(const char *word, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } attrs[] = {
        {"bold", PAL_BOLD},
        {"dim", PAL_DIM},
        {"underline", PAL_UNDERLINE},
        {"reverse", PAL_REVERSE},
        {"italic", PAL_ITALIC},
        {"blink", PAL_BLINK},
        {"none", 0},
    };
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++) {
        if (!strcasecmp(word, attrs[i].name)) {
            *out = attrs[i].bit;
            return 0;
        }
    }
    return -1;
}

void palette_set(struct palette *p, enum fmt_role role, short fg, short bg, unsigned attrs)
{
    if ((unsigned)role >= ROLE__COUNT)
        return;
    p->styles[role] = (struct palette_style){true, fg, bg, attrs};
    p->gen++;
}

const struct palette_style *palette_style(const struct palette *p, enum fmt_role role)
{
    if ((unsigned)role >= ROLE__COUNT)
        role = ROLE_NORMAL;
    return &p->styles[role];
}

uint64_t palette_gen(const struct palette *p)
{
    return p->gen;
}
