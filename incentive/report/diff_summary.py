"""Terminal tables for ``diff`` and ``sweep``: what a plan change costs and who moves.

Compact tabulate tables a manager reads in a minute: cost by component and
by group (old / new / delta / delta %), band counts and the migration
matrix, the biggest gainers and losers, and percentiles of total payout.
Amounts are exact decimals formatted with the policy's money decimals;
deltas carry an explicit sign so a cut never reads as a raise.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from tabulate import tabulate

from incentive.compare.diff import Diff
from incentive.compare.sweep import Sweep
from incentive.report.explain import fmt
from incentive.report.terminal import printable_cell

Table = tuple[str, list[str], list[list[str]]]

#: groups listed in the cost-by-group table; beyond that, those with the largest change
MAX_GROUPS = 30


def money(value: Decimal | None, decimals: int) -> str:
    return fmt(value if value is not None else Decimal(0), decimals)


def signed(value: Decimal | None, decimals: int) -> str:
    value = value if value is not None else Decimal(0)
    text = fmt(abs(value), decimals)
    if value > 0:
        return "+" + text
    return "-" + text if value < 0 else text


def pct_text(old: Decimal, new: Decimal, pct: Decimal | None) -> str:
    if pct is None:
        return "—" if new == old else "new"
    return "0.0%" if new == old else f"{pct:+,.1f}%"


def _transition(old: str | None, new: str | None) -> str:
    a, b = old or "-", new or "-"
    return a if a == b else f"{a} → {b}"


def diff_tables(diff: Diff, lang: str = "en") -> list[Table]:
    """(title, headers, rows) for each table of the diff summary."""
    t = (lambda en, zh: zh) if lang == "zh" else (lambda en, zh: en)
    d = diff.money_decimals
    tables: list[Table] = []

    rows = []
    for line in diff.costs:
        name = {"payout": f"{line.id} ({line.label})", "penalty": f"− {line.id} ({line.label})",
                "total": t("total", "合计") + f" ({diff.currency})"}[line.kind]
        rows.append([name, money(line.old, d), money(line.new, d), signed(line.delta, d),
                     pct_text(line.old, line.new, line.pct)])
    tables.append((t(f"cost by component — {diff.headcount} people, {diff.new.period.label}",
                     f"各项成本 — {diff.headcount} 人，{diff.new.period.label}"),
                   ["", t("old", "原方案"), t("new", "新方案"), t("delta", "变化"), t("delta %", "变化 %")], rows))

    if diff.groups:
        keys = list(diff.group_columns)
        shown = list(diff.groups)
        title = t("cost by ", "成本，按 ") + ", ".join(keys)
        if len(shown) > MAX_GROUPS:  # many small groups (e.g. --by team): the ones that change most
            shown = sorted(shown, key=lambda g: (-abs(g.delta), [str(k) for k in g.key]))[:MAX_GROUPS]
            shown.sort(key=lambda g: [("" if k is None else str(k)) for k in g.key])
            title += t(f" — the {MAX_GROUPS} of {len(diff.groups)} groups with the largest change",
                       f" — {len(diff.groups)} 组中变化最大的 {MAX_GROUPS} 组")
        tables.append((title, keys + [t("people", "人数"), t("old", "原方案"), t("new", "新方案"), t("delta", "变化"),
                                      t("delta %", "变化 %")],
                       [[("" if k is None else str(k)) for k in g.key]
                        + [str(g.people), money(g.old, d), money(g.new, d), signed(g.delta, d),
                           pct_text(g.old, g.new, g.pct)] for g in shown]))

    shown_band = (lambda b: "（未排名）" if b == "(none)" else b) if lang == "zh" else (lambda b: b)
    if any(b != "(none)" for b in diff.bands):
        tables.append((t("bands", "档位"), [t("band", "档位"), t("old", "原方案"), t("new", "新方案"), t("delta", "变化")],
                       [[shown_band(b), str(o), str(n), f"{n - o:+d}" if n != o else "0"] for b, o, n in diff.band_counts()]))
        cols = [sum(row[j] for row in diff.migration) for j in range(len(diff.bands))]
        matrix = [[shown_band(b), *(str(n) for n in row), str(sum(row))] for b, row in zip(diff.bands, diff.migration)]
        matrix.append([t("total", "合计"), *(str(n) for n in cols), str(diff.headcount)])
        tables.append((t(f"band migration — rows: old band, columns: new band ({diff.moved()} people moved)",
                         f"档位迁移 — 行：原档位，列：新档位（{diff.moved()} 人变动）"),
                       [t("old \\ new", "原 \\ 新"), *map(shown_band, diff.bands), t("total", "合计")], matrix))

    for title, frame in ((t("biggest gainers", "增幅最大"), diff.gainers), (t("biggest losers", "降幅最大"), diff.losers)):
        if not frame.height:
            continue
        head = ([t("id", "工号")] + ([t("name", "姓名")] if diff.name_column else [])
                + [t("old", "原方案"), t("new", "新方案"), t("delta", "变化"), t("band", "档位")])
        body = []
        for r in frame.iter_rows(named=True):
            body.append([str(r[diff.id_column])] + ([str(r[diff.name_column] or "")] if diff.name_column else [])
                        + [money(r["total.old"], d), money(r["total.new"], d), signed(r["total.delta"], d),
                           _transition(r["band.old"], r["band.new"])])
        tables.append((title + t(" (total payout)", "（总奖金）"), head, body))

    if diff.headcount:
        names = [p for p, _, _ in diff.percentiles]
        olds = [money(o, d) if o is not None else t("none", "无") for _, o, _ in diff.percentiles]
        news = [money(n, d) if n is not None else t("none", "无") for _, _, n in diff.percentiles]
        deltas = [signed((n or Decimal(0)) - (o or Decimal(0)), d) for _, o, n in diff.percentiles]
        tables.append((t("total payout per person (nearest rank)", "人均总奖金（最近秩）"), ["", *names],
                       [[t("old", "原方案"), *olds], [t("new", "新方案"), *news], [t("delta", "变化"), *deltas]]))
    return tables


def render_tables(tables: list[Table], header: Sequence[str] = ()) -> str:
    out = [printable_cell(h) for h in header]
    if header:
        out.append("")
    for title, headers, rows in tables:  # every cell escaped: names and groups come from the data (D14)
        out.append(printable_cell(title))
        out.append(tabulate([[printable_cell(c) for c in row] for row in rows],
                            headers=[printable_cell(h) for h in headers], tablefmt="simple", disable_numparse=True))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_diff(diff: Diff, lang: str = "en") -> str:
    old, new = ("原方案", "新方案") if lang == "zh" else ("old", "new")
    header = [f"{old}: {diff.old_name}", f"{new}: {diff.new_name}"]
    return render_tables(diff_tables(diff, lang), header)


def sweep_tables(sweep: Sweep, lang: str = "en") -> list[Table]:
    t = (lambda en, zh: zh) if lang == "zh" else (lambda en, zh: en)
    decimals, currency = sweep.money_decimals, sweep.currency
    comps, pens, bands = sweep.components(), sweep.penalties(), sweep.bands()
    first = sweep.points[0].costs.get("total", Decimal(0)) if sweep.points else Decimal(0)
    headers = [sweep.path, t("people", "人数"), *comps, *(f"− {p}" for p in pens), t("total", "合计") + f" ({currency})",
               t("vs first", "与首个相比"), *(t(f"band {b}", "未排名" if b == "(none)" else f"{b} 档") for b in bands)]
    rows = []
    for p in sweep.points:
        total = p.costs.get("total", Decimal(0))
        rows.append([p.value, str(p.people), *(money(p.costs.get(c), decimals) for c in comps),
                     *(money(p.costs.get(c), decimals) for c in pens), money(total, decimals),
                     signed(total - first, decimals), *(str(p.bands.get(b, 0)) for b in bands)])
    return [(t(f"sweep of {sweep.path} — {len(sweep.points)} evaluations",
               f"参数扫描 {sweep.path} — {len(sweep.points)} 次评估"), headers, rows)]


def render_sweep(sweep: Sweep, lang: str = "en") -> str:
    return render_tables(sweep_tables(sweep, lang))
