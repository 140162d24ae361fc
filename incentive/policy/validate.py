"""Validating policy files: the one path from bytes on disk to a checked policy.

``validate_file`` runs every stage and collects findings instead of stopping
at the first problem: safe YAML load -> ``--set`` overrides -> JSON Schema ->
build the ``Policy`` -> expression checks -> semantic checks. ``load_policy``
is the same path for the engine, raising when the policy cannot be used.

Exit status of ``incentive validate`` (``exit_status``): 0 clean (warnings
allowed unless strict), 1 findings, 2 unusable input (missing or unreadable
file, not YAML, a YAML bomb, bad encoding, too large, not a policy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from incentive.errors import Finding, PolicyInvalid, PolicyLoadError, Pos, UsageError
from incentive.policy.build import build_policy
from incentive.policy.checks import run_checks
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.expr.policy_check import check_policy_expressions
from incentive.policy.files import is_policy_file, read_policy_bytes, unique, walk
from incentive.policy.model import Policy
from incentive.policy.overrides import apply_overrides
from incentive.policy.schema import load_schema, schema_findings
from incentive.policy.text_check import text_findings
from incentive.policy.yaml_doc import LoadedDoc
from incentive.policy.yamlsafe import load_yaml


@dataclass
class ValidationResult:
    """Everything ``validate`` learned about one file."""

    file: str
    findings: list[Finding]
    policy: Policy | None = None
    checked: CheckedPolicy | None = None  # when every stage ran clean
    unusable: bool = False  # the file could not be read as a policy at all (exit 2)

    @property
    def errors(self) -> int:
        return sum(f.level == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.level == "warning" for f in self.findings)


def discover(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Policy files named by ``paths``: files as given, directories searched.

    Directories are walked recursively (sorted; hidden directories and files
    skipped) for ``*.yaml`` / ``*.yml``, leaving out policy tests
    (``*.test.yaml`` / ``*.test.yml``). A missing path, or a directory holding
    no policy file, is a ``UsageError``.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UsageError(f"{given}: no such file or directory")
        if path.is_dir():
            inside = walk(path, is_policy_file)
            if not inside:
                raise UsageError(f"{given}: no *.yaml or *.yml policy files in this directory")
            found.extend(inside)
        else:
            found.append(path)
    return unique(found)


def validate_file(path: str | os.PathLike, overrides: Sequence[str] = ()) -> ValidationResult:
    """Run every validation stage on one file; never raises for a bad file.

    ``--set`` overrides that name no existing place raise ``UsageError``.
    """
    return _validate(path, overrides)


def load_policy(path: str | os.PathLike, overrides: Sequence[str] = (), *, data: bytes | None = None) -> CheckedPolicy:
    """The checked policy for the engine.

    ``data`` is the file's bytes when the caller already read them with
    ``read_policy_bytes`` (``close`` hashes and records exactly what it evaluates).
    Raises ``PolicyLoadError`` when the file is unusable and ``PolicyInvalid``
    when it has error-level findings; both exit with status 2.
    """
    result = _validate(path, overrides, data=data)
    if result.unusable:
        raise PolicyLoadError(result.findings)
    errors = [f for f in result.findings if f.level == "error"]
    if errors or result.checked is None:
        raise PolicyInvalid(errors)
    return result.checked


def check_version_sets(results: Sequence[ValidationResult]) -> None:
    """Add the findings of the version checks to ``results`` (validate's files, grouped by policy id).

    Only files that built a ``Policy`` take part; each finding joins the
    result of the file it points into (``policy.version_checks``)."""
    from incentive.policy.version_checks import check_versions

    by_file = {r.file: r for r in results if r.policy is not None}
    for f in check_versions(r.policy for r in by_file.values() if r.policy is not None):
        target = by_file[f.file]
        target.findings = _sorted(target.findings + [f])


def exit_status(results: Iterable[ValidationResult], strict: bool = False) -> int:
    """0 clean, 1 findings (warnings count only when strict), 2 unusable input."""
    results = list(results)
    if any(r.unusable for r in results):
        return 2
    if any(r.errors or (strict and r.warnings) for r in results):
        return 1
    return 0


def _validate(path: str | os.PathLike, overrides: Sequence[str], data: bytes | None = None) -> ValidationResult:
    file = str(path)
    try:
        doc = load_yaml(read_policy_bytes(path) if data is None else data, file)
    except PolicyLoadError as exc:
        return ValidationResult(file, list(exc.findings), unusable=True)
    doc = apply_overrides(doc, overrides)
    problem = _not_a_policy(doc, file)
    if problem is not None:
        return ValidationResult(file, doc.findings + [problem], unusable=True)
    findings = list(doc.findings) + text_findings(doc) + schema_findings(doc, file)
    if any(f.code.startswith("schema-") or f.code == "policy-too-large" for f in findings):
        return ValidationResult(file, _sorted(findings))
    policy = build_policy(doc, file)
    checked, more = check_policy_expressions(policy)
    findings.extend(more)
    findings.extend(run_checks(policy, checked))
    return ValidationResult(file, _sorted(findings), policy, checked)


def _not_a_policy(doc: LoadedDoc, file: str) -> Finding | None:
    data = doc.data
    if isinstance(data, dict):
        if "cases" in data and isinstance(data.get("policy"), str) and "inputs" not in data:
            pos = doc.key_positions.get(("cases",), Pos(1, 1))
            return Finding(file, pos.line, pos.col, "error", "not-a-policy",
                           f"a policy test file (it has cases: for policy {data['policy']!r}); run "
                           f"`incentive test {file}` for it, and validate the policy file itself")
        if "crediting" in data and "lines" in data and "inputs" not in data:
            return Finding(file, 1, 1, "error", "not-a-policy",
                           "a crediting file (crediting: and lines:; docs/crediting.md): `incentive credit` reads it, "
                           "through the policy that names it")
        if set(data) & set(load_schema()["properties"]):
            return None
        return Finding(file, 1, 1, "error", "not-a-policy",
                       "none of the policy sections (policy, version, period, currency, inputs, ...) "
                       "is present; is this a policy file?")
    if data is None:
        return Finding(file, 1, 1, "error", "not-a-policy", "the file is empty; a policy is a YAML mapping")
    kind = "a list" if isinstance(data, list) else "a single value"
    pos = doc.pos(())
    return Finding(file, pos.line, pos.col, "error", "not-a-policy",
                   f"the document is {kind}; a policy is a mapping of sections (policy:, inputs:, ...)")


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
