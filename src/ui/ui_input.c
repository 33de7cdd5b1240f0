/* ui_input — bytes from the terminal become keys (normal mode, prompts,
 * overlays) or go to readline (the `:` line and the composer). The loop
 * tells us when the terminal is readable; everything available is read and
 * handled before the next redraw, so key repeat never lags. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twoway/keymap.h"
#include "twoway/log.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

/* How long a lone ESC waits for the rest of an escape sequence. */
#define ESC_WAIT_MS 40

/* ---- decoding ---- */

/* Length of a complete UTF-8 sequence starting with b, or 1 if invalid. */
static int utf8_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if ((b & 0xe0) == 0xc0)
        return 2;
    if ((b & 0xf0) == 0xe0)
        return 3;
    if ((b & 0xf8) == 0xf0)
        return 4;
    return 1;
}

static int csi_tilde_key(int n)
{
    switch (n) {
    case 1:
    case 7:
        return KEY_TW_HOME;
    case 2:
        return KEY_TW_INSERT;
    case 3:
        return KEY_TW_DELETE;
    case 4:
    case 8:
        return KEY_TW_END;
    case 5:
        return KEY_TW_PGUP;
    case 6:
        return KEY_TW_PGDN;
    case 11:
    case 12:
    case 13:
    case 14:
        return KEY_TW_F1 + (n - 11);
    case 15:
        return KEY_TW_F1 + 4;
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
        return KEY_TW_F1 + 5 + (n - 17);
    case 23:
    case 24:
        return KEY_TW_F1 + 10 + (n - 23);
    default:
        return -1;
    }
}

enum decoded { DEC_KEY, DEC_NEED_MORE, DEC_SKIP, DEC_FOCUS_IN, DEC_FOCUS_OUT };

/* Decode one key at s (n bytes). *used = bytes consumed. */
static enum decoded decode(const unsigned char *s, size_t n, bool esc_expired, int *key,
                           size_t *used)
{
    *used = 1;
    unsigned char c = s[0];
    if (c == 0x1b) {
        if (n == 1) {
            if (!esc_expired)
                return DEC_NEED_MORE;
            *key = KEY_TW_ESC;
            return DEC_KEY;
        }
        if (s[1] == '[' || s[1] == 'O') {
            size_t i = 2;
            int num = 0;
            /* parameters, then a final byte in 0x40..0x7e */
            while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';')) {
                if (s[i] != ';')
                    num = num * 10 + (s[i] - '0');
                i++;
            }
            if (i >= n)
                return esc_expired ? (*used = n, DEC_SKIP) : DEC_NEED_MORE;
            unsigned char f = s[i];
            *used = i + 1;
            if (f < 0x40 || f > 0x7e)
                return DEC_SKIP;
            switch (f) {
            case 'A':
                *key = KEY_TW_UP;
                return DEC_KEY;
            case 'B':
                *key = KEY_TW_DOWN;
                return DEC_KEY;
            case 'C':
                *key = KEY_TW_RIGHT;
                return DEC_KEY;
            case 'D':
                *key = KEY_TW_LEFT;
                return DEC_KEY;
            case 'H':
                *key = KEY_TW_HOME;
                return DEC_KEY;
            case 'F':
                *key = KEY_TW_END;
                return DEC_KEY;
            case 'Z':
                *key = KEY_TW_BTAB;
                return DEC_KEY;
            case 'I':
                return s[1] == '[' ? DEC_FOCUS_IN : DEC_SKIP;
            case 'O':
                return s[1] == '[' ? DEC_FOCUS_OUT : DEC_SKIP;
            case 'P':
            case 'Q':
            case 'R':
            case 'S':
                *key = KEY_TW_F1 + (f - 'P');
                return DEC_KEY;
            case 'M':
                if (s[1] == 'O') {
                    *key = KEY_TW_ENTER;
                    return DEC_KEY;
                }
                return DEC_SKIP;
            case '~':
                *key = csi_tilde_key(num);
                return *key < 0 ? DEC_SKIP : DEC_KEY;
            default:
                return DEC_SKIP;
            }
        }
        /* Alt/Meta: ESC then a key. */
        int inner;
        size_t u;
        enum decoded d = decode(s + 1, n - 1, true, &inner, &u);
        if (d != DEC_KEY)
            return d;
        *used = 1 + u;
        *key = inner | KEY_TW_META;
        return DEC_KEY;
    }
    if (c == '\r' || c == '\n') {
        *key = KEY_TW_ENTER;
        return DEC_KEY;
    }
    if (c == '\t') {
        *key = KEY_TW_TAB;
        return DEC_KEY;
    }
    if (c == 0x7f || c == 0x08) {
        *key = KEY_TW_BACKSPACE;
        return DEC_KEY;
    }
    if (c == 0) {
        *key = KEY_TW_CTRL | ' ';
        return DEC_KEY;
    }
    if (c < 0x20) {
        *key = KEY_TW_CTRL | ('a' + c - 1);
        return DEC_KEY;
    }
    int len = utf8_len(c);
    if ((size_t)len > n)
        return DEC_NEED_MORE;
    uint32_t cp = len == 1 ? c : c & (0xff >> (len + 1));
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *key = 0xfffd;
            return DEC_KEY;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *used = (size_t)len;
    *key = (int)cp;
    return DEC_KEY;
}

