"""ActionCable at /cable over real WebSockets (tests/lib/wsclient.py)
against a real twowayd: the opening handshake and its refusals, welcome
and pings, RoomChannel subscriptions by pubsub_token (confirmed, or
rejected for a wrong token, a wrong user and another account), every
event after the API call or webhook that causes it, presence, and clients
that vanish mid-stream or read too slowly."""
import json
import os
import socket
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
import wsclient  # noqa: E402

PING = 0.3
PRESENCE = 2.0  # cable_presence: seconds an agent stays online after saying so
ACCOUNT_SID = "ACtest0000000000000000000000000000"
_phones = iter(range(1, 10000))


def profile(d, agent):
    r = d.api("GET", "/api/v1/profile", agent=agent)
    assert r.status == 200, r
    return r.json


def is_type(t):
    return lambda m: m.get("type") == t


class Base(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        env["TWOWAYD_CABLE_PING"] = str(PING)
        env["TWOWAYD_CABLE_PRESENCE"] = str(PRESENCE)
        env["TWOWAYD_CABLE_QUEUE"] = "262144"
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)
        cls.dana = cls.d.agent(0, account_id=2)
        cls.clients = []

    @classmethod
    def tearDownClass(cls):
        for c in cls.clients:
            try:
                c.close()
            except OSError:
                pass
        cls.d.cleanup()
        cls.fake.cleanup()

    def connect(self, **kw):
        c = wsclient.Cable(self.d.port, **kw)
        self.clients.append(c)
        c.wait(is_type("welcome"), what="welcome")
        return c

    def subscribe(self, agent, c=None):
        """A confirmed RoomChannel subscription: (cable, identifier)."""
        c = c or self.connect()
        p = profile(self.d, agent)
        ident = c.identifier(p["pubsub_token"], agent["account_id"], agent["id"])
        c.subscribe(ident)
        m = c.wait(lambda m: m.get("identifier") == ident and "type" in m, what="an answer")
        self.assertEqual(m["type"], "confirm_subscription")
        return c, ident

    def new_conversation(self, text="Hello, is anyone there?"):
        n = next(_phones)
        phone = "+1555018%04d" % n
        text = "%s (#%d)" % (text, n)
        r = self.d.sms_in(phone, text)
        self.assertEqual(r.status, 200)
        r = self.d.api("GET", self.d.acc("/conversations?status=all&q=" +
                                         urllib.parse.quote(text)))
        [c] = [c for c in r.json["data"]["payload"]
               if c["meta"]["sender"]["phone_number"] == phone]
        return c["id"], phone


