/* handshake — the server's half of the WebSocket opening handshake for
 * /cable (RFC 6455 §4.2.1), and the ActionCable subprotocol. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cable/cable.h"

#define CABLE_PROTOCOL "actioncable-v1-json"

/* Does a comma-separated header list hold token (case-insensitive)? */
static bool has_token(const char *list, const char *token)
{
    size_t tl = strlen(token);
    const char *s = list;
    while (s && *s) {
        s += strspn(s, " \t,");
        size_t n = strcspn(s, ",");
        size_t m = n;
        while (m > 0 && (s[m - 1] == ' ' || s[m - 1] == '\t'))
            m--;
        if (m == tl && strncasecmp(s, token, tl) == 0)
            return true;
        s += n;
    }
    return false;
}

const char *cable_handshake(const char *upgrade, const char *connection, const char *version,
                            const char *key, const char *protocols, char accept[WSKEY_ACCEPT_SIZE],
                            bool *proto)
{
    if (!upgrade || !has_token(upgrade, "websocket"))
        return "this is ActionCable: a WebSocket upgrade is expected";
    if (!connection || !has_token(connection, "upgrade"))
        return "Connection: Upgrade is missing";
    if (!version || strcmp(version, "13") != 0)
        return "Sec-WebSocket-Version 13 is the one supported";
    if (!wskey_valid(key))
        return "Sec-WebSocket-Key is not base64 of 16 bytes";
    /* Rails' own client offers actioncable-v1-json; a client that offers
     * only others would not understand us. No offer at all is taken as
     * ActionCable (what Rails' server does). */
    *proto = protocols != NULL;
    if (protocols && !has_token(protocols, CABLE_PROTOCOL))
        return "subprotocol " CABLE_PROTOCOL " is the one supported";
    wskey_accept(key, accept);
    return NULL;
}
