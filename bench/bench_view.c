/* bench_view — what the screen does with an inbox of 100,000
 * conversations: the local limit over the whole list, marking, and
 * formatting what is visible (list rows, a long thread). Prints one
 * "view.<name> <value>" line per figure; no pass/fail. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_gen.h"
#include "twoway/fmt.h"
#include "twoway/pattern.h"
#include "twoway/store.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

#define NOW 1760000000

static void fill(struct store *s)
{
    struct conversation *gen = bench_gen_all();
    int64_t *ids = xcalloc(BENCH_NCONV, sizeof *ids);
    for (size_t i = 0; i < BENCH_NCONV; i++) {
        ids[i] = gen[i].id;
        store_put_conv(s, &gen[i]);
    }
    store_list_set(s, ids, BENCH_NCONV);
    free(ids);
    free(gen);
}

/* The limit as ui_list_refresh applies it: every row, every change. */
static void bench_limit(const struct store *s, const char *text, const char *name)
{
    char *err = NULL;
    struct pattern *p = pattern_compile(text, &err);
    if (!p) {
        fprintf(stderr, "bench_view: %s: %s\n", text, err);
        free(err);
        return;
    }
    struct pattern_ctx pc = {.me = 1, .now = NOW};
    size_t hits = 0;
    double t0 = bench_now_ms();
    for (size_t i = 0; i < store_list_len(s); i++)
        hits += pattern_match(p, store_list_conv(s, i), &pc);
    bench_figure("view", name, bench_now_ms() - t0);
    pattern_free(&p);
    if (!hits)
        fprintf(stderr, "bench_view: %s matched nothing\n", text);
}

static void bench_marks(const struct store *s)
{
    struct view v;
    view_init(&v);
    int64_t *ids = xcalloc(BENCH_NCONV, sizeof *ids);
    for (size_t i = 0; i < BENCH_NCONV; i++)
        ids[i] = store_list_at(s, i);
    double t0 = bench_now_ms();
    view_mark_many(&v, ids, BENCH_NCONV, true);
    bench_figure("view", "mark_all_100k_ms", bench_now_ms() - t0);
    t0 = bench_now_ms();
    for (int i = 0; i < 1000; i++)
        view_mark(&v, ids[bench_rnd() % BENCH_NCONV], i % 2);
    bench_figure("view", "mark_one_among_100k_us", (bench_now_ms() - t0) * 1e3 / 1000);
    free(ids);
    view_free(&v);
}

/* One screenful of list rows (20 conversations at 120 columns), as drawn
 * after every change of the list. */
static void bench_rows(const struct store *s)
{
    struct fmt_ctx ctx = {.now = NOW, .me = 1, .preview = true, .time_format = "%H:%M"};
    enum { SCREENS = 500, ROWS = 20 };
    double t0 = bench_now_ms();
    for (int k = 0; k < SCREENS; k++) {
        for (int r = 0; r < ROWS; r++) {
            struct fmt_line l[FMT_LIST_ROW_LINES];
            size_t i = (size_t)(k * ROWS + r) % store_list_len(s);
            fmt_list_row(store_list_conv(s, i), &ctx, 42, r == 0 ? FMT_SEL_ACTIVE : FMT_SEL_NONE,
                         false, l);
            for (int j = 0; j < FMT_LIST_ROW_LINES; j++)
                fmt_line_free(&l[j]);
        }
    }
    bench_figure("view", "list_screen_20_rows_ms", (bench_now_ms() - t0) / SCREENS);
}

/* A 1,000-message thread formatted for a 78-column pane (done when the
 * thread changes or the width does). */
static void bench_thread(void)
{
    enum { N = 1000 };
    struct message *m = xcalloc(N, sizeof *m);
    for (int p = 0; p < N / BENCH_PAGE; p++)
        bench_gen_page(&m[p * BENCH_PAGE], 1, p * BENCH_PAGE + 1);
    struct fmt_ctx ctx = {.now = NOW, .me = 1, .preview = true, .time_format = "%H:%M"};
    double t0 = bench_now_ms();
    struct fmt_line *lines = NULL;
    size_t n = fmt_thread(m, N, &ctx, 78, &lines);
    bench_figure("view", "thread_1000_messages_ms", bench_now_ms() - t0);
    bench_figure("view", "thread_1000_messages_lines", (double)n);
    fmt_lines_free(lines, n);
    for (int i = 0; i < N; i++)
        model_message_free(&m[i]);
    free(m);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    struct store *s = store_new();
    fill(s);
    bench_limit(s, "~u ~l billing", "limit_unread_billing_100k_ms");
    bench_limit(s, "~w 1h (~a me | ~a none) !~s resolved", "limit_waiting_mine_100k_ms");
    bench_limit(s, "gonzalez", "limit_text_100k_ms");
    bench_marks(s);
    bench_rows(s);
    bench_thread();
    store_free(&s);
    return 0;
}
