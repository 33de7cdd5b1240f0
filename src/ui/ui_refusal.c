/* ui_refusal — a reply or note that did not go out comes back to the
 * agent, never lost: refused before sending (an unfilled variable, an
 * opted-out contact, too long, a question answered no) or by the server
 * (a 4xx). It goes into the composer if that is open on the conversation,
 * into a composer opened again if the agent is still on the conversation,
 * else into the conversation's draft. The reason is the composer's status
 * line, next to the text, until the text is sent or emptied; it waits with
 * the draft for the next `r`. */
#include <stdlib.h>
#include <string.h>

#include "twoway/drafts.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

/* ---- reasons waiting with drafts ---- */

struct ui_note {
    int64_t conv;
    bool is_private;
    char *why;
};

static struct ui_note *find_note(struct ui *ui, int64_t conv, bool is_private)
{
    for (size_t i = 0; i < ui->nnotes; i++)
        if (ui->notes[i].conv == conv && ui->notes[i].is_private == is_private)
            return &ui->notes[i];
    return NULL;
}

void ui_note_put(struct ui *ui, int64_t conv, bool is_private, const char *why)
{
    struct ui_note *n = find_note(ui, conv, is_private);
    if (!n) {
        ui->notes = xreallocarray(ui->notes, ui->nnotes + 1, sizeof *ui->notes);
        n = &ui->notes[ui->nnotes++];
        n->conv = conv;
        n->is_private = is_private;
        n->why = NULL;
    }
    free(n->why);
    n->why = xstrdup(why);
}

char *ui_note_take(struct ui *ui, int64_t conv, bool is_private)
{
    struct ui_note *n = find_note(ui, conv, is_private);
    if (!n)
        return NULL;
    char *why = n->why;
    *n = ui->notes[--ui->nnotes];
    return why;
}

void ui_notes_free(struct ui *ui)
{
    for (size_t i = 0; i < ui->nnotes; i++)
        free(ui->notes[i].why);
    free(ui->notes);
    ui->notes = NULL;
    ui->nnotes = 0;
}

/* ---- giving text back ---- */

/* The refused text before what the draft holds now (a line break
 * between), unless the draft has it already. Owned. */
static char *merged(const char *text, const char *draft)
{
    if (!draft || !*draft)
        return xstrdup(text);
    if (strstr(draft, text))
        return xstrdup(draft);
    return xasprintf("%s\n%s", text, draft);
}

/* why NULL: a reason given already stays; else whatever was last said. */
static void set_note(struct ui *ui, const char *why)
{
    if (!why && ui->compose_note)
        return;
    if (!why)
        why = ui->message && ui->message_error ? ui->message : "not sent";
    char *copy = xstrdup(why);
    free(ui->compose_note);
    ui->compose_note = copy;
    ui_damage(ui, DMG_STATUS);
}

void ui_give_back(struct ui *ui, int64_t conv, bool is_private, const char *text, const char *why)
{
    if (ui->mode == MODE_COMPOSE && ui->compose_conv == conv && ui->compose_private == is_private) {
        ui_rl_stop_search(ui);
        if (!strstr(ui_rl_text(), text))
            ui_rl_put_first(ui, text);
        set_note(ui, why);
        if (why)
            ui_message(ui, NULL, false); /* the reason says it, and stays */
        return;
    }
    char *draft = drafts_load(ui->deps.state_dir, conv, is_private);
    char *all = merged(text, draft);
    free(draft);
    /* Still on that conversation with nothing else going on: the composer
     * again, where the agent just was. */
    if (ui->mode == MODE_NORMAL && ui->overlay == OVERLAY_NONE && !ui->lent &&
        ui->env->view->open_conv == conv) {
        ui_compose_open(ui, conv, is_private, all);
        set_note(ui, why);
        if (why)
            ui_message(ui, NULL, false); /* the reason says it, and stays */
        free(all);
        return;
    }
    char *err = NULL;
    if (drafts_save(ui->deps.state_dir, conv, is_private, all, &err) < 0) {
        /* Nowhere to keep it but the screen. */
        char *m = xasprintf("not sent, and its draft could not be saved (%s): %s", err, text);
        ui_message(ui, m, true);
        free(m);
        free(err);
        free(all);
        return;
    }
    if (why || !find_note(ui, conv, is_private))
        ui_note_put(ui, conv, is_private, why ? why : "not sent");
    char *m =
        xasprintf("%s to #%lld is back in its draft (%s there): %s", is_private ? "note" : "reply",
                  (long long)conv, is_private ? "n" : "r", why ? why : "not sent");
    ui_message(ui, m, true);
    free(m);
    free(all);
}

void ui_reply_refused(struct ui *ui, int64_t conv, const char *echo_id, const char *why)
{
    if (!ui->env->ss)
        return;
    const struct message *m = store_thread_find_echo(ui->env->st, conv, echo_id);
    bool is_private = m && m->is_private;
    /* Out of the outbox, as it was never stored: its text is the agent's
     * again. If it cannot be taken (on its way again), it stays in the
     * thread as failed, with retry and discard. */
    char *text = session_discard(ui->env->ss, conv, echo_id);
    if (!text)
        return;
    char *reason = xasprintf("the server refused it: %s", why && *why ? why : "no reason given");
    ui_give_back(ui, conv, is_private, text, reason);
    free(reason);
    free(text);
}
