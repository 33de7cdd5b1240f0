/* api_conv_priv — what the conversation endpoint files share:
 * api_conv_list.c (list, counts, search), api_conversations.c (one
 * conversation: show, create, update) and api_conv_actions.c (status,
 * priority, read state, typing, assignment, labels). */
#ifndef TWOWAYD_API_CONV_PRIV_H
#define TWOWAYD_API_CONV_PRIV_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/render.h"

struct req;

/* 9999-12-31T23:59:59Z: later times do not print as ISO-8601. */
#define MAX_EPOCH 253402300799LL

/* How a key of a JSON body was given. */
enum field { FIELD_ABSENT, FIELD_NULL, FIELD_SET, FIELD_BAD };

/* NULL-terminated: the status and priority names the API takes. */
extern const char *const api_conv_statuses[];
extern const char *const api_conv_priorities[];

const char *api_conv_in_set(const char *const *set, const char *s);
const char *api_conv_arg(const struct req *r, const char *key);
bool api_conv_parse_id(const char *s, int64_t *out);
int64_t api_conv_path_conv(struct req *r);
enum field api_conv_body_id(json_object *body, const char *key, int64_t *out);
bool api_conv_assignable(struct req *r, int64_t agent_id, int64_t inbox_id);
bool api_conv_team_of_account(struct req *r, int64_t team_id);
bool api_conv_body_priority(struct req *r, json_object *body, const char **out);

#endif
