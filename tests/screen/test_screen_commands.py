"""The command language on screen: the `:` line (readline, Tab completion,
history kept across restarts), key bindings from the config file, the
template picker and /shortcode expansion in the composer, and commands on
several marked conversations at once (the `;` prefix).

The agent is Ann Lee; Mike Sullivan (#30) is hers. The demo's canned
responses include /hello ("Hi {{contact.first_name}}, this is
{{agent.first_name}} at Bayside Dental. How can I help?") and /resched.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"

CONFIG = screen.CONFIG + """\
# a binding of our own, and a local template
bind list K next
bind global F2 command-line "tag "
template bye Bye {{contact.first_name}}, take care!
"""


class CommandsScreen(screen.ScreenCase):

    def tab_completes(self, typed, want):
        """Type at the `:` line, Tab, and see the line become want."""
        self.s.type(typed)
        self.s.wait(lambda: self.input_line().endswith(typed), "%r typed" % typed)
        self.s.keys("Tab")
        self.wait_input(re.compile("^:" + re.escape(want) + "$"))

    def test_command_line_tab_completion(self):
        self.twoway()
        self.s.keys(":")
        self.wait_input(re.compile("^:$"))
        # A command name, with the space after it (the cursor shows it).
        self.tab_completes("as", "assign")
        self.assertEqual(self.s.cursor(), (len(":assign "), 39))
        # An agent (by the first name, what `assign` takes).
        self.tab_completes("Ch", "assign Chloe")
        self.s.keys("C-u")
        self.tab_completes("tag +app", "tag +appointment")
        self.s.keys("C-u")
        self.tab_completes("set poll_", "set poll_interval")
        # More than one candidate: the common part, and the list shown.
        self.s.keys("C-u")
        self.s.type("filter ")
        self.wait_input(":filter")
        self.s.keys("Tab")
        self.wait_status("mine")
        self.assertIn("unassigned", self.status())
        self.assertIn("all", self.status())
        self.s.keys("C-u")
        self.escape()

    def test_exec_commands_run_in_order_before_the_screen_is_used(self):
        """twoway -e CMD... runs the commands after the config, in order,
        once the first sync is in: here a filter, then opening one."""
        robert = screen.conv_by_phone(self.d, "+15550101004")
        self.twoway(args=["-e", "filter all", "-e", "open %d" % robert["id"]],
                    wait="Robert Chen · +15550101004")
        self.s.wait_for("All ", row=0)
        # "all" lists other agents' conversations, which Ann's "mine" does not.
        self.s.wait(lambda: any(re.search(r"\b(Ben|Chloe)\b", screen.panes(line)[0])
                                for line in self.s.lines()[1:-2]),
                    "another agent's conversation in the list")

    def test_output_of_several_lines_opens_a_pager(self):
        """:agents says three lines: they open in a pager; a one-line
        answer (:whoami) stays in the status line."""
        self.twoway()
        self.s.keys(":")
        self.s.type("agents")
        self.s.keys("Enter")
        self.s.wait_for("Output")
        for name in ("Ann Lee", "Ben Ortiz", "Chloe Park"):
            self.s.wait_for(name)
        self.s.keys("q")
        self.s.wait_gone("Output")
        self.s.keys(":")
        self.s.type("whoami")
        self.s.keys("Enter")
        self.wait_status_area("Ann Lee <ann@bayside.example>")
        self.assertNotIn("Output", self.s.text())

    def test_command_history_survives_a_restart(self):
        tw = self.twoway()
        self.command("filter unassigned")
        self.wait_tab("Unassigned")
        self.command("filter mine")
        self.wait_tab("Mine")
        self.s.keys(":")
        self.wait_input(re.compile("^:$"))
        self.s.keys("Up")
        self.wait_input(re.compile("^:filter mine$"))
        self.s.keys("Up")
        self.wait_input(re.compile("^:filter unassigned$"))
        self.s.keys("Down")
        self.wait_input(re.compile("^:filter mine$"))
        self.s.keys("C-u")
        self.escape()
        # q quits; the history is written on the way out, under XDG_STATE_HOME.
        self.s.keys("q")
        self.s.wait(lambda: not self.s.alive(), "twoway to quit")
        hist = [os.path.join(r, f) for r, _, fs in os.walk(tw.state_home) for f in fs
                if f == "history"]
        self.assertEqual(len(hist), 1, hist)
        with open(hist[0]) as f:
            self.assertIn("filter unassigned", f.read())
        tw.restart()
        self.s.wait_for("Grace Whitman")
        self.s.keys(":")
        self.wait_input(re.compile("^:$"))
        self.s.keys("Up")
        self.wait_input(re.compile("^:filter mine$"))
        self.s.keys("Enter")
        self.wait_input_empty()
        self.wait_tab("Mine")

    def test_key_binding_from_the_config_file(self):
        self.twoway(config=CONFIG)
        mine = len(screen.conversations(self.d, status="open", assignee_type="me"))
        self.wait_position(1, mine)
        self.s.keys("K")
        self.wait_position(2, mine)
        self.s.keys("K")
        self.wait_position(3, mine)
        self.s.keys("F2")
        self.wait_input(re.compile("^:tag$"))
        self.s.keys("C-u")
        self.escape()
        # The help screen is made from the key table: the binding is in it.
        self.s.keys("?")
        self.s.wait_for("Keys everywhere")
        self.s.keys("G")
        self.s.wait_for("batch_wait")  # the last setting: the end of the help
        self.s.keys("g")
        self.s.wait_for("Keys everywhere")
        for _ in range(3):
            if re.search(r"K\s+next", self.s.text()):
                break
            before = self.s.text()
            self.s.keys("NPage")
            self.s.wait(lambda: self.s.text() != before, "the help to page down")
        self.s.wait_for(re.compile(r"K\s+next"))
        self.s.keys("q")
        self.s.wait_gone("Keys everywhere")

    def test_template_picker_and_shortcode(self):
        self.twoway(config=CONFIG)
        conv = screen.conv_by_phone(self.d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        self.s.keys("T")
        self.s.wait_for("Templates — type to filter")
        # Short codes with their SMS counts, previews filled in for Mike.
        self.wait_thread("/hello  (1 SMS, GSM-7)")
        self.wait_thread("Hi Mike, this is Ann at Bayside Dental. How can I help?")
        self.wait_thread("/bye [local]  (1 SMS, GSM-7)")
        self.wait_thread("Bye Mike, take care!")
        self.assertNotIn("{{", self.thread())
        # Typing filters.
        self.s.type("resch")
        self.s.wait_gone("/hello")
        self.wait_thread("/resched  (1 SMS, GSM-7)")
        self.assertNotIn("/bye", self.thread())
        # Its preview is wider than the pane: cut, and it says so.
        self.wait_thread(re.compile(r"Hi Mike, no problem\. We have openings .*…"))
        # Enter: into the composer for this conversation.
        self.s.keys("Enter")
        want = ("reply #%d Mike Sullivan › Hi Mike, no problem. We have openings Tue 10:00, "
                "Wed 14:30 or Fri 09:15. Which works best?") % conv
        self.wait_input(want)
        self.s.wait_gone("Templates — type to filter")
        self.assertIn("GSM-7 90/160 · 1/10 SMS", self.status())
        # /shortcode and Tab at the start of the composer expands it.
        self.s.keys("C-u")
        self.s.type("/hel")
        self.wait_input("› /hel")
        self.s.keys("Tab")
        hello = "Hi Mike, this is Ann at Bayside Dental. How can I help?"
        self.wait_input("reply #%d Mike Sullivan › %s" % (conv, hello))
        self.s.keys("Enter")
        self.wait_input_empty()
        screen.twtest.wait_for(lambda: hello in self.contents(conv),
                               what="the expanded template in twowayd")
        self.assertEqual(self.contents(conv).count(hello), 1)

    def mark_three_unassigned(self):
        unassigned = screen.conversations(self.d, status="open", assignee_type="unassigned")
        ids = [c["id"] for c in unassigned[:3]]
        self.s.keys("2")
        self.wait_tab("Unassigned")
        self.wait_position(1, len(unassigned))
        self.s.wait_for(unassigned[0]["meta"]["sender"]["name"], row=1)
        for i in range(3):
            self.s.keys("Space")
            self.s.wait(lambda: self.s.text().count("\n *") == i + 1, "%d marked" % (i + 1))
            self.s.keys("j")
            self.wait_position(i + 2)
        return ids

    def assignee(self, conv):
        r = self.d.api("GET", self.d.acc("/conversations/%d" % conv))
        a = r.json["meta"].get("assignee")
        return a and a["name"]

    def test_bulk_assign_to_me_with_the_prefix_key(self):
        self.twoway()
        ids = self.mark_three_unassigned()
        self.s.keys(";")
        self.wait_status("the next command applies to the 3 marked conversations")
        self.s.keys("A")
        self.wait_status("assign: 3 of 3 done")
        for conv in ids:
            self.assertEqual(self.assignee(conv), "Ann Lee", conv)

    def test_bulk_assign_from_the_command_line(self):
        self.twoway()
        ids = self.mark_three_unassigned()
        self.s.keys(";")
        self.wait_status("3 marked")
        self.s.keys(":")
        self.wait_input(re.compile("^marked:$"))
        self.s.type("assign Ben")
        self.s.keys("Enter")
        self.wait_status("assign: 3 of 3 done")
        for conv in ids:
            self.assertEqual(self.assignee(conv), "Ben Ortiz", conv)
        # The prefix was for that one line: the next `:` line is plain.
        self.s.keys(":")
        self.wait_input(re.compile("^:$"))
        self.escape()


if __name__ == "__main__":
    unittest.main()
