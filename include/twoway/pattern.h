/* pattern — neomutt-like limit patterns over conversations, evaluated
 * locally on what the list holds.
 *
 *   ~a me|none|any|NAME   assigned to me / nobody / someone / an agent
 *   ~l LABEL              has the label
 *   ~u                    has unread messages
 *   ~w DURATION           the customer has waited longer than DURATION (15m, 2h)
 *   ~s STATUS             open, pending, resolved, snoozed
 *   ~p PRIORITY           urgent, high, medium, low, none
 *   ~t TEAM               team name
 *   ~o                    opted out of SMS
 *   TEXT or ~b TEXT       name, phone or last message contains TEXT
 *   !X  negation; terms side by side are ANDed; A | B is OR; ( ) group.
 */
#ifndef TWOWAY_PATTERN_H
#define TWOWAY_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

#include "twoway/model.h"

struct pattern;

struct pattern_ctx {
    int64_t me;  /* my agent id */
    int64_t now; /* epoch seconds */
};

/* NULL with *err (owned) on a syntax error that names the problem. */
struct pattern *pattern_compile(const char *text, char **err);
bool pattern_match(const struct pattern *p, const struct conversation *c,
                   const struct pattern_ctx *ctx);
void pattern_free(struct pattern **p);

#endif
