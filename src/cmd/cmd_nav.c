/* cmd_nav — moving: opening conversations (by id or phone), the selection
 * in the list, the thread's scrolling, the filters and the local limit,
 * and marks. These change the view; the app and the ui follow it. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_priv.h"
#include "twoway/keymap.h"
#include "twoway/pattern.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

/* Rows a page move takes without a screen. */
#define BATCH_PAGE_ROWS 10

int64_t *cmd_nav_shown(const struct cmd_env *env, size_t *n)
{
    const struct store *st = env->st;
    size_t len = store_list_len(st);
    int64_t *ids = xcalloc(len ? len : 1, sizeof *ids);
    struct pattern_ctx pc = {.me = cmd_me(env), .now = timeutil_now()};
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        const struct conversation *c = store_list_conv(st, i);
        if (c && (!env->view->limit || pattern_match(env->view->limit, c, &pc)))
            ids[k++] = c->id;
    }
    *n = k;
    return ids;
}

/* ---- opening ---- */

/* The conversation becomes the one commands act on (and, on a screen, the
 * one in the thread pane). */
void cmd_nav_open_conv(struct cmd_call *call, int64_t id)
{
    struct cmd_env *env = call->env;
    struct view *v = env->view;
    if (env->batch || !env->ui) {
        env->batch_conv = id;
    }
    if (!env->batch) {
        v->open_conv = id;
        v->selected = id;
        v->selected_moved = false;
        v->focus = VIEW_FOCUS_THREAD;
        view_touch(v);
    }
}

static void opened(struct cmd_call *call, const struct session_answer *a)
{
    const char *why = a->why;
    if (why) {
        cmd_finish(call, false, why);
        return;
    }
    int64_t id = (int64_t)(intptr_t)call->priv;
    call->priv = NULL;
    call->conv = id;
    cmd_nav_open_conv(call, id);
    const struct conversation *c = store_conv(call->env->st, id);
    /* On a screen, the selected row opened says nothing: the thread's
     * header names it, and a status line to write and then clear again is
     * bytes over the link for nothing. */
    if (!call->env->ui || call->argc > 1)
        cmd_report_action(call, NULL, "#%lld %s", (long long)id,
                          c ? model_contact_label(&c->contact) : "");
    cmd_finish(call, true, NULL);
}

/* ---- by phone: the store's list, else the server ---- */

struct by_phone {
    char *digits;
    int64_t contact;
};

static bool same_phone(const char *a_digits, const char *phone)
{
    char *d = cmd_resolve_digits(phone);
    bool same = *d && strcmp(d, a_digits) == 0;
    free(d);
    return same;
}

static int64_t phone_in_list(const struct store *st, const char *digits, int64_t contact)
{
    int64_t best = 0, best_at = -1;
    for (size_t i = 0; i < store_list_len(st); i++) {
        const struct conversation *c = store_list_conv(st, i);
        if (!c)
            continue;
        bool hit = contact ? c->contact.id == contact : same_phone(digits, c->contact.phone);
        if (hit && c->last_activity_at > best_at) {
            best = c->id;
            best_at = c->last_activity_at;
        }
    }
    return best;
}

static void phone_done(struct cmd_call *call, int64_t id)
{
    struct by_phone *bp = call->priv;
    free(bp->digits);
    free(bp);
    call->priv = (void *)(intptr_t)id;
    opened(call, &(struct session_answer){0});
}

static void phone_fail(struct cmd_call *call, const char *why)
{
    struct by_phone *bp = call->priv;
    free(bp->digits);
    free(bp);
    cmd_finish(call, false, why);
}

/* The contact's conversations: the one with the newest activity. */
static void on_contact_convs(struct cmd_call *call, const struct session_answer *a)
{
    if (a->why) {
        phone_fail(call, a->why);
        return;
    }
    int64_t best = 0, best_at = -1;
    for (size_t i = 0; i < a->nids; i++) {
        const struct conversation *c = store_conv(call->env->st, a->ids[i]);
        if (c && c->last_activity_at > best_at) {
            best = c->id;
            best_at = c->last_activity_at;
        }
    }
    if (!best) {
        struct by_phone *bp = call->priv;
        char *msg = xasprintf("no conversation with +%s", bp->digits);
        phone_fail(call, msg);
        free(msg);
        return;
    }
    phone_done(call, best);
}

