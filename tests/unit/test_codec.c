/* Unit tests for the codec: a record written and read back is the same
 * record (one set of keys for both ways), --json's spellings, and text
 * from a file made safe again. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/codec.h"
#include "twoway/xmalloc.h"

/* Write, print, parse, read: what a cache file or a script sees. */
static struct codec_val *through_text(struct codec_val *v)
{
    char *text = codec_text(v);
    codec_free(&v);
    struct codec_val *back = codec_parse(text, strlen(text), NULL);
    assert_non_null(back);
    free(text);
    return back;
}

static void test_codec__conversation_round_trips(void **state)
{
    (void)state;
    struct attachment att = {"image", "https://x/y.png", "png", 10};
    struct kv attr = {"plan", "gold"};
    char *labels[] = {"billing", "vip"};
    struct conversation c = {.id = 12,
                             .account_id = 1,
                             .inbox_id = 3,
                             .status = CONV_SNOOZED,
                             .priority = PRIORITY_URGENT,
                             .contact = {.id = 9,
                                         .name = "Maria Gonzalez",
                                         .phone = "+15550101001",
                                         .email = "m@x.io",
                                         .identifier = "",
                                         .opted_out = true,
                                         .opted_out_at = 1700000000,
                                         .attrs = &attr,
                                         .nattrs = 1},
                             .assignee_id = 2,
                             .assignee_name = "Ben Ortiz",
                             .team_id = 0,
                             .team_name = "",
                             .labels = labels,
                             .nlabels = 2,
                             .unread = 3,
                             .muted = false,
                             .can_reply = true,
                             .channel = "Channel::TwilioSms",
                             .created_at = 1700000001,
                             .last_activity_at = 1700000002,
                             .waiting_since = 1700000003,
                             .agent_last_seen_at = 1700000004,
                             .snoozed_until = 1700000005,
                             .has_last = true,
                             .last = {.id = 77,
                                      .conv_id = 12,
                                      .type = MSG_OUTGOING,
                                      .is_private = true,
                                      .status = MSGST_DELIVERED,
                                      .sender_kind = SENDER_AGENT,
                                      .sender_id = 2,
                                      .sender_name = "Ben Ortiz",
                                      .content = "line one\nline two",
                                      .external_error = "",
                                      .echo_id = "",
                                      .deleted = true,
                                      .created_at = 1700000002,
                                      .attachments = &att,
                                      .nattachments = 1},
                             .attrs = &attr,
                             .nattrs = 1};
    struct codec_val *v = through_text(codec_conversation(&c));
    struct conversation r;
    assert_int_equal(codec_read_conversation(v, &r), 0);
    codec_free(&v);
    assert_int_equal(r.id, 12);
    assert_int_equal(r.account_id, 1);
    assert_int_equal(r.inbox_id, 3);
    assert_int_equal(r.status, CONV_SNOOZED);
    assert_int_equal(r.priority, PRIORITY_URGENT);
    assert_int_equal(r.contact.id, 9);
    assert_string_equal(r.contact.name, "Maria Gonzalez");
    assert_string_equal(r.contact.email, "m@x.io");
    assert_true(r.contact.opted_out);
    assert_int_equal(r.contact.opted_out_at, 1700000000);
    assert_int_equal(r.contact.nattrs, 1);
    assert_string_equal(r.contact.attrs[0].key, "plan");
    assert_string_equal(r.contact.attrs[0].value, "gold");
    assert_int_equal(r.assignee_id, 2);
    assert_string_equal(r.assignee_name, "Ben Ortiz");
    assert_int_equal(r.team_id, 0);
    assert_string_equal(r.team_name, "");
    assert_int_equal(r.nlabels, 2);
    assert_string_equal(r.labels[1], "vip");
    assert_int_equal(r.unread, 3);
    assert_true(r.can_reply);
    assert_string_equal(r.channel, "Channel::TwilioSms");
    assert_int_equal(r.created_at, 1700000001);
    assert_int_equal(r.last_activity_at, 1700000002);
    assert_int_equal(r.waiting_since, 1700000003);
    assert_int_equal(r.agent_last_seen_at, 1700000004);
    assert_int_equal(r.snoozed_until, 1700000005);
    assert_true(r.has_last);
    assert_int_equal(r.last.id, 77);
    assert_int_equal(r.last.conv_id, 12);
    assert_int_equal(r.last.type, MSG_OUTGOING);
    assert_true(r.last.is_private);
    assert_int_equal(r.last.status, MSGST_DELIVERED);
    assert_int_equal(r.last.sender_kind, SENDER_AGENT);
    assert_string_equal(r.last.sender_name, "Ben Ortiz");
    assert_string_equal(r.last.content, "line one\nline two");
    assert_true(r.last.deleted);
    assert_int_equal(r.last.nattachments, 1);
    assert_string_equal(r.last.attachments[0].url, "https://x/y.png");
    assert_int_equal(r.last.attachments[0].size, 10);
    assert_int_equal(r.nattrs, 1);
    model_conversation_free(&r);
}

