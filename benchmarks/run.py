"""Wall time and peak memory of the real command on N generated people.

    python benchmarks/run.py --sizes 10000 100000 1000000 --command evaluate
    python benchmarks/run.py --sizes 100000 --command diff

Each measurement runs ``incentive <command>`` as a fresh process (start-up
included, CSV in, every output written) and reads that process's peak
resident memory from ``wait4``. Data files are cached in benchmarks/_data
(``diff`` runs on ``incentive sample`` data, the others on generate.py's).
"""

from __future__ import annotations

import argparse
import os
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


def data_file(n: int) -> Path:
    path = HERE / "_data" / f"sales-rep-{n}.csv"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        sys.path.insert(0, str(HERE))
        from generate import generate

        generate(n).write_csv(path)
    return path


def sample_file(n: int) -> Path:
    """``incentive sample`` data (cached): what a manager trying a change would use."""
    path = HERE / "_data" / f"sample-sales-rep-{n}.csv"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "incentive", "sample", str(POLICY), "--rows", str(n), "--seed", "1",
                        "--period", PERIOD, "--out", str(path)], check=True, stderr=subprocess.DEVNULL)
    return path


def command(kind: str, data: Path, out: Path) -> list[str]:
    base = [sys.executable, "-m", "incentive"]
    if kind == "evaluate":
        return base + ["evaluate", str(POLICY), str(data), "--period", PERIOD, "--out", str(out)]
    if kind == "close":
        return base + ["close", str(POLICY), str(data), "--period", PERIOD, "--out", str(out),
                       "--ledger", str(out / "ledger.sqlite")]
    if kind == "diff":  # the README walkthrough's weight change, per-person deltas and the chart page written
        return base + ["diff", str(POLICY), str(POLICY), str(data), "--period", PERIOD,
                       "--set", "kpis.sales.weight=50", "--set", "kpis.collection.weight=15",
                       "--out", str(out / "deltas.csv"), "--html", str(out / "diff.html")]
    raise SystemExit(f"unknown command {kind}")


def measure(kind: str, n: int) -> tuple[float, float]:
    data = sample_file(n) if kind == "diff" else data_file(n)
    out = Path(tempfile.mkdtemp(prefix="incentive-bench-"))
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(command(kind, data, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{kind} failed for {n} people:\n{err}")
        return wall, usage.ru_maxrss / 1024  # KiB → MiB on Linux
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--command", choices=["evaluate", "close", "diff"], default="evaluate")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size; the best wall time is reported")
    args = ap.parse_args()
    print(f"| people | {args.command} wall (s) | peak RSS (MiB) |")
    print("|---:|---:|---:|")
    for n in args.sizes:
        runs = [measure(args.command, n) for _ in range(args.repeat)]
        wall = min(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        print(f"| {n:,} | {wall:.2f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
