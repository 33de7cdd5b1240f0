"""`twowayd admin`: a real team's database from the command line, used by
the real server; and the documentation (man page, example config) kept
complete against `twowayd --help` and `twowayd admin help`."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

MAN_PAGE = os.path.join(twtest.SOURCE, "man", "twowayd.8")
EXAMPLE_CONFIG = os.path.join(twtest.SOURCE, "config", "twowayd.conf")

PHONE = "+15551230001"
PHONE2 = "+15551230002"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def clean_env(**extra):
    """The environment without TWOWAYD_* settings, so only what a test
    gives counts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWOWAYD_")}
    env.update(extra)
    return env


def run(*args, env=None):
    """twowayd with these arguments: (exit status, stdout, stderr)."""
    p = subprocess.run([twtest.binary("twowayd")] + list(args), capture_output=True, text=True,
                       env=env or clean_env(), timeout=twtest.DEADLINE)
    return p.returncode, p.stdout, p.stderr


def admin(db, *args):
    return run("--db", db, "admin", *args)


def admin_json(test, db, *args):
    """An admin command that must succeed with --json: its objects."""
    rc, out, err = admin(db, *args, "--json")
    test.assertEqual((rc, err), (0, ""), out)
    return [json.loads(line) for line in out.splitlines()]


def who(token, account_id=1):
    """What Twowayd.api() takes as agent= for a token admin printed."""
    return {"token": token, "account_id": account_id}


def init(test, db):
    return admin_json(test, db, "init", "--account", "Acme Plumbing", "--inbox-name",
                      "Front desk", "--inbox-phone", PHONE, "--timezone", "America/Chicago",
                      "--agent", "Ann Smith", "--email", "Ann@Acme.Example")


