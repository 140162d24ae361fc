"""Finding and reading the source files of a crediting run, as text cells.

A SOURCES argument is ``NAME=PATH`` (``orders=crm/订单.xlsx``) or a bare
path whose file name without extension is a declared source name
(``orders.csv``). Every declared source must be given once. Files are read
by the engine's own readers (``incentive.io.formats``): CSV in UTF-8, UTF-8
with BOM or GBK/GB18030 (detected, or ``--encoding``), XLSX, JSON and
Parquet, every cell as text with its spreadsheet row number, so that one set
of rules (``values``) checks every format.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import polars as pl

from incentive.credits.definition import Definition
from incentive.errors import UsageError
from incentive.io.formats import format_of, read_table, read_table_slices
from incentive.io.headers import normalize
from incentive.io.raw_table import ROW, RawTable, col
from incentive.io.source import read_data_bytes


@dataclass(frozen=True)
class Table:
    """One source file's wanted columns as text (empty cells null), plus ``__row__``."""

    file: str
    frame: pl.DataFrame
    headers: dict[str, str]  # logical name -> header as declared
    sha256: str = ""


def source_paths(args: tuple[str, ...], definition: Definition) -> dict[str, Path]:
    """Each declared source name -> its file, from the SOURCES arguments."""
    names = definition.source_names()
    found: dict[str, Path] = {}
    for arg in args:
        name, sep, rest = arg.partition("=")
        if sep and name in names:
            path = Path(rest)
        else:
            path = Path(arg)
            name = path.stem
            if name not in names:
                raise UsageError(f"{arg}: which source is this? name it as NAME=PATH with NAME one of "
                                 f"{', '.join(names)} (or name the file after its source, e.g. {names[0]}.csv)")
        if name in found:
            raise UsageError(f"{arg}: source {name!r} is given twice ({found[name]} and {path})")
        format_of(path)
        if not path.is_file():
            raise UsageError(f"{arg}: source {name!r}: {'not a file' if path.exists() else 'no such file'} {path}; "
                             "expected the file of that source")
        found[name] = path
    missing = [n for n in names if n not in found]
    if missing:
        raise UsageError(f"missing source file(s) for {', '.join(missing)} (declared in {definition.file}); "
                         f"give them as NAME=PATH")
    return found


def read_source(path: Path, wanted: dict[str, str | None], *, what: str, optional: tuple[str, ...] = (),
                encoding: str | None = None, sheet: str | None = None) -> Table:
    """The columns ``wanted`` (logical name -> header) of the file at ``path``, as text.

    A header given as None is not read. A declared header the file lacks is
    a ``UsageError`` that lists the headers it has (``optional`` names may
    be absent: their column is all null).
    """
    return next(read_source_slices(path, wanted, what=what, optional=optional, encoding=encoding, sheet=sheet))


def read_source_slices(path: Path, wanted: dict[str, str | None], *, what: str, optional: tuple[str, ...] = (),
                       encoding: str | None = None, sheet: str | None = None,
                       rows: int | None = None) -> Iterator[Table]:
    """``read_source``, at most ``rows`` rows at a time where the format allows it (Parquet; other formats come as
    one slice): each slice a ``Table`` of the same file, its rows numbered as in the file."""
    file = str(path)
    raw = read_data_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    heads = {k: v for k, v in wanted.items() if v is not None}
    picked: dict[str, int] = {}

    def choose(headers: list[str], header_row: int) -> dict[int, str]:
        normed = [normalize(h) for h in headers]
        picked.clear()
        missing = []
        for name, header in heads.items():
            hits = [i for i, h in enumerate(normed) if h == header]
            if len(hits) > 1:
                raise UsageError(f"{file}:{header_row}: column {header!r} appears {len(hits)} times in the header; "
                                 f"{what} needs it once")
            if hits:
                picked[name] = hits[0]
            elif name not in optional:
                missing.append(header)
        if missing:
            listed = ", ".join(repr(h) for h in normed if h) or "(none)"
            raise UsageError(f"{file}:{header_row}: no column {', '.join(repr(m) for m in missing)} "
                             f"(declared for {what}); the header has {listed}")
        return {i: "text" for i in picked.values()}

    if rows is None or sheet is not None:
        tables: Iterator[RawTable] = iter([read_table(path, raw, file, choose, encoding=encoding, sheet=sheet)])
    else:
        tables = read_table_slices(path, raw, file, choose, rows=rows, encoding=encoding)
    for table in tables:
        if table.problems:
            raise UsageError("\n".join(str(p) for p in table.problems))
        # ``strip_chars()`` without an argument removes exactly ``WS`` (Unicode White_Space), twice as fast as the
        # same set spelled out; an empty cell becomes null
        columns = [pl.col(col(i)).str.strip_chars().replace("", None).alias(name) for name, i in picked.items()]
        absent = [pl.lit(None, dtype=pl.String).alias(n) for n in heads if n not in picked]
        frame = table.frame.select(*columns, *absent, pl.col(ROW))
        yield Table(file=file, frame=frame, headers={k: v for k, v in heads.items()}, sha256=digest)
