/* fuzz_cmd_split — the word splitter every command line goes through (the
 * `:` line, the rc file, -e, --batch, token_command, $EDITOR).
 *
 * The input is one line (up to its first NUL, as the callers see it).
 * Properties: either words or an error, never both; argv is NULL-terminated
 * and argc counts it; no word is empty unless it was quoted; a line with no
 * quote, backslash or '#' splits exactly at blanks; and quoting the words
 * back ("…" with \\ and \" escaped) and splitting again gives the same
 * words. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "twoway/buf.h"
#include "twoway/cmd.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Words of a line without special characters, split at blanks. */
static void check_plain(const char *line, char **argv, int argc)
{
    if (strpbrk(line, "\"'\\#"))
        return;
    int k = 0;
    for (const char *p = line; *p;) {
        while (*p && blank(*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !blank(*p))
            p++;
        size_t n = (size_t)(p - start);
        FUZZ_CHECK(k < argc, "plain line: more than %d words", argc);
        FUZZ_CHECK(strlen(argv[k]) == n && memcmp(argv[k], start, n) == 0,
                   "plain line: word %d is \"%s\"", k, argv[k]);
        k++;
    }
    FUZZ_CHECK(k == argc, "plain line: %d words, split gave %d", k, argc);
}

static char *quote_all(char **argv, int argc)
{
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < argc; i++) {
        if (i)
            buf_addc(&b, ' ');
        buf_addc(&b, '"');
        for (const char *p = argv[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_addc(&b, '\\');
            buf_addc(&b, *p);
        }
        buf_addc(&b, '"');
    }
    return buf_detach(&b);
}

static void check_round_trip(char **argv, int argc)
{
    char *line = quote_all(argv, argc);
    int argc2 = -1;
    char *err = NULL;
    char **argv2 = cmd_split(line, &argc2, &err);
    /* Quoting may make a line longer than the splitter's limit. */
    if (!argv2 && err && strstr(err, "too long")) {
        free(err);
        free(line);
        return;
    }
    FUZZ_CHECK(argv2 && !err, "quoted words do not split again: %s", err ? err : "");
    FUZZ_CHECK(argc2 == argc, "%d words quoted, %d split back", argc, argc2);
    for (int i = 0; i < argc; i++)
        FUZZ_CHECK(strcmp(argv[i], argv2[i]) == 0, "word %d: \"%s\" came back \"%s\"", i, argv[i],
                   argv2[i]);
    cmd_argv_free(argv2, argc2);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_cstr(data, size);
    int argc = -1;
    char *err = NULL;
    char **argv = cmd_split(line, &argc, &err);
    if (!argv) {
        FUZZ_CHECK(err && *err, "no words and no error");
        free(err);
        free(line);
        return 0;
    }
    FUZZ_CHECK(!err, "words and an error: %s", err);
    FUZZ_CHECK(argc >= 0 && argv[argc] == NULL, "argv[%d] is not NULL", argc);
    bool quotes = strpbrk(line, "\"'") != NULL;
    for (int i = 0; i < argc; i++) {
        FUZZ_CHECK(argv[i] != NULL, "argv[%d] is NULL", i);
        FUZZ_CHECK(*argv[i] || quotes, "empty word %d without quotes", i);
    }
    check_plain(line, argv, argc);
    check_round_trip(argv, argc);
    cmd_argv_free(argv, argc);
    free(line);
    return 0;
}
