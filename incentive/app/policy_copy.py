"""The policy a close evaluated, parsed from the copy the ledger recorded with it.

What was closed is what approvals, inquiries and balances follow -- not
today's policy file, which may have changed since."""

from __future__ import annotations

from functools import lru_cache

from incentive.errors import UsageError
from incentive.ledger import LedgerEntry
from incentive.policy.model import Policy


@lru_cache(maxsize=64)
def _parsed(policy_text: str) -> Policy:
    from incentive.policy.validate import load_policy

    return load_policy("<policy copy>", data=policy_text.encode("utf-8")).policy


def recorded_policy(entry: LedgerEntry) -> Policy:
    """The policy of a close, from its recorded text."""
    if not entry.policy_text:
        raise UsageError(f"{entry.describe()} has no recorded policy text")
    return _parsed(entry.policy_text)
