"""The typed source tables of a run, kept in Parquet files rather than in memory.

A period of 50,000,000 order lines is tens of gigabytes as frames of typed
cells, so ``prepare`` types and checks a source a slice at a time and
appends each slice to its table here, in a private (0700) temporary
directory removed when the last table of the run is dropped (or at exit).
The engine reads the files itself (DuckDB's ``read_parquet``: streamed,
spilling beyond its memory limit), and the checks that need every row at
once run there too (``unique``, ``checks``), never on a frame of the whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

import polars as pl


class Staging:
    """The private directory of one run's tables."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="incentive-sources-"))
        os.chmod(self.directory, 0o700)
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.directory), True)

    def table(self, name: str, schema: dict[str, pl.DataType]) -> Staged:
        return Staged(self, name, schema)


class Staged:
    """One table: Parquet part files with one schema, in the order appended."""

    def __init__(self, staging: Staging, name: str, schema: dict[str, pl.DataType]):
        self._staging = staging  # kept alive, with its directory, as long as the table is
        self.name = name
        self.schema = dict(schema)
        self.parts: list[Path] = []
        self.height = 0

    def append(self, frame: pl.DataFrame) -> None:
        """``frame``'s rows after those appended so far, cast to the table's schema (columns it lacks are null)."""
        if not frame.height:
            return
        typed = frame.select(pl.col(n).cast(t) if n in frame.columns else pl.lit(None, dtype=t).alias(n)
                             for n, t in self.schema.items())
        path = self._staging.directory / f"{self.name}-{len(self.parts):06d}.parquet"
        typed.write_parquet(path, compression="lz4", statistics=False)
        self.parts.append(path)
        self.height += typed.height

    def lazy(self) -> pl.LazyFrame:
        return pl.scan_parquet(self.parts) if self.parts else pl.LazyFrame(schema=self.schema)

    def frame(self) -> pl.DataFrame:
        """The whole table as one frame: for small runs and engines that take frames only."""
        return self.lazy().collect()
