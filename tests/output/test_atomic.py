"""atomic_directory / atomic_file: all or nothing, owner-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from incentive.errors import UsageError
from incentive.output import atomic
from incentive.output.atomic import atomic_directory, atomic_file, atomic_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def siblings(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_directory_appears_complete_and_owner_only(tmp_path):
    target = tmp_path / "out" / "sales-rep" / "2026-Q3"
    with atomic_directory(target) as d:
        assert d.parent == target.parent and d.name.startswith(".")
        assert not target.exists()
        (d / "results.csv").write_text("a\n")
        os.chmod(d / "results.csv", 0o644)  # whatever the writer did, the result is owner-only
        (d / "trace").mkdir(mode=0o755)
        (d / "trace" / "E1.json").write_text("{}")
    assert sorted(p.name for p in target.iterdir()) == ["results.csv", "trace"]
    assert mode(target) == 0o700
    assert mode(target / "trace") == 0o700
    assert mode(target / "results.csv") == 0o600
    assert mode(target / "trace" / "E1.json") == 0o600
    assert mode(tmp_path / "out" / "sales-rep") == 0o700 & ~_umask()
    assert siblings(target.parent) == ["2026-Q3"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_exception_mid_write_leaves_nothing(tmp_path):
    target = tmp_path / "2026-Q3"
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as d:
            (d / "results.csv").write_text("half")
            raise RuntimeError("disk full")
    assert not target.exists()
    assert siblings(tmp_path) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-aside"])
def test_replaces_existing_target_whole(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    target = tmp_path / "2026-Q3"
    with atomic_directory(target) as d:
        (d / "old-only.csv").write_text("old")
        (d / "results.csv").write_text("old")
    with atomic_directory(target) as d:
        (d / "results.csv").write_text("new")
    assert siblings(target) == ["results.csv"]
    assert (target / "results.csv").read_text() == "new"
    assert siblings(tmp_path) == ["2026-Q3"]


def test_failed_replace_keeps_old_target(tmp_path):
    target = tmp_path / "2026-Q3"
    with atomic_directory(target) as d:
        (d / "results.csv").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(target) as d:
            (d / "results.csv").write_text("new")
            raise KeyboardInterrupt
    assert (target / "results.csv").read_text() == "old"
    assert siblings(tmp_path) == ["2026-Q3"]


def test_failure_while_installing_keeps_old_target(tmp_path, monkeypatch):
    target = tmp_path / "2026-Q3"
    with atomic_directory(target) as d:
        (d / "results.csv").write_text("old")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def failing_rename(src, dst):
        if Path(src).name.endswith(".tmp"):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", failing_rename)
    with pytest.raises(OSError):
        with atomic_directory(target) as d:
            (d / "results.csv").write_text("new")
    assert (target / "results.csv").read_text() == "old"
    assert siblings(tmp_path) == ["2026-Q3"]


def test_target_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "2026-Q3"
    target.write_text("not a directory")
    with pytest.raises(UsageError, match="not a directory"):
        with atomic_directory(target):
            pass
    assert target.read_text() == "not a directory"
    assert siblings(tmp_path) == ["2026-Q3"]


def test_atomic_file_replaces_or_keeps(tmp_path):
    path = tmp_path / "payouts.csv"
    with atomic_file(path, "w", encoding="utf-8") as fh:
        fh.write("v1")
    assert path.read_text() == "v1" and mode(path) == 0o600
    with pytest.raises(ValueError):
        with atomic_file(path, "w") as fh:
            fh.write("v2 partial")
            raise ValueError("boom")
    assert path.read_text() == "v1"
    assert siblings(tmp_path) == ["payouts.csv"]
    with pytest.raises(ValueError, match="only writes"):
        with atomic_file(path, "r"):
            pass


def test_atomic_path_keeps_owner_only_mode_for_writers_that_truncate(tmp_path):
    path = tmp_path / "a.bin"
    with atomic_path(path) as tmp:
        assert mode(tmp) == 0o600
        with open(tmp, "wb") as fh:
            fh.write(b"x")
    assert path.read_bytes() == b"x" and mode(path) == 0o600


# --------------------------------------------------------------------------- writes fail cleanly (issue 12, D12)

import errno  # noqa: E402

import polars as pl  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from incentive.output.atomic import ensure_dir, remove_created, staged_files  # noqa: E402
from incentive.output.write_errors import OutputError, os_error_of  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(code=st.sampled_from(sorted(errno.errorcode)), form=st.sampled_from(["oserror", "rust", "compute", "wrapped"]))
def test_every_form_a_writer_reports_an_errno_in_is_recognised(code, form):
    text = f"{os.strerror(code)} (os error {code})"
    exc = {"oserror": OSError(code, os.strerror(code)),
           "rust": OSError(text),
           "compute": pl.exceptions.ComputeError(f"parquet: File out of specification: underlying IO error: {text}"),
           "wrapped": RuntimeError(OSError(code, os.strerror(code)))}[form]
    found = os_error_of(exc)
    assert found is not None and found.errno == code
    message = str(OutputError("out/results.csv", found))
    assert message.startswith(f"out/results.csv: cannot write the output: {os.strerror(code)}")


def test_an_error_that_is_not_the_file_system_is_not_mistaken_for_one():
    assert os_error_of(ValueError("column score not found")) is None
    assert os_error_of(pl.exceptions.ComputeError("division by zero")) is None


def test_ensure_dir_reports_what_it_created_and_remove_created_takes_only_those(tmp_path):
    (tmp_path / "a").mkdir()
    created = ensure_dir(tmp_path / "a" / "b" / "c")
    assert created == [tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"]
    (tmp_path / "a" / "b" / "sibling").mkdir()  # a concurrent writer's directory
    remove_created(created)
    assert (tmp_path / "a" / "b" / "sibling").is_dir() and not (tmp_path / "a" / "b" / "c").exists()
    remove_created([tmp_path / "a" / "b" / "sibling"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_a_failed_atomic_directory_removes_the_parents_it_created_and_names_the_target(tmp_path):
    target = tmp_path / "out" / "policy" / "2026-01"
    with pytest.raises(OutputError) as info:
        with atomic_directory(target) as d:
            (d / "results.csv").write_text("a\n")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(d / "results.csv"))
    assert str(info.value) == (f"{target}: cannot write the output: No space left on device "
                               f"({target / 'results.csv'}); no partial output was left")
    assert list(tmp_path.iterdir()) == []


def test_staged_files_names_the_users_file_and_leaves_the_directory_as_it_was(tmp_path):
    target = tmp_path / "ev"
    target.mkdir()
    (target / "keep.csv").write_text("old\n")
    with pytest.raises(OutputError) as info:
        with staged_files(target) as staging:
            with atomic_path(staging / "results.csv"):
                raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
    assert str(info.value).startswith(f"{target / 'results.csv'}: cannot write the output: Disk quota exceeded")
    assert siblings(target) == ["keep.csv"]
    with staged_files(tmp_path / "new" / "ev") as staging:
        (staging / "results.csv").write_text("a\n")
    assert siblings(tmp_path / "new" / "ev") == ["results.csv"]


def test_a_policy_directory_removed_by_a_failing_concurrent_close_is_made_again(tmp_path, monkeypatch):
    """Another close created OUT/<policy>/, failed, and removed it just before our staging directory."""
    target = tmp_path / "out" / "policy" / "2026-02"
    real = atomic._fresh
    calls = []

    def fresh(parent, *args, **kwargs):
        calls.append(parent)
        if len(calls) == 1:
            os.rmdir(parent)  # the other close's cleanup wins the race
            raise FileNotFoundError(2, "No such file or directory", str(parent))
        return real(parent, *args, **kwargs)

    monkeypatch.setattr(atomic, "_fresh", fresh)
    with atomic_directory(target) as d:
        (d / "results.csv").write_text("a\n")
    assert len(calls) == 2 and siblings(target) == ["results.csv"]


def test_a_signal_right_after_the_staging_directory_is_made_leaves_nothing(tmp_path, monkeypatch):
    """The staging directory is known before it exists: an interrupt between
    its mkdir and the next line still gets it removed (D13)."""
    target = tmp_path / "out" / "policy" / "2026-02"
    real_mkdir = os.mkdir

    def mkdir_then_interrupt(path, *args, **kwargs):
        real_mkdir(path, *args, **kwargs)
        if Path(path).name.endswith(".tmp"):
            raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "mkdir", mkdir_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(target):
            pass
    assert not (tmp_path / "out").exists()
