/* session_list — the conversation list: its first page when the query
 * changes, the next page when the agent scrolls to the end (there is no
 * cap: the whole inbox is reachable), and the list's recent changes at
 * every poll and each time the live channel comes up.
 *
 * The recent changes are one request: every conversation the agent can
 * see that changed since the last catch-up (Chatwoot's updated_within,
 * every status and assignee), placed in or taken out of the loaded list
 * here by the query's own rules and its order (newest activity first).
 * When nothing changed the answer is an empty page: a poll costs one small
 * request whatever was scrolled. A server that ignores updated_within (it
 * answers with conversations that did not change) is asked the old way:
 * the query's first page, and the next ones only while every conversation
 * on a page changed, stopping at the first unchanged one. A text search or
 * another order than the newest activity first always goes the old way. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/log.h"
#include "twoway/store.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* A catch-up asks for a little more than the time since the last one:
 * clocks and commits are not instant. */
#define CHANGES_MARGIN_S 2
/* Longer than this since the last catch-up: load the first page afresh. */
#define CHANGES_MAX_S (24 * 3600)
/* A conversation updated this long before the window began means the
 * server did not honour updated_within. Generous: clocks differ. */
#define IGNORED_SLACK_S 600
/* The most one updated_within answer carries from twowayd (Chatwoot gives
 * every match at once): an answer this full may have more behind it, on
 * the next page. */
#define CHANGES_PAGE_MAX 1000
/* More pages of changes than this: loading the list afresh is cheaper. */
#define CHANGES_PAGES_MAX 20

/* ---- the loaded list ---- */

static void list_clear(struct session *s)
{
    s->nlist = 0;
    s->list_pages = 0;
    s->list_first = 1;
    s->list_complete = false;
}

static long list_find(const struct session *s, int64_t id)
{
    for (size_t i = 0; i < s->nlist; i++)
        if (s->list_ids[i] == id)
            return (long)i;
    return -1;
}

static void list_insert(struct session *s, size_t at, int64_t id)
{
    if (s->nlist == s->caplist) {
        s->caplist = s->caplist ? s->caplist * 2 : 64;
        s->list_ids = xreallocarray(s->list_ids, s->caplist, sizeof *s->list_ids);
    }
    memmove(&s->list_ids[at + 1], &s->list_ids[at], (s->nlist - at) * sizeof *s->list_ids);
    s->list_ids[at] = id;
    s->nlist++;
}

static void list_remove_at(struct session *s, size_t at)
{
    memmove(&s->list_ids[at], &s->list_ids[at + 1], (s->nlist - at - 1) * sizeof *s->list_ids);
    s->nlist--;
}

static void list_publish(struct session *s)
{
    store_list_set(s->st, s->list_ids, s->nlist);
    if (s->counts_ok)
        store_set_counts(s->st, &s->counts);
}

/* Does the query take this conversation (its text search aside)? */
static bool query_takes(const struct session *s, const struct conversation *c)
{
    const struct conv_query *q = &s->q;
    if (q->status >= 0 && (int)c->status != q->status)
        return false;
    if ((q->assignee == ASSIGNEE_MINE && (!s->me || c->assignee_id != s->me)) ||
        (q->assignee == ASSIGNEE_UNASSIGNED && c->assignee_id != 0) ||
        (q->assignee == ASSIGNEE_ASSIGNED && c->assignee_id == 0))
        return false;
    if ((q->inbox_id && c->inbox_id != q->inbox_id) || (q->team_id && c->team_id != q->team_id))
        return false;
    if (q->label) {
        bool has = false;
        for (size_t i = 0; i < c->nlabels && !has; i++)
            has = strcmp(c->labels[i], q->label) == 0;
        if (!has)
            return false;
    }
    return !s->filter_on || model_conv_filter_match(&s->limit_filter, c);
}

/* The server's default order, which the placing below keeps. */
static bool newest_first(const struct conv_query *q)
{
    return !q->sort_by || strcmp(q->sort_by, "latest") == 0 ||
           strcmp(q->sort_by, "last_activity_at_desc") == 0;
}

/* Does a come before b (newest activity first)? Activity comes in whole
 * seconds while the server orders by finer time: within one second a
 * conversation that just changed goes first (ties_first), else the higher
 * id (the server's own tie-break). */
