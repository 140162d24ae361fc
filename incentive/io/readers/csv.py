"""CSV / TSV / TXT: the header row (after blank or title rows on top), then the chosen columns as text.

Row numbers are spreadsheet rows: the header is row 1 -- or whichever line
holds it -- and the first data row follows it; a quoted cell spanning lines
is still one row. Delimiter: ``.tsv`` is tab-separated; for ``.csv`` /
``.txt`` the header line decides: whichever of comma, semicolon and tab
occurs most often outside quotes (comma on a tie or when there is none).
"""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import polars as pl

from incentive.errors import DataInvalid, DataProblem
from incentive.io.encoding import Decoded, to_utf8
from incentive.io.layout import SCAN_ROWS, HeaderRule, pick_header, preview, skipped_note
from incentive.io.raw_table import ROW, Chooser, RawTable, col, fail, numbered

#: a byte ``bytes.strip()`` would keep: finding the first one tells a blank file without copying it
_NOT_BLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def _count_outside_quotes(line: str, sep: str) -> int:
    inside, n = False, 0
    for ch in line:
        if ch == '"':
            inside = not inside
        elif ch == sep and not inside:
            n += 1
    return n


def _delimiter(first_line: str) -> str:
    counts = {sep: _count_outside_quotes(first_line, sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda s: counts[s])  # dict order breaks ties: comma, then tab
    return best if counts[best] else ","


def _absent_byte(data: bytes) -> str:
    for b in ("\x00", "\x1f", "\x1e", "\x01"):
        if b.encode() not in data:
            return b
    return ""


def _csv_scan(text: str, sep: str, ncols: int, file: str) -> tuple[list[tuple[int, int]], DataProblem | None]:
    """Slow exact pass with Python's csv module: ragged rows, or the first quoting error."""
    ragged: list[tuple[int, int]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            if record and len(record) != ncols and any(cell.strip() for cell in record):
                ragged.append((row, len(record)))
    except csv.Error as exc:
        return ragged, DataProblem(file, row + 1, "", "", f"broken quoting: {exc} (a cell starting with \" must end with \" and double any \" inside)")
    return ragged, None


def _line_stats(data: bytes, sep: str) -> tuple[bool, int, int]:
    """Whether any cell is quoted, the number of lines and of separators: enough to
    prove, without parsing, that every row has the header's cell count."""
    return b'"' in data, data.count(b"\n") + (0 if data.endswith(b"\n") else 1), data.count(sep.encode())


def _ragged_rows(data: bytes, sep: str, ncols: int, records: int, file: str,
                 stats: tuple[bool, int, int] | None = None) -> tuple[list[tuple[int, int]], DataProblem | None]:
    """(row, cells) of rows whose cell count differs from the header's; blank lines are fine."""
    quoted, lines, seps = stats or _line_stats(data, sep)
    if not quoted and lines == records and seps == (ncols - 1) * records:
        return [], None  # the fast, common case: every line has exactly the header's separators
    marker = _absent_byte(data)
    if not marker:
        return _csv_scan(data.decode("utf-8", errors="replace"), sep, ncols, file)
    physical = pl.read_csv(data, has_header=False, separator=marker, quote_char=None, infer_schema=False,
                           empty_string_is_null=False, new_columns=["line"], raise_if_empty=False)["line"]
    if physical.len() != records:
        return _csv_scan(data.decode("utf-8", errors="replace"), sep, ncols, file)  # a quoted cell spans lines
    bare = physical.str.replace_all(r'"[^"]*"', "") if quoted else physical
    counts = bare.str.count_matches(sep, literal=True) + 1
    blank = physical.str.replace_all(f"[{re.escape(sep)}\"]", "").str.strip_chars().str.len_bytes() == 0
    check = pl.DataFrame({"n": counts, "blank": blank,
                          "odd": physical.str.count_matches('"', literal=True) % 2 == 1 if quoted else False})
    check = check.with_row_index("i").filter(((pl.col("n") != ncols) & ~pl.col("blank")) | pl.col("odd"))
    if quoted and check["odd"].any():
        return _csv_scan(data.decode("utf-8", errors="replace"), sep, ncols, file)
    return [(i + 1, n) for i, n in zip(check["i"].to_list(), check["n"].to_list())], None


def read_csv(raw: bytes, file: str, choose: Chooser, *, encoding: str | None, tsv: bool,
             header: HeaderRule | None = None) -> RawTable:
    decoded = to_utf8(raw, file, encoding, quick=True)
    try:
        return _read_csv(decoded, file, choose, tsv=tsv, header=header)
    except pl.exceptions.ComputeError as exc:
        if decoded.verified or "utf" not in str(exc).lower():
            raise
    return _read_csv(to_utf8(raw, file, encoding), file, choose, tsv=tsv, header=header)  # not UTF-8 after all


def _first_records(head: str, sep: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of the first non-blank records of a CSV head (stops at broken quoting)."""
    out: list[tuple[int, int, list[str]]] = []
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=sep, strict=True)
    start = 1
    try:
        for record in reader:
            if any(c.strip() for c in record):
                out.append((start, reader.line_num, record))
                if len(out) >= SCAN_ROWS:
                    break
            start = reader.line_num + 1
    except csv.Error:
        pass
    return out


def _line_offset(data: bytes, line: int) -> int:
    """Byte offset where 1-based ``line`` starts."""
    at = 0
    for _ in range(line - 1):
        at = data.find(b"\n", at) + 1
        if at == 0:
            return len(data)
    return at


def _read_csv(decoded: Decoded, file: str, choose: Chooser, *, tsv: bool, header: HeaderRule | None = None) -> RawTable:
    data = decoded.data
    if b"\r" in data and b"\n" not in data:  # classic Mac line ends
        data = data.replace(b"\r", b"\n")
    if _NOT_BLANK.search(data) is None:
        raise fail(file, "the file is empty: expected a header row and data rows")
    first_end = data.find(b"\n")  # the whole header line, however long (a 20,000-column header is > 64 KiB)
    head = data[: len(data) if first_end < 0 else max(1 << 16, first_end + 1)].decode("utf-8", errors="ignore")
    sep = "\t" if tsv else _delimiter(head.split("\n", 1)[0])
    skip, notes, shown = 0, [], ""
    if header is not None and (header.row is not None or header.fits is not None):
        records = _first_records(head, sep)
        rows = [(first, cells) for first, _, cells in records]
        if header.row is not None:
            skip = header.row - 1
        elif records:
            k = pick_header(rows, header)
            skip = records[k][0] - 1
            shown = preview(rows) if k == 0 and header.fits is not None and not header.fits(rows[0][1]) else ""
        if skip:
            note = skipped_note(file, rows, len(rows), skip + 1)
            notes = [note] if note else []
            data = data[_line_offset(data, skip + 1):]
            if _NOT_BLANK.search(data) is None:
                raise fail(file, f"no header row at line {skip + 1}: the file ends before it", row=skip + 1)
            first_end = data.find(b"\n")
            head = data[: len(data) if first_end < 0 else max(1 << 16, first_end + 1)].decode("utf-8", errors="ignore")
    try:
        headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=sep, strict=True))
    except (csv.Error, StopIteration) as exc:
        raise fail(file, f"cannot read the header row: {exc}", row=1 + skip) from None
    table = _read_csv_body(data, decoded, file, choose, sep, headers, skip, tsv)
    table.warnings.extend(notes)
    table.preview = shown
    return table


def _read_csv_body(data: bytes, decoded: Decoded, file: str, choose: Chooser, sep: str, headers: list[str], skip: int,
                   tsv: bool) -> RawTable:
    """The CSV from its header line on (``skip`` lines above it were cut off: row numbers count them)."""
    chosen = choose(headers, 1 + skip)
    positions = sorted(chosen) or [0]
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(pl.read_csv, data, has_header=True, separator=sep, columns=positions,
                              infer_schema=False, empty_string_is_null=False, truncate_ragged_lines=True,
                              raise_if_empty=False, quote_char='"')
        stats = _line_stats(data, sep)  # counted here while polars parses (it releases the GIL)
    try:
        frame = parsing.result()
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        if not decoded.verified and "utf" in str(exc).lower():
            raise
        _, problem = _csv_scan(data.decode("utf-8", errors="replace"), sep, len(headers), file)
        if problem is None:
            first = str(exc).strip().splitlines()[0]
            problem = DataProblem(file, 0, "", "", f"cannot read the file as CSV: {first}")
        raise DataInvalid(problems=[problem]) from None
    frame.columns = [col(i) for i in positions]
    frame = numbered(frame, 2 + skip)
    if not chosen:
        frame = frame.select(ROW)
    table = RawTable(headers=headers, header_row=1 + skip, frame=frame, format="tsv" if tsv else "csv",
                     encoding=decoded.encoding, grouping=sep != ";")
    ragged, quoting = _ragged_rows(data, sep, len(headers), frame.height + 1, file, stats)
    if quoting is not None:
        raise DataInvalid(problems=[replace(quoting, row=quoting.row + skip) if quoting.row else quoting])
    if ragged:
        ragged = [(row + skip, n) for row, n in ragged]
        bad = [row for row, _ in ragged]
        table.problems.extend(
            DataProblem(file, row, "", "", f"this row has {n} cells but the header has {len(headers)}") for row, n in ragged)
        table.frame = frame.filter(~pl.col(ROW).is_in(bad))
    return table

