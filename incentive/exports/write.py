"""Writing an export table as CSV or XLSX, column-wise, to a path the caller makes atomic.

CSV: RFC 4180 (``\\r\\n`` line ends, quotes where needed), in the layout's
encoding (``utf-8``, ``utf-8-sig`` -- with the byte-order mark Chinese Excel
needs to read UTF-8 -- or ``gbk`` for bank and tax systems that read nothing
else; a character GBK lacks is refused, naming the row and column). Amounts
are written by the CSV writer from exact decimals: the layout's decimals,
``.`` as the point, optionally ``,`` between thousands.

XLSX: written here rather than through xlsxwriter, one polars string
expression per column, blocks of rows deflated on every core
(``zipstream``), because a million rows must take seconds, not minutes. Every text cell is an inline *string* cell with the
Text number format (``@``), so an 18-digit ID or a bank account stays text
when the file is opened, edited and saved; amounts are number cells with the
layout's decimals. Text that could run as a formula is neutralized before
it gets here (``safe_text``); XML specials are escaped; a control character
XML cannot hold is refused. The same table gives the same bytes.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import polars as pl

from incentive.errors import UsageError
from incentive.exports.build import ExportTable
from incentive.exports.layout import Layout
from incentive.exports.zipstream import MemberTooLarge, ZipStream
from incentive.io.xlsx_guard import column_letters
from incentive.numeric import plain_text
from incentive.output.safe_text import neutralize

XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_TEXT = 32_767
_CHUNK_ROWS = 100_000
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
#: text an XML reader would trim without xml:space="preserve" (XML white space: space, tab, CR, LF)
_PADDED = r"^[ \t\r\n]|[ \t\r\n]$"


def write_export(table: ExportTable, path: Path) -> None:
    """Write ``table`` to ``path`` (a temporary file the caller renames into place)."""
    if table.layout.format == "csv":
        _write_csv(table, path)
    else:
        _write_xlsx(table, path)


# ------------------------------------------------------------------ numbers


def amount_text(expr: pl.Expr, decimals: int, thousands: bool) -> pl.Expr:
    """Exact text of a decimal column at ``decimals`` places (already checked to need no rounding)."""
    text = expr.cast(pl.Decimal(38, decimals)).cast(pl.String)
    if not thousands:
        return text
    whole = text.str.extract(r"^-?([0-9]+)", 1)
    rest = text.str.extract(r"(\.[0-9]+)$", 1).fill_null("")
    grouped = whole.str.reverse().str.replace_all(r"([0-9]{3})", "${1},").str.reverse().str.strip_chars_start(",")
    sign = pl.when(text.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, grouped, rest])


def _amount_value(value: Decimal, decimals: int, thousands: bool) -> str:
    return pl.select(amount_text(pl.lit(value, dtype=pl.Decimal(38, 12)), decimals, thousands)).item()


def _text_frame(table: ExportTable) -> pl.DataFrame:
    """Every cell as text, the control-total line (if any) at the end."""
    layout = table.layout
    exprs = [amount_text(pl.col(f"c{i}"), layout.decimals, layout.thousands).alias(f"c{i}") if c.is_amount
             else pl.col(f"c{i}") for i, c in enumerate(layout.columns)]
    frame = table.frame.select(exprs)
    if table.footer is not None:
        cells = {f"c{i}": (_amount_value(v, layout.decimals, layout.thousands) if isinstance(v, Decimal) else v)
                 for i, v in table.footer.items()}
        footer = pl.DataFrame({name: [cells.get(name)] for name in frame.columns}, schema=frame.schema)
        frame = pl.concat([frame, footer])
    return frame


# ------------------------------------------------------------------ CSV


def _write_csv(table: ExportTable, path: Path) -> None:
    layout = table.layout
    frame = _text_frame(table)
    frame.columns = [neutralize(c.header) for c in layout.columns]  # unique: checked with the layout
    if layout.encoding in ("utf-8", "utf-8-sig"):
        frame.write_csv(path, include_bom=layout.encoding == "utf-8-sig", line_terminator="\r\n",
                        quote_style="necessary", null_value="")
        return
    buffer = io.BytesIO()
    frame.write_csv(buffer, line_terminator="\r\n", quote_style="necessary", null_value="")
    text = buffer.getvalue().decode("utf-8")
    try:
        data = text.encode(layout.encoding)
    except UnicodeEncodeError as exc:
        raise _unencodable(exc, text, frame, layout) from None
    with open(path, "wb") as fh:
        fh.write(data)


def _unencodable(exc: UnicodeEncodeError, text: str, frame: pl.DataFrame, layout: Layout) -> UsageError:
    char = text[exc.start]
    for i, name in enumerate(frame.columns):
        if frame.schema[name] != pl.String:
            continue
        hit = frame.with_row_index("__i__").filter(pl.col(name).str.contains(char, literal=True)).head(1)
        if hit.height:
            row = int(hit["__i__"][0]) + 2  # the header is line 1
            return UsageError(f"{layout.file}: encoding {layout.encoding} has no character {char!r} "
                              f"(U+{ord(char):04X}), found in row {row}, column {layout.columns[i].header!r} "
                              f"({hit[name][0]!r}); use a layout with encoding utf-8-sig, or correct the text; "
                              "nothing was written")
    return UsageError(f"{layout.file}: encoding {layout.encoding} has no character {char!r} (U+{ord(char):04X}); "
                      "nothing was written")


# ------------------------------------------------------------------ XLSX


def _xml_escape(expr: pl.Expr) -> pl.Expr:
    return (expr.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True))


#: sources whose cells hold one value throughout (the period, a constant...): checked and escaped once
FIXED_KINDS = ("constant", "period", "currency", "period_start", "period_end", "export_date")


def _fixed_values(table: ExportTable) -> dict[int, str | None]:
    """Column position -> its one value, for the fixed-valued columns the control-total line leaves alone."""
    footer = table.footer or {}
    if table.frame.height == 0:
        return {}
    return {i: table.frame[f"c{i}"][0] for i, c in enumerate(table.layout.columns)
            if c.kind in FIXED_KINDS and i not in footer}


def _check_text(frame: pl.DataFrame, layout: Layout, fixed: dict[int, str | None]) -> None:
    for i, c in enumerate(layout.columns):
        name = f"c{i}"
        if c.is_amount or c.kind == "empty":
            continue
        column = frame.select(pl.col(name).head(1)) if i in fixed else frame.select(name)
        bad = column.with_row_index("__i__").filter(
            pl.col(name).str.contains(_XML_ILLEGAL) | (pl.col(name).str.len_chars() > XLSX_MAX_TEXT)).head(1)
        if bad.height:
            row = int(bad["__i__"][0]) + 2
            raise UsageError(f"{layout.file}: row {row}, column {c.header!r}: the text {bad[name][0][:60]!r} holds a "
                             f"control character an XLSX file cannot hold, or is longer than {XLSX_MAX_TEXT:,} "
                             "characters; correct it in the people file; nothing was written")


def _text_tail(style: int, spaced: bool) -> str:
    """The rest of a text cell's opening after its reference (``xml:space`` only when spaces must be kept)."""
    preserve = ' xml:space="preserve"' if spaced else ""
    return f'" s="{style}" t="inlineStr"><is><t{preserve}>'


