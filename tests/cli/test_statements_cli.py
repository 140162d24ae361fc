"""``incentive statements``: per-person statements of the three example quarters, through the real command.

The quarters are closed once (README, "A period close, three quarters in a
row") with one name made hostile in Q3 -- markup for HTML and for Typst -- and
every test reads the statements written from those closes.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep"
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]
HOSTILE_ID = "E003"
HOSTILE = '<script>alert(1)</script> #link("x")[点我] *粗*'


#: for a command in this process: unset what ``cli`` leaves out of the environment
WITHOUT_INCENTIVE_SETTINGS: dict[str, str | None] = {k: None for k in os.environ if k.startswith("INCENTIVE_")}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


def _with_hostile_name(source: Path, target: Path) -> None:
    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # Q3 is saved as GBK, as Chinese Excel does
    rows = list(csv.reader(text.splitlines()))
    for row in rows[1:]:
        if row[0] == HOSTILE_ID:
            row[1] = HOSTILE
    with open(target, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture(scope="module")
def closed(tmp_path_factory, incentive_in_process) -> Path:
    """A folder with ledger.sqlite and out/sales-rep/<quarter>/ of the three quarters (closed in this
    process: the set-up, not what these tests check)."""
    root = tmp_path_factory.mktemp("quarters")
    for quarter in QUARTERS:
        data = DATA / f"{quarter}.csv"
        if quarter == "2026-Q3":
            data = root / "2026-Q3.csv"
            _with_hostile_name(DATA / "2026-Q3.csv", data)
        done = incentive_in_process("close", str(POLICY), str(data), "--period", quarter, "--ledger", "ledger.sqlite",
                                    "--out", "out", "--by", "hr", cwd=root, env=WITHOUT_INCENTIVE_SETTINGS)
        assert done.returncode == 0, done.stderr
        head = re.search(r"ledger head: ([0-9a-f]{64})", done.stdout)
        assert head, done.stdout
        (root / f"{quarter}.head").write_text(head[1])  # the entry hash of this quarter's close
    return root


def _close(root: Path, quarter: str = "2026-Q3") -> str:
    return str(Path("out") / "sales-rep" / quarter)


def _people(root: Path, quarter: str = "2026-Q3") -> dict[str, dict[str, str]]:
    with open(root / _close(root, quarter) / "results.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["employee_id"]: r for r in csv.DictReader(fh)}


class _Text(HTMLParser):
    """The text a reader sees, without the commands (pre/code) they type."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("code", "pre", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("code", "pre", "style", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _visible(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts), parser.tags


@pytest.fixture(scope="module")
def html_statements(closed: Path) -> dict[str, Path]:
    out = {}
    for lang in ("en", "zh"):
        done = cli("statements", _close(closed), "--out", f"st-{lang}", "--lang", lang, "--ledger", "ledger.sqlite",
                   cwd=closed)
        assert done.returncode == 0, done.stderr
        out[lang] = closed / f"st-{lang}"
    return out


def test_one_statement_per_person_in_each_language(closed, html_statements):
    people = _people(closed)
    for lang, folder in html_statements.items():
        assert sorted(p.name for p in folder.iterdir()) == sorted(f"{e}.html" for e in people)
        page = (folder / "E007.html").read_text(encoding="utf-8")
        assert people["E007"]["name"] in page
        total = f"{Decimal(people['E007']['total']):,.2f}"
        assert total in page
        assert "@page" in page and "A4" in page and "<script" not in page.lower()


def test_the_chinese_statement_has_no_english_prose(html_statements):
    text, _ = _visible((html_statements["zh"] / "E007.html").read_text(encoding="utf-8"))
    for chinese in ("个人激励结算单", "销售代表季度激励方案", "绩效指标", "综合得分", "档位", "待改进（C）",
                    "奖金项", "提成", "绩效奖金", "门槛条件 回款率 >= 0.6：未满足", "扣款与没收", "日报缺交",
                    "合计（CNY）", "绩效改进计划", "退出评估", "辅导、培训", "历史结算记录", "疑问与申诉",
                    "区域 华东 末 10%", "方案审批"):
        assert chinese in text, chinese
    for english in ("Incentive statement", "Performance indicators", "Weighted score", "Band", "Rank", "Payouts",
                    "Commission", "Performance bonus", "gross", "band factor", "prorated", "cap", "condition",
                    "not met", "Penalties", "applies when", "Total", "Recommendations", "improvement plan",
                    "exit review", "coaching", "training", "bottom band", "History", "Questions", "contact HR",
                    "region", "collection_rate", "missed_reports", "violation", "lowest score", "floor", "slice",
                    "marginal", "Plan approval", "none", "true", "false"):
        assert not re.search(rf"(?<![A-Za-z_]){re.escape(english)}(?![A-Za-z_])", text, re.IGNORECASE), english


