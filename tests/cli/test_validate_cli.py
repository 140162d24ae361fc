"""``incentive validate`` / ``incentive schema`` end to end, and the orchestration under them."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.cli.main import cli
from incentive.errors import Finding, PolicyInvalid, PolicyLoadError, UsageError
from incentive.policy import validate as validate_mod
from incentive.policy.validate import discover, exit_status, load_policy, validate_file

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """\
policy: p
version: "1"
period: month
currency: CNY
inputs:
  employee_id: {type: id}
  revenue: {type: money}
"""
BAD_WEIGHT = MINIMAL + "kpis:\n  sales: {value: revenue, weight: forty, score: {curve: [[0, 0], [1, 100]]}}\n"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def fake_stages(expr_findings=(), check_findings=()):
    """Stand-ins for the expression and semantic checks (other engineers' modules)."""
    checked = object()

    def check_policy_expressions(policy):
        return (None if any(f.level == "error" for f in expr_findings) else checked), list(expr_findings)

    def run_checks(policy, checked_policy):
        return list(check_findings)

    return mock.patch.multiple(validate_mod, check_policy_expressions=check_policy_expressions,
                               run_checks=run_checks), checked


# -- subprocess: the real command ---------------------------------------------------------------

def test_schema_command_prints_the_schema_as_json() -> None:
    result = run("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"].endswith("2020-12/schema") and schema["$id"] and schema["title"]


def test_schema_error_exits_1_with_file_line_col(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", BAD_WEIGHT)
    result = run("validate", str(path))
    assert result.returncode == 1
    assert result.stdout == f"{path}:9:35: error schema-type kpis.sales.weight: expected a number, got text 'forty'\n"
    assert result.stderr.strip() == "checked 1 file: 1 error in 1 file"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("a: &x 1\nb: *x\n", "yaml-alias"),
        (b"policy: \xff\n", "yaml-encoding"),
        ("policy: [\n", "yaml-syntax"),
        ("[" * 70 + "]" * 70, "yaml-too-deep"),
        ("- just\n- a list\n", "not-a-policy"),
        ("", "not-a-policy"),
    ],
)
def test_unusable_input_exits_2_and_is_still_a_finding(tmp_path: Path, content, code: str) -> None:
    path = write(tmp_path, "p.yaml", content)
    result = run("validate", "--format", "json", str(path))
    assert result.returncode == 2, result.stderr
    (finding,) = json.loads(result.stdout)["files"][0]["findings"]
    assert finding["code"] == code and finding["line"] >= 1


def test_missing_file_and_too_large_file_exit_2(tmp_path: Path) -> None:
    big = write(tmp_path, "big.yaml", b"a: " + b"x" * (1024 * 1024) + b"\n")
    result = run("validate", str(tmp_path / "nope.yaml"), str(big))
    assert result.returncode == 2
    assert f"{tmp_path / 'nope.yaml'}:0:0: error file-unreadable no such file or directory" in result.stdout
    assert f"{big}:1:1: error yaml-too-large" in result.stdout


def test_github_and_junit_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", BAD_WEIGHT)
    github = run("validate", "--format", "github", str(path))
    assert github.returncode == 1
    assert github.stdout.startswith(f"::error file={path},line=9,col=35,title=schema-type::kpis.sales.weight")
    junit = run("validate", "--format", "junit", str(path))
    assert junit.returncode == 1
    root = ET.fromstring(junit.stdout)
    assert root.find("testsuite").get("failures") == "1"


def test_set_override_is_validated_and_a_bad_path_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", BAD_WEIGHT)
    fixed = run("validate", "--format", "json", "--set", "kpis.sales.weight=forty2", str(path))
    assert fixed.returncode == 1
    (finding,) = json.loads(fixed.stdout)["files"][0]["findings"]
    assert finding["file"] == "--set kpis.sales.weight=forty2" and finding["col"] == 25
    wrong = run("validate", "--set", "kpi.sales.weight=50", str(path))
    assert wrong.returncode == 2
    assert "there is no key 'kpi' at the top level of the policy (did you mean 'kpis'?)" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_rules_directory_validates_clean() -> None:
    pytest.importorskip("incentive.policy.expr.policy_check")
    start = time.perf_counter()
    result = run("validate", "rules/")
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stderr
    assert elapsed < 10  # start-up included; the in-process bound is below


# -- CliRunner: exit codes with the later stages stubbed -----------------------------------------

