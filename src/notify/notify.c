/* notify — gathering new replies into notifications and handing them to
 * the backends (notify_desktop.c, notify_term.c, notify_cmd.c).
 *
 * A burst: the first event opens a window of coalesce_ms; everything that
 * arrives before it closes becomes one notification. A new coalesce_ms
 * applies to the window already open (measured from its first event): a
 * shorter one that has passed closes it at once. One message shows as
 * (contact, preview); several as ("twoway", "3 new replies from 2
 * customers"), or "from Maria Gonzalez" when one customer wrote them all.
 * Customers are told apart by phone, else by the name shown.
 *
 * Children (desktop helpers, commands) live in a fixed table; only their
 * own pids are ever waited for. A desktop helper still running after
 * NOTIFY_DESKTOP_LIMIT_MS is killed. After any desktop failure, desktop
 * notifications rest for DESKTOP_BACKOFF_MS and the status hook says why,
 * once, until one succeeds again or the notify option is set anew. With
 * notify = auto, a failed or resting desktop falls back to terminal + bell
 * (auto promises a notification that reaches the agent). Whenever the
 * desktop is chosen (at start, on `set notify`), a probe helper asks the
 * server who it is, so a missing bus or server is said at once rather than
 * at the first reply. */
#include "twoway/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify_priv.h"
#include "twoway/buf.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define MAX_CHILDREN 16
#define MAX_DESKTOP_IN_FLIGHT 2
#define DESKTOP_BACKOFF_MS (5 * 60 * 1000)
#define PREVIEW_COLS 200
#define CONTACT_COLS 80
/* Distinct customers remembered in one burst; beyond, each new event
 * counts as a new customer (a bound, not a promise of exactness). */
#define BURST_KEYS 64

enum child_kind { CHILD_FREE, CHILD_SHOW, CHILD_PROBE, CHILD_COMMAND };

struct child {
    struct notify *n;
    enum child_kind kind;
    pid_t pid;
    int errfd;      /* desktop helpers: what went wrong */
    uint64_t timer; /* desktop helpers: the kill, 0 = none */
    bool killed;
    char *title; /* CHILD_SHOW: shown in the terminal if it fails (auto) */
    char *body;
    char *name; /* CHILD_COMMAND: for the log */
};

struct burst {
    int count;
    char *keys[BURST_KEYS];
    int nkeys;
    int customers;
    int64_t conv;
    char *contact, *phone, *preview;
    enum conv_priority priority;
    uint64_t timer;
    int64_t opened; /* monotonic ms of the first event */
};

struct notify {
    struct notify_hooks h;
    char *backends_value;
    unsigned backends;
    bool is_auto;
    char *command_value;
    char **argv;
    bool command_bad; /* notify_command did not split */
    bool command_said;
    bool preview;
    int coalesce_ms;
    unsigned on; /* notify_on */
    struct burst b;
    struct child kids[MAX_CHILDREN];
    int64_t desktop_off_until; /* monotonic ms; 0 = on */
    bool desktop_said;
};

/* ---- small things ---- */

static void say(struct notify *n, const char *text)
{
    log_info("%s", text);
    if (n->h.status)
        n->h.status(n->h.ud, text);
}

static void write_term(struct notify *n, const char *bytes, size_t len)
{
    if (n->h.write)
        n->h.write(n->h.ud, bytes, len);
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

void notify_msg_clear(struct notify_msg *m)
{
    free(m->title);
    free(m->body);
    free(m->contact);
    free(m->phone);
    free(m->preview);
    memset(m, 0, sizeof *m);
}

void notify_child_setup(int keep_fd)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int keep = keep_fd >= 0 ? fcntl(keep_fd, F_DUPFD, 10) : -1;
    int dn = open("/dev/null", O_RDWR);
    if (dn >= 0) {
        for (int fd = 0; fd < 3; fd++)
            if (dn != fd)
                dup2(dn, fd);
    }
    int first = 3;
    if (keep >= 0) {
        dup2(keep, 3);
        first = 4;
    }
    if (close_range((unsigned)first, ~0U, 0) < 0) {
        for (int fd = first; fd < 65536; fd++)
            close(fd);
    }
}

