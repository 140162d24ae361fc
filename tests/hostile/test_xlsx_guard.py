"""``incentive.io.xlsx_guard``: the checks that keep a hostile workbook from
exhausting memory in the XLSX reader, at their edges (chunk boundaries, cells
without references, named sheets, what is left to the reader)."""

from __future__ import annotations

import io
import zipfile

import pytest

from incentive.errors import DataInvalid
from incentive.io import xlsx_guard
from incentive.io.xlsx_guard import check_workbook, column_letters, column_number
from tests.hostile.generators import xlsx, xlsx_edit

ROWS = [["E1", "Ann", "North", "N1", 1000, 500], ["E2", "Bob", "North", "N1", 50, 500]]


def extent(raw: bytes) -> tuple[int, int]:
    book = zipfile.ZipFile(io.BytesIO(raw))
    return xlsx_guard._extent(book, xlsx_guard._sheet_member(book, None), "data.xlsx")


def test_column_letters_round_trip():
    for n in (1, 26, 27, 52, 61, 62, 702, 703, 16384):
        assert column_number(column_letters(n).encode()) == n
    assert column_letters(16384) == "XFD" and column_letters(62) == "BJ"


def test_an_ordinary_sheet_takes_the_fast_path():
    assert extent(xlsx(ROWS)) == (999_999, 61)
    check_workbook(xlsx(ROWS), "data.xlsx")


@pytest.mark.parametrize("ref, rows, cols", [("BJ3", 3, 62), ("A1000000", 1_000_000, 6), ("XFD7", 7, 16384)])
def test_cells_beyond_the_fast_bound_are_measured_exactly(ref, rows, cols):
    raw = xlsx_edit(ROWS, [["</sheetData>", [[f'<row r="{rows}"><c r="{ref}"><v>1</v></c></row></sheetData>', 1]]]])
    assert extent(raw) == (rows, cols)
    check_workbook(raw, "data.xlsx")  # all under the limit


def test_a_far_cell_at_a_chunk_boundary_is_not_missed(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "_CHUNK", 257)  # many small chunks: tokens straddle them
    filler = [[f"E{i}", "Ann", "North", "N1", 1000, 500] for i in range(200)]
    for shift in range(0, 40, 7):
        raw = xlsx_edit(filler, [["</sheetData>", [["<row r=\"1048576\">", 1], [" ", shift],
                                                   ['<c r="XFD1048576"><v>1</v></c></row></sheetData>', 1]]]])
        with pytest.raises(DataInvalid, match="XFD1048576"):
            check_workbook(raw, "data.xlsx")
    assert extent(xlsx(filler)) == (999_999, 61)  # and a cut tag is not taken for a suspect one


def test_cells_and_rows_without_references_are_counted():
    raw = xlsx_edit(ROWS, [["</sheetData>", [["<row>", 1], ["<c><v>1</v></c>", 100], ["</row>", 1],
                                             ["<row/>", 5], ["</sheetData>", 1]]]])
    assert extent(raw) == (9, 100)  # rows 1-3, then row 4 with 100 cells, then rows 5-9


def test_the_named_sheet_is_the_one_checked():
    raw = xlsx_edit(ROWS, [["</sheetData>", [['<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1]]]])
    with pytest.raises(DataInvalid):
        check_workbook(raw, "data.xlsx", sheet="data")
    check_workbook(raw, "data.xlsx", sheet="no such sheet")  # unknown sheets are the reader's to report


@pytest.mark.parametrize("raw", [b"", b"not a zip", b"PK\x03\x04broken", xlsx(ROWS)[:300]])
def test_what_is_not_a_workbook_is_left_to_the_reader(raw):
    check_workbook(raw, "data.xlsx")


def test_a_zip_bomb_part_is_refused_from_the_directory_alone():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b"x" * (64 * 1024 ** 2) + b"</sst>")
    with pytest.raises(DataInvalid, match="xl/sharedStrings.xml unpacks from .* a zip bomb"):
        check_workbook(buf.getvalue(), "data.xlsx")
