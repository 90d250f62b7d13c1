"""The yen model: a pure function, checked by examples and by properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ippo.registers import risk_model
from ippo.registers.risk_model import estimate, expected_annual_yen, impact_yen, suggest_residual

money = st.integers(min_value=0, max_value=10**10)
count = st.integers(min_value=0, max_value=10**6)
step = st.integers(min_value=1, max_value=5)


def test_the_impact_adds_downtime_records_and_direct_loss():
    assert (
        impact_yen(
            days_down=7,
            daily_revenue_yen=2_500_000,
            records=100,
            cost_per_record_yen=5000,
            loss_yen=1_500_000,
        )
        == 7 * 2_500_000 + 100 * 5000 + 1_500_000
    )


def test_likelihood_maps_to_a_round_chance_within_a_year():
    assert [expected_annual_yen(impact=1_000_000, likelihood=s) for s in range(1, 6)] == [
        50_000,
        100_000,
        250_000,
        500_000,
        900_000,
    ]


def test_the_ransomware_defaults_for_a_company_with_2_5_million_a_day():
    e = estimate(
        likelihood=2,
        residual_likelihood=1,
        days_down=7,
        records=0,
        loss_yen=1_500_000,
        daily_revenue_yen=2_500_000,
        cost_per_record_yen=5000,
    )
    assert (e.downtime_yen, e.records_yen, e.loss_yen) == (17_500_000, 0, 1_500_000)
    assert e.impact_yen == 19_000_000
    assert e.expected_annual_yen == 1_900_000
    assert e.residual_annual_yen == 950_000
    assert e.reduction_yen == 950_000


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_likelihood_outside_1_to_5_is_refused(bad):
    with pytest.raises(ValueError):
        expected_annual_yen(impact=1, likelihood=bad)


def test_negative_inputs_are_refused():
    with pytest.raises(ValueError):
        impact_yen(days_down=-1, daily_revenue_yen=1, records=0, cost_per_record_yen=0, loss_yen=0)


def test_the_suggestion_moves_towards_1_with_the_share_of_measures_in_place():
    assert suggest_residual(likelihood=4, in_place=0, total=10) == 4
    assert suggest_residual(likelihood=4, in_place=10, total=10) == 1
    assert suggest_residual(likelihood=5, in_place=5, total=10) == 3  # half-way: 4 steps × ½
    assert suggest_residual(likelihood=4, in_place=1, partly=1, total=4) == 3  # 3 × 1.5/4 = 1.125 → 1 step
    assert (
        suggest_residual(likelihood=4, in_place=0, partly=4, total=4) == 2
    )  # partly counts half: 1.5 → 2 steps
    assert suggest_residual(likelihood=2, in_place=1, total=12) == 2
    assert suggest_residual(likelihood=3, in_place=3, total=5) == 2  # 2 × 0.6 = 1.2 → 1
    assert suggest_residual(likelihood=3, in_place=0, total=0) == 3  # nothing linked: unchanged
    with pytest.raises(ValueError):
        suggest_residual(likelihood=3, in_place=3, partly=1, total=3)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days=count, daily=money, records=count, cost=money, loss=money, likelihood=step, bump=st.integers(1, 1000)
)
def test_the_impact_and_expected_loss_never_fall_when_any_input_rises(
    days, daily, records, cost, loss, likelihood, bump
):
    base = dict(
        days_down=days, daily_revenue_yen=daily, records=records, cost_per_record_yen=cost, loss_yen=loss
    )
    impact = impact_yen(**base)
    for key in base:
        higher = impact_yen(**{**base, key: base[key] + bump})
        assert higher >= impact
        assert expected_annual_yen(impact=higher, likelihood=likelihood) >= expected_annual_yen(
            impact=impact, likelihood=likelihood
        )
    if likelihood < 5:
        assert expected_annual_yen(impact=impact, likelihood=likelihood + 1) >= expected_annual_yen(
            impact=impact, likelihood=likelihood
        )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=count, daily=money, records=count, cost=money, loss=money, likelihood=step, residual=step)
def test_residual_never_exceeds_inherent_when_its_likelihood_is_not_higher(
    days, daily, records, cost, loss, likelihood, residual
):
    e = estimate(
        likelihood=likelihood,
        residual_likelihood=residual,
        days_down=days,
        records=records,
        loss_yen=loss,
        daily_revenue_yen=daily,
        cost_per_record_yen=cost,
    )
    assert e.impact_yen == e.downtime_yen + e.records_yen + e.loss_yen
    if residual <= likelihood:
        assert e.residual_annual_yen <= e.expected_annual_yen
        assert e.reduction_yen >= 0


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(likelihood=step, total=st.integers(0, 20), data=st.data())
def test_the_suggestion_stays_between_1_and_the_likelihood_and_falls_as_measures_are_added(
    likelihood, total, data
):
    in_place = data.draw(st.integers(0, total))
    partly = data.draw(st.integers(0, total - in_place))
    suggestion = suggest_residual(likelihood=likelihood, in_place=in_place, partly=partly, total=total)
    assert 1 <= suggestion <= likelihood
    if partly:  # a measure partly in place becomes fully in place
        assert (
            suggest_residual(likelihood=likelihood, in_place=in_place + 1, partly=partly - 1, total=total)
            <= suggestion
        )
    if in_place + partly < total:  # a missing measure is put in place
        assert (
            suggest_residual(likelihood=likelihood, in_place=in_place + 1, partly=partly, total=total)
            <= suggestion
        )
    if total:
        assert suggest_residual(likelihood=likelihood, in_place=total, total=total) == 1


def test_the_scale_is_documented_as_planning_conventions():
    assert risk_model.LIKELIHOOD_PERCENT == {1: 5, 2: 10, 3: 25, 4: 50, 5: 90}
    assert "not statistics" in risk_model.__doc__


def test_yen_is_written_the_way_each_language_writes_it():
    from django.utils import translation

    from ippo.registers.templatetags.registers_tags import format_yen, yen

    assert format_yen(1_500_000, "ja") == "1,500,000円"
    assert format_yen(1_500_000, "en") == "¥1,500,000"
    assert format_yen(0, "en") == "¥0"
    with translation.override("ja"):
        assert yen(2500) == "2,500円"
    with translation.override("en"):
        assert yen("12345") == "¥12,345"
        assert yen(None) == "" and yen("n/a") == ""
