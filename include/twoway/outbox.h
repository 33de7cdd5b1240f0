/* outbox — replies that the server does not have yet, on disk.
 *
 * A reply is written here (temp file, fsync, rename) before it is sent and
 * removed only when the server has acknowledged it, so a crash, a dropped
 * connection or a killed SSH session loses nothing. The file holds JSON
 * lines, mode 0600. */
#ifndef TWOWAY_OUTBOX_H
#define TWOWAY_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum outbox_state {
    OUTBOX_PENDING, /* to send (or to verify first, see verify) */
    OUTBOX_FAILED,  /* the server refused it; kept for retry or edit */
    OUTBOX_UNSURE,  /* may have reached the server: never resent on its own */
};

struct outbox_entry {
    char *echo_id;
    int64_t conv;
    char *content;
    bool is_private;
    int64_t created_at; /* epoch seconds when queued */
    int64_t after_id;   /* newest message id known when queued (for verify) */
    enum outbox_state state;
    bool verify; /* may have reached the server: look before resending */
    bool held;   /* queued, but waiting for the agent's confirmation */
    int attempts;
    char *error; /* why it failed, "" if none */
};

struct outbox;

/* Load path (missing file = empty). NULL with *err on an unreadable file;
 * corrupt lines are skipped and reported in *err with a non-NULL result. */
struct outbox *outbox_open(const char *path, char **err);
void outbox_free(struct outbox **o);

size_t outbox_len(const struct outbox *o);
struct outbox_entry *outbox_at(struct outbox *o, size_t i);
struct outbox_entry *outbox_find(struct outbox *o, const char *echo_id);

/* Add (copying e's strings) and save. 0 or -1 with *err (then nothing was
 * added: the caller must not send). */
int outbox_add(struct outbox *o, const struct outbox_entry *e, char **err);
/* Save after editing entries in place. */
int outbox_save(struct outbox *o, char **err);
/* Remove by echo_id and save. */
int outbox_remove(struct outbox *o, const char *echo_id, char **err);

void outbox_entry_free(struct outbox_entry *e);

/* A fresh random echo id (from OpenSSL RAND_bytes). Owned. */
char *outbox_new_echo_id(void);

/* Added: an empty outbox that saves to path, without reading it (for when
 * path cannot be read at all: every outbox_add then fails with the reason,
 * so nothing is sent that is not on disk). Owned. */
struct outbox *outbox_new(const char *path);

#endif
