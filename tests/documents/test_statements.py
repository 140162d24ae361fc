"""Statement pieces a reader relies on: safe file names, the policy's words in place of its ids, and the
PDF template printing data as text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from incentive.app.statements import file_names
from incentive.documents import pdf
from incentive.documents.statement.html import render_html
from incentive.documents.statement.model import relabeler
from incentive.policy.validate import load_policy

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
_PORTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html")


def test_plain_ids_name_their_file_and_every_other_id_gets_a_safe_unique_name():
    ids = ["E007", "../etc/passwd", "a/b", "a b", "a_b", "CON", "nul.txt", "", ".hidden", "x" * 300, "张三",
           "e007", "Ab", "ab", "-rf"]
    assert file_names(["E007", "a_b", "x.y-1"], "html") == {"E007": "E007.html", "a_b": "a_b.html",
                                                             "x.y-1": "x.y-1.html"}
    names = file_names(ids, "html")
    assert names["a_b"] == "a_b.html"
    assert names["E007"] != "E007.html" and names["e007"] != "e007.html"  # they would be one file on macOS
    assert len(set(names.values())) == len(ids)
    assert len({n.casefold() for n in names.values()}) == len(ids)  # unique on a case-insensitive disk too
    for employee, name in names.items():
        assert _PORTABLE.fullmatch(name), name
        assert len(name.encode()) <= 120 and "/" not in name and not name.startswith("."), name
    for reserved in ("CON", "nul.txt"):  # Windows reserves the stem before the first dot
        assert names[reserved].split(".")[0].upper() not in ("CON", "NUL"), names[reserved]
    assert file_names(["../x"], "pdf") == file_names(["../x"], "pdf")  # the same id, the same name every time


def test_ids_in_explain_lines_become_the_policy_s_labels():
    policy = load_policy(str(POLICY)).policy
    zh, en = relabeler(policy, "zh"), relabeler(policy, "en")
    assert zh("门槛 collection_rate >= 0.6 and violation") == "门槛 回款率 >= 0.6 且 合规违规"
    assert zh("被 compliance 没收（原为 1.00）") == "被 一票否决 没收（原为 1.00）"
    assert zh("region 华东 末 10%") == "区域 华东 末 10%"
    assert en("forfeited by compliance") == "forfeited by Compliance veto"
    assert en("collection_rate >= 0.6") == "Collection rate >= 0.6"


def _doc(name: str) -> dict:
    words = {k: k for k in ("statement", "period", "employee", "id", "group", "kpis", "kpi", "value", "target",
                            "points", "weight", "score", "band", "payouts", "penalties", "adjustments", "amount", "total",
                            "recommendations", "reason", "next steps", "history", "history period", "inquiry",
                            "verify", "policy sha", "data sha", "entry hash", "verify with", "approval", "colon")}
    return {"lang": "zh", "words": words, "title": "方案 <b>", "policy": "p 1", "period": "2026-Q1",
            "currency": "CNY", "employee_id": "E1", "name": name, "approval": "",
            "kpis": [{"label": name, "value": "1", "target": "1", "points": "100", "weight": "100"}],
            "score": "100", "score_lines": [name],
            "band": {"band": "A", "group": name, "rank": "1", "reason": name, "cutoffs_title": "", "cutoffs": []},
            "payouts": [{"label": name, "amount": "1.00", "lines": [name]}], "penalties": [], "adjustments": [], "total": "1.00",
            "total_label": "合计", "total_lines": [], "recommendations": [], "no_recommendations": "无",
            "history": {"rows": [["2026-Q1", name, "1", "1.00"]], "note": "", "head": ["a", "b", "c", "d"]},
            "inquiry": {"text": name, "command": name, "about": "", "components": []},
            "footer": {"policy_sha": "0" * 64, "data_sha": "1" * 64, "entry_hash": "2" * 64, "verify": "v"}}


HOSTILE = '#link("https://evil.example")[点我] *粗* $x$ <script>alert(1)</script> ` ] ) \\ // #set page(width: 1cm)'


def test_html_escapes_every_value():
    page = render_html(_doc(HOSTILE))
    assert "<script>" not in page and "<b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8


def test_the_pdf_template_prints_data_as_written(tmp_path):
    [out] = pdf.Renderer("statement.typ").render_each([_doc(HOSTILE)], ["t"])
    path = tmp_path / "s.pdf"
    path.write_bytes(out)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert '#link("https://evil.example")[点我] *粗* $x$ <script>alert(1)</script>' in text
    assert b"/URI" not in out
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in info  # `#set page(width: 1cm)` in a name did not resize the page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_same_statement_same_pdf_bytes(lang):
    docs = [{**_doc(name), "lang": lang, "employee_id": e} for e, name in (("E1", "孙涛娟"), ("E2", "李四"))]
    first = pdf.Renderer("statement.typ").render_each(docs, ["a", "b"])
    assert first == pdf.Renderer("statement.typ").render_each(docs, ["a", "b"])


def test_a_batch_is_split_into_one_pdf_per_person_even_where_one_runs_over_pages(tmp_path):
    """One compile lays out many statements; each file holds exactly its person's pages, with its title."""
    long = _doc("王五")
    long["history"] = {"head": ["期间", "档位", "得分", "合计"], "note": "",
                       "rows": [[f"2020-Q{k}", "B", "70", "1,000.00"] for k in range(120)]}  # several pages
    docs = [{**_doc("甲"), "employee_id": "E1"}, {**long, "employee_id": "E2"}, {**_doc("丙"), "employee_id": "E3"}]
    files = pdf.Renderer("statement.typ").render_each(docs, ["T1", "T2", "T3"])
    assert len(files) == 3
    pages = []
    for k, data in enumerate(files, 1):
        path = tmp_path / f"{k}.pdf"
        path.write_bytes(data)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert f"Title:           T{k}" in info
        pages.append(int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))))
        text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert f"E{k}" in text and not {f"E{j}" for j in (1, 2, 3) if j != k} & set(text.split())
    assert pages[0] == pages[2] == 1 and pages[1] > 1
