"""HTML reports: charts present, self-contained, escaped, Chinese-ready, byte-stable."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from incentive.app.run import RunOptions, load, run_evaluation
from incentive.app.variants import run_diff
from incentive.report.diff_page import render_diff_report, write_diff_report
from incentive.report.evaluation_page import render_report, write_report

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "rules" / "sales-rep.yaml")
Q1 = str(ROOT / "examples" / "sales-rep" / "2026-Q1.csv")
WEIGHTS = ("kpis.sales.weight=50", "kpis.collection.weight=15")


@pytest.fixture(scope="module")
def results():
    return run_evaluation(POLICY, Q1, RunOptions(period="2026-Q1"))


@pytest.fixture(scope="module")
def diff():
    return run_diff(POLICY, POLICY, Q1, RunOptions(period="2026-Q1", overrides=WEIGHTS))


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


def assert_self_contained(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)  # only in-page references
    assert "@import" not in page and "url(http" not in page


def assert_unique_ids(page: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', page):
        target = ref[0] or ref[1]
        assert target in ids, target


def test_evaluation_report_has_the_charts(results):
    page = render_report(results)
    charts = svgs(page)
    assert len(charts) == 6  # score histogram, payout by band, payout by region, cost, headcount, adverse impact
    assert page.startswith("<!DOCTYPE html>")
    for title in ("Score distribution", "Total payout by band", "Total payout by region", "Cost by component",
                  "Headcount per band", "Adverse impact by gender"):
        assert title in page
    assert "lowest A" in charts[0] and "lowest B" in charts[0]  # band cutoffs marked on the histogram
    assert all("<text" in c for c in charts)  # text stays text (svg.fonttype none)
    assert "967,811.20" in page  # exact total in the tables
    assert_self_contained(page)
    assert_unique_ids(page)


def test_report_is_byte_identical_across_runs(results, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_report(results, a)
    again = run_evaluation(POLICY, Q1, RunOptions(period="2026-Q1"))
    write_report(again, b)
    assert a.read_bytes() == b.read_bytes()


def test_report_does_not_depend_on_row_order(results, tmp_path):
    shuffled = tmp_path / "shuffled.csv"
    frame = pl.read_csv(Q1, infer_schema=False)
    frame.reverse().write_csv(shuffled)
    other = run_evaluation(POLICY, str(shuffled), RunOptions(period="2026-Q1"))
    strip = lambda page: re.sub(r"data sha256 [0-9a-f]+", "", page)  # noqa: E731
    assert strip(render_report(other)) == strip(render_report(results))


def test_chinese_report_keeps_cjk_text_and_fonts(tmp_path):
    zh = run_evaluation(POLICY, Q1, RunOptions(period="2026-Q1", lang="zh"))
    path = tmp_path / "zh.html"
    write_report(zh, path, lang="zh")
    page = path.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "销售代表季度激励方案" in page and "综合得分分布" in page
    assert "华东" in "".join(svgs(page))  # group names drawn as SVG text
    assert "Noto Sans CJK SC" in page and "svg text { font-family:" in page


def test_text_from_the_policy_and_the_data_is_escaped(tmp_path):
    data = tmp_path / "evil.csv"
    frame = pl.read_csv(Q1, infer_schema=False)
    frame.with_columns(pl.when(pl.col("区域") == "华东").then(pl.lit("<b>East</b>&co"))
                       .otherwise(pl.col("区域")).alias("区域")).write_csv(data)
    evil_title = "title=<script>alert(1)</script> & $x$"
    results = run_evaluation(POLICY, str(data), RunOptions(period="2026-Q1", overrides=(evil_title,)))
    page = render_report(results)
    assert "<script>" not in page and "<b>East" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $x$" in page
    assert "&lt;b&gt;East&lt;/b&gt;&amp;co" in page
    assert_self_contained(page)


def test_diff_report_has_distributions_costs_and_migration(diff):
    page = render_diff_report(diff)
    charts = svgs(page)
    assert len(charts) == 4  # totals before/after, cost old vs new, migration heatmap, band counts
    for title in ("Total payout per person, before and after", "Cost by component, old vs new", "Band migration",
                  "Headcount per band, old vs new"):
        assert title in page
    assert "band migration — rows: old band" in page  # the matrix as a table too
    assert "+32,600.00" in page  # the cost delta
    assert "biggest gainers" in page and "biggest losers" not in page  # on this data everybody gains or stays
    assert_self_contained(page)
    assert_unique_ids(page)


def test_diff_report_is_byte_identical_across_runs(diff, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_diff_report(diff, a, lang="zh")
    write_diff_report(run_diff(POLICY, POLICY, Q1, RunOptions(period="2026-Q1", overrides=WEIGHTS)), b, lang="zh")
    assert a.read_bytes() == b.read_bytes()
    assert "档位迁移矩阵" in a.read_text(encoding="utf-8")


def test_report_for_a_policy_without_ranking(tmp_path):
    policy = tmp_path / "flat.yaml"
    policy.write_text(
        'policy: flat\nversion: "1"\ntitle: Flat\nperiod: month\ncurrency: CNY\n'
        "inputs:\n  employee_id: {type: id}\n  revenue: {type: money, min: 0}\n"
        "kpis:\n  sales: {value: revenue, weight: 100, score: {curve: [[0, 0], [1000, 100]]}}\n"
        "payouts:\n  commission: {amount: revenue * 0.05}\n", encoding="utf-8")
    data = tmp_path / "flat.csv"
    data.write_text("employee_id,revenue\nA,100\nB,900\nC,2000\n", encoding="utf-8")
    results = run_evaluation(str(policy), str(data), RunOptions(period="2026-01"))
    page = render_report(results)
    assert len(svgs(page)) == 2  # score distribution and cost; no band charts
    assert "Headcount per band" not in page
    assert_self_contained(page)
    assert load(str(policy)).policy.ranking is None


_STATE_SCRIPT = """
import json, sys
import matplotlib
matplotlib.use("svg")  # a backend the page must not replace (it needs none: Figure objects save themselves)
before = {"backend": matplotlib.get_backend(), "rc": {k: repr(v) for k, v in matplotlib.rcParams.items()}}
from incentive.app.variants import run_diff
from incentive.report.diff_page import render_diff_report
from incentive.report.evaluation_page import render_report
from incentive.app.run import RunOptions, run_evaluation
policy, data = sys.argv[1], sys.argv[2]
page = render_report(run_evaluation(policy, data, RunOptions(period="2026-Q1")), lang="zh")
diff = render_diff_report(run_diff(policy, policy, data, RunOptions(period="2026-Q1", overrides=("kpis.sales.weight=50",
                                                                                              "kpis.collection.weight=15"))))
