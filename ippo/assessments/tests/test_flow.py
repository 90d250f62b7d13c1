"""The user's path: wizard → quick check → results → full assessment → history and comparison."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ippo.assessments.models import Answer, Assessment, CompanyProfile, SectionAssignment
from ippo.assessments.results import applicable_questions
from ippo.assessments.tests.conftest import ANSWERS, item_ids
from ippo.catalog.loader import catalog_get
from ippo.core.models import AuditEvent
from ippo.program.models import ControlStatus

pytestmark = pytest.mark.django_db


def test_the_wizard_saves_the_profile_and_starts_a_quick_check(owner_client, personas, unscoped):
    base = "/o/org-a/assessment/profile/"
    assert owner_client.get(base).status_code == 200
    response = owner_client.post(base + "?step=1", {"industry": "manufacturing", "headcount": "6-20"})
    assert response["Location"].endswith("?step=2")
    response = owner_client.post(base + "?step=2", {"it_uses": ["m365", "website"]})
    assert response["Location"].endswith("?step=3")
    page = owner_client.get(base + "?step=3").content.decode()
    assert "Microsoft 365" in page
    response = owner_client.post(base + "?step=3")
    with unscoped():
        profile = CompanyProfile.objects.get(organization=personas.org)
        assessment = Assessment.objects.get(organization=personas.org)
    assert (profile.industry, profile.headcount, profile.it_uses) == (
        "manufacturing",
        "6-20",
        ["m365", "website"],
    )
    assert profile.completed_at is not None
    assert assessment.kind == "quick" and assessment.it_uses == ["m365", "website"]
    assert response["Location"] == f"/o/org-a/assessment/{assessment.pk}/answer/"
    with unscoped():
        assert AuditEvent.objects.filter(action="profile.updated").count() == 3


def test_wizard_step_one_requires_an_industry_and_keeps_what_was_typed(owner_client, unscoped):
    response = owner_client.post("/o/org-a/assessment/profile/?step=1", {"headcount": "6-20"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the closest industry" in html
    assert 'value="6-20" id="id_headcount_1" checked' in html or "checked" in html
    with unscoped():
        assert not CompanyProfile.objects.exists()


def test_quick_check_answers_are_saved_as_you_go_and_completion_scores_them(owner_client, personas, unscoped):
    response = owner_client.post("/o/org-a/assessment/new/", {"kind": "quick"})
    url = response["Location"]
    ids = item_ids(owner_client.get(url).content.decode())
    expected = [
        q.id for q in applicable_questions(catalog_get(), [])
    ]  # no profile: the questions for everyone
    assert ids == expected and len(expected) < len(catalog_get().questions)

    autosave = owner_client.post(url, {"item": ids[0], f"a-{ids[0]}": "yes"}, HTTP_HX_REQUEST="true")
    assert autosave.status_code == 200 and "Saved" in autosave.content.decode()
    with unscoped():
        assert Answer.objects.get(item_id=ids[0]).value == "yes"

    data = {f"a-{i}": ANSWERS[n % 4] for n, i in enumerate(ids)}
    response = owner_client.post(url, {**data, "go": "results"})
    with unscoped():
        assessment = Assessment.objects.get()
        statuses = dict(ControlStatus.objects.values_list("control_id", "status"))
    assert response["Location"] == f"/o/org-a/assessment/{assessment.pk}/"
    assert assessment.status == "completed" and 0 <= assessment.result["overall"] <= 100
    assert statuses["pr-os-updates"] == "implemented"  # the first question, answered yes
    page = owner_client.get(response["Location"]).content.decode()
    assert "score-number" in page and "<svg" in page and "METI supply-chain scheme (SCS) ★3" in page
    with unscoped():
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "assessment.started" in actions and "assessment.completed" in actions


def test_completing_with_unanswered_questions_is_refused_and_keeps_the_answers(owner_client, unscoped):
    url = owner_client.post("/o/org-a/assessment/new/", {"kind": "quick"})["Location"]
    ids = item_ids(owner_client.get(url).content.decode())
    response = owner_client.post(url, {f"a-{ids[0]}": "no", "go": "results"}, follow=True)
    assert "questions are still unanswered" in response.content.decode()
    with unscoped():
        assert Assessment.objects.get().status == "draft"
        assert Answer.objects.get().value == "no"


def test_a_bad_evidence_link_saves_nothing_and_shows_what_was_typed(owner_client, unscoped):
    url = owner_client.post("/o/org-a/assessment/new/", {"kind": "full"})["Location"]
    ids = item_ids(owner_client.get(url).content.decode())
    response = owner_client.post(
        url,
        {
            f"a-{ids[0]}": "yes",
            f"a-{ids[1]}": "partial",
            f"e-{ids[1]}": "not a link",
            f"n-{ids[1]}": "my note",
            "go": "GV",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html and "evidence link must be a web address" in html
    assert "my note" in html and 'value="not a link"' in html
    with unscoped():
        assert not Answer.objects.exists()


def test_full_assessment_sections_can_be_assigned_to_a_member_who_answers_only_those(
    client, personas, unscoped
):
    client.force_login(personas.owner)
    url = client.post("/o/org-a/assessment/new/", {"kind": "full"})["Location"]
    with unscoped():
        assessment = Assessment.objects.get()
    member = personas.users["member"]
    response = client.post(
        f"/o/org-a/assessment/{assessment.pk}/assign/", {"section": "PR", "assignee": member.pk}
    )
    assert response.status_code == 302

    client.force_login(member)
    assert client.get(url + "?section=GV").status_code == 403
    page = client.get(url)
    assert page.status_code == 200 and "Protect (PR)" in page.content.decode()
    ids = item_ids(page.content.decode())
    client.post(url + "?section=PR", {f"a-{ids[0]}": "yes", f"n-{ids[0]}": "done in May", "go": "PR"})
    with unscoped():
        answer = Answer.objects.get(item_id=ids[0])
    assert (answer.value, answer.note, answer.answered_by) == ("yes", "done in May", member)
    assert client.post(f"/o/org-a/assessment/{assessment.pk}/complete/").status_code == 403


def test_an_unassigned_member_is_sent_home(client, personas):
    client.force_login(personas.owner)
    url = client.post("/o/org-a/assessment/new/", {"kind": "full"})["Location"]
    client.force_login(personas.users["member"])
    assert client.get(url)["Location"] == "/o/org-a/"


def test_results_compare_and_trend(owner_client, complete_assessment):
    now = timezone.now()
    first = complete_assessment(kind="full", answer=lambda i, _: "no", when=now - timedelta(days=150))
    second = complete_assessment(kind="full", answer=lambda i, _: "yes" if i % 2 else "no", when=now)
    assert second.result["overall"] > first.result["overall"]
    page = owner_client.get(f"/o/org-a/assessment/{second.pk}/").content.decode()
    assert "since the previous assessment" in page
    compare = owner_client.get(f"/o/org-a/assessment/compare/?a={first.pk}&b={second.pk}").content.decode()
    assert "Improved" in compare and "Got worse (0 measures)" in compare
    overview = owner_client.get("/o/org-a/assessment/").content.decode()
    assert "ippo-chart-line" in overview


def test_a_completed_assessment_cannot_be_changed_or_discarded(owner_client, complete_assessment, unscoped):
    done = complete_assessment()
    response = owner_client.post(f"/o/org-a/assessment/{done.pk}/discard/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert (
        owner_client.get(f"/o/org-a/assessment/{done.pk}/answer/")["Location"]
        == f"/o/org-a/assessment/{done.pk}/"
    )
    with unscoped():
        assert Assessment.objects.filter(pk=done.pk).exists()


def test_a_draft_can_be_discarded(owner_client, unscoped):
    owner_client.post("/o/org-a/assessment/new/", {"kind": "quick"})
    with unscoped():
        pk = Assessment.objects.get().pk
    owner_client.post(f"/o/org-a/assessment/{pk}/discard/")
    with unscoped():
        assert not Assessment.objects.exists()
        assert AuditEvent.objects.filter(action="assessment.discarded").exists()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render_in_both_languages(owner_client, complete_assessment, language, settings):
    done = complete_assessment()
    owner_client.cookies["ippo_language"] = language
    for url in (
        "/o/org-a/assessment/",
        f"/o/org-a/assessment/{done.pk}/",
        "/o/org-a/catalog/",
        "/o/org-a/catalog/pr-mfa-email/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()[:200]
    page = owner_client.get(f"/o/org-a/assessment/{done.pk}/").content.decode()
    assert ("総合スコア" in page) == (language == "ja")


def test_an_assigned_section_shows_on_the_members_home_page(client, personas):
    client.force_login(personas.owner)
    client.post("/o/org-a/assessment/new/", {"kind": "full"})
    from django_scopes import scopes_disabled

    with scopes_disabled():
        pk = Assessment.objects.get().pk
    client.post(
        f"/o/org-a/assessment/{pk}/assign/", {"section": "DE", "assignee": personas.users["member"].pk}
    )
    client.force_login(personas.users["member"])
    home = client.get("/o/org-a/").content.decode()
    assert "Detect (DE)" in home and f"/o/org-a/assessment/{pk}/answer/?section=DE" in home


def test_assigning_to_someone_outside_the_organisation_is_refused(owner_client, personas, unscoped):
    owner_client.post("/o/org-a/assessment/new/", {"kind": "full"})
    with unscoped():
        pk = Assessment.objects.get().pk
    response = owner_client.post(
        f"/o/org-a/assessment/{pk}/assign/", {"section": "DE", "assignee": personas.outsider.pk}, follow=True
    )
    assert "Choose a member of this organisation" in response.content.decode()
    with unscoped():
        assert not SectionAssignment.objects.exists()
