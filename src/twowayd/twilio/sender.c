/* sender — the outbound SMS workers.
 *
 * An outbox row moves pending → sending → sent | failed. The move to
 * sending is committed before Twilio hears of the message, so whatever
 * happens next (a crash, a timeout) the row is never sent twice: only a
 * request that provably never left (no connection, nothing written) or
 * that Twilio answered with 429/5xx goes back to pending. The write lock
 * is held only around database work, never across the network call.
 *
 * send_workers threads send at once, each on its own connection; a row
 * goes only when no earlier row to its number is still to send, so one
 * customer's replies keep their order and a call that hangs holds up that
 * customer alone. */
#include "twilio/sender.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <json-c/json.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/attach.h"
#include "store/db.h"
#include "store/dbpool.h"
#include "dconfig.h"
#include "twilio/keywords.h"
#include "store/ops.h"
#include "twd.h"
#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/xmalloc.h"

#define BACKOFF_MAX 300.0     /* seconds */
#define IDLE_WAIT 1.0         /* seconds between looks at an idle outbox */
#define REPLY_MAX (64 * 1024) /* bytes of Twilio's answer kept */

/* Most workers the send_workers option may ask for. */
#define WORKERS_MAX 32

struct sender;

/* One sending thread with its own connection to Twilio. */
struct worker {
    struct sender *s;
    pthread_t thread;
    CURL *curl;
};

struct sender {
    struct twd *twd;
    struct worker workers[WORKERS_MAX];
    int nworkers;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    bool stop;
    uint64_t wakes; /* bumped by sender_wake: a worker waiting sees it move */
};

/* Twilio takes at most 10 media with a message. */
#define MEDIA_MAX 10

/* One claimed outbox row and what to send. */
struct job {
    int64_t outbox_id, message_id, conv_id, contact_id;
    int64_t attempts; /* including the one being made */
    char *to, *from, *body;
    char *media[MEDIA_MAX]; /* signed URLs of the files an agent attached */
    size_t nmedia;
};

enum outcome_kind {
    OUT_SENT,     /* Twilio accepted it */
    OUT_REJECTED, /* Twilio refused it (4xx): retrying will not help */
    OUT_RETRY,    /* it never reached Twilio, or Twilio asked for later */
    OUT_UNKNOWN,  /* sent, but no answer: Twilio may have accepted it */
};

struct outcome {
    enum outcome_kind kind;
    char *sid;    /* OUT_SENT; NULL if Twilio's answer had none */
    int64_t code; /* Twilio's error code, 0 if none */
    char *reason; /* words for the agent and the log */
};

static void job_free(struct job *job)
{
    free(job->to);
    free(job->from);
    free(job->body);
    for (size_t i = 0; i < job->nmedia; i++)
        free(job->media[i]);
    job->nmedia = 0;
}

/* The files of the message, as URLs Twilio fetches them from (signed
 * now, valid long enough for Twilio's fetch). */
static void load_media(struct db *db, struct job *job)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, file_name FROM attachments "
                                      "WHERE message_id = ? AND data IS NOT NULL ORDER BY id");
    db_bindv(st, "i", job->message_id);
    while (job->nmedia < MEDIA_MAX && sqlite3_step(st) == SQLITE_ROW)
        job->media[job->nmedia++] =
            attach_url(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
    db_done(db, st);
}

static char *col_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? xstrdup((const char *)t) : NULL;
}

/* The row can never be sent: fail it, and the message with it when the
 * agent should see why. */
static void give_up(struct db *db, const struct job *job, const char *why, bool mark_message)
{
    db_exec(db, "UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?", "ti", why,
            job->outbox_id);
    if (mark_message)
        ops_message_set_status(db, job->message_id, "failed", why);
    log_warn("message %lld not sent: %s", (long long)job->message_id, why);
}

/* Fill job from its message. NULL if it can go, else why not (owned), with
 * *mark_message telling whether the agent should see it on the message. */