static bool before(const struct conversation *a, const struct conversation *b, bool ties_first)
{
    if (a->last_activity_at != b->last_activity_at)
        return a->last_activity_at > b->last_activity_at;
    return ties_first || a->id > b->id;
}

/* Put a changed conversation where the query and the order say, or take
 * it out. Past the loaded end of an incomplete list it is left for the
 * next page. */
static void place(struct session *s, int64_t id, bool ties_first)
{
    long at = list_find(s, id);
    if (at >= 0)
        list_remove_at(s, (size_t)at);
    const struct conversation *c = store_conv(s->st, id);
    if (!c || !query_takes(s, c))
        return;
    size_t i = 0;
    while (i < s->nlist) {
        const struct conversation *o = store_conv(s->st, s->list_ids[i]);
        if (o && before(c, o, ties_first))
            break;
        i++;
    }
    if (i == s->nlist && !s->list_complete && s->nlist > 0)
        return;
    if (i == 0 && s->list_first > 1)
        return; /* above the loaded window: its page has it */
    list_insert(s, i, id);
}

/* ---- pages: the first, and the next when scrolled to ---- */

static void request_page(struct session *s, int page);
static void request_counts(struct session *s);

static void on_page(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (r->epoch != s->list_epoch) { /* the query changed meanwhile */
        session_req_done(r);
        return;
    }
    s->list_loading = false;
    if (session_note_result(s, res)) {
        bool before = r->page < s->list_first; /* scrolled up past the window */
        if (r->page == s->list_first && !s->list_pages) {
            int first = s->list_first;
            list_clear(s);
            s->list_first = first;
            if (first == 1)
                s->changes_since = s->changes_asked;
        }
        size_t added = 0, at = 0;
        for (size_t i = 0; i < res->nconvs; i++) {
            int64_t id = res->convs[i].id;
            session_merge_conv(s, &res->convs[i]);
            /* Pages shift while the list moves: an id seen already stays
             * where it was. */
            if (list_find(s, id) < 0) {
                list_insert(s, before ? at++ : s->nlist, id);
                added++;
            }
        }
        if (before) {
            s->list_first = r->page;
        } else {
            s->list_pages = r->page;
            s->list_complete = session_page_list_last(res->nconvs, added);
        }
        s->list_ok = true;
        if (r->page == s->list_first && res->has_counts) {
            if (s->filter_on) {
                s->filter_total = s->q.assignee == ASSIGNEE_MINE         ? res->counts.mine
                                  : s->q.assignee == ASSIGNEE_UNASSIGNED ? res->counts.unassigned
                                  : s->q.assignee == ASSIGNEE_ASSIGNED
                                      ? res->counts.all - res->counts.unassigned
                                      : res->counts.all;
            } else {
                s->counts = res->counts;
                s->counts_ok = true;
            }
        }
        list_publish(s);
        if (s->load_budget > 0 && !before)
            s->load_budget--;
        /* Loading all: the next page, until the last (or the budget). */
        if (s->list_load_all && !s->list_complete && !before && s->load_budget != 0) {
            session_check_ready(s);
            session_req_done(r);
            request_page(s, s->list_pages + 1);
            return;
        }
    }
    s->list_load_all = false;
    session_check_ready(s);
    session_req_done(r);
    /* A change announced while the first page was on its way. */
    if (s->changes_again && s->list_ok && !s->changes_pending) {
        s->changes_again = false;
        session_request_list(s);
    }
    session_poll_done_maybe(s);
}

/* One page of the query, answered to cb. */
static void ask_page(struct session *s, int page, prov_cb cb)
{
    struct req_ctx *r = session_req_new(s, REQ_LIST);
    r->epoch = s->list_epoch;
    r->page = page;
    struct conv_query q = s->q;
    q.page = page;
    q.updated_within = 0;
    q.filter = s->filter_on ? &s->list_filter : NULL;
    s->p->ops->list_conversations(s->p, &q, cb, r);
}

static void request_page(struct session *s, int page)
{
    s->list_loading = true;
    if (page == 1 && !s->list_pages)
        s->changes_asked = timeutil_now();
    ask_page(s, page, on_page);
}

void session_list_load(struct session *s)
{
    s->list_epoch++;
    s->list_load_all = false;
    s->changes_pending = false;
    list_clear(s);
    if (!s->filter_on)
        s->counts_ok = false;
    s->filter_total = -1;
    request_page(s, 1);
    /* The badges stay the query's own: with a filter, they are asked for
     * apart (its answer counts only what passes it). */
    if (s->filter_on)
        request_counts(s);
}

