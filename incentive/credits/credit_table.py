"""The credit table of a run, kept in a Parquet file of its own rather than in memory.

A period of 10,000,000 order lines has some 46,000,000 credit rows (each
line, its split partners and every roll-up level): several gigabytes as a
frame, more again as CSV text. So the engine writes the ordered table
straight to a Parquet file (``Engine.copy_parquet``: DuckDB's writer
streams and its sort spills) and every output reads it back a slice at a
time -- ``credits.csv``, ``credits.parquet``, the close's audit copy.

The file lives in a private temporary directory removed when the table
is dropped (or at exit). ``frame()`` reads it whole, for the uses that
want a frame (the conformance suite, small runs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Iterator

import polars as pl

#: rows per slice read back from the file
SLICE = 500_000


class CreditTable:
    """A Parquet file holding the credit table in its written order, and its row count."""

    def __init__(self, directory: Path, rows: int):
        self.directory = directory
        self.path = directory / "credits.parquet"
        self.rows = rows
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(directory), True)

    @staticmethod
    def new_directory() -> Path:
        """A private (0700) directory for a table's file."""
        directory = Path(tempfile.mkdtemp(prefix="incentive-credit-table-"))
        os.chmod(directory, 0o700)
        return directory

    @property
    def height(self) -> int:
        return self.rows

    def frame(self) -> pl.DataFrame:
        """The whole table as one frame (exact types)."""
        return pl.read_parquet(self.path)

    def lazy(self) -> pl.LazyFrame:
        return pl.scan_parquet(self.path)

    def slices(self, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """The table ``rows`` rows at a time, in order (one empty slice for an empty table: its columns)."""
        size = rows or SLICE
        for start in range(0, max(self.rows, 1), size):
            yield self.lazy().slice(start, size).collect()
