/* ui_rl — GNU readline on the input line, in callback mode (DESIGN.md
 * "Readline inside curses"): readline reads bytes from our queue, never the
 * terminal; never prints (rl_outstream is /dev/null); our redisplay paints
 * the line into the input window measured in display columns; signals,
 * SIGWINCH and the terminal modes stay ours. ~/.inputrc (emacs or vi mode,
 * $if twoway) applies. The `:` line keeps its history on disk; the composer
 * has a history of its own, in memory. */
#include <errno.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"
#include "twoway/drafts.h"
#include "twoway/log.h"
#include "twoway/options.h"
#include "twoway/session.h"
#include "twoway/store.h"
#include "twoway/template.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"
#include "ui_priv.h"

#define DRAFT_SAVE_MS 300

/* Readline is one global machine; this is the ui it serves. */
static struct ui *rl_ui;
static size_t feed_left;
static FILE *devnull;
static HISTORY_STATE *other_history; /* the history not active in readline */
static bool compose_history_active;

/* ---- readline's hooks ---- */

static int getc_hook(FILE *f)
{
    (void)f;
    struct ui *ui = rl_ui;
    if (!ui || feed_left == 0 || ui->inq.len == 0)
        return EOF;
    unsigned char c = (unsigned char)ui->inq.data[0];
    memmove(ui->inq.data, ui->inq.data + 1, ui->inq.len - 1);
    ui->inq.len--;
    ui->inq.data[ui->inq.len] = '\0';
    feed_left--;
    return c;
}

static int input_available_hook(void)
{
    return feed_left > 0 && rl_ui && rl_ui->inq.len > 0;
}

static void schedule_draft_save(struct ui *ui);

static void redisplay_hook(void)
{
    if (!rl_ui)
        return;
    ui_damage(rl_ui, DMG_INPUT);
    if (rl_ui->mode == MODE_COMPOSE) {
        ui_damage(rl_ui, DMG_STATUS); /* the segment counter */
        schedule_draft_save(rl_ui);
        /* Colleagues see that someone is answering (throttled there). */
        if (rl_ui->env->ss)
            session_typing(rl_ui->env->ss, rl_ui->compose_conv, rl_end > 0, rl_ui->compose_private);
    }
}

static void prep_term(int meta)
{
    (void)meta; /* curses owns the terminal modes */
}

static void deprep_term(void)
{
}

/* ---- history searches (C-r, M-p, vi's / and ?) ---- */

static bool searching(void)
{
    return RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0;
}

/* While readline searches the history, its line is the match found or the
 * words searched for, not what the agent wrote. Stopped as its own C-g
 * stops it: the line from before the search comes back. */
void ui_rl_stop_search(struct ui *ui)
{
    if (!ui->rl_active || !searching())
        return;
    struct buf rest = ui->inq;
    buf_init(&ui->inq);
    buf_addc(&ui->inq, 0x07);
    size_t was = feed_left;
    feed_left = 1;
    rl_callback_read_char();
    feed_left = was;
    buf_free(&ui->inq);
    ui->inq = rest;
    if (searching()) /* bound otherwise by ~/.inputrc: clean up all the same */
        rl_callback_sigcleanup();
}

/* ---- history: the `:` line's on disk, the composer's in memory ---- */

static char *history_path(const struct ui *ui)
{
    return xasprintf("%s/history", ui->deps.state_dir);
}

static void use_history(bool compose)
{
    if (compose == compose_history_active)
        return;
    HISTORY_STATE *mine = history_get_history_state();
    if (other_history) {
        history_set_history_state(other_history);
        free(other_history);
    } else {
        HISTORY_STATE empty = {0};
        history_set_history_state(&empty);
    }
    other_history = mine;
    compose_history_active = compose;
}

/* ---- drafts ---- */

static bool checking_for(int64_t conv, bool is_private);

