"""Texting people who did not write first, with twoway --batch against a
real twowayd: `new` to a number nobody has (a contact is created, then the
conversation with its source_id), numbers refused before any request, and
quiet hours for `new` and for a reply to a customer silent for a day.

No result depends on the wall clock: each quiet-hours case puts the
customer in a time zone chosen from the clock when the test runs, where it
is about 02:00 (quiet) or 14:00 (daytime), six hours from either end of
the default quiet hours 21:00-08:00; a number with no zone attribute is
judged by its country, with quiet_hours set around the hour it is there."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402


class Base(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)
        # Quiet hours on, at their default: these tests are about them.
        cls.r = twtest.TwowayRunner(cls.d, quiet=True)
        cls.ben = cls.d.agent(1)

    @classmethod
    def tearDownClass(cls):
        cls.r.cleanup()
        cls.d.cleanup()
        cls.fake.cleanup()

    def run_json(self, script, args=()):
        rc, out, err = self.r.run(script, args=args, json_out=True)
        return rc, [json.loads(line) for line in out.splitlines() if line.strip()], err

    def contacts(self, phone):
        r = self.d.api("GET", self.d.acc("/contacts/search?q=%s" % phone.lstrip("+")))
        self.assertEqual(r.status, 200, r)
        return [c for c in r.json["payload"] if c["phone_number"] == phone]

    def convs_of(self, contact_id):
        r = self.d.api("GET", self.d.acc("/contacts/%d/conversations" % contact_id))
        self.assertEqual(r.status, 200, r)
        return r.json["payload"]

    def new_contact(self, phone, zone, name):
        r = self.d.api("POST", self.d.acc("/contacts"),
                       {"inbox_id": 1, "phone_number": phone, "name": name,
                        "custom_attributes": {"timezone": zone}})
        self.assertEqual(r.status, 200, r)
        return r.json["payload"]["contact"]["id"]

    def messages(self, cid):
        return twtest.all_messages(self.d, cid)


class NewNumber(Base):

    def test_new_to_an_unknown_number_creates_contact_and_conversation(self):
        phone = "+15550188001"
        self.assertEqual(self.contacts(phone), [])
        rc, recs, err = self.run_json("new --force %s Hi, this is Bayside Dental\n" % phone)
        self.assertEqual(rc, 0, err)
        [rec] = recs
        self.assertEqual((rec["command"], rec["contact_created"], rec["contact"]["phone"]),
                         ("new", True, phone))
        [c] = self.contacts(phone)
        self.assertEqual([(ci["source_id"], ci["inbox"]["id"]) for ci in c["contact_inboxes"]],
                         [(phone, 1)])
        [conv] = self.convs_of(c["id"])
        self.assertEqual(conv["id"], rec["conversation"])
        msgs = self.messages(conv["id"])
        self.assertEqual([(m["content"], m["message_type"]) for m in msgs],
                         [("Hi, this is Bayside Dental", 1)])
        # The reply goes out to the new number.
        self.d.wait_outbox_idle()
        self.fake.wait_requests(pred=lambda q: b"To=%2B15550188001" in q["body"])
        # Again: the contact is found, not made twice.
        rc, recs, err = self.run_json("new --force %s Second thought\n" % phone)
        self.assertEqual(rc, 0, err)
        self.assertEqual(recs[0]["contact_created"], False)
        self.assertEqual(len(self.contacts(phone)), 1)

    def test_formatted_numbers_are_taken_in_e164(self):
        rc, recs, err = self.run_json("new --force '00 44 (7700) 900-881' Hello\n")
        self.assertEqual(rc, 0, err)
        self.assertEqual(recs[0]["contact"]["phone"], "+447700900881")

    def test_invalid_numbers_are_refused_before_any_request(self):
        for phone, why in (("5550101", "international form"), ("+1555", "too short"),
                           ("+0447700900123", "never starts with 0"),
                           ("+1555010100199999", "15 digits"),
                           ("+1555abc0101", "only digits")):
            log = twtest.LogFile(self.d.log)
            mark = log.mark()
            rc, out, err = self.r.run("new %s hello\n" % phone)
            self.assertEqual(rc, 1, (phone, out, err))
            self.assertIn('is not a phone number: ', err)
            self.assertIn(why, err)
            self.assertIn("nothing was sent", err)
            asked = [line for line in log.text(mark).splitlines()
                     if "/contacts" in line or "POST /api/v1/accounts/1/conversations" in line]
            self.assertEqual(asked, [], phone)

    def test_someone_else_making_the_contact_meanwhile_is_no_failure(self):
        """The contact exists by the time twoway asks to make it (a lost
        answer, a colleague): the 422 sends twoway looking again."""
        phone = "+15550188002"
        proxy = twtest.FakeHTTP(self.forward_after_making(phone))
        try:
            runner = twtest.TwowayRunner(self.d, url=proxy.url)
            rc, out, err = runner.run("new --force %s Hello there\n" % phone, json_out=True)
            runner.cleanup()
        finally:
            proxy.cleanup()
        self.assertEqual(rc, 0, err)
        rec = json.loads(out.splitlines()[0])
        self.assertEqual(rec["contact_created"], False)
        [c] = self.contacts(phone)
        self.assertEqual(rec["contact"]["id"], c["id"])

    def forward_after_making(self, phone):
        """A proxy that lets twowayd answer everything, but first makes the
        contact itself when twoway asks to create it."""
        d = self.d

        def handler(method, path, headers, body):
            if method == "POST" and path.endswith("/contacts"):
                d.api("POST", d.acc("/contacts"), {"inbox_id": 1, "phone_number": phone})
            hdrs = {k: v for k, v in headers.items() if k.lower() in
                    ("api_access_token", "content-type")}
            r = twtest.http(method, d.base_url + path, body or None, hdrs)
            return r.status, "application/json", r.body.encode()
        return handler


class QuietHours(Base):

    def test_new_in_quiet_hours_is_refused_until_forced(self):
        quiet, day = twtest.zone_at(2), twtest.zone_at(14)
        night = self.new_contact("+15550188101", quiet, "Nadia Night")
        self.new_contact("+15550188102", day, "Dana Day")
        rc, out, err = self.r.run("new +15550188101 Your crown is ready\n")
        self.assertEqual(rc, 1, (out, err))
        # The hour may turn while the test runs: 02:59 becomes 03:00.
        self.assertRegex(err, "quiet hours for Nadia: it is 0[23]:")
        self.assertIn(quiet + ", their time zone", err)
        self.assertIn("texts go 08:00-21:00 their time; `new --force` sends anyway", err)
        self.assertEqual(self.convs_of(night), [])
        # The daytime contact is texted at once; --force texts the other.
        rc, out, err = self.r.run("new +15550188102 Your crown is ready\n")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.r.run("new --force +15550188101 Your crown is ready\n")
        self.assertEqual(rc, 0, err)
        [conv] = self.convs_of(night)
        self.assertEqual(self.messages(conv["id"])[-1]["content"], "Your crown is ready")

    def test_a_new_number_is_judged_by_its_country(self):
        """+44 is the United Kingdom: quiet hours around the time it is in
        London now refuse it, and nothing is created on the server."""
        phone = "+447700900901"
        rc, out, err = self.r.run("set quiet_hours %s\nnew %s Hello from Bayside\n"
                                  % (twtest.quiet_around("Europe/London"), phone))
        self.assertEqual(rc, 1, (out, err))
        self.assertIn("(Europe/London, from their number: the United Kingdom)", err)
        self.assertEqual(self.contacts(phone), [])
        # Quiet hours that are not now there: it goes.
        rc, out, err = self.r.run("set quiet_hours %s\nnew %s Hello from Bayside\n"
                                  % (twtest.quiet_around("Europe/London", 12), phone))
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.contacts(phone)), 1)

    def stale_conversation(self, phone, zone, name, hours_ago):
        """A conversation whose customer (in zone) last wrote hours_ago."""
        self.new_contact(phone, zone, name)
        self.assertEqual(self.d.sms_in(phone, "Is my order in?").status, 200)
        cid = self.d.sql("SELECT c.display_id FROM conversations c JOIN contacts ct "
                         "ON ct.id = c.contact_id WHERE ct.phone_number = ?", phone)[0][0]
        twtest.age_conversation(self.d, cid, hours_ago)
        return cid

    def test_a_reply_after_24_hours_of_silence_waits_for_daytime(self):
        cid = self.stale_conversation("+15550188201", twtest.zone_at(2), "Sam Silent", 30)
        rc, out, err = self.r.run("open %d\nreply We found your order\n" % cid)
        self.assertEqual(rc, 1, (out, err))
        self.assertRegex(err, "reply to #%d not sent: quiet hours for Sam: they have not written "
                         "for 24 hours, and it is 0[23]:" % cid)
        self.assertIn("`reply --force` sends anyway", err)
        # Nothing typed is lost: the draft has it.
        path, text = self.r.draft(cid)
        self.assertEqual(text, "We found your order")
        self.assertNotIn("We found your order", [m["content"] for m in self.messages(cid)])
        rc, out, err = self.r.run("open %d\nreply --force We found your order\n" % cid)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.messages(cid)[-1]["content"], "We found your order")

    def test_a_reply_to_someone_who_wrote_lately_goes_at_night(self):
        cid = self.stale_conversation("+15550188202", twtest.zone_at(2), "Wren Awake", 1)
        rc, out, err = self.r.run("open %d\nreply Yes, it came in today\n" % cid)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.messages(cid)[-1]["content"], "Yes, it came in today")

    def test_quiet_hours_setting_is_checked(self):
        rc, out, err = self.r.run("set quiet_hours 9pm-8am\n")
        self.assertEqual(rc, 1)
        self.assertIn("quiet_hours: \"9pm-8am\" is not START-END in 24-hour time", err)


if __name__ == "__main__":
    unittest.main()
