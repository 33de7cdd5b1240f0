"""Screen tests: the real twoway in tmux, read back from capture-pane.

Screen is one detached tmux pane on a private server (tmux -L NAME -f
/dev/null, fixed size): keys() and type() send keys, text()/row() read what
a person would see, wait_for() polls until a text or a regex shows up
(one generous deadline, twtest.DEADLINE; a failure shows the screen and
the end of twoway's log).
Twoway is the client in such a pane with a home directory of its own
(config, state, cache under one temporary folder) pointed at a twowayd.
start_pair() starts both for a test and registers their cleanup;
ScreenCase is a TestCase with one twowayd per class and helpers for the
rows every test reads (status line, input line, the thread pane). Proxy
stands between twoway and twowayd to fail or rewrite answers.

Every tmux server a test starts is killed and its socket file removed at
the test's cleanup, and again at exit if the test died first. Waiting for
twoway's own state: Twoway.synced() returns once a poll that began after
the call has finished (twoway has then seen whatever twowayd held when the
call was made); Twoway.wait_log() waits for a line of its log.

Only the Python standard library and tmux are needed.
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unicodedata
import unittest
import urllib.error
import urllib.request

import twtest

# Fast polling, and no notifications (they are test_notify's business).
# Polling, as the tests of the screen were written for (screen_live has
# the live channel).
CONFIG = "set poll_interval = 1\nset notify = none\nset live = no\n"

# The status line once the server answers: live (pushed changes), polling
# (the live channel is not to be had) or online (set live = no).
ONLINE = re.compile(r"\b(live|polling|online) · ")

# The one generous deadline of every wait (tests/lib/twtest.py).
TIMEOUT = twtest.DEADLINE


def missing_tools():
    return [t for t in ("tmux",) if not shutil.which(t)]


class Screen:
    """A detached tmux pane of a fixed size running cmd (a shell command
    line). The pane stays after the program exits (remain-on-exit) so the
    last screen can still be read, and respawn() can start it again."""

    counter = 0

    def __init__(self, cmd, width=120, height=40, capture=None):
        """capture: a file that gets every byte the pane's program writes
        (tmux pipe-pane, in place before the program writes its first)."""
        Screen.counter += 1
        self.sock = "twscreen-%d-%d" % (os.getpid(), Screen.counter)
        self.width, self.height = width, height
        self.on_timeout = []  # callables adding context to a failure
        self.capture = capture
        self.socket_path = None
        twtest._register(self)
        pipe = [";", "pipe-pane", "-o", "cat >> %s" % shlex.quote(capture)] if capture else []
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height), cmd, ";",
                  "set-option", "-g", "remain-on-exit", "on", ";",
                  "set-option", "-g", "status", "off", *pipe)
        self.socket_path = self.display("#{socket_path}")

    def output(self):
        """Every byte written to the pane so far (with capture=)."""
        try:
            with open(self.capture, "rb") as f:
                return f.read()
        except (TypeError, FileNotFoundError):
            return b""

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              capture_output=True, text=True, check=check, timeout=TIMEOUT)

    # ---- input ----

    def keys(self, *keys):
        """tmux key names, one per argument: "Enter", "C-a", "M-f", "Tab",
        "BSpace", "PPage", "Up", "Space", "Escape", or plain characters."""
        for k in keys:
            # An argument ending in ";" separates tmux commands.
            self.tmux("send-keys", k[:-1] + "\\;" if k.endswith(";") else k)

    def type(self, text):
        """Literal text (no key names)."""
        if text.endswith(";"):  # tmux's command separator
            self.keys_hex(text.encode())
        elif text:
            self.tmux("send-keys", "-l", text)

    def keys_hex(self, data):
        """Raw bytes, as a terminal would send them."""
        self.tmux("send-keys", "-H", *["%02x" % b for b in data])

    # ---- output ----

    def text(self):
        return self.tmux("capture-pane", "-p", check=False).stdout

    def lines(self):
        rows = self.text().split("\n")[:self.height]
        return rows + [""] * (self.height - len(rows))

    def row(self, n):
        """Row n of the pane (negative counts from the bottom)."""
        return self.lines()[n]

    def raw(self):
        """The pane with its attributes as escape sequences (capture-pane -e)."""
        return self.tmux("capture-pane", "-p", "-e", check=False).stdout

    def display(self, fmt):
        return self.tmux("display-message", "-p", fmt, check=False).stdout.rstrip("\n")

    def title(self):
        return self.display("#{pane_title}")

    def cursor(self):
        x, y = self.display("#{cursor_x},#{cursor_y}").split(",")
        return int(x), int(y)

    def pid(self):
        return int(self.display("#{pane_pid}"))

    def alive(self):
        r = self.tmux("list-panes", "-F", "#{pane_dead}", check=False)
        return r.returncode == 0 and r.stdout.strip() == "0"

    # ---- waiting ----

    def wait(self, pred, what, timeout=TIMEOUT, interval=0.1):
        """Poll pred() until truthy and return its value; on timeout fail
        with the screen (and whatever on_timeout adds). The deadline is
        TIMEOUT, or timeout if that is longer."""
        return twtest.wait_for(pred, timeout, interval, what, seen=lambda: "--- screen:\n%s%s" % (
            self.text(), "".join(fn() for fn in self.on_timeout)))

    def wait_for(self, what, timeout=TIMEOUT, row=None):
        """Wait until what shows: a str (a substring) or a compiled regex.
        row limits the search to one row. Returns the screen text (str) or
        the match (regex)."""
        def look():
            s = self.text() if row is None else self.row(row)
            if isinstance(what, str):
                return s if what in s else None
            return what.search(s)
        return self.wait(look, "%r on the screen%s" % (
            what if isinstance(what, str) else what.pattern,
            "" if row is None else " (row %d)" % row), timeout)

    def wait_gone(self, what, timeout=TIMEOUT):
        def look():
            s = self.text()
            gone = (what not in s) if isinstance(what, str) else not what.search(s)
            return s if gone else None
        return self.wait(look, "%r to leave the screen" % (
            what if isinstance(what, str) else what.pattern), timeout)

    # ---- control ----

    def resize(self, width, height):
        self.tmux("resize-window", "-x", str(width), "-y", str(height))
        self.width, self.height = width, height
        self.wait(lambda: self.display("#{pane_width}x#{pane_height}") ==
                  "%dx%d" % (width, height), "the pane to be %dx%d" % (width, height))

    def respawn(self, cmd):
        self.tmux("respawn-pane", "-k", cmd)

    def stop(self):
        """Kill the tmux server and remove its socket file (tmux leaves it
        behind). Safe to call twice."""
        self.tmux("kill-server", check=False)
        path = self.socket_path or os.path.join(
            os.environ.get("TMUX_TMPDIR", "/tmp"), "tmux-%d" % os.getuid(), self.sock)
        if path.endswith("/" + self.sock):
            try:
                os.unlink(path)
            except OSError:
                pass

    cleanup = stop


class Twoway:
    """The real twoway in a Screen, as agent `agent` of twowayd d, with a
    home of its own under tmp: XDG_CONFIG_HOME/twoway/config holds config
    (mode 0600), the log is tmp/twoway.log (read on failures). Its
    environment is only what command() lists, env, and the variables named
    in inherit taken from the pane as tmux sets them (e.g. TMUX)."""

    def __init__(self, d, tmp, config="", agent=0, width=120, height=40, env=None, args=(),
                 url=None, shell=False, wrapped=False, capture=False, trace=False,
                 inherit=(), quiet=False):
        """shell: run twoway from an interactive bash with job control (for
        Ctrl-Z and fg), as a person does; its prompt is PROMPT. wrapped:
        twoway is a child of the pane's shell, not the pane's own process
        (tmux sends SIGCONT to a stopped pane process at once). capture:
        keep the pane's output bytes (Screen.output()). trace: twoway runs
        under strace, and self.tty reads what it read from and wrote to its
        terminal."""
        self.d = d
        self.tmp = tmp
        self.home = os.path.join(tmp, "home")
        self.log = os.path.join(tmp, "twoway.log")
        self.logfile = twtest.LogFile(self.log)
        self.agent = d.agent(agent) if d else None
        self.env = dict(env or {})
        self.args = list(args)
        self.url = url
        self.tty = TtyTrace(os.path.join(tmp, "tty.strace"), self) if trace else None
        self.inherit = list(inherit)
        for sub in ("cfg/twoway", "state", "cache"):
            os.makedirs(os.path.join(self.home, sub), exist_ok=True)
        self.config_path = os.path.join(self.home, "cfg", "twoway", "config")
        self.quiet = quiet
        self.write_config(config)
        self.shell = shell
        self.wrapped = wrapped
        out = os.path.join(tmp, "pane.out") if capture else None
        self.screen = Screen(self.command(), width, height, capture=out)
        self.screen.on_timeout.append(self.log_tail)
        if shell:
            self.screen.wait_for(self.PROMPT.strip())
            self.screen.type(self.program())
            self.screen.keys("Enter")

    PROMPT = "tw$ "

    @property
    def state_home(self):
        return os.path.join(self.home, "state")

    def write_config(self, text):
        """The config file: text, then (unless quiet) quiet hours off, as
        twtest.QUIET_OFF explains."""
        if not self.quiet:
            text += ("\n" if text and not text.endswith("\n") else "") + twtest.QUIET_OFF
        with open(self.config_path, "w") as f:
            f.write(text)
        os.chmod(self.config_path, 0o600)

    def command(self):
        e = {
            "HOME": self.home,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": os.path.join(self.home, "cfg"),
            "XDG_STATE_HOME": os.path.join(self.home, "state"),
            "XDG_CACHE_HOME": os.path.join(self.home, "cache"),
            "TWOWAY_URL": self.url or self.d.base_url,
            "TWOWAY_ACCOUNT": str(self.agent["account_id"] if self.agent else 1),
            "TWOWAY_TOKEN": self.agent["token"] if self.agent else "test-token",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(self.env)
        words = ["%s=%s" % (k, shlex.quote(v)) for k, v in sorted(e.items())]
        words.append('TERM="$TERM"')  # tmux's, as set for the pane
        words += ['%s="$%s"' % (k, k) for k in self.inherit]
        trace = ""
        if self.tty:
            trace = "strace -o %s -qq -s 8192 -e trace=read,write,writev,recvfrom -e signal=none " % (
                shlex.quote(self.tty.path))
        # A restarted pane must not show the last screen of the one before.
        if self.shell:
            return "printf '\\033[H\\033[2J'; exec env -i %s PS1=%s bash --norc --noprofile -i" % (
                " ".join(words), shlex.quote(self.PROMPT))
        if self.wrapped:  # a command after it keeps sh from exec'ing it
            return "printf '\\033[H\\033[2J'; env -i %s %s; echo twoway exited $?" % (
                " ".join(words), self.program())
        return "printf '\\033[H\\033[2J'; exec %senv -i %s %s" % (
            trace, " ".join(words), self.program())

    def program(self):
        """The twoway command line (without its environment)."""
        return "%s --log %s -v %s" % (
            shlex.quote(twtest.binary("twoway")), shlex.quote(self.log),
            " ".join(shlex.quote(a) for a in self.args))

    def pid(self):
        """twoway's process id (under the shell, the shell's child)."""
        pid = self.screen.pid()
        if not self.shell and not self.wrapped:
            return pid
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None

    def state(self):
        """twoway's process state letter (R, S, T when stopped...), or None."""
        pid = self.pid()
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, TypeError):
            return None

    def restart(self):
        """Start twoway again in the same pane, same home."""
        self.screen.respawn(self.command())

    def kill9(self):
        """kill -9 the twoway process and wait until its pane is dead."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        self.screen.wait(lambda: not self.screen.alive(), "twoway to die", 10)

    def log_tail(self, n=40):
        if not os.path.exists(self.log):
            return "\n--- no twoway log"
        return "\n--- twoway log (tail):\n" + self.logfile.tail(0, n)

    def log_mark(self):
        """The end of twoway's log now (for wait_log's since)."""
        return self.logfile.mark()

    def log_lines(self, pattern, since=0):
        return self.logfile.lines(pattern, since)

    def wait_log(self, pattern, since=0, count=1, what=None):
        """Wait until count lines of twoway's log after since match
        pattern; returns the matches. Fails with the screen and the log."""
        what = what or "%d line(s) matching %r in twoway's log" % (
            count, getattr(pattern, "pattern", pattern))
        return self.screen.wait(lambda: len(self.log_lines(pattern, since)) >= count and
                                self.log_lines(pattern, since), what)

    def synced(self, since=None):
        """Wait until a poll that started after since (a log mark; default:
        now) has finished: twoway then has every change twowayd had made
        before since, and has drawn it. Returns the poll's number."""
        if since is None:
            since = self.log_mark()
        n = int(self.wait_log(r" poll (\d+) started$", since,
                              what="a poll to start")[0].group(1))
        self.wait_log(r" poll %d done$" % n, since, what="poll %d to finish" % n)
        return n

    def stop(self):
        """Stop tmux and wait for twoway to be gone (it writes its history
        and drafts on the way out: the home must not be removed under it)."""
        try:
            pid = self.pid() if self.screen.alive() else None
        except (ValueError, OSError, subprocess.SubprocessError):
            pid = None
        self.screen.stop()
        deadline = time.monotonic() + TIMEOUT
        while pid and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)  # pacing between looks


