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


def raw_get(port, path, headers, timeout=10):
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


if __name__ == "__main__":
    unittest.main()
