/* termseq — escape sequences twoway writes into the terminal's stream
 * beside curses: hyperlinks (OSC 8), the clipboard (OSC 52), and the
 * wrapping that carries a sequence through tmux or screen to the terminal
 * around them. Pure: strings in, strings out.
 *
 * Nothing remote reaches a sequence unchecked: a URL goes into OSC 8 only
 * when termseq_url_ok says it is a plain http(s) URL of printable ASCII,
 * and OSC 52 carries its text base64-encoded. */
#ifndef TWOWAY_TERMSEQ_H
#define TWOWAY_TERMSEQ_H

#include <stdbool.h>

struct buf;

/* The longest URL put in a hyperlink (terminals cut longer ones). */
#define TERMSEQ_URL_MAX 2048

/* http:// or https://, then only printable ASCII without spaces (0x21 to
 * 0x7e), at most TERMSEQ_URL_MAX bytes. */
bool termseq_url_ok(const char *url);

/* OSC 8 around text that shows url: the opening (with an id, so that the
 * pieces of one link on several lines are one link) and the closing.
 * url must pass termseq_url_ok; id is letters and digits. Owned. */
char *termseq_osc8_open(const char *url, const char *id);
#define TERMSEQ_OSC8_CLOSE "\033]8;;\033\\"

/* OSC 52: put text on the clipboard (base64, ended by ST), as the terminal
 * needs it where twoway runs: plain; inside tmux, plain (tmux takes it
 * with set-clipboard on) and again through tmux's passthrough (with
 * allow-passthrough on); inside screen, wrapped for screen. Owned. */
char *termseq_osc52(const char *text, bool tmux, bool screen);

/* Add seq to out wrapped for the multiplexer between us and the terminal:
 * tmux's passthrough (ESC P tmux; ... ESC \, each ESC doubled) or
 * screen's (ESC P ... ESC \), or as it is. */
void termseq_wrap(struct buf *out, const char *seq, bool tmux, bool screen);

/* Does the terminal show OSC 8 hyperlinks, judged from its environment
 * (getenv_fn, for tests): VTE 0.50 and later, kitty, WezTerm, iTerm2,
 * foot, Alacritty, Ghostty, Windows Terminal, Konsole, VS Code; tmux 3.4
 * and later (which passes them on to a terminal that has them). Anything
 * else (screen, the Linux console, tmux before 3.4): no. */
bool termseq_hyperlinks_auto(const char *(*getenv_fn)(const char *name));

#endif
