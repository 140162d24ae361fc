"""The period close: official results, written all-or-nothing, locked in the ledger.

A close evaluates the policy on the period's data with the history recorded
in the ledger, writes every output into a temporary directory, records the
close in the ledger (one transaction, which also decides a race between two
concurrent closes; it starts, and stores the large blobs, as soon as the
audit record is written, while the other outputs still are), and only then
moves the directory into place as ``OUT/<policy>/<period>/``. Any failure
before that leaves neither outputs nor a ledger entry. The ledger is the
source of truth: should the final rename ever fail after the ledger
committed, ``incentive verify`` rebuilds and checks the outputs from what
the ledger recorded.

Closing a closed period again with identical policy and data bytes is a
no-op that says so; with anything different it is refused until the period
is reopened with a reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import polars as pl

from incentive import __version__
from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.report.totals import check_totals
from incentive.workflow import RunOptions, money_decimals, results_table, write_table

AUDIT_FILE = "audit.parquet"
COLUMNS_FILE = "audit-columns.json"
POLICY_COPY = "policy.yaml"


@dataclass(frozen=True)
class CloseOptions:
    out: str = "out"
    ledger: str | None = None
    by: str | None = None
    xlsx: bool = False
    trace: bool = False
    html: bool = True
    strict: bool = False  # refuse to close a policy that reads history when the ledger shows none
    recorded: Mapping[str, Any] | None = None  # the options record written into the manifest (incentive.rerun)
    lang: str = "en"  # the language of report.html and results.xlsx labels (ids never change)


@dataclass(frozen=True)
class CloseOutcome:
    directory: Path
    entry: object | None  # LedgerEntry
    results: Results | None
    already_closed: bool = False
    restored: bool = False  # the outputs of an earlier identical close were rebuilt


def who(by: str | None) -> str:
    if by and by.strip():
        return by.strip()
    return os.environ.get("INCENTIVE_USER") or getpass.getuser()


def output_dir(out: str, policy_id: str, period_label: str) -> Path:
    """``OUT/<policy>/<period>``; ids and labels are validated, so no traversal."""
    for part in (policy_id, period_label):
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
            raise UsageError(f"refusing to write outside {out}: unsafe path component {part!r}")
    return Path(out) / policy_id / period_label


def close_period(policy_path: str, data_path: str, run: RunOptions, opts: CloseOptions, *,
                 notify: Callable[[str], None] | None = None) -> CloseOutcome:
    """Close one period. ``notify`` receives what the user should read on
    stderr beside the outcome: a ledger created, no history visible, a data
    file already closed for another period."""
    from incentive.engine.pipeline import evaluate
    from incentive.ledger import CloseRecord, LedgerError, PeriodAlreadyClosed, utc_now
    from incentive.ledger.history_note import no_history
    from incentive.ledger.locate import open_or_create
    from incentive.ledger.staging import StagedClose, pack_data
    from incentive.output.atomic import atomic_directory
    from incentive.rerun import OPTIONS_KEY, differences, read_data, rebuild, record
    from incentive.settings import resolve_ledger

    say = notify or (lambda message: None)
    if opts.html:
        _preload_charts()
    if run.overrides:
        raise UsageError("close: --set is for what-if runs (evaluate, diff); an official close evaluates "
                         "the policy file exactly as committed")
    from incentive.policy.files import read_policy_bytes  # D11: stat first, bounded read
    from incentive.policy.validate import load_policy

    policy_bytes = read_policy_bytes(policy_path)
    checked = load_policy(policy_path, data=policy_bytes)  # the bytes hashed are the bytes evaluated
    policy = checked.policy
    period = parse_close_period(run.period, policy)
    policy_sha = _sha256(policy_bytes)
    data = read_data(data_path, policy, run, keep_bytes=True)
    data_bytes = data.raw  # the ledger keeps exactly the bytes that were evaluated
    target = output_dir(opts.out, policy.id, period.label)
    depth = int(checked.history_depth_needed or 0)
    setting = resolve_ledger(opts.ledger)
    if opts.strict and depth and not setting.path.exists():  # refuse before creating anything
        raise UsageError(no_history(policy.id, period.label, setting.path, depth) +
                         "; --strict refuses to close without history")
    options = record(run, xlsx=opts.xlsx, trace=opts.trace, html=opts.html)
    outputs_chosen = {"xlsx": opts.xlsx, "trace": opts.trace, "html": opts.html}
    ledger = open_or_create(opts.ledger, say)
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incentive-pack")
    try:
        wanted = [policy.id_input.id, *sorted(checked.history_names)]
        current = ledger.get_close(policy.id, period.label)
        if current is not None:
            _check_identical(current, policy_sha, data.sha256, run, outputs_chosen, differences)
            if _outputs_intact(target, current.outputs):
                return CloseOutcome(target, current, None, already_closed=True)
            # recorded, but the outputs are missing or changed (a crash between the
            # ledger commit and the rename, or a deletion): rebuild them exactly, as verify re-runs
            with atomic_directory(target) as tmp:
                results, outputs = rebuild(ledger, current, tmp)
                if outputs != dict(current.outputs):
                    from incentive.verify import engine_note

                    raise LedgerError(f"{target}: rebuilt outputs differ from what ledger entry {current.seq} "
                                      f"recorded{engine_note(current)}; run `incentive verify`")
            return CloseOutcome(target, current, results, already_closed=True, restored=True)
        for other in ledger.closes_with_data(policy.id, data.sha256):
            if other.period != period.label:
                say(f"warning: {Path(data_path).name} is byte for byte the data file already closed for "
                    f"{policy.id} {other.period} (ledger entry {other.seq}, {other.data_name}): is it a copy of "
                    "that period's file?")
        packing = background.submit(pack_data, data_bytes, data.sha256)  # packed while the close evaluates
        used = ledger.history_entries(policy.id, period.ordinal, depth)
        if depth and not used:
            note = no_history(policy.id, period.label, ledger.path, depth)
            if opts.strict:
                raise UsageError(note + "; --strict refuses to close without history")
            say(f"warning: {note}")
        history_hashes = {o: e.entry_hash for o, e in used.items()}
        history = {period.ordinal - o: ledger.load_results(e, columns=wanted) for o, e in used.items()}
        results = evaluate(checked, data, period, history=history, lang=run.lang)
        check_totals(results)  # B6: a total past the engine's range is exit 2 before anything is written
        staged: list[StagedClose] = []

        def stage(audit_bytes: bytes, audit_sha256: str) -> None:
            # the ledger takes its write lock and stores the big blobs while the
            # other outputs are still being written; the entry follows at the end
            staged.append(ledger.stage_close(
                policy.id, period.label, period.ordinal, history_hashes=history_hashes,
                results_parquet=audit_bytes, results_sha256=audit_sha256, results_rows=results.frame.height,
                packed_data=packing.result()))

        write_opts = dataclasses.replace(opts, recorded=options, lang=run.lang)
        try:
            with atomic_directory(target) as tmp:
                _, outputs = write_outputs(results, tmp, policy_bytes, write_opts, on_audit=stage)
                record_ = CloseRecord(
                    policy_id=policy.id, period=period.label, period_ordinal=period.ordinal,
                    policy_version=policy.version, policy_sha256=policy_sha,
                    policy_text=policy_bytes.decode("utf-8"), data_sha256=data.sha256, data_bytes=data_bytes,
                    data_name=Path(data_path).name, outputs=outputs, engine_version=__version__,
                    closed_by=who(opts.by), closed_at=utc_now(),
                    totals={**_manifest_totals(tmp), OPTIONS_KEY: options}, history_hashes=history_hashes,
                )
                entry = staged[0].commit(record_)
        except PeriodAlreadyClosed as exc:
            # a concurrent close of the same period won the race: with identical inputs
            # and options that is the documented no-op, not a refusal
            _check_identical(exc.entry, policy_sha, data.sha256, run, outputs_chosen, differences)
            return CloseOutcome(target, exc.entry, None, already_closed=True)
        finally:
            for pending in staged:
                pending.abort()  # a no-op once committed
        return CloseOutcome(target, entry, results)
    finally:
        ledger.close()
        background.shutdown(wait=False, cancel_futures=True)


def parse_close_period(text: str, policy):
    """The period to close, which must lie within the policy's ``effective`` dates."""
    from incentive.io.periods import parse_period

    period = parse_period(text, policy.period)
    eff = policy.effective
    if eff is not None and ((eff.start and period.start < eff.start) or (eff.end and period.end > eff.end)):
        start = eff.start.isoformat() if eff.start else "open"
        end = eff.end.isoformat() if eff.end else "open"
        raise UsageError(f"--period {period.label} ({period.start.isoformat()} to {period.end.isoformat()}) is "
                         f"not within the effective dates of policy {policy.id} ({start} to {end}); "
                         "close a period the policy applies to, or change its `effective`")
    return period


