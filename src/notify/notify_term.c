/* notify_term — notifications written into the terminal's own stream, so
 * they reach the agent's machine through SSH, tmux and screen.
 *
 * The exact bytes, with ST = ESC \ (0x1b 0x5c):
 *
 *   plain   ESC ] 777 ; notify ; TITLE ; BODY ST   ESC ] 9 ; TITLE: BODY ST
 *   tmux    each of the two as  ESC P tmux; SEQ' ESC \   where SEQ' is the
 *           sequence with every ESC doubled (tmux's passthrough; the tmux
 *           option allow-passthrough must be on for it to reach the outer
 *           terminal)
 *   screen  each as  ESC P SEQ ESC \  with the inner OSC ended by BEL
 *           (0x07) instead of ST, since an inner ESC \ would end the DCS
 *
 * OSC 777 is urxvt's (also foot, WezTerm, Ghostty, VTE); OSC 9 is iTerm2's
 * (also Windows Terminal, kitty, ConEmu). A terminal ignores the one it
 * does not know.
 *
 * TITLE and BODY are remote text: every control character (C0, DEL, C1,
 * ESC, BEL), every byte of invalid UTF-8 and every ';' is removed; newline
 * and tab become spaces. Nothing a customer writes can end the sequence
 * early or start another one. */
#include "twoway/notify.h"

#include <stdlib.h>
#include <string.h>

#include "notify_priv.h"
#include "twoway/buf.h"
#include "twoway/termseq.h"
#include "twoway/xmalloc.h"

/* Keep each wrapped sequence well under screen's 768-byte string limit. */
#define TITLE_MAX 120
#define BODY_MAX 400

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

char *notify_term_clean(const char *s, size_t max_bytes)
{
    struct buf b;
    buf_init(&b);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = utf8_len(p);
        if (n == 0) {
            p++; /* a stray byte: 0x9b alone is CSI to an 8-bit terminal */
            continue;
        }
        char out = 0;
        if (n == 1) {
            if (*p == '\n' || *p == '\r' || *p == '\t')
                out = ' ';
            else if (*p < 0x20 || *p == 0x7f || *p == ';')
                out = 0;
            else
                out = (char)*p;
            if (out) {
                if (b.len + 1 > max_bytes)
                    break;
                buf_addc(&b, out);
            }
        } else if (!(n == 2 && p[0] == 0xc2 && p[1] <= 0x9f)) { /* C1 */
            if (b.len + n > max_bytes)
                break;
            buf_add(&b, p, n);
        }
        p += n;
    }
    return buf_detach(&b);
}

char *notify_osc(const char *title, const char *body, bool tmux, bool screen)
{
    char *t = notify_term_clean(title, TITLE_MAX);
    char *b = notify_term_clean(body, BODY_MAX);
    const char *st = !tmux && screen ? "\a" : "\033\\";
    char *osc777 = xasprintf("\033]777;notify;%s;%s%s", t, b, st);
    char *osc9 = xasprintf("\033]9;%s: %s%s", t, b, st);
    struct buf out;
    buf_init(&out);
    termseq_wrap(&out, osc777, tmux, screen);
    termseq_wrap(&out, osc9, tmux, screen);
    free(osc777);
    free(osc9);
    free(t);
    free(b);
    return buf_detach(&out);
}
