"""Text in a policy that shows something other than what it says is refused.

A bidi control (U+202E RIGHT-TO-LEFT OVERRIDE ...) or an invisible character
(zero-width space, word joiner, a stray BOM) inside a label, a reason or a
``column:`` header makes the text display differently from its characters
(the "Trojan Source" trick): a reviewer reads 销售额, the engine matches a
header no Excel export has, or a statement shows a reason reordered. Control
characters other than a line break or a tab have no place in a plan either.
YAML itself refuses C0 controls in the raw bytes; these can still arrive
through escapes (``"\\u202e"``) or as printable-class characters, so every
string of the loaded document (keys and values) is checked once, here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from incentive.errors import Finding, Pos
from incentive.policy.yaml_doc import LoadedDoc, NodePath

CODE = "invisible-char"
_ALLOWED = frozenset("\n\t")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _bad(ch: str) -> bool:
    if ch in _ALLOWED:
        return False
    if ch in _BIDI:
        return True
    category = unicodedata.category(ch)
    return category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")


def _strings(node: object, path: NodePath) -> Iterator[tuple[NodePath, str, bool]]:
    """Every string of the document: (path, text, is_key)."""
    if isinstance(node, str):
        yield path, node, False
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield (*path, key), key, True
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))


def _where(path: NodePath) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") or "(document)"


def text_findings(doc: LoadedDoc) -> list[Finding]:
    """One error per string holding a character that displays as something else (or nothing)."""
    out: list[Finding] = []
    for path, text, is_key in _strings(doc.data, ()):
        bad = next((i for i, ch in enumerate(text) if _bad(ch)), None)
        if bad is None:
            continue
        ch = text[bad]
        name = unicodedata.name(ch, "control character")
        if is_key:
            pos = doc.key_positions.get(path, doc.pos(path))
        else:
            pos = doc.text_positions.get(path) or doc.pos(path)
            if "\n" not in text[:bad]:
                pos = Pos(pos.line, pos.col + bad)
        what = "key" if is_key else "text"
        out.append(Finding(doc.file, pos.line, pos.col, "error", CODE,
                           f"{_where(path)}: {what} has U+{ord(ch):04X} {name.title()} at character {bad + 1}, "
                           "which displays as something other than it is (or as nothing); remove it"))
    return out
