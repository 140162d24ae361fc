"""What a sheet's cells really are: their type and number format, read from the workbook XML.

The XLSX reader (calamine) hands back values only: a cell formatted as a
percentage (shown 94.7%, stored 0.947) arrives as 0.947, a TRUE cell as 1.0
when loaded as a number, an error cell (``#DIV/0!``) as an empty cell -- which
would then silently take the input's default. This module finds the cells
whose meaning differs from their bare value, with one regular-expression
pass over the sheet XML per kind (they are few; plain numbers and text are
never visited one by one):

* error cells (``t="e"``: ``#DIV/0!``, ``#N/A``, ``#VALUE!``, ``#REF!``,
  ``#NAME?``, ``#NUM!``, ``#NULL!`` ...), kept as their error text;
* boolean cells (``t="b"``), as ``TRUE`` / ``FALSE``;
* formulas saved without a computed value (a ``<f>`` and no ``<v>``: files
  written by scripts, never recalculated), as the formula;
* numeric cells whose number format is a percentage (built-in formats 9 and
  10, or any custom format with a ``%`` outside quotes), by position;

and whether the workbook counts dates from 1904 (``date1904``).
Cells are located by their ``r="B7"`` reference; a sheet written without
references (rare; allowed by the format) gets no marks.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from incentive.io.xlsx_guard import _MAIN, _sheet_member, column_number

#: the largest sheet XML scanned for marks (bigger sheets are refused by the guard first, at 4 GiB)
MAX_SCAN_BYTES = 2 * 1024 ** 3

_PERCENT_BUILTIN = {9, 10}
_CELL_TAG = re.compile(rb'<c\s([^>]*?)(/?)>')
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_NO_VALUE = re.compile(rb'(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
_VALUE = re.compile(rb'<v>([^<]*)</v>')
_FORMULA = re.compile(rb'<f\b[^>]*>([^<]*)</f>')
_T_ATTR = re.compile(rb'\bt="([a-zA-Z]+)"')


@dataclass
class CellMarks:
    """Cells (0-based sheet row, 0-based absolute column) whose type the bare value hides."""

    special: dict[tuple[int, int], str] = field(default_factory=dict)  # -> text to read instead
    kinds: dict[tuple[int, int], str] = field(default_factory=dict)  # -> error / boolean / formula
    percent: set[tuple[int, int]] = field(default_factory=set)
    date1904: bool = False


def _unescape(text: bytes) -> str:
    return (text.decode("utf-8", errors="replace").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _format_is_percent(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)  # quoted text, escaped characters, [colour] / [locale]
    return "%" in bare


def _percent_styles(book: zipfile.ZipFile) -> set[int]:
    try:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return set()
    custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "")
              for f in styles.findall(f"{_MAIN}numFmts/{_MAIN}numFmt") if (f.get("numFmtId") or "").isdigit()}
    percent_ids = _PERCENT_BUILTIN | {i for i, code in custom.items() if _format_is_percent(code)}
    xfs = styles.findall(f"{_MAIN}cellXfs/{_MAIN}xf")
    return {k for k, xf in enumerate(xfs) if (xf.get("numFmtId") or "").isdigit() and int(xf.get("numFmtId", "0")) in percent_ids}


def _date1904(book: zipfile.ZipFile) -> bool:
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    pr = workbook.find(f"{_MAIN}workbookPr")
    return pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")


def _position(attrs: bytes) -> tuple[int, int] | None:
    m = _REF.search(attrs)
    return (int(m.group(2)) - 1, column_number(m.group(1)) - 1) if m else None


def _tags_with(xml: bytes, needles: tuple[bytes, ...]) -> Iterator[re.Match[bytes]]:
    """The ``<c ...>`` tags holding one of ``needles`` (attribute texts), found by fast literal search."""
    finder = re.compile(b"|".join(re.escape(n) for n in needles))
    for hit in finder.finditer(xml):
        start = xml.rfind(b"<c ", 0, hit.start())
        if start < 0 or xml.find(b">", start, hit.start()) >= 0:
            continue  # the attribute belongs to another element (a row, a style...)
        tag = _CELL_TAG.match(xml, start)
        if tag is not None:
            yield tag


def cell_marks(raw: bytes, sheet: str | None) -> CellMarks:
    """The marks of the named (or first) sheet; empty marks when the workbook cannot be read this way."""
    marks = CellMarks()
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
        member = _sheet_member(book, sheet)
        if member is None or book.getinfo(member).file_size > MAX_SCAN_BYTES:
            return marks
        xml = book.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return marks
    marks.date1904 = _date1904(book)
    for m in _tags_with(xml, (b' t="b"', b' t="e"')):
        where = _position(m.group(1))
        if where is None:
            continue
        kind = _T_ATTR.search(m.group(1))
        end = xml.find(b"</c>", m.end())
        body = xml[m.end(): end] if end >= 0 and not m.group(2) else b""
        value = _VALUE.search(body)
        if kind is not None and kind.group(1) == b"e":
            marks.special[where] = _unescape(value.group(1)).strip() if value else "#N/A"
            marks.kinds[where] = "error"
        elif value is not None:
            marks.special[where] = "TRUE" if value.group(1).strip() in (b"1", b"true") else "FALSE"
            marks.kinds[where] = "boolean"
    for m in (_NO_VALUE.finditer(xml) if b"<f" in xml else ()):
        start = xml.rfind(b"<c ", 0, m.start())
        if start < 0:
            continue
        tag = _CELL_TAG.match(xml, start)
        where = _position(tag.group(1)) if tag else None
        if where is None or where in marks.special:
            continue
        formula = _FORMULA.search(xml, start, m.end())
        marks.special[where] = "=" + (_unescape(formula.group(1)) if formula else "")
        marks.kinds[where] = "formula"
    styles = _percent_styles(book)
    if styles:
        for m in _tags_with(xml, tuple(f' s="{k}"'.encode() for k in sorted(styles))):
            t = _T_ATTR.search(m.group(1))
            if t is not None and t.group(1) != b"n":
                continue  # a text or error cell that merely carries the style
            where = _position(m.group(1))
            if where is not None:
                marks.percent.add(where)
    return marks