static char *load_job(struct sender *s, struct db *db, struct job *job, bool *mark_message)
{
    sqlite3_stmt *st = db_prepare(
        db, "SELECT m.content, m.private, m.message_type, m.conversation_id, c.contact_id, "
            "CASE WHEN ci.source_id LIKE '+%' THEN ci.source_id ELSE ct.phone_number END, "
            "i.phone_number, "
            "CASE WHEN json_valid(m.content_attributes) THEN "
            "  json_extract(m.content_attributes, '$." KEYWORDS_REPLY_ATTR "') END, "
            "CASE WHEN json_valid(m.content_attributes) THEN "
            "  json_extract(m.content_attributes, '$.deleted') END "
            "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "JOIN contacts ct ON ct.id = c.contact_id JOIN inboxes i ON i.id = m.inbox_id "
            "LEFT JOIN contact_inboxes ci ON ci.id = c.contact_inbox_id WHERE m.id = ?");
    db_bindv(st, "i", job->message_id);
    *mark_message = false;
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(db, st);
        return xstrdup("the message is gone");
    }
    job->body = col_dup(st, 0);
    bool is_private = sqlite3_column_int(st, 1);
    int type = sqlite3_column_int(st, 2);
    job->conv_id = sqlite3_column_int64(st, 3);
    job->contact_id = sqlite3_column_int64(st, 4);
    job->to = col_dup(st, 5);
    job->from = col_dup(st, 6);
    bool compliance = sqlite3_column_type(st, 7) != SQLITE_NULL;
    bool deleted = sqlite3_column_int(st, 8) == 1;
    db_done(db, st);

    /* Private notes and deleted messages never leave; nothing to show. */
    if (is_private || (type != OPS_OUTGOING && type != OPS_TEMPLATE))
        return xstrdup("not a public outgoing message");
    if (deleted)
        return xstrdup("deleted before it was sent");
    *mark_message = true;
    load_media(db, job);
    if ((!job->body || !*job->body) && job->nmedia == 0)
        return xstrdup("Nothing to send: an SMS needs text");
    if (!job->to || !*job->to)
        return xstrdup("The contact has no phone number");
    if (!job->from || !*job->from)
        return xstrdup("The inbox has no phone number to send from");
    const struct dconfig *cfg = s->twd->cfg;
    if (!*dconfig_get(cfg, "twilio_account_sid") || !*dconfig_get(cfg, "twilio_auth_token"))
        return xstrdup("Twilio is not configured (twilio_account_sid, twilio_auth_token)");
    /* Our own answer to STOP goes out even though the contact just opted
     * out; nothing else does. */
    if (!compliance) {
        char *why = ops_contact_unreachable(db, job->contact_id);
        if (why)
            return why;
    }
    return NULL;
}

/* A row may go when no earlier row to the same number is still to send:
 * replies to one customer arrive in the order they were written, however
 * many go out at once to others. */
#define FIRST_IN_LINE                                                                              \
    "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.destination = o.destination "                      \
    "AND p.state IN ('pending', 'sending') AND p.id < o.id)"

/* When the next row that may go is due, 0 if none may (a worker that
 * finishes a send wakes the others). */
static double next_pending(struct db *db)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT MIN(o.next_attempt_at) FROM outbox o "
                                      "WHERE o.state = 'pending' AND " FIRST_IN_LINE);
    double due = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        due = sqlite3_column_double(st, 0);
    db_done(db, st);
    return due;
}

enum claim_result { CLAIM_NONE, CLAIM_JOB, CLAIM_SETTLED };

/* Take the oldest due row that is first in line for its number (the pending
 * rows in id order: outbox_pending) and commit
 * it as 'sending' before anything goes out (the write lock makes the claim
 * one worker's). CLAIM_NONE sets *next_due (0: nothing may go now);
 * CLAIM_SETTLED means a row was failed without sending. */
