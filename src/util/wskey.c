/* wskey — WebSocket handshake keys. */
#include "twoway/wskey.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/xmalloc.h"

/* Fixed by RFC 6455 §1.3. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void wskey_new(char out[WSKEY_KEY_SIZE])
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        abort(); /* no randomness: nothing sensible to do */
    EVP_EncodeBlock((unsigned char *)out, raw, sizeof raw);
}

bool wskey_valid(const char *key)
{
    if (!key || strlen(key) != 24 || strcmp(key + 22, "==") != 0)
        return false;
    unsigned char raw[18];
    return EVP_DecodeBlock(raw, (const unsigned char *)key, 24) == 18;
}

void wskey_accept(const char *key, char out[WSKEY_ACCEPT_SIZE])
{
    unsigned char digest[SHA_DIGEST_LENGTH];
    size_t n = strlen(key);
    char *s = xmalloc(n + sizeof ws_guid);
    memcpy(s, key, n);
    memcpy(s + n, ws_guid, sizeof ws_guid);
    SHA1((const unsigned char *)s, n + sizeof ws_guid - 1, digest);
    free(s);
    EVP_EncodeBlock((unsigned char *)out, digest, sizeof digest);
}
