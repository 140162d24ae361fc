"""Refuse workbooks that would make the XLSX reader exhaust memory.

The XLSX reader (calamine, through fastexcel) lays a sheet out as a dense
grid from A1 to its farthest cell, 32 bytes a cell, and holds every cell's
text. So a 5 KB workbook with one stray cell at XFD1048576 asks for 550 GB
(the process aborts), and a 300 KB one holding a 300-million-character cell
(deflate packs repeated text 1000:1) takes gigabytes. Before the reader
sees a workbook, this module checks -- reading the zip directory and
streaming the chosen sheet's XML, never building it -- that:

* no part decompresses more than ``MAX_RATIO`` times beyond a modest size
  (a zip bomb), and no sheet is larger than ``MAX_SHEET_BYTES``;
* the sheet's grid (last row x last column) holds at most ``MAX_CELLS``
  cells (64 million: e.g. 1,000,000 rows x 64 columns).

The common case costs one regular-expression search over the sheet XML:
when no cell lies beyond column BI (61) and no row number has seven digits,
the grid is below the limit without counting. Only wider or million-row
sheets, or sheets written without cell references, are measured exactly.
Anything this module cannot make sense of is left to the reader, which
reports broken files itself.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Iterator
from xml.etree import ElementTree

from incentive.errors import DataInvalid, DataProblem

MAX_CELLS = 64 * 1024 * 1024
MAX_SHEET_BYTES = 4 * 1024 ** 3
MAX_RATIO = 100  # uncompressed / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 32 * 1024 ** 2
MAX_UNREFERENCED_BYTES = 256 * 1024 ** 2  # sheets without cell references are measured in memory

_CHUNK = 16 * 1024 * 1024
_OVERLAP = 64  # longer than any token looked for, so none is lost between chunks

# Anything that could put the grid beyond the fast bound: a cell at column BJ
# (62) or beyond, a row number of seven digits, or a cell / row without a
# leading reference (positioned by counting).
_SUSPECT = re.compile(  # one leading "<" keeps the search fast (well under a second per 100 MB of XML)
    rb'<(?:c(?:>|/>|\s(?!r=")|\sr="(?:[A-Z]{3,}[0-9]|[C-Z][A-Z][0-9]|B[J-Z][0-9]|[A-Z]{1,2}[0-9]{7}))'
    rb'|row(?:>|/>|\s(?!r=")|\sr="[0-9]{7}))')
_ROW_REF = re.compile(rb'<row\s[^>]*?\br="([0-9]+)"')
_CELL_REF = re.compile(rb'<c\s[^>]*?\br="([A-Z]+)([0-9]+)"')
_TOKEN = re.compile(rb'<(row|c)(?=[\s>/])([^>]*)>')
_R_ATTR = re.compile(rb'\br="([A-Z]*)([0-9]*)"')
# a complete cell or row tag without a reference of its own
_UNREFERENCED = re.compile(rb'<c(?:>|/>|\s(?![^>]*\br="[A-Z])[^>]*>)|<row(?:>|/>|\s(?![^>]*\br="[0-9])[^>]*>)')

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _refuse(file: str, message: str) -> DataInvalid:
    return DataInvalid(problems=[DataProblem(file, 0, "", "", message)])


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def check_workbook(raw: bytes, file: str, sheet: str | None = None) -> None:
    """Raise ``DataInvalid`` for a workbook the reader could not hold in memory."""
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
        infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip archive: the reader says so
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(file, f"the workbook part {info.filename} unpacks from {info.compress_size:,} to "
                                f"{info.file_size:,} bytes -- a zip bomb, not a spreadsheet")
    member = _sheet_member(book, sheet)
    if member is None:
        return
    try:
        rows, cols = _extent(book, member, file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return  # damaged: the reader reports it
    if rows * cols > MAX_CELLS:
        corner = f"{column_letters(cols)}{rows}"
        raise _refuse(file, f"the sheet's cells reach {corner}: a grid of {rows:,} rows x {cols:,} columns "
                            f"({rows * cols:,} cells) is more than can be read (at most {MAX_CELLS:,}); delete "
                            "the stray cells far from the data, or save the data as CSV")


def _sheet_member(book: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip path of the named (or first) sheet's XML, from the workbook's relationships."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    sheets = workbook.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None:
        return None
    target = next((r.get("Target") for r in rels.findall(f"{_PKG}Relationship")
                   if r.get("Id") == chosen.get(f"{_REL}id")), None)
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return path if path in book.namelist() else None


def _chunks(book: zipfile.ZipFile, member: str, file: str) -> Iterator[tuple[bytes, int]]:
    """``(buffer, settled)`` pairs: the member's bytes in chunks that overlap by
    ``_OVERLAP``; a match starting before ``settled`` is seen whole, a later one
    is seen again, whole, at the start of the next buffer. Refuses past ``MAX_SHEET_BYTES``."""
    total = 0
    tail = b""
    with book.open(member) as fh:
        data = fh.read(_CHUNK)
        while data:
            total += len(data)
            if total > MAX_SHEET_BYTES:
                raise _refuse(file, f"the sheet unpacks to more than {MAX_SHEET_BYTES:,} bytes; save the data as CSV")
            ahead = fh.read(_CHUNK)
            buffer = tail + data
            yield buffer, len(buffer) - _OVERLAP if ahead else len(buffer)
            tail, data = data[-_OVERLAP:], ahead


def _suspect(buffer: bytes, settled: int) -> bool:
    match = _SUSPECT.search(buffer)
    return match is not None and match.start() < settled


def _extent(book: zipfile.ZipFile, member: str, file: str) -> tuple[int, int]:
    """(last row, last column) of the sheet's grid -- exact, or a bound when that is under the limit."""
    if not any(_suspect(buffer, settled) for buffer, settled in _chunks(book, member, file)):
        return 999_999, 61  # the fast bound: 61 columns x 999,999 rows < MAX_CELLS
    rows = cols = 0
    unreferenced = False
    for buffer, _ in _chunks(book, member, file):
        for m in _ROW_REF.finditer(buffer):
            rows = max(rows, int(m.group(1)))
        for m in _CELL_REF.finditer(buffer):
            cols = max(cols, column_number(m.group(1)))
            rows = max(rows, int(m.group(2)))
        unreferenced = unreferenced or _UNREFERENCED.search(buffer) is not None
    if unreferenced:
        r, c = _counted_extent(book, member, file)
        rows, cols = max(rows, r), max(cols, c)
    return rows, cols


def _counted_extent(book: zipfile.ZipFile, member: str, file: str) -> tuple[int, int]:
    """Rows and cells without references are placed after the previous one; follow them one by one."""
    info = book.getinfo(member)
    if info.file_size > MAX_UNREFERENCED_BYTES:
        raise _refuse(file, f"the sheet is {info.file_size:,} bytes of XML without cell references; "
                            "save the data as CSV")
    xml = book.read(member)
    row = col = max_row = max_col = 0
    for m in _TOKEN.finditer(xml):
        ref = _R_ATTR.search(m.group(2))
        if m.group(1) == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
        else:
            col = column_number(ref.group(1)) if ref and ref.group(1) else col + 1
            if ref and ref.group(2):
                row = max(row, int(ref.group(2)))
        max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col
