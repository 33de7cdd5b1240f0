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
"""
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
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
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon printed no address")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


class Notifyd:
    """tests/lib/notifyd.py on a bus, recording into a file."""

    def __init__(self, tmp, address, hang=False):
        self.record = os.path.join(tmp, "notify-calls.jsonl")
        args = [SYSTEM_PYTHON, NOTIFYD, "--address", address, "--record", self.record]
        if hang:
            args.append("--hang")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError("notifyd did not start: %r %s" % (line, err))

    def calls(self, method="Notify"):
        try:
            with open(self.record) as f:
                rows = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []
        return [r for r in rows if r["method"] == method]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class Pane:
    """The real twoway in a detached tmux pane on a private server, its
    output bytes piped to a file."""

    counter = 0

    def __init__(self, tmp, d, config, env=None, tmux_env=True, args=()):
        Pane.counter += 1
        self.sock = "twtest-notify-%d-%d" % (os.getpid(), Pane.counter)
        self.tmp = tmp
        self.out = os.path.join(tmp, "pane-%d.bytes" % Pane.counter)
        self.log = os.path.join(tmp, "twoway-%d.log" % Pane.counter)
        home = os.path.join(tmp, "home")
        for sub in ("config/twoway", "state", "cache", "run"):
            os.makedirs(os.path.join(home, sub), exist_ok=True)
        os.chmod(os.path.join(home, "run"), 0o700)
        cfg = os.path.join(home, "config", "twoway", "config")
        with open(cfg, "w") as f:
            f.write(config)
        os.chmod(cfg, 0o600)
        agent = d.agent(0)
        e = {
            "HOME": home,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "XDG_RUNTIME_DIR": os.path.join(home, "run"),
            "TWOWAY_URL": d.base_url,
            "TWOWAY_ACCOUNT": str(agent["account_id"]),
            "TWOWAY_TOKEN": agent["token"],
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(env or {})
        words = ["%s=%s" % (k, shlex.quote(v)) for k, v in sorted(e.items())]
        # TERM and TMUX as tmux set them for the pane.
        words.append('TERM="$TERM"')
        if tmux_env:
            words.append('TMUX="$TMUX"')
        cmd = "exec env -i %s %s --log %s -v %s" % (
            " ".join(words), shlex.quote(twtest.binary("twoway")), shlex.quote(self.log),
            " ".join(shlex.quote(a) for a in args))
        # One tmux command line: the pipe is in place before tmux reads a
        # byte of the pane's output.
        self.tmux("new-session", "-d", "-x", "120", "-y", "40", cmd, ";",
                  "set-option", "-g", "remain-on-exit", "on", ";",
                  "pipe-pane", "-o", "cat >> %s" % shlex.quote(self.out))

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              capture_output=True, text=True, check=check, timeout=20)

    def screen(self):
        r = self.tmux("capture-pane", "-p", check=False)
        return r.stdout

    def alive(self):
        r = self.tmux("list-panes", "-F", "#{pane_dead}", check=False)
        return r.returncode == 0 and r.stdout.strip() == "0"

    def bytes(self):
        try:
            with open(self.out, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def wait(self, pred, what, timeout=20):
        """Poll pred() until truthy; on timeout fail with the screen and the
        end of twoway's log."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = pred()
            if v:
                return v
            time.sleep(0.1)
        raise AssertionError("timed out waiting for %s\n--- screen:\n%s\n--- log:\n%s" %
                             (what, self.screen(), self.log_tail()))

    def wait_screen(self, text, timeout=30):
        return self.wait(lambda: text in self.screen(), "%r on the screen" % text, timeout)

    def log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return "(no log)"

    def keys_hex(self, *hexbytes):
        self.tmux("send-keys", "-H", *hexbytes)

    def kill(self):
        self.tmux("kill-server", check=False)


def notify_config(backends, coalesce=1, preview=True, extra=""):
    return ("set poll_interval = 1\n"
            "set notify = %s\n"
            "set notify_coalesce = %d\n"
            "set notify_preview = %s\n%s" % (backends, coalesce, "yes" if preview else "no",
                                            extra))


