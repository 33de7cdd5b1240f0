"""Contacts (show, search, a contact's conversations) and canned responses
(list, search, create, update, delete): doc/api.md §5, §9, §12, over HTTP
against a real twowayd."""
import os
import re
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

NOT_FOUND = {"error": "Resource could not be found"}
FOREIGN = {"error": "You are not authorized to access this account"}
BLANK_Q = {"error": "Specify search string with parameter q"}
MISSING = {"error": "param is missing or the value is empty: canned_response"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# The canned responses the canned tests put in place of the demo's (they
# are the demo's today), so that search ranks can be worked out by hand.
CANNED = [
    (101, "hello", "Hi {{contact.first_name}}, this is {{agent.first_name}} at Bayside Dental. "
                   "How can I help?"),
    (102, "resched", "Hi {{contact.first_name}}, no problem. We have openings Tue 10:00, "
                     "Wed 14:30 or Fri 09:15. Which works best?"),
    (103, "confirm", "You're all set, {{contact.first_name}}. See you then! Reply C to cancel."),
    (104, "hours", "We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00."),
    (105, "insurance", "Could you text us a photo of the front and back of your insurance card?"),
    (106, "thanks", "Thanks {{contact.first_name}}! Anything else I can help with?"),
    (107, "late", "Hi {{contact.first_name}}, we're running about 15 minutes behind today. "
                  "Sorry for the wait!"),
    (108, "order", "Hi {{contact.first_name}}, your order for conversation #{{conversation.id}} "
                   "is on its way."),
]
CODES = [c[1] for c in CANNED]
READY = 201  # account 2's one canned response


def own_canned(conn):
    conn.execute("DELETE FROM canned_responses")
    for cid, code, text in CANNED:
        conn.execute("INSERT INTO canned_responses(id, account_id, short_code, content, "
                     "created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?)",
                     (cid, code, text, BASE, BASE))
    conn.execute("INSERT INTO canned_responses(id, account_id, short_code, content, created_at, "
                 "updated_at) VALUES (?, 2, 'ready', 'Your bike is ready for pickup.', ?, ?)",
                 (READY, BASE, BASE))


def invalid(message, *attributes):
    return {"message": message, "attributes": list(attributes)}


# --- contacts the API cannot create, added straight into the database ------
#
# The demo data grows over time, so the tests search for what they add
# (names, emails and identifiers nothing in the demo has) and take ids from
# the database instead of counting on them.

PAGERS = 20
BASE = 1700000000.0


class Fixture:
    first_pager = None   # id of "Pager" contact 1; the others follow
    back_office = None   # an inbox of account 1 whose only member is Chloe
    maria = None         # the demo's first contact, +15550101001
    maria_display = None  # her demo conversation
    tom = None           # account 2's first contact
    extra = None         # ids of the phone-search contacts (see add_rows)
    busy = None          # a pager contact with 22 conversations
    busy_convs = None    # [(last_activity_at, display_id)] of those


def pager_rows():
    """(id, name, email, phone, identifier, created_at, last_activity_at,
    company) of the added contacts: names, case and times deliberately out
    of id order, some values missing, so every sort shows."""
    rows = []
    for n in range(1, PAGERS + 1):
        k = (n * 7) % PAGERS + 1
        name = "%s %02d" % (("Pager", "pager", "PAGER")[n % 3], k)
        email = None if n % 5 == 0 else "pager%02d@list.example" % n
        phone = "+1555019%04d" % ((n * 13) % 97)
        last = None if n % 4 == 0 else BASE + (n * 11) % 17
        company = ("Acme", "zeta works", "Borealis")[n % 3] if n % 2 else None
        rows.append((Fixture.first_pager + n - 1, name, email, phone, "ext-%02d" % n,
                     BASE - n * 60, last, company))
    return rows


def one(conn, sql, *args):
    return conn.execute(sql, args).fetchone()[0]


def add_rows(conn):
    import json
    F = Fixture
    F.first_pager = one(conn, "SELECT MAX(id) FROM contacts") + 1
    F.maria = one(conn, "SELECT id FROM contacts WHERE phone_number = '+15550101001' "
                        "AND account_id = 1")
    F.maria_display = one(conn, "SELECT MIN(display_id) FROM conversations WHERE contact_id = ?",
                          F.maria)
    F.tom = one(conn, "SELECT MIN(id) FROM contacts WHERE account_id = 2")
    for (cid, name, email, phone, ident, created, last, company) in pager_rows():
        attrs = json.dumps({"company_name": company}) if company else "{}"
        conn.execute("INSERT INTO contacts(id, account_id, name, email, phone_number, identifier, "
                     "additional_attributes, created_at, last_activity_at) "
                     "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                     (cid, name, email, phone, ident, attrs, created, last))
    # Two contacts named after their numbers (as an unknown texter is), one
    # named person, one non-ASCII name; all found by "+1555019900".
    F.extra = []
    for name, phone in (("+15550199001", "+15550199001"), ("Aaron Phone", "+15550199002"),
                        ("+15550199003", "+15550199003"), ("王小明", "+15550199004")):
        conn.execute("INSERT INTO contacts(account_id, name, phone_number, created_at) "
                     "VALUES (1, ?, ?, ?)", (name, phone, BASE))
        F.extra.append(one(conn, "SELECT last_insert_rowid()"))
    F.back_office = one(conn, "SELECT MAX(id) FROM inboxes") + 1
    conn.execute("INSERT INTO inboxes(id, account_id, name, channel_type, medium, provider, "
                 "phone_number, timezone, created_at) VALUES (?, 1, 'Back Office SMS', "
                 "'Channel::TwilioSms', 'sms', 'twilio', '+15550100101', 'UTC', ?)",
                 (F.back_office, BASE))
    conn.execute("INSERT INTO inbox_members(inbox_id, agent_id) VALUES (?, 3)", (F.back_office,))
    display = one(conn, "SELECT MAX(display_id) FROM conversations WHERE account_id = 1") + 1
    now = time.time()
    # Maria also wrote to the back office, most recently of all.
    F.back_office_display = display
    add_conversation(conn, F.maria, F.back_office, display, now + 3600)
    # One pager has 22 conversations: two more than the endpoint returns.
    F.busy = F.first_pager
    F.busy_convs = []
    for i in range(22):
        at = BASE + ((i * 5) % 22) * 100
        add_conversation(conn, F.busy, 1, display + 1 + i, at)
        F.busy_convs.append((at, display + 1 + i))


def add_conversation(conn, contact, inbox, display_id, last_activity):
    conn.execute("INSERT OR IGNORE INTO contact_inboxes(contact_id, inbox_id, source_id) "
                 "SELECT ?, ?, phone_number FROM contacts WHERE id = ?", (contact, inbox, contact))
    conn.execute("INSERT INTO conversations(account_id, display_id, uuid, inbox_id, contact_id, "
                 "status, created_at, updated_at, last_activity_at) "
                 "VALUES (1, ?, ?, ?, ?, 'open', ?, ?, ?)",
                 (display_id, str(uuid.uuid4()), inbox, contact, last_activity - 10,
                  last_activity, last_activity))


class ContactsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=True)
        twtest.edit_db(cls.d, add_rows)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)
        cls.chloe = cls.d.agent(2)
        cls.dana = cls.d.agent(0, account_id=2)
        cls.F = Fixture

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def get(self, path, agent=None, account=None):
        agent = agent or self.ann
        acc = account if account is not None else agent["account_id"]
        return self.d.api("GET", "/api/v1/accounts/%d%s" % (acc, path), agent=agent)

    def ok(self, path, agent=None, account=None):
        r = self.get(path, agent, account)
        self.assertEqual(r.status, 200, r)
        return r.json

    def search(self, query, agent=None):
        return self.ok("/contacts/search?" + query, agent)

    def ids(self, body):
        return [c["id"] for c in body["payload"]]

    # --- show -----------------------------------------------------------

    def test_show_wraps_the_contact_with_its_inboxes(self):
        row = pager_rows()[0]
        c = self.ok("/contacts/%d" % row[0])
        self.assertEqual(list(c), ["payload"])
        inbox = c["payload"].pop("contact_inboxes")
        self.assertEqual(c["payload"], {
            "id": row[0], "name": row[1], "email": row[2], "phone_number": row[3],
            "identifier": row[4], "blocked": False, "availability_status": "offline",
            "thumbnail": "", "additional_attributes": {"company_name": row[7]},
            "custom_attributes": {}, "created_at": int(row[5]), "last_activity_at": int(row[6])})
        self.assertEqual([(ci["source_id"], ci["inbox"]["id"]) for ci in inbox], [(row[3], 1)])
        self.assertEqual(inbox[0]["inbox"], self.ok("/inboxes/1"))

    def test_show_lists_every_inbox_of_the_contact(self):
        c = self.ok("/contacts/%d" % self.F.maria)["payload"]
        self.assertEqual((c["name"], c["phone_number"]), ("Maria Gonzalez", "+15550101001"))
        self.assertEqual([(ci["source_id"], ci["inbox"]["id"]) for ci in c["contact_inboxes"]],
                         [("+15550101001", 1), ("+15550101001", self.F.back_office)])

    def test_show_of_a_contact_without_optional_fields(self):
        c = self.ok("/contacts/%d" % self.F.extra[0])["payload"]
        self.assertEqual((c["name"], c["email"], c["identifier"], c["last_activity_at"],
                          c["contact_inboxes"]),
                         ("+15550199001", None, None, 0, []))

    def test_show_unknown_or_foreign_is_404(self):
        for path, agent in (("/contacts/99999", self.ann), ("/contacts/%d" % self.F.tom, self.ann),
                            ("/contacts/%d" % self.F.maria, self.dana),
                            ("/contacts/9223372036854775807", self.ann)):
            r = self.get(path, agent)
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), path)
        self.assertEqual(self.ok("/contacts/%d" % self.F.tom, self.dana)["payload"]["name"],
                         "Tom Rivera")

    # --- search ---------------------------------------------------------

    def test_search_needs_q(self):
        for query in ("", "q=", "q=%20%20", "page=2", "q=%09"):
            r = self.get("/contacts/search?" + query)
            self.assertEqual((r.status, r.json), (422, BLANK_Q), query)

    def test_search_pages_by_15_and_counts_all_matches(self):
        everyone = [r[0] for r in pager_rows()]
        p1 = self.search("q=pager")
        self.assertEqual(p1["meta"], {"count": 20, "current_page": 1})
        self.assertEqual(self.ids(p1), everyone[:15])
        p2 = self.search("q=pager&page=2")
        self.assertEqual(p2["meta"], {"count": 20, "current_page": 2})
        self.assertEqual(self.ids(p2), everyone[15:])
        p3 = self.search("q=pager&page=3")
        self.assertEqual(p3, {"meta": {"count": 20, "current_page": 3}, "payload": []})

    def test_search_items_are_full_contacts(self):
        item = self.search("q=ext-01")["payload"]
        self.assertEqual(len(item), 1)
        self.assertEqual(item[0], self.ok("/contacts/%d" % self.F.first_pager)["payload"])

    def test_search_matches_each_field_ignoring_case(self):
        rows = pager_rows()
        cases = {
            "q=PAGER%2007": [r[0] for r in rows if r[1].lower() == "pager 07"],       # name
            "q=@List.Example": [r[0] for r in rows if r[2]],                         # email
            "q=5550190013": [r[0] for r in rows if "5550190013" in r[3]],           # phone
            "q=EXT-1": [r[0] for r in rows if r[4].startswith("ext-1")],            # identifier
            "q=%E7%8E%8B%E5%B0%8F": [self.F.extra[3]],                               # 王小
            "q=aaron%20PHONE": [self.F.extra[1]],
        }
        for query, want in cases.items():
            self.assertTrue(want, query)
            body = self.search(query)
            self.assertEqual(self.ids(body), want[:15], query)
            self.assertEqual(body["meta"]["count"], len(want), query)

    def test_search_trims_q(self):
        self.assertEqual(self.ids(self.search("q=%20ext-02%20")), [self.F.first_pager + 1])

    def test_search_text_is_literal(self):
        for q in ("%25%25%25", "_%25_", "%27%3B%20DROP%20TABLE%20contacts%3B%20--", "%22%22",
                  "%5C%5C"):
            body = self.search("q=" + q)
            self.assertEqual(body, {"meta": {"count": 0, "current_page": 1}, "payload": []}, q)
        self.assertEqual(self.search("q=pager")["meta"]["count"], 20)

    def test_search_stays_in_the_account(self):
        self.assertEqual(self.ids(self.search("q=Tom%20Rivera")), [])
        self.assertEqual(self.ids(self.search("q=Tom%20Rivera", self.dana)), [self.F.tom])
        self.assertEqual(self.ids(self.search("q=pager", self.dana)), [])

    def expected(self, key, desc):
        """The pager ids in the order twowayd documents for sort=key: rows
        without a value last (in id order), then the value (case-folded),
        then id."""
        col = {"name": 1, "email": 2, "phone_number": 3, "created_at": 5,
               "last_activity_at": 6, "company": 7}[key]
        rows = pager_rows()

        def value(r):
            v = r[col]
            return v.lower() if isinstance(v, str) else v
        have = [r for r in rows if r[col] is not None]
        lacking = [r for r in rows if r[col] is None]
        have.sort(key=lambda r: r[0])
        have.sort(key=value, reverse=desc)
        return [r[0] for r in have + lacking]

    def all_pages(self, query):
        out = []
        for page in (1, 2):
            out += self.ids(self.search("%s&page=%d" % (query, page)))
        return out

    def test_search_sorts_ascending_and_descending(self):
        for key in ("name", "email", "phone_number", "created_at", "last_activity_at",
                    "company"):
            for desc in (False, True):
                got = self.all_pages("q=pager&sort=%s%s" % ("-" if desc else "", key))
                self.assertEqual(got, self.expected(key, desc), (key, desc))

    def test_search_sort_puts_phone_named_contacts_last(self):
        aaron, phone1, phone3 = self.F.extra[1], self.F.extra[0], self.F.extra[2]
        wang = self.F.extra[3]
        self.assertEqual(self.ids(self.search("q=%2B1555019900&sort=name")),
                         [aaron, wang, phone1, phone3])
        self.assertEqual(self.ids(self.search("q=%2B1555019900&sort=-name")),
                         [wang, aaron, phone1, phone3])

    def test_search_unknown_sort_keeps_the_id_order(self):
        want = [r[0] for r in pager_rows()]
        for sort in ("bogus", "-bogus", "", "-", "name;DROP", "--name"):
            self.assertEqual(self.all_pages("q=pager&sort=" + sort), want, sort)

    def test_search_odd_pages_are_page_one_or_empty(self):
        for page in ("0", "-3", "abc", "", "1.5"):
            body = self.search("q=pager&page=" + page)
            self.assertEqual(body["meta"], {"count": 20, "current_page": 1}, page)
            self.assertEqual(len(body["payload"]), 15)
        for page in ("9999999", "99999999999999999999"):
            body = self.search("q=pager&page=" + page)
            self.assertEqual(body["payload"], [], page)
            self.assertEqual(body["meta"]["count"], 20)

    # --- a contact's conversations --------------------------------------

    def convs(self, contact, agent=None):
        return self.ok("/contacts/%d/conversations" % contact, agent)["payload"]

    def test_conversations_newest_activity_first_in_visible_inboxes(self):
        conv = self.convs(self.F.maria)
        self.assertEqual([(c["id"], c["inbox_id"]) for c in conv],
                         [(self.F.back_office_display, self.F.back_office),
                          (self.F.maria_display, 1)])
        first = conv[0]
        self.assertEqual(first["meta"]["sender"]["id"], self.F.maria)
        self.assertEqual(first["meta"]["sender"]["type"], "contact")
        self.assertEqual((first["status"], first["account_id"], first["messages"]),
                         ("open", 1, []))
        demo = conv[1]
        self.assertEqual(demo["labels"], ["appointment"])
        self.assertEqual(demo["meta"]["channel"], "Channel::TwilioSms")
        self.assertEqual([m["conversation_id"] for m in demo["messages"]], [self.F.maria_display])

    def test_conversations_of_inboxes_an_agent_is_not_in_are_left_out(self):
        self.assertEqual([c["id"] for c in self.convs(self.F.maria, self.ben)],
                         [self.F.maria_display])
        self.assertEqual([c["id"] for c in self.convs(self.F.maria, self.chloe)],
                         [self.F.back_office_display, self.F.maria_display])

    def test_conversations_are_at_most_20(self):
        conv = self.convs(self.F.busy)
        made = sorted(self.F.busy_convs, reverse=True)
        self.assertEqual([c["id"] for c in conv], [d for _, d in made[:20]])
        self.assertEqual([c["last_activity_at"] for c in conv], [int(t) for t, _ in made[:20]])

    def test_conversations_of_a_contact_without_any_is_empty(self):
        self.assertEqual(self.convs(self.F.first_pager + 1), [])

    def test_conversations_unknown_or_foreign_is_404(self):
        for path, agent in (("/contacts/99999/conversations", self.ann),
                            ("/contacts/%d/conversations" % self.F.tom, self.ann),
                            ("/contacts/%d/conversations" % self.F.maria, self.dana)):
            r = self.get(path, agent)
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), path)
        self.assertEqual([c["meta"]["sender"]["id"] for c in self.convs(self.F.tom, self.dana)],
                         [self.F.tom])

    # --- authentication -------------------------------------------------

    def test_foreign_account_and_bad_tokens_are_401(self):
        for path in ("/contacts/1", "/contacts/search?q=a", "/contacts/1/conversations"):
            r = self.get(path, self.dana, account=1)
            self.assertEqual((r.status, r.json), (401, FOREIGN), path)
            r = self.d.api("GET", "/api/v1/accounts/1" + path, token="wrong")
            self.assertEqual((r.status, r.json), (401, {"error": "Invalid Access Token"}), path)


