"""Twilio's webhooks: signatures, inbound SMS, compliance keywords, away
messages and delivery status callbacks, seen through the Chatwoot API."""
import datetime
import itertools
import json
import os
import sys
import unittest
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

INBOX_PHONE = "+15550100100"
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
STOP_REPLY = ("You have successfully been unsubscribed. You will not receive any more messages "
              "from this number. Reply START to resubscribe.")
START_REPLY = ("You have successfully been re-subscribed to messages from this number. Reply HELP "
               "for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.")
HELP_REPLY = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."

_numbers = itertools.count(1)


def new_phone():
    """A phone number no other test uses (555-01xx: reserved for fiction)."""
    return "+1555013%04d" % (os.getpid() % 50 * 100 + next(_numbers))


def new_sid():
    return "SM" + os.urandom(16).hex()


def start(**env):
    """A demo twowayd whose sends go to a local fake Twilio."""
    fake, fake_env = twtest.fake_twilio()
    fake_env.update(env)
    d = twtest.Twowayd(demo=True, env=fake_env)
    d.fake = fake
    return d


def contact_of(d, phone):
    r = d.api("GET", d.acc("/contacts/search?q=" + urllib.parse.quote(phone)))
    assert r.status == 200, r
    found = [c for c in r.json["payload"] if c["phone_number"] == phone]
    return found[0] if found else None


def conversations_of(d, phone):
    """The contact's conversations, newest first (display ids)."""
    c = contact_of(d, phone)
    if not c:
        return []
    r = d.api("GET", d.acc("/contacts/%d/conversations" % c["id"]))
    assert r.status == 200, r
    return sorted(r.json["payload"], key=lambda x: -x["id"])


def messages_of(d, display_id):
    r = d.api("GET", d.acc("/conversations/%d/messages" % display_id))
    assert r.status == 200, r
    return r.json["payload"]


def thread(d, phone):
    convs = conversations_of(d, phone)
    assert len(convs) == 1, convs
    return messages_of(d, convs[0]["id"])


def outgoing(msgs):
    return [m for m in msgs if m["message_type"] in (1, 3)]


class TestSignature(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def params(self):
        return {"From": new_phone(), "To": INBOX_PHONE, "Body": "hi", "MessageSid": new_sid(),
                "AccountSid": "ACtest0000000000000000000000000000", "NumMedia": "0"}

    def test_valid_signature_is_accepted(self):
        r = self.d.webhook("/twilio/sms", self.params())
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, TWIML)
        self.assertTrue(r.headers["Content-Type"].startswith("text/xml"))

    def test_invalid_signature_is_refused(self):
        p = self.params()
        r = self.d.webhook("/twilio/sms", p, signature="bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==")
        self.assertEqual(r.status, 403)
        self.assertIn("error", r.json)
        self.assertIsNone(contact_of(self.d, p["From"]))

    def test_missing_signature_is_refused(self):
        r = self.d.webhook("/twilio/sms", self.params(), signature=False)
        self.assertEqual(r.status, 403)
        self.assertIn("error", r.json)

    def test_signature_with_another_token_is_refused(self):
        p = self.params()
        sig = twtest.twilio_signature("some-other-token", self.d.base_url + "/twilio/sms", p)
        r = self.d.webhook("/twilio/sms", p, signature=sig)
        self.assertEqual(r.status, 403)

    def test_signature_over_changed_params_is_refused(self):
        p = self.params()
        sig = twtest.twilio_signature(self.d.auth_token, self.d.base_url + "/twilio/sms", p)
        p["Body"] = "tampered"
        r = self.d.webhook("/twilio/sms", p, signature=sig)
        self.assertEqual(r.status, 403)

    def test_query_string_is_part_of_the_signed_url(self):
        path = "/twilio/sms?inbox=front%20desk&x=1"
        r = self.d.webhook(path, self.params())
        self.assertEqual(r.status, 200, r)
        # Signed without the query: not what Twilio would send.
        p = self.params()
        sig = twtest.twilio_signature(self.d.auth_token, self.d.base_url + "/twilio/sms", p)
        r = self.d.webhook(path, p, signature=sig)
        self.assertEqual(r.status, 403)

    def test_repeated_param_names_keep_their_order(self):
        p = self.params()
        p["Tag"] = ["b", "a"]
        r = self.d.webhook("/twilio/sms", p)
        self.assertEqual(r.status, 200, r)


