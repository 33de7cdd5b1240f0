/* Unit tests for template: every variable, fallbacks, errors that name the
 * variable, literal braces, and the output bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/store.h"
#include "twoway/template.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

static struct kv contact_attrs[] = {{"plan", "Gold"}, {"order_id", "A-1001"}, {"blank", ""}};
static struct kv conv_attrs[] = {{"ticket", "T-77"}};

static struct conversation fixture(void)
{
    struct conversation c = {0};
    c.id = 1234;
    c.contact.id = 98;
    c.contact.name = "maria de la cruz";
    c.contact.phone = "+15551234567";
    c.contact.email = "";
    c.contact.identifier = "";
    c.contact.attrs = contact_attrs;
    c.contact.nattrs = 3;
    c.attrs = conv_attrs;
    c.nattrs = 1;
    c.assignee_id = 5;
    c.assignee_name = "Sam Jones";
    c.team_name = "";
    c.channel = "Channel::TwilioSms";
    return c;
}

static struct agent sam = {.id = 5, .name = "Sam Jones", .email = "sam@example.com"};

/* Expand with the fixture; the test fails if expansion fails. Owned. */
static char *expand_ok(const char *text, const struct template_vars *vars)
{
    char *err = (char *)"untouched";
    char *out = template_expand(text, vars, &err);
    if (!out)
        fail_msg("'%s' failed: %s", text, err);
    assert_null(err);
    return out;
}

static void assert_expands(const char *text, const char *want)
{
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = &sam};
    char *out = expand_ok(text, &vars);
    assert_string_equal(out, want);
    free(out);
}

static void assert_fails_with(const char *text, const struct template_vars *vars, const char *want)
{
    char *err = NULL;
    char *out = template_expand(text, vars, &err);
    if (out)
        fail_msg("'%s' expanded to '%s' but should fail", text, out);
    assert_non_null(err);
    if (strcmp(err, want) != 0)
        fail_msg("'%s': error '%s', wanted '%s'", text, err, want);
    free(err);
}

static void assert_fails(const char *text, const char *want)
{
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = &sam};
    assert_fails_with(text, &vars, want);
}

/* ---- variables ---- */

static void test_template__contact_variables(void **state)
{
    assert_expands("Hi {{contact.name}}", "Hi Maria De La Cruz");
    assert_expands("{{contact.first_name}}", "Maria");
    assert_expands("{{contact.last_name}}", "Cruz");
    assert_expands("{{contact.phone}}", "+15551234567");
    assert_expands("#{{contact.id}}", "#98");
}

/* As Chatwoot's capitalizeName: the first letter of each word, the rest as
 * it is; a word is a run of letters, digits and _, so O'Brien and
 * Mary-Jane come out right; letters beyond ASCII are letters. */
static void test_template__names_are_capitalised_word_by_word(void **state)
{
    (void)state;
    struct {
        const char *name, *first, *last, *whole;
    } cases[] = {
        {"kevin o'brien", "Kevin", "O'Brien", "Kevin O'Brien"},
        {"mary-jane watson", "Mary-Jane", "Watson", "Mary-Jane Watson"},
        {"ANN lee", "ANN", "Lee", "ANN Lee"},
        {"élise d'arc", "Élise", "D'Arc", "Élise D'Arc"},
        {"3rd floor desk", "3rd", "Desk", "3rd Floor Desk"},
        {"王芳", "王芳", "", "王芳"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct conversation c = fixture();
        c.contact.name = (char *)cases[i].name;
        struct template_vars vars = {.conv = &c, .agent = &sam};
        char *out = expand_ok("{{contact.first_name}}|{{contact.last_name || ''}}|"
                              "{{contact.name}}",
                              &vars);
        char *want = xasprintf("%s|%s|%s", cases[i].first, cases[i].last, cases[i].whole);
        assert_string_equal(out, want);
        free(want);
        free(out);
    }
    struct agent lower = {.id = 5, .name = "sam jones", .email = "sam@example.com"};
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = &lower};
    char *out = expand_ok("{{agent.name}}|{{agent.first_name}}|{{agent.last_name}}", &vars);
    assert_string_equal(out, "Sam Jones|Sam|Jones");
    free(out);
}

/* Chatwoot and twowayd name a contact by its number until someone knows
 * better: "Hi +15550101041" is no greeting, so the fallback applies. */
