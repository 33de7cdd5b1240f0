/* The man pages against the tables, so they cannot drift: every command
 * of cmd_table() is an entry of twoway(1)'s COMMANDS, every option of
 * options_table() one of its SETTINGS, and every command a config file
 * may hold one of twoway.conf(5)'s COMMANDS. Meson passes the pages'
 * paths as arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/cmd.h"
#include "twoway/options.h"
#include "twoway/xmalloc.h"

static const char *man1_path, *man5_path;

/* The words of the .TP tag lines of one section, as " word word … ". */
static char *tag_words(const char *path, const char *section)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    struct buf words;
    buf_init(&words);
    buf_addc(&words, ' ');
    char line[4096];
    bool in_section = false, tag_next = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, ".SH ", 4) == 0) {
            char *name = line + 4;
            name[strcspn(name, "\n")] = '\0';
            if (*name == '"')
                name++;
            in_section = strncmp(name, section, strlen(section)) == 0;
            continue;
        }
        if (strncmp(line, ".TP", 3) == 0) {
            tag_next = in_section;
            continue;
        }
        if (!tag_next)
            continue;
        tag_next = false;
        /* Drop the macro, roff escapes and font changes; keep the words. */
        const char *p = line;
        if (*p == '.')
            p += strcspn(p, " \n");
        for (; *p; p++) {
            if (*p == '\\' && p[1] == 'f' && p[2]) {
                p += 2;
                continue;
            }
            if (*p == '\\' && p[1] == '-') {
                buf_addc(&words, '-');
                p++;
                continue;
            }
            bool word = isalnum((unsigned char)*p) || *p == '_' || *p == '-';
            buf_addc(&words, word ? *p : ' ');
        }
        buf_addc(&words, ' ');
    }
    fclose(f);
    return buf_detach(&words);
}

static bool has_word(const char *words, const char *w)
{
    char *needle = xasprintf(" %s ", w);
    bool yes = strstr(words, needle) != NULL;
    free(needle);
    return yes;
}

static void test_man__documents_every_command(void **state)
{
    (void)state;
    char *words = tag_words(man1_path, "COMMANDS");
    size_t n;
    const struct cmd_def *t = cmd_table(&n);
    for (size_t i = 0; i < n; i++)
        if (!has_word(words, t[i].name))
            fail_msg("twoway.1 does not document the command %s", t[i].name);
    free(words);
}

static void test_man__documents_every_option(void **state)
{
    (void)state;
    char *words = tag_words(man1_path, "SETTINGS");
    size_t n;
    const struct opt_def *t = options_table(&n);
    for (size_t i = 0; i < n; i++)
        if (!has_word(words, t[i].name))
            fail_msg("twoway.1 does not document the option %s", t[i].name);
    free(words);
}

static void test_man__conf_page_documents_the_config_commands(void **state)
{
    (void)state;
    char *words = tag_words(man5_path, "COMMANDS");
    size_t n;
    const struct cmd_def *t = cmd_table(&n);
    for (size_t i = 0; i < n; i++)
        if ((t[i].flags & CMD_CONFIG) && !has_word(words, t[i].name))
            fail_msg("twoway.conf.5 does not document the config command %s", t[i].name);
    free(words);
}

static void test_man__the_check_itself_notices_a_missing_word(void **state)
{
    (void)state;
    char *words = tag_words(man1_path, "COMMANDS");
    assert_true(has_word(words, "next-unread"));
    assert_false(has_word(words, "frobnicate"));
    assert_false(has_word(words, "next-unrea"));
    free(words);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_man twoway.1 twoway.conf.5\n");
        return 2;
    }
    man1_path = argv[1];
    man5_path = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_man__documents_every_command),
        cmocka_unit_test(test_man__documents_every_option),
        cmocka_unit_test(test_man__conf_page_documents_the_config_commands),
        cmocka_unit_test(test_man__the_check_itself_notices_a_missing_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
