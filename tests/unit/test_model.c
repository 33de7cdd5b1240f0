/* Unit tests for model: enum names, name splitting, labels, kv, deep copies,
 * and the "waiting" rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/model.h"
#include "twoway/xmalloc.h"

/* ---- enums ---- */

static void test_model__status_names_round_trip(void **state)
{
    const enum conv_status all[] = {CONV_OPEN, CONV_PENDING, CONV_RESOLVED, CONV_SNOOZED};
    const char *names[] = {"open", "pending", "resolved", "snoozed"};
    for (size_t i = 0; i < 4; i++) {
        enum conv_status got = (enum conv_status)99;
        assert_string_equal(model_status_name(all[i]), names[i]);
        assert_int_equal(model_status_parse(names[i], &got), 0);
        assert_int_equal(got, all[i]);
    }
}

static void test_model__status_parse_rejects_unknown(void **state)
{
    enum conv_status got = CONV_SNOOZED;
    assert_int_equal(model_status_parse("closed", &got), -1);
    assert_int_equal(model_status_parse("", &got), -1);
    assert_int_equal(model_status_parse("Open", &got), -1);
    assert_int_equal(model_status_parse(NULL, &got), -1);
    assert_int_equal(got, CONV_SNOOZED); /* untouched on failure */
}

static void test_model__priority_names_round_trip(void **state)
{
    const char *names[] = {"none", "low", "medium", "high", "urgent"};
    for (int p = PRIORITY_NONE; p <= PRIORITY_URGENT; p++) {
        enum conv_priority got = (enum conv_priority)99;
        assert_string_equal(model_priority_name((enum conv_priority)p), names[p]);
        assert_int_equal(model_priority_parse(names[p], &got), 0);
        assert_int_equal(got, p);
    }
    enum conv_priority got = PRIORITY_HIGH;
    assert_int_equal(model_priority_parse("critical", &got), -1);
    assert_int_equal(got, PRIORITY_HIGH);
}

static void test_model__msg_status_names(void **state)
{
    assert_string_equal(model_msg_status_name(MSGST_SENDING), "sending");
    assert_string_equal(model_msg_status_name(MSGST_SENT), "sent");
    assert_string_equal(model_msg_status_name(MSGST_DELIVERED), "delivered");
    assert_string_equal(model_msg_status_name(MSGST_READ), "read");
    assert_string_equal(model_msg_status_name(MSGST_FAILED), "failed");
}

static void test_model__out_of_range_enum_has_a_name(void **state)
{
    assert_string_equal(model_status_name((enum conv_status)42), "unknown");
    assert_string_equal(model_priority_name((enum conv_priority)99), "unknown");
    assert_string_equal(model_msg_status_name((enum msg_status)7), "unknown");
}

/* ---- names ---- */

static void check_names(const char *name, const char *first, const char *last)
{
    char *f = model_first_name(name), *l = model_last_name(name);
    assert_string_equal(f, first);
    assert_string_equal(l, last);
    free(f);
    free(l);
}

static void test_model__two_word_name_splits(void **state)
{
    check_names("Maria Gonzalez", "Maria", "Gonzalez");
}

static void test_model__middle_words_belong_to_neither(void **state)
{
    /* Chatwoot's dashboard: first word and LAST word. */
    check_names("María José Núñez", "María", "Núñez");
    check_names("Anna van der Berg", "Anna", "Berg");
}

static void test_model__one_word_name_has_no_last_name(void **state)
{
    check_names("Cher", "Cher", "");
    check_names("  Cher  ", "Cher", "");
}

static void test_model__empty_and_blank_names(void **state)
{
    check_names("", "", "");
    check_names("   \t ", "", "");
    check_names(NULL, "", "");
}

static void test_model__extra_and_unicode_spaces_are_separators(void **state)
{
    check_names("  Ann   Lee  ", "Ann", "Lee");
    check_names("Ann\xC2\xA0Lee", "Ann", "Lee");         /* no-break space */
    check_names("山田\xE3\x80\x80太郎", "山田", "太郎"); /* ideographic space */
    check_names("Ann\xE2\x80\x83Lee", "Ann", "Lee");     /* em space */
}

static void test_model__non_latin_names(void **state)
{
    check_names("Дмитрий Иванов", "Дмитрий", "Иванов");
    check_names("محمد علي", "محمد", "علي");
    check_names("王小明", "王小明", ""); /* no spaces: all first name */
    check_names("Ngọc Trâm", "Ngọc", "Trâm");
}

