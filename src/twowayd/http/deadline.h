/* deadline — every request must arrive whole within request_timeout.
 *
 * libmicrohttpd's own timeout is for idleness: each byte restarts it, so a
 * client that trickles a header line every few seconds keeps its socket,
 * and a few hundred of those used to lock everyone else out. Here each
 * connection has a clock that starts when it opens, or when its previous
 * answer has gone out: the request (headers and body) must be complete
 * before it runs out, or a watcher thread shuts the socket down (the
 * server then closes it as usual). The clock stops while the request is
 * being answered, and for good on a connection upgraded to a WebSocket. */
#ifndef TWOWAYD_DEADLINE_H
#define TWOWAYD_DEADLINE_H

struct deadlines;
struct deadline;

/* Start the watcher: seconds a request may take to arrive. NULL (logged)
 * if the thread cannot start; every other function accepts NULL. */
struct deadlines *deadlines_start(double seconds);
/* After the server has stopped (no connection is left). */
void deadlines_stop(struct deadlines **ds);

/* A connection opened on socket fd: its clock starts. Borrowed until
 * deadlines_remove, which must come before the socket is closed. */
struct deadline *deadlines_add(struct deadlines *ds, int fd);
void deadlines_remove(struct deadlines *ds, struct deadline **dl);

/* The request has arrived: no clock while it is answered. */
void deadlines_pause(struct deadlines *ds, struct deadline *dl);
/* The answer has gone out: the next request's clock starts. */
void deadlines_restart(struct deadlines *ds, struct deadline *dl);
/* The connection is a WebSocket now: no clock, ever. */
void deadlines_exempt(struct deadlines *ds, struct deadline *dl);

#endif
