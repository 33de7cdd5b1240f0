/* cmd_new — `new PHONE TEXT`: a conversation the agent starts.
 *
 * The number is checked before anything is asked (E.164, phone.h). A
 * contact with that number is looked for; when there is none, one is
 * created in the SMS inbox (doc/api.md §9) and the conversation started
 * with its address there (source_id). Before anything is created, the
 * contact must not have opted out, and it must not be quiet hours where
 * they are (quiet.h), unless --force. Whatever stops it gives the text
 * back: on a screen the `:` line opens again with it. */
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/codec.h"
#include "twoway/phone.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/template.h"
#include "twoway/text.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

struct new_job {
    char *phone; /* E.164 */
    char *text;  /* as typed, variables unfilled */
    bool force;
    struct contact contact;
    bool have_contact;
    bool created;  /* the contact is new: made by this command */
    bool searched; /* looked for again after a "has already been taken" */
    char *source_id;
};

/* The command as the agent could run it again, quoted for the `:` line.
 * Owned. */
static char *as_line(const struct new_job *j)
{
    struct buf b;
    buf_init(&b);
    buf_addf(&b, "new %s%s \"", j->force ? "--force " : "", j->phone);
    for (const char *p = j->text; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_addc(&b, '\\');
        buf_addc(&b, *p);
    }
    buf_addc(&b, '"');
    return buf_detach(&b);
}

static void new_end(struct cmd_call *call, bool ok, const char *msg)
{
    struct new_job *j = call->priv;
    const struct cmd_ui *ui = call->env->ui;
    /* Nothing typed is lost: the line comes back where it was typed. */
    if (!ok && ui && ui->command_line && !cmd_in_config(call) && !(call->src && call->src->file)) {
        char *line = as_line(j);
        ui->command_line(ui->ud, line);
        free(line);
    }
    free(j->phone);
    free(j->text);
    free(j->source_id);
    if (j->have_contact)
        model_contact_free(&j->contact);
    free(j);
    call->priv = NULL;
    cmd_finish(call, ok, msg);
}

static void on_created(struct cmd_call *call, const struct session_answer *a)
{
    struct cmd_env *env = call->env;
    struct new_job *j = call->priv;
    if (a->why) {
        new_end(call, false, a->why);
        return;
    }
    int64_t id = a->conv;
    call->conv = id;
    env->batch_conv = id;
    if (!env->batch) {
        env->view->open_conv = id;
        env->view->selected = id;
        env->view->focus = VIEW_FOCUS_THREAD;
        view_touch(env->view);
    }
    struct codec_val *extra = codec_object();
    codec_set(extra, "contact", codec_contact(&j->contact));
    codec_set_bool(extra, "contact_created", j->created);
    cmd_report_action(call, extra, "new conversation #%lld with %s%s", (long long)id,
                      model_contact_label(&j->contact), j->created ? " (a new contact)" : "");
    session_refresh(env->ss);
    new_end(call, true, NULL);
}

static int64_t sms_inbox(const struct cmd_env *env)
{
    if (env->view->inbox_id)
        return env->view->inbox_id;
    size_t n;
    const struct inbox *in = store_inboxes(env->st, &n);
    for (size_t i = 0; i < n; i++)
        if (in[i].is_sms)
            return in[i].id;
    return 0;
}

/* What must hold before anything is created: the contact (or, for a
 * new number, the number) may be texted now. true if the job ended. */
static bool refused(struct cmd_call *call, const struct contact *c)
{
    struct new_job *j = call->priv;
    if (c->opted_out) {
        char *name = cmd_resolve_first(c);
        char *msg = xasprintf("%s replied STOP and has opted out of SMS; nothing was sent", name);
        new_end(call, false, msg);
        free(msg);
        free(name);
        return true;
    }
    char *why = j->force ? NULL : cmd_quiet_refusal(call->env, c, NULL, "new --force");
    if (why) {
        new_end(call, false, why);
        free(why);
        return true;
    }
    return false;
}

