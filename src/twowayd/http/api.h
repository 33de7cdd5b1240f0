/* api — the handlers behind twowayd's routes (see router.c for the table).
 *
 * Each handler runs inside one database transaction on r->db (the router
 * begins it and commits it before the answer is sent; a reply status >= 400
 * rolls it back). GET handlers get a read-only connection and may not
 * write. r->agent is the authenticated agent and its
 * account already matches the path's account id; r->params holds the other
 * ids of the path in order. */
#ifndef TWOWAYD_API_H
#define TWOWAYD_API_H

struct req;

/* api_profile.c */
void api_profile_show(struct req *r);

/* api_conversations.c — params[0] = conversation display_id where present */
void api_conversations_list(struct req *r);
void api_conversations_meta(struct req *r);
void api_conversations_search(struct req *r);
void api_conversations_filter(struct req *r);
void api_conversations_show(struct req *r);
void api_conversations_create(struct req *r);
void api_conversations_update(struct req *r);
void api_conversations_toggle_status(struct req *r);
void api_conversations_toggle_priority(struct req *r);
void api_conversations_update_last_seen(struct req *r);
void api_conversations_unread(struct req *r);
void api_conversations_toggle_typing(struct req *r);
void api_conversations_assignments(struct req *r);
void api_conversations_labels_list(struct req *r);
void api_conversations_labels_set(struct req *r);

/* api_messages.c — params[0] = conversation display_id, params[1] = message id */
void api_messages_list(struct req *r);
void api_messages_create(struct req *r);
void api_messages_delete(struct req *r);

/* api_account.c */
void api_account_agents(struct req *r);
void api_account_teams(struct req *r);
void api_account_team_show(struct req *r);
void api_account_inboxes(struct req *r);
void api_account_inbox_show(struct req *r);
void api_account_inbox_members(struct req *r);
void api_account_labels(struct req *r);

/* api_canned.c */
void api_canned_list(struct req *r);
void api_canned_create(struct req *r);
void api_canned_update(struct req *r);
void api_canned_delete(struct req *r);

/* api_attachments.c — params[0] = attachment id; signed by its URL */
void api_attachments_show(struct req *r);

/* api_contacts.c */
void api_contacts_show(struct req *r);
void api_contacts_search(struct req *r);
void api_contacts_conversations(struct req *r);
void api_contacts_create(struct req *r);

#endif
