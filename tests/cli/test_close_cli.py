"""The period close through the real command: the example quarters, locking,
reopen, verify after tampering, and a failure in the middle of a close."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep"
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def close(tmp: Path, quarter: str, data: Path | None = None, run=cli) -> subprocess.CompletedProcess:
    return run("close", str(POLICY), str(data or DATA / f"{quarter}.csv"), "--period", quarter,
               "--ledger", str(tmp / "ledger.sqlite"), "--out", str(tmp / "out"), "--by", "hr-test", cwd=tmp)


@pytest.fixture(scope="module")
def closed(tmp_path_factory, incentive_in_process) -> Path:
    """The three example quarters closed in order (shared: closing is the slow part; in this process: the
    set-up, not what these tests check)."""
    tmp = tmp_path_factory.mktemp("close")
    for q in QUARTERS:
        done = close(tmp, q, run=incentive_in_process)
        assert done.returncode == 0, done.stderr
    return tmp


def recs(tmp: Path, quarter: str) -> dict[str, set[str]]:
    frame = pl.read_csv(tmp / "out" / "sales-rep" / quarter / "recommendations.csv", infer_schema=False)
    out: dict[str, set[str]] = {}
    for row in frame.iter_rows(named=True):
        out.setdefault(row["action"], set()).add(row["employee_id"])
    return out


def copy_of(closed: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(closed, target)
    return target


def test_history_drives_the_recommendations(closed):
    q1, q2, q3 = (recs(closed, q) for q in QUARTERS)
    assert "promotion_review" not in q1  # one top band is not yet a streak
    assert {"E001", "E014"} <= q2["promotion_review"]
    assert {"E007", "E020"} <= q1["improvement_plan"]
    assert "exit_review" not in q1 and "exit_review" not in q2
    assert q3["exit_review"] == {"E007", "E020"}  # bottom band three quarters running
    assert q3["no_results_review"] == {"E030"}  # no revenue in Q2 and Q3


def test_close_outputs_are_complete_and_owner_only(closed):
    directory = closed / "out" / "sales-rep" / "2026-Q2"
    names = {p.name for p in directory.iterdir()}
    assert {"results.csv", "payouts.csv", "recommendations.csv", "ranking.csv", "audit.parquet",
            "audit-columns.json", "policy.yaml", "manifest.json", "report.html"} <= names
    assert all((p.stat().st_mode & 0o077) == 0 for p in directory.iterdir())
    assert (directory / "policy.yaml").read_bytes() == POLICY.read_bytes()
    veto = pl.read_csv(directory / "results.csv", infer_schema=False).filter(pl.col("employee_id") == "E028").row(0, named=True)
    assert veto["band"] == "C" and veto["commission"] == "0.00" and veto["bonus"] == "0.00"


def test_identical_reclose_is_a_noop_and_different_data_is_refused(closed, tmp_path):
    tmp = copy_of(closed, tmp_path)
    again = close(tmp, "2026-Q1")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    changed = tmp / "changed.csv"
    changed.write_bytes((DATA / "2026-Q1.csv").read_bytes().replace(b"734472.34", b"734472.35"))
    refused = close(tmp, "2026-Q1", changed)
    assert refused.returncode == 2 and "already closed" in refused.stderr
    reopened = cli("reopen", str(POLICY), "--period", "2026-Q1", "--reason", "corrected revenue of E001",
                   "--ledger", str(tmp / "ledger.sqlite"), "--by", "hr-test", cwd=tmp)
    assert reopened.returncode == 0, reopened.stderr
    assert close(tmp, "2026-Q1", changed).returncode == 0


def test_verify_passes_then_names_a_tampered_output(closed, tmp_path):
    tmp = copy_of(closed, tmp_path)
    ok = cli("verify", "--ledger", str(tmp / "ledger.sqlite"), cwd=tmp)
    assert ok.returncode == 0, ok.stderr
    results = tmp / "out" / "sales-rep" / "2026-Q2" / "results.csv"
    results.write_bytes(results.read_bytes().replace(b"E001,", b"E00X,", 1))
    bad = cli("verify", str(results.parent), "--ledger", str(tmp / "ledger.sqlite"), cwd=tmp)
    assert bad.returncode == 1 and "results.csv" in bad.stderr


def test_verify_detects_a_changed_ledger_row(closed, tmp_path):
    tmp = copy_of(closed, tmp_path)
    con = sqlite3.connect(tmp / "ledger.sqlite")
    # a tamperer with write access can drop the append-only triggers first
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute("UPDATE entries SET actor = 'someone-else' WHERE seq = 2")
    con.commit()
    con.close()
    bad = cli("verify", "--ledger", str(tmp / "ledger.sqlite"), cwd=tmp)
    assert bad.returncode == 1 and "entry 2" in bad.stderr


def test_a_failure_while_writing_outputs_leaves_nothing(tmp_path, monkeypatch):
    from incentive.app import close as closing, outputs
    from incentive.app.run import RunOptions
    from incentive.ledger import Ledger

    real = outputs.write_table

    def failing(frame, path, fmt, money):
        if path.name == "recommendations.csv":
            raise OSError("disk full (injected)")
        return real(frame, path, fmt, money)

    monkeypatch.setattr(outputs, "write_table", failing)
    opts = closing.CloseOptions(out=str(tmp_path / "out"), ledger=str(tmp_path / "l.sqlite"), by="t")
    with pytest.raises(OSError):
        closing.close_period(str(POLICY), str(DATA / "2026-Q1.csv"), RunOptions(period="2026-Q1"), opts)
    assert not (tmp_path / "out" / "sales-rep" / "2026-Q1").exists()
    assert not (tmp_path / "out").exists()  # no temporary leftovers, not even the directories the close created
    ledger = Ledger(tmp_path / "l.sqlite")
    assert ledger.entries() == []
    ledger.close()
    monkeypatch.setattr(outputs, "write_table", real)
    outcome = closing.close_period(str(POLICY), str(DATA / "2026-Q1.csv"), RunOptions(period="2026-Q1"), opts)
    assert outcome.entry.seq == 1 and (tmp_path / "out" / "sales-rep" / "2026-Q1" / "results.csv").exists()


@pytest.mark.parametrize("where", ["stage", "commit", "outputs"])
def test_a_failure_in_the_ledger_write_leaves_no_outputs(tmp_path, monkeypatch, where):
    """The ledger stores its blobs while the outputs are still written, and
    records the entry last: a failure at any of those points leaves neither
    outputs nor anything in the ledger."""
    from incentive.app import close as closing
    from incentive.app.run import RunOptions
    from incentive.ledger import Ledger, staging
    from incentive.output import tables

    def failing(*args, **kw):
        raise sqlite3.OperationalError("disk I/O error (injected)")

    if where == "stage":
        monkeypatch.setattr(staging, "insert_blobs", failing)
    elif where == "commit":
        monkeypatch.setattr(staging._Flush, "wait", failing)  # just before COMMIT, inside the transaction
    else:  # a results table fails after the blobs were staged
        monkeypatch.setattr(tables, "write_csv", failing)
    opts = closing.CloseOptions(out=str(tmp_path / "out"), ledger=str(tmp_path / "l.sqlite"), by="t")
    with pytest.raises(sqlite3.OperationalError):
        closing.close_period(str(POLICY), str(DATA / "2026-Q1.csv"), RunOptions(period="2026-Q1"), opts)
    assert not (tmp_path / "out" / "sales-rep" / "2026-Q1").exists()
    monkeypatch.undo()
    with Ledger(tmp_path / "l.sqlite") as ledger:
        assert ledger.entries() == []
        assert ledger._rows("SELECT count(*) FROM close_blobs") == [(0,)]


def test_two_concurrent_closes_exactly_one_wins(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-m", "incentive", "close", str(POLICY), str(DATA / "2026-Q1.csv"),
                               "--period", "2026-Q1", "--ledger", str(tmp_path / "l.sqlite"),
                               "--out", str(tmp_path / "out"), "--by", f"hr-{i}"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outcomes = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in outcomes)
    # the loser either saw the winner's close (identical inputs: a no-op) or lost the race (refused)
    winners = [o for o in outcomes if o[0] == 0 and "closed sales-rep 2026-Q1" in o[1]]
    assert len(winners) == 1, outcomes
    assert codes in ([0, 0], [0, 2]), outcomes
    from incentive.ledger import Ledger

    ledger = Ledger(tmp_path / "l.sqlite")
    assert len(ledger.entries()) == 1
    ledger.close()


def test_history_command_shows_the_bands(closed):
    out = cli("history", "--employee", "E007", "--ledger", str(closed / "ledger.sqlite"), cwd=closed)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if "sales-rep" in line]
    assert len(lines) == 3 and all(" C " in f" {line} " for line in lines)


def test_a_rerun_by_another_engine_version_says_so(closed, tmp_path, monkeypatch):
    """Outputs are byte-identical only under the engine that made them: when a
    newer engine encodes differently, verify names both versions."""
    from incentive.app import rebuild
    from incentive.app.verify import rerun
    from incentive.ledger import Ledger
    from incentive.output import tables

    tmp = copy_of(closed, tmp_path)
    with Ledger(tmp / "ledger.sqlite", readonly=True) as ledger:
        entry = ledger.get_close("sales-rep", "2026-Q1")
        assert rerun(ledger, entry) == []
        monkeypatch.setattr(rebuild, "__version__", "9.9.9")  # the engine re-running
        monkeypatch.setattr(tables, "PARQUET_OPTIONS", {"compression": "zstd", "compression_level": 9})
        problems = rerun(ledger, entry)
    named = {p.split(" a different ")[1].split(" than ")[0] for p in problems}
    assert named == {"audit.parquet", "manifest.json"}  # the manifest carries the version and the audit's hash
    assert f"closed by engine {entry.engine_version}, re-run by 9.9.9" in problems[0]


def test_a_recorded_head_detects_entries_cut_off_the_end(closed, tmp_path):
    """The chain alone cannot tell that its newest entries were removed; the head close printed can."""
    tmp = copy_of(closed, tmp_path)
    ledger_file = tmp / "ledger.sqlite"
    con = sqlite3.connect(ledger_file)
    head, prior = (r[0] for r in con.execute("SELECT entry_hash FROM entries ORDER BY seq DESC LIMIT 2"))
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    last = con.execute("SELECT max(seq) FROM entries").fetchone()[0]
    con.execute("DELETE FROM close_blobs WHERE seq = ?", (last,))
    con.execute("DELETE FROM entries WHERE seq = ?", (last,))
    con.commit()
    con.close()
    shutil.rmtree(tmp / "out" / "sales-rep" / "2026-Q3")
    assert cli("verify", "--ledger", str(ledger_file), cwd=tmp).returncode == 0  # a clean prefix of the chain
    cut = cli("verify", "--ledger", str(ledger_file), "--head", head, cwd=tmp)
    assert cut.returncode == 1 and f"entry {head[:16]}" in cut.stderr and "removed" in cut.stderr
    ok = cli("verify", "--ledger", str(ledger_file), "--head", prior[:12], cwd=tmp)
    assert ok.returncode == 0 and "0 entries after it" in ok.stdout
    bad = cli("verify", "--ledger", str(ledger_file), "--head", "not-a-hash", cwd=tmp)
    assert bad.returncode == 2 and "--head" in bad.stderr


def test_close_prints_the_new_ledger_head(tmp_path):
    done = close(tmp_path, "2026-Q1")
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(tmp_path / "ledger.sqlite")
    (head,) = con.execute("SELECT entry_hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    con.close()
    assert f"ledger head: {head}" in done.stdout


def test_rebuilding_the_outputs_of_a_close_by_another_engine_version_says_why_it_cannot(tmp_path, monkeypatch):
    """Deleted outputs are rebuilt byte for byte only by the engine version that closed."""
    import shutil

    from incentive.app import close as closing, outputs
    from incentive.app.run import RunOptions
    from incentive.ledger import LedgerError

    opts = closing.CloseOptions(out=str(tmp_path / "out"), ledger=str(tmp_path / "l.sqlite"), by="t")
    args = (str(POLICY), str(DATA / "2026-Q1.csv"), RunOptions(period="2026-Q1"), opts)
    monkeypatch.setattr(closing, "__version__", "0.0.1")  # the ledger entry's engine version
    monkeypatch.setattr(outputs, "__version__", "0.0.1")  # and the manifest's
    first = closing.close_period(*args)
    monkeypatch.undo()
    shutil.rmtree(first.directory)
    with pytest.raises(LedgerError, match=r"recorded \(closed by engine 0\.0\.1, re-run by \d+\.\d+\.\d+: outputs are "
                                          r"reproducible byte for byte with the engine that made them\)"):
        closing.close_period(*args)
    assert not first.directory.exists()


@pytest.mark.parametrize(("employee", "fmt", "lang"), [("E007", "text", "en"), ("E001", "json", "zh"),
                                                       ("E020", "json", "en")])
def test_explain_from_a_close_is_the_explanation_of_the_run_without_re_running(closed, employee, fmt, lang):
    """--close reads the close's audit record and policy copy: the same explanation, history included,
    without the data file or the ledger."""
    target = closed / "out" / "sales-rep" / "2026-Q3"
    rerun = cli("explain", str(POLICY), str(DATA / "2026-Q3.csv"), "--period", "2026-Q3", "--employee", employee,
                "--format", fmt, "--lang", lang, "--ledger", str(closed / "ledger.sqlite"), cwd=closed)
    recorded = cli("explain", "--close", str(target), "--employee", employee, "--format", fmt, "--lang", lang,
                   cwd=closed)
    assert rerun.returncode == 0 and recorded.returncode == 0, (rerun.stderr, recorded.stderr)
    assert recorded.stdout == rerun.stdout
    assert "exit_review" in recorded.stdout or employee == "E001"


def test_explain_from_a_close_refuses_what_it_cannot_trust(closed, tmp_path):
    tmp = copy_of(closed, tmp_path)
    target = tmp / "out" / "sales-rep" / "2026-Q3"
    cases = [
        (["--close", str(target), "--employee", "NOBODY"], "no employee 'NOBODY'"),
        (["--close", str(tmp / "nowhere"), "--employee", "E007"], "is not a directory"),
        (["--close", str(target), str(POLICY), "--employee", "E007"], "give no POLICY, DATA"),
        (["--employee", "E007"], "explain needs POLICY DATA --period P"),
    ]
    for args, message in cases:
        out = cli("explain", *args, cwd=tmp)
        assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
    audit = target / "audit.parquet"
    audit.write_bytes(audit.read_bytes()[:-1] + b"!")
    out = cli("explain", "--close", str(target), "--employee", "E007", cwd=tmp)
    assert out.returncode == 2 and "audit.parquet does not match its sha256 in manifest.json" in out.stderr
