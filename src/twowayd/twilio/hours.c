/* hours — business hours in a time zone. */
#include "twilio/hours.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dconfig.h"
#include "twoway/log.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define MAX_RANGES 32

/* Days as a bit set (bit 0 = Sunday, as struct tm counts) and minutes
 * since local midnight, end exclusive (24:00 = 1440). */
struct range {
    unsigned days;
    int start, end;
};

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int parse_day(const char **p)
{
    for (int d = 0; d < 7; d++)
        if (strncasecmp(*p, day_names[d], 3) == 0) {
            *p += 3;
            return d;
        }
    return -1;
}

/* "mon", "mon-fri", "fri-mon" (wrapping over the week end). */
static int parse_days(const char **p, unsigned *days)
{
    int from = parse_day(p);
    if (from < 0)
        return -1;
    int to = from;
    if (**p == '-') {
        (*p)++;
        if ((to = parse_day(p)) < 0)
            return -1;
    }
    *days = 0;
    for (int d = from;; d = (d + 1) % 7) {
        *days |= 1u << d;
        if (d == to)
            break;
    }
    return 0;
}

/* "9:00", "09:00", "24:00" → minutes. */
static int parse_time(const char **p)
{
    const char *s = *p;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    int h = s[0] - '0', i = 1;
    if (isdigit((unsigned char)s[1]))
        h = h * 10 + (s[i++] - '0');
    if (s[i] != ':' || !isdigit((unsigned char)s[i + 1]) || !isdigit((unsigned char)s[i + 2]))
        return -1;
    int m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    *p = s + i + 3;
    return h * 60 + m;
}

static void skip_space(const char **p)
{
    while (isspace((unsigned char)**p))
        (*p)++;
}

/* One group: "mon-fri 09:00-17:00". */
static int parse_group(const char **p, struct range *r, char **err)
{
    const char *start = *p;
    if (parse_days(p, &r->days) < 0) {
        *err = xasprintf("expected days like mon or mon-fri at \"%.20s\"", start);
        return -1;
    }
    skip_space(p);
    const char *t = *p;
    r->start = parse_time(p);
    r->end = -1;
    if (r->start >= 0 && **p == '-') {
        (*p)++;
        r->end = parse_time(p);
    }
    if (r->end < 0) {
        *err = xasprintf("expected hours like 09:00-17:00 at \"%.20s\"", t);
        return -1;
    }
    if (r->start == 24 * 60 || r->end <= r->start) {
        *err = xasprintf("hours must end after they start (split a night into two groups): "
                         "\"%.*s\"",
                         (int)(*p - t), t);
        return -1;
    }
    return 0;
}

/* Parse the whole setting; *n = 0 for an empty one (always open). */
static int parse_hours(const char *spec, struct range *out, int *n, char **err)
{
    const char *p = spec;
    *n = 0;
    skip_space(&p);
    if (!*p)
        return 0;
    for (;;) {
        if (*n == MAX_RANGES) {
            *err = xasprintf("more than %d groups", MAX_RANGES);
            return -1;
        }
        if (parse_group(&p, &out[*n], err) < 0)
            return -1;
        (*n)++;
        skip_space(&p);
        if (!*p)
            return 0;
        if (*p != ',') {
            *err = xasprintf("expected a comma between groups at \"%.20s\"", p);
            return -1;
        }
        p++;
        skip_space(&p);
    }
}

int hours_check_config(const struct dconfig *cfg, char **err)
{
    const char *tz = dconfig_get(cfg, "timezone");
    if (!timeutil_zone_known(tz)) {
        *err = xasprintf("timezone: unknown time zone \"%s\" (use an IANA name such as "
                         "America/New_York)",
                         tz);
        return -1;
    }
    struct range r[MAX_RANGES];
    int n;
    char *e = NULL;
    if (parse_hours(dconfig_get(cfg, "business_hours"), r, &n, &e) < 0) {
        *err = xasprintf("business_hours: %s", e);
        free(e);
        return -1;
    }
    return 0;
}

bool hours_open_at(const struct dconfig *cfg, time_t t)
{
    struct range r[MAX_RANGES];
    int n;
    char *err = NULL;
    if (parse_hours(dconfig_get(cfg, "business_hours"), r, &n, &err) < 0) {
        log_warn("business_hours: %s; treating the business as always open", err);
        free(err);
        return true;
    }
    if (n == 0)
        return true;
    struct tm tm;
    timeutil_local_in(dconfig_get(cfg, "timezone"), (int64_t)t, &tm);
    int minute = tm.tm_hour * 60 + tm.tm_min;
    for (int i = 0; i < n; i++)
        if ((r[i].days & (1u << tm.tm_wday)) && minute >= r[i].start && minute < r[i].end)
            return true;
    return false;
}
