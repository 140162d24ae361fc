"""What a long run reports as it goes: the stage it is in.

The application layer only names its stages (``read``, ``evaluate``,
``outputs``, ``ledger``, in the order the run reaches them); how, and
whether, they are shown is the caller's choice -- the CLI draws them on a
terminal (``cli.progress``), everything else passes ``SILENT``.
"""

from __future__ import annotations

from typing import Protocol

#: every stage a run may report, in order, with the words a terminal shows for it
STAGES = {"read": "reading data", "evaluate": "evaluating", "outputs": "writing outputs",
          "ledger": "recording in the ledger"}


class Progress(Protocol):
    def stage(self, name: str, detail: str = "") -> None:
        """The run starts stage ``name`` (a key of ``STAGES``; ``detail`` such as ``3/9``); the previous one is over."""


class _Silent:
    def stage(self, name: str, detail: str = "") -> None:
        pass


#: the progress of a run nobody watches
SILENT: Progress = _Silent()
