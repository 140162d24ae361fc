"""The terminal summary of an evaluation: headcount, cost, bands, scores.

Small tables (tabulate) a comp analyst reads at a glance: totals by
component, by group and by band, and the score distribution. All sums are
exact decimals.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from tabulate import tabulate

from incentive.engine.results import Results
from incentive.policy.model import Policy, label_text
from incentive.report.explain import fmt
from incentive.report.terminal import printable, printable_cell
from incentive.report.forfeits import forfeit_totals
from incentive.report.forfeits import check_totals
from incentive.report.words import word


def summary_tables(results: Results, lang: str = "en") -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, rows) for each table (``EvaluationError`` when a total leaves the engine's range)."""
    check_totals(results)
    checked = results.checked
    policy = checked.policy
    d = policy.money.decimals

    def money(v: object) -> str:
        return fmt(v if v is not None else Decimal(0), d)

    comps = [p.id for p in policy.payouts]
    pens = [p.id for p in policy.penalties]
    groups = list(policy.ranking.within) if policy.ranking is not None else []
    # only the columns the tables read: a group-by over the whole result frame copies dozens of columns
    wanted = dict.fromkeys([*comps, *pens, "total", "band", "score", "eligible", *groups])
    frame = results.frame.select([c for c in wanted if c in results.frame.columns])
    tables: list[tuple[str, list[str], list[list[str]]]] = []

    rows = [[word(lang, "headcount"), str(frame.height)]]
    if policy.ranking is not None and "eligible" in frame.columns:
        rows.append([word(lang, "ranked"), str(frame.get_column("band").is_not_null().sum())])
    for c in comps:
        p = next(x for x in policy.payouts if x.id == c)
        rows.append([f"{c} ({label_text(p.label, lang, c)})", money(frame.get_column(c).sum())])
    for c in pens:
        pen = next(x for x in policy.penalties if x.id == c)
        rows.append([f"− {c} ({label_text(pen.label, lang, c)})", money(frame.get_column(c).sum())])
    for pen, taken in forfeit_totals(results):  # A4: a veto's 0.00 above hides what it took
        rows.append([word(lang, "forfeited by", id=pen.id, label=label_text(pen.label, lang, pen.id)), money(taken)])
    rows.append([f"{word(lang, 'total')} ({policy.currency})", money(frame.get_column("total").sum())])
    tables.append((f"{policy.id} {policy.version} — {results.period.label}", ["", word(lang, "amount")], rows))

    if policy.ranking is not None and policy.ranking.within:
        keys = list(policy.ranking.within)
        g = frame.group_by(keys).agg(pl.len().alias("n"), *[pl.col(c).sum() for c in comps + ["total"]]).sort(keys)
        tables.append((word(lang, "by", groups=", ".join(_group_label(policy, k, lang) for k in keys)),
                       [_group_label(policy, k, lang) for k in keys] + [word(lang, "people")]
                       + [_payout_label(policy, c, lang) for c in comps] + [word(lang, "total")],
                       [[str(r[k]) for k in keys] + [str(r["n"])] + [money(r[c]) for c in comps + ["total"]]
                        for r in g.iter_rows(named=True)]))
    if policy.ranking is not None:
        # a policy without kpis has no score (B6): it ranks by another quantity, the score range stays empty
        score = pl.col("score") if "score" in frame.columns else pl.lit(None, dtype=pl.Decimal(38, 12))
        b = frame.group_by("band").agg(pl.len().alias("n"), score.min().alias("lo"),
                                       score.max().alias("hi"), pl.col("total").sum().alias("t"))
        order = {band.id: i for i, band in enumerate(policy.ranking.bands)}
        b = b.with_columns(pl.col("band").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("o")).sort("o")
        tables.append((word(lang, "bands"), [word(lang, k) for k in ("band", "people", "lowest score", "highest score", "total")],
                       [[r["band"] or word(lang, "not ranked"), str(r["n"]), _score_text(r["lo"]), _score_text(r["hi"]), money(r["t"])]
                        for r in b.iter_rows(named=True)]))
    if "score" in frame.columns and frame.height:
        s = frame.get_column("score").drop_nulls().sort()
        if s.len():
            qs = [("min", 0), ("p10", 10), ("p25", 25), ("median", 50), ("p75", 75), ("p90", 90), ("max", 100)]
            vals = [fmt(s[min(s.len() - 1, (s.len() - 1) * q // 100)]) for _, q in qs]
            tables.append((word(lang, "score distribution"), [word(lang, n) for n, _ in qs], [vals]))
    return tables


def _group_label(policy: Policy, column: str, lang: str) -> str:
    """A group column by its input label (地区 for region) in Chinese; the id in English, as before."""
    if lang == "en":
        return column
    inp = next((i for i in policy.inputs if i.id == column), None)
    return label_text(inp.label, lang, inp.header) if inp is not None else column


def _payout_label(policy: Policy, pid: str, lang: str) -> str:
    if lang == "en":
        return pid
    p = next((x for x in policy.payouts if x.id == pid), None)
    return label_text(p.label, lang, pid) if p is not None else pid


def _score_text(value: object) -> str:
    return "—" if value is None else fmt(value)


def warnings_text(results: Results) -> str:
    """Data warnings (ignored columns, defaults used), for stderr."""
    return "".join(f"warning: {printable(w)}\n" for w in results.warnings)


def render(results: Results, lang: str = "en") -> str:
    out = []
    for title, headers, rows in summary_tables(results, lang):
        out.append(printable_cell(title))
        cells = [[printable_cell(cell) for cell in row] for row in rows]
        out.append(tabulate(cells, headers=[printable_cell(h) for h in headers], tablefmt="simple",
                            disable_numparse=True))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
