/* bench_gen — a deterministic generator of realistic inbox records for the
 * benchmarks, and their clock and output. */
#ifndef TWOWAY_BENCH_GEN_H
#define TWOWAY_BENCH_GEN_H

#include <stdint.h>

#include "twoway/model.h"

#define BENCH_NCONV 100000
#define BENCH_PAGE 20

uint64_t bench_rnd(void);
/* A conversation with display id `id`: names, phone, labels, assignee,
 * unread, waiting, a last message. Owned by the caller (model_*_free). */
void bench_gen_conv(struct conversation *c, int64_t id);
/* BENCH_PAGE messages of conv with ids first_id.. (ascending). */
void bench_gen_page(struct message *m, int64_t conv, int64_t first_id);
/* BENCH_NCONV conversations, ids 1..N. */
struct conversation *bench_gen_all(void);

double bench_now_ms(void);
/* One "<group>.<name> <value>" line. */
void bench_figure(const char *group, const char *name, double value);

#endif
