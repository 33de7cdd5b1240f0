/* log — diagnostics to a file, never to the terminal. */
#include "twoway/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "twoway/xmalloc.h"

/* twowayd logs from several threads; the lock keeps lines whole. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static int log_owned;
static int log_journal; /* stderr is systemd's journal: "<prio>" prefixes, no stamps */
static enum log_level log_level = LOG_INFO;

/* systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * connected (systemd.exec(5)); stderr is the journal only if they match. */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(fileno(stderr), &st) < 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int log_open(const char *path, enum log_level level, char **err)
{
    FILE *f;
    int owned = 0, journal = 0;
    if (strcmp(path, "-") == 0) {
        f = stderr;
        journal = stderr_is_journal();
    } else {
        f = fopen(path, "a");
        if (!f) {
            if (err)
                *err = xasprintf("cannot open log file %s: %s", path, strerror(errno));
            return -1;
        }
        owned = 1;
        setvbuf(f, NULL, _IOLBF, 0);
    }
    log_close();
    pthread_mutex_lock(&log_lock);
    log_file = f;
    log_owned = owned;
    log_journal = journal;
    log_level = level;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

void log_set_level(enum log_level level)
{
    log_level = level;
}

enum log_level log_get_level(void)
{
    return log_level;
}

void log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file && log_owned)
        fclose(log_file);
    log_file = NULL;
    log_owned = 0;
    pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    static const int prio[] = {3, 4, 6, 7}; /* syslog's err, warning, info, debug */
    if (level > log_level)
        return;
    pthread_mutex_lock(&log_lock);
    if (log_file) {
        if (log_journal) {
            fprintf(log_file, "<%d>%s: ", prio[level], func);
        } else {
            struct timeval tv;
            struct tm tm;
            char stamp[32];
            gettimeofday(&tv, NULL);
            gmtime_r(&tv.tv_sec, &tm);
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
            fprintf(log_file, "%s.%03ldZ %s %s: ", stamp, (long)(tv.tv_usec / 1000), names[level],
                    func);
        }
        va_list ap;
        va_start(ap, fmt);
        vfprintf(log_file, fmt, ap);
        va_end(ap);
        fputc('\n', log_file);
        fflush(log_file);
    }
    pthread_mutex_unlock(&log_lock);
}