def _check_identical(current, policy_sha: str, data_sha: str, run: RunOptions, outputs: dict[str, bool],
                     differences: Callable) -> None:
    """An earlier close of the period with other inputs or options is a refusal (reopen first)."""
    from incentive.ledger import PeriodAlreadyClosed

    if not current.same_inputs(policy_sha, data_sha):
        raise PeriodAlreadyClosed(current)
    changed = differences(current, run, outputs)
    if changed:
        raise UsageError(f"{current.policy_id} period {current.period} is already closed with identical policy "
                         f"and data but other options ({'; '.join(changed)}; ledger entry {current.seq}). "
                         "Re-run with the recorded options, or reopen it with a reason to close it again")


def audit_frame(results: Results) -> pl.DataFrame:
    """Every named quantity and step of every person: the audit record (history reads it from the ledger)."""
    return results.frame.select(results.audit_columns())


def totals(results: Results) -> dict[str, str]:
    """Headcount, the sum of every component, penalty and the total, band counts (one pass)."""
    policy = results.policy.policy
    sums = [p.id for p in policy.payouts] + [p.id for p in policy.penalties] + ["total"]
    exprs = [pl.col(name).sum().alias(name) for name in sums]
    if policy.ranking is not None:
        exprs += [(pl.col("band") == band.id).sum().alias(f"band_{band.id}") for band in policy.ranking.bands]
    row = results.frame.select(exprs).row(0, named=True) if exprs else {}
    out = {"people": str(results.frame.height), "currency": policy.currency}
    out.update({name: str(value) for name, value in row.items()})
    return out


