"""Typed reading of period data cells: one vectorized rule set, one Python mirror.

Every cell arrives as text (see ``formats``). For each input the polars
expressions from ``column_plan`` produce the typed value and a per-row
"bad" flag in a few column-wide passes; no Python code runs per row on the
happy path. Only for the (few) flagged rows does ``check_cell`` -- a plain
Python re-implementation of exactly the same rules, built from the same
regular expressions -- say precisely what is wrong. The two are tested to
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

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, InvalidOperation

import polars as pl

from incentive import numeric
from incentive.io.excel_dates import SERIAL_MAX, excel_serial_date
from incentive.policy.model import NUMERIC_TYPES, Input

#: whitespace stripped around every cell: Unicode White_Space, exactly what polars'
#: ``strip_chars()`` removes (full-width and no-break spaces included)
WS = " \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SP = "[ \t\xa0\u3000]*"  # spaces allowed inside a cell (between sign, symbol, number, unit)
_CUR = "[¥￥$€£]"
_LIMIT = Decimal(10) ** 20
_MAX_DECIMALS = numeric.SCALE
PLAIN_TYPES = (*NUMERIC_TYPES, "boolean")  # the types ``only_plain_cells`` has a fast path for

#: what Excel shows in a cell whose formula failed (the XLSX reader renders error cells so)
ERROR_TEXTS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
               "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
_ERROR_MEANING = {"#DIV/0!": "a division by zero", "#N/A": "a lookup that found nothing", "#VALUE!": "a wrong type of argument",
                  "#REF!": "a reference to a deleted cell", "#NAME?": "an unknown function or name",
                  "#NUM!": "an impossible number", "#NULL!": "ranges that do not intersect"}

_TRUE = ("true", "t", "yes", "y", "1", "是")
_FALSE = ("false", "f", "no", "n", "0", "否")
_BOOLEANS = {**{k: True for k in _TRUE}, **{k: False for k in _FALSE}}

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


def _with_percent(body: str, type_: str, grouping: bool, rule: str | None, decimals: int | None) -> str:
    """``body`` (a number pattern), also accepting a trailing percent sign when ``rule`` says how to read it."""
    if rule is None:
        return body
    places = 0 if type_ == "integer" else decimals if rule == "points" or decimals is None else decimals - 2
    number = _num(grouping, places, integer=type_ == "integer")
    return rf"(?:{body}|[+-]?{_SP}{number}{_SP}[%％])"


def number_pattern(type_: str, grouping: bool, decimals: int | None = _MAX_DECIMALS) -> str:
    """The full-cell regex body (no anchors) a stripped cell of ``type_`` must match."""
    if type_ == "integer":
        return rf"[+-]?{_num(grouping, 0, integer=True)}"
    if type_ == "number":
        return rf"[+-]?{_num(grouping, decimals)}"
    if type_ == "percent":
        fraction = rf"[+-]?{_SP}{_num(grouping, decimals)}"
        pct = rf"[+-]?{_SP}{_num(grouping, None if decimals is None else decimals - 2)}{_SP}[%％]"
        return rf"(?:{fraction}|{pct})"
    if type_ == "money":
        n = _num(grouping, decimals)
        yuan = f"(?:{_SP}元)?"
        plain = rf"(?:[+-]?{_SP}(?:{_CUR}{_SP})?|{_CUR}{_SP}[+-]{_SP}){n}{yuan}"
        paren = rf"\({_SP}(?:{_CUR}{_SP})?{n}{yuan}{_SP}\)"
        cur_paren = rf"{_CUR}{_SP}\({_SP}{n}{_SP}\)"
        return rf"(?:{plain}|{paren}|{cur_paren})"
    raise ValueError(type_)


_TIME = r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:[ ]?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
_Y, _MD = "[1-9][0-9]{3}", "[0-9]{1,2}"
DATE_PATTERN = (
    rf"(?:{_Y}-{_MD}-{_MD}{_TIME}|{_Y}/{_MD}/{_MD}{_TIME}|{_Y}\.{_MD}\.{_MD}|{_Y}[0-9]{{4}}|{_Y}年{_MD}月{_MD}日)"
)
#: rewrites any accepted date form (time dropped) to Y-M-D for parsing
_DATE_PARTS = r"^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?(?:[T ].*)?$"


def _anchored(body: str) -> str:
    return f"^(?:{body})$"


def _py_date_parts(text: str) -> tuple[int, int, int]:
    m = re.match(_DATE_PARTS, text)
    assert m is not None
    return int(m[1]), int(m[2]), int(m[3])


# ---------------------------------------------------------------- defaults


def default_value(inp: Input) -> object:
    """The input's default as a typed value (None when it has none).

    A text default such as ``"85%"`` is read like a cell; typed defaults
    (Decimal, int, bool, date) are used as given.
    """
    d = inp.default
    if d is None or inp.type == "id":
        return None
    if isinstance(d, str) and inp.type != "text":
        result = check_cell(d, inp, grouping=True, apply_limits=False)
        return result.value
    if inp.type in NUMERIC_TYPES:
        if isinstance(d, bool):
            return None
        return numeric.to_dec(Decimal(repr(d)) if isinstance(d, float) else d)
    return d


def _literal(value: object, inp: Input) -> pl.Expr:
    return pl.lit(value, dtype=dtype_of(inp))


def dtype_of(inp: Input) -> pl.DataType:
    if inp.type in NUMERIC_TYPES:
        return numeric.DTYPE
    return {"id": pl.String, "text": pl.String, "date": pl.Date, "boolean": pl.Boolean}[inp.type]()


def kind_of(inp: Input) -> str:
    """How a spreadsheet cell should be read for this input: number, date or text."""
    if inp.type in NUMERIC_TYPES:
        return "number"
    return "date" if inp.type == "date" else "text"


# ---------------------------------------------------------------- vectorized


@dataclass(frozen=True)
class Plan:
    """How to read one raw String column, as stages of named intermediate columns.

    Apply ``stages`` in order (``with_columns``: each stage may use the names
    the earlier ones made); ``value`` / ``bad`` / ``empty`` then read those
    columns. Materializing the stripped text and the parsed value once keeps
    every cell to a handful of column-wide passes.
    """

    stages: tuple[dict[str, pl.Expr], ...]
    value: pl.Expr  # typed value (default filled in); meaningful where ``bad`` is false
    bad: pl.Expr  # Boolean, true where the cell has a problem
    empty: pl.Expr  # Boolean, true where the cell is blank


def _allowed_values(inp: Input) -> list | None:
    if not inp.values:
        return None
    if inp.type in NUMERIC_TYPES:
        return [numeric.to_dec(v) for v in inp.values if not isinstance(v, bool)]
    if inp.type in ("id", "text"):
        return [str(v) for v in inp.values]
    return list(inp.values)


_ISO_DATE = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"


def only_iso_dates(raw: pl.Expr) -> pl.Expr:
    """Scalar: is every cell blank or exactly YYYY-MM-DD? Then a date column can take the fast path."""
    return (raw.is_null() | (raw.str.len_bytes() == 0) | raw.str.contains(_ISO_DATE)).all()


def _plain_number(inp: Input) -> str:
    """Anchored regex of a number cell that every reading leaves as it is (empty allowed).

    Such a cell has no surrounding space, grouping comma, currency, percent
    sign or parenthesis, so stripping and normalizing are no-ops, and it is
    accepted by ``number_pattern`` for any grouping (a strict subset).
    """
    body = number_pattern("integer" if inp.type == "integer" else "number", grouping=False)
    return f"^(?:{body})?$"


def only_plain_cells(raw: pl.Expr, inp: Input) -> pl.Expr | None:
    """Scalar: is every cell null or already in its plain, canonical form? (None: no fast path for the type).

    Plain numbers (``12``, ``-0.25``) and booleans spelled as accepted
    (``true``, ``否``) are by far the common case in exported files; then
    ``column_plan(plain=True)`` skips the strip, the normalization and the
    per-cell syntax regex, which cost more than this one check.
    """
    if inp.type in NUMERIC_TYPES:
        return (raw.is_null() | raw.str.contains(_plain_number(inp))).all()
    if inp.type == "boolean":
        return (raw.is_null() | raw.is_in(["", *_BOOLEANS])).all()
    return None


def repeated_ids(ids: pl.Expr) -> pl.Expr:
    """True for a non-empty id already seen in an earlier row."""
    return ~ids.is_first_distinct() & ids.is_not_null() & (ids.str.len_bytes() > 0)


def strictly_ascending(ids: pl.Series) -> bool:
    """Is every id greater than the one before (and none null)? Then none repeats: no hashing needed.

    Files exported from HR systems are usually sorted by employee id, which
    makes this comparison of neighbours the common answer.
    """
    if ids.null_count():
        return False
    return ids.len() < 2 or bool((ids.slice(1) > ids.slice(0, ids.len() - 1)).all())


def _parse_plain(t: pl.Expr, inp: Input) -> dict[str, pl.Expr]:
    """Stage 2 for a column ``only_plain_cells`` vouched for: the general reading, minus its no-ops."""
    if inp.type == "boolean":  # every cell is null, empty or a key of the mapping: nothing to lowercase
        return {"v": t.replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean)}
    return {"v": t.cast(numeric.DTYPE, strict=False)}  # no syntax flag: the plain pattern implies it


def _parse(t: pl.Expr, inp: Input, grouping: bool, iso_dates: bool) -> dict[str, pl.Expr]:
    """Stage 2: the typed value (null when unreadable) and, where needed, a syntax flag."""
    if inp.type == "boolean":
        return {"v": t.str.to_lowercase().replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean)}
    if inp.type == "date" and iso_dates:  # every cell is YYYY-MM-DD: one parse says it all
        return {"v": t.str.to_date("%Y-%m-%d", strict=False)}
    if inp.type == "date":
        iso = t.str.replace(r"[T ].*$", "").str.replace_all(r"[/.年月]", "-").str.replace("日", "", literal=True)
        val = pl.coalesce(iso.str.to_date("%Y-%m-%d", strict=False), iso.str.to_date("%Y%m%d", strict=False))
        return {"v": val, "ok": t.str.contains(_anchored(DATE_PATTERN))}
    rule = percent_rule(inp)
    pattern = _with_percent(number_pattern(inp.type, grouping), inp.type, grouping, rule, _MAX_DECIMALS)
    if inp.type in ("integer", "number") and rule is None:  # only digits, sign, point and grouping commas can pass
        digits = t.str.replace_all(",", "", literal=True) if grouping else t
    else:  # also currency signs, 元, parentheses, percent signs and inner spaces
        digits = t.str.replace_all(r"[^0-9.+\-]", "")
    val = digits.cast(numeric.DTYPE, strict=False)
    is_pct = t.str.ends_with("%") | t.str.ends_with("％")
    if inp.type == "money":
        val = pl.when(t.str.contains("(", literal=True)).then(-val).otherwise(val)
    elif inp.type == "percent" or rule == "fraction":
        val = pl.when(is_pct).then(val * numeric.lit("0.01")).otherwise(val).cast(numeric.DTYPE)
    return {"v": val, "ok": t.str.contains(_anchored(pattern))}


def column_plan(raw: pl.Expr, inp: Input, *, key: str, grouping: bool = True, iso_dates: bool = False,
                plain: bool = False, unique: bool = True) -> Plan:
    """The plan reading String expression ``raw`` as ``inp``; ``key`` makes intermediate names unique.

    ``iso_dates``: the caller checked (``only_iso_dates``) that every cell of
    this date column is blank or YYYY-MM-DD, the common case, which needs
    a single parse instead of the general normalization. ``plain``: the
    caller checked (``only_plain_cells``) that every cell of this number or
    boolean column is plain. Either way the cells have no surrounding space,
    so they are read as they are, without a stripped copy. ``unique=False``:
    an id column's flag leaves out repeated ids, because the caller checks
    them on the read column (``repeated_ids``), mostly at a glance.
    """
    names = {n: f"\x00{key}:{n}" for n in ("t", "v", "ok")}
    fast = (iso_dates and inp.type == "date") or (plain and inp.type in PLAIN_TYPES)
    t = raw if fast else pl.col(names["t"])
    empty = t.is_null() | (t.str.len_bytes() == 0)
    default = default_value(inp)
    fill = _literal(default, inp)
    allowed = _allowed_values(inp)
    stages: list[dict[str, pl.Expr]] = [] if fast else [{names["t"]: raw.str.strip_chars()}]

    if inp.type == "id":
        bad = empty | t.is_in(ERROR_TEXTS).fill_null(False)
        return Plan(tuple(stages), value=t, bad=(bad | repeated_ids(t)) if unique else bad, empty=empty)
    if inp.type == "text":
        ok = t.is_in(allowed) if allowed is not None else pl.lit(True)
        val = t
    else:
        parsed = _parse_plain(t, inp) if fast and inp.type != "date" else _parse(t, inp, grouping, iso_dates)
        stages.append({names[k]: e for k, e in parsed.items()})
        val = pl.col(names["v"])
        ok = val.is_not_null() & (pl.col(names["ok"]) if "ok" in parsed else pl.lit(True))
        if inp.type in NUMERIC_TYPES:
            ok = ok & (val.abs() < numeric.lit(_LIMIT))
            if inp.min is not None:
                ok = ok & (val >= numeric.lit(inp.min))
            if inp.max is not None:
                ok = ok & (val <= numeric.lit(inp.max))
            if allowed is not None:
                ok = ok & val.is_in(pl.Series(allowed, dtype=numeric.DTYPE).implode())
        elif allowed is not None:
            ok = ok & val.is_in(allowed)
    value = pl.when(empty).then(fill).otherwise(val).cast(dtype_of(inp))
    missing = empty & pl.lit(default is None and inp.required)
    if inp.type == "text":  # other types refuse error values by their syntax already
        ok = ok & ~t.is_in(ERROR_TEXTS)
    bad = missing | (~empty & ~ok.fill_null(False))
    return Plan(tuple(stages), value=value, bad=bad, empty=empty)


def coerce_series(raw: pl.Series, inp: Input, *, grouping: bool = True) -> pl.DataFrame:
    """Columns ``value``, ``bad``, ``empty`` for one raw String series (a convenience over ``column_plan``)."""
    plan = column_plan(pl.col("raw"), inp, key="s", grouping=grouping)
    lf = pl.DataFrame({"raw": raw.cast(pl.String)}).lazy()
    for stage in plan.stages:
        lf = lf.with_columns(**stage)
    return lf.select(plan.value.alias("value"), plan.bad.alias("bad"), plan.empty.alias("empty")).collect()


# ---------------------------------------------------------------- Python mirror


@dataclass(frozen=True)
class CellResult:
    value: object  # typed value, default applied; None when null or bad
    problem: str | None  # what was expected, when the cell is bad
    empty: bool = False


_EXACT = Context(prec=80)
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def _bounds_text(inp: Input) -> str:
    if inp.min is not None and inp.max is not None:
        return f"between {_plain(inp.min)} and {_plain(inp.max)}"
    if inp.min is not None:
        return f"at least {_plain(inp.min)}"
    return f"at most {_plain(inp.max)}"


def _plain(d: object) -> str:
    if isinstance(d, Decimal):
        return numeric.plain_text(d)
    return str(d)


def _values_text(allowed: list, t: str) -> str:
    shown = [_plain(v) for v in allowed]
    listed = ", ".join(repr(s) for s in shown[:20]) + (", ..." if len(shown) > 20 else "")
    hint = difflib.get_close_matches(t, shown, n=1, cutoff=0.6)
    if not hint:
        lowered = [s for s in shown if s.lower() == t.lower()]
        hint = lowered[:1]
    return f"one of {listed}" + (f" (did you mean {hint[0]!r}?)" if hint else "")


def error_problem(t: str) -> str:
    """What an Excel error value in a cell means (refused in every column, never defaulted)."""
    meaning = _ERROR_MEANING.get(t)
    return (f"a value, but the cell holds the Excel error {t}" + (f" ({meaning})" if meaning else "")
            + ": the formula behind it failed; fix it in the sheet (an error is never replaced by the default)")


def _hints(t: str, inp: Input, grouping: bool) -> str | None:
    """A cell form users really send, named: booleans, full-width digits, formulas, percentages."""
    form = FORMS[inp.type]
    if t.lower() in ("true", "false"):
        return f"{form}; {t} is a yes/no value (a checkbox or a comparison), not a number"
    wide = unicodedata.normalize("NFKC", t)
    if wide != t and re.fullmatch(_with_percent(number_pattern(inp.type, grouping), inp.type, grouping,
                                                percent_rule(inp), _MAX_DECIMALS), wide):
        return (f"{form}; it is written in full-width characters ({t} is {wide} in ASCII): retype it with ASCII "
                "digits, or convert the column with Excel's =ASC(cell)")
    if re.search("[%％]", t) and inp.type in ("integer", "number"):
        shown = re.sub(f"{_SP}[%％]$", "", t)
        return (f"{form}; {t} is a percentage and input {inp.id!r} declares no range that says whether it means "
                f"{shown} (points) or the fraction {shown}/100: give the input max: 100 (points) or, for a number, "
                "max: 1 (fractions) in the policy, or save the cells as plain numbers")
    return None


def _number_problem(t: str, inp: Input, grouping: bool) -> str:
    """Why the stripped, non-empty ``t`` does not match ``inp``'s number pattern."""
    form = FORMS[inp.type]
    hint = _hints(t, inp, grouping)
    if hint:
        return hint
    if _NOT_FINITE.fullmatch(t):
        return f"{form}; NaN and infinity are not numbers"
    if _EXPONENT.fullmatch(t):
        return f"{form}; scientific notation such as 1.2E+07 is not accepted (format the cells as numbers)"
    if inp.type != "money" and (re.search(_CUR, t) or "元" in t):
        return f"{form}; currency signs are accepted only in money columns"
    if inp.type != "money" and t.startswith("(") and t.endswith(")"):
        return f"{form}; parentheses for negatives are accepted only in money columns"
    if inp.type != "percent" and re.search("[%％]", t):
        return f"{form}; a percent sign is accepted only in percent columns"
    if "," in t and not grouping:
        return f"{form} with a decimal point; this file is ;-separated, so a comma in a number is ambiguous"
    relaxed = t.replace(",", "") if grouping else t
    if grouping and "," in t and re.fullmatch(number_pattern(inp.type, False), relaxed):
        return f"{form}; thousands separators must group exactly three digits (1,234,567)"
    if inp.type == "integer" and re.fullmatch(number_pattern("number", grouping), t):
        return "a whole number (no fractional part)"
    if re.fullmatch(number_pattern(inp.type, grouping, decimals=None), t):
        if inp.type == "percent" and re.search("[%％]", t):
            return f"at most {_MAX_DECIMALS - 2} decimal places before the percent sign"
        return f"at most {_MAX_DECIMALS} decimal places"
    return form


