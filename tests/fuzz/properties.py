"""The properties every fuzz target checks, as plain functions.

``tests/fuzz/test_fuzz.py`` drives them with modest example counts in CI;
``scripts/fuzz_campaign.py`` drives the same functions for as long as it is
given. Each takes the drawn input and raises ``AssertionError`` (or lets an
unexpected exception escape) when the product misbehaves:

* ``validate_policy``: any bytes as a policy file -> exit 0, 1 or 2 through
  the real command, never an exception; every reported finding line has the
  ``file:line:col: level code message`` form with a known level.
* ``evaluate_policy``: a drawn policy and data -> either an
  ``IncentiveError`` with nothing written, or results for every row whose
  files are all spreadsheet-safe and owner-only -- and the same bytes when
  the rows come in reverse order.
* ``close_policy``: the same through a period close -> on success a complete
  output directory matching its manifest, one ledger entry, an intact chain,
  ``verify`` reproducing every output, an identical re-close that is a
  no-op, and (for a policy reading history) a close of the next period that
  reads this one and verifies too; on failure nothing written and nothing
  recorded.
* ``evaluate_hostile_data``: raw hostile CSV bytes against the fixed hostile
  policy -> an ``IncentiveError`` with nothing written, or safe outputs.
"""

from __future__ import annotations

import re
import stat
import tempfile
from pathlib import Path

from click.testing import CliRunner

from incentive.errors import IncentiveError
from tests.fuzz.strategies import PolicySpec, csv_text
from tests.hostile.generators import FIXTURES
from tests.hostile.harness import csv_cell_is_safe, files_under, formula_like, read_csv_rows, read_xlsx_cells

FINDING = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning) (?P<code>[a-z0-9-]+) .+$")


def validate_policy(raw: bytes) -> int:
    """Validate ``raw`` as a policy file through the CLI; returns the exit status."""
    from incentive.cli.main import cli

    with tempfile.TemporaryDirectory(prefix="fuzz-validate-") as d:
        path = Path(d) / "policy.yaml"
        path.write_bytes(raw)
        result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-2000:])
    for line in result.stdout.splitlines():
        assert FINDING.match(line), f"not a finding line: {line!r}"
    if result.exit_code:
        assert FINDING.search(result.stdout.splitlines()[0]) if result.stdout else False, result.output[-2000:]
    return result.exit_code


def check_outputs_safe(out: Path) -> None:
    """Every output file owner-only; no formula-like CSV cell or XLSX string, no XLSX formula."""
    for f in files_under(out):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f"{f}: mode {oct(f.stat().st_mode)}"
        if f.suffix == ".csv":
            for row in read_csv_rows(f):
                bad = [c for c in row if not csv_cell_is_safe(c)]
                assert not bad, f"{f.name}: formula-like cells {bad!r}"
        elif f.suffix == ".xlsx":
            rows, formula = read_xlsx_cells(f)
            assert not formula, f"{f.name} holds a formula"
            for row in rows:
                bad = [t for k, t in row if k == "text" and formula_like(t)]
                assert not bad, f"{f.name}: formula-like strings {bad!r}"


def _evaluate(policy: Path, data: Path, period: str, out: Path, fmt: str):
    from incentive.app.outputs import write_evaluation
    from incentive.app.run import RunOptions, run_evaluation

    results = run_evaluation(str(policy), str(data), RunOptions(period=period))
    write_evaluation(results, str(out), fmt)
    return results


def evaluate_policy(spec: PolicySpec, rows: list[list[str]], fmt: str = "csv") -> str:
    """Returns ``"ok"`` or the class name of the ``IncentiveError`` raised."""
    with tempfile.TemporaryDirectory(prefix="fuzz-evaluate-") as d:
        tmp = Path(d)
        (tmp / "policy.yaml").write_text(spec.text, encoding="utf-8")
        (tmp / "data.csv").write_text(csv_text(rows), encoding="utf-8")
        (tmp / "reversed.csv").write_text(csv_text([rows[0], *reversed(rows[1:])]), encoding="utf-8")
        try:
            results = _evaluate(tmp / "policy.yaml", tmp / "data.csv", spec.period, tmp / "out", fmt)
        except IncentiveError as exc:
            assert files_under(tmp / "out") == [], "a failed evaluation wrote files"
            assert str(exc).strip(), "an error without a message"
            return type(exc).__name__
        assert results.frame.height == len(rows) - 1
        check_outputs_safe(tmp / "out")
        _evaluate(tmp / "policy.yaml", tmp / "reversed.csv", spec.period, tmp / "out-reversed", fmt)
        for f in files_under(tmp / "out"):
            twin = tmp / "out-reversed" / f.relative_to(tmp / "out")
            assert f.read_bytes() == twin.read_bytes(), f"{f.name} depends on the row order"
    return "ok"


def close_policy(spec: PolicySpec, rows: list[list[str]], xlsx: bool = False) -> str:
    from incentive.app.close import CloseOptions, close_period
    from incentive.app.run import RunOptions
    from incentive.app.verify import verify
    from incentive.ledger import Ledger
    from incentive.output.manifest import check_manifest

    with tempfile.TemporaryDirectory(prefix="fuzz-close-") as d:
        tmp = Path(d)
        (tmp / "policy.yaml").write_text(spec.text, encoding="utf-8")
        (tmp / "data.csv").write_text(csv_text(rows), encoding="utf-8")
        ledger = tmp / "ledger.sqlite"
        opts = CloseOptions(out=str(tmp / "out"), ledger=str(ledger), by="fuzz", xlsx=xlsx, html=False)

        def close(period: str = spec.period):
            return close_period(str(tmp / "policy.yaml"), str(tmp / "data.csv"), RunOptions(period=period), opts)

        try:
            outcome = close()
        except IncentiveError as exc:
            assert files_under(tmp / "out") == [], "a failed close wrote files"
            if ledger.exists():
                with Ledger(ledger, readonly=True) as led:
                    assert led.entries() == [] and led.verify_chain() == []
            return type(exc).__name__
        assert check_manifest(outcome.directory) == []
        check_outputs_safe(tmp / "out")
        with Ledger(ledger, readonly=True) as led:
            assert led.verify_chain() == [] and len(led.entries()) == 1
        problems, _ = verify(None, str(ledger))
        assert problems == [], problems
        assert close().already_closed
        if spec.history:  # the next period reads this one from the ledger; verify re-runs it with that history
            following = close(spec.next_period)
            assert following.entry.history_hashes, "the next period did not read the closed one"
            assert check_manifest(following.directory) == []
            problems, _ = verify(None, str(ledger))
            assert problems == [], problems
    return "ok"


HOSTILE_POLICY = FIXTURES / "hostile.yaml"


def evaluate_hostile_data(raw: bytes, fmt: str = "csv") -> str:
    with tempfile.TemporaryDirectory(prefix="fuzz-data-") as d:
        tmp = Path(d)
        (tmp / "data.csv").write_bytes(raw)
        try:
            results = _evaluate(HOSTILE_POLICY, tmp / "data.csv", "2026-01", tmp / "out", fmt)
        except IncentiveError as exc:
            assert files_under(tmp / "out") == [], "a failed evaluation wrote files"
            assert str(exc).strip()
            return type(exc).__name__
        assert results.frame.height >= 1
        check_outputs_safe(tmp / "out")
    return "ok"
