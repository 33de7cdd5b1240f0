"""Notifications end to end: the real twoway in tmux against twowayd, inbound
SMS through twowayd's Twilio webhook, and what reaches the agent.

- desktop: a private D-Bus bus (dbus-daemon with a config of our own: no
  service activation, so nothing on this machine can answer for us) with
  tests/lib/notifyd.py owning org.freedesktop.Notifications and recording
  every Notify call;
- terminal: the bytes twoway writes to its pane, from `tmux pipe-pane`,
  with TMUX set (passthrough) and without (plain);
- command: notify_command writes its environment to a file;
- and twoway runs on, and says why, with no bus, with a bus but no server,
  and with a server that never answers.

The agent is Ann Lee (agent 0, id 1). In the demo data her open
conversations include Priya Raman, Lena Fischer, Grace Whitman (urgent) and
Fatima (low); James Carter, Raj Malhotra (high) and Wang Fang are
unassigned; Maria Gonzalez belongs to Ben Ortiz.

The pane is detached, so tmux sends no focus reports: twoway then assumes
the terminal has focus. Focus changes are typed into the pane as the
reports a terminal would send (ESC [ O, ESC [ I).

Nothing here waits for time to pass. twoway's log says what it decided for
each new message ("new message in #N: notification", "...: no
notification (why)"), when it has finished a poll, and each notification
it raised ("notifying: K new messages"); the tests wait for those lines.
A notification that must not come is ruled out by the log's decision, not
by waiting to see whether it turns up.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402
import twtest  # noqa: E402

NOTIFYD = os.path.join(os.path.dirname(__file__), "..", "lib", "notifyd.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-dbus and python3-gi
ESC = b"\x1b"
ST = ESC + b"\\"

PRIYA = "+15550101003"    # Ann's, no priority
LENA = "+15550101009"     # Ann's, medium
GRACE = "+15550101016"    # Ann's, urgent
FATIMA = "+15550101013"   # Ann's, low
JAMES = "+15550101002"    # unassigned, medium
RAJ = "+15550101045"      # unassigned, high
MARIA = "+15550101001"    # Ben's

URGENCY_LOW, URGENCY_NORMAL, URGENCY_CRITICAL = 0, 1, 2

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def missing_tools():
    need = ["tmux", "dbus-daemon"]
    gone = [t for t in need if not shutil.which(t)]
    if not os.path.exists(SYSTEM_PYTHON):
        gone.append(SYSTEM_PYTHON)
    else:
        r = subprocess.run([SYSTEM_PYTHON, "-c", "import dbus, gi"], capture_output=True)
        if r.returncode != 0:
            gone.append("python3-dbus/python3-gi")
    return gone


def stop_process(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(twtest.DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f:
            f.close()


class Bus:
    """A private session bus."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "bus")
        os.makedirs(self.dir)
        conf = os.path.join(tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONFIG % self.dir)
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--config-file=" + conf, "--print-address", "--nofork",
             "--nopidfile"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        twtest._register(self)  # stopped at exit if the test dies first
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            self.stop()
            raise RuntimeError("dbus-daemon printed no address")

    def stop(self):
        stop_process(self.proc)

    cleanup = stop


class Notifyd:
    """tests/lib/notifyd.py on a bus, recording into a file."""

    def __init__(self, tmp, address, hang=False):
        self.record = os.path.join(tmp, "notify-calls.jsonl")
        args = [SYSTEM_PYTHON, NOTIFYD, "--address", address, "--record", self.record]
        if hang:
            args.append("--hang")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        twtest._register(self)  # stopped at exit if the test dies first
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError("notifyd did not start: %r %s" % (line, err))

    def calls(self, method="Notify"):
        try:
            with open(self.record) as f:
                rows = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []
        return [r for r in rows if r["method"] == method]

    def stop(self):
        stop_process(self.proc)

    cleanup = stop


def notify_config(backends, coalesce=1, preview=True, extra=""):
    return ("set poll_interval = 1\nset live = no\n"
            "set notify = %s\n"
            "set notify_coalesce = %d\n"
            "set notify_preview = %s\n%s" % (backends, coalesce, "yes" if preview else "no",
                                            extra))


