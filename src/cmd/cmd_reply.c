/* cmd_reply — what goes to the customer: replies, notes, and the
 * failed-reply tools (retry, discard, edit) and templates (new outbound
 * conversations are cmd_new.c's).
 *
 * A reply is checked before it is queued: the text is expanded (an empty
 * variable stops it), an opted-out contact is refused, a conversation
 * owned by another agent and a customer who wrote meanwhile are confirmed
 * (on a screen) or refused (in a script, unless --force). On a screen the
 * command ends when the outbox has the reply; in a script, when the server
 * has taken or refused it. */
#include "twoway/codec.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "twoway/options.h"
#include "twoway/quiet.h"
#include "twoway/session.h"
#include "twoway/smsseg.h"
#include "twoway/store.h"
#include "twoway/template.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

/* Columns of a quoted message in a question. */
#define QUOTE_COLS 60
/* How long a script waits for a reply that is being tried again before it
 * reports "not sent yet" and goes on (the reply stays in the outbox). */
#define SCRIPT_WAIT_MS 30000

/* ---- the reply job ---- */

struct reply_job;
static const char *what(const struct reply_job *j);

struct reply_job {
    bool is_private, force;
    int64_t since;
    char *template_name; /* NULL: none */
    char *typed;         /* the text as typed (may be "") */
    char *text;          /* expanded, what is sent */
    char *echo_id;
    bool templates_read;
    /* On a screen the reply is queued (held) before the server is asked
     * anything, so it shows as "sending" at once however slow the server;
     * the checks then release it or take it back. */
    bool held;
    /* The text is not the agent's to get back (it was discarded by hand,
     * which gave it back already; or there was none). */
    bool not_theirs;
    int64_t wait_until; /* a script: monotonic ms it stops waiting */
};

/* What the agent wrote, before variables are filled in: the template's
 * text (if it is known), then what was typed. Owned. */
static char *as_written(const struct cmd_call *call)
{
    const struct reply_job *j = call->priv;
    const struct template *tp =
        j->template_name ? cmd_resolve_template(call->env, j->template_name) : NULL;
    if (!tp)
        return xstrdup(j->typed);
    return *j->typed ? xasprintf("%s %s", tp->content, j->typed) : xstrdup(tp->content);
}

/* A script waits for what becomes of a reply it queued, through the
 * retries twoway makes by itself, until SCRIPT_WAIT_MS have passed. true
 * if it goes on waiting (cb runs again later). */
static bool wait_more(struct cmd_call *call, const char *echo_id, int64_t until, session_send_cb cb)
{
    struct session *ss = call->env->ss;
    return !session_reply_settled(ss, echo_id) && timeutil_mono_ms() < until &&
           session_watch(ss, echo_id, cb, call) == 0;
}

/* A script's reply that ends before the outbox has it keeps what was
 * written as the conversation's draft; the message says where. Owned
 * message. */
static char *keep_unqueued(struct cmd_call *call, const char *msg)
{
    char *text = as_written(call);
    struct reply_job *j = call->priv;
    if (text_blank(text) || !call->env->ss) {
        free(text);
        return xstrdup(msg);
    }
    char *err = NULL;
    char *path = session_keep_draft(call->env->ss, call->conv, j->is_private, text, &err);
    char *out = path ? xasprintf("%s; the %s is kept as the draft of #%lld (%s)", msg, what(j),
                                 (long long)call->conv, path)
                     : xasprintf("%s; the %s could not be kept as a draft either (%s): %s", msg,
                                 what(j), err, text);
    free(path);
    free(err);
    free(text);
    return out;
}

static void job_end(struct cmd_call *call, bool ok, const char *msg)
{
    struct reply_job *j = call->priv;
    const struct cmd_ui *ui = call->env->ui;
    char *kept = NULL;
    if (j->held && j->echo_id && !ok) /* declined or refused: take it back */
        free(session_discard(call->env->ss, call->conv, j->echo_id));
    if (!ok && !j->not_theirs && ui && ui->refused) {
        /* Nothing typed is lost: it goes back where the agent writes, with
         * the reason next to it. */
        char *text = as_written(call);
        if (!text_blank(text))
            ui->refused(ui->ud, call->conv, j->is_private, text, msg ? msg : "not sent");
        free(text);
    } else if (!ok && !j->not_theirs && !j->echo_id && !ui) {
        /* A script: the draft keeps it. */
        msg = kept = keep_unqueued(call, msg ? msg : "not sent");
    }
    free(j->template_name);
    free(j->typed);
    free(j->text);
    free(j->echo_id);
    free(j);
    call->priv = NULL;
    cmd_finish(call, ok, msg);
    free(kept);
}

