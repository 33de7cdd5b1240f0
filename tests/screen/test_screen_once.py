"""A reply that may have been sent, as the agent sees it: through a fault
proxy that loses the answer to the create and spoils the look that
follows, the thread shows "? may have been sent" with what to do, the
status line counts it, nothing is sent again by itself. When the thread
shows it by its echo_id it is settled; R (retry) looks again and sends
it only if absent; D (discard) gives the text back to the composer.

The agent is Ann Lee; Mike Sullivan (#30) is hers. twowayd's messages are
read back through its API and the fake Twilio counts the texts.
"""
import os
import re
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402
from faultproxy import FaultProxy, Rule  # noqa: E402

MIKE = "+15550101030"
POST_MESSAGES = r"^/api/v1/accounts/\d+/conversations/\d+/messages$"
GET_MESSAGES = r"^/api/v1/accounts/\d+/conversations/\d+/messages\?"
UNSURE = "? may have been sent"


class MayHaveBeenSent(screen.ScreenCase):

    def setUp(self):
        self.proxy = FaultProxy(self.d.base_url, seed=3)
        self.addCleanup(self.proxy.stop)

    def spoil(self, first_post):
        """The next create gets first_post; from then on every read of
        messages is garbage, so the look cannot tell."""
        seen = []

        def hook(method, path, fault):
            if method == "POST" and path.endswith("/messages") and not seen:
                seen.append(path)
                self.proxy.rules.insert(0, Rule("GET", GET_MESSAGES, {"garbage": 1}))

        self.proxy.rules = [Rule("POST", POST_MESSAGES, {"ok": 1}, script=[first_post])]
        self.proxy.before_forward = hook
        if first_post == "drop_before":  # never passed on: no hook from _forward
            self.proxy.rules.insert(0, Rule("GET", GET_MESSAGES, {"garbage": 1}))

    def heal(self):
        self.proxy.rules = []
        self.proxy.before_forward = None

    def posts(self):
        return [e for e in self.proxy.log if e[1] == "POST" and e[2].endswith("/messages")]

    def start(self):
        self.tw = self.twoway(url=self.proxy.url)
        conv = screen.conv_by_phone(self.d, MIKE)
        self.open_conv(conv["id"], wait="On our way, 10 min")
        return conv["id"]

    def wait_polls(self, n=3):
        """n more requests of twoway's own (its polls) through the proxy."""
        start = len(self.proxy.log)
        screen.twtest.wait_for(lambda: len(self.proxy.log) >= start + n, timeout=screen.TIMEOUT,
                               what="%d more requests from twoway" % n)

    def test_held_shown_then_settled_when_the_thread_shows_it(self):
        conv = self.start()
        text = "Your crown is ready %s" % os.urandom(3).hex()
        self.spoil("drop_after")
        self.command("reply %s" % text)
        self.wait_thread(UNSURE)
        self.wait_thread(re.compile(r"check\s+the\s+thread,\s+then\s+`retry`\s+or\s+`discard`"))
        self.wait_status("1 may have been sent")
        self.assertEqual(self.contents(conv).count(text), 1)  # it did arrive
        # While the thread cannot be read, it stays held and is not resent.
        # Six polls a second apart: the reply is older than the window of
        # recent changes the polls ask for, so only the failed read itself
        # can bring the thread back.
        self.wait_polls(6)
        self.assertEqual(len(self.posts()), 1)
        self.assertIn(UNSURE, self.thread())
        # Once the thread shows it (by its echo_id), it is settled: no look,
        # no resend, one copy.
        self.heal()
        self.s.wait(lambda: "1 may have been sent" not in self.status(),
                    "the count to leave the status line")
        self.s.wait(lambda: UNSURE not in self.thread(), "the mark to leave the thread")
        self.wait_thread(text)
        self.assertEqual(len(self.posts()), 1)
        self.assertEqual(self.contents(conv).count(text), 1)
        self.assertEqual(self.thread().count(text), 1)

    def test_held_not_resent_until_retry_which_sends_what_is_absent(self):
        conv = self.start()
        text = "Running late %s" % os.urandom(3).hex()
        self.spoil("drop_before")
        self.command("reply %s" % text)
        self.wait_thread(UNSURE)
        self.wait_status("1 may have been sent")
        self.heal()
        # The thread reads fine now and has no such reply: still held.
        self.wait_polls(5)
        self.assertEqual(len(self.posts()), 1)
        self.assertIn(UNSURE, self.thread())
        self.assertNotIn(text, self.contents(conv))
        # R: looks, finds nothing, sends it once.
        self.s.keys("R")
        screen.twtest.wait_for(lambda: text in self.contents(conv), timeout=screen.TIMEOUT,
                               what="the reply in twowayd")
        self.s.wait(lambda: UNSURE not in self.thread(), "the mark to leave the thread")
        self.s.wait(lambda: "1 may have been sent" not in self.status(),
                    "the count to leave the status line")
        self.assertEqual(len(self.posts()), 2)
        self.assertEqual(self.contents(conv).count(text), 1)

    def test_discard_gives_the_text_back_and_sends_nothing(self):
        conv = self.start()
        text = "Never mind %s" % os.urandom(3).hex()
        self.spoil("drop_before")
        self.command("reply %s" % text)
        self.wait_thread(UNSURE)
        self.wait_status("1 may have been sent")
        self.heal()
        self.s.keys("D")
        self.wait_input(re.compile(r"reply #%d .*› %s" % (conv, re.escape(text))))
        self.s.wait(lambda: UNSURE not in self.thread(), "the mark to leave the thread")
        self.escape()
        self.assertEqual(len(self.posts()), 1)
        self.assertNotIn(text, self.contents(conv))


    def send_while_held(self, conv, text):
        """Send text from the composer while the reply's read of its
        conversation is held at the proxy (a slow server): the reply stays
        in its checks until the returned event is set."""
        gate = threading.Event()
        self.addCleanup(gate.set)

        def hold(method, path, fault):
            if method == "GET" and re.search(r"/conversations/\d+$", path):
                gate.wait(screen.TIMEOUT)

        self.proxy.before_forward = hold
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.s.type(text)
        self.wait_input(text)
        self.s.keys("Enter")
        self.wait_status("checking with the server before sending")
        return gate

    def test_a_reply_being_checked_is_not_offered_again_in_the_composer(self):
        """While a reply from the composer is checked with a slow server,
        r on the same conversation does not bring its text back as a
        draft: Enter there would send it a second time."""
        conv = self.start()
        text = "See you at four %s" % os.urandom(3).hex()
        gate = self.send_while_held(conv, text)
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.assertNotIn(text, self.input_line())
        self.wait_status("being checked with the server")
        self.s.keys("Enter")  # as an agent who thinks it did not go
        # What is typed there now is a draft of its own, kept when the
        # first reply is settled.
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.s.type("Second thought")
        self.wait_input("Second thought")
        self.escape()
        self.proxy.before_forward = None
        gate.set()
        screen.twtest.wait_for(lambda: text in self.contents(conv), timeout=screen.TIMEOUT,
                               what="the reply in twowayd")
        self.s.wait(lambda: "unsent" not in self.status(), "the outbox to be empty")
        self.assertEqual(self.contents(conv).count(text), 1)
        self.assertEqual(len(self.posts()), 1)
        self.s.keys("r")
        self.wait_input("reply #%d Mike Sullivan › Second thought" % conv)
        self.s.keys("C-u")
        self.escape()

    def test_a_reply_held_when_twoway_stopped_is_in_one_place_after(self):
        """q while a reply is still checked (a slow server): it stays in
        the outbox, shown as failed after the restart with R and D; the
        composer does not also offer it as a draft (two ways to send one
        text is one too many)."""
        conv = self.start()
        text = "Bring your X-rays %s" % os.urandom(3).hex()
        gate = self.send_while_held(conv, text)
        self.s.keys("q")
        self.s.wait(lambda: not self.s.alive(), "twoway to quit")
        self.proxy.before_forward = None
        gate.set()
        self.tw.restart()
        self.open_conv(conv, wait="On our way, 10 min")
        self.wait_thread(text)
        self.wait_thread("retry sends it")
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.assertNotIn(text, self.input_line())
        self.escape()
        self.assertNotIn(text, self.contents(conv))
        self.assertEqual(len(self.posts()), 0)

if __name__ == "__main__":
    unittest.main(verbosity=2)
