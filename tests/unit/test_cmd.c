/* Unit tests for cmd: splitting, finding, the table, the dispatcher's
 * checks and errors, config files (file:line, token permissions, nesting),
 * options and bindings, the resolvers (agent ambiguity, near labels),
 * moving and marks, completion, and bulk commands and reply refusals
 * against a fake provider that answers from a queue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "twoway/buf.h"
#include "twoway/cmd.h"
#include "twoway/drafts.h"
#include "twoway/keymap.h"
#include "twoway/options.h"
#include "twoway/provider.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

#include "fake_provider.h"

/* ---- a fake provider: answers queue up and run when the test pumps ---- */

struct answer {
    prov_cb cb;
    void *ud;
    struct prov_result res;
};

struct fake {
    struct provider base;
    struct answer q[64];
    size_t nq;
    int64_t refuse_assign; /* assign_agent on this conversation fails */
    int assigns;
    const struct conversation *convs; /* what get_conversation knows */
    size_t nconvs;
};

static struct fake *fake_of(struct provider *p)
{
    return (struct fake *)p;
}

static struct prov_result *queue(struct provider *p, prov_cb cb, void *ud)
{
    struct fake *f = fake_of(p);
    assert_true(f->nq < 64);
    struct answer *a = &f->q[f->nq++];
    memset(a, 0, sizeof *a);
    a->cb = cb;
    a->ud = ud;
    a->res.retry_after = -1;
    return &a->res;
}

static void fake_free(struct provider *p)
{
    struct fake *f = fake_of(p);
    for (size_t i = 0; i < f->nq; i++)
        provider_result_free(&f->q[i].res);
    free(f);
}

static void fake_assign(struct provider *p, int64_t conv, int64_t agent, prov_cb cb, void *ud)
{
    struct fake *f = fake_of(p);
    struct prov_result *r = queue(p, cb, ud);
    f->assigns++;
    if (conv == f->refuse_assign) {
        r->err = PROV_ERR_DENIED;
        r->message = xstrdup("You are not authorized to do this action");
        return;
    }
    if (agent) {
        r->dir.agents = xcalloc(1, sizeof *r->dir.agents);
        r->dir.agents[0].id = agent;
        r->dir.agents[0].name = xstrdup(agent == 2 ? "Ben Ortiz" : "Someone");
        r->dir.agents[0].email = xstrdup("");
        r->dir.agents[0].role = xstrdup("agent");
        r->dir.agents[0].availability = xstrdup("online");
        r->dir.nagents = 1;
    }
}

static void fake_get_conv(struct provider *p, int64_t conv, prov_cb cb, void *ud)
{
    struct fake *f = fake_of(p);
    struct prov_result *r = queue(p, cb, ud);
    for (size_t i = 0; i < f->nconvs; i++) {
        if (f->convs[i].id == conv) {
            model_conversation_copy(&r->conv, &f->convs[i]);
            r->has_conv = true;
            return;
        }
    }
    r->err = PROV_ERR_NOT_FOUND;
    r->message = xstrdup("Resource could not be found");
}

static const struct provider_ops fake_ops = {
    .name = "fake",
    .free = fake_free,
    .assign_agent = fake_assign,
    .get_conversation = fake_get_conv,
};

/* Run queued answers (and those they queue) until none is left. */
static void pump(struct fake *f)
{
    while (f->nq) {
        struct answer a = f->q[0];
        memmove(&f->q[0], &f->q[1], (f->nq - 1) * sizeof f->q[0]);
        f->nq--;
        a.cb(a.ud, &a.res);
        provider_result_free(&a.res);
    }
}

/* ---- the world commands act on, with output captured ---- */

struct world {
    struct cmd_env env;
    struct store *st;
    struct view view;
    struct options *opts;
    struct keymap *keys;
    struct session *ss;
    struct fake *fake;
    struct buf info, errors;
    int dones, oks;
    char dir[64];
};

static void out_info(void *ud, const char *text)
{
    struct world *w = ud;
    buf_addf(&w->info, "%s\n", text);
}

static void out_error(void *ud, const char *cmd, const char *msg)
{
    struct world *w = ud;
    buf_addf(&w->errors, "%s: %s\n", cmd ? cmd : "", msg);
}

static void on_done(void *ud, bool ok)
{
    struct world *w = ud;
    w->dones++;
    w->oks += ok;
}

static struct agent agent(int64_t id, const char *name, const char *email)
{
    struct agent a = {.id = id, .account_id = 1};
    a.name = xstrdup(name);
    a.email = xstrdup(email);
    a.role = xstrdup("agent");
    a.availability = xstrdup("online");
    return a;
}

static void fill_directory(struct store *st)
{
    struct agent *a = xcalloc(4, sizeof *a);
    a[0] = agent(1, "Ann Lee", "ann@example.com");
    a[1] = agent(2, "Ben Ortiz", "ben@example.com");
    a[2] = agent(3, "Beth Ray", "beth@example.com");
    a[3] = agent(4, "Benjamin Stone", "bstone@example.com");
    store_set_agents(st, a, 4);
    struct team *t = xcalloc(2, sizeof *t);
    t[0] = (struct team){.id = 1, .name = xstrdup("Front desk"), .description = xstrdup("")};
    t[1] = (struct team){.id = 2, .name = xstrdup("Billing"), .description = xstrdup("")};
    store_set_teams(st, t, 2);
    const char *titles[] = {"appointment", "billing", "complaint", "vip"};
    struct label *l = xcalloc(4, sizeof *l);
    for (int i = 0; i < 4; i++)
        l[i] = (struct label){.id = i + 1,
                              .title = xstrdup(titles[i]),
                              .description = xstrdup(""),
                              .color = xstrdup("")};
    store_set_labels(st, l, 4);
}

/* A conversation record with everything a command may read. */
static struct conversation conv(int64_t id, const char *name, int64_t assignee, int unread)
{
    struct conversation c = {
        .id = id, .status = CONV_OPEN, .unread = unread, .last_activity_at = 1000 - id};
    c.contact.id = id + 100;
    c.contact.name = xstrdup(name);
    c.contact.phone = xasprintf("+1555010%04lld", (long long)id);
    c.contact.email = xstrdup("");
    c.contact.identifier = xstrdup("");
    c.assignee_id = assignee;
    c.assignee_name = xstrdup(assignee == 2 ? "Ben Ortiz" : assignee ? "Ann Lee" : "");
    c.team_name = xstrdup("");
    c.channel = xstrdup("Channel::TwilioSms");
    c.labels = xcalloc(1, sizeof *c.labels);
    c.last.sender_name = xstrdup("");
    c.last.content = xstrdup("");
    c.last.external_error = xstrdup("");
    c.last.echo_id = xstrdup("");
    return c;
}

