/* roles — names of the screen roles, for `color` lines and help. */
#include "twoway/roles.h"

#include <string.h>

static const char *const names[ROLE__COUNT] = {
    [ROLE_NORMAL] = "normal",
    [ROLE_DIM] = "dim",
    [ROLE_SELECTED] = "selected",
    [ROLE_UNREAD] = "unread",
    [ROLE_WAITING] = "waiting",
    [ROLE_URGENT] = "urgent",
    [ROLE_MARK] = "mark",
    [ROLE_LABEL] = "label",
    [ROLE_ASSIGNEE] = "assignee",
    [ROLE_INCOMING] = "incoming",
    [ROLE_OUTGOING] = "outgoing",
    [ROLE_NOTE] = "note",
    [ROLE_ACTIVITY] = "activity",
    [ROLE_SENDING] = "sending",
    [ROLE_DELIVERED] = "delivered",
    [ROLE_FAILED] = "failed",
    [ROLE_HEADER] = "header",
    [ROLE_OPTOUT] = "optout",
    [ROLE_TAB] = "tab",
    [ROLE_TAB_ACTIVE] = "tab_active",
    [ROLE_STATUS] = "status",
    [ROLE_STATUS_ALERT] = "status_alert",
    [ROLE_DAY] = "day",
    [ROLE_LINK] = "link",
};

const char *roles_name(enum fmt_role r)
{
    return (unsigned)r < ROLE__COUNT && names[r] ? names[r] : "?";
}

int roles_parse(const char *name)
{
    for (int i = 0; i < ROLE__COUNT; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return i;
    return -1;
}
