/* paths — XDG directories and careful file writes. */
#include "twoway/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "twoway/xmalloc.h"

char *paths_dir(enum paths_kind kind)
{
    static const char *envs[] = {"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"};
    static const char *defs[] = {".config", ".local/state", ".cache"};
    const char *base = getenv(envs[kind]);
    /* The XDG spec says relative values are invalid and must be ignored. */
    if (base && base[0] == '/')
        return xasprintf("%s/twoway", base);
    const char *home = getenv("HOME");
    if (!home || !*home)
        home = "/tmp";
    return xasprintf("%s/%s/twoway", home, defs[kind]);
}

int paths_mkdir_p(const char *dir, mode_t mode, char **err)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, mode) < 0 && errno != EEXIST) {
                if (err)
                    *err = xasprintf("cannot create %s: %s", p, strerror(errno));
                rc = -1;
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int paths_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char **err)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    char *dircopy = xstrdup(path);
    int fd = -1, rc = -1;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        goto fail;
    if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto fail;
    int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
    goto out;
fail:
    if (err)
        *err = xasprintf("cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(tmp);
out:
    free(tmp);
    free(dircopy);
    return rc;
}

int paths_read_file(const char *path, size_t max, char **out, size_t *len, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (err)
            *err = xasprintf("cannot read %s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max)
                break;
            cap = cap * 2 > max ? max : cap * 2;
            b = xrealloc(b, cap + 1);
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            if (err)
                *err = xasprintf("cannot read %s: %s", path, strerror(e));
            free(b);
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n >= max) {
        /* Only an error if there was more to read than allowed. */
        int fd2 = open(path, O_RDONLY | O_CLOEXEC);
        if (fd2 >= 0) {
            off_t sz = lseek(fd2, 0, SEEK_END);
            close(fd2);
            if (sz > (off_t)max) {
                if (err)
                    *err = xasprintf("%s is larger than %zu bytes", path, max);
                free(b);
                errno = EFBIG;
                return -1;
            }
        }
    }
    b[n] = '\0';
    *out = b;
    if (len)
        *len = n;
    return 0;
}
