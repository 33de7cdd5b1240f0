/* sender — the outbound SMS workers: take replies from the outbox table and
 * send them with Twilio's Messages API, several at once, in order per
 * destination number, retrying with backoff on network errors and 5xx,
 * never sending one twice. They run in threads of their own. */
#ifndef TWOWAYD_SENDER_H
#define TWOWAYD_SENDER_H

struct twd;
struct sender;

struct sender *sender_start(struct twd *twd);
/* Something was queued: look at the outbox now instead of at the next tick. */
void sender_wake(struct sender *s);
void sender_stop(struct sender **s);

#endif
