/* Unit tests for drafts: one draft per conversation and per kind (reply or
 * private note), on disk with mode 0600 in a 0700 directory, deleted by an
 * empty text. Each test works in its own temporary directory. */
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

#include "twoway/drafts.h"
#include "twoway/xmalloc.h"

struct fx {
    char dir[64];
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
    strcpy(fx->dir, "/tmp/tw-drafts-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

static void save_ok(const char *dir, int64_t conv, int is_private, const char *text)
{
    char *err = NULL;
    if (drafts_save(dir, conv, is_private, text, &err) < 0)
        fail_msg("drafts_save: %s", err);
}

static void assert_draft(const char *dir, int64_t conv, int is_private, const char *want)
{
    char *got = drafts_load(dir, conv, is_private);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* The number of entries in dir (temporary files left behind show here). */
static int count_files(const char *dir)
{
    char *cmd = xasprintf("ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    free(cmd);
    return n;
}

/* ---- tests ---- */

static void test_drafts__none_yet_is_null(void **state)
{
    struct fx *fx = *state;
    assert_draft(fx->dir, 5, 0, NULL);
    assert_draft(fx->dir, 5, 1, NULL);
    assert_draft("/tmp/tw-drafts-does-not-exist/x", 5, 0, NULL);
}

static void test_drafts__save_then_load_round_trips(void **state)
{
    struct fx *fx = *state;
    const char *text =
        "Hi Maria,\n\nyour order ships tomorrow — 📦 👍🏽\n\ttracking: 1Z999";
    save_ok(fx->dir, 42, 0, text);
    assert_draft(fx->dir, 42, 0, text);
}

static void test_drafts__each_conversation_has_its_own(void **state)
{
    struct fx *fx = *state;
    save_ok(fx->dir, 1, 0, "for one");
    save_ok(fx->dir, 2, 0, "for two");
    save_ok(fx->dir, 10, 0, "for ten");
    assert_draft(fx->dir, 1, 0, "for one");
    assert_draft(fx->dir, 2, 0, "for two");
    assert_draft(fx->dir, 10, 0, "for ten");
    assert_draft(fx->dir, 3, 0, NULL);
}

static void test_drafts__note_and_reply_are_kept_apart(void **state)
{
    struct fx *fx = *state;
    save_ok(fx->dir, 7, 0, "the reply to the customer");
    save_ok(fx->dir, 7, 1, "a private note for the team");
    assert_draft(fx->dir, 7, 0, "the reply to the customer");
    assert_draft(fx->dir, 7, 1, "a private note for the team");
    save_ok(fx->dir, 7, 1, "");
    assert_draft(fx->dir, 7, 1, NULL);
    assert_draft(fx->dir, 7, 0, "the reply to the customer");
}

static void test_drafts__saving_again_replaces(void **state)
{
    struct fx *fx = *state;
    save_ok(fx->dir, 9, 0, "a much longer first version of the text");
    save_ok(fx->dir, 9, 0, "short");
    assert_draft(fx->dir, 9, 0, "short");
    assert_int_equal(count_files(fx->dir), 1); /* no temporary files left */
}

static void test_drafts__empty_text_deletes(void **state)
{
    struct fx *fx = *state;
    save_ok(fx->dir, 3, 0, "typed");
    save_ok(fx->dir, 3, 0, "");
    assert_draft(fx->dir, 3, 0, NULL);
    assert_int_equal(count_files(fx->dir), 0);
    save_ok(fx->dir, 4, 0, "typed");
    save_ok(fx->dir, 4, 0, NULL);
    assert_draft(fx->dir, 4, 0, NULL);
    /* Deleting what is not there is fine, even without the directory. */
    save_ok(fx->dir, 5, 0, "");
    char *gone = xasprintf("%s/not-made-yet", fx->dir);
    save_ok(gone, 5, 0, "");
    free(gone);
}

static void test_drafts__file_is_mode_0600(void **state)
{
    struct fx *fx = *state;
    mode_t old = umask(0);
    save_ok(fx->dir, 11, 0, "secret-ish");
    save_ok(fx->dir, 11, 1, "note");
    umask(old);
    assert_int_equal(count_files(fx->dir), 2);
    char *cmd = xasprintf("find '%s' -type f ! -perm 0600 | wc -l", fx->dir);
    FILE *p = popen(cmd, "r");
    int bad = -1;
    assert_int_equal(fscanf(p, "%d", &bad), 1);
    pclose(p);
    free(cmd);
    assert_int_equal(bad, 0);
}

static void test_drafts__missing_directory_is_created_0700(void **state)
{
    struct fx *fx = *state;
    char *dir = xasprintf("%s/state/twoway", fx->dir);
    mode_t old = umask(0);
    save_ok(dir, 1, 0, "hello");
    umask(old);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_draft(dir, 1, 0, "hello");
    free(dir);
}

static void test_drafts__unwritable_place_is_an_error(void **state)
{
    struct fx *fx = *state;
    char *file = xasprintf("%s/plain", fx->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    char *err = NULL;
    assert_int_equal(drafts_save(file, 1, 0, "text", &err), -1); /* a file, not a dir */
    assert_non_null(err);
    free(err);
    free(file);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_drafts__none_yet_is_null),
        T(test_drafts__save_then_load_round_trips),
        T(test_drafts__each_conversation_has_its_own),
        T(test_drafts__note_and_reply_are_kept_apart),
        T(test_drafts__saving_again_replaces),
        T(test_drafts__empty_text_deletes),
        T(test_drafts__file_is_mode_0600),
        T(test_drafts__missing_directory_is_created_0700),
        T(test_drafts__unwritable_place_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
