/* Unit tests for json_map: Chatwoot JSON as servers really send it (and as
 * hostile ones might) → sanitized model records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "json_map.h" /* the provider's own, private header */
#include "twoway/model.h"
#include "twoway/xmalloc.h"

#define FFFD "\xef\xbf\xbd"    /* U+FFFD */
#define SYM_ESC "\xe2\x90\x9b" /* ␛ */
#define SYM_BEL "\xe2\x90\x87" /* ␇ */
#define ELLIPSIS "\xe2\x80\xa6"

/* 2024-11-27T09:33:20Z */
#define T0 1732700000LL

/* One kind of the directory out of a document, as the driver reads it. */
static int map_dir(json_object *o, enum dir_kind k, void **items, size_t *n, char **err)
{
    struct directory d = {0};
    int rc = json_map_dir(o, k, &d, err);
    model_directory_take(&d, k, items, n);
    return rc;
}

static json_object *parse(const char *text)
{
    char *err = NULL;
    json_object *o = json_map_parse(text, strlen(text), &err);
    if (!o)
        fail_msg("parse failed: %s", err);
    return o;
}

static json_object *parse_len(const char *text, size_t len)
{
    char *err = NULL;
    json_object *o = json_map_parse(text, len, &err);
    if (!o)
        fail_msg("parse failed: %s", err);
    return o;
}

static bool has_byte(const char *s, char c)
{
    return strchr(s, c) != NULL;
}

/* ---- realistic fixtures (doc/api.md §3.2, §4.2; twowayd's renderer) ---- */

static const char CONV_FULL[] =
    "{\"meta\":{\"sender\":{\"additional_attributes\":{},\"availability_status\":\"offline\","
    "\"email\":null,\"id\":12,\"name\":\"Maria Gonzalez\",\"phone_number\":\"+15551234567\","
    "\"blocked\":false,\"identifier\":null,\"thumbnail\":\"\","
    "\"custom_attributes\":{\"sms_opt_out\":false,\"plan\":\"gold\"},"
    "\"last_activity_at\":1732700000,\"created_at\":1732600000,\"type\":\"contact\"},"
    "\"channel\":\"Channel::TwilioSms\","
    "\"assignee\":{\"id\":3,\"account_id\":1,\"name\":\"Jane Doe\",\"available_name\":\"Jane\","
    "\"email\":\"jane@example.com\",\"role\":\"agent\",\"availability_status\":\"online\"},"
    "\"team\":{\"id\":2,\"name\":\"Billing\",\"description\":\"\",\"is_member\":true},"
    "\"hmac_verified\":false},"
    "\"id\":41,\"messages\":[{\"id\":900,\"content\":\"older one\",\"message_type\":0,"
    "\"created_at\":1732699000,\"conversation_id\":41}],"
    "\"account_id\":1,\"uuid\":\"7c2f\",\"additional_attributes\":{},"
    "\"agent_last_seen_at\":1732690000,\"assignee_last_seen_at\":0,\"can_reply\":false,"
    "\"contact_last_seen_at\":0,\"custom_attributes\":{\"order\":\"A-17\"},\"inbox_id\":5,"
    "\"labels\":[\"billing\",\"vip\"],\"muted\":true,"
    "\"snoozed_until\":\"2024-11-28T09:00:00.000Z\",\"status\":\"snoozed\","
    "\"created_at\":1732600000,\"updated_at\":1732700000.625,\"timestamp\":1732700000,"
    "\"first_reply_created_at\":0,\"unread_count\":3,"
    "\"last_non_activity_message\":{\"id\":901,\"content\":\"Is my order shipped?\\nThanks\","
    "\"inbox_id\":5,\"conversation_id\":41,\"message_type\":0,\"created_at\":1732700000,"
    "\"private\":false,\"status\":\"sent\",\"content_attributes\":{},"
    "\"sender\":{\"id\":12,\"name\":\"Maria Gonzalez\",\"type\":\"contact\"}},"
    "\"last_activity_at\":1732700000,\"priority\":\"high\",\"waiting_since\":1732699500,"
    "\"sla_policy_id\":null}";

static void test_json_map__conversation_full_record(void **state)
{
    (void)state;
    json_object *o = parse(CONV_FULL);
    struct conversation c;
    char *err = NULL;
    assert_int_equal(json_map_conversation(o, &c, &err), 0);
    assert_int_equal(c.id, 41);
    assert_int_equal(c.account_id, 1);
    assert_int_equal(c.inbox_id, 5);
    assert_int_equal(c.status, CONV_SNOOZED);
    assert_int_equal(c.priority, PRIORITY_HIGH);
    assert_int_equal(c.contact.id, 12);
    assert_string_equal(c.contact.name, "Maria Gonzalez");
    assert_string_equal(c.contact.phone, "+15551234567");
    assert_string_equal(c.contact.email, "");
    assert_string_equal(c.contact.identifier, "");
    assert_false(c.contact.opted_out);
    assert_int_equal(c.assignee_id, 3);
    assert_string_equal(c.assignee_name, "Jane");
    assert_int_equal(c.team_id, 2);
    assert_string_equal(c.team_name, "Billing");
    assert_int_equal(c.nlabels, 2);
    assert_string_equal(c.labels[0], "billing");
    assert_string_equal(c.labels[1], "vip");
    assert_int_equal(c.unread, 3);
    assert_true(c.muted);
    assert_false(c.can_reply);
    assert_string_equal(c.channel, "Channel::TwilioSms");
    assert_int_equal(c.created_at, 1732600000);
    assert_int_equal(c.last_activity_at, T0);
    assert_int_equal(c.waiting_since, 1732699500);
    assert_int_equal(c.agent_last_seen_at, 1732690000);
    assert_int_equal(c.snoozed_until, 1732784400); /* 2024-11-28T09:00:00Z */
    assert_true(c.updated_at > 1732700000.6 && c.updated_at < 1732700000.7);
    /* last_non_activity_message wins over messages[0] */
    assert_true(c.has_last);
    assert_int_equal(c.last.id, 901);
    assert_int_equal(c.last.conv_id, 41);
    assert_string_equal(c.last.content, "Is my order shipped?\nThanks");
    assert_int_equal(c.last.type, MSG_INCOMING);
    assert_int_equal(c.last.sender_kind, SENDER_CONTACT);
    assert_int_equal(c.nattrs, 1);
    assert_string_equal(c.attrs[0].key, "order");
    assert_string_equal(c.attrs[0].value, "A-17");
    model_conversation_free(&c);
    json_object_put(o);
}

