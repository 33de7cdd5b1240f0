/* Unit tests for outbox: what is on disk is what was added, it survives a
 * crash, a damaged file loses only its damaged lines, and echo ids are
 * unique. Each test works in its own temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "twoway/outbox.h"
#include "twoway/xmalloc.h"

struct fx {
    char dir[64];
    char *path;
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *fx = xcalloc(1, sizeof *fx);
    strcpy(fx->dir, "/tmp/tw-outbox-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->path = xasprintf("%s/outbox.jsonl", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(fx->path);
    free(fx);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static struct outbox *open_ok(const char *path)
{
    char *err = NULL;
    struct outbox *o = outbox_open(path, &err);
    assert_non_null(o);
    if (err)
        fail_msg("unexpected error: %s", err);
    return o;
}

static struct outbox_entry entry(const char *echo, int64_t conv, const char *content)
{
    struct outbox_entry e = {0};
    e.echo_id = (char *)echo;
    e.conv = conv;
    e.content = (char *)content;
    e.created_at = 1795784400;
    e.after_id = 4242;
    e.state = OUTBOX_PENDING;
    e.error = (char *)"";
    return e;
}

static void add_ok(struct outbox *o, const struct outbox_entry *e)
{
    char *err = NULL;
    if (outbox_add(o, e, &err) < 0)
        fail_msg("outbox_add: %s", err);
}

/* ---- tests ---- */

static void test_outbox__missing_file_is_empty(void **state)
{
    struct fx *fx = *state;
    struct outbox *o = open_ok(fx->path);
    assert_int_equal(outbox_len(o), 0);
    assert_null(outbox_at(o, 0));
    assert_null(outbox_find(o, "tw-nothing"));
    outbox_free(&o);
    assert_null(o);
    outbox_free(&o); /* twice is harmless */
}

static void test_outbox__add_save_load_round_trip(void **state)
{
    struct fx *fx = *state;
    struct outbox *o = open_ok(fx->path);
    struct outbox_entry a =
        entry("tw-a", 12, "Hello \"Maria\",\nsee you at 5 — ok? ✓ 👍🏽");
    a.is_private = false;
    add_ok(o, &a);
    struct outbox_entry b = entry("tw-b", 34, "internal: call back\ttomorrow");
    b.is_private = true;
    b.after_id = 0;
    add_ok(o, &b);
    /* Edit in place and save, as the session does. */
    struct outbox_entry *eb = outbox_find(o, "tw-b");
    assert_non_null(eb);
    eb->state = OUTBOX_FAILED;
    eb->verify = true;
    eb->attempts = 3;
    free(eb->error);
    eb->error = xstrdup("Message could not be sent: 21610 unsubscribed");
    char *err = NULL;
    assert_int_equal(outbox_save(o, &err), 0);
    outbox_free(&o);

    o = open_ok(fx->path);
    assert_int_equal(outbox_len(o), 2);
    const struct outbox_entry *x = outbox_at(o, 0), *y = outbox_at(o, 1);
    assert_string_equal(x->echo_id, "tw-a");
    assert_int_equal(x->conv, 12);
    assert_string_equal(x->content, a.content);
    assert_false(x->is_private);
    assert_int_equal(x->created_at, 1795784400);
    assert_int_equal(x->after_id, 4242);
    assert_int_equal(x->state, OUTBOX_PENDING);
    assert_false(x->verify);
    assert_int_equal(x->attempts, 0);
    assert_string_equal(x->error, "");

    assert_string_equal(y->echo_id, "tw-b");
    assert_int_equal(y->conv, 34);
    assert_string_equal(y->content, "internal: call back\ttomorrow");
    assert_true(y->is_private);
    assert_int_equal(y->after_id, 0);
    assert_int_equal(y->state, OUTBOX_FAILED);
    assert_true(y->verify);
    assert_int_equal(y->attempts, 3);
    assert_string_equal(y->error, "Message could not be sent: 21610 unsubscribed");
    outbox_free(&o);
}

static void test_outbox__add_copies_the_callers_strings(void **state)
{
    struct fx *fx = *state;
    struct outbox *o = open_ok(fx->path);
    char echo[] = "tw-copy", text[] = "original";
    struct outbox_entry e = entry(echo, 1, text);
    e.error = NULL; /* NULL error and content are taken as "" */
    add_ok(o, &e);
    strcpy(echo, "tw-XXXX");
    strcpy(text, "changed!");
    const struct outbox_entry *got = outbox_find(o, "tw-copy");
    assert_non_null(got);
    assert_string_equal(got->content, "original");
    assert_string_equal(got->error, "");
    outbox_free(&o);
}

static void test_outbox__file_is_mode_0600(void **state)
{
    struct fx *fx = *state;
    mode_t old = umask(0);
    write_file(fx->path, ""); /* an existing file with loose permissions */
    chmod(fx->path, 0666);
    struct outbox *o = open_ok(fx->path);
    struct outbox_entry e = entry("tw-mode", 1, "x");
    add_ok(o, &e);
    umask(old);
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    outbox_free(&o);
}

