"""The yen model of the risk register: a simple, explained planning aid — not an actuarial model.

Pure functions over plain integers, so the numbers on the page, in reports and in tests are the same.

Impact of one occurrence (yen)::

    impact = days_down × daily revenue          business lost while work is stopped
           + records × cost per record          notifying and apologising to each person, a call centre,
                                                part of the investigation (5,000 yen by default)
           + loss_yen                           direct money: a fraudulent transfer, the IT provider's
                                                recovery bill, rebuilding a website

Expected annual loss (yen)::

    expected = impact × probability(likelihood)

Likelihood is a 1–5 planning scale, read as "how likely within the next year". Each step maps to a round
probability so that the scale turns into yen:

    1 rare 5 %   2 unlikely 10 %   3 possible 25 %   4 likely 50 %   5 almost certain 90 %

These are conventions to rank risks and size budgets, not statistics about companies like yours.

Residual risk is the same impact with the residual likelihood, the likelihood once the planned measures
are in place. The measures change how often it happens, not how much one occurrence costs: keeping the
impact fixed makes the before/after comparison easy to read (a backup also shortens downtime — lower
`days_down` on the risk if you want to count that).

Suggested residual likelihood (`suggest_residual`): the likelihood comes down in proportion to the share
of the risk's measures that are in place, a measure partly in place counting half::

    coverage  = (measures in place + ½ × measures partly in place) ÷ measures linked to the risk
    suggested = likelihood − round((likelihood − 1) × coverage)

so every measure in place brings it to 1 (rare), none leaves it where it is, and half of them bring it
half-way. A share rather than "one step per measure" because a scenario lists up to a dozen measures: one
step each would reach the floor after two or three of them. People may override the suggestion; it is a
starting point for the conversation, not a verdict.

All arithmetic is in integers (percentages, floor division), so results are exact and monotonic.
"""

from __future__ import annotations

from dataclasses import dataclass

# Likelihood step → probability within a year, in percent.
LIKELIHOOD_PERCENT = {1: 5, 2: 10, 3: 25, 4: 50, 5: 90}
LIKELIHOODS = tuple(LIKELIHOOD_PERCENT)
DEFAULT_COST_PER_RECORD_YEN = 5000
WORKING_DAYS_PER_YEAR = 240  # to turn annual revenue into daily revenue


def _check_likelihood(likelihood: int) -> int:
    if likelihood not in LIKELIHOOD_PERCENT:
        raise ValueError(f"likelihood must be 1–5, not {likelihood!r}")
    return likelihood


def _non_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative, not {value!r}")


def impact_yen(
    *, days_down: int, daily_revenue_yen: int, records: int, cost_per_record_yen: int, loss_yen: int
) -> int:
    """The cost of one occurrence: downtime + records + direct loss."""
    _non_negative(
        days_down=days_down,
        daily_revenue_yen=daily_revenue_yen,
        records=records,
        cost_per_record_yen=cost_per_record_yen,
        loss_yen=loss_yen,
    )
    return days_down * daily_revenue_yen + records * cost_per_record_yen + loss_yen


def expected_annual_yen(*, impact: int, likelihood: int) -> int:
    """The impact weighted by the probability of the likelihood step (rounded down to the yen)."""
    _non_negative(impact=impact)
    return impact * LIKELIHOOD_PERCENT[_check_likelihood(likelihood)] // 100


def suggest_residual(*, likelihood: int, in_place: int, partly: int = 0, total: int) -> int:
    """The likelihood once the measures are in place: lowered towards 1 in proportion to the share of the
    risk's `total` measures in place (partly in place counts half), rounded to the nearest step (halves
    up). Between 1 and `likelihood`; with no measures linked it stays as it is."""
    _check_likelihood(likelihood)
    _non_negative(in_place=in_place, partly=partly, total=total)
    if in_place + partly > total:
        raise ValueError("more measures in place than linked to the risk")
    if total == 0:
        return likelihood
    # round((likelihood - 1) × (2·in_place + partly) / (2·total)) in integers, halves rounded up
    numerator = (likelihood - 1) * (2 * in_place + partly)
    denominator = 2 * total
    steps = (2 * numerator + denominator) // (2 * denominator)
    return max(1, likelihood - steps)


@dataclass(frozen=True)
class Estimate:
    """Every number the page shows for one risk, with the parts of the impact kept apart for explaining."""

    downtime_yen: int
    records_yen: int
    loss_yen: int
    impact_yen: int
    likelihood: int
    expected_annual_yen: int
    residual_likelihood: int
    residual_annual_yen: int

    @property
    def reduction_yen(self) -> int:
        return self.expected_annual_yen - self.residual_annual_yen

    @property
    def percent(self) -> int:
        return LIKELIHOOD_PERCENT[self.likelihood]

    @property
    def residual_percent(self) -> int:
        return LIKELIHOOD_PERCENT[self.residual_likelihood]


def estimate(
    *,
    likelihood: int,
    residual_likelihood: int,
    days_down: int,
    records: int,
    loss_yen: int,
    daily_revenue_yen: int,
    cost_per_record_yen: int,
) -> Estimate:
    """The whole estimate for one risk."""
    _check_likelihood(likelihood)
    _check_likelihood(residual_likelihood)
    impact = impact_yen(
        days_down=days_down,
        daily_revenue_yen=daily_revenue_yen,
        records=records,
        cost_per_record_yen=cost_per_record_yen,
        loss_yen=loss_yen,
    )
    return Estimate(
        downtime_yen=days_down * daily_revenue_yen,
        records_yen=records * cost_per_record_yen,
        loss_yen=loss_yen,
        impact_yen=impact,
        likelihood=likelihood,
        expected_annual_yen=expected_annual_yen(impact=impact, likelihood=likelihood),
        residual_likelihood=residual_likelihood,
        residual_annual_yen=expected_annual_yen(impact=impact, likelihood=residual_likelihood),
    )
