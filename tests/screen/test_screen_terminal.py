"""Lending the terminal and taking it back: Ctrl-Z and `fg` from a real
bash with job control, a SIGTSTP from elsewhere, and $EDITOR. Measured
from outside: the bytes twoway writes to its pane (tmux pipe-pane), the
bytes a stand-in editor reads, and what twowayd stored.

After every return to the screen twoway must set again each mode it set
at start (bash turns bracketed paste off before it runs `fg`; an editor
turns it off on its way out), or a paste arrives as keys: its line breaks
send replies and its letters run commands. While the editor runs, every
key typed is the editor's.
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"
FAKE_EDITOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_editor.py")

PASTE_ON = b"\x1b[?2004h"
PASTE_OFF = b"\x1b[?2004l"
FOCUS_ON = b"\x1b[?1004h"
FOCUS_OFF = b"\x1b[?1004l"


def terminfo(cap, term):
    """A capability's bytes for term, as ncurses will send them."""
    r = subprocess.run(["tput", "-T", term, cap], capture_output=True, check=True)
    return r.stdout


def tiocsti_allowed():
    """Whether the kernel lets a program put bytes into its own terminal's
    input (dev.tty.legacy_tiocsti; kernels before 6.2 always do)."""
    try:
        with open("/proc/sys/dev/tty/legacy_tiocsti") as f:
            return f.read().strip() != "0"
    except OSError:
        return True


