/* hours — business hours: when agents answer, from the options
 * business_hours ("mon-fri 09:00-17:00, sat 10:00-14:00") and timezone (an
 * IANA name). Outside them, twowayd may send the away_message. */
#ifndef TWOWAYD_HOURS_H
#define TWOWAYD_HOURS_H

#include <stdbool.h>
#include <time.h>

struct dconfig;

/* Check business_hours and timezone at start-up: 0, or -1 with *err
 * (owned) naming what is wrong. */
int hours_check_config(const struct dconfig *cfg, char **err);

/* Is the business open at t? An empty business_hours means always; so does
 * a setting hours_check_config() would refuse (logged). */
bool hours_open_at(const struct dconfig *cfg, time_t t);

#endif