after = {"backend": matplotlib.get_backend(), "rc": {k: repr(v) for k, v in matplotlib.rcParams.items()}}
print(json.dumps({"same": before == after, "backend": after["backend"],
                  "changed": sorted(k for k in after["rc"] if after["rc"][k] != before["rc"].get(k)),
                  "pyplot": "matplotlib.pyplot" in sys.modules, "charts": page.count("<svg") + diff.count("<svg")}))
"""


def test_rendering_leaves_matplotlib_state_as_it_found_it():
    """Library code leaves process-wide state alone: no backend selection, no rcParams left changed, no pyplot."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", _STATE_SCRIPT, POLICY, Q1], capture_output=True, text=True,
                         env=env, check=True)
    state = json.loads(out.stdout)
    assert state["charts"] == 10  # the pages were drawn
    assert state["backend"] == "svg"
    assert state["changed"] == [] and state["same"]
    assert not state["pyplot"]


def test_chinese_charts_name_components_by_label_and_show_what_a_veto_took():
    """Under --lang zh no chart label is a policy id, and the cost chart shows the forfeited amount
    (Q2: E028's compliance veto took 21,510.80) where the veto's own bar is 0 -- as the tables do."""
    import yaml

    q2 = str(ROOT / "examples" / "sales-rep" / "2026-Q2.csv")
    page = render_report(run_evaluation(POLICY, q2, RunOptions(period="2026-Q2", lang="zh")), lang="zh")
    spec = yaml.safe_load(Path(POLICY).read_text(encoding="utf-8"))
    ids = {key for section in ("inputs", "derived", "aggregates", "kpis", "payouts", "penalties")
           for key in spec.get(section) or {}}
    labels = [t for chart in svgs(page) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", chart, re.S)]
    english = [t for t in labels if re.search(r"[A-Za-z]{2,}", t.replace("CNY", ""))]  # the currency code stays
    assert not english, english
    assert not [t for t in labels if any(re.search(rf"\b{re.escape(i)}\b", t) for i in ids)]
    cost = next(c for c in svgs(page) if 'id="cost-' in c)
    shown = re.findall(r"<text\b[^>]*>(.*?)</text>", cost, re.S)
    assert shown[shown.index("提成"):shown.index("合计") + 1] == ["提成", "绩效奖金", "− 日报缺交", "− 一票否决",
                                                                  "一票否决没收", "合计"]
    assert "21,511" in shown  # what the veto took, not just the 0 of its own bar
    assert "数据 sha256" in page and "data sha256" not in page


def test_english_cost_chart_keeps_the_ids_and_shows_what_a_veto_took():
    q2 = str(ROOT / "examples" / "sales-rep" / "2026-Q2.csv")
    page = render_report(run_evaluation(POLICY, q2, RunOptions(period="2026-Q2")))
    cost = next(c for c in svgs(page) if 'id="cost-' in c)
    shown = re.findall(r"<text\b[^>]*>(.*?)</text>", cost, re.S)
    assert shown[shown.index("commission"):shown.index("total") + 1] == ["commission", "bonus", "− late_reports",
                                                                          "− compliance", "forfeited by compliance",
                                                                          "total"]
    assert "21,511" in shown  # the veto's own bar is 0: what it took is its own grey bar, as in zh
