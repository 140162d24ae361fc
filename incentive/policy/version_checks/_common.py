"""Helpers the version checks share: positions and the consecutive pairs of a set."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from incentive.errors import Finding, Level, Pos
from incentive.policy.checks._common import first_pos
from incentive.policy.message_text import one_line
from incentive.policy.model import Policy
from incentive.policy.versions import end_of, start_of


def effective_pos(p: Policy) -> Pos:
    """Where a finding about a version's dates points: its ``effective`` key, else the top of the file."""
    return first_pos(p.effective.pos if p.effective is not None else Pos(), p.pos, Pos(1, 1))


def version_pos(p: Policy) -> Pos:
    return first_pos(p.version_pos, p.pos, Pos(1, 1))


def finding(p: Policy, pos: Pos, code: str, level: Level, message: str) -> Finding:
    return Finding(p.file, pos.line, pos.col, level, code, one_line(message))


def dated(versions: Sequence[Policy]) -> list[tuple[Policy, date, date]]:
    """Versions with usable ranges (open sides as date.min / date.max; a start after its end left out)."""
    out = []
    for p in versions:
        lo, hi = start_of(p) or date.min, end_of(p) or date.max
        if lo <= hi:
            out.append((p, lo, hi))
    return out


def pairs(versions: Sequence[Policy]) -> Iterator[tuple[tuple[Policy, date, date], tuple[Policy, date, date]]]:
    """Consecutive versions (in effective order) with usable ranges."""
    ranges = dated(versions)
    yield from zip(ranges, ranges[1:])
