"""A loaded policy document: plain data plus where each part of it was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from incentive.errors import Finding, Pos

NodePath = tuple  # tuple[str | int, ...]


@dataclass
class LoadedDoc:
    """A loaded YAML document: plain data plus where each part was written.

    Paths are tuples of mapping keys (str) and sequence indices (int); the
    root is ``()``. ``positions`` locate value nodes, ``key_positions`` the
    mapping key that introduces a value, ``text_positions`` the first
    character of a scalar's text (after an opening quote, or on the first
    content line of a ``|``/``>`` block). ``origins`` marks subtrees that
    came from ``--set`` overrides (path -> (label, position in the label)).
    """

    data: object
    positions: dict[NodePath, Pos]
    key_positions: dict[NodePath, Pos]
    findings: list[Finding]
    text: str
    file: str = "<policy>"
    text_positions: dict[NodePath, Pos] = field(default_factory=dict)
    origins: dict[NodePath, tuple[str, Pos]] = field(default_factory=dict)

    def pos(self, path: NodePath) -> Pos:
        """Position of the value at ``path`` (nearest known ancestor if unknown)."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, Pos(1, 1))

    def key_pos(self, path: NodePath) -> Pos:
        """Position of the key introducing ``path``; the value's position if it has none."""
        path = tuple(path)
        return self.key_positions.get(path) or self.pos(path)

    def text_pos(self, path: NodePath) -> Pos:
        """Position of the first character of the scalar text at ``path``."""
        path = tuple(path)
        return self.text_positions.get(path) or self.pos(path)

    def origin(self, path: NodePath) -> tuple[str, Pos] | None:
        """``(label, pos)`` when ``path`` lies inside a ``--set`` override."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            hit = self.origins.get(path[:n])
            if hit is not None:
                return hit
        return None