static void fill_list(struct store *st)
{
    int64_t ids[] = {12, 13, 14, 15};
    struct conversation c;
    c = conv(12, "Maria Gonzalez", 2, 1);
    store_put_conv(st, &c);
    c = conv(13, "James Carter", 0, 0);
    store_put_conv(st, &c);
    c = conv(14, "Priya Raman", 1, 3);
    store_put_conv(st, &c);
    c = conv(15, "Robert Chen", 0, 0);
    store_put_conv(st, &c);
    store_list_set(st, ids, 4);
}

static void world_init(struct world *w, bool with_session)
{
    memset(w, 0, sizeof *w);
    w->st = store_new();
    view_init(&w->view);
    w->opts = options_new();
    /* Replies must not depend on the hour: the customers' quiet hours
     * (their time, from their numbers) would hold some back at night. */
    assert_int_equal(options_set(w->opts, "quiet_hours", "none", false, &(char *){NULL}), 0);
    w->keys = keymap_new();
    buf_init(&w->info);
    buf_init(&w->errors);
    w->env.st = w->st;
    w->env.view = &w->view;
    w->env.opts = w->opts;
    w->env.keys = w->keys;
    w->env.batch = true;
    w->env.out = (struct cmd_out){.info = out_info, .error = out_error, .ud = w};
    fill_directory(w->st);
    fill_list(w->st);
    struct profile me = {.id = 1, .account_id = 1};
    me.name = xstrdup("Ann Lee");
    me.email = xstrdup("ann@example.com");
    me.role = xstrdup("administrator");
    me.account_name = xstrdup("Bayside");
    store_set_profile(w->st, &me);
    if (with_session) {
        strcpy(w->dir, "/tmp/twoway-test-cmd-XXXXXX");
        assert_non_null(mkdtemp(w->dir));
        w->fake = xcalloc(1, sizeof *w->fake);
        w->fake->base.ops = &fake_ops;
        struct session_opts so = {.poll_ms = 5000, .state_dir = w->dir};
        w->ss = session_new(&w->fake->base, w->st, &so);
        w->env.ss = w->ss;
    }
}

static void world_free(struct world *w)
{
    session_free(&w->ss);
    if (w->dir[0]) {
        char *f = xasprintf("%s/outbox.jsonl", w->dir);
        unlink(f);
        free(f);
        rmdir(w->dir);
    }
    for (size_t i = 0; i < w->env.nlocal_templates; i++)
        model_template_free(&w->env.local_templates[i]);
    free(w->env.local_templates);
    view_free(&w->view);
    store_free(&w->st);
    options_free(&w->opts);
    keymap_free(&w->keys);
    buf_free(&w->info);
    buf_free(&w->errors);
}

static void run(struct world *w, const char *line)
{
    struct cmd_source src = {.file = NULL};
    cmd_run(&w->env, line, &src, on_done, w);
}

static bool contains(const struct buf *b, const char *s)
{
    return strstr(b->data, s) != NULL;
}

/* ---- splitting ---- */

static void test_cmd__split_quotes_escapes_and_comments(void **state)
{
    (void)state;
    int argc;
    char *err = NULL;
    char **v = cmd_split("reply -- \"Hi \\\"Maria\\\"\\nbye\" 'x y'z a\\ b # gone", &argc, &err);
    assert_non_null(v);
    assert_int_equal(argc, 5);
    assert_string_equal(v[0], "reply");
    assert_string_equal(v[1], "--");
    assert_string_equal(v[2], "Hi \"Maria\"\nbye");
    assert_string_equal(v[3], "x yz");
    assert_string_equal(v[4], "a b");
    assert_null(v[5]);
    cmd_argv_free(v, argc);
}

static void test_cmd__split_keeps_hash_inside_a_word_or_before_a_number(void **state)
{
    (void)state;
    int argc;
    char **v = cmd_split("reply Order #123 shipped, x#y", &argc, NULL);
    assert_int_equal(argc, 5);
    assert_string_equal(v[2], "#123");
    assert_string_equal(v[4], "x#y");
    cmd_argv_free(v, argc);
    v = cmd_split("   # a comment line", &argc, NULL);
    assert_int_equal(argc, 0);
    cmd_argv_free(v, argc);
}

static void test_cmd__split_takes_an_apostrophe_inside_a_word_as_a_letter(void **state)
{
    (void)state;
    int argc;
    char **v = cmd_split("reply I'm on it, don't worry set x=\"a b\"", &argc, NULL);
    assert_non_null(v);
    assert_int_equal(argc, 8);
    assert_string_equal(v[1], "I'm");
    assert_string_equal(v[4], "don't");
    assert_string_equal(v[7], "x=a b");
    cmd_argv_free(v, argc);
}

static void test_cmd__split_reports_an_unterminated_quote(void **state)
{
    (void)state;
    int argc = 7;
    char *err = NULL;
    assert_null(cmd_split("reply \"never closed", &argc, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "unterminated"));
    free(err);
}

/* ---- finding ---- */

static void test_cmd__find_by_name_alias_and_unique_prefix(void **state)
{
    (void)state;
    char *err = NULL;
    assert_string_equal(cmd_find("assign", &err)->name, "assign");
    assert_string_equal(cmd_find("q", &err)->name, "quit");
    assert_string_equal(cmd_find(";", &err)->name, "marked");
    assert_string_equal(cmd_find("whoa", &err)->name, "whoami");
    /* An exact name wins over being a prefix of others. */
    assert_string_equal(cmd_find("next", &err)->name, "next");
    assert_null(err);
}

static void test_cmd__find_ambiguous_prefix_lists_the_candidates(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(cmd_find("mark-", &err));
    assert_string_equal(err, "ambiguous command: mark-all, mark-read, mark-unread");
    free(err);
    assert_null(cmd_find("frobnicate", &err));
    assert_string_equal(err, "unknown command");
    free(err);
}

