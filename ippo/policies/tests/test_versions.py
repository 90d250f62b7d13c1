"""Versions and approval: only the owner approves; editing an approved document starts a new draft;
approving supersedes; approved versions never change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from ippo.core.models import AuditEvent
from ippo.policies import services
from ippo.policies.models import Policy, PolicyVersion

pytestmark = pytest.mark.django_db


def _edit_data(
    title: str, sections: list[tuple[str, str]], note: str = "", initial: int | None = None
) -> dict:
    data = {
        "title": title,
        "note": note,
        "s-TOTAL_FORMS": str(len(sections)),
        "s-INITIAL_FORMS": str(len(sections) if initial is None else initial),
        "s-MIN_NUM_FORMS": "1",
        "s-MAX_NUM_FORMS": "30",
    }
    for i, (heading, body) in enumerate(sections):
        data[f"s-{i}-heading"] = heading
        data[f"s-{i}-body"] = body
    return data


def test_the_owner_approves_a_draft_with_the_date(generate, owner_client, personas, unscoped):
    draft = generate("rule-email")
    response = owner_client.post(f"/o/org-a/policies/versions/{draft.pk}/approve/")
    assert response["Location"] == f"/o/org-a/policies/{draft.policy_id}/"
    with unscoped():
        draft.refresh_from_db()
        event = AuditEvent.objects.get(action="policy.approved")
    assert draft.is_approved and draft.approved_by == personas.owner and draft.approved_at is not None
    assert (
        draft.effective_date is not None
        and draft.approved_by_name == type(personas.owner).objects.get(pk=personas.owner.pk).name
    )
    assert event.data["version"] == 1 and event.actor == personas.owner
    page = owner_client.get(f"/o/org-a/policies/{draft.policy_id}/").content.decode()
    assert "Version 1 is in force since" in page
    assert "{effective_date}" not in page and "[date of approval]" not in page


@pytest.mark.parametrize("role", ["manager", "advisor", "viewer", "member"])
def test_no_one_but_the_owner_can_approve(role, generate, client, personas, unscoped):
    draft = generate("rule-email")
    client.force_login(personas.users[role])
    assert client.post(f"/o/org-a/policies/versions/{draft.pk}/approve/").status_code == 403
    with unscoped():
        draft.refresh_from_db()
    assert draft.is_draft


def test_the_service_refuses_a_manager_too(generate, approve, personas):
    draft = generate("rule-email")
    with pytest.raises(PermissionDenied):
        approve(draft, actor=personas.manager)


def test_editing_an_approved_version_starts_a_new_draft_and_approving_supersedes(
    generate, approve, client, personas, unscoped
):
    v1 = approve(generate("rule-generative-ai"))
    client.force_login(personas.manager)
    url = f"/o/org-a/policies/{v1.policy_id}/edit/"
    page = client.get(url).content.decode()
    assert "Saving creates draft version 2" in page
    response = client.post(
        url, _edit_data("Using AI", [("Scope", "Everyone.\n\nFrom {effective_date}.")], note="Shorter")
    )
    assert response.status_code == 302
    with unscoped():
        v1.refresh_from_db()
        v2 = PolicyVersion.objects.get(number=2)
        policy = Policy.objects.get()
    assert v1.is_approved and v1.title == "Using generative AI" and len(v1.sections) == 5  # unchanged
    assert v2.is_draft and v2.note == "Shorter" and policy.title == "Using AI"
    assert v2.sections == [{"heading": "Scope", "paragraphs": ["Everyone.", "From {effective_date}."]}]

    # A second save edits the same draft, it does not make a third version.
    client.post(url, _edit_data("Using AI", [("Scope", "Everyone, always.")]))
    with unscoped():
        assert PolicyVersion.objects.count() == 2

    client.force_login(personas.owner)
    client.post(f"/o/org-a/policies/versions/{v2.pk}/approve/")
    with unscoped():
        v1.refresh_from_db()
        v2.refresh_from_db()
        event = AuditEvent.objects.filter(action="policy.approved").first()
    assert v1.status == "superseded" and v2.is_approved
    assert event.data["superseded"] == 1
    with unscoped():
        assert list(AuditEvent.objects.filter(action="policy.edited").values_list("data", flat=True)) == [
            {"version": 2, "new_version": False},
            {"version": 2, "new_version": True},
        ]


def test_an_approved_version_cannot_be_approved_again_or_discarded(generate, approve, owner_client, unscoped):
    v1 = approve(generate("rule-email"))
    response = owner_client.post(f"/o/org-a/policies/versions/{v1.pk}/approve/", follow=True)
    assert "Only a draft can be approved" in response.content.decode()
    response = owner_client.post(f"/o/org-a/policies/versions/{v1.pk}/discard/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    with unscoped():
        assert PolicyVersion.objects.get().is_approved


def test_the_effective_date_is_the_approval_date_in_the_documents_language(generate, approve, owner_client):
    when = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)  # 1 May in Tokyo
    version = approve(generate("rule-passwords-mfa", language="ja"), when=when)
    assert version.effective_date == date(2026, 5, 1)
    page = owner_client.get(f"/o/org-a/policies/versions/{version.pk}/").content.decode()
    assert "2026年5月1日から適用し" in page
    english = approve(generate("rule-devices", language="en"), when=when)
    page = owner_client.get(f"/o/org-a/policies/versions/{english.pk}/").content.decode()
    assert "takes effect on 1 May 2026" in page


def test_a_draft_shows_where_the_date_will_go(generate, owner_client):
    draft = generate("rule-devices", language="en")
    page = owner_client.get(f"/o/org-a/policies/{draft.policy_id}/").content.decode()
    assert "takes effect on [date of approval]" in page and "{effective_date}" not in page


def test_discarding_a_never_approved_draft_removes_the_document(generate, manager_client, unscoped):
    draft = generate("rule-email")
    response = manager_client.post(f"/o/org-a/policies/versions/{draft.pk}/discard/")
    assert response["Location"] == "/o/org-a/policies/"
    with unscoped():
        assert not Policy.objects.exists()
        assert AuditEvent.objects.get(action="policy.draft_discarded").data["document_deleted"] is True


def test_discarding_a_new_draft_keeps_the_approved_version(generate, approve, personas, unscoped):
    v1 = approve(generate("rule-email"))
    with scope(organization=personas.org):
        v2 = services.policy_draft_save(
            policy=v1.policy,
            actor=personas.manager,
            title="T",
            sections=[{"heading": "H", "paragraphs": ["P"]}],
        )
        assert services.policy_draft_discard(version=v2, actor=personas.manager) is False
    with unscoped():
        assert list(PolicyVersion.objects.values_list("number", "status")) == [(1, "approved")]


def test_the_services_check_what_they_save(generate, personas):
    draft = generate("rule-email")
    with scope(organization=personas.org), pytest.raises(ValidationError) as exc:
        services.policy_draft_save(
            policy=draft.policy,
            actor=personas.manager,
            title="",
            sections=[{"heading": "", "paragraphs": [" "]}],
        )
    assert "The document needs a title." in exc.value.messages
    with scope(organization=personas.org), pytest.raises(ValidationError) as exc:
        services.policy_draft_save(
            policy=draft.policy,
            actor=personas.manager,
            title="T",
            sections=[{"heading": "H", "paragraphs": []}, {"heading": "", "paragraphs": ["x" * 6000]}],
        )
    assert exc.value.messages == [
        "Section 1 has no text.",
        "Section 2 needs a heading.",
        "The text of section 2 is longer than 5000 characters. Split it into two sections.",
    ]


def test_approving_the_basic_policy_puts_its_written_rule_control_in_place_with_evidence(generate, approve, unscoped):
    from ippo.program.models import ControlStatus, Evidence

    approve(generate("basic-policy"))
    with unscoped():
        status = ControlStatus.objects.get(control_id="gv-basic-policy")
        evidence = Evidence.objects.get(control_id="gv-basic-policy")
        technical = ControlStatus.objects.filter(control_id__startswith="pr-").exists()
    assert (status.status, status.source) == ("implemented", "policy")
    assert "approved by" in evidence.note and evidence.kind == "note"
    assert not technical  # writing a rule down does not switch MFA on