static void test_model__names_keep_graphemes_whole(void **state)
{
    /* decomposed accents and an emoji with a skin tone stay on their word */
    check_names("Jose\u0301 Nun\u0303ez", "Jose\u0301", "Nun\u0303ez");
    check_names("Sam \xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD", "Sam", "\xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD");
    /* a combining mark on a space draws as a letter, so it joins the words */
    check_names("a \u0301b", "a \u0301b", "");
}

/* ---- labels and kv ---- */

static void test_model__contact_label_prefers_name_then_phone_then_id(void **state)
{
    struct contact c = {.id = 42, .name = "Ann Lee", .phone = "+15550001"};
    assert_string_equal(model_contact_label(&c), "Ann Lee");
    c.name = "";
    assert_string_equal(model_contact_label(&c), "+15550001");
    c.name = "   ";
    assert_string_equal(model_contact_label(&c), "+15550001");
    c.phone = "";
    assert_string_equal(model_contact_label(&c), "#42");
    c.name = NULL;
    c.phone = NULL;
    assert_string_equal(model_contact_label(&c), "#42");
}

static void test_model__contact_labels_by_id_live_together(void **state)
{
    struct contact a = {.id = 1, .name = "", .phone = ""};
    struct contact b = {.id = 2, .name = "", .phone = ""};
    const char *la = model_contact_label(&a);
    const char *lb = model_contact_label(&b);
    assert_string_equal(la, "#1");
    assert_string_equal(lb, "#2");
}

static void test_model__kv_get_finds_by_key(void **state)
{
    struct kv kv[] = {{"plan", "gold"}, {"city", "Lyon"}, {"plan", "second"}};
    assert_string_equal(model_kv_get(kv, 3, "city"), "Lyon");
    assert_string_equal(model_kv_get(kv, 3, "plan"), "gold"); /* first wins */
    assert_null(model_kv_get(kv, 3, "zip"));
    assert_null(model_kv_get(kv, 1, "city")); /* n bounds the search */
    assert_null(model_kv_get(NULL, 0, "city"));
    assert_null(model_kv_get(kv, 3, NULL));
}

/* ---- copies ---- */

static struct kv *make_kv(size_t n, const char *prefix)
{
    struct kv *kv = xcalloc(n, sizeof *kv);
    for (size_t i = 0; i < n; i++) {
        kv[i].key = xasprintf("%s_k%zu", prefix, i);
        kv[i].value = xasprintf("%s_v%zu", prefix, i);
    }
    return kv;
}

static void make_message(struct message *m)
{
    memset(m, 0, sizeof *m);
    m->id = 77;
    m->conv_id = 5;
    m->type = MSG_INCOMING;
    m->status = MSGST_DELIVERED;
    m->sender_kind = SENDER_CONTACT;
    m->sender_id = 9;
    m->sender_name = xstrdup("Ann");
    m->content = xstrdup("hello\nthere");
    m->external_error = xstrdup("");
    m->echo_id = xstrdup("e-1");
    m->created_at = 1700000000;
    m->nattachments = 2;
    m->attachments = xcalloc(2, sizeof *m->attachments);
    for (size_t i = 0; i < 2; i++) {
        m->attachments[i].file_type = xstrdup("image");
        m->attachments[i].url = xasprintf("https://x/%zu.png", i);
        m->attachments[i].extension = xstrdup("png");
        m->attachments[i].size = 1000 + (int64_t)i;
    }
}

static void make_conversation(struct conversation *c)
{
    memset(c, 0, sizeof *c);
    c->id = 5;
    c->account_id = 1;
    c->inbox_id = 2;
    c->status = CONV_PENDING;
    c->priority = PRIORITY_HIGH;
    c->contact.id = 9;
    c->contact.name = xstrdup("Ann Lee");
    c->contact.phone = xstrdup("+15550001");
    c->contact.email = xstrdup("ann@example.com");
    c->contact.identifier = xstrdup("");
    c->contact.opted_out = true;
    c->contact.attrs = make_kv(2, "contact");
    c->contact.nattrs = 2;
    c->assignee_id = 3;
    c->assignee_name = xstrdup("Ben");
    c->team_name = xstrdup("");
    c->nlabels = 2;
    c->labels = xcalloc(2, sizeof *c->labels);
    c->labels[0] = xstrdup("billing");
    c->labels[1] = xstrdup("vip");
    c->unread = 3;
    c->channel = xstrdup("Channel::TwilioSms");
    c->updated_at = 1700000000.25;
    c->has_last = true;
    make_message(&c->last);
    c->attrs = make_kv(1, "conv");
    c->nattrs = 1;
}

