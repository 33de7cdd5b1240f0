/* smskw — SMS compliance keywords (smskw.h). */
#include "twoway/smskw.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *word;
    enum smskw_kind kind;
} keyword_table[] = {
    {"STOP", SMSKW_STOP},   {"STOPALL", SMSKW_STOP}, {"UNSUBSCRIBE", SMSKW_STOP},
    {"CANCEL", SMSKW_STOP}, {"END", SMSKW_STOP},     {"QUIT", SMSKW_STOP},
    {"REVOKE", SMSKW_STOP}, {"OPTOUT", SMSKW_STOP},  {"START", SMSKW_START},
    {"YES", SMSKW_START},   {"UNSTOP", SMSKW_START}, {"HELP", SMSKW_HELP},
    {"INFO", SMSKW_HELP},
};

/* The longest keyword is UNSUBSCRIBE; anything longer is no keyword. */
#define LONGEST_KEYWORD 11

enum smskw_kind smskw_match(const char *body, const char **word)
{
    if (word)
        *word = "";
    if (!body)
        return SMSKW_NONE;
    while (isspace((unsigned char)*body))
        body++;
    size_t n = strlen(body);
    while (n > 0 && isspace((unsigned char)body[n - 1]))
        n--;
    if (n == 0 || n > LONGEST_KEYWORD)
        return SMSKW_NONE;
    for (size_t i = 0; i < sizeof keyword_table / sizeof keyword_table[0]; i++)
        if (strlen(keyword_table[i].word) == n &&
            strncasecmp(keyword_table[i].word, body, n) == 0) {
            if (word)
                *word = keyword_table[i].word;
            return keyword_table[i].kind;
        }
    return SMSKW_NONE;
}
