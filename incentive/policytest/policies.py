"""The policies a test run uses: each variant (file + overrides) loaded and checked once, and a bad
override shown at the line of the test file that gives it."""

from __future__ import annotations

import os
from typing import Sequence

from incentive.errors import Finding, IncentiveError, PolicyInvalid, PolicyLoadError, Pos, UsageError
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policytest.model import Override


class PolicyCache:
    """Checked policies by (file, overrides): each variant is loaded and checked once per run."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, tuple[str, ...]], CheckedPolicy] = {}
        self._failed: dict[tuple[str, tuple[str, ...]], IncentiveError] = {}

    def get(self, path: str, overrides: Sequence[str] = ()) -> CheckedPolicy:
        """The checked policy; raises ``PolicyLoadError`` / ``PolicyInvalid`` / ``UsageError``."""
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


def override_problem(exc: UsageError, overrides: Sequence[Override], file: str, fallback: Pos,
                      prefix: str) -> Finding:
    """A bad ``--set``-style override as a finding at the override in the test file."""
    message = str(exc)
    for o in overrides:
        label = f"--set {o.text}"
        if message.startswith(label):
            return Finding(file, o.pos.line, o.pos.col, "error", "bad-override",
                           f"{prefix}override {o.text!r}{message[len(label):]}")
    return Finding(file, fallback.line, fallback.col, "error", "bad-override", prefix + message)
