/* model — names of enums, name helpers, and the free/copy pairs that make
 * records values. Nothing here keeps state except model_contact_label()'s
 * small ring for the "#id" form. */
#include "twoway/model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "twoway/smskw.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* ---- enums ---- */

static const char *const status_names[] = {
    [CONV_OPEN] = "open",
    [CONV_PENDING] = "pending",
    [CONV_RESOLVED] = "resolved",
    [CONV_SNOOZED] = "snoozed",
};

static const char *const priority_names[] = {
    [PRIORITY_NONE] = "none", [PRIORITY_LOW] = "low",       [PRIORITY_MEDIUM] = "medium",
    [PRIORITY_HIGH] = "high", [PRIORITY_URGENT] = "urgent",
};

static const char *const msg_status_names[] = {
    [MSGST_SENDING] = "sending", [MSGST_SENT] = "sent",     [MSGST_DELIVERED] = "delivered",
    [MSGST_READ] = "read",       [MSGST_FAILED] = "failed", [MSGST_UNSURE] = "unsure",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Out-of-range values come from memory corruption or a newer enum; a name
 * that says so beats a crash in a format call. */
static const char *name_of(const char *const *names, size_t n, int v)
{
    if (v < 0 || (size_t)v >= n)
        return "unknown";
    return names[v];
}

/* Exact match: these strings come from our own command line and the
 * server's JSON, both of which use the lower-case spelling. */
static int index_of(const char *const *names, size_t n, const char *s)
{
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

const char *model_status_name(enum conv_status s)
{
    return name_of(status_names, COUNT(status_names), (int)s);
}

int model_status_parse(const char *s, enum conv_status *out)
{
    int i = index_of(status_names, COUNT(status_names), s);
    if (i < 0)
        return -1;
    *out = (enum conv_status)i;
    return 0;
}

const char *model_priority_name(enum conv_priority p)
{
    return name_of(priority_names, COUNT(priority_names), (int)p);
}

int model_priority_parse(const char *s, enum conv_priority *out)
{
    int i = index_of(priority_names, COUNT(priority_names), s);
    if (i < 0)
        return -1;
    *out = (enum conv_priority)i;
    return 0;
}

const char *model_msg_status_name(enum msg_status s)
{
    return name_of(msg_status_names, COUNT(msg_status_names), (int)s);
}

/* ---- names ---- */

/* Bytes of the white-space character at s, or 0. Covers ASCII space and the
 * Unicode spaces people paste from other apps (no-break, ideographic…). */
static size_t space_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r'))
        return 1;
    if (u[0] == 0xC2 && u[1] == 0xA0) /* U+00A0 */
        return 2;
    if (u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) /* U+1680 */
        return 3;
    /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (u[0] == 0xE2 && u[1] == 0x80 &&
        ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF))
        return 3;
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) /* U+205F */
        return 3;
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) /* U+3000 */
        return 3;
    return 0;
}

/* A grapheme cluster separates words only if it is white space through and
 * through; a space carrying a combining mark draws as a letter. */
static bool cluster_is_space(const char *s, size_t from, size_t to)
{
    while (from < to) {
        size_t n = space_len(s + from);
        if (n == 0)
            return false;
        from += n;
    }
    return true;
}

struct word {
    size_t start, end;
};

/* First and last word of name; returns the number of words (0, 1 or 2+). */
static int name_words(const char *name, struct word *first, struct word *last)
{
    int count = 0;
    size_t pos = 0, len = strlen(name);
    bool in_word = false;
    struct word w = {0, 0};
    while (pos < len) {
        size_t next = text_next_grapheme(name, pos);
        if (next <= pos)
            next = pos + 1; /* cannot happen on valid UTF-8; guarantees an end */
        if (cluster_is_space(name, pos, next)) {
            in_word = false;
        } else {
            if (!in_word) {
                w.start = pos;
                in_word = true;
                count++;
            }
            w.end = next;
        }
        if (in_word)
            *(count == 1 ? first : last) = w;
        pos = next;
    }
    return count;
}

char *model_first_name(const char *name)
{
    struct word first = {0, 0}, last = {0, 0};
    if (!name || name_words(name, &first, &last) == 0)
        return xstrdup("");
    return xstrndup(name + first.start, first.end - first.start);
}

/* Chatwoot's dashboard splits a display name the same way: the first word
 * is the first name and the LAST word the last name, so "María José Núñez"
 * gives "María" and "Núñez" (the middle words belong to neither). A name
 * without spaces, as many CJK names are written, is all first name. */