static void test_json_map__conversation_minimal_gets_neutral_defaults(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":7}");
    struct conversation c;
    assert_int_equal(json_map_conversation(o, &c, NULL), 0);
    assert_int_equal(c.id, 7);
    assert_int_equal(c.status, CONV_OPEN);
    assert_int_equal(c.priority, PRIORITY_NONE);
    assert_int_equal(c.assignee_id, 0);
    assert_string_equal(c.assignee_name, "");
    assert_int_equal(c.team_id, 0);
    assert_string_equal(c.team_name, "");
    assert_int_equal(c.nlabels, 0);
    assert_false(c.has_last);
    assert_true(c.can_reply);
    assert_int_equal(c.unread, 0);
    assert_int_equal(c.contact.id, 0);
    assert_string_equal(c.contact.name, "");
    assert_string_equal(c.channel, "");
    assert_int_equal(c.snoozed_until, 0);
    assert_true(c.updated_at == 0);
    model_conversation_free(&c);
    json_object_put(o);
}

static void test_json_map__conversation_nulls_and_fallback_to_messages0(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":8,\"priority\":null,\"snoozed_until\":null,"
                           "\"meta\":{\"assignee\":null,\"team\":null,\"sender\":null},"
                           "\"labels\":null,\"unread_count\":null,\"waiting_since\":0,"
                           "\"last_non_activity_message\":null,"
                           "\"messages\":[{\"id\":55,\"content\":null,\"message_type\":1,"
                           "\"created_at\":1732700000}],\"timestamp\":1732700001}");
    struct conversation c;
    assert_int_equal(json_map_conversation(o, &c, NULL), 0);
    assert_int_equal(c.priority, PRIORITY_NONE);
    assert_int_equal(c.snoozed_until, 0);
    assert_int_equal(c.assignee_id, 0);
    assert_int_equal(c.team_id, 0);
    assert_int_equal(c.waiting_since, 0);
    assert_true(c.has_last);
    assert_int_equal(c.last.id, 55);
    assert_int_equal(c.last.conv_id, 8); /* taken from the conversation */
    assert_string_equal(c.last.content, "");
    assert_int_equal(c.last.type, MSG_OUTGOING);
    assert_int_equal(c.last.sender_kind, SENDER_NONE);
    /* timestamp stands in for a missing last_activity_at */
    assert_int_equal(c.last_activity_at, 1732700001);
    model_conversation_free(&c);
    json_object_put(o);
}

static void test_json_map__conversation_wrong_types_never_crash(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":\"42\",\"labels\":\"billing\",\"messages\":{\"id\":1},"
                           "\"unread_count\":\"4\",\"status\":5,\"priority\":[\"high\"],"
                           "\"meta\":\"sender\",\"inbox_id\":3.0,\"muted\":\"true\","
                           "\"custom_attributes\":[1,2],\"can_reply\":null,"
                           "\"last_non_activity_message\":\"hello\","
                           "\"waiting_since\":\"soon\",\"created_at\":{}}");
    struct conversation c;
    assert_int_equal(json_map_conversation(o, &c, NULL), 0);
    assert_int_equal(c.id, 42);
    assert_int_equal(c.nlabels, 0);
    assert_false(c.has_last);
    assert_int_equal(c.unread, 4);
    assert_int_equal(c.status, CONV_OPEN);
    assert_int_equal(c.priority, PRIORITY_NONE);
    assert_int_equal(c.inbox_id, 3);
    assert_true(c.muted);
    assert_int_equal(c.nattrs, 0);
    assert_true(c.can_reply);
    assert_int_equal(c.waiting_since, 0);
    assert_int_equal(c.created_at, 0);
    assert_string_equal(c.contact.name, "");
    model_conversation_free(&c);
    json_object_put(o);
}

static void test_json_map__conversation_labels_skip_non_strings(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":9,\"labels\":[1,\"vip\",null,{},[\"x\"],\"new\\nline\"],"
                           "\"unread_count\":-5}");
    struct conversation c;
    assert_int_equal(json_map_conversation(o, &c, NULL), 0);
    assert_int_equal(c.nlabels, 2);
    assert_string_equal(c.labels[0], "vip");
    assert_string_equal(c.labels[1], "new line"); /* single-line */
    assert_int_equal(c.unread, 0);
    model_conversation_free(&c);
    json_object_put(o);
}

static void test_json_map__record_without_id_is_an_error_and_safe_to_free(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{}",         "{\"id\":null}", "{\"id\":\"abc\"}", "{\"id\":-3}",
        "{\"id\":0}", "[1,2]",         "\"41\"",           "41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object *o = parse(bad[i]);
        char *err = NULL;
        struct conversation c;
        assert_int_equal(json_map_conversation(o, &c, &err), -1);
        assert_non_null(err);
        assert_string_equal(c.assignee_name, "");
        model_conversation_free(&c);
        free(err);
        err = NULL;
        struct message m;
        assert_int_equal(json_map_message(o, &m, &err), -1);
        assert_non_null(err);
        assert_string_equal(m.content, "");
        model_message_free(&m);
        free(err);
        err = NULL;
        struct contact ct;
        assert_int_equal(json_map_contact(o, &ct, &err), -1);
        model_contact_free(&ct);
        free(err);
        err = NULL;
        struct agent a;
        assert_int_equal(json_map_agent(o, &a, &err), -1);
        model_agent_free(&a);
        free(err);
        err = NULL;
        struct team t;
        assert_int_equal(json_map_team(o, &t, &err), -1);
        model_team_free(&t);
        free(err);
        err = NULL;
        struct profile p;
        assert_int_equal(json_map_profile(o, &p, &err), -1);
        model_profile_free(&p);
        free(err);
        json_object_put(o);
    }
    /* NULL in, too */
    struct conversation c;
    assert_int_equal(json_map_conversation(NULL, &c, NULL), -1);
    model_conversation_free(&c);
}

