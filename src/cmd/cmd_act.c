/* cmd_act — acting on a conversation: assignment, team, labels, status,
 * snooze, priority, read state. Each resolves what was typed and asks the
 * session to act; the session puts the server's answer into the store at
 * once (and re-reads the conversation), so the screen and a following
 * `list` or `show` agree with the server, and reports what it became. */
#include "twoway/codec.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* call->priv of a command that may re-read the directory once. */
#define REFETCHED ((void *)1)

/* Ask the session to act on the command's conversation. */
static void act(struct cmd_call *call, struct session_act a, cmd_next next)
{
    a.conv = call->conv;
    cmd_fetch_act(call, &a, next);
}

/* The server said no: finish with its reason. */
static bool failed(struct cmd_call *call, const struct session_answer *a)
{
    if (!a->why)
        return false;
    cmd_finish(call, false, a->why);
    return true;
}

/* ---- assign, team: who owns the conversation ---- */

static bool is_team(const struct cmd_call *call)
{
    return strcmp(call->def->name, "team") == 0;
}

static void on_owner(struct cmd_call *call, const struct session_answer *a)
{
    if (failed(call, a))
        return;
    bool team = is_team(call);
    int64_t id = team ? a->change->team_id : a->change->assignee_id;
    const char *name = team ? a->change->team_name : a->change->assignee_name;
    struct codec_val *extra = codec_object();
    codec_set(extra, team ? "team" : "assignee", codec_ref(id, name));
    long long conv = (long long)call->conv;
    if (team && id)
        cmd_report_action(call, extra, "#%lld goes to team %s", conv, name);
    else if (team)
        cmd_report_action(call, extra, "#%lld has no team now", conv);
    else if (id)
        cmd_report_action(call, extra, "assigned #%lld to %s", conv, name);
    else
        cmd_report_action(call, extra, "unassigned #%lld", conv);
    cmd_finish(call, true, NULL);
}

static void owner_dir(struct cmd_call *call, const struct session_answer *a)
{
    (void)a; /* an unknown directory shows as "no agent matching" */
    bool team = is_team(call);
    char *spec = cmd_join_args(call, 1);
    char *err = NULL;
    int64_t id = 0;
    int rc = team ? cmd_resolve_team(call->env->st, spec, &id, &err)
                  : cmd_resolve_agent(call->env->st, cmd_me(call->env), spec, &id, &err);
    free(spec);
    if (rc < 0 && call->priv != REFETCHED && !strstr(err, "ambiguous")) {
        free(err);
        call->priv = REFETCHED; /* maybe someone new: read the directory again */
        cmd_fetch_dir(call, team ? DIR_TEAMS : DIR_AGENTS, true, owner_dir);
        return;
    }
    if (rc < 0) {
        cmd_finish(call, false, err);
        free(err);
        return;
    }
    act(call, (struct session_act){.kind = team ? ACT_TEAM : ACT_ASSIGN, .id = id}, on_owner);
}

enum cmd_status cmd_act_assign(struct cmd_call *call)
{
    cmd_fetch_dir(call, DIR_AGENTS, false, owner_dir);
    return CMD_PENDING;
}

enum cmd_status cmd_act_team(struct cmd_call *call)
{
    cmd_fetch_dir(call, DIR_TEAMS, false, owner_dir);
    return CMD_PENDING;
}

/* ---- tag ---- */

struct tag_job {
    bool refetched;
    char **add, **del; /* lower-case titles */
    size_t nadd, ndel;
    char **result; /* the set to write */
    size_t nresult;
};

static void tag_free(struct tag_job *t)
{
    for (size_t i = 0; i < t->nadd; i++)
        free(t->add[i]);
    for (size_t i = 0; i < t->ndel; i++)
        free(t->del[i]);
    for (size_t i = 0; i < t->nresult; i++)
        free(t->result[i]);
    free(t->add);
    free(t->del);
    free(t->result);
    free(t);
}

