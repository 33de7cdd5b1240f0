/* notify_desktop — desktop notifications through libnotify, shown by a
 * short-lived child so that a hung notification server can never freeze
 * the client: the child makes the D-Bus calls (libnotify, GDBus) and exits;
 * the parent only forks, and later reaps it or kills it after
 * NOTIFY_DESKTOP_LIMIT_MS. GLib is never initialised in the parent, so the
 * child starts it fresh; the client runs no threads of its own (libcurl's
 * resolver may, briefly), and glibc keeps malloc usable in a forked child.
 *
 * What the server gets: app name "twoway", summary = the contact (or
 * "twoway" for a burst), body = the preview (markup-escaped when the server
 * says it reads markup, so "<b>" from a customer stays text), category
 * "im.received", and urgency from the conversation's priority:
 *   urgent, high → critical (expiry left to the server, usually sticky)
 *   medium, none → normal  (10 s) — "none" is the ordinary conversation,
 *                           and a low-urgency notice is not even shown as
 *                           a banner by some desktops
 *   low          → low     (10 s)
 *
 * A failing child writes one code character and the D-Bus error text to a
 * pipe and exits 1; the parent turns that into the reason shown once in
 * the status line. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <libnotify/notify.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify_priv.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define EXPIRE_MS 10000
/* The error text kept for the log. */
#define DETAIL_MAX 512

static char *runtime_bus_path(void)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (!rt || !*rt)
        return NULL;
    char *path = xasprintf("%s/bus", rt);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        return path;
    free(path);
    return NULL;
}

bool notify_desktop_bus_reachable(void)
{
    const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (addr && *addr)
        return true;
    char *path = runtime_bus_path();
    free(path);
    return path != NULL;
}

const char *notify_desktop_reason(enum notify_desktop_result r)
{
    switch (r) {
    case NOTIFY_DESKTOP_OK:
        return "ok";
    case NOTIFY_DESKTOP_NO_BUS:
        return "no session bus";
    case NOTIFY_DESKTOP_NO_SERVER:
        return "no notification server (" NOTIFY_NAME ") on the session bus";
    case NOTIFY_DESKTOP_TIMEOUT:
        return "notification server did not answer within 5 s";
    case NOTIFY_DESKTOP_FAILED:
        break;
    }
    return "the notification server refused the notification";
}

/* ---- the child ---- */

static enum notify_desktop_result classify_remote(const char *name)
{
    static const char *const no_server[] = {
        "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownInterface"};
    static const char *const timeout[] = {"org.freedesktop.DBus.Error.NoReply",
                                          "org.freedesktop.DBus.Error.Timeout",
                                          "org.freedesktop.DBus.Error.TimedOut"};
    for (size_t i = 0; name && i < sizeof no_server / sizeof no_server[0]; i++)
        if (strcmp(name, no_server[i]) == 0)
            return NOTIFY_DESKTOP_NO_SERVER;
    for (size_t i = 0; name && i < sizeof timeout / sizeof timeout[0]; i++)
        if (strcmp(name, timeout[i]) == 0)
            return NOTIFY_DESKTOP_TIMEOUT;
    return NOTIFY_DESKTOP_FAILED;
}

/* The bus or the server answered with an error (whatever GLib maps it
 * to), or there was no answer at all. */
static enum notify_desktop_result classify(const GError *e)
{
    if (g_dbus_error_is_remote_error(e)) {
        gchar *name = g_dbus_error_get_remote_error(e);
        enum notify_desktop_result r = classify_remote(name);
        g_free(name);
        return r;
    }
    if (e->domain == G_IO_ERROR)
        return e->code == G_IO_ERROR_TIMED_OUT ? NOTIFY_DESKTOP_TIMEOUT : NOTIFY_DESKTOP_NO_BUS;
    if (e->domain != G_DBUS_ERROR)
        return NOTIFY_DESKTOP_FAILED;
    switch (e->code) {
    case G_DBUS_ERROR_SERVICE_UNKNOWN:
    case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
    case G_DBUS_ERROR_UNKNOWN_METHOD:
    case G_DBUS_ERROR_UNKNOWN_OBJECT:
    case G_DBUS_ERROR_UNKNOWN_INTERFACE:
        return NOTIFY_DESKTOP_NO_SERVER;
    case G_DBUS_ERROR_NO_REPLY:
    case G_DBUS_ERROR_TIMEOUT:
    case G_DBUS_ERROR_TIMED_OUT:
        return NOTIFY_DESKTOP_TIMEOUT;
    case G_DBUS_ERROR_NO_SERVER:
    case G_DBUS_ERROR_FILE_NOT_FOUND:
    case G_DBUS_ERROR_DISCONNECTED:
    case G_DBUS_ERROR_BAD_ADDRESS:
    case G_DBUS_ERROR_NO_NETWORK:
    case G_DBUS_ERROR_AUTH_FAILED:
    case G_DBUS_ERROR_ACCESS_DENIED:
        return NOTIFY_DESKTOP_NO_BUS;
    default:
        return NOTIFY_DESKTOP_FAILED;
    }
}

