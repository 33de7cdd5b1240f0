#!/usr/bin/env python3
"""Write a generated inbox as `twowayd admin import` JSON lines.

    bench/gen_inbox.py N [--seed S] [--agents a@x,b@x] [--team NAME] > inbox.jsonl

N conversations of one SMS inbox, each with its own customer, 2 to 8
messages (5 on average) spread over the last 180 days: a quarter open, a
few pending or snoozed, the rest resolved; most assigned to one of the
agents; some labelled, some with a priority. The same seed gives the same
file.
"""
import argparse
import json
import random
import sys
import time

OPENERS = [
    "Hi, is my order shipped yet?", "Can I move my appointment to Friday?",
    "The app keeps logging me out", "Do you deliver on Sundays?",
    "I was charged twice this month", "What time do you open tomorrow?",
    "My package arrived damaged", "How do I reset my password?",
    "Is the blue one back in stock?", "Can I get a refund for the late delivery?",
]
REPLIES = [
    "Thanks for reaching out! Let me check that for you.",
    "I have moved it, you will get a confirmation shortly.",
    "Sorry about that, a replacement is on its way.", "We open at 9am tomorrow.",
    "I refunded the duplicate charge; it shows in 3-5 days.",
    "Could you send me the order number?", "Done! Anything else I can help with?",
]
ANSWERS = ["Thanks!", "Order 4471-{n}", "Great, thank you", "ok", "That works",
           "Still nothing here", "Perfect, see you then"]
LABELS = ["vip", "billing", "complaint", "follow-up", "appointment", "shipping", "refund",
          "élite"]
STATUSES = ["open"] * 25 + ["pending"] * 5 + ["snoozed"] * 3 + ["resolved"] * 67


def conversation(rng, i, now, agents, team):
    start = now - rng.uniform(0, 180 * 86400)
    t = start
    n = rng.randint(2, 8)
    agent = rng.choice(agents) if agents and rng.random() < 0.7 else None
    msgs = []
    for k in range(n):
        if k % 2 == 0:
            text = rng.choice(OPENERS) if k == 0 else rng.choice(ANSWERS).format(n=i)
            msgs.append({"type": "incoming", "content": text, "created_at": round(t, 3)})
        else:
            m = {"type": "outgoing", "content": rng.choice(REPLIES), "created_at": round(t, 3),
                 "status": "delivered"}
            if agent:
                m["agent"] = agent
            msgs.append(m)
        t += rng.uniform(30, 3600)
    status = rng.choice(STATUSES)
    conv = {"contact": {"phone": "+1555%07d" % (1000000 + i), "name": "Customer %d" % i},
            "status": status, "messages": msgs}
    if status == "snoozed":
        conv["snoozed_until"] = int(now + rng.uniform(3600, 7 * 86400))
    if agent:
        conv["assignee"] = agent
    if team and rng.random() < 0.3:
        conv["team"] = team
    if rng.random() < 0.3:
        conv["labels"] = rng.sample(LABELS, rng.randint(1, 2))
    if rng.random() < 0.1:
        conv["priority"] = rng.choice(["low", "medium", "high", "urgent"])
    if status != "open" or rng.random() < 0.5:
        conv["seen_at"] = round(t, 3)
    return conv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--agents", default="")
    ap.add_argument("--team", default="")
    ap.add_argument("--first", type=int, default=0, help="number of the first customer")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    agents = [x for x in a.agents.split(",") if x]
    now = time.time()
    out = sys.stdout
    for i in range(a.first, a.first + a.count):
        out.write(json.dumps(conversation(rng, i, now, agents, a.team), ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
