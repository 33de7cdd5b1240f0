/* cmd_read — reading out: the list, a thread, the directory, templates,
 * who I am and a contact. One text line (or one JSON record) per item, so
 * scripts can grep, cut and jq them. What is read goes into the store. */
#include "twoway/codec.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/options.h"
#include "twoway/pattern.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

/* Columns of the last message shown in a list line. */
#define PREVIEW_COLS 60

static char *one_line(const char *s, int cols)
{
    char *flat = text_sanitize_str(s, TEXT_SINGLE_LINE);
    if (cols <= 0)
        return flat;
    char *cut = text_truncate(flat, cols, true);
    free(flat);
    return cut;
}

/* ---- list ---- */

static char *conv_line(const struct conversation *c, int64_t now)
{
    struct buf b;
    buf_init(&b);
    buf_addf(&b, "#%lld  %s  %s  %s", (long long)c->id, model_status_name(c->status),
             c->priority ? model_priority_name(c->priority) : "-",
             model_contact_label(&c->contact));
    if (*c->contact.phone && strcmp(c->contact.phone, model_contact_label(&c->contact)) != 0)
        buf_addf(&b, "  %s", c->contact.phone);
    buf_addf(&b, "  %s%s", c->assignee_id ? "@" : "",
             c->assignee_id ? c->assignee_name : "unassigned");
    if (c->team_id)
        buf_addf(&b, "  team:%s", c->team_name);
    if (c->nlabels) {
        buf_adds(&b, "  [");
        for (size_t i = 0; i < c->nlabels; i++)
            buf_addf(&b, "%s%s", i ? "," : "", c->labels[i]);
        buf_adds(&b, "]");
    }
    if (c->unread)
        buf_addf(&b, "  unread:%d", c->unread);
    char ago[16];
    if (c->waiting_since) {
        timeutil_format_ago(now - c->waiting_since, ago, sizeof ago);
        buf_addf(&b, "  waiting:%s", ago);
    }
    if (c->last_activity_at) {
        timeutil_format_ago(now - c->last_activity_at, ago, sizeof ago);
        buf_addf(&b, "  %s ago", ago);
    }
    if (c->has_last && *c->last.content) {
        char *pv = one_line(c->last.content, PREVIEW_COLS);
        buf_addf(&b, "  \"%s\"", pv);
        free(pv);
    }
    return buf_detach(&b);
}

static void list_got(struct cmd_call *call, const struct session_answer *a)
{
    const int64_t *ids = a->ids;
    size_t n = a->nids;
    const char *why = a->why;
    struct cmd_env *env = call->env;
    if (why) {
        cmd_finish(call, false, why);
        return;
    }
    struct pattern_ctx pc = {.me = cmd_me(env), .now = timeutil_now()};
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_conv(env->st, ids[i]);
        if (!c || (env->view->limit && !pattern_match(env->view->limit, c, &pc)))
            continue;
        shown++;
        if (env->ui)
            continue; /* a screen shows the list itself */
        if (cmd_json_mode(call)) {
            cmd_emit(call, codec_conversation(c));
        } else {
            char *line = conv_line(c, pc.now);
            cmd_info(call, "%s", line);
            free(line);
        }
    }
    if (env->ui)
        cmd_info(call, "%zu conversations", shown);
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_read_list(struct cmd_call *call)
{
    struct conv_query q;
    view_query(call->env->view, 1, &q);
    cmd_fetch_list(call, &q, list_got);
    return CMD_PENDING;
}

/* ---- show ---- */

static void print_message(struct cmd_call *call, const struct message *m)
{
    char *when = timeutil_iso8601(m->created_at);
    struct buf b;
    buf_init(&b);
    buf_addf(&b, "%lld  %s  %s", (long long)m->id, when, codec_direction(m));
    if (*m->sender_name)
        buf_addf(&b, "  %s", m->sender_name);
    if (m->type == MSG_OUTGOING && !m->is_private) {
        buf_addf(&b, "  (%s", model_msg_status_name(m->status));
        if (*m->external_error)
            buf_addf(&b, ": %s", m->external_error);
        buf_adds(&b, ")");
    }
    buf_adds(&b, ":");
    /* Continuation lines are indented so every message starts at column 0. */
    const char *p = m->content;
    bool first = true;
    do {
        size_t n = strcspn(p, "\n");
        buf_addf(&b, "%s%.*s", first ? " " : "\n    ", (int)n, p);
        first = false;
        p += n;
    } while (*p++ == '\n');
    for (size_t i = 0; i < m->nattachments; i++)
        buf_addf(&b, "\n    [%s %lld] %s", m->attachments[i].file_type,
                 (long long)m->attachments[i].size, m->attachments[i].url);
    cmd_info(call, "%s", b.data);
    buf_free(&b);
    free(when);
}

