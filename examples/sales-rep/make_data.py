"""Make the sales-rep example: three consecutive quarters, 2026-Q1..Q3.

48 reps in four regions with a story that the history rules can find:
two reps stay at the top (promotion review from Q2), two stay at the bottom
(improvement plans, then an exit review in Q3), one has no revenue for two
quarters (no-results review), one commits a compliance violation in Q2 (veto:
commission and bonus forfeited, band C), and three are hired in Q2/Q3 (not
ranked in their first quarter). Q3 is saved as GBK, as Chinese Excel does.
员工状态 is HR's status column (孕期 / 哺乳期 / 医疗期 ...) that the
plan's protected statuses read. The last column, 性别 (男/女), is the policy's fairness column: drawn from a
random generator of its own, so adding it left every other cell as it was.

    python examples/sales-rep/make_data.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADERS = ["工号", "姓名", "区域", "团队", "入职日期", "销售额", "销售目标", "回款额", "新客户数",
           "客户满意度", "销售周期天数", "日报缺交次数", "合规违规", "目标奖金", "员工状态", "性别"]
REGIONS = {"华东": ["华东一组", "华东二组"], "华北": ["华北一组"], "华南": ["华南一组", "华南二组"], "西南": ["西南一组"]}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
STARS = {"E001", "E014"}  # consistently top of their region
LAGGARDS = {"E007", "E020"}  # consistently bottom: improvement plan → exit review
NO_RESULTS = "E030"  # no revenue in Q2 and Q3
VIOLATOR = ("E028", "2026-Q2")
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]
NEW_HIRES = {"E049": "2026-05-04", "E050": "2026-05-18", "E051": "2026-08-03"}
#: 员工状态, HR's status column read by the plan's protected statuses (Labour Contract Law Art. 42);
#: empty for everyone else. These two are mid-table, so no exit rule reaches them and no result changes.
STATUS = {("E012", "2026-Q2"): "哺乳期", ("E012", "2026-Q3"): "哺乳期", ("E033", "2026-Q3"): "医疗期"}
GENDER_SEED = 16  # the 性别 column's own generator (issue 16): the other columns' draws are unchanged


def people(rng: random.Random) -> list[dict]:
    out = []
    regions = [(r, t) for r, teams in REGIONS.items() for t in teams]
    for i in range(1, 49):
        region, team = regions[(i - 1) % len(regions)]
        out.append({
            "id": f"E{i:03d}", "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "region": region, "team": team,
            "hire": f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "target": rng.choice([300000, 400000, 500000]), "bonus": rng.choice([8000, 10000, 12000]),
        })
    for pid, hire in NEW_HIRES.items():
        region, team = regions[int(pid[1:]) % len(regions)]
        out.append({"id": pid, "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "region": region, "team": team,
                    "hire": hire, "target": 300000, "bonus": 8000})
    genders = random.Random(GENDER_SEED)
    for p in out:
        p["gender"] = genders.choice("男女")
    return out


def row(p: dict, quarter: str, rng: random.Random) -> list[str]:
    if p["id"] in STARS:
        att, coll, sat, cyc, new = rng.uniform(1.45, 1.6), 0.98, rng.uniform(93, 97), rng.randint(25, 30), 9
    elif p["id"] in LAGGARDS:
        att, coll, sat, cyc, new = rng.uniform(0.45, 0.55), 0.55, rng.uniform(58, 62), rng.randint(85, 95), 0
    else:
        att = max(0.3, rng.gauss(1.0, 0.18))
        coll, sat = min(1.0, rng.gauss(0.88, 0.07)), min(100.0, rng.gauss(82, 6))
        cyc, new = rng.randint(35, 80), rng.randint(1, 8)
    revenue = round(p["target"] * att, 2)
    if p["id"] == NO_RESULTS and quarter != "2026-Q1":
        revenue, new = 0.0, 0
    missed = rng.choice([0, 0, 0, 0, 1, 2, 5]) if p["id"] not in LAGGARDS else 6
    violation = "是" if (p["id"], quarter) == VIOLATOR else "否"
    return [p["id"], p["name"], p["region"], p["team"], p["hire"], f"{revenue:.2f}", f"{p['target']:.2f}",
            f"{revenue * coll:.2f}", str(new), f"{sat:.1f}", str(cyc), str(missed), violation, f"{p['bonus']:.2f}",
            STATUS.get((p["id"], quarter), ""), p["gender"]]


def main() -> None:
    rng = random.Random(2026)
    staff = people(rng)
    for quarter in QUARTERS:
        end = {"2026-Q1": "2026-03-31", "2026-Q2": "2026-06-30", "2026-Q3": "2026-09-30"}[quarter]
        rows = [row(p, quarter, rng) for p in staff if p["hire"] <= end]
        encoding = "gbk" if quarter == "2026-Q3" else "utf-8-sig"
        with open(HERE / f"{quarter}.csv", "w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(HEADERS)
            writer.writerows(rows)


if __name__ == "__main__":
    main()
