/* codec — twoway's own JSON: the model's records written and read with one
 * set of key names, used alike by the start-up cache and by `--json`
 * (man twoway, JSON OUTPUT, documents them for scripts); and the few JSON
 * values the rest of the client builds or reads (a command's report, the
 * outbox's lines, twowayd's start line). JSON from the server is not this:
 * the provider maps Chatwoot's shapes (json_map). json-c stays behind this
 * header.
 *
 * Reading is for untrusted text: nesting and sizes are bounded, every
 * string read back into a record is sanitized again, enums are checked,
 * and a wrong type reads as the neutral value. */
#ifndef TWOWAY_CODEC_H
#define TWOWAY_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twoway/model.h"

/* A JSON value (object, array, string, number, boolean; NULL is JSON
 * null wherever a value is taken). */
struct codec_val;

/* ---- building (each returns an owned value) ---- */

struct codec_val *codec_object(void);
struct codec_val *codec_array(void);
struct codec_val *codec_str(const char *s); /* NULL: null */
struct codec_val *codec_int(int64_t v);
struct codec_val *codec_bool(bool v);
/* ISO-8601 UTC; null for 0. */
struct codec_val *codec_time(int64_t epoch);
/* Add to an object (takes v; NULL adds null). A key given twice keeps the
 * last value. */
void codec_set(struct codec_val *obj, const char *key, struct codec_val *v);
void codec_set_str(struct codec_val *obj, const char *key, const char *s); /* NULL: "" */
void codec_set_int(struct codec_val *obj, const char *key, int64_t v);
void codec_set_bool(struct codec_val *obj, const char *key, bool v);
/* Append to an array (takes v). */
void codec_push(struct codec_val *arr, struct codec_val *v);
/* Every key of from, added to obj (takes from; NULL adds nothing). */
void codec_merge(struct codec_val *obj, struct codec_val *from);
/* One line of compact JSON (no newline). Owned. */
char *codec_text(const struct codec_val *v);
void codec_free(struct codec_val **v);

/* ---- reading ---- */

/* Parse untrusted text (at most 64 deep). NULL with *err (may be NULL). */
struct codec_val *codec_parse(const char *text, size_t len, char **err);
/* obj's value for key; NULL if obj is no object or has no such key (or
 * it is null). Borrowed from obj. */
const struct codec_val *codec_get(const struct codec_val *obj, const char *key);
/* An array's length (0 for anything else) and its items (borrowed). */
size_t codec_len(const struct codec_val *arr);
const struct codec_val *codec_at(const struct codec_val *arr, size_t i);
/* A string (borrowed), else NULL. */
const char *codec_as_str(const struct codec_val *v);
/* A whole number or a boolean, else 0. */
int64_t codec_as_int(const struct codec_val *v);
/* Shorthands: codec_as_*(codec_get(obj, key)). */
const char *codec_get_str(const struct codec_val *obj, const char *key);
int64_t codec_get_int(const struct codec_val *obj, const char *key);

/* ---- the model's records ----
 * Writing never fails. Reading fills a whole record (strings sanitized,
 * never NULL), also from a damaged value; a record without its id reads
 * as -1 (free it anyway). */

struct codec_val *codec_conversation(const struct conversation *c);
int codec_read_conversation(const struct codec_val *v, struct conversation *out);
struct codec_val *codec_message(const struct message *m);
int codec_read_message(const struct codec_val *v, struct message *out);
struct codec_val *codec_contact(const struct contact *c);
int codec_read_contact(const struct codec_val *v, struct contact *out);
/* A record of the directory of kind k (struct agent, team… as k says). */
struct codec_val *codec_dir_record(enum dir_kind k, const void *rec);
int codec_read_dir_record(const struct codec_val *v, enum dir_kind k, void *out);
struct codec_val *codec_profile(const struct profile *p);
int codec_read_profile(const struct codec_val *v, struct profile *out);
struct codec_val *codec_counts(const struct conv_counts *c);
int codec_read_counts(const struct codec_val *v, struct conv_counts *out);
/* {"id":…,"name":…}, or null when id is 0. */
struct codec_val *codec_ref(int64_t id, const char *name);
/* How --json names a message's kind: incoming, outgoing, note, activity,
 * template. */
const char *codec_direction(const struct message *m);

#endif
