/* session_act — commands' actions on a conversation (status, snooze,
 * priority, assignment, team, labels, read state) and new conversations.
 * The server's answer becomes a conv_change, merged into the store the way
 * a pushed change is (session_merge.c); the command reports from it. */
#include <stdlib.h>

#include "session_priv.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

struct act_job {
    struct session_act a;
    char **labels; /* the copy a.labels points at */
};

static void act_job_free(void *p)
{
    struct act_job *j = p;
    for (size_t i = 0; i < j->a.nlabels; i++)
        free(j->labels[i]);
    free(j->labels);
    free(j);
}

/* The directory's name for id, "" if unknown. */
static const char *dir_name(const struct session *s, enum dir_kind k, int64_t id)
{
    if (!id)
        return "";
    if (k == DIR_AGENTS) {
        const struct agent *a = store_agent(s->st, id);
        return a ? a->name : "";
    }
    const struct team *t = store_team(s->st, id);
    return t ? t->name : "";
}

/* What the server says it did (falling back on what was asked). */
static void change_of(const struct req_ctx *r, const struct prov_result *res,
                      struct conv_change *ch)
{
    const struct act_job *j = r->job;
    const struct session_act *a = &j->a;
    switch (a->kind) {
    case ACT_STATUS:
        ch->fields = CHANGE_STATUS;
        ch->status = res->status;
        ch->snoozed_until = res->snoozed_until;
        break;
    case ACT_PRIORITY:
        ch->fields = CHANGE_PRIORITY;
        ch->priority = a->priority;
        break;
    case ACT_ASSIGN:
        ch->fields = CHANGE_ASSIGNEE;
        ch->assignee_id = a->id;
        ch->assignee_name = dir_name(r->s, DIR_AGENTS, a->id);
        /* The server's answer names whom it really took. */
        if (res->dir.nagents) {
            ch->assignee_id = res->dir.agents[0].id;
            ch->assignee_name = res->dir.agents[0].name;
        }
        break;
    case ACT_TEAM:
        ch->fields = CHANGE_TEAM;
        ch->team_id = a->id;
        ch->team_name = dir_name(r->s, DIR_TEAMS, a->id);
        if (res->dir.nteams) {
            ch->team_id = res->dir.teams[0].id;
            ch->team_name = res->dir.teams[0].name;
        }
        break;
    case ACT_LABELS:
        /* The server's answer is the truth; without one, what we wrote. */
        ch->fields = CHANGE_LABELS;
        ch->labels = res->ntitles || !a->nlabels ? res->titles : j->labels;
        ch->nlabels = res->ntitles || !a->nlabels ? res->ntitles : a->nlabels;
        break;
    case ACT_READ:
    case ACT_UNREAD:
        ch->fields = CHANGE_READ;
        ch->unread = a->kind == ACT_UNREAD;
        break;
    }
}

static void on_acted(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_cmd_usable(r, res, NULL))
        return;
    struct conv_change ch = {.conv = r->conv};
    change_of(r, res, &ch);
    session_merge_change(r->s, &ch);
    session_cmd_answer(r, &(struct session_answer){.change = &ch, .conv = r->conv});
}

static void ask_act(struct req_ctx *r)
{
    const struct session_act *a = &((struct act_job *)r->job)->a;
    struct provider *p = r->s->p;
    const struct provider_ops *o = p->ops;
    switch (a->kind) {
    case ACT_STATUS:
        o->set_status(p, a->conv, a->status, a->snoozed_until, session_cmd_relay, r);
        break;
    case ACT_PRIORITY:
        o->set_priority(p, a->conv, a->priority, session_cmd_relay, r);
        break;
    case ACT_ASSIGN:
        o->assign_agent(p, a->conv, a->id, session_cmd_relay, r);
        break;
    case ACT_TEAM:
        o->assign_team(p, a->conv, a->id, session_cmd_relay, r);
        break;
    case ACT_LABELS:
        o->set_labels(p, a->conv, a->labels, a->nlabels, session_cmd_relay, r);
        break;
    case ACT_READ:
        o->mark_read(p, a->conv, session_cmd_relay, r);
        break;
    case ACT_UNREAD:
        o->mark_unread(p, a->conv, session_cmd_relay, r);
        break;
    }
}

void session_act(struct session *s, const struct session_act *a, session_cb cb, void *ud)
{
    struct act_job *j = xcalloc(1, sizeof *j);
    j->a = *a;
    j->labels = xcalloc(a->nlabels ? a->nlabels : 1, sizeof *j->labels);
    for (size_t i = 0; i < a->nlabels; i++)
        j->labels[i] = xstrdup(a->labels[i]);
    j->a.labels = (const char *const *)j->labels;
    struct provider *p = s->p;
    const struct provider_ops *o = p->ops;
    const void *op[] = {
        [ACT_STATUS] = o->set_status,   [ACT_PRIORITY] = o->set_priority,
        [ACT_ASSIGN] = o->assign_agent, [ACT_TEAM] = o->assign_team,
        [ACT_LABELS] = o->set_labels,   [ACT_READ] = o->mark_read,
        [ACT_UNREAD] = o->mark_unread,
    };
    if (session_cmd_missing(op[a->kind], cb, ud)) {
        act_job_free(j);
        return;
    }
    struct req_ctx *r = session_cmd_req(s, cb, ud, j, act_job_free);
    r->conv = a->conv;
    /* Each sets a state: asked twice (after a "slow down"), set once. */
    session_cmd_ask(r, ask_act, on_acted);
}

/* ---- a new conversation ---- */

static void on_created(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_note_result(r->s, res) || !res->has_conv) {
        session_cmd_fail(r, res, "the server did not create it");
        return;
    }
    int64_t id = res->conv.id;
    session_merge_conv(r->s, &res->conv);
    res->has_conv = false;
    session_cmd_answer(r, &(struct session_answer){.conv = id});
}

void session_create_conv(struct session *s, int64_t inbox, int64_t contact, const char *source_id,
                         const char *text, session_cb cb, void *ud)
{
    if (session_cmd_missing(s->p->ops->create_conversation, cb, ud))
        return;
    struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
    s->p->ops->create_conversation(s->p, inbox, contact, source_id, text, on_created, r);
}

/* ---- a new contact ---- */

static void on_contact_created(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    if (!session_note_result(r->s, res) || res->ncontacts != 1) {
        session_cmd_fail(r, res, "the server did not create the contact");
        return;
    }
    session_cmd_answer(r, &(struct session_answer){.contacts = res->contacts,
                                                   .ncontacts = 1,
                                                   .source_id = res->source_id});
}

void session_create_contact(struct session *s, int64_t inbox, const char *phone, session_cb cb,
                            void *ud)
{
    if (session_cmd_missing(s->p->ops->create_contact, cb, ud))
        return;
    struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
    s->p->ops->create_contact(s->p, inbox, phone, on_contact_created, r);
}