/* ---- times ---- */

static int64_t time_of(const char *json)
{
    json_object *o = parse(json);
    json_object *v = NULL;
    json_object_object_get_ex(o, "t", &v);
    int64_t t = json_map_time(v);
    json_object_put(o);
    return t;
}

static void test_json_map__time_accepts_every_chatwoot_form(void **state)
{
    (void)state;
    assert_int_equal(time_of("{\"t\":1732700000}"), T0);
    assert_int_equal(time_of("{\"t\":1732700000.75}"), T0);
    assert_int_equal(time_of("{\"t\":\"1732700000\"}"), T0);
    assert_int_equal(time_of("{\"t\":\"1732700000.5\"}"), T0);
    assert_int_equal(time_of("{\"t\":\"2024-11-27T09:33:20Z\"}"), T0);
    assert_int_equal(time_of("{\"t\":\"2024-11-27T09:33:20.123Z\"}"), T0);
    assert_int_equal(time_of("{\"t\":\"2024-11-27T11:33:20+02:00\"}"), T0);
    assert_int_equal(time_of("{\"t\":\"2024-11-27T11:33:20.999999+02:00\"}"), T0);
    assert_int_equal(time_of("{\"t\":\"2024-11-27 09:33:20 UTC\"}"), T0);
}

static void test_json_map__time_null_zero_and_garbage_are_zero(void **state)
{
    (void)state;
    assert_int_equal(time_of("{\"t\":null}"), 0);
    assert_int_equal(time_of("{}"), 0);
    assert_int_equal(time_of("{\"t\":0}"), 0);
    assert_int_equal(time_of("{\"t\":-5}"), 0);
    assert_int_equal(time_of("{\"t\":\"\"}"), 0);
    assert_int_equal(time_of("{\"t\":\"yesterday\"}"), 0);
    assert_int_equal(time_of("{\"t\":\"2024-13-45T99:00:00Z\"}"), 0);
    assert_int_equal(time_of("{\"t\":\"12abc\"}"), 0);
    assert_int_equal(time_of("{\"t\":true}"), 0);
    assert_int_equal(time_of("{\"t\":{\"a\":1}}"), 0);
    assert_int_equal(time_of("{\"t\":[1732700000]}"), 0);
    assert_int_equal(time_of("{\"t\":1e300}"), 0);
    assert_int_equal(time_of("{\"t\":99999999999999999}"), 0);
    assert_int_equal(json_map_time(NULL), 0);
}

/* ---- messages ---- */

static void test_json_map__message_full_record(void **state)
{
    (void)state;
    json_object *o = parse(
        "{\"id\":1001,\"content\":\"Your code is 1234\",\"inbox_id\":5,\"conversation_id\":41,"
        "\"message_type\":1,\"content_type\":\"text\",\"status\":\"failed\",\"private\":false,"
        "\"source_id\":\"SM123\",\"created_at\":1732700000,\"echo_id\":\"tw-abc-1\","
        "\"content_attributes\":{\"external_error\":\"30007: Carrier\\nviolation\"},"
        "\"sender\":{\"id\":3,\"name\":\"Jane Doe\",\"available_name\":\"Jane\","
        "\"avatar_url\":\"\",\"type\":\"user\"},"
        "\"attachments\":[{\"id\":1,\"message_id\":1001,\"file_type\":\"image\","
        "\"extension\":\"png\",\"data_url\":\"https://x.example/a.png\",\"file_size\":2048},"
        "{\"id\":2,\"file_type\":3,\"extension\":null,\"data_url\":\"https://x.example/b\","
        "\"file_size\":\"77\"},\"junk\",{\"file_type\":\"audio\",\"file_size\":-1}]}");
    struct message m;
    assert_int_equal(json_map_message(o, &m, NULL), 0);
    assert_int_equal(m.id, 1001);
    assert_int_equal(m.conv_id, 41);
    assert_int_equal(m.type, MSG_OUTGOING);
    assert_int_equal(m.status, MSGST_FAILED);
    assert_false(m.is_private);
    assert_string_equal(m.content, "Your code is 1234");
    assert_string_equal(m.external_error, "30007: Carrier violation");
    assert_false(m.deleted);
    assert_string_equal(m.echo_id, "tw-abc-1");
    assert_int_equal(m.created_at, T0);
    assert_int_equal(m.sender_kind, SENDER_AGENT);
    assert_int_equal(m.sender_id, 3);
    assert_string_equal(m.sender_name, "Jane");
    assert_int_equal(m.nattachments, 3);
    assert_string_equal(m.attachments[0].file_type, "image");
    assert_string_equal(m.attachments[0].url, "https://x.example/a.png");
    assert_string_equal(m.attachments[0].extension, "png");
    assert_int_equal(m.attachments[0].size, 2048);
    assert_string_equal(m.attachments[1].file_type, "file"); /* old enum index */
    assert_string_equal(m.attachments[1].extension, "");
    assert_int_equal(m.attachments[1].size, 77);
    assert_string_equal(m.attachments[2].file_type, "audio");
    assert_string_equal(m.attachments[2].url, "");
    assert_int_equal(m.attachments[2].size, 0);
    model_message_free(&m);
    json_object_put(o);
}

static struct message map_msg(const char *json)
{
    json_object *o = parse(json);
    struct message m;
    if (json_map_message(o, &m, NULL) < 0)
        fail_msg("message did not map: %s", json);
    json_object_put(o);
    return m;
}

