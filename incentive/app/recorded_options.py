"""The options a close was made with, recorded so every re-run reuses them.

A close's outputs depend on more than its policy and data bytes: the
language of labels and reasons, the optional files (``--xlsx``, ``--trace``,
the report) and how the data file was read (``--encoding``, ``--sheet`` and
every other data-reading option of ``RunOptions``). A close records them
(``record``) in its manifest (``options``) and in its ledger entry (the
``@options`` key of ``totals``, which the entry hash covers), and every
re-run -- ``verify``, the rebuild of missing outputs, ``explain --close`` --
takes them from there (``recorded``). Closes made before options were
recorded re-run with the defaults.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from incentive.app.run import RunOptions
from incentive.errors import UsageError
from incentive.ledger.errors import LedgerError
from incentive.ledger.records import LedgerEntry

#: the key of a ledger entry's ``totals`` holding the options (never a payout id: ids have no ``@``)
OPTIONS_KEY = "@options"
#: RunOptions fields that do not shape a close's outputs (or are recorded elsewhere)
_NOT_RECORDED = ("period", "overrides", "ledger", "max_errors", "strict_history")
_OUTPUT_FLAGS = ("xlsx", "trace", "html")
_SCALARS = (str, int, bool, type(None))
#: output choices recorded only when chosen, so closes without them keep the record they always had
_OPTIONAL_FLAGS = ("statements",)


def record(run: RunOptions, *, xlsx: bool, trace: bool, html: bool, statements: bool = False) -> dict[str, Any]:
    """The options that shape a close's outputs, as plain JSON values."""
    fields = {k: v for k, v in dataclasses.asdict(run).items() if k not in _NOT_RECORDED}
    fields = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
    outputs = {"xlsx": xlsx, "trace": trace, "html": html, **({"statements": True} if statements else {})}
    return {"run": dict(sorted(fields.items())), "outputs": outputs}


def check_record(value: object, where: str) -> dict[str, Any]:
    """``value`` is a record as ``record`` makes it, or a precise error naming ``where``."""
    known = {f.name for f in dataclasses.fields(RunOptions)} - set(_NOT_RECORDED)
    if not isinstance(value, dict) or not isinstance(value.get("run"), dict) \
            or not isinstance(value.get("outputs"), dict):
        raise LedgerError(f"{where}: recorded options must be an object with objects \"run\" and \"outputs\", "
                          f"got {type(value).__name__}")
    run, outputs = value["run"], value["outputs"]
    unknown = sorted(set(run) - known)
    if unknown:
        raise LedgerError(f"{where}: recorded option {unknown[0]!r} is not known to this engine "
                          "(closed by a newer incentive?)")
    for key, item in run.items():
        if not (isinstance(item, _SCALARS) or (isinstance(item, list) and all(isinstance(i, _SCALARS)
                                                                               for i in item))):
            raise LedgerError(f"{where}: recorded option {key!r} must be text, a number, a flag or a list of "
                              f"them, got {type(item).__name__}")
    for key in _OUTPUT_FLAGS:
        if not isinstance(outputs.get(key), bool):
            raise LedgerError(f"{where}: recorded output choice {key!r} must be true or false, "
                              f"got {outputs.get(key)!r}")
    for key in _OPTIONAL_FLAGS:
        if key in outputs and not isinstance(outputs[key], bool):
            raise LedgerError(f"{where}: recorded output choice {key!r} must be true or false, "
                              f"got {outputs[key]!r}")
    return value


def recorded(entry: LedgerEntry) -> tuple[RunOptions, dict[str, bool]]:
    """The run options and output choices ``entry`` was closed with (defaults for older closes)."""
    value = (entry.totals or {}).get(OPTIONS_KEY) if isinstance(entry.totals, Mapping) else None
    if value is None:  # closed before options were recorded: the defaults, the files it listed
        return RunOptions(period=entry.period), {"xlsx": "results.xlsx" in entry.outputs,
                                                  "trace": "trace.jsonl" in entry.outputs,
                                                  "html": "report.html" in entry.outputs, "statements": False}
    value = check_record(value, f"ledger entry {entry.seq}")
    run: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in value["run"].items()}
    try:
        return RunOptions(period=entry.period, **run), {**{k: value["outputs"][k] for k in _OUTPUT_FLAGS},
                                                        **{k: bool(value["outputs"].get(k, False))
                                                           for k in _OPTIONAL_FLAGS}}
    except TypeError as exc:
        raise LedgerError(f"ledger entry {entry.seq}: recorded options do not fit ({exc})") from None


def differences(entry: LedgerEntry, run: RunOptions, outputs: Mapping[str, bool]) -> list[str]:
    """The output-shaping options of this run that differ from those ``entry`` recorded."""
    then_run, then_outputs = recorded(entry)
    now, then = record(run, **outputs), record(then_run, **then_outputs)
    out = [f"{k}: recorded {then['run'].get(k)!r}, now {v!r}" for k, v in now["run"].items()
           if then["run"].get(k) != v]
    flags = [*now["outputs"], *(k for k in then["outputs"] if k not in now["outputs"])]
    out += [f"--{k}: recorded {then['outputs'].get(k, False)}, now {now['outputs'].get(k, False)}" for k in flags
            if then["outputs"].get(k, False) != now["outputs"].get(k, False)]
    return out