static const char *what(const struct reply_job *j)
{
    return j->is_private ? "note" : "reply";
}

/* "reply to #12 <why>", and where the reply is now: it stays in the
 * outbox whatever happened. Owned. */
static char *fate_text(const char *what_, int64_t conv, const char *why)
{
    why = why ? why : "not sent";
    if (strncmp(why, "may have been sent", 18) == 0)
        return xasprintf("%s to #%lld %s", what_, (long long)conv, why);
    if (strncmp(why, "not sent:", 9) == 0)
        return xasprintf("%s to #%lld %s; it is kept in the outbox: `retry --conversation %lld` "
                         "sends it again, `discard --conversation %lld` drops it",
                         what_, (long long)conv, why, (long long)conv, (long long)conv);
    return xasprintf("%s to #%lld %s; it stays in the outbox and goes out while twoway runs, or "
                     "when it next starts",
                     what_, (long long)conv, why);
}

static void on_sent(void *ud, bool ok, int64_t message_id, const char *why)
{
    struct cmd_call *call = ud;
    struct reply_job *j = call->priv;
    if (!ok && wait_more(call, j->echo_id, j->wait_until, on_sent))
        return;
    if (!ok) {
        char *msg = fate_text(what(j), call->conv, why);
        job_end(call, false, msg);
        free(msg);
        return;
    }
    struct codec_val *extra = codec_object();
    codec_set_int(extra, "message_id", message_id);
    codec_set_str(extra, "echo_id", j->echo_id);
    cmd_report_action(call, extra, "%s sent to #%lld (message %lld)", what(j),
                      (long long)call->conv, (long long)message_id);
    job_end(call, true, NULL);
}

static void send_now(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    struct reply_job *j = call->priv;
    char *err = NULL;
    if (j->held) {
        if (session_release(env->ss, j->echo_id, &err) < 0) {
            /* gone meanwhile (discarded by hand): nothing more to do */
            j->held = false;
            j->not_theirs = true;
            job_end(call, false, err);
            free(err);
            return;
        }
        j->held = false;
        job_end(call, true, NULL);
        return;
    }
    if (env->ui) {
        /* The outbox has it: it is safe, and the thread shows how it goes. */
        char *echo = session_send(env->ss, call->conv, j->text, j->is_private, &err);
        if (!echo) {
            job_end(call, false, err);
            free(err);
            return;
        }
        free(echo);
        job_end(call, true, NULL);
        return;
    }
    j->wait_until = timeutil_mono_ms() + SCRIPT_WAIT_MS;
    j->echo_id =
        session_send_notify(env->ss, call->conv, j->text, j->is_private, on_sent, call, &err);
    if (!j->echo_id) {
        job_end(call, false, err);
        free(err);
    }
}

static void confirmed(void *cbud, bool yes);
static void check_owner(struct cmd_call *call);

/* Ask on a screen; refuse in a script. */
static void ask_or_refuse(struct cmd_call *call, const char *question, const char *refusal)
{
    const struct cmd_ui *ui = call->env->ui;
    if (ui && ui->confirm) {
        ui->confirm(ui->ud, question, confirmed, call);
        return;
    }
    job_end(call, false, refusal);
}

/* The newest message after `since` that someone else wrote (the customer
 * or another agent), or NULL. */
static const struct message *newer_by_other(const struct message *m, size_t n, int64_t since,
                                            int64_t me)
{
    for (size_t i = n; i-- > 0;) {
        if (m[i].id <= since || m[i].type == MSG_ACTIVITY || m[i].type == MSG_TEMPLATE)
            continue;
        if (m[i].sender_kind == SENDER_CONTACT || m[i].type == MSG_INCOMING)
            return &m[i];
        if (m[i].sender_kind == SENDER_AGENT && m[i].sender_id != me)
            return &m[i];
    }
    return NULL;
}

