import pytest

from incentive.policy.checks import exit_improvement, exit_review, unknown_action


def run(module, policy):
    return list(module.check(policy, None))


@pytest.mark.parametrize("action", ["promotion_review", "recognition", "improvement_plan", "coaching", "training",
                                    "transfer", "exit_review", "no_results_review", "compliance_review",
                                    "custom:mentor_new_hires", "custom:x-1"])
def test_known_and_custom_actions_pass(b, action):
    assert run(unknown_action, b.policy(recommendations=(b.rec("r", "true", action),))) == []


def test_unknown_action_with_hint(b):
    [f] = run(unknown_action, b.policy(recommendations=(b.rec("promo", 'band == "A"', "promotion_reveiw", 86),)))
    assert (f.line, f.col, f.code) == (86, 3, "unknown-action")
    assert "unknown action 'promotion_reveiw' (did you mean 'promotion_review'?" in f.message
    assert "custom:promotion_reveiw" in f.message


@pytest.mark.parametrize("action", ["custom:", "custom:1x", "custom:has space"])
def test_malformed_custom_action(b, action):
    [f] = run(unknown_action, b.policy(recommendations=(b.rec("r", "true", action),)))
    assert "needs a name" in f.message


@pytest.mark.parametrize("when", ['streak(band == "C") >= 3', 'count_last(6, band == "C") >= 4',
                                  "streak(revenue == 0) >= 6", 'band == "C" and streak(band == "C") >= 2'])
def test_exit_review_with_a_sustained_pattern_passes(b, when):
    recs = (b.rec("imp", 'band == "C"', "improvement_plan"), b.rec("exit", when, "exit_review"))
    assert run(exit_review, b.policy(recommendations=recs)) == []


@pytest.mark.parametrize("when", ['band == "C"', "rank == group_size", "revenue == 0",
                                  'prev(band) == "C" and band == "C"', 'count_last(1, band == "C") >= 1'])
def test_exit_review_without_a_pattern_is_an_error_at_the_when(b, when):
    [f] = run(exit_review, b.policy(recommendations=(b.rec("exit", when, "exit_review", 87),)))
    assert (f.line, f.col, f.level, f.code) == (87, 20, "error", "exit-without-history")
    assert "labour law" in f.message and repr(when) in f.message


def test_other_exit_actions_may_not_depend_on_this_periods_ranking(b):
    recs = (b.rec("talk", "percentile < 0.05", "custom:exit_interview", 88),
            b.rec("ok", "streak(percentile < 0.05) >= 3", "custom:exit_interview", 89),
            b.rec("no_ranking", "revenue == 0", "custom:exit_interview", 90))
    [f] = run(exit_review, b.policy(recommendations=recs))
    assert f.line == 88 and "depends on percentile in this period only" in f.message


def test_exit_without_improvement_steps_warns(b):
    recs = (b.rec("promo", 'band == "A"', "promotion_review"), b.rec("exit", 'streak(band == "C") >= 3',
                                                                      "exit_review", 91))
    [f] = run(exit_improvement, b.policy(recommendations=recs))
    assert (f.line, f.level, f.code) == (91, "warning", "exit-without-improvement")
    assert run(exit_improvement, b.policy()) == []
    assert run(exit_improvement, b.policy(recommendations=recs[:1])) == []
