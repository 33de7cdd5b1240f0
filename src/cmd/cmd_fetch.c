/* cmd_fetch — reading what a command needs from the server: one
 * conversation, a part of the directory, every page of a list, a whole
 * thread. Everything read goes into the store too, so the screen and the
 * next command see it at once. */
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "twoway/provider.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

/* Messages per page of a thread (doc/api.md §4.1): fewer is the end. */
#define THREAD_PAGE 20

static struct provider *prov(struct cmd_call *call)
{
    return session_provider(call->env->ss);
}

static bool transient(enum prov_err e)
{
    return e == PROV_ERR_NETWORK || e == PROV_ERR_SERVER || e == PROV_ERR_RATE;
}

static const char *why_of(const struct prov_result *res, const char *dflt)
{
    return res->message && *res->message ? res->message : dflt;
}

/* ---- one conversation ---- */

struct fetch_conv {
    struct cmd_call *call;
    int64_t conv;
    void (*next)(struct cmd_call *, const char *);
};

static void on_conv(void *ud, struct prov_result *res)
{
    struct fetch_conv *f = ud;
    struct cmd_call *call = f->call;
    struct store *st = call->env->st;
    char *why = NULL;
    if (res->err == PROV_OK && res->has_conv) {
        store_put_conv(st, &res->conv);
        res->has_conv = false;
    } else if (res->err == PROV_ERR_NOT_FOUND) {
        why = xasprintf("no conversation #%lld", (long long)f->conv);
    } else if (!(transient(res->err) && store_conv(st, f->conv))) {
        why = xstrdup(why_of(res, "the server did not send the conversation"));
    }
    void (*next)(struct cmd_call *, const char *) = f->next;
    free(f);
    next(call, why);
    free(why);
}

void cmd_fetch_conv(struct cmd_call *call, int64_t conv, bool fresh,
                    void (*next)(struct cmd_call *call, const char *why))
{
    bool known = store_conv(call->env->st, conv) != NULL;
    /* Known to be offline: waiting for a timeout would only hold up a reply
     * the outbox can keep. */
    if (known && call->env->ss && session_state(call->env->ss) == CONN_RETRYING)
        fresh = false;
    if ((known && !fresh) || !call->env->ss) {
        if (known) {
            next(call, NULL);
        } else {
            char *why = xasprintf("no conversation #%lld", (long long)conv);
            next(call, why);
            free(why);
        }
        return;
    }
    struct fetch_conv *f = xcalloc(1, sizeof *f);
    f->call = call;
    f->conv = conv;
    f->next = next;
    prov(call)->ops->get_conversation(prov(call), conv, on_conv, f);
}

/* ---- the directory ---- */

struct fetch_dir {
    struct cmd_call *call;
    enum dir_kind what;
    void (*next)(struct cmd_call *, const char *);
};

static void on_dir(void *ud, struct prov_result *res)
{
    struct fetch_dir *f = ud;
    struct cmd_call *call = f->call;
    const char *why = NULL;
    size_t known;
    store_dir(call->env->st, f->what, &known);
    if (res->err == PROV_OK) {
        void *items;
        size_t n;
        model_directory_take(&res->dir, f->what, &items, &n);
        store_set_dir(call->env->st, f->what, items, n);
    } else if (!known) {
        why = why_of(res, "the server did not answer");
    }
    void (*next)(struct cmd_call *, const char *) = f->next;
    free(f);
    next(call, why);
}

void cmd_fetch_dir(struct cmd_call *call, enum dir_kind what, bool force,
                   void (*next)(struct cmd_call *call, const char *why))
{
    struct provider *p = call->env->ss ? prov(call) : NULL;
    size_t known;
    store_dir(call->env->st, what, &known);
    if ((!force && known) || !p || !p->ops->list_dir) {
        next(call, NULL);
        return;
    }
    struct fetch_dir *f = xcalloc(1, sizeof *f);
    f->call = call;
    f->what = what;
    f->next = next;
    p->ops->list_dir(p, what, on_dir, f);
}

/* ---- every page of a list ---- */

struct fetch_list {
    struct cmd_call *call;
    struct conv_query q;
    char *label, *text;
    int page;
    size_t page_size; /* of the first page: a shorter one is the last */
    int64_t *ids;
    size_t n;
    void (*next)(struct cmd_call *, const int64_t *, size_t, const char *);
};

static void list_page(struct fetch_list *f);

static bool have_id(const struct fetch_list *f, int64_t id)
{
    for (size_t i = f->n; i-- > 0;)
        if (f->ids[i] == id)
            return true;
    return false;
}

