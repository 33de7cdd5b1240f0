"""TLS: twoway at an https:// server whose certificate comes from a
private CA named by ca_file. The REST calls and the live channel (wss://)
both go through TLS; with polling every five minutes, a message that shows
at once came pushed over wss. Without that CA, or with another one, the
certificate is refused: the status line says so, nothing reaches the
server, and nothing is tried over plain http. Through an HTTP CONNECT
proxy named by https_proxy the TLS tunnel carries the live channel too.

A throwaway CA and a certificate for 127.0.0.1 are made at the start
(openssl); TLS ends in a forwarder on loopback (tests/lib/tlsproxy.py) in
front of a plain twowayd. The agent is Ann Lee; Mike Sullivan is hers."""
import os
import re
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402
import tlsproxy  # noqa: E402
import twtest  # noqa: E402
from proxies import tinyproxy  # noqa: E402

MIKE = "+15550101030"
SLOW_POLL = "set poll_interval = 300\nset notify = none\n"
# The status line's words for a certificate that is not trusted (the head
# of the reason: the status line keeps "retrying in" and the counts).
UNTRUSTED = re.compile(r"offline \(server certificate not trusted\), retrying in \d+s")


class TlsScreen(screen.ScreenCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="twoway-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.pki = tlsproxy.make_pki(os.path.join(cls.tmp, "pki"))
        # Another CA, which never signed the server's certificate.
        cls.other = tlsproxy.make_pki(os.path.join(cls.tmp, "other"), "unrelated")
        # A certificate from a trusted CA, but for another host.
        cls.elsewhere = tlsproxy.make_pki(os.path.join(cls.tmp, "elsewhere"),
                                          names=("DNS:sms.example.test",))

    def setUp(self):
        self.tls = tlsproxy.TlsProxy(self.d.port, self.pki.cert, self.pki.key)
        self.addCleanup(self.tls.cleanup)

    def config(self, ca):
        return SLOW_POLL + ("set ca_file = %s\n" % ca if ca else "")

    def live_and_pushed(self, tw):
        """Live, and an inbound SMS shows without a poll: it came over
        the live channel."""
        self.wait_status("live")
        since = tw.log_mark()
        # Short enough for the list's preview column, and new each time.
        text = "Pushed %x" % int(time.time() * 1000)
        self.assertEqual(self.d.sms_in(MIKE, text).status, 200)
        self.s.wait_for(text)
        self.assertEqual(tw.log_lines(r" poll \d+ started$", since), [],
                         "a poll ran: the message may not have come pushed")

    def test_live_over_wss_with_ca_file(self):
        tw = self.twoway(url=self.tls.url, config=self.config(self.pki.ca))
        self.live_and_pushed(tw)
        # The channel went to wss://, through the TLS forwarder.
        tw.wait_log(r"cable: connecting to 127\.0\.0\.1:%d/cable" % self.tls.port)
        self.assertNotIn("HTTP_REQUEST", self.tls.handshakes, self.tls.seen())
        self.assertIn("ok", self.tls.handshakes, self.tls.seen())
        # And it carries a conversation opened on it (REST over https).
        conv = screen.conv_by_phone(self.d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        text = "Still on its way? %d" % time.time()
        self.assertEqual(self.d.sms_in(MIKE, text).status, 200)
        self.wait_thread(text)

    def refused(self, ca):
        """twoway with ca_file ca (None: none) refuses the certificate and
        says so; nothing reaches twowayd, nothing goes as plain http."""
        tw = self.twoway(url=self.tls.url, config=self.config(ca), wait=None)
        self.wait_status(UNTRUSTED)
        # The full reason is in the log: the verification error and the
        # setting that fixes it.
        tw.wait_log(r"server certificate not trusted: unable to get local issuer "
                    r"certificate; name its CA with ca_file")
        # It tries again later (a poll after the first refusals), and is
        # refused again.
        failed = r"request failed \(server certificate not trusted"
        tw.wait_log(r" poll \d+ started$")
        tw.wait_log(failed, count=len(tw.log_lines(failed)) + 1)
        seen = list(self.tls.handshakes)
        self.assertTrue(seen, self.tls.seen())
        self.assertNotIn("ok", seen, self.tls.seen())
        self.assertNotIn("HTTP_REQUEST", seen, self.tls.seen())
        self.assertIn("TLSV1_ALERT_UNKNOWN_CA", seen, self.tls.seen())
        self.assertEqual(self.tls.forwarded, 0, self.tls.seen())
        self.assertEqual(tw.log_lines(r"cable: connecting"), [])
        # Nothing was loaded: the list says why, whole, wrapped at word
        # boundaries (the status line has room only for its head).
        self.wait_list_words("Cannot reach the server: server certificate not trusted: "
                             "unable to get local issuer certificate; name its CA with ca_file")
        self.assertNotIn("Loading", self.list_words())
        # And the screen still answers keys.
        self.s.keys("?")
        self.s.wait_for("Keys everywhere")
        self.s.keys("q")
        self.s.wait_gone("Keys everywhere")
        self.wait_status(UNTRUSTED)
        self.assertTrue(self.s.alive())

    def test_another_ca_is_refused(self):
        self.refused(self.other.ca)

    def test_no_ca_file_is_refused(self):
        self.refused(None)

    def test_a_certificate_for_another_host_is_refused(self):
        # Signed by the CA ca_file names, but not for 127.0.0.1: refused
        # by the host-name check, which says so.
        self.tls.cleanup()
        self.tls = tlsproxy.TlsProxy(self.d.port, self.elsewhere.cert, self.elsewhere.key)
        self.addCleanup(self.tls.cleanup)
        tw = self.twoway(url=self.tls.url, config=self.config(self.elsewhere.ca), wait=None)
        self.wait_status(UNTRUSTED)
        words = self.wait_list_words(re.compile(
            r"Cannot reach the server: server certificate not trusted: [^;]*127\.0\.0\.1"))
        self.assertNotIn("ca_file", words.group(0), "the CA is known: not a ca_file matter")
        self.assertEqual(self.tls.forwarded, 0, self.tls.seen())
        self.assertEqual(tw.log_lines(r"cable: connecting"), [])
        self.assertTrue(self.s.alive())

    def test_an_unreadable_ca_file_says_so(self):
        missing = os.path.join(self.tmp, "no-such-ca.pem")
        self.twoway(url=self.tls.url, config=self.config(missing), wait=None)
        self.wait_status(re.compile(r"offline \(cannot read ca_file\), retrying in \d+s"))
        self.wait_list_words("Cannot reach the server: cannot read ca_file")
        self.assertNotIn("ok", self.tls.handshakes, self.tls.seen())
        self.assertEqual(self.tls.forwarded, 0, self.tls.seen())

    def test_https_proxy_tunnels_to_wss(self):
        tmp = tempfile.mkdtemp(prefix="twoway-tls-proxy-")
        self.addCleanup(shutil.rmtree, tmp, True)
        url, proxy = tinyproxy(self, tmp, self.tls.port)
        tw = self.twoway(url=self.tls.url, config=self.config(self.pki.ca),
                         env={"https_proxy": url})
        self.live_and_pushed(tw)
        # Both the API and the channel went through the tunnel to the TLS
        # port: it was not bypassed, and twowayd was not reached directly.
        twtest.wait_for(lambda: proxy.text().count("CONNECT 127.0.0.1:%d" % self.tls.port) >= 2,
                        what="tinyproxy to log the CONNECTs", seen=proxy.text)
        self.assertNotIn("CONNECT 127.0.0.1:%d " % self.d.port, proxy.text())
        self.assertIn("ok", self.tls.handshakes, self.tls.seen())


if __name__ == "__main__":
    unittest.main(verbosity=2)
