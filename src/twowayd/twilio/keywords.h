/* keywords — SMS compliance: the opt-out keywords customers text (STOP,
 * START, HELP and their synonyms, as Twilio's Advanced Opt-Out knows them),
 * applying an opt-out or opt-in with its activity line, and Twilio's
 * delivery error codes in words an agent can act on. */
#ifndef TWOWAYD_KEYWORDS_H
#define TWOWAYD_KEYWORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "twoway/smskw.h"

struct db;

/* The kinds of util's one keyword table (twoway/smskw.h), which the
 * client reads too. */
enum keywords_kind {
    KEYWORDS_NONE = SMSKW_NONE,
    KEYWORDS_STOP = SMSKW_STOP, /* STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT */
    KEYWORDS_START = SMSKW_START, /* START, YES, UNSTOP */
    KEYWORDS_HELP = SMSKW_HELP,   /* HELP, INFO */
};

/* The keyword a whole message body is (surrounding white space and case
 * ignored; "STOP PLEASE" is no keyword). NULL → KEYWORDS_NONE. If word is
 * not NULL it gets the keyword in capitals ("CANCEL"; static), or "". */
enum keywords_kind keywords_match(const char *body, const char **word);
/* Twilio's OptOutType webhook field (STOP, START, HELP). */
enum keywords_kind keywords_opt_out_type(const char *value);
/* The canonical word of a kind ("STOP", "START", "HELP"); "" for NONE. */
const char *keywords_name(enum keywords_kind kind);

/* Opt the contact out (or back in) and, if that changed anything, write
 * "Contact opted out of SMS (<why>)" / "Contact opted back in to SMS
 * (<why>)" into conv_id (0: no line). Returns true if the state changed.
 * Runs inside the caller's transaction. */
bool keywords_set_opt_out(struct db *db, int64_t contact_id, int64_t conv_id, bool opted_out,
                          const char *why);

/* "CODE - plain words" for a Twilio error code; for a code we do not know,
 * "CODE - <twilio_message>" or "CODE - Delivery failed". Owned. */
char *keywords_error_text(int64_t code, const char *twilio_message);

/* content_attributes key that marks our own compliance replies: they go
 * out even to a contact who has just opted out. */
#define KEYWORDS_REPLY_ATTR "compliance_reply"

#endif