static void on_newer(struct cmd_call *call, const struct session_answer *a)
{
    struct reply_job *j = call->priv;
    const struct message *m = NULL;
    /* Unreachable server: the outbox sends it when it can; nothing to warn of. */
    if (!a->why)
        m = newer_by_other(a->msgs, a->nmsgs, j->since, cmd_me(call->env));
    if (!m) {
        send_now(call);
        return;
    }
    char *who;
    const struct conversation *c = store_conv(call->env->st, call->conv);
    if (m->type == MSG_INCOMING && c)
        who = cmd_resolve_first(&c->contact);
    else
        who = xstrdup(*m->sender_name ? m->sender_name : "someone");
    char *flat = text_sanitize_str(m->content, TEXT_SINGLE_LINE);
    char *quote = text_truncate(flat, QUOTE_COLS, true);
    char *q = xasprintf("%s wrote since you started: \"%s\". Send anyway?", who, quote);
    char *r = xasprintf("%s wrote since you started: \"%s\"; use reply --force to send anyway", who,
                        quote);
    /* Asked once: the answer to this question is the last one. */
    j->since = 0;
    ask_or_refuse(call, q, r);
    free(q);
    free(r);
    free(quote);
    free(flat);
    free(who);
}

static void check_newer(struct cmd_call *call)
{
    struct reply_job *j = call->priv;
    if (j->is_private || j->force || !j->since ||
        !options_bool(call->env->opts, "confirm_newer_message") ||
        session_state(call->env->ss) == CONN_RETRYING) {
        send_now(call);
        return;
    }
    cmd_fetch_messages(call, call->conv, j->since, on_newer);
}

static void confirmed(void *cbud, bool yes)
{
    struct cmd_call *call = cbud;
    if (!yes) {
        char *msg = xasprintf("%s to #%lld not sent", what(call->priv), (long long)call->conv);
        job_end(call, false, msg);
        free(msg);
        return;
    }
    struct reply_job *j = call->priv;
    j->force = j->since == 0; /* both questions answered */
    check_newer(call);
}

static void check_owner(struct cmd_call *call)
{
    struct reply_job *j = call->priv;
    const struct conversation *c = store_conv(call->env->st, call->conv);
    int64_t me = cmd_me(call->env);
    if (!j->is_private && !j->force && c && c->assignee_id && me && c->assignee_id != me &&
        options_bool(call->env->opts, "confirm_foreign_reply")) {
        const struct agent *a = store_agent(call->env->st, c->assignee_id);
        const char *owner = a ? a->name : *c->assignee_name ? c->assignee_name : "another agent";
        char *q = xasprintf("#%lld is assigned to %s. Reply anyway?", (long long)c->id, owner);
        char *r = xasprintf("#%lld is assigned to %s; use reply --force (or set "
                            "confirm_foreign_reply = no)",
                            (long long)c->id, owner);
        ask_or_refuse(call, q, r);
        free(q);
        free(r);
        return;
    }
    check_newer(call);
}

static void reply_templates(struct cmd_call *call, const struct session_answer *a);

/* ---- quiet hours ---- */

/* The customer's last message is old (or there is none): the reply is
 * outreach, and waits for their daytime. */
static void refuse_quiet(struct cmd_call *call)
{
    struct reply_job *j = call->priv;
    const struct conversation *c = store_conv(call->env->st, call->conv);
    char *why = c ? cmd_quiet_refusal(call->env, &c->contact, "they have not written for 24 hours",
                                      "reply --force")
                  : NULL;
    if (!why) { /* daytime came meanwhile */
        check_owner(call);
        return;
    }
    char *msg = xasprintf("%s to #%lld not sent: %s", what(j), (long long)call->conv, why);
    job_end(call, false, msg);
    free(msg);
    free(why);
}

static void on_quiet_page(struct cmd_call *call, const struct session_answer *a)
{
    /* Without an answer nobody can say they wrote lately: outreach. */
    int outreach = a->why ? 1 : quiet_outreach(a->msgs, a->nmsgs, a->nmsgs == 0, timeutil_now());
    if (outreach == 0)
        check_owner(call);
    else
        refuse_quiet(call);
}

/* Quiet hours where the customer is, and a reply to someone who has not
 * written for a day (the thread the store has, else its newest page). */
