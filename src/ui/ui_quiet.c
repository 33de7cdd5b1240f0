/* ui_quiet — the composer says before Enter that a reply would be refused
 * for quiet hours (quiet.h): the customer's time is in them and they have
 * not written for a day, as far as the thread on screen tells. Worked out
 * once a minute per conversation, not per key. */
#include <stdlib.h>

#include "twoway/model.h"
#include "twoway/options.h"
#include "twoway/quiet.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

static char *work_out(struct ui *ui, int64_t conv, int64_t now)
{
    struct store *st = ui->env->st;
    const struct conversation *c = store_conv(st, conv);
    struct quiet_hours q;
    char *err = NULL;
    if (!c || quiet_parse(options_get(ui->env->opts, "quiet_hours"), &q, &err) < 0) {
        free(err);
        return NULL;
    }
    struct quiet_verdict v;
    if (!quiet_now(&c->contact, &q, now, &v))
        return NULL;
    size_t n;
    const struct message *m = store_thread(st, conv, &n);
    int outreach = quiet_outreach(m, n, store_thread_complete(st, conv), now);
    if (outreach == 0)
        return NULL;
    char *name = model_first_name(c->contact.name);
    char *note = xasprintf("quiet hours for %s, %s their time%s%s%s: Enter is refused%s; "
                           ":reply --force sends",
                           *name ? name : model_contact_label(&c->contact), v.local,
                           *v.zone ? " (" : "", v.zone, *v.zone ? ")" : "",
                           outreach < 0 ? " unless they wrote in the last 24 hours" : "");
    free(name);
    return note;
}

const char *ui_quiet_note(struct ui *ui)
{
    int64_t conv = ui->compose_conv;
    int64_t now = timeutil_now();
    uint64_t gen = store_thread_gen(ui->env->st, conv) ^ options_gen(ui->env->opts);
    if (conv != ui->quiet_conv || now / 60 != ui->quiet_minute || gen != ui->quiet_gen) {
        free(ui->quiet_note);
        ui->quiet_note = work_out(ui, conv, now);
        ui->quiet_conv = conv;
        ui->quiet_minute = now / 60;
        ui->quiet_gen = gen;
    }
    return ui->quiet_note;
}
