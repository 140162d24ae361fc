"""What a close from the crediting sources records beside its outputs.

A close from the sources (``app.close_sources``) evaluates the period table
credited from them, so the ledger's recorded data is that table
(``period.csv``) and every re-run evaluates it exactly. Beside it the close
records:

- ``credits.csv``, the credit table, in the close directory (listed in the
  manifest, its sha256 in the ledger entry's ``outputs`` like every file);
- the sources record, under ``sources`` in ``manifest.json`` and under
  ``@sources`` in the ledger entry's ``totals`` (which the entry hash
  covers): each source's file and sha256, the crediting file's name, sha256
  and text, and the credit table's sha256, size and row count.

The ledger keeps the credit table's hash, not its bytes: a re-run writes the
``credits.csv`` it is given (the close directory's, checked against the
recorded hash) and otherwise completes the manifest from the recorded entry,
so ``manifest.json`` hashes as recorded either way. Closes without the key
(every close of a per-person file, and every close made before) are
unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from incentive.app.credit import CreditRun
from incentive.errors import UsageError
from incentive.ledger.errors import LedgerError
from incentive.ledger.records import LedgerEntry
from incentive.output.manifest import MANIFEST_NAME, sha256_file, write_manifest
from incentive.report.credit_lines import CreditLines, MeasureInfo, from_file

#: the key of a ledger entry's ``totals`` holding the sources record (never a payout id: ids have no ``@``)
SOURCES_KEY = "@sources"
#: the credit table in the close directory
CREDITS_NAME = "credits.csv"


@dataclass(frozen=True)
class RecordedSources:
    """The sources record of a close and the files it adds to the close directory."""

    record: dict[str, Any]
    files: dict[str, bytes | Path] = field(default_factory=dict)  # name -> bytes or file, written before the manifest
    # clawback id -> the refund credits it recovers (``CreditRun.recoveries``), and each source's file
    recoveries: dict[str, pl.DataFrame] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    keep: object = None  # what holds the files' directory (the run's credit table): alive as long as the record


def sources_record(run: CreditRun) -> RecordedSources:
    """The record and ``credits.csv`` of a close credited by ``run`` (written beside the run's credit table, hashed
    as it is read: never held in memory)."""
    path = run.credits.directory / CREDITS_NAME
    run.credits_csv(path)
    digest, size = sha256_file(path), path.stat().st_size
    crediting = run.crediting_bytes()
    record = {
        "period_table": "period.csv",
        "crediting": {"file": run.definition.file, "sha256": _sha256(crediting),
                      "text": crediting.decode("utf-8", errors="replace")},
        "sources": {n: {"file": str(p), "sha256": run.hashes.get(n, "")} for n, p in sorted(run.paths.items())},
        "credits": {"file": CREDITS_NAME, "sha256": digest, "size": size, "rows": run.credits.height},
    }
    return RecordedSources(record=record, files={CREDITS_NAME: path}, recoveries=dict(run.recoveries),
                           paths={n: str(p) for n, p in run.paths.items()}, keep=run.credits)


def write_files(directory: Path, sources: RecordedSources | None) -> None:
    """The recorded files into a close's staging directory (before its manifest is built)."""
    for name, data in (sources.files if sources else {}).items():
        if isinstance(data, Path):
            shutil.copyfile(data, directory / name)
        else:
            (directory / name).write_bytes(data)


def totals_of(sources: RecordedSources | None) -> dict[str, Any]:
    """The ledger entry's ``totals`` key for the record, or nothing for a close of a data file."""
    return {SOURCES_KEY: sources.record} if sources is not None else {}


def entry_record(entry: LedgerEntry) -> dict[str, Any] | None:
    """The sources record of ``entry``, shape-checked; None for a close of a per-person file."""
    value = (entry.totals or {}).get(SOURCES_KEY)
    if value is None:
        return None
    return check_record(value, f"ledger entry {entry.seq}")


def check_record(value: Any, where: str) -> dict[str, Any]:
    """``value`` is a sources record as ``sources_record`` makes it, or a precise error naming ``where``."""
    credits = value.get("credits") if isinstance(value, dict) else None
    crediting = value.get("crediting") if isinstance(value, dict) else None
    ok = (isinstance(value, dict) and isinstance(value.get("sources"), dict)
          and isinstance(credits, dict) and isinstance(credits.get("file"), str)
          and isinstance(credits.get("sha256"), str) and isinstance(credits.get("size"), int)
          and isinstance(crediting, dict) and isinstance(crediting.get("text"), str))
    if not ok or not isinstance(credits, dict) or credits.get("file") != CREDITS_NAME:
        raise LedgerError(f"{where}: the recorded sources must be an object with \"sources\", \"crediting\" "
                          f"{{file, sha256, text}} and \"credits\" {{file: {CREDITS_NAME}, sha256, size, rows}}")
    return value


