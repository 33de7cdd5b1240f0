/* Unit tests for notify: the terminal escape bytes (plain, tmux, screen)
 * and that hostile text cannot break out of them; coalescing with a fake
 * timer and a write hook; backend parsing and auto detection; the command
 * backend's argv and environment; desktop failures (no bus, a server that
 * never answers) reported once without blocking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../src/notify/notify_priv.h"
#include "twoway/buf.h"
#include "twoway/notify.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define ESC "\033"
#define ST ESC "\\"

/* One generous deadline for every wait for a child: running out of it
 * means the test failed, never that the machine was busy. */
#define DEADLINE_MS 60000

/* ---- fakes: a write hook, timers fired by hand, a status hook ---- */

#define FAKE_TIMERS 16

struct fake {
    struct buf out;
    struct {
        uint64_t id;
        int64_t when;
        void (*cb)(void *);
        void *cbud;
    } timers[FAKE_TIMERS];
    uint64_t next_id;
    int armed; /* timers ever armed */
    int nstatus;
    char *status;
};

static void fake_write(void *ud, const char *bytes, size_t n)
{
    struct fake *f = ud;
    buf_add(&f->out, bytes, n);
}

static uint64_t fake_timer(void *ud, int64_t when, void (*cb)(void *), void *cbud)
{
    struct fake *f = ud;
    for (int i = 0; i < FAKE_TIMERS; i++) {
        if (!f->timers[i].id) {
            f->timers[i].id = ++f->next_id;
            f->timers[i].when = when;
            f->timers[i].cb = cb;
            f->timers[i].cbud = cbud;
            f->armed++;
            return f->timers[i].id;
        }
    }
    fail_msg("too many timers");
    return 0;
}

static void fake_cancel(void *ud, uint64_t id)
{
    struct fake *f = ud;
    for (int i = 0; i < FAKE_TIMERS; i++)
        if (f->timers[i].id == id)
            f->timers[i].id = 0;
}

static void fake_status(void *ud, const char *text)
{
    struct fake *f = ud;
    f->nstatus++;
    free(f->status);
    f->status = xstrdup(text);
}

static int pending_timers(const struct fake *f)
{
    int k = 0;
    for (int i = 0; i < FAKE_TIMERS; i++)
        k += f->timers[i].id != 0;
    return k;
}

/* Fire every pending timer (as if their time came). */
static void fire_all(struct fake *f)
{
    for (int i = 0; i < FAKE_TIMERS; i++) {
        if (f->timers[i].id) {
            void (*cb)(void *) = f->timers[i].cb;
            void *cbud = f->timers[i].cbud;
            f->timers[i].id = 0;
            cb(cbud);
        }
    }
}

static struct notify_hooks fake_hooks(struct fake *f)
{
    buf_init(&f->out);
    return (struct notify_hooks){
        .write = fake_write,
        .timer = fake_timer,
        .cancel = fake_cancel,
        .status = fake_status,
        .ud = f,
    };
}

static void fake_done(struct fake *f)
{
    buf_free(&f->out);
    free(f->status);
}

/* Reap until cond holds (or the deadline passed). */
static void reap_until(struct notify *n, bool (*cond)(void *), void *arg)
{
    int64_t end = timeutil_mono_ms() + DEADLINE_MS;
    while (!cond(arg) && timeutil_mono_ms() < end) {
        notify_reap(n);
        usleep(5000); /* pacing between looks */
    }
}

static bool has_status(void *arg)
{
    return ((struct fake *)arg)->nstatus > 0;
}

static bool no_children(void *arg)
{
    return notify_children(arg) == 0;
}

/* Reap until every helper and command has finished: after that nothing
 * more can be said, so a count of what was said is final. */
static void reap_all(struct notify *n)
{
    reap_until(n, no_children, n);
    if (notify_children(n) != 0)
        fail_msg("%d notification children still running after %d ms", notify_children(n),
                 DEADLINE_MS);
}

/* A clean environment for each test: no multiplexer, no SSH, no bus. */
static int clean_env(void **state)
{
    (void)state;
    unsetenv("TMUX");
    unsetenv("STY");
    unsetenv("SSH_CONNECTION");
    unsetenv("SSH_TTY");
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    unsetenv("XDG_RUNTIME_DIR");
    setenv("TERM", "xterm-256color", 1);
    return 0;
}

