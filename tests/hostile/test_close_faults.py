"""Fault injection for ``close``: fail it at every stage, in process.

Each fault point raises where a real failure would (a crash in evaluation,
disk full while one output file is half written, an I/O error inside the
ledger transaction, a failure after the ledger committed but before the
output directory was renamed into place). Afterwards:

* no partial output: nothing at all under ``out/`` -- not even a hidden
  temporary file (in process the temporary directory is always removed; only
  a *killed* process can leave one, see ``test_close_kill``);
* the ledger is consistent: ``verify_chain() == []`` and it holds no entry
  (except for the fault after the commit, where the entry is the truth);
* the error is an ``IncentiveError`` (a message and exit 2, not a traceback)
  wherever the cause is the environment (disk, file system, database);
* a retry succeeds and gives byte-for-byte the outputs of a clean close.
"""

from __future__ import annotations

import errno
import pathlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from incentive.app import close as closing, outputs
from incentive.app.close import CloseOptions, close_period
from incentive.app.run import RunOptions
from incentive.errors import EvaluationError, IncentiveError
from incentive.ledger import Ledger
from incentive.ledger import staging as ledger_staging
from incentive.output import atomic
from incentive.output.manifest import check_manifest
from tests.hostile.generators import FIXTURES

POLICY = FIXTURES / "hostile.yaml"
DATA = FIXTURES / "clean.csv"
PERIOD = "2026-01"
TARGET = Path("hostile") / PERIOD


class Injected(Exception):
    """A failure that is a bug, not the environment: it may propagate as it is."""


def disk_full(name: str = "") -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", name)


def run_close(tmp: Path, *, xlsx: bool = True, trace: bool = True):
    return close_period(str(POLICY), str(DATA), RunOptions(period=PERIOD),
                        CloseOptions(out=str(tmp / "out"), ledger=str(tmp / "ledger.sqlite"), by="fault-test",
                                     xlsx=xlsx, trace=trace))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """The outputs of a clean close: what every retry must reproduce byte for byte."""
    tmp = tmp_path_factory.mktemp("reference")
    run_close(tmp)
    return {p.name: p.read_bytes() for p in (tmp / "out" / TARGET).iterdir()}


# --------------------------------------------------------------------------- fault points


@dataclass(frozen=True)
class Fault:
    id: str
    install: Callable[[pytest.MonkeyPatch], None]
    expect: type[BaseException]  # what close_period raises
    committed: bool = False  # the ledger entry was written before the fault


