/* cmd_act — acting on a conversation: assignment, team, labels, status,
 * snooze, priority, read state. Each resolves what was typed, asks the
 * server, then updates the store at once (and re-reads the conversation),
 * so the screen and a following `list` or `show` agree with the server. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/provider.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* call->priv of a command that may re-read the directory once. */
#define REFETCHED ((void *)1)

static struct provider *prov(struct cmd_call *call)
{
    return session_provider(call->env->ss);
}

/* The server said no: finish with its reason. */
static bool failed(struct cmd_call *call, const struct prov_result *res)
{
    if (res->err == PROV_OK)
        return false;
    cmd_finish(call, false,
               res->message && *res->message ? res->message : provider_err_name(res->err));
    return true;
}

/* Edit the stored record (if known) and let the session re-read it. */
static struct conversation *edit_begin(struct cmd_call *call)
{
    return store_conv_edit(call->env->st, call->conv);
}

static void edit_end(struct cmd_call *call)
{
    store_conv_touched(call->env->st, call->conv);
    session_fetch_conv(call->env->ss, call->conv);
}

static void set_text(char **slot, const char *v)
{
    free(*slot);
    *slot = xstrdup(v ? v : "");
}

/* ---- assign, team: who owns the conversation ---- */

static bool is_team(const struct cmd_call *call)
{
    return strcmp(call->def->name, "team") == 0;
}

static void on_owner(void *ud, struct prov_result *res)
{
    struct cmd_call *call = ud;
    if (failed(call, res))
        return;
    bool team = is_team(call);
    int64_t id = (int64_t)(intptr_t)call->priv;
    const struct agent *agent = id && !team ? store_agent(call->env->st, id) : NULL;
    const struct team *known = id && team ? store_team(call->env->st, id) : NULL;
    const char *name = agent ? agent->name : known ? known->name : "";
    /* The server's answer names whom it really took. */
    if (!team && res->dir.nagents) {
        id = res->dir.agents[0].id;
        name = res->dir.agents[0].name;
    } else if (team && res->dir.nteams) {
        id = res->dir.teams[0].id;
        name = res->dir.teams[0].name;
    }
    struct conversation *c = edit_begin(call);
    if (c && team) {
        c->team_id = id;
        set_text(&c->team_name, name);
    } else if (c) {
        c->assignee_id = id;
        set_text(&c->assignee_name, name);
    }
    edit_end(call);
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, team ? "team" : "assignee", cmd_json_ref(id, name));
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

static void owner_dir(struct cmd_call *call, const char *why)
{
    (void)why; /* an unknown directory shows as "no agent matching" */
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
    call->priv = (void *)(intptr_t)id;
    struct provider *p = prov(call);
    if (team)
        p->ops->assign_team(p, call->conv, id, on_owner, call);
    else
        p->ops->assign_agent(p, call->conv, id, on_owner, call);
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

static void on_labels_set(void *ud, struct prov_result *res)
{
    struct cmd_call *call = ud;
    if (res->err != PROV_OK) {
        tag_end(call, false, res->message ? res->message : provider_err_name(res->err));
        return;
    }
    struct tag_job *t = call->priv;
    /* The server's answer is the truth; without one, what we wrote. */
    char **set = res->ntitles || !t->nresult ? res->titles : t->result;
    size_t n = res->ntitles || !t->nresult ? res->ntitles : t->nresult;
    struct conversation *c = edit_begin(call);
    if (c) {
        for (size_t i = 0; i < c->nlabels; i++)
            free(c->labels[i]);
        free(c->labels);
        c->labels = xcalloc(n ? n : 1, sizeof *c->labels);
        for (size_t i = 0; i < n; i++)
            c->labels[i] = xstrdup(set[i]);
        c->nlabels = n;
    }
    edit_end(call);
    struct buf b;
    buf_init(&b);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        buf_addf(&b, "%s%s", i ? ", " : "", set[i]);
        json_object_array_add(arr, json_object_new_string(set[i]));
    }
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "labels", arr);
    cmd_report_action(call, extra, "labels: %s", n ? b.data : "none");
    buf_free(&b);
    tag_end(call, true, NULL);
}

