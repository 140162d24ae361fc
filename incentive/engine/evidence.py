"""The evidence of a recommendation: every value its rule read, as text (``band=C, band@-1=C``)."""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work, history_column
from incentive.numeric import DTYPE
from incentive.policy.expr.checked import CheckedExpr


def evidence_of(work: Work, frame: pl.DataFrame, checked_expr: CheckedExpr) -> pl.Expr:
    """``band=C, band@-1=C, band@-2=C``: every value the rule read."""
    parts: list[pl.Expr] = []
    for name in sorted(checked_expr.refs):
        if name in frame.columns:
            parts.append(pl.concat_str(pl.lit(f"{name}="), _text(frame.schema[name], pl.col(name))))
    for name in sorted(checked_expr.history_refs):
        for k in range(1, work.ctx.history_depth + 1):
            col = history_column(name, k)
            if col in frame.columns and frame.get_column(col).null_count() < frame.height:
                value = pl.col(col)
                parts.append(pl.when(value.is_not_null()).then(
                    pl.concat_str(pl.lit(f"{name}@-{k}="), _text(frame.schema[col], value))))
    return pl.concat_str(parts, separator=", ", ignore_nulls=True) if parts else pl.lit("")


def _text(dtype: pl.DataType, expr: pl.Expr) -> pl.Expr:
    """A value as evidence text: decimals without trailing zeros, null as 'none'."""
    as_text = normalize_decimal_text(expr) if isinstance(dtype, pl.Decimal) else expr.cast(pl.String)
    return pl.when(expr.is_null()).then(pl.lit("none")).otherwise(as_text)


def normalize_decimal_text(expr: pl.Expr) -> pl.Expr:
    """``1.500000000000`` → ``1.5``, ``100.000000000000`` → ``100``."""
    s = expr.cast(DTYPE).cast(pl.String)
    return s.str.replace(r"(\.\d*?)0+$", "$1").str.replace(r"\.$", "")
