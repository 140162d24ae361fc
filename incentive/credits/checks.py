"""Bad-input rules across tables: adjustments of unknown lines, refunds beyond the line, lines nobody owns.

(Rules within one table are checked as it is read, in ``prepare`` and
``unique``; the rules that need the dated join -- a person unknown or not
assigned on the line's date -- run on the engine with the credits.) They
run as SQL on DuckDB over the staged tables, like ``unique``: joins of
millions of lines within DuckDB's memory limit, never frames of the whole.
"""

from __future__ import annotations

from incentive.credits import sql
from incentive.credits.definition import Definition
from incentive.credits.duck import DuckEngine
from incentive.credits.prepare import Prepared
from incentive.credits.values import Problems


def check_links(definition: Definition, data: Prepared) -> None:
    """``UsageError`` listing every adjustment of an unknown line, every refund beyond its line, every ownerless line."""
    problems = Problems()
    with DuckEngine() as eng:
        eng.load_staged("lines", data.lines)
        eng.load_staged("events", data.events)
        eng.load_staged("splits", data.splits)
        for adj in definition.adjustments:
            file = data.line_files[adj.name]
            src, of = sql.text_literal(adj.name), sql.text_literal(adj.of)
            unknown = eng.query(f"SELECT DISTINCT e.line_id, e.row FROM events e LEFT JOIN lines l ON l.line_id = e.line_id "
                                f"WHERE e.src = {src} AND (l.row IS NULL OR l.src <> {of}) ORDER BY e.row, e.line_id")
            for line_id, row in unknown.iter_rows():
                problems.add(file, row, adj.line, line_id, f"the id of a line of {data.line_files[adj.of]} "
                                                           f"({adj.kind} of an unknown line)")
            early = eng.query(f"SELECT e.line_id, e.event_date, l.line_date, e.row FROM events e "
                              f"JOIN lines l ON l.line_id = e.line_id WHERE e.src = {src} "
                              f"AND e.event_date < l.line_date ORDER BY e.row, e.ek")
            for line_id, when, line_date, row in early.iter_rows():
                problems.add(file, row, adj.date, when.isoformat(),
                             f"a date on or after its line's date {line_date.isoformat()} (line {line_id!r})")
            if adj.kind == "refund":
                _beyond(eng, adj.name, adj.of, file, {a.name: a.column for a in adj.amounts}, problems)
        if definition.lines:  # a null key matches no split row: the line is orphan
            orphan = eng.query("SELECT l.src, l.line_id, l.row FROM lines l WHERE l.person IS NULL "
                               "AND l.line_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM splits s "
                               "WHERE s.match_key = l.match_key) ORDER BY l.src, l.row")
            for src, line_id, row in orphan.iter_rows():
                source = next(s for s in definition.lines if s.name == src)
                problems.add(data.line_files[src], row, source.person or source.id, "" if source.person else line_id,
                             "a person: the line has none and no split row names one")
    problems.raise_any()


def _beyond(eng: DuckEngine, name: str, of: str, file: str, headers: dict[str, str], problems: Problems) -> None:
    """Refunds of one line and amount that add up to more than the line's amount."""
    over = eng.query(f"""WITH refunded AS (
  SELECT line_id, amount_name, SUM(amount) AS refunded, LIST(row ORDER BY row) AS rows FROM events
  WHERE src = {sql.text_literal(name)} GROUP BY line_id, amount_name)
SELECT r.line_id, r.amount_name, r.refunded, r.rows, o.amount AS line_amount FROM refunded r
JOIN events o ON o.src = {sql.text_literal(of)} AND o.line_id = r.line_id AND o.amount_name = r.amount_name
WHERE r.refunded > o.amount ORDER BY r.rows[1]""")
    for line_id, amount_name, total, rows, line_amount in over.iter_rows():
        problems.add(file, rows[-1], headers[amount_name], f"{total:f}",
                     f"refunds of line {line_id!r} of at most its {amount_name} {line_amount:f}; "
                     f"rows {', '.join(map(str, rows))} refund {total:f}")
