"""What twowayd keeps at rest, and how it gets there: API tokens only as
SHA-256 digests, label titles case folded, the badge counts and the search
index kept with every change, a database of the first schema migrated with
all of that, and `twowayd admin import`."""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

def sha256_hex(s):
    return hashlib.sha256(s.encode()).hexdigest()


def admin(db, *args, stdin=None):
    p = subprocess.run([twtest.binary("twowayd"), "--db", db, "admin", *args],
                       capture_output=True, text=True, input=stdin, timeout=60)
    return p.returncode, p.stdout, p.stderr


def db_bytes(path):
    out = b""
    for p in (path, path + "-wal"):
        if os.path.exists(p):
            with open(p, "rb") as f:
                out += f.read()
    return out


class TokensAtRest(unittest.TestCase):
    def test_only_digests_are_stored_and_each_token_still_works(self):
        with twtest.Twowayd() as d:
            tokens = [a["token"] for a in d.agents]
            self.assertEqual(len(tokens), 4)
            for a in d.agents:
                r = d.api("GET", "/api/v1/profile", agent=a)
                self.assertEqual((r.status, r.json["id"], r.json["access_token"]),
                                 (200, a["id"], a["token"]))
            conn = sqlite3.connect(d.db)
            stored = dict(conn.execute("SELECT id, token_sha256 FROM agents"))
            conn.close()
            self.assertEqual(stored, {a["id"]: sha256_hex(a["token"]) for a in d.agents})
            raw = db_bytes(d.db)
            for t in tokens:
                self.assertFalse(t.encode() in raw, "a token is in the database file")
            # The digest is not a token.
            r = d.api("GET", "/api/v1/profile", token=stored[d.agents[0]["id"]])
            self.assertEqual(r.status, 401)
            # A restart prints the agents, never their tokens again.
            d.kill()
            d.agents = []
            d.start()
            self.assertEqual(len(d.agents), 4)
            self.assertFalse(any("token" in a for a in d.agents))


class MigrationFromSchema1(unittest.TestCase):
    TOKEN = "old-plain-token-0123456789abcdef"

    def make_v1(self, path):
        conn = sqlite3.connect(path)
        conn.executescript(twtest.migration_1())
        conn.executescript("""
            PRAGMA user_version = 1;
            INSERT INTO accounts VALUES (1, 'Acme', 1700000000);
            INSERT INTO agents(id, account_id, name, email, role, token, created_at)
              VALUES (1, 1, 'Ann', 'ann@acme.example', 'administrator', '%s', 1700000000);
            INSERT INTO inboxes(id, account_id, name, phone_number, created_at)
              VALUES (1, 1, 'Front', '+15550100100', 1700000000);
            INSERT INTO inbox_members VALUES (1, 1);
            INSERT INTO contacts(id, account_id, name, phone_number, created_at)
              VALUES (1, 1, 'Bo', '+15551230001', 1700000000),
                     (2, 1, 'Cy', '+15551230002', 1700000000);
            INSERT INTO contact_inboxes VALUES (1, 1, 1, '+15551230001'),
                                               (2, 2, 1, '+15551230002');
            INSERT INTO conversations(id, account_id, display_id, uuid, inbox_id, contact_id,
                contact_inbox_id, status, assignee_id, created_at, updated_at, last_activity_at)
              VALUES (1, 1, 1, 'u1', 1, 1, 1, 'open', 1, 1700000000, 1700000100, 1700000100),
                     (2, 1, 2, 'u2', 1, 2, 2, 'resolved', NULL, 1700000000, 1700000200,
                      1700000200);
            INSERT INTO labels(account_id, title) VALUES (1, 'Élite'), (1, 'élite'), (1, 'VIP');
            INSERT INTO conversation_labels VALUES (1, 'Élite'), (1, 'élite'), (2, 'VIP');
            INSERT INTO messages(id, account_id, conversation_id, inbox_id, content,
                message_type, sender_type, sender_id, created_at, updated_at)
              VALUES (1, 1, 1, 1, 'Where is my Zebrafish order?', 0, 'Contact', 1,
                      1700000050, 1700000050),
                     (2, 1, 1, 1, 'On its way', 1, 'User', 1, 1700000100, 1700000100),
                     (3, 1, 2, 1, 'Thanks, all good', 0, 'Contact', 2, 1700000200, 1700000200);
            INSERT INTO outbox(message_id, state, next_attempt_at, created_at)
              VALUES (2, 'sent', 1700000100, 1700000100);
        """ % self.TOKEN)
        conn.commit()
        conn.close()

    def test_old_database_is_migrated(self):
        with twtest.Twowayd(demo=False) as d:
            d.stop()
            os.remove(d.db) if os.path.exists(d.db) else None
            self.make_v1(d.db)
            d.start()
            ann = {"token": self.TOKEN, "account_id": 1}
            r = d.api("GET", "/api/v1/profile", agent=ann)
            self.assertEqual((r.status, r.json["name"]), (200, "Ann"))
            conn = sqlite3.connect(d.db)
            self.assertEqual(conn.execute("PRAGMA user_version").fetchone()[0] >= 2, True)
            self.assertEqual(conn.execute("SELECT token_sha256 FROM agents").fetchall(),
                             [(sha256_hex(self.TOKEN),)])
            self.assertEqual(sorted(conn.execute("SELECT title FROM labels")),
                             [("vip",), ("élite",)])
            self.assertEqual(sorted(conn.execute("SELECT * FROM conversation_labels")),
                             [(1, "élite"), (2, "vip")])
            self.assertEqual(conn.execute("SELECT destination FROM outbox").fetchall(),
                             [("+15551230001",)])
            conn.close()
            self.assertFalse(self.TOKEN.encode() in db_bytes(d.db),
                             "the old token is still in the database file")
            path = "/api/v1/accounts/1/conversations"
            meta = d.api("GET", path + "/meta?status=all", agent=ann).json["meta"]
            self.assertEqual((meta["all_count"], meta["mine_count"], meta["unassigned_count"]),
                             (2, 1, 1))
            meta = d.api("GET", path + "/meta?status=open", agent=ann).json["meta"]
            self.assertEqual(meta["all_count"], 1)
            found = d.api("GET", path + "/search?q=zebrafish", agent=ann).json
            self.assertEqual([c["id"] for c in found["payload"]], [1])
            got = d.api("GET", path + "?status=all&labels[]=" + urllib.parse.quote("ÉLITE"),
                        agent=ann).json["data"]["payload"]
            self.assertEqual([c["id"] for c in got], [1])


