"""Reading a policy-test file: YAML in, a ``TestFile`` out, or findings at ``file:line:col``.

The YAML is read by the policy loader's safe composer (``load_yaml``): YAML
1.2 scalars (``NO`` stays text, ``0.1`` is an exact decimal), no aliases,
size and depth limits, and the position of every node. The structure is
then checked here, collecting every problem before giving up, so a broken
test file is reported like a broken policy -- one finding per problem, each
at the line to fix -- and exits with status 2.

Names that depend on the policy (input columns, quantities, employees) are
checked later by the runner, once the policy is loaded.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Literal

from incentive.errors import Finding, PolicyLoadError, Pos
from incentive.policy.files import read_policy_bytes
from incentive.policy.schema import did_you_mean
from incentive.policy.yaml_doc import LoadedDoc, NodePath
from incentive.policy.yamlsafe import load_yaml
from incentive.policytest.model import Case, Cell, Expectation, HistoryPeriod, Override, Row, TestFile

TOP_KEYS = ("policy", "description", "overrides", "defaults", "cases")
CASE_KEYS = ("name", "description", "period", "overrides", "input", "history", "expect", "tolerance")
HISTORY_KEYS = ("period", "input", "results")
HISTORY_KINDS: tuple[Literal["input", "results"], ...] = ("input", "results")  # a history period gives one
LIST_QUANTITIES = ("recommendations",)  # expected as a set of actions


def load_test_file(path: str | os.PathLike[str]) -> TestFile:
    """The test file at ``path``; ``PolicyLoadError`` listing every problem when it cannot be used."""
    file = str(path)
    doc = load_yaml(read_policy_bytes(path, "policy test"), file)
    builder = _Builder(doc, file)
    test = builder.build()
    problems = list(doc.findings) + builder.findings
    if problems or test is None:
        raise PolicyLoadError(problems)
    return test


def _where(path: NodePath) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "top level"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


class _Builder:
    """Walks the loaded document, building the model and collecting findings."""

    def __init__(self, doc: LoadedDoc, file: str) -> None:
        self.doc = doc
        self.file = file
        self.findings: list[Finding] = []

    # -- reporting -------------------------------------------------------
    def problem(self, pos: Pos, code: str, message: str) -> None:
        self.findings.append(Finding(self.file, pos.line, pos.col, "error", code, message))

    def type_problem(self, path: NodePath, expected: str, value: object) -> None:
        self.problem(self.doc.pos(path), "schema-type", f"{_where(path)}: expected {expected}, got {_kind(value)}")

    def mapping(self, path: NodePath, value: object, allowed: tuple[str, ...], required: tuple[str, ...]) -> bool:
        """Check a mapping's keys; False when it is not a mapping at all."""
        if not isinstance(value, dict):
            self.type_problem(path, "a mapping", value)
            return False
        for key in value:
            if key not in allowed:
                self.problem(self.doc.key_pos(path + (key,)), "schema-unknown-key",
                             f"{_where(path)}: unknown key {key!r}{did_you_mean(key, allowed)}; "
                             f"allowed: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.problem(self.doc.pos(path), "schema-required", f"{_where(path)}: '{key}' is required")
        return True

    # -- the document ------------------------------------------------------
    def build(self) -> TestFile | None:
        data = self.doc.data
        if not isinstance(data, dict):
            what = "empty" if data is None else f"{_kind(data)}"
            self.problem(self.doc.pos(()), "not-a-test",
                         f"the document is {what}; a policy test is a mapping with 'policy:' and 'cases:'")
            return None
        if not self.mapping((), data, TOP_KEYS, ("policy", "cases")):
            return None
        policy = self.policy_path(data["policy"]) if "policy" in data else None
        overrides = self.overrides(("overrides",), data.get("overrides"))
        defaults = self.defaults(data.get("defaults"))
        cases = self.cases(data["cases"]) if "cases" in data else None
        if policy is None or cases is None:
            return None
        return TestFile(file=self.file, policy=policy, policy_pos=self.doc.text_pos(("policy",)), cases=cases,
                        overrides=overrides, defaults=defaults)

    def policy_path(self, value: object) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.type_problem(("policy",), "the path of the policy file (relative to this file)", value)
            return None
        given = Path(value.strip())
        if given.is_absolute():
            return str(given)
        return os.path.normpath(os.path.join(os.path.dirname(self.file), given))

    def overrides(self, path: NodePath, value: object) -> tuple[Override, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.type_problem(path, "a list of PATH=VALUE overrides", value)
            return ()
        out = []
        for i, item in enumerate(value):
            where = path + (i,)
            if not isinstance(item, str) or "=" not in item or not item.partition("=")[0].strip():
                self.problem(self.doc.pos(where), "schema-value",
                             f"{_where(where)}: expected PATH=VALUE text such as \"kpis.sales.weight=50\", "
                             f"got {item!r}" if isinstance(item, str) else
                             f"{_where(where)}: expected PATH=VALUE text, got {_kind(item)} (quote the whole item)")
                continue
            out.append(Override(item, self.doc.text_pos(where)))
        return tuple(out)

    def defaults(self, value: object) -> tuple[Cell, ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.type_problem(("defaults",), "a mapping of input values", value)
            return ()
        return self.cells(("defaults",), value)

    def cells(self, path: NodePath, row: dict[str, object], lists: tuple[str, ...] = ()) -> tuple[Cell, ...]:
        """The cells of a row; only a recorded ``recommendations`` (``lists``) may be a list of actions."""
        out = []
        for key, value in row.items():
            where = path + (key,)
            if isinstance(value, list) and key in lists and all(isinstance(v, str) for v in value):
                out.append(Cell(key, tuple(value), self.doc.text_pos(where), self.doc.key_pos(where)))
                continue
            if isinstance(value, (list, dict)):
                self.type_problem(where, "a single value", value)
                continue
            out.append(Cell(key, value, self.doc.text_pos(where), self.doc.key_pos(where)))
        return tuple(out)

    def rows(self, path: NodePath, value: object, what: str) -> tuple[Row, ...] | None:
        if not isinstance(value, list):
            self.type_problem(path, f"a list of {what} rows (one mapping per person)", value)
            return None
        if not value:
            self.problem(self.doc.pos(path), "schema-value", f"{_where(path)}: at least one row is needed")
            return None
        out = []
        for i, row in enumerate(value):
            where = path + (i,)
            if not isinstance(row, dict):
                self.type_problem(where, "a mapping of column -> value", row)
                continue
            if not row:
                self.problem(self.doc.pos(where), "schema-value", f"{_where(where)}: the row is empty")
                continue
            out.append(Row(self.cells(where, row, lists=LIST_QUANTITIES if what == "results" else ()),
                           self.doc.pos(where)))
        return tuple(out)

    def cases(self, value: object) -> tuple[Case, ...] | None:
        if not isinstance(value, list):
            self.type_problem(("cases",), "a list of cases", value)
            return None
        if not value:
            self.problem(self.doc.pos(("cases",)), "schema-value", "cases: at least one case is needed")
            return None
        out: list[Case] = []
        seen: dict[str, Pos] = {}
        for i, item in enumerate(value):
            case = self.case(("cases", i), item)
            if case is None:
                continue
            first = seen.get(case.name)
            if first is not None:
                here = self.doc.text_pos(("cases", i, "name"))
                self.problem(here, "duplicate-id",
                             f"case name {case.name!r} is already used at line {first.line}; names must be unique")
                continue
            seen[case.name] = self.doc.text_pos(("cases", i, "name"))
            out.append(case)
        return tuple(out)

    def case(self, path: NodePath, item: object) -> Case | None:
        if not self.mapping(path, item, CASE_KEYS, ("name", "period", "input", "expect")):
            return None
        assert isinstance(item, dict)
        before = len(self.findings)
        name = item.get("name")
        if "name" in item and (not isinstance(name, str) or not name.strip()):
            self.type_problem(path + ("name",), "the case name (text)", name)
        description = item.get("description")
        if description is not None and not isinstance(description, str):
            self.type_problem(path + ("description",), "text", description)
        period = self.period(path + ("period",), item["period"]) if "period" in item else None
        overrides = self.overrides(path + ("overrides",), item.get("overrides"))
        rows = self.rows(path + ("input",), item["input"], "input") if "input" in item else None
        history = self.history(path + ("history",), item.get("history"))
        expectations = self.expectations(path + ("expect",), item["expect"]) if "expect" in item else None
        tolerance = self.tolerance(path + ("tolerance",), item.get("tolerance"))
        if (len(self.findings) > before or rows is None or expectations is None or period is None
                or not isinstance(name, str)):
            return None
        return Case(name=name.strip(), pos=self.doc.pos(path), period=period, period_pos=self.doc.text_pos(path + ("period",)),
                    rows=rows, rows_pos=self.doc.key_pos(path + ("input",)), expectations=expectations,
                    overrides=overrides, history=history, tolerance=tolerance)

    def period(self, path: NodePath, value: object) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.type_problem(path, "a period label such as 2026-Q3, 2026-10 or 2026", value)
            return None
        return str(value)

    def tolerance(self, path: NodePath, value: object) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or not Decimal(value).is_finite() \
                or Decimal(value) < 0:
            self.problem(self.doc.pos(path), "schema-value",
                         f"{_where(path)}: expected a number of 0 or more (e.g. 0.01), got {value!r}")
            return None
        return Decimal(value)

    def history(self, path: NodePath, value: object) -> tuple[HistoryPeriod, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.type_problem(path, "a list of earlier periods ({period, input: rows} or {period, results: rows})",
                              value)
            return ()
        out = []
        for i, item in enumerate(value):
            where = path + (i,)
            if not self.mapping(where, item, HISTORY_KEYS, ("period",)):
                continue
            assert isinstance(item, dict)
            kinds = [k for k in HISTORY_KINDS if k in item]
            if len(kinds) != 1:
                self.problem(self.doc.pos(where), "schema-value",
                             f"{_where(where)}: give exactly one of 'input' (rows to evaluate) or 'results' "
                             f"(recorded values)")
                continue
            period = self.period(where + ("period",), item["period"]) if "period" in item else None
            rows = self.rows(where + (kinds[0],), item[kinds[0]], kinds[0])
            if period is None or rows is None:
                continue
            out.append(HistoryPeriod(period, self.doc.text_pos(where + ("period",)), kinds[0], rows,
                                     self.doc.pos(where)))
        return tuple(out)

    def expectations(self, path: NodePath, value: object) -> tuple[Expectation, ...] | None:
        if not isinstance(value, dict):
            self.type_problem(path, "a mapping of employee id -> {quantity: expected value}", value)
            return None
        if not value:
            self.problem(self.doc.pos(path), "schema-value", f"{_where(path)}: expect at least one value")
            return None
        out = []
        for employee, quantities in value.items():
            where = path + (employee,)
            if not isinstance(quantities, dict) or not quantities:
                self.type_problem(where, "a mapping of quantity -> expected value", quantities)
                continue
            for name, expected in quantities.items():
                spot = where + (name,)
                if name in LIST_QUANTITIES:
                    expected = self.action_set(spot, expected)
                    if expected is None:
                        continue
                elif isinstance(expected, (list, dict)):
                    self.type_problem(spot, "a single value", expected)
                    continue
                out.append(Expectation(employee=employee, quantity=name, expected=expected,
                                       pos=self.doc.key_pos(spot), value_pos=self.doc.text_pos(spot),
                                       employee_pos=self.doc.key_pos(where)))
        return tuple(out)

    def action_set(self, path: NodePath, value: object) -> tuple[str, ...] | None:
        items = value if isinstance(value, list) else [value]
        if value is None or not all(isinstance(v, str) for v in items):
            wrong = value if not isinstance(value, list) else next(v for v in items if not isinstance(v, str))
            self.problem(self.doc.pos(path), "schema-type",
                         f"{_where(path)}: expected a list of recommended actions such as [improvement_plan] "
                         f"([] for none), got {_kind(wrong)}{' in the list' if isinstance(value, list) else ''}")
            return None
        return tuple(sorted(set(items)))