def test_the_english_statement_reads_in_english(html_statements):
    text, _ = _visible((html_statements["en"] / "E007.html").read_text(encoding="utf-8"))
    for english in ("Incentive statement", "Sales representative quarterly plan", "Revenue attainment",
                    "Weighted score", "C (Needs improvement)", "Commission", "condition Collection rate >= 0.6: not met",
                    "improvement plan", "History across closed periods", "raise an inquiry within 7 days"):
        assert english in text, english
    assert "综合得分" not in text and "合计" not in text


def test_the_footer_names_the_close_s_hashes_and_how_to_verify_them(closed, html_statements):
    page = (html_statements["zh"] / "E007.html").read_text(encoding="utf-8")
    import json

    manifest = json.loads((closed / _close(closed) / "manifest.json").read_text(encoding="utf-8"))
    footer = page[page.index("<footer>"):]
    assert manifest["policy"]["sha256"] in footer and manifest["data"]["sha256"] in footer
    assert (closed / "2026-Q3.head").read_text() in footer
    assert f"incentive verify {_close(closed)}" in footer


def test_history_shows_the_earlier_quarters_and_no_later_one(closed, html_statements):
    q3 = (html_statements["en"] / "E007.html").read_text(encoding="utf-8")
    history = q3[q3.index("History across closed periods"):]
    for quarter in QUARTERS:
        assert f"<td>{quarter}</td>" in history
    q1_total = f"{Decimal(_people(closed, '2026-Q1')['E007']['total']):,.2f}"
    assert q1_total in history
    done = cli("statements", _close(closed, "2026-Q1"), "--out", "st-q1", "--employee", "E007",
               "--ledger", "ledger.sqlite", cwd=closed)
    assert done.returncode == 0, done.stderr
    q1 = (closed / "st-q1" / "E007.html").read_text(encoding="utf-8")
    assert "<td>2026-Q1</td>" in q1 and "2026-Q2" not in q1 and "2026-Q3" not in q1


def test_a_hostile_name_prints_as_text_in_html(html_statements):
    page = (html_statements["en"] / f"{HOSTILE_ID}.html").read_text(encoding="utf-8")
    text, tags = _visible(page)
    assert HOSTILE in text
    assert "script" not in tags and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def pdf_statements(closed: Path) -> Path:
    done = cli("statements", _close(closed), "--out", "pdf-zh", "--lang", "zh", "--format", "pdf",
               "--ledger", "ledger.sqlite", "--employee", "E007", "--employee", HOSTILE_ID, "--employee", "E028",
               cwd=closed)
    assert done.returncode == 0, done.stderr
    return closed / "pdf-zh"