static void test_cmd__table_entries_are_complete_and_unique(void **state)
{
    (void)state;
    size_t n;
    const struct cmd_def *t = cmd_table(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].exec);
        assert_true(t[i].help && *t[i].help);
        assert_int_equal(strncmp(t[i].usage, t[i].name, strlen(t[i].name)), 0);
        assert_true(t[i].max_args < 0 || t[i].max_args >= t[i].min_args);
        for (size_t k = i + 1; k < n; k++)
            assert_string_not_equal(t[i].name, t[k].name);
        char *err = NULL;
        assert_ptr_equal(cmd_find(t[i].name, &err), &t[i]);
    }
    const char *needed[] = {
        "open",          "next",         "prev",    "next-unread", "next-waiting", "filter",
        "status-filter", "label-filter", "inbox",   "search",      "limit",        "list",
        "show",          "agents",       "teams",   "labels",      "templates",    "whoami",
        "reply",         "note",         "new",     "tag",         "assign",       "team",
        "resolve",       "reopen",       "pending", "snooze",      "priority",     "mark-read",
        "mark-unread",   "refresh",      "set",     "bind",        "unbind",       "color",
        "source",        "template",     "help",    "quit"};
    for (size_t i = 0; i < sizeof needed / sizeof *needed; i++) {
        char *err = NULL;
        const struct cmd_def *d = cmd_find(needed[i], &err);
        assert_non_null(d);
        assert_string_equal(d->name, needed[i]);
    }
}

/* ---- the dispatcher ---- */

static void test_cmd__unknown_command_and_bad_arguments_are_errors(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "frobnicate now");
    run(&w, "priority");
    run(&w, "assign me");
    run(&w, "   ");
    assert_int_equal(w.dones, 4);
    assert_int_equal(w.oks, 1); /* the empty line */
    assert_true(contains(&w.errors, "frobnicate: unknown command\n"));
    assert_true(contains(&w.errors, "priority: usage: priority urgent|high|medium|low|none\n"));
    assert_true(contains(&w.errors, "assign: not connected to a server\n"));
    world_free(&w);
}

static void test_cmd__needs_a_conversation_when_none_is_open(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    run(&w, "resolve");
    assert_int_equal(w.oks, 0);
    assert_true(contains(&w.errors, "resolve: no conversation open\n"));
    world_free(&w);
}

static void test_cmd__ui_commands_do_nothing_in_batch(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "redraw");
    run(&w, "prefix");
    run(&w, "thread-up 3");
    assert_int_equal(w.oks, 3);
    assert_false(w.env.prefix_marked);
    assert_string_equal(w.errors.data, "");
    world_free(&w);
}

static void test_cmd__default_rc_binds_the_documented_keys(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    struct cmd_source src = {.file = "(defaults)"};
    for (int i = 0; cmd_default_rc[i]; i++)
        cmd_run(&w.env, cmd_default_rc[i], &src, on_done, &w);
    assert_string_equal(w.errors.data, "");
    assert_int_equal(w.oks, w.dones);
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_LIST, 'j'), "next");
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_THREAD, 'j'), "thread-down");
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_LIST, '/'), "command-line \"search \"");
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_LIST, ';'), "prefix");
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_THREAD, KEY_TW_TAB), "focus toggle");
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_LIST, 'A'), "assign me");
    world_free(&w);
}

/* ---- options and bindings ---- */

static void test_cmd__set_forms_and_show(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "set poll_interval = 10");
    assert_string_equal(options_get(w.opts, "poll_interval"), "10");
    run(&w, "set poll_interval 12");
    assert_string_equal(options_get(w.opts, "poll_interval"), "12");
    run(&w, "set poll_interval=15");
    assert_string_equal(options_get(w.opts, "poll_interval"), "15");
    run(&w, "set poll_interval");
    assert_true(contains(&w.info, "poll_interval = 15\n"));
    run(&w, "unset poll_interval");
    assert_string_equal(options_get(w.opts, "poll_interval"), "5");
    run(&w, "set time_format = %H:%M %d");
    assert_string_equal(options_get(w.opts, "time_format"), "%H:%M %d");
    assert_int_equal(w.oks, w.dones);
    run(&w, "set pol_interval = 3");
    assert_true(contains(&w.errors, "set: unknown option 'pol_interval' (did you mean "
                                    "poll_interval?)\n"));
    run(&w, "set poll_interval = 0");
    assert_true(contains(&w.errors, "out of range"));
    world_free(&w);
}

static void test_cmd__set_lists_options_with_secrets_masked(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    assert_int_equal(options_set(w.opts, "token", "s3cret", true, &(char *){NULL}), 0);
    run(&w, "set");
    assert_true(contains(&w.info, "token = (set)\n"));
    assert_false(contains(&w.info, "s3cret"));
    assert_true(contains(&w.info, "confirm_foreign_reply = yes\n"));
    run(&w, "set token = other");
    assert_true(contains(&w.errors, "set: the token can only come from"));
    world_free(&w);
}

static void test_cmd__bind_checks_the_command_and_lists(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "bind list x tag +vip \"two words\"");
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_LIST, 'x'), "tag +vip \"two words\"");
    run(&w, "bind list y frobnicate");
    assert_true(contains(&w.errors, "bind: frobnicate: unknown command\n"));
    run(&w, "bind nowhere y next");
    assert_true(contains(&w.errors, "unknown key context"));
    run(&w, "bind list");
    assert_true(contains(&w.info, "bind list x tag +vip \"two words\"\n"));
    run(&w, "unbind list x");
    assert_null(keymap_lookup(w.keys, KEYCTX_LIST, 'x'));
    world_free(&w);
}

static void test_cmd__color_validates_names_without_a_screen(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "color selected brightwhite blue bold");
    run(&w, "color urgent color196");
    run(&w, "color note yellow default italic underline");
    assert_int_equal(w.oks, 3);
    run(&w, "color selectd white");
    assert_true(contains(&w.errors, "unknown role \"selectd\" (did you mean selected?)"));
    run(&w, "color urgent purple");
    assert_true(contains(&w.errors, "unknown colour \"purple\""));
    run(&w, "color urgent red blue shiny");
    assert_true(contains(&w.errors, "\"shiny\""));
    run(&w, "color urgent color256");
    assert_int_equal(w.oks, 3);
    world_free(&w);
}

static void test_cmd__local_template_replaces_the_same_name(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "template hi Hello {{contact.first_name}}");
    run(&w, "template hi Hi there");
    assert_int_equal(w.env.nlocal_templates, 1);
    assert_string_equal(w.env.local_templates[0].content, "Hi there");
    assert_true(w.env.local_templates[0].local);
    world_free(&w);
}

/* ---- config files ---- */

static char *write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

