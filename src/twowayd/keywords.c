/* keywords — SMS compliance keywords and Twilio error codes. */
#include "keywords.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "ops.h"
#include "twoway/xmalloc.h"

static const struct {
    const char *word;
    enum keywords_kind kind;
} keyword_table[] = {
    {"STOP", KEYWORDS_STOP},   {"STOPALL", KEYWORDS_STOP}, {"UNSUBSCRIBE", KEYWORDS_STOP},
    {"CANCEL", KEYWORDS_STOP}, {"END", KEYWORDS_STOP},     {"QUIT", KEYWORDS_STOP},
    {"REVOKE", KEYWORDS_STOP}, {"OPTOUT", KEYWORDS_STOP},  {"START", KEYWORDS_START},
    {"YES", KEYWORDS_START},   {"UNSTOP", KEYWORDS_START}, {"HELP", KEYWORDS_HELP},
    {"INFO", KEYWORDS_HELP},
};

/* The longest keyword is UNSUBSCRIBE; anything longer is no keyword. */
#define LONGEST_KEYWORD 11

enum keywords_kind keywords_match(const char *body, const char **word)
{
    if (word)
        *word = "";
    if (!body)
        return KEYWORDS_NONE;
    while (isspace((unsigned char)*body))
        body++;
    size_t n = strlen(body);
    while (n > 0 && isspace((unsigned char)body[n - 1]))
        n--;
    if (n == 0 || n > LONGEST_KEYWORD)
        return KEYWORDS_NONE;
    for (size_t i = 0; i < sizeof keyword_table / sizeof keyword_table[0]; i++)
        if (strlen(keyword_table[i].word) == n &&
            strncasecmp(keyword_table[i].word, body, n) == 0) {
            if (word)
                *word = keyword_table[i].word;
            return keyword_table[i].kind;
        }
    return KEYWORDS_NONE;
}

enum keywords_kind keywords_opt_out_type(const char *value)
{
    if (!value)
        return KEYWORDS_NONE;
    if (strcasecmp(value, "STOP") == 0)
        return KEYWORDS_STOP;
    if (strcasecmp(value, "START") == 0)
        return KEYWORDS_START;
    if (strcasecmp(value, "HELP") == 0)
        return KEYWORDS_HELP;
    return KEYWORDS_NONE;
}

const char *keywords_name(enum keywords_kind kind)
{
    switch (kind) {
    case KEYWORDS_STOP:
        return "STOP";
    case KEYWORDS_START:
        return "START";
    case KEYWORDS_HELP:
        return "HELP";
    case KEYWORDS_NONE:
        break;
    }
    return "";
}

bool keywords_set_opt_out(struct db *db, int64_t contact_id, int64_t conv_id, bool opted_out,
                          const char *why)
{
    if (ops_contact_opted_out(db, contact_id) == opted_out)
        return false;
    ops_contact_set_opt_out(db, contact_id, opted_out);
    if (conv_id)
        ops_activity(
            db, conv_id,
            opted_out ? "Contact opted out of SMS (%s)" : "Contact opted back in to SMS (%s)", why);
    return true;
}

/* What an agent can do about each failure, in words; the codes are
 * Twilio's (https://www.twilio.com/docs/api/errors). */
static const struct {
    int64_t code;
    const char *words;
} error_table[] = {
    {20003, "Twilio rejected the account SID or auth token; check twowayd's configuration"},
    {21211, "Not a valid phone number; check the contact's number"},
    {21408, "Sending to this country is not enabled in the Twilio account (Geo permissions)"},
    {21606, "The inbox number cannot send SMS (not an SMS-capable Twilio number)"},
    {21608, "Trial account: Twilio only sends to verified numbers"},
    {21610, "The contact replied STOP and has opted out; they must text START first"},
    {21612, "Twilio cannot route a message to this number"},
    {21614, "Not a mobile number: it cannot receive SMS"},
    {21617, "Message too long (over 1600 characters); split it"},
    {30001, "Twilio's queue overflowed (too many messages too fast); retry later"},
    {30002, "The Twilio account is suspended"},
    {30003, "Phone unreachable (off or no signal); often temporary, retry later"},
    {30004, "Blocked: the recipient or their carrier blocks messages from this number"},
    {30005, "Unknown number: it does not exist or is no longer in service"},
    {30006, "Landline or a carrier that cannot receive SMS"},
    {30007, "Filtered by the carrier as spam; change the wording or register the sender"},
    {30008, "Unknown error at the carrier; retry later"},
    {30022, "Over the US A2P 10DLC sending limit; retry later"},
    {30032, "Toll-free number not verified; carriers block it until it is"},
    {30034, "Sender number not registered for US A2P 10DLC; carriers block it"},
};

/* Bytes of s to keep so that at most max bytes remain and no UTF-8
 * sequence is split. */
static int cut_utf8(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

char *keywords_error_text(int64_t code, const char *twilio_message)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
        if (error_table[i].code == code)
            return xasprintf("%lld - %s", (long long)code, error_table[i].words);
    if (twilio_message && *twilio_message)
        return xasprintf("%lld - %.*s", (long long)code, cut_utf8(twilio_message, 300),
                         twilio_message);
    return xasprintf("%lld - Delivery failed", (long long)code);
}
