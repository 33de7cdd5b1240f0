/* model — plain records of what the inbox holds: conversations, messages,
 * contacts, agents, teams, labels, inboxes, templates.
 *
 * Every string in a record is display-safe UTF-8 (text_sanitize() was
 * applied where the record was made from network data, in json_map), owned
 * by the record, and never NULL unless the comment says so. Times are epoch
 * seconds (0 = none). Conversation ids are Chatwoot display ids. Records are
 * values: model_*_free() releases what a record owns, model_*_copy() deep-
 * copies it. */
#ifndef TWOWAY_MODEL_H
#define TWOWAY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conv_status {
    CONV_OPEN,
    CONV_PENDING,
    CONV_RESOLVED,
    CONV_SNOOZED,
};

enum conv_priority {
    PRIORITY_NONE = 0,
    PRIORITY_LOW,
    PRIORITY_MEDIUM,
    PRIORITY_HIGH,
    PRIORITY_URGENT,
};

enum msg_type {
    MSG_INCOMING = 0, /* from the contact */
    MSG_OUTGOING = 1, /* agent, bot or automation; private notes too */
    MSG_ACTIVITY = 2, /* system line: resolved, assigned, labelled */
    MSG_TEMPLATE = 3, /* greeting, out-of-office, CSAT */
};

enum msg_status {
    MSGST_SENDING, /* local: in the outbox, not yet acknowledged */
    MSGST_SENT,
    MSGST_DELIVERED,
    MSGST_READ,
    MSGST_FAILED,
    MSGST_UNSURE, /* local: may have reached the server; the agent decides */
};

enum sender_kind {
    SENDER_NONE, /* system */
    SENDER_CONTACT,
    SENDER_AGENT,
    SENDER_BOT,
};

/* A name/value pair (custom attributes; values rendered as text). */
struct kv {
    char *key;
    char *value;
};

struct contact {
    int64_t id;
    char *name;           /* "" if unknown */
    char *phone;          /* "" if none */
    char *email;          /* "" if none */
    char *identifier;     /* "" if none */
    bool opted_out;       /* custom_attributes.sms_opt_out */
    int64_t opted_out_at; /* custom_attributes.sms_opt_out_at, 0 if unknown */
    struct kv *attrs;     /* custom attributes, in server order */
    size_t nattrs;
};

struct attachment {
    char *file_type; /* image, audio, video, file, location, fallback... */
    char *url;       /* data_url */
    char *extension; /* "" if none */
    int64_t size;    /* bytes, 0 if unknown */
};

struct message {
    int64_t id;      /* 0 while only local (sending) */
    int64_t conv_id; /* display id */
    enum msg_type type;
    bool is_private;
    enum msg_status status;
    enum sender_kind sender_kind;
    int64_t sender_id;
    char *sender_name;
    char *content;        /* "" if none; multi-line */
    char *external_error; /* content_attributes.external_error, "" if none */
    char *echo_id;        /* "" if none */
    bool deleted;         /* content_attributes.deleted */
    int64_t created_at;
    struct attachment *attachments;
    size_t nattachments;
};

struct conversation {
    int64_t id; /* display id */
    int64_t account_id;
    int64_t inbox_id;
    enum conv_status status;
    enum conv_priority priority;
    struct contact contact; /* meta.sender */
    int64_t assignee_id;    /* 0 = unassigned */
    char *assignee_name;    /* "" when unassigned */
    int64_t team_id;        /* 0 = none */
    char *team_name;        /* "" when none */
    char **labels;
    size_t nlabels;
    int unread; /* unread_count (servers cap it at 10) */
    bool muted;
    bool can_reply;
    char *channel; /* meta.channel, e.g. Channel::TwilioSms */
    int64_t created_at;
    int64_t last_activity_at;
    int64_t waiting_since; /* 0 = not waiting */
    int64_t agent_last_seen_at;
    int64_t snoozed_until; /* 0 = none / until next reply */
    double updated_at;     /* float epoch; 0 when the server does not send it */
    bool has_last;
    struct message last; /* newest message (last_non_activity_message or messages[0]) */
    struct kv *attrs;    /* conversation custom attributes */
    size_t nattrs;
};

