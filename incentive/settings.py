"""Project settings: which ledger and which output root every command uses.

One answer for every command, so a dry run (``evaluate``) reads the same
history the official ``close`` records into. In order of precedence:

1. the command's option (``--ledger PATH``, ``--out DIR``);
2. the environment (``INCENTIVE_LEDGER``, ``INCENTIVE_OUT``);
3. ``incentive.toml`` in the working directory or the nearest folder above
   it (keys ``ledger`` and ``out``, relative to that file's folder);
4. the default (``./incentive-ledger.sqlite``, ``./out``).

``Setting.source`` says which of these gave the answer, so a message can
tell the user why a command looked where it did.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from incentive.errors import UsageError

SETTINGS_FILE = "incentive.toml"
LEDGER_ENV = "INCENTIVE_LEDGER"
OUT_ENV = "INCENTIVE_OUT"
DEFAULT_LEDGER = Path("incentive-ledger.sqlite")
DEFAULT_OUT = Path("out")
#: a settings file holds two paths; anything this big is not one
MAX_SETTINGS_BYTES = 64 * 1024
_KEYS = ("ledger", "out")


@dataclass(frozen=True)
class Setting:
    """A resolved path and where it came from (for messages)."""

    path: Path
    source: str  # "--ledger", "$INCENTIVE_LEDGER", "/abs/incentive.toml", "default"

    def describe(self) -> str:
        """``/abs/path (from --ledger)``: the full path and why it was chosen."""
        return f"{self.path.absolute()} (from {self.source})"


def find_settings_file(start: Path | None = None) -> Path | None:
    """The nearest ``incentive.toml`` at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / SETTINGS_FILE
        if candidate.is_file():
            return candidate
    return None


def read_settings(path: Path) -> dict[str, Path]:
    """The paths ``path`` sets, made absolute against its folder; a precise error otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_SETTINGS_BYTES:
            raise UsageError(f"{path}: {size} bytes; a settings file holds at most {MAX_SETTINGS_BYTES} bytes "
                             f"(keys: {', '.join(_KEYS)})")
        raw = path.read_bytes()[:MAX_SETTINGS_BYTES + 1]
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the settings file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
        table = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}); a settings file is TOML") from None
    except tomllib.TOMLDecodeError as exc:  # its message names the line and column
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r}; expected only {', '.join(_KEYS)} "
                         f"(line {_line_of(text, unknown[0])})")
    out: dict[str, Path] = {}
    for key in _KEYS:
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            raise UsageError(f"{path}: line {_line_of(text, key)}: {key} must be a non-empty path string, "
                             f"e.g. {key} = \"{DEFAULT_LEDGER if key == 'ledger' else DEFAULT_OUT}\"; "
                             f"got {value!r}")
        out[key] = path.parent.absolute() / Path(value).expanduser()
    return out


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith((key, f'"{key}"', f"'{key}'")):
            return number
    return 1


def _resolve(option: str | os.PathLike | None, option_name: str, env: str, key: str, default: Path) -> Setting:
    if option:
        return Setting(Path(option), option_name)
    value = os.environ.get(env)
    if value:
        return Setting(Path(value), f"${env}")
    found = find_settings_file()
    if found is not None:
        paths = read_settings(found)
        if key in paths:
            return Setting(paths[key], str(found))
    return Setting(default, "default")


def resolve_ledger(option: str | os.PathLike | None = None) -> Setting:
    """The ledger every command uses: ``--ledger`` > ``$INCENTIVE_LEDGER`` > incentive.toml > default."""
    return _resolve(option, "--ledger", LEDGER_ENV, "ledger", DEFAULT_LEDGER)


def resolve_out(option: str | os.PathLike | None = None) -> Setting:
    """The output root of a close: ``--out`` > ``$INCENTIVE_OUT`` > incentive.toml > ``./out``."""
    return _resolve(option, "--out", OUT_ENV, "out", DEFAULT_OUT)
