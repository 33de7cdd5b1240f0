/* bench_store — how the store holds up with an inbox of 100,000
 * conversations. Prints one "name value" line per figure; there is no
 * pass/fail, the numbers are for comparing builds and machines.
 *
 * Records are generated (deterministically) before each clock starts, so
 * a figure measures the store, not the generator. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/model.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

#define NCONV 100000
#define NTHREADS 100
#define THREAD_LEN 1000
#define PAGE 20

/* ---- generator ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *pick(const char *const *v, size_t n)
{
    return v[rnd() % n];
}

#define PICK(v) pick(v, sizeof(v) / sizeof((v)[0]))

static const char *const first_names[] = {
    "Maria",  "James", "Aisha",  "Wei",  "Olga", "Jean-Luc", "Priya", "Kwame", "Sofía",
    "Dmitri", "Yuki",  "Fatima", "Liam", "Noah", "Chloé",    "Ahmed", "Ngọc",  "Дмитрий",
};
static const char *const last_names[] = {
    "Gonzalez", "Smith",  "Okafor", "Zhang",  "Ivanova", "Picard", "Patel",  "Mensah",
    "Núñez",    "Tanaka", "Haddad", "Murphy", "Dubois",  "Иванов", "Nguyễn", "Kowalski",
};
static const char *const label_set[] = {
    "billing", "vip", "support", "refund", "shipping", "followup", "spam", "urgent-callback",
};
static const char *const bodies[] = {
    "Hi, where is my order? It was supposed to arrive yesterday.",
    "Thanks! That fixed it 👍",
    "Can I change the delivery address to 221B Baker Street?",
    "STOP",
    "I was charged twice this month, please refund one of them.",
    "Is the store open on Sunday?",
    "ok",
    "Ich habe noch keine Antwort erhalten.",
};
static const char *const agents[] = {"", "Ann Lee", "Ben Okoro", "Chloe Martin"};

static char **gen_labels(size_t *n)
{
    *n = rnd() % 3;
    if (*n == 0)
        return NULL;
    char **v = xcalloc(*n, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = xstrdup(PICK(label_set));
    return v;
}

static void gen_last(struct message *m, int64_t conv_id, int64_t at)
{
    memset(m, 0, sizeof *m);
    m->id = conv_id * 50 + (int64_t)(rnd() % 40);
    m->conv_id = conv_id;
    m->type = rnd() % 3 ? MSG_INCOMING : MSG_OUTGOING;
    m->status = MSGST_DELIVERED;
    m->sender_kind = m->type == MSG_INCOMING ? SENDER_CONTACT : SENDER_AGENT;
    m->sender_name = xstrdup("");
    m->content = xstrdup(PICK(bodies));
    m->external_error = xstrdup("");
    m->echo_id = xstrdup("");
    m->created_at = at;
}

static void gen_conv(struct conversation *c, int64_t id)
{
    memset(c, 0, sizeof *c);
    int64_t now = 1760000000;
    c->id = id;
    c->account_id = 1;
    c->inbox_id = 1 + (int64_t)(rnd() % 3);
    c->status = (enum conv_status)(rnd() % 4);
    c->priority = (enum conv_priority)(rnd() % 5);
    c->contact.id = id + 500000;
    c->contact.name = xasprintf("%s %s", PICK(first_names), PICK(last_names));
    c->contact.phone = xasprintf("+1555%07" PRId64, id);
    c->contact.email = xstrdup("");
    c->contact.identifier = xstrdup("");
    c->contact.opted_out = rnd() % 50 == 0;
    size_t a = rnd() % 4;
    c->assignee_id = (int64_t)a;
    c->assignee_name = xstrdup(agents[a]);
    c->team_name = xstrdup("");
    c->labels = gen_labels(&c->nlabels);
    c->unread = (int)(rnd() % 4);
    c->can_reply = true;
    c->channel = xstrdup("Channel::TwilioSms");
    c->created_at = now - (int64_t)(rnd() % 86400000);
    c->last_activity_at = c->created_at + (int64_t)(rnd() % 86400);
    c->waiting_since = rnd() % 2 ? c->last_activity_at : 0;
    c->updated_at = (double)c->last_activity_at + 0.5;
    c->has_last = true;
    gen_last(&c->last, id, c->last_activity_at);
}

/* ---- clock and output ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void figure(const char *name, double value)
{
    printf("store.%s %.3f\n", name, value);
    fflush(stdout);
}

/* ---- the figures ---- */

