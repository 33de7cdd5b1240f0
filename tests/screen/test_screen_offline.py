"""A server that is down, slow or failing: twoway keeps answering keys,
says what is going on in the status line, retries with backoff, keeps the
replies typed meanwhile ("1 unsent") and delivers each exactly once when
the server is back.

Each test has a twowayd of its own (it is killed, stopped or hidden behind
a failing proxy). The agent is Ann Lee; Mike Sullivan (#30) is hers.

No test measures how fast twoway answers: that keys work while the server
is away is shown by the server still being away (stopped, dead, failing)
when they have all been answered; that a reply went out once, by twoway's
outbox being empty; that it backs off, by the gaps between its polls.
"""
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"
OFFLINE = re.compile(r"offline \((.+)\), retrying in (\d+)s")
# The server is away: not answered yet, or failed and waiting to retry.
AWAY = re.compile(r"syncing…|connecting|offline \(")


class OfflineScreen(screen.ScreenCase):

    @classmethod
    def setUpClass(cls):
        gone = screen.missing_tools()
        if gone:
            raise unittest.SkipTest("needs " + ", ".join(gone))

    def setUp(self):
        self.d = screen.start_twowayd(self)

    def kill_twowayd(self):
        proc = self.d.proc
        self.d.kill()
        for f in (proc.stdout, proc.stderr):
            if f:
                f.close()

    def open_mike(self):
        conv = screen.conv_by_phone(self.d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        return conv

    def keys_still_work(self):
        """The list moves, help opens and closes, while the server is away:
        it still is once they are all answered (it never answered in
        between), so none of them waited for it."""
        self.wait_status(AWAY)
        self.s.keys("Escape")  # focus the list
        self.s.wait(self.list_focused, "the list focused")
        n = int(self.wait_position().group(1))
        self.s.keys("j")
        self.wait_position(n + 1)
        self.s.keys("k")
        self.wait_position(n)
        self.s.keys("?")
        self.s.wait_for("Keys everywhere")
        self.s.keys("q")
        self.s.wait_gone("Keys everywhere")
        self.assertRegex(self.status(), AWAY, "keys answered while the server is away")

    def reply(self, conv, text):
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .*›" % conv))
        self.s.type(text)
        self.s.keys("Enter")
        self.wait_input_empty()

    def delivered_once(self, conv, text):
        """text reached twowayd, and twoway's outbox is empty: it will never
        send it again, so the count now is final."""
        screen.twtest.wait_for(lambda: text in self.contents(conv), what="%r in twowayd" % text)
        self.s.wait(lambda: "unsent" not in self.status(), "the outbox empty")
        self.assertEqual(self.contents(conv).count(text), 1, self.contents(conv))

    def test_server_down_then_back(self):
        self.twoway()
        conv = self.open_mike()
        self.kill_twowayd()
        m = self.wait_status(OFFLINE)
        self.assertIn("connect", m.group(1).lower())
        self.keys_still_work()
        # A reply written meanwhile is kept, and shown as on its way.
        text = "We are running late, sorry! %d" % time.time()
        self.s.keys("Enter")  # open the selected conversation again
        self.wait_thread("On our way, 10 min")
        self.reply(conv, text)
        self.wait_thread(re.compile(r"▶ you .*sending….*\n  " + re.escape(text)))
        self.wait_status("1 unsent")
        self.wait_status(OFFLINE)
        # twowayd comes back on the same port and database.
        self.d.start()
        self.wait_status(screen.ONLINE)
        self.delivered_once(conv, text)
        self.wait_thread(re.compile(r"▶ you .*✓.*\n  " + re.escape(text)))

    def test_slow_server(self):
        """twowayd stopped (SIGSTOP): connections are accepted, nothing is
        answered; then it continues."""
        self.twoway()
        conv = self.open_mike()
        self.d.proc.send_signal(signal.SIGSTOP)
        try:
            self.wait_status("syncing…")
            self.keys_still_work()
            text = "Sent while the server was slow %d" % time.time()
            self.s.keys("Enter")
            self.wait_thread("On our way, 10 min")
            self.reply(conv, text)
            # The reply asks the server first (owner, newer messages): the
            # agent sees that it waits, not a reply gone without a trace.
            self.wait_status("reply to #%d: checking with the server" % conv)
            # And twoway goes on answering keys while it waits.
            self.s.keys("?")
            self.s.wait_for("Keys everywhere")
            self.s.keys("q")
            self.s.wait_gone("Keys everywhere")
            self.assertTrue(self.s.alive())
            self.assertEqual(self.d.proc.poll(), None)
        finally:
            self.d.proc.send_signal(signal.SIGCONT)
        self.wait_status(screen.ONLINE)
        self.delivered_once(conv, text)
        self.wait_thread(re.compile(r"▶ you .*✓.*\n  " + re.escape(text)))
        # And live again: an inbound message shows.
        self.d.sms_in(MIKE, "Back in business?")
        self.wait_thread("Back in business?")

    def test_reply_shows_as_sending_at_once_while_the_server_is_slow(self):
        """Issue #3: "the message appears at once as sending", even when the
        server accepts connections but does not answer: the reply is queued
        (held) before the server is asked whether anything needs confirming,
        and goes out exactly once when it answers."""
        self.twoway()
        conv = self.open_mike()
        self.d.proc.send_signal(signal.SIGSTOP)
        try:
            self.wait_status("syncing…")
            text = "At once, please %d" % time.time()
            self.reply(conv, text)
            self.wait_thread(re.compile(r"sending….*\n  " + re.escape(text)))
        finally:
            self.d.proc.send_signal(signal.SIGCONT)
        self.delivered_once(conv, text)

    def test_last_inbox_shows_at_once_while_the_server_is_slow(self):
        """The inbox of the last run comes from $XDG_CACHE_HOME at once;
        the server's answer replaces it when it comes."""
        tw = self.twoway()
        self.s.keys("q")
        self.s.wait(lambda: not self.s.alive(), "twoway to quit", 10)
        self.assertTrue(any(f == "inbox.json" for _, _, fs in os.walk(tw.home) for f in fs))
        self.d.proc.send_signal(signal.SIGSTOP)
        try:
            tw.restart()
            self.s.wait_for("Grace Whitman")
            self.assertIn("connecting", self.status())  # the server has not answered
        finally:
            self.d.proc.send_signal(signal.SIGCONT)
        self.wait_status(screen.ONLINE)

    def test_server_errors_500_then_429_back_off(self):
        proxy = screen.Proxy(self.d)
        self.addCleanup(proxy.cleanup)
        self.twoway(url=proxy.url)
        conv = self.open_mike()
        proxy.fail = 500
        n_before = len(proxy.log)
        m = self.wait_status(OFFLINE)
        self.assertIn("500", m.group(1))
        self.keys_still_work()
        text = "Reply through a failing server %d" % time.time()
        self.s.keys("Enter")
        self.wait_thread("On our way, 10 min")
        self.reply(conv, text)
        self.wait_status("1 unsent")
        proxy.fail = 429
        self.wait_status(re.compile(r"offline \(.*429.*\)"))

        # Backoff, read from the polls of the list (one request each, for
        # what changed) while it fails: polling on would ask every second;
        # backing off, each failed round at least doubles the wait (1, 2,
        # 4 s...). Only lower bounds: a busy machine makes gaps longer,
        # never shorter.
        def polls():
            return [t for t, method, path in proxy.log[n_before:]
                    if method == "GET" and "/conversations?" in path and
                    ("assignee_type=me" in path or "updated_within=" in path)]
        times = self.s.wait(lambda: len(polls()) >= 4 and polls(), "four polls while failing")
        gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
        for i, gap in enumerate(gaps[:3]):
            self.assertGreaterEqual(gap, 0.9 * 2 ** i, "the waits double: %r" % gaps)
        self.assertTrue(self.s.alive())
        proxy.fail = None
        self.wait_status(screen.ONLINE)
        self.delivered_once(conv, text)


if __name__ == "__main__":
    unittest.main()