def _row_xml(layout: Layout, styles: dict[str, int], fixed: dict[int, str | None],
             needs: dict[int, tuple[bool, bool]]) -> pl.Expr:
    """One ``<row>`` element per row of a chunk holding the cells' text and ``__r__`` (the row number as text).

    An empty cell is left out (its neighbours carry their own ``r``); a column
    that is empty throughout (``empty``) costs nothing, and one that holds a
    single value throughout is escaped once."""
    row = pl.col("__r__")
    cells = []
    for i, c in enumerate(layout.columns):
        if c.kind == "empty" or (i in fixed and not fixed[i]):
            continue
        head = f'<c r="{column_letters(i + 1)}'
        value = pl.col(f"c{i}")
        if c.is_amount:
            tail = f'" s="{styles["amount"]}"><v>'
            cells.append(pl.concat_str([pl.lit(head), row, pl.lit(tail), value, pl.lit("</v></c>")]).fill_null(""))
        elif i in fixed:
            text = fixed[i] or ""
            spaced = text != text.strip()
            cell = pl.concat_str([pl.lit(head), row, pl.lit(_text_tail(styles["text"], spaced) + _escape(text)
                                                            + "</t></is></c>")])
            cells.append(pl.when(value.is_not_null()).then(cell).otherwise(pl.lit("")))  # not on the total line
        else:
            # xml:space="preserve" only where it matters (leading / trailing spaces): 20 bytes less per cell;
            # escaping and the space test only in a column that needs them (most need neither)
            escape, pad = needs.get(i, (True, True))
            opening = pl.when(value.str.contains(_PADDED)).then(pl.lit(_text_tail(styles["text"], True))) \
                .otherwise(pl.lit(_text_tail(styles["text"], False))) if pad else pl.lit(_text_tail(styles["text"], False))
            cell = pl.concat_str([pl.lit(head), row, opening, _xml_escape(value) if escape else value,
                                  pl.lit("</t></is></c>")])
            # concat_str gives null for a null value; an empty text is no cell either
            cells.append(pl.when(value != "").then(cell).otherwise(pl.lit("")))
    return pl.concat_str([pl.lit('<row r="'), row, pl.lit('">'), *cells, pl.lit("</row>")], ignore_nulls=True)