class TestPublicUrl(unittest.TestCase):
    """Behind a proxy Twilio signs the public URL, not the one we bind."""

    @classmethod
    def setUpClass(cls):
        cls.d = start(TWOWAYD_PUBLIC_URL="https://sms.example.com/")

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def params(self):
        return {"From": new_phone(), "To": INBOX_PHONE, "Body": "hi", "MessageSid": new_sid()}

    def test_signed_with_public_url_passes(self):
        r = self.d.webhook("/twilio/sms", self.params(),
                           url="https://sms.example.com/twilio/sms")
        self.assertEqual(r.status, 200, r)

    def test_signed_with_local_url_fails(self):
        r = self.d.webhook("/twilio/sms", self.params())
        self.assertEqual(r.status, 403)

    def test_status_callback_url_is_public(self):
        phone = new_phone()
        self.d.webhook("/twilio/sms", {"From": phone, "To": INBOX_PHONE, "Body": "help",
                                       "MessageSid": new_sid()},
                       url="https://sms.example.com/twilio/sms")
        req = twtest.wait_for(lambda: [q for q in self.d.fake.requests
                                       if urllib.parse.quote(phone).encode() in q["body"]],
                              what="the HELP reply at the fake Twilio")[0]
        form = urllib.parse.parse_qs(req["body"].decode())
        self.assertEqual(form["StatusCallback"], ["https://sms.example.com/twilio/status"])


class TestNoAuthToken(unittest.TestCase):
    def test_webhooks_refused_and_logged_once(self):
        with twtest.Twowayd(demo=False, env={"TWOWAYD_TWILIO_AUTH_TOKEN": ""}) as d:
            p = {"From": new_phone(), "To": INBOX_PHONE, "Body": "hi", "MessageSid": new_sid()}
            for _ in range(2):
                r = d.webhook("/twilio/sms", p)
                self.assertEqual(r.status, 403)
                self.assertIn("error", r.json)
            r = d.webhook("/twilio/status", {"MessageSid": new_sid(), "MessageStatus": "sent"})
            self.assertEqual(r.status, 403)
            self.assertEqual(d.log_text().count("twilio_auth_token is not configured"), 1)


class TestDemoToken(unittest.TestCase):
    """--demo (and --simulate) without a configured auth token: a random one
    per start, printed in the server's JSON line; no constant signs."""

    def start_demo(self, simulate=False):
        return twtest.Twowayd(demo=True, simulate=simulate,
                              env={"TWOWAYD_TWILIO_AUTH_TOKEN": ""})

    def test_random_token_printed_and_the_only_one_accepted(self):
        tokens = []
        for simulate in (False, True):
            with self.start_demo(simulate) as d:
                token = d.server_info.get("twilio_auth_token", "")
                self.assertRegex(token, r"^[0-9a-f]{32}$")
                tokens.append(token)
                for guess in ("simulated-auth-token", "", "test-twilio-auth-token"):
                    d.auth_token = guess
                    p = {"From": new_phone(), "To": INBOX_PHONE, "Body": "forged",
                         "MessageSid": new_sid()}
                    r = d.webhook("/twilio/sms", p)
                    self.assertEqual(r.status, 403, (guess, r))
                    self.assertIsNone(contact_of(d, p["From"]))
                d.auth_token = token
                p = {"From": new_phone(), "To": INBOX_PHONE, "Body": "signed",
                     "MessageSid": new_sid()}
                self.assertEqual(d.webhook("/twilio/sms", p).status, 200)
                self.assertEqual([m["content"] for m in thread(d, p["From"])], ["signed"])
                self.assertNotIn(token, d.log_text())
        self.assertNotEqual(tokens[0], tokens[1])

    def test_configured_token_is_not_printed(self):
        with twtest.Twowayd(demo=True) as d:
            self.assertNotIn("twilio_auth_token", d.server_info)
            self.assertNotIn(d.auth_token, json.dumps(d.server_info))


