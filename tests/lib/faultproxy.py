"""A fault-injecting HTTP proxy for tests: between a client (twoway) and a
server (twowayd), on 127.0.0.1, it passes requests on or spoils them the
way a hostile network does.

Faults (the names used in rules and in the counts):

  ok            pass the request on, pass the answer back
  delay         wait (delay_s, a range) and then pass it on
  drop_before   close the client's connection before passing anything on
  drop_after    pass it on, let the server act, close before answering
  5xx_before    answer 502/503/504 without passing it on
  5xx_after     pass it on, answer 500/502/503/504 instead of the server
  429           answer 429 with Retry-After: 1, without passing it on
  429_bare      answer 429 without Retry-After, without passing it on
  truncated     pass it on, answer with the body cut short (framing intact)
  garbage       pass it on, answer 200 with bytes that are not JSON
  reset         pass it on, send part of the body, then reset the connection

Which fault a request gets is decided per request by rules: the first
rule whose method and path pattern match gives weights for the faults
(and may script its first few requests exactly). Every route (method and
path with the numbers taken out) draws from its own random stream seeded
from (seed, route), so a run with the same seed gives each route the same
sequence of faults however the routes interleave.

Use in a test:

    with FaultProxy(upstream="http://127.0.0.1:8080", seed=7, rules=[
            Rule("POST", r"/messages$", {"ok": 3, "drop_after": 1}),
            Rule("*", r"", {"ok": 1})]) as p:
        ... point the client at p.url ...
        p.counts   # {fault: n}

or as a program: faultproxy.py --upstream URL --seed N [--rules JSON]
prints {"port": N} on its first line and serves until killed.

Only the Python standard library is used.
"""
import argparse
import json
import random
import re
import socket
import struct
import sys
import threading
import time

FAULTS = ("ok", "delay", "drop_before", "drop_after", "5xx_before", "5xx_after", "429",
          "429_bare", "truncated", "garbage", "reset")

MAX_HEAD = 64 * 1024
MAX_BODY = 32 * 1024 * 1024


class Rule:
    """method ("*" for any) and a regular expression searched in the path
    (query included); weights: {fault: weight}; script: faults for the
    first matching requests, in order, before the weights apply."""

    def __init__(self, method, path, weights, script=()):
        for f in list(weights) + list(script):
            if f not in FAULTS:
                raise ValueError("unknown fault %r" % f)
        self.method = method
        self.path = re.compile(path)
        self.weights = dict(weights)
        self.script = list(script)

    def matches(self, method, path):
        return (self.method == "*" or self.method == method) and self.path.search(path)

    @classmethod
    def from_json(cls, o):
        return cls(o.get("method", "*"), o.get("path", ""), o.get("weights", {"ok": 1}),
                   o.get("script", ()))


def route_of(method, path):
    """GET /api/v1/accounts/N/conversations/N/messages (no query)."""
    return method + " " + re.sub(r"\d+", "N", path.split("?", 1)[0])


class _Closed(Exception):
    pass


def _read_until(sock, buf, marker, limit):
    while marker not in buf:
        if len(buf) > limit:
            raise _Closed("head too large")
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed("closed")
        buf += chunk
    return buf


def _read_exact(sock, buf, n):
    while len(buf) < n:
        chunk = sock.recv(min(65536, n - len(buf)))
        if not chunk:
            raise _Closed("closed")
        buf += chunk
    return buf


def _parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    first = lines[0]
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    return first, headers


def _header(headers, name):
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def _read_chunked(sock, rest):
    body = b""
    buf = rest
    while True:
        buf = _read_until(sock, buf, b"\r\n", MAX_HEAD)
        line, _, buf = buf.partition(b"\r\n")
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            buf = _read_until(sock, buf, b"\r\n", MAX_HEAD)  # trailers end
            while not buf.startswith(b"\r\n"):
                _, _, buf = buf.partition(b"\r\n")
                buf = _read_until(sock, buf, b"\r\n", MAX_HEAD)
            return body, buf[2:]
        buf = _read_exact(sock, buf, size + 2)
        body += buf[:size]
        if len(body) > MAX_BODY:
            raise _Closed("body too large")
        buf = buf[size + 2:]


