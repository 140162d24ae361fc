"""Progress on a terminal: the stages of a close on stderr when it is a terminal, nothing otherwise.

Standard error is a pseudo-terminal here (``pty``), as in an interactive
shell; a pipe (every other CLI test, CI logs) and ``--quiet`` must see
nothing of it, byte for byte.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"
STAGE_WORDS = ("reading data", "evaluating", "writing outputs", "recording in the ledger")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    env["INCENTIVE_USER"] = "progress-test"
    return env


def run_on_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``incentive ARGS`` with stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "incentive", *args], cwd=cwd, env=_env(),
                                stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    finally:
        os.close(slave)  # the child holds its own copy; EOF once it exits
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    out = proc.stdout.read()
    proc.stdout.close()
    code = proc.wait(timeout=300)
    return code, out.decode("utf-8"), b"".join(chunks).decode("utf-8")


def run_on_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=300)


def close_args(tmp: Path, name: str) -> list[str]:
    return ["close", str(POLICY), str(DATA), "--period", "2026-Q1", "--ledger", str(tmp / f"{name}.sqlite"),
            "--out", str(tmp / name)]


def messages(terminal_err: str) -> str:
    """What a terminal's stderr shows once the progress line is gone: each line that ended
    (``\\r\\n``) without what was drawn before the last erase on it."""
    *lines, _last = terminal_err.split("\r\n")
    return "".join(line.rsplit("\x1b[2K", 1)[-1] + "\n" for line in lines)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_close_on_a_terminal_shows_its_stages_and_a_pipe_sees_nothing(tmp_path):
    code, out, err = run_on_terminal(close_args(tmp_path, "tty"), tmp_path)
    assert code == 0, err
    for words in STAGE_WORDS:  # each stage drawn as it starts, in the close's order
        assert words in err, err
    positions = [err.index(words) for words in STAGE_WORDS]
    assert positions == sorted(positions), err
    assert "incentive  [" in err  # the bar
    # the line is erased at the end, the cursor back; after it only whole lines (the fairness flags)
    err, shown, after = err.rpartition("\r\x1b[2K\x1b[?25h")
    err += shown
    assert shown and (after == "" or (after.endswith("\r\n") and "\x1b" not in after)), after[-80:]
    # the same close on a pipe: no progress at all, the same messages
    piped = run_on_pipe(close_args(tmp_path, "pipe"), tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert not any(words in piped.stderr for words in STAGE_WORDS)
    assert "\r" not in piped.stderr and "\x1b" not in piped.stderr
    assert piped.stderr.startswith(f"created ledger {tmp_path / 'pipe.sqlite'} (from --ledger)\nwarning: ")
    assert messages(err) + after.replace("\r\n", "\n") == piped.stderr.replace("pipe", "tty")  # above the line
    def summary(text: str) -> list[str]:  # all of stdout but the new ledger head (its hash covers the time)
        return [line for line in text.replace("pipe", "tty").splitlines() if not line.startswith("ledger head:")]

    assert summary(out) == summary(piped.stdout) and "closed sales-rep 2026-Q1" in out


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_quiet_shows_no_progress_on_a_terminal(tmp_path):
    code, _, err = run_on_terminal([*close_args(tmp_path, "quiet"), "--quiet"], tmp_path)
    assert code == 0, err
    piped = run_on_pipe(close_args(tmp_path, "pipe"), tmp_path)
    assert err.replace("\r\n", "\n") == piped.stderr.replace("pipe", "quiet")
    code, _, err = run_on_terminal(["evaluate", str(POLICY), str(DATA), "--period", "2026-Q1", "--quiet"], tmp_path)
    assert code == 0 and "\x1b" not in err and "\r" not in err.replace("\r\n", ""), err


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_sweep_on_a_terminal_counts_its_evaluations(tmp_path):
    code, _, err = run_on_terminal(["sweep", str(POLICY), str(DATA), "--period", "2026-Q1", "--set-range",
                                    "payouts.commission.tiers.table[1].rate=0.04,0.05,0.06"], tmp_path)
    assert code == 0, err
    assert "evaluating 1/3" in err and "evaluating 3/3" in err, err
