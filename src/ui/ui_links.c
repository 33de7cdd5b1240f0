/* ui_links — attachment links as hyperlinks (OSC 8) on terminals that
 * show them (the hyperlinks setting: auto, yes, no).
 *
 * curses cannot put an escape sequence inside what it draws, so the links
 * go on top of it: after doupdate(), the text of each link the thread pane
 * just drew is written again, the same characters in the same attributes,
 * between an OSC 8 that opens the link and one that closes it. The cursor
 * and the attributes are saved around it (DECSC, DECRC) and curses' idea
 * of the attributes is put back with vid_puts, so curses' picture of the
 * screen stays true and the next update goes on from it. It happens only
 * when the thread was drawn: moving in the list or typing in the composer
 * costs nothing more. The URL was checked (termseq_url_ok) when the line
 * was made; the text is its ASCII bytes. */
#include <stdlib.h>
#include <string.h>

#include "theme.h"
#include "twoway/options.h"
#include "twoway/termseq.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

struct ui_link {
    int y, x;
    char *text; /* what the line shows of the link */
    char *url;
};

static void forget(struct ui *ui)
{
    for (size_t i = 0; i < ui->nlinks; i++) {
        free(ui->links[i].text);
        free(ui->links[i].url);
    }
    ui->nlinks = 0;
}

void ui_links_begin(struct ui *ui)
{
    forget(ui);
    ui->links_drawn = true;
}

void ui_links_add(struct ui *ui, int y, int x0, const struct fmt_line *l)
{
    if (!l->link || l->link_end <= l->link_start || l->link_end > strlen(l->text))
        return;
    if (ui->nlinks == ui->caplinks) {
        ui->caplinks = ui->caplinks ? ui->caplinks * 2 : 8;
        ui->links = xreallocarray(ui->links, ui->caplinks, sizeof *ui->links);
    }
    char *before = xstrndup(l->text, l->link_start);
    ui->links[ui->nlinks++] = (struct ui_link){
        .y = y,
        .x = x0 + text_width(before),
        .text = xstrndup(l->text + l->link_start, l->link_end - l->link_start),
        .url = xstrdup(l->link),
    };
    free(before);
}

void ui_links_free(struct ui *ui)
{
    forget(ui);
    free(ui->links);
    ui->links = NULL;
    ui->caplinks = 0;
}

static const char *real_getenv(const char *name)
{
    return getenv(name);
}

bool ui_hyperlinks(const struct ui *ui)
{
    const char *v = options_get(ui->env->opts, "hyperlinks");
    if (v && strcmp(v, "yes") == 0)
        return true;
    if (v && strcmp(v, "no") == 0)
        return false;
    return termseq_hyperlinks_auto(real_getenv);
}

/* vid_puts writes the attributes' sequence through this. */
static struct buf *sgr_out;

static int put_sgr(int c)
{
    buf_addc(sgr_out, (char)c);
    return c;
}

/* The same short id for every piece of one URL: a terminal shows them as
 * one link (hovered together). */
static void link_id(const char *url, char out[20])
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    snprintf(out, 20, "tw%016llx", (unsigned long long)h);
}

void ui_links_emit(struct ui *ui)
{
    bool drawn = ui->links_drawn;
    ui->links_drawn = false;
    if (!drawn || ui->nlinks == 0 || ui->overlay != OVERLAY_NONE || ui->lent || !ui_hyperlinks(ui))
        return;
    struct buf b;
    buf_init(&b);
    sgr_out = &b;
    buf_adds(&b, "\0337"); /* DECSC: the cursor and the attributes */
    int attr = theme_attr(ROLE_LINK);
    for (size_t i = 0; i < ui->nlinks; i++) {
        const struct ui_link *k = &ui->links[i];
        char id[20];
        link_id(k->url, id);
        char *open = termseq_osc8_open(k->url, id);
        buf_addf(&b, "\033[%d;%dH", k->y + 1, k->x + 1);
        vid_puts((attr_t)(attr & ~A_COLOR), (short)PAIR_NUMBER(attr), NULL, put_sgr);
        buf_adds(&b, open);
        buf_adds(&b, k->text);
        buf_adds(&b, TERMSEQ_OSC8_CLOSE);
        free(open);
    }
    /* curses believes the attributes are back to normal after an update:
     * so they are, and so it is told. */
    vid_puts(A_NORMAL, 0, NULL, put_sgr);
    buf_adds(&b, "\0338"); /* DECRC */
    sgr_out = NULL;
    ui_write_raw(ui, b.data, b.len);
    buf_free(&b);
}
