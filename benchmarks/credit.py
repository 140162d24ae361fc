"""Wall time and peak memory of crediting N order lines into the per-person period table.

    python benchmarks/credit.py --sizes 1000000 10000000 [--parquet] [--memory-limit 2GB]
    python benchmarks/credit.py --sizes 100000 --engine spark    # the same run on a local Spark session
    python benchmarks/credit.py --sizes 1000000 --command credit [--memory-limit 2GB]   # the real command

The data: N order lines over one quarter, 20% of them split two ways
(60/40) with a second rep, 100,000 people in a 4-level hierarchy
(rep -> manager -> director -> VP; 1 VP, 10 directors, 1,000 managers), 5% of
reps moving to another manager mid-quarter. Each size runs in a fresh
process (``--measure``) that reads the files, checks them, credits every
line (direct and roll-up) on DuckDB and builds the per-person table; the
credit table is never built (``keep_credits=False``: the measures read the
narrow direct and roll-up credits). Printed: the wall time and the CPU time
(all threads) of each stage, the process's CPU time and peak resident memory,
and the load average (on a shared machine wall time above CPU time / cores
means the run waited for other work). Data files
are cached in benchmarks/_data. ``--engine spark`` credits on a local
Spark session (``local[2]``; its start is timed as a stage of its own, and
the JVM's CPU time and resident memory are added to the process's) and
checks that its per-person table equals DuckDB's, value for value.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEOPLE = 100_000
MANAGERS, DIRECTORS = 1_000, 10
CREDITING = """\
crediting: 1
lines:
  orders: {id: order_id, date: order_date, person: owner, amounts: {amount: amount}, columns: {customer: customer}}
splits: {line: order_id, person: person, role: role, share: share}
assignments: {person: person, manager: manager, valid_from: valid_from, valid_to: valid_to, attributes: {team: team}}
measures:
  revenue: {sum: amount, role: owner}
  team_revenue: {sum: amount, role: owner, credit: rollup}
  orders: {count: amount, role: owner}
  customers: {count_distinct: customer, role: owner}
"""
POLICY = """\
policy: credit-bench
version: "1"
period: quarter
currency: CNY
crediting: crediting.yaml
inputs:
  employee_id: {type: id}
  revenue: {type: money}
  team_revenue: {type: money}
  orders: {type: integer}
  customers: {type: integer}
