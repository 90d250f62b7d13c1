"""What a pack says: computed from today's control status with the assessments' rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.assessments.results import applicable_controls
from ippo.catalog.loader import SCS, catalog_get
from ippo.program.selectors import current_score
from ippo.sharing import selectors

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Yamada", "email": "y@example.com", "phone": ""}


def _content(org, language="en"):
    with scopes_disabled():
        return selectors.pack_content(org=org, language=language, contact=CONTACT, today=date(2026, 11, 20))


def _scs_controls(level: str) -> set[str]:
    catalog = catalog_get()
    items = {i.id for i in catalog.framework(SCS).items if i.level == level}
    return {c.id for c in catalog.controls if set(c.mappings.get(SCS, ())) & items}


def test_the_key_measures_are_real_controls_with_the_highest_risk_weight():
    catalog = catalog_get()
    assert len(selectors.KEY_CONTROLS) == len(set(selectors.KEY_CONTROLS)) == 12
    for control_id in selectors.KEY_CONTROLS:
        assert catalog.control(control_id).risk_weight == 3, control_id


def test_without_any_status_nothing_is_met_and_nothing_assessed(personas):
    content = _content(personas.org)
    scs3, scs4 = content["scs"]
    assert (scs3["level"], scs3["total"], scs3["met"], scs3["not_assessed"]) == ("★3", 26, 0, 26)
    assert (scs4["level"], scs4["total"]) == ("★4", 43)
    assert content["cis_ig1"]["total"] == 56 and content["cis_ig1"]["met"] == 0
    assert content["csf"]["overall"] is None
    assert content["security_action"] == {"verdict": "not_yet", "one_star_met": 0}
    assert content["key_controls"] == {"total": 12, "in_place": []}
    assert content["contact"] == CONTACT and content["as_of"] == "2026-11-20"


def test_scs_counts_follow_the_assessment_item_rule(personas, set_status):
    applicable = {c.id for c in applicable_controls(catalog_get(), [])}
    star3 = _scs_controls("★3") & applicable
    set_status(dict.fromkeys(star3, "implemented"))
    scs3 = _content(personas.org)["scs"][0]
    assert scs3["met"] + scs3["not_assessed"] == 26 and scs3["partly_met"] == 0 and scs3["met"] > 15

    # One control partly in place: every requirement it maps to drops from met to partly met.
    one = sorted(star3)[0]
    set_status({one: "partial"})
    after = _content(personas.org)["scs"][0]
    assert after["met"] < scs3["met"] and after["partly_met"] == scs3["met"] - after["met"]

    # "Not known yet" counts like "no": a requirement with only unknown controls is not met, but assessed.
    set_status(dict.fromkeys(star3, "unknown"))
    unknown = _content(personas.org)["scs"][0]
    assert (
        unknown["met"] == 0 and unknown["partly_met"] == 0 and unknown["not_assessed"] == scs3["not_assessed"]
    )


def test_controls_that_do_not_apply_to_the_company_are_not_counted(personas, set_status):
    # pr-mfa-remote applies only to remote work / on-premises servers / outsourced IT; no profile here.
    set_status({"pr-mfa-remote": "implemented"})
    with scopes_disabled():
        facts = selectors.pack_facts(personas.org)
    assert facts.statuses == {"pr-mfa-remote": "implemented"}
    content = _content(personas.org)
    assert all(row["met"] == 0 for row in content["scs"]) and content["cis_ig1"]["met"] == 0


def test_the_csf_scores_are_the_live_score(personas, set_status):
    set_status(
        {"pr-mfa-email": "implemented", "gv-exec-owner": "partial", "de-suspicious-signin": "not_implemented"}
    )
    content = _content(personas.org)
    with scopes_disabled():
        score = current_score(personas.org)
    assert content["csf"]["overall"] == score.overall is not None
    assert content["csf"]["by_function"] == dict(score.by_function)
    assert content["csf"]["labels"]["GV"] == "Govern (GV)"
    assert _content(personas.org, "ja")["csf"]["labels"]["GV"] == "統治（GV）"


def test_key_measures_list_those_in_place_with_the_newest_evidence(personas, set_status, add_evidence):
    set_status({"pr-mfa-email": "implemented", "pr-backup": "implemented", "pr-restore-test": "partial"})
    add_evidence("pr-backup", date(2026, 3, 1))
    add_evidence("pr-backup", date(2026, 9, 30), "Restore test Q3")
    add_evidence("pr-restore-test", date(2026, 9, 30))
    key = _content(personas.org)["key_controls"]
    assert [row["id"] for row in key["in_place"]] == ["pr-mfa-email", "pr-backup"]
    assert key["in_place"][0]["evidence_on"] is None and key["in_place"][1]["evidence_on"] == "2026-09-30"
    assert key["in_place"][1]["title"].startswith("Automatic backups")
    assert _content(personas.org, "ja")["key_controls"]["in_place"][1]["title"].startswith("自動バックアップ")


def test_security_action_levels(personas, set_status):
    catalog = catalog_get()
    applicable = [c.id for c in applicable_controls(catalog, [])]
    all_in_place = dict.fromkeys(applicable, "implemented")
    set_status(all_in_place)
    with scopes_disabled():
        facts = selectors.pack_facts(personas.org)
    today = date(2026, 11, 20)

    def verdict(**changes):
        content = selectors.content_compute(
            catalog=catalog, facts=replace(facts, **changes), language="en", contact=CONTACT, today=today
        )
        return content["security_action"]["verdict"]

    assert verdict() == "one_star"  # no self-assessment, no basic policy
    assert verdict(last_assessment_on=today, basic_policy_approved=True) == "two_stars"
    assert verdict(last_assessment_on=today, basic_policy_drafted=True) == "one_star"
    assert verdict(statuses={**all_in_place, "pr-os-updates": "partial"}) == "not_yet"


def test_facts_read_the_latest_completed_assessment_and_the_basic_policy(personas):
    from ippo.assessments.models import Assessment
    from ippo.policies.models import Policy, PolicyVersion

    with scopes_disabled():
        Assessment.objects.create(
            organization=personas.org, kind="quick", catalog_version="2026.11"
        )  # a draft
        assert selectors.pack_facts(personas.org).last_assessment_on is None
        Assessment.objects.create(
            organization=personas.org,
            kind="quick",
            catalog_version="2026.11",
            status="completed",
            completed_at=timezone.now(),
            result={"format": 1},
        )
        policy = Policy.objects.create(
            organization=personas.org, kind="policy", title="Basic policy", language="en"
        )
        PolicyVersion.objects.create(
            organization=personas.org,
            policy=policy,
            number=1,
            title="Basic policy",
            sections=[],
            status="draft",
        )
        facts = selectors.pack_facts(personas.org)
        assert facts.last_assessment_on == timezone.localdate()
        assert facts.basic_policy_drafted and not facts.basic_policy_approved
        # Another organisation's records never count.
        assert selectors.pack_facts(personas.other_org).last_assessment_on is None
