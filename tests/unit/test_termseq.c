/* Unit tests for termseq: which URLs may become hyperlinks, the OSC 8 and
 * OSC 52 bytes (and their wrapping for tmux and screen), and which
 * terminals are taken to show hyperlinks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/termseq.h"
#include "twoway/xmalloc.h"

static void test_termseq__plain_http_urls_only(void **state)
{
    assert_true(termseq_url_ok("https://example.com/a.jpg?x=1&y=%20"));
    assert_true(termseq_url_ok("HTTP://example.com/"));
    assert_true(termseq_url_ok("https://x/a;b$(c)`d`"));
    static const char *const bad[] = {NULL,
                                      "",
                                      "https://",
                                      "http://",
                                      "ftp://example.com",
                                      "javascript:alert(1)",
                                      "file:///etc/passwd",
                                      "https://ex.com/a b",
                                      "https://ex.com/\x1b]8;;x\x1b\\",
                                      "https://ex.com/\a",
                                      "https://ex.com/\x7f",
                                      "https://ex.com/\xc3\xa9",
                                      "https://ex.com/\xc2\x9b",
                                      " https://ex.com"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (termseq_url_ok(bad[i]))
            fail_msg("taken: %s", bad[i] ? bad[i] : "(null)");
    char long_url[TERMSEQ_URL_MAX + 2];
    memcpy(long_url, "https://", 8);
    memset(long_url + 8, 'a', sizeof long_url - 9);
    long_url[sizeof long_url - 1] = '\0';
    assert_false(termseq_url_ok(long_url));
    long_url[TERMSEQ_URL_MAX] = '\0';
    assert_true(termseq_url_ok(long_url));
}

static void test_termseq__osc8(void **state)
{
    char *s = termseq_osc8_open("https://ex.com/a", "tw1");
    assert_string_equal(s, "\033]8;id=tw1;https://ex.com/a\033\\");
    free(s);
    assert_string_equal(TERMSEQ_OSC8_CLOSE, "\033]8;;\033\\");
}

static void test_termseq__osc52_plain_tmux_screen(void **state)
{
    /* base64("https://ex.com/a") */
    const char *b64 = "aHR0cHM6Ly9leC5jb20vYQ==";
    char *s = termseq_osc52("https://ex.com/a", false, false);
    char *want = NULL;
    want = xasprintf("\033]52;c;%s\033\\", b64);
    assert_string_equal(s, want);
    free(s);
    /* tmux: as it is (set-clipboard on), then through the passthrough. */
    s = termseq_osc52("https://ex.com/a", true, false);
    char *tmux = NULL;
    tmux = xasprintf("%s\033Ptmux;\033\033]52;c;%s\033\033\\\033\\", want, b64);
    assert_string_equal(s, tmux);
    free(s);
    free(tmux);
    /* screen: in a DCS, the OSC ended by BEL. */
    s = termseq_osc52("https://ex.com/a", false, true);
    char *scr = NULL;
    scr = xasprintf("\033P\033]52;c;%s\a\033\\", b64);
    assert_string_equal(s, scr);
    free(s);
    free(scr);
    free(want);
}

/* An environment for termseq_hyperlinks_auto. */
static const char *const *env_now;

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; env_now[i]; i += 2)
        if (strcmp(env_now[i], name) == 0)
            return env_now[i + 1];
    return NULL;
}

static bool with(const char *const *env)
{
    env_now = env;
    return termseq_hyperlinks_auto(fake_getenv);
}

static void test_termseq__which_terminals_show_hyperlinks(void **state)
{
    assert_true(with((const char *[]){"TERM", "xterm-256color", "VTE_VERSION", "7600", NULL}));
    assert_false(with((const char *[]){"TERM", "xterm-256color", "VTE_VERSION", "4600", NULL}));
    assert_true(with((const char *[]){"TERM", "xterm-kitty", NULL}));
    assert_true(with((const char *[]){"TERM", "foot", NULL}));
    assert_true(with((const char *[]){"TERM", "alacritty", NULL}));
    assert_true(
        with((const char *[]){"TERM", "xterm-256color", "TERM_PROGRAM", "iTerm.app", NULL}));
    assert_true(with((const char *[]){"TERM", "xterm-256color", "TERM_PROGRAM", "WezTerm", NULL}));
    assert_true(with((const char *[]){"TERM", "xterm-256color", "WT_SESSION", "x", NULL}));
    assert_true(
        with((const char *[]){"TERM", "xterm-256color", "KONSOLE_VERSION", "230804", NULL}));
    /* A plain xterm, the console, screen, nothing: no. */
    assert_false(with((const char *[]){"TERM", "xterm-256color", NULL}));
    assert_false(with((const char *[]){"TERM", "linux", NULL}));
    assert_false(with((const char *[]){"TERM", "dumb", NULL}));
    assert_false(with((const char *[]){NULL}));
    assert_false(with((const char *[]){"TERM", "screen-256color", "STY", "1.x", NULL}));
    /* tmux decides, whatever is outside: 3.4 and later pass them on. */
    assert_true(with((const char *[]){"TERM", "tmux-256color", "TMUX", "/tmp/t,1,0", "TERM_PROGRAM",
                                      "tmux", "TERM_PROGRAM_VERSION", "3.4", NULL}));
    assert_true(with((const char *[]){"TERM", "tmux-256color", "TMUX", "/tmp/t,1,0", "TERM_PROGRAM",
                                      "tmux", "TERM_PROGRAM_VERSION", "next-3.5", NULL}));
    assert_false(with((const char *[]){"TERM", "screen", "TMUX", "/tmp/t,1,0", "TERM_PROGRAM",
                                       "tmux", "TERM_PROGRAM_VERSION", "3.3a", NULL}));
    assert_false(with((const char *[]){"TERM", "xterm-kitty", "TMUX", "/tmp/t,1,0", "VTE_VERSION",
                                       "7600", NULL}));
}

static void test_termseq__wrap(void **state)
{
    struct buf b;
    buf_init(&b);
    termseq_wrap(&b, "\033]9;hi\033\\", true, false);
    assert_string_equal(b.data, "\033Ptmux;\033\033]9;hi\033\033\\\033\\");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_termseq__plain_http_urls_only),
        cmocka_unit_test(test_termseq__osc8),
        cmocka_unit_test(test_termseq__osc52_plain_tmux_screen),
        cmocka_unit_test(test_termseq__which_terminals_show_hyperlinks),
        cmocka_unit_test(test_termseq__wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
