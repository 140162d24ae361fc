"""Run one hostile case through the real command line and judge the outcome.

A case is a YAML file in ``cases/`` (see ``cases/README.md`` for every key).
The runner materializes its inputs in a fresh directory nested a few levels
deep (so a ``../`` escape would land somewhere it can see), runs
``python -m incentive <command> ...`` there with a timeout, and checks:

* always: the exit status; no Python traceback on either stream; the wall
  time under the case's bound; nothing written outside the output directory
  and the ledger, and the input files unchanged; a ledger that exists has an
  intact hash chain and is owner-only;
* after a failure: out/ exactly as before the command (no file at all, not
  even a hidden staging file, unless ``before`` steps wrote some), and no new
  ledger entry;
* after a success: every output file ``0o600``; no CSV cell and no XLSX
  string cell that a spreadsheet would run as a formula, and no XLSX formula
  at all;
* whatever the case adds: message substrings, the exact set of output
  files, cell values per column (CSV / XLSX / JSON / Parquet), numeric XLSX
  columns, the number of ledger entries, owner-only directories.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import yaml

from tests.hostile.generators import FIXTURES, generate

CASES = Path(__file__).parent / "cases"
DEFAULT_TIMEOUT = 120.0
PERIOD = "2026-01"

DEFAULT_ARGS = {
    "validate": ["{policy}"],
    "evaluate": ["{policy}", "{data}", "--period", PERIOD, "--out", "{out}"],
    "explain": ["{policy}", "{data}", "--period", PERIOD, "--employee", "E1"],
    "close": ["{policy}", "{data}", "--period", PERIOD, "--ledger", "{ledger}", "--out", "{out}"],
}

KNOWN_KEYS = {"about", "command", "args", "extra_args", "policy", "data", "expect", "xfail", "before", "env"}
EXPECT_KEYS = {"exit", "stderr", "stdout", "absent", "seconds", "outputs", "cells", "numeric", "ledger_entries",
               "owner_only_dirs"}


# ------------------------------------------------------------------ the oracle for formula-like cells
# Written independently of incentive.output.safe_text (OWASP CSV injection):
# a cell whose first character -- after any leading spaces a spreadsheet
# trims -- is = + - @ tab CR LF or NUL may be run as a formula.
_LEADING_SPACE = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c" \
                 "\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\x0b\x0c"
_TRIGGERS = "=+-@\t\r\n\x00"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def formula_like(text: str) -> bool:
    stripped = text.lstrip(_LEADING_SPACE)
    return bool(stripped) and stripped[0] in _TRIGGERS


def csv_cell_is_safe(text: str) -> bool:
    """A CSV cell is safe when it is a plain number (negative amounts included) or not formula-like."""
    return _NUMBER.fullmatch(text) is not None or not formula_like(text)


# ------------------------------------------------------------------ cases


@dataclass
class Case:
    id: str
    path: Path
    spec: dict

    @property
    def command(self) -> str:
        return self.spec["command"]

    @property
    def expect(self) -> dict:
        return self.spec["expect"]

    def args(self) -> list[str]:
        args = self.spec.get("args")
        if args is None:
            args = DEFAULT_ARGS[self.command]
        return [self.command, *map(str, args), *map(str, self.spec.get("extra_args", []))]


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        unknown = set(spec) - KNOWN_KEYS
        if unknown:
            raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
        unknown = set(spec.get("expect", {})) - EXPECT_KEYS
        if unknown:
            raise ValueError(f"{path.name}: unknown expect keys {sorted(unknown)}")
        if "exit" not in spec.get("expect", {}):
            raise ValueError(f"{path.name}: expect.exit is required")
        if not spec.get("about"):
            raise ValueError(f"{path.name}: say what the case is about")
        if spec.get("command") not in DEFAULT_ARGS and "args" not in spec:
            raise ValueError(f"{path.name}: command {spec.get('command')!r} has no default arguments; give args")
        cases.append(Case(path.stem, path, spec))
    return cases


def _content(spec: dict | None, default_name: str) -> tuple[str, bytes] | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        spec = {"file": spec}
    name = spec.get("name", default_name)
    if "file" in spec:
        raw = (FIXTURES / spec["file"]).read_bytes()
    elif "text" in spec:
        raw = spec["text"].encode(spec.get("encoding", "utf-8"))
    elif "hex" in spec:
        raw = bytes.fromhex(spec["hex"])
    elif "generate" in spec:
        raw = generate(spec["generate"])
    else:
        raise ValueError(f"an input needs file, text, hex or generate: {spec}")
    for old, new in spec.get("replace", []):
        if old.encode() not in raw:
            raise ValueError(f"replace: {old!r} is not in the input")
        raw = raw.replace(old.encode(), new.encode())
    return name, raw


# ------------------------------------------------------------------ running


@dataclass
class Outcome:
    exit: int | None  # None: killed by the timeout
    stdout: str
    stderr: str
    seconds: float
    root: Path
    work: Path
    inputs: dict[Path, bytes] = field(default_factory=dict)  # what the inputs held before the run
    before: list[subprocess.CompletedProcess] = field(default_factory=list)
    out_before: dict[str, bytes] = field(default_factory=dict)  # out/ after the ``before`` steps

    @property
    def out(self) -> Path:
        return self.work / "out"

    @property
    def ledger(self) -> Path:
        return self.work / "ledger.sqlite"


def _run(args: list[str], work: Path, env: dict, timeout: float) -> tuple[int | None, str, str, float]:
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "incentive", *args], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = None
    seconds = time.monotonic() - start
    return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), seconds


def run_case(case: Case, tmp_path: Path) -> Outcome:
    root = tmp_path
    work = root / "a" / "b" / "c" / "work"
    work.mkdir(parents=True)
    inputs: dict[Path, bytes] = {}
    names = {"policy": "policy.yaml", "data": "data.csv"}
    for key in ("policy", "data"):
        made = _content(case.spec.get(key), names[key])
        if made is not None:
            names[key] = made[0]
            (work / made[0]).write_bytes(made[1])
            inputs[work / made[0]] = made[1]
    fill = {"policy": names["policy"], "data": names["data"], "out": "out", "ledger": "ledger.sqlite",
            "fixtures": str(FIXTURES)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    env.update({"INCENTIVE_USER": "hostile-suite", "INCENTIVE_LEDGER": "ledger.sqlite", "PYTHONUTF8": "1"})
    env.update({k: str(v) for k, v in case.spec.get("env", {}).items()})
    done_before = []
    for args in case.spec.get("before", []):
        code, out, err, _ = _run([a.format(**fill) for a in map(str, args)], work, env, DEFAULT_TIMEOUT)
        done_before.append(subprocess.CompletedProcess(args, code, out, err))
    snapshot = snapshot_files(work / "out")
    timeout = float(case.expect.get("seconds", DEFAULT_TIMEOUT))
    args = [a.format(**fill) for a in case.args()]
    code, out, err, seconds = _run(args, work, env, max(timeout, 1.0) * 3 if "seconds" in case.expect else timeout)
    return Outcome(code, out, err, seconds, root, work, inputs, done_before, snapshot)


# ------------------------------------------------------------------ reading outputs


def files_under(path: Path) -> list[Path]:
    if not path.exists():
        return []
    return sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink())


def snapshot_files(path: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``path`` (hidden ones included)."""
    return {str(f.relative_to(path)): f.read_bytes() for f in files_under(path) if f.is_file()}