char *model_last_name(const char *name)
{
    struct word first = {0, 0}, last = {0, 0};
    if (!name || name_words(name, &first, &last) < 2)
        return xstrdup("");
    return xstrndup(name + last.start, last.end - last.start);
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    while (*s) {
        size_t n = space_len(s);
        if (n == 0)
            return false;
        s += n;
    }
    return true;
}

/* The "#id" form must be borrowed like the others; a small ring lets a few
 * labels live at once (one row, a header and a status line) in this
 * single-threaded client. */
#define LABEL_RING 8

const char *model_contact_label(const struct contact *c)
{
    static char ring[LABEL_RING][24];
    static unsigned next;
    if (!c)
        return "";
    if (!blank(c->name))
        return c->name;
    if (!blank(c->phone))
        return c->phone;
    char *slot = ring[next++ % LABEL_RING];
    snprintf(slot, sizeof ring[0], "#%" PRId64, c->id);
    return slot;
}

const char *model_kv_get(const struct kv *kv, size_t n, const char *key)
{
    if (!kv || !key)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (kv[i].key && strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

/* ---- free ---- */

void model_kv_free(struct kv *kv, size_t n)
{
    if (!kv)
        return;
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void model_contact_free(struct contact *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->phone);
    free(c->email);
    free(c->identifier);
    model_kv_free(c->attrs, c->nattrs);
    memset(c, 0, sizeof *c);
}

static void attachments_free(struct attachment *a, size_t n)
{
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        free(a[i].file_type);
        free(a[i].url);
        free(a[i].extension);
    }
    free(a);
}

void model_message_free(struct message *m)
{
    if (!m)
        return;
    free(m->sender_name);
    free(m->content);
    free(m->external_error);
    free(m->echo_id);
    attachments_free(m->attachments, m->nattachments);
    memset(m, 0, sizeof *m);
}

static void strings_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void model_conversation_free(struct conversation *c)
{
    if (!c)
        return;
    model_contact_free(&c->contact);
    free(c->assignee_name);
    free(c->team_name);
    strings_free(c->labels, c->nlabels);
    free(c->channel);
    model_message_free(&c->last);
    model_kv_free(c->attrs, c->nattrs);
    memset(c, 0, sizeof *c);
}

void model_agent_free(struct agent *a)
{
    if (!a)
        return;
    free(a->name);
    free(a->email);
    free(a->role);
    free(a->availability);
    memset(a, 0, sizeof *a);
}

void model_team_free(struct team *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->description);
    memset(t, 0, sizeof *t);
}

void model_label_free(struct label *l)
{
    if (!l)
        return;
    free(l->title);
    free(l->description);
    free(l->color);
    memset(l, 0, sizeof *l);
}

void model_inbox_free(struct inbox *i)
{
    if (!i)
        return;
    free(i->name);
    free(i->channel_type);
    free(i->phone);
    memset(i, 0, sizeof *i);
}

void model_template_free(struct template *t)
{
    if (!t)
        return;
    free(t->short_code);
    free(t->content);
    memset(t, 0, sizeof *t);
}

/* ---- the directory, by kind ---- */

#define X(kind, field, rec)                                                                        \
    _Static_assert(offsetof(struct rec, id) == 0, "a directory record starts with its id");
MODEL_DIRECTORY(X)
#undef X

const char *model_dir_name(enum dir_kind k)
{
    switch (k) {
#define X(kind, field, rec)                                                                        \
    case kind:                                                                                     \
        return #field;
        MODEL_DIRECTORY(X)
#undef X
    case DIR__COUNT:
        break;
    }
    return "?";
}

size_t model_dir_size(enum dir_kind k)
{
    switch (k) {
#define X(kind, field, rec)                                                                        \
    case kind:                                                                                     \
        return sizeof(struct rec);
        MODEL_DIRECTORY(X)
#undef X
    case DIR__COUNT:
        break;
    }
    return 0;
}

void model_dir_record_free(enum dir_kind k, void *rec)
{
    switch (k) {
#define X(kind, field, rec_)                                                                       \
    case kind:                                                                                     \
        model_##rec_##_free(rec);                                                                  \
        return;
        MODEL_DIRECTORY(X)
#undef X
    case DIR__COUNT:
        break;
    }
}

void model_directory_take(struct directory *d, enum dir_kind k, void **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    switch (k) {
#define X(kind, field, rec)                                                                        \
    case kind:                                                                                     \
        *items = d->field;                                                                         \
        *n = d->field ? d->n##field : 0;                                                           \
        d->field = NULL;                                                                           \
        d->n##field = 0;                                                                           \
        return;
        MODEL_DIRECTORY(X)
#undef X
    case DIR__COUNT:
        break;
    }
}

