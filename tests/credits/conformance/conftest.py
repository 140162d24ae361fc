"""One local Spark session for the whole conformance suite; skipped, not failed, where Spark cannot run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark_session():
    pytest.importorskip("pyspark", reason="the conformance suite needs pyspark: pip install 'incentive[spark]'")
    from incentive.credits import spark

    missing = spark.available()
    if missing:
        pytest.skip(missing)
    return spark.local_session()  # started once; every engine below is a newSession() of it
