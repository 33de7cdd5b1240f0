/* cmd_flow — the agent's flow through the inbox: `done` resolves the
 * conversation and opens the next one waiting for an answer, the longest
 * wait first; `unsent` lists the replies that did not go out. */
#include <stdint.h>
#include <stdlib.h>

#include "cmd_priv.h"
#include "twoway/codec.h"
#include "twoway/session.h"
#include "twoway/store.h"
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