static void test_codec__directory_records_round_trip_by_kind(void **state)
{
    (void)state;
    struct agent a = {4, 1, "Ann Lee", "ann@x.io", "administrator", "busy"};
    struct team t = {5, "Front desk", "First line", true};
    struct label l = {6, "billing", "Money", "#ff0000"};
    struct inbox in = {7, "SMS", "Channel::Sms", "+15550100100", true};
    struct template tp = {8, "hello", "Hi {{contact.first_name}}", false};
    const void *recs[DIR__COUNT] = {[DIR_AGENTS] = &a,
                                    [DIR_TEAMS] = &t,
                                    [DIR_LABELS] = &l,
                                    [DIR_INBOXES] = &in,
                                    [DIR_TEMPLATES] = &tp};
    for (int k = 0; k < DIR__COUNT; k++) {
        struct codec_val *v = through_text(codec_dir_record((enum dir_kind)k, recs[k]));
        void *back = xcalloc(1, model_dir_size((enum dir_kind)k));
        assert_int_equal(codec_read_dir_record(v, (enum dir_kind)k, back), 0);
        assert_int_equal(((struct dir_record *)back)->id, ((const struct dir_record *)recs[k])->id);
        codec_free(&v);
        model_dir_list_free((enum dir_kind)k, back, 1);
    }
    struct codec_val *v = through_text(codec_dir_record(DIR_AGENTS, &a));
    struct agent ra;
    codec_read_dir_record(v, DIR_AGENTS, &ra);
    assert_string_equal(ra.availability, "busy");
    assert_int_equal(ra.account_id, 1);
    model_agent_free(&ra);
    codec_free(&v);
}

/* What scripts read: the spellings of man twoway, JSON OUTPUT. */
static void test_codec__json_spellings(void **state)
{
    (void)state;
    struct message m = {.id = 1,
                        .conv_id = 2,
                        .type = MSG_OUTGOING,
                        .is_private = true,
                        .sender_kind = SENDER_NONE,
                        .sender_name = "",
                        .content = "x",
                        .external_error = "",
                        .echo_id = ""};
    struct codec_val *v = codec_message(&m);
    char *text = codec_text(v);
    assert_non_null(strstr(text, "\"direction\":\"note\""));
    assert_non_null(strstr(text, "\"sender\":null"));
    assert_non_null(strstr(text, "\"error\":null"));
    assert_null(strstr(text, "echo_id")); /* only on our own replies */
    free(text);
    codec_free(&v);

    struct conversation c = {.id = 3,
                             .contact = {.name = "", .phone = "", .email = "", .identifier = ""},
                             .assignee_name = "",
                             .team_name = "",
                             .channel = ""};
    v = codec_conversation(&c);
    text = codec_text(v);
    assert_non_null(strstr(text, "\"priority\":null"));
    assert_non_null(strstr(text, "\"assignee\":null"));
    assert_non_null(strstr(text, "\"last_message\":null"));
    assert_non_null(strstr(text, "\"status\":\"open\""));
    free(text);
    codec_free(&v);

    struct template local = {0, "sig", "Best, Ann", true};
    v = codec_dir_record(DIR_TEMPLATES, &local);
    text = codec_text(v);
    assert_null(strstr(text, "\"id\"")); /* a local template has none */
    assert_non_null(strstr(text, "\"source\":\"local\""));
    free(text);
    codec_free(&v);
}

/* Text from a file is untrusted: controls, bidi overrides, wrong types,
 * unknown names and deep nesting. */
static void test_codec__hostile_text_reads_safe(void **state)
{
    (void)state;
    const char *doc = "{\"id\":5,\"status\":\"exploded\",\"priority\":7,\"labels\":[1,\"ok\"],"
                      "\"contact\":{\"name\":\"\\u001b[2Jx\",\"attributes\":{\"k\":\"\\u202ev\"}},"
                      "\"last_message\":{\"direction\":\"sideways\",\"content\":\"\\u0007bell\"},"
                      "\"unread\":\"many\",\"created_at\":\"yesterday\"}";
    struct codec_val *v = codec_parse(doc, strlen(doc), NULL);
    assert_non_null(v);
    struct conversation r;
    assert_int_equal(codec_read_conversation(v, &r), 0);
    codec_free(&v);
    assert_int_equal(r.status, CONV_OPEN);
    assert_int_equal(r.priority, PRIORITY_NONE);
    assert_string_equal(r.labels[0], "");
    assert_string_equal(r.labels[1], "ok");
    assert_null(strchr(r.contact.name, 0x1b));
    assert_null(strstr(r.contact.attrs[0].value, "\xe2\x80\xae"));
    assert_int_equal(r.last.type, MSG_INCOMING);
    assert_null(strchr(r.last.content, 0x07));
    assert_int_equal(r.unread, 0);
    assert_int_equal(r.created_at, 0);
    model_conversation_free(&r);

    /* No id: damaged, but still a whole record to free. */
    v = codec_parse("[]", 2, NULL);
    assert_int_equal(codec_read_conversation(v, &r), -1);
    assert_non_null(r.contact.name);
    model_conversation_free(&r);
    codec_free(&v);

    struct buf deep;
    buf_init(&deep);
    for (int i = 0; i < 100; i++)
        buf_addc(&deep, '[');
    for (int i = 0; i < 100; i++)
        buf_addc(&deep, ']');
    char *err = NULL;
    assert_null(codec_parse(deep.data, deep.len, &err));
    assert_non_null(err);
    free(err);
    buf_free(&deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec__conversation_round_trips),
        cmocka_unit_test(test_codec__directory_records_round_trip_by_kind),
        cmocka_unit_test(test_codec__json_spellings),
        cmocka_unit_test(test_codec__hostile_text_reads_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
