/* termseq — hyperlinks, the clipboard, multiplexer wrapping. */
#include "twoway/termseq.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "twoway/buf.h"
#include "twoway/xmalloc.h"

bool termseq_url_ok(const char *url)
{
    if (!url)
        return false;
    if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
        return false;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++, n++)
        if (*p < 0x21 || *p > 0x7e || n >= TERMSEQ_URL_MAX)
            return false;
    return strlen(url) > (strncasecmp(url, "https://", 8) == 0 ? 8u : 7u);
}

char *termseq_osc8_open(const char *url, const char *id)
{
    return xasprintf("\033]8;id=%s;%s\033\\", id, url);
}

void termseq_wrap(struct buf *out, const char *seq, bool tmux, bool screen)
{
    if (tmux) {
        buf_adds(out, "\033Ptmux;");
        for (const char *s = seq; *s; s++) {
            if (*s == '\033')
                buf_addc(out, '\033');
            buf_addc(out, *s);
        }
        buf_adds(out, "\033\\");
    } else if (screen) {
        buf_adds(out, "\033P");
        buf_adds(out, seq);
        buf_adds(out, "\033\\");
    } else {
        buf_adds(out, seq);
    }
}

char *termseq_osc52(const char *text, bool tmux, bool screen)
{
    size_t n = strlen(text);
    unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)text, (int)n);
    /* Inside screen an inner ESC \ would end the DCS: BEL ends the OSC. */
    char *seq = xasprintf("\033]52;c;%s%s", b64, !tmux && screen ? "\a" : "\033\\");
    free(b64);
    struct buf out;
    buf_init(&out);
    if (tmux)
        buf_adds(&out, seq);
    termseq_wrap(&out, seq, tmux, screen);
    free(seq);
    return buf_detach(&out);
}

/* "3.4", "3.3a", "next-3.5": at least major.minor? */
static bool version_at_least(const char *v, int major, int minor)
{
    if (!v)
        return false;
    while (*v && (*v < '0' || *v > '9'))
        v++;
    char *end;
    long a = strtol(v, &end, 10);
    long b = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
    return a > major || (a == major && b >= minor);
}

static bool set(const char *(*env)(const char *), const char *name)
{
    const char *v = env(name);
    return v && *v;
}

static bool is(const char *v, const char *want)
{
    return v && strcmp(v, want) == 0;
}

static bool starts(const char *v, const char *prefix)
{
    return v && strncmp(v, prefix, strlen(prefix)) == 0;
}

bool termseq_hyperlinks_auto(const char *(*env)(const char *name))
{
    const char *term = env("TERM");
    const char *prog = env("TERM_PROGRAM");
    /* A multiplexer decides what reaches the terminal: tmux passes
     * hyperlinks on from 3.4; screen does not. */
    if (set(env, "TMUX") || is(prog, "tmux"))
        return is(prog, "tmux") && version_at_least(env("TERM_PROGRAM_VERSION"), 3, 4);
    if (set(env, "STY") || starts(term, "screen"))
        return false;
    if (!term || !*term || is(term, "dumb") || is(term, "linux") || starts(term, "vt"))
        return false;
    const char *vte = env("VTE_VERSION");
    if (vte && atol(vte) >= 5000)
        return true;
    if (set(env, "KITTY_WINDOW_ID") || starts(term, "xterm-kitty") || starts(term, "foot") ||
        starts(term, "alacritty") || starts(term, "wezterm") || is(term, "xterm-ghostty") ||
        starts(term, "contour"))
        return true;
    if (is(prog, "iTerm.app") || is(prog, "WezTerm") || is(prog, "vscode") || is(prog, "ghostty"))
        return true;
    if (set(env, "WT_SESSION"))
        return true;
    const char *konsole = env("KONSOLE_VERSION");
    return konsole && atol(konsole) >= 200400;
}