/* ---- confirmation ---- */

void ui_confirm(struct ui *ui, const char *question, void (*answer)(void *, bool), void *ud)
{
    if (ui->answer) {
        /* One question at a time: an unanswered one counts as no. */
        void (*prev)(void *, bool) = ui->answer;
        ui->answer = NULL;
        prev(ui->answer_ud, false);
    }
    log_info("asked: %s", question);
    free(ui->question);
    ui->question = xstrdup(question);
    ui->answer = answer;
    ui->answer_ud = ud;
    ui->answer_from = UINT64_MAX; /* until an update has shown it */
    if (!ui->message_error)       /* "checking with the server…": this is its answer */
        ui_message(ui, NULL, false);
    /* An open line (the composer, the `:` line) keeps the input line, and
     * the keys typed for it; the question waits until it closes
     * (ui_rl_end), so that a y in the middle of a word is never its
     * answer. */
    if (!ui->rl_active)
        ui->mode = MODE_CONFIRM;
    ui_damage(ui, DMG_INPUT | DMG_STATUS);
}

/* A question comes when the server has answered a check, at a moment the
 * agent cannot foresee: keys typed before it showed were meant for
 * something else, or guessed at it (a y typed ahead). What the terminal
 * holds when the update that shows it is done was typed before it showed:
 * it is read now, and turned down with the rest of the queue. */
bool ui_confirm_shown(struct ui *ui)
{
    if (ui->mode != MODE_CONFIRM || ui->answer_from != UINT64_MAX)
        return false;
    ui_input_read(ui);
    ui->answer_from = ui->in_read;
    if (ui->inq.len == 0)
        return false;
    ui_input_keys(ui);
    return true;
}

/* typed_before: the key was read before the question showed. */
static void confirm_key(struct ui *ui, int key, bool typed_before)
{
    if (key == (KEY_TW_CTRL | 'z')) {
        ui_suspend(ui); /* the question stays, and is shown anew after fg */
        return;
    }
    if (typed_before) {
        ui_message(ui, "a key typed before the question showed is not an answer: y or n", true);
        return;
    }
    bool yes;
    if (key == 'y' || key == 'Y')
        yes = true;
    else if (key == 'n' || key == 'N' || key == KEY_TW_ESC || key == (KEY_TW_CTRL | 'c') ||
             key == (KEY_TW_CTRL | 'g') || key == KEY_TW_ENTER)
        yes = false;
    else
        return;
    void (*answer)(void *, bool) = ui->answer;
    void *ud = ui->answer_ud;
    ui->answer = NULL;
    ui->mode = MODE_NORMAL;
    ui_message(ui, NULL, false); /* answered: what was said about it is past */
    free(ui->question);
    ui->question = NULL;
    ui_damage(ui, DMG_INPUT | DMG_STATUS);
    if (answer)
        answer(ud, yes);
}

/* ---- normal mode ---- */

/* A key was pressed: the status message has been seen. */
static void clear_message(struct ui *ui)
{
    if (ui->message) {
        free(ui->message);
        ui->message = NULL;
        ui_damage(ui, DMG_STATUS);
    }
}

static void normal_key(struct ui *ui, int key)
{
    if (key == (KEY_TW_CTRL | 'z')) {
        ui_suspend(ui);
        return;
    }
    if (key == (KEY_TW_CTRL | 'c')) {
        ui->env->quit = true;
        return;
    }
    clear_message(ui);
    enum keymap_ctx ctx = ui->env->view->focus == VIEW_FOCUS_THREAD ? KEYCTX_THREAD : KEYCTX_LIST;
    const char *line = keymap_lookup(ui->env->keys, ctx, key);
    if (!line) {
        if (key != KEY_TW_ESC) {
            char *m = xasprintf("%s: not bound (? shows the keys)", keymap_key_name(key));
            ui_message(ui, m, false);
            free(m);
        }
        ui->prefix_pending = false;
        return;
    }
    char *copy = xstrdup(line); /* a command may rebind the key */
    ui_run_line(ui, copy);
    free(copy);
}

