"""Concurrent closes of one period through the real command: exactly one wins.

Several ``incentive close`` processes start at once on the same ledger and
output directory. The ledger's write transaction decides: one records the
close and installs its outputs; every other one exits 2 with a message
saying the period is already closed -- or, with identical inputs and
options, exits 0 saying there is nothing to do (issue 12, D13: also when it
lost the race inside the ledger's write transaction). Never a traceback, never two entries,
never a mixed or partial output directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from incentive.ledger import Ledger
from incentive.output.manifest import check_manifest
from tests.hostile.generators import FIXTURES, many_rows

CONTENDERS = 3
ROWS = 5_000


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    env["INCENTIVE_USER"] = "race-test"
    return subprocess.Popen([sys.executable, "-m", "incentive", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def race(tmp: Path, data_files: list[str]) -> list[tuple[int, str, str]]:
    procs = [start(["close", str(FIXTURES / "hostile.yaml"), name, "--period", "2026-01", "--ledger", "ledger.sqlite",
                    "--out", "out", "--xlsx"], tmp) for name in data_files]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        done.append((p.returncode, out, err))
    return done


def check_single_winner(tmp: Path, done: list[tuple[int, str, str]]) -> dict:
    for code, out, err in done:
        assert "Traceback" not in out + err, err
        assert code in (0, 2), (code, err)
    with Ledger(tmp / "ledger.sqlite") as ledger:
        assert ledger.verify_chain() == []
        entries = ledger.entries()
    assert len(entries) == 1, [e.describe() for e in entries]
    target = tmp / "out" / "hostile" / "2026-01"
    assert check_manifest(target) == []
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data"]["sha256"] == entries[0].data_sha256  # the installed outputs are the winner's
    assert [p.name for p in (tmp / "out" / "hostile").iterdir()] == ["2026-01"]  # no leftovers
    return manifest


def test_concurrent_closes_with_different_data_one_wins(tmp_path):
    rows = many_rows(ROWS).decode()
    names = []
    for i in range(CONTENDERS):  # each contender's data differs in one name
        name = f"data-{i}.csv"
        (tmp_path / name).write_text(rows.replace(",N1,", f",N1-{i},", 1), encoding="utf-8")
        names.append(name)
    done = race(tmp_path, names)
    winners = [d for d in done if d[0] == 0]
    losers = [d for d in done if d[0] != 0]
    assert len(winners) == 1, [d[0] for d in done]
    assert "closed hostile 2026-01: ledger entry 1" in winners[0][1]
    for code, out, err in losers:
        assert "hostile period 2026-01 is already closed" in err and "Reopen it with a reason" in err, err
    manifest = check_single_winner(tmp_path, done)
    assert manifest["data"]["file"] == names[done.index(winners[0])]


def test_concurrent_identical_closes_record_once(tmp_path):
    (tmp_path / "data.csv").write_bytes(many_rows(ROWS))
    done = race(tmp_path, ["data.csv"] * CONTENDERS)
    recorded = [d for d in done if "closed hostile 2026-01: ledger entry 1" in d[1]]
    assert len(recorded) == 1, [d[1][-200:] + d[2][-200:] for d in done]
    for code, out, err in done:
        if (code, out, err) == recorded[0]:
            continue
        assert code == 0 and "already closed with identical policy and data" in out, (code, out[-300:], err)
    check_single_winner(tmp_path, done)
