"""The few things the crediting engines spell differently; a module of its own so each engine can name its
dialect without importing the engine-neutral driver (``engine``) that imports the engines."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """What the engines spell differently (everything else in ``sql`` is read the same by both)."""

    name: str
    #: steps of ``sql.direct_steps`` computed once and kept as tables before the next ones read them. Spark
    #: inlines a CTE at every reference and would compute ``parts`` four times, each with the joins below it, so
    #: it keeps the steps read more than once (``totals``: by the ranks and the units). DuckDB keeps the split
    #: lines' ``parts`` and ``totals``: planned as one query with the rest, their joins ran out of memory at 50
    #: million lines within a 2 GB limit; kept as tables (written out when memory is short) they do not, and at
    #: 10 million lines the run is no slower.
    staged: tuple[str, ...] = ()


DUCKDB = Dialect(name="duckdb", staged=("parts", "totals"))
SPARK = Dialect(name="spark", staged=("flags", "ev", "parts", "totals"))
