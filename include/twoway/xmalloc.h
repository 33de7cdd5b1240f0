/* xmalloc — allocation that aborts on out-of-memory.
 *
 * Every allocation in twoway and twowayd goes through these, so no caller
 * carries a half-handled OOM path. All returned pointers are owned by the
 * caller and released with free(). */
#ifndef TWOWAY_XMALLOC_H
#define TWOWAY_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* xstrdup(NULL) would abort; this returns NULL instead. */
char *xstrdup_or_null(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Free *p and set it to NULL. (Not "xfree": readline exports one with
 * another meaning, and ours would replace it.) */
void xfree_null(void *pp);

#endif
