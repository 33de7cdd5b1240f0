/* roles — what a piece of text on screen is (not how it looks): the
 * formatters tag text with roles, the theme maps roles to colours and
 * attributes, and `color ROLE …` lines in the config name them. */
#ifndef TWOWAY_ROLES_H
#define TWOWAY_ROLES_H

enum fmt_role {
    ROLE_NORMAL = 0,
    ROLE_DIM,      /* secondary text: previews, times */
    ROLE_SELECTED, /* the list's selection bar (a space), the picker's line */
    ROLE_UNREAD,   /* a conversation with unread messages: name bold */
    ROLE_WAITING,  /* the "customer waits" mark and its duration */
    ROLE_URGENT,   /* priority urgent / high */
    ROLE_MARK,     /* a marked row's mark */
    ROLE_LABEL,    /* label names */
    ROLE_ASSIGNEE,
    ROLE_INCOMING,     /* customer message author */
    ROLE_OUTGOING,     /* agent message author */
    ROLE_NOTE,         /* private note: author and body */
    ROLE_ACTIVITY,     /* activity line, dimmed */
    ROLE_SENDING,      /* delivery status: sending */
    ROLE_DELIVERED,    /* sent / delivered / read */
    ROLE_FAILED,       /* failed + reason; also errors */
    ROLE_HEADER,       /* contact header text */
    ROLE_OPTOUT,       /* opted-out badge */
    ROLE_TAB,          /* inactive filter tab */
    ROLE_TAB_ACTIVE,   /* active filter tab */
    ROLE_STATUS,       /* status line background */
    ROLE_STATUS_ALERT, /* status line: offline, token rejected */
    ROLE_DAY,          /* day separator in the thread */
    ROLE_LINK,         /* attachment URLs */
    ROLE__COUNT
};

/* Config name of a role ("normal", "dim", "selected", … "link"). */
const char *roles_name(enum fmt_role r);
/* Role by config name; -1 if unknown. */
int roles_parse(const char *name);

#endif
