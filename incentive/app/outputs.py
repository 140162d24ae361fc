"""Writing the files of an evaluation (``evaluate --out``) and of a close.

A close's big, independent files (report page, results table, audit record,
payouts ...) are written on the threads of a pool the close owns:
``start_outputs`` submits them and returns at once with their futures, the
audit record's first among them (the ledger stores the same bytes), and
``PendingOutputs.finish`` waits for the rest and writes what depends on all
of them (the column descriptions, the policy copy, the manifest). Polars
releases the GIL while it encodes, so the files overlap on a multi-core
machine; the report, which needs the GIL most, is submitted first; each
file is hashed on its own thread as soon as it is written, so the manifest
only lists what is already known.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import polars as pl

from incentive import __version__
from incentive.app.files import AUDIT_FILE, BALANCES_FILE, COLUMNS_FILE, FAIRNESS_FILE, POLICY_COPY
from incentive.app.run import select_employees
from incentive.app.tables import write_table
from incentive.report.labels import column_labels
from incentive.report.tables import audit_frame, money_decimals, payouts_table, results_table
from incentive.engine.results import Results
from incentive.output.atomic import staged_files
from incentive.output.manifest import build_manifest, file_entry, write_manifest
from incentive.output.tables import write_audit
from incentive.output.xlsx_book import write_book
from incentive.policy.approval import approval_record
from incentive.report.balances import balances_frame
from incentive.report.versions_table import VERSIONS_FILE, versions_frame
from incentive.report.book import results_sheets
from incentive.report.explain import explain_row
from incentive.report.fairness import fairness_report
from incentive.report.fairness_text import fairness_table, table_labels
from incentive.report.evaluation_page import write_report

#: threads writing a close's files at once (more only queue behind the GIL on this workload)
WRITERS = 3


@dataclass(frozen=True)
class OutputChoices:
    """Which optional files a close writes, in which language, and the options record its manifest keeps."""

    xlsx: bool = False
    trace: bool = False
    html: bool = True
    lang: str = "en"  # the language of report.html and results.xlsx labels (ids never change)
    recorded: Mapping[str, Any] | None = None  # the options record written into the manifest (recorded_options)
    statements: bool = False  # close --statements: statements/<id>.html, listed like every file
    #: the earlier closes the statements' history shows: ordinal -> results (the ones the close evaluated with)
    statement_history: Mapping[int, pl.DataFrame] | None = None
    #: a close from the crediting sources: the sources record its manifest keeps (app.recorded_sources)
    sources: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class FileWritten:
    """One file written: its manifest entry and, for the audit record, the bytes (the ledger stores them)."""

    entry: dict
    data: bytes | None = None

    @property
    def sha256(self) -> str:
        return self.entry["sha256"]


class AuditFile:
    """The audit record, encoded once: written to its file and kept in memory
    for the ledger, which stores the same bytes (no second encoding)."""

    data: bytes = b""

    def write(self, frame: pl.DataFrame, path: Path) -> None:
        self.data = write_audit(frame, path)


class PendingOutputs:
    """A close's files being written: their futures, and what completes them."""

    def __init__(self, results: Results, directory: Path, policy_bytes: bytes, choices: OutputChoices,
                 files: dict[str, Future[FileWritten]]):
        self.results = results
        self.directory = directory
        self.policy_bytes = policy_bytes
        self.choices = choices
        self.files = files

    @property
    def audit(self) -> Future[FileWritten]:
        """The audit record's future: its bytes exist once it is done."""
        return self.files[AUDIT_FILE]

    def cancel(self) -> None:
        """A failure or Ctrl-C elsewhere: start no further file (writes, D13)."""
        for future in self.files.values():
            future.cancel()

    def finish(self) -> dict[str, str]:
        """Wait for every file (re-raising the first failure), write the column
        descriptions, the policy copy and the manifest; the sha256 of every
        file written, manifest included."""
        try:
            known = {name: future.result().entry for name, future in self.files.items()}
        except BaseException:
            self.cancel()
            raise
        directory, results = self.directory, self.results
        (directory / COLUMNS_FILE).write_text(columns_json(results), encoding="utf-8")
        (directory / POLICY_COPY).write_bytes(self.policy_bytes)
        meta = manifest_meta(results, self.policy_bytes)
        if self.choices.recorded is not None:
            meta["options"] = dict(self.choices.recorded)  # what explain --close and every re-run reuse
        if self.choices.sources is not None:
            meta["sources"] = dict(self.choices.sources)
        if self.choices.statements:  # before the manifest, which lists (and hashes) them
            from incentive.app.statements import close_statements

            close_statements(results, directory, meta, self.choices.lang, self.choices.statement_history or {})
        manifest = build_manifest(directory, meta=meta, known=known)
        path = write_manifest(directory, manifest)
        hashes = {name: entry["sha256"] for name, entry in manifest["files"].items()}
        hashes[path.name] = _sha256(path.read_bytes())
        return dict(sorted(hashes.items()))