/* ---- counts, after a catch-up that changed something ---- */

static void on_counts(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->counts_pending = false;
    if (r->epoch == s->list_epoch && session_note_result(s, res) && res->has_counts) {
        s->counts = res->counts;
        s->counts_ok = true;
        store_set_counts(s->st, &s->counts);
    }
    session_req_done(r);
}

static void request_counts(struct session *s)
{
    if (!s->p->ops->conversation_counts || s->counts_pending)
        return;
    s->counts_pending = true;
    struct req_ctx *r = session_req_new(s, REQ_LIST);
    r->epoch = s->list_epoch;
    s->p->ops->conversation_counts(s->p, &s->q, on_counts, r);
}

/* ---- the old way: the first page(s), until one is unchanged ---- */

static void refresh_page(struct session *s, int page);

static void refresh_finish(struct session *s)
{
    /* The fetched ones lead; of the rest, those that stood above the
     * lowest fetched one and did not come again left the query. */
    long low = -1;
    for (size_t i = 0; i < s->nrefresh; i++) {
        long at = list_find(s, s->refresh_ids[i]);
        if (at > low)
            low = at;
    }
    int64_t *ids = xcalloc(s->nlist + s->nrefresh + 1, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < s->nrefresh; i++)
        ids[n++] = s->refresh_ids[i];
    for (size_t i = (size_t)(low + 1); i < s->nlist; i++) {
        bool dup = false;
        for (size_t k = 0; k < s->nrefresh && !dup; k++)
            dup = s->refresh_ids[k] == s->list_ids[i];
        if (!dup)
            ids[n++] = s->list_ids[i];
    }
    free(s->list_ids);
    s->list_ids = ids;
    s->nlist = n;
    s->caplist = s->nlist + s->nrefresh + 1;
    s->nrefresh = 0;
    list_publish(s);
}

/* A refresh or catch-up request r is over; unless more pages follow
 * (more), the changes are settled, and a list asked for meanwhile goes out. */
static void changes_end(struct session *s, struct req_ctx *r, bool more)
{
    if (!more) {
        s->changes_pending = false;
        if (s->changes_again) {
            s->changes_again = false;
            session_request_list(s);
        }
    }
    session_req_done(r);
    session_poll_done_maybe(s);
}

static void on_refresh(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (r->epoch != s->list_epoch) {
        session_req_done(r);
        return;
    }
    bool more = false;
    if (session_note_result(s, res)) {
        bool all_changed = res->nconvs > 0;
        s->refresh_ids =
            xreallocarray(s->refresh_ids, s->nrefresh + res->nconvs + 1, sizeof *s->refresh_ids);
        for (size_t i = 0; i < res->nconvs; i++) {
            int64_t id = res->convs[i].id;
            unsigned put = session_merge_conv(s, &res->convs[i]);
            if (!(put & (STORE_PUT_NEW | STORE_PUT_CHANGED | STORE_PUT_NEW_MESSAGE)))
                all_changed = false;
            s->refresh_ids[s->nrefresh++] = id;
        }
        if (r->page == 1 && res->has_counts) {
            s->counts = res->counts;
            s->counts_ok = true;
        }
        /* Every one on the page changed: the change may go deeper. */
        more = all_changed && res->nconvs >= LIST_PAGE && r->page < s->list_pages;
        if (more)
            refresh_page(s, r->page + 1);
        else
            refresh_finish(s);
    } else {
        s->nrefresh = 0;
    }
    changes_end(s, r, more);
}

static void refresh_page(struct session *s, int page)
{
    ask_page(s, page, on_refresh);
}

/* ---- the recent changes ---- */

static void ask_changes(struct session *s, int page);

/* Did this page of changes bring anything the catch-up had not seen? A
 * server that gives every change at once and ignores page answers page 2
 * with page 1 again. */
static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool changes_new(struct session *s, const struct prov_result *res)
{
    size_t before = s->nchanges_seen;
    bool fresh = false;
    for (size_t i = 0; i < res->nconvs; i++) {
        int64_t id = res->convs[i].id;
        if (before && bsearch(&id, s->changes_seen, before, sizeof id, cmp_id))
            continue;
        fresh = true;
        if (s->nchanges_seen == s->capchanges_seen) {
            s->capchanges_seen = s->capchanges_seen ? s->capchanges_seen * 2 : 256;
            s->changes_seen =
                xreallocarray(s->changes_seen, s->capchanges_seen, sizeof *s->changes_seen);
        }
        s->changes_seen[s->nchanges_seen++] = id;
    }
    if (s->nchanges_seen) /* none yet: no array to sort (qsort wants one) */
        qsort(s->changes_seen, s->nchanges_seen, sizeof *s->changes_seen, cmp_id);
    return fresh;
}

