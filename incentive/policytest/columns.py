"""The input columns a test file names, matched as period files match them: by id or header, exact first,
then ASCII case-insensitive."""

from __future__ import annotations

from incentive.errors import Finding
from incentive.policy.model import Policy
from incentive.policy.schema import did_you_mean
from incentive.policytest.model import Cell

_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Columns:
    """Input columns by id or header (exact, then ASCII case-insensitive), as period files match them."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.exact: dict[str, str] = {}
        for inp in policy.inputs:
            self.exact.setdefault(inp.id, inp.id)
            if inp.column:
                self.exact.setdefault(inp.column, inp.id)
        self.folded = {k.translate(_FOLD): v for k, v in self.exact.items()}

    def resolve(self, key: str) -> str | None:
        key = key.strip()
        return self.exact.get(key) or self.folded.get(key.translate(_FOLD))

    def unknown(self, file: str, cell: Cell, where: str) -> Finding:
        return Finding(file, cell.key_pos.line, cell.key_pos.col, "error", "unknown-input",
                       f"{where}{cell.key!r} is not an input of policy '{self.policy.id}' (by id or column header)"
                       f"{did_you_mean(cell.key, list(self.exact))}")
