"""Stage 10a: holds -- a payout held until the revenue it was earned on is collected (回款提成),
and the held balance it carries to the next close.

This period's earned amount E on billing B, of which C is collected now::

    covered      = E × min(C / B, 1)          (all of E when B ≤ 0 or E ≤ 0: nothing to wait for)
    released_now = max(covered, E × advance)  (at most E)
    held         = E − released_now           carried with its uncollected revenue B − C

What earlier closes held is carried by age (``<hold>.age<k>.held``, ``.base``
-- the revenue still uncollected -- and ``.cover`` -- the payout earned on
that revenue). ``collected_earlier`` pays off the uncollected revenue oldest
first; each age's cover shrinks in proportion to what was collected, and what
it held above its new cover is released. What is still held
``write_off_after`` periods after the period it was earned in is written off
(never paid); with ``recover_early_release`` the advance paid on the revenue
never collected (cover − held) is recovered from this and later pay, the
rest carried as ``<hold>.owed``. So, to the cent::

    paid − earned = released_earlier − held − recovered
    closing − opening = held − released_earlier − written_off

Without ``write_off_after`` every earlier hold is kept in one age bucket.
Every amount is rounded with the policy's money rounding where it is computed.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work, history_column
from incentive.engine.departures import absent, gathered
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy import names
from incentive.policy.model import Hold

STEPS = (names.EARNED, names.BILLED, names.COLLECTED, names.COLLECTED_EARLIER, names.ADVANCE, names.OPENING,
         names.RELEASED_NOW, names.RELEASED_EARLIER, names.RELEASED, names.HELD, names.WRITTEN_OFF,
         names.UNAPPLIED, names.TO_RECOVER, names.RECOVERED, names.OWED, names.CLOSING)


#: helper steps: the payout earned on this period's uncollected revenue; the recovery owed at the start
COVER_NOW = "cover_now"
OWED_OPENING = "owed_opening"


def run(work: Work) -> None:
    """The holds: each changes its payout to what is released, before any draw on it and the total."""
    for hold in work.policy.holds:
        _apply(work, hold)


def _apply(work: Work, hold: Hold) -> None:
    money = work.policy.money

    def rounded(expr: pl.Expr) -> pl.Expr:
        return round_expr(expr, money.decimals, money.rounding)

    def step(name: str) -> str:
        return names.step(hold.id, name)

    def col(name: str) -> pl.Expr:
        return pl.col(step(name))

    def expr(field: str, default: int) -> pl.Expr:
        path = names.expr_path(names.HOLDS, hold.id, field)
        return work.expr(path).cast(DTYPE).fill_null(lit(default)) if work.has(path) else lit(default)

    history = work.ctx.history_depth >= 1

    def last(name: str) -> pl.Expr:
        return pl.col(history_column(name, 1)).cast(DTYPE).fill_null(lit(0)) if history else lit(0)

    stage = names.item_path(names.HOLDS, hold.id)
    ages = hold.ages
    zero = lit(0)
    # this period: what is earned, billed and collected (negative collections count as none)
    work.add({step(names.EARNED): pl.col(hold.of).cast(DTYPE),
              step(names.BILLED): expr(names.BILLED, 0),
              step(names.COLLECTED): pl.max_horizontal(expr(names.COLLECTED, 0), zero),
              step(names.COLLECTED_EARLIER): pl.max_horizontal(expr(names.COLLECTED_EARLIER, 0), zero),
              step(names.ADVANCE): pl.min_horizontal(pl.max_horizontal(expr(names.ADVANCE, 0), zero), lit(1)),
              **{_open(hold, k, part): last(names.hold_age(hold.id, k - 1, part))
                 for k in range(1, ages + 1) for part in names.HOLD_PARTS},
              step(OWED_OPENING): last(step(names.OWED))},
             "step", owner=hold.id, money=True, stage=stage,
             paths={step(f): names.expr_path(names.HOLDS, hold.id, f)
                    for f in (names.BILLED, names.COLLECTED, names.COLLECTED_EARLIER, names.ADVANCE)})
    earned, billed, collected = col(names.EARNED), col(names.BILLED), col(names.COLLECTED)
    waits = (earned > 0) & (billed > 0)  # only a positive amount on positive billing waits for collection
    partial = waits & (collected < billed)
    covered = pl.when(partial).then(rounded(earned * collected / pl.when(partial).then(billed).otherwise(lit(1)))) \
        .otherwise(earned)
    advanced = rounded(earned * col(names.ADVANCE))
    released_now = pl.when(waits).then(pl.min_horizontal(pl.max_horizontal(covered, advanced), earned)) \
        .otherwise(earned)
    # the earlier holds, oldest first: the collections pay off their uncollected revenue in turn
    paid_off: dict[int, pl.Expr] = {}
    left = col(names.COLLECTED_EARLIER)
    for k in range(ages, 0, -1):
        base = pl.col(_open(hold, k, "base"))
        paid_off[k] = pl.min_horizontal(base, pl.max_horizontal(left, zero))
        left = left - base
    work.add({step(names.OPENING): pl.sum_horizontal([pl.col(_open(hold, k, "held")) for k in range(1, ages + 1)]),
              step(names.RELEASED_NOW): released_now.cast(DTYPE),
              step(COVER_NOW): (earned - covered).cast(DTYPE),
              step(names.UNAPPLIED): pl.max_horizontal(left, zero).cast(DTYPE),
              **{_after(hold, k, "paid"): paid_off[k].cast(DTYPE) for k in range(1, ages + 1)}},
             "step", owner=hold.id, money=True, stage=stage)
    after: dict[str, pl.Expr] = {}
    for k in range(1, ages + 1):
        base, cover = pl.col(_open(hold, k, "base")), pl.col(_open(hold, k, "cover"))
        paid = pl.col(_after(hold, k, "paid"))
        whole = paid >= base  # all collected (or nothing was uncollected): divide by 1, not 0, there
        new_cover = pl.when(whole).then(zero).otherwise(
            rounded(cover * (base - paid) / pl.when(whole).then(lit(1)).otherwise(base)))
        after[_after(hold, k, "cover")] = new_cover.cast(DTYPE)
        after[_after(hold, k, "base")] = (base - paid).cast(DTYPE)
    work.add(after, "step", owner=hold.id, money=True, stage=stage)
    kept = {k: pl.min_horizontal(pl.col(_open(hold, k, "held")), pl.col(_after(hold, k, "cover")))
            for k in range(1, ages + 1)}
    work.add({_after(hold, k, "held"): kept[k].cast(DTYPE) for k in kept}, "step", owner=hold.id, money=True,
             stage=stage)

    def left_at(k: int, part: str) -> pl.Expr:
        return pl.col(_after(hold, k, part))

    released_earlier = pl.sum_horizontal([pl.col(_open(hold, k, "held")) - left_at(k, "held")
                                          for k in range(1, ages + 1)])
    limited = hold.write_off_after is not None
    written_off = left_at(ages, "held") if limited else zero
    to_recover = (left_at(ages, "cover") - left_at(ages, "held")) if limited and hold.recover_early_release else zero
    new_held = earned - col(names.RELEASED_NOW)
    work.add({step(names.HELD): new_held.cast(DTYPE), step(names.RELEASED_EARLIER): released_earlier.cast(DTYPE),
              step(names.WRITTEN_OFF): written_off.cast(DTYPE), step(names.TO_RECOVER): to_recover.cast(DTYPE)},
             "step", owner=hold.id, money=True, stage=stage)
    released = col(names.RELEASED_NOW) + col(names.RELEASED_EARLIER)
    due = col(OWED_OPENING) + col(names.TO_RECOVER)
    recovered = pl.min_horizontal(due, pl.max_horizontal(released, zero))
    work.add({step(names.RELEASED): released.cast(DTYPE), step(names.RECOVERED): recovered.cast(DTYPE)}, "step",
             owner=hold.id, money=True, stage=stage)
    # the close's buckets: age 0 is this period's; the oldest leaves (written off) or, without a limit, stays
    buckets: dict[str, pl.Expr] = {}
    now = {"held": col(names.HELD), "base": _now_base(col(names.HELD), col(COVER_NOW), billed, collected),
           "cover": col(COVER_NOW)}
    for part in names.HOLD_PARTS:
        if limited:
            buckets[names.hold_age(hold.id, 0, part)] = now[part]
            for k in range(1, ages):
                buckets[names.hold_age(hold.id, k, part)] = left_at(k, part)
        else:
            buckets[names.hold_age(hold.id, 0, part)] = now[part] + left_at(1, part)
    work.add({n: e.cast(DTYPE) for n, e in buckets.items()}, "step", owner=hold.id, money=True, stage=stage)
    work.add({step(names.OWED): (due - col(names.RECOVERED)).cast(DTYPE),
              step(names.CLOSING): pl.sum_horizontal([pl.col(names.hold_age(hold.id, k, "held"))
                                                      for k in range(ages)]).cast(DTYPE)},
             "step", owner=hold.id, money=True, stage=stage)
    work.add({hold.of: (col(names.RELEASED) - col(names.RECOVERED)).cast(DTYPE)}, "payout", money=True,
             stage=stage)


def _now_base(held: pl.Expr, cover: pl.Expr, billed: pl.Expr, collected: pl.Expr) -> pl.Expr:
    """The revenue this period's hold waits for: billed minus collected, while any payout rides on it."""
    zero = lit(0)
    return pl.when((cover > 0) | (held > 0)).then(pl.max_horizontal(billed - collected, zero)).otherwise(zero)


