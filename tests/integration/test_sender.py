"""The outbound SMS worker against a fake Twilio Messages API on 127.0.0.1:
what it sends, retries, gives up on, and never sends twice.

"Never again" is read from the outbox: once a reply's row is sent or
failed, the sender never looks at it again, so the requests the fake has
seen by then are all there will ever be. No test waits for time to pass."""
import base64
import itertools
import json
import os
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

INBOX_PHONE = "+15550100100"
ACCOUNT_SID = "ACtest0000000000000000000000000000"

_numbers = itertools.count(1)


def new_phone():
    return "+1555014%04d" % next(_numbers)


class FakeTwilio:
    """A scripted Messages API. Answers come from `script` in order (then
    from `default`); each is a status, or (status, json) or a callable run
    before answering (e.g. hold(), which answers only when released).
    port: a twtest.ClosedPort to open (twowayd already sends there)."""

    def __init__(self, script=(), default=201, port=None):
        self.script = list(script)
        self.default = default
        self.lock = threading.Lock()
        self.sids = []
        self.released = threading.Event()
        if port is None:
            self.http = twtest.FakeHTTP(self.handle)
        else:
            self.http = port.serve(self.handle)
        self.url = self.http.url
        # A client that gave up on a hung answer is expected here: no noise.
        self.http.server.handle_error = lambda request, client_address: None

    @property
    def requests(self):
        return list(self.http.requests)

    def forms(self):
        return [urllib.parse.parse_qs(q["body"].decode()) for q in self.requests]

    def handle(self, method, path, headers, body):
        with self.lock:
            step = self.script.pop(0) if self.script else self.default
        if callable(step):
            step = step()
        status, payload = step if isinstance(step, tuple) else (step, None)
        if status is None:  # drop the connection without an answer
            return None, "", b""
        if payload is None and 200 <= status < 300:
            sid = "SM" + os.urandom(16).hex()
            with self.lock:
                self.sids.append(sid)
            payload = {"sid": sid, "status": "queued"}
        elif payload is None:
            payload = {"code": 20500, "message": "Internal Server Error", "status": status}
        return status, "application/json", json.dumps(payload).encode()

    def hold(self, status=201):
        """A script step: no answer until release() (or the deadline), like
        a Twilio that took the request and hangs."""
        def step():
            self.released.wait(twtest.DEADLINE)
            return status
        return step

    def release(self):
        self.released.set()

    def wait_requests(self, n=1):
        return self.http.wait_requests(n)

    def cleanup(self):
        self.release()
        self.http.cleanup()


def start(fake_url, **env):
    e = {"TWOWAYD_TWILIO_BASE_URL": fake_url}
    e.update(env)
    return twtest.Twowayd(demo=True, env=e)


def new_conversation(d):
    """A conversation with a customer who just texted; returns (display id, phone)."""
    phone = new_phone()
    r = d.sms_in(phone, "hello")
    assert r.status == 200, r
    r = d.api("GET", d.acc("/contacts/search?q=" + urllib.parse.quote(phone)))
    contact = r.json["payload"][0]["id"]
    r = d.api("GET", d.acc("/contacts/%d/conversations" % contact))
    return r.json["payload"][0]["id"], phone


def reply(d, conv, text, private=False):
    r = d.api("POST", d.acc("/conversations/%d/messages" % conv),
              {"content": text, "private": private})
    assert r.status == 200, r
    return r.json["id"]


def message(d, conv, mid):
    r = d.api("GET", d.acc("/conversations/%d/messages" % conv))
    return [m for m in r.json["payload"] if m["id"] == mid][0]


def settled(d, conv, mid):
    """The message once the sender is done with it (a SID or failed)."""
    m = message(d, conv, mid)
    return m if m["source_id"] or m["status"] == "failed" else None


def wait_settled(d, conv, mid, what):
    return twtest.wait_for(lambda: settled(d, conv, mid), what=what,
                           seen=lambda: "outbox: %r\nlog:\n%s" % (
                               d.outbox(mid), twtest.LogFile(d.log).tail()))


