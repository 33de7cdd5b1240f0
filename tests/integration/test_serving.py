"""How twowayd serves: answers gzip-compressed for clients that take it
(and twoway asks for it, seen on the wire), and the limits that keep slow or
abusive clients from locking everyone else out."""
import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

PROBE = os.path.join(twtest.BUILD, "tests", "integration", "chatwoot_probe")


def raw_get(port, path, headers, timeout=twtest.DEADLINE):
    """(status, headers, body bytes) of one GET, read from the socket as sent."""
    head = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % path
    head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
    raw = twtest.raw_http(port, head.encode(), timeout=timeout)
    return twtest.parse_raw_response(raw)


class Relay:
    """A TCP relay on 127.0.0.1 in front of a port, keeping every byte each
    way: what a client and a server said to each other."""

    def __init__(self, port):
        self.target = port
        self.up = bytearray()
        self.down = bytearray()
        self.lock = threading.Lock()
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            s = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self.pipe, args=(c, s, self.up), daemon=True).start()
            threading.Thread(target=self.pipe, args=(s, c, self.down), daemon=True).start()

    def pipe(self, a, b, keep):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                with self.lock:
                    keep.extend(data)
                b.sendall(data)
        except OSError:
            pass
        finally:
            for x in (a, b):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.srv.close()