static void test_template__a_name_that_is_a_phone_number_is_no_name(void **state)
{
    (void)state;
    const char *phones[] = {"+15550101041", "+1 (555) 010-1041", "555.010.1041"};
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
        struct conversation c = fixture();
        c.contact.name = (char *)phones[i];
        struct template_vars vars = {.conv = &c, .agent = &sam};
        char *out =
            expand_ok("Hi {{contact.first_name || 'there'}}, {{contact.name || 'friend'}}", &vars);
        assert_string_equal(out, "Hi there, friend");
        free(out);
        assert_fails_with("Hi {{contact.first_name}}", &vars,
                          "{{contact.first_name}} is empty for this contact");
        out = expand_ok("{{contact.phone}}", &vars);
        assert_string_equal(out, "+15551234567"); /* the phone itself stays */
        free(out);
    }
    /* A name with a number in it is still a name. */
    struct conversation c = fixture();
    c.contact.name = "Room 101";
    struct template_vars vars = {.conv = &c, .agent = &sam};
    char *out = expand_ok("{{contact.name}}", &vars);
    assert_string_equal(out, "Room 101");
    free(out);
}

static void test_template__uses_agent(void **state)
{
    (void)state;
    assert_true(template_uses_agent("Hi, {{ agent.first_name }} here"));
    assert_true(template_uses_agent("{{contact.name}} {{agent.email || 'us'}}"));
    assert_false(template_uses_agent("Hi {{contact.name}}, the agent will call"));
    assert_false(template_uses_agent("agent.name"));
    assert_false(template_uses_agent(NULL));
}

static void test_template__contact_email(void **state)
{
    struct conversation c = fixture();
    c.contact.email = "maria@example.com";
    struct template_vars vars = {.conv = &c, .agent = &sam};
    char *out = expand_ok("<{{contact.email}}>", &vars);
    assert_string_equal(out, "<maria@example.com>");
    free(out);
}

static void test_template__conversation_id_is_the_display_id(void **state)
{
    assert_expands("case {{conversation.id}}", "case 1234");
}

static void test_template__agent_is_the_assignee_passed_in(void **state)
{
    assert_expands("{{agent.name}}|{{agent.first_name}}|{{agent.last_name}}|{{agent.email}}",
                   "Sam Jones|Sam|Jones|sam@example.com");
}

static void test_template__custom_attributes(void **state)
{
    assert_expands("{{contact.custom_attribute.plan}} {{contact.custom_attribute.order_id}}",
                   "Gold A-1001");
    assert_expands("{{conversation.custom_attribute.ticket}}", "T-77");
}

static void test_template__whitespace_inside_braces_is_allowed(void **state)
{
    assert_expands("{{ contact.first_name }}", "Maria");
    assert_expands("{{\tcontact.first_name\t}}", "Maria");
}

static void test_template__text_without_variables_comes_back_unchanged(void **state)
{
    assert_expands("", "");
    assert_expands("Thanks! We'll call you { soon }.", "Thanks! We'll call you { soon }.");
    assert_expands("multi\nline", "multi\nline");
}

static void test_template__variables_can_touch_each_other(void **state)
{
    assert_expands("{{contact.first_name}}{{contact.last_name}}", "MariaCruz");
}

/* ---- fallbacks ---- */

static void test_template__fallback_is_used_when_the_value_is_empty(void **state)
{
    assert_expands("Hi {{contact.email || 'there'}}!", "Hi there!");
    assert_expands("Hi {{ contact.email||\"friend\" }}!", "Hi friend!");
    assert_expands("{{contact.custom_attribute.blank || 'none'}}", "none");
    assert_expands("{{contact.custom_attribute.missing || 'n/a'}}", "n/a");
}

static void test_template__fallback_is_ignored_when_there_is_a_value(void **state)
{
    assert_expands("Hi {{contact.first_name || 'there'}}", "Hi Maria");
}

static void test_template__fallback_may_be_empty_or_hold_quotes_of_the_other_kind(void **state)
{
    assert_expands("[{{contact.email || ''}}]", "[]");
    assert_expands("{{contact.email || \"it's you\"}}", "it's you");
}

static void test_template__fallback_covers_a_missing_assignee(void **state)
{
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = NULL};
    char *out = expand_ok("-- {{agent.first_name || 'the team'}}", &vars);
    assert_string_equal(out, "-- the team");
    free(out);
}

