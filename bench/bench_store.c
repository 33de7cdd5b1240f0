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

#include "bench_gen.h"
#include "twoway/model.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

#define NCONV BENCH_NCONV
#define NTHREADS 100
#define THREAD_LEN 1000
#define PAGE BENCH_PAGE

/* ---- the figures ---- */

static void bench_puts(struct store *s, struct conversation *gen)
{
    struct conversation *copies = xcalloc(NCONV, sizeof *copies);
    for (size_t i = 0; i < NCONV; i++)
        model_conversation_copy(&copies[i], &gen[i]);

    double t0 = bench_now_ms();
    for (size_t i = 0; i < NCONV; i++)
        store_put_conv(s, &gen[i]);
    bench_figure("store", "put_100k_ms", bench_now_ms() - t0);

    size_t same = 0;
    t0 = bench_now_ms();
    for (size_t i = 0; i < NCONV; i++)
        same += store_put_conv(s, &copies[i]) == STORE_PUT_SAME;
    bench_figure("store", "reput_same_100k_ms", bench_now_ms() - t0);
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
        int64_t id = 1 + (int64_t)(bench_rnd() % NCONV);
        model_conversation_copy(&c[i], store_conv(s, id));
        c[i].unread = (c[i].unread + 1) % 10;
        c[i].updated_at += 1;
    }
    double t0 = bench_now_ms();
    for (size_t i = 0; i < N; i++)
        store_put_conv(s, &c[i]);
    bench_figure("store", "put_one_changed_us", (bench_now_ms() - t0) * 1e3 / N);
    free(c);
}

static void bench_list(struct store *s, int64_t *ids)
{
    for (size_t i = 0; i < NCONV; i++)
        ids[i] = (int64_t)(NCONV - i);
    double t0 = bench_now_ms();
    store_list_set(s, ids, NCONV);
    bench_figure("store", "list_set_100k_ms", bench_now_ms() - t0);

    t0 = bench_now_ms();
    store_list_set(s, ids, NCONV);
    bench_figure("store", "list_set_100k_unchanged_ms", bench_now_ms() - t0);

    enum { N = 1000000 };
    int64_t *probe = xcalloc(N, sizeof *probe);
    for (size_t i = 0; i < N; i++)
        probe[i] = 1 + (int64_t)(bench_rnd() % NCONV);
    long sum = 0;
    t0 = bench_now_ms();
    for (size_t i = 0; i < N; i++)
        sum += store_list_index(s, probe[i]);
    bench_figure("store", "list_index_ns", (bench_now_ms() - t0) * 1e6 / N);
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
    double t0 = bench_now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_conv(s, store_list_at(s, i));
        if (c && c->unread > 0 && has_label(c, "billing"))
            hits++;
    }
    bench_figure("store", "filter_unread_billing_100k_ms", bench_now_ms() - t0);
    bench_figure("store", "filter_unread_billing_hits", (double)hits);

    size_t hits2 = 0;
    t0 = bench_now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct conversation *c = store_list_conv(s, i);
        if (c->unread > 0 && has_label(c, "billing"))
            hits2++;
    }
    bench_figure("store", "filter_unread_billing_by_position_100k_ms", bench_now_ms() - t0);
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
    double t0 = bench_now_ms();
    for (size_t i = 0; i < NCONV; i++) {
        const struct conversation *c = store_conv(s, store_list_at(s, i));
        k[i].at = c->last_activity_at;
        k[i].id = c->id;
    }
    qsort(k, NCONV, sizeof *k, by_activity_desc);
    for (size_t i = 0; i < NCONV; i++)
        ids[i] = k[i].id;
    double sorted = bench_now_ms();
    store_list_set(s, ids, NCONV);
    double done = bench_now_ms();
    bench_figure("store", "sort_100k_by_activity_ms", sorted - t0);
    bench_figure("store", "sort_100k_by_activity_and_list_set_ms", done - t0);
    free(k);
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
            bench_gen_page(&pages[((size_t)t * PAGES + (size_t)p) * PAGE], t + 1,
                           (int64_t)(PAGES - 1 - p) * PAGE + 1);
        bench_gen_page(&again[(size_t)t * PAGE], t + 1, THREAD_LEN - PAGE + 1);
    }
    size_t added = 0;
    double t0 = bench_now_ms();
    for (int t = 0; t < NTHREADS; t++)
        for (int p = 0; p < PAGES; p++)
            added +=
                store_thread_merge(s, t + 1, &pages[((size_t)t * PAGES + (size_t)p) * PAGE], PAGE);
    bench_figure("store", "thread_merge_1000_in_20s_ms", (bench_now_ms() - t0) / NTHREADS);
    t0 = bench_now_ms();
    for (int t = 0; t < NTHREADS; t++)
        store_thread_merge(s, t + 1, &again[(size_t)t * PAGE], PAGE);
    bench_figure("store", "thread_merge_known_page_us", (bench_now_ms() - t0) * 1e3 / NTHREADS);
    if (added != (size_t)NTHREADS * THREAD_LEN)
        fprintf(stderr, "bench_store: merged %zu new messages\n", added);
    free(pages);
    free(again);
}

int main(void)
{
    double t0 = bench_now_ms();
    struct conversation *gen = bench_gen_all();
    bench_figure("store", "generate_100k_ms", bench_now_ms() - t0);

    struct store *s = store_new();
    int64_t *ids = xcalloc(NCONV, sizeof *ids);
    bench_puts(s, gen);
    bench_put_changed(s);
    bench_list(s, ids);
    bench_filter(s);
    bench_sort(s, ids);
    bench_threads(s);

    t0 = bench_now_ms();
    store_free(&s);
    bench_figure("store", "free_all_ms", bench_now_ms() - t0);
    free(ids);
    free(gen);
    return 0;
}
