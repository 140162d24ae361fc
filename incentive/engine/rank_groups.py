"""Which people are ranked against each other: ranking groups and pooling.

The ``within`` columns split the population into groups (one per distinct
combination of values; a missing value is its own group, shown as
``(blank)``). A group's size is its ranked headcount: eligible people with a
ranking value, forced people included. Groups smaller than ``min_group``:

- ``pool``: small groups that share a parent (the same values in all but the
  last ``within`` column) are merged into one pooled group, labelled e.g.
  ``华东 (pooled: T1, T2)``; with a single ``within`` column the parent is the
  whole population, so all small groups form one group ``(pooled: 华南,
  西北)``. Groups of normal size are never merged with. A pooled group that
  is still too small is pooled again one level up, with the other small
  groups there; at the top it stays pooled and is ranked anyway. A small
  group with no small sibling is still "pooled" (alone), so its label shows
  that it was too small.
- ``exempt``: small groups are ranked but get no band.

A group with nobody to rank (everyone ineligible or without a value) is
left alone ("empty"). With no ``within`` columns everyone is one group,
``(all)``, which can be exempt but has nothing to pool with.

This is a tiny computation over groups (not people), so it is plain Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Key = tuple[str | None, ...]
Status = Literal["ranked", "pooled", "exempt", "empty"]

ALL_LABEL = "(all)"
BLANK_LABEL = "(blank)"


@dataclass(frozen=True)
class RankGroup:
    label: str
    status: Status
    members: tuple[str, ...] = ()  # labels of the original groups pooled into it


def value_label(value: str | None) -> str:
    if value is None:
        return BLANK_LABEL
    return value if value != "" else '""'


def key_label(key: Key) -> str:
    return " / ".join(value_label(v) for v in key) if key else ALL_LABEL


@dataclass
class _Node:
    prefix: Key
    members: list[Key]
    size: int
    pooled: bool


def _pooled_label(prefix: Key, members: Sequence[Key]) -> str:
    inner = ", ".join(sorted(key_label(m[len(prefix):]) for m in members))
    head = key_label(prefix) + " " if prefix else ""
    return f"{head}(pooled: {inner})"


def plan_groups(sizes: dict[Key, int], min_group: int, small_groups: str) -> dict[Key, RankGroup]:
    """The ranking group of every original group (keyed by its ``within`` values)."""
    if small_groups not in ("pool", "exempt"):
        raise ValueError(f"unknown small_groups rule {small_groups!r}")
    plan: dict[Key, RankGroup] = {}
    nodes: list[_Node] = []
    for key, size in sizes.items():
        if size == 0:
            plan[key] = RankGroup(key_label(key), "empty")
        elif size >= min_group:
            plan[key] = RankGroup(key_label(key), "ranked")
        elif small_groups == "exempt" or not key:
            plan[key] = RankGroup(key_label(key), "exempt" if small_groups == "exempt" else "ranked")
        else:
            nodes.append(_Node(key, [key], size, False))
    depth = max((len(n.prefix) for n in nodes), default=0)
    for d in range(depth, 0, -1):
        buckets: dict[Key, list[_Node]] = {}
        keep: list[_Node] = []
        for node in nodes:
            if len(node.prefix) == d and node.size < min_group:
                buckets.setdefault(node.prefix[: d - 1], []).append(node)
            else:
                keep.append(node)
        for prefix in sorted(buckets, key=key_label):
            group = buckets[prefix]
            members = [m for n in group for m in n.members]
            keep.append(_Node(prefix, members, sum(n.size for n in group), True))
        nodes = keep
    for node in nodes:
        label = _pooled_label(node.prefix, node.members)
        labels = tuple(sorted(key_label(m) for m in node.members))
        for m in node.members:
            plan[m] = RankGroup(label, "pooled", labels)
    return _unique_labels(plan)


def _unique_labels(plan: dict[Key, RankGroup]) -> dict[Key, RankGroup]:
    """Labels name groups everywhere (``rank_group``, the summary), so two
    different groups must never share one -- e.g. values ``"a / b", "c"`` and
    ``"a", "b / c"`` both read ``a / b / c``. Later ones (in key order) get
    `` [2]``, `` [3]``..."""
    identity: dict[Key, tuple] = {k: (g.members if g.status == "pooled" else (k,)) for k, g in plan.items()}
    by_label: dict[str, list[tuple]] = {}
    for k, g in plan.items():
        ids = by_label.setdefault(g.label, [])
        if identity[k] not in ids:
            ids.append(identity[k])
    out = dict(plan)
    for label, ids in by_label.items():
        if len(ids) < 2:
            continue
        ordered = sorted(ids, key=lambda i: [(v is None, v or "") for part in i for v in
                                             (part if isinstance(part, tuple) else (part,))])
        for k, g in plan.items():
            if g.label == label:
                n = ordered.index(identity[k])
                if n:
                    out[k] = RankGroup(f"{label} [{n + 1}]", g.status, g.members)
    return out
