"""One ledger for every command, through the real CLI (issue 12: A1, A3, B5, E16).

A project folder holds ``incentive.toml`` (ledger and output root); every
command run from a folder below it uses that ledger without being told.
Elsewhere, read-only commands never create a ledger, and a policy that reads
history says on stderr when the ledger it was pointed at shows none.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    env["INCENTIVE_USER"] = "setting-test"
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def close(cwd: Path, quarter: str, *extra: str, data: str | None = None) -> subprocess.CompletedProcess:
    return cli("close", str(POLICY), data or str(DATA / f"{quarter}.csv"), "--period", quarter, *extra, cwd=cwd)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """Q1 and Q2 (in Chinese, with --xlsx) closed from a folder below incentive.toml, no --ledger or --out."""
    root = tmp_path_factory.mktemp("project")
    (root / "incentive.toml").write_text('# the team\'s books\nledger = "books/ledger.sqlite"\nout = "closes"\n',
                                         encoding="utf-8")
    (root / "books").mkdir()
    (root / "work").mkdir()
    first = close(root / "work", "2026-Q1")
    assert first.returncode == 0, first.stderr
    ledger = root / "books" / "ledger.sqlite"
    assert f"created ledger {ledger} (from {root / 'incentive.toml'})" in first.stderr
    assert "has no closed period of sales-rep" in first.stderr  # the first period: said, not refused
    second = close(root / "work", "2026-Q2", "--lang", "zh", "--xlsx")
    assert second.returncode == 0, second.stderr
    assert "created ledger" not in second.stderr and "no closed period" not in second.stderr
    return root


def copy(project: Path, tmp_path: Path) -> Path:
    shutil.copytree(project, tmp_path / "p")
    return tmp_path / "p"


def test_every_command_uses_the_project_ledger(project):
    ledger = project / "books" / "ledger.sqlite"
    assert (ledger.stat().st_mode & 0o777) == 0o600
    assert (project / "closes" / "sales-rep" / "2026-Q2" / "results.xlsx").is_file()
    work = project / "work"
    dry = cli("evaluate", str(POLICY), str(DATA / "2026-Q3.csv"), "--period", "2026-Q3", cwd=work)
    assert dry.returncode == 0 and "no history" not in dry.stderr, dry.stderr
    verified = cli("verify", cwd=work)  # the zh close re-runs in zh (B5): no "different recommendations.csv"
    assert verified.returncode == 0 and f"ledger {ledger}" in verified.stdout, verified.stderr
    history = cli("history", "--employee", "E001", cwd=work)
    assert history.returncode == 0 and "2026-Q1" in history.stdout and "2026-Q2" in history.stdout, history.stderr
    manifest = json.loads((project / "closes" / "sales-rep" / "2026-Q2" / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["run"]["lang"] == "zh" and manifest["options"]["outputs"]["xlsx"] is True
    closed_dir = str(project / "closes" / "sales-rep" / "2026-Q2")
    recorded = cli("explain", "--close", closed_dir, "--employee", "E001", cwd=work)  # in the close's language
    asked = cli("explain", "--close", closed_dir, "--employee", "E001", "--lang", "en", cwd=work)
    assert recorded.returncode == asked.returncode == 0, recorded.stderr + asked.stderr
    assert "销售额达成率" in recorded.stdout and "Revenue attainment" in asked.stdout


def test_elsewhere_read_only_commands_create_nothing(project, tmp_path):
    history = cli("history", "--employee", "E001", cwd=tmp_path)
    assert history.returncode == 2 and f"no ledger at {tmp_path / 'incentive-ledger.sqlite'} (from default)" \
        in history.stderr, history.stderr
    verify = cli("verify", cwd=tmp_path)
    assert verify.returncode == 2 and "no ledger at" in verify.stderr
    dry = cli("evaluate", str(POLICY), str(DATA / "2026-Q2.csv"), "--period", "2026-Q2", cwd=tmp_path)
    assert dry.returncode == 0 and "there is no ledger at" in dry.stderr, dry.stderr
    strict_dry = cli("evaluate", str(POLICY), str(DATA / "2026-Q2.csv"), "--period", "2026-Q2", "--strict",
                     cwd=tmp_path)
    assert strict_dry.returncode == 2 and "--strict refuses to evaluate without history" in strict_dry.stderr
    strict = close(tmp_path, "2026-Q2", "--strict")
    assert strict.returncode == 2 and "--strict refuses" in strict.stderr
    assert list(tmp_path.iterdir()) == []  # no ledger, no output folder


def test_a_close_without_the_setting_says_no_history_is_visible(project, tmp_path):
    done = close(tmp_path, "2026-Q3")
    assert done.returncode == 0, done.stderr
    assert f"created ledger {tmp_path / 'incentive-ledger.sqlite'} (from default)" in done.stderr
    assert "has no closed period of sales-rep in the 24 before 2026-Q3" in done.stderr
    assert (tmp_path / "out" / "sales-rep" / "2026-Q3").is_dir()


def test_options_are_recorded_reused_and_held_to(project, tmp_path):
    root = copy(project, tmp_path)
    work = root / "work"
    other = close(work, "2026-Q2")  # identical policy and data, but --lang en and no --xlsx
    assert other.returncode == 2 and "lang: recorded 'zh', now 'en'" in other.stderr and "--xlsx" in other.stderr
    shutil.rmtree(root / "closes" / "sales-rep" / "2026-Q2")
    rebuilt = close(work, "2026-Q2", "--lang", "zh", "--xlsx")  # rebuilt from the ledger, in zh
    assert rebuilt.returncode == 0 and "rebuilt them" in rebuilt.stdout, rebuilt.stderr
    copied = close(work, "2026-Q3", data=str(DATA / "2026-Q2.csv"))  # last quarter's file again
    assert copied.returncode == 0, copied.stderr
    assert "is byte for byte the data file already closed for sales-rep 2026-Q2" in copied.stderr


def test_close_refuses_a_period_outside_the_effective_dates(tmp_path):
    policy = tmp_path / "late.yaml"
    policy.write_text(POLICY.read_text("utf-8").replace("effective: {start: 2026-01-01}",
                                                        "effective: {start: 2026-04-01, end: 2026-09-30}"), "utf-8")
    for quarter in ("2026-Q1", "2026-Q4"):
        refused = cli("close", str(policy), str(DATA / "2026-Q1.csv"), "--period", quarter, cwd=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert "not within the effective dates of policy sales-rep (2026-04-01 to 2026-09-30)" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.yaml"]  # nothing written


HELP_OF_EVERY_COMMAND = """
import json
from click.testing import CliRunner
from incentive.cli.main import cli
runner = CliRunner()
print(json.dumps({name: " ".join(runner.invoke(cli, [name, "--help"]).output.split()) for name in cli.commands}))
"""


def test_help_is_truthful_per_command(tmp_path):
    # one child process renders every command's --help (in-process invocations would leave click's
    # cached help options behind for the docs/cli.md check)
    done = subprocess.run([sys.executable, "-c", HELP_OF_EVERY_COMMAND], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    helps = json.loads(done.stdout)
    close_help = helps["close"]
    assert "--set" not in close_help and "never written" not in close_help
    assert "created (and announced on stderr) if missing" in close_help and "incentive.toml" in close_help
    for command in ("evaluate", "explain", "diff", "sweep"):
        assert "never created or written by this command" in helps[command]
    for command in ("verify", "history"):
        assert "never created" in helps[command]
    refused = cli("close", str(POLICY), str(DATA / "2026-Q1.csv"), "--period", "2026-Q1", "--set",
                  "kpis.sales.weight=50", cwd=tmp_path)
    assert refused.returncode == 2 and "No such option '--set'" in refused.stderr
    assert list(tmp_path.iterdir()) == []
