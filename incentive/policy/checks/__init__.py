"""Semantic checks: what a careful comp analyst would catch before a plan goes live.

They run after the schema and the expression checks, on the built ``Policy``
(and the ``CheckedPolicy`` when the expressions were clean; a check that needs
it skips otherwise). Each check is one module in this package exposing
``CODE`` (the finding code), ``LEVEL`` (``error`` or ``warning``), a docstring
with a passing and a failing YAML example, and
``check(policy, checked) -> Iterable[Finding]``. The registry is built from the
modules themselves, so adding a module adds a check; modules whose name starts
with ``_`` are helpers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from incentive.errors import Finding, Level
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy


@dataclass(frozen=True)
class Check:
    code: str
    level: Level
    doc: str
    run: Callable[[Policy, CheckedPolicy | None], Iterable[Finding]]
    module: str


def _load(module: ModuleType) -> Check:
    missing = [name for name in ("CODE", "LEVEL", "check") if not hasattr(module, name)]
    if missing or not module.__doc__:
        raise ImportError(f"check module {module.__name__} lacks {', '.join(missing) or 'a docstring'}")
    return Check(module.CODE, module.LEVEL, module.__doc__, module.check, module.__name__)


def _discover() -> tuple[Check, ...]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            found.append(_load(importlib.import_module(f"{__name__}.{info.name}")))
    return tuple(found)


#: every registered check, in module-name order
CHECKS: tuple[Check, ...] = _discover()


def run_checks(policy: Policy, checked: CheckedPolicy | None) -> list[Finding]:
    """Run every registered check; findings sorted by file position."""
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check.run(policy, checked))
    return sorted(findings, key=Finding.sort_key)


def codes() -> dict[str, str]:
    """Finding code -> level, for every registered check (used by docs and tests)."""
    return {c.code: c.level for c in CHECKS}
