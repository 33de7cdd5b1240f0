/* session_view — the session follows what the agent looks at: the list's
 * filter (the query it polls) and the open thread. It keeps its own copy
 * of what it was last told, so only a real change refetches. */
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"
#include "twoway/view.h"
#include "twoway/xmalloc.h"

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_query(const struct conv_query *a, const struct conv_query *b)
{
    return a->assignee == b->assignee && a->status == b->status && a->inbox_id == b->inbox_id &&
           a->team_id == b->team_id && str_eq(a->label, b->label) && str_eq(a->q, b->q) &&
           str_eq(a->sort_by, b->sort_by);
}

void session_follow_view(struct session *s, const struct view *v)
{
    if (s->followed && v->gen == s->view_gen)
        return;
    struct conv_query q;
    view_query(v, 1, &q);
    if (!same_query(&q, &s->q)) /* the same as it polls already: nothing to do */
        session_set_query(s, &q);
    s->followed = true;
    s->view_gen = v->gen;
    session_open(s, v->open_conv);
}