static void on_phone_contacts(struct cmd_call *call, const struct session_answer *a)
{
    struct by_phone *bp = call->priv;
    if (a->why) {
        phone_fail(call, a->why);
        return;
    }
    for (size_t i = 0; i < a->ncontacts && !bp->contact; i++)
        if (same_phone(bp->digits, a->contacts[i].phone))
            bp->contact = a->contacts[i].id;
    if (!bp->contact) {
        char *msg = xasprintf("no contact with phone +%s", bp->digits);
        phone_fail(call, msg);
        free(msg);
        return;
    }
    int64_t id = phone_in_list(call->env->st, bp->digits, bp->contact);
    if (id) {
        phone_done(call, id);
        return;
    }
    cmd_fetch_contact_convs(call, bp->contact, on_contact_convs);
}

static enum cmd_status open_phone(struct cmd_call *call, const char *phone)
{
    struct by_phone *bp = xcalloc(1, sizeof *bp);
    bp->digits = cmd_resolve_digits(phone);
    call->priv = bp;
    int64_t id = phone_in_list(call->env->st, bp->digits, 0);
    if (id) {
        phone_done(call, id);
        return CMD_PENDING;
    }
    cmd_fetch_contacts(call, bp->digits, on_phone_contacts);
    return CMD_PENDING;
}

/* "+1 555…" or 7 digits and more: a phone; "12" or "#12": an id. */
static bool looks_like_phone(const char *s)
{
    if (*s == '+')
        return true;
    size_t digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr(" -().", *p))
            return false;
    }
    return digits >= 7;
}

enum cmd_status cmd_nav_open(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    if (call->argc < 2) {
        int64_t sel = env->view->selected;
        if (!sel) {
            cmd_error(call, "no conversation selected");
            return CMD_FAIL;
        }
        call->priv = (void *)(intptr_t)sel;
        cmd_fetch_conv(call, sel, false, opened);
        return CMD_PENDING;
    }
    /* "+1 555 010 1001" may come as several words. */
    char *joined = cmd_join_args(call, 1);
    if (looks_like_phone(joined)) {
        enum cmd_status st = open_phone(call, joined);
        free(joined);
        return st;
    }
    free(joined);
    if (call->argc > 2) {
        cmd_error(call, "usage: %s", call->def->usage);
        return CMD_FAIL;
    }
    const char *arg = call->argv[1];
    const char *p = *arg == '#' ? arg + 1 : arg;
    char *end;
    long long id = strtoll(p, &end, 10);
    if (!*p || *end || id <= 0) {
        cmd_error(call, "\"%s\" is neither a conversation id nor a phone number", arg);
        return CMD_FAIL;
    }
    call->priv = (void *)(intptr_t)id;
    cmd_fetch_conv(call, id, false, opened);
    return CMD_PENDING;
}

/* ---- the selection ---- */

static long index_in(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return (long)i;
    return -1;
}

static void select_id(struct cmd_env *env, int64_t id)
{
    env->view->selected_moved = false;
    env->view->select_end = false;
    if (env->view->selected != id) {
        env->view->selected = id;
        view_touch(env->view);
    }
}

/* Pages a limit the server cannot say all of loads by itself: its matches
 * further down, a screenful or more, never the whole inbox; scrolling to
 * the end loads more. */
#define LIMIT_SCAN_PAGES 40

/* `bottom` under a limit matched here, over a list not all loaded: its end
 * is further down, so the next pages are looked through as the limit did.
 * The server's last pages by its count would skip every match between
 * (that count is not the limit's), and an empty list of matches so far
 * must still be able to look on. */
