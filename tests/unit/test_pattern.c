/* Unit tests for pattern: every operator, the grammar (AND, OR, NOT,
 * groups, quotes), and errors that name the problem and its column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/pattern.h"
#include "twoway/xmalloc.h"

#define NOW 1800000000
#define ME 7

static char *labels_billing_vip[] = {"billing", "VIP"};

/* A conversation that waits for us: Maria wrote last, 20 minutes ago. */
static struct conversation fixture(void)
{
    struct conversation c = {0};
    c.id = 42;
    c.status = CONV_OPEN;
    c.priority = PRIORITY_HIGH;
    c.contact.id = 9;
    c.contact.name = "Maria Gonzalez";
    c.contact.phone = "+15551234567";
    c.contact.email = "maria@example.com";
    c.contact.identifier = "";
    c.assignee_id = ME;
    c.assignee_name = "Sam Jones";
    c.team_id = 3;
    c.team_name = "Billing Support";
    c.labels = labels_billing_vip;
    c.nlabels = 2;
    c.unread = 2;
    c.channel = "Channel::TwilioSms";
    c.has_last = true;
    c.last.type = MSG_INCOMING;
    c.last.content = "Where is my Refund?";
    c.last.created_at = NOW - 20 * 60;
    c.last_activity_at = NOW - 20 * 60;
    return c;
}

static const struct pattern_ctx ctx = {.me = ME, .now = NOW};

static bool matches(const char *text, const struct conversation *c)
{
    char *err = (char *)"untouched";
    struct pattern *p = pattern_compile(text, &err);
    if (!p)
        fail_msg("'%s' did not compile: %s", text, err);
    assert_null(err);
    bool r = pattern_match(p, c, &ctx);
    pattern_free(&p);
    assert_null(p);
    return r;
}

/* The error message for text, which must not compile. Owned. */
static char *error_of(const char *text)
{
    char *err = NULL;
    struct pattern *p = pattern_compile(text, &err);
    if (p)
        fail_msg("'%s' compiled but should not", text);
    assert_non_null(err);
    return err;
}

static void assert_error(const char *text, const char *want)
{
    char *err = error_of(text);
    if (!strstr(err, want))
        fail_msg("'%s': error '%s' does not contain '%s'", text, err, want);
    free(err);
}

/* ---- text ---- */

static void test_pattern__bare_text_searches_name_phone_email_and_last_message(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("maria", &c));
    assert_true(matches("GONZ", &c));
    assert_true(matches("5551234", &c));
    assert_true(matches("example.com", &c));
    assert_true(matches("refund", &c));
    assert_false(matches("invoice", &c));
}

static void test_pattern__last_message_is_searched_only_if_there_is_one(void **state)
{
    struct conversation c = fixture();
    c.has_last = false;
    assert_false(matches("refund", &c));
}

static void test_pattern__tilde_b_is_the_same_as_bare_text(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~b refund", &c));
    assert_true(matches("~brefund", &c));
    assert_false(matches("~b invoice", &c));
}

static void test_pattern__quoted_text_is_one_term(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("\"maria gonz\"", &c));
    assert_true(matches("gonzalez maria", &c)); /* two terms, both present */
    assert_false(matches("\"gonzalez maria\"", &c));
    assert_true(matches("~b \"is my\"", &c));
    assert_true(matches("~b\"is my\"", &c));
}

static void test_pattern__quoted_text_takes_escaped_quotes(void **state)
{
    struct conversation c = fixture();
    c.last.content = "she said \"hi\" \\o/";
    assert_true(matches("\"said \\\"hi\\\"\"", &c));
    assert_true(matches("\"\\\\o/\"", &c));
}

static void test_pattern__special_characters_inside_a_word_are_text(void **state)
{
    struct conversation c = fixture();
    c.last.content = "wow! a~b";
    assert_true(matches("wow!", &c));
    assert_true(matches("a~b", &c));
}

/* ---- grammar ---- */

static void test_pattern__terms_side_by_side_must_all_match(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("maria ~u ~l billing", &c));
    assert_false(matches("maria ~u ~l refunds", &c));
}

