"""The cell rules: which texts each input type accepts, as shared regular expressions.

Every cell arrives as text (see ``formats``). Two readings apply these
rules: ``coerce`` (polars expressions, column-wide, the happy path) and
``cell_check`` (plain Python, for the few flagged cells, saying precisely
what is wrong); both are built from the patterns here and are tested to
agree on arbitrary text.

Accepted forms (after stripping surrounding whitespace, including full-width
and no-break spaces):

- empty cell: the input's ``default`` if it has one; else a problem when the
  input is required, else null.
- ``id``: any non-empty text, kept as written (``007`` stays ``007``);
  unique across rows.
- ``text``: as written.
- ``integer``: ``12``, ``-12``, ``+12``, ``12.0``, ``1,234`` (thousands
  separators only in exact groups of three).
- ``number``: ``1234.5``, ``-0.25``, ``.5``, ``1,234.5``; at most 12
  decimal places, magnitude below 10^20. No scientific notation, NaN or
  infinity, currency signs or percent signs.
- ``money``: as ``number``, plus a currency sign ``¥ ￥ $ € £`` before the
  amount (``¥1,234.50``, ``-¥5``, ``¥-5``), ``元`` after it (``1234.5元``),
  and accounting negatives in parentheses: ``(1,234.00)``, ``(¥1,234.00)``,
  ``¥(1,234.00)``.
- ``percent``: ``85%`` / ``85 %`` / ``85％`` -> 0.85 (at most 10 decimal
  places before the sign); a bare number is already a fraction: ``0.85`` ->
  0.85, so ``85`` means 8500% (give the input ``max: 1`` to catch that).
- ``date``: ``2026-01-31``, ``2026-1-31``, ``2026/1/31``, ``2026.1.31``,
  ``20260131``, ``2026年1月31日``; ``-`` and ``/`` forms may carry a time
  (``2026-01-31T10:30:00``, ``2026-01-31 10:30``, with seconds, fraction
  and ``Z`` / ``+08:00``), which is dropped -- the date is taken as written,
  never converted between time zones. Day-first / month-first forms such as
  ``01/02/2026`` are ambiguous and refused. Years 1000-9999.
- ``boolean``: ``true/false``, ``t/f``, ``yes/no``, ``y/n``, ``1/0``,
  ``是/否`` (any letter case).
- Excel error values (``#DIV/0!``, ``#N/A``, ``#VALUE!``, ``#REF!``,
  ``#NAME?``, ``#NUM!``, ``#NULL!`` ...) are refused in every column, as what
  they are -- never replaced by the input's default.
- a percentage (``94.7%``) in an ``integer`` / ``number`` column is read by
  the input's declared range: ``max`` of 100 or more -> points (94.7);
  ``number`` with ``max`` at most 1 -> the fraction (0.947); any other range
  (or none) -> refused, because both readings are plausible. An XLSX cell
  formatted as a percentage arrives here as ``94.7%`` (see ``formats``).
- then ``values`` (the allowed set, compared exactly), and for numeric
  inputs ``min`` / ``max`` (inclusive, exact decimal comparison; a percent
  compares as its fraction).

In a ``;``-separated file a comma inside a number is refused: there it
usually is a decimal comma (``1234,5``), which must not be read as 12345.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive import numeric
from incentive.policy.model import NUMERIC_TYPES, Input

#: whitespace stripped around every cell: Unicode White_Space, exactly what polars'
#: ``strip_chars()`` removes (full-width and no-break spaces included)
WS = " \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
SP = "[ \t\xa0\u3000]*"  # spaces allowed inside a cell (between sign, symbol, number, unit)
CURRENCY = "[¥￥$€£]"
LIMIT = Decimal(10) ** 20
MAX_DECIMALS = numeric.SCALE
PLAIN_TYPES = (*NUMERIC_TYPES, "boolean")  # the types ``only_plain_cells`` has a fast path for

#: what Excel shows in a cell whose formula failed (the XLSX reader renders error cells so)
ERROR_TEXTS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
               "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
ERROR_MEANING = {"#DIV/0!": "a division by zero", "#N/A": "a lookup that found nothing", "#VALUE!": "a wrong type of argument",
                  "#REF!": "a reference to a deleted cell", "#NAME?": "an unknown function or name",
                  "#NUM!": "an impossible number", "#NULL!": "ranges that do not intersect"}

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否")
BOOLEANS = {**{k: True for k in TRUE_WORDS}, **{k: False for k in FALSE_WORDS}}

FORMS = {
    "id": "a non-empty employee id",
    "text": "text",
    "integer": "a whole number such as 12 or 1,234",
    "number": "a number such as 1234.5 or 1,234.5",
    "money": "an amount such as 1234.56, 1,234.56, ¥1,234.56, 1234.56元 or (1,234.56) for a negative",
    "percent": "a percentage such as 85% or a fraction such as 0.85",
    "date": "a date as YYYY-MM-DD (also YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日)",
    "boolean": "true/false, yes/no, y/n, t/f, 1/0 or 是/否",
}


def _num(grouping: bool, decimals: int | None, integer: bool = False) -> str:
    """Regex body of an unsigned decimal number (``decimals=None``: any number of places)."""
    whole = "(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)" if grouping else "[0-9]+"
    if integer:
        return rf"{whole}(?:\.0*)?"
    some, many = ("*", "+") if decimals is None else (f"{{0,{decimals}}}", f"{{1,{decimals}}}")
    return rf"(?:{whole}(?:\.[0-9]{some})?|\.[0-9]{many})"


def percent_rule(inp: Input) -> str | None:
    """How a ``94.7%`` cell reads in this input: ``points`` (94.7), ``fraction`` (0.947) or None (refused).

    ``percent`` inputs have their own rule (always the fraction); money never takes a percent sign.
    """
    if inp.max is None or inp.type not in ("integer", "number"):
        return None
    if inp.max >= 100:
        return "points"
    if inp.type == "number" and inp.max <= 1:
        return "fraction"
    return None


def with_percent(body: str, type_: str, grouping: bool, rule: str | None, decimals: int | None) -> str:
    """``body`` (a number pattern), also accepting a trailing percent sign when ``rule`` says how to read it."""
    if rule is None:
        return body
    places = 0 if type_ == "integer" else decimals if rule == "points" or decimals is None else decimals - 2
    number = _num(grouping, places, integer=type_ == "integer")
    return rf"(?:{body}|[+-]?{SP}{number}{SP}[%％])"


def number_pattern(type_: str, grouping: bool, decimals: int | None = MAX_DECIMALS) -> str:
    """The full-cell regex body (no anchors) a stripped cell of ``type_`` must match."""
    if type_ == "integer":
        return rf"[+-]?{_num(grouping, 0, integer=True)}"
    if type_ == "number":
        return rf"[+-]?{_num(grouping, decimals)}"
    if type_ == "percent":
        fraction = rf"[+-]?{SP}{_num(grouping, decimals)}"
        pct = rf"[+-]?{SP}{_num(grouping, None if decimals is None else decimals - 2)}{SP}[%％]"
        return rf"(?:{fraction}|{pct})"
    if type_ == "money":
        n = _num(grouping, decimals)
        yuan = f"(?:{SP}元)?"
        plain = rf"(?:[+-]?{SP}(?:{CURRENCY}{SP})?|{CURRENCY}{SP}[+-]{SP}){n}{yuan}"
        paren = rf"\({SP}(?:{CURRENCY}{SP})?{n}{yuan}{SP}\)"
        cur_paren = rf"{CURRENCY}{SP}\({SP}{n}{SP}\)"
        return rf"(?:{plain}|{paren}|{cur_paren})"
    raise ValueError(type_)


_TIME = r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:[ ]?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
_Y, _MD = "[1-9][0-9]{3}", "[0-9]{1,2}"
DATE_PATTERN = (
    rf"(?:{_Y}-{_MD}-{_MD}{_TIME}|{_Y}/{_MD}/{_MD}{_TIME}|{_Y}\.{_MD}\.{_MD}|{_Y}[0-9]{{4}}|{_Y}年{_MD}月{_MD}日)"
)


def anchored(body: str) -> str:
    """``body`` matching the whole cell."""
    return f"^(?:{body})$"


def dtype_of(inp: Input) -> pl.DataType:
    """The polars type a column of this input is read as."""
    if inp.type in NUMERIC_TYPES:
        return numeric.DTYPE
    return {"id": pl.String, "text": pl.String, "date": pl.Date, "boolean": pl.Boolean}[inp.type]()


def kind_of(inp: Input) -> str:
    """How a spreadsheet cell should be read for this input: number, date or text."""
    if inp.type in NUMERIC_TYPES:
        return "number"
    return "date" if inp.type == "date" else "text"


def allowed_values(inp: Input) -> list | None:
    """The input's ``values`` as the typed values a cell is compared with (None: any value)."""
    if not inp.values:
        return None
    if inp.type in NUMERIC_TYPES:
        return [numeric.to_dec(v) for v in inp.values if not isinstance(v, bool)]
    if inp.type in ("id", "text"):
        return [str(v) for v in inp.values]
    return list(inp.values)

