/* twilio_sig — Twilio's request signature (X-Twilio-Signature). */
#include "twilio/twilio_sig.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "twoway/buf.h"
#include "twoway/xmalloc.h"

struct sorted_kv {
    const struct req_kv *kv;
    int order; /* arrival order: repeated names keep their values' order */
};

static int cmp_kv(const void *a, const void *b)
{
    const struct sorted_kv *x = a, *y = b;
    int c = strcmp(x->kv->key, y->kv->key);
    if (c)
        return c;
    return (x->order > y->order) - (x->order < y->order);
}

char *twilio_sig_compute(const char *auth_token, const char *url, const struct req_kv *params,
                         int n)
{
    struct sorted_kv *s = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s);
    for (int i = 0; i < n; i++) {
        s[i].kv = &params[i];
        s[i].order = i;
    }
    qsort(s, (size_t)n, sizeof *s, cmp_kv);

    struct buf data;
    buf_init(&data);
    buf_adds(&data, url);
    for (int i = 0; i < n; i++) {
        buf_adds(&data, s[i].kv->key);
        buf_adds(&data, s[i].kv->value);
    }
    free(s);

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha1(), auth_token, (int)strlen(auth_token), (const unsigned char *)data.data,
         data.len, mac, &maclen);
    buf_free(&data);

    char *out = xmalloc(4 * ((maclen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
    return out;
}

bool twilio_sig_verify(const char *auth_token, const char *url, const struct req_kv *params, int n,
                       const char *signature)
{
    if (!auth_token || !*auth_token || !signature)
        return false;
    char *want = twilio_sig_compute(auth_token, url, params, n);
    size_t len = strlen(want);
    /* The length of a SHA-1 signature is public; only the bytes are secret. */
    bool ok = strlen(signature) == len && CRYPTO_memcmp(want, signature, len) == 0;
    free(want);
    return ok;
}