static bool limit_looks_further(struct cmd_env *env)
{
    if (!env->ss || !env->view->limit || session_filter_exact(env->ss) ||
        session_list_complete(env->ss))
        return false;
    session_load_pages(env->ss, LIMIT_SCAN_PAGES);
    return true;
}

enum cmd_status cmd_nav_move(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    size_t n;
    int64_t *ids = cmd_nav_shown(env, &n);
    if (!n) {
        free(ids);
        if (strcmp(call->def->name, "bottom") == 0 && limit_looks_further(env))
            return CMD_OK;
        cmd_error(call, "the list is empty");
        return CMD_FAIL;
    }
    const char *name = call->def->name;
    long at = index_in(ids, n, env->view->selected);
    long rows = env->ui && env->ui->list_rows ? env->ui->list_rows(env->ui->ud) : BATCH_PAGE_ROWS;
    if (rows < 1)
        rows = 1;
    long to;
    bool end = false;
    if (strcmp(name, "top") == 0) {
        to = 0;
        /* The end was asked for: the top is the list's first page again. */
        if (env->ss && session_list_offset(env->ss))
            session_list_top(env->ss);
    } else if (strcmp(name, "bottom") == 0) {
        to = (long)n - 1;
        /* The end of what is loaded is not the end of the list: the
         * server's last rows (by its count; the status line says while
         * they come), selected as they come. */
        end = env->ss && !session_list_complete(env->ss);
        if (end && !limit_looks_further(env))
            session_list_end(env->ss);
    } else if (at < 0)
        to = 0; /* nothing selected yet: start at the top */
    else if (strcmp(name, "next") == 0)
        to = at + 1;
    else if (strcmp(name, "prev") == 0)
        to = at - 1;
    else if (strcmp(name, "page-down") == 0)
        to = at + rows;
    else
        to = at - rows;
    if (to < 0)
        to = 0;
    if (to >= (long)n)
        to = (long)n - 1;
    select_id(env, ids[to]);
    env->view->select_end = end;
    free(ids);
    return CMD_OK;
}

/* ---- the conversations shown, as a screen or a script sees them ---- */

struct shown_job {
    cmd_shown_fn fn;
    void *ud;
};

static void shown_listed(struct cmd_call *call, const struct session_answer *a)
{
    struct shown_job j = *(struct shown_job *)call->priv;
    free(call->priv);
    call->priv = NULL;
    if (a->why) {
        cmd_finish(call, false, a->why);
        return;
    }
    const struct view *v = call->env->view;
    struct pattern_ctx pc = {.me = cmd_me(call->env), .now = timeutil_now()};
    int64_t *ids = xcalloc(a->nids ? a->nids : 1, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < a->nids; i++) {
        const struct conversation *c = store_conv(call->env->st, a->ids[i]);
        if (c && (!v->limit || pattern_match(v->limit, c, &pc)))
            ids[n++] = c->id;
    }
    j.fn(call, ids, n, j.ud);
    free(ids);
}

void cmd_nav_with_shown(struct cmd_call *call, cmd_shown_fn fn, void *ud)
{
    struct cmd_env *env = call->env;
    if (env->batch && env->ss) {
        struct shown_job *j = xcalloc(1, sizeof *j);
        *j = (struct shown_job){fn, ud};
        call->priv = j;
        struct conv_query q;
        view_query(env->view, 1, &q);
        cmd_fetch_list(call, &q, shown_listed);
        return;
    }
    size_t n;
    int64_t *ids = cmd_nav_shown(env, &n);
    fn(call, ids, n, ud);
    free(ids);
}

/* ---- next-unread, next-waiting ---- */

struct next_want {
    bool (*want)(const struct conversation *c);
    const char *none;
};

/* The next shown conversation after the selection (wrapping) for which
 * want() holds; from the selection itself when the agent has not passed
 * it (it moved there by itself). A script without a selection goes on
 * from the conversation it opened; a script opens the one found. */