static void tag_end(struct cmd_call *call, bool ok, const char *msg)
{
    tag_free(call->priv);
    call->priv = NULL;
    cmd_finish(call, ok, msg);
}

static bool in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(v[i], s) == 0)
            return true;
    return false;
}

static void push(char ***v, size_t *n, const char *s)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = xstrdup(s);
}

static void on_labels_set(struct cmd_call *call, const struct session_answer *a)
{
    if (a->why) {
        tag_end(call, false, a->why);
        return;
    }
    char *const *set = a->change->labels;
    size_t n = a->change->nlabels;
    struct buf b;
    buf_init(&b);
    struct codec_val *arr = codec_array();
    for (size_t i = 0; i < n; i++) {
        buf_addf(&b, "%s%s", i ? ", " : "", set[i]);
        codec_push(arr, codec_str(set[i]));
    }
    struct codec_val *extra = codec_object();
    codec_set(extra, "labels", arr);
    cmd_report_action(call, extra, "labels: %s", n ? b.data : "none");
    buf_free(&b);
    tag_end(call, true, NULL);
}

static void on_labels_got(struct cmd_call *call, const struct session_answer *a)
{
    struct tag_job *t = call->priv;
    if (a->why) {
        tag_end(call, false, a->why);
        return;
    }
    /* A label to remove must be on the conversation or be an account label:
     * a typo must not pass as "removed". */
    for (size_t i = 0; i < t->ndel; i++) {
        const char *title;
        char *err = NULL;
        if (in_list(a->titles, a->ntitles, t->del[i]))
            continue;
        if (cmd_resolve_label(call->env->st, t->del[i], &title, &err) < 0) {
            tag_end(call, false, err);
            free(err);
            return;
        }
    }
    for (size_t i = 0; i < a->ntitles; i++)
        if (!in_list(t->del, t->ndel, a->titles[i]) &&
            !in_list(t->result, t->nresult, a->titles[i]))
            push(&t->result, &t->nresult, a->titles[i]);
    for (size_t i = 0; i < t->nadd; i++)
        if (!in_list(t->result, t->nresult, t->add[i]))
            push(&t->result, &t->nresult, t->add[i]);
    act(call,
        (struct session_act){
            .kind = ACT_LABELS, .labels = (const char *const *)t->result, .nlabels = t->nresult},
        on_labels_set);
}

