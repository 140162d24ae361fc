"""Wall time and peak memory of the real command on N generated people.

    python benchmarks/run.py --sizes 10000 100000 1000000 --command evaluate
    python benchmarks/run.py --sizes 1000000 --command close --repeat 3 [--shuffled]
    python benchmarks/run.py --sizes 100000 --command diff

Each measurement runs ``incentive <command>`` as a fresh process (start-up
included, CSV in, every output written) and reads that process's CPU time
(user + system) and peak resident memory from ``wait4``. Data files are
cached in benchmarks/_data (``diff`` runs on ``incentive sample`` data, the
others on generate.py's).

The package's bytecode is compiled first, as an installed package has it
(a machine that sets PYTHONDONTWRITEBYTECODE would otherwise recompile the
whole package on every run). The load average is printed beside each row:
on a shared machine, wall time above the CPU time / cores means the run
waited for other work; the CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = ROOT / "rules" / "sales-rep.yaml"
PERIOD = "2026-Q1"


def data_file(n: int, shuffled: bool = False) -> Path:
    """generate.py's rows, cached; ``shuffled`` puts them in a fixed random order
    (an export not sorted by employee id: the engine then sorts)."""
    path = HERE / "_data" / f"sales-rep-{n}{'-shuffled' if shuffled else ''}.csv"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        sys.path.insert(0, str(HERE))
        from generate import generate

        frame = generate(n)
        if shuffled:
            frame = frame.sample(fraction=1.0, shuffle=True, seed=11)
        frame.write_csv(path)
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


def measure(kind: str, n: int, shuffled: bool = False) -> tuple[float, float, float]:
    data = sample_file(n) if kind == "diff" else data_file(n, shuffled)
    out = Path(tempfile.mkdtemp(prefix="incentive-bench-"))
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(command(kind, data, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{kind} failed for {n} people:\n{err}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB → MiB on Linux
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--command", choices=["evaluate", "close", "diff"], default="evaluate")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per size; the best, median and worst wall time are reported")
    ap.add_argument("--shuffled", action="store_true", help="rows in a random order instead of sorted by employee id")
    args = ap.parse_args()
    import compileall

    compileall.compile_dir(ROOT / "incentive", quiet=1)
    print(f"| people | {args.command} wall (s), best | median | worst | CPU (s) | peak RSS (MiB) | load avg |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        runs = []
        for _ in range(args.repeat):
            load = os.getloadavg()[0]
            runs.append((*measure(args.command, n, args.shuffled), load))
        walls = sorted(r[0] for r in runs)
        best = min(runs, key=lambda r: r[0])
        rss = max(r[2] for r in runs)
        loads = f"{min(r[3] for r in runs):.1f}–{max(r[3] for r in runs):.1f}" if len(runs) > 1 else f"{runs[0][3]:.1f}"
        print(f"| {n:,} | {walls[0]:.2f} | {statistics.median(walls):.2f} | {walls[-1]:.2f} | {best[1]:.1f} | "
              f"{rss:.0f} | {loads} |",
              flush=True)


if __name__ == "__main__":
    main()
