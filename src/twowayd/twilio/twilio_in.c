/* twilio_in — Twilio's webhooks: inbound SMS and status callbacks. */
#include "twilio/twilio_in.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/attach.h"
#include "store/db.h"
#include "dconfig.h"
#include "twilio/hours.h"
#include "twilio/keywords.h"
#include "store/ops.h"
#include "http/req.h"
#include "twilio/sender.h"
#include "twd.h"
#include "twilio/twilio_sig.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Twilio caps an inbound SMS at 1600 characters and a message at 10 media. */
#define BODY_MAX_CHARS 1600
#define MEDIA_MAX 10
#define MEDIA_URL_MAX 2048
/* An away message goes to a conversation at most once in this long. */
#define AWAY_EVERY (12 * 3600.0)

static bool is_printable_ascii(const char *s, size_t max);

static const char *const empty_twiml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

static atomic_bool token_warned;

/* Twilio never repeats a field it defines. A repeat of one we read would
 * let a captured request be re-cut into other fields under the same
 * signature, and only the first copy would be read: refused (400). Fields
 * we do not read may repeat, as the signature scheme allows. */
static bool repeats_a_field_we_read(struct req *r)
{
    static const char *const read[] = {
        "MessageSid", "SmsSid",   "SmsMessageSid",    "From",      "To",
        "Body",       "NumMedia", "MessageStatus",    "ErrorCode", "ErrorMessage",
        "OptOutType", "MediaUrl", "MediaContentType",
    };
    for (int i = 0; i < r->nform; i++) {
        const char *k = r->form[i].key;
        bool ours = false;
        for (size_t n = 0; n < sizeof read / sizeof read[0] && !ours; n++)
            ours = strncmp(k, read[n], strlen(read[n])) == 0;
        for (int j = 0; ours && j < i; j++) {
            if (strcmp(k, r->form[j].key) == 0) {
                req_reply_errorf(r, 400, "the form field %s is repeated",
                                 strlen(k) <= 32 && is_printable_ascii(k, 32) ? k : "?");
                return true;
            }
        }
    }
    return false;
}

/* Is the request Twilio's? Replies (4xx) and returns false if not. */
static bool from_twilio(struct req *r)
{
    const char *token = dconfig_get(r->twd->cfg, "twilio_auth_token");
    if (!*token) {
        if (!atomic_exchange(&token_warned, true))
            log_error("twilio_auth_token is not configured: refusing every Twilio webhook");
        req_reply_error(r, 403, "Twilio webhooks are not configured on this server");
        return false;
    }
    if (r->form_truncated) {
        req_reply_error(r, 400, "too many form fields");
        return false;
    }
    if (repeats_a_field_we_read(r))
        return false;
    const char *sig = req_header(r, "X-Twilio-Signature");
    if (!sig || !*sig) {
        log_warn("%s: no X-Twilio-Signature header", r->path);
        req_reply_error(r, 403, "missing X-Twilio-Signature");
        return false;
    }
    /* Twilio signs the URL it called: ours as the world sees it. */
    char *url = xasprintf("%s%s", r->twd->public_url, r->url);
    bool ok = twilio_sig_verify(token, url, r->form, r->nform, sig);
    if (!ok)
        log_warn("%s: X-Twilio-Signature does not match (expected a signature over %s; check "
                 "public_url and twilio_auth_token)",
                 r->path, url);
    free(url);
    if (!ok)
        req_reply_error(r, 403, "invalid X-Twilio-Signature");
    return ok;
}

/* "+" and 7 to 15 digits. */
static bool is_e164(const char *s)
{
    if (!s || s[0] != '+')
        return false;
    size_t n = 0;
    for (s++; *s; s++, n++)
        if (!isdigit((unsigned char)*s))
            return false;
    return n >= 7 && n <= 15;
}

/* A message SID exactly as Twilio makes them: SM (or MM, with media) and
 * 32 hex digits. The signature covers the fields' names and values run
 * together, so it cannot tell MessageSid=SM…&NumMedia=0 from
 * MessageSid=SM…NumMedia0; only the form of the SID can, and the
 * duplicate check depends on it. */
