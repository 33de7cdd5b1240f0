"""twowayd under hostile or unlucky input, and under SIGKILL.

Robustness: malformed and mistyped bodies, oversized and endless bodies,
odd ids, SQL metacharacters, invalid UTF-8, NUL bytes, too many query
parameters, a slow client and a burst of concurrent requests. The rules
checked everywhere: never a 5xx, every answer is JSON, every refusal is a
4xx JSON error ({"error"} or {"message", "attributes"}), a refused write
leaves nothing behind, invalid UTF-8 is refused (never stored, never sent
back), and the server still answers afterwards.

Crash safety: a write acknowledged with 200 survives an immediate SIGKILL
(the router commits before answering; WAL with synchronous=FULL), over
twenty kill/restart rounds."""
import json
import os
import random
import select
import socket
import sys
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

NOT_FOUND = {"error": "Resource could not be found"}
INJECTION = "'; DROP TABLE messages; --"

# Values of every JSON type, and the edges of the integer range.
WRONG = [123, -1, 0, 1.5, 1e308, True, False, None, [], [1], ["a"], {}, {"a": 1}, "", "x",
         "9223372036854775808", 9223372036854775807, 9223372036854775808,
         -9223372036854775809, 10 ** 30, INJECTION, "\u0000", "x" * 300]


def still_waiting(sock):
    """The server has neither answered nor closed this connection (nothing
    to read on it, not even the end)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def utf8_ok(raw):
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Base(unittest.TestCase):
    @classmethod
    def start(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.ann = cls.d.agent(0)
        cls.token = cls.ann["token"]

    @classmethod
    def stop(cls):
        cls.d.cleanup()
        cls.fake.cleanup()

    def url(self, path):
        return self.d.base_url + path.replace("{acc}", "/api/v1/accounts/1")

    def send(self, method, path, body=None, headers=None, token=None):
        """One request; body: dict/list (JSON), str or bytes (as is)."""
        hdrs = {"api_access_token": token or self.token}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        if isinstance(body, (dict, list)) or body is None:
            data = json.dumps(body).encode() if body is not None else None
        else:
            data = body.encode() if isinstance(body, str) else body
        return self.raw_request(method, self.url(path), data, hdrs)

    def raw_request(self, method, url, data, hdrs):
        """(status, body bytes); status 0 when the server hung up without
        an answer."""
        import http.client
        import urllib.error
        import urllib.request
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=twtest.DEADLINE) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            return 0, b"(connection closed without an answer)"

    def assert_sane(self, status, raw, what):
        """No 5xx; valid UTF-8 JSON (or an empty 2xx body); errors in
        Chatwoot's shapes. Returns the parsed body."""
        self.assertLess(status, 500, (what, raw[:300]))
        self.assertTrue(utf8_ok(raw), (what, "answer is not UTF-8", raw[:300]))
        if not raw:
            self.assertLess(status, 300, what)
            return None
        body = json.loads(raw)
        if status >= 400:
            self.assertIsInstance(body, dict, what)
            self.assertTrue(isinstance(body.get("error"), str) or
                            isinstance(body.get("message"), str), (what, body))
        return body

    def new_conv(self, contact_id=1):
        """A fresh conversation (display id): each test gets its own history
        and state, and stays clear of the per-conversation flood guard."""
        status, raw = self.send("POST", "{acc}/conversations",
                                {"inbox_id": 1, "contact_id": contact_id})
        self.assertEqual(status, 200, raw[:200])
        return json.loads(raw)["id"]

    def messages_of(self, display_id):
        """{id: content} of every message (up to 100) of a conversation."""
        status, raw = self.send("GET", "{acc}/conversations/%d/messages?after=0" % display_id)
        self.assertEqual(status, 200)
        return {m["id"]: m["content"] for m in json.loads(raw)["payload"]}

    def alive(self):
        status, raw = self.send("GET", "/api/v1/profile")
        self.assertEqual(status, 200, raw[:200])
        self.assertEqual(json.loads(raw)["id"], self.ann["id"])

    def conv_state(self, display_id):
        """What a refused write to a conversation must not change."""
        status, raw = self.send("GET", "{acc}/conversations/%d" % display_id)
        self.assertEqual(status, 200)
        c = json.loads(raw)
        # The newest page: any message added shows here.
        status, raw = self.send("GET", "{acc}/conversations/%d/messages" % display_id)
        self.assertEqual(status, 200)
        ids = [m["id"] for m in json.loads(raw)["payload"]]
        return (c["status"], c["priority"], c["labels"], c["meta"].get("assignee", {}).get("id"),
                c["meta"].get("team", {}).get("id"), c["snoozed_until"], ids)

    def account_state(self):
        status, raw = self.send("GET", "{acc}/conversations/meta?status=all")
        self.assertEqual(status, 200)
        status2, raw2 = self.send("GET", "{acc}/canned_responses")
        self.assertEqual(status2, 200)
        return json.loads(raw)["meta"]["all_count"], [c["id"] for c in json.loads(raw2)]


class RobustnessTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.start()

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    def setUp(self):
        # This test's conversations: talk takes messages, flip status and
        # priority changes, assign assignments, tag labels.
        self.talk, self.flip, self.prio, self.assign, self.tag = (
            self.new_conv(contact) for contact in (1, 2, 3, 4, 5))

    def tearDown(self):
        self.alive()

    def path(self, conv, action):
        return "{acc}/conversations/%d/%s" % (conv, action)

    def endpoints(self):
        """(path, a valid body to spoil field by field, the conversation a
        refusal must leave alone; None: the account's counts)."""
        return [
            (self.path(self.talk, "messages"),
             {"content": "fine", "private": False, "message_type": "outgoing",
              "content_type": "text", "content_attributes": {}, "echo_id": "e1"}, self.talk),
            (self.path(self.flip, "toggle_status"),
             {"status": "snoozed", "snoozed_until": 2000000000}, self.flip),
            (self.path(self.prio, "toggle_priority"), {"priority": "high"}, self.prio),
            (self.path(self.assign, "assignments"), {"assignee_id": 2}, self.assign),
            (self.path(self.assign, "assignments"), {"team_id": 1}, self.assign),
            (self.path(self.tag, "labels"), {"labels": ["vip"]}, self.tag),
            ("{acc}/conversations", {"inbox_id": 1, "contact_id": 3, "source_id": "+15550101003",
                                     "status": "open", "assignee_id": 2, "team_id": 1,
                                     "custom_attributes": {}, "message": {"content": "hi"}},
             None),
            ("{acc}/canned_responses", {"short_code": "rb", "content": "robust"}, None),
        ]

    def post_checked(self, path, body, conv, what):
        """POST and check the rules; a refusal must leave conv (or the
        account's counts) as they were."""
        before = self.conv_state(conv) if conv else self.account_state()
        status, raw = self.send("POST", path, body)
        self.assert_sane(status, raw, what)
        if status >= 400:
            after = self.conv_state(conv) if conv else self.account_state()
            self.assertEqual(after, before, (what, "a refused write changed something"))
        return status, raw

    # --- bodies -------------------------------------------------------------

    def test_malformed_json_is_400(self):
        bad = ["{", "{\"content\": }", "not json", "{'single': 'quotes'}", "{\"a\":1} trailing",
               "[1, 2]", "[]", "\"a string\"", "42", "-1.5e3", "true", "null",
               "{\"a\":1}{\"b\":2}", "{\"content\": \"x\",}", "{\"content\": \"x\" \"y\"}",
               "\ufeff{\"content\":\"bom\"}", "{" * 5000 + "}" * 5000,
               "[" * 100000]
        for path, _, conv in self.endpoints():
            for body in bad:
                status, raw = self.post_checked(path, body, conv, (path, body[:40]))
                self.assertEqual(status, 400, (path, body[:40], raw[:200]))
                self.assertIsInstance(json.loads(raw)["error"], str)

    def test_wrong_types_for_every_field(self):
        for path, good, conv in self.endpoints():
            for field in good:
                for value in WRONG:
                    body = dict(good)
                    body[field] = value
                    self.post_checked(path, body, conv, (path, field, value))
            wrapper = "canned_response" if "canned" in path else "message"
            for value in WRONG:
                self.post_checked(path, {wrapper: value}, conv, (path, wrapper, value))

    def test_nested_wrong_types(self):
        for value in WRONG:
            self.post_checked("{acc}/conversations", {"inbox_id": 1, "contact_id": 3,
                                                      "message": {"content": value}}, None,
                              ("message.content", value))
            self.post_checked(self.path(self.tag, "labels"), {"labels": [value]}, self.tag,
                              ("labels[]", value))
            self.post_checked(self.path(self.talk, "messages"),
                              {"content": "x", "content_attributes": {"in_reply_to": value}},
                              self.talk, ("in_reply_to", value))

    def test_body_over_the_limit_is_413_json(self):
        before = self.conv_state(self.talk)
        head = ("POST /api/v1/accounts/1/conversations/%d/messages HTTP/1.1\r\nHost: t\r\n"
                "api_access_token: %s\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % (self.talk, self.token, 2 * 1024 * 1024)).encode()
        with socket.create_connection(("127.0.0.1", self.d.port), timeout=twtest.DEADLINE) as s:
            s.sendall(head)
            # The answer comes as soon as the headers are read.
            raw = b""
            while not raw.endswith(b"}"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                raw += chunk
            try:
                s.sendall(b"{\"content\":\"" + b"x" * (2 * 1024 * 1024 - 20) + b"\"}")
            except (BrokenPipeError, ConnectionResetError):
                pass
        status, headers, body = twtest.parse_raw_response(raw)
        self.assertEqual(status, 413)
        self.assertTrue(headers["content-type"].startswith("application/json"))
        self.assertEqual(json.loads(body), {"error": "request body larger than 1048576 bytes"})
        self.assertEqual(self.conv_state(self.talk), before)
        # Just under the limit is an ordinary (if long) message.
        status, raw = self.send("POST", self.path(self.talk, "messages"),
                                {"content": "y" * 100000})
        self.assertEqual(status, 200, raw[:200])

    def test_endless_chunked_body_is_cut_off(self):
        before = self.conv_state(self.talk)
        head = ("POST /api/v1/accounts/1/conversations/%d/messages HTTP/1.1\r\nHost: t\r\n"
                "api_access_token: %s\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n" % (self.talk, self.token)).encode()
        chunk = b"x" * 65536
        closed = False
        answer = b""
        with socket.create_connection(("127.0.0.1", self.d.port), timeout=twtest.DEADLINE) as s:
            s.sendall(head)
            try:
                for _ in range(64):  # 4 MiB, four times the limit
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                s.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            try:
                while True:
                    data = s.recv(4096)
                    if not data:
                        closed = True
                        break
                    answer += data
            except (ConnectionResetError, socket.timeout):
                closed = True
        self.assertTrue(closed)
        self.assertFalse(answer.startswith(b"HTTP/1.1 2"), answer[:100])
        self.assertEqual(self.conv_state(self.talk), before)

    # --- paths and parameters -------------------------------------------------

    def test_odd_ids_in_paths_are_404(self):
        odd = ["0", "-1", "-0", "abc", "1.5", "1e3", "0x10", "99999999", "9223372036854775807",
               "9223372036854775808", "-9223372036854775809", "99999999999999999999999", "%20",
               "%205", "%0A5", "5%20", "%2B5", "%00", "5%00", "%E2%91%A4"]
        templates = [("GET", "{acc}/conversations/%s"), ("GET", "{acc}/conversations/%s/messages"),
                     ("POST", "{acc}/conversations/%s/toggle_status"),
                     ("POST", "{acc}/conversations/%s/labels"),
                     ("DELETE", "{acc}/conversations/%d/messages/%%s" % self.talk),
                     ("GET", "{acc}/contacts/%s"), ("GET", "{acc}/contacts/%s/conversations"),
                     ("GET", "{acc}/teams/%s"), ("GET", "{acc}/inboxes/%s"),
                     ("GET", "{acc}/inbox_members/%s"), ("PATCH", "{acc}/canned_responses/%s"),
                     ("DELETE", "{acc}/canned_responses/%s")]
        state = self.account_state()
        for method, template in templates:
            for value in odd:
                path = template % value
                status, raw = self.send(method, path, {} if method != "GET" else None)
                self.assertEqual((status, json.loads(raw)), (404, NOT_FOUND), (method, path))
        for value in odd:
            status, raw = self.send("GET", "/api/v1/accounts/%s/agents" % value)
            self.assertIn(status, (401, 404), value)
            self.assertIsInstance(json.loads(raw)["error"], str)
        self.assertEqual(self.account_state(), state)

    def test_sql_metacharacters_are_plain_text(self):
        before = self.messages_of(self.talk)
        status, raw = self.send("POST", self.path(self.talk, "messages"),
                                {"content": INJECTION, "echo_id": INJECTION})
        self.assertEqual(status, 200, raw[:200])
        msg = json.loads(raw)
        self.assertEqual((msg["content"], msg["echo_id"]), (INJECTION, INJECTION))
        status, raw = self.send("POST", "{acc}/canned_responses",
                                {"short_code": "x';--", "content": INJECTION})
        self.assertEqual(status, 200, raw[:200])
        q = "%27%3B%20DROP%20TABLE%20messages%3B%20--"
        for path in ("{acc}/conversations?q=" + q, "{acc}/conversations?status=" + q,
                     "{acc}/conversations?assignee_type=" + q, "{acc}/conversations?sort_by=" + q,
                     "{acc}/conversations?labels[]=" + q, "{acc}/conversations?inbox_id=" + q,
                     "{acc}/conversations/meta?q=" + q, "{acc}/conversations/search?q=" + q,
                     "{acc}/contacts/search?q=" + q, "{acc}/contacts/search?q=a&sort=" + q,
                     "{acc}/canned_responses?search=" + q,
                     self.path(self.talk, "messages?before=" + q)):
            status, raw = self.send("GET", path)
            self.assert_sane(status, raw, path)
        for action, body in (("labels", {"labels": [INJECTION]}),
                             ("toggle_status", {"status": INJECTION}),
                             ("toggle_priority", {"priority": INJECTION})):
            status, raw = self.send("POST", self.path(self.flip, action), body)
            self.assert_sane(status, raw, (action, body))
        status, raw = self.send("POST", "{acc}/conversations",
                                {"inbox_id": 1, "contact_id": 3, "source_id": INJECTION})
        self.assert_sane(status, raw, "source_id")
        # Nothing was dropped: the old history and the new message are there.
        after = self.messages_of(self.talk)
        self.assertEqual({k: v for k, v in after.items() if k in before}, before)
        self.assertEqual(after[msg["id"]], INJECTION)
        status, raw = self.send("GET", "{acc}/canned_responses?search=DROP%20TABLE")
        self.assertEqual([c["content"] for c in json.loads(raw)], [INJECTION])
        self.assertGreater(self.account_state()[0], 0)

    def test_invalid_utf8_is_refused_everywhere(self):
        # Refusing is the choice (not U+FFFD): a field twowayd uses is
        # refused with 400/422; one it ignores may pass, but nothing
        # invalid is ever stored or sent back. Stray bytes, an overlong NUL
        # and a surrogate.
        bad = b"\xff\xfe bad \xc0\x80 \xed\xa0\x80"
        talk, flip, prio, tag = (str(c).encode() for c in
                                 (self.talk, self.flip, self.prio, self.tag))
        bodies = [
            (b"{acc}/conversations/%s/messages" % talk, b'{"content": "@"}', self.talk),
            (b"{acc}/conversations/%s/messages" % talk, b'{"content": "ok", "echo_id": "@"}',
             self.talk),
            (b"{acc}/conversations/%s/messages" % talk,
             b'{"content": "ok", "content_attributes": {"note": "@"}}', self.talk),
            (b"{acc}/conversations/%s/labels" % tag, b'{"labels": ["@"]}', self.tag),
            (b"{acc}/conversations/%s/toggle_status" % flip, b'{"status": "@"}', self.flip),
            (b"{acc}/conversations/%s/toggle_priority" % prio, b'{"priority": "@"}', self.prio),
            (b"{acc}/conversations", b'{"inbox_id": 1, "contact_id": 3, "source_id": "@"}',
             None),
            (b"{acc}/conversations",
             b'{"inbox_id": 1, "contact_id": 3, "custom_attributes": {"k": "@"}}', None),
            (b"{acc}/conversations",
             b'{"inbox_id": 1, "contact_id": 3, "message": {"content": "@"}}', None),
            (b"{acc}/canned_responses", b'{"short_code": "u8", "content": "@"}', None),
            (b"{acc}/canned_responses", b'{"short_code": "@", "content": "ok"}', None),
            (b"{acc}/canned_responses", b'{"short_code": "u8", "content": "ok", "@": 1}', None),
        ]
        # Fields twowayd may ignore: unknown content attributes, an unknown
        # key, source_id when contact_id names the contact.
        ignorable = (b"content_attributes", b'"@": 1', b"source_id")
        for path, template, conv in bodies:
            status, raw = self.post_checked(path.decode(), template.replace(b"@", bad), conv,
                                            (path, template))
            if any(k in template for k in ignorable) and status == 200:
                if b"canned" in path:
                    reads = ["{acc}/canned_responses"]
                else:
                    shown = conv or json.loads(raw)["id"]
                    reads = ["{acc}/conversations/%d" % shown,
                             "{acc}/conversations/%d/messages" % shown]
                for read in reads:
                    st, out = self.send("GET", read)
                    self.assertTrue(utf8_ok(out), (path, template, read))
                continue
            self.assertIn(status, (400, 422), (path, template, raw[:200]))
        for path in ("{acc}/conversations?q=%FF", "{acc}/contacts/search?q=%FF%FE",
                     "{acc}/canned_responses?search=%C0%80", "{acc}/conversations?labels[]=%FF"):
            status, raw = self.send("GET", path)
            self.assert_sane(status, raw, path)

    def test_nul_bytes(self):
        before = self.conv_state(self.talk)
        status, raw = self.send("POST", self.path(self.talk, "messages"), b'{"content": "a\x00b"}')
        self.assertEqual((status, json.loads(raw)),
                         (400, {"error": "request body contains a NUL byte"}))
        for body in ({"content": "a\u0000b"}, {"content": "ok", "echo_id": "e\u0000"}):
            status, raw = self.send("POST", self.path(self.talk, "messages"), body)
            self.assertIn(status, (400, 422), (body, raw[:200]))
        self.assertEqual(self.conv_state(self.talk), before)
        status, raw = self.send("POST", "{acc}/canned_responses",
                                {"short_code": "nul", "content": "a\u0000b"})
        self.assertEqual(status, 422, raw)
        for path in ("{acc}/conversations?q=a%00b", "{acc}/contacts/search?q=%00",
                     "{acc}/canned_responses?search=%00"):
            status, raw = self.send("GET", path)
            self.assert_sane(status, raw, path)

    def test_a_thousand_query_parameters(self):
        for n in (65, 300, 1000):
            for query in ("&".join("p%d=%d" % (i, i) for i in range(n)),
                          "&".join("labels[]=l%d" % i for i in range(n))):
                status, raw = self.send("GET", "{acc}/conversations?" + query)
                self.assertEqual(status, 400, (n, raw[:200]))
                self.assertEqual(json.loads(raw), {"error": "too many query parameters"}, n)

    # --- load -----------------------------------------------------------------

    def test_slow_clients_do_not_stall_others(self):
        slow = []
        try:
            for i in range(8):
                s = socket.create_connection(("127.0.0.1", self.d.port), timeout=twtest.DEADLINE)
                if i % 2:
                    s.sendall(b"GET /api/v1/profile HTTP/1.1\r\nHost: t\r\napi_acc")
                else:
                    s.sendall(("POST /api/v1/accounts/1/conversations/%d/messages HTTP/1.1\r\n"
                               "Host: t\r\napi_access_token: %s\r\nContent-Type: application/json"
                               "\r\nContent-Length: 100\r\n\r\n{\"content\": \"sl"
                               % (self.talk, self.token)).encode())
                slow.append(s)
            # Served while every slow client still waits for its answer: a
            # server held up by them could answer only after dropping them.
            status, raw = self.send("GET", "{acc}/conversations?status=all")
            self.assertEqual(status, 200)
            self.assertEqual([still_waiting(s) for s in slow], [True] * len(slow))
            for _ in range(20):
                status, raw = self.send("GET", "{acc}/conversations?status=all")
                self.assertEqual(status, 200)
            status, raw = self.send("POST", self.path(self.talk, "messages"), {"content": "fast"})
            self.assertEqual(status, 200)
        finally:
            for s in slow:
                s.close()
        self.assertNotIn("sl", self.messages_of(self.talk).values())

    def test_fifty_concurrent_requests(self):
        barrier = threading.Barrier(50)
        contents = ["burst %d %s" % (i, os.urandom(4).hex()) for i in range(20)]

        def one(i):
            barrier.wait(10)
            if i < 20:
                return self.send("POST", self.path(self.flip, "messages"), {"content": contents[i]})
            if i < 35:
                return self.send("GET", "{acc}/conversations?status=all")
            return self.send("GET", "/api/v1/profile")

        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(one, range(50)))
        for i, (status, raw) in enumerate(results):
            self.assertEqual(status, 200, (i, raw[:200]))
            json.loads(raw)
        stored = self.messages_of(self.flip)
        self.assertEqual(sorted(c for c in stored.values() if c.startswith("burst")),
                         sorted(contents))

    def test_unauthenticated_garbage(self):
        import urllib.error
        import urllib.request
        for token in ("", "x" * 10000, "\u00e9".encode().decode("latin-1"), "' OR 1=1 --"):
            req = urllib.request.Request(self.d.base_url + "/api/v1/profile",
                                         headers={"api_access_token": token})
            try:
                with urllib.request.urlopen(req, timeout=twtest.DEADLINE) as r:
                    status, raw = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, raw = e.code, e.read()
            self.assertEqual(status, 401, token[:20])
            self.assertIsInstance(json.loads(raw)["error"], str)
        for junk in (b"BREW /coffee HTCPCP/1.0\r\n\r\n", b"\x00\x01\x02garbage\r\n\r\n",
                     b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"):
            raw = twtest.raw_http(self.d.port, junk, timeout=3)
            self.assertFalse(raw.startswith(b"HTTP/1.1 2"), raw[:100])


class CrashSafetyTest(Base):
    """SIGKILL right after an acknowledged write, twenty times over."""

    ROUNDS = 20

    def setUp(self):
        self.start()

    def tearDown(self):
        self.stop()

    def restart(self):
        # SIGKILL, then start on the same database. The old port may linger,
        # so any free one will do; tokens live in the database, which is
        # never reseeded.
        self.d.kill()
        self.d.port = 0
        self.d.start()
        self.assertEqual(self.d.agent(0)["token"], self.token)

    def post_ok(self, path, body):
        status, raw = self.send("POST", path, body)
        self.assertEqual(status, 200, raw[:200])
        return json.loads(raw)

    def test_acknowledged_writes_survive_sigkill(self):
        talk, flip = self.new_conv(1), self.new_conv(2)
        statuses = ["pending", "resolved", "open", "snoozed"]
        label_sets = [["vip"], ["billing", "complaint"], [], ["appointment", "follow-up", "vip"]]
        messages, canned = {}, {}
        for n in range(self.ROUNDS):
            msg = self.post_ok("{acc}/conversations/%d/messages" % talk, {"content": "ack %d" % n})
            messages[msg["id"]] = "ack %d" % n
            body = {"status": statuses[n % 4]}
            if body["status"] == "snoozed":
                body["snoozed_until"] = 2000000000 + n
            self.post_ok("{acc}/conversations/%d/toggle_status" % flip, body)
            labels = label_sets[n % 4]
            self.post_ok("{acc}/conversations/%d/labels" % flip, {"labels": labels})
            made = self.post_ok("{acc}/canned_responses",
                                {"short_code": "crash%d" % n, "content": "kept %d" % n})
            canned[made["id"]] = "crash%d" % n
            self.restart()

            stored = self.messages_of(talk)
            for mid, text in messages.items():
                self.assertEqual(stored.get(mid), text, "round %d: message %d lost" % (n, mid))
            status, raw = self.send("GET", "{acc}/conversations/%d" % flip)
            conv = json.loads(raw)
            self.assertEqual((conv["status"], sorted(conv["labels"])),
                             (body["status"], sorted(labels)), "round %d" % n)
            if "snoozed_until" in body:
                self.assertEqual(conv["snoozed_until"][:19], time.strftime(
                    "%Y-%m-%dT%H:%M:%S", time.gmtime(body["snoozed_until"])))
            status, raw = self.send("GET", "{acc}/canned_responses")
            have = {c["id"]: c["short_code"] for c in json.loads(raw)}
            for cid, code in canned.items():
                self.assertEqual(have.get(cid), code, "round %d: canned %d lost" % (n, cid))

    def test_writes_racing_a_kill_lose_nothing_acknowledged(self):
        acked = {}
        for n in range(self.ROUNDS):
            conv = self.new_conv(1 + n % 5)
            stop = threading.Event()

            def writer(tag=n, conv=conv):
                i = 0
                while not stop.is_set():
                    text = "race %d.%d" % (tag, i)
                    try:
                        status, raw = self.send("POST", "{acc}/conversations/%d/messages" % conv,
                                                {"content": text})
                    except OSError:
                        return  # the server is gone
                    if status == 200:
                        acked[json.loads(raw)["id"]] = (conv, text)
                    i += 1

            t = threading.Thread(target=writer)
            t.start()
            time.sleep(random.uniform(0.005, 0.05))  # pacing only: kill at a random moment
            self.d.kill()
            stop.set()
            t.join(20)
            self.d.port = 0
            self.d.start()
            stored = {}
            for c in set(v[0] for v in acked.values()):
                stored.update({mid: (c, text) for mid, text in self.messages_of(c).items()})
            for mid, want in acked.items():
                self.assertEqual(stored.get(mid), want, "acknowledged message %d lost" % mid)
        self.assertGreater(len(acked), 0)


if __name__ == "__main__":
    unittest.main()
