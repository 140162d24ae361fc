"""Holds over sequences of periods, through the real engine with each period's results as the next one's
history: paid - earned equals what the held balance gave back, to the cent; every cent earned is paid, still
held, written off or recovered; and an amount held for someone who leaves is reported, never dropped."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.io import read_period_data
from incentive.io.periods import Period, parse_period
from incentive.policy.validate import load_policy, validate_file
from tests.engine.policy_kit import write_csv, write_policy

BODY = """\
inputs:
  employee_id: {{type: id}}
  billed: {{type: money}}
  collected: {{type: money}}
  prior: {{type: money}}
payouts:
  commission: {{amount: billed * 0.1}}
holds:
  h: {{of: {of}, billed: billed, collected: collected, collected_earlier: prior{extra}}}
"""

cents = st.integers(0, 2_000_000).map(lambda c: Decimal(c) / 100)
#: one month: billed, the share of it collected now, and what arrives on earlier billing
month = st.tuples(cents, st.integers(0, 100), cents)


def _checked(tmp_path, extra: str = "", of: str = "commission"):
    return load_policy(str(write_policy(tmp_path, BODY.format(of=of, extra=extra), period="month", kpis=False)))


def _months(checked, tmp_path, months: list[list[tuple[str, Decimal, Decimal, Decimal]]]) -> list[Results]:
    """One month per list of (id, billed, collected, prior), each with the previous month's results as history."""
    out: list[Results] = []
    start = parse_period("2026-01", "month")
    for i, people in enumerate(months):
        rows = [{"employee_id": e, "billed": str(b), "collected": str(c), "prior": str(p)} for e, b, c, p in people] \
            or [{"employee_id": "X", "billed": "0", "collected": "0", "prior": "0"}]
        data = read_period_data(write_csv(tmp_path, rows, name=f"m{i}.csv"), checked.policy)
        history = {1: out[-1].frame} if out else {}
        out.append(evaluate(checked, data, Period.of("month", start.ordinal + i), history=history))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.lists(month, min_size=1, max_size=6), limit=st.one_of(st.none(), st.integers(1, 3)),
       advance=st.sampled_from(["", "0.3"]), recover=st.booleans())
def test_paid_minus_earned_is_what_the_held_balance_gave_back(tmp_path, seq, limit, advance, recover):
    extra = (f", write_off_after: {limit}" if limit else "") + (f", advance: {advance}" if advance else "") \
        + (", recover_early_release: true" if recover and limit else "")
    checked = _checked(tmp_path, extra)
    rows = [[("E1", b, (b * share / 100).quantize(Decimal("0.01")), p)] for b, share, p in seq]
    held = owed = Decimal(0)
    earned_sum = paid_sum = written_sum = recovered_sum = Decimal(0)
    for results in _months(checked, tmp_path, rows):
        r = results.frame.row(0, named=True)
        assert r["h.opening"] == held and r["h.owed_opening"] == owed
        paid, earned = r["commission"], r["h.earned"]
        # to the cent: what is paid beyond what was earned came out of (or went into) the held balance
        assert paid - earned == -(r["h.closing"] - held) - r["h.written_off"] - r["h.recovered"]
        assert r["h.owed"] - owed == r["h.to_recover"] - r["h.recovered"]
        assert r["h.closing"] >= 0 and r["h.held"] >= 0 and r["h.released_earlier"] >= 0 and paid >= 0
        assert r["h.closing"] == sum(r[f"h.age{k}.held"] for k in range(limit or 1))
        assert all(r[f"h.age{k}.held"] <= r[f"h.age{k}.cover"] for k in range(limit or 1))
        if not advance:
            assert r["h.to_recover"] == 0
        held, owed = r["h.closing"], r["h.owed"]
        earned_sum += earned
        paid_sum += paid
        written_sum += r["h.written_off"]
        recovered_sum += r["h.recovered"]
        assert r["total"] == paid
    # nothing appears or vanishes over the whole sequence
    assert paid_sum + held + written_sum + recovered_sum == earned_sum


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(billed=cents, share=st.integers(0, 100))
def test_this_period_releases_earned_times_collected_over_billed(tmp_path, billed, share):
    checked = _checked(tmp_path)
    collected = (billed * share / 100).quantize(Decimal("0.01"))
    r = _months(checked, tmp_path, [[("E1", billed, collected, Decimal(0))]])[0].frame.row(0, named=True)
    cent = Decimal("0.01")  # the kit's policy rounds half up
    earned = (billed * Decimal("0.1")).quantize(cent, ROUND_HALF_UP)
    expected = earned if billed == 0 else (earned * collected / billed).quantize(cent, ROUND_HALF_UP)
    assert r["h.released_now"] == expected and r["h.held"] == earned - expected and r["commission"] == expected


