"""``verify`` of a close from the crediting sources: its credit table against its period table.

The close evaluated (and the ledger recorded) the period table credited from
the sources; ``credits.csv`` beside the outputs is the credit table it came
from. With the close directory at hand, verify checks the credit table's
sha256 against what the ledger recorded, then re-aggregates every measure it
can from the credit table alone -- sums, counts and earliest / latest dates,
by amount, role and credit kind, exactly as docs/crediting.md defines them --
and requires each person's value to equal the recorded period table's. It
does not re-credit (the sources are not in the ledger); measures that need a
line's classification columns (``count_distinct``, ``where:``), which the
credit table does not carry, are named as not re-aggregated.
"""

from __future__ import annotations

import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from incentive.app.recorded_sources import entry_record
from incentive.credits.definition import Measure
from incentive.credits.load import load_definition
from incentive.errors import IncentiveError
from incentive.ledger import Ledger, LedgerEntry
from incentive.output.manifest import sha256_file
from incentive.policy.validate import load_policy


def check_credit_table(ledger: Ledger, entry: LedgerEntry, directory: Path | None) -> tuple[list[str], list[str]]:
    """(problems, what was checked) of the credit table of ``entry``; nothing for a close of a data file."""
    record = entry_record(entry)
    if record is None:
        return [], []
    what = f"{entry.policy_id} {entry.period}"
    name = record["credits"]["file"]
    if directory is None:
        return [], [f"{name} of {what}: the ledger keeps its sha256 only; `incentive verify DIR` with the close "
                    "directory checks it and re-aggregates the measures from it"]
    path = directory / name
    if not path.is_file():
        return [f"{path}: missing (the credit table recorded in ledger entry {entry.seq})"], []
    if sha256_file(path) != record["credits"]["sha256"]:  # read in blocks: a big close's table is gigabytes
        return [f"{path}: differs from the credit table recorded in ledger entry {entry.seq} -- tampered"], []
    with tempfile.TemporaryDirectory(prefix="incentive-verify-credits-") as tmp:
        crediting = Path(tmp) / (Path(record["crediting"].get("file") or "crediting.yaml").name)
        crediting.write_text(record["crediting"]["text"], encoding="utf-8")
        policy_file = Path(tmp) / "policy.yaml"
        policy_file.write_text(entry.policy_text or "", encoding="utf-8")
        try:
            definition = load_definition(crediting)
            policy = load_policy(str(policy_file)).policy
            id_column, decimals = policy.id_input.id, policy.money.decimals
        except IncentiveError as exc:
            return [f"{what}: the recorded crediting file or policy cannot be read again: {exc}"], []
    credits = pl.scan_csv(path, infer_schema=False)  # each measure streams through it: never read whole
    table = _text_csv(ledger.load_data(entry))
    problems: list[str] = []
    skipped = []
    for m in definition.measures:
        if m.kind == "count_distinct" or m.where:
            skipped.append(m.id)
            continue
        problems += _compare(m, _aggregate(m, credits, decimals), table, id_column, path, entry)
    done = [m.id for m in definition.measures if m.id not in skipped]
    checked = [f"{path}: sha256 as recorded; measures {', '.join(done) or '(none)'} re-aggregated from it equal "
               f"the recorded period table" if not problems else f"{path}: re-aggregated the measures"]
    if skipped:
        checked.append(f"{path}: {', '.join(skipped)} not re-aggregated (they need the lines' classification "
                       "columns, which the credit table does not carry)")
    return problems, checked


def _text_csv(data: bytes) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), infer_schema=False)


def _aggregate(m: Measure, credits: pl.DataFrame | pl.LazyFrame, decimals: int) -> dict[str, Any]:
    """Person -> the measure, from the credit table (docs/crediting.md, Measures), its cells as text.

    Sums are exact: the credited texts as decimals of ``decimals`` places
    (the currency's, as the table was written), summed by polars -- one
    pass over the table, however long."""
    rows = credits.lazy().filter(pl.col("amount_name") == m.amount)
    if m.role is not None:
        rows = rows.filter(pl.col("role") == m.role)
    if m.credit != "all":
        rows = rows.filter(pl.col("credit") == m.credit)
    if m.kind == "sum":
        sums = rows.group_by("person").agg(pl.col("credited").str.to_decimal(scale=decimals).cast(
            pl.Decimal(38, decimals)).sum()).collect(engine="streaming")
        return dict(sums.iter_rows())
    positive = rows.filter(pl.col("kind") != "refund")
    if m.kind == "count":
        lines = positive.group_by("person").agg(pl.col("line_id").n_unique()).collect(engine="streaming")
        return {person: int(n) for person, n in lines.iter_rows()}
    agg = pl.col("event_date").min() if m.kind == "earliest" else pl.col("event_date").max()
    return dict(positive.group_by("person").agg(agg).collect(engine="streaming").iter_rows())


def _compare(m: Measure, got: dict[str, Any], table: pl.DataFrame, id_column: str, path: Path,
             entry: LedgerEntry) -> list[str]:
    if m.id not in table.columns:
        return [f"{path}: measure {m.id!r} is not a column of the period table recorded in ledger entry {entry.seq}"]
    problems = []
    for person, recorded in table.select(id_column, m.id).iter_rows():
        if m.kind == "sum":
            mine: Any = got.get(person, Decimal(0))
            same = recorded is not None and Decimal(recorded) == mine
        elif m.kind == "count":
            mine = got.get(person, 0)
            same = recorded is not None and int(recorded) == mine
        else:
            mine = got.get(person)
            same = (recorded or None) == mine
        if not same:
            problems.append(f"{path}: measure {m.id!r} of {person}: {mine} re-aggregated from the credit table, "
                            f"{recorded!r} in the period table recorded in ledger entry {entry.seq}")
    return problems