static void save_draft(struct ui *ui)
{
    if (ui->mode != MODE_COMPOSE || !ui->deps.state_dir)
        return;
    /* The line is the search's for now; the draft keeps what was written. */
    if (searching())
        return;
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    /* Opened again while a line sent from it is checked: the draft file
     * keeps that line until the outbox has it. */
    if (!*line && checking_for(ui->compose_conv, ui->compose_private))
        return;
    char *err = NULL;
    if (drafts_save(ui->deps.state_dir, ui->compose_conv, ui->compose_private, line, &err) < 0) {
        ui_message(ui, err, true);
        free(err);
    }
}

static void draft_timer_cb(void *ud)
{
    struct ui *ui = ud;
    ui->draft_timer = 0;
    save_draft(ui);
}

static void schedule_draft_save(struct ui *ui)
{
    if (ui->draft_timer || !ui->deps.timer)
        return;
    ui->draft_timer =
        ui->deps.timer(ui->deps.loop_ud, timeutil_mono_ms() + DRAFT_SAVE_MS, draft_timer_cb, ui);
}

void ui_drafts_save_now(struct ui *ui)
{
    if (ui->draft_timer) {
        ui->deps.cancel(ui->deps.loop_ud, ui->draft_timer);
        ui->draft_timer = 0;
    }
    save_draft(ui);
}

/* ---- completion ---- */

/* Replace the word before the cursor with text. */
static void replace_word(const char *text, bool space)
{
    int start = rl_point;
    while (start > 0 && rl_line_buffer[start - 1] != ' ')
        start--;
    rl_delete_text(start, rl_point);
    rl_point = start;
    rl_insert_text(text);
    if (space)
        rl_insert_text(" ");
}

static size_t common_prefix(char **c)
{
    size_t n = strlen(c[0]);
    for (size_t i = 1; c[i]; i++) {
        size_t k = 0;
        while (k < n && c[i][k] == c[0][k])
            k++;
        n = k;
    }
    return n;
}

/* " (online)" after a candidate that is the first name of an agent the
 * live channel says is online, for the assign completion. */
static const char *online_mark(const struct ui *ui, const char *cand)
{
    size_t n;
    const struct agent *a = store_agents(ui->env->st, &n);
    for (size_t i = 0; i < n; i++) {
        if (store_agent_online(ui->env->st, a[i].id) != 1)
            continue;
        char *first = model_first_name(a[i].name);
        bool same = strcmp(first, cand) == 0;
        free(first);
        if (same)
            return " (online)";
    }
    return "";
}

static void complete_command(struct ui *ui)
{
    char **cands = cmd_complete(ui->env, rl_line_buffer, (size_t)rl_point);
    if (!cands || !cands[0]) {
        ui_message(ui, "no completions", false);
    } else if (!cands[1]) {
        replace_word(cands[0], true);
    } else {
        size_t n = common_prefix(cands);
        char *pre = xstrndup(cands[0], n);
        int start = rl_point;
        while (start > 0 && rl_line_buffer[start - 1] != ' ')
            start--;
        if ((int)n > rl_point - start)
            replace_word(pre, false);
        free(pre);
        struct buf b;
        buf_init(&b);
        for (size_t i = 0; cands[i] && b.len < 2000; i++)
            buf_addf(&b, "%s%s%s", i ? "  " : "", cands[i], online_mark(ui, cands[i]));
        ui_message(ui, b.data, false);
        buf_free(&b);
    }
    for (size_t i = 0; cands && cands[i]; i++)
        free(cands[i]);
    free(cands);
}

/* The template text for the composer's conversation, variables filled in
 * where possible; with an unfillable variable the raw text goes in and
 * the message names the problem (sending stops on it later). */
static char *expand_for_compose(struct ui *ui, const char *content)
{
    char *err = NULL;
    char *out = template_expand_for(content, ui->env->st, ui->compose_conv, &err);
    if (!out) {
        ui_message(ui, err, true);
        free(err);
        out = xstrdup(content);
    }
    return out;
}

/* "/word" + Tab in the composer puts a template in place of the word, as
 * Chatwoot's composer does with "/shortcode": the word is a short code or
 * its start, else words of the template's text ("/th" finds thanks). It
 * may stand anywhere, so one reply can hold several templates. */
