"""Text encodings of CSV / JSON period data, detected the way files really arrive.

Excel in China saves "CSV" as GBK (code page 936), Excel elsewhere as UTF-8
with a byte-order mark, some exporters as UTF-16. Detection order:

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-32 LE/BE, UTF-16 LE/BE;
2. strict UTF-8;
3. strict GB18030 (a superset of GBK, so it also reads GBK files) -- unless
   some line holding CJK text is valid UTF-8: then the file mixes encodings
   (GBK rows pasted into a UTF-8 file) and is refused rather than garbled;
4. otherwise the file is refused, naming the first byte UTF-8 cannot read.

``encoding=`` forces a codec (any Python codec name, e.g. ``gbk``,
``utf-16-le``); the bytes must then decode strictly with it.

The result is always UTF-8 bytes without a BOM, which polars reads directly;
a UTF-8 file is passed through without copying.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from incentive.errors import DataInvalid, DataProblem
from incentive.io.source import check_text_encoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    data: bytes  # UTF-8, no BOM
    encoding: str  # what the file was read as, e.g. "utf-8", "utf-8-sig", "gb18030"
    verified: bool = True  # False: only the head was checked (``quick``); the reader validates the rest


def _where(raw: bytes, offset: int) -> str:
    line = raw.count(b"\n", 0, offset) + 1
    return f"byte 0x{raw[offset]:02X} at offset {offset} (line {line})"


def _unreadable(file: str, message: str) -> DataInvalid:
    return DataInvalid(problems=[DataProblem(file, 0, "", "", message)])


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _forced(raw: bytes, file: str, encoding: str) -> Decoded:
    name = check_text_encoding(encoding)
    if name in ("utf-8", "utf-8-sig"):
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _unreadable(file, f"cannot read the file as {encoding}: {_where(raw, exc.start)} is not valid {encoding}") from None
        return Decoded(raw, name)
    try:
        text = raw.decode(name)
    except UnicodeDecodeError as exc:
        raise _unreadable(file, f"cannot read the file as {encoding}: {_where(raw, exc.start)} is not valid {encoding}") from None
    return Decoded(_strip_bom(text).encode("utf-8"), name)


_HEAD = 1 << 16


def _head_is_utf8(raw: bytes) -> bool:
    """Is the first ~64 KiB (cut at a line end) valid UTF-8?"""
    head = raw if len(raw) <= _HEAD else raw[: raw.rfind(b"\n", 0, _HEAD) + 1 or _HEAD]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return len(head) == _HEAD and exc.reason == "unexpected end of data"  # cut inside a character
    return True


def to_utf8(raw: bytes, file: str, encoding: str | None = None, *, quick: bool = False) -> Decoded:
    """The file's text as UTF-8 bytes, detected or decoded with ``encoding``.

    ``quick``: when the file has no BOM and its head is UTF-8, return it
    unverified (``verified=False``) instead of decoding every byte -- for a
    reader that validates UTF-8 itself (polars does) and calls again without
    ``quick`` if it finds a bad byte.
    """
    if encoding:
        return _forced(raw, file, encoding)
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError as exc:
                raise _unreadable(file, f"the file starts with a {name} byte-order mark but {_where(raw, exc.start)} is not valid {name}") from None
            if name == "utf-8-sig":
                return Decoded(raw[len(bom):], name)
            return Decoded(_strip_bom(text).encode("utf-8"), name)
    if b"\x00" in raw[:4096]:
        raise _unreadable(file, "the file contains NUL bytes: it looks like UTF-16 without a byte-order mark; "
                                "pass the encoding (utf-16-le or utf-16-be) or save it as UTF-8")
    if quick and _head_is_utf8(raw):
        return Decoded(raw, "utf-8", verified=False)
    try:
        raw.decode("utf-8")
        return Decoded(raw, "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _unreadable(
            file,
            f"cannot detect the text encoding: not UTF-8 ({_where(raw, utf8_error)}) and not GB18030/GBK "
            f"({_where(raw, exc.start)}); save the file as UTF-8 or pass its encoding",
        ) from None
    utf8_line = _utf8_cjk_line(raw)
    if utf8_line is not None:
        raise _unreadable(
            file,
            f"the file mixes text encodings: line {utf8_line} is UTF-8 but {_where(raw, utf8_error)} is not "
            "(rows pasted from a GBK file?); reading it as GB18030 would garble the UTF-8 rows -- save the whole "
            "file in one encoding, or pass --encoding if it really is GBK",
        )
    return Decoded(text.encode("utf-8"), "gb18030")


# Two consecutive 3-byte UTF-8 characters (CJK text is encoded so); in GBK bytes a
# whole line that also decodes as UTF-8 around such a run practically never occurs.
_UTF8_CJK_RUN = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){2}")
_MIXED_PROBES = 1000


def _utf8_cjk_line(raw: bytes) -> int | None:
    """Line number of a line holding CJK text that is valid UTF-8, in a file that is not UTF-8.

    Such a file is UTF-8 with rows from another encoding pasted in (or the
    reverse); decoding it all as GB18030 would silently garble the UTF-8 rows.
    """
    tried: set[int] = set()
    for match in _UTF8_CJK_RUN.finditer(raw):
        start = raw.rfind(b"\n", 0, match.start()) + 1
        if start in tried:
            continue
        if len(tried) >= _MIXED_PROBES:
            break
        tried.add(start)
        end = raw.find(b"\n", match.end())
        try:
            raw[start:len(raw) if end < 0 else end].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return raw.count(b"\n", 0, start) + 1
    return None


def text_of(raw: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """The file's text (str) and the encoding it was read with."""
    decoded = to_utf8(raw, file, encoding)
    return decoded.data.decode("utf-8"), decoded.encoding
