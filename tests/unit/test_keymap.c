/* Unit tests for keymap: key names both ways (every named key, modifiers,
 * UTF-8 characters), contexts, bind/unbind, fallback, iteration order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/keymap.h"
#include "twoway/xmalloc.h"

static void bind_ok(struct keymap *k, enum keymap_ctx ctx, const char *key, const char *cmd)
{
    char *err = (char *)"untouched";
    if (keymap_bind(k, ctx, key, cmd, &err) != 0)
        fail_msg("bind %s failed: %s", key, err);
    assert_null(err);
}

/* ---- key names ---- */

static const struct {
    const char *name;
    int key;
} named[] = {
    {"Up", KEY_TW_UP},
    {"Down", KEY_TW_DOWN},
    {"Left", KEY_TW_LEFT},
    {"Right", KEY_TW_RIGHT},
    {"PageUp", KEY_TW_PGUP},
    {"PageDown", KEY_TW_PGDN},
    {"Home", KEY_TW_HOME},
    {"End", KEY_TW_END},
    {"Enter", KEY_TW_ENTER},
    {"Tab", KEY_TW_TAB},
    {"BTab", KEY_TW_BTAB},
    {"Esc", KEY_TW_ESC},
    {"Backspace", KEY_TW_BACKSPACE},
    {"Delete", KEY_TW_DELETE},
    {"Insert", KEY_TW_INSERT},
    {"Space", ' '},
};

static void test_keymap__every_named_key_round_trips(void **state)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        assert_int_equal(keymap_parse_key(named[i].name), named[i].key);
        assert_string_equal(keymap_key_name(named[i].key), named[i].name);
    }
}

static void test_keymap__function_keys_round_trip(void **state)
{
    for (int n = 1; n <= 12; n++) {
        char name[8];
        snprintf(name, sizeof name, "F%d", n);
        assert_int_equal(keymap_parse_key(name), KEY_TW_F1 + n - 1);
        assert_string_equal(keymap_key_name(KEY_TW_F1 + n - 1), name);
    }
    assert_int_equal(keymap_parse_key("F12"), KEY_TW_F12);
    assert_int_equal(keymap_parse_key("F0"), -1);
    assert_int_equal(keymap_parse_key("F13"), -1);
    assert_int_equal(keymap_parse_key("F01"), -1);
    assert_int_equal(keymap_parse_key("F1x"), -1);
    assert_int_equal(keymap_parse_key("F"), 'F'); /* just the letter */
}

static void test_keymap__every_printable_ascii_character_round_trips(void **state)
{
    for (int c = 0x21; c < 0x7F; c++) {
        char name[2] = {(char)c, '\0'};
        assert_int_equal(keymap_parse_key(name), c);
        assert_string_equal(keymap_key_name(c), name);
    }
}

static void test_keymap__single_characters_are_case_sensitive(void **state)
{
    assert_int_equal(keymap_parse_key("j"), 'j');
    assert_int_equal(keymap_parse_key("J"), 'J');
    assert_int_equal(keymap_parse_key("g"), 'g');
    assert_int_equal(keymap_parse_key("G"), 'G');
}

static void test_keymap__named_keys_ignore_case_and_have_aliases(void **state)
{
    assert_int_equal(keymap_parse_key("enter"), KEY_TW_ENTER);
    assert_int_equal(keymap_parse_key("PAGEDOWN"), KEY_TW_PGDN);
    assert_int_equal(keymap_parse_key("space"), ' ');
    assert_int_equal(keymap_parse_key("f5"), KEY_TW_F1 + 4);
    assert_int_equal(keymap_parse_key("Escape"), KEY_TW_ESC);
    assert_int_equal(keymap_parse_key("Return"), KEY_TW_ENTER);
    assert_int_equal(keymap_parse_key("PgUp"), KEY_TW_PGUP);
    assert_int_equal(keymap_parse_key("PgDn"), KEY_TW_PGDN);
    assert_int_equal(keymap_parse_key("NPage"), KEY_TW_PGDN);
    assert_int_equal(keymap_parse_key("PPage"), KEY_TW_PGUP);
    assert_int_equal(keymap_parse_key("BSpace"), KEY_TW_BACKSPACE);
    assert_int_equal(keymap_parse_key("Del"), KEY_TW_DELETE);
    assert_int_equal(keymap_parse_key("S-Tab"), KEY_TW_BTAB);
    /* an alias prints as the canonical name */
    assert_string_equal(keymap_key_name(keymap_parse_key("Escape")), "Esc");
}

