/* seed — the demo account for --demo: agents, teams, an SMS inbox,
 * contacts and believable conversations. */
#ifndef TWOWAYD_SEED_H
#define TWOWAYD_SEED_H

#include <json-c/json.h>

struct dbpool;

/* Seed an empty database (no accounts yet); does nothing otherwise.
 * The new agents' tokens go into the object tokens, keyed by agent id
 * ("1": "…"): only their digests are stored, so this is the one chance to
 * show them. Returns 1 if seeded, 0 if not empty, -1 with *err on failure. */
int seed_demo(struct dbpool *pool, const char *inbox_phone, json_object *tokens, char **err);

#endif
