/* compress — gzip for answers (zlib). */
#include "http/compress.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "twoway/xmalloc.h"

/* The q-value of one element's parameters (";q=0.5"); 1 when absent. */
static double q_of(const char *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (params[i] != ';')
            continue;
        size_t j = i + 1;
        while (j < n && (params[j] == ' ' || params[j] == '\t'))
            j++;
        if (j + 1 < n && (params[j] == 'q' || params[j] == 'Q') && params[j + 1] == '=') {
            char num[16];
            size_t k = 0;
            for (j += 2; j < n && k + 1 < sizeof num && params[j] != ';'; j++)
                num[k++] = params[j];
            num[k] = '\0';
            return strtod(num, NULL);
        }
    }
    return 1.0;
}

bool compress_accepts_gzip(const char *header)
{
    double gzip = -1, any = -1;
    for (const char *p = header; p && *p;) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t len = n;
        while (len && isspace((unsigned char)*s)) {
            s++;
            len--;
        }
        size_t name = strcspn(s, ";, \t");
        if (name > len)
            name = len;
        double q = q_of(s + name, len - name);
        if ((name == 4 && strncasecmp(s, "gzip", 4) == 0) ||
            (name == 6 && strncasecmp(s, "x-gzip", 6) == 0))
            gzip = q;
        else if (name == 1 && *s == '*')
            any = q;
        p += n + (p[n] == ',');
    }
    return gzip >= 0 ? gzip > 0 : any > 0;
}

char *compress_gzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip header and trailer around the deflate stream. */
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    char *out = xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}
