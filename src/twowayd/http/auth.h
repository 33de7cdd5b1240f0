/* auth — per-agent API tokens.
 *
 * Only a token's SHA-256 digest is stored (agents.token_sha256): the token
 * itself is shown once, when it is made, and a copy of the database gives
 * nobody a way in. A presented token is hashed and looked up by its digest;
 * tokens are 192 random bits, so the lookup's timing tells nothing useful
 * about a guess. Tokens never reach the log. */
#ifndef TWOWAYD_AUTH_H
#define TWOWAYD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct req_agent;

/* Inside a transaction: find the agent owning token. true if found;
 * out->token then borrows token. */
bool auth_check(struct db *db, const char *token, struct req_agent *out);

/* The agent's pubsub_token for ActionCable (GET /profile shows it; RoomChannel
 * subscriptions present it): an HMAC-SHA256 of the agent's id keyed with the
 * stored digest of the API token, base64url. It needs no column of its own,
 * changes when the API token does, and tells nothing about it. Inside a
 * transaction.
 * Owned, or NULL if there is no such agent. */
char *auth_pubsub_token(struct db *db, int64_t agent_id);
/* Does token belong to agent user_id of account account_id? Fills *out
 * (id, account, role) when it does. Constant-time compare. */
bool auth_pubsub_check(struct db *db, int64_t user_id, int64_t account_id, const char *token,
                       struct req_agent *out);

/* A new random token (24 bytes of RAND_bytes, base64url, 32 chars), owned,
 * and what is stored of it: its digest, into hash (db_sha256_hex). */
char *auth_new_token(char hash[65]);

/* Random hex id of nbytes random bytes (for uuids, SIDs). Owned. */
char *auth_random_hex(int nbytes);

/* An RFC 4122 version 4 UUID string. Owned. */
char *auth_uuid(void);

#endif
