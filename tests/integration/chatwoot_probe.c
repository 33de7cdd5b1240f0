/* chatwoot_probe — run one provider operation against a server and print
 * the result as lines a test can read:
 *
 *   chatwoot_probe URL ACCOUNT OP [ARGS...]     (token from $TWOWAY_TOKEN)
 *
 * The first line is always "result err=NAME status=HTTP maybe=0|1
 * retry=N message=TEXT"; records follow, one per line, as a kind and then
 * key=value pairs. Values are percent-encoded (space, '%', '=', controls
 * and non-ASCII bytes), so a line splits on spaces. The provider runs
 * through http in a poll() loop exactly as the application drives it. */
#include <locale.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/chatwoot.h"
#include "twoway/http.h"
#include "twoway/model.h"
#include "twoway/provider.h"
#include "twoway/timeutil.h"

static bool finished;
static bool synchronous = true; /* true while the op call itself runs */
static bool reentrant;
static bool status_op; /* print the state set_status reports */
static bool labels_op; /* print titles, even none */

static void put(const char *key, const char *v)
{
    printf(" %s=", key);
    for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p; p++) {
        if (*p <= ' ' || *p == '%' || *p == '=' || *p >= 0x7f)
            printf("%%%02X", *p);
        else
            putchar(*p);
    }
}

static void put_int(const char *key, long long v)
{
    printf(" %s=%lld", key, v);
}

static void put_list(const char *key, char *const *items, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = calloc(1, len);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, items[i]);
    }
    put(key, s);
    free(s);
}

static const char *sender_name(enum sender_kind k)
{
    static const char *const names[] = {"none", "contact", "agent", "bot"};
    return k <= SENDER_BOT ? names[k] : "?";
}

static void print_message(const char *kind, const struct message *m)
{
    static const char *const types[] = {"incoming", "outgoing", "activity", "template"};
    printf("%s", kind);
    put_int("id", m->id);
    put_int("conv", m->conv_id);
    put("type", m->type <= MSG_TEMPLATE ? types[m->type] : "?");
    put_int("private", m->is_private);
    put("status", model_msg_status_name(m->status));
    put("sender", sender_name(m->sender_kind));
    put_int("sender_id", m->sender_id);
    put("sender_name", m->sender_name);
    put("echo_id", m->echo_id);
    put("error", m->external_error);
    put_int("attachments", (long long)m->nattachments);
    put_int("created_at", m->created_at);
    put("content", m->content);
    printf("\n");
}

static void print_contact(const struct contact *c)
{
    printf("contact");
    put_int("id", c->id);
    put("name", c->name);
    put("phone", c->phone);
    put("email", c->email);
    put_int("opted_out", c->opted_out);
    put_int("attrs", (long long)c->nattrs);
    printf("\n");
}

static void print_conv(const struct conversation *c)
{
    printf("conv");
    put_int("id", c->id);
    put_int("account", c->account_id);
    put_int("inbox", c->inbox_id);
    put("status", model_status_name(c->status));
    put("priority", model_priority_name(c->priority));
    put_int("unread", c->unread);
    put_int("assignee", c->assignee_id);
    put("assignee_name", c->assignee_name);
    put_int("team", c->team_id);
    put("team_name", c->team_name);
    put_list("labels", c->labels, c->nlabels);
    put_int("contact", c->contact.id);
    put("contact_name", c->contact.name);
    put("phone", c->contact.phone);
    put_int("opted_out", c->contact.opted_out);
    put("channel", c->channel);
    put_int("snoozed_until", c->snoozed_until);
    put_int("waiting_since", c->waiting_since);
    put_int("last_activity_at", c->last_activity_at);
    put_int("has_last", c->has_last);
    put_int("last", c->has_last ? c->last.id : 0);
    put("last_content", c->has_last ? c->last.content : "");
    printf("\n");
}

