"""The comparison of two evaluations of the same people: pure data, no I/O.

``compare(old, new)`` joins two ``Results`` on the employee id and answers
what a manager asks before a plan change goes live: what it costs (by
component, penalty and group), who moves between bands (the migration
matrix), who gains and who loses most, and how the distribution of total
payout shifts. Every amount is an exact ``Decimal``; a component that one
side does not have counts as 0 on that side, and so does a null amount (it
pays nothing).

Per-person columns are named ``<id>.old`` / ``<id>.new`` / ``<id>.delta``,
following the ``<id>.<step>`` convention of result columns, so they can never
clash with a policy id (ids have no dots).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

import polars as pl

from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.numeric import DTYPE
from incentive.policy.model import Policy, label_text

#: the row / column of the migration matrix for people without a band
NONE_BAND = "(none)"
#: the percentiles of total payout compared (nearest rank, as in the evaluation summary)
PERCENTILES = (10, 25, 50, 75, 90)
_NAME_IDS = ("name", "full_name", "employee_name", "person_name")
_NAME_HEADERS = ("姓名", "名字", "员工姓名")


class _Change:
    """``old`` → ``new`` of one amount, with its delta and percentage change."""

    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old

    @property
    def pct(self) -> Decimal | None:
        """Delta as a percentage of old (None when old is 0: no base to compare with)."""
        return pct_change(self.old, self.new)


@dataclass(frozen=True)
class CostLine(_Change):
    """One component, penalty or the total, summed over everybody."""

    id: str
    kind: str  # payout | penalty | total
    label: str
    old: Decimal
    new: Decimal


@dataclass(frozen=True)
class GroupLine(_Change):
    """Total cost of one group (values of the group columns, in order)."""

    key: tuple[object, ...]
    people: int
    old: Decimal
    new: Decimal


@dataclass(frozen=True)
class Diff:
    """OLD vs NEW on the same data; built by ``compare``."""

    old: Results
    new: Results
    old_name: str
    new_name: str
    id_column: str
    name_column: str | None
    group_columns: tuple[str, ...]
    people: pl.DataFrame  # one row per person, sorted by id (see ``person_columns``)
    costs: tuple[CostLine, ...]  # payouts, then penalties, then the total
    groups: tuple[GroupLine, ...]
    bands: tuple[str, ...]  # row and column labels of the matrix, NONE_BAND last when present
    migration: tuple[tuple[int, ...], ...]  # [old band][new band] -> people
    gainers: pl.DataFrame  # top N by total delta > 0
    losers: pl.DataFrame  # top N by total delta < 0
    percentiles: tuple[tuple[str, Decimal | None, Decimal | None], ...]  # (p10, old, new) ...
    money_decimals: int
    currency: str
    notes: tuple[str, ...] = field(default=(), compare=False)  # for stderr: e.g. no history visible

    @property
    def headcount(self) -> int:
        return self.people.height

    @property
    def total(self) -> CostLine:
        return self.costs[-1]

    def band_counts(self) -> list[tuple[str, int, int]]:
        """(band, old count, new count): the margins of the migration matrix."""
        cols = [sum(row[j] for row in self.migration) for j in range(len(self.bands))]
        return [(b, sum(self.migration[i]), cols[i]) for i, b in enumerate(self.bands)]

    def moved(self) -> int:
        """People whose band changed."""
        return self.headcount - sum(self.migration[i][i] for i in range(len(self.bands)))

    def money_columns(self) -> dict[str, int]:
        """Per-person money columns -> the policy's money decimals (for the writers)."""
        return {c: self.money_decimals for c in self.people.columns
                if c.rsplit(".", 1)[0] in {line.id for line in self.costs}}


def pct_change(old: Decimal, new: Decimal) -> Decimal | None:
    if old == 0:
        return None
    return (new - old) * 100 / abs(old)


def name_column(policy: Policy) -> str | None:
    """The input that holds a person's name, if the policy has one."""
    texts = [i for i in policy.inputs if i.type == "text"]
    for inp in texts:
        if inp.id.lower() in _NAME_IDS or (inp.column or "") in _NAME_HEADERS:
            return inp.id
    return next((i.id for i in texts if i.id.lower().endswith("name")), None)


