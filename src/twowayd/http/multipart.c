/* multipart — multipart/form-data through MHD's post processor. */
#include "http/multipart.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "twoway/xmalloc.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* Field names are short ("attachments[]"); a file name is cut here. */
#define NAME_MAX_BYTES 256
#define PP_BUFFER 65536

struct parse {
    struct req *r;
    const char *err;
    /* The post processor hands a part over in pieces: a piece at offset
     * 0 starts a new part. */
};

static char *bounded(const char *s)
{
    return s ? xstrndup(s, NAME_MAX_BYTES) : NULL;
}

static MHD_RESULT on_piece(void *cls, enum MHD_ValueKind kind, const char *key,
                           const char *filename, const char *content_type,
                           const char *transfer_encoding, const char *data, uint64_t off,
                           size_t size)
{
    struct parse *p = cls;
    struct req *r = p->r;
    (void)kind;
    (void)transfer_encoding;
    if (!key || strlen(key) >= NAME_MAX_BYTES) {
        p->err = "a part of the form has no name, or one too long";
        return MHD_NO;
    }
    if (off == 0 || r->nparts == 0) {
        if (r->nparts >= REQ_MAX_PARTS) {
            p->err = "too many parts in the form";
            return MHD_NO;
        }
        r->parts = xreallocarray(r->parts, r->nparts + 1, sizeof *r->parts);
        struct req_part *part = &r->parts[r->nparts++];
        part->name = xstrdup(key);
        part->filename = bounded(filename);
        part->content_type = bounded(content_type);
        buf_init(&part->data);
    }
    if (size)
        buf_add(&r->parts[r->nparts - 1].data, data, size);
    return MHD_YES;
}

int multipart_parse(struct MHD_Connection *conn, struct req *r, const char *body, size_t len,
                    const char **err)
{
    struct parse p = {.r = r};
    struct MHD_PostProcessor *pp = MHD_create_post_processor(conn, PP_BUFFER, on_piece, &p);
    if (!pp) {
        *err = "the form has no boundary, or is not multipart/form-data";
        return -1;
    }
    MHD_RESULT ok = MHD_post_process(pp, body, len);
    MHD_RESULT whole = MHD_destroy_post_processor(pp);
    if (ok != MHD_YES || p.err) {
        *err = p.err ? p.err : "the form could not be read";
        return -1;
    }
    if (whole != MHD_YES) {
        *err = "the form ends before its last boundary";
        return -1;
    }
    return 0;
}
