"""``--set PATH=VALUE`` overrides, applied to a loaded policy before validation.

Managers try a change without editing the file: ``--set kpis.sales.weight=50``
or ``--set payouts.commission.tiers.table[1].rate=0.06``. VALUE is read by the
same safe YAML 1.2 loader as the policy (``50`` a number, ``"50"`` text,
``[a, b]`` a list, empty = null). The overridden value is then validated like
the rest of the policy.

Where findings point: nodes from an override have position ``Pos(0, 0)`` in
the document, and ``LoadedDoc.origins`` maps the overridden path to
(``"--set PATH=VALUE"``, position of VALUE inside that text), so a schema
finding about an overridden value names the override, not the policy file.

    >>> from incentive.policy.yamlsafe import load_yaml
    >>> doc = load_yaml("kpis: {sales: {weight: 40}}", "p.yaml")
    >>> apply_overrides(doc, ["kpis.sales.weight=50"]).data
    {'kpis': {'sales': {'weight': 50}}}
    >>> apply_overrides(doc, ["kpi.sales.weight=50"])
    Traceback (most recent call last):
    ...
    incentive.errors.UsageError: --set kpi.sales.weight=50: there is no key 'kpi' at the top level of the policy (did you mean 'kpis'?)
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterable

from incentive.errors import PolicyLoadError, Pos, UsageError
from incentive.policy.schema import did_you_mean, format_path
from incentive.policy.yaml_doc import LoadedDoc, NodePath
from incentive.policy.yamlsafe import load_yaml

_SEGMENT = re.compile(r"^(?P<key>[^.\[\]=]+)(?P<idx>(\[[0-9]+\])*)$")


def parse_path(text: str, label: str) -> NodePath:
    """``a.b[1].c`` -> ``("a", "b", 1, "c")``; a malformed path is a ``UsageError``."""
    parts: list[str | int] = []
    for segment in text.split("."):
        match = _SEGMENT.match(segment.strip())
        if not match:
            raise UsageError(f"{label}: {text!r} is not a path like kpis.sales.weight or "
                             f"payouts.commission.tiers.table[1].rate")
        parts.append(match["key"])
        parts.extend(int(i) for i in re.findall(r"\[([0-9]+)\]", match["idx"]))
    return tuple(parts)


def apply_overrides(doc: LoadedDoc, overrides: Iterable[str]) -> LoadedDoc:
    """A copy of ``doc`` with each ``PATH=VALUE`` applied in order."""
    overrides = list(overrides)
    if not overrides:
        return doc
    out = LoadedDoc(
        data=copy.deepcopy(doc.data),
        positions=dict(doc.positions),
        key_positions=dict(doc.key_positions),
        findings=list(doc.findings),
        text=doc.text,
        file=doc.file,
        text_positions=dict(doc.text_positions),
        origins=dict(doc.origins),
    )
    for override in overrides:
        _apply_one(out, override)
    return out


def _apply_one(doc: LoadedDoc, override: str) -> None:
    label = f"--set {override}"
    path_text, sep, value_text = override.partition("=")
    if not sep or not path_text.strip():
        raise UsageError(f"{label}: expected PATH=VALUE, e.g. --set kpis.sales.weight=50")
    path = parse_path(path_text.strip(), label)
    value = _value(value_text, label)
    parent = _parent(doc.data, path, label)
    parent[path[-1]] = value
    _replace_positions(doc, path)
    doc.origins[path] = (label, Pos(1, len("--set ") + len(path_text) + 2))


def _value(text: str, label: str) -> object:
    try:
        loaded = load_yaml(text, label)
    except PolicyLoadError as exc:
        first = exc.findings[0]
        raise UsageError(f"{label}: the value is not valid YAML: {first.message}") from None
    if loaded.findings:
        raise UsageError(f"{label}: {loaded.findings[0].message}")
    return loaded.data


def _parent(data: object, path: NodePath, label: str) -> dict | list:
    """The container holding ``path[-1]``; every step before it must exist."""
    node = data
    for depth, step in enumerate(path):
        where = format_path(path[:depth])
        last = depth == len(path) - 1
        if isinstance(step, int):
            if not isinstance(node, list):
                raise UsageError(f"{label}: {where or 'the policy'} is not a list, so [{step}] does not apply")
            if step >= len(node):
                raise UsageError(f"{label}: {where} has {len(node)} item{'s' if len(node) != 1 else ''}; "
                                 f"[{step}] does not exist (indices start at 0)")
        else:
            if not isinstance(node, dict):
                kind = "a list" if isinstance(node, list) else "a single value"
                raise UsageError(f"{label}: {where or 'the policy'} is {kind}, it has no key {step!r}")
            if step not in node and not last:
                place = f"in {where}" if where else "at the top level of the policy"
                hint = did_you_mean(step, node) or _listing(node)
                raise UsageError(f"{label}: there is no key {step!r} {place}{hint}")
        if last:
            return node
        node = node[step]
    raise UsageError(f"{label}: the path is empty")  # pragma: no cover - parse_path never returns ()


def _listing(node: dict) -> str:
    keys = [str(k) for k in node]
    if not keys:
        return " (it is empty)"
    shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
    return f" (keys there: {shown})"


def _replace_positions(doc: LoadedDoc, path: NodePath) -> None:
    """Forget the file positions of the replaced subtree; mark the new one as unknown (0:0)."""
    n = len(path)
    for table in (doc.positions, doc.text_positions, doc.origins):
        for key in [k for k in table if len(k) >= n and k[:n] == path]:
            del table[key]
    for key in [k for k in doc.key_positions if len(k) > n and k[:n] == path]:
        del doc.key_positions[key]
    doc.key_positions.setdefault(path, Pos(0, 0))
    _mark(doc, path, _get(doc.data, path))


def _get(data: Any, path: NodePath) -> object:
    """The value at ``path`` of the loaded data (``Any``: nested dicts and lists, indexed by the path's keys)."""
    for step in path:
        data = data[step]
    return data


def _mark(doc: LoadedDoc, path: NodePath, value: object) -> None:
    stack = [(path, value)]
    while stack:
        where, node = stack.pop()
        doc.positions[where] = Pos(0, 0)
        if isinstance(node, dict):
            for key, child in node.items():
                doc.key_positions[where + (key,)] = Pos(0, 0)
                stack.append((where + (key,), child))
        elif isinstance(node, list):
            stack.extend((where + (i,), child) for i, child in enumerate(node))
