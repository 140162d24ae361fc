"""Builders for ledger tests: a results frame with every column type
the engine produces, CloseRecords for it, and ``close``, which records one
the way ``close_period`` does."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import polars as pl

from incentive.ledger import CloseRecord, Ledger, LedgerEntry
from incentive.ledger.staging import PackedData, pack_data
from incentive.numeric import DTYPE
from incentive.output.tables import parquet_bytes

POLICY_TEXT = "policy: sales-rep\nversion: \"2026.1\"\ntitle: {en: Sales, zh: 销售}\n"


def results_frame(seed: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "employee_id": ["E001", "E002", "E003"],
            "name": ["张三", "李四", "=cmd"],
            "band": ["A", "C", None],
            "period_end": [date(2026, 9, 30)] * 3,
            "eligible": [True, False, None],
            "rank": [1, 3, None],
            "total": [Decimal("1234.50") + seed, Decimal("-20.00"), Decimal("99999999999999999999999999.999999999999")],
            "score": [Decimal("87.5"), Decimal("0.000000000001"), Decimal("-99999999999999999999999999.999999999999")],
        },
        schema_overrides={"total": DTYPE, "score": DTYPE},
    )


def make_record(period: str = "2026-Q3", ordinal: int = 8106, *, policy_id: str = "sales-rep",
                data: bytes = b"employee_id,revenue\nE001,100\n", by: str = "alice",
                at: str = "2026-10-08T09:00:00Z", history: dict[int, str] | None = None) -> CloseRecord:
    return CloseRecord(
        policy_id=policy_id, period=period, period_ordinal=ordinal, policy_version="2026.1",
        policy_sha256=hashlib.sha256(POLICY_TEXT.encode()).hexdigest(), policy_text=POLICY_TEXT,
        data_sha256=hashlib.sha256(data).hexdigest(), data_bytes=data, data_name="q3.csv",
        outputs={"results.csv": "11" * 32, "payouts.csv": "22" * 32}, engine_version="0.1.0",
        closed_by=by, closed_at=at, totals={"total": Decimal("1214.50"), "people": 3},
        history_hashes=history or {})


def close(ledger: Ledger, record: CloseRecord, frame: pl.DataFrame, *, results_parquet: bytes | None = None,
          packed_data: PackedData | None = None) -> LedgerEntry:
    """Record a close on the real write path: stage the blobs (the lock is
    taken and the checks made there), then commit the entry; nothing stays
    of a close that fails at either step."""
    blob = parquet_bytes(frame) if results_parquet is None else results_parquet
    staged = ledger.stage_close(record.policy_id, record.period, record.period_ordinal,
                                history_hashes=record.history_hashes, results_parquet=blob,
                                results_sha256=hashlib.sha256(blob).hexdigest(), results_rows=frame.height,
                                packed_data=packed_data or pack_data(record.data_bytes))
    try:
        return staged.commit(record)
    finally:
        staged.abort()  # a no-op once committed
