"""D10: long curves find their segment by binary search, with the same results as the when-chain."""

from __future__ import annotations

from decimal import Decimal as D
from unittest import mock

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.engine import tiers
from incentive.numeric import DTYPE


@settings(max_examples=40, deadline=None)
@given(xs=st.lists(st.integers(-500, 500), min_size=10, max_size=40, unique=True),
       ys=st.lists(st.integers(-200, 200), min_size=40, max_size=40),
       probes=st.lists(st.one_of(st.none(), st.decimals(-600, 600, places=3)), min_size=1, max_size=20))
def test_binary_search_matches_the_chain(xs, ys, probes) -> None:
    points = [(D(x), D(y)) for x, y in zip(sorted(xs), ys)]
    frame = pl.DataFrame({"x": probes}, schema={"x": DTYPE})
    fast = frame.select(tiers.interpolate(points, pl.col("x")))[:, 0].to_list()
    with mock.patch.object(tiers, "_CHAIN_MAX", 10_000):
        slow = frame.select(tiers.interpolate(points, pl.col("x")))[:, 0].to_list()
    assert fast == slow
