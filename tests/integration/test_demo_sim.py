"""The demo account (--demo) and the carrier/customer simulator (--simulate).

The seeded data is checked through the API as a client sees it; the
simulator is driven end to end: an agent's reply goes out through the real
sender to the fake Twilio Messages API, comes back as signed status
callbacks, and simulated customers answer and text in through the signed
inbound webhook.
"""
import base64
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

INBOX_PHONE = "+15550100100"
STOP_PHONE = "+15550101007"
HELP_PHONE = "+15550101008"
FAILED_PHONE = "+15550101017"
MMS_PHONE = "+15550101018"
MARIA_PHONE = "+15550101001"
ACCOUNT_SID = "ACtest0000000000000000000000000000"
FAKE_API = "/sim/2010-04-01/Accounts/%s/Messages.json" % ACCOUNT_SID
SIM_ENV = {"TWOWAYD_SIM_INTERVAL": "1", "TWOWAYD_SIM_REPLY_CHANCE": "1",
           "TWOWAYD_SIM_FAIL_CHANCE": "0", "TWOWAYD_SIM_DELIVERY_DELAY": "0.3"}


def all_conversations(d, agent=None):
    """Every conversation the agent sees, all statuses, every page."""
    out = []
    for page in range(1, 20):
        r = d.api("GET", d.acc("/conversations?status=all&page=%d" % page, agent), agent=agent)
        assert r.status == 200, r
        items = r.json["data"]["payload"]
        out += items
        if len(items) < 25:
            return out
    raise AssertionError("more pages than expected")


def messages(d, display_id, agent=None):
    r = d.api("GET", d.acc("/conversations/%d/messages" % display_id, agent), agent=agent)
    assert r.status == 200, r
    return r.json["payload"]


def by_phone(convs, phone):
    found = [c for c in convs if c["meta"]["sender"]["phone_number"] == phone]
    assert found, "no conversation with %s" % phone
    return found[0]


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode()
    return "Basic " + base64.b64encode(raw).decode()


def post_fake_twilio(d, params, auth):
    import urllib.parse
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth is not None:
        headers["Authorization"] = auth
    return twtest.http("POST", d.base_url + FAKE_API, urllib.parse.urlencode(params), headers)


