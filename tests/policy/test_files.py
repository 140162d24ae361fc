"""Discovery of policy and policy-test files, shared by ``validate`` and ``test``."""

from __future__ import annotations

from pathlib import Path

from incentive.policy.files import is_policy_file, is_test_file, unique, walk


def test_walk_is_sorted_skips_hidden_and_keeps_each_kind_apart(tmp_path: Path):
    for name in ["b.yaml", "a.YML", "a.test.yaml", "notes.txt", ".hidden.yaml", "sub/c.yml", "sub/c.test.yml",
                 ".git/d.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    rel = lambda paths: [p.relative_to(tmp_path).as_posix() for p in paths]  # noqa: E731
    assert rel(walk(tmp_path, is_policy_file)) == ["a.YML", "b.yaml", "sub/c.yml"]
    assert rel(walk(tmp_path, is_test_file)) == ["a.test.yaml", "sub/c.test.yml"]


def test_unique_keeps_the_first_spelling_of_each_file():
    assert unique([Path("a/b.yaml"), Path("a/./b.yaml"), Path("c.yaml"), Path("a/b.yaml")]) == \
        [Path("a/b.yaml"), Path("c.yaml")]