static void test_json_map__message_types_statuses_and_senders(void **state)
{
    (void)state;
    struct message m = map_msg("{\"id\":1,\"message_type\":\"incoming\",\"status\":\"delivered\","
                               "\"sender\":{\"id\":12,\"name\":\"Maria\",\"type\":\"contact\"}}");
    assert_int_equal(m.type, MSG_INCOMING);
    assert_int_equal(m.status, MSGST_DELIVERED);
    assert_int_equal(m.sender_kind, SENDER_CONTACT);
    assert_string_equal(m.sender_name, "Maria");
    model_message_free(&m);

    m = map_msg("{\"id\":2,\"message_type\":\"template\",\"status\":\"read\","
                "\"sender\":{\"id\":4,\"name\":\"Bot\",\"type\":\"agent_bot\"}}");
    assert_int_equal(m.type, MSG_TEMPLATE);
    assert_int_equal(m.status, MSGST_READ);
    assert_int_equal(m.sender_kind, SENDER_BOT);
    model_message_free(&m);

    m = map_msg("{\"id\":3,\"message_type\":2,\"status\":\"progress\",\"content\":\"Resolved\"}");
    assert_int_equal(m.type, MSG_ACTIVITY);
    assert_int_equal(m.status, MSGST_SENT); /* unknown → sent */
    assert_int_equal(m.sender_kind, SENDER_NONE);
    assert_string_equal(m.sender_name, "");
    model_message_free(&m);

    m = map_msg("{\"id\":4,\"message_type\":\"outgoing\",\"private\":true}");
    assert_int_equal(m.type, MSG_OUTGOING);
    assert_true(m.is_private);
    model_message_free(&m);

    m = map_msg("{\"id\":5,\"message_type\":7}");
    assert_int_equal(m.type, MSG_ACTIVITY);
    model_message_free(&m);
    m = map_msg("{\"id\":6,\"message_type\":\"0\"}");
    assert_int_equal(m.type, MSG_INCOMING);
    model_message_free(&m);
    m = map_msg("{\"id\":7,\"message_type\":\"chat\"}");
    assert_int_equal(m.type, MSG_ACTIVITY);
    model_message_free(&m);

    /* websocket copies: flat sender columns */
    m = map_msg("{\"id\":8,\"message_type\":0,\"sender_type\":\"Contact\",\"sender_id\":12}");
    assert_int_equal(m.sender_kind, SENDER_CONTACT);
    assert_int_equal(m.sender_id, 12);
    model_message_free(&m);
}

static void test_json_map__message_content_odd_values(void **state)
{
    (void)state;
    struct message m =
        map_msg("{\"id\":1,\"content\":42,\"content_attributes\":"
                "{\"deleted\":true},\"echo_id\":null,\"created_at\":\"1732700000\"}");
    assert_string_equal(m.content, "42");
    assert_true(m.deleted);
    assert_string_equal(m.echo_id, "");
    assert_int_equal(m.created_at, T0);
    model_message_free(&m);

    m = map_msg("{\"id\":2,\"content\":null,\"content_attributes\":\"x\",\"attachments\":{}}");
    assert_string_equal(m.content, "");
    assert_string_equal(m.external_error, "");
    assert_false(m.deleted);
    assert_int_equal(m.nattachments, 0);
    assert_null(m.attachments);
    model_message_free(&m);

    m = map_msg("{\"id\":3,\"content\":{\"text\":\"hi\"},\"status\":3,\"private\":\"yes\"}");
    assert_string_equal(m.content, "");
    assert_int_equal(m.status, MSGST_SENT);
    assert_false(m.is_private);
    model_message_free(&m);
}

static void test_json_map__messages_list_comes_out_ascending(void **state)
{
    (void)state;
    json_object *o = parse("{\"meta\":{\"labels\":[],\"agent_last_seen_at\":"
                           "\"2024-11-27T09:00:00.000Z\"},\"payload\":["
                           "{\"id\":12,\"created_at\":1732700300,\"content\":\"c\"},"
                           "{\"id\":10,\"created_at\":1732700100,\"content\":\"a\"},"
                           "{\"content\":\"no id\"},"
                           "{\"id\":11,\"created_at\":1732700100,\"content\":\"b\"}]}");
    struct message *ms;
    size_t n;
    assert_int_equal(json_map_messages(o, &ms, &n, NULL, NULL), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ms[0].id, 10);
    assert_int_equal(ms[1].id, 11);
    assert_int_equal(ms[2].id, 12);
    for (size_t i = 0; i < n; i++)
        model_message_free(&ms[i]);
    free(ms);
    json_object_put(o);

    o = parse("[{\"id\":1},{\"id\":2}]"); /* a bare array is fine */
    assert_int_equal(json_map_messages(o, &ms, &n, NULL, NULL), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        model_message_free(&ms[i]);
    free(ms);
    json_object_put(o);

    o = parse("{\"payload\":{\"id\":1}}");
    char *err = NULL;
    assert_int_equal(json_map_messages(o, &ms, &n, NULL, &err), -1);
    assert_null(ms);
    assert_int_equal(n, 0);
    assert_non_null(err);
    free(err);
    json_object_put(o);

    o = parse("{\"payload\":[]}");
    assert_int_equal(json_map_messages(o, &ms, &n, NULL, NULL), 0);
    assert_int_equal(n, 0);
    assert_null(ms);
    json_object_put(o);
}

/* ---- hostile strings ---- */

static void test_json_map__hostile_strings_come_out_sanitized(void **state)
{
    (void)state;
    /* ESC sequences, BEL, an RTL override, invalid UTF-8, NUL, newlines. */
    static const char json[] =
        "{\"id\":1,"
        "\"meta\":{\"sender\":{\"id\":2,\"name\":\"Eve\\u001b]0;pwned\\u0007\\u001b[2J\","
        "\"phone_number\":\"+1555\\u202egnp.exe\"},"
        "\"assignee\":{\"id\":3,\"name\":\"Mal\\nlory\"}},"
        "\"labels\":[\"red\\u001b[31m\"],"
        "\"last_non_activity_message\":{\"id\":4,"
        "\"content\":\"line1\\r\\nline2\\u0000tail \xff\xfe end\","
        "\"sender\":{\"id\":2,\"name\":\"\\u009b31m\",\"type\":\"contact\"}}}";
    json_object *o = parse_len(json, sizeof json - 1);
    struct conversation c;
    assert_int_equal(json_map_conversation(o, &c, NULL), 0);
    assert_string_equal(c.contact.name, "Eve" SYM_ESC "]0;pwned" SYM_BEL SYM_ESC "[2J");
    assert_string_equal(c.contact.phone, "+1555gnp.exe");
    assert_string_equal(c.assignee_name, "Mal lory");
    assert_string_equal(c.labels[0], "red" SYM_ESC "[31m");
    assert_string_equal(c.last.content, "line1\nline2" FFFD "tail " FFFD FFFD " end");
    assert_string_equal(c.last.sender_name, FFFD "31m");
    assert_false(has_byte(c.contact.name, '\x1b'));
    assert_false(has_byte(c.last.content, '\x07'));
    model_conversation_free(&c);
    json_object_put(o);
}

static void test_json_map__attribute_values_keep_lines_names_do_not(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":5,\"name\":\"A\\tB\\nC\",\"custom_attributes\":{"
                           "\"note\":\"one\\ntwo\",\"count\":5,\"vip\":true,\"gone\":null,"
                           "\"nested\":{\"a\":[1,2]},\"k\\u001b\":\"v\"}}");
    struct contact c;
    assert_int_equal(json_map_contact(o, &c, NULL), 0);
    assert_string_equal(c.name, "A B C");
    assert_int_equal(c.nattrs, 6);
    assert_string_equal(c.attrs[0].key, "note");
    assert_string_equal(c.attrs[0].value, "one\ntwo");
    assert_string_equal(c.attrs[1].value, "5");
    assert_string_equal(c.attrs[2].value, "true");
    assert_string_equal(c.attrs[3].value, "");
    assert_string_equal(c.attrs[4].value, "{\"a\":[1,2]}");
    assert_string_equal(c.attrs[5].key, "k" SYM_ESC);
    model_contact_free(&c);
    json_object_put(o);
}

