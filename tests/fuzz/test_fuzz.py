"""Fuzzing validate / evaluate / close with hypothesis (modest counts for CI).

``INCENTIVE_FUZZ_SCALE`` multiplies every example count (the committed
defaults keep each test under ``max_examples`` 200); the long local campaign
is ``scripts/fuzz_campaign.py``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import properties
from tests.fuzz.strategies import data_for, hostile_csv_bytes, mutated_policy_bytes, policies

SCALE = float(os.environ.get("INCENTIVE_FUZZ_SCALE", "1"))


def examples(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@examples(200)
@given(mutated_policy_bytes())
def test_validate_survives_damaged_policies(raw: bytes):
    properties.validate_policy(raw)


@examples(100)
@given(policies())
def test_validate_accepts_or_explains_generated_policies(spec):
    assert properties.validate_policy(spec.text.encode("utf-8")) in (0, 1)


@examples(100)
@given(st.data())
def test_evaluate_generated_policies_and_data(data):
    spec = data.draw(policies())
    rows = data.draw(data_for(spec))
    properties.evaluate_policy(spec, rows, data.draw(st.sampled_from(["csv", "xlsx", "json", "parquet"])))


@examples(40)
@given(st.data())
def test_close_generated_policies_and_data(data):
    spec = data.draw(policies())
    rows = data.draw(data_for(spec, max_rows=15))
    properties.close_policy(spec, rows, xlsx=data.draw(st.booleans()))


@examples(150)
@given(hostile_csv_bytes(), st.sampled_from(["csv", "xlsx"]))
def test_hostile_data_against_the_hostile_policy(raw: bytes, fmt: str):
    properties.evaluate_hostile_data(raw, fmt)