static void on_labels_got(void *ud, struct prov_result *res)
{
    struct cmd_call *call = ud;
    struct tag_job *t = call->priv;
    if (res->err != PROV_OK) {
        tag_end(call, false, res->message ? res->message : provider_err_name(res->err));
        return;
    }
    /* A label to remove must be on the conversation or be an account label:
     * a typo must not pass as "removed". */
    for (size_t i = 0; i < t->ndel; i++) {
        const char *title;
        char *err = NULL;
        if (in_list(res->titles, res->ntitles, t->del[i]))
            continue;
        if (cmd_resolve_label(call->env->st, t->del[i], &title, &err) < 0) {
            tag_end(call, false, err);
            free(err);
            return;
        }
    }
    for (size_t i = 0; i < res->ntitles; i++)
        if (!in_list(t->del, t->ndel, res->titles[i]) &&
            !in_list(t->result, t->nresult, res->titles[i]))
            push(&t->result, &t->nresult, res->titles[i]);
    for (size_t i = 0; i < t->nadd; i++)
        if (!in_list(t->result, t->nresult, t->add[i]))
            push(&t->result, &t->nresult, t->add[i]);
    prov(call)->ops->set_labels(prov(call), call->conv, (const char *const *)t->result, t->nresult,
                                on_labels_set, call);
}

static char *lower(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static void tag_dir(struct cmd_call *call, const char *why)
{
    (void)why;
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
    prov(call)->ops->get_labels(prov(call), call->conv, on_labels_got, call);
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

static void on_status(void *ud, struct prov_result *res)
{
    struct cmd_call *call = ud;
    if (failed(call, res))
        return;
    struct conversation *c = edit_begin(call);
    if (c) {
        c->status = res->status;
        c->snoozed_until = res->status == CONV_SNOOZED ? res->snoozed_until : 0;
    }
    edit_end(call);
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "status", json_object_new_string(model_status_name(res->status)));
    long long id = (long long)call->conv;
    if (res->status == CONV_SNOOZED) {
        json_object_object_add(extra, "snoozed_until", cmd_json_time(res->snoozed_until));
        if (res->snoozed_until) {
            char when[64];
            time_t t = (time_t)res->snoozed_until;
            struct tm tm;
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
            cmd_report_action(call, extra, "#%lld snoozed until %s", id, when);
        } else {
            cmd_report_action(call, extra, "#%lld snoozed until the next reply", id);
        }
    } else {
        static const char *const said[] = {"reopened", "pending", "resolved", "snoozed"};
        cmd_report_action(call, extra, "#%lld %s", id, said[res->status]);
    }
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_act_status(struct cmd_call *call)
{
    const char *name = call->def->name;
    enum conv_status st = strcmp(name, "resolve") == 0   ? CONV_RESOLVED
                          : strcmp(name, "pending") == 0 ? CONV_PENDING
                                                         : CONV_OPEN;
    prov(call)->ops->set_status(prov(call), call->conv, st, 0, on_status, call);
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
            cmd_error(call, "\"%s\" is in the past", when);
            free(when);
            return CMD_FAIL;
        }
    }
    free(when);
    prov(call)->ops->set_status(prov(call), call->conv, CONV_SNOOZED, until, on_status, call);
    return CMD_PENDING;
}

/* ---- priority ---- */

static void on_priority(void *ud, struct prov_result *res)
{
    struct cmd_call *call = ud;
    if (failed(call, res))
        return;
    enum conv_priority pr = (enum conv_priority)(intptr_t)call->priv;
    struct conversation *c = edit_begin(call);
    if (c)
        c->priority = pr;
    edit_end(call);
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "priority",
                           pr == PRIORITY_NONE ? NULL
                                               : json_object_new_string(model_priority_name(pr)));
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
    call->priv = (void *)(intptr_t)pr;
    prov(call)->ops->set_priority(prov(call), call->conv, pr, on_priority, call);
    return CMD_PENDING;
}

/* ---- read state ---- */

static void on_read(void *ud, struct prov_result *res)
{
    struct cmd_call *call = ud;
    if (failed(call, res))
        return;
    bool read = strcmp(call->def->name, "mark-read") == 0;
    struct conversation *c = edit_begin(call);
    if (c && read)
        c->unread = 0;
    else if (c && !c->unread)
        c->unread = 1; /* the server's count comes with the re-read */
    edit_end(call);
    cmd_report_action(call, NULL, "#%lld marked %s", (long long)call->conv,
                      read ? "read" : "unread");
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_act_read(struct cmd_call *call)
{
    struct provider *p = prov(call);
    if (strcmp(call->def->name, "mark-read") == 0)
        p->ops->mark_read(p, call->conv, on_read, call);
    else
        p->ops->mark_unread(p, call->conv, on_read, call);
    return CMD_PENDING;
}

enum cmd_status cmd_act_refresh(struct cmd_call *call)
{
    session_refresh(call->env->ss);
    return CMD_OK;
}
