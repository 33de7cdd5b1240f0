/* codec_model — the records, each described once by a table of its keys:
 * the same table writes a record and reads it back, so the cache and
 * `--json` cannot drift apart, and a new field is one line. */
#include <stdlib.h>
#include <string.h>

#include "codec_priv.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

/* No list of ours comes near this; a bigger one is damage. */
#define MAX_ITEMS 10000

enum ftype {
    F_INT,       /* int64_t */
    F_INT32,     /* int */
    F_BOOL,      /* bool */
    F_TEXT,      /* char *, one line */
    F_TEXTN,     /* char *, lines */
    F_TEXT_NULL, /* char *, one line; "" is null */
    F_TEXT_OPT,  /* char *, one line; "" is left out */
    F_TIME,      /* int64_t epoch; ISO-8601 or null */
    F_ENUM,      /* an enum (int), by the names in `names`; names[0] is null with F_NULL0 */
    F_STRINGS,   /* char ** at off, size_t count at off2 */
    F_KV,        /* struct kv * at off, size_t count at off2: an object */
    F_REF,       /* int64_t id at off, char *name at off2: {id, name} or null */
    F_RECORD,    /* a nested record (sub) at off */
    F_OPT,       /* a nested record at off, present when the bool at off2 is: else null */
    F_ARRAY,     /* an array of records (sub) at off, size_t count at off2 */
    F_DIRECTION, /* a message's type at off and is_private at off2 */
    F_SENDER,    /* a message's sender_kind at off, sender_id at off2, sender_name at off3 */
};

#define F_NULL0 1u /* F_ENUM: the first name is written as null (priority none) */
#define F_OMIT0 2u /* F_INT: 0 is left out (a local template has no id) */

struct record;

struct field {
    const char *key;
    enum ftype type;
    size_t off, off2, off3;
    unsigned flags;
    const char *const *names; /* F_ENUM */
    int nnames;
    const struct record *sub; /* F_RECORD, F_OPT, F_ARRAY */
};

