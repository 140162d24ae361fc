"""``incentive credit``: from transaction lines to the period table and the credit table.

Load the policy and the crediting file it names, read and check every
source, credit the period's events on DuckDB (or Spark: ``engine``), and write -- atomically, all
or nothing -- the per-person period table (``period.csv``: the policy's
inputs by id) and the credit table (``credits.csv``: line -> person -> role
-> share -> credited amount), plus ``sources.json`` (each source's file and
sha256). Any bad input is a ``UsageError`` before anything is written.

``credit_sources`` is the in-memory half, shared with ``evaluate`` /
``close`` / ``explain`` run from the sources (``app.sources_run``): they
evaluate exactly the ``period.csv`` bytes this command writes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import polars as pl

from incentive.app.run import load
from incentive.credits.checks import check_links
from incentive.credits.credit_table import CreditTable
from incentive.credits.definition import Definition
from incentive.credits.engine import Credited, check_engine, credit, open_engine
from incentive.credits.load import load_definition
from incentive.credits.period_table import check_measures, period_table
from incentive.credits.prepare import prepare
from incentive.credits.recover import recoveries
from incentive.credits.sources import source_paths
from incentive.errors import UsageError
from incentive.io.periods import parse_period
from incentive.output.atomic import staged_files
from incentive.output.tables import write_csv, write_csv_parts, write_parquet
from incentive.policy.expr.checked import CheckedPolicy

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
    credits: CreditTable | None = None  # the two tables as written, exact types (the conformance suite compares them)
    table: pl.DataFrame | None = None


@dataclass
class CreditRun:
    """One period credited in memory: both tables, the money columns, every source and its sha256."""

    period: str
    definition: Definition
    crediting_file: Path
    paths: dict[str, Path]
    hashes: dict[str, str]  # source name -> sha256 of its file's bytes
    period_frame: pl.DataFrame
    credits: CreditTable  # in a file of its own: millions of rows are never one frame
    money: dict[str, int]  # money columns of both tables -> decimals
    decimals: int  # the currency's (money.decimals)
    rounding: str  # money.rounding: how a role's total of a line was rounded
    notes: list[str] = field(default_factory=list)
    recoveries: dict[str, pl.DataFrame] = field(default_factory=dict)  # clawback id -> the credits it recovers

    def period_csv(self, path: Path) -> None:
        """``period.csv`` exactly as ``incentive credit`` writes it."""
        write_csv(self.period_frame, path, money_columns=self.money)

    def credits_csv(self, path: Path) -> None:
        """``credits.csv`` exactly as ``incentive credit`` writes it."""
        write_csv_parts(self.credits.slices(), path, money_columns=self.money)

    def listing(self, policy_id: str) -> dict:
        """What ``sources.json`` says: the period, the policy, the crediting file, each source and its sha256."""
        return {"period": self.period, "policy": policy_id, "crediting": self.definition.file,
                "sources": {n: {"file": str(p), "sha256": self.hashes.get(n, "")}
                            for n, p in sorted(self.paths.items())}}

    def crediting_bytes(self) -> bytes:
        return self.crediting_file.read_bytes()

    def crediting_sha256(self) -> str:
        return hashlib.sha256(self.crediting_bytes()).hexdigest()


def crediting_file(policy_path: str, named: str | None, override: str | None) -> Path:
    """The crediting file: ``--crediting``, else the policy's ``crediting`` key (relative to the policy)."""
    if override:
        return Path(override)
    if not named:
        raise UsageError(f"{policy_path}: the policy names no crediting file; add `crediting: crediting.yaml` "
                         "to it or pass --crediting FILE")
    return Path(policy_path).parent / named