class NotifyScreen(screen.ScreenCase):
    """A twowayd of its own for each test (the messages of one test must
    not be news in the next)."""

    @classmethod
    def setUpClass(cls):
        gone = missing_tools()
        if gone:
            raise unittest.SkipTest("needs " + ", ".join(gone))

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="twoway-notify-screen-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.d = screen.start_twowayd(self)
        self.notifyd = None
        self.tw = None

    # ---- helpers ----

    def start_bus(self, server=True, hang=False):
        bus = Bus(self.tmp)
        self.addCleanup(bus.stop)
        if server:
            self.notifyd = Notifyd(self.tmp, bus.address, hang=hang)
            self.addCleanup(self.notifyd.stop)
        return bus.address

    def start(self, config, env=None, tmux_env=True, args=()):
        """twoway with a home whose XDG_RUNTIME_DIR is an empty directory
        (no bus unless env names one), its bytes piped to a file. Ann's
        list (Mine, open): Grace Whitman is on its first screen."""
        run = os.path.join(self.tmp, "run")
        os.makedirs(run, mode=0o700, exist_ok=True)
        e = {"XDG_RUNTIME_DIR": run}
        e.update(env or {})
        self.tw = self.twoway(config=config, env=e, args=args, capture=True,
                              inherit=("TMUX",) if tmux_env else ())
        self.pane = self.s
        return self.pane

    def start_desktop(self, coalesce=1, preview=True, args=(), extra=""):
        addr = self.start_bus()
        return self.start(notify_config("desktop", coalesce, preview, extra),
                          env={"DBUS_SESSION_BUS_ADDRESS": addr}, args=args)

    def sms(self, phone, text):
        r = self.d.sms_in(phone, text)
        self.assertEqual(r.status, 200, r.body)

    def calls(self):
        return self.notifyd.calls()

    def wait_calls(self, n):
        return self.s.wait(lambda: len(self.calls()) >= n and self.calls(),
                           "%d Notify call(s) (so far: %r)" % (n, self.calls()))

    def decision(self, phone, since):
        """Wait for twoway's decision on the next new message from phone
        after the log mark since: "notification" or "no notification
        (why)"."""
        conv = self.conv_id(phone)
        return self.tw.wait_log(r"new message in #%d: (.*)$" % conv, since)[0].group(1)

    def decisions(self, since):
        """{conversation: [decision, ...]} of the log after since."""
        out = {}
        for m in self.tw.log_lines(r"new message in #(\d+): (.*)$", since):
            out.setdefault(int(m.group(1)), []).append(m.group(2))
        return out

    def raised(self, since=0):
        """The notifications twoway raised after since, as (count, last
        conversation)."""
        return [(int(m.group(1)), int(m.group(2))) for m in self.tw.log_lines(
            r"notifying: (\d+) new messages?, the last in #(\d+)$", since)]

    def conv_id(self, phone):
        return screen.conv_by_phone(self.d, phone)["id"]

    # ---- desktop ----

    def test_desktop_notification_has_contact_text_and_urgency(self):
        self.start_desktop()
        self.tw.synced()
        self.tw.synced()
        self.assertEqual((self.decisions(0), self.raised(), self.calls()), ({}, [], []),
                         "nothing for the start-up backlog")

        self.sms(PRIYA, "Can we do 4pm instead?")
        call = self.wait_calls(1)[0]
        self.assertEqual(call["app_name"], "twoway")
        self.assertEqual(call["summary"], "Priya Raman")
        self.assertEqual(call["body"], "Can we do 4pm instead?")
        self.assertEqual(call["hints"]["urgency"], URGENCY_NORMAL)  # no priority

        self.sms(GRACE, "It still hurts")
        call = self.wait_calls(2)[1]
        self.assertEqual((call["summary"], call["body"]), ("Grace Whitman", "It still hurts"))
        self.assertEqual(call["hints"]["urgency"], URGENCY_CRITICAL)  # urgent

        self.sms(FATIMA, "Thanks")
        call = self.wait_calls(3)[2]
        self.assertEqual(call["summary"], "\u0641\u0627\u0637\u0645\u0629 \u0627\u0644\u0633"
                                          "\u064a\u062f")
        self.assertEqual(call["hints"]["urgency"], URGENCY_LOW)  # low

        self.sms(RAJ, "Is 8am free tomorrow?")  # unassigned, high
        call = self.wait_calls(4)[3]
        self.assertEqual((call["summary"], call["hints"]["urgency"]),
                         ("Raj Malhotra", URGENCY_CRITICAL))

    def test_other_agents_conversations_and_replies_do_not_notify(self):
        self.start_desktop()
        ben = self.d.agent(1)
        james, maria = self.conv_id(JAMES), self.conv_id(MARIA)
        mark = self.tw.log_mark()
        self.sms(MARIA, "For Ben only")                       # Ben's conversation
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % james, ben),
                       {"content": "Ben answering James", "message_type": "outgoing"},
                       agent=ben)                              # another agent's reply
        self.assertIn(r.status, (200, 201), r.body)
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % james, ben),
                       {"content": "Note for the team, no mention", "message_type": "outgoing",
                        "private": True}, agent=ben)  # a note that does not name me
        self.assertIn(r.status, (200, 201), r.body)
        # twoway has seen all three, and decided against each.
        self.tw.synced(mark)
        seen = self.decisions(mark)
        self.assertEqual(seen.get(maria), ["no notification (not for me)"], seen)
        self.assertEqual(seen.get(james), ["no notification (not for me)"], seen)
        self.assertEqual(self.raised(mark), [])
        self.sms(LENA, "sync point")
        self.wait_calls(1)
        self.assertEqual(self.raised(mark), [(1, self.conv_id(LENA))])
        self.assertEqual([(c["summary"], c["body"]) for c in self.calls()],
                         [("Lena Fischer", "sync point")])

    def test_private_note_mentioning_me_notifies(self):
        self.start_desktop()
        ben = self.d.agent(1)
        maria = self.conv_id(MARIA)
        note = "Can you approve the refund? [@Ann Lee](mention://user/%d/Ann%%20Lee)" % \
            self.d.agent(0)["id"]
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % maria, ben),
                       {"content": note, "message_type": "outgoing", "private": True},
                       agent=ben)
        self.assertIn(r.status, (200, 201), r.body)
        call = self.wait_calls(1)[0]
        self.assertEqual(call["summary"], "Maria Gonzalez")
        self.assertIn("approve the refund", call["body"])

    def test_burst_coalesces_into_one_count(self):
        # A window of a minute gathers three messages, each seen in a poll
        # of its own; setting the window to 0 then closes it at once.
        self.start_desktop(coalesce=60)
        mark = self.tw.log_mark()
        for phone, text in ((PRIYA, "one"), (JAMES, "two"), (PRIYA, "three")):
            since = self.tw.log_mark()
            self.sms(phone, text)
            self.assertEqual(self.decision(phone, since), "notification")
        self.assertEqual((self.raised(mark), self.calls()), ([], []), "the window is open")
        self.command("set notify_coalesce = 0")
        calls = self.wait_calls(1)
        self.assertEqual(self.raised(mark), [(3, self.conv_id(PRIYA))])
        self.assertEqual(len(calls), 1, calls)
        self.assertEqual(calls[0]["summary"], "twoway")
        self.assertEqual(calls[0]["body"], "3 new replies from 2 customers")

    def test_preview_off_keeps_text_out_of_the_notification(self):
        self.start_desktop(preview=False)
        self.sms(PRIYA, "my card number is 4111")
        call = self.wait_calls(1)[0]
        self.assertEqual(call["summary"], "Priya Raman")
        self.assertEqual(call["body"], "New reply")
        self.assertNotIn("4111", json.dumps(self.calls()))

    def test_open_conversation_with_focus_does_not_notify(self):
        pane = self.start_desktop(args=("-e", "open " + PRIYA))
        pane.wait_for("Swift Parcel")  # Priya's thread is open
        mark = self.tw.log_mark()
        self.sms(PRIYA, "while you read")
        self.assertEqual(self.decision(PRIYA, mark),
                         "no notification (open, terminal focused)")
        self.sms(JAMES, "sync one")
        self.assertEqual([c["summary"] for c in self.wait_calls(1)], ["James Carter"])

        since = self.tw.log_mark()
        pane.keys_hex(b"\x1b[O")  # focus out
        self.tw.wait_log(r"terminal focus out$", since)
        self.sms(PRIYA, "while you are away")
        calls = self.wait_calls(2)
        self.assertEqual((calls[1]["summary"], calls[1]["body"]),
                         ("Priya Raman", "while you are away"))

        since = self.tw.log_mark()
        pane.keys_hex(b"\x1b[I")  # focus back
        self.tw.wait_log(r"terminal focus in$", since)
        self.sms(PRIYA, "back again")
        self.assertEqual(self.decision(PRIYA, since),
                         "no notification (open, terminal focused)")
        self.sms(JAMES, "sync two")
        self.wait_calls(3)
        self.assertEqual([c["body"] for c in self.calls()],
                         ["sync one", "while you are away", "sync two"])
        self.assertEqual(len(self.raised(mark)), 3)

    # ---- desktop failures: twoway runs on and says why ----

    def test_no_bus_at_all_says_why(self):
        # No DBUS_SESSION_BUS_ADDRESS; XDG_RUNTIME_DIR is an empty directory.
        pane = self.start(notify_config("desktop"))
        pane.wait_for("desktop notifications off: no session bus")
        self.sms(PRIYA, "no bus, fine")
        pane.wait_for("no bus, fine")
        self.assertTrue(pane.alive())

    def test_bus_without_server_says_why(self):
        addr = self.start_bus(server=False)
        pane = self.start(notify_config("desktop"), env={"DBUS_SESSION_BUS_ADDRESS": addr})
        pane.wait_for("desktop notifications off: no notification server "
                      "(org.freedesktop.Notifications) on the session bus")
        self.sms(PRIYA, "no server, fine")
        pane.wait_for("no server, fine")
        self.assertTrue(pane.alive())

    def test_hung_server_never_freezes_the_screen(self):
        addr = self.start_bus(hang=True)
        pane = self.start(notify_config("desktop"), env={"DBUS_SESSION_BUS_ADDRESS": addr})
        # The server has twoway's first question and never answers it.
        pane.wait(lambda: self.notifyd.calls("GetServerInformation"),
                  "the question at the hung server")
        self.sms(PRIYA, "drawn anyway")
        pane.wait_for("drawn anyway")
        pane.wait_for("desktop notifications off: notification server did not answer "
                      "within 5 s")
        self.sms(LENA, "and still drawing")
        pane.wait_for("and still drawing")
        self.assertTrue(pane.alive())

    # ---- terminal ----

    def test_terminal_sequences_inside_tmux_are_wrapped(self):
        pane = self.start(notify_config("terminal"))
        self.sms(PRIYA, "Running late")
        inner777 = ESC + ESC + b"]777;notify;Priya Raman;Running late" + ESC + ESC + b"\\"
        inner9 = ESC + ESC + b"]9;Priya Raman: Running late" + ESC + ESC + b"\\"
        want = (ESC + b"Ptmux;" + inner777 + ST + ESC + b"Ptmux;" + inner9 + ST)
        pane.wait(lambda: want in pane.output(), "the tmux-wrapped OSC 777 and OSC 9")
        self.assertEqual(pane.output().count(b"]777;notify;"), 1)

    def test_terminal_sequences_plain_without_tmux(self):
        pane = self.start(notify_config("terminal"), tmux_env=False)
        self.sms(PRIYA, "Running late")
        want = (ESC + b"]777;notify;Priya Raman;Running late" + ST +
                ESC + b"]9;Priya Raman: Running late" + ST)
        pane.wait(lambda: want in pane.output(), "the plain OSC 777 and OSC 9")
        self.assertNotIn(b"Ptmux;", pane.output())

    def test_hostile_text_cannot_break_out_of_the_sequences(self):
        pane = self.start(notify_config("terminal,bell"), tmux_env=False)
        hostile = "Hi\x1b]0;pwned\x07; rm -rf /\nbye\x1b\\x"
        self.sms(PRIYA, hostile)
        # Sanitized where it entered (ESC and BEL became the visible
        # symbols), then ';' removed and the newline made a space.
        body = "Hi\u241b]0pwned\u2407 rm -rf / bye\u241b\\x".encode()
        want = (ESC + b"]777;notify;Priya Raman;" + body + ST +
                ESC + b"]9;Priya Raman: " + body + ST + b"\a")
        pane.wait(lambda: want in pane.output(), "the sanitized sequences")
        data = pane.output()
        self.assertEqual(data.count(b"]777;notify;"), 1)
        self.assertNotIn(b"pwned\x07", data)
        self.assertNotIn(b"\x1b]0;pwned", data)

    # ---- command ----

    def test_command_gets_the_details_in_its_environment(self):
        envfile = os.path.join(self.tmp, "env.txt")
        cmd = "/bin/sh -c 'env > %s.tmp && mv %s.tmp %s'" % (envfile, envfile, envfile)
        self.start(notify_config("command", extra='set notify_command = "%s"\n' % cmd))
        self.sms(PRIYA, "Call me back please")
        self.pane.wait(lambda: os.path.exists(envfile), "the command's output")
        with open(envfile) as f:
            env = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        self.assertEqual(env["TWOWAY_CONTACT"], "Priya Raman")
        self.assertEqual(env["TWOWAY_PHONE"], PRIYA)
        self.assertEqual(env["TWOWAY_CONVERSATION"], str(self.conv_id(PRIYA)))
        self.assertEqual(env["TWOWAY_PREVIEW"], "Call me back please")
        self.assertEqual(env["TWOWAY_COUNT"], "1")
        self.assertNotIn("TWOWAY_TOKEN", env)
        self.assertTrue(self.pane.alive())


if __name__ == "__main__":
    unittest.main()