static size_t count_byte(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

static const struct notify_event maria1 = {
    .conv = 42,
    .contact = "Maria Gonzalez",
    .phone = "+15550101001",
    .preview = "Can I move my cleaning to Friday?",
    .priority = PRIORITY_NONE,
};
static const struct notify_event maria2 = {
    .conv = 42,
    .contact = "Maria Gonzalez",
    .phone = "+15550101001",
    .preview = "Any time after 3 works",
    .priority = PRIORITY_HIGH,
};
static const struct notify_event tom = {
    .conv = 7,
    .contact = "Tom Becker",
    .phone = "+15550101002",
    .preview = "Thanks!",
    .priority = PRIORITY_LOW,
};

/* ---- notify_osc: exact bytes ---- */

static void test_notify__osc_plain_is_777_then_9(void **state)
{
    (void)state;
    char *s = notify_osc("Maria Gonzalez", "Friday?", false, false);
    assert_string_equal(s, ESC "]777;notify;Maria Gonzalez;Friday?" ST ESC
                               "]9;Maria Gonzalez: Friday?" ST);
    free(s);
}

static void test_notify__osc_in_tmux_is_wrapped_with_escs_doubled(void **state)
{
    (void)state;
    char *s = notify_osc("Maria", "Hi", true, false);
    assert_string_equal(s, ESC "Ptmux;" ESC ESC "]777;notify;Maria;Hi" ESC ESC "\\" ST ESC
                               "Ptmux;" ESC ESC "]9;Maria: Hi" ESC ESC "\\" ST);
    free(s);
}

static void test_notify__osc_in_screen_is_dcs_with_bel_inside(void **state)
{
    (void)state;
    char *s = notify_osc("Maria", "Hi", false, true);
    assert_string_equal(s, ESC "P" ESC "]777;notify;Maria;Hi\a" ST ESC "P" ESC "]9;Maria: Hi\a" ST);
    free(s);
}

static void test_notify__osc_tmux_wins_over_screen(void **state)
{
    (void)state;
    char *both = notify_osc("A", "B", true, true);
    char *tmux = notify_osc("A", "B", true, false);
    assert_string_equal(both, tmux);
    free(both);
    free(tmux);
}

/* Every hostile byte a customer could send: ESC (with a title-setting
 * sequence after it), BEL, ';', CR, LF, tab, DEL, C1 CSI in UTF-8 and as a
 * raw byte, NUL-free. */
#define HOSTILE_TITLE                                                                              \
    "Ev\033]0;pwned\a;il\x7f\xc2\x9b"                                                              \
    "31m\x9b"                                                                                      \
    "2J"
#define HOSTILE_BODY "a;b\nc\rd\te\033\\f\a\033[2Jg\xc2\x85h"

static void test_notify__osc_hostile_text_is_stripped_to_plain_words(void **state)
{
    (void)state;
    char *s = notify_osc(HOSTILE_TITLE, HOSTILE_BODY, false, false);
    assert_string_equal(s, ESC "]777;notify;Ev]0pwnedil31m2J;ab c d e\\f[2Jgh" ST ESC
                               "]9;Ev]0pwnedil31m2J: ab c d e\\f[2Jgh" ST);
    free(s);
}

static void test_notify__osc_hostile_text_leaves_escs_only_where_ours_are(void **state)
{
    (void)state;
    struct {
        bool tmux, screen;
        size_t escs, bels;
    } cases[] = {{false, false, 4, 0}, {true, false, 12, 0}, {false, true, 6, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = notify_osc(HOSTILE_TITLE, HOSTILE_BODY, cases[i].tmux, cases[i].screen);
        size_t n = strlen(s);
        assert_int_equal(count_byte(s, n, '\033'), cases[i].escs);
        assert_int_equal(count_byte(s, n, '\a'), cases[i].bels);
        assert_int_equal(count_byte(s, n, '\n'), 0);
        assert_int_equal(count_byte(s, n, '\r'), 0);
        assert_int_equal(count_byte(s, n, 0x7f), 0);
        assert_int_equal(count_byte(s, n, (char)0x9b), 0);
        assert_int_equal(count_byte(s, n, (char)0x85), 0);
        /* ';' only as ours: OSC 777's three, OSC 9's one, tmux's "tmux;". */
        assert_int_equal(count_byte(s, n, ';'), cases[i].tmux ? 6 : 4);
        /* Each ESC is one of ours: ] P or \ follows (or ESC when doubled). */
        for (size_t k = 0; k < n; k++) {
            if (s[k] != '\033')
                continue;
            char next = s[k + 1];
            assert_true(next == ']' || next == 'P' || next == '\\' ||
                        (cases[i].tmux && next == '\033'));
        }
        free(s);
    }
}

static void test_notify__osc_keeps_utf8_and_bounds_length(void **state)
{
    (void)state;
    char *s = notify_osc("Jos\xc3\xa9", "caf\xc3\xa9 \xf0\x9f\x98\x80", false, false);
    assert_string_equal(s, ESC "]777;notify;Jos\xc3\xa9;caf\xc3\xa9 \xf0\x9f\x98\x80" ST ESC
                               "]9;Jos\xc3\xa9: caf\xc3\xa9 \xf0\x9f\x98\x80" ST);
    free(s);
    /* 10 kB of 3-byte characters: cut, and never in the middle of one. */
    struct buf big;
    buf_init(&big);
    for (int i = 0; i < 3000; i++)
        buf_adds(&big, "\xe4\xb8\xad");
    s = notify_osc(big.data, big.data, false, false);
    assert_true(strlen(s) < 1400);
    const char *body = strstr(s, "]9;");
    assert_non_null(body);
    const char *end = strstr(body, ST);
    assert_non_null(end);
    assert_int_equal((end - (body + 3) - 2) % 3, 0); /* ": " then whole characters */
    free(s);
    buf_free(&big);
}

static void test_notify__term_clean_drops_invalid_utf8(void **state)
{
    (void)state;
    /* overlong '/', a surrogate, a truncated sequence at the end */
    char *s = notify_term_clean("a\xc0\xaf"
                                "b\xed\xa0\x80"
                                "c\xe4\xb8",
                                100);
    assert_string_equal(s, "abc");
    free(s);
}

/* ---- coalescing ---- */

static struct notify *new_term(struct fake *f, bool preview, int coalesce_ms)
{
    struct notify_hooks h = fake_hooks(f);
    struct notify_opts o = {
        .backends = "terminal", .command = "", .preview = preview, .coalesce_ms = coalesce_ms};
    return notify_new(&o, &h);
}

static void test_notify__one_event_waits_for_the_window_then_shows_contact_and_text(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 3000);
    notify_post(n, &maria1);
    assert_int_equal(f.out.len, 0);
    assert_int_equal(pending_timers(&f), 1);
    fire_all(&f);
    assert_string_equal(f.out.data, ESC "]777;notify;Maria Gonzalez;Can I move my cleaning to "
                                        "Friday?" ST ESC "]9;Maria Gonzalez: Can I move my "
                                        "cleaning to Friday?" ST);
    assert_int_equal(f.nstatus, 0);
    notify_free(&n);
    assert_null(n);
    fake_done(&f);
}

static void test_notify__burst_from_two_customers_is_one_count_line(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 3000);
    notify_post(n, &maria1);
    notify_post(n, &tom);
    notify_post(n, &maria2);
    assert_int_equal(f.armed, 1); /* the first event opened the window */
    assert_int_equal(f.out.len, 0);
    fire_all(&f);
    assert_string_equal(f.out.data, ESC "]777;notify;twoway;3 new replies from 2 customers" ST ESC
                                        "]9;twoway: 3 new replies from 2 customers" ST);
    /* The window closed: the next event opens a new one. */
    buf_reset(&f.out);
    notify_post(n, &tom);
    assert_int_equal(f.armed, 2);
    fire_all(&f);
    assert_non_null(strstr(f.out.data, "Tom Becker;Thanks!"));
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__burst_from_one_customer_names_them(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 3000);
    notify_post(n, &maria1);
    notify_post(n, &maria2);
    fire_all(&f);
    assert_non_null(strstr(f.out.data, "]777;notify;twoway;2 new replies from Maria Gonzalez"));
    notify_free(&n);
    fake_done(&f);
}

