/* drafts — what the agent is typing, per conversation, on disk while they
 * type (temp file + fsync + rename, mode 0600), so a crash, kill -9 or a
 * dropped SSH session never loses it. */
#ifndef TWOWAY_DRAFTS_H
#define TWOWAY_DRAFTS_H

#include <stdbool.h>
#include <stdint.h>

/* dir: a state directory (created 0700 if missing). The draft of conv, or
 * NULL if none. Owned. */
char *drafts_load(const char *dir, int64_t conv, int is_private);
/* Save text; an empty text deletes the draft. 0 or -1 with *err. */
int drafts_save(const char *dir, int64_t conv, int is_private, const char *text, char **err);

/* Is a draft of conv kept (a reply's or a note's)? */
bool drafts_exist(const char *dir, int64_t conv);

/* Where the draft of conv lives (whether or not there is one). Owned. */
char *drafts_path(const char *dir, int64_t conv, int is_private);

#endif
