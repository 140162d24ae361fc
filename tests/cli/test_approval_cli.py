"""The plan approval record through a close: the warning, the --strict refusal (nothing written, nothing
recorded), the record in the ledger entry, the manifest, report.html (zh and en) and explain --close, and verify
with and without it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from incentive.app import close as closing
from incentive.app.run import RunOptions
from incentive.errors import UsageError
from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q1 = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"
Q2 = ROOT / "examples" / "sales-rep" / "2026-Q2.csv"
RECORD = {"approved_by": "销售委员会", "approved_on": "2025-12-15", "consulted_on": "2025-12-10",
          "document": "HR-2025-031", "published_on": "2025-12-20"}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def policy_variant(tmp: Path, name: str, kind: str) -> Path:
    """sales-rep without its approval record (``none``) or published on 2026-01-05, after Q1 began (``late``)."""
    text = POLICY.read_text(encoding="utf-8")
    if kind == "none":
        text = text[:text.index("\n# Plan approval record")] + "\n"
    else:
        text = text.replace("published_on: 2025-12-20", "published_on: 2026-01-05")
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def close(policy: Path, tmp: Path, *, data: Path = Q1, period: str = "2026-Q1", strict: bool = False,
          lang: str = "en") -> tuple[closing.CloseOutcome, list[str]]:
    said: list[str] = []
    opts = closing.CloseOptions(out=str(tmp / "out"), ledger=str(tmp / "l.sqlite"), by="hr-test", strict=strict)
    outcome = closing.close_period(str(policy), str(data), RunOptions(period=period, lang=lang), opts,
                                   notify=said.append)
    return outcome, said


def ledger_rows(tmp: Path) -> list:
    with Ledger(tmp / "l.sqlite", readonly=True) as ledger:
        return ledger.entries()


def test_an_approved_plan_closes_without_warning_and_records_its_approval(tmp_path):
    outcome, said = close(POLICY, tmp_path, lang="zh")
    assert not [s for s in said if s.startswith("warning: policy")]
    assert outcome.entry.totals[closing.APPROVAL_KEY] == RECORD  # in the entry, so its hash covers it
    [entry] = ledger_rows(tmp_path)
    assert entry.totals[closing.APPROVAL_KEY] == RECORD and entry.entry_hash == outcome.entry.entry_hash
    manifest = json.loads((outcome.directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["approval"] == RECORD
    page = (outcome.directory / "report.html").read_text(encoding="utf-8")
    assert "方案审批：销售委员会于 2025-12-15 批准 · 职工代表协商 2025-12-10 · 公示 2025-12-20 · 文件 HR-2025-031" in page
    assert "approval-warning" not in page and "Plan approval" not in page
    shown = cli("explain", "--close", str(outcome.directory), "--employee", "E007", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1] == ("方案审批：销售委员会于 2025-12-15 批准 · 职工代表协商 2025-12-10 · 公示 "
                                            "2025-12-20 · 文件 HR-2025-031")
    as_json = cli("explain", "--close", str(outcome.directory), "--employee", "E007", "--format", "json",
                  cwd=tmp_path)
    assert json.loads(as_json.stdout)["approval"] == RECORD
    verified = cli("verify", "--ledger", str(tmp_path / "l.sqlite"), cwd=tmp_path)
    assert verified.returncode == 0 and "verified: everything matches" in verified.stdout, verified.stderr


def test_the_record_is_in_the_english_report_too(tmp_path):
    outcome, _ = close(POLICY, tmp_path)
    page = (outcome.directory / "report.html").read_text(encoding="utf-8")
    assert ("Plan approval: approved by 销售委员会 on 2025-12-15 · consulted 2025-12-10 · published 2025-12-20 · "
            "document HR-2025-031") in page


def test_a_plan_without_approval_is_warned_closed_and_verifies(tmp_path):
    policy = policy_variant(tmp_path, "plan.yaml", "none")
    outcome, said = close(policy, tmp_path)
    [warning] = [s for s in said if s.startswith("warning: policy")]
    assert warning.startswith("warning: policy sales-rep has exit-type recommendations (exit_review) but no "
                              "approval record")
    assert closing.APPROVAL_KEY not in outcome.entry.totals
    assert "approval" not in json.loads((outcome.directory / "manifest.json").read_text(encoding="utf-8"))
    page = (outcome.directory / "report.html").read_text(encoding="utf-8")
    assert "No approval record: this plan can recommend exits (exit_review)" in page
    verified = cli("verify", "--ledger", str(tmp_path / "l.sqlite"), cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr


def test_the_warning_in_the_chinese_report(tmp_path):
    outcome, _ = close(policy_variant(tmp_path, "plan.yaml", "late"), tmp_path, lang="zh")
    page = (outcome.directory / "report.html").read_text(encoding="utf-8")
    assert "公示日期 2026-01-05 晚于本期开始日 2026-01-01" in page
    assert "方案审批：销售委员会于 2025-12-15 批准 · 职工代表协商 2025-12-10 · 公示 2026-01-05" in page


def test_published_after_the_period_start_is_warned_but_a_later_period_is_not(tmp_path):
    policy = policy_variant(tmp_path, "plan.yaml", "late")
    _, said = close(policy, tmp_path)
    assert [s for s in said if s.startswith("warning: policy")] == [
        "warning: policy sales-rep was published on 2026-01-05, after the start of period 2026-Q1 (2026-01-01), "
        "and has exit-type recommendations (exit_review): the rules were not made known to employees before the "
        "period they judge (Labour Contract Law Art. 4)"]
    _, later = close(policy, tmp_path, data=Q2, period="2026-Q2", strict=True)  # Q2 starts after publication
    assert not [s for s in later if s.startswith("warning: policy")]


@pytest.mark.parametrize("kind", ["none", "late"])
def test_strict_refuses_before_anything_is_written_or_recorded(tmp_path, kind):
    policy = policy_variant(tmp_path, "plan.yaml", kind)
    with pytest.raises(UsageError, match="--strict refuses to close it"):
        close(policy, tmp_path, strict=True)
    assert not (tmp_path / "out").exists() and not (tmp_path / "l.sqlite").exists()  # not even the ledger

    close(POLICY, tmp_path, data=Q2, period="2026-Q2")  # a ledger with one close in it
    before = (tmp_path / "l.sqlite").read_bytes()
    with pytest.raises(UsageError, match="--strict refuses to close it"):
        close(policy, tmp_path, strict=True)
    assert (tmp_path / "l.sqlite").read_bytes() == before and len(ledger_rows(tmp_path)) == 1
    assert sorted(p.name for p in (tmp_path / "out" / "sales-rep").iterdir()) == ["2026-Q2"]


def test_the_commands_warn_and_strict_exits_2(tmp_path):
    policy = policy_variant(tmp_path, "plan.yaml", "none")
    args = [str(policy), str(Q1), "--period", "2026-Q1", "--quiet"]
    refused = cli("close", *args, "--strict", "--ledger", str(tmp_path / "l.sqlite"), "--out", str(tmp_path / "out"),
                  cwd=tmp_path)
    assert refused.returncode == 2 and "no approval record" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "l.sqlite").exists()
    evaluated = cli("evaluate", *args, cwd=tmp_path)
    assert evaluated.returncode == 0
    assert "warning: policy sales-rep has exit-type recommendations (exit_review) but no approval record" \
        in evaluated.stderr
    strict = cli("evaluate", *args, "--strict", "--out", str(tmp_path / "dry"), cwd=tmp_path)
    assert strict.returncode == 2 and "--strict refuses to evaluate it" in strict.stderr
    assert not (tmp_path / "dry").exists()
    clean = cli("evaluate", str(POLICY), str(Q1), "--period", "2026-Q1", "--quiet", cwd=tmp_path)
    assert clean.returncode == 0 and "approval record" not in clean.stderr


def test_diff_and_sweep_say_when_a_variant_could_not_be_closed_as_it_stands(tmp_path):
    """A manager's what-if of a plan without an approval record is told so, once, and still runs."""
    unapproved = policy_variant(tmp_path, "plan.yaml", "none")
    diffed = cli("diff", str(POLICY), str(unapproved), str(Q1), "--period", "2026-Q1", cwd=tmp_path)
    assert diffed.returncode == 0, diffed.stderr
    assert diffed.stderr.count("has exit-type recommendations (exit_review) but no approval record") == 1
    swept = cli("sweep", str(unapproved), str(Q1), "--period", "2026-Q1",
                "--set-range", "payouts.commission.tiers.table[1].rate=0.04,0.05", cwd=tmp_path)
    assert swept.returncode == 0, swept.stderr
    assert swept.stderr.count("has exit-type recommendations (exit_review) but no approval record") == 1
    clean = cli("diff", str(POLICY), str(POLICY), str(Q1), "--period", "2026-Q1", cwd=tmp_path)
    assert clean.returncode == 0 and "approval record" not in clean.stderr
