"""Live updates, measured from outside: the real twoway in tmux against a
real twowayd on 127.0.0.1.

  new inbound -> on screen, with the live channel and poll_interval = 300
      (so polling cannot be what shows it): p50 and p95 over SAMPLES texts,
      each timed from the webhook's answer to the text on the screen
      (tmux capture-pane every 10 ms);
  idle with the live channel: HTTP requests (twoway's own log) and bytes to
      the terminal (tmux pipe-pane) over IDLE seconds without events;
  idle polling: twoway behind an HTTP proxy that will not upgrade to
      WebSocket (so it polls, every POLL s), after scrolling through most of
      a big inbox; requests and answer bytes per interval, counted at the
      proxy, over IDLE seconds without events.

Run: python3 bench/live.py  (TWOWAY_BUILD_DIR=build by default). Prints one
line per figure, `name value`."""
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import screen  # noqa: E402
import twtest  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
IDLE = float(os.environ.get("BENCH_IDLE", "30"))
POLL = 5
INBOX = int(os.environ.get("BENCH_INBOX", "400"))


def requests_in_log(tw, since_line):
    lines = open(tw.log, errors="replace").read().splitlines()
    return [l for l in lines[since_line:] if "http_request:" in l], len(lines)


def log_lines(tw):
    try:
        return len(open(tw.log, errors="replace").read().splitlines())
    except OSError:
        return 0


class Case:
    """start_pair's bookkeeping without unittest: cleanups run at exit."""

    def __init__(self):
        self.cleanups = []

    def addCleanup(self, fn, *a):
        self.cleanups.append((fn, a))

    addClassCleanup = addCleanup

    def close(self):
        for fn, a in reversed(self.cleanups):
            try:
                fn(*a)
            except Exception:
                pass


def seed(d, n):
    """n customers who each texted once (the demo has a couple of dozen)."""
    for i in range(n):
        r = d.sms_in("+1555020%04d" % i, "Order question %d" % i)
        assert r.status == 200, r


def wait_live(s):
    s.wait_for(re.compile(r"\blive · "), timeout=40, row=-2)


def latency(case, d):
    tw = screen.start_twoway(case, d, config="set poll_interval = 300\nset notify = none\n")
    s = tw.screen
    wait_live(s)
    s.keys("3")  # All: every new text is on the list
    times = []
    for i in range(SAMPLES):
        # The selection follows its conversation down as new ones arrive
        # above it: back to the top, so the newest rows are in view.
        s.keys("g")
        s.wait_for(re.compile(r" 1/\d+ "), timeout=10, row=0)
        text = "Latency probe %d %d" % (i, time.time())
        t0 = time.time()
        r = d.sms_in("+15550199%03d" % (i % 50), text)
        assert r.status == 200, r
        while text[:24] not in s.text():
            if time.time() - t0 > 30:
                raise AssertionError("a text never showed: %s\n%s\n%s" % (
                    text, s.text(), "\n".join(open(tw.log).read().splitlines()[-40:])))
            time.sleep(0.01)
        times.append(time.time() - t0)
        time.sleep(0.2)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print("push.inbound_to_screen_p50_ms %.0f" % (statistics.median(times) * 1000))
    print("push.inbound_to_screen_p95_ms %.0f" % (p95 * 1000))
    print("push.inbound_to_screen_max_ms %.0f" % (max(times) * 1000))
    tw.stop()


def idle_push(case, d):
    tw = screen.start_twoway(case, d, config="set poll_interval = 300\nset notify = none\n",
                             capture=True)
    s = tw.screen
    wait_live(s)
    time.sleep(3)  # start-up settles
    line0 = log_lines(tw)
    bytes0 = len(s.output())
    time.sleep(IDLE)
    reqs, _ = requests_in_log(tw, line0)
    out = len(s.output()) - bytes0
    print("push.idle_%ds_http_requests %d" % (IDLE, len(reqs)))
    print("push.idle_%ds_terminal_bytes %d" % (IDLE, out))
    tw.stop()


def idle_polling(case, d):
    # A proxy that forwards plain HTTP only: /cable never upgrades.
    proxy = screen.Proxy(d)
    case.addCleanup(proxy.cleanup)
    tw = screen.start_twoway(case, d, config="set poll_interval = %d\nset notify = none\n" % POLL,
                             url=proxy.url, capture=True)
    s = tw.screen
    s.wait_for(re.compile(r"\bpolling · "), timeout=40, row=-2)
    s.keys("3")  # All
    # Scroll through most of the inbox: every page the list loads stays.
    for _ in range(INBOX // 10):
        s.keys("NPage")
        time.sleep(0.05)
    # Until the pages asked for while scrolling are in (the total stands).
    last, since = None, time.monotonic()
    while time.monotonic() - since < 3 and time.monotonic() - since < 60:
        now = re.search(r" (\d+)/(\d+) ", s.row(0))
        now = now.group(2) if now else None
        if now != last:
            last, since = now, time.monotonic()
        time.sleep(0.2)
    loaded = re.search(r" (\d+)/(\d+)(?: |$)", s.row(0).rstrip())
    print("polling.rows_loaded %s" % (loaded.group(2) if loaded else "? (%r)" % s.row(0)))
    t0 = time.monotonic()
    bytes0 = len(s.output())
    time.sleep(IDLE)
    got = [a for a in list(proxy.answers) if a[0] >= t0]
    intervals = IDLE / POLL
    cable = [x for x in got if x[1].startswith("/cable")]
    rest = [x for x in got if not x[1].startswith("/cable")]
    print("polling.idle_requests_per_interval %.2f" % (len(rest) / intervals))
    print("polling.idle_bytes_per_interval %.0f" % (sum(x[2] for x in rest) / intervals))
    print("polling.idle_largest_answer_bytes %d" % max([x[2] for x in rest] or [0]))
    print("polling.cable_retries_in_%ds %d" % (IDLE, len(cable)))
    out = s.output()[bytes0:]
    print("polling.idle_%ds_terminal_bytes %d" % (IDLE, len(out)))
    if os.environ.get("BENCH_SHOW"):
        print("polling.idle_output %r" % out[:400])
    tw.stop()


def main():
    if screen.missing_tools():
        print("bench.skipped tmux missing")
        return
    case = Case()
    try:
        fake, env = twtest.fake_twilio()
        case.addCleanup(fake.cleanup)
        d = twtest.Twowayd(demo=True, env=env)
        case.addCleanup(d.cleanup)
        seed(d, INBOX)
        latency(case, d)
        idle_push(case, d)
        idle_polling(case, d)
    finally:
        case.close()


if __name__ == "__main__":
    main()
