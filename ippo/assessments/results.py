"""From answers to results: which catalog items apply, what a set of answers means for each control,
and the result snapshot stored with a completed assessment. Pure functions over the catalog."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ippo.assessments import scoring
from ippo.catalog.loader import CSF, Catalog, Control, Question

QUICK, FULL = "quick", "full"
RESULT_FORMAT = 1
TOP_GAPS = 10

# The frameworks shown in the coverage table, in this order (partners in Japan ask about SCS first).
COVERAGE_ORDER = (
    "meti-scs",
    "security-action",
    "ipa-5-rules",
    "ipa-self-check-25",
    "meti-csm-guidelines-3.0",
    "nist-csf-2.0",
    "cis-v8-ig1",
    "iso27001-2022-annex-a",
    "cyber-essentials",
    "enisa-sme-12",
)


def applies(tags: Sequence[str], it_uses: Iterable[str]) -> bool:
    """A control or question applies when it is for everyone or for something the company uses."""
    return "all" in tags or bool(set(tags) & set(it_uses))


def applicable_controls(catalog: Catalog, it_uses: Iterable[str]) -> list[Control]:
    it_uses = list(it_uses)
    return [c for c in catalog.controls if applies(c.applies_to, it_uses)]


def applicable_questions(catalog: Catalog, it_uses: Iterable[str]) -> list[Question]:
    it_uses = list(it_uses)
    return [q for q in catalog.questions if applies(q.applies_to, it_uses)]


def items_for(catalog: Catalog, kind: str, it_uses: Iterable[str]) -> list[Question] | list[Control]:
    """What an assessment of this kind asks: questions (quick) or controls (full)."""
    return applicable_questions(catalog, it_uses) if kind == QUICK else applicable_controls(catalog, it_uses)


def control_answers(
    catalog: Catalog, kind: str, answers: Mapping[str, str], it_uses: Iterable[str]
) -> dict[str, str]:
    """Control id → answer implied by the stored answers, limited to the controls that apply."""
    controls = {c.id for c in applicable_controls(catalog, it_uses)}
    if kind == QUICK:
        implied = scoring.control_answers_from_questions(answers, applicable_questions(catalog, it_uses))
    else:
        implied = dict(answers)
    return {cid: value for cid, value in implied.items() if cid in controls}


def coverage(catalog: Catalog, by_control: Mapping[str, str]) -> list[scoring.CoverageTarget]:
    targets: list[scoring.CoverageTarget] = []
    for fid in COVERAGE_ORDER:
        framework = catalog.framework(fid)
        item_controls: dict[str, list[str]] = {}
        for control in catalog.controls:
            for iid in control.mappings.get(fid, ()):
                item_controls.setdefault(iid, []).append(control.id)
        items = [(i.id, i.level) for i in framework.items if not (fid == CSF and i.out_of_scope is not None)]
        targets.extend(scoring.coverage_targets(fid, items, item_controls, by_control))
    return targets


def result_compute(
    *, catalog: Catalog, kind: str, answers: Mapping[str, str], it_uses: Iterable[str]
) -> dict:
    """The JSON-ready result of an assessment (stored in `Assessment.result` at completion)."""
    it_uses = sorted(set(it_uses))
    by_control = control_answers(catalog, kind, answers, it_uses)
    score = scoring.assessment_score(by_control, applicable_controls(catalog, it_uses))
    return {
        "format": RESULT_FORMAT,
        "catalog_version": catalog.version,
        "kind": kind,
        "overall": score.overall,
        "by_function": dict(score.by_function),
        "tier": score.tier,
        "answered_controls": score.answered,
        "unknown_controls": score.unknown,
        "control_answers": dict(sorted(by_control.items())),
        "gaps": [
            {"control_id": g.control_id, "answer": g.answer, "priority": round(float(g.priority), 4)}
            for g in score.gaps
        ],
        "coverage": [
            {
                "framework_id": t.framework_id,
                "level": t.level,
                "total": t.total,
                "met": t.met,
                "partly_met": t.partly_met,
                "not_assessed": t.not_assessed,
            }
            for t in coverage(catalog, by_control)
        ],
    }


def result_compare(before: Mapping, after: Mapping) -> dict:
    """What changed between two results: score deltas and, per control answered in both, improvements
    and regressions (by the answer order don't know < no < partly < yes)."""
    rank = {a: i for i, a in enumerate(scoring.ANSWER_ORDER)}
    improved, regressed = [], []
    a_answers, b_answers = before["control_answers"], after["control_answers"]
    for cid in sorted(set(a_answers) & set(b_answers)):
        old, new = a_answers[cid], b_answers[cid]
        if rank[new] > rank[old]:
            improved.append((cid, old, new))
        elif rank[new] < rank[old]:
            regressed.append((cid, old, new))

    def delta(x, y):
        return None if x is None or y is None else round(y - x, 1)

    return {
        "overall": delta(before["overall"], after["overall"]),
        "by_function": {
            fn: delta(before["by_function"].get(fn), after["by_function"].get(fn)) for fn in scoring.FUNCTIONS
        },
        "improved": improved,
        "regressed": regressed,
        "only_before": sorted(set(a_answers) - set(b_answers)),
        "only_after": sorted(set(b_answers) - set(a_answers)),
    }
