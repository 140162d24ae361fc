"""PyYAML's events composed into plain data and position tables, refusing what a policy must not hold.

PyYAML's pure-Python reader, scanner and parser produce the events; no
constructor or resolver of PyYAML runs. Aliases, anchors, merge keys, tags
other than ``!!str``, a second document, nesting deeper than ``MAX_DEPTH``
and more than ``MAX_NODES`` nodes are fatal; duplicate keys are findings.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from incentive.errors import Finding, PolicyLoadError, Pos
from incentive.policy.yaml_doc import LoadedDoc, NodePath
from incentive.policy.yaml_scalars import resolve_plain

MAX_DEPTH = 64
MAX_NODES = 100_000

_STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")  # what PyYAML counts as a new line


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting lines as PyYAML does."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return line, index - start + 1


class _EventSource(Reader, Scanner, Parser):
    """PyYAML's pure-Python front end without any constructor or resolver."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


class _Node:
    __slots__ = ("kind", "value", "pos", "text_pos")

    def __init__(self, kind: str, value: Any, pos: Pos, text_pos: Pos | None = None) -> None:
        self.kind = kind  # "scalar" | "map" | "seq"
        # scalar: python value; map: dict key -> (key_pos, node); seq: list of nodes -- which one ``kind`` says
        self.value: Any = value
        self.pos = pos
        self.text_pos = text_pos


