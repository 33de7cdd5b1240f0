/* attach — files that come with messages: what kind a media type is, the
 * bytes an agent uploads (kept in the database, attachments.data), and the
 * signed, expiring URLs under public_url that serve them (to clients, and
 * to Twilio as MediaUrl).
 *
 * A signed URL is PUBLIC_URL/attachments/ID/NAME?expires=E&signature=S,
 * S the HMAC-SHA256 (hex) of "attachment:ID:E" with a random key kept in
 * the settings table. E is rounded to a time bucket (half the TTL), so the
 * same URL is given out for a while (an answer a client already has does
 * not change at every poll) and stays valid between TTL/2 and TTL. */
#ifndef TWOWAYD_ATTACH_H
#define TWOWAYD_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* image, audio, video or file, as Chatwoot sorts a media type. */
const char *attach_file_type(const char *content_type);
/* A file name extension for a media type ("image/jpeg" → "jpg"), else the
 * one file_name ends with, else NULL. Owned, lower case, a short word. */
char *attach_extension(const char *content_type, const char *file_name);

/* Is this a media type we pass on ("type/subtype", printable, short)? */
bool attach_type_ok(const char *content_type);

/* Store an uploaded file for message_id (inside the writer's
 * transaction). file_name is as the client gave it (made safe here).
 * The attachment's id. */
int64_t attach_store(struct db *db, int64_t message_id, const char *file_name,
                     const char *content_type, const void *data, size_t len);

/* Set once at start-up, before anything is served: the key (read from
 * the settings table, made there the first time) and how long a URL lasts.
 * public_url is set when it is known (after the listening socket is). */
int attach_setup(struct db *db, int64_t ttl_seconds, char **err);
void attach_set_public_url(const char *public_url);
void attach_teardown(void);

/* The period attach_url is in now: the links it makes change when this
 * does (for a cache of rendered answers). */
int64_t attach_period(void);
/* The signed URL of a stored attachment, valid from now (owned). */
char *attach_url(int64_t id, const char *file_name);
/* Does signature sign (id, expires), and is expires still ahead of now?
 * NULL if so, else why not (a static sentence). */
const char *attach_check(int64_t id, const char *expires, const char *signature, int64_t now);

#endif
