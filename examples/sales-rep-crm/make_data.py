"""Make the CRM example: the orders behind examples/sales-rep/2026-Q1.csv, as a CRM exports them.

For each of the 48 reps of the sales-rep example, 2026-Q1's 销售额, 回款额
and 新客户数 are turned into order lines (订单) whose credits add up to
exactly those numbers: a few orders per rep, the first 新客户数 of them to new
customers; collections (回款) spread over the rep's own orders. On top:

- split deals, 50/50 between two reps of one team (分单; splits.csv);
- a mid-quarter team move: E005 works in 华东二组 until 2026-02-16, then in
  华东一组 (org.csv): each of her lines is credited to the team (and team
  lead) that held it on its date;
- an order already void in Q1 (订单状态 已作废): excluded by classification;
- a cancellation in the next quarter (作废, 2026-04-08, refunds.csv): Q1 is
  untouched, the negative credit lands in 2026-Q2;
- an org of team leads (L01..), regional directors (D01..) and a VP, who get
  the roll-ups but are not in the plan's people file.

people.csv holds the non-deal columns of 2026-Q1.csv (target, hire date,
satisfaction ...). So

    incentive credit rules/sales-rep.yaml orders=examples/sales-rep-crm/orders.csv \\
        refunds=examples/sales-rep-crm/refunds.csv splits=examples/sales-rep-crm/splits.csv \\
        assignments=examples/sales-rep-crm/org.csv people=examples/sales-rep-crm/people.csv \\
        --crediting examples/sales-rep-crm/crediting.yaml --period 2026-Q1 --out out/crm

writes a period.csv that evaluates exactly as examples/sales-rep/2026-Q1.csv.

    python examples/sales-rep-crm/make_data.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "sales-rep" / "2026-Q1.csv"
PEOPLE_COLUMNS = ["工号", "姓名", "区域", "团队", "入职日期", "销售目标", "客户满意度", "销售周期天数", "日报缺交次数",
                  "合规违规", "目标奖金", "员工状态", "性别"]
ORDER_COLUMNS = ["订单编号", "客户名称", "客户类型", "产品线", "负责人工号", "下单日期", "订单金额", "回款日期", "回款金额",
                 "订单状态"]
COMPANIES = "华兴 东方 瑞达 恒信 金桥 天成 宏图 博远 海纳 联创 正泰 新元 启明 中科 鼎盛 安泰 德信 嘉禾 万通 永安".split()
TRADES = "科技 贸易 制造 物流 医疗 教育 建材 食品".split()
PRODUCTS = ["标准版", "专业版", "企业版"]
MOVER, MOVE_DAY, FIRST_TEAM = "E005", date(2026, 2, 16), "华东二组"
Q1 = date(2026, 1, 1)


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def money(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def main() -> None:
    rng = random.Random(2026)
    with SOURCE.open(encoding="utf-8-sig", newline="") as f:
        reps = list(csv.DictReader(f))
    revenue = {r["工号"]: cents(r["销售额"]) for r in reps}
    collected = {r["工号"]: cents(r["回款额"]) for r in reps}
    new = {r["工号"]: int(r["新客户数"]) for r in reps}
    team = {r["工号"]: r["团队"] for r in reps}
    orders: list[list[str]] = []
    splits: list[list[str]] = []
    serial = iter(range(1, 10_000))

    def order_id() -> str:
        return f"SO2026{next(serial):04d}"

    def customer(kind: str) -> str:
        return f"{rng.choice(COMPANIES)}{rng.choice(TRADES)}有限公司" if kind == "老客户" else \
            f"{rng.choice(COMPANIES)}{rng.choice(TRADES)}{next(serial):03d}有限公司"

    def day(lo: int = 0, hi: int = 78) -> date:
        return Q1 + timedelta(days=rng.randint(lo, hi))

    # split deals (one per team of the first four), 50/50 between two reps of one team, never collected in Q1
    by_team: dict[str, list[str]] = {}
    for r in reps:
        by_team.setdefault(r["团队"], []).append(r["工号"])
    for members in list(by_team.values())[:4]:
        x, y = members[0], members[1]
        half = min(revenue[x] - collected[x], revenue[y] - collected[y], min(revenue[x], revenue[y]) // 10)
        if half <= 0:
            continue
        line = order_id()
        when = day(10, 60) if MOVER not in (x, y) else day(50, 70)
        orders.append([line, customer("老客户"), "老客户", "企业版", x, when.isoformat(), money(2 * half), "", "", "已完成"])
        splits += [[line, x, "owner", "50%"], [line, y, "owner", "50%"]]
        revenue[x] -= half
        revenue[y] -= half
    for r in reps:
        rep = r["工号"]
        k = max(new[rep], 3) + rng.randint(0, 2)
        weights = [rng.randint(5, 20) for _ in range(k)]
        amounts = [revenue[rep] * w // sum(weights) for w in weights]
        amounts[-1] += revenue[rep] - sum(amounts)
        left = collected[rep]
        for j, amount in enumerate(amounts):
            kind = "新客户" if j < new[rep] else "老客户"
            when = day()
            if rep == MOVER:  # half of her lines before the move, half after
                when = day(5, 40) if j % 2 == 0 else day(50, 78)
            got = min(amount, left)
            left -= got
            paid = (when + timedelta(days=rng.randint(1, 10))).isoformat() if got else ""
            orders.append([order_id(), customer(kind), kind, rng.choice(PRODUCTS), rep, when.isoformat(), money(amount),
                           paid, money(got) if got else "", "已完成"])
        assert left == 0, rep
    # an order void within Q1 (excluded by classification) and one cancelled in Q2
    orders.append([order_id(), customer("新客户"), "新客户", "专业版", "E003", day().isoformat(), "50000.00", "", "", "已作废"])
    cancelled = next(o for o in orders if o[4] == "E001" and not o[8])
    refunds = [["ZF20260001", cancelled[0], "2026-04-08", cancelled[6], "客户取消订单"]]
    rng.shuffle(orders)  # a CRM export is in no particular order
    leads = {t: f"L{i + 1:02d}" for i, t in enumerate(sorted(by_team))}
    regions = sorted({r["区域"] for r in reps})
    directors = {g: f"D{i + 1:02d}" for i, g in enumerate(regions)}
    region_of = {r["团队"]: r["区域"] for r in reps}
    org = [["VP01", "", "总部", "总部", "2024-01-01", ""]]
    org += [[d, "VP01", "总部", g, "2024-01-01", ""] for g, d in directors.items()]
    org += [[lead, directors[region_of[t]], t, region_of[t], "2024-01-01", ""] for t, lead in leads.items()]
    for r in reps:
        rep, t = r["工号"], r["团队"]
        hired = min(r["入职日期"], "2025-12-31")
        if rep == MOVER:
            org.append([rep, leads[FIRST_TEAM], FIRST_TEAM, region_of[FIRST_TEAM], hired, MOVE_DAY.isoformat()])
            org.append([rep, leads[t], t, region_of[t], MOVE_DAY.isoformat(), ""])
        else:
            org.append([rep, leads[t], t, region_of[t], hired, ""])
    write("orders.csv", ORDER_COLUMNS, orders)
    write("splits.csv", ["订单编号", "工号", "角色", "分成比例"], splits)
    write("refunds.csv", ["作废单号", "订单编号", "作废日期", "作废金额", "原因"], refunds)
    write("org.csv", ["工号", "上级工号", "团队", "区域", "生效日期", "失效日期"], org)
    write("people.csv", PEOPLE_COLUMNS, [[r[c] for c in PEOPLE_COLUMNS] for r in reps])


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


if __name__ == "__main__":
    main()
