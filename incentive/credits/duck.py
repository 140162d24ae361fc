"""The DuckDB engine: the compiled crediting SQL, embedded -- no server, one process (the default).

Typed frames go in and results come back through the Arrow C stream
interface, no pyarrow needed: a frame is registered as an object with only
``__arrow_c_stream__`` (DuckDB scans it without converting it) and copied
into a table once; a result is ``pl.DataFrame(relation)``. DECIMAL(p, s)
travels as Arrow decimal128(p, s) both ways, digit for digit, whatever the
versions; dates as dates.

The connection's threads default to the cores this process may use and
its memory limit to ``INCENTIVE_DUCKDB_MEMORY`` (e.g. ``2GB``) or else half
the machine's memory (DuckDB's own default, 80%, leaves too little for the
frames, which live in the same process); beyond the limit DuckDB spills to
a private temporary directory, removed on ``close``. Both are settings of
this connection only: nothing is set process-wide.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import polars as pl

from incentive.credits import sql
from incentive.credits.dialect import DUCKDB

__all__ = ["DuckEngine"]  # the engine-neutral ``credit`` and ``Credited`` live in ``credits.engine``


def _cores() -> int:
    """The cores this process may run on (a container's or a taskset's share, not the machine's)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def _half_of_memory() -> str | None:
    """Half the machine's memory, for DuckDB (its own default, 80%, leaves too little for the frames it reads:
    they live in this process too); None where it cannot be read (DuckDB's default then)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None
    return f"{max(total // 2 // 2**20, 256)}MB"


class _Stream:
    """A frame as nothing but an Arrow C stream: DuckDB scans it without pyarrow (a polars frame itself would be
    converted through pyarrow)."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


class DuckEngine:
    """One in-memory DuckDB connection with the run's tables."""

    dialect = DUCKDB

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        import duckdb  # imported here: only ``incentive credit`` pays for it

        self._dir = tempfile.mkdtemp(prefix="incentive-credit-")
        os.chmod(self._dir, 0o700)
        limit = memory_limit or os.environ.get("INCENTIVE_DUCKDB_MEMORY") or _half_of_memory()
        self.con = duckdb.connect(":memory:", config={"threads": threads or _cores(),
                                                      "temp_directory": os.path.join(self._dir, "spill")})
        self._run("SET enable_progress_bar = false")
        if limit:  # beyond it DuckDB spills to the private temporary directory
            self._run("SET memory_limit = ?", [limit])

    def load(self, table: str, frame: pl.DataFrame) -> None:
        """``frame`` as the view ``table``: DuckDB scans the frame's own memory (exported anew for each scan),
        never a copy -- the frame must live as long as the engine (``Prepared`` holds it)."""
        self.con.register(sql.name(table), _Stream(frame))

    def _run(self, statement: str, params: list | None = None) -> list:
        """Execute and fetch to the end (a DuckDB result left unfinished blocks the connection)."""
        return self.con.execute(statement, params or []).fetchall()

    def materialize(self, table: str, query: str) -> int:
        self._run(f"CREATE OR REPLACE TABLE {sql.name(table)} AS {query}")
        return int(self._run(f"SELECT COUNT(*) FROM {table}")[0][0])

    def view(self, table: str, query: str) -> None:
        """``table`` as a view: computed by whatever reads it, never stored."""
        self._run(f"CREATE OR REPLACE VIEW {sql.name(table)} AS {query}")

    def query(self, query: str) -> pl.DataFrame:
        return pl.DataFrame(self.con.sql(query))

    def copy_parquet(self, query: str, path: str) -> int:
        """DuckDB's own Parquet writer: streamed, the sort spilling beyond the memory limit, never a frame."""
        if "'" in path:
            raise ValueError(f"not a path this process made: {path!r}")
        done = self._run(f"COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        return int(done[0][0])

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._dir, ignore_errors=True)
