"""What to say when a policy reads history and the ledger shows none.

History functions (``streak``, ``prev``, ``count_last``, ``last_year``)
read earlier closed periods from the ledger; with none visible they see
nulls, which changes recommendations without a word unless this is said.
One wording for ``evaluate`` / ``explain`` (a note) and ``close`` (a note,
or with ``--strict`` a refusal).
"""

from __future__ import annotations

from pathlib import Path


def no_ledger(policy_id: str, path: Path, depth: int) -> str:
    return (f"{policy_id} reads up to {depth} earlier period(s) (history functions), but there is no ledger at "
            f"{path.absolute()}: evaluated with no history. Point --ledger, $INCENTIVE_LEDGER or incentive.toml "
            "at the ledger the closes were recorded in")


def no_history(policy_id: str, period: str, path: Path, depth: int) -> str:
    return (f"{policy_id} reads up to {depth} earlier period(s) (history functions), but ledger "
            f"{path.absolute()} has no closed period of {policy_id} in the {depth} before {period}: evaluated "
            "with no history (right for a first period; otherwise check --ledger, $INCENTIVE_LEDGER or "
            "incentive.toml)")
