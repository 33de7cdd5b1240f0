/* smsseg — how a reply will travel as SMS: encoding, units and segments. */
#include "twoway/smsseg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "twoway/buf.h"
#include "twoway/xmalloc.h"

#define GSM7_SINGLE 160
#define GSM7_PART 153
#define UCS2_SINGLE 70
#define UCS2_PART 67

/* The non-ASCII characters of the GSM 03.38 default alphabet. */
static const uint32_t gsm_basic_latin1_greek[] = {
    0x00A1, /* ¡ */ 0x00A3, /* £ */ 0x00A4, /* ¤ */ 0x00A5, /* ¥ */
    0x00A7, /* § */ 0x00BF, /* ¿ */ 0x00C4, /* Ä */ 0x00C5, /* Å */
    0x00C6, /* Æ */ 0x00C7, /* Ç */ 0x00C9, /* É */ 0x00D1, /* Ñ */
    0x00D6, /* Ö */ 0x00D8, /* Ø */ 0x00DC, /* Ü */ 0x00DF, /* ß */
    0x00E0, /* à */ 0x00E4, /* ä */ 0x00E5, /* å */ 0x00E6, /* æ */
    0x00E8, /* è */ 0x00E9, /* é */ 0x00EC, /* ì */ 0x00F1, /* ñ */
    0x00F2, /* ò */ 0x00F6, /* ö */ 0x00F8, /* ø */ 0x00F9, /* ù */
    0x00FC, /* ü */ 0x0393, /* Γ */ 0x0394, /* Δ */ 0x0398, /* Θ */
    0x039B, /* Λ */ 0x039E, /* Ξ */ 0x03A0, /* Π */ 0x03A3, /* Σ */
    0x03A6, /* Φ */ 0x03A8, /* Ψ */ 0x03A9,                 /* Ω */
};

int smsseg_gsm_units(uint32_t cp)
{
    if (cp < 0x80) {
        switch (cp) {
        case '\n':
        case '\r':
            return 1;
        case '\f':
        case '^':
        case '{':
        case '}':
        case '\\':
        case '[':
        case '~':
        case ']':
        case '|':
            return 2;
        case '`':
            return 0;
        default:
            return cp >= 0x20 && cp < 0x7F ? 1 : 0;
        }
    }
    if (cp == 0x20AC) /* € */
        return 2;
    size_t n = sizeof gsm_basic_latin1_greek / sizeof gsm_basic_latin1_greek[0];
    for (size_t i = 0; i < n; i++)
        if (gsm_basic_latin1_greek[i] == cp)
            return 1;
    return 0;
}

/* The next code point of text at *i; ill-formed bytes count as U+FFFD. */
static uint32_t next_cp(const unsigned char *text, size_t len, size_t *i)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(text + *i, (utf8proc_ssize_t)(len - *i), &cp);
    if (n <= 0) {
        *i += 1;
        return 0xFFFD;
    }
    *i += (size_t)n;
    return (uint32_t)cp;
}

static size_t units_of(uint32_t cp, bool ucs2)
{
    if (ucs2)
        return cp > 0xFFFF ? 2 : 1;
    return (size_t)smsseg_gsm_units(cp);
}

void smsseg_measure(const char *text, struct smsseg_info *out)
{
    const unsigned char *u = (const unsigned char *)(text ? text : "");
    size_t len = strlen((const char *)u);
    size_t i = 0;

    memset(out, 0, sizeof *out);
    out->encoding = SMSSEG_GSM7;
    while (i < len) {
        size_t at = i;
        uint32_t cp = next_cp(u, len, &i);
        if (smsseg_gsm_units(cp) == 0) {
            out->encoding = SMSSEG_UCS2;
            out->forced_by = cp;
            out->forced_offset = at;
            break;
        }
    }
    bool ucs2 = out->encoding == SMSSEG_UCS2;

    for (i = 0; i < len;)
        out->units += units_of(next_cp(u, len, &i), ucs2);

    size_t single = ucs2 ? UCS2_SINGLE : GSM7_SINGLE;
    if (out->units <= single) {
        out->segments = out->units ? 1 : 0;
        out->per_segment = single;
        out->used_in_last = out->units;
        out->remaining = single - out->units;
        return;
    }

    /* Concatenated: pack character by character, because an escape pair or
     * a surrogate pair that does not fit moves whole to the next part. */
    size_t part = ucs2 ? UCS2_PART : GSM7_PART;
    size_t segments = 1, used = 0;
    for (i = 0; i < len;) {
        size_t n = units_of(next_cp(u, len, &i), ucs2);
        if (used + n > part) {
            segments++;
            used = 0;
        }
        used += n;
    }
    out->segments = segments;
    out->per_segment = part;
    out->used_in_last = used;
    out->remaining = part - used;
}

/* Show the forcing character itself only if it can be seen on its own. */
static bool visible_alone(uint32_t cp)
{
    if (cp > 0x10FFFF)
        return false;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
        return true;
    default:
        return false;
    }
}

char *smsseg_over_limit(const struct smsseg_info *info, size_t max_segments)
{
    if (max_segments && info->segments > max_segments)
        return xasprintf("%zu SMS segments; max_segments allows %zu", info->segments, max_segments);
    if (info->units > SMSSEG_MAX_UNITS)
        return xasprintf("%zu characters as SMS (%s); the SMS provider takes at most %d",
                         info->units, info->encoding == SMSSEG_UCS2 ? "UCS-2" : "GSM-7",
                         SMSSEG_MAX_UNITS);
    return NULL;
}

char *smsseg_describe(const struct smsseg_info *info, size_t max_segments)
{
    struct buf b;
    bool ucs2 = info->encoding == SMSSEG_UCS2;

    buf_init(&b);
    buf_addf(&b, "%s %zu/%zu \xc2\xb7 ", ucs2 ? "UCS-2" : "GSM-7", info->used_in_last,
             info->per_segment);
    if (max_segments)
        buf_addf(&b, "%zu/%zu SMS", info->segments, max_segments);
    else
        buf_addf(&b, "%zu SMS", info->segments);
    if (ucs2 && info->forced_by) {
        buf_adds(&b, " \xc2\xb7 ");
        if (visible_alone(info->forced_by)) {
            utf8proc_uint8_t tmp[4];
            utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)info->forced_by, tmp);
            buf_add(&b, tmp, (size_t)n);
        } else {
            buf_addf(&b, "U+%04X", (unsigned)info->forced_by);
        }
        buf_adds(&b, " forced UCS-2");
    }
    if (max_segments && info->segments > max_segments)
        buf_adds(&b, " \xc2\xb7 too long");
    else if (info->units > SMSSEG_MAX_UNITS)
        buf_addf(&b, " \xc2\xb7 too long: over %d characters", SMSSEG_MAX_UNITS);
    char *s = buf_detach(&b);
    buf_free(&b);
    return s;
}
