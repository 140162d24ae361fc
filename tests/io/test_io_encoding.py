"""Text encodings of CSV / JSON data: detected as files really arrive, or forced."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from io_support import SALES, SALES_HEADER, sales_row, write_csv
from incentive.errors import DataInvalid, UsageError
from incentive.io import read_period_data
from incentive.io.encoding import to_utf8

FIXTURES = Path(__file__).parent / "fixtures"
ROWS = [sales_row(1, 姓名="张伟"), sales_row(2, 姓名="王芳", 区域="华南"), sales_row(3, 姓名="𠀀 (GB18030 4-byte)")]


def _names(data) -> list[str]:
    return data.frame["name"].to_list()


@pytest.mark.parametrize("encoding, reported", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
    ("utf-16-le", None), ("utf-16-be", None), ("utf-32", "utf-32"),
])
def test_detected_encodings(tmp_path, encoding, reported):
    text = "\n".join(",".join(r) for r in [SALES_HEADER, *ROWS]) + "\n"
    raw = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # with an explicit BOM, as Excel's "Unicode text" writes it
        raw = "\ufeff".encode(encoding) + raw
        reported = "utf-16"
    path = tmp_path / "d.csv"
    path.write_bytes(raw)
    data = read_period_data(path, SALES)
    assert _names(data) == ["张伟", "王芳", "𠀀 (GB18030 4-byte)"]
    assert data.encoding == reported
    assert data.frame["employee_id"].to_list() == ["E0001", "E0002", "E0003"]  # BOM stripped from the first header


def test_gbk_as_chinese_excel_saves_it():
    data = read_period_data(FIXTURES / "sales-rep-gbk.csv", SALES)
    assert data.encoding == "gb18030"
    assert data.frame["name"][1] == "张伟" and data.frame["region"][3] == "华南"


def test_bom_fixture_and_plain_fixture_read_the_same():
    plain = read_period_data(FIXTURES / "sales-rep.csv", SALES)
    bom = read_period_data(FIXTURES / "sales-rep-bom.csv", SALES)
    assert plain.frame.equals(bom.frame) and bom.encoding == "utf-8-sig" and plain.encoding == "utf-8"


def test_gbk_text_after_a_long_ascii_head_is_still_detected(tmp_path):
    ids = [i.id for i in SALES.inputs]  # ASCII headers: the first 64 KiB are plain ASCII
    rows = [sales_row(i, 姓名=f"emp{i}", 区域="East") for i in range(1, 3000)] + [sales_row(3000, 姓名="李娜", 区域="East")]
    path = write_csv(tmp_path / "d.csv", ids, rows, encoding="gbk")
    assert path.stat().st_size > 1 << 17 and path.read_bytes()[: 1 << 16].isascii()
    data = read_period_data(path, SALES)
    assert data.encoding == "gb18030" and data.frame["name"][-1] == "李娜" and data.frame.height == 3000


def test_forced_encoding(tmp_path):
    path = write_csv(tmp_path / "d.csv", SALES_HEADER, ROWS[:2], encoding="gbk")
    data = read_period_data(path, SALES, encoding="gbk")
    assert data.encoding == "gbk" and _names(data) == ["张伟", "王芳"]
    with pytest.raises(DataInvalid, match="cannot read the file as utf-8: byte 0x.. at offset 0 \\(line 1\\)"):
        read_period_data(path, SALES, encoding="utf-8")
    with pytest.raises(UsageError, match="unknown encoding 'klingon'"):
        read_period_data(path, SALES, encoding="klingon")


def test_undetectable_bytes_name_the_offset(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"employee_id,x\nE1,\xff\xff\n")
    with pytest.raises(DataInvalid) as info:
        to_utf8(path.read_bytes(), str(path))
    message = str(info.value)
    assert "byte 0xFF at offset 17 (line 2)" in message and "not GB18030/GBK" in message


def test_utf16_without_bom_is_explained(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("工号,销售额\nE1,5\n".encode("utf-16-le"))
    with pytest.raises(DataInvalid, match="UTF-16 without a byte-order mark"):
        read_period_data(path, SALES)


def test_json_in_gbk_and_with_bom(tmp_path):
    from io_support import one

    path = tmp_path / "d.json"
    path.write_bytes('[{"employee_id": "张1", "x": "1.5"}]'.encode("gbk"))
    data = read_period_data(path, one("number"))
    assert data.encoding == "gb18030" and data.frame["employee_id"][0] == "张1" and data.frame["x"][0] == Decimal("1.5")
    path.write_bytes('[{"employee_id": "E1", "x": 2}]'.encode("utf-8-sig"))
    assert read_period_data(path, one("number")).encoding == "utf-8-sig"
