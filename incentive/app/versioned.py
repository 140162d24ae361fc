"""Evaluating a plan: a directory holding the version files of one policy id (docs/plan-versions.md).

``run_plan_evaluation`` loads every version (the usual checks, then the
version checks over the set), resolves the period to the version(s) covering
it and evaluates. A period wholly inside one version is exactly the
evaluation of that file. A period split between versions is evaluated under
each of them on the whole period's data and weighted by days
(``day_weights``); score, band, recommendations and every other column come
from the version covering the most days (ties: the later one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from incentive.app.day_weights import ADJUST, weigh
from incentive.app.progress import SILENT, Progress
from incentive.engine.pipeline import evaluate
from incentive.engine.results import ColumnInfo, Results, VersionPart
from incentive.errors import PolicyInvalid, UsageError
from incentive.io.periods import Period, parse_period
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.files import is_policy_file
from incentive.policy.validate import load_policy
from incentive.policy.version_checks import check_versions
from incentive.policy.versions import Share, describe, primary, resolve

if TYPE_CHECKING:  # app.run dispatches here; importing it back at run time would be a cycle
    from incentive.app.run import RunOptions
    from incentive.io.data import PeriodData

Evaluate = Callable[..., Results]


def is_plan(path: str) -> bool:
    """A plan is given as a directory; a policy as a file."""
    return Path(path).is_dir()


def plan_files(directory: str) -> list[Path]:
    """The version files of a plan: the ``*.yaml`` / ``*.yml`` directly in it (not ``*.test.yaml``), sorted."""
    root = Path(directory)
    files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(".") and is_policy_file(p.name))
    if not files:
        raise UsageError(f"{directory}: a plan directory holds the version files of one policy (*.yaml); "
                         "there are none here")
    return files


def load_plan(directory: str, overrides: tuple[str, ...] = ()) -> list[CheckedPolicy]:
    """Every version, checked one by one and then as a set; ``PolicyInvalid`` (exit 2) on any error."""
    checked = [load_policy(path, overrides=list(overrides)) for path in plan_files(directory)]
    ids = sorted({c.policy.id for c in checked})
    if len(ids) > 1:
        found = ", ".join(f"{c.policy.id} ({c.policy.file})" for c in checked)
        raise UsageError(f"{directory}: a plan directory holds the versions of one policy id; found {found}")
    errors = [f for f in check_versions(c.policy for c in checked) if f.level == "error"]
    if errors:
        raise PolicyInvalid(errors)
    return checked


def run_plan_evaluation(directory: str, data_path: str, opts: RunOptions, *, evaluate_file: Evaluate,
                        progress: Progress = SILENT) -> Results:
    """Evaluate the plan in ``directory`` for ``opts.period`` (``evaluate_file`` is ``run.run_evaluation``)."""
    versions = load_plan(directory, opts.overrides)
    by_policy = {id(c.policy): c for c in versions}
    period = parse_period(opts.period, versions[0].policy.period)
    shares = resolve([c.policy for c in versions], period.label, period.start, period.end)
    if len(shares) == 1:
        only = by_policy[id(shares[0].policy)]
        return evaluate_file(only.policy.file, data_path, opts, checked=only, progress=progress)
    _refuse_balances(shares, period.label)
    runs = [evaluate_file(s.policy.file, data_path, opts, checked=by_policy[id(s.policy)], progress=progress)
            for s in shares]
    return combine(runs, shares)


#: a split close's ledger ``totals`` key: every version it weighted, with its text (the entry hash covers it)
VERSIONS_KEY = "@versions"


@dataclass(frozen=True)
class SplitPlan:
    """A period split between plan versions, as a close evaluates it: each version with its days."""

    versions: tuple[CheckedPolicy, ...]  # in date order, one per share
    shares: tuple[Share, ...]

    @property
    def primary(self) -> CheckedPolicy:
        """The version whose score, band and recommendations the period reports (and whose file the close
        records as its policy)."""
        return self.versions[self.shares.index(primary(list(self.shares)))]

    def record(self) -> dict[str, Any]:
        """The ``VERSIONS_KEY`` record: each version's file name, version, sha256, text and days."""
        out = []
        for c, s in zip(self.versions, self.shares):
            raw = Path(c.policy.file).read_bytes()
            out.append({"file": Path(c.policy.file).name, "version": c.policy.version,
                        "sha256": hashlib.sha256(raw).hexdigest(), "text": raw.decode("utf-8"),
                        "start": s.start.isoformat(), "end": s.end.isoformat(), "days": s.days,
                        "total_days": s.total_days, "primary": c is self.primary})
        return {VERSIONS_KEY: out}


