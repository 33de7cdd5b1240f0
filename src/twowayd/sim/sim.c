/* sim — the carrier and customer simulator (--simulate).
 *
 * Two halves around one time-ordered event queue. The fake Messages API
 * (sim_fake_twilio) runs in a request handler, inside the request's read
 * transaction, so it only checks and queues. The
 * simulator thread plays everything that takes time: status callbacks,
 * customers answering and customers texting in, each as a signed POST to
 * twowayd's own Twilio webhooks, so simulated traffic takes the real paths. */
#include "sim/sim.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http/auth.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "dconfig.h"
#include "http/req.h"
#include "twd.h"
#include "twilio/twilio_sig.h"
#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/smsseg.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

#include "sim/sim_script.h"

/* Bounds on what the fake API accepts and keeps. */
#define SIM_MAX_EVENTS 4096
#define SIM_BODY_MAX_CHARS 1600
#define SIM_AUTH_MAX 1024
#define SIM_FIELDS_MAX 16
#define SIM_HTTP_TIMEOUT 5L
/* A status callback waits for the sender to have stored the SID, at most
 * this many times SIM_SID_WAIT seconds. */
#define SIM_SID_TRIES 10
#define SIM_SID_WAIT 0.5

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum sim_kind {
    SIM_ACCEPTED, /* the fake API took a message: decide what becomes of it */
    SIM_STATUS,   /* report a delivery status to the status callback */
    SIM_ANSWER,   /* the customer answers the message */
};

struct sim_event {
    struct sim_event *next;
    double at; /* CLOCK_MONOTONIC seconds */
    enum sim_kind kind;
    char *sid;
    char *to;   /* the customer */
    char *from; /* our inbox number */
    char *body;
    char *callback;     /* path (and query) under our URL for status callbacks */
    const char *status; /* SIM_STATUS: Twilio's MessageStatus (static) */
    int error_code;     /* SIM_STATUS: Twilio's ErrorCode, 0 = none */
    int tries;          /* SIM_STATUS: times the SID was not stored yet */
};

struct sim {
    struct twd *twd;
    pthread_t thread;
    pthread_mutex_t mu; /* guards head, nevents */
    pthread_cond_t cond;
    atomic_bool stop;
    struct sim_event *head; /* ordered by at */
    int nevents;
    /* Only the simulator thread touches these. */
    unsigned rnd;
    double next_text_at; /* 0: customers do not text in on their own */
    CURL *curl;
};

/* main publishes twd->sim only after sim_start returns, while the server
 * already answers (the sender may send at once); the fake API finds the
 * running simulator here instead, and sim_stop cannot free it under a
 * handler's feet. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sim *live;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Randomness for the play, not for secrets: rand_r in the sim thread. */
static double rnd01(struct sim *s)
{
    return rand_r(&s->rnd) / ((double)RAND_MAX + 1.0);
}

static double rnd_between(struct sim *s, double lo, double hi)
{
    return lo + (hi - lo) * rnd01(s);
}

static const char *rnd_pick(struct sim *s, const char *const *list, size_t n)
{
    return list[(size_t)(rnd01(s) * (double)n) % n];
}

static char *new_sid(void)
{
    char *hex = auth_random_hex(16);
    char *sid = xasprintf("SM%s", hex);
    free(hex);
    return sid;
}

/* ---- the event queue ---- */

static struct sim_event *event_new(enum sim_kind kind, double at, const struct sim_event *like)
{
    struct sim_event *e = xcalloc(1, sizeof *e);
    e->kind = kind;
    e->at = at;
    if (like) {
        e->sid = xstrdup_or_null(like->sid);
        e->to = xstrdup_or_null(like->to);
        e->from = xstrdup_or_null(like->from);
        e->body = xstrdup_or_null(like->body);
        e->callback = xstrdup_or_null(like->callback);
    }
    return e;
}

static void event_free(struct sim_event *e)
{
    free(e->sid);
    free(e->to);
    free(e->from);
    free(e->body);
    free(e->callback);
    free(e);
}

