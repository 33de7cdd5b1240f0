#!/usr/bin/env python3
"""terminal_bench — twoway and neomutt measured from outside, on the same
generated inbox, in the same run, at 120x40 with TERM=xterm-256color.

    bench/terminal_bench.py [--sizes 1000,10000] [--idle 30] [--out FILE]

Both programs run in tmux panes (a private server each) and are watched
with public tools only: strace (the write() calls to the terminal, the
reads of keys, the waits), script(1) (what was written and when, without
slowing the program down), /proc (RSS, CPU ticks, context switches) and
tmux (what the pane shows). For each size:

  - bench/gen_inbox.py makes the inbox (one SMS conversation a line);
    `twowayd admin import` loads it into a fresh twowayd, and the same
    conversations become an mbox for neomutt (one thread each, one mail a
    message, read or not as the conversation was seen);
  - first paint: under script(1), from the start to the end of the burst
    of output that first shows the newest conversation (on top of both
    lists); the bytes written until then; RSS after it (median of --runs
    starts);
  - keys: write() calls and bytes per key, from the read() of the key to
    the wait that follows it (the program idle again): j moving the bar,
    j over a long run (the list scrolls or turns pages), page-down, open
    (Enter), back, and j with a conversation open;
  - idle: --idle seconds with nothing happening: bytes to the terminal,
    CPU ticks (utime+stime) and context switches (wake-ups);
  - inbound: a new SMS (a signed Twilio webhook to twowayd; a mail
    appended to the mbox for neomutt) until it shows in the pane.

Prints a Markdown table (twoway, neomutt, ratio, target) per size and
writes it to --out. Needs tmux, strace, neomutt, python3; builds nothing
(point --build at a built tree: `meson setup build && ninja -C build`).
"""
import argparse
import email.utils
import json
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import screen  # noqa: E402
import twtest  # noqa: E402

WIDTH, HEIGHT = 120, 40
TERM = "xterm-256color"
INBOX_PHONE = "+15550100100"
AGENT = ("Ann Lee", "ann@bayside.example")
TIMEOUT = 120

# ---- the inbox -------------------------------------------------------------


def generate(n, path):
    with open(path, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "gen_inbox.py"), str(n), "--agents",
                        AGENT[1]], stdout=f, check=True)
    with open(path) as f:
        return [json.loads(line) for line in f]


def load_twowayd(binary, db, jsonl):
    """A fresh database with one account, its SMS inbox and Ann Lee (an
    administrator), then the inbox; returns (Ann's token, import seconds)."""
    out = subprocess.run([binary, "--db", db, "admin", "init", "--account", "Bayside",
                          "--inbox-name", "SMS", "--inbox-phone", INBOX_PHONE, "--agent",
                          AGENT[0], "--email", AGENT[1], "--json"],
                         capture_output=True, text=True, check=True).stdout
    token = next(json.loads(x)["token"] for x in out.splitlines()
                 if json.loads(x).get("type") == "agent")
    t0 = time.monotonic()
    subprocess.run([binary, "--db", db, "admin", "import", "--file", jsonl],
                   capture_output=True, text=True, check=True)
    return token, time.monotonic() - t0


def mbox_message(conv, i, k, m, root):
    name = conv["contact"].get("name") or conv["contact"]["phone"]
    phone = conv["contact"]["phone"].lstrip("+")
    t = m.get("created_at") or 0
    if m["type"] == "incoming":
        frm = '"%s" <%s@sms.invalid>' % (name, phone)
    else:
        frm = '"%s" <%s>' % AGENT
    lines = ["From sms@twoway.invalid %s" % time.asctime(time.gmtime(t)),
             "From: %s" % frm,
             "To: \"Bayside\" <inbox@sms.invalid>",
             "Subject: %s" % name,
             "Date: %s" % email.utils.formatdate(t),
             "Message-ID: <c%d.m%d@twoway.invalid>" % (i, k)]
    if root:
        lines += ["In-Reply-To: %s" % root, "References: %s" % root]
    if conv.get("seen_at") and t <= conv["seen_at"]:
        lines.append("Status: RO")
    lines += ["Content-Type: text/plain; charset=utf-8", ""]
    for body in m["content"].split("\n"):
        lines.append(">" + body if body.startswith("From ") else body)
    return "\n".join(lines) + "\n\n"


