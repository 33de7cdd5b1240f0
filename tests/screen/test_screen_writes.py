"""What reaches the terminal, counted from outside: twoway runs under
strace in tmux, and each keypress's write() calls and bytes are the ones
between two reads the test caused (screen.TtyTrace).

Over SSH each write() is a packet and each byte crosses the link, so an
update leaves in one write(), a move of the selection rewrites only what
changed, and a poll that changes nothing writes nothing. The budgets are
bytes at 120x40 with TERM=xterm-256color (what bench/ measures against
neomutt); timings are never asserted here.

The list's ages ("5m") turn once a minute, at twoway's first update in a
new minute of the clock (CLOCK_REALTIME, time.time() here); that update
writes the ages that changed, and nothing between two turns does. So a
measure is only kept when the test knows no turn fell inside it (see
within_a_minute), whatever the machine's speed.
"""
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

TERM = {"TERM": "xterm-256color"}

# Bytes at 120x40 on the demo inbox. neomutt, in the same terminal, spends
# about 210 bytes on a j that moves its bar and 1.5 KB on a page (see
# bench/README.md); twoway's budgets are half of that, or less.
J_BUDGET = 100
SCROLL_BUDGET = 320
PAGE_BUDGET = 1500


def total(writes):
    return sum(n for n, _ in writes)


def show(writes):
    return "\n".join("%5d %s" % (n, text[:200]) for n, text in writes)