void model_directory_put(struct directory *d, enum dir_kind k, void *items, size_t n)
{
    switch (k) {
#define X(kind, field, rec)                                                                        \
    case kind:                                                                                     \
        d->field = items;                                                                          \
        d->n##field = items ? n : 0;                                                               \
        return;
        MODEL_DIRECTORY(X)
#undef X
    case DIR__COUNT:
        break;
    }
}

void model_dir_list_free(enum dir_kind k, void *items, size_t n)
{
    size_t size = model_dir_size(k);
    for (size_t i = 0; items && i < n; i++)
        model_dir_record_free(k, (char *)items + i * size);
    free(items);
}

void model_directory_free(struct directory *d)
{
    for (int k = 0; k < DIR__COUNT; k++) {
        void *items;
        size_t n;
        model_directory_take(d, (enum dir_kind)k, &items, &n);
        model_dir_list_free((enum dir_kind)k, items, n);
    }
}

void model_profile_free(struct profile *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->email);
    free(p->role);
    free(p->account_name);
    free(p->pubsub_token);
    memset(p, 0, sizeof *p);
}

/* ---- copy ---- */

/* A NULL string stays NULL: a copy is the same value, even of a record
 * that was only zero-initialised. */
#define DUP(s) xstrdup_or_null(s)

static struct kv *kv_copy(const struct kv *src, size_t n)
{
    if (!src || n == 0)
        return NULL;
    struct kv *kv = xcalloc(n, sizeof *kv);
    for (size_t i = 0; i < n; i++) {
        kv[i].key = DUP(src[i].key);
        kv[i].value = DUP(src[i].value);
    }
    return kv;
}

void model_contact_copy(struct contact *dst, const struct contact *src)
{
    *dst = *src;
    dst->name = DUP(src->name);
    dst->phone = DUP(src->phone);
    dst->email = DUP(src->email);
    dst->identifier = DUP(src->identifier);
    dst->attrs = kv_copy(src->attrs, src->nattrs);
    if (!dst->attrs)
        dst->nattrs = 0;
}

void model_message_copy(struct message *dst, const struct message *src)
{
    *dst = *src;
    dst->sender_name = DUP(src->sender_name);
    dst->content = DUP(src->content);
    dst->external_error = DUP(src->external_error);
    dst->echo_id = DUP(src->echo_id);
    dst->attachments = NULL;
    dst->nattachments = 0;
    if (!src->attachments || src->nattachments == 0)
        return;
    dst->attachments = xcalloc(src->nattachments, sizeof *dst->attachments);
    dst->nattachments = src->nattachments;
    for (size_t i = 0; i < src->nattachments; i++) {
        const struct attachment *a = &src->attachments[i];
        struct attachment *b = &dst->attachments[i];
        b->file_type = DUP(a->file_type);
        b->url = DUP(a->url);
        b->extension = DUP(a->extension);
        b->size = a->size;
    }
}

void model_conversation_copy(struct conversation *dst, const struct conversation *src)
{
    *dst = *src;
    model_contact_copy(&dst->contact, &src->contact);
    dst->assignee_name = DUP(src->assignee_name);
    dst->team_name = DUP(src->team_name);
    dst->channel = DUP(src->channel);
    dst->labels = NULL;
    dst->nlabels = 0;
    if (src->labels && src->nlabels > 0) {
        dst->labels = xcalloc(src->nlabels, sizeof *dst->labels);
        dst->nlabels = src->nlabels;
        for (size_t i = 0; i < src->nlabels; i++)
            dst->labels[i] = DUP(src->labels[i]);
    }
    model_message_copy(&dst->last, &src->last);
    dst->attrs = kv_copy(src->attrs, src->nattrs);
    if (!dst->attrs)
        dst->nattrs = 0;
}

bool model_conversation_waiting(const struct conversation *c)
{
    if (!c || c->contact.opted_out)
        return false; /* nothing can be sent to them */
    if (!c->waiting_since && !(c->has_last && c->last.type == MSG_INCOMING))
        return false;
    /* The customer's last word was STOP or HELP: the SMS system answers
     * those (twowayd's compliance replies, Twilio's own before Chatwoot
     * sees them), and Chatwoot still counts the customer as waiting. */
    if (c->has_last && c->last.type == MSG_INCOMING && !c->last.is_private) {
        enum smskw_kind k = smskw_match(c->last.content, NULL);
        if (k == SMSKW_STOP || k == SMSKW_HELP)
            return false;
    }
    return true;
}

