"""``python -m incentive`` leaves with ``os._exit`` after flushing: nothing
written to a pipe may be lost, and every exit status must come through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_piped_output_is_complete():
    done = run("schema")
    assert done.returncode == 0
    assert json.loads(done.stdout)["$schema"].startswith("https://json-schema.org/")


def test_exit_statuses_come_through():
    assert run("validate", "rules/").returncode == 0
    missing = run("validate", "no-such-policy.yaml")
    assert missing.returncode == 2 and "file-unreadable" in missing.stdout
    bad_option = run("--no-such-option")
    assert bad_option.returncode == 2 and "No such option" in bad_option.stderr
    assert run("--version").stdout.startswith("incentive, version ")