static void test_keymap__ctrl_with_a_letter(void **state)
{
    assert_int_equal(keymap_parse_key("C-d"), KEY_TW_CTRL | 'd');
    assert_int_equal(keymap_parse_key("C-D"), KEY_TW_CTRL | 'd'); /* a terminal cannot tell */
    assert_string_equal(keymap_key_name(KEY_TW_CTRL | 'd'), "C-d");
    for (int c = 'a'; c <= 'z'; c++) {
        if (c == 'i' || c == 'm')
            continue;
        char name[4] = {'C', '-', (char)c, '\0'};
        assert_int_equal(keymap_parse_key(name), KEY_TW_CTRL | c);
        assert_string_equal(keymap_key_name(KEY_TW_CTRL | c), name);
    }
}

static void test_keymap__ctrl_i_and_ctrl_m_are_tab_and_enter(void **state)
{
    assert_int_equal(keymap_parse_key("C-i"), KEY_TW_TAB);
    assert_int_equal(keymap_parse_key("C-m"), KEY_TW_ENTER);
    assert_int_equal(keymap_parse_key("M-C-m"), KEY_TW_META | KEY_TW_ENTER);
}

static void test_keymap__ctrl_with_space_and_special_keys(void **state)
{
    assert_int_equal(keymap_parse_key("C-Space"), KEY_TW_CTRL | ' ');
    assert_string_equal(keymap_key_name(KEY_TW_CTRL | ' '), "C-Space");
    assert_int_equal(keymap_parse_key("C-Up"), KEY_TW_CTRL | KEY_TW_UP);
    assert_string_equal(keymap_key_name(KEY_TW_CTRL | KEY_TW_UP), "C-Up");
}

static void test_keymap__ctrl_with_anything_else_is_unknown(void **state)
{
    assert_int_equal(keymap_parse_key("C-1"), -1);
    assert_int_equal(keymap_parse_key("C--"), -1);
    assert_int_equal(keymap_parse_key("C-é"), -1);
    assert_int_equal(keymap_parse_key("C-C-x"), -1);
}

static void test_keymap__meta_with_anything(void **state)
{
    assert_int_equal(keymap_parse_key("M-x"), KEY_TW_META | 'x');
    assert_int_equal(keymap_parse_key("M-X"), KEY_TW_META | 'X'); /* Alt-Shift-x differs */
    assert_int_equal(keymap_parse_key("M-Enter"), KEY_TW_META | KEY_TW_ENTER);
    assert_int_equal(keymap_parse_key("M--"), KEY_TW_META | '-');
    assert_int_equal(keymap_parse_key("M-é"), KEY_TW_META | 0xE9);
    assert_int_equal(keymap_parse_key("M-M-x"), -1);
    static const char *const names[] = {"M-x",  "M-X", "M-Enter", "M-Space",
                                        "M-F3", "M--", "M-é",     "M-PageUp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(keymap_key_name(keymap_parse_key(names[i])), names[i]);
}

static void test_keymap__ctrl_and_meta_together_in_either_order(void **state)
{
    assert_int_equal(keymap_parse_key("C-M-x"), KEY_TW_CTRL | KEY_TW_META | 'x');
    assert_int_equal(keymap_parse_key("M-C-x"), KEY_TW_CTRL | KEY_TW_META | 'x');
    assert_string_equal(keymap_key_name(KEY_TW_CTRL | KEY_TW_META | 'x'), "C-M-x");
}

static void test_keymap__letters_c_and_m_alone_are_characters(void **state)
{
    assert_int_equal(keymap_parse_key("C"), 'C');
    assert_int_equal(keymap_parse_key("M"), 'M');
    assert_int_equal(keymap_parse_key("-"), '-');
    assert_int_equal(keymap_parse_key("C-"), -1);
    assert_int_equal(keymap_parse_key("M-"), -1);
    assert_int_equal(keymap_parse_key("M-C"), KEY_TW_META | 'C');
}

static void test_keymap__a_utf8_character_is_its_code_point(void **state)
{
    assert_int_equal(keymap_parse_key("é"), 0xE9);
    assert_int_equal(keymap_parse_key("ß"), 0xDF);
    assert_int_equal(keymap_parse_key("€"), 0x20AC);
    assert_int_equal(keymap_parse_key("ж"), 0x436);
    assert_int_equal(keymap_parse_key("😀"), 0x1F600);
    static const char *const chars[] = {"é", "ß", "€", "ж", "😀", "日"};
    for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++)
        assert_string_equal(keymap_key_name(keymap_parse_key(chars[i])), chars[i]);
}

