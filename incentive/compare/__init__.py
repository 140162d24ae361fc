"""Testing policy changes: compare two evaluations, sweep one parameter.

``diff`` holds the comparison of two ``Results`` (pure data, no I/O);
``sweep`` the sensitivity table of one parameter. Evaluating the variants
(reading the data file as few times as their inputs allow) is the
application layer's ``incentive.app.variants``.
"""

from incentive.compare.diff import NONE_BAND, CostLine, Diff, GroupLine, compare
from incentive.compare.sweep import Sweep, SweepPoint, parse_range

__all__ = ["NONE_BAND", "CostLine", "Diff", "GroupLine", "Sweep", "SweepPoint", "compare", "parse_range"]