class _Fatal(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


class Composer:
    """Events -> ``_Node`` tree -> plain data and position tables."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.findings: list[Finding] = []
        self.nodes = 0
        self._line_starts: list[int] | None = None

    # -- entry point -------------------------------------------------------
    def load(self) -> LoadedDoc:
        try:
            root = self._compose()
        except _Fatal as fatal:
            raise PolicyLoadError([fatal.finding]) from None
        except yaml.MarkedYAMLError as exc:
            raise PolicyLoadError([self._syntax_finding(exc)]) from None
        except yaml.reader.ReaderError as exc:
            line, col = line_col(self.text, min(exc.position, len(self.text)))
            char = exc.character if isinstance(exc.character, str) else chr(exc.character)
            raise PolicyLoadError([Finding(self.file, line, col, "error", "yaml-syntax",
                                           f"control character U+{ord(char):04X} is not allowed in YAML")]) from None
        except yaml.YAMLError as exc:  # any other PyYAML complaint, without a mark
            raise PolicyLoadError([Finding(self.file, 1, 1, "error", "yaml-syntax", str(exc))]) from None
        doc = LoadedDoc(data=None, positions={}, key_positions={}, findings=self.findings,
                        text=self.text, file=self.file)
        if root is None:
            doc.positions[()] = Pos(1, 1)
        else:
            doc.data = _flatten(root, (), doc)
        return doc

    def _syntax_finding(self, exc: yaml.MarkedYAMLError) -> Finding:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
        return Finding(self.file, line, col, "error", "yaml-syntax", problem)

    def _fatal(self, code: str, mark: yaml.Mark, message: str) -> _Fatal:
        return _Fatal(Finding(self.file, mark.line + 1, mark.column + 1, "error", code, message))

    # -- events -> nodes ---------------------------------------------------
    def _compose(self) -> _Node | None:
        events = _EventSource(self.text)
        events.get_event()  # StreamStart
        if events.check_event(StreamEndEvent):
            return None
        events.get_event()  # DocumentStart
        root = self._compose_document(events)
        events.get_event()  # DocumentEnd
        if events.check_event(DocumentStartEvent):
            start = events.peek_event().start_mark
            raise self._fatal("yaml-syntax", start,
                              "a second YAML document ('---') follows; a policy file holds exactly one document")
        return root

    def _compose_document(self, events: _EventSource) -> _Node:
        # stack frames: [node, pending key (str) or None, key_pos]
        stack: list[list] = []
        while True:
            event = events.get_event()
            if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                done = stack.pop()[0]
                if not stack:
                    return done
                continue
            if isinstance(event, AliasEvent):
                raise self._fatal("yaml-alias", event.start_mark,
                                  f"aliases (*{event.anchor}) are not allowed in policy files; repeat the value instead")
            if not isinstance(event, NodeEvent):  # pragma: no cover - the parser guarantees node events here
                raise self._fatal("yaml-syntax", event.start_mark, "unexpected YAML structure")
            if event.anchor is not None:
                raise self._fatal("yaml-alias", event.start_mark,
                                  f"anchors (&{event.anchor}) are not allowed in policy files")
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise self._fatal("yaml-too-large", event.start_mark,
                                  f"the document has more than {MAX_NODES:,} YAML nodes")
            parent = stack[-1] if stack else None
            if parent is not None and parent[0].kind == "map" and parent[1] is None:
                self._take_key(event, parent)
                continue
            node = self._node_for(event, depth=len(stack) + 1)
            if parent is not None and parent[0].kind == "seq":
                parent[0].value.append(node)
            elif parent is not None:
                self._store(parent, node)
            if isinstance(event, CollectionStartEvent):
                stack.append([node, None, None])
            elif parent is None:
                return node

    def _take_key(self, event: NodeEvent, frame: list) -> None:
        if not isinstance(event, ScalarEvent):
            raise self._fatal("yaml-syntax", event.start_mark,
                              "a mapping key must be plain text, not a list or mapping")
        if event.tag not in (None, "!", _STR_TAG):
            raise self._fatal("yaml-syntax", event.start_mark, f"tag {_tag(event.tag)} is not supported on a mapping key")
        if event.value == "<<" and event.style is None and event.tag is None:
            raise self._fatal("yaml-alias", event.start_mark, "merge keys (<<) are not allowed in policy files")
        frame[1] = event.value
        frame[2] = Pos(event.start_mark.line + 1, event.start_mark.column + 1)

    def _store(self, frame: list, node: _Node) -> None:
        mapping, key, key_pos = frame
        previous = mapping.value.get(key)
        if previous is not None:
            self.findings.append(Finding(
                self.file, key_pos.line, key_pos.col, "error", "yaml-duplicate-key",
                f"duplicate key {key!r} (first written at line {previous[0].line}); the last one is used"))
        mapping.value[key] = (key_pos, node)
        frame[1] = frame[2] = None

    def _node_for(self, event: NodeEvent, depth: int) -> _Node:
        mark = event.start_mark
        pos = Pos(mark.line + 1, mark.column + 1)
        if isinstance(event, ScalarEvent):
            return _Node("scalar", self._scalar_value(event), pos, self._scalar_text_pos(event))
        if depth > MAX_DEPTH:
            raise self._fatal("yaml-too-deep", mark, f"nesting is deeper than {MAX_DEPTH} levels")
        if event.tag not in _ALLOWED_COLLECTION_TAGS:
            raise self._fatal("yaml-syntax", mark, f"tag {_tag(event.tag)} is not supported in policy files")
        if isinstance(event, MappingStartEvent):
            return _Node("map", {}, pos)
        return _Node("seq", [], pos)

    def _scalar_value(self, event: ScalarEvent) -> object:
        if event.tag in ("!", _STR_TAG) or event.style is not None:
            return event.value
        if event.tag is None:
            return resolve_plain(event.value)
        raise self._fatal("yaml-syntax", event.start_mark,
                          f"tag {_tag(event.tag)} is not supported in policy files (only !!str is)")

    def _scalar_text_pos(self, event: ScalarEvent) -> Pos:
        mark = event.start_mark
        if event.style in ("'", '"'):
            return Pos(mark.line + 1, mark.column + 2)
        if event.style in ("|", ">"):
            return self._block_content_pos(mark.line + 1, event.end_mark.index)
        return Pos(mark.line + 1, mark.column + 1)

    def _block_content_pos(self, first_line0: int, end_index: int) -> Pos:
        """First non-blank character after a ``|``/``>`` header line."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        starts = self._line_starts
        line0 = first_line0
        while line0 < len(starts) and starts[line0] < end_index:
            end = starts[line0 + 1] if line0 + 1 < len(starts) else len(self.text)
            content = self.text[starts[line0]:end]
            stripped = content.lstrip(" ")
            if stripped.strip():
                return Pos(line0 + 1, len(content) - len(stripped) + 1)
            line0 += 1
        line = bisect.bisect_right(starts, end_index)
        return Pos(line, 1)


def _tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _flatten(node: _Node, path: NodePath, doc: LoadedDoc) -> object:
    doc.positions[path] = node.pos
    if node.kind == "scalar":
        doc.text_positions[path] = node.text_pos or node.pos
        return node.value
    if node.kind == "seq":
        return [_flatten(child, path + (i,), doc) for i, child in enumerate(node.value)]
    out: dict[str, object] = {}
    for key, (key_pos, child) in node.value.items():
        child_path = path + (key,)
        doc.key_positions[child_path] = key_pos
        out[key] = _flatten(child, child_path, doc)
    return out
