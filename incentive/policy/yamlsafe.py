"""Safe YAML loading that remembers where every node was written.

Why not ``yaml.safe_load``: it uses YAML 1.1 scalars (``on``/``no``/``Y``
become booleans, ``2026-01-01`` a date, ``0.1`` a float), it expands aliases
(billion-laughs and merge-key bombs) and it forgets positions. Here PyYAML's
pure-Python reader, scanner and parser produce events; a small composer of
our own turns them into plain Python data with YAML 1.2 core-schema scalars
and records the 1-based ``line:col`` of every value and every mapping key.

    >>> doc = load_yaml("weight: 40\\ncountry: NO\\nrate: 0.1\\n", "p.yaml")
    >>> doc.data
    {'weight': 40, 'country': 'NO', 'rate': Decimal('0.1')}
    >>> doc.positions[("rate",)]
    Pos(line=3, col=7)
    >>> load_yaml("a: &x [1]\\nb: *x\\n", "p.yaml")
    Traceback (most recent call last):
    ...
    incentive.errors.PolicyLoadError: p.yaml:1:4: error yaml-alias anchors (&x) are not allowed in policy files

Mapping keys are always text, exactly as written (``1:`` is the key ``"1"``,
``no:`` the key ``"no"``): policy keys are ids and language codes.
"""

from __future__ import annotations

import re

from incentive.errors import Finding, PolicyLoadError
from incentive.policy.files import MAX_POLICY_BYTES
from incentive.policy.yaml_composer import Composer, line_col
from incentive.policy.yaml_doc import LoadedDoc

MAX_BYTES = MAX_POLICY_BYTES  # one limit for every reader (incentive.policy.files)


def load_yaml(data: bytes | str, file: str) -> LoadedDoc:
    """Load one YAML document safely; fatal problems raise ``PolicyLoadError``.

    Non-fatal problems (duplicate keys) are returned in ``.findings``.
    """
    raw_size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if raw_size > MAX_BYTES:
        raise PolicyLoadError([Finding(file, 1, 1, "error", "yaml-too-large",
                                       f"the file is {raw_size:,} bytes; policy files may be at most {MAX_BYTES:,} bytes (1 MiB)")])
    text = _decode(data, file) if isinstance(data, bytes) else data
    bad = _first_surrogate(text)
    if bad is not None:
        line, col = line_col(text, bad)
        raise PolicyLoadError([Finding(file, line, col, "error", "yaml-encoding",
                                       f"character U+{ord(text[bad]):04X} is not valid Unicode text")])
    return Composer(text, file).load()


def _decode(data: bytes, file: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data.count(b"\n", 0, offset) + 1
        line_start = data.rfind(b"\n", 0, offset) + 1
        col = len(data[line_start:offset].decode("utf-8", "replace")) + 1
        hint = ""
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = " (it looks like UTF-16; save the file as UTF-8)"
        else:
            try:
                data.decode("gb18030")
                hint = " (it looks like GBK/GB18030; save the file as UTF-8)"
            except UnicodeDecodeError:
                pass
        raise PolicyLoadError([Finding(file, line, col, "error", "yaml-encoding",
                                       f"byte 0x{data[offset]:02X} at offset {offset} is not valid UTF-8; "
                                       f"policy files must be UTF-8{hint}")]) from None


def _first_surrogate(text: str) -> int | None:
    match = re.search(r"[\ud800-\udfff]", text)
    return match.start() if match else None