int64_t model_conversation_waiting_since(const struct conversation *c)
{
    if (!model_conversation_waiting(c))
        return 0;
    if (c->waiting_since)
        return c->waiting_since;
    return c->has_last && c->last.type == MSG_INCOMING ? c->last.created_at : 0;
}

bool model_name_is_phone(const char *name)
{
    if (!name)
        return false;
    int digits = 0;
    for (const char *p = name; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (!strchr("+ -().", *p))
            return false;
    }
    return digits >= 3;
}

/* ---- the server's filter ---- */

void model_conv_filter_free(struct conv_filter *f)
{
    for (size_t i = 0; i < f->nconds; i++) {
        for (size_t k = 0; k < f->conds[i].nvalues; k++)
            free(f->conds[i].values[k]);
        free(f->conds[i].values);
    }
    free(f->conds);
    memset(f, 0, sizeof *f);
}

void model_conv_filter_add(struct conv_filter *f, enum conv_filter_key key, bool neg, bool present,
                           const char *const *values, size_t n)
{
    f->conds = xreallocarray(f->conds, f->nconds + 1, sizeof *f->conds);
    struct conv_filter_cond *c = &f->conds[f->nconds++];
    *c = (struct conv_filter_cond){.key = key, .neg = neg, .present = present};
    c->values = xcalloc(n ? n : 1, sizeof *c->values);
    for (size_t i = 0; i < n; i++)
        c->values[i] = xstrdup(values[i]);
    c->nvalues = n;
}

void model_conv_filter_copy(struct conv_filter *dst, const struct conv_filter *src)
{
    memset(dst, 0, sizeof *dst);
    for (size_t i = 0; src && i < src->nconds; i++) {
        const struct conv_filter_cond *c = &src->conds[i];
        model_conv_filter_add(dst, c->key, c->neg, c->present, (const char *const *)c->values,
                              c->nvalues);
    }
    dst->exact = src ? src->exact : false;
}

bool model_conv_filter_equal(const struct conv_filter *a, const struct conv_filter *b)
{
    size_t na = a ? a->nconds : 0, nb = b ? b->nconds : 0;
    if (na != nb || (na && a->exact != b->exact))
        return false;
    for (size_t i = 0; i < na; i++) {
        const struct conv_filter_cond *x = &a->conds[i], *y = &b->conds[i];
        if (x->key != y->key || x->neg != y->neg || x->present != y->present ||
            x->nvalues != y->nvalues)
            return false;
        for (size_t k = 0; k < x->nvalues; k++)
            if (strcmp(x->values[k], y->values[k]) != 0)
                return false;
    }
    return true;
}

const char *model_conv_filter_key_name(enum conv_filter_key k)
{
    static const char *const names[] = {"status",  "assignee_id", "inbox_id",
                                        "team_id", "priority",    "labels"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "";
}

/* One condition's values against one value of the conversation ("" for
 * none). */
static bool cond_has(const struct conv_filter_cond *c, const char *v)
{
    for (size_t k = 0; k < c->nvalues; k++)
        if (strcasecmp(c->values[k], v) == 0)
            return true;
    return false;
}

static bool cond_match(const struct conv_filter_cond *c, const struct conversation *cv)
{
    char num[24];
    const char *v = "";
    switch (c->key) {
    case CF_STATUS:
        v = model_status_name(cv->status);
        break;
    case CF_PRIORITY:
        v = cv->priority == PRIORITY_NONE ? "" : model_priority_name(cv->priority);
        break;
    case CF_ASSIGNEE:
    case CF_INBOX:
    case CF_TEAM: {
        int64_t id = c->key == CF_ASSIGNEE ? cv->assignee_id
                     : c->key == CF_INBOX  ? cv->inbox_id
                                           : cv->team_id;
        if (id) {
            snprintf(num, sizeof num, "%lld", (long long)id);
            v = num;
        }
        break;
    }
    case CF_LABELS: {
        if (c->present)
            return (cv->nlabels > 0) != c->neg;
        bool any = false;
        for (size_t i = 0; i < cv->nlabels && !any; i++)
            any = cond_has(c, cv->labels[i]);
        return any != c->neg;
    }
    }
    if (c->present)
        return (*v != '\0') != c->neg;
    if (!*v)
        return false; /* IN and NOT IN alike leave out what has no value */
    return cond_has(c, v) != c->neg;
}

bool model_conv_filter_match(const struct conv_filter *f, const struct conversation *c)
{
    for (size_t i = 0; f && i < f->nconds; i++)
        if (!cond_match(&f->conds[i], c))
            return false;
    return true;
}
