/* view — the agent's view state: filter, limit, selection, marks. Plain
 * data changed by commands; gen tells the ui something moved. */
#include "twoway/view.h"

#include <stdlib.h>
#include <string.h>

#include "twoway/pattern.h"
#include "twoway/xmalloc.h"

void view_init(struct view *v)
{
    memset(v, 0, sizeof *v);
    /* Chatwoot's dashboard opens on "Mine", open conversations. */
    v->assignee = ASSIGNEE_MINE;
    v->status = CONV_OPEN;
    v->focus = VIEW_FOCUS_LIST;
}

void view_free(struct view *v)
{
    if (!v)
        return;
    free(v->label);
    free(v->search);
    free(v->sort_by);
    free(v->limit_text);
    pattern_free(&v->limit);
    free(v->marks);
    /* Zeroed, so a second view_free (or a stray read) finds nothing. */
    memset(v, 0, sizeof *v);
}

void view_query(const struct view *v, int page, struct conv_query *q)
{
    memset(q, 0, sizeof *q);
    q->assignee = v->assignee;
    q->status = v->status;
    q->inbox_id = v->inbox_id;
    q->team_id = v->team_id;
    q->label = v->label;
    q->q = v->search;
    q->page = page < 1 ? 1 : page;
    q->sort_by = v->sort_by;
}

void view_touch(struct view *v)
{
    v->gen++;
}

static bool same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Replace *slot with a copy of text ("" counts as NULL: an empty filter is
 * no filter); bumps gen only on a real change so a repeated command does not
 * make the list refetch. */
static void set_text(struct view *v, char **slot, const char *text)
{
    if (text && !*text)
        text = NULL;
    if (same_text(*slot, text))
        return;
    free(*slot);
    *slot = xstrdup_or_null(text);
    v->gen++;
}

void view_set_label(struct view *v, const char *label)
{
    set_text(v, &v->label, label);
}

void view_set_search(struct view *v, const char *text)
{
    set_text(v, &v->search, text);
}

void view_set_sort(struct view *v, const char *sort)
{
    static const struct {
        const char *name, *sort_by;
    } orders[] = {
        {"created", "created_at_desc"},
        {"priority", "priority_desc"},
        {"waiting", "waiting_since_asc"},
    };
    const char *by = NULL; /* last_activity: the server's own */
    for (size_t i = 0; sort && i < sizeof orders / sizeof orders[0]; i++)
        if (strcmp(sort, orders[i].name) == 0)
            by = orders[i].sort_by;
    set_text(v, &v->sort_by, by);
}

static bool blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

int view_set_limit(struct view *v, const char *text, char **err)
{
    *err = NULL;
    if (!text || blank(text)) { /* `limit` with nothing after it clears */
        if (v->limit || v->limit_text) {
            pattern_free(&v->limit);
            xfree_null(&v->limit_text);
            v->gen++;
        }
        return 0;
    }
    /* Compile first: a typo keeps the limit the agent already had. */
    struct pattern *p = pattern_compile(text, err);
    if (!p)
        return -1;
    pattern_free(&v->limit);
    free(v->limit_text);
    v->limit = p;
    v->limit_text = xstrdup(text);
    v->gen++;
    return 0;
}

/* ---- marks: a sorted id array ---- */

/* Index of the first mark >= id (nmarks if none). */
static size_t marks_lower_bound(const struct view *v, int64_t id)
{
    size_t lo = 0, hi = v->nmarks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->marks[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool view_marked(const struct view *v, int64_t id)
{
    size_t i = marks_lower_bound(v, id);
    return i < v->nmarks && v->marks[i] == id;
}

/* The capacity is a function of the count (a power of two, at least 16), so
 * the struct needs no extra field and removing marks never reallocates. */
static size_t marks_cap(size_t n)
{
    if (n == 0)
        return 0;
    size_t cap = 16;
    while (cap < n)
        cap *= 2;
    return cap;
}

static void marks_insert_at(struct view *v, size_t i, int64_t id)
{
    if (marks_cap(v->nmarks + 1) != marks_cap(v->nmarks))
        v->marks = xreallocarray(v->marks, marks_cap(v->nmarks + 1), sizeof *v->marks);
    memmove(v->marks + i + 1, v->marks + i, (v->nmarks - i) * sizeof *v->marks);
    v->marks[i] = id;
    v->nmarks++;
}

static void marks_remove_at(struct view *v, size_t i)
{
    memmove(v->marks + i, v->marks + i + 1, (v->nmarks - i - 1) * sizeof *v->marks);
    if (--v->nmarks == 0)
        xfree_null(&v->marks);
}

void view_mark(struct view *v, int64_t id, bool on)
{
    size_t i = marks_lower_bound(v, id);
    bool present = i < v->nmarks && v->marks[i] == id;
    if (on == present)
        return;
    if (on)
        marks_insert_at(v, i, id);
    else
        marks_remove_at(v, i);
    v->gen++;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted, duplicate-free copy of ids; returns its length. */
static size_t sorted_unique(const int64_t *ids, size_t n, int64_t **out)
{
    int64_t *s = xreallocarray(NULL, n ? n : 1, sizeof *s);
    memcpy(s, ids, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_id);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || s[m - 1] != s[i])
            s[m++] = s[i];
    *out = s;
    return m;
}

/* One merge pass of two sorted sets: union (on) or difference (off). */
void view_mark_many(struct view *v, const int64_t *ids, size_t n, bool on)
{
    if (n == 0)
        return;
    int64_t *add;
    size_t nadd = sorted_unique(ids, n, &add);
    size_t total = on ? v->nmarks + nadd : v->nmarks;
    int64_t *out = xreallocarray(NULL, marks_cap(total) ? marks_cap(total) : 1, sizeof *out);
    size_t i = 0, j = 0, k = 0;
    while (i < v->nmarks || j < nadd) {
        if (j == nadd || (i < v->nmarks && v->marks[i] < add[j])) {
            out[k++] = v->marks[i++];
        } else if (i == v->nmarks || add[j] < v->marks[i]) {
            if (on)
                out[k++] = add[j];
            j++;
        } else { /* in both */
            if (on)
                out[k++] = v->marks[i];
            i++;
            j++;
        }
    }
    free(add);
    if (k != v->nmarks) /* a union or difference of the same size is the same set */
        v->gen++;
    free(v->marks);
    v->marks = out;
    v->nmarks = k;
    if (k == 0)
        xfree_null(&v->marks);
}

void view_clear_marks(struct view *v)
{
    if (v->nmarks == 0)
        return;
    xfree_null(&v->marks);
    v->nmarks = 0;
    v->gen++;
}