static void complete_shortcode(struct ui *ui)
{
    int start = rl_point;
    while (start > 0 && !strchr(" \t\n", rl_line_buffer[start - 1]))
        start--;
    if (rl_line_buffer[start] != '/' || start == rl_point) {
        ui_message(ui, "type /shortcode and Tab to insert a template", false);
        return;
    }
    char *word = xstrndup(rl_line_buffer + start + 1, (size_t)(rl_point - start - 1));
    size_t hits = 0;
    const struct template *t = cmd_resolve_template_prefix(ui->env, word, &hits);
    if (!t) {
        /* Say which, so the next letters can tell them apart. */
        size_t n;
        const struct template **all = cmd_templates_matching(ui->env, word, &n);
        struct buf b;
        buf_init(&b);
        buf_adds(&b, hits ? "more than one template:" : "no template matches");
        for (size_t i = 0; i < hits && i < n && b.len < 200; i++)
            buf_addf(&b, " /%s", all[i]->short_code);
        ui_message(ui, b.data, true);
        buf_free(&b);
        free(all);
        free(word);
        return;
    }
    free(word);
    char *text = expand_for_compose(ui, t->content);
    rl_delete_text(start, rl_point);
    rl_point = start;
    rl_insert_text(text);
    free(text);
    const struct conversation *c = store_conv(ui->env->st, ui->compose_conv);
    if (c && !c->assignee_id && template_uses_agent(t->content) && !ui->message)
        ui_message(ui, "agent variables are yours: nobody has this conversation", false);
}

/* C-x C-e (emacs) or v (vi command mode) in the composer: go on in
 * $EDITOR. Readline is in the middle of a key here, so the switch happens
 * once it has returned (ui_rl_feed_bytes). */
static bool want_editor;

static int editor_hook(int count, int key)
{
    (void)count;
    (void)key;
    if (rl_ui && rl_ui->mode == MODE_COMPOSE)
        want_editor = true;
    return 0;
}

static int tab_hook(int count, int key)
{
    (void)count;
    (void)key;
    if (!rl_ui)
        return 0;
    if (rl_ui->mode == MODE_COMMAND)
        complete_command(rl_ui);
    else if (rl_ui->mode == MODE_COMPOSE)
        complete_shortcode(rl_ui);
    return 0;
}

/* ---- lines ---- */

struct submit {
    struct ui *ui;
    int64_t conv;
    bool is_private;
    bool done;
    char *text;
    char *waiting; /* the status message while the server is asked, or NULL */
    struct submit *next;
};

/* Lines sent from the composer whose checks are still going on. Their
 * text stays in the draft file until the outbox has it (a crash must not
 * lose it), but the composer does not offer it again meanwhile: sent a
 * second time from there, it would reach the customer twice. */
static struct submit *checking;

static bool being_checked(int64_t conv, bool is_private, const char *text)
{
    for (const struct submit *s = checking; s; s = s->next)
        if (s->conv == conv && s->is_private == is_private && (!text || strcmp(s->text, text) == 0))
            return true;
    return false;
}

static bool checking_for(int64_t conv, bool is_private)
{
    return being_checked(conv, is_private, NULL);
}

static void checked(struct submit *s)
{
    for (struct submit **pp = &checking; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            return;
        }
    }
}

/* The reply command finished: the text is in the outbox (delete the draft)
 * or it was refused or cancelled (give it back to the agent). */
static void submit_done(void *ud, bool ok)
{
    struct submit *s = ud;
    struct ui *ui = s->ui;
    s->done = true;
    if (ok) {
        /* The outbox has it: the draft goes, unless it holds something
         * else by now (typed in the composer opened again meanwhile). */
        char *err = NULL;
        char *draft = drafts_load(ui->deps.state_dir, s->conv, s->is_private);
        if (draft && strcmp(draft, s->text) == 0 &&
            drafts_save(ui->deps.state_dir, s->conv, s->is_private, "", &err) < 0)
            free(err);
        free(draft);
        if (s->waiting && ui->message && strcmp(ui->message, s->waiting) == 0)
            ui_message(ui, NULL, false);
    } else {
        /* The reply command gave it back with its reason already (then
         * this finds it there); a command refused before it ran did not. */
        ui_give_back(ui, s->conv, s->is_private, s->text, NULL);
    }
    if (!s->waiting)
        return; /* finished inside cmd_run: submit_compose frees it */
    checked(s);
    free(s->text);
    free(s->waiting);
    free(s);
}

