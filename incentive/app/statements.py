"""``incentive statements``: one statement per person from a closed period's own files.

Like ``explain --close`` it reads only what the close wrote -- the audit
record, the policy copy, the column descriptions and ranking.csv, each held
to its sha256 in manifest.json -- and re-runs nothing. The audit is read once
for everybody; the ledger (for the history section and the entry hash) once
per closed period, not once per person. All statements are written into a
staging directory and moved into ``--out`` only when every one succeeded.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import polars as pl

from incentive.app.inquiry_records import Inquiry, inquiries
from incentive.app.close_dir import read_columns
from incentive.app.files import AUDIT_FILE, COLUMNS_FILE, POLICY_COPY
from incentive.app.recorded import _check_files, _recorded_lang
from incentive.app.statement_files import staged_statements, write_file
from incentive.app.run import load
from incentive.documents.statement.model import Builder, HistoryRow, Inputs
from incentive.engine.results import ColumnInfo, Results, VersionPart
from incentive.errors import UsageError
from incentive.io.periods import Period, parse_period
from incentive.ledger.locate import open_existing
from incentive.numeric import DTYPE
from incentive.output.manifest import MANIFEST_NAME, sha256_file
from incentive.output.safe_text import neutralize
from incentive.output.tables import widen_decimals
from incentive.report.tables import audit_frame
from incentive.report.versions_table import VERSIONS_FILE, read_versions
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy
from incentive.settings import resolve_ledger

RANKING_FILE = "ranking.csv"
FORMATS = ("html", "pdf")
LANGS = ("en", "zh")
#: at most this many worker processes render statements
MAX_WORKERS = 4
TEMPLATE = "statement.typ"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?", re.IGNORECASE)


@dataclass(frozen=True)
class ClosedPeriod:
    """A close's files, read once: the audit frame and what every statement shares."""

    directory: Path
    manifest: dict[str, Any]
    checked: CheckedPolicy
    columns: dict[str, ColumnInfo]
    period: str
    audit: pl.DataFrame
    cutoffs: dict[str, dict[str, str]]
    lang: str | None
    split: tuple[VersionPart, ...] = ()  # a period split between plan versions: each version's amounts

    @property
    def id_column(self) -> str:
        return self.checked.policy.id_input.id

    def ids(self) -> list[str]:
        return self.audit[self.id_column].cast(pl.String).to_list()