static void test_model__message_copy_is_deep(void **state)
{
    struct message a, b;
    make_message(&a);
    model_message_copy(&b, &a);
    assert_ptr_not_equal(a.content, b.content);
    assert_ptr_not_equal(a.attachments, b.attachments);
    assert_ptr_not_equal(a.attachments[1].url, b.attachments[1].url);
    assert_int_equal(b.id, 77);
    assert_int_equal(b.nattachments, 2);
    assert_int_equal(b.attachments[1].size, 1001);
    model_message_free(&a); /* the copy must survive its source */
    assert_string_equal(b.content, "hello\nthere");
    assert_string_equal(b.echo_id, "e-1");
    assert_string_equal(b.attachments[1].url, "https://x/1.png");
    model_message_free(&b);
    assert_null(b.content);
    assert_int_equal(b.nattachments, 0);
}

static void test_model__conversation_copy_is_deep(void **state)
{
    struct conversation a, b;
    make_conversation(&a);
    model_conversation_copy(&b, &a);
    /* editing the copy leaves the original alone */
    b.labels[0][0] = 'X';
    b.contact.attrs[0].value[0] = 'X';
    b.last.content[0] = 'X';
    assert_string_equal(a.labels[0], "billing");
    assert_string_equal(a.contact.attrs[0].value, "contact_v0");
    assert_string_equal(a.last.content, "hello\nthere");
    model_conversation_free(&a);
    assert_string_equal(b.contact.name, "Ann Lee");
    assert_string_equal(b.contact.email, "ann@example.com");
    assert_true(b.contact.opted_out);
    assert_string_equal(b.assignee_name, "Ben");
    assert_string_equal(b.labels[1], "vip");
    assert_int_equal(b.nlabels, 2);
    assert_string_equal(b.channel, "Channel::TwilioSms");
    assert_string_equal(b.attrs[0].key, "conv_k0");
    assert_string_equal(b.last.attachments[0].file_type, "image");
    assert_true(b.updated_at == 1700000000.25);
    assert_int_equal(b.priority, PRIORITY_HIGH);
    model_conversation_free(&b);
}

static void test_model__copy_of_zeroed_record_is_zeroed(void **state)
{
    struct conversation a = {0}, b;
    memset(&b, 0xAB, sizeof b);
    model_conversation_copy(&b, &a);
    assert_null(b.contact.name);
    assert_null(b.labels);
    assert_int_equal(b.nlabels, 0);
    assert_null(b.last.attachments);
    model_conversation_free(&b);
    model_conversation_free(&b); /* free zeroes, so twice is harmless */
}

static void test_model__contact_copy_is_deep(void **state)
{
    struct contact a = {0}, b;
    a.id = 4;
    a.name = xstrdup("Zoë");
    a.phone = xstrdup("+331");
    a.email = xstrdup("");
    a.identifier = xstrdup("ext-4");
    a.opted_out_at = 1234;
    a.attrs = make_kv(3, "a");
    a.nattrs = 3;
    model_contact_copy(&b, &a);
    model_contact_free(&a);
    assert_string_equal(b.name, "Zoë");
    assert_string_equal(b.identifier, "ext-4");
    assert_int_equal(b.opted_out_at, 1234);
    assert_int_equal(b.nattrs, 3);
    assert_string_equal(model_kv_get(b.attrs, b.nattrs, "a_k2"), "a_v2");
    model_contact_free(&b);
}

static void test_model__directory_frees_release_everything(void **state)
{
    /* run under ASan: a missed field shows as a leak */
    struct agent ag = {1, 1, xstrdup("Ann"), xstrdup("a@x"), xstrdup("agent"), xstrdup("online")};
    struct team tm = {2, xstrdup("Billing"), xstrdup("money"), true};
    struct label lb = {3, xstrdup("vip"), xstrdup("big"), xstrdup("#ff0000")};
    struct inbox ib = {4, xstrdup("SMS"), xstrdup("Channel::TwilioSms"), xstrdup("+1"), true};
    struct template tp = {5, xstrdup("hi"), xstrdup("Hello {{name}}"), false};
    struct profile pf = {
        6, 1, xstrdup("Ann"), xstrdup("a@x"), xstrdup("administrator"), xstrdup("Acme"), NULL};
    model_agent_free(&ag);
    model_team_free(&tm);
    model_label_free(&lb);
    model_inbox_free(&ib);
    model_template_free(&tp);
    model_profile_free(&pf);
    assert_null(ag.name);
    assert_null(tm.name);
    assert_null(lb.title);
    assert_null(ib.name);
    assert_null(tp.content);
    assert_null(pf.account_name);
    model_agent_free(NULL);
    model_kv_free(NULL, 3);
}