/* Queue e (taking it) unless the queue is full. */
static bool sim_enqueue(struct sim *s, struct sim_event *e)
{
    pthread_mutex_lock(&s->mu);
    if (s->nevents >= SIM_MAX_EVENTS) {
        pthread_mutex_unlock(&s->mu);
        log_warn("sim: event queue full, dropping an event for %s", e->sid ? e->sid : "?");
        event_free(e);
        return false;
    }
    struct sim_event **p = &s->head;
    while (*p && (*p)->at <= e->at)
        p = &(*p)->next;
    e->next = *p;
    *p = e;
    s->nevents++;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return true;
}

/* ---- what the database says (inside a transaction) ---- */

/* Has the customer `phone` opted out of the inbox that has number
 * `inbox_phone`? */
static bool customer_opted_out(struct db *db, const char *phone, const char *inbox_phone)
{
    return db_int(db, 0,
                  "SELECT 1 FROM contacts c JOIN inboxes i ON i.account_id = c.account_id "
                  "WHERE i.phone_number = ? AND c.phone_number = ? AND "
                  "CASE WHEN json_valid(c.custom_attributes) "
                  "THEN json_extract(c.custom_attributes, '$.sms_opt_out') END = 1 LIMIT 1",
                  "tt", inbox_phone, phone) == 1;
}

/* The first column of the first row (owned), or NULL; gives st back. */
static char *text_row(struct db *db, sqlite3_stmt *st)
{
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    db_done(db, st);
    return v;
}

/* The number customers text: account 1's SMS inbox (the demo's), else any. */
static char *demo_inbox_phone(struct db *db)
{
    return text_row(db, db_prepare(db, "SELECT phone_number FROM inboxes "
                                       "WHERE phone_number IS NOT NULL "
                                       "ORDER BY account_id != 1, id LIMIT 1"));
}

/* A customer of that inbox who may still be texted, or NULL. */
static char *some_customer(struct db *db, const char *inbox_phone)
{
    sqlite3_stmt *st = db_prepare(
        db, "SELECT c.phone_number FROM contacts c "
            "JOIN contact_inboxes ci ON ci.contact_id = c.id "
            "JOIN inboxes i ON i.id = ci.inbox_id "
            "WHERE i.phone_number = ? AND c.phone_number LIKE '+%' AND c.blocked = 0 AND "
            "COALESCE(CASE WHEN json_valid(c.custom_attributes) "
            "THEN json_extract(c.custom_attributes, '$.sms_opt_out') END, 0) != 1 "
            "ORDER BY random() LIMIT 1");
    db_bindv(st, "t", inbox_phone);
    return text_row(db, st);
}

static bool sid_stored(struct sim *s, const struct sim_event *e)
{
    struct db *db = dbpool_read(s->twd->pool);
    if (!db)
        return false;
    bool found = db_int(db, 0,
                        "SELECT 1 FROM messages WHERE source_id = ? AND inbox_id IN "
                        "(SELECT id FROM inboxes WHERE phone_number = ?) LIMIT 1",
                        "tt", e->sid, e->from) == 1;
    dbpool_read_end(s->twd->pool, db);
    return found;
}

/* ---- signed webhooks to ourselves ---- */

struct sim_form {
    struct req_kv kv[SIM_FIELDS_MAX];
    int n;
};

static void form_add(struct sim_form *f, const char *key, const char *value)
{
    if (f->n >= SIM_FIELDS_MAX)
        abort(); /* a programming error: the forms below are fixed */
    f->kv[f->n].key = xstrdup(key);
    f->kv[f->n].value = xstrdup(value ? value : "");
    f->n++;
}

static void form_free(struct sim_form *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->kv[i].key);
        free(f->kv[i].value);
    }
    f->n = 0;
}

static size_t discard_body(char *data, size_t size, size_t n, void *ud)
{
    (void)data;
    (void)ud;
    return size * n;
}

/* sim_stop should not wait for a slow request to time out. */
static int abort_on_stop(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct sim *s = ud;
    (void)dt, (void)dn, (void)ut, (void)un;
    return atomic_load(&s->stop) ? 1 : 0;
}

