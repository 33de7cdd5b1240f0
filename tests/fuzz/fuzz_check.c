/* fuzz_check — the property checks the targets share (fuzz.h). */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: property broken: %s\n  ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* One code point at s[0..len): its length, or 0 if ill-formed. */
static size_t decode_strict(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

bool fuzz_utf8_ok(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = decode_strict(u + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

static const char *offence(uint32_t cp, bool newline_ok)
{
    if (cp == '\n')
        return newline_ok ? NULL : "a newline in single-line text";
    if (cp == 0x1B)
        return "ESC";
    if (cp < 0x20 || cp == 0x7F)
        return "a C0 control or DEL";
    if (cp >= 0x80 && cp <= 0x9F)
        return "a C1 control";
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
        cp == 0x200F || cp == 0x061C)
        return "a bidi control";
    if (cp == 0x2028 || cp == 0x2029)
        return "a line or paragraph separator";
    return NULL;
}

bool fuzz_display_safe(const char *s, bool newline_ok, const char **why)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    *why = NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = decode_strict(u + i, len - i, &cp);
        if (n == 0) {
            *why = "invalid UTF-8";
            return false;
        }
        if ((*why = offence(cp, newline_ok)) != NULL)
            return false;
        i += n;
    }
    return true;
}

void fuzz_check_text(const char *what, const char *s, bool newline_ok)
{
    const char *why = NULL;
    FUZZ_CHECK(s != NULL, "%s is NULL", what);
    FUZZ_CHECK(fuzz_display_safe(s, newline_ok, &why), "%s holds %s", what, why);
}

static char *scratch;

static void scratch_remove(void)
{
    if (scratch)
        unlink(scratch);
}

const char *fuzz_scratch_path(void)
{
    if (scratch)
        return scratch;
    /* tmpfs when there is one: targets write a file per input. */
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char *tmpl = malloc(4096);
    if (!tmpl)
        abort();
    snprintf(tmpl, 4096, "%s/twoway-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        perror(tmpl);
        abort();
    }
    close(fd);
    scratch = tmpl;
    atexit(scratch_remove);
    return scratch;
}
