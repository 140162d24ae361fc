"""C8: under ``--lang zh`` every output a person reads is Chinese, bar ids.

Renders every output of the example policy in Chinese -- the summary,
explain, explain --close, diff, report.html (its text and its charts' SVG
text), the diff page, results CSV with ``--headers labels``, results.xlsx's
label row and sheet names, recommendations -- strips what is an id (policy,
KPI, payout, penalty, band, rule and action ids, input ids and columns,
employee ids, currency, the policy's own expressions and untranslated
policy text, file paths) and fails on any English word of 3+ letters left.
"""

from __future__ import annotations

import csv
import html
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from incentive.cli.main import cli

ROOT = Path(__file__).parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q2 = ROOT / "examples" / "sales-rep" / "2026-Q2.csv"
WORD = re.compile(r"[A-Za-z]{3,}")
#: policy vocabulary that is an id, not prose: rounding and tier modes, aggregate functions, the
#: engine's expression functions, Excel/format words
KEYWORDS = {"half_up", "half_even", "marginal", "step", "linear", "sum", "count", "mean", "min", "max", "all",
            "safe_div", "months_between", "days_between", "clamp", "streak", "period_end", "period_days", "CNY",
            "incentive", "sha256", "min_group"}


def _ids() -> set[str]:
    """Every id and policy-authored text that stays as written."""
    spec = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    out = {spec["policy"], str(spec["version"])}
    for section in ("inputs", "derived", "aggregates", "kpis", "payouts", "penalties", "recommendations", "budgets"):
        for key, value in (spec.get(section) or {}).items():
            out.add(key)
            out.update({f"{key}_value", f"{key}.when"})
            if isinstance(value, dict):
                for field in ("action", "column", "by", "when", "value", "base", "amount", "gate"):
                    v = value.get(field)
                    out.update(v if isinstance(v, list) else [str(v)] if v is not None else [])
                out.update(value.get("next_steps") or [])  # the policy's own text, given only in one language
    for band in spec["ranking"]["bands"]:
        out.add(band)
    out.update({"rank", "percentile", "band", "band_reason", "rank_group", "group_size", "eligible", "score",
                "total", "forfeited", "recommendations", "employee_id"})
    return out


def _leftover(text: str, ids: set[str]) -> list[str]:
    text = re.sub(r"--set \S+|/\S+", " ", text)  # the user's own command line: file paths, --set PATH=VALUE
    text = text.replace("payouts.commission.tiers.table[1].rate", " ")  # the sweep's --set-range path
    text = text.replace("sales-rep", " ")  # the policy id (split by the hyphen below)
    text = re.sub(r"sha256 [0-9a-f]{12}", " ", text)  # a data hash prefix is no word, whatever letters it holds
    words = [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", text)]
    return sorted({w for w in words if w not in ids and w not in KEYWORDS and WORD.search(w)
                   and not re.fullmatch(r"E\d+|p\d+|\d.*", w)})


def _page_text(page: str) -> str:
    """What a reader sees on a page: element text (including SVG <text>), no markup, no CSS."""
    page = re.sub(r"<style\b[^>]*>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<(path|defs|clipPath|g|use)\b[^>]*>", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("zh")
    runner = CliRunner()
    texts: dict[str, str] = {}

    def run(name: str, args: list[str]) -> None:
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (name, result.output)
        texts[name] = result.stdout

    base = [str(POLICY), str(Q2), "--period", "2026-Q2", "--lang", "zh"]
    run("summary", ["evaluate", *base, "--out", str(root / "ev"), "--headers", "labels", "--html",
                    str(root / "r.html")])
    run("explain", ["explain", *base, "--employee", "E028"])
    run("explain-ranked", ["explain", *base, "--employee", "E001"])
    run("explain-unranked", ["explain", *base, "--employee", "E049"])
    run("diff", ["diff", str(POLICY), *base[:1], *base[1:], "--set", "kpis.sales.weight=50", "--set",
                 "kpis.csat.weight=0", "--html", str(root / "d.html")])
    run("sweep", ["sweep", *base, "--set-range", "payouts.commission.tiers.table[1].rate=0.04,0.05"])
    run("close", ["close", *base, "--ledger", str(root / "l.sqlite"), "--out", str(root / "out"), "--xlsx"])
    close_dir = root / "out" / "sales-rep" / "2026-Q2"
    run("explain-close", ["explain", "--close", str(close_dir), "--employee", "E028", "--lang", "zh"])
    texts["report.html"] = _page_text((root / "r.html").read_text(encoding="utf-8"))
    texts["close report.html"] = _page_text((close_dir / "report.html").read_text(encoding="utf-8"))
    texts["diff.html"] = _page_text((root / "d.html").read_text(encoding="utf-8"))
    with open(root / "ev" / "results.csv", encoding="utf-8-sig", newline="") as fh:
        texts["results.csv headers"] = " ".join(next(csv.reader(fh)))
    with open(root / "ev" / "recommendations.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    texts["recommendations.csv"] = " ".join(rows[0]) + " " + " ".join(r[4] for r in rows[1:])  # headers, reasons
    from tests.hostile.harness import read_xlsx_cells

    book = close_dir / "results.xlsx"
    with zipfile.ZipFile(book) as z:
        texts["xlsx sheets"] = " ".join(re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode()))
    rows_x, _ = read_xlsx_cells(book, first_sheet=True)
    texts["xlsx labels"] = " ".join(t for _, t in rows_x[0])
    return texts


NAMES = ["summary", "sweep", "explain", "explain-ranked", "explain-unranked", "explain-close", "diff", "report.html", "close report.html",
         "diff.html", "results.csv headers", "recommendations.csv", "xlsx sheets", "xlsx labels"]


@pytest.mark.parametrize("name", NAMES)
def test_no_english_prose_in_zh(outputs, name):
    left = _leftover(outputs[name], _ids())
    assert not left, f"{name}: English left under --lang zh: {left}\n{outputs[name][:3000]}"


def test_a_policy_action_label_is_shown(tmp_path):
    text = POLICY.read_text(encoding="utf-8").replace(
        "    action: improvement_plan\n", "    action: custom:pip\n    action_label: {en: PIP, zh: 个人改进计划}\n")
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(policy), str(Q2), "--period", "2026-Q2", "--lang", "zh",
                                      "--employee", "E028"])
    assert result.exit_code == 0, result.output
    assert "improvement = custom:pip (个人改进计划)" in result.stdout


def test_zh_titles_and_axes(outputs):
    assert "评估报告" in outputs["close report.html"]  # the close's report follows --lang
    assert "Evaluation report" not in outputs["close report.html"]
    assert "按区域的总奖金分布" in outputs["report.html"]  # the group's label, not its id
    assert "总额 (CNY)" in outputs["report.html"]
    assert "被 compliance 强制定为 C 档" in outputs["explain"]
    assert "不参与排名：入职不满3个月" in outputs["explain-unranked"]  # the policy's own zh reason
    assert "improvement = improvement_plan (绩效改进计划)" in outputs["explain"]  # the action id and its label
    assert "综合得分" in outputs["results.csv headers"] and "没收金额" in outputs["xlsx labels"]
