""""Did you mean" hints for misspelt names and functions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word``, or ``None`` when nothing is close.

    A case-insensitive exact match wins (``Revenue`` -> ``revenue``);
    otherwise difflib's ratio with its usual 0.6 cutoff.
    """
    pool = sorted(set(candidates))
    for c in pool:
        if c.lower() == word.lower():
            return c
    lowered = {c.lower(): c for c in pool}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def hint(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or the empty string."""
    best = closest(word, candidates)
    return f" (did you mean '{best}'?)" if best else ""
