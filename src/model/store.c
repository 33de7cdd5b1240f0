/* store — every record the client knows, by id, sized so that an inbox of
 * 100,000 conversations stays instant: lookups are one probe of an
 * open-addressing map, list positions are kept in the records so an index
 * is O(1), and thread merges are linear in the thread.
 *
 * A conversation id owns one "slot" that holds its record (once put), its
 * generation, its place in the list and its thread. Slots live in fixed
 * pages and never move, so a borrowed record stays at its address until the
 * next change of that id. Every generation is drawn from one clock, so a
 * value is never reused and a pane can compare with "!=". */
#include "twoway/store.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/xmalloc.h"

/* ---- id map: int64 id → uint32 value, linear probing ---- */

struct idmap_entry {
    int64_t key;
    uint32_t val1; /* value + 1; 0 marks an empty entry, so calloc() clears */
};

struct idmap {
    struct idmap_entry *e;
    size_t cap; /* a power of two, or 0 */
    size_t len;
};

/* splitmix64's finaliser: ids are sequential, and sequential keys must
 * not cluster under a power-of-two mask. */
static size_t id_hash(int64_t id)
{
    uint64_t x = (uint64_t)id;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (size_t)x;
}

static struct idmap_entry *idmap_probe(const struct idmap *m, int64_t key)
{
    size_t mask = m->cap - 1;
    for (size_t i = id_hash(key) & mask;; i = (i + 1) & mask)
        if (m->e[i].val1 == 0 || m->e[i].key == key)
            return &m->e[i];
}

static bool idmap_get(const struct idmap *m, int64_t key, uint32_t *val)
{
    if (m->cap == 0)
        return false;
    const struct idmap_entry *e = idmap_probe(m, key);
    if (e->val1 == 0)
        return false;
    *val = e->val1 - 1;
    return true;
}

static void idmap_grow(struct idmap *m)
{
    struct idmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 16;
    m->e = xcalloc(m->cap, sizeof *m->e);
    for (size_t i = 0; i < old.cap; i++)
        if (old.e[i].val1)
            *idmap_probe(m, old.e[i].key) = old.e[i];
    free(old.e);
}

static void idmap_put(struct idmap *m, int64_t key, uint32_t val)
{
    /* At most half full: linear probing stays at one or two probes. */
    if ((m->len + 1) * 2 > m->cap)
        idmap_grow(m);
    struct idmap_entry *e = idmap_probe(m, key);
    if (e->val1 == 0) {
        e->key = key;
        m->len++;
    }
    e->val1 = val + 1;
}

