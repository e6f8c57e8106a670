#!/usr/bin/env python3
"""Generate N boards as `plan-lint report --format json` writes them (schema/report.schema.json),
for the organisation board's benchmark: `python3 bench/boards.py N DIR` writes DIR/team-0000.json
… Deterministic. Each board is a quarter of a realistic team: 6 promises (4 in play, one done, one
proposed) with outcomes and 6 readings each, 12 open and 12 done items, 13 weeks of commits,
untraced and mistraced work, exceptions and drift: about 27 KB, so 1,000 boards are about 27 MB,
far more than the page shows."""
import json
import os
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(25)
VISIONS = [
    "Shoppers find anything they want to buy.",
    "Sellers run their shop from their phone.",
    "Every order arrives when we said it would.",
]
WEEKS = [f"2026-{m:02d}-{d:02d}" for m, d in [(1, 5), (1, 12), (1, 19), (1, 26), (2, 2), (2, 9), (2, 16),
                                               (2, 23), (3, 2), (3, 9), (3, 16), (3, 23), (3, 30)]]
STATES = ["on-track", "regressed", "slipping", "met", "stale", "unmeasured"]
HEALTH = {"on-track": "on-track", "regressed": "off-track", "slipping": "at-risk", "met": "met",
          "stale": "at-risk", "unmeasured": "unmeasured"}


def sha():
    return "%040x" % rng.getrandbits(160)


def item(path, line, text):
    return {"path": path, "line": line, "text": text}


def outcome(metric):
    base, target = rng.randint(5, 40), rng.randint(41, 90)
    readings = [{"date": WEEKS[i * 2], "value": f"{base + rng.randint(-3, 30)}%", "source": "analytics"}
                for i in range(6)]
    state = rng.choice(STATES)
    return {
        "metric": metric, "baseline": f"{base}%", "target": f"{target}%", "measurements": readings,
        "latest": {"date": readings[-1]["date"], "value": readings[-1]["value"]},
        "progress": round(rng.uniform(-0.3, 1.2), 4), "state": state, "stale": state == "stale",
        "reason": f"{metric} {base}% → {readings[-1]['value']} → {target}%",
    }


def promise(t, i, status):
    outcomes = [outcome(f"metric {t}-{i}-{k} share of sessions") for k in range(rng.randint(1, 2))]
    state = HEALTH[outcomes[0]["state"]] if status == "in-play" else ("kept" if status == "done" else None)
    return {
        "id": f"promise-{t:04d}-{i}", "title": f"Promise {i} of team {t}",
        "statement": "A customer can do the thing this promise is about, quickly and reliably, every time.",
        "customer": "shopper", "status": status, "priority": rng.choice(["must", "should", "could", None]),
        "outcomes": outcomes,
        "open_items": [item("ROADMAP.md", 10 + k, f"Open task {k} for promise {i}") for k in range(2)],
        "done_items": [item("ROADMAP.md", 30 + k, f"Done task {k} for promise {i}") for k in range(2)],
        "commits": {"count": rng.randint(0, 40), "last": WEEKS[-1], "authors": rng.randint(1, 6),
                    "per_week": [rng.randint(0, 5) for _ in WEEKS]},
        "exceptions": [],
        "health": {"state": state, "reason": outcomes[0]["reason"]} if state else None,
    }


def finding(code, title, severity):
    return {"code": code, "title": title, "severity": severity,
            "message": f"a finding about `{code}` with a realistic length of message text", "promises": []}


for t in range(n):
    promises = [promise(t, i, s) for i, s in enumerate(["in-play"] * 4 + ["done", "proposed"])]
    commits = rng.randint(40, 120)
    traced = rng.randint(commits // 2, commits)
    board = {
        "version": 1, "schema_version": "1.0", "name": f"Team {t:04d}",
        "as_of": {"date": "2026-03-31", "commit": sha()},
        "window": {"since": "2026-01-01", "until": "2026-03-31", "days": 89},
        "vision": VISIONS[t % len(VISIONS)], "in_play": {"count": 4, "limit": rng.randint(3, 5)},
        "traced": {"in_play": traced, "commits": commits, "share": round(traced / commits, 4)},
        "changes": {"left_play": [{"promise": promises[4]["id"], "date": "2026-02-02", "status": "done"}],
                    "readings": [{"promise": promises[0]["id"], "metric": "m", "date": WEEKS[k], "value": "10%",
                                  "previous": "9%", "delta": "+1%"} for k in range(10)]},
        "priorities": [{"priority": p, "commits": 10, "commit_share": 0.25, "in_play": 1, "in_play_share": 0.25}
                       for p in ["must", "should", "could", "none"]],
        "promises": promises,
        "untraced": {"commits": [{"sha": sha(), "subject": f"Untraced change {k}", "date": WEEKS[k % 13]}
                                 for k in range(15)],
                     "items": [item("plans/q1.md", 5 + k, f"Untraced item {k}") for k in range(5)]},
        "mistraced": [dict(finding("unknown-promise", "Unknown promise ids", "error"), place=f"commit {sha()[:7]}")
                      for _ in range(3)],
        "exceptions": {"commits": [{"sha": sha(), "subject": "Bump CI", "reason": "end of life", "date": WEEKS[3]}],
                       "items": [dict(item("ROADMAP.md", 40, "Upgrade runners"), reason="end of life")],
                       "share": round(1 / commits, 4), "budget": 0.2},
        "drift": [finding(c, "Drift", "warning") for c in
                  ["idle-promise", "shadow-work", "outcome-regressed", "unmeasured-outcome", "idle-promise",
                   "done-with-open-items"]],
        "errors": 3, "warnings": 6, "weeks": WEEKS,
        "untraced_per_week": [rng.randint(0, 3) for _ in WEEKS],
        "exceptions_per_week": [0] * len(WEEKS),
    }
    with open(os.path.join(out, f"team-{t:04d}.json"), "w") as f:
        json.dump(board, f, indent=2, ensure_ascii=False)
        f.write("\n")