/* ---- choosing backends ---- */

unsigned notify_auto_backends(void)
{
    bool ssh = env_set("SSH_CONNECTION") || env_set("SSH_TTY");
    if (!ssh && notify_desktop_bus_reachable())
        return NOTIFY_DESKTOP;
    return NOTIFY_TERMINAL | NOTIFY_BELL;
}

static const struct {
    const char *name;
    unsigned bits;
} names[] = {
    {"desktop", NOTIFY_DESKTOP},
    {"terminal", NOTIFY_TERMINAL},
    {"bell", NOTIFY_BELL},
    {"command", NOTIFY_COMMAND},
    {"auto", 0},
    {"none", 0},
};

char *notify_describe(unsigned bits)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].bits & bits)
            buf_addf(&b, "%s%s", b.len ? ", " : "", names[i].name);
    if (!b.len)
        buf_adds(&b, "none");
    return buf_detach(&b);
}

static int parse_list(const char *value, unsigned *out, bool *is_auto, char **err)
{
    unsigned bits = 0;
    bool none = false, any = false, autos = false;
    const char *s = value ? value : "";
    while (*s) {
        while (*s == ' ' || *s == ',')
            s++;
        size_t len = strcspn(s, ", ");
        if (!len)
            break;
        size_t i = 0;
        while (i < sizeof names / sizeof names[0] &&
               !(strlen(names[i].name) == len && strncmp(s, names[i].name, len) == 0))
            i++;
        if (i == sizeof names / sizeof names[0]) {
            *err = xasprintf("unknown notify backend \"%.*s\" (desktop, terminal, bell, command, "
                             "auto or none)",
                             (int)(len > 40 ? 40 : len), s);
            return -1;
        }
        if (strcmp(names[i].name, "none") == 0)
            none = true;
        else
            any = true;
        if (strcmp(names[i].name, "auto") == 0)
            autos = true;
        bits |= names[i].bits;
        s += len;
    }
    if (none && any) {
        *err = xstrdup("notify = none cannot be combined with other backends");
        return -1;
    }
    if (autos)
        bits |= notify_auto_backends();
    *out = bits;
    *is_auto = autos;
    return 0;
}

int notify_parse_backends(const char *value, unsigned *out, char **err)
{
    bool is_auto;
    return parse_list(value, out, &is_auto, err);
}

/* ---- children ---- */

static struct child *child_slot(struct notify *n)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (n->kids[i].kind == CHILD_FREE)
            return &n->kids[i];
    log_warn("too many notification helpers still running; skipping one");
    return NULL;
}

static int desktop_in_flight(const struct notify *n)
{
    int k = 0;
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (n->kids[i].kind == CHILD_SHOW || n->kids[i].kind == CHILD_PROBE)
            k++;
    return k;
}

int notify_children(const struct notify *n)
{
    int k = 0;
    for (int i = 0; i < MAX_CHILDREN; i++)
        k += n->kids[i].kind != CHILD_FREE;
    return k;
}

static void child_clear(struct child *c)
{
    if (c->timer && c->n->h.cancel)
        c->n->h.cancel(c->n->h.ud, c->timer);
    if (c->errfd >= 0)
        close(c->errfd);
    free(c->title);
    free(c->body);
    free(c->name);
    memset(c, 0, sizeof *c);
    c->errfd = -1;
}

static void on_child_limit(void *cbud)
{
    struct child *c = cbud;
    c->timer = 0;
    if (c->kind == CHILD_FREE || c->pid <= 0)
        return;
    log_warn("notification helper %d still running after %d ms: killing it", (int)c->pid,
             NOTIFY_DESKTOP_LIMIT_MS);
    c->killed = true;
    kill(c->pid, SIGKILL);
}

/* The OSC pair, wrapped for the multiplexer we run in: tmux when $TMUX is
 * set (it wins: screen's $STY leaks into a tmux started inside screen),
 * else screen when $STY is set and $TERM says screen. */
