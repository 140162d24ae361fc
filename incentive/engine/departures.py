"""Who left with a balance: the one shape draws, holds and clawbacks report departures in.

A balance (a draw owed, an amount held, a recovery still to take) belongs
to someone the last close evaluated; when they are not in this period's
data it is reported, never dropped (``draws``, ``holds``, ``clawbacks``
each say what their balance is and what happens to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from incentive.numeric import DTYPE


def absent(frame: pl.DataFrame, last: pl.DataFrame | None, id_col: str) -> pl.DataFrame | None:
    """The last close's rows of the people not in ``frame``; None when there is no last close to read."""
    if last is None or id_col not in last.columns:
        return None
    return last.join(frame.select(pl.col(id_col).cast(last.schema[id_col])), on=id_col, how="anti")


def gathered(parts: Sequence[pl.DataFrame], id_col: str, order: Sequence[str] = ("draw",)) -> pl.DataFrame:
    """The departures (id, ``draw`` -- the balance's id --, ``balance``, ``action``), sorted by id and ``order``."""
    if not parts:
        return pl.DataFrame(schema=pl.Schema({id_col: pl.String(), "draw": pl.String(), "balance": DTYPE,
                                              "action": pl.String()}))
    return pl.concat(parts).sort([id_col, *order])