class Gzip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd()
        cls.token = cls.d.agent()["token"]
        cls.path = cls.d.acc("/conversations?status=all")

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def get(self, accept=None, path=None):
        h = {"api_access_token": self.token}
        if accept is not None:
            h["Accept-Encoding"] = accept
        return raw_get(self.d.port, path or self.path, h)

    def test_gzip_when_accepted_and_the_same_json(self):
        status, h, plain = self.get()
        self.assertEqual(status, 200)
        self.assertNotIn("content-encoding", h)
        self.assertEqual(h.get("vary"), "Accept-Encoding")
        self.assertGreater(len(plain), 4000)
        status, h, packed = self.get("gzip")
        self.assertEqual((status, h.get("content-encoding"), h.get("vary")),
                         (200, "gzip", "Accept-Encoding"))
        self.assertEqual(int(h["content-length"]), len(packed))
        self.assertLess(len(packed), len(plain) / 3)
        self.assertEqual(json.loads(gzip.decompress(packed)), json.loads(plain))

    def test_accept_encoding_is_read_as_rfc_9110_says(self):
        for accept, compressed in (("gzip", True), ("GZIP", True), ("x-gzip", True),
                                   ("deflate, gzip;q=0.5", True), ("*", True),
                                   ("br;q=1, *;q=0.1", True), ("gzip;q=0", False),
                                   ("*;q=0", False), ("gzip;q=0, *", False),
                                   ("identity", False), ("deflate, br", False), ("", False),
                                   ("gzip ; q=0.000", False)):
            status, h, body = self.get(accept)
            self.assertEqual(status, 200, accept)
            self.assertEqual(h.get("content-encoding") == "gzip", compressed, accept)
            data = gzip.decompress(body) if compressed else body
            self.assertIn("payload", json.loads(data)["data"], accept)

    def test_small_answers_go_as_they_are(self):
        status, h, body = raw_get(self.d.port, "/api/v1/profile",
                                  {"api_access_token": "wrong", "Accept-Encoding": "gzip"})
        self.assertEqual(status, 401)
        self.assertNotIn("content-encoding", h)
        self.assertEqual(json.loads(body), {"error": "Invalid Access Token"})

    def test_twoway_asks_for_gzip_and_reads_it(self):
        relay = Relay(self.d.port)
        try:
            a = self.d.agent()
            env = dict(os.environ, TWOWAY_TOKEN=a["token"], no_proxy="127.0.0.1",
                       NO_PROXY="127.0.0.1")
            p = subprocess.run([PROBE, "http://127.0.0.1:%d" % relay.port, str(a["account_id"]),
                                "list", "status=all"], env=env, capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(p.stdout.startswith("result err=ok status=200"), p.stdout[:300])
            self.assertGreater(p.stdout.count("\nconv "), 3, p.stdout[:300])
        finally:
            relay.close()
        up = bytes(relay.up).lower()
        down = bytes(relay.down)
        self.assertIn(b"accept-encoding: ", up)
        self.assertIn(b"gzip", up.split(b"accept-encoding: ")[1].split(b"\r\n")[0])
        self.assertIn(b"content-encoding: gzip", down.lower())
        _, _, plain = self.get()
        self.assertLess(len(down), len(plain) / 2)


def connect_from(address, port):
    """A socket to twowayd from a loopback address of our choosing."""
    s = socket.socket()
    s.bind((address, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(sock):
    """Has the server closed sock (end of file or reset)? Never blocks."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


class SlowClients(unittest.TestCase):
    def test_a_request_trickled_in_is_cut_at_the_deadline(self):
        with twtest.Twowayd(config="request_timeout = 2\n") as d:
            token = d.agent()["token"]
            s = connect_from("127.0.0.1", d.port)
            line = ("GET /api/v1/profile HTTP/1.1\r\nHost: t\r\napi_access_token: %s\r\n"
                    "X-Padding: %s\r\n" % (token, "x" * 200)).encode()
            sent = 0
            # One byte at a time, each within MHD's idle timeout: only the
            # deadline for the whole request can end this.
            deadline = time.monotonic() + twtest.DEADLINE
            cut = False
            while not cut and time.monotonic() < deadline:
                try:
                    s.sendall(line[sent % len(line):sent % len(line) + 1])
                    sent += 1
                except OSError:
                    cut = True
                    break
                cut = closed_by_server(s)
                time.sleep(0.05)  # pacing only: one byte at a time
            s.close()
            self.assertTrue(cut, "a trickling client kept its socket for %d bytes" % sent)
            self.assertIn("did not arrive within 2 s", d.log_text())
            # A request sent whole is answered, and the same connection
            # takes the next one (its clock starts again after each answer).
            with socket.create_connection(("127.0.0.1", d.port), timeout=twtest.DEADLINE) as k:
                f = k.makefile("rb")
                for _ in range(3):
                    k.sendall(("GET /api/v1/profile HTTP/1.1\r\nHost: t\r\n"
                               "api_access_token: %s\r\n\r\n" % token).encode())
                    status = f.readline()
                    self.assertTrue(status.startswith(b"HTTP/1.1 200"), status)
                    length = 0
                    while True:
                        h = f.readline()
                        if h in (b"\r\n", b""):
                            break
                        if h.lower().startswith(b"content-length:"):
                            length = int(h.split(b":")[1])
                    self.assertEqual(json.loads(f.read(length))["access_token"], token)

    def test_hundreds_of_slow_clients_from_several_addresses_lock_nobody_out(self):
        cfg = "request_timeout = 600\nmax_connections_per_address = 60\n"
        with twtest.Twowayd(config=cfg) as d:
            token = d.agent()["token"]
            with twtest.TricklingClients(d.port, 300, every=0.5) as slow:
                for i in range(20):
                    r = twtest.http("GET", d.base_url + d.acc("/conversations"),
                                    headers={"api_access_token": token})
                    self.assertEqual(r.status, 200, (i, r))
                r = d.api("POST", d.acc("/conversations/1/messages"),
                          {"content": "served", "private": True})
                self.assertEqual(r.status, 200, r)
                still = [s for s in slow.sockets if not closed_by_server(s)]
                self.assertEqual(len(still), 300, "slow clients were let go of: the test did "
                                 "not hold 300 sockets")

    def test_connections_per_address_are_limited(self):
        with twtest.Twowayd(config="max_connections_per_address = 5\n") as d:
            token = d.agent()["token"]
            held = [connect_from("127.0.0.9", d.port) for _ in range(5)]
            try:
                extra = connect_from("127.0.0.9", d.port)
                extra.sendall(b"GET /api/v1/profile HTTP/1.1\r\nHost: t\r\n"
                              b"api_access_token: %s\r\n\r\n" % token.encode())
                extra.settimeout(twtest.DEADLINE)
                try:
                    answer = extra.recv(4096)
                except OSError:
                    answer = b""
                extra.close()
                self.assertEqual(answer, b"", "a sixth connection from one address was served")
                r = d.api("GET", "/api/v1/profile")
                self.assertEqual(r.status, 200, r)
            finally:
                for s in held:
                    s.close()
            # Once they are gone, that address is served again.
            def served():
                try:
                    s = connect_from("127.0.0.9", d.port)
                    s.sendall(b"GET /api/v1/profile HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                              b"api_access_token: %s\r\n\r\n" % token.encode())
                    answer = s.recv(4096)
                    s.close()
                    return answer.startswith(b"HTTP/1.1 200")
                except OSError:
                    return False
            twtest.wait_for(served, what="the address to be served again")


if __name__ == "__main__":
    unittest.main()
