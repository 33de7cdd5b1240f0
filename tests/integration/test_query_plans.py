"""Every statement twowayd prepares has an index to use.

twowayd is run with TWOWAYD_SQL_RECORD, which makes db_prepare write down
the text of each statement it prepares, and is driven through every route,
webhook, the sender, the simulator, /cable and the admin commands. Each
statement recorded is then explained (EXPLAIN QUERY PLAN) against an
inbox of realistic size, before and after ANALYZE, and the test fails on:
- a full scan of a table that grows with customers and traffic, with or
  without an index (a search of an index is what is wanted);
- a temporary B-tree for ORDER BY, where an index could give the order;
unless the statement is one of EXEMPT below, each with its reason.

And so that "every statement" means every one: each statement written in
src/twowayd (a string that starts with SELECT, INSERT, UPDATE, DELETE or
WITH) must have been recorded, at least up to its first macro or format
directive. A new query that nothing here reaches fails the test until the
exercise below reaches it."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
import wsclient  # noqa: E402
from test_sender import FakeTwilio  # noqa: E402

SRC = os.path.join(twtest.SOURCE, "src", "twowayd")
GEN = os.path.join(twtest.SOURCE, "bench", "gen_inbox.py")
CONVERSATIONS = 4000
INBOX_PHONE = "+15550100100"

# Tables that grow with customers and traffic: never read whole.
LARGE = {"conversations", "messages", "contacts", "contact_inboxes", "conversation_labels",
         "outbox", "attachments", "messages_text"}

# Statements allowed a plan the rules refuse: what they may do ("scan": read
# a growing table whole; "sort": sort where an index could give the order)
# and why (regular expressions over the statement's text).
EXEMPT = [
    (r"instr\(lower\(m\.content\), lower\(\?\)\)", {"scan", "sort"},
     "q of one or two characters: below what the trigram index can find, so the "
     "messages are read (documented in twowayd(8))"),
    (r"instr\(lower\(name\), lower\(\?2\)\)", {"scan", "sort"},
     "a contact search of one or two characters, likewise"),
    (r"c\.id IN \(SELECT m\.conversation_id FROM messages m WHERE m\.id IN \(SELECT rowid "
     r"FROM messages_text", {"sort"},
     "q: the conversations come from the text index, then are put in order (as many as "
     "the text matches)"),
    (r"c\.id IN \(SELECT l\.conversation_id FROM conversation_labels l WHERE l\.title IN",
     {"sort"},
     "labels: the conversations come from the title index, then are put in order (as "
     "many as carry the labels)"),
    (r"id IN \(SELECT rowid FROM contacts_text", {"sort"},
     "contact search: the contacts come from the text index, then are put in order"),
    (r"ORDER BY random\(\)", {"sort"},
     "the simulator picks a customer of its demo inbox at random"),
    (r"WHERE c\.contact_id = \? AND c\.account_id = \?", {"sort"},
     "a contact's conversations: the handful of one customer, found by the contact index "
     "and put in order"),
]


def explain(conn, sql):
    """The plan's lines; every parameter is bound to NULL."""
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    except sqlite3.ProgrammingError as e:
        n = int(re.search(r"uses (\d+)", str(e)).group(1))
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, (None,) * n).fetchall()
    return [row[3] for row in rows]


def aliases(sql):
    """alias -> table for the FROM and JOIN clauses of sql."""
    out = {}
    for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", sql):
        out[table] = table
        if alias and alias.upper() not in ("WHERE", "JOIN", "LEFT", "ON", "ORDER", "GROUP",
                                           "LIMIT", "INNER", "CROSS", "USING", "SET"):
            out[alias] = table
    return out


