"""A statement as one self-contained, print-ready HTML page (A4, no script, no external file).

Every value from the model goes through ``html.escape``: a name such as
``<script>`` or ``#link("x")`` prints as those characters.
"""

from __future__ import annotations

from html import escape
from typing import Any, Iterable

CSS = """
@page { size: A4; margin: 10mm 14mm 10mm 14mm; }
* { box-sizing: border-box; }
html { background: #f2f2f2; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue",
       Arial, sans-serif; font-size: 8.5pt; color: #1d1d1f; line-height: 1.25; margin: 0; }
.page { background: #fff; width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 12mm 14mm;
        box-shadow: 0 1px 6px rgba(0,0,0,.15); }
header { border-bottom: 2px solid #1f4e79; padding-bottom: 2mm; margin-bottom: 2mm; }
header .doc { color: #1f4e79; font-size: 9pt; letter-spacing: .04em; text-transform: uppercase; margin: 0; }
h1 { font-size: 15pt; margin: 1mm 0 2mm 0; }
h2 { font-size: 10pt; color: #1f4e79; margin: 2.2mm 0 .6mm 0; border-bottom: 1px solid #c9d6e3; padding-bottom: 1mm;
     break-after: avoid; }
dl.who { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: .5mm 5mm; margin: 0; }
dl.who dt { color: #555; } dl.who dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35mm 1.5mm; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { font-weight: 600; color: #555; font-size: 7.5pt; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p { margin: 1mm 0; }
p.lines { margin: .3mm 0 0 0; color: #444; font-size: 7.5pt; }
.score { font-size: 10pt; margin: 1.5mm 0 0 0; } .score strong { font-size: 12pt; }
.band { display: flex; gap: 6mm; align-items: baseline; flex-wrap: wrap; }
.band strong { font-size: 12pt; }
.muted { color: #666; font-size: 8pt; margin: 1mm 0; }
.total { margin-top: 2.5mm; padding: 1.5mm 3mm; background: #eef3f8; border-left: 4px solid #1f4e79;
         display: flex; justify-content: space-between; font-size: 13pt; font-weight: 700; break-inside: avoid; }
code, .mono { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", Consolas, monospace; font-size: 7.5pt;
              word-break: break-all; }
pre.cmd { background: #f6f6f6; border: 1px solid #ddd; padding: 1mm 2mm; white-space: pre-wrap;
          word-break: break-all; margin: 1mm 0; }
footer { margin-top: 2mm; border-top: 1px solid #c9d6e3; padding-top: 1mm; font-size: 7pt; color: #555;
         break-inside: avoid; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: .3mm 3mm; margin: 0 0 1mm 0; }
footer dd { margin: 0; }
tr { break-inside: avoid; }
@media print {
  html { background: none; }
  .page { margin: 0; padding: 0; width: auto; min-height: 0; box-shadow: none; break-after: page; }
}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _lines(lines: Iterable[str]) -> str:
    """Derivation steps, one run of text (a page per person holds them): ``a · b · c``."""
    text = " · ".join(_e(x) for x in lines)
    return f'<p class="lines">{text}</p>' if text else ""


def _amounts(title: str, items: list[dict[str, Any]], w: dict[str, str]) -> list[str]:
    if not items:
        return []
    rows = "".join(f'<tr><td>{_e(i["label"])}{_lines(i["lines"])}</td><td class="num">{_e(i["amount"])}</td></tr>'
                   for i in items)
    return [f"<section><h2>{_e(title)}</h2><table><tbody>{rows}</tbody></table></section>"]


def render_html(doc: dict[str, Any]) -> str:
    """The page of one statement (``model.Builder.build``)."""
    w = doc["words"]
    band = doc["band"]
    out: list[str] = [
        "<!DOCTYPE html>", f'<html lang="{"zh-CN" if doc["lang"] == "zh" else "en"}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(w['statement'])} · {_e(doc['employee_id'])} · {_e(doc['period'])}</title>",
        f"<style>{CSS}</style></head><body><main class=\"page\">",
        f'<header><p class="doc">{_e(w["statement"])}</p><h1>{_e(doc["title"])}</h1>',
        '<dl class="who">',
        f"<dt>{_e(w['employee'])}</dt><dd>{_e(doc['name'])}</dd>",
        f"<dt>{_e(w['period'])}</dt><dd>{_e(doc['period'])}</dd>",
        f"<dt>{_e(w['id'])}</dt><dd>{_e(doc['employee_id'])}</dd>",
        f"<dt>{_e(w['group'])}</dt><dd>{_e(band['group'])}</dd>",
        "</dl></header>",
    ]
    if doc["kpis"]:
        rows = "".join(f"<tr><td>{_e(k['label'])}</td><td class=\"num\">{_e(k['weight'])}</td>"
                       f"<td class=\"num\">{_e(k['value'])}</td><td class=\"num\">{_e(k['target'])}</td>"
                       f"<td class=\"num\">{_e(k['points'])}</td></tr>" for k in doc["kpis"])
        out.append(f"<section><h2>{_e(w['kpis'])}</h2><table><thead><tr><th>{_e(w['kpi'])}</th>"
                   f"<th class=\"num\">{_e(w['weight'])}</th><th class=\"num\">{_e(w['value'])}</th>"
                   f"<th class=\"num\">{_e(w['target'])}</th><th class=\"num\">{_e(w['points'])}</th></tr></thead>"
                   f"<tbody>{rows}</tbody></table>"
                   f"<p class=\"score\">{_e(w['score'])}{_e(w['colon'])}<strong>{_e(doc['score'])}</strong></p>"
                   f"{_lines(doc['score_lines'])}</section>")
    cut = ""
    if band["cutoffs"]:
        cut = (f"<p class=\"muted\">{_e(band['cutoffs_title'])}{_e(w['colon'])}"
               + " · ".join(f"{_e(c['band'])} {_e(c['score'])}" for c in band["cutoffs"]) + "</p>")
    out.append(f"<section><h2>{_e(w['band'])}</h2><div class=\"band\"><strong>{_e(band['band'])}</strong>"
               f"<span>{_e(band['rank'])}</span></div>"
               + (f"<p class=\"muted\">{_e(band['reason'])}</p>" if band["reason"] else "") + f"{cut}</section>")
    out += _amounts(w["payouts"], doc["payouts"], w)
    out += _amounts(w["penalties"], doc["penalties"], w)
    out += _amounts(w["adjustments"], doc["adjustments"], w)
    out.append(f"<div class=\"total\"><span>{_e(doc['total_label'])}</span><span>{_e(doc['total'])}</span></div>"
               f"{_lines(doc['total_lines'])}")
    if doc.get("versions"):  # a period split between plan versions: each version's amount × its days
        out.append(f"<section><h2>{_e(w['versions'])}</h2>"
                   + "".join(f'<p class="lines">{_e(x)}</p>' for x in doc["versions"]) + "</section>")
    recs = doc["recommendations"]
    zh = doc["lang"] == "zh"
    if recs:
        items = "".join(
            f"<tr><td><strong>{_e(r['action'])}</strong></td><td>{_e(('；' if zh else '; ').join(r['reason']))}"
            + (f"<br><span class=\"muted\">{_e(w['next steps'])}{'：' if zh else ': '}"
               f"{_e(('、' if zh else ', ').join(r['next_steps']))}</span>" if r["next_steps"] else "")
            + "</td></tr>" for r in recs)
        out.append(f"<section><h2>{_e(w['recommendations'])}</h2><table><thead><tr><th></th><th>{_e(w['reason'])}"
                   f"</th></tr></thead><tbody>{items}</tbody></table></section>")
    else:
        out.append(f"<section><h2>{_e(w['recommendations'])}</h2><p>{_e(doc['no_recommendations'])}</p></section>")
    hist = doc["history"]
    if hist["rows"]:
        num = ' class="num"'
        head = "".join(f"<th{num if k in (2, 3) else ''}>{_e(h)}</th>" for k, h in enumerate(hist["head"]))
        body = "".join("<tr>" + "".join(f"<td{num if k in (2, 3) else ''}>{_e(v)}</td>"
                                        for k, v in enumerate(r)) + "</tr>" for r in hist["rows"])
        out.append(f"<section><h2>{_e(w['history'])}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                   "</table></section>")
    else:
        out.append(f"<section><h2>{_e(w['history'])}</h2><p class=\"muted\">{_e(hist['note'])}</p></section>")
    inq = doc["inquiry"]
    if inq:
        out.append(f"<section><h2>{_e(w['inquiry'])}</h2><p>{_e(inq['text'])}</p>"
                   f"<pre class=\"cmd\"><code>{_e(inq['command'])}</code></pre>"
                   + (f"<p class=\"muted\">{_e(inq['about'])} " + ("、" if zh else ", ").join(
                       f"<code>{_e(c['id'])}</code>" + (f"（{_e(c['label'])}）" if zh else f" ({_e(c['label'])})")
                       for c in inq["components"]) + "</p>"
                      if inq.get("about") else "")
                   + (f"<h3>{_e(w['inquiries asked'])}</h3><ul class=\"asked\">" + "".join(
                       f"<li>#{_e(q['number'])} {_e(q['about'])} · {_e(q['opened'])} · {_e(q['state'])}"
                       + (f" · {_e(q['note'])}" if q["note"] else "") + "</li>" for q in inq["inquiries"]) + "</ul>"
                      if inq.get("inquiries") else "") + "</section>")
    f = doc["footer"]
    out.append(f"<footer>" + (f"<p>{_e(doc['approval'])}</p>" if doc["approval"] else "")
               + f"<dl><dt>{_e(w['policy sha'])}</dt><dd class=\"mono\">{_e(f['policy_sha'])}</dd>"
               f"<dt>{_e(w['data sha'])}</dt><dd class=\"mono\">{_e(f['data_sha'])}</dd>"
               f"<dt>{_e(w['entry hash'])}</dt><dd class=\"mono\">{_e(f['entry_hash'])}</dd></dl>"
               f"<p>{_e(w['verify with'])} <code>{_e(f['verify'])}</code></p></footer>")
    out.append("</main></body></html>\n")
    return "\n".join(out)