static char *lower(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static void tag_dir(struct cmd_call *call, const struct session_answer *a)
{
    (void)a;
    struct tag_job *t = call->priv;
    for (size_t i = 0; i < t->nadd; i++) {
        const char *title;
        char *err = NULL;
        if (cmd_resolve_label(call->env->st, t->add[i], &title, &err) == 0)
            continue;
        if (!t->refetched) { /* a label made a minute ago? */
            free(err);
            t->refetched = true;
            cmd_fetch_dir(call, DIR_LABELS, true, tag_dir);
            return;
        }
        tag_end(call, false, err);
        free(err);
        return;
    }
    cmd_fetch_labels(call, call->conv, on_labels_got);
}

enum cmd_status cmd_act_tag(struct cmd_call *call)
{
    struct tag_job *t = xcalloc(1, sizeof *t);
    for (int i = 1; i < call->argc; i++) {
        const char *w = call->argv[i];
        bool del = *w == '-';
        if (*w == '+' || *w == '-')
            w++;
        if (!*w) {
            tag_free(t);
            cmd_error(call, "usage: %s", call->def->usage);
            return CMD_FAIL;
        }
        char *l = lower(w);
        if (del)
            push(&t->del, &t->ndel, l);
        else
            push(&t->add, &t->nadd, l);
        free(l);
    }
    call->priv = t;
    cmd_fetch_dir(call, DIR_LABELS, false, tag_dir);
    return CMD_PENDING;
}

/* ---- status, snooze ---- */

static void on_status(struct cmd_call *call, const struct session_answer *a)
{
    if (failed(call, a))
        return;
    enum conv_status st = a->change->status;
    int64_t until = a->change->snoozed_until;
    struct codec_val *extra = codec_object();
    codec_set_str(extra, "status", model_status_name(st));
    long long id = (long long)call->conv;
    if (st == CONV_SNOOZED) {
        codec_set(extra, "snoozed_until", codec_time(until));
        if (until) {
            char when[64];
            time_t t = (time_t)until;
            struct tm tm;
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
            cmd_report_action(call, extra, "#%lld snoozed until %s", id, when);
        } else {
            cmd_report_action(call, extra, "#%lld snoozed until the next reply", id);
        }
    } else {
        static const char *const said[] = {"reopened", "pending", "resolved", "snoozed"};
        cmd_report_action(call, extra, "#%lld %s", id, said[st]);
    }
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_act_status(struct cmd_call *call)
{
    const char *name = call->def->name;
    enum conv_status st = strcmp(name, "resolve") == 0   ? CONV_RESOLVED
                          : strcmp(name, "pending") == 0 ? CONV_PENDING
                                                         : CONV_OPEN;
    act(call, (struct session_act){.kind = ACT_STATUS, .status = st}, on_status);
    return CMD_PENDING;
}

enum cmd_status cmd_act_snooze(struct cmd_call *call)
{
    char *when = cmd_join_args(call, 1);
    int64_t now = timeutil_now(), until = 0;
    if (strcasecmp(when, "next-reply") != 0) {
        if (timeutil_parse_when(when, now, &until) < 0) {
            cmd_error(call,
                      "cannot read \"%s\" as a time (2h, 1d, tomorrow, 17:30, 2026-12-01 09:00, "
                      "next-reply)",
                      when);
            free(when);
            return CMD_FAIL;
        }
        if (until <= now) {
            /* A clock time is today's: one that has passed is more likely
             * a typo than a wish to wait a day (twoway(1), snooze). */
            bool clock = strchr(when, ':') && !strchr(when, '-') && strncmp(when, "tomorrow", 8);
            if (clock)
                cmd_error(call, "%s today has passed (for tomorrow: snooze tomorrow %s)", when,
                          when);
            else
                cmd_error(call, "\"%s\" is in the past", when);
            free(when);
            return CMD_FAIL;
        }
    }
    free(when);
    act(call,
        (struct session_act){.kind = ACT_STATUS, .status = CONV_SNOOZED, .snoozed_until = until},
        on_status);
    return CMD_PENDING;
}

/* ---- priority ---- */

static void on_priority(struct cmd_call *call, const struct session_answer *a)
{
    if (failed(call, a))
        return;
    enum conv_priority pr = a->change->priority;
    struct codec_val *extra = codec_object();
    codec_set(extra, "priority", pr == PRIORITY_NONE ? NULL : codec_str(model_priority_name(pr)));
    cmd_report_action(call, extra, "#%lld priority %s", (long long)call->conv,
                      model_priority_name(pr));
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_act_priority(struct cmd_call *call)
{
    enum conv_priority pr;
    if (model_priority_parse(call->argv[1], &pr) < 0) {
        cmd_error(call, "unknown priority \"%s\" (urgent, high, medium, low, none)", call->argv[1]);
        return CMD_FAIL;
    }
    act(call, (struct session_act){.kind = ACT_PRIORITY, .priority = pr}, on_priority);
    return CMD_PENDING;
}

/* ---- read state ---- */

static void on_read(struct cmd_call *call, const struct session_answer *a)
{
    if (failed(call, a))
        return;
    cmd_report_action(call, NULL, "#%lld marked %s", (long long)call->conv,
                      a->change->unread ? "unread" : "read");
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_act_read(struct cmd_call *call)
{
    bool read = strcmp(call->def->name, "mark-read") == 0;
    act(call, (struct session_act){.kind = read ? ACT_READ : ACT_UNREAD}, on_read);
    return CMD_PENDING;
}

enum cmd_status cmd_act_refresh(struct cmd_call *call)
{
    session_refresh(call->env->ss);
    return CMD_OK;
}
