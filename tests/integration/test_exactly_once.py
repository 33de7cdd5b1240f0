"""Every reply reaches the customer exactly once.

twowayd stores one message (and queues one SMS) per echo_id and
conversation, however often the create arrives and however the copies
race. twoway --batch, through a fault proxy (tests/lib/faultproxy.py)
that loses answers, sends a reply whose answer is lost once or twice
exactly once, holds one whose fate it cannot learn ("may have been sent")
until `retry` or `discard`, and keeps a reply it could not queue as the
draft. Outgoing SMS go to a fake Twilio on 127.0.0.1 that counts them."""
import json
import os
import re
import sqlite3
import sys
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
from faultproxy import FaultProxy, Rule  # noqa: E402

POST_MESSAGES = r"^/api/v1/accounts/\d+/conversations/\d+/messages$"
GET_MESSAGES = r"^/api/v1/accounts/\d+/conversations/\d+/messages\?"
GET_CONV = r"^/api/v1/accounts/\d+/conversations/\d+$"

_numbers = iter(range(1, 10000))


def new_conversation(d):
    """A conversation with a customer who just texted in; its display id."""
    phone = "+1555016%04d" % next(_numbers)
    r = d.sms_in(phone, "hello")
    assert r.status == 200, r
    r = d.api("GET", d.acc("/contacts/search?q=" + urllib.parse.quote(phone)))
    contact = r.json["payload"][0]["id"]
    r = d.api("GET", d.acc("/contacts/%d/conversations" % contact))
    return r.json["payload"][0]["id"]


def texts_at(fake, text):
    """How many SMS with exactly this body the fake Twilio received."""
    n = 0
    for q in list(fake.requests):
        form = urllib.parse.parse_qs(q["body"].decode())
        if form.get("Body") == [text]:
            n += 1
    return n


class WithTwowayd(unittest.TestCase):
    """One demo twowayd (and its fake Twilio) for the class."""

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()


