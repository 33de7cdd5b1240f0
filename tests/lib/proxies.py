"""Proxy programs a team sits behind, run on loopback for a test: a
ProxyProcess is one such program on 127.0.0.1, stopped at the test's
cleanup (also on failure); tinyproxy() starts an HTTP proxy that tunnels
(CONNECT) to one port only. A missing program skips the test and names
the Debian package to install (scripts/quickstart.sh installs them).

Only the Python standard library is used here.
"""
import os
import shutil
import socket
import subprocess
import unittest

import twtest


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def need(program, package):
    if not shutil.which(program):
        raise unittest.SkipTest("%s is not installed (Debian package %s)" % (program, package))


class ProxyProcess:
    """A proxy program on 127.0.0.1, stopped on cleanup (also on failure)."""

    def __init__(self, test, argv, log):
        self.log = log
        self.out = open(log + ".out", "w")
        self.p = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT)
        test.addCleanup(self.stop)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.out.close()

    def text(self):
        text = ""
        for path in (self.log, self.log + ".out"):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def wait_listening(self, port):
        def up():
            if self.p.poll() is not None:
                raise AssertionError("the proxy exited:\n" + self.text())
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0
        twtest.wait_for(up, what="the proxy to listen")


def tinyproxy(test, tmp, connect_port):
    """tinyproxy on a free port; CONNECT only to connect_port. Returns
    (url, process)."""
    need("tinyproxy", "tinyproxy")
    port = free_port()
    log = os.path.join(tmp, "tinyproxy.log")
    conf = os.path.join(tmp, "tinyproxy.conf")
    with open(conf, "w") as f:
        f.write("Port %d\nListen 127.0.0.1\nTimeout 600\nAllow 127.0.0.1\n"
                "LogFile \"%s\"\nLogLevel Connect\nMaxClients 20\n"
                "DisableViaHeader Yes\nConnectPort %d\n" % (port, log, connect_port))
    p = ProxyProcess(test, ["tinyproxy", "-d", "-c", conf], log)
    p.wait_listening(port)
    return "http://127.0.0.1:%d" % port, p
