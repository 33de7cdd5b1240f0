"""Soak: hundreds of replies through a hostile network, each exactly once.

SOAK_REPLIES replies (default 240) over several conversations go from
twoway to twowayd through fault proxies (tests/lib/faultproxy.py) that
spoil requests with every fault they know: most from several `twoway
--batch` runners (each with a home, so an outbox, of its own), some from
an interactive twoway in tmux, which meanwhile must answer every key
probe within KEY_DEADLINE. Replies the network left undecided are then
settled the way an agent would: `retry` for what may have been sent (the
last rounds on a clean network), replies kept as drafts sent again. At the
end twowayd holds each reply exactly once, the fake Twilio got each text
exactly once, and every fault kind was used.

Seeded: the plan of replies and each route's sequence of faults come from
the seed, printed at the start and on failure; SOAK_SEED=N replays a run
(the interleaving of concurrent requests may differ). Bounded: the
sending phase stops at SOAK_SECONDS (default 150) and the test fails if
the replies are not all out by then."""
import collections
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402
from faultproxy import FAULTS, FaultProxy, Rule  # noqa: E402

SEED = int(os.environ.get("SOAK_SEED") or random.SystemRandom().randrange(1, 10 ** 9))
REPLIES = int(os.environ.get("SOAK_REPLIES", "240"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "150"))
RUNNERS = 4
CONVERSATIONS = 8
CHUNK = 10
KEY_DEADLINE = 15.0  # seconds for a key to show on the screen (generous: 2 cores, shared)
INTERACTIVE_EVERY = 2.0

POST_MESSAGES = r"^/api/v1/accounts/\d+/conversations/\d+/messages$"
GET_MESSAGES = r"^/api/v1/accounts/\d+/conversations/\d+/messages\?"
GET_CONV = r"^/api/v1/accounts/\d+/conversations/\d+$"

# The create: about a third of them spoilt, by every fault.
CREATE = {"ok": 64, "delay": 5, "drop_before": 4, "drop_after": 5, "5xx_before": 3,
          "5xx_after": 4, "429": 2, "429_bare": 2, "truncated": 4, "garbage": 3, "reset": 4}
# The look before a resend (and the thread's polls).
LOOK = {"ok": 80, "delay": 3, "drop_before": 2, "drop_after": 2, "5xx_before": 2, "5xx_after": 2,
        "429": 1, "429_bare": 1, "truncated": 3, "garbage": 2, "reset": 2}
# The reply's read of its conversation: unreadable answers keep the reply
# as a draft (batch).
CONV = {"ok": 90, "delay": 3, "5xx_before": 2, "429": 1, "truncated": 2, "garbage": 2}
# Start-up and polls: failures that only slow things down.
OTHER = {"ok": 92, "delay": 3, "drop_before": 1, "5xx_before": 2, "429": 1, "reset": 1}


def rules(conv_weights=CONV):
    return [Rule("POST", POST_MESSAGES, CREATE), Rule("GET", GET_MESSAGES, LOOK),
            Rule("GET", GET_CONV, conv_weights), Rule("*", r"", OTHER)]