def read_csv_rows(path: Path) -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)  # a case carries a 10-million-character cell
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx_cells(path: Path, first_sheet: bool = False) -> tuple[list[list[tuple[str, str]]], bool]:
    """Rows of (kind, text) cells from every sheet, and whether any cell holds a formula.

    kind: ``number``, ``text``, ``bool`` or ``error``; gaps are filled with ``("blank", "")``.
    """
    with zipfile.ZipFile(path) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root.findall("m:si", _NS)]
        rows: list[list[tuple[str, str]]] = []
        formula = False
        names = sorted((n for n in z.namelist() if n.startswith("xl/worksheets/sheet")),
                       key=lambda n: int(re.sub(r"\D", "", n) or 0))
        for name in names[:1] if first_sheet else names:
            sheet = ElementTree.fromstring(z.read(name))
            for row in sheet.iter(f"{{{_NS['m']}}}row"):
                cells: list[tuple[str, str]] = []
                for c in row.findall("m:c", _NS):
                    col = _column_index(c.get("r", ""))
                    while len(cells) < col:
                        cells.append(("blank", ""))
                    if c.find("m:f", _NS) is not None:
                        formula = True
                    t = c.get("t", "n")
                    v = c.find("m:v", _NS)
                    if t == "inlineStr":
                        cells.append(("text", "".join(x.text or "" for x in c.iter(f"{{{_NS['m']}}}t"))))
                    elif t == "s":
                        cells.append(("text", shared[int(v.text)]))
                    elif t == "str":
                        cells.append(("text", v.text or "" if v is not None else ""))
                    elif t == "b":
                        cells.append(("bool", v.text if v is not None else ""))
                    elif t == "e":
                        cells.append(("error", v.text if v is not None else ""))
                    else:
                        cells.append(("number", v.text if v is not None else ""))
                rows.append(cells)
    return rows, formula


