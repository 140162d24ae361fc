"""Period data input: files in, one typed, checked polars frame out.

``read_period_data`` reads CSV / TSV / TXT (UTF-8, UTF-8 with BOM, UTF-16,
GBK / GB18030), XLSX, JSON and Parquet, matches columns to the policy's
inputs and checks every cell; ``parse_period`` reads period labels such as
``2026-Q3``.
"""

from incentive.io.data import PeriodData, read_period_data
from incentive.io.periods import Period, parse_period

__all__ = ["Period", "PeriodData", "parse_period", "read_period_data"]