static void idmap_free(struct idmap *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

/* ---- records ---- */

/* Messages are m[0, n - nlocal) from the server, ascending by (created_at,
 * id), then m[n - nlocal, n) local ones, ascending by created_at. */
struct thread {
    struct message *m;
    size_t n, nlocal, cap;
    struct idmap ids; /* server ids → 0 (or 1 + batch index inside a merge) */
    int64_t min_id, max_id;
    bool complete;
    uint64_t gen;
};

#define NOT_LISTED SIZE_MAX

struct slot {
    struct conversation conv;
    bool has_conv;
    uint64_t gen;
    size_t list_pos; /* NOT_LISTED or its index in store.list */
    struct thread *thread;
};

#define PAGE_SLOTS 1024

/* One kind of directory record: the array handed to us, and its ids. */
struct dir {
    void *items;
    size_t n;
    struct idmap ids;
};

struct store {
    struct slot **pages;
    size_t nslots;
    struct idmap slot_ids;
    size_t nconvs;

    struct slot **list;
    size_t list_len;
    uint64_t list_gen;

    struct conv_counts counts;
    uint64_t counts_gen;

    struct dir dir[DIR__COUNT];
    uint64_t dir_gen;

    struct profile profile;
    bool has_profile;

    /* Colleagues typing now (a few at most), and who is online. */
    struct store_typing *typing;
    size_t ntyping;
    int64_t *online;
    char **online_avail;
    size_t nonline;
    bool presence_known;

    uint64_t clock;
};

struct store_typing {
    int64_t conv, agent;
    char *name;
    int64_t until;
};

static uint64_t tick(struct store *s)
{
    return ++s->clock;
}

struct store *store_new(void)
{
    return xcalloc(1, sizeof(struct store));
}

static struct slot *slot_at(const struct store *s, size_t i)
{
    return &s->pages[i / PAGE_SLOTS][i % PAGE_SLOTS];
}

static struct slot *slot_find(const struct store *s, int64_t id)
{
    uint32_t i;
    if (!idmap_get(&s->slot_ids, id, &i))
        return NULL;
    return slot_at(s, i);
}

static struct slot *slot_make(struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    if (sl)
        return sl;
    if (s->nslots % PAGE_SLOTS == 0) {
        size_t np = s->nslots / PAGE_SLOTS;
        s->pages = xreallocarray(s->pages, np + 1, sizeof *s->pages);
        s->pages[np] = xcalloc(PAGE_SLOTS, sizeof **s->pages);
    }
    idmap_put(&s->slot_ids, id, (uint32_t)s->nslots);
    sl = slot_at(s, s->nslots++);
    sl->conv.id = id;
    sl->list_pos = NOT_LISTED;
    return sl;
}

/* ---- comparing what a person sees ---- */

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool kv_eq(const struct kv *a, size_t na, const struct kv *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i].key, b[i].key) || !str_eq(a[i].value, b[i].value))
            return false;
    return true;
}

static bool labels_eq(const struct conversation *a, const struct conversation *b)
{
    if (a->nlabels != b->nlabels)
        return false;
    for (size_t i = 0; i < a->nlabels; i++)
        if (!str_eq(a->labels[i], b->labels[i]))
            return false;
    return true;
}

static bool contact_eq(const struct contact *a, const struct contact *b)
{
    return a->id == b->id && a->opted_out == b->opted_out && a->opted_out_at == b->opted_out_at &&
           str_eq(a->name, b->name) && str_eq(a->phone, b->phone) && str_eq(a->email, b->email) &&
           str_eq(a->identifier, b->identifier) && kv_eq(a->attrs, a->nattrs, b->attrs, b->nattrs);
}

static bool attachments_eq(const struct message *a, const struct message *b)
{
    if (a->nattachments != b->nattachments)
        return false;
    for (size_t i = 0; i < a->nattachments; i++) {
        const struct attachment *x = &a->attachments[i], *y = &b->attachments[i];
        if (x->size != y->size || !str_eq(x->file_type, y->file_type) || !str_eq(x->url, y->url) ||
            !str_eq(x->extension, y->extension))
            return false;
    }
    return true;
}

static bool message_eq(const struct message *a, const struct message *b)
{
    return a->id == b->id && a->conv_id == b->conv_id && a->type == b->type &&
           a->is_private == b->is_private && a->status == b->status &&
           a->sender_kind == b->sender_kind && a->sender_id == b->sender_id &&
           a->deleted == b->deleted && a->created_at == b->created_at &&
           str_eq(a->content, b->content) && str_eq(a->sender_name, b->sender_name) &&
           str_eq(a->external_error, b->external_error) && str_eq(a->echo_id, b->echo_id) &&
           attachments_eq(a, b);
}

/* updated_at, created_at and agent_last_seen_at are left out: they move
 * without anything on the screen changing (unread carries the last). */
static bool conv_shown_eq(const struct conversation *a, const struct conversation *b)
{
    if (a->status != b->status || a->priority != b->priority || a->inbox_id != b->inbox_id ||
        a->assignee_id != b->assignee_id || a->team_id != b->team_id || a->unread != b->unread ||
        a->muted != b->muted || a->can_reply != b->can_reply ||
        a->last_activity_at != b->last_activity_at || a->waiting_since != b->waiting_since ||
        a->snoozed_until != b->snoozed_until || a->has_last != b->has_last)
        return false;
    if (!str_eq(a->assignee_name, b->assignee_name) || !str_eq(a->team_name, b->team_name) ||
        !str_eq(a->channel, b->channel) || !labels_eq(a, b))
        return false;
    if (a->has_last && !message_eq(&a->last, &b->last))
        return false;
    return contact_eq(&a->contact, &b->contact) && kv_eq(a->attrs, a->nattrs, b->attrs, b->nattrs);
}