def strace_works():
    """Can strace trace a child here (installed, and ptrace allowed)?"""
    if not shutil.which("strace"):
        return False
    r = subprocess.run(["strace", "-o", os.devnull, "-qq", "true"], capture_output=True,
                       timeout=30)
    return r.returncode == 0


# One line of strace -o output for read/write/writev/recvfrom: the call,
# its file descriptor and its result (the text in the middle may hold
# anything; recvfrom is how libcurl reads a socket, the live channel's too).
STRACE_CALL = re.compile(
    r"^(?:\d+ +)?(read|write|writev|recvfrom)\((\d+), (.*)\) += (-?\d+)(?: .*)?$")


class TtyTrace:
    """What twoway read from and wrote to its terminal, one system call at
    a time (strace on the twoway process: fd 0 is the terminal it reads,
    fd 1 the one it writes; what it received from its sockets too).

    Writes belong to the keys that caused them: barrier() sends a focus-in
    report (which changes nothing on the screen) and waits until twoway has
    read it, so every write between two barriers was caused by what the
    test did in between and had finished before the second one was read
    (twoway reads input only between its updates)."""

    def __init__(self, path, tw):
        self.path = path
        self.tw = tw

    def calls(self):
        """[(name, fd, result, text)] of complete lines so far."""
        try:
            with open(self.path, errors="replace") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        out = []
        for line in data.split("\n")[:-1]:
            m = STRACE_CALL.match(line)
            if m:
                out.append((m.group(1), int(m.group(2)), int(m.group(4)), m.group(3)))
        return out

    def reads(self):
        return [i for i, c in enumerate(self.calls()) if c[0] == "read" and c[1] == 0 and c[2] > 0]

    def barrier(self):
        """Send a focus-in report and wait until twoway has read it;
        returns the position of that read."""
        before = len(self.reads())
        self.tw.screen.keys_hex(b"\x1b[I")
        return self.tw.screen.wait(
            lambda: (lambda r: r[before] if len(r) > before else None)(self.reads()),
            "twoway to read the focus report")

    def writes(self, start, end):
        """[(bytes, text)] of the terminal writes between two positions."""
        return [(c[2], c[3]) for c in self.calls()[start:end]
                if c[0] in ("write", "writev") and c[1] == 1 and c[2] > 0]

    def around(self, fn):
        """Run fn() between two barriers; returns the writes it caused."""
        a = self.barrier()
        fn()
        b = self.barrier()
        return self.writes(a + 1, b)


