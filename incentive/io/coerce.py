"""Typed reading of period data cells, column-wide: the polars side of the cell rules.

Every cell arrives as text (see ``formats``). For each input the polars
expressions from ``column_plan`` produce the typed value and a per-row
"bad" flag in a few column-wide passes; no Python code runs per row on the
happy path. Only for the (few) flagged rows does ``cell_check.check_cell``
-- a plain Python re-implementation of exactly the same rules
(``cell_rules``) -- say precisely what is wrong. The two are tested to
agree on arbitrary text.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from incentive import numeric
from incentive.io.cell_check import default_value
from incentive.io.cell_rules import (BOOLEANS, DATE_PATTERN, ERROR_TEXTS, LIMIT, MAX_DECIMALS, PLAIN_TYPES,
                                     allowed_values, anchored, dtype_of, number_pattern, percent_rule, with_percent)
from incentive.policy.model import NUMERIC_TYPES, Input


def _literal(value: object, inp: Input) -> pl.Expr:
    return pl.lit(value, dtype=dtype_of(inp))


@dataclass(frozen=True)
class Plan:
    """How to read one raw String column, as stages of named intermediate columns.

    Apply ``stages`` in order (``with_columns``: each stage may use the names
    the earlier ones made); ``value`` / ``bad`` / ``empty`` then read those
    columns. Materializing the stripped text and the parsed value once keeps
    every cell to a handful of column-wide passes.
    """

    stages: tuple[dict[str, pl.Expr], ...]
    value: pl.Expr  # typed value (default filled in); meaningful where ``bad`` is false
    bad: pl.Expr  # Boolean, true where the cell has a problem
    empty: pl.Expr  # Boolean, true where the cell is blank


_ISO_DATE = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"


def only_iso_dates(raw: pl.Expr) -> pl.Expr:
    """Scalar: is every cell blank or exactly YYYY-MM-DD? Then a date column can take the fast path."""
    return (raw.is_null() | (raw.str.len_bytes() == 0) | raw.str.contains(_ISO_DATE)).all()


def _plain_number(inp: Input) -> str:
    """Anchored regex of a number cell that every reading leaves as it is (empty allowed).

    Such a cell has no surrounding space, grouping comma, currency, percent
    sign or parenthesis, so stripping and normalizing are no-ops, and it is
    accepted by ``number_pattern`` for any grouping (a strict subset).
    """
    body = number_pattern("integer" if inp.type == "integer" else "number", grouping=False)
    return f"^(?:{body})?$"


def only_plain_cells(raw: pl.Expr, inp: Input) -> pl.Expr | None:
    """Scalar: is every cell null or already in its plain, canonical form? (None: no fast path for the type).

    Plain numbers (``12``, ``-0.25``) and booleans spelled as accepted
    (``true``, ``否``) are by far the common case in exported files; then
    ``column_plan(plain=True)`` skips the strip, the normalization and the
    per-cell syntax regex, which cost more than this one check.
    """
    if inp.type in NUMERIC_TYPES:
        return (raw.is_null() | raw.str.contains(_plain_number(inp))).all()
    if inp.type == "boolean":
        return (raw.is_null() | raw.is_in(["", *BOOLEANS])).all()
    return None


def repeated_ids(ids: pl.Expr) -> pl.Expr:
    """True for a non-empty id already seen in an earlier row."""
    return ~ids.is_first_distinct() & ids.is_not_null() & (ids.str.len_bytes() > 0)


def strictly_ascending(ids: pl.Series) -> bool:
    """Is every id greater than the one before (and none null)? Then none repeats: no hashing needed.

    Files exported from HR systems are usually sorted by employee id, which
    makes this comparison of neighbours the common answer.
    """
    if ids.null_count():
        return False
    return ids.len() < 2 or bool((ids.slice(1) > ids.slice(0, ids.len() - 1)).all())


def _parse_plain(t: pl.Expr, inp: Input) -> dict[str, pl.Expr]:
    """Stage 2 for a column ``only_plain_cells`` vouched for: the general reading, minus its no-ops."""
    if inp.type == "boolean":  # every cell is null, empty or a key of the mapping: nothing to lowercase
        return {"v": t.replace_strict(BOOLEANS, default=None, return_dtype=pl.Boolean)}
    return {"v": t.cast(numeric.DTYPE, strict=False)}  # no syntax flag: the plain pattern implies it


def _parse(t: pl.Expr, inp: Input, grouping: bool, iso_dates: bool) -> dict[str, pl.Expr]:
    """Stage 2: the typed value (null when unreadable) and, where needed, a syntax flag."""
    if inp.type == "boolean":
        return {"v": t.str.to_lowercase().replace_strict(BOOLEANS, default=None, return_dtype=pl.Boolean)}
    if inp.type == "date" and iso_dates:  # every cell is YYYY-MM-DD: one parse says it all
        return {"v": t.str.to_date("%Y-%m-%d", strict=False)}
    if inp.type == "date":
        iso = t.str.replace(r"[T ].*$", "").str.replace_all(r"[/.年月]", "-").str.replace("日", "", literal=True)
        val = pl.coalesce(iso.str.to_date("%Y-%m-%d", strict=False), iso.str.to_date("%Y%m%d", strict=False))
        return {"v": val, "ok": t.str.contains(anchored(DATE_PATTERN))}
    rule = percent_rule(inp)
    pattern = with_percent(number_pattern(inp.type, grouping), inp.type, grouping, rule, MAX_DECIMALS)
    if inp.type in ("integer", "number") and rule is None:  # only digits, sign, point and grouping commas can pass
        digits = t.str.replace_all(",", "", literal=True) if grouping else t
    else:  # also currency signs, 元, parentheses, percent signs and inner spaces
        digits = t.str.replace_all(r"[^0-9.+\-]", "")
    val = digits.cast(numeric.DTYPE, strict=False)
    is_pct = t.str.ends_with("%") | t.str.ends_with("％")
    if inp.type == "money":
        val = pl.when(t.str.contains("(", literal=True)).then(-val).otherwise(val)
    elif inp.type == "percent" or rule == "fraction":
        val = pl.when(is_pct).then(val * numeric.lit("0.01")).otherwise(val).cast(numeric.DTYPE)
    return {"v": val, "ok": t.str.contains(anchored(pattern))}


def column_plan(raw: pl.Expr, inp: Input, *, key: str, grouping: bool = True, iso_dates: bool = False,
                plain: bool = False, unique: bool = True) -> Plan:
    """The plan reading String expression ``raw`` as ``inp``; ``key`` makes intermediate names unique.

    ``iso_dates``: the caller checked (``only_iso_dates``) that every cell of
    this date column is blank or YYYY-MM-DD, the common case, which needs
    a single parse instead of the general normalization. ``plain``: the
    caller checked (``only_plain_cells``) that every cell of this number or
    boolean column is plain. Either way the cells have no surrounding space,
    so they are read as they are, without a stripped copy. ``unique=False``:
    an id column's flag leaves out repeated ids, because the caller checks
    them on the read column (``repeated_ids``), mostly at a glance.
    """
    names = {n: f"\x00{key}:{n}" for n in ("t", "v", "ok")}
    fast = (iso_dates and inp.type == "date") or (plain and inp.type in PLAIN_TYPES)
    t = raw if fast else pl.col(names["t"])
    empty = t.is_null() | (t.str.len_bytes() == 0)
    default = default_value(inp)
    fill = _literal(default, inp)
    allowed = allowed_values(inp)
    stages: list[dict[str, pl.Expr]] = [] if fast else [{names["t"]: raw.str.strip_chars()}]

    if inp.type == "id":
        bad = empty | t.is_in(ERROR_TEXTS).fill_null(False)
        return Plan(tuple(stages), value=t, bad=(bad | repeated_ids(t)) if unique else bad, empty=empty)
    if inp.type == "text":
        ok = t.is_in(allowed) if allowed is not None else pl.lit(True)
        val = t
    else:
        parsed = _parse_plain(t, inp) if fast and inp.type != "date" else _parse(t, inp, grouping, iso_dates)
        stages.append({names[k]: e for k, e in parsed.items()})
        val = pl.col(names["v"])
        ok = val.is_not_null() & (pl.col(names["ok"]) if "ok" in parsed else pl.lit(True))
        if inp.type in NUMERIC_TYPES:
            ok = ok & (val.abs() < numeric.lit(LIMIT))
            if inp.min is not None:
                ok = ok & (val >= numeric.lit(inp.min))
            if inp.max is not None:
                ok = ok & (val <= numeric.lit(inp.max))
            if allowed is not None:
                ok = ok & val.is_in(pl.Series(allowed, dtype=numeric.DTYPE).implode())
        elif allowed is not None:
            ok = ok & val.is_in(allowed)
    value = pl.when(empty).then(fill).otherwise(val).cast(dtype_of(inp))
    missing = empty & pl.lit(default is None and inp.required)
    if inp.type == "text":  # other types refuse error values by their syntax already
        ok = ok & ~t.is_in(ERROR_TEXTS)
    bad = missing | (~empty & ~ok.fill_null(False))
    return Plan(tuple(stages), value=value, bad=bad, empty=empty)


def coerce_series(raw: pl.Series, inp: Input, *, grouping: bool = True) -> pl.DataFrame:
    """Columns ``value``, ``bad``, ``empty`` for one raw String series (a convenience over ``column_plan``)."""
    plan = column_plan(pl.col("raw"), inp, key="s", grouping=grouping)
    lf = pl.DataFrame({"raw": raw.cast(pl.String)}).lazy()
    for stage in plan.stages:
        lf = lf.with_columns(**stage)
    return lf.select(plan.value.alias("value"), plan.bad.alias("bad"), plan.empty.alias("empty")).collect()