/* ---- contacts ---- */

static void test_json_map__contact_opt_out_forms(void **state)
{
    (void)state;
    static const struct {
        const char *attrs;
        bool out;
        int64_t at;
    } cases[] = {
        {"{\"sms_opt_out\":true,\"sms_opt_out_at\":\"2024-11-27T09:33:20Z\"}", true, T0},
        {"{\"sms_opt_out\":\"true\",\"sms_opt_out_at\":\"2024-11-27T11:33:20.5+02:00\"}", true, T0},
        {"{\"sms_opt_out\":false}", false, 0},
        {"{\"sms_opt_out\":\"false\",\"sms_opt_out_at\":\"garbage\"}", false, 0},
        {"{}", false, 0},
        {"null", false, 0},
        {"\"sms_opt_out\"", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *json = xasprintf("{\"id\":9,\"custom_attributes\":%s}", cases[i].attrs);
        json_object *o = parse(json);
        struct contact c;
        assert_int_equal(json_map_contact(o, &c, NULL), 0);
        assert_int_equal(c.opted_out, cases[i].out);
        assert_int_equal(c.opted_out_at, cases[i].at);
        model_contact_free(&c);
        json_object_put(o);
        free(json);
    }
}

static void test_json_map__contacts_payload_object_or_array(void **state)
{
    (void)state;
    json_object *o = parse("{\"payload\":{\"id\":12,\"name\":\"Maria\",\"email\":\"m@x.io\","
                           "\"phone_number\":\"+15551234567\",\"identifier\":\"cust-1\","
                           "\"contact_inboxes\":[{\"source_id\":\"+15551234567\"}]}}");
    struct contact *cs;
    size_t n;
    assert_int_equal(json_map_contacts(o, &cs, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(cs[0].id, 12);
    assert_string_equal(cs[0].email, "m@x.io");
    assert_string_equal(cs[0].identifier, "cust-1");
    model_contact_free(&cs[0]);
    free(cs);
    json_object_put(o);

    o = parse("{\"meta\":{\"count\":3,\"current_page\":\"1\"},\"payload\":["
              "{\"id\":1,\"name\":\"A\"},{\"name\":\"no id\"},{\"id\":3,\"name\":\"C\","
              "\"phone_number\":15550001}]}");
    assert_int_equal(json_map_contacts(o, &cs, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(cs[0].name, "A");
    assert_string_equal(cs[1].name, "C");
    assert_string_equal(cs[1].phone, "15550001");
    for (size_t i = 0; i < n; i++)
        model_contact_free(&cs[i]);
    free(cs);
    json_object_put(o);

    char *err = NULL;
    o = parse("{\"payload\":{\"name\":\"x\"}}");
    assert_int_equal(json_map_contacts(o, &cs, &n, &err), -1);
    assert_int_equal(n, 0);
    free(err);
    json_object_put(o);
    o = parse("{\"payload\":7}");
    err = NULL;
    assert_int_equal(json_map_contacts(o, &cs, &n, &err), -1);
    free(err);
    json_object_put(o);
}

/* ---- lists and counts ---- */

static void test_json_map__conversation_list_with_counts(void **state)
{
    (void)state;
    json_object *o = parse("{\"data\":{\"meta\":{\"mine_count\":2,\"assigned_count\":5,"
                           "\"unassigned_count\":3,\"all_count\":8},\"payload\":["
                           "{\"id\":1,\"status\":\"open\"},{\"status\":\"open\"},"
                           "\"garbage\",{\"id\":2,\"status\":\"pending\"}]}}");
    struct conversation *cs;
    size_t n, skipped;
    struct conv_counts k;
    assert_int_equal(json_map_conversation_list(o, &cs, &n, &k, &skipped, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(skipped, 2);
    assert_int_equal(cs[0].id, 1);
    assert_int_equal(cs[1].status, CONV_PENDING);
    assert_int_equal(k.mine, 2);
    assert_int_equal(k.assigned, 5);
    assert_int_equal(k.unassigned, 3);
    assert_int_equal(k.all, 8);
    for (size_t i = 0; i < n; i++)
        model_conversation_free(&cs[i]);
    free(cs);
    json_object_put(o);

    /* the filter endpoint's unwrapped form; older servers lack assigned_count */
    o = parse("{\"meta\":{\"mine_count\":1,\"unassigned_count\":\"2\",\"all_count\":6},"
              "\"payload\":[{\"id\":3}]}");
    assert_int_equal(json_map_conversation_list(o, &cs, &n, &k, NULL, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(k.unassigned, 2);
    assert_int_equal(k.assigned, 4);
    model_conversation_free(&cs[0]);
    free(cs);
    json_object_put(o);

    char *err = NULL;
    o = parse("{\"data\":{\"payload\":{\"id\":1}}}");
    assert_int_equal(json_map_conversation_list(o, &cs, &n, &k, NULL, &err), -1);
    assert_non_null(err);
    assert_null(cs);
    free(err);
    json_object_put(o);
}

static void test_json_map__counts_bare_or_wrapped(void **state)
{
    (void)state;
    struct conv_counts k;
    json_object *o = parse("{\"meta\":{\"mine_count\":4,\"unassigned_count\":1,\"all_count\":9,"
                           "\"assigned_count\":8}}");
    assert_int_equal(json_map_counts(o, &k, NULL), 0);
    assert_int_equal(k.mine, 4);
    assert_int_equal(k.assigned, 8);
    json_object_put(o);
    o = parse("{\"mine_count\":1,\"unassigned_count\":0,\"all_count\":1}");
    assert_int_equal(json_map_counts(o, &k, NULL), 0);
    assert_int_equal(k.all, 1);
    assert_int_equal(k.assigned, 1);
    json_object_put(o);
    char *err = NULL;
    o = parse("{\"meta\":{}}");
    assert_int_equal(json_map_counts(o, &k, &err), -1);
    assert_non_null(err);
    free(err);
    json_object_put(o);
}

static void test_json_map__search_items_become_conversations(void **state)
{
    (void)state;
    json_object *o =
        parse("{\"meta\":{\"mine_count\":0,\"unassigned_count\":1,\"all_count\":1},\"payload\":["
              "{\"id\":41,\"created_at\":1732600000,\"account_id\":1,"
              "\"contact\":{\"id\":12,\"name\":\"Maria\\u001b\"},"
              "\"inbox\":{\"id\":5,\"name\":\"SMS\",\"channel_type\":\"Channel::TwilioSms\"},"
              "\"messages\":[{\"id\":901,\"content\":\"refund please\",\"sender_name\":\"Maria\","
              "\"message_type\":0,\"created_at\":1732700000},"
              "{\"id\":800,\"content\":\"older\",\"message_type\":0,\"created_at\":1732650000}]},"
              "{\"contact\":{\"id\":1}},"
              "{\"id\":42,\"messages\":\"none\"}]}");
    struct conversation *cs;
    size_t n;
    assert_int_equal(json_map_search_list(o, &cs, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cs[0].id, 41);
    assert_int_equal(cs[0].contact.id, 12);
    assert_string_equal(cs[0].contact.name, "Maria" SYM_ESC);
    assert_int_equal(cs[0].inbox_id, 5);
    assert_string_equal(cs[0].channel, "Channel::TwilioSms");
    assert_true(cs[0].has_last);
    assert_int_equal(cs[0].last.id, 901);
    assert_int_equal(cs[0].last.conv_id, 41);
    assert_string_equal(cs[0].last.sender_name, "Maria");
    assert_int_equal(cs[0].last.type, MSG_INCOMING);
    assert_int_equal(cs[0].last_activity_at, T0);
    assert_int_equal(cs[1].id, 42);
    assert_false(cs[1].has_last);
    for (size_t i = 0; i < n; i++)
        model_conversation_free(&cs[i]);
    free(cs);
    json_object_put(o);
}

/* ---- agents, teams, labels, titles, inboxes, templates, profile ---- */

static void test_json_map__agents_and_teams_bare_arrays(void **state)
{
    (void)state;
    json_object *o = parse("[{\"id\":3,\"account_id\":1,\"name\":\"Jane Doe\","
                           "\"available_name\":\"\",\"email\":\"jane@x.io\",\"role\":\"agent\","
                           "\"confirmed\":true,\"availability_status\":\"busy\"},"
                           "{\"id\":4,\"name\":\"Bo\",\"availability\":\"online\"},{}]");
    struct agent *as;
    size_t n;
    assert_int_equal(map_dir(o, DIR_AGENTS, (void **)&as, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(as[0].name, "Jane Doe"); /* empty available_name → name */
    assert_string_equal(as[0].email, "jane@x.io");
    assert_string_equal(as[0].role, "agent");
    assert_string_equal(as[0].availability, "busy");
    assert_int_equal(as[0].account_id, 1);
    assert_string_equal(as[1].availability, "online");
    for (size_t i = 0; i < n; i++)
        model_agent_free(&as[i]);
    free(as);
    json_object_put(o);

    o = parse("[{\"id\":2,\"name\":\"Billing\",\"description\":\"Money\",\"is_member\":true,"
              "\"allow_auto_assign\":true},{\"id\":\"5\",\"name\":null}]");
    struct team *ts;
    assert_int_equal(map_dir(o, DIR_TEAMS, (void **)&ts, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ts[0].name, "Billing");
    assert_string_equal(ts[0].description, "Money");
    assert_true(ts[0].is_member);
    assert_int_equal(ts[1].id, 5);
    assert_string_equal(ts[1].name, "");
    assert_false(ts[1].is_member);
    for (size_t i = 0; i < n; i++)
        model_team_free(&ts[i]);
    free(ts);
    json_object_put(o);

    char *err = NULL;
    o = parse("{\"agents\":[]}");
    assert_int_equal(map_dir(o, DIR_AGENTS, (void **)&as, &n, &err), -1);
    free(err);
    json_object_put(o);
}

static void test_json_map__labels_titles_inboxes_templates(void **state)
{
    (void)state;
    json_object *o = parse("{\"payload\":[{\"id\":1,\"title\":\"billing\",\"description\":"
                           "\"Money\",\"color\":\"#1f93ff\",\"show_on_sidebar\":true},"
                           "{\"id\":2,\"title\":\"vip\",\"color\":null}]}");
    struct label *ls;
    size_t n;
    assert_int_equal(map_dir(o, DIR_LABELS, (void **)&ls, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ls[0].title, "billing");
    assert_string_equal(ls[0].color, "#1f93ff");
    assert_string_equal(ls[1].color, "");
    for (size_t i = 0; i < n; i++)
        model_label_free(&ls[i]);
    free(ls);
    json_object_put(o);

    o = parse("{\"payload\":[\"billing\",7,\"vip\"]}");
    char **titles;
    assert_int_equal(json_map_titles(o, &titles, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(titles[0], "billing");
    assert_string_equal(titles[1], "vip");
    for (size_t i = 0; i < n; i++)
        free(titles[i]);
    free(titles);
    json_object_put(o);

    o = parse("{\"payload\":["
              "{\"id\":1,\"name\":\"SMS\",\"channel_type\":\"Channel::TwilioSms\","
              "\"medium\":\"sms\",\"phone_number\":\"+15550100100\"},"
              "{\"id\":2,\"name\":\"WA\",\"channel_type\":\"Channel::TwilioSms\","
              "\"medium\":\"whatsapp\",\"phone_number\":null},"
              "{\"id\":3,\"name\":\"Bandwidth\",\"channel_type\":\"Channel::Sms\"},"
              "{\"id\":4,\"name\":\"Site\",\"channel_type\":\"Channel::WebWidget\"},"
              "{\"id\":5,\"name\":\"Old Twilio\",\"channel_type\":\"Channel::TwilioSms\"}]}");
    struct inbox *ib;
    assert_int_equal(map_dir(o, DIR_INBOXES, (void **)&ib, &n, NULL), 0);
    assert_int_equal(n, 5);
    assert_true(ib[0].is_sms);
    assert_string_equal(ib[0].phone, "+15550100100");
    assert_false(ib[1].is_sms);
    assert_string_equal(ib[1].phone, "");
    assert_true(ib[2].is_sms);
    assert_false(ib[3].is_sms);
    assert_true(ib[4].is_sms);
    for (size_t i = 0; i < n; i++)
        model_inbox_free(&ib[i]);
    free(ib);
    json_object_put(o);

    o = parse("[{\"id\":1,\"account_id\":1,\"short_code\":\"hi\",\"content\":"
              "\"Hello {{contact.first_name}},\\nthanks!\",\"created_at\":"
              "\"2024-11-27T09:33:20.000Z\"},{\"short_code\":\"noid\"}]");
    struct template *ts;
    assert_int_equal(map_dir(o, DIR_TEMPLATES, (void **)&ts, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ts[0].short_code, "hi");
    assert_string_equal(ts[0].content, "Hello {{contact.first_name}},\nthanks!");
    assert_false(ts[0].local);
    model_template_free(&ts[0]);
    free(ts);
    json_object_put(o);
}

static void test_json_map__profile_takes_account_name_from_accounts(void **state)
{
    (void)state;
    json_object *o = parse(
        "{\"id\":3,\"name\":\"Jane Doe\",\"available_name\":\"Jane\",\"email\":\"jane@x.io\","
        "\"access_token\":\"secret\",\"pubsub_token\":\"p\",\"account_id\":2,"
        "\"accounts\":[{\"id\":1,\"name\":\"Other\",\"role\":\"agent\"},"
        "{\"id\":2,\"name\":\"Acme Support\",\"role\":\"administrator\",\"status\":\"active\","
        "\"active_at\":\"2024-11-27T09:33:20.000Z\"}]}");
    struct profile p;
    assert_int_equal(json_map_profile(o, &p, NULL), 0);
    assert_int_equal(p.id, 3);
    assert_int_equal(p.account_id, 2);
    assert_string_equal(p.name, "Jane");
    assert_string_equal(p.email, "jane@x.io");
    assert_string_equal(p.account_name, "Acme Support");
    assert_string_equal(p.role, "administrator"); /* from the account when absent */
    model_profile_free(&p);
    json_object_put(o);
}

/* ---- error bodies ---- */

static void assert_error_text(const char *body, int status, const char *want)
{
    char *s = json_map_error_text(body, body ? strlen(body) : 0, status);
    assert_string_equal(s, want);
    free(s);
}

static void test_json_map__error_texts(void **state)
{
    (void)state;
    assert_error_text("{\"error\":\"Invalid Access Token\"}", 401, "Invalid Access Token");
    assert_error_text("{\"message\":\"Name can't be blank, Email is invalid\","
                      "\"attributes\":[\"name\",\"email\"]}",
                      422, "Name can't be blank, Email is invalid");
    assert_error_text("{\"errors\":[\"You need to sign in or sign up before continuing.\"]}", 401,
                      "You need to sign in or sign up before continuing.");
    assert_error_text("{\"errors\":[\"first\",\"second\"]}", 422, "first; second");
    assert_error_text("{\"errors\":{\"phone_number\":[\"is invalid\"]}}", 422,
                      "phone_number is invalid");
    assert_error_text("{\"description\":\"bad\",\"errors\":[{\"field\":\"x\",\"message\":"
                      "\"wrong\"}]}",
                      400, "wrong");
    assert_error_text("Retry later\n", 429, "Retry later");
    assert_error_text("<html><body><h1>502 Bad Gateway</h1></body></html>", 502,
                      "HTTP 502: bad gateway");
    assert_error_text("", 404, "HTTP 404: not found");
    assert_error_text(NULL, 500, "HTTP 500: internal server error");
    assert_error_text("{}", 422, "HTTP 422: the server refused the request");
    assert_error_text("{\"error\":null}", 403, "HTTP 403: forbidden");
    assert_error_text("{\"error\":\"bad\\u001b[2Jthing\\nsecond line\"}", 422,
                      "bad" SYM_ESC "[2Jthing second line");
    assert_error_text("plain \x1b[31mred\x07", 400, "plain " SYM_ESC "[31mred" SYM_BEL);
}

static void test_json_map__long_error_text_is_cut(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_adds(&b, "{\"error\":\"");
    for (int i = 0; i < 500; i++)
        buf_adds(&b, "\xc3\xa9"); /* é, two bytes */
    buf_adds(&b, "\"}");
    char *s = json_map_error_text(b.data, b.len, 422);
    assert_true(strlen(s) <= 300);
    assert_true(strlen(s) > 200);
    size_t len = strlen(s);
    assert_string_equal(s + len - 3, ELLIPSIS);
    /* never cut inside a character */
    assert_string_equal(s + len - 5, "\xc3\xa9" ELLIPSIS);
    free(s);
    buf_free(&b);
}

/* ---- parsing limits ---- */

static char *nested(int depth)
{
    struct buf b;
    buf_init(&b);
    buf_adds(&b, "{\"id\":1,\"x\":");
    for (int i = 0; i < depth; i++)
        buf_adds(&b, "[");
    for (int i = 0; i < depth; i++)
        buf_adds(&b, "]");
    buf_adds(&b, "}");
    return buf_detach(&b);
}

static void test_json_map__deep_nesting_is_rejected(void **state)
{
    (void)state;
    char *deep = nested(100);
    char *err = NULL;
    assert_null(json_map_parse(deep, strlen(deep), &err));
    assert_non_null(err);
    free(err);
    free(deep);
    char *ok = nested(50);
    json_object *o = parse(ok);
    json_object_put(o);
    free(ok);
}

static void test_json_map__parse_rejects_empty_truncated_and_trailing(void **state)
{
    (void)state;
    static const char *const bad[] = {"",     "   ",       "{\"id\":1", "{\"id\":1} x",
                                      "null", "{'id':1}x", "\xff\xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err = NULL;
        assert_null(json_map_parse(bad[i], strlen(bad[i]), &err));
        assert_non_null(err);
        free(err);
    }
    assert_null(json_map_parse(NULL, 0, NULL));
    /* whitespace after the value is fine */
    json_object *o = parse("{\"id\":1}\r\n  ");
    json_object_put(o);
    /* a NUL inside the buffer ends nothing: the length rules */
    static const char with_nul[] = "{\"a\":1}\0garbage";
    char *err = NULL;
    assert_null(json_map_parse(with_nul, sizeof with_nul - 1, &err));
    free(err);
}

static void test_json_map__huge_arrays_are_bounded(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_adds(&b, "{\"id\":1,\"labels\":[");
    for (int i = 0; i < 12000; i++)
        buf_addf(&b, "%s\"l%d\"", i ? "," : "", i);
    buf_adds(&b, "]}");
    json_object *o = parse_len(b.data, b.len);
    struct conversation c;
    assert_int_equal(json_map_conversation(o, &c, NULL), 0);
    assert_int_equal(c.nlabels, 10000);
    assert_string_equal(c.labels[9999], "l9999");
    model_conversation_free(&c);
    json_object_put(o);

    buf_reset(&b);
    buf_adds(&b, "[");
    for (int i = 0; i < 12000; i++)
        buf_addf(&b, "%s{\"id\":%d,\"name\":\"a\"}", i ? "," : "", i + 1);
    buf_adds(&b, "]");
    o = parse_len(b.data, b.len);
    struct agent *as;
    size_t n;
    assert_int_equal(map_dir(o, DIR_AGENTS, (void **)&as, &n, NULL), 0);
    assert_int_equal(n, 10000);
    for (size_t i = 0; i < n; i++)
        model_agent_free(&as[i]);
    free(as);
    json_object_put(o);
    buf_free(&b);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_map__conversation_full_record),
        cmocka_unit_test(test_json_map__conversation_minimal_gets_neutral_defaults),
        cmocka_unit_test(test_json_map__conversation_nulls_and_fallback_to_messages0),
        cmocka_unit_test(test_json_map__conversation_wrong_types_never_crash),
        cmocka_unit_test(test_json_map__conversation_labels_skip_non_strings),
        cmocka_unit_test(test_json_map__record_without_id_is_an_error_and_safe_to_free),
        cmocka_unit_test(test_json_map__time_accepts_every_chatwoot_form),
        cmocka_unit_test(test_json_map__time_null_zero_and_garbage_are_zero),
        cmocka_unit_test(test_json_map__message_full_record),
        cmocka_unit_test(test_json_map__message_types_statuses_and_senders),
        cmocka_unit_test(test_json_map__message_content_odd_values),
        cmocka_unit_test(test_json_map__messages_list_comes_out_ascending),
        cmocka_unit_test(test_json_map__hostile_strings_come_out_sanitized),
        cmocka_unit_test(test_json_map__attribute_values_keep_lines_names_do_not),
        cmocka_unit_test(test_json_map__contact_opt_out_forms),
        cmocka_unit_test(test_json_map__contacts_payload_object_or_array),
        cmocka_unit_test(test_json_map__conversation_list_with_counts),
        cmocka_unit_test(test_json_map__counts_bare_or_wrapped),
        cmocka_unit_test(test_json_map__search_items_become_conversations),
        cmocka_unit_test(test_json_map__agents_and_teams_bare_arrays),
        cmocka_unit_test(test_json_map__labels_titles_inboxes_templates),
        cmocka_unit_test(test_json_map__profile_takes_account_name_from_accounts),
        cmocka_unit_test(test_json_map__error_texts),
        cmocka_unit_test(test_json_map__long_error_text_is_cut),
        cmocka_unit_test(test_json_map__deep_nesting_is_rejected),
        cmocka_unit_test(test_json_map__parse_rejects_empty_truncated_and_trailing),
        cmocka_unit_test(test_json_map__huge_arrays_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
