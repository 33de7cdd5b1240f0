/* bench_gen — a deterministic generator of realistic inbox records for the
 * benchmarks, and their clock and output. */
#include "bench_gen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twoway/xmalloc.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

uint64_t bench_rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *pick(const char *const *v, size_t n)
{
    return v[bench_rnd() % n];
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
    *n = bench_rnd() % 3;
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
    m->id = conv_id * 50 + (int64_t)(bench_rnd() % 40);
    m->conv_id = conv_id;
    m->type = bench_rnd() % 3 ? MSG_INCOMING : MSG_OUTGOING;
    m->status = MSGST_DELIVERED;
    m->sender_kind = m->type == MSG_INCOMING ? SENDER_CONTACT : SENDER_AGENT;
    m->sender_name = xstrdup("");
    m->content = xstrdup(PICK(bodies));
    m->external_error = xstrdup("");
    m->echo_id = xstrdup("");
    m->created_at = at;
}

void bench_gen_conv(struct conversation *c, int64_t id)
{
    memset(c, 0, sizeof *c);
    int64_t now = 1760000000;
    c->id = id;
    c->account_id = 1;
    c->inbox_id = 1 + (int64_t)(bench_rnd() % 3);
    c->status = (enum conv_status)(bench_rnd() % 4);
    c->priority = (enum conv_priority)(bench_rnd() % 5);
    c->contact.id = id + 500000;
    c->contact.name = xasprintf("%s %s", PICK(first_names), PICK(last_names));
    c->contact.phone = xasprintf("+1555%07" PRId64, id);
    c->contact.email = xstrdup("");
    c->contact.identifier = xstrdup("");
    c->contact.opted_out = bench_rnd() % 50 == 0;
    size_t a = bench_rnd() % 4;
    c->assignee_id = (int64_t)a;
    c->assignee_name = xstrdup(agents[a]);
    c->team_name = xstrdup("");
    c->labels = gen_labels(&c->nlabels);
    c->unread = (int)(bench_rnd() % 4);
    c->can_reply = true;
    c->channel = xstrdup("Channel::TwilioSms");
    c->created_at = now - (int64_t)(bench_rnd() % 86400000);
    c->last_activity_at = c->created_at + (int64_t)(bench_rnd() % 86400);
    c->waiting_since = bench_rnd() % 2 ? c->last_activity_at : 0;
    c->updated_at = (double)c->last_activity_at + 0.5;
    c->has_last = true;
    gen_last(&c->last, id, c->last_activity_at);
}

void bench_gen_page(struct message *m, int64_t conv, int64_t first_id)
{
    for (int i = 0; i < BENCH_PAGE; i++) {
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

struct conversation *bench_gen_all(void)
{
    struct conversation *v = xcalloc(BENCH_NCONV, sizeof *v);
    for (int64_t i = 0; i < BENCH_NCONV; i++)
        bench_gen_conv(&v[i], i + 1);
    return v;
}

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void bench_figure(const char *group, const char *name, double value)
{
    printf("%s.%s %.3f\n", group, name, value);
    fflush(stdout);
}