static void next_in(struct cmd_call *call, const int64_t *ids, size_t n, void *ud)
{
    const struct next_want *w = ud;
    struct cmd_env *env = call->env;
    int64_t from = env->view->selected || !env->batch ? env->view->selected : env->batch_conv;
    long at = index_in(ids, n, from);
    long first = env->view->selected_moved && !env->batch ? 0 : 1;
    for (long k = first; k <= (long)n; k++) {
        size_t i = at < 0 ? (size_t)(k - first) : (size_t)((at + k) % (long)n);
        if (i >= n)
            break;
        const struct conversation *c = store_conv(env->st, ids[i]);
        if (c && w->want(c)) {
            select_id(env, c->id);
            if (env->batch) { /* what follows in the script acts on it */
                cmd_nav_open_conv(call, c->id);
                call->conv = c->id;
                cmd_report_action(call, NULL, "#%lld %s", (long long)c->id,
                                  model_contact_label(&c->contact));
            }
            cmd_finish(call, true, NULL);
            return;
        }
    }
    cmd_finish(call, false, w->none);
}

static bool is_unread(const struct conversation *c)
{
    return c->unread > 0;
}

enum cmd_status cmd_nav_next_unread(struct cmd_call *call)
{
    static const struct next_want w = {is_unread, "no conversation with unread messages"};
    cmd_nav_with_shown(call, next_in, (void *)&w);
    return CMD_PENDING;
}

enum cmd_status cmd_nav_next_waiting(struct cmd_call *call)
{
    static const struct next_want w = {model_conversation_waiting, "no customer is waiting"};
    cmd_nav_with_shown(call, next_in, (void *)&w);
    return CMD_PENDING;
}

enum cmd_status cmd_nav_focus(struct cmd_call *call)
{
    struct view *v = call->env->view;
    const char *a = call->argv[1];
    enum view_focus f;
    if (strcmp(a, "list") == 0)
        f = VIEW_FOCUS_LIST;
    else if (strcmp(a, "thread") == 0)
        f = VIEW_FOCUS_THREAD;
    else if (strcmp(a, "toggle") == 0)
        f = v->focus == VIEW_FOCUS_LIST ? VIEW_FOCUS_THREAD : VIEW_FOCUS_LIST;
    else {
        cmd_error(call, "usage: %s", call->def->usage);
        return CMD_FAIL;
    }
    /* The thread pane of nothing is no place for the keyboard. */
    if (f == VIEW_FOCUS_THREAD && !v->open_conv && v->selected && !call->env->batch)
        v->open_conv = v->selected;
    v->focus = f;
    view_touch(v);
    return CMD_OK;
}

enum cmd_status cmd_nav_scroll(struct cmd_call *call)
{
    const struct cmd_ui *ui = call->env->ui;
    const char *name = call->def->name;
    int n = 1;
    if (call->argc > 1) {
        char *end;
        long v = strtol(call->argv[1], &end, 10);
        if (*end || v < 1 || v > 100000) {
            cmd_error(call, "usage: %s", call->def->usage);
            return CMD_FAIL;
        }
        n = (int)v;
    }
    if (!ui->scroll)
        return CMD_OK;
    if (strcmp(name, "thread-down") == 0)
        ui->scroll(ui->ud, n, 0);
    else if (strcmp(name, "thread-up") == 0)
        ui->scroll(ui->ud, -n, 0);
    else if (strcmp(name, "thread-page-down") == 0)
        ui->scroll(ui->ud, 0, 1);
    else if (strcmp(name, "thread-page-up") == 0)
        ui->scroll(ui->ud, 0, -1);
    else if (strcmp(name, "thread-top") == 0)
        ui->scroll(ui->ud, -1000000, 0);
    else
        ui->scroll(ui->ud, 1000000, 0);
    return CMD_OK;
}

/* ---- filters ---- */