static enum claim_result claim(struct sender *s, struct job *job, double *next_due)
{
    struct dbpool *pool = s->twd->pool;
    enum claim_result res = CLAIM_NONE;
    struct db *db = dbpool_write(pool);
    if (!db)
        return CLAIM_NONE;
    sqlite3_stmt *st = db_prepare(db, "SELECT o.id, o.message_id, o.attempts FROM outbox o "
                                      "INDEXED BY outbox_pending "
                                      "WHERE o.state = 'pending' AND o.next_attempt_at <= ? "
                                      "AND " FIRST_IN_LINE " ORDER BY o.id LIMIT 1");
    db_bindv(st, "d", db_now());
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        job->outbox_id = sqlite3_column_int64(st, 0);
        job->message_id = sqlite3_column_int64(st, 1);
        job->attempts = sqlite3_column_int64(st, 2) + 1;
    }
    db_done(db, st);
    if (!found) {
        *next_due = next_pending(db);
        dbpool_write_end(pool, db, true);
        return CLAIM_NONE;
    }
    bool mark = false;
    char *why = load_job(s, db, job, &mark);
    if (why) {
        give_up(db, job, why, mark);
        free(why);
        res = CLAIM_SETTLED;
    } else {
        db_exec(db, "UPDATE outbox SET state = 'sending', attempts = ? WHERE id = ?", "ii",
                job->attempts, job->outbox_id);
        res = CLAIM_JOB;
    }
    if (dbpool_write_end(pool, db, true) < 0) {
        log_error("could not commit outbox row %lld; not sending it now",
                  (long long)job->outbox_id);
        return CLAIM_NONE;
    }
    return res;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = size * n;
    if (b->len < REPLY_MAX)
        buf_add(b, data, len < REPLY_MAX - b->len ? len : REPLY_MAX - b->len);
    return len;
}

static void form_add(struct buf *form, CURL *curl, const char *key, const char *value)
{
    char *v = curl_easy_escape(curl, value, 0);
    buf_addf(form, "%s%s=%s", form->len ? "&" : "", key, v ? v : "");
    curl_free(v);
}

/* Twilio's message SIDs are "SM" and 32 hex digits; accept any short
 * plain token, nothing that could upset a JSON renderer. */
static bool is_sid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
            return false;
    return true;
}

/* Twilio's JSON answer: {"sid": ...} or {"code": ..., "message": ...}. */
static void read_answer(const struct buf *body, char **sid, int64_t *code, char **message)
{
    json_object *o = json_tokener_parse(body->data);
    json_object *v;
    if (o && json_object_is_type(o, json_type_object)) {
        if (sid && json_object_object_get_ex(o, "sid", &v) &&
            json_object_is_type(v, json_type_string) && is_sid(json_object_get_string(v)))
            *sid = xstrdup(json_object_get_string(v));
        if (json_object_object_get_ex(o, "code", &v) &&
            (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_string)))
            *code = json_object_get_int64(v);
        if (json_object_object_get_ex(o, "message", &v) && json_object_is_type(v, json_type_string))
            *message = xstrndup(json_object_get_string(v), 300);
    }
    json_object_put(o);
}

/* No byte of the request left this machine, so sending again cannot
 * duplicate it. CURLINFO_REQUEST_SIZE counts bytes actually written. */
static bool never_sent(CURLcode rc, long written)
{
    return rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
           rc == CURLE_COULDNT_CONNECT || written == 0;
}

static void classify(CURL *curl, CURLcode rc, const char *errbuf, const struct buf *body,
                     struct outcome *out)
{
    long status = 0, written = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &written);
    const char *cerr = *errbuf ? errbuf : curl_easy_strerror(rc);
    char *message = NULL;
    if (status == 0) {
        /* No answer at all. */
        out->kind = rc != CURLE_OK && never_sent(rc, written) ? OUT_RETRY : OUT_UNKNOWN;
        out->reason = xstrdup(cerr);
    } else if (status >= 200 && status < 300) {
        out->kind = OUT_SENT;
        read_answer(body, &out->sid, &out->code, &message);
    } else if (status == 429 || status >= 500) {
        out->kind = OUT_RETRY;
        read_answer(body, NULL, &out->code, &message);
        out->reason = xasprintf("HTTP %ld%s%s", status, message ? " " : "", message ? message : "");
    } else {
        out->kind = OUT_REJECTED;
        read_answer(body, NULL, &out->code, &message);
        out->reason = out->code > 0 ? keywords_error_text(out->code, message)
                                    : xasprintf("HTTP %ld - %s", status,
                                                message ? message : "Twilio refused the message");
    }
    free(message);
}

static void set_common_options(CURL *curl, const struct dconfig *cfg)
{
    long timeout = (long)dconfig_get_int(cfg, "send_timeout");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout > 0 ? timeout : 15L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "twowayd/" TWOWAY_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, dconfig_get(cfg, "twilio_account_sid"));
    curl_easy_setopt(curl, CURLOPT_PASSWORD, dconfig_get(cfg, "twilio_auth_token"));
}

/* POST the message to Twilio's Messages API on the worker's connection.
 * No lock held. */
