"""Versions of one policy id: ordering them, and which of them cover a period, for how many days.

A plan (docs/plan-versions.md) is a directory holding the version files of
one ``policy:`` id, each with ``effective: {start, end}`` (both inclusive).
``resolve`` answers, for one period, which versions apply and how many of
its days each covers; the checks of a set of versions (overlaps, gaps,
duplicates) are ``policy.version_checks``. Everything here works on dates
and ``Policy`` objects only, so validate and the engine's callers share it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from incentive.errors import UsageError
from incentive.policy.model import Policy

_START_MONTHS = {"month": tuple(range(1, 13)), "quarter": (1, 4, 7, 10), "half": (1, 7), "year": (1,)}
_LENGTH = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_LABEL = {"month": "{y}-{m:02d}", "quarter": "{y}-Q{q}", "half": "{y}-H{h}", "year": "{y}"}


@dataclass(frozen=True)
class Share:
    """The part of a period one version covers."""

    policy: Policy
    start: date  # first covered day of the period (inclusive)
    end: date  # last covered day of the period (inclusive)
    days: int
    total_days: int  # the days of the whole period

    @property
    def weight(self) -> Fraction:
        """days / total days: exact, in [0, 1]; the weights of one period sum to 1."""
        return Fraction(self.days, self.total_days)


def group_by_id(policies: Iterable[Policy]) -> dict[str, list[Policy]]:
    """Policies by ``policy:`` id, each group in effective order (``ordered``), ids in first-seen order."""
    groups: dict[str, list[Policy]] = {}
    for p in policies:
        groups.setdefault(p.id, []).append(p)
    return {k: ordered(v) for k, v in groups.items()}


def ordered(versions: Sequence[Policy]) -> list[Policy]:
    """Versions by effective start (an open start first), then end (an open end last), then file."""
    return sorted(versions, key=lambda p: (start_of(p) or date.min, end_of(p) or date.max, p.file))


def start_of(p: Policy) -> date | None:
    return p.effective.start if p.effective is not None else None


def end_of(p: Policy) -> date | None:
    return p.effective.end if p.effective is not None else None


def describe(p: Policy) -> str:
    """``version 2026.2 (rules/v2.yaml, 2026-02-15 to 2026-12-31)``: how messages name a version."""
    return f"version {p.version} ({p.file}, {dates(start_of(p), end_of(p))})"


def dates(start: date | None, end: date | None) -> str:
    """A date range as messages spell it; an open side says so."""
    if start is not None and start == end:
        return start.isoformat()
    return f"{start.isoformat() if start else 'open start'} to {end.isoformat() if end else 'open end'}"


def period_containing(d: date, unit: str) -> tuple[str, date, date]:
    """The calendar period of ``unit`` that holds ``d``: its label, first and last day."""
    length = _LENGTH[unit]
    first_month = max(m for m in _START_MONTHS[unit] if m <= d.month)
    start = date(d.year, first_month, 1)
    last_month = first_month + length - 1
    end = date(d.year, last_month, calendar.monthrange(d.year, last_month)[1])
    label = _LABEL[unit].format(y=d.year, m=first_month, q=(first_month - 1) // 3 + 1, h=(first_month - 1) // 6 + 1)
    return label, start, end


def resolve(versions: Sequence[Policy], label: str, start: date, end: date) -> list[Share]:
    """The versions covering the period ``label`` (``start`` .. ``end``), in date order, with their days.

    The versions are assumed checked (``version_checks``: no overlap). A day of
    the period no version covers is a ``UsageError`` naming the period and the
    covered ranges; so is a split period when a version involved declares
    ``split: error`` (naming both versions and their dates).
    """
    total = (end - start).days + 1
    shares: list[Share] = []
    for p in ordered(versions):
        lo = max(start, start_of(p) or date.min)
        hi = min(end, end_of(p) or date.max)
        if lo <= hi:
            shares.append(Share(p, lo, hi, (hi - lo).days + 1, total))
    covered = sum(s.days for s in shares)
    if covered != total or any(b.start != a.end + timedelta(days=1) for a, b in zip(shares, shares[1:])):
        ranges = "; ".join(describe(p) for p in ordered(versions)) or "none"
        missing = _missing(shares, start, end)
        raise UsageError(f"period {label} ({dates(start, end)}) is not covered by the versions of policy "
                         f"{versions[0].id}: no version covers {missing}; the versions cover: {ranges}")
    if len(shares) > 1:
        refusing = [s for s in shares if s.policy.effective is not None and s.policy.effective.split == "error"]
        if refusing:
            parts = " and ".join(f"{describe(s.policy)} for {dates(s.start, s.end)}" for s in shares)
            raise UsageError(f"period {label} ({dates(start, end)}) is split between {parts}, and "
                             f"{', '.join(f'version {s.policy.version}' for s in refusing)} says "
                             f"`effective: {{split: error}}`; evaluate a period wholly inside one version")
    return shares


def primary(shares: Sequence[Share]) -> Share:
    """The version whose score, band and recommendations a split period reports: the most days; ties, the later."""
    return max(enumerate(shares), key=lambda pair: (pair[1].days, pair[0]))[1]


def _missing(shares: Sequence[Share], start: date, end: date) -> str:
    gaps, cursor = [], start
    for s in shares:
        if s.start > cursor:
            gaps.append(dates(cursor, s.start - timedelta(days=1)))
        cursor = max(cursor, s.end + timedelta(days=1))
    if cursor <= end:
        gaps.append(dates(cursor, end))
    return ", ".join(gaps) or "(overlapping versions)"
