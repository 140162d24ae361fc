"""Generate N people of period data for rules/sales-rep.yaml (benchmark input).

Deterministic for a seed; vectorized with numpy so a million rows take a
couple of seconds. Headers are the policy's Chinese column names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

REGIONS = ["华东", "华北", "华南", "西南", "西北", "东北"]


def generate(n: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    target = np.round(rng.choice([300_000, 400_000, 500_000, 600_000, 800_000], n) * 1.0, 2)
    attainment = np.clip(rng.lognormal(mean=0.0, sigma=0.25, size=n), 0.05, 3.0)
    revenue = np.round(target * attainment, 2)
    revenue[rng.random(n) < 0.01] = 0.0
    collected = np.round(revenue * np.clip(rng.normal(0.88, 0.1, n), 0.2, 1.0), 2)
    hire_days = rng.integers(0, 3650, n)
    hire = (np.datetime64("2026-03-31") - hire_days.astype("timedelta64[D]")).astype("datetime64[D]")
    region = rng.choice(REGIONS, n, p=[0.3, 0.2, 0.2, 0.12, 0.08, 0.1])
    team = np.char.add(np.char.add(region.astype(str), "-"), rng.integers(1, 40, n).astype(str))
    return pl.DataFrame({
        "工号": [f"E{i:07d}" for i in range(1, n + 1)],
        "姓名": [f"员工{i}" for i in range(1, n + 1)],
        "区域": region,
        "团队": team,
        "入职日期": hire.astype(str),
        "销售额": np.char.mod("%.2f", revenue),
        "销售目标": np.char.mod("%.2f", target),
        "回款额": np.char.mod("%.2f", collected),
        "新客户数": rng.poisson(4, n),
        "客户满意度": np.round(np.clip(rng.normal(82, 8, n), 0, 100), 1),
        "销售周期天数": np.round(np.clip(rng.normal(55, 15, n), 5, 200), 0).astype(int),
        "日报缺交次数": rng.poisson(0.5, n),
        "合规违规": np.where(rng.random(n) < 0.002, "是", "否"),
        "目标奖金": np.char.mod("%.2f", np.round(rng.choice([8_000, 10_000, 12_000, 15_000], n) * 1.0, 2)),
        # mostly empty, as HR systems export it; a few people in a protected status
        "员工状态": rng.choice(["", "哺乳期", "医疗期"], n, p=[0.98, 0.01, 0.01]),
        "性别": rng.choice(["男", "女"], n),
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rows", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    generate(args.rows, args.seed).write_csv(args.out)


if __name__ == "__main__":
    main()
