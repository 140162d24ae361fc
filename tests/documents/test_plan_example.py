"""The worked example of a plan document is the engine's: reproducing it with the commands the document names
(``incentive sample`` with its rows and seed, ``incentive evaluate`` for its period) gives the same numbers for
every person it lists and for each step of the person it explains."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from incentive.app.plan import plan_document
from incentive.cli.main import cli
from incentive.documents.plan.model import Heading, PlanDocument, Section, Table

ROOT = Path(__file__).resolve().parents[2]
POLICIES = sorted(p.name for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))


def _example(doc: PlanDocument) -> Section:
    return next(s for s in doc.sections if s.key == "example")


def _reproduced(policy: Path, doc: PlanDocument, tmp: Path) -> dict[str, dict[str, str]]:
    """results.csv of ``incentive evaluate`` on the data the document says it used, by employee id."""
    text = "".join(r.text for b in _example(doc).blocks[:1] for r in b.runs)  # type: ignore[union-attr]
    m = re.search(r"--rows (\d+) --seed (\d+)\), period (\S+),", text)
    assert m, text
    rows, seed, period = m.groups()
    runner = CliRunner()
    data = tmp / "example.csv"
    done = runner.invoke(cli, ["sample", str(policy), "--rows", rows, "--seed", seed, "--period", period,
                               "--out", str(data)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["evaluate", str(policy), str(data), "--period", period, "--out", str(tmp / "ev"),
                               "--ledger", str(tmp / "none.sqlite")])
    assert done.exit_code == 0, done.output
    with open(tmp / "ev" / "results.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["employee_id"]: r for r in csv.DictReader(fh)}


def _same(shown: str, recorded: str) -> bool:
    """``20,836.18`` (the document) equals ``20836.18`` (the CSV) as exact decimals."""
    return Decimal(shown.replace(",", "")) == Decimal(recorded)


@pytest.mark.parametrize("name", POLICIES)
def test_the_listed_results_are_what_evaluate_gives(name, tmp_path):
    policy = ROOT / "rules" / name
    doc = plan_document(str(policy), "en")
    results = _reproduced(policy, doc, tmp_path)
    people = next(b for b in _example(doc).blocks if isinstance(b, Table))
    columns = {"person": "employee_id", "score": "score", "band": "band", "total (CNY)": "total"}
    assert set(people.headers) <= set(columns) and {"person", "total (CNY)"} <= set(people.headers)
    assert len(people.rows) >= 2
    for cells in people.rows:
        shown = dict(zip((columns[h] for h in people.headers), cells))
        row = results[shown["employee_id"]]
        for key, value in shown.items():
            if key == "band":
                assert value == (row["band"] or "not ranked")
            elif key != "employee_id":
                assert _same(value, row[key]), (key, value, row)


@pytest.mark.parametrize("name", POLICIES)
def test_the_explained_person_is_derived_as_evaluate_computes(name, tmp_path):
    policy = ROOT / "rules" / name
    doc = plan_document(str(policy), "en")
    results = _reproduced(policy, doc, tmp_path)
    blocks = _example(doc).blocks
    heading = next(b for b in blocks if isinstance(b, Heading))
    pid = heading.text.split()[-3]  # "How the result of E0001 is derived"
    steps = {head.split(" (")[0]: value for head, value, _ in blocks[-1].rows}  # type: ignore[union-attr]
    row = results[pid]
    from incentive.policy.validate import load_policy

    p = load_policy(policy).policy
    named = ["total", *(["score"] if p.kpis else []), *(k.id for k in p.kpis), *(x.id for x in p.payouts),
             *(x.id for x in p.penalties)]
    for key in named:
        assert _same(steps[key], row[key]), (key, steps[key], row[key])
    if p.ranking is not None:
        assert steps["band"] == row["band"]
    assert Decimal(row["total"]) > 0  # the example shows a paid person, so the tiers are at work