/* Quote text as one command-line word. */
static char *quote_word(const char *text)
{
    struct buf b;
    buf_init(&b);
    buf_addc(&b, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_addc(&b, '\\');
        buf_addc(&b, *p);
    }
    buf_addc(&b, '"');
    return buf_detach(&b);
}

static void submit_compose(struct ui *ui, const char *text)
{
    int64_t conv = ui->compose_conv;
    bool priv = ui->compose_private;
    int64_t since = ui->compose_since;
    bool force = ui->compose_force;
    /* Sent again: the reason it was refused before is past. */
    free(ui->compose_note);
    ui->compose_note = NULL;
    ui_rl_end(ui);
    /* On disk until the outbox has it (readline's buffer is empty by now). */
    char *err = NULL;
    if (drafts_save(ui->deps.state_dir, conv, priv, text, &err) < 0) {
        ui_message(ui, err, true);
        free(err);
    }
    if (!*text)
        return;
    add_history(text);
    char *q = quote_word(text);
    char *line = priv ? xasprintf("note --conversation %lld -- %s", (long long)conv, q)
                      : xasprintf("reply %s--conversation %lld --since %lld -- %s",
                                  force ? "--force " : "", (long long)conv, (long long)since, q);
    free(q);
    struct submit *s = xcalloc(1, sizeof *s);
    s->ui = ui;
    s->conv = conv;
    s->is_private = priv;
    s->text = xstrdup(text);
    struct cmd_source src = {.file = NULL};
    cmd_run(ui->env, line, &src, submit_done, s);
    free(line);
    if (s->done) {
        free(s->text);
        free(s);
    } else {
        /* The reply first asks the server (who owns the conversation now,
         * what came meanwhile): a slow server must not look like a lost
         * reply. */
        s->waiting = xasprintf("%s to #%lld: checking with the server before sending…",
                               priv ? "note" : "reply", (long long)conv);
        ui_message(ui, s->waiting, false);
        s->next = checking;
        checking = s;
    }
    ui_damage(ui, DMG_ALL);
}

/* A line readline finished. It is run once readline has returned: readline
 * empties its buffer after this hook, so a composer opened from in here
 * (a refused reply given back) would lose its text. */
static char *done_line;
static bool line_done;

static void line_hook(char *line)
{
    free(done_line);
    done_line = line;
    line_done = true;
}

static void run_done_line(struct ui *ui)
{
    char *line = done_line;
    done_line = NULL;
    line_done = false;
    if (!line) { /* C-d on an empty line */
        ui_rl_end(ui);
        return;
    }
    if (ui->mode == MODE_COMPOSE) {
        submit_compose(ui, line);
    } else {
        bool prefixed = ui->prefix_pending;
        ui_rl_end(ui);
        ui->prefix_pending = prefixed; /* `;` `:`: this line is for the marked ones */
        if (*line) {
            add_history(line);
            ui_run_line(ui, line);
        }
    }
    free(line);
}

/* ---- public ---- */

void ui_rl_init(struct ui *ui)
{
    rl_ui = ui;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    rl_instream = stdin;
    rl_outstream = devnull;
    rl_getc_function = getc_hook;
    rl_input_available_hook = input_available_hook;
    rl_redisplay_function = redisplay_hook;
    rl_prep_term_function = prep_term;
    rl_deprep_term_function = deprep_term;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_erase_empty_line = 0;
    ui_rlkeys_init(ui); /* ~/.inputrc, without what would change the line behind our back */
    rl_bind_key_in_map('\t', tab_hook, emacs_standard_keymap);
    rl_bind_key_in_map('\t', tab_hook, vi_insertion_keymap);
    rl_add_funmap_entry("twoway-edit", editor_hook);
    rl_bind_keyseq_in_map("\\C-x\\C-e", editor_hook, emacs_standard_keymap);
    rl_bind_key_in_map('v', editor_hook, vi_movement_keymap);
    using_history();
    char *path = history_path(ui);
    read_history(path);
    free(path);
}

