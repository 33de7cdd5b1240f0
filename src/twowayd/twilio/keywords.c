/* keywords — SMS compliance keywords and Twilio error codes. */
#include "twilio/keywords.h"

#include <string.h>
#include <strings.h>

#include "store/db.h"
#include "store/ops.h"
#include "twoway/smserr.h"
#include "twoway/smskw.h"
#include "twoway/xmalloc.h"

enum keywords_kind keywords_match(const char *body, const char **word)
{
    return (enum keywords_kind)smskw_match(body, word);
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
    const char *words = smserr_words(code);
    if (words)
        return xasprintf("%lld - %s", (long long)code, words);
    if (twilio_message && *twilio_message)
        return xasprintf("%lld - %.*s", (long long)code, cut_utf8(twilio_message, 300),
                         twilio_message);
    return xasprintf("%lld - Delivery failed", (long long)code);
}
