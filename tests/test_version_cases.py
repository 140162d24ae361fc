"""Data-driven version-set cases: ``tests/cases/versions/<case>/`` holds the version files of one id and
``expect`` lists the findings validate must produce over them (``FILE:LINE:COL CODE``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from incentive.policy.validate import check_version_sets, discover, validate_file
from incentive.policy.version_checks import codes

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "cases" / "versions"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expect").is_file())


def _expected(case: Path) -> list[tuple[str, int, int, str]]:
    out = []
    for raw in (case / "expect").read_text(encoding="utf-8").splitlines():
        text = raw.split("#", 1)[0].strip()
        if text:
            where, code = text.split()
            name, line, col = where.split(":")
            out.append((str(case / name), int(line), int(col), code))
    assert out, f"{case.name}/expect lists no finding"
    return out


def test_every_version_check_has_a_case():
    for code in codes():
        assert any(c == code or c.startswith(f"{code}-") for c in CASES), f"no case for {code}"


@pytest.mark.parametrize("case", CASES)
def test_version_case(case: str):
    where = CASES_DIR / case
    expected = _expected(where)
    results = [validate_file(p) for p in discover([str(where)])]
    check_version_sets(results)
    found = {(f.file, f.line, f.col, f.code) for r in results for f in r.findings}
    shown = "\n".join(str(f) for r in results for f in r.findings)
    for want in expected:
        assert want in found, f"expected {want}, got:\n{shown}"
    stray = {f.code for r in results for f in r.findings if f.level == "error"} - {w[3] for w in expected}
    assert not stray, f"unexpected error codes {sorted(stray)}:\n{shown}"

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "incentive", "validate", *args, str(where)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    run = cli()
    file, line, col, code = expected[0]
    level = {**codes(), "effective-period": "error"}[code]  # a lone file's edge: the per-file code
    assert f"{file}:{line}:{col}: {level} {code} " in run.stdout
    assert "Traceback" not in run.stderr
    if all(codes().get(w[3]) == "warning" for w in expected):
        assert run.returncode == 0, run.stdout + run.stderr
        assert cli("--strict").returncode == 1
    else:
        assert run.returncode == 1, run.stdout + run.stderr


def test_each_file_of_a_case_is_fine_alone_except_for_the_set():
    """The version checks only add findings: every case file passes the single-file checks."""
    for case in CASES:
        for path in discover([str(CASES_DIR / case)]):
            assert [f for f in validate_file(path).findings if f.level == "error"] == [], path


def test_files_given_one_by_one_are_grouped_too_and_json_carries_the_finding():
    where = CASES_DIR / "version-overlap"
    run = subprocess.run([sys.executable, "-m", "incentive", "validate", "--format", "json",
                          str(where / "v1.yaml"), str(where / "v2.yaml")], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 1 and '"version-overlap"' in run.stdout and "2026-02-01 to 2026-02-14" in run.stdout
    alone = subprocess.run([sys.executable, "-m", "incentive", "validate", str(where / "v2.yaml")],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert " version-overlap " not in alone.stdout and " effective-period " in alone.stdout  # alone: a gap before it