def _py_number(t: str, inp: Input, grouping: bool) -> tuple[Decimal | None, str | None]:
    rule = percent_rule(inp)
    if not re.fullmatch(_with_percent(number_pattern(inp.type, grouping), inp.type, grouping, rule, _MAX_DECIMALS), t):
        return None, _number_problem(t, inp, grouping)
    digits = re.sub(r"[^0-9.+\-]", "", t)
    try:
        value = Decimal(digits)
    except InvalidOperation:  # e.g. "+" alone cannot pass the pattern, but be safe
        return None, FORMS[inp.type]
    if inp.type == "money" and "(" in t:
        value = value.copy_negate()
    elif (inp.type == "percent" or rule == "fraction") and t[-1] in "%％":
        value = value.scaleb(-2, _EXACT)
    if value.copy_abs() >= _LIMIT:
        return None, "a number less than 10^20 in magnitude"
    return numeric.to_dec(value), None


def _py_date(t: str) -> tuple[date | None, str | None]:
    if not re.fullmatch(DATE_PATTERN, t):
        serial = re.fullmatch(r"([0-9]{1,7})(?:\.[0-9]+)?", t)
        if serial and 0 < int(serial[1]) <= SERIAL_MAX:
            return None, (f"{FORMS['date']}; {t} looks like an Excel serial date ({excel_serial_date(int(serial[1]))} "
                          "in Excel's 1900 date system): format the column as a date before saving as CSV "
                          "(in an XLSX file serial dates are read)")
        if t.lower() in ("true", "false"):
            return None, f"{FORMS['date']}; {t} is a yes/no value, not a date"
        if re.fullmatch(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}.*", t):
            return None, f"{FORMS['date']}; day/month-first forms such as 01/02/2026 are ambiguous"
        return None, FORMS["date"]
    y, m, d = _py_date_parts(t)
    try:
        return date(y, m, d), None
    except ValueError:
        return None, f"a real calendar date ({y:04d}-{m:02d}-{d:02d} does not exist)"