class Soak(unittest.TestCase):

    def setUp(self):
        print("soak: SOAK_SEED=%d replies=%d" % (SEED, REPLIES), flush=True)
        self.rng = random.Random(SEED)
        self.fake, env = twtest.fake_twilio()
        self.addCleanup(self.fake.cleanup)
        self.d = twtest.Twowayd(demo=True, env=env)
        self.addCleanup(self.d.cleanup)
        self.convs = [self.conversation(i) for i in range(CONVERSATIONS)]
        # Batch runners and the interactive client each have a proxy (so a
        # state directory) of their own; routes draw from seeded streams.
        self.proxy = FaultProxy(self.d.base_url, seed=SEED, rules=rules())
        self.addCleanup(self.proxy.stop)
        self.screen_proxy = FaultProxy(self.d.base_url, seed=SEED + 1,
                                       rules=rules({"ok": 92, "delay": 4, "5xx_before": 2,
                                                    "429": 2}))
        self.addCleanup(self.screen_proxy.stop)
        self.runners = [twtest.TwowayRunner(self.d, url=self.proxy.url) for _ in range(RUNNERS)]
        for r in self.runners:
            self.addCleanup(r.cleanup)
        self.lock = threading.Lock()
        self.stats = collections.Counter()
        self.problems = []

    def conversation(self, i):
        phone = "+1555017%04d" % (SEED % 5000 + i)
        r = self.d.sms_in(phone, "soak customer %d" % i)
        self.assertEqual(r.status, 200, r)
        r = self.d.api("GET", self.d.acc("/contacts/search?q=" + urllib.parse.quote(phone)))
        contact = r.json["payload"][0]["id"]
        r = self.d.api("GET", self.d.acc("/contacts/%d/conversations" % contact))
        return r.json["payload"][0]["id"]

    # ---- what is where ----

    def on_server(self):
        """{text: count} of outgoing messages over the soak's conversations."""
        seen = collections.Counter()
        for cid in self.convs:
            for m in twtest.all_messages(self.d, cid):
                if m["message_type"] == 1 and m["content"]:
                    seen[m["content"]] += 1
        return seen

    def texted(self):
        seen = collections.Counter()
        for q in list(self.fake.requests):
            body = urllib.parse.parse_qs(q["body"].decode()).get("Body")
            if body:
                seen[body[0]] += 1
        return seen

    def take_drafts(self, runner, texts):
        """Texts of `texts` kept as drafts under runner's home; the drafts go."""
        found = []
        for d in runner.state_dirs():
            for name in os.listdir(d):
                if not re.match(r"^draft-\d+\.txt$", name):
                    continue
                path = os.path.join(d, name)
                with open(path) as f:
                    draft = f.read()
                found += [t for t in texts if t in draft]
                os.unlink(path)
        return found

    def resent_after_stored(self):
        """{echo_id: n} of creates that reached the proxy after an earlier
        copy had been stored by twowayd (it answered 200): only a look that
        failed to see it would send it again."""
        out = collections.Counter()
        for proxy in (self.proxy, self.screen_proxy):
            stored = set()
            for e in list(proxy.log):
                if e[1] != "POST" or not e[2].endswith("/messages") or len(e) < 6:
                    continue
                echo = json.loads(e[5] or b"{}").get("echo_id")
                if echo in stored:
                    out[echo] += 1
                if e[4] == 200:
                    stored.add(echo)
        return dict(out)

    # ---- batch ----

    def batch_worker(self, runner, queue, deadline):
        try:
            self.batch_loop(runner, queue, deadline)
        except Exception as e:  # reported by the main thread
            self.problems.append("batch: %r" % e)

    def batch_loop(self, runner, queue, deadline):
        while time.time() < deadline:
            with self.lock:
                chunk = [queue.popleft() for _ in range(min(CHUNK, len(queue)))]
            if not chunk:
                return
            script = "".join("reply --conversation %d -- %s\n" % (c, t) for c, t in chunk)
            t0 = time.time()
            rc, out, err = runner.run(script, timeout=240)
            with self.lock:
                self.stats["batch runs"] += 1
                self.stats["batch seconds"] += time.time() - t0
                self.stats["replies reported sent"] += out.count(" sent to #")
                self.stats["reported may have been sent"] += err.count("may have been sent (")
                self.stats["reported not sent yet"] += len(re.findall(r"not (sent|confirmed) yet",
                                                                      err))
            again = self.take_drafts(runner, [t for _, t in chunk])
            if "cannot reach the server" in err or "did not start" in err:
                again = [t for _, t in chunk]  # nothing ran
            queued = {e["content"] for e in runner.outbox()}
            with self.lock:
                self.stats["kept as drafts, sent again"] += len(again)
                for c, t in chunk:
                    if t in again and t not in queued:
                        queue.append((c, t))

    # ---- the interactive client ----

    def interactive(self, tmp, stop, plan):
        import screen  # tmux; only here
        tw = screen.Twoway(self.d, tmp, config=screen.CONFIG, agent=0, url=self.screen_proxy.url)
        s = tw.screen
        self.tw = tw
        try:
            s.wait_for("Grace Whitman", timeout=60)
            i = 0
            while not stop.is_set():
                cid, text = plan[i % len(plan)] if i < len(plan) else (None, None)
                t0 = time.time()
                s.keys(":")
                s.wait(lambda: re.match(r"^\S*:", s.row(-1)), "the : line", KEY_DEADLINE)
                latency = time.time() - t0
                if text:
                    s.type("reply --conversation %d -- %s" % (cid, text))
                    s.keys("Enter")
                    self.stats["interactive replies"] += 1
                else:
                    s.keys("Escape")
                s.wait(lambda: s.row(-1).strip() == "", "the : line to close", KEY_DEADLINE)
                latency = max(latency, time.time() - t0)
                with self.lock:
                    self.stats["key probes"] += 1
                    self.stats["key probe max ms"] = max(self.stats["key probe max ms"],
                                                         int(latency * 1000))
                i += 1
                stop.wait(INTERACTIVE_EVERY)
            s.keys("q")
            s.wait(lambda: not s.alive(), "twoway to quit", 60)
            report = twtest.sanitizer_report(s.text())
            if report:
                self.problems.append("interactive twoway: sanitizer report:\n" + report)
        except Exception as e:  # reported by the main thread
            self.problems.append("interactive: %s" % e)
        finally:
            tw.stop()

    # ---- settling ----

    def settle(self, homes, leftovers, deadline):
        """Retry what may have been sent, send what came back as drafts;
        after the first rounds the network is clean."""
        rounds = 0
        while time.time() < deadline:
            rounds += 1
            if rounds == 3:
                self.proxy.rules = []
                self.screen_proxy.rules = []
                self.stats["settle rounds with faults"] = 2
            busy = False
            for runner in homes:
                entries = runner.outbox()
                if not entries:
                    continue
                busy = True
                lines = ["retry --conversation %d\n" % e["conv"] for e in entries
                         if e["state"] in ("unsure", "failed")] or ["list\n"]
                rc, out, err = runner.run("".join(lines), timeout=240)
                self.stats["settle runs"] += 1
                self.stats["retries"] += sum(1 for x in lines if x.startswith("retry"))
            if leftovers:
                busy = True
                chunk, leftovers[:] = list(leftovers), []
                script = "".join("reply --conversation %d -- %s\n" % (c, t) for c, t in chunk)
                rc, out, err = self.runners[0].run(script, timeout=240)
                again = self.take_drafts(self.runners[0], [t for _, t in chunk])
                leftovers += [(c, t) for c, t in chunk if t in again]
            if not busy:
                return rounds
        raise AssertionError("replies still unsettled at the deadline: %s" % (
            [(r.home, r.outbox()) for r in homes if r.outbox()],))

    # ---- the run ----

    def test_every_reply_exactly_once_through_faults(self):
        try:
            self.run_soak()
        except BaseException:
            print("soak: FAILED with SOAK_SEED=%d (replay: SOAK_SEED=%d meson test soak)"
                  % (SEED, SEED), file=sys.stderr, flush=True)
            raise

    def run_soak(self):
        start = time.time()
        deadline = start + SECONDS
        words = ["crown", "bridge", "filling", "cleaning", "x-ray", "invoice", "Tuesday",
                 "9:30", "café", "🦷", "ok", "thanks"]
        plan = [(self.rng.choice(self.convs),
                 "soak %d #%03d %s %s" % (SEED, i, self.rng.choice(words), self.rng.choice(words)))
                for i in range(REPLIES)]
        n_screen = max(10, REPLIES // 12)
        screen_plan, batch_plan = plan[:n_screen], plan[n_screen:]
        queue = collections.deque(batch_plan)

        stop = threading.Event()
        tmp = tempfile.mkdtemp(prefix="twoway-soak-")
        self.addCleanup(shutil.rmtree, tmp, True)
        inter = threading.Thread(target=self.interactive, args=(tmp, stop, screen_plan),
                                 daemon=True)
        inter.start()
        workers = [threading.Thread(target=self.batch_worker, args=(r, queue, deadline),
                                    daemon=True) for r in self.runners]
        for w in workers:
            w.start()
        for w in workers:
            w.join(max(1, deadline - time.time() + 300))
        self.assertEqual(len(queue), 0, "replies not sent within %ds" % SECONDS)
        # Let the interactive client finish its share, then quit it.
        while (self.stats["interactive replies"] < len(screen_plan) and time.time() < deadline
               and inter.is_alive()):
            time.sleep(0.5)  # pacing between looks
        stop.set()
        inter.join(120)
        self.assertEqual(self.problems, [])
        self.assertGreaterEqual(self.stats["interactive replies"], min(10, len(screen_plan)))
        sent_phase = time.time() - start

        # The interactive client's outbox, settled by batch with its home.
        screen_home = twtest.TwowayRunner(self.d, url=self.screen_proxy.url)
        shutil.rmtree(screen_home.home)
        screen_home.home = self.tw.home
        screen_home.agent = self.d.agent(0)
        homes = self.runners + [_AsAgent(screen_home, self.d.agent(0))]
        # A reply the screen could not check (the network spoilt the read of
        # its conversation) was given back to its draft, as twoway does when
        # it refuses a text: sent again, as the agent would.
        again = self.take_drafts(screen_home, [t for _, t in screen_plan])
        self.stats["interactive kept as drafts, sent again"] = len(again)
        leftovers = [(c, t) for c, t in screen_plan if t in again]
        rounds = self.settle(homes, leftovers, time.time() + 120)

        # Every planned reply: on the server once, texted once.
        expected = collections.Counter(t for _, t in plan)
        if self.stats["interactive replies"] < len(screen_plan):
            for _, t in screen_plan[self.stats["interactive replies"]:]:
                del expected[t]
        marker = "soak %d marker" % SEED
        r = self.d.api("POST", self.d.acc("/conversations/%d/messages" % self.convs[0]),
                       {"content": marker})
        self.assertEqual(r.status, 200, r)
        twtest.wait_for(lambda: self.texted()[marker] == 1, timeout=60, what="the marker SMS")
        stored, texted = self.on_server(), self.texted()
        resent = self.resent_after_stored()
        wrong_store = {t: stored[t] for t in expected if stored[t] != 1}
        wrong_text = {t: texted[t] for t in expected if texted[t] != 1}
        strays = {t: n for t, n in stored.items() if t.startswith("soak ") and t not in expected
                  and t != marker}
        summary = {
            "seed": SEED,
            "replies": sum(expected.values()),
            "interactive replies": self.stats["interactive replies"],
            "batch runs": self.stats["batch runs"],
            "settle rounds": rounds,
            "faults": {k: v for k, v in self.proxy.counts.items()},
            "faults (interactive)": {k: v for k, v in self.screen_proxy.counts.items() if v},
            "requests": len(self.proxy.log) + len(self.screen_proxy.log),
            "creates sent again after stored": sum(resent.values()),
            "stats": dict(self.stats),
            "sending seconds": round(sent_phase, 1),
            "seconds": round(time.time() - start, 1),
        }
        print("soak: " + json.dumps(summary, ensure_ascii=False), flush=True)
        self.assertEqual(wrong_store, {}, "replies not stored exactly once (seed %d)" % SEED)
        self.assertEqual(wrong_text, {}, "replies not texted exactly once (seed %d)" % SEED)
        self.assertEqual(strays, {}, "messages nobody planned (seed %d)" % SEED)
        # twowayd would catch a resend by its echo_id; Chatwoot would not.
        self.assertEqual(resent, {}, "creates sent again after the server had stored them")
        used = {k for k, v in self.proxy.counts.items() if v} | {
            k for k, v in self.screen_proxy.counts.items() if v}
        self.assertEqual(sorted(set(FAULTS) - used), [], "fault kinds never used")
        self.assertGreaterEqual(self.stats["key probes"], 10)
        self.assertLessEqual(self.stats["key probe max ms"], KEY_DEADLINE * 1000)
        for r in homes:
            self.assertEqual(r.outbox(), [])


class _AsAgent:
    """A TwowayRunner that runs as a given agent (the interactive one's)."""

    def __init__(self, runner, agent):
        self.runner, self.agent = runner, agent

    def run(self, script=None, **kw):
        return self.runner.run(script, agent=self.agent, **kw)

    def outbox(self):
        return self.runner.outbox()

    @property
    def home(self):
        return self.runner.home


if __name__ == "__main__":
    unittest.main(verbosity=2)
