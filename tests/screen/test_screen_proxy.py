"""The live channel through the proxies a team sits behind, as the
design's matrix ran them, all on loopback: an HTTP CONNECT proxy
(tinyproxy) named by http_proxy, whose log proves the tunnel; a SOCKS5
proxy (microsocks) named by ALL_PROXY=socks5h://; and a forward proxy that
forwards the API but refuses CONNECT, behind which twoway polls and says
so. A missing proxy program skips its case and says which package to
install (scripts/quickstart.sh installs them)."""
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402
import twtest  # noqa: E402
from proxies import ProxyProcess, free_port, need, tinyproxy  # noqa: E402

MIKE = "+15550101030"
CONFIG = "set poll_interval = 300\nset notify = none\n"


class ProxyMatrix(screen.ScreenCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="twoway-proxy-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def news_shows(self):
        text = "Through the proxy %d" % time.time()
        self.assertEqual(self.d.sms_in(MIKE, text).status, 200)
        self.s.wait_for(text[:20])

    def test_http_connect_proxy_carries_the_live_channel(self):
        url, proxy = tinyproxy(self, self.tmp, self.d.port)
        self.twoway(config=CONFIG, env={"http_proxy": url, "https_proxy": url})
        self.wait_status("live")
        # The tunnel for /cable is in the proxy's log: it was not bypassed.
        twtest.wait_for(lambda: "CONNECT 127.0.0.1:%d" % self.d.port in proxy.text(),
                        what="tinyproxy to log the CONNECT")
        self.news_shows()

    def test_socks5h_proxy_carries_the_live_channel(self):
        need("microsocks", "microsocks")
        port = free_port()
        log = os.path.join(self.tmp, "microsocks.log")
        proxy = ProxyProcess(self, ["microsocks", "-i", "127.0.0.1", "-p", str(port)], log)
        proxy.wait_listening(port)
        self.twoway(config=CONFIG, env={"ALL_PROXY": "socks5h://127.0.0.1:%d" % port})
        self.wait_status("live")
        # Every connection went through it (microsocks says each one).
        twtest.wait_for(lambda: "127.0.0.1" in proxy.text(),
                        what="microsocks to report a client")
        self.news_shows()

    def test_forward_proxy_that_refuses_connect_means_polling_and_says_so(self):
        # CONNECT only to port 1: the API is forwarded, the tunnel refused.
        url, proxy = tinyproxy(self, self.tmp, 1)
        self.twoway(config="set poll_interval = 1\nset notify = none\n",
                    env={"http_proxy": url})
        self.wait_status("polling")
        self.assertNotIn("live", self.status())
        twtest.wait_for(lambda: "CONNECT" in proxy.text(), what="the refused CONNECT")
        self.assertIn("GET http://127.0.0.1:%d/api/v1/profile" % self.d.port, proxy.text())
        self.news_shows()


if __name__ == "__main__":
    unittest.main(verbosity=2)
