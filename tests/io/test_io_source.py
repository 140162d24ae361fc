"""D11 (data side): only regular files of bounded size are read; JSON nesting and --encoding are checked first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from io_support import one, write_csv
from incentive.errors import DataInvalid, UsageError
from incentive.io import read_period_data
from incentive.io.source import MAX_DATA_BYTES, MAX_JSON_DEPTH, check_text_encoding, json_depth, read_data_bytes

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "hostile" / "fixtures" / "hostile.yaml"
POLICY = one("money")


def test_a_link_to_dev_zero_is_refused_before_reading(tmp_path):
    link = tmp_path / "data.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(UsageError, match=r"is a character device \(a link to /dev/zero\), not a regular file"):
        read_period_data(link, POLICY)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match=r"is a FIFO \(named pipe\), not a regular file"):
        read_period_data(fifo, POLICY)


def test_an_oversized_file_is_refused_from_its_size_alone(tmp_path):
    big = tmp_path / "data.csv"
    with open(big, "wb") as fh:
        fh.truncate(MAX_DATA_BYTES + 1)  # sparse: nothing is written, and nothing may be read
    with pytest.raises(UsageError, match=f"is {MAX_DATA_BYTES + 1:,} bytes, more than the {MAX_DATA_BYTES:,} bytes"):
        read_period_data(big, POLICY)
    small = write_csv(tmp_path / "s.csv", ["employee_id", "x"], [["E1", "1"]])
    assert read_data_bytes(small, limit=100) == small.read_bytes()
    with pytest.raises(UsageError, match="more than the 10 bytes"):
        read_data_bytes(small, limit=10)


@pytest.mark.parametrize("name", ["rot13", "rot_13", "hex", "base64", "zlib", "bz2", "uu", "quopri"])
def test_only_text_encodings_are_accepted(tmp_path, name):
    path = write_csv(tmp_path / "d.csv", ["employee_id", "x"], [["E1", "1"]])
    with pytest.raises(UsageError, match="is not a text encoding"):
        read_period_data(path, POLICY, encoding=name)


def test_text_encodings_pass_and_unknown_ones_are_named():
    assert check_text_encoding("GBK") == "gbk"
    assert check_text_encoding("utf-16-le") == "utf-16-le"
    with pytest.raises(UsageError, match="unknown encoding 'klingon'"):
        check_text_encoding("klingon")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
                     lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"x'), kids, max_size=3),
                     max_leaves=20)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_the_depth_scan_agrees_with_the_parsed_structure(value):
    """Brackets inside strings (escaped quotes too) are not counted; the scan never recurses."""
    assert json_depth(json.dumps(value)) == _depth(value)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH - 1, 300, 5000])
def test_a_cell_nested_deep_is_a_message_never_a_recursion_error(tmp_path, depth):
    cell = "[" * depth + "1" + "]" * depth
    path = tmp_path / "d.json"
    path.write_text(f'[{{"employee_id": "E1", "x": {cell}}}]')
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, POLICY)
    message = str(info.value)
    if depth + 2 > MAX_JSON_DEPTH:
        assert f"nested too deeply ({depth + 2} levels, at most {MAX_JSON_DEPTH}" in message
    else:
        assert "a single value, not a list or an object" in message


def test_cli_refuses_a_link_to_dev_zero_with_exit_2_and_writes_nothing(tmp_path):
    (tmp_path / "data.csv").symlink_to("/dev/zero")
    out = subprocess.run([sys.executable, "-m", "incentive", "evaluate", str(HOSTILE), "data.csv", "--period", "2026-01",
                          "--out", "out"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "data file data.csv is a character device (a link to /dev/zero), not a regular file" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()
