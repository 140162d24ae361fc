"""Did-you-mean hints."""

from incentive.policy.expr.suggest import closest, hint


def test_closest() -> None:
    names = ["revenue", "revenue_target", "region", "collected"]
    assert closest("revenu", names) == "revenue"
    assert closest("Revenue", names) == "revenue"
    assert closest("revenue_targt", names) == "revenue_target"
    assert closest("colected", names) == "collected"
    assert closest("zzz", names) is None
    assert hint("regoin", names) == " (did you mean 'region'?)"
    assert hint("xyz", names) == ""
