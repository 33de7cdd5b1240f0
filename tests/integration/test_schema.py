"""Every response twowayd serves that Chatwoot's OpenAPI file describes,
validated against the file's schema for that path, method and status.

Where the real Chatwoot server differs from its own OpenAPI file
(doc/api.md, mostly §13) twowayd follows the server, so the test
validates against a copy of the spec patched at exactly those places. Each
patch (PATCHES below) says which section of doc/api.md documents the
difference, and carries a witness: a value the unpatched spec rejects and
the patched one accepts, checked by test_patches_are_needed_and_enough, so
the list stays an honest record of every difference.

The spec is read from ../shared/reference/chatwoot/application_swagger.json
beside the repository ($TWOWAY_CHATWOOT_SPEC overrides); without it, or
without python3-jsonschema, the tests are skipped."""
import copy
import json
import os
import sys
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_PATH = os.environ.get("TWOWAY_CHATWOOT_SPEC") or os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "shared", "reference", "chatwoot",
                 "application_swagger.json"))

try:
    import jsonschema
except ImportError:  # pragma: no cover - Debian's python3-jsonschema is a test dependency
    jsonschema = None


def _load_spec():
    try:
        with open(SPEC_PATH, encoding="utf-8") as f:
            return json.load(f), None
    except (OSError, ValueError) as e:
        return None, "Chatwoot's OpenAPI file is not readable at %s (%s); set " \
                     "TWOWAY_CHATWOOT_SPEC to its path" % (SPEC_PATH, e)


RAW_SPEC, SPEC_PROBLEM = _load_spec()
if jsonschema is None and not SPEC_PROBLEM:
    SPEC_PROBLEM = "python3-jsonschema is not installed"

ACC = "/api/v1/accounts/{account_id}"
CONV = ACC + "/conversations/{conversation_id}"
S = ("components", "schemas")


def schema_at(*keys):
    return S + keys


def response_at(path, method, status="200"):
    return ("paths", path, method, "responses", status, "content", "application/json", "schema")


def nullable(fragment):
    """fragment, also allowing JSON null (OpenAPI's nullable: true)."""
    return dict(fragment, nullable=True)


REF_MESSAGE = {"$ref": "#/components/schemas/message"}
ISO_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


class Patch:
    """Replace the schema node at keys (a path into the spec) with fragment.

    witness shows the difference: a value the file's schema rejects and the
    patched one accepts (None stands for JSON null). A patch that tightens
    a schema too loose to notice what the server sends (tightens=True) is
    shown the other way round: the file accepts the witness, the patch
    refuses it."""

    def __init__(self, keys, fragment, why, witness, tightens=False):
        self.keys, self.fragment, self.why, self.witness = keys, fragment, why, witness
        self.tightens = tightens


def _sender_patches():
    # The slim contact in conversation meta.sender is written out inline in
    # three response schemas; a contact need not have an email, a phone or an
    # identifier, and the spec's own contact_list_item says so (nullable).
    out = []
    inline = {
        "conversation_show": ("allOf", 1),
        "conversation_list": ("properties", "data", "properties", "payload", "items", "allOf", 2),
        "contact_conversations_response": ("properties", "payload", "items", "allOf", 1),
    }
    for name, prefix in inline.items():
        for field in ("email", "phone_number", "identifier"):
            keys = schema_at(name, *prefix, "properties", "meta", "properties", "sender",
                             "properties", field)
            out.append(Patch(keys, nullable({"type": "string"}),
                             "doc/api.md §3.2/§9: meta.sender is the contact; its %s is null "
                             "when unknown (as the spec's contact_list_item allows)" % field,
                             None))
    return out


