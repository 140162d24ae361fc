"""The stages of a long run on a terminal: a bar over the stages, the current one and its time.

Shown only when standard error is a terminal and ``--quiet`` is not given
(``for_command``): CI logs, pipes and files see nothing of it, byte for
byte. The line is drawn with click's progress bar and redrawn a few times a
second from a side thread, so a long read or evaluation shows its time
passing; it is cleared when the run ends, and a message printed meanwhile
(``say``) goes above it.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, TextIO

import click

from incentive.app.progress import SILENT, STAGES, Progress
from incentive.report.terminal import SafeStream, printable

#: how often the line is redrawn while a stage runs (seconds)
TICK = 0.2
_CLEAR = "\r\x1b[2K"  # back to the line's start, erase it
_SHOW_CURSOR = "\x1b[?25h"  # click's bar hides the cursor while it draws


class TerminalProgress:
    """``Progress`` drawn on ``stream`` (a terminal); ``stages`` are the ones the run reaches, in order."""

    def __init__(self, stream: TextIO, stages: Sequence[str]) -> None:
        self._stream = stream
        self._stages = list(stages)
        self._lock = threading.RLock()  # re-entered if Ctrl-C unwinds the main thread while it draws
        self._current: str | None = None
        self._detail = ""
        self._began = time.monotonic()
        self._bar = click.progressbar(length=len(self._stages), label="incentive", file=stream, width=20,
                                      show_eta=False, show_percent=False, item_show_func=self._info)
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="incentive-progress", daemon=True)

    def _info(self, _item: object) -> str:
        if self._current is None:
            return ""
        text = STAGES.get(self._current, self._current)
        detail = f" {self._detail}" if self._detail else ""
        return f"{text}{detail}  {time.monotonic() - self._began:.1f}s"

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                self._bar.render_progress()

    def stage(self, name: str, detail: str = "") -> None:
        with self._lock:
            if name in self._stages:
                self._bar.pos = self._stages.index(name)
            self._current, self._detail = name, detail
            self._bar.render_progress()
            if self._ticker.ident is None:  # the first stage starts the redrawing
                self._ticker.start()

    def say(self, message: str) -> None:
        """A line for the user, printed above the progress line."""
        with self._lock:
            self._stream.write(_CLEAR)
            click.echo(message, file=self._stream)
            if self._current is not None:
                self._stream.write("\r" + self._bar.format_progress_line())
                self._stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker.is_alive():
            self._ticker.join(timeout=5 * TICK)  # a daemon: never wait on it for long
        with self._lock:
            if self._current is not None:
                self._stream.write(_CLEAR + _SHOW_CURSOR)
                self._stream.flush()
            self._current = None


def shown(quiet: bool) -> bool:
    """Progress is drawn only on a terminal's standard error, and never with ``--quiet``."""
    stream = sys.stderr
    return not quiet and bool(getattr(stream, "isatty", None)) and stream.isatty()


def _terminal(stream: TextIO) -> TextIO:
    """The terminal under ``handle_errors``' escaping stream: the progress line's own escape
    sequences must reach it; the messages ``say`` prints are made printable first."""
    return stream.wrapped if isinstance(stream, SafeStream) else stream


@contextmanager
def for_command(quiet: bool, stages: Sequence[str]) -> Iterator[Progress]:
    """The progress of one command: drawn on stderr when ``shown``, else ``SILENT``."""
    if not shown(quiet):
        yield SILENT
        return
    progress = TerminalProgress(_terminal(sys.stderr), stages)
    try:
        yield progress
    finally:
        progress.close()


def say_with(progress: Progress) -> Callable[[str], None]:
    """``notify`` for the application layer: messages on stderr, above the progress line if there is one."""
    def say(message: str) -> None:
        if isinstance(progress, TerminalProgress):
            progress.say(printable(message))
        else:
            click.echo(printable(message), err=True)
    return say


#: the option every long-running command takes
quiet_option = click.option("--quiet", is_flag=True,
                            help="Show no progress on the terminal (stages of a long run are shown on stderr "
                                 "only when it is a terminal).")
