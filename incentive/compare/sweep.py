"""Sensitivity of a plan to one parameter: cost and band counts per value.

``--set-range PATH=a:b:step`` steps in exact decimal arithmetic, so
``0.1:0.3:0.1`` is 0.1, 0.2, 0.3 -- never 0.30000000000000004, never a
missing end point. ``PATH=v1,v2,v3`` lists the values (each read like a
``--set`` value: ``50`` a number, ``step`` a word).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import polars as pl

from incentive.compare.diff import NONE_BAND
from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.numeric import plain_text

#: values a range may produce before it is refused (each is one evaluation)
MAX_VALUES = 10_000


@dataclass(frozen=True)
class SweepPoint:
    """One evaluation of the sweep."""

    value: str  # as passed to --set
    people: int
    costs: dict[str, Decimal]  # payout and penalty ids, and "total" -> sum over everybody
    bands: dict[str, int]  # band id (NONE_BAND for the unranked) -> people
    payouts: tuple[str, ...]
    penalties: tuple[str, ...]
    band_order: tuple[str, ...]


@dataclass(frozen=True)
class Sweep:
    path: str
    points: tuple[SweepPoint, ...]
    money_decimals: int = 2
    currency: str = ""
    reads: int = field(default=0, compare=False)  # times the data file was read and checked
    notes: tuple[str, ...] = field(default=(), compare=False)  # for stderr: e.g. no history visible

    def components(self) -> list[str]:
        return _union(p.payouts for p in self.points)

    def penalties(self) -> list[str]:
        return _union(p.penalties for p in self.points)

    def bands(self) -> list[str]:
        out = _union(p.band_order for p in self.points)
        extra = sorted({b for p in self.points for b in p.bands} - set(out) - {NONE_BAND})
        out += extra
        if any(p.bands.get(NONE_BAND) for p in self.points):
            out.append(NONE_BAND)
        return out

    def table(self) -> pl.DataFrame:
        """value, people, each payout, each penalty, total, then ``band:<id>`` counts."""
        money = [*self.components(), *self.penalties(), "total"]
        bands = self.bands()
        rows = {"value": pl.Series("value", [p.value for p in self.points], dtype=pl.String),
                "people": pl.Series("people", [p.people for p in self.points], dtype=pl.Int64)}
        for c in money:
            rows[c] = pl.Series(c, [p.costs.get(c, Decimal(0)) for p in self.points], dtype=pl.Decimal(38, 12))
        for b in bands:
            name = f"band:{b}"
            rows[name] = pl.Series(name, [p.bands.get(b, 0) for p in self.points], dtype=pl.Int64)
        return pl.DataFrame(rows)


def _union(lists: Iterable[Iterable[str]]) -> list[str]:
    out: list[str] = []
    for items in lists:
        out.extend(x for x in items if x not in out)
    return out


def point_of(value: str, results: Results) -> SweepPoint:
    """Summarize one evaluation: cost by component and penalty, total, band counts."""
    policy = results.checked.policy
    frame = results.frame
    payouts = tuple(p.id for p in policy.payouts)
    penalties = tuple(p.id for p in policy.penalties)
    names = [*payouts, *penalties, "total"]
    sums = frame.select(pl.col(c).sum() for c in names).row(0, named=True) if frame.height else {}
    costs = {c: sums.get(c) or Decimal(0) for c in names}
    bands: dict[str, int] = {}
    order: tuple[str, ...] = ()
    if policy.ranking is not None and "band" in frame.columns:
        order = tuple(b.id for b in policy.ranking.bands)
        counts = frame.select(pl.col("band").fill_null(NONE_BAND)).to_series().value_counts()
        bands = {b: n for b, n in counts.iter_rows()}
    return SweepPoint(value=value, people=frame.height, costs=costs, bands=bands, payouts=payouts,
                      penalties=penalties, band_order=order)


def _decimal(text: str, what: str, spec: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise UsageError(f"--set-range {spec}: {what} {text.strip()!r} is not a number "
                         f"(expected PATH=start:stop:step, e.g. kpis.sales.weight=30:50:5)") from None
    if not value.is_finite():
        raise UsageError(f"--set-range {spec}: {what} must be a finite number")
    return value


def parse_range(spec: str) -> tuple[str, list[str]]:
    """``PATH=a:b:step`` or ``PATH=v1,v2,...`` -> (PATH, value texts, in order).

    A range includes ``b`` when it falls on a step; ``step`` may be negative
    to sweep downwards (``a`` > ``b``).
    """
    path, sep, rest = spec.partition("=")
    path, rest = path.strip(), rest.strip()
    if not sep or not path or not rest:
        raise UsageError(f"--set-range {spec}: expected PATH=start:stop:step or PATH=v1,v2,... "
                         f"(e.g. kpis.sales.weight=30:50:5)")
    if ":" in rest:
        parts = rest.split(":")
        if len(parts) != 3:
            raise UsageError(f"--set-range {spec}: a range is start:stop:step (three numbers), got {rest!r}")
        start, stop, step = (_decimal(t, w, spec) for t, w in zip(parts, ("start", "stop", "step")))
        if step == 0:
            raise UsageError(f"--set-range {spec}: step must not be 0")
        if (stop - start) * step < 0:
            raise UsageError(f"--set-range {spec}: step {step} never reaches {stop} from {start} "
                             f"(use a {'negative' if stop < start else 'positive'} step)")
        count = int((stop - start) / step) + 1
        if count > MAX_VALUES:
            raise UsageError(f"--set-range {spec}: {count:,} values; use a larger step")
        return path, [plain_text(start + i * step, trim=False) for i in range(count)]
    values = [v.strip() for v in rest.split(",")]
    if any(not v for v in values):
        raise UsageError(f"--set-range {spec}: empty value in the list {rest!r}")
    return path, values