PATCHES = [
    # --- conversation (§3.2, §13) ----------------------------------------
    Patch(schema_at("conversation", "properties", "status"),
          {"type": "string", "enum": ["open", "resolved", "pending", "snoozed"]},
          "§13: status includes snoozed", "snoozed"),
    Patch(schema_at("conversation", "properties", "snoozed_until"), ISO_OR_NULL,
          "§3.2/§13: snoozed_until goes in as epoch seconds and comes out ISO-8601 or null",
          "2030-01-01T00:00:00.000Z"),
    Patch(schema_at("conversation", "properties", "timestamp"), {"type": "integer"},
          "§3.2: timestamp (= last activity) is integer epoch seconds, not a string",
          1700000000),
    Patch(schema_at("conversation", "properties", "priority"),
          {"type": ["string", "null"], "enum": [None, "low", "medium", "high", "urgent"]},
          "§3.2/§13: priority is null or low|medium|high|urgent (no \"none\")", None),
    Patch(schema_at("conversation", "properties", "last_non_activity_message"),
          {"anyOf": [REF_MESSAGE, {"type": "null"}]},
          "§3.2: last_non_activity_message is a message object or null", None),
    Patch(schema_at("conversation", "properties", "sla_policy_id"),
          nullable({"type": "number"}),
          "NOT IN §13: Chatwoot renders sla_policy_id null when no SLA applies (twowayd has "
          "none); the spec types it number", None),
    # --- message (§4.2, §13) ---------------------------------------------
    Patch(schema_at("message", "properties", "message_type"),
          {"type": "integer", "enum": [0, 1, 2, 3]},
          "§4.2/§13: message_type has 4 values; 3 = template (automatic answers)", 3),
    Patch(schema_at("message", "properties", "content"), nullable({"type": "string"}),
          "§4.2: content may be null (attachment-only messages)", None),
    Patch(schema_at("message", "properties", "processed_message_content"),
          nullable({"type": "string"}),
          "§4.2: processed_message_content follows content, so it is null with it", None),
    Patch(schema_at("message", "properties", "content_type"),
          {"type": "string", "enum": ["text", "input_text", "input_textarea", "input_email",
                                      "input_select", "cards", "form", "article",
                                      "incoming_email", "input_csat", "integrations", "sticker",
                                      "voice_call"]},
          "§4.2: content_type has more values than the spec's four", "incoming_email"),
    Patch(schema_at("message", "properties", "sender_type"),
          {"type": ["string", "null"], "enum": ["User", "Contact", "AgentBot", None]},
          "§4.2/§13: sender_type is a class name (\"User\", \"Contact\"), null for system "
          "messages (activity lines, automatic answers)", "User"),
    Patch(schema_at("message", "properties", "sender_id"), nullable({"type": "number"}),
          "§4.2: system messages have no sender, so no sender_id", None),
    Patch(schema_at("message", "properties", "source_id"), nullable({"type": "string"}),
          "§4.2: source_id is the provider's id (Twilio SID); null until the provider gave one "
          "(notes, activity lines, replies not yet sent)", None),
    # --- messages list meta (§4.1) ----------------------------------------
    Patch(response_at(CONV + "/messages", "get") + ("properties", "meta", "properties",
                                                    "agent_last_seen_at"), ISO_OR_NULL,
          "§4.1: meta.agent_last_seen_at is an ISO string, null before anyone looked", None),
    Patch(response_at(CONV + "/messages", "get") + ("properties", "meta", "properties",
                                                    "assignee_last_seen_at"), ISO_OR_NULL,
          "§4.1: meta.assignee_last_seen_at is an ISO string, null when unassigned or unseen",
          None),
    Patch(response_at(CONV + "/messages", "get") + ("properties", "meta", "properties",
                                                    "contact"),
          {"$ref": "#/components/schemas/contact_list_item"},
          "§4.1: meta.contact is the contact itself; the spec points at `contact`, which is "
          "the {payload: [...]} list wrapper", {"id": "one"}, tightens=True),
    # --- status, create, assignment (§3.7, §3.8, §3.11, §13) -----------------
    Patch(schema_at("conversation_status_toggle", "properties", "payload", "properties",
                    "current_status"),
          {"type": "string", "enum": ["open", "resolved", "pending", "snoozed"]},
          "§3.8/§13: toggle_status answers any of the four statuses", "snoozed"),
    Patch(response_at(ACC + "/conversations", "post"),
          {"allOf": [copy.deepcopy(RAW_SPEC["paths"][ACC + "/conversations"]["post"]
                                   ["responses"]["200"]["content"]["application/json"]
                                   ["schema"]) if RAW_SPEC else {},
                     {"$ref": "#/components/schemas/conversation_show"}]},
          "§3.7/§13: create returns the full conversation (the spec shows a subset)",
          {"id": 1, "status": "closed"}, tightens=True),
    Patch(response_at(CONV + "/assignments", "post"),
          {"anyOf": [{"$ref": "#/components/schemas/user"}, {"type": "null"}]},
          "§3.11/§13: assignment returns the Agent, the Team, or null when cleared", None),
    # --- agents (§6, §13) ----------------------------------------------------
    Patch(schema_at("agent", "properties", "availability_status"),
          {"type": "string", "enum": ["online", "busy", "offline"]},
          "§6/§13: availability is online|busy|offline, not \"available\"", "online"),
    # --- inboxes (§10) -------------------------------------------------------
    Patch(schema_at("inbox", "properties", "phone_number"), nullable({"type": "string"}),
          "§10: phone_number is nullable (a Twilio inbox on a Messaging Service has none)",
          None),
    Patch(schema_at("inbox", "properties", "messaging_service_sid"),
          nullable({"type": "string"}),
          "§10 lists messaging_service_sid; it is null for an inbox that sends from a number "
          "(NOT IN §13)", None),
    Patch(schema_at("inbox", "properties", "greeting_message"), nullable({"type": "string"}),
          "NOT IN §13: Chatwoot renders the unset greeting_message as null", None),
    Patch(schema_at("inbox", "properties", "out_of_office_message"),
          nullable({"type": "string"}),
          "NOT IN §13: Chatwoot renders the unset out_of_office_message as null", None),
    # --- contacts (§9) -------------------------------------------------------
    Patch(schema_at("contact_meta", "properties", "current_page"),
          {"type": ["integer", "string"]},
          "NOT IN §13: Chatwoot renders `params[:page] || 1` (the string it was sent, else the "
          "integer 1); twowayd always answers the integer page it served", 2),
    # --- errors (§12, §13) ---------------------------------------------------
    Patch(schema_at("bad_request_error"),
          {"anyOf": [
              {"type": "object", "required": ["error"],
               "properties": {"error": {"type": "string"}}},
              {"type": "object", "required": ["message", "attributes"],
               "properties": {"message": {"type": "string"},
                              "attributes": {"type": "array", "items": {"type": "string"}}}}]},
          "§12/§13: errors are {\"error\": ...} or Rails' {\"message\", \"attributes\"}; the "
          "spec's {description, errors[]} never comes back",
          {"description": "x", "errors": []}, tightens=True),
] + _sender_patches()


