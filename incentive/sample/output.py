"""Writing a sample in any input format the reader accepts.

The format follows ``--format``, else the file extension, else CSV. Files
go through the project's table writers (exact decimals, spreadsheet-safe
text, atomic, byte-stable for the same frame); without a file, CSV goes to
standard output (no BOM, so it pipes cleanly).
"""

from __future__ import annotations

import sys
from io import IOBase
from pathlib import Path
from typing import BinaryIO, cast

import polars as pl

from incentive.errors import UsageError
from incentive.output import tables
from incentive.output.write_errors import writing_to
from incentive.policy.model import Policy
from incentive.report.terminal import printable_cell

FORMATS = ("csv", "xlsx", "json", "parquet")
_EXT = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".parquet": "parquet"}


def format_for(path: str | None, fmt: str | None) -> str:
    """The output format: ``fmt`` if given (it must agree with the extension), else the extension's."""
    ext = _EXT.get(Path(path).suffix.lower()) if path else None
    if path and ext is None:
        raise UsageError(f"--out {path}: unknown extension; use .csv, .xlsx, .json or .parquet "
                         f"(the reader picks the format by extension)")
    if fmt and ext and fmt != ext:
        raise UsageError(f"--format {fmt} does not match --out {path}; the reader would take it for {ext}")
    chosen = fmt or ext or "csv"
    if chosen not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {chosen!r}")
    return chosen


def _money(policy: Policy) -> dict[str, int]:
    return {i.header: policy.money.decimals for i in policy.inputs if i.type == "money"}


def write_sample(frame: pl.DataFrame, policy: Policy, path: str | None, fmt: str,
                 stdout: BinaryIO | None = None) -> None:
    """Write ``frame`` (from ``sample_frame``) to ``path``, or CSV to ``stdout`` when ``path`` is None."""
    money = _money(policy)
    if path is None:
        target = stdout or sys.stdout.buffer
        if fmt not in ("csv", "json"):
            raise UsageError(f"--format {fmt} is a binary format: give --out FILE")
        with writing_to("standard output"):  # a full disk or a closed pipe: a message, not a traceback
            if fmt == "csv":
                out = tables.text_frame(frame, money_columns=money, neutralize_text=True)
                # header cells as a file gets them (formula-safe), and no raw control character on a terminal
                out = out.rename({c: printable_cell(tables.neutralize(c)) for c in out.columns})
                out.write_csv(target, line_terminator="\n", quote_style="necessary", null_value="",
                              date_format="%Y-%m-%d")
            else:
                # polars annotates a writable stream as io.IOBase; a BinaryIO (sys.stdout.buffer) is one at run time
                tables.text_frame(frame, money_columns=money, neutralize_text=False).write_json(cast(IOBase, target))
            target.flush()
        return
    if fmt == "csv":
        tables.write_csv(frame, path, money_columns=money)
    elif fmt == "xlsx":
        tables.write_xlsx(frame, path, money_columns=money, sheet_name="data")
    elif fmt == "json":
        tables.write_json(frame, path, money_columns=money)
    else:
        tables.write_parquet(frame, path)
