"""D11: a policy file is stat-ed before it is read, by every command that loads one.

A FIFO would block a reader forever, a link to ``/dev/zero`` would fill memory,
and a 1.5 GB file used to be read whole before ``close`` refused it. Each is
refused with the file's name and exit 2, before any read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from incentive.cli.main import cli
from incentive.errors import PolicyLoadError
from incentive.policy import files
from incentive.policy.files import MAX_POLICY_BYTES, read_policy_bytes

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    return path


def _zero_link(tmp_path: Path) -> Path:
    path = tmp_path / "zero.yaml"
    path.symlink_to("/dev/zero")
    return path


def _sparse(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: no disk space, no memory
    return path


@pytest.mark.parametrize("make", [_fifo, _zero_link], ids=["fifo", "dev-zero-link"])
def test_special_files_are_refused_without_opening(tmp_path: Path, make) -> None:
    path = make(tmp_path)
    with mock.patch("builtins.open", side_effect=AssertionError("opened")):
        with pytest.raises(PolicyLoadError, match="not a regular file") as info:
            read_policy_bytes(path)
    assert info.value.findings[0].file == str(path)


@pytest.mark.parametrize("size", [MAX_POLICY_BYTES + 1, 1_500_000_000])
def test_oversized_files_are_refused_before_reading(tmp_path: Path, size: int) -> None:
    path = _sparse(tmp_path, size)
    with mock.patch("builtins.open", side_effect=AssertionError("opened")):
        with pytest.raises(PolicyLoadError, match=f"{size:,} bytes.*at most {MAX_POLICY_BYTES:,}"):
            read_policy_bytes(path)


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"#" * MAX_POLICY_BYTES)
    assert len(read_policy_bytes(path)) == MAX_POLICY_BYTES


def test_a_file_that_grows_after_the_stat_is_still_bounded(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"#" * (MAX_POLICY_BYTES + 10))
    real_stat = os.stat

    def small_stat(p, *a, **k):
        info = real_stat(p, *a, **k)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    with mock.patch.object(files.os, "stat", small_stat):
        with pytest.raises(PolicyLoadError, match="over 1,048,576 bytes"):
            read_policy_bytes(path)


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError, match="no such file"):
        read_policy_bytes(tmp_path / "nope.yaml")
    with pytest.raises(PolicyLoadError, match="is a directory"):
        read_policy_bytes(tmp_path)


def _commands(bad: Path, tmp_path: Path) -> dict[str, list[str]]:
    out = str(tmp_path / "out")
    test_file = tmp_path / "bad.test.yaml"
    return {
        "validate": ["validate", str(bad)],
        "evaluate": ["evaluate", str(bad), str(DATA), "--period", "2026-Q1", "--out", out],
        "explain": ["explain", str(bad), str(DATA), "--period", "2026-Q1", "--employee", "E1"],
        "close": ["close", str(bad), str(DATA), "--period", "2026-Q1", "--out", out,
                  "--ledger", str(tmp_path / "l.sqlite")],
        "diff-old": ["diff", str(bad), str(POLICY), str(DATA), "--period", "2026-Q1"],
        "diff-new": ["diff", str(POLICY), str(bad), str(DATA), "--period", "2026-Q1"],
        "sweep": ["sweep", str(bad), str(DATA), "--period", "2026-Q1", "--set-range", "kpis.sales.weight=40,50"],
        "sample": ["sample", str(bad), "--rows", "2"],
        "test-file": ["test", str(bad)],
        "test-plan-policy": ["test", str(test_file)],
    }


@pytest.mark.parametrize("command", ["validate", "evaluate", "explain", "close", "diff-old", "diff-new",
                                     "sweep", "sample", "test-file", "test-plan-policy"])
def test_every_command_refuses_a_fifo_policy(tmp_path: Path, command: str) -> None:
    """Through the real CLI (in-process: a FIFO would hang a reader, so a hang fails the test by timeout)."""
    bad = _fifo(tmp_path)
    (tmp_path / "bad.test.yaml").write_text(
        f"policy: {bad}\ncases:\n  - name: a\n    period: 2026-Q1\n    input:\n      - {{employee_id: E1}}\n"
        "    expect:\n      E1: {score: 1}\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, _commands(bad, tmp_path)[command])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "not a regular file" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no out/
