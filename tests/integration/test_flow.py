"""The agent's first hour, in scripts: twoway --batch against a real
twowayd. Which conversations wait for a human answer (not the opted out,
not a STOP or HELP the system answered); done and the next one waiting;
snooze to a time that has passed; errors that say what
happened, with exit statuses of their own (2 auth or account, 3 network,
1 the rest), input shown safely with its line number; a rate limit waited
out. Outgoing SMS go to a fake Twilio on 127.0.0.1."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402  (its Proxy stands between twoway and twowayd)
import twtest  # noqa: E402
import test_batch  # noqa: E402


class Base(test_batch.Base):
    """test_batch's: a demo twowayd with a fake Twilio, and a Runner."""

    def texted(self, phone, body):
        """An SMS from phone; the id of the conversation it landed in."""
        r = self.d.sms_in(phone, body)
        self.assertEqual(r.status, 200, r)
        rows = self.d.sql("SELECT c.display_id FROM conversations c JOIN contacts ct "
                          "ON ct.id = c.contact_id WHERE ct.phone_number = ? "
                          "ORDER BY c.id DESC LIMIT 1", phone)
        return rows[0][0]


class Waiting(Base):
    """A customer waits when they wrote last and a human answer is due."""

    def waiting_ids(self):
        out = self.ok("filter all\nstatus-filter open\nlimit ~w 0\nlist\n", json_out=True)
        return {r["id"] for r in self.records(out) if "id" in r}

    def test_stop_and_help_answered_by_the_system_do_not_wait(self):
        asks = self.texted("+15550107001", "Is the office open on Saturday?")
        helps = self.texted("+15550107002", "HELP")
        stops = self.texted("+15550107003", "stop")
        waiting = self.waiting_ids()
        self.assertIn(asks, waiting)
        self.assertNotIn(helps, waiting)
        self.assertNotIn(stops, waiting)
        # twowayd agrees: the system's answer ended the wait.
        self.assertFalse(self.conv(helps).get("waiting_since"))  # 0, as Chatwoot says none
        self.assertFalse(self.conv(stops).get("waiting_since"))
        self.assertTrue(self.conv(asks).get("waiting_since"))

    def test_an_opted_out_contact_does_not_wait_whatever_they_write(self):
        cid = self.texted("+15550107004", "STOP")
        self.texted("+15550107004", "why do I still get these??")
        self.assertTrue(self.conv(cid)["meta"]["sender"]["custom_attributes"]["sms_opt_out"])
        self.assertNotIn(cid, self.waiting_ids())

    def test_next_waiting_skips_them(self):
        helps = self.texted("+15550107005", "Info")
        out = self.ok("filter all\nstatus-filter open\nopen %d\nnext-waiting\nshow\n" % helps,
                      json_out=True)
        shown = [r for r in self.records(out) if r.get("command") == "next-waiting"]
        self.assertTrue(shown and shown[0]["conversation"] != helps, out)


class Snooze(Base):
    """A clock time is today's; one that has passed is an error, as the
    man page says, not tomorrow."""

    def test_a_time_passed_today_is_an_error_and_tomorrow_works(self):
        # TZ=UTC in the runner: 00:00 today has always passed.
        rc, out, err = self.r.run("open 27\nsnooze 00:00\n")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("twoway: (stdin):2: snooze: 00:00 today has passed (for tomorrow: snooze tomorrow "
                      "00:00)", err)
        self.assertNotEqual(self.conv(27)["status"], "snoozed")
        self.ok("open 27\nsnooze tomorrow 00:00\n")
        self.assertEqual(self.conv(27)["status"], "snoozed")