static void test_pattern__bar_matches_either_side(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~l refunds | ~l billing", &c));
    assert_true(matches("~l billing|~l refunds", &c));
    assert_false(matches("~l refunds | ~l spam", &c));
}

static void test_pattern__and_binds_tighter_than_or(void **state)
{
    struct conversation c = fixture();
    /* (nobody's AND refunds) OR billing */
    assert_true(matches("~a none ~l refunds | ~l billing", &c));
    /* nobody's AND (refunds OR billing) */
    assert_false(matches("~a none (~l refunds | ~l billing)", &c));
}

static void test_pattern__negation_inverts_a_term_or_a_group(void **state)
{
    struct conversation c = fixture();
    assert_false(matches("!~u", &c));
    assert_true(matches("!~a none", &c));
    assert_true(matches("!!~u", &c));
    assert_false(matches("!!!~u", &c));
    assert_false(matches("!(~u | ~o)", &c));
    assert_true(matches("!(~u ~o)", &c));
    assert_true(matches("! ~o", &c));
    assert_false(matches("!maria", &c));
}

static void test_pattern__nested_groups(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("((~u) ((~l vip | ~o) maria))", &c));
    assert_false(matches("((~u) ((~l spam | ~o) maria))", &c));
}

static void test_pattern__long_chains_of_negation_compile(void **state)
{
    char text[600];
    memset(text, '!', 500);
    strcpy(text + 500, "~u");
    struct conversation c = fixture();
    assert_true(matches(text, &c)); /* an even number of ! */
}

static void test_pattern__thirty_two_levels_of_parentheses_are_allowed(void **state)
{
    char text[200] = "";
    for (int i = 0; i < 32; i++)
        strcat(text, "(");
    strcat(text, "~u");
    for (int i = 0; i < 32; i++)
        strcat(text, ")");
    struct conversation c = fixture();
    assert_true(matches(text, &c));
}

/* ---- ~a ---- */

static void test_pattern__assignee_me_none_any(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~a me", &c));
    assert_true(matches("~a ME", &c));
    assert_true(matches("~a any", &c));
    assert_false(matches("~a none", &c));
    c.assignee_id = 8;
    c.assignee_name = "Ana Lee";
    assert_false(matches("~a me", &c));
    assert_true(matches("~a any", &c));
    c.assignee_id = 0;
    c.assignee_name = "";
    assert_true(matches("~a none", &c));
    assert_false(matches("~a any", &c));
    assert_false(matches("~a me", &c));
}

static void test_pattern__assignee_me_never_matches_unassigned_when_me_is_unknown(void **state)
{
    struct conversation c = fixture();
    c.assignee_id = 0;
    c.assignee_name = "";
    struct pattern_ctx nobody = {.me = 0, .now = NOW};
    char *err;
    struct pattern *p = pattern_compile("~a me", &err);
    assert_non_null(p);
    assert_false(pattern_match(p, &c, &nobody));
    pattern_free(&p);
}

static void test_pattern__assignee_name_is_a_case_insensitive_prefix(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~a sam", &c));
    assert_true(matches("~a S", &c));
    assert_true(matches("~a Jo", &c)); /* the last name's start counts too */
    assert_true(matches("~a \"sam j\"", &c));
    assert_true(matches("~asam", &c));
    assert_false(matches("~a am", &c)); /* inside a word is not a prefix */
    assert_false(matches("~a samuel", &c));
    assert_false(matches("~a \"sam x\"", &c));
}

static void test_pattern__assignee_name_never_matches_unassigned(void **state)
{
    struct conversation c = fixture();
    c.assignee_id = 0;
    c.assignee_name = "";
    assert_false(matches("~a sam", &c));
}

/* ---- ~l ~u ~o ---- */

static void test_pattern__label_is_exact_and_case_insensitive(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~l billing", &c));
    assert_true(matches("~l BILLING", &c));
    assert_true(matches("~l vip", &c));
    assert_false(matches("~l bill", &c));
    assert_false(matches("~l billings", &c));
    c.nlabels = 0;
    assert_false(matches("~l billing", &c));
}

static void test_pattern__unread(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~u", &c));
    c.unread = 0;
    assert_false(matches("~u", &c));
    assert_true(matches("!~u", &c));
}

