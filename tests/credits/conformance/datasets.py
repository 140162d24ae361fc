"""The golden crediting datasets: every case under tests/cases/credits, and the CRM example."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "tests" / "cases" / "credits"
CRM = ROOT / "examples" / "sales-rep-crm"


@dataclass(frozen=True)
class Dataset:
    name: str
    policy: Path
    sources: tuple[str, ...]
    periods: tuple[str, ...]
    crediting: Path | None = None
    expected: Path | None = None  # expected/<period>/{period,credits}.csv, when the case has them

    def __str__(self) -> str:
        return self.name


def _case(folder: Path) -> Dataset:
    sources = tuple(str(p) for p in sorted(folder.iterdir())
                    if p.is_file() and p.suffix in (".csv", ".xlsx", ".parquet", ".json") and p.stem != "policy")
    expected = folder / "expected"
    return Dataset(name=folder.name, policy=folder / "policy.yaml", sources=sources,
                   periods=tuple(sorted(p.name for p in expected.iterdir())), expected=expected)


def datasets() -> list[Dataset]:
    found = [_case(f) for f in sorted(CASES.iterdir()) if (f / "policy.yaml").exists()]
    found.append(Dataset(name="sales-rep-crm", policy=ROOT / "rules" / "sales-rep.yaml", crediting=CRM / "crediting.yaml",
                         sources=(f"orders={CRM / 'orders.csv'}", f"cancellations={CRM / 'refunds.csv'}",
                                  f"splits={CRM / 'splits.csv'}", f"assignments={CRM / 'org.csv'}",
                                  f"people={CRM / 'people.csv'}"),
                         periods=("2026-Q1", "2026-Q2")))
    return found
