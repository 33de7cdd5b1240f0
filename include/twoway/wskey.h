/* wskey — the two keys of a WebSocket opening handshake (RFC 6455 §4):
 * the client's random Sec-WebSocket-Key and the server's
 * Sec-WebSocket-Accept derived from it. Shared by twoway (client) and
 * twowayd (server); SHA-1, base64 and randomness come from libcrypto. */
#ifndef TWOWAY_WSKEY_H
#define TWOWAY_WSKEY_H

#include <stdbool.h>

/* base64 of 16 bytes: 24 characters and a NUL. */
#define WSKEY_KEY_SIZE 25
/* base64 of a SHA-1 digest: 28 characters and a NUL. */
#define WSKEY_ACCEPT_SIZE 29

/* A fresh random key for a client's request. */
void wskey_new(char out[WSKEY_KEY_SIZE]);
/* Is key what RFC 6455 asks of a client: base64 of exactly 16 bytes? */
bool wskey_valid(const char *key);
/* The Sec-WebSocket-Accept value a server answers key with. */
void wskey_accept(const char *key, char out[WSKEY_ACCEPT_SIZE]);

#endif