def test_a_pdf_statement_holds_the_name_and_the_total(closed, pdf_statements):
    people = _people(closed)
    assert sorted(p.name for p in pdf_statements.iterdir()) == sorted(f"{e}.pdf" for e in ("E007", HOSTILE_ID, "E028"))
    text = _pdf_text(pdf_statements / "E007.pdf")
    assert people["E007"]["name"] in text
    assert f"{Decimal(people['E007']['total']):,.2f}" in text
    assert "合计（CNY）" in text and "2026-Q1" in text  # the history section
    info = subprocess.run(["pdfinfo", str(pdf_statements / "E007.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info) and "595.276 x 841.89" in info  # one A4 page


def test_a_hostile_name_prints_as_text_in_pdf(pdf_statements):
    pdf = (pdf_statements / f"{HOSTILE_ID}.pdf").read_bytes()
    text = _pdf_text(pdf_statements / f"{HOSTILE_ID}.pdf")
    assert '<script>alert(1)</script> #link("x")[点我] *粗*' in text
    assert b"/URI" not in pdf


def test_pdfs_are_byte_identical_on_re_render(closed, pdf_statements):
    done = cli("statements", _close(closed), "--out", "pdf-zh-again", "--lang", "zh", "--format", "pdf",
               "--ledger", "ledger.sqlite", "--employee", "E028", "--employee", "E007", "--employee", HOSTILE_ID,
               cwd=closed)
    assert done.returncode == 0, done.stderr
    for name in ("E007.pdf", f"{HOSTILE_ID}.pdf", "E028.pdf"):
        assert (closed / "pdf-zh-again" / name).read_bytes() == (pdf_statements / name).read_bytes(), name


def test_without_a_ledger_the_history_section_says_so(closed):
    done = cli("statements", _close(closed), "--out", "st-noledger", "--employee", "E007", "--lang", "zh",
               "--ledger", "missing.sqlite", cwd=closed)
    assert done.returncode == 0, done.stderr
    text, _ = _visible((closed / "st-noledger" / "E007.html").read_text(encoding="utf-8"))
    assert f"未显示历史记录：{closed / 'missing.sqlite'} 处没有台账。" in text
    assert not (closed / "missing.sqlite").exists()


def test_the_default_language_is_the_close_s(closed, tmp_path):
    done = cli("close", str(POLICY), str(DATA / "2026-Q1.csv"), "--period", "2026-Q1", "--lang", "zh",
               "--ledger", "l.sqlite", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = cli("statements", "out/sales-rep/2026-Q1", "--out", "st", "--employee", "E001", "--ledger", "l.sqlite",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "个人激励结算单" in (tmp_path / "st" / "E001.html").read_text(encoding="utf-8")
    done = cli("statements", _close(closed), "--out", "st-default", "--employee", "E001",
               "--ledger", "ledger.sqlite", cwd=closed)
    assert "Incentive statement" in (closed / "st-default" / "E001.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ["not a close", "unknown employee", "out is a file", "out cannot be made",
                                  "changed audit"])
def test_bad_input_is_a_precise_message_and_nothing_is_written(closed, tmp_path, case):
    target = tmp_path / "statements"
    close_dir = str(closed / _close(closed))
    extra: list[str] = []
    expect = ""
    if case == "not a close":
        (tmp_path / "empty").mkdir()
        close_dir, expect = str(tmp_path / "empty"), "has no manifest.json: not the output of a close"
    elif case == "unknown employee":
        extra, expect = ["--employee", "E007", "--employee", "E999"], "--employee: no employee 'E999'"
    elif case == "out is a file":
        target.write_text("keep me")
        expect = "exists and is not a directory"
    elif case == "out cannot be made":
        (tmp_path / "a-file").write_text("x")
        target = tmp_path / "a-file" / "statements"
        expect = "cannot write the output"
    else:
        copy = tmp_path / "close"
        subprocess.run(["cp", "-r", close_dir, str(copy)], check=True)
        with open(copy / "audit.parquet", "ab") as fh:
            fh.write(b"x")
        close_dir, expect = str(copy), "does not match its sha256 in manifest.json"
    before = sorted(p.name for p in tmp_path.iterdir())
    done = cli("statements", close_dir, "--out", str(target), *extra, "--ledger", str(closed / "ledger.sqlite"),
               cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert expect in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output, no staging directory
    if case == "out is a file":
        assert target.read_text() == "keep me"


def test_an_existing_out_directory_keeps_its_other_files(closed, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = cli("statements", str(closed / _close(closed)), "--out", str(tmp_path), "--employee", "E007",
               "--ledger", str(closed / "ledger.sqlite"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["E007.html", "notes.txt"]
    assert oct((tmp_path / "E007.html").stat().st_mode & 0o777) == "0o600"


def test_a_person_not_ranked_reads_the_policy_s_reason_in_chinese(closed):
    people = _people(closed, "2026-Q2")
    unranked = sorted(e for e, r in people.items() if r["eligible"] == "false")
    assert unranked, "the Q2 example has reps hired less than three months before the quarter's end"
    done = cli("statements", _close(closed, "2026-Q2"), "--out", "st-q2", "--lang", "zh", "--employee", unranked[0],
               "--ledger", "ledger.sqlite", cwd=closed)
    assert done.returncode == 0, done.stderr
    text, _ = _visible((closed / "st-q2" / f"{unranked[0]}.html").read_text(encoding="utf-8"))
    assert "不参与排名：入职不满3个月" in text and "未排名" in text
    assert "fewer than" not in text and "not eligible" not in text


def test_close_statements_are_part_of_the_close_and_verify_re_makes_them(tmp_path):
    import json

    for quarter in QUARTERS[:2]:
        done = cli("close", str(POLICY), str(DATA / f"{quarter}.csv"), "--period", quarter, "--lang", "zh",
                   "--statements", "--ledger", "l.sqlite", "--out", "out", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "sales-rep" / "2026-Q2"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    people = _people(tmp_path, "2026-Q2")
    listed = sorted(n for n in manifest["files"] if n.startswith("statements/"))
    assert listed == sorted(f"statements/{e}.html" for e in people)
    text, _ = _visible((folder / "statements" / "E007.html").read_text(encoding="utf-8"))
    assert "个人激励结算单" in text and "2026-Q1" in text  # in the close's language, with the earlier quarter
    assert f"{Decimal(people['E007']['total']):,.2f}" in text

    checked = cli("verify", str(folder), "--ledger", "l.sqlite", cwd=tmp_path)
    assert checked.returncode == 0 and "FAILED" not in checked.stdout + checked.stderr, checked.stderr

    (folder / "statements" / "E007.html").write_text("changed", encoding="utf-8")
    checked = cli("verify", str(folder), "--ledger", "l.sqlite", cwd=tmp_path)
    assert checked.returncode == 1 and "statements/E007.html" in checked.stderr, checked.stderr

    again = cli("close", str(POLICY), str(DATA / "2026-Q2.csv"), "--period", "2026-Q2", "--lang", "zh",
                "--statements", "--ledger", "l.sqlite", "--out", "out", cwd=tmp_path)
    assert again.returncode == 0 and "rebuilt" in again.stdout, again.stdout + again.stderr
    assert "个人激励结算单" in (folder / "statements" / "E007.html").read_text(encoding="utf-8")
    same = cli("close", str(POLICY), str(DATA / "2026-Q2.csv"), "--period", "2026-Q2", "--lang", "zh",
               "--statements", "--ledger", "l.sqlite", "--out", "out", cwd=tmp_path)
    assert same.returncode == 0 and "nothing to do" in same.stdout, same.stdout + same.stderr
    other = cli("close", str(POLICY), str(DATA / "2026-Q2.csv"), "--period", "2026-Q2", "--lang", "zh",
                "--ledger", "l.sqlite", "--out", "out", cwd=tmp_path)
    assert other.returncode == 2 and "--statements: recorded True, now False" in other.stderr, other.stderr


def test_a_close_without_statements_records_its_options_as_before(closed):
    import json

    manifest = json.loads((closed / _close(closed) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["outputs"] == {"html": True, "trace": False, "xlsx": False}
    assert not any(n.startswith("statements/") for n in manifest["files"])


def test_worker_processes_write_the_same_files_as_one_process(closed, tmp_path, monkeypatch):
    from incentive.app import statements

    opts = statements.StatementOptions(lang="zh", fmt="html", ledger=str(closed / "ledger.sqlite"))
    monkeypatch.setattr(statements, "PARALLEL_FROM", 1)
    assert statements._workers(51, "html") == 2
    two = statements.write_statements(closed / _close(closed), tmp_path / "two", opts)  # in forked workers
    monkeypatch.setattr(statements, "PARALLEL_FROM", 10 ** 9)
    one = statements.write_statements(closed / _close(closed), tmp_path / "one", opts)  # in this process
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 51
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_pdf_worker_processes_give_the_bytes_of_one_process(closed, pdf_statements, tmp_path):
    # a fresh process: Typst must not have run in a process before it forks (app.statements._TYPST_RAN)
    script = (
        "import sys\n"
        "from incentive.app import statements\n"
        "statements.PARALLEL_FROM = 1\n"
        "opts = statements.StatementOptions(employees=('E007', 'E003', 'E028'), lang='zh', fmt='pdf', "
        "ledger='ledger.sqlite')\n"
        "assert statements._workers(3, 'pdf') == 2\n"
        f"statements.write_statements({_close(closed)!r}, {str(tmp_path / 'two')!r}, opts)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    done = subprocess.run([sys.executable, "-c", script], cwd=closed, capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr
    for name in ("E007.pdf", "E003.pdf", "E028.pdf"):
        assert (tmp_path / "two" / name).read_bytes() == (pdf_statements / name).read_bytes(), name
