"""The application layer: what a command does, without the command line.

Each function takes paths and options, calls the policy loader, the data
reader, the engine and the writers, and returns plain objects. The CLI
only parses options and prints; tests and other tools call these directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.errors import UsageError

FORMATS = ("csv", "json", "parquet", "xlsx")


@dataclass(frozen=True)
class RunOptions:
    period: str
    overrides: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # data layout (io): header row given, else found below any title rows
    skip_footer: bool = False  # data layout (io): skip rows from the first totals / id-less row to the end
    max_errors: int = 100
    lang: str = "en"
    ledger: str | None = None  # read history from this ledger (evaluate never writes it)
    strict_history: bool = False  # refuse, rather than note, a policy reading history the ledger does not show


def load(policy_path: str, overrides: tuple[str, ...] = ()):
    """The checked policy, or ``PolicyLoadError`` / ``PolicyInvalid`` (exit 2)."""
    from incentive.policy.validate import load_policy

    return load_policy(policy_path, overrides=list(overrides))


def run_evaluation(policy_path: str, data_path: str, opts: RunOptions, *, checked=None) -> Results:
    """Load, read, fetch history (read-only) and evaluate."""
    from incentive.io import read_period_data
    from incentive.io.periods import parse_period

    checked = checked or load(policy_path, opts.overrides)
    period = parse_period(opts.period, checked.policy.period)
    data = read_period_data(data_path, checked.policy, encoding=opts.encoding, sheet=opts.sheet,
                            max_errors=opts.max_errors, header_row=opts.header_row, skip_footer=opts.skip_footer)
    notes: list[str] = []
    history = read_history(opts.ledger, checked, period, notes) if opts.ledger else None
    if notes and opts.strict_history:
        raise UsageError(f"{notes[0]}; --strict refuses to evaluate without history")
    results = evaluate(checked, data, period, history=history, lang=opts.lang)
    results.warnings.extend(notes)
    return results


def read_history(ledger_path: str, checked, period, notes: list[str] | None = None) -> dict[int, pl.DataFrame]:
    """Results of earlier closed periods, keyed by offset (1 = previous).

    Never creates the ledger. When the policy reads history and none is
    visible (no ledger file, or no earlier close of the policy in it), a
    note saying so is appended to ``notes``: a dry run without history
    silently disagrees with the official close otherwise."""
    depth = int(checked.history_depth_needed or 0)
    if not depth:
        return {}
    if not Path(ledger_path).exists():
        if notes is not None:
            from incentive.ledger.history_note import no_ledger

            notes.append(no_ledger(checked.policy.id, Path(ledger_path), depth))
        return {}
    from incentive.ledger.store import Ledger

    wanted = [checked.policy.id_input.id, *sorted(checked.history_names)]
    with Ledger(ledger_path, readonly=True) as ledger:
        frames = ledger.history(checked.policy.id, period.ordinal, depth, columns=wanted)
    if not frames and notes is not None:
        from incentive.ledger.history_note import no_history

        notes.append(no_history(checked.policy.id, period.label, Path(ledger_path), depth))
    return {period.ordinal - ordinal: frame for ordinal, frame in frames.items()}


def select_employees(results: Results, employees: tuple[str, ...]) -> pl.DataFrame:
    frame = results.frame
    if not employees:
        return frame
    ids = frame.get_column(results.id_column).cast(pl.String)
    missing = sorted(set(employees) - set(ids.to_list()))
    if missing:
        raise UsageError(f"--employee: no such employee in the data: {', '.join(missing)}")
    return frame.filter(ids.is_in(list(employees)))


def results_table(results: Results, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """The per-person table users read (SPEC §5): ids, names and groups, every
    KPI value and its points, score, rank, percentile, band, each payout
    component, each penalty, the total and the recommendations.

    Numeric inputs, derived values, aggregates and intermediate steps are in
    the audit record (``audit.parquet`` of a close) and in ``explain``.
    """
    frame = results.frame if frame is None else frame
    keep_kinds = {"kpi_value", "kpi_points", "score", "ranking", "payout", "penalty", "total", "recommendation"}
    text_inputs = {i.id for i in results.policy.policy.inputs if i.type in ("id", "text")}
    cols = [n for n in results.public_columns()
            if results.columns[n].kind in keep_kinds or (results.columns[n].kind == "input" and n in text_inputs)]
    if "band_reason" in frame.columns and "band_reason" not in cols:
        cols.append("band_reason")
    from incentive.report.forfeits import COLUMN as FORFEITED, with_forfeited

    frame = with_forfeited(results, frame)  # A4: what a veto took, beside the penalties
    if FORFEITED in frame.columns and FORFEITED not in cols:
        cols.insert(cols.index("total") if "total" in cols else len(cols), FORFEITED)
    return frame.select(cols)


def money_decimals(results: Results) -> dict[str, int]:
    d = results.policy.policy.money.decimals
    from incentive.report.forfeits import COLUMN as FORFEITED, forfeit_penalties

    return {c: d for c in results.money_columns()} | ({FORFEITED: d} if forfeit_penalties(results) else {})


def write_table(frame: pl.DataFrame, path: Path, fmt: str, money: dict[str, int], *,
                labels: dict[str, str] | None = None, headers: str = "ids") -> None:
    """One table; ``labels`` give XLSX its label row, and CSV / JSON its headers when ``headers == "labels"``."""
    from incentive.output import tables

    if labels is not None and headers == "labels" and fmt in ("csv", "json"):
        from incentive.report.labels import relabel

        frame, money = relabel(frame, money, labels)
    if fmt == "csv":
        tables.write_csv(frame, path, money_columns=money)
    elif fmt == "xlsx":
        tables.write_xlsx(frame, path, money_columns=money, labels=labels)
    elif fmt == "json":
        tables.write_json(frame, path, money_columns=money)
    elif fmt == "parquet":
        tables.write_parquet(frame, path)
    else:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")


def column_labels(results: Results, lang: str) -> dict[str, str]:
    from incentive.report.labels import column_labels as labels

    return labels(results, lang)


def write_evaluation(results: Results, out_dir: str, fmt: str, employees: tuple[str, ...] = (), *,
                     lang: str = "en", headers: str = "ids") -> list[Path]:
    """Write the results (and recommendations) of a dry run into ``out_dir``.

    Every file is first written under a hidden staging folder inside
    ``out_dir`` and only moved into place once all are complete, so a failure
    leaves no partial output. Other files already in ``out_dir`` are kept.
    """
    frame = select_employees(results, employees)
    outputs: dict[str, tuple[pl.DataFrame, dict[str, int]]] = {
        f"results.{fmt}": (results_table(results, frame), money_decimals(results)),
    }
    if results.recommendations is not None:
        recs = results.recommendations
        if employees:
            recs = recs.filter(pl.col("employee_id").is_in(list(employees)))
        outputs[f"recommendations.{fmt}"] = (recs, {})
    if results.ranking_summary is not None:
        outputs[f"ranking.{fmt}"] = (results.ranking_summary, {})
    from incentive.output.atomic import staged_files

    target = Path(out_dir)
    with staged_files(target) as staging:  # a failure names target/<file> and leaves target as it was
        for name, (table, money) in outputs.items():
            if fmt == "xlsx" and name == "results.xlsx":  # C9: every table as a sheet, labels above ids
                from incentive.output.xlsx_book import write_book
                from incentive.report.book import results_sheets

                write_book(staging / name, results_sheets(results, lang, table))
                continue
            labels = column_labels(results, lang) if headers == "labels" or fmt == "xlsx" else None
            write_table(table, staging / name, fmt, money, labels=labels, headers=headers)
    return [target / name for name in outputs]
