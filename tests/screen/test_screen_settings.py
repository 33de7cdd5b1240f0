"""Settings take effect when they are set, whatever sets them: a `color`
line of the config file colours the screen from the start, and
`:set poll_interval` and `:set mark_read` change what twoway asks the server
while it runs. Requests are counted at a proxy between twoway and twowayd;
every wait is for a state, with one generous deadline."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

# An hour between polls: within a test only the first sync asks for the list.
SLOW = "set poll_interval = 3600\nset notify = none\n"


def list_polls(proxy):
    """How many times the conversation list (or the feed) was asked for."""
    return sum(1 for _, method, path in list(proxy.log)
               if method == "GET" and path.split("?")[0].endswith("/conversations"))


def marked_read(proxy):
    return [path for _, method, path in list(proxy.log)
            if method == "POST" and path.endswith("/update_last_seen")]


class Settings(screen.ScreenCase):

    def start(self, config):
        self.proxy = screen.Proxy(self.d)
        self.addCleanup(self.proxy.cleanup)
        return self.twoway(url=self.proxy.url, config=config)

    def raw_status(self):
        """The status line (the row above the input line) with its SGR
        sequences."""
        return self.s.raw().split("\n")[self.s.height - 2]

    def test_a_color_line_of_the_config_file_colours_the_screen_at_start(self):
        # The status line is black on cyan by default; the config says
        # white on blue, and nothing is typed.
        self.start(SLOW + "color status white blue bold\n")
        self.s.wait(lambda: "Ann Lee" in self.status(), "the status line drawn")
        self.s.wait(lambda: "37" in self.raw_status() and "44" in self.raw_status(),
                    "the status line white on blue (SGR 37 and 44)")
        self.assertNotIn("46", self.raw_status(), "not the default cyan")
        # And a colour set on the `:` line changes it while it runs.
        self.s.keys(":")
        self.s.type("color status black yellow")
        self.s.keys("Enter")
        self.s.wait(lambda: "43" in self.raw_status(), "the status line on yellow (SGR 43)")

    def test_set_poll_interval_changes_the_polling_rate_while_running(self):
        self.start(SLOW)
        # The first sync is in: the list has been asked for, and with an
        # hour between polls nothing more comes in this test's lifetime...
        self.s.wait(lambda: list_polls(self.proxy) >= 1, "the first sync's list request")
        # ...until the interval changes to one second: polls follow, and
        # three of them can only come at the new rate.
        before = list_polls(self.proxy)
        self.s.keys(":")
        self.s.type("set poll_interval = 1")
        self.s.keys("Enter")
        self.s.wait(lambda: list_polls(self.proxy) >= before + 3,
                    "three more list polls after set poll_interval = 1 (had %d)" % before,
                    timeout=screen.TIMEOUT * 3)

    def test_set_mark_read_decides_what_opening_a_thread_does(self):
        self.start(SLOW + "set mark_read = no\n")
        self.s.wait(lambda: list_polls(self.proxy) >= 1, "the first sync")
        self.s.keys("Enter")  # open the first conversation
        self.s.wait_for("◀")
        # Opened and read, but not marked read on the server. Another
        # request that opening makes (its messages) is the barrier.
        self.s.wait(lambda: any("/messages" in p for _, _, p in list(self.proxy.log)),
                    "the thread's messages asked for")
        self.assertEqual(marked_read(self.proxy), [])
        self.s.keys("Tab")
        self.s.keys(":")
        self.s.type("set mark_read = yes")
        self.s.keys("Enter")
        self.s.keys("j")
        self.s.keys("Enter")  # open the next one
        self.s.wait(lambda: marked_read(self.proxy), "update_last_seen after set mark_read = yes")


if __name__ == "__main__":
    unittest.main(verbosity=2)