static void print_result(const struct prov_result *r)
{
    printf("result");
    put("err", provider_err_name(r->err));
    put_int("status", r->http_status);
    put_int("maybe", r->maybe_delivered);
    put_int("retry", r->retry_after);
    put_int("partial", r->partial);
    put("message", r->message ? r->message : "");
    printf("\n");
    if (r->has_profile) {
        printf("profile");
        put_int("id", r->profile.id);
        put_int("account", r->profile.account_id);
        put("name", r->profile.name);
        put("email", r->profile.email);
        put("role", r->profile.role);
        put("account_name", r->profile.account_name);
        printf("\n");
    }
    if (r->has_counts) {
        printf("counts");
        put_int("mine", r->counts.mine);
        put_int("unassigned", r->counts.unassigned);
        put_int("assigned", r->counts.assigned);
        put_int("all", r->counts.all);
        printf("\n");
    }
    for (size_t i = 0; i < r->nconvs; i++)
        print_conv(&r->convs[i]);
    if (r->has_conv)
        print_conv(&r->conv);
    for (size_t i = 0; i < r->nmsgs; i++)
        print_message("msg", &r->msgs[i]);
    if (r->has_msg)
        print_message("msg", &r->msg);
    for (size_t i = 0; i < r->dir.nagents; i++) {
        printf("agent");
        put_int("id", r->dir.agents[i].id);
        put("name", r->dir.agents[i].name);
        put("email", r->dir.agents[i].email);
        put("role", r->dir.agents[i].role);
        put("availability", r->dir.agents[i].availability);
        printf("\n");
    }
    for (size_t i = 0; i < r->dir.nteams; i++) {
        printf("team");
        put_int("id", r->dir.teams[i].id);
        put("name", r->dir.teams[i].name);
        put_int("member", r->dir.teams[i].is_member);
        printf("\n");
    }
    for (size_t i = 0; i < r->dir.nlabels; i++) {
        printf("label");
        put_int("id", r->dir.labels[i].id);
        put("title", r->dir.labels[i].title);
        put("color", r->dir.labels[i].color);
        printf("\n");
    }
    for (size_t i = 0; i < r->dir.ninboxes; i++) {
        printf("inbox");
        put_int("id", r->dir.inboxes[i].id);
        put("name", r->dir.inboxes[i].name);
        put("channel", r->dir.inboxes[i].channel_type);
        put("phone", r->dir.inboxes[i].phone);
        put_int("sms", r->dir.inboxes[i].is_sms);
        printf("\n");
    }
    for (size_t i = 0; i < r->dir.ntemplates; i++) {
        printf("template");
        put_int("id", r->dir.templates[i].id);
        put("short_code", r->dir.templates[i].short_code);
        put("content", r->dir.templates[i].content);
        printf("\n");
    }
    for (size_t i = 0; i < r->ncontacts; i++)
        print_contact(&r->contacts[i]);
    if (r->source_id) {
        printf("source");
        put("id", r->source_id);
        printf("\n");
    }
    if (labels_op && r->err == PROV_OK) {
        printf("titles");
        put_list("labels", r->titles, r->ntitles);
        printf("\n");
    }
    if (status_op && r->err == PROV_OK) {
        printf("state");
        put("status", model_status_name(r->status));
        put_int("snoozed_until", r->snoozed_until);
        printf("\n");
    }
}

static void on_result(void *ud, struct prov_result *res)
{
    (void)ud;
    if (synchronous)
        reentrant = true;
    print_result(res);
    finished = true;
}

static int usage(void)
{
    fprintf(stderr, "usage: chatwoot_probe URL ACCOUNT OP [ARGS...]\n");
    return 2;
}

static long long num(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

/* key=value filters of list and counts. */
static void parse_query(struct conv_query *q, int argc, char **argv)
{
    q->assignee = ASSIGNEE_ALL;
    q->status = CONV_OPEN;
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *k = argv[i], *v = eq + 1;
        if (strcmp(k, "assignee") == 0) {
            q->assignee = strcmp(v, "me") == 0           ? ASSIGNEE_MINE
                          : strcmp(v, "unassigned") == 0 ? ASSIGNEE_UNASSIGNED
                          : strcmp(v, "assigned") == 0   ? ASSIGNEE_ASSIGNED
                                                         : ASSIGNEE_ALL;
        } else if (strcmp(k, "status") == 0) {
            enum conv_status st;
            q->status = model_status_parse(v, &st) == 0 ? (int)st : -1;
        } else if (strcmp(k, "inbox") == 0) {
            q->inbox_id = num(v);
        } else if (strcmp(k, "team") == 0) {
            q->team_id = num(v);
        } else if (strcmp(k, "label") == 0) {
            q->label = v;
        } else if (strcmp(k, "q") == 0) {
            q->q = v;
        } else if (strcmp(k, "page") == 0) {
            q->page = (int)num(v);
        } else if (strcmp(k, "sort") == 0) {
            q->sort_by = v;
        }
    }
}

