"""Which ledger and output root a command uses (issue 12, A1): option >
environment > incentive.toml (nearest folder up) > default, and a settings
file that is not what it should be is a precise error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from incentive.errors import UsageError
from incentive.settings import MAX_SETTINGS_BYTES, read_settings, resolve_ledger, resolve_out


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("INCENTIVE_LEDGER", raising=False)
    monkeypatch.delenv("INCENTIVE_OUT", raising=False)
    (tmp_path / "incentive.toml").write_text('ledger = "books/ledger.sqlite"\nout = "closes"\n', encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    return tmp_path


def test_precedence_option_env_toml_default(project, monkeypatch):
    got = resolve_ledger(None)
    assert got.path == project / "books" / "ledger.sqlite"  # relative to the toml's folder, found from below
    assert got.source == str(project / "incentive.toml")
    assert resolve_out(None).path == project / "closes"
    monkeypatch.setenv("INCENTIVE_LEDGER", "env.sqlite")
    monkeypatch.setenv("INCENTIVE_OUT", "envout")
    assert resolve_ledger(None).path == Path("env.sqlite") and resolve_ledger(None).source == "$INCENTIVE_LEDGER"
    assert resolve_out(None).path == Path("envout")
    assert resolve_ledger("opt.sqlite").path == Path("opt.sqlite") and resolve_ledger("opt.sqlite").source == "--ledger"
    (project / "incentive.toml").unlink()
    monkeypatch.delenv("INCENTIVE_LEDGER")
    assert resolve_ledger(None).path == Path("incentive-ledger.sqlite") and resolve_ledger(None).source == "default"


@pytest.mark.parametrize("text, expected", [
    ('ledger = "a.sqlite"\nledger = "b"\n', "line 2"),
    ('ledger = \n', "line 1"),
    ('ledgr = "x"\n', "unknown key 'ledgr'"),
    ('out = 3\n', "line 1: out must be a non-empty path string"),
    ('ledger = ""\n', "ledger must be a non-empty path string"),
    ('[ledger]\npath = "x"\n', "ledger must be a non-empty path string"),
])
def test_bad_settings_file_names_the_line(tmp_path, text, expected):
    path = tmp_path / "incentive.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as err:
        read_settings(path)
    assert str(path) in str(err.value) and expected in str(err.value), str(err.value)


def test_oversized_or_binary_settings_file(tmp_path):
    path = tmp_path / "incentive.toml"
    path.write_bytes(b"#" * (MAX_SETTINGS_BYTES + 1))
    with pytest.raises(UsageError, match="at most 65536 bytes"):
        read_settings(path)
    path.write_bytes(b'ledger = "\xff"\n')
    with pytest.raises(UsageError, match="not UTF-8"):
        read_settings(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_any_settings_text_is_read_or_refused_with_a_message(tmp_path, text):
    path = tmp_path / "incentive.toml"
    path.write_text(text, encoding="utf-8")  # hypothesis text has no lone surrogates
    try:
        got = read_settings(path)
    except UsageError as exc:
        assert str(path) in str(exc)
    else:
        assert set(got) <= {"ledger", "out"} and all(p.is_absolute() for p in got.values())
