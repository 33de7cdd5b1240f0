/* The man pages against the tables, so they cannot drift: every command
 * of cmd_table() is an entry of twoway(1)'s COMMANDS, every option of
 * options_table() one of its SETTINGS, every key the codec writes (what
 * --json prints) is named in its JSON OUTPUT, and every command a config
 * file may hold one of twoway.conf(5)'s COMMANDS. Meson passes the pages'
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

#include <json-c/json.h>

#include "twoway/buf.h"
#include "twoway/cmd.h"
#include "twoway/codec.h"
#include "twoway/options.h"
#include "twoway/phone.h"
#include "twoway/xmalloc.h"

static const char *man1_path, *man5_path;

/* The words of the .TP tag lines of one section (or all its lines), as
 * " word word … ". */
static char *section_words(const char *path, const char *section, bool all)
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
        if (!tag_next && !(all && in_section))
            continue;
        tag_next = false;
        /* Drop the macro, roff escapes and font changes; keep the words. */
        const char *p = line;
        if (all && *p == '.' && !(p[1] == 'B' || p[1] == 'I' || p[1] == 'R'))
            continue; /* a request, not text */
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

static char *tag_words(const char *path, const char *section)
{
    return section_words(path, section, false);
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

/* QUIET HOURS lists the country table: every calling code and zone. */
static void test_man__documents_the_countries_of_quiet_hours(void **state)
{
    (void)state;
    char *words = section_words(man1_path, "QUIET HOURS", true);
    size_t n;
    const struct phone_country *t = phone_countries(&n);
    for (size_t i = 0; i < n; i++) {
        if (!has_word(words, t[i].code))
            fail_msg("twoway.1 QUIET HOURS does not list +%s", t[i].code);
        for (size_t z = 0; t[i].zones[z]; z++) {
            /* Words split at "/": each part of the name is there. */
            char *name = xstrdup(t[i].zones[z]);
            for (char *part = strtok(name, "/"); part; part = strtok(NULL, "/"))
                if (!has_word(words, part))
                    fail_msg("twoway.1 QUIET HOURS does not name %s (+%s)", t[i].zones[z],
                             t[i].code);
            free(name);
        }
    }
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

/* Every key of v (and of the objects in it), but not those of custom
 * attributes, which are the server's data. */
static void check_keys(const char *words, json_object *v, const char *what)
{
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++)
            check_keys(words, json_object_array_get_idx(v, i), what);
        return;
    }
    if (!json_object_is_type(v, json_type_object))
        return;
    json_object_object_foreach(v, k, val)
    {
        if (!has_word(words, k))
            fail_msg("twoway.1's JSON OUTPUT does not name the key %s of %s", k, what);
        if (strcmp(k, "attributes") != 0)
            check_keys(words, val, what);
    }
}

static void check_record(const char *words, struct codec_val *rec, const char *what)
{
    char *text = codec_text(rec);
    json_object *o = json_tokener_parse(text);
    assert_non_null(o);
    check_keys(words, o, what);
    json_object_put(o);
    free(text);
    codec_free(&rec);
}

static void test_man__documents_every_json_key(void **state)
{
    (void)state;
    char *words = section_words(man1_path, "JSON OUTPUT", true);
    /* Records with every optional part present. */
    struct attachment att = {"image", "https://x/y.png", "png", 10};
    struct kv attr = {"plan", "gold"};
    struct message m = {.id = 7,
                        .conv_id = 3,
                        .type = MSG_OUTGOING,
                        .sender_kind = SENDER_AGENT,
                        .sender_id = 2,
                        .sender_name = "Ben",
                        .content = "hi",
                        .external_error = "30003",
                        .echo_id = "e1",
                        .created_at = 1,
                        .attachments = &att,
                        .nattachments = 1};
    char *labels[] = {"vip"};
    struct conversation c = {.id = 3,
                             .contact = {.id = 9,
                                         .name = "Maria",
                                         .phone = "+1",
                                         .email = "",
                                         .identifier = "",
                                         .attrs = &attr,
                                         .nattrs = 1},
                             .priority = PRIORITY_HIGH,
                             .assignee_id = 2,
                             .assignee_name = "Ben",
                             .team_id = 1,
                             .team_name = "Desk",
                             .labels = labels,
                             .nlabels = 1,
                             .channel = "Channel::Sms",
                             .snoozed_until = 5,
                             .has_last = true,
                             .last = m,
                             .attrs = &attr,
                             .nattrs = 1};
    check_record(words, codec_conversation(&c), "a conversation");
    struct agent a = {1, 1, "Ann", "ann@x", "agent", "online"};
    struct team t = {1, "Desk", "", true};
    struct label l = {1, "vip", "", "#fff"};
    struct inbox in = {1, "SMS", "Channel::Sms", "+1", true};
    struct template tp = {1, "hi", "Hello", false};
    const void *recs[DIR__COUNT] = {[DIR_AGENTS] = &a,
                                    [DIR_TEAMS] = &t,
                                    [DIR_LABELS] = &l,
                                    [DIR_INBOXES] = &in,
                                    [DIR_TEMPLATES] = &tp};
    for (int k = 0; k < DIR__COUNT; k++)
        check_record(words, codec_dir_record((enum dir_kind)k, recs[k]),
                     model_dir_name((enum dir_kind)k));
    struct profile p = {1, 1, "Ann", "ann@x", "agent", "Acme", NULL};
    check_record(words, codec_profile(&p), "the profile");
    struct conv_counts cc = {1, 2, 3, 4};
    check_record(words, codec_counts(&cc), "the counts");
    free(words);
}

/* The SETTINGS tag line of an option (".BR name " (type, default)""), or
 * NULL. Owned. */
static char *setting_line(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    char *want = xasprintf(".BR %s \"", name);
    char line[4096], *found = NULL;
    while (!found && fgets(line, sizeof line, f))
        if (strncmp(line, want, strlen(want)) == 0)
            found = xstrdup(line);
    fclose(f);
    free(want);
    if (!found)
        return NULL;
    found[strcspn(found, "\n")] = '\0';
    /* roff's \- is a plain - ("21:00\-08:00"). */
    char *w = found;
    for (const char *r = found; *r; r++)
        if (!(r[0] == '\\' && r[1] == '-'))
            *w++ = *r;
    *w = '\0';
    return found;
}

/* The default is the options table's: the page says the same. */
static void test_man__states_every_default_as_the_table_has_it(void **state)
{
    (void)state;
    size_t n;
    const struct opt_def *t = options_table(&n);
    for (size_t i = 0; i < n; i++) {
        char *line = setting_line(man1_path, t[i].name);
        if (!line)
            fail_msg("twoway.1 has no \".BR %s \"(type, default)\"\" line", t[i].name);
        if (*t[i].dflt && !strstr(line, t[i].dflt))
            fail_msg("twoway.1 says %s but the default of %s is %s", line, t[i].name, t[i].dflt);
        free(line);
    }
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
        cmocka_unit_test(test_man__documents_the_countries_of_quiet_hours),
        cmocka_unit_test(test_man__documents_every_json_key),
        cmocka_unit_test(test_man__states_every_default_as_the_table_has_it),
        cmocka_unit_test(test_man__conf_page_documents_the_config_commands),
        cmocka_unit_test(test_man__the_check_itself_notices_a_missing_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
