/* json_map_priv — what the json_map files share: getters that never
 * trust a JSON type, times, and the bounded walk over arrays. */
#ifndef TWOWAY_JSON_MAP_PRIV_H
#define TWOWAY_JSON_MAP_PRIV_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

/* No Chatwoot list comes near this; a bigger one is an attack or a bug. */
#define MAX_ITEMS 10000
#define MAX_DEPTH 64
/* 9999-12-31T23:59:59Z: later "times" are garbage (or milliseconds). */
#define MAX_EPOCH 253402300799LL
/* Longest error text shown to a person, in bytes. */
#define ERROR_BYTES 300

typedef int (*json_map_item_fn)(json_object *o, void *out, char **err);
typedef void (*json_map_free_fn)(void *rec);

json_object *json_map_get(json_object *o, const char *key);
json_object *json_map_get_obj(json_object *o, const char *key);
json_object *json_map_get_arr(json_object *o, const char *key);
size_t json_map_arr_len(json_object *a);
int json_map_parse_int_str(const char *s, int64_t *out);
int64_t json_map_as_int(json_object *v);
int64_t json_map_get_int(json_object *o, const char *key);
bool json_map_as_bool(json_object *v);
bool json_map_get_bool(json_object *o, const char *key, bool dflt);
char *json_map_as_text(json_object *v, unsigned flags);
char *json_map_get_text(json_object *o, const char *key, unsigned flags);
const char *json_map_raw_str(json_object *o, const char *key);
char *json_map_get_name2(json_object *o, const char *k1, const char *k2);
void json_map_replace(char **dst, char *src);
int json_map_fail(char **err, const char *what);
int64_t json_map_epoch_ok(double t);
int json_map_numeric_time(const char *s, double *out);
int64_t json_map_get_time(json_object *o, const char *key);
double json_map_get_ftime(json_object *o, const char *key);
void json_map_attrs(json_object *o, struct kv **out, size_t *n);
void json_map_strings(json_object *a, char ***out, size_t *n);
json_object *json_map_list_of(json_object *root, const char *key);
size_t json_map_items(json_object *a, size_t size, json_map_item_fn map, json_map_free_fn release,
                      void **out, size_t *skipped);

#endif
