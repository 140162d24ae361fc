"""Plan documents of every shipped policy, in both languages and all three formats: they render, say what the
policy says (its hash, its tiers, its labels as text, never as markup) and give the same bytes every time."""

from __future__ import annotations

import hashlib
import html as html_mod
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from incentive.app.plan import plan_document, render
from incentive.documents.plan.model import PlanDocument

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
POLICIES = sorted(p.name for p in RULES.glob("*.yaml") if not p.name.endswith(".test.yaml"))
SALES_REP = RULES / "sales-rep.yaml"


@lru_cache(maxsize=None)
def doc(path: str, lang: str) -> PlanDocument:
    return plan_document(path, lang)


@lru_cache(maxsize=None)
def rendered(path: str, lang: str, fmt: str) -> bytes:
    return render(doc(path, lang), fmt)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_text(page: str) -> str:
    """What a reader of the HTML sees: element text, no CSS, no tags."""
    page = re.sub(r"<style\b[^>]*>.*?</style>", " ", page, flags=re.S)
    return html_mod.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_shipped_policies_are_found():
    assert {"sales-rep.yaml", "sales-manager.yaml", "service-quality.yaml"} <= set(POLICIES)


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", POLICIES)
def test_every_shipped_policy_renders(name, lang, fmt, tmp_path):
    path = RULES / name
    data = rendered(str(path), lang, fmt)
    d = doc(str(path), lang)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
        text = pdf_text(data, tmp_path)
    else:
        text = data.decode("utf-8")
        if fmt == "html":
            assert text.startswith("<!DOCTYPE html>") and "<script" not in text
            text = page_text(text)
        else:
            text = text.replace("\\", "")  # Markdown escapes
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", d.title) in flat
    assert sha in flat  # header / footer: a signed copy is matched to its policy file
    kpis = [s for s in d.sections if s.key == "kpis"]
    for kpi in (kpis[0].blocks[1].rows if kpis else ()):  # the KPI table: its labels
        assert re.sub(r"\s+", "", kpi[0]) in flat


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_the_same_policy_gives_the_same_bytes(fmt):
    first = render(plan_document(str(SALES_REP), "zh"), fmt)
    assert render(plan_document(str(SALES_REP), "zh"), fmt) == first


def test_zh_pdf_is_searchable_chinese_text(tmp_path):
    text = pdf_text(rendered(str(SALES_REP), "zh", "pdf"), tmp_path)
    assert "销售代表季度激励方案" in text  # the plan title
    assert "销售额达成率" in text and "回款率" in text  # KPI labels
    assert "超额累进" in text  # marginal tiers, in words


def _variant(tmp_path: Path, old: str, new: str, name: str = "p.yaml") -> Path:
    text = SALES_REP.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_tier_rate_change_changes_the_document(tmp_path):
    changed = _variant(tmp_path, "{from: 1.0, rate: 0.05}", "{from: 1.0, rate: 0.06}")
    before = rendered(str(SALES_REP), "en", "md").decode()
    after = render(plan_document(str(changed), "en"), "md").decode()
    tier_row = re.compile(r"^\| 1 \| 1\.5 \| (\d+)% \|$", re.M)
    assert tier_row.findall(before) == ["5"] and tier_row.findall(after) == ["6"]
    # the worked example is re-run by the engine: the explained person's commission moves with the rate
    assert _commission(before) != _commission(after)


def _commission(md: str) -> str:
    m = re.search(r"^\| commission \(Commission\) \| ([\d,.]+) \|", md, re.M)
    assert m, md[-3000:]
    return m[1]


HOSTILE_TITLE = '<script>alert(1)</script> #link("https://evil.example")[x] *b* [y](javascript:alert(1))'
HOSTILE_KPI = '<img src=x onerror=alert(2)> #emph[k] $x$ | `code`'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    text = SALES_REP.read_text(encoding="utf-8")
    text = text.replace("title: {en: Sales representative quarterly plan, zh: 销售代表季度激励方案}",
                        f"title: {{en: '{HOSTILE_TITLE}', zh: '{HOSTILE_TITLE}'}}")
    text = text.replace("label: {en: Revenue attainment, zh: 销售额达成率}", f"label: {{en: '{HOSTILE_KPI}'}}")
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_text_is_never_html(hostile):
    page = render(plan_document(str(hostile), "en"), "html").decode()
    assert "<script" not in page and "<img" not in page and "<a " not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    shown = page_text(page)
    assert HOSTILE_TITLE in shown and HOSTILE_KPI in shown


def test_policy_text_is_never_markdown(hostile):
    md = render(plan_document(str(hostile), "en"), "md").decode()
    assert "<script" not in md and "<img" not in md
    assert not re.search(r"(?<!\\)\]\(", md)  # the link syntax is escaped: \[y\](javascript...
    title = md.splitlines()[0]
    assert title.startswith("# &lt;script&gt;") and "\\*b\\*" in title and "\\[y\\]" in title


def test_policy_text_is_never_typst_markup(hostile, tmp_path):
    data = render(plan_document(str(hostile), "en"), "pdf")
    assert b"/URI" not in data  # no link was made from #link(...) or [y](...)
    text = re.sub(r"\s+", " ", pdf_text(data, tmp_path))
    assert '#link("https://evil.example")[x] *b*' in text
    assert "#emph[k] $x$" in text


CASES = sorted((ROOT / "tests" / "cases" / "valid").glob("*.yaml"))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_smaller_policies_render_and_say_what_they_lack(case, lang):
    d = plan_document(str(case), lang)
    md = render(d, "md").decode()
    assert render(d, "html").decode().startswith("<!DOCTYPE html>")
    example = next(s for s in d.sections if s.key == "example")
    people = next(b for b in example.blocks if hasattr(b, "headers"))
    from incentive.policy.validate import load_policy

    policy = load_policy(case).policy
    if policy.ranking is None:
        assert ("本方案不排名。" if lang == "zh" else "This plan does not rank people.") in md
        assert len(people.headers) == 3  # person, score, total: no band column for a plan without bands
    if not policy.penalties:
        assert ("本方案没有扣款项。" if lang == "zh" else "This plan has no penalties.") in md


def test_draws_sign_off_and_the_appeal_window_are_stated():
    draw_zh = rendered(str(RULES / "new-rep-draw.yaml"), "zh", "md").decode()
    draw_en = rendered(str(RULES / "new-rep-draw.yaml"), "en", "md").decode()
    assert "| 可追回保底 | `advance` | 提成 | 可追回（垫付） | `1500` | 不限 | 0 | 报告以便追回 |" in draw_zh
    assert "| Recoverable draw | `advance` | Commission | recoverable (an advance) | `1500` |" in draw_en
    rep_en = rendered(str(SALES_REP), "en", "md").decode()
    rep_zh = rendered(str(SALES_REP), "zh", "md").decode()
    assert "approved by: the manager, HR, in this order" in rep_en and "依次经以下审批：经理、人力资源" in rep_zh
    assert "within 7 days after the close" in rep_en and "结算后 7 天内" in rep_zh
    assert "## Draws" not in rep_en  # a plan without draws says nothing about them