class TestInbound(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def test_new_number_creates_contact_and_conversation(self):
        phone, sid = new_phone(), new_sid()
        r = self.d.sms_in(phone, "Can I move my cleaning to Friday?", sid=sid)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, TWIML)
        c = contact_of(self.d, phone)
        self.assertEqual(c["name"], phone)
        self.assertEqual(c["phone_number"], phone)
        self.assertEqual([ci["source_id"] for ci in c["contact_inboxes"]], [phone])
        convs = conversations_of(self.d, phone)
        self.assertEqual(len(convs), 1)
        self.assertEqual(convs[0]["status"], "open")
        msgs = messages_of(self.d, convs[0]["id"])
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["content"], "Can I move my cleaning to Friday?")
        self.assertEqual(m["message_type"], 0)
        self.assertEqual(m["source_id"], sid)
        self.assertEqual(m["sender"]["type"], "contact")
        self.assertEqual(m["sender"]["id"], c["id"])
        self.assertEqual(m["conversation_id"], convs[0]["id"])

    def test_second_text_joins_the_conversation(self):
        phone = new_phone()
        self.d.sms_in(phone, "first")
        self.d.sms_in(phone, "second")
        convs = conversations_of(self.d, phone)
        self.assertEqual(len(convs), 1)
        self.assertEqual([m["content"] for m in messages_of(self.d, convs[0]["id"])],
                         ["first", "second"])

    def test_text_after_resolved_starts_a_new_conversation(self):
        phone = new_phone()
        self.d.sms_in(phone, "first")
        old = conversations_of(self.d, phone)[0]["id"]
        r = self.d.api("POST", self.d.acc("/conversations/%d/toggle_status" % old),
                       {"status": "resolved"})
        self.assertEqual(r.status, 200, r)
        self.d.sms_in(phone, "back again")
        convs = conversations_of(self.d, phone)
        self.assertEqual(len(convs), 2)
        self.assertNotEqual(convs[0]["id"], old)
        self.assertEqual(convs[0]["status"], "open")
        self.assertEqual([m["content"] for m in messages_of(self.d, convs[0]["id"])],
                         ["back again"])
        self.assertEqual([c for c in convs if c["id"] == old][0]["status"], "resolved")

    def test_retried_message_sid_is_stored_once(self):
        phone, sid = new_phone(), new_sid()
        params = {"From": phone, "To": INBOX_PHONE, "Body": "only once", "MessageSid": sid,
                  "NumMedia": "0"}
        self.assertEqual(self.d.webhook("/twilio/sms", params).status, 200)
        before = thread(self.d, phone)
        r = self.d.webhook("/twilio/sms", params)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, TWIML)
        after = thread(self.d, phone)
        self.assertEqual(len(after), len(before))
        self.assertEqual([m["source_id"] for m in after if m["message_type"] == 0], [sid])

    def test_media_become_attachments(self):
        phone = new_phone()
        r = self.d.sms_in(phone, "", NumMedia="3",
                          MediaUrl0="https://api.twilio.com/media/ME1",
                          MediaContentType0="image/jpeg",
                          MediaUrl1="https://api.twilio.com/media/ME2",
                          MediaContentType1="application/pdf",
                          MediaUrl2="https://api.twilio.com/media/ME3",
                          MediaContentType2="audio/ogg")
        self.assertEqual(r.status, 200, r)
        m = thread(self.d, phone)[0]
        self.assertIsNone(m["content"])
        att = sorted(m["attachments"], key=lambda a: a["data_url"])
        self.assertEqual([(a["file_type"], a["extension"], a["data_url"], a["file_size"])
                          for a in att],
                         [("image", "jpg", "https://api.twilio.com/media/ME1", 0),
                          ("file", "pdf", "https://api.twilio.com/media/ME2", 0),
                          ("audio", "ogg", "https://api.twilio.com/media/ME3", 0)])
        for a in att:
            self.assertEqual(a["message_id"], m["id"])

    def test_text_with_media_keeps_its_body(self):
        phone = new_phone()
        self.d.sms_in(phone, "look at this", NumMedia="1",
                      MediaUrl0="https://api.twilio.com/media/ME9", MediaContentType0="video/mp4")
        m = thread(self.d, phone)[0]
        self.assertEqual(m["content"], "look at this")
        self.assertEqual([(a["file_type"], a["extension"]) for a in m["attachments"]],
                         [("video", "mp4")])

    def test_unknown_to_number_is_404(self):
        phone = new_phone()
        r = self.d.sms_in(phone, "hello?", to="+15550100999")
        self.assertEqual(r.status, 404)
        self.assertIn("error", r.json)
        self.assertIsNone(contact_of(self.d, phone))
        self.assertIn("+15550100999", self.d.log_text())

    def test_inbox_of_the_other_account(self):
        phone = new_phone()
        self.assertEqual(self.d.sms_in(phone, "bike", to="+15550100200").status, 200)
        self.assertIsNone(contact_of(self.d, phone))  # not in account 1
        dana = self.d.agent(0, account_id=2)
        r = self.d.api("GET", self.d.acc("/contacts/search?q=" + urllib.parse.quote(phone),
                                         agent=dana), agent=dana)
        self.assertEqual([c["phone_number"] for c in r.json["payload"]], [phone])

    def test_bad_forms_are_refused(self):
        ok = {"From": new_phone(), "To": INBOX_PHONE, "Body": "x", "MessageSid": new_sid()}
        cases = [
            ("missing From", {k: v for k, v in ok.items() if k != "From"}),
            ("From not E.164", dict(ok, From="5550134567")),
            ("From with letters", dict(ok, From="+1555ABC4567")),
            ("From too short", dict(ok, From="+123456")),
            ("From too long", dict(ok, From="+1234567890123456")),
            ("To not E.164", dict(ok, To="TWILIO")),
            ("missing MessageSid", {k: v for k, v in ok.items() if k != "MessageSid"}),
            ("bad MessageSid", dict(ok, MessageSid="SM'; DROP TABLE messages;--")),
            ("huge Body", dict(ok, Body="x" * 1601)),
            ("NumMedia too big", dict(ok, NumMedia="11")),
            ("NumMedia not a number", dict(ok, NumMedia="two")),
            ("media URL missing", dict(ok, NumMedia="1")),
            ("media URL not http", dict(ok, NumMedia="1", MediaUrl0="file:///etc/passwd")),
        ]
        for name, params in cases:
            with self.subTest(name):
                r = self.d.webhook("/twilio/sms", params)
                self.assertEqual(r.status, 400, r)
                self.assertIn("error", r.json)
        self.assertIsNone(contact_of(self.d, ok["From"]))
        # The limit itself is fine: 1600 characters, even of 4 bytes each.
        phone = new_phone()
        r = self.d.sms_in(phone, "\U0001F600" * 1600)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(thread(self.d, phone)[0]["content"], "\U0001F600" * 1600)

    def test_unicode_and_sql_metacharacters_are_stored_verbatim(self):
        phone = new_phone()
        body = "Robert'); DROP TABLE contacts;-- \u00e9\u4e2d \u2014 100% \"quoted\""
        self.assertEqual(self.d.sms_in(phone, body).status, 200)
        self.assertEqual(thread(self.d, phone)[0]["content"], body)


