"""Scoring of a self-assessment: a pure function of the answers and the catalog, no database.

The rules, in plain words (they are also shown on the results page):

- Every answer is worth points: はい / yes 4, 一部 / partly 2, いいえ / no 0, わからない / don't know −1
  (the weighting of IPA's 5-minute self-check). Not knowing is scored below "no" on purpose: finding out
  is the first step.
- Each control counts with its `risk_weight` (1–3: how much it reduces the risks small businesses suffer).
- A score is `100 × max(0, Σ weight × points) ÷ (4 × Σ weight)` over the controls that were answered, so it
  lies in 0–100, it never goes down when an answer improves (don't know → no → partly → yes), and it does
  not depend on the order of the catalog (the sums are exact integers; rounding happens once, at the end).
- The overall score uses every answered control; each NIST CSF 2.0 function has its own score from its
  controls (None when none of them was answered).
- The maturity tier (1–4) follows the overall score (below 40 → 1, below 65 → 2, below 85 → 3, else 4),
  capped at 2 while Govern is below 50: without named ownership, good practice is not yet repeatable.
- In the quick check a question stands for the controls it lists; a control asked by several questions
  takes the lowest of their answers.
- Gaps are the controls not answered "yes", ordered by risk reduction per cost: the points still missing
  × risk weight, divided by the cost band (free 1, low 2, medium 4) × (4 + effort in hours). Quick, free
  wins come first; ties go to the higher risk weight, then the control id.
- A framework item (a CSF subcategory, an SCS requirement …) is *met* when every assessed control mapped
  to it was answered yes, *partly met* when some progress was made, *not met* otherwise, and *not
  assessed* when none of its controls was asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Protocol

YES, PARTIAL, NO, UNKNOWN = "yes", "partial", "no", "unknown"
POINTS: Mapping[str, int] = {YES: 4, PARTIAL: 2, NO: 0, UNKNOWN: -1}
# From worst to best: improving an answer moves it to the right.
ANSWER_ORDER: tuple[str, ...] = (UNKNOWN, NO, PARTIAL, YES)
FUNCTIONS: tuple[str, ...] = ("GV", "ID", "PR", "DE", "RS", "RC")
COST_FACTOR: Mapping[str, int] = {"free": 1, "low": 2, "medium": 4}
TIER_THRESHOLDS: tuple[tuple[int, int], ...] = ((85, 4), (65, 3), (40, 2))
GOVERN_CAP = (50, 2)  # while Govern scores below 50, the tier is at most 2


class ScorableControl(Protocol):
    """What scoring needs from a catalog control (`ippo.catalog.entities.Control` fits)."""

    id: str
    function: str
    risk_weight: int
    cost: str
    effort_hours: float


class ScorableQuestion(Protocol):
    id: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    control_id: str
    answer: str
    priority: Fraction  # risk reduction per cost; higher first
    gain: int  # weighted points still missing


@dataclass(frozen=True)
class Score:
    overall: float | None  # 0–100, one decimal; None when nothing was answered
    by_function: Mapping[str, float | None]
    tier: int | None
    answered: int
    unknown: int
    gaps: tuple[Gap, ...] = field(default=())


def _round(value: Fraction) -> float:
    """One decimal, half up, computed from the exact fraction (no float drift)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _percent(points: int, weights: int) -> float | None:
    if weights == 0:
        return None
    return _round(Fraction(100 * max(0, points), 4 * weights))


def maturity_tier(overall: float | None, govern: float | None) -> int | None:
    """Tier 1–4 from the overall score, capped while Govern is weak (see the module docstring)."""
    if overall is None:
        return None
    tier = next((t for threshold, t in TIER_THRESHOLDS if overall >= threshold), 1)
    if govern is not None and govern < GOVERN_CAP[0]:
        tier = min(tier, GOVERN_CAP[1])
    return tier


def control_answers_from_questions(
    question_answers: Mapping[str, str], questions: Iterable[ScorableQuestion]
) -> dict[str, str]:
    """The control answers a quick check implies: each control takes the lowest answer of its questions."""
    rank = {a: i for i, a in enumerate(ANSWER_ORDER)}
    result: dict[str, str] = {}
    for question in questions:
        answer = question_answers.get(question.id)
        if answer is None:
            continue
        for control_id in question.controls:
            current = result.get(control_id)
            if current is None or rank[answer] < rank[current]:
                result[control_id] = answer
    return result


