"""Wall time of ``incentive statements`` for a closed period of N people, HTML and PDF.

    python benchmarks/statements.py [--rows 10000] [--repeat 3] [--formats html pdf]

The close is made once (``incentive sample`` data, ``incentive close`` on
rules/sales-rep.yaml) and cached in benchmarks/_data/statements-<N>/; each
measurement is a fresh ``incentive statements`` process into a new folder
(start-up, reading the close and the ledger, rendering and writing every
file included). Prints the best wall time of --repeat runs, and the CPU
seconds of that run (children included): on a shared machine, wall time
above CPU / cores means the run waited for other work.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = ROOT / "rules" / "sales-rep.yaml"
PERIOD = "2026-Q1"


def _incentive(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def closed(n: int) -> Path:
    """A folder holding ledger.sqlite and out/sales-rep/<PERIOD>/ of an N-person close (made once)."""
    root = HERE / "_data" / f"statements-{n}"
    if not (root / "out" / "sales-rep" / PERIOD / "manifest.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        _incentive("sample", str(POLICY), "--rows", str(n), "--seed", "1", "--period", PERIOD, "--out", "data.csv",
                   cwd=root)
        _incentive("close", str(POLICY), "data.csv", "--period", PERIOD, "--ledger", "ledger.sqlite", "--out", "out",
                   cwd=root)
    return root


def measure(root: Path, fmt: str, lang: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``incentive statements`` run."""
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        _incentive("statements", f"out/sales-rep/{PERIOD}", "--out", str(Path(tmp) / "st"), "--format", fmt,
                   "--lang", lang, "--ledger", "ledger.sqlite", cwd=root)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        count = len(os.listdir(Path(tmp) / "st"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert count > 0
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["html", "pdf"], choices=["html", "pdf"])
    parser.add_argument("--lang", default="zh", choices=["en", "zh"])
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "incentive")], check=True)
    root = closed(args.rows)
    print(f"{args.rows:,} statements ({args.lang}), best of {args.repeat}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for fmt in args.formats:
        runs = [measure(root, fmt, args.lang) for _ in range(args.repeat)]
        wall, cpu = min(runs)
        print(f"{fmt:5} wall {wall:7.2f} s   cpu {cpu:7.2f} s   ({', '.join(f'{w:.2f}' for w, _ in runs)})")


if __name__ == "__main__":
    main()