class Errors(Base):
    """Errors say what happened, with an exit status of their own."""

    def test_a_wrong_account_is_status_2_at_once(self):
        ben = self.d.agent(1)
        rc, out, err = self.r.run("list\n", agent={"account_id": 2, "token": ben["token"]})
        self.assertEqual(rc, 2, out + err)
        self.assertEqual(err, "twoway: account 2: You are not authorized to access this account "
                              "(check the account: set account, TWOWAY_ACCOUNT)\n")
        self.assertNotIn("cannot reach", err)

    def test_a_rejected_token_is_status_2(self):
        rc, out, err = self.r.run("list\n", agent={"account_id": 1, "token": "not-a-token"})
        self.assertEqual(rc, 2, out + err)
        self.assertIn("twoway: the server rejected the token (Invalid Access Token)", err)

    def test_no_server_is_status_3(self):
        port = twtest.ClosedPort()
        self.addCleanup(port.close)
        r = twtest.TwowayRunner(self.d, url=port.url)
        self.addCleanup(r.cleanup)
        cfg = r.write("config", "set batch_wait = 1\n")
        rc, out, err = r.run("list\n", args=["-F", cfg])
        self.assertEqual(rc, 3, out + err)
        self.assertIn("twoway: cannot reach the server", err)

    def test_usage_is_status_1(self):
        rc, out, err = self.r.run("", args=["--bogus"])
        self.assertEqual(rc, 1, out + err)
        rc, out, err = self.r.run("frobnicate\n")
        self.assertEqual(rc, 1, out + err)

    def test_errors_name_the_line_and_show_control_bytes_as_pictures(self):
        rc, out, err = self.r.run("open 9\nfr\x1b[31mob\ntag +bi\x07ll\n")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("twoway: (stdin):2: fr\u241b[31mob: unknown command\n", err)
        self.assertIn('twoway: (stdin):3: tag: unknown label "bi\u2407ll"', err)
        self.assertFalse(any(ord(c) < 0x20 and c != "\n" for c in err), repr(err))

    def test_a_line_with_a_nul_is_reported_and_the_rest_runs(self):
        rc, out, err = self.r.run("open 9\nla\x00bels\nwhoami\n")
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(err, "twoway: (stdin):2: the line holds a NUL byte; it was not run\n")
        self.assertIn("Ben Ortiz", out)  # line 3 ran

    def test_an_early_quit_is_reported(self):
        rc, out, err = self.r.run("open 9\nq\nwhoami\n\n# done\nlist\n")
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(err, "twoway: (stdin):2: quit: the script stops here; 2 more commands "
                              "were not run\n")
        self.assertNotIn("Ben Ortiz", out)
        rc, out, err = self.r.run("", args=["-e", "quit", "-e", "whoami"])
        self.assertEqual(rc, 1, out + err)
        self.assertIn("twoway: -e 1: quit: the script stops here; 1 more command was not run",
                      err)
        # A quit at the end is no mistake.
        rc, out, err = self.r.run("whoami\nquit\n")
        self.assertEqual((rc, err), (0, ""), out)

    PLAIN_429 = (429, b"Retry later\n", "text/plain")  # Chatwoot's rack-attack

    def slowed(self, method, where, answers):
        """A runner behind a proxy that answers the first requests of
        method whose path holds where with answers, one each, then lets
        them through; the runner, the proxy and the paths so answered."""
        p = screen.Proxy(self.d)
        self.addCleanup(p.cleanup)
        slowed = []

        def answer(m, path):
            if m == method and where in path and len(slowed) < len(answers):
                slowed.append(path)
                return answers[len(slowed) - 1]
            return None
        p.answer = answer
        r = twtest.TwowayRunner(self.d, url=p.url)
        self.addCleanup(r.cleanup)
        return r, p, slowed

    def test_a_plain_text_429_is_waited_out(self):
        # Plain text, with no Retry-After: the read waits and asks again.
        r, p, slowed = self.slowed("GET", "/conversations/9/messages", [self.PLAIN_429] * 2)
        rc, out, err = r.run("show 9\n")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertIn("see you in 6 months", out)
        asked = [q for q in p.log if "/conversations/9/messages" in q[2]]
        self.assertGreaterEqual(len(asked), 3, p.log)

    def test_an_action_slowed_by_429_waits_and_is_done(self):
        # A state set (here the status) answered 429, once in plain text
        # and once as JSON: the script waits, asks again, and goes on.
        r, p, slowed = self.slowed("POST", "/conversations/11/toggle_status",
                                   [self.PLAIN_429, (429, b'{"error":"Too many requests"}')])
        rc, out, err = r.run("open 11\npending\nwhoami\n")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertIn("Ben Ortiz", out)  # the script went on after it
        self.assertEqual(len(slowed), 2)
        self.assertEqual(self.conv(11)["status"], "pending")
        posts = [q for q in p.log if q[1] == "POST" and q[2].endswith("/toggle_status")]
        self.assertEqual(len(posts), 3, p.log)

    def test_a_reply_slowed_by_429_is_sent_once_after_a_look(self):
        r, p, slowed = self.slowed("POST", "/conversations/9/messages", [self.PLAIN_429] * 2)
        text = "See you on the 14th %d" % time.time()
        rc, out, err = r.run("open 9\nreply --force \"%s\"\n" % text)
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(len(slowed), 2)
        self.assertEqual([m["content"] for m in self.messages(9)].count(text), 1)
        # Each try after a 429 looked in the thread first (the verify step).
        posts = [i for i, q in enumerate(p.log) if q[1] == "POST"]
        looks = [i for i, q in enumerate(p.log)
                 if q[1] == "GET" and "/conversations/9/messages" in q[2]]
        self.assertTrue(all(any(posts[k - 1] < j < posts[k] for j in looks)
                            for k in range(1, len(posts))), p.log)


