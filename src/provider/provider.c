/* provider — what every provider shares: freeing results and providers,
 * and the names of errors. */
#include "twoway/provider.h"

#include <stdlib.h>
#include <string.h>

#include "twoway/xmalloc.h"

/* Arrays of records: free each record, then the array. */
#define FREE_ARRAY(arr, n, release)                                                                \
    do {                                                                                           \
        for (size_t i_ = 0; (arr) && i_ < (n); i_++)                                               \
            release(&(arr)[i_]);                                                                   \
        free(arr);                                                                                 \
        (arr) = NULL;                                                                              \
        (n) = 0;                                                                                   \
    } while (0)

void provider_result_free(struct prov_result *r)
{
    if (!r)
        return;
    xfree_null(&r->message);
    FREE_ARRAY(r->convs, r->nconvs, model_conversation_free);
    if (r->has_conv)
        model_conversation_free(&r->conv);
    r->has_conv = false;
    FREE_ARRAY(r->msgs, r->nmsgs, model_message_free);
    if (r->has_msg)
        model_message_free(&r->msg);
    r->has_msg = false;
    model_directory_free(&r->dir);
    FREE_ARRAY(r->contacts, r->ncontacts, model_contact_free);
    for (size_t i = 0; r->titles && i < r->ntitles; i++)
        free(r->titles[i]);
    free(r->titles);
    r->titles = NULL;
    r->ntitles = 0;
    if (r->has_profile)
        model_profile_free(&r->profile);
    r->has_profile = false;
    xfree_null(&r->source_id);
}

void provider_free(struct provider **p)
{
    if (!p || !*p)
        return;
    (*p)->ops->free(*p);
    *p = NULL;
}

const char *provider_err_name(enum prov_err e)
{
    switch (e) {
    case PROV_OK:
        return "ok";
    case PROV_ERR_NETWORK:
        return "network";
    case PROV_ERR_AUTH:
        return "auth";
    case PROV_ERR_DENIED:
        return "denied";
    case PROV_ERR_NOT_FOUND:
        return "not_found";
    case PROV_ERR_INVALID:
        return "invalid";
    case PROV_ERR_RATE:
        return "rate";
    case PROV_ERR_SERVER:
        return "server";
    case PROV_ERR_PROTOCOL:
        return "protocol";
    }
    return "unknown";
}
