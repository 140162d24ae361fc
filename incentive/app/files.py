"""The names of the files a close writes beside its tables, which re-runs and readers look for."""

from __future__ import annotations

#: every named quantity and step of every person (history reads it from the ledger)
AUDIT_FILE = "audit.parquet"
#: what each audit column is (kind, path, money, owner)
COLUMNS_FILE = "audit-columns.json"
#: the policy exactly as evaluated
POLICY_COPY = "policy.yaml"
#: the adverse-impact report (a policy with a ``fairness`` section)
FAIRNESS_FILE = "fairness.csv"
#: each person's draw balances: opening, movements, closing, and balances of people who left
BALANCES_FILE = "balances.csv"