void ui_rl_done(struct ui *ui)
{
    if (ui->rl_active)
        ui_rl_end(ui);
    use_history(false);
    char *path = history_path(ui);
    long max = options_int(ui->env->opts, "history_size");
    if (write_history(path) == 0)
        history_truncate_file(path, (int)(max > 0 ? max : 0));
    free(path);
    if (other_history) {
        /* the composer's history, in memory only */
        for (int i = 0; i < other_history->length; i++)
            free_history_entry(other_history->entries[i]);
        free(other_history->entries);
        free(other_history);
        other_history = NULL;
    }
    ui_rlkeys_done();
    free(done_line);
    done_line = NULL;
    line_done = false;
    rl_ui = NULL;
}

void ui_rl_begin(struct ui *ui, enum ui_mode mode, const char *prompt, const char *text)
{
    if (ui->rl_active)
        ui_rl_end(ui);
    use_history(mode == MODE_COMPOSE);
    ui->mode = mode; /* over a question, if one is up: it waits (ui_confirm) */
    ui->answer_from = UINT64_MAX;
    free(ui->prompt);
    ui->prompt = xstrdup(prompt);
    ui->rl_active = true;
    rl_callback_handler_install(NULL, line_hook);
    if (text && *text) {
        rl_insert_text(text);
        rl_point = rl_end;
    }
    ui_damage(ui, DMG_INPUT | DMG_STATUS);
}

void ui_rl_end(struct ui *ui)
{
    if (!ui->rl_active)
        return;
    ui_rl_stop_search(ui);
    if (ui->mode == MODE_COMPOSE) {
        ui_drafts_save_now(ui);
        /* A refusal's reason stays with the text it refused. */
        if (ui->compose_note && rl_end > 0)
            ui_note_put(ui, ui->compose_conv, ui->compose_private, ui->compose_note);
        free(ui->compose_note);
        ui->compose_note = NULL;
        if (ui->env->ss) /* sent or left: no longer typing */
            session_typing(ui->env->ss, ui->compose_conv, false, ui->compose_private);
    }
    /* Left in the middle of a key (C-x, C-v, a vi operator, a search):
     * nothing of it may carry over into the next line. */
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_callback_handler_remove();
    ui->rl_active = false;
    /* A question that came meanwhile has the input line now. */
    ui->mode = ui->answer ? MODE_CONFIRM : MODE_NORMAL;
    ui->prefix_pending = false; /* a `;` `:` line left without running */
    ui_damage(ui, DMG_INPUT | DMG_STATUS);
}

void ui_rl_feed_bytes(struct ui *ui, size_t n)
{
    feed_left = n;
    while (feed_left > 0 && ui->inq.len > 0 && ui->rl_active && !line_done && !want_editor)
        rl_callback_read_char();
    /* Bytes typed after the line (typed ahead) stay in the queue for the
     * next mode; after C-x C-e, for the editor. */
    feed_left = 0;
    if (line_done)
        run_done_line(ui);
    if (want_editor) {
        want_editor = false;
        if (ui->mode == MODE_COMPOSE)
            ui_editor_start(ui, ui->compose_conv, ui->compose_private, NULL);
    }
}

const char *ui_rl_text(void)
{
    return rl_line_buffer ? rl_line_buffer : "";
}

void ui_rl_put_first(struct ui *ui, const char *text)
{
    if (!ui->rl_active)
        return;
    ui_rl_stop_search(ui);
    int at = rl_point;
    int n = (int)strlen(text);
    rl_point = 0;
    if (rl_end > 0) {
        rl_insert_text("\n");
        rl_point = 0;
        n++;
    }
    rl_insert_text(text);
    rl_point = at + n;
    redisplay_hook();
}

