"""Opening a ledger after a killed writer, and creating one through a symlink
(issue 12, D13 and D15)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from incentive.ledger import Ledger, LedgerError

KILLED_WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("CREATE TABLE junk (x)")
    con.execute("INSERT INTO junk VALUES (zeroblob(20000000))")  # spills pages to the file: a hot journal
    print("ready", flush=True)
    time.sleep(60)
""")


def hot_journal(path: Path) -> None:
    """A ledger whose writer was SIGKILLed mid-transaction: its rollback journal is hot."""
    Ledger(path).close()
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    child.kill()
    child.wait()
    assert Path(f"{path}-journal").stat().st_size > 0


def test_read_only_open_rolls_back_a_hot_journal(tmp_path):
    path = tmp_path / "ledger.sqlite"
    hot_journal(path)
    with Ledger(path, readonly=True) as ledger:  # was "attempt to write a readonly database"
        assert ledger.entries() == []
        assert ledger.verify_chain() == []
    assert not Path(f"{path}-journal").exists() or Path(f"{path}-journal").stat().st_size == 0


def test_read_only_open_without_write_access_says_what_to_run(tmp_path, monkeypatch):
    path = tmp_path / "ledger.sqlite"
    hot_journal(path)
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # as a reader without write permission
    with pytest.raises(LedgerError) as err:
        Ledger(path, readonly=True)
    message = str(err.value)
    assert f"{path}-journal" in message and f"incentive verify --ledger {path}" in message
    assert "write access" in message


def test_created_through_a_symlink_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        real = tmp_path / "real" / "ledger.sqlite"
        real.parent.mkdir()
        link = tmp_path / "link.sqlite"
        link.symlink_to(real)
        ledger = Ledger(link)
        assert ledger.created
        ledger.close()
    finally:
        os.umask(old)
    assert real.is_file() and (real.stat().st_mode & 0o777) == 0o600
    assert not Ledger(link).created  # opening again creates nothing
