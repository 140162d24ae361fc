"""Export layouts: what a payroll, bank or tax file looks like, read from a YAML file.

A layout names the columns of the file in order (a header and where each
cell comes from), the file format and encoding, how numbers and dates are
written, the sign of deductions, one row per person or per person and
component, and an optional control-total line. The shipped layouts
(``layouts/*.yaml``) are selected by name; any other is a file.

The YAML is read with the policy loader's safe composer (YAML 1.2 scalars,
no aliases, size limit, ``line:col`` of every node) and checked against
``layout.schema.json``; every problem is reported at its position and the
export refuses (exit 2):

    bank.yaml:12:13: unknown column source "foo" (expected one of amount, total, ...)
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from incentive.errors import Pos, UsageError
from incentive.policy.files import read_policy_bytes
from incentive.policy.schema import did_you_mean, format_path
from incentive.policy.yaml_doc import LoadedDoc
from incentive.policy.yamlsafe import load_yaml

SCHEMA_FILE = "layout.schema.json"
LAYOUTS_DIR = "layouts"

#: column sources that take no argument
PLAIN_SOURCES = ("amount", "total", "employee_id", "name", "period", "period_start", "period_end", "export_date",
                 "currency", "component", "component_label", "row_number", "constant", "empty")
#: column sources with an argument after the colon: a payout / penalty id, a people-file field
PREFIXED_SOURCES = ("payout", "penalty", "people")
#: sources whose cells are amounts (numbers); every other source is text (or a date)
AMOUNT_SOURCES = ("amount", "total", "payout", "penalty")
DATE_SOURCES = ("period_start", "period_end", "export_date")

Format = Literal["csv", "xlsx"]
Rows = Literal["person", "person_component"]


def expected_sources() -> str:
    return ", ".join([*PLAIN_SOURCES, *(f"{p}:<{'field' if p == 'people' else 'id'}>" for p in PREFIXED_SOURCES)])


@dataclass(frozen=True)
class Column:
    """One column of the file: its header and where its cells come from."""

    header: str
    kind: str  # amount, total, payout, penalty, people, period, constant...
    arg: str | None  # the payout / penalty id or the people field (``payout:bonus`` -> ``bonus``)
    value: str | None  # the text of a ``constant`` column
    pos: Pos  # where the source was written

    @property
    def source(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg is not None else self.kind

    @property
    def is_amount(self) -> bool:
        return self.kind in AMOUNT_SOURCES

    @property
    def is_date(self) -> bool:
        return self.kind in DATE_SOURCES


@dataclass(frozen=True)
class ControlTotal:
    """A last line holding the sum of the exported amounts (and the row count, if asked)."""

    label: str
    label_column: str  # the header of the column that holds the label
    count_column: str | None


@dataclass(frozen=True)
class Layout:
    name: str
    file: str  # the layout file as named in messages
    format: Format
    encoding: str  # utf-8, utf-8-sig or gbk (CSV only; XLSX is always UTF-8 inside)
    sheet: str
    rows: Rows
    components: tuple[str, ...] | None  # None: every payout and penalty of the policy
    components_pos: Pos
    skip_zero: bool
    negative: Literal["allow", "refuse"]
    deductions: Literal["negative", "positive"]
    lang: Literal["zh", "en"]
    decimals: int
    thousands: bool
    dates: str
    control_total: ControlTotal | None
    columns: tuple[Column, ...]

    @property
    def people_fields(self) -> tuple[str, ...]:
        """The people-file fields the columns read, in column order."""
        return tuple(dict.fromkeys(c.arg for c in self.columns if c.kind == "people" and c.arg))

    @property
    def amount_column(self) -> Column:
        return next(c for c in self.columns if c.kind == "amount")

    def at(self, pos: Pos) -> str:
        return f"{self.file}:{pos.line}:{pos.col}"


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    text = resources.files("incentive.exports").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def shipped_layouts() -> list[str]:
    """The names of the layouts that ship with incentive."""
    folder = resources.files("incentive.exports").joinpath(LAYOUTS_DIR)
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_layout(name_or_file: str) -> Layout:
    """A shipped layout by name, or a layout file; ``UsageError`` (exit 2) naming every problem."""
    path = Path(name_or_file)
    if path.suffix.lower() in (".yaml", ".yml") or os.sep in name_or_file or path.exists():
        return parse_layout(read_policy_bytes(path, "layout"), str(path))
    if name_or_file in shipped_layouts():
        folder = resources.files("incentive.exports").joinpath(LAYOUTS_DIR)
        data = folder.joinpath(f"{name_or_file}.yaml").read_bytes()
        return parse_layout(data, f"layout {name_or_file}")
    raise UsageError(f"--layout: unknown layout {name_or_file!r}{did_you_mean(name_or_file, shipped_layouts())}; "
                     f"the shipped layouts are {', '.join(shipped_layouts())}, or give a layout file (.yaml)")


def parse_layout(data: bytes | str, file: str) -> Layout:
    doc = load_yaml(data, file)
    problems = [str(f) for f in doc.findings if f.level == "error"]
    if not isinstance(doc.data, dict):
        raise UsageError(f"{file}:1:1: a layout is a mapping with layout, format and columns")
    problems += [_message(e, doc, file) for e in sorted(_validator().iter_errors(doc.data), key=_order(doc))]
    if problems:
        raise UsageError("\n".join(dict.fromkeys(problems)))
    layout = _build(doc, file)
    problems = _semantic(layout, doc)
    if problems:
        raise UsageError("\n".join(problems))
    return layout


def _order(doc: LoadedDoc):  # type: ignore[no-untyped-def]  # a sort key over ValidationError
    return lambda e: (doc.pos(tuple(e.absolute_path)), e.message)


def _message(error: ValidationError, doc: LoadedDoc, file: str) -> str:
    path = tuple(error.absolute_path)
    pos = doc.pos(path)
    where = f"{file}:{pos.line}:{pos.col}"
    at = format_path(path) or "top level"
    if path[-1:] == ("source",) and error.validator in ("anyOf", "pattern", "enum"):
        return f'{where}: unknown column source "{error.instance}" (expected one of {expected_sources()})' + \
            (did_you_mean(error.instance, PLAIN_SOURCES) if isinstance(error.instance, str) else "")
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        lines = []
        for key in (k for k in error.instance if k not in known):
            key_pos = doc.key_pos(path + (key,))
            lines.append(f"{file}:{key_pos.line}:{key_pos.col}: unknown key {key!r} "
                         f"{'in ' + at if path else 'at the top level'}{did_you_mean(key, known)}; "
                         f"allowed: {', '.join(known)}")
        return "\n".join(lines)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{where}: {at}: missing required key {missing[0]!r}"
    if error.validator == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{where}: {at}: {error.instance!r} is not one of {options}" + \
            (did_you_mean(error.instance, [str(v) for v in error.validator_value]) if isinstance(error.instance, str) else "")
    if error.validator == "pattern" and "description" in error.schema:
        return f"{where}: {at}: {error.instance!r} is not a valid {error.schema.get('title', 'value')} " \
               f"({error.schema['description']})"
    return f"{where}: {at}: {error.message}"


def _build(doc: LoadedDoc, file: str) -> Layout:
    d = doc.data
    assert isinstance(d, dict)
    columns = []
    for i, c in enumerate(d["columns"]):
        kind, _, arg = str(c["source"]).partition(":")
        columns.append(Column(header=c["header"], kind=kind, arg=arg if kind in PREFIXED_SOURCES else None,
                              value=c.get("value"), pos=doc.pos(("columns", i, "source"))))
    numbers = d.get("numbers") or {}
    control = d.get("control_total")
    fmt = d["format"]
    return Layout(
        name=d["layout"], file=file, format=fmt, encoding=d.get("encoding", "utf-8-sig" if fmt == "csv" else "utf-8"),
        sheet=d.get("sheet", "Sheet1"), rows=d.get("rows", "person"),
        components=tuple(d["components"]) if "components" in d else None,
        components_pos=doc.pos(("components",)), skip_zero=bool(d.get("skip_zero", False)),
        negative=d.get("negative", "allow"),
        deductions=d.get("deductions", "negative"), lang=d.get("lang", "zh"),
        decimals=int(numbers.get("decimals", 2)), thousands=bool(numbers.get("thousands", False)),
        dates=d.get("dates", "%Y-%m-%d"),
        control_total=None if control is None else ControlTotal(
            label=control["label"], label_column=control.get("label_column", columns[0].header),
            count_column=control.get("count_column")),
        columns=tuple(columns))


def _semantic(layout: Layout, doc: LoadedDoc) -> list[str]:
    """What the schema cannot say: one amount column, headers that exist, options that fit the format."""
    out: list[str] = []
    amounts = [c for c in layout.columns if c.kind == "amount"]
    if len(amounts) != 1:
        pos = amounts[1].pos if amounts else doc.pos(("columns",))
        out.append(f"{layout.at(pos)}: a layout has exactly one column with source \"amount\" (the exported "
                   f"amount the control total adds up); this one has {len(amounts)}")
    headers: dict[str, Column] = {}
    for i, c in enumerate(layout.columns):
        if c.header in headers:
            out.append(f"{layout.at(doc.pos(('columns', i, 'header')))}: header {c.header!r} is used twice")
        headers.setdefault(c.header, c)
        if c.kind == "constant" and c.value is None:
            out.append(f"{layout.at(c.pos)}: source \"constant\" needs a value (value: TEXT)")
        if c.kind != "constant" and c.value is not None:
            out.append(f"{layout.at(doc.pos(('columns', i, 'value')))}: value is only for source \"constant\"")
        if c.kind in PREFIXED_SOURCES and not (c.arg or "").strip():
            out.append(f"{layout.at(c.pos)}: source \"{c.kind}:\" needs a "
                       f"{'field name' if c.kind == 'people' else 'component id'} after the colon")
        if c.kind in ("component", "component_label") and layout.rows != "person_component":
            out.append(f"{layout.at(c.pos)}: source \"{c.kind}\" needs rows: person_component")
    if layout.components is not None and layout.rows != "person_component":
        out.append(f"{layout.at(layout.components_pos)}: components applies to rows: person_component")
    if layout.format == "xlsx" and "encoding" in doc.data:  # type: ignore[operator]  # a dict: checked above
        out.append(f"{layout.at(doc.pos(('encoding',)))}: encoding applies to CSV files (an XLSX file is always UTF-8)")
    if layout.format == "csv" and "sheet" in doc.data:  # type: ignore[operator]
        out.append(f"{layout.at(doc.pos(('sheet',)))}: sheet applies to XLSX files")
    if layout.control_total is not None:
        for key in ("label_column", "count_column"):
            header = getattr(layout.control_total, key)
            if header is None:
                continue
            col = headers.get(header)
            if col is None:
                pos = doc.pos(("control_total", key))
                out.append(f"{layout.at(pos)}: control_total.{key} {header!r} is not a column header"
                           f"{did_you_mean(header, list(headers))}")
            elif col.is_amount:
                pos = doc.pos(("control_total", key))
                out.append(f"{layout.at(pos)}: control_total.{key} {header!r} is an amount column; "
                           "name a text column")
    return out