def assert_final(test, d, mid, state):
    """The reply's outbox row is sent or failed for good: the sender will
    never send it again, so the requests counted now are all there are."""
    test.assertEqual(d.outbox(mid)["state"], state, d.outbox(mid))


class TestSend(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeTwilio()
        cls.d = start(cls.fake.url)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()

    def test_reply_reaches_twilio_with_the_right_fields(self):
        conv, phone = new_conversation(self.d)
        before = len(self.fake.requests)
        mid = reply(self.d, conv, "Friday at 10 works. See you!")
        m = wait_settled(self.d, conv, mid, "the reply to be sent")
        assert_final(self, self.d, mid, "sent")
        reqs = self.fake.requests[before:]
        self.assertEqual(len(reqs), 1)
        q = reqs[0]
        self.assertEqual(q["method"], "POST")
        self.assertEqual(q["path"], "/2010-04-01/Accounts/%s/Messages.json" % ACCOUNT_SID)
        self.assertTrue(q["headers"]["Content-Type"].startswith(
            "application/x-www-form-urlencoded"))
        auth = base64.b64encode(("%s:%s" % (ACCOUNT_SID, self.d.auth_token)).encode()).decode()
        self.assertEqual(q["headers"]["Authorization"], "Basic " + auth)
        form = urllib.parse.parse_qs(q["body"].decode(), keep_blank_values=True)
        self.assertEqual(form, {"To": [phone], "From": [INBOX_PHONE],
                                "Body": ["Friday at 10 works. See you!"],
                                "StatusCallback": [self.d.base_url + "/twilio/status"]})
        self.assertIn(m["source_id"], self.fake.sids)
        self.assertEqual(m["status"], "sent")
        self.assertNotIn("external_error", m["content_attributes"])
        # Twilio reports delivery for that SID.
        r = self.d.webhook("/twilio/status", {"MessageSid": m["source_id"],
                                              "MessageStatus": "delivered",
                                              "AccountSid": ACCOUNT_SID})
        self.assertEqual(r.status, 200)
        self.assertEqual(message(self.d, conv, mid)["status"], "delivered")
        self.assertNotIn(self.d.auth_token, self.d.log_text())

    def test_text_with_special_characters_arrives_intact(self):
        conv, _ = new_conversation(self.d)
        before = len(self.fake.requests)
        text = "50% off & free \u00e9clair \U0001F600 +=?\nsee you"
        mid = reply(self.d, conv, text)
        wait_settled(self.d, conv, mid, "the reply to be sent")
        form = urllib.parse.parse_qs(self.fake.requests[before]["body"].decode())
        self.assertEqual(form["Body"], [text])

    def test_private_notes_are_never_sent(self):
        conv, phone = new_conversation(self.d)
        before = len(self.fake.requests)
        note = reply(self.d, conv, "internal: VIP customer", private=True)
        mid = reply(self.d, conv, "public answer")
        wait_settled(self.d, conv, mid, "the public reply to be sent")
        # The note was queued first: by now it is settled too, never sent.
        self.d.wait_outbox_idle()
        self.assertNotEqual((self.d.outbox(note) or {}).get("state"), "sent")
        bodies = [f["Body"][0] for f in self.fake.forms()[before:]]
        self.assertEqual(bodies, ["public answer"])
        n = message(self.d, conv, note)
        self.assertIsNone(n["source_id"])
        self.assertNotIn("external_error", n["content_attributes"])


class TestRetries(unittest.TestCase):
    def test_503_twice_then_accepted_sends_once(self):
        fake = FakeTwilio(script=[503, 503], default=201)
        with start(fake.url) as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "third time lucky")
            m = wait_settled(d, conv, mid, "the reply to be sent")
            self.assertEqual(m["status"], "sent")
            assert_final(self, d, mid, "sent")
            self.assertEqual(len(fake.sids), 1)
            self.assertEqual(m["source_id"], fake.sids[0])
            reqs = fake.requests
            self.assertEqual(len(reqs), 3)
            self.assertEqual({f["Body"][0] for f in fake.forms()}, {"third time lucky"})
        fake.cleanup()

    def test_429_is_retried(self):
        fake = FakeTwilio(script=[(429, {"code": 20429, "message": "Too Many Requests"})])
        with start(fake.url) as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "patience")
            m = wait_settled(d, conv, mid, "the reply to be sent")
            assert_final(self, d, mid, "sent")
            self.assertEqual(m["source_id"], fake.sids[0])
            self.assertEqual(len(fake.requests), 2)
        fake.cleanup()

    def test_gives_up_after_max_attempts(self):
        fake = FakeTwilio(default=503)
        with start(fake.url, TWOWAYD_SEND_MAX_ATTEMPTS="2") as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "never lands")
            m = wait_settled(d, conv, mid, "the reply to fail")
            self.assertEqual(m["status"], "failed")
            err = m["content_attributes"]["external_error"]
            self.assertTrue(err.startswith("Could not reach Twilio after 2 attempts: HTTP 503"),
                            err)
            assert_final(self, d, mid, "failed")
            self.assertEqual(len(fake.requests), 2)
        fake.cleanup()

    def test_21610_fails_without_retry_and_opts_out(self):
        fake = FakeTwilio(script=[(400, {"code": 21610, "status": 400,
                                         "message": "Attempt to send to unsubscribed recipient"})])
        with start(fake.url) as d:
            conv, phone = new_conversation(d)
            mid = reply(d, conv, "are you there?")
            m = wait_settled(d, conv, mid, "the reply to fail")
            self.assertEqual(m["status"], "failed")
            self.assertIsNone(m["source_id"])
            self.assertTrue(m["content_attributes"]["external_error"].startswith("21610 - "))
            assert_final(self, d, mid, "failed")
            self.assertEqual(len(fake.requests), 1)
            r = d.api("GET", d.acc("/contacts/search?q=" + urllib.parse.quote(phone)))
            self.assertIs(r.json["payload"][0]["custom_attributes"]["sms_opt_out"], True)
            # And the next reply is refused up front.
            r = d.api("POST", d.acc("/conversations/%d/messages" % conv), {"content": "hello?"})
            self.assertEqual(r.status, 422)
        fake.cleanup()

    def test_other_4xx_without_code(self):
        fake = FakeTwilio(script=[(404, {"message": "no such account"})])
        with start(fake.url) as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "lost")
            m = wait_settled(d, conv, mid, "the reply to fail")
            self.assertEqual(m["content_attributes"]["external_error"],
                             "HTTP 404 - no such account")
            assert_final(self, d, mid, "failed")
            self.assertEqual(len(fake.requests), 1)
        fake.cleanup()

    def test_connection_refused_is_retried_until_twilio_is_back(self):
        port = twtest.ClosedPort()  # refuses until the fake takes it over
        self.addCleanup(port.close)
        with start(port.url) as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "eventually")
            d.wait_log(r"sending message %d .*\(attempt 2\)" % mid, what="a second attempt")
            self.assertIsNone(settled(d, conv, mid))
            # Still trying (between attempts, or in one).
            self.assertIn(d.outbox(mid)["state"], ("pending", "sending"))
            fake = FakeTwilio(port=port)
            try:
                m = wait_settled(d, conv, mid, "the reply to be sent")
                self.assertEqual(m["status"], "sent")
                self.assertEqual(m["source_id"], fake.sids[0])
                assert_final(self, d, mid, "sent")
                self.assertEqual(len(fake.requests), 1)
            finally:
                fake.cleanup()

    def test_no_answer_after_sending_is_never_resent(self):
        fake = FakeTwilio()
        fake.script = [fake.hold()]  # answers only after twowayd gave up
        with start(fake.url, TWOWAYD_SEND_TIMEOUT="3") as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "did it go?")
            m = wait_settled(d, conv, mid, "the reply to fail")
            self.assertEqual(m["status"], "failed")
            self.assertIsNone(m["source_id"])
            self.assertTrue(m["content_attributes"]["external_error"]
                            .startswith("Delivery unknown"), m["content_attributes"])
            assert_final(self, d, mid, "failed")
            fake.release()  # Twilio's late "accepted" changes nothing
            self.assertEqual(len(fake.requests), 1)
            self.assertEqual(message(d, conv, mid)["status"], "failed")
        fake.cleanup()

    def test_dropped_connection_after_sending_is_never_resent(self):
        fake = FakeTwilio(script=[None])
        with start(fake.url) as d:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "cut off")
            m = wait_settled(d, conv, mid, "the reply to fail")
            self.assertEqual(m["status"], "failed")
            self.assertTrue(m["content_attributes"]["external_error"]
                            .startswith("Delivery unknown"))
            assert_final(self, d, mid, "failed")
            self.assertEqual(len(fake.requests), 1)
        fake.cleanup()