def _ordered_union(*lists: Sequence[str]) -> list[str]:
    out: list[str] = []
    for items in lists:
        out.extend(x for x in items if x not in out)
    return out


def _labels(results: Results, lang: str) -> dict[str, str]:
    policy = results.checked.policy
    out = {p.id: label_text(p.label, lang, p.id) for p in policy.payouts}
    out.update({p.id: label_text(p.label, lang, p.id) for p in policy.penalties})
    return out


def _band_ids(results: Results) -> list[str]:
    ranking = results.checked.policy.ranking
    return [b.id for b in ranking.bands] if ranking is not None else []


def _side(results: Results, suffix: str, money: list[str], id_col: str) -> pl.DataFrame:
    frame = results.frame
    cols = [pl.col(id_col)]
    for c in money:
        value = pl.col(c).cast(DTYPE) if c in frame.columns else pl.lit(None, dtype=DTYPE)
        cols.append(value.alias(f"{c}.{suffix}"))
    cols.append((pl.col("score").cast(DTYPE) if "score" in frame.columns else pl.lit(None, dtype=DTYPE))
                .alias(f"score.{suffix}"))
    cols.append((pl.col("band").cast(pl.String) if "band" in frame.columns else pl.lit(None, dtype=pl.String))
                .alias(f"band.{suffix}"))
    return frame.select(cols)


def _info(old: Results, new: Results, id_col: str, wanted: list[str]) -> pl.DataFrame:
    """Name and group columns: from NEW, or from OLD for people only OLD has."""
    parts = []
    for results in (new, old):
        frame = results.frame
        parts.append(frame.select(pl.col(id_col), *[
            (pl.col(c).cast(pl.String) if c in frame.columns else pl.lit(None, dtype=pl.String)).alias(c)
            for c in wanted]))
    return pl.concat(parts).unique(id_col, keep="first", maintain_order=True)


