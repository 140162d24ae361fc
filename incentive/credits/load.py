"""Reading a crediting file: safe YAML (the policy's loader) checked into a ``Definition``.

Every problem is reported as ``file:line:col: message`` -- all of them, not
only the first -- and raised as ``UsageError`` (exit 2): a crediting file
that cannot be compiled never reaches the data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from incentive.credits.definition import (ADJUSTMENT_KINDS, CREDIT_KINDS, MEASURE_KINDS, TABLES, Adjustment, Amount,
                                          Assignments, Definition, LineSource, Measure, Rule, Splits)
from incentive.errors import PolicyLoadError, UsageError
from incentive.policy.files import read_policy_bytes
from incentive.policy.yaml_doc import LoadedDoc
from incentive.policy.yamlsafe import load_yaml

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ROLE = re.compile(r"^[^'\\\x00-\x1f\x7f]{1,64}$")  # becomes an SQL literal: see sql.text_literal
FORMAT_VERSION = 1
_TOP = ("crediting", "lines", "adjustments", "splits", "assignments", "people", "classifications", "include",
        "measures")


class _Reader:
    """Walks the loaded document, collecting located problems."""

    def __init__(self, doc: LoadedDoc, file: str):
        self.doc = doc
        self.file = file
        self.problems: list[str] = []

    def problem(self, path: tuple, message: str) -> None:
        pos = self.doc.key_pos(path)
        self.problems.append(f"{self.file}:{pos.line}:{pos.col}: {message}")

    def mapping(self, value: Any, path: tuple, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        where = ".".join(str(p) for p in path) or "the file"
        if not isinstance(value, dict):
            self.problem(path, f"{where} must be a mapping")
            return {}
        for key in value:
            if key not in allowed:
                self.problem(path + (key,), f"unknown key {key!r} in {where}; expected one of {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.problem(path, f"{where} needs {key!r}")
        return value

    def text(self, value: Any, path: tuple) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
            self.problem(path, f"{'.'.join(map(str, path))} must be a column header (text), not {value!r}")
            return ""
        return str(value).strip()

    def name(self, value: Any, path: tuple) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(path, f"{value!r} is not a name: use ASCII letters, digits and _ (not starting with a digit)")
        return str(value)

    def opt_text(self, d: dict, key: str, path: tuple) -> str | None:
        return self.text(d[key], path + (key,)) if key in d else None

    def names(self, d: dict, key: str, path: tuple) -> dict:
        value = d.get(key, {})
        if not isinstance(value, dict):
            self.problem(path + (key,), f"{key} must be a mapping of name -> ...")
            return {}
        for k in value:
            self.name(k, path + (key, k))
        return value


def load_definition(path: str | Path) -> Definition:
    """The checked definition of the crediting file at ``path`` (``UsageError`` on any problem)."""
    file = str(path)
    try:
        doc = load_yaml(read_policy_bytes(path, "crediting file"), file)
    except PolicyLoadError as exc:
        raise UsageError(str(exc)) from None
    return definition_of(doc, file)


def definition_of(doc: LoadedDoc, file: str) -> Definition:
    r = _Reader(doc, file)
    top = r.mapping(doc.data, (), _TOP, ("crediting", "lines", "measures"))
    if top.get("crediting", FORMAT_VERSION) != FORMAT_VERSION:
        r.problem(("crediting",), f"crediting: {top['crediting']!r} is not a known format version; expected 1")
    lines = tuple(_line_source(r, k, v) for k, v in r.names(top, "lines", ()).items())
    if not lines and "lines" in top:
        r.problem(("lines",), "lines must declare at least one line source")
    by_name = {s.name: s for s in lines}
    adjustments = tuple(_adjustment(r, k, v, by_name) for k, v in r.names(top, "adjustments", ()).items())
    taken = [s.name for s in lines] + [a.name for a in adjustments]
    for n in taken:
        if n in TABLES or taken.count(n) > 1:
            r.problem(("lines", n) if n in by_name else ("adjustments", n),
                      f"source name {n!r} is {'reserved' if n in TABLES else 'used twice'}")
    splits = _splits(r, top["splits"], lines) if "splits" in top else None
    assignments = _assignments(r, top["assignments"]) if "assignments" in top else None
    people = None
    if "people" in top:
        p = r.mapping(top["people"], ("people",), ("id",))
        people = r.opt_text(p, "id", ("people",))
    columns = {name for s in lines for name, _ in s.columns}
    rules = tuple(_rule(r, k, v, columns) for k, v in r.names(top, "classifications", ()).items())
    rule_names = {x.name for x in rules}
    include = _rule_list(r, top.get("include", []), ("include",), rule_names)
    amounts = {a.name for s in lines for a in s.amounts}
    measures = tuple(_measure(r, k, v, amounts, columns, rule_names) for k, v in r.names(top, "measures", ()).items())
    if not measures and "measures" in top:
        r.problem(("measures",), "measures must declare at least one measure")
    if r.problems:
        raise UsageError("\n".join(r.problems))
    return Definition(file=file, lines=lines, adjustments=adjustments, splits=splits, assignments=assignments,
                      people=people, rules=rules, include=include, measures=measures)


def _amounts(r: _Reader, value: Any, path: tuple, dated: bool) -> tuple[Amount, ...]:
    if not isinstance(value, dict) or not value:
        r.problem(path, "amounts must map an amount name to its column header, e.g. {amount: 订单金额}")
        return ()
    out = []
    for name, spec in value.items():
        here = path + (name,)
        r.name(name, here)
        if isinstance(spec, dict):
            d = r.mapping(spec, here, ("column", "date") if dated else ("column",), ("column",))
            out.append(Amount(name, r.text(d.get("column", ""), here + ("column",)), r.opt_text(d, "date", here),
                              r.doc.key_pos(here)))
        else:
            out.append(Amount(name, r.text(spec, here), None, r.doc.key_pos(here)))
    return tuple(out)


def _line_source(r: _Reader, name: str, value: Any) -> LineSource:
    path = ("lines", name)
    d = r.mapping(value, path, ("id", "date", "person", "deal", "currency", "amounts", "columns"),
                  ("id", "date", "amounts"))
    columns = {k: r.text(v, path + ("columns", k)) for k, v in r.names(d, "columns", path).items()}
    return LineSource(name=name, id=r.text(d.get("id", "?"), path + ("id",)), date=r.text(d.get("date", "?"), path + ("date",)),
                      amounts=_amounts(r, d.get("amounts"), path + ("amounts",), True),
                      person=r.opt_text(d, "person", path), deal=r.opt_text(d, "deal", path),
                      currency=r.opt_text(d, "currency", path), columns=tuple(columns.items()), pos=r.doc.key_pos(path))


def _adjustment(r: _Reader, name: str, value: Any, lines: dict[str, LineSource]) -> Adjustment:
    path = ("adjustments", name)
    d = r.mapping(value, path, ("of", "kind", "id", "line", "date", "amounts", "currency"),
                  ("of", "kind", "id", "line", "date", "amounts"))
    of = str(d.get("of", ""))
    if "of" in d and of not in lines:
        r.problem(path + ("of",), f"of: {of!r} is not a line source; expected one of {', '.join(lines) or '(none)'}")
    kind = str(d.get("kind", "refund"))
    if kind not in ADJUSTMENT_KINDS:
        r.problem(path + ("kind",), f"kind: {kind!r}; expected one of {', '.join(ADJUSTMENT_KINDS)}")
    amounts = _amounts(r, d.get("amounts"), path + ("amounts",), False)
    if of in lines:
        known = {a.name for a in lines[of].amounts}
        for a in amounts:
            if a.name not in known:
                r.problem(path + ("amounts", a.name),
                          f"amount {a.name!r} is not an amount of line source {of!r}; expected one of {', '.join(sorted(known))}")
    return Adjustment(name=name, of=of, kind=kind, id=r.text(d.get("id", "?"), path + ("id",)),
                      line=r.text(d.get("line", "?"), path + ("line",)), date=r.text(d.get("date", "?"), path + ("date",)),
                      amounts=amounts, currency=r.opt_text(d, "currency", path), pos=r.doc.key_pos(path))


def _splits(r: _Reader, value: Any, lines: tuple[LineSource, ...]) -> Splits:
    path = ("splits",)
    d = r.mapping(value, path, ("line", "person", "share", "role", "by", "exact"), ("line", "person", "share"))
    by = d.get("by", "line")
    if by not in ("line", "deal"):
        r.problem(path + ("by",), f"by: {by!r}; expected line or deal")
    elif by == "deal":
        for s in lines:
            if s.deal is None:
                r.problem(path + ("by",), f"splits by deal, but line source {s.name!r} declares no deal column")
    exact = d.get("exact", False)
    if not isinstance(exact, bool):
        r.problem(path + ("exact",), f"exact: {exact!r}; expected true or false")
    return Splits(line=r.text(d.get("line", "?"), path + ("line",)), person=r.text(d.get("person", "?"), path + ("person",)),
                  share=r.text(d.get("share", "?"), path + ("share",)), role=r.opt_text(d, "role", path), by=str(by),
                  exact=exact is True, pos=r.doc.key_pos(path))


def _assignments(r: _Reader, value: Any) -> Assignments:
    path = ("assignments",)
    d = r.mapping(value, path, ("person", "valid_from", "valid_to", "manager", "attributes"),
                  ("person", "valid_from", "valid_to"))
    attributes = {k: r.text(v, path + ("attributes", k)) for k, v in r.names(d, "attributes", path).items()}
    for reserved in ("person", "manager", "valid_from", "valid_to"):
        if reserved in attributes:
            r.problem(path + ("attributes", reserved), f"attribute name {reserved!r} is reserved")
    return Assignments(person=r.text(d.get("person", "?"), path + ("person",)),
                       valid_from=r.text(d.get("valid_from", "?"), path + ("valid_from",)),
                       valid_to=r.text(d.get("valid_to", "?"), path + ("valid_to",)),
                       manager=r.opt_text(d, "manager", path), attributes=tuple(attributes.items()),
                       pos=r.doc.key_pos(path))


def _rule(r: _Reader, name: str, value: Any, columns: set[str]) -> Rule:
    path = ("classifications", name)
    d = r.mapping(value, path, ("column", "in", "not_in"), ("column",))
    column = str(d.get("column", ""))
    if "column" in d and column not in columns:
        r.problem(path + ("column",), f"column {column!r} is not a classification column of any line source; "
                                      f"expected one of {', '.join(sorted(columns)) or '(none declared under columns:)'}")
    if ("in" in d) == ("not_in" in d):
        r.problem(path, f"classification {name!r} needs exactly one of in / not_in")
    key = "in" if "in" in d else "not_in"
    values = d.get(key, [])
    if not isinstance(values, list) or not values or any(isinstance(v, (dict, list, bool)) or v is None for v in values):
        r.problem(path + (key,), f"{key} must be a non-empty list of values")
        values = []
    return Rule(name=name, column=column, values=tuple(str(v).strip() for v in values), negate=key == "not_in",
                pos=r.doc.key_pos(path))


def _rule_list(r: _Reader, value: Any, path: tuple, known: set[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        r.problem(path, "expected a list of classification names")
        return ()
    for i, item in enumerate(items):
        if item not in known:
            r.problem(path + (i,), f"{item!r} is not a classification; expected one of {', '.join(sorted(known)) or '(none)'}")
    return tuple(str(i) for i in items)


def _measure(r: _Reader, mid: str, value: Any, amounts: set[str], columns: set[str], rules: set[str]) -> Measure:
    path = ("measures", mid)
    d = r.mapping(value, path, MEASURE_KINDS + ("amount", "role", "credit", "where"))
    kinds = [k for k in MEASURE_KINDS if k in d]
    if len(kinds) != 1:
        r.problem(path, f"measure {mid!r} needs exactly one of {', '.join(MEASURE_KINDS)}")
        return Measure(mid, "sum", "", pos=r.doc.key_pos(path))
    kind = kinds[0]
    target = str(d[kind])
    column = None
    if kind == "count_distinct":
        column = target
        if column not in columns:
            r.problem(path + (kind,), f"count_distinct: {column!r} is not a classification column; "
                                      f"expected one of {', '.join(sorted(columns)) or '(none)'}")
        target = str(d.get("amount", sorted(amounts)[0] if amounts else ""))
    elif "amount" in d:
        r.problem(path + ("amount",), "amount: is only for count_distinct (the others name their amount directly)")
    if target not in amounts:
        r.problem(path + ((kind,) if kind != "count_distinct" else ("amount",)),
                  f"{target!r} is not an amount of any line source; expected one of {', '.join(sorted(amounts))}")
    credit = str(d.get("credit", "direct"))
    if credit not in CREDIT_KINDS:
        r.problem(path + ("credit",), f"credit: {credit!r}; expected one of {', '.join(CREDIT_KINDS)}")
    role = d.get("role")
    if role is not None and (not isinstance(role, str) or not _ROLE.match(role)):
        r.problem(path + ("role",), f"role: {role!r} must be the role text of the split table (no quote, backslash "
                                    "or control character)")
        role = None
    return Measure(id=mid, kind=kind, amount=target, column=column, role=None if role is None else str(role),
                   credit=credit, where=_rule_list(r, d.get("where", []), path + ("where",), rules),
                   pos=r.doc.key_pos(path))