static void test_outbox__entry_is_on_disk_when_add_returns(void **state)
{
    struct fx *fx = *state;
    struct outbox *o = open_ok(fx->path);
    struct outbox_entry e = entry("tw-crash", 7, "do not lose me");
    add_ok(o, &e);
    /* A crash now: o is never saved again nor freed in an orderly way. A
     * fresh reader (the next start) must see the reply. */
    struct outbox *again = open_ok(fx->path);
    assert_int_equal(outbox_len(again), 1);
    assert_string_equal(outbox_at(again, 0)->content, "do not lose me");
    assert_int_equal(outbox_at(again, 0)->conv, 7);
    outbox_free(&again);
    outbox_free(&o);
    /* No temporary files are left beside it. */
    char *tmp = xasprintf("%s.tmp.%ld", fx->path, (long)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
    free(tmp);
}

static void test_outbox__corrupt_lines_are_skipped_and_reported(void **state)
{
    struct fx *fx = *state;
    write_file(fx->path,
               "{\"echo_id\":\"tw-1\",\"conv\":5,\"content\":\"first\",\"state\":\"pending\"}\n"
               "this is not json\n"
               "[1,2,3]\n"
               "{\"conv\":5,\"content\":\"no echo id\"}\n"
               "{\"echo_id\":\"tw-x\",\"conv\":0,\"content\":\"no conversation\"}\n"
               "{\"echo_id\":\"tw-y\",\"conv\":5}\n"
               "{\"echo_id\":\"\",\"conv\":5,\"content\":\"empty echo\"}\n"
               "{\"echo_id\":\"tw-2\",\"conv\":6,\"content\":\"second\",\"state\":\"failed\","
               "\"attempts\":2}\n"
               "{\"echo_id\":\"tw-3\",\"conv\":6,\"conte"); /* torn last line */
    char *err = NULL;
    struct outbox *o = outbox_open(fx->path, &err);
    assert_non_null(o);
    assert_non_null(err);
    assert_non_null(strstr(err, "skipped 7 unreadable lines"));
    assert_non_null(strstr(err, fx->path));
    free(err);
    assert_int_equal(outbox_len(o), 2);
    assert_string_equal(outbox_at(o, 0)->content, "first");
    assert_string_equal(outbox_at(o, 1)->content, "second");
    assert_int_equal(outbox_at(o, 1)->state, OUTBOX_FAILED);
    assert_int_equal(outbox_at(o, 1)->attempts, 2);
    outbox_free(&o);
}

static void test_outbox__content_that_is_not_utf8_is_made_valid(void **state)
{
    struct fx *fx = *state;
    write_file(fx->path, "{\"echo_id\":\"tw-1\",\"conv\":5,\"content\":\"caf\xe9 \x1b[31mred\"}\n");
    char *err = NULL;
    struct outbox *o = outbox_open(fx->path, &err);
    assert_non_null(o);
    free(err);
    assert_int_equal(outbox_len(o), 1);
    const char *c = outbox_at(o, 0)->content;
    assert_null(strchr(c, '\x1b'));
    assert_null(strchr(c, '\xe9'));
    assert_non_null(strstr(c, "caf"));
    assert_non_null(strstr(c, "red"));
    outbox_free(&o);
}

static void test_outbox__unreadable_path_is_an_error(void **state)
{
    struct fx *fx = *state;
    char *err = NULL;
    /* A directory where the file should be. */
    assert_int_equal(mkdir(fx->path, 0700), 0);
    assert_null(outbox_open(fx->path, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, fx->path));
    free(err);
    err = NULL;
    /* A path under a regular file. */
    char *file = xasprintf("%s/plain", fx->dir), *under = xasprintf("%s/plain/outbox", fx->dir);
    write_file(file, "x");
    assert_null(outbox_open(under, &err));
    assert_non_null(err);
    free(err);
    free(file);
    free(under);
}

static void test_outbox__larger_than_the_limit_is_refused(void **state)
{
    struct fx *fx = *state;
    FILE *f = fopen(fx->path, "w");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 33 * 1024 * 1024), 0);
    fclose(f);
    char *err = NULL;
    assert_null(outbox_open(fx->path, &err));
    assert_non_null(err);
    free(err);
}

static void test_outbox__add_that_cannot_write_adds_nothing(void **state)
{
    struct fx *fx = *state;
    char *path = xasprintf("%s/missing/outbox.jsonl", fx->dir);
    struct outbox *o = open_ok(path);
    struct outbox_entry e = entry("tw-1", 1, "x");
    char *err = NULL;
    assert_int_equal(outbox_add(o, &e, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, path));
    free(err);
    assert_int_equal(outbox_len(o), 0);
    assert_null(outbox_find(o, "tw-1"));
    outbox_free(&o);
    free(path);
}

