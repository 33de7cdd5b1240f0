/* sender — the outbound SMS worker: takes replies from the outbox table and
 * sends them with Twilio's Messages API, retrying with backoff on network
 * errors and 5xx, never sending one twice. Runs in its own thread. */
#ifndef TWOWAYD_SENDER_H
#define TWOWAYD_SENDER_H

struct twd;
struct sender;

struct sender *sender_start(struct twd *twd);
/* Something was queued: look at the outbox now instead of at the next tick. */
void sender_wake(struct sender *s);
void sender_stop(struct sender **s);

#endif
