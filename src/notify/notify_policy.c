/* notify_policy — what deserves a notification (the notify_on setting):
 * a customer's message in a conversation assigned to me or to nobody, a
 * private note that @mentions me; never my own messages, other agents'
 * replies, or notes that do not name me. With "all": every customer
 * message, and mentions. */
#include <stdio.h>
#include <string.h>

#include "notify_priv.h"
#include "twoway/notify.h"

unsigned notify_on_parse(const char *value)
{
    static const struct {
        const char *name;
        unsigned bit;
    } words[] = {
        {"mine", NOTIFY_ON_MINE},
        {"unassigned", NOTIFY_ON_UNASSIGNED},
        {"mentions", NOTIFY_ON_MENTIONS},
        {"all", NOTIFY_ON_ALL},
    };
    unsigned on = 0;
    for (const char *p = value ? value : ""; *p;) {
        size_t n = strcspn(p, ",");
        for (size_t i = 0; i < sizeof words / sizeof *words; i++)
            if (strlen(words[i].name) == n && strncmp(p, words[i].name, n) == 0)
                on |= words[i].bit;
        p += n + (p[n] == ',');
    }
    return on;
}

bool notify_concerns(unsigned on, int64_t me, const struct conversation *c, const struct message *m)
{
    if (m->sender_kind == SENDER_AGENT && me && m->sender_id == me)
        return false;
    bool all = on & NOTIFY_ON_ALL;
    if (m->type == MSG_INCOMING && !m->is_private) {
        if (all)
            return true;
        if (c->assignee_id == 0)
            return on & NOTIFY_ON_UNASSIGNED;
        return me && c->assignee_id == me && (on & NOTIFY_ON_MINE);
    }
    if (m->is_private && me && (all || (on & NOTIFY_ON_MENTIONS))) {
        char tag[48];
        snprintf(tag, sizeof tag, "mention://user/%lld/", (long long)me);
        return strstr(m->content, tag) != NULL;
    }
    return false;
}

bool notify_concerns_me(const struct notify *n, int64_t me, const struct conversation *c,
                        const struct message *m)
{
    return notify_concerns(notify_on_of(n), me, c, m);
}

void notify_message(struct notify *n, const struct conversation *c, const struct message *m)
{
    struct notify_event e = {
        .conv = c->id,
        .contact = model_contact_label(&c->contact),
        .phone = c->contact.phone,
        .preview = m->content,
        .priority = c->priority,
    };
    notify_post(n, &e);
}