class Proxy:
    """An HTTP proxy on 127.0.0.1 in front of twowayd d, for servers that
    misbehave: fail = a status (500, 429, ...) answered to every request
    instead of forwarding; answer = a function (method, path) returning
    (status, body) or (status, body, content type) to answer that request
    instead of forwarding, or None to forward it (Chatwoot's own plain-text
    429 "Retry later", say); rewrite = {bytes: bytes} applied to every
    answer body (raw bytes a real twowayd would never send). Point twoway
    at .url."""

    def __init__(self, d):
        self.d = d
        self.fail = None
        self.answer = None
        self.rewrite = {}
        self.fake = twtest.FakeHTTP(self._handle)
        self.fake.server.handle_error = lambda request, address: None
        self.url = self.fake.url
        self.log = []  # (time.monotonic(), method, path) of every request
        self.answers = []  # (time.monotonic(), path, bytes) of every answer forwarded

    def _handle(self, method, path, headers, body):
        self.log.append((time.monotonic(), method, path))
        fail = self.fail
        if fail:
            return fail, "application/json", b'{"error":"the proxy says %d"}' % fail
        own = self.answer(method, path) if self.answer else None
        if own:
            return own[0], own[2] if len(own) > 2 else "application/json", own[1]
        keep = {k: v for k, v in headers.items()
                if k.lower() in ("api_access_token", "content-type", "accept")}
        req = urllib.request.Request(self.d.base_url + path, data=body or None, method=method,
                                     headers=keep)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                status, ctype, out = r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, out = e.code, e.headers.get("Content-Type"), e.read()
        except OSError:
            return 502, "application/json", b'{"error":"twowayd is not answering"}'
        for old, new in self.rewrite.items():
            out = out.replace(old, new)
        self.answers.append((time.monotonic(), path, len(out)))
        return status, ctype or "application/json", out

    def cleanup(self):
        self.fake.cleanup()


