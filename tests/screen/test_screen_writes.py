"""What reaches the terminal, counted from outside: twoway runs under
strace in tmux, and each keypress's write() calls and bytes are the ones
between two reads the test caused (screen.TtyTrace).

Over SSH each write() is a packet and each byte crosses the link, so an
update leaves in one write(), a move of the selection rewrites only what
changed, and a poll that changes nothing writes nothing. The budgets are
bytes at 120x40 with TERM=xterm-256color (what bench/ measures against
neomutt); timings are never asserted here.
"""
import os
import re
import shutil
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

TERM = {"TERM": "xterm-256color"}


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

    def key(self, key, status):
        """The writes a key caused, once the status line shows `status`."""
        def press():
            self.s.keys(key)
            self.wait_status(status)
        return self.tty.around(press)

    def assert_one_write(self, writes, what, budget):
        self.assertEqual(len(writes), 1, "%s: one write(), not:\n%s" % (what, show(writes)))
        self.assertLessEqual(total(writes), budget,
                             "%s: at most %d bytes:\n%s" % (what, budget, show(writes)))

    def list_requests(self):
        with open(self.tw.log, errors="replace") as f:
            return sum(1 for line in f if re.search(r"GET \S+/conversations\?", line))

    def test_j_is_one_write(self):
        self.traced()
        self.wait_status(re.compile(r" 1/\d+ "))
        self.assert_one_write(self.key("j", re.compile(r" 2/\d+ ")), "j", 4096)
        self.assert_one_write(self.key("k", re.compile(r" 1/\d+ ")), "k", 4096)

    def test_j_is_one_write_after_a_stop_and_continue(self):
        """The way back to the screen (here SIGSTOP and SIGCONT from
        elsewhere; fg and the editor take the same path) keeps it so."""
        self.traced()
        self.wait_status(re.compile(r" 1/\d+ "))
        pane = self.s.pid()  # strace; twoway is its child
        with open("/proc/%d/task/%d/children" % (pane, pane)) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, signal.SIGSTOP)
        os.kill(pid, signal.SIGCONT)
        self.tty.barrier()  # read after the screen was taken back
        self.assert_one_write(self.key("j", re.compile(r" 2/\d+ ")), "j after SIGCONT", 4096)

    def test_page_down_is_one_write(self):
        self.traced()
        self.s.keys("3")  # All: more conversations than one page
        n = len(screen.conversations(self.d, status="open"))
        self.wait_status(re.compile(r" 1/%d " % n))
        rows = (self.s.height - 3) // 2
        self.assertGreater(n, rows, "the demo's All tab is longer than a page")
        writes = self.key("PageDown", re.compile(r" (?!1/)\d+/%d " % n))
        self.assert_one_write(writes, "page-down", 8192)

    def test_an_idle_poll_writes_nothing(self):
        self.traced(config="set poll_interval = 1\nset notify = none\n")
        self.wait_status("online")
        before = self.list_requests()

        def polls():
            # Two whole poll cycles: the second began after the first's
            # answers were in and drawn.
            self.s.wait(lambda: self.list_requests() >= before + 3, "three more polls")
        writes = self.tty.around(polls)
        self.assertEqual(writes, [], "an idle poll wrote:\n" + show(writes))

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