class NotifyScreen(unittest.TestCase):
    def setUp(self):
        gone = missing_tools()
        if gone:
            self.skipTest("needs " + ", ".join(gone))
        self.tmp = tempfile.mkdtemp(prefix="twoway-notify-screen-")
        self.cleanups = []
        fake, fake_env = twtest.fake_twilio()
        self.cleanups.append(fake.cleanup)
        self.d = twtest.Twowayd(demo=True, env=fake_env)
        self.cleanups.append(self.d.cleanup)
        self.bus = None
        self.notifyd = None
        self.pane = None

    def tearDown(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- helpers ----

    def start_bus(self, server=True, hang=False):
        self.bus = Bus(self.tmp)
        self.cleanups.append(self.bus.stop)
        if server:
            self.notifyd = Notifyd(self.tmp, self.bus.address, hang=hang)
            self.cleanups.append(self.notifyd.stop)
        return self.bus.address

    def start(self, config, env=None, tmux_env=True, args=()):
        self.pane = Pane(self.tmp, self.d, config, env=env, tmux_env=tmux_env, args=args)
        self.cleanups.append(self.pane.kill)
        # Ann's list (Mine, open): Grace Whitman is on its first screen.
        self.pane.wait_screen("Grace Whitman", timeout=30)
        return self.pane

    def start_desktop(self, coalesce=1, preview=True, args=(), extra=""):
        addr = self.start_bus()
        return self.start(notify_config("desktop", coalesce, preview, extra),
                          env={"DBUS_SESSION_BUS_ADDRESS": addr}, args=args)

    def sms(self, phone, text):
        r = self.d.sms_in(phone, text)
        self.assertEqual(r.status, 200, r.body)

    def wait_calls(self, n, timeout=20):
        return self.pane.wait(lambda: len(self.notifyd.calls()) >= n and self.notifyd.calls(),
                              "%d Notify call(s)" % n, timeout)

    def settle(self, seconds):
        """Let twoway poll a few times (poll_interval = 1 s)."""
        time.sleep(seconds)
        self.assertTrue(self.pane.alive(), self.pane.screen())

    def conv_id(self, phone):
        r = self.d.api("GET", self.d.acc("/conversations?status=all&assignee_type=all"))
        for c in r.json["data"]["payload"]:
            if c["meta"]["sender"].get("phone_number") == phone:
                return c["id"]
        self.fail("no conversation for %s" % phone)

    # ---- desktop ----

    def test_desktop_notification_has_contact_text_and_urgency(self):
        self.start_desktop()
        self.settle(3)
        self.assertEqual(self.notifyd.calls(), [], "nothing for the start-up backlog")

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
        james = self.conv_id(JAMES)
        self.sms(MARIA, "For Ben only")                       # Ben's conversation
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % james, ben),
                       {"content": "Ben answering James", "message_type": "outgoing"},
                       agent=ben)                              # another agent's reply
        self.assertIn(r.status, (200, 201), r.body)
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % james, ben),
                       {"content": "Note for the team, no mention", "message_type": "outgoing",
                        "private": True}, agent=ben)  # a note that does not name me
        self.assertIn(r.status, (200, 201), r.body)
        time.sleep(2)
        self.sms(LENA, "sync point")
        self.wait_calls(1)
        self.settle(2)
        calls = self.notifyd.calls()
        self.assertEqual([(c["summary"], c["body"]) for c in calls],
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
        # Each SMS lands in its own poll (1.5 s apart, polls every 1 s);
        # the 6 s window opened by the first gathers all three.
        self.start_desktop(coalesce=6)
        self.sms(PRIYA, "one")
        time.sleep(1.5)
        self.sms(JAMES, "two")
        time.sleep(1.5)
        self.sms(PRIYA, "three")
        self.wait_calls(1, timeout=20)
        self.settle(3)
        calls = self.notifyd.calls()
        self.assertEqual(len(calls), 1, calls)
        self.assertEqual(calls[0]["summary"], "twoway")
        self.assertEqual(calls[0]["body"], "3 new replies from 2 customers")

    def test_preview_off_keeps_text_out_of_the_notification(self):
        self.start_desktop(preview=False)
        self.sms(PRIYA, "my card number is 4111")
        call = self.wait_calls(1)[0]
        self.assertEqual(call["summary"], "Priya Raman")
        self.assertEqual(call["body"], "New reply")
        self.assertNotIn("4111", json.dumps(self.notifyd.calls()))

    def test_open_conversation_with_focus_does_not_notify(self):
        pane = self.start_desktop(args=("-e", "open " + PRIYA))
        pane.wait_screen("Swift Parcel")  # Priya's thread is open
        self.sms(PRIYA, "while you read")
        time.sleep(2.5)
        self.sms(JAMES, "sync one")
        self.wait_calls(1)
        self.settle(1.5)
        self.assertEqual([c["summary"] for c in self.notifyd.calls()], ["James Carter"])

        pane.keys_hex("1b", "5b", "4f")  # focus out (ESC [ O)
        time.sleep(0.5)
        self.sms(PRIYA, "while you are away")
        calls = self.wait_calls(2)
        self.assertEqual((calls[1]["summary"], calls[1]["body"]),
                         ("Priya Raman", "while you are away"))

        pane.keys_hex("1b", "5b", "49")  # focus back (ESC [ I)
        time.sleep(0.5)
        self.sms(PRIYA, "back again")
        time.sleep(2.5)
        self.sms(JAMES, "sync two")
        self.wait_calls(3)
        self.settle(1.5)
        self.assertEqual([c["body"] for c in self.notifyd.calls()],
                         ["sync one", "while you are away", "sync two"])

    # ---- desktop failures: twoway runs on and says why ----

    def test_no_bus_at_all_says_why(self):
        # No DBUS_SESSION_BUS_ADDRESS; XDG_RUNTIME_DIR is an empty directory.
        pane = self.start(notify_config("desktop"))
        pane.wait_screen("desktop notifications off: no session bus")
        self.sms(PRIYA, "no bus, fine")
        pane.wait_screen("no bus, fine")
        self.assertTrue(pane.alive())

    def test_bus_without_server_says_why(self):
        addr = self.start_bus(server=False)
        pane = self.start(notify_config("desktop"), env={"DBUS_SESSION_BUS_ADDRESS": addr})
        pane.wait_screen("desktop notifications off: no notification server "
                         "(org.freedesktop.Notifications) on the session bus")
        self.sms(PRIYA, "no server, fine")
        pane.wait_screen("no server, fine")
        self.assertTrue(pane.alive())

    def test_hung_server_never_freezes_the_screen(self):
        addr = self.start_bus(hang=True)
        pane = self.start(notify_config("desktop"), env={"DBUS_SESSION_BUS_ADDRESS": addr})
        self.sms(PRIYA, "drawn anyway")
        pane.wait_screen("drawn anyway", timeout=10)
        pane.wait_screen("desktop notifications off: notification server did not answer "
                         "within 5 s", timeout=20)
        self.assertTrue(pane.alive())

    # ---- terminal ----

    def test_terminal_sequences_inside_tmux_are_wrapped(self):
        pane = self.start(notify_config("terminal"))
        self.sms(PRIYA, "Running late")
        inner777 = ESC + ESC + b"]777;notify;Priya Raman;Running late" + ESC + ESC + b"\\"
        inner9 = ESC + ESC + b"]9;Priya Raman: Running late" + ESC + ESC + b"\\"
        want = (ESC + b"Ptmux;" + inner777 + ST + ESC + b"Ptmux;" + inner9 + ST)
        pane.wait(lambda: want in pane.bytes(), "the tmux-wrapped OSC 777 and OSC 9")
        self.assertEqual(pane.bytes().count(b"]777;notify;"), 1)

    def test_terminal_sequences_plain_without_tmux(self):
        pane = self.start(notify_config("terminal"), tmux_env=False)
        self.sms(PRIYA, "Running late")
        want = (ESC + b"]777;notify;Priya Raman;Running late" + ST +
                ESC + b"]9;Priya Raman: Running late" + ST)
        pane.wait(lambda: want in pane.bytes(), "the plain OSC 777 and OSC 9")
        self.assertNotIn(b"Ptmux;", pane.bytes())

    def test_hostile_text_cannot_break_out_of_the_sequences(self):
        pane = self.start(notify_config("terminal,bell"), tmux_env=False)
        hostile = "Hi\x1b]0;pwned\x07; rm -rf /\nbye\x1b\\x"
        self.sms(PRIYA, hostile)
        # Sanitized where it entered (ESC and BEL became the visible
        # symbols), then ';' removed and the newline made a space.
        body = "Hi\u241b]0pwned\u2407 rm -rf / bye\u241b\\x".encode()
        want = (ESC + b"]777;notify;Priya Raman;" + body + ST +
                ESC + b"]9;Priya Raman: " + body + ST + b"\a")
        pane.wait(lambda: want in pane.bytes(), "the sanitized sequences")
        data = pane.bytes()
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