class TestRestart(unittest.TestCase):
    def test_queue_survives_sigkill_and_sends_once(self):
        healthy = threading.Event()
        fake = FakeTwilio(default=lambda: 201 if healthy.is_set() else 503)
        # The retry is ten minutes away: the kill surely finds the row
        # waiting, never in the middle of a second attempt.
        d = start(fake.url, TWOWAYD_SEND_MAX_ATTEMPTS="20", TWOWAYD_SEND_RETRY_DELAY="600")
        try:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "after the crash")
            # The 503 is recorded: the row waits for its retry.
            twtest.wait_for(lambda: (d.outbox(mid) or {}).get("last_error"),
                            what="the 503 recorded in the outbox",
                            seen=lambda: "outbox: %r\nrequests:\n%s" % (
                                d.outbox(mid), fake.http.seen()))
            row = d.outbox(mid)
            self.assertEqual((row["state"], row["attempts"]), ("pending", 1), row)
            self.assertTrue(row["last_error"].startswith("HTTP 503"), row)
            d.kill()
            self.assertEqual(d.outbox(mid)["state"], "pending")
            # Ten minutes pass while twowayd is down.
            d.sql("UPDATE outbox SET next_attempt_at = 0 WHERE message_id = ?", mid)
            healthy.set()
            d.start()
            m = wait_settled(d, conv, mid, "the reply to be sent after the restart")
            self.assertEqual(m["status"], "sent")
            assert_final(self, d, mid, "sent")
            self.assertEqual(len(fake.sids), 1)
            self.assertEqual(m["source_id"], fake.sids[0])
            self.assertEqual(len(fake.requests), 2)
        finally:
            d.cleanup()
            fake.cleanup()

    def test_row_left_sending_fails_as_unknown(self):
        """A crash during the Twilio call: the reply is not sent again."""
        fake = FakeTwilio()
        fake.script = [fake.hold()]  # the call hangs until the test ends
        d = start(fake.url, TWOWAYD_SEND_TIMEOUT="600")
        try:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "in flight")
            fake.wait_requests(1)
            self.assertEqual(d.outbox(mid)["state"], "sending")
            d.kill()
            d.start()
            m = wait_settled(d, conv, mid, "the reply to be settled")
            self.assertEqual(m["status"], "failed")
            self.assertTrue(m["content_attributes"]["external_error"]
                            .startswith("Delivery unknown"))
            assert_final(self, d, mid, "failed")
            self.assertEqual(len(fake.requests), 1)
        finally:
            d.cleanup()
            fake.cleanup()


class TestStop(unittest.TestCase):
    def test_sigterm_during_backoff_is_prompt(self):
        fake = FakeTwilio(default=503)
        # Backing off for an hour: a stop that waited for the retry would
        # outlast stop()'s deadline and end in SIGKILL.
        d = start(fake.url, TWOWAYD_SEND_MAX_ATTEMPTS="20", TWOWAYD_SEND_RETRY_DELAY="3600")
        try:
            conv, _ = new_conversation(d)
            mid = reply(d, conv, "waiting")
            twtest.wait_for(lambda: (d.outbox(mid) or {}).get("last_error"),
                            what="the first attempt refused (backing off)")
            self.assertEqual(d.outbox(mid)["state"], "pending")
            self.assertEqual(d.stop(), 0, "twowayd left by itself on SIGTERM")
            self.assertEqual(len(fake.requests), 1)
        finally:
            d.cleanup()
            fake.cleanup()


if __name__ == "__main__":
    unittest.main()