static void test_pattern__opted_out(void **state)
{
    struct conversation c = fixture();
    assert_false(matches("~o", &c));
    c.contact.opted_out = true;
    assert_true(matches("~o", &c));
}

/* ---- ~w ---- */

static void test_pattern__waiting_longer_than_the_duration(void **state)
{
    struct conversation c = fixture(); /* last incoming 20 minutes ago */
    assert_true(matches("~w 15m", &c));
    assert_true(matches("~w 1199", &c));
    assert_false(matches("~w 20m", &c)); /* exactly 20 minutes is not longer */
    assert_false(matches("~w 1h", &c));
    assert_true(matches("~w>15m", &c));
    assert_true(matches("~w >15m", &c));
    assert_true(matches("~w15m", &c));
    assert_false(matches("~w 1h30m", &c));
    c.last.created_at = NOW; /* this very second */
    assert_true(matches("~w 0", &c));
}

static void test_pattern__waiting_uses_waiting_since_when_the_server_sends_it(void **state)
{
    struct conversation c = fixture();
    c.waiting_since = NOW - 3 * 3600;
    assert_true(matches("~w 2h", &c));
    assert_false(matches("~w 4h", &c));
}

static void test_pattern__answered_conversations_are_not_waiting(void **state)
{
    struct conversation c = fixture();
    c.last.type = MSG_OUTGOING;
    c.waiting_since = 0;
    assert_false(matches("~w 1m", &c));
    assert_true(matches("!~w 1m", &c));
    c.has_last = false;
    assert_false(matches("~w 0", &c));
}

/* ---- ~s ~p ~t ---- */

static void test_pattern__status(void **state)
{
    struct conversation c = fixture();
    const char *names[] = {"open", "pending", "resolved", "snoozed"};
    for (int s = CONV_OPEN; s <= CONV_SNOOZED; s++) {
        c.status = (enum conv_status)s;
        for (int t = 0; t < 4; t++) {
            char text[32];
            snprintf(text, sizeof text, "~s %s", names[t]);
            assert_int_equal(matches(text, &c), s == t);
        }
    }
    c.status = CONV_PENDING;
    assert_true(matches("~s Pending", &c));
}

static void test_pattern__priority_including_none(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~p high", &c));
    assert_false(matches("~p urgent", &c));
    assert_false(matches("~p none", &c));
    c.priority = PRIORITY_NONE;
    assert_true(matches("~p none", &c));
    assert_true(matches("~p NONE", &c));
    c.priority = PRIORITY_URGENT;
    assert_true(matches("~p urgent", &c));
    c.priority = PRIORITY_LOW;
    assert_true(matches("~p low", &c));
    c.priority = PRIORITY_MEDIUM;
    assert_true(matches("~p medium", &c));
}

static void test_pattern__team_is_a_case_insensitive_prefix(void **state)
{
    struct conversation c = fixture();
    assert_true(matches("~t billing", &c));
    assert_true(matches("~t \"billing sup\"", &c));
    assert_false(matches("~t support", &c));
    c.team_id = 0;
    c.team_name = "";
    assert_false(matches("~t billing", &c));
}

/* ---- errors ---- */

static void test_pattern__empty_pattern_is_an_error(void **state)
{
    assert_error("", "empty pattern");
    assert_error("   ", "empty pattern");
    assert_error(NULL, "empty pattern");
    char *err = error_of("");
    assert_string_equal(err, "empty pattern");
    free(err);
}

static void test_pattern__lone_bang_needs_a_pattern(void **state)
{
    assert_error("!", "! needs a pattern after it (column 1)");
    assert_error("~u !", "! needs a pattern after it (column 4)");
    assert_error("(!)", "! needs a pattern after it");
    assert_error("! | ~u", "! needs a pattern after it");
}

static void test_pattern__unknown_operator_is_named_with_its_column(void **state)
{
    assert_error("~x", "~x: unknown pattern operator");
    assert_error("~u ~x", "(column 4)");
    assert_error("~A me", "~A: unknown pattern operator");
    assert_error("~1", "~1: unknown pattern operator");
    char *err = error_of("~q");
    assert_non_null(strstr(err, "~a ~b ~l ~o ~p ~s ~t ~u or ~w")); /* says what exists */
    free(err);
}

