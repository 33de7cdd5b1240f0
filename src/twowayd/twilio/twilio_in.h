/* twilio_in — Twilio's webhooks: inbound SMS (POST /twilio/sms) and
 * status callbacks (POST /twilio/status), checked by X-Twilio-Signature. */
#ifndef TWOWAYD_TWILIO_IN_H
#define TWOWAYD_TWILIO_IN_H

struct req;

void twilio_in_sms(struct req *r);
void twilio_in_status(struct req *r);

#endif