class TerminalScreen(screen.ScreenCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="twoway-term-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def start(self, **kw):
        tw = self.twoway(capture=True, **kw)
        self.tw = tw
        self.term = self.s.tmux("show-options", "-gv", "default-terminal").stdout.strip()
        return tw

    def open_mike(self):
        conv = screen.conv_by_phone(self.d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        return conv

    def assert_modes_after(self, start, what, cursor="civis"):
        """Every mode twoway sets at start is in the pane's bytes after
        offset start: bracketed paste, focus reporting, the alternate
        screen, the keypad in its normal mode, the title, the cursor
        (hidden, or shown in the composer: cursor="cnorm")."""
        out = self.s.output()[start:]
        wanted = [
            ("bracketed paste on", PASTE_ON),
            ("focus reporting on", FOCUS_ON),
            ("the alternate screen", terminfo("smcup", self.term)),
            ("the keypad in normal mode", terminfo("rmkx", self.term)),
            ("the title", b"\x1b]2;twoway"),
            ("the cursor", terminfo(cursor, self.term)),
        ]
        for name, seq in wanted:
            self.assertIn(seq, out, "%s: %s (%r) is not set again; after it twoway wrote %r" %
                          (what, name, seq, out[-400:]))

    def assert_given_back(self, start):
        """Between offset start and bash's "Stopped", twoway turned off what
        it had turned on, and left the alternate screen."""
        out = self.s.output()
        out = out[start:out.find(b"Stopped", start)]
        for name, seq in (("bracketed paste off", PASTE_OFF), ("focus reporting off", FOCUS_OFF),
                          ("the normal screen", terminfo("rmcup", self.term))):
            self.assertIn(seq, out, "before stopping: %s (%r) missing in %r" % (name, seq, out))

    def paste(self, text):
        path = os.path.join(self.tmp, "paste.txt")
        with open(path, "w") as f:
            f.write(text)
        self.s.tmux("load-buffer", path)
        # -p: brackets the paste only if the program asked for it (CSI ?2004h).
        self.s.tmux("paste-buffer", "-p")

    def test_modes_back_after_ctrl_z_and_fg_and_a_paste_is_text(self):
        """Ctrl-Z in the composer, then `fg` in bash (which turned bracketed
        paste off before running fg): every mode comes back, the composer
        still holds what was typed, and a paste of lines that are also key
        bindings (r, x resolve, q quit, Enter) lands in it and sends
        nothing."""
        tw = self.start(shell=True)
        self.assertIn(PASTE_ON, self.s.output())
        conv = self.open_mike()
        before = self.contents(conv)
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.s.type("Typed before the stop. ")
        self.wait_input("Typed before the stop.")

        start = len(self.s.output())
        self.s.keys("C-z")
        self.s.wait(lambda: tw.state() == "T", "twoway stopped after Ctrl-Z")
        self.s.wait_for("Stopped")
        self.assert_given_back(start)

        mark = len(self.s.output())
        self.s.type("fg")
        self.s.keys("Enter")
        self.s.wait(lambda: tw.state() not in ("T", None), "twoway running after fg")
        self.s.wait_for("On our way, 10 min")
        # bash turned bracketed paste off before it ran fg: that is what
        # twoway must undo.
        self.s.wait(lambda: PASTE_OFF in self.s.output()[mark:], "bash's CSI ?2004l")
        shell_off = self.s.output().find(PASTE_OFF, mark)
        self.s.wait(lambda: PASTE_ON in self.s.output()[shell_off:],
                    "bracketed paste on again after fg")
        self.assert_modes_after(shell_off, "after fg", cursor="cnorm")
        self.wait_input("reply #%d Mike Sullivan › Typed before the stop." % conv)

        # About 10,000 characters, as in the report: lines that are also
        # key bindings (r reply, x resolve, A assign, q quit, :) and Enter.
        body = ("r\nx\nA\nq\n:quit\n" * 900)[:9900]
        pasted = "Thanks Mike, two things:\n" + body + "\nsee you at 9 - the end"
        self.paste(pasted + "\n")
        self.wait_input("see you at 9 - the end")
        self.assertTrue(self.s.alive())
        self.assertIn(tw.state(), ("R", "S"))
        # All of it is text in the composer, as its draft shows.
        def whole():
            for root, _, files in os.walk(tw.state_home):
                if "draft-%d.txt" % conv in files:
                    with open(os.path.join(root, "draft-%d.txt" % conv)) as f:
                        return f.read() == "Typed before the stop. " + pasted
            return False
        self.s.wait(whole, "the whole paste in the composer's draft")
        # Nothing went out: no new message, nothing in the outbox.
        self.assertEqual(self.contents(conv), before)
        self.assertNotIn("unsent", self.status())
        self.assertIn("Reply to #%d" % conv, self.status())
        # and the conversation was not resolved by the x
        r = self.d.api("GET", self.d.acc("/conversations/%d" % conv))
        self.assertEqual(r.json["status"], "open")
        self.s.keys("C-u")
        self.escape()

    def test_modes_back_after_a_sigtstp_from_elsewhere(self):
        """kill -TSTP (not a key): twoway gives the terminal back before it
        stops, and takes it back whole after SIGCONT."""
        tw = self.start(shell=True)
        conv = self.open_mike()
        start = len(self.s.output())
        os.kill(tw.pid(), signal.SIGTSTP)
        self.s.wait(lambda: tw.state() == "T", "twoway stopped by SIGTSTP")
        self.s.wait_for("Stopped")
        self.assert_given_back(start)
        out = self.s.output()
        mark = len(out)
        self.s.type("fg")
        self.s.keys("Enter")
        self.s.wait_for("On our way, 10 min")
        self.s.wait(lambda: PASTE_OFF in self.s.output()[mark:], "bash's CSI ?2004l")
        shell_off = self.s.output().find(PASTE_OFF, mark)
        self.s.wait(lambda: PASTE_ON in self.s.output()[shell_off:],
                    "bracketed paste on again after fg")
        self.assert_modes_after(shell_off, "after SIGTSTP and fg")
        # Outside the composer a paste is ignored, with a word, never keys.
        self.paste("x\nq\nr\n")
        self.wait_status("pasted text ignored")
        self.assertTrue(self.s.alive())
        self.assertEqual(self.input_line().strip(), "")
        r = self.d.api("GET", self.d.acc("/conversations/%d" % conv))
        self.assertEqual(r.json["status"], "open")

    def test_sigstop_and_sigcont_set_the_modes_again(self):
        """Stopped with SIGSTOP (which cannot be caught), bracketed paste
        turned off meanwhile, continued with SIGCONT: every mode comes
        back, and a paste is text again."""
        tw = self.start(wrapped=True)
        conv = self.open_mike()
        before = self.contents(conv)
        pid = tw.pid()
        os.kill(pid, signal.SIGSTOP)
        self.s.wait(lambda: tw.state() == "T", "twoway stopped by SIGSTOP")
        with open(self.s.display("#{pane_tty}"), "wb", buffering=0) as t:
            t.write(PASTE_OFF + FOCUS_OFF)
        mark = len(self.s.output())
        os.kill(pid, signal.SIGCONT)
        self.s.wait(lambda: PASTE_ON in self.s.output()[mark:], "bracketed paste on after SIGCONT")
        self.assert_modes_after(mark, "after SIGCONT")
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.paste("one\nx\nq\ntwo\n")
        self.wait_input("one↵x↵q↵two")
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()

    def compose_for_the_editor(self):
        """twoway with the stand-in editor as $EDITOR, the composer open on
        Mike's conversation with "first words" typed: (twoway, the
        conversation, its messages, the file the editor records to)."""
        record = os.path.join(self.tmp, "editor-read.bin")
        editor = "python3 %s %s" % (shlex.quote(FAKE_EDITOR), shlex.quote(record))
        tw = self.start(env={"EDITOR": editor})
        conv = self.open_mike()
        before = self.contents(conv)
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.s.type("first words")
        self.wait_input("first words")
        return tw, conv, before, record

    def test_a_paste_longer_than_twoway_keeps_is_never_keys(self):
        """A paste bigger than what twoway takes of one (1 MiB): the part
        beyond it is dropped up to the terminal's end of the paste, never
        run as keys (x resolves, q quits)."""
        tw = self.start()
        conv = self.open_mike()
        before = self.contents(conv)
        self.paste("x\n" * (1024 * 1024 // 2 + 128 * 1024) + "q")
        self.wait_status("pasted text ignored")
        # A key after the paste: it runs once everything pasted is used up.
        self.s.keys(":")
        self.wait_input(re.compile(r"^:"))
        self.assertTrue(self.s.alive())
        with open(tw.log, errors="replace") as f:
            self.assertNotIn("toggle_status", f.read())
        r = self.d.api("GET", self.d.acc("/conversations/%d" % conv))
        self.assertEqual(r.json["status"], "open")
        self.assertEqual(self.contents(conv), before)
        self.escape()

    def test_keys_typed_with_c_x_c_e_are_the_editor_s(self):
        """C-x C-e and the keys typed right after it arrive in one read (a
        fast typist, a slow link): none of them is text in the composer.
        They reach the editor, in order, where the kernel lets twoway hand
        them back to the terminal (TIOCSTI); where it does not, they are
        dropped and twoway says so."""
        tw, conv, before, record = self.compose_for_the_editor()
        self.s.keys_hex(b"\x18\x05ihello fast\x1b:wq\rZZ")
        if tiocsti_allowed():
            self.wait_input("reply #%d Mike Sullivan › edited: first words" % conv)
            with open(record, "rb") as f:
                self.assertEqual(f.read(), b"ihello fast\x1b:wq\r")
        else:
            self.s.wait_for("FAKE EDITOR READY")
            self.s.keys("Z", "Z")
            self.wait_input("reply #%d Mike Sullivan › edited: first words" % conv)
            self.wait_status("keys typed as the editor opened were dropped")
        self.assertTrue(self.input_line().rstrip().endswith("edited: first words"),
                        self.input_line())
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()

    def test_every_key_typed_in_the_editor_reaches_the_editor(self):
        """C-x C-e: while the editor runs twoway reads nothing. Keys that a
        composer would take for Enter (send) or Esc are all the editor's;
        after it, the composer holds the editor's text, nothing was sent,
        and every mode is set again (the editor turned them off)."""
        tw, conv, before, record = self.compose_for_the_editor()
        self.s.keys("C-x", "C-e")
        self.s.wait_for("FAKE EDITOR READY")
        # News arrives while the editor runs: twoway takes it in (two more
        # polls of the list in its log) but draws nothing.
        polls = lambda: open(tw.log, errors="replace").read().count("/conversations?assignee_type")
        seen = polls()
        self.assertEqual(self.d.sms_in(MIKE, "Are you open on Sunday?").status, 200)
        self.s.wait(lambda: polls() >= seen + 2, "twoway polling while the editor runs")
        typed = [c for c in "ihello from vim"] + ["Escape"] + [c for c in ":wq"] + ["Enter"]
        typed += [c for c in "ok then"] + ["Enter", "C-c", "Escape", "q", "r"]
        want = b"ihello from vim\x1b:wq\rok then\r\x03\x1bqr"
        for k in typed:
            self.s.keys(k)  # one at a time, as a person types
        self.s.wait_for("got %d" % len(want))
        self.s.keys("Z", "Z")
        self.wait_input("reply #%d Mike Sullivan › edited: first words" % conv)
        with open(record, "rb") as f:
            self.assertEqual(f.read(), want)
        self.assertTrue(self.input_line().rstrip().endswith("edited: first words"),
                        self.input_line())
        before.append("Are you open on Sunday?")  # the customer's, while the editor ran
        self.assertEqual(self.contents(conv), before)
        out = self.s.output()
        bye = out.find(b"fake-editor-bye")
        self.assertGreater(bye, 0)
        # While the editor ran, twoway wrote nothing: what the pane got
        # between the editor's first line and its last is the editor's.
        during = out[out.find(b"FAKE EDITOR READY\r\n") + 19:bye - 4]
        self.assertEqual(re.sub(rb"got \d+\r\n", b"", during), b"", during[:300])
        self.s.wait(lambda: PASTE_ON in self.s.output()[bye:], "bracketed paste on after the editor")
        self.assert_modes_after(bye, "after the editor", cursor="cnorm")
        # A paste right after the editor is text in the composer.
        self.paste("and one more\nline\n")
        self.wait_input("edited: first words")
        self.s.wait(lambda: "line" in self.input_line().split("edited: first words", 1)[1],
                    "the paste in the composer")
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()


    def test_sigterm_while_the_editor_runs_ends_it_and_gives_the_terminal_back(self):
        """kill -TERM while C-x C-e's editor has the terminal: twoway does
        not leave the editor behind (orphaned behind the shell, it cannot
        read the terminal and its raw modes stay: no echo, no line
        editing at the shell's prompt). The editor ends with twoway, the
        shell gets its terminal modes back, and what was typed is the
        draft for the next start."""
        record = os.path.join(self.tmp, "editor-read.bin")
        editor = "python3 %s %s" % (shlex.quote(FAKE_EDITOR), shlex.quote(record))
        tw = self.start(shell=True, env={"EDITOR": editor})
        conv = self.open_mike()
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        self.s.type("kept through a kill")
        self.wait_input("kept through a kill")
        self.s.keys("C-x", "C-e")
        self.s.wait_for("FAKE EDITOR READY")
        pid = tw.pid()
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            editor_pid = int(f.read().split()[0])
        os.kill(pid, signal.SIGTERM)
        self.s.wait(lambda: tw.pid() is None, "twoway gone after SIGTERM")
        self.s.wait(lambda: not os.path.exists("/proc/%d" % editor_pid) or
                    open("/proc/%d/stat" % editor_pid).read().rsplit(")", 1)[1].split()[0] == "Z",
                    "the editor gone with twoway")
        stty = os.path.join(self.tmp, "stty.txt")
        self.s.type("stty -a > %s; echo stty-done" % shlex.quote(stty))
        self.s.keys("Enter")
        self.s.wait(lambda: os.path.exists(stty) and "stty-done" in self.s.text(), "stty's answer")
        with open(stty) as f:
            modes = f.read().split()
        for mode in ("icanon", "echo", "isig", "icrnl", "opost"):
            self.assertIn(mode, modes, "the shell's terminal lost %s: %s" % (mode, " ".join(modes)))
        # What was typed is the draft: the next twoway opens with it.
        self.s.type(tw.program())
        self.s.keys("Enter")
        self.open_mike()
        self.s.keys("r")
        self.wait_input("reply #%d Mike Sullivan › kept through a kill" % conv)
        self.s.keys("C-u")
        self.escape()

    def test_ctrl_z_at_a_question_suspends_and_the_question_stays(self):
        """C-z while a question is asked (the conversation is another
        agent's) suspends as it does elsewhere; it is no answer. After
        `fg` the question is still there, and only a y pressed then
        sends the reply, once."""
        tw = self.start(shell=True)
        conv = screen.conv_by_phone(self.d, "+15550101001")["id"]
        self.open_conv(conv)
        before = self.contents(conv)
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .* ›" % conv))
        text = "Maria, Ann here: asked, stopped, then sent"
        self.s.type(text)
        self.wait_input(text)
        self.s.keys("Enter")
        self.wait_input("#%d is assigned to Ben Ortiz. Reply anyway? [y/n]" % conv)
        self.s.keys("C-z")
        self.s.wait(lambda: tw.state() == "T", "twoway stopped by C-z at the question")
        self.s.wait_for("Stopped")
        self.assertEqual(self.contents(conv), before)
        mark = len(self.s.output())
        self.s.type("fg")
        self.s.keys("Enter")
        self.s.wait(lambda: PASTE_ON in self.s.output()[mark:], "bracketed paste on after fg")
        self.wait_input("#%d is assigned to Ben Ortiz. Reply anyway? [y/n]" % conv)
        self.assertEqual(self.contents(conv), before)
        self.s.keys("y")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: text in self.contents(conv), timeout=screen.TIMEOUT,
                               what="the reply in twowayd")
        self.assertEqual(self.contents(conv).count(text), 1)

if __name__ == "__main__":
    unittest.main()