class Done(Base):
    """done resolves and opens the next one waiting, longest wait first."""

    def test_done_goes_to_the_longest_wait_then_says_nobody_waits(self):
        first = self.texted("+15550107101", "flowdone one")
        older = self.texted("+15550107102", "flowdone two")
        t0 = int(time.time())
        twtest.wait_for(lambda: int(time.time()) > t0, what="the clock's next second")
        newer = self.texted("+15550107103", "flowdone three")
        out = self.ok("filter unassigned\nlimit ~b flowdone\nopen %d\ndone\ndone\nreply "
                      "--force Thanks, all set\ndone\n" % first, json_out=True)
        done = [r for r in self.records(out) if r.get("command") == "done"]
        self.assertEqual([(r["conversation"], r["next"]) for r in done],
                         [(first, older), (older, newer), (newer, None)], out)
        for cid in (first, older, newer):
            self.assertEqual(self.conv(cid)["status"], "resolved")
        # The reply after the second done went to the one it opened.
        msgs = self.d.api("GET", self.d.acc("/conversations/%d/messages" % newer)).json
        self.assertIn("Thanks, all set", [m["content"] for m in msgs["payload"]])


class Templates(Base):
    """Templates filled in as Chatwoot fills them, found as the picker
    finds them."""

    def test_names_are_capitalised_and_a_phone_is_no_name(self):
        # A contact someone typed in lower case (the API cannot rename one).
        twtest.edit_db(self.d, lambda c: c.execute(
            "UPDATE contacts SET name = 'kevin o''brien' WHERE phone_number = '+15550101017'"))
        self.r.d = self.d
        greet = "template greet \"Hi {{contact.first_name || 'there'}} ({{contact.name || '?'}})\""
        out = self.ok("%s\nopen 17\ntemplate greet\nopen 41\ntemplate greet\n" % greet)
        self.assertEqual(out.splitlines(),
                         ["#17 kevin o'brien", "Hi Kevin (Kevin O'Brien)",
                          "#41 +15550101041", "Hi there (?)"])

    def test_an_unassigned_conversation_is_signed_by_the_agent_replying(self):
        # #41 has no assignee: Ben, who replies, signs; Chatwoot's dashboard
        # would leave the name empty.
        self.assertNotIn("assignee", self.conv(41)["meta"])
        text = "template sign This is {{agent.first_name}} ({{agent.name}}), {{agent.email}}"
        out = self.ok("%s\nopen 41\ntemplate sign\nreply --template sign --force\n" % text)
        self.assertIn("This is Ben (Ben Ortiz), ben@bayside.example", out)
        last = self.messages(41)[-1]
        self.assertEqual(last["content"], "This is Ben (Ben Ortiz), ben@bayside.example")

    def test_template_by_short_code_start_then_by_text(self):
        out = self.ok("open 1\ntemplate th\ntemplate card\n")
        self.assertEqual(out.splitlines()[1:], [
            "Thanks Maria! Anything else I can help with?",
            "Could you text us a photo of the front and back of your insurance card?"])
        rc, out, err = self.r.run("open 1\ntemplate zzz\n")
        self.assertEqual(rc, 1, out + err)
        self.assertIn('template: unknown template "zzz"', err)

    def first_answer_empty(self, suffix):
        """A runner behind a proxy that answers the first GET of a path
        ending in suffix with an empty list (an answer not come yet when a
        line runs would leave the same); the paths asked."""
        p = screen.Proxy(self.d)
        self.addCleanup(p.cleanup)
        asked = []

        def answer(method, path):
            if method == "GET" and path.endswith(suffix):
                asked.append(path)
                if len(asked) == 1:
                    return 200, b"[]"
            return None
        p.answer = answer
        r = twtest.TwowayRunner(self.d, url=p.url)
        self.addCleanup(r.cleanup)
        return r, asked

    def test_template_asks_the_server_when_the_name_is_not_known_yet(self):
        # The canned responses read at start are not there yet: `template`
        # asks again rather than call the name unknown.
        r, asked = self.first_answer_empty("/canned_responses")
        rc, out, err = r.run("open 1\ntemplate th\n")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(out.splitlines()[1:], ["Thanks Maria! Anything else I can help with?"])
        self.assertGreaterEqual(len(asked), 2)
        # An agent variable of the assignee, when that is not the agent
        # running the script, needs the agents, which may not have come
        # either.
        got = self.d.api("GET", self.d.acc("/conversations?status=open&assignee_type=all"))
        chloes = [c["id"] for c in got.json["data"]["payload"]
                  if (c["meta"].get("assignee") or {}).get("name") == "Chloe Park"]
        self.assertTrue(chloes, got.json)
        r, asked = self.first_answer_empty("/agents")
        rc, out, err = r.run("template sig \"{{agent.first_name}}, {{agent.email}}\"\n"
                             "open %d\ntemplate sig\n" % chloes[0])
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(out.splitlines()[1:], ["Chloe, chloe@bayside.example"])
        self.assertGreaterEqual(len(asked), 2)