static char *form_encode(CURL *c, const struct sim_form *f)
{
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < f->n; i++) {
        char *k = curl_easy_escape(c, f->kv[i].key, 0);
        char *v = curl_easy_escape(c, f->kv[i].value, 0);
        buf_addf(&b, "%s%s=%s", i ? "&" : "", k ? k : "", v ? v : "");
        curl_free(k);
        curl_free(v);
    }
    return buf_detach(&b);
}

/* POST form to our own path, signed as Twilio signs a call to
 * public_url + path. Returns the HTTP status, 0 if there was none. */
static long sim_post(struct sim *s, const char *path, const struct sim_form *f)
{
    struct twd *twd = s->twd;
    char *sign_url = xasprintf("%s%s", twd->public_url, path);
    char *sig =
        twilio_sig_compute(dconfig_get(twd->cfg, "twilio_auth_token"), sign_url, f->kv, f->n);
    char *sig_header = xasprintf("X-Twilio-Signature: %s", sig);
    char *url = xasprintf("%s%s", twd->base_url, path);
    CURL *c = s->curl;
    char *body = form_encode(c, f);
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    h = curl_slist_append(h, sig_header);
    h = curl_slist_append(h, "Expect:");

    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "TwilioProxy/1.1 (twowayd simulator)");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, SIM_HTTP_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, SIM_HTTP_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else if (rc != CURLE_ABORTED_BY_CALLBACK)
        log_warn("sim: POST %s failed: %s", path, curl_easy_strerror(rc));
    if (status >= 300)
        log_warn("sim: POST %s answered %ld", path, status);

    curl_slist_free_all(h);
    free(body);
    free(url);
    free(sig_header);
    free(sig);
    free(sign_url);
    return status;
}

static void add_segments(struct sim_form *f, const char *body)
{
    struct smsseg_info info;
    smsseg_measure(body, &info);
    char n[24];
    snprintf(n, sizeof n, "%zu", info.segments ? info.segments : 1);
    form_add(f, "NumSegments", n);
}

/* A customer's text, as Twilio's inbound webhook carries it. */
static void customer_texts(struct sim *s, const char *from, const char *to, const char *body)
{
    const struct dconfig *cfg = s->twd->cfg;
    char *sid = new_sid();
    struct sim_form f = {0};
    form_add(&f, "ToCountry", "US");
    form_add(&f, "SmsMessageSid", sid);
    form_add(&f, "NumMedia", "0");
    form_add(&f, "SmsSid", sid);
    form_add(&f, "SmsStatus", "received");
    form_add(&f, "Body", body);
    form_add(&f, "To", to);
    add_segments(&f, body);
    form_add(&f, "MessageSid", sid);
    form_add(&f, "AccountSid", dconfig_get(cfg, "twilio_account_sid"));
    form_add(&f, "From", from);
    form_add(&f, "FromCountry", "US");
    form_add(&f, "ApiVersion", "2010-04-01");
    sim_post(s, "/twilio/sms", &f);
    form_free(&f);
    free(sid);
}

static void report_status(struct sim *s, const struct sim_event *e)
{
    struct sim_form f = {0};
    char code[16];
    form_add(&f, "SmsSid", e->sid);
    form_add(&f, "SmsStatus", e->status);
    form_add(&f, "MessageStatus", e->status);
    form_add(&f, "To", e->to);
    form_add(&f, "MessageSid", e->sid);
    form_add(&f, "AccountSid", dconfig_get(s->twd->cfg, "twilio_account_sid"));
    form_add(&f, "From", e->from);
    form_add(&f, "ApiVersion", "2010-04-01");
    if (e->error_code) {
        snprintf(code, sizeof code, "%d", e->error_code);
        form_add(&f, "ErrorCode", code);
        log_info("sim: %s %s (ErrorCode %d)", e->sid, e->status, e->error_code);
    } else {
        log_info("sim: %s %s", e->sid, e->status);
    }
    sim_post(s, e->callback, &f);
    form_free(&f);
}

/* ---- the play ---- */

/* Automatic texts (keyword answers, the away message) get no answer. */
static bool is_automatic(const struct dconfig *cfg, const char *body)
{
    static const char *const names[] = {"stop_reply", "start_reply", "help_reply", "away_message"};
    for (size_t i = 0; i < COUNT(names); i++) {
        const char *v = dconfig_get(cfg, names[i]);
        if (*v && strcmp(v, body) == 0)
            return true;
    }
    return false;
}

