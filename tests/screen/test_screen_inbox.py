"""The inbox on screen: the real twoway in tmux against a demo twowayd.

The agent is Ann Lee (demo agent 0). Her open conversations ("Mine") are
Mike Sullivan (#30, urgent), Grace Whitman (urgent), Lena Fischer, Fatima
and Priya Raman; the list is 42 columns wide beside the thread at 120x40.
What is checked is what a person sees (capture-pane), and where a key
should have changed the server, the server (its API).
"""
import base64
import hashlib
import hmac
import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"
GRACE = "+15550101016"
LIST_W = 42  # the list's width at 120 columns: the divider is column 42

SGR = re.compile(r"\x1b\[[0-9;:]*m")
ANY_ESC = re.compile(r"\x1b[^A-Za-z]*[A-Za-z]?")


def raw_sms_in(d, frm, body):
    """A signed Twilio webhook whose Body is raw bytes (percent-encoded in
    the form, as a carrier could send them)."""
    params = [("AccountSid", b"AC" + b"0" * 32), ("Body", body), ("From", frm.encode()),
              ("MessageSid", ("SM" + os.urandom(16).hex()).encode()), ("NumMedia", b"0"),
              ("To", b"+15550100100")]
    signed = (d.base_url + "/twilio/sms").encode() + b"".join(k.encode() + v for k, v in params)
    sig = base64.b64encode(hmac.new(d.auth_token.encode(), signed, hashlib.sha1).digest())
    form = urllib.parse.urlencode(params)
    return screen.twtest.http("POST", d.base_url + "/twilio/sms", form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sig.decode()})


def api_counts(d, status="open"):
    r = d.api("GET", d.acc("/conversations/meta?status=%s" % status))
    assert r.status == 200, r
    return r.json["meta"]


def mine_newest_first(d):
    return screen.conversations(d, status="open", assignee_type="me")


