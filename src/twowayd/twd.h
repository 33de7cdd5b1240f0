/* twd — the daemon's shared context, handed to every handler. */
#ifndef TWOWAYD_TWD_H
#define TWOWAYD_TWD_H

#include <stdbool.h>

struct dbpool;
struct dconfig;
struct sender;
struct sim;
struct cable;

struct twd {
    struct dconfig *cfg; /* read-only after start-up */
    struct dbpool *pool; /* the database: a reader per thread, one writer */
    char *base_url;      /* http://ADDR:PORT as bound (port resolved) */
    char *public_url;    /* what Twilio calls; signatures are checked against it */
    bool simulate;
    struct sender *sender; /* outbound SMS queue worker */
    struct sim *sim;       /* carrier/customer simulator, or NULL */
    struct cable *cable;   /* ActionCable hub (/cable) */
};

#endif
