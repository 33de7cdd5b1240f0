/* fuzz_json_map — a server's answer through every mapper.
 *
 * The input is one HTTP body. It is parsed once and the same document goes
 * through every mapper (a hostile server chooses which endpoint it answers,
 * so any body may reach any of them), and through the error-text path.
 * Properties: every string that reaches a record is display-safe (single-
 * line fields hold no newline), every mapped record has a positive id,
 * times are sane epochs, lists are bounded, and records free cleanly
 * whether the mapper succeeded or not (leaks show under AddressSanitizer).
 * The error text of any body is one display-safe line of at most 300 bytes
 * with something visible in it. */
#include <json-c/json.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json_map.h" /* the provider's own, private header */
#include "twoway/text.h"

/* 9999-12-31T23:59:59Z, json_map's upper bound for a time. */
#define MAX_EPOCH 253402300799LL
#define MAX_ITEMS 10000

#define ONE_LINE false
#define MULTI_LINE true

/* One kind of the directory out of a document, as the driver reads it. */
static int map_dir(json_object *o, enum dir_kind k, void **items, size_t *n, char **err)
{
    struct directory d = {0};
    int rc = json_map_dir(o, k, &d, err);
    model_directory_take(&d, k, items, n);
    return rc;
}

static void check_time(const char *what, int64_t t)
{
    FUZZ_CHECK(t >= 0 && t <= MAX_EPOCH, "%s = %lld is not an epoch", what, (long long)t);
}

static void check_kv(const char *what, const struct kv *kv, size_t n)
{
    FUZZ_CHECK(n == 0 || kv != NULL, "%s: %zu attributes but no array", what, n);
    for (size_t i = 0; i < n; i++) {
        fuzz_check_text("attribute key", kv[i].key, ONE_LINE);
        fuzz_check_text("attribute value", kv[i].value, MULTI_LINE);
    }
}

static void check_contact(const struct contact *c, bool mapped)
{
    FUZZ_CHECK(!mapped || c->id > 0, "mapped contact with id %lld", (long long)c->id);
    fuzz_check_text("contact.name", c->name, ONE_LINE);
    fuzz_check_text("contact.phone", c->phone, ONE_LINE);
    fuzz_check_text("contact.email", c->email, ONE_LINE);
    fuzz_check_text("contact.identifier", c->identifier, ONE_LINE);
    check_time("contact.opted_out_at", c->opted_out_at);
    check_kv("contact", c->attrs, c->nattrs);
}

static void check_message(const struct message *m, bool mapped)
{
    FUZZ_CHECK(!mapped || m->id > 0, "mapped message with id %lld", (long long)m->id);
    FUZZ_CHECK(m->type >= MSG_INCOMING && m->type <= MSG_TEMPLATE, "message type %d", m->type);
    FUZZ_CHECK(m->status >= MSGST_SENDING && m->status <= MSGST_FAILED, "status %d", m->status);
    fuzz_check_text("message.sender_name", m->sender_name, ONE_LINE);
    fuzz_check_text("message.content", m->content, MULTI_LINE);
    fuzz_check_text("message.external_error", m->external_error, ONE_LINE);
    fuzz_check_text("message.echo_id", m->echo_id, ONE_LINE);
    check_time("message.created_at", m->created_at);
    FUZZ_CHECK(m->nattachments == 0 || m->attachments, "attachments without an array");
    for (size_t i = 0; i < m->nattachments; i++) {
        fuzz_check_text("attachment.file_type", m->attachments[i].file_type, ONE_LINE);
        fuzz_check_text("attachment.url", m->attachments[i].url, ONE_LINE);
        fuzz_check_text("attachment.extension", m->attachments[i].extension, ONE_LINE);
        FUZZ_CHECK(m->attachments[i].size >= 0, "negative attachment size");
    }
}

