from incentive.policy.checks import band_factor_missing, band_shares, unknown_band, veto_band


def run(module, policy):
    return list(module.check(policy, None))


def test_271_shares_pass(b):
    assert run(band_shares, b.policy()) == []


def test_shares_not_summing_to_one(b):
    ranking = b.ranking(b.band("A", "0.2", 41), b.band("B", "0.65", 42), b.band("C", "0.1", 43))
    [f] = run(band_shares, b.policy(ranking=ranking))
    assert (f.line, f.col, f.code, f.level) == (41, 5, "band-shares", "error")
    assert "sum to 0.95 (A 0.2 + B 0.65 + C 0.1)" in f.message


def test_thirds_are_not_rounded_to_one(b):
    ranking = b.ranking(*(b.band(x, "0.33", 41) for x in "ABC"))
    [f] = run(band_shares, b.policy(ranking=ranking))
    assert "sum to 0.99" in f.message


def test_no_ranking_no_band_findings(b):
    policy = b.policy(ranking=None, penalties=(), payouts=(), recommendations=())
    for module in (band_shares, unknown_band, band_factor_missing, veto_band):
        assert run(module, policy) == []


def test_unknown_band_in_a_veto(b):
    policy = b.policy(penalties=(b.penalty("compliance", when="violation", band="D", line=71),))
    [f] = run(unknown_band, policy)
    assert (f.line, f.col, f.code) == (71, 3, "unknown-band")
    assert "penalty compliance: band names band 'D', which is not defined; bands: A, B, C" in f.message


def test_unknown_band_in_band_factor_with_hint(b):
    p = b.payout("bonus", base="target_bonus", by_band={"A": 1, "B": 1, "c": 1}, line=62)
    [f] = run(unknown_band, b.policy(payouts=(p,)))
    assert f.line == 62 and "'c'" in f.message and "did you mean 'C'?" in f.message


def test_unknown_band_literal_in_expressions_at_the_literal(b):
    recs = (b.rec("imp", 'band == "D"', "improvement_plan", 82),
            b.rec("exit", 'streak(band in ("C", "E")) >= 3', "exit_review", 83),
            b.rec("prev", 'prev(band) == "Z" and "A" == band', "recognition", 84))
    found = run(unknown_band, b.policy(recommendations=recs))
    assert [(f.line, f.col) for f in found] == [(82, 28), (83, 41), (84, 34)]
    assert "recommendations.imp.when: 'band == \"D\"' names band 'D'" in found[0].message


def test_band_literal_column_counts_characters_not_bytes(b):
    rec = b.rec("imp", 'region == "华东" and band == "X"', "improvement_plan", 85)
    [f] = run(unknown_band, b.policy(recommendations=(rec,)))
    assert (f.line, f.col) == (85, 20 + len('region == "华东" and band == '))


def test_known_band_literals_and_other_text_comparisons_pass(b):
    recs = (b.rec("a", 'band == "A" and region == "D"', "recognition"),
            b.rec("c", 'band in ["B", "C"]', "coaching"))
    assert run(unknown_band, b.policy(recommendations=recs)) == []


def test_band_without_ranking_is_left_to_the_expression_checks(b):
    policy = b.policy(ranking=None, payouts=(), penalties=(), recommendations=(b.rec("a", 'band == "A"', "recognition"),))
    assert run(unknown_band, policy) == []
    policy = b.policy(ranking=None, payouts=(), penalties=(b.penalty("veto", when="violation", band="C"),))
    [f] = run(unknown_band, policy)
    assert "no ranking and so no bands" in f.message


def test_unparseable_expressions_are_skipped(b):
    policy = b.policy(recommendations=(b.rec("x", 'band == "D" and (', "coaching"),))
    assert run(unknown_band, policy) == []


def test_band_factor_missing_a_band_warns(b):
    p = b.payout("bonus", base="target_bonus", by_band={"A": 1, "B": 1}, line=63)
    [f] = run(band_factor_missing, b.policy(payouts=(p,)))
    assert (f.line, f.level, f.code) == (63, "warning", "band-factor-missing")
    assert "no factor for band C" in f.message
    assert run(band_factor_missing, b.policy()) == []


def test_veto_forcing_a_better_band_warns(b):
    policy = b.policy(penalties=(b.penalty("compliance", when="violation", band="A", line=72),))
    [f] = run(veto_band, policy)
    assert (f.line, f.level, f.code) == (72, "warning", "veto-band")
    assert "not the bottom band C" in f.message
    assert run(veto_band, b.policy()) == []


def test_unranked_band_factor_is_not_a_band(b):
    p = b.payout("bonus", base="target_bonus", by_band={"A": 1, "B": 1, "C": 0, "unranked": 0}, line=62)
    policy = b.policy(payouts=(p,))
    assert run(unknown_band, policy) == []
    assert run(band_factor_missing, policy) == []
