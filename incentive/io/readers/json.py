"""JSON: an array of objects, one per employee; the keys (in first-seen order) are the headers.

Numbers keep their source text exactly (``1.50`` stays ``1.50``; ``1.5e3``
becomes ``1500``); ``true`` / ``false`` are booleans; ``null`` is an empty
cell; a list or object in a cell is a problem. Row numbers are the 1-based
record numbers.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import polars as pl

from incentive.errors import DataProblem
from incentive.io.encoding import text_of
from incentive.io.raw_table import ROW, Chooser, RawTable, col, fail, frame_of, show
from incentive.io.source import check_json_depth
from incentive.numeric import plain_text


#: JSON numbers in exponent form are written out in full only up to this
#: exponent (far beyond any accepted value: inputs are below 10^20, 12 decimals)
_JSON_MAX_EXPONENT = 64


class _Number(str):
    """A JSON number kept as its exact source text."""


class _Object(dict):
    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for k, _ in pairs:
            if k in seen:
                repeated.append(k)
            seen.add(k)
        obj.duplicates = tuple(repeated)
    return obj


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number) and ("e" in value or "E" in value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return str(value)
        if not number.is_finite() or abs(number.adjusted()) > _JSON_MAX_EXPONENT:
            return str(value)  # 1e999999999 written out would be a billion digits; refused as written
        return plain_text(number, trim=False)
    return str(value)


def _json_show(value: object) -> str:
    """A JSON value as it was written (numbers keep their source text)."""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_json_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def read_json(raw: bytes, file: str, choose: Chooser, *, encoding: str | None) -> RawTable:
    text, used = text_of(raw, file, encoding)
    if not text.strip():
        raise fail(file, "the file is empty: expected a JSON array of objects, one per employee")
    too_deep = check_json_depth(text, file)
    if too_deep:
        raise fail(file, too_deep)
    try:
        doc = json.loads(text, parse_float=_Number, parse_int=_Number, parse_constant=_Number, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise fail(file, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise fail(file, "not usable JSON: nested too deeply") from None
    if not isinstance(doc, list):
        message = "expected a JSON array of objects (one per employee) at the top level"
        if isinstance(doc, dict):
            arrays = [k for k, v in doc.items() if isinstance(v, list)]
            message += ", found an object" + (f" holding the array {arrays[0]!r}: put that array at the top level" if len(arrays) == 1 else "")
        raise fail(file, message)
    if not doc:
        raise fail(file, "no data rows: the JSON array is empty")
    problems: list[DataProblem] = []
    headers: list[str] = []
    known: set[str] = set()
    for row, item in enumerate(doc, start=1):
        if isinstance(item, dict):
            for key in item:
                if key not in known:
                    known.add(key)
                    headers.append(key)
            for key in getattr(item, "duplicates", ()):
                problems.append(DataProblem(file, row, key, "", "each key once per object (this key appears more than once)"))
        else:
            problems.append(DataProblem(file, row, "", show(_json_show(item)),
                                        'an object such as {"employee_id": "E001", ...}'))
    chosen = choose(headers, 0)
    columns = []
    for i in sorted(chosen):
        key = headers[i]
        values: list[str | None] = []
        for row, item in enumerate(doc, start=1):
            cell = item.get(key) if isinstance(item, dict) else None
            if isinstance(cell, (list, dict)):
                problems.append(DataProblem(file, row, key, show(_json_show(cell)), "a single value, not a list or an object"))
                cell = None
            values.append(_json_text(cell))
        columns.append(pl.Series(col(i), values, dtype=pl.String))
    frame = frame_of(columns, len(doc), 1)
    bad_rows = {p.row for p in problems}
    if bad_rows:
        frame = frame.filter(~pl.col(ROW).is_in(sorted(bad_rows)))
    return RawTable(headers=headers, header_row=0, frame=frame, format="json", encoding=used, problems=problems)

