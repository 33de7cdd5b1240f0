/* phone — telephone numbers as SMS needs them: E.164 ("+", the country
 * calling code and the number, 15 digits at most), and the country a
 * number belongs to with the time zones most of its people live in (for
 * quiet hours, quiet.h).
 *
 * The country table is short on purpose: the main countries by calling
 * code, each with the zones that hold most of its people (a contact's own
 * time zone attribute is the precise answer; this is the fallback). */
#ifndef TWOWAY_PHONE_H
#define TWOWAY_PHONE_H

#include <stddef.h>

/* A number as typed into E.164 (owned), or NULL with *why (owned, a
 * sentence naming the number). Spaces, dashes, dots and parentheses are
 * dropped and a leading "00" is "+"; what is left must be "+", a first
 * digit that is not 0, and 7 to 15 digits in all (the shortest numbers
 * countries give out). Without "+" the country is unknown: refused. */
char *phone_e164(const char *typed, char **why);

/* The country of an E.164 number from the table: its name ("United
 * States or Canada") and its main zones (IANA names), NULL-terminated and
 * static. NULL when the calling code is not in the table. */
struct phone_country {
    const char *code; /* calling code without "+", "44" */
    const char *name;
    const char *const *zones;
};
const struct phone_country *phone_country(const char *e164);

/* The table, for the man page check and the tests. */
const struct phone_country *phone_countries(size_t *n);

#endif
