"""Every writer fails cleanly (issue 12, D12): a fault matrix, writer x errno.

For each command that writes (evaluate --out in every format, evaluate
--html, sample --out in every format, diff --out / --html, close with every
optional output) and each way a disk refuses a write (full, over quota, I/O
error, permission denied, read-only, a name too long), the fault is injected
where the writer really meets it:

* ``polars`` -- polars' own writer fails with the Rust error text it really
  raises (``ComputeError: ... (os error 28)`` from Parquet, a bare
  ``OSError`` from CSV / JSON) after half a file reached the disk;
* ``xlsx`` -- the zip archive under xlsxwriter refuses a write
  (xlsxwriter turns it into ``FileCreateError``);
* ``fsync`` -- the data is written, flushing it to the disk fails (every
  writer goes through it; the html report, manifest, trace);
* ``mkdir`` -- the second directory the command creates is refused, so the
  first one must be removed again.

Then, through the command (in process: click's runner, one CLI call per
case, a few seconds for the whole matrix): exit 2; one message naming the
user's path (never a hidden staging copy) and the errno's text; no
traceback; the directory tree exactly as before (no file, no staging or
temporary directory, no directory the command created); no ledger entry;
no xlsxwriter scratch file in the temporary directory.

``test_real_*`` repeat the class on real file systems: a full and a
read-only tmpfs (``mount``; skipped where it is not allowed) and paths
beyond NAME_MAX / PATH_MAX.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl
import pytest
from click.testing import CliRunner

from incentive.cli.main import cli
from incentive.ledger import Ledger
from tests.hostile.generators import FIXTURES

POLICY = str(FIXTURES / "hostile.yaml")
DATA = str(FIXTURES / "clean.csv")
PERIOD = "2026-01"

ERRNOS = [errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EACCES, errno.EROFS, errno.ENAMETOOLONG]


@dataclass(frozen=True)
class Writer:
    id: str
    args: Callable[[Path], list[str]]
    named: Callable[[Path], str]  # the user's path the message must name (a prefix of it)
    kinds: frozenset[str]  # which injection levels reach this writer


def _evaluate(fmt: str) -> Writer:
    return Writer(f"evaluate-{fmt}",
                  lambda t: ["evaluate", POLICY, DATA, "--period", PERIOD, "--out", str(t / "out" / "ev"),
                             "--format", fmt],
                  lambda t: str(t / "out" / "ev") + "/",
                  frozenset({_library(fmt), "fsync", "mkdir"}))


def _library(fmt: str) -> str:
    """The injection level of the format's own writer (JSON is encoded in memory, written by Python)."""
    return {"xlsx": "xlsx", "json": "fsync"}.get(fmt, "polars")


def _sample(fmt: str) -> Writer:
    return Writer(f"sample-{fmt}",
                  lambda t: ["sample", POLICY, "--rows", "40", "--out", str(t / "out" / "s" / f"sample.{fmt}")],
                  lambda t: str(t / "out" / "s" / f"sample.{fmt}"),
                  frozenset({_library(fmt), "fsync", "mkdir"}))


WRITERS = [
    *[_evaluate(fmt) for fmt in ("csv", "json", "parquet", "xlsx")],
    Writer("evaluate-html", lambda t: ["evaluate", POLICY, DATA, "--period", PERIOD,
                                       "--html", str(t / "out" / "r" / "report.html")],
           lambda t: str(t / "out" / "r" / "report.html"), frozenset({"fsync", "mkdir"})),
    *[_sample(fmt) for fmt in ("csv", "json", "parquet", "xlsx")],
    Writer("diff-csv", lambda t: ["diff", POLICY, POLICY, DATA, "--period", PERIOD,
                                  "--out", str(t / "out" / "d" / "diff.csv")],
           lambda t: str(t / "out" / "d" / "diff.csv"), frozenset({"polars", "fsync", "mkdir"})),
    Writer("diff-html", lambda t: ["diff", POLICY, POLICY, DATA, "--period", PERIOD,
                                   "--html", str(t / "out" / "d" / "diff.html")],
           lambda t: str(t / "out" / "d" / "diff.html"), frozenset({"fsync", "mkdir"})),
    Writer("close", lambda t: ["close", POLICY, DATA, "--period", PERIOD, "--ledger", str(t / "ledger.sqlite"),
                               "--out", str(t / "out" / "o"), "--xlsx", "--trace", "--by", "fault-test"],
           lambda t: str(t / "out" / "o" / "hostile" / PERIOD), frozenset({"polars", "xlsx", "fsync", "mkdir"})),
]


def _os_error(code: int, name: object = None) -> OSError:
    return OSError(code, os.strerror(code), None if name is None else str(name))


