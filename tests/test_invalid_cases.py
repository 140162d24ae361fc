"""Data-driven policy cases: one broken policy per finding code, plus clean ones.

``tests/cases/invalid/<code>.yaml`` is a policy showing the finding ``<code>``;
``<code>.expect`` beside it lists the findings it must produce, one
``LINE:COL CODE`` per line (``#`` starts a comment). Every listed finding must
appear at exactly that place, and every *error* the file produces must have
a code listed there, so each case isolates its problem. Through the real
command (``python -m incentive validate FILE``) the exit status must be 2 for
unusable files, 1 for errors, and for warning-only cases 0 (1 with
``--strict``). A case too big to keep in the repository is generated here
(``GENERATED``). ``tests/cases/valid/*.yaml`` and the shipped ``rules/*.yaml``
must validate with no finding at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

validate = pytest.importorskip("incentive.policy.validate")

from incentive.policy.checks import codes as check_codes  # noqa: E402
from incentive.policy.validate import discover

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "tests" / "cases" / "invalid"
VALID = ROOT / "tests" / "cases" / "valid"
RULES = ROOT / "rules"

#: codes whose file cannot be used as a policy at all: validate exits 2
UNUSABLE = frozenset({"yaml-syntax", "yaml-encoding", "yaml-alias", "yaml-too-large", "yaml-too-deep", "not-a-policy"})

#: the shared list of finding codes (loader, schema, expressions, semantic checks)
SHARED_CODES = (
    "yaml-syntax", "yaml-encoding", "yaml-alias", "yaml-duplicate-key", "yaml-too-large", "yaml-too-deep",
    "not-a-policy", "schema-required", "schema-unknown-key", "schema-type", "schema-value", "expr-syntax",
    "expr-forbidden", "expr-too-complex", "unknown-name", "unknown-function", "bad-arguments", "type-mismatch",
    "history-not-allowed", "cycle", "duplicate-id", "weights-sum", "curve-order", "step-order", "tiers-order",
    "tiers-start", "tiers-rate", "band-shares", "unknown-band", "unknown-component", "unknown-column",
    "unknown-action", "exit-without-history", "effective-period", "id-input", "min-max", "default-type",
    "unused-input", "zero-weight",
)

WARNING_CODES = frozenset(code for code, level in check_codes().items() if level == "warning")


def _too_large() -> bytes:
    """A well-formed policy padded with comment lines past the 1 MiB limit."""
    head = b'policy: large\nversion: "1"\nperiod: month\ncurrency: CNY\ninputs:\n  employee_id: {type: id}\n'
    line = b"# " + b"x" * 97 + b"\n"
    return head + line * (1024 * 1024 // len(line) + 10)


GENERATED = {"yaml-too-large": _too_large}


def _expected(expect: Path) -> list[tuple[int, int, str]]:
    out = []
    for raw in expect.read_text(encoding="utf-8").splitlines():
        text = raw.split("#", 1)[0].strip()
        if text:
            where, code = text.split()
            line, col = where.split(":")
            out.append((int(line), int(col), code))
    assert out, f"{expect.name} lists no finding"
    return out


def _case_file(code: str, tmp_path: Path) -> Path:
    if code in GENERATED:
        path = tmp_path / f"{code}.yaml"
        path.write_bytes(GENERATED[code]())
        return path
    return INVALID / f"{code}.yaml"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", "validate", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


CASES = sorted(p.stem for p in INVALID.glob("*.expect"))


def test_every_code_has_a_case():
    for code in (*SHARED_CODES, *check_codes()):
        assert (INVALID / f"{code}.expect").is_file(), f"no invalid case for {code}"
        assert (INVALID / f"{code}.yaml").is_file() or code in GENERATED, f"no policy for {code}"
    strays = {p.stem for p in INVALID.glob("*.yaml")} - set(CASES)
    assert not strays, f"policies without .expect: {sorted(strays)}"


@pytest.mark.parametrize("code", CASES)
def test_invalid_case(code: str, tmp_path: Path):
    path = _case_file(code, tmp_path)
    expected = _expected(INVALID / f"{code}.expect")
    assert code in {c for _, _, c in expected}, f"{code}.expect does not list {code}"

    result = validate.validate_file(path)
    found = {(f.line, f.col, f.code) for f in result.findings}
    shown = "\n".join(str(f) for f in result.findings)
    for want in expected:
        assert want in found, f"expected {want[0]}:{want[1]} {want[2]}, got:\n{shown}"
    stray = {f.code for f in result.findings if f.level == "error"} - {c for _, _, c in expected}
    assert not stray, f"unexpected error codes {sorted(stray)}:\n{shown}"
    for f in result.findings:
        assert f.file == str(path) and f.message, f

    codes = {c for _, _, c in expected}
    run = _cli(str(path))
    assert f":{expected[0][0]}:{expected[0][1]}: " in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    if codes & UNUSABLE:
        assert run.returncode == 2, run.stdout + run.stderr
    elif codes <= WARNING_CODES:
        assert run.returncode == 0, run.stdout + run.stderr
        assert _cli("--strict", str(path)).returncode == 1
    else:
        assert run.returncode == 1, run.stdout + run.stderr


CLEAN = sorted(VALID.glob("*.yaml")) + discover([str(RULES)])  # policies only, not *.test.yaml


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_clean_policy(path: Path):
    result = validate.validate_file(path)
    assert [str(f) for f in result.findings] == []
    assert result.policy is not None and result.checked is not None
    # a plan directory under rules/ (docs/plan-versions.md) is validated as a set: one version alone leaves gaps
    run = _cli("--strict", str(path.parent if path.parent != RULES and RULES in path.parents else path))
    assert run.returncode == 0, run.stdout + run.stderr
