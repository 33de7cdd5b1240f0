/* auth — per-agent API tokens. */
#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "http/req.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

bool auth_check(struct db *db, const char *token, struct req_agent *out)
{
    char hash[65];
    if (!token || !*token)
        return false;
    db_sha256_hex(token, hash);
    sqlite3_stmt *st =
        db_prepare(db, "SELECT id, account_id, role FROM agents WHERE token_sha256 = ?");
    db_bindv(st, "t", hash);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        out->id = sqlite3_column_int64(st, 0);
        out->account_id = sqlite3_column_int64(st, 1);
        out->admin = strcmp((const char *)sqlite3_column_text(st, 2), "administrator") == 0;
        out->token = token;
    }
    db_done(db, st);
    return found;
}

/* base64url without padding, in place over a base64 string. */
static void base64url(unsigned char *b, int *n)
{
    for (int i = 0; i < *n; i++) {
        if (b[i] == '+')
            b[i] = '-';
        else if (b[i] == '/')
            b[i] = '_';
    }
    while (*n > 0 && b[*n - 1] == '=')
        b[--*n] = '\0';
}

static char *pubsub_of(int64_t agent_id, const char *stored_token)
{
    unsigned char mac[EVP_MAX_MD_SIZE], b64[128];
    unsigned int maclen = 0;
    char msg[64];
    int mlen = snprintf(msg, sizeof msg, "twowayd pubsub %lld", (long long)agent_id);
    HMAC(EVP_sha256(), stored_token, (int)strlen(stored_token), (const unsigned char *)msg,
         (size_t)mlen, mac, &maclen);
    int n = EVP_EncodeBlock(b64, mac, (int)maclen);
    base64url(b64, &n);
    return xstrndup((const char *)b64, (size_t)n);
}

char *auth_pubsub_token(struct db *db, int64_t agent_id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT token_sha256 FROM agents WHERE id = ?");
    db_bindv(st, "i", agent_id);
    char *t = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        t = pubsub_of(agent_id, (const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    return t;
}

bool auth_pubsub_check(struct db *db, int64_t user_id, int64_t account_id, const char *token,
                       struct req_agent *out)
{
    if (!token)
        return false;
    sqlite3_stmt *st =
        db_prepare(db, "SELECT token_sha256, role FROM agents WHERE id = ? AND account_id = ?");
    db_bindv(st, "ii", user_id, account_id);
    bool ok = false;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        char *want = pubsub_of(user_id, (const char *)sqlite3_column_text(st, 0));
        size_t n = strlen(want);
        ok = strlen(token) == n && CRYPTO_memcmp(want, token, n) == 0;
        free(want);
        if (ok) {
            out->id = user_id;
            out->account_id = account_id;
            out->admin = strcmp((const char *)sqlite3_column_text(st, 1), "administrator") == 0;
        }
    }
    db_done(db, st);
    return ok;
}

static void random_bytes(unsigned char *b, int n)
{
    if (RAND_bytes(b, n) != 1) {
        log_error("RAND_bytes failed");
        abort();
    }
}

char *auth_new_token(char hash[65])
{
    unsigned char raw[24];
    unsigned char b64[64];
    random_bytes(raw, sizeof raw);
    int n = EVP_EncodeBlock(b64, raw, sizeof raw);
    /* base64url, so a token survives headers, URLs and shells unquoted */
    base64url(b64, &n);
    char *token = xstrndup((const char *)b64, (size_t)n);
    db_sha256_hex(token, hash);
    return token;
}

char *auth_random_hex(int nbytes)
{
    unsigned char raw[64];
    if (nbytes > (int)sizeof raw)
        nbytes = sizeof raw;
    random_bytes(raw, nbytes);
    char *s = xmalloc((size_t)nbytes * 2 + 1);
    for (int i = 0; i < nbytes; i++)
        snprintf(s + i * 2, 3, "%02x", raw[i]);
    return s;
}

char *auth_uuid(void)
{
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                     b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                     b[13], b[14], b[15]);
}
