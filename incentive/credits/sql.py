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
a join -- only in the groups whose rounded total leaves units to hand out
(most two-way splits leave none). So the credits of a role sum
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


#: the columns of an event that the steps after ``flags`` read (the line's own come with it: ``prepare``)
EVENT_COLUMNS = ("ek", "lk", "amount_name", "kind", "sign", "event_date", "amount", "match_key", "line_person",
                 "line_date")


def flags_sql(definition: Definition) -> str:
    """Every event with its line's columns and one 0/1 flag per classification of the line (``r_<name>``), from
    the ``rule_values`` table. Each event carries its line's columns already (``prepare``): no join on lines."""
    joins, cols = [], []
    for i, rule in enumerate(definition.rules):
        alias = f"v{i}"
        joins.append(f"LEFT JOIN rule_values {alias} ON {alias}.rule = '{name(rule.name)}' "
                     f"AND {alias}.value = l.c_{name(rule.column)}")
        hit = f"{alias}.value IS NOT NULL"
        cols.append(f"CASE WHEN {hit} THEN {0 if rule.negate else 1} ELSE {1 if rule.negate else 0} END "
                    f"AS r_{name(rule.name)}")
    columns = ", ".join([f"l.{c}" for c in EVENT_COLUMNS] + [f"l.c_{name(c)}" for c in definition.column_names()] + cols)
    return f"SELECT {columns} FROM events l " + " ".join(joins)


def _in_period(start: date, end: date) -> str:
    return f"e.event_date >= {date_literal(start)} AND e.event_date < {date_literal(end)}"


def _included(definition: Definition, alias: str = "f") -> str:
    return " AND ".join(f"{alias}.r_{name(r)} = 1" for r in definition.include) or "1 = 1"


def _flags_cte(definition: Definition, staged: bool) -> str:
    """``flags`` as a CTE, or nothing when the engine keeps it as a table already (``staged``)."""
    return "" if staged else f"WITH flags AS ({flags_sql(definition)}) "


def counts_sql(definition: Definition, start: date, end: date, *, flags_staged: bool = False) -> str:
    """Events outside the period, and events in it excluded by ``include`` (the events alone when nothing is)."""
    outside = f"SUM(CASE WHEN NOT ({_in_period(start, end)}) THEN 1 ELSE 0 END) AS outside"
    if not definition.include:
        return f"SELECT {outside}, CAST(0 AS BIGINT) AS excluded FROM events e"
    return (_flags_cte(definition, flags_staged) +
            f"SELECT {outside}, "
            f"SUM(CASE WHEN ({_in_period(start, end)}) AND NOT ({_included(definition, 'e')}) THEN 1 ELSE 0 END) AS excluded "
            f"FROM flags e")