class FaultProxy:
    def __init__(self, upstream, seed=0, rules=(), delay_s=(0.05, 0.5), host="127.0.0.1",
                 before_forward=None):
        """before_forward(method, path, fault): called (in the proxy's
        thread) just before a request is passed on, so a test can change
        the server's state in between."""
        self.before_forward = before_forward
        m = re.match(r"^http://([^/:]+):(\d+)/*$", upstream)
        if not m:
            raise ValueError("upstream must be http://HOST:PORT")
        self.up = (m.group(1), int(m.group(2)))
        self.seed = seed
        self.rules = list(rules)
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.streams = {}   # route -> random.Random: which fault
        self.extras = {}    # route -> random.Random: the fault's details
        self.scripted = {}  # id(rule) -> how many of its script were used
        self.counts = {f: 0 for f in FAULTS}
        # [n, method, path, fault, upstream status or None, body (not GET)]
        self.log = []
        self.by_route = {}  # route -> {fault: n}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.url = "http://%s:%d" % (host, self.port)
        self.stopping = False
        self.conns = set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    # ---- deciding ----

    def choose(self, method, path):
        with self.lock:
            rule = next((r for r in self.rules if r.matches(method, path)), None)
            route = route_of(method, path)
            if rule is None:
                fault = "ok"
            else:
                used = self.scripted.get(id(rule), 0)
                if used < len(rule.script):
                    self.scripted[id(rule)] = used + 1
                    fault = rule.script[used]
                else:
                    rng = self.streams.get(route)
                    if rng is None:
                        rng = self.streams[route] = random.Random("%s|%s" % (self.seed, route))
                    names = sorted(rule.weights)
                    fault = rng.choices(names, [rule.weights[n] for n in names])[0]
            self.counts[fault] += 1
            self.by_route.setdefault(route, {}).setdefault(fault, 0)
            self.by_route[route][fault] += 1
            entry = [len(self.log), method, path, fault, None]
            self.log.append(entry)
            rng = self.extras.get(route)
            if rng is None:
                rng = self.extras[route] = random.Random("%s|%s|extra" % (self.seed, route))
            extra = rng.random()
            return fault, entry, extra

    # ---- serving ----

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.conns.add(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        buf = b""
        try:
            while not self.stopping:
                try:
                    buf = _read_until(c, buf, b"\r\n\r\n", MAX_HEAD)
                except (_Closed, OSError):
                    return
                head, _, buf = buf.partition(b"\r\n\r\n")
                first, headers = _parse_head(head)
                parts = first.split(" ")
                if len(parts) != 3:
                    return
                method, path, _version = parts
                if (_header(headers, "Transfer-Encoding") or "").lower() == "chunked":
                    body, buf = _read_chunked(c, buf)
                else:
                    n = int(_header(headers, "Content-Length") or 0)
                    if n > MAX_BODY:
                        return
                    buf = _read_exact(c, buf, n)
                    body, buf = buf[:n], buf[n:]
                keep = (_header(headers, "Connection") or "").lower() != "close"
                if not self._one(c, method, path, headers, body):
                    return
                if not keep:
                    return
        except (_Closed, OSError):
            return
        finally:
            with self.lock:
                self.conns.discard(c)
            try:
                c.close()
            except OSError:
                pass

    def _forward(self, method, path, headers, body):
        """(status, headers, body) from the server, or None."""
        up = socket.create_connection(self.up, timeout=60)
        try:
            lines = ["%s %s HTTP/1.1" % (method, path)]
            for k, v in headers:
                if k.lower() in ("connection", "transfer-encoding", "content-length",
                                 "keep-alive", "proxy-connection"):
                    continue
                lines.append("%s: %s" % (k, v))
            lines.append("Content-Length: %d" % len(body))
            lines.append("Connection: close")
            up.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            buf = _read_until(up, b"", b"\r\n\r\n", MAX_HEAD)
            head, _, rest = buf.partition(b"\r\n\r\n")
            first, rheaders = _parse_head(head)
            status = int(first.split(" ")[1])
            if (_header(rheaders, "Transfer-Encoding") or "").lower() == "chunked":
                rbody, _ = _read_chunked(up, rest)
            elif _header(rheaders, "Content-Length") is not None:
                n = int(_header(rheaders, "Content-Length"))
                rbody = _read_exact(up, rest, n)[:n]
            else:
                rbody = rest
                while True:
                    chunk = up.recv(65536)
                    if not chunk:
                        break
                    rbody += chunk
            return status, rheaders, rbody
        finally:
            up.close()

    @staticmethod
    def _answer(c, status, headers, body, reason="Proxy"):
        lines = ["HTTP/1.1 %d %s" % (status, reason)]
        for k, v in headers:
            if k.lower() in ("connection", "transfer-encoding", "content-length", "keep-alive"):
                continue
            lines.append("%s: %s" % (k, v))
        lines.append("Content-Length: %d" % len(body))
        c.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    @staticmethod
    def _reset(c):
        # SO_LINGER with a zero timeout: close() sends RST, not FIN.
        try:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

    def _one(self, c, method, path, headers, body):
        """Handle one request; False when the client connection must end."""
        fault, entry, extra = self.choose(method, path)
        if method != "GET":
            entry.append(body)
        json_type = [("Content-Type", "application/json")]
        if fault == "drop_before":
            return False
        if fault == "5xx_before":
            status = (502, 503, 504)[int(extra * 3)]
            self._answer(c, status, json_type, b'{"error":"proxy: upstream unavailable"}')
            return True
        if fault in ("429", "429_bare"):
            h = json_type + ([("Retry-After", "1")] if fault == "429" else [])
            self._answer(c, 429, h, b'{"error":"proxy: slow down"}')
            return True
        if fault == "delay":
            lo, hi = self.delay_s
            time.sleep(lo + (hi - lo) * extra)  # the fault itself: a slow answer
        if self.before_forward:
            self.before_forward(method, path, fault)
        try:
            status, rheaders, rbody = self._forward(method, path, headers, body)
        except (OSError, _Closed, ValueError):
            return False  # the server is gone: the client sees a drop
        entry[4] = status
        if fault == "drop_after":
            return False
        if fault == "5xx_after":
            status = (500, 502, 503, 504)[int(extra * 4)]
            self._answer(c, status, json_type, b'{"error":"proxy: upstream failed"}')
            return True
        if fault == "truncated":
            cut = int(len(rbody) * extra * 0.9)
            self._answer(c, status, rheaders, rbody[:cut])
            return True
        if fault == "garbage":
            junk = bytes(random.Random("%s|%d" % (self.seed, entry[0])).randrange(256)
                         for _ in range(64))
            self._answer(c, 200, json_type, b"<html>\x00" + junk)
            return True
        if fault == "reset":
            lines = ["HTTP/1.1 %d Proxy" % status]
            for k, v in rheaders:
                if k.lower() not in ("connection", "transfer-encoding", "content-length",
                                     "keep-alive"):
                    lines.append("%s: %s" % (k, v))
            lines.append("Content-Length: %d" % max(len(rbody), 16))
            half = rbody[:len(rbody) // 2]
            c.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + half)
            self._reset(c)
            return False
        self._answer(c, status, rheaders, rbody, "OK")
        return True

    # ---- the end ----

    def summary(self):
        with self.lock:
            return {"counts": dict(self.counts), "requests": len(self.log),
                    "by_route": {r: dict(v) for r, v in self.by_route.items()}}

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    cleanup = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rules", default="[]", help="JSON list of {method, path, weights, script}")
    a = ap.parse_args()
    rules = [Rule.from_json(o) for o in json.loads(a.rules)]
    p = FaultProxy(a.upstream, a.seed, rules)
    print(json.dumps({"port": p.port}), flush=True)
    try:
        while True:
            time.sleep(3600)  # idle until interrupted
    except KeyboardInterrupt:
        p.stop()


if __name__ == "__main__":
    main()
