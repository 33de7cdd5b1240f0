/* quiet — quiet hours: a text the customer did not ask for (a new
 * conversation, or a reply to someone who has not written for a day) waits
 * for their daytime. The hours are the quiet_hours setting, in the
 * customer's time: their time zone attribute, else their number's country
 * (phone.h), else this machine's zone. */
#ifndef TWOWAY_QUIET_H
#define TWOWAY_QUIET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

/* A reply is outreach when the customer's last message is older than this
 * (or there is none). */
#define QUIET_STALE_SECS (24 * 3600)

/* Quiet from start until end, in minutes after midnight (end 1440: to
 * the end of the day); past midnight when end < start ("21:00-08:00").
 * start == end: never quiet. */
struct quiet_hours {
    int start, end;
};

/* "21:00-08:00" (or "21-8"), or "none". 0, or -1 with *err (owned). */
int quiet_parse(const char *s, struct quiet_hours *q, char **err);

/* The contact custom attributes that name their zone, first found wins. */
#define QUIET_ZONE_ATTRS "timezone", "time_zone"

struct quiet_verdict {
    bool quiet;
    char zone[64]; /* where it is quiet (or the zone looked at) */
    char local[8]; /* the time there, "23:14" */
    char from[96]; /* how the zone was chosen, for the sentence */
};

/* Is it quiet for contact c at now (epoch seconds)? A country with several
 * zones is quiet when any of them is. */
bool quiet_now(const struct contact *c, const struct quiet_hours *q, int64_t now,
               struct quiet_verdict *v);

/* Is a reply outreach: 1 when the customer's newest message in msgs
 * (ascending) is older than QUIET_STALE_SECS at now, or when they never
 * wrote and msgs is the whole thread (complete); 0 when they wrote
 * lately; -1 when msgs cannot tell (none from them in a part of the
 * thread that reaches back less than a day). */
int quiet_outreach(const struct message *msgs, size_t n, bool complete, int64_t now);

/* "it is 23:14 for them (Europe/London, from their country: the United
 * Kingdom), and texts go 08:00-21:00 their time". Owned. */
char *quiet_describe(const struct quiet_verdict *v, const struct quiet_hours *q);

#endif
