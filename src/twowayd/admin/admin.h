/* admin — `twowayd admin ...`: a real team's database from the command
 * line, without --demo: the account, its SMS inboxes, its agents and their
 * API tokens, labels and teams.
 *
 * Each command is one transaction on the database the server uses (it may
 * be running: new agents, tokens and inboxes count from the next request).
 * Results go to standard output, as text or (--json) one JSON object per
 * line; errors go to standard error as "twowayd: admin: reason". */
#ifndef TWOWAYD_ADMIN_H
#define TWOWAYD_ADMIN_H

/* argv[0] is "admin", the command's words and options follow. dbpath and
 * config are main's --db and --config, NULL when not given (they may also
 * come after "admin"). Returns the exit status: 0, or 1 on any error. */
int admin_main(int argc, char **argv, const char *dbpath, const char *config);

#endif