def start_twowayd(test, **kw):
    """A demo twowayd whose outbound SMS go to a fake Twilio on loopback;
    stopped at test (or class) cleanup. test: a TestCase or its class."""
    fake, env = twtest.fake_twilio()
    env.update(kw.pop("env", {}))
    d = twtest.Twowayd(demo=kw.pop("demo", True), env=env, **kw)
    add = test.addClassCleanup if isinstance(test, type) else test.addCleanup
    add(fake.cleanup)
    add(d.cleanup)
    return d


def start_twoway(test, d, config=None, wait="Grace Whitman", **kw):
    """twoway in tmux against d, in a fresh temporary home; waits until
    `wait` is on the screen (Ann's first list shows Grace Whitman)."""
    if config is None:
        config = CONFIG
    tmp = tempfile.mkdtemp(prefix="twoway-screen-")
    add = test.addClassCleanup if isinstance(test, type) else test.addCleanup
    add(shutil.rmtree, tmp, True)
    tw = Twoway(d, tmp, config=config, **kw)
    add(tw.stop)
    if wait:
        tw.screen.wait_for(wait, timeout=TIMEOUT + 10)
    return tw


def start_pair(test, config=None, twowayd=None, **kw):
    """twowayd and twoway together: returns (d, tw)."""
    d = start_twowayd(test, **(twowayd or {}))
    return d, start_twoway(test, d, config=config, **kw)