bool ui_rl_vi_mode(void)
{
    return rl_editing_mode == 0; /* readline's vi_mode */
}

void ui_rl_insert(struct ui *ui, const char *text)
{
    if (!ui->rl_active)
        return;
    ui_rl_stop_search(ui); /* a paste goes into what is written */
    rl_insert_text(text);
    redisplay_hook();
}

void ui_compose_add(struct ui *ui, int64_t conv, const char *text)
{
    ui_compose_open(ui, conv, false, NULL);
    if (!ui->rl_active)
        return;
    if (rl_end > 0 && !strchr(" \n", rl_line_buffer[rl_end - 1]))
        rl_insert_text(" ");
    ui_rl_insert(ui, text);
}

/* A reply this recent counts as "just replied" even if it came before the
 * composer opened. */
#define JUST_REPLIED_SECS 120

char *ui_compose_collision(const struct ui *ui)
{
    const struct store *st = ui->env->st;
    int64_t conv = ui->compose_conv;
    int64_t me = ui->env->ss ? session_me(ui->env->ss) : 0;
    int64_t agent = 0;
    const char *typist = store_typing(st, conv, &agent);
    if (typist && agent != me)
        return xasprintf("%s is typing here", *typist ? typist : "a colleague");
    size_t n = 0;
    const struct message *m = store_thread(st, conv, &n);
    int64_t now = timeutil_now();
    for (size_t i = n; i-- > 0;) {
        const struct message *x = &m[i];
        if (x->id <= 0 || x->type != MSG_OUTGOING || x->is_private ||
            x->sender_kind != SENDER_AGENT || x->sender_id == me)
            continue;
        if (x->id <= ui->compose_since && x->created_at < now - JUST_REPLIED_SECS)
            break;
        int64_t ago = now - x->created_at;
        return ago < 60
                   ? xasprintf("%s replied just now", x->sender_name)
                   : xasprintf("%s replied %lld min ago", x->sender_name, (long long)(ago / 60));
    }
    return NULL;
}

void ui_compose_open(struct ui *ui, int64_t conv, bool is_private, const char *text)
{
    const struct conversation *c = store_conv(ui->env->st, conv);
    char *draft = NULL;
    bool sending = false;
    if (!text || !*text)
        draft = drafts_load(ui->deps.state_dir, conv, is_private);
    if (draft && being_checked(conv, is_private, draft)) {
        xfree_null(&draft);
        sending = true;
    }
    char *prompt = xasprintf("%s #%lld %s › ", is_private ? "note" : "reply", (long long)conv,
                             c ? model_contact_label(&c->contact) : "");
    char *a = ui_text(ui, prompt);
    free(prompt);
    prompt = a;
    ui->compose_conv = conv;
    ui->compose_private = is_private;
    ui->compose_force = false;
    ui->compose_since = store_thread_last_id(ui->env->st, conv);
    ui_rl_begin(ui, MODE_COMPOSE, prompt, draft ? draft : text);
    ui->compose_note = ui_note_take(ui, conv, is_private);
    if (sending)
        ui_message(ui,
                   is_private ? "the note you sent is being checked with the server; if it is "
                                "not sent it comes back here"
                              : "the reply you sent is being checked with the server; if it is "
                                "not sent it comes back here",
                   false);
    else if (draft && !ui->compose_note)
        ui_message(ui, "draft restored", false);
    free(prompt);
    free(draft);
}

/* n bytes of the line with each line break as a visible mark. Owned. */
static char *show_breaks(const struct ui *ui, const char *s, size_t n)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            buf_adds(&b, ui->utf8 ? "↵" : "\\n");
        else
            buf_addc(&b, s[i]);
    }
    return buf_detach(&b);
}

/* The end of s (whole clusters) that fits in width columns. */
static const char *tail_fit(const char *s, int width)
{
    int w = text_width(s);
    while (w > width && *s) {
        size_t next = text_next_grapheme(s, 0);
        char *one = xstrndup(s, next);
        w -= text_width(one);
        free(one);
        s += next;
    }
    return s;
}