"""


def generate(n: int, folder: Path, fmt: str) -> None:
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    reps = PEOPLE - MANAGERS - DIRECTORS - 1
    rep_ids = pl.int_range(0, reps, eager=True)
    start = date(2026, 1, 1)
    people = (["VP"] + [f"D{i}" for i in range(DIRECTORS)] + [f"M{i}" for i in range(MANAGERS)]
              + [f"R{i}" for i in range(reps)])
    early = "2020-01-01"
    asg = [pl.DataFrame({"person": ["VP"], "manager": [None], "team": ["HQ"], "valid_from": [early], "valid_to": [None]},
                        schema_overrides={"manager": pl.String, "valid_to": pl.String})]
    asg.append(pl.DataFrame({"person": [f"D{i}" for i in range(DIRECTORS)], "manager": "VP", "team": "HQ",
                             "valid_from": early, "valid_to": None}, schema_overrides={"valid_to": pl.String}))
    asg.append(pl.DataFrame({"person": [f"M{i}" for i in range(MANAGERS)],
                             "manager": [f"D{i % DIRECTORS}" for i in range(MANAGERS)],
                             "team": [f"T{i}" for i in range(MANAGERS)], "valid_from": early, "valid_to": None},
                            schema_overrides={"valid_to": pl.String}))
    r = pl.DataFrame({"i": rep_ids}).with_columns(person=pl.format("R{}", "i"), m=pl.col("i") % MANAGERS)
    movers = r.filter(pl.col("i") % 20 == 0)
    stay = r.filter(pl.col("i") % 20 != 0)
    move_day = (start + timedelta(days=45)).isoformat()
    asg.append(stay.select("person", manager=pl.format("M{}", "m"), team=pl.format("T{}", "m"),
                           valid_from=pl.lit(early), valid_to=pl.lit(None, dtype=pl.String)))
    asg.append(movers.select("person", manager=pl.format("M{}", "m"), team=pl.format("T{}", "m"),
                             valid_from=pl.lit(early), valid_to=pl.lit(move_day)))
    moved = (pl.col("m") + 1) % MANAGERS
    asg.append(movers.select("person", manager=pl.format("M{}", moved), team=pl.format("T{}", moved),
                             valid_from=pl.lit(move_day), valid_to=pl.lit(None, dtype=pl.String)))
    assignments = pl.concat(asg)
    k = pl.int_range(0, n, eager=True)
    orders = pl.DataFrame({"k": k}).select(
        order_id=pl.format("SO{}", "k"),
        order_date=(pl.lit(start) + pl.duration(days=(pl.col("k") * 7919) % 90)).dt.strftime("%Y-%m-%d"),
        owner=pl.format("R{}", (pl.col("k") * 104729) % reps),
        customer=pl.format("C{}", (pl.col("k") * 31) % 200_000),
        amount=pl.format("{}.{}", (pl.col("k") * 37) % 100_000, ((pl.col("k") * 13) % 100).cast(pl.String).str.zfill(2)),
    )
    split = orders.filter(pl.int_range(0, pl.len()) % 5 == 0)
    splits = pl.concat([
        split.select("order_id", person="owner", role=pl.lit("owner"), share=pl.lit("0.6")),
        split.select("order_id", person=pl.format("R{}", (pl.col("owner").str.slice(1).cast(pl.Int64) + 1) % reps),
                     role=pl.lit("owner"), share=pl.lit("0.4")),
    ])
    people_frame = pl.DataFrame({"employee_id": people})
    for name, frame in (("orders", orders), ("splits", splits), ("assignments", assignments), ("people", people_frame)):
        if fmt == "parquet":
            frame.write_parquet(folder / f"{name}.parquet")
        else:
            frame.write_csv(folder / f"{name}.csv")
    (folder / "crediting.yaml").write_text(CREDITING, encoding="utf-8")
    (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")


def _children_usage() -> tuple[float, int]:
    """CPU seconds and resident MB of this process's live children (the Spark JVM), from /proc."""
    cpu, rss = 0.0, 0
    tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == os.getpid():
            cpu += (int(stat[11]) + int(stat[12])) / tick
            rss += int(stat[21]) * page // 2**20
    return cpu, rss


def measure(folder: Path, fmt: str, memory_limit: str | None = None, engine_name: str = "duckdb") -> dict:
    from incentive.app.run import load
    from incentive.credits.checks import check_links
    from incentive.credits.duck import DuckEngine
    from incentive.credits.engine import credit
    from incentive.credits.load import load_definition
    from incentive.credits.period_table import period_table
    from incentive.credits.prepare import prepare
    from incentive.credits.sources import source_paths

    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}  # the process's CPU seconds (all threads) per stage: robust to a loaded machine
    last, last_cpu = time.perf_counter(), time.process_time()

    def stage(name: str) -> None:
        nonlocal last, last_cpu
        now, now_cpu = time.perf_counter(), time.process_time()
        stages[name] = round(now - last, 2)
        stages_cpu[name] = round(now_cpu - last_cpu, 2)
        last, last_cpu = now, now_cpu

    policy = load(str(folder / "policy.yaml")).policy
    definition = load_definition(folder / "crediting.yaml")
    paths = source_paths(tuple(str(folder / f"{n}.{fmt}") for n in ("orders", "splits", "assignments", "people")),
                         definition)
    data = prepare(definition, paths, currency="CNY", decimals=2)
    stage("read+check")
    check_links(definition, data)
    stage("links")
    extra: dict = {}
    if engine_name == "spark":
        from incentive.credits.spark import SparkEngine, local_session

        local_session()
        stage("spark session start")
        engine = SparkEngine()
        result = credit(definition, data, date(2026, 1, 1), date(2026, 4, 1), decimals=2, rounding="half_up",
                        keep_credits=False, engine=engine)
        engine.close()
        stage("credit (spark)")
        duck = credit(definition, data, date(2026, 1, 1), date(2026, 4, 1), decimals=2, rounding="half_up",
                      keep_credits=False)
        extra["same_as_duckdb"] = duck.measures.schema == result.measures.schema and duck.measures.equals(result.measures)
        jvm_cpu, jvm_rss = _children_usage()
        extra.update(jvm_cpu_s=round(jvm_cpu, 1), jvm_rss_mb=jvm_rss)
        last, last_cpu = time.perf_counter(), time.process_time()  # the check against DuckDB is not timed
    else:
        engine = DuckEngine(memory_limit=memory_limit)
        result = credit(definition, data, date(2026, 1, 1), date(2026, 4, 1), decimals=2, rounding="half_up",
                        keep_credits=False, engine=engine)
        engine.close()
        stage("credit (duckdb)")
    table = period_table(paths["people"], definition, policy, result.measures)
    stage("period table")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"lines": data.lines.height, "people": table.frame.height,
            "stages": stages, "stages_cpu": stages_cpu, "wall_s": round(sum(stages.values()), 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "load_avg": round(os.getloadavg()[0], 1), **extra}


