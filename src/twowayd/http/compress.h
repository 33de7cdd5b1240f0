/* compress — gzip for answers, when the client says it takes it.
 *
 * A list page is 60 KB of JSON and shrinks about tenfold at zlib's fastest
 * level, which costs less than sending the difference; small answers go as
 * they are. */
#ifndef TWOWAYD_COMPRESS_H
#define TWOWAYD_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Answers shorter than this are sent as they are. */
#define COMPRESS_MIN_BYTES 1024

/* Does an Accept-Encoding header value (NULL: none) accept gzip? "gzip",
 * "x-gzip" or "*" with a q-value above 0, as RFC 9110 reads it. */
bool compress_accepts_gzip(const char *accept_encoding);

/* data[0..len) as a gzip member; NULL if zlib fails. Owned (free()), its
 * length in *out_len. */
char *compress_gzip(const char *data, size_t len, size_t *out_len);

#endif