static void on_changes(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (r->epoch != s->list_epoch) {
        session_req_done(r);
        return;
    }
    bool ok = session_note_result(s, res);
    bool fresh = ok && changes_new(s, res);
    if (ok && r->page > 1 && !fresh) {
        /* Every change came on the pages before: this one repeats them. */
        s->changes_pending = false;
        s->changes_since = s->changes_asked;
        request_counts(s);
        session_req_done(r);
        session_poll_done_maybe(s);
        return;
    }
    /* A full answer may have more behind it: the next page, after this
     * one's work (nothing is missed, whatever changed meanwhile). */
    bool more = ok && res->nconvs >= CHANGES_PAGE_MAX;
    if (more && r->page >= CHANGES_PAGES_MAX) {
        log_info("more than %d conversations changed since the last look: loading the list afresh",
                 CHANGES_PAGE_MAX * CHANGES_PAGES_MAX);
        session_req_done(r);
        session_list_load(s);
        session_request_thread_new(s);
        return;
    }
    s->changes_pending = more;
    if (ok) {
        int64_t window_start = s->changes_asked - s->changes_window;
        bool ignored = false;
        for (size_t i = 0; i < res->nconvs && !ignored; i++)
            ignored = res->convs[i].updated_at > 0 &&
                      res->convs[i].updated_at < (double)(window_start - IGNORED_SLACK_S);
        if (ignored) {
            /* An older server: the list the old way from now on. */
            log_info("the server ignores updated_within: polling the list's first page");
            s->updated_within_ok = 0;
            s->changes_again = true;
        } else {
            s->updated_within_ok = 1;
            if (!more)
                s->changes_since = s->changes_asked;
            /* Oldest first, each going before its equals: the server's
             * finer order among them comes out as it was. */
            bool open_changed = false;
            for (size_t i = res->nconvs; i-- > 0;) {
                int64_t id = res->convs[i].id;
                open_changed = open_changed || id == s->open_conv;
                session_merge_conv(s, &res->convs[i]);
                place(s, id, true);
            }
            if (res->nconvs) {
                list_publish(s);
                if (!more)
                    request_counts(s);
            }
            if (open_changed)
                session_request_thread_new(s);
            if (more) {
                ask_changes(s, r->page + 1);
                session_req_done(r);
                return;
            }
        }
    }
    changes_end(s, r, false);
}

/* One page of the catch-up. Later pages keep the window's start where the
 * first one put it (it is "so many seconds before now"), and come in the
 * order of the newest activity, where a conversation that changes
 * meanwhile only moves ahead: the pages behind lose nothing, and what moved
 * is the next catch-up's. */
static void ask_changes(struct session *s, int page)
{
    int64_t later = timeutil_now() - s->changes_asked;
    struct conv_query q = {.assignee = ASSIGNEE_ALL,
                           .status = -1,
                           .page = page,
                           .updated_within = s->changes_window + (int)(later > 0 ? later : 0)};
    struct req_ctx *r = session_req_new(s, REQ_LIST);
    r->epoch = s->list_epoch;
    r->page = page;
    s->p->ops->list_conversations(s->p, &q, on_changes, r);
}

/* The feed of the old way: the newest open conversations of every
 * assignee, so that a customer who writes in is noticed whatever the list
 * shows. (The recent changes cover it otherwise.) */
static void on_feed(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    s->feed_pending = false;
    if (session_note_result(s, res))
        for (size_t i = 0; i < res->nconvs; i++)
            session_merge_conv(s, &res->convs[i]);
    session_req_done(r);
    session_poll_done_maybe(s);
}

static void request_feed(struct session *s)
{
    const struct conv_query *q = &s->q;
    bool same = q->assignee == ASSIGNEE_ALL && q->status == CONV_OPEN && !q->inbox_id &&
                !q->team_id && !q->label && !q->q;
    if (s->feed_pending || same)
        return;
    struct conv_query f = {.assignee = ASSIGNEE_ALL, .status = CONV_OPEN, .page = 1};
    struct req_ctx *r = session_req_new(s, REQ_FEED);
    s->feed_pending = true;
    s->p->ops->list_conversations(s->p, &f, on_feed, r);
}

