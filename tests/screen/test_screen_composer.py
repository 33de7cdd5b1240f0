"""The composer cannot change under the agent: Alt-Enter is a line break
(never readline's Meta-Enter, which switches to vi editing, after which
Esc no longer leaves and a note typed next would go to the customer as an
SMS); keys that switch the editing mode are off unless ~/.inputrc binds
them under `$if twoway`; the prompt says when readline is in vi mode; C-c
and C-g leave from any state readline is in.

Nothing typed is lost on a refusal: a reply refused before sending or by
the server stays in the composer (or its draft) with the reason next to
it, in the status line above it, until it is sent; `r` on a contact who
opted out says so at once. The segment meter shows max_segments.

The agent is Ann Lee; Mike Sullivan (#30) is hers. What twowayd stored is
read back through its API.
"""
import os
import re
import shutil
import sys
import tempfile
import threading
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

    def test_alt_enter_in_the_command_line_is_a_blank(self):
        """The `:` line is one line: Alt-Enter there is a blank (as a line
        break in a paste is), never nothing, which ran the words together
        in the note."""
        self.twoway()
        conv = self.open_mike()
        before = self.messages(conv)
        self.s.keys(":")
        self.wait_input(re.compile(r"^:"))
        self.s.type("note lab called")
        self.s.keys("M-Enter")
        self.s.type("crown ready")
        self.wait_input(":note lab called crown ready")
        self.s.keys("Enter")
        screen.twtest.wait_for(lambda: len(self.messages(conv)) > len(before),
                               timeout=screen.TIMEOUT, what="the note in twowayd")
        new = self.messages(conv)[len(before):]
        self.assertEqual([(m["content"], m["private"]) for m in new],
                         [("lab called crown ready", True)])

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

    def test_a_control_key_in_vi_insert_mode_types_nothing(self):
        """readline's vi insert mode inserts most control keys as
        characters (C-a, C-k: what an emacs hand presses); in a reply they
        would go to the customer as control characters and force UCS-2.
        They type nothing and say so; what is sent is what was meant."""
        self.twoway(env=self.inputrc("set editing-mode vi\n"))
        conv = self.open_mike()
        self.compose(conv)
        self.wait_input("[vi insert] reply #%d" % conv)
        self.s.type("See you")
        self.s.keys("C-a")
        self.wait_status("C-a types nothing here")
        self.s.keys("C-k")
        self.wait_status("C-k types nothing here")
        self.s.type(" at 9")
        self.wait_input("› See you at 9")
        self.assertNotIn("UCS-2", self.status_area())
        self.s.keys("Enter")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: "See you at 9" in self.contents(conv),
                               timeout=screen.TIMEOUT, what="the reply in twowayd")
        sent = [m["content"] for m in self.messages(conv) if m["content"].startswith("See you")]
        self.assertEqual(sent, ["See you at 9"])

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

    def test_a_history_search_is_shown_and_never_becomes_the_draft(self):
        """M-p (a search of the composer's history, as Alt-p or Esc then p
        typed fast give it) and C-r: the input line says a search is going
        on, and leaving from the middle of it keeps the reply as it was
        before the search, not the words searched for."""
        self.twoway()
        conv = self.open_mike()
        prompt = "reply #%d Mike Sullivan › " % conv
        for start, shown in ((b"\x1bp", "search"), (b"\x12", "reverse-i-search")):
            for leave in ("C-g", "Escape"):
                self.compose(conv)
                self.s.keys("C-u")
                self.s.type("Your crown is ready")
                self.wait_input(prompt + "Your crown is ready")
                self.s.keys_hex(start)
                self.s.type("zzq")
                self.wait_input(shown)
                self.s.keys(leave)
                self.wait_input_empty()
                self.compose(conv)
                self.wait_input(prompt + "Your crown is ready")
                self.s.keys("C-u")
                self.escape()