def write_mbox(convs, path):
    """The same conversations as mail: a thread each."""
    with open(path, "w") as f:
        for i, conv in enumerate(convs):
            root = None
            for k, m in enumerate(conv["messages"]):
                f.write(mbox_message(conv, i, k, m, root))
                root = root or "<c%d.m0@twoway.invalid>" % i


NEOMUTTRC = """\
set mbox_type=mbox
set folder="{dir}"
set spoolfile="{mbox}"
set sort=threads
set sort_aux=reverse-last-date-received
set crypt_use_gpgme=no
set header_cache=""
set move=no
set quit=yes
set wait_key=no
set mail_check=5
set timeout=5
ignore *
unignore from: date: subject: to:
"""

TWOWAY_CONFIG = """\
set notify = none
filter all
status-filter all
"""

# ---- strace ----------------------------------------------------------------

LINE = re.compile(r"^(\d+\.\d+) (\w+)\((.*)\) += (-?\d+)(.*)$")
WAIT = re.compile(r"^(\d+\.\d+) (poll|ppoll|select|pselect6|read)\((.*)$")


class Trace:
    """An strace -ttt -o file of one process (no -f): complete lines, and
    the call it is blocked in (the unfinished last line)."""

    def __init__(self, path):
        self.path = path

    def read(self):
        try:
            with open(self.path, errors="replace") as f:
                data = f.read()
        except FileNotFoundError:
            return [], ""
        lines = data.split("\n")
        calls = []
        for line in lines[:-1]:
            m = LINE.match(line)
            if m:
                calls.append((float(m.group(1)), m.group(2), m.group(3), int(m.group(4)),
                              m.group(5)))
        return calls, lines[-1]

    @staticmethod
    def waits(name, args):
        """Is this call a wait for the terminal (fd 0) that may block?"""
        if name == "read":
            return args.startswith("0,")
        if name in ("poll", "ppoll"):
            if "{fd=0," not in args:
                return False
            last = args.rsplit(",", 1)[-1].strip()
            return last not in ("0", "{tv_sec=0, tv_nsec=0}")
        if name in ("select", "pselect6"):
            return re.search(r"\[0[ \]]", args) is not None and "tv_sec=0, tv_nsec=0}" not in args
        return False

    @staticmethod
    def waited(call):
        """A wait that returned: did it wait (time out, or wake for
        something other than more of the key on fd 0)?"""
        if not Trace.waits(call[1], call[2]):
            return False
        if call[1] == "read":
            return False  # a read that returned read something
        return call[3] == 0 or "{fd=0, revents=" not in call[4]

    @staticmethod
    def blocked(tail):
        """Is the unfinished call a wait for the terminal?"""
        m = WAIT.match(tail)
        return bool(m) and Trace.waits(m.group(2), m.group(3))

    @staticmethod
    def tty_writes(calls):
        return [(c[0], c[3], c[2]) for c in calls
                if c[1] in ("write", "writev") and c[2].startswith("1,") and c[3] > 0]

    @staticmethod
    def key_reads(calls):
        return [i for i, c in enumerate(calls) if c[1] == "read" and c[2].startswith("0,")
                and c[3] > 0]


# ---- a program in a pane -----------------------------------------------------


