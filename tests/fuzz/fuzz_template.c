/* fuzz_template — {{variable}} expansion of a reply template (canned
 * responses come from the server; local ones from the rc file).
 *
 * The input is the template text, up to its first NUL. It is expanded
 * against a full set of variables, against a conversation with no assignee
 * and empty fields, and against no conversation at all. Properties: a text
 * or an error, never both; the text is at most TEMPLATE_MAX_OUTPUT bytes;
 * a text without {{…}} comes back unchanged; valid UTF-8 in gives valid
 * UTF-8 out, in the text and in the error (which quotes the template);
 * and, without fallbacks, what comes out holds no "{{" that was not
 * already there as text (no variable is left half-expanded). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "twoway/template.h"

/* A value long enough that a few uses reach the output limit. */
static char big[12 * 1024];

static struct kv contact_attrs[] = {
    {"plan", "Gold \xe2\x98\x85"},
    {"big", big},
    {"empty", ""},
};
static struct kv conv_attrs[] = {
    {"order", "#A-1029"},
    {"blank", "   "},
};

static struct conversation full = {
    .id = 42,
    .contact = {.id = 5,
                .name = "Mar\xc3\xad"
                        "a Jos\xc3\xa9 Gonz\xc3\xa1"
                        "lez",
                .phone = "+15551234567",
                .email = "maria@example.com",
                .identifier = "",
                .attrs = contact_attrs,
                .nattrs = 3},
    .assignee_id = 7,
    .assignee_name = "Sam Jones",
    .team_name = "",
    .channel = "Channel::TwilioSms",
    .attrs = conv_attrs,
    .nattrs = 2,
};

static const struct agent sam = {.id = 7,
                                 .name = "Sam Jones",
                                 .email = "sam@example.com",
                                 .role = "agent",
                                 .availability = "online"};

static struct conversation sparse = {
    .id = 43,
    .contact = {.id = 6, .name = "", .phone = "", .email = "", .identifier = ""},
    .assignee_name = "",
    .team_name = "",
    .channel = "",
};

static size_t count_pairs(const char *s)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, "{{")) != NULL; p += 2)
        n++;
    return n;
}

static void expand(const char *text, const struct template_vars *vars, bool has_vars, bool utf8)
{
    char *err = NULL;
    char *out = template_expand(text, vars, &err);
    FUZZ_CHECK((out == NULL) != (err == NULL), "out %p, err %s", (void *)out, err ? err : "(null)");
    if (!out) {
        FUZZ_CHECK(*err, "empty error");
        FUZZ_CHECK(!utf8 || fuzz_utf8_ok(err, strlen(err)), "error is not valid UTF-8: %s", err);
        free(err);
        return;
    }
    size_t len = strlen(out);
    FUZZ_CHECK(len <= TEMPLATE_MAX_OUTPUT, "%zu bytes expanded", len);
    if (!has_vars)
        FUZZ_CHECK(strcmp(out, text) == 0, "a text without variables changed");
    FUZZ_CHECK(!utf8 || fuzz_utf8_ok(out, len), "expansion is not valid UTF-8");
    /* The values here hold no braces, so without fallbacks (which need a
     * quote) every "{{" out was text in: nothing was half-expanded. */
    if (!strpbrk(text, "'\""))
        FUZZ_CHECK(count_pairs(out) <= count_pairs(text), "%zu \"{{\" out of %zu in",
                   count_pairs(out), count_pairs(text));
    free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memset(big, 'x', sizeof big - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    bool has_vars = template_has_vars(text);
    bool utf8 = fuzz_utf8_ok(text, strlen(text));
    const struct template_vars all = {.conv = &full, .agent = &sam};
    const struct template_vars none_assigned = {.conv = &sparse, .agent = NULL};
    expand(text, &all, has_vars, utf8);
    expand(text, &none_assigned, has_vars, utf8);
    expand(text, NULL, has_vars, utf8);
    free(text);
    return 0;
}