static void write_osc(struct notify *n, const char *title, const char *body)
{
    const char *term = getenv("TERM");
    bool screen = env_set("STY") && term && strncmp(term, "screen", 6) == 0;
    char *osc = notify_osc(title, body, env_set("TMUX"), screen);
    write_term(n, osc, strlen(osc));
    free(osc);
}

static void terminal_and_bell(struct notify *n, const char *title, const char *body)
{
    write_osc(n, title, body);
    write_term(n, "\a", 1);
}

static void desktop_failed(struct notify *n, enum notify_desktop_result r, const char *detail,
                           const char *title, const char *body)
{
    const char *why = notify_desktop_reason(r);
    log_warn("desktop notification failed: %s%s%s; desktop off for %d s", why, detail ? ": " : "",
             detail ? detail : "", DESKTOP_BACKOFF_MS / 1000);
    n->desktop_off_until = timeutil_mono_ms() + DESKTOP_BACKOFF_MS;
    if (!n->desktop_said) {
        n->desktop_said = true;
        char *text = xasprintf("desktop notifications off: %s%s", why,
                               n->is_auto ? "; notifying in the terminal" : "");
        say(n, text);
        free(text);
    }
    if (n->is_auto && title)
        terminal_and_bell(n, title, body);
}

static void desktop_start(struct notify *n, const struct notify_msg *m)
{
    if (!notify_desktop_bus_reachable()) {
        desktop_failed(n, NOTIFY_DESKTOP_NO_BUS, NULL, m ? m->title : NULL, m ? m->body : NULL);
        return;
    }
    if (desktop_in_flight(n) >= MAX_DESKTOP_IN_FLIGHT) {
        log_warn("desktop notification skipped: earlier ones have not finished");
        return;
    }
    struct child *c = child_slot(n);
    if (!c)
        return;
    int fd = -1;
    pid_t pid = notify_desktop_spawn(m, &fd);
    if (pid < 0) {
        log_warn("cannot start the desktop notification helper: %s", strerror(errno));
        return;
    }
    c->n = n;
    c->kind = m ? CHILD_SHOW : CHILD_PROBE;
    c->pid = pid;
    c->errfd = fd;
    if (m) {
        c->title = xstrdup(m->title);
        c->body = xstrdup(m->body);
    }
    if (n->h.timer)
        c->timer =
            n->h.timer(n->h.ud, timeutil_mono_ms() + NOTIFY_DESKTOP_LIMIT_MS, on_child_limit, c);
}

static void desktop_finished(struct notify *n, struct child *c, int st)
{
    char *detail = NULL;
    enum notify_desktop_result r = notify_desktop_result(st, c->errfd, &detail);
    if (c->killed)
        r = NOTIFY_DESKTOP_TIMEOUT;
    if (r == NOTIFY_DESKTOP_OK) {
        log_debug("desktop notification %s", c->kind == CHILD_PROBE ? "server found" : "shown");
        n->desktop_said = false;
        n->desktop_off_until = 0;
    } else {
        desktop_failed(n, r, detail, c->title, c->body);
    }
    free(detail);
}

static void command_finished(struct notify *n, struct child *c, int st)
{
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        log_info("notify_command %s finished", c->name);
    } else if (WIFEXITED(st)) {
        log_warn("notify_command %s exited with status %d", c->name, WEXITSTATUS(st));
        if (WEXITSTATUS(st) == 127 && !n->command_said) {
            n->command_said = true;
            char *text = xasprintf("notify_command: cannot run %s (exit status 127)", c->name);
            say(n, text);
            free(text);
        }
    } else {
        log_warn("notify_command %s killed by signal %d", c->name, WTERMSIG(st));
    }
}

void notify_reap(struct notify *n)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &n->kids[i];
        if (c->kind == CHILD_FREE)
            continue;
        int st = 0;
        pid_t r = waitpid(c->pid, &st, WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR))
            continue;
        if (r < 0) {
            log_warn("notification helper %d vanished: %s", (int)c->pid, strerror(errno));
            st = 0xff00; /* as if it exited 255 */
        }
        if (c->kind == CHILD_COMMAND)
            command_finished(n, c, st);
        else
            desktop_finished(n, c, st);
        child_clear(c);
    }
}