struct agent {
    int64_t id;
    int64_t account_id;
    char *name;
    char *email;
    char *role;         /* agent | administrator */
    char *availability; /* online | busy | offline */
};

struct team {
    int64_t id;
    char *name;
    char *description;
    bool is_member;
};

struct label {
    int64_t id;
    char *title;
    char *description;
    char *color; /* "#rrggbb" or "" */
};

struct inbox {
    int64_t id;
    char *name;
    char *channel_type;
    char *phone; /* "" if none */
    bool is_sms;
};

struct template
{
    int64_t id; /* server canned response id; 0 for a local template */
    char *short_code;
    char *content;
    bool local;
};

/* The directory: the account's lists that are read whole. One line per
 * kind, X(KIND, field, record); everything that handles every kind (the
 * store, providers' results, sync, the cache, --json) is written once over
 * this table, as tig and htop drive their views from one. A new kind is a
 * line here, its record above with model_<record>_free(), a mapper in each
 * provider and its keys in the codec. */
#define MODEL_DIRECTORY(X)                                                                         \
    X(DIR_AGENTS, agents, agent)                                                                   \
    X(DIR_TEAMS, teams, team)                                                                      \
    X(DIR_LABELS, labels, label)                                                                   \
    X(DIR_INBOXES, inboxes, inbox)                                                                 \
    X(DIR_TEMPLATES, templates, template)

enum dir_kind {
#define X(kind, field, rec) kind,
    MODEL_DIRECTORY(X)
#undef X
        DIR__COUNT
};

/* One list of each kind (agents/nagents, teams/nteams…), each owned. */
struct directory {
#define X(kind, field, rec)                                                                        \
    struct rec *field;                                                                             \
    size_t n##field;
    MODEL_DIRECTORY(X)
#undef X
};

/* Every record of the directory starts with its id. */
struct dir_record {
    int64_t id;
};

/* The kind's name ("agents"), the size of one record, freeing one. */
const char *model_dir_name(enum dir_kind k);
size_t model_dir_size(enum dir_kind k);
void model_dir_record_free(enum dir_kind k, void *rec);
/* Take kind k's list out of d (d keeps an empty one): *items is owned by
 * the caller, an array of *n records of that kind. */
void model_directory_take(struct directory *d, enum dir_kind k, void **items, size_t *n);
/* The other way: d's kind k becomes items (an owned array of n records of
 * that kind); d's list must be empty. */
void model_directory_put(struct directory *d, enum dir_kind k, void *items, size_t n);
/* Free one list of kind k (items and records). */
void model_dir_list_free(enum dir_kind k, void *items, size_t n);
/* Free every list of d. */
void model_directory_free(struct directory *d);

/* Mine / unassigned / assigned / all badges (conversation meta). */
struct conv_counts {
    int64_t mine;
    int64_t unassigned;
    int64_t assigned;
    int64_t all;
};

enum assignee_type { ASSIGNEE_ALL, ASSIGNEE_MINE, ASSIGNEE_UNASSIGNED, ASSIGNEE_ASSIGNED };

/* Added (push2): a narrowing of the list that the server does (Chatwoot's
 * POST …/conversations/filter, doc/api.md §3.5): every condition holds.
 * A condition is on one key: its value is one of values (in; with neg, it
 * has a value and it is none of them, as SQL's NOT IN), or it has a value
 * at all (present; with neg, none). Values are as the server takes them:
 * status and priority names, ids in decimal, label titles. */
