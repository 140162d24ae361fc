from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from incentive.errors import Pos
from incentive.policy.checks import default_type, id_input, min_max, unused_inputs, values_type
from incentive.policy.model import Aggregate


def run(module, policy, checked=None):
    return list(module.check(policy, checked))


def with_input(b, *extra):
    return b.policy(inputs=b.policy().inputs + extra)


def test_one_id_input_passes(b):
    assert run(id_input, b.policy()) == []


def test_no_id_input(b):
    [f] = run(id_input, b.policy(inputs=b.policy().inputs[1:]))
    assert (f.line, f.col, f.code) == (11, 3, "id-input")
    assert "no input has type id" in f.message


def test_two_id_inputs_reported_at_the_second(b):
    [f] = run(id_input, with_input(b, b.inp("manager_id", "id", 18)))
    assert f.line == 18 and "employee_id already is the employee id" in f.message


def test_min_above_max(b):
    [f] = run(min_max, with_input(b, b.inp("satisfaction", "number", 18, min=100, max=0)))
    assert (f.line, f.code) == (18, "min-max")
    assert "min 100 is greater than max 0" in f.message
    assert run(min_max, with_input(b, b.inp("satisfaction", "number", 18, min=0, max=100))) == []
    assert run(min_max, with_input(b, b.inp("flat", "number", 18, min=5, max=5))) == []


def test_bounds_on_text_input(b):
    [f] = run(min_max, with_input(b, b.inp("team", "text", 18, min=1)))
    assert "type text; min and max only apply" in f.message


@pytest.mark.parametrize("type_, default", [("integer", Decimal(0)), ("number", Decimal("0.5")),
                                            ("money", Decimal("12.50")), ("percent", Decimal("0.85")),
                                            ("text", "n/a"), ("boolean", False), ("date", date(2026, 1, 1))])
def test_defaults_of_the_right_type_pass(b, type_, default):
    assert run(default_type, with_input(b, b.inp("x", type_, 18, default=default))) == []


@pytest.mark.parametrize("type_, default, expected", [
    ("integer", Decimal("1.5"), "default 1.5 is not a whole number"),
    ("number", "many", "default 'many' is not a number"),
    ("money", True, "default true is not a number"),
    ("text", Decimal(3), "default 3 is not text"),
    ("boolean", "no", "default 'no' is not true or false"),
    ("date", "2026-13-01", "default '2026-13-01' is not a date"),
    ("id", "E0", "an id input cannot have a default"),
])
def test_defaults_of_the_wrong_type(b, type_, default, expected):
    [f] = run(default_type, with_input(b, b.inp("x", type_, 18, default=default)))
    assert (f.line, f.code) == (18, "default-type")
    assert expected in f.message


def test_default_outside_bounds_or_values(b):
    [f] = run(default_type, with_input(b, b.inp("x", "integer", 18, min=0, default=Decimal(-1))))
    assert "default -1 is below the input's min 0" in f.message
    [f] = run(default_type, with_input(b, b.inp("x", "number", 18, max=100, default=Decimal(101))))
    assert "above the input's max 100" in f.message
    [f] = run(default_type, with_input(b, b.inp("x", "text", 18, values=("rep", "manager"), default="boss")))
    assert "'boss' is not one of the allowed values: 'rep', 'manager'" in f.message
    assert run(default_type, with_input(b, b.inp("x", "text", 18, values=("rep", "manager"), default="rep"))) == []


def test_allowed_values_must_fit(b):
    good = b.inp("grade", "integer", 18, values=(Decimal(1), Decimal(2)), min=1)
    assert run(values_type, with_input(b, good)) == []
    bad = b.inp("grade", "integer", 19, values=(Decimal(1), Decimal("3.5"), "x", Decimal(0), Decimal("1.0")), min=1)
    found = run(values_type, with_input(b, bad))
    assert [(f.line, f.code) for f in found] == [(19, "values-type")] * 4
    assert "allowed value 2: 3.5 is not a whole number" in found[0].message
    assert "allowed value 3: 'x' is not a number" in found[1].message
    assert "allowed value 4: 0 is below the input's min 1" in found[2].message
    assert "allowed value 5: 1 is listed twice" in found[3].message


def test_unused_input_warns(b):
    policy = with_input(b, b.inp("cycle_days", "number", 18))
    [f] = run(unused_inputs, policy, b.checked(policy))
    assert (f.line, f.level, f.code) == (18, "warning", "unused-input")
    assert "cycle_days is not used" in f.message


def test_unused_input_skipped_without_checked_expressions(b):
    assert run(unused_inputs, with_input(b, b.inp("cycle_days", "number", 18))) == []


def test_group_columns_and_history_refs_count_as_use(b):
    policy = with_input(b, b.inp("team", "text", 18), b.inp("grade", "integer", 19))
    checked = b.checked(policy)
    assert [f.message.split()[1] for f in run(unused_inputs, policy, checked)] == ["team", "grade"]
    policy = replace(policy, aggregates=(Aggregate("team_rev", "sum", b.src("revenue"), ("team",), pos=Pos(26, 3)),))
    checked.exprs["x"] = SimpleNamespace(refs=frozenset(), history_refs=frozenset({"grade"}))
    assert run(unused_inputs, policy, checked) == []


def test_id_and_name_inputs_are_exempt(b):
    policy = b.policy()  # employee_id and name are read by nothing
    assert run(unused_inputs, policy, b.checked(policy)) == []
