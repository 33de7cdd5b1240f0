/* timeutil — clocks, and parsing and formatting of times and durations. */
#include "twoway/timeutil.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/xmalloc.h"

int64_t timeutil_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t timeutil_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int timeutil_parse_duration(const char *s, int64_t *secs)
{
    int64_t total = 0;
    int any = 0;
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    while (*s) {
        if (!isdigit((unsigned char)*s))
            return -1;
        int64_t n = 0;
        while (isdigit((unsigned char)*s)) {
            n = n * 10 + (*s - '0');
            if (n > 100000000)
                return -1;
            s++;
        }
        int64_t unit;
        switch (*s) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'w':
            unit = 7 * 86400;
            break;
        case '\0':
            unit = 1;
            break;
        default:
            return -1;
        }
        if (*s)
            s++;
        if (n * unit > INT64_MAX - total)
            return -1;
        total += n * unit;
        any = 1;
        while (isspace((unsigned char)*s))
            s++;
    }
    if (!any)
        return -1;
    *secs = total;
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Whether y-m-d names a real day (2026-02-30 does not). */
static int valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int timeutil_parse_iso8601(const char *s, int64_t *epoch)
{
    int Y, M, D, h = 0, mi = 0, sec = 0;
    if (!s)
        return -1;
    const char *p = s;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D))
        return -1;
    if (!valid_date(Y, M, D))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
        }
        if (*p == '.' || *p == ',') {
            p++;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (h > 23 || mi > 59 || sec > 60)
        return -1;
    int64_t off = 0;
    while (*p == ' ')
        p++;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (strncmp(p, "UTC", 3) == 0) {
        p += 3;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && digits(&p, 2, &om))
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0')
        return -1;
    *epoch = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + sec - off;
    return 0;
}

static int64_t local_epoch(int Y, int M, int D, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static int parse_hm(const char *p, int *h, int *mi)
{
    int hh, mm = 0;
    const char *q = p;
    if (!isdigit((unsigned char)*q))
        return -1;
    hh = *q++ - '0';
    if (isdigit((unsigned char)*q))
        hh = hh * 10 + (*q++ - '0');
    if (*q == ':') {
        q++;
        if (digits(&q, 2, &mm))
            return -1;
    }
    if (*q != '\0' || hh > 23 || mm > 59)
        return -1;
    *h = hh;
    *mi = mm;
    return 0;
}

int timeutil_parse_when(const char *s, int64_t now, int64_t *epoch)
{
    int64_t d;
    int Y, M, D, h = 9, mi = 0;
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (timeutil_parse_duration(s, &d) == 0 && d > 0 && !isdigit((unsigned char)s[strlen(s) - 1])) {
        *epoch = now + d;
        return 0;
    }
    time_t tnow = (time_t)now;
    struct tm lt;
    localtime_r(&tnow, &lt);
    if (strncmp(s, "tomorrow", 8) == 0) {
        const char *rest = s + 8;
        while (*rest == ' ')
            rest++;
        if (*rest && parse_hm(rest, &h, &mi))
            return -1;
        *epoch = local_epoch(lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday + 1, h, mi);
        return 0;
    }
    const char *p = s;
    if (strlen(s) >= 10 && digits(&p, 4, &Y) == 0 && *p++ == '-' && digits(&p, 2, &M) == 0 &&
        *p++ == '-' && digits(&p, 2, &D) == 0) {
        if (!valid_date(Y, M, D))
            return -1;
        while (*p == ' ' || *p == 'T')
            p++;
        if (*p && parse_hm(p, &h, &mi))
            return -1;
        *epoch = local_epoch(Y, M, D, h, mi);
        return 0;
    }
    if (parse_hm(s, &h, &mi) == 0 && strchr(s, ':')) {
        /* Today, even when that has passed: the caller says so, rather
         * than a typo (03:00 for 13:00) snoozing until tomorrow night. */
        *epoch = local_epoch(lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday, h, mi);
        return 0;
    }
    return -1;
}

void timeutil_format_ago(int64_t secs, char *out, size_t outsz)
{
    if (secs < 0)
        secs = 0;
    if (secs < 10)
        snprintf(out, outsz, "now");
    else if (secs < 60)
        snprintf(out, outsz, "%llds", (long long)secs);
    else if (secs < 3600)
        snprintf(out, outsz, "%lldm", (long long)(secs / 60));
    else if (secs < 86400)
        snprintf(out, outsz, "%lldh", (long long)(secs / 3600));
    else if (secs < 14 * 86400)
        snprintf(out, outsz, "%lldd", (long long)(secs / 86400));
    else if (secs < 365 * 86400)
        snprintf(out, outsz, "%lldw", (long long)(secs / (7 * 86400)));
    else
        snprintf(out, outsz, "%lldy", (long long)(secs / (365 * 86400)));
}

char *timeutil_iso8601(int64_t epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    char b[40];
    gmtime_r(&t, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return xstrdup(b);
}

static bool is_utc(const char *tz)
{
    return !*tz || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0 || strcmp(tz, "GMT") == 0 ||
           strcmp(tz, "Etc/GMT") == 0;
}

bool timeutil_zone_known(const char *tz)
{
    if (!tz)
        return false;
    if (is_utc(tz))
        return true;
    if (tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 64)
        return false;
    for (const char *c = tz; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("/_+-", *c))
            return false;
    const char *dir = getenv("TZDIR");
    char *path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return false;
    char magic[4] = {0};
    bool ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

/* localtime_r reads the zone from the process-wide TZ variable, so the
 * switch to the zone asked for and back is one critical section. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

void timeutil_local_in(const char *tz, int64_t t, struct tm *out)
{
    time_t tt = (time_t)t;
    if (!tz || is_utc(tz)) {
        gmtime_r(&tt, out);
        return;
    }
    pthread_mutex_lock(&tz_lock);
    const char *cur = getenv("TZ");
    char *old = cur ? xstrdup(cur) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    localtime_r(&tt, out);
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
    pthread_mutex_unlock(&tz_lock);
    free(old);
}
