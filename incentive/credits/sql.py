"""The crediting definition compiled to a small, portable SQL subset.

The same text is meant to run on DuckDB and on Spark SQL, so it keeps to
what both mean the same way: CTEs, inner / left joins, range joins on
``[valid_from, valid_to)`` (no ASOF join), ``GROUP BY``, ``UNION ALL``,
``CASE``, ``FLOOR`` / ``CEIL``, ``COALESCE`` and explicit ``CAST`` of every
literal and every product. No recursive CTE (the hierarchy arrives
flattened: ``hierarchy``), no window function (the remainder rank is a
self-join within the split group, grouped by the event's integer key ``ek``:
DuckDB's windows over millions of tiny partitions were the slowest step),
no division, no engine-default rounding, and no
text from the data or the definition inside a string literal except names
checked to be ASCII identifiers and roles checked to hold no quote or
backslash (classification values travel in the ``rule_values`` table).

Decimal types are kept narrow enough that neither engine loses digits:
amounts DECIMAL(18,d) widened to DECIMAL(28,d) before a product (DuckDB
keeps a product of two 18-digit decimals in 18 digits), shares DECIMAL(9,6),
exact products DECIMAL(28,d+6) (Spark would drop fraction digits of a
product wider than 38), sums DECIMAL(38,d).

Credits of one event (a line's amount, a collection, a refund) in one role:
``exact_i = amount * share_i`` (exact); the role's total is
``round(amount * sum(share), mode)`` in minor units (``mode`` the policy's
money rounding); each person gets ``floor(exact_i)`` minor units and the
remaining units go one each to the largest ``exact_i - floor(exact_i)``,
ties to the smaller person id (byte order) -- a person's rank is the
number of people of the group whose (remainder, id) comes first, counted by
a join. So the credits of a role sum
exactly to its rounded total -- to the line's amount when the shares sum to
100% -- whatever the order of the rows.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from incentive.credits.definition import Definition, Measure

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SAFE_TEXT = re.compile(r"^[^'\\\x00-\x1f\x7f]*$")


def name(text: str) -> str:
    """An identifier or literal body known to be an ASCII name (never quoted data)."""
    if not _NAME.match(text):
        raise ValueError(f"not a name: {text!r}")
    return text


def text_literal(text: str) -> str:
    """A string literal both engines read the same way: no quote, backslash or control character."""
    if not _SAFE_TEXT.match(text):
        raise ValueError(f"not a portable literal: {text!r}")
    return f"'{text}'"


def date_literal(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def _scale(decimals: int) -> str:
    """10^decimals as an exact narrow integer decimal."""
    return f"CAST({10 ** decimals} AS DECIMAL({decimals + 1},0))"


def _unit(decimals: int) -> str:
    """The minor unit (0.01) as exact text."""
    return format(Decimal(1).scaleb(-decimals), "f")


def round_units(x: str, mode: str) -> str:
    """``x`` (a non-negative DECIMAL) rounded to an integer with the policy's mode, in SQL."""
    half = "CAST(0.5 AS DECIMAL(2,1))"
    one = "CAST(1 AS DECIMAL(1,0))"
    if mode == "down":
        return f"FLOOR({x})"
    if mode == "up":
        return f"CEIL({x})"
    if mode == "half_up":
        return f"FLOOR({x} + {half})"
    if mode == "half_even":
        f = f"FLOOR({x})"
        return (f"CASE WHEN {x} - {f} > {half} THEN {f} + {one} WHEN {x} - {f} < {half} THEN {f} "
                f"WHEN {f} % CAST(2 AS DECIMAL(1,0)) = 0 THEN {f} ELSE {f} + {one} END")
    raise ValueError(f"unknown rounding mode {mode!r}")


def flags_sql(definition: Definition) -> str:
    """Every line with one 0/1 flag per classification (``r_<name>``), from the ``rule_values`` table."""
    joins, cols = [], []
    for i, rule in enumerate(definition.rules):
        alias = f"v{i}"
        joins.append(f"LEFT JOIN rule_values {alias} ON {alias}.rule = '{name(rule.name)}' "
                     f"AND {alias}.value = l.c_{name(rule.column)}")
        hit = f"{alias}.value IS NOT NULL"
        cols.append(f"CASE WHEN {hit} THEN {0 if rule.negate else 1} ELSE {1 if rule.negate else 0} END "
                    f"AS r_{name(rule.name)}")
    columns = ", ".join(["l.line_id", "l.src AS line_src", "l.match_key", "l.person AS line_person", "l.line_date"]
                        + [f"l.c_{name(c)}" for c in definition.column_names()] + cols)
    return f"SELECT {columns} FROM lines l " + " ".join(joins)


