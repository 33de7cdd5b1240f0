"""TLS in front of a plain server, for tests of https:// and wss://.

make_pki(dir) makes a throwaway certificate authority and a server
certificate signed by it for 127.0.0.1 and localhost (openssl, the
Debian package of that name); every file lives in dir. TlsProxy listens
on 127.0.0.1, port 0, speaks TLS with such a certificate and passes the
bytes inside, both ways and unread, to a plain TCP port on 127.0.0.1: a
REST request and a WebSocket upgrade (and the frames after it) go
through alike. It records each client's handshake, so a test can tell a
refused certificate from a client that never tried TLS.

Only the Python standard library (and the openssl program) is used.
"""
import os
import selectors
import shutil
import socket
import ssl
import subprocess
import threading
import unittest

import twtest

BUF = 65536


def need_openssl():
    if not shutil.which("openssl"):
        raise unittest.SkipTest("openssl is not installed (Debian package openssl)")


def _openssl(*args):
    p = subprocess.run(["openssl"] + list(args), capture_output=True, text=True,
                       timeout=twtest.DEADLINE)
    if p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], p.stderr.strip()))


class Pki:
    """Paths of one authority (ca: its certificate, PEM) and the server
    certificate it signed (cert, key)."""

    def __init__(self, ca, cert, key):
        self.ca, self.cert, self.key = ca, cert, key


def make_pki(where, name="twoway test", names=("IP:127.0.0.1", "DNS:localhost")):
    """A new CA and a server certificate for names (subjectAltName
    entries: 127.0.0.1 and localhost unless told), valid for two days, in
    the directory where (made if missing)."""
    need_openssl()
    os.makedirs(where, exist_ok=True)
    p = lambda f: os.path.join(where, f)  # noqa: E731
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
             "-subj", "/CN=%s CA" % name,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _openssl("req", *ec, "-keyout", p("server.key"), "-out", p("server.csr"),
             "-subj", "/CN=%s" % names[0].split(":", 1)[1])
    with open(p("server.ext"), "w") as f:
        f.write("basicConstraints = CA:FALSE\n"
                "keyUsage = critical, digitalSignature\n"
                "extendedKeyUsage = serverAuth\n"
                "subjectAltName = %s\n" % ", ".join(names))
    _openssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
             "-CAcreateserial", "-days", "2", "-extfile", p("server.ext"),
             "-out", p("server.pem"))
    return Pki(p("ca.pem"), p("server.pem"), p("server.key"))


class TlsProxy:
    """TLS on 127.0.0.1:.port (https://127.0.0.1:PORT is .url) in front
    of the plain port upstream_port. .handshakes lists every client's
    handshake, in order: "ok", or the reason the TLS library gave for
    failing (the client's alert, such as "TLSV1_ALERT_UNKNOWN_CA", or
    "HTTP_REQUEST" for a client that spoke plain HTTP). .forwarded counts
    the bytes passed on to the server. Threads run it: one accepts, one
    per connection pumps both ways. cleanup() stops them all and closes
    every socket (it is also registered with twtest for the exit)."""

    def __init__(self, upstream_port, cert, key):
        self.upstream_port = upstream_port
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.handshakes = []
        self.forwarded = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = "https://127.0.0.1:%d" % self.port
        twtest._register(self)
        self._spawn(self._accept)

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        with self.lock:
            self.threads.append(t)
        t.start()

    def _note(self, what):
        with self.lock:
            self.handshakes.append(what)

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed by cleanup()
            self._spawn(self._serve, conn)

    def _serve(self, conn):
        conn.settimeout(twtest.DEADLINE)
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except ssl.SSLError as e:
            self._note(e.reason or str(e))
            conn.close()
            return
        except OSError as e:
            self._note("no handshake: %r" % e)
            conn.close()
            return
        self._note("ok")
        try:
            up = socket.create_connection(("127.0.0.1", self.upstream_port), twtest.DEADLINE)
        except OSError:
            tls.close()
            return
        try:
            self._pump(tls, up)
        finally:
            tls.close()
            up.close()

    def _pump(self, tls, up):
        """Bytes both ways until either side ends (a TLS stream has no
        half-close to pass on) or cleanup(). TLS may hold decrypted bytes
        no poll shows: every wake-up reads until the library wants more."""
        tls.setblocking(False)
        up.setblocking(False)
        to_up, to_tls = b"", b""
        sel = selectors.DefaultSelector()
        try:
            while not self.stopping.is_set():
                while len(to_up) < BUF:
                    try:
                        data = tls.recv(BUF)
                    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        break
                    except OSError:
                        return
                    if not data:
                        return
                    to_up += data
                while len(to_tls) < BUF:
                    try:
                        data = up.recv(BUF)
                    except BlockingIOError:
                        break
                    except OSError:
                        return
                    if not data:
                        return
                    to_tls += data
                try:
                    if to_up:
                        n = up.send(to_up)
                        with self.lock:
                            self.forwarded += n
                        to_up = to_up[n:]
                    if to_tls:
                        to_tls = to_tls[tls.send(to_tls):]
                except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except OSError:
                    return
                for s, want in ((tls, to_tls), (up, to_up)):
                    ev = selectors.EVENT_READ | (selectors.EVENT_WRITE if want else 0)
                    try:
                        sel.modify(s, ev)
                    except KeyError:
                        sel.register(s, ev)
                sel.select(0.2)  # and a look at self.stopping
        finally:
            sel.close()

    def seen(self):
        with self.lock:
            return "handshakes: %r; %d bytes forwarded" % (self.handshakes, self.forwarded)

    def cleanup(self):
        if self.stopping.is_set():
            return
        self.stopping.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        with self.lock:
            threads = list(self.threads)
        for t in threads:
            t.join(twtest.DEADLINE)
