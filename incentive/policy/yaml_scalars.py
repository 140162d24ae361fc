"""Plain YAML scalars per the YAML 1.2 core schema, numbers as exact ``Decimal``.

Not YAML 1.1: ``on`` / ``no`` / ``Y`` stay text, ``2026-01-01`` stays text
(the schema checks dates), ``0.1`` is ``Decimal('0.1')``, never a float.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_NULL = re.compile(r"null|Null|NULL|~|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?(\.inf|\.Inf|\.INF)")
_NAN = re.compile(r"\.nan|\.NaN|\.NAN")


def resolve_plain(text: str) -> object:
    """A plain (unquoted) scalar per the YAML 1.2 core schema; numbers exact.

    >>> [resolve_plain(t) for t in ("on", "NO", "True", "~", "0x1F", "1.50", "2026-01-01")]
    ['on', 'NO', True, None, 31, Decimal('1.50'), '2026-01-01']
    """
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT10.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # beyond Python's int-from-text digit limit
            return Decimal(text)
    if _INT8.fullmatch(text):
        return int(text[2:], 8) if len(text) < 4000 else Decimal("Infinity")
    if _INT16.fullmatch(text):
        return int(text[2:], 16) if len(text) < 4000 else Decimal("Infinity")
    if _FLOAT.fullmatch(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
            return text
    if _INF.fullmatch(text):
        return Decimal("-Infinity") if text.startswith("-") else Decimal("Infinity")
    if _NAN.fullmatch(text):
        return Decimal("NaN")
    return text
