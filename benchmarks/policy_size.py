"""Time ``validate`` and ``evaluate`` on generated policies of growing size (issue 12 D10); not a test.

    PYTHONPATH=. python benchmarks/policy_size.py [--people 4] [--only curve]

Each row: a policy shape, its size, seconds and peak RSS of one ``validate``
and one ``evaluate`` run in a fresh process. Cost should grow about linearly.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = 'policy: bench\nversion: "1"\nperiod: month\ncurrency: CNY\ninputs:\n  employee_id: {type: id}\n  x: {type: number}\n'


def curve(n: int) -> str:
    pts = ", ".join(f"[{i}, {(i * 7) % 101}]" for i in range(n))
    return HEAD + f"kpis:\n  k: {{value: x, weight: 100, score: {{curve: [{pts}]}}}}\n"


def chain(n: int) -> str:
    lines = ["derived:", "  d0: x + 1"] + [f"  d{i}: d{i - 1} + 1" for i in range(1, n)]
    return HEAD + "\n".join(lines) + f"\nkpis:\n  k: {{value: d{n - 1}, weight: 100, score: {{curve: [[0, 0], [1, 100]]}}}}\n"


def kpis(n: int) -> str:
    weight = f"{100 / n:.12f}".rstrip("0")
    body = "".join(f"  k{i}: {{value: x, weight: {weight}, score: {{curve: [[0, 0], [1, 100]]}}}}\n" for i in range(n))
    return HEAD + "score: {scale: 100}\nkpis:\n" + body


SHAPES = {"curve": (curve, [100, 500, 1500, 3000]), "chain": (chain, [100, 1000, 3000]),
          "kpis": (kpis, [100, 1000, 2000, 4000])}


def run(args: list[str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "incentive", *args], capture_output=True, text=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return time.perf_counter() - start, max(after, before) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=4)
    parser.add_argument("--only", choices=sorted(SHAPES))
    opts = parser.parse_args()
    print(f"{'shape':6} {'size':>6} {'validate s':>10} {'evaluate s':>10} {'peak MB':>8} rc")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "d.csv"
        data.write_text("employee_id,x\n" + "".join(f"E{i},{i % 3}\n" for i in range(opts.people)))
        for name, (make, sizes) in SHAPES.items():
            if opts.only and name != opts.only:
                continue
            for n in sizes:
                policy = Path(tmp) / f"{name}{n}.yaml"
                policy.write_text(make(n))
                v, _, vrc = run(["validate", str(policy)])
                e, mb, erc = run(["evaluate", str(policy), str(data), "--period", "2026-01",
                                  "--out", os.path.join(tmp, f"out-{name}{n}")])
                print(f"{name:6} {n:>6} {v:>10.2f} {e:>10.2f} {mb:>8.0f} {vrc}/{erc}", flush=True)


if __name__ == "__main__":
    main()
