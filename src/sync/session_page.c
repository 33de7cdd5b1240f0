/* session_page — pages: how big a page of a list or a thread is and where
 * a read ends (the polled list, session_list.c, and the open thread ask the
 * same); the directory kind by kind, for polls and commands alike; older
 * messages of the open thread; and the commands' readers that go through
 * every page (a whole list for `list`, a whole thread for `show`). */
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

bool session_page_list_last(size_t got, size_t added)
{
    return got == 0 || added == 0 || got < LIST_PAGE;
}

bool session_page_thread_start(size_t got, bool progress)
{
    return !progress || got < THREAD_PAGE;
}

/* ---- the directory, kind by kind: for polls and commands alike ---- */

/* A poll's request (no callback) or a command's: both merge what came. */
static void on_dir(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    size_t known;
    bool ok = session_note_result(r->s, res);
    if (ok)
        session_merge_dir(r->s, r->dir_kind, &res->dir);
    if (!r->cb)
        session_req_done(r);
    else if (ok || (store_dir(r->s->st, r->dir_kind, &known), known))
        session_cmd_answer(r, &(struct session_answer){0}); /* what we have will do */
    else
        session_cmd_fail(r, res, "the server did not answer");
}

void session_page_request_directory(struct session *s)
{
    for (int k = 0; k < DIR__COUNT; k++) {
        struct req_ctx *r = session_req_new(s, REQ_DIRECTORY);
        r->dir_kind = (enum dir_kind)k;
        s->p->ops->list_dir(s->p, r->dir_kind, on_dir, r);
    }
}

static void ask_dir(struct req_ctx *r)
{
    r->s->p->ops->list_dir(r->s->p, r->dir_kind, session_cmd_relay, r);
}

void session_get_dir(struct session *s, enum dir_kind k, bool force, session_cb cb, void *ud)
{
    size_t known;
    store_dir(s->st, k, &known);
    if ((!force && known) || !s->p->ops->list_dir) {
        session_cmd_now(cb, ud, SESSION_OK, NULL);
        return;
    }
    struct req_ctx *r = session_cmd_req(s, cb, ud, NULL, NULL);
    r->dir_kind = k;
    session_cmd_ask(r, ask_dir, on_dir);
}

/* ---- older messages of the open thread ---- */

static void on_thread_older(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct session *s = r->s;
    if (r->epoch == s->thread_epoch)
        s->older_pending = false;
    if (session_note_result(s, res)) {
        session_merge_messages(s, r->conv, res->msgs, res->nmsgs);
        if (session_page_thread_start(res->nmsgs, true))
            store_thread_set_complete(s->st, r->conv, true);
    }
    session_req_done(r);
}

void session_load_older(struct session *s, int64_t conv)
{
    if (s->older_pending || store_thread_complete(s->st, conv))
        return;
    int64_t first = store_thread_first_id(s->st, conv);
    if (!first)
        return; /* the newest page is still on its way */
    struct req_ctx *r = session_req_new(s, REQ_THREAD_OLDER);
    r->conv = conv;
    r->epoch = s->thread_epoch;
    s->older_pending = true;
    s->p->ops->list_messages(s->p, conv, first, 0, on_thread_older, r);
}

bool session_loading_older(const struct session *s, int64_t conv)
{
    return s->older_pending && s->open_conv == conv;
}

/* ---- every page of a list, for a command ---- */

struct list_job {
    struct conv_query q;
    char *label, *text, *sort;
    int64_t *ids;
    size_t n;
};

static void list_job_free(void *p)
{
    struct list_job *j = p;
    free(j->ids);
    free(j->label);
    free(j->text);
    free(j->sort);
    free(j);
}

static bool have_id(const struct list_job *j, int64_t id)
{
    for (size_t i = j->n; i-- > 0;)
        if (j->ids[i] == id)
            return true;
    return false;
}

static void list_page(struct req_ctx *r);

