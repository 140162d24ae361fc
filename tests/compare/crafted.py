"""A crafted sales-rep data set whose reaction to a weight change is known by hand.

Ten reps in one region, all long-tenured, on rules/sales-rep.yaml. The
change under test is ``kpis.sales.weight=50, kpis.collection.weight=15``
(from 40 / 25): score moves by 0.1 x (sales points - collection points).

* X01 "Sales Star": attainment 1.30 (130 points), collection 0.70 (25
  points), the other KPIs at 100 (35 points): score 93.25 -> 103.75; the
  bonus step moves from 100% to 130% of the 10,000 target bonus, band A
  (factor 1.2) both times: bonus 12,000 -> 15,600, total +3,600.
* Y01 "Cash Keeper": attainment 0.85 (70 points), collection 1.00 (100
  points), other KPIs 28 points: score 81 -> 78, under the 80 step: bonus
  10,000 -> 5,000 (band B), total -5,000.

Commission depends on attainment only, so it does not move at all.
"""

from __future__ import annotations

import csv
from pathlib import Path

HEADERS = ["工号", "姓名", "区域", "团队", "入职日期", "销售额", "销售目标", "回款额", "新客户数", "客户满意度",
           "销售周期天数", "日报缺交次数", "合规违规", "目标奖金", "性别"]
#: id, name, attainment, collection rate, new customers, satisfaction, cycle days
PEOPLE = [
    ("X01", "Sales Star", "1.30", "0.70", 5, 90, 30),
    ("Y01", "Cash Keeper", "0.85", "1.00", 3, 87, 30),
    ("P01", "Person 1", "0.95", "0.90", 4, 80, 50),
    ("P02", "Person 2", "1.00", "0.85", 5, 85, 45),
    ("P03", "Person 3", "1.05", "0.90", 3, 78, 60),
    ("P04", "Person 4", "0.90", "0.95", 4, 82, 40),
    ("P05", "Person 5", "1.10", "0.80", 6, 88, 35),
    ("P06", "Person 6", "0.80", "0.90", 2, 70, 70),
    ("P07", "Person 7", "1.00", "1.00", 5, 90, 30),
    ("P08", "Person 8", "0.70", "0.80", 1, 65, 80),
]
WEIGHT_CHANGE = ("kpis.sales.weight=50", "kpis.collection.weight=15")


def write_crafted(path: Path) -> Path:
    from decimal import Decimal

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i, (pid, name, att, coll, new, sat, cycle) in enumerate(PEOPLE):
            revenue = (Decimal(100000) * Decimal(att)).quantize(Decimal("0.01"))
            collected = (revenue * Decimal(coll)).quantize(Decimal("0.01"))
            writer.writerow([pid, name, "华东", "华东一组", "2020-01-01", revenue, "100000.00", collected, new, sat,
                             cycle, 0, "否", "10000.00", "男女"[i % 2]])
    return path