bool ui_question_cut(const struct ui *ui)
{
    if (ui->mode != MODE_CONFIRM || !ui->question)
        return false;
    char *q = xasprintf("%s [y/n] ", ui->question);
    bool cut = text_width(q) > ui->lay.input.w - 1;
    free(q);
    return cut;
}

void ui_rl_draw(struct ui *ui)
{
    WINDOW *w = ui->w_input;
    if (!w)
        return;
    werase(w);
    int width = ui->lay.input.w;
    bool confirm = ui->mode == MODE_CONFIRM && ui->question;
    /* No cursor to show: it stays wherever the update ends, instead of
     * costing a move to the input line in every update. */
    leaveok(w, !confirm && !ui->rl_active);
    if (confirm) {
        /* Too long for the line: its end, with [y/n], and the whole of it
         * in the status line (ui_question_cut). */
        char *q = xasprintf("%s [y/n] ", ui->question);
        char *fit = ui_question_cut(ui)
                        ? xasprintf("%s%s", ui->utf8 ? "…" : "~", tail_fit(q, width - 2))
                        : xstrdup(q);
        wattrset(w, theme_attr(ROLE_HEADER));
        ui_draw_text(w, fit, strlen(fit), theme_attr(ROLE_HEADER));
        wattrset(w, theme_attr(ROLE_NORMAL));
        free(q);
        free(fit);
        curs_set(1);
        wnoutrefresh(w);
        return;
    }
    if (!ui->rl_active) {
        curs_set(0);
        wnoutrefresh(w);
        return;
    }
    /* prompt + line, scrolled so the cursor stays in view; line breaks
     * (Alt-Enter, C-v C-j, a paste) are shown; in vi mode the composer's
     * prompt says which of its modes readline is in */
    const char *buf = rl_line_buffer ? rl_line_buffer : "";
    char *b0 = show_breaks(ui, buf, (size_t)rl_point);
    char *a0 = show_breaks(ui, buf + rl_point, strlen(buf + rl_point));
    char *before = text_sanitize_str(b0, TEXT_SINGLE_LINE);
    char *after = text_sanitize_str(a0, TEXT_SINGLE_LINE);
    free(b0);
    free(a0);
    const char *mode = ui->mode == MODE_COMPOSE ? ui_rlkeys_mode() : NULL;
    /* A history search says so: what follows is the match found (C-r) or
     * the words searched for (M-p), not the text being written; C-g (or
     * leaving) brings that back. */
    const char *search = !searching()                   ? ""
                         : RL_ISSTATE(RL_STATE_NSEARCH) ? "search history: "
                         : rl_display_prompt            ? rl_display_prompt
                                                        : "(search) ";
    char *full = mode ? xasprintf("[%s] %s%s", mode, ui->prompt, search)
                      : xasprintf("%s%s", ui->prompt, search);
    char *prompt = text_sanitize_str(full, TEXT_SINGLE_LINE);
    free(full);
    int pw = text_width(prompt);
    if (pw > width / 2) {
        char *p2 = text_truncate(prompt, width / 2, true);
        free(prompt);
        prompt = p2;
        pw = text_width(prompt);
    }
    int avail = width - pw - 1;
    if (avail < 1)
        avail = 1;
    /* Whole clusters from the left go until the cursor fits. */
    const char *shown = tail_fit(before, avail);
    ui_draw_text(w, prompt, strlen(prompt), theme_attr(ROLE_HEADER));
    ui_draw_text(w, shown, strlen(shown), theme_attr(ROLE_NORMAL));
    int cy, cx;
    getyx(w, cy, cx);
    char *rest = text_truncate(after, width - cx - 1 > 0 ? width - cx - 1 : 0, false);
    ui_draw_text(w, rest, strlen(rest), theme_attr(ROLE_NORMAL));
    wmove(w, cy, cx);
    curs_set(1);
    wnoutrefresh(w);
    free(before);
    free(after);
    free(prompt);
    free(rest);
}