def compare(old: Results, new: Results, *, by: Sequence[str] = (), top: int = 10, lang: str = "en",
            old_name: str | None = None, new_name: str | None = None) -> Diff:
    """Compare two evaluations of the same period data.

    ``by`` names the group columns of the cost-by-group table (default: the
    ranking's ``within`` columns of NEW, else of OLD). ``top`` is the number
    of gainers and of losers kept.
    """
    if top < 0:
        raise UsageError(f"--top must be 0 or more (got {top})")
    old_policy, new_policy = old.checked.policy, new.checked.policy
    id_col = new.id_column
    if old.id_column != id_col:
        raise UsageError(f"the two policies name the employee id differently ({old.id_column!r} and {id_col!r}); "
                         f"compare policies that read the same id input")
    payouts = _ordered_union([p.id for p in old_policy.payouts], [p.id for p in new_policy.payouts])
    penalties = _ordered_union([p.id for p in old_policy.penalties], [p.id for p in new_policy.penalties])
    lines = payouts + penalties + ["total"]

    ranking = new_policy.ranking or old_policy.ranking
    groups = list(by) if by else list(ranking.within if ranking else ())
    for g in groups:
        if g not in new.frame.columns and g not in old.frame.columns:
            known = ", ".join(i.id for i in new_policy.inputs)
            raise UsageError(f"--by {g}: no such column in the results; group by an input such as {known}")
    name = name_column(new_policy) or name_column(old_policy)
    info_cols = _ordered_union([name] if name else [], groups)

    joined = _side(old, "old", lines, id_col).join(_side(new, "new", lines, id_col), on=id_col, how="full",
                                                    coalesce=True)
    joined = _info(old, new, id_col, info_cols).join(joined, on=id_col, how="right")
    zero = pl.lit(0, dtype=DTYPE)
    deltas = [(pl.col(f"{c}.new").fill_null(zero) - pl.col(f"{c}.old").fill_null(zero)).cast(DTYPE).alias(f"{c}.delta")
              for c in lines]
    deltas.append((pl.col("score.new") - pl.col("score.old")).cast(DTYPE).alias("score.delta"))
    joined = joined.with_columns(deltas)
    order = [id_col, *info_cols]
    for c in lines:
        order += [f"{c}.old", f"{c}.new", f"{c}.delta"]
    order += ["score.old", "score.new", "score.delta", "band.old", "band.new"]
    people = joined.select(order).sort(id_col)

    sums = people.select([pl.col(f"{c}.{s}").sum().alias(f"{c}.{s}")
                          for c in lines for s in ("old", "new")]).row(0, named=True)
    labels = {**_labels(old, lang), **_labels(new, lang), "total": "total"}
    kinds = {**{c: "payout" for c in payouts}, **{c: "penalty" for c in penalties}, "total": "total"}
    costs = tuple(CostLine(c, kinds[c], labels[c], sums[f"{c}.old"] or Decimal(0), sums[f"{c}.new"] or Decimal(0))
                  for c in lines)

    group_lines: tuple[GroupLine, ...] = ()
    if groups:
        by_group = (people.group_by(groups)
                    .agg(pl.len().alias("__n"), pl.col("total.old").sum().alias("__old"),
                         pl.col("total.new").sum().alias("__new"))
                    .sort(groups, nulls_last=True))
        group_lines = tuple(GroupLine(tuple(r[k] for k in groups), r["__n"], r["__old"] or Decimal(0),
                                      r["__new"] or Decimal(0)) for r in by_group.iter_rows(named=True))

    bands, migration = _migration(people, _ordered_union(_band_ids(old), _band_ids(new)))
    movers = people.select([id_col, *([name] if name else []), "total.old", "total.new", "total.delta",
                            "band.old", "band.new"])
    gainers = movers.filter(pl.col("total.delta") > 0).sort(["total.delta", id_col], descending=[True, False]).head(top)
    losers = movers.filter(pl.col("total.delta") < 0).sort(["total.delta", id_col]).head(top)

    return Diff(old=old, new=new, old_name=old_name or _name(old_policy), new_name=new_name or _name(new_policy),
                id_column=id_col, name_column=name, group_columns=tuple(groups), people=people, costs=costs,
                groups=group_lines, bands=tuple(bands), migration=migration, gainers=gainers, losers=losers,
                percentiles=_percentiles(people), money_decimals=new_policy.money.decimals,
                currency=new_policy.currency)


def _name(policy: Policy) -> str:
    return f"{policy.id} {policy.version}"


def _migration(people: pl.DataFrame, band_ids: list[str]) -> tuple[list[str], tuple[tuple[int, ...], ...]]:
    counts = (people.select(pl.col("band.old").fill_null(NONE_BAND), pl.col("band.new").fill_null(NONE_BAND))
              .group_by(["band.old", "band.new"]).len())
    seen = set(counts.get_column("band.old").to_list()) | set(counts.get_column("band.new").to_list())
    bands = _ordered_union(band_ids, sorted(seen - set(band_ids) - {NONE_BAND}))
    if NONE_BAND in seen or not bands:
        bands.append(NONE_BAND)
    index = {b: i for i, b in enumerate(bands)}
    matrix = [[0] * len(bands) for _ in bands]
    for a, b, n in counts.iter_rows():
        matrix[index[a]][index[b]] += n
    return bands, tuple(tuple(row) for row in matrix)


def nearest_ranks(values: pl.Series, qs: Sequence[int]) -> list[Decimal | None]:
    """The ``q``-th percentiles by nearest rank (lower; as the evaluation summary): actual values, exact."""
    s = values.drop_nulls().sort()
    if not s.len():
        return [None for _ in qs]
    return [s[(s.len() - 1) * q // 100] for q in qs]


def _percentiles(people: pl.DataFrame) -> tuple[tuple[str, Decimal | None, Decimal | None], ...]:
    old = nearest_ranks(people.get_column("total.old"), PERCENTILES)
    new = nearest_ranks(people.get_column("total.new"), PERCENTILES)
    return tuple((f"p{q}", o, n) for q, o, n in zip(PERCENTILES, old, new))
