/* log — diagnostics to a file, never to the terminal.
 *
 * One process-wide sink (the only global state in util): log_open() picks the
 * file and level; until then, and after log_close(), messages are dropped.
 * Never pass a token or a message body you would not show in a bug report. */
#ifndef TWOWAY_LOG_H
#define TWOWAY_LOG_H

#include <stdio.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* path "-" means stderr (for daemons and batch runs). Returns 0 or -1 with
 * *err set (owned). */
int log_open(const char *path, enum log_level level, char **err);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_close(void);

void log_msg(enum log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

#endif
