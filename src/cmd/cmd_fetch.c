/* cmd_fetch — commands ask the server through the session (session.h),
 * never the provider: these wrap its requests in the command's own
 * continuation, and answer from the store alone when there is no session
 * (a config file, a test without a server). */
#include <stdlib.h>

#include "cmd_priv.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

struct ask {
    struct cmd_call *call;
    cmd_next next;
};

static void answered(void *ud, const struct session_answer *a)
{
    struct ask *k = ud;
    struct cmd_call *call = k->call;
    cmd_next next = k->next;
    free(k);
    cmd_note_outcome(call, a->outcome);
    next(call, a);
}

static struct ask *ask(struct cmd_call *call, cmd_next next)
{
    struct ask *k = xcalloc(1, sizeof *k);
    k->call = call;
    k->next = next;
    return k;
}

/* Without a session: what the store has, or why not. */
static void no_server(struct cmd_call *call, cmd_next next, enum session_outcome o, const char *why)
{
    struct session_answer a = {.outcome = o, .why = o == SESSION_OK ? NULL : why};
    next(call, &a);
}

#define NEEDS_SESSION(call, next)                                                                  \
    do {                                                                                           \
        if (!(call)->env->ss) {                                                                    \
            no_server((call), (next), SESSION_OFFLINE, "not connected to a server");               \
            return;                                                                                \
        }                                                                                          \
    } while (0)

void cmd_fetch_conv(struct cmd_call *call, int64_t conv, bool fresh, cmd_next next)
{
    struct session *ss = call->env->ss;
    if (ss) {
        session_get_conv(ss, conv, fresh, answered, ask(call, next));
    } else if (store_conv(call->env->st, conv)) {
        no_server(call, next, SESSION_OK, NULL);
    } else {
        char *why = xasprintf("no conversation #%lld", (long long)conv);
        no_server(call, next, SESSION_NOT_FOUND, why);
        free(why);
    }
}

void cmd_fetch_dir(struct cmd_call *call, enum dir_kind k, bool force, cmd_next next)
{
    if (call->env->ss)
        session_get_dir(call->env->ss, k, force, answered, ask(call, next));
    else
        no_server(call, next, SESSION_OK, NULL);
}

void cmd_fetch_list(struct cmd_call *call, const struct conv_query *q, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_list_all(call->env->ss, q, answered, ask(call, next));
}

void cmd_fetch_thread(struct cmd_call *call, int64_t conv, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_thread_all(call->env->ss, conv, answered, ask(call, next));
}

void cmd_fetch_messages(struct cmd_call *call, int64_t conv, int64_t after, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_read_messages(call->env->ss, conv, after, answered, ask(call, next));
}

void cmd_fetch_labels(struct cmd_call *call, int64_t conv, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_read_labels(call->env->ss, conv, answered, ask(call, next));
}

void cmd_fetch_contacts(struct cmd_call *call, const char *text, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_find_contacts(call->env->ss, text, answered, ask(call, next));
}

void cmd_fetch_contact(struct cmd_call *call, int64_t contact, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_get_contact(call->env->ss, contact, answered, ask(call, next));
}

void cmd_fetch_contact_convs(struct cmd_call *call, int64_t contact, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_contact_convs(call->env->ss, contact, answered, ask(call, next));
}

void cmd_fetch_act(struct cmd_call *call, const struct session_act *a, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_act(call->env->ss, a, answered, ask(call, next));
}

void cmd_fetch_create(struct cmd_call *call, int64_t inbox, int64_t contact, const char *source_id,
                      const char *text, cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_create_conv(call->env->ss, inbox, contact, source_id, text, answered, ask(call, next));
}

void cmd_fetch_create_contact(struct cmd_call *call, int64_t inbox, const char *phone,
                              cmd_next next)
{
    NEEDS_SESSION(call, next);
    session_create_contact(call->env->ss, inbox, phone, answered, ask(call, next));
}