/* ---- conversations ---- */

static void conv_moved(struct store *s, struct slot *sl)
{
    sl->gen = tick(s);
    if (sl->list_pos != NOT_LISTED)
        s->list_gen = tick(s);
}

unsigned store_put_conv(struct store *s, struct conversation *c)
{
    struct slot *sl = slot_make(s, c->id);
    unsigned r = STORE_PUT_SAME;
    if (!sl->has_conv) {
        r = STORE_PUT_NEW;
        s->nconvs++;
    } else {
        double had = sl->conv.updated_at;
        if (c->updated_at != 0 && had != 0 && c->updated_at < had) {
            model_conversation_free(c);
            return STORE_PUT_STALE;
        }
        if (c->updated_at == 0)
            c->updated_at = had; /* keeps guarding against older answers */
        if (!conv_shown_eq(&sl->conv, c))
            r |= STORE_PUT_CHANGED;
        if (c->has_last && (!sl->conv.has_last || c->last.id > sl->conv.last.id))
            r |= STORE_PUT_NEW_MESSAGE;
        model_conversation_free(&sl->conv);
    }
    /* Even an unchanged record is taken: its hidden fields are newer. */
    sl->conv = *c;
    sl->has_conv = true;
    memset(c, 0, sizeof *c);
    if (r != STORE_PUT_SAME)
        conv_moved(s, sl);
    return r;
}

const struct conversation *store_conv(const struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    return sl && sl->has_conv ? &sl->conv : NULL;
}

struct conversation *store_conv_edit(struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    return sl && sl->has_conv ? &sl->conv : NULL;
}

void store_conv_touched(struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    if (sl && sl->has_conv)
        conv_moved(s, sl);
}

size_t store_conv_count(const struct store *s)
{
    return s->nconvs;
}

uint64_t store_conv_gen(const struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    return sl && sl->has_conv ? sl->gen : 0;
}

/* ---- the list ---- */

void store_list_set(struct store *s, const int64_t *ids, size_t n)
{
    struct slot **list = xreallocarray(NULL, n ? n : 1, sizeof *list);
    size_t len = 0;
    for (size_t i = 0; i < s->list_len; i++)
        s->list[i]->list_pos = NOT_LISTED;
    for (size_t i = 0; i < n; i++) {
        struct slot *sl = slot_find(s, ids[i]);
        if (!sl || !sl->has_conv || sl->list_pos != NOT_LISTED)
            continue;
        sl->list_pos = len;
        list[len++] = sl;
    }
    bool same = len == s->list_len && (len == 0 || memcmp(list, s->list, len * sizeof *list) == 0);
    free(s->list);
    s->list = list;
    s->list_len = len;
    if (!same)
        s->list_gen = tick(s);
}

size_t store_list_len(const struct store *s)
{
    return s->list_len;
}

int64_t store_list_at(const struct store *s, size_t i)
{
    return i < s->list_len ? s->list[i]->conv.id : 0;
}

const struct conversation *store_list_conv(const struct store *s, size_t i)
{
    return i < s->list_len ? &s->list[i]->conv : NULL;
}

long store_list_index(const struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    return sl && sl->list_pos != NOT_LISTED ? (long)sl->list_pos : -1;
}

void store_list_remove(struct store *s, int64_t id)
{
    struct slot *sl = slot_find(s, id);
    if (!sl || sl->list_pos == NOT_LISTED)
        return;
    size_t at = sl->list_pos;
    memmove(&s->list[at], &s->list[at + 1], (s->list_len - at - 1) * sizeof *s->list);
    s->list_len--;
    for (size_t i = at; i < s->list_len; i++)
        s->list[i]->list_pos = i;
    sl->list_pos = NOT_LISTED;
    s->list_gen = tick(s);
}