class DemoSeed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=True)
        cls.convs = all_conversations(cls.d)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def thread(self, phone):
        return messages(self.d, by_phone(self.convs, phone)["id"])

    def test_start_lines_name_the_server_and_every_agent(self):
        info = self.d.server_info
        self.assertEqual(info["type"], "server")
        self.assertEqual(info["base_url"], "http://127.0.0.1:%d" % self.d.port)
        names = [(a["account_id"], a["name"]) for a in self.d.agents]
        self.assertEqual(names, [(1, "Ann Lee"), (1, "Ben Ortiz"), (1, "Chloe Park"),
                                 (2, "Dana Okafor")])
        for a in self.d.agents:
            self.assertEqual(a["type"], "agent")
            self.assertRegex(a["email"], r"^[a-z]+@[a-z]+\.example$")
            self.assertGreaterEqual(len(a["token"]), 20)
        self.assertEqual(len({a["token"] for a in self.d.agents}), 4)
        self.assertEqual(self.d.agent(0)["role"], "administrator")
        r = self.d.api("GET", "/api/v1/profile", agent=self.d.agent(1))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["email"], "ben@bayside.example")

    def test_agents_teams_and_the_sms_inbox(self):
        r = self.d.api("GET", self.d.acc("/agents"))
        self.assertEqual(r.status, 200)
        self.assertEqual(sorted(a["name"] for a in r.json), ["Ann Lee", "Ben Ortiz", "Chloe Park"])
        self.assertEqual([a["role"] for a in r.json].count("administrator"), 1)
        r = self.d.api("GET", self.d.acc("/teams"))
        self.assertEqual(sorted(t["name"] for t in r.json), ["Billing", "Front desk"])
        r = self.d.api("GET", self.d.acc("/inboxes"))
        inboxes = r.json["payload"]
        self.assertEqual(len(inboxes), 1)
        self.assertEqual(inboxes[0]["channel_type"], "Channel::TwilioSms")
        self.assertEqual(inboxes[0]["medium"], "sms")
        self.assertEqual(inboxes[0]["phone_number"], INBOX_PHONE)

    def test_conversations_cover_every_status_priority_and_assignment(self):
        convs = self.convs
        self.assertGreaterEqual(len(convs), 40)
        self.assertEqual({c["status"] for c in convs}, {"open", "pending", "resolved", "snoozed"})
        self.assertEqual({c["priority"] for c in convs},
                         {None, "low", "medium", "high", "urgent"})
        ids = {a["id"] for a in self.d.agents if a["account_id"] == 1}
        assignees = {c["meta"]["assignee"]["id"] if "assignee" in c["meta"] else None
                     for c in convs}
        self.assertEqual(assignees, ids | {None})
        teams = {c["meta"]["team"]["name"] if "team" in c["meta"] else None for c in convs}
        self.assertEqual(teams, {None, "Front desk", "Billing"})
        snoozed = [c for c in convs if c["status"] == "snoozed"]
        self.assertTrue(all(c["snoozed_until"] for c in snoozed))
        self.assertEqual({c["account_id"] for c in convs}, {1})

    def test_conversations_use_the_account_labels(self):
        r = self.d.api("GET", self.d.acc("/labels"))
        titles = {label["title"] for label in r.json["payload"]}
        self.assertIn("appointment", titles)
        used = set()
        for c in self.convs:
            used.update(c["labels"])
        self.assertTrue(used)
        self.assertLessEqual(used, titles)
        self.assertTrue(any(not c["labels"] for c in self.convs))

    def test_read_unread_and_waiting_vary(self):
        unread = [c["unread_count"] for c in self.convs]
        self.assertIn(0, unread)
        self.assertTrue(any(n > 0 for n in unread))
        now = time.time()
        waits = [now - c["waiting_since"] for c in self.convs if c["waiting_since"]]
        self.assertTrue(any(w < 3600 for w in waits), waits)
        self.assertTrue(any(w > 86400 for w in waits), waits)
        resolved = [c for c in self.convs if c["status"] == "resolved"]
        self.assertTrue(all(c["waiting_since"] == 0 for c in resolved))

    def test_canned_responses_use_variables(self):
        r = self.d.api("GET", self.d.acc("/canned_responses"))
        self.assertEqual(r.status, 200)
        contents = [c["content"] for c in r.json]
        self.assertTrue(any("{{contact.first_name}}" in c for c in contents))
        self.assertTrue(any("{{agent.first_name}}" in c for c in contents))

    def test_stop_contact_is_opted_out_with_the_confirmation(self):
        conv = by_phone(self.convs, STOP_PHONE)
        self.assertIs(conv["meta"]["sender"]["custom_attributes"]["sms_opt_out"], True)
        msgs = self.thread(STOP_PHONE)
        self.assertEqual((msgs[0]["message_type"], msgs[0]["content"]), (0, "STOP"))
        replies = [m for m in msgs if m["message_type"] == 1]
        self.assertEqual(len(replies), 1)
        self.assertTrue(replies[0]["content"].startswith("You have successfully been unsubscribed"))
        self.assertEqual(replies[0]["status"], "delivered")
        self.assertTrue(any(m["message_type"] == 2 and "opted out" in m["content"]
                            for m in msgs))

    def test_help_has_the_help_reply(self):
        msgs = self.thread(HELP_PHONE)
        self.assertEqual([(m["message_type"], m["content"]) for m in msgs],
                         [(0, "HELP"), (1, "Reply STOP to unsubscribe. Msg&Data Rates May Apply.")])
        conv = by_phone(self.convs, HELP_PHONE)
        self.assertNotEqual(conv["meta"]["sender"]["custom_attributes"].get("sms_opt_out"), True)

    def test_non_latin_and_emoji_threads(self):
        texts = []
        for c in self.convs:
            texts += [m["content"] or "" for m in messages(self.d, c["id"])]
        joined = "\n".join(texts)
        for sample in ("洗牙", "موعدي", "Здравствуйте", "नमस्ते"):
            self.assertIn(sample, joined)
        self.assertIn("\U0001F468\u200d\U0001F469\u200d\U0001F467", joined)  # ZWJ family
        self.assertIn("\U0001F44D\U0001F3FD", joined)  # thumbs up, medium skin tone
        self.assertRegex(joined, "[\U0001F1E6-\U0001F1FF]{2}")  # a flag
        self.assertTrue(any(len(t) > 160 for t in texts))
        self.assertIn("[@Ben Ortiz](mention://user/2/Ben%20Ortiz)", joined)

    def test_private_notes_mention_agents(self):
        notes = []
        for c in self.convs:
            notes += [m for m in messages(self.d, c["id"]) if m["private"]]
        self.assertGreaterEqual(len(notes), 3)
        self.assertTrue(all(m["message_type"] == 1 for m in notes))
        self.assertTrue(any("mention://user/" in m["content"] for m in notes))

    def test_failed_reply_carries_the_carrier_error(self):
        msgs = self.thread(FAILED_PHONE)
        failed = [m for m in msgs if m["status"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["message_type"], 1)
        self.assertTrue(failed[0]["content_attributes"]["external_error"].startswith("30003 - "))
        self.assertTrue(failed[0]["source_id"].startswith("SM"))
        delivered = [m for c in self.convs[:10] for m in messages(self.d, c["id"])
                     if m["message_type"] == 1 and m["status"] == "delivered"]
        self.assertTrue(delivered)

    def test_attachment_only_mms(self):
        msgs = self.thread(MMS_PHONE)
        mms = [m for m in msgs if m.get("attachments")]
        self.assertEqual(len(mms), 1)
        self.assertIsNone(mms[0]["content"])
        self.assertEqual(mms[0]["message_type"], 0)
        att = mms[0]["attachments"][0]
        self.assertEqual(att["file_type"], "image")
        self.assertTrue(att["data_url"].startswith("https://media.example.com/"))

    def test_contacts_have_emails_and_custom_attributes(self):
        senders = [c["meta"]["sender"] for c in self.convs]
        self.assertTrue(any(s["email"] for s in senders))
        self.assertTrue(any(s["email"] is None for s in senders))
        gold = [s for s in senders if s["custom_attributes"].get("plan") == "gold"]
        self.assertTrue(gold)
        self.assertTrue(any(s["custom_attributes"].get("preferred_dentist") == "Dr. Yu"
                            for s in gold))

    def test_second_account_is_small_and_apart(self):
        dana = self.d.agent(0, account_id=2)
        convs = all_conversations(self.d, dana)
        self.assertTrue(1 <= len(convs) <= 5, len(convs))
        self.assertEqual({c["account_id"] for c in convs}, {2})
        phones = {c["meta"]["sender"]["phone_number"] for c in convs}
        self.assertFalse(phones & {c["meta"]["sender"]["phone_number"] for c in self.convs})
        r = self.d.api("GET", "/api/v1/accounts/1/conversations", agent=dana)
        self.assertEqual(r.status, 401)

    def test_fake_twilio_is_hidden_without_simulate(self):
        r = post_fake_twilio(self.d, {"To": MARIA_PHONE, "From": INBOX_PHONE, "Body": "hi"},
                             basic(ACCOUNT_SID, self.d.auth_token))
        self.assertEqual(r.status, 404)


class DemoRestart(unittest.TestCase):
    def test_restart_does_not_reseed(self):
        with twtest.Twowayd(demo=True) as d:
            before = all_conversations(d)
            tokens = [(a["email"], a["token"]) for a in d.agents]
            d.stop()
            d.start()
            self.assertEqual([(a["email"], a["token"]) for a in d.agents], tokens)
            after = all_conversations(d)
            self.assertEqual(len(after), len(before))
            self.assertEqual(sorted(c["id"] for c in after), sorted(c["id"] for c in before))
            r = d.api("GET", d.acc("/agents"))
            self.assertEqual(len(r.json), 3)


class Simulate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=True, simulate=True, env=SIM_ENV)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def test_reply_is_delivered_and_the_customer_answers(self):
        d = self.d
        conv = by_phone(all_conversations(d), MARIA_PHONE)["id"]
        r = d.api("POST", d.acc("/conversations/%d/messages" % conv),
                  {"content": "Friday 9:15 it is. See you then!"})
        self.assertEqual(r.status, 200, r)
        mid = r.json["id"]

        def delivered():
            m = [m for m in messages(d, conv) if m["id"] == mid][0]
            return m if m["status"] == "delivered" else None
        m = twtest.wait_for(delivered, interval=0.2, what="delivered")
        self.assertRegex(m["source_id"], r"^SM[0-9a-f]{32}$")
        self.assertEqual(m["content_attributes"].get("external_error"), None)
        log = d.log_text()
        self.assertIn("sim: %s sent" % m["source_id"], log)
        self.assertIn("sim: %s delivered" % m["source_id"], log)

        # The customer answers 3-12 s after delivery, through the signed
        # inbound webhook, into the same conversation.
        twtest.wait_for(lambda: "customer %s answers %s" % (MARIA_PHONE, m["source_id"])
                        in d.log_text(), interval=0.3, what="answer")

        def answered():
            return [x for x in messages(d, conv) if x["id"] > mid and x["message_type"] == 0]
        answer = twtest.wait_for(answered, interval=0.2, what="answer stored")[0]
        self.assertTrue(answer["content"])
        self.assertRegex(answer["source_id"], r"^SM[0-9a-f]{32}$")
        self.assertEqual(answer["sender"]["phone_number"], MARIA_PHONE)
        self.assertEqual(answer["sender_type"], "Contact")

    def test_customers_text_in_over_time(self):
        d = self.d

        def newest():
            convs = all_conversations(d)
            last = max((c["last_non_activity_message"] or {"id": 0})["id"] for c in convs)
            return len(convs), last
        count0, last0 = newest()

        def grew():
            count, last = newest()
            return last > last0 and (count, last)
        twtest.wait_for(grew, interval=0.5, what="a new inbound text")
        self.assertRegex(d.log_text(), r"sim: customer \+1555\d{7} texts in")
        incoming = [c for c in all_conversations(d)
                    if (c["last_non_activity_message"] or {}).get("id", 0) > last0]
        self.assertTrue(any(c["last_non_activity_message"]["message_type"] == 0
                            for c in incoming))

    def test_no_answer_to_an_opted_out_contact(self):
        d = self.d
        conv = by_phone(all_conversations(d), STOP_PHONE)["id"]
        r = d.api("POST", d.acc("/conversations/%d/messages" % conv), {"content": "Hello?"})
        # The API refuses outright, or the carrier does (21610): never delivered.
        if r.status == 200:
            mid = r.json["id"]
            twtest.wait_for(lambda: [m for m in messages(d, conv)
                                     if m["id"] == mid and m["status"] == "failed"],
                            what="refused send")
        else:
            self.assertEqual(r.status, 422)
        self.assertNotIn("customer %s answers" % STOP_PHONE, d.log_text())