def _write_xlsx(table: ExportTable, path: Path) -> None:
    layout = table.layout
    text = table.frame.select([pl.col(f"c{i}").cast(pl.Decimal(38, layout.decimals)).cast(pl.String)
                               if c.is_amount else pl.col(f"c{i}") for i, c in enumerate(layout.columns)])
    if table.footer is not None:
        cells = {f"c{i}": (plain_text(v.quantize(Decimal(1).scaleb(-layout.decimals)), trim=False)
                           if isinstance(v, Decimal) else v) for i, v in table.footer.items()}
        text = pl.concat([text, pl.DataFrame({n: [cells.get(n)] for n in text.columns}, schema=text.schema)])
    if text.height + 1 > XLSX_MAX_ROWS:
        raise UsageError(f"{layout.file}: {text.height:,} rows do not fit one XLSX sheet ({XLSX_MAX_ROWS - 1:,} "
                         "rows under the header); use a CSV layout; nothing was written")
    fixed = _fixed_values(table)
    _check_text(text, layout, fixed)
    styles = {"text": 1, "amount": 2, "header": 3}
    header = "".join(
        f'<c r="{column_letters(i + 1)}1" s="{styles["header"]}" t="inlineStr"><is><t xml:space="preserve">'
        f"{_escape(neutralize(c.header))}</t></is></c>" for i, c in enumerate(layout.columns))
    widths = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{_width(c.header, c.is_amount)}" customWidth="1"/>'
                     for i, c in enumerate(layout.columns))
    needs = {i: (bool(text[f"c{i}"].str.contains(r"[&<>]").any()), bool(text[f"c{i}"].str.contains(_PADDED).any()))
             for i, c in enumerate(layout.columns) if not c.is_amount and c.kind != "empty" and i not in fixed}
    rows = _row_xml(layout, styles, fixed, needs)

    def sheet() -> Iterator[bytes]:
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
               f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
               f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
               f'<cols>{widths}</cols><sheetData><row r="1">{header}</row>').encode("utf-8")
        for start in range(0, text.height, _CHUNK_ROWS):  # built here while earlier blocks are deflated
            chunk = text.slice(start, _CHUNK_ROWS).with_columns(
                pl.int_range(start + 2, start + 2 + pl.len()).cast(pl.String).alias("__r__"))
            yield chunk.select(rows.str.join("").cast(pl.Binary)).item()
        yield b"</sheetData></worksheet>"

    with open(path, "wb") as fh:
        book = ZipStream(fh)
        for name, body in _package(layout, styles).items():
            book.write(name, body.encode("utf-8"))
        try:
            book.write_blocks("xl/worksheets/sheet1.xml", sheet())
        except MemberTooLarge:
            raise UsageError(f"{layout.file}: the sheet is over 4 GiB of XML, more than a spreadsheet opens; use a "
                             "CSV layout; nothing was written") from None
        book.close()


def _width(header: str, amount: bool) -> int:
    from incentive.output.xlsx_book import display_width

    return max(display_width(header) + 2, 14 if amount else 12, 22 if not amount else 0)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _package(layout: Layout, styles: dict[str, int]) -> dict[str, str]:
    """The parts of the workbook around its one sheet."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    amount_format = ("#,##0" if layout.thousands else "0") + ("." + "0" * layout.decimals if layout.decimals else "")
    return {
        "[Content_Types].xml": head + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"),
        "_rels/.rels": head + (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": head + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{_escape(layout.sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": head + (
            f'<Relationships xmlns="{_PKG}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": head + (
            f'<styleSheet xmlns="{_MAIN}">'
            f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{amount_format}"/></numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            f'<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            f'<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            f'<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'
            "</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"),
    }