static void check_conversation(const struct conversation *c, bool mapped)
{
    FUZZ_CHECK(!mapped || c->id > 0, "mapped conversation with id %lld", (long long)c->id);
    check_contact(&c->contact, false);
    fuzz_check_text("conversation.assignee_name", c->assignee_name, ONE_LINE);
    fuzz_check_text("conversation.team_name", c->team_name, ONE_LINE);
    fuzz_check_text("conversation.channel", c->channel, ONE_LINE);
    FUZZ_CHECK(c->nlabels == 0 || c->labels, "labels without an array");
    FUZZ_CHECK(c->nlabels <= MAX_ITEMS, "%zu labels", c->nlabels);
    for (size_t i = 0; i < c->nlabels; i++)
        fuzz_check_text("conversation.label", c->labels[i], ONE_LINE);
    FUZZ_CHECK(c->unread >= 0, "unread %d", c->unread);
    check_time("conversation.created_at", c->created_at);
    check_time("conversation.last_activity_at", c->last_activity_at);
    check_time("conversation.waiting_since", c->waiting_since);
    check_time("conversation.agent_last_seen_at", c->agent_last_seen_at);
    check_time("conversation.snoozed_until", c->snoozed_until);
    FUZZ_CHECK(c->updated_at >= 0 && c->updated_at <= (double)MAX_EPOCH, "updated_at %f",
               c->updated_at);
    if (c->has_last)
        check_message(&c->last, true);
    check_kv("conversation", c->attrs, c->nattrs);
}

static void check_err(const char *what, int rc, char *err)
{
    FUZZ_CHECK((rc == 0) == (err == NULL), "%s: rc %d with err %s", what, rc, err ? err : "(null)");
    free(err);
}

static void run_conversations(json_object *root)
{
    struct conversation *v = NULL;
    struct conv_counts counts;
    size_t n = 0, skipped = 0;
    char *err = NULL;
    int rc = json_map_conversation_list(root, &v, &n, &counts, &skipped, &err);
    check_err("json_map_conversation_list", rc, err);
    FUZZ_CHECK(n <= MAX_ITEMS && (n == 0 || v), "%zu conversations", n);
    for (size_t i = 0; i < n; i++) {
        check_conversation(&v[i], true);
        model_conversation_free(&v[i]);
    }
    free(v);

    v = NULL;
    err = NULL;
    rc = json_map_search_list(root, &v, &n, &err);
    check_err("json_map_search_list", rc, err);
    for (size_t i = 0; i < n; i++) {
        check_conversation(&v[i], true);
        model_conversation_free(&v[i]);
    }
    free(v);

    struct conversation one;
    err = NULL;
    rc = json_map_conversation(root, &one, &err);
    check_err("json_map_conversation", rc, err);
    check_conversation(&one, rc == 0);
    model_conversation_free(&one);

    err = NULL;
    rc = json_map_counts(root, &counts, &err);
    check_err("json_map_counts", rc, err);
}

static void run_messages(json_object *root)
{
    struct message *v = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = json_map_messages(root, &v, &n, NULL, &err);
    check_err("json_map_messages", rc, err);
    for (size_t i = 0; i < n; i++) {
        check_message(&v[i], true);
        /* The UI relies on ascending order, whatever the server sent. */
        FUZZ_CHECK(i == 0 || v[i - 1].created_at < v[i].created_at ||
                       (v[i - 1].created_at == v[i].created_at && v[i - 1].id <= v[i].id),
                   "messages out of order at %zu", i);
    }
    for (size_t i = 0; i < n; i++)
        model_message_free(&v[i]);
    free(v);

    struct message one;
    err = NULL;
    rc = json_map_message(root, &one, &err);
    check_err("json_map_message", rc, err);
    check_message(&one, rc == 0);
    model_message_free(&one);
}

static void run_contacts(json_object *root)
{
    struct contact *v = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = json_map_contacts(root, &v, &n, &err);
    check_err("json_map_contacts", rc, err);
    for (size_t i = 0; i < n; i++) {
        check_contact(&v[i], true);
        model_contact_free(&v[i]);
    }
    free(v);

    struct contact one;
    err = NULL;
    rc = json_map_contact(root, &one, &err);
    check_err("json_map_contact", rc, err);
    check_contact(&one, rc == 0);
    model_contact_free(&one);
}

