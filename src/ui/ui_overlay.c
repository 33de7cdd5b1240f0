/* ui_overlay — full-pane overlays over the thread: the help screen
 * (generated from the key and command tables, so it cannot drift) and the
 * template picker (short code, a preview filled in for the conversation on
 * screen, and its SMS segment count). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"
#include "twoway/keymap.h"
#include "twoway/options.h"
#include "twoway/smsseg.h"
#include "twoway/store.h"
#include "twoway/template.h"
#include "twoway/text.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

/* Overlay lines are plain text lines with one role each. */
static void add_line(struct ui *ui, enum fmt_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_line(struct ui *ui, enum fmt_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    char *clean = text_sanitize_str(raw, TEXT_SINGLE_LINE);
    char *safe = ui_text(ui, clean);
    free(clean);
    free(raw);
    ui->olines = xreallocarray(ui->olines, ui->nolines + 1, sizeof *ui->olines);
    struct fmt_line *l = &ui->olines[ui->nolines++];
    memset(l, 0, sizeof *l);
    l->text = safe;
    l->width = text_width(safe);
    l->spans = xmalloc(sizeof *l->spans);
    l->spans[0] = (struct fmt_span){0, strlen(safe), role};
    l->nspans = 1;
}

static void reset(struct ui *ui)
{
    fmt_lines_free(ui->olines, ui->nolines);
    ui->olines = NULL;
    ui->nolines = 0;
    ui->otop = ui->osel = 0;
}

/* Over the thread and header when split, over everything in one pane. */
static struct rect overlay_rect(const struct ui *ui)
{
    struct rect r = ui->lay.thread;
    if (ui->lay.split && ui->lay.header.h > 0) {
        r.y = ui->lay.header.y;
        r.h += ui->lay.header.h;
    }
    if (r.w <= 0 || r.h <= 0)
        r = ui->lay.list;
    return r;
}

static WINDOW *overlay_window(struct ui *ui)
{
    struct rect r = overlay_rect(ui);
    if (r.w <= 0 || r.h <= 0)
        return NULL;
    WINDOW *w = newwin(r.h, r.w, r.y, r.x);
    if (w)
        leaveok(w, TRUE);
    return w;
}

void ui_overlay_close(struct ui *ui)
{
    if (ui->w_overlay)
        delwin(ui->w_overlay);
    ui->w_overlay = NULL;
    ui->overlay = OVERLAY_NONE;
    reset(ui);
    free(ui->ofilter);
    ui->ofilter = NULL;
    free(ui->otopic);
    ui->otopic = NULL;
    ui_damage(ui, DMG_ALL);
}

/* ---- help ---- */

/* Narrower than this beside its head, a text goes under it instead. */
#define WRAP_MIN 20

/* head, then text word-wrapped beside it in the columns left of the
 * overlay's (its further lines under the first, from column col), or
 * under the head, indented, where beside it would be too narrow to read:
 * at any width every word of the help is there to be read. */
static void add_wrapped(struct ui *ui, enum fmt_role role, const char *head, int col,
                        const char *text)
{
    int width = overlay_rect(ui).w;
    int hw = text_width(head);
    if (hw && col < hw + 1)
        col = hw + 1;
    bool under = width - col < WRAP_MIN;
    int indent = under ? 4 : col;
    char *t = ui_text(ui, text);
    char **lines = NULL;
    size_t n = text_wrap(t, width - indent, &lines);
    free(t);
    if (under)
        add_line(ui, role, "%s", head);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 && !under)
            add_line(ui, role, "%s%*s%s", head, col - hw, "", lines[i]);
        else
            add_line(ui, role, "%*s%s", indent, "", lines[i]);
    }
    text_lines_free(lines, n);
}

static void help_keys(struct ui *ui, enum keymap_ctx ctx, const char *title)
{
    size_t pos = 0;
    int key;
    const char *line;
    add_line(ui, ROLE_HEADER, "%s", title);
    while (keymap_iter(ui->env->keys, ctx, &pos, &key, &line)) {
        char *head = xasprintf("  %s", keymap_key_name(key));
        add_wrapped(ui, ROLE_NORMAL, head, 15, line);
        free(head);
    }
    add_line(ui, ROLE_NORMAL, "%s", "");
}

