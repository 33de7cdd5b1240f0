"""Conversation endpoints (doc/api.md §3) over HTTP against a real twowayd:
the list with its filters, sorts, pages and badge counts, meta, search,
show, create, update, and the actions on one conversation (status,
priority, read state, typing, assignment, labels).

Expectations are worked out from what the API itself returns (every page of
status=all), not from the demo script, so the tests hold when the demo data
grows. Outgoing SMS go to a fake Twilio on 127.0.0.1.

Choices where Chatwoot would answer 500 or is silent (documented here):
- a page that is not a positive number is page 1 (as Kaminari);
- bad enum values (status, assignee_type, sort_by, priority, typing_status)
  are 422 {"error": ...};
- an unknown team_id in the list filter is 404 (Chatwoot's teams.find);
- toggle_priority without a "priority" key is 422 (not a silent clear).
"""
import datetime
import os
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

NOT_FOUND = {"error": "Resource could not be found"}
PER_PAGE = 25
COUNT_KEYS = {"mine_count", "assigned_count", "unassigned_count", "all_count"}
RANK = {"urgent": 4, "high": 3, "medium": 2, "low": 1, None: 0}
INBOX = 1          # the demo account's SMS inbox
FOREIGN_INBOX = 2  # account 2's inbox
FRONT_DESK, BILLING = 1, 2


def start():
    fake, env = twtest.fake_twilio()
    return fake, twtest.Twowayd(demo=True, env=env)


class Base(unittest.TestCase):
    """Helpers shared by the test classes; cls.d is their twowayd."""

    @classmethod
    def setUpClass(cls):
        cls.fake, cls.d = start()
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)
        cls.chloe = cls.d.agent(2)
        cls.dana = cls.d.agent(0, account_id=2)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()

    def call(self, method, path, body=None, agent=None, status=200):
        agent = agent or self.ann
        r = self.d.api(method, self.d.acc(path, agent), body, agent=agent)
        self.assertEqual(r.status, status, "%s %s -> %r" % (method, path, r))
        return r

    def get(self, path, agent=None, status=200):
        return self.call("GET", path, agent=agent, status=status).json

    def post(self, path, body=None, agent=None, status=200):
        return self.call("POST", path, body, agent=agent, status=status)

    def error(self, method, path, body, status=422, agent=None):
        """The call fails with a JSON {"error": "..."}; returns the message."""
        r = self.call(method, path, body, agent=agent, status=status)
        self.assertEqual(set(r.json), {"error"})
        self.assertIsInstance(r.json["error"], str)
        self.assertTrue(r.json["error"])
        return r.json["error"]

    def everything(self, query="status=all", agent=None, path="/conversations"):
        """Every conversation the query finds, page after page."""
        out, page = [], 1
        while True:
            body = self.get("%s?%s&page=%d" % (path, query, page), agent=agent)
            items = body["data"]["payload"]
            out += items
            self.assertLessEqual(len(items), PER_PAGE)
            if len(items) < PER_PAGE:
                return out
            page += 1

    def conv(self, cid, agent=None):
        return self.get("/conversations/%d" % cid, agent=agent)

    def contact_with_phone(self):
        """A contact of account 1 that can be texted (has a phone, no STOP)."""
        if not hasattr(self, "_contact"):
            self.__class__._contact = reachable_contact(self.everything())
        return self._contact

    def create(self, message=None, **fields):
        body = {"inbox_id": INBOX, "contact_id": self.contact_with_phone()}
        body.update(fields)
        if message is not None:
            body["message"] = {"content": message}
        return self.post("/conversations", body).json

    def messages(self, cid):
        return self.get("/conversations/%d/messages" % cid)["payload"]


def reachable_contact(convs):
    for c in convs:
        sender = c["meta"]["sender"]
        if sender["phone_number"] and not sender["custom_attributes"].get("sms_opt_out"):
            return sender["id"]
    raise AssertionError("no contact to text in the demo data")


def expected_counts(convs, me):
    unassigned = sum(1 for c in convs if "assignee" not in c["meta"])
    return {"mine_count": sum(1 for c in convs if c["meta"].get("assignee", {}).get("id") == me),
            "unassigned_count": unassigned,
            "assigned_count": len(convs) - unassigned,
            "all_count": len(convs)}