/* What becomes of an accepted message: "sent", then delivered or (with
 * sim_fail_chance) failed/undelivered with a real Twilio error code; and
 * perhaps the customer answers. */
static void decide_fate(struct sim *s, const struct sim_event *e)
{
    static const int codes[] = {30003, 30005, 30006, 30007};
    const struct dconfig *cfg = s->twd->cfg;
    double delay = dconfig_get_double(cfg, "sim_delivery_delay");
    delay = delay < 0 || isnan(delay) ? 0 : delay > 3600 ? 3600 : delay;
    /* Never before the sender can have stored the SID it was given. */
    double sent_at = e->at + fmax(0.2, delay * 0.4);
    double final_at = fmax(sent_at + 0.1, e->at + delay * rnd_between(s, 0.75, 1.25));
    bool fails = rnd01(s) < dconfig_get_double(cfg, "sim_fail_chance");

    struct sim_event *final = event_new(SIM_STATUS, final_at, e);
    final->status = "delivered";
    if (fails) {
        final->error_code = codes[(size_t)(rnd01(s) * COUNT(codes)) % COUNT(codes)];
        /* "failed": the carrier never took it; "undelivered": it never
         * reached the handset. */
        final->status = rnd01(s) < 0.5 ? "failed" : "undelivered";
    }
    if (strcmp(final->status, "failed") != 0) {
        struct sim_event *sent = event_new(SIM_STATUS, sent_at, e);
        sent->status = "sent";
        sim_enqueue(s, sent);
    }
    sim_enqueue(s, final);

    if (!fails && e->body && *e->body && !is_automatic(cfg, e->body) &&
        rnd01(s) < dconfig_get_double(cfg, "sim_reply_chance"))
        sim_enqueue(s, event_new(SIM_ANSWER, final_at + rnd_between(s, 3, 12), e));
}

static void customer_answers(struct sim *s, const struct sim_event *e)
{
    struct db *db = dbpool_read(s->twd->pool);
    if (!db)
        return;
    bool out = customer_opted_out(db, e->to, e->from);
    dbpool_read_end(s->twd->pool, db);
    if (out) {
        log_info("sim: customer %s has opted out and does not answer %s", e->to, e->sid);
        return;
    }
    log_info("sim: customer %s answers %s", e->to, e->sid);
    customer_texts(s, e->to, e->from, rnd_pick(s, sim_answers, COUNT(sim_answers)));
}

/* Now and then someone texts the inbox: a known customer or a new number. */
static void customer_texts_in(struct sim *s)
{
    struct db *db = dbpool_read(s->twd->pool);
    if (!db)
        return;
    char *inbox = demo_inbox_phone(db);
    char *phone = inbox && rnd01(s) < 0.5 ? some_customer(db, inbox) : NULL;
    dbpool_read_end(s->twd->pool, db);
    if (!inbox) {
        log_debug("sim: no inbox has a phone number; nobody texts in");
        return;
    }
    if (!phone)
        phone = xasprintf("+1555013%04d", (int)(rnd01(s) * 10000) % 10000);
    log_info("sim: customer %s texts in", phone);
    customer_texts(s, phone, inbox, rnd_pick(s, sim_openers, COUNT(sim_openers)));
    free(phone);
    free(inbox);
}

static void sim_handle(struct sim *s, struct sim_event *e)
{
    switch (e->kind) {
    case SIM_ACCEPTED:
        decide_fate(s, e);
        break;
    case SIM_STATUS:
        /* A callback must not overtake the sender's own bookkeeping of the
         * SID; Twilio, far away, never does. */
        if (!sid_stored(s, e) && e->tries < SIM_SID_TRIES) {
            struct sim_event *again = event_new(SIM_STATUS, mono_now() + SIM_SID_WAIT, e);
            again->status = e->status;
            again->error_code = e->error_code;
            again->tries = e->tries + 1;
            sim_enqueue(s, again);
            break;
        }
        report_status(s, e);
        break;
    case SIM_ANSWER:
        customer_answers(s, e);
        break;
    }
}

