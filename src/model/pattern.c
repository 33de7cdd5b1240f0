/* pattern — limit patterns (pattern.h): a small lexer, a recursive-descent
 * parser into a tree, and a matcher over one conversation.
 *
 *   expr    := and ('|' and)*
 *   and     := unary unary*
 *   unary   := '!'* primary
 *   primary := '(' expr ')' | '~'OP [ARG] | WORD | "QUOTED WORDS"
 *
 * An argument may follow its operator directly (~lbilling) or after
 * spaces (~l billing), bare or quoted. Input is bounded in length and in
 * parenthesis depth, so compiling is linear and the recursion shallow. */
#include "twoway/pattern.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twoway/buf.h"
#include "twoway/text.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

#define PATTERN_MAX_LEN 1000
#define PATTERN_MAX_DEPTH 32

enum node_kind {
    N_OR,
    N_AND,
    N_ASSIGNED_ME,
    N_ASSIGNED_NONE,
    N_ASSIGNED_ANY,
    N_ASSIGNED_NAME,
    N_LABEL,
    N_UNREAD,
    N_WAITING,
    N_STATUS,
    N_PRIORITY,
    N_TEAM,
    N_OPTED_OUT,
    N_TEXT,
};

struct node {
    enum node_kind kind;
    bool neg;
    char *text;  /* name, label, team or text to look for */
    int64_t num; /* waiting seconds, status or priority */
    struct node **kids;
    size_t nkids;
};

struct pattern {
    struct node *root;
};

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n);
}

static struct node *node_new(enum node_kind kind)
{
    struct node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    return n;
}

/* ---- lexer ---- */

enum tok_kind { T_END, T_LPAREN, T_RPAREN, T_OR, T_NOT, T_OP, T_WORD };

struct token {
    enum tok_kind kind;
    size_t pos; /* byte offset of its first character */
    char op;    /* T_OP: the operator character */
    char *text; /* T_WORD: the word; T_OP: an attached argument or NULL. Owned. */
};

struct parser {
    const char *s;
    size_t pos; /* the lexer's read position */
    struct token tok;
    bool have_tok;
    int depth;
    char *err;
};

/* 1-based column in characters, for people: UTF-8 continuation bytes do not
 * start a column. */