class ListTest(Base):
    """The list, meta and search, over the demo data plus conversations
    created in setUpClass: enough for three pages, and some with texts to
    search for."""

    MARK = "Zebra-Quartz 50% off_sale"
    SQLI = "'; DROP TABLE conversations; -- \" OR 1=1"
    BATCH = "Batch note"
    NBATCH = 27

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d, ann = cls.d, cls.ann
        first = d.api("GET", d.acc("/conversations?status=all"), agent=ann).json
        contact = reachable_contact(first["data"]["payload"])
        cls.created = []
        for i in range(3 + cls.NBATCH):
            body = {"inbox_id": INBOX, "contact_id": contact}
            if i == 0:
                body["message"] = {"content": "Your order: " + cls.MARK}
            elif i == 1:
                body["message"] = {"content": cls.SQLI}
            elif i == 2:
                body.update(assignee_id=ann["id"], team_id=BILLING, status="pending")
            else:
                body["message"] = {"content": "%s #%d" % (cls.BATCH, i)}
            r = d.api("POST", d.acc("/conversations"), body, agent=ann)
            assert r.status == 200, r
            cls.created.append(r.json["id"])
        # The marked one is resolved (q must find it all the same); one is
        # snoozed so that every status has a conversation.
        for cid, status in ((cls.created[0], "resolved"), (cls.created[3], "snoozed")):
            r = d.api("POST", d.acc("/conversations/%d/toggle_status" % cid),
                      {"status": status}, agent=ann)
            assert r.status == 200, r
        cls.all = None

    def all_convs(self):
        if ListTest.all is None:
            ListTest.all = self.everything()
        return ListTest.all

    def test_list_is_wrapped_twice_with_the_four_counts(self):
        body = self.get("/conversations")
        self.assertEqual(set(body), {"data"})
        self.assertEqual(set(body["data"]), {"meta", "payload"})
        self.assertEqual(set(body["data"]["meta"]), COUNT_KEYS)
        for c in body["data"]["payload"]:
            self.assertEqual(c["account_id"], 1)
            self.assertEqual(c["status"], "open")

    def test_counts_span_all_pages_and_match_the_items(self):
        convs = self.all_convs()
        self.assertGreater(len(convs), PER_PAGE)
        meta = self.get("/conversations?status=all")["data"]["meta"]
        self.assertEqual(meta, expected_counts(convs, self.ann["id"]))
        open_ = self.everything("status=open")
        self.assertEqual(self.get("/conversations")["data"]["meta"],
                         expected_counts(open_, self.ann["id"]))
        self.assertEqual(sorted(c["id"] for c in open_),
                         sorted(c["id"] for c in convs if c["status"] == "open"))

    def test_counts_are_per_agent_for_mine(self):
        convs = self.all_convs()
        meta = self.get("/conversations?status=all", agent=self.ben)["data"]["meta"]
        self.assertEqual(meta, expected_counts(convs, self.ben["id"]))

    def test_assignee_type_filters_items_but_not_counts(self):
        convs = self.all_convs()
        counts = expected_counts(convs, self.ann["id"])
        checks = {
            "me": lambda c: c["meta"].get("assignee", {}).get("id") == self.ann["id"],
            "unassigned": lambda c: "assignee" not in c["meta"],
            "assigned": lambda c: "assignee" in c["meta"],
            "all": lambda c: True,
        }
        for kind, pred in checks.items():
            got = self.everything("status=all&assignee_type=" + kind)
            self.assertEqual(sorted(c["id"] for c in got),
                             sorted(c["id"] for c in convs if pred(c)), kind)
            meta = self.get("/conversations?status=all&assignee_type=" + kind)["data"]["meta"]
            self.assertEqual(meta, counts, kind)

    def test_each_status_filter(self):
        convs = self.all_convs()
        for status in ("open", "pending", "snoozed", "resolved"):
            got = self.everything("status=" + status)
            want = [c for c in convs if c["status"] == status]
            self.assertTrue(want, status)
            self.assertEqual(sorted(c["id"] for c in got), sorted(c["id"] for c in want), status)
            meta = self.get("/conversations?status=" + status)["data"]["meta"]
            self.assertEqual(meta, expected_counts(want, self.ann["id"]), status)

    def test_meta_endpoint_has_the_same_counts(self):
        for query in ("", "status=all", "status=resolved&assignee_type=me",
                      "labels[]=vip&status=all", "team_id=2&status=all"):
            listed = self.get("/conversations?" + query)["data"]["meta"]
            meta = self.get("/conversations/meta?" + query)
            self.assertEqual(set(meta), {"meta"})
            self.assertEqual(meta["meta"], listed, query)

    def test_inbox_filter(self):
        convs = self.all_convs()
        got = self.everything("status=all&inbox_id=%d" % INBOX)
        self.assertEqual(len(got), len(convs))
        for inbox in (FOREIGN_INBOX, 999):
            body = self.get("/conversations?status=all&inbox_id=%d" % inbox)
            self.assertEqual(body["data"]["payload"], [])
            self.assertEqual(body["data"]["meta"], dict.fromkeys(COUNT_KEYS, 0))
        self.error("GET", "/conversations?inbox_id=one", None)

    def test_team_filter(self):
        convs = self.all_convs()
        got = self.everything("status=all&team_id=%d" % BILLING)
        want = [c for c in convs if c["meta"].get("team", {}).get("id") == BILLING]
        self.assertIn(self.created[2], [c["id"] for c in want])
        self.assertEqual(sorted(c["id"] for c in got), sorted(c["id"] for c in want))
        self.assertEqual(self.get("/conversations?status=all&team_id=%d" % BILLING)["data"]["meta"],
                         expected_counts(want, self.ann["id"]))
        self.error("GET", "/conversations?team_id=99", None, status=404)
        self.error("GET", "/conversations?team_id=1x", None)

    def test_labels_match_any(self):
        convs = self.all_convs()
        got = self.everything("status=all&labels[]=vip&labels[]=complaint")
        want = [c for c in convs if {"vip", "complaint"} & set(c["labels"])]
        self.assertTrue(want)
        self.assertEqual(sorted(c["id"] for c in got), sorted(c["id"] for c in want))
        only_vip = self.everything("status=all&labels[]=vip")
        self.assertLess(len(only_vip), len(got))
        self.assertTrue(all("vip" in c["labels"] for c in only_vip))
        none = self.get("/conversations?status=all&labels[]=no-such-label")["data"]
        self.assertEqual((none["payload"], none["meta"]["all_count"]), ([], 0))

    def test_q_finds_message_text_whatever_the_status(self):
        for q in ("Zebra-Quartz", "zebra-quartz", "50%25", "off_sale"):
            got = self.get("/conversations?q=" + q)["data"]
            self.assertEqual([c["id"] for c in got["payload"]], [self.created[0]], q)
            self.assertEqual(got["payload"][0]["status"], "resolved")
            self.assertEqual(got["meta"]["all_count"], 1)
        # % and _ are not wildcards
        self.assertEqual(self.get("/conversations?q=50%25_off")["data"]["payload"], [])
        self.assertEqual(self.get("/conversations?q=nothing-like-this-anywhere")["data"]
                         ["payload"], [])

    def test_q_with_sql_metacharacters_is_plain_text(self):
        import urllib.parse
        q = urllib.parse.quote(self.SQLI)
        got = self.get("/conversations?q=" + q)["data"]["payload"]
        self.assertEqual([c["id"] for c in got], [self.created[1]])
        self.assertEqual(got[0]["messages"][0]["content"], self.SQLI)
        self.assertEqual(self.get("/conversations?q=%27%20OR%201%3D1%20--")["data"]["payload"], [])
        self.assertEqual(len(self.everything()), len(self.all_convs()))

    def test_sort_orders(self):
        def activity(c):
            return c["last_activity_at"]

        def waiting(c):
            return c["waiting_since"] or float("inf")

        keys = {
            "last_activity_at_desc": (True, lambda c: activity(c)),
            "last_activity_at_asc": (False, lambda c: activity(c)),
            "created_at_desc": (True, lambda c: c["created_at"]),
            "created_at_asc": (False, lambda c: c["created_at"]),
            "priority_desc": (True, lambda c: (RANK[c["priority"]], activity(c))),
            "priority_asc": (False, lambda c: (RANK[c["priority"]], activity(c))),
            "waiting_since_desc": (True, lambda c: (waiting(c), c["created_at"])),
            "waiting_since_asc": (False, lambda c: (waiting(c), c["created_at"])),
        }
        total = len(self.all_convs())
        orders = {}
        for sort, (desc, key) in keys.items():
            got = self.everything("status=all&sort_by=" + sort)
            self.assertEqual(len(got), total, sort)
            values = [key(c) for c in got]
            self.assertEqual(values, sorted(values, reverse=desc), sort)
            orders[sort] = [c["id"] for c in got]
        self.assertEqual([c["id"] for c in self.all_convs()], orders["last_activity_at_desc"])
        # Priority really orders urgent > high > medium > low > none.
        ranks = [RANK[p] for p in (c["priority"] for c in self.everything(
            "status=all&sort_by=priority_desc"))]
        self.assertEqual(ranks[0], 4)
        self.assertEqual(ranks[-1], 0)
        for alias, same in (("latest", "last_activity_at_desc"),
                            ("sort_on_created_at", "created_at_asc"),
                            ("sort_on_priority", "priority_desc"),
                            ("sort_on_waiting_since", "waiting_since_asc")):
            got = [c["id"] for c in self.everything("status=all&sort_by=" + alias)]
            self.assertEqual(got, orders[same], alias)

    def test_pages_of_25_cover_everything_once(self):
        convs = self.all_convs()
        ids = [c["id"] for c in convs]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), self.get("/conversations?status=all")["data"]["meta"]
                         ["all_count"])
        p1 = self.get("/conversations?status=all&page=1")["data"]["payload"]
        p2 = self.get("/conversations?status=all&page=2")["data"]["payload"]
        self.assertEqual(len(p1), PER_PAGE)
        self.assertEqual([c["id"] for c in p1 + p2], ids[:len(p1) + len(p2)])
        self.assertFalse({c["id"] for c in p1} & {c["id"] for c in p2})
        far = self.get("/conversations?status=all&page=999999999999")["data"]
        self.assertEqual(far["payload"], [])
        self.assertEqual(far["meta"]["all_count"], len(ids))

    def test_page_that_is_not_a_positive_number_is_page_1(self):
        first = [c["id"] for c in self.get("/conversations?status=all")["data"]["payload"]]
        for page in ("abc", "-3", "0", "", "1.5e3"):
            got = self.get("/conversations?status=all&page=" + page)["data"]["payload"]
            self.assertEqual([c["id"] for c in got], first, page)

    def test_bad_enum_values_are_422(self):
        for query in ("assignee_type=mine", "status=closed", "sort_by=name",
                      "sort_by=priority", "status=OPEN"):
            self.error("GET", "/conversations?" + query, None)
            self.error("GET", "/conversations/meta?" + query, None)

    def test_search_is_slim_and_ignores_status(self):
        body = self.get("/conversations/search?q=zebra-quartz")
        self.assertEqual(set(body), {"meta", "payload"})
        self.assertEqual(body["meta"], {"mine_count": 0, "unassigned_count": 1, "all_count": 1})
        [item] = body["payload"]
        self.assertEqual(set(item), {"id", "created_at", "account_id", "contact", "inbox",
                                     "messages"})
        full = self.conv(self.created[0])
        self.assertEqual(item["id"], self.created[0])
        self.assertEqual(item["account_id"], 1)
        self.assertEqual(item["created_at"], full["created_at"])
        self.assertEqual(item["contact"], {"id": full["meta"]["sender"]["id"],
                                           "name": full["meta"]["sender"]["name"]})
        self.assertEqual(item["inbox"], {"id": INBOX, "name": "Front Desk SMS",
                                         "channel_type": "Channel::TwilioSms"})
        [m] = item["messages"]
        self.assertEqual(set(m), {"id", "content", "sender_name", "message_type", "created_at"})
        self.assertEqual(m["content"], "Your order: " + self.MARK)
        self.assertEqual(m["sender_name"], "Ann Lee")
        self.assertEqual(m["message_type"], 1)

    def test_search_with_blank_q_is_empty(self):
        for q in ("", "?q="):
            body = self.get("/conversations/search" + q)
            self.assertEqual(body, {"meta": {"mine_count": 0, "unassigned_count": 0,
                                             "all_count": 0}, "payload": []})

    def test_search_pages(self):
        want = set(self.created[3:])
        body = self.get("/conversations/search?q=batch%20NOTE&page=1")
        self.assertEqual(len(body["payload"]), PER_PAGE)
        self.assertEqual(body["meta"], {"mine_count": 0, "unassigned_count": self.NBATCH,
                                        "all_count": self.NBATCH})
        page2 = self.get("/conversations/search?q=batch%20NOTE&page=2")["payload"]
        self.assertEqual(len(page2), self.NBATCH - PER_PAGE)
        self.assertEqual({c["id"] for c in body["payload"] + page2}, want)
        self.assertEqual(self.get("/conversations/search?q=batch%20NOTE&page=3")["payload"], [])

    def test_show_is_the_bare_conversation(self):
        c = self.conv(self.created[2])
        for key in ("id", "account_id", "inbox_id", "uuid", "status", "priority", "labels",
                    "muted", "can_reply", "unread_count", "messages", "meta",
                    "custom_attributes", "additional_attributes", "created_at", "timestamp",
                    "last_activity_at", "agent_last_seen_at", "updated_at", "snoozed_until",
                    "waiting_since", "last_non_activity_message"):
            self.assertIn(key, c)
        self.assertEqual((c["id"], c["account_id"], c["inbox_id"], c["status"]),
                         (self.created[2], 1, INBOX, "pending"))
        self.assertEqual(c["meta"]["assignee"]["id"], self.ann["id"])
        self.assertEqual(c["meta"]["team"]["id"], BILLING)
        self.assertEqual(c["meta"]["channel"], "Channel::TwilioSms")
        self.assertIsInstance(c["updated_at"], float)

    def test_unknown_conversation_is_404(self):
        for path in ("/conversations/99999", "/conversations/99999/messages",
                     "/conversations/99999/labels"):
            self.assertEqual(self.get(path, status=404), NOT_FOUND)
        for action in ("toggle_status", "toggle_priority", "update_last_seen", "unread",
                       "toggle_typing_status", "assignments", "labels"):
            self.error("POST", "/conversations/99999/" + action, {}, status=404)

    def test_wrong_or_missing_token_is_401(self):
        path = self.d.acc("/conversations")
        r = self.d.api("GET", path, token="not-a-token")
        self.assertEqual((r.status, r.json), (401, {"error": "Invalid Access Token"}))
        r = twtest.http("GET", self.d.base_url + path)
        self.assertEqual(r.status, 401)
        self.assertIn("error", r.json)

    def test_accounts_stay_apart(self):
        # Dana (account 2) on account 1's paths: 401.
        for path in ("/conversations", "/conversations/1", "/conversations/meta"):
            r = self.d.api("GET", "/api/v1/accounts/1" + path, agent=self.dana)
            self.assertEqual(r.status, 401, path)
        # Account 1's display ids on account 2's paths are account 2's, or 404.
        mine = self.get("/conversations?status=all", agent=self.dana)["data"]
        ids = {c["id"] for c in mine["payload"]}
        self.assertTrue(ids)
        self.assertTrue(all(c["account_id"] == 2 for c in mine["payload"]))
        for cid in self.created[:3]:
            self.assertNotIn(cid, ids)
            self.assertEqual(self.get("/conversations/%d" % cid, agent=self.dana, status=404),
                             NOT_FOUND)
            self.error("POST", "/conversations/%d/toggle_status" % cid, {}, status=404,
                       agent=self.dana)
        one = self.conv(1, agent=self.dana)
        self.assertEqual(one["account_id"], 2)
        self.assertNotEqual(one["meta"]["sender"]["id"], self.conv(1)["meta"]["sender"]["id"])


