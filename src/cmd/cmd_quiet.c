/* cmd_quiet — quiet hours (quiet.h) as `new` and `reply` apply them. */
#include <stdlib.h>

#include "cmd_priv.h"
#include "twoway/options.h"
#include "twoway/quiet.h"
#include "twoway/timeutil.h"
#include "twoway/xmalloc.h"

char *cmd_quiet_refusal(const struct cmd_env *env, const struct contact *c, const char *what,
                        const char *how)
{
    struct quiet_hours q;
    char *err = NULL;
    if (quiet_parse(options_get(env->opts, "quiet_hours"), &q, &err) < 0)
        return err; /* set refuses such a value: a stale config at worst */
    struct quiet_verdict v;
    if (!quiet_now(c, &q, timeutil_now(), &v))
        return NULL;
    char *name = cmd_resolve_first(c);
    char *there = quiet_describe(&v, &q);
    char *why = xasprintf("quiet hours for %s: %s%s%s; `%s` sends anyway", name, what ? what : "",
                          what ? ", and " : "", there, how);
    free(there);
    free(name);
    return why;
}
