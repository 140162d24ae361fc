"""Synthetic period data for any policy: plausible, valid, deterministic.

``sample_frame(policy, rows, seed, period)`` returns one column per input,
named by the input's header (its ``column``, else its id), typed so that the
writers produce cells ``read_period_data`` accepts. How values are drawn:

* every person has a latent performance ``z`` ~ N(0, 1) that nudges all the
  measures the same way (good people sell more, close faster, get fewer
  complaints), so KPIs correlate as in real data;
* attainment is lognormal around 100% (sigma 0.25: a long right tail) and a
  few people (0.7%) have no revenue at all; targets come from a few
  realistic levels; revenue = target x attainment; collections = revenue x
  a collection rate around 90%, never above 100%;
* regions are Zipf-sized; teams belong to a region and have varied sizes;
  names are mixed Chinese and English; a few hires fall in the period
  (and a few just before it), the rest have years of tenure;
* counts are Poisson (small for misses and complaints, large for tickets);
  bounded numbers stay inside ``min`` / ``max``; ``values`` are chosen from
  the allowed set (a manager-like value goes to one person per team);
  booleans are mostly false (violations about 1%);
* money is rounded to the policy's money decimals, exactly.

Amounts scale with the period (a month's target is a third of a quarter's).
Each input draws from its own random stream (seeded by the seed and the
input id), so adding an input does not change the others' values; the same
policy, rows and seed always give the same frame.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, TypeVar

import numpy as np
import polars as pl

from incentive.errors import UsageError
from incentive.io.periods import Period
from incentive.policy.model import Input, Policy
from incentive.sample import names
from incentive.sample.roles import is_lead_value, role_of, words

_Made = TypeVar("_Made")

#: most rows one sample may have
MAX_ROWS = 10_000_000
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
#: quarterly target levels (CNY-like units) and their frequency
_TARGETS = np.array([300_000, 400_000, 500_000, 600_000, 800_000], dtype=np.float64)
_TARGET_P = np.array([0.30, 0.30, 0.20, 0.12, 0.08])
_BONUSES = np.array([8_000, 10_000, 12_000, 15_000, 20_000], dtype=np.float64)
_NO_RESULTS = 0.007
_TEAM_SIZE = 9
_NULLS = 0.02  # blanks in an optional input without a default


def default_period(policy: Policy) -> Period:
    """The period a sample is for when none is given: the one the policy takes effect in."""
    start = policy.effective.start if policy.effective and policy.effective.start else date(2026, 1, 1)
    return Period.containing(policy.period, start)


def _nice(x: np.ndarray, quantum: float) -> np.ndarray:
    """Round to a multiple of ``quantum`` (never to 0): a month's target of 133,000, not 133,333.33."""
    return np.maximum(np.round(x / quantum), 1) * quantum