class InboxScreen(screen.ScreenCase):

    def test_list_shows_seeded_conversations(self):
        self.twoway()
        mine = mine_newest_first(self.d)
        self.wait_position(1, len(mine))
        lines = self.s.lines()
        for i, c in enumerate(mine):
            name = c["meta"]["sender"]["name"]
            row = lines[1 + 2 * i]
            self.assertIn(name, row, "row %d is %s, newest first" % (1 + 2 * i, name))
            # The unread count, and the mark of an unanswered customer.
            if c["unread_count"]:
                self.assertIn("(%d)" % c["unread_count"], row)
            last = c["messages"][-1] if c.get("messages") else c.get("last_non_activity_message")
            if last and last.get("message_type") == 0:
                self.assertIn("⏳", row, "%s waits for an answer" % name)
        # Mike Sullivan's urgent priority and Priya's answered thread.
        mike = next(line for line in lines if "Mike Sullivan" in line)
        self.assertIn("‼", mike)
        priya = next(line for line in lines if "Priya Raman" in line)
        self.assertNotIn("(", priya[:LIST_W], "Priya has nothing unread")
        # Labels and the assignee on the preview line.
        self.assertIn("you #appointment", lines[lines.index(mike) + 1])
        self.assertIn("Ann Lee", self.status())
        self.assertIn("online", self.status())

    def test_enter_opens_the_thread_with_the_contact_header(self):
        self.twoway()
        first = mine_newest_first(self.d)[0]
        name = first["meta"]["sender"]["name"]
        phone = first["meta"]["sender"]["phone_number"]
        last = self.contents(first["id"])[-1]
        self.s.keys("Enter")
        # In the thread pane: a short message also shows in the list's preview.
        self.wait_thread("◀ %s" % name)
        header = screen.panes(self.s.row(1))[1]
        self.assertTrue(header.startswith("%s · %s" % (name, phone)), header)
        thread = "\n".join(screen.panes(line)[1] for line in self.s.lines()[4:-2])
        self.assertIn("◀ %s" % name, thread)
        self.assertIn(screen.squash(last)[:60], screen.squash(thread))
        # The thread has the keys now: the list's selection bar is dim.
        self.assertFalse(self.list_focused())
        self.assertTrue(self.s.row(1).startswith("▌"), self.s.row(1))
        self.s.keys("Tab")
        self.s.wait(self.list_focused, "the list focused")

    def test_filter_tabs_show_the_api_counts(self):
        self.twoway()
        meta = api_counts(self.d)
        tabs = "Mine %d  Unassigned %d  All %d" % (
            meta["mine_count"], meta["unassigned_count"], meta["all_count"])
        self.s.wait_for(tabs, row=0)
        self.assertIn("\x1b[1;7m Mine %d " % meta["mine_count"], self.s.raw().split("\n")[0])
        self.s.keys("2")
        self.wait_position(1, meta["unassigned_count"])
        self.s.wait_for("James Carter")
        self.assertIn("\x1b[1;7m Unassigned %d " % meta["unassigned_count"],
                      self.s.raw().split("\n")[0])
        self.assertNotIn("Mike Sullivan", self.s.text())
        self.s.keys("3")
        # The selection stays on the same conversation (James Carter).
        self.wait_position(total=meta["all_count"])
        self.s.wait_for("Maria Gonzalez")
        self.s.keys("1")
        self.wait_position(total=meta["mine_count"])
        # A status filter from the `:` line shows in the tabs row.
        self.command("status-filter resolved")
        resolved = api_counts(self.d, "resolved")
        self.s.wait_for("Mine %d  Unassigned %d  All %d  status:resolved" % (
            resolved["mine_count"], resolved["unassigned_count"], resolved["all_count"]),
            row=0)

    def test_inbound_message_shows_without_a_key_within_two_polls(self):
        poll = 2
        tw = self.twoway(config="set poll_interval = %d\nset notify = none\nset live = no\n" % poll)
        mike = screen.conv_by_phone(self.d, MIKE)
        self.open_conv(mike["id"], wait="Mike Sullivan ·")
        self.s.wait_for(self.contents(mike["id"])[-1][:30])
        text = "Parking lot is full, where do we go? %d" % time.time()
        mark = tw.log_mark()
        r = self.d.sms_in(MIKE, text)
        self.assertEqual(r.status, 200, r.body)
        # Counted in polls, not seconds: it is on the screen once the first
        # poll that started after it has finished (the one in flight when
        # it came may have missed it).
        tw.synced(mark)
        self.s.wait_for(text)
        started = tw.log_lines(r" poll \d+ started", mark)
        self.assertLessEqual(len(started), 3, "polls since the message: %d" % len(started))
        # A conversation that is not open: up to the top of the list, its
        # unread count up by one, the preview its text.
        unread = re.compile(r"Grace Whitman.*\((\d+)\)")
        before = int(self.s.wait_for(unread).group(1))
        self.d.sms_in(GRACE, "Grace again")
        self.s.wait_for(re.compile(r"Grace Whitman.*\(%d\)" % (before + 1)))
        self.assertIn("Grace Whitman", self.s.row(1))
        self.assertTrue(self.s.row(2).startswith("  Grace"), self.s.row(2))

    def test_scrolling_up_loads_older_history_without_jumping(self):
        phone = "+15550108801"
        for i in range(1, 46):
            r = self.d.sms_in(phone, "history %02d" % i)
            self.assertEqual(r.status, 200, r.body)
        conv = screen.conv_by_phone(self.d, phone)
        self.twoway()
        self.open_conv(conv["id"], wait="history 45")
        # The newest page only (20 messages): 25 is not loaded yet.
        self.s.wait_for("history 30")
        self.assertNotIn("history 25", self.s.text())

        def row_of(text):
            for i, line in enumerate(self.s.lines()):
                if screen.panes(line)[1].strip() == text:
                    return i
            return None

        loading = "loading older messages"

        def scroll(key):
            """key, then wait for what it does: the pane scrolls, or (at
            the top) the older page is asked for; if it is on its way,
            wait until it is in."""
            before = self.s.lines()
            self.s.keys(key)
            self.s.wait(lambda: self.s.lines() != before or loading in self.s.text(),
                        "%s to scroll the thread or load older messages" % key)
            self.s.wait(lambda: loading not in self.s.text(), "the older page")

        # k scrolls one line at a time: "history 30" walks down the pane one
        # row a key (none at the top while the older page is on its way),
        # and the page that comes in goes above without moving it.
        row = row_of("history 30")
        for _ in range(60):
            if row_of("history 24") is not None:
                break
            scroll("k")
            now = row_of("history 30")
            self.assertIsNotNone(now, "the view jumped away:\n" + self.s.text())
            self.assertIn(now - row, (0, 1), "the view jumped:\n" + self.s.text())
            row = now
        self.assertIsNotNone(row_of("history 24"), "older messages came in:\n" + self.s.text())
        # PageUp to the very first message; the hint about older ones goes.
        for _ in range(10):
            if row_of("history 01") is not None:
                break
            scroll("PPage")
        self.s.wait_for("history 01")
        self.s.wait_gone("older messages")
        self.assertNotIn("loading older", self.s.text())

    def check_split(self, width, height):
        lines = self.s.lines()
        self.assertEqual(len(lines), height)
        self.assertTrue(lines[0].startswith(" Mine "), lines[0])
        list_w = {40 if width < 100 else 42}
        for y in range(1, height - 2):
            left = screen.panes(lines[y])[0]
            self.assertEqual({screen.width(left)}, list_w,
                             "row %d has the divider:\n%s" % (y, "\n".join(lines)))
        self.assertIn("Grace Whitman", "\n".join(screen.panes(line)[0] for line in lines))
        right = "\n".join(screen.panes(line)[1] for line in lines[1:-2])
        self.assertIn("Mike Sullivan ·", right)
        self.assertIn("On our way, 10 min", right)
        self.assertEqual(sum("unread" in line for line in lines), 1, "one status line")
        self.assertIn("unread", lines[height - 2])

    def test_resize_120x40_to_80x24_and_back(self):
        self.twoway()
        mike = screen.conv_by_phone(self.d, MIKE)
        self.open_conv(mike["id"], wait="On our way, 10 min")
        self.check_split(120, 40)
        self.s.resize(80, 24)
        self.s.wait(lambda: "unread" in self.s.row(22), "the status line on row 22")
        self.s.wait_for("On our way, 10 min")
        self.check_split(80, 24)
        # Below split_min (70): one pane at a time, the focused one.
        self.s.resize(60, 24)
        self.s.wait(lambda: "│" not in self.s.text(), "one pane")
        self.assertIn("On our way, 10 min", self.s.text())
        self.assertNotIn("Grace Whitman", self.s.text())
        self.s.keys("Tab")
        self.s.wait_for("Grace Whitman")
        self.assertNotIn("On our way, 10 min", self.s.text())
        self.s.keys("Tab")
        self.s.wait_for("On our way, 10 min")
        self.s.resize(120, 40)
        self.s.wait(lambda: "unread" in self.s.row(38), "the status line on row 38")
        self.s.wait_for("Grace Whitman")
        self.check_split(120, 40)