static void list_end(struct fetch_list *f, const char *why)
{
    struct cmd_call *call = f->call;
    f->next(call, f->ids, f->n, why);
    free(f->ids);
    free(f->label);
    free(f->text);
    free(f);
}

static void on_list_page(void *ud, struct prov_result *res)
{
    struct fetch_list *f = ud;
    if (res->err != PROV_OK) {
        list_end(f, why_of(res, "the server did not send the list"));
        return;
    }
    size_t added = 0;
    f->ids = xreallocarray(f->ids, f->n + res->nconvs + 1, sizeof *f->ids);
    for (size_t i = 0; i < res->nconvs && f->n < CMD_LIST_MAX; i++) {
        int64_t id = res->convs[i].id;
        if (have_id(f, id))
            continue;
        store_put_conv(f->call->env->st, &res->convs[i]);
        f->ids[f->n++] = id;
        added++;
    }
    if (f->page == 1)
        f->page_size = res->nconvs;
    bool last =
        res->nconvs == 0 || res->nconvs < f->page_size || added == 0 || f->n >= CMD_LIST_MAX;
    if (last) {
        list_end(f, NULL);
        return;
    }
    f->page++;
    list_page(f);
}

static void list_page(struct fetch_list *f)
{
    struct provider *p = prov(f->call);
    f->q.page = f->page;
    p->ops->list_conversations(p, &f->q, on_list_page, f);
}

void cmd_fetch_list(struct cmd_call *call, const struct conv_query *q,
                    void (*next)(struct cmd_call *call, const int64_t *ids, size_t n,
                                 const char *why))
{
    struct fetch_list *f = xcalloc(1, sizeof *f);
    f->call = call;
    f->q = *q;
    f->label = q->label ? xstrdup(q->label) : NULL;
    f->text = q->q ? xstrdup(q->q) : NULL;
    f->q.label = f->label;
    f->q.q = f->text;
    f->page = 1;
    f->next = next;
    list_page(f);
}

/* ---- a whole thread ---- */

struct page {
    struct message *msgs;
    size_t n;
};

struct fetch_thread {
    struct cmd_call *call;
    int64_t conv;
    struct page *pages; /* newest first */
    size_t npages, total;
    void (*next)(struct cmd_call *, const struct message *, size_t, const char *);
};

static void thread_end(struct fetch_thread *f, const char *why)
{
    struct message *all = xcalloc(f->total ? f->total : 1, sizeof *all);
    size_t k = 0;
    for (size_t i = f->npages; i-- > 0;) {
        memcpy(all + k, f->pages[i].msgs, f->pages[i].n * sizeof *all);
        k += f->pages[i].n;
        free(f->pages[i].msgs);
    }
    free(f->pages);
    f->next(f->call, all, why ? 0 : k, why);
    for (size_t i = 0; i < k; i++)
        model_message_free(&all[i]);
    free(all);
    free(f);
}

static void on_thread_page(void *ud, struct prov_result *res)
{
    struct fetch_thread *f = ud;
    if (res->err != PROV_OK) {
        thread_end(f, why_of(res, "the server did not send the messages"));
        return;
    }
    int64_t oldest = f->npages ? f->pages[f->npages - 1].msgs[0].id : 0;
    /* A page that does not reach further back (a server ignoring before=)
     * would loop forever. */
    bool progress = res->nmsgs > 0 && (!oldest || res->msgs[0].id < oldest);
    size_t got = res->nmsgs;
    if (progress) {
        f->pages = xreallocarray(f->pages, f->npages + 1, sizeof *f->pages);
        f->pages[f->npages].msgs = res->msgs;
        f->pages[f->npages].n = res->nmsgs;
        f->npages++;
        f->total += res->nmsgs;
        res->msgs = NULL;
        res->nmsgs = 0;
    }
    if (!progress || got < THREAD_PAGE || f->total >= CMD_THREAD_MAX) {
        thread_end(f, NULL);
        return;
    }
    struct provider *p = prov(f->call);
    p->ops->list_messages(p, f->conv, f->pages[f->npages - 1].msgs[0].id, 0, on_thread_page, f);
}

void cmd_fetch_thread(struct cmd_call *call, int64_t conv,
                      void (*next)(struct cmd_call *call, const struct message *msgs, size_t n,
                                   const char *why))
{
    struct fetch_thread *f = xcalloc(1, sizeof *f);
    f->call = call;
    f->conv = conv;
    f->next = next;
    struct provider *p = prov(call);
    p->ops->list_messages(p, conv, 0, 0, on_thread_page, f);
}
