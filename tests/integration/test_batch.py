"""twoway --batch against a real twowayd: command scripts (standard input,
a file, -e) change the server's state, and the test checks that state
through twowayd's own API; --json output is parsed line by line; exit
codes and the error messages on stderr.

Each test works on its own demo conversation, so the order of the tests
does not matter. Outgoing SMS go to a fake Twilio on 127.0.0.1."""
import calendar
import json
import os
import stat
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

HELLO = "Hi Maria, this is Ben at Bayside Dental. How can I help?"


# Runs the real twoway binary with a private HOME and XDG dirs.
Runner = twtest.TwowayRunner


class Base(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.r = Runner(cls.d)
        cls.ben = cls.d.agent(1)

    @classmethod
    def tearDownClass(cls):
        cls.r.cleanup()
        cls.d.cleanup()
        cls.fake.cleanup()

    def conv(self, cid):
        r = self.d.api("GET", self.d.acc("/conversations/%d" % cid))
        self.assertEqual(r.status, 200, r)
        return r.json

    def messages(self, cid):
        r = self.d.api("GET", self.d.acc("/conversations/%d/messages" % cid))
        self.assertEqual(r.status, 200, r)
        return r.json["payload"]

    def labels(self, cid):
        r = self.d.api("GET", self.d.acc("/conversations/%d/labels" % cid))
        return sorted(r.json["payload"])

    def ok(self, script, **kw):
        rc, out, err = self.r.run(script, **kw)
        self.assertEqual(rc, 0, "stdout:\n%s\nstderr:\n%s" % (out, err))
        self.assertEqual(err, "")
        return out

    def failing(self, script, **kw):
        rc, out, err = self.r.run(script, **kw)
        self.assertEqual(rc, 1, "stdout:\n%s\nstderr:\n%s" % (out, err))
        return out, err

    def records(self, out):
        return [json.loads(line) for line in out.splitlines() if line.strip()]


class Actions(Base):
    """Scripts that change the server."""

    def test_tag_adds_and_removes_keeping_the_other_labels(self):
        self.assertEqual(self.labels(9), ["vip"])
        out = self.ok("open 9\ntag +billing Complaint\n")
        self.assertIn("labels: billing, complaint, vip", out)
        self.assertEqual(self.labels(9), ["billing", "complaint", "vip"])
        self.ok("open 9\ntag -vip\n")
        self.assertEqual(self.labels(9), ["billing", "complaint"])
        self.assertEqual(sorted(self.conv(9)["labels"]), ["billing", "complaint"])

    def test_unknown_label_suggests_and_changes_nothing(self):
        before = self.labels(5)
        out, err = self.failing("open 5\ntag +vip billng\n")
        self.assertIn('twoway: (stdin):2: tag: unknown label "billng" (did you mean billing?)', err)
        self.assertEqual(self.labels(5), before)

    def test_assign_by_prefix_email_id_me_and_none(self):
        script = ("open 2\nassign chl\nassign ann@bayside.example\nassign 2\nassign none\n"
                  "assign me\n")
        recs = self.records(self.ok(script, json_out=True))
        got = [r["assignee"]["id"] if r["assignee"] else None
               for r in recs if r.get("command") == "assign"]
        self.assertEqual(got, [3, 1, 2, None, 2])
        self.assertTrue(all(r["ok"] and r["conversation"] == 2 for r in recs))
        self.assertEqual(self.conv(2)["meta"]["assignee"]["id"], 2)

    def test_assign_with_no_matching_agent_fails(self):
        out, err = self.failing("open 26\nassign zed\n")
        self.assertIn('twoway: (stdin):2: assign: no agent matching "zed"', err)
        self.assertNotIn("assignee", self.conv(26)["meta"])

    def test_team_by_prefix_and_none(self):
        self.ok("open 40\nteam front\n")
        self.assertEqual(self.conv(40)["meta"]["team"]["name"], "Front desk")
        self.ok("open 40\nteam none\n")
        self.assertNotIn("team", self.conv(40)["meta"])

    def test_reply_with_template_fills_in_contact_and_assignee(self):
        rc, out, err = self.r.run("open 1\nreply --template hello\n", json_out=True)
        self.assertEqual(rc, 0, err)
        [rec] = [r for r in self.records(out) if r.get("command") == "reply"]
        self.assertTrue(rec["ok"])
        self.assertTrue(rec["echo_id"])
        last = self.messages(1)[-1]
        self.assertEqual(last["content"], HELLO)
        self.assertEqual(last["id"], rec["message_id"])
        self.assertFalse(last["private"])
        self.assertEqual(last["message_type"], 1)

    def test_retry_sends_an_undelivered_reply_again_as_a_new_message(self):
        text = "Your crown is ready %d" % time.time()
        self.ok("open 1\nreply --force \"%s\"\n" % text)
        sent = [m for m in self.messages(1) if m["content"] == text]
        self.assertEqual(len(sent), 1)
        # The carrier did not deliver it (as a status callback would say).
        mid = sent[0]["id"]
        twtest.edit_db(self.d, lambda c: c.execute(
            "UPDATE messages SET status = 'failed', content_attributes = "
            "json_set(content_attributes, '$.external_error', '30003 - Unreachable') "
            "WHERE id = ?", (mid,)))
        self.r.d = self.d
        out = self.ok("open 1\nretry\n", json_out=True)
        [rec] = [r for r in self.records(out) if r.get("command") == "retry"]
        self.assertTrue(rec["ok"])
        again = [m for m in self.messages(1) if m["content"] == text]
        self.assertEqual(len(again), 2)
        self.assertEqual(again[1]["id"], rec["message_id"])
        self.assertGreater(again[1]["id"], mid)
        # Nothing left to retry is an error, not a silent success.
        _, err = self.failing("open 1\nnote \"x\"\nopen 2\nretry\n")
        self.assertIn("no failed reply", err)

    def test_note_is_private(self):
        self.ok("open 15\nnote \"Called her back, booked 9:30\"\n")
        last = self.messages(15)[-1]
        self.assertEqual(last["content"], "Called her back, booked 9:30")
        self.assertTrue(last["private"])

    def test_new_starts_an_outbound_conversation(self):
        rc, out, err = self.r.run("new +15550101002 Hi James, your order BD-20931 shipped today\n",
                                  json_out=True)
        self.assertEqual(rc, 0, err)
        [rec] = self.records(out)
        self.assertEqual(rec["command"], "new")
        self.assertEqual(rec["contact"]["phone"], "+15550101002")
        c = self.conv(rec["conversation"])
        self.assertEqual(c["meta"]["sender"]["phone_number"], "+15550101002")
        msgs = self.messages(rec["conversation"])
        self.assertEqual(msgs[-1]["content"], "Hi James, your order BD-20931 shipped today")
        self.assertEqual(msgs[-1]["message_type"], 1)

    def test_status_resolve_reopen_pending(self):
        self.ok("open 25\nresolve\n")
        self.assertEqual(self.conv(25)["status"], "resolved")
        self.ok("open 25\nreopen\n")
        self.assertEqual(self.conv(25)["status"], "open")
        self.ok("open 25\npending\n")
        self.assertEqual(self.conv(25)["status"], "pending")

    def snoozed_until(self, cid):
        c = self.conv(cid)
        self.assertEqual(c["status"], "snoozed")
        return calendar.timegm(time.strptime(c["snoozed_until"][:19], "%Y-%m-%dT%H:%M:%S"))

    def test_snooze_for_a_duration_and_until_a_date(self):
        before = int(time.time())
        self.ok("open 27\nsnooze 2h\n")
        after = time.time()
        # Two hours from when the command ran (whole seconds).
        self.assertTrue(before + 7200 <= self.snoozed_until(27) <= after + 7200,
                        (before, self.snoozed_until(27), after))
        self.ok("open 27\nsnooze 2027-03-01 09:00\n")  # TZ=UTC in the runner
        self.assertEqual(self.snoozed_until(27), calendar.timegm((2027, 3, 1, 9, 0, 0)))
        self.ok("open 27\nsnooze next-reply\n")
        c = self.conv(27)
        self.assertEqual(c["status"], "snoozed")
        self.assertIsNone(c["snoozed_until"])

    def test_priority_set_and_cleared(self):
        self.ok("open 43\npriority urgent\n")
        self.assertEqual(self.conv(43)["priority"], "urgent")
        self.ok("open 43\npriority none\n")
        self.assertIsNone(self.conv(43)["priority"])

    def test_mark_unread_and_read(self):
        self.ok("open 13\nmark-read\n")
        self.assertEqual(self.conv(13)["unread_count"], 0)
        self.ok("open 13\nmark-unread\n")
        self.assertGreater(self.conv(13)["unread_count"], 0)
        self.ok("open 13\nmark-read\n")
        self.assertEqual(self.conv(13)["unread_count"], 0)

    def test_bad_arguments_are_errors(self):
        out, err = self.failing("open 44\npriority foo\nsnooze yesterday\nsnooze 2020-01-01\n")
        self.assertIn('twoway: (stdin):2: priority: unknown priority "foo"', err)
        self.assertIn('twoway: (stdin):3: snooze: cannot read "yesterday"', err)
        self.assertIn('twoway: (stdin):4: snooze: "2020-01-01" is in the past', err)
        self.assertEqual(self.conv(44)["status"], "pending")

    def test_failures_exit_1_and_later_commands_still_run(self):
        out, err = self.failing("frobnicate\nopen 42\npriority high\n")
        self.assertIn("twoway: (stdin):1: frobnicate: unknown command\n", err)
        self.assertEqual(self.conv(42)["priority"], "high")

    def test_unfilled_variable_sends_nothing(self):
        before = len(self.messages(3))
        out, err = self.failing("open 3\nreply --force Is {{contact.email}} still right?\n")
        self.assertIn("twoway: (stdin):2: reply: ", err)
        self.assertIn("{{contact.email}}", err)
        self.assertEqual(len(self.messages(3)), before)

    def test_reply_to_opted_out_contact_is_refused(self):
        before = len(self.messages(7))
        out, err = self.failing("open 7\nreply Are you still there?\n")
        self.assertIn("replied STOP and has opted out of SMS; only notes are possible", err)
        self.assertEqual(len(self.messages(7)), before)
        self.ok("open 7\nnote customer opted out, do not text\n")
        self.assertTrue(self.messages(7)[-1]["private"])

    def test_foreign_owner_reply_needs_force(self):
        before = len(self.messages(4))
        out, err = self.failing("open 4\nreply Hi Robert, I'm on it\n")
        self.assertIn("twoway: (stdin):2: reply: #4 is assigned to Chloe Park; use reply --force "
                      "(or set confirm_foreign_reply = no)", err)
        self.assertEqual(len(self.messages(4)), before)
        self.ok("open 4\nreply --force Hi Robert, I'm on it\n")
        self.assertEqual(self.messages(4)[-1]["content"], "Hi Robert, I'm on it")
        self.ok("set confirm_foreign_reply = no\nopen 4\nreply Refund is on its way\n")
        self.assertEqual(self.messages(4)[-1]["content"], "Refund is on its way")

    def test_reply_since_refuses_when_the_customer_wrote_meanwhile(self):
        last = self.messages(21)[-1]["id"]
        r = self.d.sms_in("+15550101021", "Are you there??")
        self.assertEqual(r.status, 200, r)
        out, err = self.failing("open 21\nreply --since %d On it\n" % last)
        self.assertIn('Patricia wrote since you started: "Are you there??"', err)
        self.assertNotEqual(self.messages(21)[-1]["content"], "On it")

    def test_script_from_a_file_and_from_e(self):
        path = self.r.write("script", "open 36\n# a comment\n\npriority low\n")
        self.ok(None, args=["-e", "open 36", "-e", "tag +vip", path])
        c = self.conv(36)
        self.assertEqual(c["priority"], "low")
        self.assertIn("vip", c["labels"])

    def test_bulk_assign_of_marked_conversations(self):
        out = self.ok("mark 39 41 45\nmarked assign chloe\n")
        self.assertIn("assign: 3 of 3 done", out)
        for cid in (39, 41, 45):
            self.assertEqual(self.conv(cid)["meta"]["assignee"]["name"], "Chloe Park")


class Reading(Base):
    """Scripts that only read: the list, threads, the directory, --json."""

    def test_json_list_show_agents_whoami(self):
        out = self.ok("whoami\nagents\nfilter all\nlist\nshow 16\n", json_out=True)
        recs = self.records(out)
        me = recs[0]
        self.assertEqual(me["name"], "Ben Ortiz")
        self.assertEqual(me["account"]["id"], 1)
        self.assertEqual(me["url"], self.d.base_url)
        agents = [r for r in recs if "availability" in r]
        self.assertEqual([a["name"] for a in agents], ["Ann Lee", "Ben Ortiz", "Chloe Park"])
        convs = [r for r in recs if "last_message" in r]
        ids = [c["id"] for c in convs]
        self.assertIn(1, ids)
        self.assertIn(16, ids)
        maria = [c for c in convs if c["id"] == 1][0]
        self.assertEqual(maria["contact"]["phone"], "+15550101001")
        self.assertEqual(maria["assignee"], {"id": 2, "name": "Ben Ortiz"})
        self.assertEqual(maria["status"], "open")
        self.assertRegex(maria["last_activity_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        msgs = [r for r in recs if r.get("conversation") == 16 and "direction" in r]
        self.assertEqual([m["direction"] for m in msgs],
                         ["incoming", "note", "note", "outgoing", "incoming"])
        self.assertEqual(msgs[2]["sender"]["name"], "Chloe Park")

    def list_ids(self, limit, extra=""):
        out = self.ok("filter all\n%slimit %s\nlist\n" % (extra, limit), json_out=True)
        return {c["id"]: c for c in self.records(out)}

    def test_limit_patterns(self):
        unread = self.list_ids("~u")
        self.assertTrue(unread)
        self.assertTrue(all(c["unread"] > 0 for c in unread.values()))
        mine = self.list_ids("~a me")
        self.assertTrue(mine)
        self.assertTrue(all(c["assignee"]["id"] == 2 for c in mine.values()))
        billing = self.list_ids("~l billing")
        self.assertIn(4, billing)
        self.assertTrue(all("billing" in c["labels"] for c in billing.values()))
        waiting = self.list_ids("~w 1h")
        self.assertIn(32, waiting)
        self.assertNotIn(30, waiting)
        pending = self.list_ids("~s pending", extra="status-filter all\n")
        self.assertIn(14, pending)
        self.assertTrue(all(c["status"] == "pending" for c in pending.values()))
        urgent = self.list_ids("~p urgent")
        self.assertEqual(set(urgent), {4, 16, 30})
        text = self.list_ids("Maria")
        self.assertEqual(set(text), {1})
        both = self.list_ids("~u ~p urgent")
        self.assertEqual(set(both), {c for c in urgent if urgent[c]["unread"] > 0})

    def test_bad_limit_pattern_names_the_problem(self):
        out, err = self.failing("limit ~x\n")
        self.assertIn("twoway: (stdin):1: limit: ", err)
        self.assertIn("~x", err)

    def test_open_by_phone(self):
        out = self.ok("open +15550101018\nshow\n", json_out=True)
        recs = self.records(out)
        self.assertEqual(recs[0]["conversation"], 18)
        self.assertTrue(all(r["conversation"] == 18 for r in recs[1:]))
        # A resolved conversation is not in the list: found through the server.
        out = self.ok("open +15550101046\n", json_out=True)
        self.assertEqual(self.records(out)[0]["conversation"], 46)
        out = self.ok("open +1 555 010 1009\n", json_out=True)
        self.assertEqual(self.records(out)[0]["conversation"], 9)
        out, err = self.failing("open +15550109999\n")
        self.assertIn("twoway: (stdin):1: open: no contact with phone", err)

    def test_unknown_conversation(self):
        out, err = self.failing("open 4711\n")
        self.assertIn("twoway: (stdin):1: open: no conversation #4711", err)

    def test_text_output_of_show_indents_continuation_lines(self):
        out = self.ok("show 1\n")
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("1  "))
        self.assertIn("incoming  Maria Gonzalez: Hi, I need to move my cleaning", lines[0])

    def test_templates_lists_server_and_local(self):
        out = self.ok("template sig Thanks, {{agent.first_name}}\ntemplates\n", json_out=True)
        recs = self.records(out)
        hello = [r for r in recs if r["short_code"] == "hello"][0]
        self.assertEqual(hello["source"], "server")
        sig = [r for r in recs if r["short_code"] == "sig"][0]
        self.assertEqual(sig["source"], "local")

    def test_help_prints_the_table(self):
        out = self.ok("help\nhelp assign\n")
        self.assertIn("assign AGENT|me|none", out)
        self.assertIn("reply [--force]", out)


class Config(Base):
    """Config files: bindings, templates, options, errors, the token rule."""

    def test_config_file_applies(self):
        cfg = self.r.write("good", "# my config\nset poll_interval = 9\n"
                                   "bind list x tag +vip\n"
                                   "template thanks Thanks {{contact.first_name}}!\n")
        out = self.ok("set poll_interval\nbind list\ntemplates\n", args=["-F", cfg])
        self.assertIn("poll_interval = 9", out)
        self.assertIn("bind list x tag +vip", out)
        self.assertIn("thanks  [local]  Thanks {{contact.first_name}}!", out)

    def test_config_errors_name_file_and_line(self):
        cfg = self.r.write("bad", "set poll_interval = 9\nfrobnicate\nset nosuch = 1\n")
        out, err = self.failing("whoami\n", args=["-F", cfg])
        self.assertIn("twoway: %s:2: frobnicate: unknown command" % cfg, err)
        self.assertIn("twoway: %s:3: set: unknown option 'nosuch'" % cfg, err)

    def test_sourced_config_reports_errors_and_the_rest_applies(self):
        cfg = self.r.write("part", "bind list x resolve\nassign me\nfrobnicate\n"
                                   "template bye Bye {{contact.first_name}}\n"
                                   "set confirm_foreign_reply = no\n")
        out, err = self.failing("source %s\nbind list\ntemplates\nset confirm_foreign_reply\n"
                                % cfg)
        self.assertIn("twoway: %s:2: assign: not allowed in a config file" % cfg, err)
        self.assertIn("twoway: %s:3: frobnicate: unknown command" % cfg, err)
        self.assertIn("bind list x resolve", out)
        self.assertIn("bye  [local]", out)
        self.assertIn("confirm_foreign_reply = no", out)

    def test_example_twowayrc_lines_are_all_valid(self):
        # Every commented-out command of the shipped example, switched on
        # (but the server settings, which the environment gives here, and
        # the file it sources, which does not exist).
        with open(os.path.join(twtest.SOURCE, "config", "twowayrc")) as f:
            lines = [l[1:] for l in f if l.startswith("#") and l[1:2].isalpha()]
        skip = ("set url", "set account", "set ca_file", "set token_command", "source")
        lines = [l for l in lines if not l.startswith(skip)]
        self.assertGreater(len(lines), 20)
        cfg = self.r.write("example", "".join(lines))
        out = self.ok("bind list\n", args=["-F", cfg])
        self.assertIn("bind list x resolve", out)

    def test_readable_config_with_a_token_is_refused(self):
        cfg = self.r.write("tok", "set token = not-a-real-token\n", mode=0o644)
        out, err = self.failing("whoami\n", args=["-F", cfg])
        self.assertIn("%s: holds a token but others can read it (chmod 600 %s)" % (cfg, cfg), err)
        self.assertEqual(out, "")
        os.chmod(cfg, 0o600)
        out = self.ok("whoami\n", args=["-F", cfg])
        self.assertIn("Ben Ortiz", out)
        self.assertEqual(stat.S_IMODE(os.stat(cfg).st_mode), 0o600)


if __name__ == "__main__":
    unittest.main()