def check_cell(raw: str | None, inp: Input, *, grouping: bool = True, apply_limits: bool = True) -> CellResult:
    """Read one cell exactly as ``column_plan`` does, saying what is wrong if it is bad.

    Duplicate ids need the whole column and are reported by the caller.
    ``apply_limits=False`` skips ``values`` / ``min`` / ``max`` (for defaults).
    """
    t = "" if raw is None else raw.strip(WS)
    if t == "":
        if inp.type == "id":
            return CellResult(None, "an employee id; ids cannot be empty", empty=True)
        default = default_value(inp) if apply_limits else None
        if default is None and inp.required and apply_limits:
            return CellResult(None, f"a value: {inp.header!r} is required and has no default", empty=True)
        return CellResult(default, None, empty=True)
    if t in ERROR_TEXTS:
        return CellResult(None, error_problem(t))
    if t.startswith("=") and inp.type not in ("id", "text"):  # never valid in a typed column
        return CellResult(None, f"{FORMS[inp.type]}; {t} is a formula saved without its computed value: open the "
                                "file in Excel and save it, or paste the values")
    allowed = _allowed_values(inp) if apply_limits else None
    if inp.type == "id":
        return CellResult(t, None)
    if inp.type == "text":
        if allowed is not None and t not in allowed:
            return CellResult(None, _values_text(allowed, t))
        return CellResult(t, None)
    if inp.type == "boolean":
        low = t.lower()
        value = True if low in _TRUE else False if low in _FALSE else None
        if value is None:
            return CellResult(None, FORMS["boolean"])
    elif inp.type == "date":
        value, problem = _py_date(t)
        if problem:
            return CellResult(None, problem)
    else:
        value, problem = _py_number(t, inp, grouping)
        if problem:
            return CellResult(None, problem)
        if apply_limits and ((inp.min is not None and value < inp.min) or (inp.max is not None and value > inp.max)):
            return CellResult(None, _bounds_text(inp))
    if allowed is not None and value not in allowed:
        return CellResult(None, _values_text(allowed, t))
    return CellResult(value, None)


def explain(raw: str | None, inp: Input, *, grouping: bool = True) -> str:
    """What was expected of a cell the vectorized check flagged."""
    return check_cell(raw, inp, grouping=grouping).problem or FORMS[inp.type]
