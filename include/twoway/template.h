/* template — reply templates: Chatwoot's dashboard variables filled in on
 * the client before sending, as the dashboard does (doc/api.md §5).
 *
 * {{contact.name}} {{contact.first_name}} {{contact.last_name}}
 * {{contact.email}} {{contact.phone}} {{contact.id}} {{conversation.id}}
 * {{agent.name}} {{agent.first_name}} {{agent.last_name}} {{agent.email}}
 * {{contact.custom_attribute.KEY}} {{conversation.custom_attribute.KEY}}
 * where agent is the conversation's assignee (as the dashboard does), or,
 * on a conversation nobody has, the agent replying (where the dashboard
 * leaves them empty). Names are capitalised word by word, as the
 * dashboard's variable helper does ("maria de la cruz" → "Maria De La
 * Cruz"); a contact's name that is only a phone number counts as no name,
 * so a fallback such as {{contact.first_name || 'there'}} applies. An
 * unknown variable or one with no value stops the expansion with an error
 * naming it: nothing goes out with a hole in it. */
#ifndef TWOWAY_TEMPLATE_H
#define TWOWAY_TEMPLATE_H

#include "twoway/model.h"

struct template_vars {
    const struct conversation *conv; /* may be NULL */
    const struct agent *agent;       /* the assignee, may be NULL */
};

/* Expand every {{variable}} in text. Owned result, or NULL with *err
 * (owned) naming the first unknown or empty variable. Text without
 * variables comes back unchanged. */
char *template_expand(const char *text, const struct template_vars *vars, char **err);

struct store;

/* template_expand() for conversation conv of the store (0 or unknown: no
 * conversation), the agent being its assignee, or on an unassigned
 * conversation the signed-in agent (the store's profile). */
char *template_expand_for(const char *text, const struct store *st, int64_t conv, char **err);

/* Does text contain {{…}}? */
bool template_has_vars(const char *text);
/* Does text use an {{agent.…}} variable? (A preview says whose they are.) */
bool template_uses_agent(const char *text);

/* Added notes: `{{contact.first_name || 'there'}}` (Chatwoot's fallback,
 * quoted with ' or ") uses the fallback when the variable is empty; it
 * cannot contain "}}". Whitespace inside the braces is allowed. A "{{"
 * with no "}}" after it is text. */

/* Added: the longest expansion, in bytes (Twilio takes 1,600 characters;
 * this only stops runaway input). Longer is an error, not a cut. */
#define TEMPLATE_MAX_OUTPUT (64 * 1024)

#endif
