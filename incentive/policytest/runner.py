"""Running policy tests: load each test file's policy, evaluate every case, compare.

A case goes through the same path as a real period: its input rows are
written as a JSON period file and read by ``read_period_data`` (so every
cell is checked against the policy's inputs exactly as a CSV would be), its
history periods are evaluated oldest first -- each seeing the ones before it
-- or taken as recorded results, and the current period is evaluated by the
engine with that history. Expected values are then compared with the
results: numbers and money exactly as decimals (``3000`` equals
``3000.00``), numbers that are not money within the case's ``tolerance``
when it gives one, text, booleans and dates exactly, and
``recommendations`` as a set of actions.

Problems in a test file that the loader cannot see without the policy --
unknown input columns, unknown quantities, employees not in the input,
expected values of the wrong type, bad cells -- are findings at the
test file's ``line:col`` and make the case an *error* (exit status 2), not a
failure: the test itself is broken.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Sequence

import polars as pl

from incentive.errors import DataInvalid, Finding, IncentiveError, PolicyInvalid, PolicyLoadError, Pos, UsageError
from incentive.policy.schema import did_you_mean
from incentive.policytest.loader import load_test_file
from incentive.policy.files import is_test_file, unique, walk
from incentive.policytest.model import Case, Cell, Expectation, Override, Row, TestFile
from incentive.policytest.outcomes import CaseOutcome, Failure, SuiteOutcome

_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# ---------------------------------------------------------------- what a run produces


@dataclass
class CaseRun:
    """One case's outcome, with the evaluated results (for coverage)."""

    case: Case
    failures: list[Failure] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    results: object | None = None  # incentive.engine.results.Results of the case's period

    @property
    def status(self) -> str:
        return "error" if self.errors else "failed" if self.failures else "passed"


@dataclass
class FileRun:
    """One test file: the cases that ran, or the problems that kept it from running."""

    file: str
    test: TestFile | None = None
    errors: list[Finding] = field(default_factory=list)
    cases: list[CaseRun] = field(default_factory=list)
    deselected: int = 0
    base_policy: object | None = None  # the CheckedPolicy with the file's overrides only

    def outcome(self) -> SuiteOutcome:
        """The file as the reporters show it."""
        cases = tuple(
            CaseOutcome(name=c.case.name, classname=self.file, file=self.file, line=c.case.pos.line,
                        failures=tuple(c.failures), errors=tuple(c.errors), seconds=c.seconds)
            for c in self.cases)
        return SuiteOutcome(name=self.file, cases=cases, errors=tuple(self.errors), deselected=self.deselected)


def exit_status(runs: Sequence[FileRun]) -> int:
    """0 every case passed, 1 some failed, 2 some test could not be run at all."""
    if any(r.errors or any(c.errors for c in r.cases) for r in runs):
        return 2
    if any(c.failures for r in runs for c in r.cases):
        return 1
    return 0


# ---------------------------------------------------------------- discovery


def discover(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Finding]]:
    """Test files named by ``paths``: files as given, directories walked for ``*.test.yaml`` / ``*.test.yml``.

    Hidden files and directories are skipped. A missing path, or a directory
    without test files, is a finding (exit status 2), not an empty run.
    """
    found: list[Path] = []
    problems: list[Finding] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Finding(str(given), 0, 0, "error", "file-unreadable", "no such file or directory"))
        elif path.is_dir():
            inside = walk(path, is_test_file)
            if not inside:
                problems.append(Finding(str(given), 0, 0, "error", "no-tests",
                                        "no *.test.yaml or *.test.yml files in this directory"))
            found.extend(inside)
        else:
            found.append(path)
    return unique(found), problems


# ---------------------------------------------------------------- policies


