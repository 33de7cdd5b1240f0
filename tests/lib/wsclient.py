"""A small WebSocket client (RFC 6455) and an ActionCable client on top of
it, in the Python standard library alone, for tests that drive /cable.

WebSocket(host, port, path) does the opening handshake and checks the
server's answer; send_text() sends masked frames; recv() returns one whole
message (text or binary), answers pings and reports a close. Cable wraps a
WebSocket in a reader thread and collects ActionCable's JSON messages, so a
test can wait for the one it needs with a deadline.
"""
import base64
import hashlib
import json
import os
import queue
import socket
import struct
import threading
import time

from twtest import DEADLINE

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeError(Exception):
    def __init__(self, status, headers, body):
        super().__init__("handshake refused: %d %r" % (status, body[:200]))
        self.status = status
        self.headers = headers
        self.body = body


class Closed(Exception):
    """The peer closed the connection (code, reason) or it broke (code None)."""

    def __init__(self, code=None, reason=""):
        super().__init__("closed (%r, %r)" % (code, reason))
        self.code = code
        self.reason = reason


def accept_for(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


class WebSocket:
    def __init__(self, host, port, path="/cable",
                 protocols=("actioncable-v1-json", "actioncable-unsupported"),
                 headers=None, timeout=DEADLINE, request=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        if request is None:
            lines = ["GET %s HTTP/1.1" % path, "Host: %s:%d" % (host, port),
                     "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
            if protocols:
                lines.append("Sec-WebSocket-Protocol: " + ", ".join(protocols))
            for k, v in (headers or {}).items():
                lines.append("%s: %s" % (k, v))
            request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.sock.sendall(request)
        head = self._read_until(b"\r\n\r\n", timeout)
        status_line, *hdr_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        self.headers = {}
        for line in hdr_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers[k.strip().lower()] = v.strip()
        if status != 101:
            body = self.buf
            want = int(self.headers.get("content-length", "0") or 0)
            try:
                while len(body) < want:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        break
                    body += chunk
            except OSError:
                pass
            self.sock.close()
            raise HandshakeError(status, self.headers, body)
        if self.headers.get("sec-websocket-accept") != accept_for(key):
            self.sock.close()
            raise HandshakeError(status, self.headers, b"bad Sec-WebSocket-Accept")
        self.protocol = self.headers.get("sec-websocket-protocol")

    def _read_until(self, mark, timeout):
        deadline = time.time() + timeout
        while mark not in self.buf:
            if time.time() > deadline:
                raise socket.timeout("no answer to the handshake")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed(None, "connection closed during the handshake")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(mark)
        return head

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed(None, "connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_frame(self, opcode, payload, fin=True, mask=True):
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        m = 0x80 if mask else 0
        if n < 126:
            head += bytes([m | n])
        elif n < 65536:
            head += bytes([m | 126]) + struct.pack("!H", n)
        else:
            head += bytes([m | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            head += key
        self.sock.sendall(head + payload)

    def send_text(self, text):
        self.send_frame(0x1, text.encode())

    def close(self, code=1000):
        try:
            self.send_frame(0x8, struct.pack("!H", code))
        except OSError:
            pass
        self.sock.close()

    def recv(self, timeout=DEADLINE):
        """One whole message: (opcode, bytes). Raises Closed on a close frame
        or a broken connection, socket.timeout when nothing came."""
        self.sock.settimeout(timeout)
        parts, first_op = [], None
        while True:
            b0, b1 = self._read(2)
            op, fin = b0 & 0x0F, b0 & 0x80
            if b1 & 0x80:
                raise AssertionError("server frames must not be masked")
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            if op == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(code, payload[2:].decode("utf-8", "replace"))
            if op == 0x9:
                self.send_frame(0xA, payload)
                continue
            if op == 0xA:
                continue
            if first_op is None:
                first_op = op
            parts.append(payload)
            if fin:
                return first_op, b"".join(parts)


class Cable:
    """An ActionCable connection: every message lands in self.messages (a
    list, guarded by self.lock) from a reader thread."""

    def __init__(self, port, host="127.0.0.1", **kw):
        self.ws = WebSocket(host, port, **kw)
        self.messages = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.closed = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while True:
                op, data = self.ws.recv(timeout=3600)
                msg = json.loads(data.decode()) if op == 0x1 else {"binary": data}
                with self.cond:
                    self.messages.append(msg)
                    self.cond.notify_all()
        except Closed as e:
            with self.cond:
                self.closed = e
                self.cond.notify_all()
        except (OSError, ValueError) as e:
            with self.cond:
                self.closed = Closed(None, str(e))
                self.cond.notify_all()

    def send(self, obj):
        self.ws.send_text(json.dumps(obj))

    @staticmethod
    def identifier(token, account_id, user_id):
        return json.dumps({"channel": "RoomChannel", "pubsub_token": token,
                           "account_id": account_id, "user_id": user_id})

    def subscribe(self, identifier):
        self.send({"command": "subscribe", "identifier": identifier})

    def perform(self, identifier, action, **data):
        data["action"] = action
        self.send({"command": "message", "identifier": identifier, "data": json.dumps(data)})

    def wait(self, pred, timeout=DEADLINE, what="a message", start=0):
        """The first message from index start on for which pred is true."""
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for m in self.messages[start:]:
                    if pred(m):
                        return m
                left = deadline - time.time()
                if left <= 0 or self.closed:
                    raise AssertionError("timed out waiting for %s; got %s (closed: %r)" % (
                        what, repr(self.messages[-20:])[-3000:], self.closed))
                self.cond.wait(min(left, 0.5))

    def events(self, name):
        with self.lock:
            return [m["message"]["data"] for m in self.messages
                    if isinstance(m.get("message"), dict) and m["message"].get("event") == name]

    def wait_event(self, name, pred=lambda d: True, timeout=DEADLINE, start=0):
        m = self.wait(lambda m: isinstance(m.get("message"), dict)
                      and m["message"].get("event") == name and pred(m["message"]["data"]),
                      timeout, "event " + name, start)
        return m["message"]["data"]

    def mark(self):
        with self.lock:
            return len(self.messages)

    def wait_closed(self, timeout=DEADLINE):
        deadline = time.time() + timeout
        with self.cond:
            while not self.closed:
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("connection still open")
                self.cond.wait(min(left, 0.5))
            return self.closed

    def close(self):
        self.ws.close()