def _node(doc, keys):
    for k in keys:
        doc = doc[k]
    return doc


def _set_node(doc, keys, value):
    _node(doc, keys[:-1])[keys[-1]] = value


def openapi_nullable(node):
    """OpenAPI 3.0's nullable: true as JSON Schema: null joins the type (and
    the enum); where there is no type (a $ref or a combination), the node
    becomes anyOf [itself, null]."""
    if isinstance(node, list):
        return [openapi_nullable(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif isinstance(t, list) and "null" not in t:
            out["type"] = t + ["null"]
        elif t is None:
            return {"anyOf": [out, {"type": "null"}]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
    return out


def build_specs():
    """(spec as JSON Schema, the same with PATCHES applied)."""
    raw = openapi_nullable(RAW_SPEC)
    patched = copy.deepcopy(RAW_SPEC)
    for p in PATCHES:
        _node(patched, p.keys)  # the place must exist in the file
        _set_node(patched, p.keys, p.fragment)
    return raw, openapi_nullable(patched)


def validator(spec, schema):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(base_uri="", referrer=spec)
        return jsonschema.Draft7Validator(schema, resolver=resolver)


def errors_of(spec, schema, value):
    out = []
    for e in validator(spec, schema).iter_errors(value):
        out.append("%s: %s" % ("/".join(str(x) for x in e.absolute_path) or "(top)",
                               e.message[:300]))
    return sorted(set(out))


@unittest.skipIf(SPEC_PROBLEM, SPEC_PROBLEM or "")
class SchemaTest(unittest.TestCase):
    validated = []

    @classmethod
    def setUpClass(cls):
        cls.raw, cls.spec = build_specs()
        cls.fake, env = twtest.fake_twilio()
        cls.d = twtest.Twowayd(demo=True, env=env)
        cls.ann = cls.d.agent(0)
        cls.ben = cls.d.agent(1)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.cleanup()
        done = sorted(set(cls.validated))
        sys.stderr.write("\nvalidated against %s (%d endpoint/status pairs):\n"
                         % (SPEC_PATH, len(done)))
        for line in done:
            sys.stderr.write("  %s\n" % line)

    # --- helpers ---------------------------------------------------------

    def call(self, method, path, body=None, agent=None, token=None):
        agent = agent or self.ann
        path = path.replace("{acc}", "/api/v1/accounts/%d" % agent["account_id"])
        return self.d.api(method, path, body, agent=agent, token=token)

    def check(self, spec_path, method, r, status=200):
        """Validate response r against the patched spec's schema for
        spec_path/method/status."""
        self.assertEqual(r.status, status, r)
        op = self.spec["paths"][spec_path][method.lower()]["responses"][str(status)]
        schema = op.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            # The spec promises no body here.
            self.assertEqual(r.body, "", "%s %s %d: the spec describes no body"
                             % (method, spec_path, status))
        else:
            errs = errors_of(self.spec, schema, r.json)
            self.assertEqual(errs, [], "%s %s %d" % (method, spec_path, status))
        self.validated.append("%-6s %s -> %d" % (method, spec_path, status))
        return r.json if r.body else None

    def get(self, spec_path, path, agent=None):
        return self.check(spec_path, "GET", self.call("GET", path, agent=agent))

    def post(self, spec_path, path, body, agent=None):
        return self.check(spec_path, "POST", self.call("POST", path, body, agent=agent))

    def conversation_ids(self):
        ids, page = [], 1
        while True:
            r = self.call("GET", "{acc}/conversations?status=all&page=%d" % page)
            items = r.json["data"]["payload"]
            ids += [c["id"] for c in items]
            if len(items) < 25 or page > 40:
                return ids
            page += 1

    # --- the patches themselves -------------------------------------------

    def test_patches_are_needed_and_enough(self):
        """Each witness tells the file's schema from the patched one."""
        for p in PATCHES:
            raw_errs = errors_of(self.raw, _node(self.raw, p.keys), p.witness)
            new_errs = errors_of(self.spec, _node(self.spec, p.keys), p.witness)
            if p.tightens:
                self.assertEqual(raw_errs, [], "the file refuses %r: %s" % (p.witness, p.why))
                self.assertNotEqual(new_errs, [], "the patch accepts %r: %s" % (p.witness, p.why))
            else:
                self.assertNotEqual(raw_errs, [], "the file accepts %r: %s" % (p.witness, p.why))
                self.assertEqual(new_errs, [], "the patch refuses %r: %s" % (p.witness, p.why))

    # --- profile, account lists -------------------------------------------

    def test_profile(self):
        for agent in (self.ann, self.ben):
            self.get("/api/v1/profile", "/api/v1/profile", agent)
        r = self.call("GET", "/api/v1/profile", token="wrong")
        self.check("/api/v1/profile", "GET", r, 401)

    def test_agents_teams_inboxes(self):
        self.get(ACC + "/agents", "{acc}/agents")
        for agent in (self.ann, self.ben):
            teams = self.get(ACC + "/teams", "{acc}/teams", agent)
            for t in teams:
                self.get(ACC + "/teams/{team_id}", "{acc}/teams/%d" % t["id"], agent)
        self.check(ACC + "/teams/{team_id}", "GET", self.call("GET", "{acc}/teams/999"), 404)
        inboxes = self.get(ACC + "/inboxes", "{acc}/inboxes")["payload"]
        self.assertTrue(inboxes)
        for i in inboxes:
            self.get(ACC + "/inboxes/{id}/", "{acc}/inboxes/%d" % i["id"])
            self.get(ACC + "/inbox_members/{inbox_id}", "{acc}/inbox_members/%d" % i["id"])
        self.check(ACC + "/inboxes/{id}/", "GET", self.call("GET", "{acc}/inboxes/999"), 404)

    def test_canned_responses(self):
        self.get(ACC + "/canned_responses", "{acc}/canned_responses")
        self.get(ACC + "/canned_responses", "{acc}/canned_responses?search=hi")
        made = self.post(ACC + "/canned_responses", "{acc}/canned_responses",
                         {"canned_response": {"short_code": "schema", "content": "Spec check"}})
        path = "{acc}/canned_responses/%d" % made["id"]
        spec_path = ACC + "/canned_responses/{id}"
        self.check(spec_path, "PATCH", self.call("PATCH", path,
                                                 {"canned_response": {"content": "x"}}))
        self.check(spec_path, "DELETE", self.call("DELETE", path))
        self.check(spec_path, "PATCH", self.call("PATCH", path, {"content": "y"}), 404)
        self.check(spec_path, "DELETE", self.call("DELETE", path), 404)

    # --- contacts -----------------------------------------------------------

    def test_contacts(self):
        seen = []
        for page in (1, 2, 3):
            body = self.get(ACC + "/contacts/search",
                            "{acc}/contacts/search?q=5&page=%d&sort=-last_activity_at" % page)
            seen += [c["id"] for c in body["payload"]]
        self.assertGreater(len(seen), 15)
        for cid in seen:
            self.get(ACC + "/contacts/{id}", "{acc}/contacts/%d" % cid)
            self.get(ACC + "/contacts/{id}/conversations", "{acc}/contacts/%d/conversations" % cid)
        self.check(ACC + "/contacts/{id}", "GET", self.call("GET", "{acc}/contacts/99999"), 404)
        self.check(ACC + "/contacts/{id}/conversations", "GET",
                   self.call("GET", "{acc}/contacts/99999/conversations"), 404)

    # --- conversations ------------------------------------------------------

    def test_conversation_list_meta_and_show(self):
        for query in ("status=all", "status=open", "status=snoozed", "assignee_type=me",
                      "status=all&page=2", "status=resolved&sort_by=created_at_asc"):
            self.get(ACC + "/conversations", "{acc}/conversations?" + query)
            self.get(ACC + "/conversations/meta", "{acc}/conversations/meta?" + query)
        ids = self.conversation_ids()
        self.assertGreater(len(ids), 10)
        for cid in ids:
            self.get(CONV, "{acc}/conversations/%d" % cid)
        self.check(CONV, "GET", self.call("GET", "{acc}/conversations/99999"), 404)

    def test_conversation_create(self):
        r = self.call("POST", "{acc}/conversations",
                      {"inbox_id": 1, "contact_id": 1, "message": {"content": "Schema check"}})
        conv = self.check(ACC + "/conversations", "POST", r)
        self.assertEqual(conv["messages"][0]["content"], "Schema check")
        r = self.call("POST", "{acc}/conversations", {"inbox_id": 1, "contact_id": 2})
        self.check(ACC + "/conversations", "POST", r)

    def test_toggle_status(self):
        path = "{acc}/conversations/%d/toggle_status" % self.conversation_ids()[0]
        for body in ({"status": "pending"}, {"status": "snoozed", "snoozed_until": 2000000000},
                     {"status": "snoozed"}, {"status": "resolved"}, {}, {"status": "open"}):
            self.post(CONV + "/toggle_status", path, body)
        self.check(CONV + "/toggle_status", "POST",
                   self.call("POST", "{acc}/conversations/99999/toggle_status", {}), 404)

    def test_toggle_priority(self):
        path = "{acc}/conversations/%d/toggle_priority" % self.conversation_ids()[0]
        for body in ({"priority": "urgent"}, {"priority": None}):
            self.check(CONV + "/toggle_priority", "POST", self.call("POST", path, body))

    def test_labels(self):
        path = "{acc}/conversations/%d/labels" % self.conversation_ids()[0]
        self.get(CONV + "/labels", path)
        self.post(CONV + "/labels", path, {"labels": ["vip", "billing"]})
        self.post(CONV + "/labels", path, {"labels": []})
        self.check(CONV + "/labels", "GET",
                   self.call("GET", "{acc}/conversations/99999/labels"), 404)

    def test_assignments(self):
        path = "{acc}/conversations/%d/assignments" % self.conversation_ids()[0]
        agent = self.post(CONV + "/assignments", path, {"assignee_id": self.ben["id"]})
        self.assertEqual(agent["id"], self.ben["id"])
        self.assertIsNone(self.post(CONV + "/assignments", path, {"assignee_id": None}))
        team = self.post(CONV + "/assignments", path, {"team_id": 1})
        self.assertEqual(team["id"], 1)
        self.assertIsNone(self.post(CONV + "/assignments", path, {"team_id": None}))

    # --- messages -----------------------------------------------------------

    def test_messages_list(self):
        for cid in self.conversation_ids():
            self.get(CONV + "/messages", "{acc}/conversations/%d/messages" % cid)
        self.check(CONV + "/messages", "GET",
                   self.call("GET", "{acc}/conversations/99999/messages"), 404)

    def test_messages_create(self):
        cid = self.conversation_ids()[0]
        path = "{acc}/conversations/%d/messages" % cid
        for body in ({"content": "Schema reply"}, {"content": "A note", "private": True},
                     {"content": "Echoed", "echo_id": "e-1"}):
            self.post(CONV + "/messages", path, body)
        self.check(CONV + "/messages", "POST",
                   self.call("POST", "{acc}/conversations/99999/messages", {"content": "x"}),
                   404)


if __name__ == "__main__":
    unittest.main()