/* What the symbols on screen mean, as this terminal draws them. */
static void help_legend(struct ui *ui)
{
    size_t n = 0;
    const struct fmt_symbol *sym = fmt_legend(&n);
    int col = 0;
    for (size_t i = 0; i < n; i++) {
        int w = text_width(ui->utf8 ? sym[i].glyph : sym[i].ascii);
        col = w > col ? w : col;
    }
    add_line(ui, ROLE_HEADER, "%s", "Symbols");
    for (size_t i = 0; i < n; i++) {
        char *head = xasprintf("  %s", ui->utf8 ? sym[i].glyph : sym[i].ascii);
        add_wrapped(ui, ROLE_NORMAL, head, col + 4, sym[i].meaning);
        free(head);
    }
    add_line(ui, ROLE_NORMAL, "%s", "");
}

/* The lines of the help (topic: a command, or "" for all), wrapped to the
 * overlay's width. false if there is no such command. */
static bool help_build(struct ui *ui, const char *topic)
{
    reset(ui);
    size_t n = 0;
    const struct cmd_def *tab = cmd_table(&n);
    if (*topic) {
        char *err = NULL;
        const struct cmd_def *d = cmd_find(topic, &err);
        if (!d) {
            ui_message(ui, err, true);
            free(err);
            return false;
        }
        add_wrapped(ui, ROLE_HEADER, "", 0, d->usage);
        add_wrapped(ui, ROLE_NORMAL, "", 2, d->help);
        if (d->aliases)
            add_wrapped(ui, ROLE_DIM, "  aliases:", 11, d->aliases);
        return true;
    }
    char *title = xasprintf("twoway %s — q or Esc closes, j/k scroll", TWOWAY_VERSION);
    add_wrapped(ui, ROLE_HEADER, "", 0, title);
    free(title);
    add_line(ui, ROLE_NORMAL, "%s", "");
    help_legend(ui);
    help_keys(ui, KEYCTX_GLOBAL, "Keys everywhere");
    help_keys(ui, KEYCTX_LIST, "Keys in the conversation list");
    help_keys(ui, KEYCTX_THREAD, "Keys in the thread");
    add_line(ui, ROLE_HEADER, "%s", "Commands (type : then the command; Tab completes)");
    for (size_t i = 0; i < n; i++) {
        add_wrapped(ui, ROLE_NORMAL, "", 2, tab[i].usage);
        add_wrapped(ui, ROLE_DIM, "", 6, tab[i].help);
    }
    add_line(ui, ROLE_NORMAL, "%s", "");
    add_line(ui, ROLE_HEADER, "%s", "Options (:set NAME = VALUE)");
    size_t no = 0;
    const struct opt_def *opts = options_table(&no);
    for (size_t i = 0; i < no; i++) {
        char *head = xasprintf("  %s", opts[i].name);
        add_wrapped(ui, ROLE_NORMAL, head, 25, opts[i].help);
        free(head);
    }
    return true;
}

void ui_help_open(struct ui *ui, const char *topic)
{
    ui_overlay_close(ui);
    if (!help_build(ui, topic ? topic : ""))
        return;
    ui->otopic = xstrdup(topic ? topic : "");
    ui->overlay = OVERLAY_HELP;
    ui->w_overlay = overlay_window(ui);
    ui_damage(ui, DMG_OVERLAY);
}

/* The screen's layout changed (a resize, list_width...): the overlay
 * takes its new place, and the help is wrapped anew to its width. */
void ui_overlay_relayout(struct ui *ui)
{
    if (ui->overlay == OVERLAY_NONE)
        return;
    if (ui->w_overlay)
        delwin(ui->w_overlay);
    ui->w_overlay = overlay_window(ui);
    if (ui->overlay == OVERLAY_HELP) {
        size_t top = ui->otop;
        help_build(ui, ui->otopic ? ui->otopic : "");
        ui->otop = top < ui->nolines ? top : ui->nolines ? ui->nolines - 1 : 0;
    }
    ui_damage(ui, DMG_OVERLAY);
}

/* ---- a command's output ---- */

void ui_output_open(struct ui *ui, size_t first)
{
    ui_overlay_close(ui);
    add_line(ui, ROLE_HEADER, "%s", "Output — q or Esc closes, j/k scroll");
    for (size_t i = first; i < ui->nout; i++) {
        /* a record of several lines (show) stays whole, line by line */
        char *copy = xstrdup(ui->out[i]), *save = NULL;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
            add_line(ui, ROLE_NORMAL, "%s", l);
        free(copy);
    }
    ui->overlay = OVERLAY_OUTPUT;
    ui->w_overlay = overlay_window(ui);
    ui_damage(ui, DMG_OVERLAY);
}

