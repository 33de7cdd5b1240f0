/* render — twowayd's rows as Chatwoot's JSON objects, field for field
 * (doc/api.md §2–10): the only place the wire shapes are written.
 * All inside a transaction (a read one will do); every function returns a new
 * object (owned). */
#ifndef TWOWAYD_RENDER_H
#define TWOWAYD_RENDER_H

#include <json-c/json.h>
#include <stdint.h>

/* Add member k (a string literal: json-c keeps the pointer instead of a
 * copy, which a page of conversations would make thousands of) = v. */
#define ADD(o, k, v) json_object_object_add_ex((o), "" k, (v), JSON_C_OBJECT_ADD_CONSTANT_KEY)

struct db;

/* The full conversation object (list items, show, create). viewer is the
 * agent asking (the team's is_member). */
json_object *render_conversation(struct db *db, int64_t conv_id, int64_t viewer_id);
/* The same, as JSON text that can only be serialized (not read or added
 * to), kept per reader connection until the database changes
 * (render_cache.c): the list's items. */
json_object *render_conversation_cached(struct db *db, int64_t conv_id, int64_t viewer_id);
/* The slim search item (§3.4). */
json_object *render_conversation_search(struct db *db, int64_t conv_id);
/* A message (§4.2), echo_id included when the message has one. */
json_object *render_message(struct db *db, int64_t message_id);
/* The contact (§9) with contact_inboxes. */
json_object *render_contact(struct db *db, int64_t contact_id);
/* The slim contact used as meta.sender and message sender. */
json_object *render_contact_slim(struct db *db, int64_t contact_id);
/* Agent (§6) and the user-shaped sender of a message. */
json_object *render_agent(struct db *db, int64_t agent_id);
json_object *render_agent_sender(struct db *db, int64_t agent_id);
json_object *render_team(struct db *db, int64_t team_id, int64_t viewer_id);
json_object *render_inbox(struct db *db, int64_t inbox_id);
json_object *render_label(struct db *db, int64_t label_id);

/* A canned response (§5): {id, account_id, short_code, content, created_at,
 * updated_at} with ISO timestamps; NULL if there is no such row. */
json_object *render_canned(struct db *db, int64_t canned_id);

/* Epoch seconds as Chatwoot's integers (0 for none) and ISO strings. */
json_object *render_epoch(double t); /* int, 0 when t <= 0 */
json_object *render_iso(double t);   /* "…Z" string, null when t <= 0 */
/* A JSON object stored as text (invalid → {}). */
json_object *render_json_text(const char *text);

/* A conversation's label titles, sorted (conversation labels, message list meta). */
json_object *render_labels(struct db *db, int64_t conv_id);

#endif