static void test_cmd__config_errors_name_file_and_line_and_the_rest_runs(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    char dir[] = "/tmp/twoway-test-cfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = write_file(dir, "config",
                            "# comment\n"
                            "bind list x resolve\n"
                            "frobnicate\n"
                            "assign me\n"
                            "set poll_interval = 9\n"
                            "template bye Bye {{contact.first_name}}\n",
                            0600);
    char *err = NULL;
    assert_int_equal(cmd_source_file(&w.env, path, &err), 2);
    assert_null(err);
    char *want = xasprintf("%s:3: frobnicate: unknown command\n", path);
    assert_true(contains(&w.errors, want));
    free(want);
    want = xasprintf("%s:4: assign: not allowed in a config file\n", path);
    assert_true(contains(&w.errors, want));
    free(want);
    assert_string_equal(keymap_lookup(w.keys, KEYCTX_LIST, 'x'), "resolve");
    assert_string_equal(options_get(w.opts, "poll_interval"), "9");
    assert_int_equal(w.env.nlocal_templates, 1);
    unlink(path);
    free(path);
    rmdir(dir);
    world_free(&w);
}

static void test_cmd__config_with_token_must_be_private(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    char dir[] = "/tmp/twoway-test-cfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = write_file(dir, "config", "set poll_interval = 7\nset token = abc\n", 0644);
    char *err = NULL;
    assert_int_equal(cmd_source_file(&w.env, path, &err), 1);
    char *want = xasprintf("%s: holds a token but others can read it (chmod 600 %s)", path, path);
    assert_string_equal(err, want);
    free(want);
    free(err);
    /* Refused as a whole: not even the harmless line ran. */
    assert_string_equal(options_get(w.opts, "poll_interval"), "5");
    chmod(path, 0600);
    assert_int_equal(cmd_source_file(&w.env, path, &err), 0);
    assert_null(err);
    assert_string_equal(options_get(w.opts, "token"), "abc");
    unlink(path);
    free(path);
    rmdir(dir);
    world_free(&w);
}

static void test_cmd__source_nesting_is_limited(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    char dir[] = "/tmp/twoway-test-cfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = write_file(dir, "loop", "source loop\n", 0600);
    char *err = NULL;
    assert_true(cmd_source_file(&w.env, path, &err) >= 1);
    assert_null(err);
    assert_true(contains(&w.errors, "nest more than 10 deep"));
    assert_int_equal(w.env.source_depth, 0);
    unlink(path);
    free(path);
    rmdir(dir);
    world_free(&w);
}

/* ---- resolvers ---- */

static void test_cmd__resolve_agent_by_name_email_id_me_none(void **state)
{
    (void)state;
    struct store *st = store_new();
    fill_directory(st);
    int64_t id = -1;
    char *err = NULL;
    assert_int_equal(cmd_resolve_agent(st, 2, "ann", &id, &err), 0);
    assert_int_equal(id, 1);
    assert_int_equal(cmd_resolve_agent(st, 2, "BETH@example.com", &id, &err), 0);
    assert_int_equal(id, 3);
    assert_int_equal(cmd_resolve_agent(st, 2, "4", &id, &err), 0);
    assert_int_equal(id, 4);
    assert_int_equal(cmd_resolve_agent(st, 7, "me", &id, &err), 0);
    assert_int_equal(id, 7);
    assert_int_equal(cmd_resolve_agent(st, 2, "none", &id, &err), 0);
    assert_int_equal(id, 0);
    /* "ben" is Ben's first name exactly, though also a prefix of Benjamin. */
    assert_int_equal(cmd_resolve_agent(st, 2, "ben", &id, &err), 0);
    assert_int_equal(id, 2);
    assert_int_equal(cmd_resolve_agent(st, 2, "Ben Ortiz", &id, &err), 0);
    assert_int_equal(id, 2);
    assert_int_equal(cmd_resolve_agent(st, 2, "benj", &id, &err), 0);
    assert_int_equal(id, 4);
    store_free(&st);
}

static void test_cmd__resolve_agent_ambiguity_lists_the_matches(void **state)
{
    (void)state;
    struct store *st = store_new();
    fill_directory(st);
    int64_t id = -1;
    char *err = NULL;
    assert_int_equal(cmd_resolve_agent(st, 2, "b", &id, &err), -1);
    assert_string_equal(err, "ambiguous agent \"b\": Ben Ortiz, Beth Ray, Benjamin Stone");
    free(err);
    assert_int_equal(cmd_resolve_agent(st, 2, "be", &id, &err), -1);
    assert_non_null(strstr(err, "ambiguous agent \"be\""));
    free(err);
    assert_int_equal(cmd_resolve_agent(st, 2, "zed", &id, &err), -1);
    assert_string_equal(err, "no agent matching \"zed\"");
    free(err);
    assert_int_equal(cmd_resolve_agent(st, 2, "99", &id, &err), -1);
    assert_string_equal(err, "no agent with id 99");
    free(err);
    assert_int_equal(cmd_resolve_agent(st, 0, "me", &id, &err), -1);
    free(err);
    assert_int_equal(id, -1);
    store_free(&st);
}

static void test_cmd__resolve_team_and_labels_with_near_matches(void **state)
{
    (void)state;
    struct store *st = store_new();
    fill_directory(st);
    int64_t id = 0;
    char *err = NULL;
    assert_int_equal(cmd_resolve_team(st, "front", &id, &err), 0);
    assert_int_equal(id, 1);
    assert_int_equal(cmd_resolve_team(st, "billing", &id, &err), 0);
    assert_int_equal(id, 2);
    assert_int_equal(cmd_resolve_team(st, "none", &id, &err), 0);
    assert_int_equal(id, 0);
    assert_int_equal(cmd_resolve_team(st, "sales", &id, &err), -1);
    free(err);
    const char *title = NULL;
    assert_int_equal(cmd_resolve_label(st, "VIP", &title, &err), 0);
    assert_string_equal(title, "vip");
    assert_int_equal(cmd_resolve_label(st, "billng", &title, &err), -1);
    assert_string_equal(err, "unknown label \"billng\" (did you mean billing?)");
    free(err);
    assert_int_equal(cmd_resolve_label(st, "appoint", &title, &err), -1);
    assert_non_null(strstr(err, "did you mean appointment?"));
    free(err);
    assert_int_equal(cmd_resolve_label(st, "zzzzzz", &title, &err), -1);
    assert_null(strstr(err, "did you mean"));
    free(err);
    store_free(&st);
}

/* ---- moving and marks ---- */

static void test_cmd__moving_follows_the_list_under_the_limit(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "next");
    assert_int_equal(w.view.selected, 12);
    run(&w, "next");
    assert_int_equal(w.view.selected, 13);
    run(&w, "bottom");
    assert_int_equal(w.view.selected, 15);
    run(&w, "next");
    assert_int_equal(w.view.selected, 15);
    run(&w, "limit ~u");
    run(&w, "top");
    assert_int_equal(w.view.selected, 12);
    run(&w, "next");
    assert_int_equal(w.view.selected, 14); /* 13 is read: not shown */
    run(&w, "limit none");
    run(&w, "limit ~q(");
    assert_true(contains(&w.errors, "limit: "));
    assert_null(w.view.limit);
    world_free(&w);
}

