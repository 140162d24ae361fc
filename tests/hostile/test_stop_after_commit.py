"""A stop signal between a close's ledger commit and its rename waits for the close to finish.

Once the ledger committed a close, stopping before the output directory is
in place would leave a recorded close without outputs (the next close would
rebuild them, but the command would have said "stopped, no partial output").
So the close holds SIGINT / SIGTERM from just before the commit until the
rename (``incentive.stops``), finishes, and says a signal arrived. A signal
just before that window still stops the close with nothing recorded.
"""

from __future__ import annotations

import os
import signal

import pytest

from incentive.app.close import CloseOptions, close_period
from incentive.app.run import RunOptions
from incentive.cli.main import Interrupted, stopping_cleanly
from incentive.ledger import Ledger, staging
from tests.hostile.test_close_faults import DATA, PERIOD, POLICY, TARGET


def _close(tmp_path, said: list[str]):
    return close_period(str(POLICY), str(DATA), RunOptions(period=PERIOD),
                        CloseOptions(out=str(tmp_path / "out"), ledger=str(tmp_path / "ledger.sqlite"), by="t"),
                        notify=said.append)


def _signal_self(sig: int) -> None:
    os.kill(os.getpid(), sig)  # delivered to the main thread at its next instruction


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_commit_lets_the_close_finish(sig, tmp_path, monkeypatch):
    real = staging.StagedClose.commit

    def commit(self, record):
        _signal_self(sig)
        return real(self, record)

    monkeypatch.setattr(staging.StagedClose, "commit", commit)
    said: list[str] = []
    with stopping_cleanly():
        outcome = _close(tmp_path, said)
    assert (tmp_path / "out" / TARGET / "manifest.json").is_file()  # the outputs are in place
    with Ledger(tmp_path / "ledger.sqlite", readonly=True) as ledger:
        assert ledger.verify_chain() == []
        assert ledger.get_close("hostile", PERIOD).seq == outcome.entry.seq
    assert any(f"{sig.name} arrived after the ledger recorded the close" in line for line in said), said


def test_a_signal_before_the_commit_still_stops_with_nothing_recorded(tmp_path, monkeypatch):
    real = Ledger.stage_close

    def stage_close(self, *args, **kwargs):
        _signal_self(signal.SIGINT)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Ledger, "stage_close", stage_close)
    with pytest.raises(Interrupted), stopping_cleanly():
        _close(tmp_path, [])
    assert not (tmp_path / "out" / TARGET).exists()
    with Ledger(tmp_path / "ledger.sqlite", readonly=True) as ledger:
        assert ledger.get_close("hostile", PERIOD) is None