class TestCompliance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def attrs(self, phone):
        return contact_of(self.d, phone)["custom_attributes"]

    def sent_to(self, phone):
        """Bodies the fake Twilio received for this number."""
        out = []
        for q in list(self.d.fake.requests):
            form = urllib.parse.parse_qs(q["body"].decode())
            if form.get("To") == [phone]:
                out.append(form["Body"][0])
        return out

    def test_stop_variants_opt_out_with_one_confirmation(self):
        for word in ("STOP", "stop", " Stop ", "unsubscribe", "Cancel", "END", "quit",
                     "REVOKE", "optout", "STOPALL", "stop\n"):
            with self.subTest(word=word):
                phone, sid = new_phone(), new_sid()
                params = {"From": phone, "To": INBOX_PHONE, "Body": word, "MessageSid": sid}
                self.assertEqual(self.d.webhook("/twilio/sms", params).status, 200)
                a = self.attrs(phone)
                self.assertIs(a["sms_opt_out"], True)
                self.assertRegex(a["sms_opt_out_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
                msgs = thread(self.d, phone)
                self.assertEqual(msgs[0]["content"], word)  # stored like any message
                self.assertEqual([(m["message_type"], m["content"]) for m in outgoing(msgs)],
                                 [(1, STOP_REPLY)])
                self.assertNotIn("sender", outgoing(msgs)[0])  # from the system
                activity = [m["content"] for m in msgs if m["message_type"] == 2]
                self.assertEqual(len(activity), 1)
                self.assertTrue(activity[0].startswith("Contact opted out of SMS ("), activity)
                # Twilio retries the same webhook: nothing new, no second reply.
                self.assertEqual(self.d.webhook("/twilio/sms", params).status, 200)
                self.assertEqual(len(thread(self.d, phone)), len(msgs))
                # The confirmation goes out although the contact opted out.
                twtest.wait_for(lambda: self.sent_to(phone) == [STOP_REPLY],
                                what="the STOP confirmation at the fake Twilio")
        # Nothing left to send: that one confirmation is all there is.
        self.d.wait_outbox_idle()
        self.assertEqual(self.sent_to(phone), [STOP_REPLY])

    def test_stop_in_a_sentence_is_no_keyword(self):
        for body in ("STOP PLEASE", "please stop", "S T O P", "stop!", "stopp"):
            with self.subTest(body=body):
                phone = new_phone()
                self.d.sms_in(phone, body)
                self.assertNotIn("sms_opt_out", self.attrs(phone))
                msgs = thread(self.d, phone)
                self.assertEqual([m["content"] for m in msgs], [body])

    def test_start_words_opt_back_in(self):
        for word in ("START", "yes", " Unstop "):
            with self.subTest(word=word):
                phone = new_phone()
                self.d.sms_in(phone, "STOP")
                self.assertIs(self.attrs(phone)["sms_opt_out"], True)
                self.d.sms_in(phone, word)
                self.assertIs(self.attrs(phone)["sms_opt_out"], False)
                msgs = thread(self.d, phone)
                self.assertEqual([m["content"] for m in outgoing(msgs)], [STOP_REPLY, START_REPLY])
                self.assertTrue(any(m["message_type"] == 2 and
                                    m["content"].startswith("Contact opted back in to SMS")
                                    for m in msgs))
                twtest.wait_for(lambda: self.sent_to(phone) == [STOP_REPLY, START_REPLY],
                                what="both replies at the fake Twilio")

    def test_help_words_get_the_help_reply(self):
        for word in ("HELP", "info", " Help "):
            with self.subTest(word=word):
                phone = new_phone()
                self.d.sms_in(phone, word)
                self.assertNotIn("sms_opt_out", self.attrs(phone))
                self.assertEqual([m["content"] for m in outgoing(thread(self.d, phone))],
                                 [HELP_REPLY])

    def test_help_while_opted_out_is_answered_but_keeps_the_opt_out(self):
        phone = new_phone()
        self.d.sms_in(phone, "STOP")
        self.d.sms_in(phone, "HELP")
        self.assertIs(self.attrs(phone)["sms_opt_out"], True)
        twtest.wait_for(lambda: self.sent_to(phone) == [STOP_REPLY, HELP_REPLY],
                        what="STOP and HELP replies at the fake Twilio")

    def test_opt_out_type_from_twilio_changes_state_without_our_reply(self):
        phone = new_phone()
        self.d.sms_in(phone, "Stop", OptOutType="STOP")
        self.assertIs(self.attrs(phone)["sms_opt_out"], True)
        msgs = thread(self.d, phone)
        self.assertEqual(outgoing(msgs), [])
        self.assertTrue(any(m["message_type"] == 2 and "opted out" in m["content"] for m in msgs))
        self.d.sms_in(phone, "start", OptOutType="START")
        self.assertIs(self.attrs(phone)["sms_opt_out"], False)
        self.d.sms_in(phone, "help", OptOutType="HELP")
        self.assertEqual(outgoing(thread(self.d, phone)), [])
        self.d.wait_outbox_idle()
        self.assertEqual(self.sent_to(phone), [])

    def test_reply_to_opted_out_contact_is_refused(self):
        phone = new_phone()
        self.d.sms_in(phone, "STOP")
        conv = conversations_of(self.d, phone)[0]["id"]
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % conv),
                       {"content": "Are you sure?"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("opted out", r.json["error"])
        # A private note is not an SMS: still fine.
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % conv),
                       {"content": "customer opted out", "private": True})
        self.assertEqual(r.status, 200, r)
        # After START the agent may write again.
        self.d.sms_in(phone, "START")
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % conv),
                       {"content": "Welcome back"})
        self.assertEqual(r.status, 200, r)
        twtest.wait_for(lambda: self.sent_to(phone) == [STOP_REPLY, START_REPLY, "Welcome back"],
                        what="the replies at the fake Twilio")


