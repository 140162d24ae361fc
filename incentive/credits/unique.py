"""The rules within one table that need all its rows at once: unique line ids, split rows and shares.

They run as SQL on DuckDB over the staged tables (``staged``), whatever
engine credits: a table of 50 million lines is grouped within DuckDB's
memory limit (spilling beyond it), never as a frame. Each check is a cheap
probe first -- keys grouped by their hash -- and the exact query that
lists the offending rows runs only when the probe finds something.
"""

from __future__ import annotations

from incentive.credits.definition import Definition
from incentive.credits.duck import DuckEngine
from incentive.credits.staged import Staged
from incentive.credits.values import Problems


def _repeated(eng: DuckEngine, table: str, keys: str, where: str) -> bool:
    """Whether some key of ``table`` (its columns ``keys``) may repeat: two rows share its hash."""
    probe = f"SELECT 1 FROM {table} WHERE {where} GROUP BY hash({keys}) HAVING COUNT(*) > 1 LIMIT 1"
    return bool(eng.query(probe).height)


def check_unique(definition: Definition, lines: Staged, splits: Staged, files: dict[str, str],
                 problems: Problems) -> None:
    """Every repeated line id, repeated split person and split shares over the limit, added to ``problems``."""
    with DuckEngine() as eng:
        eng.load_staged("lines", lines)
        eng.load_staged("splits", splits)
        _duplicate_lines(eng, definition, files, problems)
        if definition.splits is not None:
            _split_rows(eng, definition, files["splits"], problems)


def _duplicate_lines(eng: DuckEngine, definition: Definition, files: dict[str, str], problems: Problems) -> None:
    if not _repeated(eng, "lines", "line_id", "line_id IS NOT NULL"):
        return
    headers = {s.name: s.id for s in definition.lines}
    dup = eng.query("SELECT l.line_id, l.src, l.row FROM lines l JOIN (SELECT line_id FROM lines "
                    "WHERE line_id IS NOT NULL GROUP BY line_id HAVING COUNT(*) > 1) d ON d.line_id = l.line_id "
                    "ORDER BY l.src, l.row")
    first: dict[str, tuple[str, int]] = {}
    for line_id, src, row in dup.iter_rows():
        if line_id in first:
            f0, r0 = first[line_id]
            where = f"row {r0}" if f0 == src else f"{files[f0]} row {r0}"
            problems.add(files[src], row, headers[src], line_id, f"a unique line id; {where} has the same")
        else:
            first[line_id] = (src, row)


def _split_rows(eng: DuckEngine, definition: Definition, file: str, problems: Problems) -> None:
    sp = definition.splits
    assert sp is not None
    if _repeated(eng, "splits", "match_key, role, person", "TRUE"):
        dup = eng.query("SELECT s.match_key, s.role, s.person, s.row FROM splits s JOIN (SELECT match_key, role, person "
                        "FROM splits GROUP BY match_key, role, person HAVING COUNT(*) > 1) d "
                        "ON d.match_key = s.match_key AND d.role = s.role AND d.person = s.person ORDER BY s.row")
        first: dict[tuple, int] = {}
        for key, role, person, row in dup.iter_rows():
            k = (key, role, person)
            if k in first:
                problems.add(file, row, sp.person, " / ".join(k), f"a unique person per line and role; "
                                                                   f"row {first[k]} has the same")
            else:
                first[k] = row
    limit = "exactly 100%" if sp.exact else "at most 100%"
    wrong = "<> 1" if sp.exact else "> 1"
    over = eng.query(f"""WITH over AS (
  SELECT match_key, role, SUM(share) AS total FROM splits WHERE share IS NOT NULL
  GROUP BY match_key, role HAVING SUM(share) {wrong})
SELECT o.match_key, o.role, o.total, LIST(s.row ORDER BY s.row) AS rows
FROM over o JOIN splits s ON s.match_key = o.match_key AND s.role = o.role AND s.share IS NOT NULL
GROUP BY o.match_key, o.role, o.total ORDER BY MIN(s.row)""")  # the rows of the offending lines only
    for key, role, total, rows in over.iter_rows():
        problems.add(file, rows[0], sp.share, f"{total.normalize():f}",
                     f"shares of line {key!r} in role {role!r} summing to {limit}; rows {', '.join(map(str, rows))} "
                     f"sum to {(total * 100).normalize():f}%")