def _inject_polars(mp: pytest.MonkeyPatch, code: int) -> None:
    """polars fails as it really does: half a file on disk, then the Rust error text."""
    text = f"{os.strerror(code)} (os error {code})"
    for method, exc in (("write_parquet", pl.exceptions.ComputeError(
                            f"parquet: File out of specification: underlying IO error: {text}")),
                        ("write_csv", OSError(text)), ("write_json", OSError(text))):
        real = getattr(pl.DataFrame, method)

        def fail(self, file=None, *args, _real=real, _exc=exc, **kwargs):
            if isinstance(file, (str, Path)):
                Path(file).write_bytes(b"employee_id,na")
                raise _exc
            return _real(self, file, *args, **kwargs)

        mp.setattr(pl.DataFrame, method, fail)


def _inject_xlsx(mp: pytest.MonkeyPatch, code: int) -> None:
    def fail(self, *args, **kwargs):
        raise _os_error(code)

    mp.setattr(zipfile.ZipFile, "write", fail)
    mp.setattr(zipfile.ZipFile, "writestr", fail)


def _inject_fsync(mp: pytest.MonkeyPatch, code: int) -> None:
    real = os.fsync

    def fsync(fd):
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            return real(fd)
        raise _os_error(code)

    mp.setattr(os, "fsync", fsync)


def _inject_mkdir(mp: pytest.MonkeyPatch, code: int) -> None:
    real = os.mkdir
    calls = []

    def mkdir(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise _os_error(code, path)
        return real(path, *args, **kwargs)

    mp.setattr(os, "mkdir", mkdir)


INJECT = {"polars": _inject_polars, "xlsx": _inject_xlsx, "fsync": _inject_fsync, "mkdir": _inject_mkdir}

#: the close (a ledger transaction each time) gets half the errnos per level, rotated so that
#: across its levels it still meets every errno
SLOW = {"close"}


def _cases() -> list[tuple[Writer, str, int]]:
    cases = []
    for w in WRITERS:
        for i, kind in enumerate(sorted(w.kinds)):
            codes = ERRNOS if w.id not in SLOW else [ERRNOS[(3 * i + k) % len(ERRNOS)] for k in range(3)]
            cases += [(w, kind, code) for code in codes]
    return cases


CASES = _cases()


def _cheap_pages(mp: pytest.MonkeyPatch) -> None:
    """The matrix tests the writing of the report pages, not their charts (most of a second to render)."""
    import incentive.report.diff_page as diff_page
    import incentive.report.evaluation_page as evaluation_page

    mp.setattr(evaluation_page, "render_report", lambda results, lang="en": "<!doctype html><p>report</p>\n")
    mp.setattr(diff_page, "render_diff_report", lambda diff, lang="en": "<!doctype html><p>diff</p>\n")


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def scratch() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("incentive-xlsx-*")}


def run(args: list[str]):
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    return result, result.stderr


