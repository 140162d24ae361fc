"""The PDF path every document shares: fonts found, data never becomes markup, same data same bytes."""

from __future__ import annotations

import subprocess

import pytest

from incentive.documents import pdf



def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "d.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_chinese_text_is_text_and_markup_in_data_is_printed_as_written(tmp_path):
    body = '#link("https://evil.example")[点我] *粗* $x$ <lbl> = 标题'
    out = pdf.Renderer("smoke.typ").render({"lang": "zh", "title": "个人结算单", "body": body})
    assert out.startswith(b"%PDF")
    text = _text(out, tmp_path)
    assert "个人结算单" in text
    assert '#link("https://evil.example")[点我] *粗* $x$ <lbl> = 标题' in text
    assert b"/URI" not in out  # no link was made from the data


def test_same_data_gives_the_same_bytes():
    renderer = pdf.Renderer("smoke.typ")
    data = {"lang": "en", "title": "Statement", "body": "E001"}
    assert renderer.render(data) == renderer.render(data)


def test_missing_cjk_font_is_a_usage_error(monkeypatch):
    class NoFonts:
        def __init__(self, **kwargs):
            pass

        def families(self):
            return ["DejaVu Sans"]

    import typst

    monkeypatch.setattr(typst, "Fonts", NoFonts)
    with pytest.raises(pdf.UsageError, match="fonts-noto-cjk"):
        pdf.font_paths()
