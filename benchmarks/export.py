"""Wall time of ``incentive export`` on N closed people, each layout, as a fresh process.

    python benchmarks/export.py --sizes 1000000 --repeat 3
    python benchmarks/export.py --sizes 100000 --layouts payroll-generic tax-cn-salary

Once per size: generate.py's rows are closed with the real ``incentive
close`` into a ledger in benchmarks/_data/export-N/ (kept for the next run),
approved as the policy's ``sign_off`` requires,
and a people file (CSV: 工号, 姓名, 证件类型, 18-digit 证件号码, 19-digit 银行账号)
is written beside it. Then each layout is exported ``--repeat`` times as a
fresh process (start-up, reading the close's results from the ledger, the
people file, checks, writing, fsync, rename) and the best / median / worst
wall time, the CPU seconds (user + system) and peak memory of the best run
are printed. On a shared machine the CPU seconds are the steadier figure.
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

import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = ROOT / "rules" / "sales-rep.yaml"
PERIOD = "2026-Q1"
LAYOUTS = ["payroll-generic", "bank-cn-salary-csv", "bank-cn-salary-xlsx", "tax-cn-salary"]


def closed(n: int) -> Path:
    """A directory holding a ledger with the close of N generated people and their people file."""
    here = HERE / "_data" / f"export-{n}"
    if (here / "ledger.sqlite").exists() and (here / "people.csv").exists():
        return here
    shutil.rmtree(here, ignore_errors=True)
    here.mkdir(parents=True)
    sys.path.insert(0, str(HERE))
    from generate import generate

    data = here / "data.csv"
    frame = generate(n)
    if "性别" not in frame.columns:  # generate.py before it had the policy's fairness column
        frame = frame.with_columns(pl.Series("性别", ["男", "女"] * (n // 2) + ["女"] * (n % 2)))
    frame.write_csv(data)
    subprocess.run([sys.executable, "-m", "incentive", "close", str(POLICY), str(data), "--period", PERIOD,
                    "--ledger", str(here / "ledger.sqlite"), "--out", str(here / "out"), "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    for role in ("manager", "hr"):  # the policy's sign_off: an export waits for both
        subprocess.run([sys.executable, "-m", "incentive", "approve", str(POLICY), "--period", PERIOD, "--as",
                        f"bench-{role}", "--role", role, "--ledger", str(here / "ledger.sqlite")],
                       check=True, stdout=subprocess.DEVNULL)
    ids = pl.int_range(1, n + 1, eager=True)
    people = pl.DataFrame({
        "工号": ids.map_elements(lambda i: f"E{i:07d}", return_dtype=pl.String),
        "姓名": ids.map_elements(lambda i: f"员工{i}", return_dtype=pl.String),
        "证件类型": pl.repeat("居民身份证", n, eager=True),
        "证件号码": ids.map_elements(lambda i: f"11010119900101{i:04d}"[-18:].rjust(18, "1"), return_dtype=pl.String),
        "银行账号": ids.map_elements(lambda i: f"6222021{i:012d}", return_dtype=pl.String),
    })
    people.write_csv(here / "people.csv", include_bom=True)
    return here


def measure(here: Path, layout: str) -> tuple[float, float, float]:
    out = Path(tempfile.mkdtemp(prefix="incentive-export-bench-"))
    suffix = "xlsx" if "xlsx" in layout or layout.startswith("tax") else "csv"
    try:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "incentive", "export", str(POLICY), "--period", PERIOD,
                                 "--layout", layout, "--out", str(out / f"export.{suffix}"),
                                 "--people", str(here / "people.csv"), "--ledger", str(here / "ledger.sqlite")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"export {layout} failed:\n{err}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--layouts", nargs="+", default=LAYOUTS)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "incentive")], check=True)
    print(f"{'people':>10} {'layout':<22} {'best':>7} {'median':>7} {'worst':>7} {'CPU':>7} {'peak RSS':>9}")
    for n in args.sizes:
        here = closed(n)
        for layout in args.layouts:
            runs = [measure(here, layout) for _ in range(args.repeat)]
            walls = sorted(w for w, _, _ in runs)
            _, cpu, rss = min(runs)
            print(f"{n:>10,} {layout:<22} {walls[0]:>6.2f}s {statistics.median(walls):>6.2f}s {walls[-1]:>6.2f}s "
                  f"{cpu:>6.2f}s {rss:>6.0f} MiB  (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