static int64_t timer_when(const struct fake *f)
{
    for (int i = 0; i < FAKE_TIMERS; i++)
        if (f->timers[i].id)
            return f->timers[i].when;
    fail_msg("no timer pending");
    return 0;
}

static void test_notify__new_window_applies_to_the_open_burst(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 60000);
    struct notify_opts o = {.backends = "terminal", .command = "", .preview = true};
    notify_post(n, &maria1);
    int64_t end = timer_when(&f);
    /* Shorter: the window ends earlier, counted from the same first event. */
    o.coalesce_ms = 30000;
    notify_configure(n, &o);
    assert_int_equal(pending_timers(&f), 1);
    assert_int_equal(timer_when(&f), end - 30000);
    /* Longer: later. */
    o.coalesce_ms = 45000;
    notify_configure(n, &o);
    assert_int_equal(pending_timers(&f), 1);
    assert_int_equal(timer_when(&f), end - 15000);
    notify_post(n, &tom);
    assert_int_equal(f.out.len, 0);
    /* Other options set again leave the window alone. */
    notify_configure(n, &o);
    assert_int_equal(timer_when(&f), end - 15000);
    /* None: what is gathered goes out at once. */
    o.coalesce_ms = 0;
    notify_configure(n, &o);
    assert_int_equal(pending_timers(&f), 0);
    assert_non_null(strstr(f.out.data, "]777;notify;twoway;2 new replies from 2 customers"));
    /* Nothing open: nothing to do. */
    buf_reset(&f.out);
    o.coalesce_ms = 3000;
    notify_configure(n, &o);
    assert_int_equal(pending_timers(&f), 0);
    assert_int_equal(f.out.len, 0);
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__preview_off_shows_no_message_text(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, false, 3000);
    notify_post(n, &maria1);
    fire_all(&f);
    assert_string_equal(f.out.data, ESC "]777;notify;Maria Gonzalez;New reply" ST ESC
                                        "]9;Maria Gonzalez: New reply" ST);
    buf_reset(&f.out);
    notify_post(n, &maria1);
    notify_post(n, &tom);
    fire_all(&f);
    assert_null(strstr(f.out.data, "Friday"));
    assert_null(strstr(f.out.data, "Thanks"));
    assert_non_null(strstr(f.out.data, "2 new replies from 2 customers"));
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__no_window_means_at_once(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 0);
    notify_post(n, &tom);
    assert_int_equal(f.armed, 0);
    assert_non_null(strstr(f.out.data, "]9;Tom Becker: Thanks!"));
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__long_preview_is_cut_with_an_ellipsis(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 0);
    char text[600];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    struct notify_event e = tom;
    e.preview = text;
    notify_post(n, &e);
    const char *body = strstr(f.out.data, "]9;Tom Becker: ");
    assert_non_null(body);
    body += strlen("]9;Tom Becker: ");
    /* 199 x then "…" (200 columns) */
    assert_int_equal(strspn(body, "x"), 199);
    assert_memory_equal(body + 199, "\xe2\x80\xa6" ST, 5);
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__bell_follows_the_sequences_and_none_is_silent(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify_hooks h = fake_hooks(&f);
    struct notify_opts o = {.backends = "terminal,bell", .preview = true, .coalesce_ms = 0};
    struct notify *n = notify_new(&o, &h);
    notify_post(n, &tom);
    assert_true(f.out.len > 1);
    assert_int_equal(f.out.data[f.out.len - 1], '\a');
    assert_int_equal(count_byte(f.out.data, f.out.len, '\a'), 1);

    buf_reset(&f.out);
    o.backends = "bell";
    notify_configure(n, &o);
    notify_post(n, &tom);
    assert_string_equal(f.out.data, "\a");

    buf_reset(&f.out);
    o.backends = "none";
    o.coalesce_ms = 3000;
    notify_configure(n, &o);
    notify_post(n, &tom);
    assert_int_equal(f.out.len, 0);
    assert_int_equal(pending_timers(&f), 0);
    assert_int_equal(f.nstatus, 0);
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__terminal_wraps_for_tmux_from_the_environment(void **state)
{
    (void)state;
    setenv("TMUX", "/tmp/tmux-0/default,1,0", 1);
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 0);
    notify_post(n, &tom);
    assert_memory_equal(f.out.data, ESC "Ptmux;" ESC ESC "]777;notify;Tom Becker;Thanks!",
                        strlen(ESC "Ptmux;" ESC ESC "]777;notify;Tom Becker;Thanks!"));
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__free_cancels_a_pending_window(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify *n = new_term(&f, true, 3000);
    notify_post(n, &tom);
    assert_int_equal(pending_timers(&f), 1);
    notify_free(&n);
    assert_int_equal(pending_timers(&f), 0);
    fake_done(&f);
}

/* ---- choosing backends ---- */

static void test_notify__parse_backends_lists_and_errors(void **state)
{
    (void)state;
    unsigned b = 99;
    char *err = NULL;
    assert_int_equal(notify_parse_backends("desktop,bell", &b, &err), 0);
    assert_int_equal(b, NOTIFY_DESKTOP | NOTIFY_BELL);
    assert_int_equal(notify_parse_backends(" terminal , command ", &b, &err), 0);
    assert_int_equal(b, NOTIFY_TERMINAL | NOTIFY_COMMAND);
    assert_int_equal(notify_parse_backends("none", &b, &err), 0);
    assert_int_equal(b, 0);
    assert_int_equal(notify_parse_backends("auto", &b, &err), 0);
    assert_int_equal(b, notify_auto_backends());
    assert_int_equal(notify_parse_backends("auto,command", &b, &err), 0);
    assert_int_equal(b, notify_auto_backends() | NOTIFY_COMMAND);

    assert_int_equal(notify_parse_backends("none,bell", &b, &err), -1);
    assert_non_null(strstr(err, "none"));
    free(err);
    err = NULL;
    assert_int_equal(notify_parse_backends("desktop,pager", &b, &err), -1);
    assert_non_null(strstr(err, "\"pager\""));
    free(err);
}

static void test_notify__auto_picks_desktop_only_with_a_bus_and_without_ssh(void **state)
{
    (void)state;
    const unsigned term = NOTIFY_TERMINAL | NOTIFY_BELL;
    assert_int_equal(notify_auto_backends(), term); /* no bus at all */

    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus", 1);
    assert_int_equal(notify_auto_backends(), NOTIFY_DESKTOP);
    setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22", 1);
    assert_int_equal(notify_auto_backends(), term);
    unsetenv("SSH_CONNECTION");
    setenv("SSH_TTY", "/dev/pts/3", 1);
    assert_int_equal(notify_auto_backends(), term);
    unsetenv("SSH_TTY");
    setenv("DBUS_SESSION_BUS_ADDRESS", "", 1);
    assert_int_equal(notify_auto_backends(), term);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");

    /* $XDG_RUNTIME_DIR/bus counts only when the socket is there. */
    char dir[] = "/tmp/twoway-notify-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("XDG_RUNTIME_DIR", dir, 1);
    assert_int_equal(notify_auto_backends(), term);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s/bus", dir);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(notify_auto_backends(), NOTIFY_DESKTOP);
    setenv("SSH_TTY", "/dev/pts/3", 1);
    assert_int_equal(notify_auto_backends(), term);
    close(s);
    unlink(sa.sun_path);
    rmdir(dir);
}

/* ---- the command backend ---- */

static void test_notify__command_line_splits_like_config_lines(void **state)
{
    (void)state;
    int argc = 0;
    char *err = NULL;
    char **argv = notify_cmd_split("notify-send  \"two words\" 'it''s \"raw\"' a\\ b "
                                   "\"q\\\"x\" # a comment",
                                   &argc, &err);
    assert_non_null(argv);
    assert_int_equal(argc, 5);
    assert_string_equal(argv[0], "notify-send");
    assert_string_equal(argv[1], "two words");
    assert_string_equal(argv[2], "its \"raw\"");
    assert_string_equal(argv[3], "a b");
    assert_string_equal(argv[4], "q\"x");
    assert_null(argv[5]);
    notify_cmd_argv_free(argv);

    assert_null(notify_cmd_split("say 'unterminated", &argc, &err));
    assert_non_null(strstr(err, "unterminated"));
    free(err);
}

struct wait_file {
    const char *path;
};

static bool file_there(void *arg)
{
    return access(((struct wait_file *)arg)->path, F_OK) == 0;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    struct buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_add(&b, chunk, n);
    fclose(fp);
    return buf_detach(&b);
}

/* Is "NAME=value\n" a whole line of env's output? */
static bool env_has(const char *env, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = env; (p = strstr(p, line)); p++)
        if ((p == env || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

static char *run_command(const char *dir, bool preview, const struct notify_event *ev, int nev)
{
    char *out = xasprintf("%s/env.txt", dir);
    char *cmd = xasprintf("/bin/sh -c 'env > %s.tmp; ls /proc/$$/fd > %s.fds; "
                          "readlink /proc/$$/fd/0 /proc/$$/fd/2 >> %s.fds; mv %s.tmp %s'",
                          out, out, out, out, out);
    struct fake f = {0};
    struct notify_hooks h = fake_hooks(&f);
    struct notify_opts o = {
        .backends = "command", .command = cmd, .preview = preview, .coalesce_ms = 1000};
    struct notify *n = notify_new(&o, &h);
    for (int i = 0; i < nev; i++)
        notify_post(n, &ev[i]);
    fire_all(&f);
    struct wait_file w = {out};
    reap_until(n, file_there, &w);
    assert_true(file_there(&w));
    char *env = slurp(out);
    unlink(out);
    assert_int_equal(f.out.len, 0); /* nothing on the terminal */
    assert_int_equal(f.nstatus, 0);
    notify_free(&n);
    fake_done(&f);
    free(cmd);
    free(out);
    return env;
}

static void test_notify__command_gets_the_details_in_its_environment(void **state)
{
    (void)state;
    char dir[] = "/tmp/twoway-notify-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("TWOWAY_TOKEN", "secret-token", 1);
    setenv("TWOWAY_COUNT", "stale", 1);
    /* A descriptor of ours without O_CLOEXEC must not reach the command. */
    int leak = open("/dev/null", O_RDONLY);
    assert_int_equal(dup2(leak, 57), 57);

    char *env = run_command(dir, true, &maria1, 1);
    assert_true(env_has(env, "TWOWAY_CONTACT=Maria Gonzalez"));
    assert_true(env_has(env, "TWOWAY_PHONE=+15550101001"));
    assert_true(env_has(env, "TWOWAY_CONVERSATION=42"));
    assert_true(env_has(env, "TWOWAY_PREVIEW=Can I move my cleaning to Friday?"));
    assert_true(env_has(env, "TWOWAY_COUNT=1"));
    assert_true(env_has(env, "TWOWAY_TITLE=Maria Gonzalez"));
    assert_null(strstr(env, "secret-token"));
    assert_null(strstr(env, "TWOWAY_COUNT=stale"));
    assert_non_null(strstr(env, "PATH="));
    free(env);

    /* The command's shell has stdin and stderr on /dev/null and none of
     * our descriptors. */
    char *fdpath = xasprintf("%s/env.txt.fds", dir);
    char *fds = slurp(fdpath);
    assert_true(env_has(fds, "0"));
    assert_true(env_has(fds, "2"));
    assert_false(env_has(fds, "57"));
    assert_false(env_has(fds, "3"));
    assert_non_null(strstr(fds, "\n/dev/null\n/dev/null\n"));
    close(57);
    close(leak);
    unlink(fdpath);
    free(fds);
    free(fdpath);

    struct notify_event burst[] = {maria1, tom, maria2};
    env = run_command(dir, false, burst, 3);
    assert_true(env_has(env, "TWOWAY_COUNT=3"));
    assert_true(env_has(env, "TWOWAY_PREVIEW="));
    assert_true(env_has(env, "TWOWAY_CONTACT=Maria Gonzalez")); /* the newest */
    assert_true(env_has(env, "TWOWAY_BODY=3 new replies from 2 customers"));
    assert_null(strstr(env, "Friday"));
    assert_null(strstr(env, "after 3"));
    free(env);
    unsetenv("TWOWAY_TOKEN");
    unsetenv("TWOWAY_COUNT");
    char *fds2 = xasprintf("%s/env.txt.fds", dir);
    unlink(fds2);
    free(fds2);
    rmdir(dir);
}

static bool said_cannot_run(void *arg)
{
    struct fake *f = arg;
    return f->status && strstr(f->status, "cannot run");
}

static void test_notify__command_not_found_is_said_once(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify_hooks h = fake_hooks(&f);
    struct notify_opts o = {
        .backends = "command", .command = "/nonexistent/twoway-notifier --flag", .coalesce_ms = 0};
    struct notify *n = notify_new(&o, &h);
    notify_post(n, &tom);
    reap_until(n, said_cannot_run, &f);
    assert_true(said_cannot_run(&f));
    assert_non_null(strstr(f.status, "/nonexistent/twoway-notifier"));
    notify_post(n, &tom);
    assert_int_equal(notify_children(n), 1); /* tried again… */
    reap_all(n);
    assert_int_equal(f.nstatus, 1); /* …and not said again */
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__bad_command_line_is_said_at_configure(void **state)
{
    (void)state;
    struct fake f = {0};
    struct notify_hooks h = fake_hooks(&f);
    struct notify_opts o = {.backends = "command", .command = "say 'oops"};
    struct notify *n = notify_new(&o, &h);
    assert_int_equal(f.nstatus, 1);
    assert_string_equal(f.status, "notify_command: notify_command has an unterminated quote");
    notify_free(&n);
    fake_done(&f);
}

/* ---- desktop failures ---- */

static struct notify *new_desktop(struct fake *f, const char *backends)
{
    struct notify_hooks h = fake_hooks(f);
    struct notify_opts o = {.backends = backends, .preview = true, .coalesce_ms = 0};
    return notify_new(&o, &h);
}

static void test_notify__no_bus_at_all_is_said_at_once_and_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/twoway-notify-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("XDG_RUNTIME_DIR", dir, 1); /* empty: no bus socket */
    struct fake f = {0};
    struct notify *n = new_desktop(&f, "desktop");
    assert_int_equal(f.nstatus, 1);
    assert_string_equal(f.status, "desktop notifications off: no session bus");
    notify_post(n, &tom);
    notify_post(n, &maria1);
    notify_reap(n);
    assert_int_equal(f.nstatus, 1);
    assert_int_equal(f.out.len, 0); /* desktop was asked for, nothing else */
    notify_free(&n);
    fake_done(&f);
    rmdir(dir);
}

static void test_notify__unreachable_bus_is_said_once_without_blocking(void **state)
{
    (void)state;
    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
    struct fake f = {0};
    struct notify *n = new_desktop(&f, "desktop");
    /* The helpers tell later (that posting never waits for them is
     * shown with a server that never answers, below). */
    notify_post(n, &maria1);
    reap_all(n);
    assert_int_equal(f.nstatus, 1); /* said once */
    assert_string_equal(f.status, "desktop notifications off: no session bus");
    /* Resting now: more posts start nothing and say nothing. */
    for (int i = 0; i < 3; i++)
        notify_post(n, &tom);
    assert_int_equal(notify_children(n), 0);
    notify_reap(n);
    assert_int_equal(f.nstatus, 1);
    notify_free(&n);
    fake_done(&f);
}

static void test_notify__auto_falls_back_to_the_terminal_when_desktop_fails(void **state)
{
    (void)state;
    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
    struct fake f = {0};
    struct notify *n = new_desktop(&f, "auto");
    reap_until(n, has_status, &f);
    assert_int_equal(f.nstatus, 1);
    assert_string_equal(f.status,
                        "desktop notifications off: no session bus; notifying in the terminal");
    notify_post(n, &tom);
    assert_non_null(strstr(f.out.data, "]777;notify;Tom Becker;Thanks!"));
    assert_int_equal(f.out.data[f.out.len - 1], '\a');
    assert_int_equal(f.nstatus, 1);
    notify_free(&n);
    fake_done(&f);
}

/* A "bus" that accepts connections and never says a word: GDBus waits for
 * the authentication reply forever, as with a hung notification server. */
static void test_notify__hung_server_is_killed_at_the_limit_and_said(void **state)
{
    (void)state;
    char dir[] = "/tmp/twoway-notify-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s/bus", dir);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s, 8), 0);
    char *addr = xasprintf("unix:path=%s", sa.sun_path);
    setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);

    struct fake f = {0};
    struct notify *n = new_desktop(&f, "desktop");
    /* The server never answers: a call that waited for it would never
     * return, and the test would time out. */
    notify_post(n, &maria1);
    /* The probe and the notification each have a kill timer. */
    assert_int_equal(pending_timers(&f), 2);
    /* Both helpers connect and wait for the bus to speak; take their
     * connections (and say nothing). */
    int conns[2];
    for (int i = 0; i < 2; i++) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, DEADLINE_MS) != 1)
            fail_msg("helper %d of 2 never connected to the bus", i + 1);
        conns[i] = accept(s, NULL, NULL);
        assert_true(conns[i] >= 0);
    }
    notify_reap(n);
    assert_int_equal(notify_children(n), 2); /* still hanging */
    assert_int_equal(f.nstatus, 0);
    fire_all(&f); /* their 5 s are up */
    reap_all(n);
    assert_int_equal(f.nstatus, 1); /* two timed out; said once */
    assert_string_equal(f.status, "desktop notifications off: notification server did not answer "
                                  "within 5 s");
    notify_free(&n);
    fake_done(&f);
    close(conns[0]);
    close(conns[1]);
    close(s);
    unlink(sa.sun_path);
    rmdir(dir);
    free(addr);
}