class _Sampler:
    def __init__(self, policy: Policy, rows: int, seed: int, period: Period):
        self.policy = policy
        self.n = rows
        self.seed = seed
        self.period = period
        self.scale = _MONTHS[period.unit] / 3  # money relative to a quarter
        self._cache: dict[str, Any] = {}  # each key holds what its own ``make`` returns (see ``once``)
        shared = self.rng("__people__")
        self.z = shared.standard_normal(rows)
        self.attainment = np.exp(0.2 * self.z + 0.12 * shared.standard_normal(rows))
        self.attainment[shared.random(rows) < _NO_RESULTS] = 0.0
        self.level = shared.choice(len(_TARGETS), rows, p=_TARGET_P)

    def rng(self, key: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(key.encode("utf-8"))])

    def once(self, key: str, make: Callable[[], _Made]) -> _Made:
        """``make()`` computed once per key: several columns share one draw."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # ---------------------------------------------------------------- organisation

    def org(self) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        """(region index, team index, region names, team names) per person."""
        def make() -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
            rng = self.rng("__org__")
            n_teams = max(1, -(-self.n // _TEAM_SIZE))
            regions = names.REGIONS
            team_region = rng.choice(len(regions), n_teams, p=names.zipf_weights(len(regions), 0.9))
            size = rng.lognormal(0.0, 0.5, n_teams)
            team = rng.choice(n_teams, self.n, p=size / size.sum())
            has_region = any(role_of(i) == "region" for i in self.policy.inputs)
            prefix = pl.Series(regions if has_region else [""] * len(regions), dtype=pl.String)
            number = pl.int_range(1, pl.len() + 1)
            ordinal = pl.DataFrame({"r": team_region}).select(number.over("r") if has_region else number).to_series()
            team_names = (prefix.gather(pl.Series(team_region, dtype=pl.UInt32)) + ordinal.cast(pl.String)
                          + "组").to_list()  # numbered within their region: 华东1组, 华东2组 ...
            region = team_region[team]
            return region, team, regions, team_names
        return self.once("org", make)

    # ---------------------------------------------------------------- money

    def target(self) -> np.ndarray:
        def make() -> np.ndarray:
            rng = self.rng("__target__")
            wobble = rng.choice([0.9, 1.0, 1.0, 1.1], self.n)
            return _nice(_TARGETS[self.level] * self.scale, 1000) * wobble
        return self.once("target", make)

    def revenue(self) -> np.ndarray:
        return self.once("revenue", lambda: self.target() * self.attainment)

    def collected(self, rng: np.random.Generator) -> np.ndarray:
        rate = np.clip(0.9 + 0.04 * self.z + 0.06 * rng.standard_normal(self.n), 0.3, 1.0)
        return self.revenue() * rate

    def bonus(self, rng: np.random.Generator) -> np.ndarray:
        step = np.clip(self.level + rng.choice([-1, 0, 0, 1], self.n), 0, len(_BONUSES) - 1)
        return _nice(_BONUSES[step] * self.scale, 500)

    # ---------------------------------------------------------------- columns

    def column(self, inp: Input) -> pl.Series:
        rng = self.rng(inp.id)
        role = role_of(inp)
        if role == "id":
            width = max(4, len(str(self.n)))
            number = pl.int_range(1, self.n + 1).cast(pl.String).str.zfill(width)
            return pl.select(pl.concat_str(pl.lit("E"), number).alias(inp.header)).to_series()
        if role == "choice":
            series = self.choice(inp, rng)
        elif inp.type in ("text",):
            series = self.text(inp, role, rng)
        elif inp.type == "date":
            series = self.dates(role, rng)
        elif inp.type == "boolean":
            p = 0.01 if role == "violation" else 0.05
            series = pl.Series(rng.random(self.n) < p, dtype=pl.Boolean)
        else:
            series = self.numeric(inp, role, rng)
        if not inp.required and inp.default is None:
            blank = pl.Series(rng.random(self.n) < _NULLS)
            series = pl.select(pl.when(pl.lit(blank)).then(None).otherwise(pl.lit(series))).to_series()
        return series.alias(inp.header)

    def choice(self, inp: Input, rng: np.random.Generator) -> pl.Series:
        values = list(inp.values or ())
        leads = np.array([k for k, v in enumerate(values) if is_lead_value(v)], dtype=np.int64)
        others = np.array([k for k, v in enumerate(values) if not is_lead_value(v)], dtype=np.int64)
        if len(leads) and len(others):  # the first person of each team leads it
            _, team, _, _ = self.org()
            first = pl.Series(team).is_first_distinct().to_numpy()
            lead = leads[rng.integers(0, len(leads), self.n)]
            rest = others[rng.choice(len(others), self.n, p=names.zipf_weights(len(others)))]
            idx = np.where(first, lead, rest)
        else:
            idx = rng.choice(len(values), self.n, p=names.zipf_weights(len(values), 0.5))
        return _typed(values, inp).gather(pl.Series(idx, dtype=pl.UInt32))

    def text(self, inp: Input, role: str, rng: np.random.Generator) -> pl.Series:
        if role == "name":
            return names.person_names(rng, self.n)
        if role in ("region", "team"):
            region, team, region_names, team_names = self.org()
            pool, idx = (region_names, region) if role == "region" else (team_names, team)
            return pl.Series(pool, dtype=pl.String).gather(pl.Series(idx, dtype=pl.UInt32))
        k = 6
        pool = [f"{inp.id}_{i}" for i in range(1, k + 1)]
        return pl.Series(pool, dtype=pl.String).gather(pl.Series(rng.choice(k, self.n, p=names.zipf_weights(k)),
                                                                 dtype=pl.UInt32))

    def dates(self, role: str, rng: np.random.Generator) -> pl.Series:
        start, end = self.period.start, self.period.end
        days = (end - start).days + 1
        if role == "hire_date":
            u = rng.random(self.n)
            tenure = np.minimum(rng.lognormal(np.log(1100), 0.8, self.n), 25 * 365).astype(np.int64)
            offset = -(90 + tenure)  # days from the period start: years of tenure ...
            recent = (u >= 0.92) & (u < 0.96)  # ... some hired in the three months before
            offset[recent] = -rng.integers(1, 91, int(recent.sum()))
            new = u >= 0.96  # ... and some during the period
            offset[new] = rng.integers(0, days, int(new.sum()))
        else:
            offset = rng.integers(0, days, self.n)
        base = np.datetime64(start.isoformat(), "D")
        return pl.Series((base + offset.astype("timedelta64[D]")).astype("datetime64[D]")).cast(pl.Date)

    def numeric(self, inp: Input, role: str, rng: np.random.Generator) -> pl.Series:
        e = rng.standard_normal(self.n)
        z = self.z
        decimals = self.policy.money.decimals if inp.type == "money" else {"integer": 0, "percent": 4}.get(inp.type, 1)
        lo = float(inp.min) if inp.min is not None else None
        hi = float(inp.max) if inp.max is not None else None
        if inp.type == "percent":  # a fraction: [0, 1] unless the policy says otherwise
            lo, hi = (0.0 if lo is None else lo), (1.0 if hi is None else hi)
        if lo is not None and hi is not None and role in _SHARE_ROLES:
            x = lo + (hi - lo) * _share(role, z, e)  # e.g. satisfaction 0..100, a rate 0..1, widgets 10..20
        elif inp.type == "money":
            x = self.money(role, rng)
        elif inp.type == "integer":
            x = self.count(role, z, e, rng) + (max(lo, 0.0) if lo is not None else 0.0)
        else:
            x = _number(role, words(inp), z, e, lo, hi, rng)
        x = np.clip(x, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
        return _fixed(x, decimals, inp)

    def money(self, role: str, rng: np.random.Generator) -> np.ndarray:
        if role == "target":
            return self.target()
        if role == "revenue":
            return self.revenue()
        if role == "collected":
            return self.collected(rng)
        if role == "bonus":
            return self.bonus(rng)
        return rng.lognormal(np.log(10_000 * self.scale), 0.5, self.n)

    def count(self, role: str, z: np.ndarray, e: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if role == "rare_count":
            x = rng.poisson(0.4 * np.exp(-0.5 * z))
        elif role == "volume":
            part_time = np.where(rng.random(self.n) < 0.05, 0.2, 1.0)
            x = rng.poisson(450 * _MONTHS[self.period.unit] * part_time * np.exp(0.15 * z + 0.25 * e))
        else:
            x = rng.poisson(4 * np.exp(0.3 * z))
        return x.astype(np.float64)


#: roles drawn as a share of [min, max] when the input declares both bounds
_SHARE_ROLES = ("integer", "number", "percent", "money", "satisfaction", "quality", "low_rate")
#: (centre, spread) of the share per role: good results are common, perfect ones rare
_SHARES = {"satisfaction": (0.82, 0.07), "quality": (0.85, 0.07), "percent": (0.85, 0.08), "low_rate": (0.1, 0.08)}


def _share(role: str, z: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Where in its declared range a value falls, in [0, 1]; better performers higher (lower for low_rate)."""
    centre, spread = _SHARES.get(role, (0.6, 0.15))
    sign = -1.0 if role == "low_rate" else 1.0
    return np.clip(centre + spread * (sign * 0.6 * z + 0.8 * e), 0.0, 1.0)


