"""Quiet hours and `new` on the screen: the composer says before Enter that
a reply to a customer silent for a day would be refused in their quiet
hours; Enter keeps the text with the reason; `:reply --force` opens a
composer that sends anyway. A `new` that is refused opens the `:` line
again with what was typed.

The customer's time zone is chosen when the test runs so that it is about
02:00 there (twtest.zone_at): no result depends on the wall clock."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

twtest = screen.twtest


class OutreachScreen(screen.ScreenCase):

    def silent_customer(self, phone, name, hours_ago):
        """A conversation whose customer, at 02:00 now, last wrote
        hours_ago."""
        r = self.d.api("POST", self.d.acc("/contacts"),
                       {"inbox_id": 1, "phone_number": phone, "name": name,
                        "custom_attributes": {"timezone": twtest.zone_at(2)}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.d.sms_in(phone, "Is my crown ready?").status, 200)
        cid = self.d.sql("SELECT c.display_id FROM conversations c JOIN contacts ct "
                         "ON ct.id = c.contact_id WHERE ct.phone_number = ?", phone)[0][0]
        twtest.age_conversation(self.d, cid, hours_ago)
        return cid

    def test_the_composer_warns_enter_keeps_the_text_and_force_sends(self):
        conv = self.silent_customer("+15550177301", "Quinn Late", 30)
        self.twoway(quiet=True)
        self.open_conv(conv, wait="Is my crown ready?")
        self.s.keys("r")
        self.wait_input(re.compile(r"reply #%d Quinn Late ›" % conv))
        self.wait_status(re.compile(r"quiet hours for Quinn, 0[23]:\d\d their time \(Etc/\S+\): "
                                    r"Enter is refused; :reply --force sends"))
        self.s.type("Your crown is ready")
        self.s.keys("Enter")
        self.wait_status_area("not sent: quiet hours for Quinn: they have not written for 24 hours")
        self.wait_input("reply #%d Quinn Late › Your crown is ready" % conv)
        self.assertNotIn("Your crown is ready", self.contents(conv))
        # Away and back with --force: the draft, sent without the checks.
        self.escape()
        self.command("reply --force", wait_closed=False)
        self.wait_input("reply #%d Quinn Late › Your crown is ready" % conv)
        self.wait_status("(--force: sent without the checks)")
        self.s.keys("Enter")
        self.wait_input_empty()
        twtest.wait_for(lambda: "Your crown is ready" in self.contents(conv),
                        timeout=screen.TIMEOUT, what="the reply in twowayd")

    def test_a_customer_who_wrote_lately_gets_no_warning(self):
        conv = self.silent_customer("+15550177302", "Remy Recent", 1)
        self.twoway(quiet=True)
        self.open_conv(conv, wait="Is my crown ready?")
        self.s.keys("r")
        self.wait_status("Reply to #%d Remy Recent" % conv)
        self.assertNotIn("quiet", self.status())
        self.escape()

    def test_a_refused_new_comes_back_to_the_command_line(self):
        phone = "+447700900931"
        self.twoway(quiet=True, config=screen.CONFIG + "set quiet_hours %s\n"
                    % twtest.quiet_around("Europe/London"))
        self.command("new %s Hello from Bayside" % phone, wait_closed=False)
        self.wait_status_area("quiet hours for %s" % phone)
        self.wait_input(':new %s "Hello from Bayside"' % phone)
        # Fixed in place and run again: it goes, and opens.
        self.s.keys("C-a")
        for _ in range(len("new")):
            self.s.keys("Right")
        self.s.type(" --force")
        self.s.keys("Enter")
        self.wait_input_empty()
        self.wait_thread("Hello from Bayside")


if __name__ == "__main__":
    unittest.main()
