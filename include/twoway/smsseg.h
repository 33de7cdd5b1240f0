/* smsseg — how a reply will travel as SMS: encoding, units and segments.
 *
 * GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one message,
 * 153 per part when concatenated; the extension characters ^ { } \ [ ~ ] | €
 * and form feed take two septets (escape + char), and an escape pair is never
 * split across parts, so a part may hold 152. One character outside GSM-7
 * turns the whole message into UCS-2: 70 units single, 67 per part, counted
 * in UTF-16 units; a character outside the BMP (most emoji) takes two, and a
 * surrogate pair is never split, so a part may hold 66. */
#ifndef TWOWAY_SMSSEG_H
#define TWOWAY_SMSSEG_H

#include <stddef.h>
#include <stdint.h>

enum smsseg_encoding { SMSSEG_GSM7, SMSSEG_UCS2 };

struct smsseg_info {
    enum smsseg_encoding encoding;
    size_t units;         /* septets (GSM-7) or UTF-16 units (UCS-2) in all */
    size_t segments;      /* 0 for an empty text */
    size_t per_segment;   /* capacity of one segment as sent: 160/153 or 70/67 */
    size_t used_in_last;  /* units in the last segment */
    size_t remaining;     /* units left in the last segment */
    uint32_t forced_by;   /* first code point that forced UCS-2, or 0 */
    size_t forced_offset; /* its byte offset in the text */
};

/* Measure valid UTF-8 text (ill-formed bytes count as U+FFFD; NULL as ""). */
void smsseg_measure(const char *text, struct smsseg_info *out);

/* Units used / capacity of the last segment, and the segment count:
 * "GSM-7 42/160 · 1 SMS", "UCS-2 8/67 · 2 SMS · ’ forced UCS-2". With
 * max_segments (0: none) the count shows the limit, "GSM-7 42/153 · 3/10
 * SMS", and a text over a limit ends in " · too long". A forcing character
 * that cannot be seen on its own (a control, a space, a format or
 * combining character) is shown as "U+200B". Owned. */
char *smsseg_describe(const struct smsseg_info *info, size_t max_segments);

/* Twilio takes a message body of at most 1,600 characters (error 21617)
 * and says characters outside GSM-7 take more room: counted here in the
 * units sent (GSM-7 septets, an escape pair as two; UTF-16 units), never
 * fewer than Twilio counts. */
#define SMSSEG_MAX_UNITS 1600

/* Why a text is too long to send as one reply: more than max_segments
 * segments (0: no such limit) or more than SMSSEG_MAX_UNITS units. NULL if
 * it is not; else a clause fit to show, "66 SMS segments; max_segments
 * allows 10" (owned). */
char *smsseg_over_limit(const struct smsseg_info *info, size_t max_segments);

/* 1 if the code point is in the GSM-7 basic set, 2 if in the extension
 * table, 0 if not encodable. */
int smsseg_gsm_units(uint32_t cp);

#endif