class Program:
    """twoway or neomutt in a tmux pane, maybe under strace."""

    def __init__(self, name, argv, env, tmp, strace=None):
        """strace: its options (then self.trace reads what it wrote); else
        the program runs under script(1), which keeps what it wrote
        (self.out) and when (self.timing), without slowing it down."""
        self.name = name
        self.env = env
        self.trace = Trace(os.path.join(tmp, "%s.strace" % name)) if strace else None
        self.out = os.path.join(tmp, "%s.out" % name)
        self.timing = os.path.join(tmp, "%s.timing" % name)
        words = ["%s=%s" % (k, shlex.quote(v)) for k, v in sorted(env.items())]
        cmd = " ".join(shlex.quote(a) for a in argv)
        if strace:
            cmd = "strace -o %s -ttt -qq -s 100000 %s %s" % (
                shlex.quote(self.trace.path), strace, cmd)
        else:
            cmd = "script -q -f -E never -m classic -O %s -T %s -c %s" % (
                shlex.quote(self.out), shlex.quote(self.timing), shlex.quote("exec " + cmd))
        self.screen = screen.Screen("exec env -i %s %s" % (" ".join(words), cmd), WIDTH, HEIGHT)

    def output(self):
        """What the program wrote, as [(seconds since it started, bytes)]
        (script's timing), and the bytes."""
        try:
            with open(self.timing) as f:
                steps = [line.split() for line in f if line.strip()]
            with open(self.out, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return [], b""
        t, chunks = 0.0, []
        for delay, n in steps:
            t += float(delay)
            chunks.append((t, int(n)))
        return chunks, data

    def pid(self):
        """The program's process (the child of strace or script)."""
        pane = self.screen.pid()
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            try:
                with open("/proc/%d/task/%d/children" % (pane, pane)) as f:
                    kids = f.read().split()
                if kids:
                    return int(kids[0])
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError("%s did not start" % self.name)

    def proc(self):
        """(VmRSS kB, VmHWM kB, CPU ticks, context switches, RssAnon kB)
        from /proc."""
        pid = self.pid()
        with open("/proc/%d/status" % pid) as f:
            st = dict(line.split(":", 1) for line in f if ":" in line)
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        switches = int(st["voluntary_ctxt_switches"]) + int(st["nonvoluntary_ctxt_switches"])
        return (int(st["VmRSS"].split()[0]), int(st["VmHWM"].split()[0]), ticks, switches,
                int(st["RssAnon"].split()[0]))

    def wait(self, pred, what, timeout=TIMEOUT, interval=0.005):
        deadline = time.time() + timeout
        while True:
            v = pred()
            if v:
                return v
            if time.time() > deadline:
                raise RuntimeError("%s: timed out waiting for %s\n%s" % (
                    self.name, what, self.screen.text()))
            time.sleep(interval)

    def idle_after(self, start):
        """Wait until a key was read after call `start` and the program is
        blocked waiting for the terminal again; returns (calls, the index
        of the read)."""
        def done():
            calls, tail = self.trace.read()
            reads = [i for i in Trace.key_reads(calls) if i >= start]
            return (calls, reads[0]) if reads and Trace.blocked(tail) else None
        return self.wait(done, "the program to be idle after a key")

    def wait_idle(self):
        def done():
            calls, tail = self.trace.read()
            return calls if Trace.blocked(tail) else None
        return self.wait(done, "the program to wait for keys")

    def key(self, key, shown=None):
        """Press a key; returns (write() calls, bytes) it caused: from its
        read() to the program's next wait for the terminal. shown: a
        predicate on the pane for a key whose effect comes after a round
        trip (open): then up to the wait after that effect is drawn."""
        start = len(self.wait_idle())
        self.screen.keys(key)
        if shown:
            self.wait(shown, "%s after %s" % (shown.__doc__ or "the screen", key))
        calls, read = self.idle_after(start)
        end = len(calls)
        if not shown:  # the first wait after the read: what the key itself drew
            end = next((i for i in range(read + 1, len(calls)) if Trace.waited(calls[i])),
                       len(calls))
        w = Trace.tty_writes(calls[read:end])
        if os.environ.get("TERMINAL_BENCH_DEBUG"):
            print("%s %r: %s" % (self.name, key, [(n, t[:120]) for _, n, t in w]), file=sys.stderr)
        return len(w), sum(n for _, n, _ in w)

    def running(self):
        """The program's process if it still runs (without waiting)."""
        try:
            pane = self.screen.pid()
            with open("/proc/%d/task/%d/children" % (pane, pane)) as f:
                kids = f.read().split()
            return int(kids[0]) if kids else None
        except (OSError, ValueError, subprocess.SubprocessError):
            return None

    def stop(self):
        """End the program, then its pane. Killing the tmux server alone
        is not enough: script(1) outlives the hung-up pane (it waits for
        its child, whose own terminal is script's), and so would the
        program, awake for ever."""
        pid = self.running()
        if pid:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    break
                deadline = time.time() + 10
                while time.time() < deadline and os.path.exists("/proc/%d" % pid):
                    time.sleep(0.05)
                if not os.path.exists("/proc/%d" % pid):
                    break
        self.screen.stop()


# ---- measuring -------------------------------------------------------------


def median(v):
    return statistics.median(v) if v else float("nan")


def first_paint(prog, marker):
    """(ms from the start to the end of the first screen with the inbox,
    bytes written until then), from script(1)'s log: the first screen ends
    with the burst of output (chunks less than 20 ms apart) in which
    `marker` (the newest conversation's name) appears."""
    want = re.compile(re.escape(marker.encode()) + rb"(?!\d)")

    def painted():
        chunks, data = prog.output()
        at = 0
        for i, (t, n) in enumerate(chunks):
            if want.search(data[:at + n]):
                end, size = i, at + n
                while end + 1 < len(chunks) and chunks[end + 1][0] - chunks[end][0] < 0.02:
                    end += 1
                    size += chunks[end][1]
                if end + 1 == len(chunks) and time.time() - os.path.getmtime(prog.timing) < 0.1:
                    return None  # the burst may go on
                return chunks[end][0] * 1000, size
            at += n
        return None
    return prog.wait(painted, "the first screen")


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.twowayd_bin = os.path.join(self.build, "src", "twowayd", "twowayd")
        self.twoway_bin = os.path.join(self.build, "src", "app", "twoway")
        self.tmp = tempfile.mkdtemp(prefix="terminal-bench-")
        os.environ["TWOWAY_BUILD_DIR"] = self.build
        self.results = {}

    # -- the programs

    def twoway(self, strace=None):
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        os.makedirs(os.path.join(home, "cfg", "twoway"))
        cfg = os.path.join(home, "cfg", "twoway", "config")
        with open(cfg, "w") as f:
            f.write(TWOWAY_CONFIG)
        os.chmod(cfg, 0o600)
        env = {"HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
               "TERM": TERM, "XDG_CONFIG_HOME": os.path.join(home, "cfg"),
               "XDG_STATE_HOME": os.path.join(home, "state"),
               "XDG_CACHE_HOME": os.path.join(home, "cache"),
               "TWOWAY_URL": self.d.base_url, "TWOWAY_ACCOUNT": "1", "TWOWAY_TOKEN": self.token,
               "TWOWAY_READY_FILE": os.path.join(home, "ready")}
        return Program("twoway", [self.twoway_bin], env, home, strace)

    def neomutt(self, strace=None):
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        rc = os.path.join(home, "neomuttrc")
        with open(rc, "w") as f:
            f.write(NEOMUTTRC.format(dir=os.path.dirname(self.mbox), mbox=self.mbox))
        env = {"HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
               "TERM": TERM}
        return Program("neomutt", ["neomutt", "-n", "-F", rc], env, home, strace)

    # -- one size

    def run_size(self, n):
        r = {}
        self.results[n] = r
        jsonl = os.path.join(self.tmp, "inbox-%d.jsonl" % n)
        convs = generate(n, jsonl)
        r["messages"] = sum(len(c["messages"]) for c in convs)
        # On top of both lists: the conversation with the newest message.
        newest = max(convs, key=lambda c: max(m.get("created_at") or 0 for m in c["messages"]))
        self.newest = newest["contact"].get("name") or newest["contact"]["phone"]
        db = os.path.join(self.tmp, "twowayd-%d.db" % n)
        self.token, r["import_s"] = load_twowayd(self.twowayd_bin, db, jsonl)
        self.mbox = os.path.join(self.tmp, "inbox-%d.mbox" % n)
        write_mbox(convs, self.mbox)
        self.d = twtest.Twowayd(demo=False, db=db)
        try:
            for name in ("twoway", "neomutt"):
                self.starts(name, n, r)
                self.keys(name, n, r)
                self.idle_and_inbound(name, n, r)
        finally:
            self.d.cleanup()

    def starts(self, name, n, r):
        times, sizes, rss, anon = [], [], [], []
        for _ in range(self.args.runs):
            p = self.twoway() if name == "twoway" else self.neomutt()
            try:
                ms, size = first_paint(p, self.newest)
                times.append(ms)
                sizes.append(size)
                m = p.proc()
                rss.append(m[0])
                anon.append(m[4])
            finally:
                p.stop()
        r[name + ".paint_ms"] = median(times)
        r[name + ".paint_bytes"] = median(sizes)
        r[name + ".rss_kb"] = median(rss)
        r[name + ".anon_kb"] = median(anon)

    def keys(self, name, n, r):
        strace = "-e trace=read,write,writev,poll,ppoll,select,pselect6"
        p = self.twoway(strace) if name == "twoway" else self.neomutt(strace)
        try:
            if name == "twoway":
                p.wait(lambda: re.search(r" 1/\d+( \S.*)?$", p.screen.row(0)), "the list")
            else:
                p.wait(lambda: "NeoMutt: " in p.screen.text(), "the index")
            self.measure_keys(p, name, r)
            r[name + ".hwm_kb"] = p.proc()[1]
        finally:
            p.stop()

    def measure_keys(self, p, name, r):
        tw = name == "twoway"
        top = "g" if tw else "="  # tmux's Home is not the one xterm-256color describes
        p.key(top)
        bar = [p.key("j") for _ in range(10)]
        r[name + ".j"] = (max(w for w, _ in bar), median([b for _, b in bar]))
        p.key(top)
        run = [p.key("j") for _ in range(self.args.run_keys)]
        r[name + ".j_run"] = (max(w for w, _ in run), sum(b for _, b in run) / len(run),
                              max(b for _, b in run))
        p.key(top)
        pages = [p.key("NPage") for _ in range(5)]
        r[name + ".page"] = (max(w for w, _ in pages), median([b for _, b in pages]))
        p.key(top)
        p.key("j")
        if tw:
            def thread_shown():
                """the thread"""
                return re.search(r"│\d\d:\d\d [◀▶]", p.screen.text())
            r[name + ".open"] = p.key("Enter", thread_shown)

            def list_focused():
                """the list focused"""
                return any(screen.bar_at(line) for line in p.screen.raw().split("\n"))
            r[name + ".back"] = p.key("Escape", list_focused)
            beside = [p.key("j") for _ in range(self.args.run_keys)]
        else:
            r[name + ".open"] = p.key("Enter")
            beside = [p.key("j") for _ in range(10)]  # the pager: the next message
            r[name + ".back"] = p.key("q")
        r[name + ".j_open"] = (max(w for w, _ in beside), median([b for _, b in beside]),
                               sum(b for _, b in beside) / len(beside))

    def idle_and_inbound(self, name, n, r):
        """Under script(1) (strace would add context switches of its own)."""
        p = self.twoway() if name == "twoway" else self.neomutt()
        try:
            first_paint(p, self.newest)
            if name == "neomutt":  # at the newest thread, where new mail goes
                p.wait(lambda: p.screen.keys("=") or re.match(r"\s+1 ", p.screen.row(1)),
                       "the top of the index", interval=0.2)
            time.sleep(2)  # whatever follows the first screen (the rest of the sync)
            size = os.path.getsize(p.out)
            a = p.proc()
            time.sleep(self.args.idle)
            b = p.proc()
            r[name + ".idle"] = (os.path.getsize(p.out) - size, b[2] - a[2], b[3] - a[3])
            if os.environ.get("TERMINAL_BENCH_DEBUG"):
                with open(p.out, "rb") as f:
                    f.seek(size)
                    print("%s idle: %r" % (name, f.read()), file=sys.stderr)
            lat = []
            rng = random.Random(n)
            for i in range(self.args.inbound):
                # At a random moment of the 5 s both programs poll at.
                time.sleep(rng.uniform(0, 5))
                phone = "+1555990%04d" % (i + 1 + (100 if name == "neomutt" else 0))
                t0 = self.inbound(name, phone)
                p.wait(lambda: phone in p.screen.text(), "the new message", timeout=60,
                       interval=0.01)
                lat.append((time.monotonic() - t0) * 1000)
            r[name + ".inbound_ms"] = median(lat)
        finally:
            p.stop()

    def inbound(self, name, phone):
        """A new customer's first SMS; returns when it was sent."""
        if name == "twoway":
            t0 = time.monotonic()
            res = self.d.sms_in(phone, "Hello from a new customer", to=INBOX_PHONE)
            assert res.status == 200, res
            return t0
        conv = {"contact": {"phone": phone, "name": phone}, "messages": []}
        m = {"type": "incoming", "content": "Hello from a new customer",
             "created_at": time.time() + 86400 * 400}
        text = mbox_message(conv, 900000 + int(phone[-4:]), 0, m, None)
        t0 = time.monotonic()
        with open(self.mbox, "a") as f:
            f.write(text)
        return t0

    def cleanup(self):
        if not self.args.keep:
            shutil.rmtree(self.tmp, True)


# ---- the table -------------------------------------------------------------


def ratio(a, b):
    return a / b if b else float("inf") if a else 0.0


def table(n, r, args):
    T, N = "twoway.", "neomutt."
    rows = []

    def row(what, tw, nm, fmt, target, ok):
        rt = ratio(tw, nm) if isinstance(tw, (int, float)) and isinstance(nm, (int, float)) \
            else None
        rows.append("| %s | %s | %s | %s | %s | %s |" % (
            what, fmt % tw, fmt % nm, "%.2f×" % rt if rt is not None else "", target,
            "yes" if ok else "**no**"))

    def wb(key):
        return r[T + key], r[N + key]

    big = n >= 10000  # the start-up targets are for 10k conversations
    row("first paint, ms", r[T + "paint_ms"], r[N + "paint_ms"], "%.0f",
        "≤ 0.05×" if big else "", not big or ratio(r[T + "paint_ms"], r[N + "paint_ms"]) <= 0.05)
    row("bytes to first paint", r[T + "paint_bytes"], r[N + "paint_bytes"], "%d", "",
        True)
    row("RSS after first paint, kB", r[T + "rss_kb"], r[N + "rss_kb"], "%d",
        "≤ 0.25×" if big else "", not big or ratio(r[T + "rss_kb"], r[N + "rss_kb"]) <= 0.25)
    row("… of which not shared libraries (RssAnon), kB", r[T + "anon_kb"], r[N + "anon_kb"],
        "%d", "", True)
    t, m = wb("j")
    row("j (the bar moves): write() calls", t[0], m[0], "%d", "1", t[0] == 1)
    row("j (the bar moves): bytes, median", t[1], m[1], "%.0f", "≤ 0.5×",
        ratio(t[1], m[1]) <= 0.5)
    t, m = wb("j_run")
    row("j × %d from the top (the list scrolls): most write() calls for one j" % args.run_keys,
        t[0], m[0], "%d", "1", t[0] == 1)
    row("j × %d from the top: bytes per j, mean" % args.run_keys, t[1], m[1], "%.0f", "≤ 0.5×",
        ratio(t[1], m[1]) <= 0.5)
    row("j × %d from the top: bytes of the dearest j" % args.run_keys, t[2], m[2], "%d", "",
        True)
    t, m = wb("page")
    row("page-down: write() calls", t[0], m[0], "%d", "1", t[0] == 1)
    row("page-down: bytes, median", t[1], m[1], "%.0f", "≤ 1.0×", ratio(t[1], m[1]) <= 1.0)
    t, m = wb("open")
    row("open (Enter): write() calls", t[0], m[0], "%d", "1", t[0] == 1)
    row("open (Enter): bytes", t[1], m[1], "%d", "≤ 1.0×", ratio(t[1], m[1]) <= 1.0)
    t, m = wb("back")
    row("back (Esc / q): write() calls", t[0], m[0], "%d", "1", t[0] == 1)
    row("back (Esc / q): bytes", t[1], m[1], "%d", "", True)
    t, m = wb("j_open")
    row("j with a conversation open: most write() calls", t[0], m[0], "%d", "1", t[0] == 1)
    row("j with a conversation open: bytes, median", t[1], m[1], "%.0f", "≤ 0.5×",
        ratio(t[1], m[1]) <= 0.5)
    row("j with a conversation open: bytes per j, mean", t[2], m[2], "%.0f", "≤ 0.5×",
        ratio(t[2], m[2]) <= 0.5)
    t, m = wb("idle")
    row("idle %d s: bytes to the terminal" % args.idle, t[0], m[0], "%d", "0", t[0] == 0)
    row("idle %d s: CPU ticks" % args.idle, t[1], m[1], "%d", "", True)
    row("idle %d s: context switches (wake-ups)" % args.idle, t[2], m[2], "%d", "", True)
    row("inbound SMS → on screen, ms, median", r[T + "inbound_ms"], r[N + "inbound_ms"],
        "%.0f", "", True)
    head = ["### %d conversations, %d messages (import into twowayd: %.1f s)" % (
        n, r["messages"], r["import_s"]), "",
        "| | twoway | neomutt | ratio | target | met |", "|---|---|---|---|---|---|"]
    return "\n".join(head + rows) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--idle", type=int, default=30, help="seconds of idleness measured")
    ap.add_argument("--runs", type=int, default=3, help="starts per program (median)")
    ap.add_argument("--run-keys", type=int, default=80, help="j presses in a long run")
    ap.add_argument("--inbound", type=int, default=3, help="inbound messages (median)")
    ap.add_argument("--out", default=None, help="also write the tables to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    args.run_keys, args.idle = args.run_keys, args.idle
    for tool in ("tmux", "strace", "neomutt"):
        if not shutil.which(tool):
            sys.exit("terminal_bench: needs %s (apt-get install %s)" % (tool, tool))
    b = Bench(args)
    out = []
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            b.run_size(n)
            t = table(n, b.results[n], args)
            print(t, flush=True)
            out.append(t)
    finally:
        b.cleanup()
        if args.keep:
            print("kept", b.tmp, file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(out))


if __name__ == "__main__":
    main()