class RefusalScreen(screen.ScreenCase):

    def open_conv_of(self, phone):
        conv = screen.conv_by_phone(self.d, phone)["id"]
        self.command("open %d" % conv)
        self.wait_status("#%d" % conv)
        return conv

    def compose(self, conv, key="r"):
        self.s.keys(key)
        self.wait_input(re.compile(r"(reply|note) #%d .* ›" % conv))

    def paste(self, text):
        d = tempfile.mkdtemp(prefix="twoway-paste-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "paste.txt")
        with open(path, "w") as f:
            f.write(text)
        self.s.tmux("load-buffer", path)
        self.s.tmux("paste-buffer", "-p")

    def test_an_unfilled_variable_keeps_the_text_with_the_reason(self):
        self.twoway()
        conv = self.open_conv_of(MIKE)
        before = self.contents(conv)
        self.compose(conv)
        text = "Hi {{contact.nickname}}, your crown is ready"
        self.s.type(text)
        self.s.keys("Enter")
        prompt = "reply #%d Mike Sullivan › " % conv
        self.wait_input(prompt + text)
        self.wait_status("{{contact.nickname}}")
        self.assertEqual(self.contents(conv), before)
        # The reason is next to the text, not a message the next key wipes.
        self.s.keys("End")
        self.s.type("!")
        self.wait_input(prompt + text + "!")
        self.assertIn("{{contact.nickname}}", self.status())
        # Left and opened again: the text and its reason come back.
        self.escape()
        self.compose(conv)
        self.wait_input(prompt + text + "!")
        self.wait_status("{{contact.nickname}}")
        # Fixed and sent: the reason goes.
        self.s.keys("C-e", "C-u")
        self.wait_input(re.compile(r"›\s*$"))
        self.s.type("Hi Mike, your crown is ready")
        self.wait_input(prompt + "Hi Mike, your crown is ready")
        self.s.keys("Enter")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: "Hi Mike, your crown is ready" in self.contents(conv),
                               timeout=screen.TIMEOUT, what="the reply in twowayd")

    def test_too_long_is_refused_before_sending_and_stays(self):
        self.twoway()
        conv = self.open_conv_of(MIKE)
        before = self.contents(conv)
        self.compose(conv)
        self.paste("x" * 1531)
        self.wait_status("GSM-7 1/153 · 11/10 SMS · too long")
        self.s.keys("Enter")
        self.wait_status_area("11 SMS segments; max_segments allows 10")
        self.assertIn("x" * 50, self.input_line())
        self.s.keys("BSpace")
        self.wait_status("GSM-7 153/153 · 10/10 SMS")
        self.assertIn("11 SMS segments", self.status_area())  # the reason stays until sent
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()

    def test_a_reply_from_the_command_line_that_is_refused_opens_the_composer(self):
        self.twoway()
        conv = self.open_conv_of(MIKE)
        before = self.contents(conv)
        self.command("set max_segments = 1")
        text = "y" * 170
        self.command("reply " + text, wait_closed=False)
        self.wait_input("reply #%d Mike Sullivan › " % conv)
        self.wait_status_area("2 SMS segments; max_segments allows 1")
        self.assertIn("y" * 40, self.input_line())
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()
        self.command("set max_segments = 10")

    def test_r_on_an_opted_out_contact_says_so_at_once_and_a_note_is_allowed(self):
        self.twoway()
        self.command("open 7")
        self.wait_status("#7")
        before = self.contents(7)
        self.s.keys("r")
        self.wait_status("opted out of SMS (STOP): a reply will be refused; n writes a private note")
        self.assertIn("reply #7", self.input_line())
        self.s.type("Sorry to see you go")
        self.s.keys("Enter")
        self.wait_input("reply #7 +15550101007 › Sorry to see you go")
        self.wait_status("replied STOP and has opted out of SMS; only notes are possible")
        self.assertEqual(self.contents(7), before)
        self.s.keys("C-u")
        self.escape()
        self.compose(7, key="n")
        self.assertNotIn("opted out", self.status())
        self.s.type("customer opted out, do not text")
        self.s.keys("Enter")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: "customer opted out, do not text" in self.contents(7),
                               timeout=screen.TIMEOUT, what="the note in twowayd")
        self.assertTrue(screen.messages(self.d, 7)[-1]["private"])

    def test_a_reply_the_server_refuses_comes_back_with_its_reason(self):
        """A 4xx to the send (here from a proxy in front of twowayd): the
        text comes back to the composer if the agent is still on the
        conversation, else to its draft; nothing is stored or texted."""
        proxy = screen.Proxy(self.d)
        self.addCleanup(proxy.cleanup)
        release = threading.Event()
        self.addCleanup(release.set)

        def refuse(method, path):
            if method == "POST" and path.endswith("/messages"):
                release.wait(screen.TIMEOUT)
                return 422, b'{"message":"Mike asked us not to text him"}'
            return None
        proxy.answer = refuse
        self.twoway(url=proxy.url)
        conv = self.open_conv_of(MIKE)
        before = self.contents(conv)
        prompt = "reply #%d Mike Sullivan › " % conv

        # Still on the conversation: the composer again, text and reason.
        release.set()
        self.compose(conv)
        self.s.type("Your crown is ready")
        self.s.keys("Enter")
        self.wait_status("the server refused it: Mike asked us not to text him")
        self.wait_input(prompt + "Your crown is ready")
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()

        # Gone elsewhere meanwhile: back in its draft, with the reason.
        release.clear()
        self.compose(conv)
        self.s.type("Second try")
        self.s.keys("Enter")
        self.wait_input_empty()
        self.command("open 7")
        self.wait_status("#7")
        release.set()
        self.wait_status("reply to #%d is back in its draft (r there): the server refused it: "
                         "Mike asked us not to text him" % conv)
        self.command("open %d" % conv)
        self.wait_status("#%d" % conv)
        self.compose(conv)
        self.wait_input(prompt + "Second try")
        self.wait_status("the server refused it: Mike asked us not to text him")
        self.assertEqual(self.contents(conv), before)
        self.s.keys("C-u")
        self.escape()


    def test_a_refusal_s_whole_reason_shows_at_80_columns(self):
        """At 80x24 a reason longer than the status line's row takes more
        rows above it: all of it is read next to the text it refused, which
        stays in the composer. Refused before sending (opted out, an
        unfilled variable, too long) and by the server, in its words."""
        server_says = ("Mike asked the front desk on 3 December not to be texted about "
                       "appointments; call him on his landline, or write a note")
        proxy = screen.Proxy(self.d)
        self.addCleanup(proxy.cleanup)
        proxy.answer = lambda method, path: (
            (422, b'{"message":"%s"}' % server_says.encode())
            if method == "POST" and path.endswith("/messages") else None)
        self.twoway(url=proxy.url, width=80, height=24)

        def refused(conv, prompt, text, reason):
            self.wait_status_area(reason)
            self.wait_input(prompt + text)
            self.assertNotIn("…", self.status_area())
            # The next key: the reason stays, whole, until it is sent.
            self.s.type("!")
            self.wait_input(prompt + text + "!")
            self.wait_status_area(reason)
            self.assertEqual(self.contents(conv), before[conv])
            self.s.keys("C-u")
            self.escape()

        self.command("open 7")
        self.s.wait_for("OPTED OUT")
        mike = screen.conv_by_phone(self.d, MIKE)["id"]
        before = {7: self.contents(7), mike: self.contents(mike)}
        self.compose(7)
        self.s.type("Sorry to see you go")
        self.s.keys("Enter")
        refused(7, "reply #7 +15550101007 › ", "Sorry to see you go",
                "+15550101007 replied STOP and has opted out of SMS; only notes are possible")

        self.command("open %d" % mike)
        self.s.wait_for("On our way, 10 min")
        prompt = "reply #%d Mike Sullivan › " % mike
        self.compose(mike)
        self.s.type("Hi {{contact.nickname}}, ready")
        self.s.keys("Enter")
        refused(mike, prompt, "Hi {{contact.nickname}}, ready",
                "unknown variable {{contact.nickname}}; nothing was sent")

        self.compose(mike)
        self.paste("x" * 1531)
        self.s.keys("Enter")
        self.wait_status_area("reply to #%d is too long: 11 SMS segments; max_segments allows "
                              "10; nothing was sent" % mike)
        self.assertNotIn("…", self.status_area())
        self.assertIn("x" * 50, self.input_line())
        self.s.keys("C-u")
        self.escape()

        self.compose(mike)
        self.s.type("Your crown is ready")
        self.s.keys("Enter")
        refused(mike, prompt, "Your crown is ready", "the server refused it: " + server_says)


if __name__ == "__main__":
    unittest.main()
