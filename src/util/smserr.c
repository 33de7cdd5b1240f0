/* smserr — plain words for SMS failure codes. */
#include "twoway/smserr.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>

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

const char *smserr_words(int64_t code)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
        if (error_table[i].code == code)
            return error_table[i].words;
    return NULL;
}

int64_t smserr_code(const char *text)
{
    if (!text)
        return 0;
    while (*text == ' ')
        text++;
    if (!isdigit((unsigned char)*text))
        return 0;
    char *end;
    long long n = strtoll(text, &end, 10);
    /* a code is a whole word: "30003 - …", "30003", "30003: …" */
    if (n <= 0 || n > 99999 || (*end && *end != ' ' && *end != '-' && *end != ':'))
        return 0;
    return (int64_t)n;
}
