/* session_merge — the one place where what the server says goes into the
 * store: conversations and messages from polling, from a command's read
 * or an action's answer, and (with a live channel) pushed by the server.
 * So a pushed change and an action's result land the same way, and a new
 * message from someone else is noticed once, here. */
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

void session_merge_news(struct session *s, const struct conversation *c, const struct message *m)
{
    if (!s->ready || !s->l.inbound)
        return;
    /* Old conversations showing up through paging are not news. */
    if (m->created_at < s->ready_wall - 5)
        return;
    /* The customer's messages, and colleagues' private notes (they may
     * mention us); never activity, our own, or a colleague's reply. */
    bool note_by_other = m->type == MSG_OUTGOING && m->is_private &&
                         !(m->sender_kind == SENDER_AGENT && m->sender_id == s->me);
    if (m->type != MSG_INCOMING && !note_by_other)
        return;
    s->l.inbound(s->l.ud, c, m);
}

unsigned session_merge_conv(struct session *s, struct conversation *c)
{
    int64_t id = c->id;
    unsigned r = store_put_conv(s->st, c);
    if (!(r & (STORE_PUT_NEW | STORE_PUT_NEW_MESSAGE)))
        return r;
    const struct conversation *now = store_conv(s->st, id);
    if (now && now->has_last)
        session_merge_news(s, now, &now->last);
    return r;
}

size_t session_merge_messages(struct session *s, int64_t conv, struct message *msgs, size_t n)
{
    size_t added = store_thread_merge(s->st, conv, msgs, n);
    session_outbox_seen(s, conv);
    return added;
}

void session_merge_dir(struct session *s, enum dir_kind k, struct directory *d)
{
    void *items;
    size_t n;
    model_directory_take(d, k, &items, &n);
    store_set_dir(s->st, k, items, n);
}

static void set_text(char **slot, const char *v)
{
    free(*slot);
    *slot = xstrdup(v ? v : "");
}

static void set_labels(struct conversation *c, char *const *labels, size_t n)
{
    for (size_t i = 0; i < c->nlabels; i++)
        free(c->labels[i]);
    free(c->labels);
    c->labels = xcalloc(n ? n : 1, sizeof *c->labels);
    for (size_t i = 0; i < n; i++)
        c->labels[i] = xstrdup(labels[i]);
    c->nlabels = n;
}

void session_merge_change(struct session *s, const struct conv_change *ch)
{
    struct conversation *c = store_conv_edit(s->st, ch->conv);
    if (c) {
        if (ch->fields & CHANGE_STATUS) {
            c->status = ch->status;
            c->snoozed_until = ch->status == CONV_SNOOZED ? ch->snoozed_until : 0;
        }
        if (ch->fields & CHANGE_PRIORITY)
            c->priority = ch->priority;
        if (ch->fields & CHANGE_ASSIGNEE) {
            c->assignee_id = ch->assignee_id;
            set_text(&c->assignee_name, ch->assignee_name);
        }
        if (ch->fields & CHANGE_TEAM) {
            c->team_id = ch->team_id;
            set_text(&c->team_name, ch->team_name);
        }
        if (ch->fields & CHANGE_LABELS)
            set_labels(c, ch->labels, ch->nlabels);
        /* Marked unread: the server's count comes with the re-read. */
        if ((ch->fields & CHANGE_READ) && (!ch->unread || !c->unread))
            c->unread = ch->unread;
    }
    store_conv_touched(s->st, ch->conv);
    session_fetch_conv(s, ch->conv);
}