static void check_quiet(struct cmd_call *call)
{
    struct reply_job *j = call->priv;
    struct store *st = call->env->st;
    const struct conversation *c = store_conv(st, call->conv);
    char *why = NULL;
    if (j->is_private || j->force || !c ||
        !(why = cmd_quiet_refusal(call->env, &c->contact, NULL, "reply --force"))) {
        check_owner(call);
        return;
    }
    free(why);
    size_t n;
    const struct message *m = store_thread(st, call->conv, &n);
    int outreach = quiet_outreach(m, n, store_thread_complete(st, call->conv), timeutil_now());
    if (outreach == 0)
        check_owner(call);
    else if (outreach > 0)
        refuse_quiet(call);
    else
        cmd_fetch_messages(call, call->conv, 0, on_quiet_page);
}

/* Refuses a reply longer than max_segments SMS segments or than the SMS
 * provider takes, before anything about it reaches the server (Twilio
 * would refuse it later, 21617, or a carrier drop it). true if the job
 * ended. */
static bool refuse_too_long(struct cmd_call *call, const char *text)
{
    struct reply_job *j = call->priv;
    if (j->is_private)
        return false;
    struct smsseg_info si;
    smsseg_measure(text, &si);
    char *over = smsseg_over_limit(&si, (size_t)options_int(call->env->opts, "max_segments"));
    if (!over)
        return false;
    char *msg = xasprintf("%s to #%lld is too long: %s; nothing was sent", what(j),
                          (long long)call->conv, over);
    job_end(call, false, msg);
    free(msg);
    free(over);
    return true;
}

/* The text to send: the template (if any), then what was typed, with the
 * variables filled in. 0 when j->text is set; 1 when the templates must be
 * read from the server first; -1 after ending the job with the reason. */
static int expand_text(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    struct reply_job *j = call->priv;
    if (j->text)
        return 0;
    const struct template *tp = NULL;
    if (j->template_name) {
        tp = cmd_resolve_template(env, j->template_name);
        if (!tp && !j->templates_read)
            return 1;
        if (!tp) {
            char *msg = xasprintf("unknown template \"%s\" (see `templates`)", j->template_name);
            job_end(call, false, msg);
            free(msg);
            return -1;
        }
    }
    char *raw = tp ? (*j->typed ? xasprintf("%s %s", tp->content, j->typed) : xstrdup(tp->content))
                   : xstrdup(j->typed);
    char *err = NULL;
    j->text = template_expand_for(raw, env->st, call->conv, &err);
    free(raw);
    if (!j->text) {
        char *msg = xasprintf("%s; nothing was sent", err);
        job_end(call, false, msg);
        free(msg);
        free(err);
        return -1;
    }
    if (text_blank(j->text)) {
        job_end(call, false, "nothing to send");
        return -1;
    }
    if (refuse_too_long(call, j->text))
        return -1;
    return 0;
}

/* Refuses a reply to a contact who opted out (with what the store knows
 * now). true if the job ended. */
static bool refuse_opted_out(struct cmd_call *call)
{
    struct reply_job *j = call->priv;
    const struct conversation *c = store_conv(call->env->st, call->conv);
    if (j->is_private || !c || !c->contact.opted_out)
        return false;
    char *name = cmd_resolve_first(&c->contact);
    char *msg =
        xasprintf("%s replied STOP and has opted out of SMS; only notes are possible", name);
    job_end(call, false, msg);
    free(msg);
    free(name);
    return true;
}

static void reply_compose(struct cmd_call *call)
{
    struct reply_job *j = call->priv;
    int rc = expand_text(call);
    if (rc < 0)
        return;
    if (rc > 0) {
        j->templates_read = true;
        cmd_fetch_dir(call, DIR_TEMPLATES, true, reply_templates);
        return;
    }
    if (refuse_opted_out(call))
        return;
    check_quiet(call);
}

/* On a screen, with the conversation known: queue the reply held, before
 * any question goes to the server. false if the job ended. */
static bool queue_early(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    struct reply_job *j = call->priv;
    if (!env->ui || !env->ss || !store_conv(env->st, call->conv))
        return true;
    int rc = expand_text(call);
    if (rc < 0)
        return false;
    if (rc > 0)
        return true; /* the templates come first; queued after the checks */
    if (refuse_opted_out(call))
        return false;
    char *err = NULL;
    j->echo_id = session_send_held(env->ss, call->conv, j->text, j->is_private, &err);
    if (!j->echo_id) {
        job_end(call, false, err);
        free(err);
        return false;
    }
    j->held = true;
    return true;
}