static int column_of(const char *s, size_t pos)
{
    int col = 1;
    for (size_t i = 0; i < pos && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static void fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keep the first error: it is the one nearest the real mistake. */
static void fail(struct parser *p, size_t pos, const char *fmt, ...)
{
    if (p->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    p->err = xasprintf("%s (column %d)", msg, column_of(p->s, pos));
    free(msg);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool ends_word(char c)
{
    return c == '\0' || is_space(c) || c == '(' || c == ')' || c == '|' || c == '"';
}

static char *lex_word(struct parser *p)
{
    size_t start = p->pos;
    while (!ends_word(p->s[p->pos]))
        p->pos++;
    return xstrndup(p->s + start, p->pos - start);
}

/* "text with \"escapes\"": the opening quote is at p->pos. */
static char *lex_quoted(struct parser *p)
{
    size_t open = p->pos++;
    struct buf b;
    buf_init(&b);
    for (;;) {
        char c = p->s[p->pos];
        if (c == '\0') {
            fail(p, open, "unterminated quote");
            buf_free(&b);
            return NULL;
        }
        p->pos++;
        if (c == '"')
            return buf_detach(&b);
        if (c == '\\' && (p->s[p->pos] == '"' || p->s[p->pos] == '\\'))
            c = p->s[p->pos++];
        buf_addc(&b, c);
    }
}

/* An operator: '~', one ASCII character, and maybe an attached argument. */
static bool lex_op(struct parser *p, struct token *t)
{
    char op = p->s[p->pos + 1];
    if (ends_word(op) || (unsigned char)op >= 0x80) {
        fail(p, t->pos, "~ needs an operator letter, such as ~a or ~u");
        return false;
    }
    t->kind = T_OP;
    t->op = op;
    p->pos += 2;
    if (p->s[p->pos] == '"') {
        t->text = lex_quoted(p);
        return t->text != NULL;
    }
    if (!ends_word(p->s[p->pos]))
        t->text = lex_word(p);
    return true;
}

static bool lex(struct parser *p, struct token *t)
{
    memset(t, 0, sizeof *t);
    while (is_space(p->s[p->pos]))
        p->pos++;
    t->pos = p->pos;
    switch (p->s[p->pos]) {
    case '\0':
        t->kind = T_END;
        return true;
    case '(':
        t->kind = T_LPAREN;
        p->pos++;
        return true;
    case ')':
        t->kind = T_RPAREN;
        p->pos++;
        return true;
    case '|':
        t->kind = T_OR;
        p->pos++;
        return true;
    case '!':
        t->kind = T_NOT;
        p->pos++;
        return true;
    case '~':
        return lex_op(p, t);
    case '"':
        t->kind = T_WORD;
        t->text = lex_quoted(p);
        return t->text != NULL;
    default:
        t->kind = T_WORD;
        t->text = lex_word(p);
        return true;
    }
}

/* The lookahead token, or NULL once there is an error: every caller then
 * unwinds. */
static struct token *peek(struct parser *p)
{
    if (p->err)
        return NULL;
    if (!p->have_tok) {
        if (!lex(p, &p->tok))
            return NULL;
        p->have_tok = true;
    }
    return &p->tok;
}

/* Drop the lookahead; its text is freed unless taken. */
static void consume(struct parser *p)
{
    free(p->tok.text);
    p->tok.text = NULL;
    p->have_tok = false;
}

static char *take_text(struct parser *p)
{
    char *s = p->tok.text;
    p->tok.text = NULL;
    consume(p);
    return s;
}

/* ---- parser ---- */

static struct node *parse_or(struct parser *p, size_t open_pos);

/* ASCII case folding is enough: keywords are ASCII, and names compare
 * the way text_icontains() does. */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        *s = lower(*s);
}

/* The operator's argument: attached, or the next word. NULL (and an error
 * saying what was expected) if there is none. */
static char *op_arg(struct parser *p, const struct token *op, char **attached, const char *want)
{
    if (*attached) {
        char *s = *attached;
        *attached = NULL;
        return s;
    }
    struct token *t = peek(p);
    if (!t)
        return NULL;
    if (t->kind != T_WORD) {
        fail(p, op->pos, "~%c needs %s", op->op, want);
        return NULL;
    }
    return take_text(p);
}

static struct node *op_assignee(struct parser *p, const struct token *op, char **attached)
{
    char *arg = op_arg(p, op, attached, "me, none, any or an agent's name");
    if (!arg)
        return NULL;
    char *low = xstrdup(arg);
    ascii_lower(low);
    struct node *n;
    if (strcmp(low, "me") == 0)
        n = node_new(N_ASSIGNED_ME);
    else if (strcmp(low, "none") == 0)
        n = node_new(N_ASSIGNED_NONE);
    else if (strcmp(low, "any") == 0)
        n = node_new(N_ASSIGNED_ANY);
    else {
        n = node_new(N_ASSIGNED_NAME);
        n->text = arg;
        arg = NULL;
    }
    free(low);
    free(arg);
    return n;
}

static struct node *op_waiting(struct parser *p, const struct token *op, char **attached)
{
    char *arg = op_arg(p, op, attached, "a duration like 15m");
    if (!arg)
        return NULL;
    const char *d = arg[0] == '>' ? arg + 1 : arg; /* "~w>15m" reads as it means */
    int64_t secs;
    if (timeutil_parse_duration(d, &secs) != 0) {
        fail(p, op->pos, "~w needs a duration like 15m, not '%s'", arg);
        free(arg);
        return NULL;
    }
    free(arg);
    struct node *n = node_new(N_WAITING);
    n->num = secs;
    return n;
}

static struct node *op_status(struct parser *p, const struct token *op, char **attached)
{
    static const char want[] = "a status: open, pending, resolved or snoozed";
    char *arg = op_arg(p, op, attached, want);
    if (!arg)
        return NULL;
    ascii_lower(arg);
    enum conv_status st;
    if (model_status_parse(arg, &st) != 0) {
        fail(p, op->pos, "~s %s: unknown status; use open, pending, resolved or snoozed", arg);
        free(arg);
        return NULL;
    }
    free(arg);
    struct node *n = node_new(N_STATUS);
    n->num = st;
    return n;
}

static struct node *op_priority(struct parser *p, const struct token *op, char **attached)
{
    static const char want[] = "a priority: urgent, high, medium, low or none";
    char *arg = op_arg(p, op, attached, want);
    if (!arg)
        return NULL;
    ascii_lower(arg);
    enum conv_priority pr;
    if (model_priority_parse(arg, &pr) != 0) {
        fail(p, op->pos, "~p %s: unknown priority; use urgent, high, medium, low or none", arg);
        free(arg);
        return NULL;
    }
    free(arg);
    struct node *n = node_new(N_PRIORITY);
    n->num = pr;
    return n;
}

static struct node *op_with_text(struct parser *p, const struct token *op, char **attached,
                                 enum node_kind kind, const char *want)
{
    char *arg = op_arg(p, op, attached, want);
    if (!arg)
        return NULL;
    struct node *n = node_new(kind);
    n->text = arg;
    return n;
}

static struct node *op_flag(struct parser *p, const struct token *op, char **attached,
                            enum node_kind kind)
{
    if (*attached) {
        fail(p, op->pos, "~%c takes no argument", op->op);
        return NULL;
    }
    return node_new(kind);
}

/* The operator token was consumed by the caller and is passed by value; its
 * attached argument, if any, is owned here. */
static struct node *parse_op(struct parser *p, struct token op)
{
    char *attached = op.text;
    struct node *n;
    switch (op.op) {
    case 'a':
        n = op_assignee(p, &op, &attached);
        break;
    case 'l':
        n = op_with_text(p, &op, &attached, N_LABEL, "a label");
        break;
    case 'u':
        n = op_flag(p, &op, &attached, N_UNREAD);
        break;
    case 'w':
        n = op_waiting(p, &op, &attached);
        break;
    case 's':
        n = op_status(p, &op, &attached);
        break;
    case 'p':
        n = op_priority(p, &op, &attached);
        break;
    case 't':
        n = op_with_text(p, &op, &attached, N_TEAM, "a team name");
        break;
    case 'o':
        n = op_flag(p, &op, &attached, N_OPTED_OUT);
        break;
    case 'b':
        n = op_with_text(p, &op, &attached, N_TEXT, "text to look for");
        break;
    default:
        fail(p, op.pos, "~%c: unknown pattern operator; use ~a ~b ~l ~o ~p ~s ~t ~u or ~w", op.op);
        n = NULL;
    }
    free(attached);
    return n;
}

static struct node *parse_group(struct parser *p)
{
    size_t open = p->tok.pos;
    consume(p);
    if (p->depth >= PATTERN_MAX_DEPTH) {
        fail(p, open, "pattern nested too deeply (more than %d parentheses)", PATTERN_MAX_DEPTH);
        return NULL;
    }
    p->depth++;
    struct node *inner = parse_or(p, open);
    p->depth--;
    if (!inner)
        return NULL;
    struct token *t = peek(p);
    if (!t || t->kind != T_RPAREN) {
        fail(p, open, "unbalanced parenthesis");
        node_free(inner);
        return NULL;
    }
    consume(p);
    return inner;
}

static struct node *parse_primary(struct parser *p)
{
    struct token *t = peek(p);
    if (!t)
        return NULL;
    switch (t->kind) {
    case T_LPAREN:
        return parse_group(p);
    case T_OP: {
        struct token op = *t;
        t->text = NULL; /* the attached argument moves to parse_op */
        consume(p);
        return parse_op(p, op);
    }
    case T_WORD: {
        struct node *n = node_new(N_TEXT);
        n->text = take_text(p);
        return n;
    }
    default:
        return NULL; /* callers only come here on a term's first token */
    }
}

static struct node *parse_unary(struct parser *p)
{
    bool neg = false;
    struct token *t = peek(p);
    size_t bang = t ? t->pos : 0;
    /* A loop, not recursion: "!!!!…" cannot exhaust the stack. */
    while (t && t->kind == T_NOT) {
        neg = !neg;
        consume(p);
        t = peek(p);
    }
    if (!t)
        return NULL;
    if (t->kind == T_END || t->kind == T_OR || t->kind == T_RPAREN) {
        fail(p, bang, "! needs a pattern after it");
        return NULL;
    }
    struct node *n = parse_primary(p);
    if (n)
        n->neg = n->neg != neg;
    return n;
}

static struct node *group_of(enum node_kind kind, struct node **kids, size_t n)
{
    if (n == 1) {
        struct node *only = kids[0];
        free(kids);
        return only;
    }
    struct node *g = node_new(kind);
    g->kids = kids;
    g->nkids = n;
    return g;
}

static void kids_free(struct node **kids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        node_free(kids[i]);
    free(kids);
}

/* Terms side by side; NULL without an error when there is none. */
static struct node *parse_and(struct parser *p)
{
    struct node **kids = NULL;
    size_t n = 0;
    for (;;) {
        struct token *t = peek(p);
        if (!t)
            goto fail;
        if (t->kind == T_END || t->kind == T_OR || t->kind == T_RPAREN)
            break;
        struct node *k = parse_unary(p);
        if (!k)
            goto fail;
        kids = xreallocarray(kids, n + 1, sizeof *kids);
        kids[n++] = k;
    }
    if (n == 0)
        return NULL;
    return group_of(N_AND, kids, n);
fail:
    kids_free(kids, n);
    return NULL;
}

/* Why an alternative is empty, from the token that ended it. open_pos is
 * the enclosing '(' or SIZE_MAX at the top level. */
static void fail_empty(struct parser *p, size_t open_pos)
{
    struct token *t = peek(p);
    if (!t)
        return;
    bool top = open_pos == SIZE_MAX;
    if (t->kind == T_OR)
        fail(p, t->pos, "| needs a pattern on both sides");
    else if (t->kind == T_RPAREN)
        fail(p, top ? t->pos : open_pos, top ? "unbalanced parenthesis" : "empty parentheses");
    else if (top && !p->err)
        p->err = xstrdup("empty pattern"); /* a column would point at nothing */
    else
        fail(p, open_pos, "unbalanced parenthesis");
}

static struct node *parse_or(struct parser *p, size_t open_pos)
{
    struct node *first = parse_and(p);
    if (!first) {
        fail_empty(p, open_pos);
        return NULL;
    }
    struct node **kids = xreallocarray(NULL, 1, sizeof *kids);
    size_t n = 1;
    kids[0] = first;
    struct token *t;
    while ((t = peek(p)) && t->kind == T_OR) {
        size_t bar = t->pos;
        consume(p);
        struct node *k = parse_and(p);
        if (!k) {
            fail(p, bar, "| needs a pattern on both sides");
            kids_free(kids, n);
            return NULL;
        }
        kids = xreallocarray(kids, n + 1, sizeof *kids);
        kids[n++] = k;
    }
    if (!t) {
        kids_free(kids, n);
        return NULL;
    }
    return group_of(N_OR, kids, n);
}

struct pattern *pattern_compile(const char *text, char **err)
{
    *err = NULL;
    if (!text)
        text = "";
    if (strlen(text) > PATTERN_MAX_LEN) {
        *err = xasprintf("pattern too long (over %d characters)", PATTERN_MAX_LEN);
        return NULL;
    }
    struct parser p = {.s = text};
    struct node *root = parse_or(&p, SIZE_MAX);
    if (root) {
        struct token *t = peek(&p);
        if (t && t->kind == T_RPAREN)
            fail(&p, t->pos, "unbalanced parenthesis");
    }
    if (p.have_tok)
        consume(&p);
    if (p.err) {
        node_free(root);
        *err = p.err;
        return NULL;
    }
    struct pattern *pat = xcalloc(1, sizeof *pat);
    pat->root = root;
    return pat;
}

void pattern_free(struct pattern **p)
{
    if (!p || !*p)
        return;
    node_free((*p)->root);
    xfree_null(p);
}

/* ---- matching ---- */

static bool iprefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower(*s) != lower(*prefix))
            return false;
    return true;
}

static bool iequal(const char *a, const char *b)
{
    return iprefix(a, b) && a[strlen(b)] == '\0';
}

/* "mar", "gonz" and "maria g" all find "Maria Gonzalez": a prefix of the
 * whole name or of any of its words. */
static bool name_matches(const char *name, const char *want)
{
    if (iprefix(name, want))
        return true;
    for (const char *s = name; *s; s++)
        if (is_space(s[0]) && s[1] && !is_space(s[1]) && iprefix(s + 1, want))
            return true;
    return false;
}

static bool has_label(const struct conversation *c, const char *label)
{
    for (size_t i = 0; i < c->nlabels; i++)
        if (iequal(c->labels[i], label))
            return true;
    return false;
}

/* ~w 0 is every conversation that waits, however briefly. */
static bool waited_longer(const struct conversation *c, int64_t now, int64_t secs)
{
    if (!model_conversation_waiting(c))
        return false;
    int64_t since = model_conversation_waiting_since(c);
    return secs == 0 || (since != 0 && now - since > secs);
}

static bool mentions(const struct conversation *c, const char *text)
{
    return text_icontains(c->contact.name, text) || text_icontains(c->contact.phone, text) ||
           text_icontains(c->contact.email, text) ||
           (c->has_last && text_icontains(c->last.content, text));
}

static bool match_node(const struct node *n, const struct conversation *c,
                       const struct pattern_ctx *ctx)
{
    bool r = false;
    switch (n->kind) {
    case N_OR:
        for (size_t i = 0; i < n->nkids && !r; i++)
            r = match_node(n->kids[i], c, ctx);
        break;
    case N_AND:
        r = true;
        for (size_t i = 0; i < n->nkids && r; i++)
            r = match_node(n->kids[i], c, ctx);
        break;
    case N_ASSIGNED_ME:
        r = c->assignee_id != 0 && c->assignee_id == ctx->me;
        break;
    case N_ASSIGNED_NONE:
        r = c->assignee_id == 0;
        break;
    case N_ASSIGNED_ANY:
        r = c->assignee_id != 0;
        break;
    case N_ASSIGNED_NAME:
        r = c->assignee_id != 0 && c->assignee_name && name_matches(c->assignee_name, n->text);
        break;
    case N_LABEL:
        r = has_label(c, n->text);
        break;
    case N_UNREAD:
        r = c->unread > 0;
        break;
    case N_WAITING:
        r = waited_longer(c, ctx->now, n->num);
        break;
    case N_STATUS:
        r = (int64_t)c->status == n->num;
        break;
    case N_PRIORITY:
        r = (int64_t)c->priority == n->num;
        break;
    case N_TEAM:
        r = c->team_id != 0 && c->team_name && iprefix(c->team_name, n->text);
        break;
    case N_OPTED_OUT:
        r = c->contact.opted_out;
        break;
    case N_TEXT:
        r = mentions(c, n->text);
        break;
    }
    return r != n->neg;
}

bool pattern_match(const struct pattern *p, const struct conversation *c,
                   const struct pattern_ctx *ctx)
{
    if (!p || !p->root || !c)
        return false;
    struct pattern_ctx dflt = {0};
    if (!ctx) {
        dflt.now = timeutil_now();
        ctx = &dflt;
    }
    return match_node(p->root, c, ctx);
}

/* ---- what the server can filter by ---- */

/* One node as conditions added to *f; false if it says more than they do
 * (then what was added is still implied by it). */
static bool filter_node(const struct node *n, const struct pattern_ctx *ctx, struct conv_filter *f);

static void add1(struct conv_filter *f, enum conv_filter_key key, bool neg, const char *v)
{
    model_conv_filter_add(f, key, neg, false, &v, 1);
}

static void add_present(struct conv_filter *f, enum conv_filter_key key, bool present)
{
    model_conv_filter_add(f, key, !present, true, NULL, 0);
}

/* The ids of the directory's names that the pattern's matcher takes;
 * "0" (nobody) when none does. false without a directory. */
static bool ids_named(const struct node *n, const struct pattern_ctx *ctx, struct conv_filter *f)
{
    bool team = n->kind == N_TEAM;
    size_t count = team ? ctx->nteams : ctx->nagents;
    if (team ? !ctx->teams : !ctx->agents)
        return false;
    char **vals = xcalloc(count + 1, sizeof *vals);
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = team ? ctx->teams[i].name : ctx->agents[i].name;
        int64_t id = team ? ctx->teams[i].id : ctx->agents[i].id;
        if (name && (team ? iprefix(name, n->text) : name_matches(name, n->text)))
            vals[k++] = xasprintf("%lld", (long long)id);
    }
    if (!k)
        vals[k++] = xstrdup("0");
    model_conv_filter_add(f, team ? CF_TEAM : CF_ASSIGNEE, false, false, (const char *const *)vals,
                          k);
    for (size_t i = 0; i < k; i++)
        free(vals[i]);
    free(vals);
    return true;
}