def gap_priority(control: ScorableControl, answer: str) -> Gap:
    gain = control.risk_weight * (POINTS[YES] - max(POINTS[answer], 0))
    cost = COST_FACTOR[control.cost] * (4 + Fraction(str(control.effort_hours)))
    return Gap(control.id, answer, Fraction(gain) / cost, gain)


def assessment_score(answers: Mapping[str, str], controls: Iterable[ScorableControl]) -> Score:
    """Score the control answers (control id → yes/partial/no/unknown) against the given controls.

    Controls without an answer are ignored; answers for controls not given are ignored too (a control
    that no longer applies). Pure and deterministic: see the module docstring for the rules."""
    total_points = total_weights = 0
    points_by_fn = dict.fromkeys(FUNCTIONS, 0)
    weights_by_fn = dict.fromkeys(FUNCTIONS, 0)
    answered = unknown = 0
    gaps: list[Gap] = []
    for control in controls:
        answer = answers.get(control.id)
        if answer is None:
            continue
        if answer not in POINTS:
            raise ValueError(f"unknown answer {answer!r} for control {control.id}")
        answered += 1
        unknown += answer == UNKNOWN
        points = control.risk_weight * POINTS[answer]
        total_points += points
        total_weights += control.risk_weight
        points_by_fn[control.function] += points
        weights_by_fn[control.function] += control.risk_weight
        if answer != YES:
            gaps.append(gap_priority(control, answer))
    overall = _percent(total_points, total_weights)
    by_function = {fn: _percent(points_by_fn[fn], weights_by_fn[fn]) for fn in FUNCTIONS}
    gaps.sort(key=lambda g: (-g.priority, -g.gain, g.control_id))
    return Score(
        overall=overall,
        by_function=by_function,
        tier=maturity_tier(overall, by_function["GV"]),
        answered=answered,
        unknown=unknown,
        gaps=tuple(gaps),
    )


# --- Framework coverage -------------------------------------------------------------------------------

MET, PARTLY_MET, NOT_MET, NOT_ASSESSED = "met", "partly_met", "not_met", "not_assessed"


def item_status(control_ids: Sequence[str], answers: Mapping[str, str]) -> str:
    """The status of one framework item from the answers of the controls mapped to it."""
    given = [answers[c] for c in control_ids if c in answers]
    if not given:
        return NOT_ASSESSED
    if all(a == YES for a in given):
        return MET
    if any(a in (YES, PARTIAL) for a in given):
        return PARTLY_MET
    return NOT_MET


@dataclass(frozen=True)
class CoverageTarget:
    """One line of the coverage table, e.g. "SCS ★3: 19 of 26 requirements"."""

    framework_id: str
    level: str | None
    total: int
    met: int
    partly_met: int
    not_assessed: int


def coverage_targets(
    framework_id: str,
    items: Sequence[tuple[str, str | None]],
    item_controls: Mapping[str, Sequence[str]],
    answers: Mapping[str, str],
) -> list[CoverageTarget]:
    """Coverage of one framework. `items` are (item id, level) in the framework's order, out-of-scope items
    already removed. A framework with levels (SCS ★3/★4, SECURITY ACTION ★/★★) gets one cumulative target
    per level, lowest first: ★4 includes the ★3 requirements."""
    statuses = {iid: item_status(item_controls.get(iid, ()), answers) for iid, _ in items}
    # Lowest level first: "★" < "★★", "★3" < "★4".
    levels = sorted({level for _, level in items}, key=lambda lv: (len(lv or ""), lv or ""))
    targets = []
    for index, level in enumerate(levels):
        included = set(levels[: index + 1])
        ids = [iid for iid, lv in items if lv in included]
        counts = [statuses[iid] for iid in ids]
        targets.append(
            CoverageTarget(
                framework_id=framework_id,
                level=level,
                total=len(ids),
                met=counts.count(MET),
                partly_met=counts.count(PARTLY_MET),
                not_assessed=counts.count(NOT_ASSESSED),
            )
        )
    return targets