def credit_sources(checked: CheckedPolicy, policy_path: str, sources: tuple[str, ...], period_text: str, *,
                   crediting: str | None = None, encoding: str | None = None, engine: str = "duckdb",
                   spark_url: str | None = None, lang: str = "en") -> CreditRun:
    """Read, check and credit every source for one period, in memory (nothing is written); ``engine`` runs the
    SQL (``duckdb`` embedded, or ``spark``)."""
    policy = checked.policy
    period = parse_period(period_text, policy.period)
    file = crediting_file(policy_path, policy.crediting, crediting)
    definition = load_definition(file)
    check_measures(definition, policy)
    definition, recover = recoveries(policy, definition)
    paths = source_paths(sources, definition)
    data = prepare(definition, paths, currency=policy.currency, decimals=policy.money.decimals, encoding=encoding)
    check_links(definition, data)
    eng = open_engine(engine, spark_url=spark_url)
    directory = CreditTable.new_directory()
    try:
        result = credit(definition, data, period.start, period.end + timedelta(days=1),
                        decimals=policy.money.decimals, rounding=policy.money.rounding, engine=eng,
                        recoveries=recover, credits_to=directory / "credits.parquet")
        credits = CreditTable(directory, result.credit_rows)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    finally:
        eng.close()
    table = period_table(paths["people"], definition, policy, result.measures, encoding=encoding)
    notes = _notes(result, table.unmatched, period.label, definition, paths, lang)
    return CreditRun(period=period.label, definition=definition, crediting_file=file, paths=paths,
                     hashes={**data.hashes, "people": table.sha256}, period_frame=table.frame,
                     credits=credits,
                     money={**table.money, "amount": policy.money.decimals, "credited": policy.money.decimals},
                     decimals=policy.money.decimals, rounding=policy.money.rounding, notes=notes,
                     recoveries=result.recoveries)


def _notes(result: Credited, unmatched: int, label: str, definition: Definition, paths: dict[str, Path],
           lang: str) -> list[str]:
    """The data warnings of a crediting run, counted, in the run's language (stderr ``note:`` lines)."""
    zh = lang == "zh"
    notes = []
    if result.outside:
        notes.append(f"{result.outside:,} 条明细金额的日期不在 {label} 内，未计入" if zh else
                     f"{result.outside:,} line amounts dated outside {label} were not credited")
    if result.excluded:
        include = ", ".join(definition.include)
        notes.append(f"{result.excluded:,} 条 {label} 内的明细金额因分类条件（include: {include}）被排除" if zh else
                     f"{result.excluded:,} line amounts in {label} were excluded by classification (include: {include})")
    for clawback, rows in result.recoveries.items():
        if rows.height:
            notes.append(f"{rows.height:,} 条以前期间订单的退款业绩由追回规则 {clawback} 在结算时依台账追回，不冲减本期指标"
                         if zh else
                         f"{rows.height:,} refund credits of lines dated before {label} are recovered by clawback "
                         f"{clawback} (at the close, from the ledger), not netted from this period's measures")
    if unmatched:
        notes.append(f"{unmatched:,} 名计入业绩的人员不在 {paths['people']} 中（其业绩仅见于业绩归属表）" if zh else
                     f"{unmatched:,} credited people are not in {paths['people']} "
                     "(their credits are in the credit table only)")
    return notes


def run_credit(policy_path: str, sources: tuple[str, ...], period_text: str, out: str, *, fmt: str = "csv",
               crediting: str | None = None, encoding: str | None = None, overrides: tuple[str, ...] = (),
               engine: str = "duckdb", spark_url: str | None = None) -> CreditSummary:
    """Credit one period and write its tables; ``engine`` runs the SQL (``duckdb`` embedded, or ``spark``)."""
    if spark_url is not None and engine != "spark":
        raise UsageError(f"--spark-url {spark_url}: a Spark Connect URL needs --engine spark (the engine is {engine})")
    check_engine(engine, spark_url=spark_url)
    checked = load(policy_path, overrides)
    run = credit_sources(checked, policy_path, sources, period_text, crediting=crediting, encoding=encoding,
                         engine=engine, spark_url=spark_url)
    summary = CreditSummary(period=run.period, people=run.period_frame.height, credit_rows=run.credits.height,
                            notes=list(run.notes), credits=run.credits, table=run.period_frame)
    target = Path(out)
    with staged_files(target) as staging:
        if fmt == "parquet":
            write_parquet(run.period_frame, staging / f"{PERIOD_FILE}.parquet")
            write_parquet(run.credits.lazy(), staging / f"{CREDITS_FILE}.parquet")
        else:
            run.period_csv(staging / f"{PERIOD_FILE}.csv")
            run.credits_csv(staging / f"{CREDITS_FILE}.csv")
        listing = run.listing(checked.policy.id)
        (staging / SOURCES_FILE).write_text(json.dumps(listing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        names = sorted(p.name for p in staging.iterdir())
    summary.written = [target / n for n in names]
    return summary
