"""The CI recipes shipped in the repository run real commands: pre-commit hooks, the workflow, the docs' example."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest

from incentive.cli.main import cli
from incentive.policy.yamlsafe import load_yaml
from incentive.policytest.runner import run_file
from tests.policytest.support import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> dict[str, dict]:
    data = load_yaml(HOOKS.read_bytes(), str(HOOKS)).data
    assert isinstance(data, list)
    return {h["id"]: h for h in data}


def yaml_blocks(doc: Path) -> list[object]:
    text = doc.read_text(encoding="utf-8")
    return [load_yaml(block, str(doc)).data for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def check_command(args: list[str]) -> click.Context:
    """Parse ``incentive ARGS`` with the real CLI (options, choices, ranges) without running it."""
    assert args[0] in cli.commands, f"no command {args[0]!r}"
    return cli.commands[args[0]].make_context(args[0], list(args[1:]))


def incentive_lines(script: str) -> list[list[str]]:
    """Each ``incentive ...`` command of a shell script, without redirections and ``|| true``."""
    out = []
    for line in script.splitlines():
        tokens = shlex.split(line)
        if not tokens or tokens[0] != "incentive":
            continue
        cut = next((i for i, t in enumerate(tokens) if t in (">", "||", "|", "&&", "2>")), len(tokens))
        out.append(tokens[1:cut])
    return out


def test_hooks_are_python_hooks_on_yaml_files() -> None:
    found = hooks()
    assert set(found) == {"incentive-validate", "incentive-test"}
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in found.values():
        assert hook["language"] == "python" and hook["files"] == r"\.ya?ml$"
        assert hook["name"] and hook["description"]
        entry = shlex.split(hook["entry"])
        assert entry[0] in scripts, "the entry is the installed console script"
        check_command(entry[1:] + hook.get("args", []) + ["rules/sales-rep.yaml"])
    validate, test = found["incentive-validate"], found["incentive-test"]
    assert shlex.split(validate["entry"])[1] == "validate" and shlex.split(test["entry"])[1] == "test"
    files = re.compile(validate["files"])
    exclude = re.compile(validate["exclude"])
    assert files.search("rules/sales-rep.yaml") and files.search("x.yml") and not files.search("x.json")
    assert exclude.search("rules/sales-rep.test.yaml") and exclude.search("a.test.yml")
    assert not exclude.search("rules/sales-rep.yaml")
    assert test["pass_filenames"] is False and test["args"] == ["."]


def test_the_hooks_pass_on_this_repository() -> None:
    """Run each hook as pre-commit would, from the repository root."""
    found = hooks()
    validate = found["incentive-validate"]
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rules").iterdir()
                   if re.search(validate["files"], p.name) and not re.search(validate["exclude"], p.name))
    assert files == ["rules/collection-commission.yaml", "rules/new-rep-draw.yaml", "rules/sales-manager.yaml", "rules/sales-rep.yaml",
                     "rules/service-quality.yaml"]
    test = found["incentive-test"]
    for args in (shlex.split(validate["entry"])[1:] + files, shlex.split(test["entry"])[1:] + test["args"]):
        done = subprocess.run([sys.executable, "-m", "incentive", *args], cwd=ROOT, capture_output=True, text=True,
                              encoding="utf-8", timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_in_the_docs_uses_real_commands() -> None:
    workflow, precommit, *_ = yaml_blocks(ROOT / "docs" / "ci.md")
    steps = workflow["jobs"]["check"]["steps"]
    commands = [args for step in steps if "run" in step for args in incentive_lines(step["run"])]
    assert len(commands) == 4
    for args in commands:
        check_command(args)
    formats = [args[args.index("--format") + 1] for args in commands]
    assert formats == ["github", "github", "junit", "junit"]
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
    assert [h["id"] for repo in precommit["repos"] for h in repo["hooks"]] == ["incentive-validate", "incentive-test"]
    for repo in precommit["repos"]:
        for hook in repo["hooks"]:
            check_command(shlex.split(hooks()[hook["id"]]["entry"])[1:] + hook.get("args", []) + ["rules/"])


def test_a_misspelt_option_would_be_caught() -> None:
    with pytest.raises(click.UsageError):
        check_command(["test", "rules/", "--format", "xml"])
    assert incentive_lines("incentive test rules/ --format junit > out.xml || true") == [
        ["test", "rules/", "--format", "junit"]]


def test_the_example_in_the_policy_test_docs_passes(tmp_path: Path) -> None:
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "policy-tests.md")
                                         .read_text(encoding="utf-8"), re.S) if "cases:" in b)
    shutil.copy(ROOT / "rules" / "sales-rep.yaml", tmp_path / "sales-rep.yaml")
    path = tmp_path / "sales-rep.test.yaml"
    path.write_text(example, encoding="utf-8")
    run = run_file(path)
    assert run.errors == [] and len(run.cases) == 3
    assert [(c.case.name, c.status, c.failures, c.errors) for c in run.cases if c.status != "passed"] == []