def write_outputs(results: Results, directory: Path, policy_bytes: bytes, opts: CloseOptions, *,
                  on_audit: Callable[[bytes, str], None] | None = None) -> tuple[bytes, dict[str, str]]:
    """Write every close output into ``directory``.

    Returns the audit Parquet bytes (the ledger stores them as they are) and
    the sha256 of every file written, manifest included. ``on_audit`` is
    called with those bytes and their sha256, on the calling thread, as soon
    as the audit record is written -- while the other files still are.

    The big, independent files (results table, audit record, report page) are
    written on parallel threads: polars releases the GIL while it encodes, so
    they overlap on a multi-core machine. The report, which needs the GIL
    most, starts first; each file is hashed on its own thread as soon as it
    is written, so the manifest only lists what is already known.
    """
    from incentive.output.manifest import build_manifest, file_entry, write_manifest

    money = money_decimals(results)
    decimals = results.policy.policy.money.decimals
    table = results_table(results)
    audit = AuditFile()
    jobs: dict[str, Callable[[Path], object]] = {}
    if opts.html:
        from incentive.report.evaluation_page import write_report

        jobs["report.html"] = lambda path: write_report(results, path, lang=opts.lang)
    jobs["results.csv"] = lambda path: write_table(table, path, "csv", money)
    jobs[AUDIT_FILE] = lambda path: audit.write(audit_frame(results), path)
    jobs["payouts.csv"] = lambda path: write_table(payouts_table(results), path, "csv", {"amount": decimals})
    if opts.xlsx:
        from incentive.output.xlsx_book import write_book
        from incentive.report.book import results_sheets

        jobs["results.xlsx"] = lambda path: write_book(path, results_sheets(results, opts.lang, table))
    if results.recommendations is not None:
        jobs["recommendations.csv"] = lambda path: write_table(results.recommendations, path, "csv", {})
    if results.ranking_summary is not None:
        jobs["ranking.csv"] = lambda path: write_table(results.ranking_summary, path, "csv", {})
    if opts.trace:
        jobs["trace.jsonl"] = lambda path: write_trace(results, path)

    def run(name: str) -> dict:
        path = directory / name
        jobs[name](path)
        return file_entry(path, audit.data if name == AUDIT_FILE else None)

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(run, name) for name in jobs}
        try:
            if on_audit is not None:
                written = futures[AUDIT_FILE].result()  # first: the bytes exist once the job is done
                on_audit(audit.data, written["sha256"])
            known = {name: future.result() for name, future in futures.items()}  # re-raises the first failure
        except BaseException:
            for future in futures.values():  # a failure or Ctrl-C: start no further file (writes, D13)
                future.cancel()
            raise
    (directory / COLUMNS_FILE).write_text(columns_json(results), encoding="utf-8")
    (directory / POLICY_COPY).write_bytes(policy_bytes)
    meta = manifest_meta(results, policy_bytes)
    if opts.recorded is not None:
        meta["options"] = dict(opts.recorded)  # what explain --close and every re-run reuse
    manifest = build_manifest(directory, meta=meta, known=known)
    path = write_manifest(directory, manifest)
    hashes = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    hashes[path.name] = _sha256(path.read_bytes())
    return audit.data, dict(sorted(hashes.items()))


