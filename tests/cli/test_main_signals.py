"""``stopping_cleanly``: SIGINT / SIGTERM become ``Interrupted``; the previous handlers come back.

The end-to-end behaviour (a close stopped at several moments: exit 130 /
143, one line, nothing left) is ``tests/hostile/test_close_kill.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from incentive.cli.main import Interrupted, stopping_cleanly


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_unwinds_as_interrupted_and_the_handlers_are_restored(sig):
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    cleaned = []
    with pytest.raises(Interrupted) as info:
        with stopping_cleanly():
            try:
                os.kill(os.getpid(), sig)
                for _ in range(1000):  # the handler runs between bytecodes
                    pass
            finally:
                cleaned.append(signal.getsignal(signal.SIGINT))  # further signals are ignored meanwhile
    assert info.value.signum == sig and info.value.name == sig.name
    assert cleaned == [signal.SIG_IGN]
    assert {s: signal.getsignal(s) for s in before} == before


def test_an_ignored_signal_stays_ignored():
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with stopping_cleanly():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_the_command_modules_load_after_the_handlers():
    """Importing the CLI does not import polars: a Ctrl-C during start-up meets the handlers."""
    code = "import sys, incentive.cli.main; print('polars' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