def _in_period(start: date, end: date) -> str:
    return f"e.event_date >= {date_literal(start)} AND e.event_date < {date_literal(end)}"


def _included(definition: Definition) -> str:
    return " AND ".join(f"f.r_{name(r)} = 1" for r in definition.include) or "1 = 1"


def _flags_cte(definition: Definition, staged: bool) -> str:
    """``flags`` as a CTE, or nothing when the engine keeps it as a table already (``staged``)."""
    return "" if staged else f"WITH flags AS ({flags_sql(definition)}) "


def counts_sql(definition: Definition, start: date, end: date, *, flags_staged: bool = False) -> str:
    """Events outside the period, and events in it excluded by ``include``."""
    return (_flags_cte(definition, flags_staged) +
            f"SELECT SUM(CASE WHEN NOT ({_in_period(start, end)}) THEN 1 ELSE 0 END) AS outside, "
            f"SUM(CASE WHEN ({_in_period(start, end)}) AND NOT ({_included(definition)}) THEN 1 ELSE 0 END) AS excluded "
            f"FROM events e JOIN flags f ON f.line_id = e.line_id")


def direct_steps(definition: Definition, start: date, end: date, decimals: int, rounding: str) -> list[tuple[str, str]]:
    """The named steps up to ``direct``, in order: one row per event, person and role with its credited amount (unsigned).

    Each step is a query over the tables and the steps before it; as CTEs
    they are ``direct_ctes``. An engine may compute some of them once and
    keep them (``staged``): Spark inlines a CTE at every reference.

    A line without split rows has one owner at 100%: its credit is the
    amount itself, no window needed. Only the split lines go through the
    largest-remainder windows (window functions over many small partitions
    are the costliest step of the run).
    """
    d = decimals
    scale = _scale(d)
    exact_t = f"DECIMAL(28,{d + 6})"
    carried = ", ".join(["ev.ek", "ev.src", "ev.kind", "ev.event_id", "ev.line_id", "ev.amount_name", "ev.event_date",
                         "ev.line_date", "ev.sign", "ev.amount"])
    columns = "ek, src, kind, event_id, line_id, amount_name, event_date, line_date, sign, amount, person, role, share"
    unit = f"CAST({_unit(d)} AS DECIMAL({d + 1},{d}))"
    return [
        ("flags", flags_sql(definition)),
        ("ev", f"""
  SELECT e.ek, e.src, e.kind, e.event_id, e.line_id, e.amount_name, e.event_date, e.amount, e.sign,
         f.match_key, f.line_person, f.line_date
  FROM events e JOIN flags f ON f.line_id = e.line_id
  WHERE {_in_period(start, end)} AND {_included(definition)}
"""),
        ("owned", "SELECT DISTINCT match_key FROM splits WHERE role = 'owner'"),
        ("sole", f"""
  SELECT {carried}, ev.line_person AS person, 'owner' AS role, CAST(1 AS DECIMAL(9,6)) AS share
  FROM ev LEFT JOIN owned o ON o.match_key = ev.match_key
  WHERE o.match_key IS NULL AND ev.line_person IS NOT NULL
"""),
        ("exact", f"""
  SELECT {carried}, s.person, s.role, s.share,
         CAST(CAST(ev.amount AS DECIMAL(28,{d})) * CAST(s.share AS DECIMAL(9,6)) AS {exact_t}) AS exact_amount
  FROM ev JOIN splits s ON s.match_key = ev.match_key
"""),
        ("parts", f"""
  SELECT exact.*, FLOOR(exact_amount * {scale}) AS base_units,
         exact_amount * {scale} - FLOOR(exact_amount * {scale}) AS rest
  FROM exact
"""),
        ("totals", f"""
  SELECT ek, role, CAST(SUM(exact_amount) AS {exact_t}) AS role_exact, SUM(base_units) AS role_base
  FROM parts GROUP BY ek, role
"""),
        ("ranks", f"""
  SELECT a.ek, a.role, a.person, COUNT(*) AS remainder_rank
  FROM parts a JOIN parts b ON b.ek = a.ek AND b.role = a.role
   AND (b.rest > a.rest OR (b.rest = a.rest AND b.person <= a.person))
  GROUP BY a.ek, a.role, a.person
"""),
        ("units", f"""
  SELECT p.*, t.role_exact, t.role_base, r.remainder_rank
  FROM parts p
  JOIN totals t ON t.ek = p.ek AND t.role = p.role
  JOIN ranks r ON r.ek = p.ek AND r.role = p.role AND r.person = p.person
"""),
        ("direct", f"""
  SELECT {columns},
         CAST(CAST(base_units + CASE WHEN remainder_rank <= {round_units(f"role_exact * {scale}", rounding)} - role_base
                                     THEN 1 ELSE 0 END AS DECIMAL(20,0)) * {unit} AS DECIMAL(18,{d})) AS unsigned_credit
  FROM units
  UNION ALL
  SELECT {columns}, CAST(amount AS DECIMAL(18,{d})) AS unsigned_credit FROM sole
"""),
    ]