uint64_t store_list_gen(const struct store *s)
{
    return s->list_gen;
}

void store_set_counts(struct store *s, const struct conv_counts *c)
{
    if (c->mine == s->counts.mine && c->unassigned == s->counts.unassigned &&
        c->assigned == s->counts.assigned && c->all == s->counts.all)
        return;
    s->counts = *c;
    s->counts_gen = tick(s);
}

const struct conv_counts *store_counts(const struct store *s)
{
    return &s->counts;
}

uint64_t store_counts_gen(const struct store *s)
{
    return s->counts_gen;
}

/* ---- threads ---- */

static struct thread *thread_find(const struct store *s, int64_t conv)
{
    struct slot *sl = slot_find(s, conv);
    return sl ? sl->thread : NULL;
}

static struct thread *thread_make(struct store *s, int64_t conv)
{
    struct slot *sl = slot_make(s, conv);
    if (!sl->thread)
        sl->thread = xcalloc(1, sizeof *sl->thread);
    return sl->thread;
}

static void thread_free(struct thread *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        model_message_free(&t->m[i]);
    free(t->m);
    idmap_free(&t->ids);
    free(t);
}

static void thread_reserve(struct thread *t, size_t n)
{
    if (n <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 32;
    while (cap < n)
        cap *= 2;
    t->m = xreallocarray(t->m, cap, sizeof *t->m);
    t->cap = cap;
}

static size_t thread_nserver(const struct thread *t)
{
    return t->n - t->nlocal;
}

static int msg_cmp(const void *pa, const void *pb)
{
    const struct message *a = pa, *b = pb;
    if (a->created_at != b->created_at)
        return a->created_at < b->created_at ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* The server message with m's id. Tried first where m's key puts it (a
 * re-fetched message keeps its time), then anywhere. */
static struct message *server_find(struct thread *t, const struct message *m)
{
    size_t lo = 0, hi = thread_nserver(t);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (msg_cmp(&t->m[mid], m) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < thread_nserver(t) && t->m[lo].id == m->id)
        return &t->m[lo];
    for (size_t i = 0; i < thread_nserver(t); i++)
        if (t->m[i].id == m->id)
            return &t->m[i];
    return NULL;
}

static size_t local_index(const struct thread *t, const char *echo_id)
{
    for (size_t i = thread_nserver(t); i < t->n; i++)
        if (str_eq(t->m[i].echo_id, echo_id))
            return i;
    return SIZE_MAX;
}

static bool local_remove(struct thread *t, const char *echo_id)
{
    size_t i = local_index(t, echo_id);
    if (i == SIZE_MAX)
        return false;
    model_message_free(&t->m[i]);
    memmove(&t->m[i], &t->m[i + 1], (t->n - i - 1) * sizeof *t->m);
    t->n--;
    t->nlocal--;
    return true;
}

static void local_insert(struct thread *t, struct message *m)
{
    size_t at = t->n;
    while (at > thread_nserver(t) && t->m[at - 1].created_at > m->created_at)
        at--;
    thread_reserve(t, t->n + 1);
    memmove(&t->m[at + 1], &t->m[at], (t->n - at) * sizeof *t->m);
    t->m[at] = *m;
    t->n++;
    t->nlocal++;
}

/* Merge k new server messages, sorted, into the server part: from the back,
 * so the usual cases (a newer page, an older page) move each message once. */
static void thread_insert_sorted(struct thread *t, const struct message *fresh, size_t k)
{
    size_t ns = thread_nserver(t);
    thread_reserve(t, t->n + k);
    memmove(&t->m[ns + k], &t->m[ns], t->nlocal * sizeof *t->m);
    size_t i = ns, j = k, o = ns + k;
    while (j > 0) {
        if (i > 0 && msg_cmp(&t->m[i - 1], &fresh[j - 1]) > 0)
            t->m[--o] = t->m[--i];
        else
            t->m[--o] = fresh[--j];
    }
    t->n += k;
}

/* One message of a merge: new ones go to fresh[] (ids mapped to 1 + their
 * index there), known ones are updated in place. Returns whether a known
 * message changed; *moved if its time did. */
static bool merge_one(struct thread *t, struct message *m, struct message *fresh, size_t *nfresh,
                      bool *moved)
{
    uint32_t v;
    if (!idmap_get(&t->ids, m->id, &v)) {
        idmap_put(&t->ids, m->id, (uint32_t)(*nfresh + 1));
        fresh[(*nfresh)++] = *m;
        return false;
    }
    if (v > 0) { /* twice in one batch: the later copy wins */
        model_message_free(&fresh[v - 1]);
        fresh[v - 1] = *m;
        return false;
    }
    struct message *old = server_find(t, m);
    if (!old || message_eq(old, m)) {
        model_message_free(m);
        return false;
    }
    if (old->created_at != m->created_at)
        *moved = true;
    model_message_free(old);
    *old = *m;
    return true;
}

size_t store_thread_merge(struct store *s, int64_t conv, struct message *msgs, size_t n)
{
    struct thread *t = thread_make(s, conv);
    struct message *fresh = xcalloc(n ? n : 1, sizeof *fresh);
    size_t nfresh = 0;
    bool changed = false, moved = false;
    for (size_t i = 0; i < n; i++) {
        struct message m = msgs[i];
        memset(&msgs[i], 0, sizeof msgs[i]);
        if (m.id <= 0) {
            model_message_free(&m);
            continue;
        }
        m.conv_id = conv;
        if (m.echo_id && m.echo_id[0] && local_remove(t, m.echo_id))
            changed = true;
        changed |= merge_one(t, &m, fresh, &nfresh, &moved);
    }
    if (nfresh > 0) {
        qsort(fresh, nfresh, sizeof *fresh, msg_cmp);
        thread_insert_sorted(t, fresh, nfresh);
        for (size_t i = 0; i < nfresh; i++) {
            int64_t id = fresh[i].id;
            idmap_put(&t->ids, id, 0);
            if (t->min_id == 0 || id < t->min_id)
                t->min_id = id;
            if (id > t->max_id)
                t->max_id = id;
        }
        changed = true;
    }
    if (moved)
        qsort(t->m, thread_nserver(t), sizeof *t->m, msg_cmp);
    free(fresh);
    if (changed)
        t->gen = tick(s);
    return nfresh;
}

const struct message *store_thread(const struct store *s, int64_t conv, size_t *n)
{
    struct thread *t = thread_find(s, conv);
    *n = t ? t->n : 0;
    return *n ? t->m : NULL;
}

static bool server_has_echo(const struct thread *t, const char *echo_id)
{
    for (size_t i = thread_nserver(t); i-- > 0;)
        if (str_eq(t->m[i].echo_id, echo_id))
            return true;
    return false;
}

void store_thread_put_local(struct store *s, int64_t conv, struct message *m)
{
    if (!m->echo_id || !m->echo_id[0]) {
        model_message_free(m);
        return;
    }
    struct thread *t = thread_make(s, conv);
    if (server_has_echo(t, m->echo_id)) { /* delivered already: a copy would show twice */
        model_message_free(m);
        return;
    }
    struct message lm = *m;
    memset(m, 0, sizeof *m);
    lm.id = 0;
    lm.conv_id = conv;
    local_remove(t, lm.echo_id);
    local_insert(t, &lm);
    t->gen = tick(s);
}

void store_thread_local_failed(struct store *s, int64_t conv, const char *echo_id,
                               const char *reason)
{
    struct thread *t = thread_find(s, conv);
    if (!t || !echo_id || !echo_id[0])
        return;
    size_t i = local_index(t, echo_id);
    if (i == SIZE_MAX)
        return;
    t->m[i].status = MSGST_FAILED;
    free(t->m[i].external_error);
    t->m[i].external_error = xstrdup(reason ? reason : "");
    t->gen = tick(s);
}

void store_thread_remove_local(struct store *s, int64_t conv, const char *echo_id)
{
    struct thread *t = thread_find(s, conv);
    if (t && echo_id && echo_id[0] && local_remove(t, echo_id))
        t->gen = tick(s);
}

const struct message *store_thread_find_echo(const struct store *s, int64_t conv,
                                             const char *echo_id)
{
    struct thread *t = thread_find(s, conv);
    if (!t || !echo_id || !echo_id[0])
        return NULL;
    for (size_t i = t->n; i-- > 0;)
        if (str_eq(t->m[i].echo_id, echo_id))
            return &t->m[i];
    return NULL;
}

int64_t store_thread_first_id(const struct store *s, int64_t conv)
{
    struct thread *t = thread_find(s, conv);
    return t ? t->min_id : 0;
}

int64_t store_thread_last_id(const struct store *s, int64_t conv)
{
    struct thread *t = thread_find(s, conv);
    return t ? t->max_id : 0;
}

bool store_thread_complete(const struct store *s, int64_t conv)
{
    struct thread *t = thread_find(s, conv);
    return t && t->complete;
}

void store_thread_set_complete(struct store *s, int64_t conv, bool complete)
{
    struct thread *t = thread_make(s, conv);
    if (t->complete == complete)
        return;
    t->complete = complete;
    t->gen = tick(s);
}

uint64_t store_thread_gen(const struct store *s, int64_t conv)
{
    struct thread *t = thread_find(s, conv);
    return t ? t->gen : 0;
}

/* ---- the directory ---- */

/* Every directory record starts with its int64_t id (model.h checks), so
 * one indexer serves them all. A repeated id keeps its first record. */
static void dir_clear(struct dir *d, enum dir_kind k)
{
    model_dir_list_free(k, d->items, d->n);
    d->items = NULL;
    d->n = 0;
    idmap_free(&d->ids);
}

void store_set_dir(struct store *s, enum dir_kind k, void *items, size_t n)
{
    struct dir *d = &s->dir[k];
    size_t size = model_dir_size(k);
    dir_clear(d, k);
    d->items = items;
    d->n = items ? n : 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct dir_record *r = (const void *)((char *)items + i * size);
        uint32_t dummy;
        if (!idmap_get(&d->ids, r->id, &dummy))
            idmap_put(&d->ids, r->id, (uint32_t)i);
    }
    s->dir_gen = tick(s);
}

const void *store_dir(const struct store *s, enum dir_kind k, size_t *n)
{
    *n = s->dir[k].n;
    return s->dir[k].items;
}

const void *store_dir_find(const struct store *s, enum dir_kind k, int64_t id)
{
    const struct dir *d = &s->dir[k];
    uint32_t i;
    if (!idmap_get(&d->ids, id, &i))
        return NULL;
    return (const char *)d->items + (size_t)i * model_dir_size(k);
}

uint64_t store_dir_gen(const struct store *s)
{
    return s->dir_gen;
}

void store_set_profile(struct store *s, struct profile *p)
{
    model_profile_free(&s->profile);
    s->profile = *p;
    memset(p, 0, sizeof *p);
    s->has_profile = true;
    s->dir_gen = tick(s);
}

const struct profile *store_profile(const struct store *s)
{
    return s->has_profile ? &s->profile : NULL;
}

/* ---- teardown ---- */

static void online_clear(struct store *s);

void store_free(struct store **sp)
{
    struct store *s = *sp;
    if (!s)
        return;
    for (size_t i = 0; i < s->nslots; i++) {
        struct slot *sl = slot_at(s, i);
        if (sl->has_conv)
            model_conversation_free(&sl->conv);
        thread_free(sl->thread);
    }
    for (size_t p = 0; p * PAGE_SLOTS < s->nslots; p++)
        free(s->pages[p]);
    free(s->pages);
    idmap_free(&s->slot_ids);
    free(s->list);
    for (int k = 0; k < DIR__COUNT; k++)
        dir_clear(&s->dir[k], (enum dir_kind)k);
    for (size_t i = 0; i < s->ntyping; i++)
        free(s->typing[i].name);
    free(s->typing);
    online_clear(s);
    model_profile_free(&s->profile);
    free(s);
    *sp = NULL;
}

/* ---- typing and presence ---- */

/* The conversation's row and its thread show typing: both redraw. */
static void typing_moved(struct store *s, int64_t conv)
{
    struct slot *sl = slot_find(s, conv);
    if (!sl)
        return;
    if (sl->has_conv)
        conv_moved(s, sl);
    if (sl->thread)
        sl->thread->gen = tick(s);
}

void store_set_typing(struct store *s, int64_t conv, int64_t agent_id, const char *name,
                      int64_t until)
{
    size_t i = 0;
    while (i < s->ntyping && !(s->typing[i].conv == conv && s->typing[i].agent == agent_id))
        i++;
    if (until <= 0) {
        if (i == s->ntyping)
            return;
        free(s->typing[i].name);
        s->typing[i] = s->typing[--s->ntyping];
    } else if (i == s->ntyping) {
        s->typing = xreallocarray(s->typing, s->ntyping + 1, sizeof *s->typing);
        s->typing[s->ntyping++] =
            (struct store_typing){conv, agent_id, xstrdup(name ? name : ""), until};
    } else {
        s->typing[i].until = until; /* still typing: nothing shown changes */
        return;
    }
    typing_moved(s, conv);
}

const char *store_typing(const struct store *s, int64_t conv, int64_t *agent_id)
{
    for (size_t i = 0; i < s->ntyping; i++) {
        if (s->typing[i].conv == conv) {
            if (agent_id)
                *agent_id = s->typing[i].agent;
            return s->typing[i].name;
        }
    }
    return NULL;
}

int64_t store_typing_expire(struct store *s, int64_t now)
{
    int64_t next = -1;
    for (size_t i = s->ntyping; i-- > 0;) {
        if (s->typing[i].until <= now) {
            int64_t conv = s->typing[i].conv;
            free(s->typing[i].name);
            s->typing[i] = s->typing[--s->ntyping];
            typing_moved(s, conv);
        } else if (next < 0 || s->typing[i].until < next) {
            next = s->typing[i].until;
        }
    }
    return next;
}

static void online_clear(struct store *s)
{
    for (size_t i = 0; i < s->nonline; i++)
        free(s->online_avail[i]);
    free(s->online_avail);
    free(s->online);
    s->online_avail = NULL;
    s->online = NULL;
    s->nonline = 0;
}

void store_set_online(struct store *s, const int64_t *ids, const char *const *availability,
                      size_t n)
{
    bool same = s->presence_known && n == s->nonline;
    for (size_t i = 0; same && i < n; i++)
        same = ids[i] == s->online[i] && strcmp(availability[i], s->online_avail[i]) == 0;
    if (same)
        return;
    online_clear(s);
    s->online = xcalloc(n ? n : 1, sizeof *s->online);
    s->online_avail = xcalloc(n ? n : 1, sizeof *s->online_avail);
    for (size_t i = 0; i < n; i++) {
        s->online[i] = ids[i];
        s->online_avail[i] = xstrdup(availability[i]);
    }
    s->nonline = n;
    s->presence_known = true;
    s->dir_gen = tick(s);
}

const char *store_agent_presence(const struct store *s, int64_t id)
{
    if (!s->presence_known)
        return NULL;
    for (size_t i = 0; i < s->nonline; i++)
        if (s->online[i] == id)
            return s->online_avail[i];
    return "offline";
}

int store_agent_online(const struct store *s, int64_t id)
{
    const char *p = store_agent_presence(s, id);
    return !p ? -1 : strcmp(p, "offline") != 0;
}