void session_request_list(struct session *s)
{
    if (!s->list_ok) {
        if (!s->list_loading)
            session_list_load(s);
        else /* the page on its way may have left before the change */
            s->changes_again = true;
        return;
    }
    if (s->changes_pending) {
        s->changes_again = true;
        return;
    }
    int64_t now = timeutil_now();
    int64_t since = now - s->changes_since;
    if (since > CHANGES_MAX_S) {
        session_list_load(s);
        return;
    }
    s->changes_pending = true;
    s->changes_asked = now;
    if (s->updated_within_ok != 0 && !s->q.q && newest_first(&s->q)) {
        s->changes_window = (int)(since < 0 ? 0 : since) + CHANGES_MARGIN_S;
        s->nchanges_seen = 0;
        ask_changes(s, 1);
        return;
    }
    s->nrefresh = 0;
    if (s->list_first == 1)
        refresh_page(s, 1);
    else
        s->changes_pending = false; /* the window is below page 1: no refresh of it */
    request_feed(s);
    session_request_thread_new(s);
}

/* A conversation the live channel says changed: into its place at once
 * when the list can be kept here, else the list's recent changes. */
void session_list_pushed(struct session *s, int64_t id, bool newest)
{
    if (!s->list_ok || s->q.q || !newest_first(&s->q)) {
        session_request_list(s);
        return;
    }
    long was = list_find(s, id);
    place(s, id, newest);
    long now = list_find(s, id);
    if (was != now || was >= 0) {
        list_publish(s);
        request_counts(s); /* the tabs' numbers may have moved */
    }
}

/* ---- the server's filter, and the ends of the list ---- */

/* The query's own fields as the filter's conditions, then the limit's:
 * Chatwoot's filter knows nothing of assignee_type and the rest. */
static void build_list_filter(struct session *s)
{
    struct conv_filter *f = &s->list_filter;
    model_conv_filter_free(f);
    const struct conv_query *q = &s->q;
    char num[24];
    const char *v = num;
    if (q->status >= 0) {
        const char *st = model_status_name((enum conv_status)q->status);
        model_conv_filter_add(f, CF_STATUS, false, false, &st, 1);
    }
    if (q->assignee == ASSIGNEE_MINE) {
        snprintf(num, sizeof num, "%lld", (long long)s->me);
        model_conv_filter_add(f, CF_ASSIGNEE, false, false, &v, 1);
    } else if (q->assignee != ASSIGNEE_ALL) {
        model_conv_filter_add(f, CF_ASSIGNEE, q->assignee == ASSIGNEE_UNASSIGNED, true, NULL, 0);
    }
    if (q->inbox_id) {
        snprintf(num, sizeof num, "%lld", (long long)q->inbox_id);
        model_conv_filter_add(f, CF_INBOX, false, false, &v, 1);
    }
    if (q->team_id) {
        snprintf(num, sizeof num, "%lld", (long long)q->team_id);
        model_conv_filter_add(f, CF_TEAM, false, false, &v, 1);
    }
    if (q->label)
        model_conv_filter_add(f, CF_LABELS, false, false, &q->label, 1);
    for (size_t i = 0; i < s->limit_filter.nconds; i++) {
        const struct conv_filter_cond *c = &s->limit_filter.conds[i];
        model_conv_filter_add(f, c->key, c->neg, c->present, (const char *const *)c->values,
                              c->nvalues);
    }
    f->exact = s->limit_filter.exact;
}

void session_set_filter(struct session *s, const struct conv_filter *f)
{
    /* The server filters by these, in its one order, and without text
     * search: otherwise the limit stays local. */
    bool usable = f && f->nconds && !s->q.q && newest_first(&s->q);
    if (!usable && !s->filter_on) {
        model_conv_filter_free(&s->limit_filter);
        s->limit_filter.exact = f ? f->exact : false;
        return;
    }
    if (usable && s->filter_on && model_conv_filter_equal(f, &s->limit_filter))
        return;
    model_conv_filter_free(&s->limit_filter);
    if (usable)
        model_conv_filter_copy(&s->limit_filter, f);
    s->filter_on = usable;
    s->filter_total = -1;
    if (usable)
        build_list_filter(s);
    if (s->started && (s->list_ok || s->list_loading))
        session_list_load(s);
}

