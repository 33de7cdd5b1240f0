/* auth — per-agent API tokens.
 *
 * A token is checked against every agent's token with a constant-time
 * compare of their SHA-256 digests, so neither the match nor the time taken
 * tells anything about how much of a guess was right. Tokens never reach
 * the log. */
#ifndef TWOWAYD_AUTH_H
#define TWOWAYD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct req_agent;

/* Inside a transaction: find the agent owning token. true if found. */
bool auth_check(struct db *db, const char *token, struct req_agent *out);

/* A new random token (24 bytes of RAND_bytes, base64url, 32 chars). Owned. */
char *auth_new_token(void);

/* Random hex id of nbytes random bytes (for uuids, SIDs). Owned. */
char *auth_random_hex(int nbytes);

/* An RFC 4122 version 4 UUID string. Owned. */
char *auth_uuid(void);

#endif
