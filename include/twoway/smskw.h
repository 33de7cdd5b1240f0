/* smskw — the SMS compliance keywords customers text (STOP, START, HELP
 * and their synonyms, as Twilio's Advanced Opt-Out knows them). One table
 * for twowayd, which answers them, and for twoway, which knows that a
 * customer whose last message was one has been answered by the system. */
#ifndef TWOWAY_SMSKW_H
#define TWOWAY_SMSKW_H

enum smskw_kind {
    SMSKW_NONE,
    SMSKW_STOP,  /* STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT */
    SMSKW_START, /* START, YES, UNSTOP */
    SMSKW_HELP,  /* HELP, INFO */
};

/* The keyword a whole message body is (surrounding white space and case
 * ignored; "STOP PLEASE" is no keyword). NULL → SMSKW_NONE. If word is not
 * NULL it gets the keyword in capitals ("CANCEL"; static), or "". */
enum smskw_kind smskw_match(const char *body, const char **word);

#endif