enum cmd_status cmd_nav_filter(struct cmd_call *call)
{
    struct view *v = call->env->view;
    const char *a = call->argv[1];
    enum assignee_type t;
    if (strcasecmp(a, "mine") == 0 || strcasecmp(a, "me") == 0)
        t = ASSIGNEE_MINE;
    else if (strcasecmp(a, "unassigned") == 0)
        t = ASSIGNEE_UNASSIGNED;
    else if (strcasecmp(a, "assigned") == 0)
        t = ASSIGNEE_ASSIGNED;
    else if (strcasecmp(a, "all") == 0)
        t = ASSIGNEE_ALL;
    else {
        cmd_error(call, "unknown filter \"%s\" (mine, unassigned, all)", a);
        return CMD_FAIL;
    }
    v->assignee = t;
    view_touch(v);
    return CMD_OK;
}

enum cmd_status cmd_nav_status_filter(struct cmd_call *call)
{
    struct view *v = call->env->view;
    const char *a = call->argv[1];
    enum conv_status st;
    if (strcasecmp(a, "all") == 0) {
        v->status = -1;
    } else if (model_status_parse(a, &st) == 0) {
        v->status = (int)st;
    } else {
        cmd_error(call, "unknown status \"%s\" (open, pending, resolved, snoozed, all)", a);
        return CMD_FAIL;
    }
    view_touch(v);
    return CMD_OK;
}

static bool is_none(const char *s)
{
    return strcasecmp(s, "none") == 0 || strcasecmp(s, "all") == 0 || strcasecmp(s, "any") == 0;
}

enum cmd_status cmd_nav_label_filter(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    const char *a = call->argv[1];
    if (is_none(a)) {
        view_set_label(env->view, NULL);
        return CMD_OK;
    }
    const char *title = a;
    char *err = NULL;
    size_t n;
    /* Before the directory is known (a config file) the name is trusted. */
    if (store_labels(env->st, &n) && n && cmd_resolve_label(env->st, a, &title, &err) < 0) {
        cmd_error(call, "%s", err);
        free(err);
        return CMD_FAIL;
    }
    view_set_label(env->view, title);
    return CMD_OK;
}

enum cmd_status cmd_nav_inbox(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    char *a = cmd_join_args(call, 1);
    enum cmd_status rc = CMD_OK;
    if (is_none(a)) {
        env->view->inbox_id = 0;
        view_touch(env->view);
        free(a);
        return CMD_OK;
    }
    size_t n, hits = 0;
    const struct inbox *in = store_inboxes(env->st, &n);
    int64_t id = 0;
    char *end;
    long long num = strtoll(a, &end, 10);
    for (size_t i = 0; i < n; i++) {
        bool m = (!*end && in[i].id == num) || strncasecmp(in[i].name, a, strlen(a)) == 0;
        if (m && strcasecmp(in[i].name, a) == 0) {
            id = in[i].id;
            hits = 1;
            break;
        }
        if (m) {
            id = in[i].id;
            hits++;
        }
    }
    if (hits == 1) {
        env->view->inbox_id = id;
        view_touch(env->view);
    } else {
        cmd_error(call, hits ? "more than one inbox matches \"%s\"" : "no inbox matching \"%s\"",
                  a);
        rc = CMD_FAIL;
    }
    free(a);
    return rc;
}

enum cmd_status cmd_nav_team_filter(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    char *a = cmd_join_args(call, 1);
    int64_t id = 0;
    char *err = NULL;
    enum cmd_status rc = CMD_OK;
    if (is_none(a)) {
        env->view->team_id = 0;
        view_touch(env->view);
    } else if (cmd_resolve_team(env->st, a, &id, &err) == 0) {
        env->view->team_id = id;
        view_touch(env->view);
    } else {
        cmd_error(call, "%s", err);
        free(err);
        rc = CMD_FAIL;
    }
    free(a);
    return rc;
}

/* A new limit or search shows its matches from the first: the selection
 * goes to the top (a limit set while scrolled down must not leave the
 * matches above out of view). */
static void select_first(struct view *v)
{
    v->selected = 0;
    v->selected_moved = false;
    view_touch(v);
}

enum cmd_status cmd_nav_search(struct cmd_call *call)
{
    char *a = cmd_join_args(call, 1);
    view_set_search(call->env->view, call->argc == 2 && strcasecmp(a, "none") == 0 ? NULL : a);
    free(a);
    if (call->env->view->search)
        select_first(call->env->view);
    return CMD_OK;
}

