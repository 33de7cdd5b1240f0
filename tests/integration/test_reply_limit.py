"""A reply longer than max_segments SMS segments (default 10), or than
the 1,600 characters Twilio takes, is refused with its count before any
request about it reaches the server: twoway --batch talks to twowayd
through a recording proxy on 127.0.0.1, and the test reads what it saw,
what twowayd stored and what the fake Twilio received."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402  (its recording Proxy)
import twtest  # noqa: E402

CONV = 1  # Maria Gonzalez, Ben Ortiz's


class ReplyLimit(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.addClassCleanup(cls.fake.cleanup)
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.addClassCleanup(cls.d.cleanup)
        cls.proxy = screen.Proxy(cls.d)
        cls.addClassCleanup(cls.proxy.cleanup)
        cls.home = tempfile.mkdtemp(prefix="twoway-limit-")
        cls.addClassCleanup(shutil.rmtree, cls.home, True)
        os.makedirs(os.path.join(cls.home, "config", "twoway"))
        with open(os.path.join(cls.home, "config", "twoway", "config"), "w") as f:
            f.write(twtest.QUIET_OFF)

    def batch(self, script):
        agent = self.d.agent(1)  # Ben Ortiz
        h = self.home
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWOWAY_")}
        env.update(TWOWAY_URL=self.proxy.url, TWOWAY_ACCOUNT=str(agent["account_id"]),
                   TWOWAY_TOKEN=agent["token"], HOME=h, XDG_CONFIG_HOME=h + "/config",
                   XDG_STATE_HOME=h + "/state", XDG_CACHE_HOME=h + "/cache")
        p = subprocess.run([twtest.binary("twoway"), "--batch"], input=script, env=env,
                           capture_output=True, text=True, timeout=90)
        return p.returncode, p.stdout, p.stderr

    def messages(self):
        """The conversation's messages by id and text (the delivery of one
        sent earlier may still move on: not what these tests look at)."""
        r = self.d.api("GET", self.d.acc("/conversations/%d/messages?after=0" % CONV))
        self.assertEqual(r.status, 200, r)
        return [(m["id"], m["content"]) for m in r.json["payload"]]

    def texts(self, body):
        return sum(1 for q in list(self.fake.requests)
                   if urllib.parse.parse_qs(q["body"].decode()).get("Body") == [body])

    def about_the_conversation(self, since):
        """Requests since index `since` that touch the conversation."""
        return [(m, p) for _, m, p in self.proxy.log[since:]
                if m != "GET" or "/conversations/%d" % CONV in p]

    def test_over_the_limit_is_refused_before_any_request(self):
        for script, why in (
                ("reply --conversation %d -- %s\n" % (CONV, "x" * 1531),
                 "reply to #%d is too long: 11 SMS segments; max_segments allows 10" % CONV),
                ("set max_segments = 3\nreply --conversation %d -- %s\n" % (CONV, "ć" * 203),
                 "4 SMS segments; max_segments allows 3"),
                ("set max_segments = 20\nreply --conversation %d -- %s\n" % (CONV, "y" * 1601),
                 "1601 characters as SMS (GSM-7); the SMS provider takes at most 1600")):
            # Replies sent by other tests are out: nothing else changes the
            # thread while this one looks.
            self.d.wait_outbox_idle()
            before = self.messages()
            mark = len(self.proxy.log)
            rc, out, err = self.batch(script)
            self.assertEqual(rc, 1, (out, err))
            self.assertIn(why, err)
            self.assertIn("nothing was sent", err)
            # Not a POST, not even a read of the conversation: nothing about
            # this reply reached the server.
            self.assertEqual(self.about_the_conversation(mark), [])
            self.assertEqual(self.messages(), before)

    def test_at_the_limit_is_sent_once(self):
        text = "z" * 1530  # ten full GSM-7 segments
        rc, out, err = self.batch("reply --conversation %d -- %s\n" % (CONV, text))
        self.assertEqual(rc, 0, err)
        self.assertEqual([content for _, content in self.messages()].count(text), 1)
        twtest.wait_for(lambda: self.texts(text) == 1, timeout=30, what="the SMS at Twilio")


if __name__ == "__main__":
    unittest.main()
