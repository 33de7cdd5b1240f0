/* fuzz — what every fuzz target shares.
 *
 * A target is one fuzz_<name>.c defining LLVMFuzzerTestOneInput(). Built
 * with clang and -Dfuzz=true it is a libFuzzer program; otherwise replay.c
 * supplies main() and feeds it every file of a corpus directory, so each
 * test run replays the corpus under whatever sanitizers the build has.
 *
 * Targets check properties, not just "did not crash": a broken property
 * aborts through FUZZ_CHECK, which libFuzzer and the test runner both
 * report as a failure with the message. */
#ifndef TWOWAY_FUZZ_H
#define TWOWAY_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: run once before the first input (libFuzzer and replay.c both
 * call it when a target defines it). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The input as a NUL-terminated string (owned). Embedded NULs stay, so a
 * C-string API sees the input up to the first one. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* Strictly valid UTF-8 (no overlongs, surrogates, > U+10FFFF), checked
 * here without utf8proc so the code under test is not its own judge. */
bool fuzz_utf8_ok(const char *s, size_t len);

/* What text_sanitize() promises: valid UTF-8 with no C0 control (but '\n'
 * when newline_ok), DEL, C1 control, ESC, bidi control, tab, CR, or line/
 * paragraph separator. On failure *why names the first offence. */
bool fuzz_display_safe(const char *s, bool newline_ok, const char **why);

/* FUZZ_CHECK(fuzz_display_safe(...)) with the field named in the message. */
void fuzz_check_text(const char *what, const char *s, bool newline_ok);

/* A private scratch file path for targets that read files (owned by the
 * helper; the file is removed at exit). */
const char *fuzz_scratch_path(void);

#endif
