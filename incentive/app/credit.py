"""``incentive credit``: from transaction lines to the period table and the credit table.

Load the policy and the crediting file it names, read and check every
source, credit the period's events on DuckDB (or Spark: ``engine``), and write -- atomically, all
or nothing -- the per-person period table (``period.csv``: the policy's
inputs by id) and the credit table (``credits.csv``: line -> person -> role
-> share -> credited amount), plus ``sources.json`` (each source's file and
sha256). Any bad input is a ``UsageError`` before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import polars as pl

from incentive.app.run import load
from incentive.credits.checks import check_links
from incentive.credits.engine import check_engine, credit, open_engine
from incentive.credits.load import load_definition
from incentive.credits.period_table import check_measures, period_table
from incentive.credits.prepare import prepare
from incentive.credits.sources import source_paths
from incentive.errors import UsageError
from incentive.io.periods import parse_period
from incentive.output.atomic import staged_files
from incentive.output.tables import write_csv, write_parquet

PERIOD_FILE = "period"
CREDITS_FILE = "credits"
SOURCES_FILE = "sources.json"


@dataclass
class CreditSummary:
    period: str
    people: int
    credit_rows: int
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # data warnings, counted (stderr)
    credits: pl.DataFrame | None = None  # the two tables as written, exact types (the conformance suite compares them)
    table: pl.DataFrame | None = None


def crediting_file(policy_path: str, named: str | None, override: str | None) -> Path:
    """The crediting file: ``--crediting``, else the policy's ``crediting`` key (relative to the policy)."""
    if override:
        return Path(override)
    if not named:
        raise UsageError(f"{policy_path}: the policy names no crediting file; add `crediting: crediting.yaml` "
                         "to it or pass --crediting FILE")
    return Path(policy_path).parent / named


def run_credit(policy_path: str, sources: tuple[str, ...], period_text: str, out: str, *, fmt: str = "csv",
               crediting: str | None = None, encoding: str | None = None, overrides: tuple[str, ...] = (),
               engine: str = "duckdb", spark_url: str | None = None) -> CreditSummary:
    """Credit one period and write its tables; ``engine`` runs the SQL (``duckdb`` embedded, or ``spark``)."""
    if spark_url is not None and engine != "spark":
        raise UsageError(f"--spark-url {spark_url}: a Spark Connect URL needs --engine spark (the engine is {engine})")
    check_engine(engine, spark_url=spark_url)
    checked = load(policy_path, overrides)
    policy = checked.policy
    period = parse_period(period_text, policy.period)
    definition = load_definition(crediting_file(policy_path, policy.crediting, crediting))
    check_measures(definition, policy)
    paths = source_paths(sources, definition)
    data = prepare(definition, paths, currency=policy.currency, decimals=policy.money.decimals, encoding=encoding)
    check_links(definition, data)
    eng = open_engine(engine, spark_url=spark_url)
    try:
        result = credit(definition, data, period.start, period.end + timedelta(days=1),
                        decimals=policy.money.decimals, rounding=policy.money.rounding, engine=eng)
    finally:
        eng.close()
    table = period_table(paths["people"], definition, policy, result.measures, encoding=encoding)
    summary = CreditSummary(period=period.label, people=table.frame.height, credit_rows=result.credits.height,
                            credits=result.credits, table=table.frame)
    if result.outside:
        summary.notes.append(f"{result.outside:,} line amounts dated outside {period.label} were not credited")
    if result.excluded:
        summary.notes.append(f"{result.excluded:,} line amounts in {period.label} were excluded by classification "
                             f"(include: {', '.join(definition.include)})")
    if table.unmatched:
        summary.notes.append(f"{table.unmatched:,} credited people are not in {paths['people']} "
                             "(their credits are in the credit table only)")
    hashes = {**data.hashes, "people": table.sha256}
    money = {**table.money, "amount": policy.money.decimals, "credited": policy.money.decimals}
    target = Path(out)
    with staged_files(target) as staging:
        if fmt == "parquet":
            write_parquet(table.frame, staging / f"{PERIOD_FILE}.parquet")
            write_parquet(result.credits, staging / f"{CREDITS_FILE}.parquet")
        else:
            write_csv(table.frame, staging / f"{PERIOD_FILE}.csv", money_columns=money)
            write_csv(result.credits, staging / f"{CREDITS_FILE}.csv", money_columns=money)
        listing = {"period": period.label, "policy": policy.id, "crediting": definition.file,
                   "sources": {n: {"file": str(p), "sha256": hashes.get(n, "")} for n, p in sorted(paths.items())}}
        (staging / SOURCES_FILE).write_text(json.dumps(listing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        names = sorted(p.name for p in staging.iterdir())
    summary.written = [target / n for n in names]
    return summary
