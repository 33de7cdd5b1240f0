"""The client's provider layer (http + chatwoot driver + json_map) against a
real twowayd, through chatwoot_probe: one provider operation per run,
driven by a poll() loop exactly as the application drives it.

What the driver produced (probe lines) is checked against what twowayd
itself answers over plain HTTP, so these tests hold when the demo data
changes. A scripted FakeHTTP server checks the exact requests the driver
sends and how it classifies answers twowayd never gives (429, 5xx, a drop
after the request, garbage).
"""
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

PROBE = os.path.join(twtest.BUILD, "tests", "integration", "chatwoot_probe")
INBOX = 1


def parse_line(line):
    kind, _, rest = line.partition(" ")
    rec = {}
    for pair in rest.split(" "):
        if not pair:
            continue
        k, _, v = pair.partition("=")
        rec[k] = urllib.parse.unquote(v)
    return kind, rec


class Probe:
    """The outcome of one chatwoot_probe run."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        lines = [parse_line(l) for l in proc.stdout.splitlines() if l]
        self.result = lines[0][1] if lines and lines[0][0] == "result" else {}
        self.records = lines[1:]

    @property
    def err(self):
        return self.result.get("err")

    def all(self, kind):
        return [r for k, r in self.records if k == kind]

    def one(self, kind):
        found = self.all(kind)
        if len(found) != 1:
            raise AssertionError("expected one %s line in %r" % (kind, self.stdout))
        return found[0]

    def __repr__(self):
        return "<Probe rc=%d %r %r>" % (self.rc, self.stdout[:600], self.stderr[:300])


def probe(base_url, account, token, *args, timeout_ms=None):
    env = dict(os.environ)
    env.pop("TWOWAY_TOKEN", None)
    if token is not None:
        env["TWOWAY_TOKEN"] = token
    if timeout_ms:
        env["TWOWAY_PROBE_TIMEOUT_MS"] = str(timeout_ms)
    # The servers are local: no proxy from the environment may see them.
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1"
    proc = subprocess.run([PROBE, base_url, str(account)] + [str(a) for a in args], env=env,
                          capture_output=True, text=True, timeout=60)
    return Probe(proc)


def iso_epoch(s):
    if not s:
        return 0
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()

    def run_op(self, *args, agent=None, ok=True):
        agent = agent or self.ann
        p = probe(self.d.base_url, agent["account_id"], agent["token"], *args)
        self.assertEqual(p.rc, 0, p)  # also: no callback ran re-entrantly
        if ok:
            self.assertEqual(p.err, "ok", p)
        return p

    def api_get(self, path, agent=None):
        agent = agent or self.ann
        r = self.d.api("GET", self.d.acc(path, agent), agent=agent)
        self.assertEqual(r.status, 200, r)
        return r.json

    def server_conv(self, conv_id):
        return self.api_get("/conversations/%d" % conv_id)


class ReadOps(Base):
    def test_profile(self):
        p = self.run_op("profile")
        prof = p.one("profile")
        self.assertEqual(int(prof["id"]), self.ann["id"])
        self.assertEqual(int(prof["account"]), self.ann["account_id"])
        self.assertEqual(prof["name"], self.ann["name"])
        self.assertEqual(prof["email"], self.ann["email"])
        self.assertEqual(prof["role"], "administrator")
        server = self.d.api("GET", "/api/v1/profile").json
        names = [a["name"] for a in server["accounts"] if a["id"] == self.ann["account_id"]]
        self.assertEqual(prof["account_name"], names[0])

    def check_list(self, args, query):
        p = self.run_op("list", *args)
        server = self.api_get("/conversations?" + query)["data"]
        self.assertEqual([int(c["id"]) for c in p.all("conv")],
                         [c["id"] for c in server["payload"]])
        counts = p.one("counts")
        meta = server["meta"]
        self.assertEqual(int(counts["mine"]), meta["mine_count"])
        self.assertEqual(int(counts["unassigned"]), meta["unassigned_count"])
        self.assertEqual(int(counts["all"]), meta["all_count"])
        if "assigned_count" in meta:
            self.assertEqual(int(counts["assigned"]), meta["assigned_count"])
        return p

    def test_list_default_is_open_and_matches_server(self):
        p = self.check_list([], "assignee_type=all&status=open&page=1")
        self.assertTrue(p.all("conv"))
        for c in p.all("conv"):
            self.assertEqual(c["status"], "open")
        first = self.server_conv(int(p.all("conv")[0]["id"]))
        c = p.all("conv")[0]
        self.assertEqual(int(c["unread"]), first["unread_count"])
        self.assertEqual(int(c["inbox"]), first["inbox_id"])
        self.assertEqual(int(c["contact"]), first["meta"]["sender"]["id"])
        self.assertEqual(c["contact_name"], first["meta"]["sender"]["name"])
        self.assertEqual(c["labels"], ",".join(first["labels"]))
        self.assertEqual(int(c["waiting_since"]), first["waiting_since"])

    def test_list_filters(self):
        p = self.check_list(["assignee=me", "status=all"], "assignee_type=me&status=all&page=1")
        for c in p.all("conv"):
            self.assertEqual(int(c["assignee"]), self.ann["id"])
        p = self.check_list(["assignee=unassigned"], "assignee_type=unassigned&status=open")
        for c in p.all("conv"):
            self.assertEqual(int(c["assignee"]), 0)
        p = self.check_list(["status=resolved"], "status=resolved")
        self.assertTrue(p.all("conv"))
        for c in p.all("conv"):
            self.assertEqual(c["status"], "resolved")
        p = self.check_list(["status=all", "label=vip"], "status=all&labels[]=vip")
        self.assertTrue(p.all("conv"))
        for c in p.all("conv"):
            self.assertIn("vip", c["labels"].split(","))
        p = self.check_list(["status=all", "team=1"], "status=all&team_id=1")
        for c in p.all("conv"):
            self.assertEqual(int(c["team"]), 1)
        self.check_list(["status=all", "inbox=%d" % INBOX], "status=all&inbox_id=%d" % INBOX)
        self.check_list(["status=all", "page=2"], "status=all&page=2")
        self.check_list(["status=all", "sort=created_at_asc"], "status=all&sort_by=created_at_asc")
        self.check_list(["status=all", "q=order"], "status=all&q=order")

    def test_counts(self):
        p = self.run_op("counts", "status=all")
        meta = self.api_get("/conversations/meta?status=all")["meta"]
        counts = p.one("counts")
        self.assertEqual(int(counts["all"]), meta["all_count"])
        self.assertEqual(int(counts["mine"]), meta["mine_count"])
        self.assertEqual(int(counts["unassigned"]), meta["unassigned_count"])
        self.assertEqual(p.all("conv"), [])

    def test_search(self):
        p = self.run_op("search", "order")
        server = self.api_get("/conversations/search?q=order&page=1")
        self.assertEqual([int(c["id"]) for c in p.all("conv")],
                         [c["id"] for c in server["payload"]])
        self.assertTrue(p.all("conv"))
        for c, s in zip(p.all("conv"), server["payload"]):
            self.assertEqual(int(c["contact"]), s["contact"]["id"])
            self.assertEqual(int(c["has_last"]), 1 if s["messages"] else 0)

    def test_get_conversation(self):
        p = self.run_op("get", 1)
        c = p.one("conv")
        s = self.server_conv(1)
        self.assertEqual(int(c["id"]), 1)
        self.assertEqual(c["status"], s["status"])
        self.assertEqual(c["priority"], s["priority"] or "none")
        self.assertEqual(int(c["assignee"]), s["meta"].get("assignee", {}).get("id", 0))
        self.assertEqual(int(c["team"]), s["meta"].get("team", {}).get("id", 0))
        self.assertEqual(c["phone"], s["meta"]["sender"]["phone_number"])
        self.assertEqual(c["channel"], s["meta"]["channel"])
        self.assertEqual(int(c["last"]), s["last_non_activity_message"]["id"])

    def test_messages_before_and_after(self):
        server = self.api_get("/conversations/16/messages")["payload"]
        ids = [m["id"] for m in server]
        self.assertGreaterEqual(len(ids), 3)
        p = self.run_op("messages", 16)
        self.assertEqual([int(m["id"]) for m in p.all("msg")], ids)
        for m, s in zip(p.all("msg"), server):
            self.assertEqual(int(m["conv"]), 16)
            self.assertEqual(m["content"], s["content"] or "")
            self.assertEqual(int(m["private"]), int(s["private"]))
        p = self.run_op("messages", 16, "before=%d" % ids[-1])
        self.assertEqual([int(m["id"]) for m in p.all("msg")], ids[:-1])
        p = self.run_op("messages", 16, "after=%d" % ids[0])
        self.assertEqual([int(m["id"]) for m in p.all("msg")], ids[1:])
        # PROV_FROM_OLDEST: the oldest page (after=0 on the wire).
        oldest = self.api_get("/conversations/16/messages?after=0")["payload"]
        p = self.run_op("messages", 16, "after=-1")
        self.assertEqual([int(m["id"]) for m in p.all("msg")], [m["id"] for m in oldest])
        self.assertEqual(p.result["partial"], "0")

    def test_account_lists(self):
        p = self.run_op("agents")
        server = self.api_get("/agents")
        self.assertEqual([int(a["id"]) for a in p.all("agent")], [a["id"] for a in server])
        self.assertEqual([a["name"] for a in p.all("agent")], [a["name"] for a in server])
        p = self.run_op("teams")
        server = self.api_get("/teams")
        self.assertEqual([(int(t["id"]), t["name"]) for t in p.all("team")],
                         [(t["id"], t["name"]) for t in server])
        p = self.run_op("account-labels")
        server = self.api_get("/labels")["payload"]
        self.assertEqual([l["title"] for l in p.all("label")], [l["title"] for l in server])
        p = self.run_op("inboxes")
        server = self.api_get("/inboxes")["payload"]
        self.assertEqual([int(i["id"]) for i in p.all("inbox")], [i["id"] for i in server])
        self.assertEqual(p.all("inbox")[0]["sms"], "1")
        p = self.run_op("templates")
        server = self.api_get("/canned_responses")
        self.assertEqual([t["short_code"] for t in p.all("template")],
                         [t["short_code"] for t in server])
        self.assertEqual([t["content"] for t in p.all("template")],
                         [t["content"] for t in server])

    def test_contacts(self):
        p = self.run_op("contacts", "Maria")
        server = self.api_get("/contacts/search?q=Maria")["payload"]
        self.assertEqual([int(c["id"]) for c in p.all("contact")], [c["id"] for c in server])
        self.assertTrue(server)
        first = server[0]
        p = self.run_op("contact", first["id"])
        c = p.one("contact")
        self.assertEqual(c["name"], first["name"])
        self.assertEqual(c["phone"], first["phone_number"])
        p = self.run_op("contact", 999999, ok=False)
        self.assertEqual(p.err, "not_found", p)
        self.assertEqual(p.result["status"], "404")

    def test_opted_out_contact(self):
        # Demo conversation 7 is a STOP: its contact is opted out.
        p = self.run_op("get", 7)
        self.assertEqual(p.one("conv")["opted_out"], "1")


class WriteOps(Base):
    def test_send_message_with_echo_id(self):
        p = self.run_op("send", 1, "Hello from the probe", "echo=probe-echo-1")
        m = p.one("msg")
        self.assertEqual(m["echo_id"], "probe-echo-1")
        self.assertEqual(m["content"], "Hello from the probe")
        self.assertEqual(m["type"], "outgoing")
        self.assertEqual(m["private"], "0")
        self.assertEqual(int(m["conv"]), 1)
        server = self.api_get("/conversations/1/messages")["payload"]
        mine = [s for s in server if s["id"] == int(m["id"])]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["content"], "Hello from the probe")
        self.assertEqual(mine[0].get("echo_id"), "probe-echo-1")

    def test_send_private_note(self):
        p = self.run_op("send", 3, "note to self", "private")
        m = p.one("msg")
        self.assertEqual(m["private"], "1")
        server = self.api_get("/conversations/3/messages")["payload"]
        self.assertTrue([s for s in server if s["id"] == int(m["id"]) and s["private"]])

    def test_set_status_snoozed_with_epoch_then_open(self):
        until = int(time.time()) + 3 * 3600
        p = self.run_op("status", 2, "snoozed", until)
        st = p.one("state")
        self.assertEqual(st["status"], "snoozed")
        self.assertEqual(int(st["snoozed_until"]), until)
        s = self.server_conv(2)
        self.assertEqual(s["status"], "snoozed")
        self.assertEqual(iso_epoch(s["snoozed_until"]), until)
        p = self.run_op("get", 2)
        self.assertEqual(int(p.one("conv")["snoozed_until"]), until)

        # Snoozed without a time: until the next reply.
        p = self.run_op("status", 2, "snoozed", 0)
        self.assertEqual(p.one("state")["status"], "snoozed")
        self.assertEqual(int(p.one("state")["snoozed_until"]), 0)
        self.assertIsNone(self.server_conv(2)["snoozed_until"])

        p = self.run_op("status", 2, "open")
        self.assertEqual(p.one("state")["status"], "open")
        self.assertEqual(self.server_conv(2)["status"], "open")

    def test_set_status_unknown_is_refused_without_a_request(self):
        p = self.run_op("status", 2, "bogus", ok=False)
        self.assertEqual(p.err, "invalid", p)
        self.assertEqual(p.result["status"], "0")

    def test_set_priority_and_clear(self):
        self.run_op("priority", 4, "low")
        self.assertEqual(self.server_conv(4)["priority"], "low")
        self.run_op("priority", 4, "none")
        self.assertIsNone(self.server_conv(4)["priority"])
        self.run_op("priority", 4, "urgent")
        self.assertEqual(self.server_conv(4)["priority"], "urgent")

    def test_assign_agent_and_none(self):
        p = self.run_op("assign", 5, self.ben["id"])
        a = p.one("agent")
        self.assertEqual(int(a["id"]), self.ben["id"])
        self.assertEqual(a["name"], self.ben["name"])
        self.assertEqual(self.server_conv(5)["meta"]["assignee"]["id"], self.ben["id"])
        p = self.run_op("assign", 5, 0)
        self.assertEqual(p.all("agent"), [])
        self.assertNotIn("assignee", self.server_conv(5)["meta"])

    def test_assign_team_and_none(self):
        p = self.run_op("team", 5, 2)
        self.assertEqual(int(p.one("team")["id"]), 2)
        self.assertEqual(self.server_conv(5)["meta"]["team"]["id"], 2)
        p = self.run_op("team", 5, 0)
        self.assertEqual(p.all("team"), [])
        self.assertNotIn("team", self.server_conv(5)["meta"])

    def test_labels_get_and_replace(self):
        p = self.run_op("labels", 6)
        self.assertEqual(p.one("titles")["labels"].split(",") if p.one("titles")["labels"] else [],
                         self.api_get("/conversations/6/labels")["payload"])
        p = self.run_op("setlabels", 6, "vip", "billing")
        self.assertEqual(sorted(p.one("titles")["labels"].split(",")), ["billing", "vip"])
        self.assertEqual(sorted(self.server_conv(6)["labels"]), ["billing", "vip"])
        p = self.run_op("setlabels", 6)
        self.assertEqual(p.one("titles")["labels"], "")
        self.assertEqual(self.server_conv(6)["labels"], [])

    def test_mark_read_and_unread(self):
        # A conversation with something unread (the list says so).
        convs = self.api_get("/conversations?status=all")["data"]["payload"]
        conv = next(c["id"] for c in convs if c["unread_count"] > 0)
        self.run_op("read", conv)
        self.assertEqual(self.server_conv(conv)["unread_count"], 0)
        p = self.run_op("get", conv)
        self.assertEqual(p.one("conv")["unread"], "0")
        self.run_op("unread", conv)
        self.assertGreater(self.server_conv(conv)["unread_count"], 0)

    def test_typing(self):
        self.run_op("typing", 1, "on")
        self.run_op("typing", 1, "off", "private")

    def test_create_conversation(self):
        contact = self.api_get("/contacts/search?q=Maria")["payload"][0]
        p = self.run_op("create", INBOX, contact["id"], "A new thread from the probe")
        c = p.one("conv")
        self.assertEqual(int(c["contact"]), contact["id"])
        self.assertEqual(int(c["inbox"]), INBOX)
        s = self.server_conv(int(c["id"]))
        self.assertEqual(s["meta"]["sender"]["id"], contact["id"])
        msgs = self.api_get("/conversations/%s/messages" % c["id"])["payload"]
        self.assertIn("A new thread from the probe", [m["content"] for m in msgs])

    def test_create_contact_then_a_conversation_by_its_source_id(self):
        p = self.run_op("new-contact", INBOX, "+447700900555")
        c = p.one("contact")
        self.assertEqual(c["phone"], "+447700900555")
        self.assertEqual(p.one("source")["id"], "+447700900555")
        p = self.run_op("create", INBOX, c["id"], "Hello from the probe", "+447700900555")
        conv = p.one("conv")
        self.assertEqual(conv["contact"], c["id"])
        # The same number again: Chatwoot's 422, in its words.
        p = self.run_op("new-contact", INBOX, "+447700900555", ok=False)
        self.assertEqual((p.err, p.result["status"], p.result["message"]),
                         ("invalid", "422", "Phone number has already been taken"))


class Failures(Base):
    def test_wrong_token_is_auth(self):
        p = probe(self.d.base_url, 1, "not-a-token", "profile")
        self.assertEqual(p.rc, 0, p)
        self.assertEqual(p.err, "auth", p)
        self.assertEqual(p.result["status"], "401")
        self.assertEqual(p.result["message"], "the server rejected the token (Invalid Access Token)")
        p = probe(self.d.base_url, 1, "not-a-token", "list")
        self.assertEqual(p.err, "auth", p)

    def test_missing_or_broken_token_is_auth_without_a_request(self):
        for token in (None, "", "  ", "abc\ndef"):
            p = probe(self.d.base_url, 1, token, "profile")
            self.assertEqual(p.rc, 0, p)
            self.assertEqual(p.err, "auth", (token, p))
            self.assertEqual(p.result["status"], "0")

    def test_foreign_account_is_auth_and_names_the_account(self):
        # Chatwoot's "not authorized to access this account": nothing of
        # that account will work, so asking again is no use.
        other = self.d.agent(0, account_id=2)["account_id"]
        p = probe(self.d.base_url, other, self.ann["token"], "list")
        self.assertEqual(p.rc, 0, p)
        self.assertEqual(p.err, "auth", p)
        self.assertEqual(p.result["status"], "401")
        self.assertEqual(p.result["message"],
                         "account %d: You are not authorized to access this account (check the "
                         "account: set account, TWOWAY_ACCOUNT)" % other)

    def test_unknown_conversation_is_not_found(self):
        p = self.run_op("get", 999999, ok=False)
        self.assertEqual(p.err, "not_found", p)

    def test_stopped_server_is_network(self):
        port = twtest.ClosedPort()  # nothing listens there
        self.addCleanup(port.close)
        p = probe(port.url, 1, self.ann["token"], "send", 1, "hi")
        self.assertEqual(p.rc, 0, p)
        self.assertEqual(p.err, "network", p)
        self.assertEqual(p.result["maybe"], "0")
        self.assertTrue(p.result["message"])

    def test_killed_twowayd_is_network(self):
        d = twtest.Twowayd(demo=True)
        try:
            agent = d.agent()
            url = d.base_url
            d.kill()
            p = probe(url, agent["account_id"], agent["token"], "profile")
            self.assertEqual(p.err, "network", p)
        finally:
            d.cleanup()


class Scripted(unittest.TestCase):
    """A fake server: the exact requests, and answers twowayd never gives."""

    def setUp(self):
        self.answer = (200, "application/json", b"{}")
        self.fake = twtest.FakeHTTP(self.handle)

    def tearDown(self):
        self.fake.cleanup()

    def handle(self, method, path, headers, body):
        ans = self.answer
        if callable(ans):
            return ans(method, path, headers, body)
        return ans

    def op(self, *args, token="tok-123", timeout_ms=None):
        p = probe(self.fake.url, 7, token, *args, timeout_ms=timeout_ms)
        self.assertEqual(p.rc, 0, p)
        return p

    def last(self):
        req = self.fake.requests[-1]
        body = json.loads(req["body"]) if req["body"] else None
        return req, body

    def token_headers(self, req):
        return [k for k in req["headers"] if k.lower().replace("-", "_") == "api_access_token"]

    def test_every_request_carries_one_token_header(self):
        self.op("profile")
        req, _ = self.last()
        self.assertEqual(req["method"], "GET")
        self.assertEqual(req["path"], "/api/v1/profile")
        self.assertEqual(self.token_headers(req), ["api_access_token"])
        self.assertEqual(req["headers"]["api_access_token"], "tok-123")
        self.assertTrue(req["headers"]["User-Agent"].startswith("twoway/"))

    def test_list_query(self):
        self.answer = (200, "application/json",
                       b'{"data":{"meta":{"mine_count":1,"unassigned_count":0,"all_count":1},'
                       b'"payload":[]}}')
        self.op("list", "assignee=unassigned", "status=pending", "inbox=3", "team=4",
                "label=vip care", "q=a&b", "page=2", "sort=waiting_since_asc")
        req, _ = self.last()
        path, _, query = req["path"].partition("?")
        self.assertEqual(path, "/api/v1/accounts/7/conversations")
        self.assertEqual(urllib.parse.parse_qs(query), {
            "assignee_type": ["unassigned"], "status": ["pending"], "inbox_id": ["3"],
            "team_id": ["4"], "labels[]": ["vip care"], "q": ["a&b"], "page": ["2"],
            "sort_by": ["waiting_since_asc"]})
        self.op("counts", "status=all", "assignee=me")
        req, _ = self.last()
        path, _, query = req["path"].partition("?")
        self.assertEqual(path, "/api/v1/accounts/7/conversations/meta")
        self.assertEqual(urllib.parse.parse_qs(query),
                         {"assignee_type": ["me"], "status": ["all"]})

    def test_messages_not_read_are_counted_as_partial(self):
        # A message that cannot be read is left out, and the list says so:
        # a look for a lost reply must not take "left out" for "absent".
        self.answer = (200, "application/json",
                       b'{"payload":[{"id":1,"content":"ok","message_type":1,"created_at":1},'
                       b'"not a message",{"id":2,"content":"ok too","message_type":1,'
                       b'"created_at":2}]}')
        p = self.op("messages", 9, "after=-1")
        self.assertEqual(p.err, "ok", p)
        self.assertEqual(p.result["partial"], "1")
        self.assertEqual([int(m["id"]) for m in p.all("msg")], [1, 2])
        req, _ = self.last()
        self.assertEqual(req["path"], "/api/v1/accounts/7/conversations/9/messages?after=0")
        self.answer = (200, "application/json", b'{"payload":[]}')
        p = self.op("messages", 9, "after=5")
        self.assertEqual((p.err, p.result["partial"]), ("ok", "0"))

    def test_message_and_action_bodies(self):
        self.answer = (200, "application/json", b'{"id":5,"content":"hi","message_type":1}')
        self.op("send", 9, "hi", "echo=e-1")
        req, body = self.last()
        self.assertEqual(req["path"], "/api/v1/accounts/7/conversations/9/messages")
        self.assertEqual(req["headers"]["Content-Type"], "application/json")
        self.assertEqual(body, {"content": "hi", "private": False, "echo_id": "e-1",
                                "message_type": "outgoing"})

        self.answer = (200, "application/json", b"")
        self.op("priority", 9, "none")
        req, body = self.last()
        self.assertEqual(req["path"], "/api/v1/accounts/7/conversations/9/toggle_priority")
        self.assertEqual(body, {"priority": None})
        self.op("priority", 9, "high")
        self.assertEqual(self.last()[1], {"priority": "high"})

        self.answer = (200, "application/json", b"null")
        p = self.op("assign", 9, 0)
        self.assertEqual(p.err, "ok", p)
        self.assertEqual(self.last()[1], {"assignee_id": None})
        self.op("team", 9, 0)
        self.assertEqual(self.last()[1], {"team_id": None})

        self.answer = (200, "application/json", b"")
        self.op("typing", 9, "on", "private")
        self.assertEqual(self.last()[1], {"typing_status": "on", "is_private": True})
        self.op("read", 9)
        req, _ = self.last()
        self.assertEqual((req["method"], req["path"]),
                         ("POST", "/api/v1/accounts/7/conversations/9/update_last_seen"))
        self.op("unread", 9)
        self.assertEqual(self.last()[0]["path"], "/api/v1/accounts/7/conversations/9/unread")

        self.answer = (200, "application/json",
                       b'{"meta":{},"payload":{"success":true,"conversation_id":9,'
                       b'"current_status":"snoozed","snoozed_until":"2030-01-01T00:00:00.000Z"}}')
        p = self.op("status", 9, "snoozed", 1893456000)
        self.assertEqual(self.last()[1], {"status": "snoozed", "snoozed_until": 1893456000})
        self.assertEqual(p.one("state"), {"status": "snoozed", "snoozed_until": "1893456000"})
        self.op("status", 9, "snoozed", 0)
        self.assertEqual(self.last()[1], {"status": "snoozed"})

        self.answer = (200, "application/json", b'{"payload":["a","b"]}')
        self.op("setlabels", 9, "a", "b")
        self.assertEqual(self.last()[1], {"labels": ["a", "b"]})

        self.answer = (200, "application/json", b'{"id":77,"inbox_id":1}')
        self.op("create", 1, 12, "first words")
        req, body = self.last()
        self.assertEqual(req["path"], "/api/v1/accounts/7/conversations")
        self.assertEqual(body, {"inbox_id": 1, "contact_id": 12,
                                "message": {"content": "first words"}})

    def test_error_classification(self):
        cases = [
            ((429, "text/plain", b"Retry later"), "rate", "Retry later"),
            ((500, "text/html", b"<html>boom</html>"), "server", "HTTP 500: internal server error"),
            ((503, "application/json", b'{"error":"maintenance"}'), "server", "maintenance"),
            ((422, "application/json", b'{"message":"Name is invalid","attributes":["name"]}'),
             "invalid", "Name is invalid"),
            ((400, "application/json", b'{"error":"bad"}'), "invalid", "bad"),
            ((401, "application/json", b'{"error":"You are not authorized to do this action"}'),
             "denied", "You are not authorized to do this action"),
            ((401, "application/json",
              b'{"errors":["You need to sign in or sign up before continuing."]}'), "auth", None),
            ((403, "application/json", b"{}"), "denied", None),
            ((404, "application/json", b'{"error":"Resource could not be found"}'), "not_found",
             "Resource could not be found"),
            ((200, "application/json", b"this is not json"), "protocol", None),
            ((200, "application/json", b'{"unexpected":true}'), "protocol", None),
            ((302, "text/plain", b""), "protocol", None),
        ]
        for answer, err, message in cases:
            self.answer = answer
            p = self.op("get", 1)
            self.assertEqual(p.err, err, (answer, p))
            self.assertEqual(p.result["status"], str(answer[0]))
            if message is not None:
                self.assertEqual(p.result["message"], message, (answer, p))
            self.assertTrue(p.result["message"])
            self.assertEqual(p.all("conv"), [])

    def test_account_errors_are_auth_and_say_which_account(self):
        # A conversation that is not there is not found; the account's own
        # list not being there means the account is not (Account.find).
        cases = [
            (("get", 1), (404, "application/json", b'{"error":"Resource could not be found"}'),
             "not_found", "Resource could not be found"),
            (("list",), (404, "application/json", b'{"error":"Resource could not be found"}'),
             "auth", "account 7: no such account (check the account: set account, "
                     "TWOWAY_ACCOUNT)"),
            (("get", 1), (401, "application/json", b'{"error":"Account is suspended"}'), "auth",
             "account 7: Account is suspended (check the account: set account, TWOWAY_ACCOUNT)"),
            (("list",), (401, "application/json", b'{"error":"Invalid Access Token"}'), "auth",
             "the server rejected the token (Invalid Access Token)"),
        ]
        for op, answer, err, message in cases:
            self.answer = answer
            p = self.op(*op)
            self.assertEqual((p.err, p.result["message"]), (err, message), (op, answer, p))

    def test_hostile_answer_is_sanitized(self):
        self.answer = (200, "application/json",
                       b'{"id":1,"meta":{"sender":{"id":2,"name":"Eve\\u001b[2J\\u202e"}},'
                       b'"last_non_activity_message":{"id":3,"content":"a\\u0007b\xff"}}')
        p = self.op("get", 1)
        c = p.one("conv")
        self.assertEqual(c["contact_name"], "Eve\u241b[2J")
        self.assertEqual(c["last_content"], "a\u2407b\ufffd")

    def test_dropped_after_the_request_may_be_delivered(self):
        self.answer = (None, None, None)
        p = self.op("send", 1, "hi")
        self.assertEqual(p.err, "network", p)
        self.assertEqual(p.result["maybe"], "1")
        self.assertEqual(len(self.fake.requests), 1)

    def test_timeout_after_the_request_may_be_delivered(self):
        done = threading.Event()
        self.addCleanup(done.set)

        def slow(method, path, headers, body):
            done.wait(twtest.DEADLINE)  # no answer while the probe waits
            return 200, "application/json", b"{}"
        self.answer = slow
        self.fake.server.handle_error = lambda request, address: None  # the probe left
        p = self.op("send", 1, "hi", timeout_ms=2000)
        done.set()
        self.assertEqual(p.err, "network", p)
        self.assertEqual(p.result["maybe"], "1")
        self.assertEqual(len(self.fake.requests), 1)


if __name__ == "__main__":
    unittest.main()