def run_command(command: str, folder: Path, fmt: str, memory_limit: str | None, engine: str) -> dict:
    """``python -m incentive credit|close`` on the generated data, in a child process: its wall time, CPU time and
    peak resident memory (``memory_limit``: ``INCENTIVE_DUCKDB_MEMORY``), and the size of the credit table written."""
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="incentive-bench-"))
    out = work / "out"
    sources = [str(folder / f"{name}.{fmt}") for name in ("orders", "splits", "assignments", "people")]
    ledger = ["--ledger", str(work / "ledger.sqlite")] if command == "close" else []
    env = {**os.environ, **({"INCENTIVE_DUCKDB_MEMORY": memory_limit} if memory_limit else {})}
    start = time.perf_counter()
    with open(work / "stderr", "wb") as err:
        child = subprocess.Popen([sys.executable, "-m", "incentive", command, str(folder / "policy.yaml"), *sources,
                                  "--period", "2026-Q1", "--out", str(out), *ledger,
                                  *(["--engine", engine] if command == "credit" else [])],
                                 stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own CPU time and peak memory
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    try:
        if child.returncode:
            sys.exit((work / "stderr").read_text("utf-8", errors="replace"))
        written = sorted(out.rglob("credits.csv"))
        return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                "peak_rss_mb": round(usage.ru_maxrss / 1024),
                "credits_csv_mb": round(written[0].stat().st_size / 2**20) if written else None,
                "load_avg": round(os.getloadavg()[0], 1)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--format", default="csv", choices=["csv", "parquet"])
    ap.add_argument("--parquet", action="store_true", help="the sources as Parquet files (--format parquet)")
    ap.add_argument("--memory-limit", default=None, help="DuckDB's memory limit, e.g. 3GB (beyond it, it spills)")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"], help="where the crediting SQL runs")
    ap.add_argument("--command", choices=["credit", "close"],
                    help="time the real command instead (`incentive credit` / `close`: the credit table written too; "
                         "close runs on DuckDB)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.parquet:
        args.format = "parquet"
    if args.measure:
        print(json.dumps(measure(args.measure, args.format, args.memory_limit, args.engine)))
        return
    for n in args.sizes:
        folder = HERE / "_data" / f"credit-{n}-{args.format}"
        if not (folder / f"orders.{args.format}").exists():
            t = time.perf_counter()
            generate(n, folder, args.format)
            print(f"generated {n:,} lines in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        if args.command:
            print(f"{n:>12,} lines ({args.format}, incentive {args.command}): "
                  f"{json.dumps(run_command(args.command, folder, args.format, args.memory_limit, args.engine))}")
            continue
        limit = ["--memory-limit", args.memory_limit] if args.memory_limit else []
        done = subprocess.run([sys.executable, __file__, "--measure", str(folder), "--format", args.format, *limit,
                               "--engine", args.engine],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            sys.exit(done.stderr)
        print(f"{n:>12,} lines ({args.format}, {args.engine}): {done.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
