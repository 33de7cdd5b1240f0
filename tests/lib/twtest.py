"""Test helpers: start twowayd (and other local services) on loopback,
talk to it over HTTP, and always stop what was started.

Waiting: a test waits for the state it needs (a row in twowayd's database,
a line in a log, a request seen by a fake, text on a screen) with
wait_for() and one generous deadline, DEADLINE, and fails with what it saw.
A deadline running out means something is broken, never that the machine
was slow: no wait is shorter than DEADLINE, and no fixed sleep decides a
result.

Ports: every server a test starts binds port 0 and reports the port it got
(twowayd in its first JSON line, FakeHTTP in .port); a port that must stay
closed is held by ClosedPort, never guessed.

Only the Python standard library is used here, so the helpers run on a
fresh Debian 12 with python3 alone.
"""
import base64
import contextlib
import hashlib
import hmac
import http.server
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BUILD = os.environ.get("TWOWAY_BUILD_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary(name):
    """Path of a built program: $TWOWAYD / $TWOWAY override, else the build dir."""
    env = os.environ.get(name.upper())
    if env:
        return env
    sub = {"twowayd": "twowayd", "twoway": "app"}[name]
    return os.path.join(BUILD, "src", sub, name)


# One generous deadline for every wait. CI machines with two cores run
# several test programs at once, some under sanitizers; a wait that runs out
# fails the test, so it must only ever run out when something is broken.
DEADLINE = float(os.environ.get("TWOWAY_TEST_DEADLINE", "60"))


def wait_for(pred, timeout=None, interval=0.05, what="condition", seen=None):
    """Poll pred() until it returns a truthy value, and return that value.
    After the deadline (DEADLINE, or timeout if that is longer) fail with
    what: the last value pred() returned and, if given, seen() (a text
    saying what the test saw, e.g. the requests a fake received)."""
    limit = max(timeout or 0, DEADLINE)
    deadline = time.monotonic() + limit
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)  # pacing between looks
    extra = ""
    if seen is not None:
        try:
            extra = "\n--- seen:\n%s" % (seen(),)
        except Exception as e:  # a broken description must not hide the failure
            extra = "\n--- seen: (%r)" % e
    raise AssertionError("timed out after %gs waiting for %s (last: %r)%s" %
                         (limit, what, last, extra))


class ClosedPort:
    """A loopback port that is sure to refuse connections: a socket bound to
    it that does not listen. No other program can take the port while it is
    held; serve() hands the socket to a FakeHTTP (the port opens), close()
    lets it go."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        _register(self)

    def serve(self, handler):
        """A FakeHTTP on this very port (connections are accepted from now on)."""
        sock, self.sock = self.sock, None
        return FakeHTTP(handler, sock=sock)

    def cleanup(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    close = cleanup


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


def http(method, url, body=None, headers=None, timeout=None):
    """One HTTP request; returns Response for every status (never raises on 4xx/5xx)."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout or DEADLINE) as r:
            return Response(r.status, r.read().decode("utf-8", "replace"), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read().decode("utf-8", "replace"), dict(e.headers))


