/* changes — what a transaction changed, told to whoever reports changes
 * once they are durable (the ActionCable hub).
 *
 * A writer notes each change inside its transaction (changes_note); the
 * notes of one transaction travel together through db_after_commit, so the
 * sink hears of them after the commit and outside the write lock, in the
 * order they were noted, and never after a rollback. Without a sink,
 * notes cost nothing. */
#ifndef TWOWAYD_CHANGES_H
#define TWOWAYD_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

enum change_kind {
    CHANGE_MESSAGE_CREATED, /* id: messages.id */
    CHANGE_MESSAGE_UPDATED, /* id: messages.id (delivery status, deletion) */
    CHANGE_CONV_CREATED,    /* id: conversations.id */
    CHANGE_CONV_STATUS,     /* id: conversations.id */
    CHANGE_CONV_UPDATED,    /* id: conversations.id (priority, labels, attributes) */
    CHANGE_CONV_ASSIGNEE,   /* id: conversations.id */
    CHANGE_CONV_TEAM,       /* id: conversations.id */
    CHANGE_CONV_READ,       /* id: conversations.id */
    CHANGE_TYPING_ON,       /* id: conversations.id, actor: the agent, flag: private */
    CHANGE_TYPING_OFF,      /* likewise */
    CHANGE_CONTACT_UPDATED, /* id: contacts.id */
    CHANGE_CONTACT_CREATED, /* id: contacts.id */
};

struct change {
    enum change_kind kind;
    int64_t id;
    int64_t actor;
    bool flag;
};

typedef void (*changes_sink)(void *ud, const struct change *changes, size_t n);

/* Set once before any writer runs; NULL stops the notes. */
void changes_set_sink(changes_sink fn, void *ud);

/* Inside a write transaction on db. A note equal to one already noted in
 * this transaction is dropped. */
void changes_note(struct db *db, enum change_kind kind, int64_t id, int64_t actor, bool flag);

#endif
