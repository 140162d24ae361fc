"""Employee ids that look identical but are not: refused, naming both rows.

``E1``, ``E１`` (a full-width digit), ``E\\u200b1`` (a zero-width space) and
``\\ufeffE1`` (a BOM pasted from another file) print the same, so a file
holding two of them would pay two payees a reader cannot tell apart -- or,
in next quarter's file, lose one person's history. Ids are kept exactly as
written (``007`` stays ``007``), so such a pair is not merged either: it is
a problem, reported with both rows and both ids escaped.

Two ids are look-alikes when they differ but have the same *skeleton*: the
id without zero-width characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD,
U+200E/U+200F) and bidi controls (U+202A..U+202E, U+2066..U+2069), then in
Unicode normalisation form NFKC (which maps full-width letters and digits to
ASCII, and composed / decomposed accents to one form).
"""

from __future__ import annotations

import unicodedata

import polars as pl

from incentive.errors import DataProblem

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in INVISIBLE) + "]"


def skeleton(ids: pl.Expr) -> pl.Expr:
    """What an id looks like on screen: invisible characters dropped, then NFKC."""
    return ids.str.replace_all(_INVISIBLE_CLASS, "").str.normalize("NFKC")


def py_skeleton(text: str) -> str:
    """``skeleton`` for one Python string (tests compare the two)."""
    return unicodedata.normalize("NFKC", "".join(ch for ch in text if ch not in INVISIBLE))


def escaped(text: str) -> str:
    """An id with every invisible or combining character, and every one NFKC changes, as ``\\uXXXX``."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isprintable():
            out.append(ch)
        elif (ch in INVISIBLE or not ch.isprintable() or unicodedata.combining(ch)
              or unicodedata.normalize("NFKC", ch) != ch):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def look_alike_ids(frame: pl.DataFrame, id_column: str, row_column: str, file: str, header: str) -> list[DataProblem]:
    """A problem for every row whose id differs from an earlier row's id only in how it looks.

    Costs one scan when every id is ASCII (the common case: then no two
    distinct ids can share a skeleton, since ASCII is its own skeleton).
    """
    ids = frame.get_column(id_column)
    if ids.len() < 2 or not bool(ids.str.contains(r"[^\x00-\x7f]").any()):
        return []
    keyed = frame.select(pl.col(id_column).alias("id"), pl.col(row_column).alias("row"),
                         skeleton(pl.col(id_column)).alias("skel")).filter(pl.col("id").is_not_null())
    groups = (keyed.group_by("skel").agg(pl.col("id"), pl.col("row"), pl.col("id").n_unique().alias("n"))
              .filter(pl.col("n") > 1))
    problems = []
    for _, members, rows, _ in groups.iter_rows():
        pairs = sorted(zip(rows, members))
        first_row, first_id = pairs[0]
        seen = {first_id}
        for row, id_ in pairs[1:]:
            if id_ in seen:
                continue  # a plain repeat of an id already listed is reported as a repeat
            seen.add(id_)
            problems.append(DataProblem(
                file, row, header, id_,
                f"an employee id that does not look like another: {escaped(id_)} looks the same as {escaped(first_id)} "
                f"in row {first_row} (they differ only by full-width, zero-width, bidi or BOM characters or Unicode "
                "normalisation, and would become two payees who look identical); type the id again in both rows"))
    return problems