static void test_cmd__next_unread_wraps_around(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    w.view.selected = 14;
    run(&w, "next-unread");
    assert_int_equal(w.view.selected, 12);
    run(&w, "next-unread");
    assert_int_equal(w.view.selected, 14);
    world_free(&w);
}

static void test_cmd__marks_toggle_all_and_clear(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    w.view.selected = 13;
    run(&w, "mark");
    assert_true(view_marked(&w.view, 13));
    run(&w, "mark");
    assert_false(view_marked(&w.view, 13));
    run(&w, "limit ~u");
    run(&w, "mark-all");
    assert_int_equal(w.view.nmarks, 2);
    assert_true(view_marked(&w.view, 12) && view_marked(&w.view, 14));
    run(&w, "unmark-all");
    assert_int_equal(w.view.nmarks, 0);
    run(&w, "mark 12 #15");
    assert_int_equal(w.view.nmarks, 2);
    world_free(&w);
}

static void test_cmd__filters_change_the_view(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    run(&w, "filter all");
    assert_int_equal(w.view.assignee, ASSIGNEE_ALL);
    run(&w, "status-filter resolved");
    assert_int_equal(w.view.status, CONV_RESOLVED);
    run(&w, "status-filter all");
    assert_int_equal(w.view.status, -1);
    run(&w, "label-filter billing");
    assert_string_equal(w.view.label, "billing");
    run(&w, "team-filter bill");
    assert_int_equal(w.view.team_id, 2);
    run(&w, "search order BD-20931");
    assert_string_equal(w.view.search, "order BD-20931");
    run(&w, "search none");
    assert_null(w.view.search);
    assert_int_equal(w.oks, w.dones);
    run(&w, "filter everybody");
    run(&w, "label-filter billng");
    assert_true(contains(&w.errors, "did you mean billing?"));
    world_free(&w);
}

/* ---- completion ---- */

static bool has(char **v, const char *s)
{
    for (; *v; v++)
        if (strcmp(*v, s) == 0)
            return true;
    return false;
}

static size_t count(char **v)
{
    size_t n = 0;
    while (v[n])
        n++;
    return n;
}

static void free_cands(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

static char **complete(struct world *w, const char *line)
{
    return cmd_complete(&w->env, line, strlen(line));
}

static void test_cmd__completes_commands_and_arguments(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, false);
    char **c = complete(&w, "ass");
    assert_int_equal(count(c), 1);
    assert_string_equal(c[0], "assign");
    free_cands(c);
    c = complete(&w, "assign B");
    assert_true(has(c, "Ben") && has(c, "Beth") && has(c, "Benjamin"));
    assert_false(has(c, "Ann"));
    free_cands(c);
    c = complete(&w, "assign ");
    assert_true(has(c, "me") && has(c, "none") && has(c, "Ann"));
    free_cands(c);
    c = complete(&w, "tag +bil");
    assert_int_equal(count(c), 1);
    assert_string_equal(c[0], "+billing");
    free_cands(c);
    c = complete(&w, "tag vip -");
    assert_true(has(c, "-vip") && has(c, "-appointment"));
    free_cands(c);
    c = complete(&w, "set poll");
    assert_string_equal(c[0], "poll_interval");
    free_cands(c);
    c = complete(&w, "set color = ");
    assert_true(has(c, "auto") && has(c, "yes") && has(c, "no"));
    free_cands(c);
    c = complete(&w, "open 1");
    assert_true(has(c, "12") && has(c, "15"));
    free_cands(c);
    c = complete(&w, "marked pri");
    assert_true(has(c, "priority"));
    free_cands(c);
    c = complete(&w, "; priority u");
    assert_true(has(c, "urgent"));
    free_cands(c);
    c = complete(&w, "bind list x res");
    assert_true(has(c, "resolve"));
    free_cands(c);
    c = complete(&w, "team \"Fro");
    assert_true(has(c, "Front desk"));
    free_cands(c);
    c = complete(&w, "frobnicate ");
    assert_int_equal(count(c), 0);
    free_cands(c);
    /* The arguments that are words of a fixed set. */
    c = complete(&w, "snooze ");
    assert_true(has(c, "next-reply") && has(c, "1h") && has(c, "tomorrow"));
    free_cands(c);
    c = complete(&w, "snooze to");
    assert_int_equal(count(c), 1);
    assert_string_equal(c[0], "tomorrow");
    free_cands(c);
    c = complete(&w, "priority ");
    assert_true(has(c, "urgent") && has(c, "none"));
    free_cands(c);
    c = complete(&w, "status-filter re");
    assert_string_equal(c[0], "resolved");
    free_cands(c);
    c = complete(&w, "focus t");
    assert_true(has(c, "thread") && has(c, "toggle") && !has(c, "list"));
    free_cands(c);
    world_free(&w);
}

/* ---- bottom under a limit matched here, over an inbox not all loaded ---- */

/* Conversations 3000 down to 1 in the server's order, 25 a page: page k of
 * the list holds 3001 - 25k .. 3025 - 25k. */
#define BIG_INBOX 3000

