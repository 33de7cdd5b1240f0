"""Test helpers: start twowayd (and other local services) on loopback,
talk to it over HTTP, and always stop what was started.

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
import shutil
import signal
import socket
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def http(method, url, body=None, headers=None, timeout=10):
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
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read().decode("utf-8", "replace"), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read().decode("utf-8", "replace"), dict(e.headers))


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
        env.setdefault("TWOWAYD_TWILIO_BASE_URL", "http://127.0.0.1:9")
        env.update(self.env)
        self.auth_token = env["TWOWAYD_TWILIO_AUTH_TOKEN"]
        # Standard error goes to a file: sanitizer reports land there and
        # stop() fails the test if it finds one.
        self.stderr_path = os.path.join(self.tmp, "stderr-%d.txt" % len(os.listdir(self.tmp)))
        self.stderr_file = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     env=env, text=True)
        _register(self)
        self.agents = []
        self.lines = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, self.lines), daemon=True).start()
        deadline = time.time() + 20
        line = _readline_timeout(self.lines, 20)
        if not line:
            self.proc.wait(5)
            raise RuntimeError("twowayd did not start: %s" % self.stderr_text())
        self.server_info = json.loads(line)
        self.base_url = self.server_info["base_url"]
        self.port = int(self.base_url.rsplit(":", 1)[1])
        # Agent lines (with --demo) follow, then {"type": "ready"}.
        while time.time() < deadline:
            r = _readline_timeout(self.lines, deadline - time.time())
            if r is None:
                raise RuntimeError("twowayd stopped before it was ready")
            obj = json.loads(r)
            if obj.get("type") == "ready":
                break
            if obj.get("type") == "agent":
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
            self.proc.wait(10)

    def restart(self):
        """Start again on the same port and database (after kill())."""
        self.kill()
        self.start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            try:
                self.proc.stdout.close()
            except Exception:
                pass
            self.stderr_file.close()
            self.proc = None
            report = sanitizer_report(self.stderr_text())
            if report:
                raise AssertionError("twowayd: sanitizer report:\n" + report)
        self.proc = None

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
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


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
    for obj in _started:
        try:
            obj.cleanup()
        except Exception:
            pass


import atexit  # noqa: E402
atexit.register(_cleanup_all)


class FakeHTTP:
    """A tiny HTTP server on 127.0.0.1 recording requests and answering with
    what the test scripted: handler(method, path, headers, body) ->
    (status, content_type, body_bytes). Runs in a thread."""

    def __init__(self, handler):
        outer = self
        self.requests = []
        self.handler = handler
        self.lock = threading.Lock()

        class H(http.server.BaseHTTPRequestHandler):
            def _do(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with outer.lock:
                    outer.requests.append({"method": self.command, "path": self.path,
                                           "headers": dict(self.headers), "body": body})
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

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def wait_for(pred, timeout=10.0, interval=0.05, what="condition"):
    """Poll pred() until it returns a truthy value; raise AssertionError on timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


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


def raw_http(port, data, timeout=5.0, read=True):
    """Send raw bytes to 127.0.0.1:port and return what came back before the
    server closed the connection or timeout passed (b"" if nothing).
    Connection resets count as the end of the answer."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return out
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
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