/* ---- the template picker ---- */

struct picked {
    const struct template *t;
};

/* The templates matching the typed filter, best first (cmd.h). */
static size_t collect_templates(struct ui *ui, const struct template ***out)
{
    size_t n;
    *out = cmd_templates_matching(ui->env, ui->ofilter ? ui->ofilter : "", &n);
    return n;
}

static int64_t picker_conv(const struct ui *ui)
{
    return ui->mode == MODE_COMPOSE ? ui->compose_conv : ui->env->view->open_conv;
}

static char *expand(struct ui *ui, const struct template *t, char **err)
{
    return template_expand_for(t->content, ui->env->st, picker_conv(ui), err);
}

/* Whose the agent variables are, when it is not the assignee's: on a
 * conversation nobody has, the agent replying signs. "" if nothing to say. */
static const char *agent_note(struct ui *ui, const struct template *t)
{
    const struct conversation *c = store_conv(ui->env->st, picker_conv(ui));
    if (!c || c->assignee_id || !template_uses_agent(t->content))
        return "";
    return "  · agent: you (nobody has it)";
}

static void picker_build(struct ui *ui)
{
    size_t keep = ui->osel;
    reset(ui);
    ui->osel = keep;
    const struct template **all = NULL;
    size_t n = collect_templates(ui, &all);
    add_line(ui, ROLE_HEADER, "Templates — type to filter, Enter inserts, Esc closes%s%s",
             ui->ofilter && *ui->ofilter ? ": " : "", ui->ofilter ? ui->ofilter : "");
    for (size_t i = 0; i < n; i++) {
        char *err = NULL;
        char *text = expand(ui, all[i], &err);
        struct smsseg_info si;
        smsseg_measure(text ? text : all[i]->content, &si);
        add_line(ui, ROLE_LABEL, "/%s%s  (%zu SMS, %s)%s", all[i]->short_code,
                 all[i]->local ? " [local]" : "", si.segments,
                 si.encoding == SMSSEG_GSM7 ? "GSM-7" : "UCS-2", agent_note(ui, all[i]));
        add_line(ui, text ? ROLE_NORMAL : ROLE_FAILED, "   %s", text ? text : err);
        free(text);
        free(err);
    }
    if (n == 0)
        add_line(ui, ROLE_DIM, "%s", "  no templates match");
    if (ui->osel >= n)
        ui->osel = n ? n - 1 : 0;
    free(all);
}

void ui_picker_open(struct ui *ui)
{
    if (!picker_conv(ui)) {
        ui_message(ui, "open a conversation first", true);
        return;
    }
    ui_overlay_close(ui);
    ui->ofilter = xstrdup("");
    ui->overlay = OVERLAY_PICKER;
    picker_build(ui);
    ui->w_overlay = overlay_window(ui);
    ui_damage(ui, DMG_OVERLAY);
}

static void picker_choose(struct ui *ui)
{
    const struct template **all = NULL;
    size_t n = collect_templates(ui, &all);
    if (ui->osel >= n) {
        free(all);
        return;
    }
    char *err = NULL;
    char *text = expand(ui, all[ui->osel], &err);
    if (!text) {
        /* Insert it raw: the variable shows, and sending stops on it. */
        ui_message(ui, err, true);
        free(err);
        text = xstrdup(all[ui->osel]->content);
    }
    int64_t conv = picker_conv(ui);
    free(all);
    ui_overlay_close(ui);
    if (ui->mode == MODE_COMPOSE)
        ui_rl_insert(ui, text);
    else
        ui_compose_add(ui, conv, text);
    free(text);
}

/* ---- keys and drawing ---- */