# ---- reading twowayd ----

def conversations(d, agent=None, **query):
    q = {"status": "all", "assignee_type": "all"}
    q.update(query)
    qs = "&".join("%s=%s" % kv for kv in q.items())
    out, page = [], 1
    while True:
        r = d.api("GET", d.acc("/conversations?%s&page=%d" % (qs, page)), agent=agent)
        assert r.status == 200, r
        rows = r.json["data"]["payload"]
        out += rows
        if len(rows) < 25:
            return out
        page += 1


def conv_by_phone(d, phone):
    for c in conversations(d):
        if c["meta"]["sender"].get("phone_number") == phone:
            return c
    raise AssertionError("no conversation with %s" % phone)


def messages(d, conv_id):
    """Every message of a conversation, oldest first (follows before=)."""
    out, before = [], None
    while True:
        path = "/conversations/%d/messages" % conv_id
        if before:
            path += "?before=%d" % before
        r = d.api("GET", d.acc(path))
        assert r.status == 200, r
        rows = r.json["payload"]
        if not rows:
            return out
        out = rows + out
        before = rows[0]["id"]


def width(s):
    """Display columns of s, as the terminal lays it out (close enough for
    the text on our screens: wide East Asian characters and emoji take two
    columns, combining marks and format characters none)."""
    w = 0
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F:
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def panes(line):
    """(list part, thread part) of a screen row split at the divider."""
    left, sep, right = line.partition("│")
    return (left, right) if sep else (line, "")


def bar_at(raw_line):
    """Does a row of capture-pane -e start with the list's solid selection
    bar (a reversed space)?"""
    m = re.match(r"((?:\x1b\[[0-9;]*m)*) ", raw_line)
    if not m:
        return False
    reverse = False
    for params in re.findall(r"\x1b\[([0-9;]*)m", m.group(1)):
        for p in params.split(";"):
            if p in ("", "0", "27"):
                reverse = False
            elif p == "7":
                reverse = True
    return reverse


def squash(s):
    return re.sub(r"\s+", " ", s)