static void test_pattern__columns_count_characters_not_bytes(void **state)
{
    assert_error("José ~x", "(column 6)");
}

static void test_pattern__tilde_alone_needs_a_letter(void **state)
{
    assert_error("~", "~ needs an operator letter");
    assert_error("~ u", "~ needs an operator letter");
    assert_error("(~)", "~ needs an operator letter");
}

static void test_pattern__missing_arguments_say_what_is_expected(void **state)
{
    assert_error("~w", "~w needs a duration like 15m");
    assert_error("~w )", "~w needs a duration like 15m");
    assert_error("~l", "~l needs a label");
    assert_error("~a", "~a needs me, none, any or an agent's name");
    assert_error("~s", "~s needs a status");
    assert_error("~p", "~p needs a priority");
    assert_error("~t | x", "~t needs a team name");
    assert_error("~b", "~b needs text");
    assert_error("~l !x", "~l needs a label (column 1)");
}

static void test_pattern__bad_arguments_are_named(void **state)
{
    assert_error("~w soon", "~w needs a duration like 15m, not 'soon'");
    assert_error("~w 15x", "not '15x'");
    assert_error("~s closed", "~s closed: unknown status; use open, pending, resolved or snoozed");
    assert_error("~p critical", "~p critical: unknown priority");
}

static void test_pattern__flags_take_no_argument(void **state)
{
    assert_error("~ux", "~u takes no argument");
    assert_error("~o\"x\"", "~o takes no argument");
}

static void test_pattern__unbalanced_parentheses(void **state)
{
    assert_error("(~u", "unbalanced parenthesis (column 1)");
    assert_error("~u )", "unbalanced parenthesis (column 4)");
    assert_error("(~u))", "unbalanced parenthesis (column 5)");
    assert_error("((~u)", "unbalanced parenthesis (column 1)");
    assert_error(")", "unbalanced parenthesis (column 1)");
    assert_error("(", "unbalanced parenthesis");
}

static void test_pattern__empty_parentheses(void **state)
{
    assert_error("()", "empty parentheses (column 1)");
    assert_error("~u ( )", "empty parentheses (column 4)");
}

static void test_pattern__or_needs_both_sides(void **state)
{
    assert_error("| ~u", "| needs a pattern on both sides (column 1)");
    assert_error("~u |", "| needs a pattern on both sides (column 4)");
    assert_error("~u || ~o", "| needs a pattern on both sides");
    assert_error("(~u | )", "| needs a pattern on both sides");
}

static void test_pattern__unterminated_quote(void **state)
{
    assert_error("maria \"gonz", "unterminated quote (column 7)");
    assert_error("~b \"x", "unterminated quote");
}

static void test_pattern__too_deep_nesting_is_refused(void **state)
{
    char text[200] = "";
    for (int i = 0; i < 33; i++)
        strcat(text, "(");
    strcat(text, "~u");
    for (int i = 0; i < 33; i++)
        strcat(text, ")");
    assert_error(text, "nested too deeply");
}

static void test_pattern__too_long_input_is_refused(void **state)
{
    char *text = xmalloc(1002);
    memset(text, 'a', 1001);
    text[1001] = '\0';
    assert_error(text, "pattern too long");
    text[1000] = '\0'; /* exactly the limit is fine */
    struct conversation c = fixture();
    assert_false(matches(text, &c));
    free(text);
}

static void test_pattern__many_terms_match_in_one_pass(void **state)
{
    /* 100 ORed terms: only the last one matches. */
    char *text = xmalloc(1000);
    text[0] = '\0';
    for (int i = 0; i < 99; i++)
        strcat(text, "~l x | ");
    strcat(text, "~u");
    struct conversation c = fixture();
    assert_true(matches(text, &c));
    free(text);
}

static void test_pattern__match_without_ctx_uses_the_clock(void **state)
{
    struct conversation c = fixture();
    char *err;
    struct pattern *p = pattern_compile("~u ~a any", &err);
    assert_true(pattern_match(p, &c, NULL));
    assert_false(pattern_match(p, NULL, &ctx));
    assert_false(pattern_match(NULL, &c, &ctx));
    pattern_free(&p);
    pattern_free(&p); /* already NULL: nothing happens */
    pattern_free(NULL);
}

