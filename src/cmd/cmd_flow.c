/* cmd_flow — the agent's flow through the inbox: `done` resolves the
 * conversation and opens the next one waiting for an answer, the longest
 * wait first; `unsent` lists the replies that did not go out. */
#include <stdint.h>
#include <stdlib.h>

#include "cmd_priv.h"
#include "twoway/codec.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

/* Among ids, the conversation (other than except) that has waited longest
 * for an answer, or 0. One whose wait has no known start counts as the
 * newest; a tie goes to the higher row. */
int64_t cmd_flow_longest_waiting(const struct cmd_env *env, const int64_t *ids, size_t n,
                                 int64_t except)
{
    int64_t best = 0, best_since = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_conv(env->st, ids[i]);
        if (!c || c->id == except || c->status == CONV_RESOLVED || !model_conversation_waiting(c))
            continue;
        int64_t since = model_conversation_waiting_since(c);
        if (!since)
            since = INT64_MAX - 1;
        if (since < best_since) {
            best = c->id;
            best_since = since;
        }
    }
    return best;
}

/* call->priv while the next one is read. */
struct done_job {
    int64_t resolved, next;
};

static void next_opened(struct cmd_call *call, const struct session_answer *a)
{
    struct done_job j = *(struct done_job *)call->priv;
    free(call->priv);
    call->priv = NULL;
    if (a->why) {
        char *msg = xasprintf("#%lld resolved; the next one could not be opened: %s",
                              (long long)j.resolved, a->why);
        cmd_finish(call, false, msg);
        free(msg);
        return;
    }
    cmd_nav_open_conv(call, j.next);
    const struct conversation *c = store_conv(call->env->st, j.next);
    struct codec_val *extra = codec_object();
    codec_set_str(extra, "status", "resolved");
    codec_set_int(extra, "next", j.next);
    cmd_report_action(call, extra, "#%lld resolved; next: #%lld %s", (long long)j.resolved,
                      (long long)j.next, c ? model_contact_label(&c->contact) : "");
    cmd_finish(call, true, NULL);
}

static void pick_next(struct cmd_call *call, const int64_t *ids, size_t n, void *ud)
{
    (void)ud;
    struct cmd_env *env = call->env;
    int64_t was = call->conv;
    int64_t next = cmd_flow_longest_waiting(env, ids, n, was);
    if (next) {
        struct done_job *j = xcalloc(1, sizeof *j);
        *j = (struct done_job){was, next};
        call->priv = j;
        cmd_fetch_conv(call, next, false, next_opened);
        return;
    }
    /* Nobody waits: back to the list, the thread closed. */
    struct view *v = env->view;
    if (env->batch) {
        env->batch_conv = 0;
    } else {
        if (v->open_conv == was)
            v->open_conv = 0;
        v->focus = VIEW_FOCUS_LIST;
        view_touch(v);
    }
    struct codec_val *extra = codec_object();
    codec_set_str(extra, "status", "resolved");
    codec_set(extra, "next", NULL);
    cmd_report_action(call, extra, "#%lld resolved; nobody else is waiting", (long long)was);
    cmd_finish(call, true, NULL);
}

static void resolved(struct cmd_call *call, const struct session_answer *a)
{
    if (a->why) {
        cmd_finish(call, false, a->why);
        return;
    }
    cmd_nav_with_shown(call, pick_next, NULL);
}

enum cmd_status cmd_flow_done(struct cmd_call *call)
{
    struct session_act a = {.kind = ACT_STATUS, .conv = call->conv, .status = CONV_RESOLVED};
    cmd_fetch_act(call, &a, resolved);
    return CMD_PENDING;
}

/* ---- unsent ---- */

static const char *unsent_word(enum session_unsent st)
{
    switch (st) {
    case SESSION_UNSENT_FAILED:
        return "failed";
    case SESSION_UNSENT_UNSURE:
        return "may have been sent";
    case SESSION_UNSENT_PENDING:
    case SESSION_UNSENT_NONE:
        break;
    }
    return "not sent yet";
}

static void unsent_line(struct cmd_call *call, int64_t conv, const char *state, const char *error,
                        const char *text, bool is_private, const char *echo_id)
{
    const struct conversation *c = store_conv(call->env->st, conv);
    const char *who = c ? model_contact_label(&c->contact) : "";
    if (cmd_json_mode(call)) {
        struct codec_val *o = codec_object();
        codec_set_int(o, "conversation", conv);
        codec_set_str(o, "contact", who);
        codec_set_str(o, "state", state);
        codec_set(o, "error", *error ? codec_str(error) : NULL);
        codec_set_str(o, "text", text);
        codec_set(o, "private", codec_bool(is_private));
        codec_set(o, "echo_id", *echo_id ? codec_str(echo_id) : NULL);
        cmd_emit(call, o);
        return;
    }
    char *head = text_truncate(text, 60, true);
    char *why = *error ? xasprintf(" (%s)", error) : xstrdup("");
    cmd_info(call, "#%lld %s  %s%s%s: %s", (long long)conv, who, is_private ? "note " : "", state,
             why, head);
    free(why);
    free(head);
}

/* The conversations whose last message is a reply the carrier failed. */
static void carrier_failed(struct cmd_call *call, const int64_t *ids, size_t n, void *ud)
{
    size_t found = (size_t)(intptr_t)ud;
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_conv(call->env->st, ids[i]);
        const struct message *l = c ? &c->last : NULL;
        if (!c || !c->has_last || l->type != MSG_OUTGOING || l->is_private ||
            l->status != MSGST_FAILED)
            continue;
        unsent_line(call, c->id, "failed at the carrier", l->external_error, l->content, false, "");
        found++;
    }
    if (!found && !cmd_json_mode(call))
        cmd_info(call, "every reply has gone out");
    cmd_finish(call, true, NULL);
}

/* The replies that did not go out: the outbox's (not sent yet, may have
 * been sent, failed), then those the carrier failed among the
 * conversations shown. */
enum cmd_status cmd_flow_unsent(struct cmd_call *call)
{
    struct session *ss = call->env->ss;
    size_t n = (size_t)session_outbox_count(ss);
    for (size_t i = 0; i < n; i++) {
        struct session_unsent_reply r;
        session_outbox_reply(ss, i, &r);
        unsent_line(call, r.conv, unsent_word(r.state), r.error, r.content, r.is_private,
                    r.echo_id);
    }
    cmd_nav_with_shown(call, carrier_failed, (void *)(intptr_t)n);
    return CMD_PENDING;
}
