/* server — HTTP on libmicrohttpd: reads requests (with a body limit and
 * timeouts for slow clients), hands them to the router, sends the answer. */
#ifndef TWOWAYD_SERVER_H
#define TWOWAYD_SERVER_H

#include <stddef.h>

struct twd;
struct server;

/* Listen on addr ("127.0.0.1:8080", "[::1]:0", ":8080" = 127.0.0.1).
 * Port 0 takes any free port; server_port() tells which. NULL with *err. */
struct server *server_start(struct twd *twd, const char *addr, size_t max_body, char **err);
int server_port(const struct server *s);
/* The host part as given (for building base URLs). Borrowed. */
const char *server_host(const struct server *s);
/* Stop taking connections (new ones are refused) and wait up to
 * timeout_ms for the requests already read to be answered; their answers
 * say Connection: close. Then server_stop. */
void server_drain(struct server *s, int timeout_ms);
void server_stop(struct server **s);

#endif
