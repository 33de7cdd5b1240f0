/* fuzz_outbox — reading an outbox file that a crash, a full disk or another
 * program left in any state.
 *
 * The input is the file. Properties: outbox_open() gives an outbox (a
 * readable file is never refused as a whole), and reports the lines it
 * skipped; every entry it keeps has an echo id, a conversation and valid
 * UTF-8 text, with a display-safe error; and saving what was read and
 * reading it back gives the same entries without complaint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "twoway/outbox.h"

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot write %s", path);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", path);
}

static void check_entry(const struct outbox_entry *e)
{
    FUZZ_CHECK(e->echo_id && *e->echo_id, "an entry without an echo id");
    FUZZ_CHECK(e->conv > 0, "conversation %lld", (long long)e->conv);
    FUZZ_CHECK(e->content && fuzz_utf8_ok(e->content, strlen(e->content)),
               "content is not valid UTF-8");
    fuzz_check_text("outbox error", e->error, false);
    FUZZ_CHECK(e->state == OUTBOX_PENDING || e->state == OUTBOX_FAILED, "state %d", e->state);
}

static bool same_entry(const struct outbox_entry *a, const struct outbox_entry *b)
{
    return strcmp(a->echo_id, b->echo_id) == 0 && a->conv == b->conv &&
           strcmp(a->content, b->content) == 0 && a->is_private == b->is_private &&
           a->created_at == b->created_at && a->after_id == b->after_id && a->state == b->state &&
           a->verify == b->verify && a->held == b->held && a->attempts == b->attempts &&
           strcmp(a->error, b->error) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_path();
    write_file(path, data, size);

    char *err = NULL;
    struct outbox *o = outbox_open(path, &err);
    FUZZ_CHECK(o != NULL, "a readable outbox was refused: %s", err ? err : "");
    free(err);
    size_t n = outbox_len(o);
    for (size_t i = 0; i < n; i++)
        check_entry(outbox_at(o, i));
    FUZZ_CHECK(outbox_at(o, n) == NULL, "an entry past the end");

    err = NULL;
    FUZZ_CHECK(outbox_save(o, &err) == 0, "cannot save: %s", err ? err : "");
    struct outbox *back = outbox_open(path, &err);
    FUZZ_CHECK(back && !err, "what was saved does not read back: %s", err ? err : "");
    FUZZ_CHECK(outbox_len(back) == n, "%zu entries saved, %zu read back", n, outbox_len(back));
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(same_entry(outbox_at(o, i), outbox_at(back, i)), "entry %zu changed", i);
    outbox_free(&back);
    outbox_free(&o);
    FUZZ_CHECK(o == NULL, "outbox_free left the pointer");
    return 0;
}
