"""Text from data files shown on a terminal, made harmless.

A cell can carry ANSI / OSC escape sequences (``\\x1b]0;title\\x07``) that a
terminal would execute. Everything printed from data goes through
``printable``: control characters are shown escaped, never sent raw.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: object) -> str:
    """``str(value)`` with every control character (bar tab/newline) escaped, e.g. ``\\x1b``."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value))