static void answer_big_page(struct fake_provider *fp)
{
    const struct fake_call *c = fake_provider_next(fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    struct prov_result r = fake_result(PROV_OK, NULL);
    int64_t first = BIG_INBOX - 25 * (c->q.page - 1);
    for (int64_t id = first; id > first - 25 && id > 0; id--) {
        struct conversation cv =
            fake_conv(id, fake_message(id * 10, id, MSG_INCOMING, 0, "hello", 1000 + id));
        fake_result_add_conv(&r, &cv);
    }
    if (c->q.page == 1) {
        r.has_counts = true;
        r.counts = (struct conv_counts){.mine = 0, .unassigned = BIG_INBOX, .all = BIG_INBOX};
    }
    assert_int_equal(fake_provider_answer_next(fp, FAKE_LIST_CONVERSATIONS, &r), 0);
}

/* Answer list pages while they are asked for; the last page asked. */
static int answer_big_pages(struct fake_provider *fp)
{
    int page = 0;
    const struct fake_call *c;
    while ((c = fake_provider_next(fp, FAKE_LIST_CONVERSATIONS))) {
        page = c->q.page;
        answer_big_page(fp);
    }
    return page;
}

static struct fake_provider *big_world(struct world *w)
{
    world_init(w, false);
    strcpy(w->dir, "/tmp/twoway-test-cmd-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    struct fake_provider *fp = fake_provider_new();
    struct session_opts so = {.poll_ms = 5000, .state_dir = w->dir, .no_live = true};
    w->ss = session_new(fake_provider_base(fp), w->st, &so);
    w->env.ss = w->ss;
    w->env.batch = false;
    session_start(w->ss);
    struct prov_result r = fake_result(PROV_OK, NULL);
    fake_result_set_profile(&r, 1, "Ann Lee");
    assert_int_equal(fake_provider_answer_next(fp, FAKE_PROFILE, &r), 0);
    for (enum fake_op op = FAKE_LIST_AGENTS; op <= FAKE_LIST_TEMPLATES; op++)
        fake_provider_answer_all_ok(fp, op);
    fake_provider_answer_all_ok(fp, FAKE_CONVERSATION_COUNTS);
    assert_int_equal(answer_big_pages(fp), 1);
    assert_true(session_ready(w->ss));
    return fp;
}

static void test_cmd__bottom_under_a_limit_matched_here_looks_further(void **state)
{
    (void)state;
    struct world w;
    struct fake_provider *fp = big_world(&w);
    /* Text the server cannot filter by: pages 2..41 are looked through by
     * themselves, and the one match (page 80) is not among them. */
    run(&w, "limit Customer 1001");
    assert_int_equal(answer_big_pages(fp), 41);
    assert_false(session_list_complete(w.ss));
    /* bottom looks on from there, as the limit did, though nothing matched
     * so far: not "the list is empty", and not the server's last pages by
     * a count that is the whole list's, not the limit's. */
    buf_reset(&w.errors);
    run(&w, "bottom");
    assert_string_equal(w.errors.data ? w.errors.data : "", "");
    const struct fake_call *c = fake_provider_next(fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 42);
    assert_int_equal(answer_big_pages(fp), 81);
    bool found = false;
    for (size_t i = 0; i < store_list_len(w.st); i++)
        found |= store_list_at(w.st, i) == 1001;
    assert_true(found);
    /* With matches shown, bottom looks further again (page 82 on), never
     * jumping to the last pages (119 and 120) over the ones between. */
    run(&w, "bottom");
    c = fake_provider_next(fp, FAKE_LIST_CONVERSATIONS);
    assert_non_null(c);
    assert_int_equal(c->q.page, 82);
    answer_big_pages(fp);
    session_free(&w.ss);
    world_free(&w);
}

/* ---- bulk and replies, against the fake provider ---- */

static void test_cmd__bulk_assign_reports_how_many_and_why(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    int64_t marks[] = {12, 13, 14};
    view_mark_many(&w.view, marks, 3, true);
    w.fake->refuse_assign = 14;
    run(&w, "marked assign ben");
    assert_int_equal(cmd_pending(&w.env), 1);
    assert_int_equal(w.dones, 0);
    pump(w.fake);
    assert_int_equal(w.dones, 1);
    assert_int_equal(w.oks, 0);
    assert_int_equal(w.fake->assigns, 3);
    assert_int_equal(cmd_pending(&w.env), 0);
    assert_true(contains(&w.errors, "assign: 2 of 3 done; #14: You are not authorized to do "
                                    "this action\n"));
    assert_int_equal(store_conv(w.st, 13)->assignee_id, 2);
    assert_string_equal(store_conv(w.st, 13)->assignee_name, "Ben Ortiz");
    assert_int_equal(store_conv(w.st, 14)->assignee_id, 1);

    w.fake->refuse_assign = 0;
    w.env.prefix_marked = true; /* the ; key, on a screen */
    run(&w, "assign none");
    assert_int_equal(cmd_pending(&w.env), 1);
    pump(w.fake);
    w.env.prefix_marked = false;
    assert_int_equal(w.dones, 2);
    assert_int_equal(w.oks, 1);
    assert_true(contains(&w.info, "assign: 3 of 3 done\n"));
    assert_int_equal(store_conv(w.st, 12)->assignee_id, 0);

    run(&w, ";assign 2"); /* neomutt's spelling */
    pump(w.fake);
    assert_int_equal(w.oks, 2);
    assert_int_equal(store_conv(w.st, 14)->assignee_id, 2);
    assert_int_equal(cmd_pending(&w.env), 0);
    world_free(&w);
}

static void test_cmd__bulk_refuses_without_marks_or_for_single_commands(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    run(&w, "marked resolve");
    assert_true(contains(&w.errors, "resolve: no conversations are marked\n"));
    view_mark(&w.view, 12, true);
    run(&w, "marked reply hello");
    assert_true(contains(&w.errors, "reply: cannot be applied to marked conversations\n"));
    assert_int_equal(w.dones, 2);
    assert_int_equal(w.oks, 0);
    world_free(&w);
}

static void test_cmd__reply_refusals_send_nothing(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    struct conversation known[3];
    known[0] = conv(12, "Maria Gonzalez", 2, 1); /* Ben's */
    known[1] = conv(13, "James Carter", 0, 0);
    known[1].contact.opted_out = true;
    known[2] = conv(14, "Priya Raman", 0, 0);
    w.fake->convs = known;
    w.fake->nconvs = 3;

    /* Nothing is sent, and what was typed is kept as the draft. */
    run(&w, "reply --conversation 12 -- Hi {{contact.first_name}}");
    pump(w.fake);
    char *want = xasprintf("reply: #12 is assigned to Ben Ortiz; use reply --force (or "
                           "set confirm_foreign_reply = no); the reply is kept as the draft "
                           "of #12 (%s/draft-12.txt)\n",
                           w.dir);
    assert_true(contains(&w.errors, want));
    free(want);
    /* As written: the variable stays a variable, to be filled again. */
    char *draft = drafts_load(w.dir, 12, false);
    assert_string_equal(draft, "Hi {{contact.first_name}}");
    free(draft);
    run(&w, "reply --conversation 13 -- Hi");
    pump(w.fake);
    assert_true(contains(&w.errors, "reply: James replied STOP and has opted out of SMS; only "
                                    "notes are possible; the reply is kept as the draft of #13"));
    run(&w, "reply --conversation 14 -- Your email is {{contact.email}}");
    pump(w.fake);
    assert_true(contains(&w.errors, "{{contact.email}}"));
    assert_true(contains(&w.errors, "nothing was sent"));
    draft = drafts_load(w.dir, 14, false);
    assert_string_equal(draft, "Your email is {{contact.email}}");
    free(draft);
    run(&w, "reply --conversation 14 --template nope");
    pump(w.fake);
    assert_true(contains(&w.errors, "reply: unknown template \"nope\" (see `templates`)\n"));
    run(&w, "reply --conversation 99 -- Hi");
    pump(w.fake);
    assert_true(contains(&w.errors, "reply: no conversation #99; the reply is kept as the draft "
                                    "of #99"));
    /* A second refusal keeps the first draft, and adds to it. */
    run(&w, "reply --conversation 12 -- Second try");
    pump(w.fake);
    draft = drafts_load(w.dir, 12, false);
    assert_string_equal(draft, "Hi {{contact.first_name}}\n\nSecond try");
    free(draft);
    run(&w, "reply --conversation x -- Hi");
    assert_true(contains(&w.errors, "reply: --conversation needs a conversation id\n"));
    assert_int_equal(w.dones, 7);
    assert_int_equal(w.oks, 0);
    assert_int_equal(session_outbox_count(w.ss), 0);

    /* With --force the owner question is skipped: it reaches the outbox
     * (on a screen the command ends there). */
    static const struct cmd_ui screen = {0};
    w.env.ui = &screen;
    w.env.batch = false;
    run(&w, "reply --force --conversation 12 -- Hi {{contact.first_name}}");
    pump(w.fake);
    assert_int_equal(session_outbox_count(w.ss), 1);
    assert_int_equal(w.dones, 8);
    assert_int_equal(w.oks, 1);
    for (int i = 0; i < 3; i++)
        model_conversation_free(&known[i]);
    world_free(&w);
}

static void test_cmd__reply_over_the_limit_is_refused_before_any_request(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    struct conversation known = conv(14, "Priya Raman", 0, 0);
    w.fake->convs = &known;
    w.fake->nconvs = 1;
    char *text = xmalloc(1532);
    memset(text, 'x', 1531); /* 11 segments of GSM-7 */
    text[1531] = '\0';

    char *line = xasprintf("reply --conversation 14 -- %s", text);
    run(&w, line);
    assert_int_equal(w.fake->nq, 0); /* not even a read of the conversation */
    assert_true(contains(&w.errors, "reply: reply to #14 is too long: 11 SMS segments; "
                                    "max_segments allows 10; nothing was sent; the reply is "
                                    "kept as the draft of #14 ("));
    char *draft = drafts_load(w.dir, 14, false);
    assert_string_equal(draft, text);
    free(draft);
    free(line);

    /* Past Twilio's 1,600 characters a larger max_segments does not help. */
    run(&w, "set max_segments = 20");
    char *big = xasprintf("reply --conversation 14 -- %s%.70s", text, text);
    run(&w, big);
    assert_int_equal(w.fake->nq, 0);
    assert_true(contains(&w.errors, "1601 characters as SMS (GSM-7); the SMS provider takes at "
                                    "most 1600"));
    free(big);

    /* A variable is filled from the conversation first: refused after
     * reading it, before anything is sent or queued. */
    run(&w, "set max_segments = 10");
    char *vars = xasprintf("reply --conversation 14 -- Hi {{contact.first_name}} %s", text);
    run(&w, vars);
    pump(w.fake);
    assert_true(contains(&w.errors, "reply: reply to #14 is too long: 11 SMS segments"));
    free(vars);
    assert_int_equal(w.dones, 5);
    assert_int_equal(w.oks, 2); /* the two sets */
    assert_int_equal(session_outbox_count(w.ss), 0);
    free(text);
    model_conversation_free(&known);
    world_free(&w);
}

/* ---- on a screen: the hooks ---- */

struct screen {
    struct buf calls;
    void (*answer)(void *cbud, bool yes);
    void *cbud;
    char question[256];
};

static void ui_compose(void *ud, int64_t conv, bool is_private, bool force, const char *text)
{
    struct screen *s = ud;
    buf_addf(&s->calls, "compose %lld %d [%s]\n", (long long)conv, is_private, text);
}

static void ui_help(void *ud, const char *topic)
{
    struct screen *s = ud;
    buf_addf(&s->calls, "help %s\n", topic ? topic : "-");
}

static void ui_confirm(void *ud, const char *q, void (*answer)(void *, bool), void *cbud)
{
    struct screen *s = ud;
    snprintf(s->question, sizeof s->question, "%s", q);
    s->answer = answer;
    s->cbud = cbud;
}

static void ui_refused(void *ud, int64_t conv, bool is_private, const char *text, const char *why)
{
    struct screen *s = ud;
    buf_addf(&s->calls, "refused %lld %d [%s] %s\n", (long long)conv, is_private, text, why);
}

static void ui_scroll(void *ud, int lines, int pages)
{
    struct screen *s = ud;
    buf_addf(&s->calls, "scroll %d %d\n", lines, pages);
}

static void on_screen(struct world *w, struct screen *s, struct cmd_ui *ui)
{
    memset(s, 0, sizeof *s);
    buf_init(&s->calls);
    *ui = (struct cmd_ui){.compose = ui_compose,
                          .help = ui_help,
                          .confirm = ui_confirm,
                          .refused = ui_refused,
                          .scroll = ui_scroll,
                          .ud = s};
    w->env.ui = ui;
    w->env.batch = false;
}

static void test_cmd__screen_hooks_for_compose_help_scroll_and_prefix(void **state)
{
    (void)state;
    struct world w;
    struct screen s;
    struct cmd_ui ui;
    world_init(&w, true);
    on_screen(&w, &s, &ui);
    run(&w, "open 13");
    assert_int_equal(w.view.open_conv, 13);
    assert_int_equal(w.view.selected, 13);
    assert_int_equal(w.view.focus, VIEW_FOCUS_THREAD);
    run(&w, "reply");
    run(&w, "note");
    run(&w, "help assi");
    run(&w, "thread-up 3");
    run(&w, "thread-page-down");
    assert_string_equal(s.calls.data, "compose 13 0 []\ncompose 13 1 []\nhelp assign\n"
                                      "scroll -3 0\nscroll 0 1\n");
    run(&w, "prefix");
    assert_true(w.env.prefix_marked);
    assert_int_equal(w.oks, w.dones);
    buf_free(&s.calls);
    world_free(&w);
}

static void test_cmd__screen_confirms_a_reply_to_another_agents_conversation(void **state)
{
    (void)state;
    struct world w;
    struct screen s;
    struct cmd_ui ui;
    world_init(&w, true);
    struct conversation known = conv(12, "Maria Gonzalez", 2, 1);
    w.fake->convs = &known;
    w.fake->nconvs = 1;
    on_screen(&w, &s, &ui);

    run(&w, "reply --conversation 12 -- \"Hi {{contact.first_name}}\"");
    pump(w.fake);
    assert_string_equal(s.question, "#12 is assigned to Ben Ortiz. Reply anyway?");
    assert_int_equal(w.dones, 0);
    s.answer(s.cbud, false);
    assert_int_equal(w.dones, 1);
    assert_int_equal(w.oks, 0);
    assert_int_equal(session_outbox_count(w.ss), 0);
    /* The text as written goes back to the agent, with why. */
    assert_string_equal(s.calls.data,
                        "refused 12 0 [Hi {{contact.first_name}}] reply to #12 not sent\n");

    s.question[0] = '\0';
    run(&w, "reply --conversation 12 -- \"Hi {{contact.first_name}}\"");
    pump(w.fake);
    assert_string_equal(s.question, "#12 is assigned to Ben Ortiz. Reply anyway?");
    s.answer(s.cbud, true);
    assert_int_equal(w.dones, 2);
    assert_int_equal(w.oks, 1);
    assert_int_equal(session_outbox_count(w.ss), 1);
    size_t n;
    const struct message *m = store_thread(w.st, 12, &n);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].content, "Hi Maria");
    assert_int_equal(m[0].status, MSGST_SENDING);

    /* Turned off: no question. */
    run(&w, "set confirm_foreign_reply = no");
    s.question[0] = '\0';
    run(&w, "reply --conversation 12 -- again");
    pump(w.fake);
    assert_string_equal(s.question, "");
    assert_int_equal(session_outbox_count(w.ss), 2);
    model_conversation_free(&known);
    buf_free(&s.calls);
    world_free(&w);
}