/* ---- the byte queue ---- */

/* A focus report from the terminal (CSI I / CSI O). */
static void set_focus(struct ui *ui, bool in)
{
    if (ui->focused != in)
        log_debug("terminal focus %s", in ? "in" : "out");
    ui->focused = in;
}

static void drop(struct ui *ui, size_t n)
{
    memmove(ui->inq.data, ui->inq.data + n, ui->inq.len - n);
    ui->inq.len -= n;
    ui->inq.data[ui->inq.len] = '\0';
}

static void esc_timeout(void *ud)
{
    struct ui *ui = ud;
    ui->esc_timer = 0;
    ui->esc_expired = true;
    ui_input_keys(ui);
    ui->esc_expired = false;
}

static void arm_esc_timer(struct ui *ui)
{
    if (!ui->esc_timer && ui->deps.timer)
        ui->esc_timer =
            ui->deps.timer(ui->deps.loop_ud, timeutil_mono_ms() + ESC_WAIT_MS, esc_timeout, ui);
}

/* In the readline modes: take out what is ours (focus reports, a lone ESC
 * that cancels) and hand the rest to readline. */
static bool rl_bytes(struct ui *ui)
{
    const unsigned char *s = (const unsigned char *)ui->inq.data;
    size_t n = ui->inq.len;
    if (n == 0)
        return false;
    /* C-c and C-g leave the line in any editing mode (a draft stays). */
    if (s[0] == 0x03 || s[0] == 0x07) {
        drop(ui, 1);
        ui_rl_end(ui);
        return true;
    }
    if (s[0] == 0x1a) { /* C-z: the line stays as it is, and its draft is saved */
        drop(ui, 1);
        ui_suspend(ui);
        return true;
    }
    /* Alt-Enter (ESC CR, or ESC LF) is a line break in the composer, in
     * every editing mode, as C-v C-j is; never readline's Meta-Enter
     * (vi-editing-mode), never a send. The `:` line is one line: a blank
     * there, as a line break in a paste is, so that words do not run
     * together. */
    if (n >= 2 && s[0] == 0x1b && (s[1] == '\r' || s[1] == '\n')) {
        drop(ui, 2);
        clear_message(ui);
        ui_rl_insert(ui, ui->mode == MODE_COMPOSE ? "\n" : " ");
        return true;
    }
    if (s[0] == 0x1b && n == 1) {
        if (!ui->esc_expired) {
            arm_esc_timer(ui);
            return false;
        }
        /* vi mode (from ~/.inputrc): Esc is readline's, to command mode.
         * Otherwise it leaves the line; a draft stays saved. */
        if (ui_rl_vi_mode()) {
            clear_message(ui);
            ui_rl_feed_bytes(ui, 1);
            return true;
        }
        drop(ui, 1);
        ui_rl_end(ui);
        return true;
    }
    if (n >= 3 && s[0] == 0x1b && s[1] == '[' && (s[2] == 'I' || s[2] == 'O')) {
        set_focus(ui, s[2] == 'I');
        drop(ui, 3);
        return true;
    }
    /* Hand over everything up to the next ESC or cancel key that might be
     * ours. */
    size_t k = 1;
    while (k < n && s[k] != 0x1b && s[k] != 0x03 && s[k] != 0x07 && s[k] != 0x1a)
        k++;
    clear_message(ui);
    ui_rl_feed_bytes(ui, k);
    return true;
}

static bool key_bytes(struct ui *ui)
{
    int key = 0;
    size_t used = 0;
    enum decoded d =
        decode((const unsigned char *)ui->inq.data, ui->inq.len, ui->esc_expired, &key, &used);
    if (d == DEC_NEED_MORE) {
        arm_esc_timer(ui);
        return false;
    }
    /* Where the key is in all that was read: before the question showed? */
    bool typed_before = ui->in_read - ui->inq.len < ui->answer_from;
    drop(ui, used);
    switch (d) {
    case DEC_FOCUS_IN:
    case DEC_FOCUS_OUT:
        set_focus(ui, d == DEC_FOCUS_IN);
        return true;
    case DEC_SKIP:
        return true;
    default:
        break;
    }
    if (ui->overlay != OVERLAY_NONE)
        ui_overlay_key(ui, key);
    else if (ui->mode == MODE_CONFIRM)
        confirm_key(ui, key, typed_before);
    else
        normal_key(ui, key);
    return true;
}