enum conv_filter_key { CF_STATUS, CF_ASSIGNEE, CF_INBOX, CF_TEAM, CF_PRIORITY, CF_LABELS };
struct conv_filter_cond {
    enum conv_filter_key key;
    bool neg;
    bool present; /* is_present / is_not_present: values unused */
    char **values;
    size_t nvalues;
};
struct conv_filter {
    struct conv_filter_cond *conds;
    size_t nconds;
    /* It says all that the limit it came from says: what passes it is what
     * the limit shows (else it is only a superset, narrowed locally). */
    bool exact;
};
void model_conv_filter_free(struct conv_filter *f);
void model_conv_filter_copy(struct conv_filter *dst, const struct conv_filter *src);
bool model_conv_filter_equal(const struct conv_filter *a, const struct conv_filter *b);
/* Add a condition (values copied). */
void model_conv_filter_add(struct conv_filter *f, enum conv_filter_key key, bool neg, bool present,
                           const char *const *values, size_t n);
/* Does c pass every condition (as the server decides it)? */
bool model_conv_filter_match(const struct conv_filter *f, const struct conversation *c);
/* The key's name on the wire ("status", "assignee_id"…). */
const char *model_conv_filter_key_name(enum conv_filter_key k);

/* A conversation list request (Chatwoot's filters). */
struct conv_query {
    enum assignee_type assignee;
    int status;          /* enum conv_status, or -1 for all */
    int64_t inbox_id;    /* 0 = any */
    int64_t team_id;     /* 0 = any */
    const char *label;   /* NULL = any */
    const char *q;       /* NULL = no text filter */
    int page;            /* 1-based */
    const char *sort_by; /* NULL = server default */
    /* Only what changed in the last this many seconds, every match at once
     * (Chatwoot's updated_within; 0 = not asked). */
    int updated_within;
    /* Added (push2): asked through the server's filter instead: these
     * conditions (borrowed), which then carry the fields above too
     * (status, assignee, inbox, team, label); NULL = the plain list. */
    const struct conv_filter *filter;
};

/* The signed-in agent (GET /profile). */
struct profile {
    int64_t id;
    int64_t account_id;
    char *name;
    char *email;
    char *role;
    char *account_name;
    char *pubsub_token; /* for the live channel; "" if the server has none */
};

const char *model_status_name(enum conv_status s);            /* "open"… */
int model_status_parse(const char *s, enum conv_status *out); /* 0 or -1 */
const char *model_priority_name(enum conv_priority p);        /* "none", "low"… */
int model_priority_parse(const char *s, enum conv_priority *out);
const char *model_msg_status_name(enum msg_status s); /* "sending"… */

/* First name of a display name ("Maria" of "Maria Gonzalez"). Owned. */
char *model_first_name(const char *name);
/* Last name ("Gonzalez"; "" for a one-word name). Owned. */
char *model_last_name(const char *name);
/* Is this name only a phone number ("+1 (555) 010-1041")? Chatwoot and
 * twowayd name a contact by its number until someone knows better. */
bool model_name_is_phone(const char *name);
/* The contact as people say it: its name, else its phone, else "#id". Borrowed. */
const char *model_contact_label(const struct contact *c);

/* Value of a custom attribute, or NULL. Borrowed. */
const char *model_kv_get(const struct kv *kv, size_t n, const char *key);

void model_contact_free(struct contact *c);
void model_contact_copy(struct contact *dst, const struct contact *src);
void model_message_free(struct message *m);
void model_message_copy(struct message *dst, const struct message *src);
void model_conversation_free(struct conversation *c);
void model_conversation_copy(struct conversation *dst, const struct conversation *src);
void model_agent_free(struct agent *a);
void model_team_free(struct team *t);
void model_label_free(struct label *l);
void model_inbox_free(struct inbox *i);
void model_template_free(struct template *t);
void model_profile_free(struct profile *p);
void model_kv_free(struct kv *kv, size_t n);

/* Does the conversation wait for a human answer: the customer wrote last
 * (Chatwoot's waiting_since, or the last message's direction), is not
 * opted out, and that last message was not a STOP or HELP keyword (the
 * SMS system answers those). The list's mark, `~w`, `next-waiting` and
 * `done` all ask this. */
bool model_conversation_waiting(const struct conversation *c);
/* When it started waiting: Chatwoot's waiting_since, else the time of the
 * customer's last message; 0 when it does not wait (or nobody knows). */
int64_t model_conversation_waiting_since(const struct conversation *c);

#endif