/* ---- what the server can filter by ---- */

/* The filter of text, as "key op values; …" with exact's mark. */
static char *filter_of(const char *text, const struct pattern_ctx *pc)
{
    char *err = NULL;
    struct pattern *p = pattern_compile(text, &err);
    assert_non_null(p);
    struct conv_filter f = {0};
    pattern_filter(p, pc ? pc : &ctx, &f);
    char buf[512] = "";
    for (size_t i = 0; i < f.nconds; i++) {
        const struct conv_filter_cond *c = &f.conds[i];
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%s %s", i ? "; " : "",
                 model_conv_filter_key_name(c->key),
                 c->present ? (c->neg ? "absent" : "present")
                 : c->neg   ? "not"
                            : "in");
        for (size_t k = 0; k < c->nvalues; k++) {
            len = strlen(buf);
            snprintf(buf + len, sizeof buf - len, "%s%s", k ? "," : " ", c->values[k]);
        }
    }
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len, "%s", f.exact ? " =" : " ~");
    /* Whatever it says, every match passes it (a superset). */
    struct conversation c = fixture();
    if (pattern_match(p, &c, pc ? pc : &ctx))
        assert_true(model_conv_filter_match(&f, &c));
    model_conv_filter_free(&f);
    pattern_free(&p);
    return xstrdup(buf);
}

