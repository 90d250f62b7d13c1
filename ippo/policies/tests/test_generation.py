"""Drafting documents from the templates: placeholders, idempotence, language, audit."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from ippo.core.models import AuditEvent, Membership
from ippo.policies import library, services
from ippo.policies.models import Policy, PolicySettings, PolicyVersion
from ippo.policies.tests.conftest import REPORT_CONTACT

pytestmark = pytest.mark.django_db


def _text(sections) -> str:
    return "\n".join(line for s in sections for line in (s["heading"], *s["paragraphs"]))


def _name(user) -> str:
    """The name as stored (the personas' in-memory names are lazy role labels)."""
    return type(user).objects.get(pk=user.pk).name


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_template_renders_in_both_languages_with_only_the_date_left_open(language):
    values = {"org_name": "A", "owner_name": "B", "manager_name": "C", "report_contact": "D"}
    templates = library.templates_get()
    assert [t.id for t in templates][0] == library.BASIC_POLICY and len(templates) == 7
    for template in templates:
        assert len(template.sections) >= 3
        for section in template.sections:
            assert len(section.body.ja) == len(section.body.en)
        text = _text(library.template_render(template, language=language, values=values))
        assert not re.search(r"[{}]", text.replace(library.EFFECTIVE_DATE, "")), template.id


def test_generation_fills_the_organisations_details(generate, personas, unscoped):
    version = generate("basic-policy", "rule-incident-reporting", language="en")[1]
    with unscoped():
        text = _text(version.sections)
        basic = Policy.objects.get(template_id="basic-policy")
    assert "{" not in text.replace("{effective_date}", "")
    assert REPORT_CONTACT in text
    assert _name(personas.owner) in text  # {owner_name}: the owner
    assert _name(personas.manager) in text  # {manager_name}: the first manager
    assert version.number == 1 and version.is_draft and version.policy.language == "en"
    with unscoped():
        basic_text = _text(basic.versions.get().sections)
        assert "At Org A, we regard" in basic_text
        assert basic.kind == "policy" and basic.title == "Information security policy"
        assert PolicySettings.objects.get().report_contact == REPORT_CONTACT
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("policy.generated") == 2 and "policy.settings_changed" in actions


def test_the_owner_stands_in_for_a_missing_manager(generate, personas, unscoped):
    with unscoped():
        Membership.objects.filter(role="manager").delete()
    version = generate("rule-passwords-mfa")
    text = _text(version.sections)
    assert f"reviewed every year by {_name(personas.owner)}" in text


def test_japanese_is_the_default_and_uses_the_japanese_text(manager_client, unscoped):
    form = manager_client.get("/o/org-a/policies/generate/").content.decode()
    assert 'value="ja" selected' in form
    response = manager_client.post(
        "/o/org-a/policies/generate/",
        {"templates": ["basic-policy"], "language": "ja", "report_contact": "総務部 山田 03-1234-5678"},
    )
    with unscoped():
        policy = Policy.objects.get()
    assert response["Location"] == f"/o/org-a/policies/{policy.pk}/"
    assert policy.language == "ja" and policy.title == "情報セキュリティ基本方針"
    with unscoped():
        text = _text(policy.versions.get().sections)
    assert "Org A（以下「当社」といいます）" in text and "総務部 山田 03-1234-5678へ報告します" in text


def test_generating_again_changes_nothing_when_nothing_changed(generate, unscoped):
    first = generate("rule-email")
    again = generate("rule-email")
    assert again.pk == first.pk
    with unscoped():
        assert PolicyVersion.objects.count() == 1
        assert AuditEvent.objects.filter(action="policy.generated").count() == 1


def test_generating_again_refreshes_the_draft_and_keeps_the_language(generate, manager_client, unscoped):
    first = generate("rule-email", language="en")
    with scope(organization=first.organization):
        services.policy_draft_save(
            policy=first.policy, actor=None, title="Mail", sections=[{"heading": "X", "paragraphs": ["Y"]}]
        )
    again = generate("rule-email", language="ja", report_contact="Desk 9")
    with unscoped():
        assert PolicyVersion.objects.count() == 1
        again.refresh_from_db()
    assert again.pk == first.pk and again.title == "Handling e-mail" and "Desk 9" in _text(again.sections)


def test_generating_after_approval_offers_a_new_draft(generate, approve, unscoped):
    first = generate("rule-devices")
    approve(first)
    assert generate("rule-devices").pk == first.pk  # same text as the approved version: nothing to offer
    second = generate("rule-devices", report_contact="IT desk, ext. 9")
    assert second.number == 2 and second.is_draft
    with unscoped():
        first.refresh_from_db()
    assert first.is_approved


def test_a_missing_report_contact_is_asked_for_and_nothing_is_drafted(manager_client, unscoped):
    response = manager_client.post(
        "/o/org-a/policies/generate/",
        {"templates": ["basic-policy"], "language": "en", "report_contact": " "},
    )
    assert response.status_code == 200
    assert "Say who people should report to" in response.content.decode()
    with unscoped():
        assert not Policy.objects.exists() and not PolicySettings.objects.exists()


def test_an_unknown_template_is_refused(manager_client, unscoped):
    response = manager_client.post(
        "/o/org-a/policies/generate/", {"templates": ["nope"], "language": "en", "report_contact": "x"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    with unscoped():
        assert not Policy.objects.exists()


def test_braces_in_the_company_name_are_written_as_they_are(generate, personas, unscoped):
    with unscoped():
        personas.org.name = "{owner_name} Ltd"
        personas.org.save()
    version = generate("basic-policy")
    assert "At {owner_name} Ltd, we regard" in _text(version.sections)
