"""A close directory's JSON files and the ledger's JSON text cells, edited by
anyone: bounded, shape-checked, a precise message -- never a traceback
(issue 12, D11)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from incentive.app.close_dir import MAX_JSON_BYTES, CloseDirError, read_columns, read_manifest
from incentive.ledger import Ledger, LedgerError
from tests.hostile.generators import FIXTURES, many_rows

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
# near-miss shapes: the right keys with wrong values
manifest_like = st.fixed_dictionaries({"files": json_values | st.dictionaries(st.text(max_size=5), json_values),
                                       "policy": json_values | st.fixed_dictionaries({"id": json_values}),
                                       "period": json_values})
columns_like = st.fixed_dictionaries({"period": json_values, "columns": st.dictionaries(
    st.text(max_size=5), json_values | st.fixed_dictionaries({"kind": json_values, "money": json_values}))})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values | manifest_like | columns_like)
def test_any_json_is_read_or_refused_naming_the_file(tmp_path, value):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    for reader in (read_manifest, read_columns):
        try:
            reader(path)
        except CloseDirError as exc:
            assert str(path) in str(exc) and "expected" in str(exc)


@pytest.mark.parametrize("content, expected", [
    (b"[1, 2]", "the top level: expected an object, got list"),
    (b"\x00\xffgarbage", "not UTF-8"),
    (b"{\"files\": ", "not valid JSON (line 1"),
    (b"[" * 100_000, "nested too deep"),
    (b'{"files": {"a": {"sha256": "ab", "size": 1}}, "policy": {"id": "p"}, "period": "q"}', "64 lowercase hex"),
    (b'{"files": {}, "policy": [], "period": "q"}', "\"policy\": expected an object"),
])
def test_named_bad_manifests(tmp_path, content, expected):
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    with pytest.raises(CloseDirError) as err:
        read_manifest(path)
    assert expected in str(err.value), str(err.value)


def test_special_and_oversized_files_are_refused_before_reading(tmp_path):
    link = tmp_path / "manifest.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(CloseDirError, match="not a regular file"):
        read_manifest(link)
    link.unlink()
    os.mkfifo(link)
    with pytest.raises(CloseDirError, match="not a regular file"):
        read_manifest(link)  # a FIFO would block a reader forever
    link.unlink()
    with open(link, "wb") as fh:
        fh.truncate(MAX_JSON_BYTES + 1)  # sparse: no disk used
    with pytest.raises(CloseDirError, match="at most"):
        read_columns(link)


@pytest.fixture(scope="module")
def closed(tmp_path_factory) -> Path:
    from incentive.app.close import CloseOptions, close_period
    from incentive.app.run import RunOptions

    tmp = tmp_path_factory.mktemp("closed")
    (tmp / "data.csv").write_bytes(many_rows(50))
    close_period(str(FIXTURES / "hostile.yaml"), str(tmp / "data.csv"), RunOptions(period="2026-01"),
                 CloseOptions(out=str(tmp / "out"), ledger=str(tmp / "ledger.sqlite"), by="t"))
    return tmp


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_verify_and_explain_name_a_manifest_that_is_a_list(closed, tmp_path):
    import shutil

    tmp = tmp_path / "c"
    shutil.copytree(closed, tmp)
    directory = tmp / "out" / "hostile" / "2026-01"
    (directory / "manifest.json").write_text("[]", encoding="utf-8")
    verify = cli("verify", str(directory), "--ledger", str(tmp / "ledger.sqlite"), cwd=tmp)
    explain = cli("explain", "--close", str(directory), "--employee", "E1", cwd=tmp)
    for done in (verify, explain):
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"{directory / 'manifest.json'}: the top level: expected an object, got list" in done.stderr


@pytest.mark.parametrize("column, value, expected", [
    ("totals", "[1, 2]", "column totals: expected an object, got list"),
    ("outputs", '{"results.csv": 5}', "column outputs: expected an object of file name -> sha256"),
    ("history", '{"1": "x"}', "column history: expected a list"),
    ("history", "[" * 50_000 + "]" * 50_000, "entry 1 cannot be read"),
])
def test_tampered_ledger_text_cells_are_a_message(closed, tmp_path, column, value, expected):
    import shutil

    path = tmp_path / "ledger.sqlite"
    shutil.copy(closed / "ledger.sqlite", path)
    con = sqlite3.connect(path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute(f"UPDATE entries SET {column} = ? WHERE seq = 1", (value,))
    con.commit()
    con.close()
    with Ledger(path, readonly=True) as ledger:
        with pytest.raises(LedgerError) as err:
            ledger.entries()
        assert expected in str(err.value), str(err.value)
        assert ledger.verify_chain()  # and the chain check names the edit
