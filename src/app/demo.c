/* demo — a private twowayd for `twoway --demo`. */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twoway/buf.h"
#include "twoway/codec.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* twowayd next to twoway: in the build tree (src/app/twoway beside
 * src/twowayd/twowayd) or installed (bin/twoway beside sbin/twowayd). */
static char *find_twowayd(void)
{
    const char *env = getenv("TWOWAYD");
    if (env && *env)
        return xstrdup(env);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *dir = dirname(self);
        const char *rel[] = {"twowayd", "../twowayd/twowayd", "../sbin/twowayd"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char *p = xasprintf("%s/%s", dir, rel[i]);
            if (access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
    return xstrdup("twowayd"); /* from PATH */
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Read twowayd's start-up lines until "ready" (or 20 s). */
static int read_lines(struct demo *d, int fd, char **err)
{
    struct buf b;
    buf_init(&b);
    int64_t deadline = timeutil_mono_ms() + 20000;
    int rc = -1;
    for (;;) {
        char *nl;
        while ((nl = memchr(b.data, '\n', b.len))) {
            *nl = '\0';
            struct codec_val *o = codec_parse(b.data, strlen(b.data), NULL);
            const char *type = codec_get_str(o, "type");
            const char *url = codec_get_str(o, "base_url"), *token = codec_get_str(o, "token");
            if (type && strcmp(type, "server") == 0 && url) {
                d->url = xstrdup(url);
            } else if (type && strcmp(type, "agent") == 0 && !d->token && token) {
                const char *name = codec_get_str(o, "name");
                d->token = xstrdup(token);
                d->agent = xstrdup(name ? name : "");
                if (codec_get(o, "account_id"))
                    d->account = codec_get_int(o, "account_id");
            } else if (type && strcmp(type, "ready") == 0) {
                codec_free(&o);
                rc = d->url && d->token ? 0 : -1;
                if (rc < 0)
                    *err = xstrdup("twowayd started without a demo agent");
                goto out;
            }
            codec_free(&o);
            size_t used = (size_t)(nl - b.data) + 1;
            memmove(b.data, nl + 1, b.len - used);
            b.len -= used;
            b.data[b.len] = '\0';
        }
        int64_t left = deadline - timeutil_mono_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
            *err = xstrdup("twowayd did not start within 20 seconds");
            goto out;
        }
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) {
            *err = xasprintf("twowayd exited at start (see %s/twowayd.log)", d->dir);
            goto out;
        }
        buf_add(&b, chunk, (size_t)n);
    }
out:
    buf_free(&b);
    return rc;
}

int demo_start(struct demo *d, char **err)
{
    memset(d, 0, sizeof *d);
    d->pid = -1;
    const char *tmp = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/twoway-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        *err = xasprintf("cannot create a temporary directory: %s", strerror(errno));
        free(tmpl);
        return -1;
    }
    d->dir = tmpl;
    char *db = xasprintf("%s/demo.db", d->dir);
    char *log = xasprintf("%s/twowayd.log", d->dir);
    char *bin = find_twowayd();
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        *err = xasprintf("pipe: %s", strerror(errno));
        goto fail;
    }
    pid_t parent = getpid();
    d->pid = fork();
    if (d->pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        /* Its own process group: a Ctrl-C in twoway's terminal is ours. */
        setpgid(0, 0);
        /* If twoway dies without stopping it (kill -9, a crash), the demo
         * server goes too instead of running on unseen. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(0);
        execlp(bin, bin, "--demo", "--simulate", "--listen", "127.0.0.1:0", "--db", db, "--log",
               log, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    if (d->pid < 0) {
        *err = xasprintf("cannot start twowayd: %s", strerror(errno));
        close(out[0]);
        goto fail;
    }
    int rc = read_lines(d, out[0], err);
    close(out[0]);
    if (rc < 0)
        goto fail;
    free(db);
    free(log);
    free(bin);
    return 0;
fail:
    free(db);
    free(log);
    free(bin);
    demo_stop(d);
    return -1;
}

void demo_stop(struct demo *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        for (int i = 0; i < 50; i++) {
            if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
                d->pid = -1;
                break;
            }
            usleep(100 * 1000);
        }
        if (d->pid > 0) {
            kill(d->pid, SIGKILL);
            waitpid(d->pid, NULL, 0);
        }
        d->pid = -1;
    }
    if (d->dir) {
        nftw(d->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(d->dir);
        d->dir = NULL;
    }
    free(d->url);
    free(d->token);
    free(d->agent);
    d->url = d->token = d->agent = NULL;
}
