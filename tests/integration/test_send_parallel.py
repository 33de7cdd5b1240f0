"""Several replies in flight to Twilio at once: a call that hangs holds up
only the replies to its own number, the replies to one number arrive in the
order they were written, and none is sent twice."""
import os
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
from test_sender import FakeTwilio, assert_final, new_conversation, reply, start, \
    wait_settled  # noqa: E402


class HangingNumber(FakeTwilio):
    """A Twilio that accepts every send at once, but for one number: those
    calls hang until release()."""

    def __init__(self, hung):
        self.hung = hung
        self.arrived = []  # (To, Body) in the order the calls came in
        self.hanging = threading.Event()  # a call to the hung number is waiting
        super().__init__()

    def handle(self, method, path, headers, body):
        form = urllib.parse.parse_qs(body.decode())
        to, text = form["To"][0], form["Body"][0]
        with self.lock:
            self.arrived.append((to, text))
        if to == self.hung:
            self.hanging.set()
            self.released.wait(twtest.DEADLINE)
        return super().handle(method, path, headers, body)

    def texts_to(self, number):
        with self.lock:
            return [t for to, t in self.arrived if to == number]


class ParallelSends(unittest.TestCase):
    def setUp(self):
        self.d = None
        self.fake = None

    def tearDown(self):
        if self.fake:
            self.fake.cleanup()
        if self.d:
            self.d.cleanup()

    def test_a_hanging_call_holds_up_only_its_own_number(self):
        self.fake = HangingNumber(None)
        self.d = start(self.fake.url, TWOWAYD_SEND_TIMEOUT="60")
        conv_x, x2 = new_conversation(self.d)
        self.fake.hung = x2
        others = [new_conversation(self.d) for _ in range(3)]

        first = reply(self.d, conv_x, "x first")
        twtest.wait_for(self.fake.hanging.is_set, what="the call to the hung number")
        second = reply(self.d, conv_x, "x second")
        # While that call hangs, everyone else's replies go out, each once.
        sent = [(conv, reply(self.d, conv, "to %s" % phone)) for conv, phone in others]
        for conv, mid in sent:
            wait_settled(self.d, conv, mid, "a reply to another number while one call hangs")
            assert_final(self, self.d, mid, "sent")
        for conv, phone in others:
            self.assertEqual(self.fake.texts_to(phone), ["to %s" % phone])
        # The second reply to the hung number waits behind the first.
        self.assertEqual(self.fake.texts_to(x2), ["x first"])
        self.assertEqual(self.d.outbox(second)["state"], "pending")

        self.fake.release()
        wait_settled(self.d, conv_x, second, "the second reply to the released number")
        assert_final(self, self.d, first, "sent")
        assert_final(self, self.d, second, "sent")
        self.assertEqual(self.fake.texts_to(x2), ["x first", "x second"])

    def test_replies_to_one_number_keep_their_order(self):
        self.fake = FakeTwilio()
        self.d = start(self.fake.url, TWOWAYD_SEND_WORKERS="8")
        convs = [new_conversation(self.d) for _ in range(4)]
        written = []
        for i in range(6):
            for conv, phone in convs:
                written.append((conv, phone, reply(self.d, conv, "%s #%d" % (phone, i))))
        for conv, _, mid in written:
            wait_settled(self.d, conv, mid, "every reply")
            assert_final(self, self.d, mid, "sent")
        forms = self.fake.forms()
        for _, phone in convs:
            got = [f["Body"][0] for f in forms if f["To"] == [phone]]
            self.assertEqual(got, ["%s #%d" % (phone, i) for i in range(6)])


if __name__ == "__main__":
    unittest.main()
