/* fuzz_smsseg — segment counting on what an agent may type or paste.
 *
 * The composer holds sanitized multi-line text, so that is what is
 * measured; the raw bytes are measured too (the header promises ill-formed
 * bytes count as U+FFFD). Properties: the encoding is GSM-7 exactly when
 * every character is in the GSM-7 tables; the units agree with a count
 * made here (UTF-16 units for UCS-2, one or two septets per character for
 * GSM-7); a non-empty text takes at least one segment; the last segment's
 * used + remaining is its capacity; the segment count is consistent with
 * the units (each full part holds its capacity, or one less when an escape
 * or surrogate pair moved on); the description is valid UTF-8. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "twoway/smsseg.h"
#include "twoway/text.h"

/* One code point of valid UTF-8 (the text was sanitized). */
static size_t next_cp(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xE0) {
        *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        return 3;
    }
    *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
          (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return 4;
}

static void check_counts(const char *text, const struct smsseg_info *in)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t chars = 0, utf16 = 0, septets = 0, first_bad = (size_t)-1;
    uint32_t bad_cp = 0;
    for (size_t i = 0; u[i];) {
        uint32_t cp;
        size_t n = next_cp(u + i, &cp);
        int g = smsseg_gsm_units(cp);
        if (g == 0 && first_bad == (size_t)-1) {
            first_bad = i;
            bad_cp = cp;
        }
        septets += (size_t)g;
        utf16 += cp > 0xFFFF ? 2 : 1;
        chars++;
        i += n;
    }
    bool ucs2 = first_bad != (size_t)-1;
    FUZZ_CHECK(in->encoding == (ucs2 ? SMSSEG_UCS2 : SMSSEG_GSM7), "encoding %d", in->encoding);
    if (ucs2) {
        FUZZ_CHECK(in->units == utf16, "%zu UTF-16 units counted, %zu here", in->units, utf16);
        FUZZ_CHECK(in->forced_by == bad_cp && in->forced_offset == first_bad,
                   "forced by U+%04X at %zu, not U+%04X at %zu", (unsigned)in->forced_by,
                   in->forced_offset, (unsigned)bad_cp, first_bad);
    } else {
        FUZZ_CHECK(in->units == septets, "%zu septets counted, %zu here", in->units, septets);
        FUZZ_CHECK(in->forced_by == 0, "GSM-7 forced by U+%04X", (unsigned)in->forced_by);
    }
    FUZZ_CHECK((in->segments == 0) == (chars == 0), "%zu segments for %zu characters", in->segments,
               chars);

    size_t single = ucs2 ? 70 : 160, part = ucs2 ? 67 : 153;
    if (in->segments <= 1) {
        FUZZ_CHECK(in->per_segment == single && in->used_in_last == in->units,
                   "one segment: %zu/%zu for %zu units", in->used_in_last, in->per_segment,
                   in->units);
    } else {
        FUZZ_CHECK(in->per_segment == part, "capacity %zu in a long text", in->per_segment);
        FUZZ_CHECK(in->units > single, "%zu segments for %zu units", in->segments, in->units);
        size_t full = in->segments - 1;
        FUZZ_CHECK(in->units >= full * (part - 1) + in->used_in_last &&
                       in->units <= full * part + in->used_in_last,
                   "%zu units do not fill %zu parts of %zu and %zu", in->units, full, part,
                   in->used_in_last);
        FUZZ_CHECK(in->used_in_last > 0, "an empty last segment");
    }
    FUZZ_CHECK(in->used_in_last <= in->per_segment &&
                   in->used_in_last + in->remaining == in->per_segment,
               "last segment %zu + %zu of %zu", in->used_in_last, in->remaining, in->per_segment);
}

static void describe(const struct smsseg_info *in)
{
    char *d = smsseg_describe(in, 10);
    FUZZ_CHECK(fuzz_utf8_ok(d, strlen(d)), "description is not valid UTF-8");
    FUZZ_CHECK(strstr(d, " SMS") != NULL, "description %s", d);
    free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smsseg_info info;
    char *text = text_sanitize((const char *)data, size, TEXT_MULTI_LINE);
    smsseg_measure(text, &info);
    check_counts(text, &info);
    describe(&info);
    free(text);

    char *raw = fuzz_cstr(data, size);
    smsseg_measure(raw, &info);
    FUZZ_CHECK(info.used_in_last + info.remaining == info.per_segment, "raw: last segment");
    describe(&info);
    free(raw);
    return 0;
}
