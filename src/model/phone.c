/* phone — E.164 numbers and the country table. */
#include "twoway/phone.h"

#include <string.h>

#include "twoway/buf.h"
#include "twoway/xmalloc.h"

/* E.164 allows 15 digits; no country gives out fewer than 7 with its
 * code (Niue's are 4 + 3). */
#define DIGITS_MIN 7
#define DIGITS_MAX 15
/* What a person may type around the digits. */
#define SEPARATORS " -.()\t"

char *phone_e164(const char *typed, char **why)
{
    struct buf b;
    buf_init(&b);
    const char *p = typed ? typed : "";
    p += strspn(p, SEPARATORS);
    if (p[0] == '0' && p[1] == '0') {
        buf_addc(&b, '+');
        p += 2;
    } else if (*p == '+') {
        buf_addc(&b, '+');
        p++;
    }
    size_t digits = 0;
    const char *bad = NULL;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            buf_addc(&b, *p);
            digits++;
        } else if (!strchr(SEPARATORS, *p)) {
            bad = p;
            break;
        }
    }
    const char *problem = NULL;
    if (bad)
        problem = "only digits, spaces, dashes, dots and parentheses belong in a phone number";
    else if (b.len == 0 || b.data[0] != '+')
        problem = "give it in international form: + and the country code first (e.g. "
                  "+15550101041)";
    else if (digits > 0 && b.data[1] == '0')
        problem = "a country code never starts with 0";
    else if (digits < DIGITS_MIN)
        problem = "too short for a phone number with its country code";
    else if (digits > DIGITS_MAX)
        problem = "longer than the 15 digits a phone number can have";
    if (!problem)
        return buf_detach(&b);
    buf_free(&b);
    /* The number as typed goes into a sentence: a bounded, printable
     * rendering of it. */
    struct buf shown;
    buf_init(&shown);
    for (const char *s = typed ? typed : ""; *s && shown.len < 40; s++)
        buf_addc(&shown, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
    *why = xasprintf("\"%s\" is not a phone number: %s", shown.data ? shown.data : "", problem);
    buf_free(&shown);
    return NULL;
}

#define ZONES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Calling codes are prefix-free (ITU E.164), so at most one row matches a
 * number. Countries that span zones list where most people live; quiet.c
 * treats a number as quiet when it is quiet in any of them. */
static const struct phone_country countries[] = {
    {"1", "the United States or Canada",
     ZONES("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")},
    {"7", "Russia or Kazakhstan", ZONES("Europe/Moscow")},
    {"20", "Egypt", ZONES("Africa/Cairo")},
    {"27", "South Africa", ZONES("Africa/Johannesburg")},
    {"30", "Greece", ZONES("Europe/Athens")},
    {"31", "the Netherlands", ZONES("Europe/Amsterdam")},
    {"32", "Belgium", ZONES("Europe/Brussels")},
    {"33", "France", ZONES("Europe/Paris")},
    {"34", "Spain", ZONES("Europe/Madrid")},
    {"36", "Hungary", ZONES("Europe/Budapest")},
    {"39", "Italy", ZONES("Europe/Rome")},
    {"40", "Romania", ZONES("Europe/Bucharest")},
    {"41", "Switzerland", ZONES("Europe/Zurich")},
    {"43", "Austria", ZONES("Europe/Vienna")},
    {"44", "the United Kingdom", ZONES("Europe/London")},
    {"45", "Denmark", ZONES("Europe/Copenhagen")},
    {"46", "Sweden", ZONES("Europe/Stockholm")},
    {"47", "Norway", ZONES("Europe/Oslo")},
    {"48", "Poland", ZONES("Europe/Warsaw")},
    {"49", "Germany", ZONES("Europe/Berlin")},
    {"51", "Peru", ZONES("America/Lima")},
    {"52", "Mexico", ZONES("America/Mexico_City")},
    {"54", "Argentina", ZONES("America/Argentina/Buenos_Aires")},
    {"55", "Brazil", ZONES("America/Sao_Paulo")},
    {"56", "Chile", ZONES("America/Santiago")},
    {"57", "Colombia", ZONES("America/Bogota")},
    {"60", "Malaysia", ZONES("Asia/Kuala_Lumpur")},
    {"61", "Australia", ZONES("Australia/Sydney", "Australia/Perth")},
    {"62", "Indonesia", ZONES("Asia/Jakarta")},
    {"63", "the Philippines", ZONES("Asia/Manila")},
    {"64", "New Zealand", ZONES("Pacific/Auckland")},
    {"65", "Singapore", ZONES("Asia/Singapore")},
    {"66", "Thailand", ZONES("Asia/Bangkok")},
    {"81", "Japan", ZONES("Asia/Tokyo")},
    {"82", "South Korea", ZONES("Asia/Seoul")},
    {"84", "Vietnam", ZONES("Asia/Ho_Chi_Minh")},
    {"86", "China", ZONES("Asia/Shanghai")},
    {"90", "Turkey", ZONES("Europe/Istanbul")},
    {"91", "India", ZONES("Asia/Kolkata")},
    {"92", "Pakistan", ZONES("Asia/Karachi")},
    {"234", "Nigeria", ZONES("Africa/Lagos")},
    {"254", "Kenya", ZONES("Africa/Nairobi")},
    {"351", "Portugal", ZONES("Europe/Lisbon")},
    {"353", "Ireland", ZONES("Europe/Dublin")},
    {"358", "Finland", ZONES("Europe/Helsinki")},
    {"420", "Czechia", ZONES("Europe/Prague")},
    {"966", "Saudi Arabia", ZONES("Asia/Riyadh")},
    {"971", "the United Arab Emirates", ZONES("Asia/Dubai")},
    {"972", "Israel", ZONES("Asia/Jerusalem")},
};

const struct phone_country *phone_country(const char *e164)
{
    if (!e164 || e164[0] != '+')
        return NULL;
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++) {
        size_t n = strlen(countries[i].code);
        if (strncmp(e164 + 1, countries[i].code, n) == 0)
            return &countries[i];
    }
    return NULL;
}

const struct phone_country *phone_countries(size_t *n)
{
    *n = sizeof countries / sizeof countries[0];
    return countries;
}
