"""Live updates: with the ActionCable channel up, what happens on the
server shows within moments even though twoway would poll only every five
minutes (poll_interval = 300): a new message, a new conversation, a
colleague typing, the composer's warning that a colleague types or just
replied; after twowayd restarts twoway reconnects and catches up on what
it missed; behind a proxy that will not upgrade to WebSocket it says
"polling" and polls.

The agent is Ann Lee; Ben Ortiz is the colleague. Mike Sullivan (#30) is
Ann's conversation."""
import os
import re
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402

MIKE = "+15550101030"
SLOW_POLL = "set poll_interval = 300\nset notify = none\n"
# The Done-when of live updates: on screen within this, with no polling.
LIVE_DEADLINE = 2.0


class LiveScreen(screen.ScreenCase):

    def setUp(self):
        self.tw = self.twoway(config=SLOW_POLL)
        self.wait_status("live")
        self.ann, self.ben = self.d.agent(0), self.d.agent(1)

    def on_screen_within(self, text, deadline, where=None):
        t0 = time.time()
        look = self.wait_thread if where == "thread" else self.s.wait_for
        look(text, timeout=screen.TIMEOUT)
        took = time.time() - t0
        self.assertLess(took, deadline, "%r took %.2f s to show" % (text, took))

    def open_mike(self):
        conv = screen.conv_by_phone(self.d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        return conv

    def test_new_message_shows_at_once(self):
        conv = self.open_mike()
        text = "Is the van still coming? %d" % time.time()
        self.assertEqual(self.d.sms_in(MIKE, text).status, 200)
        self.on_screen_within(text, LIVE_DEADLINE, where="thread")
        # The list's row too (its preview is the newest message).
        self.s.wait_for(text[:20])
        self.assertIn(str(conv), self.s.text())

    def test_new_conversation_shows_at_once(self):
        self.s.keys("2")  # Unassigned: where a new customer lands
        self.wait_tab("Unassigned")
        phone = "+1555017%04d" % (int(time.time()) % 10000)
        text = "New customer here %d" % time.time()
        self.assertEqual(self.d.sms_in(phone, text).status, 200)
        self.on_screen_within(text[:30], LIVE_DEADLINE)

    def test_colleague_typing_shows_and_clears(self):
        conv = self.open_mike()
        path = self.d.acc("/conversations/%d/toggle_typing_status" % conv)
        r = self.d.api("POST", path, {"typing_status": "on"}, agent=self.ben)
        self.assertEqual(r.status, 200)
        self.on_screen_within("Ben Ortiz is typing", LIVE_DEADLINE, where="thread")
        # The list marks the row too.
        self.s.wait_for(re.compile(r"✎ Ben Ortiz is typing"))
        self.d.api("POST", path, {"typing_status": "off"}, agent=self.ben)
        self.s.wait_gone("is typing")

    def test_composer_warns_of_a_colleague(self):
        conv = self.open_mike()
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .*›" % conv))
        self.s.type("Hi Mike, ")
        path = self.d.acc("/conversations/%d/toggle_typing_status" % conv)
        self.d.api("POST", path, {"typing_status": "on"}, agent=self.ben)
        self.wait_status(re.compile(r"Reply to #%d .*Ben Ortiz is typing here" % conv))
        self.d.api("POST", path, {"typing_status": "off"}, agent=self.ben)
        text = "Ben here: the van left at 9. %d" % time.time()
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % conv),
                       {"content": text}, agent=self.ben)
        self.assertEqual(r.status, 200)
        self.wait_status(re.compile(r"Reply to #%d .*Ben Ortiz replied just now" % conv))
        # Ann's own typing reached twowayd as typing_on for Ben's client.
        self.escape()

    def test_own_typing_reaches_colleagues(self):
        import wsclient
        conv = self.open_mike()
        ben = wsclient.Cable(self.d.port)
        self.addCleanup(ben.close)
        token = self.d.api("GET", "/api/v1/profile", agent=self.ben).json["pubsub_token"]
        ben.subscribe(ben.identifier(token, self.ben["account_id"], self.ben["id"]))
        ben.wait(lambda m: m.get("type") == "confirm_subscription")
        self.s.keys("r")
        self.wait_input(re.compile(r"^reply #%d .*›" % conv))
        self.s.type("Hello")
        on = ben.wait_event("conversation.typing_on")
        self.assertEqual((on["conversation"]["id"], on["user"]["id"]), (conv, self.ann["id"]))
        self.escape()  # leaving the composer says Ann stopped
        off = ben.wait_event("conversation.typing_off")
        self.assertEqual(off["user"]["id"], self.ann["id"])

    def test_reconnect_after_restart_catches_up(self):
        d = screen.start_twowayd(self, env={"TWOWAYD_CABLE_PING": "0.5"})
        tw = self.twoway(d, config=SLOW_POLL)
        self.s = tw.screen
        self.wait_status("live")
        conv = screen.conv_by_phone(d, MIKE)["id"]
        self.open_conv(conv, wait="On our way, 10 min")
        text = "Written while the server was down %d" % time.time()
        d.kill()
        self.wait_status(re.compile(r"offline|polling"))
        # A message lands in the database while twowayd is down: no event
        # will ever announce it; only the catch-up can show it.
        db = sqlite3.connect(d.db)
        try:
            now = time.time()
            (cid, acc, inbox, contact) = db.execute(
                "SELECT id, account_id, inbox_id, contact_id FROM conversations "
                "WHERE account_id = 1 AND display_id = ?", (conv,)).fetchone()
            db.execute("INSERT INTO messages(account_id, conversation_id, inbox_id, content, "
                       "message_type, sender_type, sender_id, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, 0, 'Contact', ?, ?, ?)",
                       (acc, cid, inbox, text, contact, now, now))
            db.execute("UPDATE conversations SET last_activity_at = ?, updated_at = ? "
                       "WHERE id = ?", (now, now, cid))
            db.commit()
        finally:
            db.close()
        d.start()
        self.wait_status("live", timeout=screen.TIMEOUT + 20)
        self.wait_thread(text)

    def test_proxy_without_websocket_falls_back_to_polling(self):
        proxy = screen.Proxy(self.d)
        self.addCleanup(proxy.cleanup)
        tw = self.twoway(config="set poll_interval = 1\nset notify = none\n", url=proxy.url)
        self.s = tw.screen
        self.wait_status("polling")
        self.assertNotIn("live", self.status())
        # The proxy was asked for /cable and the upgrade did not happen.
        self.assertTrue(any(p.startswith("/cable") for _, _, p in proxy.log), proxy.log[-5:])
        # Polling still brings news.
        text = "Through the proxy %d" % time.time()
        self.assertEqual(self.d.sms_in(MIKE, text).status, 200)
        self.s.wait_for(text[:20])


if __name__ == "__main__":
    unittest.main(verbosity=2)
