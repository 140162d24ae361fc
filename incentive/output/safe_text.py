"""Text cells that a spreadsheet can never run as a formula (CSV injection).

OWASP's rule: a cell whose first character is ``=``, ``+``, ``-``, ``@``,
tab or carriage return may be evaluated as a formula by Excel, LibreOffice
or Google Sheets; prefix it with a single quote ``'`` so it is read as text.
ASVS 5.0 (V1.2.10) adds the NUL character; we also treat a line feed as a
trigger, and -- because several spreadsheet importers trim leading spaces
before deciding -- a trigger that follows leading whitespace (space,
no-break space, ideographic space U+3000, zero-width characters...). Such a
cell gets the quote at its very front: ``" =1+1"`` becomes ``"' =1+1"``.

This applies to *text* columns only (names, ids, reasons): numbers,
including negative money, are written as numbers and are never mangled.
Separators and quotes inside a cell are handled by RFC 4180 quoting in the
CSV writer, so they cannot start a new cell either.
"""

from __future__ import annotations

import re

import polars as pl

#: characters that make a leading cell formula-like
TRIGGERS = "=+-@\t\r\n\x00"

# One pattern for both Python ``re`` and polars (Rust ``regex``): both read
# ``\xNN`` / ``\uNNNN`` escapes and ``\-`` inside a class identically.
_SPACE_CLASS = r" \x0b\x0c\u0085\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
_TRIGGER_CLASS = r"=+\-@\t\r\n\x00"
PATTERN = rf"^[{_SPACE_CLASS}]*[{_TRIGGER_CLASS}]"

_RE = re.compile(PATTERN)

QUOTE = "'"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet might evaluate ``text`` as a formula."""
    return _RE.match(text) is not None


def neutralize(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading ``'`` when formula-like."""
    return QUOTE + text if _RE.match(text) else text


def neutralize_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorized ``neutralize`` for a whole ``pl.String`` column (nulls stay
    null; the result keeps the column's name)."""
    return pl.when(expr.str.contains(PATTERN)).then(pl.concat_str([pl.lit(QUOTE), expr])).otherwise(expr).name.keep()
