"""Excel serial day numbers as ISO dates, as Excel shows them.

A date cell that lost its date format (or a CSV saved from one) holds the
serial day number; the XLSX reader turns those into dates, the cell rules
name them in their message for a CSV.
"""

from __future__ import annotations

from datetime import date, timedelta


#: the last Excel serial date (9999-12-31)
SERIAL_MAX = 2958465


def excel_serial_date(serial: int, date1904: bool = False) -> str:
    """The ISO date of an Excel serial day number, as Excel shows it.

    1900 system (the default): day 1 is 1900-01-01, and day 60 is the
    1900-02-29 Lotus 1-2-3 counted although it never existed (so days from
    61 on are one less than a plain count from 1899-12-31); day 60 is
    returned as the impossible ``1900-02-29``, which the date rule refuses.
    1904 system: day 0 is 1904-01-01.
    """
    if date1904:
        return (date(1904, 1, 1) + timedelta(days=serial)).isoformat()
    if serial == 60:
        return "1900-02-29"
    return (date(1899, 12, 31 if serial < 60 else 30) + timedelta(days=serial)).isoformat()