/* Gaps between customers texting in: exponential around sim_interval. */
static double next_gap(struct sim *s)
{
    double mean = (double)dconfig_get_int(s->twd->cfg, "sim_interval");
    double gap = -mean * log(1.0 - rnd01(s));
    return fmin(fmax(gap, mean * 0.1), mean * 8);
}

static void wait_until(struct sim *s, double until)
{
    if (until <= 0) {
        pthread_cond_wait(&s->cond, &s->mu);
        return;
    }
    double whole = floor(until);
    struct timespec ts = {.tv_sec = (time_t)whole, .tv_nsec = (long)((until - whole) * 1e9)};
    pthread_cond_timedwait(&s->cond, &s->mu, &ts);
}

static void *sim_main(void *arg)
{
    struct sim *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!atomic_load(&s->stop)) {
        double now = mono_now();
        struct sim_event *e = s->head;
        if (e && e->at <= now) {
            s->head = e->next;
            s->nevents--;
            pthread_mutex_unlock(&s->mu);
            sim_handle(s, e);
            event_free(e);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        if (s->next_text_at > 0 && s->next_text_at <= now) {
            pthread_mutex_unlock(&s->mu);
            customer_texts_in(s);
            s->next_text_at = mono_now() + next_gap(s);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        double until = e ? e->at : 0;
        if (s->next_text_at > 0 && (until <= 0 || s->next_text_at < until))
            until = s->next_text_at;
        wait_until(s, until);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Everything but the thread, which is not running (any more). */
static void sim_free(struct sim *s)
{
    while (s->head) {
        struct sim_event *e = s->head;
        s->head = e->next;
        event_free(e);
    }
    curl_easy_cleanup(s->curl);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    free(s);
    curl_global_cleanup();
}

struct sim *sim_start(struct twd *twd)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct sim *s = xcalloc(1, sizeof *s);
    s->twd = twd;
    s->curl = curl_easy_init();
    if (!s->curl) {
        log_error("sim: cannot create an HTTP handle; not simulating");
        free(s);
        curl_global_cleanup();
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    s->rnd = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    int64_t interval = dconfig_get_int(twd->cfg, "sim_interval");
    s->next_text_at = interval > 0 ? mono_now() + next_gap(s) : 0;

    pthread_mutex_lock(&live_mu);
    live = s;
    pthread_mutex_unlock(&live_mu);
    if (pthread_create(&s->thread, NULL, sim_main, s) != 0) {
        log_error("sim: cannot start the simulator thread");
        pthread_mutex_lock(&live_mu);
        live = NULL;
        pthread_mutex_unlock(&live_mu);
        sim_free(s);
        return NULL;
    }
    log_info("sim: playing the carrier and the customers (a new text every ~%llds, answers %.0f%%, "
             "failures %.0f%%, delivery in %.1fs)",
             (long long)interval, 100 * dconfig_get_double(twd->cfg, "sim_reply_chance"),
             100 * dconfig_get_double(twd->cfg, "sim_fail_chance"),
             dconfig_get_double(twd->cfg, "sim_delivery_delay"));
    return s;
}

void sim_stop(struct sim **ps)
{
    struct sim *s = *ps;
    if (!s)
        return;
    pthread_mutex_lock(&live_mu);
    if (live == s)
        live = NULL;
    pthread_mutex_unlock(&live_mu);
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, true);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    sim_free(s);
    *ps = NULL;
}

/* ---- the fake Messages API ---- */

static void twilio_error(struct req *r, int status, int code, const char *message)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_object_new_int(code));
    json_object_object_add(o, "message", json_object_new_string(message));
    char *more = xasprintf("https://www.twilio.com/docs/errors/%d", code);
    json_object_object_add(o, "more_info", json_object_new_string(more));
    free(more);
    json_object_object_add(o, "status", json_object_new_int(status));
    req_reply_json(r, status, o);
}

/* HTTP Basic credentials equal to "sid:token"? Digests are compared in
 * constant time, so neither length nor content leaks through timing. */
