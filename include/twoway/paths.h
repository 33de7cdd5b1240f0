/* paths — XDG directories and careful file writes.
 *
 * Drafts, the outbox and history must survive a crash, so they are written
 * with a temporary file, fsync and rename (paths_write_atomic). */
#ifndef TWOWAY_PATHS_H
#define TWOWAY_PATHS_H

#include <stddef.h>
#include <sys/types.h>

enum paths_kind { PATHS_CONFIG, PATHS_STATE, PATHS_CACHE };

/* "$XDG_<KIND>_HOME/twoway" (or the XDG default under $HOME). Owned. */
char *paths_dir(enum paths_kind kind);

/* Create dir and its parents with mode. 0 or -1 with *err (owned). */
int paths_mkdir_p(const char *dir, mode_t mode, char **err);

/* Write data to path atomically: temp file in the same directory, fsync,
 * rename, fsync of the directory. The file gets mode. */
int paths_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char **err);

/* Read a whole file of at most max bytes. *out is owned and NUL-terminated.
 * Returns 0, or -1 with *err; errno is kept (ENOENT tells a missing file). */
int paths_read_file(const char *path, size_t max, char **out, size_t *len, char **err);

#endif