static void command_start(struct notify *n, const struct notify_msg *m)
{
    if (!n->argv)
        return;
    struct child *c = child_slot(n);
    if (!c)
        return;
    char *err = NULL;
    pid_t pid = notify_cmd_spawn(n->argv, m, &err);
    if (pid < 0) {
        log_warn("notify_command: %s", err);
        free(err);
        return;
    }
    c->n = n;
    c->kind = CHILD_COMMAND;
    c->pid = pid;
    c->errfd = -1;
    c->name = xstrdup(n->argv[0]);
    log_debug("notify_command %s started (pid %d)", c->name, (int)pid);
}

/* ---- bursts ---- */

static void burst_clear(struct burst *b)
{
    for (int i = 0; i < b->nkeys; i++)
        free(b->keys[i]);
    free(b->contact);
    free(b->phone);
    free(b->preview);
    memset(b, 0, sizeof *b);
}

static void burst_add(struct burst *b, const struct notify_event *e)
{
    const char *contact = e->contact ? e->contact : "";
    const char *phone = e->phone ? e->phone : "";
    const char *key = *phone ? phone : contact;
    bool seen = false;
    for (int i = 0; i < b->nkeys && !seen; i++)
        seen = strcmp(b->keys[i], key) == 0;
    if (!seen) {
        b->customers++;
        if (b->nkeys < BURST_KEYS)
            b->keys[b->nkeys++] = xstrdup(key);
    }
    b->count++;
    b->conv = e->conv;
    free(b->contact);
    free(b->phone);
    free(b->preview);
    b->contact = text_truncate(contact, CONTACT_COLS, true);
    b->phone = xstrdup(phone);
    b->preview = text_truncate(e->preview ? e->preview : "", PREVIEW_COLS, true);
    if (e->priority > b->priority || b->count == 1)
        b->priority = e->priority;
}

static void burst_compose(const struct notify *n, const struct burst *b, struct notify_msg *m)
{
    const char *preview = n->preview ? b->preview : "";
    if (b->count == 1) {
        m->title = xstrdup(b->contact);
        m->body = xstrdup(*preview ? preview : "New reply");
    } else {
        m->title = xstrdup("twoway");
        m->body = b->customers == 1
                      ? xasprintf("%d new replies from %s", b->count, b->contact)
                      : xasprintf("%d new replies from %d customers", b->count, b->customers);
    }
    m->conv = b->conv;
    m->contact = xstrdup(b->contact);
    m->phone = xstrdup(b->phone);
    m->preview = xstrdup(preview);
    m->count = b->count;
    m->priority = b->priority;
}

static void flush(struct notify *n)
{
    if (n->b.timer && n->h.cancel)
        n->h.cancel(n->h.ud, n->b.timer);
    n->b.timer = 0;
    if (n->b.count == 0)
        return;
    struct notify_msg m = {0};
    burst_compose(n, &n->b, &m);
    burst_clear(&n->b);
    log_info("notifying: %d new message%s, the last in #%lld", m.count, m.count == 1 ? "" : "s",
             (long long)m.conv);

    unsigned bits = n->backends;
    if ((bits & NOTIFY_DESKTOP) && n->desktop_off_until &&
        timeutil_mono_ms() < n->desktop_off_until) {
        bits &= ~(unsigned)NOTIFY_DESKTOP;
        if (n->is_auto)
            bits |= NOTIFY_TERMINAL | NOTIFY_BELL;
    }
    if (bits & NOTIFY_DESKTOP)
        desktop_start(n, &m);
    if (bits & NOTIFY_TERMINAL)
        write_osc(n, m.title, m.body);
    if (bits & NOTIFY_BELL)
        write_term(n, "\a", 1);
    if (bits & NOTIFY_COMMAND)
        command_start(n, &m);
    notify_msg_clear(&m);
}

static void on_burst_end(void *cbud)
{
    struct notify *n = cbud;
    n->b.timer = 0;
    flush(n);
}