static void test_template__a_fallback_alone_is_not_a_variable(void **state)
{
    assert_fails("{{ || 'there' }}", "unknown variable {{|| 'there'}}");
}

static void test_template__malformed_fallbacks_are_errors(void **state)
{
    assert_fails("{{contact.email || there}}", "unknown variable {{contact.email || there}}");
    assert_fails("{{contact.email || 'there}}", "unknown variable {{contact.email || 'there}}");
    assert_fails("{{contact.email | 'x'}}", "unknown variable {{contact.email | 'x'}}");
    assert_fails("{{contact.email || 'a' 'b'}}", "unknown variable {{contact.email || 'a' 'b'}}");
}

/* ---- errors ---- */

static void test_template__unknown_variable_is_named(void **state)
{
    assert_fails("Hi {{contact.nmae}}", "unknown variable {{contact.nmae}}");
    assert_fails("{{ contact.nmae || 'x' }}", "unknown variable {{contact.nmae}}");
    assert_fails("{{name}}", "unknown variable {{name}}");
    assert_fails("{{Contact.Name}}", "unknown variable {{Contact.Name}}");
    assert_fails("{{contact.phone_number}}", "unknown variable {{contact.phone_number}}");
    assert_fails("{{conversation.display_id}}", "unknown variable {{conversation.display_id}}");
    assert_fails("{{agent.id}}", "unknown variable {{agent.id}}");
    assert_fails("{{contact.custom_attribute.}}", "unknown variable {{contact.custom_attribute.}}");
    assert_fails("{{contact.custom_attribute}}", "unknown variable {{contact.custom_attribute}}");
    assert_fails("{{}}", "unknown variable {{}}");
    assert_fails("{{ hello world }}", "unknown variable {{hello world}}");
}

static void test_template__the_first_bad_variable_is_reported(void **state)
{
    assert_fails("{{contact.name}} {{a.b}} {{c.d}}", "unknown variable {{a.b}}");
}

static void test_template__empty_value_without_fallback_is_an_error(void **state)
{
    assert_fails("{{contact.email}}", "{{contact.email}} is empty for this contact");
    assert_fails("{{ contact.email }}", "{{contact.email}} is empty for this contact");
    assert_fails("{{contact.custom_attribute.blank}}",
                 "{{contact.custom_attribute.blank}} is empty for this contact");
    assert_fails("{{conversation.custom_attribute.nope}}",
                 "{{conversation.custom_attribute.nope}} is empty for this conversation");
}

static void test_template__blank_values_count_as_empty(void **state)
{
    struct conversation c = fixture();
    c.contact.name = "   ";
    struct template_vars vars = {.conv = &c, .agent = &sam};
    assert_fails_with("{{contact.name}}", &vars, "{{contact.name}} is empty for this contact");
    assert_fails_with("{{contact.first_name}}", &vars,
                      "{{contact.first_name}} is empty for this contact");
}

static void test_template__one_word_names_have_no_last_name(void **state)
{
    struct conversation c = fixture();
    c.contact.name = "Cher";
    struct template_vars vars = {.conv = &c, .agent = &sam};
    char *out = expand_ok("{{contact.first_name}}", &vars);
    assert_string_equal(out, "Cher");
    free(out);
    assert_fails_with("{{contact.last_name}}", &vars,
                      "{{contact.last_name}} is empty for this contact");
}

static void test_template__agent_variables_need_an_assignee(void **state)
{
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = NULL};
    assert_fails_with("{{agent.name}}", &vars,
                      "{{agent.name}} is empty: the conversation has no assignee");
    struct agent noemail = {.id = 5, .name = "Sam", .email = ""};
    vars.agent = &noemail;
    assert_fails_with("{{agent.email}}", &vars, "{{agent.email}} is empty for this agent");
    assert_fails_with("{{agent.last_name}}", &vars, "{{agent.last_name}} is empty for this agent");
}

static void test_template__no_conversation_empties_contact_variables(void **state)
{
    struct template_vars vars = {.conv = NULL, .agent = &sam};
    assert_fails_with("{{contact.name}}", &vars,
                      "{{contact.name}} is empty: no conversation is open");
    assert_fails_with("{{conversation.id}}", &vars,
                      "{{conversation.id}} is empty: no conversation is open");
    assert_fails_with("{{contact.nmae}}", &vars, "unknown variable {{contact.nmae}}");
    char *err;
    char *out = template_expand("{{agent.name}} {{contact.name || 'you'}}", &vars, &err);
    assert_string_equal(out, "Sam Jones you");
    free(out);
    out = template_expand("{{agent.first_name}}", NULL, &err);
    assert_null(out);
    assert_string_equal(err, "{{agent.first_name}} is empty: the conversation has no assignee");
    free(err);
}

