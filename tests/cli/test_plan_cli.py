"""``incentive plan``: where the document goes, and bad input refused with exit 2 and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from incentive.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, ["plan", *args])


def test_markdown_goes_to_standard_output_by_default():
    result = run(str(POLICY), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# 销售代表季度激励方案\n")
    assert "wrote" not in result.stdout


def test_html_and_pdf_default_to_a_file_named_by_policy_and_language(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # the files land in the working directory
    result = runner.invoke(cli, ["plan", str(POLICY), "--format", "html"])
    assert result.exit_code == 0, result.output
    page = tmp_path / "sales-rep-plan.en.html"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "wrote sales-rep-plan.en.html" in result.stderr
    assert result.stdout == ""
    result = runner.invoke(cli, ["plan", str(POLICY), "--format", "pdf", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sales-rep-plan.zh.pdf").read_bytes().startswith(b"%PDF")


def test_out_writes_there_and_dash_is_standard_output(tmp_path):
    out = tmp_path / "plans" / "rep.md"
    result = run(str(POLICY), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == run(str(POLICY), "--out", "-").stdout


def test_an_invalid_policy_gets_the_validate_message_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY.read_text(encoding="utf-8").replace("weight: 40", "weight: 45", 1), encoding="utf-8")
    out = tmp_path / "plan.html"
    result = run(str(bad), "--format", "html", "--out", str(out))
    assert result.exit_code == 2
    validate = CliRunner().invoke(cli, ["validate", str(bad)])
    finding = next(line for line in validate.stdout.splitlines() if " error " in line)
    assert finding in result.stderr  # file:line:col: error code message, as validate prints it
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_an_unwritable_out_is_exit_2_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    result = run(str(POLICY), "--format", "html", "--out", str(blocker / "plan.html"))
    assert result.exit_code == 2
    assert "cannot write the output" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_unknown_format_and_pdf_to_standard_output_are_refused(tmp_path):
    out = tmp_path / "plan.docx"
    result = run(str(POLICY), "--format", "docx", "--out", str(out))
    assert result.exit_code == 2 and "'docx' is not one of 'md', 'html', 'pdf'" in result.stderr
    result = run(str(POLICY), "--format", "pdf", "--out", "-")
    assert result.exit_code == 2 and "a PDF is binary" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_installed_command_prints_utf8_markdown():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"}  # the bytes, not the locale
    done = subprocess.run([sys.executable, "-m", "incentive", "plan", str(POLICY), "--lang", "zh"],
                          capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").startswith("# 销售代表季度激励方案\n")


def test_out_never_overwrites_the_policy(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_bytes(POLICY.read_bytes())
    result = run(str(policy), "--out", str(policy))
    assert result.exit_code == 2 and "the policy file itself" in result.stderr
    assert policy.read_bytes() == POLICY.read_bytes()


def test_two_runs_give_the_same_bytes(tmp_path):
    """Separate processes (fresh matplotlib and Typst state): the HTML and PDF bytes do not vary."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    digests = []
    for run_no in (1, 2):
        for fmt in ("html", "pdf"):
            out = tmp_path / f"{run_no}.{fmt}"
            done = subprocess.run([sys.executable, "-m", "incentive", "plan", str(POLICY), "--lang", "zh",
                                   "--format", fmt, "--out", str(out)], capture_output=True, env=env, timeout=300)
            assert done.returncode == 0, done.stderr
        digests.append(((tmp_path / f"{run_no}.html").read_bytes(), (tmp_path / f"{run_no}.pdf").read_bytes()))
    assert digests[0] == digests[1]
