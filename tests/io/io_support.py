"""Shared helpers for the period-data tests: policies built directly from the model."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from incentive.policy.model import Input, Money, Policy

D = Decimal


def policy_of(*inputs: Input, period: str = "quarter") -> Policy:
    """A minimal policy holding just ``inputs`` (the loader is not needed to test data input)."""
    return Policy(id="t", version="1", title="t", period=period, currency="CNY", money=Money(), inputs=tuple(inputs))


def one(type_: str, **kw) -> Policy:
    """An id column plus one input ``x`` of ``type_`` (extra Input fields in ``kw``)."""
    return policy_of(Input(id="employee_id", type="id"), Input(id="x", type=type_, **kw))


SALES_INPUTS = (
    Input(id="employee_id", type="id", column="工号"),
    Input(id="name", type="text", column="姓名"),
    Input(id="region", type="text", column="区域"),
    Input(id="team", type="text", column="团队"),
    Input(id="hire_date", type="date", column="入职日期"),
    Input(id="revenue", type="money", column="销售额", min=D(0)),
    Input(id="revenue_target", type="money", column="销售目标", min=D("0.01")),
    Input(id="collected", type="money", column="回款额", min=D(0)),
    Input(id="new_customers", type="integer", column="新客户数", min=D(0)),
    Input(id="satisfaction", type="number", column="客户满意度", min=D(0), max=D(100)),
    Input(id="cycle_days", type="number", column="销售周期天数", min=D(0)),
    Input(id="missed_reports", type="integer", column="日报缺交次数", min=D(0), default=D(0)),
    Input(id="violation", type="boolean", column="合规违规", default=False),
    Input(id="target_bonus", type="money", column="目标奖金", min=D(0)),
)
SALES = policy_of(*SALES_INPUTS)
SALES_HEADER = [i.column for i in SALES_INPUTS]


def sales_row(i: int, **overrides: str) -> list[str]:
    """One valid data row of the sales policy, with cells replaced by column header."""
    row = {
        "工号": f"E{i:04d}", "姓名": f"员工{i}", "区域": "华东", "团队": f"T{i % 3}", "入职日期": "2024-03-15",
        "销售额": f"{1000 + i}.50", "销售目标": "1000", "回款额": "900", "新客户数": str(i % 7),
        "客户满意度": "88.5", "销售周期天数": "30", "日报缺交次数": "", "合规违规": "false", "目标奖金": "5000",
    }
    row.update(overrides)
    return [row[h] for h in SALES_HEADER]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8", sep: str = ",",
              newline: str = "\n") -> Path:
    """Write a simple CSV (cells are written as given: quote them yourself if needed)."""
    text = newline.join(sep.join(r) for r in [header, *rows]) + newline
    path.write_bytes(text.encode(encoding))
    return path