class Handshake(Base):

    def test_upgrade_answers_101_with_the_actioncable_protocol(self):
        ws = wsclient.WebSocket("127.0.0.1", self.d.port)
        self.assertEqual(ws.protocol, "actioncable-v1-json")
        op, data = ws.recv()
        self.assertEqual((op, json.loads(data)), (1, {"type": "welcome"}))
        ws.close()

    def test_no_protocol_offered_is_taken_as_actioncable(self):
        ws = wsclient.WebSocket("127.0.0.1", self.d.port, protocols=())
        self.assertIsNone(ws.protocol)
        self.assertEqual(json.loads(ws.recv()[1]), {"type": "welcome"})
        ws.close()

    def test_refusals_say_why(self):
        cases = {
            "plain GET": {"protocols": (), "request":
                          b"GET /cable HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
            "other protocol": {"protocols": ("graphql-ws",)},
            "old version": {"request": b"GET /cable HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                            b"Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"},
            "bad key": {"request": b"GET /cable HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        b"Sec-WebSocket-Key: short\r\n\r\n"},
        }
        for what, kw in cases.items():
            with self.subTest(what):
                with self.assertRaises(wsclient.HandshakeError) as e:
                    wsclient.WebSocket("127.0.0.1", self.d.port, **kw)
                self.assertEqual(e.exception.status, 400)
                self.assertIn(b"error", e.exception.body)
        r = twtest.http("POST", self.d.base_url + "/cable", {})
        self.assertEqual(r.status, 405)

    def test_rfc_sample_key_gets_the_rfc_accept(self):
        raw = twtest.raw_http(self.d.port, b"GET /cable HTTP/1.1\r\nHost: x\r\n"
                              b"Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                              b"Sec-WebSocket-Version: 13\r\n"
                              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                              until=b"\r\n\r\n")
        status, headers, _ = twtest.parse_raw_response(raw)
        self.assertEqual(status, 101)
        self.assertEqual(headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        self.assertEqual(headers["upgrade"].lower(), "websocket")


class Subscriptions(Base):

    def test_pings_come_every_interval_with_the_time(self):
        c = self.connect()
        start = c.mark()
        t0 = time.time()
        c.wait(lambda m: m.get("type") == "ping", start=start, what="a ping")
        c.wait(lambda m: sum(1 for x in c.messages[start:] if x.get("type") == "ping") >= 3,
               what="three pings")
        pings = [m for m in c.messages[start:] if m.get("type") == "ping"]
        self.assertTrue(all(abs(p["message"] - time.time()) < 60 for p in pings), pings)
        # Three pings at 0.3 s take at least 0.6 s (and never hurry).
        self.assertGreaterEqual(time.time() - t0, 2 * PING * 0.9)

    def test_profile_token_is_stable_and_per_agent(self):
        a1, a2 = profile(self.d, self.ann)["pubsub_token"], profile(self.d, self.ann)["pubsub_token"]
        b = profile(self.d, self.ben)["pubsub_token"]
        self.assertEqual(a1, a2)
        self.assertNotEqual(a1, b)
        self.assertGreaterEqual(len(a1), 32)
        self.assertNotIn(self.ann["token"], a1)

    def test_confirm_echoes_the_identifier_byte_for_byte(self):
        c = self.connect()
        p = profile(self.d, self.ann)
        ident = '{ "user_id":%d,"channel" : "RoomChannel", "account_id":"%d", ' \
                '"pubsub_token":"%s"}' % (self.ann["id"], self.ann["account_id"], p["pubsub_token"])
        c.subscribe(ident)
        m = c.wait(lambda m: m.get("identifier") == ident and "type" in m)
        self.assertEqual(m["type"], "confirm_subscription")
        users = c.wait_event("presence.update")["users"]
        self.assertEqual(users.get(str(self.ann["id"])), "online")

    def test_rejections(self):
        ann_token = profile(self.d, self.ann)["pubsub_token"]
        ben_token = profile(self.d, self.ben)["pubsub_token"]
        cases = {
            "wrong token": (ann_token[:-2] + "xx", self.ann["account_id"], self.ann["id"]),
            "another agent's token": (ben_token, self.ann["account_id"], self.ann["id"]),
            "another account": (ann_token, self.dana["account_id"], self.ann["id"]),
            "empty token": ("", self.ann["account_id"], self.ann["id"]),
        }
        c = self.connect()
        for what, args in cases.items():
            with self.subTest(what):
                ident = c.identifier(*args)
                c.subscribe(ident)
                m = c.wait(lambda m: m.get("identifier") == ident and "type" in m)
                self.assertEqual(m["type"], "reject_subscription")
        for ident in ('{"channel":"OtherChannel"}', "not json"):
            c.subscribe(ident)
            m = c.wait(lambda m: m.get("identifier") == ident and "type" in m)
            self.assertEqual(m["type"], "reject_subscription")
        # The connection lives on, and a rejected one hears no events.
        start = c.mark()
        self.new_conversation()
        c.wait(is_type("ping"), start=start)
        self.assertEqual(c.events("message.created"), [])

    def test_garbage_is_ignored_and_oversized_messages_close(self):
        c, ident = self.subscribe(self.ann)
        c.ws.send_text("{not json")
        c.ws.send_frame(0x2, b"\x00\x01")
        c.send({"command": "teleport", "identifier": ident})
        c.perform(ident, "no_such_action")
        start = c.mark()
        c.perform(ident, "update_presence")
        c.wait_event("presence.update", start=start)
        big = wsclient.Cable(self.d.port)
        self.clients.append(big)
        big.ws.send_text("x" * (70 * 1024))
        closed = big.wait_closed()
        self.assertEqual(closed.code, 1009)


class Events(Base):
    """Each event, after the call that causes it, to agents of the account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        self = cls("run")
        cls.ann_c, cls.ann_id = self.subscribe(cls.ann)
        cls.dana_c, _ = self.subscribe(cls.dana)

    def tearDown(self):
        # Nothing of account 1 ever reaches account 2.
        with self.dana_c.lock:
            for m in self.dana_c.messages:
                msg = m.get("message")
                if isinstance(msg, dict):
                    self.assertEqual(msg["data"].get("account_id"), self.dana["account_id"], m)

    def test_inbound_text_creates_conversation_then_message(self):
        start = self.ann_c.mark()
        cid, phone = self.new_conversation("My order never came")
        conv = self.ann_c.wait_event("conversation.created", lambda d: d["id"] == cid, start=start)
        self.assertEqual(conv["meta"]["sender"]["phone_number"], phone)
        self.assertEqual(conv["account_id"], self.ann["account_id"])
        self.assertEqual(conv["status"], "open")
        m = self.ann_c.wait_event("message.created", lambda d: d["conversation_id"] == cid,
                                  start=start)
        self.assertTrue(m["content"].startswith("My order never came"))
        self.assertEqual(m["message_type"], 0)
        self.assertEqual(m["sender"]["type"], "contact")
        self.assertIn("last_activity_at", m["conversation"])
        self.assertEqual(m["account_id"], self.ann["account_id"])
        names = [x["message"]["event"] for x in self.ann_c.messages[start:]
                 if isinstance(x.get("message"), dict)]
        self.assertLess(names.index("conversation.created"), names.index("message.created"))

    def test_agent_reply_is_message_created_then_updated_on_delivery(self):
        cid, _ = self.new_conversation()
        start = self.ann_c.mark()
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % cid),
                       {"content": "On its way!", "echo_id": "e-1"}, agent=self.ben)
        self.assertEqual(r.status, 200)
        mid = r.json["id"]
        m = self.ann_c.wait_event("message.created", lambda d: d["id"] == mid, start=start)
        self.assertEqual((m["content"], m["message_type"], m["echo_id"]), ("On its way!", 1, "e-1"))
        self.assertEqual(m["sender"]["id"], self.ben["id"])
        sid = twtest.wait_for(lambda: self.d.api("GET", self.d.acc(
            "/conversations/%d/messages" % cid)).json["payload"][-1]["source_id"],
            what="the reply to reach Twilio")
        r = self.d.webhook("/twilio/status", {"MessageSid": sid, "MessageStatus": "delivered",
                                              "AccountSid": ACCOUNT_SID})
        self.assertEqual(r.status, 200)
        u = self.ann_c.wait_event("message.updated",
                                  lambda d: d["id"] == mid and d["status"] == "delivered",
                                  start=start)
        self.assertEqual(u["conversation_id"], cid)

    def test_conversation_changes(self):
        cid, _ = self.new_conversation()
        team = self.d.api("GET", self.d.acc("/teams")).json[0]["id"]
        steps = [
            ("POST", "/toggle_status", {"status": "resolved"}, "conversation.status_changed",
             lambda d: d["status"] == "resolved"),
            ("POST", "/toggle_priority", {"priority": "urgent"}, "conversation.updated",
             lambda d: d["priority"] == "urgent"),
            ("POST", "/labels", {"labels": ["vip"]}, "conversation.updated",
             lambda d: d["labels"] == ["vip"]),
            ("POST", "/assignments", {"assignee_id": self.ben["id"]}, "assignee.changed",
             lambda d: d["meta"]["assignee"]["id"] == self.ben["id"]),
            ("POST", "/assignments", {"team_id": team}, "team.changed",
             lambda d: d["meta"]["team"]["id"] == team),
            ("POST", "/update_last_seen", None, "conversation.read",
             lambda d: d["agent_last_seen_at"] > 0),
            ("PATCH", "", {"custom_attributes": {"order": "A-17"}}, "conversation.updated",
             lambda d: d["custom_attributes"] == {"order": "A-17"}),
        ]
        labels = self.d.api("GET", self.d.acc("/labels")).json["payload"]
        if "vip" not in [x["title"] for x in labels]:
            steps[2] = ("POST", "/labels", {"labels": [labels[0]["title"]]},
                        "conversation.updated", lambda d: d["labels"] == [labels[0]["title"]])
        for method, path, body, event, check in steps:
            with self.subTest(event + " " + path):
                start = self.ann_c.mark()
                r = self.d.api(method, self.d.acc("/conversations/%d%s" % (cid, path)), body)
                self.assertLess(r.status, 300, r)
                d = self.ann_c.wait_event(event, lambda d: d["id"] == cid and check(d),
                                          start=start)
                self.assertEqual(d["account_id"], self.ann["account_id"])

    def test_typing_reaches_the_others_but_not_the_typist(self):
        cid, _ = self.new_conversation()
        ben_c, _ = self.subscribe(self.ben)
        start_a, start_b = self.ann_c.mark(), ben_c.mark()
        path = self.d.acc("/conversations/%d/toggle_typing_status" % cid)
        r = self.d.api("POST", path, {"typing_status": "on"}, agent=self.ben)
        self.assertEqual(r.status, 200)
        on = self.ann_c.wait_event("conversation.typing_on", start=start_a)
        self.assertEqual((on["conversation"]["id"], on["user"]["id"], on["is_private"]),
                         (cid, self.ben["id"], False))
        self.assertEqual(on["user"]["name"], self.ben["name"])
        r = self.d.api("POST", path, {"typing_status": "off", "is_private": True}, agent=self.ben)
        off = self.ann_c.wait_event("conversation.typing_off", start=start_a)
        self.assertEqual((off["user"]["id"], off["is_private"]), (self.ben["id"], True))
        # Ben's own connection heard a ping since, but never his own typing.
        ben_c.wait(is_type("ping"), start=ben_c.mark())
        self.assertEqual(ben_c.events("conversation.typing_on"), [])
        self.assertEqual(ben_c.events("conversation.typing_off"), [])
        ben_c.close()

    def test_stop_keyword_is_contact_updated(self):
        cid, phone = self.new_conversation()
        start = self.ann_c.mark()
        self.assertEqual(self.d.sms_in(phone, "STOP").status, 200)
        d = self.ann_c.wait_event("contact.updated", lambda d: d["phone_number"] == phone,
                                  start=start)
        self.assertIs(d["custom_attributes"]["sms_opt_out"], True)
        self.assertEqual(d["type"], "contact")

    def test_a_new_contact_is_contact_created(self):
        start = self.ann_c.mark()
        r = self.d.api("POST", self.d.acc("/contacts"),
                       {"inbox_id": 1, "phone_number": "+15550166001", "name": "Pushed"},
                       agent=self.ben)
        self.assertEqual(r.status, 200, r)
        d = self.ann_c.wait_event("contact.created",
                                  lambda d: d["phone_number"] == "+15550166001", start=start)
        self.assertEqual((d["id"], d["name"], d["type"]),
                         (r.json["payload"]["contact"]["id"], "Pushed", "contact"))

    def ask_presence(self):
        """Ann's update_presence, and the users it answers with."""
        start = self.ann_c.mark()
        self.ann_c.perform(self.ann_id, "update_presence")
        return self.ann_c.wait_event("presence.update", start=start)["users"]

    def fresh(self, say, look):
        """say() (an agent says so), then look(): what look() saw counts only
        if it came within the presence window of the moment say() began
        (measured from those events, on the machine as busy as it is);
        when it did not, say and look again. Returns what look() saw."""
        deadline = time.monotonic() + twtest.DEADLINE
        while True:
            t0 = time.monotonic()
            say()
            seen = look()
            if time.monotonic() - t0 < PRESENCE * 0.8:
                return seen
            self.assertLess(time.monotonic(), deadline, "never quick enough to tell presence")

    @staticmethod
    def says(c, ident):
        """update_presence on c, once the server has it (it answers c)."""
        start = c.mark()
        c.perform(ident, "update_presence")
        c.wait_event("presence.update", start=start)

    def test_presence_is_who_said_so_within_the_window(self):
        ben, ann = str(self.ben["id"]), str(self.ann["id"])
        chloe = str(self.d.agent(2)["id"])
        start = self.ann_c.mark()
        asked = []

        def ask():
            asked.append(1)
            return self.ask_presence()
        first = time.monotonic()
        ben_c, ben_id = self.subscribe(self.ben)
        # Subscribing counts as saying so; Ben's own stream hears the list.
        self.assertEqual(ben_c.wait_event("presence.update")["users"].get(ben), "online")
        # As Chatwoot: the others learn it when they ask, not by a broadcast.
        users = self.fresh(lambda: self.says(ben_c, ben_id), ask)
        self.assertEqual(users.get(ben), "online")
        self.assertIn(ann, users)

        # The agents list says so too (Chatwoot's availability_status).
        def listed():
            ask()  # Ann says so as well
            return {str(a["id"]): a["availability_status"]
                    for a in self.d.api("GET", self.d.acc("/agents")).json}
        agents = self.fresh(lambda: self.says(ben_c, ben_id), listed)
        self.assertEqual((agents[ben], agents[ann], agents[chloe]),
                         ("online", "online", "offline"))

        # --json agents: the presence of each (Ben online, Chloe not).
        def json_agents():
            runner = twtest.TwowayRunner(self.d)
            try:
                # Chloe asks without going live herself (which would make her online).
                cfg = runner.write("config", "set live = no\n")
                rc, out, err = runner.run("agents\n", args=["-F", cfg], agent=self.d.agent(2),
                                          json_out=True)
            finally:
                runner.cleanup()
            self.assertEqual(rc, 0, err)
            return {str(r["id"]): r["presence"] for r in map(json.loads, out.splitlines())
                    if "presence" in r}
        presence = self.fresh(lambda: self.says(ben_c, ben_id), json_agents)
        self.assertEqual((presence[ben], presence[chloe]), ("online", "offline"))
        heard = [m for m in self.ann_c.messages[start:] if isinstance(m.get("message"), dict)
                 and m["message"].get("event") == "presence.update"]
        self.assertEqual(len(heard), len(asked), "only the answers to Ann's own update_presence")

        # Saying so again keeps Ben online past the first window.
        deadline = time.monotonic() + PRESENCE * 1.5 + twtest.DEADLINE
        while True:
            began = time.monotonic()
            self.assertIn(ben, self.fresh(lambda: self.says(ben_c, ben_id), ask))
            if began - first > PRESENCE * 1.5:
                break
            self.assertLess(time.monotonic(), deadline)
            time.sleep(PRESENCE / 10)  # pacing: a client says so every few seconds
        ben_c.close()

        # A dropped connection is not a going: Ben lapses only when the
        # window since he last said so has passed.
        said = None

        def say_and_drop():
            nonlocal said
            said = time.monotonic()  # before the server can have heard it
            c, _ = self.subscribe(self.ben)
            c.close()
        self.assertIn(ben, self.fresh(say_and_drop, ask))
        deadline = time.monotonic() + PRESENCE + twtest.DEADLINE
        while ben in ask():
            self.assertLess(time.monotonic(), deadline, "Ben never lapsed")
            time.sleep(PRESENCE / 20)  # pacing: asking, not deciding
        self.assertGreaterEqual(time.monotonic() - said, PRESENCE - 0.2)

    def test_unsubscribe_stops_events(self):
        c, ident = self.subscribe(self.ann)
        c.send({"command": "unsubscribe", "identifier": ident})
        c.perform(ident, "update_presence")  # no longer a subscription: ignored
        start, main_start = c.mark(), self.ann_c.mark()
        cid, _ = self.new_conversation()
        self.ann_c.wait_event("message.created", lambda d: d["conversation_id"] == cid,
                              start=main_start)
        c.wait(is_type("ping"), start=c.mark())
        self.assertEqual([m for m in c.messages[start:] if isinstance(m.get("message"), dict)
                          and m["message"].get("event") != "presence.update"], [])
        c.close()


class Disconnects(Base):

    def test_client_gone_mid_stream_harms_no_one(self):
        keep, _ = self.subscribe(self.ann)
        gone, _ = self.subscribe(self.ben)
        cid, _ = self.new_conversation()
        # Ben's socket vanishes without a closing handshake while events flow.
        for i in range(5):
            self.d.api("POST", self.d.acc("/conversations/%d/messages" % cid),
                       {"content": "burst %d" % i, "private": True})
        gone.ws.sock.shutdown(socket.SHUT_RDWR)
        gone.ws.sock.close()
        for i in range(5, 10):
            self.d.api("POST", self.d.acc("/conversations/%d/messages" % cid),
                       {"content": "burst %d" % i, "private": True})
        keep.wait_event("message.created", lambda d: d["content"] == "burst 9")
        got = [d["content"] for d in keep.events("message.created")
               if d["content"].startswith("burst")]
        self.assertEqual(got, ["burst %d" % i for i in range(10)])
        twtest.wait_for(lambda: "closed" in self.d.log_text(), what="the hub to close it")
        self.assertEqual(self.d.api("GET", "/api/v1/profile").status, 200)

    def test_a_client_that_never_reads_is_dropped_not_waited_for(self):
        keep, _ = self.subscribe(self.ann)
        slow = wsclient.WebSocket("127.0.0.1", self.d.port)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        token = profile(self.d, self.ben)["pubsub_token"]
        slow.send_text(json.dumps({"command": "subscribe", "identifier": wsclient.Cable.identifier(
            token, self.ben["account_id"], self.ben["id"])}))
        cid, _ = self.new_conversation()
        text = "y" * 20000
        t0 = time.monotonic()
        n = 0
        while "slow client" not in self.d.log_text():
            r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % cid),
                           {"content": "%d %s" % (n, text), "private": True})
            self.assertEqual(r.status, 200)
            # The reader keeps up: the next write waits until it has this
            # one (on a busy machine it could otherwise fall behind by more
            # than cable_queue and be dropped as slow too). The writes
            # never wait for the client that does not read.
            keep.wait_event("message.created", lambda d, n=n: d["content"].startswith("%d " % n))
            n += 1
            self.assertLess(time.monotonic() - t0, twtest.DEADLINE,
                            "the slow client was never dropped")
        self.assertIsNone(keep.closed)
        slow.sock.close()


class Shutdown(unittest.TestCase):

    def test_sigterm_with_subscribers_closes_them_and_stops_promptly(self):
        with twtest.Twowayd(demo=True) as d:
            ann = d.agent(0)
            c = wsclient.Cable(d.port)
            c.wait(is_type("welcome"))
            p = profile(d, ann)
            c.subscribe(c.identifier(p["pubsub_token"], ann["account_id"], ann["id"]))
            c.wait(is_type("confirm_subscription"))
            d.proc.terminate()
            d.proc.wait(twtest.DEADLINE)
            self.assertEqual(d.proc.returncode, 0)
            c.wait_closed()
            # Promptly: the subscriber is no request in flight that the
            # stop would wait out.
            log = d.log_text()
            self.assertNotIn("before stopping", log)
            self.assertNotIn("still unanswered", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