class EchoId(WithTwowayd):
    """POST .../messages with an echo_id the conversation already holds."""

    def create(self, cid, body):
        return self.d.api("POST", self.d.acc("/conversations/%d/messages" % cid), body)

    def listing(self, cid):
        r = self.d.api("GET", self.d.acc("/conversations/%d/messages?after=0" % cid))
        self.assertEqual(r.status, 200, r)
        return r.json["payload"]

    def drain(self, cid, marker):
        """Send one more reply and wait for it at the fake Twilio: the
        sender works in order, so whatever was queued before it is out."""
        r = self.create(cid, {"content": marker})
        self.assertEqual(r.status, 200, r)
        twtest.wait_for(lambda: texts_at(self.fake, marker) == 1, timeout=30,
                        what="the marker SMS")

    def test_repeated_echo_id_is_one_message_and_one_sms(self):
        cid = new_conversation(self.d)
        body = {"content": "Your crown is ready", "echo_id": "tw-repeat-1"}
        first = self.create(cid, body)
        self.assertEqual(first.status, 200, first)
        second = self.create(cid, body)
        self.assertEqual(second.status, 200, second)
        # The same message, in the same shape (its delivery may have moved
        # on in between: the sender works while the second request comes).
        def stable(m):
            return {k: v for k, v in m.items() if k not in ("source_id", "status", "updated_at")}
        self.assertEqual(stable(second.json), stable(first.json))
        self.assertEqual(second.json.keys(), first.json.keys())
        mine = [m for m in self.listing(cid) if m.get("echo_id") == "tw-repeat-1"]
        self.assertEqual(len(mine), 1, mine)
        self.drain(cid, "marker after repeat")
        self.assertEqual(texts_at(self.fake, "Your crown is ready"), 1)

    def test_the_stored_reply_is_answered_even_if_refused_now(self):
        # Stored first; the contact opts out; the lost answer's retry still
        # gets the stored message, not a refusal.
        cid = new_conversation(self.d)
        body = {"content": "Before the STOP", "echo_id": "tw-before-stop"}
        first = self.create(cid, body)
        self.assertEqual(first.status, 200, first)
        conv = self.d.api("GET", self.d.acc("/conversations/%d" % cid)).json
        phone = conv["meta"]["sender"]["phone_number"]
        self.assertEqual(self.d.sms_in(phone, "STOP").status, 200)
        again = self.create(cid, body)
        self.assertEqual((again.status, again.json["id"]), (200, first.json["id"]))
        fresh = self.create(cid, {"content": "After the STOP", "echo_id": "tw-after-stop"})
        self.assertEqual(fresh.status, 422, fresh)

    def test_same_echo_id_in_another_conversation_is_another_message(self):
        a, b = new_conversation(self.d), new_conversation(self.d)
        body = {"content": "Two customers, one key", "echo_id": "tw-shared"}
        ra, rb = self.create(a, body), self.create(b, body)
        self.assertEqual((ra.status, rb.status), (200, 200))
        self.assertNotEqual(ra.json["id"], rb.json["id"])
        self.drain(b, "marker after shared")
        self.assertEqual(texts_at(self.fake, "Two customers, one key"), 2)

    def test_empty_echo_id_is_no_key(self):
        cid = new_conversation(self.d)
        r1 = self.create(cid, {"content": "no key one", "echo_id": ""})
        r2 = self.create(cid, {"content": "no key two", "echo_id": ""})
        self.assertEqual((r1.status, r2.status), (200, 200))
        self.assertNotEqual(r1.json["id"], r2.json["id"])

    def test_racing_identical_creates_are_one_message_and_one_sms(self):
        cid = new_conversation(self.d)
        rounds, copies = 10, 4
        for i in range(rounds):
            body = {"content": "race %d" % i, "echo_id": "tw-race-%d" % i}
            barrier = threading.Barrier(copies)
            out = [None] * copies

            def go(k):
                barrier.wait()
                out[k] = self.create(cid, body)

            threads = [threading.Thread(target=go, args=(k,)) for k in range(copies)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            self.assertEqual({r.status for r in out}, {200}, out)
            self.assertEqual(len({r.json["id"] for r in out}), 1, out)
        listed = self.listing(cid)
        for i in range(rounds):
            self.assertEqual(len([m for m in listed if m.get("echo_id") == "tw-race-%d" % i]), 1)
        self.drain(cid, "marker after race")
        for i in range(rounds):
            self.assertEqual(texts_at(self.fake, "race %d" % i), 1, i)


class EchoMigration(unittest.TestCase):
    """A database an older twowayd filled with copies of one echo_id."""

    def test_copies_keep_their_text_and_the_first_keeps_the_echo_id(self):
        fake, env = twtest.fake_twilio()
        with fake, twtest.Twowayd(demo=True, env=env) as d:
            cid = new_conversation(d)
            r = d.api("POST", d.acc("/conversations/%d/messages" % cid),
                      {"content": "copied", "echo_id": "tw-old-copy", "private": True})
            self.assertEqual(r.status, 200, r)
            first = r.json["id"]

            d.stop()
            twtest.downgrade_to_schema_1(d)
            conn = sqlite3.connect(d.db)
            for _ in range(2):
                conn.execute(
                    "INSERT INTO messages(account_id, conversation_id, inbox_id, content, "
                    "message_type, private, sender_type, sender_id, echo_id, created_at, "
                    "updated_at) SELECT account_id, conversation_id, inbox_id, content, "
                    "message_type, private, sender_type, sender_id, echo_id, created_at, "
                    "updated_at FROM messages WHERE id = ?", (first,))
            conn.commit()
            conn.close()
            d.start()
            listed = d.api("GET", d.acc("/conversations/%d/messages?after=0" % cid)).json
            copies = [m for m in listed["payload"] if m["content"] == "copied"]
            self.assertEqual(len(copies), 3)
            self.assertEqual([m.get("echo_id") for m in copies], ["tw-old-copy", None, None])
            self.assertEqual(copies[0]["id"], first)
            again = d.api("POST", d.acc("/conversations/%d/messages" % cid),
                          {"content": "copied", "echo_id": "tw-old-copy", "private": True})
            self.assertEqual((again.status, again.json["id"]), (200, first))


class ThroughFaults(WithTwowayd):
    """twoway --batch through the fault proxy, each test with its script of
    faults on the routes that matter (everything else passes)."""

    def setUp(self):
        self.proxies = []

    def tearDown(self):
        for p, r in self.proxies:
            p.stop()
            r.cleanup()

    def through(self, *rules):
        p = FaultProxy(self.d.base_url, seed=1, rules=list(rules))
        r = twtest.TwowayRunner(self.d, url=p.url)
        self.proxies.append((p, r))
        return p, r

    def stored(self, cid, text):
        return [m for m in twtest.all_messages(self.d, cid) if m["content"] == text]

    def texted(self, cid, text):
        """SMS with this text at the fake Twilio, once the sender is idle."""
        marker = "marker %s" % os.urandom(4).hex()
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % cid),
                       {"content": marker})
        self.assertEqual(r.status, 200, r)
        twtest.wait_for(lambda: texts_at(self.fake, marker) == 1, timeout=30,
                        what="the marker SMS")
        return texts_at(self.fake, text)

    def posts(self, proxy):
        return [e for e in proxy.log if e[1] == "POST" and e[2].endswith("/messages")]

    def reply(self, runner, cid, text, ok=True):
        rc, out, err = runner.run(args=["-e", "reply --conversation %d -- %s" % (cid, text)])
        self.assertEqual(rc, 0 if ok else 1, "stdout:\n%s\nstderr:\n%s" % (out, err))
        return out, err

    def assert_once(self, cid, text, proxy, runner):
        self.assertEqual(len(self.stored(cid, text)), 1)
        self.assertEqual(self.texted(cid, text), 1)
        self.assertEqual(runner.outbox(), [])

    def test_answer_lost_once_is_stored_and_texted_once(self):
        cid = new_conversation(self.d)
        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["drop_after"]))
        out, _ = self.reply(r, cid, "Lost once")
        self.assertIn("reply sent to #%d" % cid, out)
        self.assert_once(cid, "Lost once", p, r)
        self.assertEqual([e[3] for e in self.posts(p)], ["drop_after"])

    def test_answer_lost_twice_in_a_row_is_stored_and_texted_once(self):
        cases = [
            # the create's answer, then the look's answer
            ("lost, then the look lost", ["drop_after"], ["drop_after"]),
            ("a 5xx after it acted, then the look reset", ["5xx_after"], ["reset"]),
            # not passed on, then passed on and the answer lost
            ("dropped, then lost", ["drop_before", "drop_after"], []),
            ("garbage, then the look throttled", ["garbage"], ["429"]),
        ]
        for name, posts, looks in cases:
            with self.subTest(name):
                cid = new_conversation(self.d)
                text = "Twice %s" % name
                p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=posts),
                                    Rule("GET", GET_MESSAGES, {"ok": 1}, script=looks))
                out, err = self.reply(r, cid, text)
                self.assertIn("reply sent to #%d" % cid, out, err)
                self.assert_once(cid, text, p, r)

    def test_reply_behind_more_than_a_page_of_newer_messages_is_found(self):
        # Customers text 130 times between the moment the reply is queued
        # and the moment the server stores it; its answer is lost. The look
        # must read past the first page (100) to find it, and not send it
        # again (twowayd would catch the copy; Chatwoot would not).
        cid = new_conversation(self.d)
        conv = self.d.api("GET", self.d.acc("/conversations/%d" % cid)).json
        phone = conv["meta"]["sender"]["phone_number"]
        flood = []

        def crowd(method, path, fault):
            if method == "POST" and path.endswith("/messages") and not flood:
                for i in range(130):
                    flood.append(self.d.sms_in(phone, "crowd %d" % i).status)

        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["drop_after"]))
        p.before_forward = crowd
        out, err = self.reply(r, cid, "Behind the crowd")
        self.assertEqual(flood, [200] * 130)
        self.assertIn("reply sent to #%d" % cid, out, err)
        self.assertEqual(len(self.posts(p)), 1, p.log)
        looks = [e for e in p.log if e[1] == "GET" and "/messages?" in e[2]]
        self.assertGreaterEqual(len(looks), 2, looks)
        self.assert_once(cid, "Behind the crowd", p, r)

    def test_unknown_outcome_is_held_not_resent_then_retry_finds_it(self):
        cid = new_conversation(self.d)
        text = "Held while unknown"
        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["drop_after"]),
                            Rule("GET", GET_MESSAGES, {"ok": 1}, script=["garbage"]))
        _, err = self.reply(r, cid, text, ok=False)
        self.assertIn("reply to #%d may have been sent (" % cid, err)
        self.assertIn("check the thread, then `retry` or `discard`", err)
        self.assertEqual([e["state"] for e in r.outbox()], ["unsure"])
        # Another run, every request passing: still held, never resent.
        rc, out, err = r.run(args=["-e", "list"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.posts(p)), 1)
        self.assertEqual([e["state"] for e in r.outbox()], ["unsure"])
        self.assertEqual(len(self.stored(cid, text)), 1)
        # retry looks, finds it, and sends nothing.
        rc, out, err = r.run(args=["-e", "retry --conversation %d" % cid])
        self.assertEqual(rc, 0, err)
        self.assertIn("the reply to #%d is on the server" % cid, out)
        self.assertEqual(len(self.posts(p)), 1)
        self.assert_once(cid, text, p, r)

    def test_unknown_outcome_then_retry_sends_what_is_absent(self):
        cid = new_conversation(self.d)
        text = "Never arrived"
        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["drop_before"]),
                            Rule("GET", GET_MESSAGES, {"ok": 1}, script=["truncated"]))
        self.reply(r, cid, text, ok=False)
        self.assertEqual(self.stored(cid, text), [])
        self.assertEqual([e["state"] for e in r.outbox()], ["unsure"])
        rc, out, err = r.run(args=["-e", "retry --conversation %d" % cid])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.posts(p)), 2)
        self.assert_once(cid, text, p, r)

    def test_unknown_outcome_discarded_is_dropped(self):
        cid = new_conversation(self.d)
        text = "Dropped by the agent"
        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["drop_before"]),
                            Rule("GET", GET_MESSAGES, {"ok": 1}, script=["garbage"]))
        self.reply(r, cid, text, ok=False)
        rc, out, err = r.run(args=["-e", "discard --conversation %d" % cid])
        self.assertEqual(rc, 0, err)
        self.assertIn(text, out)
        self.assertEqual(r.outbox(), [])
        rc, out, err = r.run(args=["-e", "list"])
        self.assertEqual(len(self.posts(p)), 1)
        self.assertEqual(self.stored(cid, text), [])

    def test_reply_whose_conversation_cannot_be_read_is_kept_as_the_draft(self):
        for fault in ("garbage", "truncated"):
            with self.subTest(fault):
                cid = new_conversation(self.d)
                text = "Kept though %s" % fault
                p, r = self.through(Rule("GET", GET_CONV, {"ok": 1}, script=[fault]))
                _, err = self.reply(r, cid, text, ok=False)
                path, draft = r.draft(cid)
                self.assertEqual(draft, text)
                self.assertIn("the reply is kept as the draft of #%d (%s)" % (cid, path), err)
                self.assertEqual(self.posts(p), [])
                self.assertEqual(self.stored(cid, text), [])
                self.assertEqual(r.outbox(), [])