static bool is_message_sid(const char *s)
{
    if (!s || strlen(s) != 34 || (strncmp(s, "SM", 2) != 0 && strncmp(s, "MM", 2) != 0))
        return false;
    for (s += 2; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return false;
    return true;
}

/* The message's SID from MessageSid, and from SmsSid and SmsMessageSid
 * (Twilio's older names) where present: each well formed, all the same.
 * NULL after answering 400. */
static const char *message_sid(struct req *r)
{
    static const char *const names[] = {"MessageSid", "SmsSid", "SmsMessageSid"};
    const char *sid = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = req_form(r, names[i]);
        if (!v)
            continue;
        if (!is_message_sid(v)) {
            req_reply_errorf(r, 400, "%s must be SM or MM and 32 hex digits", names[i]);
            return NULL;
        }
        if (sid && strcmp(sid, v) != 0) {
            req_reply_errorf(r, 400, "%s and %s differ", names[0], names[i]);
            return NULL;
        }
        sid = v;
    }
    if (!sid)
        req_reply_error(r, 400, "MessageSid is missing");
    return sid;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool is_printable_ascii(const char *s, size_t max)
{
    size_t n = 0;
    for (; *s; s++, n++)
        if (n >= max || (unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return n > 0;
}

struct media {
    const char *url;
    const char *content_type;
};

struct inbound {
    const char *from, *to, *body, *sid;
    struct media media[MEDIA_MAX];
    int nmedia;
};

static int parse_media(struct req *r, struct inbound *in)
{
    const char *num = req_form(r, "NumMedia");
    in->nmedia = 0;
    if (num && *num) {
        char *end;
        long n = strtol(num, &end, 10);
        if (*end || n < 0 || n > MEDIA_MAX) {
            req_reply_errorf(r, 400, "NumMedia must be a number from 0 to %d", MEDIA_MAX);
            return -1;
        }
        in->nmedia = (int)n;
    }
    for (int i = 0; i < in->nmedia; i++) {
        char key[32];
        snprintf(key, sizeof key, "MediaUrl%d", i);
        const char *url = req_form(r, key);
        if (!url || !is_printable_ascii(url, MEDIA_URL_MAX) ||
            (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)) {
            req_reply_errorf(r, 400, "%s must be an http(s) URL", key);
            return -1;
        }
        snprintf(key, sizeof key, "MediaContentType%d", i);
        const char *type = req_form(r, key);
        if (!type || !is_printable_ascii(type, 127) || !strchr(type, '/'))
            type = "application/octet-stream";
        in->media[i] = (struct media){url, type};
    }
    return 0;
}

static int parse_inbound(struct req *r, struct inbound *in)
{
    in->from = req_form(r, "From");
    in->to = req_form(r, "To");
    in->body = req_form(r, "Body");
    if (!is_e164(in->from) || !is_e164(in->to)) {
        req_reply_error(r, 400, "From and To must be E.164 phone numbers (+ and 7 to 15 digits)");
        return -1;
    }
    if (!(in->sid = message_sid(r)))
        return -1;
    if (!in->body)
        in->body = "";
    if (!text_valid_utf8(in->body, strlen(in->body) + 1)) {
        req_reply_error(r, 400, "Body is not valid UTF-8");
        return -1;
    }
    if (utf8_chars(in->body) > BODY_MAX_CHARS) {
        req_reply_errorf(r, 400, "Body is longer than %d characters", BODY_MAX_CHARS);
        return -1;
    }
    return parse_media(r, in);
}

static void add_media(struct db *db, int64_t message_id, const struct inbound *in)
{
    for (int i = 0; i < in->nmedia; i++) {
        char *ext = attach_extension(in->media[i].content_type, NULL);
        db_exec(db,
                "INSERT INTO attachments(message_id, file_type, content_type, extension, data_url, "
                "file_size) VALUES (?, ?, ?, ?, ?, 0)",
                "itttt", message_id, attach_file_type(in->media[i].content_type),
                in->media[i].content_type, ext, in->media[i].url);
        free(ext);
    }
}

/* One of our automatic texts (compliance reply, away message) into the
 * thread, to go out through the sender. attr is the content_attributes. */
static void add_auto_reply(struct db *db, int64_t conv_id, enum ops_msg_type type, const char *text,
                           const char *attr)
{
    struct ops_message m = {
        .conv_id = conv_id,
        .content = text,
        .type = type,
        .content_attributes = attr,
    };
    ops_message_add(db, &m);
}

/* STOP, START, HELP and their synonyms. Returns true if the message was
 * one (then no away message), setting *queued if a reply was queued. */
static bool handle_keyword(struct req *r, const struct inbound *in, int64_t contact, int64_t conv,
                           bool *queued)
{
    struct db *db = r->db;
    const char *word = "";
    /* With Advanced Opt-Out on, Twilio has already answered the customer
     * and tells us what it did: follow it, and say nothing more. */
    enum keywords_kind kind = keywords_opt_out_type(req_form(r, "OptOutType"));
    bool twilio_replied = kind != KEYWORDS_NONE;
    if (twilio_replied)
        word = keywords_name(kind);
    else
        kind = keywords_match(in->body, &word);

    const char *reply = NULL;
    switch (kind) {
    case KEYWORDS_NONE:
        return false;
    case KEYWORDS_STOP:
        keywords_set_opt_out(db, contact, conv, true, word);
        reply = "stop_reply";
        break;
    case KEYWORDS_START:
        keywords_set_opt_out(db, contact, conv, false, word);
        reply = "start_reply";
        break;
    case KEYWORDS_HELP:
        reply = "help_reply";
        break;
    }
    const char *text = dconfig_get(r->twd->cfg, reply);
    if (!twilio_replied && *text) {
        char *attr = xasprintf("{\"" KEYWORDS_REPLY_ATTR "\":\"%s\"}", keywords_name(kind));
        add_auto_reply(db, conv, OPS_OUTGOING, text, attr);
        free(attr);
        *queued = true;
    }
    /* A STOP, or a HELP the system answered, needs no human answer: the
     * conversation does not wait for one (twoway(1), "waiting"). */
    if (kind == KEYWORDS_STOP || (kind == KEYWORDS_HELP && (twilio_replied || *text)))
        db_exec(db, "UPDATE conversations SET waiting_since = NULL WHERE id = ?", "i", conv);
    log_info("%s from contact %lld (%s)", word, (long long)contact,
             twilio_replied ? "Twilio answered it"
             : *text        ? "answered"
                            : "no answer configured");
    return true;
}

/* The away message, outside business hours, once per conversation per
 * AWAY_EVERY. The thread itself records when it last went out. */
static bool send_away(struct req *r, int64_t contact, int64_t conv)
{
    struct db *db = r->db;
    const char *text = dconfig_get(r->twd->cfg, "away_message");
    if (!*text || hours_open_at(r->twd->cfg, time(NULL)) || ops_contact_opted_out(db, contact))
        return false;
    if (db_int(db, 0,
               "SELECT 1 FROM messages WHERE conversation_id = ? AND created_at > ? AND "
               "CASE WHEN json_valid(content_attributes) "
               "THEN json_extract(content_attributes, '$.auto_reply') END = 'away' LIMIT 1",
               "id", conv, db_now() - AWAY_EVERY))
        return false;
    add_auto_reply(db, conv, OPS_TEMPLATE, text, "{\"auto_reply\":\"away\"}");
    return true;
}

void twilio_in_sms(struct req *r)
{
    struct db *db = r->db;
    struct inbound in = {0};
    if (!from_twilio(r) || parse_inbound(r, &in) < 0)
        return;

    int64_t inbox = db_int(db, 0, "SELECT id FROM inboxes WHERE phone_number = ?", "t", in.to);
    if (!inbox) {
        log_warn("inbound SMS %s to %s: no inbox has that number", in.sid, in.to);
        req_reply_error(r, 404, "no inbox has this To number");
        return;
    }
    /* Twilio retries a webhook it got no answer to: store it once, and
     * check before anything is created for it. */
    if (db_int(db, 0, "SELECT 1 FROM messages WHERE inbox_id = ? AND source_id = ?", "it", inbox,
               in.sid)) {
        log_info("inbound SMS %s already stored (a retry)", in.sid);
        req_reply_text(r, 200, "text/xml", empty_twiml);
        return;
    }
    int64_t account = db_int(db, 0, "SELECT account_id FROM inboxes WHERE id = ?", "i", inbox);
    int64_t contact = ops_contact_for_phone(db, account, in.from);
    ops_contact_inbox(db, contact, inbox, in.from);
    int64_t conv = ops_conv_for_inbound(db, inbox, contact);
    struct ops_message m = {
        .conv_id = conv,
        .content = *in.body || in.nmedia == 0 ? in.body : NULL,
        .type = OPS_INCOMING,
        .sender_type = "Contact",
        .sender_id = contact,
        .source_id = in.sid,
    };
    int64_t msg = ops_message_add(db, &m);
    if (!msg) {
        req_reply_error(r, 500, "could not store the message");
        return;
    }
    add_media(db, msg, &in);

    bool queued = false;
    if (!handle_keyword(r, &in, contact, conv, &queued))
        queued = send_away(r, contact, conv);
    if (queued)
        sender_wake(r->twd->sender);
    log_info("inbound SMS %s stored as message %lld in conversation %lld", in.sid, (long long)msg,
             (long long)conv);
    req_reply_text(r, 200, "text/xml", empty_twiml);
}

/* Delivery states only move forward: a late "sent" never undoes
 * "delivered", and nothing comes back from "failed". */
static bool status_moves_forward(const char *old, const char *new)
{
    if (strcmp(old, "sent") == 0)
        return strcmp(new, "sent") != 0;
    if (strcmp(old, "delivered") == 0)
        return strcmp(new, "read") == 0;
    return false;
}

/* Twilio's MessageStatus in our terms, or NULL when it changes nothing. */
static const char *our_status(const char *twilio_status)
{
    static const struct {
        const char *twilio, *ours;
    } map[] = {
        {"sent", "sent"},     {"delivered", "delivered"}, {"read", "read"},
        {"failed", "failed"}, {"undelivered", "failed"},  {"canceled", "failed"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].twilio, twilio_status) == 0)
            return map[i].ours;
    return NULL;
}

static char *failure_text(struct req *r, int64_t *code)
{
    const char *ec = req_form(r, "ErrorCode");
    const char *em = req_form(r, "ErrorMessage");
    if (em && !text_valid_utf8(em, strlen(em) + 1))
        em = NULL;
    char *end = NULL;
    *code = ec && *ec ? strtoll(ec, &end, 10) : 0;
    if (end && *end)
        *code = 0;
    if (*code > 0)
        return keywords_error_text(*code, em);
    if (strcmp(req_form(r, "MessageStatus"), "canceled") == 0)
        return xstrdup("Canceled before it was sent");
    return xstrdup(em && *em ? em : "Delivery failed");
}

void twilio_in_status(struct req *r)
{
    struct db *db = r->db;
    if (!from_twilio(r))
        return;
    const char *sid = message_sid(r);
    if (!sid)
        return;
    const char *status = req_form(r, "MessageStatus");
    if (!status || !*status) {
        req_reply_error(r, 400, "MessageStatus is required");
        return;
    }
    sqlite3_stmt *st =
        db_prepare(db, "SELECT m.id, m.status, m.conversation_id, c.contact_id FROM messages m "
                       "JOIN conversations c ON c.id = m.conversation_id "
                       "WHERE m.id = (SELECT MAX(x.id) FROM messages x WHERE x.source_id = ? "
                       "AND x.message_type IN (1, 3))");
    db_bindv(st, "t", sid);
    int64_t msg = 0, conv = 0, contact = 0;
    char *old = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        msg = sqlite3_column_int64(st, 0);
        old = xstrdup((const char *)sqlite3_column_text(st, 1));
        conv = sqlite3_column_int64(st, 2);
        contact = sqlite3_column_int64(st, 3);
    }
    db_done(db, st);
    const char *ours = our_status(status);
    if (!msg) {
        log_info("status callback for unknown message %s (%s): ignored", sid, status);
    } else if (ours && status_moves_forward(old, ours)) {
        int64_t code = 0;
        char *why = strcmp(ours, "failed") == 0 ? failure_text(r, &code) : NULL;
        ops_message_set_status(db, msg, ours, why);
        log_info("message %lld (%s): %s%s%s", (long long)msg, sid, ours, why ? ": " : "",
                 why ? why : "");
        if (code == 21610)
            keywords_set_opt_out(db, contact, conv, true, "Twilio error 21610");
        free(why);
    } else {
        log_debug("message %lld (%s): %s ignored (now %s)", (long long)msg, sid, status, old);
    }
    free(old);
    req_reply_empty(r, 200);
}
