"""Seats per band: the pinned 271 table, the documented tie rules, and the
invariants (sum to n, never negative) for any shares."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.engine.band_sizes import ROUNDINGS, band_sizes, forced_quotas

TABLE = json.loads((Path(__file__).parent / "band_sizes_271.json").read_text(encoding="utf-8"))
S271 = [Decimal(s) for s in TABLE["shares"]]


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_pinned_271_table_for_1_to_50(rounding: str) -> None:
    expected = TABLE[rounding]
    assert len(expected) == 51
    for n in range(51):
        assert list(band_sizes(n, S271, rounding)) == expected[n], (rounding, n)


@pytest.mark.parametrize(("n", "expected"), [(7, (1, 5, 1)), (10, (2, 7, 1)), (19, (4, 13, 2)), (0, (0, 0, 0))])
def test_largest_remainder_examples(n: int, expected: tuple[int, ...]) -> None:
    assert band_sizes(n, S271) == expected


def test_equal_remainders_go_to_the_band_listed_first() -> None:
    assert band_sizes(1, ["0.5", "0.5"]) == (1, 0)
    # 5 x 20/70/10 = 1 / 3.5 / 0.5: B and C tie on .5, B is listed first
    assert band_sizes(5, S271) == (1, 4, 0)
    # listing C first flips it
    assert band_sizes(5, ["0.1", "0.7", "0.2"]) == (1, 3, 1)


def test_floor_gives_leftovers_to_the_largest_share_first_listed() -> None:
    assert band_sizes(4, ["0.4", "0.4", "0.2"], "floor") == (3, 1, 0)
    assert band_sizes(9, S271, "floor") == (1, 8, 0)


def test_nearest_takes_surplus_from_the_largest_share_then_the_next() -> None:
    # each 0.25 x 2 = 0.5 rounds up to 1: 4 seats for 2 people
    assert band_sizes(2, ["0.25"] * 4, "nearest") == (0, 0, 1, 1)
    # 5 x 20/70/10 = 1 / 3.5 / 0.5 -> 1 / 4 / 1 = 6, one too many, taken from B
    assert band_sizes(5, S271, "nearest") == (1, 3, 1)
    # 12 -> 2.4 / 8.4 / 1.2 -> 2 / 8 / 1 = 11, one short, given to B
    assert band_sizes(12, S271, "nearest") == (2, 9, 1)


def test_shares_are_relative_to_their_sum() -> None:
    assert band_sizes(10, [2, 7, 1]) == (2, 7, 1)


def test_zero_share_band_never_gets_a_seat() -> None:
    for n in range(30):
        assert band_sizes(n, ["0.5", "0", "0.5"])[1] == 0


@pytest.mark.parametrize(("args", "message"), [
    ((-1, S271), "negative"),
    ((5, S271, "banker"), "unknown band rounding"),
    ((5, []), "at least one band"),
    ((5, ["0", "0"]), "all be 0"),
    ((5, ["-0.1", "1.1"]), "negative"),
])
def test_bad_arguments(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        band_sizes(*args)


shares_st = st.lists(st.decimals(min_value=0, max_value=1, places=3), min_size=1, max_size=6).filter(
    lambda xs: sum(xs) > 0)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 500), shares=shares_st, rounding=st.sampled_from(ROUNDINGS))
def test_sizes_sum_to_n_and_are_never_negative(n: int, shares: list[Decimal], rounding: str) -> None:
    sizes = band_sizes(n, shares, rounding)
    assert len(sizes) == len(shares)
    assert sum(sizes) == n
    assert min(sizes) >= 0


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 500), shares=shares_st)
def test_largest_remainder_stays_within_one_of_the_exact_quota(n: int, shares: list[Decimal]) -> None:
    total = sum(Fraction(s) for s in shares)
    for size, share in zip(band_sizes(n, shares), shares):
        exact = Fraction(share) * n / total
        assert floor(exact) <= size <= ceil(exact)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 500), shares=shares_st)
def test_floor_floors_every_band_but_the_largest(n: int, shares: list[Decimal]) -> None:
    total = sum(Fraction(s) for s in shares)
    largest = max(range(len(shares)), key=lambda i: (shares[i], -i))
    for i, (size, share) in enumerate(zip(band_sizes(n, shares, "floor"), shares)):
        if i != largest:
            assert size == floor(Fraction(share) * n / total)


def test_forced_quotas_subtract_forced_people_from_their_band() -> None:
    assert forced_quotas((2, 7, 1), (0, 0, 1), S271) == (2, 7, 0)
    assert forced_quotas((2, 7, 1), (1, 0, 0), S271) == (1, 7, 1)


def test_forced_overflow_is_taken_from_the_largest_share_band() -> None:
    # 3 vetoed into C, which has 1 seat: the 2 extra come out of B
    assert forced_quotas((2, 7, 1), (0, 0, 3), S271) == (2, 5, 0)
    # B runs dry, then A (the next largest share) gives
    assert forced_quotas((1, 1, 1), (0, 0, 3), ["0.3", "0.4", "0.3"]) == (0, 0, 0)


def test_forced_quotas_rejects_more_forced_than_people() -> None:
    with pytest.raises(ValueError, match="more forced"):
        forced_quotas((1, 0), (0, 2), ["0.5", "0.5"])
