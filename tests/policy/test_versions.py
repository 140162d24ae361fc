"""Versions of one id: the version checks one by one, and resolve(period) -> versions and days."""

from __future__ import annotations

import re
import textwrap
from datetime import date, timedelta
from fractions import Fraction

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from incentive.errors import Pos, UsageError
from incentive.policy.model import Effective, Money, Policy
from incentive.policy.version_checks import CHECKS, check_versions
from incentive.policy.versions import primary, resolve

Q1 = ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))


def v(version: str, start: date | None, end: date | None, *, split: str = "days", period: str = "quarter",
      currency: str = "CNY", file: str | None = None, effective: bool = True) -> Policy:
    return Policy(id="sales", version=version, title="Sales", period=period, currency=currency,  # type: ignore[arg-type]
                  money=Money(), inputs=(), file=file or f"v{version}.yaml", pos=Pos(1, 1), version_pos=Pos(2, 1),
                  effective=Effective(start, end, Pos(5, 1), split) if effective else None)  # type: ignore[arg-type]


def codes(*versions: Policy) -> list[str]:
    return [f.code for f in check_versions(versions)]


def test_two_versions_handing_over_mid_quarter_are_clean():
    assert codes(v("1", date(2026, 1, 1), date(2026, 2, 14)), v("2", date(2026, 2, 15), date(2026, 12, 31))) == []


def test_overlap_names_both_files_versions_and_the_shared_days():
    [f] = check_versions([v("1", date(2026, 1, 1), date(2026, 2, 14)), v("2", date(2026, 2, 1), None)])
    assert (f.file, f.line, f.col, f.code) == ("v2.yaml", 5, 1, "version-overlap")
    assert "v1.yaml" in f.message and "version 1" in f.message and "version 2" in f.message
    assert "on 2026-02-01 to 2026-02-14" in f.message


def test_overlap_of_versions_that_are_not_neighbours():
    found = check_versions([v("1", date(2026, 1, 1), date(2026, 12, 31)), v("2", date(2026, 4, 1), date(2026, 6, 30)),
                            v("3", date(2026, 7, 1), date(2026, 12, 31))])
    assert sorted((f.file, f.code) for f in found) == [("v2.yaml", "version-overlap"), ("v3.yaml", "version-overlap")]


def test_gap_names_the_missing_days():
    [f] = check_versions([v("1", date(2026, 1, 1), date(2026, 2, 14)), v("2", date(2026, 3, 1), None)])
    assert f.code == "version-gap" and "covers 2026-02-15 to 2026-02-28" in f.message


@pytest.mark.parametrize("start, end, missing", [
    (date(2026, 5, 1), None, "2026-04-01 to 2026-04-30 of 2026-Q2"),
    (date(2026, 1, 1), date(2026, 8, 31), "2026-09-01 to 2026-09-30 of 2026-Q3"),
])
def test_a_lone_version_must_fit_its_period(start, end, missing):
    [f] = check_versions([v("1", start, end)])
    assert f.code == "effective-period" and missing in f.message  # a set of one: the per-file code


def test_a_lone_version_on_period_edges_or_open_is_clean():
    assert codes(v("1", date(2026, 4, 1), date(2026, 12, 31))) == []
    assert codes(v("1", None, None)) == codes(v("1", None, None, effective=False)) == []


def test_duplicate_version_string():
    [f] = check_versions([v("1", date(2026, 1, 1), date(2026, 3, 31), file="a.yaml"),
                          v("1", date(2026, 4, 1), None, file="b.yaml")])
    assert (f.file, f.line, f.code) == ("b.yaml", 2, "version-duplicate") and "a.yaml" in f.message


def test_open_sides_only_at_the_ends_and_then_nothing_else_is_checked():
    found = check_versions([v("1", date(2026, 1, 1), None), v("2", date(2026, 7, 1), date(2026, 12, 31)),
                            v("3", None, None, effective=False)])
    assert {f.code for f in found} == {"version-dates"}  # v1 overlaps v2 too: reported once the dates are there
    assert {f.file for f in found} == {"v1.yaml", "v3.yaml"}


def test_split_error_refuses_a_mid_period_hand_over_but_not_one_on_an_edge():
    assert codes(v("1", date(2026, 1, 1), date(2026, 2, 14)), v("2", date(2026, 2, 15), None, split="error")) == [
        "version-split"]
    assert codes(v("1", date(2026, 1, 1), date(2026, 3, 31), split="error"), v("2", date(2026, 4, 1), None)) == []