def plan_for_close(directory: str, period_text: str) -> tuple[str, SplitPlan | None]:
    """The version file a close of ``period_text`` records, and the split when the period has several.

    A period wholly inside one version closes that file, exactly as if it were given alone; a split
    period closes the day-weighted results of every version covering it (``evaluate_split``), recorded
    with the primary version's file as its policy and every version's text (``SplitPlan.record``)."""
    versions = load_plan(directory)
    by_policy = {id(c.policy): c for c in versions}
    period = parse_period(period_text, versions[0].policy.period)
    shares = resolve([c.policy for c in versions], period.label, period.start, period.end)
    if len(shares) == 1:
        return shares[0].policy.file, None
    _refuse_balances(shares, period.label)
    split = SplitPlan(tuple(by_policy[id(s.policy)] for s in shares), tuple(shares))
    return split.primary.policy.file, split


def version_for(path: str, period_text: str) -> str:
    """``path`` itself, or for a plan directory the version file covering the whole period (what-if runs
    compare files: a split period is a ``UsageError`` naming the versions and their days)."""
    if not is_plan(path):
        return path
    file, split = plan_for_close(path, period_text)
    if split is not None:
        parts = " and ".join(f"{describe(s.policy)} for {s.days}/{s.total_days} days" for s in split.shares)
        raise UsageError(f"{path}: period {period_text} is split between {parts}; compare the version files "
                         "themselves (`incentive evaluate` of the plan gives the weighted results)")
    return file


def recorded_split(texts: list[dict[str, Any]], directory: Path, period: Period) -> SplitPlan:
    """The split a close recorded, loaded again from its version texts written into ``directory``."""
    versions = []
    for v in texts:
        path = directory / Path(str(v["file"])).name
        path.write_text(str(v["text"]), encoding="utf-8")
        versions.append(load_policy(str(path)))
    shares = resolve([c.policy for c in versions], period.label, period.start, period.end)
    days = [(s.start.isoformat(), s.end.isoformat(), s.days) for s in shares]
    if days != [(v["start"], v["end"], v["days"]) for v in texts]:
        raise UsageError(f"the recorded versions of {period.label} no longer split it as recorded")
    by_policy = {id(c.policy): c for c in versions}
    return SplitPlan(tuple(by_policy[id(s.policy)] for s in shares), tuple(shares))


def evaluate_split(split: SplitPlan, read: Callable[[CheckedPolicy], PeriodData],
                   history: Callable[[CheckedPolicy], dict[int, pl.DataFrame]], period: Period, *,
                   lang: str) -> Results:
    """Every version on the whole period's data (each read as that version reads it, each with the history
    it reads), weighted by days (``combine``)."""
    runs = [evaluate(c, read(c), period, history=history(c), lang=lang) for c in split.versions]
    return combine(runs, list(split.shares))


def combine(runs: list[Results], shares: list[Share]) -> Results:
    """The weighted results of a split period: amounts by days, everything else from the primary version."""
    main_share = primary(shares)
    main = runs[shares.index(main_share)]
    key = main.id_column
    components = _components(runs)
    parts = []
    for r in runs:
        keep = [c for c, _ in components if c in r.frame.columns]
        parts.append(r.frame.select(pl.col(r.id_column).alias(key), *keep, "total"))
    money = main.checked.policy.money
    weighted = weigh(parts, [s.days for s in shares], components, key, money.decimals, money.rounding)
    replaced = [c for c, _ in components] + ["total"]
    frame = main.frame.drop([c for c in replaced if c in main.frame.columns])
    frame = frame.join(weighted.drop(ADJUST), on=key, how="left", maintain_order="left")
    order = [c for c in main.frame.columns] + [c for c in replaced if c not in main.frame.columns]
    split = tuple(VersionPart(s.policy.version, s.policy.file, s.start, s.end, s.days, s.total_days, p)
                  for s, p in zip(shares, parts))
    note = (f"{main.period.label} is split between plan versions, weighted by days: "
            + "; ".join(f"{describe(s.policy)} for {s.days}/{s.total_days} days" for s in shares)
            + f"; score, band and recommendations are version {main_share.policy.version}'s")
    warnings = [note] + _warnings(runs, shares)
    return replace(main, checked=_merged(runs, main), frame=frame.select(order),
                   columns=_columns(runs, main, components), split=split, warnings=warnings)