void ui_overlay_key(struct ui *ui, int key)
{
    int h = ui->w_overlay ? getmaxy(ui->w_overlay) : 10;
    if (key == KEY_TW_ESC || key == (KEY_TW_CTRL | 'c') || key == (KEY_TW_CTRL | 'g') ||
        (ui->overlay != OVERLAY_PICKER && key == 'q')) {
        ui_overlay_close(ui);
        return;
    }
    if (ui->overlay == OVERLAY_HELP || ui->overlay == OVERLAY_OUTPUT) {
        size_t max = ui->nolines > (size_t)h ? ui->nolines - (size_t)h : 0;
        if (key == 'j' || key == KEY_TW_DOWN)
            ui->otop = ui->otop < max ? ui->otop + 1 : max;
        else if (key == 'k' || key == KEY_TW_UP)
            ui->otop = ui->otop ? ui->otop - 1 : 0;
        else if (key == KEY_TW_PGDN || key == ' ' || key == (KEY_TW_CTRL | 'f'))
            ui->otop = ui->otop + (size_t)h < max ? ui->otop + (size_t)h : max;
        else if (key == KEY_TW_PGUP || key == (KEY_TW_CTRL | 'b'))
            ui->otop = ui->otop > (size_t)h ? ui->otop - (size_t)h : 0;
        else if (key == 'g' || key == KEY_TW_HOME)
            ui->otop = 0;
        else if (key == 'G' || key == KEY_TW_END)
            ui->otop = max;
        ui_damage(ui, DMG_OVERLAY);
        return;
    }
    /* picker */
    if (key == KEY_TW_ENTER) {
        picker_choose(ui);
        return;
    }
    if (key == KEY_TW_DOWN || key == (KEY_TW_CTRL | 'n'))
        ui->osel++;
    else if ((key == KEY_TW_UP || key == (KEY_TW_CTRL | 'p')) && ui->osel > 0)
        ui->osel--;
    else if (key == KEY_TW_BACKSPACE && ui->ofilter && *ui->ofilter) {
        size_t len = strlen(ui->ofilter);
        size_t cut = text_prev_grapheme(ui->ofilter, len);
        ui->ofilter[cut] = '\0';
        ui->osel = 0;
    } else if (key >= 0x20 && key < KEY_TW_BASE) {
        char u[8] = {0};
        int k = key;
        if (k < 0x80) {
            u[0] = (char)k;
        } else if (k < 0x800) {
            u[0] = (char)(0xc0 | (k >> 6));
            u[1] = (char)(0x80 | (k & 0x3f));
        } else if (k < 0x10000) {
            u[0] = (char)(0xe0 | (k >> 12));
            u[1] = (char)(0x80 | ((k >> 6) & 0x3f));
            u[2] = (char)(0x80 | (k & 0x3f));
        } else {
            u[0] = (char)(0xf0 | (k >> 18));
            u[1] = (char)(0x80 | ((k >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((k >> 6) & 0x3f));
            u[3] = (char)(0x80 | (k & 0x3f));
        }
        char *f = xasprintf("%s%s", ui->ofilter ? ui->ofilter : "", u);
        free(ui->ofilter);
        ui->ofilter = f;
        ui->osel = 0;
    }
    picker_build(ui);
    ui_damage(ui, DMG_OVERLAY);
}

void ui_overlay_draw(struct ui *ui)
{
    WINDOW *w = ui->w_overlay;
    if (!w)
        return;
    werase(w);
    int h = getmaxy(w), width = getmaxx(w);
    if (ui->overlay == OVERLAY_PICKER) {
        /* header line, then two lines per template; keep the choice visible */
        size_t per = 2, rows = h > 1 ? (size_t)(h - 1) / per : 1;
        if (ui->osel < ui->otop)
            ui->otop = ui->osel;
        if (ui->osel >= ui->otop + rows)
            ui->otop = ui->osel - rows + 1;
        ui_draw_line(w, 0, &ui->olines[0]);
        for (size_t r = 0; r < rows; r++) {
            size_t t = ui->otop + r;
            for (size_t k = 0; k < per; k++) {
                size_t li = 1 + t * per + k;
                if (li >= ui->nolines)
                    break;
                struct fmt_line *l = &ui->olines[li];
                /* A preview longer than the pane says so. */
                char *cut = text_truncate(l->text, width, true);
                char *fit = text_pad(cut, width);
                free(cut);
                int attr = theme_attr(t == ui->osel ? ROLE_SELECTED : l->spans[0].role);
                wmove(w, 1 + (int)(r * per + k), 0);
                ui_draw_text(w, fit, strlen(fit), attr);
                free(fit);
            }
        }
    } else {
        for (int y = 0; y < h && ui->otop + (size_t)y < ui->nolines; y++) {
            struct fmt_line *l = &ui->olines[ui->otop + (size_t)y];
            char *fit = text_truncate(l->text, width, true);
            wmove(w, y, 0);
            ui_draw_text(w, fit, strlen(fit), theme_attr(l->spans[0].role));
            free(fit);
        }
    }
    wnoutrefresh(w);
}
