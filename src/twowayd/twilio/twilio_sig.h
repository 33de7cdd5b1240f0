/* twilio_sig — Twilio's request signature: base64(HMAC-SHA1(auth_token,
 * URL + each POST parameter name and value, sorted by name)). */
#ifndef TWOWAYD_TWILIO_SIG_H
#define TWOWAYD_TWILIO_SIG_H

#include <stdbool.h>

struct req_kv;

/* The signature for url and params (n pairs; sorted here, not in place).
 * Owned base64 string. */
char *twilio_sig_compute(const char *auth_token, const char *url, const struct req_kv *params,
                         int n);

/* Constant-time check of a received X-Twilio-Signature. */
bool twilio_sig_verify(const char *auth_token, const char *url, const struct req_kv *params, int n,
                       const char *signature);

#endif
