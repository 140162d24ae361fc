"""Finding messages stay on one line, whatever text they quote.

A message may quote the policy author's own text (an expression segment, a
value). A line break or another control character in that text would split
the ``file:line:col: level code message`` line that CI tools parse -- and on
GitHub Actions a line starting with ``::`` that reaches standard output is
run as a workflow command. Such characters are shown as escapes instead.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with control characters and line separators escaped (``\\n``, ``\\x1b``, ``\\u2028``)."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(0)) or _escape(m.group(0)), text)


def _escape(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
