/* quiet — quiet hours in the customer's time. */
#include "twoway/quiet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/phone.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* "HH:MM" or "HH" at *p: minutes after midnight, or -1. */
static int clock_time(const char **p)
{
    const char *s = *p;
    int h = 0, m = 0, n = 0;
    while (*s >= '0' && *s <= '9' && n < 2) {
        h = h * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || h > 24)
        return -1;
    if (*s == ':') {
        s++;
        if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
            return -1;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
    }
    if (h == 24 && m)
        return -1;
    *p = s;
    return h * 60 + m;
}

int quiet_parse(const char *s, struct quiet_hours *q, char **err)
{
    if (!s || strcmp(s, "none") == 0 || !*s) {
        q->start = q->end = 0;
        return 0;
    }
    const char *p = s;
    int a = clock_time(&p);
    int b = -1;
    if (a >= 0 && *p == '-') {
        p++;
        b = clock_time(&p);
    }
    if (a < 0 || b < 0 || *p) {
        *err = xasprintf("quiet_hours: \"%s\" is not START-END in 24-hour time "
                         "(e.g. 21:00-08:00), nor none",
                         s);
        return -1;
    }
    q->start = a % (24 * 60); /* from 24:00 is from midnight */
    q->end = b;               /* until 24:00 is to the end of the day */
    return 0;
}

static bool quiet_at(const struct quiet_hours *q, int minute)
{
    if (q->start == q->end)
        return false;
    if (q->start < q->end)
        return minute >= q->start && minute < q->end;
    return minute >= q->start || minute < q->end;
}

/* The zone the contact's attributes name, if it is one. */
static const char *attr_zone(const struct contact *c)
{
    static const char *const keys[] = {QUIET_ZONE_ATTRS};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (size_t i = 0; c && i < c->nattrs; i++)
            if (strcmp(c->attrs[i].key, keys[k]) == 0 && timeutil_zone_known(c->attrs[i].value))
                return c->attrs[i].value;
    return NULL;
}

/* The verdict in one zone (NULL: this machine's). true if quiet there. */
static bool check_zone(const char *zone, const struct quiet_hours *q, int64_t now,
                       struct quiet_verdict *v)
{
    struct tm tm;
    if (zone) {
        timeutil_local_in(zone, now, &tm);
    } else {
        time_t t = (time_t)now;
        localtime_r(&t, &tm);
    }
    snprintf(v->zone, sizeof v->zone, "%s", zone ? zone : "");
    snprintf(v->local, sizeof v->local, "%02d:%02d", tm.tm_hour, tm.tm_min);
    v->quiet = quiet_at(q, tm.tm_hour * 60 + tm.tm_min);
    return v->quiet;
}

bool quiet_now(const struct contact *c, const struct quiet_hours *q, int64_t now,
               struct quiet_verdict *v)
{
    memset(v, 0, sizeof *v);
    const char *zone = attr_zone(c);
    if (zone) {
        snprintf(v->from, sizeof v->from, "their time zone");
        return check_zone(zone, q, now, v);
    }
    const struct phone_country *pc = phone_country(c ? c->phone : NULL);
    if (pc) {
        snprintf(v->from, sizeof v->from, "from their number: %s", pc->name);
        struct quiet_verdict first = *v;
        for (size_t i = 0; pc->zones[i]; i++) {
            if (check_zone(pc->zones[i], q, now, v))
                return true;
            if (i == 0)
                first = *v;
        }
        *v = first;
        return false;
    }
    snprintf(v->from, sizeof v->from, "your time zone: their number's country is not known");
    return check_zone(NULL, q, now, v);
}

char *quiet_describe(const struct quiet_verdict *v, const struct quiet_hours *q)
{
    return xasprintf("it is %s for them (%s%s%s), and texts go %02d:%02d-%02d:%02d their time",
                     v->local, v->zone, *v->zone ? ", " : "", v->from, q->end / 60, q->end % 60,
                     q->start / 60, q->start % 60);
}

int quiet_outreach(const struct message *msgs, size_t n, bool complete, int64_t now)
{
    for (size_t i = n; i-- > 0;) {
        const struct message *m = &msgs[i];
        if (m->type == MSG_INCOMING && m->created_at)
            return now - m->created_at > QUIET_STALE_SECS ? 1 : 0;
    }
    /* None from them here: older than the oldest shown, if there is more. */
    if (complete || (n > 0 && msgs[0].created_at && now - msgs[0].created_at > QUIET_STALE_SECS))
        return 1;
    return -1;
}