struct record {
    size_t size;
    const struct field *fields;
    size_t nfields;
    const char *id_key; /* a record without it is damaged ("" for none) */
    /* After reading: what the fields cannot say (a message's conversation
     * when nested, a template's origin…). May be NULL. */
    void (*fixup)(const struct codec_val *v, void *rec);
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define AT(T, f) offsetof(T, f)
#define FIELD(T, key, type, f)                                                                     \
    {                                                                                              \
        key, type, AT(T, f), 0, 0, 0, NULL, 0, NULL                                                \
    }
#define FIELD2(T, key, type, f, g)                                                                 \
    {                                                                                              \
        key, type, AT(T, f), AT(T, g), 0, 0, NULL, 0, NULL                                         \
    }
#define ENUMF(T, key, f, names, flags)                                                             \
    {                                                                                              \
        key, F_ENUM, AT(T, f), 0, 0, flags, names, N(names), NULL                                  \
    }
#define SUBF(T, key, type, f, g, rec)                                                              \
    {                                                                                              \
        key, type, AT(T, f), g, 0, 0, NULL, 0, &rec                                                \
    }

_Static_assert(sizeof(enum conv_status) == sizeof(int), "enums are ints");
_Static_assert(sizeof(enum conv_priority) == sizeof(int), "enums are ints");
_Static_assert(sizeof(enum msg_status) == sizeof(int), "enums are ints");
_Static_assert(sizeof(enum msg_type) == sizeof(int), "enums are ints");
_Static_assert(sizeof(enum sender_kind) == sizeof(int), "enums are ints");

static const char *const status_names[] = {"open", "pending", "resolved", "snoozed"};
static const char *const priority_names[] = {"none", "low", "medium", "high", "urgent"};
static const char *const msg_status_names[] = {"sending", "sent",   "delivered",
                                               "read",    "failed", "unsure"};
static const char *const sender_names[] = {"system", "contact", "agent", "bot"};

/* ---- the records ---- */

static const struct field attachment_fields[] = {
    FIELD(struct attachment, "file_type", F_TEXT, file_type),
    FIELD(struct attachment, "url", F_TEXT, url),
    FIELD(struct attachment, "extension", F_TEXT, extension),
    FIELD(struct attachment, "size", F_INT, size),
};
static const struct record attachment_rec = {sizeof(struct attachment), attachment_fields,
                                             N(attachment_fields), "", NULL};

static void message_fixup(const struct codec_val *v, void *rec);

static const struct field message_fields[] = {
    FIELD(struct message, "id", F_INT, id),
    FIELD(struct message, "conversation", F_INT, conv_id),
    FIELD2(struct message, "direction", F_DIRECTION, type, is_private),
    {"sender", F_SENDER, AT(struct message, sender_kind), AT(struct message, sender_id),
     AT(struct message, sender_name), 0, NULL, 0, NULL},
    ENUMF(struct message, "status", status, msg_status_names, 0),
    FIELD(struct message, "error", F_TEXT_NULL, external_error),
    FIELD(struct message, "content", F_TEXTN, content),
    FIELD(struct message, "created_at", F_TIME, created_at),
    FIELD(struct message, "echo_id", F_TEXT_OPT, echo_id),
    FIELD(struct message, "deleted", F_BOOL, deleted),
    SUBF(struct message, "attachments", F_ARRAY, attachments, AT(struct message, nattachments),
         attachment_rec),
};
/* A message without an id is one of ours still on its way: not damage. */
static const struct record message_rec = {sizeof(struct message), message_fields, N(message_fields),
                                          "", message_fixup};

static const struct field contact_fields[] = {
    FIELD(struct contact, "id", F_INT, id),
    FIELD(struct contact, "name", F_TEXT, name),
    FIELD(struct contact, "phone", F_TEXT, phone),
    FIELD(struct contact, "email", F_TEXT, email),
    FIELD(struct contact, "identifier", F_TEXT, identifier),
    FIELD(struct contact, "opted_out", F_BOOL, opted_out),
    FIELD(struct contact, "opted_out_at", F_TIME, opted_out_at),
    FIELD2(struct contact, "attributes", F_KV, attrs, nattrs),
};
static const struct record contact_rec = {sizeof(struct contact), contact_fields, N(contact_fields),
                                          "id", NULL};

/* updated_at is left out: the server's first answer must never look older
 * than what the cache says and be dropped as stale. */
static const struct field conversation_fields[] = {
    FIELD(struct conversation, "id", F_INT, id),
    FIELD(struct conversation, "account_id", F_INT, account_id),
    FIELD(struct conversation, "inbox_id", F_INT, inbox_id),
    SUBF(struct conversation, "contact", F_RECORD, contact, 0, contact_rec),
    ENUMF(struct conversation, "status", status, status_names, 0),
    ENUMF(struct conversation, "priority", priority, priority_names, F_NULL0),
    FIELD2(struct conversation, "assignee", F_REF, assignee_id, assignee_name),
    FIELD2(struct conversation, "team", F_REF, team_id, team_name),
    FIELD2(struct conversation, "labels", F_STRINGS, labels, nlabels),
    FIELD(struct conversation, "unread", F_INT32, unread),
    FIELD(struct conversation, "muted", F_BOOL, muted),
    FIELD(struct conversation, "can_reply", F_BOOL, can_reply),
    FIELD(struct conversation, "channel", F_TEXT, channel),
    FIELD(struct conversation, "created_at", F_TIME, created_at),
    FIELD(struct conversation, "last_activity_at", F_TIME, last_activity_at),
    FIELD(struct conversation, "waiting_since", F_TIME, waiting_since),
    FIELD(struct conversation, "agent_last_seen_at", F_TIME, agent_last_seen_at),
    FIELD(struct conversation, "snoozed_until", F_TIME, snoozed_until),
    SUBF(struct conversation, "last_message", F_OPT, last, AT(struct conversation, has_last),
         message_rec),
    FIELD2(struct conversation, "attributes", F_KV, attrs, nattrs),
};
static void conversation_fixup(const struct codec_val *v, void *rec);
static const struct record conversation_rec = {sizeof(struct conversation), conversation_fields,
                                               N(conversation_fields), "id", conversation_fixup};

static const struct field agent_fields[] = {
    FIELD(struct agent, "id", F_INT, id),
    FIELD(struct agent, "account_id", F_INT, account_id),
    FIELD(struct agent, "name", F_TEXT, name),
    FIELD(struct agent, "email", F_TEXT, email),
    FIELD(struct agent, "role", F_TEXT, role),
    FIELD(struct agent, "availability", F_TEXT, availability),
};

static const struct field team_fields[] = {
    FIELD(struct team, "id", F_INT, id),
    FIELD(struct team, "name", F_TEXT, name),
    FIELD(struct team, "description", F_TEXT, description),
    FIELD(struct team, "is_member", F_BOOL, is_member),
};

static const struct field label_fields[] = {
    FIELD(struct label, "id", F_INT, id),
    FIELD(struct label, "title", F_TEXT, title),
    FIELD(struct label, "description", F_TEXT, description),
    FIELD(struct label, "color", F_TEXT, color),
};

static const struct field inbox_fields[] = {
    FIELD(struct inbox, "id", F_INT, id),
    FIELD(struct inbox, "name", F_TEXT, name),
    FIELD(struct inbox, "channel_type", F_TEXT, channel_type),
    FIELD(struct inbox, "phone", F_TEXT, phone),
    FIELD(struct inbox, "is_sms", F_BOOL, is_sms),
};

static void template_fixup(const struct codec_val *v, void *rec);

static const struct field template_fields[] = {
    {"id", F_INT, AT(struct template, id), 0, 0, F_OMIT0, NULL, 0, NULL},
    FIELD(struct template, "short_code", F_TEXT, short_code),
    FIELD(struct template, "content", F_TEXTN, content),
};

/* One per kind of the directory, in enum dir_kind's order. */
static const struct record dir_recs[DIR__COUNT] = {
    [DIR_AGENTS] = {sizeof(struct agent), agent_fields, N(agent_fields), "id", NULL},
    [DIR_TEAMS] = {sizeof(struct team), team_fields, N(team_fields), "id", NULL},
    [DIR_LABELS] = {sizeof(struct label), label_fields, N(label_fields), "id", NULL},
    [DIR_INBOXES] = {sizeof(struct inbox), inbox_fields, N(inbox_fields), "id", NULL},
    [DIR_TEMPLATES] = {sizeof(struct template), template_fields, N(template_fields), "",
                       template_fixup},
};

static const struct field profile_fields[] = {
    FIELD(struct profile, "id", F_INT, id),
    FIELD(struct profile, "name", F_TEXT, name),
    FIELD(struct profile, "email", F_TEXT, email),
    FIELD(struct profile, "role", F_TEXT, role),
    FIELD2(struct profile, "account", F_REF, account_id, account_name),
};
static const struct record profile_rec = {sizeof(struct profile), profile_fields, N(profile_fields),
                                          "id", NULL};

static const struct field counts_fields[] = {
    FIELD(struct conv_counts, "mine", F_INT, mine),
    FIELD(struct conv_counts, "unassigned", F_INT, unassigned),
    FIELD(struct conv_counts, "assigned", F_INT, assigned),
    FIELD(struct conv_counts, "all", F_INT, all),
};
static const struct record counts_rec = {sizeof(struct conv_counts), counts_fields,
                                         N(counts_fields), "", NULL};

/* ---- access to a field's storage ---- */

#define AT_PTR(rec, off, T) ((T *)((char *)(rec) + (off)))
#define AT_CPTR(rec, off, T) ((T const *)((const char *)(rec) + (off)))

static int get_enum(const void *rec, size_t off)
{
    int v;
    memcpy(&v, (const char *)rec + off, sizeof v);
    return v;
}

static void set_enum(void *rec, size_t off, int v)
{
    memcpy((char *)rec + off, &v, sizeof v);
}

/* ---- writing ---- */

static struct codec_val *write_record(const struct record *r, const void *rec);

const char *codec_direction(const struct message *m)
{
    switch (m->type) {
    case MSG_INCOMING:
        return "incoming";
    case MSG_OUTGOING:
        return m->is_private ? "note" : "outgoing";
    case MSG_ACTIVITY:
        return "activity";
    case MSG_TEMPLATE:
        return "template";
    }
    return "outgoing";
}

struct codec_val *codec_ref(int64_t id, const char *name)
{
    if (!id)
        return NULL;
    struct codec_val *o = codec_object();
    codec_set_int(o, "id", id);
    codec_set_str(o, "name", name);
    return o;
}

static const char *enum_name(const struct field *f, int v)
{
    return v >= 0 && v < f->nnames ? f->names[v] : f->names[0];
}

static struct codec_val *write_field(const struct field *f, const void *rec)
{
    switch (f->type) {
    case F_INT:
        return codec_int(*AT_CPTR(rec, f->off, int64_t));
    case F_INT32:
        return codec_int(*AT_CPTR(rec, f->off, int));
    case F_BOOL:
        return codec_bool(*AT_CPTR(rec, f->off, bool));
    case F_TEXT:
    case F_TEXTN:
    case F_TEXT_OPT: {
        const char *s = *AT_CPTR(rec, f->off, char *);
        return codec_str(s ? s : "");
    }
    case F_TEXT_NULL: {
        const char *s = *AT_CPTR(rec, f->off, char *);
        return s && *s ? codec_str(s) : NULL;
    }
    case F_TIME:
        return codec_time(*AT_CPTR(rec, f->off, int64_t));
    case F_ENUM: {
        int v = get_enum(rec, f->off);
        return (f->flags & F_NULL0) && v == 0 ? NULL : codec_str(enum_name(f, v));
    }
    case F_STRINGS: {
        char *const *v = *AT_CPTR(rec, f->off, char **);
        size_t n = *AT_CPTR(rec, f->off2, size_t);
        struct codec_val *a = codec_array();
        for (size_t i = 0; v && i < n; i++)
            codec_push(a, codec_str(v[i] ? v[i] : ""));
        return a;
    }
    case F_KV: {
        const struct kv *kv = *AT_CPTR(rec, f->off, struct kv *);
        size_t n = *AT_CPTR(rec, f->off2, size_t);
        struct codec_val *o = codec_object();
        for (size_t i = 0; kv && i < n; i++)
            codec_set_str(o, kv[i].key ? kv[i].key : "", kv[i].value);
        return o;
    }
    case F_REF:
        return codec_ref(*AT_CPTR(rec, f->off, int64_t), *AT_CPTR(rec, f->off2, char *));
    case F_RECORD:
        return write_record(f->sub, (const char *)rec + f->off);
    case F_OPT:
        return *AT_CPTR(rec, f->off2, bool) ? write_record(f->sub, (const char *)rec + f->off)
                                            : NULL;
    case F_ARRAY: {
        const char *items = *AT_CPTR(rec, f->off, char *);
        size_t n = *AT_CPTR(rec, f->off2, size_t);
        struct codec_val *a = codec_array();
        for (size_t i = 0; items && i < n; i++)
            codec_push(a, write_record(f->sub, items + i * f->sub->size));
        return a;
    }
    case F_DIRECTION:
        return codec_str(codec_direction(rec));
    case F_SENDER: {
        int kind = get_enum(rec, f->off);
        int64_t id = *AT_CPTR(rec, f->off2, int64_t);
        if (kind == SENDER_NONE && !id)
            return NULL;
        struct codec_val *o = codec_object();
        codec_set_str(o, "kind",
                      kind >= 0 && kind < (int)N(sender_names) ? sender_names[kind] : "system");
        codec_set_int(o, "id", id);
        codec_set_str(o, "name", *AT_CPTR(rec, f->off3, char *));
        return o;
    }
    }
    return NULL;
}

static struct codec_val *write_record(const struct record *r, const void *rec)
{
    struct codec_val *o = codec_object();
    for (size_t i = 0; i < r->nfields; i++) {
        const struct field *f = &r->fields[i];
        if (f->type == F_TEXT_OPT) {
            const char *s = *AT_CPTR(rec, f->off, char *);
            if (!s || !*s)
                continue;
        }
        if ((f->flags & F_OMIT0) && f->type == F_INT && !*AT_CPTR(rec, f->off, int64_t))
            continue;
        codec_set(o, f->key, write_field(f, rec));
    }
    return o;
}

/* ---- reading ---- */

static int read_record(const struct record *r, const struct codec_val *v, void *rec);

static char *text_of(const struct codec_val *v, unsigned flags)
{
    const char *s = codec_as_str(v);
    return text_sanitize_str(s ? s : "", flags);
}

static int64_t time_of(const struct codec_val *v)
{
    int64_t t = 0;
    const char *s = codec_as_str(v);
    if (!s || timeutil_parse_iso8601(s, &t) < 0 || t < 0)
        return 0;
    return t;
}

static int enum_of(const struct field *f, const struct codec_val *v)
{
    const char *s = codec_as_str(v);
    for (int i = 0; s && i < f->nnames; i++)
        if (strcmp(s, f->names[i]) == 0)
            return i;
    return 0;
}

static size_t items(const struct codec_val *a)
{
    size_t n = codec_len(a);
    return n > MAX_ITEMS ? MAX_ITEMS : n;
}

/* A new array of n records of size, or NULL for none. */
static void *new_items(size_t n, size_t size)
{
    return n ? xcalloc(n, size) : NULL;
}

static void read_kv(const struct codec_val *v, struct kv **out, size_t *n)
{
    json_object *o = codec_json(v);
    *out = NULL;
    *n = 0;
    if (!o || !json_object_is_type(o, json_type_object))
        return;
    size_t len = (size_t)json_object_object_length(o);
    *out = new_items(len > MAX_ITEMS ? MAX_ITEMS : len, sizeof **out);
    json_object_object_foreach(o, k, val)
    {
        if (*n >= MAX_ITEMS)
            break;
        (*out)[*n].key = text_sanitize_str(k, TEXT_SINGLE_LINE);
        (*out)[*n].value = text_of(codec_wrap(val), TEXT_MULTI_LINE);
        (*n)++;
    }
}

static void read_field(const struct field *f, const struct codec_val *v, void *rec)
{
    switch (f->type) {
    case F_INT:
        *AT_PTR(rec, f->off, int64_t) = codec_as_int(v);
        break;
    case F_INT32: {
        int64_t n = codec_as_int(v);
        *AT_PTR(rec, f->off, int) = n < 0 ? 0 : n > 1000000 ? 1000000 : (int)n;
        break;
    }
    case F_BOOL:
        *AT_PTR(rec, f->off, bool) = codec_as_int(v) != 0;
        break;
    case F_TEXT:
    case F_TEXT_NULL:
    case F_TEXT_OPT:
        *AT_PTR(rec, f->off, char *) = text_of(v, TEXT_SINGLE_LINE);
        break;
    case F_TEXTN:
        *AT_PTR(rec, f->off, char *) = text_of(v, TEXT_MULTI_LINE);
        break;
    case F_TIME:
        *AT_PTR(rec, f->off, int64_t) = time_of(v);
        break;
    case F_ENUM:
        set_enum(rec, f->off, enum_of(f, v));
        break;
    case F_STRINGS: {
        size_t n = items(v);
        char **s = new_items(n, sizeof *s);
        for (size_t i = 0; i < n; i++)
            s[i] = text_of(codec_at(v, i), TEXT_SINGLE_LINE);
        *AT_PTR(rec, f->off, char **) = s;
        *AT_PTR(rec, f->off2, size_t) = n;
        break;
    }
    case F_KV:
        read_kv(v, AT_PTR(rec, f->off, struct kv *), AT_PTR(rec, f->off2, size_t));
        break;
    case F_REF:
        *AT_PTR(rec, f->off, int64_t) = codec_get_int(v, "id");
        *AT_PTR(rec, f->off2, char *) = text_of(codec_get(v, "name"), TEXT_SINGLE_LINE);
        break;
    case F_RECORD:
        read_record(f->sub, v, (char *)rec + f->off);
        break;
    case F_OPT:
        *AT_PTR(rec, f->off2, bool) = v != NULL;
        if (v)
            read_record(f->sub, v, (char *)rec + f->off);
        break;
    case F_ARRAY: {
        size_t n = items(v);
        char *arr = new_items(n, f->sub->size);
        for (size_t i = 0; i < n; i++)
            read_record(f->sub, codec_at(v, i), arr + i * f->sub->size);
        *AT_PTR(rec, f->off, char *) = arr;
        *AT_PTR(rec, f->off2, size_t) = n;
        break;
    }
    case F_DIRECTION: {
        const char *d = codec_as_str(v);
        int type = MSG_INCOMING; /* as an enum out of range reads: the first */
        bool priv = false;
        if (d && strcmp(d, "outgoing") == 0)
            type = MSG_OUTGOING;
        else if (d && strcmp(d, "note") == 0)
            type = MSG_OUTGOING, priv = true;
        else if (d && strcmp(d, "activity") == 0)
            type = MSG_ACTIVITY;
        else if (d && strcmp(d, "template") == 0)
            type = MSG_TEMPLATE;
        set_enum(rec, f->off, type);
        *AT_PTR(rec, f->off2, bool) = priv;
        break;
    }
    case F_SENDER: {
        const char *kind = codec_get_str(v, "kind");
        int k = SENDER_NONE;
        for (int i = 0; kind && i < (int)N(sender_names); i++)
            if (strcmp(kind, sender_names[i]) == 0)
                k = i;
        set_enum(rec, f->off, k);
        *AT_PTR(rec, f->off2, int64_t) = codec_get_int(v, "id");
        *AT_PTR(rec, f->off3, char *) = text_of(codec_get(v, "name"), TEXT_SINGLE_LINE);
        break;
    }
    }
}

static int read_record(const struct record *r, const struct codec_val *v, void *rec)
{
    memset(rec, 0, r->size);
    for (size_t i = 0; i < r->nfields; i++)
        read_field(&r->fields[i], codec_get(v, r->fields[i].key), rec);
    if (r->fixup)
        r->fixup(v, rec);
    return *r->id_key && codec_get_int(v, r->id_key) <= 0 ? -1 : 0;
}

/* An echo_id read back is never trusted: only the outbox says which reply
 * is ours. */
static void message_fixup(const struct codec_val *v, void *rec)
{
    (void)v;
    struct message *m = rec;
    free(m->echo_id);
    m->echo_id = xstrdup("");
}

/* The last message belongs to its conversation. */
static void conversation_fixup(const struct codec_val *v, void *rec)
{
    (void)v;
    struct conversation *c = rec;
    if (c->has_last)
        c->last.conv_id = c->id;
}

/* Only the server's templates are written by the cache; --json says where
 * each comes from. */
static void template_fixup(const struct codec_val *v, void *rec)
{
    struct template *t = rec;
    const char *source = codec_get_str(v, "source");
    t->local = source && strcmp(source, "local") == 0;
}

/* ---- the public pairs: one line a record ---- */

#define CODEC_PAIR(name, type, rec)                                                                \
    struct codec_val *codec_##name(const type *r)                                                  \
    {                                                                                              \
        return write_record(&rec, r);                                                              \
    }                                                                                              \
    int codec_read_##name(const struct codec_val *v, type *out)                                    \
    {                                                                                              \
        return read_record(&rec, v, out);                                                          \
    }

CODEC_PAIR(conversation, struct conversation, conversation_rec)
CODEC_PAIR(message, struct message, message_rec)
CODEC_PAIR(contact, struct contact, contact_rec)
CODEC_PAIR(profile, struct profile, profile_rec)
CODEC_PAIR(counts, struct conv_counts, counts_rec)

struct codec_val *codec_dir_record(enum dir_kind k, const void *rec)
{
    struct codec_val *o = write_record(&dir_recs[k], rec);
    if (k == DIR_TEMPLATES)
        codec_set_str(o, "source", ((const struct template *)rec)->local ? "local" : "server");
    return o;
}

int codec_read_dir_record(const struct codec_val *v, enum dir_kind k, void *out)
{
    return read_record(&dir_recs[k], v, out);
}