class ContactCreateTest(unittest.TestCase):
    """POST …/contacts as Chatwoot's ContactsController#create: the contact
    and its contact inbox (source_id the phone number on an SMS inbox),
    Chatwoot's validation errors in its words, nothing half made."""

    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=True)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)
        cls.dana = cls.d.agent(0, account_id=2)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def create(self, body, agent=None, account=None):
        agent = agent or self.ann
        acc = account if account is not None else agent["account_id"]
        return self.d.api("POST", "/api/v1/accounts/%d/contacts" % acc, body, agent=agent)

    def count(self):
        return self.d.sql("SELECT COUNT(*) FROM contacts")[0][0]

    def test_create_with_an_inbox_makes_the_contact_inbox(self):
        r = self.create({"inbox_id": 1, "phone_number": "+447700900123", "name": "Olive Hart",
                         "email": "Olive.Hart@Example.COM",
                         "custom_attributes": {"timezone": "Europe/London"}}, agent=self.ben)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(list(r.json), ["payload"])
        c, ci = r.json["payload"]["contact"], r.json["payload"]["contact_inbox"]
        self.assertEqual((c["name"], c["phone_number"], c["email"], c["custom_attributes"]),
                         ("Olive Hart", "+447700900123", "olive.hart@example.com",
                          {"timezone": "Europe/London"}))
        self.assertEqual(ci["source_id"], "+447700900123")
        self.assertEqual(ci["inbox"]["id"], 1)
        self.assertEqual([(x["source_id"], x["inbox"]["id"]) for x in c["contact_inboxes"]],
                         [("+447700900123", 1)])
        shown = self.d.api("GET", self.d.acc("/contacts/%d" % c["id"])).json["payload"]
        self.assertEqual(shown, c)
        # The contact inbox is what a conversation is started with.
        r = self.d.api("POST", self.d.acc("/conversations"),
                       {"inbox_id": 1, "source_id": ci["source_id"]}, agent=self.ben)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["meta"]["sender"]["id"], c["id"])

    def test_create_without_an_inbox(self):
        r = self.create({"name": "No Inbox", "phone_number": "+15550177001"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["payload"]["contact_inbox"], {"inbox": None, "source_id": None})
        self.assertEqual(r.json["payload"]["contact"]["contact_inboxes"], [])

    def test_duplicate_phone_is_422_and_nothing_is_made(self):
        before = self.count()
        r = self.create({"inbox_id": 1, "phone_number": "+15550101001", "name": "Maria again"})
        self.assertEqual((r.status, r.json),
                         (422, invalid("Phone number has already been taken", "phone_number")))
        self.assertEqual(self.count(), before)
        # Another account may have the same number.
        r = self.create({"phone_number": "+15550101001"}, agent=self.dana)
        self.assertEqual(r.status, 200, r)

    def test_invalid_fields_are_422_together(self):
        before = self.count()
        for phone in ("5550101", "+0123456", "+1", "+1234567890123456", "+1555 0101",
                      "1+15550101099"):
            r = self.create({"inbox_id": 1, "phone_number": phone})
            self.assertEqual((r.status, r.json),
                             (422, invalid("Phone number should be in e164 format",
                                           "phone_number")), phone)
        r = self.create({"inbox_id": 1, "phone_number": "+15550101001", "email": "not an email",
                         "name": "x" * 256})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json, invalid("Name is too long (maximum is 255 characters), Email "
                                         "Invalid email, Phone number has already been taken",
                                         "name", "email", "phone_number"))
        maria = self.d.sql("SELECT email FROM contacts WHERE phone_number = '+15550101001' "
                           "AND account_id = 1")[0][0]
        r = self.create({"phone_number": "+15550177002", "email": maria.upper()})
        self.assertEqual((r.status, r.json), (422, invalid("Email has already been taken",
                                                           "email")))
        self.assertEqual(self.create({"identifier": "crm-1"}).status, 200)
        r = self.create({"identifier": "crm-1"})
        self.assertEqual((r.status, r.json),
                         (422, invalid("Identifier has already been taken", "identifier")))
        self.assertEqual(self.count(), before + 1)

    def test_an_sms_inbox_needs_a_phone_number(self):
        before = self.count()
        r = self.create({"inbox_id": 1, "name": "Only a name"})
        self.assertEqual((r.status, r.json),
                         (422, {"error": "param is missing or the value is empty: contact "
                                         "phone number"}))
        self.assertEqual(self.count(), before)

    def test_unknown_or_foreign_inbox_is_404(self):
        before = self.count()
        for inbox in (999, self.d.sql("SELECT MIN(id) FROM inboxes WHERE account_id = 2")[0][0]):
            r = self.create({"inbox_id": inbox, "phone_number": "+15550177003"})
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), inbox)
        self.assertEqual(self.count(), before)

    def test_wrong_types_and_text_are_422(self):
        for body in ({"phone_number": 15550177004}, {"name": ["x"]}, {"inbox_id": "one"},
                     {"custom_attributes": "tz"}, {"name": "bell\u0007"}):
            r = self.create(body)
            self.assertEqual(r.status, 422, body)

    def test_foreign_account_and_bad_token_are_401(self):
        r = self.create({"phone_number": "+15550177005"}, agent=self.dana, account=1)
        self.assertEqual((r.status, r.json), (401, FOREIGN))
        r = self.d.api("POST", "/api/v1/accounts/1/contacts", {"phone_number": "+15550177005"},
                       token="wrong")
        self.assertEqual(r.status, 401)


class CannedReadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=True)
        twtest.edit_db(cls.d, own_canned)
        cls.ann = cls.d.agent(0)
        cls.dana = cls.d.agent(0, account_id=2)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def list(self, query="", agent=None):
        agent = agent or self.ann
        r = self.d.api("GET", "/api/v1/accounts/%d/canned_responses%s"
                       % (agent["account_id"], query), agent=agent)
        self.assertEqual(r.status, 200, r)
        return r.json

    def codes(self, query="", agent=None):
        return [c["short_code"] for c in self.list(query, agent)]

    def test_list_is_a_bare_array_in_id_order(self):
        items = self.list()
        self.assertEqual([c["short_code"] for c in items], CODES)
        self.assertEqual([c["id"] for c in items], [c[0] for c in CANNED])
        hours = items[3]
        self.assertEqual(set(hours), {"id", "account_id", "short_code", "content", "created_at",
                                      "updated_at"})
        self.assertEqual((hours["account_id"], hours["content"]),
                         (1, "We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00."))
        self.assertRegex(hours["created_at"], ISO)
        self.assertRegex(hours["updated_at"], ISO)

    def test_search_ranks_prefix_then_short_code_then_content(self):
        # "h": hello and hours start with it; resched and thanks contain it;
        # the other four only have an h in their text.
        self.assertEqual(self.codes("?search=h"),
                         ["hello", "hours", "resched", "thanks", "confirm", "insurance", "late",
                          "order"])

    def test_search_ignores_case_in_code_and_content(self):
        # HO: hours by its code; hello ("How can I help") and insurance
        # ("photo") by their text, in id order.
        self.assertEqual(self.codes("?search=HO"), ["hours", "hello", "insurance"])
        self.assertEqual(self.codes("?search=SEE%20YOU"), ["confirm"])

    def test_search_without_hits_or_with_pattern_characters_is_empty(self):
        for q in ("zzz", "%25", "%25%25", "'%3B%20DROP%20TABLE%20canned_responses%3B%20--"):
            self.assertEqual(self.list("?search=" + q), [], q)
        self.assertEqual(self.codes(), CODES)

    def test_empty_search_lists_everything(self):
        self.assertEqual(self.codes("?search="), CODES)

    def test_accounts_keep_their_own(self):
        self.assertEqual(self.codes(agent=self.dana), ["ready"])
        self.assertEqual(self.codes("?search=ready"), [])
        self.assertEqual(self.codes("?search=hello", agent=self.dana), [])


