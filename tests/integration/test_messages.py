"""Message endpoints (doc/api.md §4) over HTTP against a real twowayd:
the history window (newest 20, before, after, between) always oldest
first with its meta, agent replies and private notes with echo_id, the
refusals (opted-out contact, flood guard, bad bodies), and delete.

Outgoing SMS go to a fake Twilio on 127.0.0.1. Conversations are made for
each test through POST conversations or an inbound text (d.sms_in), so
nothing depends on the demo script's messages."""
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

NOT_FOUND = {"error": "Resource could not be found"}
INBOX = 1
DELETED = "This message was deleted"
MESSAGE_KEYS = {"id", "content", "account_id", "inbox_id", "conversation_id", "message_type",
                "created_at", "updated_at", "private", "status", "source_id", "content_type",
                "content_attributes", "sender_type", "sender_id", "external_source_ids",
                "additional_attributes", "processed_message_content", "sentiment"}


_phones = iter(range(1, 10000))


def inbound(d, text, phone=None):
    """A conversation started by a customer's text from a new number:
    (display id, contact id, phone)."""
    phone = phone or "+1555019%04d" % next(_phones)
    r = d.sms_in(phone, text)
    assert r.status == 200, r
    r = d.api("GET", d.acc("/conversations?status=all&q=" + urllib.parse.quote(text)))
    assert r.status == 200, r
    [c] = [c for c in r.json["data"]["payload"] if c["meta"]["sender"]["phone_number"] == phone]
    return c["id"], c["meta"]["sender"]["id"], phone


def send(d, agent, cid, body):
    r = d.api("POST", d.acc("/conversations/%d/messages" % cid, agent), body, agent=agent)
    assert r.status == 200, r
    return r.json


class Base(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)
        cls.dana = cls.d.agent(0, account_id=2)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()

    def call(self, method, path, body=None, agent=None, status=200, headers=None):
        agent = agent or self.ann
        r = self.d.api(method, self.d.acc(path, agent), body, agent=agent, headers=headers)
        self.assertEqual(r.status, status, "%s %s -> %r" % (method, path, r))
        return r

    def get(self, path, agent=None, status=200):
        return self.call("GET", path, agent=agent, status=status).json

    def error(self, method, path, body, status=422, agent=None, headers=None):
        r = self.call(method, path, body, agent=agent, status=status, headers=headers)
        self.assertEqual(set(r.json), {"error"})
        self.assertTrue(r.json["error"])
        return r.json["error"]

    def inbound(self, text="Hi, is my crown ready?"):
        """(display id, contact id) of a new customer's conversation."""
        return inbound(self.d, text)[:2]

    def send(self, cid, body, agent=None):
        return self.call("POST", "/conversations/%d/messages" % cid, body, agent=agent).json

    def listing(self, cid, query=""):
        return self.get("/conversations/%d/messages%s" % (cid, query))


