"""A closed period read back from its output directory, for ``explain --close``.

A close writes everything ``explain`` needs beside its results: the audit
record (``audit.parquet``: every named quantity and intermediate step of
every person), the policy exactly as evaluated (``policy.yaml``) and what
each audit column is (``audit-columns.json``). Reading them explains a person
without re-running anything -- without the data file, the ledger or the
engine version that closed. Each of the three files must still match its
sha256 in ``manifest.json``; ``incentive verify`` is the check that also
holds the manifest itself to the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incentive.app.close_dir import read_columns, read_manifest
from incentive.app.files import AUDIT_FILE, COLUMNS_FILE, POLICY_COPY
from incentive.app.run import load
from incentive.engine.results import ColumnInfo, VersionPart
from incentive.errors import UsageError
from incentive.numeric import DTYPE
from incentive.output.manifest import MANIFEST_NAME, sha256_file
from incentive.output.tables import widen_decimals
from incentive.report.versions_table import VERSIONS_FILE, read_versions
from incentive.policy.expr.checked import CheckedPolicy


@dataclass(frozen=True)
class RecordedPerson:
    """One person's audit row with what ``report.explain.explain_row`` needs beside it."""

    row: dict[str, object]
    checked: CheckedPolicy  # loaded from the policy copy
    columns: dict[str, ColumnInfo]
    period: str
    lang: str | None = None  # the language the close was made in (its manifest's options), if recorded
    split: tuple[VersionPart, ...] = ()  # a period split between plan versions: each version's amounts


def recorded_person(directory: str | Path, employee: str) -> RecordedPerson:
    """``employee``'s recorded numbers in the close output ``directory``."""
    directory = Path(directory)
    manifest = _check_files(directory)
    checked = load(str(directory / POLICY_COPY))
    meta = read_columns(directory / COLUMNS_FILE)
    columns = {name: ColumnInfo(name, c["kind"], c.get("path"), bool(c.get("money")), c.get("owner"))
               for name, c in meta["columns"].items()}
    id_col = checked.policy.id_input.id
    try:
        rows = (pl.scan_parquet(directory / AUDIT_FILE)
                .filter(pl.col(id_col).cast(pl.String) == employee)
                .collect())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UsageError(f"--close: {directory / AUDIT_FILE} cannot be read as the audit record "
                         f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if rows.height == 0:
        raise UsageError(f"--employee: no employee {employee!r} in {directory / AUDIT_FILE}")
    split = read_versions(directory / VERSIONS_FILE, id_col) if VERSIONS_FILE in manifest["files"] else ()
    return RecordedPerson(row=widen_decimals(rows, DTYPE).row(0, named=True), checked=checked, columns=columns,
                          period=str(meta["period"]), lang=_recorded_lang(manifest), split=split)


def recorded_lang(directory: str | Path) -> str | None:
    """The language the close in ``directory`` was made in (its manifest's options), if recorded."""
    return _recorded_lang(_check_files(Path(directory)))


def _recorded_lang(manifest: dict) -> str | None:
    run = (manifest.get("options") or {}).get("run")
    lang = run.get("lang") if isinstance(run, dict) else None
    return lang if isinstance(lang, str) else None


def _check_files(directory: Path) -> dict:
    """The files explain reads are the ones the close wrote (by manifest.json)."""
    if not directory.is_dir():
        raise UsageError(f"--close: {directory} is not a directory (give OUT/<policy>/<period> of a close)")
    if not (directory / MANIFEST_NAME).exists():
        raise UsageError(f"--close: {directory} has no {MANIFEST_NAME}: not the output of a close")
    manifest = read_manifest(directory / MANIFEST_NAME)
    listed = manifest["files"]
    for name in (AUDIT_FILE, POLICY_COPY, COLUMNS_FILE, *([VERSIONS_FILE] if VERSIONS_FILE in listed else [])):
        path = directory / name
        expected = listed.get(name, {}).get("sha256")
        if expected is None or not path.is_file():
            raise UsageError(f"--close: {path} is missing (or not in {MANIFEST_NAME}): not the output of a close")
        if sha256_file(path) != expected:
            raise UsageError(f"--close: {path} does not match its sha256 in {MANIFEST_NAME}: it changed after "
                             "the close; run `incentive verify`")
    return manifest