def weekday_name(dt):
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[dt.weekday()]


class TestAwayOutsideHours(unittest.TestCase):
    """Open only the day after tomorrow (UTC): now is outside business hours,
    even if the test runs over midnight."""

    @classmethod
    def setUpClass(cls):
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        cls.d = start(TWOWAYD_BUSINESS_HOURS="%s 00:00-24:00" % weekday_name(later),
                      TWOWAYD_TIMEZONE="UTC",
                      TWOWAYD_AWAY_MESSAGE="We are closed; we answer tomorrow.",
                      TWOWAYD_STOP_REPLY="")

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def away(self, msgs):
        return [m for m in msgs if m["content"] == "We are closed; we answer tomorrow."]

    def test_away_message_once_per_conversation(self):
        phone = new_phone()
        self.d.sms_in(phone, "hello?")
        self.d.sms_in(phone, "anyone there?")
        msgs = thread(self.d, phone)
        away = self.away(msgs)
        self.assertEqual(len(away), 1)
        self.assertEqual(away[0]["message_type"], 3)
        self.assertEqual([m["content"] for m in msgs],
                         ["hello?", "We are closed; we answer tomorrow.", "anyone there?"])
        other = new_phone()
        self.d.sms_in(other, "hi")
        self.assertEqual(len(self.away(thread(self.d, other))), 1)
        twtest.wait_for(lambda: any(urllib.parse.quote(phone).encode() in q["body"]
                                    for q in self.d.fake.requests),
                        what="the away message at the fake Twilio")

    def test_keywords_get_no_away_message(self):
        phone = new_phone()
        self.d.sms_in(phone, "HELP")
        self.assertEqual([m["content"] for m in outgoing(thread(self.d, phone))], [HELP_REPLY])

    def test_empty_reply_setting_sends_nothing(self):
        phone = new_phone()
        self.d.sms_in(phone, "STOP")
        msgs = thread(self.d, phone)
        self.assertIs(contact_of(self.d, phone)["custom_attributes"]["sms_opt_out"], True)
        self.assertEqual(outgoing(msgs), [])

    def test_opted_out_contact_gets_no_away_message(self):
        phone = new_phone()
        self.d.sms_in(phone, "STOP")
        self.d.sms_in(phone, "one more thing")
        self.assertEqual(outgoing(thread(self.d, phone)), [])


