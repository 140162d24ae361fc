"""A plan document as one self-contained HTML file: print CSS for A4, charts inline, no scripts.

Every text -- the policy's labels, expressions, the example's names -- goes
through ``html.escape``; the only markup is this module's own. The page
prints on A4 with the policy's hash and the engine version in the footer of
the screen page (and, in print, at the end of the document), so a printed,
signed copy can be matched to its policy file.
"""

from __future__ import annotations

from html import escape

from incentive.documents.plan.charts import scoring_svg
from incentive.documents.plan.model import Block, Chart, Heading, Para, PlanDocument, Table
from incentive.report.page import FONTS

#: a cell this short never wraps (an action word, a band label): long cells beside it wrap instead
SHORT = 8
#: sections whose parts (a heading and what follows it) print unbroken
KEEP_TOGETHER = ("kpis", "payouts")
_FONTS = ", ".join(f"'{f}'" if " " in f else f for f in FONTS)
CSS = """
@page { size: A4; margin: 16mm 14mm 18mm; }
:root { color-scheme: light; }
body { font-family: %(fonts)s; margin: 0 auto; max-width: 820px; padding: 24px; color: #212121; line-height: 1.5;
       font-size: 14px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 26px 0 8px; border-bottom: 1px solid #bdbdbd; padding-bottom: 3px;
     break-after: avoid; }
h3 { font-size: 1.02em; margin: 16px 0 6px; break-after: avoid; }
p { margin: 6px 0; }
p.note { color: #616161; font-size: 0.9em; }
p.generated { color: #616161; font-size: 0.85em; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 0.88em; background: #f3f3f3; padding: 0 3px;
       border-radius: 3px; white-space: pre-wrap; overflow-wrap: break-word; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 0.9em; break-inside: auto; }
tr { break-inside: avoid; }
th, td { border: 1px solid #d0d0d0; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.s { white-space: nowrap; }
.keep { break-inside: avoid; }
table.facts th { width: 9em; }
p.caption { color: #616161; font-size: 0.92em; margin: 8px 0 2px; }
.kpi { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; break-inside: avoid; }
.chart svg { width: 330px; height: auto; display: block; }
svg text { font-family: %(fonts)s !important; }
td.sign { height: 3.2em; min-width: 24em; }
footer { color: #757575; font-size: 0.8em; margin-top: 28px; border-top: 1px solid #bdbdbd; padding-top: 6px;
         word-break: break-all; }
@media print { body { max-width: none; padding: 0; font-size: 11pt; } }
""" % {"fonts": _FONTS}


def css_string(value: str) -> str:
    """``value`` as a CSS string literal: every character but letters, digits and spaces as a hex escape,
    so no text can close the string or the rule."""
    inner = "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):06x}" for c in value)
    return f'"{inner}"'


def _print_footer(doc: PlanDocument) -> str:
    """The footer on every printed page (``@page`` margin box): a signed page names its policy file."""
    return ("@page { @bottom-left { content: %s; font-size: 7pt; color: #757575; } "
            "@bottom-right { content: counter(page) \" / \" counter(pages); font-size: 7pt; color: #757575; } }"
            % css_string(doc.footer))


def _para(p: Para) -> str:
    inner = "".join(f"<code>{escape(r.text)}</code>" if r.code else escape(r.text) for r in p.runs)
    return f'<p class="note">{inner}</p>' if p.note else f"<p>{inner}</p>"


def _cell(value: str, is_code: bool) -> str:
    lines = value.split("\n")
    return "<br>".join(f"<code>{escape(line)}</code>" if is_code and line else escape(line) for line in lines)


def _table(t: Table, sign: bool = False) -> str:
    def cls(i: int, cell: str = "") -> str:
        if i in t.numeric:
            return ' class="n"'
        return ' class="s"' if 0 < len(cell) <= SHORT and "\n" not in cell else ""

    out = [f'<p class="caption">{escape(t.caption)}</p>'] if t.caption else []
    out.append("<table>")
    if any(t.headers):
        out.append("<thead><tr>" + "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(t.headers))
                   + "</tr></thead>")
    out.append("<tbody>")
    for row in t.rows:
        cells = "".join(f'<td class="sign"></td>' if sign else f"<td{cls(i, c)}>{_cell(c, i in t.code)}</td>"
                        for i, c in enumerate(row))
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _blocks(blocks: tuple[Block, ...], key: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, Table) and i + 1 < len(blocks) and isinstance(blocks[i + 1], Chart):
            chart = blocks[i + 1]
            assert isinstance(chart, Chart)
            out.append(f'<div class="kpi">{_table(b)}<div class="chart" role="img" aria-label="{escape(chart.title)}">'
                       f"{scoring_svg(chart)}</div></div>")
            i += 2
            continue
        if isinstance(b, Para):
            out.append(_para(b))
        elif isinstance(b, Table):
            out.append(_table(b, sign=key == "approval" and b is blocks[-1]))
        elif isinstance(b, Heading):
            out.append(f"<h3>{escape(b.text)}</h3>")
        else:
            out.append(f'<div class="chart" role="img" aria-label="{escape(b.title)}">{scoring_svg(b)}</div>')
        i += 1
    return out


def _grouped(blocks: tuple[Block, ...], key: str) -> list[str]:
    """The blocks, each heading's run (a KPI, a payout) kept on one printed page when it fits."""
    if key not in KEEP_TOGETHER:
        return _blocks(blocks, key)
    out: list[str] = []
    start = 0
    for i in [*(j for j, b in enumerate(blocks) if isinstance(b, Heading)), len(blocks)]:
        if i > start:
            inner = _blocks(blocks[start:i], key)
            out.append(f'<div class="keep">{"".join(inner)}</div>' if isinstance(blocks[start], Heading)
                       else "\n".join(inner))
        start = i
    return out


def render(doc: PlanDocument) -> str:
    facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in doc.facts)
    body = [f"<header><h1>{escape(doc.title)}</h1>",
            f'<p class="generated">{escape(doc.generated)}</p>',
            f'<table class="facts"><tbody>{facts}</tbody></table></header>']
    for s in doc.sections:
        body.append(f'<section id="{escape(s.key)}"><h2>{escape(s.title)}</h2>')
        body.extend(_grouped(s.blocks, s.key))
        body.append("</section>")
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if doc.lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(doc.title)} {escape(doc.version)}</title>",
        f"<style>{CSS}{_print_footer(doc)}</style>",
        "</head>",
        "<body>",
        *body,
        f"<footer>{escape(doc.footer)}</footer>",
        "</body>",
        "</html>",
        "",
    ])
