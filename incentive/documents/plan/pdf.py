"""A plan document as PDF through the Typst template ``templates/plan.typ``.

The document's structure goes to the template as JSON data
(``documents.pdf.Renderer``): every text is a string the template places as
text, so a label such as ``#link("x")`` prints as written. Charts go in as
SVG strings the template decodes as images.
"""

from __future__ import annotations

from typing import Any

from incentive.documents import pdf
from incentive.documents.plan.charts import scoring_svg
from incentive.documents.plan.model import Block, Chart, Heading, Para, PlanDocument, Table

TEMPLATE = "plan.typ"


def _block(b: Block) -> dict[str, Any]:
    if isinstance(b, Para):
        return {"kind": "para", "note": b.note, "runs": [{"text": r.text, "code": r.code} for r in b.runs]}
    if isinstance(b, Table):
        return {"kind": "table", "headers": list(b.headers), "rows": [list(r) for r in b.rows],
                "code": list(b.code), "numeric": list(b.numeric), "caption": b.caption,
                "weights": list(b.weights)}
    if isinstance(b, Heading):
        return {"kind": "heading", "text": b.text}
    assert isinstance(b, Chart)
    return {"kind": "chart", "title": b.title, "svg": scoring_svg(b, standalone=True)}


#: sections whose parts (a heading and what follows it) stay on one page
KEEP_TOGETHER = ("kpis", "payouts")


def _blocks(blocks: tuple[Block, ...], key: str) -> list[dict[str, Any]]:
    """The blocks as data; in ``KEEP_TOGETHER`` sections each heading's run becomes one ``group``."""
    out: list[dict[str, Any]] = []
    for b in blocks:
        if key in KEEP_TOGETHER and isinstance(b, Heading):
            out.append({"kind": "group", "blocks": []})
        target = out[-1]["blocks"] if out and out[-1]["kind"] == "group" else out
        target.append(_block(b))
    return out


def data(doc: PlanDocument) -> dict[str, Any]:
    """What the template reads as ``sys.inputs.data``."""
    return {
        "lang": doc.lang, "title": doc.title, "policy_id": doc.policy_id, "version": doc.version,
        "generated": doc.generated, "footer": doc.footer, "facts": [list(f) for f in doc.facts],
        "sections": [{"key": s.key, "title": s.title, "blocks": _blocks(s.blocks, s.key)} for s in doc.sections],
    }


def render(doc: PlanDocument) -> bytes:
    return pdf.Renderer(TEMPLATE).render(data(doc))