/* Start the operation; 0, or -1 for an unknown op or missing arguments. */
static int start(struct provider *p, const char *op, int argc, char **argv)
{
    const struct provider_ops *o = p->ops;
    const char *a0 = argc > 0 ? argv[0] : NULL, *a1 = argc > 1 ? argv[1] : NULL;
    const char *a2 = argc > 2 ? argv[2] : NULL;
    struct conv_query q = {0};
    if (strcmp(op, "profile") == 0) {
        o->profile(p, on_result, NULL);
    } else if (strcmp(op, "list") == 0 || strcmp(op, "counts") == 0) {
        parse_query(&q, argc, argv);
        if (strcmp(op, "list") == 0)
            o->list_conversations(p, &q, on_result, NULL);
        else
            o->conversation_counts(p, &q, on_result, NULL);
    } else if (strcmp(op, "search") == 0 && a0) {
        o->search_conversations(p, a0, (int)num(a1), on_result, NULL);
    } else if (strcmp(op, "get") == 0 && a0) {
        o->get_conversation(p, num(a0), on_result, NULL);
    } else if (strcmp(op, "messages") == 0 && a0) {
        int64_t before = 0, after = 0;
        for (int i = 1; i < argc; i++) {
            if (strncmp(argv[i], "before=", 7) == 0)
                before = num(argv[i] + 7);
            else if (strncmp(argv[i], "after=", 6) == 0)
                after = num(argv[i] + 6);
        }
        o->list_messages(p, num(a0), before, after, on_result, NULL);
    } else if (strcmp(op, "send") == 0 && a1) {
        const char *echo = NULL;
        bool priv = false;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "private") == 0)
                priv = true;
            else if (strncmp(argv[i], "echo=", 5) == 0)
                echo = argv[i] + 5;
        }
        o->send_message(p, num(a0), a1, priv, echo, on_result, NULL);
    } else if (strcmp(op, "create") == 0 && a1) {
        const char *a3 = argc > 3 ? argv[3] : NULL;
        o->create_conversation(p, num(a0), num(a1), a3, a2, on_result, NULL);
    } else if (strcmp(op, "new-contact") == 0 && a1) {
        o->create_contact(p, num(a0), a1, on_result, NULL);
    } else if (strcmp(op, "status") == 0 && a1) {
        enum conv_status st = CONV_OPEN;
        status_op = true;
        if (model_status_parse(a1, &st) < 0)
            st = (enum conv_status)99; /* lets the test see the driver refuse it */
        o->set_status(p, num(a0), st, num(a2), on_result, NULL);
    } else if (strcmp(op, "priority") == 0 && a1) {
        enum conv_priority pr = PRIORITY_NONE;
        model_priority_parse(a1, &pr);
        o->set_priority(p, num(a0), pr, on_result, NULL);
    } else if (strcmp(op, "assign") == 0 && a1) {
        o->assign_agent(p, num(a0), num(a1), on_result, NULL);
    } else if (strcmp(op, "team") == 0 && a1) {
        o->assign_team(p, num(a0), num(a1), on_result, NULL);
    } else if (strcmp(op, "labels") == 0 && a0) {
        labels_op = true;
        o->get_labels(p, num(a0), on_result, NULL);
    } else if (strcmp(op, "setlabels") == 0 && a0) {
        labels_op = true;
        o->set_labels(p, num(a0), (const char *const *)argv + 1, (size_t)argc - 1, on_result, NULL);
    } else if (strcmp(op, "read") == 0 && a0) {
        o->mark_read(p, num(a0), on_result, NULL);
    } else if (strcmp(op, "unread") == 0 && a0) {
        o->mark_unread(p, num(a0), on_result, NULL);
    } else if (strcmp(op, "typing") == 0 && a1) {
        o->typing(p, num(a0), strcmp(a1, "on") == 0, a2 && strcmp(a2, "private") == 0, on_result,
                  NULL);
    } else if (strcmp(op, "agents") == 0) {
        o->list_dir(p, DIR_AGENTS, on_result, NULL);
    } else if (strcmp(op, "teams") == 0) {
        o->list_dir(p, DIR_TEAMS, on_result, NULL);
    } else if (strcmp(op, "account-labels") == 0) {
        o->list_dir(p, DIR_LABELS, on_result, NULL);
    } else if (strcmp(op, "inboxes") == 0) {
        o->list_dir(p, DIR_INBOXES, on_result, NULL);
    } else if (strcmp(op, "templates") == 0) {
        o->list_dir(p, DIR_TEMPLATES, on_result, NULL);
    } else if (strcmp(op, "contacts") == 0 && a0) {
        o->search_contacts(p, a0, on_result, NULL);
    } else if (strcmp(op, "contact") == 0 && a0) {
        o->get_contact(p, num(a0), on_result, NULL);
    } else {
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    if (argc < 4)
        return usage();
    const char *timeout = getenv("TWOWAY_PROBE_TIMEOUT_MS");
    struct http_opts opts = {.timeout_ms = timeout ? atol(timeout) : 10000};
    struct http *h = http_new(&opts);
    struct provider *p = chatwoot_new(h, argv[1], num(argv[2]), getenv("TWOWAY_TOKEN"));
    if (start(p, argv[3], argc - 4, argv + 4) < 0) {
        provider_free(&p);
        http_free(&h);
        return usage();
    }
    synchronous = false;
    int64_t deadline = timeutil_mono_ms() + 30000;
    while (!finished && timeutil_mono_ms() < deadline) {
        struct pollfd fds[16];
        int n = http_pollfds(h, fds, 16);
        long t = http_timeout_ms(h);
        int r = poll(fds, (nfds_t)n, t < 0 || t > 1000 ? 1000 : (int)t);
        http_perform(h, r > 0 ? fds : NULL, r > 0 ? n : 0);
    }
    int rc = 0;
    if (!finished) {
        printf("result err=hang\n");
        rc = 1;
    }
    if (reentrant) {
        printf("reentrant callback\n");
        rc = 1;
    }
    provider_free(&p);
    http_free(&h);
    return rc;
}