def start_outputs(results: Results, directory: Path, policy_bytes: bytes, choices: OutputChoices,
                  pool: ThreadPoolExecutor) -> PendingOutputs:
    """Submit every file of a close to ``pool``; returns at once with their futures."""
    money = money_decimals(results)
    decimals = results.checked.policy.money.decimals
    table = results_table(results)
    audit = AuditFile()
    jobs: dict[str, Callable[[Path], object]] = {}
    if choices.html:
        jobs["report.html"] = lambda path: write_report(results, path, lang=choices.lang)
    jobs["results.csv"] = lambda path: write_table(table, path, "csv", money)
    jobs[AUDIT_FILE] = lambda path: audit.write(audit_frame(results), path)
    jobs["payouts.csv"] = lambda path: write_table(payouts_table(results), path, "csv", {"amount": decimals})
    if choices.xlsx:
        jobs["results.xlsx"] = lambda path: write_book(path, results_sheets(results, choices.lang, table))
    recommendations, ranking = results.recommendations, results.ranking_summary
    if recommendations is not None:
        jobs["recommendations.csv"] = lambda path: write_table(recommendations, path, "csv", {})
    if ranking is not None:
        jobs["ranking.csv"] = lambda path: write_table(ranking, path, "csv", {})
    if policy_has_fairness(results):
        jobs[FAIRNESS_FILE] = lambda path: write_fairness(results, path, "csv")
    balances = balances_frame(results)
    if balances is not None:
        money_cols = {c: decimals for c in balances.columns if balances.schema[c].is_decimal()}
        jobs[BALANCES_FILE] = lambda path: write_table(balances, path, "csv", money_cols)
    versions = versions_frame(results)
    if versions is not None:  # a period split between plan versions: what each version computed
        jobs[VERSIONS_FILE] = lambda path: write_table(versions, path, "csv", {"amount": decimals})
    if choices.trace:
        jobs["trace.jsonl"] = lambda path: write_trace(results, path)

    def write(name: str) -> FileWritten:
        path = directory / name
        jobs[name](path)
        data = audit.data if name == AUDIT_FILE else None
        return FileWritten(file_entry(path, data), data)

    return PendingOutputs(results, directory, policy_bytes, choices,
                          {name: pool.submit(write, name) for name in jobs})


def write_outputs(results: Results, directory: Path, policy_bytes: bytes, choices: OutputChoices) -> dict[str, str]:
    """Every file of a close written into ``directory`` (a re-run: nothing to overlap with); their sha256."""
    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="incentive-write") as pool:
        return start_outputs(results, directory, policy_bytes, choices, pool).finish()


def preload_charts() -> None:
    """Import the charting library on a side thread while the data is read and
    evaluated (polars releases the GIL), so the report does not wait for it."""

    def load() -> None:
        with contextlib.suppress(ImportError):  # the report will say so when it is written
            # deliberately lazy and on a side thread: matplotlib takes ~0.6 s to import
            import matplotlib.backends.backend_svg  # noqa: F401
            import matplotlib.figure  # noqa: F401

    threading.Thread(target=load, name="incentive-preload-charts", daemon=True).start()


def totals(results: Results) -> dict[str, str]:
    """Headcount, the sum of every component, penalty and the total, band counts (one pass)."""
    policy = results.checked.policy
    sums = [p.id for p in policy.payouts] + [p.id for p in policy.penalties] + ["total"]
    exprs = [pl.col(name).sum().alias(name) for name in sums]
    if policy.ranking is not None:
        exprs += [(pl.col("band") == band.id).sum().alias(f"band_{band.id}") for band in policy.ranking.bands]
    row = results.frame.select(exprs).row(0, named=True) if exprs else {}
    out = {"people": str(results.frame.height), "currency": policy.currency}
    out.update({name: str(value) for name, value in row.items()})
    return out


def columns_json(results: Results) -> str:
    meta = {n: {"kind": c.kind, "path": c.path, "money": c.money, "owner": c.owner}
            for n, c in results.columns.items() if n in results.frame.columns}
    return json.dumps({"period": results.period.label, "columns": meta}, ensure_ascii=False, indent=2,
                      sort_keys=True) + "\n"


def manifest_meta(results: Results, policy_bytes: bytes) -> dict:
    policy = results.checked.policy
    return {
        "engine": {"name": "incentive", "version": __version__},
        "policy": {"id": policy.id, "version": policy.version, "sha256": _sha256(policy_bytes)},
        "data": {"file": Path(results.data_file).name, "sha256": results.data_sha256},
        "period": results.period.label,
        "totals": totals(results),
        **({"approval": approval_record(policy.approval)} if policy.approval is not None else {}),
    }


def write_trace(results: Results, path: Path) -> None:
    """One JSON explanation per person (on request: large for big populations)."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in results.frame.iter_rows(named=True):
            ex = explain_row(row, results.checked, results.columns, results.period.label)
            fh.write(ex.to_json().replace("\n", "") + "\n")


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
    fairness = fairness_frame(results)  # the whole population: a report on a few employees would mislead
    if fairness is not None:
        outputs[f"fairness.{fmt}"] = (fairness, {"median_total": results.checked.policy.money.decimals})
    target = Path(out_dir)
    with staged_files(target) as staging:  # a failure names target/<file> and leaves target as it was
        for name, (table, money) in outputs.items():
            if fmt == "xlsx" and name == "results.xlsx":  # C9: every table as a sheet, labels above ids
                write_book(staging / name, results_sheets(results, lang, table))
                continue
            labels = column_labels(results, lang) if headers == "labels" or fmt == "xlsx" else None
            if labels is not None and name.startswith("fairness."):
                labels = table_labels(lang)
            write_table(table, staging / name, fmt, money, labels=labels, headers=headers)
    return [target / name for name in outputs]


def policy_has_fairness(results: Results) -> bool:
    return results.checked.policy.fairness is not None


def fairness_frame(results: Results) -> pl.DataFrame | None:
    """The adverse-impact table of ``fairness.csv``, or None without a ``fairness`` section."""
    report = fairness_report(results)
    return None if report is None else fairness_table(report, results.checked.policy.money.decimals)


def write_fairness(results: Results, path: Path, fmt: str) -> None:
    frame = fairness_frame(results)
    assert frame is not None  # submitted only when the policy has a fairness section
    write_table(frame, path, fmt, {"median_total": results.checked.policy.money.decimals})


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