def xlsx_table(path: Path) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """(column ids, data rows) of the first sheet. A workbook with a label row above the ids (C9: the
    ``incentive_id_row`` custom property says 2) has its ids in row 2."""
    with zipfile.ZipFile(path) as z:
        custom = z.read("docProps/custom.xml").decode("utf-8") if "docProps/custom.xml" in z.namelist() else ""
    id_row = 2 if re.search(r'name="incentive_id_row"[^>]*>\s*<vt:i4>2<', custom) else 1
    rows, _ = read_xlsx_cells(path, first_sheet=True)
    return [text for _, text in rows[id_row - 1]], rows[id_row:]


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    if not letters:
        return 0
    n = 0
    for ch in letters.group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_values(path: Path, column: str) -> list[str | None]:
    """The values of one column of an output table, as text, in row order."""
    suffix = path.suffix
    if suffix == ".csv":
        rows = read_csv_rows(path)
        i = rows[0].index(column)
        return [r[i] for r in rows[1:]]
    if suffix == ".xlsx":
        header, body = xlsx_table(path)
        i = header.index(column)
        return [r[i][1] if i < len(r) else "" for r in body]
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return [None if row.get(column) is None else str(row.get(column)) for row in data]
    if suffix == ".parquet":
        import polars as pl

        return [None if v is None else str(v) for v in pl.read_parquet(path, columns=[column])[column].to_list()]
    raise ValueError(f"cannot read {path.name}")


# ------------------------------------------------------------------ judging


def check(case: Case, o: Outcome) -> list[str]:
    e = case.expect
    problems: list[str] = []
    both = o.stdout + o.stderr
    for i, b in enumerate(o.before):
        if b.returncode != 0:
            problems.append(f"before[{i}] {b.args} exited {b.returncode}: {b.stderr[-2000:]}")
    if o.exit is None:
        return problems + [f"hang: no exit within {o.seconds:.1f}s"]
    if o.exit != e["exit"]:
        problems.append(f"exit status {o.exit}, expected {e['exit']}")
    if "Traceback (most recent call last)" in both:
        problems.append("a Python traceback was printed")
    if "seconds" in e and o.seconds > float(e["seconds"]):
        problems.append(f"took {o.seconds:.1f}s, the bound is {e['seconds']}s")
    for stream, text in (("stderr", o.stderr), ("stdout", o.stdout)):
        for needle in e.get(stream, []):
            if needle not in text:
                problems.append(f"{stream} lacks {needle!r}")
    for needle in e.get("absent", []):
        if needle in both:
            problems.append(f"output contains {needle!r}")
    problems += _check_files(case, o)
    problems += _check_ledger(case, o)
    if problems:
        problems.append(f"--- stdout (tail)\n{o.stdout[-3000:]}\n--- stderr (tail)\n{o.stderr[-3000:]}")
    return problems


