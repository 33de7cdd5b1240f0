/* cache: the last known inbox round-trips through the file, stays
 * display-safe, and only comes back for the filter it was saved for. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "twoway/cache.h"
#include "twoway/paths.h"
#include "twoway/store.h"
#include "twoway/xmalloc.h"

static char dir[] = "/tmp/twoway-cache-XXXXXX";

static char *cache_path(void)
{
    return xasprintf("%s/sub/inbox.json", dir);
}

static struct conversation conv(int64_t id, const char *name, const char *text)
{
    struct conversation c = {0};
    c.id = id;
    c.status = CONV_OPEN;
    c.priority = PRIORITY_HIGH;
    c.contact.id = id + 100;
    c.contact.name = xstrdup(name);
    c.contact.phone = xasprintf("+1555010%04lld", (long long)id);
    c.contact.email = xstrdup("");
    c.contact.identifier = xstrdup("");
    c.contact.opted_out = id == 2;
    c.assignee_id = 7;
    c.assignee_name = xstrdup("Ben Ortiz");
    c.team_name = xstrdup("");
    c.labels = xcalloc(1, sizeof *c.labels);
    c.labels[0] = xstrdup("billing");
    c.nlabels = 1;
    c.unread = 3;
    c.channel = xstrdup("Channel::TwilioSms");
    c.last_activity_at = 1760000000 + id;
    c.waiting_since = 1760000000;
    c.updated_at = 1760000000.5;
    c.has_last = true;
    c.last.id = id * 10;
    c.last.conv_id = id;
    c.last.type = MSG_INCOMING;
    c.last.status = MSGST_DELIVERED;
    c.last.sender_kind = SENDER_CONTACT;
    c.last.sender_name = xstrdup(name);
    c.last.content = xstrdup(text);
    c.last.external_error = xstrdup("");
    c.last.echo_id = xstrdup("");
    c.last.created_at = 1760000000 + id;
    return c;
}

static struct store *filled(void)
{
    struct store *st = store_new();
    struct profile p = {5,
                        1,
                        xstrdup("Ann Lee"),
                        xstrdup("ann@example.com"),
                        xstrdup("administrator"),
                        xstrdup("Bayside"),
                        NULL};
    store_set_profile(st, &p);
    struct agent *a = xcalloc(1, sizeof *a);
    *a = (struct agent){7,
                        1,
                        xstrdup("Ben Ortiz"),
                        xstrdup("ben@example.com"),
                        xstrdup("agent"),
                        xstrdup("online")};
    store_set_agents(st, a, 1);
    struct template *t = xcalloc(1, sizeof *t);
    *t = (struct template){3, xstrdup("hello"), xstrdup("Hi {{contact.first_name}}"), false};
    store_set_templates(st, t, 1);
    int64_t ids[] = {2, 1};
    struct conversation c2 = conv(2, "Maria Gonzalez", "Friday 9:15 please!");
    struct conversation c1 = conv(1, "王芳", "你好 👍🏽");
    store_put_conv(st, &c2);
    store_put_conv(st, &c1);
    store_list_set(st, ids, 2);
    struct conv_counts cc = {5, 9, 14, 23};
    store_set_counts(st, &cc);
    return st;
}

static const struct conv_query mine_open = {.assignee = ASSIGNEE_MINE, .status = CONV_OPEN};

static void test_cache__round_trip_keeps_what_the_screen_shows(void **state)
{
    (void)state;
    char *path = cache_path();
    struct store *st = filled();
    char *err = NULL;
    assert_int_equal(cache_save(path, st, &mine_open, &err), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    struct store *back = store_new();
    assert_int_equal(cache_load(path, back, &mine_open, &err), 0);
    assert_string_equal(store_profile(back)->name, "Ann Lee");
    size_t n;
    assert_string_equal(store_agents(back, &n)[0].email, "ben@example.com");
    assert_string_equal(store_templates(back, &n)[0].content, "Hi {{contact.first_name}}");
    assert_int_equal(store_list_len(back), 2);
    assert_int_equal(store_list_at(back, 0), 2);
    const struct conversation *c = store_conv(back, 2);
    assert_string_equal(c->contact.name, "Maria Gonzalez");
    assert_true(c->contact.opted_out);
    assert_int_equal(c->priority, PRIORITY_HIGH);
    assert_int_equal(c->unread, 3);
    assert_int_equal(c->assignee_id, 7);
    assert_string_equal(c->labels[0], "billing");
    assert_string_equal(c->last.content, "Friday 9:15 please!");
    assert_string_equal(store_conv(back, 1)->last.content, "你好 👍🏽");
    assert_int_equal(store_counts(back)->all, 23);
    /* No updated_at: the server's first answer is never taken as stale. */
    assert_true(store_conv(back, 2)->updated_at == 0);
    store_free(&back);
    store_free(&st);
    free(path);
}

