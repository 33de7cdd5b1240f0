#!/usr/bin/env python3
"""twowayd under load: the figures of bench/README.md, from one command.

    bench/server.sh [--build DIR] [--sizes 10000,100000] [--duration SECS]

For each inbox size: a database seeded through `twowayd admin import`
(bench/gen_inbox.py), a twowayd on 127.0.0.1, and wrk against it (2
threads, 50 connections) for the list, a message page, meta, search and
/profile; writes alone and under 50 readers; Twilio webhooks arriving; and
normal requests while 300 slow clients from six addresses trickle their
headers. Prints a Markdown table with the targets of issue 10 and, since
the machine is shared and noisy, ratios measured in the same run.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROUNDS = 3  # runs of the list, /profile and the writes, taking turns
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import twtest  # noqa: E402  (the slow clients of the tests)
AUTH_TOKEN = "bench-twilio-auth-token"
ACCOUNT_SID = "ACbench000000000000000000000000000"
PUBLIC_URL = "http://twowayd.bench.invalid"
INBOX = "+15550100100"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---- wrk ---------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def median_run(runs):
    """The run with the median rate, its p50 and p99 the medians of all."""
    by_rate = sorted(runs, key=lambda r: r["rps"])
    out = dict(by_rate[len(by_rate) // 2])
    for k in ("p50", "p99"):
        out[k] = statistics.median(r[k] for r in runs)
    out["runs"] = [round(r["rps"]) for r in runs]
    return out


def wrk(url, duration, conns=50, threads=2, headers=(), script=None, env=None):
    """{'rps', 'p50', 'p99', 'requests', 'errors'} of one wrk run."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % duration, "--latency",
           "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})),
                         timeout=duration + 60).stdout
    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
           "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    for p in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % p, out, re.M)
        res["p" + p] = ms(m.group(1)) if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errs += sum(int(x) for x in m.groups())
    res["errors"] = errs
    return res


# ---- a twowayd ---------------------------------------------------------------