class WritesScreen(screen.ScreenCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not screen.strace_works():
            raise unittest.SkipTest("needs strace (and ptrace allowed)")

    def id_tmp(self):
        tmp = tempfile.mkdtemp(prefix="twoway-writes-")
        self.addCleanup(shutil.rmtree, tmp, True)
        return tmp

    def traced(self, config=screen.CONFIG, env=None, **kw):
        tw = self.twoway(config=config, trace=True, env=env or TERM, **kw)
        self.tty = tw.tty
        self.tw = tw
        return tw

    def within_a_minute(self, measure, again=None):
        """measure() (the writes of a TtyTrace.around) where no turn of
        the screen's clock can be in it. A barrier first has twoway read
        and so draw once after `start` (it draws after every read); that
        update is the turn if the minute is new, and comes before the
        measure. If the minute of `start`
        is still the minute when the measure has ended, every update in
        the measure came after that one and in the same minute: none is a
        turn. Else the measure is taken again, after again() (which puts
        the screen back where the measure began); the next one cannot meet
        another turn unless it takes a minute."""
        for _ in range(3):
            start = time.time()
            self.tty.barrier()
            writes = measure()
            if int(start // 60) == int(time.time() // 60):
                return writes
            if again:
                again()
        self.fail("the clock's minute turned during each of three measures")

    def step(self, key, pos, total=None):
        """A function that presses key and waits for the selection at pos."""
        def go():
            self.s.keys(key)
            self.wait_position(pos, total)
        return go

    def key(self, key, pos, again, total=None):
        """The writes a key caused, once the selection is at pos; again:
        puts the selection back where it was, for a measure taken again."""
        return self.within_a_minute(lambda: self.tty.around(self.step(key, pos, total)), again)

    def assert_one_write(self, writes, what, budget):
        self.assertEqual(len(writes), 1, "%s: one write(), not:\n%s" % (what, show(writes)))
        self.assertLessEqual(total(writes), budget,
                             "%s: at most %d bytes:\n%s" % (what, budget, show(writes)))

    def list_requests(self):
        with open(self.tw.log, errors="replace") as f:
            return sum(1 for line in f if re.search(r"GET \S+/conversations\?", line))

    def test_j_is_one_write(self):
        self.traced()
        self.wait_position(1)
        self.assert_one_write(self.key("j", 2, self.step("k", 1)), "j", J_BUDGET)
        self.assert_one_write(self.key("k", 1, self.step("j", 2)), "k", J_BUDGET)

    def test_j_is_one_write_after_a_stop_and_continue(self):
        """The way back to the screen (here SIGSTOP and SIGCONT from
        elsewhere; fg and the editor take the same path) keeps it so."""
        self.traced()
        self.wait_position(1)
        pane = self.s.pid()  # strace; twoway is its child
        with open("/proc/%d/task/%d/children" % (pane, pane)) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, signal.SIGSTOP)
        os.kill(pid, signal.SIGCONT)
        self.tty.barrier()  # read after the screen was taken back
        self.assert_one_write(self.key("j", 2, self.step("k", 1)), "j after SIGCONT", J_BUDGET)

    def test_j_beside_an_open_thread_moves_only_the_bar(self):
        self.traced()
        self.wait_position(1)
        self.s.keys("Enter")
        self.wait_thread("On our way, 10 min")
        self.s.keys("Escape")  # the list has the keys; the thread stays
        self.s.wait(self.list_focused, "the list focused")
        writes = self.key("j", 2, self.step("k", 1))
        self.assert_one_write(writes, "j beside a thread", J_BUDGET)
        self.assertNotIn("On our way", writes[0][1], "the thread was not drawn again")

    def all_tab(self):
        self.s.keys("3")  # All: more conversations than one page
        n = len(screen.conversations(self.d, status="open"))
        self.wait_position(None, n)
        self.s.keys("g")
        self.wait_position(1, n)
        rows = (self.s.height - 3) // 2
        self.assertGreater(n, rows, "the demo's All tab is longer than a page")
        return n, rows

    def test_j_past_the_last_row_scrolls_the_terminal(self):
        self.traced()
        n, rows = self.all_tab()

        def to_the_last_row():
            self.s.keys("g")
            self.wait_position(1, n)
            for i in range(2, rows + 1):
                self.s.keys("j")
                self.wait_position(i, n)
        to_the_last_row()
        writes = self.key("j", rows + 1, to_the_last_row, n)
        self.assert_one_write(writes, "j that scrolls", SCROLL_BUDGET)
        # A scroll region (DECSTBM) and a scroll up (SU) or line feeds.
        self.assertRegex(writes[0][1], r"\\33\[\d+;\d+r.*(\\33\[\d*S|\\n)",
                         "the terminal scrolled the list")

    def test_page_down_is_one_write(self):
        self.traced()
        n, rows = self.all_tab()
        writes = self.key("PageDown", rows + 1, self.step("g", 1, n), n)
        self.assert_one_write(writes, "page-down", PAGE_BUDGET)

    def test_an_idle_poll_writes_nothing(self):
        # Through a proxy that does not pass WebSockets: polling, not live.
        proxy = screen.Proxy(self.d)
        self.addCleanup(proxy.cleanup)
        self.traced(config="set poll_interval = 1\nset notify = none\n", url=proxy.url)
        self.wait_status(re.compile(r"\bpolling · "))

        def polls():
            # Two whole poll cycles: the second began after the first's
            # answers were in and drawn.
            before = self.list_requests()
            self.s.wait(lambda: self.list_requests() >= before + 3, "three more polls")
        writes = self.within_a_minute(lambda: self.tty.around(polls))
        self.assertEqual(writes, [], "an idle poll wrote:\n" + show(writes))

    def test_a_live_ping_writes_nothing(self):
        """On twowayd's live channel its pings (every 3 s), which change
        nothing, write nothing to the terminal."""
        self.traced(config="set poll_interval = 300\nset notify = none\n")
        self.wait_status(re.compile(r"\blive · "))

        def pings():
            """Frames received with an ActionCable ping in them."""
            return sum(1 for c in self.tty.calls()
                       if c[0] == "recvfrom" and c[2] > 0 and '\\"type\\":\\"ping\\"' in c[3])

        def idle():
            before = pings()
            self.s.wait(lambda: pings() >= before + 2, "two more pings")
        writes = self.within_a_minute(lambda: self.tty.around(idle))
        self.assertEqual(writes, [], "a ping wrote:\n" + show(writes))

    def test_e_quit_leaves_once_the_inbox_is_drawn_and_marks_that_moment(self):
        ready = os.path.join(self.id_tmp(), "ready")
        # A poll interval longer than the test: leaving at the next event
        # instead of at once would wait for it.
        tw = self.traced(config="set poll_interval = 3600\nset notify = none\n", wait=None,
                         args=("-e", "quit"), env=dict(TERM, TWOWAY_READY_FILE=ready))
        self.s.wait(lambda: not self.s.alive(), "twoway -e quit to leave")
        with open(ready) as f:
            self.assertRegex(f.read(), r"^\d+\n$")
        # The mark was written after the screen with the inbox.
        calls = self.tty.calls()
        mark = next(i for i, c in enumerate(calls)
                    if c[0] == "write" and c[1] != 1 and re.fullmatch(r'"\d+\\n", \d+', c[3]))
        painted = [i for i, c in enumerate(calls)
                   if c[0] == "write" and c[1] == 1 and "Grace Whitman" in c[3]]
        self.assertTrue(painted and painted[0] < mark, "the inbox was drawn before the mark")
        # Again, now with the last inbox in the cache (drawn at once, and
        # every request of the first sync answered before quit runs).
        os.unlink(ready)
        tw.restart()
        self.s.wait(lambda: os.path.exists(ready), "the ready mark")
        self.s.wait(lambda: not self.s.alive(), "twoway -e quit to leave, with a cache")

if __name__ == "__main__":
    unittest.main(verbosity=2)
