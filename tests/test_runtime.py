"""Process settings are the entry point's: the library leaves the environment as it found it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from incentive import runtime
from incentive.app.close import CloseOptions, close_period
from incentive.app.run import RunOptions

ROOT = Path(__file__).resolve().parents[1]


def test_a_close_from_python_leaves_the_environment_as_it_was(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    before = dict(os.environ)
    data = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"
    outcome = close_period(str(ROOT / "rules" / "sales-rep.yaml"), str(data), RunOptions(period="2026-Q1"),
                           CloseOptions(out=str(tmp_path / "out"), ledger=str(tmp_path / "l.sqlite"), by="t"))
    assert (outcome.directory / "report.html").is_file()  # the report (numpy under matplotlib) was drawn
    assert dict(os.environ) == before


def test_the_command_sets_its_process_settings_and_keeps_what_the_user_set(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    runtime.configure()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    runtime.configure()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


def test_the_entry_point_configures_before_the_command_runs(tmp_path):
    """``incentive`` itself runs ``runtime.configure`` (the variable is set before numpy can be imported)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import os, sys; import incentive.cli.main as m; sys.argv = ['incentive', '--version']; real = os._exit; "
            "m.os._exit = lambda c: (print(os.environ.get('OPENBLAS_NUM_THREADS'), flush=True), real(c)); m.main()")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1"