static void start_conversation(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    struct new_job *j = call->priv;
    /* Variables: the contact, and me as the agent who starts it. */
    struct conversation c = {.contact = j->contact};
    struct template_vars vars = {.conv = &c, .agent = store_agent(env->st, cmd_me(env))};
    char *err = NULL;
    char *text = template_expand(j->text, &vars, &err);
    if (!text) {
        char *msg = xasprintf("%s; nothing was sent", err);
        new_end(call, false, msg);
        free(msg);
        free(err);
        return;
    }
    cmd_fetch_create(call, sms_inbox(env), j->contact.id, j->source_id, text, on_created);
    free(text);
}

static void look_up(struct cmd_call *call);

static void on_contact_made(struct cmd_call *call, const struct session_answer *a)
{
    struct new_job *j = call->priv;
    if (a->why) {
        /* Someone else made it meanwhile (or a lost answer made it): the
         * contact is there to be found. */
        if (a->outcome == SESSION_REFUSED && strstr(a->why, "already been taken") && !j->searched) {
            j->searched = true;
            look_up(call);
            return;
        }
        char *msg =
            xasprintf("could not add %s as a contact: %s; nothing was sent", j->phone, a->why);
        new_end(call, false, msg);
        free(msg);
        return;
    }
    model_contact_copy(&j->contact, &a->contacts[0]);
    j->have_contact = true;
    j->created = true;
    j->source_id = a->source_id ? xstrdup(a->source_id) : NULL;
    start_conversation(call);
}

static void on_contacts(struct cmd_call *call, const struct session_answer *a)
{
    struct cmd_env *env = call->env;
    struct new_job *j = call->priv;
    if (a->why) {
        new_end(call, false, a->why);
        return;
    }
    char *want = cmd_resolve_digits(j->phone);
    for (size_t i = 0; i < a->ncontacts && !j->have_contact; i++) {
        char *d = cmd_resolve_digits(a->contacts[i].phone);
        if (strcmp(d, want) == 0) {
            model_contact_copy(&j->contact, &a->contacts[i]);
            j->have_contact = true;
        }
        free(d);
    }
    free(want);
    if (j->have_contact) {
        if (!refused(call, &j->contact))
            start_conversation(call);
        return;
    }
    if (j->searched) {
        char *msg =
            xasprintf("%s is taken by a contact that cannot be found; nothing was sent", j->phone);
        new_end(call, false, msg);
        free(msg);
        return;
    }
    /* A new number: checked as a contact with nothing but it. */
    struct contact bare = {.name = "", .phone = j->phone, .email = "", .identifier = ""};
    if (refused(call, &bare))
        return;
    int64_t inbox = sms_inbox(env);
    if (!inbox) {
        new_end(call, false, "no SMS inbox to write from");
        return;
    }
    cmd_fetch_create_contact(call, inbox, j->phone, on_contact_made);
}

static void look_up(struct cmd_call *call)
{
    struct new_job *j = call->priv;
    char *digits = cmd_resolve_digits(j->phone);
    cmd_fetch_contacts(call, digits, on_contacts);
    free(digits);
}

static void on_inboxes(struct cmd_call *call, const struct session_answer *a)
{
    (void)a; /* without inboxes, "no SMS inbox" says it */
    look_up(call);
}

enum cmd_status cmd_new_new(struct cmd_call *call)
{
    struct cmd_opt opts[] = {{"force", false, false, NULL}};
    int first = 1;
    if (cmd_parse_opts(call, opts, 1, &first) < 0)
        return CMD_FAIL;
    if (first >= call->argc) {
        cmd_error(call, "usage: %s", call->def->usage);
        return CMD_FAIL;
    }
    struct new_job *j = xcalloc(1, sizeof *j);
    j->phone = xstrdup(call->argv[first]);
    j->text = cmd_join_args(call, first + 1);
    j->force = opts[0].seen;
    call->priv = j;
    /* Checked before anything is asked: no request for a bad number. */
    char *why = NULL;
    char *phone = phone_e164(j->phone, &why);
    if (!phone) {
        char *msg = xasprintf("%s; nothing was sent", why);
        new_end(call, false, msg);
        free(msg);
        free(why);
        return CMD_PENDING; /* ended already, with its reason */
    }
    free(j->phone);
    j->phone = phone;
    if (text_blank(j->text)) {
        new_end(call, false, "nothing to send");
        return CMD_PENDING;
    }
    cmd_fetch_dir(call, DIR_INBOXES, false, on_inboxes);
    return CMD_PENDING;
}
