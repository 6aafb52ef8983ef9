"""How fast is the statutory engine? Prints its figures; it is not a timed test.

Makes a .jsonl caseload of realistic timelines (proportions from
shared/design/england-data.md: every referral decided, most within a working day; about a
third leading to section 47 enquiries, one in nine to an initial conference, most of those
to a plan; 86% of assessments within 45 working days; some allegations and serious
incidents), then measures in the same run:

- the baseline: a plain ``json.loads`` + ``json.dumps`` round trip of every line of the file
  (in one Python process, reading the file once);
- ``safeguard obligations FILE.jsonl``, the whole command as a person runs it (a new
  process, start-up included), its output sent to a file.

The issue's bar: the command takes at most 4x the baseline.

    uv run python benchmarks/engine.py [--timelines 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

OUTCOMES = ["no_further_action", "early_help", "assessment", "strategy_discussion"]


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def make_timeline(rng: random.Random, start: date, end: date) -> dict[str, object]:
    """One realistic case timeline (synthetic)."""
    span = (end - start).days
    events: list[dict[str, object]] = []
    kind = rng.random()
    if kind < 0.03:
        known = _weekday_on_or_after(start + timedelta(days=rng.randrange(span)))
        events.append({"type": "allegation_known", "date": known.isoformat()})
        if rng.random() < 0.9:
            told = known + timedelta(days=rng.choice([0, 1, 1, 1, 2, 4]))
            events.append({"type": "designated_officer_informed", "date": told.isoformat()})
        return {"events": events}
    if kind < 0.035:
        aware = _weekday_on_or_after(start + timedelta(days=rng.randrange(span)))
        died = rng.random() < 0.5
        events.append({"type": "serious_incident_known", "date": aware.isoformat(),
                       "died": died, "looked_after": rng.random() < 0.25})
        for event_type in ("panel_notified", "partners_notified"):
            events.append({"type": event_type,
                           "date": (aware + timedelta(days=rng.randrange(1, 9))).isoformat()})
        events.append({"type": "rapid_review_completed",
                       "date": (aware + timedelta(days=rng.randrange(10, 28))).isoformat()})
        if rng.random() < 0.25:
            decided = aware + timedelta(days=rng.randrange(20, 40))
            events.append({"type": "review_decided", "date": decided.isoformat(), "local": True})
        return {"events": events}

    dob = start - timedelta(days=rng.randrange(0, 17 * 365))
    received = _weekday_on_or_after(start + timedelta(days=rng.randrange(span)))
    events.append({"type": "referral_received", "date": received.isoformat()})
    decided = received + timedelta(days=rng.choice([0, 0, 1, 1, 1, 1, 1, 1, 3, 4]))
    outcome = rng.choices(OUTCOMES, weights=[7, 10, 55, 28])[0]
    events.append({"type": "referral_decision", "date": decided.isoformat(), "outcome": outcome})
    day = decided
    if outcome == "strategy_discussion":
        day += timedelta(days=rng.randrange(0, 3))
        s47 = rng.random() < 0.8
        events.append({"type": "strategy_discussion", "date": day.isoformat(), "s47": s47})
        if s47:
            day += timedelta(days=rng.randrange(5, 20))
            substantiated = rng.random() < 0.4
            events.append({"type": "s47_outcome", "date": day.isoformat(),
                           "substantiated": substantiated})
            if substantiated:
                day += timedelta(days=rng.choice([2, 5, 8, 10, 12, 16, 25]))
                plan = rng.random() < 0.86
                events.append({"type": "initial_conference", "date": day.isoformat(),
                               "plan": plan})
                if plan:
                    met = day + timedelta(days=rng.randrange(3, 16))
                    events.append({"type": "core_group_meeting", "date": met.isoformat()})
                    review = day + timedelta(days=rng.randrange(60, 100))
                    continues = True
                    while continues and review < end:
                        continues = rng.random() < 0.6
                        events.append({"type": "review_conference", "date": review.isoformat(),
                                       "plan_continues": continues})
                        review += timedelta(days=rng.randrange(150, 190))
    if outcome in ("assessment", "strategy_discussion") and rng.random() < 0.95:
        wd = rng.choices([rng.randrange(5, 45), rng.randrange(45, 70)], weights=[86, 14])[0]
        done = decided + timedelta(days=int(wd * 7 / 5))
        events.append({"type": "assessment_completed", "date": done.isoformat()})
    timeline: dict[str, object] = {"events": events}
    if rng.random() < 0.7:
        timeline["child"] = {"date_of_birth": dob.isoformat()}
    return timeline


def write_caseload(path: Path, count: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    start, end = date(2024, 4, 1), date(2026, 3, 31)
    with path.open("w") as f:
        for _ in range(count):
            f.write(json.dumps(make_timeline(rng, start, end)))
            f.write("\n")


def baseline_seconds(path: Path) -> float:
    t0 = time.perf_counter()
    with path.open("rb") as f:
        out = [json.dumps(json.loads(line)) for line in f]
    elapsed = time.perf_counter() - t0
    assert len(out) > 0
    return elapsed


def command_seconds(path: Path, out_path: Path) -> float:
    command = [sys.executable, "-m", "safeguard.cli", "obligations", str(path),
               "--as-of", "2026-11-23"]
    t0 = time.perf_counter()
    with out_path.open("wb") as out:
        subprocess.run(command, stdout=out, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timelines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        caseload = Path(tmp) / "caseload.jsonl"
        write_caseload(caseload, args.timelines)
        size = caseload.stat().st_size
        baselines, commands = [], []
        for _ in range(args.repeat):
            baselines.append(baseline_seconds(caseload))
            commands.append(command_seconds(caseload, Path(tmp) / "out.jsonl"))
        lines = sum(1 for _ in (Path(tmp) / "out.jsonl").open())
        assert lines == args.timelines, (lines, args.timelines)
        obligations = sum(
            len(json.loads(line)["obligations"]) for line in (Path(tmp) / "out.jsonl").open()
        )
    base, cmd = statistics.median(baselines), statistics.median(commands)
    print(f"timelines:                         {args.timelines:,} ({size / 1e6:.1f} MB)")
    print(f"obligations computed:              {obligations:,}")
    print(f"json.loads + json.dumps (median):  {base:.3f} s")
    print(f"safeguard obligations (median):    {cmd:.3f} s  (start-up included)")
    print(f"ratio:                             {cmd / base:.2f}x  (bar: at most 4x)")
    print(f"runs: baseline {[round(b, 3) for b in baselines]}, command "
          f"{[round(c, 3) for c in commands]}")


if __name__ == "__main__":
    main()