static bool filter_leaf(const struct node *n, const struct pattern_ctx *ctx, struct conv_filter *f)
{
    char num[24];
    switch (n->kind) {
    case N_STATUS:
        add1(f, CF_STATUS, n->neg, model_status_name((enum conv_status)n->num));
        return true; /* a status is never empty: NOT IN means "not" */
    case N_LABEL:
        /* NOT IN (the tagged ones) keeps the untagged: "not" exactly. */
        add1(f, CF_LABELS, n->neg, n->text);
        return true;
    case N_ASSIGNED_NONE:
    case N_ASSIGNED_ANY:
        add_present(f, CF_ASSIGNEE, (n->kind == N_ASSIGNED_ANY) != n->neg);
        return true;
    case N_ASSIGNED_ME:
        if (n->neg || !ctx->me)
            return false; /* NOT IN would drop the unassigned too */
        snprintf(num, sizeof num, "%lld", (long long)ctx->me);
        add1(f, CF_ASSIGNEE, false, num);
        return true;
    case N_PRIORITY:
        if (n->neg || n->num == PRIORITY_NONE)
            return false; /* the server has no "no priority" */
        add1(f, CF_PRIORITY, false, model_priority_name((enum conv_priority)n->num));
        return true;
    case N_ASSIGNED_NAME:
    case N_TEAM:
        return !n->neg && ids_named(n, ctx, f);
    default:
        return false; /* unread, waiting, opted out, text */
    }
}

