/* test_ncurses_flush — why ui_start() calls endwin() once before its first
 * update: until a program's first endwin(), ncurses flushes its output
 * after every cursor move of an update (lib_mvcur.c, "_endwin ==
 * ewInitial"), so one refresh of ten scattered lines is ten write()s. A
 * fully buffered stdio stream given to newterm() changes nothing (ncurses
 * writes to the descriptor itself); one endwin() and the next refresh()
 * makes every later update one write().
 *
 * The screen is a pseudo-terminal; write() is counted by defining it here,
 * ahead of the C library, for the slave side's descriptor only. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

static int counted_fd = -1;
static int writes;

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd == counted_fd && fd >= 0)
        writes++;
    return syscall(SYS_write, fd, buf, n);
}

struct pty {
    int master;
    FILE *out, *in;
    char buf[1 << 16];
};

static void drain(int master)
{
    char b[4096];
    while (read(master, b, sizeof b) > 0)
        ;
}

static void pty_open(struct pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(p->master >= 0);
    assert_int_equal(grantpt(p->master), 0);
    assert_int_equal(unlockpt(p->master), 0);
    fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
    int slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    p->out = fdopen(slave, "w");
    p->in = fdopen(dup(slave), "r");
    assert_non_null(p->out);
    assert_non_null(p->in);
    counted_fd = slave;
}

static void pty_close(struct pty *p)
{
    counted_fd = -1;
    fclose(p->out);
    fclose(p->in);
    close(p->master);
}

/* Ten short lines far apart, as a keypress that changes a few rows. */
static int update_writes(struct pty *p, int round)
{
    for (int i = 0; i < 10; i++)
        mvprintw(i * 2, i + round, "line %d of round %d", i, round);
    drain(p->master);
    writes = 0;
    refresh();
    int n = writes;
    drain(p->master);
    return n;
}

enum way { PLAIN, BUFFERED_STREAM, ENDWIN_FIRST };

static int writes_per_update(enum way way)
{
    struct pty p;
    pty_open(&p);
    if (way == BUFFERED_STREAM)
        setvbuf(p.out, p.buf, _IOFBF, sizeof p.buf);
    SCREEN *sc = newterm("xterm-256color", p.out, p.in);
    assert_non_null(sc);
    raw();
    noecho();
    if (way == ENDWIN_FIRST) {
        def_prog_mode();
        endwin();
    }
    update_writes(&p, 0); /* the first paint */
    int n = update_writes(&p, 1);
    endwin();
    delscreen(sc);
    pty_close(&p);
    return n;
}

static void test_ncurses_flush__an_update_writes_per_cursor_move_before_endwin(void **state)
{
    (void)state;
    assert_true(writes_per_update(PLAIN) >= 10);
}

static void test_ncurses_flush__a_buffered_stream_does_not_help(void **state)
{
    (void)state;
    assert_true(writes_per_update(BUFFERED_STREAM) >= 10);
}

static void test_ncurses_flush__after_one_endwin_an_update_is_one_write(void **state)
{
    (void)state;
    assert_int_equal(writes_per_update(ENDWIN_FIRST), 1);
}

int main(void)
{
    /* newterm() needs the terminal description, not the environment's. */
    setenv("TERM", "xterm-256color", 1);
    unsetenv("TERMINFO");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ncurses_flush__an_update_writes_per_cursor_move_before_endwin),
        cmocka_unit_test(test_ncurses_flush__a_buffered_stream_does_not_help),
        cmocka_unit_test(test_ncurses_flush__after_one_endwin_an_update_is_one_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
