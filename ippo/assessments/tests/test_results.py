"""Results over the real catalog: coverage targets, comparison, and catalog versions."""

from __future__ import annotations

import pytest

from ippo.assessments import results
from ippo.assessments.models import Answer, Assessment
from ippo.catalog.loader import CSF, catalog_get

ALL_IT = ["m365", "google", "onprem_server", "website", "online_shop", "remote_work", "outsourced_it"]


def _full(value_for):
    catalog = catalog_get()
    answers = {c.id: value_for(c) for c in results.applicable_controls(catalog, ALL_IT)}
    return results.result_compute(catalog=catalog, kind="full", answers=answers, it_uses=ALL_IT)


def _target(result, framework_id, level=None):
    return next(t for t in result["coverage"] if t["framework_id"] == framework_id and t["level"] == level)


def test_scs_coverage_counts_26_requirements_at_3_stars_and_43_at_4():
    result = _full(lambda c: "yes")
    assert _target(result, "meti-scs", "★3")["total"] == 26
    assert _target(result, "meti-scs", "★4")["total"] == 43
    assert _target(result, "cis-v8-ig1")["total"] == 56


def test_csf_coverage_leaves_out_what_is_out_of_scope_for_small_businesses():
    csf = catalog_get().framework(CSF)
    in_scope = sum(1 for i in csf.items if i.out_of_scope is None)
    assert _target(_full(lambda c: "yes"), CSF)["total"] == in_scope < 106


def test_all_yes_meets_every_requirement_that_a_control_covers():
    result = _full(lambda c: "yes")
    assert result["overall"] == 100 and result["tier"] == 4 and result["gaps"] == []
    for target in result["coverage"]:
        assert target["met"] + target["not_assessed"] == target["total"], target
        assert target["partly_met"] == 0


def test_all_no_meets_nothing_and_lists_every_control_as_a_gap():
    result = _full(lambda c: "no")
    assert result["overall"] == 0 and result["tier"] == 1
    assert len(result["gaps"]) == len(results.applicable_controls(catalog_get(), ALL_IT))
    assert all(t["met"] == 0 for t in result["coverage"])
    first = catalog_get().control(result["gaps"][0]["control_id"])
    assert first.cost == "free"  # quick, free wins first


def test_a_quick_check_only_assesses_the_controls_its_questions_touch():
    catalog = catalog_get()
    questions = results.applicable_questions(catalog, [])
    result = results.result_compute(
        catalog=catalog, kind="quick", answers={q.id: "yes" for q in questions}, it_uses=[]
    )
    touched = {c for q in questions for c in q.controls} & {
        c.id for c in results.applicable_controls(catalog, [])
    }
    assert set(result["control_answers"]) == touched
    assert any(t["not_assessed"] for t in result["coverage"])


def test_compare_lists_improvements_and_regressions():
    before = _full(lambda c: "no" if c.function == "PR" else "yes")
    after = _full(lambda c: "yes" if c.function == "PR" else ("partial" if c.function == "RC" else "yes"))
    diff = results.result_compare(before, after)
    assert {cid for cid, *_ in diff["improved"]} == {
        c for c, v in before["control_answers"].items() if v == "no"
    }
    assert all(catalog_get().control(cid).function == "RC" for cid, *_ in diff["regressed"])
    assert diff["by_function"]["PR"] == 100


@pytest.mark.django_db
def test_results_and_answers_survive_a_catalog_update(owner_client, complete_assessment, unscoped):
    done = complete_assessment(kind="full")
    with unscoped():
        Assessment.objects.filter(pk=done.pk).update(catalog_version="2025.1")
    page = owner_client.get(f"/o/org-a/assessment/{done.pk}/").content.decode()
    assert "catalog version 2025.1" in page and "score-number" in page

    url = owner_client.post("/o/org-a/assessment/new/", {"kind": "full"})["Location"]
    owner_client.post(url + "?section=GV", {"a-gv-exec-owner": "yes", "go": "GV"})
    with unscoped():
        Answer.objects.filter(item_id="gv-exec-owner", assessment__status="draft").update(control_version=0)
    assert "was reworded since it was answered" in owner_client.get(url + "?section=GV").content.decode()