static bool basic_auth_ok(const char *header, const char *sid, const char *token)
{
    if (!header || strncasecmp(header, "Basic ", 6) != 0 || !*sid || !*token)
        return false;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t n = strlen(b64);
    while (n > 0 && b64[n - 1] == ' ')
        n--;
    if (n == 0 || n % 4 || n > SIM_AUTH_MAX)
        return false;
    unsigned char raw[SIM_AUTH_MAX];
    int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
    if (len < 0)
        return false;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    for (size_t i = n; i > n - 2 && b64[i - 1] == '='; i--)
        len--;
    char *want = xasprintf("%s:%s", sid, token);
    unsigned char got_md[SHA256_DIGEST_LENGTH], want_md[SHA256_DIGEST_LENGTH];
    SHA256(raw, (size_t)len, got_md);
    SHA256((const unsigned char *)want, strlen(want), want_md);
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(want, strlen(want));
    free(want);
    return CRYPTO_memcmp(got_md, want_md, sizeof got_md) == 0;
}

/* The {AccountSid} path segment. */
static bool path_account_is(const char *path, const char *sid)
{
    static const char prefix[] = "/sim/2010-04-01/Accounts/";
    size_t n = strlen(sid);
    return strncmp(path, prefix, sizeof prefix - 1) == 0 &&
           strncmp(path + sizeof prefix - 1, sid, n) == 0 && path[sizeof prefix - 1 + n] == '/';
}