class SimulateFailures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = dict(SIM_ENV, TWOWAYD_SIM_FAIL_CHANCE="1", TWOWAYD_SIM_INTERVAL="0")
        cls.d = twtest.Twowayd(demo=True, simulate=True, env=env)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def test_reply_ends_failed_with_a_carrier_error(self):
        d = self.d
        conv = by_phone(all_conversations(d), MARIA_PHONE)["id"]
        r = d.api("POST", d.acc("/conversations/%d/messages" % conv), {"content": "See you!"})
        self.assertEqual(r.status, 200, r)
        mid = r.json["id"]

        def failed():
            m = [m for m in messages(d, conv) if m["id"] == mid][0]
            return m if m["status"] == "failed" else None
        m = twtest.wait_for(failed, interval=0.2, what="failed")
        self.assertRegex(m["content_attributes"]["external_error"], r"^(30003|30005|30006|30007) ")
        self.assertRegex(m["source_id"], r"^SM[0-9a-f]{32}$")

    def test_fake_api_rejects_wrong_credentials(self):
        params = {"To": "+15550101041", "From": INBOX_PHONE, "Body": "hi"}
        for auth in (None, basic(ACCOUNT_SID, "wrong-token"), basic("ACother", self.d.auth_token),
                     "Basic !!!!", "Bearer " + self.d.auth_token):
            r = post_fake_twilio(self.d, params, auth)
            self.assertEqual(r.status, 401, auth)
            self.assertEqual(r.json["code"], 20003)
            self.assertEqual(r.json["status"], 401)

    def test_fake_api_answers_like_twilio(self):
        auth = basic(ACCOUNT_SID, self.d.auth_token)
        r = post_fake_twilio(self.d, {"To": "+15550101041", "From": INBOX_PHONE,
                                      "Body": "Hi, yes we are!"}, auth)
        self.assertEqual(r.status, 201, r)
        j = r.json
        self.assertRegex(j["sid"], r"^SM[0-9a-f]{32}$")
        self.assertEqual((j["status"], j["to"], j["from"], j["body"], j["account_sid"],
                          j["num_segments"], j["direction"]),
                         ("queued", "+15550101041", INBOX_PHONE, "Hi, yes we are!", ACCOUNT_SID,
                          "1", "outbound-api"))
        long = "x" * 200
        r = post_fake_twilio(self.d, {"To": "+15550101041", "From": INBOX_PHONE, "Body": long},
                             auth)
        self.assertEqual(r.json["num_segments"], "2")

    def test_fake_api_refuses_what_twilio_refuses(self):
        auth = basic(ACCOUNT_SID, self.d.auth_token)
        cases = [
            ({"To": STOP_PHONE, "From": INBOX_PHONE, "Body": "hi"}, 21610),
            ({"From": INBOX_PHONE, "Body": "hi"}, 21604),
            ({"To": "12345", "From": INBOX_PHONE, "Body": "hi"}, 21211),
            ({"To": MARIA_PHONE, "From": "+15559999999", "Body": "hi"}, 21606),
            ({"To": MARIA_PHONE, "From": INBOX_PHONE}, 21602),
            ({"To": MARIA_PHONE, "From": INBOX_PHONE, "Body": "y" * 1601}, 21617),
        ]
        for params, code in cases:
            r = post_fake_twilio(self.d, params, auth)
            self.assertEqual((r.status, r.json["code"]), (400, code), params)
        r = post_fake_twilio(self.d, {"To": STOP_PHONE, "From": INBOX_PHONE, "Body": "hi"}, auth)
        self.assertEqual(r.json["message"], "Attempt to send to unsubscribed recipient")
        other = "/sim/2010-04-01/Accounts/ACother/Messages.json"
        r = twtest.http("POST", self.d.base_url + other, "To=%2B15550101041&Body=x",
                        {"Content-Type": "application/x-www-form-urlencoded",
                         "Authorization": auth})
        self.assertEqual(r.status, 404)


if __name__ == "__main__":
    unittest.main()