class ScreenCase(unittest.TestCase):
    """One demo twowayd for the whole class (tests that stop it start
    their own); twoway() starts a client in tmux for one test."""

    twowayd_kw = {}

    @classmethod
    def setUpClass(cls):
        gone = missing_tools()
        if gone:
            raise unittest.SkipTest("needs " + ", ".join(gone))
        cls.d = start_twowayd(cls, **dict(cls.twowayd_kw))

    def twoway(self, d=None, **kw):
        tw = start_twoway(self, d or self.d, **kw)
        self.s = tw.screen
        return tw

    # ---- reading the screen ----

    def status(self):
        return self.s.row(-2)

    def thread(self):
        """The right pane's rows (header and thread) beside the list."""
        return "\n".join(panes(line)[1] for line in self.s.lines()[1:-2])

    def wait_in(self, text, what, where, timeout=TIMEOUT):
        """Until what (a str, or a compiled regex) is in text(); returns
        that text (or the match). where names it for a failure."""
        def look():
            t = text()
            if isinstance(what, str):
                return t if what in t else None
            return what.search(t)
        return self.s.wait(look, "%r in %s" % (
            what if isinstance(what, str) else what.pattern, where), timeout)

    def wait_thread(self, what, timeout=TIMEOUT):
        """Like Screen.wait_for, in the right pane only (a str or a regex,
        which may span rows: they are joined with newlines)."""
        return self.wait_in(self.thread, what, "the thread", timeout)

    def input_line(self):
        return self.s.row(-1)

    def wait_position(self, pos=None, total=None, timeout=TIMEOUT):
        """The selection's place in the list, "3/44" at the right end of
        the tabs row (None: any number; "+more" may follow); returns the
        match (groups: the position and the total)."""
        what = re.compile(r" (%s)/(%s)( \S.*)?$" % (r"\d+" if pos is None else pos,
                                                   r"\d+" if total is None else total))
        return self.s.wait_for(what, timeout, row=0)

    def list_focused(self, row=1):
        """The list has the keys: the selection bar (column 0 of the
        selected row, reversed) is solid, not dim."""
        return bar_at(self.s.raw().split("\n")[row])

    def wait_status(self, what, timeout=TIMEOUT):
        return self.s.wait_for(what, timeout, row=-2)

    def status_area(self):
        """All the status line's rows, joined with spaces (a message longer
        than one row takes more, above the last one): the rows above the
        input line up to the panes (the first row with their divider; so a
        split layout only)."""
        out = []
        for row in reversed(self.s.lines()[:-1]):
            if "│" in row:
                break
            out.insert(0, row.strip())
        return squash(" ".join(out)).strip()

    def wait_status_area(self, what, timeout=TIMEOUT):
        """Until what (a str, or a compiled regex) is in status_area()."""
        return self.wait_in(self.status_area, what, "the status line's rows", timeout)

    def list_words(self):
        """The list pane's text (left of the divider, between the tabs and
        the status line) as words joined by single spaces: a message it
        wraps at word boundaries reads whole."""
        rows = self.s.lines()[1:-2]
        return squash(" ".join(panes(row)[0] for row in rows)).strip()

    def wait_list_words(self, what, timeout=TIMEOUT):
        """Until what (a str, or a compiled regex) is in list_words()."""
        return self.wait_in(self.list_words, what, "the list pane", timeout)

    def wait_input(self, what, timeout=TIMEOUT):
        return self.s.wait_for(what, timeout, row=-1)

    def wait_tab(self, name, timeout=TIMEOUT):
        """The filter tab drawn as the active one (reverse and bold)."""
        return self.s.wait(lambda: "\x1b[1;7m %s " % name in self.s.raw().split("\n")[0],
                           "the %s tab active" % name, timeout)

    def wait_input_empty(self, timeout=TIMEOUT):
        return self.s.wait(lambda: self.input_line().strip() == "", "an empty input line",
                           timeout)

    def escape(self):
        """Esc, then wait until the line is closed: a key sent right after
        a lone ESC would be read as Alt+key, as in any terminal."""
        self.s.keys("Escape")
        self.wait_input_empty()

    def command(self, line, wait_closed=True):
        """`:` line, typed and run."""
        self.s.keys(":")
        self.wait_input(re.compile(r"^\S*:"))
        self.s.type(line)
        self.s.keys("Enter")
        if wait_closed:
            self.wait_input_empty()

    def open_conv(self, conv_id, wait=None):
        self.command("open %d" % conv_id)
        if wait:
            self.s.wait_for(wait)

    # ---- twowayd ----

    def contents(self, conv_id):
        return [m["content"] for m in messages(self.d, conv_id)]