/* The server's part of the view's limit, for the session. */
static void limit_to_session(struct cmd_env *env)
{
    if (!env->ss)
        return;
    struct conv_filter f = {0};
    if (env->view->limit) {
        size_t na = 0, nt = 0;
        struct pattern_ctx pc = {.me = cmd_me(env), .now = timeutil_now()};
        pc.agents = store_agents(env->st, &na);
        pc.nagents = na;
        pc.teams = store_teams(env->st, &nt);
        pc.nteams = nt;
        pattern_filter(env->view->limit, &pc, &f);
    }
    session_set_filter(env->ss, env->view->limit ? &f : NULL);
    model_conv_filter_free(&f);
    if (env->view->limit && !session_filter_exact(env->ss) && !session_list_complete(env->ss))
        session_load_pages(env->ss, LIMIT_SCAN_PAGES);
}

enum cmd_status cmd_nav_limit(struct cmd_call *call)
{
    char *a = cmd_join_args(call, 1);
    char *err = NULL;
    int rc = view_set_limit(call->env->view,
                            call->argc == 2 && strcasecmp(a, "none") == 0 ? NULL : a, &err);
    free(a);
    if (rc < 0) {
        cmd_error(call, "%s", err ? err : "bad pattern");
        free(err);
        return CMD_FAIL;
    }
    /* A limit is over the whole list, not the pages loaded so far: the
     * server filters by what it can, the rest is looked for page by page. */
    limit_to_session(call->env);
    if (call->env->view->limit)
        select_first(call->env->view);
    return CMD_OK;
}

/* ---- marks ---- */

enum cmd_status cmd_nav_mark(struct cmd_call *call)
{
    struct cmd_env *env = call->env;
    if (call->argc > 1) {
        for (int i = 1; i < call->argc; i++) {
            const char *p = call->argv[i][0] == '#' ? call->argv[i] + 1 : call->argv[i];
            char *end;
            long long id = strtoll(p, &end, 10);
            if (!*p || *end || id <= 0) {
                cmd_error(call, "\"%s\" is not a conversation id", call->argv[i]);
                return CMD_FAIL;
            }
            view_mark(env->view, id, true);
        }
        return CMD_OK;
    }
    int64_t id = env->view->selected;
    if (!id && env->batch)
        id = env->batch_conv;
    if (!id) {
        cmd_error(call, "no conversation selected");
        return CMD_FAIL;
    }
    view_mark(env->view, id, !view_marked(env->view, id));
    return CMD_OK;
}

enum cmd_status cmd_nav_mark_all(struct cmd_call *call)
{
    size_t n;
    int64_t *ids = cmd_nav_shown(call->env, &n);
    view_mark_many(call->env->view, ids, n, true);
    free(ids);
    cmd_info(call, "%zu marked", call->env->view->nmarks);
    return CMD_OK;
}

enum cmd_status cmd_nav_unmark_all(struct cmd_call *call)
{
    view_clear_marks(call->env->view);
    return CMD_OK;
}

static void marked_done(void *ud, bool ok)
{
    cmd_finish(ud, ok, NULL);
}

enum cmd_status cmd_nav_marked(struct cmd_call *call)
{
    cmd_run_marked(call->env, call->argv + 1, call->argc - 1, call->src, marked_done, call);
    return CMD_PENDING;
}

enum cmd_status cmd_nav_prefix(struct cmd_call *call)
{
    call->env->prefix_marked = true;
    return CMD_OK;
}

enum cmd_status cmd_nav_load_more(struct cmd_call *call)
{
    session_load_more(call->env->ss);
    return CMD_OK;
}

enum cmd_status cmd_nav_command_line(struct cmd_call *call)
{
    char *text = cmd_join_args(call, 1);
    if (call->env->ui->command_line)
        call->env->ui->command_line(call->env->ui->ud, text);
    free(text);
    return CMD_OK;
}
