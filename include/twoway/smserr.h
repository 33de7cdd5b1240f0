/* smserr — what an agent can do about an SMS that failed, in plain words,
 * by the carrier's (Twilio's) error code. One table for twowayd, which
 * writes external_error, and for twoway, which explains the codes another
 * server (Chatwoot) reports only by Twilio's terse text. */
#ifndef TWOWAY_SMSERR_H
#define TWOWAY_SMSERR_H

#include <stdint.h>

/* The words for code, or NULL for a code not in the table. Static. */
const char *smserr_words(int64_t code);

/* The code at the start of an external_error text ("30003 - …"), or 0. */
int64_t smserr_code(const char *text);

#endif
