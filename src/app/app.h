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

/* The exit statuses (twoway(1), EXIT STATUS); a signal N ends with 128+N. */
enum app_exit {
    APP_EXIT_OK = 0,
    APP_EXIT_FAIL = 1,    /* a command failed; a usage or configuration error */
    APP_EXIT_AUTH = 2,    /* the server refused the token or the account */
    APP_EXIT_NETWORK = 3, /* the server could not be reached (or kept asking us to wait) */
};

/* Run twoway; returns the process exit status. */
int app_run(const struct app_args *args);

#endif
