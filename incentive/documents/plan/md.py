"""A plan document as Markdown (GitHub-flavoured): for a wiki page or a reviewable git diff.

Every text from the policy is escaped: Markdown punctuation gets a
backslash and ``<``, ``>``, ``&`` become entities, so a label such as
``<script>`` or ``[x](javascript:...)`` shows as written and never becomes
HTML or a link. Policy source is set in code spans whose fence is longer
than any run of backticks inside. Charts are left out: the points table
beside each one says the same.
"""

from __future__ import annotations

import re

from incentive.documents.plan.model import Block, Chart, Heading, Para, PlanDocument, Table

#: inline punctuation with a meaning anywhere in a line
_PUNCT = re.compile(r"([\\`*_\[\]|~])")
#: what makes a line a heading, list, quote or rule at its start
_LINE_START = re.compile(r"^(\s*)([#+\-]+|=+|\d+(?=[.)](?:\s|$)))(?=[\s.)]|$)")


_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)([:.@])")


def text(value: str) -> str:
    """``value`` as literal Markdown text on one line."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _PUNCT.sub(r"\\\1", re.sub(r"\s*[\r\n]+\s*", " ", value))
    value = _AUTOLINK.sub(lambda m: f"{m[1]}\\{m[2]}", value)  # GFM links bare URLs and www. names
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if not m[2][0].isdigit() else f"{m[1]}{m[2]}\\", value)


def code(value: str, in_table: bool = False) -> str:
    """``value`` as a code span (on one line); ``|`` escaped inside a table cell, as GFM requires."""
    value = re.sub(r"\s*[\r\n]+\s*", " ", value)
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    span = f"{fence}{pad}{value}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span


def _para(p: Para) -> str:
    out = "".join(code(r.text) if r.code else text(r.text) for r in p.runs)
    return f"> {out}" if p.note else out


def _cell(value: str, is_code: bool) -> str:
    lines = [line for line in value.split("\n")]
    return "<br>".join(code(line, True) if is_code and line else text(line) for line in lines)


def _table(t: Table) -> str:
    lines = []
    if t.caption:
        lines += [f"*{text(t.caption)}*", ""]
    heads = [text(h) or " " for h in t.headers]
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + "|".join("---:" if i in t.numeric else "---" for i in range(len(heads))) + "|")
    for row in t.rows:
        lines.append("| " + " | ".join(_cell(c, i in t.code) or " " for i, c in enumerate(row)) + " |")
    return "\n".join(lines)


def _block(b: Block) -> str | None:
    if isinstance(b, Para):
        return _para(b)
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Heading):
        return f"### {text(b.text)}"
    assert isinstance(b, Chart)
    return None


def render(doc: PlanDocument) -> str:
    parts = [f"# {text(doc.title)}", "", f"*{text(doc.generated)}*", ""]
    parts += ["| | |", "|---|---|", *(f"| {text(k)} | {text(v)} |" for k, v in doc.facts), ""]
    for s in doc.sections:
        parts += [f"## {text(s.title)}", ""]
        for b in s.blocks:
            shown = _block(b)
            if shown is not None:
                parts += [shown, ""]
    parts += ["---", "", f"*{text(doc.footer)}*", ""]
    return "\n".join(parts)
