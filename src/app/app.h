/* app — wiring: options, config, connection, session, loop, and the ui or
 * the batch runner. main() only parses the command line into app_args. */
#ifndef TWOWAY_APP_H
#define TWOWAY_APP_H

#include <stdbool.h>

struct app_args {
    const char *config; /* -F FILE, or NULL for the default */
    const char **exec;  /* -e CMD… */
    int nexec;
    bool batch;
    const char *batch_file; /* NULL or "-" = stdin (only with --batch) */
    bool json;
    bool demo;
    const char *log;
    bool verbose;
};

/* Run twoway; returns the process exit status. */
int app_run(const struct app_args *args);

#endif
