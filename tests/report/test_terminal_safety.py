"""D14: no command sends a control character from the data raw to the terminal.

The data carries every C0 / C1 control, ESC sequences and the bidi
overrides in names, ids, group values and headers; every command that shows
them (evaluate, explain, explain --close, diff, sweep, close, history,
verify, sample, an error message) runs in-process through the real CLI and
its stdout and stderr must hold none of them raw. One subprocess run checks
the same through ``python -m incentive``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from incentive.cli.main import cli
from incentive.report.terminal import CONTROL_CLASS, json_text, printable, printable_cell

FIXTURE = Path(__file__).parents[1] / "hostile" / "fixtures" / "hostile.yaml"
RAW = re.compile(f"[{CONTROL_CLASS}]")
BIDI = "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: every character that must never reach a terminal raw (NUL excluded from data: a data file with NUL is refused)
CONTROLS = ([chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r"] + ["\x7f"]
            + [chr(c) for c in range(0x80, 0xA0)] + list(BIDI))


def _people() -> list[dict[str, str]]:
    """Six people; together their names, ids, regions and teams carry every control character."""
    rows = []
    chunks = [CONTROLS[i::6] for i in range(6)]
    for i, chunk in enumerate(chunks):
        text = "".join(chunk)
        rows.append({"employee_id": f"E{i}\x1b[2J{chunk[0]}", "name": f"N{text}\x1b]0;pwned\x07",
                     "region": f"R{i % 2}\u202e{chunk[-1]}", "team": f"T{i}{text[:5]}",
                     "revenue": str(1000 * (i + 1)), "target": "500", "extra\x1b[31m": "1"})
    return rows


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("d14")
    fixture = FIXTURE.read_text(encoding="utf-8")
    # a policy may not carry controls in a header (validate's invisible-char), so this one is only validated
    (root / "bad.yaml").write_text(fixture.replace(
        "  name: {type: text}", '  name: {type: text, column: "Na\\eme\\u202e\\x9b"}'), encoding="utf-8")
    (root / "p.yaml").write_text(fixture.replace("  name: {type: text}", "  name: {type: text, column: Name}"),
                                 encoding="utf-8")
    rows = _people()
    buf = io.StringIO()
    header = ["employee_id", "Name", "region", "team", "revenue", "target", "extra\x1b[31m"]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r["employee_id"], r["name"], r["region"], r["team"], r["revenue"], r["target"], "1"])
    (root / "d.csv").write_text(buf.getvalue(), encoding="utf-8")
    return root


def _run(work: Path, args: list[str]) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout + result.stderr


def _ids() -> list[str]:
    return [r["employee_id"] for r in _people()]


COMMANDS = [
    ("evaluate", lambda ids: ["evaluate", "p.yaml", "d.csv", "--period", "2026-01", "--out", "ev"]),
    ("explain", lambda ids: ["explain", "p.yaml", "d.csv", "--period", "2026-01", "--employee", ids[0]]),
    ("explain-json", lambda ids: ["explain", "p.yaml", "d.csv", "--period", "2026-01", "--employee", ids[1],
                                  "--format", "json"]),
    ("explain-unknown", lambda ids: ["explain", "p.yaml", "d.csv", "--period", "2026-01", "--employee",
                                     "X\x1b]0;t\x07\u202e"]),
    ("diff", lambda ids: ["diff", "p.yaml", "p.yaml", "d.csv", "--period", "2026-01", "--by", "team",
                          "--set", "payouts.commission.tiers.table[0].rate=0.05"]),
    ("sweep", lambda ids: ["sweep", "p.yaml", "d.csv", "--period", "2026-01",
                           "--set-range", "payouts.commission.tiers.table[0].rate=0.03,0.04"]),
    ("close", lambda ids: ["close", "p.yaml", "d.csv", "--period", "2026-01", "--ledger", "l.sqlite", "--out", "out"]),
    ("explain-close", lambda ids: ["explain", "--close", "out/hostile/2026-01", "--employee", ids[2]]),
    ("history", lambda ids: ["history", "--employee", ids[3], "--ledger", "l.sqlite"]),
    ("verify", lambda ids: ["verify", "out/hostile/2026-01", "--ledger", "l.sqlite"]),
    ("sample", lambda ids: ["sample", "p.yaml", "--rows", "3"]),
    ("validate-header", lambda ids: ["validate", "bad.yaml"]),
]


def test_every_command_escapes_control_characters(work):
    ids = _ids()
    seen = {}
    for name, args in COMMANDS:  # in order: explain --close, history and verify read the close
        code, text = _run(work, args(ids))
        assert code in (0, 1, 2), (name, code, text)
        raw = sorted({hex(ord(c)) for c in RAW.findall(text)})
        assert not raw, f"{name}: raw control characters {raw} in\n{text[:2000]}"
        seen[name] = text
    # the data really was shown (escaped), so the check above is not vacuous
    assert "\\x1b]0;pwned\\x07" in seen["evaluate"] or "\\x1b" in seen["evaluate"]
    assert "\\x1b[2J" in seen["explain"] and "\\u202e" in seen["diff"]
    assert "inputs.name.column: text has U+001B" in seen["validate-header"]
    assert "no such employee" in seen["explain-unknown"]


def test_explain_json_stays_valid_and_exact(work):
    ids = _ids()
    code, text = _run(work, ["explain", "p.yaml", "d.csv", "--period", "2026-01", "--employee", ids[4],
                             "--format", "json"])
    assert code == 0
    data = json.loads(text)
    assert data["employee_id"] == ids[4]  # escapes decode back to the original id


def test_real_process_escapes():
    """The installed entry point, not only the in-process runner."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "p.yaml"
        policy.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
        data = Path(tmp) / "d.csv"
        data.write_text("employee_id,name,region,team,revenue,target\n"
                        "E\x1b1,A\u202eB\x9b,\"R\x1b]0;x\x07\",T1,100,50\nE2,Bob,R,T1,50,500\n", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
        proc = subprocess.run([sys.executable, "-m", "incentive", "explain", str(policy), str(data), "--period",
                               "2026-01", "--employee", "E\x1b1"], capture_output=True, env=env, timeout=120)
        out = (proc.stdout + proc.stderr).decode("utf-8")
        assert proc.returncode == 0, out
        assert not RAW.search(out), out
        assert "E\\x1b1" in out and "A\\u202eB\\x9b" in out


@given(st.text(alphabet=st.sampled_from(CONTROLS + ["\x00", "\t", "\n", "a", "中", "\r"]), max_size=40))
def test_escapes_are_complete_and_reversible(text):
    assert not RAW.search(printable(text))
    assert not RAW.search(printable_cell(text)) and "\n" not in printable_cell(text)
    dumped = json_text({"v": text})
    assert not RAW.search(dumped) and json.loads(dumped) == {"v": text}


def test_safe_terminal_escapes_every_write_and_restores_the_streams(capsys):
    from incentive.report.terminal import safe_terminal

    before = sys.stdout, sys.stderr
    with safe_terminal():
        print("a\x1b[31mb\u202ec")
        print("e\x9b", file=sys.stderr)
        with pytest.raises(TypeError):
            sys.stdout.write(b"")  # click's binary-stream probe must not take it for a byte stream
    assert (sys.stdout, sys.stderr) == before
    out, err = capsys.readouterr()
    assert out == "a\\x1b[31mb\\u202ec\n" and err == "e\\x9b\n"
