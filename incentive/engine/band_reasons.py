"""Why each person got their band (or none): the ``band_reason`` text.

A reason is a person's answer to "why am I in C?", so it names the rule
that decided: the veto, the eligibility rule, the missing value, the small
group, or the rank with the band's share and seats -- plus a tie kept
together across a cutoff or a guard that moved the person.

Most of the text is shared by many people (same group, same band), so the
distinct cases are formatted once in a small table and looked up; only a
veto or an eligibility reason is formatted per person. That keeps a million
reasons cheap. The person's rank is not repeated in the text: it is in the
``rank`` column next to it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from incentive.policy.model import Ranking

if TYPE_CHECKING:  # polars' when-chain classes are for annotations only
    from polars.expr.whenthen import ChainedThen, Then

FORCED, INELIGIBLE, NO_KEY, EXEMPT, NO_BAND, MOVED, TIED, NORMAL, NONE = range(9)
#: the packed lookup code must stay below this (else the columns are joined on as they are)
CODE_LIMIT = 2**62
_RANKED_CASES = (NO_BAND, MOVED, TIED, NORMAL)


def share_text(share: Decimal) -> str:
    """0.20 -> '20%', 0.125 -> '12.5%'."""
    return f"{(share * 100).normalize():f}%"


def _pick(idx: pl.Expr, values: list[pl.Expr]) -> pl.Expr:
    """values[idx] as an expression (null when idx is null)."""
    out: Then | ChainedThen = pl.when(idx == 0).then(values[0])
    for k, v in enumerate(values[1:], start=1):
        out = out.when(idx == k).then(v)
    return out


def _case() -> pl.Expr:
    final, kept = pl.col("__final__"), pl.col("__kept__")
    return (pl.when(pl.col("__forced__").is_not_null()).then(FORCED)
            .when(~pl.col("__eligible__")).then(INELIGIBLE)
            .when(pl.col("__key__").is_null()).then(NO_KEY)
            .when(pl.col("__status__") == "exempt").then(EXEMPT)
            .when(kept.is_null()).then(NONE)
            .when(final.is_null()).then(NO_BAND)
            .when(final != kept).then(MOVED)
            .when(pl.col("__straddle__")).then(TIED)
            .otherwise(NORMAL)).cast(pl.Int8)


def _position_words(n: int) -> list[str]:
    """How a band's share is introduced: top / next ... / bottom."""
    if n == 1:
        return ["all"]
    return ["top", *(["next"] * (n - 2)), "bottom"]


def _texts(spec: Ranking) -> pl.Expr:
    """The reason text of a shared case (everything but a veto or an
    eligibility reason, which are per person)."""
    bands = spec.bands
    case, final, kept = pl.col("case"), pl.col("final"), pl.col("kept")
    band = _pick(final, [pl.lit(b.id) for b in bands])
    was = _pick(kept, [pl.lit(b.id) for b in bands])
    q = _pick(final, [pl.col(f"__q{k}__") for k in range(len(bands))])
    words = _position_words(len(bands))
    share = _pick(final, [pl.lit(f"{w} {share_text(b.share)}") for w, b in zip(words, bands)])
    where = pl.col("__where__")
    normal = pl.format("{} in {}: band {} ({} of {} seats)", share, where, band, q, pl.col("__base__"))
    guard = _pick(kept, [pl.lit(b.guard.text if b.guard is not None else "") for b in bands])
    direction = pl.when(final < kept).then(pl.lit("up")).otherwise(pl.lit("down"))
    return (pl.when(case == NO_KEY).then(pl.lit("no ranking value"))
            .when(case == EXEMPT).then(pl.format("group too small ({} < min_group {}), exempt: no band in {}",
                                                 pl.col("__n__"), pl.lit(spec.min_group), where))
            .when(case == NO_BAND).then(pl.format("guard of band {} ({}) not met and no other band admits this "
                                                  "person, in {}", was, guard, where))
            .when(case == MOVED).then(pl.format("guard of band {} ({}) not met, moved {} to band {}, in {}",
                                                was, guard, direction, band, where))
            .when(case == TIED).then(pl.format("{}; {} people tied across a cutoff, all kept in band {}",
                                               normal, pl.col("tie"), band))
            .when(case == NORMAL).then(normal))