static void on_list_page(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct list_job *j = r->job;
    if (!session_cmd_usable(r, res, "the server did not send the list"))
        return;
    size_t added = 0;
    j->ids = xreallocarray(j->ids, j->n + res->nconvs + 1, sizeof *j->ids);
    for (size_t i = 0; i < res->nconvs && j->n < SESSION_LIST_MAX; i++) {
        int64_t id = res->convs[i].id;
        if (have_id(j, id))
            continue;
        session_merge_conv(r->s, &res->convs[i]);
        j->ids[j->n++] = id;
        added++;
    }
    if (session_page_list_last(res->nconvs, added) || j->n >= SESSION_LIST_MAX) {
        struct session_answer a = {.ids = j->ids, .nids = j->n};
        session_cmd_answer(r, &a);
        return;
    }
    j->q.page++;
    list_page(r);
}

static void list_page(struct req_ctx *r)
{
    struct list_job *j = r->job;
    r->s->p->ops->list_conversations(r->s->p, &j->q, session_cmd_relay, r);
}

void session_list_all(struct session *s, const struct conv_query *q, session_cb cb, void *ud)
{
    struct list_job *j = xcalloc(1, sizeof *j);
    j->q = *q;
    j->label = xstrdup_or_null(q->label);
    j->text = xstrdup_or_null(q->q);
    j->sort = xstrdup_or_null(q->sort_by);
    j->q.label = j->label;
    j->q.q = j->text;
    j->q.sort_by = j->sort;
    j->q.page = 1;
    session_cmd_ask(session_cmd_req(s, cb, ud, j, list_job_free), list_page, on_list_page);
}

/* ---- a whole thread ---- */

struct page {
    struct message *msgs;
    size_t n;
};

struct thread_job {
    int64_t conv;
    int64_t before;     /* the page being asked for: older than this message (0: the newest) */
    struct page *pages; /* newest first */
    size_t npages, total;
    struct message *all;
    size_t nall;
};

static void thread_job_free(void *p)
{
    struct thread_job *j = p;
    for (size_t i = 0; i < j->npages; i++) {
        for (size_t k = 0; k < j->pages[i].n; k++)
            model_message_free(&j->pages[i].msgs[k]);
        free(j->pages[i].msgs);
    }
    free(j->pages);
    for (size_t i = 0; i < j->nall; i++)
        model_message_free(&j->all[i]);
    free(j->all);
    free(j);
}

static void thread_end(struct req_ctx *r)
{
    struct thread_job *j = r->job;
    j->all = xcalloc(j->total ? j->total : 1, sizeof *j->all);
    for (size_t i = j->npages; i-- > 0;) {
        memcpy(j->all + j->nall, j->pages[i].msgs, j->pages[i].n * sizeof *j->all);
        j->nall += j->pages[i].n;
        free(j->pages[i].msgs);
    }
    free(j->pages);
    j->pages = NULL;
    j->npages = 0;
    struct session_answer a = {.msgs = j->all, .nmsgs = j->nall};
    session_cmd_answer(r, &a);
}

static void thread_page(struct req_ctx *r);

static void on_thread_page(void *ud, struct prov_result *res)
{
    struct req_ctx *r = ud;
    struct thread_job *j = r->job;
    if (!session_cmd_usable(r, res, "the server did not send the messages"))
        return;
    int64_t oldest = j->npages ? j->pages[j->npages - 1].msgs[0].id : 0;
    /* A page that does not reach further back (a server ignoring before=)
     * would loop forever. */
    bool progress = res->nmsgs > 0 && (!oldest || res->msgs[0].id < oldest);
    size_t got = res->nmsgs;
    if (progress) {
        j->pages = xreallocarray(j->pages, j->npages + 1, sizeof *j->pages);
        j->pages[j->npages++] = (struct page){res->msgs, res->nmsgs};
        j->total += res->nmsgs;
        res->msgs = NULL;
        res->nmsgs = 0;
    }
    if (session_page_thread_start(got, progress) || j->total >= SESSION_THREAD_MAX) {
        thread_end(r);
        return;
    }
    j->before = j->pages[j->npages - 1].msgs[0].id;
    thread_page(r);
}

static void thread_page(struct req_ctx *r)
{
    struct thread_job *j = r->job;
    r->s->p->ops->list_messages(r->s->p, j->conv, j->before, 0, session_cmd_relay, r);
}

void session_thread_all(struct session *s, int64_t conv, session_cb cb, void *ud)
{
    struct thread_job *j = xcalloc(1, sizeof *j);
    j->conv = conv;
    session_cmd_ask(session_cmd_req(s, cb, ud, j, thread_job_free), thread_page, on_thread_page);
}