class Unsent(Base):
    """unsent lists the replies that did not go out, and why."""

    def test_unsent_lists_a_refused_reply_and_one_the_carrier_failed(self):
        p = screen.Proxy(self.d)
        self.addCleanup(p.cleanup)
        p.answer = lambda method, path: (
            (422, b'{"message":"Blocked by a test"}')
            if method == "POST" and path.endswith("/conversations/9/messages") else None)
        r = twtest.TwowayRunner(self.d, url=p.url)
        self.addCleanup(r.cleanup)
        rc, out, err = r.run("open 9\nreply --force Your crown is ready\nunsent\n")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("#9 Lena Fischer  failed (Blocked by a test): Your crown is ready", out)
        rc, out, err = r.run("unsent\n", json_out=True)
        [rec] = self.records(out)
        self.assertEqual((rec["conversation"], rec["state"], rec["error"], rec["text"]),
                         (9, "failed", "Blocked by a test", "Your crown is ready"))
        # A reply the carrier failed: the conversation's last message says so.
        self.ok("open 26\nreply --force Which of you is the patient?\n")
        mid = self.messages(26)[-1]["id"]
        twtest.edit_db(self.d, lambda c: c.execute(
            "UPDATE messages SET status = 'failed', content_attributes = "
            "json_set(content_attributes, '$.external_error', '30003 - Unreachable') "
            "WHERE id = ?", (mid,)))
        self.r.d = self.d
        out = self.ok("filter all\nunsent\n")
        self.assertIn("#26 +15550101026  failed at the carrier (30003 - Unreachable): Which of "
                      "you is the patient?", out)


class Settings(Base):
    """What a setting chosen at run time comes to, and the demo's state."""

    def test_set_notify_says_what_auto_picked(self):
        r = twtest.TwowayRunner(self.d)
        self.addCleanup(r.cleanup)
        plain = r.env
        r.env = lambda agent: dict(plain(agent), SSH_CONNECTION="10.0.0.1 5000 10.0.0.2 22")
        rc, out, err = r.run("set notify\nset notify = bell\nset notify\n")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(out.splitlines(), ["notify = auto (here: terminal, bell)",
                                            "notify = bell"])
        rc, out, err = r.run("set notify\n", json_out=True)
        self.assertEqual(self.records(out)[0]["here"], "terminal, bell")

    def test_the_demo_leaves_nothing_behind(self):
        r = twtest.TwowayRunner(self.d)
        self.addCleanup(r.cleanup)
        tmp = os.path.join(r.home, "tmp")
        os.makedirs(tmp)
        plain = r.env
        r.env = lambda agent: dict(plain(agent), TMPDIR=tmp)
        rc, out, err = r.run("open 1\nnote \"a demo note\"\nwhoami\n", args=["--demo"])
        self.assertEqual((rc, err), (0, ""), out)
        self.assertIn("Ann Lee", out)
        self.assertEqual(os.listdir(tmp), [])
        self.assertEqual(r.state_dirs(), [])


if __name__ == "__main__":
    unittest.main()
