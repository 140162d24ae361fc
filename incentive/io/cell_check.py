"""Reading one cell in plain Python, saying exactly what is wrong with it.

The mirror of ``coerce``'s column-wide reading, built from the same rules
(``cell_rules``): it runs only for the few cells the vectorized check
flagged, and for policy defaults, which are read like a cell.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, InvalidOperation

from incentive import numeric
from incentive.io.cell_rules import (CURRENCY, DATE_PATTERN, ERROR_MEANING, ERROR_TEXTS, FALSE_WORDS, FORMS, LIMIT,
                                     MAX_DECIMALS, SP, TRUE_WORDS, WS, allowed_values, number_pattern, percent_rule,
                                     with_percent)
from incentive.io.excel_dates import SERIAL_MAX, excel_serial_date
from incentive.policy.model import NUMERIC_TYPES, Input

#: rewrites any accepted date form (time dropped) to Y-M-D for parsing
_DATE_PARTS = r"^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?(?:[T ].*)?$"


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
    meaning = ERROR_MEANING.get(t)
    return (f"a value, but the cell holds the Excel error {t}" + (f" ({meaning})" if meaning else "")
            + ": the formula behind it failed; fix it in the sheet (an error is never replaced by the default)")


def _hints(t: str, inp: Input, grouping: bool) -> str | None:
    """A cell form users really send, named: booleans, full-width digits, formulas, percentages."""
    form = FORMS[inp.type]
    if t.lower() in ("true", "false"):
        return f"{form}; {t} is a yes/no value (a checkbox or a comparison), not a number"
    wide = unicodedata.normalize("NFKC", t)
    if wide != t and re.fullmatch(with_percent(number_pattern(inp.type, grouping), inp.type, grouping,
                                                percent_rule(inp), MAX_DECIMALS), wide):
        return (f"{form}; it is written in full-width characters ({t} is {wide} in ASCII): retype it with ASCII "
                "digits, or convert the column with Excel's =ASC(cell)")
    if re.search("[%％]", t) and inp.type in ("integer", "number"):
        shown = re.sub(f"{SP}[%％]$", "", t)
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
    if inp.type != "money" and (re.search(CURRENCY, t) or "元" in t):
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
            return f"at most {MAX_DECIMALS - 2} decimal places before the percent sign"
        return f"at most {MAX_DECIMALS} decimal places"
    return form


def _py_number(t: str, inp: Input, grouping: bool) -> tuple[Decimal | None, str | None]:
    rule = percent_rule(inp)
    if not re.fullmatch(with_percent(number_pattern(inp.type, grouping), inp.type, grouping, rule, MAX_DECIMALS), t):
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
    if value.copy_abs() >= LIMIT:
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
    allowed = allowed_values(inp) if apply_limits else None
    if inp.type == "id":
        return CellResult(t, None)
    if inp.type == "text":
        if allowed is not None and t not in allowed:
            return CellResult(None, _values_text(allowed, t))
        return CellResult(t, None)
    value: bool | date | Decimal | None
    if inp.type == "boolean":
        low = t.lower()
        value = True if low in TRUE_WORDS else False if low in FALSE_WORDS else None
        if value is None:
            return CellResult(None, FORMS["boolean"])
    elif inp.type == "date":
        value, problem = _py_date(t)
        if problem:
            return CellResult(None, problem)
    else:
        number, problem = _py_number(t, inp, grouping)
        if problem or number is None:
            return CellResult(None, problem or FORMS[inp.type])
        if apply_limits and ((inp.min is not None and number < inp.min) or (inp.max is not None and number > inp.max)):
            return CellResult(None, _bounds_text(inp))
        value = number
    if allowed is not None and value not in allowed:
        return CellResult(None, _values_text(allowed, t))
    return CellResult(value, None)


def explain(raw: str | None, inp: Input, *, grouping: bool = True) -> str:
    """What was expected of a cell the vectorized check flagged."""
    return check_cell(raw, inp, grouping=grouping).problem or FORMS[inp.type]
