"""The people file: who gets paid where (bank account, ID), from HR -- never from the policy.

A CSV / XLSX (or any format the period-data readers take) with one row per
person and a header row. Columns are found by their header: the standard
fields have English and Chinese names (``FIELDS``), any other header is a
field by its own name (``people:基本养老保险费``). Every cell is read as text.

Accounts and ID numbers are *text*: an XLSX number cell in one
of those columns is refused with its row and column -- Excel has already
turned ``622202123456789012`` into ``6.22202123456789E+17`` and lost the last
digits, so no program can give them back. A CSV cell written that way
(scientific notation) is refused for the same reason.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import polars as pl

from incentive.errors import DataInvalid, DataProblem, UsageError
from incentive.io.formats import format_of, read_table
from incentive.io.headers import normalize
from incentive.io.layout import HeaderRule
from incentive.io.raw_table import ROW, col
from incentive.io.source import read_data_bytes
from incentive.io.xlsx_guard import _sheet_member, column_letters

#: standard fields and the headers they are found under (compared without case and surrounding spaces)
FIELDS: dict[str, tuple[str, ...]] = {
    "employee_id": ("employee_id", "工号", "员工编号", "员工工号", "职工编号"),
    "name": ("name", "姓名", "*姓名", "户名", "员工姓名"),
    "account": ("account", "账号", "银行账号", "银行卡号", "卡号", "收款账号"),
    "id_type": ("id_type", "证件类型", "*证件类型"),
    "id_number": ("id_number", "证件号码", "*证件号码", "身份证号", "身份证号码"),
    "bank": ("bank", "开户行", "开户银行", "银行"),
}
#: fields that must be text cells: a number cell has already lost digits (an employee id that was a
#: number cell either still matches the close's id or is refused as a person missing from the file)
TEXT_FIELDS = ("account", "id_number")
#: a number Excel wrote in scientific notation (6.22202E+17): its digits are gone
_SCIENTIFIC = r"^\s*[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+\s*$"
MAX_LISTED = 10


@dataclass(frozen=True)
class People:
    """The people file as a frame: ``employee_id`` plus one String column per field asked for."""

    file: str
    frame: pl.DataFrame
    headers: dict[str, str]  # field -> the header it was found under


def _fold(text: str) -> str:
    return normalize(text).casefold()


def _field_positions(headers: list[str], fields: tuple[str, ...], file: str, header_row: int) -> dict[str, int]:
    folded = [_fold(h) for h in headers]
    out: dict[str, int] = {}
    for field in ("employee_id", *fields):
        names = FIELDS.get(field, (field,))
        hits = [i for i, h in enumerate(folded) if h in {_fold(n) for n in names}]
        if len(hits) > 1:
            shown = ", ".join(repr(normalize(headers[i])) for i in hits)
            raise UsageError(f"{file}:{header_row}: columns {shown} are all the people field {field!r}; keep one")
        if not hits:
            listed = ", ".join(repr(n) for n in names)
            raise UsageError(f"{file}:{header_row}: no column for the people field {field!r} (a header "
                             f"{'among ' if len(names) > 1 else ''}{listed}); the headers are: "
                             f"{', '.join(repr(normalize(h)) for h in headers if normalize(h))}")
        out[field] = hits[0]
    return out


def read_people(path: str | Path, fields: tuple[str, ...], *, encoding: str | None = None,
                sheet: str | None = None) -> People:
    """The people file's ``employee_id`` and ``fields`` columns, each a checked text column."""
    path = Path(path)
    file = str(path)
    raw = read_data_bytes(path)
    want: dict[str, int] = {}

    def fits(cells: list[str]) -> bool:
        names = {_fold(n) for n in FIELDS["employee_id"]}
        return any(_fold(c) in names for c in cells)

    def choose(headers: list[str], header_row: int) -> dict[int, str]:
        want.update(_field_positions(headers, fields, file, header_row))
        return {i: "text" for i in want.values()}

    table = read_table(path, raw, file, choose, encoding=encoding, sheet=sheet, header=HeaderRule(fits=fits))
    if table.problems:
        raise DataInvalid(problems=list(table.problems))
    frame = table.frame.select([ROW, *(pl.col(col(i)).alias(f) for f, i in want.items())])
    headers = {f: normalize(table.headers[i]) for f, i in want.items()}
    problems = _number_cells(raw, path, sheet, frame, want, headers, table.header_row, file)
    frame = frame.with_columns(pl.col(f).str.strip_chars() for f in want if f in (*TEXT_FIELDS, "employee_id"))
    problems += _blank_ids(frame, headers, file) + _repeated_ids(frame, headers, file)
    if problems:
        raise DataInvalid(problems=problems[:50], truncated=max(0, len(problems) - 50))
    return People(file=file, frame=frame, headers=headers)


