"""The policy pages: what each role sees, editing with bad input, both languages, query counts."""

from __future__ import annotations

import pytest
from django_scopes import scope

from ippo.policies import services
from ippo.policies.models import Policy, PolicyVersion
from ippo.policies.tests.test_versions import _edit_data
from tests.helpers import query_count

pytestmark = pytest.mark.django_db


def test_employees_read_only_the_approved_versions(generate, approve, client, personas):
    v1 = approve(generate("rule-email"))
    with scope(organization=personas.org):
        services.policy_draft_save(
            policy=v1.policy,
            actor=personas.manager,
            title="Handling e-mail",
            sections=[{"heading": "Secret new heading", "paragraphs": ["Not in force yet."]}],
        )
    generate("rule-devices")  # a draft only: not shown at all
    client.force_login(personas.member)
    page = client.get("/o/org-a/policies/ours/").content.decode()
    assert "Suspicious e-mail" in page and "Handling e-mail" in page
    assert "Secret new heading" not in page and "Use of PCs and smartphones" not in page
    assert f"/o/org-a/policies/versions/{v1.pk}/pdf/" in page
    assert client.get("/o/org-a/policies/").status_code == 403
    with scope(organization=personas.org):
        draft = PolicyVersion.objects.get(status="draft", policy=v1.policy)
    assert client.get(f"/o/org-a/policies/versions/{draft.pk}/pdf/").status_code == 404
    assert client.get(f"/o/org-a/policies/versions/{v1.pk}/pdf/").status_code == 200


def test_the_employee_page_says_when_nothing_is_approved_yet(client, personas):
    client.force_login(personas.member)
    assert (
        "No policy or rule has been approved yet." in client.get("/o/org-a/policies/ours/").content.decode()
    )


def test_the_list_shows_what_is_in_force_and_what_waits_for_the_owner(generate, approve, owner_client):
    approve(generate("basic-policy"))
    generate("rule-email")
    page = owner_client.get("/o/org-a/policies/").content.decode()
    assert "Waiting for your approval" in page and "Handling e-mail" in page
    assert "Version 1, since" in page and "5 documents are not drafted yet" in page


def test_an_empty_section_saves_nothing_and_says_why(generate, manager_client, unscoped):
    draft = generate("rule-email")
    url = f"/o/org-a/policies/{draft.policy_id}/edit/"
    response = manager_client.post(
        url, _edit_data("Handling e-mail", [("Scope", "Text"), ("Empty", "  \n\n ")])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html and "Write the text of this section" in html
    assert 'value="Empty"' in html  # what was typed is kept
    with unscoped():
        draft.refresh_from_db()
    assert len(draft.sections) == 5 and draft.sections[0]["heading"] == "Purpose and scope"


def test_over_long_text_saves_nothing_and_says_why(generate, manager_client, unscoped):
    draft = generate("rule-email")
    url = f"/o/org-a/policies/{draft.policy_id}/edit/"
    html = manager_client.post(url, _edit_data("Handling e-mail", [("Scope", "x" * 5001)])).content.decode()
    assert "This section is too long: 5001 characters, and the limit is 5000" in html
    html = manager_client.post(url, _edit_data("T" * 201, [("Scope", "Fine")])).content.decode()
    assert "Keep the title under 200 characters (it has 201)" in html
    with unscoped():
        draft.refresh_from_db()
        assert PolicyVersion.objects.count() == 1
    assert draft.title == "Handling e-mail" and len(draft.sections) == 5


def test_removing_every_section_is_refused(generate, manager_client, unscoped):
    draft = generate("rule-email")
    data = _edit_data("Handling e-mail", [("Scope", "Text")])
    data["s-0-DELETE"] = "on"
    html = manager_client.post(f"/o/org-a/policies/{draft.policy_id}/edit/", data).content.decode()
    assert "A document needs at least one section." in html
    with unscoped():
        draft.refresh_from_db()
    assert len(draft.sections) == 5


def test_sections_can_be_added_and_removed(generate, manager_client, unscoped):
    draft = generate("rule-email")
    url = f"/o/org-a/policies/{draft.policy_id}/edit/"
    data = _edit_data("Handling e-mail", [("One", "First."), ("Two", "Second.")])
    added = manager_client.post(url, {**data, "add_section": "1"}).content.decode()
    assert 'name="s-2-heading"' in added and "Nothing was saved" not in added
    with unscoped():
        draft.refresh_from_db()
        assert len(draft.sections) == 5  # adding a section box saves nothing
    data = _edit_data(
        "Handling e-mail", [("One", "First."), ("Two", "Second."), ("Three", "Third.")], initial=2
    )
    data["s-1-DELETE"] = "on"
    assert manager_client.post(url, data).status_code == 302
    with unscoped():
        draft.refresh_from_db()
    assert [s["heading"] for s in draft.sections] == ["One", "Three"]


def test_an_empty_added_section_is_ignored(generate, manager_client, unscoped):
    draft = generate("rule-email")
    data = _edit_data("Handling e-mail", [("One", "First."), ("", "")], initial=1)
    assert manager_client.post(f"/o/org-a/policies/{draft.policy_id}/edit/", data).status_code == 302
    with unscoped():
        draft.refresh_from_db()
    assert draft.sections == [{"heading": "One", "paragraphs": ["First."]}]


def test_a_document_can_be_written_from_scratch(manager_client, unscoped):
    data = _edit_data("Visitors", [("Scope", "Visitors sign in at reception.")])
    data.pop("note")
    response = manager_client.post("/o/org-a/policies/new/", {**data, "kind": "rule", "language": "en"})
    with unscoped():
        policy = Policy.objects.get()
        assert policy.template_id == "" and policy.versions.get().is_draft
    assert response["Location"] == f"/o/org-a/policies/{policy.pk}/"
    page = manager_client.get("/o/org-a/policies/").content.decode()
    assert "Visitors" in page


def test_the_list_page_runs_the_same_queries_for_one_document_or_many(generate, approve, owner_client):
    approve(generate("basic-policy"))
    few = query_count(owner_client, "/o/org-a/policies/")
    versions = generate(
        "rule-passwords-mfa", "rule-devices", "rule-email", "rule-cloud-sharing", "rule-generative-ai"
    )
    for version in versions[:3]:
        approve(version)
    approve(generate("rule-email", report_contact="Someone else"))  # a superseded version too
    assert query_count(owner_client, "/o/org-a/policies/") == few <= 10
    rules = query_count(owner_client, "/o/org-a/policies/ours/")
    approve(generate("rule-incident-reporting"))
    assert query_count(owner_client, "/o/org-a/policies/ours/") == rules <= 10


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render_in_both_languages(language, generate, approve, owner_client):
    version = approve(generate("basic-policy", language="ja"))
    draft = generate("rule-email", language="en")
    owner_client.cookies["ippo_language"] = language
    for url in (
        "/o/org-a/policies/",
        "/o/org-a/policies/generate/",
        "/o/org-a/policies/new/",
        "/o/org-a/policies/ours/",
        "/o/org-a/policies/security-action/",
        f"/o/org-a/policies/{version.policy_id}/",
        f"/o/org-a/policies/{draft.policy_id}/",
        f"/o/org-a/policies/{draft.policy_id}/edit/",
        f"/o/org-a/policies/versions/{version.pk}/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'lang="{language}"' in html[:200], url
    page = owner_client.get(f"/o/org-a/policies/{version.policy_id}/").content.decode()
    assert "情報セキュリティ基本方針" in page  # the document is Japanese whatever the screen language
    assert "Org A（以下「当社」といいます）" in page
