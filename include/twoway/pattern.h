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
    /* Added (push2), for pattern_filter only: the directory, to turn ~a
     * NAME and ~t TEAM into ids (borrowed; NULL: not known). */
    const struct agent *agents;
    size_t nagents;
    const struct team *teams;
    size_t nteams;
};

/* NULL with *err (owned) on a syntax error that names the problem. */
struct pattern *pattern_compile(const char *text, char **err);
bool pattern_match(const struct pattern *p, const struct conversation *c,
                   const struct pattern_ctx *ctx);
void pattern_free(struct pattern **p);

/* Added (push2): what of the pattern the server can filter by (Chatwoot's
 * conversation filter, model.h's conv_filter), into *out (emptied first):
 * conditions every match passes, so the server's answer holds every match
 * (a superset). out->exact says they are the whole pattern: then the
 * server's answer is the matches, and its count theirs. Statuses, labels,
 * priorities, assignees and teams are said (negated where the server's
 * NOT IN means the same); unread, waiting, opted out and text are not, nor
 * an OR across different keys. */
void pattern_filter(const struct pattern *p, const struct pattern_ctx *ctx,
                    struct conv_filter *out);

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