def with_clause(steps: list[tuple[str, str]]) -> str:
    """``WITH`` and the steps as CTEs (empty text for no steps)."""
    if not steps:
        return ""
    return "WITH " + ",\n".join(f"{n} AS ({body})" for n, body in steps) + "\n"


def direct_ctes(definition: Definition, start: date, end: date, decimals: int, rounding: str) -> str:
    """The steps up to ``direct`` as one CTE list (without ``WITH``)."""
    return with_clause(direct_steps(definition, start, end, decimals, rounding))[len("WITH "):]


def direct_sql(definition: Definition, start: date, end: date, decimals: int, rounding: str) -> str:
    """The direct credits of the period (materialized once as ``direct``; the checks and the credit table read it)."""
    return f"WITH {direct_ctes(definition, start, end, decimals, rounding)} SELECT * FROM direct"


#: direct credits whose person has no assignment on the line's date (``known``: 1 if assigned at all)
UNASSIGNED = """WITH people AS (SELECT DISTINCT person FROM assign)
SELECT d.line_id, d.person, d.line_date, CASE WHEN p.person IS NULL THEN 0 ELSE 1 END AS known
FROM direct d
LEFT JOIN assign a ON a.person = d.person AND a.valid_from <= d.line_date AND d.line_date < a.valid_to
LEFT JOIN people p ON p.person = d.person
WHERE a.person IS NULL
ORDER BY d.line_id, d.person"""


def credits_sql(decimals: int, attributes: tuple[str, ...]) -> str:
    """The credit table, from the ``direct`` table: direct credits, then one roll-up row per event, role and ancestor."""
    d = decimals
    attrs = "".join(f", a.a_{name(n)} AS {name(n)}" for n in attributes)
    carried = "src, kind, event_id, line_id, amount_name, event_date, line_date, sign, amount, person, role"
    return f"""WITH events_in AS (SELECT DISTINCT ek, src, kind, event_id, line_id, amount_name, event_date, line_date, sign, amount FROM direct),
rolled_up AS (
  SELECT d.ek, h.ancestor AS person, d.role, MIN(h.depth) AS level,
         CAST(SUM(d.share) AS DECIMAL(9,6)) AS share, CAST(SUM(d.unsigned_credit) AS DECIMAL(18,{d})) AS unsigned_credit
  FROM direct d
  JOIN ancestors h ON h.person = d.person AND h.valid_from <= d.line_date AND d.line_date < h.valid_to
  GROUP BY d.ek, d.role, h.ancestor
),
rolled AS (
  SELECT e.ek, e.src, e.kind, e.event_id, e.line_id, e.amount_name, e.event_date, e.line_date, e.sign, e.amount,
         r.person, r.role, r.level, r.share, r.unsigned_credit
  FROM rolled_up r JOIN events_in e ON e.ek = r.ek
),
both_kinds AS (
  SELECT {carried}, 'direct' AS credit, 0 AS level, share, unsigned_credit FROM direct
  UNION ALL
  SELECT {carried}, 'rollup' AS credit, level, share, unsigned_credit FROM rolled
)
SELECT b.line_id, b.src AS source, b.kind, b.event_id, b.amount_name, b.event_date, b.line_date, b.person, b.role,
       b.credit, CAST(b.level AS INTEGER) AS level, b.share,
       CAST(CASE WHEN b.sign < 0 THEN 0 - b.amount ELSE b.amount END AS DECIMAL(18,{d})) AS amount,
       CAST(CASE WHEN b.sign < 0 THEN 0 - b.unsigned_credit ELSE b.unsigned_credit END AS DECIMAL(18,{d})) AS credited{attrs}
FROM both_kinds b
LEFT JOIN assign a ON a.person = b.person AND a.valid_from <= b.line_date AND b.line_date < a.valid_to"""