static void reply_templates(struct cmd_call *call, const struct session_answer *a)
{
    const char *why = a->why;
    (void)why; /* an unknown template says it */
    reply_compose(call);
}

static void reply_agents(struct cmd_call *call, const struct session_answer *a)
{
    const char *why = a->why;
    (void)why; /* without agents, {{agent.*}} says what is missing */
    struct reply_job *j = call->priv;
    if (j->template_name && !cmd_resolve_template(call->env, j->template_name)) {
        j->templates_read = true;
        cmd_fetch_dir(call, DIR_TEMPLATES, false, reply_templates);
        return;
    }
    reply_compose(call);
}

static void reply_conv(struct cmd_call *call, const struct session_answer *a)
{
    const char *why = a->why;
    if (why) {
        job_end(call, false, why);
        return;
    }
    cmd_fetch_dir(call, DIR_AGENTS, false, reply_agents);
}

static enum cmd_status start(struct cmd_call *call, bool is_private)
{
    struct cmd_opt opts[] = {
        {"force", false, false, NULL},
        {"since", true, false, NULL},
        {"template", true, false, NULL},
    };
    size_t nopts = is_private ? 0 : sizeof opts / sizeof opts[0];
    int first = 1;
    if (cmd_parse_opts(call, opts, nopts, &first) < 0)
        return CMD_FAIL;
    int64_t since = 0;
    if (opts[1].seen) {
        char *end;
        since = strtoll(opts[1].value, &end, 10);
        if (*end || since < 0) {
            cmd_error(call, "--since needs a message id");
            return CMD_FAIL;
        }
    }
    char *typed = cmd_join_args(call, first);
    if (!*typed && !opts[2].seen) {
        free(typed);
        const struct cmd_ui *ui = call->env->ui;
        if (ui && ui->compose) {
            ui->compose(ui->ud, call->conv, is_private, opts[0].seen, "");
            return CMD_OK;
        }
        cmd_error(call, "nothing to send");
        return CMD_FAIL;
    }
    struct reply_job *j = xcalloc(1, sizeof *j);
    j->is_private = is_private;
    j->force = opts[0].seen;
    j->since = since;
    j->template_name = opts[2].seen ? xstrdup(opts[2].value) : NULL;
    j->typed = typed;
    call->priv = j;
    /* Text that no template or variable can change is measured at once. */
    if (!j->template_name && !template_has_vars(typed) && refuse_too_long(call, typed))
        return CMD_PENDING; /* ended already, with its reason */
    if (!queue_early(call))
        return CMD_PENDING; /* ended already, with its reason */
    /* Fresh: who owns it now matters more than what the list said. */
    cmd_fetch_conv(call, call->conv, true, reply_conv);
    return CMD_PENDING;
}

enum cmd_status cmd_reply_reply(struct cmd_call *call)
{
    return start(call, false);
}

enum cmd_status cmd_reply_note(struct cmd_call *call)
{
    return start(call, true);
}

/* ---- failed replies ---- */

static const struct message *newest_failed(const struct cmd_call *call)
{
    size_t n;
    const struct message *m = store_thread(call->env->st, call->conv, &n);
    for (size_t i = n; i-- > 0;)
        if (!m[i].id && (m[i].status == MSGST_FAILED || m[i].status == MSGST_UNSURE) &&
            *m[i].echo_id)
            return &m[i];
    return NULL;
}

/* The newest reply of mine the server has but the carrier did not deliver
 * (e.g. 30003 unreachable): sending it again means a new message. */
static const struct message *newest_undelivered(const struct cmd_call *call)
{
    size_t n;
    int64_t me = cmd_me(call->env);
    const struct message *m = store_thread(call->env->st, call->conv, &n);
    for (size_t i = n; i-- > 0;)
        if (m[i].id && m[i].status == MSGST_FAILED && m[i].type == MSG_OUTGOING &&
            !m[i].is_private && m[i].sender_kind == SENDER_AGENT && m[i].sender_id == me &&
            *m[i].content)
            return &m[i];
    return NULL;
}