static void run_directory(json_object *root)
{
    struct agent *a = NULL;
    struct team *t = NULL;
    struct label *l = NULL;
    struct inbox *in = NULL;
    struct template *tp = NULL;
    char **titles = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc;

    rc = map_dir(root, DIR_AGENTS, (void **)&a, &n, &err);
    check_err("json_map_dir agents", rc, err);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(a[i].id > 0, "agent id");
        fuzz_check_text("agent.name", a[i].name, ONE_LINE);
        fuzz_check_text("agent.email", a[i].email, ONE_LINE);
        fuzz_check_text("agent.role", a[i].role, ONE_LINE);
        fuzz_check_text("agent.availability", a[i].availability, ONE_LINE);
        model_agent_free(&a[i]);
    }
    free(a);

    err = NULL;
    rc = map_dir(root, DIR_TEAMS, (void **)&t, &n, &err);
    check_err("json_map_dir teams", rc, err);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(t[i].id > 0, "team id");
        fuzz_check_text("team.name", t[i].name, ONE_LINE);
        fuzz_check_text("team.description", t[i].description, ONE_LINE);
        model_team_free(&t[i]);
    }
    free(t);

    err = NULL;
    rc = map_dir(root, DIR_LABELS, (void **)&l, &n, &err);
    check_err("json_map_dir labels", rc, err);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(l[i].id > 0, "label id");
        fuzz_check_text("label.title", l[i].title, ONE_LINE);
        fuzz_check_text("label.description", l[i].description, ONE_LINE);
        fuzz_check_text("label.color", l[i].color, ONE_LINE);
        model_label_free(&l[i]);
    }
    free(l);

    err = NULL;
    rc = json_map_titles(root, &titles, &n, &err);
    check_err("json_map_titles", rc, err);
    for (size_t i = 0; i < n; i++) {
        fuzz_check_text("title", titles[i], ONE_LINE);
        free(titles[i]);
    }
    free(titles);

    err = NULL;
    rc = map_dir(root, DIR_INBOXES, (void **)&in, &n, &err);
    check_err("json_map_dir inboxes", rc, err);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(in[i].id > 0, "inbox id");
        fuzz_check_text("inbox.name", in[i].name, ONE_LINE);
        fuzz_check_text("inbox.channel_type", in[i].channel_type, ONE_LINE);
        fuzz_check_text("inbox.phone", in[i].phone, ONE_LINE);
        model_inbox_free(&in[i]);
    }
    free(in);

    err = NULL;
    rc = map_dir(root, DIR_TEMPLATES, (void **)&tp, &n, &err);
    check_err("json_map_dir templates", rc, err);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(tp[i].id > 0, "template id");
        fuzz_check_text("template.short_code", tp[i].short_code, ONE_LINE);
        fuzz_check_text("template.content", tp[i].content, MULTI_LINE);
        model_template_free(&tp[i]);
    }
    free(tp);

    struct agent one;
    err = NULL;
    rc = json_map_agent(root, &one, &err);
    check_err("json_map_agent", rc, err);
    model_agent_free(&one);

    struct team team;
    err = NULL;
    rc = json_map_team(root, &team, &err);
    check_err("json_map_team", rc, err);
    model_team_free(&team);

    struct profile p;
    err = NULL;
    rc = json_map_profile(root, &p, &err);
    check_err("json_map_profile", rc, err);
    FUZZ_CHECK(rc != 0 || p.id > 0, "profile id");
    fuzz_check_text("profile.name", p.name, ONE_LINE);
    fuzz_check_text("profile.email", p.email, ONE_LINE);
    fuzz_check_text("profile.role", p.role, ONE_LINE);
    fuzz_check_text("profile.account_name", p.account_name, ONE_LINE);
    model_profile_free(&p);
}

/* Something to read on the status line: a cell that is not a blank. */
static bool visible(const char *s)
{
    struct text_cell c;
    size_t pos = 0;
    while (text_cell_next(s, &pos, &c))
        if (c.wc[0] != L' ' || c.wc[1] != L'\0')
            return true;
    return false;
}

static void run_error_text(const uint8_t *data, size_t size)
{
    /* Statuses with and without a canned reason, and "no answer". */
    static const int statuses[] = {0, 422, 429, 599};
    int status = statuses[size % 4];
    char *text = json_map_error_text((const char *)data, size, status);
    fuzz_check_text("error text", text, ONE_LINE);
    FUZZ_CHECK(visible(text), "an error text that shows nothing: \"%s\"", text);
    FUZZ_CHECK(strlen(text) <= 300, "error text of %zu bytes", strlen(text));
    free(text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setlocale(LC_CTYPE, "C.UTF-8");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_error_text(data, size);

    char *err = NULL;
    json_object *root = json_map_parse((const char *)data, size, &err);
    FUZZ_CHECK((root == NULL) == (err != NULL), "parse: root %p, err %s", (void *)root,
               err ? err : "(null)");
    free(err);
    if (!root)
        return 0;
    check_time("json_map_time", json_map_time(root));
    run_conversations(root);
    run_messages(root);
    run_contacts(root);
    run_directory(root);
    json_object_put(root);
    return 0;
}
