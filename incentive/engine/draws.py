"""Stage 10b: draws -- a guaranteed amount on one payout (before the total)
or on the total (after the floor), and the balance it carries to the next close.

For a draw of amount D on earnings E with an opening balance B (what the
last close's ``<draw>.closing`` left owed; 0 for a first period)::

    shortfall = max(D - E, 0)
    recovered = min(B, max(E - D, 0), recovery_cap)     recoverable, once the balance is
                                                          older than recovery_delay periods
    paid      = E + shortfall - recovered
    closing   = B + shortfall - recovered                recoverable
    forgiven  = shortfall, closing = 0                   non_recoverable

so ``paid - earned == closing - opening`` for a recoverable draw and
``paid - earned == forgiven`` for a non-recoverable one, to the cent. A
recovery comes only out of earnings above the draw, so it never takes pay
below the guaranteed amount. Every amount is rounded with the policy's
money rounding where it is computed.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work, history_column
from incentive.engine.departures import absent, gathered
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy import names
from incentive.policy.model import Draw

STEPS = (names.EARNED, names.AMOUNT, names.OPENING, names.AGE, names.SHORTFALL, names.RECOVERED, names.FORGIVEN,
         names.CLOSING)


def on_payouts(work: Work) -> None:
    """The draws on a payout: they change the payout before the total adds it up."""
    for draw in work.policy.draws:
        if draw.of != names.TOTAL:
            _apply(work, draw, "payout")


def on_total(work: Work) -> None:
    """The draws on the total: after the floor, on what the person would be paid."""
    for draw in work.policy.draws:
        if draw.of == names.TOTAL:
            _apply(work, draw, "total")


def _apply(work: Work, draw: Draw, kind: str) -> None:
    money = work.policy.money

    def rounded(expr: pl.Expr) -> pl.Expr:
        return round_expr(expr, money.decimals, money.rounding)

    def step(name: str) -> str:
        return names.step(draw.id, name)

    path = names.item_path(names.DRAWS, draw.id)
    amount_path = names.expr_path(names.DRAWS, draw.id, names.AMOUNT)
    cap_path = names.expr_path(names.DRAWS, draw.id, names.RECOVERY_CAP)
    history = work.ctx.history_depth >= 1
    opening = (pl.col(history_column(step(names.CLOSING), 1)).cast(DTYPE).fill_null(lit(0)) if history else lit(0))
    last_age = (pl.col(history_column(step(names.AGE), 1)).cast(DTYPE).fill_null(lit(0)) if history else lit(0))
    work.add({step(names.EARNED): pl.col(draw.of).cast(DTYPE),
              step(names.AMOUNT): rounded(pl.max_horizontal(work.expr(amount_path).cast(DTYPE), lit(0)))
              .fill_null(lit(0)),
              step(names.OPENING): opening,
              step(names.AGE): pl.when(opening > 0).then(last_age + 1).otherwise(lit(0)).cast(DTYPE)},
             "step", paths={step(names.AMOUNT): amount_path}, owner=draw.id, money=True, stage=path)
    earned, guaranteed = pl.col(step(names.EARNED)), pl.col(step(names.AMOUNT))
    shortfall = pl.max_horizontal(guaranteed - earned, lit(0))
    if draw.recoverable:
        room = pl.max_horizontal(earned - guaranteed, lit(0))
        recovered = pl.min_horizontal(pl.col(step(names.OPENING)), room)
        if draw.recovery_cap is not None:
            recovered = pl.min_horizontal(recovered, pl.max_horizontal(work.expr(cap_path).cast(DTYPE), lit(0))
                                          .fill_null(lit(0)))
        recovered = pl.when(pl.col(step(names.AGE)) > draw.recovery_delay).then(recovered).otherwise(lit(0))
    else:
        recovered = lit(0)
    work.add({step(names.SHORTFALL): rounded(shortfall), step(names.RECOVERED): rounded(recovered)}, "step",
             paths={step(names.RECOVERED): cap_path} if draw.recovery_cap is not None else None, owner=draw.id,
             money=True, stage=path)
    short, back, owed = pl.col(step(names.SHORTFALL)), pl.col(step(names.RECOVERED)), pl.col(step(names.OPENING))
    closing = owed + short - back if draw.recoverable else lit(0)
    forgiven = lit(0) if draw.recoverable else short
    work.add({step(names.CLOSING): closing.cast(DTYPE), step(names.FORGIVEN): forgiven.cast(DTYPE)}, "step",
             owner=draw.id, money=True, stage=path)
    work.add({draw.of: (earned + short - back).cast(DTYPE)}, "total" if kind == "total" else "payout", money=True,
             stage=path)


def departures(draw_list: tuple[Draw, ...], frame: pl.DataFrame, last: pl.DataFrame | None,
               id_col: str) -> pl.DataFrame | None:
    """People who owed a draw balance at the last close and are not in this period's data.

    Never dropped silently: each is reported with the balance and what the
    policy does with it (``recover``: reported for recovery; ``forgive``:
    written off). None when the policy has no draws."""
    if not draw_list:
        return None
    gone = absent(frame, last, id_col)
    if gone is None:
        return gathered([], id_col)
    parts = []
    for draw in draw_list:
        closing = names.step(draw.id, names.CLOSING)
        if closing not in gone.columns:
            continue
        parts.append(gone.filter(pl.col(closing).cast(DTYPE) > 0).select(
            pl.col(id_col).cast(pl.String), pl.lit(draw.id).alias("draw"), pl.col(closing).cast(DTYPE).alias("balance"),
            pl.lit(draw.on_leave).alias("action")))
    return gathered(parts, id_col)
