#!/usr/bin/env python3
"""A long local fuzz campaign (not run in CI): the fuzz properties of
``tests/fuzz`` driven for as long as you give them.

    python scripts/fuzz_campaign.py --minutes 30                 # every target, round robin
    python scripts/fuzz_campaign.py --minutes 5 --targets close  # one target
    python scripts/fuzz_campaign.py --minutes 60 --report fuzz-report.json

Each round runs every chosen target for ``--batch`` examples with a fresh
random seed (no example database: every round explores anew). A failure is
shrunk by hypothesis to a small input, recorded once per (target, error
kind, first message line), and the campaign goes on. At the end a summary
-- examples run per target, outcomes, distinct failures with their minimal
input -- is printed and, with ``--report``, written as JSON.

Exit status: 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz import properties  # noqa: E402
from tests.fuzz.strategies import data_for, hostile_csv_bytes, mutated_policy_bytes, policies  # noqa: E402


def _validate_damaged(data):
    return properties.validate_policy(data.draw(mutated_policy_bytes()))


def _validate_generated(data):
    return properties.validate_policy(data.draw(policies()).text.encode("utf-8"))


def _evaluate(data):
    spec = data.draw(policies())
    rows = data.draw(data_for(spec, max_rows=60))
    return properties.evaluate_policy(spec, rows, data.draw(st.sampled_from(["csv", "xlsx", "json", "parquet"])))


def _close(data):
    spec = data.draw(policies())
    rows = data.draw(data_for(spec, max_rows=30))
    return properties.close_policy(spec, rows, xlsx=data.draw(st.booleans()))


def _hostile_data(data):
    return properties.evaluate_hostile_data(data.draw(hostile_csv_bytes()), data.draw(st.sampled_from(["csv", "xlsx"])))


TARGETS: dict[str, Callable] = {
    "validate-damaged": _validate_damaged,
    "validate-generated": _validate_generated,
    "evaluate": _evaluate,
    "close": _close,
    "hostile-data": _hostile_data,
}


class Campaign:
    def __init__(self) -> None:
        self.examples: Counter[str] = Counter()
        self.outcomes: dict[str, Counter] = {name: Counter() for name in TARGETS}
        self.failures: dict[tuple[str, str, str], dict] = {}
        self.rounds = 0

    def run(self, name: str, batch: int, rng: random.Random) -> None:
        target = TARGETS[name]

        @seed(rng.getrandbits(64))
        @settings(max_examples=batch, deadline=None, database=None, derandomize=False, print_blob=False,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def check(data):
            self.examples[name] += 1  # every call, shrinking included
            self.outcomes[name][target(data)] += 1

        try:
            check()
        except Exception as exc:  # a property failed (already shrunk by hypothesis)
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            key = (name, type(exc).__name__, first)
            entry = self.failures.setdefault(key, {
                "target": name, "error": type(exc).__name__, "message": first, "count": 0,
                "traceback": traceback.format_exc()[-4000:],
                "example": _falsifying_example(exc),
            })
            entry["count"] += 1

    def summary(self, seconds: float) -> dict:
        return {
            "seconds": round(seconds, 1),
            "rounds": self.rounds,
            "examples": dict(self.examples),
            "examples_total": sum(self.examples.values()),
            "outcomes": {k: dict(v) for k, v in self.outcomes.items() if v},
            "failures": list(self.failures.values()),
        }


def _falsifying_example(exc: BaseException) -> str:
    """Hypothesis attaches the shrunk example (every ``data.draw``) as notes on the exception."""
    return "\n".join(getattr(exc, "__notes__", None) or [])[:4000]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="how long to run (default 20)")
    parser.add_argument("--batch", type=int, default=200, help="examples per target per round (default 200)")
    parser.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=sorted(TARGETS))
    parser.add_argument("--seed", type=int, default=None, help="seed of the round seeds (default: random)")
    parser.add_argument("--report", type=Path, default=None, help="write the summary as JSON here")
    args = parser.parse_args(argv)

    master = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    rng = random.Random(master)
    campaign = Campaign()
    began = time.monotonic()
    deadline = began + args.minutes * 60
    print(f"fuzz campaign: targets {', '.join(args.targets)}; {args.minutes} min; seed {master}", flush=True)
    while time.monotonic() < deadline:
        campaign.rounds += 1
        for name in args.targets:
            if time.monotonic() >= deadline:
                break
            campaign.run(name, args.batch, rng)
        print(f"round {campaign.rounds}: {sum(campaign.examples.values()):,} examples, "
              f"{len(campaign.failures)} distinct failures, {time.monotonic() - began:.0f}s", flush=True)
    result = campaign.summary(time.monotonic() - began)
    result["seed"] = master
    text = json.dumps(result, indent=2, ensure_ascii=False, default=str)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if campaign.failures else 0


if __name__ == "__main__":
    sys.exit(main())
