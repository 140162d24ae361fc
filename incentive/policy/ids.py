"""The one id rule of a policy, matched against the whole text.

Two grammars, documented in docs/policy-reference.md ("Ids"):

* the **policy id** (``policy:``) names a directory of closed periods and the
  ledger's history, so it is a lower-case slug: ``[a-z][a-z0-9_-]*``, at most
  100 characters;
* every **other id** (inputs, derived, aggregates / groups, KPIs, payouts /
  components, budgets, penalties, recommendations, bands) is also a name in
  expressions and a results column: ``[A-Za-z_][A-Za-z0-9_]*``, at most 64.

Why this module: JSON Schema ``pattern`` is an ECMA-262 regex where ``$``
matches only at the end of the text, but Python's ``re.search`` lets ``$``
match before a trailing newline -- ``"sales-rep\\n"`` passed validation and
became a directory name. Patterns here, and every schema ``pattern``
(``ecma_search``), use ``\\Z`` semantics.
"""

from __future__ import annotations

import functools
import re

POLICY_ID_PATTERN = "^[a-z][a-z0-9_-]*$"
POLICY_ID_MAX = 100
ID_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
ID_MAX = 64


@functools.lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled so an unescaped ``$`` outside ``[...]`` means end of text only (``\\Z``)."""
    out: list[str] = []
    escaped = in_class = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append(r"\Z")
        else:
            out.append(ch)
    return re.compile("".join(out))


def ecma_search(pattern: str, text: str) -> bool:
    """Whether ``text`` matches the JSON Schema ``pattern`` as ECMA-262 defines it."""
    return ecma_regex(pattern).search(text) is not None


def is_policy_id(text: object) -> bool:
    return isinstance(text, str) and len(text) <= POLICY_ID_MAX and ecma_search(POLICY_ID_PATTERN, text)


def is_id(text: object) -> bool:
    return isinstance(text, str) and len(text) <= ID_MAX and ecma_search(ID_PATTERN, text)
