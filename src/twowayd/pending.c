/* pending — weak placeholders while the handlers are being written.
 * Every strong definition elsewhere replaces one of these. */
#include "api.h"
#include "req.h"
#include "seed.h"
#include "sender.h"
#include "sim.h"
#include "twilio_in.h"
#include <stddef.h>

#define PENDING(fn)                                                                               \
    __attribute__((weak)) void fn(struct req *r)                                                  \
    {                                                                                              \
        req_reply_error(r, 501, "not implemented yet");                                           \
    }

PENDING(api_conversations_list)
PENDING(api_conversations_meta)
PENDING(api_conversations_search)
PENDING(api_conversations_show)
PENDING(api_conversations_create)
PENDING(api_conversations_update)
PENDING(api_conversations_toggle_status)
PENDING(api_conversations_toggle_priority)
PENDING(api_conversations_update_last_seen)
PENDING(api_conversations_unread)
PENDING(api_conversations_toggle_typing)
PENDING(api_conversations_assignments)
PENDING(api_conversations_labels_list)
PENDING(api_conversations_labels_set)
PENDING(api_messages_list)
PENDING(api_messages_create)
PENDING(api_messages_delete)
PENDING(api_account_agents)
PENDING(api_account_teams)
PENDING(api_account_team_show)
PENDING(api_account_inboxes)
PENDING(api_account_inbox_show)
PENDING(api_account_inbox_members)
PENDING(api_account_labels)
PENDING(api_canned_list)
PENDING(api_canned_create)
PENDING(api_canned_update)
PENDING(api_canned_delete)
PENDING(api_contacts_show)
PENDING(api_contacts_search)
PENDING(api_contacts_conversations)
PENDING(twilio_in_sms)
PENDING(twilio_in_status)
PENDING(sim_fake_twilio)

__attribute__((weak)) struct sender *sender_start(struct twd *twd)
{
    (void)twd;
    return NULL;
}
__attribute__((weak)) void sender_wake(struct sender *s)
{
    (void)s;
}
__attribute__((weak)) void sender_stop(struct sender **s)
{
    (void)s;
}
__attribute__((weak)) struct sim *sim_start(struct twd *twd)
{
    (void)twd;
    return NULL;
}
__attribute__((weak)) void sim_stop(struct sim **s)
{
    (void)s;
}
__attribute__((weak)) int seed_demo(struct db *db, const char *phone, char **err)
{
    (void)db;
    (void)phone;
    (void)err;
    return 0;
}