def _check_files(case: Case, o: Outcome) -> list[str]:
    e = case.expect
    problems: list[str] = []
    allowed_ledger = {o.ledger, o.ledger.with_name(o.ledger.name + "-journal")}
    for f in files_under(o.root):
        if f in o.inputs or f in allowed_ledger or o.out in f.parents:
            continue
        problems.append(f"written outside the output directory: {f.relative_to(o.root)}")
    for f, before in o.inputs.items():
        if not f.is_file() or f.read_bytes() != before:
            problems.append(f"the input {f.name} was changed")
    outputs = files_under(o.out)
    if o.exit != 0:
        now = snapshot_files(o.out)
        if now != o.out_before:
            changed = sorted(k for k in set(now) | set(o.out_before) if now.get(k) != o.out_before.get(k))
            problems.append(f"a failed run changed files under out/: {changed}")
        return problems
    listed = e.get("outputs")
    if listed is not None:
        got = sorted(str(p.relative_to(o.out)) for p in outputs)
        if got != sorted(listed):
            problems.append(f"output files {got}, expected {sorted(listed)}")
    for f in outputs:
        mode = stat.S_IMODE(f.lstat().st_mode)
        if mode != 0o600:
            problems.append(f"{f.relative_to(o.out)} has mode {oct(mode)}, expected 0o600 (pay data is owner-only)")
        if f.suffix == ".csv":
            for r, row in enumerate(read_csv_rows(f), start=1):
                bad = [cell for cell in row if not csv_cell_is_safe(cell)]
                if bad:
                    problems.append(f"{f.name} row {r}: formula-like cells {bad!r}")
        elif f.suffix == ".xlsx":
            rows, formula = read_xlsx_cells(f)
            if formula:
                problems.append(f"{f.name} holds a formula")
            for r, row in enumerate(rows, start=1):
                bad = [text for kind, text in row if kind == "text" and formula_like(text)]
                if bad:
                    problems.append(f"{f.name} row {r}: formula-like text cells {bad!r}")
    if e.get("owner_only_dirs"):
        for d in [o.out, *sorted(p for p in o.out.rglob("*") if p.is_dir())]:
            mode = stat.S_IMODE(d.stat().st_mode)
            if mode != 0o700:
                problems.append(f"directory {d.relative_to(o.work)} has mode {oct(mode)}, expected 0o700")
    for spec in e.get("cells", []):
        path = o.out / spec["file"]
        if not path.exists():
            problems.append(f"{spec['file']} was not written")
            continue
        got = column_values(path, spec["column"])
        if got != spec["values"]:
            problems.append(f"{spec['file']} column {spec['column']!r}: {got!r}, expected {spec['values']!r}")
    for spec in e.get("numeric", []):
        path = o.out / spec["file"]
        header, body = xlsx_table(path)
        i = header.index(spec["column"])
        kinds = {r[i][0] for r in body if i < len(r) and r[i][0] != "blank"}
        if kinds != {"number"}:
            problems.append(f"{spec['file']} column {spec['column']!r} holds {sorted(kinds)} cells, expected numbers")
    return problems


def _check_ledger(case: Case, o: Outcome) -> list[str]:
    problems: list[str] = []
    if not o.ledger.exists():
        if case.expect.get("ledger_entries"):
            problems.append("no ledger was written")
        return problems
    mode = stat.S_IMODE(o.ledger.stat().st_mode)
    if mode != 0o600:
        problems.append(f"the ledger has mode {oct(mode)}, expected 0o600")
    from incentive.ledger import Ledger

    with Ledger(o.ledger, readonly=True) as ledger:
        broken = ledger.verify_chain()
        if broken:
            problems.append(f"ledger chain broken: {broken}")
        entries = len(ledger.entries())
    expected = case.expect.get("ledger_entries")
    if expected is None and o.exit != 0 and not o.before:
        expected = 0  # a failed command records nothing
    if expected is not None and entries != expected:
        problems.append(f"the ledger holds {entries} entries, expected {expected}")
    return problems