static void test_keymap__unknown_names_are_refused(void **state)
{
    static const char *const bad[] = {
        "",        "jj",        "g g",      "; a",          "Ctrl-x",
        "PageDwn", "e\xCC\x81", "\x01",     "\x7f",         "\xC2\x85",
        "\xff",    "\xC3",      "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
        "Enter ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (keymap_parse_key(bad[i]) != -1)
            fail_msg("'%s' parsed but should not", bad[i]);
    assert_int_equal(keymap_parse_key(NULL), -1);
}

static void test_keymap__names_of_invalid_codes(void **state)
{
    assert_string_equal(keymap_key_name(-1), "Unknown");
    assert_string_equal(keymap_key_name(0x01), "Unknown");
    assert_string_equal(keymap_key_name(KEY_TW_F12 + 1), "Unknown");
    assert_int_equal(keymap_parse_key("Unknown"), -1);
}

/* ---- contexts ---- */

static void test_keymap__contexts_by_name(void **state)
{
    assert_int_equal(keymap_parse_ctx("global"), KEYCTX_GLOBAL);
    assert_int_equal(keymap_parse_ctx("list"), KEYCTX_LIST);
    assert_int_equal(keymap_parse_ctx("thread"), KEYCTX_THREAD);
    assert_int_equal(keymap_parse_ctx("Thread"), KEYCTX_THREAD);
    assert_int_equal(keymap_parse_ctx("input"), -1);
    assert_int_equal(keymap_parse_ctx(""), -1);
    assert_int_equal(keymap_parse_ctx(NULL), -1);
    for (int c = 0; c < KEYCTX__COUNT; c++)
        assert_int_equal(keymap_parse_ctx(keymap_ctx_name((enum keymap_ctx)c)), c);
    assert_string_equal(keymap_ctx_name(KEYCTX__COUNT), "unknown");
}

/* ---- bindings ---- */

static void test_keymap__bind_and_lookup(void **state)
{
    struct keymap *k = keymap_new();
    bind_ok(k, KEYCTX_LIST, "j", "next");
    bind_ok(k, KEYCTX_LIST, "C-d", "page-down");
    assert_string_equal(keymap_lookup(k, KEYCTX_LIST, 'j'), "next");
    assert_string_equal(keymap_lookup(k, KEYCTX_LIST, KEY_TW_CTRL | 'd'), "page-down");
    assert_null(keymap_lookup(k, KEYCTX_LIST, 'J'));
    assert_null(keymap_lookup(k, KEYCTX_THREAD, 'j'));
    assert_null(keymap_lookup(k, KEYCTX_GLOBAL, 'j'));
    keymap_free(&k);
    assert_null(k);
}

static void test_keymap__bind_copies_the_command(void **state)
{
    struct keymap *k = keymap_new();
    char cmd[] = "reply";
    bind_ok(k, KEYCTX_THREAD, "r", cmd);
    cmd[0] = 'X';
    assert_string_equal(keymap_lookup(k, KEYCTX_THREAD, 'r'), "reply");
    keymap_free(&k);
}

static void test_keymap__bind_replaces(void **state)
{
    struct keymap *k = keymap_new();
    bind_ok(k, KEYCTX_GLOBAL, "q", "quit");
    bind_ok(k, KEYCTX_GLOBAL, "q", "confirm quit");
    assert_string_equal(keymap_lookup(k, KEYCTX_GLOBAL, 'q'), "confirm quit");
    size_t pos = 0, n = 0;
    int key;
    const char *cmd;
    while (keymap_iter(k, KEYCTX_GLOBAL, &pos, &key, &cmd))
        n++;
    assert_int_equal(n, 1);
    keymap_free(&k);
}

static void test_keymap__context_falls_back_to_global(void **state)
{
    struct keymap *k = keymap_new();
    bind_ok(k, KEYCTX_GLOBAL, "?", "help");
    bind_ok(k, KEYCTX_GLOBAL, "r", "refresh");
    bind_ok(k, KEYCTX_THREAD, "r", "reply");
    assert_string_equal(keymap_lookup(k, KEYCTX_LIST, '?'), "help");
    assert_string_equal(keymap_lookup(k, KEYCTX_THREAD, '?'), "help");
    assert_string_equal(keymap_lookup(k, KEYCTX_THREAD, 'r'), "reply"); /* own first */
    assert_string_equal(keymap_lookup(k, KEYCTX_LIST, 'r'), "refresh");
    assert_string_equal(keymap_lookup(k, KEYCTX_GLOBAL, 'r'), "refresh");
    assert_null(keymap_lookup(k, KEYCTX__COUNT, 'r'));
    keymap_free(&k);
}

static void test_keymap__unbind(void **state)
{
    struct keymap *k = keymap_new();
    bind_ok(k, KEYCTX_GLOBAL, "r", "refresh");
    bind_ok(k, KEYCTX_THREAD, "r", "reply");
    char *err = NULL;
    assert_int_equal(keymap_unbind(k, KEYCTX_THREAD, "r", &err), 0);
    assert_null(err);
    /* the global binding shows through again */
    assert_string_equal(keymap_lookup(k, KEYCTX_THREAD, 'r'), "refresh");
    assert_int_equal(keymap_unbind(k, KEYCTX_GLOBAL, "r", &err), 0);
    assert_null(keymap_lookup(k, KEYCTX_THREAD, 'r'));
    keymap_free(&k);
}

static void test_keymap__unbinding_an_unbound_key_names_it(void **state)
{
    struct keymap *k = keymap_new();
    bind_ok(k, KEYCTX_GLOBAL, "C-x", "quit");
    char *err = NULL;
    assert_int_equal(keymap_unbind(k, KEYCTX_LIST, "C-x", &err), -1);
    assert_string_equal(err, "C-x is not bound in the list context");
    free(err);
    assert_int_equal(keymap_unbind(k, KEYCTX_GLOBAL, "PgDn", &err), -1);
    assert_string_equal(err, "PageDown is not bound in the global context");
    free(err);
    assert_string_equal(keymap_lookup(k, KEYCTX_GLOBAL, KEY_TW_CTRL | 'x'), "quit");
    keymap_free(&k);
}

static void test_keymap__bad_key_names_are_errors(void **state)
{
    struct keymap *k = keymap_new();
    char *err = NULL;
    assert_int_equal(keymap_bind(k, KEYCTX_LIST, "Ctrl-x", "quit", &err), -1);
    assert_non_null(strstr(err, "unknown key 'Ctrl-x'"));
    assert_non_null(strstr(err, "C-d")); /* shows how keys are written */
    free(err);
    assert_int_equal(keymap_unbind(k, KEYCTX_LIST, "g g", &err), -1);
    assert_non_null(strstr(err, "unknown key 'g g'"));
    free(err);
    keymap_free(&k);
}

static void test_keymap__empty_command_is_an_error(void **state)
{
    struct keymap *k = keymap_new();
    char *err = NULL;
    assert_int_equal(keymap_bind(k, KEYCTX_LIST, "j", "", &err), -1);
    assert_string_equal(err, "bind j: no command given");
    free(err);
    assert_int_equal(keymap_bind(k, KEYCTX_LIST, "Enter", "  ", &err), -1);
    assert_string_equal(err, "bind Enter: no command given");
    free(err);
    assert_int_equal(keymap_bind(k, KEYCTX_LIST, "j", NULL, &err), -1);
    free(err);
    assert_null(keymap_lookup(k, KEYCTX_LIST, 'j'));
    keymap_free(&k);
}

static void test_keymap__bad_context_is_an_error(void **state)
{
    struct keymap *k = keymap_new();
    char *err = NULL;
    assert_int_equal(keymap_bind(k, KEYCTX__COUNT, "j", "next", &err), -1);
    assert_non_null(strstr(err, "unknown key context"));
    free(err);
    assert_int_equal(keymap_unbind(k, (enum keymap_ctx) - 1, "j", &err), -1);
    free(err);
    keymap_free(&k);
}

static void test_keymap__over_long_command_is_refused(void **state)
{
    struct keymap *k = keymap_new();
    char *cmd = xmalloc(5000);
    memset(cmd, 'x', 4999);
    cmd[4999] = '\0';
    char *err = NULL;
    assert_int_equal(keymap_bind(k, KEYCTX_LIST, "x", cmd, &err), -1);
    assert_non_null(strstr(err, "too long"));
    free(err);
    free(cmd);
    keymap_free(&k);
}

static void test_keymap__iteration_is_in_key_order_per_context(void **state)
{
    struct keymap *k = keymap_new();
    static const char *const keys[] = {"M-x", "z", "F2", "a",  "Enter", "C-a",
                                       "é",   "A", "Up", "F1", "Space", "C-M-a"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        bind_ok(k, KEYCTX_LIST, keys[i], keys[i]);
    bind_ok(k, KEYCTX_GLOBAL, "q", "quit");

    size_t pos = 0, n = 0;
    int key, prev = -1;
    const char *cmd;
    while (keymap_iter(k, KEYCTX_LIST, &pos, &key, &cmd)) {
        assert_true(key > prev);
        /* each command was its own key name: the pairing is kept */
        assert_int_equal(keymap_parse_key(cmd), key);
        prev = key;
        n++;
    }
    assert_int_equal(n, sizeof keys / sizeof keys[0]);
    assert_false(keymap_iter(k, KEYCTX_LIST, &pos, &key, &cmd)); /* stays at the end */

    pos = 0;
    assert_true(keymap_iter(k, KEYCTX_GLOBAL, &pos, &key, &cmd));
    assert_int_equal(key, 'q');
    assert_false(keymap_iter(k, KEYCTX_GLOBAL, &pos, &key, &cmd));
    pos = 0;
    assert_false(keymap_iter(k, KEYCTX_THREAD, &pos, &key, &cmd));
    keymap_free(&k);
}

static void test_keymap__many_bindings_stay_sorted_and_found(void **state)
{
    struct keymap *k = keymap_new();
    /* bind in descending order, then drop every other one */
    for (int c = 0x3000; c > 0x2000; c--) {
        char name[8], cmd[16];
        size_t n = 0;
        name[n++] = (char)(0xE0 | (c >> 12));
        name[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
        name[n++] = (char)(0x80 | (c & 0x3F));
        name[n] = '\0';
        snprintf(cmd, sizeof cmd, "cmd %d", c);
        bind_ok(k, KEYCTX_THREAD, name, cmd);
    }
    char *err;
    for (int c = 0x2002; c <= 0x3000; c += 2)
        assert_int_equal(keymap_unbind(k, KEYCTX_THREAD, keymap_key_name(c), &err), 0);
    size_t pos = 0, n = 0;
    int key, prev = 0;
    const char *cmd;
    while (keymap_iter(k, KEYCTX_THREAD, &pos, &key, &cmd)) {
        assert_true(key > prev && key % 2 == 1);
        prev = key;
        n++;
    }
    assert_int_equal(n, 0x800);
    assert_string_equal(keymap_lookup(k, KEYCTX_THREAD, 0x2001), "cmd 8193");
    assert_null(keymap_lookup(k, KEYCTX_THREAD, 0x2002));
    keymap_free(&k);
    keymap_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keymap__every_named_key_round_trips),
        cmocka_unit_test(test_keymap__function_keys_round_trip),
        cmocka_unit_test(test_keymap__every_printable_ascii_character_round_trips),
        cmocka_unit_test(test_keymap__single_characters_are_case_sensitive),
        cmocka_unit_test(test_keymap__named_keys_ignore_case_and_have_aliases),
        cmocka_unit_test(test_keymap__ctrl_with_a_letter),
        cmocka_unit_test(test_keymap__ctrl_i_and_ctrl_m_are_tab_and_enter),
        cmocka_unit_test(test_keymap__ctrl_with_space_and_special_keys),
        cmocka_unit_test(test_keymap__ctrl_with_anything_else_is_unknown),
        cmocka_unit_test(test_keymap__meta_with_anything),
        cmocka_unit_test(test_keymap__ctrl_and_meta_together_in_either_order),
        cmocka_unit_test(test_keymap__letters_c_and_m_alone_are_characters),
        cmocka_unit_test(test_keymap__a_utf8_character_is_its_code_point),
        cmocka_unit_test(test_keymap__unknown_names_are_refused),
        cmocka_unit_test(test_keymap__names_of_invalid_codes),
        cmocka_unit_test(test_keymap__contexts_by_name),
        cmocka_unit_test(test_keymap__bind_and_lookup),
        cmocka_unit_test(test_keymap__bind_copies_the_command),
        cmocka_unit_test(test_keymap__bind_replaces),
        cmocka_unit_test(test_keymap__context_falls_back_to_global),
        cmocka_unit_test(test_keymap__unbind),
        cmocka_unit_test(test_keymap__unbinding_an_unbound_key_names_it),
        cmocka_unit_test(test_keymap__bad_key_names_are_errors),
        cmocka_unit_test(test_keymap__empty_command_is_an_error),
        cmocka_unit_test(test_keymap__bad_context_is_an_error),
        cmocka_unit_test(test_keymap__over_long_command_is_refused),
        cmocka_unit_test(test_keymap__iteration_is_in_key_order_per_context),
        cmocka_unit_test(test_keymap__many_bindings_stay_sorted_and_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
