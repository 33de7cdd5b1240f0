/* cache — the last known inbox on disk ($XDG_CACHE_HOME/twoway/…), so
 * that twoway shows the agent's list at once, before the server has
 * answered (a slow link, a jump host), and replaces it with the server's
 * at the first sync. Holds customer data: the file is 0600 in a 0700
 * directory, written with a temporary file and a rename. Everything read
 * back is sanitized again, like anything else from a file. */
#ifndef TWOWAY_CACHE_H
#define TWOWAY_CACHE_H

#include "twoway/model.h"

struct store;

/* The most conversations kept: a screenful or two, not the inbox. */
#define CACHE_MAX_CONVS 200

/* Write the profile, the directory, the counts and the list (the query
 * it was for, and its first CACHE_MAX_CONVS conversations). 0 or -1 with
 * *err. */
int cache_save(const char *path, const struct store *st, const struct conv_query *q, char **err);

/* Fill an empty store from path. The list is put in only when it was
 * saved for the same assignee and status filter as q. 0, or -1 with *err
 * (a missing file is -1 with errno ENOENT; a damaged one changes
 * nothing). */
int cache_load(const char *path, struct store *st, const struct conv_query *q, char **err);

#endif
