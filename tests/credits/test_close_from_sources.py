"""``evaluate`` / ``close`` / ``verify`` straight from the crediting sources, through the real command.

The contract: a run from the sources is the run of the ``period.csv`` that
``incentive credit`` writes -- byte for byte -- and a close from them records
that table as its data, the credit table beside its outputs and every
source's sha256 in its manifest and its ledger entry.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from decimal import Decimal
import sys
from pathlib import Path

import pytest

from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "examples" / "sales-rep-crm"
POLICY = ROOT / "rules" / "sales-rep.yaml"
FILES = {"orders": CRM / "orders.csv", "cancellations": CRM / "refunds.csv", "splits": CRM / "splits.csv",
         "assignments": CRM / "org.csv", "people": CRM / "people.csv"}
SOURCES = [f"{name}={path}" for name, path in FILES.items()]
CREDITING = ["--crediting", str(CRM / "crediting.yaml")]
PERIOD = ["--period", "2026-Q1"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """`incentive credit`'s tables, and a close of its period.csv and one from the sources (own ledgers)."""
    tmp = tmp_path_factory.mktemp("sources")
    done = cli("credit", str(POLICY), *SOURCES, *CREDITING, *PERIOD, "--out", str(tmp / "credited"), cwd=tmp)
    assert done.returncode == 0, done.stderr
    a = cli("close", str(POLICY), str(tmp / "credited" / "period.csv"), *PERIOD, "--out", str(tmp / "from-file"),
            "--ledger", str(tmp / "file.sqlite"), "--quiet", cwd=tmp)
    assert a.returncode == 0, a.stderr
    b = cli("close", str(POLICY), *SOURCES, *CREDITING, *PERIOD, "--out", str(tmp / "from-sources"),
            "--ledger", str(tmp / "sources.sqlite"), "--quiet", cwd=tmp)
    assert b.returncode == 0, b.stderr
    assert "note: 1 line amounts dated outside 2026-Q1 were not credited" in b.stderr  # crediting's own counts
    return tmp


def closed(work: Path, which: str) -> Path:
    return work / which / "sales-rep" / "2026-Q1"


