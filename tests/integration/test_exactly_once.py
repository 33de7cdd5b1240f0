"""Every reply reaches the customer exactly once.

twowayd stores one message (and queues one SMS) per echo_id and
conversation, however often the create arrives and however the copies
race. Outgoing SMS go to a fake Twilio on 127.0.0.1 that counts them."""
import os
import sqlite3
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

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


class EchoId(unittest.TestCase):
    """POST .../messages with an echo_id the conversation already holds."""

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
