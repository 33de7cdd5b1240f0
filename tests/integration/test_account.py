"""Account-level endpoints: agents, teams, inboxes, inbox members, labels
(doc/api.md §6, §7, §8, §10, §12), over HTTP against a real twowayd.

The demo account has one inbox with every agent in it; setUpClass adds a
second inbox ("Back Office SMS") whose only member is Chloe, so that what
an agent sees can differ from what an administrator sees."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

NOT_FOUND = {"error": "Resource could not be found"}
FOREIGN = {"error": "You are not authorized to access this account"}

# Nobody is on /cable here: as in Chatwoot (auto_offline), the agent lists
# say "offline" for an agent who is not online (test_cable: online).
ANN = {"id": 1, "account_id": 1, "name": "Ann Lee", "available_name": "Ann Lee",
       "email": "ann@bayside.example", "role": "administrator", "confirmed": True,
       "auto_offline": True, "availability_status": "offline", "thumbnail": ""}
BEN = dict(ANN, id=2, name="Ben Ortiz", available_name="Ben Ortiz", email="ben@bayside.example",
           role="agent")
CHLOE = dict(ANN, id=3, name="Chloe Park", available_name="Chloe Park",
             email="chloe@bayside.example", role="agent")
DANA = dict(ANN, id=4, account_id=2, name="Dana Okafor", available_name="Dana Okafor",
            email="dana@harborbikes.example")

FRONT_DESK = {"id": 1, "name": "Front desk", "description": "Appointments, reminders and walk-ins",
              "allow_auto_assign": True, "account_id": 1}
BILLING = {"id": 2, "name": "Billing", "description": "Invoices, insurance and payment plans",
           "allow_auto_assign": True, "account_id": 1}

INBOX_FIELDS = {"id", "avatar_url", "channel_id", "name", "channel_type", "greeting_enabled",
                "greeting_message", "working_hours_enabled", "enable_email_collect",
                "csat_survey_enabled", "enable_auto_assignment", "out_of_office_message",
                "working_hours", "timezone", "allow_messages_after_resolved",
                "lock_to_single_conversation", "phone_number", "medium", "provider",
                "messaging_service_sid"}

BACK_OFFICE = None  # id of the inbox added in setUpClass (after the demo's)


def add_back_office(conn):
    global BACK_OFFICE
    BACK_OFFICE = conn.execute("SELECT MAX(id) FROM inboxes").fetchone()[0] + 1
    conn.execute("INSERT INTO inboxes(id, account_id, name, channel_type, medium, provider, "
                 "phone_number, timezone, created_at) VALUES (?, 1, 'Back Office SMS', "
                 "'Channel::TwilioSms', 'sms', 'twilio', '+15550100101', 'UTC', ?)",
                 (BACK_OFFICE, time.time()))
    conn.execute("INSERT INTO inbox_members(inbox_id, agent_id) VALUES (?, 3)", (BACK_OFFICE,))


class AccountTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=True)
        twtest.edit_db(cls.d, add_back_office)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)
        cls.chloe = cls.d.agent(2)
        cls.dana = cls.d.agent(0, account_id=2)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def get(self, path, agent, account=None):
        acc = account if account is not None else agent["account_id"]
        return self.d.api("GET", "/api/v1/accounts/%d%s" % (acc, path), agent=agent)

    def ok(self, path, agent, account=None):
        r = self.get(path, agent, account)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))
        return r.json

    # --- agents ---------------------------------------------------------

    def test_agents_is_a_bare_array_of_the_account_ordered_by_id(self):
        self.assertEqual(self.ok("/agents", self.ann), [ANN, BEN, CHLOE])

    def test_agents_look_the_same_to_an_agent(self):
        self.assertEqual(self.ok("/agents", self.ben), [ANN, BEN, CHLOE])

    def test_agents_of_another_account_stay_apart(self):
        self.assertEqual(self.ok("/agents", self.dana), [DANA])

    # --- teams ----------------------------------------------------------

    def test_teams_carry_is_member_for_the_asking_agent(self):
        # Ann is in Front desk; Ben in both; Chloe in Billing.
        self.assertEqual(self.ok("/teams", self.ann),
                         [dict(FRONT_DESK, is_member=True), dict(BILLING, is_member=False)])
        self.assertEqual(self.ok("/teams", self.ben),
                         [dict(FRONT_DESK, is_member=True), dict(BILLING, is_member=True)])
        self.assertEqual(self.ok("/teams", self.chloe),
                         [dict(FRONT_DESK, is_member=False), dict(BILLING, is_member=True)])

    def test_account_without_teams_lists_none(self):
        self.assertEqual(self.ok("/teams", self.dana), [])

    def test_team_show_is_the_bare_team(self):
        self.assertEqual(self.ok("/teams/2", self.chloe), dict(BILLING, is_member=True))
        self.assertEqual(self.ok("/teams/1", self.chloe), dict(FRONT_DESK, is_member=False))

    def test_team_show_unknown_or_foreign_is_404(self):
        for path, agent in (("/teams/99", self.ann), ("/teams/1", self.dana),
                            ("/teams/9223372036854775807", self.ann)):
            r = self.get(path, agent)
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), path)

    # --- inboxes --------------------------------------------------------

    def test_inboxes_of_an_administrator_are_all_of_the_account(self):
        body = self.ok("/inboxes", self.ann)
        self.assertEqual(list(body), ["payload"])
        self.assertEqual([i["id"] for i in body["payload"]], [1, BACK_OFFICE])
        first = body["payload"][0]
        self.assertEqual(set(first), INBOX_FIELDS)
        self.assertEqual(
            {k: first[k] for k in ("id", "channel_id", "name", "channel_type", "phone_number",
                                   "medium", "provider", "timezone", "messaging_service_sid",
                                   "avatar_url", "working_hours")},
            {"id": 1, "channel_id": 1, "name": "Front Desk SMS",
             "channel_type": "Channel::TwilioSms", "phone_number": "+15550100100",
             "medium": "sms", "provider": "twilio", "timezone": "America/New_York",
             "messaging_service_sid": None, "avatar_url": "", "working_hours": []})

    def test_inboxes_of_an_agent_are_only_their_own(self):
        self.assertEqual([i["id"] for i in self.ok("/inboxes", self.ben)["payload"]], [1])
        self.assertEqual([i["id"] for i in self.ok("/inboxes", self.chloe)["payload"]],
                         [1, BACK_OFFICE])

    def test_inboxes_of_another_account_stay_apart(self):
        payload = self.ok("/inboxes", self.dana)["payload"]
        self.assertEqual([(i["name"], i["phone_number"]) for i in payload],
                         [("Harbor Bikes SMS", "+15550100200")])
        self.assertNotIn(payload[0]["id"], (1, BACK_OFFICE))

    def test_inbox_show_is_the_bare_inbox(self):
        listed = self.ok("/inboxes", self.ann)["payload"]
        self.assertEqual(self.ok("/inboxes/1", self.ann), listed[0])
        back = self.ok("/inboxes/%d" % BACK_OFFICE, self.chloe)
        self.assertEqual(back, listed[1])
        self.assertEqual((back["name"], back["phone_number"], back["timezone"]),
                         ("Back Office SMS", "+15550100101", "UTC"))

    def test_inbox_show_hidden_unknown_or_foreign_is_404(self):
        dana_inbox = self.ok("/inboxes", self.dana)["payload"][0]["id"]
        self.assertEqual(self.ok("/inboxes/%d" % dana_inbox, self.dana)["name"],
                         "Harbor Bikes SMS")
        for path, agent in (("/inboxes/%d" % BACK_OFFICE, self.ben), ("/inboxes/999", self.ann),
                            ("/inboxes/1", self.dana), ("/inboxes/%d" % dana_inbox, self.ann)):
            r = self.get(path, agent)
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), (path, agent["name"]))

    # --- inbox members --------------------------------------------------

    def test_inbox_members_are_the_agents_of_the_inbox(self):
        self.assertEqual(self.ok("/inbox_members/1", self.ben), {"payload": [ANN, BEN, CHLOE]})
        self.assertEqual(self.ok("/inbox_members/%d" % BACK_OFFICE, self.ann),
                         {"payload": [CHLOE]})
        dana_inbox = self.ok("/inboxes", self.dana)["payload"][0]["id"]
        self.assertEqual(self.ok("/inbox_members/%d" % dana_inbox, self.dana),
                         {"payload": [DANA]})

    def test_inbox_members_hidden_unknown_or_foreign_is_404(self):
        for path, agent in (("/inbox_members/%d" % BACK_OFFICE, self.ben),
                            ("/inbox_members/777", self.ann), ("/inbox_members/1", self.dana),
                            ("/inbox_members/%d" % BACK_OFFICE, self.dana)):
            r = self.get(path, agent)
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), (path, agent["name"]))

    # --- labels ---------------------------------------------------------

    def test_labels_are_wrapped_and_ordered_by_title(self):
        body = self.ok("/labels", self.ben)
        self.assertEqual(list(body), ["payload"])
        self.assertEqual([l["title"] for l in body["payload"]],
                         ["appointment", "billing", "complaint", "delivery", "follow-up",
                          "new-patient", "vip"])
        vip = [l for l in body["payload"] if l["title"] == "vip"][0]
        self.assertIsInstance(vip["id"], int)
        self.assertEqual(vip, {"id": vip["id"], "title": "vip",
                               "description": "Long-standing patients", "color": "#8338ec",
                               "show_on_sidebar": True})
        ids = [l["id"] for l in body["payload"]]
        self.assertEqual(len(set(ids)), len(ids))

    def test_labels_of_another_account_stay_apart(self):
        body = self.ok("/labels", self.dana)
        repair = body["payload"][0]
        self.assertEqual(body, {"payload": [{"id": repair["id"], "title": "repair",
                                             "description": "Repairs", "color": "#ff8800",
                                             "show_on_sidebar": True}]})
        self.assertNotIn(repair["id"], [l["id"] for l in self.ok("/labels", self.ann)["payload"]])

    # --- authentication -------------------------------------------------

    PATHS = ("/agents", "/teams", "/teams/1", "/inboxes", "/inboxes/1", "/inbox_members/1",
             "/labels")

    def test_foreign_account_in_the_path_is_401(self):
        for path in self.PATHS:
            r = self.get(path, self.dana, account=1)
            self.assertEqual((r.status, r.json), (401, FOREIGN), path)
            r = self.get(path, self.ann, account=2)
            self.assertEqual((r.status, r.json), (401, FOREIGN), path)

    def test_wrong_or_missing_token_is_401(self):
        for path in self.PATHS:
            r = self.d.api("GET", "/api/v1/accounts/1" + path, token="not-a-token")
            self.assertEqual((r.status, r.json), (401, {"error": "Invalid Access Token"}), path)
            r = twtest.http("GET", self.d.base_url + "/api/v1/accounts/1" + path)
            self.assertEqual(r.status, 401, path)
            self.assertIsInstance(r.json["error"], str)

    def test_writes_to_read_only_lists_are_405(self):
        r = self.d.api("POST", "/api/v1/accounts/1/agents", {"name": "x"}, agent=self.ann)
        self.assertEqual(r.status, 405)
        self.assertEqual(self.ok("/agents", self.ann), [ANN, BEN, CHLOE])


if __name__ == "__main__":
    unittest.main()