static struct conversation *gen_all(void)
{
    struct conversation *v = xcalloc(NCONV, sizeof *v);
    for (int64_t i = 0; i < NCONV; i++)
        gen_conv(&v[i], i + 1);
    return v;
}

static void bench_puts(struct store *s, struct conversation *gen)
{
    struct conversation *copies = xcalloc(NCONV, sizeof *copies);
    for (size_t i = 0; i < NCONV; i++)
        model_conversation_copy(&copies[i], &gen[i]);

    double t0 = now_ms();
    for (size_t i = 0; i < NCONV; i++)
        store_put_conv(s, &gen[i]);
    figure("put_100k_ms", now_ms() - t0);

    size_t same = 0;
    t0 = now_ms();
    for (size_t i = 0; i < NCONV; i++)
        same += store_put_conv(s, &copies[i]) == STORE_PUT_SAME;
    figure("reput_same_100k_ms", now_ms() - t0);
    if (same != NCONV)
        fprintf(stderr, "bench_store: %zu of %d re-puts were not SAME\n", NCONV - same, NCONV);
    free(copies);
}

/* Average of 1,000 puts that each change one record (unread moves). */
static void bench_put_changed(struct store *s)
{
    enum { N = 1000 };
    struct conversation *c = xcalloc(N, sizeof *c);
    for (size_t i = 0; i < N; i++) {
        int64_t id = 1 + (int64_t)(rnd() % NCONV);
        model_conversation_copy(&c[i], store_conv(s, id));
        c[i].unread = (c[i].unread + 1) % 10;
        c[i].updated_at += 1;
    }
    double t0 = now_ms();
    for (size_t i = 0; i < N; i++)
        store_put_conv(s, &c[i]);
    figure("put_one_changed_us", (now_ms() - t0) * 1e3 / N);
    free(c);
}

static void bench_list(struct store *s, int64_t *ids)
{
    for (size_t i = 0; i < NCONV; i++)
        ids[i] = (int64_t)(NCONV - i);
    double t0 = now_ms();
    store_list_set(s, ids, NCONV);
    figure("list_set_100k_ms", now_ms() - t0);

    t0 = now_ms();
    store_list_set(s, ids, NCONV);
    figure("list_set_100k_unchanged_ms", now_ms() - t0);

    enum { N = 1000000 };
    int64_t *probe = xcalloc(N, sizeof *probe);
    for (size_t i = 0; i < N; i++)
        probe[i] = 1 + (int64_t)(rnd() % NCONV);
    long sum = 0;
    t0 = now_ms();
    for (size_t i = 0; i < N; i++)
        sum += store_list_index(s, probe[i]);
    figure("list_index_ns", (now_ms() - t0) * 1e6 / N);
    if (sum < 0)
        fprintf(stderr, "bench_store: index missing\n");
    free(probe);
}

static bool has_label(const struct conversation *c, const char *label)
{
    for (size_t i = 0; i < c->nlabels; i++)
        if (strcmp(c->labels[i], label) == 0)
            return true;
    return false;
}

/* What a local filter does: walk the list, look each record up, test. */
static void bench_filter(const struct store *s)
{
    size_t hits = 0, n = store_list_len(s);
    double t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_conv(s, store_list_at(s, i));
        if (c && c->unread > 0 && has_label(c, "billing"))
            hits++;
    }
    figure("filter_unread_billing_100k_ms", now_ms() - t0);
    figure("filter_unread_billing_hits", (double)hits);

    size_t hits2 = 0;
    t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_list_conv(s, i);
        if (c->unread > 0 && has_label(c, "billing"))
            hits2++;
    }
    figure("filter_unread_billing_by_position_100k_ms", now_ms() - t0);
    if (hits2 != hits)
        fprintf(stderr, "bench_store: the two scans disagree\n");
}