class TestAwayInsideHours(unittest.TestCase):
    """Open for an hour around now in New York time, which is never the same
    hour in UTC: the time zone must be applied for this to count as open."""

    @classmethod
    def setUpClass(cls):
        now = datetime.datetime.now(zoneinfo.ZoneInfo("America/New_York"))
        # Half an hour either side of now, across midnight if need be (the
        # tests may run a minute into the next day).
        day = datetime.timedelta(days=1)
        spans = []
        for when in (now - day, now, now + day):
            # now's minute counted from when's midnight
            minute = now.hour * 60 + now.minute - (when - now).days * 24 * 60
            lo, hi = max(0, minute - 30), min(24 * 60, minute + 30)
            if lo < hi:
                spans.append("%s %02d:%02d-%02d:%02d" % (weekday_name(when), lo // 60, lo % 60,
                                                         hi // 60, hi % 60))
        hours = ", ".join(spans)
        cls.d = start(TWOWAYD_BUSINESS_HOURS=hours, TWOWAYD_TIMEZONE="America/New_York",
                      TWOWAYD_AWAY_MESSAGE="Closed.")
        cls.utc = start(TWOWAYD_BUSINESS_HOURS=hours, TWOWAYD_TIMEZONE="UTC",
                        TWOWAYD_AWAY_MESSAGE="Closed.")

    @classmethod
    def tearDownClass(cls):
        for d in (cls.d, cls.utc):
            d.cleanup()
            d.fake.cleanup()

    def test_no_away_message_inside_hours(self):
        phone = new_phone()
        self.d.sms_in(phone, "hello")
        self.assertEqual([m["content"] for m in thread(self.d, phone)], ["hello"])

    def test_same_hours_in_utc_are_outside(self):
        phone = new_phone()
        self.utc.sms_in(phone, "hello")
        self.assertEqual([m["content"] for m in thread(self.utc, phone)], ["hello", "Closed."])


class TestHoursConfig(unittest.TestCase):
    def test_bad_settings_stop_start_up(self):
        for env in ({"TWOWAYD_BUSINESS_HOURS": "mon-fri 9-5"},
                    {"TWOWAYD_BUSINESS_HOURS": "someday 09:00-17:00"},
                    {"TWOWAYD_BUSINESS_HOURS": "mon 17:00-09:00"},
                    {"TWOWAYD_BUSINESS_HOURS": "mon 09:00-25:00"},
                    {"TWOWAYD_BUSINESS_HOURS": "mon 09:00-17:00; tue 09:00-12:00"},
                    {"TWOWAYD_TIMEZONE": "Mars/Olympus_Mons"},
                    {"TWOWAYD_TIMEZONE": "../../etc/passwd"}):
            with self.subTest(env=env):
                with self.assertRaises(RuntimeError) as cm:
                    twtest.Twowayd(demo=False, env=env).cleanup()
                name = list(env)[0][len("TWOWAYD_"):].lower()
                self.assertIn(name, str(cm.exception))

    def test_good_settings_start(self):
        with twtest.Twowayd(demo=False, env={
                "TWOWAYD_BUSINESS_HOURS": "mon-fri 09:00-17:00, sat 10:00-14:00, sun 9:30-24:00",
                "TWOWAYD_TIMEZONE": "Europe/Berlin"}) as d:
            self.assertEqual(d.api("GET", "/api/v1/profile", token="x").status, 401)


class TestReplays(unittest.TestCase):
    """A captured webhook sent again, re-cut so its signature still holds,
    and SIDs that are not Twilio's: refused (400) and stored nowhere."""

    @classmethod
    def setUpClass(cls):
        cls.d = start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def params(self, **extra):
        p = {"From": new_phone(), "To": INBOX_PHONE, "Body": "pay me twice",
             "MessageSid": new_sid(), "AccountSid": "ACtest0000000000000000000000000000",
             "NumMedia": "0"}
        p.update(extra)
        return p

    def sign(self, params):
        return twtest.twilio_signature(self.d.auth_token, self.d.base_url + "/twilio/sms", params)

    def assert_refused(self, params, signature=True):
        r = self.d.webhook("/twilio/sms", params, signature=signature)
        self.assertEqual(r.status, 400, r)
        self.assertIn("error", r.json)
        return r

    def test_shifted_boundary_replay_is_refused(self):
        p = self.params()
        self.assertEqual(self.d.webhook("/twilio/sms", p).status, 200)
        before = thread(self.d, p["From"])
        # NumMedia moved into MessageSid's value: the same bytes are signed.
        shifted = {k: v for k, v in p.items() if k != "NumMedia"}
        shifted["MessageSid"] = p["MessageSid"] + "NumMedia0"
        sig = self.sign(p)
        self.assertEqual(self.sign(shifted), sig)
        self.assert_refused(shifted, signature=sig)
        self.assertEqual(thread(self.d, p["From"]), before)

    def test_shift_into_sms_sid_is_refused(self):
        sid = new_sid()
        p = self.params(MessageSid=sid, SmsSid=sid, SmsStatus="received")
        self.assertEqual(self.d.webhook("/twilio/sms", p).status, 200)
        before = thread(self.d, p["From"])
        shifted = {k: v for k, v in p.items() if k != "SmsStatus"}
        shifted["SmsSid"] = sid + "SmsStatusreceived"
        sig = self.sign(p)
        self.assertEqual(self.sign(shifted), sig)
        self.assert_refused(shifted, signature=sig)
        self.assertEqual(thread(self.d, p["From"]), before)

    def test_malformed_message_sids_are_refused(self):
        hexes = os.urandom(16).hex()
        for name, sid in (("lower-case prefix", "sm" + hexes), ("other prefix", "MG" + hexes),
                          ("one digit short", "SM" + hexes[:-1]),
                          ("one digit long", "SM" + hexes + "0"),
                          ("not hex", "SM" + hexes[:-1] + "g"), ("empty", ""),
                          ("trailing field", "SM" + hexes + "NumMedia0")):
            with self.subTest(name):
                p = self.params(MessageSid=sid)
                self.assert_refused(p)
                self.assertIsNone(contact_of(self.d, p["From"]))

    def test_sms_sid_must_agree(self):
        p = self.params(SmsSid=new_sid())
        self.assert_refused(p)
        self.assertIsNone(contact_of(self.d, p["From"]))
        p = self.params()
        p["SmsMessageSid"] = "SM" + os.urandom(15).hex()
        self.assert_refused(p)
        self.assertIsNone(contact_of(self.d, p["From"]))

    def test_sms_sid_alone_and_mms_sids_are_accepted(self):
        sid = "MM" + os.urandom(16).hex().upper()
        p = self.params(SmsSid=sid, SmsMessageSid=sid)
        del p["MessageSid"]
        self.assertEqual(self.d.webhook("/twilio/sms", p).status, 200)
        self.assertEqual([m["source_id"] for m in thread(self.d, p["From"])], [sid])
        # The retry of it is still one message.
        self.assertEqual(self.d.webhook("/twilio/sms", p).status, 200)
        self.assertEqual(len(thread(self.d, p["From"])), 1)

    def test_repeated_field_is_refused(self):
        p = self.params()
        p["MessageSid"] = [p["MessageSid"], p["MessageSid"]]
        self.assert_refused(p)
        self.assertIsNone(contact_of(self.d, p["From"]))
        p = self.params(Body=["one", "two"])
        self.assert_refused(p)
        self.assertIsNone(contact_of(self.d, p["From"]))

    def test_status_callback_needs_a_well_formed_sid(self):
        for sid in ("SM" + os.urandom(16).hex() + "MessageStatusdelivered", "x"):
            r = self.d.webhook("/twilio/status", {"MessageSid": sid, "MessageStatus": "sent"})
            self.assertEqual(r.status, 400, r)


class TestStatusCallbacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.d.fake.cleanup()

    def reply(self):
        """An agent reply that went out; returns (display id, message id, sid, phone)."""
        phone = new_phone()
        self.d.sms_in(phone, "hi")
        conv = conversations_of(self.d, phone)[0]["id"]
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % conv),
                       {"content": "Hello from the front desk"})
        self.assertEqual(r.status, 200, r)
        mid = r.json["id"]
        sid = twtest.wait_for(lambda: self.message(conv, mid)["source_id"],
                              what="the SID of the sent reply")
        return conv, mid, sid, phone

    def message(self, conv, mid):
        return [m for m in messages_of(self.d, conv) if m["id"] == mid][0]

    def status(self, sid, status, **extra):
        params = {"MessageSid": sid, "MessageStatus": status,
                  "AccountSid": "ACtest0000000000000000000000000000"}
        params.update(extra)
        r = self.d.webhook("/twilio/status", params)
        self.assertEqual(r.status, 200, r)
        return r

    def test_sent_delivered_read(self):
        conv, mid, sid, _ = self.reply()
        self.assertEqual(self.message(conv, mid)["status"], "sent")
        for st, want in (("queued", "sent"), ("sending", "sent"), ("sent", "sent"),
                         ("delivered", "delivered"), ("read", "read")):
            self.status(sid, st)
            self.assertEqual(self.message(conv, mid)["status"], want, st)

    def test_out_of_order_sent_after_delivered_stays_delivered(self):
        conv, mid, sid, _ = self.reply()
        self.status(sid, "delivered")
        self.status(sid, "sent")
        self.status(sid, "sending")
        self.assertEqual(self.message(conv, mid)["status"], "delivered")

    def test_failed_with_known_code_explains_it(self):
        conv, mid, sid, _ = self.reply()
        self.status(sid, "failed", ErrorCode="30003", ErrorMessage="Unreachable destination handset")
        m = self.message(conv, mid)
        self.assertEqual(m["status"], "failed")
        err = m["content_attributes"]["external_error"]
        self.assertTrue(err.startswith("30003 - "), err)
        self.assertIn("unreachable", err.lower())
        # Nothing brings a failed message back.
        self.status(sid, "delivered")
        self.assertEqual(self.message(conv, mid)["status"], "failed")

    def test_undelivered_is_failed(self):
        conv, mid, sid, _ = self.reply()
        self.status(sid, "sent")
        self.status(sid, "undelivered", ErrorCode="30007")
        m = self.message(conv, mid)
        self.assertEqual(m["status"], "failed")
        self.assertTrue(m["content_attributes"]["external_error"].startswith("30007 - "))

    def test_unknown_code_uses_twilio_words(self):
        conv, mid, sid, _ = self.reply()
        self.status(sid, "failed", ErrorCode="39999", ErrorMessage="Something odd")
        self.assertEqual(self.message(conv, mid)["content_attributes"]["external_error"],
                         "39999 - Something odd")
        conv, mid, sid, _ = self.reply()
        self.status(sid, "failed", ErrorCode="39998")
        self.assertEqual(self.message(conv, mid)["content_attributes"]["external_error"],
                         "39998 - Delivery failed")

    def test_21610_opts_the_contact_out(self):
        conv, mid, sid, phone = self.reply()
        self.status(sid, "undelivered", ErrorCode="21610")
        self.assertTrue(self.message(conv, mid)["content_attributes"]["external_error"]
                        .startswith("21610 - "))
        self.assertIs(contact_of(self.d, phone)["custom_attributes"]["sms_opt_out"], True)

    def test_unknown_sid_is_accepted_and_logged(self):
        sid = new_sid()
        r = self.status(sid, "delivered")
        self.assertEqual(r.body, "")
        self.assertIn(sid, self.d.log_text())

    def test_unsigned_and_incomplete_callbacks(self):
        _, _, sid, _ = self.reply()
        r = self.d.webhook("/twilio/status", {"MessageSid": sid, "MessageStatus": "failed"},
                           signature=False)
        self.assertEqual(r.status, 403)
        r = self.d.webhook("/twilio/status", {"MessageSid": sid})
        self.assertEqual(r.status, 400)
        r = self.d.webhook("/twilio/status", {"MessageStatus": "delivered"})
        self.assertEqual(r.status, 400)

    def test_inbound_sid_is_not_a_delivery_target(self):
        phone, sid = new_phone(), new_sid()
        self.d.sms_in(phone, "hi", sid=sid)
        self.status(sid, "failed", ErrorCode="30003")
        m = thread(self.d, phone)[0]
        self.assertEqual(m["status"], "sent")
        self.assertNotIn("external_error", m["content_attributes"])


if __name__ == "__main__":
    unittest.main()