class AsciiScreen(screen.ScreenCase):
    """A terminal without UTF-8 gets plain ASCII: no glyph it cannot show."""

    def test_non_utf8_locale_draws_ascii_only(self):
        self.twoway(env={"LANG": "C", "LC_ALL": "C"})
        first = mine_newest_first(self.d)[0]
        self.s.wait_for(first["meta"]["sender"]["name"])
        self.s.keys("Enter")
        self.s.wait_for("< %s" % first["meta"]["sender"]["name"])
        self.s.keys("?")
        self.s.wait_for("q or Esc closes")
        for text in (self.s.text(),):
            bad = sorted({c for c in text if ord(c) > 126})
            self.assertEqual(bad, [], text)
        self.s.keys("q")
        self.s.wait_gone("q or Esc closes")
        text = self.s.text()
        self.assertEqual(sorted({c for c in text if ord(c) > 126}), [], text)
        self.assertIn(" - ", self.status())


    def test_no_color_draws_without_colours(self):
        """NO_COLOR: the monochrome look (bold, reverse, underline), no
        colour at all; without it, colours are used."""
        def colours(raw):
            found = set()
            for params in re.findall(r"\x1b\[([0-9;]*)m", raw):
                for p in params.split(";"):
                    if p and p not in ("39", "49") and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                        found.add(int(p))
            return found
        tw = self.twoway(env={"NO_COLOR": "1"})
        self.s.wait_for("Grace Whitman")
        self.assertEqual(colours(self.s.raw()), set())
        self.assertIn("\x1b[7m", self.s.raw())  # the selection still shows
        tw.stop()
        self.twoway()
        self.s.wait_for("Grace Whitman")
        self.assertNotEqual(colours(self.s.raw()), set())


