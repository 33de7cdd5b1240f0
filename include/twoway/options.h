/* options — twoway's settings: one typed table (name, type, default,
 * range, help) that `set`, completion, `:help`, the man page and the
 * config file all follow. */
#ifndef TWOWAY_OPTIONS_H
#define TWOWAY_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum opt_type {
    OPT_BOOL, /* yes/no, on/off, true/false, 1/0 */
    OPT_INT,  /* within [min, max] */
    OPT_STRING,
    OPT_ENUM, /* one of choices ("a|b|c") */
    OPT_LIST, /* comma-separated subset of choices */
};

enum opt_flags {
    OPT_SECRET = 1 << 0,  /* never shown; only from a private config file */
    OPT_RESTART = 1 << 1, /* read when twoway connects: takes effect at the next start */
};

struct opt_def {
    const char *name;
    enum opt_type type;
    const char *dflt;
    long min, max;       /* OPT_INT */
    const char *choices; /* OPT_ENUM / OPT_LIST: "a|b|c" */
    unsigned flags;
    const char *help;
};

struct options;

struct options *options_new(void);
void options_free(struct options **o);

/* The table, in the order help shows it. */
const struct opt_def *options_table(size_t *n);
const struct opt_def *options_find(const char *name);

/* Validate and set. from_private_file: the value comes from a config file
 * only its owner can read (OPT_SECRET options need that). 0 or -1 with *err. */
int options_set(struct options *o, const char *name, const char *value, bool from_private_file,
                char **err);
/* Back to the default. */
int options_reset(struct options *o, const char *name, char **err);

/* Current value as text (borrowed; never NULL for a known name). */
const char *options_get(const struct options *o, const char *name);
bool options_bool(const struct options *o, const char *name);
long options_int(const struct options *o, const char *name);
/* Is choice in the OPT_LIST value? */
bool options_has(const struct options *o, const char *name, const char *choice);
/* Changed since the last options_changed_clear (for redraws). */
uint64_t options_gen(const struct options *o);
/* Who follows the settings: fn runs after every real change (a value set
 * again is none), from the config file, `set` and -e alike. One listener;
 * NULL removes it. */
void options_set_listener(struct options *o, void (*fn)(void *ud, const struct opt_def *d),
                          void *ud);

/* Notes (added with the implementation):
 * - Values are canonical text: bools "yes"/"no", ints in decimal, enum
 *   choices as the table spells them, lists "a,b" trimmed, deduplicated, in
 *   the order given ("none" only alone).
 * - options_get() returns an OPT_SECRET value as it is, because the caller
 *   needs the token to connect; anything that displays values must check
 *   opt_def.flags and mask it.
 * - options_gen() counts real changes (setting the current value again is
 *   none); there is no options_changed_clear(): remember the gen you drew
 *   with and compare. */

#endif
