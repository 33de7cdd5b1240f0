/* token — getting the API token without it ever touching argv or a log:
 * TWOWAY_TOKEN, else the output of token_command, else a `set token` from
 * a config file only its owner can read. */
#ifndef TWOWAY_TOKEN_H
#define TWOWAY_TOKEN_H

/* Run the command line (words split as in the config, no shell) and
 * return its first output line, trimmed. 10 s at most. Owned, or NULL with
 * *err. */
char *token_from_command(const char *cmdline, char **err);

#endif
