"""Replying on screen: the composer (GNU readline on the input line), the
SMS segment counter in the status line, drafts that survive a kill -9, and
the question before answering someone else's customer.

The agent is Ann Lee. Mike Sullivan (#30) is hers; Maria Gonzalez (#1)
belongs to Ben Ortiz. Replies go out through twowayd to a fake Twilio on
loopback; what twowayd stored is read back through its API.
"""
import fcntl
import os
import shutil
import signal
import struct
import tempfile
import termios
import threading
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"
MARIA = "+15550101001"


FAKE_EDITOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_editor.py")


def answer_waiting(client_port, server_port):
    """Has the whole answer to the request twoway sent from client_port
    come into its socket, and waits there unread? The test proxy closes
    every connection after its answer: the socket is in CLOSE_WAIT (the
    close came, after everything before it) with bytes queued."""
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote = (int(x.split(":")[1], 16) for x in fields[1:3])
            if local == client_port and remote == server_port:
                return fields[3] == "08" and int(fields[4].split(":")[1], 16) > 0
    return False


def tty_unread(path):
    """Bytes typed into terminal path that nobody has read yet (in raw
    mode; in line mode only whole lines count)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
    finally:
        os.close(fd)


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

    def reply_held_at_the_check(self, text, env=None):
        """twoway through a proxy that holds twowayd's answer to the check
        before a reply to Maria (#1, Ben Ortiz's), without polls (the held
        request is the only one in flight); text typed and Enter pressed:
        returns once the check is held. self.held: release (an Event),
        client (twoway's port for it), posts() (replies posted so far)."""
        proxy = screen.Proxy(self.d)
        self.addCleanup(proxy.cleanup)
        conv = screen.conv_by_phone(self.d, MARIA)["id"]
        hold, arrived, release = threading.Event(), threading.Event(), threading.Event()
        self.addCleanup(release.set)
        held_path = re.compile(r"/conversations/%d(\?|$)" % conv)
        held = {"release": release, "proxy": proxy, "conv": conv}

        def answer(method, path):
            if method == "GET" and hold.is_set() and held_path.search(path):
                hold.clear()
                held["client"] = proxy.fake.current.client[1]
                arrived.set()
                release.wait(screen.TIMEOUT)
            return None  # forwarded
        proxy.answer = answer
        held["posts"] = lambda: [p for _, m, p in proxy.log if m == "POST" and
                                 p.endswith("/messages")]
        tw = self.twoway(url=proxy.url, wrapped=True, env=env,
                         config="set poll_interval = 600\nset notify = none\nset live = no\n")
        self.open_conv(conv, wait="Maria Gonzalez ·")
        held["before"] = self.contents(conv)
        self.compose()
        self.s.type(text)
        self.wait_input(text)
        hold.set()
        self.s.keys("Enter")
        self.s.wait(arrived.is_set, "the check before the reply held at the proxy")
        self.held = held
        return tw

    def stop_twoway(self, tw):
        """SIGSTOP twoway (SIGCONT at cleanup, whatever happens)."""
        pid = tw.pid()
        os.kill(pid, signal.SIGSTOP)

        def go_on():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.addCleanup(go_on)
        self.s.wait(lambda: tw.state() == "T", "twoway stopped")
        return pid

    def release_check(self):
        """Let the held answer go and wait until it is in twoway's socket."""
        self.held["release"].set()
        self.s.wait(lambda: answer_waiting(self.held["client"], self.held["proxy"].fake.port),
                    "the server's answer in twoway's socket")

    def no_answer_then_y_sends(self, text):
        """The question shows, and the y typed before it did was no answer
        (taken as one, the reply would have gone out); a y now sends."""
        self.s.wait(lambda: "Reply anyway? [y/n]" in self.input_line() or self.held["posts"](),
                    "the question, or a send")
        self.assertEqual(self.held["posts"](), [], "a y typed before the question showed sent it")
        self.wait_status("typed before the question showed")
        self.answer_y_and_sent_once(text)

    def answer_y_and_sent_once(self, text):
        """The question stays; y pressed now sends the reply, once."""
        conv = self.held["conv"]
        self.wait_input("#%d is assigned to Ben Ortiz. Reply anyway? [y/n]" % conv)
        self.assertEqual(self.contents(conv), self.held["before"])
        self.s.keys("y")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: text in self.contents(conv), what="the reply in twowayd")
        self.assertEqual(self.contents(conv).count(text), 1)
        self.assertEqual(len(self.held["posts"]()), 1)

    def test_a_key_typed_before_the_question_showed_is_no_answer(self):
        """The question comes after the server's answer; a y typed before
        it was on the screen must not send. Made certain: twoway is
        stopped, the server's answer reaches its socket and a y its
        terminal, and it goes on with both waiting, so one turn of its
        loop finds them together (the answer first). The y is not taken;
        the question stays until a key pressed after it showed."""
        text = "Maria, Ann here: typed ahead, never meant"
        tw = self.reply_held_at_the_check(text)
        pid = self.stop_twoway(tw)
        self.release_check()
        tty = self.s.display("#{pane_tty}")
        self.s.type("y")
        self.s.wait(lambda: tty_unread(tty) >= 1, "the y in twoway's terminal")
        os.kill(pid, signal.SIGCONT)
        self.no_answer_then_y_sends(text)

    def test_a_key_typed_as_the_screen_came_back_is_no_answer(self):
        """The question comes while the terminal is lent out ($EDITOR, from
        the composer opened again): twoway draws nothing then. A y typed as
        the editor closes waits in the terminal until twoway reads it, after
        its screen and the question are back; it was typed before the
        question showed: no answer. Made certain: the question is asked
        while the editor runs; the editor (one that fails, so the composer
        does not come back) reads its last key, the y is typed, and only
        then does the editor leave."""
        tmp = tempfile.mkdtemp(prefix="twoway-editor-")
        self.addCleanup(shutil.rmtree, tmp, True)
        editor = "python3 %s %s" % (FAKE_EDITOR, os.path.join(tmp, "editor-read.bin"))
        go = os.path.join(tmp, "go")
        text = "Maria, Ann here: sent before the editor"
        tw = self.reply_held_at_the_check(text, env={
            "EDITOR": editor, "FAKE_EDITOR_EXIT": "1", "FAKE_EDITOR_HOLD": go})
        self.compose()
        self.s.type("more words")
        self.wait_input("more words")
        self.s.keys("C-x", "C-e")
        self.s.wait_for("FAKE EDITOR READY")
        mark = tw.log_mark()
        self.held["release"].set()
        tw.wait_log(r"asked: #\d+ is assigned to Ben Ortiz", mark)
        self.s.keys("Z", "Z")
        self.s.wait_for("got 2")
        tty = self.s.display("#{pane_tty}")
        self.s.type("y")
        self.s.wait(lambda: tty_unread(tty) >= 1, "the y in the terminal")
        open(go, "w").close()
        self.no_answer_then_y_sends(text)

    def test_a_question_waits_while_the_composer_is_open(self):
        """The answer to the check comes while the agent writes another
        reply: the composer keeps the input line and every key typed for
        it (a y in a word is text, not an answer); the status line says a
        question waits, and it is asked once the composer closes."""
        text = "Maria, Ann here: the first of two"
        tw = self.reply_held_at_the_check(text)
        conv = self.held["conv"]
        self.compose()
        self.s.type("yes, and")
        self.wait_input("yes, and")
        mark = tw.log_mark()
        self.held["release"].set()
        tw.wait_log(r"asked: #\d+ is assigned to Ben Ortiz", mark)
        self.wait_status_area("a question: #%d is assigned to Ben Ortiz. Reply anyway?" % conv)
        self.s.type(" yours")
        self.wait_input("reply #%d Maria Gonzalez › yes, and yours" % conv)
        self.assertEqual(self.held["posts"](), [])
        self.s.keys("Escape")
        self.answer_y_and_sent_once(text)
        # What was typed meanwhile is the draft.
        self.compose()
        self.wait_input("reply #%d Maria Gonzalez › yes, and yours" % conv)
        self.s.keys("C-u")
        self.escape()

    def test_a_question_too_long_for_the_line_shows_whole_at_80_columns(self):
        """The customer wrote since the composer opened: the question
        quotes them. At 80 columns the input line keeps its end ([y/n]) and
        the status line holds all of it."""
        tw = self.twoway(width=80, height=24)
        conv = self.open_mike()
        self.compose()
        said = "Also, can I bring my daughter along to the appointment on Friday morning?"
        self.assertEqual(self.d.sms_in(MIKE, said).status, 200)
        tw.synced()
        self.s.type("See you Friday")
        self.s.keys("Enter")
        self.s.wait(lambda: self.input_line().rstrip().endswith("Send anyway? [y/n]"),
                    "the end of the question on the input line")
        self.wait_status_area('Mike wrote since you started: "%s' % said[:40])
        self.assertIn("Send anyway?", self.status_area())
        self.s.keys("n")
        self.wait_input("reply #%d Mike Sullivan › See you Friday" % conv)
        self.s.keys("C-u")
        self.escape()


if __name__ == "__main__":
    unittest.main()