/* a | b | …: one condition when every branch is one positive "in" on the
 * same key (their values joined); else nothing is said. */
static bool filter_or(const struct node *n, const struct pattern_ctx *ctx, struct conv_filter *f)
{
    struct conv_filter joined = {0};
    bool exact = true, ok = true;
    for (size_t i = 0; i < n->nkids && ok; i++) {
        struct conv_filter one = {0};
        exact = filter_node(n->kids[i], ctx, &one) && exact;
        const struct conv_filter_cond *c = one.nconds == 1 ? &one.conds[0] : NULL;
        ok = c && !c->neg && !c->present && (!joined.nconds || joined.conds[0].key == c->key);
        if (ok && !joined.nconds) {
            model_conv_filter_add(&joined, c->key, false, false, (const char *const *)c->values,
                                  c->nvalues);
        } else if (ok) {
            struct conv_filter_cond *j = &joined.conds[0];
            j->values = xreallocarray(j->values, j->nvalues + c->nvalues, sizeof *j->values);
            for (size_t k = 0; k < c->nvalues; k++)
                j->values[j->nvalues++] = xstrdup(c->values[k]);
        }
        model_conv_filter_free(&one);
    }
    if (ok && joined.nconds)
        model_conv_filter_add(f, joined.conds[0].key, false, false,
                              (const char *const *)joined.conds[0].values, joined.conds[0].nvalues);
    model_conv_filter_free(&joined);
    return ok && exact;
}

static bool filter_node(const struct node *n, const struct pattern_ctx *ctx, struct conv_filter *f)
{
    if (n->kind == N_AND || n->kind == N_OR) {
        if (n->neg)
            return false; /* !( … ): nothing said */
        if (n->kind == N_OR)
            return filter_or(n, ctx, f);
        bool exact = true;
        for (size_t i = 0; i < n->nkids; i++)
            exact = filter_node(n->kids[i], ctx, f) && exact;
        return exact;
    }
    return filter_leaf(n, ctx, f);
}

void pattern_filter(const struct pattern *p, const struct pattern_ctx *ctx, struct conv_filter *out)
{
    model_conv_filter_free(out);
    struct pattern_ctx dflt = {0};
    if (!ctx)
        ctx = &dflt;
    if (!p || !p->root)
        return;
    out->exact = filter_node(p->root, ctx, out);
}
