"""Checks of the versions of one policy id, as ``incentive validate`` groups the files it is given.

The same conventions as ``policy.checks``: one module per check exposing
``CODE``, ``LEVEL``, a docstring with a passing and a failing example
(``Passes::`` / ``Fails::`` blocks; each holds the YAML documents of the
versions, separated by ``---``) and ``check(versions) -> Iterable[Finding]``,
where ``versions`` are the built policies of one id in effective order
(``policy.versions.ordered``), a single file being a set of one. Findings
point into the file of the version they are about and name the others.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.versions import group_by_id


@dataclass(frozen=True)
class VersionCheck:
    code: str
    level: Level
    doc: str
    run: Callable[[Sequence[Policy]], Iterable[Finding]]
    module: str


def _load(module: ModuleType) -> VersionCheck:
    missing = [name for name in ("CODE", "LEVEL", "check") if not hasattr(module, name)]
    if missing or not module.__doc__:
        raise ImportError(f"check module {module.__name__} lacks {', '.join(missing) or 'a docstring'}")
    return VersionCheck(module.CODE, module.LEVEL, module.__doc__, module.check, module.__name__)


def _discover() -> tuple[VersionCheck, ...]:
    return tuple(_load(importlib.import_module(f"{__name__}.{info.name}"))
                 for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
                 if not info.name.startswith("_"))


#: every registered version check, in module-name order
CHECKS: tuple[VersionCheck, ...] = _discover()

#: checks whose findings make the dates unusable for the others (overlap / gap need ordered, closed ranges)
_DATES_FIRST = ("version-dates",)


def check_versions(policies: Iterable[Policy]) -> list[Finding]:
    """Group ``policies`` by id and run every version check on each group; findings sorted by position."""
    findings: list[Finding] = []
    for group in group_by_id(policies).values():
        first = [f for c in CHECKS if c.code in _DATES_FIRST for f in c.run(group)]
        findings.extend(first)
        if not first:
            findings.extend(f for c in CHECKS if c.code not in _DATES_FIRST for f in c.run(group))
    return sorted(set(findings), key=Finding.sort_key)


def codes() -> dict[str, str]:
    """Finding code -> level, for every version check."""
    return {c.code: c.level for c in CHECKS}
