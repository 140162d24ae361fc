"""Named generators for hostile inputs too big, too binary or too repetitive
to write inline in a case file.

A case names one with ``generate: {name: <function>, ...keyword arguments}``;
each returns the file's bytes. ``base`` arguments name a file in
``fixtures/``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

FIXTURES = Path(__file__).parent / "fixtures"

Generator = Callable[..., bytes]
GENERATORS: dict[str, Generator] = {}


def generator(func: Generator) -> Generator:
    GENERATORS[func.__name__] = func
    return func


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ policies


@generator
def billion_laughs(levels: int = 9, width: int = 9) -> bytes:
    """The classic: each anchor aliases the previous one ``width`` times (9^9 nodes if expanded)."""
    lines = ["policy: bomb", "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*lol{i - 1}"] * width)
        lines.append(f"lol{i}: &lol{i} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


@generator
def merge_bomb(levels: int = 30) -> bytes:
    """Merge keys (``<<``) doubling a mapping at every level: 2^levels keys if expanded."""
    lines = ["policy: bomb", "m0: &m0 {a: 1, b: 2}"]
    for i in range(1, levels + 1):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: {i}}}")
    return ("\n".join(lines) + "\n").encode()


@generator
def deep_nesting(depth: int = 10_000, flow: bool = True) -> bytes:
    """A policy whose ``title`` nests ``depth`` levels of lists (flow) or mappings (block)."""
    head = "policy: deep\ntitle: "
    if flow:
        return (head + "[" * depth + "]" * depth + "\n").encode()
    body = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth))
    return (head + "\n" + "".join("  " + line + "\n" for line in body.splitlines()) + "  " * (depth + 1) + "x\n").encode()


@generator
def padded_policy(base: str = "hostile.yaml", megabytes: float = 2.0) -> bytes:
    """A valid policy followed by a comment that makes the file ``megabytes`` long."""
    text = fixture_text(base)
    pad = int(megabytes * 1024 * 1024) - len(text.encode()) - 2  # the "#" and the final newline
    return (text + "#" + "x" * max(pad, 0) + "\n").encode()


@generator
def many_nodes(count: int = 150_000) -> bytes:
    """Under 1 MiB but more YAML nodes than the loader allows."""
    return ("policy: wide\ntitle: [" + ", ".join(["1"] * count) + "]\n").encode()


@generator
def policy_bytes(base: str = "hostile.yaml", find: str = "", insert_hex: str = "") -> bytes:
    """The base policy with raw bytes (hex) inserted right after the text ``find``."""
    raw = (FIXTURES / base).read_bytes()
    at = raw.index(find.encode()) + len(find.encode())
    return raw[:at] + bytes.fromhex(insert_hex) + raw[at:]


@generator
def with_derived(parts: list, base: str = "hostile.yaml", name: str = "hostile") -> bytes:
    """The base policy with one more derived value: the concatenation of
    ``parts`` ([text, times] pairs), written as a YAML double-quoted scalar."""
    import json

    expr = "".join(text * int(times) for text, times in parts)
    text = fixture_text(base).replace("derived:\n", f"derived:\n  {name}: {json.dumps(expr)}\n", 1)
    return text.encode()


@generator
def patched(old: str, parts: list, base: str = "hostile.yaml") -> bytes:
    """The base file with ``old`` replaced by the concatenation of ``parts``
    ([text, times] pairs) -- for literals too long to write in a case."""
    text = fixture_text(base)
    if old not in text:
        raise ValueError(f"{old!r} is not in {base}")
    return text.replace(old, "".join(t * int(n) for t, n in parts), 1).encode()


# ------------------------------------------------------------------ data


HEADER = "employee_id,name,region,team,revenue,target"


@generator
def concat(parts: list) -> bytes:
    """The concatenation of ``parts`` ([text, times] pairs), UTF-8."""
    return "".join(t * int(n) for t, n in parts).encode()


@generator
def mixed_encoding() -> bytes:
    """A UTF-8 file with one row pasted in from a GBK file. The UTF-8 rows
    happen to be valid GB18030 too, so a decoder that falls back to GB18030
    for the whole file would garble them silently (张三 -> 寮犱笁)."""
    return (HEADER + "\nE1,Ann,North,N1,1000,500\n").encode() + "E2,刘勇,华东,华东一组,50,500\n".encode("gbk") \
        + "E3,张三,华东,S1,200,100\n".encode()


@generator
def encoded(text: str, encoding: str, bom: bool = False) -> bytes:
    """``text`` in any codec (``utf-16`` writes its own BOM; ``bom`` adds UTF-8's)."""
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@generator
def garbage(size: int = 65_536, seed: int = 7) -> bytes:
    """Random bytes (NUL included) -- e.g. a binary file renamed to .csv."""
    import random

    return random.Random(seed).randbytes(size)


@generator
def garbage_without_nul(size: int = 65_536, seed: int = 7) -> bytes:
    """Random bytes with no NUL: gets past the UTF-16 sniffing to the decoders."""
    import random

    return bytes(b or 1 for b in random.Random(seed).randbytes(size))


@generator
def wide_csv(extra: int = 195) -> bytes:
    """The clean data plus ``extra`` unused numeric columns (a 200-column file by default)."""
    lines = fixture_text("clean.csv").splitlines()
    head = lines[0] + "".join(f",x{i}" for i in range(extra))
    rows = [line + ",9" * extra for line in lines[1:]]
    return ("\n".join([head, *rows]) + "\n").encode()


@generator
def many_rows(rows: int = 100_000, bad_revenue: str = "") -> bytes:
    """``rows`` people; with ``bad_revenue`` every revenue cell holds that text instead."""
    out = io.StringIO()
    out.write(HEADER + "\n")
    for i in range(rows):
        revenue = bad_revenue or f"{(i * 37) % 100_000}.{i % 100:02d}"
        out.write(f"E{i},N{i},R{i % 7},T{i % 50},{revenue},{1000 + i % 500}\n")
    return out.getvalue().encode()


@generator
def huge_amounts(rows: int = 40, seed: int = 12, low: int = 10**18, high: int = 10**19) -> bytes:
    """``rows`` people whose revenues are each valid (below 10^20) but large: random in [low, high)
    with random cents, in several regions -- totals of amounts derived from them can leave the range."""
    import random

    rng = random.Random(seed)
    out = io.StringIO()
    out.write(HEADER + "\n")
    for i in range(rows):
        out.write(f"E{i},N{i},R{i % 3},T{i % 5},{rng.randrange(low, high)}.{rng.randrange(100):02d},500\n")
    return out.getvalue().encode()


@generator
def huge_cell(chars: int = 10_000_000, column: str = "name") -> bytes:
    """One text cell of ``chars`` characters (Excel's cell limit is 32,767)."""
    lines = fixture_text("clean.csv").splitlines()
    names = lines[0].split(",")
    first = lines[1].split(",")
    first[names.index(column)] = "x" * chars
    return ("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n").encode()


@generator
def xlsx(rows: list, header: str = HEADER, formulas: bool = True) -> bytes:
    """An XLSX workbook; with ``formulas`` a cell text starting with ``=`` is
    written as a real formula (with a cached result), as a hostile sheet would be."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("data")
    for c, name in enumerate(header.split(",")):
        ws.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("=") and formulas:
                ws.write_formula(r, c, value, None, "cached")
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return buf.getvalue()


@generator
def xlsx_edit(rows: list, edits: list, header: str = HEADER, sheet_name: str = "data") -> bytes:
    """An XLSX workbook whose sheet XML is then edited: each edit replaces the
    first ``old`` with the concatenation of ``parts`` ([text, times] pairs) --
    for stray far cells, cells without references, or a cell that unpacks to
    hundreds of megabytes (deflate packs repeated text 1000:1)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx(rows, header=header, formulas=False)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for old, parts in edits:
                    if old not in text:
                        raise ValueError(f"{old!r} is not in the sheet XML")
                    text = text.replace(old, "".join(t * int(n) for t, n in parts), 1)
                data = text.encode()
            out.writestr(item, data)
    return buf.getvalue()


@generator
def truncated_xlsx(rows: list, header: str = HEADER, keep: float = 0.5) -> bytes:
    """A real workbook cut short (an interrupted download)."""
    whole = xlsx(rows, header=header, formulas=False)
    return whole[: int(len(whole) * keep)]


@generator
def xlsx_as_exported(rows: list, header: str = HEADER, above: list | None = None, below: list | None = None) -> bytes:
    """A workbook as HR exports it (data side of issue 12, A2): ``above`` rows (a title) before the header,
    ``below`` rows (totals) after the data, and typed cells written as one-key maps: ``{pct: 0.947}``
    (format 0.0%), ``{bool: true}``, ``{error: "#DIV/0!"}`` (a formula whose cached result is that error),
    ``{formula: "=B2*2"}`` (saved without a value), ``{date: "2026-01-31"}`` (a date-formatted cell)."""
    import datetime
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("data")
    wb.add_worksheet("notes")
    pct, day = wb.add_format({"num_format": "0.0%"}), wb.add_format({"num_format": "yyyy-mm-dd"})
    table = [*(above or []), header.split(","), *rows, *(below or [])]
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if isinstance(value, dict):
                (kind, v), = value.items()
                if kind == "pct":
                    ws.write_number(r, c, v, pct)
                elif kind == "bool":
                    ws.write_boolean(r, c, bool(v))
                elif kind == "error":
                    ws.write_formula(r, c, "=1/0", None, v)
                elif kind == "formula":
                    ws.write_formula(r, c, v, None, "")
                elif kind == "date":
                    ws.write_datetime(r, c, datetime.datetime.fromisoformat(v), day)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, str(value))
    wb.close()
    return buf.getvalue()


def generate(spec: dict) -> bytes:
    spec = dict(spec)
    name = spec.pop("name")
    if name not in GENERATORS:
        raise KeyError(f"unknown generator {name!r}; known: {', '.join(sorted(GENERATORS))}")
    return GENERATORS[name](**spec)
