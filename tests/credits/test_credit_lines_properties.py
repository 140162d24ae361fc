"""Properties of explain's view of a credit table: the top N are the N largest, whatever the row order."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.report.credit_lines import CreditLines, person_lines

_COLUMNS = ("line_id", "source", "kind", "event_id", "amount_name", "event_date", "line_date", "person", "role",
            "credit", "level", "share", "amount", "credited")

cents = st.integers(min_value=-10**8, max_value=10**8)
rows = st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["A", "B"]), cents), min_size=0, max_size=40,
                unique_by=lambda r: (r[0], r[1]))


def _table(picked: list[tuple[int, str, int]]) -> CreditLines:
    data = [{"line_id": f"L{n:03d}", "source": "orders", "kind": "refund" if c < 0 else "line", "event_id": f"L{n:03d}",
             "amount_name": "amount", "event_date": "2026-01-01", "line_date": "2026-01-01", "person": person,
             "role": "owner", "credit": "direct", "level": "0", "share": "1", "amount": str(Decimal(c).scaleb(-2)),
             "credited": str(Decimal(c).scaleb(-2))} for n, person, c in picked]
    frame = pl.DataFrame(data, schema={c: pl.String for c in _COLUMNS})
    return CreditLines(frame=frame, decimals=2, rounding="half_up")


@settings(max_examples=200, deadline=None)
@given(rows, st.integers(0, 50), st.randoms(use_true_random=False))
def test_top_n_are_the_largest_credits_of_the_person_whatever_the_order(picked, top, rnd):
    shuffled = list(picked)
    rnd.shuffle(shuffled)
    a = person_lines(_table(picked), "A", {}, top)
    b = person_lines(_table(shuffled), "A", {}, top)
    assert a == b  # independent of the credit table's row order
    mine = sorted((Decimal(c).scaleb(-2) for _, p, c in picked if p == "A"), key=lambda d: -abs(d))
    assert a.credit_rows == len(mine)
    assert [abs(Decimal(r["credited"])) for r in a.lines] == [abs(d) for d in mine[:top]]