static void test_template__long_unknown_text_is_cut_in_the_message(void **state)
{
    char text[300] = "{{";
    for (int i = 0; i < 100; i++)
        strcat(text, "é");
    strcat(text, "}}");
    char *err;
    char *out = template_expand(text, NULL, &err);
    assert_null(out);
    assert_true(strlen(err) < 120);
    assert_non_null(strstr(err, "…}}"));
    assert_true(text_valid_utf8(err, strlen(err))); /* never cut inside a character */
    free(err);
}

/* ---- literal braces ---- */

static void test_template__lone_open_braces_are_text(void **state)
{
    assert_expands("a {{ b", "a {{ b");
    assert_expands("{{", "{{");
    assert_expands("{{contact.name", "{{contact.name");
    assert_expands("}} {{contact.first_name}} }}", "}} Maria }}");
    assert_expands("{{contact.first_name}} {{", "Maria {{");
}

static void test_template__nested_braces_close_the_innermost(void **state)
{
    assert_expands("{{{contact.first_name}}}", "{Maria}");
    assert_expands("{{ {{contact.first_name}} }}", "{{ Maria }}");
    assert_expands("{{ a {{contact.first_name}}", "{{ a Maria");
    assert_expands("{{{{{{contact.id}}", "{{{{98");
}

static void test_template__has_vars(void **state)
{
    assert_true(template_has_vars("Hi {{contact.name}}"));
    assert_true(template_has_vars("{{x}}"));
    assert_false(template_has_vars("Hi there"));
    assert_false(template_has_vars("a {{ b"));
    assert_false(template_has_vars("}} {{"));
    assert_false(template_has_vars(""));
    assert_false(template_has_vars(NULL));
}

/* ---- bounds ---- */

static char *repeat(const char *s, int n)
{
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < n; i++)
        buf_adds(&b, s);
    return buf_detach(&b);
}

static void test_template__ten_thousand_variables_expand_within_the_bound(void **state)
{
    char *text = repeat("{{contact.id}},", 10000);
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = &sam};
    char *out = expand_ok(text, &vars);
    assert_int_equal(strlen(out), 10000 * 3);
    assert_memory_equal(out, "98,98,98,", 9);
    free(out);
    free(text);
}

static void test_template__output_over_the_bound_is_an_error(void **state)
{
    char *text = repeat("{{contact.name}}", 10000); /* 16 bytes each → 160,000 */
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c, .agent = &sam};
    char *err = NULL;
    char *out = template_expand(text, &vars, &err);
    assert_null(out);
    assert_non_null(strstr(err, "too long"));
    free(err);
    free(text);

    text = repeat("x", TEMPLATE_MAX_OUTPUT); /* exactly the bound is fine */
    out = expand_ok(text, &vars);
    assert_int_equal(strlen(out), TEMPLATE_MAX_OUTPUT);
    free(out);
    free(text);
}

static void test_template__hostile_braces_stay_linear(void **state)
{
    /* 30,000 "{{" with no "}}" must not rescan the tail each time. */
    char *text = repeat("{{", 30000);
    char *err;
    char *out = template_expand(text, NULL, &err);
    assert_non_null(out);
    assert_string_equal(out, text);
    free(out);
    free(text);
    text = repeat("{{ a", 15000);
    char *tail = xasprintf("%s{{contact.id}}", text);
    struct conversation c = fixture();
    struct template_vars vars = {.conv = &c};
    out = expand_ok(tail, &vars);
    assert_int_equal(strlen(out), strlen(text) + 2);
    free(out);
    free(tail);
    free(text);
}

/* For a conversation of the store: the contact, and the assignee as the
 * agent; no conversation leaves contact variables empty (an error). */