class CannedWriteTest(unittest.TestCase):
    """Each test gets a fresh demo database."""

    def setUp(self):
        self.d = twtest.Twowayd(demo=True)
        twtest.edit_db(self.d, own_canned)
        self.ann = self.d.agent(0)
        self.ben = self.d.agent(1)
        self.dana = self.d.agent(0, account_id=2)

    def tearDown(self):
        self.d.cleanup()

    def call(self, method, path="", body=None, agent=None, account=None):
        agent = agent or self.ann
        acc = account if account is not None else agent["account_id"]
        return self.d.api(method, "/api/v1/accounts/%d/canned_responses%s" % (acc, path), body,
                          agent=agent)

    def listed(self, agent=None):
        r = self.call("GET", agent=agent)
        self.assertEqual(r.status, 200)
        return {c["id"]: c for c in r.json}

    def test_create_returns_the_object_and_lists_it_last(self):
        r = self.call("POST", body={"canned_response": {"short_code": "parking",
                                                        "content": "Free parking behind us."}})
        self.assertEqual(r.status, 200, r)
        c = r.json
        self.assertEqual(set(c), {"id", "account_id", "short_code", "content", "created_at",
                                  "updated_at"})
        self.assertEqual((c["account_id"], c["short_code"], c["content"]),
                         (1, "parking", "Free parking behind us."))
        self.assertGreater(c["id"], READY)
        self.assertRegex(c["created_at"], ISO)
        self.assertEqual(c["created_at"], c["updated_at"])
        r = self.call("GET")
        self.assertEqual(r.json[-1], c)
        self.assertEqual(len(r.json), 9)

    def test_create_accepts_the_fields_at_the_top_level(self):
        r = self.call("POST", body={"short_code": "bye", "content": "Take care!"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["short_code"], r.json["content"]), ("bye", "Take care!"))

    def test_agents_may_manage_canned_responses(self):
        r = self.call("POST", body={"canned_response": {"short_code": "b", "content": "c"}},
                      agent=self.ben)
        self.assertEqual(r.status, 200, r)
        cid = r.json["id"]
        r = self.call("PATCH", "/%d" % cid, {"canned_response": {"content": "d"}}, agent=self.ben)
        self.assertEqual((r.status, r.json["content"]), (200, "d"))
        r = self.call("DELETE", "/%d" % cid, agent=self.ben)
        self.assertEqual(r.status, 200)

    def test_duplicate_short_code_is_422_per_account(self):
        r = self.call("POST", body={"canned_response": {"short_code": "hello", "content": "x"}})
        self.assertEqual((r.status, r.json),
                         (422, invalid("Short code has already been taken", "short_code")))
        # Another account may use the same code; codes compare exactly.
        r = self.call("POST", body={"canned_response": {"short_code": "hello", "content": "x"}},
                      agent=self.dana)
        self.assertEqual((r.status, r.json["account_id"]), (200, 2))
        r = self.call("POST", body={"canned_response": {"short_code": "Hello", "content": "x"}})
        self.assertEqual(r.status, 200)

    def test_invalid_fields_are_422_in_the_validation_shape(self):
        long_code = "x" * 256
        cases = [
            ({"short_code": "a"}, invalid("Content can't be blank", "content")),
            ({"content": "a"}, invalid("Short code can't be blank", "short_code")),
            ({"short_code": "", "content": "a"}, invalid("Short code can't be blank",
                                                          "short_code")),
            ({"short_code": "  ", "content": "a"}, invalid("Short code can't be blank",
                                                            "short_code")),
            ({"short_code": None, "content": "a"}, invalid("Short code can't be blank",
                                                            "short_code")),
            ({"short_code": "a", "content": " \n"}, invalid("Content can't be blank", "content")),
            ({"short_code": "two words", "content": "a"},
             invalid("Short code can't contain spaces", "short_code")),
            ({"short_code": "tab\there", "content": "a"},
             invalid("Short code can't contain spaces", "short_code")),
            ({"short_code": long_code, "content": "a"},
             invalid("Short code is too long (maximum is 255 characters)", "short_code")),
            ({"short_code": "a", "content": "y" * 10001},
             invalid("Content is too long (maximum is 10000 characters)", "content")),
            ({"short_code": 123, "content": "a"}, invalid("Short code must be a string",
                                                           "short_code")),
            ({"short_code": "a", "content": ["x"]}, invalid("Content must be a string",
                                                             "content")),
            ({"short_code": {"a": 1}, "content": True},
             invalid("Content must be a string, Short code must be a string", "content",
                     "short_code")),
            ({"short_code": "a b", "content": ""},
             invalid("Content can't be blank, Short code can't contain spaces", "content",
                     "short_code")),
            ({"short_code": "nul\u0000", "content": "a"},
             invalid("Short code can't contain NUL characters", "short_code")),
            ({"short_code": "esc\u001b[31m", "content": "a"},
             invalid("Short code can't contain control characters", "short_code")),
            ({"short_code": "c1\u009b", "content": "a"},
             invalid("Short code can't contain control characters", "short_code")),
            ({"short_code": "a", "content": "red \u001b[31malert\u001b[0m"},
             invalid("Content can't contain control characters other than line breaks and "
                     "tabs", "content")),
            ({"short_code": "a", "content": "ding\u0007"},
             invalid("Content can't contain control characters other than line breaks and "
                     "tabs", "content")),
            ({"short_code": "a", "content": "del\u007f"},
             invalid("Content can't contain control characters other than line breaks and "
                     "tabs", "content")),
        ]
        for fields, want in cases:
            for body in ({"canned_response": fields}, fields):
                r = self.call("POST", body=body)
                self.assertEqual((r.status, r.json), (422, want), body)
        self.assertEqual(len(self.listed()), 8)

    def test_lengths_count_characters_not_bytes(self):
        code = "é" * 255
        text = "€" * 10000
        r = self.call("POST", body={"canned_response": {"short_code": code, "content": text}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["short_code"], r.json["content"]), (code, text))

    def test_missing_or_malformed_wrapper_is_422(self):
        for body in ({}, {"canned_response": {}}, {"other": 1}, {"canned_response": {"x": 1}}):
            r = self.call("POST", body=body)
            self.assertEqual((r.status, r.json), (422, MISSING), body)
        for wrapped in ("x", 5, None, ["short_code"]):
            r = self.call("POST", body={"canned_response": wrapped})
            self.assertEqual((r.status, r.json),
                             (422, {"error": "canned_response must be an object"}), wrapped)
        for raw in ("not json", "[1]", "\"s\"", "{\"short_code\": \"a\","):
            r = self.call("POST", body=raw)
            self.assertEqual(r.status, 400, raw)
            self.assertIsInstance(r.json["error"], str)
        self.assertEqual(len(self.listed()), 8)

    def test_invalid_utf8_is_refused(self):
        r = self.call("POST", body=b'{"short_code": "bad\xff", "content": "ok"}')
        self.assertIn(r.status, (400, 422), r)
        self.assertEqual(len(self.listed()), 8)

    def test_sql_metacharacters_are_stored_verbatim(self):
        text = "'; DROP TABLE canned_responses; -- \"quoted\" \\ %_"
        r = self.call("POST", body={"canned_response": {"short_code": "x';--", "content": text}})
        self.assertEqual(r.status, 200, r)
        got = self.listed()[r.json["id"]]
        self.assertEqual((got["short_code"], got["content"]), ("x';--", text))
        self.assertEqual(len(self.listed()), 9)

    def test_update_changes_only_the_given_fields(self):
        before = self.listed()[104]
        time.sleep(0.01)  # pacing only: the clock passes `before` (ms resolution)
        r = self.call("PATCH", "/104", {"canned_response": {"content": "Open 24/7 now."}})
        self.assertEqual(r.status, 200, r)
        after = r.json
        self.assertEqual((after["id"], after["short_code"], after["content"]),
                         (104, "hours", "Open 24/7 now."))
        self.assertEqual(after["created_at"], before["created_at"])
        self.assertGreater(after["updated_at"], before["updated_at"])
        self.assertEqual(self.listed()[104], after)
        r = self.call("PUT", "/104", {"short_code": "opening"})
        self.assertEqual((r.status, r.json["short_code"], r.json["content"]),
                         (200, "opening", "Open 24/7 now."))

    def test_update_validates_like_create(self):
        r = self.call("PATCH", "/104", {"canned_response": {"short_code": "hello"}})
        self.assertEqual((r.status, r.json),
                         (422, invalid("Short code has already been taken", "short_code")))
        r = self.call("PATCH", "/104", {"canned_response": {"short_code": "hours"}})
        self.assertEqual((r.status, r.json["short_code"]), (200, "hours"))
        r = self.call("PATCH", "/104", {"canned_response": {"content": ""}})
        self.assertEqual((r.status, r.json), (422, invalid("Content can't be blank", "content")))
        r = self.call("PATCH", "/104", {"canned_response": {"content": None, "short_code": "a b"}})
        self.assertEqual((r.status, r.json),
                         (422, invalid("Content can't be blank, Short code can't contain spaces",
                                       "content", "short_code")))
        r = self.call("PATCH", "/104", {"canned_response": {"content": "ring\u0007ring"}})
        self.assertEqual((r.status, r.json), (422, invalid(
            "Content can't contain control characters other than line breaks and tabs",
            "content")))
        r = self.call("PATCH", "/104", {})
        self.assertEqual((r.status, r.json), (422, MISSING))
        self.assertEqual(self.listed()[104]["content"],
                         "We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00.")

    def test_delete_answers_200_without_a_body(self):
        r = self.call("DELETE", "/103")
        self.assertEqual((r.status, r.body), (200, ""))
        self.assertNotIn(103, self.listed())
        self.assertEqual(len(self.listed()), 7)
        r = self.call("DELETE", "/103")
        self.assertEqual((r.status, r.json), (404, NOT_FOUND))
        r = self.call("PATCH", "/103", {"canned_response": {"content": "x"}})
        self.assertEqual((r.status, r.json), (404, NOT_FOUND))

    def test_line_breaks_and_tabs_are_kept_in_content(self):
        text = "Hello,\r\n\tthanks for writing.\nSee you."
        r = self.call("POST", body={"canned_response": {"short_code": "lines", "content": text}})
        self.assertEqual((r.status, r.json["content"]), (200, text))

    def test_create_update_delete_round_trip(self):
        r = self.call("POST", body={"canned_response": {"short_code": "rt", "content": "one"}})
        cid = r.json["id"]
        self.call("PATCH", "/%d" % cid, {"canned_response": {"content": "two"}})
        r = self.call("GET", "?search=rt")
        self.assertEqual([(c["id"], c["content"]) for c in r.json], [(cid, "two")])
        self.assertEqual(self.call("DELETE", "/%d" % cid).status, 200)
        self.assertEqual(self.call("GET", "?search=rt").json, [])

    def test_unknown_or_foreign_ids_are_404_and_change_nothing(self):
        dana_ready = READY
        for method in ("PATCH", "PUT", "DELETE"):
            for path, agent in (("/999", self.ann), ("/%d" % dana_ready, self.ann),
                                ("/101", self.dana), ("/9223372036854775807", self.ann)):
                r = self.call(method, path, {"canned_response": {"content": "hijack"}},
                              agent=agent)
                self.assertEqual((r.status, r.json), (404, NOT_FOUND), (method, path))
        self.assertEqual(self.listed()[101]["content"], CANNED[0][2])
        self.assertEqual(self.listed(self.dana)[dana_ready]["content"],
                         "Your bike is ready for pickup.")
        for path in ("/-1", "/abc", "/99999999999999999999", "/1.5"):
            r = self.call("DELETE", path)
            self.assertEqual((r.status, r.json), (404, NOT_FOUND), path)

    def test_foreign_account_and_bad_tokens_are_401(self):
        for method, path in (("GET", ""), ("POST", ""), ("PATCH", "/101"), ("DELETE", "/101")):
            r = self.call(method, path, {"short_code": "z", "content": "z"}, agent=self.dana,
                          account=1)
            self.assertEqual((r.status, r.json), (401, FOREIGN), (method, path))
            r = self.d.api(method, "/api/v1/accounts/1/canned_responses" + path,
                           {"short_code": "z", "content": "z"}, token="wrong")
            self.assertEqual((r.status, r.json), (401, {"error": "Invalid Access Token"}))
        self.assertEqual(len(self.listed()), 8)


if __name__ == "__main__":
    unittest.main()