def carried_files(entry: LedgerEntry, directory: Path | None) -> dict[str, Path]:
    """The recorded files of ``entry`` found in ``directory`` with the hash the ledger recorded for them (their
    paths: a big close's credit table is gigabytes, hashed in blocks and copied, never read whole)."""
    record = entry_record(entry)
    if record is None or directory is None:
        return {}
    name = record["credits"]["file"]
    path = directory / name
    if not path.is_file():
        return {}
    return {name: path} if sha256_file(path) == entry.outputs.get(name) else {}


def place_files(entry: LedgerEntry, directory: Path, carried: Mapping[str, Path]) -> list[str]:
    """Write the carried recorded files into a re-run's ``directory``; the names not at hand."""
    record = entry_record(entry)
    if record is None:
        return []
    name = record["credits"]["file"]
    if name in carried:
        shutil.copyfile(carried[name], directory / name)
        return []
    return [name]


def complete_manifest(entry: LedgerEntry, directory: Path, missing: list[str],
                      written: dict[str, str]) -> dict[str, str]:
    """List the recorded files not at hand in the re-run's manifest, as the close listed them."""
    if not missing:
        return written
    record = entry_record(entry)
    assert record is not None  # only a close from the sources has files to complete
    path = directory / MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    credits = record["credits"]
    manifest["files"][credits["file"]] = {"sha256": credits["sha256"], "size": credits["size"]}
    manifest["files"] = dict(sorted(manifest["files"].items()))
    write_manifest(directory, manifest)
    hashes = {**written, credits["file"]: credits["sha256"], MANIFEST_NAME: _sha256(path.read_bytes())}
    return dict(sorted(hashes.items()))


def recorded_names(entry: LedgerEntry) -> tuple[str, ...]:
    """The files a close recorded that a re-run cannot make from the ledger alone."""
    record = entry_record(entry)
    return (record["credits"]["file"],) if record is not None else ()


def restorable(entry: LedgerEntry, target: Path) -> dict[str, Path]:
    """The recorded files a re-close restoring ``target`` carries over; a credit table it does not have
    (missing or changed there) is an error saying what to do."""
    carried = carried_files(entry, target)
    missing = [n for n in recorded_names(entry) if n not in carried]
    if missing:
        raise UsageError(f"{target / missing[0]}: missing or changed, and the ledger keeps only its sha256 "
                         f"({entry.outputs.get(missing[0], '?')[:16]}…): restore the file from a backup, or "
                         "reopen the period and close it again from the sources")
    return carried


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded_credits(directory: str | Path, *, needed: bool) -> CreditLines | None:
    """The credit table of the close in ``directory`` (``explain --close``), checked against its manifest;
    None for a close of a per-person file, unless ``needed`` (``--line``): then an error."""
    from incentive.app.close_dir import read_manifest
    from incentive.app.files import POLICY_COPY
    from incentive.app.run import load

    directory = Path(directory)
    manifest_path = directory / MANIFEST_NAME
    if not manifest_path.is_file():
        raise UsageError(f"--close: {directory} has no {MANIFEST_NAME}: not the output of a close")
    manifest = read_manifest(manifest_path)
    record = manifest.get("sources")
    if record is None:
        if needed:
            raise UsageError(f"--line: {directory} is a close of a per-person data file ({manifest.get('data', {}).get('file')}); "
                             "only a close from the crediting sources has credited lines")
        return None
    record = check_record(record, str(manifest_path))
    name = record["credits"]["file"]
    path = directory / name
    listed = manifest["files"].get(name, {}).get("sha256")
    if listed is None or not path.is_file():
        raise UsageError(f"--close: {path} is missing (or not in {MANIFEST_NAME}): the credit table of this close")
    if sha256_file(path) != listed:
        raise UsageError(f"--close: {path} does not match its sha256 in {MANIFEST_NAME}: it changed after the close; "
                         "run `incentive verify`")
    policy = load(str(directory / POLICY_COPY)).policy
    return from_file(path, policy.money.decimals, policy.money.rounding, _measures(record), str(path))


def _measures(record: dict[str, Any]) -> tuple[MeasureInfo, ...]:
    """The measures of the crediting file the close recorded (its text)."""
    from incentive.credits.load import load_definition

    with tempfile.TemporaryDirectory(prefix="incentive-crediting-") as tmp:
        path = Path(tmp) / Path(record["crediting"].get("file") or "crediting.yaml").name
        path.write_text(record["crediting"]["text"], encoding="utf-8")
        definition = load_definition(path)
    return tuple(MeasureInfo(m.id, m.kind, m.amount, m.column) for m in definition.measures)