bool session_filter_exact(const struct session *s)
{
    return s->filter_on && s->limit_filter.exact;
}

int64_t session_list_total(const struct session *s)
{
    if (s->filter_on)
        return s->filter_total;
    if (!s->counts_ok)
        return -1;
    switch (s->q.assignee) {
    case ASSIGNEE_MINE:
        return s->counts.mine;
    case ASSIGNEE_UNASSIGNED:
        return s->counts.unassigned;
    case ASSIGNEE_ASSIGNED:
        return s->counts.all - s->counts.unassigned;
    case ASSIGNEE_ALL:
        break;
    }
    return s->counts.all;
}

size_t session_list_offset(const struct session *s)
{
    return (size_t)(s->list_first - 1) * LIST_PAGE;
}

void session_list_end(struct session *s)
{
    if (s->list_complete || !s->list_ok)
        return;
    int64_t total = session_list_total(s);
    int64_t last = total > 0 ? (total + LIST_PAGE - 1) / LIST_PAGE : 0;
    if (last <= s->list_pages + 2) {
        session_load_all(s);
        return;
    }
    /* The last two pages by the server's count, in place of the list:
     * never every page in between. */
    s->list_epoch++;
    s->changes_pending = false;
    list_clear(s);
    s->list_first = (int)(last - 1);
    s->list_load_all = true;
    s->load_budget = -1;
    request_page(s, s->list_first);
}

void session_load_before(struct session *s)
{
    if (s->list_first <= 1 || s->list_loading || !s->list_ok)
        return;
    request_page(s, s->list_first - 1);
}

void session_list_top(struct session *s)
{
    if (s->list_first > 1)
        session_list_load(s);
}

void session_load_pages(struct session *s, int n)
{
    if (s->list_complete || !s->list_ok || n <= 0)
        return;
    s->load_budget = n;
    s->list_load_all = true;
    if (!s->list_loading)
        request_page(s, s->list_pages + 1);
}

/* ---- public ---- */

void session_set_query(struct session *s, const struct conv_query *q)
{
    bool same = s->query_set && q->assignee == s->q.assignee && q->status == s->q.status &&
                q->inbox_id == s->q.inbox_id && q->team_id == s->q.team_id &&
                !strcmp(q->label ? q->label : "", s->q.label ? s->q.label : "") &&
                !strcmp(q->q ? q->q : "", s->q.q ? s->q.q : "") &&
                !strcmp(q->sort_by ? q->sort_by : "", s->q.sort_by ? s->q.sort_by : "");
    s->query_set = true;
    if (same && (s->list_ok || s->list_loading))
        return; /* asked for already: once is enough */
    free(s->q_label);
    free(s->q_q);
    free(s->q_sort);
    s->q = *q;
    s->q_label = q->label ? xstrdup(q->label) : NULL;
    s->q_q = q->q ? xstrdup(q->q) : NULL;
    s->q_sort = q->sort_by ? xstrdup(q->sort_by) : NULL;
    s->q.label = s->q_label;
    s->q.q = s->q_q;
    s->q.sort_by = s->q_sort;
    s->q.page = 1;
    s->q.updated_within = 0;
    s->q.filter = NULL;
    s->list_ok = false;
    if (s->filter_on) {
        /* Whether the server can still filter for the limit, and how. */
        if (s->q.q || !newest_first(&s->q))
            s->filter_on = false;
        else
            build_list_filter(s);
        s->filter_total = -1;
    }
    /* Before the start, the start asks (after who we are). */
    if (s->started)
        session_list_load(s);
}

void session_load_more(struct session *s)
{
    if (s->list_complete || s->list_loading || !s->list_ok)
        return;
    request_page(s, s->list_pages + 1);
}

bool session_list_partial(const struct session *s)
{
    return !s->list_complete || s->list_first > 1;
}

bool session_list_complete(const struct session *s)
{
    return s->list_complete;
}

void session_load_all(struct session *s)
{
    if (s->list_complete || !s->list_ok)
        return;
    if (!s->list_load_all)
        s->load_budget = -1; /* every page: session_load_pages says fewer */
    s->list_load_all = true;
    if (!s->list_loading)
        request_page(s, s->list_pages + 1);
}

bool session_list_loading_all(const struct session *s)
{
    return s->list_load_all;
}