def check_clean_failure(tmp: Path, writer: Writer, before: set[str], result, stderr: str, strerror: str) -> None:
    assert result.exit_code == 2, (result.exit_code, stderr, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    message = [line for line in stderr.splitlines() if "cannot write the output" in line]
    assert len(message) == 1, stderr
    assert message[0].startswith(writer.named(tmp)) or message[0].startswith(str(tmp / "out")), message
    assert strerror in message[0], message
    assert "/.incentive-" not in message[0] and ".tmp" not in message[0], f"names a staging path: {message}"
    assert snapshot(tmp) == before, f"left behind: {sorted(snapshot(tmp) - before)}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    Ledger(tmp_path / "ledger.sqlite").close()  # the ledger exists before: only outputs are under test
    # a temporary directory of this test's own: other tests running in parallel make and remove
    # xlsxwriter scratch directories too, and must not look like ours
    private = tmp_path.parent / f"{tmp_path.name}-tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return tmp_path


@pytest.mark.parametrize("writer,kind,code", CASES,
                         ids=[f"{w.id}-{k}-{errno.errorcode[c]}" for w, k, c in CASES])
def test_an_injected_fault_is_a_message_exit_2_and_nothing_left(writer, kind, code, workdir, monkeypatch):
    before, tmp_before = snapshot(workdir), scratch()
    with monkeypatch.context() as mp:
        _cheap_pages(mp)
        INJECT[kind](mp, code)
        result, stderr = run(writer.args(workdir))
    check_clean_failure(workdir, writer, before, result, stderr, os.strerror(code))
    assert scratch() == tmp_before, "xlsxwriter scratch files left in the temporary directory"
    with Ledger(workdir / "ledger.sqlite", readonly=True) as ledger:
        assert ledger.entries() == []


def test_the_matrix_covers_every_writer_and_errno():
    for writer in WRITERS:
        assert {c for w, _, c in CASES if w is writer} == set(ERRNOS), writer.id
        assert {k for w, k, _ in CASES if w is writer} == writer.kinds, writer.id


def test_a_failed_close_keeps_an_existing_policy_directory(workdir, monkeypatch):
    """Only directories the command created are removed, never one that existed before."""
    keep = workdir / "out" / "o" / "hostile"
    keep.mkdir(parents=True)
    before = snapshot(workdir)
    with monkeypatch.context() as mp:
        _inject_fsync(mp, errno.ENOSPC)
        result, stderr = run(WRITERS[-1].args(workdir))
    check_clean_failure(workdir, WRITERS[-1], before, result, stderr, os.strerror(errno.ENOSPC))
    assert keep.is_dir()


def test_a_failed_evaluate_keeps_the_files_already_in_its_directory(workdir, monkeypatch):
    (workdir / "out" / "ev").mkdir(parents=True)
    (workdir / "out" / "ev" / "results.csv").write_text("old\n")
    before = snapshot(workdir)
    with monkeypatch.context() as mp:
        _inject_polars(mp, errno.EDQUOT)
        result, stderr = run(WRITERS[0].args(workdir))
    check_clean_failure(workdir, WRITERS[0], before, result, stderr, os.strerror(errno.EDQUOT))
    assert (workdir / "out" / "ev" / "results.csv").read_text() == "old\n"


# --------------------------------------------------------------------------- real file systems


def _mount(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


@pytest.fixture(scope="module")
def filesystems(tmp_path_factory):
    """A tmpfs filled to the last byte and a read-only tmpfs (root only)."""
    base = tmp_path_factory.mktemp("fs")
    full, ro = base / "full", base / "ro"
    if not _mount(full, "size=64k,mode=0700"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount)")
    if not _mount(ro, "size=64k,ro,mode=0700"):
        subprocess.run(["umount", str(full)], check=False)
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        with open(full / "filler", "wb", buffering=0) as fh:  # directories and empty files still fit, data does not
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        yield {"full": (full, os.strerror(errno.ENOSPC)), "ro": (ro, os.strerror(errno.EROFS))}
    finally:
        for mounted in (full, ro):
            subprocess.run(["umount", "-l", str(mounted)], check=False)


@pytest.mark.parametrize("where", ["full", "ro"])
def test_real_file_system_refusals_for_every_writer(where, filesystems, tmp_path):
    """Every writer on a full and on a read-only file system (the ledger stays on a working disk)."""
    root, strerror = filesystems[where]
    for writer in WRITERS:
        Ledger(root.parent / "ledger.sqlite").close()
        before = snapshot(root)
        args = [a.replace(str(root / "ledger.sqlite"), str(root.parent / "ledger.sqlite"))
                for a in writer.args(root)]
        result, stderr = run(args)
        check_clean_failure(root, writer, before, result, stderr, strerror)
        with Ledger(root.parent / "ledger.sqlite", readonly=True) as ledger:
            assert ledger.entries() == [], writer.id


@pytest.mark.parametrize("shape", ["name", "path"])
def test_real_names_beyond_the_limits_for_every_writer(shape, tmp_path):
    long = "n" * 300 if shape == "name" else "/".join(["p" * 250] * 20)  # > NAME_MAX / > PATH_MAX
    Ledger(tmp_path / "ledger.sqlite").close()
    before = snapshot(tmp_path)
    for writer in WRITERS:
        args = [a.replace(str(tmp_path / "out"), str(tmp_path / "out" / long)) for a in writer.args(tmp_path)]
        result, stderr = run(args)
        assert result.exit_code == 2, (writer.id, stderr, result.exception)
        assert os.strerror(errno.ENAMETOOLONG) in stderr and "Traceback" not in stderr, (writer.id, stderr)
        assert snapshot(tmp_path) == before, (writer.id, sorted(snapshot(tmp_path) - before)[:3])


def test_real_cli_xlsx_on_a_full_disk_prints_one_line(filesystems, tmp_path):
    """Through ``python -m incentive``: the half-written zip archive prints no second traceback at exit."""
    root, strerror = filesystems["full"]
    before = snapshot(root)
    done = subprocess.run([sys.executable, "-m", "incentive", "sample", POLICY, "--rows", "40", "--out",
                           str(root / "s.xlsx")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"{root / 's.xlsx'}: cannot write the output: {strerror}; no partial output was left"
    assert snapshot(root) == before


def test_sample_to_a_full_standard_output_is_a_message(tmp_path):
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "incentive", "sample", POLICY, "--rows", "40"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"standard output: cannot write the output: {os.strerror(errno.ENOSPC)}; "
                                   "the output is incomplete")


@pytest.mark.parametrize("command", [["evaluate", POLICY, DATA, "--period", PERIOD], ["validate", POLICY, "--help"]],
                         ids=["evaluate-summary", "help"])
def test_printing_to_a_full_standard_output_is_a_message(command):
    """Any command's printed output (click.echo) on a full disk: exit 2 and one line, not a traceback."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "incentive", *command], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == (f"standard output: cannot write the output: "
                                            f"{os.strerror(errno.ENOSPC)}; the output is incomplete")
    assert "Traceback" not in done.stderr
