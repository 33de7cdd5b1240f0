/* admin_check — what a person typed on `twowayd admin`'s command line,
 * checked before it reaches the database. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_priv.h"
#include "dconfig.h"
#include "store/ops.h"
#include "twilio/hours.h"
#include "twoway/text.h"
#include "twoway/xmalloc.h"

/* Printable UTF-8 of 1..max bytes (0..max when it may be empty). */
int admin_check_text(const char *opt, const char *s, size_t max, bool may_be_empty, char **err)
{
    size_t n = strlen(s);
    if (n == 0 && !may_be_empty) {
        *err = xasprintf("--%s must not be empty", opt);
        return -1;
    }
    if (n > max) {
        *err = xasprintf("--%s is longer than %zu bytes", opt, max);
        return -1;
    }
    if (!text_valid_utf8(s, n + 1)) {
        *err = xasprintf("--%s is not valid UTF-8", opt);
        return -1;
    }
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *err = xasprintf("--%s contains a control character", opt);
            return -1;
        }
    if (n > 0 && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))) {
        *err = xasprintf("--%s starts or ends with a space", opt);
        return -1;
    }
    return 0;
}

/* Copy s lower-cased (ASCII) into out[ADMIN_TEXT_MAX + 1]; s is checked already. */
static void lower_copy(char *out, const char *s)
{
    size_t i = 0;
    for (; s[i] && i < ADMIN_TEXT_MAX; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* Something@somewhere, as Chatwoot (Devise) accepts: one @, text on both
 * sides, no white space. Stored lower-cased into out[ADMIN_TEXT_MAX + 1]. */
int admin_check_email(const char *s, char *out, char **err)
{
    if (admin_check_text("email", s, ADMIN_TEXT_MAX, false, err) < 0)
        return -1;
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strpbrk(s, " \t")) {
        *err = xasprintf("--email: not an email address: %s", s);
        return -1;
    }
    lower_copy(out, s);
    return 0;
}

/* E.164: "+", a country code that does not start with 0, 8 to 15 digits in
 * all (the shortest numbers in use have 8). */
int admin_check_phone(const char *opt, const char *s, char **err)
{
    size_t n = 0;
    bool ok = s[0] == '+' && s[1] >= '1' && s[1] <= '9';
    for (const char *c = s + 1; ok && *c; c++, n++)
        ok = isdigit((unsigned char)*c);
    if (!ok || n < 8 || n > 15) {
        *err = xasprintf("--%s must be an E.164 phone number (+ and 8 to 15 digits, such as "
                         "+15551234567): %s",
                         opt, s);
        return -1;
    }
    return 0;
}

int admin_check_color(const char *s, char **err)
{
    bool ok = s[0] == '#' && strlen(s) == 7;
    for (int i = 1; ok && i < 7; i++)
        ok = isxdigit((unsigned char)s[i]);
    if (!ok) {
        *err = xasprintf("--color must be #rrggbb (six hex digits): %s", s);
        return -1;
    }
    return 0;
}

int admin_check_role(const char *s, char **err)
{
    if (strcmp(s, "agent") != 0 && strcmp(s, "administrator") != 0) {
        *err = xasprintf("--role must be agent or administrator, not %s", s);
        return -1;
    }
    return 0;
}

/* The zone is checked as the server checks its own timezone option (the
 * default of --timezone); from_option says which of the two to name. */
int admin_check_timezone(const char *tz, bool from_option, char **err)
{
    struct dconfig *c = dconfig_new();
    char *e = NULL;
    int rc = dconfig_set(c, "timezone", tz, &e);
    if (rc == 0)
        rc = hours_check_config(c, &e);
    dconfig_free(&c);
    if (rc < 0) {
        *err = xasprintf("%s%s", from_option ? "--" : "", e);
        free(e);
    }
    return rc;
}

/* Label titles are letters, digits, - and _ (as Chatwoot's), stored case
 * folded as every label title is (ops_label_title) into
 * out[ADMIN_TEXT_MAX + 1]. */
int admin_check_title(const char *s, char *out, char **err)
{
    if (admin_check_text("title", s, ADMIN_TEXT_MAX, false, err) < 0)
        return -1;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x80 && !isalnum(*c) && *c != '-' && *c != '_') {
            *err = xasprintf("--title may hold only letters, digits, - and _: %s", s);
            return -1;
        }
    char *title = ops_label_title(s, strlen(s));
    if (!title || strlen(title) > ADMIN_TEXT_MAX) {
        *err =
            xasprintf("--title is longer than %d bytes once in lower case: %s", ADMIN_TEXT_MAX, s);
        free(title);
        return -1;
    }
    strcpy(out, title);
    free(title);
    return 0;
}

int admin_check_id(const char *opt, const char *s, int64_t *out, char **err)
{
    char *end = NULL;
    errno = 0;
    long long v = isdigit((unsigned char)s[0]) ? strtoll(s, &end, 10) : 0;
    if (v <= 0 || errno || !end || *end) {
        *err = xasprintf("--%s must be a positive number: %s", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}