struct sort_key {
    int64_t at;
    int64_t id;
};

static int by_activity_desc(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at > b->at ? -1 : 1;
    return (a->id < b->id) - (a->id > b->id);
}

/* Keys are gathered from the store, sorted, and the list replaced. */
static void bench_sort(struct store *s, int64_t *ids)
{
    struct sort_key *k = xcalloc(NCONV, sizeof *k);
    double t0 = now_ms();
    for (size_t i = 0; i < NCONV; i++) {
        const struct conversation *c = store_conv(s, store_list_at(s, i));
        k[i].at = c->last_activity_at;
        k[i].id = c->id;
    }
    qsort(k, NCONV, sizeof *k, by_activity_desc);
    for (size_t i = 0; i < NCONV; i++)
        ids[i] = k[i].id;
    double sorted = now_ms();
    store_list_set(s, ids, NCONV);
    double done = now_ms();
    figure("sort_100k_by_activity_ms", sorted - t0);
    figure("sort_100k_by_activity_and_list_set_ms", done - t0);
    free(k);
}

static void gen_page(struct message *m, int64_t conv, int64_t first_id)
{
    for (int i = 0; i < PAGE; i++) {
        int64_t id = first_id + i;
        memset(&m[i], 0, sizeof m[i]);
        m[i].id = id;
        m[i].conv_id = conv;
        m[i].type = id % 2 ? MSG_INCOMING : MSG_OUTGOING;
        m[i].status = MSGST_DELIVERED;
        m[i].sender_name = xstrdup(id % 2 ? "" : "Ann Lee");
        m[i].content = xstrdup(PICK(bodies));
        m[i].external_error = xstrdup("");
        m[i].echo_id = xstrdup("");
        m[i].created_at = 1760000000 + id * 60;
    }
}

/* A thread read from the newest page back (scrolling up), then polled
 * with nothing new: per 1,000-message thread, averaged over NTHREADS. */
static void bench_threads(struct store *s)
{
    enum { PAGES = THREAD_LEN / PAGE };
    struct message *pages = xcalloc((size_t)NTHREADS * THREAD_LEN, sizeof *pages);
    struct message *again = xcalloc((size_t)NTHREADS * PAGE, sizeof *again);
    for (int t = 0; t < NTHREADS; t++) {
        for (int p = 0; p < PAGES; p++)
            gen_page(&pages[((size_t)t * PAGES + (size_t)p) * PAGE], t + 1,
                     (int64_t)(PAGES - 1 - p) * PAGE + 1);
        gen_page(&again[(size_t)t * PAGE], t + 1, THREAD_LEN - PAGE + 1);
    }
    size_t added = 0;
    double t0 = now_ms();
    for (int t = 0; t < NTHREADS; t++)
        for (int p = 0; p < PAGES; p++)
            added +=
                store_thread_merge(s, t + 1, &pages[((size_t)t * PAGES + (size_t)p) * PAGE], PAGE);
    figure("thread_merge_1000_in_20s_ms", (now_ms() - t0) / NTHREADS);
    t0 = now_ms();
    for (int t = 0; t < NTHREADS; t++)
        store_thread_merge(s, t + 1, &again[(size_t)t * PAGE], PAGE);
    figure("thread_merge_known_page_us", (now_ms() - t0) * 1e3 / NTHREADS);
    if (added != (size_t)NTHREADS * THREAD_LEN)
        fprintf(stderr, "bench_store: merged %zu new messages\n", added);
    free(pages);
    free(again);
}

int main(void)
{
    double t0 = now_ms();
    struct conversation *gen = gen_all();
    figure("generate_100k_ms", now_ms() - t0);

    struct store *s = store_new();
    int64_t *ids = xcalloc(NCONV, sizeof *ids);
    bench_puts(s, gen);
    bench_put_changed(s);
    bench_list(s, ids);
    bench_filter(s);
    bench_sort(s, ids);
    bench_threads(s);

    t0 = now_ms();
    store_free(&s);
    figure("free_all_ms", now_ms() - t0);
    free(ids);
    free(gen);
    return 0;
}