/* ---- waiting ---- */

static void test_model__waiting_since_means_waiting(void **state)
{
    struct conversation c = {0};
    assert_false(model_conversation_waiting(&c));
    c.waiting_since = 1700000000;
    assert_true(model_conversation_waiting(&c));
    c.has_last = true;
    c.last.type = MSG_OUTGOING; /* waiting_since wins over the last message */
    assert_true(model_conversation_waiting(&c));
}

static void test_model__last_incoming_message_means_waiting(void **state)
{
    struct conversation c = {0};
    c.has_last = true;
    c.last.type = MSG_INCOMING;
    assert_true(model_conversation_waiting(&c));
    c.last.type = MSG_OUTGOING;
    assert_false(model_conversation_waiting(&c));
    c.last.type = MSG_ACTIVITY;
    assert_false(model_conversation_waiting(&c));
    c.last.type = MSG_INCOMING;
    c.has_last = false; /* a zeroed last message (type 0 = incoming) is not one */
    assert_false(model_conversation_waiting(&c));
    assert_false(model_conversation_waiting(NULL));
}

static void test_model__opted_out_contact_is_not_waiting(void **state)
{
    struct conversation c = {0};
    c.waiting_since = 1700000000;
    c.contact.opted_out = true;
    assert_false(model_conversation_waiting(&c));
}

static void test_model__stop_or_help_last_is_not_waiting(void **state)
{
    struct conversation c = {0};
    c.waiting_since = 1700000000;
    c.has_last = true;
    c.last.type = MSG_INCOMING;
    const char *answered[] = {"STOP", " help ", "Info", "unsubscribe", "Cancel"};
    for (size_t i = 0; i < sizeof answered / sizeof answered[0]; i++) {
        c.last.content = (char *)answered[i];
        assert_false(model_conversation_waiting(&c));
    }
    /* START and YES may be an answer to a question: a human looks. */
    const char *open[] = {"yes", "START", "help me please", "stop by at 3?", ""};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
        c.last.content = (char *)open[i];
        assert_true(model_conversation_waiting(&c));
    }
    /* A colleague's note that says "help" is no keyword from the customer. */
    c.last.content = "help";
    c.last.is_private = true;
    assert_true(model_conversation_waiting(&c));
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model__status_names_round_trip),
        cmocka_unit_test(test_model__status_parse_rejects_unknown),
        cmocka_unit_test(test_model__priority_names_round_trip),
        cmocka_unit_test(test_model__msg_status_names),
        cmocka_unit_test(test_model__out_of_range_enum_has_a_name),
        cmocka_unit_test(test_model__two_word_name_splits),
        cmocka_unit_test(test_model__middle_words_belong_to_neither),
        cmocka_unit_test(test_model__one_word_name_has_no_last_name),
        cmocka_unit_test(test_model__empty_and_blank_names),
        cmocka_unit_test(test_model__extra_and_unicode_spaces_are_separators),
        cmocka_unit_test(test_model__non_latin_names),
        cmocka_unit_test(test_model__names_keep_graphemes_whole),
        cmocka_unit_test(test_model__contact_label_prefers_name_then_phone_then_id),
        cmocka_unit_test(test_model__contact_labels_by_id_live_together),
        cmocka_unit_test(test_model__kv_get_finds_by_key),
        cmocka_unit_test(test_model__message_copy_is_deep),
        cmocka_unit_test(test_model__conversation_copy_is_deep),
        cmocka_unit_test(test_model__copy_of_zeroed_record_is_zeroed),
        cmocka_unit_test(test_model__contact_copy_is_deep),
        cmocka_unit_test(test_model__directory_frees_release_everything),
        cmocka_unit_test(test_model__waiting_since_means_waiting),
        cmocka_unit_test(test_model__last_incoming_message_means_waiting),
        cmocka_unit_test(test_model__opted_out_contact_is_not_waiting),
        cmocka_unit_test(test_model__stop_or_help_last_is_not_waiting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
