"""PDF through Typst: a fixed template plus JSON data, CJK fonts embedded.

Why Typst (the ``typst`` wheel, a self-contained Rust compiler): a
one-page statement compiles in about 3 ms with its fonts subset and
embedded, text stays text (searchable, copyable), and the template never
sees data as markup: the data reaches it as one JSON string in
``sys.inputs`` that the template decodes with ``json(bytes(...))``, so a name
such as ``#link("...")`` or ``*x*`` prints as those characters. WeasyPrint
was the alternative; it subsets fonts in Python (fontTools), which for a
CJK font costs far more per document than the 60 s budget for 10,000
statements allows.

Fonts: the templates ask for Noto Sans CJK SC (Debian: ``fonts-noto-cjk``),
which also covers Latin text. ``Renderer`` refuses to start without it
rather than emit a PDF whose Chinese is tofu boxes.
"""

from __future__ import annotations

import datetime
import io
import json
import threading
from pathlib import Path
from typing import Any, Mapping, Sequence

from incentive.errors import UsageError

#: the family every template sets first; Latin and CJK text both come from it
CJK_FAMILY = "Noto Sans CJK SC"
#: where Debian's fonts-noto-cjk (and most distributions) put the font
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts")
TEMPLATES = Path(__file__).parent / "templates"
#: a fixed creation date: the same data gives byte-identical PDFs
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


def _typst() -> Any:
    try:
        import typst
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UsageError("PDF output needs the typst package (pip install typst)") from None
    return typst


def font_paths() -> list[str]:
    """The font folders to hand Typst (the existing ones of ``FONT_DIRS``), checked for the CJK family."""
    typst = _typst()
    paths = [d for d in FONT_DIRS if Path(d).is_dir()]
    families = set(typst.Fonts(include_system_fonts=True, include_embedded_fonts=True,
                               font_paths=paths).families())
    if CJK_FAMILY not in families:
        raise UsageError(
            f"PDF output needs the font {CJK_FAMILY!r}, which is not installed: on Debian or Ubuntu run "
            "`apt-get install fonts-noto-cjk` (HTML output needs no fonts)")
    return paths


class Renderer:
    """One compiled template, reused for many documents (Typst caches what did not change).

    Not shared between threads: make one per thread (``for_thread``)."""

    def __init__(self, template: str, fonts: list[str] | None = None):
        path = TEMPLATES / template
        if not path.is_file():
            raise FileNotFoundError(path)
        typst = _typst()
        self._compiler = typst.Compiler(input=str(path), root=str(TEMPLATES),
                                        font_paths=fonts if fonts is not None else font_paths())

    def render(self, data: Mapping[str, Any]) -> bytes:
        """The PDF of one document: ``data`` is what the template reads as ``sys.inputs.data``."""
        typst = _typst()
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            pdf = self._compiler.compile(format="pdf", sys_inputs={"data": payload}, timestamp=EPOCH)
        except typst.TypstError as exc:  # a template bug, not a user's: say which template
            raise RuntimeError(f"PDF template failed: {exc.message}\n{exc.diagnostic}") from None
        assert isinstance(pdf, bytes)
        return pdf

    def render_each(self, docs: Sequence[Mapping[str, Any]], titles: Sequence[str]) -> list[bytes]:
        """One PDF per document of ``docs``, from a single compile of all of them.

        The template (``statement.typ``) lays the documents out one after the
        other, restarting the page counter at each; the pages are then split
        into one file per document where the PDF's page label is back to 1
        (pikepdf, qpdf underneath). Compiling a batch shares what every
        document repeats -- styles, the font subset, the PDF writer's set-up --
        which is most of a one-page statement's cost (10,000 in < 60 s).
        Untagged: a tagged PDF's structure tree spans the whole batch and does
        not survive the split; the text stays text (searchable, copyable)."""
        import pikepdf

        typst = _typst()
        payload = json.dumps(list(docs), ensure_ascii=False, separators=(",", ":"))
        try:
            batch = self._compiler.compile(format="pdf", sys_inputs={"data": payload}, timestamp=EPOCH,
                                           pdf_tags=False)
        except typst.TypstError as exc:
            raise RuntimeError(f"PDF template failed: {exc.message}\n{exc.diagnostic}") from None
        source = pikepdf.open(io.BytesIO(batch))
        starts = [k for k, page in enumerate(source.pages) if page.label == "1"]
        if len(starts) != len(docs) or (starts and starts[0] != 0):
            raise RuntimeError(f"PDF template laid out {len(starts)} documents for {len(docs)}")
        out = []
        for k, first in enumerate(starts):
            last = starts[k + 1] if k + 1 < len(starts) else len(source.pages)
            single = pikepdf.new()
            single.pages.extend(source.pages[first:last])
            single.docinfo["/Title"] = titles[k]
            single.docinfo["/Creator"] = source.docinfo.get("/Creator", "Typst")
            single.docinfo["/CreationDate"] = source.docinfo.get("/CreationDate", "D:20000101000000Z")
            buffer = io.BytesIO()
            single.save(buffer, deterministic_id=True, compress_streams=True)
            out.append(buffer.getvalue())
        return out


_local = threading.local()


def for_thread(template: str, fonts: list[str]) -> Renderer:
    """This thread's renderer of ``template`` (a compiler is not thread-safe)."""
    cache: dict[str, Renderer] = _local.__dict__.setdefault("renderers", {})
    if template not in cache:
        cache[template] = Renderer(template, fonts)
    return cache[template]