static void test_template__expand_for_a_stored_conversation_uses_its_assignee(void **state)
{
    (void)state;
    struct store *st = store_new();
    struct agent *a = xcalloc(1, sizeof *a);
    *a = (struct agent){7,
                        1,
                        xstrdup("Ben Ortiz"),
                        xstrdup("ben@example.com"),
                        xstrdup("agent"),
                        xstrdup("online")};
    store_set_agents(st, a, 1);
    struct conversation c = {0};
    c.id = 12;
    c.contact.name = xstrdup("Maria Gonzalez");
    c.contact.phone = xstrdup("+15550101001");
    c.contact.email = xstrdup("");
    c.contact.identifier = xstrdup("");
    c.assignee_id = 7;
    c.assignee_name = xstrdup("Ben Ortiz");
    c.team_name = xstrdup("");
    c.channel = xstrdup("");
    store_put_conv(st, &c);
    char *err = NULL;
    char *out = template_expand_for(
        "Hi {{contact.first_name}}, {{agent.first_name}} here (#{{conversation.id}})", st, 12,
        &err);
    assert_non_null(out);
    assert_string_equal(out, "Hi Maria, Ben here (#12)");
    free(out);
    assert_null(template_expand_for("Hi {{contact.name}}", st, 0, &err));
    assert_non_null(err);
    free(err);
    /* Nobody has it: the agent replying (the profile) signs, where
     * Chatwoot's dashboard would leave agent variables empty. */
    struct conversation *e = store_conv_edit(st, 12);
    e->assignee_id = 0;
    store_conv_touched(st, 12);
    out = template_expand_for("{{agent.first_name || 'the team'}}", st, 12, &err);
    assert_string_equal(out, "the team"); /* no profile yet: nobody */
    free(out);
    struct profile p = {.id = 9,
                        .name = xstrdup("chloe park"),
                        .email = xstrdup("c@example.com"),
                        .role = xstrdup("agent"),
                        .account_name = xstrdup("Bayside")};
    store_set_profile(st, &p);
    out = template_expand_for("{{agent.name}} <{{agent.email}}>", st, 12, &err);
    assert_string_equal(out, "Chloe Park <c@example.com>");
    free(out);
    store_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template__contact_variables),
        cmocka_unit_test(test_template__names_are_capitalised_word_by_word),
        cmocka_unit_test(test_template__a_name_that_is_a_phone_number_is_no_name),
        cmocka_unit_test(test_template__uses_agent),
        cmocka_unit_test(test_template__contact_email),
        cmocka_unit_test(test_template__conversation_id_is_the_display_id),
        cmocka_unit_test(test_template__agent_is_the_assignee_passed_in),
        cmocka_unit_test(test_template__custom_attributes),
        cmocka_unit_test(test_template__whitespace_inside_braces_is_allowed),
        cmocka_unit_test(test_template__text_without_variables_comes_back_unchanged),
        cmocka_unit_test(test_template__variables_can_touch_each_other),
        cmocka_unit_test(test_template__fallback_is_used_when_the_value_is_empty),
        cmocka_unit_test(test_template__fallback_is_ignored_when_there_is_a_value),
        cmocka_unit_test(test_template__fallback_may_be_empty_or_hold_quotes_of_the_other_kind),
        cmocka_unit_test(test_template__fallback_covers_a_missing_assignee),
        cmocka_unit_test(test_template__a_fallback_alone_is_not_a_variable),
        cmocka_unit_test(test_template__malformed_fallbacks_are_errors),
        cmocka_unit_test(test_template__unknown_variable_is_named),
        cmocka_unit_test(test_template__the_first_bad_variable_is_reported),
        cmocka_unit_test(test_template__empty_value_without_fallback_is_an_error),
        cmocka_unit_test(test_template__blank_values_count_as_empty),
        cmocka_unit_test(test_template__one_word_names_have_no_last_name),
        cmocka_unit_test(test_template__agent_variables_need_an_assignee),
        cmocka_unit_test(test_template__no_conversation_empties_contact_variables),
        cmocka_unit_test(test_template__long_unknown_text_is_cut_in_the_message),
        cmocka_unit_test(test_template__lone_open_braces_are_text),
        cmocka_unit_test(test_template__nested_braces_close_the_innermost),
        cmocka_unit_test(test_template__has_vars),
        cmocka_unit_test(test_template__ten_thousand_variables_expand_within_the_bound),
        cmocka_unit_test(test_template__output_over_the_bound_is_an_error),
        cmocka_unit_test(test_template__hostile_braces_stay_linear),
        cmocka_unit_test(test_template__expand_for_a_stored_conversation_uses_its_assignee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