def direct_steps(definition: Definition, start: date, end: date, decimals: int, rounding: str) -> list[tuple[str, str]]:
    """The named steps up to ``direct``, in order: one row per event, person and role with its credited amount (unsigned).

    Each step is a query over the tables and the steps before it; as CTEs
    they are ``direct_ctes``. An engine may compute some of them once and
    keep them (``staged``): Spark inlines a CTE at every reference.

    The steps carry the event's integer key ``ek``, the few columns every
    measure tests (amount name, kind, sign) and the event columns the
    measures read (``measure_columns``), never the event's ids or its
    line's other text: ``direct`` is narrow, the measures never join the
    events back, and whatever needs more (the credit table) joins them by
    ``ek``.

    A line without split rows has one owner at 100%: its credit is the
    amount itself, no ranking needed. Only the split lines go through the
    largest-remainder steps.
    """
    d = decimals
    scale = _scale(d)
    exact_t = f"DECIMAL(28,{d + 6})"
    extra = measure_columns(definition)
    more, of_flags = "".join(f", ev.{c}" for c in extra), "".join(f", e.{c}" for c in extra)
    columns = "ek, amount_name, kind, sign, line_date, person, role, share" + "".join(f", {c}" for c in extra)
    unit = f"CAST({_unit(d)} AS DECIMAL({d + 1},{d}))"
    return [
        ("flags", flags_sql(definition)),
        ("ev", f"""
  SELECT e.ek, e.amount_name, e.kind, e.sign, e.amount, e.match_key, e.line_person, e.line_date{of_flags}
  FROM flags e
  WHERE {_in_period(start, end)} AND {_included(definition, 'e')}
"""),
        ("owned", "SELECT DISTINCT match_key FROM splits WHERE role = 'owner'"),
        ("sole", f"""
  SELECT ev.ek, ev.amount_name, ev.kind, ev.sign, ev.line_date, ev.amount, ev.line_person AS person, 'owner' AS role,
         CAST(1 AS DECIMAL(9,6)) AS share{more}
  FROM ev LEFT JOIN owned o ON o.match_key = ev.match_key
  WHERE o.match_key IS NULL AND ev.line_person IS NOT NULL
"""),
        ("exact", f"""
  SELECT ev.ek, ev.amount_name, ev.kind, ev.sign, ev.line_date, s.person, s.role, s.share{more},
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
        # ranks only where the role's rounded total leaves units to hand out (the others need none: a person
        # without a rank gets no extra unit)
        ("ranks", f"""
  SELECT a.ek, a.role, a.person, COUNT(*) AS remainder_rank
  FROM parts a JOIN totals t ON t.ek = a.ek AND t.role = a.role
  JOIN parts b ON b.ek = a.ek AND b.role = a.role
   AND (b.rest > a.rest OR (b.rest = a.rest AND b.person <= a.person))
  WHERE {round_units(f"t.role_exact * {scale}", rounding)} - t.role_base > 0
  GROUP BY a.ek, a.role, a.person
"""),
        ("units", """
  SELECT p.*, t.role_exact, t.role_base, r.remainder_rank
  FROM parts p
  JOIN totals t ON t.ek = p.ek AND t.role = p.role
  LEFT JOIN ranks r ON r.ek = p.ek AND r.role = p.role AND r.person = p.person
"""),
        ("credited", f"""
  SELECT {columns},
         CAST(CAST(base_units + CASE WHEN remainder_rank IS NOT NULL
                                      AND remainder_rank <= {round_units(f"role_exact * {scale}", rounding)} - role_base
                                     THEN 1 ELSE 0 END AS DECIMAL(20,0)) * {unit} AS DECIMAL(18,{d})) AS unsigned_credit,
         1 AS from_splits
  FROM units
  UNION ALL
  SELECT {columns}, CAST(amount AS DECIMAL(18,{d})) AS unsigned_credit, 0 AS from_splits FROM sole
"""),
        # the person's segment on the line's date (``hierarchy.segments``): the one range join of a run; null for a
        # person not assigned on that date (``UNASSIGNED``)
        ("direct", """
  SELECT c.*, g.seg
  FROM credited c
  LEFT JOIN segments g ON g.person = c.person AND g.seg_from <= c.line_date AND c.line_date < g.seg_to
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


#: one row if any direct credit's person has no assignment on the line's date (none otherwise)
ANY_UNASSIGNED = "SELECT ek FROM direct WHERE seg IS NULL LIMIT 1"

#: direct credits whose person has no assignment on the line's date (no segment; ``known``: 1 if assigned at all)
UNASSIGNED = """WITH people AS (SELECT DISTINCT person FROM assign),
missing AS (SELECT d.ek, d.person, d.line_date FROM direct d WHERE d.seg IS NULL)
SELECT e.line_id, m.person, m.line_date, CASE WHEN p.person IS NULL THEN 0 ELSE 1 END AS known
FROM missing m
JOIN events e ON e.ek = m.ek
LEFT JOIN people p ON p.person = m.person
ORDER BY e.line_id, m.person"""


def measure_columns(definition: Definition) -> tuple[str, ...]:
    """The event columns the measures read, carried by every credit row (``direct``, ``rolled``) so that no measure
    joins the events: the line key of a distinct count, the event date of earliest / latest, the column of a
    distinct count, the classification flags of ``where``."""
    out: dict[str, None] = {}
    for m in definition.measures:
        if m.kind == "count" and not once_per_line(definition, m):
            out["lk"] = None
        elif m.kind == "count_distinct":
            assert m.column is not None
            out[f"c_{name(m.column)}"] = None
        elif m.kind in ("earliest", "latest"):
            out["event_date"] = None
        out.update({f"r_{name(r)}": None for r in m.where})
    return tuple(out)


def rolled_sql(definition: Definition, decimals: int) -> str:
    """The roll-ups, from the ``direct`` table: one row per event, role and ancestor (each reached once).

    Only split credits need the grouping: a line's sole owner is the one
    credit of its event in role ``owner`` (a line with owner rows in the
    split table has no sole owner), and on one date a person's ancestors are
    distinct (a repeat is a cycle, refused), so each of its roll-ups is one
    row already. Grouping every credit by (event, role, ancestor) was the
    costliest step of a run of mostly unsplit lines. A credit finds its
    ancestors by its segment (``direct.seg``): an equi-join, no range.
    """
    d = decimals
    carried = "".join(f", d.{c}" for c in measure_columns(definition))
    grouped = "".join(f", MIN(d.{c}) AS {c}" for c in measure_columns(definition))  # one event: one value each
    on = "JOIN segment_ancestors h ON h.seg = d.seg"
    return f"""SELECT d.ek, d.amount_name, d.kind, d.sign, d.line_date, h.ancestor AS person, d.role, h.depth AS level,
       CAST(d.share AS DECIMAL(9,6)) AS share, CAST(d.unsigned_credit AS DECIMAL(18,{d})) AS unsigned_credit{carried}
FROM direct d
{on}
WHERE d.from_splits = 0
UNION ALL
SELECT d.ek, MIN(d.amount_name) AS amount_name, MIN(d.kind) AS kind, MIN(d.sign) AS sign, MIN(d.line_date) AS line_date,
       h.ancestor AS person, d.role, MIN(h.depth) AS level,
       CAST(SUM(d.share) AS DECIMAL(9,6)) AS share, CAST(SUM(d.unsigned_credit) AS DECIMAL(18,{d})) AS unsigned_credit{grouped}
FROM direct d
{on}
WHERE d.from_splits = 1
GROUP BY d.ek, d.role, h.ancestor"""


def _both_kinds(rolled: str) -> str:
    """Direct and roll-up credits as one narrow relation (``rolled``: a table or a parenthesised query)."""
    return f"""SELECT ek, line_date, person, role, 'direct' AS credit, 0 AS level, share, unsigned_credit FROM direct
  UNION ALL
  SELECT ek, line_date, person, role, 'rollup' AS credit, level, share, unsigned_credit FROM {rolled} r"""


def credits_sql(decimals: int, attributes: tuple[str, ...], *, rolled: str = "rolled") -> str:
    """The credit table, from the ``direct`` and ``rolled`` tables, each row with its event's columns and the
    person's attributes on the line's date."""
    d = decimals
    attrs = "".join(f", a.a_{name(n)} AS {name(n)}" for n in attributes)
    return f"""WITH both_kinds AS ({_both_kinds(rolled)})
SELECT e.line_id, e.src AS source, e.kind, e.event_id, e.amount_name, e.event_date, b.line_date, b.person, b.role,
       b.credit, CAST(b.level AS INTEGER) AS level, b.share,
       CAST(CASE WHEN e.sign < 0 THEN 0 - e.amount ELSE e.amount END AS DECIMAL(18,{d})) AS amount,
       CAST(CASE WHEN e.sign < 0 THEN 0 - b.unsigned_credit ELSE b.unsigned_credit END AS DECIMAL(18,{d})) AS credited{attrs}
FROM both_kinds b
JOIN events e ON e.ek = b.ek
LEFT JOIN assign a ON a.person = b.person AND a.valid_from <= b.line_date AND b.line_date < a.valid_to"""


#: the order of the credit table as written (the engine's own order is arbitrary)
CREDITS_ORDER = "line_id, source, event_id, amount_name, credit, level, role, person"


def _condition(m: Measure) -> str:
    parts = [f"c.amount_name = '{name(m.amount)}'"]
    if m.role is not None:
        parts.append(f"c.role = {text_literal(m.role)}")
    if m.credit != "all":
        parts.append(f"c.credit = '{m.credit}'")
    parts += [f"c.r_{name(r)} = 1" for r in m.where]
    return " AND ".join(parts)


def recovered_events(refunds: tuple[str, ...], start: date) -> str:
    """The events of a clawed-back refund (of the adjustment sources ``refunds``) of a line dated before
    ``start``: a few refunds, so a small build side wherever it is joined."""
    sources = ", ".join(text_literal(name(s)) for s in refunds)
    return (f"SELECT ek AS rk FROM events WHERE kind = 'refund' AND src IN ({sources}) "
            f"AND line_date < {date_literal(start)}")


def rollup_sums_sql() -> str:
    """Roll-up credits for sums only: the direct credits summed per segment first (``direct.seg``), then handed to
    the segment's ancestors -- a few rows per person instead of a row per line and ancestor.

    Exact because a sum does not care how its credits are grouped: the
    roll-up of a split line (each ancestor once per role, ``rolled_sql``)
    is the sum of its people's credits, and so is this. No event key
    (``ek``): only for measures that read nothing of the events."""
    return """SELECT CAST(NULL AS BIGINT) AS ek, h.ancestor AS person, g.role, g.amount_name, g.kind, g.sign,
       g.unsigned_credit
FROM (SELECT seg, role, amount_name, kind, sign, SUM(unsigned_credit) AS unsigned_credit
      FROM direct GROUP BY seg, role, amount_name, kind, sign) g
JOIN segment_ancestors h ON h.seg = g.seg"""


def once_per_line(definition: Definition, m: Measure) -> bool:
    """Is a ``count`` measure's credit row unique per person and line, so that counting rows counts lines?

    So when the measure names its role and reads direct or roll-up credits
    (one row per event, person and role: ``direct_steps`` / ``rolled_sql``)
    and its amount has no event but the line's own (no collection of it):
    the distinct count, a hash table per person, becomes a plain count."""
    more = {a.name for adj in definition.adjustments if adj.kind != "refund" for a in adj.amounts}
    return m.kind == "count" and m.role is not None and m.credit in ("direct", "rollup") and m.amount not in more


def measure_expr(m: Measure, decimals: int, recovered: bool = False, once: bool = False) -> str:
    """The aggregate of measure ``m`` over credits ``c`` (amount name, kind, sign, role, credit, unsigned credit and
    the event columns of ``measure_columns``: line key, event date, classification columns and flags).
    ``recovered``: the credits carry ``rv.rk``, set for a clawed-back refund, which no sum counts. ``once``: a
    count whose rows are one per line (``once_per_line``)."""
    cond = _condition(m)
    positive = f"{cond} AND c.kind <> 'refund'"  # counts and dates: lines and collections, never refunds
    if once:
        return f"CAST(COUNT(CASE WHEN {positive} THEN 1 END) AS BIGINT) AS {name(m.id)}"
    if m.kind == "sum":
        if recovered:  # recovered from pay by the clawback at the close, not netted from this period's sums
            cond = f"{cond} AND rv.rk IS NULL"
        credited = "CASE WHEN c.sign < 0 THEN 0 - c.unsigned_credit ELSE c.unsigned_credit END"
        return f"CAST(COALESCE(SUM(CASE WHEN {cond} THEN {credited} END), 0) AS DECIMAL(38,{decimals})) AS {name(m.id)}"
    if m.kind == "count":  # distinct lines: a line's integer key stands for its (unique) id
        return f"CAST(COUNT(DISTINCT CASE WHEN {positive} THEN c.lk END) AS BIGINT) AS {name(m.id)}"
    if m.kind == "count_distinct":
        assert m.column is not None
        return f"CAST(COUNT(DISTINCT CASE WHEN {positive} THEN c.c_{name(m.column)} END) AS BIGINT) AS {name(m.id)}"
    agg = "MIN" if m.kind == "earliest" else "MAX"
    return f"{agg}(CASE WHEN {positive} THEN c.event_date END) AS {name(m.id)}"


def _final(m: Measure, decimals: int, alias: str) -> str:
    """Measure ``m`` of a person from aggregate ``alias`` (null where the person has no row there)."""
    if m.kind == "sum":
        return f"CAST(COALESCE({alias}.{name(m.id)}, 0) AS DECIMAL(38,{decimals})) AS {name(m.id)}"
    if m.kind in ("count", "count_distinct"):
        return f"CAST(COALESCE({alias}.{name(m.id)}, 0) AS BIGINT) AS {name(m.id)}"
    return f"{alias}.{name(m.id)} AS {name(m.id)}"


def measures_sql(definition: Definition, decimals: int, *, rolled: str = "rolled", start: date | None = None) -> str:
    """One row per credited person (direct or roll-up): every measure, from the narrow credits -- never the wide
    credit table.

    Measures are aggregated by the credits they read: direct only (over
    ``direct``), roll-ups only (over ``rolled``), or all (over both), then put
    side by side per person; every credit row carries the event columns the
    measures read (``measure_columns``), so no aggregate joins the events
    (only a clawback's recovered refunds, a small relation). An aggregate
    of plain sums takes its roll-ups already summed per segment
    (``rollup_sums_sql``): no row per line and ancestor is made at all. A
    count whose rows are one per line (``once_per_line``) counts rows.
    """
    base = "ek, person, role, amount_name, kind, sign, unsigned_credit"
    carried = base + "".join(f", {c}" for c in measure_columns(definition))
    sums = f"({rollup_sums_sql()})"

    def part(g: str, roll: str, cols: str) -> str:
        rollup = f"SELECT 'rollup' AS credit, {cols} FROM {roll} r"
        return {"direct": f"SELECT 'direct' AS credit, {cols} FROM direct", "rollup": rollup,
                "all": f"SELECT 'direct' AS credit, {cols} FROM direct UNION ALL {rollup}"}[g]
    ctes = []
    groups = [(g, [m for m in definition.measures if m.credit == g]) for g in ("direct", "rollup", "all")]
    groups = [(g, ms) for g, ms in groups if ms]
    people = []
    # ``start``: the period's first day, before which refunds of the clawbacks' sources (Definition.recovered)
    # are recovered at the close instead of lowering the sums
    recover = bool(definition.recovered) and start is not None
    for g, ms in groups:
        recovered = recover and any(m.kind == "sum" for m in ms)
        exprs = ", ".join(measure_expr(m, decimals, recovered, once_per_line(definition, m)) for m in ms)
        join = ""
        if recovered:
            assert start is not None
            join = f" LEFT JOIN ({recovered_events(definition.recovered, start)}) rv ON rv.rk = c.ek"
        plain_sums = all(m.kind == "sum" and not m.where for m in ms) and not recovered
        source = part(g, sums, base) if plain_sums else part(g, rolled, carried)
        ctes.append(f"m_{g} AS (SELECT c.person, {exprs} FROM ({source}) c{join} GROUP BY c.person)")
        people.append(f"SELECT person FROM m_{g}")
    kinds = {g for g, _ in groups}
    if not kinds & {"direct", "all"}:
        people.append("SELECT person FROM direct")
    if not kinds & {"rollup", "all"}:  # the people reached by a roll-up, whether or not a measure reads them
        people.append(f"SELECT person FROM {sums} r")
    ctes.append(f"people AS ({' UNION '.join(people)})")
    joins = " ".join(f"LEFT JOIN m_{g} ON m_{g}.person = p.person" for g, _ in groups)
    finals = ",\n       ".join(_final(m, decimals, f"m_{m.credit}") for m in definition.measures)
    with_list = ",\n".join(ctes)
    return f"""WITH {with_list}
SELECT p.person,
       {finals}
FROM people p {joins}
ORDER BY p.person"""


def recoveries_sql(definition: Definition, refunds: tuple[str, ...], basis: Measure, start: date, decimals: int, *,
                   flags_staged: bool = False, rolled: str = "rolled") -> str:
    """The credits a clawback recovers: refunds (of the sources ``refunds``) of lines dated before ``start``, as
    the ``basis`` measure counts them (its amount, role, credit kind and classifications), one row per credit."""
    parts = [f"e.amount_name = '{name(basis.amount)}'"]
    if basis.role is not None:
        parts.append(f"b.role = {text_literal(basis.role)}")
    if basis.credit != "all":
        parts.append(f"b.credit = '{basis.credit}'")
    flags = "flags" if flags_staged else f"({flags_sql(definition)})"
    join = f" JOIN {flags} f ON f.ek = b.ek" if basis.where else ""
    parts += [f"f.r_{name(r)} = 1" for r in basis.where]
    return f"""WITH both_kinds AS ({_both_kinds(rolled)})
SELECT b.person, e.src AS source, e.event_id, e.line_id, b.line_date, b.role, b.credit, CAST(b.level AS INTEGER) AS level,
       CAST(CASE WHEN e.sign < 0 THEN 0 - b.unsigned_credit ELSE b.unsigned_credit END AS DECIMAL(18,{decimals})) AS credited
FROM both_kinds b
JOIN events e ON e.ek = b.ek{join}
JOIN ({recovered_events(refunds, start)}) rv ON rv.rk = b.ek
WHERE {" AND ".join(parts)}
ORDER BY b.person, e.line_id, e.event_id, b.role, b.credit, level"""
