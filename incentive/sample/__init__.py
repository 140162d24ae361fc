"""Synthetic period data for any policy, so managers can try changes without real data.

``sample_frame`` draws the data (see ``generate``); ``write_sample`` writes it
in any supported input format with the inputs' column headers.
"""

from incentive.sample.generate import default_period, sample_frame
from incentive.sample.output import FORMATS, format_for, write_sample

__all__ = ["FORMATS", "default_period", "format_for", "sample_frame", "write_sample"]