/* Bracketed paste (the terminal wraps pasted text in ESC [200~ … ESC
 * [201~): pasted text is text, never keys. Without this a pasted line
 * break would send half a reply, and the rest would run as key bindings. */
#define PASTE_START "\x1b[200~"
#define PASTE_END "\x1b[201~"
#define PASTE_MAX (1024 * 1024)

static bool paste_bytes(struct ui *ui)
{
    const char *s = ui->inq.data;
    size_t n = ui->inq.len, lead = strlen(PASTE_START);
    if (n < lead || memcmp(s, PASTE_START, lead) != 0)
        return false;
    const char *end = memmem(s + lead, n - lead, PASTE_END, strlen(PASTE_END));
    if (!end && n < PASTE_MAX)
        return false; /* the rest is on its way */
    size_t len = end ? (size_t)(end - s) - lead : n - lead;
    /* A copied line usually brings its line break along: not wanted. */
    while (len && (s[lead + len - 1] == '\n' || s[lead + len - 1] == '\r'))
        len--;
    char *text = xstrndup(s + lead, len);
    drop(ui, end ? (size_t)(end - s) + strlen(PASTE_END) : n);
    /* Longer than we take: what follows is still pasted text, up to the
     * terminal's end of the paste, and is dropped (paste_rest_bytes). */
    ui->paste_rest = !end;
    bool multi = ui->mode == MODE_COMPOSE;
    char *safe = text_sanitize_str(text, multi ? TEXT_MULTI_LINE : TEXT_SINGLE_LINE);
    if ((ui->mode == MODE_COMPOSE || ui->mode == MODE_COMMAND) && ui->overlay == OVERLAY_NONE) {
        ui_rl_insert(ui, safe);
        if (!end)
            ui_message(ui, "pasted text cut at 1 MiB: the rest was left out", true);
    } else {
        ui_message(ui, "pasted text ignored: r opens the composer, : the command line", false);
    }
    free(safe);
    free(text);
    return true;
}

/* The rest of a paste longer than PASTE_MAX: dropped up to and with its
 * end. false while the end has not come (the last bytes are kept: they
 * may be the start of it). */
static bool paste_rest_bytes(struct ui *ui)
{
    const char *s = ui->inq.data;
    size_t n = ui->inq.len, tail = strlen(PASTE_END);
    const char *end = memmem(s, n, PASTE_END, tail);
    if (end) {
        drop(ui, (size_t)(end - s) + tail);
        ui->paste_rest = false;
        return true;
    }
    if (n >= tail)
        drop(ui, n - (tail - 1));
    return false;
}

bool ui_paste_pending(const struct ui *ui)
{
    size_t lead = strlen(PASTE_START);
    return ui->inq.len >= lead && memcmp(ui->inq.data, PASTE_START, lead) == 0;
}

void ui_input_keys(struct ui *ui)
{
    /* Each step consumes bytes or waits for more; modes may change between
     * steps (a key opens the composer, the rest of the bytes are text). */
    for (int guard = 0; ui->inq.len > 0 && !ui->lent && guard < 100000; guard++) {
        if (ui->paste_rest) {
            if (!paste_rest_bytes(ui))
                break; /* wait for the end of the paste */
            continue;
        }
        if (ui_paste_pending(ui)) {
            if (!paste_bytes(ui))
                break; /* wait for the end of the paste */
            continue;
        }
        bool progressed =
            (ui->mode == MODE_COMMAND || ui->mode == MODE_COMPOSE) && ui->overlay == OVERLAY_NONE
                ? rl_bytes(ui)
                : key_bytes(ui);
        if (!progressed)
            break;
    }
}

void ui_input_read(struct ui *ui)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(ui->tty_fd, chunk, sizeof chunk);
        if (n > 0) {
            buf_add(&ui->inq, chunk, (size_t)n);
            ui->in_read += (uint64_t)n;
            if (n < (ssize_t)sizeof chunk)
                break; /* all there was */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
}

void ui_input(struct ui *ui)
{
    ui_input_read(ui);
    if (ui->esc_timer) {
        ui->deps.cancel(ui->deps.loop_ud, ui->esc_timer);
        ui->esc_timer = 0;
    }
    ui_input_keys(ui);
}
