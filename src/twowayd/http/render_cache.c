/* render_cache — rendered conversations kept per reader connection.
 *
 * Agents' clients ask for the same list pages over and over, and nothing
 * in them changes between two writes. Each reader connection keeps the
 * JSON text of the conversations it rendered, for as long as its
 * generation says the database has not changed (store/db.h: any commit,
 * by this process or another, empties it); a conversation is keyed with
 * the agent who asked (the team's is_member is theirs). The text goes
 * into the answer as it is, through json-c's user-data serializer. */
#include "http/render.h"

#include <stdlib.h>
#include <string.h>

#include "store/attach.h"
#include "store/db.h"
#include "twoway/xmalloc.h"

/* Conversations kept per reader: 40 pages of 25 (about 2.5 KB each). */
#define ENTRIES 1024
#define SLOTS (ENTRIES * 2) /* open addressing, at most half full */

struct entry {
    int64_t conv, viewer; /* conv 0: empty */
    char *json;
};

struct render_cache {
    uint64_t generation;
    int64_t links; /* the attachment links' period the entries were made in */
    size_t n;
    struct entry slots[SLOTS];
};

static void cache_clear(struct render_cache *c)
{
    for (size_t i = 0; i < SLOTS; i++) {
        free(c->slots[i].json);
        c->slots[i] = (struct entry){0};
    }
    c->n = 0;
}

static void cache_free(void *memo)
{
    struct render_cache *c = memo;
    cache_clear(c);
    free(c);
}

static size_t slot_of(int64_t conv, int64_t viewer)
{
    uint64_t h = (uint64_t)conv * 0x9e3779b97f4a7c15ULL ^ (uint64_t)viewer * 0xbf58476d1ce4e5b9ULL;
    return (size_t)(h >> 17) % SLOTS;
}

/* A JSON object that serializes as text (copied). */
static json_object *raw(const char *text)
{
    json_object *o = json_object_new_object();
    json_object_set_serializer(o, json_object_userdata_to_json_string, xstrdup(text),
                               json_object_free_userdata);
    return o;
}

json_object *render_conversation_cached(struct db *db, int64_t conv_id, int64_t viewer_id)
{
    if (!db_is_reader(db))
        return render_conversation(db, conv_id, viewer_id);
    struct render_cache *c = db_memo(db);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        db_set_memo(db, c, cache_free);
    }
    /* A conversation's last message may carry a signed attachment link:
     * made anew when the links' period turns, however quiet the database. */
    int64_t links = attach_period();
    if (c->generation != db_generation(db) || c->links != links || c->n >= ENTRIES) {
        cache_clear(c);
        c->generation = db_generation(db);
        c->links = links;
    }
    size_t i = slot_of(conv_id, viewer_id);
    while (c->slots[i].conv) {
        if (c->slots[i].conv == conv_id && c->slots[i].viewer == viewer_id)
            return raw(c->slots[i].json);
        i = (i + 1) % SLOTS;
    }
    json_object *o = render_conversation(db, conv_id, viewer_id);
    if (!o)
        return NULL;
    char *text = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    c->slots[i] = (struct entry){.conv = conv_id, .viewer = viewer_id, .json = text};
    c->n++;
    return raw(text);
}
