/* attach — uploaded files and their signed URLs. */
#include "store/attach.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/db.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define KEY_BYTES 32
#define KEY_SETTING "attachment_key"
/* A stored name stays short and plain: it ends up in URLs and headers. */
#define NAME_MAX_CHARS 100

const char *attach_file_type(const char *content_type)
{
    if (!content_type)
        return "file";
    if (strncasecmp(content_type, "image/", 6) == 0)
        return "image";
    if (strncasecmp(content_type, "audio/", 6) == 0)
        return "audio";
    if (strncasecmp(content_type, "video/", 6) == 0)
        return "video";
    return "file";
}

/* A plain lower-case word of 1 to 8 letters and digits from s[0..n). */
static char *word(const char *s, size_t n)
{
    if (n == 0 || n > 8)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]))
            return NULL;
    char *w = xstrndup(s, n);
    for (char *c = w; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return w;
}

char *attach_extension(const char *content_type, const char *file_name)
{
    static const struct {
        const char *type, *ext;
    } known[] = {
        {"image/jpeg", "jpg"},      {"image/png", "png"},    {"image/gif", "gif"},
        {"image/webp", "webp"},     {"image/heic", "heic"},  {"audio/mpeg", "mp3"},
        {"audio/ogg", "ogg"},       {"audio/amr", "amr"},    {"audio/mp4", "m4a"},
        {"video/mp4", "mp4"},       {"video/3gpp", "3gp"},   {"video/quicktime", "mov"},
        {"text/vcard", "vcf"},      {"text/x-vcard", "vcf"}, {"text/plain", "txt"},
        {"application/pdf", "pdf"},
    };
    if (content_type) {
        size_t tl = strcspn(content_type, "; ");
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strlen(known[i].type) == tl && strncasecmp(known[i].type, content_type, tl) == 0)
                return xstrdup(known[i].ext);
    }
    const char *dot = file_name ? strrchr(file_name, '.') : NULL;
    char *ext = dot ? word(dot + 1, strlen(dot + 1)) : NULL;
    if (ext || !content_type || !strchr(content_type, '/'))
        return ext;
    /* Else the subtype, if it is a plain word ("image/bmp" → "bmp"). */
    const char *sub = strchr(content_type, '/') + 1;
    return word(sub, strcspn(sub, "; "));
}

bool attach_type_ok(const char *content_type)
{
    if (!content_type || !*content_type || strlen(content_type) > 127)
        return false;
    const char *slash = strchr(content_type, '/');
    if (!slash || slash == content_type || !slash[1])
        return false;
    for (const char *c = content_type; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || strchr("\"\\;,", *c))
            return false;
    return true;
}

/* The name as stored and put in URLs: letters, digits, '.', '-' and '_'
 * kept, anything else '_', no leading dot; "attachment" (and the
 * extension) when nothing is left. Owned. */
static char *safe_name(const char *name, const char *ext)
{
    const char *base = name ? strrchr(name, '/') : NULL;
    base = base ? base + 1 : name ? name : "";
    char out[NAME_MAX_CHARS + 1];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)base; *p && n < NAME_MAX_CHARS; p++) {
        if ((*p & 0xc0) == 0x80)
            continue; /* one '_' per non-ASCII character */
        out[n++] = isalnum(*p) || *p == '.' || *p == '-' || *p == '_' ? (char)*p : '_';
    }
    out[n] = '\0';
    size_t skip = strspn(out, ".");
    if (!out[skip])
        return ext ? xasprintf("attachment.%s", ext) : xstrdup("attachment");
    return xstrdup(out + skip);
}

