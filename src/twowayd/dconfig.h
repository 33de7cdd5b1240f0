/* dconfig — twowayd's options: a typed table, a config file, the
 * environment and the command line, in rising precedence.
 *
 * Every option NAME can come from the file (`name = value`), from the
 * environment as TWOWAYD_NAME (upper case), or from `--name value` where the
 * command line offers it. */
#ifndef TWOWAYD_DCONFIG_H
#define TWOWAYD_DCONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct dconfig;

struct dconfig *dconfig_new(void);
void dconfig_free(struct dconfig **cfg);

/* Load `name = value` lines; # starts a comment; values may be quoted with
 * "..." (backslash escapes \" \\ \n). Unknown names and bad values are
 * errors naming file and line. 0 or -1 with *err (owned). */
int dconfig_load_file(struct dconfig *cfg, const char *path, char **err);
/* Apply TWOWAYD_* variables from the environment. 0 or -1 with *err. */
int dconfig_load_env(struct dconfig *cfg, char **err);
/* Set one option (validated). 0 or -1 with *err. */
int dconfig_set(struct dconfig *cfg, const char *name, const char *value, char **err);

/* Borrowed; never NULL for a known option ("" when unset). */
const char *dconfig_get(const struct dconfig *cfg, const char *name);
int64_t dconfig_get_int(const struct dconfig *cfg, const char *name);
double dconfig_get_double(const struct dconfig *cfg, const char *name);
bool dconfig_get_bool(const struct dconfig *cfg, const char *name);

/* The option table for --help and the man page. */
void dconfig_print_help(FILE *out);

#endif