class Server:
    def __init__(self, binary, db, workdir):
        self.binary = binary
        self.db = db
        self.workdir = workdir
        self.proc = None

    def admin(self, *args, stdin=None):
        p = subprocess.run([self.binary, "--db", self.db, "admin", *args, "--json"],
                           capture_output=True, text=True, input=stdin, timeout=3600)
        if p.returncode != 0:
            raise SystemExit("twowayd admin %s: %s" % (" ".join(args), p.stderr))
        return [json.loads(line) for line in p.stdout.splitlines()]

    def start(self):
        conf = os.path.join(self.workdir, "twowayd.conf")
        with open(conf, "w") as f:
            f.write("public_url = %s\ntwilio_auth_token = %s\ntwilio_account_sid = %s\n"
                    "twilio_base_url = http://127.0.0.1:9\nmax_connections_per_address = 0\n"
                    "log_level = warn\n" % (PUBLIC_URL, AUTH_TOKEN, ACCOUNT_SID))
        self.proc = subprocess.Popen(
            [self.binary, "--listen", "127.0.0.1:0", "--db", self.db, "--config", conf,
             "--log", os.path.join(self.workdir, "twowayd.log")],
            stdout=subprocess.PIPE, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.base = info["base_url"]
        self.port = int(self.base.rsplit(":", 1)[1])
        for line in self.proc.stdout:
            if json.loads(line).get("type") == "ready":
                break

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(60)
            self.proc = None

    def get(self, path, token):
        req = urllib.request.Request(self.base + path, headers={"api_access_token": token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())


def seed(server, count):
    """An account with two agents and a team, and `count` generated
    conversations imported; the administrator's token and seconds taken."""
    out = server.admin("init", "--account", "Bench", "--inbox-name", "Front", "--inbox-phone",
                       INBOX, "--agent", "Ann Admin", "--email", "ann@bench.example")
    token = [o for o in out if o["type"] == "agent"][0]["token"]
    server.admin("agent", "add", "--name", "Ben Agent", "--email", "ben@bench.example")
    server.admin("team", "add", "--name", "Billing")
    if count == 0:
        return token, 0.0, 0
    gen = subprocess.run([sys.executable, os.path.join(HERE, "gen_inbox.py"), str(count),
                          "--agents", "ann@bench.example,ben@bench.example", "--team",
                          "Billing"], capture_output=True, text=True, check=True).stdout
    t0 = time.monotonic()
    (done,) = server.admin("import", "--file", "-", stdin=gen)
    return token, time.monotonic() - t0, done["messages"]


# ---- Twilio webhooks ---------------------------------------------------------

def signature(url, params):
    s = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(AUTH_TOKEN.encode(), s.encode(), hashlib.sha1).digest()
                            ).decode()


def webhook_file(path, count, first_number):
    """count signed inbound texts, each from a new number (a new contact and
    conversation every time: the dearest kind)."""
    with open(path, "w") as f:
        for i in range(count):
            params = {"From": "+1556%07d" % (first_number + i), "To": INBOX,
                      "Body": "Is my order %d on its way?" % i,
                      "MessageSid": "SM" + os.urandom(16).hex(), "AccountSid": ACCOUNT_SID,
                      "NumMedia": "0"}
            f.write("%s\t%s\n" % (signature(PUBLIC_URL + "/twilio/sms", params),
                                  urllib.parse.urlencode(params)))


def ingest(server, workdir, duration, first_number):
    path = os.path.join(workdir, "webhooks-%d.txt" % first_number)
    webhook_file(path, 4000 * duration, first_number)
    return wrk(server.base + "/twilio/sms", duration, conns=8, threads=2,
               script=os.path.join(HERE, "wrk", "webhooks.lua"),
               env={"WRK_FILE": path, "WRK_THREADS": "2"})


# ---- slow clients ------------------------------------------------------------

def slow_clients(server, token, path, count=300, requests=100):
    """Latencies (ms) of normal requests while `count` clients from six
    addresses hold sockets, trickling one header byte each second."""
    times, failed = [], 0
    with twtest.TricklingClients(server.port, count) as _:
        for _ in range(requests):
            t0 = time.monotonic()
            try:
                server.get(path, token)
                times.append((time.monotonic() - t0) * 1000)
            except OSError:
                failed += 1
    return times, failed


# ---- one inbox size ----------------------------------------------------------

def measure(binary, size, duration, workdir):
    log("== %d conversations" % size)
    db = os.path.join(workdir, "inbox-%d.db" % size)
    server = Server(binary, db, workdir)
    token, seed_s, seeded_msgs = seed(server, size)
    log("seeded %d conversations, %d messages in %.1f s" % (size, seeded_msgs, seed_s))
    server.start()
    r = {"size": size, "seed_s": seed_s, "seed_messages": seeded_msgs, "db": db,
         "token": token}
    try:
        acc = "/api/v1/accounts/1"
        auth = ["api_access_token: " + token]
        first = server.get(acc + "/conversations?assignee_type=all&status=open&page=1",
                           token)["data"]["payload"]
        conv = first[0]["id"]
        paths = {
            "list": acc + "/conversations?assignee_type=all&status=open&page=1",
            "messages": acc + "/conversations/%d/messages" % conv,
            "meta": acc + "/conversations/meta?assignee_type=all&status=open",
            # An order number a customer sent: what an agent looks up.
            "search": acc + "/conversations/search?q=4471-%d" % (size // 2),
            "profile": "/api/v1/profile",
        }
        # The list and /profile take turns (ROUNDS each): the ratio of two
        # medians measured side by side holds up on a busy machine.
        runs = {name: [] for name in paths}
        for _ in range(ROUNDS):
            for name, path in paths.items():
                if name in ("list", "profile") or not runs[name]:
                    runs[name].append(wrk(server.base + path, duration, headers=auth))
        for name in paths:
            r[name] = median_run(runs[name])
            log("%-8s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  runs %s"
                % (name, r[name]["rps"], r[name]["p50"], r[name]["p99"], r[name]["errors"],
                   r[name]["runs"]))
        # A word in a third of all messages, by 4 agents at once.
        r["search_common"] = wrk(server.base + acc + "/conversations/search?q=refund", duration,
                                 conns=4, headers=auth)
        log("search common %6.0f req/s  p50 %6.2f ms  p99 %7.2f ms"
            % (r["search_common"]["rps"], r["search_common"]["p50"], r["search_common"]["p99"]))
        r["list_gzip"] = wrk(server.base + paths["list"], duration,
                             headers=auth + ["Accept-Encoding: gzip"])
        log("list gz  %8.0f req/s  p99 %7.2f ms" % (r["list_gzip"]["rps"], r["list_gzip"]["p99"]))

        convs = ",".join(str(c["id"]) for c in first[:10])
        note = os.path.join(HERE, "wrk", "note.lua")
        alone, loaded, readers = [], [], []
        for _ in range(ROUNDS):
            alone.append(wrk(server.base + "/", duration, conns=4, threads=1, headers=auth,
                             script=note, env={"WRK_CONVS": convs}))
            got = {}

            def read_load():
                got["r"] = wrk(server.base + paths["list"], duration + 2, headers=auth)

            t = threading.Thread(target=read_load)
            t.start()
            time.sleep(1)
            loaded.append(wrk(server.base + "/", duration, conns=4, threads=1, headers=auth,
                              script=note, env={"WRK_CONVS": convs}))
            t.join()
            readers.append(got["r"])
        r["writes"] = median_run(alone)
        r["writes_loaded"] = median_run(loaded)
        r["readers_during_writes"] = median_run(readers)
        log("writes %.0f/s alone %s, %.0f/s under 50 readers %s (readers %.0f req/s)"
            % (r["writes"]["rps"], r["writes"]["runs"], r["writes_loaded"]["rps"],
               r["writes_loaded"]["runs"], r["readers_during_writes"]["rps"]))

        r["ingest"] = ingest(server, workdir, duration, 5000000)
        log("ingest   %8.0f /s (%d requests, errors %d)"
            % (r["ingest"]["rps"], r["ingest"]["requests"], r["ingest"]["errors"]))

        times, failed = slow_clients(server, token, paths["list"])
        r["slow"] = {"p50": statistics.median(times) if times else float("nan"),
                     "p99": sorted(times)[int(len(times) * 0.99) - 1] if times else float("nan"),
                     "max": max(times) if times else float("nan"), "failed": failed}
        log("with 300 slow clients: p50 %.1f ms, max %.1f ms, failed %d"
            % (r["slow"]["p50"], r["slow"]["max"], failed))
    finally:
        server.stop()
    return r


def side_by_side(binary, small, big, duration, workdir):
    """The list of the smallest and of the biggest inbox, both servers up,
    taking turns ROUNDS times: the two sizes compared under the same load."""
    servers = [Server(binary, r["db"], os.path.join(workdir, "side-%d" % r["size"]))
               for r in (small, big)]
    path = "/api/v1/accounts/1/conversations?assignee_type=all&status=open&page=1"
    runs = ([], [])
    try:
        for srv in servers:
            os.makedirs(srv.workdir, exist_ok=True)
            srv.start()
        for _ in range(ROUNDS):
            for i, (srv, r) in enumerate(zip(servers, (small, big))):
                runs[i].append(wrk(srv.base + path, duration,
                                   headers=["api_access_token: " + r["token"]]))
    finally:
        for srv in servers:
            srv.stop()
    out = [median_run(x) for x in runs]
    log("side by side: list %s req/s p99 %.1f ms at %d, %s req/s p99 %.1f ms at %d"
        % (out[0]["runs"], out[0]["p99"], small["size"], out[1]["runs"], out[1]["p99"],
           big["size"]))
    return out


def empty_ingest(binary, duration, workdir):
    db = os.path.join(workdir, "empty.db")
    server = Server(binary, db, workdir)
    seed(server, 0)
    server.start()
    try:
        res = ingest(server, workdir, duration, 1000000)
    finally:
        server.stop()
    log("ingest on an empty database %.0f /s" % res["rps"])
    return res


# ---- the table ---------------------------------------------------------------

def verdict(ok):
    return "met" if ok else "**missed**"


def table(results, empty, duration):
    small, big = results[0], results[-1]
    lines = ["| figure | %s |" % " | ".join("%dk conversations" % (r["size"] // 1000)
                                             for r in results),
             "|---|%s" % ("---|" * len(results))]

    def row(name, fn):
        lines.append("| %s | %s |" % (name, " | ".join(fn(r) for r in results)))

    for k, label in (("list", "list, page 1 (status=open)"), ("list_gzip", "list, gzip"),
                     ("messages", "a message page"), ("meta", "meta (badge counts)"),
                     ("search", "search for an order number"),
                     ("search_common", "search for a word in ⅓ of messages (4 connections)"),
                     ("profile", "/profile")):
        row(label + ": req/s, p50 / p99 ms",
            lambda r, k=k: "%.0f, %.1f / %.1f" % (r[k]["rps"], r[k]["p50"], r[k]["p99"]))
    row("list / profile (medians, taking turns)",
        lambda r: "%.3f" % (r["list"]["rps"] / r["profile"]["rps"]))
    row("writes/s alone (4 writers)", lambda r: "%.0f" % r["writes"]["rps"])
    row("writes/s under 50 readers", lambda r: "%.0f" % r["writes_loaded"]["rps"])
    row("list while those writes go on: req/s, p99 ms", lambda r: "%.0f, %.1f"
        % (r["readers_during_writes"]["rps"], r["readers_during_writes"]["p99"]))
    row("under readers / alone", lambda r: "%.2f" % (r["writes_loaded"]["rps"] /
                                                      r["writes"]["rps"]))
    row("webhook ingest/s (8 senders, a new contact each)", lambda r: "%.0f" % r["ingest"]["rps"])
    row("seeded by admin import", lambda r: "%.1f s for %d messages"
        % (r["seed_s"], r["seed_messages"]))
    row("normal requests with 300 slow clients: p50 / max ms", lambda r: "%.1f / %.1f%s"
        % (r["slow"]["p50"], r["slow"]["max"],
           ", %d failed" % r["slow"]["failed"] if r["slow"]["failed"] else ""))
    lines.append("")
    lines.append("Webhook ingest on an empty database: %.0f/s." % empty["rps"])
    lines.append("")
    prof = small["profile"]["rps"]
    t = ["| target | measured | |", "|---|---|---|"]
    ok = small["list"]["rps"] >= 2000 and small["list"]["p99"] <= 20
    k = small["size"] // 1000
    t.append("| list at %dk: ≥ 2,000 req/s, p99 ≤ 20 ms | %.0f req/s, p99 %.1f ms | %s |"
             % (k, small["list"]["rps"], small["list"]["p99"], verdict(ok)))
    ratio = small["list"]["rps"] / prof
    t.append("| list at %dk ≥ 0.15 × /profile | %.3f × | %s |"
             % (k, ratio, verdict(ratio >= 0.15)))
    if len(results) > 1:
        a, b = results[0]["side"]
        slow = a["rps"] / b["rps"]
        p99 = b["p99"] / a["p99"]
        t.append("| list at %dk within 1.5 × of %dk (side by side: %.0f against %.0f req/s, p99 "
                 "%.1f against %.1f ms) | rate %.2f ×, p99 %.2f × | %s |"
                 % (big["size"] // 1000, k, b["rps"], a["rps"], b["p99"], a["p99"], slow, p99,
                    verdict(slow <= 1.5 and p99 <= 1.5)))
    w = small["writes_loaded"]["rps"] / small["writes"]["rps"]
    t.append("| writes under 50 readers ≥ 0.3 × alone | %.2f × | %s |" % (w, verdict(w >= 0.3)))
    i = big["ingest"]["rps"] / empty["rps"]
    t.append("| ingest at %dk contacts ≥ 0.6 × empty | %.2f × | %s |"
             % (big["size"] // 1000, i, verdict(i >= 0.6)))
    load_s = 100000 / big["ingest"]["rps"]
    t.append("| 100k messages loaded in < 2 min | import: %d messages in %.0f s; webhooks: "
             "100k in %.0f s at the measured rate | %s |"
             % (big["seed_messages"], big["seed_s"], load_s,
                verdict(big["seed_s"] < 120 * max(1, big["seed_messages"] / 100000)
                        and load_s < 120)))
    worst = max(r["slow"]["max"] for r in results)
    t.append("| with 300 trickling clients a normal request answered within 1 s | max %.0f ms | "
             "%s |" % (worst, verdict(worst <= 1000 and not any(r["slow"]["failed"]
                                                                 for r in results))))
    return "\n".join(lines + t) + (
        "\n\nwrk -t2 -c50, %d s a run; the list, /profile and the writes are medians of %d "
        "runs taking turns; %s; %d cores, load average %s at the end.\n"
        % (duration, ROUNDS, time.strftime("%Y-%m-%d"), os.cpu_count(),
           " ".join("%.1f" % x for x in os.getloadavg())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--duration", type=int, default=6)
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    binary = os.path.join(a.build, "src", "twowayd", "twowayd")
    if not os.access(binary, os.X_OK):
        raise SystemExit("bench: no twowayd at %s (build first, or --build DIR)" % binary)
    work = tempfile.mkdtemp(prefix="twowayd-bench-")
    try:
        results = [measure(binary, int(n), a.duration, work) for n in a.sizes.split(",")]
        if len(results) > 1:
            results[0]["side"] = side_by_side(binary, results[0], results[-1], a.duration, work)
        empty = empty_ingest(binary, a.duration, work)
        print(table(results, empty, a.duration))
    finally:
        if a.keep:
            log("databases kept in", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