static void test_cache__another_filter_gets_no_list(void **state)
{
    (void)state;
    char *path = cache_path();
    struct store *st = filled();
    char *err = NULL;
    assert_int_equal(cache_save(path, st, &mine_open, &err), 0);
    struct conv_query all = {.assignee = ASSIGNEE_ALL, .status = CONV_OPEN};
    struct store *back = store_new();
    assert_int_equal(cache_load(path, back, &all, &err), 0);
    assert_int_equal(store_list_len(back), 0);
    assert_non_null(store_profile(back)); /* the directory still helps */
    store_free(&back);
    store_free(&st);
    free(path);
}

/* The file is only a file: what comes back is sanitized again. */
static void test_cache__hostile_file_is_sanitized_and_bounded(void **state)
{
    (void)state;
    char *path = cache_path();
    char *err = NULL;
    const char *doc = "{\"version\":2,\"profile\":{\"id\":5,\"name\":\"A\\u001b]0;pwned\\u0007\"},"
                      "\"assignee\":1,\"status\":0,"
                      "\"list\":[{\"id\":9,\"status\":77,\"contact\":{\"name\":\"\\u001b[2Jx\"},"
                      "\"last_message\":{\"id\":1,\"direction\":-4,\"content\":\"\\u202eevil\"}},"
                      "{\"id\":\"not a number\"},[1,2],null]}";
    assert_int_equal(paths_write_atomic(path, doc, strlen(doc), 0600, &err), 0);
    struct store *st = store_new();
    assert_int_equal(cache_load(path, st, &mine_open, &err), 0);
    assert_null(strchr(store_profile(st)->name, 0x1b));
    assert_int_equal(store_list_len(st), 1);
    const struct conversation *c = store_conv(st, 9);
    assert_null(strchr(c->contact.name, 0x1b));
    assert_null(strstr(c->last.content, "\xe2\x80\xae"));
    assert_int_equal(c->status, CONV_OPEN); /* out of range → a sane default */
    assert_int_equal(c->last.type, MSG_INCOMING);
    store_free(&st);
    free(path);
}

static void test_cache__missing_or_foreign_file_changes_nothing(void **state)
{
    (void)state;
    char *err = NULL;
    struct store *st = store_new();
    char *missing = xasprintf("%s/none.json", dir);
    assert_int_equal(cache_load(missing, st, &mine_open, &err), -1);
    assert_int_equal(errno, ENOENT);
    free(err);
    err = NULL;
    char *path = cache_path();
    assert_int_equal(paths_write_atomic(path, "{\"version\":99}", 14, 0600, &err), 0);
    assert_int_equal(cache_load(path, st, &mine_open, &err), -1);
    assert_non_null(err);
    free(err);
    assert_null(store_profile(st));
    assert_int_equal(store_list_len(st), 0);
    store_free(&st);
    free(path);
    free(missing);
}

static void test_cache__never_connected_writes_nothing(void **state)
{
    (void)state;
    char *path = xasprintf("%s/empty/inbox.json", dir);
    struct store *st = store_new();
    char *err = NULL;
    assert_int_equal(cache_save(path, st, &mine_open, &err), 0);
    assert_int_equal(access(path, F_OK), -1);
    store_free(&st);
    free(path);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache__round_trip_keeps_what_the_screen_shows),
        cmocka_unit_test(test_cache__another_filter_gets_no_list),
        cmocka_unit_test(test_cache__hostile_file_is_sanitized_and_bounded),
        cmocka_unit_test(test_cache__missing_or_foreign_file_changes_nothing),
        cmocka_unit_test(test_cache__never_connected_writes_nothing),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    free(cmd);
    return rc;
}
