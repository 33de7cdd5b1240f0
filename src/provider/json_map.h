/* json_map — Chatwoot JSON → model records: the one place JSON meets the
 * model (DESIGN.md). Tolerant of what servers really send: missing keys,
 * nulls, wrong types (a number as a string, a string where an object was
 * expected), and Chatwoot's mixed timestamps (integer epoch, float epoch,
 * ISO-8601 strings). Every string is sanitized here (text_sanitize), so the
 * model never holds a terminal control. A record that lacks its id is an
 * error; anything else missing gets a neutral default. */
#ifndef TWOWAY_JSON_MAP_H
#define TWOWAY_JSON_MAP_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

/* Parse untrusted text (at most max_depth 64 nesting). NULL with *err. */
json_object *json_map_parse(const char *text, size_t len, char **err);

/* A time in any of Chatwoot's forms → epoch seconds; 0 for null/absent/bad. */
int64_t json_map_time(json_object *v);

/* Each returns 0, or -1 with *err (owned). Outputs are fully initialised
 * even on error (safe to free). */
int json_map_conversation(json_object *o, struct conversation *out, char **err);
/* GET conversations: {"data":{"meta":{…},"payload":[…]}} (also accepts the
 * unwrapped {"meta","payload"} of the filter endpoint). Items that fail are
 * skipped (counted in *skipped if not NULL). */
int json_map_conversation_list(json_object *root, struct conversation **out, size_t *n,
                               struct conv_counts *counts, size_t *skipped, char **err);
/* {"meta":{mine_count,…}} or a bare meta object */
int json_map_counts(json_object *root, struct conv_counts *out, char **err);
/* Search items (§3.4) → conversations with what they carry. */
int json_map_search_list(json_object *root, struct conversation **out, size_t *n, char **err);
int json_map_message(json_object *o, struct message *out, char **err);
/* {"meta":…,"payload":[…]} → messages ascending; items that cannot be read
 * are left out and counted in *skipped (if not NULL). */
int json_map_messages(json_object *root, struct message **out, size_t *n, size_t *skipped,
                      char **err);
int json_map_contact(json_object *o, struct contact *out, char **err);
int json_map_agent(json_object *o, struct agent *out, char **err);
int json_map_team(json_object *o, struct team *out, char **err);
/* {"payload":["a","b"]} */
int json_map_titles(json_object *root, char ***out, size_t *n, char **err);
/* One kind of the directory (a bare array or {"payload":[…]}) into out's
 * list of that kind, replacing it. Items that fail are skipped. */
int json_map_dir(json_object *root, enum dir_kind k, struct directory *out, char **err);
/* One record of kind k into out (a struct agent, team… as k says). */
int json_map_dir_record(json_object *o, enum dir_kind k, void *out, char **err);
/* {"payload":[contacts]} or {"payload":contact} */
int json_map_contacts(json_object *root, struct contact **out, size_t *n, char **err);
/* A contact create's answer: {"payload":{"contact":…,"contact_inbox":
 * {"source_id":…}}} → the contact, and the source_id (owned, sanitized;
 * NULL when there is none). */
int json_map_created_contact(json_object *root, struct contact *out, char **source_id, char **err);
int json_map_profile(json_object *o, struct profile *out, char **err);
/* An error body: {"error":…}, {"message":…}, {"errors":[…]}, or plain
 * text (429 "Retry later"). Sanitized, owned, never NULL. */
char *json_map_error_text(const char *body, size_t len, int http_status);

#endif
