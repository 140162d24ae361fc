"""Text from data files shown on a terminal, made harmless.

A cell can carry ANSI / OSC escape sequences (``\\x1b]0;title\\x07``) that a
terminal would execute, or bidirectional overrides (U+202E) that make a
line read differently from what it says. Everything a command prints goes
through ``printable``: such characters are shown escaped (``\\x1b``,
``\\u202e``), never sent raw.

``safe_terminal`` applies it to everything written to ``sys.stdout`` and
``sys.stderr`` while a command runs (``cli.common.handle_errors``), so no
command -- including one that forgets to call ``printable`` -- can echo a raw
control character. Binary writes (``sys.stdout.buffer``, e.g. ``sample``'s
CSV) bypass it and escape their own text.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from typing import IO, Any, Iterable, Iterator, TextIO

#: C0 (bar tab and newline), DEL, C1, and the invisible characters that reorder or hide text:
#: bidi marks, embeddings, overrides and isolates (Trojan Source, CVE-2021-42574), line separators
CONTROL_CLASS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_CONTROL_OR_LINE = re.compile(f"[{CONTROL_CLASS}\t\n]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(ch: str) -> str:
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(value: object) -> str:
    """``str(value)`` with every control character (bar tab/newline) escaped, e.g. ``\\x1b``, ``\\u202e``."""
    return _CONTROL.sub(lambda m: _escape(m.group()), str(value))


def printable_cell(value: object) -> str:
    """``printable`` that also escapes tab and newline: one table cell or one line of a listing."""
    return _CONTROL_OR_LINE.sub(lambda m: _escape(m.group()), str(value))


def has_control(text: str) -> bool:
    """True when ``text`` holds a character ``printable`` would escape."""
    return _CONTROL.search(text) is not None


def json_text(data: object, **kw: Any) -> str:
    """``json.dumps`` (UTF-8 kept) with control and bidi characters as ``\\uXXXX`` escapes: still valid
    JSON that decodes to the same strings, and nothing raw reaches the terminal."""
    text = json.dumps(data, ensure_ascii=False, **kw)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeStream:
    """A text stream that writes ``printable(text)`` to the stream it wraps; everything else is delegated."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def wrapped(self) -> TextIO:
        """The stream written to (a progress line's own escape sequences go there unchanged)."""
        return self._stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes streams with b"": a text stream refuses bytes
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._stream.write(printable(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_terminal() -> Iterator[None]:
    """Escape control characters in all text written to stdout / stderr inside the block; the
    original streams are put back afterwards (also when the block raises or exits)."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream) and sys.stdout is not None:
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream) and sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