def test_an_amount_held_for_someone_who_leaves_is_reported_not_dropped(tmp_path):
    for on_leave in ("release", "forfeit", "report"):
        checked = _checked(tmp_path, f", on_leave: {on_leave}")
        frames = _months(checked, tmp_path, [[("E1", Decimal(10000), Decimal(2500), Decimal(0)),
                                              ("E2", Decimal(100), Decimal(100), Decimal(0))],
                                             [("E2", Decimal(100), Decimal(100), Decimal(0))]])
        assert frames[0].frame.row(0, named=True)["h.closing"] == Decimal(750)
        assert frames[1].departures.to_dicts() == [{"employee_id": "E1", "draw": "h", "balance": Decimal(750),
                                                    "action": on_leave}]


def test_a_draw_on_a_held_payout_guarantees_what_is_released(tmp_path):
    body = BODY.format(of="commission", extra="") + "draws:\n  d: {of: commission, kind: recoverable, amount: 300}\n"
    checked = load_policy(str(write_policy(tmp_path, body, period="month", kpis=False)))
    r = _months(checked, tmp_path, [[("E1", Decimal(10000), Decimal(1000), Decimal(0))]])[0].frame.row(0, named=True)
    # 1,000 earned, 100 released, 900 held; the draw tops the released 100 up to 300 and advances 200
    assert (r["h.released"], r["h.closing"], r["d.earned"], r["d.shortfall"], r["commission"]) == (100, 900, 100,
                                                                                                 200, 300)


def test_a_hold_on_a_payout_that_does_not_exist_names_the_place(tmp_path):
    path = write_policy(tmp_path, BODY.format(of="comission", extra=""), period="month", kpis=False)
    found = [f for f in validate_file(path).findings if f.code == "hold-target"]
    assert len(found) == 1
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "  h: {" in text)
    assert (found[0].file, found[0].line, found[0].col) == (str(path), line, 3)
    assert "'comission', which is not a payout (did you mean 'commission'?)" in found[0].message


def test_balances_csv_lists_each_hold_and_who_left_with_it(tmp_path):
    from incentive.report.balances import balances_frame

    checked = _checked(tmp_path, ", on_leave: forfeit")
    frames = _months(checked, tmp_path, [[("E1", Decimal(10000), Decimal(2500), Decimal(0)),
                                          ("E2", Decimal(1000), Decimal(0), Decimal(0))],
                                         [("E2", Decimal(0), Decimal(0), Decimal(500))]])
    rows = {r["employee_id"]: r for r in balances_frame(frames[1]).to_dicts()}
    assert (rows["E2"]["opening"], rows["E2"]["recovered"], rows["E2"]["closing"], rows["E2"]["paid"]) == (100, 50,
                                                                                                      50, 50)
    assert (rows["E1"]["status"], rows["E1"]["opening"], rows["E1"]["written_off"], rows["E1"]["closing"]) == \
        ("left: hold forfeit", 750, 750, 0)
    for r in rows.values():
        assert r["closing"] == r["opening"] + r["shortfall"] - r["recovered"] - r["written_off"]


def test_explain_shows_what_was_released_held_and_carried(tmp_path):
    from incentive.report.explain import explain_row, render_text

    checked = _checked(tmp_path)
    frames = _months(checked, tmp_path, [[("E1", Decimal(10000), Decimal(4000), Decimal(0))],
                                         [("E1", Decimal(0), Decimal(0), Decimal(3000))]])
    for lang, words in (("en", ["held at the start 600.00", "releases 300.00", "carried to the next period 300.00"]),
                        ("zh", ["期初暂扣 600.00", "释放 300.00", "结转下期暂扣 300.00"])):
        text = render_text(explain_row(frames[1].frame.row(0, named=True), checked, frames[1].columns, "2026-02",
                                       lang), lang=lang)
        assert all(w in text for w in words), text
