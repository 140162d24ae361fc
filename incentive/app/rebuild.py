"""Re-running a recorded close exactly: from what the ledger recorded, with its recorded options.

One ``rebuild`` serves both callers: the idempotent re-close (a close whose
outputs went missing or changed is rebuilt in place, ``app.close``) and
``verify``'s re-run (rebuilt into a scratch directory and compared,
``app.verify``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Mapping

from incentive import __version__
from incentive.app.outputs import OutputChoices, write_outputs
from incentive.app.recorded_options import OPTIONS_KEY, recorded
from incentive.app.recorded_sources import complete_manifest, entry_record, place_files
from incentive.app.run import read_data
from incentive.app.statements import HISTORY_COLUMNS
from incentive.app import clawbacks, true_ups
from incentive.app.versioned import VERSIONS_KEY, evaluate_split, recorded_split
from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.errors import PolicyInvalid, UsageError
from incentive.io.periods import parse_period
from incentive.ledger.errors import LedgerError
from incentive.output.manifest import sha256_file
from incentive.policy.validate import load_policy
from incentive.ledger import Ledger, LedgerEntry


def rebuild(ledger: Ledger, entry: LedgerEntry, directory: Path,
            carried: Mapping[str, Path] | None = None) -> tuple[Results, dict[str, str]]:
    """Re-run ``entry`` from what the ledger recorded -- policy text, data bytes,
    history, options -- writing its outputs into ``directory``.

    ``carried``: the files a close from the sources recorded that the ledger
    keeps only the hash of (``credits.csv``), from its directory; without
    them the manifest still lists them as recorded (``app.recorded_sources``).
    Returns ``(results, {file name: sha256})``; the caller compares the hashes
    with ``entry.outputs``."""
    run, outputs = recorded(entry)
    as_recorded = (entry.totals or {}).get(OPTIONS_KEY)  # into the manifest byte for byte, as the close wrote it
    with tempfile.TemporaryDirectory(prefix="incentive-rerun-") as tmp_name:
        tmp = Path(tmp_name)
        policy_file = tmp / "policy.yaml"
        policy_file.write_text(entry.policy_text or "", encoding="utf-8")
        data_file = tmp / _safe_name(entry.data_name)
        data_file.write_bytes(ledger.load_data(entry))
        checked = load_policy(str(policy_file))
        period = parse_period(entry.period, checked.policy.period)
        try:
            data = read_data(data_file, checked.policy, run)
        except UsageError as exc:
            raise LedgerError(f"ledger entry {entry.seq}: its recorded data cannot be read again with the "
                              f"recorded options: {exc}") from None
        versions = (entry.totals or {}).get(VERSIONS_KEY)
        if versions:  # a period split between plan versions: every version again, weighted by days
            plan_dir = tmp / "versions"
            plan_dir.mkdir()
            try:
                split = recorded_split(versions, plan_dir, period)
            except (UsageError, PolicyInvalid) as exc:
                raise LedgerError(f"ledger entry {entry.seq}: its recorded plan versions cannot be evaluated "
                                  f"again: {exc}") from None
            results = evaluate_split(
                split, lambda c: data if c.policy.version == checked.policy.version else read_data(
                    data_file, c.policy, run),
                lambda c: {period.ordinal - o: f for o, f in ledger.recorded_history(
                    entry, columns=[c.policy.id_input.id, *sorted(c.history_names)]).items()},
                period, lang=run.lang)
        else:
            wanted = [checked.policy.id_input.id, *sorted(checked.history_names)]
            history = {period.ordinal - o: f for o, f in ledger.recorded_history(entry, columns=wanted).items()}
            results = evaluate(checked, data, period, history=history, lang=run.lang,
                               adjustments=true_ups.adjustments(true_ups.recorded(entry), checked.policy.id_input.id),
                               recoveries=clawbacks.frames(clawbacks.recorded(entry), checked.policy.id_input.id))
        shown = [checked.policy.id_input.id, *HISTORY_COLUMNS]
        choices = OutputChoices(xlsx=outputs["xlsx"], trace=outputs["trace"], html=outputs["html"], lang=run.lang,
                                recorded=as_recorded, statements=outputs["statements"],
                                statement_history=ledger.recorded_history(entry, columns=shown)
                                if outputs["statements"] else None,
                                sources=entry_record(entry))
        missing = place_files(entry, directory, carried or {})
        written = write_outputs(results, directory, (entry.policy_text or "").encode("utf-8"), choices)
    return results, complete_manifest(entry, directory, missing, written)


def outputs_intact(target: Path, recorded_hashes: dict[str, str]) -> bool:
    """Every file the ledger recorded is in ``target`` with its recorded hash, and nothing else."""
    if not target.is_dir():
        return False
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}  # statements/ too
    if present != set(recorded_hashes):
        return False
    return all(sha256_file(target / name) == sha for name, sha in recorded_hashes.items())


def engine_note(entry: LedgerEntry) -> str:
    """A re-run is byte-identical only under the engine version that closed: say so when they differ."""
    if entry.engine_version and entry.engine_version != __version__:
        return (f" (closed by engine {entry.engine_version}, re-run by {__version__}: outputs are reproducible "
                f"byte for byte with the engine that made them)")
    return ""


def _safe_name(name: str | None) -> str:
    """The recorded data file name (its suffix picks the reader), never a path."""
    base = Path(name or "data.csv").name
    return base if base not in ("", ".", "..") else "data.csv"
