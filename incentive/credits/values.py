"""Text cells to exact typed columns -- amounts, shares, dates, ids -- and the problems on the way.

Amounts are plain decimals (``1234.50``, ``-`` never: a refund is a row of
an adjustment source, not a negative order) with at most the currency's
decimals (``money.decimals``): ``12.345`` in a CNY column is refused, never
rounded. No thousands separators, currency signs or exponents: a CRM export
that has them is mis-saved, and guessing would change amounts. Shares are
fractions ``0.5`` or percents ``50%`` with at most 6 decimals as a
fraction (DECIMAL(9,6)). Dates are ``2026-01-31``, ``2026/1/31``,
``2026.1.31``, ``20260131`` or ``2026年1月31日``, a time after them ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from incentive.errors import DataProblem, UsageError
from incentive.io.raw_table import ROW, show

#: amounts have at most this many integer digits (DECIMAL(18, d) with d <= 2 leaves 16)
AMOUNT_DIGITS = 16
SHARE = pl.Decimal(9, 6)
_DATE = (r"^(?P<y>[0-9]{4})(?:[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})|年(?P<m2>[0-9]{1,2})月(?P<d2>[0-9]{1,2})日?"
         r"|(?P<m3>[0-9]{2})(?P<d3>[0-9]{2}))(?:[ T].*)?$")
_MAX_SHOWN = 100


def amount_type(decimals: int) -> pl.Decimal:
    return pl.Decimal(18, decimals)


@dataclass
class Problems:
    """Bad-input findings, in the order found, up to a limit; ``raise_any`` ends the run (exit 2)."""

    items: list[DataProblem] = field(default_factory=list)
    more: int = 0

    def add(self, file: str, row: int, column: str, value: object, expected: str) -> None:
        if len(self.items) < _MAX_SHOWN:
            self.items.append(DataProblem(file, row, column, show(value), expected))
        else:
            self.more += 1

    def rows(self, frame: pl.DataFrame, bad: pl.Series, file: str, column: str, name: str, expected: str) -> None:
        """One problem per row of ``frame`` where ``bad`` holds, showing the cell ``name``."""
        for value, row in frame.filter(bad).select(name, ROW).iter_rows():
            self.add(file, row, column, "" if value is None else value, expected)

    def raise_any(self) -> None:
        if self.items:
            lines = [str(p) for p in sorted(self.items, key=lambda p: (p.file, p.row))]
            if self.more:
                lines.append(f"... and {self.more} more problems")
            raise UsageError("\n".join(lines))


def required(frame: pl.DataFrame, name: str, file: str, header: str, what: str, problems: Problems) -> None:
    problems.rows(frame, frame[name].is_null(), file, header, name, f"{what} is empty; every row needs one")


def amounts(frame: pl.DataFrame, name: str, file: str, header: str, decimals: int, currency: str,
            problems: Problems, *, optional: bool = False) -> pl.Series:
    """The exact DECIMAL(18, decimals) amounts of column ``name`` (null where empty and ``optional``).

    One pattern recognises a well-formed amount (digits, at most 16 of them
    after leading zeros, at most ``decimals`` places); only the other cells,
    usually none, go through the rules that tell what is wrong with them.
    """
    text = frame[name]
    fraction = rf"(\.[0-9]{{1,{decimals}}})?" if decimals else ""
    ok = text.str.contains(rf"^0*[0-9]{{1,{AMOUNT_DIGITS}}}{fraction}$").fill_null(False)
    if not optional:
        required(frame, name, file, header, "the amount", problems)
    wrong = text.is_not_null() & ~ok
    if wrong.any():
        _amount_problems(frame.filter(wrong), name, file, header, decimals, currency, problems)
    value = text if bool(ok.all()) else pl.select(pl.when(pl.lit(ok)).then(pl.lit(text)).otherwise(None)).to_series()
    return value.str.to_decimal(scale=decimals).cast(amount_type(decimals)).alias(name)


def _amount_problems(frame: pl.DataFrame, name: str, file: str, header: str, decimals: int, currency: str,
                     problems: Problems) -> None:
    """What is wrong with each of these amounts (none of them well-formed)."""
    text = frame[name]
    plain = text.str.contains(r"^[0-9]+(\.[0-9]+)?$")
    digits = text.str.extract(r"^([0-9]+)", 1).str.strip_chars_start("0").str.len_chars()
    places = text.str.extract(r"\.([0-9]+)$", 1).str.len_chars().fill_null(0)
    looks = text.str.contains(r"^[-+]?[0-9.,，\s¥￥$]+$")
    negative = text.str.starts_with("-")
    problems.rows(frame, negative.fill_null(False), file, header, name,
                  "a non-negative amount (a refund or cancellation is a row of an adjustment source, not a negative line)")
    problems.rows(frame, (~plain & ~negative & looks).fill_null(False), file, header, name,
                  "a plain number such as 1234.50 (no thousands separator, currency sign or space)")
    problems.rows(frame, (~plain & ~looks).fill_null(False), file, header, name, "an amount such as 1234.50")
    problems.rows(frame, (plain & (places > decimals)).fill_null(False), file, header, name,
                  f"at most {decimals} decimal places ({currency} amounts are in units of {10 ** -decimals if decimals else 1}); "
                  "round it in the source")
    problems.rows(frame, (plain & (digits > AMOUNT_DIGITS)).fill_null(False), file, header, name,
                  f"an amount below 10^{AMOUNT_DIGITS}")


def shares(frame: pl.DataFrame, name: str, file: str, header: str, problems: Problems) -> pl.Series:
    """Shares as exact DECIMAL(9,6) fractions: ``0.5`` or ``50%``, greater than 0, at most 1."""
    text = frame[name]
    required(frame, name, file, header, "the share", problems)
    if bool(text.str.contains(r"^[0-9]{1,3}(\.[0-9]{1,6})?$").fill_null(True).all()):  # all plain fractions
        return _checked_shares(frame, text.str.to_decimal(scale=6).cast(pl.Decimal(38, 6)), text, name, file, header,
                               problems)
    pct = text.str.ends_with("%").fill_null(False)
    body = pl.select(pl.when(pl.lit(pct)).then(pl.lit(text).str.strip_suffix("%").str.strip_chars())
                     .otherwise(pl.lit(text))).to_series()
    plain = body.str.contains(r"^[0-9]{1,3}(\.[0-9]+)?$").fill_null(False)
    places = body.str.extract(r"\.([0-9]+)$", 1).str.len_chars().fill_null(0)
    fine = plain & pl.select(pl.when(pl.lit(pct)).then(pl.lit(places) <= 4).otherwise(pl.lit(places) <= 6)).to_series()
    value = pl.select(pl.when(pl.lit(fine)).then(pl.lit(body)).otherwise(None).str.to_decimal(scale=6)).to_series()
    value = pl.select(pl.when(pl.lit(pct)).then(pl.lit(value) * pl.lit(Decimal("0.01"), dtype=pl.Decimal(9, 2)))
                      .otherwise(pl.lit(value))).to_series().cast(pl.Decimal(38, 6))
    return _checked_shares(frame, value, text, name, file, header, problems, fine)


def _checked_shares(frame: pl.DataFrame, value: pl.Series, text: pl.Series, name: str, file: str, header: str,
                    problems: Problems, fine: pl.Series | None = None) -> pl.Series:
    """``value`` where it is a share (above 0, at most 1; ``fine``: well-formed), null and a problem elsewhere."""
    bad = text.is_not_null() & ((value <= 0).fill_null(True) | (value > 1).fill_null(True))
    if fine is not None:
        bad = bad | (text.is_not_null() & ~fine)
    problems.rows(frame, bad.fill_null(False), file, header, name,
                  "a share above 0 and at most 1: a fraction with at most 6 decimals (0.333333) or a percent with at most 4 (33.3333%)")
    return pl.select(pl.when(pl.lit(bad.fill_null(False))).then(None).otherwise(pl.lit(value))).to_series() \
        .cast(SHARE).alias(name)


def dates(frame: pl.DataFrame, name: str, file: str, header: str, problems: Problems, *,
          optional: bool = False) -> pl.Series:
    """Dates in the common forms (see the module note); a wrong or impossible date is a problem."""
    text = frame[name]
    if not optional:
        required(frame, name, file, header, "the date", problems)
    if bool(text.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").fill_null(True).all()):  # all ISO: the text is the date
        value = text.str.to_date("%Y-%m-%d", strict=False)
        problems.rows(frame, (text.is_not_null() & value.is_null()).fill_null(False), file, header, name,
                      "a date such as 2026-01-31 (or 2026/1/31, 20260131, 2026年1月31日)")
        return value.alias(name)
    parts = text.str.extract_groups(_DATE)
    y = parts.struct.field("y")
    m = pl.select(pl.coalesce(parts.struct.field("m"), parts.struct.field("m2"), parts.struct.field("m3"))).to_series()
    d = pl.select(pl.coalesce(parts.struct.field("d"), parts.struct.field("d2"), parts.struct.field("d3"))).to_series()
    iso = pl.select(pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-")).to_series()
    value = iso.str.to_date("%Y-%m-%d", strict=False)
    problems.rows(frame, (text.is_not_null() & value.is_null()).fill_null(False), file, header, name,
                  "a date such as 2026-01-31 (or 2026/1/31, 20260131, 2026年1月31日)")
    return value.alias(name)


def duplicates(frame: pl.DataFrame, key: list[str], file: str, header: str, what: str, problems: Problems,
               row_column: str = ROW) -> None:
    """Each repeated key: its rows, first one named."""
    if frame.select(pl.struct(key).hash().n_unique()).item() == frame.height:  # distinct hashes: distinct keys
        return
    dup = frame.filter(pl.struct(key).is_duplicated()).sort(row_column)
    first: dict[tuple, int] = {}
    for row in dup.select(*key, row_column).iter_rows():
        k, r = tuple(row[:-1]), row[-1]
        if k in first:
            problems.add(file, r, header, " / ".join(str(x) for x in k), f"a unique {what}; row {first[k]} has the same")
        else:
            first[k] = r