static void post(struct sender *s, CURL *curl, const struct job *job, struct outcome *out)
{
    const struct dconfig *cfg = s->twd->cfg;
    curl_easy_reset(curl);
    set_common_options(curl, cfg);

    char *sid = curl_easy_escape(curl, dconfig_get(cfg, "twilio_account_sid"), 0);
    char *base = xstrdup(dconfig_get(cfg, "twilio_base_url"));
    for (size_t n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
        base[n - 1] = '\0';
    char *url = xasprintf("%s/2010-04-01/Accounts/%s/Messages.json", base, sid ? sid : "");
    char *callback = xasprintf("%s/twilio/status", s->twd->public_url);
    struct buf form, body;
    buf_init(&form);
    buf_init(&body);
    form_add(&form, curl, "To", job->to);
    form_add(&form, curl, "From", job->from);
    form_add(&form, curl, "Body", job->body ? job->body : "");
    for (size_t i = 0; i < job->nmedia; i++)
        form_add(&form, curl, "MediaUrl", job->media[i]);
    form_add(&form, curl, "StatusCallback", callback);

    /* Without "Expect:" curl waits for a 100 Continue on larger bodies. */
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.data);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form.len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

    log_info("sending message %lld to %s (attempt %lld%s)", (long long)job->message_id, job->to,
             (long long)job->attempts, job->nmedia ? ", with media" : "");
    CURLcode rc = curl_easy_perform(curl);
    classify(curl, rc, errbuf, &body, out);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);

    curl_slist_free_all(headers);
    buf_free(&form);
    buf_free(&body);
    free(callback);
    free(url);
    free(base);
    curl_free(sid);
}

/* first, 2 × first, 4 × first … (send_retry_delay, 1 s by default) up to
 * BACKOFF_MAX, plus up to a quarter more at random so that many retries do
 * not arrive together. */
static double backoff(const struct dconfig *cfg, int64_t attempts)
{
    double first = dconfig_get_double(cfg, "send_retry_delay");
    if (!(first > 0))
        first = 1.0;
    double d = attempts >= 20 ? BACKOFF_MAX : first * (double)(1 << (attempts - 1));
    if (d > BACKOFF_MAX)
        d = BACKOFF_MAX;
    uint32_t r = 0;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
        r = 0;
    return d * (1.0 + 0.25 * ((double)r / 4294967296.0));
}

static void record_sent(struct db *db, const struct job *job, const char *sid)
{
    db_exec(db, "UPDATE outbox SET state = 'sent', last_error = NULL WHERE id = ?", "i",
            job->outbox_id);
    if (!sid) {
        log_warn("message %lld: Twilio accepted it without a sid; no delivery updates will match",
                 (long long)job->message_id);
        return;
    }
    if (db_exec(db, "UPDATE messages SET source_id = ?, updated_at = ? WHERE id = ?", "tdi", sid,
                db_now(), job->message_id) != SQLITE_DONE)
        log_error("message %lld: could not store Twilio's sid %s", (long long)job->message_id, sid);
    log_info("message %lld accepted by Twilio as %s", (long long)job->message_id, sid);
}

static void record(struct sender *s, const struct job *job, const struct outcome *out)
{
    struct dbpool *pool = s->twd->pool;
    int64_t max = dconfig_get_int(s->twd->cfg, "send_max_attempts");
    char *why = NULL;
    struct db *db = dbpool_write(pool);
    if (!db) {
        log_error("could not record the outcome of message %lld", (long long)job->message_id);
        return;
    }
    switch (out->kind) {
    case OUT_SENT:
        record_sent(db, job, out->sid);
        break;
    case OUT_REJECTED:
        give_up(db, job, out->reason, true);
        if (out->code == 21610)
            keywords_set_opt_out(db, job->contact_id, job->conv_id, true, "Twilio error 21610");
        break;
    case OUT_RETRY:
        if (job->attempts >= max) {
            why = xasprintf("Could not reach Twilio after %lld attempts: %s",
                            (long long)job->attempts, out->reason);
            give_up(db, job, why, true);
            break;
        }
        db_exec(db,
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ? "
                "WHERE id = ?",
                "dti", db_now() + backoff(s->twd->cfg, job->attempts), out->reason, job->outbox_id);
        log_info("message %lld: %s; will retry", (long long)job->message_id, out->reason);
        break;
    case OUT_UNKNOWN:
        why = xasprintf("Delivery unknown: no answer from Twilio (%s); not resent to avoid a "
                        "duplicate",
                        out->reason);
        give_up(db, job, why, true);
        break;
    }
    if (dbpool_write_end(pool, db, true) < 0)
        log_error("could not record the outcome of message %lld", (long long)job->message_id);
    free(why);
}

