/* chatwoot — the provider for Chatwoot's Application API v1 (and twowayd).
 * The only module that builds API requests; JSON is mapped by json_map. */
#ifndef TWOWAY_CHATWOOT_H
#define TWOWAY_CHATWOOT_H

#include <stdint.h>

struct http;
struct provider;

/* base_url: "https://chat.example.com" (no trailing /api). The token is
 * kept in memory only, sent as the api_access_token header, never logged.
 * http is borrowed and must outlive the provider. */
struct provider *chatwoot_new(struct http *http, const char *base_url, int64_t account_id,
                              const char *token);

#endif