#define FILTER(text, want)                                                                         \
    do {                                                                                           \
        char *got_ = filter_of(text, NULL);                                                        \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_pattern__filter_says_what_the_server_can(void **state)
{
    (void)state;
    FILTER("~s pending ~l vip", "status in pending; labels in vip =");
    FILTER("!~s open", "status not open =");
    FILTER("!~l vip", "labels not vip =");
    FILTER("~a none", "assignee_id absent =");
    FILTER("!~a none", "assignee_id present =");
    FILTER("~a me", "assignee_id in 7 =");
    FILTER("~p high", "priority in high =");
    FILTER("~l a | ~l b", "labels in a,b =");
    FILTER("~s open | ~s pending", "status in open,pending =");
}

static void test_pattern__filter_leaves_to_us_what_it_cannot(void **state)
{
    (void)state;
    FILTER("~u", " ~");
    FILTER("refund", " ~");
    FILTER("~l vip ~u", "labels in vip ~");
    FILTER("!~a me", " ~");         /* NOT IN would lose the unassigned */
    FILTER("~p none", " ~");        /* no "no priority" on the server */
    FILTER("~l a | ~s open", " ~"); /* an OR across keys */
    FILTER("~l a | ~u", " ~");
    FILTER("!(~l a ~l b)", " ~");
    FILTER("~a sam", " ~"); /* names need the directory */
}

static void test_pattern__filter_names_agents_and_teams_by_the_directory(void **state)
{
    (void)state;
    struct agent agents[] = {{.id = 7, .name = "Sam Jones"},
                             {.id = 8, .name = "Samuel Ortiz"},
                             {.id = 9, .name = "Ann Lee"}};
    struct team teams[] = {{.id = 3, .name = "Billing Support"}, {.id = 4, .name = "Front"}};
    struct pattern_ctx pc = ctx;
    pc.agents = agents;
    pc.nagents = 3;
    pc.teams = teams;
    pc.nteams = 2;
    char *got = filter_of("~a sam ~t bill", &pc);
    assert_string_equal(got, "assignee_id in 7,8; team_id in 3 =");
    free(got);
    got = filter_of("~a zed", &pc);
    assert_string_equal(got, "assignee_id in 0 ="); /* nobody: nothing matches */
    free(got);
}

static void test_pattern__filter_match_is_the_servers_sql(void **state)
{
    (void)state;
    struct conversation c = fixture();
    struct conv_filter f = {0};
    const char *v = "7";
    model_conv_filter_add(&f, CF_ASSIGNEE, true, false, &v, 1);
    assert_false(model_conv_filter_match(&f, &c)); /* assigned to 7 */
    c.assignee_id = 0;
    assert_false(model_conv_filter_match(&f, &c)); /* NOT IN drops the unassigned */
    model_conv_filter_free(&f);
    const char *l = "VIP";
    model_conv_filter_add(&f, CF_LABELS, true, false, &l, 1);
    assert_false(model_conv_filter_match(&f, &c)); /* labels are case-blind */
    c.nlabels = 0;
    assert_true(model_conv_filter_match(&f, &c)); /* untagged: not tagged VIP */
    model_conv_filter_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern__bare_text_searches_name_phone_email_and_last_message),
        cmocka_unit_test(test_pattern__last_message_is_searched_only_if_there_is_one),
        cmocka_unit_test(test_pattern__tilde_b_is_the_same_as_bare_text),
        cmocka_unit_test(test_pattern__quoted_text_is_one_term),
        cmocka_unit_test(test_pattern__quoted_text_takes_escaped_quotes),
        cmocka_unit_test(test_pattern__special_characters_inside_a_word_are_text),
        cmocka_unit_test(test_pattern__terms_side_by_side_must_all_match),
        cmocka_unit_test(test_pattern__bar_matches_either_side),
        cmocka_unit_test(test_pattern__and_binds_tighter_than_or),
        cmocka_unit_test(test_pattern__negation_inverts_a_term_or_a_group),
        cmocka_unit_test(test_pattern__nested_groups),
        cmocka_unit_test(test_pattern__long_chains_of_negation_compile),
        cmocka_unit_test(test_pattern__thirty_two_levels_of_parentheses_are_allowed),
        cmocka_unit_test(test_pattern__assignee_me_none_any),
        cmocka_unit_test(test_pattern__assignee_me_never_matches_unassigned_when_me_is_unknown),
        cmocka_unit_test(test_pattern__assignee_name_is_a_case_insensitive_prefix),
        cmocka_unit_test(test_pattern__assignee_name_never_matches_unassigned),
        cmocka_unit_test(test_pattern__label_is_exact_and_case_insensitive),
        cmocka_unit_test(test_pattern__unread),
        cmocka_unit_test(test_pattern__opted_out),
        cmocka_unit_test(test_pattern__waiting_longer_than_the_duration),
        cmocka_unit_test(test_pattern__waiting_uses_waiting_since_when_the_server_sends_it),
        cmocka_unit_test(test_pattern__answered_conversations_are_not_waiting),
        cmocka_unit_test(test_pattern__status),
        cmocka_unit_test(test_pattern__priority_including_none),
        cmocka_unit_test(test_pattern__team_is_a_case_insensitive_prefix),
        cmocka_unit_test(test_pattern__empty_pattern_is_an_error),
        cmocka_unit_test(test_pattern__lone_bang_needs_a_pattern),
        cmocka_unit_test(test_pattern__unknown_operator_is_named_with_its_column),
        cmocka_unit_test(test_pattern__columns_count_characters_not_bytes),
        cmocka_unit_test(test_pattern__tilde_alone_needs_a_letter),
        cmocka_unit_test(test_pattern__missing_arguments_say_what_is_expected),
        cmocka_unit_test(test_pattern__bad_arguments_are_named),
        cmocka_unit_test(test_pattern__flags_take_no_argument),
        cmocka_unit_test(test_pattern__unbalanced_parentheses),
        cmocka_unit_test(test_pattern__empty_parentheses),
        cmocka_unit_test(test_pattern__or_needs_both_sides),
        cmocka_unit_test(test_pattern__unterminated_quote),
        cmocka_unit_test(test_pattern__too_deep_nesting_is_refused),
        cmocka_unit_test(test_pattern__too_long_input_is_refused),
        cmocka_unit_test(test_pattern__many_terms_match_in_one_pass),
        cmocka_unit_test(test_pattern__match_without_ctx_uses_the_clock),
        cmocka_unit_test(test_pattern__filter_says_what_the_server_can),
        cmocka_unit_test(test_pattern__filter_leaves_to_us_what_it_cannot),
        cmocka_unit_test(test_pattern__filter_names_agents_and_teams_by_the_directory),
        cmocka_unit_test(test_pattern__filter_match_is_the_servers_sql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
