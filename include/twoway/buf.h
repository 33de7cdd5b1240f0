/* buf — a growable byte buffer, always NUL-terminated.
 *
 * A plain value struct: embed it, buf_init() it, buf_free() it. The data
 * pointer is owned by the buf until buf_detach() hands it to the caller. */
#ifndef TWOWAY_BUF_H
#define TWOWAY_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* never NULL after buf_init; always NUL-terminated */
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the owned string; the buf is left released (buf_init to reuse). */
char *buf_detach(struct buf *b);

#endif