#: the order of the credit table as written (the engine's own order is arbitrary)
CREDITS_ORDER = "line_id, source, event_id, amount_name, credit, level, role, person"


def _condition(m: Measure) -> str:
    parts = [f"c.amount_name = '{name(m.amount)}'"]
    if m.role is not None:
        parts.append(f"c.role = {text_literal(m.role)}")
    if m.credit != "all":
        parts.append(f"c.credit = '{m.credit}'")
    parts += [f"f.r_{name(r)} = 1" for r in m.where]
    return " AND ".join(parts)


def recovered_condition(refunds: tuple[str, ...], start: date | None) -> str | None:
    """Credits of a clawed-back refund (of the adjustment sources ``refunds``) of a line dated before ``start``."""
    if not refunds or start is None:
        return None
    sources = ", ".join(text_literal(name(s)) for s in refunds)
    return f"(c.kind = 'refund' AND c.source IN ({sources}) AND c.line_date < {date_literal(start)})"


def measure_expr(m: Measure, decimals: int, recovered: str | None = None) -> str:
    cond = _condition(m)
    positive = f"{cond} AND c.kind <> 'refund'"  # counts and dates: lines and collections, never refunds
    if m.kind == "sum":
        if recovered is not None:  # a clawed-back refund is recovered from pay, not netted here
            cond = f"{cond} AND NOT {recovered}"
        return f"CAST(COALESCE(SUM(CASE WHEN {cond} THEN c.credited END), 0) AS DECIMAL(38,{decimals})) AS {name(m.id)}"
    if m.kind == "count":
        return f"CAST(COUNT(DISTINCT CASE WHEN {positive} THEN c.line_id END) AS BIGINT) AS {name(m.id)}"
    if m.kind == "count_distinct":
        assert m.column is not None
        return f"CAST(COUNT(DISTINCT CASE WHEN {positive} THEN f.c_{name(m.column)} END) AS BIGINT) AS {name(m.id)}"
    agg = "MIN" if m.kind == "earliest" else "MAX"
    return f"{agg}(CASE WHEN {positive} THEN c.event_date END) AS {name(m.id)}"


def measures_sql(definition: Definition, decimals: int, *, flags_staged: bool = False,
                 start: date | None = None) -> str:
    """One row per credited person: every measure over the ``credits`` table of the period (``start``: its
    first day, from which clawed-back refunds of earlier lines are left out of the sums)."""
    recovered = recovered_condition(definition.recovered, start)
    exprs = ",\n       ".join(measure_expr(m, decimals, recovered) for m in definition.measures)
    return _flags_cte(definition, flags_staged) + f"""
SELECT c.person,
       {exprs}
FROM credits c JOIN flags f ON f.line_id = c.line_id
GROUP BY c.person
ORDER BY c.person"""


def recoveries_sql(definition: Definition, refunds: tuple[str, ...], basis: Measure, start: date, *,
                   flags_staged: bool = False) -> str:
    """The credits a clawback recovers: refunds (of the sources ``refunds``) of lines dated before ``start``, as
    the ``basis`` measure counts them (its amount, role, credit kind and classifications), one row per credit."""
    recovered = recovered_condition(refunds, start)
    assert recovered is not None
    return _flags_cte(definition, flags_staged) + f"""
SELECT c.person, c.source, c.event_id, c.line_id, c.line_date, c.role, c.credit, c.level, c.credited
FROM credits c JOIN flags f ON f.line_id = c.line_id
WHERE {_condition(basis)} AND {recovered}
ORDER BY c.person, c.line_id, c.event_id, c.role, c.credit, c.level"""