static void on_resent(void *ud, bool ok, int64_t message_id, const char *why)
{
    struct cmd_call *call = ud;
    if (!ok) {
        cmd_finish(call, false, why ? why : "not sent");
        return;
    }
    struct codec_val *extra = codec_object();
    codec_set_int(extra, "message_id", message_id);
    cmd_report_action(call, extra, "the undelivered reply to #%lld sent again (message %lld)",
                      (long long)call->conv, (long long)message_id);
    cmd_finish(call, true, NULL);
}

/* A new message with the text of one the carrier did not deliver. On a
 * screen the outbox takes it and the thread shows how it goes; a script
 * waits for the server's answer. */
static enum cmd_status resend_undelivered(struct cmd_call *call, const struct message *m)
{
    char *text = xstrdup(m->content);
    char *err = NULL;
    bool batch = !call->env->ui;
    char *echo =
        batch ? session_send_notify(call->env->ss, call->conv, text, false, on_resent, call, &err)
              : session_send(call->env->ss, call->conv, text, false, &err);
    free(text);
    if (!echo) {
        cmd_error(call, "%s", err);
        free(err);
        return CMD_FAIL;
    }
    free(echo);
    if (batch)
        return CMD_PENDING;
    cmd_info(call, "sending the undelivered reply to #%lld again", (long long)call->conv);
    return CMD_OK;
}

static enum cmd_status retry_now(struct cmd_call *call);

/* A script's retry: the reply it waits for. */
struct retry_wait {
    char *echo_id;
    int64_t until;
};

static void on_retried(void *ud, bool ok, int64_t message_id, const char *why)
{
    struct cmd_call *call = ud;
    struct retry_wait *w = call->priv;
    if (!ok && wait_more(call, w->echo_id, w->until, on_retried))
        return;
    free(w->echo_id);
    free(w);
    call->priv = NULL;
    if (!ok) {
        char *msg = fate_text("reply", call->conv, why);
        cmd_finish(call, false, msg);
        free(msg);
        return;
    }
    struct codec_val *extra = codec_object();
    codec_set_int(extra, "message_id", message_id);
    cmd_report_action(call, extra, "the reply to #%lld is on the server (message %lld)",
                      (long long)call->conv, (long long)message_id);
    cmd_finish(call, true, NULL);
}

/* A script has not looked at the thread: read its newest page first. */
static void on_retry_thread(struct cmd_call *call, const struct session_answer *a)
{
    (void)a;                /* what came is in the store; without it, nothing to retry */
    call->priv = (void *)1; /* looked */
    enum cmd_status st = retry_now(call);
    if (st != CMD_PENDING)
        cmd_finish(call, st == CMD_OK, NULL);
}

enum cmd_status cmd_reply_retry(struct cmd_call *call)
{
    if (!newest_failed(call) && !call->priv && !store_thread_last_id(call->env->st, call->conv)) {
        cmd_fetch_messages(call, call->conv, 0, on_retry_thread);
        return CMD_PENDING;
    }
    return retry_now(call);
}

static enum cmd_status retry_now(struct cmd_call *call)
{
    call->priv = NULL;
    const struct message *m = newest_failed(call);
    if (!m && (m = newest_undelivered(call)))
        return resend_undelivered(call, m);
    if (!m) {
        cmd_error(call, "no failed reply in #%lld", (long long)call->conv);
        return CMD_FAIL;
    }
    char *echo = xstrdup(m->echo_id);
    char *err = NULL;
    int rc = session_retry(call->env->ss, call->conv, echo, &err);
    if (rc < 0) {
        cmd_error(call, "%s", err);
        free(err);
        free(echo);
        return CMD_FAIL;
    }
    /* A script waits for what became of it. */
    if (!call->env->ui && session_watch(call->env->ss, echo, on_retried, call) == 0) {
        struct retry_wait *w = xcalloc(1, sizeof *w);
        w->echo_id = echo;
        w->until = timeutil_mono_ms() + SCRIPT_WAIT_MS;
        call->priv = w;
        return CMD_PENDING;
    }
    struct codec_val *extra = codec_object();
    codec_set_str(extra, "echo_id", echo);
    cmd_report_action(call, extra, "sending the reply to #%lld again", (long long)call->conv);
    free(echo);
    return CMD_OK;
}

