"""results.xlsx carries the plan's approval record (and any warning) at the end of its summary sheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from incentive.app.run import RunOptions, run_evaluation
from incentive.report.book import results_sheets

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q1 = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"


def summary_rows(policy: Path, lang: str) -> list[dict]:
    results = run_evaluation(str(policy), str(Q1), RunOptions(period="2026-Q1", lang=lang))
    sheet = results_sheets(results, lang)[-1]
    return sheet.frame.to_dicts()


@pytest.mark.parametrize("lang, title, line", [
    ("en", "Plan approval", "Plan approval: approved by 销售委员会 on 2025-12-15 · consulted 2025-12-10 · "
                            "published 2025-12-20 · document HR-2025-031"),
    ("zh", "方案审批", "方案审批：销售委员会于 2025-12-15 批准 · 职工代表协商 2025-12-10 · 公示 2025-12-20 · 文件 HR-2025-031"),
])
def test_the_record_is_the_last_row_of_the_summary(lang, title, line):
    last = summary_rows(POLICY, lang)[-1]
    assert (last["table"], last["text"], last["value"]) == (title, line, None)


def test_a_plan_without_a_record_says_so_in_the_book(tmp_path):
    text = POLICY.read_text(encoding="utf-8")
    policy = tmp_path / "plan.yaml"
    policy.write_text(text[:text.index("\n# Plan approval record")] + "\n", encoding="utf-8")
    last = summary_rows(policy, "en")[-1]
    assert last["table"] == "Plan approval"
    assert last["text"].startswith("No approval record: this plan can recommend exits (exit_review)")
