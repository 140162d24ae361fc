"""How many seats each band gets in a ranking group of ``n`` people.

A forced distribution (20/70/10) turns shares into whole seats. The rules
below are exact (``fractions.Fraction``, never float) so the seat counts are
the same on every machine, and they always sum to ``n`` with no band
negative. Bands are listed best first, as in the policy.

Shares are used relative to their sum (the ``band-shares`` check rejects a
policy whose shares do not sum to 1, so in practice they are used as given).

- ``largest_remainder`` (default, Hamilton's method): each band gets
  ``floor(share × n)``; the seats left over go one each to the bands with the
  largest fractional remainders; equal remainders go to the band listed
  first. A band with share 0 never gets a seat.
- ``floor``: every band gets ``floor(share × n)``; all leftover seats go to
  the band with the largest share (the first listed among equal shares) --
  "the middle band takes the rest".
- ``nearest``: every band gets ``share × n`` rounded half up; the sum is then
  fixed on the largest-share band (first listed among equal shares): missing
  seats are added to it, surplus seats are taken from it -- and, if it runs
  out, from the next largest-share band, and so on -- never below 0.

``forced_quotas`` handles people forced into a band by a veto when the
policy says they count toward that band's quota (``forced_count: true``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from math import floor

ROUNDINGS = ("largest_remainder", "floor", "nearest")


def _fractions(shares: Sequence[Decimal | int | str]) -> list[Fraction]:
    out = [Fraction(Decimal(str(s))) for s in shares]
    if any(f < 0 for f in out):
        raise ValueError("band shares must not be negative")
    return out


def _by_share(shares: Sequence[Fraction]) -> list[int]:
    """Band indexes, largest share first; equal shares keep policy order."""
    return sorted(range(len(shares)), key=lambda i: (-shares[i], i))


def band_sizes(n: int, shares: Sequence[Decimal | int | str], rounding: str = "largest_remainder") -> tuple[int, ...]:
    """Seats per band (best band first) for ``n`` people; sums to ``n``."""
    if n < 0:
        raise ValueError("headcount must not be negative")
    if rounding not in ROUNDINGS:
        raise ValueError(f"unknown band rounding {rounding!r}; expected one of {', '.join(ROUNDINGS)}")
    fr = _fractions(shares)
    if not fr:
        raise ValueError("a ranking needs at least one band")
    total = sum(fr)
    if total == 0:
        raise ValueError("band shares must not all be 0")
    exact = [f * n / total for f in fr]
    if rounding == "nearest":
        sizes = [floor(x + Fraction(1, 2)) for x in exact]
    else:
        sizes = [floor(x) for x in exact]
    left = n - sum(sizes)
    if rounding == "largest_remainder":
        order = sorted(range(len(fr)), key=lambda i: (-(exact[i] - sizes[i]), i))
        for i in order[:left]:
            sizes[i] += 1
    elif left > 0:
        sizes[_by_share(fr)[0]] += left
    else:
        for i in _by_share(fr):
            take = min(sizes[i], -left)
            sizes[i] -= take
            left += take
            if left == 0:
                break
    assert sum(sizes) == n and min(sizes) >= 0
    return tuple(sizes)


def forced_quotas(sizes: Sequence[int], forced: Sequence[int],
                  shares: Sequence[Decimal | int | str]) -> tuple[int, ...]:
    """Seats left for the ranked (non-forced) people when forced people
    count toward their band's quota.

    Each band keeps ``size - forced`` seats. When a band has more forced
    people than seats, the overflow is taken from the other bands, largest
    share first (first listed among equal shares), never below 0. The result
    sums to ``sum(sizes) - sum(forced)`` (the non-forced headcount).
    """
    if len(sizes) != len(forced):
        raise ValueError("one forced count per band is needed")
    quotas = [max(0, s - f) for s, f in zip(sizes, forced)]
    over = sum(max(0, f - s) for s, f in zip(sizes, forced))
    for i in _by_share(_fractions(shares)):
        take = min(quotas[i], over)
        quotas[i] -= take
        over -= take
    if over:
        raise ValueError("more forced people than ranked people")
    return tuple(quotas)