class PolicyCache:
    """Checked policies by (file, overrides): each variant is loaded and checked once per run."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, tuple[str, ...]], object] = {}
        self._failed: dict[tuple[str, tuple[str, ...]], IncentiveError] = {}

    def get(self, path: str, overrides: Sequence[str] = ()) -> object:
        """The ``CheckedPolicy``; raises ``PolicyLoadError`` / ``PolicyInvalid`` / ``UsageError``."""
        key = (os.path.normpath(path), tuple(overrides))
        if key in self._failed:
            raise self._failed[key]
        if key not in self._loaded:
            from incentive.policy.validate import load_policy

            try:
                self._loaded[key] = load_policy(path, list(overrides))
            except (PolicyLoadError, PolicyInvalid, UsageError) as exc:
                self._failed[key] = exc
                raise
        return self._loaded[key]


def _override_problem(exc: UsageError, overrides: Sequence[Override], file: str, fallback: Pos,
                      prefix: str) -> Finding:
    """A bad ``--set``-style override as a finding at the override in the test file."""
    message = str(exc)
    for o in overrides:
        label = f"--set {o.text}"
        if message.startswith(label):
            return Finding(file, o.pos.line, o.pos.col, "error", "bad-override",
                           f"{prefix}override {o.text!r}{message[len(label):]}")
    return Finding(file, fallback.line, fallback.col, "error", "bad-override", prefix + message)


# ---------------------------------------------------------------- running


def run_paths(paths: Iterable[str | os.PathLike], keyword: str | None = None) -> tuple[list[FileRun], list[Finding]]:
    """Discover and run every test file; also returns discovery problems."""
    files, problems = discover(paths)
    cache = PolicyCache()
    return [run_file(path, keyword, cache) for path in files], problems


def run_file(path: str | os.PathLike, keyword: str | None = None, cache: PolicyCache | None = None) -> FileRun:
    """Run the cases of one test file whose name contains ``keyword`` (case-insensitive; None: all)."""
    cache = cache or PolicyCache()
    run = FileRun(file=str(path))
    try:
        test = load_test_file(path)
    except PolicyLoadError as exc:
        run.errors = list(exc.findings)
        return run
    run.test = test
    pp = test.policy_pos
    if not Path(test.policy).is_file():
        what = "is not a regular file" if os.path.exists(test.policy) else "not found"
        run.errors = [Finding(test.file, pp.line, pp.col, "error", "file-unreadable",
                              f"policy file {what}: {test.policy} (paths are relative to the test file)")]
        return run
    try:
        checked = cache.get(test.policy, [o.text for o in test.overrides])
    except UsageError as exc:
        run.errors = [_override_problem(exc, test.overrides, test.file, pp, "")]
        return run
    except (PolicyLoadError, PolicyInvalid) as exc:
        lead = Finding(test.file, pp.line, pp.col, "error", "invalid-policy",
                       f"the policy {test.policy} cannot be used; its problems follow")
        run.errors = [lead, *exc.findings]
        return run
    run.base_policy = checked
    columns = _Columns(checked.policy)  # type: ignore[attr-defined]
    run.errors = [columns.unknown(test.file, cell, "defaults: ") for cell in test.defaults
                  if columns.resolve(cell.key) is None]
    if run.errors:
        return run
    wanted = keyword.lower() if keyword else None
    for case in test.cases:
        if wanted is not None and wanted not in case.name.lower():
            run.deselected += 1
            continue
        run.cases.append(_run_case(test, case, cache))
    return run


def _run_case(test: TestFile, case: Case, cache: PolicyCache) -> CaseRun:
    started = time.perf_counter()
    out = CaseRun(case)
    try:
        _CaseRunner(test, case, cache, out).run()
    except _Stop:
        pass
    out.seconds = time.perf_counter() - started
    return out


class _Stop(Exception):
    """The case cannot go on; its errors are already recorded."""


class _Columns:
    """Input columns by id or header (exact, then ASCII case-insensitive), as period files match them."""

    def __init__(self, policy) -> None:
        self.policy = policy
        self.exact: dict[str, str] = {}
        for inp in policy.inputs:
            self.exact.setdefault(inp.id, inp.id)
            if inp.column:
                self.exact.setdefault(inp.column, inp.id)
        self.folded = {k.translate(_FOLD): v for k, v in self.exact.items()}

    def resolve(self, key: str) -> str | None:
        key = key.strip()
        return self.exact.get(key) or self.folded.get(key.translate(_FOLD))

    def unknown(self, file: str, cell: Cell, where: str) -> Finding:
        return Finding(file, cell.key_pos.line, cell.key_pos.col, "error", "unknown-input",
                       f"{where}{cell.key!r} is not an input of policy '{self.policy.id}' (by id or column header)"
                       f"{did_you_mean(cell.key, list(self.exact))}")


class _CaseRunner:
    """One case, step by step: policy variant, period, history, rows, evaluation, comparison."""

    def __init__(self, test: TestFile, case: Case, cache: PolicyCache, out: CaseRun) -> None:
        self.test = test
        self.case = case
        self.cache = cache
        self.out = out
        self.prefix = f"case '{case.name}': "

    def error(self, pos: Pos, code: str, message: str) -> None:
        self.out.errors.append(Finding(self.test.file, pos.line, pos.col, "error", code, self.prefix + message))

    def stop_if_errors(self) -> None:
        if self.out.errors:
            raise _Stop

    # -- the steps ---------------------------------------------------------
    def run(self) -> None:
        from incentive.io.periods import parse_period

        checked = self.policy()
        unit = checked.policy.period
        try:
            period = parse_period(self.case.period, unit)
        except UsageError as exc:
            self.error(self.case.period_pos, "bad-period", str(exc))
            raise _Stop from None
        history = self.history(checked, period)
        data = self.read_rows(checked, self.case.rows, self.case.rows_pos, "input")
        self.stop_if_errors()
        results = self.evaluate(checked, data, period, history, self.case.pos, "this input")
        self.out.results = results
        self.compare(results)

    def evaluate(self, checked, data, period, history: dict[int, pl.DataFrame], pos: Pos, what: str):
        """The engine's results; what it refuses becomes an error of this case (never a traceback)."""
        from incentive.engine.pipeline import evaluate

        try:
            return evaluate(checked, data, period, history=history)
        except (PolicyInvalid, PolicyLoadError) as exc:
            self.error(pos, "invalid-policy", f"the policy cannot be evaluated on {what}; its problems follow")
            self.out.errors.extend(exc.findings)
        except IncentiveError as exc:
            self.error(pos, "evaluation-error", f"the policy cannot be evaluated on {what}: {exc}")
        raise _Stop

    def policy(self):
        overrides = [o.text for o in self.test.overrides + self.case.overrides]
        try:
            return self.cache.get(self.test.policy, overrides)
        except UsageError as exc:
            self.out.errors.append(_override_problem(exc, self.case.overrides, self.test.file, self.case.pos,
                                                     self.prefix))
        except (PolicyLoadError, PolicyInvalid) as exc:
            where = self.case.overrides[0].pos if self.case.overrides else self.case.pos
            first = exc.findings[0].message if exc.findings else "see the findings below"
            self.error(where, "invalid-override", f"with this case's overrides the policy is invalid: {first}")
            self.out.errors.extend(exc.findings)
        raise _Stop

    def read_rows(self, checked, rows: Sequence[Row], rows_pos: Pos, what: str):
        """The rows as ``PeriodData``, read and checked like a period file; None after recording errors."""
        from incentive.io import read_period_data

        columns = _Columns(checked.policy)
        records: list[dict[str, object]] = []
        cells_by_row: list[dict[str, Cell]] = []
        defaults = {columns.resolve(c.key): c for c in self.test.defaults}
        for n, row in enumerate(rows, start=1):
            record: dict[str, object] = {}
            placed: dict[str, Cell] = {}
            for cell in row.cells:
                iid = columns.resolve(cell.key)
                if iid is None:
                    self.out.errors.append(columns.unknown(self.test.file, cell, f"{self.prefix}{what} row {n}: "))
                    continue
                if iid in placed:
                    other = placed[iid]
                    self.error(cell.key_pos, "duplicate-input",
                               f"{what} row {n}: {cell.key!r} and {other.key!r} (line {other.key_pos.line}) "
                               f"are both input {iid!r}; give it once")
                    continue
                placed[iid] = cell
                record[iid] = _json_value(cell.value)
            for iid, cell in defaults.items():
                if iid not in placed and iid is not None:
                    placed[iid] = cell
                    record[iid] = _json_value(cell.value)
            records.append(record)
            cells_by_row.append(placed)
        if self.out.errors:
            return None
        with tempfile.TemporaryDirectory(prefix="incentive-test-") as tmp:
            path = Path(tmp) / "rows.json"
            path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
            try:
                return read_period_data(path, checked.policy)
            except DataInvalid as exc:
                for p in exc.problems:
                    cell = cells_by_row[p.row - 1].get(p.column) if 0 < p.row <= len(rows) else None
                    pos = cell.pos if cell else rows[p.row - 1].pos if 0 < p.row <= len(rows) else rows_pos
                    where = f"{what} row {p.row}" if p.row else what
                    column = f", column {p.column!r}" if p.column else ""
                    value = f": value {p.value!r}" if p.value != "" else ""
                    self.error(pos, "bad-input", f"{where}{column}{value}: {p.expected}")
                if exc.truncated:
                    self.error(rows_pos, "bad-input", f"{what}: ... and {exc.truncated} more problems")
                return None

    def history(self, checked, period) -> dict[int, pl.DataFrame]:
        """Earlier periods' result frames by offset (1 = the period before the case's)."""
        from incentive.io.periods import parse_period

        dated = []
        seen: dict[int, Pos] = {}
        for h in self.case.history:
            try:
                p = parse_period(h.period, checked.policy.period)
            except UsageError as exc:
                self.error(h.period_pos, "bad-period", f"history: {exc}")
                continue
            if p.ordinal >= period.ordinal:
                self.error(h.period_pos, "bad-period",
                           f"history period {p.label} is not before the case's period {period.label}")
                continue
            if p.ordinal in seen:
                self.error(h.period_pos, "duplicate-id",
                           f"history period {p.label} is already given at line {seen[p.ordinal].line}")
                continue
            seen[p.ordinal] = h.period_pos
            dated.append((p, h))
        self.stop_if_errors()
        frames: dict[int, pl.DataFrame] = {}
        for p, h in sorted(dated, key=lambda ph: ph[0].ordinal):
            what = f"history {p.label} {h.kind}"
            if h.kind == "results":
                frames[p.ordinal] = self.results_frame(checked, h.rows, what)
                continue
            data = self.read_rows(checked, h.rows, h.pos, what)
            self.stop_if_errors()
            earlier = {p.ordinal - o: f for o, f in frames.items()}
            frames[p.ordinal] = self.evaluate(checked, data, p, earlier, h.pos, f"the rows of {what}").frame
        self.stop_if_errors()
        return {period.ordinal - o: f for o, f in frames.items()}

    def results_frame(self, checked, rows: Sequence[Row], what: str) -> pl.DataFrame:
        """Recorded results (``{employee_id: E1, band: C}``) as a typed history frame."""
        from incentive.policy.expr.types import polars_dtype

        columns = _Columns(checked.policy)
        types = dict(checked.types)
        id_col = checked.policy.id_input.id
        values: dict[str, list[object]] = {}
        for n, row in enumerate(rows):
            seen: set[str] = set()
            for cell in row.cells:
                name = cell.key if cell.key in types else columns.resolve(cell.key)
                if name is None or name not in types:
                    self.error(cell.key_pos, "unknown-name",
                               f"{what} row {n + 1}: no quantity {cell.key!r} in policy '{checked.policy.id}'"
                               f"{did_you_mean(cell.key, types)}")
                    continue
                if name in seen:
                    self.error(cell.key_pos, "duplicate-input", f"{what} row {n + 1}: {name!r} is given twice")
                    continue
                seen.add(name)
                typed = self.typed(types[name].value, cell, f"{what} row {n + 1}: {name}")
                values.setdefault(name, [None] * len(rows))[n] = typed
            if id_col not in seen:
                self.error(row.pos, "schema-required", f"{what} row {n + 1}: the employee id ({id_col!r}) is required")
        self.stop_if_errors()
        return pl.DataFrame({name: pl.Series(name, vals, dtype=polars_dtype(types[name]))
                             for name, vals in values.items()})

    def typed(self, kind: str, cell: Cell, what: str) -> object:
        """A recorded value as the type of its quantity (number, money, bool, text, date)."""
        from incentive.numeric import to_dec

        v = cell.value
        if v is None:
            return None
        if kind in ("number", "money"):
            d = _as_decimal(v)
            if d is not None:
                return to_dec(d)
        elif kind == "bool" and isinstance(v, bool):
            return v
        elif kind == "text" and not isinstance(v, bool):
            return _as_text(v)
        elif kind == "date" and isinstance(v, str):
            try:
                return date.fromisoformat(v.strip())
            except ValueError:
                pass
        self.error(cell.pos, "type-mismatch", f"{what} is {_article(kind)}; got {_describe(v)}")
        return None

    # -- expectations ----------------------------------------------------
    def compare(self, results) -> None:
        frame: pl.DataFrame = results.frame
        id_col = results.id_column
        ids = frame.get_column(id_col).cast(pl.String).to_list()
        wanted = {e.employee for e in self.case.expectations}
        rows = {r[id_col]: r for r in frame.filter(pl.col(id_col).cast(pl.String).is_in(list(wanted)))
                .with_columns(pl.col(id_col).cast(pl.String)).iter_rows(named=True)}
        names = [c for c in frame.columns if not c.startswith("__")]
        rules = [(r.id, r.action) for r in results.policy.policy.recommendations]
        money = set(results.money_columns())
        decimals = results.policy.policy.money.decimals
        reported: set[str] = set()
        for e in self.case.expectations:
            row = rows.get(e.employee)
            if row is None:
                if e.employee not in reported:
                    reported.add(e.employee)
                    shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
                    self.error(e.employee_pos, "unknown-employee",
                               f"employee {e.employee!r} is not in the case's input rows (ids: {shown})")
                continue
            if e.quantity == "recommendations":
                actual = tuple(sorted({action for rid, action in rules if row.get(f"{rid}.when")}))
                if actual != e.expected:
                    self.fail(e, _show_set(e.expected), _show_set(actual))
                continue
            if e.quantity not in row or e.quantity.startswith("__"):
                self.error(e.pos, "unknown-name",
                           f"employee {e.employee}: no quantity {e.quantity!r} in the results"
                           f"{did_you_mean(e.quantity, names + ['recommendations'])}")
                continue
            self.check_value(e, row[e.quantity], frame.schema[e.quantity], e.quantity in money, decimals)

    def check_value(self, e: Expectation, actual: object, dtype: pl.DataType, is_money: bool, decimals: int) -> None:
        expected = e.expected
        shown = _show_expected(expected)
        tolerance = self.case.tolerance if not is_money else None
        if dtype.is_decimal() or dtype.is_integer() or dtype.is_float():
            if expected is None:
                ok = actual is None
            else:
                want = _as_decimal(expected)
                if want is None:
                    self.mismatch(e, "a number" if not is_money else "an amount of money")
                    return
                have = None if actual is None else Decimal(str(actual))
                ok = have is not None and (abs(have - want) <= tolerance if tolerance is not None else have == want)
                if tolerance is not None and tolerance > 0:
                    shown += f" ± {tolerance}"
            if not ok:
                self.fail(e, shown, _show_number(actual, decimals if is_money else None))
            return
        if dtype == pl.Boolean:
            if expected is not None and not isinstance(expected, bool):
                self.mismatch(e, "true or false")
                return
            if expected is not actual:
                self.fail(e, shown, _show_scalar(actual))
            return
        if dtype == pl.Date:
            want_date = None
            if isinstance(expected, str):
                try:
                    want_date = date.fromisoformat(expected.strip())
                except ValueError:
                    pass
            if expected is not None and want_date is None:
                self.mismatch(e, "a date (YYYY-MM-DD)")
                return
            if want_date != actual:
                self.fail(e, shown, _show_scalar(actual))
            return
        if isinstance(expected, bool):
            self.mismatch(e, "text")
            return
        want_text = None if expected is None else _as_text(expected)
        have_text = None if actual is None else str(actual)
        if want_text != have_text:
            self.fail(e, shown, _show_scalar(actual))

    def fail(self, e: Expectation, expected: str, actual: str) -> None:
        message = f"{self.prefix}employee {e.employee}: {e.quantity} expected {expected}, got {actual}"
        self.out.failures.append(Failure(self.test.file, e.pos.line, e.pos.col, message, (
            ("case", self.case.name), ("employee", e.employee), ("quantity", e.quantity),
            ("expected", expected), ("actual", actual))))

    def mismatch(self, e: Expectation, wanted: str) -> None:
        self.error(e.value_pos, "type-mismatch",
                   f"employee {e.employee}: {e.quantity} is {wanted}, but the expected value is {_describe(e.expected)}")


# ---------------------------------------------------------------- values


def _json_value(value: object) -> object:
    """A YAML scalar as a JSON cell: numbers as their exact decimal text, never a float."""
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    return value


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def _as_text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    return str(value)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    return f"the text {value!r}"


def _article(kind: str) -> str:
    return {"number": "a number", "money": "an amount of money", "bool": "true or false", "text": "text",
            "date": "a date (YYYY-MM-DD)"}[kind]


def _show_expected(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _as_text(value)


def _show_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _show_number(value: object, decimals: int | None) -> str:
    """Money at its precision (``2999.99``); other numbers without trailing zeros (``87.5``)."""
    if value is None:
        return "null"
    d = Decimal(str(value))
    if decimals is not None:
        return format(d.quantize(Decimal(1).scaleb(-decimals)), "f")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _show_set(actions: Sequence[str]) -> str:
    return "[" + ", ".join(actions) + "]"
