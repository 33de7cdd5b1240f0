"""twowayd as a systemd service. SIGTERM (what `systemctl stop` sends)
stops it cleanly: a request already read is answered, new connections are
refused, a send to Twilio in flight is finished and recorded, and the
replies still queued are sent after the next start, once. Under systemd
its log lines carry the journal's priority prefixes."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
from test_sender import FakeTwilio, message, new_conversation, reply, settled, start  # noqa: E402


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=twtest.DEADLINE).close()
        return False
    except ConnectionRefusedError:
        return True


def read_answer(sock):
    """Everything the server sends until it closes the connection."""
    sock.settimeout(twtest.DEADLINE)
    out = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return out
        out += chunk


class TestSigterm(unittest.TestCase):
    def test_request_in_flight_is_answered_and_new_ones_refused(self):
        fake = FakeTwilio()
        # The request stays half sent while the test watches the stop: no
        # deadline of twowayd's but the drain's may cut it meanwhile.
        d = start(fake.url, TWOWAYD_REQUEST_TIMEOUT=str(int(twtest.DEADLINE)))
        try:
            conv, _ = new_conversation(d)
            a = d.agent()
            body = json.dumps({"content": "typed just before the stop"}).encode()
            head = ("POST /api/v1/accounts/%d/conversations/%d/messages HTTP/1.1\r\n"
                    "Host: 127.0.0.1\r\napi_access_token: %s\r\n"
                    "Content-Type: application/json\r\nContent-Length: %d\r\n"
                    "Expect: 100-continue\r\n\r\n"
                    % (a["account_id"], conv, a["token"], len(body))).encode()
            sock = socket.create_connection(("127.0.0.1", d.port), timeout=twtest.DEADLINE)
            try:
                # The headers, and once twowayd has read them (it says 100
                # Continue) half the body: the request is in flight.
                sock.sendall(head)
                interim = b""
                while b"\r\n\r\n" not in interim:
                    chunk = sock.recv(4096)
                    self.assertTrue(chunk, "closed before 100 Continue: %r" % interim)
                    interim += chunk
                self.assertTrue(interim.startswith(b"HTTP/1.1 100"), interim)
                sock.sendall(body[:10])
                d.proc.send_signal(signal.SIGTERM)
                twtest.wait_for(lambda: "request(s) before stopping" in d.log_text(),
                                what="twowayd to wait for the request in flight")
                self.assertIsNone(d.proc.poll(), "twowayd exited with a request in flight")
                # It stopped listening before it said so: the first try is
                # refused (a wait here would eat into the drain's 10 s).
                self.assertTrue(refused(d.port), "a new connection was taken while stopping")
                sock.sendall(body[10:])
                status, headers, out = twtest.parse_raw_response(read_answer(sock))
            finally:
                sock.close()
            self.assertEqual(status, 200, out)
            self.assertEqual(headers.get("connection", "").lower(), "close")
            mid = json.loads(out)["id"]
            self.assertEqual(d.proc.wait(twtest.DEADLINE), 0)
            d.start()
            self.assertEqual(message(d, conv, mid)["content"], "typed just before the stop")
            m = twtest.wait_for(lambda: settled(d, conv, mid),
                                what="the reply to be sent")
            self.assertEqual(m["status"], "sent")
            self.assertEqual(len(fake.sids), 1)
        finally:
            d.cleanup()
            fake.cleanup()

    def test_send_in_flight_is_recorded_and_the_queue_kept(self):
        release = threading.Event()

        def held():
            release.wait(twtest.DEADLINE)
            return 201
        fake = FakeTwilio(script=[held])
        d = start(fake.url, TWOWAYD_SEND_TIMEOUT="60")
        try:
            conv, _ = new_conversation(d)
            first = reply(d, conv, "on its way to Twilio")
            twtest.wait_for(lambda: len(fake.requests) >= 1, what="the call to Twilio")
            second = reply(d, conv, "still queued")
            d.proc.send_signal(signal.SIGTERM)
            twtest.wait_for(lambda: "the rest stays queued" in d.log_text(),
                            what="the sender to be told to stop")
            # twowayd waits for Twilio's answer rather than dropping it.
            self.assertIsNone(d.proc.poll(), "twowayd exited during a send")
            release.set()
            self.assertEqual(d.proc.wait(twtest.DEADLINE), 0)
            self.assertEqual(len(fake.requests), 1, "the queued reply was sent while stopping")
            d.start()
            m1 = message(d, conv, first)
            self.assertEqual(m1["status"], "sent")
            self.assertEqual(m1["source_id"], fake.sids[0])
            m2 = twtest.wait_for(lambda: settled(d, conv, second),
                                 what="the queued reply to be sent after the start")
            self.assertEqual(m2["status"], "sent")
            bodies = [f["Body"][0] for f in fake.forms()]
            self.assertEqual(bodies, ["on its way to Twilio", "still queued"])
        finally:
            release.set()
            d.cleanup()
            fake.cleanup()


def run_logging_to_stderr(journal_stream):
    """Start and stop a twowayd logging to standard error; return what it
    wrote there. journal_stream(stat of that file) gives JOURNAL_STREAM."""
    with tempfile.TemporaryDirectory(prefix="twowayd-journal-") as tmp:
        errpath = os.path.join(tmp, "stderr")
        with open(errpath, "w") as err:
            env = dict(os.environ)
            env["JOURNAL_STREAM"] = journal_stream(os.fstat(err.fileno()))
            env["TWOWAYD_TWILIO_BASE_URL"] = twtest.nowhere()
            p = subprocess.Popen([twtest.binary("twowayd"), "--listen", "127.0.0.1:0",
                                  "--db", os.path.join(tmp, "d.db"), "--log", "-"],
                                 stdout=subprocess.PIPE, stderr=err, env=env, text=True)
            try:
                for line in p.stdout:
                    if json.loads(line).get("type") == "ready":
                        break
                p.send_signal(signal.SIGTERM)
                rc = p.wait(twtest.DEADLINE)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                p.stdout.close()
        with open(errpath) as f:
            return rc, f.read()


class TestJournal(unittest.TestCase):
    def test_lines_carry_priorities_when_stderr_is_the_journal(self):
        rc, text = run_logging_to_stderr(lambda st: "%d:%d" % (st.st_dev, st.st_ino))
        self.assertEqual(rc, 0, text)
        lines = text.splitlines()
        self.assertTrue(any(line.startswith("<6>main: twowayd ") for line in lines), text)
        self.assertTrue(all(line.startswith("<") for line in lines), text)

    def test_another_stream_keeps_time_stamps(self):
        rc, text = run_logging_to_stderr(lambda st: "%d:%d" % (st.st_dev, st.st_ino + 1))
        self.assertEqual(rc, 0, text)
        self.assertRegex(text, r"(?m)^\d{4}-\d\d-\d\dT[0-9:.]+Z info main: twowayd ")
        self.assertNotIn("<6>", text)


if __name__ == "__main__":
    unittest.main()
