"""No import cycle anywhere in ``incentive``: the layers stay layers.

The graph is built from the source (``ast``), so it sees every import a
module can make -- at the top and inside functions alike: a function-local
import hides a cycle from Python's start-up, not from the design.
``from incentive.x import y`` is an edge to the module ``incentive.x.y``
when there is one, else to ``incentive.x`` (the package's ``__init__``).
Imports under ``if TYPE_CHECKING:`` are not edges: they name a type for the
checker and are never executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "incentive"

#: edges of known cycles, each with the reason it stays (none today)
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()


def modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package ``__init__``) of every module under ``incentive/``."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ``incentive`` it imports (anywhere in its source)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, (path, is_package) in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        typing_only = {id(inner) for block in ast.walk(tree) if _is_type_checking(block)
                       for stmt in block.body for inner in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in known)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the package of this module
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    target = f"{source}.{alias.name}"
                    if target in known:
                        graph[name].add(target)  # a submodule
                    elif source in known:
                        graph[name].add(source)  # an attribute of the module or package
        graph[name].discard(name)
    from incentive.cli.main import COMMANDS  # the CLI imports each command's module by name, on first use
    graph["incentive.cli.main"].update(f"incentive.cli.{module}" for module, _ in COMMANDS.values())
    return graph


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    for source, target in KNOWN_CYCLE_EDGES:
        assert target in graph[source], f"known exception {source} -> {target} is gone: remove it from the test"
        graph[source].discard(target)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_function_local_and_package_attribute_imports():
    """The builder finds what it must, or the test above could not fail."""
    graph = import_graph()
    assert "incentive.cli.close_cmd" in graph["incentive.cli.main"]  # imported by name, when ``close`` is run
    assert "incentive.documents.statement.words" in graph["incentive.app.statements"]  # inside a function
    assert "incentive.ledger" in graph["incentive.app.close"]  # ``from incentive.ledger import CloseRecord``
    assert "incentive.app.close" in graph["incentive.cli.close_cmd"]  # ``from incentive.app.close import ...``
    assert "incentive.ledger.records" not in graph["incentive.ledger.errors"]  # only under TYPE_CHECKING
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_application_layer_is_not_imported_by_the_domain_layers():
    """policy, io, engine, ledger, output, compare, report and policytest never reach up into app or cli."""
    graph = import_graph()
    domain = ("incentive.policy", "incentive.io", "incentive.engine", "incentive.ledger", "incentive.output",
              "incentive.compare", "incentive.report", "incentive.policytest", "incentive.sample")
    upward = sorted((m, t) for m, targets in graph.items() if m.startswith(domain)
                    for t in targets if t.startswith(("incentive.app", "incentive.cli")))
    assert upward == []
