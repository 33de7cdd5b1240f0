"""The agent's first hour on screen: the real twoway in tmux against a demo
twowayd, as Ann Lee (demo agent 0).

done resolves and opens the next one waiting (the longest wait first),
also across a refresh that takes the resolved row away; the selection
follows conversations, not row numbers; Enter in the thread opens the
composer; STOP and HELP answered by the system, and opted-out contacts,
do not wait. Each test that changes the inbox has a twowayd of its own.
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402


def name_of(c):
    return c["meta"]["sender"]["name"]


def waits(c):
    """Does the customer wait for a human answer (twowayd says so with
    waiting_since, which the system's answer to STOP or HELP clears)?"""
    opted = (c["meta"]["sender"].get("custom_attributes") or {}).get("sms_opt_out")
    return bool(c.get("waiting_since")) and not opted


def rows(d, who):
    """The list as twoway shows it: open, newest activity first."""
    return screen.conversations(d, status="open", assignee_type=who)


def longest_waiting(d, who, but=()):
    cands = [c for c in rows(d, who) if waits(c) and c["id"] not in but]
    return min(cands, key=lambda c: c["waiting_since"]) if cands else None


# Drawn between and around things, not marks that say something: the
# divider and the day's rule, a cut, the prompt's arrow, dashes, the zero
# width joiner inside an emoji.
LAYOUT = set("\u2502\u2500\u2026\u203a\u2014\u2013\u200d")


def symbols(text):
    """The symbols in text: punctuation, arrows, shapes, dingbats
    (U+2000-U+2BFF), as the marks of the list and the thread are."""
    return {c for c in text if 0x2000 <= ord(c) <= 0x2bff and c not in LAYOUT}


def their_symbols(d):
    """Those in what people wrote (names, labels, messages): theirs, not
    twoway's."""
    theirs = set()
    for c in screen.conversations(d, status="all", assignee_type="all"):
        theirs |= symbols(c["meta"]["sender"].get("name") or "")
        theirs |= symbols(" ".join(c.get("labels") or []))
        for m in screen.messages(d, c["id"]):
            theirs |= symbols(m.get("content") or "")
    return theirs


class FlowScreen(screen.ScreenCase):

    def list_pane(self):
        return "\n".join(screen.panes(line)[0] for line in self.s.lines()[1:-2])

    def wait_open(self, c):
        """The thread pane shows c: its header starts with the name."""
        self.s.wait(lambda: screen.panes(self.s.row(1))[1].startswith(name_of(c)),
                    "%s in the thread's header" % name_of(c))

    def test_done_opens_the_longest_wait_and_survives_a_refresh(self):
        d = screen.start_twowayd(self)
        tw = self.twoway(d)
        first = rows(d, "me")[0]
        self.s.keys("Enter")
        self.wait_open(first)
        nxt = longest_waiting(d, "me", but=(first["id"],))
        self.s.keys("d")
        self.wait_status("#%d resolved; next: #%d %s" % (first["id"], nxt["id"], name_of(nxt)))
        self.wait_open(nxt)
        # A refresh takes the resolved row away; the thread, the selection
        # and the keyboard stay with the conversation that was opened.
        tw.synced()
        self.s.wait(lambda: name_of(first) not in self.list_pane(), "the resolved row gone")
        self.assertEqual(d.api("GET", d.acc("/conversations/%d" % first["id"])).json["status"],
                         "resolved")
        third = longest_waiting(d, "me", but=(first["id"], nxt["id"]))
        self.s.keys("d")
        self.wait_status("#%d resolved; next: #%d %s" % (nxt["id"], third["id"], name_of(third)))
        self.wait_open(third)
        # Enter in the thread: the composer, for the conversation in it.
        self.s.keys("Enter")
        self.wait_status("Reply to #%d" % third["id"])
        self.escape()

    def test_w_looks_first_at_the_row_that_took_the_resolved_ones_place(self):
        d = screen.start_twowayd(self)
        tw = self.twoway(d)
        mine = rows(d, "me")
        # A row whose next row waits: resolve it; the next row moves up
        # into its place and is the one w finds, not one further down.
        i = next(k for k in range(len(mine) - 1) if waits(mine[k + 1]))
        for _ in range(i):
            self.s.keys("j")
        self.s.wait_for(name_of(mine[i]))
        mark = tw.log_mark()
        self.s.keys("x")
        self.wait_status("#%d resolved" % mine[i]["id"])
        tw.synced(mark)
        self.s.wait(lambda: name_of(mine[i]) not in self.list_pane(), "the resolved row gone")
        self.s.keys("w")
        self.s.keys("Enter")
        self.wait_open(mine[i + 1])

    def test_help_and_stop_answered_and_opted_out_do_not_wait(self):
        d = screen.start_twowayd(self)
        for phone, text in (("+15550107201", "HELP"), ("+15550107202", "STOP"),
                            ("+15550107203", "Can I come at 4 instead?")):
            r = d.sms_in(phone, text)
            self.assertEqual(r.status, 200, r.body)
        self.twoway(d)
        self.s.keys("2")  # unassigned: where new numbers land
        self.s.wait_for("+15550107203")
        text = self.list_pane()
        for phone, waiting in (("+15550107201", False), ("+15550107202", False),
                               ("+15550107203", True)):
            row = next(line for line in text.split("\n") if phone in line)
            self.assertEqual("⏳" in row, waiting, row)
        # w from the newest (the question) goes past HELP and STOP, and
        # past the demo's own answered HELP and opted-out rows.
        order = rows(d, "unassigned")
        self.assertEqual(order[0]["meta"]["sender"]["phone_number"], "+15550107203")
        want = next(c for c in order[1:] if waits(c))
        self.s.keys("g")
        self.s.keys("w")
        self.s.keys("Enter")
        self.wait_open(want)

    # ---- templates ----

    def draft(self, tw, conv):
        """The draft twoway keeps for conv, or None."""
        paths = glob.glob(os.path.join(tw.state_home, "twoway", "*", "draft-%d.txt" % conv))
        if not paths:
            return None
        with open(paths[0]) as f:
            return f.read()

    def overlay_rows(self):
        return [screen.panes(line)[1].strip() for line in self.s.lines()[1:-2]]

    def test_picker_finds_by_short_code_start_and_says_whose_agent_variables(self):
        self.twoway()
        # #41 has no assignee and a contact known only by the number.
        self.open_conv(41)
        self.s.wait(lambda: screen.panes(self.s.row(1))[1].startswith("+15550101041"),
                    "#41 open")
        self.s.keys("T")
        self.s.wait_for("Templates")
        self.s.type("/th")
        self.s.wait(lambda: self.overlay_rows()[1].startswith("/thanks"),
                    "/thanks first for /th")
        self.s.keys("Escape")
        self.s.wait_gone("Templates")
        self.s.keys("T")
        self.s.type("hello")
        hello = self.s.wait(lambda: next((r for r in self.overlay_rows()
                                          if r.startswith("/hello")), None), "/hello listed")
        self.assertIn("agent: you (nobody has it)", hello)
        self.s.keys("Escape")
        self.s.wait_gone("Templates")

    def test_one_reply_holds_several_templates_at_the_cursor(self):
        d = screen.start_twowayd(self)
        tw = self.twoway(d)
        grace = screen.conv_by_phone(d, "+15550101016")
        self.open_conv(grace["id"])
        self.s.keys("r")
        self.wait_status("Reply to #%d" % grace["id"])
        # A short code's start, a word of a template's text, and one put
        # in at the start of the line, before what is there.
        self.s.type("Sure. /th")
        self.s.keys("Tab")
        self.s.type(" /card")
        self.s.keys("Tab")
        self.s.keys("C-a")
        self.s.type("/hou ")
        self.s.keys("Left")
        self.s.keys("Tab")
        self.s.wait_for(re.compile(r"› We're open Mon-Fri"), row=-1)
        self.escape()
        want = ("We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00. Sure. Thanks Grace! Anything "
                "else I can help with? Could you text us a photo of the front and back of your "
                "insurance card?")
        self.s.wait(lambda: self.draft(tw, grace["id"]) == want, "the draft with all three")
        # The picker with the composer closed: after the draft, not over it.
        self.s.keys("T")
        self.s.wait_for("Templates")
        self.s.type("confirm")
        self.s.wait(lambda: self.overlay_rows()[1].startswith("/confirm"), "/confirm")
        self.s.keys("Enter")
        self.wait_status("draft restored")
        self.wait_input("Reply C to cancel.")
        self.escape()
        self.s.wait(lambda: self.draft(tw, grace["id"]) ==
                    want + " You're all set, Grace. See you then! Reply C to cancel.",
                    "the draft with the fourth")

    # ---- replies that did not go out ----

    def row_of(self, name):
        return next((line for line in self.list_pane().split("\n") if name in line), "")

    def test_rows_mark_a_failed_reply_an_unsent_one_and_a_draft(self):
        d = screen.start_twowayd(self)
        grace = screen.conv_by_phone(d, "+15550101016")
        lena = screen.conv_by_phone(d, "+15550101009")
        priya = screen.conv_by_phone(d, "+15550101003")
        # A reply the carrier could not deliver (as its status callback
        # would say).
        r = d.api("POST", d.acc("/conversations/%d/messages" % priya["id"]),
                  {"content": "Your parcel is at the front desk", "message_type": "outgoing"})
        self.assertEqual(r.status, 200, r)
        screen.twtest.edit_db(d, lambda c: c.execute(
            "UPDATE messages SET status = 'failed', content_attributes = "
            "json_set(content_attributes, '$.external_error', '30003 - Unreachable') "
            "WHERE id = ?", (r.json["id"],)))
        p = screen.Proxy(d)
        self.addCleanup(p.cleanup)
        p.answer = lambda method, path: (
            (422, b'{"message":"Blocked by a test"}')
            if method == "POST" and path.endswith("/conversations/%d/messages" % grace["id"])
            else None)
        tw = self.twoway(d, url=p.url)
        self.s.wait(lambda: "✗" in self.row_of("Priya Raman"), "✗ on Priya's row")
        # A refused reply comes back to the composer; left there, it is
        # the conversation's draft, and the row says so.
        self.open_conv(grace["id"])
        self.s.keys("r")
        self.wait_status("Reply to #%d" % grace["id"])
        self.s.type("See you at 8:30")
        self.s.keys("Enter")
        self.wait_status("Blocked by a test")
        self.escape()
        self.s.wait(lambda: "✎" in self.row_of("Grace Whitman"), "✎ on Grace's row")
        # The server away: a reply waits in the outbox, marked, and named.
        self.open_conv(lena["id"])
        p.fail = 503
        self.s.keys("r")
        self.wait_status("Reply to #%d" % lena["id"])
        self.s.type("Enjoy the trip")
        self.s.keys("Enter")
        self.s.wait(lambda: "↑" in self.row_of("Lena Fischer") or
                    "?" in self.row_of("Lena Fischer"), "a mark on Lena's row")
        self.wait_status(re.compile(r"(unsent|may have been sent) in #%d Lena Fischer" %
                                    lena["id"]))
        seen = symbols(self.s.text())
        p.fail = None
        tw.synced()
        self.command("unsent")
        self.s.wait_for("#%d Priya Raman  failed at the carrier (30003 - Unreachable): Your "
                        "parcel is at the front desk" % priya["id"])
        if "Output \u2014" in self.s.text():  # more than a line: the pager
            self.s.keys("q")
            self.s.wait_gone("Output \u2014")
        # Every symbol drawn on the way (the marks above, the thread's
        # arrows, ticks and failures, a note) is in the legend of ?.
        self.s.keys("3")
        for conv in (priya, grace, lena):
            self.open_conv(conv["id"])
            self.s.wait(lambda: screen.panes(self.s.row(1))[1].startswith(name_of(conv)),
                        "%s open" % name_of(conv))
            seen |= symbols(self.s.text())
        self.assertTrue({"\u2717", "\u270e", "\u25c0", "\u25b6", "\u2713"} <= seen, seen)
        self.s.keys("?")
        self.s.wait_for("Symbols")
        legend = self.thread()
        self.assertIn("Keys everywhere", legend)
        legend = legend[legend.index("Symbols"):legend.index("Keys everywhere")]
        unexplained = seen - their_symbols(d) - symbols(legend)
        self.assertEqual(unexplained, set(), legend)
        self.s.keys("q")
        self.s.wait_gone("Symbols")
    # ---- the screen's polish ----

    def test_help_shows_a_legend_of_every_symbol(self):
        self.twoway()
        self.s.keys("?")
        self.s.wait_for("Symbols")
        text = self.s.text()
        for glyph, meaning in (("▌", "the selection"), ("● (3)", "unread messages"),
                               ("⏳ 5m", "the customer waits"), ("‼  !", "urgent, high"),
                               ("✗", "a reply failed"), ("↑", "a reply not sent yet"),
                               ("✎", "a draft is kept"), ("✓  ✓✓  ✓✓ read", "sent, delivered")):
            self.assertRegex(text, re.escape(glyph) + r" +" + re.escape(meaning))
        self.s.keys("q")
        self.s.wait_gone("Symbols")

    def legend_line(self, meaning):
        """The pane's rows from the one that starts meaning, joined."""
        rows = [line.strip() for line in self.thread().split("\n")]
        at = next((i for i, r in enumerate(rows) if meaning in r), None)
        return " ".join(rows[at:at + 3]) if at is not None else ""

    def test_help_wraps_to_its_pane_and_follows_a_resize(self):
        """At 80 columns the help has 37 beside the list: each meaning is
        there whole, on lines of its own; a resize lays it out anew."""
        self.twoway(width=80, height=30)
        self.s.keys("?")
        self.s.wait_for("Symbols")
        whole = "a reply failed (the server or the carrier refused it)"
        self.s.wait(lambda: whole in self.legend_line("a reply failed"), "the meaning whole")
        self.assertNotIn("\u2026", self.thread())
        self.s.resize(120, 40)
        # Beside the list again, one line a symbol, as wide as the pane.
        self.s.wait(lambda: re.search(r"\u2717 +" + re.escape(whole), self.thread()),
                    "the meaning beside its symbol")
        self.assertEqual(self.s.row(2).find("\u2502"), 42)
        self.s.resize(80, 30)
        self.s.wait(lambda: whole in self.legend_line("a reply failed") and
                    not re.search(r"\u2717 +a reply", self.thread()), "wrapped again")
        self.s.keys("q")
        self.s.wait_gone("Symbols")

    def test_a_wide_terminal_widens_the_list(self):
        self.twoway(width=250)
        self.s.wait(lambda: self.s.row(2).find("│") == 75, "the divider at 75 (30% of 250)")
        self.command("set list_share = 0")
        self.s.wait(lambda: self.s.row(2).find("│") == 42, "the divider back at list_width")

    def test_four_labels_leave_room_for_the_preview(self):
        d = screen.start_twowayd(self)
        grace = screen.conv_by_phone(d, "+15550101016")
        r = d.api("POST", d.acc("/conversations/%d/labels" % grace["id"]),
                  {"labels": ["appointment", "follow-up", "vip", "complaint"]})
        self.assertEqual(r.status, 200, r)
        self.twoway(d)
        row = self.s.wait(lambda: next((self.s.lines()[i + 1] for i, line in
                                        enumerate(self.s.lines()) if "Grace Whitman" in line),
                                       None), "Grace's row")
        self.assertIn("Yes 8:30 wor", screen.panes(row)[0])

    def test_a_limit_while_scrolled_shows_its_first_match(self):
        d = screen.start_twowayd(self)
        self.twoway(d)
        self.s.keys("3")  # all: more rows than the pane holds
        every = rows(d, "all")
        self.s.wait_for("%d/%d" % (1, len(every)), row=0)
        self.s.keys("G")
        self.s.wait_for("%d/%d" % (len(every), len(every)), row=0)
        urgent = [c for c in every if c.get("priority") == "urgent"]
        self.command("limit ~p urgent")
        # The first match selected, at the top, and counted over the inbox.
        self.s.wait_for("1/%d" % len(urgent), row=0)
        self.assertIn(name_of(urgent[0]), screen.panes(self.s.row(1))[0])

    def test_a_count_over_rows_not_loaded_says_it_is_partial(self):
        """1,100 more unassigned conversations (44 pages): a limit on text,
        which the server cannot filter by, looks through 40 pages and says
        its count is partial; bottom looks through the rest, and the count
        is whole."""
        d = screen.start_twowayd(self)
        now = int(time.time()) - 86400
        lines = "".join(json.dumps({
            "contact": {"phone": "+1556%07d" % i}, "status": "open",
            "labels": ["vip"] if i % 30 == 0 else [],
            "messages": [{"type": "incoming", "content": "Where is parcel %d?" % i,
                          "created_at": now - 60 * i}]}) + "\n" for i in range(1100))
        r = subprocess.run([screen.twtest.binary("twowayd"), "--db", d.db, "admin", "import",
                            "--file", "-", "--account", "1"], input=lines, capture_output=True, text=True,
                           timeout=screen.TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        # "parcel" and "7": 7, 17, ... 1097, the newest first; those of
        # the last pages are not among the first 41 loaded.
        want = sum("7" in str(i) for i in range(1100))
        self.twoway(d)
        self.s.keys("2")
        self.wait_position(1)
        # A label the server filters by: its count is the server's, whole,
        # with only the filter's first page loaded.
        vip = [c for c in rows(d, "unassigned") if "vip" in (c.get("labels") or [])]
        self.assertGreater(len(vip), 25)
        self.command("limit ~l vip")
        self.s.wait_for(re.compile(r" 1/%d$" % len(vip)), row=0)
        self.command("limit parcel 7")
        m = self.s.wait_for(re.compile(r" 1/(\d+) \+more \(count partial\)$"), row=0)
        self.assertLess(int(m.group(1)), want)
        self.s.keys("G")
        self.s.wait_for(re.compile(r" %d/%d$" % (want, want)), row=0)
        self.assertIn("parcel 1097?", self.list_pane())

    def test_search_results_say_their_status(self):
        d = screen.start_twowayd(self)
        self.twoway(d)
        self.s.keys("3")
        self.command("search see you")
        self.s.wait_for("status:any", row=0)
        self.s.wait_for("search:see you", row=0)
        self.s.wait(lambda: " open" in self.list_pane() and " resolved" in self.list_pane(),
                    "open and resolved rows, each saying so")

    def test_snooze_completes_and_refuses_a_time_that_has_passed(self):
        self.twoway()
        self.s.keys("Enter")  # the first conversation
        self.s.keys("z")
        self.wait_input(re.compile(r"^:snooze$"))  # the pane drops trailing spaces
        self.s.keys("Tab")
        self.wait_status("next-reply")
        self.assertIn("tomorrow", self.status())
        self.s.type("to")
        self.s.keys("Tab")
        self.wait_input(re.compile(r"^:snooze tomorrow$"))
        self.s.keys("C-u")
        self.s.type("snooze 00:00")
        self.s.keys("Enter")
        self.wait_status("00:00 today has passed (for tomorrow: snooze tomorrow 00:00)")

    def test_the_demo_leaves_nothing_behind_when_its_terminal_goes(self):
        """A demo's database, log and state are in one temporary directory:
        closing the terminal (SIGHUP) or a SIGTERM takes it away, and its
        twowayd with it, as quitting does."""
        for sig in (signal.SIGHUP, signal.SIGTERM):
            tmp = tempfile.mkdtemp(prefix="twoway-demo-test-")
            self.addCleanup(shutil.rmtree, tmp, True)
            tw = screen.start_twoway(self, None, args=["--demo"], env={"TMPDIR": tmp},
                                     url="http://127.0.0.1:9", wait=None)
            self.s = tw.screen
            self.s.wait_for("Ann Lee", row=-2)
            [demo] = os.listdir(tmp)
            self.assertTrue(os.path.exists(os.path.join(tmp, demo, "demo.db")))
            server = [int(p) for p in os.listdir("/proc") if p.isdigit() and
                      demo in self.cmdline(int(p)) and "twowayd" in self.cmdline(int(p))]
            self.assertEqual(len(server), 1, server)
            os.kill(tw.pid(), sig)
            self.s.wait(lambda: not self.s.alive(), "twoway to end on %s" % sig.name)
            self.s.wait(lambda: os.listdir(tmp) == [], "%s removed" % demo)
            self.s.wait(lambda: demo not in self.cmdline(server[0]), "its twowayd gone")
            self.assertEqual(os.listdir(tw.state_home), [])

    @staticmethod
    def cmdline(pid):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    # ---- errors that say what happened ----

    def test_a_wrong_account_is_said_at_once_and_ends_with_status_2(self):
        # Ann's token, an account she is no member of: not "Loading…".
        tw = screen.start_twoway(self, self.d, wait=None, env={"TWOWAY_ACCOUNT": "2"},
                                 shell=True)
        self.s = tw.screen
        self.wait_list_words("account 2: You are not authorized")
        self.assertNotIn("Loading", self.list_pane())
        self.wait_status("not signed in: account 2")
        self.s.keys("q")
        self.s.wait_for(tw.PROMPT.strip())
        self.s.type("echo status=$?")
        self.s.keys("Enter")
        self.s.wait_for("status=2")


if __name__ == "__main__":
    unittest.main()
