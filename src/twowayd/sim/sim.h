/* sim — the carrier and customer simulator (--simulate).
 *
 * Plays Twilio for outbound messages (a fake Messages API served by twowayd
 * itself, so replies take the real sending path), reports delivery through
 * signed status callbacks, and plays customers who answer and who text in
 * now and then, through signed webhooks: the same paths real Twilio uses. */
#ifndef TWOWAYD_SIM_H
#define TWOWAYD_SIM_H

struct req;
struct twd;
struct sim;

struct sim *sim_start(struct twd *twd);
void sim_stop(struct sim **s);

/* POST /sim/2010-04-01/Accounts/{sid}/Messages.json */
void sim_fake_twilio(struct req *r);

#endif
