"""The composer cannot change under the agent: Alt-Enter is a line break
(never readline's Meta-Enter, which switches to vi editing, after which
Esc no longer leaves and a note typed next would go to the customer as an
SMS); keys that switch the editing mode are off unless ~/.inputrc binds
them under `$if twoway`; the prompt says when readline is in vi mode; C-c
and C-g leave from any state readline is in.

The agent is Ann Lee; Mike Sullivan (#30) is hers. What twowayd stored is
read back through its API.
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"


class ComposerScreen(screen.ScreenCase):

    def inputrc(self, text):
        path = os.path.join(self.tmpdir(), "inputrc")
        with open(path, "w") as f:
            f.write(text)
        return {"INPUTRC": path}

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="twoway-composer-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def open_mike(self):
        conv = screen.conv_by_phone(self.d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        return conv

    def compose(self, conv):
        self.s.keys("r")
        self.wait_input(re.compile(r"reply #%d .* ›" % conv))

    def messages(self, conv):
        return screen.messages(self.d, conv)

    def test_alt_enter_is_a_line_break_then_esc_leaves_and_a_note_is_private(self):
        self.twoway()
        conv = self.open_mike()
        before = self.messages(conv)
        self.compose(conv)
        self.s.type("Your crown is ready.")
        self.s.keys("M-Enter")
        self.s.type("Call us to book.")
        prompt = "reply #%d Mike Sullivan › " % conv
        self.wait_input(prompt + "Your crown is ready.↵Call us to book.")
        self.assertNotIn("[vi", self.input_line())
        # Esc still leaves (it would not after a switch to vi mode).
        self.escape()
        self.assertEqual(self.messages(conv), before)
        # A note from the : line is private, as it says.
        self.command("note checked the lab order, crown arrived")
        screen.twtest.wait_for(lambda: len(self.messages(conv)) > len(before),
                               timeout=screen.TIMEOUT, what="the note in twowayd")
        new = self.messages(conv)[len(before):]
        self.assertEqual([(m["content"], m["private"]) for m in new],
                         [("checked the lab order, crown arrived", True)])
        # The reply kept its line break, in the draft and when sent.
        self.compose(conv)
        self.wait_input(prompt + "Your crown is ready.↵Call us to book.")
        self.s.keys("Enter")
        self.wait_input_empty()
        screen.twtest.wait_for(
            lambda: "Your crown is ready.\nCall us to book." in self.contents(conv),
            timeout=screen.TIMEOUT, what="the reply in twowayd")
        sent = [m for m in self.messages(conv) if m["content"].startswith("Your crown")]
        self.assertEqual(len(sent), 1)
        self.assertFalse(sent[0]["private"])

    def test_alt_enter_in_vi_mode_is_a_line_break_too(self):
        self.twoway(env=self.inputrc("set editing-mode vi\n"))
        conv = self.open_mike()
        before = self.messages(conv)
        self.compose(conv)
        self.wait_input("[vi insert] reply #%d" % conv)
        self.s.type("one")
        self.s.keys("M-Enter")
        self.s.type("two")
        self.wait_input("› one↵two")
        self.s.keys("C-c")
        self.wait_input_empty()
        self.assertEqual(self.messages(conv), before)

    def test_mode_switch_keys_are_off_unless_bound_under_if_twoway(self):
        rc = ('"\\C-xe": vi-editing-mode\n'
              '$if twoway\n'
              '"\\C-xv": vi-editing-mode\n'
              '$endif\n')
        self.twoway(env=self.inputrc(rc))
        conv = self.open_mike()
        self.compose(conv)
        self.s.type("hello")
        # Bound outside $if twoway: off, and it says so.
        self.s.keys("C-x", "e")
        self.wait_status("vi-editing-mode is off in twoway")
        self.assertNotIn("[vi", self.input_line())
        # Bound under $if twoway: the agent asked for it; the prompt shows it.
        self.s.keys("C-x", "v")
        self.wait_input("[vi insert] reply #%d Mike Sullivan › hello" % conv)
        self.s.keys("Escape")
        self.wait_input("[vi command] reply #%d" % conv)
        # readline's default C-e in vi command mode (emacs-editing-mode): off.
        self.s.keys("C-e")
        self.wait_status("emacs-editing-mode is off in twoway")
        self.assertIn("[vi command]", self.input_line())
        self.s.keys("A")
        self.s.type(" there")
        self.wait_input("[vi insert] reply #%d Mike Sullivan › hello there" % conv)
        self.s.keys("C-u")
        self.s.keys("C-c")
        self.wait_input_empty()

    def test_insert_comment_does_not_send(self):
        """M-# (insert-comment) would prefix the line with # and send it."""
        self.twoway()
        conv = self.open_mike()
        before = self.messages(conv)
        self.compose(conv)
        self.s.type("not ready yet")
        self.s.keys("M-#")
        self.wait_status("insert-comment is off in twoway")
        self.wait_input("› not ready yet")
        self.assertEqual(self.messages(conv), before)
        self.s.keys("C-u")
        self.escape()

    def test_c_c_and_c_g_leave_from_any_state_and_nothing_carries_over(self):
        """C-x, C-v, C-r (search), M-5 (a count) in emacs mode; an operator
        (d) and a count in vi command mode: C-c or C-g leaves, and the next
        composer starts clean (a typed "a" is an "a")."""
        for rc, states in (("", [["C-x"], ["C-v"], ["C-r"], ["M-5"]]),
                           ("set editing-mode vi\n", [["Escape", "d"], ["Escape", "3"],
                                                      ["Escape"]])):
            tw = self.twoway(env=self.inputrc(rc) if rc else None)
            conv = self.open_mike()
            for keys in states:
                for leave in ("C-c", "C-g"):
                    self.compose(conv)
                    self.s.keys("C-u")
                    self.s.type("x")
                    self.wait_input(re.compile(r"› x$"))
                    for k in keys:
                        self.s.keys(k)
                        if k == "Escape":
                            self.wait_input("[vi command]")
                    self.s.keys(leave)
                    self.wait_input_empty()
                    self.compose(conv)
                    self.s.keys("C-u")
                    self.s.type("a")
                    self.wait_input(re.compile(r"› a$"))
                    self.assertNotIn("[vi command]", self.input_line(), (keys, leave))
                    self.s.keys("C-u")
                    self.s.keys("C-c")
                    self.wait_input_empty()
            tw.stop()


if __name__ == "__main__":
    unittest.main()
