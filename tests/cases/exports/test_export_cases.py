"""Data-driven export cases: each shipped layout against a reference file computed by hand.

``cases.yaml`` lists them; the period is closed once (through the real
command) from ``2026-03.csv`` under ``policy.yaml`` and exported per case.
A CSV must equal its reference byte for byte (the reference is UTF-8 with
``\\n``; the file is in the case's encoding with ``\\r\\n``). An XLSX is read
cell by cell from its sheet XML: the cells' text must equal the reference,
the listed columns must be number cells and every other filled cell a text
cell (so an 18-digit ID stays text); and the workbook must open in an
independent reader (fastexcel) with the same text.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def closed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("export-cases")
    done = cli("close", str(HERE / "policy.yaml"), str(HERE / "2026-03.csv"), "--period", "2026-03",
               "--ledger", str(tmp / "ledger.sqlite"), "--out", str(tmp / "out"), "--by", "hr-test", cwd=tmp)
    assert done.returncode == 0, done.stderr
    return tmp


def export(closed: Path, case: dict) -> Path:
    layout = case["layout"]
    if layout.endswith(".yaml"):
        layout = str(HERE / layout)
    out = closed / case["out"]
    done = cli("export", "export-case", "--period", "2026-03", "--layout", layout, "--out", str(out),
               "--people", str(HERE / "people.csv"), "--ledger", str(closed / "ledger.sqlite"), cwd=closed)
    assert done.returncode == 0, done.stderr
    assert "control total 63745.67 CNY" in done.stdout
    return out


def reference(case: dict) -> str:
    return (HERE / case["expected"]).read_text(encoding="utf-8")


_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"[^>]*?(?: t="(\w+)")?>(?:<v>([^<]*)</v>|<is><t[^>]*>([^<]*)</t></is>)</c>')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def sheet_cells(path: Path, sheet: str) -> tuple[list[list[str]], dict[tuple[int, int], str]]:
    """The sheet's grid of cell texts and each filled cell's type ("n" or "inlineStr")."""
    with zipfile.ZipFile(path) as book:
        assert f'name="{sheet}"' in book.read("xl/workbook.xml").decode("utf-8")
        xml = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    cells: dict[tuple[int, int], str] = {}
    types: dict[tuple[int, int], str] = {}
    for col, row, kind, number, text in _CELL.findall(xml):
        at = (int(row), _column_number(col))
        cells[at] = number if kind != "inlineStr" else text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        types[at] = kind or "n"
    rows = max(r for r, _ in cells)
    cols = max(c for _, c in cells)
    return [[cells.get((r, c), "") for c in range(1, cols + 1)] for r in range(1, rows + 1)], types


@pytest.mark.parametrize("case", CASES, ids=[c["layout"] for c in CASES])
def test_layout_matches_its_hand_written_reference(closed, case):
    out = export(closed, case)
    expected = reference(case)
    if "xlsx" not in case:
        encoding = case["encoding"]
        want = expected.replace("\n", "\r\n").encode("utf-8" if encoding == "utf-8-sig" else encoding)
        if encoding == "utf-8-sig":
            want = b"\xef\xbb\xbf" + want
        assert out.read_bytes() == want
        return
    grid, types = sheet_cells(out, case["xlsx"]["sheet"])
    want_rows = [line.split(",") for line in expected.splitlines()]
    width = len(want_rows[0])
    assert [row + [""] * (width - len(row)) for row in grid] == want_rows
    numbers = {want_rows[0].index(h) + 1 for h in case["xlsx"]["numbers"]}
    for (row, col), kind in types.items():
        assert kind == ("n" if row > 1 and col in numbers else "inlineStr"), (row, col, kind)


@pytest.mark.parametrize("case", [c for c in CASES if "xlsx" in c], ids=lambda c: c["layout"])
def test_xlsx_opens_elsewhere_with_ids_and_accounts_as_text(closed, case):
    fastexcel = pytest.importorskip("fastexcel")
    out = export(closed, case)
    frame = fastexcel.read_excel(out.read_bytes()).load_sheet(case["xlsx"]["sheet"]).to_polars()
    want = [line.split(",") for line in reference(case).splitlines()]
    assert frame.columns == want[0]
    first_text = want[0][0]
    assert frame[first_text].dtype.is_(__import__("polars").String)
    assert frame[first_text].to_list() == [row[0] for row in want[1:]]
    for h in case["xlsx"]["numbers"]:
        assert [f"{v:.2f}" for v in frame[h].to_list()] == [row[want[0].index(h)] for row in want[1:]]
