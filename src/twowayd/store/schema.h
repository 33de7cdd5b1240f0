/* schema — twowayd's SQL schema as ordered migrations.
 *
 * Migration N brings a database from user_version N-1 to N. Never edit a
 * released migration; append a new one. Timestamps are REAL epoch seconds
 * (sub-second order matters for unread counts); the API renders them as
 * Chatwoot does (integers, or ISO strings where Chatwoot uses those). JSON
 * columns hold objects as text. */
#ifndef TWOWAYD_SCHEMA_H
#define TWOWAYD_SCHEMA_H

static const char *const schema_migrations[] = {
    /* 1: the Chatwoot subset */
    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  created_at REAL NOT NULL);"

    "CREATE TABLE agents ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent','administrator')),"
    "  token TEXT NOT NULL UNIQUE,"
    "  availability TEXT NOT NULL DEFAULT 'online'"
    "    CHECK (availability IN ('online','busy','offline')),"
    "  message_signature TEXT,"
    "  created_at REAL NOT NULL);"

    "CREATE TABLE teams ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  allow_auto_assign INTEGER NOT NULL DEFAULT 1,"
    "  UNIQUE (account_id, name));"

    "CREATE TABLE team_members ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (team_id, agent_id));"

    "CREATE TABLE inboxes ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL,"
    "  channel_type TEXT NOT NULL DEFAULT 'Channel::TwilioSms',"
    "  medium TEXT DEFAULT 'sms',"
    "  provider TEXT DEFAULT 'twilio',"
    "  phone_number TEXT UNIQUE,"
    "  timezone TEXT NOT NULL DEFAULT 'UTC',"
    "  created_at REAL NOT NULL);"

    "CREATE TABLE inbox_members ("
    "  inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (inbox_id, agent_id));"

    "CREATE TABLE contacts ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL DEFAULT '',"
    "  email TEXT,"
    "  phone_number TEXT,"
    "  identifier TEXT,"
    "  blocked INTEGER NOT NULL DEFAULT 0,"
    "  custom_attributes TEXT NOT NULL DEFAULT '{}',"
    "  additional_attributes TEXT NOT NULL DEFAULT '{}',"
    "  created_at REAL NOT NULL,"
    "  last_activity_at REAL);"
    "CREATE UNIQUE INDEX contacts_phone ON contacts(account_id, phone_number);"

    "CREATE TABLE contact_inboxes ("
    "  id INTEGER PRIMARY KEY,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,"
    "  source_id TEXT NOT NULL,"
    "  UNIQUE (inbox_id, source_id));"

    "CREATE TABLE conversations ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  display_id INTEGER NOT NULL,"
    "  uuid TEXT NOT NULL UNIQUE,"
    "  inbox_id INTEGER NOT NULL REFERENCES inboxes(id),"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id),"
    "  contact_inbox_id INTEGER REFERENCES contact_inboxes(id),"
    "  status TEXT NOT NULL DEFAULT 'open'"
    "    CHECK (status IN ('open','resolved','pending','snoozed')),"
    "  priority TEXT CHECK (priority IN ('low','medium','high','urgent')),"
    "  assignee_id INTEGER REFERENCES agents(id) ON DELETE SET NULL,"
    "  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,"
    "  snoozed_until REAL,"
    "  muted INTEGER NOT NULL DEFAULT 0,"
    "  custom_attributes TEXT NOT NULL DEFAULT '{}',"
    "  additional_attributes TEXT NOT NULL DEFAULT '{}',"
    "  created_at REAL NOT NULL,"
    "  updated_at REAL NOT NULL,"
    "  last_activity_at REAL NOT NULL,"
    "  agent_last_seen_at REAL,"
    "  assignee_last_seen_at REAL,"
    "  contact_last_seen_at REAL,"
    "  first_reply_created_at REAL,"
    "  waiting_since REAL,"
    "  UNIQUE (account_id, display_id));"
    "CREATE INDEX conversations_activity ON conversations(account_id, last_activity_at);"
    "CREATE INDEX conversations_contact ON conversations(contact_id);"

    "CREATE TABLE labels ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  color TEXT NOT NULL DEFAULT '#1f93ff',"
    "  show_on_sidebar INTEGER NOT NULL DEFAULT 1,"
    "  UNIQUE (account_id, title));"

    /* Chatwoot tags conversations with label titles (acts_as_taggable). */
    "CREATE TABLE conversation_labels ("
    "  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL,"
    "  PRIMARY KEY (conversation_id, title));"

    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    "  inbox_id INTEGER NOT NULL REFERENCES inboxes(id),"
    "  content TEXT,"
    "  message_type INTEGER NOT NULL CHECK (message_type BETWEEN 0 AND 3),"
    "  content_type TEXT NOT NULL DEFAULT 'text',"
    "  private INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'sent'"
    "    CHECK (status IN ('sent','delivered','read','failed')),"
    "  source_id TEXT,"
    "  content_attributes TEXT NOT NULL DEFAULT '{}',"
    "  sender_type TEXT CHECK (sender_type IN ('User','Contact')),"
    "  sender_id INTEGER,"
    "  echo_id TEXT,"
    "  created_at REAL NOT NULL,"
    "  updated_at REAL NOT NULL);"
    "CREATE INDEX messages_conversation ON messages(conversation_id, id);"
    /* A webhook Twilio retries (same MessageSid) is stored once. */
    "CREATE UNIQUE INDEX messages_source ON messages(inbox_id, source_id)"
    "  WHERE source_id IS NOT NULL;"

    "CREATE TABLE attachments ("
    "  id INTEGER PRIMARY KEY,"
    "  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
    "  file_type TEXT NOT NULL,"
    "  content_type TEXT,"
    "  extension TEXT,"
    "  data_url TEXT NOT NULL,"
    "  file_size INTEGER NOT NULL DEFAULT 0);"

    "CREATE TABLE canned_responses ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  short_code TEXT NOT NULL,"
    "  content TEXT NOT NULL,"
    "  created_at REAL NOT NULL,"
    "  updated_at REAL NOT NULL,"
    "  UNIQUE (account_id, short_code));"

    /* Outbound SMS queue. state: pending → sending → sent | failed.
     * A row in 'sending' found at start-up may or may not have reached
     * Twilio, so it is never retried (never send twice): it fails with a
     * reason a person can act on. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (state IN ('pending','sending','sent','failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at REAL NOT NULL,"
    "  last_error TEXT,"
    "  created_at REAL NOT NULL);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"

    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT);",

    /* 2: a reply is stored once per echo_id in its conversation, even when
     * two copies of one create race. Copies an older twowayd stored keep
     * their text but lose the echo_id (the first keeps it). */
    "UPDATE messages SET echo_id = NULL WHERE echo_id = '';"
    "UPDATE messages SET echo_id = NULL WHERE echo_id IS NOT NULL AND id NOT IN ("
    "  SELECT MIN(id) FROM messages WHERE echo_id IS NOT NULL"
    "  GROUP BY conversation_id, echo_id);"
    "CREATE UNIQUE INDEX messages_echo ON messages(conversation_id, echo_id)"
    "  WHERE echo_id IS NOT NULL;",
};

#define SCHEMA_VERSION ((int)(sizeof schema_migrations / sizeof schema_migrations[0]))

#endif
