"""Where the table is in a sheet: title rows above the header, totals rows below the data.

HR exports often put a title (``2026年一季度 销售数据``) and a blank row above
the header, and a totals row (``合计`` / ``总计`` / ``小计`` / ``Total`` /
``Subtotal``) below the data. Rules:

* header: ``--header-row N`` when given (1-based row of the sheet / line of the
  file); otherwise the first of the first ``SCAN_ROWS`` non-blank rows that
  holds a column for every input that needs one (required, no default), else
  the first non-blank row (whose missing columns are then reported; when it
  matches no column at all, with a
  preview of the first rows and the names of the other sheets). Rows skipped
  above the header are named in a note on stderr.
* totals: a row whose id cell is a totals label -- or whose id cell is blank
  and a text column holds one -- is skipped, with a note naming the rows.
  ``--skip-footer`` also skips every row from the first such row, or the first
  row with a blank id, to the end of the file (notes, signatures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

SCAN_ROWS = 20
PREVIEW_ROWS = 5
_PREVIEW_WIDTH = 100

#: a totals label: 合计 / 总计 / 小计 / 共计 / Total / Subtotal / Grand total, with optional spaces and colon
TOTALS = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|总合计|(?:grand\s*|sub\s*-?\s*)?totals?)\s*[:：]?\s*$",
                    re.IGNORECASE)


@dataclass(frozen=True)
class HeaderRule:
    """How to find the header: an explicit 1-based row, or a test that a row's cells hold the needed columns."""

    row: int | None = None
    fits: Callable[[list[str]], bool] | None = None
    skip_footer: bool = False


def pick_header(rows: Sequence[tuple[int, list[str]]], rule: HeaderRule | None) -> int:
    """Index into ``rows`` (``(row number, cells)`` of the first non-blank rows) of the header row."""
    if rule is not None and rule.fits is not None:
        for k, (_, cells) in enumerate(rows[:SCAN_ROWS]):
            if rule.fits(cells):
                return k
    return 0


def skipped_note(file: str, rows: Sequence[tuple[int, list[str]]], header: int, header_row: int) -> str | None:
    """The note for the non-blank rows above the header (None when there are none)."""
    above = [(n, cells) for n, cells in rows[:header] if n < header_row]
    if not above:
        return None
    shown = "; ".join(f"row {n}: {line_text(cells)}" for n, cells in above[:3])
    return f"{file}: skipped {len(above)} row(s) above the header (row {header_row}) -- {shown}"


def line_text(cells: Sequence[object]) -> str:
    """A row's non-blank cells, escaped and cut short, for a message."""
    text = " | ".join(str(c).strip() for c in cells if c is not None and str(c).strip())
    shown = repr(text)
    return shown if len(shown) <= _PREVIEW_WIDTH else shown[: _PREVIEW_WIDTH - 4] + "...'"


def preview(rows: Sequence[tuple[int, list[str]]], sheets: Sequence[str] = (), sheet: str | None = None) -> str:
    """What the reader saw: the first rows and, in a workbook, the other sheets' names."""
    lines = "; ".join(f"row {n}: {line_text(cells)}" for n, cells in rows[:PREVIEW_ROWS])
    text = f"no row holds the expected columns; the first rows read are -- {lines or '(none)'}"
    others = [s for s in sheets if s != sheet]
    if others:
        text += f"; the other sheets are: {', '.join(repr(s) for s in others)} (choose one with --sheet)"
    return text + " (a header further down: --header-row N)"
