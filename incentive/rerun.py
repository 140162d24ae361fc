"""Re-running a recorded close exactly: with the options it was made with.

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
import tempfile
from pathlib import Path
from typing import Any, Mapping

from incentive.errors import UsageError
from incentive.ledger.errors import LedgerError
from incentive.workflow import RunOptions

#: the key of a ledger entry's ``totals`` holding the options (never a payout id: ids have no ``@``)
OPTIONS_KEY = "@options"
#: RunOptions fields that do not shape a close's outputs (or are recorded elsewhere)
_NOT_RECORDED = ("period", "overrides", "ledger", "max_errors", "strict_history")
_OUTPUT_FLAGS = ("xlsx", "trace", "html")
_SCALARS = (str, int, bool, type(None))


def record(run: RunOptions, *, xlsx: bool, trace: bool, html: bool) -> dict[str, Any]:
    """The options that shape a close's outputs, as plain JSON values."""
    fields = {k: v for k, v in dataclasses.asdict(run).items() if k not in _NOT_RECORDED}
    fields = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
    return {"run": dict(sorted(fields.items())), "outputs": {"xlsx": xlsx, "trace": trace, "html": html}}


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
    return value


def recorded(entry) -> tuple[RunOptions, dict[str, bool]]:
    """The run options and output choices ``entry`` was closed with (defaults for older closes)."""
    value = (entry.totals or {}).get(OPTIONS_KEY) if isinstance(entry.totals, Mapping) else None
    if value is None:  # closed before options were recorded: the defaults, the files it listed
        return RunOptions(period=entry.period), {"xlsx": "results.xlsx" in entry.outputs,
                                                  "trace": "trace.jsonl" in entry.outputs,
                                                  "html": "report.html" in entry.outputs}
    value = check_record(value, f"ledger entry {entry.seq}")
    run = {k: tuple(v) if isinstance(v, list) else v for k, v in value["run"].items()}
    try:
        return RunOptions(period=entry.period, **run), {k: value["outputs"][k] for k in _OUTPUT_FLAGS}
    except TypeError as exc:
        raise LedgerError(f"ledger entry {entry.seq}: recorded options do not fit ({exc})") from None


def differences(entry, run: RunOptions, outputs: Mapping[str, bool]) -> list[str]:
    """The output-shaping options of this run that differ from those ``entry`` recorded."""
    then_run, then_outputs = recorded(entry)
    now, then = record(run, **outputs), record(then_run, **then_outputs)
    out = [f"{k}: recorded {then['run'].get(k)!r}, now {v!r}" for k, v in now["run"].items()
           if then["run"].get(k) != v]
    out += [f"--{k}: recorded {then['outputs'][k]}, now {v}" for k, v in now["outputs"].items()
            if then["outputs"][k] != v]
    return out


def read_data(path: str | Path, policy, run: RunOptions, *, keep_bytes: bool = False):
    """The one data-reading call of a close and of every re-run of it.

    Every ``RunOptions`` field the reader takes as a keyword (``encoding``,
    ``sheet``, ``max_errors`` and whatever data-reading option is added to
    both) is passed, so a new option reaches the close and its re-runs alike."""
    import inspect

    from incentive.io import read_period_data

    accepted = inspect.signature(read_period_data).parameters
    kwargs = {k: v for k, v in dataclasses.asdict(run).items() if k in accepted and k not in ("path", "policy")}
    return read_period_data(path, policy, keep_bytes=keep_bytes, **kwargs)


def rebuild(ledger, entry, directory: Path):
    """Re-run ``entry`` from what the ledger recorded -- policy text, data bytes,
    history, options -- writing its outputs into ``directory``.

    Returns ``(results, {file name: sha256})``; the caller compares the hashes
    with ``entry.outputs``."""
    from incentive.closing import CloseOptions, write_outputs
    from incentive.engine.pipeline import evaluate
    from incentive.io.periods import parse_period
    from incentive.policy.validate import load_policy

    run, outputs = recorded(entry)
    as_recorded = (entry.totals or {}).get(OPTIONS_KEY)  # into the manifest byte for byte, as the close wrote it
    with tempfile.TemporaryDirectory(prefix="incentive-rerun-") as tmp_name:
        tmp = Path(tmp_name)
        policy_file = tmp / "policy.yaml"
        policy_file.write_text(entry.policy_text or "", encoding="utf-8")
        data_file = tmp / _safe_name(entry.data_name)
        data_file.write_bytes(ledger.load_data(entry))
        checked = load_policy(str(policy_file))
        period = parse_period(entry.period, checked.policy.period)
        try:
            data = read_data(data_file, checked.policy, run)
        except UsageError as exc:
            raise LedgerError(f"ledger entry {entry.seq}: its recorded data cannot be read again with the "
                              f"recorded options: {exc}") from None
        wanted = [checked.policy.id_input.id, *sorted(checked.history_names)]
        history = {period.ordinal - o: f for o, f in ledger.recorded_history(entry, columns=wanted).items()}
        results = evaluate(checked, data, period, history=history, lang=run.lang)
        opts = CloseOptions(xlsx=outputs["xlsx"], trace=outputs["trace"], html=outputs["html"], recorded=as_recorded,
                            lang=run.lang)
        _, written = write_outputs(results, directory, (entry.policy_text or "").encode("utf-8"), opts)
    return results, written


def _safe_name(name: str | None) -> str:
    """The recorded data file name (its suffix picks the reader), never a path."""
    base = Path(name or "data.csv").name
    return base if base not in ("", ".", "..") else "data.csv"
