"""A policy-test case's record of what went wrong, and the comparison of its expectations with the results.

Expected values are compared with the results: numbers and money exactly as
decimals (``3000`` equals ``3000.00``), numbers that are not money within
the case's ``tolerance`` when it gives one, text, booleans and dates
exactly, and ``recommendations`` as a set of actions. A failure is an
expectation that did not hold; an error is a broken test (an unknown
employee or quantity, an expected value of the wrong type).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

import polars as pl

from incentive.engine.results import Results
from incentive.errors import Finding, Pos
from incentive.policy.schema import did_you_mean
from incentive.policytest.model import Case, Expectation
from incentive.policytest.outcomes import Failure
from incentive.policytest.values import as_decimal, as_text, describe, show_expected, show_number, show_scalar, show_set


class Stop(Exception):
    """The case cannot go on; its errors are already recorded."""


class CaseLog:
    """The failures and errors of one case, each message led by the case's name, and the comparison of
    its expectations with the results that records them."""

    def __init__(self, file: str, case: Case) -> None:
        self.file = file
        self.case = case
        self.prefix = f"case '{case.name}': "
        self.failures: list[Failure] = []
        self.errors: list[Finding] = []

    def error(self, pos: Pos, code: str, message: str) -> None:
        self.errors.append(Finding(self.file, pos.line, pos.col, "error", code, self.prefix + message))

    def stop_if_errors(self) -> None:
        if self.errors:
            raise Stop

    def compare(self, results: Results) -> None:
        frame: pl.DataFrame = results.frame
        id_col = results.id_column
        ids = frame.get_column(id_col).cast(pl.String).to_list()
        wanted = {e.employee for e in self.case.expectations}
        rows = {r[id_col]: r for r in frame.filter(pl.col(id_col).cast(pl.String).is_in(list(wanted)))
                .with_columns(pl.col(id_col).cast(pl.String)).iter_rows(named=True)}
        names = [c for c in frame.columns if not c.startswith("__")]
        money = set(results.money_columns())
        decimals = results.checked.policy.money.decimals
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
                # the actions as raised: an exit-type rule's action may have been replaced by its guards
                raised = str(row.get("recommendations") or "")
                actual = tuple(sorted({a.strip() for a in raised.split(";") if a.strip()}))
                if actual != e.expected:  # the loader made it a sorted tuple of action names (``action_set``)
                    self.fail(e, show_set(cast("tuple[str, ...]", e.expected)), show_set(actual))
                continue
            if e.quantity not in row or e.quantity.startswith("__"):
                self.error(e.pos, "unknown-name",
                           f"employee {e.employee}: no quantity {e.quantity!r} in the results"
                           f"{did_you_mean(e.quantity, names + ['recommendations'])}")
                continue
            self.check_value(e, row[e.quantity], frame.schema[e.quantity], e.quantity in money, decimals)

    def check_value(self, e: Expectation, actual: object, dtype: pl.DataType, is_money: bool, decimals: int) -> None:
        expected = e.expected
        shown = show_expected(expected)
        tolerance = self.case.tolerance if not is_money else None
        if dtype.is_decimal() or dtype.is_integer() or dtype.is_float():
            if expected is None:
                ok = actual is None
            else:
                want = as_decimal(expected)
                if want is None:
                    self.mismatch(e, "a number" if not is_money else "an amount of money")
                    return
                have = None if actual is None else Decimal(str(actual))
                ok = have is not None and (abs(have - want) <= tolerance if tolerance is not None else have == want)
                if tolerance is not None and tolerance > 0:
                    shown += f" ± {tolerance}"
            if not ok:
                self.fail(e, shown, show_number(actual, decimals if is_money else None))
            return
        if dtype == pl.Boolean:
            if expected is not None and not isinstance(expected, bool):
                self.mismatch(e, "true or false")
                return
            if expected is not actual:
                self.fail(e, shown, show_scalar(actual))
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
                self.fail(e, shown, show_scalar(actual))
            return
        if isinstance(expected, bool):
            self.mismatch(e, "text")
            return
        want_text = None if expected is None else as_text(expected)
        have_text = None if actual is None else str(actual)
        if want_text != have_text:
            self.fail(e, shown, show_scalar(actual))

    def fail(self, e: Expectation, expected: str, actual: str) -> None:
        message = f"{self.prefix}employee {e.employee}: {e.quantity} expected {expected}, got {actual}"
        self.failures.append(Failure(self.file, e.pos.line, e.pos.col, message, (
            ("case", self.case.name), ("employee", e.employee), ("quantity", e.quantity),
            ("expected", expected), ("actual", actual))))

    def mismatch(self, e: Expectation, wanted: str) -> None:
        self.error(e.value_pos, "type-mismatch",
                   f"employee {e.employee}: {e.quantity} is {wanted}, but the expected value is {describe(e.expected)}")