class ListTest(Base):
    """One conversation with 60 messages (an inbound text, then replies,
    notes and a status change), paged every way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cid, cls.contact, _ = inbound(cls.d, "First text of the long thread")
        for i in range(58):
            send(cls.d, cls.ann, cls.cid, {"content": "Reply number %d" % i,
                                           "private": i % 5 == 0})
        r = cls.d.api("POST", cls.d.acc("/conversations/%d/toggle_status" % cls.cid),
                      {"status": "pending"}, agent=cls.ann)
        assert r.status == 200, r
        r = cls.d.api("GET", cls.d.acc("/conversations/%d/messages?after=0" % cls.cid))
        cls.ids = [m["id"] for m in r.json["payload"]]

    def every_message(self):
        """Older pages until fewer than 20 come back, as a client pages."""
        page = self.listing(self.cid)["payload"]
        out = list(page)
        while len(page) == 20:
            page = self.listing(self.cid, "?before=%d" % page[0]["id"])["payload"]
            out = page + out
        return out

    def test_older_pages_give_every_message_once_in_order(self):
        self.assertEqual(len(self.ids), 60)
        self.assertEqual(self.ids, sorted(self.ids))
        self.assertEqual([m["id"] for m in self.every_message()], self.ids)
        first = self.listing(self.cid, "?after=0")["payload"]
        self.assertEqual(first[0]["content"], "First text of the long thread")
        self.assertEqual(first[0]["message_type"], 0)

    def test_newest_20_oldest_first(self):
        page = self.listing(self.cid)["payload"]
        self.assertEqual([m["id"] for m in page], self.ids[-20:])
        self.assertEqual(page[-1]["message_type"], 2)  # the status change
        times = [m["created_at"] for m in page]
        self.assertEqual(times, sorted(times))

    def test_before_gives_the_20_older(self):
        page = self.listing(self.cid, "?before=%d" % self.ids[-20])["payload"]
        self.assertEqual([m["id"] for m in page], self.ids[-40:-20])
        page = self.listing(self.cid, "?before=%d" % self.ids[5])["payload"]
        self.assertEqual([m["id"] for m in page], self.ids[:5])

    def test_after_gives_up_to_100_newer_exclusive(self):
        page = self.listing(self.cid, "?after=%d" % self.ids[10])["payload"]
        self.assertEqual([m["id"] for m in page], self.ids[11:])
        self.assertEqual(self.listing(self.cid, "?after=%d" % self.ids[-1])["payload"], [])

    def test_after_and_before_is_a_window_including_after(self):
        page = self.listing(self.cid, "?after=%d&before=%d" % (self.ids[10], self.ids[40]))
        self.assertEqual([m["id"] for m in page["payload"]], self.ids[10:40])
        page = self.listing(self.cid, "?after=%d&before=%d" % (self.ids[0], self.ids[-1] + 1))
        self.assertEqual([m["id"] for m in page["payload"]], self.ids)

    def test_private_notes_and_activity_are_included(self):
        msgs = self.listing(self.cid, "?after=0")["payload"]
        notes = [m for m in msgs if m["private"]]
        self.assertEqual(len(notes), 12)
        self.assertTrue(all(m["message_type"] == 1 for m in notes))
        activity = [m for m in msgs if m["message_type"] == 2]
        self.assertEqual([m["content"] for m in activity],
                         ["Conversation was marked pending by Ann Lee"])
        self.assertNotIn("sender", activity[0])

    def test_filter_internal_messages_leaves_out_notes_and_activity(self):
        page = self.listing(self.cid, "?after=0&filter_internal_messages=true")["payload"]
        self.assertEqual(len(page), 60 - 12 - 1)
        self.assertFalse([m for m in page if m["private"] or m["message_type"] == 2])

    def test_bad_ids_are_422(self):
        for query in ("?before=abc", "?after=-1", "?after=1&before=x", "?before=1e3"):
            self.error("GET", "/conversations/%d/messages%s" % (self.cid, query), None)

    def test_meta(self):
        meta = self.listing(self.cid)["meta"]
        self.assertEqual(set(meta), {"labels", "additional_attributes", "contact",
                                     "agent_last_seen_at", "assignee_last_seen_at"})
        self.assertEqual(meta["labels"], [])
        self.assertEqual(meta["additional_attributes"], {})
        self.assertEqual(meta["contact"]["id"], self.contact)
        self.assertEqual(meta["contact"]["contact_inboxes"][0]["inbox"]["id"], INBOX)
        self.assertIsNone(meta["agent_last_seen_at"])
        self.assertIsNone(meta["assignee_last_seen_at"])

    def test_meta_follows_labels_assignee_and_read_state(self):
        cid, contact = self.inbound("Meta check please")
        self.call("POST", "/conversations/%d/labels" % cid, {"labels": ["vip", "billing"]})
        self.call("POST", "/conversations/%d/assignments" % cid, {"assignee_id": self.ann["id"]})
        self.call("POST", "/conversations/%d/update_last_seen" % cid)
        meta = self.listing(cid)["meta"]
        self.assertEqual(meta["labels"], ["billing", "vip"])
        self.assertEqual(meta["assignee"]["id"], self.ann["id"])
        self.assertEqual(meta["assignee"]["email"], "ann@bayside.example")
        self.assertRegex(meta["agent_last_seen_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(meta["assignee_last_seen_at"], meta["agent_last_seen_at"])
        self.call("POST", "/conversations/%d/assignments" % cid, {"assignee_id": None})
        self.assertNotIn("assignee", self.listing(cid)["meta"])

    def test_unknown_foreign_or_hidden_conversation(self):
        self.assertEqual(self.get("/conversations/99999/messages", status=404), NOT_FOUND)
        r = self.d.api("GET", "/api/v1/accounts/1/conversations/%d/messages" % self.cid,
                       agent=self.dana)
        self.assertEqual(r.status, 401)
        self.assertEqual(self.get("/conversations/%d/messages" % self.cid, agent=self.dana,
                                  status=404), NOT_FOUND)
        r = self.d.api("GET", self.d.acc("/conversations/%d/messages" % self.cid),
                       token="wrong-token")
        self.assertEqual((r.status, r.json), (401, {"error": "Invalid Access Token"}))


class CreateTest(Base):
    def test_reply_is_an_outgoing_message_from_the_agent(self):
        cid, _ = self.inbound()
        m = self.send(cid, {"content": "Yes, it is ready! 🦷", "echo_id": "tmp-42"})
        self.assertTrue(MESSAGE_KEYS <= set(m))
        self.assertEqual((m["content"], m["message_type"], m["private"], m["content_type"],
                          m["sender_type"], m["sender_id"], m["conversation_id"], m["inbox_id"],
                          m["account_id"], m["echo_id"], m["content_attributes"]),
                         ("Yes, it is ready! 🦷", 1, False, "text", "User", self.ann["id"], cid,
                          INBOX, 1, "tmp-42", {}))
        self.assertEqual(m["sender"], {"id": self.ann["id"], "name": "Ann Lee",
                                       "available_name": "Ann Lee", "avatar_url": "",
                                       "type": "user", "availability_status": "online",
                                       "thumbnail": ""})
        listed = self.listing(cid)["payload"]
        self.assertEqual(listed[-1]["id"], m["id"])
        self.assertEqual(listed[-1]["echo_id"], "tmp-42")
        conv = self.get("/conversations/%d" % cid)
        self.assertEqual(conv["messages"][0]["id"], m["id"])
        self.assertEqual(conv["waiting_since"], 0)  # answered

    def test_reply_goes_out_as_sms(self):
        cid, _ = self.inbound()
        m = self.send(cid, {"content": "Carrier-bound-7731"})
        twtest.wait_for(lambda: [r for r in self.fake.requests
                                 if b"Carrier-bound-7731" in r["body"]],
                        what="the reply at the fake Twilio")
        self.assertEqual(m["status"], "sent")

    def test_echo_id_and_sender_follow_the_agent(self):
        cid, _ = self.inbound()
        m = self.send(cid, {"content": "from Ben", "echo_id": "e" * 255}, agent=self.ben)
        self.assertEqual((m["sender_id"], m["sender"]["name"], m["echo_id"]),
                         (self.ben["id"], "Ben Ortiz", "e" * 255))
        m = self.send(cid, {"content": "no echo"})
        self.assertNotIn("echo_id", m)

    def test_private_note(self):
        cid, _ = self.inbound()
        before = len(self.fake.requests)
        m = self.send(cid, {"content": "Call her back after 4", "private": True})
        self.assertEqual((m["private"], m["message_type"]), (True, 1))
        self.assertTrue(self.listing(cid)["payload"][-1]["private"])
        # never delivered: nothing reaches the carrier, and the customer
        # still waits for an answer
        self.assertEqual(len(self.fake.requests), before)
        self.assertNotEqual(self.get("/conversations/%d" % cid)["waiting_since"], 0)

    def test_explicit_defaults_and_reply_quote(self):
        cid, _ = self.inbound()
        first = self.listing(cid)["payload"][0]
        m = self.send(cid, {"content": "quoted", "private": False, "message_type": "outgoing",
                            "content_type": "text",
                            "content_attributes": {"in_reply_to": first["id"],
                                                   "deleted": True, "external_error": "x"}})
        self.assertEqual(m["content_attributes"], {"in_reply_to": first["id"]})
        self.assertEqual(m["content_type"], "text")
        m = self.send(cid, {"content": "nulls are defaults", "private": None, "echo_id": None,
                            "content_attributes": None, "message_type": None})
        self.assertEqual((m["private"], m["content_attributes"]), (False, {}))

    def test_text_is_stored_verbatim(self):
        cid, _ = self.inbound()
        for text in ("'; DROP TABLE messages; --", "100% _off_ \\ \" ' `x`", "{{contact.name}}",
                     "line1\nline2\ttab", "你好 🇮🇹 👨‍👩‍👧", "x" * 150000):
            # the longest as a note: no carrier takes 150,000 characters
            m = self.send(cid, {"content": text, "private": len(text) > 1600})
            self.assertEqual(m["content"], text)
            self.assertEqual(self.listing(cid)["payload"][-1]["content"], text)
        self.assertEqual(len(self.listing(cid, "?after=0")["payload"]), 7)

    def test_bad_bodies(self):
        cid, _ = self.inbound()
        count = len(self.listing(cid)["payload"])
        path = "/conversations/%d/messages" % cid
        for raw in ("{not json", "[\"content\"]", "\"hi\"", "42", "{\"content\": \"a\"} x"):
            r = self.call("POST", path, raw, status=400,
                          headers={"Content-Type": "application/json"})
            self.assertIn("error", r.json)
        for body in ({}, {"content": None}, {"content": ""}, {"content": 5},
                     {"content": ["a"]}, {"content": "x" * 150001},
                     {"content": "a", "private": "yes"}, {"content": "a", "private": 1},
                     {"content": "a", "message_type": "incoming"},
                     {"content": "a", "message_type": "activity"},
                     {"content": "a", "message_type": 1},
                     {"content": "a", "content_type": "html"},
                     {"content": "a", "content_type": 0},
                     {"content": "a", "content_attributes": "{}"},
                     {"content": "a", "content_attributes": {"in_reply_to": "first"}},
                     {"content": "a", "content_attributes": {"in_reply_to": 99999999}},
                     {"content": "a", "echo_id": 5},
                     {"content": "a", "echo_id": "e" * 256},
                     {"content": "nul\u0000inside"}):
            self.error("POST", path, body)
        err = self.error("POST", path, {"content": "a", "message_type": "incoming"})
        self.assertIn("API inboxes", err)
        self.assertEqual(len(self.listing(cid)["payload"]), count)

    def test_invalid_utf8_body_is_400(self):
        cid, _ = self.inbound()
        r = self.call("POST", "/conversations/%d/messages" % cid,
                      b'{"content": "bad \xff\xfe bytes"}', status=400,
                      headers={"Content-Type": "application/json"})
        self.assertIn("UTF-8", r.json["error"])

    def test_a_form_without_files_is_a_plain_reply(self):
        """multipart/form-data as Chatwoot's dashboard sends it; files are
        test_attachments's."""
        cid, _ = self.inbound()
        body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nhello\r\n"
                b"--XyZ--\r\n")
        r = self.call("POST", "/conversations/%d/messages" % cid, body,
                      headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
        self.assertEqual((r.json["content"], r.json["private"]), ("hello", False))

    def test_flood_guard(self):
        cid, _ = self.inbound()
        already = len(self.listing(cid, "?after=0")["payload"])  # all from this minute
        for i in range(200 - already):
            self.send(cid, {"content": "note %d" % i, "private": True})
        err = self.error("POST", "/conversations/%d/messages" % cid,
                         {"content": "one too many", "private": True})
        self.assertIn("200", err)
        self.assertEqual(self.listing(cid)["payload"][-1]["content"], "note %d" % (199 - already))

    def test_hidden_or_unknown_conversation(self):
        self.error("POST", "/conversations/99999/messages", {"content": "x"}, status=404)
        cid, _ = self.inbound()
        r = self.d.api("POST", "/api/v1/accounts/1/conversations/%d/messages" % cid,
                       {"content": "x"}, agent=self.dana)
        self.assertEqual(r.status, 401)


class OptOutTest(Base):
    """A contact who texted STOP gets no more public messages; notes are
    still fine. The opt-out is made the way customers make it: a STOP text
    through the Twilio webhook."""

    def opted_out(self):
        cid, contact, phone = inbound(self.d, "Please stop the reminders")
        r = self.d.sms_in(phone, "STOP")
        self.assertEqual(r.status, 200, r)
        sender = self.get("/conversations/%d" % cid)["meta"]["sender"]
        self.assertIs(sender["custom_attributes"].get("sms_opt_out"), True)
        return cid, contact, phone

    def test_reply_to_an_opted_out_contact_is_refused_with_the_reason(self):
        cid, _, phone = self.opted_out()
        count = len(self.listing(cid, "?after=0")["payload"])
        err = self.error("POST", "/conversations/%d/messages" % cid, {"content": "Hello?"})
        self.assertIn("STOP", err)
        self.assertIn("opted out", err)
        self.assertIn(phone, err)  # named after the phone: no name was ever given
        self.assertEqual(len(self.listing(cid, "?after=0")["payload"]), count)

    def test_private_note_to_an_opted_out_contact_is_fine(self):
        cid, _, _ = self.opted_out()
        m = self.send(cid, {"content": "Opted out, call instead", "private": True})
        self.assertTrue(m["private"])

    def test_new_conversation_with_a_message_is_refused(self):
        _, contact, _ = self.opted_out()
        total = self.get("/conversations?status=all")["data"]["meta"]["all_count"]
        err = self.error("POST", "/conversations",
                         {"inbox_id": INBOX, "contact_id": contact,
                          "message": {"content": "We miss you!"}})
        self.assertIn("STOP", err)
        self.assertEqual(self.get("/conversations?status=all")["data"]["meta"]["all_count"],
                         total)
        # Without a message there is nothing to refuse.
        c = self.call("POST", "/conversations", {"inbox_id": INBOX, "contact_id": contact}).json
        self.assertEqual(c["meta"]["sender"]["id"], contact)

    def test_start_opts_back_in(self):
        cid, _, phone = self.opted_out()
        self.assertEqual(self.d.sms_in(phone, "START").status, 200)
        m = self.send(cid, {"content": "Welcome back"})
        self.assertEqual(m["content"], "Welcome back")


class DeleteTest(Base):
    def test_delete_keeps_the_row_and_marks_it(self):
        cid, _ = self.inbound()
        m = self.send(cid, {"content": "Oops, wrong patient", "private": True})
        r = self.call("DELETE", "/conversations/%d/messages/%d" % (cid, m["id"]))
        d = r.json
        self.assertEqual((d["id"], d["content"], d["content_attributes"]),
                         (m["id"], DELETED, {"deleted": True}))
        listed = [x for x in self.listing(cid)["payload"] if x["id"] == m["id"]]
        self.assertEqual(listed[0]["content"], DELETED)
        self.assertTrue(listed[0]["content_attributes"]["deleted"])
        # again: still deleted, still there
        again = self.call("DELETE", "/conversations/%d/messages/%d" % (cid, m["id"])).json
        self.assertEqual(again["content"], DELETED)

    def test_delete_keeps_other_attributes(self):
        cid, _ = self.inbound()
        first = self.listing(cid)["payload"][0]
        m = self.send(cid, {"content": "quote", "private": True,
                            "content_attributes": {"in_reply_to": first["id"]}})
        d = self.call("DELETE", "/conversations/%d/messages/%d" % (cid, m["id"])).json
        self.assertEqual(d["content_attributes"], {"in_reply_to": first["id"], "deleted": True})

    def test_delete_only_within_the_conversation(self):
        cid, _ = self.inbound()
        other, _ = self.inbound()
        m = self.send(other, {"content": "belongs to the other one", "private": True})
        self.assertEqual(self.call("DELETE", "/conversations/%d/messages/%d" % (cid, m["id"]),
                                   status=404).json, NOT_FOUND)
        self.assertEqual(self.call("DELETE", "/conversations/%d/messages/99999999" % cid,
                                   status=404).json, NOT_FOUND)
        self.assertEqual(self.listing(other)["payload"][-1]["content"],
                         "belongs to the other one")
        r = self.d.api("DELETE", "/api/v1/accounts/2/conversations/%d/messages/%d"
                       % (other, m["id"]), agent=self.dana)
        self.assertEqual(r.status, 404)


if __name__ == "__main__":
    unittest.main()
