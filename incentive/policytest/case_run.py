"""Running one policy-test case the way a real period runs.

Its input rows are written as a JSON period file and read by
``read_period_data`` (so every cell is checked against the policy's inputs
exactly as a CSV would be), its history periods are evaluated oldest first
-- each seeing the ones before it -- or taken as recorded results, and the
current period is evaluated by the engine with that history; then the
expectations are compared (``expectations``). What the test gets wrong is an
error of the case at the test file's ``line:col``, never a traceback.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import polars as pl

from incentive.engine.results import Results
from incentive.errors import DataInvalid, IncentiveError, PolicyInvalid, PolicyLoadError, Pos, UsageError
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy import names
from incentive.policy.schema import did_you_mean
from incentive.policytest.columns import Columns
from incentive.policytest.expectations import CaseLog, Stop
from incentive.policytest.model import Case, Cell, HistoryPeriod, Row, TestFile

if TYPE_CHECKING:  # the io layer is loaded only when a case runs (see the imports inside the methods)
    from incentive.io.data import PeriodData
    from incentive.io.periods import Period
from incentive.policytest.policies import PolicyCache, override_problem
from incentive.policytest.values import article, as_decimal, as_text, describe, json_value


class CaseRunner:
    """One case, step by step: policy variant, period, history, rows, evaluation, comparison."""

    def __init__(self, test: TestFile, case: Case, cache: PolicyCache, log: CaseLog) -> None:
        self.test = test
        self.case = case
        self.cache = cache
        self.log = log
        self.error = log.error
        self.prefix = log.prefix

    # -- the steps ---------------------------------------------------------
    def run(self) -> Results:
        """The case's results, compared with its expectations; ``Stop`` when it cannot go on."""
        from incentive.io.periods import parse_period

        checked = self.policy()
        unit = checked.policy.period
        try:
            period = parse_period(self.case.period, unit)
        except UsageError as exc:
            self.error(self.case.period_pos, "bad-period", str(exc))
            raise Stop from None
        history = self.history(checked, period)
        data = self.read_rows(checked, self.case.rows, self.case.rows_pos, "input")
        results = self.evaluate(checked, data, period, history, self.case.pos, "this input")
        self.log.compare(results)
        return results

    def evaluate(self, checked: CheckedPolicy, data: PeriodData, period: Period, history: dict[int, pl.DataFrame],
                 pos: Pos, what: str) -> Results:
        """The engine's results; what it refuses becomes an error of this case (never a traceback)."""
        from incentive.engine.pipeline import evaluate

        try:
            return evaluate(checked, data, period, history=history)
        except (PolicyInvalid, PolicyLoadError) as exc:
            self.error(pos, "invalid-policy", f"the policy cannot be evaluated on {what}; its problems follow")
            self.log.errors.extend(exc.findings)
        except IncentiveError as exc:
            self.error(pos, "evaluation-error", f"the policy cannot be evaluated on {what}: {exc}")
        raise Stop

    def policy(self) -> CheckedPolicy:
        overrides = [o.text for o in self.test.overrides + self.case.overrides]
        try:
            return self.cache.get(self.test.policy, overrides)
        except UsageError as exc:
            self.log.errors.append(override_problem(exc, self.case.overrides, self.test.file, self.case.pos,
                                                     self.prefix))
        except (PolicyLoadError, PolicyInvalid) as exc:
            where = self.case.overrides[0].pos if self.case.overrides else self.case.pos
            first = exc.findings[0].message if exc.findings else "see the findings below"
            self.error(where, "invalid-override", f"with this case's overrides the policy is invalid: {first}")
            self.log.errors.extend(exc.findings)
        raise Stop

    def read_rows(self, checked: CheckedPolicy, rows: Sequence[Row], rows_pos: Pos, what: str) -> PeriodData:
        """The rows as ``PeriodData``, read and checked like a period file; ``Stop`` after recording errors."""
        from incentive.io import read_period_data

        columns = Columns(checked.policy)
        records: list[dict[str, object]] = []
        cells_by_row: list[dict[str, Cell]] = []
        defaults = {columns.resolve(c.key): c for c in self.test.defaults}
        for n, row in enumerate(rows, start=1):
            record: dict[str, object] = {}
            placed: dict[str, Cell] = {}
            for cell in row.cells:
                iid = columns.resolve(cell.key)
                if iid is None:
                    self.log.errors.append(columns.unknown(self.test.file, cell, f"{self.prefix}{what} row {n}: "))
                    continue
                if iid in placed:
                    other = placed[iid]
                    self.error(cell.key_pos, "duplicate-input",
                               f"{what} row {n}: {cell.key!r} and {other.key!r} (line {other.key_pos.line}) "
                               f"are both input {iid!r}; give it once")
                    continue
                placed[iid] = cell
                record[iid] = json_value(cell.value)
            for iid, cell in defaults.items():
                if iid not in placed and iid is not None:
                    placed[iid] = cell
                    record[iid] = json_value(cell.value)
            records.append(record)
            cells_by_row.append(placed)
        if self.log.errors:
            raise Stop
        with tempfile.TemporaryDirectory(prefix="incentive-test-") as tmp:
            path = Path(tmp) / "rows.json"
            path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
            try:
                return read_period_data(path, checked.policy)
            except DataInvalid as exc:
                for p in exc.problems:
                    given = cells_by_row[p.row - 1].get(p.column) if 0 < p.row <= len(rows) else None
                    pos = given.pos if given else rows[p.row - 1].pos if 0 < p.row <= len(rows) else rows_pos
                    where = f"{what} row {p.row}" if p.row else what
                    column = f", column {p.column!r}" if p.column else ""
                    value = f": value {p.value!r}" if p.value != "" else ""
                    self.error(pos, "bad-input", f"{where}{column}{value}: {p.expected}")
                if exc.truncated:
                    self.error(rows_pos, "bad-input", f"{what}: ... and {exc.truncated} more problems")
                raise Stop from None

    def history(self, checked: CheckedPolicy, period: Period) -> dict[int, pl.DataFrame]:
        """Earlier periods' result frames by offset (1 = the period before the case's)."""
        from incentive.io.periods import parse_period

        dated: list[tuple[Period, HistoryPeriod]] = []
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
        self.log.stop_if_errors()
        frames: dict[int, pl.DataFrame] = {}
        for p, h in sorted(dated, key=lambda ph: ph[0].ordinal):
            what = f"history {p.label} {h.kind}"
            if h.kind == "results":
                frames[p.ordinal] = self.results_frame(checked, h.rows, what)
                continue
            data = self.read_rows(checked, h.rows, h.pos, what)
            earlier = {p.ordinal - o: f for o, f in frames.items()}
            frames[p.ordinal] = self.evaluate(checked, data, p, earlier, h.pos, f"the rows of {what}").frame
        self.log.stop_if_errors()
        return {period.ordinal - o: f for o, f in frames.items()}

    def results_frame(self, checked: CheckedPolicy, rows: Sequence[Row], what: str) -> pl.DataFrame:
        """Recorded results (``{employee_id: E1, band: C}``) as a typed history frame."""
        from incentive.policy.expr.types import polars_dtype

        columns = Columns(checked.policy)
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
                if name == names.RECOMMENDATIONS and isinstance(cell.value, (list, tuple)):
                    typed: object = "; ".join(str(a).strip() for a in cell.value)  # recorded actions, as a close joins them
                else:
                    typed = self.typed(types[name].value, cell, f"{what} row {n + 1}: {name}")
                values.setdefault(name, [None] * len(rows))[n] = typed
            if id_col not in seen:
                self.error(row.pos, "schema-required", f"{what} row {n + 1}: the employee id ({id_col!r}) is required")
        self.log.stop_if_errors()
        return pl.DataFrame({name: pl.Series(name, vals, dtype=polars_dtype(types[name]))
                             for name, vals in values.items()})

    def typed(self, kind: str, cell: Cell, what: str) -> object:
        """A recorded value as the type of its quantity (number, money, bool, text, date)."""
        from incentive.numeric import to_dec

        v = cell.value
        if v is None:
            return None
        if kind in ("number", "money"):
            d = as_decimal(v)
            if d is not None:
                return to_dec(d)
        elif kind == "bool" and isinstance(v, bool):
            return v
        elif kind == "text" and not isinstance(v, bool):
            return as_text(v)
        elif kind == "date" and isinstance(v, str):
            try:
                return date.fromisoformat(v.strip())
            except ValueError:
                pass
        self.error(cell.pos, "type-mismatch", f"{what} is {article(kind)}; got {describe(v)}")
        return None