class CountsAndSearchFollowChanges(unittest.TestCase):
    """The badge counts and the search index change in the transaction that
    changes a conversation or a message: every answer agrees with a count
    of the rows."""

    def test_counts_and_search_after_each_change(self):
        with twtest.Twowayd() as d:
            a = d.agent()

            def meta(q):
                return d.api("GET", d.acc("/conversations/meta?" + q)).json["meta"]

            def recount(status):
                conn = sqlite3.connect(d.db)
                where = "account_id = 1" + ("" if status == "all" else
                                            " AND status = '%s'" % status)
                row = conn.execute(
                    "SELECT COALESCE(SUM(assignee_id = ?), 0), "
                    "COALESCE(SUM(assignee_id IS NULL), 0), COUNT(*) FROM conversations "
                    "WHERE " + where, (a["id"],)).fetchone()
                conn.close()
                return row

            def check():
                for status in ("open", "pending", "resolved", "snoozed", "all"):
                    m = meta("status=" + status)
                    self.assertEqual((m["mine_count"], m["unassigned_count"], m["all_count"]),
                                     recount(status), status)

            check()
            r = d.sms_in("+15557770001", "Looking for the Quokka plush")
            self.assertEqual(r.status, 200, r)
            check()
            found = d.api("GET", d.acc("/conversations/search?q=quokka")).json["payload"]
            self.assertEqual(len(found), 1)
            conv = found[0]["id"]
            path = d.acc("/conversations/%d" % conv)
            self.assertEqual(d.api("POST", path + "/assignments",
                                   {"assignee_id": a["id"]}).status, 200)
            check()
            self.assertEqual(d.api("POST", path + "/toggle_status",
                                   {"status": "resolved"}).status, 200)
            check()
            m = d.api("POST", path + "/messages", {"content": "the Wombat edition", "private":
                                                   True}).json
            found = d.api("GET", d.acc("/conversations/search?q=WOMBAT")).json["payload"]
            self.assertEqual([c["id"] for c in found], [conv])
            d.api("DELETE", path + "/messages/%d" % m["id"])
            found = d.api("GET", d.acc("/conversations/search?q=wombat")).json["payload"]
            self.assertEqual(found, [])
            # Fewer than three characters still search (by reading messages).
            found = d.api("GET", d.acc("/conversations/search?q=Qu")).json
            self.assertIn(conv, [c["id"] for c in found["payload"]])


class RenderedPagesFollowTheDatabase(unittest.TestCase):
    """List pages are served from conversations rendered earlier while the
    database stays the same; any commit, by twowayd or another process,
    makes them render again."""

    def test_a_change_from_another_process_shows_at_once(self):
        with twtest.Twowayd() as d:
            path = d.acc("/conversations?status=all")
            first = d.api("GET", path).json["data"]["payload"][0]
            for _ in range(3):  # every reader connection has seen it
                self.assertEqual(d.api("GET", path).json["data"]["payload"][0], first)
            conn = sqlite3.connect(d.db)
            conn.execute("UPDATE conversations SET priority = 'urgent', "
                         "custom_attributes = '{\"from\": \"elsewhere\"}' "
                         "WHERE display_id = ? AND account_id = 1", (first["id"],))
            conn.commit()
            conn.close()
            for _ in range(3):
                got = [c for c in d.api("GET", path).json["data"]["payload"]
                       if c["id"] == first["id"]][0]
                self.assertEqual((got["priority"], got["custom_attributes"]),
                                 ("urgent", {"from": "elsewhere"}))

    def test_each_agent_sees_their_own_team_membership(self):
        with twtest.Twowayd() as d:
            ann, ben = d.agent(0), d.agent(1)
            path = "/conversations?status=all&team_id=%d"
            seen = {}
            for who in (ann, ben, ann, ben):
                for team in (1, 2):
                    page = d.api("GET", d.acc(path % team, who), agent=who).json["data"]
                    teams = {c["meta"]["team"]["is_member"] for c in page["payload"]}
                    seen.setdefault((who["id"], team), set()).update(teams)
            member = {}
            for (agent, team), flags in seen.items():
                self.assertEqual(len(flags), 1, (agent, team, flags))
                member[(agent, team)] = flags.pop()
            # Ann is in Front desk only, Ben in both (the demo's teams).
            self.assertEqual(member, {(ann["id"], 1): True, (ann["id"], 2): False,
                                      (ben["id"], 1): True, (ben["id"], 2): True})