def _number(role: str, text: str, z: np.ndarray, e: np.ndarray, lo: float | None, hi: float | None,
            rng: np.random.Generator) -> np.ndarray:
    """A plain number with at most one bound: a role-shaped distribution (clipped to the bound by the caller)."""
    n = len(z)
    if role == "duration":
        median, sigma = (6.0, 0.6) if ("hour" in text or "小时" in text) else \
            (30.0, 0.5) if ("minute" in text or "分钟" in text) else (55.0, 0.35)
        return rng.lognormal(np.log(median), sigma, n) * np.exp(-0.2 * z)
    if role in ("satisfaction", "quality"):
        return 100 * _share(role, z, e)
    if lo is not None:
        return lo + rng.lognormal(np.log(50), 0.6, n)
    if hi is not None:
        return hi - rng.lognormal(np.log(50), 0.6, n)
    return 50 + 20 * e


def _bound(value: Decimal | None, decimals: int, rounding: str) -> int | None:
    if value is None:
        return None
    return int((value * (Decimal(10) ** decimals)).to_integral_value(rounding=rounding))


def _fixed(x: np.ndarray, decimals: int, inp: Input) -> pl.Series:
    """Exact decimals (or integers) from floats: rounded to ``decimals``, then held inside [min, max] exactly."""
    units = np.rint(x * 10.0**decimals).astype(np.int64)
    lo, hi = _bound(inp.min, decimals, ROUND_CEILING), _bound(inp.max, decimals, ROUND_FLOOR)
    if lo is not None or hi is not None:
        units = np.clip(units, lo, hi)
    series = pl.Series(units, dtype=pl.Int64)
    if inp.type == "integer":
        return series
    return pl.select(pl.lit(series).cast(pl.Decimal(38, decimals)) / pl.lit(10**decimals, dtype=pl.Decimal(38, 0))
                     ).to_series().cast(pl.Decimal(38, decimals))


def _typed(values: list, inp: Input) -> pl.Series:
    """The allowed values of an input as a column of its type."""
    if inp.type == "integer":
        return pl.Series([int(v) for v in values], dtype=pl.Int64)
    if inp.type in ("number", "money", "percent"):
        return pl.Series([Decimal(str(v)) for v in values], dtype=pl.Decimal(38, 12))
    if inp.type == "date":
        return pl.Series(values, dtype=pl.Date)
    if inp.type == "boolean":
        return pl.Series(values, dtype=pl.Boolean)
    return pl.Series([str(v) for v in values], dtype=pl.String)


def sample_frame(policy: Policy, rows: int, seed: int, period: Period | None = None) -> pl.DataFrame:
    """``rows`` synthetic people for ``policy``'s inputs, one column per input header."""
    if not 1 <= rows <= MAX_ROWS:
        raise UsageError(f"--rows must be between 1 and {MAX_ROWS:,} (got {rows})")
    if seed < 0:
        raise UsageError(f"--seed must be 0 or more (got {seed})")
    sampler = _Sampler(policy, rows, seed, period or default_period(policy))
    return pl.DataFrame([sampler.column(inp) for inp in policy.inputs])