class TestSetUp(unittest.TestCase):
    """init and the add commands on a fresh database, then the server."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="twowayd-admin-")
        cls.db = os.path.join(cls.tmp, "team.db")
        t = unittest.TestCase()
        cls.init = init(t, cls.db)
        cls.ben = admin_json(t, cls.db, "agent", "add", "--name", "Ben Ng", "--email",
                             "ben@acme.example")[0]
        cls.inbox2 = admin_json(t, cls.db, "inbox", "add", "--name", "Second line", "--phone",
                                PHONE2)[0]
        cls.label = admin_json(t, cls.db, "label", "add", "--title", "Billing", "--color",
                               "#d7263d", "--description", "Money matters")[0]
        cls.team = admin_json(t, cls.db, "team", "add", "--name", "Front desk", "--description",
                              "Walk-ins")[0]
        cls.member = admin_json(t, cls.db, "team", "member", "--team", "front desk", "--email",
                                "ben@acme.example")[0]
        cls.d = twtest.Twowayd(demo=False, db=cls.db)
        cls.ann = who(cls.init[2]["token"])
        cls.ben_agent = who(cls.ben["token"])

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def api(self, method, path, agent=None, body=None):
        agent = agent or self.ann
        return self.d.api(method, path, body, agent=agent)

    def test_init_prints_account_inbox_and_administrator(self):
        account, inbox, agent = self.init
        self.assertEqual(account, {"type": "account", "id": 1, "name": "Acme Plumbing"})
        self.assertEqual(list(inbox)[0], "type")
        self.assertEqual(inbox["type"], "inbox")
        self.assertEqual(inbox["id"], 1)
        self.assertEqual(inbox["name"], "Front desk")
        self.assertEqual(inbox["channel_type"], "Channel::TwilioSms")
        self.assertEqual(inbox["medium"], "sms")
        self.assertEqual(inbox["provider"], "twilio")
        self.assertEqual(inbox["phone_number"], PHONE)
        self.assertEqual(inbox["timezone"], "America/Chicago")
        self.assertEqual(inbox["account_id"], 1)
        self.assertEqual(inbox["member_ids"], [agent["id"]])
        self.assertEqual(agent["type"], "agent")
        self.assertEqual(agent["name"], "Ann Smith")
        self.assertEqual(agent["email"], "ann@acme.example")  # stored in lower case
        self.assertEqual(agent["role"], "administrator")
        self.assertEqual(agent["account_id"], 1)
        self.assertEqual(agent["inbox_ids"], [1])
        self.assertRegex(agent["token"], TOKEN_RE)

    def test_profile_answers_the_printed_token(self):
        r = self.api("GET", "/api/v1/profile")
        self.assertEqual(r.status, 200, r)
        p = r.json
        self.assertEqual(p["id"], self.init[2]["id"])
        self.assertEqual(p["email"], "ann@acme.example")
        self.assertEqual(p["role"], "administrator")
        self.assertEqual(p["account_id"], 1)
        self.assertEqual(p["access_token"], self.ann["token"])
        self.assertEqual([(a["id"], a["name"], a["role"]) for a in p["accounts"]],
                         [(1, "Acme Plumbing", "administrator")])
        r = self.api("GET", "/api/v1/profile", agent=self.ben_agent)
        self.assertEqual((r.status, r.json["email"], r.json["role"]),
                         (200, "ben@acme.example", "agent"))

    def test_inboxes_through_the_api(self):
        for agent in (self.ann, self.ben_agent):
            r = self.api("GET", "/api/v1/accounts/1/inboxes", agent=agent)
            self.assertEqual(r.status, 200, r)
            got = [(i["id"], i["name"], i["phone_number"], i["channel_type"], i["medium"])
                   for i in r.json["payload"]]
            self.assertEqual(got, [(1, "Front desk", PHONE, "Channel::TwilioSms", "sms"),
                                   (2, "Second line", PHONE2, "Channel::TwilioSms", "sms")])
        r = self.api("GET", "/api/v1/accounts/1/inboxes/2")
        self.assertEqual((r.status, r.json["timezone"]), (200, "UTC"))

    def test_agents_and_inbox_members_through_the_api(self):
        r = self.api("GET", "/api/v1/accounts/1/agents")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(a["name"], a["email"], a["role"]) for a in r.json
                          if a["email"] in ("ann@acme.example", "ben@acme.example")],
                         [("Ann Smith", "ann@acme.example", "administrator"),
                          ("Ben Ng", "ben@acme.example", "agent")])
        # Ben joined inbox 1 when added; inbox 2 took both when it was made.
        self.assertEqual(self.ben["inbox_ids"], [1])
        self.assertEqual(self.inbox2["member_ids"], [self.init[2]["id"], self.ben["id"]])
        for inbox in (1, 2):
            r = self.api("GET", "/api/v1/accounts/1/inbox_members/%d" % inbox)
            self.assertEqual(r.status, 200, r)
            emails = [a["email"] for a in r.json["payload"]]
            self.assertIn("ann@acme.example", emails)
            self.assertIn("ben@acme.example", emails)

    def test_label_through_the_api(self):
        self.assertEqual(self.label["title"], "billing")  # lower case, as Chatwoot's
        self.assertEqual(self.label["account_id"], 1)
        r = self.api("GET", "/api/v1/accounts/1/labels")
        self.assertEqual(r.status, 200, r)
        got = [(lb["title"], lb["color"], lb["description"]) for lb in r.json["payload"]]
        self.assertIn(("billing", "#d7263d", "Money matters"), got)

    def test_team_and_membership_through_the_api(self):
        self.assertEqual(self.team["name"], "Front desk")
        self.assertEqual(self.team["member_ids"], [])
        self.assertEqual(self.member, {"type": "team_member", "team_id": self.team["id"],
                                       "team": "Front desk", "agent_id": self.ben["id"],
                                       "email": "ben@acme.example", "added": True})
        r = self.api("GET", "/api/v1/accounts/1/teams/%d" % self.team["id"],
                     agent=self.ben_agent)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["name"], r.json["description"], r.json["is_member"]),
                         ("Front desk", "Walk-ins", True))
        r = self.api("GET", "/api/v1/accounts/1/teams/%d" % self.team["id"])
        self.assertFalse(r.json["is_member"])

    def test_team_member_again_changes_nothing(self):
        rc, out, err = admin(self.db, "team", "member", "--team", str(self.team["id"]),
                             "--email", "BEN@acme.example")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, "agent %d <ben@acme.example> was already a member of team %d "
                              "(Front desk)\n" % (self.ben["id"], self.team["id"]))
        teams = admin_json(self, self.db, "team", "list")
        self.assertEqual([t["member_ids"] for t in teams if t["id"] == self.team["id"]],
                         [[self.ben["id"]]])

    def conversation_from(self, phone):
        r = self.api("GET", "/api/v1/accounts/1/conversations?status=all")
        self.assertEqual(r.status, 200, r)
        found = [c for c in r.json["data"]["payload"]
                 if c["meta"]["sender"]["phone_number"] == phone]
        self.assertEqual(len(found), 1, r.json)
        return found[0]

    def test_each_inbox_receives_sms_for_its_number(self):
        for to, inbox, sender in ((PHONE, 1, "+15557770001"), (PHONE2, 2, "+15557770002")):
            r = self.d.sms_in(sender, "Is the plumber coming today?", to=to)
            self.assertEqual(r.status, 200, r)
            conv = self.conversation_from(sender)
            self.assertEqual(conv["inbox_id"], inbox)
            r = self.api("GET", "/api/v1/accounts/1/conversations/%d/messages" % conv["id"],
                         agent=self.ben_agent)
            self.assertEqual(r.status, 200, r)
            self.assertEqual([(m["content"], m["message_type"]) for m in r.json["payload"]],
                             [("Is the plumber coming today?", 0)])

    def test_sms_to_a_number_without_inbox_is_404(self):
        r = self.d.sms_in("+15557770003", "hello?", to="+15551239999")
        self.assertEqual(r.status, 404, r)

    def test_agent_list_shows_no_tokens(self):
        rc, out, err = admin(self.db, "agent", "list")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("agent %d: Ann Smith <ann@acme.example>, administrator, account 1, "
                      "inboxes 1 2\n" % self.init[2]["id"], out)
        self.assertIn("agent %d: Ben Ng <ben@acme.example>, agent, account 1, inboxes 1 2\n"
                      % self.ben["id"], out)
        self.assertNotIn(self.ann["token"], out)
        self.assertNotIn(self.ben["token"], out)
        for a in admin_json(self, self.db, "agent", "list", "--account", "1"):
            self.assertEqual(a["type"], "agent")
            self.assertNotIn("token", a)

    def test_lists_as_json_and_text(self):
        inboxes = admin_json(self, self.db, "inbox", "list")
        self.assertEqual([(i["id"], i["phone_number"]) for i in inboxes], [(1, PHONE), (2, PHONE2)])
        labels = admin_json(self, self.db, "label", "list")
        self.assertIn(("billing", "#d7263d"), [(lb["title"], lb["color"]) for lb in labels])
        rc, out, _ = admin(self.db, "inbox", "list")
        self.assertEqual(rc, 0)
        self.assertIn("inbox 1: Front desk, %s, America/Chicago, account 1, members" % PHONE, out)
        rc, out, _ = admin(self.db, "label", "list")
        self.assertIn("label %d: billing, #d7263d, account 1, Money matters\n" % self.label["id"],
                      out)

    def test_token_is_shown_once_and_rotates_while_the_server_runs(self):
        cara = admin_json(self, self.db, "agent", "add", "--name", "Cara Diaz", "--email",
                          "cara@acme.example", "--role", "administrator")[0]
        self.assertEqual(cara["role"], "administrator")
        old = cara["token"]
        # Only the digest is stored: the token cannot be shown again.
        rc, out, err = admin(self.db, "agent", "token", "--email", "cara@acme.example")
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("stored only as digests", err)
        self.assertIn("--rotate", err)
        r = self.api("GET", "/api/v1/profile", agent=who(old))
        self.assertEqual((r.status, r.json["name"], r.json["access_token"]),
                         (200, "Cara Diaz", old))
        (rot,) = admin_json(self, self.db, "agent", "token", "--email", "cara@acme.example",
                            "--rotate")
        self.assertEqual((rot["type"], rot["agent_id"], rot["email"], rot["rotated"]),
                         ("token", cara["id"], "cara@acme.example", True))
        self.assertRegex(rot["token"], TOKEN_RE)
        self.assertNotEqual(rot["token"], old)
        r = self.api("GET", "/api/v1/profile", agent=who(old))
        self.assertEqual(r.status, 401, r)
        r = self.api("GET", "/api/v1/profile", agent=who(rot["token"]))
        self.assertEqual((r.status, r.json["email"]), (200, "cara@acme.example"))

    def test_remove_agent_revokes_and_never_reuses_the_id(self):
        dan = admin_json(self, self.db, "agent", "add", "--name", "Dan Li", "--email",
                         "dan@acme.example")[0]
        self.assertEqual(self.api("GET", "/api/v1/profile", agent=who(dan["token"])).status, 200)
        rc, out, err = admin(self.db, "agent", "remove", "--email", "dan@acme.example")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, "removed agent %d: Dan Li <dan@acme.example>\n" % dan["id"])
        self.assertEqual(self.api("GET", "/api/v1/profile", agent=who(dan["token"])).status, 401)
        emails = [a["email"] for a in admin_json(self, self.db, "agent", "list")]
        self.assertNotIn("dan@acme.example", emails)
        r = self.api("GET", "/api/v1/accounts/1/inbox_members/1")
        self.assertNotIn(dan["id"], [a["id"] for a in r.json["payload"]])
        eve = admin_json(self, self.db, "agent", "add", "--name", "Eve Ono", "--email",
                         "eve@acme.example")[0]
        self.assertGreater(eve["id"], dan["id"])
        (gone,) = admin_json(self, self.db, "agent", "remove", "--email", "eve@acme.example")
        self.assertEqual((gone["type"], gone["id"], gone["email"]),
                         ("agent_removed", eve["id"], "eve@acme.example"))

    def test_admin_reads_the_database_from_the_environment_and_config(self):
        rc, out, err = run("admin", "inbox", "list", "--json", env=clean_env(TWOWAYD_DB=self.db))
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual([json.loads(x)["phone_number"] for x in out.splitlines()], [PHONE, PHONE2])
        conf = os.path.join(self.tmp, "twowayd.conf")
        with open(conf, "w") as f:
            f.write("db = %s  # the team's database\n" % self.db)
        rc, out, err = run("--config", conf, "admin", "label", "list", "--json")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("billing", [json.loads(x)["title"] for x in out.splitlines()])
        # --db after the command words works too, and wins over the environment.
        rc, out, err = run("admin", "inbox", "list", "--db", self.db,
                           env=clean_env(TWOWAYD_DB=os.path.join(self.tmp, "nothing.db")))
        self.assertEqual((rc, err), (0, ""))
        self.assertIn(PHONE2, out)


class TestErrors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="twowayd-admin-")
        self.db = os.path.join(self.tmp, "team.db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fails(self, *args, says):
        rc, out, err = admin(self.db, *args)
        self.assertEqual(rc, 1, (out, err))
        self.assertEqual(out, "")
        self.assertTrue(err.startswith("twowayd: admin: "), err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn(says, err)
        return err

    def count(self, table):
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
        finally:
            conn.close()

    def test_init_twice_is_refused(self):
        init(self, self.db)
        self.fails("init", "--account", "Other", "--inbox-name", "X", "--inbox-phone",
                   "+15551230009", "--agent", "Zed", "--email", "zed@other.example",
                   says="already has an account")
        self.assertEqual((self.count("accounts"), self.count("agents"), self.count("inboxes")),
                         (1, 1, 1))

    def test_duplicate_email_is_refused_in_any_case(self):
        init(self, self.db)
        err = self.fails("agent", "add", "--name", "Ann Again", "--email", "ANN@acme.example",
                         says="ann@acme.example")
        self.assertIn("already has the email", err)
        self.assertEqual(self.count("agents"), 1)

    def test_bad_phones_are_refused(self):
        init(self, self.db)
        for phone in ("5551234567", "+0155512345", "+1555", "+1555abc4567", "+1234567890123456",
                      "", "+1 555 123 4567"):
            self.fails("inbox", "add", "--name", "Bad", "--phone", phone, says="E.164")
        self.fails("inbox", "add", "--name", "Same", "--phone", PHONE,
                   says="inbox 1 already has the number %s" % PHONE)
        self.assertEqual(self.count("inboxes"), 1)

    def test_bad_input_is_named(self):
        init(self, self.db)
        cases = [
            (("agent", "add", "--name", "X", "--email", "no-at.example"), "not an email address"),
            (("agent", "add", "--name", "X", "--email", "a@b@c"), "not an email address"),
            (("agent", "add", "--name", "X", "--email", "x@y", "--role", "owner"),
             "--role must be agent or administrator"),
            (("agent", "add", "--name", "", "--email", "x@y"), "--name must not be empty"),
            (("agent", "add", "--name", " X", "--email", "x@y"), "--name starts or ends"),
            (("agent", "add", "--name", "X\x1b[31m", "--email", "x@y"), "control character"),
            (("agent", "add", "--name", "X" * 256, "--email", "x@y"), "longer than 255"),
            (("agent", "add", "--name", "X", "--email", "x@y", "--account", "7"),
             "there is no account 7"),
            (("agent", "add", "--name", "X", "--email", "x@y", "--account", "one"),
             "--account must be a positive number"),
            (("agent", "add", "--name", "X"), "--email is required"),
            (("agent", "add", "--name", "X", "--email", "x@y", "--bogus", "1"),
             "unknown option --bogus"),
            (("agent", "add", "--name", "X", "--name", "Y", "--email", "x@y"), "given twice"),
            (("agent", "token"), "--email is required"),
            (("agent", "token", "--email", "nobody@acme.example"), "no agent with email"),
            (("agent", "remove", "--email", "ann@acme.example"), "only administrator"),
            (("inbox", "add", "--name", "X", "--phone", "+15551230005", "--timezone",
              "Mars/Olympus"), "--timezone: unknown time zone"),
            (("label", "add", "--title", "x", "--color", "red"), "--color must be #rrggbb"),
            (("label", "add", "--title", "x", "--color", "#12345g"), "--color must be #rrggbb"),
            (("label", "add", "--title", "two words"), "--title may hold only"),
            (("team", "member", "--team", "nope", "--email", "ann@acme.example"), "has no team"),
            (("agent", "frob"), "unknown command: agent frob"),
            (("frob",), "unknown command: frob"),
            (("agent",), "say what to do"),
        ]
        for args, says in cases:
            with self.subTest(args=args):
                self.fails(*args, says=says)
        self.assertEqual((self.count("agents"), self.count("inboxes"), self.count("labels")),
                         (1, 1, 0))

    def test_duplicates_of_labels_and_teams(self):
        init(self, self.db)
        admin_json(self, self.db, "label", "add", "--title", "vip")
        self.fails("label", "add", "--title", "VIP", says="already has a label vip")
        # Titles fold Unicode case, as the API stores and filters them.
        added = admin_json(self, self.db, "label", "add", "--title", "ÉLITE")
        self.assertEqual(added[0]["title"], "élite")
        self.fails("label", "add", "--title", "Élite", says="already has a label élite")
        admin_json(self, self.db, "team", "add", "--name", "Billing")
        self.fails("team", "add", "--name", "billing", says="already has a team")
        self.assertEqual((self.count("labels"), self.count("teams")), (2, 1))

    def test_failed_init_writes_nothing_and_init_then_works(self):
        self.fails("init", "--account", "Acme", "--inbox-name", "Front", "--inbox-phone",
                   "+15551230001", "--timezone", "Nowhere/Land", "--agent", "Ann", "--email",
                   "ann@acme.example", says="unknown time zone")
        self.assertEqual(self.count("accounts"), 0)
        self.fails("agent", "add", "--name", "X", "--email", "x@y", says="no account yet")
        init(self, self.db)
        self.assertEqual(self.count("accounts"), 1)

    def test_commands_other_than_init_never_create_a_database(self):
        self.fails("agent", "list", says="there is no database at")
        self.assertFalse(os.path.exists(self.db))

    def test_several_accounts_need_account(self):
        d = twtest.Twowayd(demo=True, db=self.db)  # the demo has two accounts
        d.stop()
        self.fails("label", "add", "--title", "x", says="choose one with --account")
        (label,) = admin_json(self, self.db, "label", "add", "--title", "x", "--account", "2")
        self.assertEqual(label["account_id"], 2)
        agents = admin_json(self, self.db, "agent", "list", "--account", "2")
        self.assertEqual({a["account_id"] for a in agents}, {2})
        d.cleanup()

    def test_help(self):
        rc, out, err = run("admin", "help")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("agent add --name NAME --email EMAIL", out)
        rc, out2, _ = run("admin", "agent", "add", "--help")
        self.assertEqual((rc, out2), (0, out))


def man_text():
    """The man page source with escapes and fonts taken out."""
    with open(MAN_PAGE) as f:
        s = f.read()
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\-", "-").replace("\\(dq", '"').replace("\\&", "")
    return s


def help_options():
    """(command-line options, config option names) from `twowayd --help`."""
    rc, out, _ = run("--help")
    assert rc == 0
    head, sep, table = out.partition("Options (config file")
    assert sep, out
    flags = set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", head, re.M))
    names = set(re.findall(r"^  ([a-z][a-z0-9_]*)\s", table, re.M))
    return flags, names


def short_options():
    rc, out, _ = run("--help")
    return set(re.findall(r"^\s+(-\w), --", out, re.M))


def admin_commands():
    rc, out, _ = run("admin", "help")
    assert rc == 0
    return re.findall(r"^  ([a-z]+(?: [a-z]+)?) (?:--|\[)", out, re.M)


class TestDocs(unittest.TestCase):
    def test_help_parses(self):
        flags, names = help_options()
        self.assertTrue({"--listen", "--db", "--config", "--demo", "--simulate", "--log",
                         "--verbose", "--help", "--version"} <= flags, flags)
        self.assertTrue({"listen", "public_url", "twilio_auth_token", "business_hours",
                         "log_level"} <= names, names)
        self.assertIn("agent token", admin_commands())

    def test_man_page_mentions_every_option_and_command(self):
        text = man_text()
        flags, names = help_options()
        shorts = short_options()
        self.assertEqual(shorts, {"-v", "-h", "-V"})
        for flag in sorted(flags):
            self.assertRegex(text, r"(?<![\w-])%s(?![\w-])" % re.escape(flag))
        for short in shorts:
            self.assertRegex(text, r"(?<![\w-])%s(?![\w-])" % re.escape(short))
        sections = re.split(r"^\.SH ", text, flags=re.M)
        config = [s for s in sections if s.startswith("CONFIGURATION")][0]
        for name in sorted(names):
            # Each option is a .TP entry of the CONFIGURATION section.
            self.assertRegex(config, r"\.TP\n\.B %s\n" % re.escape(name))
        self.assertIn("TWOWAYD_", config)
        commands = admin_commands()
        self.assertEqual(len(commands), 13, commands)
        for cmd in commands:
            self.assertIn("twowayd admin " + cmd, text)
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "CONFIGURATION",
                        "TWILIO SETUP", "COMPLIANCE", "ADMINISTRATION", "FILES", "SIGNALS",
                        "EXIT STATUS", "SECURITY", "EXAMPLES", "SEE ALSO"):
            self.assertRegex(text, r"(?m)^\.SH \"?%s\"?$" % section)
        for path in ("/twilio/sms", "/twilio/status", "/api/v1/profile", "OptOutType"):
            self.assertIn(path, text)

    @unittest.skipUnless(shutil.which("man"), "man is not installed")
    def test_man_page_renders_without_warnings(self):
        p = subprocess.run(["man", "--warnings", "-l", MAN_PAGE], capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        shown = p.stdout.replace("\u2010", "-").replace("\u2212", "-")
        self.assertIn("twowayd admin agent token", shown)

    def test_example_config_covers_every_option_and_loads(self):
        with open(EXAMPLE_CONFIG) as f:
            conf = f.read()
        _, names = help_options()
        for name in sorted(names):
            self.assertRegex(conf, r"(?m)^#%s =" % re.escape(name))
        # Uncommented, every line sets the default again (the last of two
        # lines for one name is the default), so twowayd starts with it.
        active = re.sub(r"(?m)^#([a-z_]+ =)", r"\1", conf)
        d = twtest.Twowayd(demo=False, config=active)
        try:
            r = d.api("GET", "/api/v1/profile", token="nobody")
            self.assertEqual(r.status, 401)
            self.assertEqual(d.server_info["public_url"], d.base_url)
        finally:
            d.cleanup()


if __name__ == "__main__":
    unittest.main()