def test_evaluate_from_sources_is_evaluating_the_credited_period_table(work, tmp_path):
    a = cli("evaluate", str(POLICY), str(work / "credited" / "period.csv"), *PERIOD, "--out", str(tmp_path / "a"),
            cwd=tmp_path)
    b = cli("evaluate", str(POLICY), *SOURCES, *CREDITING, *PERIOD, "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout
    for name in ("results.csv", "recommendations.csv", "ranking.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_close_from_sources_gives_the_outputs_of_a_close_of_the_period_table(work):
    a, b = closed(work, "from-file"), closed(work, "from-sources")
    for name in ("results.csv", "payouts.csv", "audit.parquet", "recommendations.csv", "ranking.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    # the credit table is recorded beside the outputs, exactly as `incentive credit` writes it
    assert (b / "credits.csv").read_bytes() == (work / "credited" / "credits.csv").read_bytes()
    assert not (a / "credits.csv").exists()


def test_the_close_records_the_period_table_as_its_data_and_every_source_hash(work):
    manifest = json.loads((closed(work, "from-sources") / "manifest.json").read_text(encoding="utf-8"))
    period_csv = work / "credited" / "period.csv"
    assert manifest["data"] == {"file": "period.csv", "sha256": sha(period_csv)}
    assert manifest["files"]["credits.csv"]["sha256"] == sha(work / "credited" / "credits.csv")
    recorded = manifest["sources"]
    assert {n: s["sha256"] for n, s in recorded["sources"].items()} == {n: sha(p) for n, p in FILES.items()}
    assert recorded["crediting"]["sha256"] == sha(CRM / "crediting.yaml")
    assert recorded["credits"]["sha256"] == manifest["files"]["credits.csv"]["sha256"]
    with Ledger(work / "sources.sqlite", readonly=True) as ledger:
        entry = ledger.get_close("sales-rep", "2026-Q1")
        assert entry is not None
        assert ledger.load_data(entry) == period_csv.read_bytes()  # the evaluated table, byte for byte
        assert entry.totals["@sources"] == recorded  # covered by the entry hash
        assert entry.outputs["credits.csv"] == recorded["credits"]["sha256"]
    with Ledger(work / "file.sqlite", readonly=True) as ledger:  # a close of a data file records no sources
        entry = ledger.get_close("sales-rep", "2026-Q1")
        assert entry is not None and "@sources" not in entry.totals
    assert "sources" not in json.loads((closed(work, "from-file") / "manifest.json").read_text(encoding="utf-8"))


def test_verify_dir_checks_the_credit_table_and_re_aggregates_the_measures(work):
    done = cli("verify", str(closed(work, "from-sources")), "--ledger", str(work / "sources.sqlite"), cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "measures revenue, collected re-aggregated from it equal the recorded period table" in done.stdout
    assert "new_customers not re-aggregated" in done.stdout  # count_distinct needs the lines' columns
    everything = cli("verify", "--ledger", str(work / "sources.sqlite"), cwd=work)
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert "the ledger keeps its sha256 only" in everything.stdout
    old = cli("verify", str(closed(work, "from-file")), "--ledger", str(work / "file.sqlite"), cwd=work)
    assert old.returncode == 0, old.stdout + old.stderr  # a close of a per-person file verifies as before


def test_verify_names_a_tampered_credit_table(work, tmp_path):
    import shutil

    copy = tmp_path / "dir"
    shutil.copytree(closed(work, "from-sources"), copy)
    credits = copy / "credits.csv"
    credits.write_bytes(credits.read_bytes().replace(b",owner,direct,0,1,", b",owner,direct,0,0.9,", 1))
    done = cli("verify", str(copy), "--ledger", str(work / "sources.sqlite"), cwd=tmp_path)
    assert done.returncode == 1
    assert f"{credits}: differs from what ledger entry 1 recorded -- tampered" in done.stderr
    assert f"{credits}: differs from the credit table recorded in ledger entry 1 -- tampered" in done.stderr


def test_a_re_close_restores_missing_outputs_and_carries_the_credit_table(tmp_path):
    args = [str(POLICY), *SOURCES, *CREDITING, *PERIOD, "--out", str(tmp_path / "o"),
            "--ledger", str(tmp_path / "l.sqlite"), "--quiet"]
    assert cli("close", *args, cwd=tmp_path).returncode == 0
    target = tmp_path / "o" / "sales-rep" / "2026-Q1"
    again = cli("close", *args, cwd=tmp_path)
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stderr
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    (target / "report.html").unlink()
    restored = cli("close", *args, cwd=tmp_path)
    assert restored.returncode == 0 and "rebuilt them" in restored.stdout, restored.stderr
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    (target / "credits.csv").unlink()
    refused = cli("close", *args, cwd=tmp_path)
    assert refused.returncode == 2
    assert "credits.csv: missing or changed, and the ledger keeps only its sha256" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize("command", ["evaluate", "close"])
def test_a_missing_source_is_exit_2_and_nothing_written(tmp_path, command):
    sources = [s for s in SOURCES if not s.startswith("splits=")]
    out = ["--out", str(tmp_path / "o")] + (["--ledger", str(tmp_path / "l.sqlite")] if command == "close" else [])
    done = cli(command, str(POLICY), *sources, *CREDITING, *PERIOD, *out, cwd=tmp_path)
    assert done.returncode == 2
    assert f"missing source file(s) for splits (declared in {CRM / 'crediting.yaml'}); give them as NAME=PATH" \
        in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_source_file_that_does_not_exist_is_named(tmp_path):
    sources = [s if not s.startswith("splits=") else "splits=nope.csv" for s in SOURCES]
    done = cli("close", str(POLICY), *sources, *CREDITING, *PERIOD, "--out", str(tmp_path / "o"),
               "--ledger", str(tmp_path / "l.sqlite"), cwd=tmp_path)
    assert done.returncode == 2
    assert "splits=nope.csv: source 'splits': no such file nope.csv; expected the file of that source" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_layout_options_of_a_data_file_are_refused_with_sources(tmp_path):
    done = cli("evaluate", str(POLICY), *SOURCES, *CREDITING, *PERIOD, "--sheet", "Sheet1", cwd=tmp_path)
    assert done.returncode == 2
    assert "--sheet: read a per-person data file; crediting sources are read as the crediting file declares" \
        in done.stderr


def test_explain_close_lists_ten_lines_by_default(work):
    done = cli("explain", "--close", str(closed(work, "from-sources")), "--employee", "E001", cwd=work)
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("credited lines of E001: 10 largest of 23 credit rows\n", 1)[1]
    amounts = [ln.split()[-1] for ln in section.splitlines()[:10]]
    assert all(ln.startswith("    SO") for ln in section.splitlines()[:10])
    values = [Decimal(a.replace(",", "")) for a in amounts]  # largest first
    assert values == sorted(values, reverse=True)
    assert "total per measure:" in section and "    revenue (sum amount) = " in section


def test_a_re_close_from_other_sources_with_the_same_period_table_is_refused(tmp_path):
    args = [*CREDITING, *PERIOD, "--out", str(tmp_path / "o"), "--ledger", str(tmp_path / "l.sqlite"), "--quiet"]
    assert cli("close", str(POLICY), *SOURCES, *args, cwd=tmp_path).returncode == 0
    org = tmp_path / "org.csv"  # one more VP above everyone: the credit table changes, the plan's people do not
    lines = FILES["assignments"].read_text(encoding="utf-8").splitlines()
    lines = [lines[0], *[ln.replace("VP01,,", "VP01,VP00,", 1) for ln in lines[1:]], "VP00,,总部,总部,2024-01-01,"]
    org.write_text("\n".join(lines) + "\n", encoding="utf-8")
    other = [s if not s.startswith("assignments=") else f"assignments={org}" for s in SOURCES]
    done = cli("close", str(POLICY), *other, *args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert ("sales-rep period 2026-Q1 is already closed with this period table but other sources (assignments, "
            "the credit table differ; ledger entry 1): reopen it with a reason") in done.stderr


def test_explain_line_re_derives_every_line_of_the_example_as_the_engine_credited_it(work):
    from incentive.numeric import py_round
    from incentive.report.credit_lines import from_csv, line_credit

    credits = from_csv((closed(work, "from-sources") / "credits.csv").read_bytes(), 2, "half_up", (), "credits.csv")
    unit = Decimal("0.01")
    for line_id in credits.frame.get_column("line_id").unique().to_list():
        for event in line_credit(credits, line_id).events:
            amount = Decimal(event["amount"])
            for role in event["roles"]:
                people = role["people"]
                total = sum((Decimal(p["credited"]) for p in people), Decimal(0))
                assert total == py_round(amount * Decimal(role["shares"]), 2, "half_up"), (line_id, role["role"])
                for p in people:  # floor + the units by largest remainder = the credit, never off by more than one
                    assert Decimal(p["floor"]) + p["remainder_units"] * unit == Decimal(p["credited"])
                    assert p["remainder_units"] in (0, 1)
                for a in role["rollups"]:  # an ancestor never receives more than the line
                    assert abs(Decimal(a["credited"])) <= abs(amount)


def test_crediting_notes_are_in_the_run_s_language(tmp_path):
    done = cli("evaluate", str(POLICY), *SOURCES, *CREDITING, *PERIOD, "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "note: 1 条明细金额的日期不在 2026-Q1 内，未计入" in done.stderr
    assert "were not credited" not in done.stderr
