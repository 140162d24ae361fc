"""Where a close may write: only ``OUT/<policy>/<period>/`` (plus the ledger).

Ids and period labels are validated before they name a directory; a period
directory that is a symlink or a file is never replaced, so a close cannot
be steered into writing (or deleting) somewhere else; what the close creates
is owner-only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from incentive.app.close import CloseOptions, close_period, output_dir
from incentive.app.run import RunOptions
from incentive.errors import IncentiveError, UsageError
from tests.hostile.generators import FIXTURES

POLICY = FIXTURES / "hostile.yaml"
DATA = FIXTURES / "clean.csv"


def run_close(tmp: Path, out: Path):
    return close_period(str(POLICY), str(DATA), RunOptions(period="2026-01"),
                        CloseOptions(out=str(out), ledger=str(tmp / "ledger.sqlite"), by="path-test", html=False))


@pytest.mark.parametrize("policy_id, period", [
    ("..", "2026-01"), ("hostile", ".."), ("a/b", "2026-01"), ("hostile", "2026/01"), ("a\\b", "2026-01"),
    ("hostile", "x\x00y"), ("", "2026-01"), ("hostile", "."),
])
def test_output_dir_refuses_unsafe_components(policy_id, period, tmp_path):
    with pytest.raises(UsageError, match="unsafe path component"):
        output_dir(str(tmp_path / "out"), policy_id, period)


def test_a_symlinked_period_directory_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("precious")
    out = tmp_path / "out"
    (out / "hostile").mkdir(parents=True)
    os.symlink(elsewhere, out / "hostile" / "2026-01")
    with pytest.raises(IncentiveError, match="not a directory; refusing to replace it"):
        run_close(tmp_path, out)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert (elsewhere / "keep.txt").read_text() == "precious"
    assert (out / "hostile" / "2026-01").is_symlink()
    assert [p.name for p in (out / "hostile").iterdir()] == ["2026-01"]  # no staging leftovers


def test_a_file_in_place_of_the_period_directory_is_kept(tmp_path):
    out = tmp_path / "out"
    (out / "hostile").mkdir(parents=True)
    (out / "hostile" / "2026-01").write_text("not yours")
    with pytest.raises(IncentiveError, match="refusing to replace it"):
        run_close(tmp_path, out)
    assert (out / "hostile" / "2026-01").read_text() == "not yours"


def test_everything_a_close_creates_is_owner_only(tmp_path):
    out = tmp_path / "new" / "deeper" / "out"
    old = os.umask(0o022)  # the usual umask: without care, new directories would be 0o755
    try:
        run_close(tmp_path, out)
    finally:
        os.umask(old)
    created = [tmp_path / "new", tmp_path / "new" / "deeper", out, out / "hostile", out / "hostile" / "2026-01"]
    assert {str(d.relative_to(tmp_path)): oct(stat.S_IMODE(d.stat().st_mode)) for d in created} == \
        {str(d.relative_to(tmp_path)): "0o700" for d in created}
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files and {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {"0o600"}
    assert oct(stat.S_IMODE((tmp_path / "ledger.sqlite").stat().st_mode)) == "0o600"


def test_an_existing_output_parent_keeps_its_mode(tmp_path):
    out = tmp_path / "shared"
    out.mkdir(mode=0o755)
    os.chmod(out, 0o755)
    run_close(tmp_path, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755  # not ours to change
    assert stat.S_IMODE((out / "hostile").stat().st_mode) == 0o700