static void show_got(struct cmd_call *call, const struct session_answer *a)
{
    const struct message *msgs = a->msgs;
    size_t n = a->nmsgs;
    const char *why = a->why;
    if (why) {
        cmd_finish(call, false, why);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (cmd_json_mode(call))
            cmd_emit(call, codec_message(&msgs[i]));
        else
            print_message(call, &msgs[i]);
    }
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_read_show(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    int64_t id = cmd_default_conv(env);
    if (call->argc > 1) {
        const char *p = call->argv[1][0] == '#' ? call->argv[1] + 1 : call->argv[1];
        char *end;
        id = strtoll(p, &end, 10);
        if (!*p || *end || id <= 0) {
            cmd_error(call, "\"%s\" is not a conversation id", call->argv[1]);
            return CMD_FAIL;
        }
    }
    if (!id) {
        cmd_error(call, "no conversation open");
        return CMD_FAIL;
    }
    if (env->ui) { /* on a screen the thread pane shows it */
        env->view->open_conv = id;
        env->view->selected = id;
        env->view->focus = VIEW_FOCUS_THREAD;
        view_touch(env->view);
        return CMD_OK;
    }
    call->conv = id;
    cmd_fetch_thread(call, id, show_got);
    return CMD_PENDING;
}

/* ---- the directory ---- */

/* A record of the directory as `agents`, `teams` and `labels` print it.
 * Owned. */
static char *dir_line(const struct store *st, enum dir_kind k, const void *rec)
{
    switch (k) {
    case DIR_AGENTS: {
        const struct agent *a = rec;
        /* Presence, when the live channel tells it: online now or not. */
        const char *p = store_agent_presence(st, a->id);
        return xasprintf("%lld  %s  <%s>  %s  %s%s", (long long)a->id, a->name, a->email, a->role,
                         a->availability,
                         !p                         ? ""
                         : strcmp(p, "online") == 0 ? "  online now"
                         : strcmp(p, "busy") == 0   ? "  online now, busy"
                                                    : "  not online");
    }
    case DIR_TEAMS: {
        const struct team *t = rec;
        return xasprintf("%lld  %s%s%s%s", (long long)t->id, t->name,
                         t->is_member ? "  (member)" : "", *t->description ? "  " : "",
                         t->description);
    }
    case DIR_LABELS: {
        const struct label *l = rec;
        return xasprintf("%s%s%s", l->title, *l->description ? "  " : "", l->description);
    }
    default:
        return xstrdup("");
    }
}

/* An agent for --json, with its presence: the live channel's (who said
 * they are here within Chatwoot's window, and what they chose), else the
 * server's availability_status, which Chatwoot already gives as presence
 * ("offline" unless online). */
static struct codec_val *agent_record(const struct store *st, const struct agent *a)
{
    struct codec_val *v = codec_dir_record(DIR_AGENTS, a);
    const char *p = store_agent_presence(st, a->id);
    if (!p)
        p = strcmp(a->availability, "busy") == 0     ? "busy"
            : strcmp(a->availability, "online") == 0 ? "online"
                                                     : "offline";
    codec_set_str(v, "presence", p);
    return v;
}

static void dir_got(struct cmd_call *call, const struct session_answer *a)
{
    if (a->why) {
        cmd_finish(call, false, a->why);
        return;
    }
    enum dir_kind k = (enum dir_kind)(intptr_t)call->priv;
    size_t n;
    const char *items = store_dir(call->env->st, k, &n);
    for (size_t i = 0; i < n; i++) {
        const void *rec = items + i * model_dir_size(k);
        if (cmd_json_mode(call) && k == DIR_AGENTS) {
            cmd_emit(call, agent_record(call->env->st, rec));
        } else if (cmd_json_mode(call)) {
            cmd_emit(call, codec_dir_record(k, rec));
        } else {
            char *line = dir_line(call->env->st, k, rec);
            cmd_info(call, "%s", line);
            free(line);
        }
    }
    cmd_finish(call, true, NULL);
}

/* `agents`, `teams`, `labels`: always fresh from the server. */
static enum cmd_status read_dir(struct cmd_call *call, enum dir_kind k)
{
    call->priv = (void *)(intptr_t)k;
    cmd_fetch_dir(call, k, true, dir_got);
    return CMD_PENDING;
}

enum cmd_status cmd_read_agents(struct cmd_call *call)
{
    return read_dir(call, DIR_AGENTS);
}

enum cmd_status cmd_read_teams(struct cmd_call *call)
{
    return read_dir(call, DIR_TEAMS);
}

enum cmd_status cmd_read_labels(struct cmd_call *call)
{
    return read_dir(call, DIR_LABELS);
}

static void print_template(struct cmd_call *call, const struct template *t)
{
    if (cmd_json_mode(call)) {
        cmd_emit(call, codec_dir_record(DIR_TEMPLATES, t));
        return;
    }
    char *text = one_line(t->content, 0);
    cmd_info(call, "%s  [%s]  %s", t->short_code, t->local ? "local" : "server", text);
    free(text);
}

static void templates_got(struct cmd_call *call, const struct session_answer *a)
{
    struct cmd_env *env = call->env;
    size_t n;
    const struct template *t = store_templates(env->st, &n);
    if (a->why && !env->nlocal_templates) {
        cmd_finish(call, false, a->why);
        return;
    }
    for (size_t i = 0; i < n; i++)
        print_template(call, &t[i]);
    for (size_t i = 0; i < env->nlocal_templates; i++)
        print_template(call, &env->local_templates[i]);
    cmd_finish(call, true, NULL);
}

enum cmd_status cmd_read_templates(struct cmd_call *call)
{
    cmd_fetch_dir(call, DIR_TEMPLATES, true, templates_got);
    return CMD_PENDING;
}

/* ---- whoami ---- */

static const char *server_url(const struct cmd_env *env)
{
    const char *u = getenv("TWOWAY_URL");
    return u && *u ? u : options_get(env->opts, "url");
}

enum cmd_status cmd_read_whoami(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    const struct profile *p = store_profile(env->st);
    if (!p) {
        cmd_error(call, "the profile has not loaded yet");
        return CMD_FAIL;
    }
    const char *url = server_url(env);
    if (cmd_json_mode(call)) {
        struct codec_val *o = codec_profile(p);
        codec_set_str(o, "url", url);
        cmd_emit(call, o);
        return CMD_OK;
    }
    cmd_info(call, "%s <%s> (%s), account %lld %s%s%s", p->name, p->email, p->role,
             (long long)p->account_id, p->account_name, url && *url ? " at " : "", url ? url : "");
    return CMD_OK;
}

/* ---- contact ---- */

static void contact_got(struct cmd_call *call, const struct session_answer *a)
{
    if (a->why || !a->ncontacts) {
        cmd_finish(call, false, a->why ? a->why : "the server sent no contact");
        return;
    }
    const struct contact *c = &a->contacts[0];
    if (cmd_json_mode(call)) {
        cmd_emit(call, codec_contact(c));
        cmd_finish(call, true, NULL);
        return;
    }
    cmd_info(call, "%s (contact %lld)", model_contact_label(c), (long long)c->id);
    if (*c->phone)
        cmd_info(call, "phone: %s", c->phone);
    if (*c->email)
        cmd_info(call, "email: %s", c->email);
    if (*c->identifier)
        cmd_info(call, "identifier: %s", c->identifier);
    if (c->opted_out) {
        char *when = c->opted_out_at ? timeutil_iso8601(c->opted_out_at) : xstrdup("");
        cmd_info(call, "opted out of SMS%s%s", *when ? " since " : "", when);
        free(when);
    }
    for (size_t i = 0; i < c->nattrs; i++)
        cmd_info(call, "%s: %s", c->attrs[i].key, c->attrs[i].value);
    cmd_finish(call, true, NULL);
}

static void contact_conv(struct cmd_call *call, const struct session_answer *a)
{
    const char *why = a->why;
    if (why) {
        cmd_finish(call, false, why);
        return;
    }
    const struct conversation *c = store_conv(call->env->st, call->conv);
    cmd_fetch_contact(call, c->contact.id, contact_got);
}

enum cmd_status cmd_read_contact(struct cmd_call *call)
{
    cmd_fetch_conv(call, call->conv, false, contact_conv);
    return CMD_PENDING;
}
