"""``incentive plan``: the plan document of a policy, generated, in one language and format.

The document is built from the checked policy and an example period run
through the engine (``documents.plan``), rendered, and written atomically:
an invalid policy, an unknown format or an unwritable path leaves nothing
behind. Output bytes depend only on the policy file and the engine
version, so a signed copy can be matched to its policy by the sha256 it
prints.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from incentive.documents.plan import html, md, pdf
from incentive.documents.plan.example import run_example
from incentive.documents.plan.model import PlanDocument, build
from incentive.errors import UsageError
from incentive.output.atomic import atomic_file
from incentive.policy.files import read_policy_bytes
from incentive.policy.validate import load_policy

FORMATS = ("md", "html", "pdf")
LANGS = ("en", "zh")


def plan_document(policy_path: str, lang: str) -> PlanDocument:
    """Load (the usual validation, exit 2 on errors), run the example, build the document."""
    if lang not in LANGS:
        raise UsageError(f"--lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    raw = read_policy_bytes(policy_path)
    checked = load_policy(policy_path, data=raw)
    return build(checked, hashlib.sha256(raw).hexdigest(), run_example(checked), lang)


def render(doc: PlanDocument, fmt: str) -> bytes:
    """The document's bytes in ``fmt`` (``md`` | ``html`` | ``pdf``)."""
    if fmt == "md":
        return md.render(doc).encode("utf-8")
    if fmt == "html":
        return html.render(doc).encode("utf-8")
    if fmt == "pdf":
        return pdf.render(doc)
    raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")


def default_out(doc: PlanDocument, fmt: str) -> str | None:
    """Where the document goes without ``--out``: Markdown to standard output (None), else
    ``<policy-id>-plan.<lang>.<ext>`` in the current directory."""
    return None if fmt == "md" else f"{doc.policy_id}-plan.{doc.lang}.{fmt}"


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve() or (Path(a).exists() and Path(a).samefile(b))
    except OSError:
        return False


def write_plan(policy_path: str, lang: str, fmt: str, out: str | None) -> tuple[bytes, str | None]:
    """Build and render; write to ``out`` (``-``: standard output, for md and html) atomically.

    Returns the bytes and the path written (None: the caller prints the bytes)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if out == "-" and fmt == "pdf":
        raise UsageError("--out -: a PDF is binary; give --out FILE.pdf")
    if out not in (None, "-") and _same_file(out, policy_path):
        raise UsageError(f"--out {out}: that is the policy file itself; write the document elsewhere")
    doc = plan_document(policy_path, lang)
    data = render(doc, fmt)
    target = default_out(doc, fmt) if out is None else (None if out == "-" else out)
    if target is not None:
        with atomic_file(Path(target), "wb") as fh:
            fh.write(data)
    return data, target