class VisibilityTest(Base):
    """An agent only sees conversations of inboxes they belong to: Chloe is
    taken out of the demo inbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        twtest.edit_db(cls.d, lambda conn: conn.execute(
            "DELETE FROM inbox_members WHERE agent_id = 3"))

    def test_agent_outside_the_inbox_sees_nothing(self):
        body = self.get("/conversations?status=all", agent=self.chloe)["data"]
        self.assertEqual(body, {"meta": dict.fromkeys(COUNT_KEYS, 0), "payload": []})
        self.assertEqual(self.get("/conversations/meta?status=all", agent=self.chloe)["meta"],
                         dict.fromkeys(COUNT_KEYS, 0))
        self.assertEqual(self.get("/conversations/search?q=a", agent=self.chloe)["payload"], [])

    def test_agent_outside_the_inbox_gets_404_for_each_conversation(self):
        cid = self.everything()[0]["id"]
        self.assertEqual(self.get("/conversations/%d" % cid, agent=self.chloe, status=404),
                         NOT_FOUND)
        self.error("POST", "/conversations/%d/toggle_status" % cid, {}, status=404,
                   agent=self.chloe)
        self.error("POST", "/conversations/%d/labels" % cid, {"labels": []}, status=404,
                   agent=self.chloe)
        self.error("POST", "/conversations", {"inbox_id": INBOX, "contact_id": 1}, status=404,
                   agent=self.chloe)
        self.assertEqual(self.conv(cid)["id"], cid)  # unchanged for the others

    def test_member_agent_sees_what_the_administrator_sees(self):
        ben = [c["id"] for c in self.everything(agent=self.ben)]
        self.assertEqual(ben, [c["id"] for c in self.everything()])

    def test_chloe_cannot_be_assigned_outside_her_inboxes(self):
        cid = self.everything()[0]["id"]
        err = self.error("POST", "/conversations/%d/assignments" % cid,
                         {"assignee_id": self.chloe["id"]})
        self.assertIn("member", err)


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


class ActionTest(Base):
    """Create, update and the actions on one conversation."""

    def test_create_with_a_first_message(self):
        contact = self.contact_with_phone()
        before = self.get("/conversations?status=all")["data"]["meta"]["all_count"]
        c = self.post("/conversations", {"inbox_id": INBOX, "contact_id": contact,
                                         "message": {"content": "Hi! Your crown is ready."}}).json
        self.assertEqual(self.get("/conversations?status=all")["data"]["meta"]["all_count"],
                         before + 1)
        self.assertEqual((c["inbox_id"], c["status"], c["account_id"]), (INBOX, "open", 1))
        self.assertEqual(c["meta"]["sender"]["id"], contact)
        self.assertEqual(c["meta"]["sender"]["type"], "contact")
        self.assertNotIn("assignee", c["meta"])
        self.assertEqual(c, dict(self.conv(c["id"]), updated_at=c["updated_at"],
                                 messages=c["messages"],
                                 last_non_activity_message=c["last_non_activity_message"]))
        [m] = [m for m in self.messages(c["id"]) if m["message_type"] != 2]
        self.assertEqual((m["content"], m["message_type"], m["private"], m["sender_type"]),
                         ("Hi! Your crown is ready.", 1, False, "User"))
        self.assertEqual(m["sender"]["id"], self.ann["id"])
        self.assertEqual(m["sender"]["type"], "user")
        self.assertEqual(m["conversation_id"], c["id"])
        self.assertEqual(c["messages"][0]["id"], m["id"])
        # waiting on nobody: the agent wrote first
        self.assertEqual(c["first_reply_created_at"], m["created_at"])

    def test_create_without_a_message_and_with_everything_else(self):
        contact = self.contact_with_phone()
        c = self.post("/conversations", {
            "inbox_id": INBOX, "contact_id": contact, "status": "pending",
            "assignee_id": self.ben["id"], "team_id": FRONT_DESK,
            "custom_attributes": {"order": "BD-1", "n": 3}, "message": {}}).json
        self.assertEqual(c["status"], "pending")
        self.assertEqual(c["meta"]["assignee"]["id"], self.ben["id"])
        self.assertEqual(c["meta"]["team"]["id"], FRONT_DESK)
        self.assertEqual(c["custom_attributes"], {"order": "BD-1", "n": 3})
        self.assertEqual([m for m in self.messages(c["id"]) if m["message_type"] != 2], [])

    def test_create_by_source_id(self):
        sender = self.everything()[0]["meta"]["sender"]
        c = self.post("/conversations", {"inbox_id": INBOX,
                                         "source_id": sender["phone_number"]}).json
        self.assertEqual(c["meta"]["sender"]["id"], sender["id"])
        self.error("POST", "/conversations", {"inbox_id": INBOX, "source_id": "+15559999999"},
                   status=404)

    def test_create_refusals(self):
        contact = self.contact_with_phone()
        before = self.get("/conversations?status=all")["data"]["meta"]["all_count"]
        foreign_contact = self.get("/conversations?status=all", agent=self.dana)["data"][
            "payload"][0]["meta"]["sender"]["id"]
        cases = [
            ({"contact_id": contact}, 422),
            ({"inbox_id": "one", "contact_id": contact}, 422),
            ({"inbox_id": 999, "contact_id": contact}, 404),
            ({"inbox_id": FOREIGN_INBOX, "contact_id": contact}, 404),
            ({"inbox_id": INBOX}, 422),
            ({"inbox_id": INBOX, "contact_id": 999999}, 404),
            ({"inbox_id": INBOX, "contact_id": foreign_contact}, 404),
            ({"inbox_id": INBOX, "contact_id": [contact]}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "status": "closed"}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "status": 1}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "assignee_id": self.dana["id"]}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "assignee_id": "me"}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "team_id": 99}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "custom_attributes": "x"}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "message": "hi"}, 422),
            ({"inbox_id": INBOX, "contact_id": contact, "message": {"content": 5}}, 422),
            ({"inbox_id": INBOX, "contact_id": contact,
              "message": {"content": "x" * 150001}}, 422),
        ]
        for body, status in cases:
            self.error("POST", "/conversations", body, status=status)
        r = self.call("POST", "/conversations", "[1, 2]", status=400)
        self.assertIn("error", r.json)
        r = self.call("POST", "/conversations", "{nope", status=400)
        self.assertIn("error", r.json)
        self.assertEqual(self.get("/conversations?status=all")["data"]["meta"]["all_count"],
                         before)

    def test_invalid_utf8_in_custom_attributes_is_not_stored(self):
        cid = self.create()["id"]
        for key, value in ((b"k", b"\xff\xfe"), (b"\xc0\x80", b"v")):
            body = b'{"custom_attributes": {"%s": "%s"}}' % (key, value)
            # The server refuses any body that is not valid UTF-8, whole.
            self.error("PATCH", "/conversations/%d" % cid, body, status=400)
            body = b'{"inbox_id": 1, "contact_id": %d, "custom_attributes": {"%s": "%s"}}' % (
                self.contact_with_phone(), key, value)
            self.error("POST", "/conversations", body, status=400)
        self.assertEqual(self.conv(cid)["custom_attributes"], {})

    def test_create_for_a_contact_without_a_phone_is_422(self):
        def add(conn):
            conn.execute("INSERT INTO contacts(id, account_id, name, email, created_at) "
                         "VALUES (9001, 1, 'No Phone', 'nophone@example.com', ?)", (time.time(),))
        twtest.edit_db(self.d, add)
        err = self.error("POST", "/conversations", {"inbox_id": INBOX, "contact_id": 9001,
                                                    "message": {"content": "hello"}})
        self.assertEqual(err, "param is missing or the value is empty: contact phone number")

    def test_update_priority_and_custom_attributes(self):
        cid = self.create()["id"]
        r = self.call("PATCH", "/conversations/%d" % cid,
                      {"priority": "high", "custom_attributes": {"vip": True}})
        self.assertEqual(r.json["priority"], "high")
        self.assertEqual(r.json["custom_attributes"], {"vip": True})
        self.assertEqual(self.conv(cid)["priority"], "high")
        r = self.call("PATCH", "/conversations/%d" % cid, {"priority": None})
        self.assertIsNone(r.json["priority"])
        self.assertEqual(r.json["custom_attributes"], {"vip": True})
        for body in ({"priority": "none"}, {"priority": 3}, {"custom_attributes": [1]}):
            self.error("PATCH", "/conversations/%d" % cid, body)
        self.assertIsNone(self.conv(cid)["priority"])

    def status_of(self, cid, body):
        r = self.post("/conversations/%d/toggle_status" % cid, body)
        self.assertEqual(set(r.json), {"meta", "payload"})
        self.assertEqual(r.json["meta"], {})
        return r.json["payload"]

    def test_snooze_until_a_time_given_in_epoch_seconds(self):
        cid = self.create()["id"]
        until = int(time.time()) + 3 * 86400
        p = self.status_of(cid, {"status": "snoozed", "snoozed_until": until})
        self.assertEqual(p, {"success": True, "conversation_id": cid,
                             "current_status": "snoozed", "snoozed_until": iso(until)})
        c = self.conv(cid)
        self.assertEqual((c["status"], c["snoozed_until"]), ("snoozed", iso(until)))
        # A string of digits is what Chatwoot's strptime("%s") reads too.
        p = self.status_of(cid, {"status": "snoozed", "snoozed_until": str(until + 60)})
        self.assertEqual(p["snoozed_until"], iso(until + 60))

    def test_snooze_without_a_time_is_until_the_next_reply(self):
        cid = self.create()["id"]
        p = self.status_of(cid, {"status": "snoozed"})
        self.assertEqual(p, {"success": True, "conversation_id": cid,
                             "current_status": "snoozed", "snoozed_until": None})
        self.assertIsNone(self.conv(cid)["snoozed_until"])

    def test_snooze_time_that_is_not_whole_epoch_seconds_is_422(self):
        cid = self.create()["id"]
        for until in ("2030-01-01T00:00:00Z", 1893456000.5, "1893456000.5", True, -5, 0,
                      {"at": 1}, 99999999999999):
            self.error("POST", "/conversations/%d/toggle_status" % cid,
                       {"status": "snoozed", "snoozed_until": until})
        self.assertEqual(self.conv(cid)["status"], "open")

    def test_status_flip_and_explicit_statuses(self):
        cid = self.create()["id"]
        self.assertEqual(self.status_of(cid, {})["current_status"], "resolved")
        self.assertEqual(self.status_of(cid, {})["current_status"], "open")
        for status in ("pending", "snoozed"):
            self.assertEqual(self.status_of(cid, {"status": status})["current_status"], status)
            self.assertEqual(self.status_of(cid, {"status": None})["current_status"], "open")
        self.assertEqual(self.status_of(cid, {"status": "resolved"})["current_status"],
                         "resolved")
        self.assertEqual(self.conv(cid)["status"], "resolved")
        for bad in ("closed", "OPEN", 1, ["open"]):
            self.error("POST", "/conversations/%d/toggle_status" % cid, {"status": bad})
        activity = [m["content"] for m in self.messages(cid) if m["message_type"] == 2]
        self.assertIn("Conversation was marked resolved by Ann Lee", activity)

    def test_status_change_bumps_updated_at(self):
        cid = self.create()["id"]
        before = self.conv(cid)["updated_at"]
        time.sleep(0.01)  # pacing only: the clock passes `before`
        self.status_of(cid, {"status": "pending"})
        self.assertGreater(self.conv(cid)["updated_at"], before)

    def test_toggle_priority(self):
        cid = self.create()["id"]
        for p in ("low", "medium", "high", "urgent"):
            r = self.post("/conversations/%d/toggle_priority" % cid, {"priority": p})
            self.assertEqual(r.body, "")
            self.assertEqual(self.conv(cid)["priority"], p)
        for clear in (None, ""):
            self.post("/conversations/%d/toggle_priority" % cid, {"priority": "high"})
            r = self.post("/conversations/%d/toggle_priority" % cid, {"priority": clear})
            self.assertEqual(r.body, "")
            self.assertIsNone(self.conv(cid)["priority"])
        self.post("/conversations/%d/toggle_priority" % cid, {"priority": "low"})
        for bad in ({"priority": "none"}, {"priority": "URGENT"}, {"priority": 2},
                    {"priority": ["low"]}, {}):
            self.error("POST", "/conversations/%d/toggle_priority" % cid, bad)
        self.assertEqual(self.conv(cid)["priority"], "low")

    def incoming_conversation(self):
        """A demo conversation whose customer wrote to us, assigned to Ann."""
        for c in self.everything():
            if any(m["message_type"] == 0 for m in self.messages(c["id"])):
                self.post("/conversations/%d/assignments" % c["id"],
                          {"assignee_id": self.ann["id"]})
                return c["id"]
        self.fail("no conversation with an incoming message")

    def test_unread_and_update_last_seen_drive_unread_count(self):
        cid = self.incoming_conversation()
        asked = int(time.time())
        r = self.post("/conversations/%d/update_last_seen" % cid)
        self.assertEqual(r.body, "")
        c = self.conv(cid)
        self.assertEqual(c["unread_count"], 0)
        self.assertGreaterEqual(c["agent_last_seen_at"], asked)  # set by that request
        self.assertEqual(c["assignee_last_seen_at"], c["agent_last_seen_at"])
        r = self.post("/conversations/%d/unread" % cid)
        self.assertEqual(r.body, "")
        c = self.conv(cid)
        self.assertGreaterEqual(c["unread_count"], 1)
        newest = max(m["created_at"] for m in self.messages(cid) if m["message_type"] == 0)
        self.assertLess(c["agent_last_seen_at"], newest + 1)
        self.assertIsNotNone(self.get("/conversations/%d/messages" % cid)["meta"]
                             ["agent_last_seen_at"])
        self.post("/conversations/%d/update_last_seen" % cid)
        self.assertEqual(self.conv(cid)["unread_count"], 0)

    def test_update_last_seen_by_someone_else_leaves_the_assignees_time(self):
        cid = self.incoming_conversation()
        self.post("/conversations/%d/unread" % cid)
        mine = self.conv(cid)["assignee_last_seen_at"]
        self.post("/conversations/%d/update_last_seen" % cid, agent=self.ben)
        c = self.conv(cid)
        self.assertEqual(c["assignee_last_seen_at"], mine)
        self.assertEqual(c["unread_count"], 0)

    def test_typing(self):
        cid = self.create()["id"]
        for body in ({"typing_status": "on"}, {"typing_status": "off", "is_private": True},
                     {"typing_status": "on", "is_private": False}):
            r = self.post("/conversations/%d/toggle_typing_status" % cid, body)
            self.assertEqual(r.body, "")
        for bad in ({}, {"typing_status": "typing"}, {"typing_status": True},
                    {"typing_status": "on", "is_private": "yes"}):
            self.error("POST", "/conversations/%d/toggle_typing_status" % cid, bad)

    def test_assign_agent_and_unassign(self):
        cid = self.create()["id"]
        r = self.post("/conversations/%d/assignments" % cid, {"assignee_id": self.ben["id"]})
        self.assertEqual(r.json, {"id": self.ben["id"], "account_id": 1, "name": "Ben Ortiz",
                                  "available_name": "Ben Ortiz", "email": "ben@bayside.example",
                                  "role": "agent", "confirmed": True, "auto_offline": True,
                                  "availability_status": "online", "thumbnail": ""})
        self.assertEqual(self.conv(cid)["meta"]["assignee"]["id"], self.ben["id"])
        self.assertIn(cid, [c["id"] for c in self.everything("assignee_type=me",
                                                             agent=self.ben)])
        for clear in (None, 0, ""):
            self.post("/conversations/%d/assignments" % cid, {"assignee_id": self.ben["id"]})
            r = self.post("/conversations/%d/assignments" % cid, {"assignee_id": clear})
            self.assertEqual(r.body, "null")
            self.assertIsNone(r.json)
            self.assertNotIn("assignee", self.conv(cid)["meta"])
        activity = [m["content"] for m in self.messages(cid) if m["message_type"] == 2]
        self.assertIn("Assigned to Ben Ortiz by Ann Lee", activity)

    def test_assign_team_and_remove_it(self):
        cid = self.create()["id"]
        r = self.post("/conversations/%d/assignments" % cid, {"team_id": BILLING})
        self.assertEqual(r.json, {"id": BILLING, "name": "Billing",
                                  "description": "Invoices, insurance and payment plans",
                                  "allow_auto_assign": True, "account_id": 1,
                                  "is_member": False})
        self.assertEqual(self.conv(cid)["meta"]["team"]["id"], BILLING)
        r = self.post("/conversations/%d/assignments" % cid, {"team_id": None})
        self.assertEqual(r.body, "null")
        self.assertNotIn("team", self.conv(cid)["meta"])

    def test_assignee_id_wins_over_team_id(self):
        cid = self.create()["id"]
        r = self.post("/conversations/%d/assignments" % cid,
                      {"assignee_id": self.chloe["id"], "team_id": FRONT_DESK})
        self.assertEqual(r.json["id"], self.chloe["id"])
        meta = self.conv(cid)["meta"]
        self.assertEqual(meta["assignee"]["id"], self.chloe["id"])
        self.assertNotIn("team", meta)

    def test_assignment_refusals(self):
        cid = self.create()["id"]
        for body in ({}, {"assignee_id": self.dana["id"]}, {"assignee_id": 999},
                     {"assignee_id": "ben"}, {"assignee_id": 1.5}, {"team_id": 99},
                     {"team_id": True}):
            self.error("POST", "/conversations/%d/assignments" % cid, body)
        meta = self.conv(cid)["meta"]
        self.assertNotIn("assignee", meta)
        self.assertNotIn("team", meta)

    def test_labels_replace_the_whole_set(self):
        cid = self.create()["id"]
        self.assertEqual(self.get("/conversations/%d/labels" % cid), {"payload": []})
        r = self.post("/conversations/%d/labels" % cid, {"labels": ["VIP", " billing "]})
        self.assertEqual(r.json, {"payload": ["billing", "vip"]})
        self.assertEqual(self.get("/conversations/%d/labels" % cid),
                         {"payload": ["billing", "vip"]})
        self.assertEqual(self.conv(cid)["labels"], ["billing", "vip"])
        # add = current ∪ new, remove = current ∖ x
        r = self.post("/conversations/%d/labels" % cid,
                      {"labels": ["billing", "vip", "follow-up"]})
        self.assertEqual(r.json["payload"], ["billing", "follow-up", "vip"])
        r = self.post("/conversations/%d/labels" % cid, {"labels": ["follow-up", "vip"]})
        self.assertEqual(r.json["payload"], ["follow-up", "vip"])
        self.assertIn(cid, [c["id"] for c in self.everything("labels[]=follow-up")])
        self.assertNotIn(cid, [c["id"] for c in self.everything("labels[]=billing")])
        activity = [m["content"] for m in self.messages(cid) if m["message_type"] == 2]
        self.assertIn("Ann Lee removed billing", activity)
        r = self.post("/conversations/%d/labels" % cid, {"labels": []})
        self.assertEqual(r.json, {"payload": []})

    def test_labels_outside_the_account_list_are_kept(self):
        cid = self.create()["id"]
        r = self.post("/conversations/%d/labels" % cid,
                      {"labels": ["Brand-New-Tag", "naïve café", "x" * 255, "vip", "vip"]})
        self.assertEqual(r.json["payload"], sorted(["brand-new-tag", "naïve café", "x" * 255,
                                                    "vip"]))
        got = self.everything("labels[]=brand-new-tag")
        self.assertEqual([c["id"] for c in got], [cid])

    def test_labels_fold_unicode_case_when_stored_and_filtered(self):
        cid = self.create()["id"]
        # "ÉLITE", "Élite" with a combining accent, and "élite" are one label.
        r = self.post("/conversations/%d/labels" % cid,
                      {"labels": ["ÉLITE", "E\u0301lite", " élite ", "ΣΟΦΙΑ", "Straße"]})
        self.assertEqual(r.json["payload"], sorted(["élite", "σοφια", "strasse"]))
        for typed in ("élite", "ÉLITE", "Élite", "E\u0301LITE", " ÉLITE ", "Σοφια", "STRASSE"):
            query = "status=all&labels[]=" + urllib.parse.quote(typed)
            got = self.everything(query)
            self.assertEqual([c["id"] for c in got], [cid], typed)
            meta = self.get("/conversations/meta?" + query)["meta"]
            self.assertEqual(meta["all_count"], 1, typed)
        self.assertEqual(self.everything("status=all&labels[]=elite"), [])

    def test_bad_label_sets_are_422_and_change_nothing(self):
        cid = self.create()["id"]
        self.post("/conversations/%d/labels" % cid, {"labels": ["vip"]})
        for body in ({}, {"labels": "vip"}, {"labels": None}, {"labels": [1]},
                     {"labels": [""]}, {"labels": ["   "]}, {"labels": ["x" * 256]},
                     {"labels": ["bad\u0007bell"]}, {"labels": ["tab\there"]},
                     {"labels": ["c1\u0085x"]}, {"labels": [["vip"]]},
                     {"labels": ["a"] * 101}):
            self.error("POST", "/conversations/%d/labels" % cid, body)
        self.assertEqual(self.get("/conversations/%d/labels" % cid), {"payload": ["vip"]})

    def test_action_bodies_that_are_not_json_objects_are_400(self):
        cid = self.create()["id"]
        for action in ("toggle_status", "toggle_priority", "assignments", "labels",
                       "toggle_typing_status"):
            for raw in ("[]", "{", "\"open\""):
                r = self.call("POST", "/conversations/%d/%s" % (cid, action), raw, status=400)
                self.assertIn("error", r.json)


class FilterTest(Base):
    """POST …/conversations/filter (doc/api.md §3.5): Chatwoot's conditions
    over status, assignee, inbox, team, priority and labels, joined by
    their query_operator; answers as the list does, unwrapped."""

    def listed(self, query, agent=None):
        """Every conversation of a list query, all pages: (ids, meta)."""
        ids, page = [], 1
        while True:
            j = self.get("/conversations?%s&page=%d" % (query, page), agent=agent)["data"]
            ids += [c["id"] for c in j["payload"]]
            if len(j["payload"]) < 25:
                return ids, j["meta"]
            page += 1

    def filtered(self, payload, agent=None):
        ids, page = [], 1
        while True:
            j = self.post("/conversations/filter?page=%d" % page, {"payload": payload},
                          agent=agent).json
            self.assertNotIn("data", j)
            ids += [c["id"] for c in j["payload"]]
            if len(j["payload"]) < 25:
                return ids, j["meta"]
            page += 1

    @staticmethod
    def cond(key, op, values=None, qop="AND"):
        c = {"attribute_key": key, "filter_operator": op, "query_operator": qop}
        if values is not None:
            c["values"] = values
        return c

    def test_each_condition_finds_what_the_list_finds(self):
        ben = self.ben["id"]
        cases = [
            ("status=open&assignee_type=all", [self.cond("status", "equal_to", ["open"])]),
            ("status=all&assignee_type=all", [self.cond("status", "equal_to", ["all"])]),
            ("status=open&assignee_type=unassigned",
             [self.cond("status", "equal_to", ["open"]), self.cond("assignee_id", "is_not_present")]),
            ("status=open&assignee_type=assigned",
             [self.cond("status", "equal_to", ["open"]), self.cond("assignee_id", "is_present")]),
            ("status=all&assignee_type=all&inbox_id=%d" % INBOX,
             [self.cond("inbox_id", "equal_to", [INBOX])]),
            ("status=all&assignee_type=all&labels[]=billing",
             [self.cond("labels", "equal_to", ["Billing"])]),
        ]
        for query, payload in cases:
            with self.subTest(query):
                want, want_meta = self.listed(query)
                got, meta = self.filtered(payload)
                self.assertEqual(got, want, "the same conversations in the same order")
                self.assertEqual(meta["all_count"], len(want))
        # Ben's open ones, by id, as assignee_type=me finds them for him.
        want, _ = self.listed("status=open&assignee_type=me", agent=self.ben)
        got, meta = self.filtered([self.cond("status", "equal_to", ["open"]),
                                   self.cond("assignee_id", "equal_to", [str(ben)])])
        self.assertEqual(got, want)
        self.assertEqual(meta["mine_count"], 0)  # asked by Ann: none are hers

    def test_not_equal_and_or_are_chatwoots_sql(self):
        every, _ = self.listed("status=all&assignee_type=all")
        open_, _ = self.listed("status=open&assignee_type=all")
        resolved, _ = self.listed("status=resolved&assignee_type=all")
        got, _ = self.filtered([self.cond("status", "equal_to", ["open"], "OR"),
                                self.cond("status", "equal_to", ["resolved"])])
        self.assertEqual(set(got), set(open_) | set(resolved))
        got, _ = self.filtered([self.cond("status", "not_equal_to", ["open"])])
        self.assertEqual(set(got), set(every) - set(open_))
        # NOT IN leaves out conversations with no value at all (as SQL).
        unassigned, _ = self.listed("status=all&assignee_type=unassigned")
        got, _ = self.filtered([self.cond("assignee_id", "not_equal_to", [self.ben["id"]])])
        self.assertFalse(set(got) & set(unassigned))
        # AND binds before OR: open AND unassigned OR resolved.
        open_un, _ = self.listed("status=open&assignee_type=unassigned")
        got, _ = self.filtered([self.cond("status", "equal_to", ["open"]),
                                self.cond("assignee_id", "is_not_present", qop="OR"),
                                self.cond("status", "equal_to", ["resolved"])])
        self.assertEqual(set(got), set(open_un) | set(resolved))

    def test_an_agent_sees_only_its_inboxes_and_pages_follow(self):
        got, meta = self.filtered([self.cond("status", "equal_to", ["all"])], agent=self.dana)
        want, _ = self.listed("status=all&assignee_type=all", agent=self.dana)
        self.assertEqual(got, want)
        j = self.post("/conversations/filter", {"payload": [self.cond("status", "equal_to",
                                                                      ["all"])], "page": 2}).json
        every, _ = self.listed("status=all&assignee_type=all")
        self.assertEqual([c["id"] for c in j["payload"]], every[25:50])

    def test_what_chatwoot_refuses_is_422_with_why(self):
        bad = {
            "unknown key": [self.cond("browser_language", "equal_to", ["en"])],
            "operator the key lacks": [self.cond("status", "is_present")],
            "a status that is none": [self.cond("status", "equal_to", ["closed"])],
            "no values": [self.cond("status", "equal_to", [])],
            "an id that is none": [self.cond("assignee_id", "equal_to", ["x"])],
            "query operator": [self.cond("status", "equal_to", ["open"], "XOR"),
                               self.cond("status", "equal_to", ["open"])],
        }
        for what, payload in bad.items():
            with self.subTest(what):
                r = self.post("/conversations/filter", {"payload": payload}, status=422)
                self.assertIn("error", r.json)
        for body in ({}, {"payload": []}, {"payload": "status"}):
            r = self.post("/conversations/filter", body, status=422)
            self.assertIn("error", r.json)


class UpdatedWithinTest(Base):
    """updated_within=SECONDS (a client catching up): every match changed
    in that window, unpaginated; nothing when nothing changed."""

    def test_only_what_changed_lately_and_all_of_it(self):
        d = self.d
        phones = ["+1555016%04d" % i for i in range(30)]
        for p in phones:
            self.assertEqual(d.sms_in(p, "hello from %s" % p).status, 200)
        r = d.api("GET", d.acc("/conversations?status=all&assignee_type=all&updated_within=60"))
        self.assertEqual(r.status, 200, r)
        got = {c["meta"]["sender"]["phone_number"] for c in r.json["data"]["payload"]}
        self.assertTrue(set(phones) <= got, "all 30, not a page of 25")
        time.sleep(2.2)  # pacing only: the clock passes the 1 s window (longer changes nothing)
        r = d.api("GET", d.acc("/conversations?status=all&assignee_type=all&updated_within=1"))
        self.assertEqual(r.json["data"]["payload"], [])
        self.assertLess(len(r.body), 300)
        for bad in ("0", "-5", "x"):
            r = d.api("GET", d.acc("/conversations?updated_within=" + bad))
            self.assertEqual(r.status, 422, bad)

    def test_more_than_a_thousand_changes_come_in_pages_that_miss_none(self):
        d = self.d
        n = 2500
        now = time.time()

        def add(conn):
            # n conversations of the first contact, all changed now, with
            # activity one second apart (the list's order).
            conn.execute(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) "
                "INSERT INTO conversations(account_id, display_id, uuid, inbox_id, contact_id, "
                "contact_inbox_id, status, created_at, updated_at, last_activity_at) "
                "SELECT c.account_id, 500000 + k.i, 'bulk-' || k.i, c.inbox_id, c.contact_id, "
                "c.contact_inbox_id, 'open', ?, ?, ? - k.i FROM k, "
                "(SELECT * FROM conversations WHERE account_id = 1 ORDER BY id LIMIT 1) c",
                (n, now, now, now))
        twtest.edit_db(d, add)
        pages = []
        for page in range(1, 6):
            r = d.api("GET", d.acc("/conversations?status=all&assignee_type=all"
                                   "&updated_within=600&page=%d" % page))
            self.assertEqual(r.status, 200, r)
            ids = [c["id"] for c in r.json["data"]["payload"]]
            pages.append(ids)
            if len(ids) < 1000:
                break
        self.assertEqual([len(p) >= 1000 for p in pages], [True, True, False])
        got = [i for p in pages for i in p]
        self.assertEqual(len(got), len(set(got)), "no conversation twice")
        self.assertTrue(set(range(500001, 500001 + n)) <= set(got), "every change, none missed")
        # In the list's order: newest activity first, page after page.
        bulk = [i for i in got if i > 500000]
        self.assertEqual(bulk, sorted(bulk))


if __name__ == "__main__":
    unittest.main()