class HostileScreen(screen.ScreenCase):
    """Text from the network cannot drive the terminal. Bytes twowayd would
    never send (invalid UTF-8) come from a proxy that rewrites its answers,
    as a broken or hostile server could."""

    PHONE = "+15550108802"
    BAD = b"\xff\xfe\xc3(\xed\xa0\x80"  # stray bytes, a cut sequence, a surrogate
    LONG = b"0123456789" * 1000

    def test_hostile_message_is_rendered_inert(self):
        d = self.d
        # twowayd itself refuses a body that is not UTF-8 at its webhook.
        r = raw_sms_in(d, "+15550108803", b"bad " + self.BAD)
        self.assertEqual(r.status, 400, r.body)
        proxy = screen.Proxy(d)
        self.addCleanup(proxy.cleanup)
        proxy.rewrite = {b"@@BAD@@": self.BAD, b"@@LONG@@": self.LONG}
        tw = self.twoway(url=proxy.url)
        title = self.s.title()
        self.assertTrue(title.startswith("twoway"), title)

        hostile = ("Hi\x1b]0;PWNED0\x07 \x1b]2;PWNED2\x1b\\ \x1b[2J\x1b[10;10HMOVED"
                   " \u202eevil\u202c @@BAD@@ \x1b[31mred\x1b[0m end")
        self.assertEqual(d.sms_in(self.PHONE, "long: @@LONG@@").status, 200)
        self.assertEqual(d.sms_in(self.PHONE, hostile).status, 200)
        conv = screen.conv_by_phone(d, self.PHONE)
        self.s.keys("2")  # unassigned: the new conversation is on top
        self.s.wait_for(self.PHONE)
        self.open_conv(conv["id"], wait="MOVED")
        # Two more polls, each redrawing what changed, with all of it on screen.
        tw.synced()
        tw.synced()
        text = self.s.text()
        lines = self.s.lines()

        # Shown, visibly, on one line of the thread; nothing moved the cursor.
        line = next(x for x in lines if "MOVED" in x)
        self.assertIn("Hi␛]0;PWNED0␇ ␛]2;PWNED2␛\\ ␛[2J␛[10;10HMOVED evil", line)
        self.assertIn("␛[31mred␛[0m end", line)
        self.assertIn("\ufffd", line)  # the invalid bytes
        self.assertNotIn("\u202e", text)
        self.assertFalse(lines[9][9:].startswith("MOVED"), lines[9])
        # The long line is wrapped inside the thread pane.
        digits = [x for x in lines if "0123456789" in x]
        self.assertGreater(len(digits), 5)
        for x in digits:
            self.assertEqual(screen.width(screen.panes(x)[0]), LIST_W, x)
        # The rest of the screen is intact: tabs, every row's divider, the
        # header, the status and input lines.
        self.assertTrue(lines[0].startswith(" Mine "), lines[0])
        self.assertIn("Unassigned", lines[0])
        for y in range(1, 38):
            self.assertEqual(screen.width(screen.panes(lines[y])[0]), LIST_W,
                             "row %d:\n%s" % (y, text))
        # The header names the number once (the contact is named after it).
        self.assertEqual(screen.panes(lines[1])[1].strip(), self.PHONE)
        self.assertIn("online", lines[38])
        self.assertEqual(lines[39].strip(), "")
        # The list row's preview is the hostile text, inert too.
        row = next(i for i, x in enumerate(lines) if self.PHONE in screen.panes(x)[0])
        self.assertIn("Hi␛]0;PWNED0␇", screen.panes(lines[row + 1])[0])
        # The title is still ours, and only colour changes reach the pane.
        self.assertNotIn("PWNED", self.s.title())
        self.assertTrue(self.s.title().startswith("twoway"), self.s.title())
        raw = self.s.raw()
        bad = [e for e in ANY_ESC.findall(raw) if not SGR.fullmatch(e)]
        self.assertEqual(bad, [], "escape sequences other than SGR in the pane")
        self.assertTrue(self.s.alive())
        self.assertTrue(tw)


if __name__ == "__main__":
    unittest.main()