def _open(hold: Hold, age: int, part: str) -> str:
    """``collection.open.age2.held``: an age bucket at the start of the period (the last close's, one older)."""
    return names.step(hold.id, f"open.age{age}.{part}")


def _after(hold: Hold, age: int, part: str) -> str:
    """``collection.after.age2.held``: an age bucket after this period's collections (``paid``: collected on it)."""
    return names.step(hold.id, f"after.age{age}.{part}")


def departures(hold_list: tuple[Hold, ...], frame: pl.DataFrame, last: pl.DataFrame | None,
               id_col: str) -> pl.DataFrame | None:
    """People who had an amount held (or owed a recovery) at the last close and are not in this period's data.

    Never dropped silently: each is reported with the amount and what the
    policy does with it (``release``: owed to them, paid by hand;
    ``forfeit``: written off; ``report``: listed for a decision; a recovery
    still owed: ``recover``). Same columns as the draws' departures (the
    ``draw`` column names the hold). None when the policy has no holds."""
    if not hold_list:
        return None
    gone = absent(frame, last, id_col)
    if gone is None:
        return gathered([], id_col)
    parts = []
    for hold in hold_list:
        held = [names.hold_age(hold.id, k, "held") for k in range(hold.ages)]
        owed = names.step(hold.id, names.OWED)
        if all(c in gone.columns for c in held):
            total = pl.sum_horizontal([pl.col(c).cast(DTYPE).fill_null(lit(0)) for c in held])
            parts.append(gone.filter(total > 0).select(
                pl.col(id_col).cast(pl.String), pl.lit(hold.id).alias("draw"), total.alias("balance"),
                pl.lit(hold.on_leave).alias("action")))
        if owed in gone.columns:
            parts.append(gone.filter(pl.col(owed).cast(DTYPE) > 0).select(
                pl.col(id_col).cast(pl.String), pl.lit(hold.id).alias("draw"), pl.col(owed).cast(DTYPE).alias("balance"),
                pl.lit("recover").alias("action")))
    return gathered(parts, id_col, ("draw", "action"))