class AuditFile:
    """The audit record, encoded once: written to its file and kept in memory
    for the ledger, which stores the same bytes (no second encoding)."""

    data: bytes = b""

    def write(self, frame: pl.DataFrame, path: Path) -> None:
        from incentive.output.tables import write_audit

        self.data = write_audit(frame, path)


def payouts_table(results: Results) -> pl.DataFrame:
    """Payroll-ready: id, name, currency, amount."""
    policy = results.policy.policy
    name_col = next((i.id for i in policy.inputs if i.id == "name"), None)
    cols = [pl.col(results.id_column).cast(pl.String).alias("employee_id")]
    cols.append(pl.col(name_col).alias("name") if name_col else pl.lit("").alias("name"))
    cols += [pl.lit(policy.currency).alias("currency"), pl.col("total").alias("amount")]
    return results.frame.select(cols)


def columns_json(results: Results) -> str:
    meta = {n: {"kind": c.kind, "path": c.path, "money": c.money, "owner": c.owner}
            for n, c in results.columns.items() if n in results.frame.columns}
    return json.dumps({"period": results.period.label, "columns": meta}, ensure_ascii=False, indent=2,
                      sort_keys=True) + "\n"


def manifest_meta(results: Results, policy_bytes: bytes) -> dict:
    policy = results.policy.policy
    return {
        "engine": {"name": "incentive", "version": __version__},
        "policy": {"id": policy.id, "version": policy.version, "sha256": _sha256(policy_bytes)},
        "data": {"file": Path(results.data_file).name, "sha256": results.data_sha256},
        "period": results.period.label,
        "totals": totals(results),
    }


def write_trace(results: Results, path: Path) -> None:
    """One JSON explanation per person (on request: large for big populations)."""
    from incentive.report.explain import explain_row

    with open(path, "w", encoding="utf-8") as fh:
        for row in results.frame.iter_rows(named=True):
            ex = explain_row(row, results.policy, results.columns, results.period.label)
            fh.write(ex.to_json().replace("\n", "") + "\n")


def _outputs_intact(target: Path, recorded: dict[str, str]) -> bool:
    """Every file the ledger recorded is in ``target`` with its recorded hash."""
    if not target.is_dir():
        return False
    present = {p.name for p in target.iterdir() if p.is_file()}
    if present != set(recorded):
        return False
    return all(_sha256((target / name).read_bytes()) == sha for name, sha in recorded.items())


def _preload_charts() -> None:
    """Import the charting library on a side thread while the data is read and
    evaluated (polars releases the GIL), so the report does not wait for it."""

    # numpy (under matplotlib) would start an OpenBLAS thread per core that spins
    # beside polars; the charts need no linear algebra
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    def load() -> None:
        with contextlib.suppress(ImportError):  # the report will say so when it is written
            import matplotlib.backends.backend_svg  # noqa: F401
            import matplotlib.figure  # noqa: F401

    threading.Thread(target=load, name="incentive-preload-charts", daemon=True).start()


def _manifest_totals(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["totals"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