def multipart(fields=(), files=(), boundary=None):
    """A multipart/form-data body as browsers and Chatwoot's dashboard send
    it: fields [(name, text)], files [(name, filename, content type or
    None, bytes)]. Returns (body bytes, Content-Type header value)."""
    boundary = boundary or "----twtest" + os.urandom(12).hex()
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                    % (boundary, name)).encode() + value.encode() + b"\r\n")
    for name, filename, ctype, data in files:
        head = "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n" % (
            boundary, name, filename)
        if ctype:
            head += "Content-Type: %s\r\n" % ctype
        out.append(head.encode() + b"\r\n" + data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def http_bytes(method, url, body=None, headers=None, timeout=None):
    """One HTTP request whose answer is bytes: (status, headers with
    lower-case names, body bytes)."""
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout or DEADLINE) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def twilio_signature(auth_token, url, params):
    """X-Twilio-Signature as Twilio documents it: HMAC-SHA1 over the URL
    followed by each POST parameter name and value, sorted by name; base64."""
    s = url
    for k in sorted(params):
        v = params[k]
        if isinstance(v, (list, tuple)):
            for item in v:
                s += k + item
        else:
            s += k + v
    mac = hmac.new(auth_token.encode(), s.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


class LogFile:
    """A log a program appends to (twowayd's --log, twoway's --log): mark()
    the current end, then wait() for a line matching a regex written after
    the mark."""

    def __init__(self, path):
        self.path = path

    def text(self, since=0):
        try:
            with open(self.path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def mark(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def lines(self, pattern, since=0):
        """Every match of pattern (a str regex or compiled) after since."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return [m for m in (rx.search(line) for line in self.text(since).splitlines()) if m]

    def wait(self, pattern, since=0, count=1, what=None):
        """Wait until count lines after since match pattern; returns the
        matches. Fails with the end of the log."""
        return wait_for(lambda: len(self.lines(pattern, since)) >= count and
                        self.lines(pattern, since),
                        what=what or "%d line(s) matching %r in %s" % (
                            count, getattr(pattern, "pattern", pattern), self.path),
                        seen=lambda: self.tail(since))

    def tail(self, since=0, n=40):
        return "\n".join(self.text(since).splitlines()[-n:])


class Twowayd:
    """A twowayd on 127.0.0.1 with a temporary database.

    demo=True seeds the demo account and collects the JSON lines printed at
    start (self.agents: list of dicts with id, account_id, name, email, role,
    token). Use as a context manager, or call stop(); stop() also runs at exit.
    """

    AUTH_TOKEN = "test-twilio-auth-token"

    def __init__(self, demo=True, simulate=False, db=None, extra_args=(), env=None,
                 config=None, port=0):
        self.tmp = tempfile.mkdtemp(prefix="twowayd-test-")
        self.db = db or os.path.join(self.tmp, "twowayd.db")
        self.log = os.path.join(self.tmp, "twowayd.log")
        self.demo = demo
        self.simulate = simulate
        self.extra_args = list(extra_args)
        self.env = dict(env or {})
        self.config = config
        self.port = port
        self.proc = None
        self.agents = []
        self.base_url = None
        self.server_info = None
        self.start()

    def start(self):
        args = [binary("twowayd"), "--listen", "127.0.0.1:%d" % self.port, "--db", self.db,
                "--log", self.log, "-v"]
        if self.demo:
            args.append("--demo")
        if self.simulate:
            args.append("--simulate")
        if self.config:
            path = os.path.join(self.tmp, "twowayd.conf")
            with open(path, "w") as f:
                f.write(self.config)
            args += ["--config", path]
        args += self.extra_args
        env = dict(os.environ)
        env.setdefault("TWOWAYD_TWILIO_AUTH_TOKEN", self.AUTH_TOKEN)
        env.setdefault("TWOWAYD_TWILIO_ACCOUNT_SID", "ACtest0000000000000000000000000000")
        # Tests never reach beyond 127.0.0.0/8: a reply sent without a fake
        # Twilio goes to a closed loopback port, not to api.twilio.com.
        env.setdefault("TWOWAYD_TWILIO_BASE_URL", nowhere())
        env.update(self.env)
        self.auth_token = env["TWOWAYD_TWILIO_AUTH_TOKEN"]
        # Standard error goes to a file: sanitizer reports land there and
        # stop() fails the test if it finds one.
        self.stderr_path = os.path.join(self.tmp, "stderr-%d.txt" % len(os.listdir(self.tmp)))
        self.stderr_file = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     env=env, text=True)
        _register(self)
        self.lines = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, self.lines), daemon=True).start()
        deadline = time.monotonic() + DEADLINE
        line = _readline_timeout(self.lines, DEADLINE)
        if not line:
            self.stop(check=False)
            raise RuntimeError("twowayd did not start: %s" % self.stderr_text())
        self.server_info = json.loads(line)
        self.base_url = self.server_info["base_url"]
        self.port = int(self.base_url.rsplit(":", 1)[1])
        # Agent lines (with --demo) follow, then {"type": "ready"}. A token
        # is printed only when it is made (the database keeps its digest):
        # on a restart, each agent keeps the token learnt before.
        known = {a["id"]: a.get("token") for a in self.agents}
        self.agents = []
        while True:
            r = _readline_timeout(self.lines, deadline - time.monotonic())
            if r is None:
                self.stop(check=False)
                raise RuntimeError("twowayd stopped (or said nothing for %gs) before it was "
                                   "ready: %s" % (DEADLINE, self.stderr_text()))
            obj = json.loads(r)
            if obj.get("type") == "ready":
                break
            if obj.get("type") == "agent":
                if "token" not in obj and known.get(obj["id"]):
                    obj["token"] = known[obj["id"]]
                self.agents.append(obj)
        return self

    def agent(self, i=0, account_id=1):
        """The i-th agent of an account (0 = the first, an administrator)."""
        found = [a for a in self.agents if a["account_id"] == account_id]
        return found[i]

    def api(self, method, path, body=None, token=None, agent=None, headers=None, raw=False):
        """Call /api/v1/... (path may contain {acc} for the agent's account)."""
        agent = agent or (self.agent() if self.agents else None)
        hdrs = dict(headers or {})
        tok = token if token is not None else (agent["token"] if agent else None)
        if tok is not None:
            hdrs["api_access_token"] = tok
        if agent:
            path = path.replace("{acc}", str(agent["account_id"]))
        return http(method, self.base_url + path, body, hdrs)

    def acc(self, path, agent=None):
        agent = agent or self.agent()
        return "/api/v1/accounts/%d%s" % (agent["account_id"], path)

    def webhook(self, path, params, signature=True, url=None):
        """POST a Twilio-style form webhook, signed with the auth token."""
        url = url or (self.base_url + path)
        body = urllib.parse.urlencode(params, doseq=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is True:
            headers["X-Twilio-Signature"] = twilio_signature(
                self.auth_token, self.base_url + path if url.startswith(self.base_url) else url,
                params)
        elif signature:
            headers["X-Twilio-Signature"] = signature
        return http("POST", self.base_url + path, body, headers)

    def sms_in(self, frm, body, to="+15550100100", sid=None, **extra):
        params = {"From": frm, "To": to, "Body": body,
                  "MessageSid": sid or "SM" + os.urandom(16).hex(),
                  "AccountSid": "ACtest0000000000000000000000000000", "NumMedia": "0"}
        params.update(extra)
        return self.webhook("/twilio/sms", params)

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(DEADLINE)
        if self.proc and self.proc.poll() is not None:
            self.proc.stdout.close()
            self.stderr_file.close()

    def restart(self):
        """Start again on the same port and database (after kill())."""
        self.kill()
        self.start()

    def stop(self, check=True):
        """SIGTERM, and wait for twowayd to leave (SIGKILL after DEADLINE).
        Returns its exit status (None if it was not running): 0 when it
        left by itself. With check, a sanitizer report on its standard
        error fails the test."""
        rc = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            rc = self.proc.returncode
            try:
                self.proc.stdout.close()
            except Exception:
                pass
            self.stderr_file.close()
            self.proc = None
            report = sanitizer_report(self.stderr_text())
            if report and check:
                raise AssertionError("twowayd: sanitizer report:\n" + report)
        self.proc = None
        return rc

    def stderr_text(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except (OSError, AttributeError):
            return ""

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_text(self):
        return LogFile(self.log).text()

    def log_mark(self):
        """The end of the log now: wait_log(..., since=mark) looks after it."""
        return LogFile(self.log).mark()

    def wait_log(self, pattern, since=0, count=1, what=None):
        """Wait for count lines of the log matching pattern (a regex)."""
        return LogFile(self.log).wait(pattern, since, count, what)

    def sql(self, query, *args):
        """Rows of a query on twowayd's database, running or not (WAL):
        what it committed, e.g. an outbox row's state. A statement that
        writes is committed (only while twowayd is stopped: it is the
        database's writer)."""
        conn = sqlite3.connect(self.db, timeout=DEADLINE)
        try:
            rows = conn.execute(query, args).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    def outbox(self, message_id):
        """The outbox row of a message as a dict (state: pending, sending,
        sent or failed; attempts; next_attempt_at; last_error), or None."""
        rows = self.sql("SELECT state, attempts, next_attempt_at, last_error FROM outbox "
                        "WHERE message_id = ?", message_id)
        if not rows:
            return None
        return dict(zip(("state", "attempts", "next_attempt_at", "last_error"), rows[0]))

    def outbox_busy(self):
        """Outbox rows the sender still has to send or is sending."""
        return self.sql("SELECT message_id, state, attempts, last_error FROM outbox "
                        "WHERE state IN ('pending', 'sending')")

    def wait_outbox_idle(self):
        """Wait until the sender has nothing left to send: every reply is
        sent or failed for good, so no request to Twilio can follow."""
        wait_for(lambda: not self.outbox_busy(), what="the outbox to be idle",
                 seen=lambda: "busy rows: %r\nlog:\n%s" % (self.outbox_busy(),
                                                           LogFile(self.log).tail()))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def all_messages(d, cid, agent=None):
    """Every message of conversation cid on twowayd d, oldest first, read
    page by page (after=<last id>, 100 a page)."""
    out, after = [], 0
    while True:
        r = d.api("GET", d.acc("/conversations/%d/messages?after=%d" % (cid, after), agent),
                  agent=agent)
        assert r.status == 200, r
        page = r.json["payload"]
        out += page
        if len(page) < 100:
            return out
        after = max(m["id"] for m in page)


# Quiet hours follow the wall clock in the customer's time zone: a test that
# is not about them turns them off, so no result depends on when it runs.
# The tests of quiet hours keep them (quiet=True) and choose the time zone.
QUIET_OFF = "set quiet_hours = none\n"


def age_conversation(d, display_id, hours_ago):
    """Every message of conversation display_id (account 1) written
    hours_ago, as if the customer had been silent since (twowayd d is
    restarted, see edit_db)."""
    at = time.time() - hours_ago * 3600

    def age(conn):
        conn.execute("UPDATE messages SET created_at = ?, updated_at = ? WHERE "
                     "conversation_id = (SELECT id FROM conversations WHERE display_id = ? "
                     "AND account_id = 1)", (at, at, display_id))
    edit_db(d, age)


def zone_at(hour):
    """An Etc/GMT zone where it is now between hour and hour+1 (Etc/GMT+N
    is N hours behind UTC): for a customer in quiet hours (2) or in their
    day (14), six hours from either end of the default 21:00-08:00."""
    import datetime
    utc = datetime.datetime.now(datetime.timezone.utc).hour
    offset = (hour - utc + 36) % 24 - 12  # local = utc + offset, in -12..11
    return "Etc/GMT%+d" % -offset if offset else "Etc/UTC"


def quiet_around(zone, shift=0):
    """quiet_hours four hours long, centred shift hours from now in zone:
    shift 0 holds the present moment there, shift 12 is far from it."""
    import datetime
    import zoneinfo
    mid = datetime.datetime.now(zoneinfo.ZoneInfo(zone)) + datetime.timedelta(hours=shift)
    start = (mid - datetime.timedelta(hours=2)).strftime("%H:%M")
    end = (mid + datetime.timedelta(hours=2)).strftime("%H:%M")
    return "%s-%s" % (start, end)


class TwowayRunner:
    """Runs the real twoway --batch against twowayd d (or another url, e.g.
    a fault proxy in front of it) with a private HOME and XDG dirs. Its
    config file turns quiet hours off unless quiet is true."""

    def __init__(self, d, url=None, quiet=False):
        self.d = d
        self.url = url
        self.home = tempfile.mkdtemp(prefix="twoway-batch-")
        _register(self)
        if not quiet:
            os.makedirs(os.path.join(self.home, ".config", "twoway"))
            self.write(os.path.join(".config", "twoway", "config"), QUIET_OFF)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def env(self, agent):
        h = self.home
        env = dict(os.environ)
        for k in ("TWOWAY_URL", "TWOWAY_ACCOUNT", "TWOWAY_TOKEN"):
            env.pop(k, None)
        env.update(TWOWAY_URL=self.url or self.d.base_url, TWOWAY_ACCOUNT=str(agent["account_id"]),
                   TWOWAY_TOKEN=agent["token"], HOME=h, XDG_CONFIG_HOME=h + "/.config",
                   XDG_STATE_HOME=h + "/state", XDG_CACHE_HOME=h + "/cache", TZ="UTC")
        # The servers are local: no proxy from the environment may see them.
        env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1"
        return env

    def run(self, script=None, args=(), agent=None, json_out=False, timeout=90):
        agent = agent or self.d.agent(1)  # Ben Ortiz, an agent
        cmd = [binary("twoway"), "--batch"] + (["--json"] if json_out else []) + list(args)
        p = subprocess.run(cmd, input=script if script is not None else "",
                           env=self.env(agent), capture_output=True, text=True, timeout=timeout)
        report = sanitizer_report(p.stderr)
        if report:
            raise AssertionError("twoway: sanitizer report:\n" + report)
        return p.returncode, p.stdout, p.stderr

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.home, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def state_dirs(self):
        root = os.path.join(self.home, "state", "twoway")
        try:
            return [os.path.join(root, n) for n in sorted(os.listdir(root))]
        except OSError:
            return []

    def outbox(self):
        """Every reply in the outboxes twoway keeps under this HOME."""
        out = []
        for d in self.state_dirs():
            try:
                with open(os.path.join(d, "outbox.jsonl")) as f:
                    out += [json.loads(line) for line in f if line.strip()]
            except OSError:
                pass
        return out

    def draft(self, conv, private=False):
        for d in self.state_dirs():
            path = os.path.join(d, "draft-%d%s.txt" % (conv, "-note" if private else ""))
            if os.path.exists(path):
                with open(path) as f:
                    return path, f.read()
        return None, None


def sanitizer_report(text):
    """The AddressSanitizer / LeakSanitizer / UBSan part of a program's
    standard error, or "" if there is none."""
    marks = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
             "SUMMARY: UndefinedBehaviorSanitizer")
    if not any(m in text for m in marks):
        return ""
    return text[-8000:]


def _pump(f, q):
    """Move a child's output lines into a queue (so reads can time out)."""
    try:
        for line in f:
            q.put(line)
    except (ValueError, OSError):
        pass
    q.put(None)


def _readline_timeout(q, timeout):
    try:
        return q.get(timeout=max(timeout, 0.01))
    except queue.Empty:
        return None


_started = []


def _register(obj):
    if obj not in _started:
        _started.append(obj)


def _cleanup_all():
    for obj in reversed(_started):
        try:
            obj.cleanup()
        except Exception:
            pass


def _on_sigterm(signum, frame):
    # meson test sends SIGTERM at its timeout: leave through the normal
    # exit so that _cleanup_all stops what the test started (tmux servers
    # are not in our process group and would outlive us).
    raise KeyboardInterrupt("SIGTERM")


import atexit  # noqa: E402
atexit.register(_cleanup_all)
if (threading.current_thread() is threading.main_thread() and
        signal.getsignal(signal.SIGTERM) == signal.SIG_DFL):
    signal.signal(signal.SIGTERM, _on_sigterm)


class FakeHTTP:
    """A tiny HTTP server on 127.0.0.1 recording requests and answering with
    what the test scripted: handler(method, path, headers, body) ->
    (status, content_type, body_bytes). Runs in a thread. It binds port 0
    (or takes over sock, a bound socket such as ClosedPort's) and reports
    its port in .port and .url. While handler runs, .current.client is the
    (address, port) of the client whose request it answers."""

    def __init__(self, handler, sock=None):
        outer = self
        self.requests = []
        self.handler = handler
        self.lock = threading.Lock()
        self.current = threading.local()

        class H(http.server.BaseHTTPRequestHandler):
            def _do(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with outer.lock:
                    outer.requests.append({"method": self.command, "path": self.path,
                                           "headers": dict(self.headers), "body": body})
                outer.current.client = self.client_address
                status, ctype, out = outer.handler(self.command, self.path, self.headers, body)
                if status is None:  # simulate a dropped connection
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _do

            def log_message(self, *a):
                pass

        if sock is None:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        else:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H,
                                                          bind_and_activate=False)
            self.server.socket.close()
            self.server.socket = sock
            self.server.server_address = sock.getsockname()
            self.server.server_activate()
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        _register(self)

    def cleanup(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def seen(self):
        """The requests so far, one line each, for failure messages."""
        with self.lock:
            reqs = list(self.requests)
        return "\n".join("%s %s %r" % (q["method"], q["path"], q["body"][:120])
                         for q in reqs) or "(no requests)"

    def wait_requests(self, n=1, pred=None, what=None):
        """Wait until n requests (those for which pred(request) is true, if
        given) have been received; returns them."""
        def got():
            with self.lock:
                reqs = [q for q in self.requests if pred is None or pred(q)]
            return reqs if len(reqs) >= n else None
        return wait_for(got, what=what or "%d request(s) at the fake server" % n,
                        seen=self.seen)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


_nowhere = None


def nowhere():
    """The URL of a loopback port held closed for the whole test program:
    whatever is sent there is refused at once and never leaves 127.0.0.1."""
    global _nowhere
    if _nowhere is None:
        _nowhere = ClosedPort()
    return _nowhere.url


# --- helpers for the account, contacts, schema and robustness tests ---------


def edit_db(d, fn):
    """Stop twowayd d, run fn(conn) on its database with Python's sqlite3
    (for rows the API cannot create: inboxes, contacts, old conversations),
    commit, and start d again on the same port and database. d.agents is
    re-read (a demo database is never reseeded)."""
    import sqlite3
    d.stop()
    conn = sqlite3.connect(d.db)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        fn(conn)
        conn.commit()
    finally:
        conn.close()
    d.start()


def migration_1():
    """The SQL of schema migration 1 as src/twowayd/store/schema.h has it
    (a released migration is never edited, so a database made from it is a
    real database of the first schema)."""
    import re
    with open(os.path.join(SOURCE, "src", "twowayd", "store", "schema.h")) as f:
        text = f.read()
    part = text[text.index("/* 1:"):text.index("/* 2:")]
    part = re.sub(r"/\*.*?\*/", "", part, flags=re.S)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', part))


def downgrade_to_schema_1(d):
    """Rewrite the stopped twowayd d's database as a database of the first
    schema holding the same rows (columns the first schema has), with the
    agents' tokens in plain text as it kept them: what an old twowayd
    left behind, for the migrations to take up at the next start."""
    import sqlite3
    conn = sqlite3.connect(d.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    newer = d.db + ".newer"
    os.replace(d.db, newer)
    for ext in ("-wal", "-shm"):
        if os.path.exists(d.db + ext):
            os.remove(d.db + ext)
    conn = sqlite3.connect(d.db)
    try:
        conn.executescript(migration_1())
        conn.execute("ATTACH ? AS newer", (newer,))
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table'")]
        for t in tables:
            cols = [r[1] for r in conn.execute("PRAGMA main.table_info(%s)" % t)]
            have = {r[1] for r in conn.execute("PRAGMA newer.table_info(%s)" % t)}
            # agents.token held a digest in later schemas: a stand-in here,
            # the plain tokens below.
            sel = [c if c in have else ("token_sha256" if (t, c) == ("agents", "token")
                                        else "NULL") for c in cols]
            conn.execute("INSERT INTO main.%s(%s) SELECT %s FROM newer.%s"
                         % (t, ", ".join(cols), ", ".join(sel), t))
        for a in d.agents:
            if a.get("token"):
                conn.execute("UPDATE agents SET token = ? WHERE id = ?", (a["token"], a["id"]))
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
        conn.execute("DETACH newer")
    finally:
        conn.close()
    os.remove(newer)


class TricklingClients:
    """count sockets to 127.0.0.1:port from the loopback addresses
    127.0.0.2 and up (`addresses` of them, in turn), each with a request
    begun and never finished: one more header byte every `every` seconds.
    A context manager; .sockets are the clients."""

    def __init__(self, port, count, addresses=6, every=1.0):
        self.sockets = []
        self.stop = threading.Event()
        try:
            for i in range(count):
                s = socket.socket()
                s.bind(("127.0.0.%d" % (2 + i % addresses), 0))
                s.settimeout(10)
                s.connect(("127.0.0.1", port))
                s.sendall(b"GET /api/v1/profile HTTP/1.1\r\nHost: t\r\n")
                self.sockets.append(s)
        except BaseException:
            self.close()
            raise
        self.thread = threading.Thread(target=self._trickle, args=(every,), daemon=True)
        self.thread.start()

    def _trickle(self, every):
        while not self.stop.wait(every):
            for s in self.sockets:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        if getattr(self, "thread", None):
            self.thread.join(10)
        for s in self.sockets:
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def fake_twilio():
    """A FakeHTTP that accepts every send like Twilio's Messages API (201 and
    a fresh SID), and the environment that points a Twowayd at it, so tests
    that create outgoing messages never leave 127.0.0.1."""
    def handler(method, path, headers, body):
        out = json.dumps({"sid": "SM" + os.urandom(16).hex(), "status": "queued"}).encode()
        return 201, "application/json", out
    fake = FakeHTTP(handler)
    # A twowayd killed mid-send leaves a broken pipe behind: not news.
    fake.server.handle_error = lambda request, address: None
    return fake, {"TWOWAYD_TWILIO_BASE_URL": fake.url}


def raw_http(port, data, timeout=5.0, read=True, until=None):
    """Send raw bytes to 127.0.0.1:port and return what came back before the
    server closed the connection, or what came up to and including until
    (e.g. b"\r\n\r\n": the end of an answer's head, for a connection the
    server keeps open; then the deadline is DEADLINE), or what came before
    timeout passed (b"" if nothing). Connection resets count as the end of
    the answer."""
    if until is not None:
        timeout = max(timeout, DEADLINE)
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return out
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
            if until is not None and until in out:
                break
    return out


def parse_raw_response(data):
    """(status, headers dict with lower-case names, body bytes) of one raw
    HTTP/1.1 answer; status 0 if data holds none."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if not lines or not lines[0].startswith(b"HTTP/"):
        return 0, {}, b""
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return status, headers, body


# FakeHTTP finds http.server through the module global `http`, which the
# http() helper above rebinds to a function: give that function the
# attribute FakeHTTP looks up, so both names keep working.
import http.server as _http_server  # noqa: E402
http.server = _http_server
