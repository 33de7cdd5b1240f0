/* fuzz_pattern — limit patterns as an agent types them (the input is the
 * pattern, up to its first NUL).
 *
 * Properties: a pattern compiles, or fails with a message that points at a
 * column inside it (or says it is empty or too long); a compiled pattern
 * matches the fixed conversations below without trouble, and "!(P)"
 * matches exactly the conversations P does not (unless the extra
 * parenthesis goes over the nesting limit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "twoway/pattern.h"

#define NOW 1732700000

static char *labels_a[] = {"billing", "vip"};
static char *labels_c[] = {"Ops"};

static const struct conversation convs[] = {
    {
        .id = 12,
        .status = CONV_OPEN,
        .priority = PRIORITY_HIGH,
        .contact = {.id = 5,
                    .name = "Maria Gonzalez",
                    .phone = "+15551234567",
                    .email = "maria@example.com",
                    .identifier = ""},
        .assignee_id = 7,
        .assignee_name = "Sam Jones",
        .team_id = 2,
        .team_name = "Billing",
        .labels = labels_a,
        .nlabels = 2,
        .unread = 3,
        .channel = "Channel::TwilioSms",
        .waiting_since = NOW - 3600,
        .has_last = true,
        .last = {.id = 99,
                 .type = MSG_INCOMING,
                 .sender_name = "Maria Gonzalez",
                 .content = "My order #123 hasn't arrived \xf0\x9f\x93\xa6",
                 .external_error = "",
                 .echo_id = "",
                 .created_at = NOW - 3600},
    },
    {
        .id = 13,
        .status = CONV_RESOLVED,
        .contact = {.id = 6,
                    .name = "",
                    .phone = "+447700900123",
                    .email = "",
                    .identifier = "",
                    .opted_out = true},
        .assignee_name = "",
        .team_name = "",
        .channel = "Channel::Sms",
    },
    {
        .id = 14,
        .status = CONV_PENDING,
        .priority = PRIORITY_URGENT,
        .contact = {.id = 8,
                    .name = "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m",
                    .phone = "",
                    .email = "zoe@example.org",
                    .identifier = "z-1"},
        .assignee_id = 9,
        .assignee_name = "Ben Ortiz",
        .team_name = "",
        .labels = labels_c,
        .nlabels = 1,
        .channel = "Channel::TwilioSms",
        .has_last = true,
        .last = {.id = 120,
                 .type = MSG_OUTGOING,
                 .sender_name = "Ben Ortiz",
                 .content = "On it \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x94\xa7",
                 .external_error = "",
                 .echo_id = "",
                 .created_at = NOW - 60},
    },
};
#define NCONVS (sizeof convs / sizeof convs[0])

static const struct pattern_ctx ctx = {.me = 7, .now = NOW};

static int chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_error(const char *text, const char *err)
{
    FUZZ_CHECK(err && *err, "no pattern and no error");
    /* The last one: the message may quote the pattern, which may say
     * "(column " itself. */
    const char *col = NULL;
    for (const char *p = err; (p = strstr(p, "(column ")) != NULL; p++)
        col = p;
    if (!col) {
        FUZZ_CHECK(strcmp(err, "empty pattern") == 0 || strncmp(err, "pattern too long", 16) == 0,
                   "error without a column: %s", err);
        return;
    }
    int n = atoi(col + 8);
    FUZZ_CHECK(n >= 1 && n <= chars(text) + 1, "column %d in a pattern of %d characters: %s", n,
               chars(text), err);
}

static void check_negation(const char *text, const bool *matched)
{
    size_t len = strlen(text);
    char *neg = malloc(len + 4);
    snprintf(neg, len + 4, "!(%s)", text);
    char *err = NULL;
    struct pattern *p = pattern_compile(neg, &err);
    if (!p) {
        FUZZ_CHECK(strstr(err, "nested too deeply") || strstr(err, "too long"),
                   "\"%s\" compiles but its negation does not: %s", text, err);
        free(err);
        free(neg);
        return;
    }
    for (size_t i = 0; i < NCONVS; i++)
        FUZZ_CHECK(pattern_match(p, &convs[i], &ctx) == !matched[i],
                   "\"%s\" and its negation agree on conversation %zu", text, i);
    pattern_free(&p);
    free(neg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char *err = NULL;
    struct pattern *p = pattern_compile(text, &err);
    if (!p) {
        check_error(text, err);
        free(err);
        free(text);
        return 0;
    }
    FUZZ_CHECK(!err, "a pattern and an error: %s", err);
    bool matched[NCONVS];
    for (size_t i = 0; i < NCONVS; i++)
        matched[i] = pattern_match(p, &convs[i], &ctx);
    (void)pattern_match(p, &convs[0], NULL);
    pattern_free(&p);
    FUZZ_CHECK(p == NULL, "pattern_free left the pointer");
    check_negation(text, matched);
    free(text);
    return 0;
}
