"""Attachments on the screen: their line shows type, size and link; with
hyperlinks the link is an OSC 8 hyperlink in the bytes twoway writes (read
from tmux pipe-pane), and the screen stays as curses drew it; y copies the
link with OSC 52; o opens it with the opener, as one argument and without
a shell, detached or (opener_terminal) with the terminal lent to it.

The customers' MMS come in through twowayd's Twilio webhook, their media
URLs as Twilio would give them."""
import base64
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

twtest = screen.twtest

PHOTO = "https://media.example.test/ME1a2b/photo.jpg"
OSC8 = re.compile(rb"\x1b\]8;id=(tw[0-9a-f]+);([^\x1b\x07]*)\x1b\\(.*?)\x1b\]8;;\x1b\\", re.S)


class LinksScreen(screen.ScreenCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="twoway-links-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        # The customer's photo, then a second "photo" whose URL would run
        # a command if it ever reached a shell.
        cls.pwned = os.path.join(cls.tmp, "PWNED")
        cls.evil = "https://media.example.test/x?a=1&b=$(touch${IFS}%s)`id`;x" % cls.pwned
        phone = "+15550177401"
        for url in (PHOTO, cls.evil):
            r = cls.d.sms_in(phone, "", NumMedia="1", MediaUrl0=url,
                             MediaContentType0="image/jpeg")
            assert r.status == 200, r
        cls.conv = cls.d.sql("SELECT c.display_id FROM conversations c JOIN contacts ct "
                             "ON ct.id = c.contact_id WHERE ct.phone_number = ?", phone)[0][0]

    def script(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, stat.S_IRWXU)
        return path

    def open_mms(self):
        self.open_conv(self.conv)
        self.wait_thread("[image] https://media.example.test/")

    def test_links_are_osc8_hyperlinks_and_the_screen_stays_right(self):
        tw = self.twoway(config=screen.CONFIG + "set hyperlinks = yes\n", capture=True)
        self.open_mms()
        links = tw.screen.wait(lambda: OSC8.findall(tw.screen.output()),
                               "OSC 8 hyperlinks in the pane's bytes")
        urls = {url for _, url, _ in links}
        self.assertIn(PHOTO.encode(), urls)
        for _, url, text in links:
            # Each piece of a link shows a part of its URL, as plain text.
            self.assertIn(text, url)
            self.assertTrue(url.startswith(b"https://"))
            self.assertNotIn(b"\x1b", text)
        # The hyperlinks go over what curses drew, and leave it as it was.
        self.assertIn("[image] " + PHOTO, self.thread())
        self.s.keys("k")  # a key in the thread: the screen still answers
        self.escape()
        self.assertIn("[image] " + PHOTO, self.thread())

    def test_no_hyperlinks_where_the_terminal_has_none(self):
        """auto under tmux 3.3 (the pane's TERM, no newer tmux): none."""
        tw = self.twoway(capture=True)
        self.open_mms()
        self.command("thread-top")
        self.assertNotIn(b"\x1b]8;", tw.screen.output())

    def test_y_copies_the_link_with_osc52(self):
        tw = self.twoway(capture=True)
        self.open_mms()
        self.command("copy-link 2")
        want = b"\x1b]52;c;" + base64.b64encode(PHOTO.encode()) + b"\x1b\\"
        tw.screen.wait(lambda: want in tw.screen.output(), "OSC 52 with the photo's link")
        self.wait_status("copied the link of the image (message")
        before = tw.screen.output().count(b"\x1b]52;")
        self.s.keys("y")  # the newest: the second picture
        evil = b"\x1b]52;c;" + base64.b64encode(self.evil.encode()) + b"\x1b\\"
        tw.screen.wait(lambda: evil in tw.screen.output(), "OSC 52 with the newest link")
        self.assertEqual(tw.screen.output().count(b"\x1b]52;"), before + 1)

    def test_o_runs_the_opener_with_the_link_as_one_argument_no_shell(self):
        out = os.path.join(self.tmp, "args.json")
        rec = self.script("record.sh", "#!/bin/sh\n"
                          "printf '%%s\\n' \"$@\" > %s.tmp && mv %s.tmp %s\n" % (out, out, out))
        self.twoway(config=screen.CONFIG + "set opener = \"%s --new-tab\"\n" % rec)
        self.open_mms()
        self.s.keys("o")
        got = twtest.wait_for(lambda: os.path.exists(out) and open(out).read(),
                              what="the opener to run")
        self.assertEqual(got.splitlines(), ["--new-tab", self.evil])
        self.assertFalse(os.path.exists(self.pwned))
        self.wait_status("opening image with %s" % rec)
        # An opener that cannot run says so.
        self.command("set opener = /nonexistent/opener")
        self.s.keys("o")
        self.wait_status("cannot run /nonexistent/opener: No such file or directory")

    def test_a_terminal_opener_gets_the_terminal_and_gives_it_back(self):
        viewer = self.script("viewer.sh", "#!/bin/sh\nprintf 'VIEWER %s\\n' \"$1\"\n"
                             "read answer\nexit 0\n")
        self.twoway(config=screen.CONFIG + "set opener = %s\nset opener_terminal = yes\n"
                    % viewer)
        self.open_mms()
        self.command("open-link 2", wait_closed=False)
        self.s.wait_for("VIEWER " + PHOTO)
        self.s.keys("Enter")
        self.s.wait_gone("VIEWER")
        self.wait_thread("[image] " + PHOTO)
        self.s.keys("q")


if __name__ == "__main__":
    unittest.main()