void notify_post(struct notify *n, const struct notify_event *e)
{
    notify_reap(n);
    if (!n->backends)
        return;
    burst_add(&n->b, e);
    if (n->coalesce_ms <= 0 || !n->h.timer) {
        flush(n);
        return;
    }
    if (!n->b.timer) {
        n->b.opened = timeutil_mono_ms();
        n->b.timer = n->h.timer(n->h.ud, n->b.opened + n->coalesce_ms, on_burst_end, n);
    }
}

/* The window changed while a burst is open: it ends where the new one
 * ends, counted from the burst's first event. */
static void burst_rearm(struct notify *n)
{
    if (!n->b.timer)
        return;
    if (n->h.cancel)
        n->h.cancel(n->h.ud, n->b.timer);
    n->b.timer = 0;
    if (n->coalesce_ms <= 0 || n->b.opened + n->coalesce_ms <= timeutil_mono_ms()) {
        flush(n);
        return;
    }
    n->b.timer = n->h.timer(n->h.ud, n->b.opened + n->coalesce_ms, on_burst_end, n);
}

/* ---- life ---- */

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void configure_backends(struct notify *n, const char *value)
{
    free(n->backends_value);
    n->backends_value = xstrdup(value);
    char *err = NULL;
    if (parse_list(value, &n->backends, &n->is_auto, &err) < 0) {
        char *text = xasprintf("notifications off: %s", err);
        say(n, text);
        free(text);
        free(err);
        n->backends = 0;
        n->is_auto = false;
    }
    /* Set anew: try the desktop again and say again why it fails. */
    n->desktop_off_until = 0;
    n->desktop_said = false;
    if (n->backends & NOTIFY_DESKTOP)
        desktop_start(n, NULL);
}

static void configure_command(struct notify *n, const char *value)
{
    free(n->command_value);
    n->command_value = xstrdup(value);
    notify_cmd_argv_free(n->argv);
    n->argv = NULL;
    n->command_said = false;
    n->command_bad = false;
    char *err = NULL;
    int argc = 0;
    char **argv = notify_cmd_split(value, &argc, &err);
    if (!argv) {
        n->command_bad = true;
        char *text = xasprintf("notify_command: %s", err);
        say(n, text);
        free(text);
        free(err);
        return;
    }
    if (argc == 0) {
        notify_cmd_argv_free(argv);
        return;
    }
    n->argv = argv;
}

void notify_configure(struct notify *n, const struct notify_opts *o)
{
    const char *backends = o->backends ? o->backends : "auto";
    const char *command = o->command ? o->command : "";
    bool backends_changed = !same(backends, n->backends_value);
    if (!same(command, n->command_value))
        configure_command(n, command);
    n->preview = o->preview;
    if (n->coalesce_ms != o->coalesce_ms) {
        n->coalesce_ms = o->coalesce_ms;
        burst_rearm(n);
    }
    n->on = notify_on_parse(o->on);
    if (backends_changed)
        configure_backends(n, backends);
    if (backends_changed && (n->backends & NOTIFY_COMMAND) && !n->argv && !n->command_bad)
        say(n, "notify includes command, but notify_command is empty");
}

unsigned notify_on_of(const struct notify *n)
{
    return n->on;
}

struct notify *notify_new(const struct notify_opts *o, const struct notify_hooks *h)
{
    struct notify *n = xcalloc(1, sizeof *n);
    if (h)
        n->h = *h;
    for (int i = 0; i < MAX_CHILDREN; i++)
        n->kids[i].errfd = -1;
    notify_configure(n, o);
    return n;
}

void notify_free(struct notify **pn)
{
    struct notify *n = *pn;
    if (!n)
        return;
    if (n->b.timer && n->h.cancel)
        n->h.cancel(n->h.ud, n->b.timer);
    burst_clear(&n->b);
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &n->kids[i];
        if (c->kind == CHILD_FREE)
            continue;
        /* A desktop helper is ours to end; a command has its own session
         * and may finish after we leave. */
        if (c->kind != CHILD_COMMAND) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, NULL, 0);
        }
        child_clear(c);
    }
    notify_cmd_argv_free(n->argv);
    free(n->backends_value);
    free(n->command_value);
    free(n);
    *pn = NULL;
}