static bool is_e164(const char *s)
{
    if (!s || *s != '+')
        return false;
    size_t n = 0;
    for (s++; *s; s++, n++)
        if (*s < '0' || *s > '9')
            return false;
    return n >= 7 && n <= 15;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Where status callbacks for this message go: the StatusCallback the
 * sender gave, if it points at us, else our /twilio/status. */
static char *callback_path(const struct twd *twd, const char *cb)
{
    const char *roots[] = {twd->public_url, twd->base_url};
    for (size_t i = 0; cb && *cb && i < COUNT(roots); i++) {
        size_t n = strlen(roots[i]);
        if (strncmp(cb, roots[i], n) == 0 && cb[n] == '/')
            return xstrdup(cb + n);
    }
    return xstrdup("/twilio/status");
}

static void reply_message(struct req *r, const struct sim_event *e, const char *account, int nmedia)
{
    char date[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    struct smsseg_info seg;
    smsseg_measure(e->body, &seg);
    char num[24];

    json_object *o = json_object_new_object();
    json_object_object_add(o, "account_sid", json_object_new_string(account));
    json_object_object_add(o, "api_version", json_object_new_string("2010-04-01"));
    json_object_object_add(o, "body", json_object_new_string(e->body));
    json_object_object_add(o, "date_created", json_object_new_string(date));
    json_object_object_add(o, "date_sent", NULL);
    json_object_object_add(o, "date_updated", json_object_new_string(date));
    json_object_object_add(o, "direction", json_object_new_string("outbound-api"));
    json_object_object_add(o, "error_code", NULL);
    json_object_object_add(o, "error_message", NULL);
    json_object_object_add(o, "from", json_object_new_string(e->from));
    json_object_object_add(o, "messaging_service_sid", NULL);
    snprintf(num, sizeof num, "%d", nmedia);
    json_object_object_add(o, "num_media", json_object_new_string(num));
    snprintf(num, sizeof num, "%zu", seg.segments ? seg.segments : 1);
    json_object_object_add(o, "num_segments", json_object_new_string(num));
    json_object_object_add(o, "price", NULL);
    json_object_object_add(o, "price_unit", json_object_new_string("USD"));
    json_object_object_add(o, "sid", json_object_new_string(e->sid));
    json_object_object_add(o, "status", json_object_new_string("queued"));
    json_object *sub = json_object_new_object();
    char *uri = xasprintf("/2010-04-01/Accounts/%s/Messages/%s/Media.json", account, e->sid);
    json_object_object_add(sub, "media", json_object_new_string(uri));
    free(uri);
    json_object_object_add(o, "subresource_uris", sub);
    json_object_object_add(o, "to", json_object_new_string(e->to));
    uri = xasprintf("/2010-04-01/Accounts/%s/Messages/%s.json", account, e->sid);
    json_object_object_add(o, "uri", json_object_new_string(uri));
    free(uri);
    req_reply_json(r, 201, o);
}

/* Twilio's checks, in Twilio's words; 0 if the message can go. */
static int check_message(struct req *r, const char *to, const char *from, const char *body,
                         int nmedia)
{
    struct db *db = r->db;
    char *m = NULL;
    if (!to || !*to)
        twilio_error(r, 400, 21604, "A 'To' phone number is required.");
    else if (!is_e164(to))
        twilio_error(r, 400, 21211, (m = xasprintf("Invalid 'To' Phone Number: %.40s", to)));
    else if (!from || !*from)
        twilio_error(r, 400, 21603, "A 'From' phone number is required.");
    else if (!db_int(db, 0, "SELECT 1 FROM inboxes WHERE phone_number = ?", "t", from))
        twilio_error(r, 400, 21606,
                     (m = xasprintf("The From phone number %.40s is not a valid, SMS-capable "
                                    "inbound phone number or short code for your account.",
                                    from)));
    else if (!*body && nmedia == 0)
        twilio_error(r, 400, 21602, "Message body is required.");
    else if (!text_valid_utf8(body, strlen(body)))
        twilio_error(r, 400, 21602, "Message body is not valid UTF-8.");
    else if (utf8_chars(body) > SIM_BODY_MAX_CHARS)
        twilio_error(r, 400, 21617,
                     "The concatenated message body exceeds the 1600 character limit.");
    /* The STOP confirmation is the one text an opted-out number still gets. */
    else if (customer_opted_out(db, to, from) &&
             strcmp(body, dconfig_get(r->twd->cfg, "stop_reply")) != 0)
        twilio_error(r, 400, 21610, "Attempt to send to unsubscribed recipient");
    free(m);
    return r->reply ? -1 : 0;
}

void sim_fake_twilio(struct req *r)
{
    struct twd *twd = r->twd;
    if (!twd->simulate) {
        req_not_found(r);
        return;
    }
    const char *account = dconfig_get(twd->cfg, "twilio_account_sid");
    if (!basic_auth_ok(req_header(r, "Authorization"), account,
                       dconfig_get(twd->cfg, "twilio_auth_token"))) {
        log_warn("sim: fake Messages API: wrong or missing credentials");
        twilio_error(r, 401, 20003, "Authenticate");
        return;
    }
    if (!path_account_is(r->path, account)) {
        twilio_error(r, 404, 20404, "The requested resource was not found");
        return;
    }
    if (r->form_truncated) {
        twilio_error(r, 400, 21602, "Too many parameters.");
        return;
    }
    const char *to = req_form(r, "To"), *from = req_form(r, "From");
    const char *body = req_form(r, "Body");
    int nmedia = 0;
    for (int i = 0; i < r->nform; i++)
        nmedia += strcmp(r->form[i].key, "MediaUrl") == 0;
    if (check_message(r, to, from, body ? body : "", nmedia) < 0)
        return;

    struct sim_event *e = event_new(SIM_ACCEPTED, mono_now(), NULL);
    e->sid = new_sid();
    e->to = xstrdup(to);
    e->from = xstrdup(from);
    e->body = xstrdup(body ? body : "");
    e->callback = callback_path(twd, req_form(r, "StatusCallback"));
    reply_message(r, e, account, nmedia);
    log_info("sim: %s accepted for %s", e->sid, e->to);
    /* Where each file would be fetched from; the signature stays out of
     * the log, as a token would. */
    for (int i = 0; i < r->nform; i++)
        if (strcmp(r->form[i].key, "MediaUrl") == 0)
            log_info("sim: %s media %.*s", e->sid, (int)strcspn(r->form[i].value, "?"),
                     r->form[i].value);

    bool queued = false;
    pthread_mutex_lock(&live_mu);
    if (live)
        queued = sim_enqueue(live, e);
    else
        event_free(e);
    pthread_mutex_unlock(&live_mu);
    if (!queued)
        twilio_error(r, 503, 20503, "Service Unavailable");
}