def read_close(directory: str | Path) -> ClosedPeriod:
    """The close output ``directory`` (OUT/<policy>/<period>), its files checked against manifest.json."""
    directory = Path(directory)
    manifest = _check_files(directory)
    checked = load(str(directory / POLICY_COPY))
    meta = read_columns(directory / COLUMNS_FILE)
    columns = {name: ColumnInfo(name, c["kind"], c.get("path"), bool(c.get("money")), c.get("owner"))
               for name, c in meta["columns"].items()}
    try:
        audit = widen_decimals(pl.read_parquet(directory / AUDIT_FILE), DTYPE)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UsageError(f"{directory / AUDIT_FILE} cannot be read as the audit record "
                         f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if checked.policy.id_input.id not in audit.columns:
        raise UsageError(f"{directory / AUDIT_FILE}: no column {checked.policy.id_input.id!r} (the employee id): "
                         "not the audit record of this close")
    return ClosedPeriod(directory, manifest, checked, columns, str(meta["period"]), audit,
                        _cutoffs(directory, manifest, audit), _recorded_lang(manifest),
                        _split(directory, manifest, checked.policy.id_input.id))


def _split(directory: Path, manifest: dict[str, Any], key: str) -> tuple[VersionPart, ...]:
    """``versions.csv`` of a split close (checked against the manifest), or nothing."""
    listed = (manifest.get("files") or {}).get(VERSIONS_FILE)
    if not listed:
        return ()
    path = directory / VERSIONS_FILE
    if not path.is_file() or sha256_file(path) != listed.get("sha256"):
        raise UsageError(f"{path} is missing or does not match its sha256 in {MANIFEST_NAME}: it changed after the "
                         "close; run `incentive verify`")
    return read_versions(path, key)


def _cutoffs(directory: Path, manifest: dict[str, Any], audit: pl.DataFrame) -> dict[str, dict[str, str]]:
    """Rank group -> band -> the lowest score placed in it, from ranking.csv (as the close wrote it)."""
    path = directory / RANKING_FILE
    expected = manifest["files"].get(RANKING_FILE, {}).get("sha256")
    if expected is None or "rank_group" not in audit.columns:
        return {}  # a policy without ranking
    if not path.is_file() or sha256_file(path) != expected:
        raise UsageError(f"{path} is missing or does not match its sha256 in {MANIFEST_NAME}: it changed after "
                         "the close; run `incentive verify`")
    try:
        table = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UsageError(f"{path}: cannot be read as the ranking table ({str(exc).splitlines()[0]})") from None
    if "group" not in table.columns:
        raise UsageError(f"{path}: no column 'group': not the ranking table a close writes")
    bands = [c[len("cutoff_"):] for c in table.columns if c.startswith("cutoff_")]
    by_csv = {row["group"]: {b: row[f"cutoff_{b}"] or "" for b in bands} for row in table.iter_rows(named=True)}
    groups = audit["rank_group"].drop_nulls().unique().cast(pl.String).to_list()
    return {g: by_csv[neutralize(g)] for g in groups if neutralize(g) in by_csv}


# -- history and the ledger entry ---------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerView:
    """Each person's closed periods up to this one, and this close's ledger entry hash."""

    history: dict[str, list[HistoryRow]] | None
    entry_hash: str | None
    note: str = ""  # the ledger path looked at, when there is none
    #: each person's inquiries about this period, open and resolved (the standalone command only: a statement
    #: written by the close must not change when an inquiry is recorded later)
    inquiries: dict[str, list[Inquiry]] = field(default_factory=dict)


def ledger_view(close: ClosedPeriod, ledger: str | None, employees: Iterable[str]) -> LedgerView:
    """Read the ledger once: every current close of this policy up to this period. No ledger is not an error:
    the statements then say so in their history section."""
    wanted = set(employees)
    policy_id = close.checked.policy.id
    setting = resolve_ledger(ledger)
    if not setting.path.exists():
        return LedgerView(None, None, str(setting.path.absolute()))
    store = open_existing(ledger)
    history: dict[str, list[HistoryRow]] = {e: [] for e in wanted}
    entry_hash = None
    manifest_sha = sha256_file(close.directory / MANIFEST_NAME)
    limit = parse_period(close.period, close.checked.policy.period).ordinal
    try:
        entries = store.current_closes(policy_id)
        mine = next((e for e in entries if e.period == close.period), None)
        if mine is not None and mine.outputs.get(MANIFEST_NAME) == manifest_sha:  # this very close
            entry_hash = mine.entry_hash
        for e in entries:
            if e.period_ordinal > limit:
                continue  # a statement of Q1 shows no later quarter
            frame = store.load_results(e)
            id_col = frame.columns[0]
            keep = [c for c in (id_col, "band", "score", "total") if c in frame.columns]
            frame = frame.select(keep).with_columns(pl.col(id_col).cast(pl.String))
            frame = frame.filter(pl.col(id_col).is_in(list(wanted)))
            for r in frame.iter_rows(named=True):
                history[r[id_col]].append(HistoryRow(e.period, r.get("band"), r.get("score"), r.get("total")))
        asked: dict[str, list[Inquiry]] = {}
        for found in inquiries(store, policy_id):
            if found.opened.period == close.period and found.employee in wanted:
                asked.setdefault(found.employee, []).append(found)
    finally:
        store.close()
    return LedgerView(history, entry_hash, inquiries=asked)


# -- the appeal section -------------------------------------------------------------------------------

def inquiry_info(policy: Policy, period: str, asked: dict[str, list[Inquiry]] | None = None
                 ) -> Callable[[str, str], dict[str, Any]]:
    """The appeal section of one person (``(employee, lang) -> data``): the window, the command, and the
    person's own inquiries about this period with how each ended."""
    from incentive.documents.statement.words import word

    days = getattr(getattr(policy, "inquiries", None), "appeal_window_days", None)
    components = [(p.id, p.label) for p in policy.payouts] + [(p.id, p.label) for p in policy.penalties]

    from incentive.policy.model import label_text

    labels = {**{k.id: k.label for k in policy.kpis}, **dict(components)}

    def shared(lang: str) -> dict[str, Any]:
        about = word(lang, "placeholder about")
        return {"text": word(lang, "inquiry window", days=days) if isinstance(days, int) else word(lang, "inquiry hr"),
                "about": word(lang, "inquiry about") if components else "",
                "components": [{"id": cid, "label": label_text(label, lang, cid)} for cid, label in components],
                "days": days if isinstance(days, int) else None,
                "tail": f"--about {about} --text \"{word(lang, 'placeholder text')}\""}

    by_lang: dict[str, dict[str, Any]] = {}

    def info(employee: str, lang: str) -> dict[str, Any]:
        common = by_lang.get(lang) or by_lang.setdefault(lang, shared(lang))
        return {"text": common["text"], "about": common["about"], "components": common["components"],
                "days": common["days"],
                "command": f"incentive inquiry open {policy.id} --period {period} "
                           f"--employee {_shell(employee)} {common['tail']}",
                "inquiries": [_asked(q, lang, labels) for q in (asked or {}).get(employee, [])]}

    return info


def _asked(q: Inquiry, lang: str, labels: dict[str, Any]) -> dict[str, str]:
    """One inquiry as the statement lists it: number, what about, when, how it ended."""
    from incentive.documents.statement.words import word
    from incentive.policy.model import label_text

    label = labels.get(q.about)
    about = label_text(label, lang, q.about) if label is not None else word(lang, f"about {q.about}")
    note = str(q.resolution.payload.get("note") or "") if q.resolution is not None else ""
    return {"number": str(q.number), "about": about, "opened": q.opened.at[:10],
            "state": word(lang, f"inquiry {q.state}") + (word(lang, "inquiry late") if q.late else ""),
            "note": note}


def _shell(text: str) -> str:
    """``text`` quoted for a POSIX shell when it is not a plain word."""
    if re.fullmatch(r"[A-Za-z0-9._@%+=:,/-]+", text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


# -- file names ---------------------------------------------------------------------------------------

def file_names(ids: Sequence[str], ext: str) -> dict[str, str]:
    """Employee id -> its statement's file name: the id itself when it is a safe portable name, else a
    cleaned form with a hash of the id. Unique even where names differ only in case."""
    names: dict[str, str] = {}
    for e in ids:
        if _SAFE_NAME.fullmatch(e) and not _RESERVED.fullmatch(e) and not e.endswith("."):
            names[e] = f"{e}.{ext}"
        else:
            names[e] = _hashed(e, ext)
    folded: dict[str, list[str]] = {}
    for e, n in names.items():
        folded.setdefault(n.casefold(), []).append(e)
    for clash in folded.values():
        if len(clash) > 1:
            for e in clash:
                names[e] = _hashed(e, ext)
    return names


def _hashed(employee: str, ext: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_-]+", "_", employee).strip("_-")[:40] or "employee"  # no dot: no reserved stem
    return f"{clean}-{hashlib.sha256(employee.encode('utf-8')).hexdigest()[:12]}.{ext}"


# -- the command --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementOptions:
    employees: tuple[str, ...] = ()
    lang: str | None = None  # None: the close's own language, else en
    fmt: str = "html"
    ledger: str | None = None


def select_rows(close: ClosedPeriod, employees: Sequence[str]) -> list[dict[str, object]]:
    """The audit rows of ``employees`` (all when empty); an unknown id is an error naming it."""
    frame = close.audit
    if employees:
        ids = set(close.ids())
        unknown = [e for e in dict.fromkeys(employees) if e not in ids]
        if unknown:
            shown = ", ".join(repr(e) for e in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5
                                                               else "")
            raise UsageError(f"--employee: no employee {shown} in {close.directory / AUDIT_FILE}")
        frame = frame.filter(pl.col(close.id_column).cast(pl.String).is_in(list(dict.fromkeys(employees))))
    return frame.drop(Builder.unused_columns(close.checked.policy, frame.columns)).rows(named=True)


def render_into(close: ClosedPeriod, target: Path, opts: StatementOptions, close_dir_text: str,
                view: LedgerView | None = None) -> list[str]:
    """Write the statements into the existing (staging) directory ``target``; the file names written."""
    if opts.fmt not in FORMATS:
        raise UsageError(f"--format: {opts.fmt!r} is not one of {', '.join(FORMATS)}")
    lang = opts.lang or (close.lang if close.lang in LANGS else "en")
    rows = select_rows(close, opts.employees)
    ids = [str(r[close.id_column]) for r in rows]
    if view is None:
        view = ledger_view(close, opts.ledger, ids)
    inputs = Inputs(close.checked, close.columns, close.period, close.manifest, close_dir_text, close.cutoffs,
                    view.entry_hash, view.history, view.note,
                    inquiry_info(close.checked.policy, close.period, view.inquiries), split=close.split)
    names = file_names(ids, opts.fmt)
    fonts = None
    if opts.fmt == "pdf":
        from incentive.documents import pdf

        fonts = pdf.font_paths()  # a missing CJK font is an error before any work
    job = _Job(Builder(inputs, lang), rows, [target / names[e] for e in ids], opts.fmt, fonts)
    workers = _workers(len(rows), opts.fmt)
    if workers == 1:
        job.run(0, len(rows))
    else:
        _run_in_processes(job, workers)
    return [names[e] for e in ids]


@dataclass
class _Job:
    """The statements to render and where each goes; run in this process or in forked workers."""

    builder: Builder
    rows: list[dict[str, object]]
    paths: list[Path]
    fmt: str
    fonts: list[str] | None

    def run(self, start: int, stop: int) -> int:
        if self.fmt == "html":
            from incentive.documents.statement.html import render_html

            for k in range(start, stop):
                write_file(self.paths[k], render_html(self.builder.build(self.rows[k])).encode("utf-8"))
        else:
            from incentive.documents import pdf

            assert self.fonts is not None
            global _TYPST_RAN
            _TYPST_RAN = True
            renderer = pdf.for_thread(TEMPLATE, self.fonts)
            for first in range(start, stop, PDF_BATCH):
                last = min(first + PDF_BATCH, stop)
                docs = [self.builder.build(self.rows[k]) for k in range(first, last)]
                titles = [f"{d['words']['statement']} {d['employee_id']} {d['period']}" for d in docs]
                for k, data in zip(range(first, last), renderer.render_each(docs, titles)):
                    write_file(self.paths[k], data)
        return stop - start


#: statements laid out in one Typst compile and split into files (documents/pdf.py ``render_each``): bigger
#: batches share more; each file carries its batch's font subset, so bigger files too (about 60 KB at 50)
PDF_BATCH = 50


#: statements below this many are rendered in this process (a worker costs more than it saves)
PARALLEL_FROM = 400
_JOB: _Job | None = None  # the job forked workers inherit
#: Typst compiled in this process: its PDF writer's thread pool is set up, and a forked child, which has
#: the pool's state but not its threads, would wait on it forever -- no forking after that
_TYPST_RAN = False


def _workers(n: int, fmt: str = "html") -> int:
    if n < PARALLEL_FROM or not hasattr(os, "fork") or (fmt == "pdf" and _TYPST_RAN):
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _in_worker(start: int, stop: int) -> int:
    assert _JOB is not None
    return _JOB.run(start, stop)


def _run_in_processes(job: _Job, workers: int) -> None:
    """Render ``job`` on ``workers`` forked processes: each inherits the loaded close (nothing is pickled but
    the bounds) and writes its own files. Rendering is pure Python (HTML) or holds the GIL (Typst's
    compile), so threads would not overlap."""
    global _JOB
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    n = len(job.rows)
    chunk = max(50, n // (workers * 8))
    bounds = [(a, min(a + chunk, n)) for a in range(0, n, chunk)]
    _JOB = job
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        for future in [pool.submit(_in_worker, a, b) for a, b in bounds]:
            future.result()
    except BaseException:  # a failure or Ctrl-C: no further chunk starts; the staging directory is removed
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _JOB = None
    pool.shutdown(wait=True)


def write_statements(directory: str | Path, out: str | Path, opts: StatementOptions) -> list[Path]:
    """Every statement of the close in ``directory`` into ``out``, all or none."""
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out: {out} exists and is not a directory; give a directory for the statements")
    close = read_close(directory)
    select_rows(close, opts.employees)  # an unknown --employee fails before anything is made
    with staged_statements(out) as staging:
        written = render_into(close, staging, opts, str(directory))
    return [out / name for name in written]


# -- close --statements -------------------------------------------------------------------------------

#: the folder of a close's output directory that ``close --statements`` fills
STATEMENTS_DIR = "statements"


def close_statements(results: Results, directory: Path, meta: Mapping[str, Any], lang: str,
                     history: Mapping[int, pl.DataFrame]) -> None:
    """``statements/<id>.html`` of a close, written into its staging ``directory`` before the manifest lists
    every file. Everything in them must come out byte for byte the same when ``verify`` re-runs the close:
    the history is the earlier closes the evaluation used (``history``: ordinal -> results, as the ledger
    recorded them) plus this one, the verify command names ``OUT/<policy>/<period>``, and the ledger entry
    hash -- which covers these files -- is not in them."""
    checked = results.checked
    policy = checked.policy
    frame = audit_frame(results)
    id_col = policy.id_input.id
    rows = frame.drop(Builder.unused_columns(policy, frame.columns)).rows(named=True)
    ids = [str(r[id_col]) for r in rows]
    period = results.period.label
    inputs = Inputs(checked, results.columns, period, meta, f"OUT/{policy.id}/{period}",
                    _summary_cutoffs(results.ranking_summary), None,
                    _close_history(history, results, ids), "", inquiry_info(policy, period), in_close=True,
                    split=results.split)
    target = directory / STATEMENTS_DIR
    os.mkdir(target, 0o700)
    names = file_names(ids, "html")
    _Job(Builder(inputs, lang), rows, [target / names[e] for e in ids], "html", None).run(0, len(rows))


def _summary_cutoffs(summary: pl.DataFrame | None) -> dict[str, dict[str, str]]:
    """Rank group -> band -> lowest score, from the ranking summary in memory (ranking.csv's numbers)."""
    if summary is None:
        return {}
    from incentive.report.explain import fmt

    bands = [c[len("cutoff_"):] for c in summary.columns if c.startswith("cutoff_")]
    return {str(r["group"]): {b: fmt(r[f"cutoff_{b}"]) if r[f"cutoff_{b}"] is not None else "" for b in bands}
            for r in summary.iter_rows(named=True)}


def _close_history(history: Mapping[int, pl.DataFrame], results: Results,
                   ids: list[str]) -> dict[str, list[HistoryRow]]:
    unit = results.checked.policy.period
    out: dict[str, list[HistoryRow]] = {e: [] for e in ids}
    frames = [(Period.of(unit, ordinal).label, f) for ordinal, f in sorted(history.items())]
    wanted = results.checked.policy.id_input.id
    for label, frame in [*frames, (results.period.label, results.frame)]:
        id_col = wanted if wanted in frame.columns else frame.columns[0]
        keep = [c for c in (id_col, "band", "score", "total") if c in frame.columns]
        for r in frame.select(keep).with_columns(pl.col(id_col).cast(pl.String)).iter_rows(named=True):
            if r[id_col] in out:
                out[r[id_col]].append(HistoryRow(label, r.get("band"), r.get("score"), r.get("total")))
    return out


#: the columns of an earlier close the statements' history section reads (beside the employee id)
HISTORY_COLUMNS = ("band", "score", "total")