def _number_cells(raw: bytes, path: Path, sheet: str | None, frame: pl.DataFrame, want: dict[str, int],
                  headers: dict[str, str], header_row: int, file: str) -> list[DataProblem]:
    """Account / ID / employee-id cells that are numbers (XLSX) or look like Excel's scientific notation."""
    problems: list[DataProblem] = []
    checked = [f for f in TEXT_FIELDS if f in want]
    if format_of(path) == "xlsx":
        rows = _xlsx_number_rows(raw, sheet, {want[f]: f for f in checked}, header_row)
        for f in checked:
            for row in rows.get(f, [])[:MAX_LISTED]:
                value = frame.filter(pl.col(ROW) == row)[f].to_list()
                problems.append(DataProblem(file, row, headers[f], str(value[0] if value else ""),
                                            "a text cell, but it is a number cell: Excel keeps only 15 digits of a "
                                            "number, so a long account or ID number has already lost its last "
                                            "digits; format the column as Text and enter the numbers again"))
    for f in checked:
        hits = frame.filter(pl.col(f).str.contains(_SCIENTIFIC).fill_null(False)).head(MAX_LISTED)
        for row, value in zip(hits[ROW].to_list(), hits[f].to_list()):
            problems.append(DataProblem(file, row, headers[f], value,
                                        "the full number as text, not in scientific notation: the digits past "
                                        "the 15th were lost when Excel showed it this way; enter it again as text"))
    return problems


_CELL = r'<c\s[^>]*\br="{col}([0-9]+)"[^>]*>'


def _xlsx_number_rows(raw: bytes, sheet: str | None, columns: dict[int, str], header_row: int) -> dict[str, list[int]]:
    """For each field, the sheet rows (1-based, below the header) whose cell in its column is a number.

    A cell is a number when its ``<c>`` tag has no ``t`` attribute or ``t="n"``
    (text is ``s``, ``str`` or ``inlineStr``). One regular-expression pass over
    the sheet XML per column."""
    try:
        book = zipfile.ZipFile(BytesIO(raw))
        member = _sheet_member(book, sheet)
        if member is None:
            return {}
        xml = book.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return {}
    out: dict[str, list[int]] = {}
    for i, field in columns.items():
        pattern = re.compile(_CELL.format(col=column_letters(i + 1)).encode())
        rows = []
        for m in pattern.finditer(xml):
            tag = m.group(0)
            t = re.search(rb'\bt="([a-zA-Z]+)"', tag)
            row = int(m.group(1))
            if row > header_row and (t is None or t.group(1) == b"n") and not tag.endswith(b"/>"):
                rows.append(row)
        if rows:
            out[field] = rows
    return out


def _blank_ids(frame: pl.DataFrame, headers: dict[str, str], file: str) -> list[DataProblem]:
    blank = frame.filter(pl.col("employee_id").is_null() | (pl.col("employee_id") == ""))
    other = [c for c in frame.columns if c not in (ROW, "employee_id")]
    if other:  # a row with nothing in it at all is a blank line, not a person
        blank = blank.filter(pl.any_horizontal(pl.col(c).fill_null("").str.strip_chars() != "" for c in other))
    return [DataProblem(file, r, headers["employee_id"], "", "an employee id") for r in blank[ROW].head(MAX_LISTED)]


def _repeated_ids(frame: pl.DataFrame, headers: dict[str, str], file: str) -> list[DataProblem]:
    ids = frame.filter(pl.col("employee_id").fill_null("") != "")
    if ids["employee_id"].n_unique() == ids.height:  # the usual case, at a fraction of the cost of listing them
        return []
    dup = ids.filter(pl.col("employee_id").is_duplicated()).head(MAX_LISTED)
    return [DataProblem(file, r, headers["employee_id"], v, "each person once (this id has another row)")
            for r, v in zip(dup[ROW].to_list(), dup["employee_id"].to_list())]
