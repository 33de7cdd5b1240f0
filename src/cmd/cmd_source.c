/* cmd_source — config files: commands read line by line, errors named by
 * file and line, `source` nesting, and the refusal of a token in a file
 * others can read. */
#include "twoway/cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_priv.h"
#include "twoway/buf.h"
#include "twoway/paths.h"
#include "twoway/xmalloc.h"

/* How deep `source` may nest, and the largest config file read. */
#define SOURCE_DEPTH_MAX 10
#define SOURCE_MAX_BYTES (1024 * 1024)

/* ---- config files ---- */

/* Does a line set the token ("set token = x", "set token=x")? */
static bool sets_token(const char *line)
{
    int argc = 0;
    char **argv = cmd_split(line, &argc, NULL);
    bool yes = argv && argc >= 2 && strcmp(argv[0], "set") == 0 &&
               (strcmp(argv[1], "token") == 0 || strncmp(argv[1], "token=", 6) == 0);
    cmd_argv_free(argv, argc);
    return yes;
}

static bool holds_token(const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        char *line = xstrndup(p, n);
        bool yes = sets_token(line);
        free(line);
        if (yes)
            return true;
        p += n;
        if (*p)
            p++;
    }
    return false;
}

static void count_error(void *ud, bool ok)
{
    if (!ok)
        ++*(int *)ud;
}

int cmd_source_file(struct cmd_env *env, const char *path, char **err)
{
    *err = NULL;
    if (env->source_depth >= SOURCE_DEPTH_MAX) {
        *err = xasprintf("%s: config files nest more than %d deep", path, SOURCE_DEPTH_MAX);
        return 1;
    }
    struct stat st;
    char *text = NULL;
    size_t len = 0;
    if (stat(path, &st) < 0 || paths_read_file(path, SOURCE_MAX_BYTES, &text, &len, err) < 0) {
        if (!*err)
            *err = xasprintf("cannot read %s", path);
        return 1;
    }
    bool others_read = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
    if (others_read && holds_token(text)) {
        *err = xasprintf("%s: holds a token but others can read it (chmod 600 %s)", path, path);
        free(text);
        return 1;
    }
    struct cmd_source src = {
        .file = path,
        .private_file = (st.st_mode & (S_IRWXG | S_IRWXO)) == 0 && st.st_uid == geteuid(),
    };
    int errors = 0;
    env->source_depth++;
    for (char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        bool more = p[n] != '\0';
        p[n] = '\0';
        if (n && p[n - 1] == '\r')
            p[n - 1] = '\0';
        src.line++;
        cmd_run_line(env, p, &src, true, count_error, &errors);
        p += n + (more ? 1 : 0);
    }
    env->source_depth--;
    free(text);
    return errors;
}
