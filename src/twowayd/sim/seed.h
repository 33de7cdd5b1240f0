/* seed — the demo account for --demo: agents, teams, an SMS inbox,
 * contacts and believable conversations. */
#ifndef TWOWAYD_SEED_H
#define TWOWAYD_SEED_H

struct dbpool;

/* Seed an empty database (no accounts yet); does nothing otherwise.
 Returns 1 if seeded, 0 if not empty, -1 with
 * *err on failure. */
int seed_demo(struct dbpool *pool, const char *inbox_phone, char **err);

#endif