def _warnings(runs: list[Results], shares: list[Share]) -> list[str]:
    """Each version's warnings once; one that not every version gave says whose it is (a column one version
    ignores is read by the other)."""
    everyone = set.intersection(*(set(r.warnings) for r in runs))
    out: list[str] = []
    for r, s in zip(runs, shares):
        out += [w if w in everyone else f"version {s.policy.version}: {w}" for w in r.warnings]
    return list(dict.fromkeys(out))


def _components(runs: list[Results]) -> list[tuple[str, int]]:
    """Every payout (+1), penalty (-1) and adjustment line (+1) of any version, the primary's order first."""
    seen: dict[str, int] = {}
    for r in runs:
        for p in r.checked.policy.payouts:
            seen.setdefault(p.id, 1)
    for r in runs:
        for pen in r.checked.policy.penalties:
            seen.setdefault(pen.id, -1)
    for r in runs:  # a line added to the total (a true-up of a corrected period) is weighted like a payout
        for name, info in r.columns.items():
            if info.kind == "adjustment" and name in r.frame.columns:
                seen.setdefault(name, 1)
    return list(seen.items())


def _columns(runs: list[Results], main: Results, components: list[tuple[str, int]]) -> dict[str, ColumnInfo]:
    """The primary's column descriptions; a component only other versions have follows the primary's last
    column of its kind (payout / penalty), or comes before the total."""
    extra = {c: info for r in runs for c, info in r.columns.items()
             if c in dict(components) and c not in main.columns}
    out: dict[str, ColumnInfo] = {}
    names = list(main.columns)
    for kind in ("payout", "penalty", "adjustment"):
        mine = [c for c, info in extra.items() if info.kind == kind]
        last = max((i for i, n in enumerate(names) if (main.columns.get(n) or extra[n]).kind == kind),
                   default=None)
        at = last + 1 if last is not None else (names.index("total") if "total" in names else len(names))
        names[at:at] = mine
    for name in names:
        out[name] = main.columns.get(name) or extra[name]
    return out


def _merged(runs: list[Results], main: Results) -> CheckedPolicy:
    """The primary's checked policy, with the payouts and penalties only other versions have added after
    its own (and their expressions), so every table, the summary and explain show them."""
    checked = main.checked
    policy = checked.policy
    have = {p.id for p in policy.payouts} | {pen.id for pen in policy.penalties}
    payouts, penalties = list(policy.payouts), list(policy.penalties)
    exprs, types = dict(checked.exprs), dict(checked.types)
    for r in runs:
        if r is main:
            continue
        for p in r.checked.policy.payouts:
            if p.id not in have:
                payouts.append(p)
                have.add(p.id)
        for pen in r.checked.policy.penalties:
            if pen.id not in have:
                penalties.append(pen)
                have.add(pen.id)
        exprs = {**r.checked.exprs, **exprs}
        types = {**r.checked.types, **types}
    if len(payouts) == len(policy.payouts) and len(penalties) == len(policy.penalties):
        return checked
    return replace(checked, policy=replace(policy, payouts=tuple(payouts), penalties=tuple(penalties)),
                   exprs=exprs, types=types)


def _refuse_balances(shares: list[Share], label: str) -> None:
    """Draws, holds and clawbacks carry balances from close to close; weighting them by days is not defined."""
    for s in shares:
        if s.policy.draws or s.policy.holds or s.policy.clawbacks:
            raise UsageError(f"period {label} is split between plan versions, and {describe(s.policy)} has draws, "
                             "holds or clawbacks, whose balances carry from close to close and cannot be weighted "
                             "by days; hand the versions over on a period edge")