def without_echo_id(o):
    if isinstance(o, dict):
        return {k: without_echo_id(v) for k, v in o.items() if k != "echo_id"}
    if isinstance(o, list):
        return [without_echo_id(v) for v in o]
    return o


class ChatwootShaped(ThroughFaults):
    """Every test of ThroughFaults again, in front of a server shaped like
    Chatwoot where it matters here: its message lists do not carry echo_id (Chatwoot echoes
    it only in the answer to the create), so the look before a resend must
    know the reply by author, kind, text and time. twowayd behind a relay
    that takes echo_id out of every list of messages."""

    def setUp(self):
        super().setUp()
        self.relay = twtest.FakeHTTP(self.relay_request)
        self.relay.server.handle_error = lambda request, address: None
        self.addCleanup(self.relay.cleanup)

    def relay_request(self, method, path, headers, body):
        keep = {k: v for k, v in headers.items()
                if k.lower() in ("api_access_token", "content-type")}
        req = urllib.request.Request(self.d.base_url + path, data=body or None, method=method,
                                     headers=keep)
        try:
            with urllib.request.urlopen(req, timeout=twtest.DEADLINE) as r:
                status, ctype, out = r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, out = e.code, e.headers.get("Content-Type"), e.read()
        if method == "GET" and re.search(r"/messages(\?|$)", path) and status == 200:
            out = json.dumps(without_echo_id(json.loads(out))).encode()
        return status, ctype or "application/json", out

    def through(self, *rules):
        p = FaultProxy(self.relay.url, seed=1, rules=list(rules))
        r = twtest.TwowayRunner(self.d, url=p.url)
        self.proxies.append((p, r))
        return p, r

    def test_lists_carry_no_echo_id(self):
        cid = new_conversation(self.d)
        p, r = self.through()
        self.reply(r, cid, "Shaped like Chatwoot")
        listed = twtest.http("GET", self.relay.url + "/api/v1/accounts/%d/conversations/%d/"
                             "messages?after=0" % (self.d.agent(1)["account_id"], cid),
                             headers={"api_access_token": self.d.agent(1)["token"]})
        mine = [m for m in listed.json["payload"] if m["content"] == "Shaped like Chatwoot"]
        self.assertEqual(len(mine), 1)
        self.assertNotIn("echo_id", mine[0])

    def test_answer_lost_is_found_by_its_text_and_its_id_reported(self):
        cid = new_conversation(self.d)
        text = "Lost, then found by its text"
        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["drop_after"]))
        out, _ = self.reply(r, cid, text)
        self.assert_once(cid, text, p, r)
        self.assertEqual([e[3] for e in self.posts(p)], ["drop_after"])
        stored = self.stored(cid, text)[0]["id"]
        self.assertIn("reply sent to #%d (message %d)" % (cid, stored), out)

    def test_the_same_text_twice_is_sent_twice(self):
        # "ok" stored once already: a second "ok" whose create never got
        # through is not taken for the first.
        cid = new_conversation(self.d)
        p, r = self.through(Rule("POST", POST_MESSAGES, {"ok": 1}, script=["ok", "drop_before"]))
        self.reply(r, cid, "ok")
        self.reply(r, cid, "ok")
        self.assertEqual(len(self.stored(cid, "ok")), 2)
        self.assertEqual(self.texted(cid, "ok"), 2)
        self.assertEqual(r.outbox(), [])

if __name__ == "__main__":
    unittest.main(verbosity=2)