static void test_cmd__screen_gets_every_refused_reply_back_with_its_reason(void **state)
{
    (void)state;
    struct world w;
    struct screen s;
    struct cmd_ui ui;
    world_init(&w, true);
    struct conversation known[2];
    known[0] = conv(13, "James Carter", 0, 0);
    known[0].contact.opted_out = true;
    known[1] = conv(14, "Priya Raman", 0, 0);
    w.fake->convs = known;
    w.fake->nconvs = 2;
    on_screen(&w, &s, &ui);

    run(&w, "reply --conversation 13 -- Are you there?");
    pump(w.fake);
    run(&w, "reply --conversation 14 -- Hi {{contact.nickname}}");
    pump(w.fake);
    run(&w, "set max_segments = 1");
    run(&w, "reply --conversation 14 -- "
            "0123456789012345678901234567890123456789012345678901234567890123456789"
            "0123456789012345678901234567890123456789012345678901234567890123456789"
            "0123456789012345678901234567890123456789");
    pump(w.fake);
    /* Blank: nothing to give back. */
    run(&w, "reply --conversation 14 -- \"  \"");
    pump(w.fake);
    assert_string_equal(
        s.calls.data,
        "refused 13 0 [Are you there?] James replied STOP and has opted out of SMS; only notes "
        "are possible\n"
        "refused 14 0 [Hi {{contact.nickname}}] unknown variable {{contact.nickname}}; nothing "
        "was sent\n"
        "refused 14 0 [0123456789012345678901234567890123456789012345678901234567890123456789"
        "0123456789012345678901234567890123456789012345678901234567890123456789"
        "0123456789012345678901234567890123456789] reply to #14 is too long: 2 SMS segments; "
        "max_segments allows 1; nothing was sent\n");
    assert_int_equal(session_outbox_count(w.ss), 0);
    for (int i = 0; i < 2; i++)
        model_conversation_free(&known[i]);
    buf_free(&s.calls);
    world_free(&w);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmd__split_quotes_escapes_and_comments),
        cmocka_unit_test(test_cmd__split_keeps_hash_inside_a_word_or_before_a_number),
        cmocka_unit_test(test_cmd__split_takes_an_apostrophe_inside_a_word_as_a_letter),
        cmocka_unit_test(test_cmd__split_reports_an_unterminated_quote),
        cmocka_unit_test(test_cmd__find_by_name_alias_and_unique_prefix),
        cmocka_unit_test(test_cmd__find_ambiguous_prefix_lists_the_candidates),
        cmocka_unit_test(test_cmd__table_entries_are_complete_and_unique),
        cmocka_unit_test(test_cmd__unknown_command_and_bad_arguments_are_errors),
        cmocka_unit_test(test_cmd__needs_a_conversation_when_none_is_open),
        cmocka_unit_test(test_cmd__ui_commands_do_nothing_in_batch),
        cmocka_unit_test(test_cmd__default_rc_binds_the_documented_keys),
        cmocka_unit_test(test_cmd__set_forms_and_show),
        cmocka_unit_test(test_cmd__set_lists_options_with_secrets_masked),
        cmocka_unit_test(test_cmd__bind_checks_the_command_and_lists),
        cmocka_unit_test(test_cmd__color_validates_names_without_a_screen),
        cmocka_unit_test(test_cmd__local_template_replaces_the_same_name),
        cmocka_unit_test(test_cmd__config_errors_name_file_and_line_and_the_rest_runs),
        cmocka_unit_test(test_cmd__config_with_token_must_be_private),
        cmocka_unit_test(test_cmd__source_nesting_is_limited),
        cmocka_unit_test(test_cmd__resolve_agent_by_name_email_id_me_none),
        cmocka_unit_test(test_cmd__resolve_agent_ambiguity_lists_the_matches),
        cmocka_unit_test(test_cmd__resolve_team_and_labels_with_near_matches),
        cmocka_unit_test(test_cmd__moving_follows_the_list_under_the_limit),
        cmocka_unit_test(test_cmd__bottom_under_a_limit_matched_here_looks_further),
        cmocka_unit_test(test_cmd__next_unread_wraps_around),
        cmocka_unit_test(test_cmd__marks_toggle_all_and_clear),
        cmocka_unit_test(test_cmd__filters_change_the_view),
        cmocka_unit_test(test_cmd__completes_commands_and_arguments),
        cmocka_unit_test(test_cmd__bulk_assign_reports_how_many_and_why),
        cmocka_unit_test(test_cmd__bulk_refuses_without_marks_or_for_single_commands),
        cmocka_unit_test(test_cmd__reply_refusals_send_nothing),
        cmocka_unit_test(test_cmd__reply_over_the_limit_is_refused_before_any_request),
        cmocka_unit_test(test_cmd__screen_hooks_for_compose_help_scroll_and_prefix),
        cmocka_unit_test(test_cmd__screen_confirms_a_reply_to_another_agents_conversation),
        cmocka_unit_test(test_cmd__screen_gets_every_refused_reply_back_with_its_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
