"""The SECURITY ACTION helper: the pure evaluation, and the page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ippo.assessments.models import Assessment
from ippo.catalog.loader import catalog_get
from ippo.policies.security_action import (
    MET,
    MISSING,
    NOT_YET,
    ONE_STAR,
    PARTLY,
    READY_ONE_STAR,
    READY_TWO_STARS,
    security_action_evaluate,
)
from ippo.program.models import ControlStatus


def _mapped(item_id: str | None = None) -> list[str]:
    return [
        c.id
        for c in catalog_get().controls
        if any(i.startswith("1star") for i in c.mappings["security-action"])
        and (item_id is None or item_id in c.mappings["security-action"])
    ]


def _all_in_place() -> dict[str, str]:
    return dict.fromkeys(_mapped(), "implemented")


def _evaluate(statuses, **kwargs):
    defaults = {"self_check_done": False, "basic_policy_approved": False}
    return security_action_evaluate(catalog=catalog_get(), statuses=statuses, **{**defaults, **kwargs})


def test_every_one_star_rule_has_measures_behind_it():
    for item_id in ONE_STAR:
        assert _mapped(item_id), item_id


def test_everything_in_place_is_two_stars():
    result = _evaluate(_all_in_place(), self_check_done=True, basic_policy_approved=True)
    assert result.verdict == READY_TWO_STARS and result.one_star_ready and result.two_star_ready
    assert all(item.state == MET and not item.gaps for item in (*result.one_star, *result.two_star))


def test_the_basics_without_a_self_check_or_policy_are_one_star():
    result = _evaluate(_all_in_place(), basic_policy_drafted=True)
    assert result.verdict == READY_ONE_STAR
    assert [i.state for i in result.two_star] == [MISSING, PARTLY]


def test_one_measure_partly_in_place_keeps_one_star_out_of_reach_and_is_named():
    statuses = {**_all_in_place(), "pr-endpoint-protection": "partial"}
    result = _evaluate(statuses, self_check_done=True, basic_policy_approved=True)
    assert result.verdict == NOT_YET and not result.two_star_ready  # ★★ builds on ★
    item = next(i for i in result.one_star if i.item_id == "1star-2")
    assert item.state == PARTLY
    assert [(g.control_id, g.status) for g in item.gaps] == [("pr-endpoint-protection", "partial")]
    assert all(i.state == MET for i in result.one_star if i.item_id != "1star-2")


def test_nothing_known_is_missing_everywhere():
    result = _evaluate({})
    assert result.verdict == NOT_YET
    assert all(item.state == MISSING for item in result.one_star)
    gaps = {g.control_id: g.status for item in result.one_star for g in item.gaps}
    assert set(gaps) == set(_mapped()) and set(gaps.values()) == {"unknown"}


def test_a_measure_in_place_among_missing_ones_is_partly():
    statuses = dict.fromkeys(_mapped("1star-3"), "not_implemented") | {"pr-passwords": "implemented"}
    item = next(i for i in _evaluate(statuses).one_star if i.item_id == "1star-3")
    assert item.state == PARTLY and "pr-passwords" not in {g.control_id for g in item.gaps}


def test_measures_for_it_the_company_does_not_use_are_not_counted():
    statuses = {**_all_in_place(), "pr-website": "not_implemented", "pr-cloud-sharing": "unknown"}
    assert _evaluate(statuses).verdict == NOT_YET  # every control counts when applicability is unknown
    applicable = {c.id for c in catalog_get().controls} - {"pr-website", "pr-cloud-sharing"}
    assert _evaluate(statuses, applicable=applicable).verdict == READY_ONE_STAR


@pytest.mark.django_db
def test_the_page_lists_what_is_missing_with_links(owner_client):
    page = owner_client.get("/o/org-a/policies/security-action/").content.decode()
    assert "Not yet" in page
    assert '/o/org-a/catalog/pr-endpoint-protection/"' in page
    assert "Draft the basic policy" in page and "/o/org-a/assessment/" in page
    assert "https://www.ipa.go.jp/security/security-action/" in page
    assert "it is not IPA's own sheet" in page


@pytest.mark.django_db
def test_the_page_says_two_stars_when_everything_is_there(
    owner_client, personas, generate, approve, unscoped
):
    now = timezone.now()
    with unscoped():
        for control_id in _mapped():
            ControlStatus.objects.create(
                organization=personas.org,
                control_id=control_id,
                status="implemented",
                source="manual",
                updated_at=now,
            )
        Assessment.objects.create(
            organization=personas.org,
            kind="quick",
            status="completed",
            catalog_version="test",
            completed_at=now,
            result={},
        )
    approve(generate("basic-policy"))
    page = owner_client.get("/o/org-a/policies/security-action/").content.decode()
    assert "★★ ready: you can declare two stars." in page
    assert "Your basic policy is approved and in force since" in page
    assert "publish the basic policy" in page
