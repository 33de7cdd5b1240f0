"""Messages with files (MMS), over HTTP against a real twowayd: a
multipart/form-data message create as Chatwoot's dashboard sends it
(content, private, echo_id, attachments[]), the file kept by twowayd and
served at a signed, expiring URL under public_url, and the reply sent to
(a fake) Twilio with that URL as MediaUrl; bad and expired signatures,
limits, odd names and types; the simulator taking media."""
import hashlib
import json
import hmac
import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
from test_sender import FakeTwilio  # noqa: E402

# A tiny JPEG (the SOI and APP0 markers and some bytes; enough for a type).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
URL = re.compile(r"^(http://127\.0\.0\.1:\d+)/attachments/(\d+)/([^?/]+)"
                 r"\?expires=(\d+)&signature=([0-9a-f]{64})$")


class Attachments(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeTwilio()
        cls.d = twtest.Twowayd(demo=True, env={"TWOWAYD_TWILIO_BASE_URL": cls.fake.url},
                               config="max_upload = 300000\n")
        cls.ann = cls.d.agent(0)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.fake.http.cleanup()

    def post(self, conv, fields=(), files=(), body=None, ctype=None):
        if body is None:
            body, ctype = twtest.multipart(fields, files)
        path = self.d.acc("/conversations/%d/messages" % conv)
        hdrs = {"api_access_token": self.ann["token"], "Content-Type": ctype}
        status, _, out = twtest.http_bytes("POST", self.d.base_url + path, body, hdrs)
        return status, out

    def create(self, conv, fields=(), files=()):
        status, out = self.post(conv, fields, files)
        self.assertEqual(status, 200, out)
        return json.loads(out)

    def sent_with(self, text):
        """The form twowayd sent Twilio for the message text."""
        def find():
            for f in self.fake.forms():
                if f.get("Body") == [text] or (text == "" and "Body" not in f and
                                               f.get("MediaUrl")):
                    return f
            return None
        return twtest.wait_for(find, what="the send of %r at the fake Twilio" % text,
                               seen=lambda: repr(self.fake.forms()))

    def test_a_file_goes_out_as_mediaurl_and_is_served_at_its_signed_url(self):
        m = self.create(1, [("content", "Here is your X-ray"), ("private", "false"),
                            ("echo_id", "mms-1")],
                        [("attachments[]", "xray.jpg", "image/jpeg", JPEG)])
        self.assertEqual((m["content"], m["echo_id"], m["private"]),
                         ("Here is your X-ray", "mms-1", False))
        [a] = m["attachments"]
        self.assertEqual((a["file_type"], a["extension"], a["file_size"], a["message_id"]),
                         ("image", "jpg", len(JPEG), m["id"]))
        u = URL.match(a["data_url"])
        self.assertTrue(u, a["data_url"])
        self.assertEqual((u.group(1), u.group(2), u.group(3)),
                         (self.d.base_url, str(a["id"]), "xray.jpg"))
        # Twilio gets it as MediaUrl, with the text.
        form = self.sent_with("Here is your X-ray")
        [media] = form["MediaUrl"]
        self.assertTrue(URL.match(media), media)
        # Whoever holds the URL gets the bytes; they are never a page.
        status, hdrs, body = twtest.http_bytes("GET", media)
        self.assertEqual((status, body), (200, JPEG))
        self.assertEqual(hdrs["content-type"], "image/jpeg")
        self.assertEqual(hdrs["x-content-type-options"], "nosniff")
        self.assertEqual(hdrs["content-security-policy"], "sandbox")
        self.assertEqual(hdrs["content-disposition"], 'inline; filename="xray.jpg"')
        # The thread lists it the same way.
        listed = [x for x in twtest.all_messages(self.d, 1) if x["id"] == m["id"]][0]
        self.assertEqual(listed["attachments"][0]["id"], a["id"])
        self.assertTrue(URL.match(listed["attachments"][0]["data_url"]))

    def test_bad_and_expired_signatures_are_refused(self):
        m = self.create(2, [("content", "Your invoice")],
                        [("attachments[]", "invoice.pdf", "application/pdf", b"%PDF-1.4 x")])
        url = m["attachments"][0]["data_url"]
        u = URL.match(url)
        base, aid, name, expires, sig = u.groups()
        self.assertEqual(twtest.http_bytes("GET", url)[0], 200)

        def get(query):
            status, _, body = twtest.http_bytes(
                "GET", "%s/attachments/%s/%s?%s" % (base, aid, name, query))
            return status, body.decode()
        flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
        for query, why in (("expires=%s&signature=%s" % (expires, flipped), "not valid"),
                           ("expires=%d&signature=%s" % (int(expires) + 1, sig), "not valid"),
                           ("expires=%s" % expires, "not signed"),
                           ("", "not signed"),
                           ("expires=x&signature=%s" % sig, "not signed")):
            status, body = get(query)
            self.assertEqual(status, 403, query)
            self.assertIn(why, body, query)
        # Another attachment's signature does not open this one.
        other = self.create(2, [("content", "x")],
                            [("attachments[]", "b.pdf", "application/pdf", b"%PDF other")])
        o = URL.match(other["attachments"][0]["data_url"])
        self.assertEqual(get("expires=%s&signature=%s" % (o.group(4), o.group(5)))[0], 403)
        # Signed with the real key but past its time: expired.
        key = bytes.fromhex(self.d.sql("SELECT value FROM settings WHERE key = "
                                       "'attachment_key'")[0][0])
        past = int(time.time()) - 60
        good = hmac.new(key, ("attachment:%s:%d" % (aid, past)).encode(),
                        hashlib.sha256).hexdigest()
        status, body = get("expires=%d&signature=%s" % (past, good))
        self.assertEqual(status, 403)
        self.assertIn("expired", body)
        # A PDF is a download, not shown in place.
        status, hdrs, _ = twtest.http_bytes("GET", url)
        self.assertEqual(hdrs["content-disposition"], 'attachment; filename="invoice.pdf"')

    def test_a_file_without_text_and_the_same_echo_id_again(self):
        fields = [("echo_id", "mms-only-1")]
        files = [("attachments[]", "smile.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"p" * 50)]
        m = self.create(3, fields, files)
        self.assertIsNone(m["content"])
        form = self.sent_with("")
        self.assertEqual(len(form["MediaUrl"]), 1)
        # The same create again (a lost answer): the same message, no second SMS.
        again = self.create(3, fields, files)
        self.assertEqual(again["id"], m["id"])
        self.d.wait_outbox_idle()
        sends = [f for f in self.fake.forms() if f.get("MediaUrl") and "Body" not in f and
                 URL.match(f["MediaUrl"][0]).group(2) == str(m["attachments"][0]["id"])]
        self.assertEqual(len(sends), 1)

    def test_a_private_note_with_a_file_is_not_sent(self):
        n = len(self.fake.requests)
        m = self.create(4, [("content", "scan of her card"), ("private", "true")],
                        [("attachments[]", "card.jpg", "image/jpeg", JPEG)])
        self.assertTrue(m["private"])
        self.d.wait_outbox_idle()
        self.assertFalse(any("scan of her card" in str(f) for f in self.fake.forms()[n:]))
        self.assertEqual(twtest.http_bytes("GET", m["attachments"][0]["data_url"])[2], JPEG)

    def test_names_and_types_are_made_safe(self):
        m = self.create(5, [("content", "files")],
                        [("attachments[]", "../../etc/pass wd.JPG", "image/jpeg", JPEG),
                         ("attachments[]", "naïve résumé.pdf", None, b"%PDF-1.4"),
                         ("attachments[]", "page.html", "text/html", b"<script>x</script>"),
                         ("attachments[]", "...", "bad type\r\nX-Evil: 1", b"data")])
        names = [URL.match(a["data_url"]).group(3) for a in m["attachments"]]
        self.assertEqual(names, ["pass_wd.JPG", "na_ve_r_sum_.pdf", "page.html",
                                 "attachment"])
        self.assertEqual([a["file_type"] for a in m["attachments"]],
                         ["image", "file", "file", "file"])
        self.assertEqual([a["extension"] for a in m["attachments"]], ["jpg", "pdf", "html", None])
        # HTML is served as a sandboxed download, never as a page of ours.
        status, hdrs, body = twtest.http_bytes("GET", m["attachments"][2]["data_url"])
        self.assertEqual((status, hdrs["content-type"]), (200, "text/html"))
        self.assertEqual(hdrs["content-disposition"], 'attachment; filename="page.html"')
        self.assertEqual(hdrs["content-security-policy"], "sandbox")
        status, hdrs, body = twtest.http_bytes("GET", m["attachments"][3]["data_url"])
        self.assertEqual(hdrs["content-type"], "application/octet-stream")
        self.assertNotIn("x-evil", hdrs)

    def test_limits_and_malformed_forms(self):
        before = len(twtest.all_messages(self.d, 6))
        eleven = [("attachments[]", "f%d.jpg" % i, "image/jpeg", JPEG[:100]) for i in range(11)]
        status, out = self.post(6, [("content", "too many")], eleven)
        self.assertEqual(status, 422)
        self.assertIn(b"at most 10 attachments", out)
        status, out = self.post(6, [("content", "empty")],
                                [("attachments[]", "e.jpg", "image/jpeg", b"")])
        self.assertEqual(status, 422)
        self.assertIn(b"attachment 1 is empty", out)
        status, out = self.post(6, [("content", "big")],
                                [("attachments[]", "big.jpg", "image/jpeg", b"x" * 300001)])
        self.assertEqual(status, 413)
        status, out = self.post(6, body=b"--nope\r\nnot a form", ctype="multipart/form-data")
        self.assertEqual(status, 400)
        body, ctype = twtest.multipart([("content", "cut short")],
                                       [("attachments[]", "c.jpg", "image/jpeg", JPEG)])
        status, out = self.post(6, body=body[:-40], ctype=ctype)
        self.assertEqual(status, 400)
        status, out = self.post(6, [("content", "bad private"), ("private", "perhaps")])
        self.assertEqual(status, 422)
        status, out = self.post(6, [("private", "false")])
        self.assertEqual(status, 422)  # neither text nor files
        self.assertEqual(len(twtest.all_messages(self.d, 6)), before)

    def test_json_creates_are_as_before(self):
        r = self.d.api("POST", self.d.acc("/conversations/7/messages"), {"content": "plain"})
        self.assertEqual(r.status, 422)  # #7 opted out: the refusal comes first
        r = self.d.api("POST", self.d.acc("/conversations/9/messages"), {"content": "plain"})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("attachments", r.json)


class FreshLinks(unittest.TestCase):
    """A link given out stays valid for at least half of
    attachment_url_ttl, and answers give fresh ones as time goes on, the
    conversation list's last message too (which is kept rendered between
    writes)."""

    def test_links_are_made_anew_as_their_period_turns(self):
        with twtest.Twowayd(demo=True, config="attachment_url_ttl = 2\n",
                            env={"TWOWAYD_TWILIO_BASE_URL": twtest.nowhere()}) as d:
            ann = d.agent(0)
            body, ctype = twtest.multipart([("content", "see this"), ("private", "true")],
                                           [("attachments[]", "a.png", "image/png", b"png")])
            status, _, out = twtest.http_bytes(
                "POST", d.base_url + d.acc("/conversations/3/messages"), body,
                {"api_access_token": ann["token"], "Content-Type": ctype})
            self.assertEqual(status, 200, out)

            def listed():
                r = d.api("GET", d.acc("/conversations?status=all&assignee_type=all"))
                [c] = [c for c in r.json["data"]["payload"] if c["id"] == 3]
                return c["last_non_activity_message"]["attachments"][0]["data_url"]
            first = listed()
            fresh = twtest.wait_for(lambda: listed() != first and listed(),
                                    what="a fresh link in the conversation")
            self.assertEqual(twtest.http_bytes("GET", fresh)[0], 200)
            # The first one has run out by then, or soon will.
            twtest.wait_for(lambda: twtest.http_bytes("GET", first)[0] == 403,
                            what="the first link to expire")


class LinkCommands(unittest.TestCase):
    """copy-link and open-link in a script: the link printed (the clipboard
    is a screen's), the opener run with it as one argument."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeTwilio()
        cls.d = twtest.Twowayd(demo=True, env={"TWOWAYD_TWILIO_BASE_URL": cls.fake.url})
        cls.r = twtest.TwowayRunner(cls.d)
        ann = cls.d.agent(0)
        cls.urls = []
        for name in ("first.jpg", "second.pdf"):
            body, ctype = twtest.multipart(
                [("content", name)], [("attachments[]", name, None, b"bytes of " + name.encode())])
            status, _, out = twtest.http_bytes(
                "POST", cls.d.base_url + cls.d.acc("/conversations/2/messages"), body,
                {"api_access_token": ann["token"], "Content-Type": ctype})
            assert status == 200, out
            cls.urls.append(json.loads(out)["attachments"][0]["data_url"])

    @classmethod
    def tearDownClass(cls):
        cls.r.cleanup()
        cls.d.cleanup()
        cls.fake.http.cleanup()

    def test_copy_link_prints_the_newest_or_the_nth(self):
        rc, out, err = self.r.run("open 2\ncopy-link\ncopy-link 2\n")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines, ["#2 James Carter", self.urls[1], self.urls[0]])
        # The link works for whoever has it.
        self.assertEqual(twtest.http_bytes("GET", lines[2])[2], b"bytes of first.jpg")
        rc, out, err = self.r.run("copy-link --conversation 2 1\n", json_out=True)
        self.assertEqual(rc, 0, err)
        rec = json.loads(out.splitlines()[0])
        self.assertEqual((rec["url"], rec["file_type"], rec["size"], rec["conversation"]),
                         (self.urls[1], "file", len(b"bytes of second.pdf"), 2))

    def test_no_such_attachment(self):
        rc, out, err = self.r.run("open 2\ncopy-link 3\n")
        self.assertEqual(rc, 1)
        self.assertIn("no attachment 3 in #2 (they count from the newest)", err)
        rc, out, err = self.r.run("open 5\ncopy-link\n")
        self.assertIn("no attachment in #5", err)
        rc, out, err = self.r.run("open 2\ncopy-link x\n")
        self.assertIn('"x" is not an attachment number', err)

    def test_open_link_runs_the_opener_detached(self):
        tmp = self.r.home
        out = os.path.join(tmp, "opened.txt")
        script = self.r.write("opener.sh", "#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s.tmp && "
                              "mv %s.tmp %s\n" % (out, out, out), mode=0o700)
        rc, o, err = self.r.run("set opener = \"%s one\"\nopen 2\nopen-link 2\n" % script)
        self.assertEqual(rc, 0, err)
        self.assertIn("opening file", o)
        got = twtest.wait_for(lambda: os.path.exists(out) and open(out).read(),
                              what="the opener's record")
        self.assertEqual(got.splitlines(), ["one", self.urls[0]])
        rc, o, err = self.r.run("set opener = /nonexistent/x\nopen 2\nopen-link\n")
        self.assertEqual(rc, 1)
        self.assertIn("cannot run /nonexistent/x: No such file or directory", err)


class Simulated(unittest.TestCase):
    """The simulator's stand-in for Twilio takes media and says so."""

    def test_the_simulator_takes_a_message_with_media(self):
        env = {"TWOWAYD_SIM_INTERVAL": "3600", "TWOWAYD_SIM_FAIL_CHANCE": "0",
               "TWOWAYD_SIM_DELIVERY_DELAY": "0.1"}
        with twtest.Twowayd(demo=True, simulate=True, env=env) as d:
            ann = d.agent(0)
            body, ctype = twtest.multipart([("content", "see attached")],
                                           [("attachments[]", "map.png", "image/png", b"\x89PNG")])
            status, _, out = twtest.http_bytes(
                "POST", d.base_url + d.acc("/conversations/1/messages"), body,
                {"api_access_token": ann["token"], "Content-Type": ctype})
            self.assertEqual(status, 200, out)
            m = d.wait_log(r"sim: (SM\w+) media (\S+)")[0]
            self.assertRegex(m.group(2), r"^http://127\.0\.0\.1:\d+/attachments/\d+/map\.png$")
            self.assertNotIn("signature=", d.log_text())
            d.wait_log(r"sim: %s (delivered|sent)" % m.group(1))


if __name__ == "__main__":
    unittest.main()