int64_t attach_store(struct db *db, int64_t message_id, const char *file_name,
                     const char *content_type, const void *data, size_t len)
{
    char *ext = attach_extension(content_type, file_name);
    char *name = safe_name(file_name, ext);
    sqlite3_stmt *st =
        db_prepare(db, "INSERT INTO attachments(message_id, file_type, content_type, extension, "
                       "data_url, file_size, file_name, data) VALUES (?, ?, ?, ?, '', ?, ?, ?)");
    db_bindv(st, "ittti", message_id, attach_file_type(content_type), content_type, ext,
             (int64_t)len);
    sqlite3_bind_text(st, 6, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob64(st, 7, len ? data : "", (sqlite3_uint64)len, SQLITE_STATIC);
    sqlite3_step(st);
    db_done(db, st);
    free(ext);
    free(name);
    return db_last_id(db);
}

/* ---- signing ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char key[KEY_BYTES];
static bool have_key;
static int64_t ttl = 86400;
static char *public_url;

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool key_from_hex(const char *hex)
{
    if (!hex || strlen(hex) != KEY_BYTES * 2)
        return false;
    for (size_t i = 0; i < KEY_BYTES; i++) {
        int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
        if (a < 0 || b < 0)
            return false;
        key[i] = (unsigned char)(a * 16 + b);
    }
    return true;
}

int attach_setup(struct db *db, int64_t ttl_seconds, char **err)
{
    char *hex = NULL;
    sqlite3_stmt *st = db_prepare(db, "SELECT value FROM settings WHERE key = ?");
    db_bindv(st, "t", KEY_SETTING);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        hex = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    pthread_mutex_lock(&mu);
    ttl = ttl_seconds > 0 ? ttl_seconds : 1;
    bool ok = key_from_hex(hex);
    if (!ok) {
        if (RAND_bytes(key, KEY_BYTES) != 1) {
            pthread_mutex_unlock(&mu);
            free(hex);
            *err = xstrdup("no random bytes for the attachment key");
            return -1;
        }
        char made[KEY_BYTES * 2 + 1];
        for (size_t i = 0; i < KEY_BYTES; i++)
            snprintf(made + 2 * i, 3, "%02x", key[i]);
        db_exec(db, "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", "tt", KEY_SETTING,
                made);
    }
    have_key = true;
    pthread_mutex_unlock(&mu);
    free(hex);
    return 0;
}

void attach_set_public_url(const char *url)
{
    char *copy = xstrdup(url);
    pthread_mutex_lock(&mu);
    free(public_url);
    public_url = copy;
    pthread_mutex_unlock(&mu);
}

void attach_teardown(void)
{
    pthread_mutex_lock(&mu);
    free(public_url);
    public_url = NULL;
    OPENSSL_cleanse(key, sizeof key);
    have_key = false;
    pthread_mutex_unlock(&mu);
}

/* The signature of (id, expires) as 64 hex digits; the lock is held. */
static void sign(int64_t id, int64_t expires, char out[65])
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "attachment:%lld:%lld", (long long)id, (long long)expires);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key, KEY_BYTES, (const unsigned char *)msg, (size_t)n, mac, &len);
    for (unsigned int i = 0; i < len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    out[64] = '\0';
}

/* The lock is held. */
static int64_t bucket_len(void)
{
    return ttl / 2 > 0 ? ttl / 2 : 1;
}

int64_t attach_period(void)
{
    pthread_mutex_lock(&mu);
    int64_t p = timeutil_now() / bucket_len();
    pthread_mutex_unlock(&mu);
    return p;
}

char *attach_url(int64_t id, const char *file_name)
{
    pthread_mutex_lock(&mu);
    int64_t bucket = bucket_len();
    int64_t expires = (timeutil_now() / bucket + 2) * bucket;
    char sig[65] = "";
    if (have_key)
        sign(id, expires, sig);
    char *url = xasprintf(
        "%s/attachments/%lld/%s?expires=%lld&signature=%s", public_url ? public_url : "",
        (long long)id, file_name && *file_name ? file_name : "attachment", (long long)expires, sig);
    pthread_mutex_unlock(&mu);
    return url;
}

const char *attach_check(int64_t id, const char *expires, const char *signature, int64_t now)
{
    char *end = NULL;
    long long e = expires && *expires ? strtoll(expires, &end, 10) : 0;
    if (!expires || !*expires || *end || !signature || strlen(signature) != 64)
        return "the link is not signed";
    char want[65];
    pthread_mutex_lock(&mu);
    bool keyed = have_key;
    if (keyed)
        sign(id, e, want);
    pthread_mutex_unlock(&mu);
    char lower[65];
    for (size_t i = 0; i <= 64; i++)
        lower[i] = (char)tolower((unsigned char)signature[i]);
    if (!keyed || CRYPTO_memcmp(want, lower, 64) != 0)
        return "the link's signature is not valid";
    if (e < now)
        return "the link has expired";
    return NULL;
}