class Import(unittest.TestCase):
    def setUp(self):
        self.d = twtest.Twowayd()
        self.ann = self.d.agent()

    def tearDown(self):
        self.d.cleanup()

    def test_import_adds_conversations_as_history(self):
        lines = [
            {"contact": {"phone": "+15558880001", "name": "Imported One"}, "status": "open",
             "assignee": self.ann["email"], "labels": ["ÉLITE", "vip"], "priority": "high",
             "messages": [
                 {"type": "incoming", "content": "first Platypus question",
                  "created_at": 1700000000},
                 {"type": "outgoing", "content": "an answer", "created_at": 1700000060,
                  "agent": self.ann["email"], "status": "delivered"},
                 {"type": "incoming", "content": "thanks", "created_at": 1700000120}]},
            {"contact": {"phone": "+15558880002"}, "status": "resolved", "seen_at": 1700000500,
             "messages": [{"type": "note", "content": "quiet one", "agent": self.ann["email"],
                           "created_at": 1700000400}]},
        ]
        text = "".join(json.dumps(x) + "\n" for x in lines)
        before = self.d.api("GET", self.d.acc("/conversations/meta?status=all")).json["meta"]
        rc, out, err = admin(self.d.db, "import", "--file", "-", "--account", "1", "--json",
                             stdin=text)
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(json.loads(out), {"type": "import", "account_id": 1,
                                           "conversations": 2, "messages": 4,
                                           "new_contacts": 2})
        after = self.d.api("GET", self.d.acc("/conversations/meta?status=all")).json["meta"]
        self.assertEqual(after["all_count"], before["all_count"] + 2)
        found = self.d.api("GET", self.d.acc("/conversations/search?q=platypus")).json
        self.assertEqual(len(found["payload"]), 1)
        conv = self.d.api("GET", self.d.acc("/conversations/%d" % found["payload"][0]["id"])).json
        self.assertEqual((conv["status"], conv["priority"], conv["labels"], conv["timestamp"],
                          conv["unread_count"], conv["meta"]["assignee"]["id"]),
                         ("open", "high", ["vip", "élite"], 1700000120, 2, self.ann["id"]))
        self.assertEqual(conv["waiting_since"], 1700000120)
        msgs = self.d.api("GET", self.d.acc("/conversations/%d/messages" % conv["id"])).json
        self.assertEqual([(m["content"], m["message_type"]) for m in msgs["payload"]],
                         [("first Platypus question", 0), ("an answer", 1), ("thanks", 0)])
        conn = sqlite3.connect(self.d.db)
        self.assertEqual(conn.execute("SELECT COUNT(*) FROM outbox o JOIN messages m "
                                      "ON m.id = o.message_id WHERE m.content = 'an answer'")
                         .fetchone()[0], 0)
        conn.close()

    def test_a_bad_line_keeps_nothing_and_is_named(self):
        good = json.dumps({"contact": {"phone": "+15558880003"}})
        for bad, says in (("{", "line 2: not valid JSON"),
                          (json.dumps({"contact": {"phone": "555"}}), "line 2: phone"),
                          (json.dumps({"contact": {"phone": "+15558880004"},
                                       "messages": [{"type": "incoming",
                                                     "content": "x\u0000y"}]}),
                           "line 2: content must not contain a NUL"),
                          (json.dumps({"contact": {"phone": "+15558880004"},
                                       "assignee": "nobody@x.example"}),
                           "line 2: no agent"),
                          (json.dumps({"contact": {"phone": "+15558880004"},
                                       "labels": ["bad\u001btitle"]}), "line 2: a label")):
            rc, out, err = admin(self.d.db, "import", "--file", "-", "--account", "1",
                                 stdin=good + "\n" + bad + "\n")
            self.assertEqual(rc, 1, bad)
            self.assertIn(says, err)
        conn = sqlite3.connect(self.d.db)
        self.assertEqual(conn.execute("SELECT COUNT(*) FROM contacts WHERE phone_number = "
                                      "'+15558880003'").fetchone()[0], 0)
        conn.close()


if __name__ == "__main__":
    unittest.main()