def partial_indexes(conn):
    return {name for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")}


def plan_problems(conn, sql):
    """What is wrong with sql's plan, as (kind, plan line): "scan" for a
    line that reads a growing table whole, "sort" for a sort where an
    index could give the order."""
    names = aliases(sql)
    large = any(t in LARGE for t in names.values())
    partial = partial_indexes(conn)
    plan = explain(conn, sql)
    sorts = [d for d in plan if "USE TEMP B-TREE FOR" in d and "ORDER BY" in d]
    stops_early = re.search(r"\bLIMIT\b", sql) and not sorts
    problems = []
    for detail in plan:
        m = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?$", detail)
        if m and names.get(m.group(1), m.group(1)) in LARGE and m.group(2) not in partial:
            problems.append(("scan", detail))
        # An account's every row is the whole table to a one-account
        # server: fine only when walked in order and left at the LIMIT.
        m = re.match(r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(account_id=\?\)$", detail)
        if m and names.get(m.group(1), m.group(1)) in LARGE and not stops_early:
            problems.append(("scan", detail))
    if large:
        problems += [("sort", d) for d in sorts]
    return problems


def unexcused(sql, problems):
    """The problems no exemption of sql excuses."""
    kinds = set()
    for pattern, allowed, _ in EXEMPT:
        if re.search(pattern, sql):
            kinds |= allowed
    return [p for p in problems if p[0] not in kinds]


def source_statements():
    """(file, head) for each SQL statement written in src/twowayd: the
    adjacent string literals it starts with, up to a macro or a format
    directive."""
    found = []
    for root, _, files in os.walk(SRC):
        for name in files:
            if not name.endswith(".c"):
                continue
            path = os.path.join(root, name)
            with open(path) as f:
                text = f.read()
            text = re.sub(r"/\*.*?\*/", lambda m: " " * len(m.group(0)), text, flags=re.S)
            # Runs of adjacent literals, joined.
            for run in re.finditer(r'"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*', text):
                s = "".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', run.group(0)))
                if not re.match(r"(SELECT|INSERT|UPDATE|DELETE|WITH) ", s):
                    continue
                head = re.split(r"%[-0-9.]*(?:lld|zu|s|d)", s)[0]
                found.append((os.path.relpath(path, SRC), head.replace('\\"', '"')))
    return found


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


class QueryPlans(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="twowayd-plans-")
        cls.db = os.path.join(cls.tmp, "inbox.db")
        cls.records = []
        cls.build_inbox()
        cls.fake = FakeTwilio()
        cls.exercise()

    @classmethod
    def tearDownClass(cls):
        cls.fake.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- the inbox ------------------------------------------------------

    @classmethod
    def record_file(cls):
        path = os.path.join(cls.tmp, "sql-%d.txt" % len(cls.records))
        cls.records.append(path)
        return path

    @classmethod
    def admin(cls, *args, stdin=None):
        env = dict(os.environ, TWOWAYD_SQL_RECORD=cls.record_file())
        p = subprocess.run([twtest.binary("twowayd"), "--db", cls.db, "admin", *args, "--json"],
                           capture_output=True, text=True, input=stdin, env=env, timeout=120)
        assert p.returncode == 0, (args, p.stderr)
        return [json.loads(line) for line in p.stdout.splitlines()]

    @classmethod
    def build_inbox(cls):
        out = cls.admin("init", "--account", "Acme", "--inbox-name", "Front", "--inbox-phone",
                        INBOX_PHONE, "--agent", "Ann Admin", "--email", "ann@acme.example")
        cls.ann = {"token": [o for o in out if o["type"] == "agent"][0]["token"],
                   "account_id": 1}
        (ben,) = cls.admin("agent", "add", "--name", "Ben Agent", "--email", "ben@acme.example")
        cls.ben = {"token": ben["token"], "account_id": 1, "id": ben["id"]}
        cls.admin("inbox", "add", "--name", "Second", "--phone", "+15550100200")
        cls.admin("team", "add", "--name", "Billing")
        cls.admin("team", "member", "--team", "1", "--email", "ben@acme.example")
        cls.admin("label", "add", "--title", "vip", "--account", "1")
        gen = subprocess.run([sys.executable, GEN, str(CONVERSATIONS), "--agents",
                              "ann@acme.example,ben@acme.example", "--team", "Billing"],
                             capture_output=True, text=True, check=True)
        cls.admin("import", "--file", "-", stdin=gen.stdout)
        cls.admin("import", "--file", "-", stdin=json.dumps(
            {"contact": {"phone": "+15557779999", "name": "Full", "email": "full@x.example"},
             "inbox": "+15550100200", "messages": [{"type": "incoming", "content": "hi"}]}))
        for cmd in (("agent", "list"), ("inbox", "list"), ("label", "list"), ("team", "list")):
            cls.admin(*cmd)
        (gone,) = cls.admin("agent", "add", "--name", "Temp", "--email", "temp@acme.example")
        cls.admin("agent", "token", "--email", "temp@acme.example", "--rotate")
        cls.admin("agent", "remove", "--email", "temp@acme.example")

    # ---- driving twowayd ------------------------------------------------

    @classmethod
    def exercise(cls):
        cfg = ("business_hours = mon-sun 00:00-00:01\naway_message = We are closed\n"
               "send_retry_delay = 0.01\n")
        env = {"TWOWAYD_SQL_RECORD": cls.record_file(),
               "TWOWAYD_TWILIO_BASE_URL": cls.fake.url}
        d = twtest.Twowayd(demo=False, db=cls.db, env=env, config=cfg)
        try:
            cls.drive(d)
        finally:
            d.cleanup()
        # The simulator and the demo seed, on a demo database of their own.
        sim_env = {"TWOWAYD_SQL_RECORD": cls.record_file(), "TWOWAYD_SIM_INTERVAL": "1",
                   "TWOWAYD_SIM_REPLY_CHANCE": "1", "TWOWAYD_SIM_FAIL_CHANCE": "0",
                   "TWOWAYD_SIM_DELIVERY_DELAY": "0.1"}
        with twtest.Twowayd(demo=True, simulate=True, env=sim_env) as s:
            a = s.agent()

            def recorded_sim(*heads):
                with open(sim_env["TWOWAYD_SQL_RECORD"]) as f:
                    text = f.read()
                return all(h in text for h in heads)

            # A customer texts in; the reply to them is delivered (its
            # status callbacks wait for the SID), they answer, and now and
            # then a known customer texts in again.
            twtest.wait_for(lambda: "texts in" in s.log_text(), what="a customer to text in")
            newest = s.sql("SELECT c.display_id FROM conversations c JOIN messages m "
                           "ON m.conversation_id = c.id WHERE m.message_type = 0 "
                           "AND c.account_id = 1 ORDER BY m.id DESC LIMIT 1")[0][0]
            r = s.api("POST", s.acc("/conversations/%d/messages" % newest),
                      {"content": "Thanks for writing!"}, agent=a)
            assert r.status == 200, r
            twtest.wait_for(lambda: recorded_sim("SELECT 1 FROM messages WHERE source_id = ?",
                                                 "SELECT c.phone_number FROM contacts c"),
                            what="the simulator's own queries")

    @classmethod
    def drive(cls, d):
        ann, ben = cls.ann, cls.ben

        def api(method, path, body=None, who=ann, ok=True):
            r = d.api(method, "/api/v1/accounts/1" + path if path.startswith("/") and not
                      path.startswith("/api") else path, body, agent=who)
            if ok:
                assert r.status < 400, (method, path, r)
            return r

        api("GET", "/api/v1/profile")
        for who in (ann, ben):
            for sort in ("", "last_activity_at_desc", "last_activity_at_asc", "created_at_desc",
                         "created_at_asc", "priority_desc", "priority_asc",
                         "waiting_since_desc", "waiting_since_asc", "latest",
                         "sort_on_created_at", "sort_on_priority", "sort_on_waiting_since"):
                for status in ("open", "resolved", "all"):
                    for assignee in ("all", "me", "unassigned", "assigned"):
                        q = "status=%s&assignee_type=%s&page=2" % (status, assignee)
                        if sort:
                            q += "&sort_by=" + sort
                        api("GET", "/conversations?" + q, who=who)
                        api("GET", "/conversations/meta?" + q, who=who)
            for extra in ("inbox_id=1", "team_id=1", "labels[]=vip", "labels[]=vip&labels[]=" +
                          urllib.parse.quote("ÉLITE"), "q=order", "q=or", "inbox_id=2&team_id=1"):
                api("GET", "/conversations?status=all&" + extra, who=who)
                api("GET", "/conversations/meta?status=open&" + extra, who=who)
            api("GET", "/conversations/search?q=refund&page=1", who=who)
            api("GET", "/conversations/search?q=ok", who=who)
            api("GET", "/conversations/search", who=who)
        for path in ("/agents", "/teams", "/teams/1", "/inboxes", "/inboxes/1",
                     "/inbox_members/1", "/labels", "/canned_responses",
                     "/canned_responses?search=hel", "/contacts/search?q=Customer%2012",
                     "/contacts/search?q=%2B15551000012", "/contacts/search?q=Cu",
                     "/contacts/search?q=Customer%201&sort=-name",
                     "/contacts/1",
                     "/contacts/1/conversations"):
            api("GET", path)
            api("GET", path, who=ben, ok=False)

        # One conversation, every action and message window.
        conv = api("GET", "/conversations?status=open").json["data"]["payload"][0]["id"]
        c = "/conversations/%d" % conv
        api("GET", c)
        api("GET", c, who=ben, ok=False)
        msgs = api("GET", c + "/messages").json["payload"]
        first, last = msgs[0]["id"], msgs[-1]["id"]
        for q in ("?before=%d" % last, "?after=%d" % first, "?after=%d&before=%d" % (first, last),
                  "?filter_internal_messages=1", "?after=0"):
            api("GET", c + "/messages" + q)
        api("PATCH", c, {"priority": "high", "custom_attributes": {"order": "A-1"}})
        api("POST", c + "/toggle_status", {"status": "pending"})
        api("POST", c + "/toggle_status", {"status": "snoozed", "snoozed_until": 4102444800})
        api("POST", c + "/toggle_status", {})
        api("POST", c + "/toggle_priority", {"priority": "urgent"})
        api("POST", c + "/toggle_priority", {"priority": None})
        api("POST", c + "/update_last_seen")
        api("POST", c + "/unread")
        api("POST", c + "/toggle_typing_status", {"typing_status": "on"})
        api("POST", c + "/toggle_typing_status", {"typing_status": "off", "is_private": True})
        api("POST", c + "/assignments", {"assignee_id": cls.ben["id"]})
        api("POST", c + "/assignments", {"assignee_id": None})
        api("POST", c + "/assignments", {"team_id": 1})
        api("POST", c + "/assignments", {"team_id": None})
        api("GET", c + "/labels")
        api("POST", c + "/labels", {"labels": ["vip", "Élite"]})
        api("POST", c + "/labels", {"labels": ["vip"]})
        reply = api("POST", c + "/messages", {"content": "We shipped it", "echo_id": "e-1"}).json
        api("POST", c + "/messages", {"content": "We shipped it", "echo_id": "e-1"})
        api("POST", c + "/messages", {"content": "note", "private": True,
                                      "content_attributes": {"in_reply_to": reply["id"]}})
        body, ctype = twtest.multipart([("content", "a photo"), ("echo_id", "mms-1")],
                                       [("attachments[]", "p.jpg", "image/jpeg", b"\xff\xd8x")])
        status, _, out = twtest.http_bytes("POST", d.base_url + "/api/v1/accounts/1" + c +
                                           "/messages", body,
                                           {"api_access_token": ann["token"],
                                            "Content-Type": ctype})
        assert status == 200, out
        url = json.loads(out)["attachments"][0]["data_url"]
        assert twtest.http_bytes("GET", url)[0] == 200
        gone = api("POST", c + "/messages", {"content": "oops"}).json
        api("DELETE", c + "/messages/%d" % gone["id"])
        contact = api("GET", c).json["meta"]["sender"]["id"]
        api("POST", "/conversations", {"inbox_id": 1, "contact_id": contact,
                                       "message": {"content": "A new thread"}, "status": "open",
                                       "assignee_id": cls.ben["id"], "team_id": 1})
        api("POST", "/conversations", {"inbox_id": 1, "source_id": "+15551000007"})
        made = api("POST", "/contacts", {"inbox_id": 1, "phone_number": "+15557770900",
                                         "email": "made@x.example", "identifier": "crm-900"}).json
        api("POST", "/contacts", {"inbox_id": 1, "phone_number": "+15557770900",
                                  "email": "MADE@x.example", "identifier": "crm-900"}, ok=False)
        api("POST", "/conversations", {"inbox_id": 1, "contact_id":
                                       made["payload"]["contact"]["id"],
                                       "source_id": made["payload"]["contact_inbox"]["source_id"]})
        canned = api("POST", "/canned_responses", {"short_code": "hello",
                                                   "content": "Hello there"}).json
        api("PATCH", "/canned_responses/%d" % canned["id"], {"content": "Hi there"})
        api("DELETE", "/canned_responses/%d" % canned["id"])

        # Twilio: texts in (new and known numbers, keywords), delivery.
        d.sms_in("+15557770001", "Hello, first time here")
        d.sms_in("+15551000012", "Me again")
        d.sms_in("+15557770002", "STOP")
        d.sms_in("+15557770002", "START")
        d.sms_in("+15557770002", "HELP")
        d.sms_in("+15557770006", "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1",
                 MediaContentType0="image/jpeg")
        media = d.sql("SELECT c.display_id FROM conversations c JOIN contacts ct "
                      "ON ct.id = c.contact_id WHERE ct.phone_number = '+15557770006'")[0][0]
        api("GET", "/conversations/%d/messages" % media)
        d.wait_outbox_idle()
        sid = d.sql("SELECT source_id FROM messages WHERE source_id LIKE 'SM%' "
                    "AND message_type = 1 ORDER BY id DESC LIMIT 1")[0][0]
        for status in ("sent", "delivered", "undelivered"):
            d.webhook("/twilio/status", {"MessageSid": sid, "MessageStatus": status,
                                         "AccountSid": "ACtest0000000000000000000000000000",
                                         "ErrorCode": "30006" if status == "undelivered"
                                         else ""})
        # A reply Twilio refuses for an opted-out number, one it asks to retry.
        def conv_of(phone):
            return d.sql("SELECT c.display_id FROM conversations c JOIN contacts ct "
                         "ON ct.id = c.contact_id WHERE ct.phone_number = ?", phone)[0][0]
        for phone, step in (("+15557770003", (400, {"code": 21610, "message": "unsubscribed"})),
                            ("+15557770005", 503)):
            d.sms_in(phone, "hi")
            d.wait_outbox_idle()
            cls.fake.script.append(step)
            api("POST", "/conversations/%d/messages" % conv_of(phone), {"content": "Reply"})
            d.wait_outbox_idle()
        # Now opted out: a reply is refused, with the contact's name.
        api("POST", "/conversations/%d/messages" % conv_of("+15557770003"), {"content": "x"},
            ok=False)

        # /cable: subscribe, presence, and the events changes send.
        p = api("GET", "/api/v1/profile").json
        cable = wsclient.Cable(d.port)
        try:
            cable.wait(lambda m: m.get("type") == "welcome", what="welcome")
            ident = cable.identifier(p["pubsub_token"], 1, p["id"])
            cable.subscribe(ident)
            cable.wait(lambda m: m.get("type") == "confirm_subscription", what="confirm")
            cable.perform(ident, "update_presence")
            api("POST", c + "/messages", {"content": "pushed"})
            api("POST", c + "/toggle_status", {"status": "resolved"})
            d.sms_in("+15557770004", "pushed in")
            d.sms_in("+15557770004", "STOP")
            cable.wait_event("contact.updated")
        finally:
            cable.close()

    # ---- the checks -----------------------------------------------------

    def recorded(self):
        seen = set()
        for path in self.records:
            if os.path.exists(path):
                with open(path) as f:
                    seen.update(line.rstrip("\n") for line in f if line.strip())
        return seen

    def test_every_statement_in_the_source_was_prepared(self):
        recorded = [squash(s) for s in self.recorded()]
        missing = []
        for path, head in source_statements():
            h = squash(head)
            if not any(h in r for r in recorded):
                missing.append("%s: %s" % (path, h[:120]))
        self.assertEqual(missing, [], "statements no exercise here prepared; reach them "
                         "above:\n" + "\n".join(missing))

    def test_every_statement_prepared_has_an_index(self):
        statements = sorted(self.recorded())
        self.assertGreater(len(statements), 150)
        conn = sqlite3.connect(self.db)
        try:
            rows = conn.execute("SELECT COUNT(*) FROM conversations").fetchone()[0]
            self.assertGreaterEqual(rows, CONVERSATIONS)
            for analyzed in (False, True):
                if analyzed:
                    conn.execute("ANALYZE")
                bad = []
                for sql in statements:
                    problems = unexcused(sql, plan_problems(conn, sql))
                    if problems:
                        bad.append("%s\n    %s" % (sql, "; ".join(d for _, d in problems)))
                self.assertEqual(bad, [], "%s: statements without an index to use:\n%s"
                                 % ("after ANALYZE" if analyzed else "before ANALYZE",
                                    "\n".join(bad)))
        finally:
            conn.close()

    def test_exemptions_are_still_needed(self):
        """An exemption that no recorded statement needs is stale."""
        conn = sqlite3.connect(self.db)
        try:
            statements = self.recorded()
            for pattern, kinds, why in EXEMPT:
                hits = [s for s in statements if re.search(pattern, s)]
                self.assertTrue(hits, "no statement matches the exemption %r" % pattern)
                needed = [s for s in hits
                          if any(k in kinds for k, _ in plan_problems(conn, s))]
                self.assertTrue(needed, "the exemption %r (%s) is not needed any more"
                                % (pattern, why))
        finally:
            conn.close()


if __name__ == "__main__":
    unittest.main()