def test_clean_policy_exits_0_and_warnings_fail_only_when_strict(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", MINIMAL)
    patch, _ = fake_stages()
    with patch:
        result = invoke("validate", str(path))
    assert result.exit_code == 0 and result.stdout == "" and "no problems" in result.stderr
    warning = Finding(str(path), 7, 3, "warning", "unused-input", "input 'revenue' is never used")
    patch, _ = fake_stages(check_findings=[warning])
    with patch:
        assert invoke("validate", str(path)).exit_code == 0
        strict = invoke("validate", "--strict", str(path))
    assert strict.exit_code == 1 and strict.stdout == f"{warning}\n"


def test_duplicate_keys_do_not_stop_the_later_stages(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", MINIMAL + "currency: EUR\n")
    expr = Finding(str(path), 7, 3, "error", "unknown-name", "unknown name 'x'")
    patch, _ = fake_stages(expr_findings=[expr])
    with patch:
        result = validate_file(path)
    assert [f.code for f in result.findings] == ["unknown-name", "yaml-duplicate-key"]
    assert result.policy is not None and result.policy.currency == "EUR" and result.checked is None
    assert exit_status([result]) == 1


def test_directories_and_mixed_results(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", MINIMAL)
    write(tmp_path, "sub/b.yml", BAD_WEIGHT)
    write(tmp_path, "sub/b.test.yaml", "not: [a policy")
    write(tmp_path, ".hidden/c.yaml", "a: &x 1")
    write(tmp_path, "notes.txt", "x")
    patch, _ = fake_stages()
    with patch:
        result = invoke("validate", "--format", "json", str(tmp_path))
    assert result.exit_code == 1
    files = [f["file"] for f in json.loads(result.stdout)["files"]]
    assert files == [str(tmp_path / "a.yaml"), str(tmp_path / "sub" / "b.yml")]


def test_set_override_can_make_a_policy_valid(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", BAD_WEIGHT)
    patch, _ = fake_stages()
    with patch:
        assert invoke("validate", "--set", "kpis.sales.weight=100", str(path)).exit_code == 0


# -- discover / load_policy -------------------------------------------------------------------

def test_discover(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", "")
    write(tmp_path, "a.YML", "")
    write(tmp_path, "z/c.yaml", "")
    write(tmp_path, "z/c.test.yml", "")
    write(tmp_path, ".git/d.yaml", "")
    explicit = write(tmp_path, "t.test.yaml", "")
    assert discover([tmp_path]) == [tmp_path / "a.YML", tmp_path / "b.yaml", tmp_path / "z" / "c.yaml"]
    assert discover([explicit, tmp_path / "b.yaml", str(tmp_path / "b.yaml")]) == [explicit, tmp_path / "b.yaml"]
    with pytest.raises(UsageError, match="no such file or directory"):
        discover([tmp_path / "missing.yaml"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no \\*.yaml or \\*.yml policy files"):
        discover([tmp_path / "empty"])


def test_load_policy_raises_for_unusable_and_invalid(tmp_path: Path) -> None:
    bomb = write(tmp_path, "bomb.yaml", "a: &a [1]\nb: [*a, *a]\n")
    with pytest.raises(PolicyLoadError) as info:
        load_policy(bomb)
    assert info.value.exit_code == 2 and info.value.findings[0].code == "yaml-alias"
    with pytest.raises(PolicyInvalid) as invalid:
        load_policy(write(tmp_path, "bad.yaml", BAD_WEIGHT))
    assert invalid.value.exit_code == 2 and invalid.value.findings[0].code == "schema-type"
    patch, checked = fake_stages()
    with patch:
        assert load_policy(write(tmp_path, "ok.yaml", MINIMAL)) is checked


def test_validating_rules_is_fast_in_process() -> None:
    patch, _ = fake_stages()
    files = discover([ROOT / "rules"])
    with patch:
        validate_file(files[0])  # warm caches (schema, validator)
        start = time.perf_counter()
        results = [validate_file(f) for f in files]
    assert time.perf_counter() - start < 1.0
    assert all(r.policy is not None for r in results)


# -- hostile input never crashes --------------------------------------------------------------

SCHEMA_WORDS = ["policy", "version", "period", "currency", "inputs", "kpis", "payouts", "ranking", "bands",
                "type", "weight", "value", "score", "curve", "tiers", "table", "from", "rate", "base", "amount",
                "money", "id", "month", "CNY", "share", "label", "en", "by", "count", "sum", "default"]
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.sampled_from(SCHEMA_WORDS)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(SCHEMA_WORDS) | st.text(max_size=5), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400),
                 st.dictionaries(st.sampled_from(SCHEMA_WORDS), JSONISH, max_size=8).map(json.dumps)))
def test_arbitrary_files_give_findings_never_a_crash(content: str | bytes) -> None:
    patch, _ = fake_stages()
    with tempfile.TemporaryDirectory() as tmp, patch:
        path = write(Path(tmp), "fuzz.yaml", content)
        result = validate_file(path)
        status = exit_status([result])
        assert status == 2 if result.unusable else status in (0, 1)
        if result.unusable:
            assert result.findings and result.policy is None


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_through_the_cli_exit_1_or_2(content: bytes) -> None:
    patch, _ = fake_stages()
    with tempfile.TemporaryDirectory() as tmp, patch:
        path = write(Path(tmp), "fuzz.yaml", content)
        result = CliRunner().invoke(cli, ["validate", "--format", "junit", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (1, 2)
    ET.fromstring(result.stdout)