static void test_outbox__remove_drops_one_and_saves(void **state)
{
    struct fx *fx = *state;
    struct outbox *o = open_ok(fx->path);
    const char *ids[] = {"tw-1", "tw-2", "tw-3", "tw-4"};
    for (size_t i = 0; i < 4; i++) {
        struct outbox_entry e = entry(ids[i], 10 + (int64_t)i, ids[i]);
        add_ok(o, &e);
    }
    char *err = NULL;
    assert_int_equal(outbox_remove(o, "tw-2", &err), 0);
    assert_int_equal(outbox_remove(o, "tw-4", &err), 0);
    assert_int_equal(outbox_remove(o, "tw-unknown", &err), 0);
    assert_null(err);
    assert_int_equal(outbox_len(o), 2);
    assert_null(outbox_find(o, "tw-2"));
    outbox_free(&o);

    o = open_ok(fx->path);
    assert_int_equal(outbox_len(o), 2);
    assert_string_equal(outbox_at(o, 0)->echo_id, "tw-1");
    assert_string_equal(outbox_at(o, 1)->echo_id, "tw-3");
    assert_int_equal(outbox_at(o, 1)->conv, 12);
    assert_int_equal(outbox_remove(o, "tw-1", &err), 0);
    assert_int_equal(outbox_remove(o, "tw-3", &err), 0);
    outbox_free(&o);
    o = open_ok(fx->path);
    assert_int_equal(outbox_len(o), 0);
    outbox_free(&o);
}

static void test_outbox__many_entries_keep_their_order(void **state)
{
    struct fx *fx = *state;
    struct outbox *o = open_ok(fx->path);
    for (int i = 0; i < 50; i++) {
        char echo[16], text[16];
        snprintf(echo, sizeof echo, "tw-%d", i);
        snprintf(text, sizeof text, "reply %d", i);
        struct outbox_entry e = entry(echo, 1, text);
        add_ok(o, &e);
    }
    outbox_free(&o);
    o = open_ok(fx->path);
    assert_int_equal(outbox_len(o), 50);
    for (int i = 0; i < 50; i++) {
        char text[16];
        snprintf(text, sizeof text, "reply %d", i);
        assert_string_equal(outbox_at(o, (size_t)i)->content, text);
    }
    outbox_free(&o);
}

static void test_outbox__echo_ids_are_unique_and_well_formed(void **state)
{
    (void)state;
    enum { N = 2000 };
    char **ids = xcalloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) {
        ids[i] = outbox_new_echo_id();
        assert_int_equal(strlen(ids[i]), 3 + 32);
        assert_memory_equal(ids[i], "tw-", 3);
        assert_int_equal(strspn(ids[i] + 3, "0123456789abcdef"), 32);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(ids[i], ids[j]);
    }
    for (int i = 0; i < N; i++)
        free(ids[i]);
    free(ids);
}

static void test_outbox__new_is_empty_and_does_not_read(void **state)
{
    struct fx *fx = *state;
    write_file(fx->path, "{\"echo_id\":\"tw-1\",\"conv\":5,\"content\":\"x\"}\n");
    struct outbox *o = outbox_new(fx->path);
    assert_int_equal(outbox_len(o), 0);
    struct outbox_entry e = entry("tw-2", 6, "y");
    add_ok(o, &e);
    outbox_free(&o);
    o = open_ok(fx->path);
    assert_int_equal(outbox_len(o), 1);
    assert_string_equal(outbox_at(o, 0)->echo_id, "tw-2");
    outbox_free(&o);
}

static void test_outbox__entry_free_clears_the_record(void **state)
{
    (void)state;
    struct outbox_entry e = {0};
    e.echo_id = xstrdup("tw-1");
    e.content = xstrdup("x");
    e.error = xstrdup("");
    e.conv = 3;
    outbox_entry_free(&e);
    assert_null(e.echo_id);
    assert_null(e.content);
    assert_int_equal(e.conv, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_outbox__missing_file_is_empty),
        T(test_outbox__add_save_load_round_trip),
        T(test_outbox__add_copies_the_callers_strings),
        T(test_outbox__file_is_mode_0600),
        T(test_outbox__entry_is_on_disk_when_add_returns),
        T(test_outbox__corrupt_lines_are_skipped_and_reported),
        T(test_outbox__content_that_is_not_utf8_is_made_valid),
        T(test_outbox__unreadable_path_is_an_error),
        T(test_outbox__larger_than_the_limit_is_refused),
        T(test_outbox__add_that_cannot_write_adds_nothing),
        T(test_outbox__remove_drops_one_and_saves),
        T(test_outbox__many_entries_keep_their_order),
        T(test_outbox__echo_ids_are_unique_and_well_formed),
        T(test_outbox__new_is_empty_and_does_not_read),
        T(test_outbox__entry_free_clears_the_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
