"""Two processes closing the same period at the same moment: exactly one wins."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from ledger_fixtures import close, make_record, results_frame

from incentive.ledger import Ledger, PeriodAlreadyClosed


def _close(path: str, period: str, by: str, barrier, results) -> None:
    with Ledger(Path(path)) as ledger:
        record = make_record(period, 8100 + int(period[-1]), by=by)
        frame = results_frame()
        barrier.wait(timeout=60)
        try:
            close(ledger, record, frame)
            results.put((by, "closed"))
        except PeriodAlreadyClosed as exc:
            results.put((by, f"refused: {exc}"))
        except Exception as exc:  # reported, so the assertion shows it
            results.put((by, f"error: {type(exc).__name__}: {exc}"))


def test_concurrent_closes_in_two_processes(tmp_path):
    ctx = mp.get_context("spawn")
    path = tmp_path / "incentive-ledger.sqlite"
    Ledger(path).close()
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        barrier = ctx.Barrier(2)
        results = ctx.Queue()
        procs = [ctx.Process(target=_close, args=(str(path), period, who, barrier, results))
                 for who in ("alice", "bob")]
        for p in procs:
            p.start()
        outcomes = dict(results.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
        assert sorted(o.split(":")[0] for o in outcomes.values()) == ["closed", "refused"], outcomes
        winner = next(who for who, o in outcomes.items() if o == "closed")
        loser = next(o for o in outcomes.values() if o != "closed")
        assert f"{period} is already closed" in loser and f"by {winner}" in loser
    with Ledger(path, readonly=True) as ledger:
        assert [e.period for e in ledger.entries()] == ["2026-Q1", "2026-Q2", "2026-Q3"]
        assert ledger.verify_chain() == []