/* ---- the policy: what deserves a notification ---- */

static void test_notify__policy_follows_notify_on(void **state)
{
    (void)state;
    const int64_t me = 2;
    struct conversation mine = {.id = 1, .assignee_id = me};
    struct conversation nobodys = {.id = 2, .assignee_id = 0};
    struct conversation theirs = {.id = 3, .assignee_id = 9};
    struct message customer = {
        .type = MSG_INCOMING, .sender_kind = SENDER_CONTACT, .content = "hi"};
    struct message my_own = {
        .type = MSG_OUTGOING, .sender_kind = SENDER_AGENT, .sender_id = me, .content = "ok"};
    struct message mention = {.type = MSG_OUTGOING,
                              .is_private = true,
                              .sender_kind = SENDER_AGENT,
                              .sender_id = 9,
                              .content = "[@Ben](mention://user/2/Ben) look"};
    struct message note = {.type = MSG_OUTGOING,
                           .is_private = true,
                           .sender_kind = SENDER_AGENT,
                           .sender_id = 9,
                           .content = "internal"};
    unsigned dflt = notify_on_parse("mine,unassigned,mentions");
    assert_int_equal(dflt, NOTIFY_ON_MINE | NOTIFY_ON_UNASSIGNED | NOTIFY_ON_MENTIONS);
    assert_true(notify_concerns(dflt, me, &mine, &customer));
    assert_true(notify_concerns(dflt, me, &nobodys, &customer));
    assert_false(notify_concerns(dflt, me, &theirs, &customer));
    assert_false(notify_concerns(dflt, me, &mine, &my_own));
    assert_true(notify_concerns(dflt, me, &theirs, &mention));
    assert_false(notify_concerns(dflt, me, &theirs, &note));
    unsigned all = notify_on_parse("all");
    assert_true(notify_concerns(all, me, &theirs, &customer));
    assert_false(notify_concerns(all, me, &theirs, &my_own));
    unsigned only_mine = notify_on_parse("mine");
    assert_false(notify_concerns(only_mine, me, &nobodys, &customer));
    assert_false(notify_concerns(only_mine, me, &theirs, &mention));
    /* Before the profile is known nothing is "mine". */
    assert_false(notify_concerns(only_mine, 0, &mine, &customer));
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify__policy_follows_notify_on),
        cmocka_unit_test_setup(test_notify__osc_plain_is_777_then_9, clean_env),
        cmocka_unit_test_setup(test_notify__osc_in_tmux_is_wrapped_with_escs_doubled, clean_env),
        cmocka_unit_test_setup(test_notify__osc_in_screen_is_dcs_with_bel_inside, clean_env),
        cmocka_unit_test_setup(test_notify__osc_tmux_wins_over_screen, clean_env),
        cmocka_unit_test_setup(test_notify__osc_hostile_text_is_stripped_to_plain_words, clean_env),
        cmocka_unit_test_setup(test_notify__osc_hostile_text_leaves_escs_only_where_ours_are,
                               clean_env),
        cmocka_unit_test_setup(test_notify__osc_keeps_utf8_and_bounds_length, clean_env),
        cmocka_unit_test_setup(test_notify__term_clean_drops_invalid_utf8, clean_env),
        cmocka_unit_test_setup(
            test_notify__one_event_waits_for_the_window_then_shows_contact_and_text, clean_env),
        cmocka_unit_test_setup(test_notify__burst_from_two_customers_is_one_count_line, clean_env),
        cmocka_unit_test_setup(test_notify__burst_from_one_customer_names_them, clean_env),
        cmocka_unit_test_setup(test_notify__new_window_applies_to_the_open_burst, clean_env),
        cmocka_unit_test_setup(test_notify__preview_off_shows_no_message_text, clean_env),
        cmocka_unit_test_setup(test_notify__no_window_means_at_once, clean_env),
        cmocka_unit_test_setup(test_notify__long_preview_is_cut_with_an_ellipsis, clean_env),
        cmocka_unit_test_setup(test_notify__bell_follows_the_sequences_and_none_is_silent,
                               clean_env),
        cmocka_unit_test_setup(test_notify__terminal_wraps_for_tmux_from_the_environment,
                               clean_env),
        cmocka_unit_test_setup(test_notify__free_cancels_a_pending_window, clean_env),
        cmocka_unit_test_setup(test_notify__parse_backends_lists_and_errors, clean_env),
        cmocka_unit_test_setup(test_notify__auto_picks_desktop_only_with_a_bus_and_without_ssh,
                               clean_env),
        cmocka_unit_test_setup(test_notify__command_line_splits_like_config_lines, clean_env),
        cmocka_unit_test_setup(test_notify__command_gets_the_details_in_its_environment, clean_env),
        cmocka_unit_test_setup(test_notify__command_not_found_is_said_once, clean_env),
        cmocka_unit_test_setup(test_notify__bad_command_line_is_said_at_configure, clean_env),
        cmocka_unit_test_setup(test_notify__no_bus_at_all_is_said_at_once_and_once, clean_env),
        cmocka_unit_test_setup(test_notify__unreachable_bus_is_said_once_without_blocking,
                               clean_env),
        cmocka_unit_test_setup(test_notify__auto_falls_back_to_the_terminal_when_desktop_fails,
                               clean_env),
        cmocka_unit_test_setup(test_notify__hung_server_is_killed_at_the_limit_and_said, clean_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
