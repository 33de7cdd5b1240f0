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

/* Notes (added with the implementation):
 * - Text also searches the contact's email; all text matching is ASCII
 *   case-insensitive. ~a NAME is a prefix of the assignee's name or of any
 *   word in it ("sam", "jon", "\"sam j\""); me/none/any win over names.
 *   ~t TEAM is a prefix of the team name; ~l is exact. ~s/~p/~a keywords
 *   ignore case. ~w also reads "~w>15m"; a bare number is seconds.
 * - An argument may be attached (~lbilling) or quoted ("a b", with \" and
 *   \\ escapes). Operators are lower-case letters.
 * - Errors end with "(column N)", N counted in characters from 1.
 * - Input is at most 1,000 bytes and 32 levels of parentheses.
 * - pattern_match() with a NULL ctx uses me = 0 and the current time. */

#endif
