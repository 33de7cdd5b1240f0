/* timeutil — clocks, and parsing and formatting of times and durations.
 *
 * Chatwoot sends times as epoch integers, float epochs and ISO-8601 strings,
 * depending on the field and the server version; all of them end up here. */
#ifndef TWOWAY_TIMEUTIL_H
#define TWOWAY_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tm;

/* Wall clock, epoch seconds. */
int64_t timeutil_now(void);
/* Monotonic milliseconds, for timers and timeouts. */
int64_t timeutil_mono_ms(void);

/* "90s", "15m", "2h", "1d", "1w", combinations like "1h30m"; a bare number
 * is seconds. 0 or -1. */
int timeutil_parse_duration(const char *s, int64_t *secs);

/* ISO-8601 / RFC 3339 date-times: "2026-11-27T13:00:00Z",
 * "2026-11-27T13:00:00.123+01:00", "2026-11-27 13:00:00 UTC". A missing
 * zone means UTC. 0 or -1. */
int timeutil_parse_iso8601(const char *s, int64_t *epoch);

/* A moment typed by a person, relative to now: a duration ("2h"), a local
 * date ("2026-12-01"; 09:00 is assumed), a local date and time
 * ("2026-12-01 09:00"), "tomorrow" (09:00, or "tomorrow 17:30"), or a time
 * today ("17:30", today even when it has passed: the caller decides what a
 * past moment means). 0 or -1. */
int timeutil_parse_when(const char *s, int64_t now, int64_t *epoch);

/* Compact age: "now", "45s", "12m", "3h", "2d", "5w", "1y". out >= 8. */
void timeutil_format_ago(int64_t secs, char *out, size_t outsz);

/* "2026-11-27T13:00:00.000Z" (UTC, Chatwoot's style). Owned. */
char *timeutil_iso8601(int64_t epoch);

/* Is tz a time zone the C library will find: "UTC" (or empty), or an IANA
 * name ("America/New_York") with a compiled zone file under $TZDIR or
 * /usr/share/zoneinfo? An unknown name would silently mean UTC. */
bool timeutil_zone_known(const char *tz);
/* The local time at t in zone tz (as timeutil_zone_known takes it; an
 * unknown one is UTC). Safe from several threads: the process-wide TZ
 * is switched and back under a lock. */
void timeutil_local_in(const char *tz, int64_t t, struct tm *out);

#endif