def _raise(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc
    return fail


def _fail_writing(name: str, exc: BaseException):
    """``outputs.write_table`` writes a partial ``name`` in place, then fails."""
    def install(mp: pytest.MonkeyPatch) -> None:
        real = outputs.write_table

        def write_table(frame, path, fmt, money):
            if Path(path).name == name:
                Path(path).write_bytes(b"employee_id,name\nE1,half a ro")
                raise exc
            return real(frame, path, fmt, money)

        mp.setattr(outputs, "write_table", write_table)
    return install


def _fail_book_writing(exc: BaseException):
    """``xlsx_book.write_book`` (results.xlsx, every table a sheet) writes a partial file in place, then fails."""
    def install(mp: pytest.MonkeyPatch) -> None:
        def write_book(path, sheets, **kw):
            Path(path).write_bytes(b"PK\x03\x04half a zip")
            raise exc

        mp.setattr(outputs, "write_book", write_book)
    return install


def _fail_audit_midway(mp: pytest.MonkeyPatch) -> None:
    """The audit record is encoded, half of it reaches its file, then the disk is full."""
    real = outputs.AuditFile.write

    def write(self, frame, path):
        real(self, frame, path)
        Path(path).write_bytes(self.data[: len(self.data) // 2])
        raise disk_full(str(path))

    mp.setattr(outputs.AuditFile, "write", write)


def _fail_polars_csv_midway(mp: pytest.MonkeyPatch) -> None:
    """polars' own CSV writer dies after writing part of its (temporary) file."""
    import polars as pl

    real = pl.DataFrame.write_csv

    def write_csv(self, file=None, **kwargs):
        if file is not None and "payouts.csv" in str(file):
            Path(file).write_bytes(b"employee_id,name,currency,amount\nE1,Ann,CNY,3")
            raise disk_full(str(file))
        return real(self, file, **kwargs)

    mp.setattr(pl.DataFrame, "write_csv", write_csv)


def _fail_path_write(name: str, method: str):
    def install(mp: pytest.MonkeyPatch) -> None:
        real = getattr(pathlib.Path, method)

        def write(self, data, *args, **kwargs):
            if self.name == name:
                real(self, data[: len(data) // 2], *args, **kwargs)  # half of it reaches the disk
                raise disk_full(str(self))
            return real(self, data, *args, **kwargs)

        mp.setattr(pathlib.Path, method, write)
    return install


def _fail_module(module, attribute: str, exc: BaseException):
    def install(mp: pytest.MonkeyPatch) -> None:
        mp.setattr(module, attribute, _raise(exc))
    return install


def _fail_in_transaction(exc: BaseException):
    """Storing the blobs fails inside the transaction (which the close opened while writing its outputs)."""
    def install(mp: pytest.MonkeyPatch) -> None:
        mp.setattr(ledger_staging, "insert_blobs", _raise(exc))
    return install


def _small_blob_limit(mp: pytest.MonkeyPatch) -> None:
    """SQLite refuses a value over its length limit (1 GB by default; 2,000 bytes here)."""
    real = Ledger._connect

    def connect(self, readonly, *, raw_text=False):
        con = real(self, readonly, raw_text=raw_text)
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 2000)
        return con

    mp.setattr(Ledger, "_connect", connect)


def _fail_engine(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(closing, "evaluate", _raise(EvaluationError("derived.x: division by zero for 1 person: E2")))


FAULTS = [
    Fault("evaluation", _fail_engine, EvaluationError),
    Fault("after-evaluation", _fail_module(closing, "start_outputs", Injected("after evaluation")), Injected),
    *[Fault(f"writing-{name}", _fail_writing(name, disk_full(name)), OSError)
      for name in ("results.csv", "payouts.csv", "recommendations.csv", "ranking.csv")],
    Fault("writing-results.xlsx", _fail_book_writing(disk_full("results.xlsx")), OSError),
    Fault("writing-audit.parquet", _fail_audit_midway, OSError),
    Fault("writing-payouts.csv-inside-polars", _fail_polars_csv_midway, OSError),
    Fault("writing-report.html", _fail_module(outputs, "write_report", disk_full("report.html")), OSError),
    Fault("writing-trace.jsonl", _fail_module(outputs, "write_trace", disk_full("trace.jsonl")), OSError),
    Fault("writing-audit-columns.json", _fail_path_write("audit-columns.json", "write_text"), OSError),
    Fault("writing-policy.yaml", _fail_path_write("policy.yaml", "write_bytes"), OSError),
    Fault("writing-manifest.json", _fail_module(outputs, "write_manifest", disk_full("manifest.json")), OSError),
    Fault("outputs-written-before-ledger", _fail_module(closing, "CloseRecord", Injected("record")), Injected),
    Fault("ledger-stage_close", lambda mp: mp.setattr(Ledger, "stage_close", _raise(Injected("stage_close"))),
          Injected),
    Fault("ledger-commit", lambda mp: mp.setattr(ledger_staging.StagedClose, "commit", _raise(Injected("commit"))),
          Injected),
    Fault("ledger-entry-insert", _fail_module(Ledger, "_append", sqlite3.OperationalError("disk I/O error")),
          IncentiveError),
    Fault("ledger-in-transaction", _fail_in_transaction(Injected("blobs")), Injected),
    Fault("ledger-disk-full", _fail_in_transaction(sqlite3.OperationalError("database or disk is full")), IncentiveError),
    Fault("ledger-io-error", _fail_in_transaction(sqlite3.OperationalError("disk I/O error")), IncentiveError),
    Fault("ledger-blob-too-big", _small_blob_limit, IncentiveError),
    Fault("after-ledger-before-seal", _fail_module(atomic, "_seal", disk_full("seal")), OSError, committed=True),
    Fault("after-ledger-before-rename", _fail_module(atomic, "_install", disk_full("rename")), OSError, committed=True),
]


def files(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()) if path.exists() else []


def entries(tmp: Path) -> int:
    with Ledger(tmp / "ledger.sqlite", readonly=True) as ledger:
        assert ledger.verify_chain() == []
        return len(ledger.entries())


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_fault_leaves_nothing_partial_and_a_retry_succeeds(fault: Fault, tmp_path, reference, monkeypatch):
    with monkeypatch.context() as mp:
        fault.install(mp)
        with pytest.raises(fault.expect) as info:
            run_close(tmp_path)
    if isinstance(info.value, OSError) and fault.expect is OSError:
        # the file system refused: the user gets a message and exit 2, not a traceback
        assert isinstance(info.value, IncentiveError), f"{type(info.value).__name__} would print a traceback"
        assert "cannot write the output" in str(info.value)
    assert files(tmp_path / "out") == [], "partial output left behind"
    assert entries(tmp_path) == (1 if fault.committed else 0)
    if fault.committed:
        return  # see test_retry_after_a_failure_between_commit_and_rename
    outcome = run_close(tmp_path)
    assert not outcome.already_closed
    target = tmp_path / "out" / TARGET
    assert check_manifest(target) == []
    assert {p.name: p.read_bytes() for p in target.iterdir()} == reference
    assert files(tmp_path / "out") == [str(TARGET / name) for name in sorted(reference)]
    assert entries(tmp_path) == 1


@pytest.mark.parametrize("point", ["_seal", "_install"])
def test_a_failure_after_the_commit_keeps_the_ledger_as_the_truth(point, tmp_path, reference, monkeypatch):
    """The ledger committed, the directory never appeared: the ledger verifies,
    and a re-run of the recorded close reproduces every recorded output hash."""
    from incentive.app.verify import verify

    with monkeypatch.context() as mp:
        mp.setattr(atomic, point, _raise(disk_full(point)))
        with pytest.raises(OSError):
            run_close(tmp_path)
    problems, checked = verify(None, str(tmp_path / "ledger.sqlite"))
    assert problems == [] and any("re-run" in line for line in checked)


def test_retry_after_a_failure_between_commit_and_rename(tmp_path, reference, monkeypatch):
    with monkeypatch.context() as mp:
        mp.setattr(atomic, "_install", _raise(disk_full("rename")))
        with pytest.raises(OSError):
            run_close(tmp_path)
    run_close(tmp_path)
    target = tmp_path / "out" / TARGET
    assert target.is_dir() and check_manifest(target) == []
    assert {p.name: p.read_bytes() for p in target.iterdir()} == reference


def test_every_output_file_has_a_fault_point(reference):
    """A new output file must get its own fault point here."""
    covered = {f.id.removeprefix("writing-").removesuffix("-inside-polars") for f in FAULTS}
    assert set(reference) <= covered, sorted(set(reference) - covered)
