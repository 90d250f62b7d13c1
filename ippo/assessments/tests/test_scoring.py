"""The scoring rules (scoring.py docstring), with property-based tests over random catalogs and answers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ippo.assessments import scoring
from ippo.assessments.scoring import ANSWER_ORDER, FUNCTIONS, assessment_score


@dataclass(frozen=True)
class C:
    id: str
    function: str = "PR"
    risk_weight: int = 1
    cost: str = "free"
    effort_hours: float = 1


@dataclass(frozen=True)
class Q:
    id: str
    controls: tuple[str, ...]


controls_st = st.lists(
    st.builds(
        C,
        id=st.text("abcdefgh-", min_size=1, max_size=6),
        function=st.sampled_from(FUNCTIONS),
        risk_weight=st.integers(1, 3),
        cost=st.sampled_from(["free", "low", "medium"]),
        effort_hours=st.sampled_from([0.5, 1, 2, 4, 8, 16]),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda c: c.id,
)


@st.composite
def catalog_and_answers(draw):
    controls = draw(controls_st)
    answers = {
        c.id: draw(st.sampled_from(ANSWER_ORDER)) for c in controls if draw(st.booleans()) or c is controls[0]
    }
    return controls, answers


def test_all_yes_scores_100_and_all_no_scores_0():
    controls = [C("a", "GV", 3), C("b", "PR", 1)]
    assert assessment_score({"a": "yes", "b": "yes"}, controls).overall == 100
    assert assessment_score({"a": "no", "b": "no"}, controls).overall == 0


def test_weights_count_and_the_result_has_one_decimal():
    # (3×4 + 1×2) / (4×(3+1)) = 14/16 = 87.5
    score = assessment_score({"a": "yes", "b": "partial"}, [C("a", "GV", 3), C("b", "PR", 1)])
    assert score.overall == 87.5
    assert (
        score.by_function["GV"] == 100 and score.by_function["PR"] == 50 and score.by_function["DE"] is None
    )


def test_dont_know_scores_below_no_but_never_below_zero():
    controls = [C("a"), C("b")]
    assert assessment_score({"a": "unknown", "b": "yes"}, controls).overall == 37.5  # (−1+4)/8
    assert assessment_score({"a": "unknown", "b": "unknown"}, controls).overall == 0
    assert assessment_score({"a": "unknown", "b": "unknown"}, controls).unknown == 2


def test_nothing_answered_has_no_score_and_no_tier():
    score = assessment_score({}, [C("a")])
    assert score.overall is None and score.tier is None and score.answered == 0


def test_unknown_answer_values_are_rejected():
    with pytest.raises(ValueError, match="maybe"):
        assessment_score({"a": "maybe"}, [C("a")])


@pytest.mark.parametrize(
    ("overall", "govern", "tier"),
    [
        (0, 100, 1),
        (39.9, 100, 1),
        (40, 100, 2),
        (64.9, 100, 2),
        (65, 100, 3),
        (85, 100, 4),
        (100, 49.9, 2),
        (90, None, 4),
    ],
)
def test_maturity_tier_thresholds_and_the_govern_cap(overall, govern, tier):
    assert scoring.maturity_tier(overall, govern) == tier


def test_gaps_put_quick_free_wins_first():
    controls = [
        C("costly", risk_weight=3, cost="medium", effort_hours=16),
        C("free-quick", risk_weight=2, cost="free", effort_hours=1),
        C("done", risk_weight=3),
    ]
    gaps = assessment_score({"costly": "no", "free-quick": "no", "done": "yes"}, controls).gaps
    assert [g.control_id for g in gaps] == ["free-quick", "costly"]


def test_a_quick_check_control_takes_the_lowest_answer_of_its_questions():
    questions = [Q("q1", ("a", "b")), Q("q2", ("b",))]
    implied = scoring.control_answers_from_questions({"q1": "yes", "q2": "no"}, questions)
    assert implied == {"a": "yes", "b": "no"}


def test_item_status():
    assert scoring.item_status(["a", "b"], {"a": "yes", "b": "yes"}) == scoring.MET
    assert scoring.item_status(["a", "b"], {"a": "yes", "b": "no"}) == scoring.PARTLY_MET
    assert scoring.item_status(["a", "b"], {"a": "no"}) == scoring.NOT_MET
    assert scoring.item_status(["a"], {}) == scoring.NOT_ASSESSED


def test_coverage_levels_are_cumulative():
    items = [("1", "★3"), ("2", "★3"), ("3", "★4")]
    targets = scoring.coverage_targets(
        "meti-scs", items, {"1": ["a"], "2": ["b"], "3": ["c"]}, {"a": "yes", "b": "no", "c": "yes"}
    )
    assert [(t.level, t.total, t.met) for t in targets] == [("★3", 2, 1), ("★4", 3, 2)]


# --- Properties ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(catalog_and_answers(), st.data())
def test_improving_an_answer_never_lowers_any_score(case, data):
    controls, answers = case
    control_id = data.draw(st.sampled_from(sorted(answers)))
    current = ANSWER_ORDER.index(answers[control_id])
    better = data.draw(st.sampled_from(ANSWER_ORDER[current:]))
    before = assessment_score(answers, controls)
    after = assessment_score({**answers, control_id: better}, controls)
    assert after.overall >= before.overall
    for fn in FUNCTIONS:
        if before.by_function[fn] is not None:
            assert after.by_function[fn] >= before.by_function[fn]
    assert after.tier >= before.tier


@settings(max_examples=300, deadline=None)
@given(catalog_and_answers())
def test_scores_are_bounded(case):
    controls, answers = case
    score = assessment_score(answers, controls)
    assert 0 <= score.overall <= 100
    assert all(v is None or 0 <= v <= 100 for v in score.by_function.values())
    assert 1 <= score.tier <= 4
    assert score.answered == len(answers)


@settings(max_examples=200, deadline=None)
@given(catalog_and_answers(), st.randoms(use_true_random=False))
def test_scores_and_gaps_do_not_depend_on_catalog_order(case, random):
    controls, answers = case
    shuffled = list(controls)
    random.shuffle(shuffled)
    assert assessment_score(answers, controls) == assessment_score(dict(reversed(answers.items())), shuffled)
