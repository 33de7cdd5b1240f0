/* router — the route table: method + path pattern → handler, with the
 * authentication and transaction every route of its kind needs. */
#ifndef TWOWAYD_ROUTER_H
#define TWOWAYD_ROUTER_H

struct req;

/* Match r->method/r->path, authenticate, run the handler in a transaction,
 * and leave the answer in r->status / r->reply. Always sets a reply. */
void router_dispatch(struct req *r);

#endif