def _code(work: pl.DataFrame, gid: str, n_bands: int) -> tuple[list[pl.Expr], pl.Expr | None]:
    """The columns that decide a shared text, and their packing into one
    Int64 code when the radices fit (a one-column lookup is several times
    faster than a join on five columns)."""
    case = pl.col("case")
    parts = [
        ("case", _case(), 16),
        ("gid", pl.when(case.is_in((EXEMPT, *_RANKED_CASES))).then(pl.col(gid)), work.height + 1),
        ("kept", pl.when(case.is_in((NO_BAND, MOVED))).then(pl.col("__kept__")), n_bands + 1),
        ("final", pl.when(case.is_in((MOVED, TIED, NORMAL))).then(pl.col("__final__")), n_bands + 1),
        ("tie", pl.when(case == TIED).then(pl.col("__e__") - pl.col("__s__") + 1), work.height + 1),
    ]
    exprs = [e.cast(pl.Int64).alias(name) for name, e, _ in parts]  # "case" itself is added first
    bound = 1
    for _, _, radix in parts:
        bound *= radix + 1
    if bound >= CODE_LIMIT:
        return exprs[1:], None
    code: pl.Expr = pl.lit(0, dtype=pl.Int64)
    mult = 1
    for name, _, radix in parts:
        code = code + (pl.col(name).fill_null(-1) + 1) * mult
        mult *= radix + 1
    return exprs[1:], code.alias("code")


def band_reasons(work: pl.DataFrame, per_group: pl.DataFrame, spec: Ranking, gid: str) -> pl.Series:
    """One reason per row of ``work`` (its order).

    ``work`` carries the ranking stage's working columns (``__forced__``,
    ``__forced_by__``, ``__eligible__``, ``__reason__``, ``__key__``,
    ``__status__``, ``__kept__``, ``__final__``, ``__straddle__``, ``__s__``,
    ``__e__`` and ``gid``); ``per_group`` has, per ``gid``, ``__where__``,
    ``__n__`` (ranked headcount), ``__base__`` (band-size headcount) and the
    seats ``__q<k>__``.
    """
    exprs, code = _code(work, gid, len(spec.bands))
    parts = ["case", "gid", "kept", "final", "tie"]
    keyed = work.with_columns(_case().alias("case")).with_columns(exprs)
    if code is not None:
        keyed = keyed.with_columns(code)
    keys = ["code"] if code is not None else parts
    keyed = keyed.select(*dict.fromkeys([*parts, *keys]), "__forced__", "__forced_by__", "__reason__")
    table = keyed.select(*dict.fromkeys([*parts, *keys])).unique(subset=keys)
    table = table.join(per_group.rename({gid: "gid"}), on="gid", how="left")
    table = table.with_columns(_texts(spec).alias("text")).select(*keys, "text")
    if code is not None:
        texts = keyed.select(pl.col("code").replace_strict(table["code"], table["text"], default=None,
                                                           return_dtype=pl.String)).to_series()
    else:
        texts = keyed.select(keys).join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")["text"]
    case, reason = pl.col("case"), pl.col("__reason__")
    not_eligible = (pl.when(reason.is_null() | (reason == "")).then(pl.lit("not eligible"))
                    .when(reason.str.starts_with("not eligible")).then(reason)
                    .otherwise(pl.format("not eligible: {}", reason)))
    forced = pl.format("forced to band {} by {}", pl.col("__forced__"), pl.col("__forced_by__"))
    return keyed.select(
        pl.when(case == FORCED).then(forced)
        .when(case == INELIGIBLE).then(not_eligible)
        .otherwise(texts)
        .alias("band_reason")
    ).to_series()
