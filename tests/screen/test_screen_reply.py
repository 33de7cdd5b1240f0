"""Replying on screen: the composer (GNU readline on the input line), the
SMS segment counter in the status line, drafts that survive a kill -9, and
the question before answering someone else's customer.

The agent is Ann Lee. Mike Sullivan (#30) is hers; Maria Gonzalez (#1)
belongs to Ben Ortiz. Replies go out through twowayd to a fake Twilio on
loopback; what twowayd stored is read back through its API.
"""
import os
import shutil
import signal
import tempfile
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"
MARIA = "+15550101001"


class ReplyScreen(screen.ScreenCase):

    def open_mike(self):
        conv = screen.conv_by_phone(self.d, MIKE)
        self.open_conv(conv["id"], wait="On our way, 10 min")
        return conv["id"]

    def compose(self):
        self.s.keys("r")
        self.wait_input(re.compile(r"^(\[vi insert\] )?reply #\d+ .* ›"))

    def test_reply_typed_with_readline_keys_reaches_twowayd(self):
        self.twoway()
        conv = self.open_mike()
        self.compose()
        self.assertIn("Reply to #%d Mike Sullivan" % conv, self.status())
        prompt = "reply #%d Mike Sullivan › " % conv
        self.s.type("Helo wrldd")
        self.wait_input(prompt + "Helo wrldd")
        # C-a, M-f: after "Helo"; C-b: before its "o"; "l" → "Hello".
        self.s.keys("C-a", "M-f", "C-b")
        self.s.type("l")
        self.wait_input(prompt + "Hello wrldd")
        # M-f twice: the end of "wrldd"; back to after its "w"; "o".
        self.s.keys("M-f", "M-f", "C-b", "C-b", "C-b", "C-b")
        self.s.type("o")
        self.wait_input(prompt + "Hello worldd")
        # C-e, C-b, C-d: the doubled "d" goes; C-e, and the cursor is last.
        self.s.keys("C-e", "C-b", "C-d", "C-e")
        self.wait_input(prompt + "Hello world")
        self.assertEqual(self.s.cursor(), (screen.width(prompt + "Hello world"), 39))
        # C-w and C-y: kill the last word and yank it back.
        self.s.keys("C-w")
        self.wait_input(re.compile(re.escape(prompt) + "Hello$"))  # and a space
        self.s.keys("C-y")
        self.wait_input(prompt + "Hello world")
        self.s.type("!")
        self.s.keys("Enter")
        self.wait_input_empty()
        self.wait_thread(re.compile(r"▶ you .*\n  Hello world!"))
        screen.twtest.wait_for(lambda: "Hello world!" in self.contents(conv),
                               what="the reply in twowayd")
        self.assertEqual(self.contents(conv).count("Hello world!"), 1)
        # sent, then delivered by the fake carrier: the ticks in the thread
        self.wait_thread(re.compile(r"▶ you .*✓.*\n  Hello world!"))

    def test_segment_counter_in_the_status_line(self):
        self.twoway()
        self.open_mike()
        self.compose()
        cases = [
            ("Hello, see you at 9", "GSM-7 19/160 · 1/10 SMS"),
            ("Price 5€", "GSM-7 9/160 · 1/10 SMS"),            # € is an escape pair
            ("a{b}c[d]", "GSM-7 12/160 · 1/10 SMS"),            # four more
            ("It’s fine", "UCS-2 9/70 · 1/10 SMS · ’ forced UCS-2"),
            ("ok 😀", "UCS-2 5/70 · 1/10 SMS · 😀 forced UCS-2"),  # a surrogate pair
            ("x" * 160, "GSM-7 160/160 · 1/10 SMS"),
            ("x" * 161, "GSM-7 8/153 · 2/10 SMS"),
            ("😀" * 35, "UCS-2 70/70 · 1/10 SMS · 😀 forced UCS-2"),
            ("😀" * 36, "UCS-2 6/67 · 2/10 SMS · 😀 forced UCS-2"),
        ]
        for text, want in cases:
            self.s.keys("C-u")
            self.wait_input(re.compile(r"›$"))
            self.s.type(text)
            got = self.wait_status(want)
            self.assertTrue(self.status().rstrip().endswith(want), (text, self.status()))
        self.s.keys("C-u")
        self.escape()
        self.assertNotIn("SMS", self.status())

    def test_draft_survives_kill_9(self):
        tw = self.twoway()
        conv = self.open_mike()
        self.compose()
        draft = "Draft that must survive ü €"
        self.s.type(draft)
        self.wait_input(draft)

        # Saved while typing (after a short pause), before any exit.
        def saved():
            for root, _, files in os.walk(tw.state_home):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        if draft.encode() in fh.read():
                            return True
            return False
        self.s.wait(saved, "the draft on disk")
        tw.kill9()
        tw.restart()
        self.s.wait_for("Grace Whitman")
        self.assertNotIn(draft, self.s.text())
        self.open_conv(conv, wait="On our way, 10 min")
        self.s.keys("r")
        self.wait_input("reply #%d Mike Sullivan › %s" % (conv, draft))
        self.assertEqual(self.s.cursor()[0],
                         screen.width("reply #%d Mike Sullivan › %s" % (conv, draft)))
        self.s.keys("C-u")
        self.escape()

    def test_vi_mode_from_inputrc(self):
        """~/.inputrc's vi mode: Esc goes to command mode (it does not leave
        the composer); C-c leaves it, keeping the draft."""
        import tempfile
        rc = tempfile.NamedTemporaryFile("w", suffix=".inputrc", delete=False)
        rc.write("set editing-mode vi\n")
        rc.close()
        self.addCleanup(os.unlink, rc.name)
        self.twoway(env={"INPUTRC": rc.name})
        conv = self.open_mike()
        self.compose()
        self.s.type("hello world")
        self.wait_input("hello world")
        self.s.keys("Escape")
        # A lone Esc, taken as such (not the start of a sequence): the
        # prompt says command mode before the next keys go.
        self.wait_input("[vi command]")
        self.s.keys("0", "x", "A")
        self.s.type(" there")
        self.wait_input("reply #%d Mike Sullivan › ello world there" % conv)
        self.s.keys("C-c")
        self.wait_input_empty()

    def test_pasted_lines_stay_text(self):
        """A paste with line breaks goes into the composer whole (bracketed
        paste); outside the composer it is ignored, never run as keys."""
        self.twoway()
        conv = self.open_mike()
        before = len(self.contents(conv))
        self.compose()
        buf = os.path.join(tempfile.mkdtemp(prefix="twoway-paste-"), "paste.txt")
        self.addCleanup(shutil.rmtree, os.path.dirname(buf), True)
        with open(buf, "w") as f:
            f.write("first line\nxq second\n")
        self.s.tmux("load-buffer", buf)
        self.s.tmux("paste-buffer", "-p")
        self.wait_input("reply #%d Mike Sullivan › first line↵xq second" % conv)
        self.wait_status("GSM-7 20/160")  # the line break counts; the trailing one is dropped
        self.s.keys("C-c")
        self.wait_input_empty()
        self.s.tmux("paste-buffer", "-p")
        self.wait_status("pasted text ignored")
        self.assertTrue(self.s.alive())  # q in the paste did not quit
        self.assertEqual(len(self.contents(conv)), before)

    def test_c_x_c_e_goes_on_in_the_editor(self):
        """What is typed goes to $EDITOR and comes back to the composer."""
        self.twoway(env={"EDITOR": "sed -i s/^/EDITED:/"})
        conv = self.open_mike()
        self.compose()
        self.s.type("a long reply")
        self.wait_input("a long reply")
        self.s.keys("C-x", "C-e")
        self.wait_input("reply #%d Mike Sullivan › EDITED:a long reply" % conv)
        self.s.keys("C-u")
        self.escape()

    def test_hangup_and_term_leave_cleanly_with_the_draft_saved(self):
        """A dropped SSH session (SIGHUP) or SIGTERM: twoway leaves at
        once, with what was being typed on disk."""
        for sig, draft in ((signal.SIGHUP, "typed when the line dropped"),
                           (signal.SIGTERM, "typed before a TERM")):
            tw = self.twoway()
            self.open_mike()
            self.compose()
            self.s.type(draft)
            self.wait_input(draft)
            pid = self.s.pid()
            os.kill(pid, sig)
            self.s.wait(lambda: not self.s.alive(), "twoway to leave on %s" % sig.name, 10)

            def saved():
                for root, _, files in os.walk(tw.state_home):
                    for f in files:
                        with open(os.path.join(root, f), "rb") as fh:
                            if draft.encode() in fh.read():
                                return True
                return False
            self.assertTrue(saved(), "the draft is on disk after %s" % sig.name)
            tw.stop()

    def test_reply_to_another_agents_customer_asks_first(self):
        tw = self.twoway()
        maria = screen.conv_by_phone(self.d, MARIA)
        self.assertEqual(maria["meta"]["assignee"]["name"], "Ben Ortiz")
        conv = maria["id"]
        self.open_conv(conv, wait="Maria Gonzalez ·")
        before = self.contents(conv)
        text = "Hi Maria, Ann here: Friday 9:15 is booked."
        self.compose()
        self.s.type(text)
        mark = tw.log_mark()
        self.s.keys("Enter")
        self.wait_input("#%d is assigned to Ben Ortiz. Reply anyway? [y/n]" % conv)
        # n: nothing goes out, and the text is back in the composer: the
        # outbox is empty (nothing can go out later) and twoway never
        # posted it.
        self.s.keys("n")
        self.wait_input("reply #%d Maria Gonzalez › %s" % (conv, text))
        self.s.wait(lambda: "unsent" not in self.status(), "the outbox empty")
        self.assertEqual(tw.log_lines(r"POST \S+/conversations/%d/messages " % conv, mark), [])
        self.assertEqual(self.contents(conv), before)
        # y: sent, once.
        self.s.keys("Enter")
        self.wait_input("Reply anyway? [y/n]")
        self.s.keys("y")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: text in self.contents(conv),
                               what="the reply in twowayd")
        self.s.wait_for(text)
        self.assertEqual(self.contents(conv).count(text), 1)
        # Still Ben's: answering does not take the conversation.
        r = self.d.api("GET", self.d.acc("/conversations/%d" % conv))
        self.assertEqual(r.json["meta"]["assignee"]["name"], "Ben Ortiz")


if __name__ == "__main__":
    unittest.main()
