"""Stop signals that must wait: from a close's ledger commit until its outputs are in place.

Ctrl-C or SIGTERM stops a command cleanly (``cli.main``): everything it
started is undone. One window cannot be undone: once the ledger committed a
close, the close *is* closed, and stopping before its output directory is
renamed into place would leave a recorded close without outputs. So the
close holds stop signals from just before the commit until the rename is
done (``held_stops``); a signal that arrives in between is kept, the close
finishes, and the command says it received one.

The entry point's signal handler asks ``holding()`` and hands the signal
to ``hold``; nothing here installs a handler (process state belongs to the
entry point).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_held: list[int] = []


def holding() -> bool:
    """Whether a stop signal must wait (called by the entry point's signal handler)."""
    return _depth > 0


def hold(signum: int) -> None:
    """Keep ``signum`` until the window closes."""
    with _lock:
        _held.append(signum)


@contextmanager
def held_stops() -> Iterator[list[str]]:
    """Hold stop signals for the duration; yields the names of those that arrived (filled in at the end)."""
    global _depth
    names: list[str] = []
    with _lock:
        _depth += 1
    try:
        yield names
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                names.extend(signal.Signals(s).name for s in _held)
                _held.clear()