/* Rows left 'sending' by a crash may or may not have reached Twilio. */
static void recover(struct sender *s)
{
    struct dbpool *pool = s->twd->pool;
    const char *why = "Delivery unknown: twowayd stopped while sending it; not resent to avoid "
                      "a duplicate";
    struct db *db = dbpool_write(pool);
    if (!db)
        return;
    sqlite3_stmt *st = db_prepare(db, "SELECT id, message_id FROM outbox WHERE state = 'sending'");
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct job job = {.outbox_id = sqlite3_column_int64(st, 0),
                          .message_id = sqlite3_column_int64(st, 1)};
        give_up(db, &job, why, true);
    }
    db_done(db, st);
    dbpool_write_end(pool, db, true);
}

static bool stopping(struct sender *s)
{
    pthread_mutex_lock(&s->mu);
    bool stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

/* Sleep until woken, stopped, the next row is due, or IDLE_WAIT. */
static void wait_for_work(struct sender *s, double next_due, uint64_t seen)
{
    double secs = IDLE_WAIT;
    if (next_due > 0 && next_due - db_now() < secs)
        secs = next_due - db_now();
    if (secs < 0.001)
        secs = 0.001;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long ns = until.tv_nsec + (long)((secs - (long)secs) * 1e9);
    until.tv_sec += (time_t)secs + ns / 1000000000L;
    until.tv_nsec = ns % 1000000000L;
    pthread_mutex_lock(&s->mu);
    while (!s->stop && s->wakes == seen)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s->mu);
}

static uint64_t wakes_now(struct sender *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t w = s->wakes;
    pthread_mutex_unlock(&s->mu);
    return w;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    struct sender *s = w->s;
    while (!stopping(s)) {
        struct job job = {0};
        double next_due = 0;
        /* Read before claiming: a wake-up that comes meanwhile is not lost. */
        uint64_t seen = wakes_now(s);
        switch (claim(s, &job, &next_due)) {
        case CLAIM_JOB: {
            struct outcome out = {0};
            post(s, w->curl, &job, &out);
            record(s, &job, &out);
            free(out.sid);
            free(out.reason);
            /* The next reply to this number may go now, or after its
             * backoff: the others look again. */
            sender_wake(s);
            break;
        }
        case CLAIM_SETTLED:
            sender_wake(s);
            break;
        case CLAIM_NONE:
            wait_for_work(s, next_due, seen);
            break;
        }
        job_free(&job);
    }
    return NULL;
}

static void free_sender(struct sender *s)
{
    for (int i = 0; i < s->nworkers; i++)
        curl_easy_cleanup(s->workers[i].curl);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    curl_global_cleanup();
}

struct sender *sender_start(struct twd *twd)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("libcurl failed to initialise: replies will not be sent");
        return NULL;
    }
    struct sender *s = xcalloc(1, sizeof *s);
    s->twd = twd;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    int64_t n = dconfig_get_int(twd->cfg, "send_workers");
    n = n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : n;
    /* Rows a crash left 'sending' are settled before any worker claims. */
    recover(s);
    for (int i = 0; i < n; i++) {
        struct worker *w = &s->workers[i];
        w->s = s;
        w->curl = curl_easy_init();
        if (!w->curl || pthread_create(&w->thread, NULL, run, w) != 0) {
            if (w->curl)
                curl_easy_cleanup(w->curl);
            break;
        }
        s->nworkers++;
    }
    if (s->nworkers == 0) {
        log_error("could not start the sender: replies will not be sent");
        free_sender(s);
        return NULL;
    }
    if (s->nworkers < n)
        log_warn("the sender runs %d of %lld workers", s->nworkers, (long long)n);
    return s;
}

void sender_wake(struct sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->wakes++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void sender_stop(struct sender **ps)
{
    struct sender *s = *ps;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    log_info("stopping: sends in flight are finished, the rest stays queued");
    for (int i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i].thread, NULL);
    free_sender(s);
    *ps = NULL;
}
