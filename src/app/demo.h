/* demo — `twoway --demo`: a private twowayd (--demo --simulate) on a free
 * loopback port with a temporary database, stopped and removed at exit. */
#ifndef TWOWAY_DEMO_H
#define TWOWAY_DEMO_H

#include <stdint.h>
#include <sys/types.h>

struct demo {
    pid_t pid;
    char *dir;   /* temporary directory (database, log) */
    char *url;   /* base URL */
    char *token; /* the first agent's token */
    int64_t account;
    char *agent; /* the first agent's name */
};

/* Start twowayd and read its JSON lines. 0 or -1 with *err. */
int demo_start(struct demo *d, char **err);
/* Stop twowayd, remove the directory. Safe to call twice. */
void demo_stop(struct demo *d);

#endif