static _Noreturn void child_fail(int fd, enum notify_desktop_result r, const GError *e)
{
    char code = (char)('0' + r);
    (void)!write(fd, &code, 1);
    if (e && e->message)
        (void)!write(fd, e->message, strnlen(e->message, DETAIL_MAX));
    _exit(1);
}

static NotifyUrgency urgency(enum conv_priority p)
{
    switch (p) {
    case PRIORITY_URGENT:
    case PRIORITY_HIGH:
        return NOTIFY_URGENCY_CRITICAL;
    case PRIORITY_LOW:
        return NOTIFY_URGENCY_LOW;
    default:
        return NOTIFY_URGENCY_NORMAL;
    }
}

static bool server_reads_markup(void)
{
    GList *caps = notify_get_server_caps();
    bool markup = false;
    for (GList *c = caps; c; c = c->next)
        if (c->data && strcmp(c->data, "body-markup") == 0)
            markup = true;
    g_list_free_full(caps, g_free);
    return markup;
}

static _Noreturn void child_run(const struct notify_msg *m, int fd)
{
    /* A parent that died cannot kill us: end by ourselves a little later. */
    alarm(NOTIFY_DESKTOP_LIMIT_MS / 1000 + 5);
    const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (!addr || !*addr) {
        char *path = runtime_bus_path();
        if (!path)
            child_fail(fd, NOTIFY_DESKTOP_NO_BUS, NULL);
        gchar *esc = g_dbus_address_escape_value(path);
        char *a = xasprintf("unix:path=%s", esc);
        setenv("DBUS_SESSION_BUS_ADDRESS", a, 1);
    }
    GError *e = NULL;
    /* Connecting first tells "no bus" from "no server"; libnotify then
     * shares this connection. */
    GDBusConnection *conn = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
    if (!conn)
        child_fail(fd, NOTIFY_DESKTOP_NO_BUS, e);
    if (!m) {
        GVariant *r = g_dbus_connection_call_sync(
            conn, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME, "GetServerInformation", NULL,
            G_VARIANT_TYPE("(ssss)"), G_DBUS_CALL_FLAGS_NONE, NOTIFY_DESKTOP_LIMIT_MS, NULL, &e);
        if (!r)
            child_fail(fd, classify(e), e);
        _exit(0);
    }
    if (!notify_init("twoway"))
        child_fail(fd, NOTIFY_DESKTOP_FAILED, NULL);
    char *body = server_reads_markup() ? g_markup_escape_text(m->body, -1) : g_strdup(m->body);
    NotifyNotification *nn = notify_notification_new(m->title, body, NULL);
    NotifyUrgency u = urgency(m->priority);
    notify_notification_set_urgency(nn, u);
    notify_notification_set_timeout(nn, u == NOTIFY_URGENCY_CRITICAL ? NOTIFY_EXPIRES_DEFAULT
                                                                     : EXPIRE_MS);
    notify_notification_set_category(nn, "im.received");
    if (!notify_notification_show(nn, &e))
        child_fail(fd, e ? classify(e) : NOTIFY_DESKTOP_FAILED, e);
    _exit(0);
}

pid_t notify_desktop_spawn(const struct notify_msg *m, int *errfd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        notify_child_setup(p[1]);
        child_run(m, 3);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    *errfd = p[0];
    return pid;
}

/* ---- the parent, once the child has ended ---- */

enum notify_desktop_result notify_desktop_result(int wstatus, int errfd, char **detail)
{
    *detail = NULL;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return NOTIFY_DESKTOP_OK;
    if (WIFSIGNALED(wstatus) && (WTERMSIG(wstatus) == SIGKILL || WTERMSIG(wstatus) == SIGALRM))
        return NOTIFY_DESKTOP_TIMEOUT;
    char msg[DETAIL_MAX + 2];
    ssize_t n = errfd >= 0 ? read(errfd, msg, sizeof msg - 1) : -1;
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 1 || n < 1 || msg[0] < '0' ||
        msg[0] > '0' + NOTIFY_DESKTOP_FAILED) {
        *detail = WIFEXITED(wstatus)
                      ? xasprintf("helper exited with status %d", WEXITSTATUS(wstatus))
                      : xasprintf("helper died of signal %d", WTERMSIG(wstatus));
        return NOTIFY_DESKTOP_FAILED;
    }
    msg[n] = '\0';
    if (n > 1)
        *detail = text_sanitize(msg + 1, (size_t)n - 1, TEXT_SINGLE_LINE);
    return (enum notify_desktop_result)(msg[0] - '0');
}
