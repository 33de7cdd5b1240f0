/* drafts — what the agent is typing, per conversation, on disk. */
#include "twoway/drafts.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "twoway/paths.h"
#include "twoway/xmalloc.h"

#define DRAFT_MAX_BYTES (1024 * 1024)

char *drafts_path(const char *dir, int64_t conv, int is_private)
{
    return xasprintf("%s/draft-%lld%s.txt", dir, (long long)conv, is_private ? "-note" : "");
}

bool drafts_exist(const char *dir, int64_t conv)
{
    bool found = false;
    for (int note = 0; note < 2 && !found; note++) {
        char *path = drafts_path(dir, conv, note);
        struct stat st;
        /* An empty file is no draft (drafts_save deletes, but be sure). */
        found = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
        free(path);
    }
    return found;
}

char *drafts_load(const char *dir, int64_t conv, int is_private)
{
    char *path = drafts_path(dir, conv, is_private);
    char *text = NULL, *err = NULL;
    if (paths_read_file(path, DRAFT_MAX_BYTES, &text, NULL, &err) < 0) {
        free(err);
        text = NULL;
    } else if (!*text) {
        free(text);
        text = NULL;
    }
    free(path);
    return text;
}

int drafts_save(const char *dir, int64_t conv, int is_private, const char *text, char **err)
{
    char *path = drafts_path(dir, conv, is_private);
    int rc = 0;
    if (!text || !*text) {
        if (unlink(path) < 0 && errno != ENOENT) {
            *err = xasprintf("cannot remove draft %s: %s", path, strerror(errno));
            rc = -1;
        }
    } else if (paths_mkdir_p(dir, 0700, err) < 0 ||
               paths_write_atomic(path, text, strlen(text), 0600, err) < 0) {
        rc = -1;
    }
    free(path);
    return rc;
}
