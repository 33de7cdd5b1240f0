/* multipart — a multipart/form-data body (a message create with files, as
 * Chatwoot's dashboard sends it) into the parts of a req, with
 * libmicrohttpd's post processor. */
#ifndef TWOWAYD_MULTIPART_H
#define TWOWAYD_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

struct MHD_Connection;
struct req;

/* Is this Content-Type multipart/form-data? */
static inline bool multipart_is(const char *content_type)
{
    return content_type && strncasecmp(content_type, "multipart/form-data", 19) == 0;
}

/* The whole body of the request on conn into r->parts: 0, or -1 with *err
 * (a static sentence for a 400) when it is not a well-formed body, has
 * more than REQ_MAX_PARTS parts or a name longer than a field name can be. */
int multipart_parse(struct MHD_Connection *conn, struct req *r, const char *body, size_t len,
                    const char **err);

#endif