def test_mismatched_period_or_currency():
    assert codes(v("1", date(2026, 1, 1), date(2026, 3, 31)), v("2", date(2026, 4, 1), None, currency="USD")) == [
        "version-mismatch"]


# ---------------------------------------------------------------- the docstring examples, run

_BLOCK = re.compile(r"^(Passes|Fails)[^\n]*::\n\n((?:    [^\n]*\n|\n)+)", re.M)


def _from_example(body: str) -> list[Policy]:
    out = []
    for i, doc in enumerate(yaml.safe_load_all(textwrap.dedent(body))):
        eff = doc.get("effective") or {}
        out.append(v(str(doc["version"]), eff.get("start"), eff.get("end"), split=eff.get("split", "days"),
                     period=doc.get("period", "quarter"), currency=doc.get("currency", "CNY"), file=f"f{i}.yaml",
                     effective="effective" in doc))
    return out


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_each_version_check_example_does_what_it_says(check):
    blocks = dict(_BLOCK.findall(check.doc + "\n"))
    assert set(blocks) == {"Passes", "Fails"}, check.module
    assert [f for f in check.run(_from_example(blocks["Passes"]))] == []
    assert {f.code for f in check.run(_from_example(blocks["Fails"]))} == {check.code}


# ---------------------------------------------------------------- resolve(period)

V1, V2 = v("1", date(2025, 10, 1), date(2026, 2, 14)), v("2", date(2026, 2, 15), None)


def test_a_period_wholly_inside_one_version():
    [s] = resolve([V1, V2], "2025-Q4", date(2025, 10, 1), date(2025, 12, 31))
    assert s.policy is V1 and s.days == s.total_days == 92 and s.weight == 1


def test_a_mid_quarter_change_splits_the_quarter_by_days():
    a, b = resolve([V2, V1], *Q1)  # given in any order, answered in date order
    assert (a.policy, a.start, a.end, a.days) == (V1, date(2026, 1, 1), date(2026, 2, 14), 45)
    assert (b.policy, b.start, b.end, b.days) == (V2, date(2026, 2, 15), date(2026, 3, 31), 45)
    assert a.weight == b.weight == Fraction(1, 2)
    assert primary([a, b]) is b  # a tie goes to the later version


def test_primary_is_the_version_with_most_days():
    a, b = resolve([v("1", None, date(2026, 3, 9)), v("2", date(2026, 3, 10), None)], *Q1)
    assert (a.days, b.days) == (68, 22) and primary([a, b]) is a


def test_a_period_no_version_covers_names_the_period_and_the_ranges():
    with pytest.raises(UsageError) as err:
        resolve([V1, V2], "2025-Q3", date(2025, 7, 1), date(2025, 9, 30))
    text = str(err.value)
    assert "2025-Q3" in text and "2025-10-01 to 2026-02-14" in text and "2026-02-15 to open end" in text
    assert "no version covers 2025-07-01 to 2025-09-30" in text


def test_split_error_makes_a_split_period_a_user_error():
    with pytest.raises(UsageError) as err:
        resolve([V1, v("2", date(2026, 2, 15), None, split="error")], *Q1)
    text = str(err.value)
    assert "2026-Q1" in text and "version 1" in text and "version 2" in text
    assert "2026-01-01 to 2026-02-14" in text and "2026-02-15 to 2026-03-31" in text and "split: error" in text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 200), min_size=1, max_size=5), st.integers(0, 400), st.integers(1, 366))
def test_weights_are_in_0_1_and_sum_to_1(lengths, offset, span):
    start = date(2026, 1, 1)
    versions, cursor = [], start
    for i, n in enumerate(lengths):
        end = cursor + timedelta(days=n - 1)
        versions.append(v(str(i), None if i == 0 else cursor, None if i == len(lengths) - 1 else end))
        cursor = end + timedelta(days=1)
    p_start = start + timedelta(days=offset)
    shares = resolve(versions, "P", p_start, p_start + timedelta(days=span - 1))
    assert all(0 < s.weight <= 1 for s in shares) and sum(s.weight for s in shares) == 1
    assert sum(s.days for s in shares) == span
