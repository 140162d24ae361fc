"""``incentive credit --engine``: DuckDB by default; Spark without pyspark or Java is a clean user error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "cases" / "credits" / "basic"
SOURCES = [str(CASE / n) for n in ("orders.csv", "refunds.csv", "splits.csv", "assignments.csv", "people.csv")]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, env=env)


def credit(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return cli("credit", str(CASE / "policy.yaml"), *SOURCES, "--period", "2026-Q1", "--out", str(tmp_path / "o"),
               *extra, cwd=tmp_path, env=env)


def no_pyspark(tmp_path: Path) -> dict[str, str]:
    """An environment where ``import pyspark`` fails, as on a machine without the extra."""
    fake = tmp_path / "fake" / "pyspark"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named pyspark')\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "fake"), str(ROOT)])}


def test_duckdb_is_the_default_and_can_be_named(tmp_path):
    named = credit(tmp_path, "--engine", "duckdb")
    assert named.returncode == 0, named.stderr
    expected = (CASE / "expected" / "2026-Q1" / "credits.csv").read_text(encoding="utf-8")
    assert (tmp_path / "o" / "credits.csv").read_text(encoding="utf-8") == expected


def test_spark_without_pyspark_says_what_to_install_and_writes_nothing(tmp_path):
    done = credit(tmp_path, "--engine", "spark", env=no_pyspark(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "pip install 'incentive[spark]'" in done.stderr and "Java" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_spark_without_java_says_what_to_install(tmp_path):
    import pytest

    pytest.importorskip("pyspark")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    done = credit(tmp_path, "--engine", "spark", env={**env, "PATH": str(empty), "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert "needs Java" in done.stderr and "openjdk-17-jre-headless" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_a_spark_url_needs_the_spark_engine_and_the_connect_scheme(tmp_path):
    done = credit(tmp_path, "--spark-url", "sc://localhost:15002")
    assert done.returncode == 2 and "needs --engine spark" in done.stderr, done.stderr
    done = credit(tmp_path, "--engine", "spark", "--spark-url", "http://localhost:15002")
    assert done.returncode == 2, done.stderr
    assert "expected a Spark Connect URL such as sc://host:15002" in done.stderr
    assert not (tmp_path / "o").exists()


def test_an_unknown_engine_is_refused(tmp_path):
    done = credit(tmp_path, "--engine", "polars")
    assert done.returncode == 2 and "duckdb" in done.stderr and "spark" in done.stderr
