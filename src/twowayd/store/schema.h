/* schema — twowayd's SQL schema as ordered migrations.
 *
 * Migration N brings a database from user_version N-1 to N. Never edit a
 * released migration; append a new one. Timestamps are REAL epoch seconds
 * (sub-second order matters for unread counts); the API renders them as
 * Chatwoot does (integers, or ISO strings where Chatwoot uses those). JSON
 * columns hold objects as text. */
#ifndef TWOWAYD_SCHEMA_H
#define TWOWAYD_SCHEMA_H

/* Sort keys the conversation list orders by and indexes serve: the
 * expressions must be written alike in both places. */
#define SCHEMA_PRIORITY_RANK                                                                       \
    "(CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 "                 \
    "WHEN 'low' THEN 1 ELSE 0 END)"
/* Chatwoot sorts a conversation nobody waits on as if waiting since now. */
#define SCHEMA_WAITING "COALESCE(waiting_since, 9e18)"

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

    /* 3: at scale and under attack.
     * Agents' API tokens are kept only as SHA-256 digests (hex), found by
     * index; sha256_hex() is twowayd's own SQL function (store/db.c). */
    "ALTER TABLE agents RENAME COLUMN token TO token_sha256;"
    "UPDATE agents SET token_sha256 = sha256_hex(token_sha256);"

    /* Label titles fold Unicode case (casefold(), store/db.c), as
     * ops_label_title stores them now; titles that meet on folding
     * become one. */
    "UPDATE OR IGNORE labels SET title = casefold(title);"
    "DELETE FROM labels WHERE title != casefold(title);"
    "UPDATE OR IGNORE conversation_labels SET title = casefold(title);"
    "DELETE FROM conversation_labels WHERE title != casefold(title);"
    "CREATE INDEX conversation_labels_title ON conversation_labels(title, conversation_id);"

    /* An index for every query: the list in each order it is asked for,
     * with and without a status (the rowid, conversations.id, is the last
     * key of every index and breaks ties); an agent's tabs; a
     * conversation's messages by time and its unread ones; a contact in
     * an inbox; a message's attachments; an agent's inboxes. */
    "CREATE INDEX conversations_status_activity ON conversations(account_id, status,"
    "  last_activity_at);"
    "CREATE INDEX conversations_assignee_activity ON conversations(account_id, status,"
    "  assignee_id, last_activity_at);"
    "CREATE INDEX conversations_created ON conversations(account_id, created_at);"
    "CREATE INDEX conversations_status_created ON conversations(account_id, status, created_at);"
    "CREATE INDEX conversations_priority ON conversations(account_id, " SCHEMA_PRIORITY_RANK ","
    "  last_activity_at);"
    "CREATE INDEX conversations_status_priority ON conversations(account_id, "
    "status, " SCHEMA_PRIORITY_RANK ", last_activity_at);"
    "CREATE INDEX conversations_waiting ON conversations(account_id, " SCHEMA_WAITING ","
    "  created_at);"
    "CREATE INDEX conversations_status_waiting ON conversations(account_id, status, " SCHEMA_WAITING
    ", created_at);"
    "CREATE INDEX messages_time ON messages(conversation_id, created_at);"
    "CREATE INDEX messages_unread ON messages(conversation_id, message_type, created_at);"
    "CREATE INDEX contact_inboxes_contact ON contact_inboxes(contact_id, inbox_id);"
    "CREATE INDEX attachments_message ON attachments(message_id);"
    "CREATE INDEX inbox_members_agent ON inbox_members(agent_id, inbox_id);"

    /* The badge counts (meta, the tabs): conversations per account, inbox,
     * status, assignee and team (0 for none), kept by triggers in the
     * transaction that changes a conversation. */
    "CREATE TABLE conversation_counts ("
    "  account_id INTEGER NOT NULL,"
    "  inbox_id INTEGER NOT NULL,"
    "  status TEXT NOT NULL,"
    "  assignee_id INTEGER NOT NULL,"
    "  team_id INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (account_id, inbox_id, status, assignee_id, team_id)) WITHOUT ROWID;"
    "INSERT INTO conversation_counts SELECT account_id, inbox_id, status,"
    "  COALESCE(assignee_id, 0), COALESCE(team_id, 0), COUNT(*) FROM conversations"
    "  GROUP BY 1, 2, 3, 4, 5;"
    "CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN"
    "  INSERT INTO conversation_counts VALUES (NEW.account_id, NEW.inbox_id, NEW.status,"
    "    COALESCE(NEW.assignee_id, 0), COALESCE(NEW.team_id, 0), 1)"
    "    ON CONFLICT DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN"
    "  UPDATE conversation_counts SET n = n - 1 WHERE account_id = OLD.account_id"
    "    AND inbox_id = OLD.inbox_id AND status = OLD.status"
    "    AND assignee_id = COALESCE(OLD.assignee_id, 0) AND team_id = COALESCE(OLD.team_id, 0);"
    "END;"
    "CREATE TRIGGER conversation_counts_update AFTER UPDATE OF account_id, inbox_id, status,"
    "  assignee_id, team_id ON conversations"
    "  WHEN OLD.account_id != NEW.account_id OR OLD.inbox_id != NEW.inbox_id"
    "    OR OLD.status != NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id"
    "    OR OLD.team_id IS NOT NEW.team_id BEGIN"
    "  UPDATE conversation_counts SET n = n - 1 WHERE account_id = OLD.account_id"
    "    AND inbox_id = OLD.inbox_id AND status = OLD.status"
    "    AND assignee_id = COALESCE(OLD.assignee_id, 0) AND team_id = COALESCE(OLD.team_id, 0);"
    "  INSERT INTO conversation_counts VALUES (NEW.account_id, NEW.inbox_id, NEW.status,"
    "    COALESCE(NEW.assignee_id, 0), COALESCE(NEW.team_id, 0), 1)"
    "    ON CONFLICT DO UPDATE SET n = n + 1;"
    "END;"

    /* Search: a trigram index over the text of incoming and outgoing
     * messages (notes included, activity lines not), so a substring of
     * three characters or more is found without reading every message. */
    "CREATE VIRTUAL TABLE messages_text USING fts5(content, content = 'messages',"
    "  content_rowid = 'id', tokenize = 'trigram');"
    "INSERT INTO messages_text(rowid, content) SELECT id, content FROM messages"
    "  WHERE message_type IN (0, 1) AND content IS NOT NULL;"
    "CREATE TRIGGER messages_text_insert AFTER INSERT ON messages"
    "  WHEN NEW.message_type IN (0, 1) AND NEW.content IS NOT NULL BEGIN"
    "  INSERT INTO messages_text(rowid, content) VALUES (NEW.id, NEW.content);"
    "END;"
    "CREATE TRIGGER messages_text_delete AFTER DELETE ON messages"
    "  WHEN OLD.message_type IN (0, 1) AND OLD.content IS NOT NULL BEGIN"
    "  INSERT INTO messages_text(messages_text, rowid, content)"
    "    VALUES ('delete', OLD.id, OLD.content);"
    "END;"
    "CREATE TRIGGER messages_text_update AFTER UPDATE OF content, message_type ON messages BEGIN"
    "  INSERT INTO messages_text(messages_text, rowid, content)"
    "    SELECT 'delete', OLD.id, OLD.content"
    "    WHERE OLD.message_type IN (0, 1) AND OLD.content IS NOT NULL;"
    "  INSERT INTO messages_text(rowid, content) SELECT NEW.id, NEW.content"
    "    WHERE NEW.message_type IN (0, 1) AND NEW.content IS NOT NULL;"
    "END;"

    /* Sends in parallel keep their order per destination number: the
     * number a row goes to, and the rows still to send per number. */
    "ALTER TABLE outbox ADD COLUMN destination TEXT;"
    "UPDATE outbox SET destination = (SELECT CASE WHEN ci.source_id LIKE '+%'"
    "  THEN ci.source_id ELSE ct.phone_number END FROM messages m"
    "  JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id"
    "  LEFT JOIN contact_inboxes ci ON ci.id = c.contact_inbox_id WHERE m.id = outbox.message_id);"
    "CREATE INDEX outbox_destination ON outbox(destination, id)"
    "  WHERE state IN ('pending', 'sending');",

    /* 4: what the query-plan test found still read whole.
     * Twilio's status callbacks name a message by its SID alone; the
     * sender takes the oldest pending row; a contact's inboxes are listed
     * in the order they were added. */
    "CREATE INDEX messages_sid ON messages(source_id) WHERE source_id IS NOT NULL;"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';"
    "DROP INDEX contact_inboxes_contact;"
    "CREATE INDEX contact_inboxes_contact ON contact_inboxes(contact_id);"
    /* Contact search: a trigram index over the fields it matches. */
    "CREATE VIRTUAL TABLE contacts_text USING fts5(name, email, phone_number, identifier,"
    "  content = 'contacts', content_rowid = 'id', tokenize = 'trigram');"
    "INSERT INTO contacts_text(rowid, name, email, phone_number, identifier)"
    "  SELECT id, name, email, phone_number, identifier FROM contacts;"
    "CREATE TRIGGER contacts_text_insert AFTER INSERT ON contacts BEGIN"
    "  INSERT INTO contacts_text(rowid, name, email, phone_number, identifier)"
    "    VALUES (NEW.id, NEW.name, NEW.email, NEW.phone_number, NEW.identifier);"
    "END;"
    "CREATE TRIGGER contacts_text_delete AFTER DELETE ON contacts BEGIN"
    "  INSERT INTO contacts_text(contacts_text, rowid, name, email, phone_number, identifier)"
    "    VALUES ('delete', OLD.id, OLD.name, OLD.email, OLD.phone_number, OLD.identifier);"
    "END;"
    "CREATE TRIGGER contacts_text_update AFTER UPDATE OF name, email, phone_number, identifier"
    "  ON contacts BEGIN"
    "  INSERT INTO contacts_text(contacts_text, rowid, name, email, phone_number, identifier)"
    "    VALUES ('delete', OLD.id, OLD.name, OLD.email, OLD.phone_number, OLD.identifier);"
    "  INSERT INTO contacts_text(rowid, name, email, phone_number, identifier)"
    "    VALUES (NEW.id, NEW.name, NEW.email, NEW.phone_number, NEW.identifier);"
    "END;",

    /* 5: what changed lately (updated_within), without a scan. */
    "CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(account_id, updated_at);",

    /* 6: contacts made through the API, and attachments agents send.
     * A new contact's email and identifier are unique in its account, as
     * Chatwoot validates them: indexes to look them up. An attachment
     * uploaded with a message keeps its bytes here (data, with the name it
     * came with); one that arrived by MMS has only Twilio's URL
     * (data_url), as before. */
    "CREATE INDEX contacts_email ON contacts(account_id, lower(email));"
    "CREATE INDEX contacts_identifier ON contacts(account_id, identifier);"
    "ALTER TABLE attachments ADD COLUMN file_name TEXT;"
    "ALTER TABLE attachments ADD COLUMN data BLOB;",
};

#define SCHEMA_VERSION ((int)(sizeof schema_migrations / sizeof schema_migrations[0]))

#endif
