/* fuzz_webhook — twowayd's Twilio webhook input: the urlencoded form
 * parser and the signature over what it parsed.
 *
 * The form parser is static in server.c, next to the libmicrohttpd code
 * that calls it. Rather than copy it or change server.c to export it, this
 * file includes server.c whole, so the fuzzer runs exactly the code the
 * daemon runs (router_dispatch, the /cable entry points and the options
 * server_start reads, which the fuzzer never reaches, are stubs here;
 * nothing else of the daemon is linked but the request deadlines).
 *
 * Input: the URL Twilio called (up to the first '\n'), then the request
 * body (any bytes, NULs too). Properties:
 * - the form holds one field per non-empty '&'-separated piece, at most
 *   REQ_MAX_ARGS, and form_truncated says exactly when there were more;
 * - each name and value is the piece decoded as an oracle here decodes it
 *   ('+' is a space, %XX a byte, anything else itself), up to a NUL;
 * - the signature is base64 HMAC-SHA1 over the URL and the fields sorted
 *   by name (stable for repeats), as an oracle here computes it; it
 *   verifies, and a changed signature, an empty token or no signature do
 *   not. */
#include "http/server.c"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fuzz.h"
#include "twilio/twilio_sig.h"

#define TOKEN "test-twilio-auth-token"

void router_dispatch(struct req *r)
{
    req_reply_error(r, 500, "not in the fuzzer");
}

/* server_start is not reached either: no options are read. */
int64_t dconfig_get_int(const struct dconfig *cfg, const char *name)
{
    (void)cfg, (void)name;
    return 0;
}

/* /cable is not reached: the fuzzer's twd has no hub. */
const char *cable_handshake(const char *upgrade, const char *connection, const char *version,
                            const char *key, const char *protocols, char accept[WSKEY_ACCEPT_SIZE],
                            bool *proto)
{
    (void)upgrade, (void)connection, (void)version, (void)key, (void)protocols, (void)accept;
    *proto = false;
    return "not in the fuzzer";
}

void cable_adopt(struct cable *c, int fd, const char *extra, size_t n, void (*close_fn)(void *),
                 void *close_ud)
{
    (void)c, (void)fd, (void)extra, (void)n;
    close_fn(close_ud);
}

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The oracle decoding of s[0..n), cut at its first NUL like a C string. */
static char *oracle_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+')
            out[o++] = ' ';
        else if (s[i] == '%' && n - i >= 3 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out[o++] = (char)(hex(s[i + 1]) << 4 | hex(s[i + 2]));
            i += 2;
        } else
            out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static void check_form(const struct req *r, const char *body, size_t len)
{
    int k = 0;
    bool more = false;
    for (size_t start = 0; start <= len;) {
        const char *amp = memchr(body + start, '&', len - start);
        size_t stop = amp ? (size_t)(amp - body) : len;
        if (stop > start) {
            if (k == REQ_MAX_ARGS) {
                more = true;
                break;
            }
            const char *eq = memchr(body + start, '=', stop - start);
            size_t kend = eq ? (size_t)(eq - body) : stop;
            char *key = oracle_decode(body + start, kend - start);
            char *val = eq ? oracle_decode(eq + 1, stop - kend - 1) : strdup("");
            FUZZ_CHECK(strcmp(r->form[k].key, key) == 0, "field %d named \"%s\", not \"%s\"", k,
                       r->form[k].key, key);
            FUZZ_CHECK(strcmp(r->form[k].value, val) == 0, "field %d is \"%s\", not \"%s\"", k,
                       r->form[k].value, val);
            free(key);
            free(val);
            k++;
        }
        start = stop + 1;
    }
    FUZZ_CHECK(r->nform == k, "%d fields parsed, %d expected", r->nform, k);
    FUZZ_CHECK(r->form_truncated == more, "form_truncated %d with %d fields", r->form_truncated, k);
}

/* The oracle signature: base64(HMAC-SHA1(token, url + sorted name+value)). */
static char *oracle_sig(const char *url, const struct req_kv *kv, int n)
{
    int *order = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        int j = i;
        /* Insertion sort: stable, so repeated names keep arrival order. */
        while (j > 0 && strcmp(kv[order[j - 1]].key, kv[i].key) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    struct buf b;
    buf_init(&b);
    buf_adds(&b, url);
    for (int i = 0; i < n; i++) {
        buf_adds(&b, kv[order[i]].key);
        buf_adds(&b, kv[order[i]].value);
    }
    free(order);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha1(), TOKEN, (int)strlen(TOKEN), (const unsigned char *)b.data, b.len, mac, &maclen);
    buf_free(&b);
    char *out = malloc(64);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
    return out;
}

static void check_signature(const char *url, const struct req *r)
{
    char *sig = twilio_sig_compute(TOKEN, url, r->form, r->nform);
    char *want = oracle_sig(url, r->form, r->nform);
    FUZZ_CHECK(strcmp(sig, want) == 0, "signature %s, oracle %s", sig, want);
    FUZZ_CHECK(strlen(sig) == 28, "a SHA-1 signature of %zu characters", strlen(sig));
    FUZZ_CHECK(twilio_sig_verify(TOKEN, url, r->form, r->nform, sig), "own signature refused");
    FUZZ_CHECK(!twilio_sig_verify("", url, r->form, r->nform, sig), "empty token accepted");
    FUZZ_CHECK(!twilio_sig_verify(TOKEN, url, r->form, r->nform, NULL), "no signature accepted");
    sig[5] = sig[5] == 'A' ? 'B' : 'A';
    FUZZ_CHECK(!twilio_sig_verify(TOKEN, url, r->form, r->nform, sig), "changed signature ok");
    sig[27] = '\0';
    FUZZ_CHECK(!twilio_sig_verify(TOKEN, url, r->form, r->nform, sig), "short signature ok");
    free(sig);
    free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t url_len = nl ? (size_t)(nl - data) : 0;
    size_t off = nl ? url_len + 1 : 0;
    char *url = fuzz_cstr(data, url_len);
    /* The server hands handlers a NUL-terminated body (struct buf). */
    char *body = fuzz_cstr(data + off, size - off);

    struct req r = {0};
    r.method = "POST";
    r.path = "/twilio/sms";
    r.url = url;
    r.body = body;
    r.body_len = size - off;
    r.content_type = "application/x-www-form-urlencoded";
    parse_form(&r);
    check_form(&r, body, r.body_len);
    check_signature(url, &r);

    /* What the inbound handler reads first. */
    (void)req_form(&r, "From");
    (void)req_form(&r, "Body");
    (void)req_form(&r, "MessageSid");
    req_clear(&r);
    free(body);
    free(url);
    return 0;
}
