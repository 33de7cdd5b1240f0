/* api_attachments — the files agents sent, at the signed URLs render.c
 * gives out (store/attach.h): no token, the signature is the key, and it
 * expires. The bytes go out as stored, never as a page of ours. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api.h"
#include "http/req.h"
#include "store/attach.h"
#include "store/db.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* Shown in place (a phone or browser displays them); anything else is a
 * download. */
static bool shown_inline(const char *type)
{
    return strncasecmp(type, "image/", 6) == 0 || strncasecmp(type, "audio/", 6) == 0 ||
           strncasecmp(type, "video/", 6) == 0;
}

void api_attachments_show(struct req *r)
{
    int64_t id = r->params[0];
    const char *why =
        attach_check(id, req_arg(r, "expires"), req_arg(r, "signature"), timeutil_now());
    if (why) {
        req_reply_error(r, 403, why);
        return;
    }
    struct db *db = r->db;
    sqlite3_stmt *st = db_prepare(db, "SELECT content_type, file_name, data FROM attachments "
                                      "WHERE id = ? AND data IS NOT NULL");
    db_bindv(st, "i", id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(db, st);
        req_not_found(r);
        return;
    }
    const char *type = (const char *)sqlite3_column_text(st, 0);
    type = attach_type_ok(type) ? type : "application/octet-stream";
    const char *name = (const char *)sqlite3_column_text(st, 1);
    /* Stored names are letters, digits, '.', '-' and '_' (attach.c). */
    char *disposition =
        xasprintf("%s; filename=\"%s\"", shown_inline(type) ? "inline" : "attachment",
                  name && *name ? name : "attachment");
    const void *data = sqlite3_column_blob(st, 2);
    size_t len = (size_t)sqlite3_column_bytes(st, 2);
    req_reply_bytes(r, 200, type, data, len, disposition);
    db_done(db, st);
    free(disposition);
}
