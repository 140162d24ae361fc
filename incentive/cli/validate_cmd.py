"""``incentive validate`` and ``incentive schema``: policy checks for people and CI."""

from __future__ import annotations

import sys

import click

from incentive.cli.common import handle_errors
from incentive.errors import Finding, UsageError
from incentive.report.findings import FORMATS, render, summary


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: file:line:col: level code message; json; github: workflow annotations; junit: XML.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a policy value before validating, e.g. --set kpis.sales.weight=50 (repeatable).")
@handle_errors
def validate(paths: tuple[str, ...], fmt: str, strict: bool, overrides: tuple[str, ...]) -> None:
    """Validate policy files (directories are searched for *.yaml / *.yml).

    Files with the same policy id are checked together as its versions
    (docs/plan-versions.md): no overlap, no gap, no duplicate version.

    Exit status: 0 clean, 1 findings (warnings only with --strict), 2 unusable
    input (missing file, not YAML, bomb, bad encoding, too large).
    """
    from incentive.policy.validate import ValidationResult, check_version_sets, discover, exit_status, validate_file

    results: list[ValidationResult] = []
    for given in paths:
        try:
            files = discover([given])
        except UsageError as exc:
            message = str(exc).removeprefix(f"{given}: ")
            results.append(ValidationResult(given, [Finding(given, 0, 0, "error", "file-unreadable", message)],
                                            unusable=True))
            continue
        results.extend(validate_file(path, overrides) for path in files)
    check_version_sets(results)  # the files of one policy id are its versions: overlaps, gaps, duplicates
    report = render(fmt, [(r.file, r.findings) for r in results], strict=strict)
    click.echo(report, nl=False)
    line = summary([(r.file, r.findings) for r in results])
    click.echo(line, err=True)
    sys.exit(exit_status(results, strict))


@click.command("schema")
@handle_errors
def schema() -> None:
    """Print the policy JSON Schema (draft 2020-12), for editors and CI.

    Point YAML editors at it, e.g. a first line
    `# yaml-language-server: $schema=policy.schema.json`.
    """
    from incentive.policy.schema import schema_text

    click.echo(schema_text(), nl=False)