enum cmd_status cmd_reply_discard(struct cmd_call *call)
{
    const struct message *m = newest_failed(call);
    const struct message *u = m ? NULL : newest_undelivered(call);
    const struct cmd_ui *cui = call->env->ui;
    if (u && cui && cui->compose) {
        /* The server keeps it; its text comes back to be worded anew. */
        cui->compose(cui->ud, call->conv, false, false, u->content);
        return CMD_OK;
    }
    if (!m) {
        cmd_error(call, "no failed reply in #%lld", (long long)call->conv);
        return CMD_FAIL;
    }
    bool is_private = m->is_private;
    char *echo = xstrdup(m->echo_id);
    char *text = session_discard(call->env->ss, call->conv, echo);
    free(echo);
    if (!text) {
        cmd_error(call, "that reply is no longer in the outbox");
        return CMD_FAIL;
    }
    const struct cmd_ui *ui = call->env->ui;
    if (ui && ui->compose) {
        ui->compose(ui->ud, call->conv, is_private, false, text);
    } else {
        struct codec_val *extra = codec_object();
        codec_set_str(extra, "text", text);
        cmd_report_action(call, extra, "discarded: %s", text);
    }
    free(text);
    return CMD_OK;
}

enum cmd_status cmd_reply_edit(struct cmd_call *call)
{
    const struct cmd_ui *ui = call->env->ui;
    if (ui->edit)
        ui->edit(ui->ud, call->conv, false, "");
    return CMD_OK;
}

/* ---- template ---- */

/* The template filled in for the conversation in view (unfilled variables
 * are an error). Owned, or NULL after reporting. */
static char *expanded(struct cmd_call *call, const struct template *t)
{
    struct cmd_env *env = call->env;
    char *err = NULL;
    char *text = template_expand_for(t->content, env->st, cmd_default_conv(env), &err);
    if (!text) {
        cmd_error(call, "%s", err);
        free(err);
    }
    return text;
}

/* Inserts or prints the template argv[1] names, found as the picker finds
 * it; false after saying why not. */
static bool use_template(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    const struct cmd_ui *ui = env->ui;
    size_t hits = 0;
    const struct template *t = cmd_resolve_template_prefix(env, call->argv[1], &hits);
    if (!t) {
        cmd_error(call,
                  hits ? "more than one template matches \"%s\" (see `templates`)"
                       : "unknown template \"%s\" (see `templates`)",
                  call->argv[1]);
        return false;
    }
    char *text = expanded(call, t);
    if (!text)
        return false;
    if (ui && ui->insert) {
        ui->insert(ui->ud, text);
    } else if (cmd_json_mode(call)) {
        struct codec_val *o = codec_dir_record(DIR_TEMPLATES, t);
        codec_set_str(o, "expanded", text);
        cmd_emit(call, o);
    } else {
        cmd_info(call, "%s", text);
    }
    free(text);
    return true;
}

static void template_use(struct cmd_call *call, const struct session_answer *a)
{
    (void)a; /* without the server's answer, what is known will do */
    cmd_finish(call, use_template(call), NULL);
}

/* A name that is no short code known here may be one of the server's not
 * read yet (those asked for at start may still be on their way): asked
 * again before it is called unknown, as a reply does. */
static void template_agents(struct cmd_call *call, const struct session_answer *a)
{
    if (!cmd_resolve_template(call->env, call->argv[1])) {
        cmd_fetch_dir(call, DIR_TEMPLATES, true, template_use);
        return;
    }
    template_use(call, a);
}

enum cmd_status cmd_reply_template(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    const struct cmd_ui *ui = env->ui;
    if (call->argc >= 3) {
        char *text = cmd_join_args(call, 2);
        cmd_conf_add_template(env, call->argv[1], text);
        free(text);
        return CMD_OK;
    }
    if (cmd_in_config(call)) {
        cmd_error(call, "usage: template NAME TEXT...");
        return CMD_FAIL;
    }
    if (call->argc == 1) {
        if (ui && ui->pick_template)
            ui->pick_template(ui->ud);
        return CMD_OK;
    }
    /* The agents first, as for a reply: {{agent.*}} of an assignee needs
     * them (asked only when none are known). */
    cmd_fetch_dir(call, DIR_AGENTS, false, template_agents);
    return CMD_PENDING;
}
